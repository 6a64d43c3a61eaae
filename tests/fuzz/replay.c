/* replay.c - runs stored fuzz inputs through a libFuzzer target without
   libFuzzer: every file named on the command line, and every regular file
   in each directory named (in name order, not recursing). A crash or an
   abort() in the target is the failure; a path that cannot be read counts
   as failed. Ends with "N passed, N failed".

   usage: fuzz_replay_NAME [-v] FILE|DIR...    (-v: print each file first) */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned passed, failed;
static int verbose;

static void run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data = NULL;
    size_t len = 0, cap = 0, n;
    if (!f) {
        fprintf(stderr, "FAIL %s: cannot open\n", path);
        failed++;
        return;
    }
    for (;;) {
        if (len == cap) {
            uint8_t *p;
            cap = cap ? cap * 2 : 65536;
            p = (uint8_t *)realloc(data, cap);
            if (!p) { fprintf(stderr, "out of memory\n"); exit(2); }
            data = p;
        }
        n = fread(data + len, 1, cap - len, f);
        len += n;
        if (n == 0) break;
    }
    if (ferror(f)) {
        fprintf(stderr, "FAIL %s: read error\n", path);
        fclose(f);
        free(data);
        failed++;
        return;
    }
    fclose(f);
    { /* an exactly sized copy, so that reading past the end is caught */
        uint8_t *exact = (uint8_t *)malloc(len ? len : 1);
        if (!exact) { fprintf(stderr, "out of memory\n"); exit(2); }
        if (len) memcpy(exact, data, len);
        free(data);
        data = exact;
    }
    if (verbose) { printf("%s\n", path); fflush(stdout); }
    LLVMFuzzerTestOneInput(data, len);
    free(data);
    passed++;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t count = 0, cap = 0, i;
    if (!d) {
        fprintf(stderr, "FAIL %s: cannot open directory\n", dir);
        failed++;
        return;
    }
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        char *path;
        struct stat st;
        if (e->d_name[0] == '.') continue;
        path = (char *)malloc(len);
        if (!path) { fprintf(stderr, "out of memory\n"); exit(2); }
        snprintf(path, len, "%s/%s", dir, e->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) { free(path); continue; }
        if (count == cap) {
            char **p;
            cap = cap ? cap * 2 : 64;
            p = (char **)realloc(names, cap * sizeof *names);
            if (!p) { fprintf(stderr, "out of memory\n"); exit(2); }
            names = p;
        }
        names[count++] = path;
    }
    closedir(d);
    if (count) qsort(names, count, sizeof *names, by_name);
    for (i = 0; i < count; i++) {
        run_file(names[i]);
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    int i;
    for (i = 1; i < argc; i++) {
        struct stat st;
        if (strcmp(argv[i], "-v") == 0) { verbose = 1; continue; }
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) run_dir(argv[i]);
        else run_file(argv[i]);
    }
    printf("%u passed, %u failed\n", passed, failed);
    return failed ? 1 : 0;
}
