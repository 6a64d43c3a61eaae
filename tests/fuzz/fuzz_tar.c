/* fuzz_tar.c - libFuzzer target for the tar extractor (upd_untar_*), which
   writes to a real directory: every input is extracted into a fresh one.

   Input layout: one selector byte, then the archive (.tar or .tar.gz).
     byte 0  bits 0-3  input chunk size (CHUNKS[]; 0 = everything at once)
             bit  4    vary the chunk sizes in [1, size]
             bit  5    UPD_TAR_SKIP_UNSUPPORTED
             bit  6    UPD_UNTAR_LIST
             bit  7    UPD_UNTAR_KEEP_SPECIAL

   Each run makes a directory with mkdtemp under /tmp holding dest/ (the
   destination) and sentinel/ (a file, a subdirectory, a file in it), then
   what must hold (abort() otherwise):
   - the sentinel is unchanged: same names, types, modes, sizes, link
     counts and contents; the top directory holds only dest and sentinel;
   - no symlink in dest resolves outside dest: each is resolved component
     by component through real directories and (recursively) through the
     other symlinks, counting depth below dest;
   - every hard link of a file in dest is in dest (link counts add up);
   - no temporary file (.upd-tmp-PID-N) is left in dest after close, and
     no file descriptor is left open;
   - with UPD_UNTAR_LIST, dest stays empty;
   - a failure comes with a message in x.error.
   Then the whole tree is removed without following any symlink, holding
   one directory descriptor at a time (trees can be thousands deep). */
#define UPDATER_IMPLEMENTATION
#include "../../updater.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const size_t CHUNKS[16] = {0, 1, 2, 3, 5, 7, 64, 100, 511, 512, 513, 1000, 4096, 10000, 65536, 200000};

#define CHECK(cond, what)                                                      \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "fuzz_tar: %s (%s:%d: %s)\n", what, __FILE__, __LINE__, #cond); \
            abort();                                                           \
        }                                                                      \
    } while (0)

static const char SECRET[] = "sentinel: must never change\n";
static const char NESTED[] = "nested sentinel file\n";

/* ---- directory listings, one descriptor at a time ---- */
typedef struct { char **v; size_t n, cap; } names;

static void names_free(names *l)
{
    size_t i;
    for (i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

/* The names in directory dfd (not "." and ".."); dfd stays open. */
static void list_dir(int dfd, names *l)
{
    int fd = dup(dfd);
    DIR *d;
    struct dirent *e;
    CHECK(fd >= 0, "dup failed");
    d = fdopendir(fd);
    CHECK(d != NULL, "fdopendir failed");
    rewinddir(d); /* the offset is shared with dfd */
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (l->n == l->cap) {
            l->cap = l->cap ? 2 * l->cap : 16;
            l->v = (char **)realloc(l->v, l->cap * sizeof *l->v);
            CHECK(l->v != NULL, "out of memory");
        }
        l->v[l->n] = strdup(e->d_name);
        CHECK(l->v[l->n] != NULL, "out of memory");
        l->n++;
    }
    closedir(d);
}

/* ---- symlink containment ---- */
/* Follows path from directory dfd (depth levels below dest): real
   directories are entered (O_NOFOLLOW), symlinks resolved in turn. Returns
   -1 if the walk would climb above dest, else 0; on 0, *out is the
   directory reached (or -1 if the walk stopped at a file, a missing name
   or a loop) and *out_depth its depth. Takes ownership of dfd. */
static int walk_path(int dfd, int depth, const char *path, int hops, int *out, int *out_depth)
{
    const char *s = path;
    if (*s == '/') { close(dfd); return -1; } /* absolute: never inside a fresh temp dir */
    while (*s) {
        char comp[256];
        size_t len = strcspn(s, "/");
        struct stat st;
        if (len >= sizeof comp) { close(dfd); *out = -1; return 0; } /* ENAMETOOLONG: goes nowhere */
        memcpy(comp, s, len);
        comp[len] = 0;
        s += len;
        if (*s == '/') s++;
        if (len == 0 || strcmp(comp, ".") == 0) continue;
        if (strcmp(comp, "..") == 0) {
            int up;
            if (depth == 0) { close(dfd); return -1; }
            up = openat(dfd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            CHECK(up >= 0, "cannot open ..");
            close(dfd);
            dfd = up;
            depth--;
            continue;
        }
        if (fstatat(dfd, comp, &st, AT_SYMLINK_NOFOLLOW) != 0) { close(dfd); *out = -1; return 0; }
        if (S_ISDIR(st.st_mode)) {
            int sub = openat(dfd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            CHECK(sub >= 0, "cannot open a directory");
            close(dfd);
            dfd = sub;
            depth++;
        } else if (S_ISLNK(st.st_mode)) {
            char target[UPDATER_MAX_PATH + 2];
            ssize_t k = readlinkat(dfd, comp, target, sizeof target - 1);
            int next, next_depth;
            CHECK(k >= 0, "readlinkat failed");
            target[k] = 0;
            if (hops >= 40) { close(dfd); *out = -1; return 0; } /* ELOOP */
            if (walk_path(dfd, depth, target, hops + 1, &next, &next_depth) != 0) return -1;
            if (next < 0) { *out = -1; return 0; }
            dfd = next;
            depth = next_depth;
        } else { /* a file: "file/..." goes nowhere */
            close(dfd);
            *out = -1;
            return 0;
        }
    }
    *out = dfd;
    *out_depth = depth;
    return 0;
}

/* ---- the checks on dest ---- */
typedef struct { dev_t dev; ino_t ino; nlink_t nlink, seen; } inode_count;
typedef struct { inode_count *v; size_t n, cap; size_t entries; char tmp_prefix[32]; } dest_scan;

static void count_inode(dest_scan *sc, const struct stat *st)
{
    size_t i;
    for (i = 0; i < sc->n; i++)
        if (sc->v[i].ino == st->st_ino && sc->v[i].dev == st->st_dev) { sc->v[i].seen++; return; }
    if (sc->n == sc->cap) {
        sc->cap = sc->cap ? 2 * sc->cap : 16;
        sc->v = (inode_count *)realloc(sc->v, sc->cap * sizeof *sc->v);
        CHECK(sc->v != NULL, "out of memory");
    }
    sc->v[sc->n].dev = st->st_dev;
    sc->v[sc->n].ino = st->st_ino;
    sc->v[sc->n].nlink = st->st_nlink;
    sc->v[sc->n].seen = 1;
    sc->n++;
}

/* Checks everything below dfd (depth levels below dest); returns dfd or a
   new descriptor of the same directory (the old one is closed while a
   subdirectory is scanned). */
static int scan_dest(int dfd, int depth, dest_scan *sc)
{
    names l = {0};
    size_t i;
    list_dir(dfd, &l);
    for (i = 0; i < l.n; i++) {
        const char *name = l.v[i];
        struct stat st;
        sc->entries++;
        CHECK(strncmp(name, sc->tmp_prefix, strlen(sc->tmp_prefix)) != 0, "a temporary file was left behind");
        if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            int sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), up;
            if (sub < 0) { /* a directory without search permission (not as root) */
                CHECK(fchmodat(dfd, name, 0700, 0) == 0, "cannot chmod a directory");
                sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                CHECK(sub >= 0, "cannot open a directory");
            }
            close(dfd);
            sub = scan_dest(sub, depth + 1, sc);
            up = openat(sub, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            CHECK(up >= 0, "cannot open ..");
            close(sub);
            dfd = up;
        } else if (S_ISLNK(st.st_mode)) {
            char target[UPDATER_MAX_PATH + 2];
            ssize_t k = readlinkat(dfd, name, target, sizeof target - 1);
            int end = -1, end_depth = 0, at = dup(dfd);
            CHECK(k >= 0 && at >= 0, "readlinkat failed");
            target[k] = 0;
            if (walk_path(at, depth, target, 0, &end, &end_depth) != 0) {
                fprintf(stderr, "fuzz_tar: symlink '%s' -> '%s' (%d below the destination) leads out of it\n",
                        name, target, depth);
                abort();
            }
            if (end >= 0) close(end);
        } else {
            CHECK(S_ISREG(st.st_mode), "something other than a file, directory or symlink was created");
            if (st.st_nlink > 1) count_inode(sc, &st);
        }
    }
    names_free(&l);
    return dfd;
}

/* ---- removal ---- */
/* Removes everything below dfd; returns dfd or a new descriptor for it. */
static int rm_below(int dfd)
{
    names l = {0};
    size_t i;
    list_dir(dfd, &l);
    for (i = 0; i < l.n; i++) {
        struct stat st;
        if (fstatat(dfd, l.v[i], &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            int sub, up;
            if ((st.st_mode & 0700) != 0700) fchmodat(dfd, l.v[i], 0700, 0); /* a real directory: fstatat said so */
            sub = openat(dfd, l.v[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            CHECK(sub >= 0, "cannot open a directory to remove it");
            close(dfd);
            sub = rm_below(sub);
            up = openat(sub, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            CHECK(up >= 0, "cannot open ..");
            close(sub);
            dfd = up;
            CHECK(unlinkat(dfd, l.v[i], AT_REMOVEDIR) == 0, "cannot remove a directory");
        } else CHECK(unlinkat(dfd, l.v[i], 0) == 0, "cannot remove a file");
    }
    names_free(&l);
    return dfd;
}

/* ---- the sentinel ---- */
static void write_file(int dfd, const char *name, const char *text, mode_t mode)
{
    int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    size_t n = strlen(text);
    CHECK(fd >= 0, "cannot create a sentinel file");
    CHECK(write(fd, text, n) == (ssize_t)n, "cannot write a sentinel file");
    CHECK(fchmod(fd, mode) == 0, "fchmod failed");
    close(fd);
}

static void check_file(int dfd, const char *name, const char *text, mode_t mode)
{
    struct stat st;
    char buf[128];
    size_t n = strlen(text);
    int fd;
    CHECK(fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0, "a sentinel file is gone");
    CHECK(S_ISREG(st.st_mode), "a sentinel file is no longer a regular file");
    CHECK((st.st_mode & 07777) == mode, "a sentinel file changed its mode");
    CHECK(st.st_nlink == 1, "a sentinel file gained a hard link");
    CHECK(st.st_size == (off_t)n, "a sentinel file changed its size");
    fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    CHECK(fd >= 0, "cannot open a sentinel file");
    CHECK(read(fd, buf, sizeof buf) == (ssize_t)n && memcmp(buf, text, n) == 0, "a sentinel file changed");
    close(fd);
}

static void check_names(int dfd, const char *a, const char *b, const char *what)
{
    names l = {0};
    list_dir(dfd, &l);
    if (!(l.n == 2 && ((strcmp(l.v[0], a) == 0 && strcmp(l.v[1], b) == 0) ||
                       (strcmp(l.v[0], b) == 0 && strcmp(l.v[1], a) == 0)))) {
        size_t i;
        fprintf(stderr, "fuzz_tar: %s holds:", what);
        for (i = 0; i < l.n; i++) fprintf(stderr, " '%s'", l.v[i]);
        fprintf(stderr, "\n");
        abort();
    }
    names_free(&l);
}

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    if (!d) return -1;
    while (readdir(d)) n++;
    closedir(d);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static upd_untar x;
    char top[] = "/tmp/upd-fuzz-tar-XXXXXX", dest[64];
    unsigned sel, flags = 0;
    uint32_t rng;
    size_t pos = 0;
    upd_result r = UPD_OK;
    int tfd, sfd, sub, fds_before;
    struct stat st;

    if (size < 1) return 0;
    sel = data[0];
    data++;
    size--;
    rng = 0x9e3779b9u ^ (uint32_t)size;
    if (sel & 32u) flags |= UPD_TAR_SKIP_UNSUPPORTED;
    if (sel & 64u) flags |= UPD_UNTAR_LIST;
    if (sel & 128u) flags |= UPD_UNTAR_KEEP_SPECIAL;

    fds_before = count_fds();
    CHECK(mkdtemp(top) != NULL, "mkdtemp failed");
    tfd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    CHECK(tfd >= 0, "cannot open the temporary directory");
    CHECK(mkdirat(tfd, "dest", 0755) == 0 && mkdirat(tfd, "sentinel", 0700) == 0, "mkdir failed");
    sfd = openat(tfd, "sentinel", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    CHECK(sfd >= 0, "cannot open the sentinel");
    write_file(sfd, "secret", SECRET, 0600);
    CHECK(mkdirat(sfd, "sub", 0750) == 0, "mkdir failed");
    sub = openat(sfd, "sub", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    CHECK(sub >= 0, "cannot open the sentinel's subdirectory");
    write_file(sub, "nested", NESTED, 0640);
    snprintf(dest, sizeof dest, "%s/dest", top);

    /* extract, in chunks */
    if (upd_untar_open(&x, dest, flags) == UPD_OK) {
        while (pos < size) {
            size_t n = CHUNKS[sel & 15u];
            if (n == 0) n = size;
            if (sel & 16u) { rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5; n = 1 + rng % n; }
            if (n > size - pos) n = size - pos;
            if ((r = upd_untar_feed(&x, data + pos, n)) != UPD_OK) break;
            pos += n;
        }
        if (r == UPD_OK) r = upd_untar_finish(&x);
        if (r != UPD_OK) CHECK(x.error[0] != 0, "a failure without a message");
    } else CHECK(0, "cannot open the destination");
    upd_untar_close(&x);

    /* nothing outside dest changed */
    check_names(tfd, "dest", "sentinel", "the temporary directory");
    check_names(sfd, "secret", "sub", "the sentinel");
    check_file(sfd, "secret", SECRET, 0600);
    {
        names l = {0};
        list_dir(sub, &l);
        CHECK(l.n == 1 && strcmp(l.v[0], "nested") == 0, "the sentinel's subdirectory changed");
        names_free(&l);
    }
    check_file(sub, "nested", NESTED, 0640);
    CHECK(fstatat(tfd, "sentinel", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode) &&
          (st.st_mode & 07777) == 0700, "the sentinel directory changed");
    CHECK(fstatat(sfd, "sub", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode) &&
          (st.st_mode & 07777) == 0750, "the sentinel's subdirectory changed its mode");

    /* what is inside dest */
    {
        dest_scan sc;
        int dfd = openat(tfd, "dest", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        size_t i;
        CHECK(dfd >= 0, "dest is no longer a directory");
        memset(&sc, 0, sizeof sc);
        snprintf(sc.tmp_prefix, sizeof sc.tmp_prefix, ".upd-tmp-%ld-", (long)getpid());
        dfd = scan_dest(dfd, 0, &sc);
        for (i = 0; i < sc.n; i++)
            CHECK(sc.v[i].seen == sc.v[i].nlink, "a file in dest is hard-linked from outside it");
        free(sc.v);
        if (flags & UPD_UNTAR_LIST) CHECK(sc.entries == 0, "a listing wrote into the destination");
        dfd = rm_below(dfd);
        close(dfd);
    }
    close(sub);
    sfd = rm_below(sfd);
    close(sfd);
    CHECK(unlinkat(tfd, "dest", AT_REMOVEDIR) == 0 && unlinkat(tfd, "sentinel", AT_REMOVEDIR) == 0,
          "cannot remove dest or sentinel");
    close(tfd);
    CHECK(rmdir(top) == 0, "cannot remove the temporary directory");
    CHECK(count_fds() == fds_before, "a file descriptor was left open");
    return 0;
}
