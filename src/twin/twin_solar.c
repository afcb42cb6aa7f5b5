/* twin_solar.c - placeholder until the issue-13 work lands. */
#include "twin_solar.h"
