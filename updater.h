/* updater.h - a program that updates itself: signed manifest, verified
   download, safe extraction, atomic swap with automatic rollback.

   version 0.1.0 - license: MIT, see the end of this file.

   Do this:
       #define UPDATER_IMPLEMENTATION
   before you include this file in *one* C or C++ file to create the
   implementation. Every other file includes it without the define.

   That translation unit must include updater.h before any system header, or
   define _POSIX_C_SOURCE 200809L (or _GNU_SOURCE) itself.

QUICK START

       #define UPDATER_IMPLEMENTATION
       #include "updater.h"

       int main(int argc, char **argv) {
           upd_engine e = {0};
           e.install_dir = "/opt/hello"; e.exe = "hello";
           upd_startup(&e, argc, argv);       // finishes or rolls back an update
           if (e.trial) upd_mark_good(&e);    // once this version works

           const char *urls[] = {"https://example.org/hello/versions", NULL};
           const char *keys[] = {"RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3", NULL};
           upd_client c = {0};
           c.engine = &e; c.manifest_urls = urls; c.pubkeys = keys;
           c.app = "hello"; c.current = "1.4.0";
           if (upd_update(&c) != UPD_NO_UPDATE)    // exec()s the new version
               fprintf(stderr, "update: %s\n", c.error);
           ...
       }

   The parts work on their own too: upd_manifest_parse/select, upd_minisig_*,
   upd_gunzip_*, upd_untar_*, upd_http_get (examples/upd.c uses them all).

CONTENTS
   1. Configuration macros
   2. Results and errors         upd_result, upd_strerror()
   3. Versions                   upd_version_parse(), upd_version_compare(), upd_vercmp()
   4. SHA-256                    upd_sha256_init/update/final(), upd_sha256_file()
   5. Signatures                 upd_sha512_*(), upd_blake2b_*(), upd_ed25519_*(), upd_minisig_*()
   6. gzip / DEFLATE             upd_gunzip_init(), upd_gunzip_run(), upd_crc32()
   7. tar                        upd_tar_feed() (reader), upd_untar_*() (safe extractor)
   8. URLs                       upd_url_resolve()
   9. Manifest                   upd_manifest_parse(), upd_manifest_select(), ...
  10. HTTP client                upd_http_get(), upd_http_parser_*()
  11. Install and rollback       upd_startup(), upd_install(), upd_mark_good()
  12. Check, download, update    upd_check(), upd_download(), upd_update(), upd_watch()
  13. Trees and binary patches   upd_tree_record(), upd_tree_verify(), upd_patch_apply()
   Implementation sections follow the same order (grep for ">>").

SECURITY MODEL
   A manifest is only trusted once its signature verifies; the parser is the
   only code that sees manifest bytes, and it is strict: anything malformed is
   an error with a line number, never a guess (duplicate keys, bad hex, a
   missing size, numbers that do not fit 63 bits, control bytes, over-long
   lines). Every input is bounded by a limit macro (section 1) checked before
   any allocation. URLs may only be http or https, never carry credentials,
   and relative URLs are resolved against the manifest URL (RFC 3986 5.2).
   Signatures are minisign's (Ed25519, strict: no malleable or small-order
   signatures or keys) and are checked before a manifest is parsed.
   Archives are read by our own gzip and tar code, which never writes
   outside the destination: no absolute or '..' names, no symlink is ever
   followed while writing, files replaced by rename, never written through.
   Versions compare by SemVer 2.0.0 precedence, never as floating point.
   Release selection never offers a version that is not newer than the
   installed one, nor one for another program, channel, rollout bucket or
   base version. Archives are identified by size and SHA-256 from the signed
   manifest; nothing from an archive is used before both match.
   The client remembers the highest @serial (and that manifest's digest) in
   the state dir and refuses older or forked manifests and expired ones;
   manifests can rotate and revoke keys (@trust-key, @revoke-key). The state
   dir must be the running user's alone (mode, owner, no symlink).

STATUS
   Works: everything in CONTENTS; the install engine for trees and single
   executables; incremental packages with binary patches, proven by tree=;
   the `upd` tool (examples/upd.c), which publishes them. See README.
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
/* 64-bit off_t on 32-bit systems (files and resume offsets over 2 GiB); a
   no-op on 64-bit ones and on musl. For times past 2038 there, build the
   implementation with -D_TIME_BITS=64 too (glibc 2.34 and later). */
#if defined(UPDATER_IMPLEMENTATION) && !defined(_FILE_OFFSET_BITS)
#define _FILE_OFFSET_BITS 64
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
     UPDATER_MAX_PATH      4096   bytes of a tar entry's path or link target
     UPDATER_MAX_MINISIG   4096   bytes of a .minisig file
     UPDATER_MAX_URL       4096   bytes of a URL
     UPDATER_MAX_HTTP_HEADER 16384 bytes of an HTTP response's header section
     UPDATER_MAX_HTTP_HEADERS  100 header fields in an HTTP response
     UPDATER_MAX_MANIFEST_KEYS 8   @trust-key / @revoke-key lines
   Implementation only (define before the UPDATER_IMPLEMENTATION include):
     UPDATER_ASSERT(x)                 default assert(x); for API misuse only
     UPDATER_MALLOC(ctx, size)         } override all three or none; ctx is
     UPDATER_REALLOC(ctx, ptr, size)   } the alloc_ctx field of the object
     UPDATER_FREE(ctx, ptr)            } that allocates (NULL by default)
     UPDATER_MAX_MANIFEST_BYTES   1 MiB  whole manifest; a real one is KiBs
     UPDATER_MAX_MANIFEST_LINE    4096   bytes per line, without the EOL
     UPDATER_MAX_MANIFEST_LINES   20000  lines per manifest
     UPDATER_MAX_MANIFEST_ATTRS   32     key=value attributes per line
     UPDATER_MAX_TAR_DIRS       100000   directories per archive (their modes
                                         wait for the end of extraction)
     UPDATER_NO_SIMD       no PCLMULQDQ CRC-32 path (x86-64; chosen at run time)
     UPDATER_SMALL         smaller code rather than speed: SHA-256/512 rounds as
                           loops, a 1 KiB CRC-32 table, no SIMD paths (on by
                           itself in -Os builds; UPDATER_NO_SMALL keeps speed)
     UPDATER_NO_INT128     no unsigned __int128 in Ed25519 (the portable path)
     UPDATER_NO_THREADS    no upd_check_async/upd_download_async/upd_watch
                           (and no pthreads)
     UPDATER_INSECURE_UNSIGNED  allow upd_client.insecure_unsigned (tests and
                           labs only: a manifest without signature is taken)
   Parts left out (global: define them the same way in every file that
   includes updater.h; their declarations go too):
     UPDATER_NO_HTTP       no HTTP client (section 10), hence no client (12)
     UPDATER_NO_ENGINE     no install engine (11), hence no client (12)
     UPDATER_NO_SIGN       no key generation or signing (upd_ed25519_sign,
                           upd_minisig_sign, upd_seckey_*, keypairs);
                           verification always stays
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
    X(UPD_NEED_INPUT,   1,   "more input is needed")                           \
    X(UPD_NEED_OUTPUT,  2,   "more output space is needed")                    \
    X(UPD_NO_UPDATE,    3,   "no newer release is available")                  \
    X(UPD_E_ARG,       -1,   "invalid argument")                               \
    X(UPD_E_NOMEM,     -2,   "out of memory")                                  \
    X(UPD_E_IO,        -3,   "input/output error")                             \
    X(UPD_E_TOOBIG,    -4,   "input exceeds a configured size limit")          \
    X(UPD_E_TRUNCATED, -5,   "input ends too early")                           \
    X(UPD_E_CANCELED,  -6,   "canceled by the caller")                         \
    X(UPD_E_VERSION,   -20,  "invalid version string")                         \
    X(UPD_E_MANIFEST,  -21,  "malformed manifest")                             \
    X(UPD_E_URL,       -22,  "invalid or disallowed URL")                      \
    X(UPD_E_EXPIRED,   -23,  "manifest has expired")                           \
    X(UPD_E_DIGEST,    -24,  "download differs from the manifest (size or SHA-256)") \
    X(UPD_E_SERIAL,    -25,  "manifest older than one accepted before (@serial)") \
    X(UPD_E_PATCH,     -26,  "binary patch malformed or made from another file") \
    X(UPD_E_TREE,      -27,  "staged tree differs from the release (tree=)") \
    X(UPD_E_SIG,          -40, "signature verification failed")                \
    X(UPD_E_SIG_GLOBAL,   -41, "trusted comment signature verification failed") \
    X(UPD_E_KEYID,        -42, "signed by a key that is not trusted (key id)")  \
    X(UPD_E_SIG_ALG,      -43, "unsupported signature or key algorithm")       \
    X(UPD_E_SIG_FORMAT,   -44, "malformed signature or key file")              \
    X(UPD_E_BASE64,       -45, "invalid base64 in a signature or key")         \
    X(UPD_E_KEY_ENCRYPTED,-46, "secret key is encrypted (use minisign -W keys)") \
    X(UPD_E_RANDOM,       -47, "no source of randomness")                      \
    X(UPD_E_GZIP_MAGIC,  -60, "not gzip data (bad magic bytes)")               \
    X(UPD_E_GZIP_METHOD, -61, "gzip: unsupported compression method")         \
    X(UPD_E_GZIP_FLAGS,  -62, "gzip: reserved header flags set")               \
    X(UPD_E_GZIP_HCRC,   -63, "gzip: header CRC mismatch")                     \
    X(UPD_E_GZIP_CRC,    -64, "gzip: CRC-32 mismatch")                         \
    X(UPD_E_GZIP_SIZE,   -65, "gzip: size (ISIZE) mismatch")                   \
    X(UPD_E_DEFLATE_BLOCK,      -70, "deflate: invalid block type")            \
    X(UPD_E_DEFLATE_STORED,     -71, "deflate: stored block length mismatch")  \
    X(UPD_E_DEFLATE_OVERSUB,    -72, "deflate: over-subscribed code lengths")  \
    X(UPD_E_DEFLATE_INCOMPLETE, -73, "deflate: incomplete code lengths")       \
    X(UPD_E_DEFLATE_LENS,       -74, "deflate: invalid code length codes")     \
    X(UPD_E_DEFLATE_SYMBOL,     -75, "deflate: invalid literal/length or distance symbol") \
    X(UPD_E_DEFLATE_DIST,       -76, "deflate: distance too far back")    \
    X(UPD_E_TAR,          -80, "tar: malformed archive")                       \
    X(UPD_E_TAR_CHECKSUM, -81, "tar: header checksum mismatch")                \
    X(UPD_E_TAR_TYPE,     -82, "tar: unsupported entry type")                  \
    X(UPD_E_PATH,         -83, "unsafe path in archive")                       \
    X(UPD_E_HTTP,         -90, "malformed HTTP response")                      \
    X(UPD_E_HTTP_STATUS,  -91, "HTTP error status")                            \
    X(UPD_E_RESOLVE,      -92, "cannot resolve host name")                     \
    X(UPD_E_CONNECT,      -93, "cannot connect")                               \
    X(UPD_E_TIMEOUT,      -94, "timed out")                                    \
    X(UPD_E_REDIRECT,     -95, "redirect refused or too many redirects")       \
    X(UPD_E_RANGE,        -96, "server answered a different range")            \
    X(UPD_E_NO_TLS,       -97, "https needs a build with UPDATER_USE_MBEDTLS") \
    X(UPD_E_TLS,          -98, "TLS failure")                                  \
    X(UPD_E_CERT,         -99, "certificate not trusted")                      \
    X(UPD_E_BUSY,        -100, "another update is under way or pending")       \
    X(UPD_E_STATE,       -101, "bad update state (state dir or marker)")       \
    X(UPD_E_TARGET,      -102, "the new version lacks the program")

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
    int      _simd;       /* 0 unknown, 1 SHA-NI, 2 portable (asked once) */
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

/* 5. Signatures: SHA-512, BLAKE2b, Ed25519, minisign -----------------------
   5a. SHA-512 and BLAKE2b ------------------------------------------------------
   SHA-512 (FIPS 180-4) and unkeyed BLAKE2b (RFC 7693), streaming; Ed25519
   and minisign need both. */
typedef struct upd_sha512_ctx {
    uint64_t h[8];
    uint64_t len;             /* bytes so far                                  */
    uint8_t buf[128];
    size_t n;                 /* bytes in buf                                  */
} upd_sha512_ctx;
UPDDEF void upd_sha512_init(upd_sha512_ctx *c);
UPDDEF void upd_sha512_update(upd_sha512_ctx *c, const void *data, size_t len);
UPDDEF void upd_sha512_final(upd_sha512_ctx *c, uint8_t out[64]);
UPDDEF void upd_sha512(const void *data, size_t len, uint8_t out[64]);

typedef struct upd_blake2b_ctx {
    uint64_t h[8], t[2];
    uint8_t buf[128];
    size_t n, outlen;
} upd_blake2b_ctx;
/* outlen: digest bytes, 1..64 (64 = BLAKE2b-512) */
UPDDEF void upd_blake2b_init(upd_blake2b_ctx *c, size_t outlen);
UPDDEF void upd_blake2b_update(upd_blake2b_ctx *c, const void *data, size_t len);
UPDDEF void upd_blake2b_final(upd_blake2b_ctx *c, uint8_t *out);
UPDDEF void upd_blake2b(const void *data, size_t len, uint8_t *out, size_t outlen);

/* 5b. Ed25519 ------------------------------------------------------------------
   RFC 8032 Ed25519. Verification is strict (see the >>ed25519 notes): S < L,
   canonical A and R, neither of small order, cofactorless equation.
   Returns UPD_OK or UPD_E_SIG. A secret key is seed || public key (64
   bytes, the layout minisign stores). Randomness for key generation comes
   from getrandom() or /dev/urandom; UPD_E_RANDOM if neither works. */
UPDDEF upd_result upd_ed25519_verify(const uint8_t sig[64], const void *msg, size_t len, const uint8_t pub[32]);
#ifndef UPDATER_NO_SIGN
UPDDEF void upd_ed25519_sign(uint8_t sig[64], const void *msg, size_t len, const uint8_t sec[64]);
UPDDEF void upd_ed25519_seed_keypair(uint8_t pub[32], uint8_t sec[64], const uint8_t seed[32]);
UPDDEF upd_result upd_ed25519_keypair(uint8_t pub[32], uint8_t sec[64]);
#endif
UPDDEF upd_result upd_random(void *buf, size_t len);

/* 5c. minisign keys and signatures ------------------------------------------
   Byte-exact minisign formats (docs/signatures.md): a public key is
   "Ed" || key id (8) || Ed25519 key (32) in base64, alone on a line or after
   an "untrusted comment:" line; a signature file is four lines:
       untrusted comment: <anything, authenticated by nothing>
       base64("Ed" or "ED" || key id || R || S)      ED = over BLAKE2b-512(file)
       trusted comment: <printable UTF-8, tabs allowed>
       base64(global signature over R || S || trusted comment)
   LF or CRLF; strict base64 (padding, no whitespace). Verification needs a
   trusted key with the signature's key id (several may be trusted: key
   rotation), then both signatures; any failure is failure. Errors:
   UPD_E_SIG_FORMAT, UPD_E_BASE64, UPD_E_SIG_ALG, UPD_E_KEYID, UPD_E_SIG,
   UPD_E_SIG_GLOBAL, UPD_E_KEY_ENCRYPTED (a secret key protected by a
   password: use minisign -W, or sign with minisign -S). */
#ifndef UPDATER_MAX_MINISIG
#define UPDATER_MAX_MINISIG 4096   /* bytes of a .minisig file */
#endif
typedef struct upd_pubkey {
    uint8_t id[8];            /* key id (keynum), as stored                    */
    uint8_t key[32];          /* Ed25519 public key                            */
} upd_pubkey;
#ifndef UPDATER_NO_SIGN
typedef struct upd_seckey {
    uint8_t id[8];
    uint8_t key[64];          /* seed || public key                            */
} upd_seckey;
#endif
typedef struct upd_minisig {
    int prehashed;            /* 1: "ED" (BLAKE2b-512 of the file), 0: "Ed"    */
    uint8_t id[8];
    uint8_t sig[64];
    uint8_t global[64];
    char trusted[UPDATER_MAX_MINISIG]; /* the trusted comment, NUL-terminated  */
} upd_minisig;
/* A streaming verifier: init (checks the key id), feed the file, final. */
typedef struct upd_minisig_verifier {
    const upd_minisig *sig;
    const upd_pubkey *key;    /* the trusted key that matched                  */
    upd_sha512_ctx _sha;
    upd_blake2b_ctx _b2;
} upd_minisig_verifier;

/* Parses a public key file's text or a bare base64 line. */
UPDDEF upd_result upd_pubkey_parse(upd_pubkey *k, const char *text, size_t len);
#ifndef UPDATER_NO_SIGN
/* Parses an unencrypted minisign secret key file (UPD_E_KEY_ENCRYPTED for a
   password-protected one). */
UPDDEF upd_result upd_seckey_parse(upd_seckey *k, const char *text, size_t len);
#endif
UPDDEF upd_result upd_minisig_parse(upd_minisig *s, const char *text, size_t len);
UPDDEF upd_result upd_minisig_verify_init(upd_minisig_verifier *v, const upd_minisig *s,
                                          const upd_pubkey *keys, size_t nkeys);
UPDDEF void upd_minisig_verify_update(upd_minisig_verifier *v, const void *data, size_t len);
UPDDEF upd_result upd_minisig_verify_final(upd_minisig_verifier *v);
/* The whole check on a message in memory. */
UPDDEF upd_result upd_minisig_verify(const upd_minisig *s, const upd_pubkey *keys, size_t nkeys,
                                     const void *msg, size_t len);
#ifndef UPDATER_NO_SIGN
/* A new key pair with a random key id. */
UPDDEF upd_result upd_minisign_keygen(upd_pubkey *pk, upd_seckey *sk);
#endif
/* Writes the key files' text (NUL-terminated) into out; UPD_E_TOOBIG if
   cap is too small (256 bytes always suffice for a public key, 512 for a
   secret key). */
UPDDEF upd_result upd_pubkey_format(const upd_pubkey *k, char *out, size_t cap);
#ifndef UPDATER_NO_SIGN
UPDDEF upd_result upd_seckey_format(const upd_seckey *k, char *out, size_t cap);
/* Signs: for prehashed, msg is the file's BLAKE2b-512 digest (64 bytes),
   else the file itself; trusted is the trusted comment (printable UTF-8).
   Writes the four-line signature file into out (UPDATER_MAX_MINISIG bytes
   suffice). */
UPDDEF upd_result upd_minisig_sign(const upd_seckey *k, int prehashed, const void *msg, size_t len,
                                   const char *trusted, char *out, size_t cap);
#endif /* UPDATER_NO_SIGN */

/* 6. gzip / DEFLATE decoder ---------------------------------------------------
   RFC 1952 gzip members holding RFC 1951 DEFLATE data, streamed: each call
   takes any amount of input and any amount of output space, and is
   resumable at any byte boundary. No allocation; the 32 KiB window lives in
   the state. Several members in a row decode as one stream (like gzip -d);
   anything after a member that is not another member is an error (no
   trailing garbage, no zero padding). Errors are sticky until re-init.

       upd_gunzip z;                      // or: static upd_gunzip z; (all-zero = init'ed, no limit)
       upd_gunzip_init(&z, 1u << 30);     // refuse more than 1 GiB of output
       for (;;) {
           size_t in_len = avail, out_len = sizeof out;
           upd_result r = upd_gunzip_run(&z, in, &in_len, out, &out_len, at_eof);
           in += in_len; avail -= in_len;      // what was consumed
           write(fd, out, out_len);            // what was produced
           if (r == UPD_OK) break;             // stream complete
           if (r < 0) fail(upd_strerror(r));   // a corrupt stream, never UB
           if (r == UPD_NEED_INPUT) read more; // UPD_NEED_OUTPUT: just loop
       }                                                                       */
typedef struct upd_gunzip {
    uint64_t max_output;      /* output limit in bytes, 0 = none (bombs!)      */
    uint64_t total_out;       /* bytes delivered so far, all members           */
    uint64_t total_in;        /* bytes consumed so far                         */
    uint32_t members;         /* gzip members completed                        */
    /* private */
    uint64_t _bits;           /* bit buffer, LSB first                         */
    uint32_t _nbits, _state, _err, _last, _n, _k, _hlit, _hdist, _flags, _hcrc;
    uint32_t _crc, _isize;    /* of the member so far                          */
    uint32_t _wnext, _whave;  /* window write position, member bytes held      */
    uint32_t _clen, _cdist;   /* a match cut short by the end of the output    */
    uint32_t _fixed;          /* the tables hold the fixed codes               */
    uint8_t  _lens[320];
    uint32_t _lit[2342];      /* lit/len decode table: 11-bit root + subtables */
    uint32_t _dst[402];       /* distance decode table: 8-bit root + subtables */
    uint8_t  _win[32768];     /* the window: a ring of the last 32 KiB output  */
} upd_gunzip;

/* Resets z for a new stream with an output limit (0 = unlimited). */
UPDDEF void upd_gunzip_init(upd_gunzip *z, uint64_t max_output);
/* Decodes from in[0..*in_len) into out[0..*out_len); on return *in_len and
   *out_len hold what was consumed and produced. final = 1 says no input
   follows what is given, so a stream that stops early is UPD_E_TRUNCATED
   rather than UPD_NEED_INPUT. Returns UPD_OK when the last member is
   complete and all its output delivered, UPD_NEED_INPUT, UPD_NEED_OUTPUT, or
   an error: UPD_E_GZIP_MAGIC, UPD_E_GZIP_METHOD, UPD_E_GZIP_FLAGS,
   UPD_E_GZIP_HCRC, UPD_E_GZIP_CRC, UPD_E_GZIP_SIZE, UPD_E_DEFLATE_BLOCK,
   UPD_E_DEFLATE_STORED, UPD_E_DEFLATE_OVERSUB, UPD_E_DEFLATE_INCOMPLETE,
   UPD_E_DEFLATE_LENS, UPD_E_DEFLATE_SYMBOL, UPD_E_DEFLATE_DIST,
   UPD_E_TRUNCATED, UPD_E_TOOBIG (max_output reached). */
UPDDEF upd_result upd_gunzip_run(upd_gunzip *z, const uint8_t *in, size_t *in_len,
                                 uint8_t *out, size_t *out_len, int final);
/* CRC-32 (ISO-HDLC, as in gzip): crc = upd_crc32(crc, data, len), from 0. */
UPDDEF uint32_t upd_crc32(uint32_t crc, const void *data, size_t len);

/* 7. tar reader and safe extractor ---------------------------------------------
   The reader is a push parser with fixed memory (no allocation): feed it any
   chunks of a tar stream and it calls back once per entry, with the entry's
   data in pieces, and once at its end. It reads POSIX ustar (name + prefix),
   pax extended headers ('x': path, linkpath, size, mtime; 'g' and other keys
   ignored), GNU long names ('L'/'K'), v7 headers, octal and base-256
   numbers, both checksum variants; regular files ('0', NUL, '7'),
   directories, symlinks and hard links. Other types (devices, FIFOs, GNU
   sparse, unknown) are refused with UPD_E_TAR_TYPE, or skipped when
   UPD_TAR_SKIP_UNSUPPORTED is set. The archive ends at two zero blocks
   (anything after them is ignored: tar pads to its record size) or at the
   end of input on a block boundary.

       upd_tar t;
       upd_tar_init(&t, 0);
       t.on_entry = my_entry; t.on_data = my_data; t.on_end = my_end; t.user = me;
       while ((n = read(fd, buf, sizeof buf)) > 0)
           if ((r = upd_tar_feed(&t, buf, n)) != UPD_OK) break;   // t.why says what
       if (r == UPD_OK) r = upd_tar_finish(&t);                   // UPD_E_TRUNCATED?

   The extractor (upd_untar_*) writes a .tar or .tar.gz (told apart by magic)
   into a destination directory and is secure by default: it refuses absolute
   names, '..' components, backslashes and empty names (UPD_E_PATH); it
   reaches every path component from the destination's directory with
   openat(O_NOFOLLOW), so no symlink, whether it was already there or came
   from the archive, is ever followed while writing; a symlink is created
   only if its target is relative, climbs ('..') only at its start and no
   higher than the destination, and then only descends; a hard link only to
   a regular file inside the destination. Each file is written under a
   temporary name in its directory and renamed into place, so an existing
   file, or one hard-linked elsewhere, is replaced and never written
   through. Permission bits are kept (setuid, setgid and sticky dropped
   unless UPD_UNTAR_KEEP_SPECIAL), owners are not, mtimes are; directories
   get their modes and mtimes at the end, so a read-only directory can still
   be filled. A later entry of the same name replaces an earlier one, as in
   tar. On an error, x->error names the entry and the reason; what was
   extracted so far stays (extract into a staging directory). */
#ifndef UPDATER_MAX_PATH
#define UPDATER_MAX_PATH 4096   /* bytes of an entry's path or link target */
#endif

enum {
    UPD_TAR_FILE = '0', UPD_TAR_HARDLINK = '1', UPD_TAR_SYMLINK = '2', UPD_TAR_DIR = '5'
};
#define UPD_TAR_SKIP_UNSUPPORTED  1u  /* skip devices, FIFOs... instead of failing */
#define UPD_UNTAR_KEEP_SPECIAL    2u  /* keep setuid, setgid and sticky bits     */
#define UPD_UNTAR_NO_GROUP_WRITE 16u  /* drop group and world write (mode & ~022):
                                         what the install engine uses      */
#define UPD_UNTAR_FSYNC           4u  /* fsync each file before its rename        */
#define UPD_UNTAR_LIST            8u  /* check and report entries, write nothing  */

typedef struct upd_tar_entry {
    const char *path;         /* as stored (pax, GNU long name or prefix/name)  */
    const char *linkpath;     /* symlink or hard link target, else ""           */
    int type;                 /* UPD_TAR_FILE, _HARDLINK, _SYMLINK or _DIR      */
    uint32_t mode;            /* the 12 permission bits as stored               */
    uint64_t size;            /* data bytes (files only; 0 for the others)      */
    int64_t mtime;            /* seconds since 1970                             */
    uint64_t offset;          /* byte offset of the entry's header              */
} upd_tar_entry;

typedef struct upd_tar {
    /* callbacks: any result but UPD_OK stops the reader with that result */
    upd_result (*on_entry)(void *user, const upd_tar_entry *e);
    upd_result (*on_data)(void *user, const uint8_t *data, size_t len);
    upd_result (*on_end)(void *user, const upd_tar_entry *e);
    void (*on_skip)(void *user, const upd_tar_entry *e, int typeflag); /* skipped */
    void *user;
    unsigned flags;           /* UPD_TAR_SKIP_UNSUPPORTED                       */
    uint64_t offset;          /* bytes consumed so far                          */
    uint64_t entries;         /* entries reported so far                        */
    const char *why;          /* after an error: what was wrong, in words       */
    upd_tar_entry entry;      /* the current entry                              */
    /* private */
    uint64_t _left, _pad, _xsize;
    int64_t _xmtime;
    uint32_t _state, _err, _hpos, _have, _rlen, _rpos, _rst, _klen, _vlen, _rkey;
    uint8_t _hdr[512];
    char _key[32], _val[32];
    char _path[UPDATER_MAX_PATH + 1], _link[UPDATER_MAX_PATH + 1];
} upd_tar;

/* Resets t (callbacks and user cleared too: set them after). */
UPDDEF void upd_tar_init(upd_tar *t, unsigned flags);
/* Feeds len bytes; UPD_OK, or the first error (sticky): UPD_E_TAR (malformed:
   t->why says how), UPD_E_TAR_CHECKSUM, UPD_E_TAR_TYPE, UPD_E_TOOBIG (a name
   over UPDATER_MAX_PATH), or what a callback returned. */
UPDDEF upd_result upd_tar_feed(upd_tar *t, const void *data, size_t len);
/* At the end of input: UPD_OK if the archive ended cleanly, else
   UPD_E_TRUNCATED (or the sticky error). */
UPDDEF upd_result upd_tar_finish(upd_tar *t);

typedef struct upd_untar {
    unsigned flags;           /* UPD_TAR_SKIP_UNSUPPORTED, UPD_UNTAR_*          */
    uint64_t max_bytes;       /* refuse archives expanding to more, 0 = no cap  */
    uint64_t max_entries;     /* refuse archives with more entries, 0 = no cap  */
    /* called for each entry before it is written (for listing, progress) */
    void (*on_entry)(void *user, const upd_tar_entry *e);
    void *user;
    void *alloc_ctx;          /* for UPDATER_MALLOC/FREE                        */
    uint64_t files, dirs, links, bytes; /* what was written                    */
    char error[UPDATER_MAX_PATH + 200]; /* after an error: entry and reason     */
    /* private */
    upd_tar _tar;
    struct upd_gunzip *_gz;
    uint8_t *_buf;
    uint8_t *_dirs;           /* deferred directory modes: records          */
    size_t _dlen, _dcap;
    int _root, _fd, _pfd, _cfd, _kind, _nmagic;
    uint8_t _magic[2];
    uint32_t _seq;
    char _tmp[48];
    char _cpath[UPDATER_MAX_PATH + 1]; /* the cached parent directory (_cfd) */
    char _p1[UPDATER_MAX_PATH + 1], _p2[UPDATER_MAX_PATH + 1]; /* cleaned paths */
} upd_untar;

/* Opens the destination directory dir (which must exist) for extraction. */
UPDDEF upd_result upd_untar_open(upd_untar *x, const char *dir, unsigned flags);
/* Feeds archive bytes (.tar or .tar.gz, told by the first two bytes). */
UPDDEF upd_result upd_untar_feed(upd_untar *x, const void *data, size_t len);
/* Ends the archive: checks it ended cleanly, applies directory modes. */
UPDDEF upd_result upd_untar_finish(upd_untar *x);
/* Releases everything; removes a half-written temporary file. */
UPDDEF void upd_untar_close(upd_untar *x);
/* The whole job for a file: open, feed, finish, close. err (may be NULL)
   receives x->error on failure. */
UPDDEF upd_result upd_untar_file(const char *archive, const char *dir, unsigned flags,
                                 char *err, size_t errcap);

/* 8. URLs ---------------------------------------------------------------------
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

/* 9. Manifest ------------------------------------------------------------------
   The `versions` text format (docs/manifest.md): '#' comments, '@serial N'
   (required), '@expires YYYY-MM-DDTHH:MM:SSZ', and release lines
       app version key=value...
   with required url, size, sha256 and optional from, channel, rollout, min,
   notes, critical, tree. Unknown keys and '@' directives are ignored. */
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
    int has_tree;            /* 1 if tree= was given:                       */
    uint8_t tree[32];        /* the SHA-256 of the release's tree listing
                                (docs/delta.md); given on one line of an
                                app and version, it applies to all of them
                                (two lines giving different ones: error)   */
    unsigned line;           /* line number in the manifest                 */
} upd_release;

#ifndef UPDATER_MAX_MANIFEST_KEYS
#define UPDATER_MAX_MANIFEST_KEYS 8 /* @trust-key (and @revoke-key) lines     */
#endif
typedef struct upd_manifest {
    uint64_t serial;         /* @serial, 0..2^63-1                          */
    int has_expires;         /* 1 if @expires was given ...                 */
    int64_t expires;         /* ... as seconds since 1970-01-01T00:00:00Z   */
    /* key rotation (docs/client.md): '@trust-key RW...' announces a key
       that installations add to their trusted set once this manifest
       verified; '@revoke-key RW...' removes one for good (embedded keys
       too). A key may not be both. */
    upd_pubkey trust[UPDATER_MAX_MANIFEST_KEYS];
    size_t ntrust;
    upd_pubkey revoke[UPDATER_MAX_MANIFEST_KEYS];
    size_t nrevoke;
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
   line ending does) and, with its line, when a resolved URL is longer than
   UPDATER_MAX_URL, UPD_E_NOMEM. On failure nothing stays allocated (upd_manifest_free is
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
    /* optional: versions for which skip() returns nonzero are not offered
       (e.g. ones rolled back on this installation) */
    int (*skip)(void *user, const char *version);
    void *skip_user;
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

/* 10. HTTP client ----------------------------------------------------------------
   A small HTTP/1.1 client (RFC 9110/9112) for GET: one request at a time,
   the body pushed to a callback in fixed memory. http:// always; https://
   when built with UPDATER_USE_MBEDTLS (else UPD_E_NO_TLS); file:// for
   offline updates (never reached by a redirect). Timeouts: connect, each
   read or write, a whole-transfer deadline, and a low-speed limit (under
   low_speed_bytes per second for low_speed_secs: the slow-retrieval
   defence). Redirects (301, 302, 303, 307, 308) up to max_redirects, only
   to http or https, never from https to http; credentials are dropped when
   the host changes. Proxies from http_proxy / HTTPS_PROXY / no_proxy as curl
   reads them, unless proxy is set (an empty string: no proxy). Resume:
   range_from asks for the bytes from there on (Range, If-Range); the
   on_start callback learns whether the server honoured it (resumed = 1,
   206 with the right Content-Range) or sends everything again (200:
   resumed = 0, start over). Status codes other than 2xx and 304 are
   UPD_E_HTTP_STATUS with the status in the result; 304 is UPD_OK with
   status 304 and no body.

       upd_http_opts o = {0};             // all-zero: the defaults below
       upd_http_result res;
       o.on_body = write_to_file; o.user = &fd; o.max_body = 100u << 20;
       if (upd_http_get("http://example.org/hello-1.5.tar.gz", &o, &res) != UPD_OK)
           fprintf(stderr, "%s\n", res.error);    // "HTTP 404 for http://..."  */
#ifndef UPDATER_MAX_URL
#define UPDATER_MAX_URL 4096u /* bytes of a URL (also sizes upd_http_result) */
#endif
#ifndef UPDATER_MAX_HTTP_HEADER
#define UPDATER_MAX_HTTP_HEADER 16384 /* bytes of a response's header section */
#endif
#ifndef UPDATER_MAX_HTTP_HEADERS
#define UPDATER_MAX_HTTP_HEADERS 100  /* header fields in a response         */
#endif

#ifndef UPDATER_NO_HTTP
typedef struct upd_http_result {
    int status;               /* the final response's status (0: none)        */
    int resumed;              /* 1: a 206 for the range asked for             */
    uint64_t length;          /* body bytes announced (UINT64_MAX: unknown)    */
    uint64_t total;           /* whole resource size (Content-Range or length) */
    uint64_t received;        /* body bytes delivered                          */
    long retry_after;         /* Retry-After in seconds, -1 if none           */
    int redirects;            /* redirects followed                            */
    char etag[128];           /* ETag of the response, "" if none             */
    char last_modified[64];   /* Last-Modified, "" if none                     */
    char url[UPDATER_MAX_URL + 1]; /* the URL finally fetched                  */
    char error[UPDATER_MAX_URL + 512]; /* after an error: what, in words      */
} upd_http_result;

typedef struct upd_http_opts {
    const char *user_agent;   /* default "updater.h/VERSION"                    */
    const char *const *headers; /* extra "Name: value" lines, NULL-terminated  */
    uint64_t range_from;      /* ask for bytes from here on (0: all)           */
    const char *if_range;     /* ETag or date for If-Range with range_from     */
    const char *if_none_match;     /* conditional GET: 304 if unchanged        */
    const char *if_modified_since;
    uint64_t max_body;        /* refuse a longer body (0: no limit)            */
    int connect_timeout_ms;   /* default 10000                                  */
    int io_timeout_ms;        /* silence allowed while reading/writing: 30000   */
    int deadline_ms;          /* whole transfer, redirects included: 0 = none   */
    uint32_t low_speed_bytes; /* with low_speed_secs: abort when slower         */
    int low_speed_secs;
    int max_redirects;        /* default 5; -1: none                            */
    const char *proxy;        /* NULL: from the environment; "": none           */
    const char *cacert;       /* TLS: CA bundle (default: the system's)         */
    /* when *cancel becomes nonzero (from any thread or a signal handler),
       the transfer stops with UPD_E_CANCELED within a quarter second, even
       while it waits for the network */
    const volatile int *cancel;
    /* called once the final response's headers are in (status 2xx), before
       any body byte: the sink truncates its file if r->resumed is 0 */
    upd_result (*on_start)(void *user, const upd_http_result *r);
    upd_result (*on_body)(void *user, const uint8_t *data, size_t len);
    /* progress: bytes of this response so far and its length (UINT64_MAX if
       unknown); any result but UPD_OK cancels (UPD_E_CANCELED by default) */
    upd_result (*on_progress)(void *user, uint64_t done, uint64_t total);
    void *user;
} upd_http_opts;

UPDDEF upd_result upd_http_get(const char *url, const upd_http_opts *o, upd_http_result *res);

/* The response parser on its own (it is what upd_http_get uses; exposed
   for tests and fuzzing): feed bytes, get the status, headers and body
   bytes through callbacks. */
typedef struct upd_http_parser {
    int status, minor;
    uint64_t length;          /* Content-Length (UINT64_MAX: none)             */
    int chunked, close;       /* framing; close: the server closes after this   */
    long retry_after;
    char location[UPDATER_MAX_URL + 1];
    char etag[128], last_modified[64], content_range[128];
    const char *why;          /* after an error, in words                      */
    /* the final response's header section is complete (not for 1xx); a
       result other than UPD_OK stops the parser with it */
    upd_result (*on_headers)(void *user, struct upd_http_parser *p);
    upd_result (*on_body)(void *user, const uint8_t *data, size_t len);
    void *user;
    /* private */
    uint64_t _left;
    uint32_t _state, _err, _hbytes, _nheaders, _llen, _no_body, _interim;
    char _line[UPDATER_MAX_HTTP_HEADER + 1];
} upd_http_parser;
/* no_body: 1 for a response that has none whatever it says (HEAD, 1xx, 204, 304) */
UPDDEF void upd_http_parser_init(upd_http_parser *p);
/* Returns UPD_OK when the response is complete (*used bytes consumed; the
   rest belongs to the next response), UPD_NEED_INPUT, or an error
   (UPD_E_HTTP, UPD_E_TOOBIG, or what on_body returned). */
UPDDEF upd_result upd_http_parser_feed(upd_http_parser *p, const uint8_t *data, size_t len, size_t *used);
/* At the end of the connection: UPD_OK if that ends the body (close-
   delimited), else UPD_E_TRUNCATED. */
UPDDEF upd_result upd_http_parser_eof(upd_http_parser *p);
#endif /* UPDATER_NO_HTTP */

/* 11. Install, swap, trial run and rollback --------------------------------------
   The marker-file double exec (docs/engine.md). The program calls
   upd_startup() first thing in main(); upd_install() stages a verified
   archive beside the install dir and exec()s a helper copy of the program,
   whose upd_startup() swaps the trees and exec()s the new version, which
   runs on trial until it calls upd_mark_good(); after max_trials starts
   without that, upd_startup() puts the previous tree back, records the
   version as failed and exec()s the old program with the same argv.
   The state dir (default: the install dir's path + ".update", so that
   renames between them are atomic) holds `marker` (the journal), `staged/`,
   `previous/`, `helper`, `lock` and `failed`. Every step is journaled in
   the marker before or after an atomic rename, so a crash at any instant
   leaves the install path naming the complete old or the complete new tree
   (or, on filesystems without RENAME_EXCHANGE, for one rename, neither:
   the next start finishes the swap), and the next upd_startup() converges.

       int main(int argc, char **argv) {
           upd_engine e = {0};
           e.install_dir = "/opt/hello"; e.exe = "bin/hello";
           if (upd_startup(&e, argc, argv) != UPD_OK) fprintf(stderr, "%s\n", e.error);
           ... if (healthy) upd_mark_good(&e);   // e.trial says whether on trial
       }                                                                       */
#ifndef UPDATER_NO_ENGINE
typedef struct upd_engine {
    const char *install_dir;  /* the tree to update (absolute path)            */
    const char *install_file; /* or, single-executable mode: the program file
                                 itself (absolute path; install_dir unused),
                                 replaced by rename, never written into     */
    const char *state_dir;    /* default install_dir (or install_file) +
                                 ".update", beside it on the same filesystem */
    const char *exe;          /* the program, relative to install_dir; in
                                 single-executable mode, the program's path
                                 inside the archive (default: install_file's
                                 last component)                            */
    int max_trials;           /* starts on trial before rollback: default 3    */
    uint64_t max_unpacked;    /* refuse an archive that expands to more bytes:
                                 default 8 GiB (even a signed one: a stolen
                                 key must not fill the disk unbounded)     */
    uint64_t max_entries;     /* ... or has more entries: default 1000000    */
    const char *tree;         /* NULL, or the release's tree= (64 hex digits):
                                 a package carrying .updater-tree must list a
                                 tree of that hash, and the staged tree must
                                 match the listing (docs/delta.md)          */
    int need_tree;            /* 1: the package must carry .updater-tree (the
                                 client sets it for incremental packages
                                 whose line gives tree=)                   */
    int no_exec;              /* external updater (a tool updating another
                                 program, e.g. `upd update`): upd_install()
                                 swaps in this process and returns UPD_OK
                                 (the program is on trial from its next
                                 start); upd_startup() never exec()s: after
                                 a rollback it returns with rolled_back = 1 */
    /* progress: phase is "clone", "extract", "patch", "delete", "verify",
       "sync", "marker", "helper", "swap", "trial", "rollback", "good" */
    void (*on_event)(void *user, const char *phase, const char *detail);
    void *user;
    /* set by upd_startup */
    int trial;                /* 1: this start runs a new version on trial     */
    int rolled_back;          /* 1: upd_startup rolled back (then it exec()s)  */
    char version[64];         /* the version on trial, if any                  */
    char error[UPDATER_MAX_PATH + 256];
    /* private */
    int _argc;
    char **_argv;
    char _sdir[UPDATER_MAX_PATH + 1];
} upd_engine;

/* Finishes whatever the marker says is pending; returns UPD_OK to run the
   program (e->trial says if on trial), or an error (e->error). Does not
   return when it exec()s (the helper's swap, a rollback). */
UPDDEF upd_result upd_startup(upd_engine *e, int argc, char **argv);
/* Stages the verified archive (.tar or .tar.gz) as version and exec()s the
   helper; returns only on failure, with the install untouched, or
   UPD_E_BUSY when another update is under way (with no_exec: UPD_OK once
   swapped). */
UPDDEF upd_result upd_install(upd_engine *e, const char *archive, const char *version);
/* The new version works: ends the trial and removes the previous tree. */
UPDDEF upd_result upd_mark_good(upd_engine *e);
/* 1 if version was rolled back on this installation (never offer it). */
UPDDEF int upd_version_failed(upd_engine *e, const char *version);
#endif /* UPDATER_NO_ENGINE */


/* 12. Check, download, update ------------------------------------------------
   What a program calls to update itself (docs/client.md): upd_check() fetches
   the manifest and its minisign signature (one conditional request when
   nothing changed), verifies them with the trusted keys, refuses a manifest
   older than one accepted before (@serial, kept in the state dir) or past its
   @expires, and picks the best release for this installation (app, channel,
   installed version, min, rollout bucket of a random id kept in the state
   dir; never a downgrade, never a version that was rolled back here; an
   incremental package from the installed version when there is one).
   upd_download() fetches it into <state>/download.part, resuming after an
   interruption or a crash (Range + If-Range; <state>/download.info keeps the
   URL, digest, validator and the offset known to be on disk), stops at the
   declared size and checks the SHA-256 before anything reads the archive,
   which then is <state>/archive. upd_apply() hands it to upd_install().
   upd_update() does all of it, asking confirm() before installing.

       const char *urls[] = {"https://example.org/hello/versions", NULL};
       const char *keys[] = {"RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3", NULL};
       upd_client c = {0};
       c.engine = &e;  c.manifest_urls = urls;  c.pubkeys = keys;
       c.app = "hello";  c.current = HELLO_VERSION;
       r = upd_update(&c);   // does not return when it installs; else:
       if (r != UPD_NO_UPDATE) fprintf(stderr, "update: %s\n", c.error);

   The background variants (not with UPDATER_NO_THREADS) run one worker
   thread per client: upd_check_async(), upd_download_async() and
   upd_watch() (periodic: a random delay after start, a jittered interval,
   exponential backoff on failures, the server's Retry-After honoured).
   Their callback runs ON THE WORKER THREAD; the program installs when it
   chooses with upd_apply() from its own thread. upd_cancel() is safe from
   any thread (also from the callback); upd_wait() joins the worker and
   must be called before the client goes away. */
#if !defined(UPDATER_NO_HTTP) && !defined(UPDATER_NO_ENGINE)
typedef struct upd_offer {
    char version[64];         /* the version offered                            */
    char from[64];            /* incremental: the installed version it applies
                                 on top of; "" for a full package               */
    char url[UPDATER_MAX_URL + 1];      /* the package to download             */
    uint64_t size;            /* ... its size and digest, from the manifest      */
    uint8_t sha256[32];
    char full_url[UPDATER_MAX_URL + 1]; /* when url is incremental: the full
                                 package of the same version ("" if none), the
                                 fallback when the incremental one fails       */
    uint64_t full_size;
    uint8_t full_sha256[32];
    char tree[65];            /* the release's tree= (hex), "" if not given    */
    char notes[UPDATER_MAX_URL + 1];    /* release notes URL, or ""             */
    int critical;             /* 1: a release offered is marked critical=1       */
    uint64_t serial;          /* the manifest's @serial                          */
    char archive[UPDATER_MAX_PATH + 16]; /* set by upd_download(): the verified
                                 archive, ready for upd_apply()                */
} upd_offer;

typedef struct upd_client {
    upd_engine *engine;       /* the install (upd_startup() called on it); its
                                 state dir holds the client's state too. NULL
                                 for a check only (then state_dir is used)     */
    const char *state_dir;    /* without an engine: where serial, id and the
                                 manifest cache live (NULL: no state kept, so
                                 no rollback protection: upd check only)      */
    const char *const *manifest_urls; /* the manifest URL, then mirrors tried
                                 in order; NULL-terminated                     */
    const char *const *pubkeys; /* trusted minisign public keys: the base64
                                 line "RW..." or a whole .pub file's text,
                                 NULL-terminated; at most 16                   */
    const char *app;          /* this program's name in the manifest             */
    const char *current;      /* the running version                             */
    const char *channel;      /* NULL: "stable"                                  */
    int insecure_unsigned;    /* accept a manifest without a signature: only
                                 honoured in a build with
                                 UPDATER_INSECURE_UNSIGNED, and it warns on
                                 stderr at every check                        */
    upd_http_opts http;       /* timeouts, proxy, cacert, user agent, headers;
                                 the range, conditional, callback and cancel
                                 fields are the client's own                  */
    /* progress: phase "check", "download", "verify" or "fallback" (the
       incremental package failed: c->fallback says why), bytes done and total
       (0: unknown); a nonzero return cancels (UPD_E_CANCELED). The
       install's own phases come through engine->on_event. */
    int (*on_progress)(void *user, const char *phase, uint64_t done, uint64_t total);
    /* upd_update(): asked before installing; nonzero installs now, zero
       keeps the verified archive for later (UPD_E_CANCELED) */
    int (*confirm)(void *user, const upd_offer *o);
    void *user;
    /* results of the last call */
    long retry_after;         /* the server's Retry-After in seconds, -1: none   */
    int not_modified;         /* 1: the manifest was unchanged (304), the
                                 cached copy was verified and used             */
    unsigned requests;        /* HTTP requests made                              */
    uint64_t downloaded;      /* body bytes received by upd_download()           */
    int resumed;              /* 1: upd_download() continued a partial file      */
    char error[UPDATER_MAX_URL + 512];
    char fallback[UPDATER_MAX_URL + 512]; /* upd_update(): why the incremental
                                 package was dropped for the full one ("" if
                                 it was not); on_progress gets "fallback" then */
    /* private */
    volatile int _cancel;
    void *_worker;
} upd_client;

/* UPD_OK with *o filled, UPD_NO_UPDATE, or an error (c->error says what). */
UPDDEF upd_result upd_check(upd_client *c, upd_offer *o);
/* Downloads and verifies o's package: UPD_OK with o->archive set, or an
   error (UPD_E_DIGEST when size or SHA-256 differ: the file is removed;
   other errors keep the partial file for the next call to resume). */
UPDDEF upd_result upd_download(upd_client *c, upd_offer *o);
/* Installs o->archive (upd_install): returns only on failure. */
UPDDEF upd_result upd_apply(upd_client *c, const upd_offer *o);
/* Check, download (the incremental package, else or on its failure the
   full one), confirm, install. Returns UPD_NO_UPDATE, UPD_E_CANCELED when
   confirm() declined, or an error; does not return when it installs. */
UPDDEF upd_result upd_update(upd_client *c);
/* Stops what the client is doing (in this or another thread) soon, with
   UPD_E_CANCELED; a partial download stays for the next resume. Safe from
   any thread and from a signal handler. Cleared by the next call. */
UPDDEF void upd_cancel(upd_client *c);

#ifndef UPDATER_NO_THREADS
/* Called on the worker thread: r is UPD_OK with the offer (for a download
   or watch: with o->archive verified and ready), UPD_NO_UPDATE (check
   only), or an error (c->error). o is valid during the call only. */
typedef void (*upd_async_fn)(void *user, upd_result r, const upd_offer *o);
/* One worker per client: UPD_E_BUSY while one runs (upd_wait() first). */
UPDDEF upd_result upd_check_async(upd_client *c, upd_async_fn done);
UPDDEF upd_result upd_download_async(upd_client *c, const upd_offer *o, upd_async_fn done);
/* Checks every interval_ms (jittered by up to 10%; the first check after a
   random delay of up to a tenth of it), downloads what it finds and calls
   done when an archive is ready (then stops: install it, or call upd_watch
   again) or on each failure; after failures it waits 30 s, 60 s, 120 s...
   up to interval_ms, and at least as long as the server's Retry-After. */
UPDDEF upd_result upd_watch(upd_client *c, unsigned long interval_ms, upd_async_fn done);
/* Joins the worker (after upd_cancel(), promptly); returns its last
   result, UPD_OK if none ran. */
UPDDEF upd_result upd_wait(upd_client *c);
#endif
#endif /* !UPDATER_NO_HTTP && !UPDATER_NO_ENGINE */

/* 13. Trees and binary patches ---------------------------------------------------
   Incremental updates (docs/delta.md). A tree listing names every entry a
   release installs, one record per line, sorted by path bytes:
       f MODE SIZE SHA256 PATH      d MODE PATH      l PATH TARGET
   (MODE: 4 octal digits, mode & 0755; bytes 0x00-0x20, '%' and 0x7f of PATH
   and TARGET written %XX); the release's tree= is the SHA-256 of the
   listing. A binary patch (UPDDIFF1) turns one old file into one new file:
   bsdiff-style copy-with-differences and inserts, in three gzip sections,
   applied streaming with fixed memory (about 220 KiB). The install engine
   applies .updater-patch/PATH entries and checks .updater-tree itself; these
   functions are for tools (the publisher, `upd tree`, `upd patch`). */
#ifndef UPDATER_NO_ENGINE
#define UPD_TREE_FILE 'f'
#define UPD_TREE_DIR  'd'
#define UPD_TREE_LINK 'l'
/* Formats one listing record (with its '\n') into out; returns its length,
   or 0 if it does not fit in cap (cap >= 3 * UPDATER_MAX_PATH * 2 + 128
   always fits). mode is masked with 0755 here; sha256 and size are used for
   files, target for links. */
UPDDEF size_t upd_tree_record(char *out, size_t cap, int type, unsigned mode, uint64_t size,
                              const uint8_t sha256[32], const char *path, const char *target);
/* Checks the tree under dirfd against the listing read from listing_fd (to
   its end): every record's path exists without following symlinks, with
   its type, mode, size, SHA-256 or link target; records well-formed and in
   order. tree_out (if not NULL) gets the listing's SHA-256; with want (32
   bytes, or NULL) a different hash is UPD_E_TREE too. Returns UPD_OK,
   UPD_E_TREE (a mismatch or a malformed listing, the first one described
   in err), UPD_E_IO or UPD_E_NOMEM. Entries not listed are not looked at. */
UPDDEF upd_result upd_tree_verify(int dirfd, int listing_fd, const uint8_t *want,
                                  uint8_t tree_out[32], char *err, size_t errcap);
/* Applies the UPDDIFF1 patch read from patch_fd (pread, from offset 0) to
   the old file old_fd (pread), writing the new file to out_fd (write, in
   order, from its current position). The old file's size and SHA-256 are
   checked first, the result's at the end. Returns UPD_OK, UPD_E_PATCH (a
   malformed patch, another old file, a wrong result: err says which),
   UPD_E_IO or UPD_E_NOMEM. On failure out_fd holds a partial file. */
UPDDEF upd_result upd_patch_apply(int old_fd, int patch_fd, int out_fd, char *err, size_t errcap);
#define UPD_PATCH_HEADER 112 /* bytes of the fixed UPDDIFF1 header */
#endif /* UPDATER_NO_ENGINE */

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

/* -Os asks for size: the compact variants (UPDATER_SMALL, section 1) */
#if defined(__OPTIMIZE_SIZE__) && !defined(UPDATER_SMALL) && !defined(UPDATER_NO_SMALL)
#define UPDATER_SMALL 1
#endif
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef UPDATER_USE_MBEDTLS
#include <mbedtls/ssl.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/entropy.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/x509_crt.h>
#include <mbedtls/error.h>
#endif
#include <time.h>
#include <dirent.h>
#include <poll.h>
#ifndef UPDATER_NO_THREADS
#include <pthread.h>
#endif
#include <netdb.h>
#include <sys/socket.h>
#include <netinet/in.h>
#if defined(__linux__) && defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 25))
#include <sys/random.h>
#endif

#if defined(__GLIBC__) && !defined(__USE_XOPEN2K8)
#error "updater.h: include updater.h before any system header in the implementation file, or define _POSIX_C_SOURCE 200809L"
#endif
/* A 32-bit off_t would cut offsets past 2 GiB (resume, file://): when this
   fails, updater.h came after a system header; define _FILE_OFFSET_BITS 64
   for the implementation file. */
typedef char upd__off_t_needs_FILE_OFFSET_BITS_64[sizeof(off_t) >= 8 ? 1 : -1];

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
        uint32_t ab_ = (a) ^ (b); /* Maj = ((a ^ b) & (b ^ c)) ^ b; this a ^ b */ \
        uint32_t t2_ = (UPD__ROR32(a, 2) ^ UPD__ROR32(a, 13) ^ UPD__ROR32(a, 22)) + \
                       ((ab_ & bc) ^ (b));     /* is the next round's b ^ c */ \
        bc = ab_;                                                              \
        (d) += t1_;                                                            \
        (h) = t1_ + t2_;                                                       \
    } while (0)

/* big-endian 32-bit load: one load and a byte swap where the compiler
   says which end is which, else bytes assembled by shifts */
static uint32_t upd__be32(const uint8_t *p)
{
#if (defined(__GNUC__) || defined(__clang__)) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint32_t v;
    memcpy(&v, p, 4);
    return __builtin_bswap32(v);
#elif (defined(__GNUC__) || defined(__clang__)) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
#else
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
#endif
}

#define UPD__SHA256_W(j)                                                       \
    do {                                                                       \
        uint32_t x_ = w[((j) - 15) & 15], y_ = w[((j) - 2) & 15];              \
        w[(j) & 15] += (UPD__ROR32(x_, 7) ^ UPD__ROR32(x_, 18) ^ (x_ >> 3)) + w[((j) - 7) & 15] + \
                       (UPD__ROR32(y_, 17) ^ UPD__ROR32(y_, 19) ^ (y_ >> 10)); \
    } while (0)
#define UPD__SHA256_R(a, b, c, d, e, f, g, h, j)                               \
    do {                                                                       \
        if ((j) >= 16) UPD__SHA256_W(j); /* interleaved: more work in flight */ \
        UPD__SHA256_ROUND(a, b, c, d, e, f, g, h, (j));                        \
    } while (0)
#define UPD__SHA256_8(i)                                                       \
    do {                                                                       \
        UPD__SHA256_R(a, b, c, d, e, f, g, h, (i));                            \
        UPD__SHA256_R(h, a, b, c, d, e, f, g, (i) + 1);                        \
        UPD__SHA256_R(g, h, a, b, c, d, e, f, (i) + 2);                        \
        UPD__SHA256_R(f, g, h, a, b, c, d, e, (i) + 3);                        \
        UPD__SHA256_R(e, f, g, h, a, b, c, d, (i) + 4);                        \
        UPD__SHA256_R(d, e, f, g, h, a, b, c, (i) + 5);                        \
        UPD__SHA256_R(c, d, e, f, g, h, a, b, (i) + 6);                        \
        UPD__SHA256_R(b, c, d, e, f, g, h, a, (i) + 7);                        \
    } while (0)
#ifdef UPDATER_SMALL
/* eight rounds (the variables renamed, not moved) in a loop: an eighth of
   the unrolled code, at about 0.8x its speed */
static void upd__sha256_block(uint32_t st[8], const uint8_t *p)
{
    uint32_t w[16], a, b, c, d, e, f, g, h, bc;
    int i;
    for (i = 0; i < 16; i++) w[i] = upd__be32(p + 4 * i);
    a = st[0]; b = st[1]; c = st[2]; d = st[3]; e = st[4]; f = st[5]; g = st[6]; h = st[7];
    bc = b ^ c;
    for (i = 0; i < 64; i += 8) UPD__SHA256_8(i);
    st[0] += a; st[1] += b; st[2] += c; st[3] += d; st[4] += e; st[5] += f; st[6] += g; st[7] += h;
}
#else
static void upd__sha256_block(uint32_t st[8], const uint8_t *p)
{
    uint32_t w[16], a, b, c, d, e, f, g, h, bc;
    int i;
    for (i = 0; i < 16; i++) w[i] = upd__be32(p + 4 * i);
    a = st[0]; b = st[1]; c = st[2]; d = st[3]; e = st[4]; f = st[5]; g = st[6]; h = st[7];
    bc = b ^ c;
    /* fully unrolled with constant indices, so that w[] and the constants
       resolve at compile time (a third faster than a loop over i) */
    UPD__SHA256_8(0); UPD__SHA256_8(8); UPD__SHA256_8(16); UPD__SHA256_8(24);
    UPD__SHA256_8(32); UPD__SHA256_8(40); UPD__SHA256_8(48); UPD__SHA256_8(56);
    st[0] += a; st[1] += b; st[2] += c; st[3] += d; st[4] += e; st[5] += f; st[6] += g; st[7] += h;
}
#endif
#undef UPD__SHA256_W
#undef UPD__SHA256_R
#undef UPD__SHA256_8

UPDDEF void upd_sha256_init(upd_sha256_ctx *c)
{
    static const uint32_t iv[8] = { 0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                                    0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u };
    UPDATER_ASSERT(c != NULL);
    memcpy(c->_h, iv, sizeof iv);
    c->_bytes = 0;
    c->_simd = 0;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(UPDATER_NO_SIMD) && !defined(UPDATER_SMALL)
#define UPD__SHA_NI 1
#include <cpuid.h>
#include <immintrin.h>
/* SHA-256 with the x86 SHA extensions (SHA-NI), chosen at run time. The
   state is kept as the instructions want it (ABEF and CDGH); each group of
   four rounds adds K to four schedule words and runs two sha256rnds2; the
   schedule is W[t-16] + s0(W[t-15]) (sha256msg1) + W[t-7] (alignr of the
   two previous groups) + s1(W[t-2]) (sha256msg2), FIPS 180-4 6.2.2. */
__attribute__((target("sha,ssse3,sse4.1")))
static void upd__sha256_blocks_ni(uint32_t st[8], const uint8_t *p, size_t nblocks)
{
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)st), 0xB1);       /* CDAB */
    __m128i s1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)(st + 4)), 0x1B); /* HGFE */
    __m128i s0 = _mm_alignr_epi8(t, s1, 8);    /* ABEF */
    s1 = _mm_blend_epi16(s1, t, 0xF0);         /* CDGH */
#define UPD__NI_LOAD(k) _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 16 * (k))), bswap)
#define UPD__NI_ROUNDS(i, w)                                                   \
    do {                                                                       \
        m = _mm_add_epi32((w), _mm_loadu_si128((const __m128i *)(const void *)(upd__sha256_k + 4 * (i)))); \
        s1 = _mm_sha256rnds2_epu32(s1, s0, m);                                 \
        s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(m, 0x0E));       \
    } while (0)
/* a = group i-4 (replaced by group i), b = i-3, c = i-2, d = i-1 */
#define UPD__NI_SCHED(a, b, c, d) \
    (a) = _mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32((a), (b)), _mm_alignr_epi8((d), (c), 4)), (d))
    while (nblocks--) {
        __m128i x0, x1, x2, x3, m, save0 = s0, save1 = s1;
        x0 = UPD__NI_LOAD(0); UPD__NI_ROUNDS(0, x0);
        x1 = UPD__NI_LOAD(1); UPD__NI_ROUNDS(1, x1);
        x2 = UPD__NI_LOAD(2); UPD__NI_ROUNDS(2, x2);
        x3 = UPD__NI_LOAD(3); UPD__NI_ROUNDS(3, x3);
        UPD__NI_SCHED(x0, x1, x2, x3); UPD__NI_ROUNDS(4, x0);
        UPD__NI_SCHED(x1, x2, x3, x0); UPD__NI_ROUNDS(5, x1);
        UPD__NI_SCHED(x2, x3, x0, x1); UPD__NI_ROUNDS(6, x2);
        UPD__NI_SCHED(x3, x0, x1, x2); UPD__NI_ROUNDS(7, x3);
        UPD__NI_SCHED(x0, x1, x2, x3); UPD__NI_ROUNDS(8, x0);
        UPD__NI_SCHED(x1, x2, x3, x0); UPD__NI_ROUNDS(9, x1);
        UPD__NI_SCHED(x2, x3, x0, x1); UPD__NI_ROUNDS(10, x2);
        UPD__NI_SCHED(x3, x0, x1, x2); UPD__NI_ROUNDS(11, x3);
        UPD__NI_SCHED(x0, x1, x2, x3); UPD__NI_ROUNDS(12, x0);
        UPD__NI_SCHED(x1, x2, x3, x0); UPD__NI_ROUNDS(13, x1);
        UPD__NI_SCHED(x2, x3, x0, x1); UPD__NI_ROUNDS(14, x2);
        UPD__NI_SCHED(x3, x0, x1, x2); UPD__NI_ROUNDS(15, x3);
        s0 = _mm_add_epi32(s0, save0);
        s1 = _mm_add_epi32(s1, save1);
        p += 64;
    }
#undef UPD__NI_LOAD
#undef UPD__NI_ROUNDS
#undef UPD__NI_SCHED
    t = _mm_shuffle_epi32(s0, 0x1B);           /* FEBA */
    s1 = _mm_shuffle_epi32(s1, 0xB1);          /* DCHG */
    _mm_storeu_si128((__m128i *)(void *)st, _mm_blend_epi16(t, s1, 0xF0));      /* DCBA */
    _mm_storeu_si128((__m128i *)(void *)(st + 4), _mm_alignr_epi8(s1, t, 8)); /* HGFE */
}

/* SHA, SSSE3 and SSE4.1 present (cpuid leaves 7 and 1). */
static int upd__have_sha_ni(void)
{
    unsigned a, b, c, d;
    if (__get_cpuid_max(0, NULL) < 7) return 0;
    __cpuid_count(7, 0, a, b, c, d);
    if (!(b & (1u << 29))) return 0;
    __cpuid(1, a, b, c, d);
    return (c & (1u << 9)) && (c & (1u << 19));
}
#endif

/* The portable block function over n blocks (the tests check the SHA-NI
   path against it). */
static void upd__sha256_blocks(uint32_t st[8], const uint8_t *p, size_t n, int *simd)
{
#ifdef UPD__SHA_NI
    /* cpuid is asked once per hash, and only for big inputs: in a virtual
       machine it traps to the hypervisor and costs microseconds */
    if (n >= 16 && !*simd) *simd = upd__have_sha_ni() ? 1 : 2;
    if (n >= 16 && *simd == 1) { upd__sha256_blocks_ni(st, p, n); return; }
#else
    (void)simd;
#endif
    for (; n > 0; n--, p += 64) upd__sha256_block(st, p);
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
    upd__sha256_blocks(c->_h, p, len / 64, &c->_simd);
    p += len / 64 * 64;
    len %= 64;
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

/* ==== >>sha512 =========================================================== */
/* FIPS 180-4: SHA-512 (section 6.4), 80 rounds on 1024-bit blocks, message
   padded with 0x80, zeros and the 128-bit big-endian bit length. The round
   constants and IV are the first 64 bits of the fractional parts of the
   cube roots of the first 80 primes and the square roots of the first 8
   (section 4.2.3, 5.3.5); the tests check them against the FIPS vectors. */
static const uint64_t upd__sha512_k[80] = {
    0x428a2f98d728ae22ull, 0x7137449123ef65cdull, 0xb5c0fbcfec4d3b2full, 0xe9b5dba58189dbbcull,
    0x3956c25bf348b538ull, 0x59f111f1b605d019ull, 0x923f82a4af194f9bull, 0xab1c5ed5da6d8118ull,
    0xd807aa98a3030242ull, 0x12835b0145706fbeull, 0x243185be4ee4b28cull, 0x550c7dc3d5ffb4e2ull,
    0x72be5d74f27b896full, 0x80deb1fe3b1696b1ull, 0x9bdc06a725c71235ull, 0xc19bf174cf692694ull,
    0xe49b69c19ef14ad2ull, 0xefbe4786384f25e3ull, 0x0fc19dc68b8cd5b5ull, 0x240ca1cc77ac9c65ull,
    0x2de92c6f592b0275ull, 0x4a7484aa6ea6e483ull, 0x5cb0a9dcbd41fbd4ull, 0x76f988da831153b5ull,
    0x983e5152ee66dfabull, 0xa831c66d2db43210ull, 0xb00327c898fb213full, 0xbf597fc7beef0ee4ull,
    0xc6e00bf33da88fc2ull, 0xd5a79147930aa725ull, 0x06ca6351e003826full, 0x142929670a0e6e70ull,
    0x27b70a8546d22ffcull, 0x2e1b21385c26c926ull, 0x4d2c6dfc5ac42aedull, 0x53380d139d95b3dfull,
    0x650a73548baf63deull, 0x766a0abb3c77b2a8ull, 0x81c2c92e47edaee6ull, 0x92722c851482353bull,
    0xa2bfe8a14cf10364ull, 0xa81a664bbc423001ull, 0xc24b8b70d0f89791ull, 0xc76c51a30654be30ull,
    0xd192e819d6ef5218ull, 0xd69906245565a910ull, 0xf40e35855771202aull, 0x106aa07032bbd1b8ull,
    0x19a4c116b8d2d0c8ull, 0x1e376c085141ab53ull, 0x2748774cdf8eeb99ull, 0x34b0bcb5e19b48a8ull,
    0x391c0cb3c5c95a63ull, 0x4ed8aa4ae3418acbull, 0x5b9cca4f7763e373ull, 0x682e6ff3d6b2b8a3ull,
    0x748f82ee5defb2fcull, 0x78a5636f43172f60ull, 0x84c87814a1f0ab72ull, 0x8cc702081a6439ecull,
    0x90befffa23631e28ull, 0xa4506cebde82bde9ull, 0xbef9a3f7b2c67915ull, 0xc67178f2e372532bull,
    0xca273eceea26619cull, 0xd186b8c721c0c207ull, 0xeada7dd6cde0eb1eull, 0xf57d4f7fee6ed178ull,
    0x06f067aa72176fbaull, 0x0a637dc5a2c898a6ull, 0x113f9804bef90daeull, 0x1b710b35131c471bull,
    0x28db77f523047d84ull, 0x32caab7b40c72493ull, 0x3c9ebe0a15c9bebcull, 0x431d67c49c100d4cull,
    0x4cc5d4becb3e42b6ull, 0x597f299cfc657e2aull, 0x5fcb6fab3ad6faecull, 0x6c44198c4a475817ull,
};
static const uint64_t upd__sha512_iv[8] = {
    0x6a09e667f3bcc908ull, 0xbb67ae8584caa73bull, 0x3c6ef372fe94f82bull, 0xa54ff53a5f1d36f1ull,
    0x510e527fade682d1ull, 0x9b05688c2b3e6c1full, 0x1f83d9abfb41bd6bull, 0x5be0cd19137e2179ull,
};
#define UPD__ROR64(x, n) (((x) >> (n)) | ((x) << (64 - (n))))

#define UPD__SHA512_ROUND(a, b, c, d, e, f, g, h, i)                           \
    do {                                                                       \
        uint64_t t1_ = (h) + (UPD__ROR64(e, 14) ^ UPD__ROR64(e, 18) ^ UPD__ROR64(e, 41)) + \
                       ((g) ^ ((e) & ((f) ^ (g)))) + upd__sha512_k[i] + w[(i) & 15]; \
        uint64_t ab_ = (a) ^ (b); /* Maj as in SHA-256 above */              \
        uint64_t t2_ = (UPD__ROR64(a, 28) ^ UPD__ROR64(a, 34) ^ UPD__ROR64(a, 39)) + \
                       ((ab_ & bc) ^ (b));                                      \
        bc = ab_;                                                              \
        (d) += t1_;                                                            \
        (h) = t1_ + t2_;                                                       \
    } while (0)
#define UPD__SHA512_W(j)                                                       \
    do {                                                                       \
        uint64_t x_ = w[((j) - 15) & 15], y_ = w[((j) - 2) & 15];              \
        w[(j) & 15] += (UPD__ROR64(x_, 1) ^ UPD__ROR64(x_, 8) ^ (x_ >> 7)) + w[((j) - 7) & 15] + \
                       (UPD__ROR64(y_, 19) ^ UPD__ROR64(y_, 61) ^ (y_ >> 6)); \
    } while (0)
/* eight rounds with constant indices: the registers rotate by renaming,
   and the 16-word schedule window is computed just ahead of use */
#define UPD__SHA512_R(a, b, c, d, e, f, g, h, j)                               \
    do {                                                                       \
        if ((j) >= 16) UPD__SHA512_W(j);                                       \
        UPD__SHA512_ROUND(a, b, c, d, e, f, g, h, (j));                        \
    } while (0)
#define UPD__SHA512_8(i)                                                       \
    do {                                                                       \
        UPD__SHA512_R(a, b, c, d, e, f, g, hh, (i));                           \
        UPD__SHA512_R(hh, a, b, c, d, e, f, g, (i) + 1);                       \
        UPD__SHA512_R(g, hh, a, b, c, d, e, f, (i) + 2);                       \
        UPD__SHA512_R(f, g, hh, a, b, c, d, e, (i) + 3);                       \
        UPD__SHA512_R(e, f, g, hh, a, b, c, d, (i) + 4);                       \
        UPD__SHA512_R(d, e, f, g, hh, a, b, c, (i) + 5);                       \
        UPD__SHA512_R(c, d, e, f, g, hh, a, b, (i) + 6);                       \
        UPD__SHA512_R(b, c, d, e, f, g, hh, a, (i) + 7);                       \
    } while (0)

#ifdef UPDATER_SMALL
/* eight rounds (the variables renamed, not moved) in a loop: an eighth of
   the unrolled code, at about 0.8x its speed */
static void upd__sha512_block(uint64_t h[8], const uint8_t *p)
{
    uint64_t w[16], a, b, c, d, e, f, g, hh, bc;
    int i;
    for (i = 0; i < 16; i++) w[i] = (uint64_t)upd__be32(p + 8 * i) << 32 | upd__be32(p + 8 * i + 4);
    a = h[0]; b = h[1]; c = h[2]; d = h[3]; e = h[4]; f = h[5]; g = h[6]; hh = h[7];
    bc = b ^ c;
    for (i = 0; i < 80; i += 8) UPD__SHA512_8(i);
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}
#else
static void upd__sha512_block(uint64_t h[8], const uint8_t *p)
{
    uint64_t w[16], a, b, c, d, e, f, g, hh, bc;
    int i;
    for (i = 0; i < 16; i++) w[i] = (uint64_t)upd__be32(p + 8 * i) << 32 | upd__be32(p + 8 * i + 4);
    a = h[0]; b = h[1]; c = h[2]; d = h[3]; e = h[4]; f = h[5]; g = h[6]; hh = h[7];
    bc = b ^ c;
    UPD__SHA512_8(0); UPD__SHA512_8(8); UPD__SHA512_8(16); UPD__SHA512_8(24); UPD__SHA512_8(32);
    UPD__SHA512_8(40); UPD__SHA512_8(48); UPD__SHA512_8(56); UPD__SHA512_8(64); UPD__SHA512_8(72);
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}
#endif
#undef UPD__SHA512_ROUND
#undef UPD__SHA512_W
#undef UPD__SHA512_R
#undef UPD__SHA512_8

UPDDEF void upd_sha512_init(upd_sha512_ctx *c)
{
    UPDATER_ASSERT(c != NULL);
    memcpy(c->h, upd__sha512_iv, sizeof c->h);
    c->len = 0;
    c->n = 0;
}

UPDDEF void upd_sha512_update(upd_sha512_ctx *c, const void *data, size_t len)
{
    const uint8_t *p = (const uint8_t *)data;
    UPDATER_ASSERT(c != NULL && (data != NULL || len == 0));
    if (len == 0) return; /* data may be NULL */
    c->len += len;
    if (c->n) {
        size_t k = 128 - c->n < len ? 128 - c->n : len;
        memcpy(c->buf + c->n, p, k);
        c->n += k; p += k; len -= k;
        if (c->n < 128) return;
        upd__sha512_block(c->h, c->buf);
        c->n = 0;
    }
    for (; len >= 128; p += 128, len -= 128) upd__sha512_block(c->h, p);
    memcpy(c->buf, p, len);
    c->n = len;
}

UPDDEF void upd_sha512_final(upd_sha512_ctx *c, uint8_t out[64])
{
    uint64_t bits = c->len << 3;
    int i;
    c->buf[c->n++] = 0x80;
    if (c->n > 112) {
        memset(c->buf + c->n, 0, 128 - c->n);
        upd__sha512_block(c->h, c->buf);
        c->n = 0;
    }
    memset(c->buf + c->n, 0, 128 - c->n);
    c->buf[119] = (uint8_t)(c->len >> 61); /* the high 64 bits of the bit count */
    for (i = 0; i < 8; i++) c->buf[120 + i] = (uint8_t)(bits >> (56 - 8 * i));
    upd__sha512_block(c->h, c->buf);
    for (i = 0; i < 64; i++) out[i] = (uint8_t)(c->h[i / 8] >> (56 - 8 * (i % 8)));
}

UPDDEF void upd_sha512(const void *data, size_t len, uint8_t out[64])
{
    upd_sha512_ctx c;
    upd_sha512_init(&c);
    upd_sha512_update(&c, data, len);
    upd_sha512_final(&c, out);
}

/* ==== >>blake2b ========================================================== */
/* RFC 7693: BLAKE2b, unkeyed, any digest length 1..64 (minisign uses 64).
   Twelve rounds of G over a 16-word state; the IV is SHA-512's; the
   parameter block (section 2.5) is folded into h[0] as 0x0101kknn; the
   last block, zero-padded, is compressed with the final flag. */
static const uint8_t upd__blake2b_sigma[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
};

static void upd__blake2b_compress(upd_blake2b_ctx *c, const uint8_t *p, int last)
{
    uint64_t v[16], m[16];
    int i, r;
    for (i = 0; i < 16; i++) {
        const uint8_t *q = p + 8 * i;
        m[i] = (uint64_t)q[0] | (uint64_t)q[1] << 8 | (uint64_t)q[2] << 16 | (uint64_t)q[3] << 24 |
               (uint64_t)q[4] << 32 | (uint64_t)q[5] << 40 | (uint64_t)q[6] << 48 | (uint64_t)q[7] << 56;
    }
    for (i = 0; i < 8; i++) { v[i] = c->h[i]; v[i + 8] = upd__sha512_iv[i]; }
    v[12] ^= c->t[0];
    v[13] ^= c->t[1];
    if (last) v[14] = ~v[14];
#define UPD__B2G(a, b, c_, d, x, y)                                             \
    do {                                                                       \
        v[a] = v[a] + v[b] + (x); v[d] = UPD__ROR64(v[d] ^ v[a], 32);          \
        v[c_] = v[c_] + v[d];     v[b] = UPD__ROR64(v[b] ^ v[c_], 24);         \
        v[a] = v[a] + v[b] + (y); v[d] = UPD__ROR64(v[d] ^ v[a], 16);          \
        v[c_] = v[c_] + v[d];     v[b] = UPD__ROR64(v[b] ^ v[c_], 63);         \
    } while (0)
    for (r = 0; r < 12; r++) {
        const uint8_t *s = upd__blake2b_sigma[r];
        UPD__B2G(0, 4, 8, 12, m[s[0]], m[s[1]]);
        UPD__B2G(1, 5, 9, 13, m[s[2]], m[s[3]]);
        UPD__B2G(2, 6, 10, 14, m[s[4]], m[s[5]]);
        UPD__B2G(3, 7, 11, 15, m[s[6]], m[s[7]]);
        UPD__B2G(0, 5, 10, 15, m[s[8]], m[s[9]]);
        UPD__B2G(1, 6, 11, 12, m[s[10]], m[s[11]]);
        UPD__B2G(2, 7, 8, 13, m[s[12]], m[s[13]]);
        UPD__B2G(3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
#undef UPD__B2G
    for (i = 0; i < 8; i++) c->h[i] ^= v[i] ^ v[i + 8];
}

UPDDEF void upd_blake2b_init(upd_blake2b_ctx *c, size_t outlen)
{
    UPDATER_ASSERT(c != NULL && outlen >= 1 && outlen <= 64);
    memcpy(c->h, upd__sha512_iv, sizeof c->h);
    c->h[0] ^= 0x01010000u ^ (uint64_t)outlen;
    c->t[0] = c->t[1] = 0;
    c->n = 0;
    c->outlen = outlen;
}

UPDDEF void upd_blake2b_update(upd_blake2b_ctx *c, const void *data, size_t len)
{
    const uint8_t *p = (const uint8_t *)data;
    UPDATER_ASSERT(c != NULL && (data != NULL || len == 0));
    while (len > 0) {
        size_t k;
        if (c->n == 128) { /* full, and more follows: not the last block */
            c->t[0] += 128;
            if (c->t[0] < 128) c->t[1]++;
            upd__blake2b_compress(c, c->buf, 0);
            c->n = 0;
        }
        k = 128 - c->n < len ? 128 - c->n : len;
        memcpy(c->buf + c->n, p, k);
        c->n += k; p += k; len -= k;
    }
}

UPDDEF void upd_blake2b_final(upd_blake2b_ctx *c, uint8_t *out)
{
    size_t i;
    c->t[0] += c->n;
    if (c->t[0] < c->n) c->t[1]++;
    memset(c->buf + c->n, 0, 128 - c->n);
    upd__blake2b_compress(c, c->buf, 1);
    for (i = 0; i < c->outlen; i++) out[i] = (uint8_t)(c->h[i / 8] >> (8 * (i % 8)));
}

UPDDEF void upd_blake2b(const void *data, size_t len, uint8_t *out, size_t outlen)
{
    upd_blake2b_ctx c;
    upd_blake2b_init(&c, outlen);
    upd_blake2b_update(&c, data, len);
    upd_blake2b_final(&c, out);
}
/* ==== >>ed25519 ========================================================== */
/* RFC 8032 section 5.1, Ed25519: the twisted Edwards curve -x^2 + y^2 =
   1 + d x^2 y^2 over GF(p), p = 2^255 - 19, d = -121665/121666, base point
   B with y = 4/5 and x even, group order L = 2^252 + 27742...3493.
   Field elements are five 51-bit limbs (radix 2^51), products summed in
   128 bits (the compiler's __int128 where it has one, else a pair of
   64-bit words). Points use extended coordinates (X:Y:Z:T), x = X/Z,
   y = Y/Z, xy = T/Z, with the addition and doubling formulas of 5.1.4.
   Scalars mod L are reduced bit by bit with constant-time subtraction.

   Verification (strict, as libsodium; "Taming the many EdDSAs", Chalkias
   et al. 2020): S must be < L (no malleability); A and R must be canonical
   (y < p; not x = 0 with the sign bit set) and not of small order (so a
   degenerate key cannot sign every message); the check is cofactorless,
   [S]B - [k]A encoded byte for byte equal to R, with k = SHA-512(R || A ||
   M) mod L over the bytes as received. Cofactorless rejects signatures
   that only a cofactored check ([8][S]B = [8]R + [8][k]A) would accept;
   that check exists for batch verification, which we do not do, and every
   honest signer passes both. Signing handles the secret scalar with no
   secret-dependent branches or table indexes: a double-and-add-always
   ladder with constant-time selects. */
#if defined(__SIZEOF_INT128__) && !defined(UPDATER_NO_INT128)
__extension__ typedef unsigned __int128 upd__u128;
#define UPD__MUL(a, b) ((upd__u128)(a) * (b))
#define UPD__ADD(x, y) ((x) + (y))
#define UPD__LO(x) ((uint64_t)(x))
#define UPD__SHR51(x) ((uint64_t)((x) >> 51))
#else
typedef struct upd__u128 { uint64_t lo, hi; } upd__u128;
static upd__u128 upd__mul128(uint64_t a, uint64_t b)
{
    uint64_t al = a & 0xffffffffu, ah = a >> 32, bl = b & 0xffffffffu, bh = b >> 32;
    uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
    uint64_t mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);
    upd__u128 r;
    r.lo = (ll & 0xffffffffu) | mid << 32;
    r.hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
    return r;
}
static upd__u128 upd__add128(upd__u128 x, upd__u128 y)
{
    upd__u128 r;
    r.lo = x.lo + y.lo;
    r.hi = x.hi + y.hi + (r.lo < x.lo);
    return r;
}
#define UPD__MUL(a, b) upd__mul128((a), (b))
#define UPD__ADD(x, y) upd__add128((x), (y))
#define UPD__LO(x) ((x).lo)
#define UPD__SHR51(x) ((x).lo >> 51 | (x).hi << 13)
#endif

typedef uint64_t upd__fe[5];
typedef struct { upd__fe X, Y, Z, T; } upd__ge;
#define UPD__M51 ((uint64_t)0x7ffffffffffffull)

static const upd__fe upd__fe_d = {0x34dca135978a3ull, 0x1a8283b156ebdull, 0x5e7a26001c029ull, 0x739c663a03cbbull, 0x52036cee2b6ffull};
static const upd__fe upd__fe_d2 = {0x69b9426b2f159ull, 0x35050762add7aull, 0x3cf44c0038052ull, 0x6738cc7407977ull, 0x2406d9dc56dffull};
static const upd__fe upd__fe_sqrtm1 = {0x61b274a0ea0b0ull, 0xd5a5fc8f189dull, 0x7ef5e9cbd0c60ull, 0x78595a6804c9eull, 0x2b8324804fc1dull};
static const upd__ge upd__ge_base = {
    {0x62d608f25d51aull, 0x412a4b4f6592aull, 0x75b7171a4b31dull, 0x1ff60527118feull, 0x216936d3cd6e5ull},
    {0x6666666666658ull, 0x4ccccccccccccull, 0x1999999999999ull, 0x3333333333333ull, 0x6666666666666ull},
    {1, 0, 0, 0, 0},
    {0x68ab3a5b7dda3ull, 0xeea2a5eadbbull, 0x2af8df483c27eull, 0x332b375274732ull, 0x67875f0fd78b7ull}};
/* L, little-endian */
static const uint8_t upd__ed_L[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
    0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10};

static void upd__fe_carry(upd__fe h)
{
    uint64_t c;
    c = h[0] >> 51; h[0] &= UPD__M51; h[1] += c;
    c = h[1] >> 51; h[1] &= UPD__M51; h[2] += c;
    c = h[2] >> 51; h[2] &= UPD__M51; h[3] += c;
    c = h[3] >> 51; h[3] &= UPD__M51; h[4] += c;
    c = h[4] >> 51; h[4] &= UPD__M51; h[0] += c * 19;
}
static void upd__fe_add(upd__fe h, const upd__fe f, const upd__fe g)
{
    int i;
    for (i = 0; i < 5; i++) h[i] = f[i] + g[i];
    upd__fe_carry(h);
}
static void upd__fe_sub(upd__fe h, const upd__fe f, const upd__fe g)
{   /* adds 4p first so no limb goes negative */
    h[0] = f[0] + 0x1fffffffffffb4ull - g[0];
    h[1] = f[1] + 0x1ffffffffffffcull - g[1];
    h[2] = f[2] + 0x1ffffffffffffcull - g[2];
    h[3] = f[3] + 0x1ffffffffffffcull - g[3];
    h[4] = f[4] + 0x1ffffffffffffcull - g[4];
    upd__fe_carry(h);
}
static void upd__fe_mul(upd__fe h, const upd__fe f, const upd__fe g)
{
    uint64_t g1 = g[1] * 19, g2 = g[2] * 19, g3 = g[3] * 19, g4 = g[4] * 19, c;
    upd__u128 r0, r1, r2, r3, r4;
    r0 = UPD__ADD(UPD__ADD(UPD__ADD(UPD__ADD(UPD__MUL(f[0], g[0]), UPD__MUL(f[1], g4)), UPD__MUL(f[2], g3)), UPD__MUL(f[3], g2)), UPD__MUL(f[4], g1));
    r1 = UPD__ADD(UPD__ADD(UPD__ADD(UPD__ADD(UPD__MUL(f[0], g[1]), UPD__MUL(f[1], g[0])), UPD__MUL(f[2], g4)), UPD__MUL(f[3], g3)), UPD__MUL(f[4], g2));
    r2 = UPD__ADD(UPD__ADD(UPD__ADD(UPD__ADD(UPD__MUL(f[0], g[2]), UPD__MUL(f[1], g[1])), UPD__MUL(f[2], g[0])), UPD__MUL(f[3], g4)), UPD__MUL(f[4], g3));
    r3 = UPD__ADD(UPD__ADD(UPD__ADD(UPD__ADD(UPD__MUL(f[0], g[3]), UPD__MUL(f[1], g[2])), UPD__MUL(f[2], g[1])), UPD__MUL(f[3], g[0])), UPD__MUL(f[4], g4));
    r4 = UPD__ADD(UPD__ADD(UPD__ADD(UPD__ADD(UPD__MUL(f[0], g[4]), UPD__MUL(f[1], g[3])), UPD__MUL(f[2], g[2])), UPD__MUL(f[3], g[1])), UPD__MUL(f[4], g[0]));
    /* limbs below 2^52 in, so each sum is below 2^112 and each carry 2^61 */
    c = UPD__SHR51(r0); h[0] = UPD__LO(r0) & UPD__M51; r1 = UPD__ADD(r1, UPD__MUL(c, 1));
    c = UPD__SHR51(r1); h[1] = UPD__LO(r1) & UPD__M51; r2 = UPD__ADD(r2, UPD__MUL(c, 1));
    c = UPD__SHR51(r2); h[2] = UPD__LO(r2) & UPD__M51; r3 = UPD__ADD(r3, UPD__MUL(c, 1));
    c = UPD__SHR51(r3); h[3] = UPD__LO(r3) & UPD__M51; r4 = UPD__ADD(r4, UPD__MUL(c, 1));
    c = UPD__SHR51(r4); h[4] = UPD__LO(r4) & UPD__M51;
    r0 = UPD__ADD(UPD__MUL(c, 19), UPD__MUL(h[0], 1)); /* c * 19 may pass 2^64 */
    h[0] = UPD__LO(r0) & UPD__M51;
    h[1] += UPD__SHR51(r0);
}
static void upd__fe_sq(upd__fe h, const upd__fe f) { upd__fe_mul(h, f, f); }

static void upd__fe_frombytes(upd__fe h, const uint8_t s[32])
{
    uint64_t w[4];
    int i, j;
    for (i = 0; i < 4; i++) {
        w[i] = 0;
        for (j = 7; j >= 0; j--) w[i] = w[i] << 8 | s[8 * i + j];
    }
    h[0] = w[0] & UPD__M51;
    h[1] = (w[0] >> 51 | w[1] << 13) & UPD__M51;
    h[2] = (w[1] >> 38 | w[2] << 26) & UPD__M51;
    h[3] = (w[2] >> 25 | w[3] << 39) & UPD__M51;
    h[4] = (w[3] >> 12) & UPD__M51; /* the top bit (x's sign) dropped */
}

/* Fully reduced, little-endian. */
static void upd__fe_tobytes(uint8_t s[32], const upd__fe f)
{
    upd__fe h;
    uint64_t q, w[4];
    int i;
    memcpy(h, f, sizeof h);
    upd__fe_carry(h);
    upd__fe_carry(h); /* now each limb < 2^51 + tiny, value < 2p */
    /* q = 1 if h >= p: (h + 19) >> 255 */
    q = (h[0] + 19) >> 51;
    q = (h[1] + q) >> 51;
    q = (h[2] + q) >> 51;
    q = (h[3] + q) >> 51;
    q = (h[4] + q) >> 51;
    h[0] += 19 * q;
    h[1] += h[0] >> 51; h[0] &= UPD__M51;
    h[2] += h[1] >> 51; h[1] &= UPD__M51;
    h[3] += h[2] >> 51; h[2] &= UPD__M51;
    h[4] += h[3] >> 51; h[3] &= UPD__M51;
    h[4] &= UPD__M51;
    w[0] = h[0] | h[1] << 51;
    w[1] = h[1] >> 13 | h[2] << 38;
    w[2] = h[2] >> 26 | h[3] << 25;
    w[3] = h[3] >> 39 | h[4] << 12;
    for (i = 0; i < 32; i++) s[i] = (uint8_t)(w[i / 8] >> (8 * (i % 8)));
}

static int upd__fe_iszero(const upd__fe f)
{
    uint8_t s[32];
    unsigned acc = 0;
    int i;
    upd__fe_tobytes(s, f);
    for (i = 0; i < 32; i++) acc |= s[i];
    return acc == 0;
}
static int upd__fe_isodd(const upd__fe f)
{
    uint8_t s[32];
    upd__fe_tobytes(s, f);
    return s[0] & 1;
}
static int upd__fe_eq(const upd__fe f, const upd__fe g)
{
    upd__fe h;
    upd__fe_sub(h, f, g);
    return upd__fe_iszero(h);
}
static void upd__fe_neg(upd__fe h, const upd__fe f)
{
    static const upd__fe zero = {0, 0, 0, 0, 0};
    upd__fe_sub(h, zero, f);
}

/* z^(2^250 - 1), the common start of both exponent chains below */
static void upd__fe_pow250(upd__fe t, const upd__fe z)
{
    int i;
    memcpy(t, z, sizeof(upd__fe));
    for (i = 0; i < 249; i++) { upd__fe_sq(t, t); upd__fe_mul(t, t, z); }
}
/* 1/z = z^(p - 2) = z^(2^255 - 21): 250 ones, then the bits 01011 */
static void upd__fe_invert(upd__fe out, const upd__fe z)
{
    upd__fe t;
    upd__fe_pow250(t, z);
    upd__fe_sq(t, t);
    upd__fe_sq(t, t); upd__fe_mul(t, t, z);
    upd__fe_sq(t, t);
    upd__fe_sq(t, t); upd__fe_mul(t, t, z);
    upd__fe_sq(t, t); upd__fe_mul(t, t, z);
    memcpy(out, t, sizeof t);
}
/* z^((p - 5) / 8) = z^(2^252 - 3): 250 ones, then the bits 01 */
static void upd__fe_pow22523(upd__fe out, const upd__fe z)
{
    upd__fe t;
    upd__fe_pow250(t, z);
    upd__fe_sq(t, t);
    upd__fe_sq(t, t); upd__fe_mul(t, t, z);
    memcpy(out, t, sizeof t);
}

#if !defined(UPDATER_NO_SIGN)
/* constant-time: f = b ? g : f (b is 0 or 1) */
static void upd__fe_cmov(upd__fe f, const upd__fe g, uint64_t b)
{
    uint64_t m = (uint64_t)0 - b;
    int i;
    for (i = 0; i < 5; i++) f[i] ^= m & (f[i] ^ g[i]);
}
#endif

static void upd__ge_identity(upd__ge *p)
{
    memset(p, 0, sizeof *p);
    p->Y[0] = 1;
    p->Z[0] = 1;
}

/* RFC 8032 5.1.4, a = -1 (add-2008-hwcd-3) */
static void upd__ge_add(upd__ge *r, const upd__ge *p, const upd__ge *q)
{
    upd__fe a, b, c, d, e, f, g, h, t;
    upd__fe_sub(a, p->Y, p->X); upd__fe_sub(t, q->Y, q->X); upd__fe_mul(a, a, t);
    upd__fe_add(b, p->Y, p->X); upd__fe_add(t, q->Y, q->X); upd__fe_mul(b, b, t);
    upd__fe_mul(c, p->T, q->T); upd__fe_mul(c, c, upd__fe_d2);
    upd__fe_mul(d, p->Z, q->Z); upd__fe_add(d, d, d);
    upd__fe_sub(e, b, a);
    upd__fe_sub(f, d, c);
    upd__fe_add(g, d, c);
    upd__fe_add(h, b, a);
    upd__fe_mul(r->X, e, f);
    upd__fe_mul(r->Y, g, h);
    upd__fe_mul(r->T, e, h);
    upd__fe_mul(r->Z, f, g);
}

/* RFC 8032 5.1.4 doubling (dbl-2008-hwcd) */
static void upd__ge_dbl(upd__ge *r, const upd__ge *p)
{
    upd__fe a, b, c, e, f, g, h;
    upd__fe_sq(a, p->X);
    upd__fe_sq(b, p->Y);
    upd__fe_sq(c, p->Z); upd__fe_add(c, c, c);
    upd__fe_add(h, a, b);
    upd__fe_add(e, p->X, p->Y); upd__fe_sq(e, e); upd__fe_sub(e, h, e);
    upd__fe_sub(g, a, b);
    upd__fe_add(f, c, g);
    upd__fe_mul(r->X, e, f);
    upd__fe_mul(r->Y, g, h);
    upd__fe_mul(r->T, e, h);
    upd__fe_mul(r->Z, f, g);
}

static void upd__ge_tobytes(uint8_t s[32], const upd__ge *p)
{
    upd__fe zi, x, y;
    upd__fe_invert(zi, p->Z);
    upd__fe_mul(x, p->X, zi);
    upd__fe_mul(y, p->Y, zi);
    upd__fe_tobytes(s, y);
    s[31] = (uint8_t)(s[31] | upd__fe_isodd(x) << 7);
}

/* RFC 8032 5.1.3, strict: 0 if s is a canonical encoding of a point. */
static int upd__ge_frombytes(upd__ge *p, const uint8_t s[32])
{
    upd__fe u, v, v3, vxx, t;
    uint8_t c[32];
    int sign = s[31] >> 7, i;
    upd__fe_frombytes(p->Y, s);
    upd__fe_tobytes(c, p->Y); /* y < p: the reduced value reads back the same */
    for (i = 0; i < 31; i++) if (c[i] != s[i]) return -1;
    if (c[31] != (s[31] & 0x7f)) return -1;
    memset(p->Z, 0, sizeof p->Z);
    p->Z[0] = 1;
    upd__fe_sq(u, p->Y);
    upd__fe_mul(v, u, upd__fe_d);
    upd__fe_sub(u, u, p->Z);                 /* u = y^2 - 1 */
    upd__fe_add(v, v, p->Z);                 /* v = d y^2 + 1 */
    upd__fe_sq(v3, v); upd__fe_mul(v3, v3, v); /* v^3 */
    upd__fe_sq(t, v3); upd__fe_mul(t, t, v); upd__fe_mul(t, t, u); /* u v^7 */
    upd__fe_pow22523(t, t);
    upd__fe_mul(t, t, v3); upd__fe_mul(p->X, t, u); /* x = u v^3 (u v^7)^((p-5)/8) */
    upd__fe_sq(vxx, p->X); upd__fe_mul(vxx, vxx, v);
    if (!upd__fe_eq(vxx, u)) {
        upd__fe nu;
        upd__fe_neg(nu, u);
        if (!upd__fe_eq(vxx, nu)) return -1; /* not a square: no such point */
        upd__fe_mul(p->X, p->X, upd__fe_sqrtm1);
    }
    if (upd__fe_iszero(p->X) && sign) return -1; /* x = 0 has no negative */
    if (upd__fe_isodd(p->X) != sign) upd__fe_neg(p->X, p->X);
    upd__fe_mul(p->T, p->X, p->Y);
    return 0;
}

/* [8]P is the identity: P has small order. */
static int upd__ge_small_order(const upd__ge *p)
{
    upd__ge q;
    upd__ge_dbl(&q, p);
    upd__ge_dbl(&q, &q);
    upd__ge_dbl(&q, &q);
    return upd__fe_iszero(q.X) && upd__fe_eq(q.Y, q.Z);
}

/* ---- scalars mod L ---- */
/* out = in mod L for a little-endian number of n bytes, one bit at a time
   from the top: r = 2r + bit, then r -= L unless that borrows (constant
   time). r < L < 2^253 keeps 2r + 1 within 8 words. */
static void upd__sc_reduce(uint8_t out[32], const uint8_t *in, size_t n)
{
    uint32_t r[8], l[8], t[8];
    size_t i;
    int j, k;
    memset(r, 0, sizeof r);
    for (k = 0; k < 8; k++)
        l[k] = (uint32_t)upd__ed_L[4 * k] | (uint32_t)upd__ed_L[4 * k + 1] << 8 |
               (uint32_t)upd__ed_L[4 * k + 2] << 16 | (uint32_t)upd__ed_L[4 * k + 3] << 24;
    for (i = n; i-- > 0;) {
        for (j = 7; j >= 0; j--) {
            uint32_t bit = (uint32_t)(in[i] >> j) & 1u, borrow = 0, m;
            for (k = 7; k > 0; k--) r[k] = r[k] << 1 | r[k - 1] >> 31;
            r[0] = r[0] << 1 | bit;
            for (k = 0; k < 8; k++) {
                uint64_t d = (uint64_t)r[k] - l[k] - borrow;
                t[k] = (uint32_t)d;
                borrow = (uint32_t)(d >> 63);
            }
            m = borrow - 1u; /* all ones if r >= L */
            for (k = 0; k < 8; k++) r[k] = (t[k] & m) | (r[k] & ~m);
        }
    }
    for (k = 0; k < 32; k++) out[k] = (uint8_t)(r[k / 4] >> (8 * (k % 4)));
}

#if !defined(UPDATER_NO_SIGN)
/* out = (a * b + c) mod L, all 32-byte little-endian */
static void upd__sc_muladd(uint8_t out[32], const uint8_t a[32], const uint8_t b[32], const uint8_t c[32])
{
    uint32_t x[8], y[8];
    uint64_t acc[16];
    uint8_t wide[64];
    int i, j;
    for (i = 0; i < 8; i++) {
        x[i] = (uint32_t)a[4 * i] | (uint32_t)a[4 * i + 1] << 8 | (uint32_t)a[4 * i + 2] << 16 | (uint32_t)a[4 * i + 3] << 24;
        y[i] = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 | (uint32_t)b[4 * i + 2] << 16 | (uint32_t)b[4 * i + 3] << 24;
    }
    memset(acc, 0, sizeof acc);
    for (i = 0; i < 8; i++) { /* schoolbook, carrying as we go */
        uint64_t carry = 0;
        for (j = 0; j < 8; j++) {
            uint64_t p = (uint64_t)x[i] * y[j];
            uint64_t s = acc[i + j] + (p & 0xffffffffu) + carry;
            acc[i + j] = s & 0xffffffffu;
            carry = (s >> 32) + (p >> 32);
        }
        acc[i + 8] += carry;
    }
    {
        uint64_t carry = 0;
        for (i = 0; i < 16; i++) {
            uint64_t s = acc[i] + carry + (i < 8 ? ((uint64_t)c[4 * i] | (uint64_t)c[4 * i + 1] << 8 |
                                                   (uint64_t)c[4 * i + 2] << 16 | (uint64_t)c[4 * i + 3] << 24) : 0);
            acc[i] = s & 0xffffffffu;
            carry = s >> 32;
        }
    }
    for (i = 0; i < 64; i++) wide[i] = (uint8_t)(acc[i / 4] >> (8 * (i % 4)));
    upd__sc_reduce(out, wide, 64);
}
#endif

/* s < L, comparing from the top byte */
static int upd__sc_canonical(const uint8_t s[32])
{
    int i;
    for (i = 31; i >= 0; i--) {
        if (s[i] < upd__ed_L[i]) return 1;
        if (s[i] > upd__ed_L[i]) return 0;
    }
    return 0; /* equal to L */
}

#if !defined(UPDATER_NO_SIGN)
/* [a]B in constant time: double, add, keep the sum only where a's bit is set */
static void upd__ge_scalarmult_base(upd__ge *r, const uint8_t a[32])
{
    upd__ge q, t;
    int i;
    upd__ge_identity(&q);
    for (i = 255; i >= 0; i--) {
        uint64_t bit = (uint64_t)(a[i / 8] >> (i % 8)) & 1u;
        upd__ge_dbl(&q, &q);
        upd__ge_add(&t, &q, &upd__ge_base);
        upd__fe_cmov(q.X, t.X, bit);
        upd__fe_cmov(q.Y, t.Y, bit);
        upd__fe_cmov(q.Z, t.Z, bit);
        upd__fe_cmov(q.T, t.T, bit);
    }
    *r = q;
}
#endif

/* [s]B + [k]P for public s and k, 4 bits at a time (verification only). */
static void upd__ge_double_scalarmult(upd__ge *r, const uint8_t s[32], const uint8_t k[32], const upd__ge *p)
{
    upd__ge tb[16], tp[16], q;
    int i;
    upd__ge_identity(&tb[0]);
    upd__ge_identity(&tp[0]);
    tb[1] = upd__ge_base;
    tp[1] = *p;
    for (i = 2; i < 16; i++) {
        upd__ge_add(&tb[i], &tb[i - 1], &upd__ge_base);
        upd__ge_add(&tp[i], &tp[i - 1], p);
    }
    upd__ge_identity(&q);
    for (i = 63; i >= 0; i--) {
        unsigned ns = (unsigned)(s[i / 2] >> (4 * (i % 2))) & 15u, nk = (unsigned)(k[i / 2] >> (4 * (i % 2))) & 15u;
        if (i != 63) {
            upd__ge_dbl(&q, &q); upd__ge_dbl(&q, &q); upd__ge_dbl(&q, &q); upd__ge_dbl(&q, &q);
        }
        if (ns) upd__ge_add(&q, &q, &tb[ns]);
        if (nk) upd__ge_add(&q, &q, &tp[nk]);
    }
    *r = q;
}

/* The verification equation, given hram = SHA-512(R || A || M). */
static upd_result upd__ed25519_check(const uint8_t sig[64], const uint8_t pub[32], const uint8_t hram[64])
{
    upd__ge a, r, q;
    uint8_t k[32], enc[32];
    int i;
    unsigned diff = 0;
    if (!upd__sc_canonical(sig + 32)) return UPD_E_SIG;
    if (upd__ge_frombytes(&a, pub) != 0 || upd__ge_small_order(&a)) return UPD_E_SIG;
    if (upd__ge_frombytes(&r, sig) != 0 || upd__ge_small_order(&r)) return UPD_E_SIG;
    upd__sc_reduce(k, hram, 64);
    upd__fe_neg(a.X, a.X); /* -A */
    upd__fe_neg(a.T, a.T);
    upd__ge_double_scalarmult(&q, sig + 32, k, &a);
    upd__ge_tobytes(enc, &q);
    for (i = 0; i < 32; i++) diff |= (unsigned)(enc[i] ^ sig[i]);
    return diff ? UPD_E_SIG : UPD_OK;
}

UPDDEF upd_result upd_ed25519_verify(const uint8_t sig[64], const void *msg, size_t len, const uint8_t pub[32])
{
    upd_sha512_ctx h;
    uint8_t hram[64];
    UPDATER_ASSERT(sig != NULL && pub != NULL && (msg != NULL || len == 0));
    upd_sha512_init(&h);
    upd_sha512_update(&h, sig, 32);
    upd_sha512_update(&h, pub, 32);
    upd_sha512_update(&h, msg, len);
    upd_sha512_final(&h, hram);
    return upd__ed25519_check(sig, pub, hram);
}

#if !defined(UPDATER_NO_SIGN)
/* a = clamp(SHA-512(seed)[0..32]) and the prefix h[32..64] (RFC 8032 5.1.5) */
static void upd__ed25519_expand(uint8_t h[64], const uint8_t seed[32])
{
    upd_sha512(seed, 32, h);
    h[0] &= 248;
    h[31] &= 127;
    h[31] |= 64;
}

UPDDEF void upd_ed25519_seed_keypair(uint8_t pub[32], uint8_t sec[64], const uint8_t seed[32])
{
    uint8_t h[64];
    upd__ge a;
    UPDATER_ASSERT(pub != NULL && sec != NULL && seed != NULL);
    upd__ed25519_expand(h, seed);
    upd__ge_scalarmult_base(&a, h);
    upd__ge_tobytes(pub, &a);
    memmove(sec, seed, 32);
    memcpy(sec + 32, pub, 32);
    memset(h, 0, sizeof h);
}

UPDDEF upd_result upd_ed25519_keypair(uint8_t pub[32], uint8_t sec[64])
{
    uint8_t seed[32];
    upd_result r = upd_random(seed, sizeof seed);
    if (r != UPD_OK) return r;
    upd_ed25519_seed_keypair(pub, sec, seed);
    memset(seed, 0, sizeof seed);
    return UPD_OK;
}

/* Signs the message m1 || m2 (two parts, so that minisign's global
   signature needs no copy). */
static void upd__ed25519_sign2(uint8_t sig[64], const void *m1, size_t l1, const void *m2, size_t l2,
                               const uint8_t sec[64])
{
    upd_sha512_ctx c;
    uint8_t h[64], rh[64], r[32], k[32];
    upd__ge rp;
    upd__ed25519_expand(h, sec);
    upd_sha512_init(&c);              /* r = SHA-512(prefix || M) mod L */
    upd_sha512_update(&c, h + 32, 32);
    upd_sha512_update(&c, m1, l1);
    upd_sha512_update(&c, m2, l2);
    upd_sha512_final(&c, rh);
    upd__sc_reduce(r, rh, 64);
    upd__ge_scalarmult_base(&rp, r);  /* R = [r]B */
    upd__ge_tobytes(sig, &rp);
    upd_sha512_init(&c);              /* k = SHA-512(R || A || M) mod L */
    upd_sha512_update(&c, sig, 32);
    upd_sha512_update(&c, sec + 32, 32);
    upd_sha512_update(&c, m1, l1);
    upd_sha512_update(&c, m2, l2);
    upd_sha512_final(&c, rh);
    upd__sc_reduce(k, rh, 64);
    upd__sc_muladd(sig + 32, k, h, r); /* S = (r + k a) mod L */
    memset(h, 0, sizeof h);
    memset(r, 0, sizeof r);
    memset(rh, 0, sizeof rh);
    memset(&c, 0, sizeof c);
}

UPDDEF void upd_ed25519_sign(uint8_t sig[64], const void *msg, size_t len, const uint8_t sec[64])
{
    UPDATER_ASSERT(sig != NULL && sec != NULL && (msg != NULL || len == 0));
    upd__ed25519_sign2(sig, msg, len, NULL, 0, sec);
}
#endif /* UPDATER_NO_SIGN */

UPDDEF upd_result upd_random(void *buf, size_t len)
{
    uint8_t *p = (uint8_t *)buf;
    int fd;
#if defined(__linux__) && defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 25))
    while (len > 0) { /* getrandom(): no file descriptor, blocks until seeded */
        ssize_t n = getrandom(p, len > 256 ? 256 : len, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break; /* ENOSYS on old kernels: fall back */
        p += n;
        len -= (size_t)n;
    }
    if (len == 0) return UPD_OK;
#endif
    fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return UPD_E_RANDOM;
    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) { close(fd); return UPD_E_RANDOM; }
        p += n;
        len -= (size_t)n;
    }
    close(fd);
    return UPD_OK;
}

/* ==== >>minisign ========================================================= */
/* Format notes: see the declarations (section 4d) and docs/signatures.md.
   Secret key, 158 bytes: "Ed" kdf[2] ("Sc" scrypt, 00 00 none) "B2"
   salt[32] opslimit[8] memlimit[8] key id[8] seed||A[64] chk[32], with chk
   = BLAKE2b-256("Ed" || key id || seed || A). We read and write unencrypted
   keys only, and write chk (minisign ignores it for unencrypted keys). */
static const char upd__b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Strict base64 (RFC 4648 4): length a multiple of 4, '=' only as final
   padding, the bits padding hides zero (one spelling per value), decoding
   to exactly want bytes. */
static upd_result upd__b64_decode(const char *s, size_t n, uint8_t *out, size_t want)
{
    size_t i, o = 0, pad = 0;
    uint32_t acc = 0;
    if (n == 0 || n % 4 != 0) return UPD_E_BASE64;
    if (s[n - 1] == '=') pad++;
    if (pad && s[n - 2] == '=') pad++;
    if (n / 4 * 3 - pad != want) return UPD_E_BASE64;
    for (i = 0; i < n - pad; i++) {
        const char *c = s[i] ? strchr(upd__b64, s[i]) : NULL;
        if (!c) return UPD_E_BASE64;
        acc = acc << 6 | (uint32_t)(c - upd__b64);
        if (i % 4 == 3) {
            out[o++] = (uint8_t)(acc >> 16);
            out[o++] = (uint8_t)(acc >> 8);
            out[o++] = (uint8_t)acc;
            acc = 0;
        }
    }
    if (pad == 1) { /* three characters: 18 bits, 2 bytes */
        if (acc & 3u) return UPD_E_BASE64;
        out[o++] = (uint8_t)(acc >> 10);
        out[o++] = (uint8_t)(acc >> 2);
    } else if (pad == 2) { /* two characters: 12 bits, 1 byte */
        if (acc & 15u) return UPD_E_BASE64;
        out[o++] = (uint8_t)(acc >> 4);
    }
    return UPD_OK;
}

static size_t upd__b64_encode(const uint8_t *in, size_t n, char *out)
{
    size_t i, o = 0;
    for (i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
        out[o++] = upd__b64[v >> 18];
        out[o++] = upd__b64[(v >> 12) & 63];
        out[o++] = i + 1 < n ? upd__b64[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? upd__b64[v & 63] : '=';
    }
    out[o] = 0;
    return o;
}

/* Splits text into lines (LF or CRLF); returns the count, up to max. A
   CR anywhere but before the LF is left in the line (and refused later). */
static size_t upd__ms_lines(const char *text, size_t len, const char **line, size_t *llen, size_t max)
{
    size_t n = 0, i = 0;
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r')) len--; /* trailing blank lines, as minisign */
    while (i < len && n < max + 1) {
        size_t j = i;
        while (j < len && text[j] != '\n') j++;
        if (n < max) {
            line[n] = text + i;
            llen[n] = j - i;
            if (llen[n] > 0 && text[j - 1] == '\r' && j < len) llen[n]--;
        }
        n++;
        i = j + 1;
    }
    return n;
}

static int upd__ms_prefix(const char *s, size_t n, const char *p)
{
    size_t k = strlen(p);
    return n >= k && memcmp(s, p, k) == 0;
}

UPDDEF upd_result upd_pubkey_parse(upd_pubkey *k, const char *text, size_t len)
{
    const char *line[3];
    size_t llen[3], n, at = 0;
    uint8_t raw[42];
    upd_result r;
    UPDATER_ASSERT(k != NULL && text != NULL);
    if (len > 1024) return UPD_E_SIG_FORMAT;
    n = upd__ms_lines(text, len, line, llen, 2);
    if (n == 0 || n > 2) return UPD_E_SIG_FORMAT;
    if (n == 2) {
        if (!upd__ms_prefix(line[0], llen[0], "untrusted comment: ")) return UPD_E_SIG_FORMAT;
        at = 1;
    }
    if ((r = upd__b64_decode(line[at], llen[at], raw, sizeof raw)) != UPD_OK) return r;
    if (raw[0] != 'E' || raw[1] != 'd') return UPD_E_SIG_ALG;
    memcpy(k->id, raw + 2, 8);
    memcpy(k->key, raw + 10, 32);
    return UPD_OK;
}

#if !defined(UPDATER_NO_SIGN)
UPDDEF upd_result upd_seckey_parse(upd_seckey *k, const char *text, size_t len)
{
    const char *line[3];
    size_t llen[3], n;
    uint8_t raw[158], pub[32], tmp[64];
    upd_result r;
    UPDATER_ASSERT(k != NULL && text != NULL);
    if (len > 1024) return UPD_E_SIG_FORMAT;
    n = upd__ms_lines(text, len, line, llen, 2);
    if (n != 2 || !upd__ms_prefix(line[0], llen[0], "untrusted comment: ")) return UPD_E_SIG_FORMAT;
    if ((r = upd__b64_decode(line[1], llen[1], raw, sizeof raw)) != UPD_OK) return r;
    if (raw[0] != 'E' || raw[1] != 'd' || raw[4] != 'B' || raw[5] != '2') return UPD_E_SIG_ALG;
    if (raw[2] == 'S' && raw[3] == 'c') return UPD_E_KEY_ENCRYPTED;
    if (raw[2] != 0 || raw[3] != 0) return UPD_E_SIG_ALG; /* an unknown key derivation */
    memcpy(k->id, raw + 54, 8);
    memcpy(k->key, raw + 62, 64);
    upd_ed25519_seed_keypair(pub, tmp, k->key); /* the stored public half must match */
    r = memcmp(pub, k->key + 32, 32) == 0 ? UPD_OK : UPD_E_SIG_FORMAT;
    memset(raw, 0, sizeof raw);
    memset(tmp, 0, sizeof tmp);
    return r;
}
#endif

/* printable UTF-8 (RFC 3629: no overlongs, no surrogates), tabs allowed */
static int upd__ms_text_ok(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = (unsigned char)s[i], need, cp, k;
        if (c == '\t' || (c >= 0x20 && c < 0x7f)) { i++; continue; }
        if (c < 0xc2 || c > 0xf4) return 0; /* controls, DEL, continuation, overlong lead */
        need = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
        cp = c & (0x3fu >> need);
        if (i + need >= n) return 0;
        for (k = 1; k <= need; k++) {
            unsigned d = (unsigned char)s[i + k];
            if ((d & 0xc0) != 0x80) return 0;
            cp = cp << 6 | (d & 0x3f);
        }
        if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp < 0xa0))
            return 0;
        i += need + 1;
    }
    return 1;
}

UPDDEF upd_result upd_minisig_parse(upd_minisig *s, const char *text, size_t len)
{
    const char *line[5];
    size_t llen[5], n, tl;
    uint8_t raw[74];
    upd_result r;
    UPDATER_ASSERT(s != NULL && text != NULL);
    if (len > UPDATER_MAX_MINISIG) return UPD_E_TOOBIG;
    n = upd__ms_lines(text, len, line, llen, 4);
    if (n != 4) return UPD_E_SIG_FORMAT;
    if (!upd__ms_prefix(line[0], llen[0], "untrusted comment: ") ||
        !upd__ms_prefix(line[2], llen[2], "trusted comment: "))
        return UPD_E_SIG_FORMAT;
    if ((r = upd__b64_decode(line[1], llen[1], raw, sizeof raw)) != UPD_OK) return r;
    if (raw[0] != 'E' || (raw[1] != 'd' && raw[1] != 'D')) return UPD_E_SIG_ALG;
    s->prehashed = raw[1] == 'D';
    memcpy(s->id, raw + 2, 8);
    memcpy(s->sig, raw + 10, 64);
    tl = llen[2] - 17;
    if (!upd__ms_text_ok(line[2] + 17, tl)) return UPD_E_SIG_FORMAT;
    memcpy(s->trusted, line[2] + 17, tl);
    s->trusted[tl] = 0;
    if ((r = upd__b64_decode(line[3], llen[3], s->global, 64)) != UPD_OK) return r;
    return UPD_OK;
}

UPDDEF upd_result upd_minisig_verify_init(upd_minisig_verifier *v, const upd_minisig *s,
                                          const upd_pubkey *keys, size_t nkeys)
{
    size_t i;
    UPDATER_ASSERT(v != NULL && s != NULL && (keys != NULL || nkeys == 0));
    v->sig = s;
    v->key = NULL;
    for (i = 0; i < nkeys; i++)
        if (memcmp(keys[i].id, s->id, 8) == 0) { v->key = &keys[i]; break; }
    if (!v->key) return UPD_E_KEYID;
    if (s->prehashed) upd_blake2b_init(&v->_b2, 64);
    else {
        upd_sha512_init(&v->_sha);
        upd_sha512_update(&v->_sha, s->sig, 32);
        upd_sha512_update(&v->_sha, v->key->key, 32);
    }
    return UPD_OK;
}

UPDDEF void upd_minisig_verify_update(upd_minisig_verifier *v, const void *data, size_t len)
{
    UPDATER_ASSERT(v != NULL && v->key != NULL);
    if (v->sig->prehashed) upd_blake2b_update(&v->_b2, data, len);
    else upd_sha512_update(&v->_sha, data, len);
}

UPDDEF upd_result upd_minisig_verify_final(upd_minisig_verifier *v)
{
    const upd_minisig *s = v->sig;
    uint8_t hram[64];
    size_t tl = strlen(s->trusted);
    upd_result r;
    UPDATER_ASSERT(v != NULL && v->key != NULL);
    if (s->prehashed) {
        uint8_t d[64];
        upd_blake2b_final(&v->_b2, d);
        r = upd_ed25519_verify(s->sig, d, 64, v->key->key);
    } else {
        upd_sha512_final(&v->_sha, hram);
        r = upd__ed25519_check(s->sig, v->key->key, hram);
    }
    if (r != UPD_OK) return UPD_E_SIG;
    /* the global signature covers the signature and the trusted comment */
    upd_sha512_init(&v->_sha);
    upd_sha512_update(&v->_sha, s->global, 32);
    upd_sha512_update(&v->_sha, v->key->key, 32);
    upd_sha512_update(&v->_sha, s->sig, 64);
    upd_sha512_update(&v->_sha, s->trusted, tl);
    upd_sha512_final(&v->_sha, hram);
    return upd__ed25519_check(s->global, v->key->key, hram) == UPD_OK ? UPD_OK : UPD_E_SIG_GLOBAL;
}

UPDDEF upd_result upd_minisig_verify(const upd_minisig *s, const upd_pubkey *keys, size_t nkeys,
                                     const void *msg, size_t len)
{
    upd_minisig_verifier v;
    upd_result r = upd_minisig_verify_init(&v, s, keys, nkeys);
    if (r != UPD_OK) return r;
    upd_minisig_verify_update(&v, msg, len);
    return upd_minisig_verify_final(&v);
}

#if !defined(UPDATER_NO_SIGN)
UPDDEF upd_result upd_minisign_keygen(upd_pubkey *pk, upd_seckey *sk)
{
    upd_result r;
    UPDATER_ASSERT(pk != NULL && sk != NULL);
    if ((r = upd_random(sk->id, 8)) != UPD_OK) return r;
    if ((r = upd_ed25519_keypair(pk->key, sk->key)) != UPD_OK) return r;
    memcpy(pk->id, sk->id, 8);
    return UPD_OK;
}
#endif

/* minisign prints a key id as the 8 bytes read little-endian, %016llX */
static void upd__ms_keyid(const uint8_t id[8], char out[17])
{
    static const char hx[] = "0123456789ABCDEF";
    int i;
    for (i = 0; i < 8; i++) {
        out[2 * i] = hx[id[7 - i] >> 4];
        out[2 * i + 1] = hx[id[7 - i] & 15];
    }
    out[16] = 0;
}

UPDDEF upd_result upd_pubkey_format(const upd_pubkey *k, char *out, size_t cap)
{
    uint8_t raw[42];
    char id[17], b64[57];
    raw[0] = 'E'; raw[1] = 'd';
    memcpy(raw + 2, k->id, 8);
    memcpy(raw + 10, k->key, 32);
    upd__b64_encode(raw, sizeof raw, b64);
    upd__ms_keyid(k->id, id);
    if ((size_t)snprintf(out, cap, "untrusted comment: minisign public key %s\n%s\n", id, b64) >= cap)
        return UPD_E_TOOBIG;
    return UPD_OK;
}

#if !defined(UPDATER_NO_SIGN)
UPDDEF upd_result upd_seckey_format(const upd_seckey *k, char *out, size_t cap)
{
    uint8_t raw[158];
    char b64[213];
    upd_blake2b_ctx c;
    int n;
    memset(raw, 0, sizeof raw);
    raw[0] = 'E'; raw[1] = 'd'; raw[4] = 'B'; raw[5] = '2'; /* kdf 00 00: not encrypted */
    memcpy(raw + 54, k->id, 8);
    memcpy(raw + 62, k->key, 64);
    upd_blake2b_init(&c, 32);
    upd_blake2b_update(&c, raw, 2);
    upd_blake2b_update(&c, k->id, 8);
    upd_blake2b_update(&c, k->key, 64);
    upd_blake2b_final(&c, raw + 126);
    upd__b64_encode(raw, sizeof raw, b64);
    n = snprintf(out, cap, "untrusted comment: minisign secret key (not encrypted)\n%s\n", b64);
    memset(raw, 0, sizeof raw);
    memset(b64, 0, sizeof b64);
    return n < 0 || (size_t)n >= cap ? UPD_E_TOOBIG : UPD_OK;
}

UPDDEF upd_result upd_minisig_sign(const upd_seckey *k, int prehashed, const void *msg, size_t len,
                                   const char *trusted, char *out, size_t cap)
{
    uint8_t raw[74], global[64];
    char b64a[101], b64b[89], id[17];
    size_t tl = strlen(trusted);
    int n;
    UPDATER_ASSERT(k != NULL && trusted != NULL && out != NULL);
    if (!upd__ms_text_ok(trusted, tl)) return UPD_E_SIG_FORMAT;
    raw[0] = 'E'; raw[1] = prehashed ? 'D' : 'd';
    memcpy(raw + 2, k->id, 8);
    upd_ed25519_sign(raw + 10, msg, len, k->key);
    upd__ed25519_sign2(global, raw + 10, 64, trusted, tl, k->key);
    upd__b64_encode(raw, sizeof raw, b64a);
    upd__b64_encode(global, sizeof global, b64b);
    upd__ms_keyid(k->id, id);
    n = snprintf(out, cap, "untrusted comment: signature from minisign secret key %s\n%s\ntrusted comment: %s\n%s\n",
                 id, b64a, trusted, b64b);
    /* never a file our own parser would refuse */
    return n < 0 || (size_t)n >= cap || (size_t)n > UPDATER_MAX_MINISIG ? UPD_E_TOOBIG : UPD_OK;
}
#endif /* UPDATER_NO_SIGN */

/* ==== >>gunzip =========================================================== */
/* Format notes.
   RFC 1952 2.3: a member is ID1=0x1f ID2=0x8b CM=8 FLG MTIME(4) XFL OS, then
   if FLG.FEXTRA XLEN(2, LE) and XLEN bytes, if FNAME a NUL-terminated name,
   if FCOMMENT a NUL-terminated comment, if FHCRC the low 16 bits of the
   CRC-32 of all header bytes before it; then DEFLATE data; then CRC32(4, LE)
   and ISIZE(4, LE) = uncompressed size mod 2^32. FLG bits 5-7 are reserved
   and must be zero ("must give an error indication"). FTEXT is a hint only.
   2.2: a gzip file is a series of members; we decode them all, and allow
   nothing else after the last.
   RFC 1951 3.1.1: bits are packed LSB first; Huffman codes are packed
   starting with their most significant bit, so tables are indexed by the
   bit-reversed code. 3.2.2: canonical codes from lengths; a set of lengths
   that over-subscribes the code space is invalid; one that leaves it
   incomplete is refused too, except a single code of length 1 (the
   encoders' way of coding one distance, as zlib accepts) and a distance
   code with no codes at all (a block of literals only). 3.2.3: BTYPE 11 is
   an error. 3.2.4: stored LEN must be the one's complement of NLEN.
   3.2.5: lit/len symbols 286 and 287 and distance symbols 30 and 31 never
   occur in valid data. 3.2.7: HLIT <= 286, HDIST <= 30; code 16 repeats the
   previous length (there must be one); repeats may cross from the lit/len
   lengths into the distance lengths but not past their end; the end-of-
   block symbol 256 must have a code. A distance may reach back at most to
   the start of the member's output (and at most 32768 bytes).

   Design. Output is decoded straight into the caller's buffer; the state's
   window is a ring holding the member's last 32 KiB of output, refreshed
   from the output at the end of each call, so that a match may reach back
   into earlier calls. While at least 8 input bytes and 266 output bytes
   remain, a fast loop refills the 64-bit bit buffer a word at a time
   (enough bits for a whole length/distance pair) and copies matches 8 bytes
   at a time; near either end a careful loop decodes one symbol at a time
   and can stop between any two bits. Codes are decoded through a table of
   2^11 (lit/len) or 2^8 (distance) entries indexed by the next bits, with
   second-level tables for longer codes; each entry carries the symbol's
   meaning (literal, length base and extra bits, distance base and extra
   bits) so the hot loop needs no other table. CRC-32 is computed over each
   call's output by slicing-by-8. */

/* CRC-32 tables: [0][n] is the CRC of the byte n (reflected polynomial
   0xEDB88320, as in RFC 1952 8); [k][n] = ([k-1][n] >> 8) ^ [0][[k-1][n] & 0xff],
   the CRC of n followed by k zero bytes. The unit tests recompute them. */
#ifdef UPDATER_SMALL
#define UPD__CRC_ROWS 1 /* byte at a time: 1 KiB of table instead of 8 */
#else
#define UPD__CRC_ROWS 8
#endif
static const uint32_t upd__crc_table[UPD__CRC_ROWS][256] = {
  {
    0x00000000u, 0x77073096u, 0xee0e612cu, 0x990951bau, 0x076dc419u, 0x706af48fu, 0xe963a535u, 0x9e6495a3u,
    0x0edb8832u, 0x79dcb8a4u, 0xe0d5e91eu, 0x97d2d988u, 0x09b64c2bu, 0x7eb17cbdu, 0xe7b82d07u, 0x90bf1d91u,
    0x1db71064u, 0x6ab020f2u, 0xf3b97148u, 0x84be41deu, 0x1adad47du, 0x6ddde4ebu, 0xf4d4b551u, 0x83d385c7u,
    0x136c9856u, 0x646ba8c0u, 0xfd62f97au, 0x8a65c9ecu, 0x14015c4fu, 0x63066cd9u, 0xfa0f3d63u, 0x8d080df5u,
    0x3b6e20c8u, 0x4c69105eu, 0xd56041e4u, 0xa2677172u, 0x3c03e4d1u, 0x4b04d447u, 0xd20d85fdu, 0xa50ab56bu,
    0x35b5a8fau, 0x42b2986cu, 0xdbbbc9d6u, 0xacbcf940u, 0x32d86ce3u, 0x45df5c75u, 0xdcd60dcfu, 0xabd13d59u,
    0x26d930acu, 0x51de003au, 0xc8d75180u, 0xbfd06116u, 0x21b4f4b5u, 0x56b3c423u, 0xcfba9599u, 0xb8bda50fu,
    0x2802b89eu, 0x5f058808u, 0xc60cd9b2u, 0xb10be924u, 0x2f6f7c87u, 0x58684c11u, 0xc1611dabu, 0xb6662d3du,
    0x76dc4190u, 0x01db7106u, 0x98d220bcu, 0xefd5102au, 0x71b18589u, 0x06b6b51fu, 0x9fbfe4a5u, 0xe8b8d433u,
    0x7807c9a2u, 0x0f00f934u, 0x9609a88eu, 0xe10e9818u, 0x7f6a0dbbu, 0x086d3d2du, 0x91646c97u, 0xe6635c01u,
    0x6b6b51f4u, 0x1c6c6162u, 0x856530d8u, 0xf262004eu, 0x6c0695edu, 0x1b01a57bu, 0x8208f4c1u, 0xf50fc457u,
    0x65b0d9c6u, 0x12b7e950u, 0x8bbeb8eau, 0xfcb9887cu, 0x62dd1ddfu, 0x15da2d49u, 0x8cd37cf3u, 0xfbd44c65u,
    0x4db26158u, 0x3ab551ceu, 0xa3bc0074u, 0xd4bb30e2u, 0x4adfa541u, 0x3dd895d7u, 0xa4d1c46du, 0xd3d6f4fbu,
    0x4369e96au, 0x346ed9fcu, 0xad678846u, 0xda60b8d0u, 0x44042d73u, 0x33031de5u, 0xaa0a4c5fu, 0xdd0d7cc9u,
    0x5005713cu, 0x270241aau, 0xbe0b1010u, 0xc90c2086u, 0x5768b525u, 0x206f85b3u, 0xb966d409u, 0xce61e49fu,
    0x5edef90eu, 0x29d9c998u, 0xb0d09822u, 0xc7d7a8b4u, 0x59b33d17u, 0x2eb40d81u, 0xb7bd5c3bu, 0xc0ba6cadu,
    0xedb88320u, 0x9abfb3b6u, 0x03b6e20cu, 0x74b1d29au, 0xead54739u, 0x9dd277afu, 0x04db2615u, 0x73dc1683u,
    0xe3630b12u, 0x94643b84u, 0x0d6d6a3eu, 0x7a6a5aa8u, 0xe40ecf0bu, 0x9309ff9du, 0x0a00ae27u, 0x7d079eb1u,
    0xf00f9344u, 0x8708a3d2u, 0x1e01f268u, 0x6906c2feu, 0xf762575du, 0x806567cbu, 0x196c3671u, 0x6e6b06e7u,
    0xfed41b76u, 0x89d32be0u, 0x10da7a5au, 0x67dd4accu, 0xf9b9df6fu, 0x8ebeeff9u, 0x17b7be43u, 0x60b08ed5u,
    0xd6d6a3e8u, 0xa1d1937eu, 0x38d8c2c4u, 0x4fdff252u, 0xd1bb67f1u, 0xa6bc5767u, 0x3fb506ddu, 0x48b2364bu,
    0xd80d2bdau, 0xaf0a1b4cu, 0x36034af6u, 0x41047a60u, 0xdf60efc3u, 0xa867df55u, 0x316e8eefu, 0x4669be79u,
    0xcb61b38cu, 0xbc66831au, 0x256fd2a0u, 0x5268e236u, 0xcc0c7795u, 0xbb0b4703u, 0x220216b9u, 0x5505262fu,
    0xc5ba3bbeu, 0xb2bd0b28u, 0x2bb45a92u, 0x5cb36a04u, 0xc2d7ffa7u, 0xb5d0cf31u, 0x2cd99e8bu, 0x5bdeae1du,
    0x9b64c2b0u, 0xec63f226u, 0x756aa39cu, 0x026d930au, 0x9c0906a9u, 0xeb0e363fu, 0x72076785u, 0x05005713u,
    0x95bf4a82u, 0xe2b87a14u, 0x7bb12baeu, 0x0cb61b38u, 0x92d28e9bu, 0xe5d5be0du, 0x7cdcefb7u, 0x0bdbdf21u,
    0x86d3d2d4u, 0xf1d4e242u, 0x68ddb3f8u, 0x1fda836eu, 0x81be16cdu, 0xf6b9265bu, 0x6fb077e1u, 0x18b74777u,
    0x88085ae6u, 0xff0f6a70u, 0x66063bcau, 0x11010b5cu, 0x8f659effu, 0xf862ae69u, 0x616bffd3u, 0x166ccf45u,
    0xa00ae278u, 0xd70dd2eeu, 0x4e048354u, 0x3903b3c2u, 0xa7672661u, 0xd06016f7u, 0x4969474du, 0x3e6e77dbu,
    0xaed16a4au, 0xd9d65adcu, 0x40df0b66u, 0x37d83bf0u, 0xa9bcae53u, 0xdebb9ec5u, 0x47b2cf7fu, 0x30b5ffe9u,
    0xbdbdf21cu, 0xcabac28au, 0x53b39330u, 0x24b4a3a6u, 0xbad03605u, 0xcdd70693u, 0x54de5729u, 0x23d967bfu,
    0xb3667a2eu, 0xc4614ab8u, 0x5d681b02u, 0x2a6f2b94u, 0xb40bbe37u, 0xc30c8ea1u, 0x5a05df1bu, 0x2d02ef8du,
  },
#if UPD__CRC_ROWS == 8
  {
    0x00000000u, 0x191b3141u, 0x32366282u, 0x2b2d53c3u, 0x646cc504u, 0x7d77f445u, 0x565aa786u, 0x4f4196c7u,
    0xc8d98a08u, 0xd1c2bb49u, 0xfaefe88au, 0xe3f4d9cbu, 0xacb54f0cu, 0xb5ae7e4du, 0x9e832d8eu, 0x87981ccfu,
    0x4ac21251u, 0x53d92310u, 0x78f470d3u, 0x61ef4192u, 0x2eaed755u, 0x37b5e614u, 0x1c98b5d7u, 0x05838496u,
    0x821b9859u, 0x9b00a918u, 0xb02dfadbu, 0xa936cb9au, 0xe6775d5du, 0xff6c6c1cu, 0xd4413fdfu, 0xcd5a0e9eu,
    0x958424a2u, 0x8c9f15e3u, 0xa7b24620u, 0xbea97761u, 0xf1e8e1a6u, 0xe8f3d0e7u, 0xc3de8324u, 0xdac5b265u,
    0x5d5daeaau, 0x44469febu, 0x6f6bcc28u, 0x7670fd69u, 0x39316baeu, 0x202a5aefu, 0x0b07092cu, 0x121c386du,
    0xdf4636f3u, 0xc65d07b2u, 0xed705471u, 0xf46b6530u, 0xbb2af3f7u, 0xa231c2b6u, 0x891c9175u, 0x9007a034u,
    0x179fbcfbu, 0x0e848dbau, 0x25a9de79u, 0x3cb2ef38u, 0x73f379ffu, 0x6ae848beu, 0x41c51b7du, 0x58de2a3cu,
    0xf0794f05u, 0xe9627e44u, 0xc24f2d87u, 0xdb541cc6u, 0x94158a01u, 0x8d0ebb40u, 0xa623e883u, 0xbf38d9c2u,
    0x38a0c50du, 0x21bbf44cu, 0x0a96a78fu, 0x138d96ceu, 0x5ccc0009u, 0x45d73148u, 0x6efa628bu, 0x77e153cau,
    0xbabb5d54u, 0xa3a06c15u, 0x888d3fd6u, 0x91960e97u, 0xded79850u, 0xc7cca911u, 0xece1fad2u, 0xf5facb93u,
    0x7262d75cu, 0x6b79e61du, 0x4054b5deu, 0x594f849fu, 0x160e1258u, 0x0f152319u, 0x243870dau, 0x3d23419bu,
    0x65fd6ba7u, 0x7ce65ae6u, 0x57cb0925u, 0x4ed03864u, 0x0191aea3u, 0x188a9fe2u, 0x33a7cc21u, 0x2abcfd60u,
    0xad24e1afu, 0xb43fd0eeu, 0x9f12832du, 0x8609b26cu, 0xc94824abu, 0xd05315eau, 0xfb7e4629u, 0xe2657768u,
    0x2f3f79f6u, 0x362448b7u, 0x1d091b74u, 0x04122a35u, 0x4b53bcf2u, 0x52488db3u, 0x7965de70u, 0x607eef31u,
    0xe7e6f3feu, 0xfefdc2bfu, 0xd5d0917cu, 0xcccba03du, 0x838a36fau, 0x9a9107bbu, 0xb1bc5478u, 0xa8a76539u,
    0x3b83984bu, 0x2298a90au, 0x09b5fac9u, 0x10aecb88u, 0x5fef5d4fu, 0x46f46c0eu, 0x6dd93fcdu, 0x74c20e8cu,
    0xf35a1243u, 0xea412302u, 0xc16c70c1u, 0xd8774180u, 0x9736d747u, 0x8e2de606u, 0xa500b5c5u, 0xbc1b8484u,
    0x71418a1au, 0x685abb5bu, 0x4377e898u, 0x5a6cd9d9u, 0x152d4f1eu, 0x0c367e5fu, 0x271b2d9cu, 0x3e001cddu,
    0xb9980012u, 0xa0833153u, 0x8bae6290u, 0x92b553d1u, 0xddf4c516u, 0xc4eff457u, 0xefc2a794u, 0xf6d996d5u,
    0xae07bce9u, 0xb71c8da8u, 0x9c31de6bu, 0x852aef2au, 0xca6b79edu, 0xd37048acu, 0xf85d1b6fu, 0xe1462a2eu,
    0x66de36e1u, 0x7fc507a0u, 0x54e85463u, 0x4df36522u, 0x02b2f3e5u, 0x1ba9c2a4u, 0x30849167u, 0x299fa026u,
    0xe4c5aeb8u, 0xfdde9ff9u, 0xd6f3cc3au, 0xcfe8fd7bu, 0x80a96bbcu, 0x99b25afdu, 0xb29f093eu, 0xab84387fu,
    0x2c1c24b0u, 0x350715f1u, 0x1e2a4632u, 0x07317773u, 0x4870e1b4u, 0x516bd0f5u, 0x7a468336u, 0x635db277u,
    0xcbfad74eu, 0xd2e1e60fu, 0xf9ccb5ccu, 0xe0d7848du, 0xaf96124au, 0xb68d230bu, 0x9da070c8u, 0x84bb4189u,
    0x03235d46u, 0x1a386c07u, 0x31153fc4u, 0x280e0e85u, 0x674f9842u, 0x7e54a903u, 0x5579fac0u, 0x4c62cb81u,
    0x8138c51fu, 0x9823f45eu, 0xb30ea79du, 0xaa1596dcu, 0xe554001bu, 0xfc4f315au, 0xd7626299u, 0xce7953d8u,
    0x49e14f17u, 0x50fa7e56u, 0x7bd72d95u, 0x62cc1cd4u, 0x2d8d8a13u, 0x3496bb52u, 0x1fbbe891u, 0x06a0d9d0u,
    0x5e7ef3ecu, 0x4765c2adu, 0x6c48916eu, 0x7553a02fu, 0x3a1236e8u, 0x230907a9u, 0x0824546au, 0x113f652bu,
    0x96a779e4u, 0x8fbc48a5u, 0xa4911b66u, 0xbd8a2a27u, 0xf2cbbce0u, 0xebd08da1u, 0xc0fdde62u, 0xd9e6ef23u,
    0x14bce1bdu, 0x0da7d0fcu, 0x268a833fu, 0x3f91b27eu, 0x70d024b9u, 0x69cb15f8u, 0x42e6463bu, 0x5bfd777au,
    0xdc656bb5u, 0xc57e5af4u, 0xee530937u, 0xf7483876u, 0xb809aeb1u, 0xa1129ff0u, 0x8a3fcc33u, 0x9324fd72u,
  },
  {
    0x00000000u, 0x01c26a37u, 0x0384d46eu, 0x0246be59u, 0x0709a8dcu, 0x06cbc2ebu, 0x048d7cb2u, 0x054f1685u,
    0x0e1351b8u, 0x0fd13b8fu, 0x0d9785d6u, 0x0c55efe1u, 0x091af964u, 0x08d89353u, 0x0a9e2d0au, 0x0b5c473du,
    0x1c26a370u, 0x1de4c947u, 0x1fa2771eu, 0x1e601d29u, 0x1b2f0bacu, 0x1aed619bu, 0x18abdfc2u, 0x1969b5f5u,
    0x1235f2c8u, 0x13f798ffu, 0x11b126a6u, 0x10734c91u, 0x153c5a14u, 0x14fe3023u, 0x16b88e7au, 0x177ae44du,
    0x384d46e0u, 0x398f2cd7u, 0x3bc9928eu, 0x3a0bf8b9u, 0x3f44ee3cu, 0x3e86840bu, 0x3cc03a52u, 0x3d025065u,
    0x365e1758u, 0x379c7d6fu, 0x35dac336u, 0x3418a901u, 0x3157bf84u, 0x3095d5b3u, 0x32d36beau, 0x331101ddu,
    0x246be590u, 0x25a98fa7u, 0x27ef31feu, 0x262d5bc9u, 0x23624d4cu, 0x22a0277bu, 0x20e69922u, 0x2124f315u,
    0x2a78b428u, 0x2bbade1fu, 0x29fc6046u, 0x283e0a71u, 0x2d711cf4u, 0x2cb376c3u, 0x2ef5c89au, 0x2f37a2adu,
    0x709a8dc0u, 0x7158e7f7u, 0x731e59aeu, 0x72dc3399u, 0x7793251cu, 0x76514f2bu, 0x7417f172u, 0x75d59b45u,
    0x7e89dc78u, 0x7f4bb64fu, 0x7d0d0816u, 0x7ccf6221u, 0x798074a4u, 0x78421e93u, 0x7a04a0cau, 0x7bc6cafdu,
    0x6cbc2eb0u, 0x6d7e4487u, 0x6f38fadeu, 0x6efa90e9u, 0x6bb5866cu, 0x6a77ec5bu, 0x68315202u, 0x69f33835u,
    0x62af7f08u, 0x636d153fu, 0x612bab66u, 0x60e9c151u, 0x65a6d7d4u, 0x6464bde3u, 0x662203bau, 0x67e0698du,
    0x48d7cb20u, 0x4915a117u, 0x4b531f4eu, 0x4a917579u, 0x4fde63fcu, 0x4e1c09cbu, 0x4c5ab792u, 0x4d98dda5u,
    0x46c49a98u, 0x4706f0afu, 0x45404ef6u, 0x448224c1u, 0x41cd3244u, 0x400f5873u, 0x4249e62au, 0x438b8c1du,
    0x54f16850u, 0x55330267u, 0x5775bc3eu, 0x56b7d609u, 0x53f8c08cu, 0x523aaabbu, 0x507c14e2u, 0x51be7ed5u,
    0x5ae239e8u, 0x5b2053dfu, 0x5966ed86u, 0x58a487b1u, 0x5deb9134u, 0x5c29fb03u, 0x5e6f455au, 0x5fad2f6du,
    0xe1351b80u, 0xe0f771b7u, 0xe2b1cfeeu, 0xe373a5d9u, 0xe63cb35cu, 0xe7fed96bu, 0xe5b86732u, 0xe47a0d05u,
    0xef264a38u, 0xeee4200fu, 0xeca29e56u, 0xed60f461u, 0xe82fe2e4u, 0xe9ed88d3u, 0xebab368au, 0xea695cbdu,
    0xfd13b8f0u, 0xfcd1d2c7u, 0xfe976c9eu, 0xff5506a9u, 0xfa1a102cu, 0xfbd87a1bu, 0xf99ec442u, 0xf85cae75u,
    0xf300e948u, 0xf2c2837fu, 0xf0843d26u, 0xf1465711u, 0xf4094194u, 0xf5cb2ba3u, 0xf78d95fau, 0xf64fffcdu,
    0xd9785d60u, 0xd8ba3757u, 0xdafc890eu, 0xdb3ee339u, 0xde71f5bcu, 0xdfb39f8bu, 0xddf521d2u, 0xdc374be5u,
    0xd76b0cd8u, 0xd6a966efu, 0xd4efd8b6u, 0xd52db281u, 0xd062a404u, 0xd1a0ce33u, 0xd3e6706au, 0xd2241a5du,
    0xc55efe10u, 0xc49c9427u, 0xc6da2a7eu, 0xc7184049u, 0xc25756ccu, 0xc3953cfbu, 0xc1d382a2u, 0xc011e895u,
    0xcb4dafa8u, 0xca8fc59fu, 0xc8c97bc6u, 0xc90b11f1u, 0xcc440774u, 0xcd866d43u, 0xcfc0d31au, 0xce02b92du,
    0x91af9640u, 0x906dfc77u, 0x922b422eu, 0x93e92819u, 0x96a63e9cu, 0x976454abu, 0x9522eaf2u, 0x94e080c5u,
    0x9fbcc7f8u, 0x9e7eadcfu, 0x9c381396u, 0x9dfa79a1u, 0x98b56f24u, 0x99770513u, 0x9b31bb4au, 0x9af3d17du,
    0x8d893530u, 0x8c4b5f07u, 0x8e0de15eu, 0x8fcf8b69u, 0x8a809decu, 0x8b42f7dbu, 0x89044982u, 0x88c623b5u,
    0x839a6488u, 0x82580ebfu, 0x801eb0e6u, 0x81dcdad1u, 0x8493cc54u, 0x8551a663u, 0x8717183au, 0x86d5720du,
    0xa9e2d0a0u, 0xa820ba97u, 0xaa6604ceu, 0xaba46ef9u, 0xaeeb787cu, 0xaf29124bu, 0xad6fac12u, 0xacadc625u,
    0xa7f18118u, 0xa633eb2fu, 0xa4755576u, 0xa5b73f41u, 0xa0f829c4u, 0xa13a43f3u, 0xa37cfdaau, 0xa2be979du,
    0xb5c473d0u, 0xb40619e7u, 0xb640a7beu, 0xb782cd89u, 0xb2cddb0cu, 0xb30fb13bu, 0xb1490f62u, 0xb08b6555u,
    0xbbd72268u, 0xba15485fu, 0xb853f606u, 0xb9919c31u, 0xbcde8ab4u, 0xbd1ce083u, 0xbf5a5edau, 0xbe9834edu,
  },
  {
    0x00000000u, 0xb8bc6765u, 0xaa09c88bu, 0x12b5afeeu, 0x8f629757u, 0x37def032u, 0x256b5fdcu, 0x9dd738b9u,
    0xc5b428efu, 0x7d084f8au, 0x6fbde064u, 0xd7018701u, 0x4ad6bfb8u, 0xf26ad8ddu, 0xe0df7733u, 0x58631056u,
    0x5019579fu, 0xe8a530fau, 0xfa109f14u, 0x42acf871u, 0xdf7bc0c8u, 0x67c7a7adu, 0x75720843u, 0xcdce6f26u,
    0x95ad7f70u, 0x2d111815u, 0x3fa4b7fbu, 0x8718d09eu, 0x1acfe827u, 0xa2738f42u, 0xb0c620acu, 0x087a47c9u,
    0xa032af3eu, 0x188ec85bu, 0x0a3b67b5u, 0xb28700d0u, 0x2f503869u, 0x97ec5f0cu, 0x8559f0e2u, 0x3de59787u,
    0x658687d1u, 0xdd3ae0b4u, 0xcf8f4f5au, 0x7733283fu, 0xeae41086u, 0x525877e3u, 0x40edd80du, 0xf851bf68u,
    0xf02bf8a1u, 0x48979fc4u, 0x5a22302au, 0xe29e574fu, 0x7f496ff6u, 0xc7f50893u, 0xd540a77du, 0x6dfcc018u,
    0x359fd04eu, 0x8d23b72bu, 0x9f9618c5u, 0x272a7fa0u, 0xbafd4719u, 0x0241207cu, 0x10f48f92u, 0xa848e8f7u,
    0x9b14583du, 0x23a83f58u, 0x311d90b6u, 0x89a1f7d3u, 0x1476cf6au, 0xaccaa80fu, 0xbe7f07e1u, 0x06c36084u,
    0x5ea070d2u, 0xe61c17b7u, 0xf4a9b859u, 0x4c15df3cu, 0xd1c2e785u, 0x697e80e0u, 0x7bcb2f0eu, 0xc377486bu,
    0xcb0d0fa2u, 0x73b168c7u, 0x6104c729u, 0xd9b8a04cu, 0x446f98f5u, 0xfcd3ff90u, 0xee66507eu, 0x56da371bu,
    0x0eb9274du, 0xb6054028u, 0xa4b0efc6u, 0x1c0c88a3u, 0x81dbb01au, 0x3967d77fu, 0x2bd27891u, 0x936e1ff4u,
    0x3b26f703u, 0x839a9066u, 0x912f3f88u, 0x299358edu, 0xb4446054u, 0x0cf80731u, 0x1e4da8dfu, 0xa6f1cfbau,
    0xfe92dfecu, 0x462eb889u, 0x549b1767u, 0xec277002u, 0x71f048bbu, 0xc94c2fdeu, 0xdbf98030u, 0x6345e755u,
    0x6b3fa09cu, 0xd383c7f9u, 0xc1366817u, 0x798a0f72u, 0xe45d37cbu, 0x5ce150aeu, 0x4e54ff40u, 0xf6e89825u,
    0xae8b8873u, 0x1637ef16u, 0x048240f8u, 0xbc3e279du, 0x21e91f24u, 0x99557841u, 0x8be0d7afu, 0x335cb0cau,
    0xed59b63bu, 0x55e5d15eu, 0x47507eb0u, 0xffec19d5u, 0x623b216cu, 0xda874609u, 0xc832e9e7u, 0x708e8e82u,
    0x28ed9ed4u, 0x9051f9b1u, 0x82e4565fu, 0x3a58313au, 0xa78f0983u, 0x1f336ee6u, 0x0d86c108u, 0xb53aa66du,
    0xbd40e1a4u, 0x05fc86c1u, 0x1749292fu, 0xaff54e4au, 0x322276f3u, 0x8a9e1196u, 0x982bbe78u, 0x2097d91du,
    0x78f4c94bu, 0xc048ae2eu, 0xd2fd01c0u, 0x6a4166a5u, 0xf7965e1cu, 0x4f2a3979u, 0x5d9f9697u, 0xe523f1f2u,
    0x4d6b1905u, 0xf5d77e60u, 0xe762d18eu, 0x5fdeb6ebu, 0xc2098e52u, 0x7ab5e937u, 0x680046d9u, 0xd0bc21bcu,
    0x88df31eau, 0x3063568fu, 0x22d6f961u, 0x9a6a9e04u, 0x07bda6bdu, 0xbf01c1d8u, 0xadb46e36u, 0x15080953u,
    0x1d724e9au, 0xa5ce29ffu, 0xb77b8611u, 0x0fc7e174u, 0x9210d9cdu, 0x2aacbea8u, 0x38191146u, 0x80a57623u,
    0xd8c66675u, 0x607a0110u, 0x72cfaefeu, 0xca73c99bu, 0x57a4f122u, 0xef189647u, 0xfdad39a9u, 0x45115eccu,
    0x764dee06u, 0xcef18963u, 0xdc44268du, 0x64f841e8u, 0xf92f7951u, 0x41931e34u, 0x5326b1dau, 0xeb9ad6bfu,
    0xb3f9c6e9u, 0x0b45a18cu, 0x19f00e62u, 0xa14c6907u, 0x3c9b51beu, 0x842736dbu, 0x96929935u, 0x2e2efe50u,
    0x2654b999u, 0x9ee8defcu, 0x8c5d7112u, 0x34e11677u, 0xa9362eceu, 0x118a49abu, 0x033fe645u, 0xbb838120u,
    0xe3e09176u, 0x5b5cf613u, 0x49e959fdu, 0xf1553e98u, 0x6c820621u, 0xd43e6144u, 0xc68bceaau, 0x7e37a9cfu,
    0xd67f4138u, 0x6ec3265du, 0x7c7689b3u, 0xc4caeed6u, 0x591dd66fu, 0xe1a1b10au, 0xf3141ee4u, 0x4ba87981u,
    0x13cb69d7u, 0xab770eb2u, 0xb9c2a15cu, 0x017ec639u, 0x9ca9fe80u, 0x241599e5u, 0x36a0360bu, 0x8e1c516eu,
    0x866616a7u, 0x3eda71c2u, 0x2c6fde2cu, 0x94d3b949u, 0x090481f0u, 0xb1b8e695u, 0xa30d497bu, 0x1bb12e1eu,
    0x43d23e48u, 0xfb6e592du, 0xe9dbf6c3u, 0x516791a6u, 0xccb0a91fu, 0x740cce7au, 0x66b96194u, 0xde0506f1u,
  },
  {
    0x00000000u, 0x3d6029b0u, 0x7ac05360u, 0x47a07ad0u, 0xf580a6c0u, 0xc8e08f70u, 0x8f40f5a0u, 0xb220dc10u,
    0x30704bc1u, 0x0d106271u, 0x4ab018a1u, 0x77d03111u, 0xc5f0ed01u, 0xf890c4b1u, 0xbf30be61u, 0x825097d1u,
    0x60e09782u, 0x5d80be32u, 0x1a20c4e2u, 0x2740ed52u, 0x95603142u, 0xa80018f2u, 0xefa06222u, 0xd2c04b92u,
    0x5090dc43u, 0x6df0f5f3u, 0x2a508f23u, 0x1730a693u, 0xa5107a83u, 0x98705333u, 0xdfd029e3u, 0xe2b00053u,
    0xc1c12f04u, 0xfca106b4u, 0xbb017c64u, 0x866155d4u, 0x344189c4u, 0x0921a074u, 0x4e81daa4u, 0x73e1f314u,
    0xf1b164c5u, 0xccd14d75u, 0x8b7137a5u, 0xb6111e15u, 0x0431c205u, 0x3951ebb5u, 0x7ef19165u, 0x4391b8d5u,
    0xa121b886u, 0x9c419136u, 0xdbe1ebe6u, 0xe681c256u, 0x54a11e46u, 0x69c137f6u, 0x2e614d26u, 0x13016496u,
    0x9151f347u, 0xac31daf7u, 0xeb91a027u, 0xd6f18997u, 0x64d15587u, 0x59b17c37u, 0x1e1106e7u, 0x23712f57u,
    0x58f35849u, 0x659371f9u, 0x22330b29u, 0x1f532299u, 0xad73fe89u, 0x9013d739u, 0xd7b3ade9u, 0xead38459u,
    0x68831388u, 0x55e33a38u, 0x124340e8u, 0x2f236958u, 0x9d03b548u, 0xa0639cf8u, 0xe7c3e628u, 0xdaa3cf98u,
    0x3813cfcbu, 0x0573e67bu, 0x42d39cabu, 0x7fb3b51bu, 0xcd93690bu, 0xf0f340bbu, 0xb7533a6bu, 0x8a3313dbu,
    0x0863840au, 0x3503adbau, 0x72a3d76au, 0x4fc3fedau, 0xfde322cau, 0xc0830b7au, 0x872371aau, 0xba43581au,
    0x9932774du, 0xa4525efdu, 0xe3f2242du, 0xde920d9du, 0x6cb2d18du, 0x51d2f83du, 0x167282edu, 0x2b12ab5du,
    0xa9423c8cu, 0x9422153cu, 0xd3826fecu, 0xeee2465cu, 0x5cc29a4cu, 0x61a2b3fcu, 0x2602c92cu, 0x1b62e09cu,
    0xf9d2e0cfu, 0xc4b2c97fu, 0x8312b3afu, 0xbe729a1fu, 0x0c52460fu, 0x31326fbfu, 0x7692156fu, 0x4bf23cdfu,
    0xc9a2ab0eu, 0xf4c282beu, 0xb362f86eu, 0x8e02d1deu, 0x3c220dceu, 0x0142247eu, 0x46e25eaeu, 0x7b82771eu,
    0xb1e6b092u, 0x8c869922u, 0xcb26e3f2u, 0xf646ca42u, 0x44661652u, 0x79063fe2u, 0x3ea64532u, 0x03c66c82u,
    0x8196fb53u, 0xbcf6d2e3u, 0xfb56a833u, 0xc6368183u, 0x74165d93u, 0x49767423u, 0x0ed60ef3u, 0x33b62743u,
    0xd1062710u, 0xec660ea0u, 0xabc67470u, 0x96a65dc0u, 0x248681d0u, 0x19e6a860u, 0x5e46d2b0u, 0x6326fb00u,
    0xe1766cd1u, 0xdc164561u, 0x9bb63fb1u, 0xa6d61601u, 0x14f6ca11u, 0x2996e3a1u, 0x6e369971u, 0x5356b0c1u,
    0x70279f96u, 0x4d47b626u, 0x0ae7ccf6u, 0x3787e546u, 0x85a73956u, 0xb8c710e6u, 0xff676a36u, 0xc2074386u,
    0x4057d457u, 0x7d37fde7u, 0x3a978737u, 0x07f7ae87u, 0xb5d77297u, 0x88b75b27u, 0xcf1721f7u, 0xf2770847u,
    0x10c70814u, 0x2da721a4u, 0x6a075b74u, 0x576772c4u, 0xe547aed4u, 0xd8278764u, 0x9f87fdb4u, 0xa2e7d404u,
    0x20b743d5u, 0x1dd76a65u, 0x5a7710b5u, 0x67173905u, 0xd537e515u, 0xe857cca5u, 0xaff7b675u, 0x92979fc5u,
    0xe915e8dbu, 0xd475c16bu, 0x93d5bbbbu, 0xaeb5920bu, 0x1c954e1bu, 0x21f567abu, 0x66551d7bu, 0x5b3534cbu,
    0xd965a31au, 0xe4058aaau, 0xa3a5f07au, 0x9ec5d9cau, 0x2ce505dau, 0x11852c6au, 0x562556bau, 0x6b457f0au,
    0x89f57f59u, 0xb49556e9u, 0xf3352c39u, 0xce550589u, 0x7c75d999u, 0x4115f029u, 0x06b58af9u, 0x3bd5a349u,
    0xb9853498u, 0x84e51d28u, 0xc34567f8u, 0xfe254e48u, 0x4c059258u, 0x7165bbe8u, 0x36c5c138u, 0x0ba5e888u,
    0x28d4c7dfu, 0x15b4ee6fu, 0x521494bfu, 0x6f74bd0fu, 0xdd54611fu, 0xe03448afu, 0xa794327fu, 0x9af41bcfu,
    0x18a48c1eu, 0x25c4a5aeu, 0x6264df7eu, 0x5f04f6ceu, 0xed242adeu, 0xd044036eu, 0x97e479beu, 0xaa84500eu,
    0x4834505du, 0x755479edu, 0x32f4033du, 0x0f942a8du, 0xbdb4f69du, 0x80d4df2du, 0xc774a5fdu, 0xfa148c4du,
    0x78441b9cu, 0x4524322cu, 0x028448fcu, 0x3fe4614cu, 0x8dc4bd5cu, 0xb0a494ecu, 0xf704ee3cu, 0xca64c78cu,
  },
  {
    0x00000000u, 0xcb5cd3a5u, 0x4dc8a10bu, 0x869472aeu, 0x9b914216u, 0x50cd91b3u, 0xd659e31du, 0x1d0530b8u,
    0xec53826du, 0x270f51c8u, 0xa19b2366u, 0x6ac7f0c3u, 0x77c2c07bu, 0xbc9e13deu, 0x3a0a6170u, 0xf156b2d5u,
    0x03d6029bu, 0xc88ad13eu, 0x4e1ea390u, 0x85427035u, 0x9847408du, 0x531b9328u, 0xd58fe186u, 0x1ed33223u,
    0xef8580f6u, 0x24d95353u, 0xa24d21fdu, 0x6911f258u, 0x7414c2e0u, 0xbf481145u, 0x39dc63ebu, 0xf280b04eu,
    0x07ac0536u, 0xccf0d693u, 0x4a64a43du, 0x81387798u, 0x9c3d4720u, 0x57619485u, 0xd1f5e62bu, 0x1aa9358eu,
    0xebff875bu, 0x20a354feu, 0xa6372650u, 0x6d6bf5f5u, 0x706ec54du, 0xbb3216e8u, 0x3da66446u, 0xf6fab7e3u,
    0x047a07adu, 0xcf26d408u, 0x49b2a6a6u, 0x82ee7503u, 0x9feb45bbu, 0x54b7961eu, 0xd223e4b0u, 0x197f3715u,
    0xe82985c0u, 0x23755665u, 0xa5e124cbu, 0x6ebdf76eu, 0x73b8c7d6u, 0xb8e41473u, 0x3e7066ddu, 0xf52cb578u,
    0x0f580a6cu, 0xc404d9c9u, 0x4290ab67u, 0x89cc78c2u, 0x94c9487au, 0x5f959bdfu, 0xd901e971u, 0x125d3ad4u,
    0xe30b8801u, 0x28575ba4u, 0xaec3290au, 0x659ffaafu, 0x789aca17u, 0xb3c619b2u, 0x35526b1cu, 0xfe0eb8b9u,
    0x0c8e08f7u, 0xc7d2db52u, 0x4146a9fcu, 0x8a1a7a59u, 0x971f4ae1u, 0x5c439944u, 0xdad7ebeau, 0x118b384fu,
    0xe0dd8a9au, 0x2b81593fu, 0xad152b91u, 0x6649f834u, 0x7b4cc88cu, 0xb0101b29u, 0x36846987u, 0xfdd8ba22u,
    0x08f40f5au, 0xc3a8dcffu, 0x453cae51u, 0x8e607df4u, 0x93654d4cu, 0x58399ee9u, 0xdeadec47u, 0x15f13fe2u,
    0xe4a78d37u, 0x2ffb5e92u, 0xa96f2c3cu, 0x6233ff99u, 0x7f36cf21u, 0xb46a1c84u, 0x32fe6e2au, 0xf9a2bd8fu,
    0x0b220dc1u, 0xc07ede64u, 0x46eaaccau, 0x8db67f6fu, 0x90b34fd7u, 0x5bef9c72u, 0xdd7beedcu, 0x16273d79u,
    0xe7718facu, 0x2c2d5c09u, 0xaab92ea7u, 0x61e5fd02u, 0x7ce0cdbau, 0xb7bc1e1fu, 0x31286cb1u, 0xfa74bf14u,
    0x1eb014d8u, 0xd5ecc77du, 0x5378b5d3u, 0x98246676u, 0x852156ceu, 0x4e7d856bu, 0xc8e9f7c5u, 0x03b52460u,
    0xf2e396b5u, 0x39bf4510u, 0xbf2b37beu, 0x7477e41bu, 0x6972d4a3u, 0xa22e0706u, 0x24ba75a8u, 0xefe6a60du,
    0x1d661643u, 0xd63ac5e6u, 0x50aeb748u, 0x9bf264edu, 0x86f75455u, 0x4dab87f0u, 0xcb3ff55eu, 0x006326fbu,
    0xf135942eu, 0x3a69478bu, 0xbcfd3525u, 0x77a1e680u, 0x6aa4d638u, 0xa1f8059du, 0x276c7733u, 0xec30a496u,
    0x191c11eeu, 0xd240c24bu, 0x54d4b0e5u, 0x9f886340u, 0x828d53f8u, 0x49d1805du, 0xcf45f2f3u, 0x04192156u,
    0xf54f9383u, 0x3e134026u, 0xb8873288u, 0x73dbe12du, 0x6eded195u, 0xa5820230u, 0x2316709eu, 0xe84aa33bu,
    0x1aca1375u, 0xd196c0d0u, 0x5702b27eu, 0x9c5e61dbu, 0x815b5163u, 0x4a0782c6u, 0xcc93f068u, 0x07cf23cdu,
    0xf6999118u, 0x3dc542bdu, 0xbb513013u, 0x700de3b6u, 0x6d08d30eu, 0xa65400abu, 0x20c07205u, 0xeb9ca1a0u,
    0x11e81eb4u, 0xdab4cd11u, 0x5c20bfbfu, 0x977c6c1au, 0x8a795ca2u, 0x41258f07u, 0xc7b1fda9u, 0x0ced2e0cu,
    0xfdbb9cd9u, 0x36e74f7cu, 0xb0733dd2u, 0x7b2fee77u, 0x662adecfu, 0xad760d6au, 0x2be27fc4u, 0xe0beac61u,
    0x123e1c2fu, 0xd962cf8au, 0x5ff6bd24u, 0x94aa6e81u, 0x89af5e39u, 0x42f38d9cu, 0xc467ff32u, 0x0f3b2c97u,
    0xfe6d9e42u, 0x35314de7u, 0xb3a53f49u, 0x78f9ececu, 0x65fcdc54u, 0xaea00ff1u, 0x28347d5fu, 0xe368aefau,
    0x16441b82u, 0xdd18c827u, 0x5b8cba89u, 0x90d0692cu, 0x8dd55994u, 0x46898a31u, 0xc01df89fu, 0x0b412b3au,
    0xfa1799efu, 0x314b4a4au, 0xb7df38e4u, 0x7c83eb41u, 0x6186dbf9u, 0xaada085cu, 0x2c4e7af2u, 0xe712a957u,
    0x15921919u, 0xdececabcu, 0x585ab812u, 0x93066bb7u, 0x8e035b0fu, 0x455f88aau, 0xc3cbfa04u, 0x089729a1u,
    0xf9c19b74u, 0x329d48d1u, 0xb4093a7fu, 0x7f55e9dau, 0x6250d962u, 0xa90c0ac7u, 0x2f987869u, 0xe4c4abccu,
  },
  {
    0x00000000u, 0xa6770bb4u, 0x979f1129u, 0x31e81a9du, 0xf44f2413u, 0x52382fa7u, 0x63d0353au, 0xc5a73e8eu,
    0x33ef4e67u, 0x959845d3u, 0xa4705f4eu, 0x020754fau, 0xc7a06a74u, 0x61d761c0u, 0x503f7b5du, 0xf64870e9u,
    0x67de9cceu, 0xc1a9977au, 0xf0418de7u, 0x56368653u, 0x9391b8ddu, 0x35e6b369u, 0x040ea9f4u, 0xa279a240u,
    0x5431d2a9u, 0xf246d91du, 0xc3aec380u, 0x65d9c834u, 0xa07ef6bau, 0x0609fd0eu, 0x37e1e793u, 0x9196ec27u,
    0xcfbd399cu, 0x69ca3228u, 0x582228b5u, 0xfe552301u, 0x3bf21d8fu, 0x9d85163bu, 0xac6d0ca6u, 0x0a1a0712u,
    0xfc5277fbu, 0x5a257c4fu, 0x6bcd66d2u, 0xcdba6d66u, 0x081d53e8u, 0xae6a585cu, 0x9f8242c1u, 0x39f54975u,
    0xa863a552u, 0x0e14aee6u, 0x3ffcb47bu, 0x998bbfcfu, 0x5c2c8141u, 0xfa5b8af5u, 0xcbb39068u, 0x6dc49bdcu,
    0x9b8ceb35u, 0x3dfbe081u, 0x0c13fa1cu, 0xaa64f1a8u, 0x6fc3cf26u, 0xc9b4c492u, 0xf85cde0fu, 0x5e2bd5bbu,
    0x440b7579u, 0xe27c7ecdu, 0xd3946450u, 0x75e36fe4u, 0xb044516au, 0x16335adeu, 0x27db4043u, 0x81ac4bf7u,
    0x77e43b1eu, 0xd19330aau, 0xe07b2a37u, 0x460c2183u, 0x83ab1f0du, 0x25dc14b9u, 0x14340e24u, 0xb2430590u,
    0x23d5e9b7u, 0x85a2e203u, 0xb44af89eu, 0x123df32au, 0xd79acda4u, 0x71edc610u, 0x4005dc8du, 0xe672d739u,
    0x103aa7d0u, 0xb64dac64u, 0x87a5b6f9u, 0x21d2bd4du, 0xe47583c3u, 0x42028877u, 0x73ea92eau, 0xd59d995eu,
    0x8bb64ce5u, 0x2dc14751u, 0x1c295dccu, 0xba5e5678u, 0x7ff968f6u, 0xd98e6342u, 0xe86679dfu, 0x4e11726bu,
    0xb8590282u, 0x1e2e0936u, 0x2fc613abu, 0x89b1181fu, 0x4c162691u, 0xea612d25u, 0xdb8937b8u, 0x7dfe3c0cu,
    0xec68d02bu, 0x4a1fdb9fu, 0x7bf7c102u, 0xdd80cab6u, 0x1827f438u, 0xbe50ff8cu, 0x8fb8e511u, 0x29cfeea5u,
    0xdf879e4cu, 0x79f095f8u, 0x48188f65u, 0xee6f84d1u, 0x2bc8ba5fu, 0x8dbfb1ebu, 0xbc57ab76u, 0x1a20a0c2u,
    0x8816eaf2u, 0x2e61e146u, 0x1f89fbdbu, 0xb9fef06fu, 0x7c59cee1u, 0xda2ec555u, 0xebc6dfc8u, 0x4db1d47cu,
    0xbbf9a495u, 0x1d8eaf21u, 0x2c66b5bcu, 0x8a11be08u, 0x4fb68086u, 0xe9c18b32u, 0xd82991afu, 0x7e5e9a1bu,
    0xefc8763cu, 0x49bf7d88u, 0x78576715u, 0xde206ca1u, 0x1b87522fu, 0xbdf0599bu, 0x8c184306u, 0x2a6f48b2u,
    0xdc27385bu, 0x7a5033efu, 0x4bb82972u, 0xedcf22c6u, 0x28681c48u, 0x8e1f17fcu, 0xbff70d61u, 0x198006d5u,
    0x47abd36eu, 0xe1dcd8dau, 0xd034c247u, 0x7643c9f3u, 0xb3e4f77du, 0x1593fcc9u, 0x247be654u, 0x820cede0u,
    0x74449d09u, 0xd23396bdu, 0xe3db8c20u, 0x45ac8794u, 0x800bb91au, 0x267cb2aeu, 0x1794a833u, 0xb1e3a387u,
    0x20754fa0u, 0x86024414u, 0xb7ea5e89u, 0x119d553du, 0xd43a6bb3u, 0x724d6007u, 0x43a57a9au, 0xe5d2712eu,
    0x139a01c7u, 0xb5ed0a73u, 0x840510eeu, 0x22721b5au, 0xe7d525d4u, 0x41a22e60u, 0x704a34fdu, 0xd63d3f49u,
    0xcc1d9f8bu, 0x6a6a943fu, 0x5b828ea2u, 0xfdf58516u, 0x3852bb98u, 0x9e25b02cu, 0xafcdaab1u, 0x09baa105u,
    0xfff2d1ecu, 0x5985da58u, 0x686dc0c5u, 0xce1acb71u, 0x0bbdf5ffu, 0xadcafe4bu, 0x9c22e4d6u, 0x3a55ef62u,
    0xabc30345u, 0x0db408f1u, 0x3c5c126cu, 0x9a2b19d8u, 0x5f8c2756u, 0xf9fb2ce2u, 0xc813367fu, 0x6e643dcbu,
    0x982c4d22u, 0x3e5b4696u, 0x0fb35c0bu, 0xa9c457bfu, 0x6c636931u, 0xca146285u, 0xfbfc7818u, 0x5d8b73acu,
    0x03a0a617u, 0xa5d7ada3u, 0x943fb73eu, 0x3248bc8au, 0xf7ef8204u, 0x519889b0u, 0x6070932du, 0xc6079899u,
    0x304fe870u, 0x9638e3c4u, 0xa7d0f959u, 0x01a7f2edu, 0xc400cc63u, 0x6277c7d7u, 0x539fdd4au, 0xf5e8d6feu,
    0x647e3ad9u, 0xc209316du, 0xf3e12bf0u, 0x55962044u, 0x90311ecau, 0x3646157eu, 0x07ae0fe3u, 0xa1d90457u,
    0x579174beu, 0xf1e67f0au, 0xc00e6597u, 0x66796e23u, 0xa3de50adu, 0x05a95b19u, 0x34414184u, 0x92364a30u,
  },
  {
    0x00000000u, 0xccaa009eu, 0x4225077du, 0x8e8f07e3u, 0x844a0efau, 0x48e00e64u, 0xc66f0987u, 0x0ac50919u,
    0xd3e51bb5u, 0x1f4f1b2bu, 0x91c01cc8u, 0x5d6a1c56u, 0x57af154fu, 0x9b0515d1u, 0x158a1232u, 0xd92012acu,
    0x7cbb312bu, 0xb01131b5u, 0x3e9e3656u, 0xf23436c8u, 0xf8f13fd1u, 0x345b3f4fu, 0xbad438acu, 0x767e3832u,
    0xaf5e2a9eu, 0x63f42a00u, 0xed7b2de3u, 0x21d12d7du, 0x2b142464u, 0xe7be24fau, 0x69312319u, 0xa59b2387u,
    0xf9766256u, 0x35dc62c8u, 0xbb53652bu, 0x77f965b5u, 0x7d3c6cacu, 0xb1966c32u, 0x3f196bd1u, 0xf3b36b4fu,
    0x2a9379e3u, 0xe639797du, 0x68b67e9eu, 0xa41c7e00u, 0xaed97719u, 0x62737787u, 0xecfc7064u, 0x205670fau,
    0x85cd537du, 0x496753e3u, 0xc7e85400u, 0x0b42549eu, 0x01875d87u, 0xcd2d5d19u, 0x43a25afau, 0x8f085a64u,
    0x562848c8u, 0x9a824856u, 0x140d4fb5u, 0xd8a74f2bu, 0xd2624632u, 0x1ec846acu, 0x9047414fu, 0x5ced41d1u,
    0x299dc2edu, 0xe537c273u, 0x6bb8c590u, 0xa712c50eu, 0xadd7cc17u, 0x617dcc89u, 0xeff2cb6au, 0x2358cbf4u,
    0xfa78d958u, 0x36d2d9c6u, 0xb85dde25u, 0x74f7debbu, 0x7e32d7a2u, 0xb298d73cu, 0x3c17d0dfu, 0xf0bdd041u,
    0x5526f3c6u, 0x998cf358u, 0x1703f4bbu, 0xdba9f425u, 0xd16cfd3cu, 0x1dc6fda2u, 0x9349fa41u, 0x5fe3fadfu,
    0x86c3e873u, 0x4a69e8edu, 0xc4e6ef0eu, 0x084cef90u, 0x0289e689u, 0xce23e617u, 0x40ace1f4u, 0x8c06e16au,
    0xd0eba0bbu, 0x1c41a025u, 0x92cea7c6u, 0x5e64a758u, 0x54a1ae41u, 0x980baedfu, 0x1684a93cu, 0xda2ea9a2u,
    0x030ebb0eu, 0xcfa4bb90u, 0x412bbc73u, 0x8d81bcedu, 0x8744b5f4u, 0x4beeb56au, 0xc561b289u, 0x09cbb217u,
    0xac509190u, 0x60fa910eu, 0xee7596edu, 0x22df9673u, 0x281a9f6au, 0xe4b09ff4u, 0x6a3f9817u, 0xa6959889u,
    0x7fb58a25u, 0xb31f8abbu, 0x3d908d58u, 0xf13a8dc6u, 0xfbff84dfu, 0x37558441u, 0xb9da83a2u, 0x7570833cu,
    0x533b85dau, 0x9f918544u, 0x111e82a7u, 0xddb48239u, 0xd7718b20u, 0x1bdb8bbeu, 0x95548c5du, 0x59fe8cc3u,
    0x80de9e6fu, 0x4c749ef1u, 0xc2fb9912u, 0x0e51998cu, 0x04949095u, 0xc83e900bu, 0x46b197e8u, 0x8a1b9776u,
    0x2f80b4f1u, 0xe32ab46fu, 0x6da5b38cu, 0xa10fb312u, 0xabcaba0bu, 0x6760ba95u, 0xe9efbd76u, 0x2545bde8u,
    0xfc65af44u, 0x30cfafdau, 0xbe40a839u, 0x72eaa8a7u, 0x782fa1beu, 0xb485a120u, 0x3a0aa6c3u, 0xf6a0a65du,
    0xaa4de78cu, 0x66e7e712u, 0xe868e0f1u, 0x24c2e06fu, 0x2e07e976u, 0xe2ade9e8u, 0x6c22ee0bu, 0xa088ee95u,
    0x79a8fc39u, 0xb502fca7u, 0x3b8dfb44u, 0xf727fbdau, 0xfde2f2c3u, 0x3148f25du, 0xbfc7f5beu, 0x736df520u,
    0xd6f6d6a7u, 0x1a5cd639u, 0x94d3d1dau, 0x5879d144u, 0x52bcd85du, 0x9e16d8c3u, 0x1099df20u, 0xdc33dfbeu,
    0x0513cd12u, 0xc9b9cd8cu, 0x4736ca6fu, 0x8b9ccaf1u, 0x8159c3e8u, 0x4df3c376u, 0xc37cc495u, 0x0fd6c40bu,
    0x7aa64737u, 0xb60c47a9u, 0x3883404au, 0xf42940d4u, 0xfeec49cdu, 0x32464953u, 0xbcc94eb0u, 0x70634e2eu,
    0xa9435c82u, 0x65e95c1cu, 0xeb665bffu, 0x27cc5b61u, 0x2d095278u, 0xe1a352e6u, 0x6f2c5505u, 0xa386559bu,
    0x061d761cu, 0xcab77682u, 0x44387161u, 0x889271ffu, 0x825778e6u, 0x4efd7878u, 0xc0727f9bu, 0x0cd87f05u,
    0xd5f86da9u, 0x19526d37u, 0x97dd6ad4u, 0x5b776a4au, 0x51b26353u, 0x9d1863cdu, 0x1397642eu, 0xdf3d64b0u,
    0x83d02561u, 0x4f7a25ffu, 0xc1f5221cu, 0x0d5f2282u, 0x079a2b9bu, 0xcb302b05u, 0x45bf2ce6u, 0x89152c78u,
    0x50353ed4u, 0x9c9f3e4au, 0x121039a9u, 0xdeba3937u, 0xd47f302eu, 0x18d530b0u, 0x965a3753u, 0x5af037cdu,
    0xff6b144au, 0x33c114d4u, 0xbd4e1337u, 0x71e413a9u, 0x7b211ab0u, 0xb78b1a2eu, 0x39041dcdu, 0xf5ae1d53u,
    0x2c8e0fffu, 0xe0240f61u, 0x6eab0882u, 0xa201081cu, 0xa8c40105u, 0x646e019bu, 0xeae10678u, 0x264b06e6u,
  },
#endif
};

/* The portable CRC-32, on the internal (inverted) register. */
static uint32_t upd__crc32_sliced(uint32_t crc, const uint8_t *p, size_t len)
{
#if UPD__CRC_ROWS == 8
    while (len >= 8) { /* slicing-by-8: eight independent lookups per word */
        uint32_t a = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
        uint32_t b = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
        crc = upd__crc_table[7][a & 0xff] ^ upd__crc_table[6][(a >> 8) & 0xff] ^
              upd__crc_table[5][(a >> 16) & 0xff] ^ upd__crc_table[4][a >> 24] ^
              upd__crc_table[3][b & 0xff] ^ upd__crc_table[2][(b >> 8) & 0xff] ^
              upd__crc_table[1][(b >> 16) & 0xff] ^ upd__crc_table[0][b >> 24];
        p += 8; len -= 8;
    }
#endif
    while (len--) crc = upd__crc_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return crc;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(UPDATER_NO_SIMD) && !defined(UPDATER_SMALL)
#define UPD__CRC_CLMUL 1
#include <emmintrin.h>
#include <wmmintrin.h>
/* CRC-32 by carry-less multiplication (x86-64 PCLMULQDQ, chosen at run
   time), after Gopal et al., "Fast CRC Computation for Generic Polynomials
   Using PCLMULQDQ Instruction" (Intel, 2009): four 128-bit lanes are folded
   forward 64 bytes at a time with the constants x^(512+32) and x^(512-32)
   mod P, then into one lane with x^(128+32) and x^(128-32) mod P (bit-
   reflected, as published for this polynomial). The 16 bytes left have the
   same CRC as the whole input, which the table code then computes. */
__attribute__((target("pclmul,sse2")))
static uint32_t upd__crc32_clmul(uint32_t crc, const uint8_t *p, size_t len)
{
    const __m128i k512 = _mm_set_epi64x(0x1c6e41596LL, 0x154442bd4LL);
    const __m128i k128 = _mm_set_epi64x(0x0ccaa009eLL, 0x1751997d0LL);
    __m128i x0, x1, x2, x3;
    uint8_t last[16];
    x0 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(const void *)p), _mm_cvtsi32_si128((int)crc));
    x1 = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));
    x2 = _mm_loadu_si128((const __m128i *)(const void *)(p + 32));
    x3 = _mm_loadu_si128((const __m128i *)(const void *)(p + 48));
    p += 64; len -= 64;
#define UPD__FOLD(x, k, next) _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), \
                                  _mm_clmulepi64_si128(x, k, 0x11)), next)
    while (len >= 64) {
        x0 = UPD__FOLD(x0, k512, _mm_loadu_si128((const __m128i *)(const void *)p));
        x1 = UPD__FOLD(x1, k512, _mm_loadu_si128((const __m128i *)(const void *)(p + 16)));
        x2 = UPD__FOLD(x2, k512, _mm_loadu_si128((const __m128i *)(const void *)(p + 32)));
        x3 = UPD__FOLD(x3, k512, _mm_loadu_si128((const __m128i *)(const void *)(p + 48)));
        p += 64; len -= 64;
    }
    x1 = UPD__FOLD(x0, k128, x1);
    x2 = UPD__FOLD(x1, k128, x2);
    x3 = UPD__FOLD(x2, k128, x3);
    while (len >= 16) {
        x3 = UPD__FOLD(x3, k128, _mm_loadu_si128((const __m128i *)(const void *)p));
        p += 16; len -= 16;
    }
#undef UPD__FOLD
    _mm_storeu_si128((__m128i *)(void *)last, x3);
    crc = upd__crc32_sliced(0, last, 16);
    return upd__crc32_sliced(crc, p, len);
}
#endif

UPDDEF uint32_t upd_crc32(uint32_t crc, const void *data, size_t len)
{
    const uint8_t *p = (const uint8_t *)data;
#ifdef UPD__CRC_CLMUL
    if (len >= 128 && __builtin_cpu_supports("pclmul")) return ~upd__crc32_clmul(~crc, p, len);
#endif
    return ~upd__crc32_sliced(~crc, p, len);
}

enum {
    UPD__Z_HEADER, UPD__Z_XLEN, UPD__Z_EXTRA, UPD__Z_NAME, UPD__Z_COMMENT, UPD__Z_HCRC,
    UPD__Z_BLOCK, UPD__Z_STORED_LEN, UPD__Z_STORED, UPD__Z_COUNTS, UPD__Z_CLENS,
    UPD__Z_LENS, UPD__Z_CODES, UPD__Z_TRAILER, UPD__Z_ISIZE, UPD__Z_NEXT, UPD__Z_DONE
};
#define UPD__Z_WIN 32768u
#define UPD__Z_MASK (UPD__Z_WIN - 1u)
/* Decode table entry: bits 0-4 how many bits the entry consumes, bits 8-11
   the extra bits that follow (length/distance) or a second-level table's
   index width, bits 16-31 the value: literal byte, length or distance
   base, precode symbol, or a second-level table's offset. Flags: */
#define UPD__Z_E_SUB 0x20u    /* links to a second-level table            */
#define UPD__Z_E_BAD 0x40u    /* no such code, or a symbol never valid    */
#define UPD__Z_E_LIT 0x80u    /* a literal byte                           */
#define UPD__Z_E_EOB 0x1000u  /* end of block                             */
#define UPD__Z_LITBITS 11u
#define UPD__Z_DSTBITS 8u
#define UPD__Z_PREBITS 7u

static const uint16_t upd__len_base[29] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27,
    31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t upd__len_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3,
    3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t upd__dist_base[30] = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129,
    193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const uint8_t upd__dist_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7,
    8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
static const uint8_t upd__clen_order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13,
    2, 14, 1, 15};

/* What symbol sym of a table of the given kind means, as an entry without
   its bit count. kind 0: precode, 1: lit/len, 2: distance. */
static uint32_t upd__z_meaning(unsigned kind, unsigned sym)
{
    if (kind == 0) return (uint32_t)sym << 16;
    if (kind == 1) {
        if (sym < 256) return UPD__Z_E_LIT | (uint32_t)sym << 16;
        if (sym == 256) return UPD__Z_E_EOB;
        if (sym < 286) return (uint32_t)upd__len_base[sym - 257] << 16 | (uint32_t)upd__len_extra[sym - 257] << 8;
        return UPD__Z_E_BAD;
    }
    if (sym < 30) return (uint32_t)upd__dist_base[sym] << 16 | (uint32_t)upd__dist_extra[sym] << 8;
    return UPD__Z_E_BAD;
}

/* Builds the decode table for n code lengths (RFC 1951 3.2.2) with a first
   level of `root` bits and second-level tables for longer codes. Each
   second-level table is as wide as the longest code under its prefix, so
   the worst complete codes need 2342 entries for lit/len (root 11) and 402
   for distances (root 8): figures from zlib's `enough` utility ("enough 288
   11 15", "enough 32 8 15"), as libdeflate also uses. */
static upd_result upd__z_build(uint32_t *t, const uint8_t *lens, unsigned n, unsigned root, unsigned kind)
{
    uint16_t count[16], offs[16], sorted[288];
    uint32_t next = 1u << root, code = 0, prefix = 0xffffffffu;
    int left = 1;
    unsigned i, j, k, len, maxlen = 0, nsym;
    memset(count, 0, sizeof count);
    for (i = 0; i < n; i++) count[lens[i]]++;
    for (len = 1; len <= 15; len++) {
        left = (left << 1) - count[len];
        if (left < 0) return UPD_E_DEFLATE_OVERSUB;
        if (count[len]) maxlen = len;
    }
    if (left > 0) { /* incomplete: allowed only for one code of length 1, or
                       none, and never for the precode (as zlib decides) */
        if (kind == 0 || maxlen > 1 || (maxlen == 1 && count[1] != 1)) return UPD_E_DEFLATE_INCOMPLETE;
        for (i = 0; i < (1u << root); i++) t[i] = UPD__Z_E_BAD | 1u; /* any lookup fails */
        if (maxlen == 0) return UPD_OK;
    }
    offs[1] = 0;
    for (len = 1; len < 15; len++) offs[len + 1] = (uint16_t)(offs[len] + count[len]);
    for (i = 0; i < n; i++)
        if (lens[i]) sorted[offs[lens[i]]++] = (uint16_t)i;
    nsym = n - count[0];
    for (k = 0, len = 0; k < nsym; k++, code++) {
        unsigned sym = sorted[k], l = lens[sym];
        uint32_t rev = 0, e = upd__z_meaning(kind, sym);
        if (l != len) { code <<= (l - len); len = l; } /* canonical: next code, widened */
        for (j = 0; j < l; j++) rev |= ((code >> j) & 1u) << (l - 1 - j);
        if (l <= root) {
            for (j = rev; j < (1u << root); j += 1u << l) t[j] = e | l;
        } else {
            unsigned r = rev & ((1u << root) - 1), sub = l - root, bits;
            if ((code >> sub) != prefix) {
                /* the first code under this prefix: codes sharing a prefix
                   are consecutive, and the last of them is the longest */
                unsigned m = k, cl = l;
                uint32_t c = code;
                prefix = code >> sub;
                while (m + 1 < nsym) {
                    unsigned nl = lens[sorted[m + 1]];
                    c = (c + 1) << (nl - cl); cl = nl;
                    if ((c >> (cl - root)) != prefix) break;
                    m++;
                }
                bits = lens[sorted[m]] - root;
                t[r] = UPD__Z_E_SUB | root | (uint32_t)bits << 8 | next << 16;
                next += 1u << bits;
            }
            bits = (t[r] >> 8) & 15u;
            for (j = rev >> root; j < (1u << bits); j += 1u << sub)
                t[(t[r] >> 16) + j] = e | sub;
        }
    }
    return UPD_OK;
}

UPDDEF void upd_gunzip_init(upd_gunzip *z, uint64_t max_output)
{
    UPDATER_ASSERT(z != NULL);
    memset(z, 0, sizeof *z);
    z->max_output = max_output;
}

/* Accounts n bytes of the member's output at p: CRC, size, and the window
   (the member's last 32 KiB, for matches in later calls). */
static void upd__z_fold(upd_gunzip *z, const uint8_t *p, size_t n)
{
    z->_crc = upd_crc32(z->_crc, p, n);
    z->_isize += (uint32_t)n;
    if (n >= UPD__Z_WIN) {
        memcpy(z->_win, p + n - UPD__Z_WIN, UPD__Z_WIN);
        z->_wnext = 0;
        z->_whave = UPD__Z_WIN;
        return;
    }
    while (n > 0) {
        size_t c = UPD__Z_WIN - z->_wnext;
        if (c > n) c = n;
        memcpy(z->_win + z->_wnext, p, c);
        z->_wnext = (z->_wnext + (uint32_t)c) & UPD__Z_MASK;
        z->_whave = z->_whave + c > UPD__Z_WIN ? UPD__Z_WIN : z->_whave + (uint32_t)c;
        p += c; n -= c;
    }
}

/* Copies n bytes from dist back, where the source may start in the window
   (before mstart, the member's first byte in this call's output). */
static uint8_t *upd__z_copy(const upd_gunzip *z, const uint8_t *mstart, uint8_t *op, uint32_t dist, uint32_t n)
{
    uint32_t here = (uint32_t)(op - mstart);
    const uint8_t *s;
    if (dist > here) {
        uint32_t back = dist - here, at = (z->_wnext - back) & UPD__Z_MASK;
        uint32_t k = back < n ? back : n;
        n -= k;
        while (k > 0) {
            uint32_t c = UPD__Z_WIN - at;
            if (c > k) c = k;
            memcpy(op, z->_win + at, c);
            op += c; k -= c;
            at = (at + c) & UPD__Z_MASK;
        }
    }
    if (n > 0) /* (never form op - dist for an empty copy: op may be NULL) */
        for (s = op - dist; n > 0; n--) *op++ = *s++;
    return op;
}

/* little-endian 64-bit load; compilers turn this into one load */
#define UPD__Z_LOAD64(p) ((uint64_t)(p)[0] | (uint64_t)(p)[1] << 8 | (uint64_t)(p)[2] << 16 | \
    (uint64_t)(p)[3] << 24 | (uint64_t)(p)[4] << 32 | (uint64_t)(p)[5] << 40 |            \
    (uint64_t)(p)[6] << 48 | (uint64_t)(p)[7] << 56)

UPDDEF upd_result upd_gunzip_run(upd_gunzip *z, const uint8_t *in, size_t *in_len,
                                 uint8_t *out, size_t *out_len, int final)
{
    static const uint8_t none_in[1] = {0};
    static uint8_t none_out[1]; /* never written: its length is 0 */
    const uint8_t *ip, *iend;
    uint8_t *op, *oend, *mstart;
    uint64_t bits = z->_bits;
    unsigned nbits = z->_nbits, b;
    int limited = 0;
    upd_result r = UPD_OK;

/* Bits past nbits in the buffer are either zero or the input's next bits,
   so OR-ing a word in again is harmless. The careful refill stops at 56+
   bits; the fast one (8 input bytes at hand) reaches 56..63 in one go. */
#define UPD__Z_REFILL()                                                         \
    do { while (nbits < 56 && ip < iend) { bits |= (uint64_t)*ip++ << nbits; nbits += 8; } } while (0)
#define UPD__Z_REFILL_FAST()                                                    \
    do { bits |= UPD__Z_LOAD64(ip) << nbits; ip += (63 - nbits) >> 3; nbits |= 56; } while (0)
#define UPD__Z_NEED(n) do { if (nbits < (n)) { UPD__Z_REFILL(); if (nbits < (n)) goto need_input; } } while (0)
#define UPD__Z_DROP(n) do { bits >>= (n); nbits -= (n); } while (0)
#define UPD__Z_FAIL(code) do { r = (code); goto fail; } while (0)
#define UPD__Z_BYTE(v) do { UPD__Z_NEED(8); (v) = (unsigned)(bits & 0xffu); UPD__Z_DROP(8); } while (0)

    UPDATER_ASSERT(z && in_len && out_len && (in || !*in_len) && (out || !*out_len));
    if (!in) in = none_in;     /* no arithmetic on NULL, even + 0 */
    if (!out) out = none_out;
    ip = in; iend = in + *in_len;
    op = out; oend = out + *out_len; mstart = out;
    if (z->_err) { *in_len = 0; *out_len = 0; return (upd_result)(int32_t)z->_err; }
    if (z->max_output && (uint64_t)*out_len > z->max_output - z->total_out) {
        oend = out + (size_t)(z->max_output - z->total_out); /* the limit acts as the buffer's end */
        limited = 1;
    }
    for (;;) {
        switch (z->_state) {
        case UPD__Z_HEADER:
            while (z->_k < 10) {
                uint8_t c;
                UPD__Z_BYTE(b);
                c = (uint8_t)b;
                if (z->_k == 0 && b != 0x1f) UPD__Z_FAIL(UPD_E_GZIP_MAGIC);
                if (z->_k == 1 && b != 0x8b) UPD__Z_FAIL(UPD_E_GZIP_MAGIC);
                if (z->_k == 2 && b != 8) UPD__Z_FAIL(UPD_E_GZIP_METHOD);
                if (z->_k == 3) {
                    if (b & 0xe0) UPD__Z_FAIL(UPD_E_GZIP_FLAGS);
                    z->_flags = b;
                }
                z->_hcrc = upd_crc32(z->_hcrc, &c, 1);
                z->_k++;
            }
            z->_k = 0;
            z->_n = 0;
            z->_state = UPD__Z_XLEN;
            break;
        case UPD__Z_XLEN:
            if (z->_flags & 4) {
                while (z->_k < 2) {
                    uint8_t c;
                    UPD__Z_BYTE(b);
                    c = (uint8_t)b;
                    z->_hcrc = upd_crc32(z->_hcrc, &c, 1);
                    z->_n |= b << (8 * z->_k);
                    z->_k++;
                }
            }
            z->_state = UPD__Z_EXTRA;
            break;
        case UPD__Z_EXTRA:
            while (z->_n > 0) { /* skipped, never stored: any XLEN is safe */
                uint8_t c;
                UPD__Z_BYTE(b);
                c = (uint8_t)b;
                z->_hcrc = upd_crc32(z->_hcrc, &c, 1);
                z->_n--;
            }
            z->_state = UPD__Z_NAME;
            break;
        case UPD__Z_NAME:
        case UPD__Z_COMMENT:
            if (z->_flags & (z->_state == UPD__Z_NAME ? 8u : 16u)) {
                do { /* skipped, never stored: any length is safe */
                    uint8_t c;
                    UPD__Z_BYTE(b);
                    c = (uint8_t)b;
                    z->_hcrc = upd_crc32(z->_hcrc, &c, 1);
                } while (b != 0);
            }
            z->_state++;
            break;
        case UPD__Z_HCRC:
            if (z->_flags & 2) {
                UPD__Z_NEED(16);
                if ((bits & 0xffffu) != (z->_hcrc & 0xffffu)) UPD__Z_FAIL(UPD_E_GZIP_HCRC);
                UPD__Z_DROP(16);
            }
            z->_state = UPD__Z_BLOCK;
            break;
        case UPD__Z_BLOCK:
            UPD__Z_NEED(3);
            z->_last = (unsigned)(bits & 1u);
            b = (unsigned)(bits >> 1) & 3u;
            UPD__Z_DROP(3);
            if (b == 0) z->_state = UPD__Z_STORED_LEN;
            else if (b == 1) { /* fixed Huffman codes, RFC 1951 3.2.6; built once */
                if (!z->_fixed) {
                    uint8_t *l = z->_lens;
                    memset(l, 8, 144); memset(l + 144, 9, 112); memset(l + 256, 7, 24); memset(l + 280, 8, 8);
                    upd__z_build(z->_lit, l, 288, UPD__Z_LITBITS, 1);
                    memset(l, 5, 32);
                    upd__z_build(z->_dst, l, 32, UPD__Z_DSTBITS, 2);
                    z->_fixed = 1;
                }
                z->_state = UPD__Z_CODES;
            } else if (b == 2) z->_state = UPD__Z_COUNTS;
            else UPD__Z_FAIL(UPD_E_DEFLATE_BLOCK);
            break;
        case UPD__Z_STORED_LEN:
            UPD__Z_DROP(nbits & 7u); /* to a byte boundary */
            UPD__Z_NEED(32);
            if ((bits & 0xffffu) != (~(bits >> 16) & 0xffffu)) UPD__Z_FAIL(UPD_E_DEFLATE_STORED);
            z->_n = (unsigned)(bits & 0xffffu);
            UPD__Z_DROP(32);
            z->_state = UPD__Z_STORED;
            break;
        case UPD__Z_STORED:
            while (z->_n > 0) {
                size_t n;
                if (op == oend) goto need_output;
                if (nbits >= 8) { /* bytes already in the bit buffer first */
                    *op++ = (uint8_t)bits;
                    UPD__Z_DROP(8);
                    z->_n--;
                    continue;
                }
                if (ip == iend) goto need_input;
                bits = 0; /* what a word refill put past nbits was these bytes */
                n = z->_n;
                if (n > (size_t)(iend - ip)) n = (size_t)(iend - ip);
                if (n > (size_t)(oend - op)) n = (size_t)(oend - op);
                memcpy(op, ip, n);
                ip += n; op += n;
                z->_n -= (uint32_t)n;
            }
            z->_state = z->_last ? UPD__Z_TRAILER : UPD__Z_BLOCK;
            break;
        case UPD__Z_COUNTS:
            UPD__Z_NEED(14);
            z->_hlit = 257 + (unsigned)(bits & 31u);
            z->_hdist = 1 + (unsigned)((bits >> 5) & 31u);
            z->_n = 4 + (unsigned)((bits >> 10) & 15u);
            UPD__Z_DROP(14);
            if (z->_hlit > 286 || z->_hdist > 30) UPD__Z_FAIL(UPD_E_DEFLATE_LENS);
            memset(z->_lens, 0, 19);
            z->_k = 0;
            z->_state = UPD__Z_CLENS;
            break;
        case UPD__Z_CLENS:
            while (z->_k < z->_n) {
                UPD__Z_NEED(3);
                z->_lens[upd__clen_order[z->_k++]] = (uint8_t)(bits & 7u);
                UPD__Z_DROP(3);
            }
            /* the precode goes into the distance table, free until the end */
            z->_fixed = 0;
            if ((r = upd__z_build(z->_dst, z->_lens, 19, UPD__Z_PREBITS, 0)) != UPD_OK) goto fail;
            z->_k = 0;
            z->_state = UPD__Z_LENS;
            break;
        case UPD__Z_LENS:
            while (z->_k < z->_hlit + z->_hdist) {
                uint32_t e, used, rep, val, xb;
                UPD__Z_REFILL();
                e = z->_dst[bits & ((1u << UPD__Z_PREBITS) - 1)];
                used = e & 31u;
                if (used > nbits) goto need_input;
                if (e & UPD__Z_E_BAD) UPD__Z_FAIL(UPD_E_DEFLATE_LENS);
                val = e >> 16;
                if (val < 16) {
                    UPD__Z_DROP(used);
                    z->_lens[z->_k++] = (uint8_t)val;
                    continue;
                }
                xb = val == 16 ? 2 : (val == 17 ? 3 : 7);
                if (used + xb > nbits) goto need_input;
                rep = (val == 18 ? 11u : 3u) + (uint32_t)((bits >> used) & ((1u << xb) - 1));
                if (val == 16 && z->_k == 0) UPD__Z_FAIL(UPD_E_DEFLATE_LENS);
                if (z->_k + rep > z->_hlit + z->_hdist) UPD__Z_FAIL(UPD_E_DEFLATE_LENS);
                UPD__Z_DROP(used + xb);
                memset(z->_lens + z->_k, val == 16 ? z->_lens[z->_k - 1] : 0, rep);
                z->_k += rep;
            }
            if (z->_lens[256] == 0) UPD__Z_FAIL(UPD_E_DEFLATE_LENS);
            if ((r = upd__z_build(z->_lit, z->_lens, z->_hlit, UPD__Z_LITBITS, 1)) != UPD_OK) goto fail;
            if ((r = upd__z_build(z->_dst, z->_lens + z->_hlit, z->_hdist, UPD__Z_DSTBITS, 2)) != UPD_OK) goto fail;
            z->_state = UPD__Z_CODES;
            break;
        case UPD__Z_CODES: {
            const uint32_t *lt = z->_lit, *dt = z->_dst;
            uint32_t e, len, dist, x, n;
            if (z->_clen) { /* finish a match cut short by the output's end */
                n = z->_clen;
                if (n > (size_t)(oend - op)) n = (uint32_t)(oend - op);
                if (n > 0) op = upd__z_copy(z, mstart, op, z->_cdist, n);
                z->_clen -= n;
                if (z->_clen) goto need_output;
            }
            for (;;) {
                /* the fast loop: 16 input bytes to refill twice from, and room
                   for two literals, the longest match and 16 bytes of overrun */
                while (iend - ip >= 16 && oend - op >= 2 + 258 + 16) {
                    UPD__Z_REFILL_FAST();
                    e = lt[bits & ((1u << UPD__Z_LITBITS) - 1)];
                    if (e & UPD__Z_E_LIT) { /* up to three literals from one refill */
                        UPD__Z_DROP(e & 31u);
                        *op++ = (uint8_t)(e >> 16);
                        e = lt[bits & ((1u << UPD__Z_LITBITS) - 1)];
                        if (e & UPD__Z_E_LIT) {
                            UPD__Z_DROP(e & 31u);
                            *op++ = (uint8_t)(e >> 16);
                            e = lt[bits & ((1u << UPD__Z_LITBITS) - 1)];
                            if (e & UPD__Z_E_LIT) {
                                UPD__Z_DROP(e & 31u);
                                *op++ = (uint8_t)(e >> 16);
                                continue;
                            }
                        }
                        UPD__Z_REFILL_FAST(); /* the low bits e came from stay */
                    }
                    if (e & UPD__Z_E_SUB) {
                        UPD__Z_DROP(UPD__Z_LITBITS);
                        e = lt[(e >> 16) + (bits & ((1u << ((e >> 8) & 15u)) - 1))];
                        if (e & UPD__Z_E_LIT) {
                            UPD__Z_DROP(e & 31u);
                            *op++ = (uint8_t)(e >> 16);
                            continue;
                        }
                    }
                    if (e & (UPD__Z_E_EOB | UPD__Z_E_BAD)) {
                        if (e & UPD__Z_E_BAD) UPD__Z_FAIL(UPD_E_DEFLATE_SYMBOL);
                        UPD__Z_DROP(e & 31u);
                        goto end_of_block;
                    }
                    x = (e >> 8) & 15u;
                    len = (e >> 16) + (uint32_t)((bits >> (e & 31u)) & ((1u << x) - 1));
                    UPD__Z_DROP((e & 31u) + x);
                    e = dt[bits & ((1u << UPD__Z_DSTBITS) - 1)];
                    if (e & UPD__Z_E_SUB) {
                        UPD__Z_DROP(UPD__Z_DSTBITS);
                        e = dt[(e >> 16) + (bits & ((1u << ((e >> 8) & 15u)) - 1))];
                    }
                    if (e & UPD__Z_E_BAD) UPD__Z_FAIL(UPD_E_DEFLATE_SYMBOL);
                    x = (e >> 8) & 15u;
                    dist = (e >> 16) + (uint32_t)((bits >> (e & 31u)) & ((1u << x) - 1));
                    UPD__Z_DROP((e & 31u) + x);
                    if (dist > (size_t)(op - mstart)) {
                        if (dist > (size_t)(op - mstart) + z->_whave) UPD__Z_FAIL(UPD_E_DEFLATE_DIST);
                        op = upd__z_copy(z, mstart, op, dist, len);
                    } else {
                        const uint8_t *s = op - dist;
                        uint8_t *end = op + len;
                        if (dist >= 8) { /* 16 bytes a round; may write up to 15 past end */
                            memcpy(op, s, 8);
                            memcpy(op + 8, s + 8, 8);
                            while (op + 16 < end) {
                                op += 16; s += 16;
                                memcpy(op, s, 8);
                                memcpy(op + 8, s + 8, 8);
                            }
                        } else if (dist == 1) {
                            memset(op, *s, len);
                        } else {
                            do { *op++ = *s++; } while (op < end);
                        }
                        op = end;
                    }
                }
                /* the careful loop: one symbol, only if all its bits are here */
                {
                    uint32_t used, sub;
                    UPD__Z_REFILL();
                    e = lt[bits & ((1u << UPD__Z_LITBITS) - 1)];
                    used = 0;
                    if (e & UPD__Z_E_SUB) {
                        if (nbits < UPD__Z_LITBITS) goto need_input;
                        used = UPD__Z_LITBITS;
                        e = lt[(e >> 16) + ((bits >> used) & ((1u << ((e >> 8) & 15u)) - 1))];
                    }
                    used += e & 31u;
                    if (used > nbits) goto need_input;
                    if (e & UPD__Z_E_BAD) UPD__Z_FAIL(UPD_E_DEFLATE_SYMBOL);
                    if (e & UPD__Z_E_LIT) {
                        if (op == oend) goto need_output;
                        UPD__Z_DROP(used);
                        *op++ = (uint8_t)(e >> 16);
                        continue;
                    }
                    if (e & UPD__Z_E_EOB) {
                        UPD__Z_DROP(used);
                        goto end_of_block;
                    }
                    x = (e >> 8) & 15u;
                    if (used + x > nbits) goto need_input;
                    len = (e >> 16) + (uint32_t)((bits >> used) & ((1u << x) - 1));
                    used += x;
                    e = dt[(bits >> used) & ((1u << UPD__Z_DSTBITS) - 1)];
                    sub = 0;
                    if (e & UPD__Z_E_SUB) {
                        if (used + UPD__Z_DSTBITS > nbits) goto need_input;
                        sub = UPD__Z_DSTBITS;
                        e = dt[(e >> 16) + ((bits >> (used + sub)) & ((1u << ((e >> 8) & 15u)) - 1))];
                    }
                    sub += e & 31u;
                    if (used + sub > nbits) goto need_input;
                    if (e & UPD__Z_E_BAD) UPD__Z_FAIL(UPD_E_DEFLATE_SYMBOL);
                    x = (e >> 8) & 15u;
                    if (used + sub + x > nbits) goto need_input;
                    dist = (e >> 16) + (uint32_t)((bits >> (used + sub)) & ((1u << x) - 1));
                    if (dist > (size_t)(op - mstart) + z->_whave) UPD__Z_FAIL(UPD_E_DEFLATE_DIST);
                    if (op == oend) goto need_output;
                    UPD__Z_DROP(used + sub + x);
                    n = len;
                    if (n > (size_t)(oend - op)) n = (uint32_t)(oend - op);
                    op = upd__z_copy(z, mstart, op, dist, n);
                    if (n < len) { /* resumed by the next call */
                        z->_clen = len - n;
                        z->_cdist = dist;
                        goto need_output;
                    }
                }
            }
        end_of_block:
            z->_state = z->_last ? UPD__Z_TRAILER : UPD__Z_BLOCK;
            break;
        }
        case UPD__Z_TRAILER:
            UPD__Z_DROP(nbits & 7u);
            upd__z_fold(z, mstart, (size_t)(op - mstart));
            mstart = op;
            UPD__Z_NEED(32);
            if ((uint32_t)(bits & 0xffffffffu) != z->_crc) UPD__Z_FAIL(UPD_E_GZIP_CRC);
            UPD__Z_DROP(32);
            z->_state = UPD__Z_ISIZE;
            break;
        case UPD__Z_ISIZE:
            UPD__Z_NEED(32);
            if ((uint32_t)(bits & 0xffffffffu) != z->_isize) UPD__Z_FAIL(UPD_E_GZIP_SIZE);
            UPD__Z_DROP(32);
            z->members++;
            z->_state = UPD__Z_NEXT;
            break;
        case UPD__Z_NEXT:
            UPD__Z_REFILL();
            if (nbits == 0) {
                if (!final) goto need_input;
                z->_state = UPD__Z_DONE;
                break;
            }
            /* another member: a fresh start, its window empty */
            z->_state = UPD__Z_HEADER;
            z->_k = z->_n = z->_flags = z->_hcrc = z->_crc = z->_isize = z->_whave = 0;
            break;
        case UPD__Z_DONE:
            r = UPD_OK;
            goto out;
        default:
            UPD__Z_FAIL(UPD_E_ARG);
        }
    }
need_input:
    if (!final) { r = UPD_NEED_INPUT; goto out; }
    r = UPD_E_TRUNCATED;
    goto fail;
need_output:
    if (!limited || op < oend) { r = UPD_NEED_OUTPUT; goto out; }
    r = UPD_E_TOOBIG;
fail:
    z->_err = (uint32_t)(int32_t)r;
out:
    upd__z_fold(z, mstart, (size_t)(op - mstart));
    z->_bits = bits;
    z->_nbits = nbits;
    z->total_in += (uint64_t)(ip - in);
    z->total_out += (uint64_t)(op - out);
    *in_len = (size_t)(ip - in);
    *out_len = (size_t)(op - out);
    return r;
#undef UPD__Z_REFILL
#undef UPD__Z_REFILL_FAST
#undef UPD__Z_NEED
#undef UPD__Z_DROP
#undef UPD__Z_FAIL
#undef UPD__Z_BYTE
}

/* ==== >>tar ============================================================== */
/* Format notes (POSIX.1-2008 pax/ustar; GNU tar manual "Basic Tar Format").
   A header is one 512-byte block: name[100] mode[8] uid[8] gid[8] size[12]
   mtime[12] chksum[8] typeflag[1] linkname[100] magic[6] version[2]
   uname[32] gname[32] devmajor[8] devminor[8] prefix[155] (at 345). Data
   follows in 512-byte blocks, the last one zero-padded.
   - magic "ustar\0" + version "00": POSIX; the path is prefix "/" name.
     magic "ustar " + version " \0": GNU, whose prefix area holds atime and
     ctime, so it is never a prefix (unblob#1405); no magic: v7.
   - Numbers: octal digits, optionally after leading spaces, ended by a
     space or NUL (or the field's end); or, from GNU tar and star, base-256
     when the first byte has its high bit set: big-endian, two's complement
     (0xff first: negative). An empty or all-space field is malformed
     (GNU tar CVE-2022-48303 was an out-of-bounds read on one).
   - chksum: the sum of the header's bytes with chksum taken as 8 spaces;
     some old tars summed signed chars, so either sum is accepted.
   - pax 'x': records "LEN KEY=VALUE\n", LEN decimal counting the whole
     record; they apply to the next file entry only (also across a GNU 'L'
     or 'K' in between). We use path, linkpath, size and mtime (integer
     part); GNU.sparse.* means a sparse file, which we refuse; other keys
     are ignored. 'g' (global) is skipped. A pax size overrides the header's
     for exactly that entry (the TARmageddon desync came from not doing so).
   - GNU 'L'/'K': the data is the next entry's name/link target (NUL-ended).
   - Directories, symlinks and hard links carry no data: a size other than
     0 on them is refused rather than guessed at.
   - The end: two zero blocks. One zero block followed by a header is
     refused; end of input right after a block (no zero blocks) is accepted,
     as GNU tar, bsdtar and Python's tarfile do. */
enum {
    UPD__T_HEADER, UPD__T_DATA, UPD__T_PAD, UPD__T_PAX, UPD__T_LONG, UPD__T_SKIP,
    UPD__T_ZERO1, UPD__T_END
};
/* _have bits: what pending pax / GNU headers supplied for the next entry */
#define UPD__T_XPATH 1u
#define UPD__T_XLINK 2u
#define UPD__T_XSIZE 4u
#define UPD__T_XMTIME 8u
#define UPD__T_LPATH 16u
#define UPD__T_LLINK 32u
#define UPD__T_FAIL(code, text) do { t->why = (text); r = (code); goto fail; } while (0)

UPDDEF void upd_tar_init(upd_tar *t, unsigned flags)
{
    UPDATER_ASSERT(t != NULL);
    memset(t, 0, sizeof *t);
    t->flags = flags;
    t->why = "";
}

/* Parses a numeric field: octal or base-256. 0 on success. */
static int upd__tar_num(const uint8_t *f, size_t n, int allow_negative, int64_t *out)
{
    size_t i = 0;
    uint64_t v = 0;
    if (f[0] & 0x80) { /* base-256 */
        int neg = (f[0] & 0x40) != 0;
        if (neg && !allow_negative) return -1;
        v = f[0] & 0x3fu;
        if (neg) v = (uint64_t)(~f[0] & 0x3fu); /* ones' complement, +1 below */
        for (i = 1; i < n; i++) {
            if (v >> 55) return -1; /* would pass 2^63 */
            v = v << 8 | (uint64_t)(neg ? (uint8_t)~f[i] : f[i]);
        }
        if (neg) { if (v > (uint64_t)INT64_MAX) return -1; *out = -(int64_t)v - 1; }
        else { if (v > (uint64_t)INT64_MAX) return -1; *out = (int64_t)v; }
        return 0;
    }
    while (i < n && f[i] == ' ') i++;
    if (i == n || f[i] < '0' || f[i] > '7') return -1; /* empty or all spaces */
    for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
        if (v >> 60) return -1;
        v = v << 3 | (uint64_t)(f[i] - '0');
    }
    if (i < n && f[i] != ' ' && f[i] != 0) return -1; /* a stray character */
    *out = (int64_t)v;
    return 0;
}

/* Copies a NUL-padded field; -1 if bytes other than NUL follow the first
   NUL (a name is never "abc\0def"). */
static int upd__tar_str(char *dst, const uint8_t *f, size_t n)
{
    size_t len = 0, i;
    while (len < n && f[len]) len++;
    for (i = len; i < n; i++) if (f[i]) return -1;
    memcpy(dst, f, len);
    dst[len] = 0;
    return 0;
}

static upd_result upd__tar_header(upd_tar *t)
{
    const uint8_t *h = t->_hdr;
    upd_tar_entry *e = &t->entry;
    upd_result r = UPD_OK;
    uint64_t usum = 0;
    int64_t ssum = 0, chk, v;
    int i, tf, posix;
    for (i = 0; i < 512; i++) {
        uint8_t c = (i >= 148 && i < 156) ? (uint8_t)' ' : h[i];
        usum += c;
        ssum += (int8_t)c;
    }
    if (upd__tar_num(h + 148, 8, 0, &chk) != 0) UPD__T_FAIL(UPD_E_TAR, "malformed header checksum field");
    if ((uint64_t)chk != usum && chk != ssum) UPD__T_FAIL(UPD_E_TAR_CHECKSUM, "header checksum mismatch");
    tf = h[156] ? h[156] : '0';
    posix = memcmp(h + 257, "ustar\0" "00", 8) == 0;
    if (tf == 'x' || tf == 'g' || tf == 'L' || tf == 'K') {
        if (upd__tar_num(h + 124, 12, 0, &v) != 0) UPD__T_FAIL(UPD_E_TAR, "malformed size field");
        t->_left = (uint64_t)v;
        if (tf == 'x') { /* a second 'x' before the entry replaces nothing we hold yet */
            t->_state = UPD__T_PAX;
            t->_rlen = t->_rpos = t->_rst = 0;
        } else if (tf == 'g') {
            t->_state = UPD__T_SKIP;
        } else {
            if (t->_left > UPDATER_MAX_PATH + 1) UPD__T_FAIL(UPD_E_TOOBIG, "GNU long name longer than UPDATER_MAX_PATH");
            t->_rkey = (uint32_t)tf;
            t->_rpos = 0;
            t->_state = UPD__T_LONG;
        }
        t->_pad = (512 - (t->_left & 511)) & 511;
        return UPD_OK;
    }
    /* an entry: the name first, so that later errors can name it */
    memset(e, 0, sizeof *e);
    e->offset = t->offset - 512;
    if (!(t->_have & (UPD__T_XPATH | UPD__T_LPATH))) {
        char name[101], prefix[156];
        if (upd__tar_str(name, h, 100) != 0) UPD__T_FAIL(UPD_E_TAR, "NUL inside the name field");
        if (posix && h[345]) {
            size_t pl, nl = strlen(name);
            if (upd__tar_str(prefix, h + 345, 155) != 0) UPD__T_FAIL(UPD_E_TAR, "NUL inside the prefix field");
            pl = strlen(prefix);
            memcpy(t->_path, prefix, pl);
            t->_path[pl] = '/';
            memcpy(t->_path + pl + 1, name, nl + 1);
        } else memcpy(t->_path, name, strlen(name) + 1);
    }
    e->path = t->_path;
    e->linkpath = t->_link;
    if (!(t->_have & (UPD__T_XLINK | UPD__T_LLINK))) {
        if (upd__tar_str(t->_link, h + 157, 100) != 0) UPD__T_FAIL(UPD_E_TAR, "NUL inside the linkname field");
    }
    if (t->_have & UPD__T_XSIZE) t->_left = t->_xsize; /* the pax size wins */
    else if (upd__tar_num(h + 124, 12, 0, &v) != 0) UPD__T_FAIL(UPD_E_TAR, "malformed size field");
    else t->_left = (uint64_t)v;
    if (upd__tar_num(h + 100, 8, 0, &v) != 0) UPD__T_FAIL(UPD_E_TAR, "malformed mode field");
    e->mode = (uint32_t)v & 07777u;
    if (t->_have & UPD__T_XMTIME) e->mtime = t->_xmtime;
    else if (upd__tar_num(h + 136, 12, 1, &e->mtime) != 0) UPD__T_FAIL(UPD_E_TAR, "malformed mtime field");
    t->_have = 0;
    t->_pad = (512 - (t->_left & 511)) & 511;
    if (tf == '0' && t->_path[0] && t->_path[strlen(t->_path) - 1] == '/') {
        /* old (v7) archives mark a directory by a trailing '/' on a file entry */
        e->type = UPD_TAR_DIR;
        if (t->_left != 0) UPD__T_FAIL(UPD_E_TAR, "a directory entry with data");
    } else if (tf == '0' || tf == '7') e->type = UPD_TAR_FILE;
    else if (tf == '1' || tf == '2' || tf == '5') {
        e->type = tf;
        if (t->_left != 0) UPD__T_FAIL(UPD_E_TAR, "a link or directory entry with data");
    } else {
        e->type = tf;
        if (!(t->flags & UPD_TAR_SKIP_UNSUPPORTED))
            UPD__T_FAIL(UPD_E_TAR_TYPE, tf == '3' || tf == '4' ? "device node" : tf == '6' ? "FIFO" :
                        tf == 'S' ? "GNU sparse file" : "unsupported entry type");
        if (t->on_skip) t->on_skip(t->user, e, tf);
        t->_state = UPD__T_SKIP;
        return UPD_OK;
    }
    if (e->path[0] == 0) UPD__T_FAIL(UPD_E_PATH, "empty name");
    e->size = t->_left;
    t->entries++;
    if (t->on_entry && (r = t->on_entry(t->user, e)) != UPD_OK) UPD__T_FAIL(r, "refused by the entry callback");
    t->_state = UPD__T_DATA;
    return UPD_OK;
fail:
    return r;
}

/* One complete pax record key=value (value in t->_val or the path buffers). */
static upd_result upd__tar_pax_record(upd_tar *t)
{
    upd_result r = UPD_OK;
    switch (t->_rkey) {
    case 1: t->_have |= UPD__T_XPATH; t->_have &= ~UPD__T_LPATH; break;
    case 2: t->_have |= UPD__T_XLINK; t->_have &= ~UPD__T_LLINK; break;
    case 3: case 4: {
        /* size: decimal digits; mtime: optional '-', digits, optional fraction */
        const char *p = t->_val;
        uint64_t v = 0;
        int neg = 0;
        if (t->_rkey == 4 && *p == '-') { neg = 1; p++; }
        if (*p < '0' || *p > '9') UPD__T_FAIL(UPD_E_TAR, "malformed pax number");
        for (; *p >= '0' && *p <= '9'; p++) {
            if (v > ((uint64_t)INT64_MAX - 9) / 10) UPD__T_FAIL(UPD_E_TAR, "pax number too large");
            v = v * 10 + (uint64_t)(*p - '0');
        }
        if (*p == '.' && t->_rkey == 4) for (p++; *p >= '0' && *p <= '9'; p++) {}
        if (*p) UPD__T_FAIL(UPD_E_TAR, "malformed pax number");
        if (t->_rkey == 3) { t->_xsize = v; t->_have |= UPD__T_XSIZE; }
        else { t->_xmtime = neg ? -(int64_t)v : (int64_t)v; t->_have |= UPD__T_XMTIME; }
        break;
    }
    case 5: UPD__T_FAIL(UPD_E_TAR_TYPE, "GNU sparse file (pax)");
    default: break;
    }
    return UPD_OK;
fail:
    return r;
}

/* Parses pax data streaming: "LEN KEY=VALUE\n" records. rest is how many
   bytes of pax data remain, this chunk included. */
static upd_result upd__tar_pax(upd_tar *t, const uint8_t *p, size_t n, uint64_t rest)
{
    upd_result r = UPD_OK;
    size_t i;
    for (i = 0; i < n; i++) {
        uint8_t c = p[i];
        t->_rpos++;
        if (t->_rst == 0) { /* the length */
            if (c == ' ') {
                if (t->_rpos == 1) UPD__T_FAIL(UPD_E_TAR, "pax record without a length");
                if (t->_rlen < t->_rpos + 3 || t->_rlen - t->_rpos > rest - i - 1)
                    UPD__T_FAIL(UPD_E_TAR, "pax record length does not fit its header");
                t->_rst = 1; t->_klen = 0;
                continue;
            }
            if (c < '0' || c > '9' || (t->_rpos == 1 && c == '0') || t->_rlen > 100000000u)
                UPD__T_FAIL(UPD_E_TAR, "malformed pax record length");
            t->_rlen = t->_rlen * 10 + (uint32_t)(c - '0');
        } else if (t->_rst == 1) { /* the key */
            if (c == '\n' || t->_rpos == t->_rlen) UPD__T_FAIL(UPD_E_TAR, "pax record without '='");
            if (c != '=') {
                if (t->_klen < sizeof t->_key - 1) t->_key[t->_klen] = (char)c;
                t->_klen++;
                continue;
            }
            t->_key[t->_klen < sizeof t->_key ? t->_klen : sizeof t->_key - 1] = 0;
            if (t->_klen == 0) UPD__T_FAIL(UPD_E_TAR, "pax record with an empty key");
            if (t->_klen >= sizeof t->_key - 1) t->_rkey = 99;
            else if (strcmp(t->_key, "path") == 0) t->_rkey = 1;
            else if (strcmp(t->_key, "linkpath") == 0) t->_rkey = 2;
            else if (strcmp(t->_key, "size") == 0) t->_rkey = 3;
            else if (strcmp(t->_key, "mtime") == 0) t->_rkey = 4;
            else if (strncmp(t->_key, "GNU.sparse.", 11) == 0) UPD__T_FAIL(UPD_E_TAR_TYPE, "GNU sparse file (pax)");
            else t->_rkey = 99; /* ignored */
            if (t->_rkey <= 2 && t->_rlen - t->_rpos - 1 > UPDATER_MAX_PATH)
                UPD__T_FAIL(UPD_E_TOOBIG, "pax path longer than UPDATER_MAX_PATH");
            if ((t->_rkey == 3 || t->_rkey == 4) && t->_rlen - t->_rpos - 1 >= sizeof t->_val)
                UPD__T_FAIL(UPD_E_TAR, "pax number too long");
            t->_rst = 2; t->_vlen = 0;
        } else { /* the value */
            if (t->_rpos == t->_rlen) { /* the record's last byte */
                if (c != '\n') UPD__T_FAIL(UPD_E_TAR, "pax record does not end with a newline");
                if (t->_rkey != 99) {
                    char *dst = t->_rkey == 1 ? t->_path : t->_rkey == 2 ? t->_link : t->_val;
                    dst[t->_vlen] = 0;
                    if (strlen(dst) != t->_vlen) UPD__T_FAIL(UPD_E_TAR, "NUL inside a pax value");
                    if ((r = upd__tar_pax_record(t)) != UPD_OK) goto fail;
                }
                t->_rst = 0; t->_rpos = 0; t->_rlen = 0;
                continue;
            }
            if (t->_rkey != 99) {
                char *dst = t->_rkey == 1 ? t->_path : t->_rkey == 2 ? t->_link : t->_val;
                dst[t->_vlen++] = (char)c; /* bounded by the checks at '=' */
            }
        }
    }
    return UPD_OK;
fail:
    return r;
}

static int upd__tar_zero(const uint8_t *b)
{
    size_t i;
    for (i = 0; i < 512; i++) if (b[i]) return 0;
    return 1;
}

/* The data part of an entry (file, pax, GNU long name, skipped) is complete. */
static upd_result upd__tar_done(upd_tar *t)
{
    upd_result r = UPD_OK;
    if (t->_state == UPD__T_PAX && (t->_rst != 0 || t->_rpos != 0))
        UPD__T_FAIL(UPD_E_TAR, "pax header ends inside a record");
    if (t->_state == UPD__T_LONG) {
        int path = t->_rkey == 'L';
        if (!(t->_have & (path ? UPD__T_XPATH : UPD__T_XLINK))) {
            char *dst = path ? t->_path : t->_link;
            size_t k = t->_rpos;
            while (k > 0 && dst[k - 1] == 0) k--; /* NUL-terminated, maybe padded */
            if (k == 0) UPD__T_FAIL(UPD_E_TAR, "empty GNU long name");
            if (k > UPDATER_MAX_PATH) UPD__T_FAIL(UPD_E_TOOBIG, "GNU long name longer than UPDATER_MAX_PATH");
            dst[k] = 0;
            if (strlen(dst) != k) UPD__T_FAIL(UPD_E_TAR, "NUL inside a GNU long name");
            t->_have |= path ? UPD__T_LPATH : UPD__T_LLINK;
        }
    }
    if (t->_state == UPD__T_DATA && t->on_end && (r = t->on_end(t->user, &t->entry)) != UPD_OK)
        UPD__T_FAIL(r, "refused by the end callback");
    t->_state = t->_pad ? UPD__T_PAD : UPD__T_HEADER;
    return UPD_OK;
fail:
    return r;
}

UPDDEF upd_result upd_tar_feed(upd_tar *t, const void *data, size_t len)
{
    const uint8_t *p = (const uint8_t *)data;
    upd_result r = UPD_OK;
    UPDATER_ASSERT(t != NULL && (data != NULL || len == 0));
    if (t->_err) return (upd_result)(int32_t)t->_err;
    while (len > 0) {
        size_t n;
        switch (t->_state) {
        case UPD__T_HEADER:
        case UPD__T_ZERO1:
            n = 512 - t->_hpos;
            if (n > len) n = len;
            memcpy(t->_hdr + t->_hpos, p, n);
            t->_hpos += (uint32_t)n; p += n; len -= n; t->offset += n;
            if (t->_hpos < 512) break;
            t->_hpos = 0;
            if (upd__tar_zero(t->_hdr)) {
                if (t->_have) UPD__T_FAIL(UPD_E_TAR, "end of archive right after a pax or GNU long-name header");
                t->_state = t->_state == UPD__T_ZERO1 ? UPD__T_END : UPD__T_ZERO1;
                break;
            }
            if (t->_state == UPD__T_ZERO1) UPD__T_FAIL(UPD_E_TAR, "a header after a lone zero block");
            if ((r = upd__tar_header(t)) != UPD_OK) goto fail;
            if (t->_left == 0 && (r = upd__tar_done(t)) != UPD_OK) goto fail;
            break;
        case UPD__T_DATA:
        case UPD__T_PAX:
        case UPD__T_LONG:
        case UPD__T_SKIP:
            n = t->_left > len ? len : (size_t)t->_left;
            if (t->_state == UPD__T_DATA) {
                if (t->on_data && (r = t->on_data(t->user, p, n)) != UPD_OK)
                    UPD__T_FAIL(r, "refused by the data callback");
            } else if (t->_state == UPD__T_PAX) {
                if ((r = upd__tar_pax(t, p, n, t->_left)) != UPD_OK) goto fail;
            } else if (t->_state == UPD__T_LONG) {
                if (!(t->_have & (t->_rkey == 'L' ? UPD__T_XPATH : UPD__T_XLINK)))
                    memcpy((t->_rkey == 'L' ? t->_path : t->_link) + t->_rpos, p, n);
                t->_rpos += (uint32_t)n;
            }
            t->_left -= n; p += n; len -= n; t->offset += n;
            if (t->_left == 0 && (r = upd__tar_done(t)) != UPD_OK) goto fail;
            break;
        case UPD__T_PAD:
            n = t->_pad > len ? len : (size_t)t->_pad;
            t->_pad -= n; p += n; len -= n; t->offset += n;
            if (t->_pad == 0) t->_state = UPD__T_HEADER;
            break;
        default: /* UPD__T_END: the record padding, or anything: ignored */
            t->offset += len;
            len = 0;
            break;
        }
    }
    return UPD_OK;
fail:
    t->_err = (uint32_t)(int32_t)r;
    return r;
}

UPDDEF upd_result upd_tar_finish(upd_tar *t)
{
    UPDATER_ASSERT(t != NULL);
    if (t->_err) return (upd_result)(int32_t)t->_err;
    if (t->_state == UPD__T_END || t->_state == UPD__T_ZERO1 ||
        (t->_state == UPD__T_HEADER && t->_hpos == 0 && !t->_have))
        return UPD_OK;
    t->why = t->_state == UPD__T_HEADER ? "archive ends inside a header" : "archive ends inside an entry";
    t->_err = (uint32_t)(int32_t)UPD_E_TRUNCATED;
    return UPD_E_TRUNCATED;
}

/* ---- the extractor ---- */
#ifndef O_DIRECTORY
#define O_DIRECTORY 0
#endif
#ifndef O_NOFOLLOW
#error "updater.h needs O_NOFOLLOW (POSIX.1-2008)"
#endif
#ifndef UPDATER_MAX_TAR_DIRS
#define UPDATER_MAX_TAR_DIRS 100000u /* directories whose modes wait for the end */
#endif

#define UPD__X_FAIL(code, ...) do { upd__untar_err(x, __VA_ARGS__); return (code); } while (0)

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 2, 3)))
#endif
static void upd__untar_err(upd_untar *x, const char *fmt, ...)
{
    va_list ap;
    char *c;
    va_start(ap, fmt);
    vsnprintf(x->error, sizeof x->error, fmt, ap);
    va_end(ap);
    for (c = x->error; *c; c++) /* names are the archive's: no control bytes reach a terminal */
        if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = '?';
}

/* Checks and normalizes a path into out (UPDATER_MAX_PATH + 1 bytes): drops
   "." and empty components and a trailing '/'; refuses absolute paths,
   "..", backslashes. Returns the number of components (0: the destination
   itself), or -1 with *why set. */
static int upd__untar_clean(const char *path, char *out, const char **why)
{
    char *w = out;
    const char *s = path;
    int n = 0;
    if (*s == '/') { *why = "absolute path"; return -1; }
    if (strchr(path, '\\')) { *why = "backslash in path"; return -1; }
    while (*s) {
        const char *c = s;
        size_t len;
        while (*s && *s != '/') s++;
        len = (size_t)(s - c);
        if (*s == '/') s++;
        if (len == 0 || (len == 1 && c[0] == '.')) continue;
        if (len == 2 && c[0] == '.' && c[1] == '.') { *why = "'..' in path"; return -1; }
        if (w != out) *w++ = '/';
        memcpy(w, c, len);
        w += len;
        n++;
    }
    *w = 0;
    return n;
}

/* Opens the directory holding the last component of the clean path p
   (n components), creating missing directories (0777 less the umask, as
   mkdir -p does; an archive's own entry for one sets its mode), never
   following a symlink; returns its fd (maybe x->_root or the cached one:
   never close those) and sets *name to the last component. */
static int upd__untar_parent(upd_untar *x, char *p, const char **name)
{
    char *slash = strrchr(p, '/'), *c;
    int fd, dfd;
    if (!slash) { *name = p; return x->_root; }
    *name = slash + 1;
    *slash = 0;
    if (x->_cfd >= 0 && strcmp(x->_cpath, p) == 0) { *slash = '/'; return x->_cfd; }
    dfd = x->_root;
    for (c = p;;) {
        char *e = strchr(c, '/');
        if (e) *e = 0;
        fd = openat(dfd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT) {
            if (mkdirat(dfd, c, 0777) != 0 && errno != EEXIST) { /* umask applies, as in mkdir -p */
                upd__untar_err(x, "'%s': cannot create directory '%s': %s", p, c, strerror(errno));
                if (e) *e = '/';
                goto fail;
            }
            fd = openat(dfd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        if (fd < 0) {
            int err = errno, upto = (int)(c + strlen(c) - p); /* the path up to this component */
            if (e) *e = '/';
            if (err == ELOOP || err == ENOTDIR || err == EMLINK)
                upd__untar_err(x, "'%s': '%.*s' is a symlink or not a directory; not followed",
                               x->_tar.entry.path, upto, p);
            else upd__untar_err(x, "'%s': %s", x->_tar.entry.path, strerror(err));
            fd = -(err == ELOOP || err == ENOTDIR || err == EMLINK ? 2 : 1);
            goto fail_fd;
        }
        if (dfd != x->_root) close(dfd);
        dfd = fd;
        if (!e) break;
        *e = '/';
        c = e + 1;
    }
    if (x->_cfd >= 0) close(x->_cfd);
    x->_cfd = dfd;
    memcpy(x->_cpath, p, strlen(p) + 1);
    *slash = '/';
    return dfd;
fail:
    fd = -1;
fail_fd:
    if (dfd != x->_root) close(dfd);
    *slash = '/';
    return fd;
}

/* A symlink target is safe when it is relative, climbs ('..') only at its
   start and at most `depth` levels (the link's directory's depth below the
   destination), then only descends. Every symlink created so obeys the same
   rule, so following one from inside the destination stays inside. */
static const char *upd__untar_link_ok(const char *target, int depth)
{
    const char *s = target;
    int up = 0, down = 0;
    if (!*s) return "empty symlink target";
    if (*s == '/') return "symlink to an absolute path";
    if (strchr(s, '\\')) return "backslash in symlink target";
    while (*s) {
        const char *c = s;
        size_t len;
        while (*s && *s != '/') s++;
        len = (size_t)(s - c);
        if (*s == '/') s++;
        if (len == 0 || (len == 1 && c[0] == '.')) continue;
        if (len == 2 && c[0] == '.' && c[1] == '.') {
            if (down) return "symlink target with '..' after a name";
            if (++up > depth) return "symlink target outside the destination";
        } else down++;
    }
    return NULL;
}

/* Makes a temporary name in directory fd for the entry being written. */
static void upd__untar_tmpname(upd_untar *x)
{
    snprintf(x->_tmp, sizeof x->_tmp, ".upd-tmp-%ld-%lu", (long)getpid(), (unsigned long)x->_seq++);
}

/* Moves the temporary x->_tmp onto name in directory pfd. */
static upd_result upd__untar_commit(upd_untar *x, int pfd, const char *name)
{
    if (renameat(pfd, x->_tmp, pfd, name) != 0) {
        int err = errno;
        unlinkat(pfd, x->_tmp, 0);
        x->_tmp[0] = 0;
        UPD__X_FAIL(UPD_E_IO, "'%s': cannot put in place: %s", x->_tar.entry.path, strerror(err));
    }
    /* renaming onto another link of the same inode does nothing: clean up */
    unlinkat(pfd, x->_tmp, 0);
    x->_tmp[0] = 0;
    return UPD_OK;
}

/* Deferred directories: records [path NUL][mode 4][mtime 8][path length 4],
   walked backwards at the end (children before their parents). */
static upd_result upd__untar_defer_dir(upd_untar *x, const char *path, uint32_t mode, int64_t mtime)
{
    uint32_t plen = (uint32_t)strlen(path);
    size_t need = plen + 1u + 16u;
    if (x->dirs > UPDATER_MAX_TAR_DIRS)
        UPD__X_FAIL(UPD_E_TOOBIG, "'%s': more than UPDATER_MAX_TAR_DIRS directories", path);
    if (x->_dlen + need > x->_dcap) {
        size_t cap = x->_dcap ? x->_dcap * 2 : 4096;
        uint8_t *p;
        while (cap < x->_dlen + need) cap *= 2;
        p = (uint8_t *)UPDATER_REALLOC(x->alloc_ctx, x->_dirs, cap);
        if (!p) UPD__X_FAIL(UPD_E_NOMEM, "out of memory");
        x->_dirs = p;
        x->_dcap = cap;
    }
    memcpy(x->_dirs + x->_dlen, path, plen + 1u);
    memcpy(x->_dirs + x->_dlen + plen + 1, &mode, 4);
    memcpy(x->_dirs + x->_dlen + plen + 5, &mtime, 8);
    memcpy(x->_dirs + x->_dlen + plen + 13, &plen, 4);
    x->_dlen += need;
    return UPD_OK;
}

static upd_result upd__untar_entry(void *user, const upd_tar_entry *e)
{
    upd_untar *x = (upd_untar *)user;
    char *path = x->_p1;
    const char *why = NULL, *name, *tname = NULL;
    uint32_t mode = e->mode & (x->flags & UPD_UNTAR_KEEP_SPECIAL ? 07777u : 0777u) & (x->flags & UPD_UNTAR_NO_GROUP_WRITE ? ~022u : ~0u);
    int n, pfd, tfd = -1;
    if (x->max_entries && x->_tar.entries > x->max_entries)
        UPD__X_FAIL(UPD_E_TOOBIG, "'%s': more than %llu entries", e->path, (unsigned long long)x->max_entries);
    if (x->max_bytes && e->size > x->max_bytes - x->bytes)
        UPD__X_FAIL(UPD_E_TOOBIG, "'%s': the archive expands past %llu bytes", e->path, (unsigned long long)x->max_bytes);
    if ((n = upd__untar_clean(e->path, path, &why)) < 0) UPD__X_FAIL(UPD_E_PATH, "'%s': %s", e->path, why);
    if (n == 0 && e->type != UPD_TAR_DIR) UPD__X_FAIL(UPD_E_PATH, "'%s': empty name", e->path);
    if (e->type == UPD_TAR_SYMLINK && (why = upd__untar_link_ok(e->linkpath, n - 1)) != NULL)
        UPD__X_FAIL(UPD_E_PATH, "'%s' -> '%s': %s", e->path, e->linkpath, why);
    if (e->type == UPD_TAR_HARDLINK && upd__untar_clean(e->linkpath, x->_p2, &why) <= 0)
        UPD__X_FAIL(UPD_E_PATH, "'%s' link to '%s': %s", e->path, e->linkpath, why ? why : "empty name");
    if (x->on_entry) x->on_entry(x->user, e);
    if (x->flags & UPD_UNTAR_LIST) return UPD_OK;
    if (n == 0) return UPD_OK; /* "./": the destination itself */
    if (e->type == UPD_TAR_HARDLINK) {
        /* the target's directory, reached the same careful way, and held
           (dup) since looking up the entry's own directory moves the cache */
        struct stat st;
        tfd = upd__untar_parent(x, x->_p2, &tname);
        if (tfd < 0) return tfd == -2 ? UPD_E_PATH : UPD_E_IO;
        if ((tfd = fcntl(tfd, F_DUPFD_CLOEXEC, 0)) < 0) UPD__X_FAIL(UPD_E_IO, "'%s': %s", e->path, strerror(errno));
        if (fstatat(tfd, tname, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) {
            close(tfd);
            UPD__X_FAIL(UPD_E_PATH, "'%s' link to '%s': not a regular file in the destination", e->path, e->linkpath);
        }
    }
    pfd = upd__untar_parent(x, path, &name);
    if (pfd < 0) {
        if (tfd >= 0) close(tfd);
        return pfd == -2 ? UPD_E_PATH : UPD_E_IO;
    }
    switch (e->type) {
    case UPD_TAR_DIR: {
        struct stat st;
        if (mkdirat(pfd, name, 0700) != 0) {
            if (errno != EEXIST) UPD__X_FAIL(UPD_E_IO, "'%s': %s", e->path, strerror(errno));
            if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
                UPD__X_FAIL(UPD_E_IO, "'%s': %s", e->path, strerror(errno));
            if (!S_ISDIR(st.st_mode)) { /* a file or symlink in the way: replace it */
                if (unlinkat(pfd, name, 0) != 0 || mkdirat(pfd, name, 0700) != 0)
                    UPD__X_FAIL(UPD_E_IO, "'%s': %s", e->path, strerror(errno));
            } else if ((st.st_mode & 0700u) != 0700u && fchmodat(pfd, name, (st.st_mode & 07777u) | 0700u, 0) != 0)
                UPD__X_FAIL(UPD_E_IO, "'%s': %s", e->path, strerror(errno));
        }
        x->dirs++;
        return upd__untar_defer_dir(x, path, mode, e->mtime);
    }
    case UPD_TAR_FILE:
        upd__untar_tmpname(x);
        x->_fd = openat(pfd, x->_tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (x->_fd < 0) { x->_tmp[0] = 0; UPD__X_FAIL(UPD_E_IO, "'%s': %s", e->path, strerror(errno)); }
        x->_pfd = fcntl(pfd, F_DUPFD_CLOEXEC, 0); /* held until the file ends */
        if (x->_pfd < 0) {
            int err = errno;
            close(x->_fd);
            x->_fd = -1;
            unlinkat(pfd, x->_tmp, 0);
            x->_tmp[0] = 0;
            UPD__X_FAIL(UPD_E_IO, "'%s': %s", e->path, strerror(err));
        }
        return UPD_OK;
    case UPD_TAR_SYMLINK: {
        struct timespec ts[2];
        upd__untar_tmpname(x);
        if (symlinkat(e->linkpath, pfd, x->_tmp) != 0) {
            x->_tmp[0] = 0;
            UPD__X_FAIL(UPD_E_IO, "'%s': %s", e->path, strerror(errno));
        }
        ts[0].tv_sec = ts[1].tv_sec = (time_t)e->mtime;
        ts[0].tv_nsec = ts[1].tv_nsec = 0;
        (void)utimensat(pfd, x->_tmp, ts, AT_SYMLINK_NOFOLLOW); /* best effort */
        x->links++;
        return upd__untar_commit(x, pfd, name);
    }
    default: { /* UPD_TAR_HARDLINK */
        upd__untar_tmpname(x);
        if (linkat(tfd, tname, pfd, x->_tmp, 0) != 0) {
            int err = errno;
            close(tfd);
            x->_tmp[0] = 0;
            UPD__X_FAIL(UPD_E_IO, "'%s' link to '%s': %s", e->path, e->linkpath, strerror(err));
        }
        close(tfd);
        x->links++;
        return upd__untar_commit(x, pfd, name);
    }
    }
}

static upd_result upd__untar_data(void *user, const uint8_t *data, size_t len)
{
    upd_untar *x = (upd_untar *)user;
    if (x->flags & UPD_UNTAR_LIST) return UPD_OK;
    x->bytes += len;
    while (len > 0) {
        ssize_t k = write(x->_fd, data, len);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) UPD__X_FAIL(UPD_E_IO, "'%s': %s", x->_tar.entry.path, k < 0 ? strerror(errno) : "short write");
        data += k;
        len -= (size_t)k;
    }
    return UPD_OK;
}

static upd_result upd__untar_end(void *user, const upd_tar_entry *e)
{
    upd_untar *x = (upd_untar *)user;
    struct timespec ts[2];
    upd_result r;
    int fd = x->_fd;
    if (e->type != UPD_TAR_FILE || (x->flags & UPD_UNTAR_LIST)) return UPD_OK;
    ts[0].tv_sec = ts[1].tv_sec = (time_t)e->mtime;
    ts[0].tv_nsec = ts[1].tv_nsec = 0;
    x->_fd = -1;
    if (fchmod(fd, (mode_t)(e->mode & (x->flags & UPD_UNTAR_KEEP_SPECIAL ? 07777u : 0777u) &
                            (x->flags & UPD_UNTAR_NO_GROUP_WRITE ? ~022u : ~0u))) != 0 ||
        futimens(fd, ts) != 0 || ((x->flags & UPD_UNTAR_FSYNC) && fsync(fd) != 0)) {
        int err = errno;
        close(fd);
        UPD__X_FAIL(UPD_E_IO, "'%s': %s", e->path, strerror(err));
    }
    if (close(fd) != 0) UPD__X_FAIL(UPD_E_IO, "'%s': %s", e->path, strerror(errno));
    x->files++;
    {
        const char *name = strrchr(x->_p1, '/');
        r = upd__untar_commit(x, x->_pfd, name ? name + 1 : x->_p1);
    }
    close(x->_pfd);
    x->_pfd = -1;
    return r;
}

UPDDEF upd_result upd_untar_open(upd_untar *x, const char *dir, unsigned flags)
{
    UPDATER_ASSERT(x != NULL && dir != NULL);
    memset(x, 0, sizeof *x);
    x->flags = flags;
    x->_fd = x->_pfd = x->_cfd = -1;
    upd_tar_init(&x->_tar, flags & UPD_TAR_SKIP_UNSUPPORTED);
    x->_tar.on_entry = upd__untar_entry;
    x->_tar.on_data = upd__untar_data;
    x->_tar.on_end = upd__untar_end;
    x->_tar.user = x;
    x->_root = -1;
    if (flags & UPD_UNTAR_LIST) return UPD_OK;
    x->_root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (x->_root < 0) UPD__X_FAIL(UPD_E_IO, "%s: %s", dir, strerror(errno));
    return UPD_OK;
}

/* Reports a reader error with the entry or the place it concerns. */
static upd_result upd__untar_fail(upd_untar *x, upd_result r)
{
    if (!x->error[0]) {
        /* the entry's name when the fault is in its header or its data */
        if (x->_tar.entry.path && (x->_tar._state == UPD__T_DATA || x->_tar._state == UPD__T_PAD ||
                                   (x->_tar._state == UPD__T_HEADER && x->_tar.entry.offset + 512 == x->_tar.offset)))
            upd__untar_err(x, "'%s': %s (%s)", x->_tar.entry.path, x->_tar.why, upd_strerror(r));
        else
            upd__untar_err(x, "tar byte %llu: %s (%s)", (unsigned long long)x->_tar.offset,
                           x->_tar.why, upd_strerror(r));
    }
    return r;
}

UPDDEF upd_result upd_untar_feed(upd_untar *x, const void *data, size_t len)
{
    const uint8_t *p = (const uint8_t *)data;
    upd_result r;
    UPDATER_ASSERT(x != NULL && (data != NULL || len == 0));
    while (x->_kind == 0 && len > 0) { /* tell .tar.gz from .tar by the first two bytes */
        x->_magic[x->_nmagic++] = *p++;
        len--;
        if (x->_nmagic == 2) {
            x->_kind = (x->_magic[0] == 0x1f && x->_magic[1] == 0x8b) ? 2 : 1;
            if (x->_kind == 2) {
                x->_gz = (upd_gunzip *)UPDATER_MALLOC(x->alloc_ctx, sizeof *x->_gz);
                x->_buf = (uint8_t *)UPDATER_MALLOC(x->alloc_ctx, 65536);
                if (!x->_gz || !x->_buf) UPD__X_FAIL(UPD_E_NOMEM, "out of memory");
                upd_gunzip_init(x->_gz, 0);
            }
            if ((r = upd_untar_feed(x, x->_magic, 2)) != UPD_OK) return r;
        }
    }
    if (x->_kind == 0) return UPD_OK; /* one byte so far: wait for the second */
    if (x->_kind == 1) {
        r = upd_tar_feed(&x->_tar, p, len);
        return r == UPD_OK ? r : upd__untar_fail(x, r);
    }
    for (;;) { /* until the input is used up and no output is pending */
        size_t in = len, out = 65536;
        upd_result g = upd_gunzip_run(x->_gz, p, &in, x->_buf, &out, 0);
        p += in; len -= in;
        if (out && (r = upd_tar_feed(&x->_tar, x->_buf, out)) != UPD_OK) return upd__untar_fail(x, r);
        if (g < 0) UPD__X_FAIL(g, "gzip data at byte %llu: %s", (unsigned long long)x->_gz->total_in, upd_strerror(g));
        if (g == UPD_OK && len > 0) UPD__X_FAIL(UPD_E_GZIP_MAGIC, "data after the end of the gzip stream");
        if (len == 0 && g != UPD_NEED_OUTPUT) break;
    }
    return UPD_OK;
}

/* qsort order for deferred directories: deeper first, and for equal
   depth the later record first. */
typedef struct upd__dirsort { size_t depth, at; } upd__dirsort;
static int upd__untar_deeper(const void *a, const void *b)
{
    const upd__dirsort *x = (const upd__dirsort *)a, *y = (const upd__dirsort *)b;
    if (x->depth != y->depth) return x->depth > y->depth ? -1 : 1;
    return x->at > y->at ? -1 : x->at < y->at ? 1 : 0;
}

/* Applies a deferred directory record's mode and mtime. */
static upd_result upd__untar_dir_attrs(upd_untar *x, size_t at)
{
    uint32_t mode, plen;
    int64_t mtime;
    const char *name;
    struct timespec ts[2];
    int pfd, fd;
    plen = (uint32_t)strlen((const char *)x->_dirs + at);
    memcpy(&mode, x->_dirs + at + plen + 1, 4);
    memcpy(&mtime, x->_dirs + at + plen + 5, 8);
    memcpy(x->_p1, x->_dirs + at, plen + 1u);
    pfd = upd__untar_parent(x, x->_p1, &name);
    if (pfd < 0) return pfd == -2 ? UPD_E_PATH : UPD_E_IO;
    fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    ts[0].tv_sec = ts[1].tv_sec = (time_t)mtime;
    ts[0].tv_nsec = ts[1].tv_nsec = 0;
    if (fd < 0 || fchmod(fd, (mode_t)mode) != 0 || futimens(fd, ts) != 0) {
        int err = errno;
        if (fd >= 0) close(fd);
        UPD__X_FAIL(UPD_E_IO, "'%s': %s", x->_p1, strerror(err));
    }
    close(fd);
    return UPD_OK;
}

UPDDEF upd_result upd_untar_finish(upd_untar *x)
{
    upd_result r;
    UPDATER_ASSERT(x != NULL);
    if (x->_kind == 0 && x->_nmagic == 1) UPD__X_FAIL(UPD_E_TRUNCATED, "archive of one byte");
    if (x->_kind == 2) {
        for (;;) {
            size_t in = 0, out = 65536;
            upd_result g = upd_gunzip_run(x->_gz, NULL, &in, x->_buf, &out, 1);
            if (out && (r = upd_tar_feed(&x->_tar, x->_buf, out)) != UPD_OK) return upd__untar_fail(x, r);
            if (g == UPD_OK) break;
            if (g < 0) UPD__X_FAIL(g, "gzip data at byte %llu: %s", (unsigned long long)x->_gz->total_in, upd_strerror(g));
        }
    }
    if ((r = upd_tar_finish(&x->_tar)) != UPD_OK) return upd__untar_fail(x, r);
    /* directory modes and mtimes: of a directory named twice the later
       entry wins; then deepest first, so that a parent without search
       permission (0644, say) is closed only after its children are done */
    if (x->_dlen > 0) {
        size_t tsize = 16, mask, *seen, nlist = 0, i;
        upd__dirsort *list;
        while (tsize < 2 * (size_t)x->dirs) tsize *= 2;
        mask = tsize - 1;
        seen = (size_t *)UPDATER_MALLOC(x->alloc_ctx, tsize * sizeof *seen);
        list = (upd__dirsort *)UPDATER_MALLOC(x->alloc_ctx, ((size_t)x->dirs + 1) * sizeof *list);
        if (!seen || !list) {
            if (seen) UPDATER_FREE(x->alloc_ctx, seen);
            if (list) UPDATER_FREE(x->alloc_ctx, list);
            UPD__X_FAIL(UPD_E_NOMEM, "out of memory");
        }
        memset(seen, 0, tsize * sizeof *seen);
        while (x->_dlen > 0) { /* newest record first: keep the first seen */
            uint32_t plen;
            uint64_t hash = 1469598103934665603ull; /* FNV-1a */
            size_t at, slot;
            const char *path;
            memcpy(&plen, x->_dirs + x->_dlen - 4, 4);
            at = x->_dlen - 16u - plen - 1u;
            path = (const char *)x->_dirs + at;
            for (i = 0; i < plen; i++) hash = (hash ^ (uint8_t)path[i]) * 1099511628211ull;
            for (slot = (size_t)hash & mask; seen[slot]; slot = (slot + 1) & mask)
                if (strcmp((const char *)x->_dirs + seen[slot] - 1, path) == 0) break;
            if (!seen[slot]) {
                seen[slot] = at + 1;
                list[nlist].at = at;
                for (list[nlist].depth = 0, i = 0; i < plen; i++) list[nlist].depth += path[i] == '/';
                nlist++;
            }
            x->_dlen = at;
        }
        UPDATER_FREE(x->alloc_ctx, seen);
        qsort(list, nlist, sizeof *list, upd__untar_deeper);
        for (r = UPD_OK, i = 0; i < nlist && r == UPD_OK; i++) r = upd__untar_dir_attrs(x, list[i].at);
        UPDATER_FREE(x->alloc_ctx, list);
        if (r != UPD_OK) return r;
    }
    return UPD_OK;
}

UPDDEF void upd_untar_close(upd_untar *x)
{
    UPDATER_ASSERT(x != NULL);
    if (x->_fd >= 0) close(x->_fd);
    if (x->_tmp[0] && x->_pfd >= 0) unlinkat(x->_pfd, x->_tmp, 0);
    if (x->_pfd >= 0) close(x->_pfd);
    if (x->_cfd >= 0) close(x->_cfd);
    if (x->_root >= 0) close(x->_root);
    x->_fd = x->_pfd = x->_cfd = x->_root = -1;
    x->_tmp[0] = 0;
    if (x->_gz) UPDATER_FREE(x->alloc_ctx, x->_gz);
    if (x->_buf) UPDATER_FREE(x->alloc_ctx, x->_buf);
    if (x->_dirs) UPDATER_FREE(x->alloc_ctx, x->_dirs);
    x->_gz = NULL;
    x->_buf = x->_dirs = NULL;
    x->_dlen = x->_dcap = 0;
}

static upd_result upd__untar_path(const char *archive, const char *dir, unsigned flags, uint64_t max_bytes,
                                  uint64_t max_entries, uint64_t *unpacked, char *err, size_t errcap)
{
    static const size_t chunk = 65536;
    upd_untar *x;
    uint8_t *buf;
    upd_result r = UPD_OK;
    int fd;
    UPDATER_ASSERT(archive != NULL && dir != NULL);
    x = (upd_untar *)UPDATER_MALLOC(NULL, sizeof *x);
    buf = (uint8_t *)UPDATER_MALLOC(NULL, chunk);
    if (!x || !buf) {
        if (x) UPDATER_FREE(NULL, x);
        if (buf) UPDATER_FREE(NULL, buf);
        if (err && errcap) snprintf(err, errcap, "out of memory");
        return UPD_E_NOMEM;
    }
    if ((r = upd_untar_open(x, dir, flags)) == UPD_OK) {
        x->max_bytes = max_bytes;
        x->max_entries = max_entries;
        if ((fd = open(archive, O_RDONLY | O_CLOEXEC)) < 0) {
            upd__untar_err(x, "%s: %s", archive, strerror(errno));
            r = UPD_E_IO;
        } else {
            for (;;) {
                ssize_t n = read(fd, buf, chunk);
                if (n < 0 && errno == EINTR) continue;
                if (n < 0) { upd__untar_err(x, "%s: %s", archive, strerror(errno)); r = UPD_E_IO; break; }
                if (n == 0) { r = upd_untar_finish(x); break; }
                if ((r = upd_untar_feed(x, buf, (size_t)n)) != UPD_OK) break;
            }
            close(fd);
        }
    }
    if (r != UPD_OK && err && errcap) snprintf(err, errcap, "%s", x->error);
    if (unpacked) *unpacked = x->bytes;
    upd_untar_close(x);
    UPDATER_FREE(NULL, x);
    UPDATER_FREE(NULL, buf);
    return r;
}

UPDDEF upd_result upd_untar_file(const char *archive, const char *dir, unsigned flags,
                                 char *err, size_t errcap)
{
    UPDATER_ASSERT(archive != NULL && dir != NULL);
    return upd__untar_path(archive, dir, flags, 0, 0, NULL, err, errcap);
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
           K_MIN = 64, K_NOTES = 128, K_CRIT = 256, K_TREE = 512 };
    static const char *const known[] = {"url", "size", "sha256", "from", "channel",
                                        "rollout", "min", "notes", "critical", "tree"};
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
        case K_TREE:
            rel.has_tree = 1;
            if (strlen(val) != 64 || upd_hex_decode(val, rel.tree, 32) != UPD_OK)
                r = upd__mf_err(m, UPD_E_MANIFEST, line, "bad tree: expected 64 hex digits");
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
        const upd_release *chan = NULL, *roll = NULL, *min = NULL, *tree = NULL;
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
            if (a->has_tree) { /* one version, one tree: its packages must agree */
                if (tree && memcmp(tree->tree, a->tree, 32) != 0) {
                    r = upd__mf_err(m, UPD_E_MANIFEST, a->line, "tree= disagrees with line %u "
                                    "for the same release", tree->line);
                    break;
                }
                tree = a;
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
            if (tree) { idx[j]->has_tree = 1; memcpy(idx[j]->tree, tree->tree, 32); }
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
    } else if (strcmp(tok[0], "@trust-key") == 0 || strcmp(tok[0], "@revoke-key") == 0) {
        int trust = tok[0][1] == 't';
        upd_pubkey k, *list = trust ? m->trust : m->revoke, *other = trust ? m->revoke : m->trust;
        size_t *cnt = trust ? &m->ntrust : &m->nrevoke, nother = trust ? m->nrevoke : m->ntrust, j;
        if (ntok != 2) return upd__mf_err(m, UPD_E_MANIFEST, line, "%s needs exactly one value (a minisign public key)", tok[0]);
        if (upd_pubkey_parse(&k, tok[1], strlen(tok[1])) != UPD_OK)
            return upd__mf_err(m, UPD_E_MANIFEST, line, "%s: '%.60s' is not a minisign public key", tok[0], tok[1]);
        for (j = 0; j < nother; j++)
            if (memcmp(&other[j], &k, sizeof k) == 0)
                return upd__mf_err(m, UPD_E_MANIFEST, line, "a key both trusted and revoked");
        for (j = 0; j < *cnt; j++)
            if (memcmp(&list[j], &k, sizeof k) == 0) break;
        if (j == *cnt) {
            if (*cnt == UPDATER_MAX_MANIFEST_KEYS)
                return upd__mf_err(m, UPD_E_MANIFEST, line, "more than %d %s lines", UPDATER_MAX_MANIFEST_KEYS, tok[0]);
            list[(*cnt)++] = k;
        }
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
    if (base_url) { /* the caller's argument first, whatever the text is */
        char tmp[UPDATER_MAX_URL + 1];
        const char *why = "";
        if (upd_url_resolve(NULL, base_url, tmp, sizeof tmp, &why) != UPD_OK)
            return upd__mf_err(m, UPD_E_URL, 0, "bad manifest URL: %s", why);
    }
    if (len > UPDATER_MAX_MANIFEST_BYTES)
        return upd__mf_err(m, UPD_E_TOOBIG, 0, "manifest is larger than %u bytes",
                           (unsigned)UPDATER_MAX_MANIFEST_BYTES);
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
            if (q->skip && q->skip(q->skip_user, r->version)) continue;
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

#if !defined(UPDATER_NO_HTTP)
/* ==== >>http ============================================================= */
/* Format notes (RFC 9112; RFC 9110 for semantics).
   - status-line = HTTP-version SP 3DIGIT SP [reason] CRLF; we take HTTP/1.0
     and 1.1. Lines end in CRLF; a bare LF is accepted (9112 2.2 allows it),
     a bare CR is not. Header fields: token ":" OWS value OWS; whitespace
     before the colon and obsolete line folding are errors (9112 5.1, 5.2).
   - 1xx responses (but 101) come before the real one and are skipped;
     1xx, 204 and 304 have no body (9112 6.3).
   - Framing (9112 6.3): Transfer-Encoding ending in chunked, else
     Content-Length, else the body ends when the connection closes. Both
     at once is the classic request-smuggling shape and is refused; so are
     Content-Lengths that disagree and transfer codings other than chunked
     (we ask for identity).
   - chunked (9112 7.1): hex size, optional ";ext", CRLF, data, CRLF; a
     zero size ends the body, then trailer fields and an empty line. Sizes
     past 2^60 and chunk lines over 1 KiB are refused.
   - The header section is capped at UPDATER_MAX_HTTP_HEADER bytes and
     UPDATER_MAX_HTTP_HEADERS fields (trailers count afresh). */
enum {
    UPD__H_STATUS, UPD__H_HEADER, UPD__H_BODY, UPD__H_CLOSE, UPD__H_CSIZE, UPD__H_CDATA,
    UPD__H_CCRLF, UPD__H_TRAILER, UPD__H_DONE
};
#define UPD__H_FAIL(code, text) do { p->why = (text); r = (code); goto fail; } while (0)

UPDDEF void upd_http_parser_init(upd_http_parser *p)
{
    UPDATER_ASSERT(p != NULL);
    memset(p, 0, sizeof *p);
    p->length = UINT64_MAX;
    p->retry_after = -1;
    p->why = "";
}

static int upd__h_ieq(const char *a, const char *b) /* ASCII case-insensitive */
{
    for (; *a && *b; a++, b++) {
        char x = *a, y = *b;
        if (x >= 'A' && x <= 'Z') x = (char)(x + 32);
        if (y >= 'A' && y <= 'Z') y = (char)(y + 32);
        if (x != y) return 0;
    }
    return *a == *b;
}

static int upd__h_tchar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* days since 1970-01-01 of a civil date (proleptic Gregorian) */
static int64_t upd__days(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Retry-After: delay-seconds, or an IMF-fixdate ("Sun, 06 Nov 1994
   08:49:37 GMT") turned into seconds from now; -1 if neither. */
static long upd__h_retry_after(const char *v)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    char mon[4];
    int d, y, hh, mm, ss, m;
    int64_t when, now;
    if (*v >= '0' && *v <= '9') {
        long n = 0;
        for (; *v >= '0' && *v <= '9'; v++) { if (n > 100000000L) return -1; n = n * 10 + (*v - '0'); }
        return *v ? -1 : n;
    }
    if (strlen(v) != 29 || sscanf(v + 5, "%2d %3s %4d %2d:%2d:%2d", &d, mon, &y, &hh, &mm, &ss) != 6 ||
        strcmp(v + 26, "GMT") != 0)
        return -1;
    for (m = 0; m < 12 && strncmp(months + 3 * m, mon, 3) != 0; m++) {}
    if (m == 12 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60) return -1;
    when = upd__days(y, m + 1, d) * 86400 + hh * 3600 + mm * 60 + ss;
    now = (int64_t)time(NULL);
    return when > now ? (long)(when - now) : 0;
}

/* One header field line (no EOL). */
static upd_result upd__h_field(upd_http_parser *p, char *line, int trailer)
{
    upd_result r = UPD_OK;
    char *colon = strchr(line, ':'), *v, *e;
    size_t i;
    if (line[0] == ' ' || line[0] == '\t') UPD__H_FAIL(UPD_E_HTTP, "obsolete header line folding");
    if (!colon || colon == line) UPD__H_FAIL(UPD_E_HTTP, "malformed header field");
    for (i = 0; line + i < colon; i++)
        if (!upd__h_tchar(line[i])) UPD__H_FAIL(UPD_E_HTTP, "malformed header field name");
    *colon = 0;
    for (v = colon + 1; *v == ' ' || *v == '\t'; v++) {}
    for (e = v + strlen(v); e > v && (e[-1] == ' ' || e[-1] == '\t'); e--) {}
    *e = 0;
    for (i = 0; v[i]; i++)
        if ((unsigned char)v[i] < 0x20 && v[i] != '\t') UPD__H_FAIL(UPD_E_HTTP, "control character in a header value");
    if (trailer) return UPD_OK; /* trailers carry nothing we use */
    if (upd__h_ieq(line, "content-length")) {
        uint64_t n = 0;
        if (!*v) UPD__H_FAIL(UPD_E_HTTP, "empty Content-Length");
        for (; *v; v++) {
            if (*v < '0' || *v > '9' || n > (UINT64_MAX - 9) / 10 / 16) UPD__H_FAIL(UPD_E_HTTP, "malformed Content-Length");
            n = n * 10 + (uint64_t)(*v - '0');
        }
        if (p->length != UINT64_MAX && p->length != n) UPD__H_FAIL(UPD_E_HTTP, "conflicting Content-Lengths");
        p->length = n;
    } else if (upd__h_ieq(line, "transfer-encoding")) {
        if (!upd__h_ieq(v, "chunked") || p->chunked) UPD__H_FAIL(UPD_E_HTTP, "unsupported Transfer-Encoding");
        p->chunked = 1;
    } else if (upd__h_ieq(line, "connection")) {
        if (upd__h_ieq(v, "close")) p->close = 1;
    } else if (upd__h_ieq(line, "location")) {
        if (strlen(v) > UPDATER_MAX_URL) UPD__H_FAIL(UPD_E_HTTP, "Location too long");
        memcpy(p->location, v, strlen(v) + 1);
    } else if (upd__h_ieq(line, "etag")) {
        if (strlen(v) < sizeof p->etag) memcpy(p->etag, v, strlen(v) + 1);
    } else if (upd__h_ieq(line, "last-modified")) {
        if (strlen(v) < sizeof p->last_modified) memcpy(p->last_modified, v, strlen(v) + 1);
    } else if (upd__h_ieq(line, "content-range")) {
        if (strlen(v) >= sizeof p->content_range) UPD__H_FAIL(UPD_E_HTTP, "Content-Range too long");
        memcpy(p->content_range, v, strlen(v) + 1);
    } else if (upd__h_ieq(line, "retry-after")) {
        p->retry_after = upd__h_retry_after(v);
    }
    return UPD_OK;
fail:
    return r;
}

/* After the empty line that ends the header section. */
static upd_result upd__h_headers_done(upd_http_parser *p)
{
    upd_result r = UPD_OK;
    if (p->status >= 100 && p->status < 200) { /* interim: the real response follows */
        if (p->status == 101) UPD__H_FAIL(UPD_E_HTTP, "unexpected protocol switch (101)");
        if (++p->_interim > 16) UPD__H_FAIL(UPD_E_HTTP, "more than 16 interim (1xx) responses");
        p->length = UINT64_MAX;
        p->chunked = 0;
        p->_state = UPD__H_STATUS;
        p->_hbytes = p->_nheaders = 0;
        return UPD_OK;
    }
    if (p->chunked && p->length != UINT64_MAX) UPD__H_FAIL(UPD_E_HTTP, "both Content-Length and Transfer-Encoding");
    if (p->on_headers && (r = p->on_headers(p->user, p)) != UPD_OK) UPD__H_FAIL(r, "refused by the header callback");
    if (p->_no_body || p->status == 204 || p->status == 304) p->_state = UPD__H_DONE;
    else if (p->chunked) p->_state = UPD__H_CSIZE;
    else if (p->length != UINT64_MAX) { p->_left = p->length; p->_state = p->length ? UPD__H_BODY : UPD__H_DONE; }
    else { p->_state = UPD__H_CLOSE; p->close = 1; }
    return UPD_OK;
fail:
    return r;
}

UPDDEF upd_result upd_http_parser_feed(upd_http_parser *p, const uint8_t *data, size_t len, size_t *used)
{
    const uint8_t *s = data, *end = len ? data + len : data; /* NULL + 0 is undefined in C */
    upd_result r = UPD_OK;
    UPDATER_ASSERT(p != NULL && used != NULL && (data != NULL || len == 0));
    *used = 0;
    if (p->_err) return (upd_result)(int32_t)p->_err;
    while (p->_state != UPD__H_DONE) {
        if (p->_state == UPD__H_BODY || p->_state == UPD__H_CDATA || p->_state == UPD__H_CLOSE) {
            size_t n = (size_t)(end - s);
            if (n == 0) break;
            if (p->_state != UPD__H_CLOSE && n > p->_left) n = (size_t)p->_left;
            if (p->on_body && (r = p->on_body(p->user, s, n)) != UPD_OK) UPD__H_FAIL(r, "refused by the body callback");
            s += n;
            if (p->_state == UPD__H_CLOSE) continue;
            p->_left -= n;
            if (p->_left == 0) p->_state = p->_state == UPD__H_BODY ? UPD__H_DONE : UPD__H_CCRLF;
            continue;
        }
        /* line-based states: collect up to the LF */
        {   /* the header section counts every byte up to its empty line's
               LF (then _line, as big as the section, cannot overflow);
               chunk-size lines are capped on their own */
            int chunkline = p->_state == UPD__H_CSIZE || p->_state == UPD__H_CCRLF, done = 0;
            while (s < end) {
                char c = (char)*s++;
                if (!chunkline && ++p->_hbytes > UPDATER_MAX_HTTP_HEADER)
                    UPD__H_FAIL(UPD_E_TOOBIG, "response header section too large");
                if (c == '\n') { done = 1; break; }
                if (chunkline && (p->_llen >= 1024 || p->_llen >= UPDATER_MAX_HTTP_HEADER))
                    UPD__H_FAIL(UPD_E_HTTP, "chunk line too long");
                p->_line[p->_llen++] = c;
            }
            if (!done) break;
        }
        if (p->_llen > 0 && p->_line[p->_llen - 1] == '\r') p->_llen--;
        p->_line[p->_llen] = 0;
        if (strlen(p->_line) != p->_llen || strchr(p->_line, '\r')) UPD__H_FAIL(UPD_E_HTTP, "NUL or bare CR in a header line");
        p->_llen = 0;
        switch (p->_state) {
        case UPD__H_STATUS: {
            const char *l = p->_line;
            if (strncmp(l, "HTTP/1.", 7) != 0 || (l[7] != '0' && l[7] != '1') || l[8] != ' ' ||
                l[9] < '1' || l[9] > '5' || l[10] < '0' || l[10] > '9' || l[11] < '0' || l[11] > '9' ||
                (l[12] != ' ' && l[12] != 0))
                UPD__H_FAIL(UPD_E_HTTP, "malformed status line (not an HTTP/1.x server?)");
            p->minor = l[7] - '0';
            p->status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
            if (p->minor == 0) p->close = 1;
            p->_state = UPD__H_HEADER;
            break;
        }
        case UPD__H_HEADER:
        case UPD__H_TRAILER:
            if (p->_line[0] == 0) {
                if (p->_state == UPD__H_TRAILER) p->_state = UPD__H_DONE;
                else if ((r = upd__h_headers_done(p)) != UPD_OK) goto fail;
                break;
            }
            if (++p->_nheaders > UPDATER_MAX_HTTP_HEADERS) UPD__H_FAIL(UPD_E_TOOBIG, "too many header fields");
            if ((r = upd__h_field(p, p->_line, p->_state == UPD__H_TRAILER)) != UPD_OK) goto fail;
            break;
        case UPD__H_CSIZE: {
            const char *l = p->_line;
            uint64_t n = 0;
            int digits = 0;
            for (; (*l >= '0' && *l <= '9') || (*l >= 'a' && *l <= 'f') || (*l >= 'A' && *l <= 'F'); l++, digits++) {
                if (n >> 56) UPD__H_FAIL(UPD_E_HTTP, "chunk size too large");
                n = n << 4 | (uint64_t)(*l <= '9' ? *l - '0' : (*l | 32) - 'a' + 10);
            }
            while (*l == ' ' || *l == '\t') l++;
            if (!digits || (*l && *l != ';')) UPD__H_FAIL(UPD_E_HTTP, "malformed chunk size");
            if (n == 0) { p->_state = UPD__H_TRAILER; p->_hbytes = p->_nheaders = 0; }
            else { p->_left = n; p->_state = UPD__H_CDATA; }
            break;
        }
        case UPD__H_CCRLF:
            if (p->_line[0]) UPD__H_FAIL(UPD_E_HTTP, "chunk data longer than its size");
            p->_state = UPD__H_CSIZE;
            break;
        default:
            UPD__H_FAIL(UPD_E_ARG, "bad state");
        }
    }
    *used = (size_t)(s - data);
    return p->_state == UPD__H_DONE ? UPD_OK : UPD_NEED_INPUT;
fail:
    *used = (size_t)(s - data);
    p->_err = (uint32_t)(int32_t)r;
    return r;
}

UPDDEF upd_result upd_http_parser_eof(upd_http_parser *p)
{
    UPDATER_ASSERT(p != NULL);
    if (p->_err) return (upd_result)(int32_t)p->_err;
    if (p->_state == UPD__H_CLOSE || p->_state == UPD__H_DONE) { p->_state = UPD__H_DONE; return UPD_OK; }
    p->why = p->_state == UPD__H_STATUS && p->_llen == 0 && p->_hbytes == 0 ? "the server closed the connection without a response" :
             p->_state <= UPD__H_HEADER ? "the connection closed inside the response header" :
             "the connection closed before the end of the body";
    p->_err = (uint32_t)(int32_t)UPD_E_TRUNCATED;
    return UPD_E_TRUNCATED;
}

/* ---- the client ---- */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 2, 3)))
#endif
static void upd__herr(upd_http_result *res, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->error, sizeof res->error, fmt, ap);
    va_end(ap);
}
#define UPD__HC_FAIL(code, ...) do { upd__herr(res, __VA_ARGS__); return (code); } while (0)

typedef struct upd__hurl {
    int scheme;                      /* 0 http, 1 https, 2 file */
    char user[256], pass[256];       /* percent-decoded userinfo */
    char host[256];                  /* without [ ] for IPv6 */
    char port[8];
    char target[UPDATER_MAX_URL + 1]; /* path?query, or the file path */
    char hostport[280];              /* for Host: and messages */
} upd__hurl;

static int upd__h_ieq_n(const char *a, const char *b, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = (char)(x + 32);
        if (x != y) return 0;
    }
    return 1;
}

static int upd__hex(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Percent-decodes n bytes of s into out (cap bytes, NUL-terminated). */
static int upd__pct_decode(const char *s, size_t n, char *out, size_t cap)
{
    size_t i, o = 0;
    for (i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '%') {
            if (i + 2 >= n) return -1;
            if (upd__hex(s[i + 1]) < 0 || upd__hex(s[i + 2]) < 0) return -1;
            c = upd__hex(s[i + 1]) * 16 + upd__hex(s[i + 2]);
            i += 2;
            if (c == 0) return -1;
        }
        if (o + 1 >= cap) return -1;
        out[o++] = (char)c;
    }
    out[o] = 0;
    return 0;
}

/* Parses an absolute http, https or file URL. why: a static reason. */
static int upd__hurl_parse(const char *url, upd__hurl *u, const char **why)
{
    const char *s, *auth, *aend, *at, *h, *hend, *pt;
    size_t i;
    memset(u, 0, sizeof *u);
    for (i = 0; url[i]; i++)
        if ((unsigned char)url[i] <= ' ' || (unsigned char)url[i] >= 0x7f) { *why = "space, control or non-ASCII byte in URL"; return -1; }
    if (i > UPDATER_MAX_URL) { *why = "URL too long"; return -1; }
    if (strncmp(url, "file://", 7) == 0) {
        s = url + 7;
        if (strncmp(s, "localhost/", 10) == 0) s += 9;
        if (*s != '/') { *why = "file URL must be file:///path"; return -1; }
        u->scheme = 2;
        if (upd__pct_decode(s, strcspn(s, "?#"), u->target, sizeof u->target) != 0) { *why = "bad percent-encoding in URL"; return -1; }
        return 0;
    }
    if (upd__h_ieq_n(url, "http://", 7)) { u->scheme = 0; s = url + 7; memcpy(u->port, "80", 3); }
    else if (upd__h_ieq_n(url, "https://", 8)) { u->scheme = 1; s = url + 8; memcpy(u->port, "443", 4); }
    else { *why = "not an http, https or file URL"; return -1; }
    auth = s;
    aend = auth + strcspn(auth, "/?#");
    at = NULL;
    for (h = auth; h < aend; h++) if (*h == '@') at = h;
    if (at) {
        const char *colon = (const char *)memchr(auth, ':', (size_t)(at - auth));
        const char *ue = colon ? colon : at;
        if (upd__pct_decode(auth, (size_t)(ue - auth), u->user, sizeof u->user) != 0 ||
            (colon && upd__pct_decode(colon + 1, (size_t)(at - colon - 1), u->pass, sizeof u->pass) != 0)) {
            *why = "bad user name or password in URL"; return -1;
        }
        h = at + 1;
    } else h = auth;
    if (*h == '[') { /* IPv6 literal */
        hend = (const char *)memchr(h, ']', (size_t)(aend - h));
        if (!hend || (size_t)(hend - h - 1) >= sizeof u->host || hend - h < 3) { *why = "bad IPv6 address in URL"; return -1; }
        memcpy(u->host, h + 1, (size_t)(hend - h - 1));
        for (i = 0; u->host[i]; i++)
            if (upd__hex(u->host[i]) < 0 && u->host[i] != ':' && u->host[i] != '.') { *why = "bad IPv6 address in URL"; return -1; }
        pt = hend + 1;
    } else {
        hend = h;
        while (hend < aend && *hend != ':') hend++;
        if (hend == h || (size_t)(hend - h) >= sizeof u->host) { *why = "missing or overlong host in URL"; return -1; }
        memcpy(u->host, h, (size_t)(hend - h));
        for (i = 0; u->host[i]; i++) {
            char c = u->host[i];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'))
                { *why = "bad character in host name"; return -1; }
        }
        pt = hend;
    }
    if (pt < aend) {
        unsigned long port = 0;
        if (*pt != ':' || pt + 1 == aend) { *why = "bad port in URL"; return -1; }
        for (pt++; pt < aend; pt++) {
            if (*pt < '0' || *pt > '9' || port > 65535) { *why = "bad port in URL"; return -1; }
            port = port * 10 + (unsigned long)(*pt - '0');
        }
        if (port == 0 || port > 65535) { *why = "bad port in URL"; return -1; }
        snprintf(u->port, sizeof u->port, "%lu", port);
    }
    {   /* path and query as sent: already percent-encoded; the fragment stays here */
        size_t n = strcspn(aend, "#");
        if (n == 0 || *aend != '/') { u->target[0] = '/'; memcpy(u->target + 1, aend, n); u->target[n + 1] = 0; }
        else { memcpy(u->target, aend, n); u->target[n] = 0; }
        for (i = 0; u->target[i]; i++)
            if (u->target[i] == '%' && (upd__hex(u->target[i + 1]) < 0 || upd__hex(u->target[i + 2]) < 0)) {
                *why = "bad percent-encoding in URL"; return -1;
            }
    }
    if (strchr(u->host, ':')) snprintf(u->hostport, sizeof u->hostport, "[%s]", u->host);
    else snprintf(u->hostport, sizeof u->hostport, "%s", u->host);
    if (strcmp(u->port, u->scheme ? "443" : "80") != 0) {
        size_t k = strlen(u->hostport);
        snprintf(u->hostport + k, sizeof u->hostport - k, ":%s", u->port);
    }
    return 0;
}

static int64_t upd__now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

typedef struct upd__hconn {
    int fd;
    const upd_http_opts *o;
    upd_http_result *res;
    int64_t deadline;         /* monotonic ms, 0: none */
    int64_t win_start;        /* low-speed window */
    uint64_t win_bytes;
    const char *what;         /* host:port for messages */
    void *tls;                /* struct upd__tls once the handshake is done */
} upd__hconn;

/* Raw socket I/O under TLS (or plain): < 0 with errno on failure. */
static ssize_t upd__hc_rawrecv(upd__hconn *c, uint8_t *buf, size_t cap)
{
    ssize_t k = recv(c->fd, buf, cap, 0);
    if (k > 0) c->win_bytes += (uint64_t)k;
    return k;
}

#define UPD__HC_RBUF 65536u /* the receive buffer */
#ifdef MSG_NOSIGNAL
#define UPD__SEND_FLAGS MSG_NOSIGNAL
#else
#define UPD__SEND_FLAGS 0
#endif

#if defined(__GNUC__) || defined(__clang__)
#define UPD__LOAD(x) __atomic_load_n(&(x), __ATOMIC_SEQ_CST)
#define UPD__STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_SEQ_CST)
#else
#define UPD__LOAD(x) (x)
#define UPD__STORE(x, v) ((x) = (v))
#endif
static int upd__canceled(const upd_http_opts *o)
{
    return o->cancel && UPD__LOAD(*o->cancel);
}

/* Waits for events on c->fd within the I/O timeout, the deadline and the
   low-speed window. */
static upd_result upd__hc_wait(upd__hconn *c, short events)
{
    upd_http_result *res = c->res;
    int io = c->o->io_timeout_ms > 0 ? c->o->io_timeout_ms : 30000;
    int64_t io_end = upd__now_ms() + io;
    for (;;) {
        struct pollfd pfd;
        int64_t now = upd__now_ms(), t = io_end - now;
        int k;
        if (c->deadline && c->deadline - now < t) t = c->deadline - now;
        if (c->o->low_speed_secs > 0 && c->win_start + c->o->low_speed_secs * 1000 - now < t)
            t = c->win_start + c->o->low_speed_secs * 1000 - now;
        if (c->o->cancel && t > 250) t = 250;
        pfd.fd = c->fd;
        pfd.events = events;
        pfd.revents = 0;
        k = poll(&pfd, 1, t < 0 ? 0 : (int)t);
        if (upd__canceled(c->o)) UPD__HC_FAIL(UPD_E_CANCELED, "transfer from %s canceled", c->what);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) UPD__HC_FAIL(UPD_E_IO, "poll: %s", strerror(errno));
        now = upd__now_ms();
        if (c->deadline && now >= c->deadline)
            UPD__HC_FAIL(UPD_E_TIMEOUT, "timed out after %d s (the transfer's deadline) with %s", c->o->deadline_ms / 1000, c->what);
        if (c->o->low_speed_secs > 0 && now - c->win_start >= (int64_t)c->o->low_speed_secs * 1000) {
            if (c->win_bytes < (uint64_t)c->o->low_speed_bytes * (uint64_t)c->o->low_speed_secs)
                UPD__HC_FAIL(UPD_E_TIMEOUT, "transfer from %s slower than %lu bytes/s for %d s",
                             c->what, (unsigned long)c->o->low_speed_bytes, c->o->low_speed_secs);
            c->win_start = now;
            c->win_bytes = 0;
        }
        if (k > 0) return UPD_OK;
        if (now >= io_end) UPD__HC_FAIL(UPD_E_TIMEOUT, "timed out after %d s waiting for %s", io / 1000, c->what);
    }
}

#ifdef UPDATER_USE_MBEDTLS
/* ---- TLS (mbedTLS 2.28 or 3.x) ---- */
typedef struct upd__tls {
    mbedtls_ssl_context ssl;
    mbedtls_ssl_config conf;
    mbedtls_x509_crt ca;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
} upd__tls;

static int upd__tls_send(void *ctx, const unsigned char *buf, size_t len)
{
    upd__hconn *c = (upd__hconn *)ctx;
    ssize_t k = send(c->fd, buf, len, UPD__SEND_FLAGS);
    if (k >= 0) return (int)k;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return MBEDTLS_ERR_SSL_WANT_WRITE;
    return MBEDTLS_ERR_NET_SEND_FAILED;
}

static int upd__tls_recv(void *ctx, unsigned char *buf, size_t len)
{
    upd__hconn *c = (upd__hconn *)ctx;
    ssize_t k = upd__hc_rawrecv(c, buf, len);
    if (k >= 0) return (int)k;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return MBEDTLS_ERR_SSL_WANT_READ;
    return MBEDTLS_ERR_NET_RECV_FAILED;
}

static void upd__tls_free(upd__hconn *c)
{
    upd__tls *t = (upd__tls *)c->tls;
    if (!t) return;
    mbedtls_ssl_free(&t->ssl);
    mbedtls_ssl_config_free(&t->conf);
    mbedtls_x509_crt_free(&t->ca);
    mbedtls_ctr_drbg_free(&t->drbg);
    mbedtls_entropy_free(&t->entropy);
    UPDATER_FREE(NULL, t);
    c->tls = NULL;
}

#ifndef UPDATER_CA_BUNDLE
#define UPDATER_CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"
#endif

static upd_result upd__hc_wait(upd__hconn *c, short events);

/* The handshake over c->fd, verifying the chain against cacert (or the
   system bundle) and the certificate's name against host. */
static upd_result upd__tls_start(upd__hconn *c, const char *host, const char *cacert)
{
    upd_http_result *res = c->res;
    upd__tls *t = (upd__tls *)UPDATER_MALLOC(NULL, sizeof *t);
    const char *bundle = cacert ? cacert : UPDATER_CA_BUNDLE;
    static const unsigned char pers[] = "updater.h";
    int k;
    uint32_t flags;
    if (!t) UPD__HC_FAIL(UPD_E_NOMEM, "out of memory");
    c->tls = t;
    mbedtls_ssl_init(&t->ssl);
    mbedtls_ssl_config_init(&t->conf);
    mbedtls_x509_crt_init(&t->ca);
    mbedtls_ctr_drbg_init(&t->drbg);
    mbedtls_entropy_init(&t->entropy);
    if (mbedtls_ctr_drbg_seed(&t->drbg, mbedtls_entropy_func, &t->entropy, pers, sizeof pers - 1) != 0)
        UPD__HC_FAIL(UPD_E_TLS, "TLS: cannot seed the random generator");
    k = mbedtls_x509_crt_parse_file(&t->ca, bundle);
    if (k < 0 || t->ca.version == 0) /* > 0: some certificates of a bundle did not parse */
        UPD__HC_FAIL(UPD_E_TLS, "TLS: cannot read CA certificates from %s", bundle);
    if (mbedtls_ssl_config_defaults(&t->conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT) != 0)
        UPD__HC_FAIL(UPD_E_TLS, "TLS: configuration failed");
    mbedtls_ssl_conf_authmode(&t->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(&t->conf, &t->ca, NULL);
    mbedtls_ssl_conf_rng(&t->conf, mbedtls_ctr_drbg_random, &t->drbg);
    mbedtls_ssl_conf_min_version(&t->conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3); /* TLS 1.2+ */
    if (mbedtls_ssl_setup(&t->ssl, &t->conf) != 0 || mbedtls_ssl_set_hostname(&t->ssl, host) != 0)
        UPD__HC_FAIL(UPD_E_TLS, "TLS: setup failed");
    mbedtls_ssl_set_bio(&t->ssl, c, upd__tls_send, upd__tls_recv, NULL);
    for (;;) {
        upd_result r;
        k = mbedtls_ssl_handshake(&t->ssl);
        if (k == 0) break;
        if (k == MBEDTLS_ERR_SSL_WANT_READ || k == MBEDTLS_ERR_SSL_WANT_WRITE) {
            if ((r = upd__hc_wait(c, k == MBEDTLS_ERR_SSL_WANT_READ ? POLLIN : POLLOUT)) != UPD_OK) return r;
            continue;
        }
        flags = mbedtls_ssl_get_verify_result(&t->ssl);
        if (k == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED && flags) {
            UPD__HC_FAIL(UPD_E_CERT, "certificate not trusted for %s (%s)", host,
                         (flags & MBEDTLS_X509_BADCERT_CN_MISMATCH) ? "issued for another name" :
                         (flags & MBEDTLS_X509_BADCERT_EXPIRED) ? "expired" :
                         (flags & MBEDTLS_X509_BADCERT_FUTURE) ? "not valid yet" :
                         (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED) ? "unknown certificate authority" :
                         (flags & MBEDTLS_X509_BADCERT_REVOKED) ? "revoked" : "verification failed");
        }
        {
            char msg[128];
            mbedtls_strerror(k, msg, sizeof msg);
            UPD__HC_FAIL(UPD_E_TLS, "TLS handshake with %s failed: %s", c->what, msg);
        }
    }
    return UPD_OK;
}
#endif

static upd_result upd__hc_send(upd__hconn *c, const char *p, size_t n)
{
    upd_http_result *res = c->res;
    upd_result r;
#ifdef UPDATER_USE_MBEDTLS
    while (c->tls && n > 0) {
        int k = mbedtls_ssl_write(&((upd__tls *)c->tls)->ssl, (const unsigned char *)p, n);
        if (k == MBEDTLS_ERR_SSL_WANT_READ || k == MBEDTLS_ERR_SSL_WANT_WRITE) {
            if ((r = upd__hc_wait(c, k == MBEDTLS_ERR_SSL_WANT_READ ? POLLIN : POLLOUT)) != UPD_OK) return r;
            continue;
        }
        if (k < 0) UPD__HC_FAIL(UPD_E_TLS, "TLS: sending to %s failed", c->what);
        p += k;
        n -= (size_t)k;
    }
#endif
    while (n > 0) {
        ssize_t k = send(c->fd, p, n, UPD__SEND_FLAGS);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if ((r = upd__hc_wait(c, POLLOUT)) != UPD_OK) return r;
            continue;
        }
        if (k < 0) UPD__HC_FAIL(UPD_E_IO, "sending to %s: %s", c->what, strerror(errno));
        p += k;
        n -= (size_t)k;
    }
    return UPD_OK;
}

/* Reads what is there (waiting if nothing is); 0 bytes = the peer closed. */
static upd_result upd__hc_recv(upd__hconn *c, uint8_t *buf, size_t cap, size_t *got)
{
    upd_http_result *res = c->res;
    upd_result r;
#ifdef UPDATER_USE_MBEDTLS
    while (c->tls) {
        int k = mbedtls_ssl_read(&((upd__tls *)c->tls)->ssl, buf, cap);
        if (k == MBEDTLS_ERR_SSL_WANT_READ || k == MBEDTLS_ERR_SSL_WANT_WRITE) {
            if ((r = upd__hc_wait(c, k == MBEDTLS_ERR_SSL_WANT_READ ? POLLIN : POLLOUT)) != UPD_OK) return r;
            continue;
        }
        if (k == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) k = 0;
        if (k < 0) UPD__HC_FAIL(UPD_E_TLS, "TLS: reading from %s failed", c->what);
        *got = (size_t)k;
        return UPD_OK;
    }
#endif
    for (;;) {
        ssize_t k = upd__hc_rawrecv(c, buf, cap);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if ((r = upd__hc_wait(c, POLLIN)) != UPD_OK) return r;
            continue;
        }
        if (k < 0) UPD__HC_FAIL(UPD_E_IO, "reading from %s: %s", c->what, strerror(errno));
        *got = (size_t)k;
        return UPD_OK;
    }
}

/* Connects to host:port, trying every address in turn. */
static upd_result upd__hc_connect(upd__hconn *c, const char *host, const char *port)
{
    upd_http_result *res = c->res;
    struct addrinfo hints, *ai = NULL, *a;
    int err, last = 0, to = c->o->connect_timeout_ms > 0 ? c->o->connect_timeout_ms : 10000, timedout = 0;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if ((err = getaddrinfo(host, port, &hints, &ai)) != 0)
        UPD__HC_FAIL(UPD_E_RESOLVE, "cannot resolve %s (%s)", host, gai_strerror(err));
    for (a = ai; a; a = a->ai_next) {
#if defined(SOCK_NONBLOCK) && defined(SOCK_CLOEXEC)
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
        if (fd < 0) { last = errno; continue; }
#else
        int fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd < 0) { last = errno; continue; }
        if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0 || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
            last = errno; close(fd); continue;
        }
#endif
#ifdef SO_NOSIGPIPE
        { int one = 1; setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one); }
#endif
        if (connect(fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) { last = errno; close(fd); continue; }
        {
            struct pollfd pfd;
            int k, soerr = 0;
            socklen_t sl = sizeof soerr;
            int64_t t = to;
            if (c->deadline && c->deadline - upd__now_ms() < t) t = c->deadline - upd__now_ms();
            pfd.fd = fd; pfd.events = POLLOUT; pfd.revents = 0;
            for (;;) { /* in quarter seconds when it can be canceled */
                int64_t step = c->o->cancel && t > 250 ? 250 : t;
                k = poll(&pfd, 1, step < 0 ? 0 : (int)step);
                if (upd__canceled(c->o)) { close(fd); freeaddrinfo(ai); UPD__HC_FAIL(UPD_E_CANCELED, "connecting to %s canceled", c->what); }
                if (k < 0 && errno == EINTR) continue;
                if (k != 0 || (t -= step) <= 0) break;
            }
            if (k == 0) { timedout = 1; last = ETIMEDOUT; close(fd); continue; }
            if (k < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr != 0) {
                last = soerr ? soerr : errno;
                close(fd);
                continue;
            }
        }
        freeaddrinfo(ai);
        c->fd = fd;
        c->win_start = upd__now_ms();
        c->win_bytes = 0;
        return UPD_OK;
    }
    freeaddrinfo(ai);
    if (timedout && last == ETIMEDOUT)
        UPD__HC_FAIL(UPD_E_TIMEOUT, "cannot connect to %s:%s (timed out after %d s)", host, port, to / 1000);
    UPD__HC_FAIL(UPD_E_CONNECT, "cannot connect to %s:%s (%s)", host, port, strerror(last ? last : ECONNREFUSED));
}

/* no_proxy as curl reads it: "*", or comma-separated names matched as the
   host itself or a domain suffix (a leading dot optional), IP literals
   exactly; entries are compared with the host name alone, so one that
   carries a ":port" matches nothing (as in curl 7.88). */
static int upd__no_proxy(const char *np, const char *host)
{
    size_t hl = strlen(host);
    while (np && *np) {
        const char *e = np + strcspn(np, ",");
        const char *s = np, *t = e;
        size_t n;
        while (s < t && (*s == ' ' || *s == '\t')) s++;
        while (t > s && (t[-1] == ' ' || t[-1] == '\t')) t--;
        if (t - s == 1 && *s == '*') return 1;
        if (s < t && *s == '.') s++;
        n = (size_t)(t - s);
        if (strspn(host, "0123456789.") == hl || strchr(host, ':')) { /* an IP address: only itself */
            if (n == hl && strncmp(host, s, n) == 0) return 1;
            np = *e ? e + 1 : e;
            continue;
        }
        if (n && n <= hl) {
            size_t i;
            int same = 1;
            for (i = 0; i < n && same; i++) {
                char x = host[hl - n + i], y = s[i];
                if (x >= 'A' && x <= 'Z') x = (char)(x + 32);
                if (y >= 'A' && y <= 'Z') y = (char)(y + 32);
                same = x == y;
            }
            if (same && (n == hl || host[hl - n - 1] == '.')) return 1;
        }
        np = *e ? e + 1 : e;
    }
    return 0;
}

/* The proxy for u: o->proxy, else the environment; NULL for none. */
static const char *upd__proxy_for(const upd_http_opts *o, const upd__hurl *u)
{
    const char *p, *np;
    if (o->proxy) return o->proxy[0] ? o->proxy : NULL;
    np = getenv("no_proxy");
    if (!np) np = getenv("NO_PROXY");
    if (np && upd__no_proxy(np, u->host)) return NULL;
    if (u->scheme == 1) { p = getenv("https_proxy"); if (!p) p = getenv("HTTPS_PROXY"); }
    else p = getenv("http_proxy"); /* not HTTP_PROXY: CGI sets that from a request header */
    return p && *p ? p : NULL;
}

typedef struct upd__hget {
    const upd_http_opts *o;
    upd_http_result *res;
    upd__hurl *u;
    upd_http_parser *p;
    int redirect;             /* the response is a redirect: stop reading */
    int started;
} upd__hget;

#define UPD__H_STOP ((upd_result)100) /* private: stop reading this response */

static upd_result upd__hget_headers(void *user, upd_http_parser *p)
{
    upd__hget *g = (upd__hget *)user;
    upd_http_result *res = g->res;
    const upd_http_opts *o = g->o;
    res->status = p->status;
    res->retry_after = p->retry_after;
    snprintf(res->etag, sizeof res->etag, "%s", p->etag);
    snprintf(res->last_modified, sizeof res->last_modified, "%s", p->last_modified);
    if ((p->status == 301 || p->status == 302 || p->status == 303 || p->status == 307 || p->status == 308) &&
        p->location[0]) {
        g->redirect = 1;
        return UPD__H_STOP;
    }
    if (p->status == 304) return UPD_OK;
    if (p->status < 200 || p->status > 299)
        UPD__HC_FAIL(UPD_E_HTTP_STATUS, "HTTP %d for %s", p->status, res->url);
    res->length = p->status == 204 ? 0 : p->length;
    res->total = res->length;
    res->resumed = 0;
    if (p->status == 206) {
        unsigned long long a, b, total = 0;
        char star = 0;
        int n = sscanf(p->content_range, "bytes %llu-%llu/%llu", &a, &b, &total);
        if (n < 2 && sscanf(p->content_range, "bytes %llu-%llu/%c", &a, &b, &star) != 3)
            UPD__HC_FAIL(UPD_E_RANGE, "206 without a usable Content-Range from %s", res->url);
        if (o->range_from == 0 || a != o->range_from || b < a || (n == 3 && b + 1 != total) ||
            (p->length != UINT64_MAX && p->length != b - a + 1))
            UPD__HC_FAIL(UPD_E_RANGE, "the server answered with the wrong range (%.128s, asked for bytes %llu-) for %s",
                         p->content_range, (unsigned long long)o->range_from, res->url);
        res->resumed = 1;
        res->length = b - a + 1;
        res->total = n == 3 ? total : UINT64_MAX;
    }
    if (o->max_body && res->length != UINT64_MAX && res->length > o->max_body)
        UPD__HC_FAIL(UPD_E_TOOBIG, "body larger than %llu bytes (%llu announced) from %s",
                     (unsigned long long)o->max_body, (unsigned long long)res->length, res->url);
    g->started = 1;
    if (o->on_start) {
        upd_result r = o->on_start(o->user, res);
        if (r != UPD_OK) UPD__HC_FAIL(r, "download refused by the caller (%s)", upd_strerror(r));
    }
    return UPD_OK;
}

static upd_result upd__hget_body(void *user, const uint8_t *data, size_t len)
{
    upd__hget *g = (upd__hget *)user;
    upd_http_result *res = g->res;
    const upd_http_opts *o = g->o;
    upd_result r;
    if (!g->started) return UPD_OK; /* a 304's or 1xx's stray bytes: none expected */
    if (o->max_body && res->received + len > o->max_body)
        UPD__HC_FAIL(UPD_E_TOOBIG, "body larger than %llu bytes from %s", (unsigned long long)o->max_body, res->url);
    if (o->on_body && (r = o->on_body(o->user, data, len)) != UPD_OK)
        UPD__HC_FAIL(r, "download stopped by the caller (%s)", upd_strerror(r));
    res->received += len;
    if (o->on_progress && (r = o->on_progress(o->user, res->received, res->length)) != UPD_OK)
        UPD__HC_FAIL(r == UPD_E_CANCELED ? r : UPD_E_CANCELED, "download canceled");
    return UPD_OK;
}

/* file:// — a local file, with the same callbacks (resume included). */
static upd_result upd__file_get(const upd__hurl *u, const upd_http_opts *o, upd_http_result *res)
{
    static const size_t chunk = 16384;
    uint8_t buf[16384];
    struct stat st;
    upd__hget g;
    upd_result r;
    int fd = open(u->target, O_RDONLY | O_CLOEXEC);
    if (fd < 0) UPD__HC_FAIL(UPD_E_IO, "%s: %s", u->target, strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) { close(fd); UPD__HC_FAIL(UPD_E_IO, "%s: not a regular file", u->target); }
    memset(&g, 0, sizeof g);
    g.o = o; g.res = res;
    res->status = 200;
    res->length = res->total = (uint64_t)st.st_size;
    if (o->range_from > 0 && o->range_from <= (uint64_t)st.st_size) {
        if (lseek(fd, (off_t)o->range_from, SEEK_SET) < 0) { close(fd); UPD__HC_FAIL(UPD_E_IO, "%s: %s", u->target, strerror(errno)); }
        res->status = 206;
        res->resumed = 1;
        res->length = (uint64_t)st.st_size - o->range_from;
    }
    if (o->max_body && res->length > o->max_body) {
        close(fd);
        UPD__HC_FAIL(UPD_E_TOOBIG, "body larger than %llu bytes (%llu) from %s", (unsigned long long)o->max_body,
                     (unsigned long long)res->length, res->url);
    }
    g.started = 1;
    if (o->on_start && (r = o->on_start(o->user, res)) != UPD_OK) { close(fd); UPD__HC_FAIL(r, "download refused by the caller"); }
    for (;;) {
        ssize_t n = read(fd, buf, chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) { close(fd); UPD__HC_FAIL(UPD_E_IO, "%s: %s", u->target, strerror(errno)); }
        if (n == 0) break;
        if ((r = upd__hget_body(&g, buf, (size_t)n)) != UPD_OK) { close(fd); return r; }
    }
    close(fd);
    return UPD_OK;
}

/* Appends "Authorization: Basic ..." style credentials (RFC 7617). */
static int upd__basic(char *out, size_t cap, const char *field, const char *user, const char *pass)
{
    char plain[520], b64[704];
    int n = snprintf(plain, sizeof plain, "%s:%s", user, pass);
    if (n < 0 || (size_t)n >= sizeof plain) return -1;
    upd__b64_encode((const uint8_t *)plain, (size_t)n, b64);
    n = snprintf(out, cap, "%s: Basic %s\r\n", field, b64);
    memset(plain, 0, sizeof plain);
    return n < 0 || (size_t)n >= cap ? -1 : n;
}

/* One request and its response; sets g->redirect for a redirect. */
static void upd__hc_close(upd__hconn *c)
{
#ifdef UPDATER_USE_MBEDTLS
    if (c->tls) {
        (void)mbedtls_ssl_close_notify(&((upd__tls *)c->tls)->ssl); /* best effort, never waits */
        upd__tls_free(c);
    }
#endif
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
}

#ifdef UPDATER_USE_MBEDTLS
/* CONNECT through an http proxy to u's host and port (RFC 9110 9.3.6). */
static upd_result upd__hc_tunnel(upd__hconn *c, upd_http_parser *p, const upd__hurl *u, const upd__hurl *px)
{
    upd_http_result *res = c->res;
    char req[1200];
    uint8_t buf[4096];
    int n;
    upd_result r;
    const char *h6 = strchr(u->host, ':') ? "[" : "", *h6e = *h6 ? "]" : "";
    n = snprintf(req, sizeof req, "CONNECT %s%s%s:%s HTTP/1.1\r\nHost: %s%s%s:%s\r\n", h6, u->host, h6e, u->port,
                 h6, u->host, h6e, u->port);
    if (px->user[0] || px->pass[0]) {
        int k = upd__basic(req + n, sizeof req - (size_t)n, "Proxy-Authorization", px->user, px->pass);
        if (k < 0) UPD__HC_FAIL(UPD_E_TOOBIG, "proxy credentials too long");
        n += k;
    }
    if ((size_t)n + 3 > sizeof req) UPD__HC_FAIL(UPD_E_TOOBIG, "CONNECT request too long");
    memcpy(req + n, "\r\n", 3);
    if ((r = upd__hc_send(c, req, (size_t)n + 2)) != UPD_OK) return r;
    upd_http_parser_init(p);
    p->_no_body = 1; /* a 2xx to CONNECT has no body: the tunnel follows */
    for (;;) {
        size_t got, used;
        if ((r = upd__hc_recv(c, buf, sizeof buf, &got)) != UPD_OK) return r;
        if (got == 0) UPD__HC_FAIL(UPD_E_CONNECT, "the proxy %s closed the connection during CONNECT", c->what);
        r = upd_http_parser_feed(p, buf, got, &used);
        if (r == UPD_NEED_INPUT) continue;
        if (r != UPD_OK) UPD__HC_FAIL(r, "bad answer from the proxy %s to CONNECT: %s", c->what, p->why);
        if (p->status < 200 || p->status > 299) /* (its body, an error page, is not read) */
            UPD__HC_FAIL(UPD_E_CONNECT, "the proxy %s refused to connect to %s (HTTP %d)", c->what, u->hostport, p->status);
        if (used != got) UPD__HC_FAIL(UPD_E_HTTP, "the proxy %s sent data before the tunnel was used", c->what);
        return UPD_OK;
    }
}
#endif

static upd_result upd__http_once(upd__hget *g, int64_t deadline)
{
    const upd_http_opts *o = g->o;
    upd_http_result *res = g->res;
    const upd__hurl *u = g->u;
    upd__hurl px;
    upd__hconn c;
    const char *proxy = upd__proxy_for(o, u), *why = "";
    char *req;
    size_t cap = 2 * UPDATER_MAX_URL + 4096, n = 0, rcap = UPD__HC_RBUF;
    uint8_t buf[1024], *rbuf;
    upd_result r;
    memset(&c, 0, sizeof c);
    c.fd = -1; c.o = o; c.res = res; c.deadline = deadline;
#ifndef UPDATER_USE_MBEDTLS
    if (u->scheme == 1) UPD__HC_FAIL(UPD_E_NO_TLS, "cannot fetch %s: built without TLS (define UPDATER_USE_MBEDTLS)", res->url);
#endif
    if (proxy && (upd__hurl_parse(strstr(proxy, "://") ? proxy : "", &px, &why) != 0 || px.scheme != 0)) {
        /* "host:port" without a scheme means http:// as curl takes it */
        char tmp[UPDATER_MAX_URL + 8];
        snprintf(tmp, sizeof tmp, "http://%s", proxy);
        if (strstr(proxy, "://") || upd__hurl_parse(tmp, &px, &why) != 0)
            UPD__HC_FAIL(UPD_E_URL, "bad proxy '%s': %s", proxy, strstr(proxy, "://") && px.scheme != 0 ? "only http:// proxies" : why);
    }
    if (proxy && strcmp(px.port, "80") == 0 && !strstr(proxy, ":80")) memcpy(px.port, "1080", 5); /* curl's default proxy port */
    c.what = proxy ? px.hostport : u->hostport;
    if ((r = upd__hc_connect(&c, proxy ? px.host : u->host, proxy ? px.port : u->port)) != UPD_OK) return r;
#ifdef UPDATER_USE_MBEDTLS
    if (u->scheme == 1) {
        if (proxy && (r = upd__hc_tunnel(&c, g->p, u, &px)) != UPD_OK) { upd__hc_close(&c); return r; }
        c.what = u->hostport;
        if ((r = upd__tls_start(&c, u->host, o->cacert)) != UPD_OK) { upd__hc_close(&c); return r; }
    }
#endif
    req = (char *)UPDATER_MALLOC(NULL, cap);
    if (!req) { upd__hc_close(&c); UPD__HC_FAIL(UPD_E_NOMEM, "out of memory"); }
#define UPD__REQ(...) do { int k_ = snprintf(req + n, cap - n, __VA_ARGS__); \
        if (k_ < 0 || (size_t)k_ >= cap - n) { r = UPD_E_TOOBIG; goto req_fail; } n += (size_t)k_; } while (0)
    if (proxy && u->scheme == 0) UPD__REQ("GET http://%s%s HTTP/1.1\r\n", u->hostport, u->target);
    else UPD__REQ("GET %s HTTP/1.1\r\n", u->target);
    UPD__REQ("Host: %s\r\nUser-Agent: %s\r\nAccept-Encoding: identity\r\nConnection: close\r\n", u->hostport,
             o->user_agent ? o->user_agent : "updater.h/" UPDATER_VERSION_STRING);
    if (u->user[0] || u->pass[0]) {
        int k = upd__basic(req + n, cap - n, "Authorization", u->user, u->pass);
        if (k < 0) { r = UPD_E_TOOBIG; goto req_fail; }
        n += (size_t)k;
    }
    if (proxy && u->scheme == 0 && (px.user[0] || px.pass[0])) {
        int k = upd__basic(req + n, cap - n, "Proxy-Authorization", px.user, px.pass);
        if (k < 0) { r = UPD_E_TOOBIG; goto req_fail; }
        n += (size_t)k;
    }
    if (o->range_from) {
        UPD__REQ("Range: bytes=%llu-\r\n", (unsigned long long)o->range_from);
        if (o->if_range && *o->if_range) UPD__REQ("If-Range: %s\r\n", o->if_range);
    }
    if (o->if_none_match && *o->if_none_match) UPD__REQ("If-None-Match: %s\r\n", o->if_none_match);
    if (o->if_modified_since && *o->if_modified_since) UPD__REQ("If-Modified-Since: %s\r\n", o->if_modified_since);
    if (o->headers) {
        size_t i;
        for (i = 0; o->headers[i]; i++) UPD__REQ("%s\r\n", o->headers[i]);
    }
    UPD__REQ("\r\n");
#undef UPD__REQ
    r = upd__hc_send(&c, req, n);
    UPDATER_FREE(NULL, req);
    if (r != UPD_OK) { upd__hc_close(&c); return r; }
    upd_http_parser_init(g->p);
    g->p->on_body = upd__hget_body;
    g->p->on_headers = upd__hget_headers;
    g->p->user = g;
    rbuf = (uint8_t *)UPDATER_MALLOC(NULL, UPD__HC_RBUF); /* big reads: fewer system calls */
    if (!rbuf) { rbuf = buf; rcap = sizeof buf; }
    for (;;) {
        size_t got = 0, used;
        if ((r = upd__hc_recv(&c, rbuf, rcap, &got)) != UPD_OK) break;
        if (got == 0) {
            r = upd_http_parser_eof(g->p);
            if (r != UPD_OK) upd__herr(res, "%s: %s", res->url, g->p->why);
            break;
        }
        r = upd_http_parser_feed(g->p, rbuf, got, &used);
        if (r == UPD_NEED_INPUT) continue;
        if (r == UPD__H_STOP) r = UPD_OK;
        else if (r < 0 && !res->error[0]) upd__herr(res, "%s: %s", res->url, g->p->why);
        break; /* complete (anything after it is ignored: we asked to close), or an error */
    }
    if (rbuf != buf) UPDATER_FREE(NULL, rbuf);
    upd__hc_close(&c);
    return r;
req_fail:
    UPDATER_FREE(NULL, req);
    upd__hc_close(&c);
    UPD__HC_FAIL(r, r == UPD_E_ARG ? "a request header value holds a line break or no ':'" : "request too long");
}

UPDDEF upd_result upd_http_get(const char *url, const upd_http_opts *o, upd_http_result *res)
{
    upd_http_opts defaults;
    upd__hurl *u;
    upd_http_parser *p;
    upd__hget g;
    const char *why = "", *vals[4];
    char user[256], pass[256], origin[300];
    int64_t deadline;
    int max_redirects;
    size_t i;
    upd_result r = UPD_OK;
    UPDATER_ASSERT(url != NULL && res != NULL);
    if (!o) {
        memset(&defaults, 0, sizeof defaults);
        o = &defaults;
    }
    memset(res, 0, sizeof *res);
    res->length = res->total = UINT64_MAX;
    res->retry_after = -1;
    /* no CR or LF in a caller's header value: no header injection */
    vals[0] = o->if_range; vals[1] = o->if_none_match; vals[2] = o->if_modified_since; vals[3] = o->user_agent;
    for (i = 0; i < 4; i++)
        if (vals[i] && strpbrk(vals[i], "\r\n")) UPD__HC_FAIL(UPD_E_ARG, "a request header value holds a line break");
    for (i = 0; o->headers && o->headers[i]; i++)
        if (strpbrk(o->headers[i], "\r\n") || !strchr(o->headers[i], ':'))
            UPD__HC_FAIL(UPD_E_ARG, "extra header '%.200s' is not one 'Name: value' line", o->headers[i]);
    deadline = o->deadline_ms > 0 ? upd__now_ms() + o->deadline_ms : 0;
    max_redirects = o->max_redirects == 0 ? 5 : o->max_redirects < 0 ? 0 : o->max_redirects;
    if (strlen(url) > UPDATER_MAX_URL) UPD__HC_FAIL(UPD_E_URL, "URL too long");
    memcpy(res->url, url, strlen(url) + 1);
    u = (upd__hurl *)UPDATER_MALLOC(NULL, sizeof *u);
    p = (upd_http_parser *)UPDATER_MALLOC(NULL, sizeof *p);
    if (!u || !p) {
        if (u) UPDATER_FREE(NULL, u);
        if (p) UPDATER_FREE(NULL, p);
        UPD__HC_FAIL(UPD_E_NOMEM, "out of memory");
    }
    user[0] = pass[0] = origin[0] = 0;
    for (;;) {
        char next[UPDATER_MAX_URL + 1];
        if (upd__hurl_parse(res->url, u, &why) != 0) {
            upd__herr(res, "bad URL %s: %s", res->url, why);
            r = UPD_E_URL;
            break;
        }
        if (u->scheme == 2) {
            if (res->redirects) { upd__herr(res, "redirect to a file URL refused"); r = UPD_E_REDIRECT; break; }
            r = upd__file_get(u, o, res);
            break;
        }
        /* credentials from the first URL, for its origin only; res->url
           (used for messages and to resolve redirects) never shows them */
        if (res->redirects == 0) {
            memcpy(user, u->user, sizeof user);
            memcpy(pass, u->pass, sizeof pass);
            snprintf(origin, sizeof origin, "%d %s", u->scheme, u->hostport);
            if (user[0] || pass[0]) { /* (a longer URL than before cannot result) */
                size_t hl = strlen(u->hostport), tl = strlen(u->target), sl = u->scheme ? 5 : 4;
                memcpy(res->url, u->scheme ? "https://" : "http://", sl + 3);
                memcpy(res->url + sl + 3, u->hostport, hl);
                memcpy(res->url + sl + 3 + hl, u->target, tl + 1);
            }
        } else {
            char here[300];
            snprintf(here, sizeof here, "%d %s", u->scheme, u->hostport);
            if (strcmp(here, origin) == 0) {
                memcpy(u->user, user, sizeof user);
                memcpy(u->pass, pass, sizeof pass);
            }
        }
        memset(&g, 0, sizeof g);
        g.o = o; g.res = res; g.u = u; g.p = p;
        r = upd__http_once(&g, deadline);
        if (r != UPD_OK || !g.redirect) break;
        /* a redirect: resolve, check, go again */
        if (res->redirects >= max_redirects) {
            upd__herr(res, "too many redirects (%d) from %s", res->redirects, url);
            r = UPD_E_REDIRECT;
            break;
        }
        if (upd_url_resolve(res->url, p->location, next, sizeof next, &why) != UPD_OK) {
            upd__herr(res, "redirect from %s to '%.512s' refused: %s", res->url, p->location, why);
            r = UPD_E_REDIRECT;
            break;
        }
        if (u->scheme == 1 && strncmp(next, "http:", 5) == 0) {
            upd__herr(res, "redirect from https to http refused (%s)", next);
            r = UPD_E_REDIRECT;
            break;
        }
        memcpy(res->url, next, strlen(next) + 1);
        res->redirects++;
        res->status = 0;
    }
    memset(user, 0, sizeof user);
    memset(pass, 0, sizeof pass);
    memset(u, 0, sizeof *u);
    UPDATER_FREE(NULL, u);
    UPDATER_FREE(NULL, p);
    return r;
}

#endif /* UPDATER_NO_HTTP */

#if !defined(UPDATER_NO_ENGINE)
/* ==== >>delta ============================================================ */
/* Tree listings and UPDDIFF1 patches (docs/delta.md). */

/* err gets the message; returns r */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 4, 5)))
#endif
static upd_result upd__ferr(char *err, size_t cap, upd_result r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
    return r;
}

/* 1 if the normalized path is, or lies under, a reserved top-level name
   (.updater-tree, .updater-delete, .updater-patch: whole components only) */
static int upd__tree_reserved(const char *p)
{
    static const char *const names[3] = {".updater-tree", ".updater-delete", ".updater-patch"};
    size_t i, n = strcspn(p, "/");
    for (i = 0; i < 3; i++)
        if (n == strlen(names[i]) && memcmp(p, names[i], n) == 0) return 1;
    return 0;
}

/* %XX for the bytes a record cannot hold as they are */
static int upd__tree_plain(unsigned char c)
{
    return c > 0x20 && c != 0x25 && c != 0x7f;
}

static size_t upd__tree_put(char *out, size_t cap, size_t at, const char *s)
{
    static const char hx[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (upd__tree_plain(c)) {
            if (at + 1 >= cap) return 0;
            out[at++] = (char)c;
        } else {
            if (at + 3 >= cap) return 0;
            out[at++] = '%';
            out[at++] = hx[c >> 4];
            out[at++] = hx[c & 15];
        }
    }
    return at;
}

UPDDEF size_t upd_tree_record(char *out, size_t cap, int type, unsigned mode, uint64_t size,
                              const uint8_t sha256[32], const char *path, const char *target)
{
    size_t at;
    int n;
    if (!out || !path || !*path || strchr(path, '\\')) return 0; /* (no backslash: the extractor refuses it) */
    if (type == UPD_TREE_FILE && sha256) {
        char hex[65];
        upd_hex_encode(sha256, 32, hex);
        n = snprintf(out, cap, "f %04o %llu %s ", mode & 0755u, (unsigned long long)size, hex);
    } else if (type == UPD_TREE_DIR) {
        n = snprintf(out, cap, "d %04o ", mode & 0755u);
    } else if (type == UPD_TREE_LINK && target && *target) {
        n = snprintf(out, cap, "l ");
    } else {
        return 0;
    }
    if (n < 0 || (size_t)n >= cap) return 0;
    if (!(at = upd__tree_put(out, cap, (size_t)n, path))) return 0;
    if (type == UPD_TREE_LINK) {
        if (at + 1 >= cap) return 0;
        out[at++] = ' ';
        if (!(at = upd__tree_put(out, cap, at, target))) return 0;
    }
    if (at + 1 >= cap) return 0;
    out[at++] = '\n';
    out[at] = 0;
    return at;
}

/* undoes %XX in place; 0 on a bad escape or an escaped byte that needed none */
static int upd__tree_unescape(char *s)
{
    char *w = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '%') {
            int hi = s[1] >= '0' && s[1] <= '9' ? s[1] - '0' : s[1] >= 'A' && s[1] <= 'F' ? s[1] - 'A' + 10 : -1;
            int lo = hi < 0 ? -1 : s[2] >= '0' && s[2] <= '9' ? s[2] - '0' : s[2] >= 'A' && s[2] <= 'F' ? s[2] - 'A' + 10 : -1;
            if (lo < 0) return 0;
            c = (unsigned char)(hi * 16 + lo);
            if (c == 0 || upd__tree_plain(c)) return 0;
            *w++ = (char)c;
            s += 2;
        } else {
            if (!upd__tree_plain(c)) return 0;
            *w++ = (char)c;
        }
    }
    *w = 0;
    return 1;
}

/* Opens path's parent under dfd without following anything; *leaf is its
   last component. -1 with errno if a component is missing or not a
   directory (a symlink included). Returns dfd itself for top-level names. */
static int upd__open_parent(int dfd, char *path, const char **leaf)
{
    char *c = path, *s;
    int fd = dfd;
    for (;;) {
        int nfd;
        s = strchr(c, '/');
        if (!s) break;
        *s = 0;
        nfd = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        *s = '/';
        if (fd != dfd) close(fd);
        if (nfd < 0) return -1;
        fd = nfd;
        c = s + 1;
    }
    *leaf = c;
    return fd;
}

/* SHA-256 of what remains of fd (read), and the byte count */
static int upd__hash_fd(int fd, uint8_t *buf, size_t cap, uint8_t out[32], uint64_t *n)
{
    upd_sha256_ctx h;
    upd_sha256_init(&h);
    *n = 0;
    for (;;) {
        ssize_t k = read(fd, buf, cap);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) return -1;
        if (k == 0) break;
        upd_sha256_update(&h, buf, (size_t)k);
        *n += (uint64_t)k;
    }
    upd_sha256_final(&h, out);
    return 0;
}

#define UPD__TREE_LINE (UPDATER_MAX_PATH * 6 + 128)
#define UPD__TREE_BUF 65536

/* one record against the tree; 0 or an error with err set */
static upd_result upd__tree_check(int dirfd, char *line, char *prev, uint8_t *buf, char *err, size_t errcap)
{
    char type = line[0], *f[6], *p = line + 1, clean[UPDATER_MAX_PATH + 1], tgt[UPDATER_MAX_PATH + 1];
    const char *why = "", *leaf;
    size_t nf = 0, want = type == 'f' ? 4 : 2, plen;
    unsigned mode = 0;
    uint64_t size = 0;
    uint8_t sha[32];
    struct stat st;
    int pfd, k;
    if ((type != 'f' && type != 'd' && type != 'l') || *p != ' ')
        return upd__ferr(err, errcap, UPD_E_TREE, "tree listing: bad record '%.80s'", line);
    while (*p == ' ' && nf < 6) { /* fields: one space apart, never empty */
        *p++ = 0;
        f[nf++] = p;
        while (*p && *p != ' ') p++;
        if (p == f[nf - 1]) break;
    }
    if (nf != want || *p || !*f[nf - 1])
        return upd__ferr(err, errcap, UPD_E_TREE, "tree listing: bad record '%.80s'", f[0]);
    if (type != 'l') {
        const char *m = f[0];
        if (strlen(m) != 4 || m[0] != '0') return upd__ferr(err, errcap, UPD_E_TREE, "tree listing: bad mode '%.20s'", m);
        for (k = 1; k < 4; k++) {
            if (m[k] < '0' || m[k] > '7') return upd__ferr(err, errcap, UPD_E_TREE, "tree listing: bad mode '%.20s'", m);
            mode = mode * 8 + (unsigned)(m[k] - '0');
        }
        if (mode & ~0755u) return upd__ferr(err, errcap, UPD_E_TREE, "tree listing: mode %s has bits the engine never installs", m);
    }
    if (type == 'f') {
        const char *s = f[1];
        if (!*s || (s[0] == '0' && s[1]) || strlen(s) > 19) return upd__ferr(err, errcap, UPD_E_TREE, "tree listing: bad size '%.30s'", s);
        for (; *s; s++) {
            if (*s < '0' || *s > '9') return upd__ferr(err, errcap, UPD_E_TREE, "tree listing: bad size '%.30s'", f[1]);
            size = size * 10 + (uint64_t)(*s - '0');
        }
        if (strlen(f[2]) != 64 || upd_hex_decode(f[2], sha, 32) != UPD_OK) return upd__ferr(err, errcap, UPD_E_TREE, "tree listing: bad SHA-256");
        for (s = f[2]; *s; s++)
            if (*s >= 'A' && *s <= 'F') return upd__ferr(err, errcap, UPD_E_TREE, "tree listing: upper-case hex");
    }
    {
        char *path = f[type == 'f' ? 3 : type == 'd' ? 1 : 0];
        if (!upd__tree_unescape(path) || strlen(path) > UPDATER_MAX_PATH || upd__untar_clean(path, clean, &why) <= 0 ||
            strcmp(clean, path) != 0)
            return upd__ferr(err, errcap, UPD_E_TREE, "tree listing: bad path '%.200s'", path);
        if (upd__tree_reserved(clean))
            return upd__ferr(err, errcap, UPD_E_TREE, "tree listing: reserved name '%.200s'", clean);
        plen = strlen(clean);
        if (prev[0] && strcmp(prev, clean) >= 0)
            return upd__ferr(err, errcap, UPD_E_TREE, "tree listing: '%.200s' out of order", clean);
        memcpy(prev, clean, plen + 1);
    }
    if (type == 'l') {
        if (!upd__tree_unescape(f[1]) || strlen(f[1]) > UPDATER_MAX_PATH || !f[1][0])
            return upd__ferr(err, errcap, UPD_E_TREE, "tree listing: bad link target for '%.200s'", clean);
        memcpy(tgt, f[1], strlen(f[1]) + 1);
    }
    if ((pfd = upd__open_parent(dirfd, clean, &leaf)) < 0)
        return upd__ferr(err, errcap, UPD_E_TREE, "%.200s: %s in the staged tree", clean, errno == ENOENT ? "missing" : "its directory is not one");
    if (type == 'f') {
        uint8_t got[32];
        uint64_t n = 0;
        int fd = openat(pfd, leaf, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        upd_result r = UPD_OK;
        if (fd < 0) {
            r = UPD_E_TREE;
            snprintf(err, errcap, "%.200s: %s in the staged tree", clean, errno == ENOENT ? "missing" : errno == ELOOP ? "a symlink, not a file," : strerror(errno));
        } else if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
            r = UPD_E_TREE;
            snprintf(err, errcap, "%.200s: not a regular file in the staged tree", clean);
        } else if ((st.st_mode & 07777u) != mode) {
            r = UPD_E_TREE;
            snprintf(err, errcap, "%.200s: mode %04o, the release has %04o", clean, (unsigned)(st.st_mode & 07777u), mode);
        } else if ((uint64_t)st.st_size != size) {
            r = UPD_E_TREE;
            snprintf(err, errcap, "%.200s: %llu bytes, the release has %llu (modified, or a bad patch)", clean,
                     (unsigned long long)st.st_size, (unsigned long long)size);
        } else if (upd__hash_fd(fd, buf, UPD__TREE_BUF, got, &n) != 0) {
            r = UPD_E_IO;
            snprintf(err, errcap, "%.200s: %s", clean, strerror(errno));
        } else if (n != size || memcmp(got, sha, 32) != 0) {
            r = UPD_E_TREE;
            snprintf(err, errcap, "%.200s: content differs from the release (modified, or a bad patch)", clean);
        }
        if (fd >= 0) close(fd);
        if (pfd != dirfd) close(pfd);
        return r;
    }
    if (fstatat(pfd, leaf, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        int err2 = errno;
        if (pfd != dirfd) close(pfd);
        return upd__ferr(err, errcap, UPD_E_TREE, "%.200s: %s in the staged tree", clean, err2 == ENOENT ? "missing" : strerror(err2));
    }
    if (type == 'd') {
        if (pfd != dirfd) close(pfd);
        if (!S_ISDIR(st.st_mode)) return upd__ferr(err, errcap, UPD_E_TREE, "%.200s: not a directory in the staged tree", clean);
        if ((st.st_mode & 07777u) != mode)
            return upd__ferr(err, errcap, UPD_E_TREE, "%.200s: mode %04o, the release has %04o", clean, (unsigned)(st.st_mode & 07777u), mode);
        return UPD_OK;
    }
    {
        char got[UPDATER_MAX_PATH + 1];
        ssize_t k2 = S_ISLNK(st.st_mode) ? readlinkat(pfd, leaf, got, sizeof got) : -1;
        if (pfd != dirfd) close(pfd);
        if (k2 < 0 || (size_t)k2 >= sizeof got) return upd__ferr(err, errcap, UPD_E_TREE, "%.200s: not a symlink in the staged tree", clean);
        got[k2] = 0;
        if (strcmp(got, tgt) != 0) return upd__ferr(err, errcap, UPD_E_TREE, "%.200s: links to '%.200s', the release to '%.200s'", clean, got, tgt);
    }
    return UPD_OK;
}

UPDDEF upd_result upd_tree_verify(int dirfd, int listing_fd, const uint8_t *want,
                                  uint8_t tree_out[32], char *err, size_t errcap)
{
    upd_sha256_ctx h;
    char *line, *prev;
    uint8_t *buf, got[32];
    size_t have = 0;
    upd_result r = UPD_OK;
    int eof = 0;
    char dummy[1];
    if (!err || !errcap) { err = dummy; errcap = sizeof dummy; }
    err[0] = 0;
    line = (char *)UPDATER_MALLOC(NULL, UPD__TREE_LINE + 1 + UPDATER_MAX_PATH + 1 + UPD__TREE_BUF);
    if (!line) return upd__ferr(err, errcap, UPD_E_NOMEM, "out of memory");
    prev = line + UPD__TREE_LINE + 1;
    buf = (uint8_t *)(prev + UPDATER_MAX_PATH + 1);
    prev[0] = 0;
    upd_sha256_init(&h);
    for (;;) { /* records one at a time: memory stays fixed however long the listing */
        char *nl = have ? (char *)memchr(line, '\n', have) : NULL;
        if (!nl) {
            ssize_t k;
            if (eof) {
                if (have) { r = UPD_E_TREE; snprintf(err, errcap, "tree listing: last record has no line end"); }
                break;
            }
            if (have >= UPD__TREE_LINE) { r = UPD_E_TREE; snprintf(err, errcap, "tree listing: record too long"); break; }
            k = read(listing_fd, line + have, UPD__TREE_LINE - have);
            if (k < 0 && errno == EINTR) continue;
            if (k < 0) { r = UPD_E_IO; snprintf(err, errcap, "tree listing: %s", strerror(errno)); break; }
            if (k == 0) eof = 1;
            upd_sha256_update(&h, line + have, (size_t)k);
            have += (size_t)k;
            continue;
        }
        *nl = 0;
        if (memchr(line, 0, (size_t)(nl - line))) { r = UPD_E_TREE; snprintf(err, errcap, "tree listing: NUL byte"); break; }
        if ((r = upd__tree_check(dirfd, line, prev, buf, err, errcap)) != UPD_OK) break;
        have -= (size_t)(nl + 1 - line);
        memmove(line, nl + 1, have);
    }
    upd_sha256_final(&h, got);
    UPDATER_FREE(NULL, line);
    if (r != UPD_OK) return r;
    if (tree_out) memcpy(tree_out, got, 32);
    if (want && memcmp(want, got, 32) != 0) {
        char a[65], b[65];
        upd_hex_encode(got, 32, a);
        upd_hex_encode(want, 32, b);
        snprintf(err, errcap, "tree listing hashes to %.16s..., the manifest's tree= is %.16s...", a, b);
        return UPD_E_TREE;
    }
    return UPD_OK;
}

/* ---- UPDDIFF1 ---------------------------------------------------------------- */
/* one gzip section of the patch, decoded on demand */
typedef struct upd__psec {
    upd_gunzip z;
    uint64_t off, end;        /* its bytes in the patch file still to read */
    size_t ipos, ilen;
    int done;                 /* the gzip data ended (UPD_OK)              */
    uint8_t in[8192];
} upd__psec;

typedef struct upd__patch {
    upd__psec sec[3];         /* control, diff, extra                      */
    uint8_t ctl[4096], a[32768], b[32768];
    size_t cpos, clen;
    int pfd;
} upd__patch;

static const char *const upd__psec_name[3] = {"control", "diff", "extra"};

/* up to cap decoded bytes of section s into out; *got 0 only at its end */
static upd_result upd__psec_read(upd__patch *p, int s, uint8_t *out, size_t cap, size_t *got, char *err, size_t errcap)
{
    upd__psec *c = &p->sec[s];
    *got = 0;
    while (*got < cap && !c->done) {
        size_t in_len, out_len = cap - *got;
        upd_result r;
        if (c->ipos == c->ilen && c->off < c->end) {
            size_t want = c->end - c->off < sizeof c->in ? (size_t)(c->end - c->off) : sizeof c->in;
            ssize_t k = pread(p->pfd, c->in, want, (off_t)c->off);
            if (k < 0 && errno == EINTR) continue;
            if (k <= 0) return upd__ferr(err, errcap, k < 0 ? UPD_E_IO : UPD_E_PATCH, "patch: %s", k < 0 ? strerror(errno) : "shorter than its header says");
            c->off += (uint64_t)k;
            c->ipos = 0;
            c->ilen = (size_t)k;
        }
        in_len = c->ilen - c->ipos;
        r = upd_gunzip_run(&c->z, c->in + c->ipos, &in_len, out + *got, &out_len, c->off == c->end);
        c->ipos += in_len;
        *got += out_len;
        if (r == UPD_OK) {
            c->done = 1;
            if (c->ipos != c->ilen || c->off != c->end)
                return upd__ferr(err, errcap, UPD_E_PATCH, "patch: bytes after the %s section's gzip data", upd__psec_name[s]);
        } else if (r < 0) {
            return upd__ferr(err, errcap, UPD_E_PATCH, "patch: %s section: %s", upd__psec_name[s], upd_strerror(r));
        } else if (r == UPD_NEED_INPUT && in_len == 0 && out_len == 0 && c->off == c->end && c->ipos == c->ilen) {
            return upd__ferr(err, errcap, UPD_E_PATCH, "patch: %s section: %s", upd__psec_name[s], upd_strerror(UPD_E_TRUNCATED));
        }
    }
    return UPD_OK;
}

/* exactly n bytes of section s */
static upd_result upd__psec_exact(upd__patch *p, int s, uint8_t *out, size_t n, char *err, size_t errcap)
{
    size_t got;
    upd_result r = upd__psec_read(p, s, out, n, &got, err, errcap);
    if (r == UPD_OK && got != n)
        return upd__ferr(err, errcap, UPD_E_PATCH, "patch: the %s section ends early", upd__psec_name[s]);
    return r;
}

/* one LEB128 number of the control section; 1 at the clean end of it */
static upd_result upd__patch_num(upd__patch *p, uint64_t *v, int first, char *err, size_t errcap)
{
    int shift = 0;
    *v = 0;
    for (;;) {
        uint8_t b;
        if (p->cpos == p->clen) {
            upd_result r = upd__psec_read(p, 0, p->ctl, sizeof p->ctl, &p->clen, err, errcap);
            p->cpos = 0;
            if (r != UPD_OK) return r;
            if (p->clen == 0) {
                if (first && shift == 0) return UPD_NO_UPDATE; /* (the end: no more triples) */
                return upd__ferr(err, errcap, UPD_E_PATCH, "patch: the control section ends inside a triple");
            }
        }
        b = p->ctl[p->cpos++];
        if (shift == 63 && (b & 0x7e)) return upd__ferr(err, errcap, UPD_E_PATCH, "patch: a control number over 2^63");
        *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) break;
        if ((shift += 7) > 63) return upd__ferr(err, errcap, UPD_E_PATCH, "patch: a control number over 10 bytes");
    }
    if (*v >> 63) return upd__ferr(err, errcap, UPD_E_PATCH, "patch: a control number over 2^63");
    return UPD_OK;
}

static int upd__write_fd(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* exactly n bytes at off; -1 (errno 0 at an early end) otherwise */
static int upd__pread_full(int fd, uint8_t *buf, size_t n, uint64_t off)
{
    while (n) {
        ssize_t k = pread(fd, buf, n, (off_t)off);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) { if (k == 0) errno = 0; return -1; }
        buf += k;
        n -= (size_t)k;
        off += (uint64_t)k;
    }
    return 0;
}

static uint64_t upd__le64(const uint8_t *p)
{
    uint64_t v = 0;
    int i;
    for (i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

UPDDEF upd_result upd_patch_apply(int old_fd, int patch_fd, int out_fd, char *err, size_t errcap)
{
    uint8_t hdr[UPD_PATCH_HEADER], digest[32];
    uint64_t oldn, newn, len[3], o = 0, n = 0;
    upd_sha256_ctx h;
    upd__patch *p;
    struct stat st;
    upd_result r = UPD_OK;
    ssize_t k;
    int s;
    char dummy[1];
    if (!err || !errcap) { err = dummy; errcap = sizeof dummy; }
    err[0] = 0;
    do k = pread(patch_fd, hdr, sizeof hdr, 0); while (k < 0 && errno == EINTR);
    if (k < 0) return upd__ferr(err, errcap, UPD_E_IO, "patch: %s", strerror(errno));
    if (k != (ssize_t)sizeof hdr || memcmp(hdr, "UPDDIFF1", 8) != 0)
        return upd__ferr(err, errcap, UPD_E_PATCH, "not a UPDDIFF1 patch");
    oldn = upd__le64(hdr + 8);
    newn = upd__le64(hdr + 16);
    for (s = 0; s < 3; s++) len[s] = upd__le64(hdr + 88 + 8 * s);
    if (fstat(patch_fd, &st) != 0) return upd__ferr(err, errcap, UPD_E_IO, "patch: %s", strerror(errno));
    if ((oldn | newn | len[0] | len[1] | len[2]) >> 62 ||
        (uint64_t)st.st_size != UPD_PATCH_HEADER + len[0] + len[1] + len[2])
        return upd__ferr(err, errcap, UPD_E_PATCH, "patch: its size (%llu bytes) is not what its header says", (unsigned long long)st.st_size);
    if (fstat(old_fd, &st) != 0) return upd__ferr(err, errcap, UPD_E_IO, "old file: %s", strerror(errno));
    if ((uint64_t)st.st_size != oldn)
        return upd__ferr(err, errcap, UPD_E_PATCH, "the old file has %llu bytes, the patch was made from one of %llu",
                        (unsigned long long)st.st_size, (unsigned long long)oldn);
    if (!(p = (upd__patch *)UPDATER_MALLOC(NULL, sizeof *p))) return upd__ferr(err, errcap, UPD_E_NOMEM, "out of memory");
    memset(p, 0, sizeof *p);
    p->pfd = patch_fd;
    /* the old file first: a patch made from other bytes stops here, with a clear reason */
    upd_sha256_init(&h);
    while (o < oldn) {
        size_t want = oldn - o < sizeof p->a ? (size_t)(oldn - o) : sizeof p->a;
        k = pread(old_fd, p->a, want, (off_t)o);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) { r = k < 0 ? UPD_E_IO : UPD_E_PATCH; snprintf(err, errcap, "old file: %s", k < 0 ? strerror(errno) : "shrank while read"); goto out; }
        upd_sha256_update(&h, p->a, (size_t)k);
        o += (uint64_t)k;
    }
    upd_sha256_final(&h, digest);
    if (memcmp(digest, hdr + 24, 32) != 0) {
        r = UPD_E_PATCH;
        snprintf(err, errcap, "the old file is not the one the patch was made from (SHA-256 differs)");
        goto out;
    }
    {
        uint64_t at = UPD_PATCH_HEADER;
        for (s = 0; s < 3; s++) {
            upd_gunzip_init(&p->sec[s].z, 0); /* decoded on demand only: no limit needed */
            p->sec[s].off = at;
            p->sec[s].end = at += len[s];
        }
    }
    upd_sha256_init(&h);
    o = 0;
    for (;;) {
        uint64_t add, copy, zz;
        int64_t seek;
        r = upd__patch_num(p, &add, 1, err, errcap);
        if (r == UPD_NO_UPDATE) { r = UPD_OK; break; }
        if (r != UPD_OK || (r = upd__patch_num(p, &copy, 0, err, errcap)) != UPD_OK ||
            (r = upd__patch_num(p, &zz, 0, err, errcap)) != UPD_OK)
            goto out;
        seek = (zz & 1) ? -(int64_t)(zz >> 1) - 1 : (int64_t)(zz >> 1);
        if (add + copy == 0) { r = UPD_E_PATCH; snprintf(err, errcap, "patch: an empty triple"); goto out; }
        if (add > oldn - o || add > newn - n) {
            r = UPD_E_PATCH;
            snprintf(err, errcap, "patch: a copy runs past the end of the %s file", add > oldn - o ? "old" : "new");
            goto out;
        }
        while (add) {
            size_t m = add < sizeof p->a ? (size_t)add : sizeof p->a, i;
            if ((r = upd__psec_exact(p, 1, p->b, m, err, errcap)) != UPD_OK) goto out;
            if (upd__pread_full(old_fd, p->a, m, o) != 0) { r = UPD_E_IO; snprintf(err, errcap, "old file: %s", errno ? strerror(errno) : "shrank while read"); goto out; }
            for (i = 0; i < m; i++) p->b[i] = (uint8_t)(p->b[i] + p->a[i]);
            upd_sha256_update(&h, p->b, m);
            if (upd__write_fd(out_fd, p->b, m) != 0) { r = UPD_E_IO; snprintf(err, errcap, "writing: %s", strerror(errno)); goto out; }
            o += m; n += m; add -= m;
        }
        if (copy > newn - n) { r = UPD_E_PATCH; snprintf(err, errcap, "patch: an insert runs past the end of the new file"); goto out; }
        while (copy) {
            size_t m = copy < sizeof p->b ? (size_t)copy : sizeof p->b;
            if ((r = upd__psec_exact(p, 2, p->b, m, err, errcap)) != UPD_OK) goto out;
            upd_sha256_update(&h, p->b, m);
            if (upd__write_fd(out_fd, p->b, m) != 0) { r = UPD_E_IO; snprintf(err, errcap, "writing: %s", strerror(errno)); goto out; }
            n += m; copy -= m;
        }
        if (seek < 0 ? (uint64_t)(-(seek + 1)) + 1 > o : (uint64_t)seek > oldn - o) {
            r = UPD_E_PATCH;
            snprintf(err, errcap, "patch: a seek leaves the old file");
            goto out;
        }
        o = seek < 0 ? o - ((uint64_t)(-(seek + 1)) + 1) : o + (uint64_t)seek;
    }
    if (n != newn) { r = UPD_E_PATCH; snprintf(err, errcap, "patch: the result has %llu bytes, the header says %llu", (unsigned long long)n, (unsigned long long)newn); goto out; }
    for (s = 1; s < 3; s++) { /* every section used up, to its last byte */
        size_t got;
        if ((r = upd__psec_read(p, s, p->a, 1, &got, err, errcap)) != UPD_OK) goto out;
        if (got || !p->sec[s].done) { r = UPD_E_PATCH; snprintf(err, errcap, "patch: bytes left over in the %s section", upd__psec_name[s]); goto out; }
    }
    if (!p->sec[0].done || p->cpos != p->clen) { r = UPD_E_PATCH; snprintf(err, errcap, "patch: bytes left over in the control section"); goto out; }
    upd_sha256_final(&h, digest);
    if (memcmp(digest, hdr + 56, 32) != 0) { r = UPD_E_PATCH; snprintf(err, errcap, "patch: the result's SHA-256 differs from the header's"); goto out; }
out:
    UPDATER_FREE(NULL, p);
    return r;
}
#endif /* UPDATER_NO_ENGINE */

#if !defined(UPDATER_NO_ENGINE)
/* ==== >>engine =========================================================== */
/* The journal (state dir's `marker`), text lines key=value:
     state=swap|trial|rollback   version=V   exe=PATH   trials=N
     new=DEV:INO (the staged tree's directory)  old=DEV:INO (the installed one)
   A directory keeps its inode across renames, so comparing the install
   path's inode with new= and old= tells, after a crash, which tree is
   where: that is what makes every step idempotent.
     install:  staged/ built and synced -> marker swap -> exec helper
     swap:     exchange(install, staged) [or two renames] -> staged/ to
               previous/ -> marker trial -> exec the new program
     trial:    trials+1 each start; upd_mark_good(): previous/ removed,
               marker removed; trials > max -> marker rollback ->
               exchange(install, previous) -> the failed tree removed, its
               version appended to `failed`, marker removed -> exec old */
#if defined(__linux__) && defined(_GNU_SOURCE) && defined(__GLIBC__) && \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 28))
#define UPD__EXCHANGE(d1, a, d2, b) renameat2((d1), (a), (d2), (b), RENAME_EXCHANGE)
#elif defined(__linux__) && !defined(__cplusplus)
#include <sys/syscall.h>
#ifdef SYS_renameat2
long syscall(long number, ...);
#define UPD__EXCHANGE(d1, a, d2, b) ((int)syscall(SYS_renameat2, (d1), (a), (d2), (b), 2 /* RENAME_EXCHANGE */))
#endif
#endif

typedef struct upd__marker {
    char state[16], version[64], exe[UPDATER_MAX_PATH + 1];
    uint64_t new_dev, new_ino, old_dev, old_ino;
    int trials;
} upd__marker;

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 3, 4)))
#endif
static upd_result upd__eng_err(upd_engine *e, upd_result r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->error, sizeof e->error, fmt, ap);
    va_end(ap);
    return r;
}

/* the install path: the tree, or the program file in single-executable mode */
static const char *upd__eng_target(const upd_engine *e)
{
    return e->install_file ? e->install_file : e->install_dir;
}

/* the program's path relative to the tree (or inside the archive) */
static const char *upd__eng_exe(const upd_engine *e)
{
    const char *s;
    if (e->exe || !e->install_file) return e->exe;
    s = strrchr(e->install_file, '/');
    return s ? s + 1 : e->install_file;
}

static void upd__eng_event(upd_engine *e, const char *phase, const char *detail)
{
    if (e->on_event) e->on_event(e->user, phase, detail ? detail : "");
}

/* Opens (creating if asked) the state dir: ours, not a symlink, not
   writable by group or others. */
static int upd__eng_sdir(upd_engine *e, int create, upd_result *r)
{
    struct stat st;
    int fd;
    const char *exe = upd__eng_exe(e);
    if (!upd__eng_target(e) || upd__eng_target(e)[0] != '/' || !exe || !exe[0] || exe[0] == '/' ||
        strstr(exe, "..") || (e->install_file && e->install_dir)) {
        *r = upd__eng_err(e, UPD_E_ARG, "install_dir (or install_file) must be absolute and exe relative to it");
        return -1;
    }
    if (!e->_sdir[0]) {
        int n = e->state_dir ? snprintf(e->_sdir, sizeof e->_sdir, "%s", e->state_dir)
                             : snprintf(e->_sdir, sizeof e->_sdir, "%s.update", upd__eng_target(e));
        if (n < 0 || (size_t)n >= sizeof e->_sdir) { *r = upd__eng_err(e, UPD_E_TOOBIG, "state dir path too long"); return -1; }
        while (n > 1 && e->_sdir[n - 1] == '/') e->_sdir[--n] = 0;
    }
    if (create && mkdir(e->_sdir, 0700) != 0 && errno != EEXIST) {
        *r = upd__eng_err(e, UPD_E_IO, "cannot create the state dir %s: %s", e->_sdir, strerror(errno));
        return -1;
    }
    fd = open(e->_sdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        *r = errno == ENOENT ? UPD_OK : upd__eng_err(e, UPD_E_STATE, "state dir %s: %s", e->_sdir, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0 || st.st_uid != geteuid() || (st.st_mode & 022)) {
        close(fd);
        *r = upd__eng_err(e, UPD_E_STATE, "state dir %s is not ours alone (owner or mode)", e->_sdir);
        return -1;
    }
    *r = UPD_OK;
    return fd;
}

/* "DEV:INO", both decimal, nothing else. */
static int upd__devino(const char *s, unsigned long long *a, unsigned long long *b)
{
    size_t n = strspn(s, "0123456789"), k;
    if (n == 0 || n > 20 || s[n] != ':') return 0;
    k = strspn(s + n + 1, "0123456789");
    if (k == 0 || k > 20 || s[n + 1 + k] != 0) return 0;
    *a = strtoull(s, NULL, 10);
    *b = strtoull(s + n + 1, NULL, 10);
    return 1;
}

/* Reads the marker: UPD_OK (m->state "" if there is none) or UPD_E_STATE. */
static upd_result upd__marker_read(upd_engine *e, int sfd, upd__marker *m)
{
    char buf[UPDATER_MAX_PATH + 512], *line, *next;
    ssize_t n;
    int fd;
    unsigned seen = 0;
    memset(m, 0, sizeof *m);
    fd = openat(sfd, "marker", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? UPD_OK : upd__eng_err(e, UPD_E_STATE, "marker: %s", strerror(errno));
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n < 0 || (size_t)n >= sizeof buf - 1) return upd__eng_err(e, UPD_E_STATE, "marker unreadable or too long");
    if (memchr(buf, 0, (size_t)n)) return upd__eng_err(e, UPD_E_STATE, "marker: NUL byte");
    buf[n] = 0;
    for (line = buf; *line; line = next) {
        char *eq, *val;
        unsigned long long a, b;
        next = strchr(line, '\n');
        if (!next) return upd__eng_err(e, UPD_E_STATE, "marker: last line unterminated");
        *next++ = 0;
        eq = strchr(line, '=');
        if (!eq) return upd__eng_err(e, UPD_E_STATE, "marker: malformed line");
        *eq = 0;
        val = eq + 1;
        {   /* each key once */
            static const char *const keys[] = {"state", "version", "exe", "trials", "new", "old"};
            unsigned j;
            for (j = 0; j < 6; j++)
                if (strcmp(line, keys[j]) == 0) {
                    if (seen & (1u << j)) return upd__eng_err(e, UPD_E_STATE, "marker: '%s' twice", line);
                    seen |= 1u << j;
                }
        }
        if (strcmp(line, "state") == 0 && strlen(val) < sizeof m->state) memcpy(m->state, val, strlen(val) + 1);
        else if (strcmp(line, "version") == 0 && strlen(val) < sizeof m->version) memcpy(m->version, val, strlen(val) + 1);
        else if (strcmp(line, "exe") == 0 && strlen(val) < sizeof m->exe && val[0] != '/' && !strstr(val, ".."))
            memcpy(m->exe, val, strlen(val) + 1);
        else if (strcmp(line, "trials") == 0 && val[0] >= '0' && val[0] <= '9' && strlen(val) <= 7 &&
                 strspn(val, "0123456789") == strlen(val))
            m->trials = atoi(val); /* at most 9999999: what we write stays readable */
        else if ((strcmp(line, "new") == 0 || strcmp(line, "old") == 0) && upd__devino(val, &a, &b)) {
            if (line[0] == 'n') { m->new_dev = a; m->new_ino = b; } else { m->old_dev = a; m->old_ino = b; }
        } else return upd__eng_err(e, UPD_E_STATE, "marker: bad '%s' line", line);
    }
    if (strcmp(m->state, "swap") != 0 && strcmp(m->state, "trial") != 0 && strcmp(m->state, "rollback") != 0)
        return upd__eng_err(e, UPD_E_STATE, "marker: unknown state '%s'", m->state);
    if (!m->exe[0] || !m->new_ino || !m->old_ino) return upd__eng_err(e, UPD_E_STATE, "marker: incomplete");
    return UPD_OK;
}

/* Writes a whole small file atomically: temp, fsync, rename, fsync dir. */
static upd_result upd__eng_write(upd_engine *e, int dfd, const char *name, const char *data, size_t len, int mode)
{
    char tmp[64];
    int fd;
    snprintf(tmp, sizeof tmp, ".%s.tmp", name);
    fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0) return upd__eng_err(e, UPD_E_IO, "%s: %s", name, strerror(errno));
    while (len > 0) {
        ssize_t k = write(fd, data, len);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) { int err = errno; close(fd); unlinkat(dfd, tmp, 0); return upd__eng_err(e, UPD_E_IO, "%s: %s", name, strerror(err)); }
        data += k;
        len -= (size_t)k;
    }
    if (fsync(fd) != 0 || close(fd) != 0) { unlinkat(dfd, tmp, 0); return upd__eng_err(e, UPD_E_IO, "%s: %s", name, strerror(errno)); }
    if (renameat(dfd, tmp, dfd, name) != 0) { unlinkat(dfd, tmp, 0); return upd__eng_err(e, UPD_E_IO, "%s: %s", name, strerror(errno)); }
    if (fsync(dfd) != 0) return upd__eng_err(e, UPD_E_IO, "%s: %s", name, strerror(errno));
    return UPD_OK;
}

static upd_result upd__marker_write(upd_engine *e, int sfd, const upd__marker *m)
{
    char buf[UPDATER_MAX_PATH + 512];
    int n = snprintf(buf, sizeof buf, "state=%s\nversion=%s\nexe=%s\ntrials=%d\nnew=%llu:%llu\nold=%llu:%llu\n",
                     m->state, m->version, m->exe, m->trials, (unsigned long long)m->new_dev,
                     (unsigned long long)m->new_ino, (unsigned long long)m->old_dev, (unsigned long long)m->old_ino);
    upd__eng_event(e, "marker", m->state);
    return upd__eng_write(e, sfd, "marker", buf, (size_t)n, 0600);
}

static upd_result upd__marker_remove(upd_engine *e, int sfd)
{
    if (unlinkat(sfd, "marker", 0) != 0 && errno != ENOENT) return upd__eng_err(e, UPD_E_IO, "marker: %s", strerror(errno));
    fsync(sfd);
    return UPD_OK;
}

/* Removes name in dfd and everything under it, following no symlink. */
static int upd__rmtree(int dfd, const char *name)
{
    struct stat st;
    DIR *d;
    struct dirent *de;
    int fd;
    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode)) return unlinkat(dfd, name, 0);
    fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return -1;
    fchmod(fd, 0700); /* a read-only directory can still be emptied */
    d = fdopendir(fd);
    if (!d) { close(fd); return -1; }
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        if (upd__rmtree(dirfd(d), de->d_name) != 0) { closedir(d); return -1; }
    }
    closedir(d);
    return unlinkat(dfd, name, AT_REMOVEDIR);
}

/* Copies the open file in to a new file dname in ddfd (mode), fsync'd. */
static int upd__copyfd(int in, int ddfd, const char *dname, mode_t mode)
{
    char buf[16384];
    int out = openat(ddfd, dname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode & 07777);
    if (out < 0) return -1;
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf), w = 0;
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int bad = n < 0 || fchmod(out, mode & 07777) != 0 || fsync(out) != 0;
            return close(out) != 0 || bad ? -1 : 0;
        }
        while (w < n) {
            ssize_t k = write(out, buf + w, (size_t)(n - w));
            if (k < 0 && errno == EINTR) continue;
            if (k <= 0) { close(out); return -1; }
            w += k;
        }
    }
}

/* Copies a regular file (across filesystems, where a hard link fails). */
static int upd__copyfile(int sdfd, const char *name, int ddfd, mode_t mode)
{
    int in = openat(sdfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), r;
    if (in < 0) return -1;
    r = upd__copyfd(in, ddfd, name, mode);
    close(in);
    return r;
}

/* fsyncs every file and directory under dfd (and dfd), following nothing. */
static int upd__synctree(int dfd)
{
    DIR *d;
    struct dirent *de;
    int fd = dup(dfd), bad = 0;
    if (fd < 0 || !(d = fdopendir(fd))) { if (fd >= 0) close(fd); return -1; }
    while ((de = readdir(d)) != NULL) {
        struct stat st;
        int f;
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) { bad = 1; continue; }
        if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) continue;
        f = openat(dfd, de->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (f < 0) { bad = 1; continue; }
        if (S_ISDIR(st.st_mode) ? upd__synctree(f) != 0 : fsync(f) != 0) bad = 1;
        close(f);
    }
    closedir(d);
    return bad || fsync(dfd) != 0 ? -1 : 0;
}

/* Clones the tree in sfd into dfd: directories made, files hard-linked
   (copied across filesystems), symlinks recreated; nothing followed. */
static int upd__clone(int sfd, int dfd)
{
    DIR *d;
    struct dirent *de;
    int fd = dup(sfd);
    if (fd < 0 || !(d = fdopendir(fd))) { if (fd >= 0) close(fd); return -1; }
    while ((de = readdir(d)) != NULL) {
        struct stat st;
        const char *n = de->d_name;
        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0) continue;
        if (fstatat(sfd, n, &st, AT_SYMLINK_NOFOLLOW) != 0) goto fail;
        if (S_ISDIR(st.st_mode)) {
            int s2, d2, r;
            if (mkdirat(dfd, n, 0700) != 0) goto fail;
            s2 = openat(sfd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            d2 = openat(dfd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            r = s2 >= 0 && d2 >= 0 ? upd__clone(s2, d2) : -1;
            if (r == 0) r = fchmod(d2, st.st_mode & 07777);
            if (s2 >= 0) close(s2);
            if (d2 >= 0) close(d2);
            if (r != 0) goto fail;
        } else if (S_ISLNK(st.st_mode)) {
            char target[UPDATER_MAX_PATH + 1];
            ssize_t k = readlinkat(sfd, n, target, sizeof target - 1);
            if (k < 0) goto fail;
            target[k] = 0;
            if (symlinkat(target, dfd, n) != 0) goto fail;
        } else if (S_ISREG(st.st_mode)) {
            if (linkat(sfd, n, dfd, n, 0) != 0 && ((errno != EXDEV && errno != EPERM && errno != EMLINK) ||
                                                   upd__copyfile(sfd, n, dfd, st.st_mode) != 0))
                goto fail;
        } /* sockets, FIFOs, devices: not part of a program's tree */
    }
    closedir(d);
    return 0;
fail:
    closedir(d);
    return -1;
}

/* The install dir's parent (an fd) and last component. */
static int upd__eng_parent(upd_engine *e, char *base, size_t cap)
{
    char dir[UPDATER_MAX_PATH + 1];
    const char *slash;
    size_t n = strlen(upd__eng_target(e));
    int fd;
    while (n > 1 && upd__eng_target(e)[n - 1] == '/') n--;
    if (n >= sizeof dir) return -1;
    memcpy(dir, upd__eng_target(e), n);
    dir[n] = 0;
    slash = strrchr(dir, '/');
    if (!slash || strlen(slash + 1) >= cap || !slash[1]) return -1;
    memcpy(base, slash + 1, strlen(slash + 1) + 1);
    if (slash == dir) dir[1] = 0; else dir[slash - dir] = 0;
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return fd;
}

static int upd__same(int dfd, const char *name, uint64_t dev, uint64_t ino)
{
    struct stat st;
    return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) &&
           (uint64_t)st.st_dev == dev && (uint64_t)st.st_ino == ino;
}

/* Puts the tree with identity (dev, ino), now at sfd/from, at the install
   path, and the tree there at sfd/to. Idempotent. */
static upd_result upd__eng_exchange(upd_engine *e, int sfd, const char *from, const char *to,
                                    uint64_t dev, uint64_t ino, uint64_t odev, uint64_t oino)
{
    char base[256];
    int pfd = upd__eng_parent(e, base, sizeof base);
    upd_result r = UPD_OK;
    if (pfd < 0) return upd__eng_err(e, UPD_E_IO, "%s: cannot open its parent directory", upd__eng_target(e));
    if (!upd__same(pfd, base, dev, ino)) {
        int done = 0;
#ifdef UPD__EXCHANGE
        if (upd__same(pfd, base, odev, oino) && upd__same(sfd, from, dev, ino)) {
            if (UPD__EXCHANGE(pfd, base, sfd, from) == 0) done = 1;
            else if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP) {
                r = upd__eng_err(e, UPD_E_IO, "exchanging %s and %s/%s: %s", upd__eng_target(e), e->_sdir, from, strerror(errno));
                goto out;
            }
        }
#endif
        if (!done) { /* two renames, journaled by the inodes: install path -> to, from -> install path */
            if (!upd__same(sfd, from, dev, ino)) { /* nothing to put in place: touch nothing */
                r = upd__eng_err(e, UPD_E_STATE, "%s/%s is not the tree the journal names", e->_sdir, from);
                goto out;
            }
            if (upd__same(pfd, base, odev, oino) && renameat(pfd, base, sfd, to) != 0) {
                r = upd__eng_err(e, UPD_E_IO, "moving %s aside: %s", upd__eng_target(e), strerror(errno));
                goto out;
            }
            if (renameat(sfd, from, pfd, base) != 0) {
                r = upd__eng_err(e, UPD_E_IO, "moving %s/%s to %s: %s", e->_sdir, from, upd__eng_target(e), strerror(errno));
                goto out;
            }
        }
        fsync(pfd);
        fsync(sfd);
    }
    /* after an exchange the old tree is at from: give it its own name */
    if (strcmp(from, to) != 0 && upd__same(sfd, from, odev, oino)) {
        if (upd__rmtree(sfd, to) != 0 || renameat(sfd, from, sfd, to) != 0) {
            r = upd__eng_err(e, UPD_E_IO, "%s/%s: %s", e->_sdir, to, strerror(errno));
            goto out;
        }
        fsync(sfd);
    }
out:
    close(pfd);
    return r;
}

/* Single-executable mode: puts the file with identity (dev, ino), now at
   sfd/from, at the install path by one rename over the file there, which
   must be (odev, oino); with keep, a hard link sfd/keep names that old file
   first. At every instant the install path names a complete program.
   Idempotent. */
static upd_result upd__eng_fileswap(upd_engine *e, int sfd, const char *from, const char *keep,
                                    uint64_t dev, uint64_t ino, uint64_t odev, uint64_t oino)
{
    char base[256];
    int pfd = upd__eng_parent(e, base, sizeof base);
    upd_result r = UPD_OK;
    if (pfd < 0) return upd__eng_err(e, UPD_E_IO, "%s: cannot open its parent directory", upd__eng_target(e));
    if (!upd__same(pfd, base, dev, ino)) {
        if (!upd__same(pfd, base, odev, oino) || !upd__same(sfd, from, dev, ino)) {
            r = upd__eng_err(e, UPD_E_STATE, "%s or %s/%s is not the file the journal names", upd__eng_target(e), e->_sdir, from);
            goto out;
        }
        if (keep && !upd__same(sfd, keep, odev, oino)) {
            if ((unlinkat(sfd, keep, 0) != 0 && errno != ENOENT) || linkat(pfd, base, sfd, keep, 0) != 0 || fsync(sfd) != 0) {
                r = upd__eng_err(e, UPD_E_IO, "keeping %s as %s/%s: %s", upd__eng_target(e), e->_sdir, keep, strerror(errno));
                goto out;
            }
        }
        if (renameat(sfd, from, pfd, base) != 0) {
            r = upd__eng_err(e, UPD_E_IO, "moving %s/%s to %s: %s", e->_sdir, from, upd__eng_target(e), strerror(errno));
            goto out;
        }
        fsync(pfd);
        fsync(sfd);
    }
out:
    close(pfd);
    return r;
}

/* exec()s the install's program with the original argv. */
static upd_result upd__eng_exec(upd_engine *e, const char *exe)
{
    char path[2 * UPDATER_MAX_PATH + 2];
    if (e->install_file) snprintf(path, sizeof path, "%s", e->install_file);
    else snprintf(path, sizeof path, "%s/%s", upd__eng_target(e), exe);
    if (e->no_exec) return UPD_OK;
    upd__eng_event(e, "exec", path);
    fflush(NULL);
    if (e->_argv) execv(path, e->_argv);
    else { char *argv[2]; argv[0] = path; argv[1] = NULL; execv(path, argv); }
    return upd__eng_err(e, UPD_E_IO, "cannot run %s: %s", path, strerror(errno));
}

static upd_result upd__startup_locked(upd_engine *e, int sfd, upd__marker *mp);
static upd_result upd__mark_good_locked(upd_engine *e, int sfd, upd__marker *mp);

UPDDEF upd_result upd_startup(upd_engine *e, int argc, char **argv)
{
    upd__marker m;
    upd_result r;
    int sfd;
    UPDATER_ASSERT(e != NULL);
    e->_argc = argc;
    e->_argv = argv;
    e->trial = e->rolled_back = 0;
    e->version[0] = e->error[0] = 0;
    if ((sfd = upd__eng_sdir(e, 0, &r)) < 0) return r; /* no state dir: nothing pending */
    if ((r = upd__marker_read(e, sfd, &m)) != UPD_OK || !m.state[0]) { close(sfd); return r; }
    {   /* something is pending: one process at a time acts on it (the lock
           goes with exec() or exit); then read the marker again */
        struct flock fl;
        int lfd = openat(sfd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        memset(&fl, 0, sizeof fl);
        fl.l_type = F_WRLCK;
        fl.l_whence = SEEK_SET;
        upd__marker first = m;
        while (lfd >= 0 && fcntl(lfd, F_SETLKW, &fl) != 0 && errno == EINTR) {}
        r = upd__marker_read(e, sfd, &m);
        if (r == UPD_OK && (strcmp(m.state, first.state) != 0 || m.trials != first.trials ||
                            strcmp(m.version, first.version) != 0)) {
            /* another start moved the update on while this one waited: the
               install may hold another program than this one now; run that */
            if (lfd >= 0) close(lfd);
            close(sfd);
            return upd__eng_exec(e, first.exe);
        }
        if (r != UPD_OK || !m.state[0]) {
            if (lfd >= 0) close(lfd);
            close(sfd);
            return r;
        }
        r = upd__startup_locked(e, sfd, &m); /* exec()s, or returns with sfd closed */
        if (lfd >= 0) close(lfd);
        return r;
    }
}

/* upd_startup's work once it holds the lock; closes sfd. */
static upd_result upd__startup_locked(upd_engine *e, int sfd, upd__marker *mp)
{
    upd__marker m = *mp;
    upd_result r;
    if (strcmp(m.state, "swap") == 0) {
        char base[256];
        int pfd = upd__eng_parent(e, base, sizeof base), gone;
        char sname[UPDATER_MAX_PATH + 8];
        snprintf(sname, sizeof sname, e->install_file ? "staged/%s" : "staged", m.exe);
        gone = pfd >= 0 && upd__same(pfd, base, m.old_dev, m.old_ino) && !upd__same(sfd, sname, m.new_dev, m.new_ino);
        if (pfd >= 0) close(pfd);
        if (gone) { /* the staged tree is not there: the install never swapped; drop it */
            upd__eng_event(e, "abandon", m.version);
            r = upd__marker_remove(e, sfd);
            unlinkat(sfd, "helper", 0);
            close(sfd);
            return r;
        }
        upd__eng_event(e, "swap", m.version);
        r = e->install_file ? upd__eng_fileswap(e, sfd, sname, "previous", m.new_dev, m.new_ino, m.old_dev, m.old_ino)
                            : upd__eng_exchange(e, sfd, "staged", "previous", m.new_dev, m.new_ino, m.old_dev, m.old_ino);
        if (r != UPD_OK) {
            close(sfd);
            return r;
        }
        if (e->install_file) upd__rmtree(sfd, "staged");
        memcpy(m.state, "trial", 6);
        m.trials = 0;
        if ((r = upd__marker_write(e, sfd, &m)) != UPD_OK) { close(sfd); return r; }
        unlinkat(sfd, "helper", 0);
        close(sfd);
        return upd__eng_exec(e, m.exe); /* the new version, on trial */
    }
    if (strcmp(m.state, "trial") == 0) {
        if (m.trials < 1000000) m.trials++;
        if (m.trials <= (e->max_trials > 0 ? e->max_trials : 3)) {
            if ((r = upd__marker_write(e, sfd, &m)) != UPD_OK) { close(sfd); return r; }
            close(sfd);
            e->trial = 1;
            snprintf(e->version, sizeof e->version, "%s", m.version);
            upd__eng_event(e, "trial", m.version);
            return UPD_OK;
        }
        memcpy(m.state, "rollback", 9);
        if ((r = upd__marker_write(e, sfd, &m)) != UPD_OK) { close(sfd); return r; }
    }
    {   /* the new version installed and no previous one to go back to: it
           was marked good (a marker written back by a start that raced
           with upd_mark_good in an older version): keep it */
        char base[256];
        int pfd = upd__eng_parent(e, base, sizeof base), good;
        good = pfd >= 0 && upd__same(pfd, base, m.new_dev, m.new_ino) && !upd__same(sfd, "previous", m.old_dev, m.old_ino);
        if (pfd >= 0) close(pfd);
        if (good) {
            upd__eng_event(e, "good", m.version);
            r = upd__marker_remove(e, sfd);
            close(sfd);
            return r;
        }
    }
    /* rollback: the previous tree back at the install path, the failed one
       removed and remembered */
    upd__eng_event(e, "rollback", m.version);
    snprintf(e->version, sizeof e->version, "%s", m.version);
    r = e->install_file ? upd__eng_fileswap(e, sfd, "previous", NULL, m.old_dev, m.old_ino, m.new_dev, m.new_ino)
                        : upd__eng_exchange(e, sfd, "previous", "failed.tree", m.old_dev, m.old_ino, m.new_dev, m.new_ino);
    if (r != UPD_OK) {
        close(sfd);
        return r;
    }
    upd__rmtree(sfd, "failed.tree");
    {
        char line[80];
        int fd = openat(sfd, "failed", O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
        int n = snprintf(line, sizeof line, "%s\n", m.version);
        if (fd >= 0) {
            if (!upd_version_failed(e, m.version) && write(fd, line, (size_t)n) != n) { /* best effort */ }
            fsync(fd);
            close(fd);
        }
    }
    if ((r = upd__marker_remove(e, sfd)) != UPD_OK) { close(sfd); return r; }
    close(sfd);
    e->rolled_back = 1;
    return upd__eng_exec(e, m.exe); /* the old version again */
}

UPDDEF upd_result upd_mark_good(upd_engine *e)
{
    upd__marker m;
    upd_result r;
    int sfd, lfd;
    struct flock fl;
    UPDATER_ASSERT(e != NULL);
    if ((sfd = upd__eng_sdir(e, 0, &r)) < 0) return r;
    /* under the lock: a start counting a trial must not write the marker
       back after it is gone */
    lfd = openat(sfd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    while (lfd >= 0 && fcntl(lfd, F_SETLKW, &fl) != 0 && errno == EINTR) {}
    r = upd__mark_good_locked(e, sfd, &m);
    if (lfd >= 0) close(lfd);
    close(sfd);
    return r;
}

static upd_result upd__mark_good_locked(upd_engine *e, int sfd, upd__marker *mp)
{
    upd__marker m;
    upd_result r;
    if ((r = upd__marker_read(e, sfd, &m)) != UPD_OK || strcmp(m.state, "trial") != 0) return r;
    *mp = m;
    upd__eng_event(e, "good", m.version);
    if ((r = upd__marker_remove(e, sfd)) == UPD_OK) { /* first: a crash now leaves a clean install */
        upd__rmtree(sfd, "previous");
        /* the package it came from is installed now */
        unlinkat(sfd, "archive", 0);
        unlinkat(sfd, "archive.info", 0);
        e->trial = 0;
    }
    return r;
}

UPDDEF int upd_version_failed(upd_engine *e, const char *version)
{
    char buf[4096], *line, *next;
    upd_result r;
    ssize_t n;
    int sfd = upd__eng_sdir(e, 0, &r), fd;
    if (sfd < 0) return 0;
    fd = openat(sfd, "failed", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    close(sfd);
    if (fd < 0) return 0;
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return 0;
    buf[n] = 0;
    for (line = buf; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = 0;
        if (strcmp(line, version) == 0) return 1;
    }
    return 0;
}

/* .updater-delete: one path per line, each removed from the staged tree
   (no absolute paths, no '..', nothing followed). */
static upd_result upd__eng_deletes(upd_engine *e, int stfd)
{
    char buf[65536], clean[UPDATER_MAX_PATH + 1], *line, *next;
    ssize_t n;
    int fd = openat(stfd, ".updater-delete", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? UPD_OK : upd__eng_err(e, UPD_E_IO, ".updater-delete: %s", strerror(errno));
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n < 0 || (size_t)n >= sizeof buf - 1) return upd__eng_err(e, UPD_E_TOOBIG, ".updater-delete: unreadable or over 64 KiB");
    buf[n] = 0;
    upd__eng_event(e, "delete", NULL);
    for (line = buf; *line; line = next) {
        const char *why = "too long", *slash;
        int dfd = stfd, k = -1;
        next = strchr(line, '\n');
        if (next) *next++ = 0; else next = line + strlen(line);
        if (!*line) continue;
        if (strlen(line) > UPDATER_MAX_PATH || (k = upd__untar_clean(line, clean, &why)) <= 0)
            return upd__eng_err(e, UPD_E_PATH, ".updater-delete: '%.200s': %s", line, k == 0 ? "empty" : why);
        if (strncmp(clean, ".updater-delete", 16) == 0) continue;
        slash = strrchr(clean, '/');
        if (slash) { /* walk the parents without following anything */
            char *c = clean, *s;
            clean[slash - clean] = 0;
            for (;;) {
                int nfd;
                s = strchr(c, '/');
                if (s) *s = 0;
                nfd = openat(dfd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (dfd != stfd) close(dfd);
                if (nfd < 0) { dfd = -1; break; }
                dfd = nfd;
                if (!s) break;
                c = s + 1;
            }
            if (dfd < 0) continue; /* its directory is not there (or is a symlink): nothing to delete */
        }
        if (upd__rmtree(dfd, slash ? slash + 1 : clean) != 0) {
            int err = errno;
            if (dfd != stfd) close(dfd);
            return upd__eng_err(e, UPD_E_IO, ".updater-delete: '%.200s': %s", line, strerror(err));
        }
        if (dfd != stfd) close(dfd);
    }
    unlinkat(stfd, ".updater-delete", 0);
    return UPD_OK;
}

/* .updater-patch/PATH: each a UPDDIFF1 patch turning the installed PATH
   (the staged clone's, or in single-executable mode the install file) into
   the new one, written beside it and renamed over it: the old inode, which
   the clone shares with the install, is only read. */
static upd_result upd__eng_patch1(upd_engine *e, int stfd, int pfd, const char *name, char *rel, mode_t mode,
                                  uint64_t *budget)
{
    char tmp[32], target[UPDATER_MAX_PATH + 1], err[UPDATER_MAX_PATH + 200];
    const char *leaf = NULL;
    struct stat st;
    upd_result r;
    int dfd, ofd = -1, nfd = -1, pafd, i;
    if (upd__tree_reserved(rel))
        return upd__eng_err(e, UPD_E_PATCH, ".updater-patch/%.200s: a reserved name", rel);
    upd__eng_event(e, "patch", rel);
    memcpy(target, rel, strlen(rel) + 1);
    if ((dfd = upd__open_parent(stfd, target, &leaf)) < 0)
        return upd__eng_err(e, UPD_E_PATCH, "patch for %.200s: its directory is not in the installed tree", rel);
    if (e->install_file) { /* the one file there is: the installed program */
        char base[256];
        int ppfd;
        if (strcmp(rel, upd__eng_exe(e)) != 0) {
            if (dfd != stfd) close(dfd);
            return upd__eng_err(e, UPD_E_PATCH, "patch for %.200s: only %s is installed", rel, upd__eng_exe(e));
        }
        if ((ppfd = upd__eng_parent(e, base, sizeof base)) >= 0) {
            ofd = openat(ppfd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
            close(ppfd);
        }
    } else {
        ofd = openat(dfd, leaf, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    }
    if (ofd < 0 || fstat(ofd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (ofd >= 0) close(ofd);
        if (dfd != stfd) close(dfd);
        return upd__eng_err(e, UPD_E_PATCH, "patch for %.200s: the installed file is missing or not a regular file", rel);
    }
    for (i = 0; i < 100 && nfd < 0; i++) {
        snprintf(tmp, sizeof tmp, ".upd-patch-%d", i);
        nfd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (nfd < 0 && errno != EEXIST) break;
    }
    if (nfd < 0) {
        int er = errno;
        close(ofd);
        if (dfd != stfd) close(dfd);
        return upd__eng_err(e, UPD_E_IO, "patch for %.200s: %s", rel, strerror(er));
    }
    pafd = openat(pfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (pafd < 0) r = upd__eng_err(e, UPD_E_IO, ".updater-patch/%.200s: %s", rel, strerror(errno));
    else {
        /* what patches write counts against max_unpacked too: the header
           says how much each makes, and the applier never makes more */
        uint8_t hdr[24];
        uint64_t nsz = 0;
        r = UPD_OK;
        if (upd__pread_full(pafd, hdr, sizeof hdr, 0) == 0 && memcmp(hdr, "UPDDIFF1", 8) == 0)
            nsz = upd__le64(hdr + 16); /* (anything else: upd_patch_apply refuses it) */
        if (nsz > *budget) r = upd__eng_err(e, UPD_E_TOOBIG, "patch for %.200s: its result (%llu bytes) passes max_unpacked", rel, (unsigned long long)nsz);
        else *budget -= nsz;
    }
    if (r != UPD_OK) {
        /* reported above */
    } else if ((r = upd_patch_apply(ofd, pafd, nfd, err, sizeof err)) != UPD_OK) upd__eng_err(e, r, "patch for %.200s: %s", rel, err);
    else if (fchmod(nfd, mode & 0755) != 0) r = upd__eng_err(e, UPD_E_IO, "%.200s: %s", rel, strerror(errno));
    else if (close(nfd) != 0) { nfd = -1; r = upd__eng_err(e, UPD_E_IO, "%.200s: %s", rel, strerror(errno)); }
    else {
        nfd = -1;
        if (renameat(dfd, tmp, dfd, leaf) != 0) r = upd__eng_err(e, UPD_E_IO, "%.200s: %s", rel, strerror(errno));
    }
    if (pafd >= 0) close(pafd);
    if (nfd >= 0) close(nfd);
    if (r != UPD_OK) unlinkat(dfd, tmp, 0);
    close(ofd);
    if (dfd != stfd) close(dfd);
    return r;
}

/* walks .updater-patch (its tree under pfd; rel is the path so far) */
static upd_result upd__eng_patchdir(upd_engine *e, int stfd, int pfd, char *rel, size_t len, int depth, uint64_t *budget)
{
    upd_result r = UPD_OK;
    struct dirent *d;
    DIR *dir;
    int fd = dup(pfd);
    if (fd < 0 || !(dir = fdopendir(fd))) {
        if (fd >= 0) close(fd);
        return upd__eng_err(e, UPD_E_IO, ".updater-patch: %s", strerror(errno));
    }
    while (r == UPD_OK && (d = readdir(dir)) != NULL) {
        size_t n = strlen(d->d_name);
        struct stat st;
        if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0) continue;
        if (len + n + 2 > UPDATER_MAX_PATH) { r = upd__eng_err(e, UPD_E_PATCH, ".updater-patch: a path too long"); break; }
        if (len) rel[len] = '/';
        memcpy(rel + len + (len != 0), d->d_name, n + 1);
        if (fstatat(pfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            r = upd__eng_err(e, UPD_E_IO, ".updater-patch/%.200s: %s", rel, strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            int sub = depth < 64 ? openat(pfd, d->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
            if (sub < 0) r = upd__eng_err(e, UPD_E_PATCH, ".updater-patch/%.200s: %s", rel, depth < 64 ? strerror(errno) : "nested too deep");
            else {
                r = upd__eng_patchdir(e, stfd, sub, rel, len + (len != 0) + n, depth + 1, budget);
                close(sub);
            }
        } else if (S_ISREG(st.st_mode)) {
            r = upd__eng_patch1(e, stfd, pfd, d->d_name, rel, st.st_mode, budget);
        } else {
            r = upd__eng_err(e, UPD_E_PATCH, ".updater-patch/%.200s: not a regular file", rel);
        }
        rel[len] = 0;
    }
    closedir(dir);
    return r;
}

static upd_result upd__eng_patches(upd_engine *e, int stfd, uint64_t budget)
{
    char rel[UPDATER_MAX_PATH + 1];
    upd_result r;
    int pfd = openat(stfd, ".updater-patch", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (pfd < 0) {
        if (errno == ENOENT) return UPD_OK;
        return upd__eng_err(e, UPD_E_PATCH, ".updater-patch: not a directory");
    }
    rel[0] = 0;
    r = upd__eng_patchdir(e, stfd, pfd, rel, 0, 0, &budget);
    close(pfd);
    if (r == UPD_OK && upd__rmtree(stfd, ".updater-patch") != 0)
        r = upd__eng_err(e, UPD_E_IO, ".updater-patch: %s", strerror(errno));
    return r;
}

/* .updater-tree: the staged tree must be the release's, byte for byte */
static upd_result upd__eng_tree(upd_engine *e, int stfd)
{
    char err[UPDATER_MAX_PATH + 200];
    uint8_t want[32];
    struct stat st;
    upd_result r;
    int fd;
    if (e->tree && (strlen(e->tree) != 64 || upd_hex_decode(e->tree, want, 32) != UPD_OK))
        return upd__eng_err(e, UPD_E_ARG, "engine tree: expected 64 hex digits");
    fd = openat(stfd, ".updater-tree", O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        if (errno != ENOENT) return upd__eng_err(e, UPD_E_TREE, ".updater-tree: %s", errno == ELOOP ? "a symlink" : strerror(errno));
        if (e->need_tree) return upd__eng_err(e, UPD_E_TREE, "the package has no .updater-tree to prove its result (tree= is given)");
        return UPD_OK;
    }
    upd__eng_event(e, "verify", ".updater-tree");
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) r = upd__eng_err(e, UPD_E_TREE, ".updater-tree: not a regular file");
    else if ((r = upd_tree_verify(stfd, fd, e->tree ? want : NULL, NULL, err, sizeof err)) != UPD_OK)
        upd__eng_err(e, r, "the staged tree is not the release's: %s", err);
    close(fd);
    if (r == UPD_OK && unlinkat(stfd, ".updater-tree", 0) != 0) r = upd__eng_err(e, UPD_E_IO, ".updater-tree: %s", strerror(errno));
    return r;
}

UPDDEF upd_result upd_install(upd_engine *e, const char *archive, const char *version)
{
    upd__marker m;
    upd_result r;
    struct stat st, ist;
    char base[256], err[UPDATER_MAX_PATH + 200];
    int sfd, lfd = -1, ifd = -1, stfd = -1, pfd = -1;
    struct flock fl;
    uint64_t mb, unpacked = 0;
    UPDATER_ASSERT(e != NULL && archive != NULL && version != NULL);
    mb = e->max_unpacked ? e->max_unpacked : (uint64_t)8 << 30;
    e->error[0] = 0;
    if (strlen(version) >= sizeof m.version || !*version || strchr(version, '\n'))
        return upd__eng_err(e, UPD_E_ARG, "bad version string");
    if ((pfd = upd__eng_parent(e, base, sizeof base)) < 0)
        return upd__eng_err(e, UPD_E_IO, "%s: cannot open its parent directory", upd__eng_target(e));
    if (faccessat(pfd, ".", W_OK, 0) != 0) {
        close(pfd);
        return upd__eng_err(e, UPD_E_IO, "cannot update %s: its parent directory is not writable", upd__eng_target(e));
    }
    if ((sfd = upd__eng_sdir(e, 1, &r)) < 0) { close(pfd); return r; }
    /* one updater at a time: a lock that dies with its process */
    lfd = openat(sfd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (lfd < 0 || fcntl(lfd, F_SETLK, &fl) != 0) {
        r = upd__eng_err(e, UPD_E_BUSY, "another update of %s is under way", upd__eng_target(e));
        goto out;
    }
    if ((r = upd__marker_read(e, sfd, &m)) != UPD_OK) goto out;
    if (m.state[0]) { r = upd__eng_err(e, UPD_E_BUSY, "an update of %s is pending (%s %s): start the program to finish it", upd__eng_target(e), m.state, m.version); goto out; }
    memset(&m, 0, sizeof m);
    /* staged/: a clone of the installed tree, then the archive over it */
    if (!e->install_file) upd__eng_event(e, "clone", upd__eng_target(e));
    if (upd__rmtree(sfd, "staged") != 0 || upd__rmtree(sfd, "previous") != 0 || upd__rmtree(sfd, "failed.tree") != 0) {
        r = upd__eng_err(e, UPD_E_IO, "cleaning %s: %s", e->_sdir, strerror(errno));
        goto out;
    }
    if (e->install_file) { /* single executable: staged/ gets the archive only */
        if (fstatat(pfd, base, &ist, AT_SYMLINK_NOFOLLOW) != 0) {
            r = upd__eng_err(e, UPD_E_IO, "%s: %s", upd__eng_target(e), strerror(errno));
            goto out;
        }
        if (!S_ISREG(ist.st_mode)) {
            r = upd__eng_err(e, UPD_E_ARG, "install_file %s is not a regular file", upd__eng_target(e));
            goto out;
        }
    } else {
        ifd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (ifd < 0 || fstat(ifd, &ist) != 0) { r = upd__eng_err(e, UPD_E_IO, "%s: %s", upd__eng_target(e), strerror(errno)); goto out; }
    }
    if (mkdirat(sfd, "staged", 0700) != 0 || (stfd = openat(sfd, "staged", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
        (ifd >= 0 && upd__clone(ifd, stfd) != 0)) {
        r = upd__eng_err(e, UPD_E_IO, "cloning %s: %s", upd__eng_target(e), strerror(errno));
        goto out;
    }
    upd__eng_event(e, "extract", archive);
    {
        char dir[UPDATER_MAX_PATH + 16];
        snprintf(dir, sizeof dir, "%s/staged", e->_sdir);
        uint64_t me = e->max_entries ? e->max_entries : 1000000u;
        if ((r = upd__untar_path(archive, dir, UPD_UNTAR_NO_GROUP_WRITE, mb, me, &unpacked, err, sizeof err)) != UPD_OK) {
            upd__eng_err(e, r, "%s: %s", archive, err);
            goto out;
        }
    }
    /* what patches make counts against max_unpacked with what was extracted */
    if ((r = upd__eng_patches(e, stfd, unpacked < mb ? mb - unpacked : 0)) != UPD_OK) goto out;
    if (!e->install_file && (r = upd__eng_deletes(e, stfd)) != UPD_OK) goto out;
    if ((r = upd__eng_tree(e, stfd)) != UPD_OK) goto out;
    if (fstatat(stfd, upd__eng_exe(e), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 0100)) {
        r = upd__eng_err(e, UPD_E_TARGET, "the new %s has no executable %s", e->install_file ? "archive" : "tree", upd__eng_exe(e));
        goto out;
    }
    if (e->install_file ? st.st_dev != ist.st_dev : (fchmod(stfd, ist.st_mode & 07777) != 0 || fstat(stfd, &st) != 0)) {
        r = e->install_file ? upd__eng_err(e, UPD_E_STATE, "the state dir %s is not on the filesystem of %s", e->_sdir, upd__eng_target(e))
                            : upd__eng_err(e, UPD_E_IO, "staged: %s", strerror(errno));
        goto out;
    }
    upd__eng_event(e, "sync", NULL);
    if (upd__synctree(stfd) != 0 || fsync(sfd) != 0) { /* all of staged/ on disk before the marker says swap */
        r = upd__eng_err(e, UPD_E_IO, "syncing %s/staged: %s", e->_sdir, strerror(errno));
        goto out;
    }
    memcpy(m.state, "swap", 5);
    memcpy(m.version, version, strlen(version) + 1);
    memcpy(m.exe, upd__eng_exe(e), strlen(upd__eng_exe(e)) + 1);
    m.new_dev = (uint64_t)st.st_dev; m.new_ino = (uint64_t)st.st_ino;
    m.old_dev = (uint64_t)ist.st_dev; m.old_ino = (uint64_t)ist.st_ino;
    if (e->no_exec) { /* an external updater swaps right here */
        if ((r = upd__marker_write(e, sfd, &m)) != UPD_OK) {
            unlinkat(sfd, "marker", 0);
            unlinkat(sfd, ".marker.tmp", 0);
            fsync(sfd);
            goto out;
        }
        close(stfd);
        stfd = -1;
        {
            int fd2 = dup(sfd);
            r = fd2 < 0 ? upd__eng_err(e, UPD_E_IO, "dup: %s", strerror(errno)) : upd__startup_locked(e, fd2, &m);
        }
        goto out;
    }
    /* the helper: a copy of this program that does the swap */
    upd__eng_event(e, "helper", NULL);
    {
        int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        if (in < 0 && e->_argv && e->_argv[0]) in = open(e->_argv[0], O_RDONLY | O_CLOEXEC);
        unlinkat(sfd, "helper", 0);
        if (in < 0 || upd__copyfd(in, sfd, "helper", 0700) != 0) {
            if (in >= 0) close(in);
            r = upd__eng_err(e, UPD_E_IO, "cannot copy the running program to %s/helper", e->_sdir);
            goto out;
        }
        close(in);
    }
    if ((r = upd__marker_write(e, sfd, &m)) != UPD_OK) {
        unlinkat(sfd, "marker", 0); /* it may have been renamed into place before the error */
        unlinkat(sfd, ".marker.tmp", 0);
        fsync(sfd);
        goto out;
    }
    {
        char helper[UPDATER_MAX_PATH + 16];
        char *argv0[2];
        snprintf(helper, sizeof helper, "%s/helper", e->_sdir);
        close(lfd); lfd = -1; /* (the lock goes; the marker now guards) */
        close(stfd); close(ifd); close(sfd); close(pfd);
        fflush(NULL);
        upd__eng_event(e, "exec", helper);
        argv0[0] = helper; argv0[1] = NULL;
        execv(helper, e->_argv ? e->_argv : argv0);
        /* exec failed: undo, so the install stays as it was */
        r = upd__eng_err(e, UPD_E_IO, "cannot run the helper %s: %s", helper, strerror(errno));
        if ((sfd = upd__eng_sdir(e, 0, &r)) >= 0) { upd__marker_remove(e, sfd); upd__rmtree(sfd, "staged"); close(sfd); }
        return UPD_E_IO;
    }
out:
    if (stfd >= 0) { close(stfd); upd__rmtree(sfd, "staged"); }
    unlinkat(sfd, "helper", 0);
    unlinkat(sfd, ".helper.tmp", 0);
    if (ifd >= 0) close(ifd);
    if (lfd >= 0) close(lfd);
    close(sfd);
    close(pfd);
    return r;
}

#endif /* UPDATER_NO_ENGINE */

#if !defined(UPDATER_NO_HTTP) && !defined(UPDATER_NO_ENGINE)
/* ==== >>client =========================================================== */
/* State dir files the client keeps beside the engine's:
     serial          the highest @serial accepted (rollback protection)
     id              a random installation id (the rollout bucket)
     manifest, manifest.minisig, manifest.etag
                     the last verified manifest, its signature, and the URL
                     and ETag it came from (for If-None-Match)
     download.part   the package being downloaded
     download.info   its journal: url, sha256, size, validator, synced
     archive         the verified package, ready for upd_install() */
#define UPD__CL_SYNC_EVERY (8u << 20) /* bytes between fdatasyncs of download.part */

static int upd__write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

typedef struct upd__cl {
    upd_client *c;
    upd_engine tmp;           /* when the client has no engine */
    upd_pubkey keys[32];      /* embedded, then from the state dir, minus revoked */
    size_t nkeys, nembedded;
    upd_pubkey added[16];     /* the state dir's `keys` */
    size_t nadded;
    upd_pubkey revoked[32];   /* the state dir's `revoked` */
    size_t nrevoked;
} upd__cl;

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 3, 4)))
#endif
static upd_result upd__cl_err(upd_client *c, upd_result r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->error, sizeof c->error, fmt, ap);
    va_end(ap);
    return r;
}

static int upd__cl_canceled(upd_client *c)
{
    return UPD__LOAD(c->_cancel) != 0;
}

UPDDEF void upd_cancel(upd_client *c)
{
    UPD__STORE(c->_cancel, 1);
}

/* Checks the client's fields, parses the keys; the engine to use for the
   state dir (NULL: no state). */
static upd_result upd__cl_begin(upd__cl *k, upd_client *c)
{
    size_t i;
    upd_version cur;
    memset(k, 0, sizeof *k);
    k->c = c;
    c->error[0] = 0;
    c->retry_after = -1;
    c->not_modified = 0;
    c->requests = 0;
    if (!c->app || !c->current || !c->manifest_urls || !c->manifest_urls[0])
        return upd__cl_err(c, UPD_E_ARG, "app, current and manifest_urls are required");
    if (upd_version_parse(c->current, &cur, NULL) != UPD_OK)
        return upd__cl_err(c, UPD_E_VERSION, "the running version '%.64s' is not a valid version", c->current);
    for (i = 0; c->pubkeys && c->pubkeys[i]; i++) {
        if (i >= 16) return upd__cl_err(c, UPD_E_ARG, "more than 16 trusted keys");
        if (upd_pubkey_parse(&k->keys[i], c->pubkeys[i], strlen(c->pubkeys[i])) != UPD_OK)
            return upd__cl_err(c, UPD_E_SIG_FORMAT, "trusted key %u is not a minisign public key", (unsigned)i + 1);
    }
    k->nkeys = k->nembedded = i;
#ifdef UPDATER_INSECURE_UNSIGNED
    if (!k->nkeys && !c->insecure_unsigned)
#else
    if (!k->nkeys)
#endif
        return upd__cl_err(c, UPD_E_ARG, "no trusted public key: a manifest must be signed");
    if (!c->engine && c->state_dir) {
        k->tmp.install_dir = "/";
        k->tmp.exe = "-";
        k->tmp.state_dir = c->state_dir;
    }
    return UPD_OK;
}

static upd_engine *upd__cl_engine(upd__cl *k)
{
    return k->c->engine ? k->c->engine : k->tmp.state_dir ? &k->tmp : NULL;
}

/* Opens (creates) the state dir: an fd, -1 with no state, -2 on error. */
static int upd__cl_sdir(upd__cl *k)
{
    upd_engine *e = upd__cl_engine(k);
    upd_result r;
    int fd;
    if (!e) return -1;
    fd = upd__eng_sdir(e, 1, &r);
    if (fd < 0) {
        upd__cl_err(k->c, r == UPD_OK ? UPD_E_STATE : r, "%s", e->error[0] ? e->error : "no state dir");
        return -2;
    }
    return fd;
}

/* Reads a small state file whole (NUL-terminated): its length, or -1. */
static long upd__cl_read(int sfd, const char *name, char *buf, size_t cap)
{
    int fd = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    size_t n = 0;
    struct stat st;
    if (fd < 0) return -1;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) { close(fd); return -1; }
    while (n < cap - 1) {
        ssize_t got = read(fd, buf + n, cap - 1 - n);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        n += (size_t)got;
    }
    close(fd);
    buf[n] = 0;
    return (long)n;
}

/* The installation id (made at the first check) and its rollout bucket. */
static int upd__cl_bucket(upd__cl *k, int sfd)
{
    char id[80];
    long n = sfd >= 0 ? upd__cl_read(sfd, "id", id, sizeof id) : -1;
    if (n < 32) {
        uint8_t raw[16];
        if (sfd < 0 || upd_random(raw, sizeof raw) != UPD_OK) return 0;
        upd_hex_encode(raw, sizeof raw, id);
        id[32] = '\n';
        if (upd__eng_write(upd__cl_engine(k), sfd, "id", id, 33, 0600) != UPD_OK) return 0;
    }
    id[32] = 0;
    return upd_rollout_bucket(id);
}

/* A whole small body into memory. */
/* A body in memory, grown as it arrives (up to cap bytes, plus a NUL). */
typedef struct upd__cl_mem { char *p; size_t len, cap, alloc; } upd__cl_mem;

static int upd__cl_mem_grow(upd__cl_mem *m, size_t need)
{
    size_t n = m->alloc ? m->alloc : 4096;
    char *q;
    if (need <= m->alloc) return 0;
    while (n < need) n = n > (m->cap + 1) / 2 ? m->cap + 1 : n * 2;
    if (n < need) return -1;
    q = (char *)UPDATER_REALLOC(NULL, m->p, n);
    if (!q) return -1;
    m->p = q;
    m->alloc = n;
    return 0;
}

static upd_result upd__cl_mem_body(void *user, const uint8_t *data, size_t len)
{
    upd__cl_mem *m = (upd__cl_mem *)user;
    if (len > m->cap - m->len) return UPD_E_TOOBIG;
    if (upd__cl_mem_grow(m, m->len + len + 1) != 0) return UPD_E_NOMEM;
    memcpy(m->p + m->len, data, len);
    m->len += len;
    return UPD_OK;
}

static upd_result upd__cl_mem_progress(void *user, uint64_t done, uint64_t total)
{
    (void)user; (void)done; (void)total;
    return UPD_OK;
}

static void upd__cl_opts(upd_client *c, upd_http_opts *o)
{
    *o = c->http;
    o->range_from = 0;
    o->if_range = o->if_none_match = o->if_modified_since = NULL;
    o->on_start = NULL;
    o->on_body = NULL;
    o->on_progress = NULL;
    o->user = NULL;
    o->cancel = &c->_cancel;
}

/* GET url into m (at most m->cap bytes). */
static upd_result upd__cl_get(upd_client *c, const char *url, const char *inm, upd__cl_mem *m, upd_http_result *res)
{
    upd_http_opts o;
    upd_result r;
    upd__cl_opts(c, &o);
    o.if_none_match = inm;
    o.max_body = m->cap;
    o.on_body = upd__cl_mem_body;
    o.on_progress = upd__cl_mem_progress;
    o.user = m;
    m->len = 0;
    c->requests++;
    r = upd_http_get(url, &o, res);
    if (res->retry_after >= 0) c->retry_after = res->retry_after;
    if (r != UPD_OK) upd__cl_err(c, r, "%s", res->error[0] ? res->error : upd_strerror(r));
    return r;
}

static int upd__cl_skip_failed(void *user, const char *version)
{
    upd_engine *e = (upd_engine *)user;
    return e && upd_version_failed(e, version);
}

static void upd__cl_copy(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap) n = cap - 1;
    if (n) memcpy(dst, src, n);
    dst[n] = 0;
}

static int upd__key_in(const upd_pubkey *list, size_t n, const upd_pubkey *k)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (memcmp(&list[i], k, sizeof *k) == 0) return 1;
    return 0;
}

/* Reads a state dir key list (one "RW..." line each) into list. */
static size_t upd__cl_keyfile(int sfd, const char *name, upd_pubkey *list, size_t cap)
{
    char buf[4096], *line, *next;
    size_t n = 0;
    if (upd__cl_read(sfd, name, buf, sizeof buf) <= 0) return 0;
    for (line = buf; *line && n < cap; line = next) {
        upd_pubkey k;
        next = strchr(line, '\n');
        if (next) *next++ = 0; else next = line + strlen(line);
        if (*line && upd_pubkey_parse(&k, line, strlen(line)) == UPD_OK && !upd__key_in(list, n, &k)) list[n++] = k;
    }
    return n;
}

/* The trusted set: the program's keys and those the state dir added,
   minus those revoked. */
static upd_result upd__cl_trusted(upd__cl *k, int sfd)
{
    size_t i, n = 0;
    upd_pubkey all[32];
    if (sfd < 0 || !k->nembedded) return UPD_OK;
    k->nadded = upd__cl_keyfile(sfd, "keys", k->added, 16);
    k->nrevoked = upd__cl_keyfile(sfd, "revoked", k->revoked, 32);
    for (i = 0; i < k->nembedded + k->nadded; i++) {
        const upd_pubkey *key = i < k->nembedded ? &k->keys[i] : &k->added[i - k->nembedded];
        if (!upd__key_in(k->revoked, k->nrevoked, key) && !upd__key_in(all, n, key)) all[n++] = *key;
    }
    if (!n) return upd__cl_err(k->c, UPD_E_KEYID, "every trusted key has been revoked (state dir `revoked`)");
    memcpy(k->keys, all, n * sizeof all[0]);
    k->nkeys = n;
    return UPD_OK;
}

/* Applies a verified manifest's @trust-key and @revoke-key lines to the
   state dir; refuses (changing nothing) a manifest that would leave no
   trusted key. */
static upd_result upd__cl_rotate(upd__cl *k, int sfd, const upd_manifest *m)
{
    upd_pubkey added[16], revoked[32];
    size_t na = 0, nr = k->nrevoked, i, left = 0;
    char text[32 * 64 + 1], line[256];
    size_t len;
    upd_result r;
    if (sfd < 0 || (!m->ntrust && !m->nrevoke)) return UPD_OK;
    memcpy(revoked, k->revoked, nr * sizeof revoked[0]);
    for (i = 0; i < m->nrevoke; i++)
        if (!upd__key_in(revoked, nr, &m->revoke[i])) {
            if (nr == 32) return upd__cl_err(k->c, UPD_E_TOOBIG, "more than 32 revoked keys");
            revoked[nr++] = m->revoke[i];
        }
    for (i = 0; i < k->nadded + m->ntrust; i++) {
        const upd_pubkey *key = i < k->nadded ? &k->added[i] : &m->trust[i - k->nadded];
        if (upd__key_in(revoked, nr, key) || upd__key_in(added, na, key)) continue;
        if (na == 16) return upd__cl_err(k->c, UPD_E_TOOBIG, "more than 16 keys added by manifests");
        added[na++] = *key;
    }
    { /* count what would still be trusted */
        upd_pubkey emb;
        left = na;
        for (i = 0; k->c->pubkeys && k->c->pubkeys[i]; i++)
            if (upd_pubkey_parse(&emb, k->c->pubkeys[i], strlen(k->c->pubkeys[i])) == UPD_OK && !upd__key_in(revoked, nr, &emb) &&
                !upd__key_in(added, na, &emb))
                left++;
    }
    if (!left) return upd__cl_err(k->c, UPD_E_MANIFEST, "the manifest revokes every trusted key and adds none: refused");
    if (na != k->nadded || memcmp(added, k->added, na * sizeof added[0]) != 0) {
        for (len = 0, i = 0; i < na; i++) {
            if (upd_pubkey_format(&added[i], line, sizeof line) != UPD_OK) continue;
            {   /* the base64 line of the formatted file (its second line) */
                char *b = strchr(line, '\n');
                size_t bl;
                b = b ? b + 1 : line;
                bl = strcspn(b, "\n");
                memcpy(text + len, b, bl);
                len += bl;
                text[len++] = '\n';
            }
        }
        if ((r = upd__eng_write(upd__cl_engine(k), sfd, "keys", text, len, 0600)) != UPD_OK)
            return upd__cl_err(k->c, r, "%s", upd__cl_engine(k)->error);
    }
    if (nr != k->nrevoked) {
        for (len = 0, i = 0; i < nr; i++) {
            char *b;
            size_t bl;
            if (upd_pubkey_format(&revoked[i], line, sizeof line) != UPD_OK) continue;
            b = strchr(line, '\n');
            b = b ? b + 1 : line;
            bl = strcspn(b, "\n");
            memcpy(text + len, b, bl);
            len += bl;
            text[len++] = '\n';
        }
        if ((r = upd__eng_write(upd__cl_engine(k), sfd, "revoked", text, len, 0600)) != UPD_OK)
            return upd__cl_err(k->c, r, "%s", upd__cl_engine(k)->error);
    }
    return UPD_OK;
}

/* The client's state files are regular files or absent: a symlink or
   anything else there is refused, never taken for "absent" (which would
   forget the serial, a revocation or a rollback). */
static upd_result upd__cl_statefiles(upd__cl *k, int sfd)
{
    static const char *const names[] = {"serial", "id", "keys", "revoked", "failed", "manifest", "manifest.minisig",
                                        "manifest.etag"};
    size_t i;
    for (i = 0; sfd >= 0 && i < sizeof names / sizeof names[0]; i++) {
        struct stat st;
        int fd = openat(sfd, names[i], O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0) {
            if (errno == ENOENT) continue;
            return upd__cl_err(k->c, UPD_E_STATE, "%s/%s: %s", upd__cl_engine(k)->_sdir, names[i], strerror(errno));
        }
        if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
            close(fd);
            return upd__cl_err(k->c, UPD_E_STATE, "%s/%s: not a regular file", upd__cl_engine(k)->_sdir, names[i]);
        }
        close(fd);
    }
    return UPD_OK;
}

/* One manifest URL: fetch (or reuse the cached copy on 304), verify,
   parse, check serial and time, select. */
static upd_result upd__cl_check_one(upd__cl *k, int sfd, const char *url, upd_offer *o)
{
    upd_client *c = k->c;
    upd_http_result *res = (upd_http_result *)UPDATER_MALLOC(NULL, sizeof *res);
    upd__cl_mem text, sig;
    upd_manifest m;
    upd_result r;
    char sigurl[UPDATER_MAX_URL + 16], etag[UPDATER_MAX_URL + 256], serial[96];
    const char *inm = NULL;
    int fresh = 1, is_signed = k->nkeys > 0, retried = 0, have_etag = 0;
    memset(&m, 0, sizeof m);
    memset(&text, 0, sizeof text);
    memset(&sig, 0, sizeof sig);
    text.cap = UPDATER_MAX_MANIFEST_BYTES;
    sig.cap = UPDATER_MAX_MINISIG;
    if (!res || upd__cl_mem_grow(&text, 4096) != 0 || upd__cl_mem_grow(&sig, UPDATER_MAX_MINISIG + 1) != 0) {
        r = upd__cl_err(c, UPD_E_NOMEM, "out of memory");
        goto out;
    }
    if (strlen(url) > UPDATER_MAX_URL) { r = upd__cl_err(c, UPD_E_TOOBIG, "manifest URL too long"); goto out; }
    snprintf(sigurl, sizeof sigurl, "%s.minisig", url);
    /* the cached copy's ETag, if it came from this URL */
    if (sfd >= 0 && upd__cl_read(sfd, "manifest.etag", etag, sizeof etag) > 0) {
        char *nl = strchr(etag, '\n');
        if (nl && (size_t)(nl - etag) == strlen(url) && memcmp(etag, url, strlen(url)) == 0 && nl[1] && nl[1] != '\n') {
            char *end = strchr(nl + 1, '\n');
            if (end) { *end = 0; inm = nl + 1; }
        }
    }
    if (c->on_progress && c->on_progress(c->user, "check", 0, 0)) { r = upd__cl_err(c, UPD_E_CANCELED, "canceled"); goto out; }
    if ((r = upd__cl_statefiles(k, sfd)) != UPD_OK || (r = upd__cl_trusted(k, sfd)) != UPD_OK) goto out;
again:
    if ((r = upd__cl_get(c, url, inm, &text, res)) != UPD_OK) goto out;
    if (res->status == 304) { /* unchanged: the verified copy we keep */
        struct stat cst;
        long n1 = -1, n2;
        if (fstatat(sfd, "manifest", &cst, AT_SYMLINK_NOFOLLOW) == 0 && cst.st_size >= 0 &&
            (uint64_t)cst.st_size <= text.cap && upd__cl_mem_grow(&text, (size_t)cst.st_size + 1) == 0)
            n1 = upd__cl_read(sfd, "manifest", text.p, text.alloc);
        n2 = upd__cl_read(sfd, "manifest.minisig", sig.p, sig.alloc);
        if (n1 < 0 || n2 < 0) { r = upd__cl_err(c, UPD_E_STATE, "%s answered 304 but the cached manifest is gone", url); goto out; }
        text.len = (size_t)n1;
        sig.len = (size_t)n2;
        fresh = 0;
        c->not_modified = 1;
    } else {
        snprintf(etag, sizeof etag, "%s\n%s\n", url, res->etag);
        have_etag = res->etag[0] != 0 && !strchr(res->etag, '\n');
        if (is_signed && (r = upd__cl_get(c, sigurl, NULL, &sig, res)) != UPD_OK) {
            upd__cl_err(c, r, "the manifest's signature: %s", res->error[0] ? res->error : upd_strerror(r));
            goto out;
        }
    }
    if (is_signed) {
        upd_minisig *ms = (upd_minisig *)UPDATER_MALLOC(NULL, sizeof *ms);
        if (!ms) { r = upd__cl_err(c, UPD_E_NOMEM, "out of memory"); goto out; }
        r = upd_minisig_parse(ms, sig.p, sig.len);
        if (r == UPD_OK) r = upd_minisig_verify(ms, k->keys, k->nkeys, text.p, text.len);
        UPDATER_FREE(NULL, ms);
        if ((r == UPD_E_SIG || r == UPD_E_SIG_GLOBAL) && fresh && !retried) {
            /* a publish may have replaced the two files between our two
               requests: fetch both once more before calling it forged */
            retried = 1;
            inm = NULL;
            goto again;
        }
        if (r != UPD_OK) {
            upd__cl_err(c, r, "%s: %s", sigurl, r == UPD_E_KEYID ? "signed by a key that is not trusted" : upd_strerror(r));
            goto out;
        }
    } else {
        fprintf(stderr, "updater.h: WARNING: the manifest %s is not verified (insecure_unsigned)\n", url);
    }
    if ((r = upd_manifest_parse(&m, text.p, text.len, url)) != UPD_OK) {
        upd__cl_err(c, r, "%s: %s", url, m.error[0] ? m.error : upd_strerror(r));
        goto out;
    }
    if (upd_manifest_check_time(&m, (int64_t)time(NULL)) != UPD_OK) {
        r = upd__cl_err(c, UPD_E_EXPIRED, "%s expired at %lld (a replayed old manifest, or this device's clock is wrong)",
                        url, (long long)m.expires);
        goto out;
    }
    if (sfd >= 0) {
        unsigned long long seen = 0;
        uint8_t digest[32];
        char hex[65];
        const char *seen_hex = NULL;
        upd_sha256(text.p, text.len, digest);
        upd_hex_encode(digest, 32, hex);
        if (upd__cl_read(sfd, "serial", serial, sizeof serial) > 0) { /* "N\nSHA-256 of that manifest\n" */
            char *nl = strchr(serial, '\n');
            seen = strtoull(serial, NULL, 10);
            if (nl && strlen(nl + 1) >= 64) { nl[65] = 0; seen_hex = nl + 1; }
        }
        if (m.serial < seen) {
            r = upd__cl_err(c, UPD_E_SERIAL, "%s has @serial %llu, older than %llu accepted before (a replayed manifest)",
                            url, (unsigned long long)m.serial, seen);
            goto out;
        }
        if (m.serial == seen && seen_hex && memcmp(seen_hex, hex, 64) != 0) {
            r = upd__cl_err(c, UPD_E_SERIAL, "%s has @serial %llu like the one accepted before, but other content (a forked manifest)",
                            url, seen);
            goto out;
        }
        if (m.serial > seen || !seen_hex) {
            int n = snprintf(serial, sizeof serial, "%llu\n%s\n", (unsigned long long)m.serial, hex);
            if ((r = upd__eng_write(upd__cl_engine(k), sfd, "serial", serial, (size_t)n, 0600)) != UPD_OK) {
                upd__cl_err(c, r, "%s", upd__cl_engine(k)->error);
                goto out;
            }
        }
        if ((r = upd__cl_rotate(k, sfd, &m)) != UPD_OK) goto out;
        if (fresh && is_signed) { /* keep the verified copy for If-None-Match */
            unlinkat(sfd, "manifest.etag", 0);
            if (upd__eng_write(upd__cl_engine(k), sfd, "manifest", text.p, text.len, 0600) == UPD_OK &&
                upd__eng_write(upd__cl_engine(k), sfd, "manifest.minisig", sig.p, sig.len, 0600) == UPD_OK && have_etag)
                upd__eng_write(upd__cl_engine(k), sfd, "manifest.etag", etag, strlen(etag), 0600);
        }
    }
    {
        upd_query q;
        upd_choice ch;
        memset(&q, 0, sizeof q);
        q.app = c->app;
        q.current = c->current;
        q.channel = c->channel;
        q.bucket = upd__cl_bucket(k, sfd);
        q.skip = upd__cl_skip_failed;
        q.skip_user = upd__cl_engine(k);
        r = upd_manifest_select(&m, &q, &ch);
        if (r == UPD_NO_UPDATE) { upd__cl_err(c, r, "%s %s is up to date", c->app, c->current); goto out; }
        if (r != UPD_OK) { upd__cl_err(c, r, "selecting a release: %s", upd_strerror(r)); goto out; }
        memset(o, 0, sizeof *o);
        upd__cl_copy(o->version, sizeof o->version, ch.version);
        {
            const upd_release *p = ch.delta ? ch.delta : ch.full;
            upd__cl_copy(o->url, sizeof o->url, p->url);
            o->size = p->size;
            memcpy(o->sha256, p->sha256, 32);
            if (ch.delta) upd__cl_copy(o->from, sizeof o->from, ch.delta->from);
            if (p->has_tree) upd_hex_encode(p->tree, 32, o->tree);
            if (ch.delta && ch.full) {
                upd__cl_copy(o->full_url, sizeof o->full_url, ch.full->url);
                o->full_size = ch.full->size;
                memcpy(o->full_sha256, ch.full->sha256, 32);
            }
            upd__cl_copy(o->notes, sizeof o->notes, p->notes);
        }
        o->critical = ch.critical;
        o->serial = m.serial;
        if (strlen(o->url) >= sizeof o->url - 1 || strlen(ch.version) >= sizeof o->version)
            { r = upd__cl_err(c, UPD_E_TOOBIG, "release URL or version too long"); goto out; }
    }
out:
    upd_manifest_free(&m);
    UPDATER_FREE(NULL, text.p);
    UPDATER_FREE(NULL, sig.p);
    UPDATER_FREE(NULL, res);
    return r;
}

static upd_result upd__check(upd_client *c, upd_offer *o)
{
    upd__cl k;
    upd_result r;
    size_t i;
    int sfd;
    if ((r = upd__cl_begin(&k, c)) != UPD_OK) return r;
    if ((sfd = upd__cl_sdir(&k)) == -2) return UPD_E_STATE;
    for (i = 0; c->manifest_urls[i]; i++) { /* mirrors in order, while they fail */
        r = upd__cl_check_one(&k, sfd, c->manifest_urls[i], o);
        if (r == UPD_OK || r == UPD_NO_UPDATE || r == UPD_E_CANCELED || r == UPD_E_NOMEM) break;
    }
    if (sfd >= 0) close(sfd);
    return r;
}

/* ---- download ---- */
typedef struct upd__dl {
    upd_client *c;
    upd__cl *k;
    int sfd, fd;
    uint64_t base, got, size, synced;
    upd_sha256_ctx sha;
    char url[UPDATER_MAX_URL + 1], validator[160], hex[65];
    upd_result err;
} upd__dl;

/* download.info: the journal of download.part */
static upd_result upd__dl_journal(upd__dl *d)
{
    char buf[UPDATER_MAX_URL + 512];
    int n = snprintf(buf, sizeof buf, "url=%s\nsha256=%s\nsize=%llu\nvalidator=%s\nsynced=%llu\n", d->url, d->hex,
                     (unsigned long long)d->size, d->validator, (unsigned long long)d->synced);
    if (n < 0 || (size_t)n >= sizeof buf) return UPD_E_TOOBIG;
    return upd__eng_write(upd__cl_engine(d->k), d->sfd, "download.info", buf, (size_t)n, 0600);
}

static const char *upd__dl_field(char *info, const char *key)
{
    size_t kl = strlen(key);
    char *p = info;
    while (p && *p) {
        char *nl = strchr(p, '\n');
        if (strncmp(p, key, kl) == 0 && p[kl] == '=') {
            if (nl) *nl = 0;
            return p + kl + 1;
        }
        p = nl ? nl + 1 : NULL;
    }
    return NULL;
}

static upd_result upd__dl_sync(upd__dl *d)
{
    if (fdatasync(d->fd) != 0) return upd__cl_err(d->c, UPD_E_IO, "download.part: %s", strerror(errno));
    d->synced = d->base + d->got;
    return upd__dl_journal(d);
}

static upd_result upd__dl_start(void *user, const upd_http_result *res)
{
    upd__dl *d = (upd__dl *)user;
    if (!res->resumed && d->base) { /* the server sends it all again */
        if (ftruncate(d->fd, 0) != 0 || lseek(d->fd, 0, SEEK_SET) != 0) return UPD_E_IO;
        d->base = 0;
        upd_sha256_init(&d->sha);
    }
    d->c->resumed = res->resumed;
    if (res->length != UINT64_MAX && d->base + res->length != d->size) {
        upd__cl_err(d->c, UPD_E_DIGEST, "%s: the server announces %llu bytes, the manifest says %llu", d->url,
                    (unsigned long long)(d->base + res->length), (unsigned long long)d->size);
        return d->err = UPD_E_DIGEST;
    }
    upd__cl_copy(d->validator, sizeof d->validator, res->etag[0] && res->etag[0] != 'W' ? res->etag : res->last_modified);
    if (strchr(d->validator, '\n')) d->validator[0] = 0;
    d->synced = d->base;
    return upd__dl_journal(d);
}

static upd_result upd__dl_body(void *user, const uint8_t *data, size_t len)
{
    upd__dl *d = (upd__dl *)user;
    uint64_t before = d->base + d->got;
    if (len > d->size - before) { /* never more than the manifest says */
        upd__cl_err(d->c, UPD_E_DIGEST, "%s: the server sends more than the %llu bytes the manifest says", d->url,
                    (unsigned long long)d->size);
        return d->err = UPD_E_DIGEST;
    }
    if (upd__write_all(d->fd, data, len) != 0) {
        upd__cl_err(d->c, UPD_E_IO, "download.part: %s", strerror(errno));
        return d->err = UPD_E_IO;
    }
    upd_sha256_update(&d->sha, data, len);
    d->got += len;
    d->c->downloaded += len;
    if ((before + len) / UPD__CL_SYNC_EVERY != before / UPD__CL_SYNC_EVERY && upd__dl_sync(d) != UPD_OK)
        return d->err = UPD_E_IO;
    return UPD_OK;
}

static upd_result upd__dl_progress(void *user, uint64_t done, uint64_t total)
{
    upd__dl *d = (upd__dl *)user;
    (void)done; (void)total;
    if (d->c->on_progress && d->c->on_progress(d->c->user, "download", d->base + d->got, d->size)) return UPD_E_CANCELED;
    return UPD_OK;
}

/* SHA-256 of the first n bytes of fd (the part already downloaded). */
static int upd__dl_hash_prefix(upd__dl *d, uint64_t n)
{
    uint8_t buf[65536];
    uint64_t left = n;
    if (lseek(d->fd, 0, SEEK_SET) != 0) return -1;
    while (left > 0) {
        ssize_t k = read(d->fd, buf, left < sizeof buf ? (size_t)left : sizeof buf);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        upd_sha256_update(&d->sha, buf, (size_t)k);
        left -= (uint64_t)k;
    }
    return 0;
}

/* Is <state>/archive already this package? (re-hashed: it is read next) */
static int upd__dl_ready(upd__dl *d, const uint8_t want[32])
{
    char info[UPDATER_MAX_URL + 512];
    const char *v;
    struct stat st;
    uint8_t got[32];
    char path[UPDATER_MAX_PATH + 16];
    if (upd__cl_read(d->sfd, "archive.info", info, sizeof info) <= 0 || !(v = upd__dl_field(info, "sha256")) ||
        strcmp(v, d->hex) != 0)
        return 0;
    if (fstatat(d->sfd, "archive", &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != d->size)
        return 0;
    if (d->c->on_progress && d->c->on_progress(d->c->user, "verify", 0, d->size)) return 0;
    snprintf(path, sizeof path, "%s/archive", upd__cl_engine(d->k)->_sdir);
    return upd_sha256_file(path, got) == UPD_OK && memcmp(got, want, 32) == 0;
}

static upd_result upd__download(upd__cl *k, int sfd, upd_offer *o)
{
    upd_client *c = k->c;
    upd__dl *d;
    upd_http_opts ho;
    upd_http_result *res;
    upd_result r;
    char info[UPDATER_MAX_URL + 512];
    struct stat st;
    uint8_t got[32];
    int lfd;
    struct flock fl;
    if (!o->url[0] || !o->size) return upd__cl_err(c, UPD_E_ARG, "the offer has no package");
    d = (upd__dl *)UPDATER_MALLOC(NULL, sizeof *d);
    res = (upd_http_result *)UPDATER_MALLOC(NULL, sizeof *res);
    if (!d || !res) { UPDATER_FREE(NULL, d); UPDATER_FREE(NULL, res); return upd__cl_err(c, UPD_E_NOMEM, "out of memory"); }
    memset(d, 0, sizeof *d);
    d->c = c;
    d->k = k;
    d->sfd = sfd;
    d->fd = -1;
    d->size = o->size;
    upd__cl_copy(d->url, sizeof d->url, o->url);
    upd_hex_encode(o->sha256, 32, d->hex);
    c->downloaded = 0;
    c->resumed = 0;
    /* one download per state dir at a time */
    lfd = openat(sfd, "download.lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (lfd < 0 || fcntl(lfd, F_SETLK, &fl) != 0) { r = upd__cl_err(c, UPD_E_BUSY, "another download is under way in %s", upd__cl_engine(k)->_sdir); goto out; }
    if (upd__dl_ready(d, o->sha256)) goto ready;
    if (upd__cl_canceled(c)) { r = upd__cl_err(c, UPD_E_CANCELED, "canceled"); goto out; }
    /* resume download.part if the journal names the same package */
    d->fd = openat(sfd, "download.part", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (d->fd < 0 || fstat(d->fd, &st) != 0 || !S_ISREG(st.st_mode)) { r = upd__cl_err(c, UPD_E_IO, "download.part: %s", strerror(errno)); goto out; }
    upd_sha256_init(&d->sha);
    if (upd__cl_read(sfd, "download.info", info, sizeof info) > 0) {
        char copy[sizeof info];
        const char *v, *val, *syn;
        int same;
        memcpy(copy, info, sizeof info); /* each lookup cuts its line: on a fresh copy */
        v = upd__dl_field(copy, "sha256");
        same = v && strcmp(v, d->hex) == 0;
        memcpy(copy, info, sizeof info);
        val = upd__dl_field(copy, "validator");
        if (same && val && *val) {
            unsigned long long on_disk;
            upd__cl_copy(d->validator, sizeof d->validator, val);
            memcpy(copy, info, sizeof info);
            syn = upd__dl_field(copy, "synced");
            on_disk = syn ? strtoull(syn, NULL, 10) : 0;
            if (on_disk > (unsigned long long)st.st_size) on_disk = (unsigned long long)st.st_size;
            if (on_disk > d->size) on_disk = 0;
            d->base = on_disk;
        }
    }
    if (ftruncate(d->fd, (off_t)d->base) != 0 || upd__dl_hash_prefix(d, d->base) != 0 || lseek(d->fd, (off_t)d->base, SEEK_SET) < 0) {
        r = upd__cl_err(c, UPD_E_IO, "download.part: %s", strerror(errno));
        goto out;
    }
    if (!d->base) d->validator[0] = 0;
    d->synced = d->base;
    if ((r = upd__dl_journal(d)) != UPD_OK) { upd__cl_err(c, r, "download.info: %s", upd__cl_engine(k)->error); goto out; }
    if (d->base < d->size) {
        upd__cl_opts(c, &ho);
        ho.range_from = d->base;
        ho.if_range = d->base ? d->validator : NULL;
        ho.on_start = upd__dl_start;
        ho.on_body = upd__dl_body;
        ho.on_progress = upd__dl_progress;
        ho.user = d;
        c->requests++;
        r = upd_http_get(d->url, &ho, res);
        if (r == UPD_E_HTTP_STATUS && res->status == 416 && d->base) { /* the part is not a prefix of what is there */
            if (ftruncate(d->fd, 0) != 0 || lseek(d->fd, 0, SEEK_SET) != 0) { r = upd__cl_err(c, UPD_E_IO, "download.part: %s", strerror(errno)); goto out; }
            d->base = d->got = 0;
            upd_sha256_init(&d->sha);
            ho.range_from = 0;
            ho.if_range = NULL;
            c->requests++;
            r = upd_http_get(d->url, &ho, res);
        }
        if (res->retry_after >= 0) c->retry_after = res->retry_after;
        if (r != UPD_OK) {
            if (d->err == UPD_E_DIGEST) r = UPD_E_DIGEST;
            else if (d->err == UPD_OK || r != d->err) upd__cl_err(c, r, "%s", res->error[0] ? res->error : upd_strerror(r));
            if (r == UPD_E_DIGEST) goto discard;
            upd__dl_sync(d); /* what arrived stays for the next resume */
            goto out;
        }
    }
    if (d->base + d->got != d->size) {
        r = upd__cl_err(c, UPD_E_DIGEST, "%s: %llu bytes, the manifest says %llu", d->url,
                        (unsigned long long)(d->base + d->got), (unsigned long long)d->size);
        goto discard;
    }
    upd_sha256_final(&d->sha, got);
    if (memcmp(got, o->sha256, 32) != 0) {
        char hex[65];
        upd_hex_encode(got, 32, hex);
        r = upd__cl_err(c, UPD_E_DIGEST, "%s: SHA-256 %s, the manifest says %s", d->url, hex, d->hex);
        goto discard;
    }
    if (fsync(d->fd) != 0 || renameat(sfd, "download.part", sfd, "archive") != 0) {
        r = upd__cl_err(c, UPD_E_IO, "archive: %s", strerror(errno));
        goto out;
    }
    {
        int n = snprintf(info, sizeof info, "sha256=%s\nversion=%s\n", d->hex, o->version);
        unlinkat(sfd, "download.info", 0);
        if ((r = upd__eng_write(upd__cl_engine(k), sfd, "archive.info", info, (size_t)n, 0600)) != UPD_OK) {
            upd__cl_err(c, r, "%s", upd__cl_engine(k)->error);
            goto out;
        }
    }
ready:
    snprintf(o->archive, sizeof o->archive, "%s/archive", upd__cl_engine(k)->_sdir);
    r = UPD_OK;
    goto out;
discard: /* it is not what the manifest promised: start afresh next time */
    unlinkat(sfd, "download.part", 0);
    unlinkat(sfd, "download.info", 0);
out:
    if (d->fd >= 0) close(d->fd);
    if (lfd >= 0) close(lfd);
    UPDATER_FREE(NULL, d);
    UPDATER_FREE(NULL, res);
    return r;
}

static upd_result upd__download_one(upd_client *c, upd_offer *o)
{
    upd__cl k;
    upd_result r;
    int sfd;
    o->archive[0] = 0;
    if ((r = upd__cl_begin(&k, c)) != UPD_OK) return r;
    if ((sfd = upd__cl_sdir(&k)) < 0)
        return sfd == -1 ? upd__cl_err(c, UPD_E_ARG, "downloading needs an engine or a state dir") : UPD_E_STATE;
    r = upd__download(&k, sfd, o);
    close(sfd);
    return r;
}

/* The offer's full package instead of its incremental one. */
static int upd__cl_to_full(upd_offer *o)
{
    if (!o->from[0] || !o->full_url[0]) return 0;
    memcpy(o->url, o->full_url, sizeof o->url);
    o->size = o->full_size;
    memcpy(o->sha256, o->full_sha256, 32);
    o->from[0] = o->full_url[0] = 0;
    o->archive[0] = 0;
    return 1;
}

/* The package, or (when it is incremental and fails) the full one. */
static upd_result upd__download_any(upd_client *c, upd_offer *o)
{
    upd_result r = upd__download_one(c, o);
    if (r != UPD_OK && r != UPD_E_CANCELED && r != UPD_E_BUSY && o->from[0] && o->full_url[0]) {
        snprintf(c->fallback, sizeof c->fallback, "%s", c->error);
        if (c->on_progress) c->on_progress(c->user, "fallback", 0, 0);
        if (upd__cl_to_full(o)) r = upd__download_one(c, o);
    }
    return r;
}

UPDDEF upd_result upd_check(upd_client *c, upd_offer *o)
{
    UPDATER_ASSERT(c != NULL && o != NULL);
    UPD__STORE(c->_cancel, 0);
    return upd__check(c, o);
}

UPDDEF upd_result upd_download(upd_client *c, upd_offer *o)
{
    UPDATER_ASSERT(c != NULL && o != NULL);
    UPD__STORE(c->_cancel, 0);
    return upd__download_one(c, o);
}

UPDDEF upd_result upd_apply(upd_client *c, const upd_offer *o)
{
    upd_result r;
    UPDATER_ASSERT(c != NULL && o != NULL);
    if (!c->engine) return upd__cl_err(c, UPD_E_ARG, "installing needs an engine");
    if (!o->archive[0]) return upd__cl_err(c, UPD_E_ARG, "nothing downloaded to install");
    /* the release's tree: incremental packages must prove their result */
    c->engine->tree = o->tree[0] ? o->tree : NULL;
    c->engine->need_tree = o->tree[0] && o->from[0];
    r = upd_install(c->engine, o->archive, o->version);
    c->engine->tree = NULL;
    c->engine->need_tree = 0;
    upd__cl_err(c, r, "%s", c->engine->error);
    return r;
}

UPDDEF upd_result upd_update(upd_client *c)
{
    upd_offer *o = (upd_offer *)UPDATER_MALLOC(NULL, sizeof *o);
    upd_result r;
    if (!o) return upd__cl_err(c, UPD_E_NOMEM, "out of memory");
    if (!c->engine) { UPDATER_FREE(NULL, o); return upd__cl_err(c, UPD_E_ARG, "updating needs an engine"); }
    UPD__STORE(c->_cancel, 0);
    c->fallback[0] = 0;
    if ((r = upd__check(c, o)) != UPD_OK) goto out;
    if ((r = upd__download_any(c, o)) != UPD_OK) goto out;
    if (c->confirm && !c->confirm(c->user, o)) { r = upd__cl_err(c, UPD_E_CANCELED, "%s %s is downloaded; not installed now", c->app, o->version); goto out; }
    r = upd_apply(c, o); /* returns only on failure (or UPD_OK with no_exec) */
    if (r != UPD_OK && r != UPD_E_BUSY && r != UPD_E_CANCELED && o->from[0] && o->full_url[0]) {
        /* a failed incremental package never blocks the update: the full one */
        snprintf(c->fallback, sizeof c->fallback, "%s", c->error);
        if (c->on_progress) c->on_progress(c->user, "fallback", 0, 0);
        if (upd__cl_to_full(o) && (r = upd__download_one(c, o)) == UPD_OK) r = upd_apply(c, o);
    }
out:
    UPDATER_FREE(NULL, o);
    return r;
}

#ifndef UPDATER_NO_THREADS
/* ---- the worker thread ---- */
typedef struct upd__worker {
    pthread_t thread;
    upd_client *c;
    upd_async_fn done;
    int mode;                 /* 0 check, 1 download, 2 watch */
    unsigned long interval_ms;
    upd_result result;
    upd_offer offer;
} upd__worker;

/* Sleeps ms unless canceled first (checked every 50 ms): 0, or -1 when canceled. */
static int upd__cl_sleep(upd_client *c, uint64_t ms)
{
    while (ms > 0) {
        struct timespec ts;
        uint64_t step = ms < 50 ? ms : 50;
        if (upd__cl_canceled(c)) return -1;
        ts.tv_sec = 0;
        ts.tv_nsec = (long)(step * 1000000u);
        nanosleep(&ts, NULL);
        ms -= step;
    }
    return upd__cl_canceled(c) ? -1 : 0;
}

static uint64_t upd__cl_rand(uint64_t below)
{
    uint64_t x = 0;
    if (below == 0) return 0;
    if (upd_random(&x, sizeof x) != UPD_OK) x = (uint64_t)time(NULL) * 2654435761u;
    return x % below;
}

static void *upd__worker_main(void *arg)
{
    upd__worker *w = (upd__worker *)arg;
    upd_client *c = w->c;
    upd_result r;
    if (w->mode == 0) {
        r = upd__check(c, &w->offer);
        w->result = r;
        if (!upd__cl_canceled(c) && w->done) w->done(c->user, r, r == UPD_OK ? &w->offer : NULL);
        return NULL;
    }
    if (w->mode == 1) {
        r = upd__download_any(c, &w->offer);
        w->result = r;
        if (!upd__cl_canceled(c) && w->done) w->done(c->user, r, r == UPD_OK ? &w->offer : NULL);
        return NULL;
    }
    { /* watch */
        uint64_t iv = w->interval_ms, wait_ms = upd__cl_rand(iv / 10 + 1);
        unsigned failures = 0;
        for (;;) {
            if (upd__cl_sleep(c, wait_ms) != 0) { w->result = UPD_E_CANCELED; return NULL; }
            r = upd__check(c, &w->offer);
            if (r == UPD_OK) r = upd__download_any(c, &w->offer);
            w->result = r;
            if (upd__cl_canceled(c)) { w->result = UPD_E_CANCELED; return NULL; }
            if (r == UPD_OK) {
                if (w->done) w->done(c->user, r, &w->offer);
                return NULL;
            }
            if (r == UPD_NO_UPDATE) {
                failures = 0;
                wait_ms = iv;
            } else {
                uint64_t back = 30000;
                unsigned i;
                if (w->done) w->done(c->user, r, NULL);
                for (i = 0; i < failures && back < iv; i++) back *= 2;
                failures++;
                wait_ms = back < iv ? back : iv;
            }
            wait_ms = wait_ms - wait_ms / 10 + upd__cl_rand(wait_ms / 5 + 1); /* +-10% */
            if (c->retry_after > 0 && (uint64_t)c->retry_after * 1000u > wait_ms) wait_ms = (uint64_t)c->retry_after * 1000u;
        }
    }
}

static upd_result upd__worker_start(upd_client *c, int mode, const upd_offer *o, unsigned long interval_ms, upd_async_fn done)
{
    upd__worker *w;
    pthread_attr_t attr;
    int err;
    if (c->_worker) return upd__cl_err(c, UPD_E_BUSY, "a background task of this client is running (upd_wait() it first)");
    w = (upd__worker *)UPDATER_MALLOC(NULL, sizeof *w);
    if (!w) return upd__cl_err(c, UPD_E_NOMEM, "out of memory");
    memset(w, 0, sizeof *w);
    w->c = c;
    w->done = done;
    w->mode = mode;
    w->interval_ms = interval_ms;
    if (o) w->offer = *o;
    UPD__STORE(c->_cancel, 0);
    /* a stack of our own size: the download path needs about 115 KiB with
       the default limits (more with a larger UPDATER_MAX_URL or _PATH), and
       musl gives a thread 128 KiB; running past it can skip the guard page */
    if ((err = pthread_attr_init(&attr)) == 0) {
        err = pthread_attr_setstacksize(&attr, (size_t)256 * 1024 + 16 * ((size_t)UPDATER_MAX_URL + UPDATER_MAX_PATH));
        if (err == 0) err = pthread_create(&w->thread, &attr, upd__worker_main, w);
        pthread_attr_destroy(&attr);
    }
    if (err != 0) {
        UPDATER_FREE(NULL, w);
        return upd__cl_err(c, UPD_E_IO, "cannot start a thread: %s", strerror(err));
    }
    c->_worker = w;
    return UPD_OK;
}

UPDDEF upd_result upd_check_async(upd_client *c, upd_async_fn done)
{
    UPDATER_ASSERT(c != NULL);
    return upd__worker_start(c, 0, NULL, 0, done);
}

UPDDEF upd_result upd_download_async(upd_client *c, const upd_offer *o, upd_async_fn done)
{
    UPDATER_ASSERT(c != NULL && o != NULL);
    return upd__worker_start(c, 1, o, 0, done);
}

UPDDEF upd_result upd_watch(upd_client *c, unsigned long interval_ms, upd_async_fn done)
{
    UPDATER_ASSERT(c != NULL);
    if (interval_ms < 1000) return upd__cl_err(c, UPD_E_ARG, "the watch interval must be at least 1000 ms");
    return upd__worker_start(c, 2, NULL, interval_ms, done);
}

UPDDEF upd_result upd_wait(upd_client *c)
{
    upd__worker *w = (upd__worker *)c->_worker;
    upd_result r;
    if (!w) return UPD_OK;
    pthread_join(w->thread, NULL);
    r = w->result;
    UPDATER_FREE(NULL, w);
    c->_worker = NULL;
    return r;
}
#endif /* UPDATER_NO_THREADS */

#endif /* !UPDATER_NO_HTTP && !UPDATER_NO_ENGINE */

#ifdef __cplusplus
}
#endif

#undef UPD__ROR32
#undef UPD__LOAD
#undef UPD__STORE
#undef UPD__CL_SYNC_EVERY
#ifdef UPD__EXCHANGE
#undef UPD__EXCHANGE
#endif
#undef UPD__H_FAIL
#undef UPD__HC_FAIL
#undef UPD__H_STOP
#undef UPD__SEND_FLAGS
#undef UPD__HC_RBUF
#undef UPD__SHA256_ROUND
#undef UPD__Z_WIN
#undef UPD__Z_MASK
#undef UPD__Z_E_SUB
#undef UPD__Z_E_BAD
#undef UPD__Z_E_LIT
#undef UPD__Z_E_EOB
#undef UPD__Z_LITBITS
#undef UPD__Z_DSTBITS
#undef UPD__Z_PREBITS
#undef UPD__Z_LOAD64
#undef UPD__ROR64
#undef UPD__MUL
#undef UPD__ADD
#undef UPD__LO
#undef UPD__SHR51
#undef UPD__M51
#undef UPD__T_XPATH
#undef UPD__T_XLINK
#undef UPD__T_XSIZE
#undef UPD__T_XMTIME
#undef UPD__T_LPATH
#undef UPD__T_LLINK
#undef UPD__T_FAIL
#undef UPD__X_FAIL
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
