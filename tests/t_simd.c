/* The run-time-selected x86-64 paths against the portable code they stand
   in for: SHA-256 by SHA-NI, CRC-32 by PCLMULQDQ folding. Every length
   from 0 to a few KiB at several alignments, and large inputs. On a CPU
   without the instructions (or another architecture) the check says
   SKIPPED: the portable code is what every other test checks. */

#ifndef UPDATER_SMALL
#if defined(UPD__SHA_NI) || defined(UPD__CRC_CLMUL)
static void t_simd_fill(uint8_t *b, size_t n, unsigned seed)
{
    size_t i;
    for (i = 0; i < n; i++) { seed = seed * 1103515245u + 12345u; b[i] = (uint8_t)(seed >> 16); }
}
#endif

static void test_simd_sha256_ni(void)
{
#ifdef UPD__SHA_NI
    static uint8_t buf[70000];
    size_t n, off;
    int bad = 0;
    t_simd_fill(buf, sizeof buf, 7);
    if (!upd__have_sha_ni()) { /* the dispatcher must fall back */
        uint32_t a[8] = {1, 2, 3, 4, 5, 6, 7, 8}, b[8] = {1, 2, 3, 4, 5, 6, 7, 8};
        size_t k;
        printf("note %s: no SHA extensions here; checked the portable fallback\n", t_current);
        int simd = 0;
        upd__sha256_blocks(a, buf, 1000, &simd);
        for (k = 0; k < 1000; k++) upd__sha256_block(b, buf + 64 * k);
        CHECK(memcmp(a, b, sizeof a) == 0);
        return;
    }
    for (n = 1; n <= 80; n++)
        for (off = 0; off < 4; off++) {
            uint32_t a[8] = {1, 2, 3, 4, 5, 6, 7, 8}, b[8] = {1, 2, 3, 4, 5, 6, 7, 8};
            size_t k;
            upd__sha256_blocks_ni(a, buf + off, n);
            for (k = 0; k < n; k++) upd__sha256_block(b, buf + off + 64 * k);
            if (memcmp(a, b, sizeof a) != 0) bad++;
        }
    CHECK_EQ_INT(bad, 0);
    {   /* through the public API: big updates take the fast path */
        upd_sha256_ctx c;
        uint8_t d1[32], d2[32];
        uint32_t st[8];
        size_t k;
        upd_sha256(buf, sizeof buf, d1);
        upd_sha256_init(&c);
        memcpy(st, c._h, sizeof st);
        for (k = 0; k + 64 <= sizeof buf; k += 64) upd__sha256_block(st, buf + k);
        upd_sha256_update(&c, buf, sizeof buf);
        CHECK(memcmp(c._h, st, sizeof st) == 0);
        upd_sha256_final(&c, d2);
        CHECK(memcmp(d1, d2, 32) == 0);
    }
#else
    SKIP("SHA-NI path", "not an x86-64 GCC/Clang build, or UPDATER_NO_SIMD");
#endif
}

static void test_simd_crc32_clmul(void)
{
#ifdef UPD__CRC_CLMUL
    static uint8_t buf[70000];
    size_t n, off;
    int bad = 0;
    t_simd_fill(buf, sizeof buf, 11);
    if (!__builtin_cpu_supports("pclmul")) { /* the dispatcher must fall back */
        printf("note %s: no PCLMULQDQ here; checked the portable fallback\n", t_current);
        CHECK_EQ_INT(upd_crc32(0, buf, sizeof buf), ~upd__crc32_sliced(~0u, buf, sizeof buf));
        return;
    }
    for (n = 64; n <= 3000; n++)
        for (off = 0; off < 3; off++) {
            uint32_t seed = (uint32_t)(n * 2654435761u);
            if (upd__crc32_clmul(seed, buf + off, n) != upd__crc32_sliced(seed, buf + off, n)) bad++;
        }
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(upd__crc32_clmul(~0u, buf, sizeof buf), upd__crc32_sliced(~0u, buf, sizeof buf));
#else
    SKIP("CLMUL CRC-32 path", "not an x86-64 GCC/Clang build, or UPDATER_NO_SIMD");
#endif
}

#define TEST_LIST_SIMD T(test_simd_sha256_ni) T(test_simd_crc32_clmul)
#else
#define TEST_LIST_SIMD /* the compact build has no SIMD paths to compare */
#endif
