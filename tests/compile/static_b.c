#define UPDATER_STATIC
#define UPDATER_IMPLEMENTATION
#include "../../updater.h"
int static_b(void);
int static_b(void)
{
    int cmp = 1;
    return upd_vercmp("1.0.0-rc.1", "1.0.0", &cmp) == UPD_OK && cmp == -1 ? 0 : 1;
}
