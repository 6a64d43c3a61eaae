/* tests/delta_app.c - installs one package with upd_install() for
   tests/delta_attacks.sh (incremental packages: .updater-patch/PATH,
   .updater-delete, .updater-tree).

   usage: delta_app ARCHIVE [VERSION]      (VERSION defaults to 2.0.0)
   The engine comes from the environment:
     INSTALL_DIR   the install dir (absolute); the program is bin/app
     STATE_DIR     the state dir (default: INSTALL_DIR.update)
     TREE          the release's tree= (64 hex digits), if set
     NEED_TREE     if set, the package must carry .updater-tree
     MAXU          max_unpacked in bytes, if set
     DELTA_EVENTS  if set, the engine's phases go to stderr
   no_exec is set: a package that passes is swapped in right here.
   Prints "result N NAME" and "error MESSAGE"; exit status 0 on UPD_OK,
   1 on any other result, 2 on bad usage. */
#define UPDATER_IMPLEMENTATION
#include "../updater.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *result_name(upd_result r)
{
    switch (r) {
#define DELTA_APP_NAME(name, value, text) \
    case name:                            \
        return #name;
        UPD_RESULT_LIST(DELTA_APP_NAME)
#undef DELTA_APP_NAME
    default:
        return "UPD_UNKNOWN";
    }
}

static void event(void *user, const char *phase, const char *detail)
{
    (void)user;
    fprintf(stderr, "event %s %s\n", phase, detail);
}

static int parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s) return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10) return 0;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return 1;
}

int main(int argc, char **argv)
{
    upd_engine e;
    upd_result r;
    const char *maxu = getenv("MAXU");
    if (argc < 2 || argc > 3 || !getenv("INSTALL_DIR")) {
        fprintf(stderr, "usage: INSTALL_DIR=DIR delta_app ARCHIVE [VERSION]\n");
        return 2;
    }
    memset(&e, 0, sizeof e);
    e.install_dir = getenv("INSTALL_DIR");
    e.state_dir = getenv("STATE_DIR");
    e.exe = "bin/app";
    e.no_exec = 1;
    e.tree = getenv("TREE");
    e.need_tree = getenv("NEED_TREE") != NULL;
    if (maxu && !parse_u64(maxu, &e.max_unpacked)) {
        fprintf(stderr, "delta_app: MAXU is not a number: %s\n", maxu);
        return 2;
    }
    if (getenv("DELTA_EVENTS")) e.on_event = event;
    r = upd_install(&e, argv[1], argc == 3 ? argv[2] : "2.0.0");
    printf("result %d %s\n", (int)r, result_name(r));
    printf("error %s\n", e.error);
    fflush(stdout);
    return r == UPD_OK ? 0 : 1;
}
