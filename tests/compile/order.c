/* Strict C99 with a system header first: POSIX is hidden, and updater.h
   must say so clearly instead of failing on some undeclared name. */
#include <stdio.h>
#define UPDATER_IMPLEMENTATION
#include "../../updater.h"
