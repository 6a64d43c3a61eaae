/* Signatures (updater.h section 5). SHA-512: the FIPS 180-4 examples, the
   padding boundaries against digests from Python's hashlib, streaming in
   pieces, random lengths against the one-shot. BLAKE2b: RFC 7693 Appendix A,
   the 256 unkeyed KAT vectors (tests/data/blake2b_kat.txt, made by
   tests/data/gen_blake2b.py), streaming across the block edge, shorter
   digests. Ed25519: RFC 8032 7.1 keys and signatures byte for byte, every
   Wycheproof vector (tests/data/wycheproof_ed25519.tsv), the "Taming the
   many EdDSAs" cases, signify's malleated S+L signature, single-bit flips.
   minisign: the fixtures of minisign 0.11 (docs/signatures.md formats)
   verify and match our signer byte for byte; each malformation gets its
   own error; keys and signatures made here round-trip. Interop with the
   real minisign tool is in tests/sign.sh. */

/* ---- test utilities ---- */
static uint32_t tsig_state = 0x9e3779b9u;
static uint32_t tsig_rand(void) /* xorshift32: reproducible runs */
{
    tsig_state ^= tsig_state << 13;
    tsig_state ^= tsig_state >> 17;
    tsig_state ^= tsig_state << 5;
    return tsig_state;
}
static void tsig_fill(uint8_t *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) p[i] = (uint8_t)(tsig_rand() >> 24);
}

static int tsig_nibble(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
/* n hex digits to bytes; the byte count, or -1 */
static long tsig_unhex(const char *hex, size_t n, uint8_t *out, size_t cap)
{
    size_t i;
    if (n % 2 || n / 2 > cap) return -1;
    for (i = 0; i < n / 2; i++) {
        int hi = tsig_nibble(hex[2 * i]), lo = tsig_nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return (long)(n / 2);
}
static void tsig_unhex_str(const char *hex, uint8_t *out, size_t n)
{
    if (tsig_unhex(hex, strlen(hex), out, n) != (long)n) {
        printf("t_sign: bad hex constant %.20s...\n", hex);
        exit(2);
    }
}
/* digest bytes as lower-case hex in a static buffer */
static const char *tsig_hex(const uint8_t *d, size_t n)
{
    static char buf[2 * 128 + 1];
    upd_hex_encode(d, n, buf);
    return buf;
}

static const char tsig_b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/* standard base64 with '=' padding, NUL-terminated */
static void tsig_b64(const uint8_t *in, size_t n, char *out)
{
    size_t i, o = 0;
    for (i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n) v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < n) v |= in[i + 2];
        out[o++] = tsig_b64chars[v >> 18];
        out[o++] = tsig_b64chars[(v >> 12) & 63];
        out[o++] = i + 1 < n ? tsig_b64chars[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? tsig_b64chars[v & 63] : '=';
    }
    out[o] = 0;
}
/* decodes a known-good base64 string (fixtures only); the byte count */
static size_t tsig_unb64(const char *s, uint8_t *out)
{
    uint32_t acc = 0;
    size_t o = 0;
    int bits = 0;
    for (; *s && *s != '='; s++) {
        const char *p = strchr(tsig_b64chars, *s);
        if (!p) { printf("t_sign: bad base64 constant\n"); exit(2); }
        acc = acc << 6 | (uint32_t)(p - tsig_b64chars);
        bits += 6;
        if (bits >= 8) { bits -= 8; out[o++] = (uint8_t)(acc >> bits); }
    }
    return o;
}

/* a file under tests/data, NUL-terminated, or NULL with a message */
static char *tsig_slurp(const char *name, size_t *len)
{
    static const char *dirs[] = {"tests/data/", "../tests/data/", "../../tests/data/"};
    size_t i;
    for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        char path[256];
        FILE *f;
        char *buf;
        long n;
        snprintf(path, sizeof path, "%s%s", dirs[i], name);
        if (!(f = fopen(path, "rb"))) continue;
        if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) { fclose(f); continue; }
        buf = (char *)malloc((size_t)n + 1);
        if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) { free(buf); fclose(f); continue; }
        fclose(f);
        buf[n] = 0;
        *len = (size_t)n;
        return buf;
    }
    printf("FAIL %s: cannot read tests/data/%s (run the tests from the repository root)\n", t_current, name);
    return NULL;
}

/* ---- SHA-512 ---- */
static void test_sign_sha512_fips(void)
{
    /* FIPS 180-4 examples (NIST CSRC "SHA512.pdf", "SHA2_Additional.pdf") */
    static const struct { const char *msg; const char *hex; } v[] = {
        {"abc", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
        {"", "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
             "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c335"
         "96fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445"},
        {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
         "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909"},
    };
    size_t i;
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t d[64];
        upd_sha512(v[i].msg, strlen(v[i].msg), d);
        CHECK_STR(tsig_hex(d, 64), v[i].hex);
    }
}

static void test_sign_sha512_million_a(void)
{
    static char chunk[1000];
    upd_sha512_ctx c;
    uint8_t d[64];
    int i;
    memset(chunk, 'a', sizeof chunk);
    upd_sha512_init(&c);
    for (i = 0; i < 1000; i++) upd_sha512_update(&c, chunk, sizeof chunk);
    upd_sha512_final(&c, d);
    CHECK_STR(tsig_hex(d, 64), "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
                               "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b");
}

/* The padding boundaries (the length field needs a second block from 112
   bytes on), checked against Python's hashlib.sha512 of msg[i] = 7i + 3,
   each fed whole, in 1-, 7-, 127-, 128- and 129-byte pieces and in two
   halves with an empty update between. */
static void test_sign_sha512_boundaries(void)
{
    static const struct { size_t len; const char *hex; } v[] = {
        {0, "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"},
        {1, "e45bf5817ddf94aa2f7a407071f0eedc6beb98f768b4cd33d1176d44d1563a45a5d7212290eb7670c6786b13591aedac86478993895e8b24e612014abaa6ba04"},
        {111, "68cffa6d0d76f309c9ce0d35280939f8e25990c43b7b086ccdf709be35b07d4ddba599541ff2b1c19d34ea49aeafb9659adb7ac3c0b078bb30a22d57fc6687ef"},
        {112, "d0865c524d1dddf7c23b799c413f5adcd7caefd3f66a9b49750ec81066012c25a8bcf94ddea6dc525691673097ca40e0101e897fc97218cfdb0704084e2bef4b"},
        {113, "606314353bd419f9f7720e8297f2af8a9ed5f0bb0bed29b716bf18e34577623ae7effa46f496bd4282134e7e895284a4760a910d2ad8ec11e9dd75863058cd9c"},
        {127, "e0b6a20f1c0c88970a9340152cd5a1c1ecf3d3b8de55102741879438079473540133b812706e5dbec322c8c9523b6fc8c6d16ee626e87ad5fe3d2916afedc369"},
        {128, "99b16f17aa0b969a5b8f08f367719d516e330ccd2660b6f0688ec031dbc783de50a1cd185a2568dba75070a2403d17d4741d163578515dfd2ff756ddfe4d47b1"},
        {129, "a1556e29185778aa5991e34b8884c840d589f0fbb4b8ed590e51e9ac4eb03a008125000db2671f8fe7f485b59a77b518670078ecb41a54b4cd02a7f1d2ca4c6d"},
        {239, "18ee83f30261c3c645d52aee6a209105b25bba39d33845ef48984cc238e4f21661fb7bd7dd4336f71c40fe87d95e5115d6c7be52e0d3e7e7877d24500b5b58df"},
        {240, "9d60ee60d29ec4fa0b9690c04c1c29413bbe3ed345639182d9d53dcc05926b77b04f4fec1562fb85182954c96b7cbb5d5e4410251ff4f352d09a2da90419fb13"},
        {241, "4aa5b7994e3c6e0b8d72a6392d63edf07d60485a692445dac2d7fc91ea6ee98cabbd640bf3d1befd0d795af06489af3bd4d616d82d39585b82118115d8b7f970"},
        {256, "e49c208e41556e859d1a52d14784a061c2d5ae2c8690a5360e9f9344f60861c1362a9ec05a9f08a4167b3da41bdd122a387413dd06976470e4beff5053f2ac71"},
    };
    static const size_t steps[] = {1, 7, 127, 128, 129};
    uint8_t msg[256], d[64];
    size_t i, j, s;
    for (i = 0; i < sizeof msg; i++) msg[i] = (uint8_t)(i * 7 + 3);
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        size_t n = v[i].len, cut = n / 3;
        upd_sha512_ctx c;
        upd_sha512(msg, n, d);
        CHECK_STR(tsig_hex(d, 64), v[i].hex);
        for (s = 0; s < sizeof steps / sizeof steps[0]; s++) {
            upd_sha512_init(&c);
            for (j = 0; j < n; j += steps[s]) upd_sha512_update(&c, msg + j, n - j < steps[s] ? n - j : steps[s]);
            upd_sha512_final(&c, d);
            CHECK_STR(tsig_hex(d, 64), v[i].hex);
        }
        upd_sha512_init(&c);
        upd_sha512_update(&c, msg, cut);
        upd_sha512_update(&c, NULL, 0);
        upd_sha512_update(&c, msg + cut, n - cut);
        upd_sha512_final(&c, d);
        CHECK_STR(tsig_hex(d, 64), v[i].hex);
    }
}

/* 300 random lengths up to 3000 bytes, fed in random pieces, give the
   one-shot digest. */
static void test_sign_sha512_random_lengths(void)
{
    static uint8_t msg[3000];
    int k;
    tsig_state = 0x51a5120u;
    tsig_fill(msg, sizeof msg);
    for (k = 0; k < 300; k++) {
        size_t n = tsig_rand() % sizeof msg, j = 0;
        uint8_t want[64], got[64];
        upd_sha512_ctx c;
        upd_sha512(msg, n, want);
        upd_sha512_init(&c);
        while (j < n) {
            size_t piece = tsig_rand() % 300;
            if (piece > n - j) piece = n - j;
            upd_sha512_update(&c, msg + j, piece);
            j += piece;
        }
        upd_sha512_final(&c, got);
        if (memcmp(want, got, 64) != 0) printf("  sha512: length %zu differs when streamed\n", n);
        CHECK(memcmp(want, got, 64) == 0);
    }
}

/* ---- BLAKE2b ---- */
static void test_sign_blake2b_rfc7693(void)
{
    /* RFC 7693 Appendix A: BLAKE2b-512("abc"); the shorter digests of "abc"
       and "" are from Python's hashlib.blake2b(digest_size=n). Each outlen
       is its own function (it is in the parameter block), not a prefix. */
    static const struct { const char *msg; size_t outlen; const char *hex; } v[] = {
        {"abc", 64, "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
                    "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923"},
        {"abc", 1, "6b"},
        {"abc", 20, "384264f676f39536840523f284921cdc68b6846b"},
        {"abc", 32, "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"},
        {"abc", 48, "6f56a82c8e7ef526dfe182eb5212f7db9df1317e57815dbda46083fc30f54ee6"
                    "c66ba83be64b302d7cba6ce15bb556f4"},
        {"abc", 63, "eb5324bb0b0f9ca27381f22f5e49604d7c341b77371fe5bf61fb643c8ab481c7"
                    "555ef17c9b9e7c92f0daafff6c0d748cab97d2b267bf53f8225c173ea26f3e"},
        {"", 32, "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8"},
    };
    size_t i;
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t d[65];
        d[v[i].outlen] = 0xa5; /* nothing written past outlen */
        upd_blake2b(v[i].msg, strlen(v[i].msg), d, v[i].outlen);
        CHECK_STR(tsig_hex(d, v[i].outlen), v[i].hex);
        CHECK_EQ_INT(d[v[i].outlen], 0xa5);
    }
}

/* The BLAKE2 KAT inputs 00 01 02 ... of length 0..255 (64-byte output),
   whole and in 1-, 7-, 127-, 128- and 129-byte pieces. */
static void test_sign_blake2b_kat(void)
{
    static const size_t steps[] = {1, 7, 127, 128, 129};
    uint8_t msg[256], want[64], d[64];
    size_t len, i, count = 0;
    char *text = tsig_slurp("blake2b_kat.txt", &len), *line, *next;
    CHECK(text != NULL);
    if (!text) return;
    for (i = 0; i < sizeof msg; i++) msg[i] = (uint8_t)i;
    for (line = text; *line; line = next) {
        char *sp, *end = strchr(line, '\n');
        unsigned long n;
        size_t s, j;
        int streamed_ok = 1;
        next = end ? end + 1 : line + strlen(line);
        if (line[0] == '#' || line[0] == '\n') continue;
        n = strtoul(line, &sp, 10);
        CHECK(n < 256 && *sp == ' ' && tsig_unhex(sp + 1, (size_t)((end ? end : next) - sp - 1), want, 64) == 64);
        if (n >= 256) continue;
        upd_blake2b(msg, n, d, 64);
        if (memcmp(d, want, 64) != 0) printf("  blake2b KAT length %lu differs\n", n);
        CHECK(memcmp(d, want, 64) == 0);
        for (s = 0; s < sizeof steps / sizeof steps[0]; s++) {
            upd_blake2b_ctx c;
            upd_blake2b_init(&c, 64);
            for (j = 0; j < n; j += steps[s]) upd_blake2b_update(&c, msg + j, n - j < steps[s] ? n - j : steps[s]);
            upd_blake2b_update(&c, NULL, 0);
            upd_blake2b_final(&c, d);
            if (memcmp(d, want, 64) != 0) { printf("  blake2b KAT length %lu in %zu-byte pieces differs\n", n, steps[s]); streamed_ok = 0; }
        }
        CHECK(streamed_ok);
        count++;
    }
    CHECK_EQ_INT(count, 256);
    free(text);
}

/* Eight blocks (bytes 00..ff four times; hashlib reference), whole and in
   pieces around the block size, with 64- and 32-byte output. */
static void test_sign_blake2b_long(void)
{
    static const size_t steps[] = {1, 127, 128, 129, 1000};
    uint8_t msg[1024], d[64];
    size_t i, s, j;
    for (i = 0; i < sizeof msg; i++) msg[i] = (uint8_t)i;
    for (s = 0; s < sizeof steps / sizeof steps[0]; s++) {
        upd_blake2b_ctx c, c32;
        upd_blake2b_init(&c, 64);
        upd_blake2b_init(&c32, 32);
        for (j = 0; j < sizeof msg; j += steps[s]) {
            size_t k = sizeof msg - j < steps[s] ? sizeof msg - j : steps[s];
            upd_blake2b_update(&c, msg + j, k);
            upd_blake2b_update(&c32, msg + j, k);
        }
        upd_blake2b_final(&c, d);
        CHECK_STR(tsig_hex(d, 64), "6b490f42e902f61b1ee12d3c85e34152e37c94d07ab9ea577cad6a6eb4690fad"
                                   "38064f53a19c225703a5c52cdc9a85add71b339d327e1630ee3432b920240e8a");
        upd_blake2b_final(&c32, d);
        CHECK_STR(tsig_hex(d, 32), "f1551feeb252c7e60bb362205bd1ac2f70b145260a91d41e8c5d0a187549a5f2");
    }
}

/* ---- Ed25519 ---- */
/* Wycheproof rows: tcId, public key, message, signature (hex), result */
typedef struct { int tc; const char *f[4]; size_t n[4]; } tsig_row;
static size_t tsig_tsv(char *text, tsig_row *rows, size_t max)
{
    size_t count = 0;
    char *line = text;
    while (*line && count < max) {
        char *end = strchr(line, '\n'), *p;
        int k;
        if (end) *end = 0;
        if (line[0] != '#' && line[0] != 0) {
            rows[count].tc = atoi(line);
            p = strchr(line, '\t');
            for (k = 0; k < 4 && p; k++) {
                char *q = strchr(p + 1, '\t');
                rows[count].f[k] = p + 1;
                rows[count].n[k] = q ? (size_t)(q - p - 1) : strlen(p + 1);
                p = q;
            }
            if (k == 4) count++;
            else printf("t_sign: malformed row %.20s\n", line);
        }
        if (!end) break;
        line = end + 1;
    }
    return count;
}

/* RFC 8032 7.1 TEST 1, 2, 3, 1024 and SHA(abc): public key from the seed,
   the signature byte for byte, it verifies, and a changed message does
   not. TEST 1024's 1023-byte message is Wycheproof tcId 83 (the same test). */
static void test_sign_ed25519_rfc8032(void)
{
    static const struct { const char *name, *seed, *pub, *msg, *sig; } v[] = {
        {"TEST 1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
         "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
         "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
         "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
        {"TEST 2", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
         "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
         "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
         "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
        {"TEST 3", "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
         "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
         "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
         "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
        {"TEST 1024", "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
         "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e", NULL,
         "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350"
         "aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03"},
        {"TEST SHA(abc)", "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
         "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
         "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
         "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
         "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b589"
         "09351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704"},
    };
    static tsig_row rows[200];
    static uint8_t msg[1100];
    size_t len, nrows, i;
    char *text = tsig_slurp("wycheproof_ed25519.tsv", &len);
    CHECK(text != NULL);
    nrows = text ? tsig_tsv(text, rows, 200) : 0;
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t seed[32], pub[32], sec[64], sig[64];
        long mlen = -1;
        if (v[i].msg) mlen = tsig_unhex(v[i].msg, strlen(v[i].msg), msg, sizeof msg);
        else {
            size_t r;
            for (r = 0; r < nrows; r++)
                if (rows[r].tc == 83) mlen = tsig_unhex(rows[r].f[1], rows[r].n[1], msg, sizeof msg);
            if (mlen < 0) { SKIP(v[i].name, "Wycheproof tcId 83 (its message) not found"); continue; }
            CHECK_EQ_INT(mlen, 1023);
        }
        tsig_unhex_str(v[i].seed, seed, 32);
        upd_ed25519_seed_keypair(pub, sec, seed);
        CHECK_STR(tsig_hex(pub, 32), v[i].pub);
        CHECK(memcmp(sec, seed, 32) == 0 && memcmp(sec + 32, pub, 32) == 0);
        upd_ed25519_sign(sig, msg, (size_t)mlen, sec);
        CHECK_STR(tsig_hex(sig, 64), v[i].sig);
        CHECK_EQ_INT(upd_ed25519_verify(sig, msg, (size_t)mlen, pub), UPD_OK);
        msg[mlen] = 0x01; /* one byte more */
        CHECK_EQ_INT(upd_ed25519_verify(sig, msg, (size_t)mlen + 1, pub), UPD_E_SIG);
        if (mlen > 0) {
            msg[0] ^= 0x80;
            CHECK_EQ_INT(upd_ed25519_verify(sig, msg, (size_t)mlen, pub), UPD_E_SIG);
        }
    }
    free(text);
}

/* Every Wycheproof case gives the expected result. Signatures that are not
   64 bytes cannot reach upd_ed25519_verify (it takes exactly 64); for
   those, the minisign layer must refuse the signature line instead. */
static void test_sign_ed25519_wycheproof(void)
{
    static tsig_row rows[200];
    static uint8_t msg[1100];
    size_t len, nrows, i, agree = 0, valid = 0;
    char *text = tsig_slurp("wycheproof_ed25519.tsv", &len);
    CHECK(text != NULL);
    if (!text) return;
    nrows = tsig_tsv(text, rows, 200);
    CHECK_EQ_INT(nrows, 151);
    for (i = 0; i < nrows; i++) {
        const tsig_row *w = &rows[i];
        uint8_t pub[33], sig[100];
        long npub = tsig_unhex(w->f[0], w->n[0], pub, sizeof pub);
        long nmsg = tsig_unhex(w->f[1], w->n[1], msg, sizeof msg);
        long nsig = tsig_unhex(w->f[2], w->n[2], sig, sizeof sig);
        int want = w->n[3] == 5 && memcmp(w->f[3], "valid", 5) == 0, got;
        CHECK(npub == 32 && nmsg >= 0 && nsig >= 0);
        if (npub != 32 || nmsg < 0 || nsig < 0) continue;
        if (nsig == 64) got = upd_ed25519_verify(sig, msg, (size_t)nmsg, pub) == UPD_OK;
        else {
            static upd_minisig s;
            uint8_t raw[10 + 100];
            char line[200], file[600];
            raw[0] = 'E'; raw[1] = 'd';
            memset(raw + 2, 7, 8);
            memcpy(raw + 10, sig, (size_t)nsig);
            tsig_b64(raw, 10 + (size_t)nsig, line);
            snprintf(file, sizeof file, "untrusted comment: u\n%s\ntrusted comment: t\n"
                     "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n", line);
            CHECK_EQ_INT(upd_minisig_parse(&s, file, strlen(file)), UPD_E_BASE64);
            got = 0;
        }
        valid += want;
        if (got != want) printf("  wycheproof tcId %d: expected %s, got %s\n", w->tc, want ? "valid" : "invalid", got ? "valid" : "invalid");
        else agree++;
        CHECK(got == want);
    }
    CHECK_EQ_INT(valid, 88);
    CHECK_EQ_INT(agree, 151);
    free(text);
}

/* "Taming the many EdDSAs" (Chalkias, Garillot, Nikolaenko, SSR 2020):
   novifinancial/ed25519-speccheck cases 0-11 (cases.txt @2297da7, the
   paper's table), then three more from cases.json @d2b2ba5 (its entries
   0, 2 and 4, all with a small-order A or R); test vectors from an
   Apache-2.0 project, used as data. The cases cover small-order and
   mixed-order A and R, equations that only a cofactored check accepts,
   S >= L and non-canonical R or A: a strict verifier like libsodium
   accepts only case 3 (libsodium 1.0.18 gives the same 15 answers). */
static void test_sign_ed25519_speccheck(void)
{
    static const struct { const char *msg, *pub, *sig; int valid; } v[] = {
        {"8c93255d71dcab10e8f379c26200f3c7bd5f09d9bc3068d3ef4edeb4853022b6", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
         "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a0000000000000000000000000000000000000000000000000000000000000000", 0},
        {"9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
         "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43a5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04", 0},
        {"aebf3f2601a0c8c5d39cc7d8911642f740b78168218da8471772b35f9d35b9ab", "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43",
         "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa8c4bd45aecaca5b24fb97bc10ac27ac8751a7dfe1baff8b953ec9f5833ca260e", 0},
        {"9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79", "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d",
         "9046a64750444938de19f227bb80485e92b83fdb4b6506c160484c016cc1852f87909e14428a7a1d62e9f22f3d3ad7802db02eb2e688b6c52fcd6648a98bd009", 1},
        {"e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c", "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d",
         "160a1cb0dc9c0258cd0a7d23e94d8fa878bcb1925f2c64246b2dee1796bed5125ec6bc982a269b723e0668e540911a9a6a58921d6925e434ab10aa7940551a09", 0},
        {"e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c", "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d",
         "21122a84e0b5fca4052f5b1235c80a537878b38f3142356b2c2384ebad4668b7e40bc836dac0f71076f9abe3a53f9c03c1ceeeddb658d0030494ace586687405", 0},
        {"85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40", "442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623",
         "e96f66be976d82e60150baecff9906684aebb1ef181f67a7189ac78ea23b6c0e547f7690a0e2ddcd04d87dbc3490dc19b3b3052f7ff0538cb68afb369ba3a514", 0},
        {"85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40", "442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623",
         "8ce5b96c8f26d0ab6c47958c9e68b937104cd36e13c33566acd2fe8d38aa19427e71f98a473474f2f13f06f97c20d58cc3f54b8bd0d272f42b695dd7e89a8c22", 0},
        {"9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41", "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43",
         "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff03be9678ac102edcd92b0210bb34d7428d12ffc5df5f37e359941266a4e35f0f", 0},
        {"9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41", "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43",
         "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffca8c5b64cd208982aa38d4936621a4775aa233aa0505711d8fdcfdaa943d4908", 0},
        {"e96b7021eb39c1a163b6da4e3093dcd3f21387da4cc4572be588fafae23c155b", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
         "a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04", 0},
        {"39a591f5321bbe07fd5a23dc2f39d025d74526615746727ceefd6e82ae65c06f", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
         "a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04", 0},
        {"2a66241a42a9ee12994d8068dcf1bb7dfc6637b45450acd43711f637fa5080fc", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
         "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a0000000000000000000000000000000000000000000000000000000000000000", 0},
        {"9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
         "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43a5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04", 0},
        {"9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41", "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43",
         "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa182ef1a5b928da07fec769cc8a12db6bcf70dab3f3227fa315e9d5e3e01a3405", 0},
    };
    size_t i;
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t msg[32], pub[32], sig[64];
        upd_result r;
        tsig_unhex_str(v[i].msg, msg, 32);
        tsig_unhex_str(v[i].pub, pub, 32);
        tsig_unhex_str(v[i].sig, sig, 64);
        r = upd_ed25519_verify(sig, msg, 32, pub);
        if (r != (v[i].valid ? UPD_OK : UPD_E_SIG)) printf("  speccheck case %zu: expected %s\n", i, v[i].valid ? "valid" : "invalid");
        CHECK_EQ_INT(r, v[i].valid ? UPD_OK : UPD_E_SIG);
    }
}

/* ---- minisign fixtures: made with minisign 0.11 and signify-openbsd 31
   (Debian 12) from throw-away keys; the message is "hello world\n" ---- */
#define TSIG_MSG "hello world\n"
#define TSIG_PUB_B64 "RWQ0nlm4r2GKHMSxmgqJEF4yVgl1GQDgU0dKbTqmkZvWml5WyVQeqjBX"
#define TSIG_PUB_FILE "untrusted comment: minisign public key 1C8A61AFB8599E34\n" TSIG_PUB_B64 "\n"
#define TSIG_ED_SIG "RUQ0nlm4r2GKHOtt6xfVBp22lJJRr/1+eHoDX3wjE1cw+oc1g+xHb+b0L6O/08szkuNeViXNdeLqkLf3qkI/HMM8J1P2GWioBAA="
#define TSIG_ED_TC "timestamp:1700000000\tfile:msg.txt\thashed"
#define TSIG_ED_GLOBAL "X5dEr8HD7aFhINC4FuEe/UqbeOYfPAj9MsTnS1nwZwdn5LIQLiji9fXNxcsT6hoKWOejvVtQ+D/+xL0EcQbzCg=="
#define TSIG_LEG_SIG "RWQ0nlm4r2GKHCNRoc1MWwzpJNTlJP51tQX1vwsTDXAnwTAIgLsNdZm26cpXZEI+/Y1+CqwMTarzNBsQOa7p4NAfDXoyAcMK2ww="
#define TSIG_LEG_TC "legacy trusted"
#define TSIG_LEG_GLOBAL "WuBOUV1u+pnuFBlQ0r/NdbLl4bAlaEiEFVTJDP5AMfNUql3d0egCNhnjwVqJuO5LaHVGJeMg6c4IJU5HOSExAw=="
/* signify-openbsd -S over the same message, and the same with S + L in
   place of S, which signify (ref10) accepts and minisign refuses */
#define TSIG_SFY_PUB "RWTaGA2/uiPYcZEDvssl8FhgCNyD3BAuYxhZ71m9ZNKzYWcU6EDxgtYV"
#define TSIG_SFY_SIG "RWTaGA2/uiPYcZKU8Ua2j7zUz1RtOXje2fjMTWLL9xbWrPwRIvdnjNrH6me3vTpqrWKgrMouW0q1+85n2Z2A6imvCBfIp/YrXwY="
#define TSIG_SFY_SL  "RWTaGA2/uiPYcZKU8Ua2j7zUz1RtOXje2fjMTWLL9xbWrPwRIvdnjNrH1zutGlXNv7p2ScLROUSUEM9n2Z2A6imvCBfIp/YrXxY="
/* minisign 0.11: -G -W (not encrypted), and -G with the password "pw" */
#define TSIG_K1_PUB "untrusted comment: minisign public key 3BB344A7741C1D40\n" \
    "RWRAHRx0p0SzO+HOswFst0MUdzyxsTN8Z4jyve2KWecYx/CIvmG3dLkt\n"
#define TSIG_K1_SEC "untrusted comment: minisign encrypted secret key\n" \
    "RWQAAEIyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQB0cdKdEszsI/p4VADNuowJo6oE4ZYDYBbUbgzVv" \
    "ZlhcDXrXU2kjE+HOswFst0MUdzyxsTN8Z4jyve2KWecYx/CIvmG3dLktAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
#define TSIG_K2_SEC "untrusted comment: minisign encrypted secret key\n" \
    "RWRTY0Iyo5el88R6ho5p+eUHYxBxkLYK/fceBOucrWKRVniXk24AAAACAAAAAAAAAEAAAAAAfDR7YKZVOQsNv+G+iqdc5mMDCTDrmhPkcoyinCnQ" \
    "Dm1IfXLFi4fWCOJGky9Q4r7nlLxDmBftrmMyZaZObaupnz5DNfcQY/HnK6aXEuVoBD415vWxjKC98JeIogNDOTHZTwgYgzanx3M=\n"
/* minisign -S -s k1 -t "unit test fixture" (and -l), lines 2-4 */
#define TSIG_K1_ED "RURAHRx0p0SzO8XpKxQIHK8fWiCw/8EZ0bq1k6BjOu0iJF0C0Y6nVSynVRjW1z+8YYbFCG/tCf8UyM52NJLMNAEeTXge2bORegw=\n" \
    "trusted comment: unit test fixture\n" \
    "ZoSH4w8fAUfOz6CaeHGHO2CSftpEHwQrVufkViPTBefR9xKmxow4HDFPiZAqp9j7VKoFiNCaiTfi6WC4CDz4DA==\n"
#define TSIG_K1_LEG "RWRAHRx0p0SzO6xw3jnredPqZsCQMGTTEyoXqMlAtrkAQ7qAIVQSPV+URlrz63fP/XCEPEoOIc177g/5zlC3Hu03UbImXtnm0wU=\n" \
    "trusted comment: unit test fixture, legacy\n" \
    "ntOt9yPF+ITLAGXJD5hEuv0asEBPN6PQ2wVodFNTkTnfi6tfHD/AK7utEL8p6ss2kpoyKLE73TEJh89Loi0CAg==\n"

static upd_minisig tsig_sig; /* large (the trusted comment buffer): not on the stack */

/* a .minisig from its parts */
static size_t tsig_file(char *out, size_t cap, const char *ucom, const char *sig, const char *tc,
                        const char *global, const char *eol)
{
    int n = snprintf(out, cap, "untrusted comment: %s%s%s%strusted comment: %s%s%s%s", ucom, eol, sig, eol, tc,
                     eol, global, eol);
    return n < 0 ? 0 : (size_t)n;
}
/* parse text, then verify msg: the first error */
static upd_result tsig_check_n(const char *text, size_t len, const upd_pubkey *keys, size_t nkeys, const char *msg)
{
    upd_result r = upd_minisig_parse(&tsig_sig, text, len);
    if (r != UPD_OK) return r;
    return upd_minisig_verify(&tsig_sig, keys, nkeys, msg, strlen(msg));
}
static upd_result tsig_check(const char *text, const upd_pubkey *key, const char *msg)
{
    return tsig_check_n(text, strlen(text), key, 1, msg);
}
static upd_pubkey tsig_fixture_key(void)
{
    upd_pubkey k;
    memset(&k, 0, sizeof k);
    if (upd_pubkey_parse(&k, TSIG_PUB_FILE, strlen(TSIG_PUB_FILE)) != UPD_OK) printf("t_sign: fixture key does not parse\n");
    return k;
}
/* a signature line (base64 of keep bytes, after edit) with its decoded bytes changed */
static void tsig_reencode(const char *b64, size_t keep, void (*edit)(uint8_t *), char *out)
{
    uint8_t raw[256];
    if (strlen(b64) / 4 * 3 > sizeof raw) { printf("t_sign: base64 constant too long\n"); exit(2); }
    tsig_unb64(b64, raw);
    if (edit) edit(raw);
    tsig_b64(raw, keep, out);
}

/* signify's malleated signature: S + L verifies in signify (ref10), never
   here. The untouched one passes the file signature and then fails only the
   global one (a signify file has none: we gave it zeros). */
static void test_sign_ed25519_signify_malleable(void)
{
    uint8_t pubraw[42], sig[74], sl[74];
    char file[512];
    upd_pubkey key;
    CHECK_EQ_INT(tsig_unb64(TSIG_SFY_PUB, pubraw), 42);
    CHECK_EQ_INT(tsig_unb64(TSIG_SFY_SIG, sig), 74);
    CHECK_EQ_INT(tsig_unb64(TSIG_SFY_SL, sl), 74);
    CHECK_EQ_INT(upd_ed25519_verify(sig + 10, TSIG_MSG, strlen(TSIG_MSG), pubraw + 10), UPD_OK);
    CHECK_EQ_INT(upd_ed25519_verify(sl + 10, TSIG_MSG, strlen(TSIG_MSG), pubraw + 10), UPD_E_SIG);
    CHECK_EQ_INT(upd_pubkey_parse(&key, TSIG_SFY_PUB, strlen(TSIG_SFY_PUB)), UPD_OK);
    tsig_file(file, sizeof file, "verify with sfy.pub", TSIG_SFY_SIG, "t",
              "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==", "\n");
    CHECK_EQ_INT(tsig_check(file, &key, TSIG_MSG), UPD_E_SIG_GLOBAL);
    tsig_file(file, sizeof file, "verify with sfy.pub", TSIG_SFY_SL, "t",
              "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==", "\n");
    CHECK_EQ_INT(tsig_check(file, &key, TSIG_MSG), UPD_E_SIG);
}

/* Every bit of R || S flipped, then random bits of the message and of the
   public key: always UPD_E_SIG. */
static void test_sign_ed25519_bitflips(void)
{
    uint8_t seed[32], pub[32], sec[64], sig[64], msg[200];
    int bit, k, bad = 0;
    tsig_state = 0xb17f11u;
    tsig_fill(seed, sizeof seed);
    tsig_fill(msg, sizeof msg);
    upd_ed25519_seed_keypair(pub, sec, seed);
    upd_ed25519_sign(sig, msg, sizeof msg, sec);
    CHECK_EQ_INT(upd_ed25519_verify(sig, msg, sizeof msg, pub), UPD_OK);
    for (bit = 0; bit < 512; bit++) {
        upd_result r;
        sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        r = upd_ed25519_verify(sig, msg, sizeof msg, pub);
        sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        if (r != UPD_E_SIG) { printf("  bit %d of R||S flipped: %d\n", bit, (int)r); bad++; }
    }
    CHECK_EQ_INT(bad, 0);
    for (k = 0; k < 8; k++) {
        int m = (int)(tsig_rand() % (8 * sizeof msg)), p = (int)(tsig_rand() % 256);
        msg[m / 8] ^= (uint8_t)(1u << (m % 8));
        CHECK_EQ_INT(upd_ed25519_verify(sig, msg, sizeof msg, pub), UPD_E_SIG);
        msg[m / 8] ^= (uint8_t)(1u << (m % 8));
        pub[p / 8] ^= (uint8_t)(1u << (p % 8));
        CHECK_EQ_INT(upd_ed25519_verify(sig, msg, sizeof msg, pub), UPD_E_SIG);
        pub[p / 8] ^= (uint8_t)(1u << (p % 8));
    }
    CHECK_EQ_INT(upd_ed25519_verify(sig, msg, sizeof msg, pub), UPD_OK);
}

/* Random keys: distinct, usable, and seed || public as documented; signing
   is deterministic; a seed may be turned into a key pair in place. */
static void test_sign_ed25519_keys(void)
{
    uint8_t a[64], b[64], pub[32], sec[64], pub2[32], sec2[64], sig[64], sig2[64], msg[300];
    int k;
    CHECK_EQ_INT(upd_random(a, sizeof a), UPD_OK);
    CHECK_EQ_INT(upd_random(b, sizeof b), UPD_OK);
    CHECK(memcmp(a, b, sizeof a) != 0);
    CHECK_EQ_INT(upd_random(a, 0), UPD_OK);
    CHECK_EQ_INT(upd_ed25519_keypair(pub, sec), UPD_OK);
    CHECK_EQ_INT(upd_ed25519_keypair(pub2, sec2), UPD_OK);
    CHECK(memcmp(pub, pub2, 32) != 0 && memcmp(sec, sec2, 64) != 0);
    CHECK(memcmp(sec + 32, pub, 32) == 0);
    memcpy(b, sec, 32); /* in place: seed and secret key share memory */
    upd_ed25519_seed_keypair(pub2, b, b);
    CHECK(memcmp(pub2, pub, 32) == 0 && memcmp(b, sec, 64) == 0);
    tsig_state = 0x5eed5u;
    for (k = 0; k < 4; k++) {
        size_t n = tsig_rand() % sizeof msg;
        uint8_t seed[32];
        tsig_fill(seed, 32);
        tsig_fill(msg, n);
        upd_ed25519_seed_keypair(pub, sec, seed);
        upd_ed25519_sign(sig, msg, n, sec);
        upd_ed25519_sign(sig2, msg, n, sec);
        CHECK(memcmp(sig, sig2, 64) == 0);
        CHECK_EQ_INT(upd_ed25519_verify(sig, n ? msg : NULL, n, pub), UPD_OK);
        CHECK_EQ_INT(upd_ed25519_verify(sig, msg, n, pub2), UPD_E_SIG); /* the previous key */
        memcpy(pub2, pub, 32);
    }
}

/* ---- minisign ---- */
static void test_sign_minisign_fixtures(void)
{
    static const uint8_t id[8] = {0x34, 0x9e, 0x59, 0xb8, 0xaf, 0x61, 0x8a, 0x1c};
    static const char *crlf = "untrusted comment: minisign public key 1C8A61AFB8599E34\r\n" TSIG_PUB_B64 "\r\n";
    static const size_t steps[] = {1, 3, 64, 4096};
    upd_pubkey key = tsig_fixture_key(), k2;
    char file[1024], text[256];
    size_t s;
    CHECK(memcmp(key.id, id, 8) == 0);
    CHECK_EQ_INT(upd_pubkey_parse(&k2, TSIG_PUB_B64, strlen(TSIG_PUB_B64)), UPD_OK); /* bare line, as -P */
    CHECK(memcmp(&k2, &key, sizeof key) == 0);
    CHECK_EQ_INT(upd_pubkey_parse(&k2, TSIG_PUB_B64 "\n", strlen(TSIG_PUB_B64) + 1), UPD_OK);
    CHECK(memcmp(&k2, &key, sizeof key) == 0);
    CHECK_EQ_INT(upd_pubkey_parse(&k2, crlf, strlen(crlf)), UPD_OK);
    CHECK(memcmp(&k2, &key, sizeof key) == 0);
    CHECK_EQ_INT(upd_pubkey_format(&key, text, sizeof text), UPD_OK);
    CHECK_STR(text, TSIG_PUB_FILE); /* the key id printed as minisign does */

    tsig_file(file, sizeof file, "signature from minisign secret key", TSIG_ED_SIG, TSIG_ED_TC, TSIG_ED_GLOBAL, "\n");
    CHECK_EQ_INT(upd_minisig_parse(&tsig_sig, file, strlen(file)), UPD_OK);
    CHECK_EQ_INT(tsig_sig.prehashed, 1);
    CHECK(memcmp(tsig_sig.id, id, 8) == 0);
    CHECK_STR(tsig_sig.trusted, TSIG_ED_TC);
    CHECK_EQ_INT(upd_minisig_verify(&tsig_sig, &key, 1, TSIG_MSG, strlen(TSIG_MSG)), UPD_OK);
    for (s = 0; s < sizeof steps / sizeof steps[0]; s++) {
        upd_minisig_verifier v;
        size_t j, n = strlen(TSIG_MSG);
        CHECK_EQ_INT(upd_minisig_verify_init(&v, &tsig_sig, &key, 1), UPD_OK);
        CHECK(v.key == &key);
        upd_minisig_verify_update(&v, NULL, 0);
        for (j = 0; j < n; j += steps[s]) upd_minisig_verify_update(&v, &TSIG_MSG[j], n - j < steps[s] ? n - j : steps[s]);
        CHECK_EQ_INT(upd_minisig_verify_final(&v), UPD_OK);
    }

    tsig_file(file, sizeof file, "signature from minisign secret key", TSIG_LEG_SIG, TSIG_LEG_TC, TSIG_LEG_GLOBAL, "\n");
    CHECK_EQ_INT(upd_minisig_parse(&tsig_sig, file, strlen(file)), UPD_OK);
    CHECK_EQ_INT(tsig_sig.prehashed, 0);
    CHECK_STR(tsig_sig.trusted, TSIG_LEG_TC);
    CHECK_EQ_INT(upd_minisig_verify(&tsig_sig, &key, 1, TSIG_MSG, strlen(TSIG_MSG)), UPD_OK);
    for (s = 0; s < sizeof steps / sizeof steps[0]; s++) {
        upd_minisig_verifier v;
        size_t j, n = strlen(TSIG_MSG);
        CHECK_EQ_INT(upd_minisig_verify_init(&v, &tsig_sig, &key, 1), UPD_OK);
        for (j = 0; j < n; j += steps[s]) upd_minisig_verify_update(&v, &TSIG_MSG[j], n - j < steps[s] ? n - j : steps[s]);
        CHECK_EQ_INT(upd_minisig_verify_final(&v), UPD_OK);
    }
}

static void tsig_alg_Ex(uint8_t *raw) { raw[1] = 'x'; }
static void tsig_alg_ed(uint8_t *raw) { raw[0] = 'e'; raw[1] = 'd'; }
static void tsig_alg_EE(uint8_t *raw) { raw[1] = 'E'; }
static void tsig_alg_zero(uint8_t *raw) { raw[0] = 0; raw[1] = 0; }
static void tsig_alg_Ed(uint8_t *raw) { raw[1] = 'd'; }
static void tsig_alg_ED(uint8_t *raw) { raw[1] = 'D'; }
static void tsig_id_flip(uint8_t *raw) { raw[2] ^= 1; }

/* base64 is strict: each malformation of a signature, global signature or
   public key line is UPD_E_BASE64, and nothing else */
static void test_sign_minisign_base64(void)
{
    upd_pubkey key = tsig_fixture_key(), k2;
    char line[256], glob[256], file[1024];
    size_t n;
    uint8_t raw[80];
#define TSIG_SIGLINE(expect, sigline) do {                                                          \
        tsig_file(file, sizeof file, "u", (sigline), TSIG_ED_TC, TSIG_ED_GLOBAL, "\n");              \
        CHECK_EQ_INT(tsig_check(file, &key, TSIG_MSG), (expect));                                    \
    } while (0)
#define TSIG_GLOBLINE(expect, gline) do {                                                           \
        tsig_file(file, sizeof file, "u", TSIG_ED_SIG, TSIG_ED_TC, (gline), "\n");                   \
        CHECK_EQ_INT(tsig_check(file, &key, TSIG_MSG), (expect));                                    \
    } while (0)
    strcpy(line, TSIG_ED_SIG); line[10] = '*';          TSIG_SIGLINE(UPD_E_BASE64, line);
    strcpy(line, TSIG_ED_SIG); line[10] = '-';          TSIG_SIGLINE(UPD_E_BASE64, line); /* base64url */
    strcpy(line, TSIG_ED_SIG); line[11] = '_';          TSIG_SIGLINE(UPD_E_BASE64, line);
    strcpy(line, TSIG_ED_SIG); line[50] = '=';          TSIG_SIGLINE(UPD_E_BASE64, line); /* '=' inside */
    strcpy(line, TSIG_ED_SIG); line[strlen(line) - 1] = 0; TSIG_SIGLINE(UPD_E_BASE64, line); /* no padding */
    strcpy(line, TSIG_ED_SIG); strcat(line, "=");       TSIG_SIGLINE(UPD_E_BASE64, line);
    strcpy(line, TSIG_ED_SIG); strcat(line, "====");    TSIG_SIGLINE(UPD_E_BASE64, line);
    strcpy(line, TSIG_ED_SIG); strcat(line, " ");       TSIG_SIGLINE(UPD_E_BASE64, line); /* whitespace */
    strcpy(line, " "); strcat(line, TSIG_ED_SIG);       TSIG_SIGLINE(UPD_E_BASE64, line);
    strcpy(line, TSIG_ED_SIG); line[40] = '\t';         TSIG_SIGLINE(UPD_E_BASE64, line);
    TSIG_SIGLINE(UPD_E_BASE64, "");
    /* "...BAA=": the last 'A' carries 2 bits the padding hides; 'B' sets one */
    n = strlen(TSIG_ED_SIG);
    strcpy(line, TSIG_ED_SIG); CHECK(line[n - 2] == 'A'); line[n - 2] = 'B'; TSIG_SIGLINE(UPD_E_BASE64, line);
    strcpy(line, TSIG_ED_SIG); line[n - 2] = 'E'; TSIG_SIGLINE(UPD_E_SIG, line); /* valid base64, other bytes */
    /* "...Cg==": 'g' carries 4 hidden bits; 'h' sets one */
    n = strlen(TSIG_ED_GLOBAL);
    strcpy(glob, TSIG_ED_GLOBAL); CHECK(glob[n - 3] == 'g'); glob[n - 3] = 'h'; TSIG_GLOBLINE(UPD_E_BASE64, glob);
    strcpy(glob, TSIG_ED_GLOBAL); glob[n - 3] = 'w'; TSIG_GLOBLINE(UPD_E_SIG_GLOBAL, glob);
    strcpy(glob, TSIG_ED_GLOBAL); glob[n - 1] = 0; TSIG_GLOBLINE(UPD_E_BASE64, glob);
    strcpy(glob, TSIG_ED_GLOBAL); glob[5] = '.'; TSIG_GLOBLINE(UPD_E_BASE64, glob);
    /* decoded lengths other than 74 and 64 */
    tsig_unb64(TSIG_ED_SIG, raw);
    tsig_b64(raw, 73, line); TSIG_SIGLINE(UPD_E_BASE64, line);
    raw[74] = 0; tsig_b64(raw, 75, line); TSIG_SIGLINE(UPD_E_BASE64, line);
    tsig_b64(raw, 72, line); TSIG_SIGLINE(UPD_E_BASE64, line);
    tsig_unb64(TSIG_ED_GLOBAL, raw);
    tsig_b64(raw, 63, glob); TSIG_GLOBLINE(UPD_E_BASE64, glob);
    raw[64] = 0; tsig_b64(raw, 65, glob); TSIG_GLOBLINE(UPD_E_BASE64, glob);
    TSIG_SIGLINE(UPD_E_BASE64, TSIG_ED_GLOBAL); /* the two lines swapped */
    TSIG_GLOBLINE(UPD_E_BASE64, TSIG_ED_SIG);
    /* a NUL inside the signature line */
    n = tsig_file(file, sizeof file, "u", TSIG_ED_SIG, TSIG_ED_TC, TSIG_ED_GLOBAL, "\n");
    file[strlen("untrusted comment: u\n") + 20] = 0;
    CHECK_EQ_INT(tsig_check_n(file, n, &key, 1, TSIG_MSG), UPD_E_BASE64);
    /* public keys */
    strcpy(line, TSIG_PUB_B64); line[3] = '!';
    CHECK_EQ_INT(upd_pubkey_parse(&k2, line, strlen(line)), UPD_E_BASE64);
    strcpy(line, TSIG_PUB_B64); strcat(line, "=");
    CHECK_EQ_INT(upd_pubkey_parse(&k2, line, strlen(line)), UPD_E_BASE64);
    strcpy(line, TSIG_PUB_B64); strcat(line, " ");
    CHECK_EQ_INT(upd_pubkey_parse(&k2, line, strlen(line)), UPD_E_BASE64);
    tsig_unb64(TSIG_PUB_B64, raw);
    tsig_b64(raw, 41, line);
    CHECK_EQ_INT(upd_pubkey_parse(&k2, line, strlen(line)), UPD_E_BASE64);
    raw[42] = 0; tsig_b64(raw, 43, line);
    CHECK_EQ_INT(upd_pubkey_parse(&k2, line, strlen(line)), UPD_E_BASE64);
    CHECK_EQ_INT(upd_pubkey_parse(&k2, TSIG_ED_SIG, strlen(TSIG_ED_SIG)), UPD_E_BASE64); /* a signature */
    CHECK_EQ_INT(upd_pubkey_parse(&k2, "", 0), UPD_E_SIG_FORMAT);
#undef TSIG_SIGLINE
#undef TSIG_GLOBLINE
}

/* algorithm bytes, key ids, key rotation */
static void test_sign_minisign_alg_keyid(void)
{
    upd_pubkey key = tsig_fixture_key(), keys[2], k2;
    char line[256], file[1024];
    uint8_t seed[32], sec[64];
    upd_minisig_verifier v;
    tsig_reencode(TSIG_ED_SIG, 74, tsig_alg_Ex, line);
    tsig_file(file, sizeof file, "u", line, TSIG_ED_TC, TSIG_ED_GLOBAL, "\n");
    CHECK_EQ_INT(tsig_check(file, &key, TSIG_MSG), UPD_E_SIG_ALG);
    tsig_reencode(TSIG_ED_SIG, 74, tsig_alg_ed, line);
    tsig_file(file, sizeof file, "u", line, TSIG_ED_TC, TSIG_ED_GLOBAL, "\n");
    CHECK_EQ_INT(tsig_check(file, &key, TSIG_MSG), UPD_E_SIG_ALG);
    tsig_reencode(TSIG_ED_SIG, 74, tsig_alg_EE, line);
    tsig_file(file, sizeof file, "u", line, TSIG_ED_TC, TSIG_ED_GLOBAL, "\n");
    CHECK_EQ_INT(tsig_check(file, &key, TSIG_MSG), UPD_E_SIG_ALG);
    tsig_reencode(TSIG_ED_SIG, 74, tsig_alg_zero, line);
    tsig_file(file, sizeof file, "u", line, TSIG_ED_TC, TSIG_ED_GLOBAL, "\n");
    CHECK_EQ_INT(tsig_check(file, &key, TSIG_MSG), UPD_E_SIG_ALG);
    /* relabelled: a prehashed signature read as legacy and the reverse */
    tsig_reencode(TSIG_ED_SIG, 74, tsig_alg_Ed, line);
    tsig_file(file, sizeof file, "u", line, TSIG_ED_TC, TSIG_ED_GLOBAL, "\n");
    CHECK_EQ_INT(tsig_check(file, &key, TSIG_MSG), UPD_E_SIG);
    tsig_reencode(TSIG_LEG_SIG, 74, tsig_alg_ED, line);
    tsig_file(file, sizeof file, "u", line, TSIG_LEG_TC, TSIG_LEG_GLOBAL, "\n");
    CHECK_EQ_INT(tsig_check(file, &key, TSIG_MSG), UPD_E_SIG);
    /* public key algorithm: only "Ed" */
    tsig_reencode(TSIG_PUB_B64, 42, tsig_alg_ED, line);
    CHECK_EQ_INT(upd_pubkey_parse(&k2, line, strlen(line)), UPD_E_SIG_ALG);
    tsig_reencode(TSIG_PUB_B64, 42, tsig_alg_Ex, line);
    CHECK_EQ_INT(upd_pubkey_parse(&k2, line, strlen(line)), UPD_E_SIG_ALG);

    /* a key id no trusted key has */
    tsig_reencode(TSIG_ED_SIG, 74, tsig_id_flip, line);
    tsig_file(file, sizeof file, "u", line, TSIG_ED_TC, TSIG_ED_GLOBAL, "\n");
    CHECK_EQ_INT(tsig_check(file, &key, TSIG_MSG), UPD_E_KEYID);
    CHECK_EQ_INT(upd_minisig_verify_init(&v, &tsig_sig, &key, 1), UPD_E_KEYID);
    tsig_file(file, sizeof file, "u", TSIG_ED_SIG, TSIG_ED_TC, TSIG_ED_GLOBAL, "\n");
    CHECK_EQ_INT(upd_minisig_parse(&tsig_sig, file, strlen(file)), UPD_OK);
    CHECK_EQ_INT(upd_minisig_verify(&tsig_sig, &key, 0, TSIG_MSG, strlen(TSIG_MSG)), UPD_E_KEYID);
    CHECK_EQ_INT(upd_minisig_verify(&tsig_sig, NULL, 0, TSIG_MSG, strlen(TSIG_MSG)), UPD_E_KEYID);
    /* another key: its own id, then the fixture's id with the other key */
    memset(seed, 0x42, sizeof seed);
    upd_ed25519_seed_keypair(k2.key, sec, seed);
    memset(k2.id, 0x11, 8);
    CHECK_EQ_INT(upd_minisig_verify(&tsig_sig, &k2, 1, TSIG_MSG, strlen(TSIG_MSG)), UPD_E_KEYID);
    keys[0] = k2;
    keys[1] = key;                       /* rotation: the second key signed */
    CHECK_EQ_INT(upd_minisig_verify(&tsig_sig, keys, 2, TSIG_MSG, strlen(TSIG_MSG)), UPD_OK);
    CHECK_EQ_INT(upd_minisig_verify_init(&v, &tsig_sig, keys, 2), UPD_OK);
    CHECK(v.key == &keys[1]);
    keys[0] = key;
    keys[1] = k2;
    CHECK_EQ_INT(upd_minisig_verify(&tsig_sig, keys, 2, TSIG_MSG, strlen(TSIG_MSG)), UPD_OK);
    memcpy(k2.id, key.id, 8);            /* right id, wrong key */
    CHECK_EQ_INT(upd_minisig_verify(&tsig_sig, &k2, 1, TSIG_MSG, strlen(TSIG_MSG)), UPD_E_SIG);
}

/* what is authenticated and what is not */
static void test_sign_minisign_tamper(void)
{
    upd_pubkey key = tsig_fixture_key();
    char file[1024];
    const char *crlf_mixed;
    /* the file */
    tsig_file(file, sizeof file, "u", TSIG_ED_SIG, TSIG_ED_TC, TSIG_ED_GLOBAL, "\n");
    CHECK_EQ_INT(tsig_check(file, &key, "hello world!\n"), UPD_E_SIG);
    CHECK_EQ_INT(tsig_check(file, &key, "hello world\n\n"), UPD_E_SIG);
    CHECK_EQ_INT(tsig_check(file, &key, ""), UPD_E_SIG);
    CHECK_EQ_INT(tsig_check(file, &key, "Hello world\n"), UPD_E_SIG);
    tsig_file(file, sizeof file, "u", TSIG_LEG_SIG, TSIG_LEG_TC, TSIG_LEG_GLOBAL, "\n");
    CHECK_EQ_INT(tsig_check(file, &key, "hello world!\n"), UPD_E_SIG);
    CHECK_EQ_INT(tsig_check(file, &key, "hello world"), UPD_E_SIG);
    /* the trusted comment */
    tsig_file(file, sizeof file, "u", TSIG_ED_SIG, "timestamp:1700000001\tfile:msg.txt\thashed", TSIG_ED_GLOBAL, "\n");
    CHECK_EQ_INT(tsig_check(file, &key, TSIG_MSG), UPD_E_SIG_GLOBAL);
    tsig_file(file, sizeof file, "u", TSIG_ED_SIG, TSIG_ED_TC " ", TSIG_ED_GLOBAL, "\n");
    CHECK_EQ_INT(tsig_check(file, &key, TSIG_MSG), UPD_E_SIG_GLOBAL);
    tsig_file(file, sizeof file, "u", TSIG_ED_SIG, "", TSIG_ED_GLOBAL, "\n");
    CHECK_EQ_INT(tsig_check(file, &key, TSIG_MSG), UPD_E_SIG_GLOBAL);
    tsig_file(file, sizeof file, "u", TSIG_LEG_SIG, "legacy trustee", TSIG_LEG_GLOBAL, "\n");
    CHECK_EQ_INT(tsig_check(file, &key, TSIG_MSG), UPD_E_SIG_GLOBAL);
    /* another file's global signature, or another file's signature with
       this one's trusted comment and global signature */
    tsig_file(file, sizeof file, "u", TSIG_ED_SIG, TSIG_ED_TC, TSIG_LEG_GLOBAL, "\n");
    CHECK_EQ_INT(tsig_check(file, &key, TSIG_MSG), UPD_E_SIG_GLOBAL);
    tsig_file(file, sizeof file, "u", TSIG_LEG_SIG, TSIG_ED_TC, TSIG_ED_GLOBAL, "\n");
    CHECK_EQ_INT(tsig_check(file, &key, TSIG_MSG), UPD_E_SIG_GLOBAL);
    tsig_file(file, sizeof file, "u", TSIG_ED_SIG, TSIG_LEG_TC, TSIG_LEG_GLOBAL, "\n");
    CHECK_EQ_INT(tsig_check(file, &key, TSIG_MSG), UPD_E_SIG_GLOBAL);
    /* the untrusted comment is authenticated by nothing */
    tsig_file(file, sizeof file, "edited by anyone", TSIG_ED_SIG, TSIG_ED_TC, TSIG_ED_GLOBAL, "\n");
    CHECK_EQ_INT(tsig_check(file, &key, TSIG_MSG), UPD_OK);
    tsig_file(file, sizeof file, "", TSIG_LEG_SIG, TSIG_LEG_TC, TSIG_LEG_GLOBAL, "\n");
    CHECK_EQ_INT(tsig_check(file, &key, TSIG_MSG), UPD_OK);
    /* line ends: CRLF, mixed, none after the last line */
    tsig_file(file, sizeof file, "u", TSIG_ED_SIG, TSIG_ED_TC, TSIG_ED_GLOBAL, "\r\n");
    CHECK_EQ_INT(tsig_check(file, &key, TSIG_MSG), UPD_OK);
    CHECK_STR(tsig_sig.trusted, TSIG_ED_TC);
    tsig_file(file, sizeof file, "u", TSIG_LEG_SIG, TSIG_LEG_TC, TSIG_LEG_GLOBAL, "\r\n");
    CHECK_EQ_INT(tsig_check(file, &key, TSIG_MSG), UPD_OK);
    crlf_mixed = "untrusted comment: u\r\n" TSIG_ED_SIG "\ntrusted comment: " TSIG_ED_TC "\r\n" TSIG_ED_GLOBAL "\n";
    CHECK_EQ_INT(tsig_check(crlf_mixed, &key, TSIG_MSG), UPD_OK);
    tsig_file(file, sizeof file, "u", TSIG_ED_SIG, TSIG_ED_TC, TSIG_ED_GLOBAL, "\n");
    file[strlen(file) - 1] = 0;
    CHECK_EQ_INT(tsig_check(file, &key, TSIG_MSG), UPD_OK);
}

/* exactly four lines with their exact prefixes */
static void test_sign_minisign_lines(void)
{
    upd_pubkey key = tsig_fixture_key(), k2;
    char file[1024];
    tsig_file(file, sizeof file, "u", TSIG_ED_SIG, TSIG_ED_TC, TSIG_ED_GLOBAL, "\n");
    strcat(file, "one line too many\n");
    CHECK_EQ_INT(tsig_check(file, &key, TSIG_MSG), UPD_E_SIG_FORMAT);
    CHECK_EQ_INT(tsig_check("untrusted comment: u\n" TSIG_ED_SIG "\ntrusted comment: " TSIG_ED_TC "\n", &key, TSIG_MSG),
                 UPD_E_SIG_FORMAT);
    CHECK_EQ_INT(tsig_check("untrusted comment: verify with sfy.pub\n" TSIG_SFY_SIG "\n", &key, TSIG_MSG),
                 UPD_E_SIG_FORMAT); /* signify's two-line file */
    CHECK_EQ_INT(tsig_check("", &key, TSIG_MSG), UPD_E_SIG_FORMAT);
    CHECK_EQ_INT(tsig_check("\n\n\n\n", &key, TSIG_MSG), UPD_E_SIG_FORMAT);
    CHECK_EQ_INT(tsig_check("untrusted comment: u\r" TSIG_ED_SIG "\rtrusted comment: " TSIG_ED_TC "\r" TSIG_ED_GLOBAL "\r",
                            &key, TSIG_MSG), UPD_E_SIG_FORMAT); /* CR alone ends no line */
    CHECK_EQ_INT(tsig_check("comment: u\n" TSIG_ED_SIG "\ntrusted comment: " TSIG_ED_TC "\n" TSIG_ED_GLOBAL "\n", &key, TSIG_MSG),
                 UPD_E_SIG_FORMAT);
    CHECK_EQ_INT(tsig_check("untrusted comment:u\n" TSIG_ED_SIG "\ntrusted comment: " TSIG_ED_TC "\n" TSIG_ED_GLOBAL "\n", &key, TSIG_MSG),
                 UPD_E_SIG_FORMAT);
    CHECK_EQ_INT(tsig_check("Untrusted comment: u\n" TSIG_ED_SIG "\ntrusted comment: " TSIG_ED_TC "\n" TSIG_ED_GLOBAL "\n", &key, TSIG_MSG),
                 UPD_E_SIG_FORMAT);
    CHECK_EQ_INT(tsig_check(TSIG_ED_SIG "\nuntrusted comment: u\ntrusted comment: " TSIG_ED_TC "\n" TSIG_ED_GLOBAL "\n", &key, TSIG_MSG),
                 UPD_E_SIG_FORMAT);
    CHECK_EQ_INT(tsig_check("untrusted comment: u\n" TSIG_ED_SIG "\ncomment: " TSIG_ED_TC "\n" TSIG_ED_GLOBAL "\n", &key, TSIG_MSG),
                 UPD_E_SIG_FORMAT);
    CHECK_EQ_INT(tsig_check("untrusted comment: u\n" TSIG_ED_SIG "\nTrusted comment: " TSIG_ED_TC "\n" TSIG_ED_GLOBAL "\n", &key, TSIG_MSG),
                 UPD_E_SIG_FORMAT);
    CHECK_EQ_INT(tsig_check("untrusted comment: u\n" TSIG_ED_SIG "\ntrusted comment:" TSIG_ED_TC "\n" TSIG_ED_GLOBAL "\n", &key, TSIG_MSG),
                 UPD_E_SIG_FORMAT);
    CHECK_EQ_INT(tsig_check("untrusted comment: u\n" TSIG_ED_SIG "\nuntrusted comment: " TSIG_ED_TC "\n" TSIG_ED_GLOBAL "\n", &key, TSIG_MSG),
                 UPD_E_SIG_FORMAT);
    /* public key files: one or two lines, the first a comment */
    CHECK_EQ_INT(upd_pubkey_parse(&k2, "comment: x\n" TSIG_PUB_B64 "\n", strlen("comment: x\n" TSIG_PUB_B64 "\n")), UPD_E_SIG_FORMAT);
    CHECK_EQ_INT(upd_pubkey_parse(&k2, TSIG_PUB_FILE "x\n", strlen(TSIG_PUB_FILE "x\n")), UPD_E_SIG_FORMAT);
    CHECK_EQ_INT(upd_pubkey_parse(&k2, TSIG_PUB_B64 "\n" TSIG_PUB_B64 "\n", 2 * strlen(TSIG_PUB_B64) + 2), UPD_E_SIG_FORMAT);
    {
        static char big[1100];
        memset(big, 'A', sizeof big - 1);
        CHECK_EQ_INT(upd_pubkey_parse(&k2, big, strlen(big)), UPD_E_SIG_FORMAT); /* over 1024 bytes */
    }
}

/* the trusted comment: printable UTF-8 (RFC 3629), tabs allowed */
static void test_sign_minisign_trusted_text(void)
{
    static const char *bad[] = {
        "a\x01z", "esc\x1b[31m", "del\x7f", "cr\rlf", "nul\xc0\x80", "\xff", "\xfe\xff", "lone \x80", "trunc \xe2\x82",
        "end \xc3", "overlong \xc0\xaf", "overlong \xe0\x80\xaf", "surrogate \xed\xa0\x80", "past U+10FFFF \xf4\x90\x80\x80",
        "five bytes \xf8\x88\x80\x80\x80", "C1 \xc2\x85", "C1 \xc2\x9f",
    };
    static const char *good[] = {"", "\t", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e \xc2\xa0 \xef\xbf\xbd \xf4\x8f\xbf\xbf",
                                 "a\tb\tc", "~ !"};
    upd_pubkey key = tsig_fixture_key();
    char file[1024];
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tsig_file(file, sizeof file, "u", TSIG_ED_SIG, bad[i], TSIG_ED_GLOBAL, "\n");
        if (upd_minisig_parse(&tsig_sig, file, strlen(file)) != UPD_E_SIG_FORMAT) printf("  trusted comment %zu accepted\n", i);
        CHECK_EQ_INT(upd_minisig_parse(&tsig_sig, file, strlen(file)), UPD_E_SIG_FORMAT);
    }
    for (i = 0; i < sizeof good / sizeof good[0]; i++) {
        tsig_file(file, sizeof file, "u", TSIG_ED_SIG, good[i], TSIG_ED_GLOBAL, "\n");
        CHECK_EQ_INT(upd_minisig_parse(&tsig_sig, file, strlen(file)), UPD_OK);
        CHECK_STR(tsig_sig.trusted, good[i]);
        CHECK_EQ_INT(upd_minisig_verify(&tsig_sig, &key, 1, TSIG_MSG, strlen(TSIG_MSG)), UPD_E_SIG_GLOBAL);
    }
}

/* UPDATER_MAX_MINISIG bytes are accepted, one more is UPD_E_TOOBIG */
static void test_sign_minisign_toobig(void)
{
    static char file[UPDATER_MAX_MINISIG + 64], ucom[UPDATER_MAX_MINISIG];
    upd_pubkey key = tsig_fixture_key();
    size_t base = tsig_file(file, sizeof file, "", TSIG_ED_SIG, TSIG_ED_TC, TSIG_ED_GLOBAL, "\n");
    size_t n;
    memset(ucom, 'x', UPDATER_MAX_MINISIG - base);
    ucom[UPDATER_MAX_MINISIG - base] = 0;
    n = tsig_file(file, sizeof file, ucom, TSIG_ED_SIG, TSIG_ED_TC, TSIG_ED_GLOBAL, "\n");
    CHECK_EQ_INT(n, UPDATER_MAX_MINISIG);
    CHECK_EQ_INT(tsig_check_n(file, n, &key, 1, TSIG_MSG), UPD_OK);
    strcpy(ucom + strlen(ucom), "x");
    n = tsig_file(file, sizeof file, ucom, TSIG_ED_SIG, TSIG_ED_TC, TSIG_ED_GLOBAL, "\n");
    CHECK_EQ_INT(n, UPDATER_MAX_MINISIG + 1);
    CHECK_EQ_INT(tsig_check_n(file, n, &key, 1, TSIG_MSG), UPD_E_TOOBIG);
    memset(file, '\n', sizeof file); /* the size is checked before anything else */
    CHECK_EQ_INT(upd_minisig_parse(&tsig_sig, file, UPDATER_MAX_MINISIG + 1), UPD_E_TOOBIG);
}

/* secret keys: minisign's own (-W) and ours parse; an encrypted one is
   UPD_E_KEY_ENCRYPTED; and signatures made from minisign's key here are
   byte for byte those minisign made (Ed25519 is deterministic) */
static void tsig_pubhalf_flip(uint8_t *raw) { raw[62 + 40] ^= 1; }
static void tsig_kdf_Sc(uint8_t *raw) { raw[2] = 'S'; raw[3] = 'c'; }
static void tsig_kdf_B3(uint8_t *raw) { raw[5] = '3'; }
static void test_sign_minisign_seckey(void)
{
    static const char *k1 = TSIG_K1_SEC;
    static char out[UPDATER_MAX_MINISIG];
    upd_seckey sk;
    upd_pubkey pk;
    uint8_t digest[64];
    char line[256], text[512];
    const char *b64 = strchr(k1, '\n') + 1;
    CHECK_EQ_INT(upd_pubkey_parse(&pk, TSIG_K1_PUB, strlen(TSIG_K1_PUB)), UPD_OK);
    CHECK_EQ_INT(upd_seckey_parse(&sk, k1, strlen(k1)), UPD_OK);
    CHECK(memcmp(sk.id, pk.id, 8) == 0 && memcmp(sk.key + 32, pk.key, 32) == 0);
    upd_blake2b(TSIG_MSG, strlen(TSIG_MSG), digest, 64);
    CHECK_EQ_INT(upd_minisig_sign(&sk, 1, digest, 64, "unit test fixture", out, sizeof out), UPD_OK);
    CHECK_STR(strchr(out, '\n') + 1, TSIG_K1_ED);
    CHECK_EQ_INT(upd_minisig_sign(&sk, 0, TSIG_MSG, strlen(TSIG_MSG), "unit test fixture, legacy", out, sizeof out), UPD_OK);
    CHECK_STR(strchr(out, '\n') + 1, TSIG_K1_LEG);
    CHECK_EQ_INT(tsig_check("untrusted comment: signature from minisign secret key\n" TSIG_K1_ED, &pk, TSIG_MSG), UPD_OK);
    CHECK_EQ_INT(tsig_check("untrusted comment: signature from minisign secret key\n" TSIG_K1_LEG, &pk, TSIG_MSG), UPD_OK);

    CHECK_EQ_INT(upd_seckey_parse(&sk, TSIG_K2_SEC, strlen(TSIG_K2_SEC)), UPD_E_KEY_ENCRYPTED);
    strcpy(line, b64);
    line[strlen(line) - 1] = 0;
    tsig_reencode(line, 158, tsig_kdf_Sc, line);
    snprintf(text, sizeof text, "untrusted comment: k\n%s\n", line);
    CHECK_EQ_INT(upd_seckey_parse(&sk, text, strlen(text)), UPD_E_KEY_ENCRYPTED);
    strcpy(line, b64);
    line[strlen(line) - 1] = 0;
    tsig_reencode(line, 158, tsig_pubhalf_flip, line);
    snprintf(text, sizeof text, "untrusted comment: k\n%s\n", line);
    CHECK_EQ_INT(upd_seckey_parse(&sk, text, strlen(text)), UPD_E_SIG_FORMAT); /* public half does not match */
    strcpy(line, b64);
    line[strlen(line) - 1] = 0;
    tsig_reencode(line, 158, tsig_kdf_B3, line);
    snprintf(text, sizeof text, "untrusted comment: k\n%s\n", line);
    CHECK_EQ_INT(upd_seckey_parse(&sk, text, strlen(text)), UPD_E_SIG_ALG);
    strcpy(line, b64);
    line[strlen(line) - 1] = 0;
    tsig_reencode(line, 158, tsig_alg_ED, line);
    snprintf(text, sizeof text, "untrusted comment: k\n%s\n", line);
    CHECK_EQ_INT(upd_seckey_parse(&sk, text, strlen(text)), UPD_E_SIG_ALG);
    strcpy(line, b64);
    line[strlen(line) - 1] = 0;
    line[100] = '#';
    snprintf(text, sizeof text, "untrusted comment: k\n%s\n", line);
    CHECK_EQ_INT(upd_seckey_parse(&sk, text, strlen(text)), UPD_E_BASE64);
    CHECK_EQ_INT(upd_seckey_parse(&sk, b64, strlen(b64)), UPD_E_SIG_FORMAT); /* no comment line */
    CHECK_EQ_INT(upd_seckey_parse(&sk, TSIG_PUB_FILE, strlen(TSIG_PUB_FILE)), UPD_E_BASE64);
    CHECK_EQ_INT(upd_pubkey_parse(&pk, k1, strlen(k1)), UPD_E_BASE64);
    snprintf(text, sizeof text, "%sx\n", k1);
    CHECK_EQ_INT(upd_seckey_parse(&sk, text, strlen(text)), UPD_E_SIG_FORMAT);
}

/* keygen -> format -> parse, and what the files look like */
static void test_sign_minisign_keygen(void)
{
    upd_pubkey pk, pk2, pk3;
    upd_seckey sk, sk2, sk3;
    char ptext[256], stext[512], idhex[17];
    uint8_t raw[160], chk[32], pub[32], sec[64];
    size_t plen, slen;
    int i;
    upd_blake2b_ctx c;
    CHECK_EQ_INT(upd_minisign_keygen(&pk, &sk), UPD_OK);
    CHECK_EQ_INT(upd_minisign_keygen(&pk3, &sk3), UPD_OK);
    CHECK(memcmp(pk.id, pk3.id, 8) != 0 && memcmp(pk.key, pk3.key, 32) != 0);
    CHECK(memcmp(pk.id, sk.id, 8) == 0 && memcmp(sk.key + 32, pk.key, 32) == 0);
    upd_ed25519_seed_keypair(pub, sec, sk.key);
    CHECK(memcmp(pub, pk.key, 32) == 0);

    CHECK_EQ_INT(upd_pubkey_format(&pk, ptext, sizeof ptext), UPD_OK);
    for (i = 0; i < 8; i++) snprintf(idhex + 2 * i, 3, "%02X", pk.id[7 - i]);
    CHECK(strncmp(ptext, "untrusted comment: minisign public key ", 39) == 0 && strncmp(ptext + 39, idhex, 16) == 0);
    CHECK(ptext[55] == '\n' && ptext[56] == 'R' && ptext[57] == 'W' && ptext[56 + 56] == '\n' && ptext[56 + 57] == 0);
    plen = strlen(ptext);
    CHECK_EQ_INT(upd_pubkey_parse(&pk2, ptext, plen), UPD_OK);
    CHECK(memcmp(&pk2, &pk, sizeof pk) == 0);
    CHECK_EQ_INT(upd_pubkey_format(&pk, ptext, plen), UPD_E_TOOBIG);
    CHECK_EQ_INT(upd_pubkey_format(&pk, ptext, plen + 1), UPD_OK);
    CHECK_EQ_INT(upd_pubkey_format(&pk, ptext, 10), UPD_E_TOOBIG);

    CHECK_EQ_INT(upd_seckey_format(&sk, stext, sizeof stext), UPD_OK);
    CHECK(strncmp(stext, "untrusted comment: ", 19) == 0);
    slen = strlen(stext);
    CHECK_EQ_INT(upd_seckey_parse(&sk2, stext, slen), UPD_OK);
    CHECK(memcmp(&sk2, &sk, sizeof sk) == 0);
    CHECK_EQ_INT(upd_seckey_format(&sk, stext, slen), UPD_E_TOOBIG);
    CHECK_EQ_INT(upd_seckey_format(&sk, stext, slen + 1), UPD_OK);
    /* 158 bytes: "Ed", kdf 00 00, "B2", ..., id, seed || A, chk = BLAKE2b-256("Ed" || id || sk) */
    CHECK_EQ_INT(tsig_unb64(strchr(stext, '\n') + 1, raw), 158);
    CHECK(raw[0] == 'E' && raw[1] == 'd' && raw[2] == 0 && raw[3] == 0 && raw[4] == 'B' && raw[5] == '2');
    CHECK(memcmp(raw + 54, sk.id, 8) == 0 && memcmp(raw + 62, sk.key, 64) == 0);
    upd_blake2b_init(&c, 32);
    upd_blake2b_update(&c, "Ed", 2);
    upd_blake2b_update(&c, sk.id, 8);
    upd_blake2b_update(&c, sk.key, 64);
    upd_blake2b_final(&c, chk);
    CHECK(memcmp(raw + 126, chk, 32) == 0);
    /* the pair signs and verifies, and not with the other pair */
    {
        static char out[UPDATER_MAX_MINISIG];
        CHECK_EQ_INT(upd_minisig_sign(&sk2, 0, "x", 1, "k", out, sizeof out), UPD_OK);
        CHECK_EQ_INT(tsig_check(out, &pk2, "x"), UPD_OK);
        CHECK_EQ_INT(tsig_check(out, &pk3, "x"), UPD_E_KEYID);
    }
    memset(&sk, 0, sizeof sk);
}

/* upd_minisig_sign -> parse -> verify, prehashed and legacy, the streaming
   verifier fed in pieces; cap and trusted-comment errors */
static void test_sign_minisign_roundtrip(void)
{
    static const size_t lens[] = {0, 129, 70000};
    static uint8_t msg[70001];
    static char out[UPDATER_MAX_MINISIG], tc[3001];
    upd_pubkey pk;
    upd_seckey sk;
    uint8_t seed[32], digest[64];
    size_t i, j, n;
    int pre;
    tsig_state = 0x4007d1u;
    tsig_fill(seed, 32);
    tsig_fill(msg, sizeof msg);
    upd_ed25519_seed_keypair(pk.key, sk.key, seed);
    memset(pk.id, 0xab, 8);
    memcpy(sk.id, pk.id, 8);
    for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        for (pre = 0; pre <= 1; pre++) {
            size_t len = lens[i], step = len > 1000 ? 4093 : 1;
            upd_minisig_verifier v;
            upd_blake2b(msg, len, digest, 64);
            CHECK_EQ_INT(upd_minisig_sign(&sk, pre, pre ? (const void *)digest : (const void *)msg, pre ? 64 : len,
                                          "timestamp:0\tfile:x", out, sizeof out), UPD_OK);
            CHECK_EQ_INT(upd_minisig_parse(&tsig_sig, out, strlen(out)), UPD_OK);
            CHECK_EQ_INT(tsig_sig.prehashed, pre);
            CHECK_EQ_INT(upd_minisig_verify(&tsig_sig, &pk, 1, msg, len), UPD_OK);
            CHECK_EQ_INT(upd_minisig_verify_init(&v, &tsig_sig, &pk, 1), UPD_OK);
            for (j = 0; j < len; j += step) upd_minisig_verify_update(&v, msg + j, len - j < step ? len - j : step);
            CHECK_EQ_INT(upd_minisig_verify_final(&v), UPD_OK);
            if (len > 0) {
                msg[len / 2] ^= 4;
                CHECK_EQ_INT(upd_minisig_verify(&tsig_sig, &pk, 1, msg, len), UPD_E_SIG);
                msg[len / 2] ^= 4;
                CHECK_EQ_INT(upd_minisig_verify(&tsig_sig, &pk, 1, msg, len - 1), UPD_E_SIG);
            } else
                CHECK_EQ_INT(upd_minisig_verify(&tsig_sig, &pk, 1, msg, 1), UPD_E_SIG);
        }
    }
    /* deterministic; trusted comments of any printable UTF-8, up to what fits */
    {
        static char out2[UPDATER_MAX_MINISIG];
        CHECK_EQ_INT(upd_minisig_sign(&sk, 1, digest, 64, "same", out, sizeof out), UPD_OK);
        CHECK_EQ_INT(upd_minisig_sign(&sk, 1, digest, 64, "same", out2, sizeof out2), UPD_OK);
        CHECK_STR(out, out2);
    }
    memset(tc, 'c', 3000);
    tc[3000] = 0;
    tc[10] = '\t';
    CHECK_EQ_INT(upd_minisig_sign(&sk, 0, "m", 1, tc, out, sizeof out), UPD_OK);
    CHECK_EQ_INT(tsig_check(out, &pk, "m"), UPD_OK);
    CHECK_STR(tsig_sig.trusted, tc);
    CHECK_EQ_INT(upd_minisig_sign(&sk, 0, "m", 1, "caf\xc3\xa9\t\xe2\x82\xac", out, sizeof out), UPD_OK);
    CHECK_EQ_INT(tsig_check(out, &pk, "m"), UPD_OK);
    CHECK_EQ_INT(upd_minisig_sign(&sk, 0, "m", 1, "", out, sizeof out), UPD_OK);
    CHECK_EQ_INT(tsig_check(out, &pk, "m"), UPD_OK);
    /* a trusted comment that would break the file or is not printable UTF-8 */
    CHECK_EQ_INT(upd_minisig_sign(&sk, 0, "m", 1, "two\nlines", out, sizeof out), UPD_E_SIG_FORMAT);
    CHECK_EQ_INT(upd_minisig_sign(&sk, 0, "m", 1, "cr\r", out, sizeof out), UPD_E_SIG_FORMAT);
    CHECK_EQ_INT(upd_minisig_sign(&sk, 0, "m", 1, "\x01", out, sizeof out), UPD_E_SIG_FORMAT);
    CHECK_EQ_INT(upd_minisig_sign(&sk, 0, "m", 1, "\xff", out, sizeof out), UPD_E_SIG_FORMAT);
    /* the output capacity */
    CHECK_EQ_INT(upd_minisig_sign(&sk, 0, "m", 1, "t", out, sizeof out), UPD_OK);
    n = strlen(out);
    CHECK_EQ_INT(upd_minisig_sign(&sk, 0, "m", 1, "t", out, n), UPD_E_TOOBIG);
    CHECK_EQ_INT(upd_minisig_sign(&sk, 0, "m", 1, "t", out, n + 1), UPD_OK);
    CHECK_EQ_INT(upd_minisig_sign(&sk, 0, "m", 1, "t", out, 16), UPD_E_TOOBIG);
    {
        static char big[UPDATER_MAX_MINISIG];
        char *t2 = big;
        memset(t2, 'c', UPDATER_MAX_MINISIG - 1);
        t2[UPDATER_MAX_MINISIG - 1] = 0;
        CHECK_EQ_INT(upd_minisig_sign(&sk, 0, "m", 1, t2, out, sizeof out), UPD_E_TOOBIG);
    }
}

#define TEST_LIST_SIGN T(test_sign_sha512_fips) T(test_sign_sha512_million_a) T(test_sign_sha512_boundaries) \
    T(test_sign_sha512_random_lengths) T(test_sign_blake2b_rfc7693) T(test_sign_blake2b_kat)                  \
    T(test_sign_blake2b_long) T(test_sign_ed25519_rfc8032) T(test_sign_ed25519_wycheproof)                   \
    T(test_sign_ed25519_speccheck) T(test_sign_ed25519_signify_malleable) T(test_sign_ed25519_bitflips)      \
    T(test_sign_ed25519_keys) T(test_sign_minisign_fixtures) T(test_sign_minisign_base64)                   \
    T(test_sign_minisign_alg_keyid) T(test_sign_minisign_tamper) T(test_sign_minisign_lines)                \
    T(test_sign_minisign_trusted_text) T(test_sign_minisign_toobig) T(test_sign_minisign_seckey)            \
    T(test_sign_minisign_keygen) T(test_sign_minisign_roundtrip)
