/* The one translation unit with the implementation (compile check). */
#define UPDATER_IMPLEMENTATION
#include "../../updater.h"
