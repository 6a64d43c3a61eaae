/* fuzz_http.c - libFuzzer target for the HTTP/1.1 response parser
   (upd_http_parser_feed / upd_http_parser_eof).

   Input layout: one selector byte, then the bytes a server sent.
     byte 0  bits 0-3  input chunk size (CHUNKS[]; 0 = everything at once)
             bit  4    vary the chunk sizes in [0, size] (empty pieces too)
             bit  5    the callbacks refuse: on_headers a 3xx (UPD_E_CANCELED),
                       on_body once 1000 body bytes came (UPD_E_IO)
             bit  6    no end of connection: stop when the input runs out
             bit  7    runs: a byte 0xFF followed by a byte N stands for N * 64
                       more copies of the byte before it (at most 1 MiB in
                       all), so that short inputs make long lines

   What must hold (abort() otherwise):
   - a feed never consumes more than it was given, and consumes all of it
     when it asks for more (UPD_NEED_INPUT);
   - results are UPD_OK, UPD_NEED_INPUT or an error; after an error there
     is no callback, and feeding or ending again gives the same error;
     every error comes with a reason (p->why);
   - on_headers comes once at most, for a final status (200-599), and
     before any body byte; no body for 204 and 304;
   - body bytes never exceed the Content-Length when one was given (and
     not chunked), and equal it when the response completes;
   - what the parser reports stays inside its buffers (NUL-terminated
     fields).
   The parser lives on the heap at its exact size, so that ASan catches
   any write past its line buffer. The header limits are made small (they
   are configuration macros) so that short inputs reach and cross them;
   1024 is the length of the longest chunk-size line, which shares the
   line buffer. */
#define UPDATER_MAX_HTTP_HEADER 1024
#define UPDATER_MAX_HTTP_HEADERS 16
#define UPDATER_IMPLEMENTATION
#include "../../updater.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const size_t CHUNKS[16] = {0, 1, 2, 3, 5, 7, 13, 64, 100, 255, 1000, 4096, 16383, 16384, 16385, 65536};

#define CHECK(cond, what)                                                      \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "fuzz_http: %s (%s:%d: %s)\n", what, __FILE__, __LINE__, #cond); \
            abort();                                                           \
        }                                                                      \
    } while (0)

typedef struct state {
    int stopped;              /* an error was returned */
    int headers;              /* on_headers calls */
    int status;
    int chunked;
    uint64_t length;          /* Content-Length at on_headers */
    uint64_t body;            /* body bytes delivered */
    int refuse;               /* bit 5 */
} state;

static upd_result on_headers(void *user, upd_http_parser *p)
{
    state *s = (state *)user;
    CHECK(!s->stopped, "on_headers after an error");
    CHECK(s->headers == 0, "on_headers twice");
    CHECK(s->body == 0, "body bytes before the headers");
    CHECK(p->status >= 200 && p->status <= 599, "on_headers for a status that is not final");
    CHECK(!(p->chunked && p->length != UINT64_MAX), "both chunked and a Content-Length accepted");
    s->headers++;
    s->status = p->status;
    s->chunked = p->chunked;
    s->length = p->length;
    if (s->refuse && p->status >= 300 && p->status < 400) return UPD_E_CANCELED;
    return UPD_OK;
}

static upd_result on_body(void *user, const uint8_t *data, size_t len)
{
    state *s = (state *)user;
    CHECK(!s->stopped, "on_body after an error");
    CHECK(s->headers == 1, "body bytes without the headers");
    CHECK(s->status != 204 && s->status != 304, "a body for 204 or 304");
    CHECK(data != NULL || len == 0, "NULL body data");
    s->body += len;
    if (!s->chunked && s->length != UINT64_MAX)
        CHECK(s->body <= s->length, "more body bytes than the Content-Length");
    if (s->refuse && s->body >= 1000) return UPD_E_IO;
    return UPD_OK;
}

static uint32_t rng_next(uint32_t *r)
{
    *r = *r * 1103515245u + 12345u;
    return *r >> 8;
}

/* bit 7: the input with its runs expanded, in a buffer of its exact size
   (two passes: measure, then fill) */
static uint8_t *expand(const uint8_t *data, size_t size, size_t *len)
{
    const size_t cap = (size_t)1 << 20;
    uint8_t *out = NULL;
    size_t i, n = 0;
    int pass;
    for (pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            out = (uint8_t *)malloc(n ? n : 1);
            CHECK(out != NULL, "out of memory");
            *len = n;
            n = 0;
        }
        for (i = 0; i < size && n < cap; i++) {
            if (data[i] == 0xFF && i + 1 < size && n > 0) {
                size_t k = (size_t)data[++i] * 64;
                if (k > cap - n) k = cap - n;
                if (out) memset(out + n, out[n - 1], k);
                n += k;
            } else {
                if (out) out[n] = data[i];
                n++;
            }
        }
    }
    return out;
}

static void check_fields(const upd_http_parser *p)
{
    CHECK(memchr(p->location, 0, sizeof p->location) != NULL, "Location not terminated");
    CHECK(memchr(p->etag, 0, sizeof p->etag) != NULL, "ETag not terminated");
    CHECK(memchr(p->last_modified, 0, sizeof p->last_modified) != NULL, "Last-Modified not terminated");
    CHECK(memchr(p->content_range, 0, sizeof p->content_range) != NULL, "Content-Range not terminated");
    CHECK(p->why != NULL, "why is NULL");
    CHECK(p->retry_after >= -1, "negative Retry-After");
}

/* after an error: nothing moves any more */
static void check_stopped(upd_http_parser *p, state *s, upd_result r)
{
    size_t used = 12345;
    s->stopped = 1;
    CHECK(p->why != NULL && p->why[0] != '\0', "an error without a reason");
    CHECK(upd_http_parser_feed(p, (const uint8_t *)"HTTP/1.1 200 OK\r\n\r\nx", 20, &used) == r, "error not sticky (feed)");
    CHECK(used == 0, "bytes consumed after an error");
    CHECK(upd_http_parser_eof(p) == r, "error not sticky (eof)");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    upd_http_parser *p;
    state s;
    size_t off = 0, chunk;
    uint32_t rng;
    int vary, no_eof;
    uint8_t *runs = NULL;
    upd_result r = UPD_NEED_INPUT;
    if (size < 1) return 0;
    chunk = CHUNKS[data[0] & 15];
    vary = (data[0] >> 4) & 1;
    no_eof = (data[0] >> 6) & 1;
    rng = data[0] * 2654435761u + (uint32_t)size;
    memset(&s, 0, sizeof s);
    s.refuse = (data[0] >> 5) & 1;
    if (data[0] & 0x80) data = runs = expand(data + 1, size - 1, &size);
    else { data++; size--; }
    p = (upd_http_parser *)malloc(sizeof *p);
    CHECK(p != NULL, "out of memory");
    upd_http_parser_init(p);
    p->on_headers = on_headers;
    p->on_body = on_body;
    p->user = &s;
    for (;;) {
        size_t n = size - off, used = (size_t)-1;
        if (chunk) {
            size_t c = vary ? rng_next(&rng) % (chunk + 1) : chunk;
            if (c < n) n = c;
        }
        r = upd_http_parser_feed(p, data + off, n, &used);
        CHECK(used <= n, "consumed more than it was given");
        off += used;
        if (r == UPD_NEED_INPUT) {
            CHECK(used == n, "asked for more input with input left");
            if (off == size) break;
            continue;
        }
        CHECK(r == UPD_OK || r < 0, "unexpected result");
        break;
    }
    if (r == UPD_NEED_INPUT && !no_eof) {
        r = upd_http_parser_eof(p);
        CHECK(r == UPD_OK || r == UPD_E_TRUNCATED || r < 0, "unexpected result at eof");
    }
    check_fields(p);
    if (r < 0) {
        check_stopped(p, &s, r);
    } else if (r == UPD_OK) {
        CHECK(s.headers == 1, "a complete response without on_headers");
        if (!s.chunked && s.length != UINT64_MAX && s.status != 204 && s.status != 304)
            CHECK(s.body == s.length, "complete, but the body is not the Content-Length");
    }
    free(p);
    free(runs);
    return 0;
}
