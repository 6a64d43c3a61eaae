/* fuzz_patch.c - libFuzzer target for upd_patch_apply() (UPDDIFF1,
   docs/delta.md), with a reference model of the format and zlib as the
   reference gzip decoder.

   The old file is fixed: OLD_SIZE (100 KiB) bytes of a linear
   congruential generator (x = x * 1103515245 + 12345 mod 2^32 from x = 1,
   each byte x >> 24), written once per process to a temporary directory
   (in $UPD_FUZZ_TMP if set, else /dev/shm when it is there, else /tmp;
   removed at exit) beside the patch file and the output file, which each
   input rewrites.

   Input layout, by the first byte:
     'V'  the sections decompressed; the harness makes them gzip data
          (stored blocks, CRC-32 and ISIZE by zlib) and writes a header that
          is right for the old file, so that mutations reach the triples:
            byte 1  bits 0-2  stored block size (BLOCKS[])
                    bit  3    each section as three gzip members
                    bit  4    diff and extra made here, pseudo-random and
                              exactly as long as the triples ask (up to
                              FILL_MAX): only the control section is fuzzed
                    bit  5    the header's new SHA-256 has a bit flipped
                    bit  6    the header's new size is off by byte 2 (signed)
            byte 2  that offset
            bytes 3-4, 5-6  the control and diff lengths (little-endian,
                    cut to what there is); then control, diff, and the rest
                    is the extra section
          The header's new size and SHA-256 are what the model makes.
     'G'  the sections as stored (gzip data from the input: bytes 1-2 and
          3-4 are the control and diff lengths, the rest is the extra
          section); the header gets the old file's size and SHA-256, the
          section lengths, and the new size and SHA-256 of what zlib and the
          model make of the sections.
     else the input is the whole patch file (inputs whose header asks for
          a new file over 8 MiB are skipped: the output is never larger).

   What must hold (abort() otherwise):
   - the result is UPD_OK or UPD_E_PATCH, with a message exactly when it
     is not UPD_OK;
   - the output file never holds more than the header's new size; on
     UPD_OK it holds exactly that many bytes, with the header's SHA-256, and
     the header's old size and SHA-256 are the old file's;
   - 'V', and 'G' when zlib decodes every section whole: UPD_OK exactly
     when the model accepts (triples within both files, numbers of at most
     10 bytes below 2^63, every section used to its last byte, the result's
     size and SHA-256 as in the header), and then the output is the
     model's; on a refusal the output is a prefix of what the model makes
     before it stops (the applier writes in order, never a wrong byte);
   - 'G' when zlib finds a section broken (not one or more whole gzip
     members with nothing after them): never UPD_OK. */
#define UPDATER_IMPLEMENTATION
#include "../../updater.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OLD_SIZE (100u * 1024u)
#define FILL_MAX ((size_t)256 << 10)   /* 'V' bit 4: most diff or extra bytes made here */
#define OUT_MAX ((uint64_t)8 << 20)    /* larger outputs are not tried */
static const size_t BLOCKS[8] = {65535, 1, 2, 7, 100, 4095, 8193, 32768};

#define CHECK(cond, what)                                                      \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "fuzz_patch: %s (%s:%d: %s)\n", what, __FILE__, __LINE__, #cond); \
            abort();                                                           \
        }                                                                      \
    } while (0)

/* ---- a growable byte buffer, kept between runs ---- */
typedef struct { uint8_t *p; size_t len, cap; } buf;

static void reserve(buf *b, size_t more)
{
    if (b->len + more > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + more) cap *= 2;
        b->p = (uint8_t *)realloc(b->p, cap);
        CHECK(b->p != NULL, "out of memory");
        b->cap = cap;
    }
}

static void put(buf *b, const void *p, size_t n)
{
    reserve(b, n + 1);
    if (n) memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void put_byte(buf *b, unsigned v)
{
    uint8_t c = (uint8_t)v;
    put(b, &c, 1);
}

static void put_le(buf *b, uint64_t v, int n)
{
    int i;
    for (i = 0; i < n; i++) put_byte(b, (unsigned)(v >> (8 * i)) & 0xffu);
}

static uint64_t get_le64(const uint8_t *p)
{
    uint64_t v = 0;
    int i;
    for (i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

/* ---- the files ---- */
static char root[64];
static int old_fd = -1, patch_fd = -1, out_fd = -1;
static uint8_t old_data[OLD_SIZE], old_sha[32];

static void cleanup(void)
{
    char path[128];
    static const char *const names[3] = {"old", "patch", "out"};
    int i;
    for (i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", root, names[i]);
        unlink(path);
    }
    rmdir(root);
}

static int open_in_root(const char *name)
{
    char path[128];
    int fd;
    snprintf(path, sizeof path, "%s/%s", root, name);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    CHECK(fd >= 0, "cannot create a temporary file");
    return fd;
}

static void setup(void)
{
    const char *base = getenv("UPD_FUZZ_TMP");
    uint32_t x = 1;
    size_t i;
    if (old_fd >= 0) return;
    if (!base) base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(root, sizeof root, "%s/upd-fuzz-patch-XXXXXX", base);
    CHECK(strlen(base) < 24 && mkdtemp(root) != NULL, "mkdtemp failed");
    atexit(cleanup);
    for (i = 0; i < OLD_SIZE; i++) {
        x = x * 1103515245u + 12345u;
        old_data[i] = (uint8_t)(x >> 24);
    }
    upd_sha256(old_data, OLD_SIZE, old_sha);
    old_fd = open_in_root("old");
    CHECK(write(old_fd, old_data, OLD_SIZE) == (ssize_t)OLD_SIZE, "cannot write the old file");
    patch_fd = open_in_root("patch");
    out_fd = open_in_root("out");
}

/* ---- gzip: stored blocks (the writer), zlib (the reference reader) ---- */
static void gz_member(buf *out, const uint8_t *d, size_t n, size_t blk)
{
    static const uint8_t hdr[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255};
    size_t at = 0;
    put(out, hdr, sizeof hdr);
    do {
        size_t k = n - at < blk ? n - at : blk;
        put_byte(out, at + k == n ? 1u : 0u);
        put_le(out, k, 2);
        put_le(out, ~k & 0xffffu, 2);
        put(out, d + at, k);
        at += k;
    } while (at < n);
    put_le(out, crc32(0L, n ? d : Z_NULL, (uInt)n), 4);
    put_le(out, n & 0xffffffffu, 4);
}

static void gz_wrap(buf *out, const uint8_t *d, size_t n, size_t blk, int three)
{
    if (!three) { gz_member(out, d, n, blk); return; }
    gz_member(out, d, n / 3, blk);
    gz_member(out, d + n / 3, n / 3, blk);
    gz_member(out, d + 2 * (n / 3), n - 2 * (n / 3), blk);
}

/* zlib, member after member: 1 if in[0..n) is one or more whole members
   with nothing after them; *over when the output passes OUT_MAX */
static int z_decode(const uint8_t *in, size_t n, buf *out, int *over)
{
    z_stream s;
    int ok = 0;
    memset(&s, 0, sizeof s);
    out->len = 0;
    CHECK(inflateInit2(&s, 16 + MAX_WBITS) == Z_OK, "inflateInit2 failed");
    s.next_in = (Bytef *)(uintptr_t)in;
    s.avail_in = (uInt)n;
    for (;;) {
        int r;
        size_t before;
        reserve(out, 65536);
        s.next_out = out->p + out->len;
        s.avail_out = 65536;
        before = s.avail_out;
        r = inflate(&s, Z_NO_FLUSH);
        out->len += before - s.avail_out;
        if (out->len > OUT_MAX) { *over = 1; break; }
        if (r == Z_STREAM_END) {
            if (s.avail_in == 0) { ok = 1; break; }
            CHECK(inflateReset(&s) == Z_OK, "inflateReset failed");
            continue;
        }
        if (r != Z_OK) break; /* broken, or cut short (Z_BUF_ERROR: no input left) */
    }
    inflateEnd(&s);
    return ok;
}

/* ---- the model: docs/delta.md, "Binary patch format" ---- */

/* one control number: at most 10 bytes, below 2^63; 0 otherwise or at the end */
static int m_num(const uint8_t *c, size_t cn, size_t *ci, uint64_t *v)
{
    uint64_t acc = 0;
    int i;
    for (i = 0; i < 10; i++) {
        uint8_t b;
        if (*ci == cn) return 0;
        b = c[(*ci)++];
        if (i == 9 && b != 0 && b != 1) return 0; /* bits past 63, or an 11th byte */
        acc |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            if (acc >> 63) return 0;
            *v = acc;
            return 1;
        }
    }
    return 0;
}

/* Applies the sections to the old file: the new file into out (and, when
   a triple is refused for a section that ends early, what the section
   still gives: the applier may write that much), *n the bytes the triples
   made. 1 when every triple is within the files and every section is used
   up; the size and SHA-256 are the caller's. */
static int model(const uint8_t *c, size_t cn, const uint8_t *d, size_t dn, const uint8_t *x, size_t xn,
                 uint64_t newn, buf *out, uint64_t *n_out)
{
    size_t ci = 0, di = 0, xi = 0, o = 0;
    uint64_t n = 0;
    int ok = 1;
    out->len = 0;
    reserve(out, 1);
    while (ci < cn) {
        uint64_t add, copy, zz, i;
        if (!m_num(c, cn, &ci, &add) || !m_num(c, cn, &ci, &copy) || !m_num(c, cn, &ci, &zz)) { ok = 0; break; }
        if (add + copy == 0) { ok = 0; break; }
        if (add > OLD_SIZE - o || add > newn - n) { ok = 0; break; }
        if (add > dn - di) { /* the applier may write whole 32 KiB pieces first */
            size_t k = dn - di;
            reserve(out, k + 1);
            for (i = 0; i < k; i++) out->p[out->len++] = (uint8_t)(old_data[o + i] + d[di + i]);
            ok = 0;
            break;
        }
        reserve(out, (size_t)add + 1);
        for (i = 0; i < add; i++) out->p[out->len++] = (uint8_t)(old_data[o + i] + d[di + i]);
        o += (size_t)add;
        di += (size_t)add;
        n += add;
        if (copy > newn - n) { ok = 0; break; }
        if (copy > xn - xi) {
            put(out, x + xi, xn - xi);
            ok = 0;
            break;
        }
        put(out, x + xi, (size_t)copy);
        xi += (size_t)copy;
        n += copy;
        if (zz & 1) {
            uint64_t back = (zz >> 1) + 1;
            if (back > o) { ok = 0; break; }
            o -= (size_t)back;
        } else {
            if ((zz >> 1) > OLD_SIZE - o) { ok = 0; break; }
            o += (size_t)(zz >> 1);
        }
    }
    *n_out = n;
    return ok && di == dn && xi == xn && n == newn;
}

/* control numbers' sums (add, copy) up to the first bad one, saturating at FILL_MAX */
static void sums(const uint8_t *c, size_t cn, size_t *adds, size_t *copies)
{
    size_t ci = 0;
    *adds = *copies = 0;
    while (ci < cn) {
        uint64_t a, b, s;
        if (!m_num(c, cn, &ci, &a) || !m_num(c, cn, &ci, &b) || !m_num(c, cn, &ci, &s)) break;
        *adds = a > FILL_MAX - *adds ? FILL_MAX : *adds + (size_t)a;
        *copies = b > FILL_MAX - *copies ? FILL_MAX : *copies + (size_t)b;
    }
}

/* ---- one run ---- */
static buf patch, sec[3], dec[3], want, got, fill[2];

static void header(buf *p, uint64_t newn, const uint8_t newsha[32], const buf gz[3])
{
    int s;
    p->len = 0;
    put(p, "UPDDIFF1", 8);
    put_le(p, OLD_SIZE, 8);
    put_le(p, newn, 8);
    put(p, old_sha, 32);
    put(p, newsha, 32);
    for (s = 0; s < 3; s++) put_le(p, gz[s].len, 8);
    for (s = 0; s < 3; s++) put(p, gz[s].p, gz[s].len);
}

static upd_result apply(const uint8_t *p, size_t n, char *err, size_t errcap)
{
    upd_result r;
    struct stat st;
    CHECK(ftruncate(patch_fd, 0) == 0 && (n == 0 || pwrite(patch_fd, p, n, 0) == (ssize_t)n), "cannot write the patch");
    CHECK(ftruncate(out_fd, 0) == 0 && lseek(out_fd, 0, SEEK_SET) == 0, "cannot empty the output");
    r = upd_patch_apply(old_fd, patch_fd, out_fd, err, errcap);
    CHECK(fstat(out_fd, &st) == 0, "fstat failed");
    got.len = 0;
    reserve(&got, (size_t)st.st_size + 1);
    CHECK(pread(out_fd, got.p, (size_t)st.st_size, 0) == (ssize_t)st.st_size, "cannot read the output");
    got.len = (size_t)st.st_size;
    return r;
}

/* what holds for any input */
static void common(const uint8_t *p, size_t n, upd_result r, const char *err)
{
    CHECK(r == UPD_OK || r == UPD_E_PATCH, "a result other than UPD_OK or UPD_E_PATCH");
    CHECK((r == UPD_OK) == (err[0] == 0), "a message without a failure, or a failure without one");
    if (n >= 24) CHECK(got.len <= get_le64(p + 16), "more output than the header's new size");
    if (r == UPD_OK) {
        uint8_t sha[32];
        CHECK(n >= UPD_PATCH_HEADER, "UPD_OK for a patch shorter than its header");
        CHECK(get_le64(p + 8) == OLD_SIZE && memcmp(p + 24, old_sha, 32) == 0, "UPD_OK for another old file");
        CHECK(got.len == get_le64(p + 16), "UPD_OK with another size than the header's");
        upd_sha256(got.p, got.len, sha);
        CHECK(memcmp(sha, p + 56, 32) == 0, "UPD_OK with another SHA-256 than the header's");
    }
}

/* against the model: its verdict and what it made */
static void against(upd_result r, int valid, const char *err)
{
    if ((r == UPD_OK) != valid) {
        fprintf(stderr, "fuzz_patch: the applier says %d (%s), the model %s\n", (int)r, err, valid ? "accepts" : "refuses");
        abort();
    }
    if (valid) CHECK(got.len == want.len && memcmp(got.p, want.p, got.len) == 0, "UPD_OK with other bytes than the model's");
    else CHECK(got.len <= want.len && memcmp(got.p, want.p, got.len) == 0, "a refused patch wrote bytes the model does not make");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    upd_result r;
    int s;
    setup();
    err[0] = 'x';
    err[1] = 0;
    if (size >= 1 && data[0] == 'V') {
        uint8_t in[7] = {0}, sha[32];
        size_t lc, ld, at;
        const uint8_t *part[3];
        size_t plen[3];
        uint64_t n, newn;
        int valid;
        memcpy(in, data, size < 7 ? size : 7);
        at = size < 7 ? size : 7;
        lc = (size_t)(in[3] | in[4] << 8);
        ld = (size_t)(in[5] | in[6] << 8);
        if (lc > size - at) lc = size - at;
        part[0] = data + at; plen[0] = lc; at += lc;
        if (ld > size - at) ld = size - at;
        part[1] = data + at; plen[1] = ld; at += ld;
        part[2] = data + at; plen[2] = size - at;
        if (in[1] & 0x10) { /* diff and extra made here, as long as the triples ask */
            size_t adds, copies, i;
            uint32_t x = (uint32_t)size * 2654435761u;
            sums(part[0], plen[0], &adds, &copies);
            for (s = 0; s < 2; s++) {
                size_t k = s == 0 ? adds : copies;
                fill[s].len = 0;
                reserve(&fill[s], k + 1);
                for (i = 0; i < k; i++) {
                    x = x * 1103515245u + 12345u;
                    fill[s].p[i] = (uint8_t)(s == 0 && (x >> 29) < 4 ? 0 : x >> 24); /* diffs: half zero */
                }
                fill[s].len = k;
                part[1 + s] = fill[s].p;
                plen[1 + s] = k;
            }
        }
        model(part[0], plen[0], part[1], plen[1], part[2], plen[2], UINT64_MAX, &want, &n);
        newn = n;
        if (in[1] & 0x40) { /* off by a signed byte (wrapping below 0 to 0) */
            int delta = (int8_t)in[2];
            newn = delta < 0 && (uint64_t)-delta > n ? 0 : n + (uint64_t)(int64_t)delta;
        }
        valid = model(part[0], plen[0], part[1], plen[1], part[2], plen[2], newn, &want, &n);
        upd_sha256(want.p, want.len, sha);
        if (in[1] & 0x20) { sha[in[2] & 31] ^= (uint8_t)(1u << (in[2] >> 5)); valid = 0; }
        for (s = 0; s < 3; s++) {
            sec[s].len = 0;
            gz_wrap(&sec[s], part[s], plen[s], BLOCKS[in[1] & 7], (in[1] & 8) != 0);
        }
        header(&patch, newn, sha, sec);
        r = apply(patch.p, patch.len, err, sizeof err);
        common(patch.p, patch.len, r, err);
        against(r, valid, err);
        return 0;
    }
    if (size >= 1 && data[0] == 'G') {
        uint8_t in[5] = {0}, sha[32];
        size_t lc, ld, at;
        uint64_t n;
        int whole = 1, over = 0, valid;
        memcpy(in, data, size < 5 ? size : 5);
        at = size < 5 ? size : 5;
        lc = (size_t)(in[1] | in[2] << 8);
        ld = (size_t)(in[3] | in[4] << 8);
        if (lc > size - at) lc = size - at;
        sec[0].len = 0;
        put(&sec[0], data + at, lc);
        at += lc;
        if (ld > size - at) ld = size - at;
        sec[1].len = 0;
        put(&sec[1], data + at, ld);
        at += ld;
        sec[2].len = 0;
        put(&sec[2], data + at, size - at);
        for (s = 0; s < 3; s++) whole &= z_decode(sec[s].p, sec[s].len, &dec[s], &over);
        if (over) return 0;
        model(dec[0].p, dec[0].len, dec[1].p, dec[1].len, dec[2].p, dec[2].len, UINT64_MAX, &want, &n);
        valid = model(dec[0].p, dec[0].len, dec[1].p, dec[1].len, dec[2].p, dec[2].len, n, &want, &n);
        upd_sha256(want.p, want.len, sha);
        header(&patch, n, sha, sec);
        r = apply(patch.p, patch.len, err, sizeof err);
        common(patch.p, patch.len, r, err);
        if (whole) against(r, valid, err);
        else CHECK(r != UPD_OK, "UPD_OK with a section zlib finds broken");
        return 0;
    }
    if (size >= 24 && get_le64(data + 16) > OUT_MAX) return 0;
    r = apply(data, size, err, sizeof err);
    common(data, size, r, err);
    return 0;
}
