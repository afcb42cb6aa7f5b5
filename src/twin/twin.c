/* twin.c - placeholder until the issue-13 work lands. */
#include "twin.h"
