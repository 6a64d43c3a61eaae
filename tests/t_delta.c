/* tests/t_delta.c - incremental updates (docs/delta.md): listing records
   (upd_tree_record: each type, the escaping of every byte class, the
   buffer size, the mode mask), the tree check (upd_tree_verify) against a
   temporary tree made here (a matching listing, every kind of mismatch and
   every malformed record), and UPDDIFF1 binary patches (upd_patch_apply)
   built by hand from (add, copy, seek) triples: round trips checked byte
   for byte, and every refusal the format names, each with its message.
   The patch sections are written by a small gzip writer of stored blocks
   (RFC 1951 BTYPE 00, then CRC-32 and ISIZE), so a test chooses the block
   sizes and the number of members. #included by test_main.c (unity
   build); without the engine (UPDATER_NO_ENGINE) there is nothing here. */
#ifndef UPDATER_NO_ENGINE
#include <dirent.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

/* ---- a growable byte buffer (always NUL-terminated too) ---- */
typedef struct { uint8_t *p; size_t n, cap; } tdl_buf;

static void tdl_put(tdl_buf *b, const void *p, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        uint8_t *q;
        while (cap < b->n + n + 1) cap *= 2;
        q = (uint8_t *)realloc(b->p, cap);
        if (!q) { printf("t_delta: out of memory\n"); exit(2); }
        b->p = q;
        b->cap = cap;
    }
    if (n) memcpy(b->p + b->n, p, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void tdl_byte(tdl_buf *b, unsigned v)
{
    uint8_t c = (uint8_t)(v & 0xffu);
    tdl_put(b, &c, 1);
}

static void tdl_str(tdl_buf *b, const char *s) { tdl_put(b, s, strlen(s)); }

/* v as `bytes` little-endian bytes */
static void tdl_le(tdl_buf *b, uint64_t v, int bytes)
{
    int i;
    for (i = 0; i < bytes; i++) tdl_byte(b, (unsigned)((v >> (8 * i)) & 0xffu));
}

static uint64_t tdl_get64(const uint8_t *p)
{
    uint64_t v = 0;
    int i;
    for (i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

static void tdl_set64(uint8_t *p, uint64_t v)
{
    int i;
    for (i = 0; i < 8; i++) p[i] = (uint8_t)((v >> (8 * i)) & 0xffu);
}

static void tdl_clear(tdl_buf *b) { b->n = 0; tdl_put(b, "", 0); }

static void tdl_free(tdl_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
}

/* pseudo-random bytes, the same for the same seed */
static void tdl_fill(uint8_t *p, size_t n, uint32_t seed)
{
    size_t i;
    for (i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (uint8_t)(seed >> 23);
    }
}

static int tdl_has(const char *err, const char *part) { return strstr(err, part) != NULL; }

/* ---- a gzip writer: stored blocks only ---- */

/* One gzip member holding data[0..n) in stored blocks of at most blk bytes
   (an empty member: one empty final block), then CRC-32 and ISIZE. */
static void tdl_gz_member(tdl_buf *out, const uint8_t *data, size_t n, size_t blk)
{
    static const uint8_t hdr[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255}; /* no flags, mtime 0, OS unknown */
    static const uint8_t none[1] = {0};
    size_t at = 0;
    if (!data) data = none;
    tdl_put(out, hdr, sizeof hdr);
    do {
        size_t k = n - at < blk ? n - at : blk;
        tdl_byte(out, at + k == n ? 1u : 0u); /* BFINAL, BTYPE 00, the rest of the byte padding */
        tdl_le(out, (uint64_t)k, 2);          /* LEN */
        tdl_le(out, (uint64_t)(~k & 0xffffu), 2); /* NLEN */
        tdl_put(out, data + at, k);
        at += k;
    } while (at < n);
    tdl_le(out, upd_crc32(0, data, n), 4);
    tdl_le(out, (uint64_t)n & 0xffffffffu, 4);
}

/* data[0..n) as `members` gzip members (in near-equal parts) of stored
   blocks of at most blk bytes (0: the largest, 65535) */
static void tdl_gzip(tdl_buf *out, const uint8_t *data, size_t n, size_t blk, unsigned members)
{
    static const uint8_t none[1] = {0};
    size_t at = 0;
    unsigned i;
    if (!data) data = none;
    if (members < 1) members = 1;
    if (blk < 1 || blk > 65535) blk = 65535;
    for (i = 0; i < members; i++) {
        size_t k = (n - at) / (members - i);
        tdl_gz_member(out, data + at, k, blk);
        at += k;
    }
}

/* ---- UPDDIFF1 patches by hand ---- */

/* v as unsigned LEB128 in exactly width bytes (width 0: as few as it takes;
   wider than needed: continuation bytes of zero bits) */
static void tdl_uleb(tdl_buf *b, uint64_t v, int width)
{
    int i = 0;
    for (;;) {
        unsigned low = (unsigned)(v & 0x7fu);
        v >>= 7;
        i++;
        if (width ? i < width : v != 0) tdl_byte(b, low | 0x80u);
        else { tdl_byte(b, low); return; }
    }
}

static uint64_t tdl_zigzag(int64_t s)
{
    return s >= 0 ? (uint64_t)s * 2u : (uint64_t)(-(s + 1)) * 2u + 1u;
}

typedef struct { uint64_t add, copy; int64_t seek; } tdl_triple;

typedef struct {
    const uint8_t *old;
    size_t oldn;
    tdl_buf sec[3];      /* control, diff, extra: what the sections decompress to */
    tdl_buf gz[3];       /* the sections as stored (tdl_pack, or made by hand)      */
    tdl_buf trip;        /* the triples (tdl_triple structs), for tdl_model         */
    tdl_buf want;        /* the new file the triples make (tdl_model)               */
    uint64_t hdr_oldn, newn;
    uint8_t oldsha[32], newsha[32];
    tdl_buf patch;       /* the whole patch (tdl_assemble)                          */
} tdl_patch;

static void tdl_p_init(tdl_patch *p, const uint8_t *old, size_t oldn)
{
    memset(p, 0, sizeof *p);
    p->old = old;
    p->oldn = oldn;
    p->hdr_oldn = oldn;
    upd_sha256(oldn ? old : (const uint8_t *)"", oldn, p->oldsha);
}

static void tdl_p_free(tdl_patch *p)
{
    int s;
    for (s = 0; s < 3; s++) { tdl_free(&p->sec[s]); tdl_free(&p->gz[s]); }
    tdl_free(&p->trip);
    tdl_free(&p->want);
    tdl_free(&p->patch);
}

/* one triple into the control section (numbers as short as they go) */
static void tdl_p_triple(tdl_patch *p, uint64_t add, uint64_t copy, int64_t seek)
{
    tdl_triple t;
    t.add = add;
    t.copy = copy;
    t.seek = seek;
    tdl_uleb(&p->sec[0], add, 0);
    tdl_uleb(&p->sec[0], copy, 0);
    tdl_uleb(&p->sec[0], tdl_zigzag(seek), 0);
    tdl_put(&p->trip, &t, sizeof t);
}

/* a triple with its diff bytes (pseudo-random, every third one zero) and its
   extra bytes (pseudo-random) */
static void tdl_p_op(tdl_patch *p, uint64_t add, uint64_t copy, int64_t seek, uint32_t seed)
{
    uint64_t i;
    tdl_p_triple(p, add, copy, seek);
    for (i = 0; i < add; i++) {
        seed = seed * 1103515245u + 12345u;
        tdl_byte(&p->sec[1], i % 3 == 0 ? 0u : (unsigned)(seed >> 23));
    }
    for (i = 0; i < copy; i++) {
        seed = seed * 1103515245u + 12345u;
        tdl_byte(&p->sec[2], (unsigned)(seed >> 21));
    }
}

/* The new file the recorded triples make, by the format's rules, into
   p->want, and newn and newsha from it; 0 (and what was made so far) if a
   triple leaves the old file or a section is short. */
static int tdl_model(tdl_patch *p)
{
    size_t o = 0, d = 0, x = 0, i, nt = p->trip.n / sizeof(tdl_triple);
    int ok = 1;
    tdl_clear(&p->want);
    for (i = 0; i < nt && ok; i++) {
        tdl_triple t;
        size_t j, add, copy;
        memcpy(&t, p->trip.p + i * sizeof t, sizeof t);
        if (t.add > p->oldn - o || t.add > p->sec[1].n - d || t.copy > p->sec[2].n - x) { ok = 0; break; }
        add = (size_t)t.add;
        copy = (size_t)t.copy;
        for (j = 0; j < add; j++) tdl_byte(&p->want, (unsigned)(p->old[o + j] + p->sec[1].p[d + j]));
        if (copy) tdl_put(&p->want, p->sec[2].p + x, copy);
        o += add;
        d += add;
        x += copy;
        if (t.seek < 0 ? (uint64_t)(-(t.seek + 1)) + 1u > o : (uint64_t)t.seek > p->oldn - o) ok = 0;
        else o = t.seek < 0 ? o - (size_t)((uint64_t)(-(t.seek + 1)) + 1u) : o + (size_t)t.seek;
    }
    p->newn = p->want.n;
    upd_sha256(p->want.p, p->want.n, p->newsha);
    return ok;
}

/* gz[] from sec[]: stored blocks of at most blk bytes, `members` members each */
static void tdl_pack(tdl_patch *p, size_t blk, unsigned members)
{
    int s;
    for (s = 0; s < 3; s++) {
        tdl_clear(&p->gz[s]);
        tdl_gzip(&p->gz[s], p->sec[s].p, p->sec[s].n, blk, members);
    }
}

/* the patch: the header from p's fields (the section lengths from gz[]), then gz[] */
static void tdl_assemble(tdl_patch *p)
{
    int s;
    tdl_clear(&p->patch);
    tdl_str(&p->patch, "UPDDIFF1");
    tdl_le(&p->patch, p->hdr_oldn, 8);
    tdl_le(&p->patch, p->newn, 8);
    tdl_put(&p->patch, p->oldsha, 32);
    tdl_put(&p->patch, p->newsha, 32);
    for (s = 0; s < 3; s++) tdl_le(&p->patch, (uint64_t)p->gz[s].n, 8);
    for (s = 0; s < 3; s++) tdl_put(&p->patch, p->gz[s].p, p->gz[s].n);
}

/* model, pack, assemble; returns what tdl_model says */
static int tdl_build(tdl_patch *p, size_t blk, unsigned members)
{
    int ok = tdl_model(p);
    tdl_pack(p, blk, members);
    tdl_assemble(p);
    return ok;
}

/* ---- temporary files ---- */
static const char *tdl_tmpdir(void)
{
    const char *d = getenv("TMPDIR");
    return d && *d ? d : "/tmp";
}

/* an unlinked temporary file holding data[0..n), its offset at 0 */
static int tdl_tmpfd(const void *data, size_t n)
{
    char path[600];
    int fd;
    snprintf(path, sizeof path, "%s/upd-t-delta-XXXXXX", tdl_tmpdir());
    fd = mkstemp(path);
    if (fd < 0) { printf("t_delta: mkstemp in %s failed\n", tdl_tmpdir()); exit(2); }
    unlink(path);
    if (n && write(fd, data, n) != (ssize_t)n) { printf("t_delta: cannot write a temporary file\n"); exit(2); }
    if (lseek(fd, 0, SEEK_SET) != 0) { printf("t_delta: lseek failed\n"); exit(2); }
    return fd;
}

/* all of fd (from offset 0) into out */
static void tdl_slurp(int fd, tdl_buf *out)
{
    uint8_t buf[65536];
    off_t at = 0;
    tdl_clear(out);
    for (;;) {
        ssize_t k = pread(fd, buf, sizeof buf, at);
        if (k <= 0) break;
        tdl_put(out, buf, (size_t)k);
        at += k;
    }
}

/* Applies the patch bytes to old[0..oldn) into a file that already holds
   prefix (written at its end); that file's whole contents into out. */
static upd_result tdl_apply_buf(const uint8_t *old, size_t oldn, const uint8_t *patch, size_t pn, const char *prefix,
                                tdl_buf *out, char *err, size_t errcap)
{
    int ofd = tdl_tmpfd(old, oldn), pfd = tdl_tmpfd(patch, pn), nfd = tdl_tmpfd(prefix, strlen(prefix));
    upd_result r;
    lseek(nfd, 0, SEEK_END);
    r = upd_patch_apply(ofd, pfd, nfd, err, errcap);
    tdl_slurp(nfd, out);
    close(ofd);
    close(pfd);
    close(nfd);
    return r;
}

/* p's patch applied to p's old file: UPD_OK and exactly p->want */
static void tdl_roundtrip(tdl_patch *p, const char *what)
{
    tdl_buf out = {NULL, 0, 0};
    char err[512];
    upd_result r = tdl_apply_buf(p->old, p->oldn, p->patch.p, p->patch.n, "", &out, err, sizeof err);
    CHECK_EQ_INT(r, UPD_OK);
    if (r != UPD_OK) printf("    %s: %s\n", what, err);
    CHECK_EQ_INT(out.n, p->want.n);
    CHECK(out.n == p->want.n && memcmp(out.p, p->want.p, out.n) == 0);
    CHECK_STR(err, "");
    tdl_free(&out);
}

/* p's patch applied to old[0..oldn): UPD_E_PATCH with part in err */
static void tdl_refused_on(tdl_patch *p, const uint8_t *old, size_t oldn, const char *part)
{
    tdl_buf out = {NULL, 0, 0};
    char err[512];
    upd_result r = tdl_apply_buf(old, oldn, p->patch.p, p->patch.n, "", &out, err, sizeof err);
    CHECK_EQ_INT(r, UPD_E_PATCH);
    CHECK(tdl_has(err, part));
    if (r != UPD_E_PATCH || !tdl_has(err, part)) printf("    expected \"%s\", got: %s\n", part, err);
    tdl_free(&out);
}

static void tdl_refused(tdl_patch *p, const char *part) { tdl_refused_on(p, p->old, p->oldn, part); }

/* ==== upd_tree_record ====================================================== */

static void test_delta_record_types(void)
{
    static const uint8_t one[32] = {1, 2, 3, 0xab, 0xcd, 0xef};
    uint8_t sha[32];
    char out[512], want[512], hex[65];
    upd_sha256("", 0, sha);
    /* the examples of docs/delta.md */
    CHECK_EQ_INT(upd_tree_record(out, sizeof out, UPD_TREE_DIR, 0755, 0, NULL, "bin", NULL), 11);
    CHECK_STR(out, "d 0755 bin\n");
    CHECK_EQ_INT(upd_tree_record(out, sizeof out, UPD_TREE_LINK, 0777, 0, NULL, "lib/libx.so", "libx.so.1"), 24);
    CHECK_STR(out, "l lib/libx.so libx.so.1\n");
    CHECK(upd_tree_record(out, sizeof out, UPD_TREE_FILE, 0644, 0, sha, "share/a b", NULL) > 0);
    CHECK_STR(out, "f 0644 0 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 share/a%20b\n");
    upd_hex_encode(one, 32, hex);
    snprintf(want, sizeof want, "f 0755 123456 %s bin/hello\n", hex);
    CHECK_EQ_INT(upd_tree_record(out, sizeof out, UPD_TREE_FILE, 0755, 123456, one, "bin/hello", NULL), strlen(want));
    CHECK_STR(out, want);
    /* the size in full, whatever its width */
    snprintf(want, sizeof want, "f 0644 18446744073709551615 %s x\n", hex);
    CHECK(upd_tree_record(out, sizeof out, UPD_TREE_FILE, 0644, UINT64_MAX, one, "x", NULL) > 0);
    CHECK_STR(out, want);
    /* size and sha256 belong to files, target to links: ignored otherwise */
    CHECK(upd_tree_record(out, sizeof out, UPD_TREE_DIR, 0755, 99, one, "d", "t") > 0);
    CHECK_STR(out, "d 0755 d\n");
    CHECK(upd_tree_record(out, sizeof out, UPD_TREE_LINK, 0644, 99, one, "l", "t") > 0);
    CHECK_STR(out, "l l t\n");
    CHECK(upd_tree_record(out, sizeof out, UPD_TREE_FILE, 0644, 1, one, "f", "t") > 0);
    CHECK(strstr(out, " t\n") == NULL && out[strlen(out) - 2] == 'f');
    /* what cannot be a record */
    CHECK_EQ_INT(upd_tree_record(out, sizeof out, UPD_TREE_FILE, 0644, 0, NULL, "f", NULL), 0);
    CHECK_EQ_INT(upd_tree_record(out, sizeof out, UPD_TREE_LINK, 0777, 0, NULL, "l", NULL), 0);
    CHECK_EQ_INT(upd_tree_record(out, sizeof out, UPD_TREE_LINK, 0777, 0, NULL, "l", ""), 0);
    CHECK_EQ_INT(upd_tree_record(out, sizeof out, UPD_TREE_DIR, 0755, 0, NULL, "", NULL), 0);
    CHECK_EQ_INT(upd_tree_record(out, sizeof out, UPD_TREE_DIR, 0755, 0, NULL, NULL, NULL), 0);
    CHECK_EQ_INT(upd_tree_record(NULL, sizeof out, UPD_TREE_DIR, 0755, 0, NULL, "d", NULL), 0);
    CHECK_EQ_INT(upd_tree_record(out, sizeof out, 'x', 0755, 0, one, "d", "t"), 0);
    CHECK_EQ_INT(upd_tree_record(out, sizeof out, 0, 0755, 0, one, "d", "t"), 0);
}

static void test_delta_record_mode_mask(void)
{
    static const struct { unsigned in; const char *out; } m[] = {
        {0755, "0755"}, {0644, "0644"}, {0777, "0755"}, {0666, "0644"}, {07777, "0755"}, {04755, "0755"},
        {02775, "0755"}, {01777, "0755"}, {0100644, "0644"}, {040700, "0700"}, {0, "0000"}, {0022, "0000"},
        {0500, "0500"}, {0711, "0711"}, {0123, "0101"},
    };
    uint8_t sha[32];
    char out[256], want[256], hex[65];
    size_t i;
    upd_sha256("x", 1, sha);
    upd_hex_encode(sha, 32, hex);
    for (i = 0; i < sizeof m / sizeof m[0]; i++) {
        snprintf(want, sizeof want, "d %s dir\n", m[i].out);
        CHECK(upd_tree_record(out, sizeof out, UPD_TREE_DIR, m[i].in, 0, NULL, "dir", NULL) > 0);
        CHECK_STR(out, want);
        snprintf(want, sizeof want, "f %s 1 %s file\n", m[i].out, hex);
        CHECK(upd_tree_record(out, sizeof out, UPD_TREE_FILE, m[i].in, 1, sha, "file", NULL) > 0);
        CHECK_STR(out, want);
    }
    /* links have no mode */
    CHECK(upd_tree_record(out, sizeof out, UPD_TREE_LINK, 07777, 0, NULL, "a", "b") > 0);
    CHECK_STR(out, "l a b\n");
}

/* every byte 0x01-0xff but '/' and '\\' in a name (and every byte in a target):
   0x01-0x20, '%' and 0x7f as %XX in upper case, all others as they are */
static void tdl_escaped(const char *s, tdl_buf *out)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= 0x20 || c == 0x25 || c == 0x7f) {
            char e[4];
            snprintf(e, sizeof e, "%%%02X", c);
            tdl_str(out, e);
        } else tdl_byte(out, c);
    }
}

static void test_delta_record_escaping(void)
{
    char name[300], target[300], out[2048];
    tdl_buf want = {NULL, 0, 0};
    size_t n = 0;
    unsigned c;
    for (c = 1; c < 256; c++)
        if (c != '/' && c != '\\') name[n++] = (char)c;
    name[n] = 0;
    for (c = 0; c < 255; c++) target[c] = (char)(c + 1);
    target[255] = 0;
    tdl_str(&want, "d 0755 dir/");
    tdl_escaped(name, &want);
    tdl_str(&want, "\n");
    snprintf(out, sizeof out, "dir/%s", name);
    {
        char rec[2048];
        CHECK_EQ_INT(upd_tree_record(rec, sizeof rec, UPD_TREE_DIR, 0755, 0, NULL, out, NULL), want.n);
        CHECK_STR(rec, (const char *)want.p);
    }
    tdl_clear(&want);
    tdl_str(&want, "l ");
    tdl_escaped(name, &want);
    tdl_str(&want, " ");
    tdl_escaped(target, &want);
    tdl_str(&want, "\n");
    CHECK_EQ_INT(upd_tree_record(out, sizeof out, UPD_TREE_LINK, 0, 0, NULL, name, target), want.n);
    CHECK_STR(out, (const char *)want.p);
    /* each class on its own */
    CHECK(upd_tree_record(out, sizeof out, UPD_TREE_DIR, 0755, 0, NULL, "a\x01" "b\x1f" "c d\te%f\x7fg~h", NULL) > 0);
    CHECK_STR(out, "d 0755 a%01b%1Fc%20d%09e%25f%7Fg~h\n");
    CHECK(upd_tree_record(out, sizeof out, UPD_TREE_DIR, 0755, 0, NULL, "caf\xc3\xa9/\xe2\x82\xac/\xf0\x9f\x99\x82", NULL) > 0);
    CHECK_STR(out, "d 0755 caf\xc3\xa9/\xe2\x82\xac/\xf0\x9f\x99\x82\n");
    CHECK(upd_tree_record(out, sizeof out, UPD_TREE_DIR, 0755, 0, NULL, "\x80\xff!\"#$&'()*+,-.:;<=>?@[]^_`{|}", NULL) > 0);
    CHECK_STR(out, "d 0755 \x80\xff!\"#$&'()*+,-.:;<=>?@[]^_`{|}\n");
    CHECK(upd_tree_record(out, sizeof out, UPD_TREE_LINK, 0, 0, NULL, "new\nline", "%25 \r") > 0);
    CHECK_STR(out, "l new%0Aline %2525%20%0D\n");
    /* a backslash in a path: the extractor refuses such names, so no record
       (in a link target it is just a byte) */
    CHECK_EQ_INT(upd_tree_record(out, sizeof out, UPD_TREE_DIR, 0755, 0, NULL, "a\\b", NULL), 0);
    CHECK(upd_tree_record(out, sizeof out, UPD_TREE_LINK, 0, 0, NULL, "a", "b\\c") > 0);
    CHECK_STR(out, "l a b\\c\n");
    /* a name that only starts like a reserved one is an ordinary name */
    CHECK(upd_tree_record(out, sizeof out, UPD_TREE_DIR, 0755, 0, NULL, ".updater-patches", NULL) > 0);
    tdl_free(&want);
}

/* the exact size fits, one byte less gives 0 and writes nothing past cap */
static void tdl_record_caps(int type, const uint8_t *sha, const char *path, const char *target)
{
    char full[4096];
    size_t len = upd_tree_record(full, sizeof full, type, 0755, 4242, sha, path, target), cap;
    CHECK(len > 0);
    for (cap = 0; cap <= len + 1; cap++) {
        char *b = (char *)malloc(cap ? cap : 1); /* exact: a write past cap is caught under ASan */
        size_t k;
        if (!b) { printf("t_delta: out of memory\n"); exit(2); }
        k = upd_tree_record(b, cap, type, 0755, 4242, sha, path, target);
        if (cap <= len) CHECK_EQ_INT(k, 0);
        else {
            CHECK_EQ_INT(k, len);
            CHECK(memcmp(b, full, len + 1) == 0);
        }
        free(b);
    }
}

static void test_delta_record_small_cap(void)
{
    static const uint8_t sha[32] = {9};
    char big[3 * UPDATER_MAX_PATH * 2 + 128], path[UPDATER_MAX_PATH + 1], target[UPDATER_MAX_PATH + 1];
    tdl_record_caps(UPD_TREE_FILE, sha, "bin/hello", NULL);
    tdl_record_caps(UPD_TREE_FILE, sha, "a%b c", NULL);
    tdl_record_caps(UPD_TREE_DIR, NULL, "d", NULL);
    tdl_record_caps(UPD_TREE_DIR, NULL, "%%%", NULL);
    tdl_record_caps(UPD_TREE_LINK, NULL, "l", "t");
    tdl_record_caps(UPD_TREE_LINK, NULL, "a b", "c%d\x01");
    /* the documented size always fits: the longest path and target, all escaped */
    memset(path, ' ', UPDATER_MAX_PATH);
    path[UPDATER_MAX_PATH] = 0;
    memset(target, '%', UPDATER_MAX_PATH);
    target[UPDATER_MAX_PATH] = 0;
    CHECK_EQ_INT(upd_tree_record(big, sizeof big, UPD_TREE_LINK, 0, 0, NULL, path, target), 2 + 6 * UPDATER_MAX_PATH + 2);
    CHECK(upd_tree_record(big, sizeof big, UPD_TREE_FILE, 0755, UINT64_MAX, sha, path, NULL) > 0);
}

/* ==== upd_tree_verify ====================================================== */

typedef struct {
    char dir[600];
    int fd;
} tdl_tree;

static void tdl_mkfile(int dfd, const char *name, const char *data, size_t n, mode_t mode)
{
    int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 || (n && write(fd, data, n) != (ssize_t)n) || fchmod(fd, mode) != 0) {
        printf("t_delta: cannot make the file '%s'\n", name);
        exit(2);
    }
    close(fd);
}

static void tdl_mkdir(int dfd, const char *name, mode_t mode)
{
    if (mkdirat(dfd, name, 0700) != 0 || fchmodat(dfd, name, mode, 0) != 0) {
        printf("t_delta: cannot make the directory '%s'\n", name);
        exit(2);
    }
}

static void tdl_symlink(int dfd, const char *name, const char *target)
{
    if (symlinkat(target, dfd, name) != 0) { printf("t_delta: cannot make the symlink '%s'\n", name); exit(2); }
}

static const char TDL_HELLO[] = "#!/bin/sh\necho hello\n";
static const char TDL_DATA[] = "some data\n";

/* The paths of the release tree, in listing order (sorted by bytes). */
static const char *const tdl_release[] = {
    "bin", "bin/hello", "data.txt", "empty", "lib", "lib/libx.so", "lib/libx.so.1", "share",
    "share/100%", "share/a b", "share/caf\xc3\xa9", "share/ctl\x01\x1f\x7f", "share/nl\nname",
    "share/tab\there", "share/to 100%", "share/to a b",
};

/* A temporary tree: the release above, and entries it does not list
   (a user's log, symlinks to a file and to a directory, a FIFO). */
static void tdl_tree_make(tdl_tree *t)
{
    int d;
    snprintf(t->dir, sizeof t->dir, "%s/upd-t-delta-tree-XXXXXX", tdl_tmpdir());
    if (!mkdtemp(t->dir)) { printf("t_delta: mkdtemp in %s failed\n", tdl_tmpdir()); exit(2); }
    t->fd = open(t->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (t->fd < 0) { printf("t_delta: cannot open %s\n", t->dir); exit(2); }
    d = t->fd;
    tdl_mkdir(d, "bin", 0755);
    tdl_mkfile(d, "bin/hello", TDL_HELLO, sizeof TDL_HELLO - 1, 0755);
    tdl_mkfile(d, "data.txt", TDL_DATA, sizeof TDL_DATA - 1, 0644);
    tdl_mkfile(d, "empty", "", 0, 0644);
    tdl_mkdir(d, "lib", 0755);
    tdl_symlink(d, "lib/libx.so", "libx.so.1");
    tdl_mkfile(d, "lib/libx.so.1", "libx 1\n", 7, 0644);
    tdl_mkdir(d, "share", 0700);
    tdl_mkfile(d, "share/100%", "percent\n", 8, 0600);
    tdl_mkfile(d, "share/a b", "a b\n", 4, 0644);
    tdl_mkfile(d, "share/caf\xc3\xa9", "utf-8\n", 6, 0644);
    tdl_mkfile(d, "share/ctl\x01\x1f\x7f", "ctl\n", 4, 0500);
    tdl_mkfile(d, "share/nl\nname", "nl\n", 3, 0644);
    tdl_mkfile(d, "share/tab\there", "tab\n", 4, 0711);
    tdl_symlink(d, "share/to 100%", "100%\t\x01");
    tdl_symlink(d, "share/to a b", "a b");
    /* not the release's */
    tdl_mkfile(d, "user.log", "a user's file\n", 14, 0666);
    tdl_symlink(d, "to-hello", "bin/hello");
    tdl_symlink(d, "to-bin", "bin");
    if (mkfifoat(d, "fifo", 0644) != 0) { printf("t_delta: mkfifo failed\n"); exit(2); }
}

static void tdl_rm_below(int dfd)
{
    DIR *dir;
    struct dirent *e;
    int fd = dup(dfd);
    if (fd < 0) return;
    if (!(dir = fdopendir(fd))) { close(fd); return; }
    while ((e = readdir(dir)) != NULL) {
        struct stat st;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            int sub;
            fchmodat(dfd, e->d_name, 0700, 0);
            sub = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0) { tdl_rm_below(sub); close(sub); }
            unlinkat(dfd, e->d_name, AT_REMOVEDIR);
        } else unlinkat(dfd, e->d_name, 0);
    }
    closedir(dir);
}

static void tdl_tree_remove(tdl_tree *t)
{
    tdl_rm_below(t->fd);
    close(t->fd);
    rmdir(t->dir);
}

/* the record of path as it is on disk, appended to L (by upd_tree_record) */
static void tdl_record_of(int dfd, const char *path, tdl_buf *L)
{
    static char rec[3 * UPDATER_MAX_PATH * 2 + 128];
    char target[UPDATER_MAX_PATH + 1];
    struct stat st;
    size_t k = 0;
    if (fstatat(dfd, path, &st, AT_SYMLINK_NOFOLLOW) != 0) { printf("t_delta: no '%s'\n", path); exit(2); }
    if (S_ISREG(st.st_mode)) {
        tdl_buf data = {NULL, 0, 0};
        uint8_t sha[32];
        int fd = openat(dfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) { printf("t_delta: cannot open '%s'\n", path); exit(2); }
        tdl_slurp(fd, &data);
        close(fd);
        upd_sha256(data.p, data.n, sha);
        k = upd_tree_record(rec, sizeof rec, UPD_TREE_FILE, (unsigned)st.st_mode, (uint64_t)data.n, sha, path, NULL);
        tdl_free(&data);
    } else if (S_ISDIR(st.st_mode)) {
        k = upd_tree_record(rec, sizeof rec, UPD_TREE_DIR, (unsigned)st.st_mode, 0, NULL, path, NULL);
    } else if (S_ISLNK(st.st_mode)) {
        ssize_t n = readlinkat(dfd, path, target, sizeof target - 1);
        target[n < 0 ? 0 : n] = 0;
        k = upd_tree_record(rec, sizeof rec, UPD_TREE_LINK, 0, 0, NULL, path, target);
    }
    if (!k) { printf("t_delta: no record for '%s'\n", path); exit(2); }
    tdl_put(L, rec, k);
}

static void tdl_release_listing(int dfd, tdl_buf *L)
{
    size_t i;
    tdl_clear(L);
    for (i = 0; i < sizeof tdl_release / sizeof tdl_release[0]; i++) tdl_record_of(dfd, tdl_release[i], L);
}

/* upd_tree_verify of the listing text[0..n) (from a temporary file) */
static upd_result tdl_verify(int dfd, const void *text, size_t n, const uint8_t *want, uint8_t out[32], char *err, size_t errcap)
{
    int fd = tdl_tmpfd(text, n);
    upd_result r = upd_tree_verify(dfd, fd, want, out, err, errcap);
    close(fd);
    return r;
}

/* the listing text[0..n) is refused with part in err */
static void tdl_bad_n(int dfd, const char *text, size_t n, const char *part)
{
    char err[UPDATER_MAX_PATH + 400];
    upd_result r = tdl_verify(dfd, text, n, NULL, NULL, err, sizeof err);
    CHECK_EQ_INT(r, UPD_E_TREE);
    CHECK(tdl_has(err, part));
    if (r != UPD_E_TREE || !tdl_has(err, part)) printf("    listing \"%.120s\": expected \"%s\", got: %s\n", text, part, err);
}

static void tdl_bad(int dfd, const char *text, const char *part) { tdl_bad_n(dfd, text, strlen(text), part); }

static void tdl_good(int dfd, const char *text)
{
    char err[UPDATER_MAX_PATH + 400];
    upd_result r = tdl_verify(dfd, text, strlen(text), NULL, NULL, err, sizeof err);
    CHECK_EQ_INT(r, UPD_OK);
    if (r != UPD_OK) printf("    listing \"%.120s\": %s\n", text, err);
}

/* hex SHA-256 of s */
static void tdl_hex_of(const char *s, size_t n, char hex[65])
{
    uint8_t sha[32];
    upd_sha256(s, n, sha);
    upd_hex_encode(sha, 32, hex);
}

static void test_delta_verify_matching_tree(void)
{
    tdl_tree t;
    tdl_buf L = {NULL, 0, 0};
    uint8_t got[32], want[32], other[32];
    char err[600];
    int fd;
    tdl_tree_make(&t);
    tdl_release_listing(t.fd, &L);
    upd_sha256(L.p, L.n, want);
    memset(got, 0, sizeof got);
    CHECK_EQ_INT(tdl_verify(t.fd, L.p, L.n, NULL, got, err, sizeof err), UPD_OK);
    CHECK(memcmp(got, want, 32) == 0);
    CHECK_STR(err, "");
    /* with the right tree= */
    memset(got, 0, sizeof got);
    CHECK_EQ_INT(tdl_verify(t.fd, L.p, L.n, want, got, err, sizeof err), UPD_OK);
    CHECK(memcmp(got, want, 32) == 0);
    /* with a wrong one: the tree matches, the listing is not the manifest's */
    memcpy(other, want, 32);
    other[31] ^= 1;
    CHECK_EQ_INT(tdl_verify(t.fd, L.p, L.n, other, got, err, sizeof err), UPD_E_TREE);
    CHECK(tdl_has(err, "tree="));
    upd_sha256("", 0, other);
    CHECK_EQ_INT(tdl_verify(t.fd, L.p, L.n, other, NULL, err, sizeof err), UPD_E_TREE);
    CHECK(tdl_has(err, "tree="));
    /* no tree_out, no err buffer */
    CHECK_EQ_INT(tdl_verify(t.fd, L.p, L.n, want, NULL, NULL, 0), UPD_OK);
    CHECK_EQ_INT(tdl_verify(t.fd, L.p, L.n, other, NULL, NULL, 0), UPD_E_TREE);
    CHECK_EQ_INT(tdl_verify(t.fd, L.p, L.n, other, NULL, err, 1), UPD_E_TREE);
    CHECK_STR(err, "");
    /* the listing is read from the descriptor's position to its end */
    fd = tdl_tmpfd("junk that is not a record\n", 26);
    lseek(fd, 0, SEEK_END);
    CHECK(write(fd, L.p, L.n) == (ssize_t)L.n);
    lseek(fd, 26, SEEK_SET);
    memset(got, 0, sizeof got);
    CHECK_EQ_INT(upd_tree_verify(t.fd, fd, want, got, err, sizeof err), UPD_OK);
    CHECK(memcmp(got, want, 32) == 0);
    close(fd);
    /* an empty listing: nothing to check, the hash of nothing */
    upd_sha256("", 0, want);
    CHECK_EQ_INT(tdl_verify(t.fd, "", 0, want, got, err, sizeof err), UPD_OK);
    CHECK(memcmp(got, want, 32) == 0);
    /* a listing that cannot be read */
    CHECK_EQ_INT(upd_tree_verify(t.fd, t.fd, NULL, NULL, err, sizeof err), UPD_E_IO);
    CHECK(err[0] != 0);
    /* each record alone */
    {
        size_t i;
        for (i = 0; i < sizeof tdl_release / sizeof tdl_release[0]; i++) {
            tdl_buf one = {NULL, 0, 0};
            tdl_record_of(t.fd, tdl_release[i], &one);
            tdl_good(t.fd, (const char *)one.p);
            tdl_free(&one);
        }
    }
    /* the escaped names as they are written */
    {
        char hex[65], rec[400];
        tdl_hex_of("a b\n", 4, hex);
        snprintf(rec, sizeof rec, "f 0644 4 %s share/a%%20b\n", hex);
        tdl_good(t.fd, rec);
        tdl_hex_of("percent\n", 8, hex);
        snprintf(rec, sizeof rec, "f 0600 8 %s share/100%%25\n", hex);
        tdl_good(t.fd, rec);
        tdl_hex_of("ctl\n", 4, hex);
        snprintf(rec, sizeof rec, "f 0500 4 %s share/ctl%%01%%1F%%7F\n", hex);
        tdl_good(t.fd, rec);
        tdl_good(t.fd, "l share/to%20100%25 100%25%09%01\nl share/to%20a%20b a%20b\n");
    }
    tdl_free(&L);
    tdl_tree_remove(&t);
}

/* A name of every byte but NUL, '/' and '\\' (the extractor refuses a
   backslash): made on disk, recorded, and checked from its record. */
static void test_delta_verify_every_byte_name(void)
{
    tdl_tree t;
    tdl_buf L = {NULL, 0, 0};
    uint8_t want[32], got[32];
    char name[260], path[300], err[600];
    size_t n = 0;
    unsigned c;
    for (c = 1; c < 256; c++)
        if (c != '/' && c != '\\') name[n++] = (char)c;
    name[n] = 0;
    tdl_tree_make(&t);
    tdl_mkdir(t.fd, name, 0755);
    snprintf(path, sizeof path, "bin/%s", name);
    tdl_mkfile(t.fd, path, name, n, 0644);
    tdl_symlink(t.fd, "lib/every", name);
    tdl_record_of(t.fd, name, &L); /* 0x01 first: before "bin" */
    tdl_record_of(t.fd, "bin", &L);
    tdl_record_of(t.fd, path, &L);
    tdl_record_of(t.fd, "lib/every", &L);
    upd_sha256(L.p, L.n, want);
    CHECK_EQ_INT(tdl_verify(t.fd, L.p, L.n, want, got, err, sizeof err), UPD_OK);
    CHECK(memcmp(want, got, 32) == 0);
    if (err[0]) printf("    %s\n", err);
    tdl_free(&L);
    tdl_tree_remove(&t);
}

/* hundreds of records: the listing crosses the reader's buffer many times */
static void test_delta_verify_long_listing(void)
{
    tdl_tree t;
    tdl_buf L = {NULL, 0, 0};
    uint8_t want[32], got[32];
    char name[400], err[600];
    int i;
    tdl_tree_make(&t);
    tdl_mkdir(t.fd, "many", 0755);
    tdl_record_of(t.fd, "many", &L);
    for (i = 0; i < 400; i++) {
        char content[32];
        int k = snprintf(content, sizeof content, "file %d\n", i);
        snprintf(name, sizeof name, "many/%03d %0*d", i, 230 + i % 7, i);
        tdl_mkfile(t.fd, name, content, (size_t)k, (mode_t)(i % 2 ? 0644 : 0755));
        tdl_record_of(t.fd, name, &L);
    }
    CHECK(L.n > 4 * UPD__TREE_LINE);
    upd_sha256(L.p, L.n, want);
    CHECK_EQ_INT(tdl_verify(t.fd, L.p, L.n, want, got, err, sizeof err), UPD_OK);
    CHECK(memcmp(want, got, 32) == 0);
    /* the last record differs: found after all the others */
    L.p[L.n - 2] = L.p[L.n - 2] == '9' ? '8' : '9';
    CHECK_EQ_INT(tdl_verify(t.fd, L.p, L.n, NULL, NULL, err, sizeof err), UPD_E_TREE);
    CHECK(tdl_has(err, "missing"));
    tdl_free(&L);
    tdl_tree_remove(&t);
}

static void test_delta_verify_mismatches(void)
{
    tdl_tree t;
    char hello[65], data[65], other[65], empty[65], rec[1200];
    int d;
    tdl_tree_make(&t);
    d = t.fd;
    tdl_hex_of(TDL_HELLO, sizeof TDL_HELLO - 1, hello);
    tdl_hex_of(TDL_DATA, sizeof TDL_DATA - 1, data);
    tdl_hex_of("SOME DATA\n", 10, other);
    tdl_hex_of("", 0, empty);
    /* content: same size, other bytes */
    snprintf(rec, sizeof rec, "f 0644 10 %s data.txt\n", other);
    tdl_bad(d, rec, "data.txt: content differs");
    /* size */
    snprintf(rec, sizeof rec, "f 0644 11 %s data.txt\n", data);
    tdl_bad(d, rec, "data.txt: 10 bytes, the release has 11");
    snprintf(rec, sizeof rec, "f 0644 0 %s data.txt\n", empty);
    tdl_bad(d, rec, "10 bytes, the release has 0");
    /* mode, of a file and of a directory */
    snprintf(rec, sizeof rec, "f 0755 10 %s data.txt\n", data);
    tdl_bad(d, rec, "data.txt: mode 0644, the release has 0755");
    snprintf(rec, sizeof rec, "f 0644 %u %s bin/hello\n", (unsigned)sizeof TDL_HELLO - 1, hello);
    tdl_bad(d, rec, "bin/hello: mode 0755, the release has 0644");
    tdl_bad(d, "d 0755 share\n", "share: mode 0700, the release has 0755");
    tdl_bad(d, "d 0700 bin\n", "bin: mode 0755, the release has 0700");
    /* missing: a file, a directory, a link, a parent */
    snprintf(rec, sizeof rec, "f 0644 0 %s nothere\n", empty);
    tdl_bad(d, rec, "nothere: missing");
    tdl_bad(d, "d 0755 nodir\n", "nodir: missing");
    tdl_bad(d, "l nolink x\n", "nolink: missing");
    snprintf(rec, sizeof rec, "f 0644 0 %s nodir/x\n", empty);
    tdl_bad(d, rec, "nodir/x: missing");
    tdl_bad(d, "d 0755 bin/nodir/deeper\n", "missing");
    /* a file where a directory is listed, and the other way round */
    tdl_bad(d, "d 0644 data.txt\n", "data.txt: not a directory");
    tdl_bad(d, "d 0755 bin/hello\n", "bin/hello: not a directory");
    snprintf(rec, sizeof rec, "f 0755 0 %s bin\n", empty);
    tdl_bad(d, rec, "bin: not a regular file");
    /* a FIFO where a file is listed: refused, never waited on */
    snprintf(rec, sizeof rec, "f 0644 0 %s fifo\n", empty);
    tdl_bad(d, rec, "fifo: not a regular file");
    tdl_bad(d, "d 0644 fifo\n", "not a directory");
    tdl_bad(d, "l fifo x\n", "not a symlink");
    /* a symlink where a file is listed, even to the right file: never followed */
    snprintf(rec, sizeof rec, "f 0755 %u %s to-hello\n", (unsigned)sizeof TDL_HELLO - 1, hello);
    tdl_bad(d, rec, "to-hello: a symlink");
    tdl_bad(d, "d 0755 to-bin\n", "to-bin: not a directory");
    /* a file or a directory where a symlink is listed */
    tdl_bad(d, "l data.txt x\n", "data.txt: not a symlink");
    tdl_bad(d, "l bin bin\n", "bin: not a symlink");
    /* a wrong target, a prefix of it, a longer one */
    tdl_bad(d, "l lib/libx.so libx.so.2\n", "lib/libx.so: links to 'libx.so.1', the release to 'libx.so.2'");
    tdl_bad(d, "l lib/libx.so libx.so\n", "links to 'libx.so.1'");
    tdl_bad(d, "l lib/libx.so libx.so.11\n", "links to 'libx.so.1'");
    tdl_bad(d, "l to-hello /abs/bin/hello\n", "links to 'bin/hello'");
    tdl_bad(d, "l share/to%20a%20b a+b\n", "links to");
    tdl_good(d, "l to-bin bin\nl to-hello bin/hello\n");
    /* a parent component that is a symlink (to the right directory), or a file */
    snprintf(rec, sizeof rec, "f 0755 %u %s to-bin/hello\n", (unsigned)sizeof TDL_HELLO - 1, hello);
    tdl_bad(d, rec, "to-bin/hello: its directory is not one");
    tdl_bad(d, "d 0755 to-bin/sub\n", "its directory is not one");
    tdl_bad(d, "l to-bin/x y\n", "its directory is not one");
    tdl_bad(d, "d 0755 data.txt/x\n", "data.txt/x: its directory is not one");
    snprintf(rec, sizeof rec, "f 0644 0 %s share/a%%20b/c/d\n", empty);
    tdl_bad(d, rec, "its directory is not one");
    /* unlisted entries are not looked at; the first mismatch is the one told */
    snprintf(rec, sizeof rec, "d 0755 bin\nf 0644 10 %s data.txt\nd 0755 lib\nd 0755 zzz\n", other);
    tdl_bad(d, rec, "data.txt: content differs");
    tdl_tree_remove(&t);
}

static void test_delta_verify_order(void)
{
    tdl_tree t;
    char hello[65], rec[1200], caf[65];
    int d;
    tdl_tree_make(&t);
    d = t.fd;
    tdl_hex_of(TDL_HELLO, sizeof TDL_HELLO - 1, hello);
    tdl_hex_of("utf-8\n", 6, caf);
    tdl_good(d, "d 0755 bin\nd 0755 lib\n");
    tdl_bad(d, "d 0755 lib\nd 0755 bin\n", "'bin' out of order");
    /* a duplicate */
    tdl_bad(d, "d 0755 bin\nd 0755 bin\n", "'bin' out of order");
    tdl_bad(d, "l lib/libx.so libx.so.1\nl lib/libx.so libx.so.1\n", "out of order");
    /* a path sorts before the paths it is a prefix of */
    snprintf(rec, sizeof rec, "d 0755 bin\nf 0755 %u %s bin/hello\n", (unsigned)sizeof TDL_HELLO - 1, hello);
    tdl_good(d, rec);
    snprintf(rec, sizeof rec, "f 0755 %u %s bin/hello\nd 0755 bin\n", (unsigned)sizeof TDL_HELLO - 1, hello);
    tdl_bad(d, rec, "'bin' out of order");
    /* by bytes, not by tree walk: '-' (0x2d) before '/' (0x2f) */
    snprintf(rec, sizeof rec, "f 0755 %u %s bin/hello\nd 0755 bin-x\n", (unsigned)sizeof TDL_HELLO - 1, hello);
    tdl_bad(d, rec, "'bin-x' out of order");
    tdl_bad(d, "l lib/libx.so libx.so.1\nd 0755 lib.d\n", "out of order"); /* '.' 0x2e before '/' */
    /* unsigned bytes: UTF-8 after ASCII */
    snprintf(rec, sizeof rec, "f 0644 6 %s share/caf%s\nd 0755 share/cafz\n", caf, "\xc3\xa9");
    tdl_bad(d, rec, "'share/cafz' out of order");
    snprintf(rec, sizeof rec, "d 0755 share/cafz\nf 0644 6 %s share/caf%s\n", caf, "\xc3\xa9");
    tdl_bad(d, rec, "share/cafz: missing"); /* in order: the first record is looked at */
    /* the order is of the paths as they are, not as escaped: "a b" (0x20) before "a!" (0x21) */
    tdl_mkdir(d, "share/a!", 0755);
    tdl_hex_of("a b\n", 4, caf);
    snprintf(rec, sizeof rec, "d 0700 share\nd 0755 share/a!\nf 0644 4 %s share/a%%20b\n", caf);
    tdl_bad(d, rec, "'share/a b' out of order");
    snprintf(rec, sizeof rec, "d 0700 share\nf 0644 4 %s share/a%%20b\nd 0755 share/a!\n", caf);
    tdl_good(d, rec);
    tdl_tree_remove(&t);
}

static void test_delta_verify_malformed(void)
{
    tdl_tree t;
    char hello[65], up[65], data[65], empty[65], rec[UPDATER_MAX_PATH + 400];
    size_t i;
    int d;
    tdl_tree_make(&t);
    d = t.fd;
    tdl_hex_of(TDL_HELLO, sizeof TDL_HELLO - 1, hello);
    tdl_hex_of(TDL_DATA, sizeof TDL_DATA - 1, data);
    tdl_hex_of("", 0, empty);
    /* records */
    tdl_bad(d, "\n", "bad record");
    tdl_bad(d, "d 0755 bin\n\n", "bad record");
    tdl_bad(d, "x 0755 bin\n", "bad record");
    tdl_bad(d, "D 0755 bin\n", "bad record");
    tdl_bad(d, "dd 0755 bin\n", "bad record");
    tdl_bad(d, " d 0755 bin\n", "bad record");
    tdl_bad(d, "d\n", "bad record");
    tdl_bad(d, "d 0755\n", "bad record");
    tdl_bad(d, "d0755 bin\n", "bad record");
    tdl_bad(d, "d  0755 bin\n", "bad record");
    tdl_bad(d, "d 0755  bin\n", "bad record");
    tdl_bad(d, "d 0755 bin \n", "bad record");
    tdl_bad(d, "d 0755 bin lib\n", "bad record");
    tdl_bad(d, "d\t0755 bin\n", "bad record");
    tdl_bad(d, "l lib/libx.so\n", "bad record");
    tdl_bad(d, "l lib/libx.so libx.so.1 x\n", "bad record");
    tdl_bad(d, "l lib/libx.so  libx.so.1\n", "bad record");
    snprintf(rec, sizeof rec, "f 0644 10 %s\n", data);
    tdl_bad(d, rec, "bad record");
    snprintf(rec, sizeof rec, "f 0644 %s data.txt\n", data);
    tdl_bad(d, rec, "bad record");
    snprintf(rec, sizeof rec, "f 0644 10 %s data.txt x\n", data);
    tdl_bad(d, rec, "bad record");
    snprintf(rec, sizeof rec, "f 10 %s data.txt\n", data);
    tdl_bad(d, rec, "bad record");
    /* CR LF line ends: the CR is a byte of the path, and not a plain one */
    tdl_bad(d, "d 0755 bin\r\n", "bad path");
    /* modes */
    tdl_bad(d, "d 755 bin\n", "bad mode");
    tdl_bad(d, "d 00755 bin\n", "bad mode");
    tdl_bad(d, "d 1755 bin\n", "bad mode");
    tdl_bad(d, "d 0855 bin\n", "bad mode");
    tdl_bad(d, "d 075a bin\n", "bad mode");
    tdl_bad(d, "d +755 bin\n", "bad mode");
    tdl_bad(d, "d 0777 bin\n", "never installs");
    tdl_bad(d, "d 0775 bin\n", "never installs");
    tdl_bad(d, "d 0757 bin\n", "never installs");
    snprintf(rec, sizeof rec, "f 0666 10 %s data.txt\n", data);
    tdl_bad(d, rec, "never installs");
    /* sizes: decimal, no leading zeros, no sign */
    snprintf(rec, sizeof rec, "f 0644 010 %s data.txt\n", data);
    tdl_bad(d, rec, "bad size '010'");
    snprintf(rec, sizeof rec, "f 0644 0000000010 %s data.txt\n", data);
    tdl_bad(d, rec, "bad size");
    snprintf(rec, sizeof rec, "f 0644 00 %s empty\n", empty);
    tdl_bad(d, rec, "bad size '00'");
    snprintf(rec, sizeof rec, "f 0644 0 %s empty\n", empty);
    tdl_good(d, rec);
    snprintf(rec, sizeof rec, "f 0644 +10 %s data.txt\n", data);
    tdl_bad(d, rec, "bad size");
    snprintf(rec, sizeof rec, "f 0644 -1 %s data.txt\n", data);
    tdl_bad(d, rec, "bad size");
    snprintf(rec, sizeof rec, "f 0644 1e1 %s data.txt\n", data);
    tdl_bad(d, rec, "bad size");
    snprintf(rec, sizeof rec, "f 0644 0x0a %s data.txt\n", data);
    tdl_bad(d, rec, "bad size");
    snprintf(rec, sizeof rec, "f 0644 99999999999999999999 %s data.txt\n", data);
    tdl_bad(d, rec, "bad size");
    snprintf(rec, sizeof rec, "f 0644 9999999999999999999 %s data.txt\n", data);
    tdl_bad(d, rec, "the release has 9999999999999999999");
    /* SHA-256: 64 lower-case hex digits */
    memcpy(up, data, sizeof up);
    for (i = 0; i < 64; i++)
        if (up[i] >= 'a' && up[i] <= 'f') up[i] = (char)(up[i] - 'a' + 'A');
    snprintf(rec, sizeof rec, "f 0644 10 %s data.txt\n", up);
    tdl_bad(d, rec, "upper-case hex");
    snprintf(rec, sizeof rec, "f 0644 10 %.63s data.txt\n", data);
    tdl_bad(d, rec, "bad SHA-256");
    snprintf(rec, sizeof rec, "f 0644 10 %s0 data.txt\n", data);
    tdl_bad(d, rec, "bad SHA-256");
    memcpy(up, data, sizeof up);
    up[10] = 'g';
    snprintf(rec, sizeof rec, "f 0644 10 %s data.txt\n", up);
    tdl_bad(d, rec, "bad SHA-256");
    /* escapes */
    tdl_bad(d, "d 0700 share%zz\n", "bad path");
    tdl_bad(d, "d 0755 bi%6E\n", "bad path");           /* 'n' needs no escape */
    tdl_bad(d, "d 0755 %41\n", "bad path");             /* nor does 'A' */
    tdl_bad(d, "d 0755 bin%2Fx\n", "bad path");         /* nor '/' */
    tdl_bad(d, "d 0755 bin%2fx\n", "bad path");
    tdl_bad(d, "d 0700 share/a%20b%2\n", "bad path");   /* cut short */
    tdl_bad(d, "d 0700 share/a%20b%\n", "bad path");
    tdl_bad(d, "d 0700 share/a%2\n", "bad path");
    tdl_bad(d, "d 0700 share/%\n", "bad path");
    tdl_bad(d, "d 0700 share/a%00b\n", "bad path");     /* NUL: never in a name */
    tdl_bad(d, "d 0700 share/%0a\n", "bad path");       /* lower-case hex */
    tdl_bad(d, "d 0700 share/nl%0aname\n", "bad path");
    tdl_bad(d, "d 0700 share/%7f\n", "bad path");
    tdl_bad(d, "d 0700 share/%g0\n", "bad path");
    tdl_bad(d, "d 0700 share/% 0\n", "bad record");
    /* bytes that must be escaped, written as they are */
    tdl_bad(d, "d 0700 share/100%\n", "bad path");
    tdl_bad(d, "d 0700 share/a\x01" "b\n", "bad path");
    tdl_bad(d, "d 0700 share/tab\there\n", "bad path");
    tdl_bad(d, "d 0700 share/x\x7f\n", "bad path");
    tdl_bad(d, "d 0700 share/x\x1f\n", "bad path");
    tdl_bad(d, "l lib/libx.so libx.so.1\x7f\n", "bad link target");
    tdl_bad(d, "l lib/libx.so libx%2Eso.1\n", "bad link target");
    tdl_bad(d, "l lib/libx.so libx.so.%\n", "bad link target");
    tdl_bad(d, "l lib/libx.so %00\n", "bad link target");
    tdl_bad(d, "l lib/libx.so libx%2e\n", "bad link target");
    /* paths: relative and normalized */
    tdl_bad(d, "d 0755 ../bin\n", "bad path");
    tdl_bad(d, "d 0755 ..\n", "bad path");
    tdl_bad(d, "d 0755 bin/..\n", "bad path");
    tdl_bad(d, "d 0755 lib/../bin\n", "bad path");
    tdl_bad(d, "d 0755 /bin\n", "bad path");
    tdl_bad(d, "d 0755 /etc\n", "bad path");
    tdl_bad(d, "d 0755 ./bin\n", "bad path");
    tdl_bad(d, "d 0755 .\n", "bad path");
    tdl_bad(d, "d 0755 bin/\n", "bad path");
    tdl_bad(d, "d 0755 bin/.\n", "bad path");
    tdl_bad(d, "d 0755 bin//x\n", "bad path");
    tdl_bad(d, "d 0755 bin/./x\n", "bad path");
    tdl_bad(d, "d 0755 /\n", "bad path");
    tdl_bad(d, "d 0755 //\n", "bad path");
    tdl_bad(d, "l ../x y\n", "bad path");
    snprintf(rec, sizeof rec, "f 0644 10 %s /abs/data.txt\n", data);
    tdl_bad(d, rec, "bad path");
    snprintf(rec, sizeof rec, "f 0644 10 %s ../data.txt\n", data);
    tdl_bad(d, rec, "bad path");
    /* a path longer than UPDATER_MAX_PATH */
    memcpy(rec, "d 0755 ", 7);
    memset(rec + 7, 'a', UPDATER_MAX_PATH + 1);
    memcpy(rec + 7 + UPDATER_MAX_PATH + 1, "\n", 2);
    tdl_bad(d, rec, "bad path");
    /* the reserved top-level names, and names under them */
    tdl_bad(d, "d 0755 .updater-tree\n", "reserved name '.updater-tree'");
    tdl_bad(d, "d 0755 .updater-delete\n", "reserved name '.updater-delete'");
    tdl_bad(d, "d 0755 .updater-patch\n", "reserved name '.updater-patch'");
    tdl_bad(d, "d 0755 .updater-patch/bin\n", "reserved name");
    snprintf(rec, sizeof rec, "f 0644 10 %s .updater-tree\n", data);
    tdl_bad(d, rec, "reserved name");
    tdl_bad(d, "l .updater-delete x\n", "reserved name");
    /* ... only at the top */
    tdl_bad(d, "d 0755 bin/.updater-tree\n", "bin/.updater-tree: missing");
    tdl_bad(d, "d 0755 bin/.updater-patch\n", "missing");
    tdl_tree_remove(&t);
}

static void test_delta_verify_listing_bytes(void)
{
    tdl_tree t;
    tdl_buf L = {NULL, 0, 0};
    char err[600];
    uint8_t got[32];
    char *big;
    int d;
    tdl_tree_make(&t);
    d = t.fd;
    tdl_release_listing(d, &L);
    /* without the last line end */
    tdl_bad_n(d, (const char *)L.p, L.n - 1, "last record has no line end");
    tdl_bad(d, "d 0755 bin", "no line end");
    tdl_bad(d, "d 0755 bin\nd 0755 lib", "no line end");
    /* a NUL byte: in a record, at its start, before the line end, after the last line end */
    tdl_bad_n(d, "d 0755 b\0in\n", 12, "NUL byte");
    tdl_bad_n(d, "\0d 0755 bin\n", 12, "NUL byte");
    tdl_bad_n(d, "d 0755 bin\0\n", 12, "NUL byte");
    tdl_bad_n(d, "d 0755 bin\n\0", 12, "no line end");
    tdl_bad_n(d, "d 0755 bin\nd 0755 lib\0\n", 23, "NUL byte");
    /* the record length limit: UPD__TREE_LINE bytes with the line end */
    big = (char *)malloc(UPD__TREE_LINE + 64);
    if (!big) { printf("t_delta: out of memory\n"); exit(2); }
    memcpy(big, "d 0755 ", 7);
    memset(big + 7, 'a', UPD__TREE_LINE - 8);
    big[UPD__TREE_LINE - 1] = '\n';
    tdl_bad_n(d, big, UPD__TREE_LINE, "bad path"); /* read whole, then refused for its length */
    memset(big + 7, 'a', UPD__TREE_LINE - 7);
    big[UPD__TREE_LINE] = '\n';
    tdl_bad_n(d, big, UPD__TREE_LINE + 1, "record too long");
    tdl_bad_n(d, big, UPD__TREE_LINE, "record too long"); /* (and no line end at all) */
    memset(big, 'x', UPD__TREE_LINE + 64);
    tdl_bad_n(d, big, UPD__TREE_LINE + 64, "record too long");
    /* a long record after good ones */
    memcpy(big, "d 0755 bin\nd 0755 lib\n", 22);
    tdl_bad_n(d, big, UPD__TREE_LINE + 64, "record too long");
    free(big);
    /* the hash is of the bytes read: the same listing after other bytes (a
       record of a user's file the release does not list) is another tree= */
    CHECK_EQ_INT(tdl_verify(d, L.p, L.n, NULL, got, err, sizeof err), UPD_OK);
    {
        uint8_t first[32], second[32];
        char hex[65], rec[300];
        tdl_buf M = {NULL, 0, 0};
        memcpy(first, got, 32);
        tdl_hex_of("a user's file\n", 14, hex);
        snprintf(rec, sizeof rec, "f 0644 14 %s user.log\n", hex);
        tdl_put(&M, L.p, L.n);
        tdl_str(&M, rec);
        CHECK_EQ_INT(tdl_verify(d, M.p, M.n, NULL, second, err, sizeof err), UPD_E_TREE); /* it is 0666 */
        CHECK(tdl_has(err, "user.log: mode"));
        CHECK_EQ_INT(tdl_verify(d, M.p, M.n, first, second, err, sizeof err), UPD_E_TREE);
        tdl_free(&M);
    }
    tdl_free(&L);
    tdl_tree_remove(&t);
}

/* ==== upd_patch_apply ====================================================== */

/* a patch written out in full by hand: "hello world" into "hello brave new world" */
static void test_delta_patch_by_hand(void)
{
    static const uint8_t ctl[] = {6, 10, 0, 5, 0, 0};  /* (6, 10, 0) (5, 0, 0) */
    static const uint8_t dif[11] = {0};
    tdl_patch p;
    tdl_buf out = {NULL, 0, 0};
    char err[256];
    tdl_p_init(&p, (const uint8_t *)"hello world", 11);
    tdl_gzip(&p.gz[0], ctl, sizeof ctl, 0, 1);
    tdl_gzip(&p.gz[1], dif, sizeof dif, 0, 1);
    tdl_gzip(&p.gz[2], (const uint8_t *)"brave new ", 10, 0, 1);
    p.newn = 21;
    upd_sha256("hello brave new world", 21, p.newsha);
    tdl_assemble(&p);
    CHECK_EQ_INT(p.patch.n, UPD_PATCH_HEADER + p.gz[0].n + p.gz[1].n + p.gz[2].n);
    CHECK_EQ_INT(tdl_apply_buf(p.old, p.oldn, p.patch.p, p.patch.n, "", &out, err, sizeof err), UPD_OK);
    CHECK_STR((const char *)out.p, "hello brave new world");
    /* differences add modulo 256, a seek goes back: "abc" into "bcd" "\x01" "abc" */
    {
        static const uint8_t c2[] = {3, 1, 5, 3, 0, 0}; /* (3, 1, -3) (3, 0, 0) */
        static const uint8_t d2[] = {1, 1, 1, 0, 0, 0};
        static const uint8_t x2[] = {0xfe};
        static const uint8_t want[] = {'b', 'c', 'd', 0xfe, 'a', 'b', 'c'};
        tdl_patch q;
        tdl_p_init(&q, (const uint8_t *)"abc", 3);
        tdl_gzip(&q.gz[0], c2, sizeof c2, 0, 1);
        tdl_gzip(&q.gz[1], d2, sizeof d2, 0, 1);
        tdl_gzip(&q.gz[2], x2, sizeof x2, 0, 1);
        q.newn = sizeof want;
        upd_sha256(want, sizeof want, q.newsha);
        tdl_assemble(&q);
        CHECK_EQ_INT(tdl_apply_buf(q.old, q.oldn, q.patch.p, q.patch.n, "", &out, err, sizeof err), UPD_OK);
        CHECK(out.n == sizeof want && memcmp(out.p, want, sizeof want) == 0);
        tdl_p_free(&q);
    }
    {   /* 0xff + 0x02 = 0x01 */
        static const uint8_t c3[] = {2, 0, 0};
        static const uint8_t d3[] = {0x02, 0xff};
        static const uint8_t old3[] = {0xff, 0x80};
        static const uint8_t want[] = {0x01, 0x7f};
        tdl_patch q;
        tdl_p_init(&q, old3, 2);
        tdl_gzip(&q.gz[0], c3, sizeof c3, 0, 1);
        tdl_gzip(&q.gz[1], d3, sizeof d3, 0, 1);
        tdl_gzip(&q.gz[2], NULL, 0, 0, 1);
        q.newn = 2;
        upd_sha256(want, 2, q.newsha);
        tdl_assemble(&q);
        CHECK_EQ_INT(tdl_apply_buf(q.old, q.oldn, q.patch.p, q.patch.n, "", &out, err, sizeof err), UPD_OK);
        CHECK(out.n == 2 && memcmp(out.p, want, 2) == 0);
        tdl_p_free(&q);
    }
    /* the encoder and the model agree with the hand-made patch */
    tdl_p_triple(&p, 6, 10, 0);
    tdl_p_triple(&p, 5, 0, 0);
    tdl_put(&p.sec[1], dif, sizeof dif);
    tdl_str(&p.sec[2], "brave new ");
    CHECK(p.sec[0].n == sizeof ctl && memcmp(p.sec[0].p, ctl, sizeof ctl) == 0);
    CHECK(tdl_model(&p));
    CHECK_STR((const char *)p.want.p, "hello brave new world");
    /* the new file is written from out_fd's position on */
    CHECK_EQ_INT(tdl_apply_buf(p.old, p.oldn, p.patch.p, p.patch.n, "prefix:", &out, err, sizeof err), UPD_OK);
    CHECK_STR((const char *)out.p, "prefix:hello brave new world");
    /* no err buffer */
    CHECK_EQ_INT(tdl_apply_buf(p.old, p.oldn, p.patch.p, p.patch.n, "", &out, NULL, 0), UPD_OK);
    CHECK_EQ_INT(tdl_apply_buf(p.old, 10, p.patch.p, p.patch.n, "", &out, NULL, 0), UPD_E_PATCH);
    CHECK_EQ_INT(tdl_apply_buf(p.old, 10, p.patch.p, p.patch.n, "", &out, err, 1), UPD_E_PATCH);
    CHECK_STR(err, "");
    tdl_free(&out);
    tdl_p_free(&p);
}

static void test_delta_patch_empty_files(void)
{
    static uint8_t old[5000];
    tdl_patch p;
    tdl_fill(old, sizeof old, 1);
    /* empty into empty: three gzip members of nothing */
    tdl_p_init(&p, old, 0);
    CHECK(tdl_build(&p, 0, 1));
    CHECK_EQ_INT(p.newn, 0);
    tdl_roundtrip(&p, "empty into empty");
    tdl_p_free(&p);
    /* empty into something: inserts only */
    tdl_p_init(&p, old, 0);
    tdl_p_op(&p, 0, 1, 0, 2);
    tdl_p_op(&p, 0, 1000, 0, 3);
    tdl_p_op(&p, 0, 70000, 0, 4);
    CHECK(tdl_build(&p, 0, 1));
    CHECK_EQ_INT(p.newn, 71001);
    tdl_roundtrip(&p, "empty into 71001 bytes");
    tdl_p_free(&p);
    /* something into empty: no triples at all */
    tdl_p_init(&p, old, sizeof old);
    CHECK(tdl_build(&p, 0, 1));
    tdl_roundtrip(&p, "5000 bytes into empty");
    tdl_p_free(&p);
    /* ... or triples that only seek are refused: add + copy = 0 */
    tdl_p_init(&p, old, sizeof old);
    tdl_p_triple(&p, 0, 0, 100);
    tdl_build(&p, 0, 1);
    tdl_refused(&p, "empty triple");
    tdl_p_free(&p);
    /* the same file again: one add of zero differences */
    tdl_p_init(&p, old, sizeof old);
    tdl_p_triple(&p, sizeof old, 0, 0);
    { static const uint8_t zero[sizeof old] = {0}; tdl_put(&p.sec[1], zero, sizeof zero); }
    CHECK(tdl_build(&p, 0, 1));
    CHECK(p.want.n == sizeof old && memcmp(p.want.p, old, sizeof old) == 0);
    tdl_roundtrip(&p, "the same file");
    tdl_p_free(&p);
}

static void test_delta_patch_round_trips(void)
{
    static uint8_t old[200000];
    static const struct { size_t blk; unsigned members; } packs[] = {
        {65535, 4}, {32768, 7}, {8192, 1}, {1000, 4}, {7, 1}, {4097, 2},
    };
    tdl_patch p;
    size_t b;
    tdl_fill(old, sizeof old, 7);
    /* copies only (adds with differences), forwards and backwards over the old file */
    tdl_p_init(&p, old, sizeof old);
    tdl_p_op(&p, 100, 0, 50, 1);
    tdl_p_op(&p, 40000, 0, -40150, 2);        /* back to 0 */
    tdl_p_op(&p, 200000, 0, -1, 3);           /* the whole file, then back one */
    tdl_p_op(&p, 1, 0, -200000, 4);           /* the last byte, back to 0 */
    tdl_p_op(&p, 1, 0, 199998, 5);            /* to the last byte */
    tdl_p_op(&p, 1, 0, 0, 6);                 /* o = the old size */
    CHECK(tdl_build(&p, 0, 1));
    CHECK_EQ_INT(p.newn, 240103);
    tdl_roundtrip(&p, "copies only");
    tdl_p_free(&p);
    /* inserts only, large and small */
    tdl_p_init(&p, old, sizeof old);
    tdl_p_op(&p, 0, 65536, 0, 8);
    tdl_p_op(&p, 0, 1, 0, 9);
    tdl_p_op(&p, 0, 32767, 0, 10);
    tdl_p_op(&p, 0, 32769, 0, 11);
    CHECK(tdl_build(&p, 0, 1));
    tdl_roundtrip(&p, "inserts only");
    tdl_p_free(&p);
    /* a bit of everything, in every block size and several members */
    tdl_p_init(&p, old, sizeof old);
    tdl_p_op(&p, 70000, 70000, -30000, 12);   /* both loops go round their 32 KiB buffers */
    tdl_p_op(&p, 32768, 32768, 65536, 13);
    tdl_p_op(&p, 1, 0, -100000, 14);
    tdl_p_op(&p, 0, 5, 7, 15);
    tdl_p_op(&p, 12345, 3, -12345, 16);
    tdl_p_op(&p, 99999, 1, 61689, 17);           /* to the old end exactly */
    CHECK(tdl_build(&p, 0, 1));
    tdl_roundtrip(&p, "mixed");
    for (b = 0; b < sizeof packs / sizeof packs[0]; b++) {
        char what[64];
        snprintf(what, sizeof what, "mixed, blocks of %u, %u members", (unsigned)packs[b].blk, packs[b].members);
        tdl_pack(&p, packs[b].blk, packs[b].members);
        tdl_assemble(&p);
        tdl_roundtrip(&p, what);
    }
    tdl_p_free(&p);
    /* many small triples: sections read in small pieces, numbers over the
       control buffer's end, a control section of many members */
    {
        uint32_t s = 99;
        size_t i, o = 0;
        tdl_p_init(&p, old, sizeof old);
        for (i = 0; i < 6000; i++) {
            uint64_t add, copy;
            int64_t seek;
            s = s * 1103515245u + 12345u;
            add = (s >> 8) % 40;
            copy = (s >> 16) % 3 == 0 ? (s >> 20) % 300 : 0;
            if (add + copy == 0) add = 1;
            if (add > sizeof old - o) add = sizeof old - o;
            if (add + copy == 0) copy = 1;
            o += (size_t)add;
            seek = (int64_t)((s >> 4) % 2000) - 1000;
            if (seek < 0 && (size_t)-seek > o) seek = -(int64_t)o;
            if (seek > 0 && (size_t)seek > sizeof old - o) seek = (int64_t)(sizeof old - o);
            o = (size_t)((int64_t)o + seek);
            tdl_p_op(&p, add, copy, seek, s);
        }
        CHECK(p.sec[0].n > 3 * 4096);
        CHECK(tdl_build(&p, 0, 1));
        tdl_roundtrip(&p, "6000 small triples");
        tdl_pack(&p, 3, 1);
        tdl_assemble(&p);
        tdl_roundtrip(&p, "6000 small triples, blocks of 3 bytes");
        tdl_pack(&p, 4097, 40);
        tdl_assemble(&p);
        tdl_roundtrip(&p, "6000 small triples, 40 members");
        tdl_p_free(&p);
    }
}

/* a 10-byte number (non-minimal, zero continuation bits) at every offset
   around the end of the 4 KiB control buffer */
static void test_delta_patch_wide_numbers(void)
{
    static uint8_t old[64];
    size_t phase;
    tdl_fill(old, sizeof old, 3);
    for (phase = 0; phase <= 12; phase++) {
        tdl_patch p;
        size_t target = 4096 * 2 - phase;
        tdl_p_init(&p, old, sizeof old);
        while (p.sec[0].n < target) { /* triples of 3 and 4 bytes up to target */
            size_t left = target - p.sec[0].n;
            tdl_p_op(&p, 0, left % 3 == 0 ? 1u : 128u, 0, (uint32_t)left);
        }
        CHECK_EQ_INT(p.sec[0].n, target);
        {   /* (5, 2, -3) with 10-byte numbers */
            tdl_triple t;
            t.add = 5;
            t.copy = 2;
            t.seek = -3;
            tdl_uleb(&p.sec[0], 5, 10);
            tdl_uleb(&p.sec[0], 2, 10);
            tdl_uleb(&p.sec[0], tdl_zigzag(-3), 10);
            tdl_put(&p.trip, &t, sizeof t);
            tdl_str(&p.sec[1], "\x01\x02\x03\x04\x05");
            tdl_str(&p.sec[2], "xy");
        }
        tdl_p_op(&p, 3, 1, 0, 5);
        CHECK(tdl_build(&p, 0, 1));
        tdl_roundtrip(&p, "10-byte numbers");
        tdl_p_free(&p);
    }
}

/* the refusals that take a patch apart */
static void test_delta_patch_refused_header(void)
{
    static uint8_t old[1000];
    tdl_patch p;
    tdl_buf cut = {NULL, 0, 0}, out = {NULL, 0, 0};
    char err[512];
    tdl_fill(old, sizeof old, 11);
    tdl_p_init(&p, old, sizeof old);
    tdl_p_op(&p, 500, 20, 100, 1);
    tdl_p_op(&p, 400, 0, 0, 2);
    CHECK(tdl_build(&p, 0, 1));
    tdl_roundtrip(&p, "the patch the refusals start from");
    /* magic */
    p.patch.p[7] = '2';
    tdl_refused(&p, "not a UPDDIFF1 patch");
    p.patch.p[7] = '1';
    p.patch.p[0] = 'u';
    tdl_refused(&p, "not a UPDDIFF1 patch");
    p.patch.p[0] = 'U';
    /* a short header, and no file at all */
    tdl_put(&cut, p.patch.p, UPD_PATCH_HEADER - 1);
    CHECK_EQ_INT(tdl_apply_buf(old, sizeof old, cut.p, cut.n, "", &out, err, sizeof err), UPD_E_PATCH);
    CHECK(tdl_has(err, "not a UPDDIFF1 patch"));
    CHECK_EQ_INT(tdl_apply_buf(old, sizeof old, cut.p, 8, "", &out, err, sizeof err), UPD_E_PATCH);
    CHECK(tdl_has(err, "not a UPDDIFF1 patch"));
    CHECK_EQ_INT(tdl_apply_buf(old, sizeof old, cut.p, 0, "", &out, err, sizeof err), UPD_E_PATCH);
    CHECK(tdl_has(err, "not a UPDDIFF1 patch"));
    /* the file's size is not the header's lengths */
    tdl_clear(&cut);
    tdl_put(&cut, p.patch.p, p.patch.n);
    tdl_byte(&cut, 0);
    CHECK_EQ_INT(tdl_apply_buf(old, sizeof old, cut.p, cut.n, "", &out, err, sizeof err), UPD_E_PATCH);
    CHECK(tdl_has(err, "is not what its header says"));
    CHECK_EQ_INT(tdl_apply_buf(old, sizeof old, cut.p, p.patch.n - 1, "", &out, err, sizeof err), UPD_E_PATCH);
    CHECK(tdl_has(err, "is not what its header says"));
    CHECK_EQ_INT(tdl_apply_buf(old, sizeof old, cut.p, UPD_PATCH_HEADER, "", &out, err, sizeof err), UPD_E_PATCH);
    CHECK(tdl_has(err, "is not what its header says"));
    /* a length moved from one section to another: the sizes add up, the sections break */
    tdl_clear(&cut);
    tdl_put(&cut, p.patch.p, p.patch.n);
    tdl_set64(cut.p + 88, tdl_get64(cut.p + 88) + 1);
    tdl_set64(cut.p + 96, tdl_get64(cut.p + 96) - 1);
    CHECK_EQ_INT(tdl_apply_buf(old, sizeof old, cut.p, cut.n, "", &out, err, sizeof err), UPD_E_PATCH);
    CHECK(tdl_has(err, "control section"));
    /* lengths and sizes of 2^62 and more (the sum would wrap) */
    {
        int field;
        for (field = 0; field < 5; field++) {
            static const int at[5] = {8, 16, 88, 96, 104};
            tdl_clear(&cut);
            tdl_put(&cut, p.patch.p, p.patch.n);
            cut.p[at[field] + 7] = (uint8_t)(cut.p[at[field] + 7] | 0x40);
            CHECK_EQ_INT(tdl_apply_buf(old, sizeof old, cut.p, cut.n, "", &out, err, sizeof err), UPD_E_PATCH);
            CHECK(tdl_has(err, "is not what its header says"));
        }
        /* C + D + E = 2^64 + the real sum: wraps to the file's size */
        tdl_clear(&cut);
        tdl_put(&cut, p.patch.p, p.patch.n);
        tdl_set64(cut.p + 88, tdl_get64(cut.p + 88) + ((uint64_t)1 << 63));
        tdl_set64(cut.p + 96, tdl_get64(cut.p + 96) + ((uint64_t)1 << 63));
        CHECK_EQ_INT(tdl_apply_buf(old, sizeof old, cut.p, cut.n, "", &out, err, sizeof err), UPD_E_PATCH);
        CHECK(tdl_has(err, "is not what its header says"));
    }
    /* the old file's size, then its SHA-256 */
    tdl_refused_on(&p, old, sizeof old - 1, "the old file has 999 bytes, the patch was made from one of 1000");
    tdl_refused_on(&p, old, 0, "the old file has 0 bytes");
    {
        static uint8_t other[1000];
        memcpy(other, old, sizeof other);
        other[999] ^= 0x40;
        tdl_refused_on(&p, other, sizeof other, "the old file is not the one the patch was made from");
        other[999] ^= 0x40;
        other[0] ^= 1;
        tdl_refused_on(&p, other, sizeof other, "SHA-256 differs");
    }
    p.oldsha[5] ^= 0x10;
    tdl_assemble(&p);
    tdl_refused(&p, "the old file is not the one the patch was made from");
    p.oldsha[5] ^= 0x10;
    p.hdr_oldn = 1001;
    tdl_assemble(&p);
    tdl_refused(&p, "the patch was made from one of 1001");
    p.hdr_oldn = 1000;
    /* the result: its SHA-256, its size */
    p.newsha[31] ^= 0x80;
    tdl_assemble(&p);
    tdl_refused(&p, "the result's SHA-256 differs from the header's");
    p.newsha[31] ^= 0x80;
    p.newn++;
    tdl_assemble(&p);
    tdl_refused(&p, "the result has 920 bytes, the header says 921");
    p.newn--;
    tdl_assemble(&p);
    tdl_roundtrip(&p, "the patch put back together");
    tdl_free(&cut);
    tdl_free(&out);
    tdl_p_free(&p);
}

/* a patch from raw sections: control bytes, diff and extra given */
static void tdl_raw(tdl_patch *p, const uint8_t *old, size_t oldn, const void *ctl, size_t cn, const void *dif, size_t dn,
                    const void *ext, size_t en, uint64_t newn)
{
    tdl_p_init(p, old, oldn);
    tdl_put(&p->sec[0], ctl, cn);
    tdl_put(&p->sec[1], dif, dn);
    tdl_put(&p->sec[2], ext, en);
    tdl_pack(p, 0, 1);
    p->newn = newn;
    upd_sha256("", 0, p->newsha);
    tdl_assemble(p);
}

static void test_delta_patch_refused_triples(void)
{
    static uint8_t old[100], zero[200];
    static const uint8_t over10[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0, 0};
    static const uint8_t pow63[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0, 0};
    static const uint8_t max64[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0};
    static const uint8_t bit64[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02, 0, 0};
    static const uint8_t max63[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0, 0};
    static const uint8_t max63copy[] = {0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0};
    static const uint8_t max63seek[] = {1, 0, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f};
    static const uint8_t min63seek[] = {1, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f};
    tdl_patch p;
    tdl_fill(old, sizeof old, 5);
#define TDL_RAW(ctl, dn, en, newn) tdl_raw(&p, old, sizeof old, ctl, sizeof ctl - 1, zero, dn, zero, en, newn)
    /* add + copy = 0, with or without a seek */
    TDL_RAW("\x00\x00\x00", 0, 0, 0);
    tdl_refused(&p, "empty triple");
    tdl_p_free(&p);
    TDL_RAW("\x01\x00\x00\x00\x00\x02", 1, 0, 1);
    tdl_refused(&p, "empty triple");
    tdl_p_free(&p);
    /* an add past the old file's end: from 0, after seeks, at the end */
    TDL_RAW("\x65\x00\x00", 101, 0, 101);
    tdl_refused(&p, "a copy runs past the end of the old file");
    tdl_p_free(&p);
    TDL_RAW("\x64\x00\x00", 100, 0, 100);
    tdl_refused(&p, "the result's SHA-256 differs"); /* (100 is all right) */
    tdl_p_free(&p);
    TDL_RAW("\x0a\x00\x9c\x01\x0d\x00\x00", 23, 0, 23); /* (10, 0, +78) (13, ...): o = 88, 13 > 100 - 88 */
    tdl_refused(&p, "past the end of the old file");
    tdl_p_free(&p);
    TDL_RAW("\x0a\x00\x9c\x01\x0c\x00\x00\x01\x00\x00", 23, 0, 23); /* o = 100 after 12, then one more */
    tdl_refused(&p, "past the end of the old file");
    tdl_p_free(&p);
    /* an add past the new file's end */
    TDL_RAW("\x0a\x00\x00", 10, 0, 9);
    tdl_refused(&p, "a copy runs past the end of the new file");
    tdl_p_free(&p);
    TDL_RAW("\x05\x00\x00\x05\x00\x00", 10, 0, 9);
    tdl_refused(&p, "past the end of the new file");
    tdl_p_free(&p);
    /* an insert past the new file's end */
    TDL_RAW("\x00\x0a\x00", 0, 10, 9);
    tdl_refused(&p, "an insert runs past the end of the new file");
    tdl_p_free(&p);
    TDL_RAW("\x05\x05\x00", 5, 5, 9);
    tdl_refused(&p, "an insert runs past the end of the new file");
    tdl_p_free(&p);
    /* seeks: before 0, past the old end; to 0 and to the end are fine */
    TDL_RAW("\x02\x00\x05", 2, 0, 2); /* -3 from 2 */
    tdl_refused(&p, "a seek leaves the old file");
    tdl_p_free(&p);
    TDL_RAW("\x00\x01\x01", 0, 1, 1); /* -1 from 0 */
    tdl_refused(&p, "a seek leaves the old file");
    tdl_p_free(&p);
    TDL_RAW("\x02\x00\x03\x01\x00\x00", 3, 0, 3); /* -2 from 2 to 0, then on */
    tdl_refused(&p, "the result's SHA-256 differs");
    tdl_p_free(&p);
    TDL_RAW("\x02\x00\xc4\x01", 2, 0, 2); /* +98 from 2 = 100: the end */
    tdl_refused(&p, "the result's SHA-256 differs");
    tdl_p_free(&p);
    TDL_RAW("\x02\x00\xc6\x01", 2, 0, 2); /* +99 from 2 */
    tdl_refused(&p, "a seek leaves the old file");
    tdl_p_free(&p);
    TDL_RAW("\x02\x00\xc4\x01\x00\x01\x02", 2, 1, 3); /* at the end, then +1 */
    tdl_refused(&p, "a seek leaves the old file");
    tdl_p_free(&p);
    tdl_raw(&p, old, sizeof old, max63seek, sizeof max63seek, zero, 1, zero, 0, 1); /* + (2^62 - 1) */
    tdl_refused(&p, "a seek leaves the old file");
    tdl_p_free(&p);
    tdl_raw(&p, old, sizeof old, min63seek, sizeof min63seek, zero, 1, zero, 0, 1); /* - 2^62 */
    tdl_refused(&p, "a seek leaves the old file");
    tdl_p_free(&p);
    /* numbers: 11 bytes, 2^63 and more; 2^63 - 1 is a number (too large a copy) */
    tdl_raw(&p, old, sizeof old, over10, sizeof over10, zero, 0, zero, 0, 0);
    tdl_refused(&p, "a control number over 10 bytes");
    tdl_p_free(&p);
    tdl_raw(&p, old, sizeof old, pow63, sizeof pow63, zero, 0, zero, 0, 0);
    tdl_refused(&p, "a control number over 2^63");
    tdl_p_free(&p);
    tdl_raw(&p, old, sizeof old, max64, sizeof max64, zero, 0, zero, 0, 0);
    tdl_refused(&p, "a control number over 2^63");
    tdl_p_free(&p);
    tdl_raw(&p, old, sizeof old, bit64, sizeof bit64, zero, 0, zero, 0, 0);
    tdl_refused(&p, "a control number over 2^63");
    tdl_p_free(&p);
    tdl_raw(&p, old, sizeof old, max63, sizeof max63, zero, 0, zero, 0, 0);
    tdl_refused(&p, "a copy runs past the end of the old file");
    tdl_p_free(&p);
    tdl_raw(&p, old, sizeof old, max63copy, sizeof max63copy, zero, 0, zero, 0, 0);
    tdl_refused(&p, "an insert runs past the end of the new file");
    tdl_p_free(&p);
    {   /* over 2^63 in the copy and in the seek too */
        static const uint8_t c1[] = {1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0};
        static const uint8_t c2[] = {1, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
        static const uint8_t c3[] = {1, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
        tdl_raw(&p, old, sizeof old, c1, sizeof c1, zero, 1, zero, 0, 1);
        tdl_refused(&p, "over 2^63");
        tdl_p_free(&p);
        tdl_raw(&p, old, sizeof old, c2, sizeof c2, zero, 1, zero, 0, 1);
        tdl_refused(&p, "over 2^63");
        tdl_p_free(&p);
        tdl_raw(&p, old, sizeof old, c3, sizeof c3, zero, 1, zero, 0, 1);
        tdl_refused(&p, "over 10 bytes");
        tdl_p_free(&p);
    }
    /* the control section ends inside a triple: after add, after copy, inside a number */
    TDL_RAW("\x01", 1, 0, 1);
    tdl_refused(&p, "the control section ends inside a triple");
    tdl_p_free(&p);
    TDL_RAW("\x01\x00", 1, 0, 1);
    tdl_refused(&p, "ends inside a triple");
    tdl_p_free(&p);
    TDL_RAW("\x01\x00\x80", 1, 0, 1);
    tdl_refused(&p, "ends inside a triple");
    tdl_p_free(&p);
    TDL_RAW("\x81", 1, 0, 1);
    tdl_refused(&p, "ends inside a triple");
    tdl_p_free(&p);
    TDL_RAW("\x01\x00\x00\x01", 2, 0, 2);
    tdl_refused(&p, "ends inside a triple");
    tdl_p_free(&p);
    /* what is left in the control section after the last whole triple is one more triple */
    TDL_RAW("\x01\x00\x00\x00\x01\x00", 1, 1, 1);
    tdl_refused(&p, "an insert runs past the end of the new file");
    tdl_p_free(&p);
    TDL_RAW("\x01\x00\x00\x00", 1, 0, 1);
    tdl_refused(&p, "ends inside a triple");
    tdl_p_free(&p);
    /* diff and extra sections too short, or with bytes left over */
    TDL_RAW("\x0a\x00\x00", 9, 0, 10);
    tdl_refused(&p, "the diff section ends early");
    tdl_p_free(&p);
    TDL_RAW("\x0a\x00\x00", 0, 0, 10);
    tdl_refused(&p, "the diff section ends early");
    tdl_p_free(&p);
    TDL_RAW("\x00\x0a\x00", 0, 9, 10);
    tdl_refused(&p, "the extra section ends early");
    tdl_p_free(&p);
    TDL_RAW("\x05\x05\x00\x05\x05\x00", 10, 9, 20);
    tdl_refused(&p, "the extra section ends early");
    tdl_p_free(&p);
    TDL_RAW("\x0a\x00\x00", 11, 0, 10);
    tdl_refused(&p, "bytes left over in the diff section");
    tdl_p_free(&p);
    TDL_RAW("\x00\x0a\x00", 1, 10, 10);
    tdl_refused(&p, "bytes left over in the diff section");
    tdl_p_free(&p);
    TDL_RAW("\x00\x0a\x00", 0, 11, 10);
    tdl_refused(&p, "bytes left over in the extra section");
    tdl_p_free(&p);
    TDL_RAW("", 0, 1, 0);
    tdl_refused(&p, "bytes left over in the extra section");
    tdl_p_free(&p);
    TDL_RAW("", 1, 0, 0);
    tdl_refused(&p, "bytes left over in the diff section");
    tdl_p_free(&p);
    /* large sections short or long by one byte (past the 32 KiB buffers) */
    {
        static uint8_t big[70001];
        static const uint8_t c[] = {0x64, 0xf0, 0xa2, 0x04, 0x00}; /* (100, 70000, 0) */
        static uint8_t old2[100];
        memcpy(old2, old, sizeof old2);
        tdl_raw(&p, old2, sizeof old2, c, sizeof c, big, 100, big, 69999, 70100);
        tdl_refused(&p, "the extra section ends early");
        tdl_p_free(&p);
        tdl_raw(&p, old2, sizeof old2, c, sizeof c, big, 100, big, 70001, 70100);
        tdl_refused(&p, "bytes left over in the extra section");
        tdl_p_free(&p);
        tdl_raw(&p, old2, sizeof old2, c, sizeof c, big, 100, big, 70000, 70100);
        tdl_refused(&p, "the result's SHA-256 differs");
        tdl_p_free(&p);
    }
    /* the result shorter than the header says */
    TDL_RAW("\x0a\x00\x00", 10, 0, 11);
    tdl_refused(&p, "the result has 10 bytes, the header says 11");
    tdl_p_free(&p);
    TDL_RAW("", 0, 0, 1);
    tdl_refused(&p, "the result has 0 bytes, the header says 1");
    tdl_p_free(&p);
#undef TDL_RAW
}

/* one section's gzip data changed: s the section, how the change */
static void tdl_gz_broken(int s, int how, const char *part)
{
    static uint8_t old[3000];
    tdl_patch p;
    tdl_buf *g;
    tdl_fill(old, sizeof old, 17);
    tdl_p_init(&p, old, sizeof old);
    tdl_p_op(&p, 1000, 500, 10, 1);
    tdl_p_op(&p, 100, 600, -1000, 2);
    CHECK(tdl_build(&p, 300, 1));
    g = &p.gz[s];
    switch (how) {
    case 0: tdl_str(g, "XYZ"); break;                           /* garbage after the member */
    case 1: tdl_byte(g, 0); break;                              /* one zero byte after it */
    case 2: g->p[g->n - 8] ^= 0x01; break;                      /* its CRC-32 */
    case 3: g->p[g->n - 1] ^= 0x01; break;                      /* its ISIZE */
    case 4: g->n -= 1; break;                                   /* cut in its trailer */
    case 5: g->n = 10; break;                                   /* its header only */
    case 6: g->n = 0; break;                                    /* nothing at all */
    case 7: g->p[0] = 0x1e; break;                              /* its magic */
    case 8: g->p[13] ^= 0x01; break;                            /* the first block's NLEN */
    case 9: g->p[10] = 0x07; break;                             /* a reserved block type */
    case 10: tdl_gz_member(g, (const uint8_t *)"", 0, 1); g->p[g->n - 8] ^= 1; break; /* a bad second member */
    default: tdl_str(g, "\x1f\x8b"); break;                     /* a second member cut short */
    }
    tdl_assemble(&p);
    tdl_refused(&p, part);
    tdl_p_free(&p);
}

static void test_delta_patch_refused_gzip(void)
{
    static const char *const name[3] = {"control section", "diff section", "extra section"};
    int s;
    for (s = 0; s < 3; s++) {
        char part[128];
        int how;
        for (how = 0; how <= 11; how++) tdl_gz_broken(s, how, name[s]);
        snprintf(part, sizeof part, "%s: %s", name[s], upd_strerror(UPD_E_GZIP_CRC));
        tdl_gz_broken(s, 2, part);
        snprintf(part, sizeof part, "%s: %s", name[s], upd_strerror(UPD_E_GZIP_MAGIC));
        tdl_gz_broken(s, 0, part);
        tdl_gz_broken(s, 1, part);
        tdl_gz_broken(s, 7, part);
        snprintf(part, sizeof part, "%s: %s", name[s], upd_strerror(UPD_E_TRUNCATED));
        tdl_gz_broken(s, 4, part);
        tdl_gz_broken(s, 6, part);
    }
    /* another member after a section's data is more of the section: */
    {
        static uint8_t old[10];
        tdl_patch p;
        tdl_p_init(&p, old, sizeof old);
        tdl_p_op(&p, 4, 4, 0, 1);
        CHECK(tdl_build(&p, 0, 1));
        tdl_gz_member(&p.gz[2], (const uint8_t *)"", 0, 1); /* an empty one: fine */
        tdl_gz_member(&p.gz[0], (const uint8_t *)"", 0, 1);
        tdl_assemble(&p);
        tdl_roundtrip(&p, "empty members after the data");
        tdl_gz_member(&p.gz[2], (const uint8_t *)"!", 1, 1); /* one more byte: left over */
        tdl_assemble(&p);
        tdl_refused(&p, "bytes left over in the extra section");
        tdl_p_free(&p);
    }
}

/* ==== registration ========================================================= */
#define TEST_LIST_DELTA T(test_delta_record_types) T(test_delta_record_mode_mask) T(test_delta_record_escaping) \
    T(test_delta_record_small_cap) T(test_delta_verify_matching_tree) T(test_delta_verify_every_byte_name)      \
    T(test_delta_verify_long_listing) T(test_delta_verify_mismatches) T(test_delta_verify_order)               \
    T(test_delta_verify_malformed) T(test_delta_verify_listing_bytes) T(test_delta_patch_by_hand)              \
    T(test_delta_patch_empty_files) T(test_delta_patch_round_trips) T(test_delta_patch_wide_numbers)           \
    T(test_delta_patch_refused_header) T(test_delta_patch_refused_triples) T(test_delta_patch_refused_gzip)
#else
#define TEST_LIST_DELTA
#endif /* UPDATER_NO_ENGINE */
