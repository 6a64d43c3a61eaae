/* gzip / DEFLATE decoder (RFC 1952 members holding RFC 1951 data): the CRC-32
   check value, members made by real tools, streams built by hand with a bit
   writer (stored, fixed and dynamic blocks, and one corrupt input for each
   error code), every way of cutting input and output, output limits,
   multi-member streams and back-references of 32768 bytes in members larger
   than 64 KiB. Bigger files from gzip, pigz, zopfli, busybox and Python are
   checked against gzip -dc in tests/gunzip.sh. */

/* ---- a growable byte buffer that is also an LSB-first bit writer --------
   RFC 1951 3.1.1: data elements are packed starting with the least
   significant bit of each byte; Huffman codes are packed starting with their
   most significant bit; everything else (extra bits, header fields) least
   significant bit first. */
typedef struct { uint8_t *p; size_t n, cap; uint32_t acc; unsigned nb; } t_bw;

static void t_bw_put(t_bw *w, unsigned byte)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 256;
        uint8_t *p = (uint8_t *)realloc(w->p, cap);
        if (!p) { printf("t_gunzip: out of memory\n"); exit(2); }
        w->p = p;
        w->cap = cap;
    }
    w->p[w->n++] = (uint8_t)byte;
}

static void t_bw_bits(t_bw *w, uint32_t v, unsigned n)
{
    while (n--) {
        w->acc |= (v & 1u) << w->nb;
        v >>= 1;
        if (++w->nb == 8) { t_bw_put(w, w->acc); w->acc = 0; w->nb = 0; }
    }
}

static void t_bw_code(t_bw *w, unsigned code, unsigned len)
{
    while (len--) t_bw_bits(w, (code >> len) & 1u, 1);
}

static void t_bw_align(t_bw *w)
{
    if (w->nb) { t_bw_put(w, w->acc); w->acc = 0; w->nb = 0; }
}

static void t_bw_mem(t_bw *w, const void *p, size_t n)
{
    const uint8_t *b = (const uint8_t *)p;
    size_t i;
    t_bw_align(w);
    for (i = 0; i < n; i++) t_bw_put(w, b[i]);
}

static void t_bw_le(t_bw *w, uint32_t v, unsigned bytes)
{
    t_bw_align(w);
    while (bytes--) { t_bw_put(w, v & 0xffu); v >>= 8; }
}

static void t_bw_free(t_bw *w) { free(w->p); memset(w, 0, sizeof *w); }

/* ---- DEFLATE pieces ----------------------------------------------------- */
/* RFC 1951 3.2.5: length and distance bases and extra bits */
static const unsigned t_lbase[29] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
    35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const unsigned t_lext[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3,
    4, 4, 4, 4, 5, 5, 5, 5, 0};
static const unsigned t_dbase[30] = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
    257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const unsigned t_dext[30] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8,
    9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
/* RFC 1951 3.2.7: the order in which code length code lengths are sent */
static const unsigned t_clorder[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

typedef struct { uint8_t len[288], dlen[32]; uint16_t code[288], dcode[32]; } t_codes;
typedef struct { uint8_t len[19]; uint16_t code[19]; } t_cl;

/* RFC 1951 3.2.2: canonical codes from code lengths */
static void t_canon(const uint8_t *len, unsigned n, uint16_t *code)
{
    unsigned count[16], next[16], c = 0, b, i;
    memset(count, 0, sizeof count);
    for (i = 0; i < n; i++) count[len[i]]++;
    count[0] = 0;
    for (b = 1; b < 16; b++) { c = (c + count[b - 1]) << 1; next[b] = c; }
    for (i = 0; i < n; i++) code[i] = (uint16_t)(len[i] ? next[len[i]]++ : 0);
}

/* BFINAL, BTYPE = 01 and the fixed codes of RFC 1951 3.2.6 (all 288 lit/len
   and 32 distance symbols get codes, so that the invalid ones can be sent) */
static void t_fixed_block(t_bw *w, int last, t_codes *c)
{
    unsigned i;
    t_bw_bits(w, (unsigned)last, 1);
    t_bw_bits(w, 1, 2);
    for (i = 0; i < 288; i++) c->len[i] = (uint8_t)(i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8);
    for (i = 0; i < 32; i++) c->dlen[i] = 5;
    t_canon(c->len, 288, c->code);
    t_canon(c->dlen, 32, c->dcode);
}

static void t_stored_block(t_bw *w, int last, const void *p, size_t n, t_bw *exp)
{
    t_bw_bits(w, (unsigned)last, 1);
    t_bw_bits(w, 0, 2);
    t_bw_le(w, (uint32_t)n, 2);
    t_bw_le(w, (uint32_t)~n & 0xffffu, 2);
    t_bw_mem(w, p, n);
    if (exp) t_bw_mem(exp, p, n);
}

static void t_sym(t_bw *w, const t_codes *c, unsigned sym) { t_bw_code(w, c->code[sym], c->len[sym]); }
static void t_eob(t_bw *w, const t_codes *c) { t_sym(w, c, 256); }

static void t_lit(t_bw *w, const t_codes *c, unsigned byte, t_bw *exp)
{
    t_sym(w, c, byte);
    if (exp) t_bw_put(exp, byte);
}

/* a length/distance pair; exp (the expected output) copies byte by byte,
   so overlapping copies repeat as RFC 1951 3.2.3 says */
static void t_match(t_bw *w, const t_codes *c, unsigned len, unsigned dist, t_bw *exp)
{
    unsigned i = 28, d = 29, k;
    while (t_lbase[i] > len) i--;
    while (t_dbase[d] > dist) d--;
    t_sym(w, c, 257 + i);
    t_bw_bits(w, len - t_lbase[i], t_lext[i]);
    t_bw_code(w, c->dcode[d], c->dlen[d]);
    t_bw_bits(w, dist - t_dbase[d], t_dext[d]);
    if (exp)
        for (k = 0; k < len; k++) t_bw_put(exp, exp->p[exp->n - dist]);
}

/* BFINAL, BTYPE = 10, HLIT, HDIST, HCLEN = 19 and the code length code */
static void t_dyn_start(t_bw *w, int last, unsigned hlit, unsigned hdist, t_cl *cl)
{
    unsigned i;
    t_bw_bits(w, (unsigned)last, 1);
    t_bw_bits(w, 2, 2);
    t_bw_bits(w, hlit - 257, 5);
    t_bw_bits(w, hdist - 1, 5);
    t_bw_bits(w, 19 - 4, 4);
    for (i = 0; i < 19; i++) t_bw_bits(w, cl->len[t_clorder[i]], 3);
    t_canon(cl->len, 19, cl->code);
}

/* a complete code length code: 13 codes of 4 bits and 6 of 5 bits */
static void t_cl_default(t_cl *cl)
{
    unsigned i;
    for (i = 0; i < 19; i++) cl->len[i] = (uint8_t)(i <= 12 ? 4 : 5);
}

/* one code length symbol; rep is the repeat count for 16, 17 and 18 */
static void t_cl_put(t_bw *w, const t_cl *cl, unsigned sym, unsigned rep)
{
    t_bw_code(w, cl->code[sym], cl->len[sym]);
    if (sym == 16) t_bw_bits(w, rep - 3, 2);
    if (sym == 17) t_bw_bits(w, rep - 3, 3);
    if (sym == 18) t_bw_bits(w, rep - 11, 7);
}

/* lengths run-length coded with 16, 17 and 18 (runs may cross from the
   lit/len lengths into the distance lengths, RFC 1951 3.2.7) */
static void t_cl_lens(t_bw *w, const t_cl *cl, const uint8_t *lens, unsigned n)
{
    unsigned i = 0;
    while (i < n) {
        unsigned v = lens[i], run = 1, r;
        while (i + run < n && lens[i + run] == v) run++;
        if (v == 0 && run >= 11) { r = run > 138 ? 138 : run; t_cl_put(w, cl, 18, r); i += r; }
        else if (v == 0 && run >= 3) { r = run > 10 ? 10 : run; t_cl_put(w, cl, 17, r); i += r; }
        else if (v != 0 && run >= 4) {
            r = run - 1 > 6 ? 6 : run - 1;
            t_cl_put(w, cl, v, 0);
            t_cl_put(w, cl, 16, r);
            i += 1 + r;
        } else { t_cl_put(w, cl, v, 0); i++; }
    }
}

/* a whole dynamic block header for c->len[0..hlit) and c->dlen[0..hdist) */
static void t_dynamic(t_bw *w, int last, t_codes *c, unsigned hlit, unsigned hdist)
{
    t_cl cl;
    uint8_t all[320];
    t_cl_default(&cl);
    t_dyn_start(w, last, hlit, hdist, &cl);
    memcpy(all, c->len, hlit);
    memcpy(all + hlit, c->dlen, hdist);
    t_cl_lens(w, &cl, all, hlit + hdist);
    t_canon(c->len, hlit, c->code);
    t_canon(c->dlen, hdist, c->dcode);
}

/* ---- gzip members (RFC 1952 2.3) ---------------------------------------- */
static void t_gz_head(t_bw *w, unsigned flg)
{
    static const uint8_t h[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    t_bw_mem(w, h, 3);
    t_bw_put(w, flg);
    t_bw_mem(w, h + 4, 6);
}

static void t_gz_tail(t_bw *w, const uint8_t *data, size_t n)
{
    t_bw_le(w, upd_crc32(0, data, n), 4);
    t_bw_le(w, (uint32_t)n, 4);
}

/* ---- the decoding harness ------------------------------------------------ */
enum { T_WHOLE, T_IN1, T_IN1_EMPTY_FINAL, T_OUT1, T_SPLIT };
static const char *const t_mode_name[] = {"whole", "in1", "in1+empty final", "out1", "split"};
#define T_STUCK 99 /* not a result code: the decoder stopped making progress */

static uint32_t t_lcg(uint32_t *s) { *s = *s * 1103515245u + 12345u; return *s >> 8; }

/* random chunk sizes 0..max (0 one time in eight) */
static size_t t_chunk(uint32_t *s, size_t max)
{
    uint32_t r = t_lcg(s);
    return (r & 7u) == 0 ? 0 : 1 + (size_t)(r >> 3) % max;
}

/* Under ASan each call gets its input and output space, when up to 4 KiB
   (or at most 512 bytes of input in out1 mode), in fresh heap blocks of
   exactly the sizes it is told (NULL for none), freed after: reading or
   writing past them, or reaching back into an earlier call's output
   instead of the window, is caught. (Not under valgrind: a million small
   blocks take it 20 s.) */
#if defined(__SANITIZE_ADDRESS__)
#define T_FRESH_BLOCKS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define T_FRESH_BLOCKS 1
#endif
#endif
#ifndef T_FRESH_BLOCKS
#define T_FRESH_BLOCKS 0
#endif

/* Decodes gz[0..n) into out[0..cap) the way mode says; returns the last
   result (never UPD_NEED_*: loops until done, an error or no progress). */
static int t_run(upd_gunzip *z, const uint8_t *gz, size_t n, uint8_t *out, size_t cap,
                 size_t *used, size_t *got, int mode, uint32_t seed)
{
    size_t ip = 0, op = 0, calls = 0, limit = 4 * (n + cap) + 100;
    size_t maxchunk = seed % 3 == 0 ? 4099 : seed % 3 == 1 ? 7 : 97;
    int r;
    for (;;) {
        size_t il = n - ip, ol = cap - op, gave_in, gave_out;
        int fin;
        if ((mode == T_IN1 || mode == T_IN1_EMPTY_FINAL) && il > 1) il = 1;
        if (mode == T_OUT1 && ol > 1) ol = 1;
        if (mode == T_SPLIT) {
            size_t a = t_chunk(&seed, maxchunk), b = t_chunk(&seed, maxchunk);
            if (il > a) il = a;
            if (ol > b) ol = b;
        }
        fin = ip + il == n && !(mode == T_IN1_EMPTY_FINAL && il > 0);
        gave_in = il;
        gave_out = ol;
        if (T_FRESH_BLOCKS) {
            int fresh_in = il <= (mode == T_OUT1 ? 512u : 4096u), fresh_out = ol <= 4096;
            const uint8_t *ip_ = gz + ip;
            uint8_t *ib = NULL, *ob = out + op;
            if (fresh_in) ip_ = ib = il ? (uint8_t *)malloc(il) : NULL;
            if (fresh_out) ob = ol ? (uint8_t *)malloc(ol) : NULL;
            if ((il && !ip_) || (ol && !ob)) { printf("t_gunzip: out of memory\n"); exit(2); }
            if (ib) memcpy(ib, gz + ip, il);
            r = upd_gunzip_run(z, ip_, &il, ob, &ol, fin);
            if (fresh_out && ol && ol <= gave_out) memcpy(out + op, ob, ol);
            free(ib);
            if (fresh_out) free(ob);
        } else r = upd_gunzip_run(z, gz + ip, &il, out + op, &ol, fin);
        if (il > gave_in || ol > gave_out) { r = T_STUCK; break; }
        ip += il;
        op += ol;
        if (r != UPD_NEED_INPUT && r != UPD_NEED_OUTPUT) break;
        if (r == UPD_NEED_INPUT && fin) { r = T_STUCK; break; } /* final: never "need input" */
        if (++calls > limit) { r = T_STUCK; break; }
    }
    if (used) *used = ip;
    if (got) *got = op;
    return r;
}

/* ---- test vectors ----------------------------------------------------------- */
typedef struct {
    const char *name;
    uint8_t *gz, *want; /* owned (hand-built) or pointing at static arrays */
    size_t n, wn;
    unsigned members;
    int owned;
} t_vec;

/* printf 'hello, world\n' | gzip -9n   (gzip 1.12) */
static const uint8_t t_gz_hello[] = {
    0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xcb, 0x48,
    0xcd, 0xc9, 0xc9, 0xd7, 0x51, 0x28, 0xcf, 0x2f, 0xca, 0x49, 0xe1, 0x02,
    0x00, 0x53, 0x74, 0x24, 0xf4, 0x0d, 0x00, 0x00, 0x00};
/* the same, from a file: gzip -9 -c hello.txt (gzip 1.12; FNAME and MTIME) */
static const uint8_t t_gz_hello_name[] = {
    0x1f, 0x8b, 0x08, 0x08, 0x25, 0x7d, 0x93, 0x65, 0x02, 0x03, 0x68, 0x65,
    0x6c, 0x6c, 0x6f, 0x2e, 0x74, 0x78, 0x74, 0x00, 0xcb, 0x48, 0xcd, 0xc9,
    0xc9, 0xd7, 0x51, 0x28, 0xcf, 0x2f, 0xca, 0x49, 0xe1, 0x02, 0x00, 0x53,
    0x74, 0x24, 0xf4, 0x0d, 0x00, 0x00, 0x00};
/* python3 -c 'import gzip; gzip.compress(b"", mtime=0)'   (Python 3.11) */
static const uint8_t t_gz_empty[] = {
    0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x03, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
/* t_lines_text() below (2640 bytes) through gzip -9n (gzip 1.12): one
   dynamic block */
static const uint8_t t_gz_lines9[] = {
    0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x9d, 0xd6,
    0x4d, 0x12, 0xc1, 0x40, 0x10, 0x40, 0xe1, 0xbd, 0x53, 0xf4, 0x11, 0xf4,
    0x0f, 0xc2, 0x6d, 0x88, 0x41, 0x92, 0x91, 0x21, 0x44, 0x70, 0x7a, 0xc5,
    0x0d, 0xbc, 0xf5, 0xd4, 0x5b, 0xf5, 0x57, 0xdd, 0x93, 0x9b, 0x3e, 0xc9,
    0x7c, 0x23, 0xf7, 0x53, 0x92, 0xeb, 0xd8, 0xd4, 0x9d, 0xec, 0x86, 0x32,
    0xf5, 0x72, 0x28, 0x4f, 0x69, 0xc7, 0xf3, 0xe5, 0x26, 0xe5, 0x91, 0x86,
    0xdf, 0x73, 0xde, 0xbe, 0x5f, 0xb2, 0x2f, 0xc7, 0x59, 0xfe, 0x36, 0x0a,
    0x1a, 0x03, 0x8d, 0x83, 0x26, 0x40, 0xb3, 0x00, 0xcd, 0x12, 0x34, 0x2b,
    0xd0, 0x54, 0xa0, 0x59, 0x93, 0x99, 0x22, 0x08, 0x44, 0x82, 0x12, 0x0a,
    0x4a, 0x2c, 0x28, 0xc1, 0xa0, 0x44, 0x83, 0x12, 0x0e, 0x4a, 0x3c, 0x28,
    0x01, 0xa1, 0x44, 0x84, 0x11, 0x11, 0x86, 0x76, 0x03, 0x11, 0x61, 0x44,
    0x84, 0x11, 0x11, 0x46, 0x44, 0x18, 0x11, 0x61, 0x44, 0x84, 0x11, 0x11,
    0x46, 0x44, 0x38, 0x11, 0xe1, 0x44, 0x84, 0xa3, 0x73, 0x41, 0x44, 0x38,
    0x11, 0xe1, 0x44, 0x84, 0x13, 0x11, 0x4e, 0x44, 0x38, 0x11, 0xe1, 0x44,
    0x44, 0x10, 0x11, 0x41, 0x44, 0x04, 0x11, 0x11, 0xe8, 0x07, 0x41, 0x44,
    0x04, 0x11, 0x11, 0x44, 0x44, 0x10, 0x11, 0x41, 0x44, 0xc4, 0x9f, 0x22,
    0x3e, 0xdc, 0xd1, 0xdb, 0x53, 0x50, 0x0a, 0x00, 0x00};
/* the same text through Python 3.11 zlib.compressobj(9, zlib.DEFLATED, 31,
   9, zlib.Z_FIXED): fixed Huffman codes only */
static const uint8_t t_gz_lines_fixed[] = {
    0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xcb, 0xc9,
    0xcc, 0x4b, 0x55, 0x30, 0xb0, 0x52, 0x28, 0xc9, 0x48, 0x55, 0x28, 0x2c,
    0xcd, 0x4c, 0xce, 0x56, 0x48, 0x2a, 0xca, 0x2f, 0xcf, 0x53, 0x48, 0xcb,
    0xaf, 0x50, 0xc8, 0x2a, 0xcd, 0x2d, 0x28, 0x56, 0xc8, 0x2f, 0x4b, 0x2d,
    0x02, 0x4b, 0xe7, 0x24, 0x56, 0x55, 0x2a, 0xa4, 0xe4, 0xa7, 0x73, 0xe5,
    0x80, 0xf4, 0x18, 0x92, 0xa1, 0xc7, 0x88, 0x0c, 0x3d, 0xc6, 0x64, 0xe8,
    0x31, 0x21, 0x43, 0x8f, 0x29, 0x19, 0x7a, 0xcc, 0xc8, 0xd0, 0x63, 0x4e,
    0x86, 0x1e, 0x0b, 0x32, 0xf4, 0x58, 0x92, 0x13, 0xa7, 0x64, 0x25, 0x04,
    0x72, 0x52, 0x82, 0x21, 0x39, 0x49, 0xc1, 0x90, 0x9c, 0xb4, 0x60, 0x48,
    0x4e, 0x62, 0x30, 0x24, 0x27, 0x35, 0x18, 0x92, 0x93, 0x1c, 0x0c, 0xc9,
    0x49, 0x0f, 0x86, 0xe4, 0x24, 0x08, 0x43, 0x72, 0x52, 0x84, 0x11, 0x39,
    0x29, 0xc2, 0x88, 0xac, 0xb2, 0x81, 0x9c, 0x14, 0x61, 0x44, 0x4e, 0x8a,
    0x30, 0x22, 0x27, 0x45, 0x18, 0x91, 0x93, 0x22, 0x8c, 0xc8, 0x49, 0x11,
    0x46, 0xe4, 0xa4, 0x08, 0x23, 0x72, 0x52, 0x84, 0x11, 0x39, 0x29, 0xc2,
    0x98, 0x9c, 0x14, 0x61, 0x4c, 0x4e, 0x8a, 0x30, 0x26, 0xab, 0xba, 0x20,
    0x27, 0x45, 0x18, 0x93, 0x93, 0x22, 0x8c, 0xc9, 0x49, 0x11, 0xc6, 0xe4,
    0xa4, 0x08, 0x63, 0x72, 0x52, 0x84, 0x31, 0x39, 0x29, 0xc2, 0x98, 0x9c,
    0x14, 0x61, 0x42, 0x4e, 0x8a, 0x30, 0x21, 0x27, 0x45, 0x98, 0x90, 0x93,
    0x22, 0x4c, 0xc8, 0x6a, 0x41, 0x90, 0x93, 0x22, 0x4c, 0xc8, 0x49, 0x11,
    0x26, 0xe4, 0xa4, 0x08, 0x13, 0x72, 0x52, 0x84, 0x09, 0x39, 0x29, 0xc2,
    0x84, 0xc4, 0x14, 0x01, 0x00, 0xdc, 0xd1, 0xdb, 0x53, 0x50, 0x0a, 0x00,
    0x00};
/* the same text through zopfli -c (zopfli 1.0.3): several blocks, fixed
   and dynamic */
static const uint8_t t_gz_lines_zopfli[] = {
    0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xca, 0xc9,
    0xcc, 0x4b, 0x55, 0x30, 0xb0, 0x52, 0x28, 0xc9, 0x48, 0x55, 0x28, 0x2c,
    0xcd, 0x4c, 0xce, 0x56, 0x48, 0x2a, 0xca, 0x2f, 0xcf, 0x53, 0x48, 0xcb,
    0xaf, 0x50, 0xc8, 0x2a, 0xcd, 0x2d, 0x28, 0x56, 0xc8, 0x2f, 0x4b, 0x2d,
    0x02, 0x4b, 0xe7, 0x24, 0x56, 0x55, 0x2a, 0xa4, 0xe4, 0xa7, 0x73, 0x81,
    0xf5, 0x00, 0x3a, 0x97, 0x8f, 0x02, 0x80, 0x61, 0x20, 0x00, 0x40, 0x96,
    0x72, 0x23, 0xe3, 0xfc, 0x1b, 0xab, 0x86, 0xc2, 0x9f, 0x80, 0x93, 0x70,
    0x0a, 0x4e, 0xc3, 0xd9, 0x70, 0x0e, 0x9c, 0x0b, 0xe7, 0xc1, 0x19, 0x38,
    0xb1, 0x24, 0x85, 0xa4, 0x94, 0x54, 0x92, 0x5a, 0xd2, 0x96, 0x74, 0x24,
    0x5d, 0x49, 0x4f, 0xd2, 0x40, 0xca, 0x25, 0x29, 0x24, 0xa5, 0xa4, 0x92,
    0xd4, 0x92, 0xb6, 0xa4, 0x23, 0xe9, 0x4a, 0x7a, 0x92, 0x06, 0x52, 0x2d,
    0x49, 0x21, 0x29, 0x25, 0x95, 0xa4, 0x96, 0xb4, 0x25, 0x1d, 0x49, 0x57,
    0xd2, 0x93, 0x34, 0x90, 0x7a, 0x49, 0x0a, 0x49, 0x29, 0xa9, 0x24, 0xb5,
    0xa4, 0x2d, 0xe9, 0x48, 0xba, 0x92, 0x9e, 0xa4, 0xf9, 0x97, 0x3e, 0xdc,
    0xd1, 0xdb, 0x53, 0x50, 0x0a, 0x00, 0x00};

static const char t_hello_text[] = "hello, world\n";

/* the text of t_gz_lines9 and friends: 50 numbered lines, 2640 bytes */
static void t_lines_text(t_bw *b)
{
    int i;
    for (i = 0; i < 50; i++) {
        char line[80];
        int k = snprintf(line, sizeof line, "line %d: the quick brown fox jumps over the lazy dog\n", i);
        t_bw_mem(b, line, (size_t)k);
    }
}

static void t_random(uint8_t *p, size_t n, uint32_t seed)
{
    size_t i;
    for (i = 0; i < n; i++) p[i] = (uint8_t)t_lcg(&seed);
}

/* hand-built members; each appends its gzip bytes to w and its output to exp */

/* stored blocks: an empty one, a short one, one that starts mid-byte after
   a fixed block, the last one */
static void t_mk_stored(t_bw *w, t_bw *exp)
{
    size_t start = exp->n;
    t_codes c;
    t_gz_head(w, 0);
    t_stored_block(w, 0, "", 0, exp);
    t_stored_block(w, 0, "stored ", 7, exp);
    t_fixed_block(w, 0, &c);
    t_lit(w, &c, 'x', exp);
    t_eob(w, &c);
    t_stored_block(w, 1, "data\n", 5, exp);
    t_gz_tail(w, exp->p + start, exp->n - start);
}

/* a fixed block: every literal (8- and 9-bit codes), every length code at
   its largest value, distances from many distance codes, overlapping copies */
static void t_mk_fixed(t_bw *w, t_bw *exp)
{
    size_t start = exp->n;
    unsigned i;
    t_codes c;
    t_gz_head(w, 0);
    t_fixed_block(w, 1, &c);
    for (i = 0; i < 256; i++) t_lit(w, &c, i, exp);
    for (i = 0; i < 29; i++) t_match(w, &c, t_lbase[i] + (1u << t_lext[i]) - 1, (i * 37) % 256 + 1, exp);
    for (i = 0; i < 29; i++) t_match(w, &c, t_lbase[i], 1 + i % 3, exp); /* overlapping */
    for (i = 0; i < 20; i++) t_match(w, &c, 3, t_dbase[i] + (1u << t_dext[i]) - 1, exp);
    t_lit(w, &c, '\n', exp);
    t_eob(w, &c);
    t_gz_tail(w, exp->p + start, exp->n - start);
}

/* a dynamic block whose code lengths need all of 16, 17 and 18:
   'a'..'p' 5 bits, end-of-block 2 bits, lengths 3..6 4 bits, distances
   1..4 2 bits (complete codes) */
static void t_mk_dynamic(t_bw *w, t_bw *exp)
{
    size_t start = exp->n;
    unsigned i;
    t_codes c;
    memset(&c, 0, sizeof c);
    for (i = 'a'; i <= 'p'; i++) c.len[i] = 5;
    c.len[256] = 2;
    for (i = 257; i <= 260; i++) c.len[i] = 4;
    for (i = 0; i < 4; i++) c.dlen[i] = 2;
    t_gz_head(w, 0);
    t_dynamic(w, 1, &c, 261, 4);
    for (i = 'a'; i <= 'p'; i++) t_lit(w, &c, i, exp);
    for (i = 0; i < 40; i++) {
        t_match(w, &c, 3 + i % 4, 1 + (i / 4) % 4, exp);
        t_lit(w, &c, 'a' + (i * 7) % 16, exp);
    }
    t_eob(w, &c);
    t_gz_tail(w, exp->p + start, exp->n - start);
}

/* dynamic blocks with one distance code of one bit (accepted, as zlib
   does), with only an end-of-block code (one code of one bit, also
   accepted) and with no distance codes at all (only literals) */
static void t_mk_dynamic_few(t_bw *w, t_bw *exp)
{
    size_t start = exp->n;
    unsigned i;
    t_codes c;
    memset(&c, 0, sizeof c);
    c.len['x'] = c.len['y'] = c.len[256] = c.len[258] = 2; /* 258 = length 4 */
    c.dlen[0] = 1;
    t_gz_head(w, 0);
    t_dynamic(w, 0, &c, 259, 1);
    t_lit(w, &c, 'x', exp);
    t_lit(w, &c, 'y', exp);
    for (i = 0; i < 10; i++) { t_match(w, &c, 4, 1, exp); t_lit(w, &c, 'x', exp); }
    t_eob(w, &c);
    memset(&c, 0, sizeof c); /* only end-of-block, a single 1-bit code, and no distances */
    c.len[256] = 1;
    t_dynamic(w, 0, &c, 257, 1);
    t_eob(w, &c);
    memset(&c, 0, sizeof c);
    c.len['z'] = c.len[256] = 1;
    t_dynamic(w, 1, &c, 257, 1);
    for (i = 0; i < 5; i++) t_lit(w, &c, 'z', exp);
    t_eob(w, &c);
    t_gz_tail(w, exp->p + start, exp->n - start);
}

/* block types in every order, each stored block right after a Huffman
   block (so that it starts from bytes the decoder may already hold) and
   matches reaching back across block boundaries */
static void t_mk_block_mix(t_bw *w, t_bw *exp)
{
    size_t start = exp->n;
    unsigned i, j;
    t_codes c;
    uint8_t blk[300];
    t_random(blk, sizeof blk, 21);
    t_gz_head(w, 0);
    for (i = 0; i < 9; i++) {
        t_fixed_block(w, 0, &c);
        for (j = 0; j <= i; j++) t_lit(w, &c, 'f', exp);
        if (exp->n - start > 20) t_match(w, &c, 3 + i, 20, exp);
        t_eob(w, &c);
        t_stored_block(w, 0, blk, 1 + i * 9, exp);
        t_stored_block(w, 0, "", 0, exp);
        memset(&c, 0, sizeof c);
        c.len['d'] = c.len['y'] = c.len[256] = c.len[257 + i] = 2;
        c.dlen[0] = c.dlen[9] = c.dlen[18] = 2;
        c.dlen[19] = 2;
        t_dynamic(w, 0, &c, 266, 20);
        t_lit(w, &c, 'd', exp);
        {   /* distance codes 18, 9 or 0, as far back as the member allows */
            size_t have = exp->n - start;
            t_match(w, &c, t_lbase[i], have >= 513 + i ? 513 + i : have >= 25 + i ? 25 + i : 1, exp);
        }
        t_lit(w, &c, 'y', exp);
        t_eob(w, &c);
        t_stored_block(w, 0, blk + i, 7 + i, exp);
    }
    t_fixed_block(w, 0, &c);
    t_eob(w, &c);
    t_stored_block(w, 1, "end\n", 4, exp);
    t_gz_tail(w, exp->p + start, exp->n - start);
}

/* FTEXT, FEXTRA (300 bytes), FNAME, FCOMMENT and FHCRC, all valid */
static void t_mk_flags(t_bw *w, t_bw *exp)
{
    size_t start = exp->n, h0;
    unsigned i;
    t_codes c;
    h0 = w->n;
    t_gz_head(w, 0x1f);
    t_bw_le(w, 300, 2);
    for (i = 0; i < 300; i++) t_bw_put(w, i & 0xffu); /* includes NULs */
    t_bw_mem(w, "name.txt", 9);
    t_bw_mem(w, "a comment", 10);
    t_bw_le(w, upd_crc32(0, w->p + h0, w->n - h0) & 0xffffu, 2);
    t_fixed_block(w, 1, &c);
    t_lit(w, &c, 'o', exp);
    t_lit(w, &c, 'k', exp);
    t_match(w, &c, 10, 2, exp);
    t_eob(w, &c);
    t_gz_tail(w, exp->p + start, exp->n - start);
}

/* 32768 random bytes in a stored block, then a fixed block of matches at
   distance 32768 (length 258, then shorter) and one of every distance
   code: 72 KiB of output, every byte 32768 back from the one before */
static void t_mk_far(t_bw *w, t_bw *exp)
{
    size_t start = exp->n;
    unsigned i;
    t_codes c;
    uint8_t *blk = (uint8_t *)malloc(32768);
    if (!blk) exit(2);
    t_random(blk, 32768, 7);
    t_gz_head(w, 0);
    t_stored_block(w, 0, blk, 32768, exp);
    t_fixed_block(w, 1, &c);
    for (i = 0; i < 150; i++) t_match(w, &c, 258, 32768, exp);
    for (i = 3; i < 40; i++) t_match(w, &c, i, 32768, exp);
    for (i = 0; i < 30; i++) t_match(w, &c, 3 + i % 5, t_dbase[i] + (1u << t_dext[i]) - 1, exp);
    t_eob(w, &c);
    t_gz_tail(w, exp->p + start, exp->n - start);
    free(blk);
}

/* the largest stored block, 65535 bytes, wraps the window twice */
static void t_mk_stored_max(t_bw *w, t_bw *exp)
{
    size_t start = exp->n;
    uint8_t *blk = (uint8_t *)malloc(65535);
    if (!blk) exit(2);
    t_random(blk, 65535, 11);
    t_gz_head(w, 0);
    t_stored_block(w, 0, blk, 65535, exp);
    t_stored_block(w, 1, blk, 3, exp);
    t_gz_tail(w, exp->p + start, exp->n - start);
    free(blk);
}

typedef void (*t_maker)(t_bw *w, t_bw *exp);

static size_t t_add_static(t_vec *v, size_t k, const char *name, const uint8_t *gz, size_t n,
                           const void *want, size_t wn)
{
    memset(&v[k], 0, sizeof v[k]);
    v[k].name = name;
    v[k].gz = (uint8_t *)(uintptr_t)gz;
    v[k].n = n;
    v[k].want = (uint8_t *)(uintptr_t)want;
    v[k].wn = wn;
    v[k].members = 1;
    return k + 1;
}

/* a vector from one or more makers, in a row (one member each) */
static size_t t_add_made(t_vec *v, size_t k, const char *name, t_maker a, t_maker b)
{
    t_bw w, exp;
    memset(&w, 0, sizeof w);
    memset(&exp, 0, sizeof exp);
    t_bw_put(&exp, 0); /* never a NULL pointer, even for empty output */
    exp.n = 0;
    a(&w, &exp);
    if (b) b(&w, &exp);
    v[k].name = name;
    v[k].gz = w.p;
    v[k].n = w.n;
    v[k].want = exp.p;
    v[k].wn = exp.n;
    v[k].members = b ? 2 : 1;
    v[k].owned = 1;
    return k + 1;
}

static void t_mk_hello(t_bw *w, t_bw *exp)
{
    t_bw_mem(w, t_gz_hello, sizeof t_gz_hello);
    t_bw_mem(exp, t_hello_text, 13);
}
static void t_mk_empty(t_bw *w, t_bw *exp) { (void)exp; t_bw_mem(w, t_gz_empty, sizeof t_gz_empty); }
static void t_mk_lines9(t_bw *w, t_bw *exp) { t_bw_mem(w, t_gz_lines9, sizeof t_gz_lines9); t_lines_text(exp); }
static void t_mk_lines_zopfli(t_bw *w, t_bw *exp)
{
    t_bw_mem(w, t_gz_lines_zopfli, sizeof t_gz_lines_zopfli);
    t_lines_text(exp);
}

#define T_MAXVEC 24
static t_bw t_lines; /* the expected text of the t_gz_lines* vectors */

static size_t t_vectors(t_vec *v, int big)
{
    size_t k = 0;
    memset(&t_lines, 0, sizeof t_lines);
    t_lines_text(&t_lines);
    k = t_add_static(v, k, "gzip -9n hello", t_gz_hello, sizeof t_gz_hello, t_hello_text, 13);
    k = t_add_static(v, k, "gzip -9 hello.txt (FNAME)", t_gz_hello_name, sizeof t_gz_hello_name, t_hello_text, 13);
    k = t_add_static(v, k, "python gzip empty", t_gz_empty, sizeof t_gz_empty, "", 0);
    k = t_add_static(v, k, "gzip -9n lines", t_gz_lines9, sizeof t_gz_lines9, t_lines.p, t_lines.n);
    k = t_add_static(v, k, "python zlib Z_FIXED lines", t_gz_lines_fixed, sizeof t_gz_lines_fixed, t_lines.p, t_lines.n);
    k = t_add_static(v, k, "zopfli lines", t_gz_lines_zopfli, sizeof t_gz_lines_zopfli, t_lines.p, t_lines.n);
    k = t_add_made(v, k, "stored blocks", t_mk_stored, NULL);
    k = t_add_made(v, k, "fixed block", t_mk_fixed, NULL);
    k = t_add_made(v, k, "dynamic block", t_mk_dynamic, NULL);
    k = t_add_made(v, k, "dynamic, one or no distance codes", t_mk_dynamic_few, NULL);
    k = t_add_made(v, k, "every block type after every other", t_mk_block_mix, NULL);
    k = t_add_made(v, k, "all header flags", t_mk_flags, NULL);
    k = t_add_made(v, k, "two members", t_mk_fixed, t_mk_dynamic);
    k = t_add_made(v, k, "empty member, then hello", t_mk_empty, t_mk_hello);
    k = t_add_made(v, k, "hello, then an empty member", t_mk_hello, t_mk_empty);
    k = t_add_made(v, k, "gzip -9n lines, then zopfli lines", t_mk_lines9, t_mk_lines_zopfli);
    if (big) {
        k = t_add_made(v, k, "distance 32768, 72 KiB", t_mk_far, NULL);
        k = t_add_made(v, k, "stored block of 65535", t_mk_stored_max, NULL);
        k = t_add_made(v, k, "72 KiB member, then one with a back-reference", t_mk_far, t_mk_fixed);
    }
    return k;
}

static void t_vectors_free(t_vec *v, size_t k)
{
    size_t i;
    for (i = 0; i < k; i++)
        if (v[i].owned) { free(v[i].gz); free(v[i].want); }
    t_bw_free(&t_lines);
}

static upd_gunzip t_z;                 /* 40 KiB: not on the stack */
static uint8_t t_out[(1u << 18) + 64]; /* bigger than every vector's output */
static const uint8_t t_zeros[64];

/* ---- tests ---------------------------------------------------------------- */
static void test_gunzip_crc32(void)
{
    static const char *msg = "123456789";
    uint8_t big[1000];
    uint32_t c;
    size_t i;
    CHECK_EQ_INT(upd_crc32(0, msg, 9), 0xCBF43926u); /* the CRC-32/ISO-HDLC check value */
    CHECK_EQ_INT(upd_crc32(0, "", 0), 0);
    CHECK_EQ_INT(upd_crc32(0, NULL, 0), 0);
    CHECK_EQ_INT(upd_crc32(0, "a", 1), 0xE8B7BE43u);
    /* values from Python 3.11's zlib.crc32(b"a") and zlib.crc32(bytes(32)) */
    memset(big, 0, 32);
    CHECK_EQ_INT(upd_crc32(0, big, 32), 0x190A55ADu);
    t_random(big, sizeof big, 3);
    for (i = 0; i <= sizeof big; i += 37) {
        c = upd_crc32(0, big, i);
        c = upd_crc32(c, big + i, sizeof big - i);
        CHECK_EQ_INT(c, upd_crc32(0, big, sizeof big));
    }
    c = 0;
    for (i = 0; i < 9; i++) c = upd_crc32(c, msg + i, 1);
    CHECK_EQ_INT(c, 0xCBF43926u);
    c = upd_crc32(upd_crc32(0, msg, 4), msg + 4, 5);
    CHECK_EQ_INT(c, 0xCBF43926u);
}

/* NULL with a length of 0 is fine for input and output, also while a match
   is waiting for output space: "a" and a match of 10 at distance 1 (a fixed
   block), its output cut after 3 bytes */
static void test_gunzip_null_buffers(void)
{
    static const uint8_t gz[] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0x4b, 0x44, 0, 0,
                                 0x92, 0x5d, 0x46, 0x55, 0x0b, 0, 0, 0};
    uint8_t out[16];
    size_t il = sizeof gz, ol = 3, used;
    upd_gunzip_init(&t_z, 0);
    CHECK_EQ_INT(upd_gunzip_run(&t_z, gz, &il, out, &ol, 1), UPD_NEED_OUTPUT);
    CHECK_EQ_INT(ol, 3);
    used = il;
    il = 0;
    ol = 0;
    CHECK_EQ_INT(upd_gunzip_run(&t_z, NULL, &il, NULL, &ol, 0), UPD_NEED_OUTPUT);
    CHECK_EQ_INT(ol, 0);
    il = sizeof gz - used;
    ol = 0;
    CHECK_EQ_INT(upd_gunzip_run(&t_z, gz + used, &il, NULL, &ol, 1), UPD_NEED_OUTPUT);
    CHECK_EQ_INT(ol, 0);
    used += il;
    il = sizeof gz - used;
    ol = sizeof out - 3;
    CHECK_EQ_INT(upd_gunzip_run(&t_z, gz + used, &il, out + 3, &ol, 1), UPD_OK);
    CHECK_EQ_INT(used + il, sizeof gz);
    CHECK(ol == 8 && memcmp(out, "aaaaaaaaaaa", 11) == 0);
}

/* every vector decodes the same whole, a byte in at a time, a byte out at a
   time and in random splits of both, with the counters right */
static void test_gunzip_vectors_streaming(void)
{
    t_vec v[T_MAXVEC];
    size_t k = t_vectors(v, 1), i;
    int mode;
    for (i = 0; i < k; i++) {
        for (mode = T_WHOLE; mode <= T_SPLIT + 2; mode++) {
            int m = mode > T_SPLIT ? T_SPLIT : mode;
            uint32_t seed = (uint32_t)(mode - T_SPLIT + 1);
            size_t used = 0, got = 0;
            int r;
            upd_gunzip_init(&t_z, 0);
            r = t_run(&t_z, v[i].gz, v[i].n, t_out, v[i].wn + 64, &used, &got, m, seed);
            CHECK_EQ_INT(r, UPD_OK);
            CHECK_EQ_INT(got, v[i].wn);
            CHECK(got == v[i].wn && memcmp(t_out, v[i].want, got) == 0);
            CHECK_EQ_INT(used, v[i].n);
            CHECK_EQ_INT(t_z.members, v[i].members);
            CHECK_EQ_INT(t_z.total_in, v[i].n);
            CHECK_EQ_INT(t_z.total_out, v[i].wn);
            if (r != UPD_OK || got != v[i].wn || memcmp(t_out, v[i].want, got) != 0)
                printf("  ... vector \"%s\", %s (seed %u): %s, %zu of %zu bytes\n", v[i].name,
                       t_mode_name[m], (unsigned)seed, r == T_STUCK ? "no progress" : upd_strerror((upd_result)r),
                       got, v[i].wn);
        }
    }
    t_vectors_free(v, k);
}

/* the 72 KiB member: bytes 32768 and 65536 further on repeat the first
   block (checked here directly, not only against the builder's copy) */
static void test_gunzip_distance_32768(void)
{
    t_vec v[1];
    uint8_t blk[300];
    size_t got = 0, i;
    int r, ok = 1;
    t_add_made(v, 0, "far", t_mk_far, NULL);
    CHECK(v[0].wn > 65536 + 258);
    upd_gunzip_init(&t_z, 0);
    r = t_run(&t_z, v[0].gz, v[0].n, t_out, sizeof t_out, NULL, &got, T_WHOLE, 0);
    CHECK_EQ_INT(r, UPD_OK);
    CHECK_EQ_INT(got, v[0].wn);
    t_random(blk, sizeof blk, 7);
    CHECK(memcmp(t_out, blk, sizeof blk) == 0);
    /* the stored block, 150 matches of 258 and 37 of 3..39, all at 32768 */
    CHECK(got > 32768 + 150 * 258 + 777);
    for (i = 32768; i < 32768 + 150 * 258 + 777 && i < got; i++)
        if (t_out[i] != t_out[i - 32768]) { ok = 0; break; }
    CHECK(ok);
    CHECK(memcmp(t_out + 32768, blk, sizeof blk) == 0);
    CHECK(memcmp(t_out + 65536, blk, sizeof blk) == 0);
    t_vectors_free(v, 1);
}

/* Every proper prefix of a valid member: with final = 1 it is
   UPD_E_TRUNCATED; with final = 0 it is UPD_NEED_INPUT, and the rest then
   completes it. Members over 1 KiB are cut at a sample of places. */
static void test_gunzip_truncated(void)
{
    t_vec v[T_MAXVEC];
    size_t k = t_vectors(v, 1), i, cut;
    for (i = 0; i < k; i++) {
        size_t step = v[i].n > 1024 ? v[i].n / 23 : 1;
        if (v[i].members != 1) continue;
        for (cut = 0; cut < v[i].n; cut++) {
            size_t got = 0, got2 = 0, used = 0, il, ol;
            int r;
            if (cut % step != 0 && cut + 12 < v[i].n) continue;
            upd_gunzip_init(&t_z, 0);
            r = t_run(&t_z, v[i].gz, cut, t_out, sizeof t_out, &used, &got, T_WHOLE, 0);
            if (r != UPD_E_TRUNCATED)
                printf("  ... vector \"%s\" cut at %zu of %zu: %d\n", v[i].name, cut, v[i].n, r);
            CHECK_EQ_INT(r, UPD_E_TRUNCATED);
            CHECK(got <= v[i].wn && memcmp(t_out, v[i].want, got) == 0);
            upd_gunzip_init(&t_z, 0);
            il = cut;
            ol = sizeof t_out;
            r = upd_gunzip_run(&t_z, v[i].gz, &il, t_out, &ol, 0);
            CHECK_EQ_INT(r, UPD_NEED_INPUT);
            CHECK_EQ_INT(il, cut);
            r = t_run(&t_z, v[i].gz + cut, v[i].n - cut, t_out + ol, sizeof t_out - ol, NULL, &got2, T_WHOLE, 0);
            CHECK_EQ_INT(r, UPD_OK);
            CHECK(ol + got2 == v[i].wn && memcmp(t_out, v[i].want, v[i].wn) == 0);
        }
    }
    t_vectors_free(v, k);
    /* empty input */
    {
        size_t il = 0, ol = 16;
        upd_gunzip_init(&t_z, 0);
        CHECK_EQ_INT(upd_gunzip_run(&t_z, NULL, &il, t_out, &ol, 1), UPD_E_TRUNCATED);
        CHECK_EQ_INT(ol, 0);
        upd_gunzip_init(&t_z, 0);
        il = 0;
        CHECK_EQ_INT(upd_gunzip_run(&t_z, t_gz_hello, &il, t_out, &ol, 0), UPD_NEED_INPUT);
    }
}

/* max_output: one byte less than the output is UPD_E_TOOBIG with at most
   that many bytes delivered (all correct); exactly the output size is OK */
static void test_gunzip_max_output(void)
{
    t_vec v[T_MAXVEC];
    size_t k = t_vectors(v, 1), i;
    int mode;
    for (i = 0; i < k; i++) {
        if (v[i].wn < 2) continue;
        for (mode = 0; mode < 3; mode++) {
            int m = mode == 0 ? T_WHOLE : mode == 1 ? T_SPLIT : T_OUT1;
            size_t got = 0;
            int r;
            if (m == T_OUT1 && v[i].wn > 20000) continue;
            upd_gunzip_init(&t_z, v[i].wn - 1);
            r = t_run(&t_z, v[i].gz, v[i].n, t_out, sizeof t_out, NULL, &got, m, 5);
            CHECK_EQ_INT(r, UPD_E_TOOBIG);
            CHECK(got <= v[i].wn - 1 && memcmp(t_out, v[i].want, got) == 0);
            CHECK(t_z.total_out <= v[i].wn - 1);
            upd_gunzip_init(&t_z, v[i].wn);
            r = t_run(&t_z, v[i].gz, v[i].n, t_out, sizeof t_out, NULL, &got, m, 5);
            CHECK_EQ_INT(r, UPD_OK);
            CHECK(got == v[i].wn && memcmp(t_out, v[i].want, got) == 0);
        }
    }
    t_vectors_free(v, k);
    {   /* a limit of 1: only 'h' may come out */
        size_t got = 0;
        upd_gunzip_init(&t_z, 1);
        CHECK_EQ_INT(t_run(&t_z, t_gz_hello, sizeof t_gz_hello, t_out, sizeof t_out, NULL, &got, T_WHOLE, 0),
                     UPD_E_TOOBIG);
        CHECK(got <= 1);
    }
}

/* Decodes gz with every mode, expecting the error want; then checks that
   the error is sticky: another call returns it and consumes nothing. */
static void t_expect(const char *what, const uint8_t *gz, size_t n, int want)
{
    int mode;
    for (mode = T_WHOLE; mode <= T_SPLIT; mode++) {
        size_t il, ol;
        int r;
        upd_gunzip_init(&t_z, 0);
        r = t_run(&t_z, gz, n, t_out, sizeof t_out, NULL, NULL, mode, 1);
        if (r != want)
            printf("  ... %s, %s: got %d (%s), want %d (%s)\n", what, t_mode_name[mode], r,
                   r == T_STUCK ? "no progress" : upd_strerror((upd_result)r), want, upd_strerror((upd_result)want));
        CHECK_EQ_INT(r, want);
        il = n;
        ol = 64;
        CHECK_EQ_INT(upd_gunzip_run(&t_z, gz, &il, t_out, &ol, 1), want);
        CHECK_EQ_INT(il, 0);
        CHECK_EQ_INT(ol, 0);
        il = n;
        ol = 64;
        CHECK_EQ_INT(upd_gunzip_run(&t_z, gz, &il, t_out, &ol, 0), want);
        CHECK_EQ_INT(il, 0);
        CHECK_EQ_INT(ol, 0);
    }
}

/* copies of t_gz_hello with one byte changed */
static void t_expect_hello_patch(const char *what, size_t at, unsigned byte, int want)
{
    uint8_t gz[sizeof t_gz_hello];
    memcpy(gz, t_gz_hello, sizeof gz);
    gz[at] = (uint8_t)byte;
    t_expect(what, gz, sizeof gz, want);
}

static void test_gunzip_errors_gzip(void)
{
    t_bw w;
    uint8_t buf[sizeof t_gz_hello + 600];
    memset(&w, 0, sizeof w);
    t_expect_hello_patch("first magic byte", 0, 0x1e, UPD_E_GZIP_MAGIC);
    t_expect_hello_patch("second magic byte", 1, 0x8c, UPD_E_GZIP_MAGIC);
    t_expect("zip file", (const uint8_t *)"PK\3\4\24\0\0\0\10\0\0\0\0\0\0\0\0\0\0\0", 20, UPD_E_GZIP_MAGIC);
    t_expect_hello_patch("CM 7", 2, 7, UPD_E_GZIP_METHOD);
    t_expect_hello_patch("FLG bit 5", 3, 0x20, UPD_E_GZIP_FLAGS);
    t_expect_hello_patch("FLG bit 7", 3, 0x80, UPD_E_GZIP_FLAGS);
    t_expect_hello_patch("wrong CRC-32", sizeof t_gz_hello - 8, 0x54, UPD_E_GZIP_CRC);
    t_expect_hello_patch("ISIZE + 1", sizeof t_gz_hello - 4, 0x0e, UPD_E_GZIP_SIZE);
    t_expect_hello_patch("ISIZE + 2^24", sizeof t_gz_hello - 1, 0x01, UPD_E_GZIP_SIZE);
    /* FHCRC with a wrong header CRC */
    t_gz_head(&w, 2);
    t_bw_le(&w, (upd_crc32(0, w.p, 10) & 0xffffu) ^ 0x100u, 2);
    t_bw_mem(&w, t_gz_hello + 10, sizeof t_gz_hello - 10);
    t_expect("FHCRC mismatch", w.p, w.n, UPD_E_GZIP_HCRC);
    /* and with the right one: fine */
    w.p[11] ^= 1;
    t_expect("FHCRC ok", w.p, w.n, UPD_OK);
    t_bw_free(&w);
    /* after the last member: anything but another member is an error */
    memcpy(buf, t_gz_hello, sizeof t_gz_hello);
    memcpy(buf + sizeof t_gz_hello, "x", 1);
    t_expect("one byte of trailing garbage", buf, sizeof t_gz_hello + 1, UPD_E_GZIP_MAGIC);
    buf[sizeof t_gz_hello] = 0;
    t_expect("one zero byte after the member", buf, sizeof t_gz_hello + 1, UPD_E_GZIP_MAGIC);
    memset(buf + sizeof t_gz_hello, 0, 600);
    t_expect("600 zero bytes after the member", buf, sizeof buf, UPD_E_GZIP_MAGIC);
    memcpy(buf + sizeof t_gz_hello, "trailing garbage", 16);
    t_expect("16 bytes of trailing garbage", buf, sizeof t_gz_hello + 16, UPD_E_GZIP_MAGIC);
    buf[sizeof t_gz_hello] = 0x1f;
    t_expect("garbage after a valid magic byte", buf, sizeof t_gz_hello + 16, UPD_E_GZIP_MAGIC);
    /* truncation, two ways */
    t_expect("empty input", t_gz_hello, 0, UPD_E_TRUNCATED);
    t_expect("no trailer", t_gz_hello, sizeof t_gz_hello - 8, UPD_E_TRUNCATED);
    memcpy(buf, t_gz_hello, sizeof t_gz_hello);
    memcpy(buf + sizeof t_gz_hello, t_gz_hello, 12);
    t_expect("second member cut short", buf, sizeof t_gz_hello + 12, UPD_E_TRUNCATED);
}

/* a member with a deflate body made by fn, then 40 zero bytes and a zero
   trailer: never reached, but no error can be mistaken for truncation, and
   a decoder that goes faster with plenty of input left goes faster here */
static void t_expect_body(const char *what, void (*fn)(t_bw *w), int want)
{
    t_bw w;
    memset(&w, 0, sizeof w);
    t_gz_head(&w, 0);
    fn(&w);
    t_bw_le(&w, 0, 4);
    t_bw_le(&w, 0, 4);
    t_bw_mem(&w, t_zeros, 40);
    t_bw_le(&w, 0, 4);
    t_bw_le(&w, 0, 4);
    t_expect(what, w.p, w.n, want);
    t_bw_free(&w);
}

static void t_body_btype3(t_bw *w) { t_bw_bits(w, 1, 1); t_bw_bits(w, 3, 2); }
static void t_body_btype3_later(t_bw *w)
{
    t_codes c;
    t_fixed_block(w, 0, &c);
    t_lit(w, &c, 'a', NULL);
    t_eob(w, &c);
    t_bw_bits(w, 1, 1);
    t_bw_bits(w, 3, 2);
}
static void t_body_nlen(t_bw *w)
{
    t_bw_bits(w, 1, 3);
    t_bw_le(w, 5, 2);
    t_bw_le(w, 5, 2); /* should be 0xfffa */
    t_bw_mem(w, "hello", 5);
}
static void t_body_nlen_one_bit(t_bw *w)
{
    t_bw_bits(w, 1, 3);
    t_bw_le(w, 0, 2);
    t_bw_le(w, 0x7fff, 2); /* should be 0xffff */
}
/* three code length codes of one bit */
static void t_body_oversub_cl(t_bw *w)
{
    t_cl cl;
    memset(&cl, 0, sizeof cl);
    cl.len[0] = cl.len[1] = cl.len[2] = 1;
    t_dyn_start(w, 1, 257, 1, &cl);
}
static void t_body_oversub_lit(t_bw *w)
{
    t_codes c;
    memset(&c, 0, sizeof c);
    c.len[0] = c.len[1] = c.len[256] = 1;
    c.dlen[0] = 1;
    t_dynamic(w, 1, &c, 257, 1);
}
static void t_body_oversub_dist(t_bw *w)
{
    t_codes c;
    memset(&c, 0, sizeof c);
    c.len[0] = c.len[256] = 1;
    c.dlen[0] = c.dlen[1] = 1;
    c.dlen[2] = 2;
    t_dynamic(w, 1, &c, 257, 3);
}
/* two code length codes of two bits */
static void t_body_incomplete_cl(t_bw *w)
{
    t_cl cl;
    memset(&cl, 0, sizeof cl);
    cl.len[0] = cl.len[8] = 2;
    t_dyn_start(w, 1, 257, 1, &cl);
}
static void t_body_incomplete_lit(t_bw *w)
{
    t_codes c;
    memset(&c, 0, sizeof c);
    c.len['a'] = c.len[256] = 2;
    c.dlen[0] = 1;
    t_dynamic(w, 1, &c, 257, 1);
}
static void t_body_incomplete_dist(t_bw *w)
{
    t_codes c;
    memset(&c, 0, sizeof c);
    c.len['a'] = c.len[256] = 1;
    c.dlen[0] = c.dlen[3] = 2;
    t_dynamic(w, 1, &c, 257, 4);
}
static void t_body_incomplete_dist_one(t_bw *w) /* one distance code, but of two bits */
{
    t_codes c;
    memset(&c, 0, sizeof c);
    c.len['a'] = c.len[256] = 1;
    c.dlen[0] = 2;
    t_dynamic(w, 1, &c, 257, 1);
}
static void t_body_hlit287(t_bw *w) /* HLIT = 30 */
{
    t_cl cl;
    t_cl_default(&cl);
    t_dyn_start(w, 1, 287, 1, &cl);
}
static void t_body_hdist32(t_bw *w) /* HDIST = 31 */
{
    t_cl cl;
    t_cl_default(&cl);
    t_dyn_start(w, 1, 257, 32, &cl);
}
static void t_body_code16_first(t_bw *w)
{
    t_cl cl;
    t_cl_default(&cl);
    t_dyn_start(w, 1, 257, 1, &cl);
    t_cl_put(w, &cl, 16, 3);
}
static void t_body_code18_overrun(t_bw *w) /* 276 lengths of 258 */
{
    t_cl cl;
    t_cl_default(&cl);
    t_dyn_start(w, 1, 257, 1, &cl);
    t_cl_put(w, &cl, 18, 138);
    t_cl_put(w, &cl, 18, 138);
}
static void t_body_code16_overrun(t_bw *w) /* 256 + 1 + 6 lengths of 258 */
{
    t_cl cl;
    t_cl_default(&cl);
    t_dyn_start(w, 1, 257, 1, &cl);
    t_cl_put(w, &cl, 18, 138);
    t_cl_put(w, &cl, 18, 118);
    t_cl_put(w, &cl, 1, 0);
    t_cl_put(w, &cl, 16, 6);
}
static void t_body_code17_overrun(t_bw *w) /* 255 + 10 lengths of 258 */
{
    t_cl cl;
    t_cl_default(&cl);
    t_dyn_start(w, 1, 257, 1, &cl);
    t_cl_put(w, &cl, 18, 138);
    t_cl_put(w, &cl, 18, 117);
    t_cl_put(w, &cl, 17, 10);
}
/* 255 zeros, a 1, and three more 1s by code 16: 259 lengths of 258, where
   258 would make complete codes (literal 255 and end-of-block, 1 bit each;
   one 1-bit distance code) */
static void t_body_code16_overrun_by_one(t_bw *w)
{
    t_cl cl;
    t_cl_default(&cl);
    t_dyn_start(w, 1, 257, 1, &cl);
    t_cl_put(w, &cl, 18, 138);
    t_cl_put(w, &cl, 18, 117);
    t_cl_put(w, &cl, 1, 0);
    t_cl_put(w, &cl, 16, 3);
    t_bw_bits(w, 0, 16); /* literal 255 twice, if it got this far */
}
/* a code length code of one 1-bit code: incomplete, and unlike the
   distance code that is never allowed (there is always more than one
   length to send) */
static void t_body_incomplete_cl_one(t_bw *w)
{
    t_cl cl;
    memset(&cl, 0, sizeof cl);
    cl.len[0] = 1;
    t_dyn_start(w, 1, 257, 1, &cl);
    t_bw_bits(w, 0, 32);
}
static void t_body_no_eob(t_bw *w) /* complete codes, but none for 256 */
{
    t_codes c;
    memset(&c, 0, sizeof c);
    c.len['a'] = c.len['b'] = 1;
    c.dlen[0] = 1;
    t_dynamic(w, 1, &c, 257, 1);
}
static void t_body_lit286(t_bw *w)
{
    t_codes c;
    t_fixed_block(w, 1, &c);
    t_lit(w, &c, 'a', NULL);
    t_sym(w, &c, 286);
}
static void t_body_lit287(t_bw *w)
{
    t_codes c;
    t_fixed_block(w, 1, &c);
    t_sym(w, &c, 287);
}
static void t_body_dist30(t_bw *w)
{
    t_codes c;
    t_fixed_block(w, 1, &c);
    t_lit(w, &c, 'a', NULL);
    t_sym(w, &c, 257);
    t_bw_code(w, c.dcode[30], 5);
}
static void t_body_dist31(t_bw *w)
{
    t_codes c;
    t_fixed_block(w, 1, &c);
    t_lit(w, &c, 'a', NULL);
    t_sym(w, &c, 285);
    t_bw_code(w, c.dcode[31], 5);
}
static void t_body_dist_unused_code(t_bw *w) /* one 1-bit distance code (0); code 1 sent */
{
    t_codes c;
    memset(&c, 0, sizeof c);
    c.len['a'] = c.len[256] = c.len[257] = c.len[258] = 2;
    c.dlen[0] = 1;
    t_dynamic(w, 1, &c, 259, 1);
    t_lit(w, &c, 'a', NULL);
    t_sym(w, &c, 257);
    t_bw_bits(w, 1, 1);
}
static void t_body_dist_none(t_bw *w) /* no distance codes, but a match */
{
    t_codes c;
    memset(&c, 0, sizeof c);
    c.len['a'] = c.len[256] = c.len[257] = c.len[258] = 2;
    t_dynamic(w, 1, &c, 259, 1);
    t_lit(w, &c, 'a', NULL);
    t_sym(w, &c, 257);
    t_bw_bits(w, 0, 8);
}
static void t_body_dist_first(t_bw *w)
{
    t_codes c;
    t_fixed_block(w, 1, &c);
    t_match(w, &c, 3, 1, NULL);
}
static void t_body_dist_one_too_far(t_bw *w)
{
    t_codes c;
    t_fixed_block(w, 1, &c);
    t_lit(w, &c, '1', NULL);
    t_lit(w, &c, '2', NULL);
    t_lit(w, &c, '3', NULL);
    t_match(w, &c, 3, 3, NULL);  /* fine: 6 bytes */
    t_match(w, &c, 10, 7, NULL); /* one too far */
}
static void t_body_dist_far_stored(t_bw *w) /* 1000 stored bytes, then distance 1001 */
{
    t_codes c;
    static uint8_t zeros[1000];
    t_stored_block(w, 0, zeros, sizeof zeros, NULL);
    t_fixed_block(w, 1, &c);
    t_match(w, &c, 3, 1000, NULL);
    t_match(w, &c, 3, 1004, NULL);
}

static void test_gunzip_errors_deflate(void)
{
    t_expect_body("BTYPE 11", t_body_btype3, UPD_E_DEFLATE_BLOCK);
    t_expect_body("BTYPE 11 after a block", t_body_btype3_later, UPD_E_DEFLATE_BLOCK);
    t_expect_body("stored NLEN = LEN", t_body_nlen, UPD_E_DEFLATE_STORED);
    t_expect_body("stored NLEN off by one bit", t_body_nlen_one_bit, UPD_E_DEFLATE_STORED);
    t_expect_body("code length code over-subscribed", t_body_oversub_cl, UPD_E_DEFLATE_OVERSUB);
    t_expect_body("lit/len code over-subscribed", t_body_oversub_lit, UPD_E_DEFLATE_OVERSUB);
    t_expect_body("distance code over-subscribed", t_body_oversub_dist, UPD_E_DEFLATE_OVERSUB);
    t_expect_body("code length code incomplete", t_body_incomplete_cl, UPD_E_DEFLATE_INCOMPLETE);
    t_expect_body("lit/len code incomplete", t_body_incomplete_lit, UPD_E_DEFLATE_INCOMPLETE);
    t_expect_body("distance code incomplete", t_body_incomplete_dist, UPD_E_DEFLATE_INCOMPLETE);
    t_expect_body("one distance code of two bits", t_body_incomplete_dist_one, UPD_E_DEFLATE_INCOMPLETE);
    t_expect_body("HLIT 30", t_body_hlit287, UPD_E_DEFLATE_LENS);
    t_expect_body("HDIST 31", t_body_hdist32, UPD_E_DEFLATE_LENS);
    t_expect_body("code 16 first", t_body_code16_first, UPD_E_DEFLATE_LENS);
    t_expect_body("code 18 past the end", t_body_code18_overrun, UPD_E_DEFLATE_LENS);
    t_expect_body("code 17 past the end", t_body_code17_overrun, UPD_E_DEFLATE_LENS);
    t_expect_body("code 16 past the end", t_body_code16_overrun, UPD_E_DEFLATE_LENS);
    t_expect_body("code 16 one past the end", t_body_code16_overrun_by_one, UPD_E_DEFLATE_LENS);
    t_expect_body("no code for 256", t_body_no_eob, UPD_E_DEFLATE_LENS);
    t_expect_body("code length code of one 1-bit code", t_body_incomplete_cl_one, UPD_E_DEFLATE_INCOMPLETE);
    t_expect_body("fixed lit/len 286", t_body_lit286, UPD_E_DEFLATE_SYMBOL);
    t_expect_body("fixed lit/len 287", t_body_lit287, UPD_E_DEFLATE_SYMBOL);
    t_expect_body("fixed distance 30", t_body_dist30, UPD_E_DEFLATE_SYMBOL);
    t_expect_body("fixed distance 31", t_body_dist31, UPD_E_DEFLATE_SYMBOL);
    t_expect_body("unused half of a 1-bit distance code", t_body_dist_unused_code, UPD_E_DEFLATE_SYMBOL);
    t_expect_body("match without distance codes", t_body_dist_none, UPD_E_DEFLATE_SYMBOL);
    t_expect_body("distance 1 first", t_body_dist_first, UPD_E_DEFLATE_DIST);
    t_expect_body("distance one too far", t_body_dist_one_too_far, UPD_E_DEFLATE_DIST);
    t_expect_body("distance past stored data", t_body_dist_far_stored, UPD_E_DEFLATE_DIST);
}

/* a back-reference never reaches into the previous member's output */
static void test_gunzip_members_separate(void)
{
    t_bw w, exp;
    memset(&w, 0, sizeof w);
    memset(&exp, 0, sizeof exp);
    t_mk_fixed(&w, &exp);
    t_gz_head(&w, 0);
    t_body_dist_first(&w);
    t_bw_le(&w, 0, 4);
    t_bw_le(&w, 0, 4);
    t_expect("distance 1 first in the second member", w.p, w.n, UPD_E_DEFLATE_DIST);
    t_bw_free(&w);
    t_bw_free(&exp);
}

/* all-zero state works without upd_gunzip_init: static and memset */
static void test_gunzip_zero_state(void)
{
    static upd_gunzip zs;
    upd_gunzip *zh = (upd_gunzip *)malloc(sizeof *zh);
    size_t got = 0;
    int r;
    r = t_run(&zs, t_gz_lines9, sizeof t_gz_lines9, t_out, sizeof t_out, NULL, &got, T_WHOLE, 0);
    CHECK_EQ_INT(r, UPD_OK);
    CHECK_EQ_INT(got, 2640);
    CHECK_EQ_INT(zs.members, 1);
    CHECK(zh != NULL);
    if (!zh) return;
    memset(zh, 0, sizeof *zh);
    r = t_run(zh, t_gz_hello, sizeof t_gz_hello, t_out, sizeof t_out, NULL, &got, T_IN1, 0);
    CHECK_EQ_INT(r, UPD_OK);
    CHECK(got == 13 && memcmp(t_out, t_hello_text, 13) == 0);
    /* re-init after an error starts afresh */
    memset(zh, 0, sizeof *zh);
    r = t_run(zh, t_gz_lines9, 5, t_out, sizeof t_out, NULL, &got, T_WHOLE, 0);
    CHECK_EQ_INT(r, UPD_E_TRUNCATED);
    upd_gunzip_init(zh, 0);
    r = t_run(zh, t_gz_hello, sizeof t_gz_hello, t_out, sizeof t_out, NULL, &got, T_WHOLE, 0);
    CHECK_EQ_INT(r, UPD_OK);
    CHECK_EQ_INT(zh->total_out, 13);
    free(zh);
}

/* a stream fed up to a member boundary with final = 1 is complete; with
   final = 0 it waits, and a zero-length final call then ends it */
static void test_gunzip_member_boundary(void)
{
    uint8_t two[2 * sizeof t_gz_hello];
    size_t il, ol;
    memcpy(two, t_gz_hello, sizeof t_gz_hello);
    memcpy(two + sizeof t_gz_hello, t_gz_hello, sizeof t_gz_hello);
    upd_gunzip_init(&t_z, 0);
    il = sizeof t_gz_hello;
    ol = sizeof t_out;
    CHECK_EQ_INT(upd_gunzip_run(&t_z, two, &il, t_out, &ol, 0), UPD_NEED_INPUT);
    CHECK_EQ_INT(il, sizeof t_gz_hello);
    CHECK_EQ_INT(ol, 13);
    CHECK_EQ_INT(t_z.members, 1);
    il = sizeof t_gz_hello;
    ol = sizeof t_out;
    CHECK_EQ_INT(upd_gunzip_run(&t_z, two + sizeof t_gz_hello, &il, t_out, &ol, 0), UPD_NEED_INPUT);
    CHECK_EQ_INT(ol, 13);
    CHECK_EQ_INT(t_z.members, 2);
    il = 0;
    ol = sizeof t_out;
    CHECK_EQ_INT(upd_gunzip_run(&t_z, NULL, &il, t_out, &ol, 1), UPD_OK);
    CHECK_EQ_INT(ol, 0);
    CHECK_EQ_INT(t_z.total_out, 26);
    CHECK_EQ_INT(t_z.total_in, sizeof two);
    /* whole, with final = 1: both members */
    upd_gunzip_init(&t_z, 0);
    il = sizeof two;
    ol = sizeof t_out;
    CHECK_EQ_INT(upd_gunzip_run(&t_z, two, &il, t_out, &ol, 1), UPD_OK);
    CHECK_EQ_INT(il, sizeof two);
    CHECK_EQ_INT(ol, 26);
    CHECK_EQ_INT(t_z.members, 2);
    /* output space of zero: nothing to do but ask for it */
    upd_gunzip_init(&t_z, 0);
    il = sizeof t_gz_hello;
    ol = 0;
    CHECK_EQ_INT(upd_gunzip_run(&t_z, t_gz_hello, &il, NULL, &ol, 1), UPD_NEED_OUTPUT);
    CHECK_EQ_INT(ol, 0);
    {
        size_t rest = sizeof t_gz_hello - il;
        ol = sizeof t_out;
        CHECK_EQ_INT(upd_gunzip_run(&t_z, t_gz_hello + il, &rest, t_out, &ol, 1), UPD_OK);
        CHECK(ol == 13 && memcmp(t_out, t_hello_text, 13) == 0);
    }
}

static void test_gunzip_strerror(void)
{
    static const int codes[] = {UPD_E_GZIP_MAGIC, UPD_E_GZIP_METHOD, UPD_E_GZIP_FLAGS,
        UPD_E_GZIP_HCRC, UPD_E_GZIP_CRC, UPD_E_GZIP_SIZE, UPD_E_DEFLATE_BLOCK,
        UPD_E_DEFLATE_STORED, UPD_E_DEFLATE_OVERSUB, UPD_E_DEFLATE_INCOMPLETE,
        UPD_E_DEFLATE_LENS, UPD_E_DEFLATE_SYMBOL, UPD_E_DEFLATE_DIST, UPD_E_TRUNCATED, UPD_E_TOOBIG};
    size_t i, j;
    for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *s = upd_strerror((upd_result)codes[i]);
        CHECK(codes[i] < 0);
        CHECK(s != NULL && s[0] != '\0');
        for (j = 0; j < i; j++) CHECK(codes[j] != codes[i] && strcmp(s, upd_strerror((upd_result)codes[j])) != 0);
    }
}

#define TEST_LIST_GUNZIP T(test_gunzip_crc32) T(test_gunzip_null_buffers) T(test_gunzip_vectors_streaming) \
    T(test_gunzip_distance_32768) T(test_gunzip_truncated) T(test_gunzip_max_output) \
    T(test_gunzip_errors_gzip) T(test_gunzip_errors_deflate) T(test_gunzip_members_separate) \
    T(test_gunzip_zero_state) T(test_gunzip_member_boundary) T(test_gunzip_strerror)
