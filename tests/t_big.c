/* tests/t_big.c - sizes, offsets and numbers past 32 bits, for 32-bit
   builds (armhf, i386) above all: tar sizes over 4 GiB in octal, base-256
   and pax headers, manifest size= and @serial past 2^32, HTTP
   Content-Length, chunk sizes and Content-Range past 4 GiB, a file://
   resume past 4 GiB in a sparse file (a 64-bit off_t), mtimes and @expires
   past 2038, and (with UPD_T_BIG=1 in the environment: it decodes 4 GiB)
   a gzip member whose ISIZE wrapped. Nothing here needs the network: the
   Content-Range check talks to a child process on 127.0.0.1.
   #included by test_main.c (unity build) or by the portability driver. */

#include <stdlib.h>
#include <sys/types.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#ifndef UPDATER_NO_HTTP
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#endif

#define TBIG_4G  4294967296ull            /* 2^32 */
#define TBIG_5G  5368709120ull            /* 5 GiB */

/* ---- tar ---------------------------------------------------------------- */

typedef struct tbig_tar {
    int entries, ends;
    uint64_t size, data;
    int64_t mtime;
} tbig_tar;

static upd_result tbig_on_entry(void *user, const upd_tar_entry *e)
{
    tbig_tar *s = (tbig_tar *)user;
    s->entries++;
    s->size = e->size;
    s->mtime = e->mtime;
    return UPD_OK;
}

static upd_result tbig_on_data(void *user, const uint8_t *data, size_t len)
{
    (void)data;
    ((tbig_tar *)user)->data += len;
    return UPD_OK;
}

static upd_result tbig_on_end(void *user, const upd_tar_entry *e)
{
    (void)e;
    ((tbig_tar *)user)->ends++;
    return UPD_OK;
}

/* A ustar header for a regular file; size_field is the raw 12-byte field
   (octal text or base-256), or NULL for size 0. */
static void tbig_header(uint8_t h[512], const char *name, char type, const uint8_t *size_field, uint64_t mtime)
{
    unsigned sum = 0;
    int i;
    memset(h, 0, 512);
    memcpy(h, name, strlen(name));
    memcpy(h + 100, "0000644", 8);
    memcpy(h + 108, "0000000", 8);
    memcpy(h + 116, "0000000", 8);
    if (size_field) memcpy(h + 124, size_field, 12);
    else memcpy(h + 124, "00000000000", 12);
    snprintf((char *)h + 136, 12, "%011llo", (unsigned long long)mtime);
    h[156] = (uint8_t)type;
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    memset(h + 148, ' ', 8);
    for (i = 0; i < 512; i++) sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
}

/* Feeds the header and one block of data: the entry must be reported with
   the full size, and must not end after that one block (a size cut to 32
   bits would end it there when the low bits are 512). */
static void tbig_tar_size(const char *what, const uint8_t *pre, size_t pre_len, const uint8_t field[12],
                          uint64_t want)
{
    upd_tar t;
    tbig_tar s;
    uint8_t h[512], data[512];
    upd_result r;
    memset(&s, 0, sizeof s);
    memset(data, 'x', sizeof data);
    upd_tar_init(&t, 0);
    t.on_entry = tbig_on_entry; t.on_data = tbig_on_data; t.on_end = tbig_on_end; t.user = &s;
    tbig_header(h, "big.bin", '0', field, 0);
    r = pre_len ? upd_tar_feed(&t, pre, pre_len) : UPD_OK;
    if (r == UPD_OK) r = upd_tar_feed(&t, h, sizeof h);
    if (r == UPD_OK) r = upd_tar_feed(&t, data, sizeof data);
    if (r != UPD_OK) printf("FAIL %s: %s: %s (%s)\n", t_current, what, upd_strerror(r), t.why ? t.why : "");
    CHECK_EQ_INT(r, UPD_OK);
    CHECK_EQ_INT(s.entries, 1);
    CHECK(s.size == want);
    CHECK(t.entry.size == want);
    CHECK_EQ_INT(s.data, 512);
    CHECK_EQ_INT(s.ends, 0);
    CHECK_EQ_INT(upd_tar_finish(&t), UPD_E_TRUNCATED); /* the data is missing */
}

static void test_big_tar_octal(void)
{
    uint8_t f[12];
    /* 11 digits and a NUL: 5 GiB + 512 and 4 GiB + 512 */
    snprintf((char *)f, sizeof f, "%011llo", TBIG_5G + 512);
    tbig_tar_size("octal 5 GiB", NULL, 0, f, TBIG_5G + 512);
    snprintf((char *)f, sizeof f, "%011llo", TBIG_4G + 512);
    tbig_tar_size("octal 4 GiB", NULL, 0, f, TBIG_4G + 512);
    /* the largest 11-digit value (8 GiB - 1) and 12 digits without a
       terminator (64 GiB - 1), as GNU tar writes them */
    memcpy(f, "77777777777 ", 12);
    tbig_tar_size("octal 8 GiB - 1", NULL, 0, f, 8589934591ull);
    memcpy(f, "777777777777", 12);
    tbig_tar_size("octal 12 digits", NULL, 0, f, 68719476735ull);
}

static void test_big_tar_base256(void)
{
    uint8_t f[12];
    uint64_t v;
    int i;
    static const uint64_t sizes[] = { 10737418240ull /* 10 GiB */, TBIG_4G + 512, 1099511628288ull /* 1 TiB + 512 */ };
    size_t k;
    for (k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        memset(f, 0, sizeof f);
        f[0] = 0x80;
        for (v = sizes[k], i = 11; i > 0; i--, v >>= 8) f[i] = (uint8_t)(v & 0xff);
        tbig_tar_size("base-256", NULL, 0, f, sizes[k]);
    }
}

static void test_big_tar_pax(void)
{
    uint8_t pre[1024];
    char rec[64];
    int n = snprintf(rec, sizeof rec, "%d size=%llu\n", 0, TBIG_5G + 512);
    /* the record length counts itself: "NN size=...\n" */
    n = snprintf(rec, sizeof rec, "%d size=%llu\n", n + 1, TBIG_5G + 512);
    CHECK(n > 0 && (size_t)n == strlen(rec) && rec[0] - '0' == n / 10 && rec[1] - '0' == n % 10);
    {
        uint8_t f[12];
        snprintf((char *)f, sizeof f, "%011o", (unsigned)n);
        tbig_header(pre, "PaxHeaders/big.bin", 'x', f, 0);
    }
    memset(pre + 512, 0, 512);
    memcpy(pre + 512, rec, (size_t)n);
    /* the ustar size field says 0: the pax record wins */
    tbig_tar_size("pax size", pre, sizeof pre, NULL, TBIG_5G + 512);
}

/* ---- manifest and versions ------------------------------------------------- */

static void test_big_manifest(void)
{
    static const char text[] =
        "@serial 4294967297\n"
        "@expires 2100-01-01T00:00:00Z\n"
        "hello 4294967297.0.0 url=a size=5368709121 sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
        "hello 2.0.0 url=b size=9223372036854775807 sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n";
    static const char too_big[] =
        "@serial 1\n"
        "hello 2.0.0 url=b size=9223372036854775808 sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n";
    upd_manifest m;
    upd_query q;
    upd_choice c;
    int cmp = 0;
    memset(&m, 0, sizeof m);
    CHECK_EQ_INT(upd_manifest_parse(&m, text, strlen(text), NULL), UPD_OK);
    if (m.count == 2) {
        CHECK(m.serial == 4294967297ull);
        CHECK(m.has_expires && m.expires == 4102444800ll);
        CHECK(m.releases[0].size == 5368709121ull);
        CHECK(m.releases[0].ver.major == 4294967297ull);
        CHECK(m.releases[1].size == 9223372036854775807ull);
        CHECK_EQ_INT(upd_manifest_check_time(&m, 4102444799ll), UPD_OK);
        CHECK_EQ_INT(upd_manifest_check_time(&m, 4102444800ll), UPD_E_EXPIRED);
        memset(&q, 0, sizeof q);
        q.app = "hello";
        q.current = "4294967296.99.99";
        CHECK_EQ_INT(upd_manifest_select(&m, &q, &c), UPD_OK);
        CHECK(c.full == &m.releases[0]);
    } else CHECK_EQ_INT(m.count, 2);
    upd_manifest_free(&m);
    CHECK_EQ_INT(upd_manifest_parse(&m, too_big, strlen(too_big), NULL), UPD_E_MANIFEST);
    upd_manifest_free(&m);
    /* versions: 64-bit numbers, and pre-release numbers of any length */
    CHECK_EQ_INT(upd_vercmp("4294967297.0.0", "4294967296.4294967296.4294967296", &cmp), UPD_OK);
    CHECK_EQ_INT(cmp, 1);
    CHECK_EQ_INT(upd_vercmp("1.0.0-4294967297", "1.0.0-4294967296", &cmp), UPD_OK);
    CHECK_EQ_INT(cmp, 1);
    CHECK_EQ_INT(upd_vercmp("1.0.0-18446744073709551617", "1.0.0-18446744073709551616", &cmp), UPD_OK);
    CHECK_EQ_INT(cmp, 1);
    CHECK_EQ_INT(upd_vercmp("18446744073709551615.0.0", "1.0.0", &cmp), UPD_OK);
    CHECK_EQ_INT(cmp, 1);
    CHECK_EQ_INT(upd_vercmp("18446744073709551616.0.0", "1.0.0", &cmp), UPD_E_VERSION);
}

#ifndef UPDATER_NO_HTTP
/* ---- HTTP ------------------------------------------------------------------ */

typedef struct tbig_body {
    size_t n;
    char buf[64];
} tbig_body;

static upd_result tbig_body_cb(void *user, const uint8_t *data, size_t len)
{
    tbig_body *b = (tbig_body *)user;
    size_t k = len < sizeof b->buf - 1 - b->n ? len : sizeof b->buf - 1 - b->n;
    memcpy(b->buf + b->n, data, k);
    b->n += k;
    b->buf[b->n] = 0;
    return UPD_OK;
}

static void test_big_http_parser(void)
{
    static const char cl[] = "HTTP/1.1 200 OK\r\nContent-Length: 4294967301\r\n\r\nhello";
    static const char ch[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n100000005\r\nhello";
    static const char over[] = "HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551616\r\n\r\n";
    upd_http_parser *p = (upd_http_parser *)malloc(sizeof *p);
    tbig_body b;
    size_t used = 0;
    if (!p) { CHECK(p != NULL); return; }
    /* Content-Length past 4 GiB: 5 bytes of it are not the end */
    memset(&b, 0, sizeof b);
    upd_http_parser_init(p);
    p->on_body = tbig_body_cb; p->user = &b;
    CHECK_EQ_INT(upd_http_parser_feed(p, (const uint8_t *)cl, strlen(cl), &used), UPD_NEED_INPUT);
    CHECK(p->length == 4294967301ull);
    CHECK_STR(b.buf, "hello");
    CHECK_EQ_INT(upd_http_parser_eof(p), UPD_E_TRUNCATED);
    /* a chunk of 4 GiB + 5 */
    memset(&b, 0, sizeof b);
    upd_http_parser_init(p);
    p->on_body = tbig_body_cb; p->user = &b;
    CHECK_EQ_INT(upd_http_parser_feed(p, (const uint8_t *)ch, strlen(ch), &used), UPD_NEED_INPUT);
    CHECK_STR(b.buf, "hello");
    CHECK_EQ_INT(upd_http_parser_eof(p), UPD_E_TRUNCATED);
    /* 2^64 is an error, never a wrap */
    upd_http_parser_init(p);
    CHECK_EQ_INT(upd_http_parser_feed(p, (const uint8_t *)over, strlen(over), &used), UPD_E_HTTP);
    free(p);
}

/* A 206 whose Content-Range lies past 4 GiB, from a child on 127.0.0.1. */
static void test_big_http_range(void)
{
    static const char resp[] =
        "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 4294967296-4294967300/4294967301\r\n"
        "Content-Length: 5\r\nConnection: close\r\n\r\nhello";
    static const char refuse[] = "HTTP/1.1 500 Wrong Range\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    pid_t pid;
    char url[64];
    upd_http_opts o;
    upd_http_result *res;
    tbig_body b;
    int st = 0;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 1) != 0 ||
        getsockname(ls, (struct sockaddr *)&a, &alen) != 0) {
        SKIP("Content-Range past 4 GiB", "no socket on 127.0.0.1");
        if (ls >= 0) close(ls);
        return;
    }
    fflush(stdout);
    pid = fork();
    if (pid == 0) { /* one request: 206 if it asked for the right range */
        char req[4096];
        size_t n = 0;
        int c;
        alarm(30);
        c = accept(ls, NULL, NULL);
        if (c < 0) _exit(1);
        while (n < sizeof req - 1) {
            ssize_t k = read(c, req + n, sizeof req - 1 - n);
            if (k <= 0) break;
            n += (size_t)k;
            req[n] = 0;
            if (strstr(req, "\r\n\r\n")) break;
        }
        req[n] = 0;
        if (strstr(req, "\r\nRange: bytes=4294967296-\r\n")) { if (write(c, resp, sizeof resp - 1) < 0) _exit(1); }
        else if (write(c, refuse, sizeof refuse - 1) < 0) _exit(1);
        close(c);
        _exit(0);
    }
    close(ls);
    if (pid < 0) { SKIP("Content-Range past 4 GiB", "fork failed"); return; }
    res = (upd_http_result *)malloc(sizeof *res);
    if (!res) { CHECK(res != NULL); kill(pid, SIGKILL); waitpid(pid, &st, 0); return; }
    snprintf(url, sizeof url, "http://127.0.0.1:%u/big", (unsigned)ntohs(a.sin_port));
    memset(&o, 0, sizeof o);
    memset(&b, 0, sizeof b);
    o.proxy = "";
    o.range_from = TBIG_4G;
    o.on_body = tbig_body_cb;
    o.user = &b;
    o.connect_timeout_ms = o.io_timeout_ms = 20000;
    CHECK_EQ_INT(upd_http_get(url, &o, res), UPD_OK);
    if (res->error[0] && res->status != 206) printf("  (%s)\n", res->error);
    CHECK_EQ_INT(res->status, 206);
    CHECK_EQ_INT(res->resumed, 1);
    CHECK(res->length == 5);
    CHECK(res->total == 4294967301ull);
    CHECK(res->received == 5);
    CHECK_STR(b.buf, "hello");
    waitpid(pid, &st, 0);
    free(res);
}

/* file:// resumed past 4 GiB in a sparse file: needs a 64-bit off_t in
   the implementation (fstat, lseek). */
static void test_big_file_range(void)
{
    char path[512], url[600];
    const char *dir = getenv("TMPDIR");
    upd_http_opts o;
    upd_http_result *res;
    tbig_body b;
    int fd;
    CHECK_EQ_INT(sizeof(off_t), 8);
    if (sizeof(off_t) < 8) return;
    snprintf(path, sizeof path, "%s/upd_t_big_XXXXXX", dir && *dir ? dir : "/tmp");
    fd = mkstemp(path);
    if (fd < 0) { SKIP("file:// past 4 GiB", "mkstemp failed"); return; }
    if (ftruncate(fd, (off_t)(TBIG_4G + 8)) != 0 || pwrite(fd, "BIGFILE!", 8, (off_t)(TBIG_4G + 8)) != 8) {
        SKIP("file:// past 4 GiB", "no sparse file of 4 GiB here (set TMPDIR)");
        close(fd);
        unlink(path);
        return;
    }
    close(fd);
    res = (upd_http_result *)malloc(sizeof *res);
    if (!res) { CHECK(res != NULL); unlink(path); return; }
    snprintf(url, sizeof url, "file://%s", path);
    memset(&o, 0, sizeof o);
    memset(&b, 0, sizeof b);
    o.range_from = TBIG_4G + 8;
    o.on_body = tbig_body_cb;
    o.user = &b;
    CHECK_EQ_INT(upd_http_get(url, &o, res), UPD_OK);
    CHECK_EQ_INT(res->resumed, 1);
    CHECK(res->length == 8);
    CHECK(res->total == TBIG_4G + 16);
    CHECK_STR(b.buf, "BIGFILE!");
    free(res);
    unlink(path);
}
#endif /* UPDATER_NO_HTTP */

/* ---- mtimes past 2038 --------------------------------------------------------- */

static void test_big_untar_mtime(void)
{
    char dir[512], arc[600], file[600];
    const char *tmp = getenv("TMPDIR");
    uint8_t buf[4 * 512], f[12];
    struct stat st;
    char err[256];
    int fd;
    int64_t mt;
    tbig_tar s;
    upd_tar t;
    /* the reader: mtime 2100-01-01 in octal */
    memset(&s, 0, sizeof s);
    memset(buf, 0, sizeof buf);
    snprintf((char *)f, sizeof f, "%011o", 1u);
    tbig_header(buf, "f", '0', f, 4102444800ull);
    buf[512] = 'x';
    upd_tar_init(&t, 0);
    t.on_entry = tbig_on_entry; t.on_data = tbig_on_data; t.on_end = tbig_on_end; t.user = &s;
    CHECK_EQ_INT(upd_tar_feed(&t, buf, sizeof buf), UPD_OK);
    CHECK_EQ_INT(upd_tar_finish(&t), UPD_OK);
    CHECK(s.mtime == 4102444800ll);
    /* the extractor sets it: needs a 64-bit time_t */
    if (sizeof(time_t) < 8) {
        SKIP("mtime past 2038 on disk", "time_t is 32 bits here: build with -D_TIME_BITS=64 (glibc 2.34+)");
        return;
    }
    snprintf(dir, sizeof dir, "%s/upd_t_big_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) { SKIP("mtime past 2038 on disk", "mkdtemp failed"); return; }
    snprintf(arc, sizeof arc, "%s/a.tar", dir);
    fd = open(arc, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0 && write(fd, buf, sizeof buf) == (ssize_t)sizeof buf);
    if (fd >= 0) close(fd);
    snprintf(file, sizeof file, "%s/x", dir);
    CHECK_EQ_INT(mkdir(file, 0700), 0);
    CHECK_EQ_INT(upd_untar_file(arc, file, 0, err, sizeof err), UPD_OK);
    snprintf(file, sizeof file, "%s/x/f", dir);
    memset(&st, 0, sizeof st);
    CHECK_EQ_INT(stat(file, &st), 0);
    mt = (int64_t)st.st_mtime; /* a variable: no always-false warning where time_t is 32 bits */
    CHECK(mt == 4102444800ll);
    unlink(file);
    snprintf(file, sizeof file, "%s/x", dir);
    rmdir(file);
    unlink(arc);
    rmdir(dir);
}

/* ---- gzip: ISIZE is the size mod 2^32 ----------------------------------------- */

/* CRC-32 of n zero bytes without reading them: the register update for one
   zero byte is linear over GF(2), so n of them is that 32x32 matrix to the
   n-th power, by squaring. */
static uint32_t tbig_gf2_times(const uint32_t m[32], uint32_t v)
{
    uint32_t r = 0;
    int i;
    for (i = 0; i < 32; i++, v >>= 1)
        if (v & 1u) r ^= m[i];
    return r;
}

static uint32_t tbig_crc32_zeros(uint64_t n)
{
    uint32_t m[32], sq[32], reg = 0xffffffffu;
    int i, k;
    for (i = 0; i < 32; i++) { /* column i: one zero byte applied to bit i */
        uint32_t c = 1u << i;
        for (k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
        m[i] = c;
    }
    while (n) {
        if (n & 1u) reg = tbig_gf2_times(m, reg);
        for (i = 0; i < 32; i++) sq[i] = tbig_gf2_times(m, m[i]);
        memcpy(m, sq, sizeof m);
        n >>= 1;
    }
    return ~reg;
}

typedef struct tbig_bits {
    uint8_t *buf;
    size_t n, cap;
    uint64_t acc;
    unsigned nacc;
} tbig_bits;

static void tbig_put_bits(tbig_bits *w, uint32_t v, unsigned len)
{
    w->acc |= (uint64_t)v << w->nacc;
    w->nacc += len;
    while (w->nacc >= 8) { w->buf[w->n++] = (uint8_t)w->acc; w->acc >>= 8; w->nacc -= 8; }
}

/* a fixed-Huffman code of len bits goes most significant bit first */
static void tbig_put_code(tbig_bits *w, unsigned code, unsigned len)
{
    uint32_t rev = 0;
    unsigned i;
    for (i = 0; i < len; i++) rev |= ((code >> i) & 1u) << (len - 1 - i);
    tbig_put_bits(w, rev, len);
}

/* Runs the decoder over what the writer holds (output: zeros, dropped);
   UPD_NEED_INPUT when it wants more, else its final result. */
static upd_result tbig_gz_feed(upd_gunzip *z, tbig_bits *w, uint8_t *out, size_t outcap, int final)
{
    size_t off = 0;
    for (;;) {
        size_t in_len = w->n - off, out_len = outcap;
        upd_result r = upd_gunzip_run(z, w->buf + off, &in_len, out, &out_len, final);
        off += in_len;
        if (out_len && (out[0] || out[out_len - 1])) return UPD_E_ARG; /* not zeros */
        if (r == UPD_NEED_OUTPUT || (r == UPD_NEED_INPUT && off < w->n)) continue;
        if (r != UPD_NEED_INPUT) return r;
        break;
    }
    memmove(w->buf, w->buf + off, w->n - off);
    w->n -= off;
    return UPD_NEED_INPUT;
}

static void test_big_gzip_isize(void)
{
    /* 2^32 + 5 zero bytes: a literal, matches of 258 at distance 1, the
       rest as literals; ISIZE = 5 */
    const uint64_t total = TBIG_4G + 5;
    const uint64_t matches = (total - 1) / 258, rest = (total - 1) % 258;
    static uint8_t out[1 << 16];
    upd_gunzip *z;
    tbig_bits w;
    uint64_t i;
    uint32_t crc;
    upd_result r = UPD_NEED_INPUT;
    const char *env = getenv("UPD_T_BIG");
    CHECK(tbig_crc32_zeros(1000) == upd_crc32(0, memset(out, 0, 1000), 1000));
    CHECK(tbig_crc32_zeros(0) == 0);
    if (env && strcmp(env, "0") == 0) return; /* run elsewhere (tests/run.sh: under ASan, not valgrind) */
    if (!env || strcmp(env, "1") != 0) {
        SKIP("gzip ISIZE wrap", "decodes 4 GiB: set UPD_T_BIG=1 (make test and make portability do)");
        return;
    }
    z = (upd_gunzip *)malloc(sizeof *z);
    memset(&w, 0, sizeof w);
    w.cap = 1 << 16;                      /* flushed past cap - 16; the tail */
    w.buf = (uint8_t *)malloc(w.cap + 512); /* (< 258 literals, trailer) fits  */
    if (!z || !w.buf) { CHECK(0); free(z); free(w.buf); return; }
    upd_gunzip_init(z, TBIG_4G + 5);
    memcpy(w.buf, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
    w.n = 10;
    tbig_put_bits(&w, 1, 1);              /* BFINAL */
    tbig_put_bits(&w, 1, 2);              /* fixed Huffman */
    tbig_put_code(&w, 0x30, 8);           /* literal 0 */
    for (i = 0; i < matches && r == UPD_NEED_INPUT; i++) {
        tbig_put_code(&w, 0xc5, 8);       /* length 258 (code 285) */
        tbig_put_code(&w, 0, 5);          /* distance 1 */
        if (w.n > w.cap - 16) r = tbig_gz_feed(z, &w, out, sizeof out, 0);
    }
    for (i = 0; i < rest; i++) tbig_put_code(&w, 0x30, 8);
    tbig_put_code(&w, 0, 7);              /* end of block */
    if (w.nacc) tbig_put_bits(&w, 0, 8 - w.nacc);
    crc = tbig_crc32_zeros(total);
    tbig_put_bits(&w, crc, 32);
    tbig_put_bits(&w, (uint32_t)(total & 0xffffffffu), 32);
    if (r == UPD_NEED_INPUT) r = tbig_gz_feed(z, &w, out, sizeof out, 1);
    CHECK_EQ_INT(r, UPD_OK);
    CHECK(z->total_out == total);
    CHECK_EQ_INT(z->members, 1);
    free(w.buf);
    free(z);
}

#define TEST_LIST_BIG T(test_big_tar_octal) T(test_big_tar_base256) T(test_big_tar_pax) T(test_big_manifest) \
    TEST_LIST_BIG_HTTP T(test_big_untar_mtime) T(test_big_gzip_isize)
#ifndef UPDATER_NO_HTTP
#define TEST_LIST_BIG_HTTP T(test_big_http_parser) T(test_big_http_range) T(test_big_file_range)
#else
#define TEST_LIST_BIG_HTTP
#endif
