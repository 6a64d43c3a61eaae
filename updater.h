/* updater.h - a program that updates itself: signed manifest, verified
   download, safe extraction, atomic swap with automatic rollback.

   version 0.1.0 - license: MIT, see the end of this file.

   Do this:
       #define UPDATER_IMPLEMENTATION
   before you include this file in *one* C or C++ file to create the
   implementation. Every other file includes it without the define.

   That translation unit must include updater.h before any system header, or
   define _POSIX_C_SOURCE 200809L (or _GNU_SOURCE) itself.

QUICK START (what exists in this version)

       #define UPDATER_IMPLEMENTATION
       #include "updater.h"

       upd_manifest m = {0};
       upd_query q = {0};
       upd_choice c;
       if (upd_manifest_parse(&m, text, len, "https://example.org/hello/versions") != UPD_OK)
           fprintf(stderr, "%s\n", m.error);          // "line 7: duplicate key 'size'"
       q.app = "hello"; q.current = "1.4.0"; q.bucket = upd_rollout_bucket(install_id);
       if (upd_manifest_select(&m, &q, &c) == UPD_OK)
           printf("update to %s from %s\n", c.full->version, c.full->url);
       upd_manifest_free(&m);

CONTENTS
   1. Configuration macros
   2. Results and errors         upd_result, upd_strerror()
   3. Versions                   upd_version_parse(), upd_version_compare(), upd_vercmp()
   4. SHA-256                    upd_sha256_init/update/final(), upd_sha256_file()
   5. URLs                       upd_url_resolve()
   6. Manifest                   upd_manifest_parse(), upd_manifest_select(), ...
   Implementation sections follow the same order (grep for ">>").

SECURITY MODEL
   A manifest is only trusted once its signature verifies; the parser is the
   only code that sees manifest bytes, and it is strict: anything malformed is
   an error with a line number, never a guess (duplicate keys, bad hex, a
   missing size, numbers that do not fit 63 bits, control bytes, over-long
   lines). Every input is bounded by a limit macro (section 1) checked before
   any allocation. URLs may only be http or https, never carry credentials,
   and relative URLs are resolved against the manifest URL (RFC 3986 5.2).
   Versions compare by SemVer 2.0.0 precedence, never as floating point.
   Release selection never offers a version that is not newer than the
   installed one, nor one for another program, channel, rollout bucket or
   base version. Archives are identified by size and SHA-256 from the signed
   manifest; nothing from an archive is used before both match.

STATUS
   Works: versions, SHA-256, URL resolution, the manifest parser and release
   selection, the `upd` tool's vercmp, sha256 and manifest subcommands.
   Not yet: signatures, HTTP, gzip/tar, install/swap/rollback (see README).
*/

/* ======================================================================== */
/*   DECLARATIONS                                                            */
/* ======================================================================== */
/* The implementation needs POSIX.1-2008; this must come before the first
   system header of the translation unit (see the top of this file). */
#if defined(UPDATER_IMPLEMENTATION) && !defined(_POSIX_C_SOURCE) && \
    !defined(_GNU_SOURCE) && !defined(_XOPEN_SOURCE) && !defined(_DEFAULT_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#ifndef UPDATER_H_INCLUDED
#define UPDATER_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#define UPDATER_VERSION_MAJOR 0
#define UPDATER_VERSION_MINOR 1
#define UPDATER_VERSION_PATCH 0
#define UPDATER_VERSION_STRING "0.1.0"

/* 1. Configuration macros ------------------------------------------------
   Global (define the same way in every file that includes updater.h):
     UPDATER_STATIC        make every function static (private to one file)
   Implementation only (define before the UPDATER_IMPLEMENTATION include):
     UPDATER_ASSERT(x)                 default assert(x); for API misuse only
     UPDATER_MALLOC(ctx, size)         } override all three or none; ctx is
     UPDATER_REALLOC(ctx, ptr, size)   } the alloc_ctx field of the object
     UPDATER_FREE(ctx, ptr)            } that allocates (NULL by default)
     UPDATER_MAX_MANIFEST_BYTES   1 MiB  whole manifest; a real one is KiBs
     UPDATER_MAX_MANIFEST_LINE    4096   bytes per line, without the EOL
     UPDATER_MAX_MANIFEST_LINES   20000  lines per manifest
     UPDATER_MAX_MANIFEST_ATTRS   32     key=value attributes per line
     UPDATER_MAX_URL              4096   bytes of a resolved URL
*/
#ifndef UPDDEF
#if defined(UPDATER_STATIC) && (defined(__GNUC__) || defined(__clang__))
#define UPDDEF static __attribute__((unused))
#elif defined(UPDATER_STATIC)
#define UPDDEF static
#else
#define UPDDEF extern
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* 2. Results and errors ----------------------------------------------------
   One list generates the enum and the strings. 0 is success, positive values
   are non-error statuses, negative values are errors, grouped by module. */
#define UPD_RESULT_LIST(X)                                                     \
    X(UPD_OK,           0,   "success")                                        \
    X(UPD_NO_UPDATE,    3,   "no newer release is available")                  \
    X(UPD_E_ARG,       -1,   "invalid argument")                               \
    X(UPD_E_NOMEM,     -2,   "out of memory")                                  \
    X(UPD_E_IO,        -3,   "input/output error")                             \
    X(UPD_E_TOOBIG,    -4,   "input exceeds a configured size limit")          \
    X(UPD_E_VERSION,   -20,  "invalid version string")                         \
    X(UPD_E_MANIFEST,  -21,  "malformed manifest")                             \
    X(UPD_E_URL,       -22,  "invalid or disallowed URL")                      \
    X(UPD_E_EXPIRED,   -23,  "manifest has expired")

typedef enum upd_result {
#define UPD__ENUM_ITEM(name, value, text) name = value,
    UPD_RESULT_LIST(UPD__ENUM_ITEM)
#undef UPD__ENUM_ITEM
    UPD__RESULT_FORCE_INT = 0x7fffffff
} upd_result;

/* A fixed English description of r ("unknown result" for values not in the
   list). Never NULL; the string is static. */
UPDDEF const char *upd_strerror(upd_result r);

/* "0.1.0": the version of this header, same as UPDATER_VERSION_STRING. */
UPDDEF const char *upd_version_string(void);

/* 3. Versions ---------------------------------------------------------------
   Semantic Versioning 2.0.0 (semver.org), with two tolerances: a leading 'v'
   or 'V', and a missing minor or patch number ("1.5" is "1.5.0", "2" is
   "2.0.0", "1.5-rc.1" is "1.5.0-rc.1"). Everything else the spec forbids is
   an error: leading zeros ("1.02.0", "1.0.0-01"), empty identifiers ("1..0",
   "1.0.0-", "1.0.0-a..b"), characters outside [0-9A-Za-z-] in identifiers,
   four numbers, whitespace. Major/minor/patch must fit in 64 bits (larger is
   an error, never a wrap-around); numeric pre-release identifiers of any
   length compare numerically. Build metadata is parsed and ignored. */
typedef struct upd_version {
    uint64_t major, minor, patch;
    const char *pre;      /* pre-release after '-', or NULL; not terminated  */
    size_t pre_len;
    const char *build;    /* build metadata after '+', or NULL                */
    size_t build_len;
} upd_version;

/* Parses the NUL-terminated string s into *v (v's pointers point into s).
   Returns UPD_OK or UPD_E_VERSION; then *why (if why is not NULL) is set to
   a static English reason such as "leading zero in a numeric identifier". */
UPDDEF upd_result upd_version_parse(const char *s, upd_version *v, const char **why);

/* SemVer precedence of two parsed versions: -1 if a < b, 0 if equal
   (build metadata ignored), 1 if a > b. */
UPDDEF int upd_version_compare(const upd_version *a, const upd_version *b);

/* Parses and compares two version strings. On UPD_OK, *cmp is -1, 0 or 1.
   UPD_E_VERSION if either string is not a valid version (*cmp untouched). */
UPDDEF upd_result upd_vercmp(const char *a, const char *b, int *cmp);

/* 4. SHA-256 (FIPS 180-4) ----------------------------------------------------
   Streaming: init, any number of updates of any size, final. The struct is
   plain data (104 bytes on LP64), caller-owned, no allocation. */
typedef struct upd_sha256_ctx {
    uint32_t _h[8];
    uint64_t _bytes;      /* total bytes hashed so far */
    uint8_t  _buf[64];
} upd_sha256_ctx;

UPDDEF void upd_sha256_init(upd_sha256_ctx *c);
UPDDEF void upd_sha256_update(upd_sha256_ctx *c, const void *data, size_t len);
/* Writes the 32-byte digest; c must be initialised again before reuse. */
UPDDEF void upd_sha256_final(upd_sha256_ctx *c, uint8_t digest[32]);
/* One-shot digest of a buffer. */
UPDDEF void upd_sha256(const void *data, size_t len, uint8_t digest[32]);
/* Digest of a file's contents, read in 16 KiB pieces. UPD_E_IO if it cannot
   be opened or read (errno is left set), UPD_E_ARG if it is a directory. */
UPDDEF upd_result upd_sha256_file(const char *path, uint8_t digest[32]);

/* Writes 2*len lowercase hex digits and a NUL to out (2*len+1 bytes). */
UPDDEF void upd_hex_encode(const uint8_t *data, size_t len, char *out);
/* Decodes exactly 2*len hex digits (either case) from hex, which must be
   exactly that long. UPD_OK, or UPD_E_ARG on a wrong length or non-hex. */
UPDDEF upd_result upd_hex_decode(const char *hex, uint8_t *out, size_t len);

/* 5. URLs ---------------------------------------------------------------------
   Resolves reference ref against the absolute URL base (RFC 3986 section 5.2,
   "strict"), writing a NUL-terminated absolute URL to out (cap bytes).
   Both must be built from RFC 3986 characters (no spaces, controls, '\',
   non-ASCII; '%' only before two hex digits). The result's scheme must be
   http or https (written lowercase), its authority a host (reg-name, IPv4 or
   [IPv6]) with an optional port 1-65535 and no userinfo; an empty path
   becomes "/", dot segments are removed, and any #fragment is dropped.
   base may be NULL when ref is absolute.
   Returns UPD_OK, UPD_E_URL (with *why, if not NULL, set to a static reason)
   or UPD_E_TOOBIG if the result does not fit in cap or UPDATER_MAX_URL. */
UPDDEF upd_result upd_url_resolve(const char *base, const char *ref,
                                  char *out, size_t cap, const char **why);

/* 6. Manifest ------------------------------------------------------------------
   The `versions` text format (docs/manifest.md): '#' comments, '@serial N'
   (required), '@expires YYYY-MM-DDTHH:MM:SSZ', and release lines
       app version key=value...
   with required url, size, sha256 and optional from, channel, rollout, min,
   notes, critical. Unknown keys and '@' directives are ignored. */
typedef struct upd_release {
    const char *app;         /* program name: [A-Za-z0-9._+-]+              */
    const char *version;     /* version as written                          */
    upd_version ver;         /* ... parsed                                  */
    const char *url;         /* absolute (resolved) URL of the archive;
                                as written if the manifest had no base URL  */
    uint64_t size;           /* archive size in bytes, >= 1                 */
    uint8_t sha256[32];      /* archive digest                              */
    const char *channel;     /* "stable" unless given                       */
    const char *from;        /* incremental: applies only on top of this
                                installed version; NULL for a full release  */
    upd_version from_ver;
    const char *min;         /* lowest installed version allowed, or NULL   */
    upd_version min_ver;
    const char *notes;       /* release notes URL (resolved), or NULL       */
    int rollout;             /* 1..100 percent of installations; 100 default.
                                channel, rollout and min given on one line of
                                an app and version apply to all its lines
                                (full and incremental); two lines giving
                                different values are an error              */
    int critical;            /* 0 or 1                                      */
    unsigned line;           /* line number in the manifest                 */
} upd_release;

typedef struct upd_manifest {
    uint64_t serial;         /* @serial, 0..2^63-1                          */
    int has_expires;         /* 1 if @expires was given ...                 */
    int64_t expires;         /* ... as seconds since 1970-01-01T00:00:00Z   */
    upd_release *releases;   /* in file order                               */
    size_t count;
    unsigned error_line;     /* after a failed parse: 1-based line, or 0    */
    char error[192];         /* after a failed parse: "line N: reason", or
                                just the reason when no line is to blame    */
    void *alloc_ctx;         /* passed to UPDATER_MALLOC/FREE; set it before
                                parsing if your allocator macros use it     */
    char *_text;             /* private: the parsed copy of the text        */
    size_t _cap;
} upd_manifest;

/* Parses len bytes of manifest text into *m. base_url is the URL the
   manifest was fetched from (relative release URLs resolve against it), or
   NULL to keep relative URLs as written. m may be zeroed or left from an
   earlier upd_manifest_free(); its alloc_ctx is kept.
   Returns UPD_OK, or UPD_E_MANIFEST / UPD_E_VERSION / UPD_E_URL with
   m->error_line and m->error set (an over-long line or too many attributes
   is UPD_E_MANIFEST with its line), UPD_E_TOOBIG when the text is larger
   than UPDATER_MAX_MANIFEST_BYTES or longer than UPDATER_MAX_MANIFEST_LINES
   lines (a final line without a line ending counts; nothing after the last
   line ending does), UPD_E_NOMEM. On failure nothing stays allocated (upd_manifest_free is
   still safe to call). A parsed manifest never changes; the strings it points
   to live until upd_manifest_free(). */
UPDDEF upd_result upd_manifest_parse(upd_manifest *m, const char *text, size_t len,
                                     const char *base_url);
/* Frees everything upd_manifest_parse allocated; m can be parsed again. */
UPDDEF void upd_manifest_free(upd_manifest *m);

/* UPD_E_EXPIRED if the manifest has @expires and now (seconds since the
   epoch, e.g. time(NULL)) is at or past it; UPD_OK otherwise. */
UPDDEF upd_result upd_manifest_check_time(const upd_manifest *m, int64_t now);

/* What to select for. Zero means default where a default is stated. */
typedef struct upd_query {
    const char *app;         /* required: the program's name                */
    const char *current;     /* required: the installed version             */
    const char *channel;     /* NULL or "" means "stable". Releases of the
                                "stable" channel are offered on every channel */
    int bucket;              /* 0..99, this installation's rollout bucket:
                                a release with rollout=R is offered when
                                bucket < R. See upd_rollout_bucket().        */
} upd_query;

typedef struct upd_choice {
    const upd_release *full;   /* the full release of the chosen version, or NULL */
    const upd_release *delta;  /* an incremental release of the same version
                                  whose from= is the installed version, or NULL */
    const char *version;       /* the chosen version                          */
    int critical;              /* 1 if any offered release newer than the
                                  installed one is marked critical=1         */
} upd_choice;

/* Picks the newest release offered to this installation: same app, channel
   "stable" or q->channel, bucket < rollout, version > current, current >= min
   (if given), and from == current for incremental releases. On UPD_OK, at
   least one of c->full and c->delta is set (prefer delta, fall back to full).
   UPD_NO_UPDATE if nothing newer is offered, UPD_E_VERSION if q->current is
   not a valid version, UPD_E_ARG on a missing app or bucket out of range. */
UPDDEF upd_result upd_manifest_select(const upd_manifest *m, const upd_query *q,
                                      upd_choice *c);

/* A stable rollout bucket 0..99 for an installation id (any string that
   stays the same for one installation, e.g. a random id saved at first run):
   the first 8 bytes of SHA-256(id), big-endian, modulo 100. */
UPDDEF int upd_rollout_bucket(const char *installation_id);

#ifdef __cplusplus
}
#endif
#endif /* UPDATER_H_INCLUDED */

/* ======================================================================== */
/*   IMPLEMENTATION                                                          */
/* ======================================================================== */
#ifdef UPDATER_IMPLEMENTATION
#ifndef UPDATER_IMPLEMENTATION_ONCE
#define UPDATER_IMPLEMENTATION_ONCE

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__GLIBC__) && !defined(__USE_XOPEN2K8)
#error "updater.h: include updater.h before any system header in the implementation file, or define _POSIX_C_SOURCE 200809L"
#endif

#ifndef UPDATER_ASSERT
#include <assert.h>
#define UPDATER_ASSERT(x) assert(x)
#endif

#if defined(UPDATER_MALLOC) && defined(UPDATER_REALLOC) && defined(UPDATER_FREE)
/* all three given */
#elif !defined(UPDATER_MALLOC) && !defined(UPDATER_REALLOC) && !defined(UPDATER_FREE)
#define UPDATER_MALLOC(ctx, size) ((void)(ctx), malloc(size))
#define UPDATER_REALLOC(ctx, ptr, size) ((void)(ctx), realloc(ptr, size))
#define UPDATER_FREE(ctx, ptr) ((void)(ctx), free(ptr))
#else
#error "updater.h: define all of UPDATER_MALLOC, UPDATER_REALLOC and UPDATER_FREE, or none"
#endif

#ifndef UPDATER_MAX_MANIFEST_BYTES
#define UPDATER_MAX_MANIFEST_BYTES (1024u * 1024u)
#endif
#ifndef UPDATER_MAX_MANIFEST_LINE
#define UPDATER_MAX_MANIFEST_LINE 4096u
#endif
#ifndef UPDATER_MAX_MANIFEST_LINES
#define UPDATER_MAX_MANIFEST_LINES 20000u
#endif
#ifndef UPDATER_MAX_MANIFEST_ATTRS
#define UPDATER_MAX_MANIFEST_ATTRS 32u
#endif
#ifndef UPDATER_MAX_URL
#define UPDATER_MAX_URL 4096u
#endif

#define UPD__PRIVATE static

#ifdef __cplusplus
extern "C" {
#endif

/* ==== >>results ========================================================== */

UPDDEF const char *upd_strerror(upd_result r)
{
    switch ((int)r) {
#define UPD__STR_ITEM(name, value, text) case name: return text;
    UPD_RESULT_LIST(UPD__STR_ITEM)
#undef UPD__STR_ITEM
    default: return "unknown result";
    }
}

UPDDEF const char *upd_version_string(void) { return UPDATER_VERSION_STRING; }

/* Locale-independent character classes (the C library's depend on locale). */
UPD__PRIVATE int upd__isdigit(int c) { return c >= '0' && c <= '9'; }
UPD__PRIVATE int upd__isalpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
UPD__PRIVATE int upd__isalnum(int c) { return upd__isdigit(c) || upd__isalpha(c); }
UPD__PRIVATE int upd__tolower(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }
UPD__PRIVATE int upd__hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Strict unsigned decimal: digits only, no sign, no leading zero (except
   "0"), no overflow past max. Returns 1 on success. */
UPD__PRIVATE int upd__parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    size_t i;
    if (n == 0 || (n > 1 && s[0] == '0')) return 0;
    for (i = 0; i < n; i++) {
        unsigned d;
        if (!upd__isdigit((unsigned char)s[i])) return 0;
        d = (unsigned)(s[i] - '0');
        if (v > (max - d) / 10) return 0;
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

/* ==== >>versions ========================================================= */
/* Format notes (semver.org, SemVer 2.0.0):
   - 2: X.Y.Z, non-negative integers, MUST NOT contain leading zeros.
   - 9: pre-release: '-' then dot-separated identifiers of [0-9A-Za-z-],
     non-empty; numeric identifiers MUST NOT include leading zeros.
   - 10: build metadata: '+' then identifiers like 9 (leading zeros allowed);
     MUST be ignored when determining precedence.
   - 11: precedence: numbers numerically; a pre-release version has lower
     precedence than the normal version; identifiers compared left to right,
     numeric ones numerically, alphanumeric ones in ASCII order, numeric
     lower than alphanumeric, a larger set of fields higher if all the
     preceding ones are equal. */

/* Scans dot-separated identifiers at s; returns the length consumed or
   (size_t)-1 on an error (sets *why). numeric_rule: forbid leading zeros in
   numeric identifiers. Stops at the first character not in an identifier. */
static size_t upd__semver_idents(const char *s, int numeric_rule, const char **why)
{
    size_t i = 0;
    for (;;) {
        size_t start = i;
        int all_digits = 1;
        while (upd__isalnum((unsigned char)s[i]) || s[i] == '-') {
            if (!upd__isdigit((unsigned char)s[i])) all_digits = 0;
            i++;
        }
        if (i == start) { *why = "empty identifier"; return (size_t)-1; }
        if (numeric_rule && all_digits && i - start > 1 && s[start] == '0') {
            *why = "leading zero in a numeric pre-release identifier";
            return (size_t)-1;
        }
        if (s[i] != '.') return i;
        i++;
    }
}

UPDDEF upd_result upd_version_parse(const char *s, upd_version *v, const char **why)
{
    const char *p, *reason = NULL;
    uint64_t num[3] = {0, 0, 0};
    int k;
    if (!why) why = &reason;
    if (!s || !v) { *why = "no version given"; return UPD_E_VERSION; }
    p = s;
    if (*p == 'v' || *p == 'V') p++;
    for (k = 0; k < 3; k++) {
        size_t n = 0;
        while (upd__isdigit((unsigned char)p[n])) n++;
        if (n == 0) {
            *why = k == 0 ? "does not start with a number" : "missing number after '.'";
            return UPD_E_VERSION;
        }
        if (n > 1 && p[0] == '0') { *why = "leading zero in a version number"; return UPD_E_VERSION; }
        if (!upd__parse_u64(p, n, UINT64_MAX, &num[k])) {
            *why = "version number does not fit in 64 bits";
            return UPD_E_VERSION;
        }
        p += n;
        if (*p != '.') break;
        if (k == 2) { *why = "more than three version numbers"; return UPD_E_VERSION; }
        p++;
    }
    v->major = num[0]; v->minor = num[1]; v->patch = num[2];
    v->pre = NULL; v->pre_len = 0; v->build = NULL; v->build_len = 0;
    if (*p == '-') {
        size_t n = upd__semver_idents(p + 1, 1, why);
        if (n == (size_t)-1) return UPD_E_VERSION;
        v->pre = p + 1; v->pre_len = n;
        p += 1 + n;
    }
    if (*p == '+') {
        size_t n = upd__semver_idents(p + 1, 0, why);
        if (n == (size_t)-1) return UPD_E_VERSION;
        v->build = p + 1; v->build_len = n;
        p += 1 + n;
    }
    if (*p != '\0') {
        *why = (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
             ? "whitespace in version" : "unexpected character in version";
        return UPD_E_VERSION;
    }
    return UPD_OK;
}

/* Compares two pre-release identifiers (a[0..an), b[0..bn)). */
static int upd__ident_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    size_t i;
    int anum = 1, bnum = 1, c;
    for (i = 0; i < an; i++) if (!upd__isdigit((unsigned char)a[i])) { anum = 0; break; }
    for (i = 0; i < bn; i++) if (!upd__isdigit((unsigned char)b[i])) { bnum = 0; break; }
    if (anum && bnum) {
        /* no leading zeros, so the longer number is the larger one */
        if (an != bn) return an < bn ? -1 : 1;
        c = memcmp(a, b, an);
        return c < 0 ? -1 : c > 0;
    }
    if (anum != bnum) return anum ? -1 : 1;
    c = memcmp(a, b, an < bn ? an : bn);
    if (c) return c < 0 ? -1 : 1;
    return an == bn ? 0 : (an < bn ? -1 : 1);
}

UPDDEF int upd_version_compare(const upd_version *a, const upd_version *b)
{
    size_t i = 0, j = 0;
    if (a->major != b->major) return a->major < b->major ? -1 : 1;
    if (a->minor != b->minor) return a->minor < b->minor ? -1 : 1;
    if (a->patch != b->patch) return a->patch < b->patch ? -1 : 1;
    if (!a->pre || !b->pre) return a->pre ? -1 : (b->pre ? 1 : 0);
    for (;;) {
        size_t i2 = i, j2 = j;
        int c;
        if (i >= a->pre_len || j >= b->pre_len)
            return (i >= a->pre_len && j >= b->pre_len) ? 0 : (i >= a->pre_len ? -1 : 1);
        while (i2 < a->pre_len && a->pre[i2] != '.') i2++;
        while (j2 < b->pre_len && b->pre[j2] != '.') j2++;
        c = upd__ident_cmp(a->pre + i, i2 - i, b->pre + j, j2 - j);
        if (c) return c;
        i = i2 + 1; j = j2 + 1;
    }
}

UPDDEF upd_result upd_vercmp(const char *a, const char *b, int *cmp)
{
    upd_version va, vb;
    if (upd_version_parse(a, &va, NULL) != UPD_OK) return UPD_E_VERSION;
    if (upd_version_parse(b, &vb, NULL) != UPD_OK) return UPD_E_VERSION;
    if (cmp) *cmp = upd_version_compare(&va, &vb);
    return UPD_OK;
}

/* ==== >>sha256 =========================================================== */
/* FIPS 180-4 section 6.2. Big-endian words, 64 rounds, the length in bits
   appended as a 64-bit big-endian number after a 0x80 byte and zero padding
   (section 5.1.1). Byte-wise loads: no alignment or endianness assumptions. */

static const uint32_t upd__sha256_k[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
    0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
    0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
    0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u, 0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
    0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
    0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
    0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u
};

#define UPD__ROR32(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

/* One round with the working variables passed in rotated order, so eight
   consecutive rounds need no register shuffling. */
#define UPD__SHA256_ROUND(a, b, c, d, e, f, g, h, i)                           \
    do {                                                                       \
        uint32_t t1_ = (h) + (UPD__ROR32(e, 6) ^ UPD__ROR32(e, 11) ^ UPD__ROR32(e, 25)) + \
                       ((g) ^ ((e) & ((f) ^ (g)))) + upd__sha256_k[i] + w[(i) & 15]; \
        uint32_t t2_ = (UPD__ROR32(a, 2) ^ UPD__ROR32(a, 13) ^ UPD__ROR32(a, 22)) + \
                       (((a) & (b)) | ((c) & ((a) | (b))));                     \
        (d) += t1_;                                                            \
        (h) = t1_ + t2_;                                                       \
    } while (0)

static void upd__sha256_block(uint32_t st[8], const uint8_t *p)
{
    uint32_t w[16], a, b, c, d, e, f, g, h;
    int i;
    for (i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
    a = st[0]; b = st[1]; c = st[2]; d = st[3]; e = st[4]; f = st[5]; g = st[6]; h = st[7];
    for (i = 0; i < 64; i += 8) {
        if (i >= 16) {
            int j;
            for (j = i; j < i + 8; j++) { /* w[j] from w[j-16], w[j-15], w[j-7], w[j-2] */
                uint32_t x = w[(j - 15) & 15], y = w[(j - 2) & 15];
                w[j & 15] += (UPD__ROR32(x, 7) ^ UPD__ROR32(x, 18) ^ (x >> 3)) + w[(j - 7) & 15] +
                             (UPD__ROR32(y, 17) ^ UPD__ROR32(y, 19) ^ (y >> 10));
            }
        }
        UPD__SHA256_ROUND(a, b, c, d, e, f, g, h, i);
        UPD__SHA256_ROUND(h, a, b, c, d, e, f, g, i + 1);
        UPD__SHA256_ROUND(g, h, a, b, c, d, e, f, i + 2);
        UPD__SHA256_ROUND(f, g, h, a, b, c, d, e, i + 3);
        UPD__SHA256_ROUND(e, f, g, h, a, b, c, d, i + 4);
        UPD__SHA256_ROUND(d, e, f, g, h, a, b, c, i + 5);
        UPD__SHA256_ROUND(c, d, e, f, g, h, a, b, i + 6);
        UPD__SHA256_ROUND(b, c, d, e, f, g, h, a, i + 7);
    }
    st[0] += a; st[1] += b; st[2] += c; st[3] += d; st[4] += e; st[5] += f; st[6] += g; st[7] += h;
}

UPDDEF void upd_sha256_init(upd_sha256_ctx *c)
{
    static const uint32_t iv[8] = { 0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                                    0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u };
    UPDATER_ASSERT(c != NULL);
    memcpy(c->_h, iv, sizeof iv);
    c->_bytes = 0;
}

UPDDEF void upd_sha256_update(upd_sha256_ctx *c, const void *data, size_t len)
{
    const uint8_t *p = (const uint8_t *)data;
    size_t used = (size_t)(c->_bytes & 63u);
    if (len == 0) return;
    c->_bytes += len;
    if (used) {
        size_t take = 64 - used < len ? 64 - used : len;
        memcpy(c->_buf + used, p, take);
        p += take; len -= take;
        if (used + take < 64) return;
        upd__sha256_block(c->_h, c->_buf);
    }
    while (len >= 64) { upd__sha256_block(c->_h, p); p += 64; len -= 64; }
    if (len) memcpy(c->_buf, p, len);
}

UPDDEF void upd_sha256_final(upd_sha256_ctx *c, uint8_t digest[32])
{
    uint64_t bits = c->_bytes * 8u;
    size_t used = (size_t)(c->_bytes & 63u);
    int i;
    c->_buf[used++] = 0x80;
    if (used > 56) {
        memset(c->_buf + used, 0, 64 - used);
        upd__sha256_block(c->_h, c->_buf);
        used = 0;
    }
    memset(c->_buf + used, 0, 56 - used);
    for (i = 0; i < 8; i++) c->_buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
    upd__sha256_block(c->_h, c->_buf);
    for (i = 0; i < 8; i++) {
        digest[4 * i]     = (uint8_t)(c->_h[i] >> 24);
        digest[4 * i + 1] = (uint8_t)(c->_h[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(c->_h[i] >> 8);
        digest[4 * i + 3] = (uint8_t)c->_h[i];
    }
}

UPDDEF void upd_sha256(const void *data, size_t len, uint8_t digest[32])
{
    upd_sha256_ctx c;
    upd_sha256_init(&c);
    upd_sha256_update(&c, data, len);
    upd_sha256_final(&c, digest);
}

UPDDEF upd_result upd_sha256_file(const char *path, uint8_t digest[32])
{
    uint8_t buf[16384];
    upd_sha256_ctx c;
    struct stat st;
    int fd, saved;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return UPD_E_IO;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        errno = EISDIR;
        return UPD_E_ARG;
    }
    upd_sha256_init(&c);
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) { saved = errno; close(fd); errno = saved; return UPD_E_IO; }
        if (n == 0) break;
        upd_sha256_update(&c, buf, (size_t)n);
    }
    close(fd);
    upd_sha256_final(&c, digest);
    return UPD_OK;
}

UPDDEF void upd_hex_encode(const uint8_t *data, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < len; i++) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 15];
    }
    out[2 * len] = '\0';
}

UPDDEF upd_result upd_hex_decode(const char *hex, uint8_t *out, size_t len)
{
    size_t i;
    for (i = 0; i < 2 * len; i++)
        if (upd__hexval((unsigned char)hex[i]) < 0) return UPD_E_ARG;
    if (hex[2 * len] != '\0') return UPD_E_ARG;
    for (i = 0; i < len; i++)
        out[i] = (uint8_t)(upd__hexval((unsigned char)hex[2 * i]) << 4 |
                           upd__hexval((unsigned char)hex[2 * i + 1]));
    return UPD_OK;
}

/* ==== >>urls ============================================================= */
/* Format notes (RFC 3986):
   - 2: characters: unreserved ALPHA DIGIT - . _ ~, reserved : / ? # [ ] @
     ! $ & ' ( ) * + , ; =, and pct-encoded "%" HEXDIG HEXDIG. Anything else
     (space, controls, '\', '"', '<', '>', '^', '`', '{', '|', '}', non-ASCII)
     is refused rather than guessed at.
   - Appendix B splits a reference into scheme, authority, path, query and
     fragment; 3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
   - 3.2: authority = [ userinfo "@" ] host [ ":" port ]. userinfo is refused:
     credentials do not belong in a manifest and must never leak into logs.
   - 5.2.2 transforms a reference against a base, 5.2.3 merges paths, 5.2.4
     removes dot segments. Fragments are client-side only and are dropped. */

typedef struct upd__span { const char *p; size_t n; int has; } upd__span;
typedef struct upd__url { upd__span scheme, auth, path, query; } upd__url;
typedef struct upd__buf { char *p; size_t cap, len; int over; } upd__buf;

static void upd__put(upd__buf *w, const char *s, size_t n)
{
    if (w->over || n > w->cap - w->len) { w->over = 1; return; }
    memcpy(w->p + w->len, s, n);
    w->len += n;
}

static int upd__url_char_ok(const char *s)
{
    size_t i;
    for (i = 0; s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if (upd__isalnum(c) || strchr("-._~:/?#[]@!$&'()*+,;=", c)) continue;
        if (c == '%' && upd__hexval((unsigned char)s[i + 1]) >= 0 &&
            upd__hexval((unsigned char)s[i + 2]) >= 0) { i += 2; continue; }
        return 0;
    }
    return 1;
}

/* RFC 3986 appendix B. Returns 0 if a ':' before the first '/', '?' or '#'
   does not follow a valid scheme name. */
static int upd__url_split(const char *s, upd__url *u)
{
    size_t i = 0, n;
    memset(u, 0, sizeof *u);
    n = strcspn(s, ":/?#");
    if (s[n] == ':') {
        if (n == 0 || !upd__isalpha((unsigned char)s[0])) return 0;
        for (i = 1; i < n; i++)
            if (!upd__isalnum((unsigned char)s[i]) && !strchr("+-.", s[i])) return 0;
        u->scheme.p = s; u->scheme.n = n; u->scheme.has = 1;
        s += n + 1;
    }
    if (s[0] == '/' && s[1] == '/') {
        s += 2;
        n = strcspn(s, "/?#");
        u->auth.p = s; u->auth.n = n; u->auth.has = 1;
        s += n;
    }
    n = strcspn(s, "?#");
    u->path.p = s; u->path.n = n; u->path.has = 1;
    s += n;
    if (*s == '?') {
        s++;
        n = strcspn(s, "#");
        u->query.p = s; u->query.n = n; u->query.has = 1;
    }
    return 1;
}

static int upd__span_ieq(upd__span a, const char *lit)
{
    size_t i;
    if (a.n != strlen(lit)) return 0;
    for (i = 0; i < a.n; i++)
        if (upd__tolower((unsigned char)a.p[i]) != lit[i]) return 0;
    return 1;
}

/* Host (reg-name, IPv4 or [IPv6]) and optional port; NULL if fine. */
static const char *upd__url_authority(upd__span a)
{
    size_t i = 0;
    if (memchr(a.p, '@', a.n)) return "credentials (user@) in URL are not allowed";
    if (a.n && a.p[0] == '[') {
        for (i = 1; i < a.n && a.p[i] != ']'; i++)
            if (upd__hexval((unsigned char)a.p[i]) < 0 && a.p[i] != ':' && a.p[i] != '.')
                return "bad IPv6 address in URL";
        if (i >= a.n || i == 1) return "bad IPv6 address in URL";
        i++;
    } else {
        for (; i < a.n && a.p[i] != ':'; i++)
            if (!upd__isalnum((unsigned char)a.p[i]) && !strchr("-._", a.p[i]))
                return "bad character in URL host";
        if (i == 0) return "URL has no host";
    }
    if (i < a.n) {
        uint64_t port;
        if (a.p[i] != ':') return "bad URL authority";
        i++;
        if (a.n - i == 0 || a.n - i > 5) return "bad port in URL";
        for (port = 0; i < a.n; i++) {
            if (!upd__isdigit((unsigned char)a.p[i])) return "bad port in URL";
            port = port * 10 + (uint64_t)(a.p[i] - '0');
        }
        if (port == 0 || port > 65535) return "port out of range in URL";
    }
    return NULL;
}

/* 5.2.4: appends the path in[0..n) without dot segments to w; in is
   scratch space (modified). */
static void upd__remove_dots(upd__buf *w, char *in, size_t n)
{
    size_t start = w->len, i = 0;
    while (i < n && !w->over) {
        const char *s = in + i;
        size_t r = n - i, j;
        int pop = 0;
        if (r >= 3 && memcmp(s, "../", 3) == 0) i += 3;
        else if (r >= 2 && memcmp(s, "./", 2) == 0) i += 2;
        else if (r >= 3 && memcmp(s, "/./", 3) == 0) i += 2;
        else if (r == 2 && memcmp(s, "/.", 2) == 0) { in[i + 1] = '/'; i += 1; }
        else if (r >= 4 && memcmp(s, "/../", 4) == 0) { i += 3; pop = 1; }
        else if (r == 3 && memcmp(s, "/..", 3) == 0) { in[i + 2] = '/'; i += 2; pop = 1; }
        else if ((r == 1 && s[0] == '.') || (r == 2 && s[0] == '.' && s[1] == '.')) i = n;
        else {
            j = s[0] == '/' ? 1 : 0;
            while (j < r && s[j] != '/') j++;
            upd__put(w, s, j);
            i += j;
        }
        if (pop) {
            while (w->len > start && w->p[w->len - 1] != '/') w->len--;
            if (w->len > start) w->len--;
        }
    }
}

UPDDEF upd_result upd_url_resolve(const char *base, const char *ref,
                                  char *out, size_t cap, const char **why)
{
    char path[UPDATER_MAX_URL + 1];
    upd__url b, r;
    upd__span scheme, auth, query;
    upd__buf w;
    const char *reason = NULL, *bad;
    size_t plen = 0, i;
    if (!why) why = &reason;
    if (!out || cap == 0) { *why = "no room for the URL"; return UPD_E_TOOBIG; }
    out[0] = '\0';
    if (!ref) { *why = "no URL given"; return UPD_E_URL; }
    if (!upd__url_char_ok(ref) || (base && !upd__url_char_ok(base))) {
        *why = "character not allowed in a URL";
        return UPD_E_URL;
    }
    if (!upd__url_split(ref, &r)) { *why = "bad URL scheme"; return UPD_E_URL; }
    if (r.scheme.has) {
        scheme = r.scheme; auth = r.auth; query = r.query;
        if (r.path.n > UPDATER_MAX_URL) return UPD_E_TOOBIG;
        memcpy(path, r.path.p, r.path.n); plen = r.path.n;
    } else {
        if (!base) { *why = "relative URL without a base URL"; return UPD_E_URL; }
        if (!upd__url_split(base, &b) || !b.scheme.has) { *why = "base URL is not absolute"; return UPD_E_URL; }
        if (!b.auth.has) { *why = "base URL has no host"; return UPD_E_URL; }
        scheme = b.scheme;
        auth = r.auth.has ? r.auth : b.auth;
        if (r.auth.has || r.path.n > 0) {
            query = r.query;
            if (r.auth.has || r.path.p[0] == '/') {
                if (r.path.n > UPDATER_MAX_URL) return UPD_E_TOOBIG;
                memcpy(path, r.path.p, r.path.n); plen = r.path.n;
            } else { /* 5.2.3 merge */
                size_t keep = 0;
                for (i = 0; i < b.path.n; i++) if (b.path.p[i] == '/') keep = i + 1;
                if (b.path.n == 0) { path[0] = '/'; keep = 1; }
                else memcpy(path, b.path.p, keep);
                if (keep + r.path.n > UPDATER_MAX_URL) return UPD_E_TOOBIG;
                memcpy(path + keep, r.path.p, r.path.n);
                plen = keep + r.path.n;
            }
        } else {
            query = r.query.has ? r.query : b.query;
            if (b.path.n > UPDATER_MAX_URL) return UPD_E_TOOBIG;
            memcpy(path, b.path.p, b.path.n); plen = b.path.n;
        }
    }
    if (!upd__span_ieq(scheme, "http") && !upd__span_ieq(scheme, "https")) {
        *why = "only http and https URLs are allowed";
        return UPD_E_URL;
    }
    if (!auth.has) { *why = "URL has no host"; return UPD_E_URL; }
    if ((bad = upd__url_authority(auth)) != NULL) { *why = bad; return UPD_E_URL; }

    w.p = out; w.cap = (cap - 1 < UPDATER_MAX_URL ? cap - 1 : UPDATER_MAX_URL);
    w.len = 0; w.over = 0;
    for (i = 0; i < scheme.n; i++) {
        char c = (char)upd__tolower((unsigned char)scheme.p[i]);
        upd__put(&w, &c, 1);
    }
    upd__put(&w, "://", 3);
    upd__put(&w, auth.p, auth.n);
    if (plen == 0) upd__put(&w, "/", 1);
    else upd__remove_dots(&w, path, plen);
    if (w.len > 0 && w.p[w.len - 1] != '/' && plen > 0 && w.len == scheme.n + 3 + auth.n)
        upd__put(&w, "/", 1); /* every dot segment removed: path is "/" */
    if (query.has) { upd__put(&w, "?", 1); upd__put(&w, query.p, query.n); }
    if (w.over) { out[0] = '\0'; *why = "URL too long"; return UPD_E_TOOBIG; }
    out[w.len] = '\0';
    return UPD_OK;
}

/* ==== >>manifest ========================================================= */
/* Format notes (docs/manifest.md): UTF-8 text, LF or CRLF lines, an optional
   UTF-8 byte order mark. '#' at the start of a line or after a space or tab
   starts a comment (inside a token, e.g. a URL, it does not). Fields are
   separated by spaces or tabs. Outside comments only printable ASCII is
   allowed; control bytes (NUL included) are refused everywhere. Numbers are
   decimal without sign or leading zeros. Every rule that could be read two
   ways is an error instead, so that no two parsers can disagree. */

static const char upd__stable[] = "stable";

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 4, 5)))
#endif
static upd_result upd__mf_err(upd_manifest *m, upd_result r, unsigned line, const char *fmt, ...)
{
    va_list ap;
    size_t n = 0;
    m->error_line = line;
    if (line) {
        int k = snprintf(m->error, sizeof m->error, "line %u: ", line);
        n = k > 0 ? (size_t)k : 0;
    }
    va_start(ap, fmt);
    vsnprintf(m->error + n, sizeof m->error - n, fmt, ap);
    va_end(ap);
    return r;
}

static int upd__is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
static int upd__month_days(int64_t y, int mon)
{
    static const unsigned char d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return mon == 2 && upd__is_leap(y) ? 29 : d[mon - 1];
}

/* RFC 3339 "YYYY-MM-DDTHH:MM:SSZ" (UTC only), years 1970-9999. */
static int upd__parse_time(const char *s, int64_t *out)
{
    static const unsigned char pos[6] = {0, 5, 8, 11, 14, 17}, len[6] = {4, 2, 2, 2, 2, 2};
    int64_t v[6], days = 0, y;
    int k, mon;
    if (strlen(s) != 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
        s[13] != ':' || s[16] != ':' || (s[19] != 'Z' && s[19] != 'z'))
        return 0;
    for (k = 0; k < 6; k++) {
        int j;
        v[k] = 0;
        for (j = 0; j < len[k]; j++) {
            char c = s[pos[k] + j];
            if (!upd__isdigit((unsigned char)c)) return 0;
            v[k] = v[k] * 10 + (c - '0');
        }
    }
    if (v[0] < 1970 || v[1] < 1 || v[1] > 12) return 0;
    mon = (int)v[1];
    if (v[2] < 1 || v[2] > upd__month_days(v[0], mon) || v[3] > 23 || v[4] > 59 || v[5] > 59)
        return 0;
    for (y = 1970; y < v[0]; y++) days += upd__is_leap(y) ? 366 : 365;
    for (k = 1; k < mon; k++) days += upd__month_days(v[0], k);
    days += v[2] - 1;
    *out = days * 86400 + v[3] * 3600 + v[4] * 60 + v[5];
    return 1;
}

static void upd__release_free(upd_manifest *m, upd_release *r)
{
    UPDATER_FREE(m->alloc_ctx, (void *)(uintptr_t)r->url);
    UPDATER_FREE(m->alloc_ctx, (void *)(uintptr_t)r->notes);
    r->url = r->notes = NULL;
}

/* Resolves a url= or notes= value into a fresh allocation. */
static upd_result upd__mf_url(upd_manifest *m, unsigned line, const char *key, const char *val,
                              const char *base, const char **out)
{
    char tmp[UPDATER_MAX_URL + 1];
    const char *why = "bad URL", *src = tmp;
    upd__url u;
    upd_result r;
    char *copy;
    size_t n;
    if (!upd__url_char_ok(val) || !upd__url_split(val, &u))
        return upd__mf_err(m, UPD_E_URL, line, "bad %s '%.60s': character not allowed in a URL", key, val);
    if (!base && !u.scheme.has) {
        src = val; /* no base: keep a relative reference as written */
    } else {
        r = upd_url_resolve(base, val, tmp, sizeof tmp, &why);
        if (r == UPD_E_TOOBIG) return upd__mf_err(m, UPD_E_TOOBIG, line, "%s is too long", key);
        if (r != UPD_OK) return upd__mf_err(m, r, line, "bad %s '%.60s': %s", key, val, why);
    }
    n = strlen(src) + 1;
    copy = (char *)UPDATER_MALLOC(m->alloc_ctx, n);
    if (!copy) return upd__mf_err(m, UPD_E_NOMEM, line, "out of memory");
    memcpy(copy, src, n);
    *out = copy;
    return UPD_OK;
}

static int upd__app_name_ok(const char *s)
{
    for (; *s; s++)
        if (!upd__isalnum((unsigned char)*s) && !strchr("._+-", *s)) return 0;
    return 1;
}

/* One release line, already split into tokens. */
static upd_result upd__mf_release(upd_manifest *m, char **tok, size_t ntok, unsigned line,
                                  const char *base)
{
    enum { K_URL = 1, K_SIZE = 2, K_SHA = 4, K_FROM = 8, K_CHAN = 16, K_ROLL = 32,
           K_MIN = 64, K_NOTES = 128, K_CRIT = 256 };
    static const char *const known[] = {"url", "size", "sha256", "from", "channel",
                                        "rollout", "min", "notes", "critical"};
    upd_release rel;
    const char *why = "";
    unsigned seen = 0;
    size_t i, j;
    upd_result r = UPD_OK;

    memset(&rel, 0, sizeof rel);
    rel.line = line;
    rel.channel = upd__stable;
    rel.rollout = 0; /* not given; upd__mf_crosscheck settles it */
    rel.app = tok[0];
    if (!upd__app_name_ok(tok[0]))
        return upd__mf_err(m, UPD_E_MANIFEST, line,
                           "bad program name '%.60s': allowed are A-Z a-z 0-9 . _ + -", tok[0]);
    if (ntok < 2)
        return upd__mf_err(m, UPD_E_MANIFEST, line, "release line has no version after '%.60s'", tok[0]);
    rel.version = tok[1];
    if (upd_version_parse(tok[1], &rel.ver, &why) != UPD_OK)
        return upd__mf_err(m, UPD_E_VERSION, line, "bad version '%.60s': %s", tok[1], why);

    for (i = 2; i < ntok && r == UPD_OK; i++) {
        char *eq = strchr(tok[i], '='), *key = tok[i], *val;
        size_t klen;
        unsigned bit = 0;
        uint64_t num;
        if (!eq) { r = upd__mf_err(m, UPD_E_MANIFEST, line, "expected key=value, got '%.60s'", tok[i]); break; }
        klen = (size_t)(eq - key);
        val = eq + 1;
        if (klen == 0) { r = upd__mf_err(m, UPD_E_MANIFEST, line, "empty key in '%.60s'", tok[i]); break; }
        for (j = 0; j < klen; j++)
            if (!upd__isalnum((unsigned char)key[j]) && !strchr("._-", key[j])) break;
        if (j < klen) { r = upd__mf_err(m, UPD_E_MANIFEST, line, "bad key in '%.60s'", tok[i]); break; }
        for (j = 2; j < i; j++) /* earlier keys are NUL-terminated by now */
            if (strncmp(tok[j], key, klen) == 0 && tok[j][klen] == '\0') break;
        if (j < i) { r = upd__mf_err(m, UPD_E_MANIFEST, line, "duplicate key '%.*s'", (int)klen, key); break; }
        if (*val == '\0') { r = upd__mf_err(m, UPD_E_MANIFEST, line, "empty value for '%.*s'", (int)klen, key); break; }
        *eq = '\0';
        for (j = 0; j < sizeof known / sizeof known[0]; j++)
            if (strcmp(key, known[j]) == 0) bit = 1u << j;
        seen |= bit;
        switch (bit) {
        case K_URL: r = upd__mf_url(m, line, "url", val, base, &rel.url); break;
        case K_NOTES: r = upd__mf_url(m, line, "notes", val, base, &rel.notes); break;
        case K_SIZE:
            if (!upd__parse_u64(val, strlen(val), INT64_MAX, &rel.size) || rel.size == 0)
                r = upd__mf_err(m, UPD_E_MANIFEST, line,
                                "bad size '%.40s': expected bytes, 1..9223372036854775807", val);
            break;
        case K_SHA:
            if (strlen(val) != 64 || upd_hex_decode(val, rel.sha256, 32) != UPD_OK)
                r = upd__mf_err(m, UPD_E_MANIFEST, line, "bad sha256: expected 64 hex digits");
            break;
        case K_FROM:
            rel.from = val;
            if (upd_version_parse(val, &rel.from_ver, &why) != UPD_OK)
                r = upd__mf_err(m, UPD_E_VERSION, line, "bad from= version '%.60s': %s", val, why);
            break;
        case K_MIN:
            rel.min = val;
            if (upd_version_parse(val, &rel.min_ver, &why) != UPD_OK)
                r = upd__mf_err(m, UPD_E_VERSION, line, "bad min= version '%.60s': %s", val, why);
            break;
        case K_CHAN:
            rel.channel = val;
            if (!upd__app_name_ok(val))
                r = upd__mf_err(m, UPD_E_MANIFEST, line, "bad channel '%.60s'", val);
            break;
        case K_ROLL:
            if (!upd__parse_u64(val, strlen(val), 100, &num) || num < 1)
                r = upd__mf_err(m, UPD_E_MANIFEST, line, "bad rollout '%.40s': expected 1..100", val);
            else rel.rollout = (int)num;
            break;
        case K_CRIT:
            if (strcmp(val, "0") != 0 && strcmp(val, "1") != 0)
                r = upd__mf_err(m, UPD_E_MANIFEST, line, "bad critical '%.40s': expected 0 or 1", val);
            else rel.critical = val[0] == '1';
            break;
        default: break; /* unknown key: ignored, for forward compatibility */
        }
    }
    if (r == UPD_OK && !(seen & K_URL)) r = upd__mf_err(m, UPD_E_MANIFEST, line, "release has no url=");
    if (r == UPD_OK && !(seen & K_SIZE)) r = upd__mf_err(m, UPD_E_MANIFEST, line, "release has no size=");
    if (r == UPD_OK && !(seen & K_SHA)) r = upd__mf_err(m, UPD_E_MANIFEST, line, "release has no sha256=");
    if (r == UPD_OK && m->count == m->_cap) {
        size_t cap = m->_cap ? m->_cap * 2 : 16;
        void *p = UPDATER_REALLOC(m->alloc_ctx, m->releases, cap * sizeof *m->releases);
        if (!p) r = upd__mf_err(m, UPD_E_NOMEM, line, "out of memory");
        else { m->releases = (upd_release *)p; m->_cap = cap; }
    }
    if (r != UPD_OK) { upd__release_free(m, &rel); return r; }
    m->releases[m->count++] = rel;
    return UPD_OK;
}

/* Orders releases by (app, version precedence, from) to find duplicates. */
static int upd__release_order(const void *pa, const void *pb)
{
    const upd_release *a = *(const upd_release *const *)pa, *b = *(const upd_release *const *)pb;
    int c = strcmp(a->app, b->app);
    if (c) return c;
    c = upd_version_compare(&a->ver, &b->ver);
    if (c) return c;
    if (!a->from || !b->from) return (a->from != NULL) - (b->from != NULL);
    c = upd_version_compare(&a->from_ver, &b->from_ver);
    if (c) return c;
    return a->line < b->line ? -1 : (a->line > b->line);
}

/* Checks across lines, on the releases sorted by (app, version, from):
   no duplicate release, and all lines of one app and version (the full
   package and its incremental ones) describe one release: where they give
   channel, rollout or min, they agree, and the value given applies to all
   of them (a delta line must not escape a rollout set on the full line). */
static upd_result upd__mf_crosscheck(upd_manifest *m)
{
    upd_release **idx = (upd_release **)UPDATER_MALLOC(m->alloc_ctx, m->count * sizeof *idx);
    upd_result r = UPD_OK;
    size_t i, g, j;
    if (!idx) return upd__mf_err(m, UPD_E_NOMEM, 0, "out of memory");
    for (i = 0; i < m->count; i++) idx[i] = &m->releases[i];
    qsort((void *)idx, m->count, sizeof *idx, upd__release_order);
    for (g = 0; g < m->count && r == UPD_OK; g = i) {
        const upd_release *chan = NULL, *roll = NULL, *min = NULL;
        for (i = g; i < m->count && strcmp(idx[i]->app, idx[g]->app) == 0 &&
                    upd_version_compare(&idx[i]->ver, &idx[g]->ver) == 0; i++) {
            upd_release *a = idx[i];
            if (i > g && (a->from == NULL) == (idx[i - 1]->from == NULL) &&
                (!a->from || upd_version_compare(&a->from_ver, &idx[i - 1]->from_ver) == 0)) {
                r = upd__mf_err(m, UPD_E_MANIFEST, a->line, "duplicate release %.40s %.40s%s%.40s (also on line %u)",
                                a->app, a->version, a->from ? " from " : "", a->from ? a->from : "",
                                idx[i - 1]->line);
                break;
            }
            if (a->channel != upd__stable) {
                if (chan && strcmp(chan->channel, a->channel) != 0) {
                    r = upd__mf_err(m, UPD_E_MANIFEST, a->line, "channel=%.40s disagrees with line %u "
                                    "for the same release", a->channel, chan->line);
                    break;
                }
                chan = a;
            }
            if (a->rollout) {
                if (roll && roll->rollout != a->rollout) {
                    r = upd__mf_err(m, UPD_E_MANIFEST, a->line, "rollout=%d disagrees with line %u "
                                    "for the same release", a->rollout, roll->line);
                    break;
                }
                roll = a;
            }
            if (a->min) {
                if (min && upd_version_compare(&min->min_ver, &a->min_ver) != 0) {
                    r = upd__mf_err(m, UPD_E_MANIFEST, a->line, "min=%.40s disagrees with line %u "
                                    "for the same release", a->min, min->line);
                    break;
                }
                min = a;
            }
        }
        for (j = g; r == UPD_OK && j < i; j++) {
            if (chan) idx[j]->channel = chan->channel;
            idx[j]->rollout = roll ? roll->rollout : 100;
            if (min) { idx[j]->min = min->min; idx[j]->min_ver = min->min_ver; }
        }
    }
    UPDATER_FREE(m->alloc_ctx, (void *)idx);
    return r;
}

static upd_result upd__mf_line(upd_manifest *m, char *p, size_t n, unsigned line,
                               const char *base, int *have_serial)
{
    char *tok[UPDATER_MAX_MANIFEST_ATTRS + 2]; /* app, version, attributes */
    size_t ntok = 0, i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '\0') return upd__mf_err(m, UPD_E_MANIFEST, line, "NUL byte");
        if (c == '\r') return upd__mf_err(m, UPD_E_MANIFEST, line, "carriage return inside a line");
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return upd__mf_err(m, UPD_E_MANIFEST, line, "control character 0x%02x", c);
    }
    for (i = 0; i < n; i++)
        if (p[i] == '#' && (i == 0 || p[i - 1] == ' ' || p[i - 1] == '\t')) { n = i; break; }
    for (i = 0; i < n; i++)
        if ((unsigned char)p[i] >= 0x80)
            return upd__mf_err(m, UPD_E_MANIFEST, line, "non-ASCII byte outside a comment");
    for (i = 0; i < n;) {
        while (i < n && (p[i] == ' ' || p[i] == '\t')) p[i++] = '\0';
        if (i == n) break;
        if (ntok == sizeof tok / sizeof tok[0])
            return upd__mf_err(m, UPD_E_MANIFEST, line, "more than %u attributes",
                               (unsigned)UPDATER_MAX_MANIFEST_ATTRS);
        tok[ntok++] = p + i;
        while (i < n && p[i] != ' ' && p[i] != '\t') i++;
    }
    p[n] = '\0';
    if (ntok == 0) return UPD_OK;
    if (tok[0][0] != '@') return upd__mf_release(m, tok, ntok, line, base);
    if (strcmp(tok[0], "@serial") == 0) {
        if (ntok != 2) return upd__mf_err(m, UPD_E_MANIFEST, line, "@serial needs exactly one value");
        if (*have_serial) return upd__mf_err(m, UPD_E_MANIFEST, line, "duplicate @serial");
        if (!upd__parse_u64(tok[1], strlen(tok[1]), INT64_MAX, &m->serial))
            return upd__mf_err(m, UPD_E_MANIFEST, line,
                               "bad @serial '%.40s': expected an integer 0..9223372036854775807", tok[1]);
        *have_serial = 1;
    } else if (strcmp(tok[0], "@expires") == 0) {
        if (ntok != 2) return upd__mf_err(m, UPD_E_MANIFEST, line, "@expires needs exactly one value");
        if (m->has_expires) return upd__mf_err(m, UPD_E_MANIFEST, line, "duplicate @expires");
        if (!upd__parse_time(tok[1], &m->expires))
            return upd__mf_err(m, UPD_E_MANIFEST, line,
                               "bad @expires '%.40s': expected YYYY-MM-DDTHH:MM:SSZ", tok[1]);
        m->has_expires = 1;
    } /* other directives: ignored, for forward compatibility */
    return UPD_OK;
}

UPDDEF void upd_manifest_free(upd_manifest *m)
{
    size_t i;
    void *ctx;
    if (!m) return;
    for (i = 0; i < m->count; i++) upd__release_free(m, &m->releases[i]);
    UPDATER_FREE(m->alloc_ctx, m->releases);
    UPDATER_FREE(m->alloc_ctx, m->_text);
    ctx = m->alloc_ctx;
    memset(m, 0, sizeof *m);
    m->alloc_ctx = ctx;
}

UPDDEF upd_result upd_manifest_parse(upd_manifest *m, const char *text, size_t len,
                                     const char *base_url)
{
    char *p, *end;
    unsigned line = 0;
    int have_serial = 0;
    upd_result r = UPD_OK;
    void *ctx;
    UPDATER_ASSERT(m != NULL);
    ctx = m->alloc_ctx;
    memset(m, 0, sizeof *m);
    m->alloc_ctx = ctx;
    if (!text && len) return upd__mf_err(m, UPD_E_ARG, 0, "no manifest text");
    if (len > UPDATER_MAX_MANIFEST_BYTES)
        return upd__mf_err(m, UPD_E_TOOBIG, 0, "manifest is larger than %u bytes",
                           (unsigned)UPDATER_MAX_MANIFEST_BYTES);
    if (base_url) {
        char tmp[UPDATER_MAX_URL + 1];
        const char *why = "";
        if (upd_url_resolve(NULL, base_url, tmp, sizeof tmp, &why) != UPD_OK)
            return upd__mf_err(m, UPD_E_URL, 0, "bad manifest URL: %s", why);
    }
    m->_text = (char *)UPDATER_MALLOC(m->alloc_ctx, len + 1);
    if (!m->_text) return upd__mf_err(m, UPD_E_NOMEM, 0, "out of memory");
    if (len) memcpy(m->_text, text, len);
    m->_text[len] = '\0';
    p = m->_text;
    end = p + len;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3;
    while (p < end && r == UPD_OK) {
        char *eol = (char *)memchr(p, '\n', (size_t)(end - p)), *next;
        size_t n;
        if (++line > UPDATER_MAX_MANIFEST_LINES) {
            r = upd__mf_err(m, UPD_E_TOOBIG, line, "more than %u lines",
                            (unsigned)UPDATER_MAX_MANIFEST_LINES);
            break;
        }
        next = eol ? eol + 1 : end;
        if (!eol) eol = end;
        n = (size_t)(eol - p);
        if (n && p[n - 1] == '\r') n--;
        if (n > UPDATER_MAX_MANIFEST_LINE) {
            r = upd__mf_err(m, UPD_E_MANIFEST, line, "line longer than %u bytes",
                            (unsigned)UPDATER_MAX_MANIFEST_LINE);
            break;
        }
        r = upd__mf_line(m, p, n, line, base_url, &have_serial);
        p = next;
    }
    if (r == UPD_OK && !have_serial) r = upd__mf_err(m, UPD_E_MANIFEST, 0, "missing @serial");
    if (r == UPD_OK && m->count > 0) r = upd__mf_crosscheck(m);
    if (r != UPD_OK) {
        unsigned eline = m->error_line;
        char msg[sizeof m->error];
        memcpy(msg, m->error, sizeof msg);
        upd_manifest_free(m);
        m->error_line = eline;
        memcpy(m->error, msg, sizeof msg);
    }
    return r;
}

UPDDEF upd_result upd_manifest_check_time(const upd_manifest *m, int64_t now)
{
    return (m->has_expires && now >= m->expires) ? UPD_E_EXPIRED : UPD_OK;
}

UPDDEF int upd_rollout_bucket(const char *installation_id)
{
    uint8_t d[32];
    uint64_t v = 0;
    int i;
    upd_sha256(installation_id, installation_id ? strlen(installation_id) : 0, d);
    for (i = 0; i < 8; i++) v = v << 8 | d[i];
    return (int)(v % 100u);
}

UPDDEF upd_result upd_manifest_select(const upd_manifest *m, const upd_query *q, upd_choice *c)
{
    upd_version cur;
    const upd_release *best = NULL;
    const char *chan;
    size_t i;
    int pass;
    UPDATER_ASSERT(m != NULL && q != NULL && c != NULL);
    memset(c, 0, sizeof *c);
    if (!q->app || q->bucket < 0 || q->bucket > 99) return UPD_E_ARG;
    if (upd_version_parse(q->current, &cur, NULL) != UPD_OK) return UPD_E_VERSION;
    chan = (q->channel && *q->channel) ? q->channel : upd__stable;
    /* pass 0 finds the newest offered version, pass 1 collects its
       releases and the critical flag of everything offered */
    for (pass = 0; pass < 2; pass++) {
        for (i = 0; i < m->count; i++) {
            const upd_release *r = &m->releases[i];
            if (strcmp(r->app, q->app) != 0) continue;
            if (strcmp(r->channel, upd__stable) != 0 && strcmp(r->channel, chan) != 0) continue;
            if (q->bucket >= r->rollout) continue;
            if (upd_version_compare(&r->ver, &cur) <= 0) continue;
            if (r->min && upd_version_compare(&cur, &r->min_ver) < 0) continue;
            if (r->from && upd_version_compare(&cur, &r->from_ver) != 0) continue;
            if (pass == 0) {
                if (!best || upd_version_compare(&r->ver, &best->ver) > 0) best = r;
                continue;
            }
            if (r->critical) c->critical = 1;
            if (upd_version_compare(&r->ver, &best->ver) == 0) {
                if (r->from) c->delta = r;
                else c->full = r;
            }
        }
        if (!best) return UPD_NO_UPDATE;
    }
    c->version = best->version;
    return UPD_OK;
}

#ifdef __cplusplus
}
#endif

#undef UPD__ROR32
#undef UPD__SHA256_ROUND
#endif /* UPDATER_IMPLEMENTATION_ONCE */
#endif /* UPDATER_IMPLEMENTATION */

/*
------------------------------------------------------------------------------
MIT License

Copyright (c) 2026 the updater.h authors

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
------------------------------------------------------------------------------
*/
