/* hello - a program that updates itself with updater.h.

   Build:  cc -std=c99 -O2 -DHELLO_VERSION='"1.0.0"' -o hello \
               examples/hello/hello.c examples/hello/updater.c
           (updater.c holds the library's implementation)
   Run:    hello [--update MANIFEST_URL --pubkey FILE]

   Its last line on stdout is always "hello VERSION" of the version that
   runs; everything else goes to stderr. With --update it checks the signed
   manifest, downloads and verifies the new release, installs it and exec()s
   into it; the new version (on trial) marks itself good and says
   "hello NEWVERSION". Up to date, or on any error, it says so on stderr and
   still ends with its own "hello VERSION".

   Built with -DHELLO_CRASH_AFTER_STARTUP it is a broken release: it aborts
   right after upd_startup(), before marking itself good, so after
   HELLO_TRIALS starts (default 2) the previous version comes back.

   The install dir is the directory of the running executable; the helper
   copy runs from <install>.update/helper, which names the same install. */
#define _POSIX_C_SOURCE 200809L
#include "../../updater.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef HELLO_VERSION
#define HELLO_VERSION "0.0.0"
#endif

static char install_dir[UPDATER_MAX_PATH + 1], exe_name[256];

/* Finds the install dir and the program's name in it from /proc/self/exe. */
static int locate(void)
{
    char self[UPDATER_MAX_PATH + 1], *slash;
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    size_t len;
    if (n <= 0) return -1;
    self[n] = 0;
    slash = strrchr(self, '/');
    if (!slash || slash == self) return -1;
    *slash = 0;
    len = strlen(self);
    if (strcmp(slash + 1, "helper") == 0 && len > 7 && strcmp(self + len - 7, ".update") == 0) {
        /* the helper: <install>.update/helper; the program's name is in
           the journal, which upd_startup reads: any name does here */
        self[len - 7] = 0;
        snprintf(exe_name, sizeof exe_name, "hello");
    } else {
        if (strlen(slash + 1) >= sizeof exe_name) return -1;
        snprintf(exe_name, sizeof exe_name, "%s", slash + 1);
    }
    if (strlen(self) >= sizeof install_dir) return -1;
    memcpy(install_dir, self, strlen(self) + 1);
    return 0;
}

static void on_event(void *user, const char *phase, const char *detail)
{
    (void)user;
    if (getenv("HELLO_VERBOSE")) fprintf(stderr, "hello: [%s] %s\n", phase, detail);
}

static int on_progress(void *user, const char *phase, uint64_t done, uint64_t total)
{
    static int last = -1;
    int pct = total ? (int)(done * 100 / total) : 0;
    (void)user;
    if (strcmp(phase, "download") == 0 && total && pct / 25 != last) {
        last = pct / 25;
        fprintf(stderr, "hello: downloading %3d%% of %llu bytes\n", pct, (unsigned long long)total);
    }
    return 0;
}

static char *read_key(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;
    if (!f) return NULL;
    buf = (char *)malloc(1025);
    n = buf ? fread(buf, 1, 1024, f) : 0;
    fclose(f);
    if (!buf) return NULL;
    buf[n] = 0;
    return buf;
}

int main(int argc, char **argv)
{
    upd_engine e;
    upd_result r;
    const char *manifest = NULL, *pubkey = NULL;
    int i;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--update") == 0 && i + 1 < argc) manifest = argv[++i];
        else if (strcmp(argv[i], "--pubkey") == 0 && i + 1 < argc) pubkey = argv[++i];
        else if (strcmp(argv[i], "--version") == 0) { printf("hello %s\n", HELLO_VERSION); return 0; }
        else { fprintf(stderr, "usage: hello [--update MANIFEST_URL --pubkey FILE]\n"); printf("hello %s\n", HELLO_VERSION); return 2; }
    }
    memset(&e, 0, sizeof e);
    if (locate() != 0) {
        fprintf(stderr, "hello: cannot tell where I am installed\n");
        printf("hello %s\n", HELLO_VERSION);
        return 1;
    }
    e.install_dir = install_dir;
    e.exe = exe_name;
    e.max_trials = getenv("HELLO_TRIALS") ? atoi(getenv("HELLO_TRIALS")) : 2;
    e.on_event = on_event;
    if ((r = upd_startup(&e, argc, argv)) != UPD_OK) /* exec()s when it swaps or rolls back */
        fprintf(stderr, "hello: finishing the last update: %s\n", e.error);
#ifdef HELLO_CRASH_AFTER_STARTUP
    fprintf(stderr, "hello: %s is broken and crashes now\n", HELLO_VERSION);
    fflush(NULL);
    abort();
#endif
    if (e.trial) {
        if (upd_mark_good(&e) == UPD_OK) fprintf(stderr, "hello: updated to %s, and it works\n", HELLO_VERSION);
        else fprintf(stderr, "hello: cannot mark %s good: %s\n", HELLO_VERSION, e.error);
    } else if (manifest) {
        const char *urls[2];
        char *keys[2];
        upd_client c;
        urls[0] = manifest;
        urls[1] = NULL;
        keys[0] = pubkey ? read_key(pubkey) : NULL;
        keys[1] = NULL;
        if (!keys[0]) {
            fprintf(stderr, "hello: --update needs --pubkey FILE (a minisign public key)\n");
        } else {
            memset(&c, 0, sizeof c);
            c.engine = &e;
            c.manifest_urls = urls;
            c.pubkeys = (const char *const *)keys;
            c.app = "hello";
            c.current = HELLO_VERSION;
            c.on_progress = on_progress;
            c.http.connect_timeout_ms = 5000;
            c.http.io_timeout_ms = 10000;
            fprintf(stderr, "hello: checking %s\n", manifest);
            r = upd_update(&c); /* does not return when it installs */
            if (r == UPD_NO_UPDATE) fprintf(stderr, "hello: %s is up to date\n", HELLO_VERSION);
            else fprintf(stderr, "hello: update failed: %s\n", c.error[0] ? c.error : upd_strerror(r));
        }
        free(keys[0]);
    }
    printf("hello %s\n", HELLO_VERSION);
    return 0;
}
