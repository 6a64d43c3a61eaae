/* Overriding only some allocator macros must be a compile error. */
#define UPDATER_MALLOC(ctx, n) malloc(n)
#define UPDATER_IMPLEMENTATION
#include "../../updater.h"
