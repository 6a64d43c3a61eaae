/* sign.c - Ed25519 speed: upd_ed25519_verify() and upd_ed25519_sign()
   against libsodium's crypto_sign_verify_detached() and
   crypto_sign_detached(), in one process, on one 64-byte message.

     bench_sign [N]
         checks once that both give the same key pair and the same
         signature, that each verifies the other's and that both reject a
         flipped bit; then times N verifies and N signatures of each
         (default and minimum 2000), ours and libsodium interleaved one
         operation at a time, and prints the median in microseconds per
         operation and the ratio ours/libsodium (< 1 = ours faster).

   Built with -DHAVE_SODIUM -lsodium when libsodium's header is installed;
   without it only ours is timed and the anchor is reported as skipped. */
#define UPDATER_IMPLEMENTATION
#include "../updater.h"

#ifdef HAVE_SODIUM
#include <sodium.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void die(const char *what)
{
    fprintf(stderr, "bench_sign: %s\n", what);
    exit(1);
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec * 1e-3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void row(const char *what, double ours, double anchor)
{
    printf("%-8s ours %8.1f µs", what, ours);
    if (anchor > 0) printf("   libsodium %8.1f µs   ratio %.2f\n", anchor, ours / anchor);
    else printf("   SKIPPED libsodium (libsodium-dev is not installed)\n");
}

int main(int argc, char **argv)
{
    uint8_t seed[32], pub[32], sec[64], msg[64], sig[64], bad[64];
    double *t_ours, *t_anchor, ours_v, ours_s, anchor_v = 0, anchor_s = 0;
    volatile int sink = 0;
    size_t i, n = 2000;
    if (argc > 2 || (argc == 2 && (n = (size_t)strtoul(argv[1], NULL, 10)) < 2000))
        die("usage: bench_sign [N >= 2000]");
    for (i = 0; i < 32; i++) seed[i] = (uint8_t)(i * 7 + 1);
    for (i = 0; i < 64; i++) msg[i] = (uint8_t)(i * 13 + 5);
    upd_ed25519_seed_keypair(pub, sec, seed);
    upd_ed25519_sign(sig, msg, sizeof msg, sec);
    memcpy(bad, sig, 64);
    bad[40] ^= 1;
    if (upd_ed25519_verify(sig, msg, sizeof msg, pub) != UPD_OK) die("ours rejects its own signature");
    if (upd_ed25519_verify(bad, msg, sizeof msg, pub) == UPD_OK) die("ours accepts a flipped bit");
#ifdef HAVE_SODIUM
    {
        uint8_t spk[crypto_sign_PUBLICKEYBYTES], ssk[crypto_sign_SECRETKEYBYTES], ssig[crypto_sign_BYTES];
        if (sodium_init() < 0) die("sodium_init failed");
        crypto_sign_seed_keypair(spk, ssk, seed);
        if (memcmp(spk, pub, 32) != 0 || memcmp(ssk, sec, 64) != 0) die("key pairs differ from libsodium's");
        crypto_sign_detached(ssig, NULL, msg, sizeof msg, ssk);
        if (memcmp(ssig, sig, 64) != 0) die("signatures differ from libsodium's");
        if (crypto_sign_verify_detached(sig, msg, sizeof msg, spk) != 0) die("libsodium rejects ours");
        if (crypto_sign_verify_detached(bad, msg, sizeof msg, spk) == 0) die("libsodium accepts a flipped bit");
    }
#endif
    t_ours = (double *)malloc(n * sizeof *t_ours);
    t_anchor = (double *)malloc(n * sizeof *t_anchor);
    if (!t_ours || !t_anchor) die("out of memory");

    for (i = 0; i < n; i++) { /* verify */
        double t0 = now_us();
        sink += upd_ed25519_verify(sig, msg, sizeof msg, pub) == UPD_OK;
        t_ours[i] = now_us() - t0;
#ifdef HAVE_SODIUM
        t0 = now_us();
        sink += crypto_sign_verify_detached(sig, msg, sizeof msg, pub) == 0;
        t_anchor[i] = now_us() - t0;
#endif
    }
    ours_v = median(t_ours, n);
#ifdef HAVE_SODIUM
    anchor_v = median(t_anchor, n);
#endif
    for (i = 0; i < n; i++) { /* sign */
        double t0;
        msg[0] = (uint8_t)i; /* a new message each time: nothing to reuse */
        t0 = now_us();
        upd_ed25519_sign(sig, msg, sizeof msg, sec);
        t_ours[i] = now_us() - t0;
        sink += sig[0];
#ifdef HAVE_SODIUM
        t0 = now_us();
        crypto_sign_detached(sig, NULL, msg, sizeof msg, sec);
        t_anchor[i] = now_us() - t0;
        sink += sig[0];
#endif
    }
    ours_s = median(t_ours, n);
#ifdef HAVE_SODIUM
    anchor_s = median(t_anchor, n);
#endif
    (void)sink;
    row("verify", ours_v, anchor_v);
    row("sign", ours_s, anchor_s);
    printf("goal: verify <= 1 ms and <= 5x libsodium (now %.0f µs", ours_v);
    if (anchor_v > 0) printf(", %.2fx", ours_v / anchor_v);
    printf(": %s)\n", ours_v <= 1000 && (anchor_v <= 0 || ours_v <= 5 * anchor_v) ? "met" : "NOT met");
    free(t_ours);
    free(t_anchor);
    return 0;
}
