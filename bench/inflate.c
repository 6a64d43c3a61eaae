/* inflate.c - gzip decoding speed: upd_gunzip_run() against zlib and
   libdeflate, in one process, on one .gz file read fully into memory.

     bench_inflate FILE.gz [RUNS]
         decodes FILE.gz with each decoder RUNS times (default 7, at least
         5), interleaved, after checking that all three give the same bytes;
         prints the median speed in MB/s of output and the ratios ours/zlib
         and ours/libdeflate (higher = ours is faster).
     bench_inflate --one ours|zlib|libdeflate FILE.gz
         decodes once with one decoder and prints the output size, for
         instruction counts: valgrind --tool=callgrind
         --toggle-collect=decode_ours (decode_zlib, decode_libdeflate)

   How each decoder is driven (the way a real caller would use it):
     ours        all input in one call sequence, output in 1 MiB chunks into
                 one reused buffer (streaming; the window lives in the state)
     zlib        inflate(), windowBits 31, the same 1 MiB output chunks
     libdeflate  libdeflate_gzip_decompress_ex() into a buffer as large as
                 the whole output (one shot: libdeflate cannot stream) */
#define UPDATER_IMPLEMENTATION
#include "../updater.h"

#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#define CHUNK ((size_t)1 << 20)

typedef struct {
    const uint8_t *in;
    size_t in_len;
    uint8_t *out;      /* CHUNK bytes for the streaming decoders, else out_cap */
    size_t out_cap;
    uint32_t crc;      /* CRC-32 of the output, when check is set */
    int check;
    struct libdeflate_decompressor *ld;
} job;

typedef size_t (*decoder)(job *j); /* returns the output size, 0 on error */

static void die(const char *what)
{
    fprintf(stderr, "bench_inflate: %s\n", what);
    exit(1);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

size_t decode_ours(job *j);
size_t decode_zlib(job *j);
size_t decode_libdeflate(job *j);

size_t decode_ours(job *j)
{
    static upd_gunzip z;
    size_t pos = 0, total = 0;
    upd_gunzip_init(&z, 0);
    for (;;) {
        size_t in_len = j->in_len - pos, out_len = CHUNK;
        upd_result r = upd_gunzip_run(&z, j->in + pos, &in_len, j->out, &out_len, 1);
        pos += in_len;
        total += out_len;
        if (j->check) j->crc = (uint32_t)crc32(j->crc, j->out, (uInt)out_len);
        if (r == UPD_OK) return total;
        if (r < 0) {
            fprintf(stderr, "bench_inflate: ours: %s\n", upd_strerror(r));
            return 0;
        }
    }
}

size_t decode_zlib(job *j)
{
    z_stream s;
    size_t total = 0;
    int ret;
    memset(&s, 0, sizeof s);
    if (inflateInit2(&s, 16 + 15) != Z_OK) die("inflateInit2 failed");
    s.next_in = (Bytef *)(uintptr_t)j->in;
    s.avail_in = (uInt)j->in_len; /* inputs stay far below 4 GiB */
    for (;;) {
        s.next_out = j->out;
        s.avail_out = (uInt)CHUNK;
        ret = inflate(&s, Z_NO_FLUSH);
        total += CHUNK - s.avail_out;
        if (j->check) j->crc = (uint32_t)crc32(j->crc, j->out, (uInt)(CHUNK - s.avail_out));
        if (ret == Z_STREAM_END) {
            if (s.avail_in == 0) break;
            inflateReset(&s); /* another member */
        } else if (ret != Z_OK) {
            fprintf(stderr, "bench_inflate: zlib: %s\n", s.msg ? s.msg : "error");
            total = 0;
            break;
        }
    }
    inflateEnd(&s);
    return total;
}

size_t decode_libdeflate(job *j)
{
    size_t pos = 0, total = 0;
    while (pos < j->in_len) { /* member by member */
        size_t used = 0, got = 0;
        enum libdeflate_result r = libdeflate_gzip_decompress_ex(j->ld, j->in + pos, j->in_len - pos,
                                                                 j->out + total, j->out_cap - total,
                                                                 &used, &got);
        if (r != LIBDEFLATE_SUCCESS) {
            fprintf(stderr, "bench_inflate: libdeflate: error %d\n", (int)r);
            return 0;
        }
        pos += used;
        total += got;
    }
    if (j->check) j->crc = (uint32_t)crc32(j->crc, j->out, (uInt)total);
    return total;
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *p;
    long n = -1;
    if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
        die("cannot read the input file");
    p = (uint8_t *)malloc((size_t)n + 1);
    if (!p || fread(p, 1, (size_t)n, f) != (size_t)n) die("cannot read the input file");
    fclose(f);
    *len = (size_t)n;
    return p;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, by_value);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    static const char *const names[3] = {"ours", "zlib", "libdeflate"};
    decoder fns[3];
    job jobs[3];
    double times[3][64], mbs[3];
    size_t in_len, sizes[3];
    uint8_t *in;
    int runs = 7, i, k;

    fns[0] = decode_ours;
    fns[1] = decode_zlib;
    fns[2] = decode_libdeflate;
    if (argc == 4 && strcmp(argv[1], "--one") == 0) {
        job j;
        memset(&j, 0, sizeof j);
        for (k = 0; k < 3 && strcmp(argv[2], names[k]) != 0; k++) {}
        if (k == 3) die("--one takes ours, zlib or libdeflate");
        j.in = in = read_file(argv[3], &in_len);
        j.in_len = in_len;
        j.out_cap = CHUNK;
        if (k == 2) { /* one shot: needs the whole size first */
            j.check = 0;
            j.out = (uint8_t *)malloc(CHUNK);
            if (!j.out) die("out of memory");
            j.out_cap = decode_zlib(&j);
            free(j.out);
            j.ld = libdeflate_alloc_decompressor();
        }
        j.out = (uint8_t *)malloc(j.out_cap ? j.out_cap : 1);
        if (!j.out) die("out of memory");
        sizes[0] = fns[k](&j);
        printf("%s: %zu bytes\n", names[k], sizes[0]);
        return sizes[0] == 0 && in_len > 0;
    }
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: bench_inflate FILE.gz [RUNS]\n"
                        "       bench_inflate --one ours|zlib|libdeflate FILE.gz\n");
        return 2;
    }
    if (argc == 3) runs = atoi(argv[2]);
    if (runs < 5) runs = 5;
    if (runs > 64) runs = 64;
    in = read_file(argv[1], &in_len);

    for (k = 0; k < 3; k++) {
        memset(&jobs[k], 0, sizeof jobs[k]);
        jobs[k].in = in;
        jobs[k].in_len = in_len;
        jobs[k].out_cap = CHUNK;
        jobs[k].out = (uint8_t *)malloc(CHUNK);
        if (!jobs[k].out) die("out of memory");
    }
    /* check: the same output from all three (size and CRC-32) */
    jobs[0].check = jobs[1].check = 1;
    sizes[0] = decode_ours(&jobs[0]);
    sizes[1] = decode_zlib(&jobs[1]);
    free(jobs[2].out);
    jobs[2].out_cap = sizes[1];
    jobs[2].out = (uint8_t *)malloc(sizes[1] ? sizes[1] : 1);
    jobs[2].ld = libdeflate_alloc_decompressor();
    if (!jobs[2].out || !jobs[2].ld) die("out of memory");
    jobs[2].check = 1;
    sizes[2] = decode_libdeflate(&jobs[2]);
    for (k = 0; k < 3; k++) {
        if (sizes[k] == 0) die("a decoder failed");
        jobs[k].check = 0;
    }
    if (sizes[0] != sizes[1] || sizes[0] != sizes[2] || jobs[0].crc != jobs[1].crc || jobs[0].crc != jobs[2].crc) {
        fprintf(stderr, "bench_inflate: outputs differ: ours %zu bytes crc %08x, zlib %zu bytes crc %08x, "
                        "libdeflate %zu bytes crc %08x\n", sizes[0], (unsigned)jobs[0].crc, sizes[1],
                (unsigned)jobs[1].crc, sizes[2], (unsigned)jobs[2].crc);
        return 1;
    }
    /* the timed runs, interleaved so that all three see the same machine */
    for (i = 0; i < runs; i++)
        for (k = 0; k < 3; k++) {
            double t0 = now();
            size_t n = fns[k](&jobs[k]);
            times[k][i] = now() - t0;
            if (n != sizes[0]) die("a decoder failed in a timed run");
        }
    for (k = 0; k < 3; k++) mbs[k] = (double)sizes[0] / 1e6 / median(times[k], runs);
    for (k = 0; k < 3; k++) printf("%s %4.0f MB/s  ", names[k], mbs[k]);
    printf("ours/zlib %.2f  ours/libdeflate %.2f  (%.1f MB from %.1f MB, median of %d)\n",
           mbs[0] / mbs[1], mbs[0] / mbs[2], (double)sizes[0] / 1e6, (double)in_len / 1e6, runs);
    for (k = 0; k < 3; k++) free(jobs[k].out);
    libdeflate_free_decompressor(jobs[2].ld);
    free(in);
    return 0;
}
