/* fuzz_minisig.c - libFuzzer target for the minisign parsers and verifier
   (upd_minisig_parse, upd_pubkey_parse, upd_seckey_parse,
   upd_minisig_verify and its streaming form).

   Input layout: one selector byte, two bytes of length, then text and
   message.
     byte 0    bits 0-1  which fixture signature the mutation check uses
               bit  2    the mutation check changes the message (else the
                         signature file)
               bit  3    the streaming verifier gets the message in pieces
                         (sizes from the input's hash) and must agree with
                         the one-shot verifier
               bit  4    a parsed secret key also signs prehashed (else legacy)
     bytes 1-2 L, little-endian: the first L bytes after them (fewer if the
               input is shorter) are the text, the rest is the message
   The text goes, as it is, to all three parsers; a signature that parses
   is verified against the message with two trusted keys (the fixture keys
   below: one made by `upd keygen`, one by `minisign -G -W`).

   What must hold (abort() otherwise):
   - every parser returns a documented result (below), the same one twice,
     into a zeroed struct and into one filled with garbage, and on success
     the same contents both times;
   - a signature text over UPDATER_MAX_MINISIG bytes is UPD_E_TOOBIG, and
     nothing else is;
   - a parsed signature's trusted comment is NUL-terminated inside its
     array, printable UTF-8 (checked by a validator of its own), and appears
     in the text after "trusted comment: "; the canonical base64 of what
     was decoded appears in the text (strict base64: one spelling per
     value), for signatures and keys alike;
   - keys round-trip: upd_pubkey_format / upd_seckey_format, parsed again,
     give the same key; a parsed secret key's public half is the one its
     seed derives, and a signature it makes verifies with that half;
   - verification returns UPD_OK, UPD_E_KEYID (exactly when no trusted key
     has the signature's key id), UPD_E_SIG or UPD_E_SIG_GLOBAL; with no
     keys, UPD_E_KEYID; the streaming verifier agrees with the one-shot;
   - UPD_OK only for a fixture signature (byte for byte: key id, both
     signatures, trusted comment, algorithm) over its message: the
     fixtures are the signatures make_minisig_corpus.sh makes, and nothing
     else can verify without forging Ed25519;
   - the mutation check: one fixture signature file, or the message, with
     one byte changed (position and value from the input's hash). A changed
     message never verifies, nor does one a byte shorter or longer. A
     changed signature file verifies exactly when the byte is in the
     untrusted comment's text and did not become a line feed, or is the
     final line feed turned into a CR (trailing line ends are ignored, as
     minisign does); every other byte is covered by the format, the
     strict base64 or one of the two signatures.
   Texts and messages live on the heap at their exact sizes, and so do the
   parsed structs, so that ASan catches any read or write past them. The
   signature file limit is made small (a configuration macro) so that
   short inputs reach and cross it; the key parsers' own limit is 1024. */
#define UPDATER_MAX_MINISIG 512
#define UPDATER_IMPLEMENTATION
#include "../../updater.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, what)                                                      \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "fuzz_minisig: %s (%s:%d: %s)\n", what, __FILE__, __LINE__, #cond); \
            abort();                                                           \
        }                                                                      \
    } while (0)

/* ---- fixtures: made once with build/upd keygen + sign (key A) and
   minisign -G -W + -S (key B); tests/fuzz/make_minisig_corpus.sh holds
   the secret keys and makes the same files again ---- */
static const char PUB_A[] =
    "untrusted comment: minisign public key 05A88E2D706123D0\n"
    "RWTQI2FwLY6oBchRT4PaA3bJJgrskjqtHhmpQcCqJmCNIMBPbSgweXow\n";
static const char PUB_B[] =
    "untrusted comment: minisign public key 162273F0B4E999F5\n"
    "RWT1mem08HMiFveJNB4vwFkDTzPxVoFc3kkbAdk8RHKYZ2RHcKMFvnYL\n";
static const char MSG[] = "updater.h fuzz fixture: the signed message\n";
static char LONG[301]; /* 300 printable characters, made by init() */
typedef struct { const char *sig, *msg; } fixture;
static const fixture FX[] = {
    /* upd sign -s a.key -t 'fixture a prehashed' msg */
    {"untrusted comment: signature from minisign secret key 05A88E2D706123D0\n"
     "RUTQI2FwLY6oBYgarjg08EDmpufSDmu4dCUiaitpXT/jHvwgzMlxeZ582gGPS8rOPf90qV25VqHeAr0d5+OXmIOTPmG/N2O0sQQ=\n"
     "trusted comment: fixture a prehashed\n"
     "39Yd0g//F0NwQcsCtyRNIi+VeJPpaKYTKYU9sVDQTpCQqyOzz8ANITH7qtqllZmX8zz/s6AW6wSJQY5jpxBMAw==\n", MSG},
    /* upd sign -s a.key -l -t 'fixture a legacy' msg */
    {"untrusted comment: signature from minisign secret key 05A88E2D706123D0\n"
     "RWTQI2FwLY6oBUred1XK7pZSyPsuGaLBulEIFrMu9O80DIR8dMZgT4I90uYjp+ord97c5RquHeH9Fa6bdrGQZSgc0KAnVbYsbQI=\n"
     "trusted comment: fixture a legacy\n"
     "Sjgze3ZBsOhmcAehiEvwyL5705/I8QMCESnEGS6kqaiw49N+A89k1sUZEqzuHiH3HiVyU7wbmr6FWXr+EAYFCA==\n", MSG},
    /* minisign -S -s b.key -t 'fixture b prehashed' -m msg */
    {"untrusted comment: signature from minisign secret key\n"
     "RUT1mem08HMiFq3MGcucR+BCK0LDbPPquTRCAfbyf8CScjaGBPX3YpwNlONYeg77H1lxKfvKaxNLoV2aMnHdH68IWYQW2HH7XAA=\n"
     "trusted comment: fixture b prehashed\n"
     "FneM+FD0SN+Cezu1kzaqupIKzlTtPd4RAeuRPniMepLnW6g8iIn2Kaub3v8OJ1WkqGepkyAKE7a+lxh8TAaPBg==\n", MSG},
    /* minisign -S -l -s b.key -t 'fixture b legacy' -m msg */
    {"untrusted comment: signature from minisign secret key\n"
     "RWT1mem08HMiFpGbu8UtvGjgSnhCbLzK/6vVR2qpA/ZSdo3i8hhc3uGrQOr+PMDaQTVYX1aufbWGGSEiSKEDi4cchFIFiEUmFQQ=\n"
     "trusted comment: fixture b legacy\n"
     "oevxwhGPmGQ6eoWWXTphbnuaQL7DxjBLQQGs9dktaFiROVm8fii4P32DiA1GkoL80J1vSxnLeBXvug9so82eBA==\n", MSG},
    /* the other signatures of make_minisig_corpus.sh: an empty file ... */
    {"untrusted comment: signature from minisign secret key 05A88E2D706123D0\n"
     "RUTQI2FwLY6oBYXo/RKLU5Xlkj8WsDl/lCl9wyCa8RkbRQx/cLIy6KAikr4mlbj8R6t2j+HlLVqiWQ5QmFqqIiyDjhQx6va1GQc=\n"
     "trusted comment: timestamp:1500000000\tfile:empty\thashed\n"
     "pZkWvVSe4zh22vzkNNuwRgJqOXRtYpmL3DCjvlVJ2zJiRmIYcDyWByUCOXAWsJPWQHt/lXaQqGeFSkK+VzSWCQ==\n", ""},
    /* ... legacy, with an empty trusted comment */
    {"untrusted comment: signature from minisign secret key 05A88E2D706123D0\n"
     "RWTQI2FwLY6oBbOm4t5LjS3CjD3O/Xf5q6c+tIlLOV11XC0hfa7rde+DUwOOhV27QJneI3Q2yHli2prAadtS+0Gqyjqf3QshKwg=\n"
     "trusted comment: \n"
     "H+YwAPcCNZpBZvTt86ShVV41+JEa7E3zTWVUwhFSwfXidNw1hijJlRPO7VyZ3reljxGWL4lm8VKS8f/EX7PvBQ==\n", ""},
    /* one byte, legacy */
    {"untrusted comment: signature from minisign secret key 05A88E2D706123D0\n"
     "RWTQI2FwLY6oBbitUJ/q7sbxF+Sa8hmxMalkGVzAycKt3CHIr+SWIiA8hEU/5+nSqQq3orVN9wIQyW1JElvzpkvouumYJNJttwQ=\n"
     "trusted comment: one byte\n"
     "9Q/m/1gu24Bgm7+3WVcvP9F0E2kPPXt9h2DPNBhK6Pq+SmMtxeD4cz8LezlYZH8sBHTAqhOd9ftiJaa9bKrhBw==\n", "x"},
    /* the same signature, a trusted comment that makes the file 512 bytes */
    {"untrusted comment: signature from minisign secret key 05A88E2D706123D0\n"
     "RWTQI2FwLY6oBbitUJ/q7sbxF+Sa8hmxMalkGVzAycKt3CHIr+SWIiA8hEU/5+nSqQq3orVN9wIQyW1JElvzpkvouumYJNJttwQ=\n"
     "trusted comment: 00000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000000000000000000000000000000000000000000000000000\n"
     "0UK+Pafw4Kq6U4s7dEcsDruHSi3OuSSXC4DdK2YCTegeDyN+Yu1TMpKaV61ZAw/JoSd1BXJER5uvUO2J9/TLBQ==\n", "x"},
    /* minisign, 300 printable bytes, a UTF-8 trusted comment with a tab */
    {"untrusted comment: signature from minisign secret key\n"
     "RUT1mem08HMiFjIHId2QDErrSDwQOiCTE5kZIUUg4JpfX4QGcpRCpd1NrRIejkgEDWDanpmh7gqKTMCHz8uF1IGypw7nj9Gw4wg=\n"
     "trusted comment: utf-8: caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 tab:\there\n"
     "F2V6xqVksSS7KnBNH67d6v5f8/LbzKitrJ7gFYjXnyRClQhCzLARfIkY0qf/QCjwSo9/A6n7QKGTo9pwdjKFBg==\n", LONG},
};
#define NFX (sizeof FX / sizeof FX[0])

static upd_pubkey keys[2];
static upd_minisig fx[NFX];

/* a heap copy of exactly n bytes (at least one allocated) */
static char *exact(const void *p, size_t n)
{
    char *c = (char *)malloc(n ? n : 1);
    CHECK(c != NULL, "out of memory");
    if (n) memcpy(c, p, n);
    return c;
}

static int same_sig(const upd_minisig *a, const upd_minisig *b)
{
    return a->prehashed == b->prehashed && memcmp(a->id, b->id, 8) == 0 && memcmp(a->sig, b->sig, 64) == 0 &&
           memcmp(a->global, b->global, 64) == 0 && strcmp(a->trusted, b->trusted) == 0;
}

static upd_result parse_sig(const char *text, size_t len, upd_minisig *out)
{
    char *t = exact(text, len);
    upd_minisig *s = (upd_minisig *)malloc(sizeof *s);
    upd_result r;
    CHECK(s != NULL, "out of memory");
    memset(s, 0, sizeof *s);
    r = upd_minisig_parse(s, t, len);
    if (r == UPD_OK) *out = *s;
    free(s);
    free(t);
    return r;
}

static void init(void)
{
    static int done;
    size_t i;
    if (done) return;
    done = 1;
    CHECK(upd_pubkey_parse(&keys[0], PUB_A, strlen(PUB_A)) == UPD_OK, "fixture key A does not parse");
    CHECK(upd_pubkey_parse(&keys[1], PUB_B, strlen(PUB_B)) == UPD_OK, "fixture key B does not parse");
    for (i = 0; i < 300; i++) LONG[i] = (char)(32 + i % 95);
    for (i = 0; i < NFX; i++) {
        CHECK(parse_sig(FX[i].sig, strlen(FX[i].sig), &fx[i]) == UPD_OK, "a fixture signature does not parse");
        CHECK(upd_minisig_verify(&fx[i], keys, 2, FX[i].msg, strlen(FX[i].msg)) == UPD_OK, "a fixture signature does not verify");
    }
    for (i = 0; i < 4; i++) CHECK(fx[i].prehashed == !(i & 1), "a fixture signature has the wrong algorithm");
}

/* FNV-1a */
static uint32_t hash(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    size_t i;
    for (i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
    return h;
}

/* 1 if the n bytes at p occur in text[0..len) */
static int contains(const char *text, size_t len, const char *p, size_t n)
{
    size_t i;
    if (n > len) return 0;
    for (i = 0; i + n <= len; i++)
        if (text[i] == p[0] && memcmp(text + i, p, n) == 0) return 1;
    return 0;
}

static int contains_b64(const char *text, size_t len, const uint8_t *raw, size_t n)
{
    char b64[256];
    size_t k = upd__b64_encode(raw, n, b64);
    return contains(text, len, b64, k);
}

/* printable UTF-8, tabs allowed: an implementation of its own (Unicode
   table 3-7, well-formed byte sequences; no C0 or C1 controls, no DEL) */
static int utf8_ok(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t k, need;
        unsigned lo = 0x80, hi = 0xbf;
        if (c < 0x80) {
            if ((c < 0x20 && c != '\t') || c == 0x7f) return 0;
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) need = 1;
        else if (c >= 0xe0 && c <= 0xef) { need = 2; if (c == 0xe0) lo = 0xa0; if (c == 0xed) hi = 0x9f; }
        else if (c >= 0xf0 && c <= 0xf4) { need = 3; if (c == 0xf0) lo = 0x90; if (c == 0xf4) hi = 0x8f; }
        else return 0;
        if (n - i <= need) return 0;
        if (s[i + 1] < lo || s[i + 1] > hi) return 0;
        for (k = 2; k <= need; k++)
            if (s[i + k] < 0x80 || s[i + k] > 0xbf) return 0;
        if (c == 0xc2 && s[i + 1] < 0xa0) return 0; /* U+0080..U+009F */
        i += need + 1;
    }
    return 1;
}

static upd_result verify_streaming(const upd_minisig *s, const upd_pubkey *k, size_t nk,
                                   const uint8_t *msg, size_t len, uint32_t h)
{
    upd_minisig_verifier v;
    upd_result r = upd_minisig_verify_init(&v, s, k, nk);
    size_t off = 0;
    if (r != UPD_OK) return r;
    while (off < len) {
        size_t n;
        h = h * 1103515245u + 12345u;
        n = 1 + (h >> 8) % 97; /* pieces of 1..97 bytes, across block bounds */
        if (n > len - off) n = len - off;
        upd_minisig_verify_update(&v, msg + off, n);
        off += n;
    }
    upd_minisig_verify_update(&v, msg, 0);
    return upd_minisig_verify_final(&v);
}

static void check_minisig(const char *text, size_t len, const uint8_t *msg, size_t mlen, unsigned sel, uint32_t h)
{
    upd_minisig *a = (upd_minisig *)malloc(sizeof *a), *b = (upd_minisig *)malloc(sizeof *b);
    upd_result r, r2, v;
    size_t tl, i;
    int known_id = 0;
    CHECK(a != NULL && b != NULL, "out of memory");
    memset(a, 0, sizeof *a);
    memset(b, 0xA5, sizeof *b);
    r = upd_minisig_parse(a, text, len);
    r2 = upd_minisig_parse(b, text, len);
    CHECK(r == r2, "upd_minisig_parse is not deterministic");
    CHECK(r == UPD_OK || r == UPD_E_TOOBIG || r == UPD_E_SIG_FORMAT || r == UPD_E_BASE64 || r == UPD_E_SIG_ALG,
          "upd_minisig_parse: a result outside the documented set");
    CHECK((r == UPD_E_TOOBIG) == (len > UPDATER_MAX_MINISIG), "UPD_E_TOOBIG, yet not over UPDATER_MAX_MINISIG (or over it, yet parsed)");
    if (r != UPD_OK) goto out;
    CHECK(memchr(a->trusted, 0, sizeof a->trusted) != NULL, "trusted comment not NUL-terminated in its array");
    CHECK(memchr(b->trusted, 0, sizeof b->trusted) != NULL, "trusted comment not NUL-terminated in its array (2)");
    CHECK(same_sig(a, b), "upd_minisig_parse: two parses of one text differ");
    tl = strlen(a->trusted);
    CHECK(utf8_ok(a->trusted, tl), "trusted comment is not printable UTF-8");
    CHECK(a->prehashed == 0 || a->prehashed == 1, "prehashed is not 0 or 1");
    {
        char line[UPDATER_MAX_MINISIG + 32];
        uint8_t raw[74];
        int n = snprintf(line, sizeof line, "trusted comment: %s", a->trusted);
        CHECK(n > 0 && (size_t)n < sizeof line && contains(text, len, line, (size_t)n), "trusted comment not in the text");
        raw[0] = 'E';
        raw[1] = a->prehashed ? 'D' : 'd';
        memcpy(raw + 2, a->id, 8);
        memcpy(raw + 10, a->sig, 64);
        CHECK(contains_b64(text, len, raw, sizeof raw), "signature line is not the canonical base64 of what was decoded");
        CHECK(contains_b64(text, len, a->global, 64), "global signature line is not the canonical base64 of what was decoded");
    }
    for (i = 0; i < 2; i++)
        if (memcmp(keys[i].id, a->id, 8) == 0) known_id = 1;
    v = upd_minisig_verify(a, keys, 2, msg, mlen);
    CHECK(v == UPD_OK || v == UPD_E_KEYID || v == UPD_E_SIG || v == UPD_E_SIG_GLOBAL,
          "upd_minisig_verify: a result outside the documented set");
    CHECK((v == UPD_E_KEYID) == !known_id, "UPD_E_KEYID iff no trusted key has the key id");
    CHECK(upd_minisig_verify(a, keys, 0, msg, mlen) == UPD_E_KEYID, "verified with no keys");
    CHECK(upd_minisig_verify(a, keys, 2, msg, mlen) == v, "upd_minisig_verify is not deterministic");
    if (sel & 8u) CHECK(verify_streaming(a, keys, 2, msg, mlen, h) == v, "streaming and one-shot verification differ");
    if (v == UPD_OK) {
        int match = 0;
        for (i = 0; i < NFX; i++)
            if (same_sig(a, &fx[i]) && mlen == strlen(FX[i].msg) && memcmp(msg, FX[i].msg, mlen) == 0) match = 1;
        CHECK(match, "a signature verified that is not a fixture signature over its message");
    }
out:
    free(a);
    free(b);
}

static void check_pubkey(const char *text, size_t len)
{
    upd_pubkey *a = (upd_pubkey *)malloc(sizeof *a), *b = (upd_pubkey *)malloc(sizeof *b), c;
    upd_result r, r2;
    CHECK(a != NULL && b != NULL, "out of memory");
    memset(a, 0, sizeof *a);
    memset(b, 0xA5, sizeof *b);
    r = upd_pubkey_parse(a, text, len);
    r2 = upd_pubkey_parse(b, text, len);
    CHECK(r == r2, "upd_pubkey_parse is not deterministic");
    CHECK(r == UPD_OK || r == UPD_E_SIG_FORMAT || r == UPD_E_BASE64 || r == UPD_E_SIG_ALG,
          "upd_pubkey_parse: a result outside the documented set");
    if (r == UPD_OK) {
        char out[256];
        uint8_t raw[42];
        CHECK(len <= 1024, "a public key over 1024 bytes parsed");
        CHECK(memcmp(a, b, sizeof *a) == 0, "upd_pubkey_parse: two parses of one text differ");
        raw[0] = 'E';
        raw[1] = 'd';
        memcpy(raw + 2, a->id, 8);
        memcpy(raw + 10, a->key, 32);
        CHECK(contains_b64(text, len, raw, sizeof raw), "key line is not the canonical base64 of what was decoded");
        CHECK(upd_pubkey_format(a, out, sizeof out) == UPD_OK, "upd_pubkey_format failed");
        CHECK(upd_pubkey_parse(&c, out, strlen(out)) == UPD_OK && memcmp(&c, a, sizeof c) == 0,
              "a public key does not round-trip through upd_pubkey_format");
    }
    free(a);
    free(b);
}

static void check_seckey(const char *text, size_t len, unsigned sel)
{
    upd_seckey *a = (upd_seckey *)malloc(sizeof *a), *b = (upd_seckey *)malloc(sizeof *b), c;
    upd_result r, r2;
    CHECK(a != NULL && b != NULL, "out of memory");
    memset(a, 0, sizeof *a);
    memset(b, 0xA5, sizeof *b);
    r = upd_seckey_parse(a, text, len);
    r2 = upd_seckey_parse(b, text, len);
    CHECK(r == r2, "upd_seckey_parse is not deterministic");
    CHECK(r == UPD_OK || r == UPD_E_SIG_FORMAT || r == UPD_E_BASE64 || r == UPD_E_SIG_ALG || r == UPD_E_KEY_ENCRYPTED,
          "upd_seckey_parse: a result outside the documented set");
    if (r == UPD_OK) {
        char out[512], sig[UPDATER_MAX_MINISIG];
        uint8_t pub[32], sec[64];
        upd_pubkey pk;
        upd_minisig s;
        CHECK(len <= 1024, "a secret key over 1024 bytes parsed");
        CHECK(memcmp(a, b, sizeof *a) == 0, "upd_seckey_parse: two parses of one text differ");
        upd_ed25519_seed_keypair(pub, sec, a->key);
        CHECK(memcmp(pub, a->key + 32, 32) == 0 && memcmp(sec, a->key, 64) == 0,
              "a parsed secret key's public half is not the one its seed derives");
        CHECK(upd_seckey_format(a, out, sizeof out) == UPD_OK, "upd_seckey_format failed");
        CHECK(upd_seckey_parse(&c, out, strlen(out)) == UPD_OK && memcmp(&c, a, sizeof c) == 0,
              "a secret key does not round-trip through upd_seckey_format");
        memcpy(pk.id, a->id, 8);
        memcpy(pk.key, a->key + 32, 32);
        if (sel & 16u) {
            uint8_t d[64];
            upd_blake2b(MSG, strlen(MSG), d, 64);
            CHECK(upd_minisig_sign(a, 1, d, 64, "fuzz", sig, sizeof sig) == UPD_OK, "upd_minisig_sign failed");
        } else
            CHECK(upd_minisig_sign(a, 0, MSG, strlen(MSG), "fuzz", sig, sizeof sig) == UPD_OK, "upd_minisig_sign failed");
        CHECK(parse_sig(sig, strlen(sig), &s) == UPD_OK, "a signature made with a parsed key does not parse");
        CHECK(upd_minisig_verify(&s, &pk, 1, MSG, strlen(MSG)) == UPD_OK,
              "a signature made with a parsed key does not verify with its public half");
    }
    free(a);
    free(b);
}

/* one byte of a fixture signature file or of the message changed */
static void check_mutation(unsigned sel, uint32_t h)
{
    unsigned f = sel & 3u;
    uint8_t x = (uint8_t)(h >> 24);
    if (x == 0) x = 0x20;
    if (sel & 4u) {
        size_t n = strlen(MSG), p = h % n;
        char *m = exact(MSG, n), *longer = (char *)malloc(n + 1);
        CHECK(longer != NULL, "out of memory");
        m[p] = (char)(m[p] ^ x);
        CHECK(upd_minisig_verify(&fx[f], keys, 2, m, n) == UPD_E_SIG, "a changed message verified (or failed otherwise)");
        CHECK(upd_minisig_verify(&fx[f], keys, 2, MSG, n - 1) == UPD_E_SIG, "a shortened message verified");
        memcpy(longer, MSG, n);
        longer[n] = (char)x;
        CHECK(upd_minisig_verify(&fx[f], keys, 2, longer, n + 1) == UPD_E_SIG, "a longer message verified");
        free(m);
        free(longer);
    } else {
        const char *orig = FX[f].sig;
        size_t n = strlen(orig), p = h % n, line0 = (size_t)(strchr(orig, '\n') - orig);
        char *t = exact(orig, n), nb = (char)(orig[p] ^ x);
        upd_minisig s;
        upd_result r;
        int expect_ok;
        t[p] = nb;
        r = parse_sig(t, n, &s);
        if (r == UPD_OK) r = upd_minisig_verify(&s, keys, 2, MSG, strlen(MSG));
        expect_ok = (p >= 19 && p < line0 && nb != '\n') || (p == n - 1 && nb == '\r');
        if ((r == UPD_OK) != expect_ok) {
            fprintf(stderr, "fuzz_minisig: fixture %u, byte %zu changed from 0x%02x to 0x%02x: %s (expected %s)\n",
                    f, p, (unsigned char)orig[p], (unsigned char)nb, upd_strerror(r), expect_ok ? "success" : "a failure");
            abort();
        }
        if (r == UPD_OK) CHECK(same_sig(&s, &fx[f]), "a changed signature file verified with other contents");
        free(t);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned sel;
    size_t tlen;
    char *text;
    uint8_t *msg;
    uint32_t h;
    init();
    if (size < 3) return 0;
    sel = data[0];
    tlen = (size_t)data[1] | (size_t)data[2] << 8;
    h = hash(data, size);
    data += 3;
    size -= 3;
    if (tlen > size) tlen = size;
    text = exact(data, tlen);
    msg = (uint8_t *)exact(data + tlen, size - tlen);
    check_minisig(text, tlen, msg, size - tlen, sel, h);
    check_pubkey(text, tlen);
    check_seckey(text, tlen, sel);
    check_mutation(sel, h);
    free(text);
    free(msg);
    return 0;
}
