/* The unit-test runner: one binary, all modules, built with ASan+UBSan by
   `make test` (and without, under valgrind). Usage: test_main [FILTER]
   runs the tests whose name contains FILTER. Prints "N passed, N failed". */
#define UPDATER_IMPLEMENTATION
#include "../updater.h"
#include "test.h"
#include <stdlib.h>

int t_passed, t_failed, t_skipped;
const char *t_current = "";

#include "t_version.c"
#include "t_sha256.c"
#include "t_url.c"
#include "t_manifest.c"
#include "t_gunzip.c"
#include "t_tar.c"
#include "t_sign.c"
#include "t_http.c"
#include "t_simd.c"
#include "t_big.c"
#include "t_delta.c"

typedef struct { const char *name; void (*fn)(void); } t_entry;
static const t_entry t_tests[] = {
#define T(name) { #name, name },
    TEST_LIST_VERSION
    TEST_LIST_SHA256
    TEST_LIST_URL
    TEST_LIST_MANIFEST
    TEST_LIST_GUNZIP
    TEST_LIST_TAR
    TEST_LIST_SIGN
    TEST_LIST_HTTP
    TEST_LIST_SIMD
    TEST_LIST_BIG
    TEST_LIST_DELTA
#undef T
};

int main(int argc, char **argv)
{
    size_t i, ran = 0;
    for (i = 0; i < sizeof t_tests / sizeof t_tests[0]; i++) {
        if (argc > 1 && !strstr(t_tests[i].name, argv[1])) continue;
        t_current = t_tests[i].name;
        t_tests[i].fn();
        ran++;
    }
    printf("unit: %zu test functions\n", ran);
    if (t_skipped) printf("%d passed, %d failed, %d skipped\n", t_passed, t_failed, t_skipped);
    else printf("%d passed, %d failed\n", t_passed, t_failed);
    return t_failed ? 1 : 0;
}
