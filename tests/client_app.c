/* tests/client_app.c - drives the background API of updater.h section 12
   (upd_check_async, upd_download_async, upd_watch, upd_cancel, upd_wait)
   and upd_update's confirm callback for tests/client.sh, against the real
   nginx the suite starts. Linked with examples/hello/updater.c (the
   implementation); the suite builds both with ASan and UBSan.

   usage: client_app MODE MANIFEST_URL PUBKEY_FILE DIR CURRENT [ARGS...]
     check-async    DIR is the state dir; ARGS: the version expected
     download-cancel DIR is the state dir; cancels mid-download, resumes
     watch          DIR is the state dir; ARGS: interval ms, the version expected
     watch-cancel   DIR is the state dir; ARGS: interval ms
     confirm        DIR is an install dir (exe "hello", external-updater
                    mode); ARGS: what confirm() answers (0 or 1), the
                    result expected (a number: 0 UPD_OK, -6 UPD_E_CANCELED)

   Prints "PASS name", "FAIL name: why" and "INFO key value" lines; the
   suite counts them. Exit status 0 unless something failed. */
#define _POSIX_C_SOURCE 200809L
#include "../updater.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int failures;

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 3, 4)))
#endif
static void check(int cond, const char *name, const char *fmt, ...)
{
    va_list ap;
    if (cond) { printf("PASS %s\n", name); fflush(stdout); return; }
    failures++;
    printf("FAIL %s: ", name);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) { }
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;
    if (!f) return NULL;
    buf = (char *)malloc(4097);
    n = buf ? fread(buf, 1, 4096, f) : 0;
    fclose(f);
    if (buf) buf[n] = 0;
    return buf;
}

static long long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/* what the callbacks saw, shared with the main thread */
typedef struct seen {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t main_thread;
    int calls, ok_calls, err_calls, other_thread, hold, confirm_calls, confirm_answer;
    upd_result last;
    char version[64], archive[UPDATER_MAX_PATH + 16], error[256];
    uint8_t sha256[32];
    uint64_t progress;
} seen;

static void on_done(void *user, upd_result r, const upd_offer *o)
{
    seen *s = (seen *)user;
    pthread_mutex_lock(&s->mu);
    s->calls++;
    s->last = r;
    if (!pthread_equal(pthread_self(), s->main_thread)) s->other_thread++;
    if (r == UPD_OK && o) {
        s->ok_calls++;
        snprintf(s->version, sizeof s->version, "%s", o->version);
        snprintf(s->archive, sizeof s->archive, "%s", o->archive);
        memcpy(s->sha256, o->sha256, 32);
    } else if (r != UPD_OK && r != UPD_NO_UPDATE) {
        s->err_calls++;
        snprintf(s->error, sizeof s->error, "%s", upd_strerror(r));
    }
    pthread_cond_broadcast(&s->cv);
    /* check-async: stay "running" until the main thread has tried again */
    if (s->hold) {
        struct timespec dl;
        clock_gettime(CLOCK_REALTIME, &dl);
        dl.tv_sec += 10;
        while (s->hold && pthread_cond_timedwait(&s->cv, &s->mu, &dl) == 0) { }
    }
    pthread_mutex_unlock(&s->mu);
}

static int on_progress(void *user, const char *phase, uint64_t done, uint64_t total)
{
    seen *s = (seen *)user;
    (void)total;
    if (strcmp(phase, "download") == 0) {
        pthread_mutex_lock(&s->mu);
        s->progress = done;
        pthread_mutex_unlock(&s->mu);
    }
    return 0;
}

static int on_confirm(void *user, const upd_offer *o)
{
    seen *s = (seen *)user;
    s->confirm_calls++;
    snprintf(s->version, sizeof s->version, "%s", o->version);
    snprintf(s->archive, sizeof s->archive, "%s", o->archive);
    return s->confirm_answer;
}

/* waits (up to secs) until cond(s) holds; 1 if it did */
static int wait_for(seen *s, int (*cond)(seen *), double secs)
{
    double end = now_s() + secs;
    int ok;
    for (;;) {
        pthread_mutex_lock(&s->mu);
        ok = cond(s);
        pthread_mutex_unlock(&s->mu);
        if (ok || now_s() > end) return ok;
        sleep_ms(10);
    }
}
static int got_ok(seen *s) { return s->ok_calls > 0; }
static int got_mib(seen *s) { return s->progress >= (1u << 20); }

static int archive_matches(const char *path, const uint8_t want[32])
{
    uint8_t got[32];
    return path[0] && upd_sha256_file(path, got) == UPD_OK && memcmp(got, want, 32) == 0;
}

int main(int argc, char **argv)
{
    const char *mode, *urls[2], *keys[2];
    char *key;
    upd_client c;
    upd_offer o;
    seen s;
    upd_result r;
    double t0, dt;
    if (argc < 6) {
        fprintf(stderr, "usage: client_app MODE MANIFEST_URL PUBKEY_FILE DIR CURRENT [ARGS...]\n");
        return 2;
    }
    mode = argv[1];
    urls[0] = argv[2];
    urls[1] = NULL;
    if (!(key = read_text(argv[3]))) { fprintf(stderr, "client_app: cannot read %s\n", argv[3]); return 2; }
    keys[0] = key;
    keys[1] = NULL;
    memset(&c, 0, sizeof c);
    memset(&o, 0, sizeof o);
    memset(&s, 0, sizeof s);
    pthread_mutex_init(&s.mu, NULL);
    pthread_cond_init(&s.cv, NULL);
    s.main_thread = pthread_self();
    c.manifest_urls = urls;
    c.pubkeys = keys;
    c.app = "hello";
    c.current = argv[5];
    c.state_dir = argv[4];
    c.user = &s;
    c.on_progress = on_progress;
    c.http.connect_timeout_ms = 5000;
    c.http.io_timeout_ms = 10000;

    if (strcmp(mode, "check-async") == 0 && argc == 7) {
        /* the callback fires on the worker with the release; a second
           check while the first runs is UPD_E_BUSY */
        s.hold = 1;
        r = upd_check_async(&c, on_done);
        check(r == UPD_OK, "check-async-starts", "upd_check_async: %s (%s)", upd_strerror(r), c.error);
        r = upd_check_async(&c, on_done);
        check(r == UPD_E_BUSY, "check-async-second-is-busy", "a second upd_check_async while one runs: %s, want UPD_E_BUSY", upd_strerror(r));
        pthread_mutex_lock(&s.mu);
        s.hold = 0;
        pthread_cond_broadcast(&s.cv);
        pthread_mutex_unlock(&s.mu);
        r = upd_wait(&c);
        check(r == UPD_OK, "check-async-wait-ok", "upd_wait: %s (%s)", upd_strerror(r), c.error);
        check(s.calls == 1, "check-async-callback-once", "the callback ran %d times", s.calls);
        check(s.other_thread == 1, "check-async-callback-on-worker-thread", "the callback ran on the main thread");
        check(s.last == UPD_OK && !strcmp(s.version, argv[6]), "check-async-offers-release",
              "callback got %s, version [%s], want UPD_OK and %s", upd_strerror(s.last), s.version, argv[6]);
        /* after upd_wait the client takes a new task; the manifest is unchanged: 304 */
        s.calls = 0;
        r = upd_check_async(&c, on_done);
        check(r == UPD_OK, "check-async-again-after-wait", "upd_check_async after upd_wait: %s", upd_strerror(r));
        r = upd_wait(&c);
        check(r == UPD_OK && s.calls == 1 && s.last == UPD_OK, "check-async-again-result", "%s, %d calls", upd_strerror(r), s.calls);
        check(c.not_modified == 1 && c.requests == 1, "check-async-again-is-one-304",
              "not_modified %d, requests %u; want 1 and 1", c.not_modified, c.requests);
        r = upd_wait(&c);
        check(r == UPD_OK, "wait-without-worker", "upd_wait with no worker: %s", upd_strerror(r));
    } else if (strcmp(mode, "download-cancel") == 0) {
        char part[4200];
        long long n;
        r = upd_check(&c, &o);
        check(r == UPD_OK, "cancel-check", "upd_check: %s (%s)", upd_strerror(r), c.error);
        if (r != UPD_OK) goto out;
        printf("INFO size %llu\n", (unsigned long long)o.size);
        r = upd_download_async(&c, &o, on_done);
        check(r == UPD_OK, "cancel-download-async-starts", "upd_download_async: %s", upd_strerror(r));
        if (r != UPD_OK) goto out;
        check(wait_for(&s, got_mib, 20), "cancel-download-under-way", "no 1 MiB downloaded within 20 s (progress %llu)",
              (unsigned long long)s.progress);
        t0 = now_s();
        upd_cancel(&c);
        r = upd_wait(&c);
        dt = now_s() - t0;
        printf("INFO cancel-seconds %.3f\n", dt);
        check(r == UPD_E_CANCELED, "cancel-download-result", "upd_wait after upd_cancel: %s (%s), want UPD_E_CANCELED",
              upd_strerror(r), c.error);
        check(dt < 1.0, "cancel-download-within-1s", "upd_wait returned %.3f s after upd_cancel", dt);
        check(s.ok_calls == 0, "cancel-download-no-ready-callback", "the callback reported a ready archive after a cancel");
        snprintf(part, sizeof part, "%s/download.part", argv[4]);
        n = file_size(part);
        printf("INFO part %lld\n", n);
        fflush(stdout);
        check(n > 0 && (unsigned long long)n < o.size, "cancel-download-keeps-part",
              "download.part is %lld bytes (of %llu)", n, (unsigned long long)o.size);
        /* the next call resumes it and verifies */
        r = upd_download(&c, &o);
        check(r == UPD_OK, "resume-after-cancel", "upd_download: %s (%s)", upd_strerror(r), c.error);
        check(c.resumed == 1, "resume-after-cancel-resumed", "c.resumed = %d", c.resumed);
        check(n > 0 && c.downloaded == o.size - (unsigned long long)n, "resume-after-cancel-fetches-the-rest",
              "downloaded %llu bytes, want the %llu after the %lld on disk", (unsigned long long)c.downloaded,
              (unsigned long long)(o.size - (unsigned long long)(n > 0 ? n : 0)), n);
        check(archive_matches(o.archive, o.sha256), "resume-after-cancel-verified", "archive [%s] missing or wrong SHA-256", o.archive);
        check(file_size(part) < 0, "resume-after-cancel-no-part-left", "%s still exists", part);
    } else if (strcmp(mode, "watch") == 0 && argc == 8) {
        unsigned long iv = strtoul(argv[6], NULL, 10);
        r = upd_watch(&c, 999, on_done);
        check(r == UPD_E_ARG, "watch-interval-below-1s-refused", "upd_watch(999 ms): %s", upd_strerror(r));
        t0 = now_s();
        r = upd_watch(&c, iv, on_done);
        check(r == UPD_OK, "watch-starts", "upd_watch: %s (%s)", upd_strerror(r), c.error);
        if (r != UPD_OK) goto out;
        printf("INFO watching\n");
        fflush(stdout);
        check(wait_for(&s, got_ok, 40), "watch-finds-the-update", "no ready archive within 40 s (%d calls, last %s)", s.calls,
              upd_strerror(s.last));
        printf("INFO watch-seconds %.3f\n", now_s() - t0);
        r = upd_wait(&c);
        check(r == UPD_OK, "watch-wait-ok", "upd_wait: %s (%s)", upd_strerror(r), c.error);
        check(s.ok_calls == 1 && s.err_calls == 0, "watch-callback-once", "%d ready calls, %d error calls (%s)", s.ok_calls,
              s.err_calls, s.error);
        check(s.other_thread == s.calls, "watch-callback-on-worker-thread", "a callback ran on the main thread");
        check(!strcmp(s.version, argv[7]), "watch-version", "got [%s], want %s", s.version, argv[7]);
        check(archive_matches(s.archive, s.sha256), "watch-archive-ready", "archive [%s] missing or wrong SHA-256", s.archive);
    } else if (strcmp(mode, "watch-cancel") == 0 && argc == 7) {
        unsigned long iv = strtoul(argv[6], NULL, 10);
        r = upd_watch(&c, iv, on_done);
        check(r == UPD_OK, "watch-cancel-starts", "upd_watch: %s (%s)", upd_strerror(r), c.error);
        if (r != UPD_OK) goto out;
        sleep_ms((long)(iv * 6 / 10)); /* the first check (within iv/10) is done: it sleeps now */
        r = upd_check_async(&c, on_done);
        check(r == UPD_E_BUSY, "watch-then-check-async-busy", "upd_check_async during a watch: %s", upd_strerror(r));
        t0 = now_s();
        upd_cancel(&c);
        r = upd_wait(&c);
        dt = now_s() - t0;
        printf("INFO cancel-seconds %.3f\n", dt);
        check(r == UPD_E_CANCELED, "watch-cancel-result", "upd_wait: %s, want UPD_E_CANCELED", upd_strerror(r));
        check(dt < 0.5, "watch-cancel-prompt", "upd_wait returned %.3f s after upd_cancel", dt);
        check(s.calls == 0, "watch-cancel-no-callback", "the callback ran %d times (last %s)", s.calls, upd_strerror(s.last));
    } else if (strcmp(mode, "confirm") == 0 && argc == 8) {
        upd_engine e;
        char arch[4200];
        int want = atoi(argv[7]);
        memset(&e, 0, sizeof e);
        e.install_dir = argv[4];
        e.exe = "hello";
        e.no_exec = 1;
        r = upd_startup(&e, argc, argv);
        check(r == UPD_OK, "confirm-startup", "upd_startup: %s (%s)", upd_strerror(r), e.error);
        c.state_dir = NULL;
        c.engine = &e;
        c.confirm = on_confirm;
        s.confirm_answer = atoi(argv[6]);
        r = upd_update(&c);
        printf("INFO result %s\n", upd_strerror(r));
        check((int)r == want, "confirm-result", "upd_update: %d %s (%s), want %d", (int)r, upd_strerror(r), c.error, want);
        check(s.confirm_calls == 1, "confirm-asked-once", "confirm() called %d times", s.confirm_calls);
        snprintf(arch, sizeof arch, "%s.update/archive", argv[4]);
        check(s.confirm_calls > 0 && !strcmp(s.archive, arch), "confirm-sees-the-archive", "o->archive [%s], want %s", s.archive, arch);
        if (s.confirm_answer == 0) check(file_size(arch) > 0, "confirm-0-keeps-archive", "%s is gone", arch);
    } else {
        fprintf(stderr, "client_app: unknown mode or wrong arguments: %s\n", mode);
        free(key);
        return 2;
    }
out:
    free(key);
    pthread_mutex_destroy(&s.mu);
    pthread_cond_destroy(&s.cv);
    return failures ? 1 : 0;
}
