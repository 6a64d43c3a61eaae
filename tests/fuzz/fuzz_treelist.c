/* fuzz_treelist.c - libFuzzer target for upd_tree_verify(): the input is a
   tree listing (docs/delta.md, "The tree listing"), checked against a
   small fixed tree, and against a reference checker written here from the
   document.

   Once per process a directory is made with mkdtemp (in $UPD_FUZZ_TMP if
   set, else /dev/shm when it is there, else /tmp; removed at exit) holding
   the tree of TREE[] below: files of several modes (and sizes), escaped
   and UTF-8 names, a name of UPDATER_MAX_PATH bytes, directories, symlinks
   (to a file, to a directory, with a target to escape) and a FIFO. The
   listing of the tree's release entries is in the seed corpus
   (make_treelist_corpus.sh writes it from the same table).
   UPDATER_MAX_PATH is made small (a configuration macro) so that short
   inputs reach the path limit and the record length limit (6 * 128 + 128
   bytes).

   What must hold (abort() otherwise):
   - the result is UPD_OK or UPD_E_TREE, with a message exactly when it is
     not UPD_OK; the same again for the same input;
   - UPD_OK exactly when the reference accepts: every line ends in '\n';
     "f MODE SIZE SHA256 PATH", "d MODE PATH" or "l PATH TARGET" with single
     spaces; MODE four octal digits within 0755; SIZE decimal without
     leading zeros; SHA256 64 lower-case hex digits; in PATH and TARGET the
     bytes 0x01-0x20, '%' and 0x7f as %XX (upper-case hex), no others
     escaped, no NUL; PATH relative and normalized, without a backslash (as
     the extractor wants), of at most UPDATER_MAX_PATH bytes, not under a
     reserved top-level name; paths strictly increasing by bytes; each
     path's parents real directories in the tree (not symlinks) and the
     entry itself of the listed type, mode, size, SHA-256 or target;
   - on UPD_OK tree_out is the SHA-256 of the input, and with want set to
     it the result is UPD_OK again, with any other want UPD_E_TREE naming
     tree=. */
#define UPDATER_MAX_PATH 128
#define UPDATER_IMPLEMENTATION
#include "../../updater.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, what)                                                      \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "fuzz_treelist: %s (%s:%d: %s)\n", what, __FILE__, __LINE__, #cond); \
            abort();                                                           \
        }                                                                      \
    } while (0)

/* ---- the fixed tree (type 'p': a FIFO, never a listed type) ---- */
typedef struct {
    const char *path;
    char type;
    unsigned mode;
    const char *data;         /* files: contents; symlinks: target */
    uint8_t sha[32];          /* files, filled in at setup */
} entry;

static char long_name[UPDATER_MAX_PATH + 1]; /* "p/" and 126 'q': the longest path */

static entry TREE[] = {
    {"a", 'f', 0644, "hello\n", {0}},
    {"b", 'd', 0755, NULL, {0}},
    {"b/c", 'f', 0755, "#!/bin/sh\n", {0}},
    {"b/d", 'l', 0, "../a", {0}},
    {"caf\xc3\xa9", 'f', 0644, "utf-8\n", {0}},
    {"e f", 'f', 0600, "space\n", {0}},
    {"empty", 'f', 0644, "", {0}},
    {"fifo", 'p', 0644, NULL, {0}},
    {"g%", 'd', 0700, NULL, {0}},
    {"g%/h", 'f', 0644, "", {0}},
    {"g%/t", 'l', 0, "x y%\t", {0}},
    {"l", 'l', 0, "b", {0}},
    {"p", 'd', 0755, NULL, {0}},
    {long_name, 'f', 0644, "max\n", {0}},
    {"x\x01", 'f', 0500, "ctl\n", {0}},
    {"z", 'd', 0555, NULL, {0}},
};
#define NTREE (sizeof TREE / sizeof TREE[0])

static char root[64];
static int tree_fd = -1;

static void rm_tree(void)
{
    size_t i;
    char path[256];
    for (i = NTREE; i-- > 0;) {
        snprintf(path, sizeof path, "%s/%s", root, TREE[i].path);
        if (TREE[i].type == 'd') { chmod(path, 0700); rmdir(path); }
        else unlink(path);
    }
    rmdir(root);
}

static void setup(void)
{
    const char *base = getenv("UPD_FUZZ_TMP");
    size_t i;
    if (tree_fd >= 0) return;
    memcpy(long_name, "p/", 2);
    memset(long_name + 2, 'q', UPDATER_MAX_PATH - 2);
    long_name[UPDATER_MAX_PATH] = 0;
    if (!base) base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(root, sizeof root, "%s/upd-fuzz-treelist-XXXXXX", base);
    CHECK(strlen(base) < 24 && mkdtemp(root) != NULL, "mkdtemp failed");
    tree_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    CHECK(tree_fd >= 0, "cannot open the tree");
    for (i = 0; i < NTREE; i++) { /* parents come first in TREE[] */
        entry *e = &TREE[i];
        if (e->type == 'f') {
            int fd = openat(tree_fd, e->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
            size_t n = strlen(e->data);
            CHECK(fd >= 0 && write(fd, e->data, n) == (ssize_t)n && fchmod(fd, e->mode) == 0, "cannot make a file");
            close(fd);
            upd_sha256(e->data, n, e->sha);
        } else if (e->type == 'd') {
            CHECK(mkdirat(tree_fd, e->path, 0700) == 0, "cannot make a directory");
        } else if (e->type == 'l') {
            CHECK(symlinkat(e->data, tree_fd, e->path) == 0, "cannot make a symlink");
        } else {
            CHECK(mkfifoat(tree_fd, e->path, e->mode) == 0 && fchmodat(tree_fd, e->path, e->mode, 0) == 0, "cannot make a FIFO");
        }
    }
    for (i = NTREE; i-- > 0;) /* directory modes last: 0555 takes away write */
        if (TREE[i].type == 'd') CHECK(fchmodat(tree_fd, TREE[i].path, TREE[i].mode, 0) == 0, "fchmod failed");
    atexit(rm_tree);
}

/* ---- the reference checker ---- */
static const entry *find(const char *path)
{
    size_t i;
    for (i = 0; i < NTREE; i++)
        if (strcmp(TREE[i].path, path) == 0) return &TREE[i];
    return NULL;
}

static int must_escape(unsigned c) { return c <= 0x20 || c == 0x25 || c == 0x7f; }

static int hexup(int c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1; }

/* a field's bytes f[0..n) unescaped into out (UPDATER_MAX_PATH + 1 bytes); 0 if malformed or too long */
static int unescape(const uint8_t *f, size_t n, char *out)
{
    size_t i, w = 0;
    for (i = 0; i < n; i++) {
        unsigned c = f[i];
        if (c == '%') {
            int hi, lo;
            if (n - i < 3 || (hi = hexup(f[i + 1])) < 0 || (lo = hexup(f[i + 2])) < 0) return 0;
            c = (unsigned)(hi * 16 + lo);
            if (c == 0 || !must_escape(c)) return 0;
            i += 2;
        } else if (must_escape(c)) {
            return 0;
        }
        if (w == UPDATER_MAX_PATH) return 0;
        out[w++] = (char)c;
    }
    out[w] = 0;
    return 1;
}

/* relative, normalized, no backslash, not reserved */
static int path_ok(const char *p)
{
    static const char *const reserved[3] = {".updater-tree", ".updater-delete", ".updater-patch"};
    const char *c = p;
    size_t i;
    if (!*p || strchr(p, '\\')) return 0;
    for (;;) {
        const char *s = strchr(c, '/');
        size_t len = s ? (size_t)(s - c) : strlen(c);
        if (len == 0 || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.')) return 0;
        if (c == p)
            for (i = 0; i < 3; i++)
                if (len == strlen(reserved[i]) && memcmp(c, reserved[i], len) == 0) return 0;
        if (!s) return 1;
        c = s + 1;
    }
}

static int ref_check(const uint8_t *in, size_t n)
{
    char prev[UPDATER_MAX_PATH + 1];
    size_t at = 0;
    int first = 1;
    while (at < n) {
        const uint8_t *line = in + at, *nl = (const uint8_t *)memchr(line, '\n', n - at);
        const uint8_t *f[5];
        size_t fl[5], len, nf = 0, i, want;
        char path[UPDATER_MAX_PATH + 1], target[UPDATER_MAX_PATH + 1], *slash;
        const entry *e;
        unsigned mode = 0;
        uint64_t fsize = 0;
        uint8_t sha[32];
        if (!nl) return 0;
        len = (size_t)(nl - line);
        at += len + 1;
        if (len + 1 > UPD__TREE_LINE || memchr(line, 0, len)) return 0;
        /* fields, one space apart, none empty */
        for (i = 0; i <= len; i++) {
            size_t s = i;
            while (i < len && line[i] != ' ') i++;
            if (i == s || nf == 5) return 0;
            f[nf] = line + s;
            fl[nf++] = i - s;
        }
        if (fl[0] != 1 || (line[0] != 'f' && line[0] != 'd' && line[0] != 'l')) return 0;
        want = line[0] == 'f' ? 5 : 3;
        if (nf != want) return 0;
        if (line[0] != 'l') {
            if (fl[1] != 4) return 0;
            for (i = 0; i < 4; i++) {
                if (f[1][i] < '0' || f[1][i] > '7') return 0;
                mode = mode * 8 + (unsigned)(f[1][i] - '0');
            }
            if (mode & ~0755u) return 0;
        }
        if (line[0] == 'f') {
            if (fl[2] > 19 || (f[2][0] == '0' && fl[2] > 1)) return 0;
            for (i = 0; i < fl[2]; i++) {
                if (f[2][i] < '0' || f[2][i] > '9') return 0;
                fsize = fsize * 10 + (uint64_t)(f[2][i] - '0');
            }
            if (fl[3] != 64) return 0;
            for (i = 0; i < 64; i++) {
                int c = f[3][i], v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
                if (v < 0) return 0;
                if (i % 2 == 0) sha[i / 2] = (uint8_t)(v << 4);
                else sha[i / 2] = (uint8_t)(sha[i / 2] | v);
            }
        }
        i = line[0] == 'f' ? 4 : line[0] == 'd' ? 2 : 1;
        if (!unescape(f[i], fl[i], path) || !path_ok(path)) return 0;
        if (!first && strcmp(prev, path) >= 0) return 0;
        memcpy(prev, path, strlen(path) + 1);
        first = 0;
        if (line[0] == 'l' && !unescape(f[2], fl[2], target)) return 0;
        /* the tree: real directories above, then the entry */
        for (slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/')) {
            const entry *d;
            *slash = 0;
            d = find(path);
            *slash = '/';
            if (!d || d->type != 'd') return 0;
        }
        if (!(e = find(path)) || e->type != line[0]) return 0;
        if (line[0] == 'f' && (e->mode != mode || strlen(e->data) != fsize || memcmp(e->sha, sha, 32) != 0)) return 0;
        if (line[0] == 'd' && e->mode != mode) return 0;
        if (line[0] == 'l' && strcmp(e->data, target) != 0) return 0;
    }
    return 1;
}

/* ---- one run ---- */
static upd_result verify(int lfd, const uint8_t *want, uint8_t out[32], char *err, size_t errcap)
{
    CHECK(lseek(lfd, 0, SEEK_SET) == 0, "lseek failed");
    return upd_tree_verify(tree_fd, lfd, want, out, err, errcap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int lfd = -1;
    char err[UPDATER_MAX_PATH + 400], err2[sizeof err];
    uint8_t sha[32], got[32], other[32];
    upd_result r, r2;
    int ref;
    setup();
    if (lfd < 0) {
        char path[128];
        snprintf(path, sizeof path, "%s/listing", root);
        lfd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        CHECK(lfd >= 0, "cannot make the listing file");
        unlink(path);
    }
    CHECK(ftruncate(lfd, 0) == 0 && (size == 0 || pwrite(lfd, data, size, 0) == (ssize_t)size), "cannot write the listing");
    upd_sha256(data, size, sha);
    memset(got, 0, sizeof got);
    r = verify(lfd, NULL, got, err, sizeof err);
    CHECK(r == UPD_OK || r == UPD_E_TREE, "a result other than UPD_OK or UPD_E_TREE");
    CHECK((r == UPD_OK) == (err[0] == 0), "a message without a failure, or a failure without one");
    r2 = verify(lfd, NULL, NULL, err2, sizeof err2);
    CHECK(r2 == r && strcmp(err, err2) == 0, "another result for the same listing");
    ref = ref_check(data, size);
    if (ref != (r == UPD_OK)) {
        fprintf(stderr, "fuzz_treelist: upd_tree_verify says %d (%s), the reference %s\n", (int)r, err,
                ref ? "accepts" : "refuses");
        abort();
    }
    if (r == UPD_OK) {
        CHECK(memcmp(got, sha, 32) == 0, "tree_out is not the listing's SHA-256");
        CHECK(verify(lfd, sha, NULL, err, sizeof err) == UPD_OK, "refused with want = its own hash");
        memcpy(other, sha, 32);
        other[size % 32] ^= (uint8_t)(1u << (size % 8));
        CHECK(verify(lfd, other, got, err, sizeof err) == UPD_E_TREE && strstr(err, "tree=") != NULL,
              "accepted with another want");
    } else {
        CHECK(verify(lfd, sha, NULL, err2, sizeof err2) == r && strcmp(err, err2) == 0, "want changed a refusal");
    }
    return 0;
}
