/* twin_target.c - placeholder until the issue-13 work lands. */
#include "twin_target.h"
