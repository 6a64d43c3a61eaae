/* tar reader and safe extractor: headers built by hand byte by byte (ustar,
   GNU and v7 magic, octal and base-256 numbers, both checksum sums, pax
   records, GNU long names), every error the reader names, the end of the
   archive, and every valid archive fed whole, a byte at a time and in
   random splits with the same callbacks. A few extractor checks on a
   temporary directory (streaming splits, .tar.gz, listing, limits, repeated
   directories, v7 directories, error texts). Archives from real tools and
   hostile archives against the command line are in tests/tar.sh. */
#include <dirent.h>
#include <sys/wait.h>

/* ---- a growable byte buffer ---- */
typedef struct { uint8_t *p; size_t n, cap; } ttar_buf;

static void ttar_put(ttar_buf *b, const void *p, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        uint8_t *q;
        while (cap < b->n + n + 1) cap *= 2;
        q = (uint8_t *)realloc(b->p, cap);
        if (!q) { printf("t_tar: out of memory\n"); exit(2); }
        b->p = q;
        b->cap = cap;
    }
    if (n) memcpy(b->p + b->n, p, n);
    b->n += n;
    b->p[b->n] = 0; /* always a string too */
}

static void ttar_zeros(ttar_buf *b, size_t n)
{
    static const uint8_t z[512];
    while (n > 0) {
        size_t k = n > sizeof z ? sizeof z : n;
        ttar_put(b, z, k);
        n -= k;
    }
}

static void ttar_printf(ttar_buf *b, const char *fmt, ...)
{
    char tmp[UPDATER_MAX_PATH * 2 + 200];
    va_list ap;
    int k;
    va_start(ap, fmt);
    k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    ttar_put(b, tmp, k < 0 ? 0 : (size_t)k < sizeof tmp ? (size_t)k : sizeof tmp - 1);
}

static void ttar_free(ttar_buf *b) { free(b->p); b->p = NULL; b->n = b->cap = 0; }

/* ---- headers ---- */
enum { TTAR_USTAR, TTAR_GNU, TTAR_V7 };

/* n-1 octal digits, zero-filled, then NUL */
static void ttar_octal(uint8_t *f, size_t n, uint64_t v)
{
    size_t i;
    f[n - 1] = 0;
    for (i = n - 1; i-- > 0;) { f[i] = (uint8_t)('0' + (v & 7u)); v >>= 3; }
}

/* base-256: 0x80 marker (0xff for negative), big-endian two's complement */
static void ttar_b256(uint8_t *f, size_t n, int64_t v)
{
    size_t i, k = 0;
    uint64_t u = (uint64_t)v;
    for (i = n; i-- > 1; k++) { f[i] = k < 8 ? (uint8_t)(u & 0xffu) : v < 0 ? 0xff : 0; u >>= 8; }
    f[0] = v < 0 ? 0xff : 0x80;
}

/* the checksum as GNU tar writes it: six octal digits, NUL, space */
static void ttar_sum_write(uint8_t *h, long sum)
{
    char s[24];
    snprintf(s, sizeof s, "%06lo", (unsigned long)sum);
    memcpy(h + 148, s, 6);
    h[154] = 0;
    h[155] = ' ';
}

/* the sum of the header's bytes, the checksum field taken as spaces */
static long ttar_usum(const uint8_t *h)
{
    long sum = 0;
    int i;
    for (i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? ' ' : h[i];
    return sum;
}

/* the sum of signed chars that some old tars wrote */
static long ttar_ssum(const uint8_t *h)
{
    long sum = 0;
    int i;
    for (i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? ' ' : (signed char)h[i];
    return sum;
}

static void ttar_sum(uint8_t *h) { ttar_sum_write(h, ttar_usum(h)); }

/* Fills a header: name (up to 100 bytes; longer names go to the prefix in
   ustar when split at a '/'), type, mode, size, mtime, link name, magic of
   fmt; then the checksum. */
static void ttar_header(uint8_t *h, int fmt, const char *name, int type, unsigned mode,
                        uint64_t size, int64_t mtime, const char *link)
{
    size_t nl = strlen(name);
    memset(h, 0, 512);
    if (nl > 100 && fmt == TTAR_USTAR) {
        const char *cut = name + nl - 101; /* the prefix ends at a '/' that leaves <= 100 */
        while (*cut && *cut != '/') cut++;
        memcpy(h + 345, name, (size_t)(cut - name));
        memcpy(h, cut + 1, strlen(cut + 1));
    } else memcpy(h, name, nl > 100 ? 100 : nl);
    ttar_octal(h + 100, 8, mode);
    ttar_octal(h + 108, 8, 1000);
    ttar_octal(h + 116, 8, 1000);
    ttar_octal(h + 124, 12, size);
    if (mtime < 0) ttar_b256(h + 136, 12, mtime);
    else ttar_octal(h + 136, 12, (uint64_t)mtime);
    h[156] = (uint8_t)type;
    if (link) memcpy(h + 157, link, strlen(link) > 100 ? 100 : strlen(link));
    if (fmt == TTAR_USTAR) { memcpy(h + 257, "ustar", 6); memcpy(h + 263, "00", 2); }
    else if (fmt == TTAR_GNU) memcpy(h + 257, "ustar  ", 8);
    if (fmt != TTAR_V7) { memcpy(h + 265, "user", 4); memcpy(h + 297, "group", 5); }
    ttar_sum(h);
}

/* a header (as given) and len data bytes, padded to the block */
static void ttar_raw(ttar_buf *b, const uint8_t *h, const void *data, size_t len)
{
    ttar_put(b, h, 512);
    ttar_put(b, data, len);
    ttar_zeros(b, (512 - (len & 511)) & 511);
}

static void ttar_entry(ttar_buf *b, int fmt, const char *name, int type, unsigned mode,
                       const void *data, size_t len, const char *link)
{
    uint8_t h[512];
    ttar_header(h, fmt, name, type, mode, len, 1600000000, link);
    ttar_raw(b, h, data, len);
}

static void ttar_file(ttar_buf *b, const char *name, const char *text)
{
    ttar_entry(b, TTAR_USTAR, name, '0', 0644, text, strlen(text), NULL);
}

/* one pax record "LEN key=value\n", LEN counting itself */
static void ttar_rec(ttar_buf *r, const char *key, const char *value)
{
    size_t body = strlen(key) + strlen(value) + 3, len = body + 1;
    while (len != body + (size_t)snprintf(NULL, 0, "%zu", len)) len++;
    ttar_printf(r, "%zu %s=%s\n", len, key, value);
}

/* a pax header ('x' or 'g') holding the given records */
static void ttar_pax(ttar_buf *b, int type, const ttar_buf *recs)
{
    uint8_t h[512];
    ttar_header(h, TTAR_USTAR, "PaxHeaders/x", type, 0644, recs->n, 1600000000, NULL);
    ttar_raw(b, h, recs->p, recs->n);
}

static void ttar_pax1(ttar_buf *b, const char *key, const char *value)
{
    ttar_buf r = {0};
    ttar_rec(&r, key, value);
    ttar_pax(b, 'x', &r);
    ttar_free(&r);
}

/* a GNU 'L' or 'K' entry: the name and its NUL */
static void ttar_long(ttar_buf *b, int type, const char *name)
{
    uint8_t h[512];
    ttar_header(h, TTAR_GNU, "././@LongLink", type, 0644, strlen(name) + 1, 0, NULL);
    ttar_raw(b, h, name, strlen(name) + 1);
}

static void ttar_end(ttar_buf *b) { ttar_zeros(b, 1024); }

/* ---- the reader, recorded: one line per entry, its data, its end ---- */
typedef struct { ttar_buf log; int entries, ends, skips; upd_result stop_at_entry; } ttar_rec_t;

static void ttar_fmt_entry(ttar_buf *log, const upd_tar_entry *e)
{
    ttar_printf(log, "E %c %04o %llu %lld @%llu %s", e->type ? e->type : '?', (unsigned)e->mode,
                (unsigned long long)e->size, (long long)e->mtime, (unsigned long long)e->offset, e->path);
    if (e->linkpath[0]) ttar_printf(log, " -> %s", e->linkpath);
    ttar_put(log, "\n", 1);
}

static upd_result ttar_on_entry(void *user, const upd_tar_entry *e)
{
    ttar_rec_t *r = (ttar_rec_t *)user;
    r->entries++;
    ttar_fmt_entry(&r->log, e);
    return r->stop_at_entry && r->entries == 2 ? r->stop_at_entry : UPD_OK;
}

static upd_result ttar_on_data(void *user, const uint8_t *data, size_t len)
{
    ttar_rec_t *r = (ttar_rec_t *)user;
    if (len == 0) ttar_printf(&r->log, "<empty data call>");
    ttar_put(&r->log, data, len);
    return UPD_OK;
}

static upd_result ttar_on_end(void *user, const upd_tar_entry *e)
{
    ttar_rec_t *r = (ttar_rec_t *)user;
    r->ends++;
    ttar_printf(&r->log, "|END %s\n", e->path);
    return UPD_OK;
}

static void ttar_on_skip(void *user, const upd_tar_entry *e, int typeflag)
{
    ttar_rec_t *r = (ttar_rec_t *)user;
    r->skips++;
    ttar_printf(&r->log, "SKIP %c %s\n", typeflag, e->path);
}

/* Feeds a[0..n) in one piece (how = 0), a byte at a time (1) or in random
   pieces from the seed how (>= 2); stops at the first error; appends the
   result and the offset to the log. *why receives t.why. */
static upd_result ttar_read(const uint8_t *a, size_t n, unsigned flags, unsigned how,
                            ttar_rec_t *rec, const char **why)
{
    upd_tar t;
    upd_result r = UPD_OK;
    size_t i = 0;
    unsigned seed = how;
    upd_tar_init(&t, flags);
    t.on_entry = ttar_on_entry;
    t.on_data = ttar_on_data;
    t.on_end = ttar_on_end;
    t.on_skip = ttar_on_skip;
    t.user = rec;
    while (i < n && r == UPD_OK) {
        size_t k = n - i;
        if (how == 1) k = 1;
        else if (how >= 2) {
            size_t lim;
            seed = seed * 1103515245u + 12345u;
            lim = (seed >> 16) & 1u ? 13 : 1300; /* small and large pieces */
            seed = seed * 1103515245u + 12345u;
            k = 1 + (seed >> 8) % lim;
            if (k > n - i) k = n - i;
        }
        r = upd_tar_feed(&t, a + i, k);
        i += k;
    }
    if (r == UPD_OK) r = upd_tar_finish(&t);
    ttar_printf(&rec->log, "= %d at %llu entries %llu\n", (int)r,
                (unsigned long long)(r == UPD_OK ? t.offset : 0), (unsigned long long)t.entries);
    if (why) *why = t.why;
    return r;
}

/* Reads the archive whole, a byte at a time and in three random splittings;
   every run must give want and the same log, which goes to *log (free it). */
static void ttar_all_splits(const uint8_t *a, size_t n, unsigned flags, upd_result want, ttar_buf *log)
{
    static const unsigned hows[] = {0, 1, 7, 1234, 99991};
    size_t i;
    ttar_buf first = {0};
    for (i = 0; i < sizeof hows / sizeof hows[0]; i++) {
        ttar_rec_t rec;
        upd_result r;
        memset(&rec, 0, sizeof rec);
        r = ttar_read(a, n, flags, hows[i], &rec, NULL);
        CHECK_EQ_INT(r, want);
        if (i == 0) first = rec.log;
        else {
            if (rec.log.n == first.n && memcmp(rec.log.p, first.p, first.n) == 0) t_passed++;
            else {
                t_failed++;
                printf("FAIL %s: split %u gives another callback sequence:\n--- whole\n%s\n--- split\n%s\n",
                       t_current, hows[i], first.p ? (char *)first.p : "", rec.log.p ? (char *)rec.log.p : "");
            }
            ttar_free(&rec.log);
        }
    }
    if (log) *log = first;
    else ttar_free(&first);
}

/* The result of reading a (whole), with t.why. */
static upd_result ttar_result(const ttar_buf *a, unsigned flags, const char **why)
{
    ttar_rec_t rec;
    upd_result r;
    memset(&rec, 0, sizeof rec);
    r = ttar_read(a->p, a->n, flags, 0, &rec, why);
    ttar_free(&rec.log);
    return r;
}

/* An error must be the same in every splitting, with a reason in words. */
static void ttar_want_error(const ttar_buf *a, unsigned flags, upd_result want, const char *why_part)
{
    const char *why = NULL;
    CHECK_EQ_INT(ttar_result(a, flags, &why), want);
    CHECK(why != NULL && why[0] != 0);
    if (why_part && (!why || !strstr(why, why_part))) {
        t_failed++;
        printf("FAIL %s: t.why \"%s\" does not mention \"%s\"\n", t_current, why ? why : "(null)", why_part);
    }
    ttar_all_splits(a->p, a->n, flags, want, NULL);
}

/* Checks that the log (from ttar_all_splits) equals want, then frees it. */
static void ttar_log_is(ttar_buf *log, const char *want)
{
    CHECK_STR(log->p ? (const char *)log->p : "", want);
    ttar_free(log);
}

/* ---- the tests ---- */

static void test_tar_basic_types(void)
{
    ttar_buf a = {0}, log = {0};
    ttar_entry(&a, TTAR_USTAR, "dir/", '5', 0755, NULL, 0, NULL);
    ttar_entry(&a, TTAR_USTAR, "dir/file.txt", '0', 0644, "hello\n", 6, NULL);
    ttar_entry(&a, TTAR_USTAR, "dir/empty", 0, 0600, NULL, 0, NULL);      /* NUL type: a file */
    ttar_entry(&a, TTAR_USTAR, "dir/contig", '7', 0640, "abc", 3, NULL); /* contiguous: a file */
    ttar_entry(&a, TTAR_USTAR, "dir/sym", '2', 0777, NULL, 0, "file.txt");
    ttar_entry(&a, TTAR_USTAR, "dir/hard", '1', 0644, NULL, 0, "dir/file.txt");
    ttar_end(&a);
    ttar_all_splits(a.p, a.n, 0, UPD_OK, &log);
    ttar_log_is(&log,
                "E 5 0755 0 1600000000 @0 dir/\n|END dir/\n"
                "E 0 0644 6 1600000000 @512 dir/file.txt\nhello\n|END dir/file.txt\n"
                "E 0 0600 0 1600000000 @1536 dir/empty\n|END dir/empty\n"
                "E 0 0640 3 1600000000 @2048 dir/contig\nabc|END dir/contig\n"
                "E 2 0777 0 1600000000 @3072 dir/sym -> file.txt\n|END dir/sym\n"
                "E 1 0644 0 1600000000 @3584 dir/hard -> dir/file.txt\n|END dir/hard\n"
                "= 0 at 5120 entries 6\n");
    ttar_free(&a);
}

/* Data of many sizes around the block size, with their padding. */
static void test_tar_data_sizes(void)
{
    static const size_t sizes[] = {1, 511, 512, 513, 1023, 1024, 1025, 5000};
    ttar_buf a = {0}, want = {0}, log = {0};
    uint8_t data[5000];
    uint64_t off = 0;
    size_t i;
    unsigned seed = 42;
    for (i = 0; i < sizeof data; i++) { seed = seed * 1103515245u + 12345u; data[i] = (uint8_t)(seed >> 16); }
    for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "f%zu", sizes[i]);
        ttar_entry(&a, TTAR_GNU, name, '0', 0644, data, sizes[i], NULL);
        ttar_printf(&want, "E 0 0644 %zu 1600000000 @%llu %s\n", sizes[i], (unsigned long long)off, name);
        ttar_put(&want, data, sizes[i]);
        ttar_printf(&want, "|END %s\n", name);
        off += 512 + (sizes[i] + 511) / 512 * 512;
    }
    ttar_printf(&want, "= 0 at %llu entries %zu\n", (unsigned long long)off, sizeof sizes / sizeof sizes[0]);
    /* ends at the end of input on a block boundary, no zero blocks */
    ttar_all_splits(a.p, a.n, 0, UPD_OK, &log);
    CHECK(log.n == want.n && memcmp(log.p, want.p, want.n) == 0);
    ttar_free(&log);
    ttar_free(&want);
    ttar_free(&a);
}

/* Octal numbers: leading spaces, ended by space or NUL or the field's end. */
static void test_tar_octal_forms(void)
{
    static const struct { char size[12], mode[8], mtime[12]; } v[] = {
        {"00000000003\0", "0000644\0", "00000000012\0"},
        {"         3 \0", "   644 \0", "         12 "},
        {"000000000003", "00000644", "000000000012"},   /* no terminator at all */
        {"3\0\0\0\0\0\0\0\0\0\0\0", "644\0\0\0\0\0", "12          "},
        {"          3\0", "    644\0", " 12\0\0\0\0\0\0\0\0\0"},
    };
    size_t i;
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        ttar_buf a = {0}, log = {0};
        uint8_t h[512];
        ttar_header(h, TTAR_USTAR, "f", '0', 0, 3, 0, NULL);
        memcpy(h + 124, v[i].size, 12);
        memcpy(h + 100, v[i].mode, 8);
        memcpy(h + 136, v[i].mtime, 12);
        ttar_sum(h);
        ttar_raw(&a, h, "xyz", 3);
        ttar_end(&a);
        ttar_all_splits(a.p, a.n, 0, UPD_OK, &log);
        ttar_log_is(&log, "E 0 0644 3 10 @0 f\nxyz|END f\n= 0 at 2048 entries 1\n");
        ttar_free(&a);
    }
    { /* the mode keeps its 12 permission bits and drops the rest */
        ttar_buf a = {0}, log = {0};
        uint8_t h[512];
        ttar_header(h, TTAR_USTAR, "s", '0', 0, 0, 0, NULL);
        memcpy(h + 100, "0107755\0", 8);
        ttar_sum(h);
        ttar_raw(&a, h, NULL, 0);
        ttar_all_splits(a.p, a.n, 0, UPD_OK, &log);
        ttar_log_is(&log, "E 0 7755 0 0 @0 s\n|END s\n= 0 at 512 entries 1\n");
        ttar_free(&a);
    }
}

/* Malformed numbers: empty, all spaces, a stray character. */
static void test_tar_bad_numbers(void)
{
    static const struct { size_t off, len; char val[12]; const char *why; } v[] = {
        {124, 12, "            ", "size"},
        {124, 12, "\0\0\0\0\0\0\0\0\0\0\0\0", "size"},
        {124, 12, "0000000x003\0", "size"},
        {124, 12, "00000000003x", "size"},
        {124, 12, "0000000009\0\0", "size"},   /* 9 is not octal */
        {124, 12, "-0000000003\0", "size"},
        {124, 12, "+0000000003\0", "size"},
        {100, 8, "        ", "mode"},
        {100, 8, "00006x4\0", "mode"},
        {100, 8, "\0\0\0\0\0\0\0\0", "mode"},
        {136, 12, "            ", "mtime"},
        {136, 12, "1234567890a\0", "mtime"},
        {148, 8, "        ", "checksum"},
        {148, 8, "01234z\0 ", "checksum"},
    };
    size_t i;
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        ttar_buf a = {0};
        uint8_t h[512];
        ttar_header(h, TTAR_USTAR, "f", '0', 0644, 3, 5, NULL);
        memcpy(h + v[i].off, v[i].val, v[i].len);
        if (v[i].off != 148) ttar_sum(h);
        ttar_raw(&a, h, "xyz", 3);
        ttar_end(&a);
        ttar_want_error(&a, 0, UPD_E_TAR, v[i].why);
        ttar_free(&a);
    }
}

/* base-256: positive sizes read; negative sizes and sizes of 2^63 or more
   refused; a negative mtime (before 1970) read. */
static void test_tar_base256(void)
{
    uint8_t data[600], h[512];
    size_t i;
    for (i = 0; i < sizeof data; i++) data[i] = (uint8_t)(i * 7);
    { /* positive size 600 */
        ttar_buf a = {0}, log = {0};
        ttar_header(h, TTAR_GNU, "b", '0', 0644, 0, 0, NULL);
        ttar_b256(h + 124, 12, 600);
        ttar_sum(h);
        ttar_raw(&a, h, data, sizeof data);
        ttar_entry(&a, TTAR_GNU, "next", '0', 0644, "n", 1, NULL);
        ttar_end(&a);
        ttar_all_splits(a.p, a.n, 0, UPD_OK, &log);
        CHECK(log.n > 600 && memcmp(log.p, "E 0 0644 600 0 @0 b\n", 20) == 0);
        CHECK(log.n > 620 && memcmp(log.p + 20, data, 600) == 0);
        CHECK(strstr((char *)log.p + 620, "|END b\nE 0 0644 1 1600000000 @1536 next\nn|END next\n") != NULL);
        ttar_free(&log);
        ttar_free(&a);
    }
    { /* negative mtime */
        ttar_buf a = {0}, log = {0};
        ttar_header(h, TTAR_GNU, "old", '0', 0644, 0, -1, NULL);
        ttar_raw(&a, h, NULL, 0);
        ttar_header(h, TTAR_GNU, "older", '0', 0644, 0, -86400LL * 365 * 100, NULL);
        ttar_raw(&a, h, NULL, 0);
        ttar_end(&a);
        ttar_all_splits(a.p, a.n, 0, UPD_OK, &log);
        ttar_log_is(&log, "E 0 0644 0 -1 @0 old\n|END old\nE 0 0644 0 -3153600000 @512 older\n|END older\n"
                          "= 0 at 2048 entries 2\n");
        ttar_free(&a);
    }
    { /* largest base-256 mtime that fits, and a base-256 mode */
        ttar_buf a = {0}, log = {0};
        ttar_header(h, TTAR_GNU, "m", '0', 0, 0, 0, NULL);
        ttar_b256(h + 136, 12, INT64_MAX);
        ttar_b256(h + 100, 8, 0640);
        ttar_sum(h);
        ttar_raw(&a, h, NULL, 0);
        ttar_all_splits(a.p, a.n, 0, UPD_OK, &log);
        ttar_log_is(&log, "E 0 0640 0 9223372036854775807 @0 m\n|END m\n= 0 at 512 entries 1\n");
        ttar_free(&a);
    }
    { /* size -1 (0xff...), and the most negative value */
        ttar_buf a = {0};
        ttar_header(h, TTAR_GNU, "neg", '0', 0644, 0, 0, NULL);
        memset(h + 124, 0xff, 12);
        ttar_sum(h);
        ttar_raw(&a, h, NULL, 0);
        ttar_end(&a);
        ttar_want_error(&a, 0, UPD_E_TAR, "size");
        ttar_free(&a);
        ttar_header(h, TTAR_GNU, "neg", '0', 0644, 0, 0, NULL);
        memset(h + 124, 0, 12);
        h[124] = 0xc0;
        ttar_sum(h);
        ttar_raw(&a, h, NULL, 0);
        ttar_end(&a);
        ttar_want_error(&a, 0, UPD_E_TAR, "size");
        ttar_free(&a);
    }
    { /* 2^63 and 2^64 + 1 refused; 2^63 - 1 read (then the data is missing) */
        ttar_buf a = {0};
        ttar_header(h, TTAR_GNU, "huge", '0', 0644, 0, 0, NULL);
        memset(h + 124, 0, 12);
        h[124] = 0x80;
        h[128] = 0x80; /* 0x80 << 56 = 2^63 */
        ttar_sum(h);
        ttar_raw(&a, h, NULL, 0);
        ttar_end(&a);
        ttar_want_error(&a, 0, UPD_E_TAR, "size");
        ttar_free(&a);
        memset(h + 124, 0, 12);
        h[124] = 0x80;
        h[127] = 1;
        h[135] = 1;
        ttar_sum(h);
        ttar_raw(&a, h, NULL, 0);
        ttar_end(&a);
        ttar_want_error(&a, 0, UPD_E_TAR, "size");
        ttar_free(&a);
        memset(h + 124, 0, 12);
        ttar_b256(h + 124, 12, INT64_MAX);
        ttar_sum(h);
        ttar_raw(&a, h, NULL, 0);
        ttar_end(&a);
        { /* the 1024 zero bytes are the entry's data */
            ttar_buf log = {0};
            static const char line[] = "E 0 0644 9223372036854775807 0 @0 huge\n", res[] = "= -5 at 0 entries 1\n";
            ttar_all_splits(a.p, a.n, 0, UPD_E_TRUNCATED, &log);
            CHECK_EQ_INT(log.n, sizeof line - 1 + 1024 + sizeof res - 1);
            CHECK(log.n > 1024 && memcmp(log.p, line, sizeof line - 1) == 0 &&
                  memcmp(log.p + log.n - (sizeof res - 1), res, sizeof res - 1) == 0);
            ttar_free(&log);
        }
        ttar_free(&a);
    }
    { /* a negative mode is refused */
        ttar_buf a = {0};
        ttar_header(h, TTAR_GNU, "negmode", '0', 0644, 0, 0, NULL);
        memset(h + 100, 0xff, 8);
        ttar_sum(h);
        ttar_raw(&a, h, NULL, 0);
        ttar_end(&a);
        ttar_want_error(&a, 0, UPD_E_TAR, "mode");
        ttar_free(&a);
    }
}

/* The checksum: wrong is refused; the signed-char sum is accepted too. */
static void test_tar_checksum(void)
{
    uint8_t h[512];
    ttar_buf a = {0}, log = {0};
    static const char name[] = "caf\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xff\x80.txt";
    ttar_header(h, TTAR_USTAR, "f", '0', 0644, 0, 0, NULL);
    ttar_sum_write(h, ttar_usum(h) + 1); /* one more than the sum */
    ttar_raw(&a, h, NULL, 0);
    ttar_end(&a);
    ttar_want_error(&a, 0, UPD_E_TAR_CHECKSUM, "checksum");
    ttar_free(&a);
    /* a byte of the header changed after the sum was taken */
    ttar_header(h, TTAR_USTAR, "f", '0', 0644, 0, 0, NULL);
    h[0] = 'g';
    ttar_raw(&a, h, NULL, 0);
    ttar_want_error(&a, 0, UPD_E_TAR_CHECKSUM, NULL);
    ttar_free(&a);
    /* bytes >= 0x80: both sums differ, either is accepted */
    ttar_header(h, TTAR_USTAR, name, '0', 0644, 0, 0, NULL);
    CHECK(ttar_ssum(h) != ttar_usum(h));
    ttar_sum_write(h, ttar_ssum(h));
    ttar_raw(&a, h, NULL, 0);
    ttar_header(h, TTAR_USTAR, name, '0', 0644, 0, 0, NULL);
    ttar_raw(&a, h, NULL, 0); /* the unsigned sum */
    ttar_end(&a);
    ttar_all_splits(a.p, a.n, 0, UPD_OK, &log);
    {
        ttar_buf want = {0};
        ttar_printf(&want, "E 0 0644 0 0 @0 %s\n|END %s\nE 0 0644 0 0 @512 %s\n|END %s\n= 0 at 2048 entries 2\n",
                    name, name, name, name);
        ttar_log_is(&log, (char *)want.p);
        ttar_free(&want);
    }
    ttar_free(&a);
    /* the signed sum of a header without such bytes is the unsigned one;
       a sum that is neither is refused */
    ttar_header(h, TTAR_USTAR, name, '0', 0644, 0, 0, NULL);
    ttar_sum_write(h, ttar_ssum(h) + 1);
    ttar_raw(&a, h, NULL, 0);
    ttar_want_error(&a, 0, UPD_E_TAR_CHECKSUM, NULL);
    ttar_free(&a);
    /* an all-zero checksum field on a nonzero header */
    ttar_header(h, TTAR_USTAR, "f", '0', 0644, 0, 0, NULL);
    memcpy(h + 148, "000000\0 ", 8);
    ttar_raw(&a, h, NULL, 0);
    ttar_want_error(&a, 0, UPD_E_TAR_CHECKSUM, NULL);
    ttar_free(&a);
}

/* Names: a NUL inside a field followed by other bytes is refused; a
   100-byte name without NUL is whole; POSIX prefix + '/' + name; GNU and
   v7 headers have no prefix even with bytes there. */
static void test_tar_names(void)
{
    uint8_t h[512];
    ttar_buf a = {0}, log = {0};
    char n100[101], want[2048];
    memset(n100, 'n', 100);
    n100[100] = 0;
    ttar_header(h, TTAR_USTAR, "abc", '0', 0644, 0, 0, NULL);
    h[10] = 'x'; /* "abc\0\0...x" */
    ttar_sum(h);
    ttar_raw(&a, h, NULL, 0);
    ttar_want_error(&a, 0, UPD_E_TAR, "name");
    ttar_free(&a);
    ttar_header(h, TTAR_USTAR, "abc", '0', 0644, 0, 0, NULL);
    h[99] = 'x'; /* the very last byte */
    ttar_sum(h);
    ttar_raw(&a, h, NULL, 0);
    ttar_want_error(&a, 0, UPD_E_TAR, "name");
    ttar_free(&a);
    ttar_header(h, TTAR_USTAR, "s", '2', 0777, 0, 0, "target");
    h[157 + 50] = 'x';
    ttar_sum(h);
    ttar_raw(&a, h, NULL, 0);
    ttar_want_error(&a, 0, UPD_E_TAR, "linkname");
    ttar_free(&a);
    ttar_header(h, TTAR_USTAR, "name", '0', 0644, 0, 0, NULL);
    memcpy(h + 345, "pre\0fix", 7);
    ttar_sum(h);
    ttar_raw(&a, h, NULL, 0);
    ttar_want_error(&a, 0, UPD_E_TAR, "prefix");
    ttar_free(&a);

    /* full fields: 100-byte name, 155-byte prefix, 100-byte link */
    {
        char pre[156], lname[101], full[260];
        memset(pre, 'p', 155);
        pre[155] = 0;
        memset(lname, 'l', 100);
        lname[100] = 0;
        ttar_header(h, TTAR_USTAR, n100, '2', 0777, 0, 0, lname);
        memcpy(h + 345, pre, 155);
        ttar_sum(h);
        ttar_raw(&a, h, NULL, 0);
        ttar_header(h, TTAR_V7, n100, '0', 0644, 0, 0, NULL);
        ttar_raw(&a, h, NULL, 0);
        ttar_end(&a);
        snprintf(full, sizeof full, "%s/%s", pre, n100);
        snprintf(want, sizeof want, "E 2 0777 0 0 @0 %s -> %s\n|END %s\nE 0 0644 0 0 @512 %s\n|END %s\n"
                 "= 0 at 2048 entries 2\n", full, lname, full, n100, n100);
        ttar_all_splits(a.p, a.n, 0, UPD_OK, &log);
        ttar_log_is(&log, want);
        ttar_free(&a);
    }
    /* a long ustar name split by the builder */
    {
        const char *longname = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/"
                               "cccccccccccccccccccccccccccccccccccccccccccccccccc/file.txt";
        ttar_entry(&a, TTAR_USTAR, longname, '0', 0644, "x", 1, NULL);
        CHECK(a.p[345] == 'a'); /* the builder did use the prefix */
        ttar_all_splits(a.p, a.n, 0, UPD_OK, &log);
        snprintf(want, sizeof want, "E 0 0644 1 1600000000 @0 %s\nx|END %s\n= 0 at 1024 entries 1\n", longname, longname);
        ttar_log_is(&log, want);
        ttar_free(&a);
    }
    /* GNU magic: the prefix area holds other things (atime, ctime) */
    ttar_header(h, TTAR_GNU, "gnuname", '0', 0644, 0, 0, NULL);
    memcpy(h + 345, "14000000000\0" "14000000000\0", 24);
    ttar_sum(h);
    ttar_raw(&a, h, NULL, 0);
    /* v7: no magic, bytes in the prefix area ignored */
    ttar_header(h, TTAR_V7, "v7name", '0', 0644, 0, 0, NULL);
    memcpy(h + 345, "junk", 4);
    ttar_sum(h);
    ttar_raw(&a, h, NULL, 0);
    /* "ustar\0" with a version other than "00" is not POSIX either */
    ttar_header(h, TTAR_USTAR, "odd", '0', 0644, 0, 0, NULL);
    memcpy(h + 263, "  ", 2);
    memcpy(h + 345, "junk", 4);
    ttar_sum(h);
    ttar_raw(&a, h, NULL, 0);
    ttar_all_splits(a.p, a.n, 0, UPD_OK, &log);
    ttar_log_is(&log, "E 0 0644 0 0 @0 gnuname\n|END gnuname\nE 0 0644 0 0 @512 v7name\n|END v7name\n"
                      "E 0 0644 0 0 @1024 odd\n|END odd\n= 0 at 1536 entries 3\n");
    ttar_free(&a);
    /* an empty name */
    ttar_header(h, TTAR_USTAR, "", '0', 0644, 0, 0, NULL);
    ttar_raw(&a, h, NULL, 0);
    ttar_end(&a);
    ttar_want_error(&a, 0, UPD_E_PATH, "empty");
    ttar_free(&a);
}

/* pax 'x': path, linkpath, size and mtime apply to exactly the next entry. */
static void test_tar_pax_next_entry_only(void)
{
    ttar_buf a = {0}, r = {0}, log = {0}, want = {0};
    char longpath[300];
    memset(longpath, 'q', sizeof longpath - 1);
    longpath[sizeof longpath - 1] = 0;
    longpath[100] = '/';
    ttar_rec(&r, "path", longpath);
    ttar_rec(&r, "mtime", "1234567890.123456789");
    ttar_rec(&r, "comment", "ignored = fine\n");
    ttar_rec(&r, "uname", "someone");
    ttar_rec(&r, "SCHILY.xattr.user.x", "y");
    ttar_pax(&a, 'x', &r);
    ttar_free(&r);
    ttar_entry(&a, TTAR_USTAR, "short1", '0', 0644, "one", 3, NULL);
    ttar_entry(&a, TTAR_USTAR, "short2", '0', 0644, "two", 3, NULL);
    ttar_rec(&r, "linkpath", "a link target with spaces and = signs");
    ttar_rec(&r, "mtime", "-77.5");
    ttar_pax(&a, 'x', &r);
    ttar_free(&r);
    ttar_entry(&a, TTAR_USTAR, "sym", '2', 0777, NULL, 0, "ignored");
    ttar_entry(&a, TTAR_USTAR, "sym2", '2', 0777, NULL, 0, "own");
    /* a global header changes nothing here */
    ttar_rec(&r, "path", "global-path-ignored");
    ttar_pax(&a, 'g', &r);
    ttar_free(&r);
    ttar_entry(&a, TTAR_USTAR, "after-g", '0', 0644, NULL, 0, NULL);
    /* two 'x' headers before one entry: both apply, the later key wins */
    ttar_pax1(&a, "path", "first-x");
    ttar_rec(&r, "path", "second-x");
    ttar_rec(&r, "mtime", "5");
    ttar_pax(&a, 'x', &r);
    ttar_free(&r);
    ttar_entry(&a, TTAR_USTAR, "header-name", '0', 0644, NULL, 0, NULL);
    ttar_end(&a);
    ttar_printf(&want, "E 0 0644 3 1234567890 @1024 %s\none|END %s\n", longpath, longpath);
    ttar_printf(&want, "E 0 0644 3 1600000000 @2048 short2\ntwo|END short2\n");
    ttar_printf(&want, "E 2 0777 0 -77 @4096 sym -> a link target with spaces and = signs\n|END sym\n");
    ttar_printf(&want, "E 2 0777 0 1600000000 @4608 sym2 -> own\n|END sym2\n");
    ttar_printf(&want, "E 0 0644 0 1600000000 @6144 after-g\n|END after-g\n");
    ttar_printf(&want, "E 0 0644 0 5 @8704 second-x\n|END second-x\n= 0 at 10240 entries 6\n");
    ttar_all_splits(a.p, a.n, 0, UPD_OK, &log);
    ttar_log_is(&log, (char *)want.p);
    ttar_free(&want);
    ttar_free(&a);
}

/* A pax size overrides the header's, larger or smaller; the next header is
   read where the pax size puts it. */
static void test_tar_pax_size(void)
{
    ttar_buf a = {0}, log = {0}, want = {0};
    uint8_t h[512], data[700];
    size_t i;
    for (i = 0; i < sizeof data; i++) data[i] = (uint8_t)('a' + i % 26);
    ttar_pax1(&a, "size", "700");
    ttar_header(h, TTAR_USTAR, "big", '0', 0644, 5, 0, NULL); /* says 5 */
    ttar_raw(&a, h, data, 700);
    ttar_entry(&a, TTAR_USTAR, "next", '0', 0644, "N", 1, NULL);
    ttar_pax1(&a, "size", "3");
    ttar_header(h, TTAR_USTAR, "small", '0', 0644, 1000, 0, NULL); /* says 1000 */
    ttar_raw(&a, h, "abc", 3);
    ttar_header(h, TTAR_USTAR, "last", '0', 0644, 2, 0, NULL);
    ttar_raw(&a, h, "zz", 2);
    ttar_pax1(&a, "size", "0");
    ttar_header(h, TTAR_USTAR, "zero", '0', 0644, 999, 0, NULL);
    ttar_raw(&a, h, NULL, 0);
    ttar_end(&a);
    ttar_printf(&want, "E 0 0644 700 0 @1024 big\n");
    ttar_put(&want, data, 700);
    ttar_printf(&want, "|END big\nE 0 0644 1 1600000000 @2560 next\nN|END next\n");
    ttar_printf(&want, "E 0 0644 3 0 @4608 small\nabc|END small\n");
    ttar_printf(&want, "E 0 0644 2 0 @5632 last\nzz|END last\n");
    ttar_printf(&want, "E 0 0644 0 0 @7680 zero\n|END zero\n= 0 at 9216 entries 5\n");
    ttar_all_splits(a.p, a.n, 0, UPD_OK, &log);
    if (log.n == want.n && memcmp(log.p, want.p, want.n) == 0) t_passed++;
    else { t_failed++; printf("FAIL %s: got\n%s\nwant\n%s\n", t_current, (char *)log.p, (char *)want.p); }
    ttar_free(&log);
    ttar_free(&want);
    ttar_free(&a);
    /* a pax size on a directory gives it data: refused */
    ttar_pax1(&a, "size", "10");
    ttar_entry(&a, TTAR_USTAR, "d/", '5', 0755, NULL, 0, NULL);
    ttar_zeros(&a, 512);
    ttar_end(&a);
    ttar_want_error(&a, 0, UPD_E_TAR, NULL);
    ttar_free(&a);
}

/* pax and GNU long names together: pax wins, in either order, and both
   apply to the entry after them only. */
static void test_tar_pax_and_gnu_long(void)
{
    ttar_buf a = {0}, log = {0}, want = {0};
    char lname[400], lname2[300];
    memset(lname, 'L', sizeof lname - 1);
    lname[sizeof lname - 1] = 0;
    memset(lname2, 'K', sizeof lname2 - 1);
    lname2[sizeof lname2 - 1] = 0;
    ttar_pax1(&a, "path", "pax-wins");
    ttar_long(&a, 'L', lname);
    ttar_entry(&a, TTAR_GNU, "hdr1", '0', 0644, "1", 1, NULL);
    ttar_entry(&a, TTAR_GNU, "hdr2", '0', 0644, "2", 1, NULL);
    ttar_long(&a, 'L', lname);
    ttar_pax1(&a, "path", "pax-wins-again");
    ttar_entry(&a, TTAR_GNU, "hdr3", '0', 0644, "3", 1, NULL);
    ttar_long(&a, 'L', lname);
    ttar_long(&a, 'K', lname2);
    ttar_entry(&a, TTAR_GNU, "hdr4", '2', 0777, NULL, 0, "short");
    ttar_pax1(&a, "linkpath", "pax-link");
    ttar_long(&a, 'K', lname2);
    ttar_entry(&a, TTAR_GNU, "hdr5", '1', 0644, NULL, 0, "short");
    ttar_entry(&a, TTAR_GNU, "hdr6", '1', 0644, NULL, 0, "short");
    ttar_end(&a);
    ttar_printf(&want, "E 0 0644 1 1600000000 @2048 pax-wins\n1|END pax-wins\n");
    ttar_printf(&want, "E 0 0644 1 1600000000 @3072 hdr2\n2|END hdr2\n");
    ttar_printf(&want, "E 0 0644 1 1600000000 @6144 pax-wins-again\n3|END pax-wins-again\n");
    ttar_printf(&want, "E 2 0777 0 1600000000 @9216 %s -> %s\n|END %s\n", lname, lname2, lname);
    ttar_printf(&want, "E 1 0644 0 1600000000 @11776 hdr5 -> pax-link\n|END hdr5\n");
    ttar_printf(&want, "E 1 0644 0 1600000000 @12288 hdr6 -> short\n|END hdr6\n= 0 at 13824 entries 6\n");
    ttar_all_splits(a.p, a.n, 0, UPD_OK, &log);
    ttar_log_is(&log, (char *)want.p);
    ttar_free(&want);
    ttar_free(&a);
}

/* GNU long names: the limit is checked from the header, before the data. */
static void test_tar_gnu_long_limits(void)
{
    uint8_t h[512];
    ttar_buf a = {0}, log = {0};
    static char name[UPDATER_MAX_PATH + 2];
    upd_tar t;
    /* 10 MB announced: refused at the header, no data fed */
    upd_tar_init(&t, 0);
    ttar_header(h, TTAR_GNU, "././@LongLink", 'L', 0644, 10u << 20, 0, NULL);
    CHECK_EQ_INT(upd_tar_feed(&t, h, 512), UPD_E_TOOBIG);
    CHECK(t.why[0] != 0);
    CHECK_EQ_INT(upd_tar_feed(&t, h, 512), UPD_E_TOOBIG);
    CHECK_EQ_INT(upd_tar_finish(&t), UPD_E_TOOBIG);
    upd_tar_init(&t, 0);
    ttar_header(h, TTAR_GNU, "././@LongLink", 'K', 0644, UPDATER_MAX_PATH + 2, 0, NULL);
    CHECK_EQ_INT(upd_tar_feed(&t, h, 512), UPD_E_TOOBIG);
    /* exactly UPDATER_MAX_PATH bytes and the NUL: fine */
    memset(name, 'x', UPDATER_MAX_PATH);
    name[UPDATER_MAX_PATH] = 0;
    ttar_long(&a, 'L', name);
    ttar_entry(&a, TTAR_GNU, "short", '0', 0644, NULL, 0, NULL);
    ttar_end(&a);
    ttar_all_splits(a.p, a.n, 0, UPD_OK, &log);
    CHECK(log.n > UPDATER_MAX_PATH && strstr((char *)log.p, name) != NULL && !strstr((char *)log.p, "short"));
    ttar_free(&log);
    ttar_free(&a);
    /* UPDATER_MAX_PATH + 1 bytes without a NUL: one too many */
    memset(name, 'x', UPDATER_MAX_PATH + 1);
    ttar_header(h, TTAR_GNU, "././@LongLink", 'L', 0644, UPDATER_MAX_PATH + 1, 0, NULL);
    ttar_raw(&a, h, name, UPDATER_MAX_PATH + 1);
    ttar_entry(&a, TTAR_GNU, "short", '0', 0644, NULL, 0, NULL);
    ttar_want_error(&a, 0, UPD_E_TOOBIG, NULL);
    ttar_free(&a);
    /* NUL-padded long names are fine; a NUL inside is not; empty is not */
    ttar_header(h, TTAR_GNU, "././@LongLink", 'L', 0644, 20, 0, NULL);
    ttar_raw(&a, h, "padded\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 20);
    ttar_entry(&a, TTAR_GNU, "short", '0', 0644, NULL, 0, NULL);
    ttar_all_splits(a.p, a.n, 0, UPD_OK, &log);
    ttar_log_is(&log, "E 0 0644 0 1600000000 @1024 padded\n|END padded\n= 0 at 1536 entries 1\n");
    ttar_free(&a);
    ttar_header(h, TTAR_GNU, "././@LongLink", 'L', 0644, 8, 0, NULL);
    ttar_raw(&a, h, "ab\0cd\0\0\0", 8);
    ttar_entry(&a, TTAR_GNU, "short", '0', 0644, NULL, 0, NULL);
    ttar_want_error(&a, 0, UPD_E_TAR, NULL);
    ttar_free(&a);
    ttar_header(h, TTAR_GNU, "././@LongLink", 'L', 0644, 4, 0, NULL);
    ttar_raw(&a, h, "\0\0\0\0", 4);
    ttar_entry(&a, TTAR_GNU, "short", '0', 0644, NULL, 0, NULL);
    ttar_want_error(&a, 0, UPD_E_TAR, "empty");
    ttar_free(&a);
    ttar_header(h, TTAR_GNU, "././@LongLink", 'L', 0644, 0, 0, NULL);
    ttar_raw(&a, h, NULL, 0);
    ttar_entry(&a, TTAR_GNU, "short", '0', 0644, NULL, 0, NULL);
    ttar_want_error(&a, 0, UPD_E_TAR, "empty");
    ttar_free(&a);
}

/* Malformed pax records: lengths (raw), and values (with a right length). */
static void test_tar_pax_malformed(void)
{
    static const struct { const char *raw; size_t rawlen; const char *key, *value; upd_result want; } v[] = {
        {"0 path=x\n", 0, NULL, NULL, UPD_E_TAR},             /* length 0 */
        {"00010 a=bc\n", 0, NULL, NULL, UPD_E_TAR},           /* a leading zero */
        {"x path=x\n", 0, NULL, NULL, UPD_E_TAR},             /* not a number */
        {"1a path=x\n", 0, NULL, NULL, UPD_E_TAR},
        {" 9 path=x\n", 0, NULL, NULL, UPD_E_TAR},            /* no length */
        {"\n", 0, NULL, NULL, UPD_E_TAR},
        {"11 path=x\n", 0, NULL, NULL, UPD_E_TAR},            /* past the end of the data */
        {"10 path=xy", 0, NULL, NULL, UPD_E_TAR},
        {"99999999999 path=x\n", 0, NULL, NULL, UPD_E_TAR},   /* huge */
        {"4294967306 path=x\n", 0, NULL, NULL, UPD_E_TAR},    /* 2^32 + 10 */
        {"9 path=x\n12 a=b\n", 0, NULL, NULL, UPD_E_TAR},     /* the second one past the end */
        {"5 a\n", 0, NULL, NULL, UPD_E_TAR},                  /* too short for key=value */
        {"4 a=\n", 0, NULL, NULL, UPD_E_TAR},                 /* shorter than it is */
        {"9 pathxx\n", 0, NULL, NULL, UPD_E_TAR},             /* no '=' */
        {"8 path\n\n", 0, NULL, NULL, UPD_E_TAR},             /* newline in the key */
        {"6 =xx\n", 0, NULL, NULL, UPD_E_TAR},                /* empty key */
        {"9 path=xyz", 0, NULL, NULL, UPD_E_TAR},             /* the record's last byte is not '\n' */
        {"9 path=x\n9", 0, NULL, NULL, UPD_E_TAR},            /* data ends inside a length */
        {"9 path=x\n9 ", 0, NULL, NULL, UPD_E_TAR},           /* ... or after it */
        {"11 path=x\0\n", 11, NULL, NULL, UPD_E_TAR},         /* a NUL at the end of a value */
        {"12 path=a\0b\n", 12, NULL, NULL, UPD_E_TAR},        /* a NUL inside a value */
        {"13 linkpath=\0\n", 13, NULL, NULL, UPD_E_TAR},
        {NULL, 0, "size", "1x", UPD_E_TAR},
        {NULL, 0, "size", "", UPD_E_TAR},
        {NULL, 0, "size", " 1", UPD_E_TAR},
        {NULL, 0, "size", "-1", UPD_E_TAR},
        {NULL, 0, "size", "1.5", UPD_E_TAR},
        {NULL, 0, "size", "0x10", UPD_E_TAR},
        {NULL, 0, "size", "9223372036854775808", UPD_E_TAR},  /* 2^63 */
        {NULL, 0, "size", "99999999999999999999", UPD_E_TAR},
        {NULL, 0, "size", "000000000000000000000000000000000000000000001", UPD_E_TAR}, /* too long */
        {NULL, 0, "mtime", "1x", UPD_E_TAR},
        {NULL, 0, "mtime", "-", UPD_E_TAR},
        {NULL, 0, "mtime", ".5", UPD_E_TAR},
        {NULL, 0, "mtime", "1.5.5", UPD_E_TAR},
        {NULL, 0, "mtime", "--1", UPD_E_TAR},
        {NULL, 0, "GNU.sparse.major", "1", UPD_E_TAR_TYPE},
        {NULL, 0, "GNU.sparse.size", "10", UPD_E_TAR_TYPE},
        {NULL, 0, "GNU.sparse.name", "realname", UPD_E_TAR_TYPE},
        {NULL, 0, "GNU.sparse.numblocks", "0", UPD_E_TAR_TYPE},
    };
    size_t i;
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        ttar_buf a = {0}, r = {0};
        upd_result got;
        const char *why = NULL;
        if (v[i].raw) ttar_put(&r, v[i].raw, v[i].rawlen ? v[i].rawlen : strlen(v[i].raw));
        else ttar_rec(&r, v[i].key, v[i].value);
        ttar_pax(&a, 'x', &r);
        ttar_entry(&a, TTAR_USTAR, "f", '0', 0644, "x", 1, NULL);
        ttar_end(&a);
        got = ttar_result(&a, 0, &why);
        if (got != v[i].want) {
            t_failed++;
            printf("FAIL %s: pax data \"%s\": %d, want %d\n", t_current, (char *)r.p, (int)got, (int)v[i].want);
        } else t_passed++;
        CHECK(why != NULL && why[0] != 0);
        ttar_all_splits(a.p, a.n, 0, v[i].want, NULL);
        ttar_free(&r);
        ttar_free(&a);
    }
    { /* records that are fine: the shortest, a large ignored one, a '=' in a value */
        ttar_buf a = {0}, log = {0}, big = {0};
        size_t k;
        ttar_put(&big, "5 a=\n6 b=c\n", 11);
        ttar_printf(&big, "%d k=", 100003);
        for (k = 0; k < 100003 - 10; k++) ttar_put(&big, "v", 1);
        ttar_put(&big, "\n", 1);
        ttar_rec(&big, "path", "a=b");
        ttar_rec(&big, "size", "1");
        ttar_rec(&big, "mtime", "0.000");
        ttar_pax(&a, 'x', &big);
        ttar_free(&big);
        ttar_entry(&a, TTAR_USTAR, "f", '0', 0644, "x", 1, NULL);
        ttar_end(&a);
        ttar_all_splits(a.p, a.n, 0, UPD_OK, &log);
        CHECK(log.p && strncmp((char *)log.p, "E 0 0644 1 0 @100864 a=b\nx|END a=b\n", 34) == 0);
        ttar_free(&log);
        ttar_free(&a);
    }
    { /* a pax path of UPDATER_MAX_PATH bytes is fine, one more is too big */
        static char p[UPDATER_MAX_PATH + 2];
        ttar_buf a = {0}, log = {0};
        memset(p, 'p', UPDATER_MAX_PATH);
        p[UPDATER_MAX_PATH] = 0;
        ttar_pax1(&a, "path", p);
        ttar_entry(&a, TTAR_USTAR, "f", '0', 0644, NULL, 0, NULL);
        ttar_all_splits(a.p, a.n, 0, UPD_OK, &log);
        CHECK(log.p && strstr((char *)log.p, p) != NULL);
        ttar_free(&log);
        ttar_free(&a);
        p[UPDATER_MAX_PATH] = 'p';
        p[UPDATER_MAX_PATH + 1] = 0;
        ttar_pax1(&a, "path", p);
        ttar_entry(&a, TTAR_USTAR, "f", '0', 0644, NULL, 0, NULL);
        ttar_want_error(&a, 0, UPD_E_TOOBIG, NULL);
        ttar_free(&a);
        ttar_pax1(&a, "linkpath", p);
        ttar_entry(&a, TTAR_USTAR, "s", '2', 0777, NULL, 0, "x");
        ttar_want_error(&a, 0, UPD_E_TOOBIG, NULL);
        ttar_free(&a);
    }
    { /* the GNU.sparse refusal also stops a skipping reader */
        ttar_buf a = {0};
        ttar_pax1(&a, "GNU.sparse.major", "1");
        ttar_entry(&a, TTAR_USTAR, "f", '0', 0644, "x", 1, NULL);
        ttar_want_error(&a, UPD_TAR_SKIP_UNSUPPORTED, UPD_E_TAR_TYPE, "sparse");
        ttar_free(&a);
    }
}

/* Types other than files, directories and links: refused, or skipped with
   their data, after which the next entry reads normally. */
static void test_tar_unsupported_types(void)
{
    static const char types[] = {'3', '4', '6', 'S', 'V', 'Z', 'M', 'D', 'A'};
    size_t i;
    for (i = 0; i < sizeof types; i++) {
        ttar_buf a = {0}, log = {0}, want = {0};
        uint8_t h[512];
        size_t len = types[i] == 'S' || types[i] == 'Z' ? 700 : 0;
        static uint8_t junk[700];
        memset(junk, 'j', sizeof junk);
        ttar_entry(&a, TTAR_GNU, "before", '0', 0644, "b", 1, NULL);
        ttar_pax1(&a, "path", "pax-name-of-odd");
        ttar_header(h, TTAR_GNU, "odd", types[i], 0644, len, 0, NULL);
        ttar_raw(&a, h, junk, len);
        ttar_entry(&a, TTAR_GNU, "after", '0', 0644, "a", 1, NULL);
        ttar_end(&a);
        ttar_want_error(&a, 0, UPD_E_TAR_TYPE, NULL);
        ttar_all_splits(a.p, a.n, UPD_TAR_SKIP_UNSUPPORTED, UPD_OK, &log);
        ttar_printf(&want, "E 0 0644 1 1600000000 @0 before\nb|END before\nSKIP %c pax-name-of-odd\n"
                    "E 0 0644 1 1600000000 @%zu after\na|END after\n= 0 at %zu entries 2\n",
                    types[i], 2560 + (len + 511) / 512 * 512, 4608 + (len + 511) / 512 * 512);
        ttar_log_is(&log, (char *)want.p);
        ttar_free(&want);
        ttar_free(&a);
    }
}

/* Directories, symlinks and hard links with data are refused. */
static void test_tar_links_with_data(void)
{
    static const char types[] = {'1', '2', '5'};
    size_t i;
    for (i = 0; i < sizeof types; i++) {
        ttar_buf a = {0};
        uint8_t h[512];
        ttar_header(h, TTAR_USTAR, "x", types[i], 0755, 10, 0, "f");
        ttar_raw(&a, h, "0123456789", 10);
        ttar_end(&a);
        ttar_want_error(&a, 0, UPD_E_TAR, "data");
        ttar_free(&a);
    }
}

/* The end of the archive. */
static void test_tar_end_of_archive(void)
{
    ttar_buf a = {0}, log = {0};
    size_t n;
    /* two zero blocks, then garbage: ignored */
    ttar_file(&a, "f", "data");
    ttar_end(&a);
    ttar_put(&a, "garbage that is not a header at all", 35);
    ttar_zeros(&a, 3000);
    ttar_file(&a, "g", "a valid header after the end is ignored too");
    ttar_all_splits(a.p, a.n, 0, UPD_OK, &log);
    ttar_log_is(&log, "E 0 0644 4 1600000000 @0 f\ndata|END f\n= 0 at 6107 entries 1\n");
    ttar_free(&a);
    /* one zero block and then a header */
    ttar_file(&a, "f", "data");
    ttar_zeros(&a, 512);
    ttar_file(&a, "g", "more");
    ttar_end(&a);
    ttar_want_error(&a, 0, UPD_E_TAR, "zero block");
    ttar_free(&a);
    /* one zero block and the end of input: accepted */
    ttar_file(&a, "f", "data");
    ttar_zeros(&a, 512);
    ttar_all_splits(a.p, a.n, 0, UPD_OK, NULL);
    ttar_free(&a);
    /* nothing at all, or only the end */
    ttar_all_splits((const uint8_t *)"", 0, 0, UPD_OK, NULL);
    ttar_end(&a);
    ttar_all_splits(a.p, a.n, 0, UPD_OK, &log);
    ttar_log_is(&log, "= 0 at 1024 entries 0\n");
    ttar_free(&a);
    /* cut anywhere inside a header, data or padding: truncated */
    ttar_file(&a, "f", "0123456789");
    ttar_file(&a, "g", "x");
    n = a.n; /* 2048: ends on a block boundary, fine */
    ttar_all_splits(a.p, n, 0, UPD_OK, NULL);
    {
        static const size_t cuts[] = {1, 100, 511, 512 + 5, 512 + 10, 512 + 11, 1023, 1024 + 300, 1536 + 1, 2047};
        size_t i;
        for (i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
            const char *why = NULL;
            ttar_rec_t rec;
            memset(&rec, 0, sizeof rec);
            CHECK_EQ_INT(ttar_read(a.p, cuts[i], 0, 0, &rec, &why), UPD_E_TRUNCATED);
            CHECK(why && why[0]);
            ttar_free(&rec.log);
            ttar_all_splits(a.p, cuts[i], 0, UPD_E_TRUNCATED, NULL);
        }
    }
    ttar_free(&a);
    /* a pax header or a long name and then the end */
    ttar_pax1(&a, "path", "x");
    ttar_all_splits(a.p, a.n, 0, UPD_E_TRUNCATED, NULL);
    ttar_end(&a);
    ttar_want_error(&a, 0, UPD_E_TAR, NULL);
    ttar_free(&a);
    ttar_long(&a, 'L', "longname");
    ttar_all_splits(a.p, a.n, 0, UPD_E_TRUNCATED, NULL);
    ttar_free(&a);
}

/* Errors stick: later feeds and finish return the same error and no
   callback runs again; a callback's own result stops the reader. */
static void test_tar_errors_sticky(void)
{
    ttar_buf a = {0}, good = {0};
    ttar_rec_t rec;
    upd_tar t;
    uint8_t h[512];
    ttar_header(h, TTAR_USTAR, "bad", '0', 0644, 0, 0, NULL);
    h[148]++;
    ttar_file(&a, "first", "1");
    ttar_raw(&a, h, NULL, 0);
    ttar_file(&good, "second", "2");
    ttar_end(&good);
    memset(&rec, 0, sizeof rec);
    upd_tar_init(&t, 0);
    t.on_entry = ttar_on_entry;
    t.on_data = ttar_on_data;
    t.on_end = ttar_on_end;
    t.user = &rec;
    CHECK_EQ_INT(upd_tar_feed(&t, a.p, a.n), UPD_E_TAR_CHECKSUM);
    CHECK_EQ_INT(upd_tar_feed(&t, good.p, good.n), UPD_E_TAR_CHECKSUM);
    CHECK_EQ_INT(upd_tar_feed(&t, NULL, 0), UPD_E_TAR_CHECKSUM);
    CHECK_EQ_INT(upd_tar_finish(&t), UPD_E_TAR_CHECKSUM);
    CHECK_EQ_INT(upd_tar_finish(&t), UPD_E_TAR_CHECKSUM);
    CHECK_EQ_INT(rec.entries, 1);
    CHECK_EQ_INT(t.entries, 1);
    CHECK_STR((char *)rec.log.p, "E 0 0644 1 1600000000 @0 first\n1|END first\n");
    ttar_free(&rec.log);
    /* truncation sticks too */
    upd_tar_init(&t, 0);
    CHECK_EQ_INT(upd_tar_feed(&t, good.p, 100), UPD_OK);
    CHECK_EQ_INT(upd_tar_finish(&t), UPD_E_TRUNCATED);
    CHECK_EQ_INT(upd_tar_feed(&t, good.p + 100, good.n - 100), UPD_E_TRUNCATED);
    /* the entry callback's result */
    memset(&rec, 0, sizeof rec);
    rec.stop_at_entry = UPD_E_IO;
    upd_tar_init(&t, 0);
    t.on_entry = ttar_on_entry;
    t.user = &rec;
    ttar_free(&a);
    ttar_file(&a, "one", "1");
    ttar_file(&a, "two", "2");
    ttar_file(&a, "three", "3");
    CHECK_EQ_INT(upd_tar_feed(&t, a.p, a.n), UPD_E_IO);
    CHECK_EQ_INT(upd_tar_finish(&t), UPD_E_IO);
    CHECK_EQ_INT(rec.entries, 2);
    ttar_free(&rec.log);
    /* init clears callbacks and the error */
    upd_tar_init(&t, 0);
    CHECK(t.on_entry == NULL && t.on_data == NULL && t.user == NULL);
    CHECK_EQ_INT(upd_tar_feed(&t, good.p, good.n), UPD_OK);
    CHECK_EQ_INT(upd_tar_finish(&t), UPD_OK);
    CHECK_EQ_INT(t.entries, 1);
    CHECK_EQ_INT(t.offset, good.n);
    ttar_free(&a);
    ttar_free(&good);
}

/* ---- the extractor on a temporary directory ---- */

/* Removes everything below directory fd dfd (never following a symlink). */
static void ttar_rm_below(int dfd)
{
    DIR *d;
    struct dirent *e;
    int fd = dup(dfd);
    if (fd < 0) return;
    if (!(d = fdopendir(fd))) { close(fd); return; }
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            int sub;
            fchmodat(dfd, e->d_name, 0700, 0);
            sub = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
            if (sub >= 0) { ttar_rm_below(sub); close(sub); }
            unlinkat(dfd, e->d_name, AT_REMOVEDIR);
        } else unlinkat(dfd, e->d_name, 0);
    }
    closedir(d);
}

static void ttar_rmtree(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (fd >= 0) { ttar_rm_below(fd); close(fd); }
    rmdir(dir);
}

/* Lists the tree below dir, one line per entry, sorted: "path type mode
   size [content|target]"; names starting with ".upd-tmp" are listed too. */
static void ttar_snapshot_at(int dfd, const char *prefix, ttar_buf *out)
{
    DIR *d;
    struct dirent *e;
    char *names[64];
    size_t n = 0, i, j;
    int fd = dup(dfd);
    if (fd < 0 || !(d = fdopendir(fd))) { if (fd >= 0) close(fd); return; }
    while ((e = readdir(d)) != NULL && n < 64) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        names[n] = (char *)malloc(strlen(e->d_name) + 1);
        if (!names[n]) break;
        strcpy(names[n++], e->d_name);
    }
    closedir(d);
    for (i = 1; i < n; i++) /* insertion sort */
        for (j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) { char *s = names[j]; names[j] = names[j - 1]; names[j - 1] = s; }
    for (i = 0; i < n; i++) {
        struct stat st;
        char path[512];
        snprintf(path, sizeof path, "%s%s", prefix, names[i]);
        if (fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) != 0) { free(names[i]); continue; }
        if (S_ISDIR(st.st_mode)) {
            int sub = openat(dfd, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
            ttar_printf(out, "%s d %04o\n", path, (unsigned)(st.st_mode & 07777));
            if (sub >= 0) {
                char p2[520];
                snprintf(p2, sizeof p2, "%s/", path);
                ttar_snapshot_at(sub, p2, out);
                close(sub);
            }
        } else if (S_ISLNK(st.st_mode)) {
            char t[256];
            ssize_t k = readlinkat(dfd, names[i], t, sizeof t - 1);
            t[k < 0 ? 0 : k] = 0;
            ttar_printf(out, "%s l -> %s\n", path, t);
        } else if (S_ISREG(st.st_mode)) {
            char c[64];
            int f = openat(dfd, names[i], O_RDONLY | O_NOFOLLOW);
            ssize_t k = f >= 0 ? read(f, c, sizeof c - 1) : -1;
            if (f >= 0) close(f);
            c[k < 0 ? 0 : k] = 0;
            ttar_printf(out, "%s f %04o n%lu t%lld [%s]\n", path, (unsigned)(st.st_mode & 07777),
                        (unsigned long)st.st_nlink, (long long)st.st_mtime, c);
        } else ttar_printf(out, "%s ? %o\n", path, (unsigned)st.st_mode);
        free(names[i]);
    }
}

static void ttar_snapshot(const char *dir, ttar_buf *out)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    out->n = 0;
    ttar_put(out, "", 0);
    if (fd >= 0) { ttar_snapshot_at(fd, "", out); close(fd); }
}

/* Extracts a[0..n) into a fresh temporary directory in pieces (how as in
   ttar_read), snapshots the tree into *snap, removes it; returns the
   result, with x.error in err. */
static upd_result ttar_extract(const uint8_t *a, size_t n, unsigned flags, unsigned how,
                               ttar_buf *snap, char *err, size_t errcap)
{
    char dir[] = "/tmp/upd-t-tar-XXXXXX";
    static upd_untar x;
    upd_result r;
    size_t i = 0;
    unsigned seed = how;
    if (!mkdtemp(dir)) { printf("t_tar: mkdtemp failed\n"); exit(2); }
    r = upd_untar_open(&x, dir, flags);
    while (r == UPD_OK && i < n) {
        size_t k = n - i;
        if (how == 1) k = 1;
        else if (how >= 2) { seed = seed * 1103515245u + 12345u; k = 1 + (seed >> 8) % 700; }
        if (i == 0 && k < 2) k = 2; /* a first piece of one byte: see test_untar_first_feed_one_byte */
        if (k > n - i) k = n - i;
        r = upd_untar_feed(&x, a + i, k);
        i += k;
    }
    if (r == UPD_OK) r = upd_untar_finish(&x);
    if (err && errcap) { /* cut to fit */
        size_t k = strlen(x.error);
        if (k >= errcap) k = errcap - 1;
        memcpy(err, x.error, k);
        err[k] = 0;
    }
    upd_untar_close(&x);
    if (snap) ttar_snapshot(dir, snap);
    ttar_rmtree(dir);
    return r;
}

/* A gzip member holding data in stored blocks (RFC 1952 + 1951 3.2.4). */
static void ttar_gzip_stored(const uint8_t *data, size_t n, ttar_buf *out)
{
    static const uint8_t hdr[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    uint32_t crc = upd_crc32(0, data, n);
    size_t i = 0;
    uint8_t t[8];
    ttar_put(out, hdr, sizeof hdr);
    do {
        size_t k = n - i > 1000 ? 1000 : n - i; /* small blocks: many block boundaries */
        uint8_t b[5];
        b[0] = i + k == n ? 1 : 0;
        b[1] = (uint8_t)(k & 0xff); b[2] = (uint8_t)(k >> 8);
        b[3] = (uint8_t)(~k & 0xff); b[4] = (uint8_t)((~k >> 8) & 0xff);
        ttar_put(out, b, 5);
        ttar_put(out, data + i, k);
        i += k;
    } while (i < n);
    for (i = 0; i < 4; i++) { t[i] = (uint8_t)(crc >> (8 * i)); t[4 + i] = (uint8_t)((uint32_t)n >> (8 * i)); }
    ttar_put(out, t, 8);
}

static void ttar_sample(ttar_buf *a)
{
    uint8_t h[512];
    static char big[3000];
    memset(big, 'B', sizeof big);
    ttar_entry(a, TTAR_USTAR, "d/", '5', 0750, NULL, 0, NULL);
    ttar_entry(a, TTAR_USTAR, "d/sub/", '5', 0555, NULL, 0, NULL);
    ttar_entry(a, TTAR_USTAR, "d/sub/ro-inside", '0', 0444, "in a read-only dir", 18, NULL);
    ttar_entry(a, TTAR_USTAR, "d/file", '0', 0640, "content", 7, NULL);
    ttar_entry(a, TTAR_USTAR, "d/big", '0', 0600, big, sizeof big, NULL);
    ttar_entry(a, TTAR_USTAR, "d/link", '2', 0777, NULL, 0, "file");
    ttar_entry(a, TTAR_USTAR, "d/up", '2', 0777, NULL, 0, "../top");
    ttar_entry(a, TTAR_USTAR, "d/hard", '1', 0640, NULL, 0, "d/file");
    ttar_entry(a, TTAR_USTAR, "./top", '0', 0755, "#!/bin/sh\n", 10, NULL);
    ttar_entry(a, TTAR_USTAR, "implicit/parent/f", '0', 0644, "i", 1, NULL);
    ttar_header(h, TTAR_USTAR, "suid", '0', 04755, 1, 0, NULL);
    ttar_raw(a, h, "s", 1);
    ttar_end(a);
}

static void ttar_sample_tree(ttar_buf *want)
{
    char bs[64];
    memset(bs, 'B', 63);
    bs[63] = 0;
    want->n = 0;
    ttar_printf(want, "d d 0750\nd/big f 0600 n1 t1600000000 [%s]\n", bs);
    ttar_printf(want, "d/file f 0640 n2 t1600000000 [content]\nd/hard f 0640 n2 t1600000000 [content]\n"
                      "d/link l -> file\nd/sub d 0555\nd/sub/ro-inside f 0444 n1 t1600000000 [in a read-only dir]\n"
                      "d/up l -> ../top\nimplicit d 0755\nimplicit/parent d 0755\n"
                      "implicit/parent/f f 0644 n1 t1600000000 [i]\nsuid f 0755 n1 t0 [s]\n"
                      "top f 0755 n1 t1600000000 [#!/bin/sh\n]\n");
}

/* The same tree however the archive is cut, plain or gzipped. */
static void test_untar_splits_and_gzip(void)
{
    ttar_buf a = {0}, gz = {0}, snap = {0}, want = {0};
    char err[300];
    unsigned hows[] = {0, 1, 3, 77};
    size_t i;
    mode_t old = umask(022);
    ttar_sample(&a);
    ttar_sample_tree(&want);
    ttar_gzip_stored(a.p, a.n, &gz);
    for (i = 0; i < sizeof hows / sizeof hows[0]; i++) {
        CHECK_EQ_INT(ttar_extract(a.p, a.n, 0, hows[i], &snap, err, sizeof err), UPD_OK);
        CHECK_STR((char *)snap.p, (char *)want.p);
        CHECK_EQ_INT(ttar_extract(gz.p, gz.n, 0, hows[i], &snap, err, sizeof err), UPD_OK);
        CHECK_STR((char *)snap.p, (char *)want.p);
    }
    /* the special bits only on request */
    CHECK_EQ_INT(ttar_extract(a.p, a.n, UPD_UNTAR_KEEP_SPECIAL, 0, &snap, err, sizeof err), UPD_OK);
    CHECK(strstr((char *)snap.p, "suid f 4755 ") != NULL);
    /* a truncated gzip stream, and gzip data after the end */
    CHECK_EQ_INT(ttar_extract(gz.p, gz.n - 3, 0, 0, &snap, err, sizeof err), UPD_E_TRUNCATED);
    CHECK(strstr((char *)snap.p, ".upd-tmp") == NULL);
    ttar_put(&gz, "x", 1);
    CHECK(ttar_extract(gz.p, gz.n, 0, 0, NULL, err, sizeof err) < 0);
    /* upd_untar_file */
    {
        char path[] = "/tmp/upd-t-tar-file-XXXXXX", dir[] = "/tmp/upd-t-tar-dir-XXXXXX";
        int fd = mkstemp(path);
        CHECK(fd >= 0 && mkdtemp(dir) != NULL);
        if (fd >= 0) {
            CHECK(write(fd, a.p, a.n) == (ssize_t)a.n);
            close(fd);
            CHECK_EQ_INT(upd_untar_file(path, dir, 0, err, sizeof err), UPD_OK);
            ttar_snapshot(dir, &snap);
            CHECK_STR((char *)snap.p, (char *)want.p);
            err[0] = 0;
            CHECK_EQ_INT(upd_untar_file("/nonexistent/archive.tar", dir, 0, err, sizeof err), UPD_E_IO);
            CHECK(strstr(err, "/nonexistent/archive.tar") != NULL);
            unlink(path);
        }
        ttar_rmtree(dir);
    }
    umask(old);
    ttar_free(&want);
    ttar_free(&snap);
    ttar_free(&gz);
    ttar_free(&a);
}

/* A first feed of a single byte (a pipe may well deliver that) must work
   like any other split. Run in a child process, so that a crash is one
   failed check and not the end of the test run; the child allocates
   nothing itself (the archive is on its stack). */
static void test_untar_first_feed_one_byte(void)
{
    static const int gz[] = {0, 1};
    size_t g;
    for (g = 0; g < 2; g++) {
        char dir[] = "/tmp/upd-t-tar-XXXXXX", path[64];
        pid_t pid;
        int status = 0;
        struct stat st;
        if (!mkdtemp(dir)) { printf("t_tar: mkdtemp failed\n"); exit(2); }
        fflush(stdout);
        pid = fork();
        if (pid == 0) {
            static upd_untar x;
            uint8_t a[2048 + 64];
            size_t n = 0, i;
            memset(a, 0, sizeof a);
            ttar_header(a, TTAR_USTAR, "f", '0', 0644, 2, 0, NULL);
            memcpy(a + 512, "ok", 2);
            n = 2048;
            if (gz[g]) { /* the same in one stored deflate block */
                uint8_t t[2048 + 64];
                uint32_t crc = upd_crc32(0, a, n);
                static const uint8_t hdr[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
                memcpy(t, hdr, 10);
                t[10] = 1; t[11] = (uint8_t)(n & 0xff); t[12] = (uint8_t)(n >> 8);
                t[13] = (uint8_t)(~n & 0xff); t[14] = (uint8_t)((~n >> 8) & 0xff);
                memcpy(t + 15, a, n);
                for (i = 0; i < 4; i++) { t[15 + n + i] = (uint8_t)(crc >> (8 * i)); t[19 + n + i] = (uint8_t)(n >> (8 * i)); }
                n += 23;
                memcpy(a, t, n);
            }
            if (upd_untar_open(&x, dir, 0) != UPD_OK) _exit(3);
            if (upd_untar_feed(&x, a, 1) != UPD_OK) _exit(4);
            if (upd_untar_feed(&x, a + 1, n - 1) != UPD_OK) _exit(5);
            if (upd_untar_finish(&x) != UPD_OK) _exit(6);
            upd_untar_close(&x);
            _exit(0);
        }
        if (pid < 0 || waitpid(pid, &status, 0) != pid) { printf("t_tar: fork failed\n"); exit(2); }
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) t_passed++;
        else {
            t_failed++;
            printf("FAIL %s: %s archive, first upd_untar_feed() of one byte: %s %d\n", t_current,
                   gz[g] ? ".tar.gz" : ".tar", WIFSIGNALED(status) ? "killed by signal" : "exit status",
                   WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
        }
        snprintf(path, sizeof path, "%s/f", dir);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0 ? stat(path, &st) == 0 && st.st_size == 2 : 1);
        ttar_rmtree(dir);
    }
}

static int ttar_listed;
static void ttar_list_cb(void *user, const upd_tar_entry *e)
{
    ttar_printf((ttar_buf *)user, "%c %04o %s\n", e->type, (unsigned)e->mode, e->path);
    ttar_listed++;
}

/* UPD_UNTAR_LIST checks and reports every entry and writes nothing. */
static void test_untar_list(void)
{
    ttar_buf a = {0}, out = {0};
    upd_untar *x = (upd_untar *)calloc(1, sizeof *x);
    size_t i;
    if (!x) return;
    ttar_sample(&a);
    CHECK_EQ_INT(upd_untar_open(x, "/nonexistent-dir-for-listing", UPD_UNTAR_LIST), UPD_OK);
    x->on_entry = ttar_list_cb;
    x->user = &out;
    for (i = 0; i < a.n; i += 100) CHECK_EQ_INT(upd_untar_feed(x, a.p + i, a.n - i < 100 ? a.n - i : 100), UPD_OK);
    CHECK_EQ_INT(upd_untar_finish(x), UPD_OK);
    upd_untar_close(x);
    CHECK_STR((char *)out.p, "5 0750 d/\n5 0555 d/sub/\n0 0444 d/sub/ro-inside\n0 0640 d/file\n0 0600 d/big\n"
                             "2 0777 d/link\n2 0777 d/up\n1 0640 d/hard\n0 0755 ./top\n0 0644 implicit/parent/f\n"
                             "0 4755 suid\n");
    ttar_free(&out);
    ttar_free(&a);
    /* a listing refuses what extraction would */
    ttar_file(&a, "ok", "1");
    ttar_file(&a, "../escape", "2");
    ttar_end(&a);
    ttar_listed = 0;
    CHECK_EQ_INT(upd_untar_open(x, "/nonexistent-dir-for-listing", UPD_UNTAR_LIST), UPD_OK);
    x->on_entry = ttar_list_cb;
    x->user = &out;
    CHECK_EQ_INT(upd_untar_feed(x, a.p, a.n), UPD_E_PATH);
    CHECK(strstr(x->error, "../escape") != NULL);
    CHECK_EQ_INT(ttar_listed, 1);
    upd_untar_close(x);
    ttar_free(&out);
    ttar_free(&a);
    free(x);
}

/* max_entries and max_bytes. */
static void test_untar_limits(void)
{
    ttar_buf a = {0};
    upd_untar *x = (upd_untar *)calloc(1, sizeof *x);
    char dir[] = "/tmp/upd-t-tar-XXXXXX";
    if (!x || !mkdtemp(dir)) { free(x); return; }
    ttar_file(&a, "a", "12345");
    ttar_file(&a, "b", "12345");
    ttar_file(&a, "c", "12345");
    ttar_end(&a);
    CHECK_EQ_INT(upd_untar_open(x, dir, 0), UPD_OK);
    x->max_entries = 2;
    CHECK_EQ_INT(upd_untar_feed(x, a.p, a.n), UPD_E_TOOBIG);
    CHECK(strstr(x->error, "'c'") != NULL);
    CHECK_EQ_INT(x->files, 2);
    upd_untar_close(x);
    CHECK_EQ_INT(upd_untar_open(x, dir, 0), UPD_OK);
    x->max_entries = 3;
    CHECK_EQ_INT(upd_untar_feed(x, a.p, a.n), UPD_OK);
    CHECK_EQ_INT(upd_untar_finish(x), UPD_OK);
    upd_untar_close(x);
    CHECK_EQ_INT(upd_untar_open(x, dir, 0), UPD_OK);
    x->max_bytes = 14;
    CHECK_EQ_INT(upd_untar_feed(x, a.p, a.n), UPD_E_TOOBIG);
    CHECK(strstr(x->error, "'c'") != NULL);
    upd_untar_close(x);
    CHECK_EQ_INT(upd_untar_open(x, dir, 0), UPD_OK);
    x->max_bytes = 15;
    CHECK_EQ_INT(upd_untar_feed(x, a.p, a.n), UPD_OK);
    CHECK_EQ_INT(upd_untar_finish(x), UPD_OK);
    CHECK_EQ_INT(x->bytes, 15);
    CHECK_EQ_INT(x->files, 3);
    upd_untar_close(x);
    CHECK_EQ_INT(upd_untar_open(x, "/nonexistent-dir", 0), UPD_E_IO);
    CHECK(strstr(x->error, "/nonexistent-dir") != NULL);
    upd_untar_close(x);
    ttar_rmtree(dir);
    ttar_free(&a);
    free(x);
}

/* Later entries replace earlier ones of the same name, as in tar: for a
   directory that means its mode and mtime are the later entry's. */
static void test_untar_repeated_entries(void)
{
    ttar_buf a = {0}, snap = {0};
    uint8_t h[512];
    char err[300];
    ttar_header(h, TTAR_USTAR, "d/", '5', 0700, 0, 100, NULL);
    ttar_raw(&a, h, NULL, 0);
    ttar_file(&a, "d/f", "old");
    ttar_file(&a, "d/f", "new");
    ttar_entry(&a, TTAR_USTAR, "d/s", '2', 0777, NULL, 0, "f");
    ttar_entry(&a, TTAR_USTAR, "d/s", '0', 0644, "file over symlink", 17, NULL);
    ttar_entry(&a, TTAR_USTAR, "d/t", '0', 0644, "t", 1, NULL);
    ttar_entry(&a, TTAR_USTAR, "d/t", '2', 0777, NULL, 0, "f");
    ttar_header(h, TTAR_USTAR, "d/", '5', 0755, 0, 200, NULL);
    ttar_raw(&a, h, NULL, 0);
    ttar_end(&a);
    CHECK_EQ_INT(ttar_extract(a.p, a.n, 0, 0, &snap, err, sizeof err), UPD_OK);
    CHECK_STR((char *)snap.p, "d d 0755\n"
                              "d/f f 0644 n1 t1600000000 [new]\n"
                              "d/s f 0644 n1 t1600000000 [file over symlink]\n"
                              "d/t l -> f\n");
    ttar_free(&snap);
    ttar_free(&a);
}

/* Old (v7) archives mark directories by a trailing '/' on a regular-file
   entry; GNU tar, bsdtar and Python's tarfile extract them as directories. */
static void test_untar_v7_directories(void)
{
    ttar_buf a = {0}, snap = {0};
    char err[300] = "";
    ttar_entry(&a, TTAR_V7, "dir/", 0, 0755, NULL, 0, NULL);
    ttar_entry(&a, TTAR_V7, "dir/f", 0, 0644, "v7", 2, NULL);
    ttar_end(&a);
    CHECK_EQ_INT(ttar_extract(a.p, a.n, 0, 0, &snap, err, sizeof err), UPD_OK);
    CHECK_STR((char *)snap.p, "dir d 0755\ndir/f f 0644 n1 t1600000000 [v7]\n");
    if (err[0]) printf("  (x.error: %s)\n", err);
    ttar_free(&snap);
    ttar_free(&a);
}

/* x.error names the entry and the reason. */
static void test_untar_error_texts(void)
{
    static const struct { const char *name; int type; const char *link; const char *want; } v[] = {
        {"/abs", '0', NULL, "'/abs': absolute path"},
        {"a/../../x", '0', NULL, "'a/../../x': '..' in path"},
        {"a\\b", '0', NULL, "'a\\b': backslash in path"},
        {"s", '2', "/etc", "'s' -> '/etc': symlink to an absolute path"},
        {"d/s", '2', "../..", "'d/s' -> '../..': symlink target outside the destination"},
        {"x/y/L", '2', "s/..", "'x/y/L' -> 's/..': symlink target with '..' after a name"},
        {"h", '1', "../secret", "'h' link to '../secret': '..' in path"},
        {"h", '1', "missing", "'h' link to 'missing': not a regular file in the destination"},
        {"fifo", '6', NULL, "'fifo': FIFO"},
        {"dev", '3', NULL, "'dev': device node"},
    };
    size_t i;
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        ttar_buf a = {0};
        char err[300] = "";
        ttar_entry(&a, TTAR_USTAR, v[i].name, v[i].type, 0644, NULL, 0, v[i].link);
        ttar_end(&a);
        CHECK(ttar_extract(a.p, a.n, 0, 0, NULL, err, sizeof err) < 0);
        if (strstr(err, v[i].want)) t_passed++;
        else { t_failed++; printf("FAIL %s: x.error \"%s\" lacks \"%s\"\n", t_current, err, v[i].want); }
        ttar_free(&a);
    }
    { /* a malformed header whose name is readable is named; so is a
         GNU.sparse pax header's entry, never the entry before it */
        ttar_buf a = {0};
        uint8_t h[512];
        char err[300] = "";
        ttar_file(&a, "first", "1");
        ttar_header(h, TTAR_USTAR, "second", '0', 0644, 1, 0, NULL);
        memcpy(h + 124, "0000000x001\0", 12);
        ttar_sum(h);
        ttar_raw(&a, h, "2", 1);
        ttar_end(&a);
        CHECK_EQ_INT(ttar_extract(a.p, a.n, 0, 0, NULL, err, sizeof err), UPD_E_TAR);
        if (strstr(err, "second") && strstr(err, "size")) t_passed++;
        else { t_failed++; printf("FAIL %s: x.error \"%s\" does not name 'second' and its size field\n", t_current, err); }
        ttar_free(&a);
        ttar_file(&a, "first", "1");
        ttar_pax1(&a, "GNU.sparse.major", "1");
        ttar_file(&a, "second", "2");
        ttar_end(&a);
        err[0] = 0;
        CHECK_EQ_INT(ttar_extract(a.p, a.n, 0, 0, NULL, err, sizeof err), UPD_E_TAR_TYPE);
        if (!strstr(err, "first")) t_passed++;
        else { t_failed++; printf("FAIL %s: x.error \"%s\" blames the entry before the sparse one\n", t_current, err); }
        ttar_free(&a);
    }
}

#define TEST_LIST_TAR T(test_tar_basic_types) T(test_tar_data_sizes) T(test_tar_octal_forms) \
    T(test_tar_bad_numbers) T(test_tar_base256) T(test_tar_checksum) T(test_tar_names) \
    T(test_tar_pax_next_entry_only) T(test_tar_pax_size) T(test_tar_pax_and_gnu_long) \
    T(test_tar_gnu_long_limits) T(test_tar_pax_malformed) T(test_tar_unsupported_types) \
    T(test_tar_links_with_data) T(test_tar_end_of_archive) T(test_tar_errors_sticky) \
    T(test_untar_splits_and_gzip) T(test_untar_list) T(test_untar_limits) \
    T(test_untar_repeated_entries) T(test_untar_v7_directories) T(test_untar_error_texts) \
    T(test_untar_first_feed_one_byte)
