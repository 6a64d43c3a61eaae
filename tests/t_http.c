/* tests/t_http.c - the HTTP/1.1 response parser (updater.h section 10,
   upd_http_parser_*), without any network: every response is fed whole, a
   byte at a time and in random splits (zero-length pieces included), and
   each way must give the same result: the same status, fields, body bytes,
   bytes consumed and error. After an error the parser must stay stopped:
   the same error again and no callback. The client's network side
   (upd_http_get, upd fetch) is tested against real servers in
   tests/http.sh. #included by test_main.c (unity build). */

#include <stdlib.h>
#include <time.h>

#define TH_BODY_CAP 65536

typedef struct th_out {
    /* set by the caller before a run */
    upd_result headers_result;     /* what on_headers returns */
    size_t body_fail_after;        /* on_body fails once this many bytes came (0: never) */
    /* results */
    upd_result rc;                 /* the last feed's result, or eof's */
    size_t used;                   /* bytes consumed in all */
    int status, minor, chunked, close;
    uint64_t length;
    long retry_after;
    char location[UPDATER_MAX_URL + 1];
    char etag[128], last_modified[64], content_range[128];
    char why[160];
    int headers_calls, status_at_headers;
    int late_calls;                /* callbacks after an error was returned */
    int bad_used;                  /* *used > len, or bytes left unread with UPD_NEED_INPUT */
    int sticky;                    /* after an error: feed and eof give it again */
    int stopped;                   /* an error was returned */
    size_t body_len;
    uint8_t body[TH_BODY_CAP];
} th_out;

enum { TH_WHOLE, TH_BYTES, TH_RANDOM };
#define TH_SEEDS 6                 /* random splittings per response */

static char th_name[200];

static upd_result th_on_headers(void *user, upd_http_parser *p)
{
    th_out *o = (th_out *)user;
    if (o->stopped) o->late_calls++;
    o->headers_calls++;
    o->status_at_headers = p->status;
    return o->headers_result;
}

static upd_result th_on_body(void *user, const uint8_t *data, size_t len)
{
    th_out *o = (th_out *)user;
    if (o->stopped) o->late_calls++;
    if (o->body_len < TH_BODY_CAP) {
        size_t k = len < TH_BODY_CAP - o->body_len ? len : TH_BODY_CAP - o->body_len;
        memcpy(o->body + o->body_len, data, k);
    }
    o->body_len += len;
    if (o->body_fail_after && o->body_len >= o->body_fail_after) return UPD_E_IO;
    return UPD_OK;
}

static unsigned th_rand(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 16) & 0x7fff;
}

/* Feeds in[0..len) in the given way, then (if the parser still wants
   input and eof is set) ends the connection. The parser is on the heap
   at its exact size, so that ASan sees any write past it. */
static void th_run(const char *in, size_t len, int mode, unsigned seed, int eof, th_out *o)
{
    upd_http_parser *p = (upd_http_parser *)malloc(sizeof *p);
    size_t off = 0;
    upd_result r = UPD_NEED_INPUT;
    upd_result hr = o->headers_result;
    size_t bfa = o->body_fail_after;
    memset(o, 0, sizeof *o);
    o->headers_result = hr;
    o->body_fail_after = bfa;
    if (!p) { o->rc = UPD_E_NOMEM; return; }
    upd_http_parser_init(p);
    p->on_headers = th_on_headers;
    p->on_body = th_on_body;
    p->user = o;
    while (off < len || (mode == TH_RANDOM && off == 0 && len == 0)) {
        size_t n = len - off, used = (size_t)-1;
        if (mode == TH_BYTES && n > 1) n = 1;
        if (mode == TH_RANDOM) {
            unsigned k = th_rand(&seed);
            size_t want = k % 8 == 0 ? 0 : k % 4 == 0 ? (size_t)(k % 2000) : (size_t)(k % 24);
            if (want < n) n = want;
        }
        r = upd_http_parser_feed(p, (const uint8_t *)in + off, n, &used);
        if (used > n) { o->bad_used = 1; break; }
        off += used;
        if (r == UPD_NEED_INPUT && used != n) o->bad_used = 1;
        if (r != UPD_NEED_INPUT) break;
        if (len == 0) break;
    }
    if (r == UPD_NEED_INPUT && eof) r = upd_http_parser_eof(p);
    o->rc = r;
    o->used = off;
    if (r < 0) {
        size_t used = (size_t)-1;
        o->stopped = 1;
        o->sticky = upd_http_parser_feed(p, (const uint8_t *)"HTTP/1.1 200 OK\r\n\r\nxyz", 22, &used) == r &&
                    used == 0 && upd_http_parser_eof(p) == r;
    }
    o->status = p->status;
    o->minor = p->minor;
    o->chunked = p->chunked;
    o->close = p->close;
    o->length = p->length;
    o->retry_after = p->retry_after;
    memcpy(o->location, p->location, sizeof o->location);
    memcpy(o->etag, p->etag, sizeof o->etag);
    memcpy(o->last_modified, p->last_modified, sizeof o->last_modified);
    memcpy(o->content_range, p->content_range, sizeof o->content_range);
    snprintf(o->why, sizeof o->why, "%s", p->why ? p->why : "(null)");
    free(p);
}

static const char *th_mode_name(int mode)
{
    return mode == TH_WHOLE ? "whole" : mode == TH_BYTES ? "byte by byte" : "random splits";
}

/* Two runs agree in everything observable (Retry-After dates may differ by
   the second that passed between the runs). */
static int th_same(const th_out *a, const th_out *b)
{
    long d = a->retry_after - b->retry_after;
    return a->rc == b->rc && a->used == b->used && a->status == b->status && a->minor == b->minor &&
           a->chunked == b->chunked && a->close == b->close && a->length == b->length &&
           (d >= -2 && d <= 2) && (a->retry_after < 0) == (b->retry_after < 0) &&
           strcmp(a->location, b->location) == 0 && strcmp(a->etag, b->etag) == 0 &&
           strcmp(a->last_modified, b->last_modified) == 0 && strcmp(a->content_range, b->content_range) == 0 &&
           strcmp(a->why, b->why) == 0 && a->headers_calls == b->headers_calls &&
           a->status_at_headers == b->status_at_headers && a->body_len == b->body_len &&
           memcmp(a->body, b->body, a->body_len < TH_BODY_CAP ? a->body_len : TH_BODY_CAP) == 0;
}

static th_out th_whole_out, th_other_out;

/* Runs a response every way; checks the result is want each way, that the
   ways agree, and the invariants. Returns the whole-feed result. */
static const th_out *th_expect_n(const char *name, const char *in, size_t len, int eof, upd_result want)
{
    const char *saved = t_current;
    th_out *w = &th_whole_out, *o = &th_other_out;
    int mode;
    unsigned s;
    snprintf(th_name, sizeof th_name, "%s [%s]", saved, name);
    t_current = th_name;
    th_run(in, len, TH_WHOLE, 0, eof, w);
    if (w->rc != want)
        printf("  %s: whole: result %d (%s), want %d\n", name, (int)w->rc, w->why, (int)want);
    CHECK_EQ_INT(w->rc, want);
    CHECK(!w->bad_used);
    CHECK_EQ_INT(w->late_calls, 0);
    CHECK(w->used <= len);
    if (w->rc < 0) {
        CHECK(w->sticky);
        CHECK(w->why[0] != '\0');
    }
    if (w->rc == UPD_OK && w->headers_calls == 1 && w->length != UINT64_MAX && !w->chunked &&
        w->status != 204 && w->status != 304)
        CHECK(w->body_len == w->length);
    for (mode = TH_BYTES; mode <= TH_RANDOM; mode++) {
        for (s = 1; s <= (mode == TH_RANDOM ? TH_SEEDS : 1u); s++) {
            th_run(in, len, mode, s * 7919u, eof, o);
            if (!th_same(w, o)) {
                printf("  %s: %s (seed %u) differs from whole: result %d/%d, used %zu/%zu, body %zu/%zu, "
                       "status %d/%d, why \"%s\"/\"%s\"\n", name, th_mode_name(mode), s * 7919u, (int)o->rc,
                       (int)w->rc, o->used, w->used, o->body_len, w->body_len, o->status, w->status, o->why, w->why);
                CHECK(th_same(w, o));
                s = TH_SEEDS; /* one report per mode */
                continue;
            }
            CHECK(!o->bad_used);
            CHECK_EQ_INT(o->late_calls, 0);
            if (o->rc < 0) CHECK(o->sticky);
        }
    }
    t_current = saved;
    return w;
}

static const th_out *th_expect(const char *name, const char *in, int eof, upd_result want)
{
    return th_expect_n(name, in, strlen(in), eof, want);
}

static int th_body_is(const th_out *o, const char *want)
{
    return o->body_len == strlen(want) && memcmp(o->body, want, o->body_len) == 0;
}

/* ---- valid responses ---- */

static void test_http_content_length(void)
{
    static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n"
                               "ETag: \"v1\"\r\n\r\nhello worldNEXT RESPONSE";
    const th_out *o = th_expect("content-length", resp, 0, UPD_OK);
    CHECK_EQ_INT(o->status, 200);
    CHECK_EQ_INT(o->minor, 1);
    CHECK_EQ_INT(o->length, 11);
    CHECK_EQ_INT(o->close, 0);
    CHECK_EQ_INT(o->chunked, 0);
    CHECK_EQ_INT(o->headers_calls, 1);
    CHECK(th_body_is(o, "hello world"));
    CHECK_EQ_INT(o->used, strlen(resp) - strlen("NEXT RESPONSE")); /* the rest is the next response's */
    CHECK_STR(o->etag, "\"v1\"");

    o = th_expect("content-length 0", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, UPD_OK);
    CHECK_EQ_INT(o->length, 0);
    CHECK_EQ_INT(o->body_len, 0);
    CHECK_EQ_INT(o->headers_calls, 1);

    o = th_expect("same length twice, OWS", "HTTP/1.1 200 OK\r\ncontent-length:  3 \t\r\nCONTENT-LENGTH:3\r\n\r\nabc", 0, UPD_OK);
    CHECK(th_body_is(o, "abc"));
    o = th_expect("bare LF line ends", "HTTP/1.1 200 OK\nContent-Length: 2\n\nhi", 0, UPD_OK);
    CHECK(th_body_is(o, "hi"));
    o = th_expect("no reason phrase", "HTTP/1.1 200\r\nContent-Length: 1\r\n\r\nx", 0, UPD_OK);
    CHECK_EQ_INT(o->status, 200);
    o = th_expect("empty reason phrase", "HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n", 0, UPD_OK);
    CHECK_EQ_INT(o->status, 404);
    o = th_expect("Connection: close", "HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 1\r\n\r\nx", 0, UPD_OK);
    CHECK_EQ_INT(o->close, 1);
    o = th_expect("tab and DEL in a value", "HTTP/1.1 200 OK\r\nX-A: a\tb\x7f\r\nContent-Length: 0\r\n\r\n", 0, UPD_OK);
    CHECK_EQ_INT(o->status, 200);

    { /* a binary body with CR, LF and NUL in it, bigger than any read */
        static char big[60000];
        size_t h, i;
        unsigned seed = 99;
        h = (size_t)sprintf(big, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", 50000);
        for (i = 0; i < 50000; i++) big[h + i] = "\r\n\0ab"[th_rand(&seed) % 5];
        o = th_expect_n("50000-byte binary body", big, h + 50000, 0, UPD_OK);
        CHECK_EQ_INT(o->body_len, 50000);
        CHECK(memcmp(o->body, big + h, 50000) == 0);
    }
}

static void test_http_chunked(void)
{
    const th_out *o = th_expect("chunked with extensions and trailers",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5;name=value\r\nhello\r\n"
        "1 ; x\r\n \r\n"
        "6;a=b;c=\"d e\"\r\nworld!\r\n"
        "A\r\n0123456789\r\n"
        "000b\r\nleading0s!!\r\n"
        "0;last\r\nX-Checksum: abc\r\nExpires: never\r\n\r\n"
        "NEXT", 0, UPD_OK);
    CHECK_EQ_INT(o->chunked, 1);
    CHECK_EQ_INT(o->length, UINT64_MAX);
    CHECK(th_body_is(o, "hello world!0123456789leading0s!!"));
    CHECK_EQ_INT(o->headers_calls, 1);

    o = th_expect("chunked, lower case, bare LF", "HTTP/1.1 200 OK\ntransfer-encoding: Chunked\n\n5\nhello\n0\n\n", 0, UPD_OK);
    CHECK(th_body_is(o, "hello"));
    o = th_expect("chunked, no body", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 0, UPD_OK);
    CHECK_EQ_INT(o->body_len, 0);
    CHECK_EQ_INT(o->headers_calls, 1);

    { /* many small chunks, and one big: the body comes out whole */
        static char buf[80000];
        char want[5000];
        size_t n = (size_t)sprintf(buf, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        size_t i, w = 0;
        for (i = 0; i < 300; i++) {
            size_t k = i % 7 + 1, j;
            n += (size_t)sprintf(buf + n, "%zx\r\n", k);
            for (j = 0; j < k; j++) buf[n++] = want[w++] = (char)('a' + (i + j) % 26);
            buf[n++] = '\r'; buf[n++] = '\n';
        }
        n += (size_t)sprintf(buf + n, "0\r\n\r\n");
        o = th_expect_n("300 small chunks", buf, n, 0, UPD_OK);
        CHECK(o->body_len == w && memcmp(o->body, want, w) == 0);
    }

    /* 100 trailer fields are fine: trailers count afresh */
    {
        static char buf[8000];
        size_t n = (size_t)sprintf(buf, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n");
        int i;
        for (i = 0; i < UPDATER_MAX_HTTP_HEADERS; i++) n += (size_t)sprintf(buf + n, "T%d: v\r\n", i);
        n += (size_t)sprintf(buf + n, "\r\n");
        th_expect_n("100 trailer fields", buf, n, 0, UPD_OK);
    }
}

static void test_http_close_delimited(void)
{
    const th_out *o = th_expect("close-delimited", "HTTP/1.1 200 OK\r\nServer: x\r\n\r\nall of this\r\n\r\nuntil eof", 1, UPD_OK);
    CHECK_EQ_INT(o->close, 1);
    CHECK_EQ_INT(o->length, UINT64_MAX);
    CHECK(th_body_is(o, "all of this\r\n\r\nuntil eof"));
    o = th_expect("close-delimited, without eof", "HTTP/1.1 200 OK\r\n\r\nmore to come", 0, UPD_NEED_INPUT);
    CHECK(th_body_is(o, "more to come"));
    o = th_expect("close-delimited, empty", "HTTP/1.1 200 OK\r\n\r\n", 1, UPD_OK);
    CHECK_EQ_INT(o->body_len, 0);
    CHECK_EQ_INT(o->headers_calls, 1);
    o = th_expect("HTTP/1.0 close-delimited", "HTTP/1.0 200 OK\r\nContent-Type: x\r\n\r\nold server", 1, UPD_OK);
    CHECK_EQ_INT(o->minor, 0);
    CHECK_EQ_INT(o->close, 1);
    CHECK(th_body_is(o, "old server"));
    o = th_expect("HTTP/1.0 with Content-Length", "HTTP/1.0 200 OK\r\nContent-Length: 4\r\n\r\nabcdEXTRA", 0, UPD_OK);
    CHECK_EQ_INT(o->minor, 0);
    CHECK_EQ_INT(o->close, 1);
    CHECK(th_body_is(o, "abcd"));
}

static void test_http_interim_and_empty(void)
{
    const th_out *o = th_expect("100 Continue and 103 before 200",
        "HTTP/1.1 100 Continue\r\n\r\n"
        "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", 0, UPD_OK);
    CHECK_EQ_INT(o->status, 200);
    CHECK_EQ_INT(o->headers_calls, 1);
    CHECK_EQ_INT(o->status_at_headers, 200);
    CHECK(th_body_is(o, "abc"));
    o = th_expect("a 100's Content-Length does not carry over",
        "HTTP/1.1 100 Continue\r\nContent-Length: 99\r\n\r\nHTTP/1.1 200 OK\r\n\r\nbody", 1, UPD_OK);
    CHECK(th_body_is(o, "body"));
    o = th_expect("204 has no body", "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nHTTP/1.1", 0, UPD_OK);
    CHECK_EQ_INT(o->status, 204);
    CHECK_EQ_INT(o->body_len, 0);
    CHECK_EQ_INT(o->used, strlen("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n"));
    th_expect("304 with both framings is still refused", "HTTP/1.1 304 Not Modified\r\nContent-Length: 1234\r\n"
              "Transfer-Encoding: chunked\r\n\r\n", 0, UPD_E_HTTP);
    o = th_expect("304 has no body, chunked announced", "HTTP/1.1 304 Not Modified\r\nETag: W/\"x\"\r\n"
                  "Transfer-Encoding: chunked\r\n\r\n", 0, UPD_OK);
    CHECK_EQ_INT(o->status, 304);
    CHECK_EQ_INT(o->body_len, 0);
    CHECK_STR(o->etag, "W/\"x\"");
    o = th_expect("304 has no body, length announced", "HTTP/1.1 304 Not Modified\r\nContent-Length: 1234\r\n\r\n", 0, UPD_OK);
    CHECK_EQ_INT(o->body_len, 0);
    o = th_expect("an interim response only, then eof", "HTTP/1.1 100 Continue\r\n\r\n", 1, UPD_E_TRUNCATED);
    th_expect("101 is refused", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", 0, UPD_E_HTTP);
}

static void test_http_fields(void)
{
    char buf[512], date[64];
    time_t now = time(NULL), later = now + 3600;
    const th_out *o = th_expect("redirect fields",
        "HTTP/1.1 302 Found\r\nLocation: /next/file?a=1&b=%20\r\nETag: \"33a64df5\"\r\n"
        "Last-Modified: Wed, 21 Oct 2015 07:28:00 GMT\r\nContent-Length: 0\r\n\r\n", 0, UPD_OK);
    CHECK_EQ_INT(o->status, 302);
    CHECK_STR(o->location, "/next/file?a=1&b=%20");
    CHECK_STR(o->etag, "\"33a64df5\"");
    CHECK_STR(o->last_modified, "Wed, 21 Oct 2015 07:28:00 GMT");
    o = th_expect("Content-Range", "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 100-199/5000\r\n"
                  "Content-Length: 100\r\n\r\n", 0, UPD_NEED_INPUT);
    CHECK_STR(o->content_range, "bytes 100-199/5000");
    CHECK_EQ_INT(o->length, 100);
    o = th_expect("no fields", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, UPD_OK);
    CHECK_STR(o->location, "");
    CHECK_STR(o->etag, "");
    CHECK_STR(o->last_modified, "");
    CHECK_STR(o->content_range, "");
    CHECK_EQ_INT(o->retry_after, -1);

    o = th_expect("Retry-After seconds", "HTTP/1.1 503 Busy\r\nRetry-After: 120\r\nContent-Length: 0\r\n\r\n", 0, UPD_OK);
    CHECK_EQ_INT(o->status, 503);
    CHECK_EQ_INT(o->retry_after, 120);
    o = th_expect("Retry-After 0", "HTTP/1.1 429 Slow Down\r\nRetry-After: 0\r\nContent-Length: 0\r\n\r\n", 0, UPD_OK);
    CHECK_EQ_INT(o->retry_after, 0);
    o = th_expect("Retry-After past date", "HTTP/1.1 503 Busy\r\nRetry-After: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
                  "Content-Length: 0\r\n\r\n", 0, UPD_OK);
    CHECK_EQ_INT(o->retry_after, 0);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", gmtime(&later));
    snprintf(buf, sizeof buf, "HTTP/1.1 503 Busy\r\nRetry-After: %s\r\nContent-Length: 0\r\n\r\n", date);
    o = th_expect("Retry-After date in an hour", buf, 0, UPD_OK);
    if (o->retry_after < 3590 || o->retry_after > 3600) printf("  Retry-After: %s gave %ld\n", date, o->retry_after);
    CHECK(o->retry_after >= 3590 && o->retry_after <= 3600);
    {
        static const char *const bad[] = {"soon", "12abc", "-5", "", "Sunday, 06-Nov-94 08:49:37 GMT",
                                          "Sun Nov  6 08:49:37 1994", "Sun, 06 Nov 1994 08:49:37 UTC",
                                          "Sun, 06 Foo 1994 08:49:37 GMT", "99999999999999999999"};
        size_t i;
        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            snprintf(buf, sizeof buf, "HTTP/1.1 503 Busy\r\nRetry-After: %s\r\nContent-Length: 0\r\n\r\n", bad[i]);
            o = th_expect("Retry-After unusable", buf, 0, UPD_OK);
            if (o->retry_after != -1) printf("  Retry-After: \"%s\" gave %ld\n", bad[i], o->retry_after);
            CHECK_EQ_INT(o->retry_after, -1);
        }
    }
    { /* an ETag too long to keep is dropped, not an error; a long Content-Range is an error */
        char tag[300];
        memset(tag, 'e', 200); tag[200] = 0;
        snprintf(buf, sizeof buf, "HTTP/1.1 200 OK\r\nETag: \"%s\"\r\nContent-Length: 0\r\n\r\n", tag);
        o = th_expect("long ETag", buf, 0, UPD_OK);
        CHECK_STR(o->etag, "");
        snprintf(buf, sizeof buf, "HTTP/1.1 206 Partial\r\nContent-Range: bytes 1-2/%s\r\nContent-Length: 0\r\n\r\n", tag);
        th_expect("long Content-Range", buf, 0, UPD_E_HTTP);
    }
    { /* Location up to UPDATER_MAX_URL bytes, not one more */
        static char big[UPDATER_MAX_URL + 200];
        size_t h = (size_t)sprintf(big, "HTTP/1.1 301 Moved\r\nLocation: /");
        memset(big + h, 'l', UPDATER_MAX_URL - 1);
        sprintf(big + h + UPDATER_MAX_URL - 1, "\r\nContent-Length: 0\r\n\r\n");
        o = th_expect("Location of UPDATER_MAX_URL bytes", big, 0, UPD_OK);
        CHECK_EQ_INT(strlen(o->location), UPDATER_MAX_URL);
        memset(big + h, 'l', UPDATER_MAX_URL);
        sprintf(big + h + UPDATER_MAX_URL, "\r\nContent-Length: 0\r\n\r\n");
        th_expect("Location too long", big, 0, UPD_E_HTTP);
    }
}

/* ---- malformed responses ---- */

static void test_http_bad_status_line(void)
{
    static const char *const bad[] = {
        "HTTX/1.1 200 OK\r\n\r\n", "HTTP/2 200 OK\r\n\r\n", "HTTP/1.2 200 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n",
        "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 600 Nope\r\n\r\n", "HTTP/1.1 099 Nope\r\n\r\n", "http/1.1 200 OK\r\n\r\n",
        "HTTP/1.1  200 OK\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n", "HTTP/1.1 200OK\r\n\r\n", " HTTP/1.1 200 OK\r\n\r\n",
        "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", "\r\n", "<html><body>hello</body></html>\n", "HTTP/1.1\r\n\r\n",
        "ICY 200 OK\r\n\r\n",
    };
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const th_out *o = th_expect(bad[i], bad[i], 1, UPD_E_HTTP);
        CHECK_EQ_INT(o->headers_calls, 0);
    }
    th_expect_n("NUL in the status line", "HTTP/1.1 200 O\0K\r\n\r\n", 20, 1, UPD_E_HTTP);
    th_expect("bare CR in the status line", "HTTP/1.1 200 O\rK\r\n\r\n", 1, UPD_E_HTTP);
    { /* a status line longer than the whole header section */
        static char big[UPDATER_MAX_HTTP_HEADER + 100];
        memcpy(big, "HTTP/1.1 200 ", 13);
        memset(big + 13, 'r', sizeof big - 14);
        big[sizeof big - 1] = 0;
        th_expect("endless status line", big, 1, UPD_E_TOOBIG);
    }
}

static void test_http_bad_chunks(void)
{
    static const char *const bad_size[] = {"zz", "", "-1", "0x5", " 5", "5 x", "+5", "5,", "g"};
    char buf[3000];
    size_t i;
    const th_out *o;
    for (i = 0; i < sizeof bad_size / sizeof bad_size[0]; i++) {
        snprintf(buf, sizeof buf, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n%s\r\nhello\r\n0\r\n\r\n", bad_size[i]);
        o = th_expect("bad chunk size", buf, 1, UPD_E_HTTP);
        CHECK_EQ_INT(o->body_len, 0);
    }
    th_expect("huge chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\nx\r\n", 1, UPD_E_HTTP);
    th_expect("huge chunk size, 16 Fs", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFF\r\nx\r\n", 1, UPD_E_HTTP);
    o = th_expect("chunk size 2^60-1, then eof", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFF\r\nabc", 1,
                  UPD_E_TRUNCATED);
    CHECK(th_body_is(o, "abc"));
    o = th_expect("many leading zeros", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "00000000000000000000000000000003\r\nabc\r\n0\r\n\r\n", 0, UPD_OK);
    CHECK(th_body_is(o, "abc"));
    i = (size_t)snprintf(buf, sizeof buf, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;");
    memset(buf + i, 'e', 2000);
    snprintf(buf + i + 2000, sizeof buf - i - 2000, "\r\nhello\r\n0\r\n\r\n");
    th_expect("chunk extension of 2000 bytes", buf, 1, UPD_E_HTTP);

    o = th_expect("missing CRLF after chunk data", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "5\r\nhelloXY\r\n0\r\n\r\n", 1, UPD_E_HTTP);
    CHECK(th_body_is(o, "hello"));
    o = th_expect("next chunk size right after the data", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "5\r\nhello0\r\n\r\n", 1, UPD_E_HTTP);
    CHECK(th_body_is(o, "hello"));
    th_expect("chunk data longer than its size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
              "3\r\nhello\r\n0\r\n\r\n", 1, UPD_E_HTTP);
    th_expect("obs-fold in a trailer", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
              "0\r\nX-T: a\r\n b\r\n\r\n", 1, UPD_E_HTTP);
    th_expect("bad trailer field", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
              "0\r\nX-T : a\r\n\r\n", 1, UPD_E_HTTP);
    {
        static char big[8000];
        size_t n = (size_t)sprintf(big, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n");
        int k;
        for (k = 0; k <= UPDATER_MAX_HTTP_HEADERS; k++) n += (size_t)sprintf(big + n, "T%d: v\r\n", k);
        n += (size_t)sprintf(big + n, "\r\n");
        th_expect_n("101 trailer fields", big, n, 1, UPD_E_TOOBIG);
    }
}

static void test_http_bad_framing(void)
{
    const th_out *o;
    o = th_expect("Content-Length and Transfer-Encoding", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
                  "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 1, UPD_E_HTTP);
    CHECK_EQ_INT(o->headers_calls, 0);
    CHECK_EQ_INT(o->body_len, 0);
    o = th_expect("Transfer-Encoding and Content-Length", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                  "Content-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 1, UPD_E_HTTP);
    CHECK_EQ_INT(o->headers_calls, 0);
    th_expect("conflicting Content-Lengths", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 1, UPD_E_HTTP);
    th_expect("Content-Length list", "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello!", 1, UPD_E_HTTP);
    th_expect("Content-Length negative", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nx", 1, UPD_E_HTTP);
    th_expect("Content-Length empty", "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\nx", 1, UPD_E_HTTP);
    th_expect("Content-Length hex", "HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\nx", 1, UPD_E_HTTP);
    th_expect("Content-Length plus", "HTTP/1.1 200 OK\r\nContent-Length: +1\r\n\r\nx", 1, UPD_E_HTTP);
    th_expect("Content-Length overflow", "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\nx", 1, UPD_E_HTTP);
    th_expect("Transfer-Encoding gzip", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nx", 1, UPD_E_HTTP);
    th_expect("Transfer-Encoding gzip, chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 1, UPD_E_HTTP);
    th_expect("Transfer-Encoding chunked twice", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
              "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 1, UPD_E_HTTP);
}

static void test_http_bad_fields(void)
{
    const th_out *o;
    o = th_expect("obs-fold", "HTTP/1.1 200 OK\r\nX-A: b\r\n c\r\nContent-Length: 0\r\n\r\n", 1, UPD_E_HTTP);
    CHECK_EQ_INT(o->headers_calls, 0);
    th_expect("obs-fold with a tab", "HTTP/1.1 200 OK\r\nX-A: b\r\n\tc\r\nContent-Length: 0\r\n\r\n", 1, UPD_E_HTTP);
    th_expect("fold right after the status line", "HTTP/1.1 200 OK\r\n folded: x\r\nContent-Length: 0\r\n\r\n", 1, UPD_E_HTTP);
    th_expect("space before the colon", "HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\nhello", 1, UPD_E_HTTP);
    th_expect("tab before the colon", "HTTP/1.1 200 OK\r\nContent-Length\t: 5\r\n\r\nhello", 1, UPD_E_HTTP);
    th_expect("space in the name", "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", 1, UPD_E_HTTP);
    th_expect("no colon", "HTTP/1.1 200 OK\r\nNoColonHere\r\n\r\n", 1, UPD_E_HTTP);
    th_expect("empty name", "HTTP/1.1 200 OK\r\n: x\r\n\r\n", 1, UPD_E_HTTP);
    th_expect("non-ASCII name", "HTTP/1.1 200 OK\r\nX-\xc3\xa9: x\r\n\r\n", 1, UPD_E_HTTP);
    th_expect_n("NUL in a header value", "HTTP/1.1 200 OK\r\nX-A: a\0b\r\nContent-Length: 0\r\n\r\n", 45, 1, UPD_E_HTTP);
    th_expect_n("NUL in a header name", "HTTP/1.1 200 OK\r\nX\0A: b\r\nContent-Length: 0\r\n\r\n", 44, 1, UPD_E_HTTP);
    th_expect("bare CR in a header", "HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 0\r\n\r\n", 1, UPD_E_HTTP);
    th_expect("control character in a value", "HTTP/1.1 200 OK\r\nX-A: a\x01 b\r\nContent-Length: 0\r\n\r\n", 1, UPD_E_HTTP);
    th_expect("escape in a value", "HTTP/1.1 200 OK\r\nX-A: \x1b[31m\r\nContent-Length: 0\r\n\r\n", 1, UPD_E_HTTP);
}

/* A header section of n bytes in all (status line to the empty line). */
static size_t th_section(char *buf, size_t n, size_t line_len)
{
    size_t h = (size_t)sprintf(buf, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n"), k = 0;
    while (h + 2 < n) {
        size_t room = n - 2 - h, len = line_len < room ? line_len : room;
        if (len < 5) { /* too short for a field: pad the previous one's value */
            memmove(buf + h - 2 + len, buf + h - 2, 2);
            memset(buf + h - 2, ' ', len);
            h += len;
            break;
        }
        h += (size_t)sprintf(buf + h, "X%zu:", k++ % 10);
        memset(buf + h, 'v', len - 5);
        h += len - 5;
        buf[h++] = '\r'; buf[h++] = '\n';
    }
    buf[h++] = '\r'; buf[h++] = '\n';
    buf[h] = 0;
    return h;
}

static void test_http_limits(void)
{
    static char big[4 * UPDATER_MAX_HTTP_HEADER];
    size_t n;
    int i;
    /* sections of exactly the limit pass, one byte more is refused, in every splitting */
    n = th_section(big, UPDATER_MAX_HTTP_HEADER, 200);
    CHECK_EQ_INT(n, UPDATER_MAX_HTTP_HEADER);
    th_expect_n("header section of exactly the limit, 200-byte lines", big, n, 0, UPD_OK);
    n = th_section(big, UPDATER_MAX_HTTP_HEADER + 1, 200);
    th_expect_n("header section one byte over the limit, 200-byte lines", big, n, 0, UPD_E_TOOBIG);
    n = th_section(big, UPDATER_MAX_HTTP_HEADER, UPDATER_MAX_HTTP_HEADER);
    th_expect_n("header section of exactly the limit, one long field", big, n, 0, UPD_OK);
    n = th_section(big, UPDATER_MAX_HTTP_HEADER + 1, UPDATER_MAX_HTTP_HEADER);
    th_expect_n("header section one byte over the limit, one long field", big, n, 0, UPD_E_TOOBIG);
    /* a field of 10000 bytes is well inside the limit however it arrives */
    n = th_section(big, 10100, 10000);
    th_expect_n("one 10000-byte field", big, n, 0, UPD_OK);
    n = th_section(big, 4 * UPDATER_MAX_HTTP_HEADER - 10, 1000);
    th_expect_n("header section of 4 times the limit", big, n, 0, UPD_E_TOOBIG);
    n = th_section(big, 4 * UPDATER_MAX_HTTP_HEADER - 10, 4 * UPDATER_MAX_HTTP_HEADER);
    th_expect_n("one field of 4 times the limit", big, n, 0, UPD_E_TOOBIG);

    /* field counts: the limit passes, one more is refused */
    n = (size_t)sprintf(big, "HTTP/1.1 200 OK\r\n");
    for (i = 0; i < UPDATER_MAX_HTTP_HEADERS - 1; i++) n += (size_t)sprintf(big + n, "X-%d: %d\r\n", i, i);
    n += (size_t)sprintf(big + n, "Content-Length: 0\r\n\r\n");
    th_expect_n("exactly UPDATER_MAX_HTTP_HEADERS fields", big, n, 0, UPD_OK);
    n = (size_t)sprintf(big, "HTTP/1.1 200 OK\r\n");
    for (i = 0; i < UPDATER_MAX_HTTP_HEADERS; i++) n += (size_t)sprintf(big + n, "X-%d: %d\r\n", i, i);
    n += (size_t)sprintf(big + n, "Content-Length: 0\r\n\r\n");
    th_expect_n("one field more than UPDATER_MAX_HTTP_HEADERS", big, n, 0, UPD_E_TOOBIG);
    n = (size_t)sprintf(big, "HTTP/1.1 200 OK\r\n");
    for (i = 0; i < 1000; i++) n += (size_t)sprintf(big + n, "X: y\r\n");
    n += (size_t)sprintf(big + n, "\r\n");
    th_expect_n("1000 fields", big, n, 0, UPD_E_TOOBIG);
    /* interim responses count afresh against the limits */
    n = 0;
    for (i = 0; i < 3; i++) {
        int k;
        n += (size_t)sprintf(big + n, "HTTP/1.1 100 Continue\r\n");
        for (k = 0; k < UPDATER_MAX_HTTP_HEADERS - 1; k++) n += (size_t)sprintf(big + n, "X-%03d: %0120d\r\n", k, k);
        n += (size_t)sprintf(big + n, "\r\n");
    }
    n += (size_t)sprintf(big + n, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz");
    {
        const th_out *o = th_expect_n("three big interim responses", big, n, 0, UPD_OK);
        CHECK_EQ_INT(o->status, 200);
        CHECK(th_body_is(o, "z"));
    }
}

/* Once the header section has passed its limit, nothing more may be
   stored: the next line must be refused before it outgrows the parser's
   line buffer. Fed so that the buffer is never overrun whatever the
   parser does: the first two lines at once (the second brings the section
   to the limit and one byte over), then the third byte by byte, at most
   UPDATER_MAX_HTTP_HEADER - 1 of them. */
static void test_http_limit_no_overrun(void)
{
    static char big[UPDATER_MAX_HTTP_HEADER + 64];
    upd_http_parser *p = (upd_http_parser *)malloc(sizeof *p);
    size_t n, used, i;
    upd_result r;
    if (!p) { CHECK(p != NULL); return; }
    upd_http_parser_init(p);
    n = (size_t)sprintf(big, "HTTP/1.1 200 OK\r\nX-Fill: ");
    memset(big + n, 'a', UPDATER_MAX_HTTP_HEADER - 1 - n);
    n = UPDATER_MAX_HTTP_HEADER - 1;
    big[n++] = '\r';
    big[n++] = '\n';
    big[n++] = 'X'; /* the section is now one byte over the limit */
    r = upd_http_parser_feed(p, (const uint8_t *)big, n, &used);
    if (r == UPD_NEED_INPUT) {
        for (i = 0; i + 1 < UPDATER_MAX_HTTP_HEADER && r == UPD_NEED_INPUT; i++)
            r = upd_http_parser_feed(p, (const uint8_t *)"b", 1, &used);
        if (r != UPD_E_TOOBIG)
            printf("  after a header section of %d bytes, a further line of %zu bytes was taken (result %d)\n",
                   UPDATER_MAX_HTTP_HEADER + 1, i, (int)r);
    }
    CHECK_EQ_INT(r, UPD_E_TOOBIG);
    free(p);
}

static void test_http_truncated(void)
{
    const th_out *o;
    o = th_expect("body shorter than Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello", 1, UPD_E_TRUNCATED);
    CHECK(th_body_is(o, "hello"));
    o = th_expect("chunked without the last chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", 1,
                  UPD_E_TRUNCATED);
    CHECK(th_body_is(o, "hello"));
    th_expect("inside a chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", 1, UPD_E_TRUNCATED);
    th_expect("inside the trailer", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\r\n", 1, UPD_E_TRUNCATED);
    o = th_expect("inside the header", "HTTP/1.1 200 OK\r\nContent-Len", 1, UPD_E_TRUNCATED);
    CHECK_EQ_INT(o->headers_calls, 0);
    th_expect("inside the status line", "HTTP/1.1 2", 1, UPD_E_TRUNCATED);
    o = th_expect("nothing at all", "", 1, UPD_E_TRUNCATED);
    CHECK(strstr(o->why, "without a response") != NULL);
    o = th_expect("body complete, then eof", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 1, UPD_OK);
    CHECK(th_body_is(o, "hello"));
}

static void test_http_callbacks(void)
{
    const th_out *o;
    /* on_headers refuses: its result, and no body */
    th_whole_out.headers_result = th_other_out.headers_result = UPD_E_CANCELED;
    o = th_expect("on_headers refuses", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 1, UPD_E_CANCELED);
    CHECK_EQ_INT(o->headers_calls, 1);
    CHECK_EQ_INT(o->body_len, 0);
    th_whole_out.headers_result = th_other_out.headers_result = UPD_OK;
    /* on_body fails: its result, and no further call (one call may carry all
       of a piece, so only whole feeds have a fixed count) */
    th_whole_out.body_fail_after = th_other_out.body_fail_after = 1;
    th_run("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 43, TH_BYTES, 0, 1, &th_other_out);
    CHECK_EQ_INT(th_other_out.rc, UPD_E_IO);
    CHECK_EQ_INT(th_other_out.body_len, 1);
    CHECK_EQ_INT(th_other_out.late_calls, 0);
    CHECK(th_other_out.sticky);
    th_run("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n", 63, TH_WHOLE, 0, 1,
           &th_other_out);
    CHECK_EQ_INT(th_other_out.rc, UPD_E_IO);
    CHECK_EQ_INT(th_other_out.body_len, 2);
    CHECK_EQ_INT(th_other_out.late_calls, 0);
    th_whole_out.body_fail_after = th_other_out.body_fail_after = 0;
    { /* no callbacks set at all */
        upd_http_parser *p = (upd_http_parser *)malloc(sizeof *p);
        size_t used;
        if (p) {
            upd_http_parser_init(p);
            CHECK_EQ_INT(upd_http_parser_feed(p, (const uint8_t *)"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 40, &used),
                         UPD_OK);
            CHECK_EQ_INT(used, 40);
            CHECK_EQ_INT(upd_http_parser_eof(p), UPD_OK);
            upd_http_parser_init(p);
            CHECK_EQ_INT(upd_http_parser_feed(p, NULL, 0, &used), UPD_NEED_INPUT);
            CHECK_EQ_INT(used, 0);
            CHECK_STR(p->why, "");
            free(p);
        }
    }
}

#define TEST_LIST_HTTP T(test_http_content_length) T(test_http_chunked) T(test_http_close_delimited) \
    T(test_http_interim_and_empty) T(test_http_fields) T(test_http_bad_status_line) T(test_http_bad_chunks) \
    T(test_http_bad_framing) T(test_http_bad_fields) T(test_http_limits) T(test_http_limit_no_overrun) \
    T(test_http_truncated) T(test_http_callbacks)
