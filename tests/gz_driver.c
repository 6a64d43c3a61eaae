/* tests/gz_driver.c - feeds a gzip file to upd_gunzip_run in a chosen way
   and writes the decoded bytes to stdout; tests/gunzip.sh compares them
   with gzip -dc.
     gz_driver whole FILE        all input at once, a large output buffer
     gz_driver in1 FILE          input one byte per call (final with the last)
     gz_driver out1 FILE         a one-byte output buffer
     gz_driver split SEED FILE   input and output in random pieces of
                                 1..4096 bytes (an LCG seeded with SEED)
   Exit 0 on UPD_OK; on an error prints
     gz_driver: <upd_strerror text> (<enum name>)
   to stderr and exits 1; usage errors exit 2. */
#define UPDATER_IMPLEMENTATION
#include "../updater.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *result_name(upd_result r)
{
    switch (r) {
#define GZD_NAME_ITEM(name, value, text) case name: return #name;
    UPD_RESULT_LIST(GZD_NAME_ITEM)
#undef GZD_NAME_ITEM
    default: return NULL;
    }
}

static void die(const char *msg)
{
    fprintf(stderr, "gz_driver: %s\n", msg);
    exit(1);
}

static void die_errno(const char *path)
{
    fprintf(stderr, "gz_driver: %s: %s\n", path, strerror(errno));
    exit(1);
}

static uint8_t *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    uint8_t *p = NULL, *q;
    size_t cap = 0, len = 0;
    if (!f) die_errno(path);
    for (;;) {
        size_t k;
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            q = (uint8_t *)realloc(p, cap);
            if (!q) die("out of memory");
            p = q;
        }
        k = fread(p + len, 1, cap - len, f);
        len += k;
        if (k == 0) break;
    }
    if (ferror(f)) die_errno(path);
    fclose(f);
    *n = len;
    if (len == 0) { free(p); return NULL; }
    q = (uint8_t *)malloc(len); /* exactly the file's size: nothing to read past */
    if (!q) die("out of memory");
    memcpy(q, p, len);
    free(p);
    return q;
}

static uint32_t lcg_state;
static size_t lcg_chunk(void)
{
    lcg_state = lcg_state * 1103515245u + 12345u;
    return 1 + (size_t)((lcg_state >> 8) % 4096u);
}

enum { M_WHOLE, M_IN1, M_OUT1, M_SPLIT };

int main(int argc, char **argv)
{
    static upd_gunzip z;
    static uint8_t outbuf[1 << 20];
    const char *path;
    uint8_t *in;
    size_t n, pos = 0;
    int mode, stalls = 0;
    if (argc == 3 && strcmp(argv[1], "whole") == 0) mode = M_WHOLE;
    else if (argc == 3 && strcmp(argv[1], "in1") == 0) mode = M_IN1;
    else if (argc == 3 && strcmp(argv[1], "out1") == 0) mode = M_OUT1;
    else if (argc == 4 && strcmp(argv[1], "split") == 0) {
        char *end;
        unsigned long s = strtoul(argv[2], &end, 10);
        if (*argv[2] == '\0' || *end != '\0') { fprintf(stderr, "gz_driver: bad seed '%s'\n", argv[2]); return 2; }
        lcg_state = (uint32_t)s;
        mode = M_SPLIT;
    } else {
        fprintf(stderr, "usage: gz_driver whole|in1|out1 FILE\n       gz_driver split SEED FILE\n");
        return 2;
    }
    path = argv[argc - 1];
    in = read_file(path, &n);
    upd_gunzip_init(&z, 0);
    for (;;) {
        size_t in_len = n - pos, out_len = sizeof outbuf, gave_in, gave_out;
        int final;
        upd_result r;
        if (mode == M_IN1 && in_len > 1) in_len = 1;
        if (mode == M_OUT1) out_len = 1;
        if (mode == M_SPLIT) {
            size_t a = lcg_chunk(), b = lcg_chunk();
            if (in_len > a) in_len = a;
            out_len = b;
        }
        final = pos + in_len == n;
        gave_in = in_len;
        gave_out = out_len;
        {   /* split pieces (and in1's bytes) go in fresh blocks of exactly
               their size (NULL for none): under ASan, reading or writing past
               them, or into an earlier call's output, is caught. The input as
               a whole is one block of exactly its size; outbuf is reused, so
               reaching into an earlier call's output gives wrong bytes. */
            int fresh_in = mode == M_SPLIT || mode == M_IN1, fresh_out = mode == M_SPLIT;
            uint8_t *ib = fresh_in ? (in_len ? (uint8_t *)malloc(in_len) : NULL) : in + pos;
            uint8_t *ob = fresh_out ? (out_len ? (uint8_t *)malloc(out_len) : NULL) : outbuf;
            if ((in_len && !ib) || (out_len && !ob)) die("out of memory");
            if (fresh_in && in_len) memcpy(ib, in + pos, in_len);
            r = upd_gunzip_run(&z, ib, &in_len, ob, &out_len, final);
            if (in_len > gave_in || out_len > gave_out) die("decoder reported more than it was given");
            if (fresh_out && out_len) memcpy(outbuf, ob, out_len);
            if (fresh_in) free(ib);
            if (fresh_out) free(ob);
        }
        pos += in_len;
        if (out_len && fwrite(outbuf, 1, out_len, stdout) != out_len) die("write error on stdout");
        if (r == UPD_OK) break;
        if (r < 0) {
            const char *name = result_name(r);
            if (name) fprintf(stderr, "gz_driver: %s (%s)\n", upd_strerror(r), name);
            else fprintf(stderr, "gz_driver: %s (%d)\n", upd_strerror(r), (int)r);
            free(in);
            return 1;
        }
        if (r == UPD_NEED_INPUT && final) die("decoder asks for input after the final call");
        /* every call here offers input or says final, and offers output
           space: a decoder that takes and gives nothing is stuck */
        if (in_len == 0 && out_len == 0) {
            if (++stalls >= 3) {
                fprintf(stderr, "gz_driver: decoder makes no progress (%s) at input byte %zu of %zu\n",
                        r == UPD_NEED_INPUT ? "UPD_NEED_INPUT" : "UPD_NEED_OUTPUT", pos, n);
                free(in);
                return 1;
            }
        } else stalls = 0;
    }
    free(in);
    if (fflush(stdout) != 0) die("write error on stdout");
    if (pos != n) {
        fprintf(stderr, "gz_driver: UPD_OK with %zu of %zu input bytes consumed\n", pos, n);
        return 1;
    }
    if (z.total_in != n) {
        fprintf(stderr, "gz_driver: total_in %llu, want %zu\n", (unsigned long long)z.total_in, n);
        return 1;
    }
    return 0;
}
