/* A program that updates itself with updater.h, for tests/engine.sh.
   Built once per version (-DAPP_VERSION="..."); installed under
   $APP_INSTALL with itself as bin/app.
     app [ARGS...]     prints "app VERSION trial=T args: ARGS"; then, if
                       APP_UPDATE (an archive) and APP_UPDATE_VERSION are set
                       and name another version, upd_install()s it (which
                       exec()s the helper, then the new version with the same
                       argv and environment); else marks itself good, unless
                       APP_CRASH names its version (then it exits 3 first)
     app failed V      prints 1 if V was rolled back, else 0
   With APP_FILE set instead of APP_INSTALL: single-executable mode, the
   program is the file APP_FILE (APP_EXE: its path inside the archive).
   APP_STATE_DIR: the state dir (default: beside the install). APP_HOLD=1:
   after the "app ..." line, wait for end of file on stdin before going on
   (a process that keeps running the installed program). */
#define UPDATER_IMPLEMENTATION
#include "../updater.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef APP_VERSION
#define APP_VERSION "0.0.0"
#endif

static void event(void *user, const char *phase, const char *detail)
{
    (void)user;
    if (getenv("APP_EVENTS")) fprintf(stderr, "event %s %s\n", phase, detail);
}

int main(int argc, char **argv)
{
    upd_engine e;
    upd_result r;
    const char *crash = getenv("APP_CRASH");
    int i;
    memset(&e, 0, sizeof e);
    e.install_dir = getenv("APP_INSTALL");
    e.exe = "bin/app";
    if (getenv("APP_FILE")) {
        e.install_file = getenv("APP_FILE");
        e.install_dir = NULL;
        e.exe = getenv("APP_EXE");
    }
    if (getenv("APP_STATE_DIR")) e.state_dir = getenv("APP_STATE_DIR");
    e.on_event = event;
    if (getenv("APP_TRIALS")) e.max_trials = atoi(getenv("APP_TRIALS"));
    if (!e.install_dir && !e.install_file) { fprintf(stderr, "app: APP_INSTALL or APP_FILE is not set\n"); return 2; }
    if ((r = upd_startup(&e, argc, argv)) != UPD_OK) {
        fprintf(stderr, "app: startup: %s (%s)\n", e.error, upd_strerror(r));
        return 1;
    }
    if (argc >= 2 && strcmp(argv[1], "failed") == 0 && argc == 3) {
        printf("%d\n", upd_version_failed(&e, argv[2]));
        return 0;
    }
    printf("app %s trial=%d args:", APP_VERSION, e.trial);
    for (i = 1; i < argc; i++) printf(" %s", argv[i]);
    printf("\n");
    fflush(stdout);
    if (getenv("APP_HOLD")) {
        char c;
        while (read(0, &c, 1) > 0) {}
    }
    if (getenv("APP_UPDATE") && getenv("APP_UPDATE_VERSION") && strcmp(getenv("APP_UPDATE_VERSION"), APP_VERSION) != 0 &&
        !e.trial && !upd_version_failed(&e, getenv("APP_UPDATE_VERSION"))) {
        r = upd_install(&e, getenv("APP_UPDATE"), getenv("APP_UPDATE_VERSION"));
        fprintf(stderr, "app: install: %s (%s)\n", e.error, upd_strerror(r));
        return r == UPD_E_BUSY ? 4 : 1;
    }
    if (crash && strcmp(crash, APP_VERSION) == 0) return 3; /* dies before it is marked good */
    if (e.trial && (r = upd_mark_good(&e)) != UPD_OK) {
        fprintf(stderr, "app: mark good: %s\n", e.error);
        return 1;
    }
    return 0;
}
