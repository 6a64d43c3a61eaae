/* SHA-256: FIPS 180-4 / NIST example vectors, streaming in every split,
   the padding boundaries, hex helpers and the file reader. Files of many
   sizes are also checked against coreutils sha256sum in tests/cli.sh. */

static void t_hex32(const uint8_t d[32], char out[65]) { upd_hex_encode(d, 32, out); }

static void test_sha256_fips_vectors(void)
{
    /* FIPS 180-4 examples (NIST CSRC "SHA256.pdf", "SHA2_Additional.pdf") */
    static const struct { const char *msg; const char *hex; } v[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
    };
    size_t i;
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t d[32];
        char hex[65];
        upd_sha256(v[i].msg, strlen(v[i].msg), d);
        t_hex32(d, hex);
        CHECK_STR(hex, v[i].hex);
    }
}

static void test_sha256_million_a(void)
{
    static char chunk[1000];
    upd_sha256_ctx c;
    uint8_t d[32];
    char hex[65];
    int i;
    memset(chunk, 'a', sizeof chunk);
    upd_sha256_init(&c);
    for (i = 0; i < 1000; i++) upd_sha256_update(&c, chunk, sizeof chunk);
    upd_sha256_final(&c, d);
    t_hex32(d, hex);
    CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Every message length around the padding boundaries, fed in 1-, 7- and
   63-byte pieces and in two random halves, gives the one-shot digest. */
static void test_sha256_streaming_splits(void)
{
    static const size_t lens[] = {0, 1, 55, 56, 57, 63, 64, 65, 111, 112, 119, 120, 127, 128, 129, 1000};
    uint8_t msg[1000];
    size_t i, j;
    unsigned seed = 12345;
    for (i = 0; i < sizeof msg; i++) { seed = seed * 1103515245u + 12345u; msg[i] = (uint8_t)(seed >> 16); }
    for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        static const size_t steps[] = {1, 7, 63};
        uint8_t want[32], got[32];
        size_t s;
        upd_sha256(msg, lens[i], want);
        for (s = 0; s < 3; s++) {
            upd_sha256_ctx c;
            upd_sha256_init(&c);
            for (j = 0; j < lens[i]; j += steps[s])
                upd_sha256_update(&c, msg + j, lens[i] - j < steps[s] ? lens[i] - j : steps[s]);
            upd_sha256_final(&c, got);
            CHECK(memcmp(want, got, 32) == 0);
        }
        {
            upd_sha256_ctx c;
            size_t cut = lens[i] ? (seed % lens[i]) : 0;
            upd_sha256_init(&c);
            upd_sha256_update(&c, msg, cut);
            upd_sha256_update(&c, NULL, 0);
            upd_sha256_update(&c, msg + cut, lens[i] - cut);
            upd_sha256_final(&c, got);
            CHECK(memcmp(want, got, 32) == 0);
        }
    }
}

static void test_sha256_hex(void)
{
    static const uint8_t bytes[4] = {0x00, 0x9f, 0xa0, 0xff};
    uint8_t out[4];
    char hex[9];
    upd_hex_encode(bytes, 4, hex);
    CHECK_STR(hex, "009fa0ff");
    CHECK_EQ_INT(upd_hex_decode("009FA0fF", out, 4), UPD_OK);
    CHECK(memcmp(out, bytes, 4) == 0);
    CHECK_EQ_INT(upd_hex_decode("009fa0f", out, 4), UPD_E_ARG);   /* short */
    CHECK_EQ_INT(upd_hex_decode("009fa0ff0", out, 4), UPD_E_ARG); /* long */
    CHECK_EQ_INT(upd_hex_decode("009fa0fg", out, 4), UPD_E_ARG);  /* non-hex */
    CHECK_EQ_INT(upd_hex_decode("009f a0f", out, 4), UPD_E_ARG);
}

static void test_sha256_file(void)
{
    char path[] = "/tmp/upd-t-sha256-XXXXXX";
    uint8_t d[32];
    char hex[65];
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0) return;
    CHECK(write(fd, "abc", 3) == 3);
    close(fd);
    CHECK_EQ_INT(upd_sha256_file(path, d), UPD_OK);
    t_hex32(d, hex);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    unlink(path);
    CHECK_EQ_INT(upd_sha256_file(path, d), UPD_E_IO);
    CHECK_EQ_INT(errno, ENOENT);
    CHECK_EQ_INT(upd_sha256_file("/", d), UPD_E_ARG);
}

#define TEST_LIST_SHA256 T(test_sha256_fips_vectors) T(test_sha256_million_a) \
    T(test_sha256_streaming_splits) T(test_sha256_hex) T(test_sha256_file)
