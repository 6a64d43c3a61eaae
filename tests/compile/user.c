/* A second translation unit that only uses the declarations: linked with
   impl.c it proves nothing is defined twice and the API links. Also included
   twice, to prove the include guard holds. */
#include "../../updater.h"
#include "../../updater.h"
#include <stdio.h>

int main(void)
{
    int cmp = 0;
    uint8_t d[32];
    char hex[65];
    if (upd_vercmp("1.10.0", "1.9.0", &cmp) != UPD_OK || cmp != 1) return 1;
    upd_sha256("abc", 3, d);
    upd_hex_encode(d, 32, hex);
    printf("%s %s %s\n", upd_version_string(), hex, upd_strerror(UPD_E_MANIFEST));
    return 0;
}
