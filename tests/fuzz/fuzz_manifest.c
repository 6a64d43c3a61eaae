/* fuzz_manifest.c - libFuzzer target for the manifest parser and the
   release selection (upd_manifest_parse, upd_manifest_free,
   upd_manifest_select, upd_manifest_check_time).

   Input layout: one selector byte, then the manifest text.
     byte 0  bits 0-2  the base URL (BASES[]; 0 = none, some are invalid,
                       one is long so that relative URLs cross UPDATER_MAX_URL)
             bits 3-7  the first parse's allocation number N that fails
                       (0: none), so that every out-of-memory path is taken

   Each input is parsed three times into one struct (upd_manifest_free in
   between): with the base URL and the failing allocation, with the base
   URL again, and without a base URL. All allocations go through a
   counting allocator (UPDATER_MALLOC/REALLOC/FREE with alloc_ctx).
   What must hold (abort() otherwise):
   - results are the documented ones (UPD_OK, UPD_E_MANIFEST,
     UPD_E_VERSION, UPD_E_URL, UPD_E_TOOBIG, UPD_E_NOMEM); allocations
     always get the struct's alloc_ctx;
   - on failure: a message in m->error ("line N: ..." exactly when
     m->error_line is N > 0, N no further than the text's last line), and
     nothing allocated: every other field zero, no block outstanding;
     UPD_E_NOMEM exactly when the injected failure happened (and then
     "out of memory"); otherwise the same result as without it;
   - on success: every release has app ([A-Za-z0-9._+-]+) and version
     pointing into the parsed text, a version that parses again to the
     same fields, a url (absolute and unchanged by resolving it again when
     there is a base URL), size 1..2^63-1, a channel of the app-name
     alphabet, rollout 1..100, critical 0 or 1, from/min versions that
     parse, line numbers rising in file order; no two releases are the
     same (app, version, from); the lines of one app and version agree on
     channel, rollout and min; serial <= 2^63-1; @expires in 1970..9999;
     ntrust, nrevoke <= UPDATER_MAX_MANIFEST_KEYS, no key twice in a list
     or in both; version comparison is antisymmetric, agrees with
     upd_vercmp and is transitive on neighbours;
   - parsing twice gives the same results (a dump of every field compared);
   - with a valid base URL: if the parse with it succeeds, so does the one
     without, with the same releases, and each url/notes with the base is
     what upd_url_resolve(base, url without the base) gives; if the parse
     without fails, so does the one with the base (with the same error,
     unless an URL failed first);
   - upd_manifest_check_time: UPD_E_EXPIRED exactly from the @expires
     second on;
   - upd_manifest_select, for queries made of the apps, versions, from=
     and min= values, channels and rollouts of the manifest and version
     tokens of the input (and bad ones): UPD_E_ARG / UPD_E_VERSION for a
     missing app, a bucket outside 0..99 or a bad current version; else
     the result a plain reading of the documented rules gives (same app,
     channel stable or the query's, bucket < rollout, version > current,
     current >= min, from == current, not skipped): UPD_NO_UPDATE with an
     empty choice if nothing is offered, else the newest version offered,
     its full and incremental releases, critical if any offered one is.
   The limits are made small (configuration macros) so that short inputs
   reach and cross them. The text lives on the heap at its exact size. */
#define UPDATER_MAX_MANIFEST_BYTES 16384u
#define UPDATER_MAX_MANIFEST_LINE 300u
#define UPDATER_MAX_MANIFEST_LINES 64u
#define UPDATER_MAX_MANIFEST_ATTRS 8u
#define UPDATER_MAX_MANIFEST_KEYS 2
#define UPDATER_MAX_URL 200u

#include <stddef.h>
static void *fz_malloc(void *ctx, size_t n);
static void *fz_realloc(void *ctx, void *p, size_t n);
static void fz_free(void *ctx, void *p);
#define UPDATER_MALLOC(ctx, size) fz_malloc((ctx), (size))
#define UPDATER_REALLOC(ctx, ptr, size) fz_realloc((ctx), (ptr), (size))
#define UPDATER_FREE(ctx, ptr) fz_free((ctx), (ptr))
#define UPDATER_IMPLEMENTATION
#include "../../updater.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, what)                                                      \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "fuzz_manifest: %s (%s:%d: %s)\n", what, __FILE__, __LINE__, #cond); \
            abort();                                                           \
        }                                                                      \
    } while (0)

/* ---- the counting allocator ---- */
static int the_ctx;          /* its address is the alloc_ctx */
static long live;            /* blocks outstanding */
static unsigned long calls;  /* allocations asked for since reset */
static unsigned long fail_at; /* this allocation fails (0: none) */
static int failed;           /* ... and it did */

static void *fz_malloc(void *ctx, size_t n)
{
    void *p;
    CHECK(ctx == &the_ctx, "an allocation without the manifest's alloc_ctx");
    CHECK(n > 0, "a zero-size allocation");
    if (++calls == fail_at) { failed = 1; return NULL; }
    p = malloc(n);
    CHECK(p != NULL, "out of memory");
    live++;
    return p;
}

static void *fz_realloc(void *ctx, void *p, size_t n)
{
    void *q;
    CHECK(ctx == &the_ctx, "a reallocation without the manifest's alloc_ctx");
    CHECK(n > 0, "a zero-size reallocation");
    if (++calls == fail_at) { failed = 1; return NULL; }
    q = realloc(p, n);
    CHECK(q != NULL, "out of memory");
    if (!p) live++;
    return q;
}

static void fz_free(void *ctx, void *p)
{
    CHECK(ctx == &the_ctx, "a free without the manifest's alloc_ctx");
    if (!p) return;
    CHECK(live > 0, "more blocks freed than allocated");
    live--;
    free(p);
}

static const char LONG_BASE[] =
    "http://example.org/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/versions";
static const char *const BASES[8] = {
    NULL,
    "http://example.org/repo/versions",
    "https://U.Example.com:8443/a/b/./c/../versions?x=1#frag",
    "http://[::1]/v",
    "file:///srv/repo/versions", /* invalid: not http(s) */
    "versions",                  /* invalid: relative */
    LONG_BASE,                   /* 185 bytes: relative URLs overflow 200 */
    "HTTP://example.org",
};

/* ---- a dump of every field, to compare two parses ---- */
typedef struct { char *p; size_t n, cap; } sbuf;

static void put(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    int k;
    for (;;) {
        va_start(ap, fmt);
        k = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        CHECK(k >= 0, "vsnprintf failed");
        if (b->p && (size_t)k < b->cap - b->n) { b->n += (size_t)k; return; }
        b->cap = b->cap * 2 + (size_t)k + 256;
        b->p = (char *)realloc(b->p, b->cap);
        CHECK(b->p != NULL, "out of memory");
    }
}

static const char *nz(const char *s) { return s ? s : "(null)"; }

static void dump_ver(sbuf *b, const upd_version *v)
{
    put(b, "[%llu.%llu.%llu pre=%.*s build=%.*s]", (unsigned long long)v->major, (unsigned long long)v->minor,
        (unsigned long long)v->patch, (int)v->pre_len, v->pre ? v->pre : "", (int)v->build_len, v->build ? v->build : "");
}

/* with_urls 0: leave url and notes out (they differ with the base URL) */
static void dump(sbuf *b, upd_result r, const upd_manifest *m, int with_urls)
{
    size_t i;
    b->n = 0;
    put(b, "r=%d line=%u error=%s\n", (int)r, m->error_line, r == UPD_OK ? "" : m->error);
    if (r != UPD_OK) return;
    put(b, "serial=%llu expires=%d,%lld ntrust=%zu nrevoke=%zu count=%zu\n", (unsigned long long)m->serial,
        m->has_expires, (long long)m->expires, m->ntrust, m->nrevoke, m->count);
    for (i = 0; i < m->ntrust; i++) {
        char k[256];
        upd_pubkey_format(&m->trust[i], k, sizeof k);
        put(b, "trust %s", k);
    }
    for (i = 0; i < m->nrevoke; i++) {
        char k[256];
        upd_pubkey_format(&m->revoke[i], k, sizeof k);
        put(b, "revoke %s", k);
    }
    for (i = 0; i < m->count; i++) {
        const upd_release *x = &m->releases[i];
        char hex[65];
        upd_hex_encode(x->sha256, 32, hex);
        put(b, "%s %s ", x->app, x->version);
        dump_ver(b, &x->ver);
        put(b, " size=%llu sha=%s channel=%s from=%s", (unsigned long long)x->size, hex, x->channel, nz(x->from));
        if (x->from) dump_ver(b, &x->from_ver);
        put(b, " min=%s", nz(x->min));
        if (x->min) dump_ver(b, &x->min_ver);
        put(b, " rollout=%d critical=%d line=%u", x->rollout, x->critical, x->line);
        if (with_urls) put(b, " url=%s notes=%s", nz(x->url), nz(x->notes));
        put(b, "\n");
    }
}

/* ---- checks ---- */
static int name_ok(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (!upd__isalnum((unsigned char)*s) && !strchr("._+-", *s)) return 0;
    return 1;
}

static void same_version(const char *s, const upd_version *v, const char *what)
{
    upd_version w;
    CHECK(s != NULL, what);
    CHECK(upd_version_parse(s, &w, NULL) == UPD_OK, what);
    CHECK(w.major == v->major && w.minor == v->minor && w.patch == v->patch && w.pre_len == v->pre_len &&
          w.build_len == v->build_len && (v->pre_len == 0 || memcmp(w.pre, v->pre, v->pre_len) == 0) &&
          (v->build_len == 0 || memcmp(w.build, v->build, v->build_len) == 0), what);
    CHECK(upd_version_compare(&w, v) == 0 && upd_version_compare(v, &w) == 0, what);
}

static int in_text(const upd_manifest *m, size_t len, const char *p)
{
    return p >= m->_text && p <= m->_text + len;
}

static unsigned count_lines(const uint8_t *t, size_t len)
{
    unsigned n = 0;
    size_t i, start = 0;
    if (len >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0) start = 3;
    for (i = start; i < len; i++)
        if (t[i] == '\n') n++;
    if (len > start && t[len - 1] != '\n') n++;
    return n;
}

/* live: the blocks outstanding before the parse */
static void check_failure(const upd_manifest *m, upd_result r, unsigned nlines, long before)
{
    upd_manifest z, c = *m;
    char pre[32];
    CHECK(r == UPD_E_MANIFEST || r == UPD_E_VERSION || r == UPD_E_URL || r == UPD_E_TOOBIG || r == UPD_E_NOMEM,
          "upd_manifest_parse: a result outside the documented set");
    CHECK(memchr(m->error, 0, sizeof m->error) != NULL && m->error[0] != 0, "a failure without a message");
    CHECK(m->error_line <= nlines, "the error's line is past the text's end");
    snprintf(pre, sizeof pre, "line %u: ", m->error_line);
    CHECK((m->error_line > 0) == (strncmp(m->error, pre, strlen(pre)) == 0), "error_line and the message's \"line N:\" disagree");
    CHECK(live == before, "a failed parse left memory allocated");
    CHECK(m->alloc_ctx == &the_ctx, "alloc_ctx not kept");
    memset(&z, 0, sizeof z);
    memset(c.error, 0, sizeof c.error);
    c.error_line = 0;
    c.alloc_ctx = NULL;
    CHECK(memcmp(&c, &z, sizeof z) == 0, "a failed parse left fields set");
}

static void check_success(const upd_manifest *m, size_t len, const char *base, unsigned nlines)
{
    size_t i, j;
    CHECK(m->serial <= (uint64_t)INT64_MAX, "serial over 2^63-1");
    CHECK(m->has_expires == 0 || m->has_expires == 1, "has_expires not 0 or 1");
    if (m->has_expires) CHECK(m->expires >= 0 && m->expires <= 253402300799, "@expires outside 1970..9999");
    else CHECK(m->expires == 0, "expires set without @expires");
    CHECK(m->ntrust <= UPDATER_MAX_MANIFEST_KEYS && m->nrevoke <= UPDATER_MAX_MANIFEST_KEYS, "too many keys");
    for (i = 0; i < m->ntrust; i++) {
        for (j = 0; j < m->nrevoke; j++)
            CHECK(memcmp(&m->trust[i], &m->revoke[j], sizeof m->trust[i]) != 0, "a key both trusted and revoked");
        for (j = i + 1; j < m->ntrust; j++)
            CHECK(memcmp(&m->trust[i], &m->trust[j], sizeof m->trust[i]) != 0, "a trusted key twice");
    }
    for (i = 0; i < m->nrevoke; i++)
        for (j = i + 1; j < m->nrevoke; j++)
            CHECK(memcmp(&m->revoke[i], &m->revoke[j], sizeof m->revoke[i]) != 0, "a revoked key twice");
    CHECK(m->count <= nlines, "more releases than lines");
    CHECK(m->count == 0 || m->releases != NULL, "releases NULL");
    for (i = 0; i < m->count; i++) {
        const upd_release *r = &m->releases[i];
        CHECK(r->app && r->version && r->url && r->channel, "a release without app, version, url or channel");
        CHECK(in_text(m, len, r->app) && in_text(m, len, r->version), "app or version not in the parsed text");
        CHECK(name_ok(r->app), "a bad program name accepted");
        CHECK(name_ok(r->channel), "a bad channel accepted");
        same_version(r->version, &r->ver, "a release's version does not parse back to the same fields");
        if (r->from) same_version(r->from, &r->from_ver, "a from= version does not parse back to the same fields");
        if (r->min) same_version(r->min, &r->min_ver, "a min= version does not parse back to the same fields");
        CHECK(r->size >= 1 && r->size <= (uint64_t)INT64_MAX, "size outside 1..2^63-1");
        CHECK(r->rollout >= 1 && r->rollout <= 100, "rollout outside 1..100");
        CHECK(r->critical == 0 || r->critical == 1, "critical not 0 or 1");
        CHECK(r->line >= 1 && r->line <= nlines, "a release's line is outside the text");
        if (i > 0) CHECK(r->line > m->releases[i - 1].line, "releases not in file order");
        CHECK(r->url[0] != 0 && strlen(r->url) <= UPDATER_MAX_MANIFEST_LINE, "an empty or over-long url");
        if (base) {
            char again[UPDATER_MAX_URL + 1];
            CHECK(strlen(r->url) <= UPDATER_MAX_URL, "a resolved url over UPDATER_MAX_URL");
            CHECK(upd_url_resolve(NULL, r->url, again, sizeof again, NULL) == UPD_OK && strcmp(again, r->url) == 0,
                  "a resolved url is not absolute or changes when resolved again");
            if (r->notes)
                CHECK(upd_url_resolve(NULL, r->notes, again, sizeof again, NULL) == UPD_OK && strcmp(again, r->notes) == 0,
                      "a resolved notes url is not absolute or changes when resolved again");
        }
        for (j = 0; j < i; j++) {
            const upd_release *o = &m->releases[j];
            int c = upd_version_compare(&r->ver, &o->ver), c2 = upd_version_compare(&o->ver, &r->ver), c3 = 2;
            CHECK(c >= -1 && c <= 1 && c == -c2, "version comparison not antisymmetric");
            CHECK(upd_vercmp(r->version, o->version, &c3) == UPD_OK && c3 == c, "upd_vercmp disagrees with upd_version_compare");
            if (strcmp(r->app, o->app) != 0 || c != 0) continue;
            /* one app and version: one release */
            CHECK(strcmp(r->channel, o->channel) == 0, "lines of one release disagree on channel");
            CHECK(r->rollout == o->rollout, "lines of one release disagree on rollout");
            CHECK((r->min == NULL) == (o->min == NULL) && (!r->min || upd_version_compare(&r->min_ver, &o->min_ver) == 0),
                  "lines of one release disagree on min");
            CHECK((r->from == NULL) != (o->from == NULL) || (r->from && upd_version_compare(&r->from_ver, &o->from_ver) != 0),
                  "a duplicate release accepted");
        }
        if (i >= 2) { /* transitivity on neighbours */
            const upd_version *a = &m->releases[i - 2].ver, *b = &m->releases[i - 1].ver, *c = &r->ver;
            int ab = upd_version_compare(a, b), bc = upd_version_compare(b, c), ac = upd_version_compare(a, c);
            if (ab <= 0 && bc <= 0) CHECK(ac <= 0 && (ac < 0 || (ab == 0 && bc == 0)), "version comparison not transitive");
            if (ab >= 0 && bc >= 0) CHECK(ac >= 0 && (ac > 0 || (ab == 0 && bc == 0)), "version comparison not transitive");
        }
    }
    /* check_time */
    if (m->has_expires) {
        CHECK(upd_manifest_check_time(m, m->expires - 1) == UPD_OK, "expired before @expires");
        CHECK(upd_manifest_check_time(m, m->expires) == UPD_E_EXPIRED, "not expired at @expires");
        CHECK(upd_manifest_check_time(m, INT64_MAX) == UPD_E_EXPIRED, "not expired at the end of time");
        CHECK(upd_manifest_check_time(m, INT64_MIN) == UPD_OK, "expired at the start of time");
    } else {
        CHECK(upd_manifest_check_time(m, INT64_MAX) == UPD_OK && upd_manifest_check_time(m, INT64_MIN) == UPD_OK &&
              upd_manifest_check_time(m, 0) == UPD_OK, "expired without @expires");
    }
}

/* ---- selection ---- */
typedef struct { const char *skip; unsigned calls; } skipper;

static int skip_fn(void *user, const char *version)
{
    skipper *s = (skipper *)user;
    s->calls++;
    return strcmp(version, s->skip) == 0;
}

static void check_select(const upd_manifest *m, const upd_query *q)
{
    upd_choice c;
    upd_version cur;
    upd_result r;
    const upd_release *best = NULL, *full = NULL, *delta = NULL;
    const char *chan = q->channel && *q->channel ? q->channel : "stable";
    int critical = 0;
    size_t i;
    memset(&c, 0xA5, sizeof c);
    r = upd_manifest_select(m, q, &c);
    if (!q->app || q->bucket < 0 || q->bucket > 99) {
        CHECK(r == UPD_E_ARG, "a missing app or a bucket out of range is not UPD_E_ARG");
        return;
    }
    if (upd_version_parse(q->current, &cur, NULL) != UPD_OK) {
        CHECK(r == UPD_E_VERSION, "a bad current version is not UPD_E_VERSION");
        return;
    }
    for (i = 0; i < m->count; i++) {
        const upd_release *x = &m->releases[i];
        if (strcmp(x->app, q->app) != 0) continue;
        if (strcmp(x->channel, "stable") != 0 && strcmp(x->channel, chan) != 0) continue;
        if (!(q->bucket < x->rollout)) continue;
        if (!(upd_version_compare(&x->ver, &cur) > 0)) continue;
        if (x->min && upd_version_compare(&cur, &x->min_ver) < 0) continue;
        if (x->from && upd_version_compare(&x->from_ver, &cur) != 0) continue;
        if (q->skip && strcmp(x->version, ((skipper *)q->skip_user)->skip) == 0) continue;
        if (x->critical) critical = 1;
        if (!best || upd_version_compare(&x->ver, &best->ver) > 0) best = x;
    }
    if (!best) {
        CHECK(r == UPD_NO_UPDATE, "UPD_NO_UPDATE expected");
        CHECK(c.full == NULL && c.delta == NULL && c.version == NULL && c.critical == 0, "a choice with UPD_NO_UPDATE");
        return;
    }
    for (i = 0; i < m->count; i++) { /* the offered releases of that version */
        const upd_release *x = &m->releases[i];
        if (strcmp(x->app, q->app) != 0 || upd_version_compare(&x->ver, &best->ver) != 0) continue;
        if (strcmp(x->channel, "stable") != 0 && strcmp(x->channel, chan) != 0) continue;
        if (!(q->bucket < x->rollout)) continue;
        if (x->min && upd_version_compare(&cur, &x->min_ver) < 0) continue;
        if (x->from && upd_version_compare(&x->from_ver, &cur) != 0) continue;
        if (q->skip && strcmp(x->version, ((skipper *)q->skip_user)->skip) == 0) continue;
        if (x->from) { CHECK(delta == NULL, "two incremental releases offered for one version"); delta = x; }
        else { CHECK(full == NULL, "two full releases offered for one version"); full = x; }
    }
    CHECK(r == UPD_OK, "UPD_OK expected");
    CHECK(c.full == full && c.delta == delta, "not the offered full and incremental releases of the newest version");
    CHECK(c.full || c.delta, "UPD_OK without a release");
    CHECK(c.critical == critical, "critical is not whether any offered release is critical");
    CHECK(c.version != NULL, "no version chosen");
    {
        upd_version v;
        CHECK(upd_version_parse(c.version, &v, NULL) == UPD_OK && upd_version_compare(&v, &best->ver) == 0,
              "the chosen version is not the newest offered");
        CHECK(upd_version_compare(&v, &cur) > 0, "the chosen version is not newer than the current one");
    }
    /* the documented rules, once more, on what was chosen */
    for (i = 0; i < 2; i++) {
        const upd_release *x = i ? c.delta : c.full;
        if (!x) continue;
        CHECK(x >= m->releases && x < m->releases + m->count, "a chosen release outside the manifest");
        CHECK(strcmp(x->app, q->app) == 0, "a release of another app chosen");
        CHECK(q->bucket < x->rollout, "a release outside the rollout chosen");
        CHECK(!x->min || upd_version_compare(&cur, &x->min_ver) >= 0, "a release whose min is above the current version chosen");
        CHECK(strcmp(x->channel, "stable") == 0 || strcmp(x->channel, chan) == 0, "a release of another channel chosen");
        CHECK(i == 0 ? x->from == NULL : (x->from && upd_version_compare(&x->from_ver, &cur) == 0),
              "delta->from is not the current version (or full has a from)");
    }
}

/* versions for the queries: of the releases, and version-like tokens of
   the text */
#define POOL 48
static void run_selects(const upd_manifest *m, const char *text, size_t len, unsigned sel)
{
    const char *pool[POOL];
    char toks[16][64];
    const char *chans[8];
    size_t np = 0, nt = 0, nc = 0, i;
    uint32_t h = 2166136261u ^ sel;
    pool[np++] = "0.0.0";
    pool[np++] = "0.0.0-0";
    pool[np++] = "18446744073709551615.18446744073709551615.18446744073709551615";
    pool[np++] = "1.0";
    pool[np++] = "not a version";
    for (i = 0; i < m->count && np + 3 <= POOL - 16; i++) {
        pool[np++] = m->releases[i].version;
        if (m->releases[i].from) pool[np++] = m->releases[i].from;
        if (m->releases[i].min) pool[np++] = m->releases[i].min;
    }
    for (i = 0; i < len && nt < 16;) { /* tokens split at space, tab, line ends and '=' */
        size_t j = i, k;
        while (j < len && !strchr(" \t\r\n=", text[j]) && text[j]) j++;
        k = j - i;
        if (k > 0 && k < sizeof toks[0]) {
            memcpy(toks[nt], text + i, k);
            toks[nt][k] = 0;
            {
                upd_version v;
                if (upd_version_parse(toks[nt], &v, NULL) == UPD_OK) pool[np++] = toks[nt++];
            }
        }
        i = j + 1;
    }
    chans[nc++] = NULL;
    chans[nc++] = "";
    chans[nc++] = "beta";
    for (i = 0; i < m->count && nc < 8; i++)
        if (strcmp(m->releases[i].channel, "stable") != 0) chans[nc++] = m->releases[i].channel;
    for (i = 0; i < 24; i++) {
        upd_query q;
        skipper sk;
        const upd_release *x = m->count ? &m->releases[(h >> 4) % m->count] : NULL;
        h = (h ^ (uint32_t)i) * 16777619u;
        h ^= h >> 13;
        memset(&q, 0, sizeof q);
        q.app = x ? x->app : "hello";
        if (i == 0) q.app = NULL;
        else if (i == 1) q.app = "nosuch";
        q.current = pool[(h >> 3) % np];
        q.channel = chans[(h >> 9) % nc];
        switch ((h >> 12) % 5) {
        case 0: q.bucket = 0; break;
        case 1: q.bucket = 99; break;
        case 2: q.bucket = x ? x->rollout - 1 : 50; break;
        case 3: q.bucket = x ? x->rollout : 50; break;
        default: q.bucket = (int)((h >> 16) % 100); break;
        }
        if (i == 2) q.bucket = (h & 1) ? -1 : 100;
        if ((h >> 20) & 1) {
            sk.skip = pool[(h >> 21) % np];
            sk.calls = 0;
            q.skip = skip_fn;
            q.skip_user = &sk;
        }
        check_select(m, &q);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    upd_manifest *m;
    const char *base;
    char *text;
    unsigned sel, nlines;
    upd_result r1, r2, r3;
    int base_ok;
    static sbuf d1, d2, d3;
    if (size < 1) return 0;
    sel = data[0];
    data++;
    size--;
    base = BASES[sel & 7u];
    base_ok = base && upd_url_resolve(NULL, base, (char[UPDATER_MAX_URL + 1]){0}, UPDATER_MAX_URL + 1, NULL) == UPD_OK;
    nlines = count_lines(data, size);
    text = (char *)malloc(size ? size : 1);
    CHECK(text != NULL, "out of memory");
    if (size) memcpy(text, data, size);
    m = (upd_manifest *)malloc(sizeof *m);
    CHECK(m != NULL, "out of memory");
    memset(m, 0, sizeof *m);
    m->alloc_ctx = &the_ctx;
    live = 0;

    /* 1: with an allocation failing */
    calls = 0;
    failed = 0;
    fail_at = sel >> 3;
    r1 = upd_manifest_parse(m, text, size, base);
    fail_at = 0;
    CHECK(m->alloc_ctx == &the_ctx, "alloc_ctx not kept");
    CHECK((r1 == UPD_E_NOMEM) == (failed != 0), "UPD_E_NOMEM is not exactly the failed allocation");
    if (r1 != UPD_OK) check_failure(m, r1, nlines, 0);
    if (failed) CHECK(strstr(m->error, "out of memory") != NULL, "UPD_E_NOMEM without \"out of memory\"");
    if (base && !base_ok) CHECK(r1 == UPD_E_URL || failed, "a bad base URL accepted");
    dump(&d1, r1, m, 1);
    upd_manifest_free(m);
    CHECK(live == 0, "upd_manifest_free did not free everything");

    /* 2: the same again, into the same struct */
    r2 = upd_manifest_parse(m, text, size, base);
    CHECK(m->alloc_ctx == &the_ctx, "alloc_ctx not kept");
    CHECK(r2 != UPD_E_NOMEM, "UPD_E_NOMEM without a failed allocation");
    if (r2 != UPD_OK) check_failure(m, r2, nlines, 0);
    else check_success(m, size, base, nlines);
    dump(&d2, r2, m, 1);
    if (!failed) CHECK(d1.n == d2.n && memcmp(d1.p, d2.p, d1.n) == 0, "two parses of one text differ");
    if (r2 == UPD_OK) run_selects(m, text, size, sel);

    /* 3: without the base URL */
    if (base_ok) {
        upd_manifest m3;
        long before = live;
        memset(&m3, 0, sizeof m3);
        m3.alloc_ctx = &the_ctx;
        r3 = upd_manifest_parse(&m3, text, size, NULL);
        if (r3 != UPD_OK) check_failure(&m3, r3, nlines, before);
        else check_success(&m3, size, NULL, nlines);
        if (r2 == UPD_OK) {
            size_t i;
            CHECK(r3 == UPD_OK, "parses with a base URL, not without");
            dump(&d2, r2, m, 0);
            dump(&d3, r3, &m3, 0);
            CHECK(d2.n == d3.n && memcmp(d2.p, d3.p, d2.n) == 0, "with and without a base URL, the releases differ");
            for (i = 0; i < m->count; i++) {
                char u[UPDATER_MAX_URL + 1];
                CHECK(upd_url_resolve(base, m3.releases[i].url, u, sizeof u, NULL) == UPD_OK &&
                      strcmp(u, m->releases[i].url) == 0, "a url is not its reference resolved against the base");
                CHECK((m->releases[i].notes == NULL) == (m3.releases[i].notes == NULL), "notes with and without a base URL");
                if (m3.releases[i].notes)
                    CHECK(upd_url_resolve(base, m3.releases[i].notes, u, sizeof u, NULL) == UPD_OK &&
                          strcmp(u, m->releases[i].notes) == 0, "a notes url is not its reference resolved against the base");
            }
        }
        if (r3 != UPD_OK) {
            CHECK(r2 != UPD_OK, "parses without a base URL, not with it");
            dump(&d2, r2, m, 0);
            dump(&d3, r3, &m3, 0);
            CHECK((d2.n == d3.n && memcmp(d2.p, d3.p, d2.n) == 0) || r2 == UPD_E_URL || r2 == UPD_E_TOOBIG,
                  "with a base URL, another error than without");
        }
        upd_manifest_free(&m3);
        CHECK(live == before, "upd_manifest_free did not free everything");
    }
    upd_manifest_free(m);
    CHECK(live == 0, "upd_manifest_free did not free everything");
    free(m);
    free(text);
    return 0;
}
