/* The updater.h implementation for hello, compiled once for every version
   of hello.c (which includes only the declarations). */
#define UPDATER_IMPLEMENTATION
#include "../../updater.h"
