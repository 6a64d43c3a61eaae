/* hash.c - SHA-512 and BLAKE2b-512 of a file, for timing against
   coreutils' sha512sum and b2sum as whole processes.

     bench_hash sha512|blake2b FILE
         streams FILE through upd_sha512_update() (upd_blake2b_update())
         in 64 KiB reads and prints "HEX  FILE", as sha512sum (b2sum) does
     bench_hash --mem sha512|blake2b FILE [RUNS]
         reads FILE into memory, hashes it there RUNS times (default 3) and
         prints the best speed in MB/s: the hash alone, without I/O */
#define UPDATER_IMPLEMENTATION
#include "../updater.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    int b2;
    upd_sha512_ctx s;
    upd_blake2b_ctx b;
} hasher;

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "bench_hash: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

static void h_init(hasher *h)
{
    if (h->b2) upd_blake2b_init(&h->b, 64);
    else upd_sha512_init(&h->s);
}

static void h_update(hasher *h, const void *p, size_t n)
{
    if (h->b2) upd_blake2b_update(&h->b, p, n);
    else upd_sha512_update(&h->s, p, n);
}

static void h_final(hasher *h, uint8_t out[64])
{
    if (h->b2) upd_blake2b_final(&h->b, out);
    else upd_sha512_final(&h->s, out);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* reads path to its end in reads of at most cap bytes into buf, each fed
   to h; or, with all, into a growing buffer *all; returns the bytes read */
static size_t read_file(const char *path, uint8_t *buf, size_t cap, hasher *h, uint8_t **all)
{
    size_t total = 0, acap = 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0) die(path, strerror(errno));
    for (;;) {
        ssize_t n;
        if (all && total == acap) {
            uint8_t *p = (uint8_t *)realloc(*all, acap = acap ? acap * 2 : (size_t)1 << 24);
            if (!p) die("out of memory", NULL);
            *all = p;
        }
        n = read(fd, all ? *all + total : buf, all ? acap - total : cap);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) die(path, strerror(errno));
        if (n == 0) break;
        if (h) h_update(h, buf, (size_t)n);
        total += (size_t)n;
    }
    close(fd);
    return total;
}

int main(int argc, char **argv)
{
    static uint8_t buf[65536];
    uint8_t out[64];
    char hex[129];
    hasher h;
    int mem = argc > 1 && strcmp(argv[1], "--mem") == 0;
    const char *alg = argc > 1 + mem ? argv[1 + mem] : "";
    memset(&h, 0, sizeof h);
    if (strcmp(alg, "blake2b") == 0) h.b2 = 1;
    else if (strcmp(alg, "sha512") != 0 || argc < 3 + mem || argc > 3 + 2 * mem)
        die("usage: bench_hash [--mem] sha512|blake2b FILE [RUNS]", NULL);
    if (!mem) {
        h_init(&h);
        read_file(argv[2], buf, sizeof buf, &h, NULL);
        h_final(&h, out);
        upd_hex_encode(out, 64, hex);
        printf("%s  %s\n", hex, argv[2]);
    } else {
        uint8_t *all = NULL;
        size_t len = read_file(argv[3], NULL, 0, NULL, &all);
        int k, runs = argc > 4 ? atoi(argv[4]) : 3;
        double best = 0;
        for (k = 0; k < (runs > 0 ? runs : 1); k++) {
            double t0 = now(), t;
            h_init(&h);
            h_update(&h, all, len);
            h_final(&h, out);
            t = now() - t0;
            if (k == 0 || t < best) best = t;
        }
        printf("%.0f\n", (double)len / 1e6 / (best > 0 ? best : 1e-9));
        free(all);
    }
    return 0;
}
