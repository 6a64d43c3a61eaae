/* UPDATER_STATIC: two translation units each with a private copy of the
   implementation link together without clashes. */
#define UPDATER_STATIC
#define UPDATER_IMPLEMENTATION
#include "../../updater.h"
int static_b(void);
int main(void)
{
    int cmp = 0;
    if (upd_vercmp("2", "1.9.9", &cmp) != UPD_OK || cmp != 1) return 1;
    return static_b();
}
