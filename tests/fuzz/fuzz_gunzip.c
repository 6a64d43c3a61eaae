/* fuzz_gunzip.c - libFuzzer target for upd_gunzip_run(), with zlib as the
   reference decoder.

   Input layout: two selector bytes, then the gzip data.
     byte 0  bits 0-3  input chunk size (CHUNKS[]; 0 = everything at once)
             bit  4    vary the input chunk sizes in [1, size]
             bit  5    give final = 1 only in a separate call with no new input
             bit  6    start from an all-zero struct instead of upd_gunzip_init()
             bit  7    the data is raw DEFLATE: wrap it in a gzip member whose
                       trailer is right for what zlib makes of it, so that
                       mutations keep a valid CRC and reach the trailer
     byte 1  bits 0-3  output chunk size (CHUNKS[]; 0 = 1 MiB)
             bit  4    vary the output chunk sizes in [1, size]
             bits 5-7  output limit (LIMITS[]; 0 = 8 MiB, bombs stay bounded;
                       at most 256 KiB with output chunks under 64 bytes)

   What must hold (abort() otherwise):
   - the decoder never consumes or produces more than it was given, never
     produces more than max_output, and never stalls (a call that returns
     UPD_NEED_OUTPUT without consuming or producing anything, or
     UPD_NEED_INPUT once final = 1 was given);
   - errors are sticky;
   - whatever both decoders produce agrees byte for byte (the output is a
     function of the bits read so far, so one may only stop earlier);
   - ours returns UPD_OK exactly when zlib decodes the whole input as one or
     more complete members with nothing left over, and then the output and
     the member count are the same;
   - if zlib produces more than the limit, ours returns UPD_E_TOOBIG.
   The reference decodes member after member (inflateReset after each
   Z_STREAM_END while input remains); bytes after a member that do not start
   a valid member make it fail, as trailing garbage must. */
#define UPDATER_IMPLEMENTATION
#include "../../updater.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const size_t CHUNKS[16] = {0, 1, 2, 3, 4, 7, 8, 9, 15, 31, 64, 255, 258, 4096, 32767, 65536};
static const uint64_t LIMITS[8] = {8u << 20, 1, 100, 1000, 32768, 32769, 100000, 1u << 20};
#define OUT_CAP ((size_t)1 << 20) /* largest output chunk */

#define CHECK(cond, what)                                                      \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "fuzz_gunzip: %s (%s:%d: %s)\n", what, __FILE__, __LINE__, #cond); \
            abort();                                                           \
        }                                                                      \
    } while (0)

/* A growable byte buffer, kept between runs. */
typedef struct { uint8_t *p; size_t len, cap; } buf;

static uint8_t *buf_reserve(buf *b, size_t need)
{
    if (need > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        uint8_t *p;
        while (cap < need) cap *= 2;
        p = (uint8_t *)realloc(b->p, cap);
        CHECK(p != NULL, "out of memory");
        b->p = p;
        b->cap = cap;
    }
    return b->p;
}

static void buf_append(buf *b, const uint8_t *p, size_t n)
{
    if (n == 0) return;
    buf_reserve(b, b->len + n);
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

static uint32_t rng_next(uint32_t *s)
{
    uint32_t x = *s; /* xorshift32 */
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    return *s = x;
}

/* The next chunk size for selector bits sel (size index | vary flag). */
static size_t chunk_size(unsigned sel, size_t whole, uint32_t *rng)
{
    size_t n = CHUNKS[sel & 15u];
    if (n == 0) n = whole;
    if (n == 0) n = 1;
    if (sel & 16u) n = 1 + rng_next(rng) % n;
    return n;
}

/* ---- the reference: zlib, member after member ---- */
enum { REF_OK, REF_OVER, REF_FAIL };
typedef struct { int state; uint32_t members; buf out; } ref_result;

static void ref_decode(ref_result *res, const uint8_t *in, size_t n, uint64_t limit)
{
    z_stream s;
    size_t cap = (size_t)limit + 1; /* one byte more than the limit = over */
    int ret;
    memset(&s, 0, sizeof s);
    res->out.len = 0;
    res->members = 0;
    res->state = REF_FAIL;
    CHECK(inflateInit2(&s, 16 + 15) == Z_OK, "inflateInit2 failed");
    s.next_in = (Bytef *)(uintptr_t)in;
    s.avail_in = (uInt)n;
    for (;;) {
        size_t room = cap - res->out.len;
        if (room > 65536) room = 65536;
        buf_reserve(&res->out, res->out.len + room);
        s.next_out = res->out.p + res->out.len;
        s.avail_out = (uInt)room;
        ret = inflate(&s, Z_NO_FLUSH);
        res->out.len += room - s.avail_out;
        if (res->out.len == cap) { res->state = REF_OVER; break; }
        if (ret == Z_STREAM_END) {
            res->members++;
            if (s.avail_in == 0) { res->state = REF_OK; break; }
            CHECK(inflateReset(&s) == Z_OK, "inflateReset failed");
            continue;
        }
        if (ret == Z_OK) continue; /* progress was made */
        break; /* Z_BUF_ERROR (truncated: no progress possible) or a data error */
    }
    inflateEnd(&s);
}

/* Raw DEFLATE in, one gzip member out: a plain header, the DEFLATE bytes
   that zlib uses (all of them if it fails), CRC-32 and ISIZE of its output. */
static const uint8_t *wrap_raw(const uint8_t *raw, size_t n, size_t *out_len, uint64_t limit)
{
    static const uint8_t header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255};
    static buf plain, member;
    z_stream s;
    size_t cap = (size_t)limit + 1, used;
    uLong crc = crc32(0L, Z_NULL, 0);
    int ret = Z_OK;
    memset(&s, 0, sizeof s);
    CHECK(inflateInit2(&s, -15) == Z_OK, "inflateInit2 failed");
    s.next_in = (Bytef *)(uintptr_t)raw;
    s.avail_in = (uInt)n;
    plain.len = 0;
    while (ret == Z_OK && plain.len < cap) {
        size_t room = cap - plain.len;
        if (room > 65536) room = 65536;
        buf_reserve(&plain, plain.len + room);
        s.next_out = plain.p + plain.len;
        s.avail_out = (uInt)room;
        ret = inflate(&s, Z_NO_FLUSH);
        crc = crc32(crc, plain.p + plain.len, (uInt)(room - s.avail_out));
        plain.len += room - s.avail_out;
    }
    used = ret == Z_STREAM_END ? n - s.avail_in : n;
    inflateEnd(&s);
    member.len = 0;
    buf_append(&member, header, sizeof header);
    buf_append(&member, raw, used);
    {
        uint8_t t[8];
        uint32_t c = (uint32_t)crc, sz = (uint32_t)plain.len;
        int i;
        for (i = 0; i < 4; i++) { t[i] = (uint8_t)(c >> (8 * i)); t[4 + i] = (uint8_t)(sz >> (8 * i)); }
        buf_append(&member, t, sizeof t);
    }
    *out_len = member.len;
    return member.p;
}

/* ---- ours, streamed in chunks ---- */
typedef struct { upd_result r; uint32_t members; uint64_t consumed; buf out; } our_result;

static void our_decode(our_result *res, const uint8_t *data, size_t n, unsigned sel_in,
                       unsigned sel_out, uint64_t limit, uint32_t seed)
{
    static buf inb;          /* offered input, right-aligned to the block end */
    static uint8_t *outb;    /* output chunks, right-aligned to the block end */
    upd_gunzip *z = (upd_gunzip *)malloc(sizeof *z);
    size_t pos = 0, avail = 0, calls = 0;
    int want_input = 1, final_call = 0;
    uint32_t rng = seed | 1u;

    CHECK(z != NULL, "out of memory");
    if (!outb) { outb = (uint8_t *)malloc(OUT_CAP); CHECK(outb != NULL, "out of memory"); }
    if (sel_in & 64u) {
        memset(z, 0, sizeof *z);
        z->max_output = limit;
    } else {
        memset(z, 0xa5, sizeof *z); /* init must not depend on prior contents */
        upd_gunzip_init(z, limit);
    }
    res->out.len = 0;
    buf_reserve(&inb, n ? n : 1);

    for (;;) {
        size_t in_len, out_len, oc;
        const uint8_t *ip;
        uint8_t *op;
        int fin;
        upd_result r;

        if (want_input && pos < n) {
            size_t c = chunk_size(sel_in, n, &rng);
            if (c > n - pos) c = n - pos;
            pos += c;
            avail += c;
            memmove(inb.p + inb.cap - avail, data + pos - avail, avail);
            want_input = 0;
        }
        fin = pos == n && (!(sel_in & 32u) || final_call);
        ip = inb.p + inb.cap - avail;
        oc = chunk_size(sel_out, OUT_CAP, &rng);
        op = outb + OUT_CAP - oc;
        in_len = avail;
        out_len = oc;
        r = upd_gunzip_run(z, ip, &in_len, op, &out_len, fin);
        calls++;
        CHECK(in_len <= avail, "consumed more input than given");
        CHECK(out_len <= oc, "produced more output than room given");
        CHECK(res->out.len + out_len <= limit, "output beyond max_output");
        buf_append(&res->out, op, out_len);
        avail -= in_len;
        /* total_out counts bytes decoded, some may still wait in the window */
        CHECK(z->total_out >= res->out.len, "total_out below the output delivered");
        CHECK(r != UPD_OK || z->total_out == res->out.len, "total_out disagrees with the output");
        if (r == UPD_OK || r < 0) { res->r = r; break; }
        if (r == UPD_NEED_INPUT) {
            CHECK(!fin, "UPD_NEED_INPUT after final input");
            if (pos < n) want_input = 1;
            else final_call = 1;
        } else {
            CHECK(r == UPD_NEED_OUTPUT, "unknown result");
            CHECK(in_len > 0 || out_len > 0, "UPD_NEED_OUTPUT without progress");
        }
        CHECK(calls < 64 + 4 * (n + (size_t)limit), "too many calls");
    }
    res->consumed = (uint64_t)(pos - avail);
    res->members = z->members;
    if (res->r < 0) { /* sticky: the same error again, nothing taken or given */
        size_t in_len = avail ? 1 : 0, out_len = 1;
        upd_result r = upd_gunzip_run(z, inb.p + inb.cap - avail, &in_len, outb + OUT_CAP - 1, &out_len, 1);
        CHECK(r == res->r && in_len == 0 && out_len == 0, "error is not sticky");
    }
    free(z);
}

static ref_result ref;
static our_result ours;

/* The comparison failed: say what each decoder did, then abort(). */
static void mismatch(const char *what)
{
    fprintf(stderr, "fuzz_gunzip: %s\n  ours: %s, %zu bytes out, %u members, %llu bytes in\n"
                    "  zlib: %s, %zu bytes out, %u members\n", what, upd_strerror(ours.r),
            ours.out.len, (unsigned)ours.members, (unsigned long long)ours.consumed,
            ref.state == REF_OK ? "complete" : ref.state == REF_OVER ? "over the limit" : "failed",
            ref.out.len, (unsigned)ref.members);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned sel_in, sel_out;
    uint64_t limit;
    size_t common;

    if (size < 2) return 0;
    sel_in = data[0];
    sel_out = data[1];
    data += 2;
    size -= 2;
    limit = LIMITS[sel_out >> 5];
    /* tiny output chunks make every byte a call: keep bombs quick */
    if (CHUNKS[sel_out & 15u] != 0 && CHUNKS[sel_out & 15u] < 64 && limit > (256u << 10))
        limit = 256u << 10;

    if (sel_in & 128u) data = wrap_raw(data, size, &size, limit);
    our_decode(&ours, data, size, sel_in, sel_out, limit, ((uint32_t)size * 2654435761u) ^ (sel_in << 8) ^ sel_out);
    ref_decode(&ref, data, size, limit);

    common = ours.out.len < ref.out.len ? ours.out.len : ref.out.len;
    if (common && memcmp(ours.out.p, ref.out.p, common) != 0) mismatch("output differs from zlib");
    if (ours.r == UPD_OK) {
        if (ref.state != REF_OK) mismatch("ours accepts what zlib rejects");
        if (ours.out.len != ref.out.len) mismatch("output length differs from zlib");
        if (ours.members != ref.members) mismatch("member count differs from zlib");
        if (ours.consumed != size) mismatch("UPD_OK without consuming all input");
    }
    if (ref.state == REF_OK && ours.r != UPD_OK) mismatch("ours rejects what zlib accepts");
    if (ref.state == REF_OVER && ours.r != UPD_E_TOOBIG) mismatch("ours does not stop at max_output");
    return 0;
}
