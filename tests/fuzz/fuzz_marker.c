/* fuzz_marker.c - libFuzzer target for the engine's journal: the marker
   parser (upd__marker_read, static in updater.h, reachable because this
   file includes the implementation) and what upd_startup() does with a
   marker, on real trees, without exec()ing anything (no_exec).

   Input layout: two selector bytes, then the marker.
     byte 0  bits 0-2  the layout: where the new tree N and the old tree O
                       are (LAYOUTS[]: before the swap, on trial, half-way
                       through a swap or a rollback, one of them missing)
             bit  3    single-executable mode (install_file): the trees
                       are single files
             bits 4-5  max_trials: default (3), 1, 5, 1000000 (never, in
                       practice: trials count into six digits)
             bit  6    an unrelated tree X in the first free place (the
                       install path first), and stale `helper`, `failed`
     byte 1  bit  0    X is empty
             bit  1    after a trial start, upd_mark_good()
             bit  2    then upd_startup() once more
             bit  3    state_dir given (with a trailing '/'), not defaulted
   The rest is written as <state>/marker (no file at all if it is empty),
   with "$N", "$O" and "$X" replaced by DEV:INO of those trees (a made-up
   inode if the tree is not there) and "$D" by the device, so that short
   inputs can name the real trees as the engine's own markers do.

   Once per process a directory is made with mkdtemp (in $UPD_FUZZ_TMP if
   set, else /dev/shm when it is there: fsync is cheap on tmpfs; removed
   at exit) holding `sentinel/` (a file, a
   subdirectory, a file in it); each input gets a fresh `w/` beside it,
   holding the install path (w/app, or w/prog), the state dir (w/app.update
   or w/prog.update, mode 0700) and w/rt (scratch).

   What must hold (abort() otherwise):
   - upd__marker_read: UPD_OK or UPD_E_STATE (with a message), the same
     twice; UPD_E_STATE for a file of UPDATER_MAX_PATH + 511 bytes or
     more (its buffer); UPD_OK with no file and an empty state; on UPD_OK
     with a file: state swap, trial or rollback, every string
     NUL-terminated in its array, exe non-empty, relative and without
     "..", both inodes non-zero, trials >= 0; written back with
     upd__marker_write (into w/rt) and read again, the same struct; the
     marker file is not changed by reading it;
   - upd_startup returns, with UPD_OK, UPD_E_STATE or UPD_E_IO (then with
     a message), never an "exec" event, and leaves no descriptor open;
   - nothing outside w/ changes (the sentinel: names, types, modes,
     contents), w/ holds nothing new, the state dir holds only the
     engine's names (marker, lock, failed, helper, staged, previous,
     failed.tree) and is still a 0700 directory;
   - every tree in any of the four places (install path, staged,
     previous, failed.tree) afterwards is one of the trees from before,
     the same inode with the same contents (a tree is moved whole or not
     at all, never copied, never half-written), and none is in two
     places; the install path names a tree afterwards if it did before;
     the tree the install path held is gone afterwards only if it was the
     marker's new tree and this start rolled back (or it was an empty
     directory: renaming a tree over it is how a half-done swap is
     finished);
   - with a bad marker: UPD_E_STATE and nothing changed at all (no lock
     file either); with none: UPD_OK, nothing changed;
   - a trial start within max_trials: UPD_OK, e->trial, e->version, no
     tree moved, the marker the same but trials + 1;
   - a rollback (state rollback, or a trial start past max_trials): on
     UPD_OK e->rolled_back, the install path names the marker's old tree,
     no marker, the version in `failed`; or, when the install path is the
     new tree and previous/ not the old one (nothing to go back to), a
     "good" event, no marker, nothing moved; on an error the marker
     stays, saying rollback;
   - a swap: either abandoned (the install path was the old tree and
     staged/ not the new one: no marker, nothing moved), or done (the
     install path names the new tree, marker trial with trials 0), or an
     error with the marker unchanged;
   - upd_mark_good after a trial start: UPD_OK, no marker, no previous/,
     the install path unchanged.
   UPDATER_MAX_PATH is made small (a configuration macro) so that short
   inputs reach and cross the marker's buffer and exe length limits. */
#define UPDATER_MAX_PATH 128
#define UPDATER_IMPLEMENTATION
#include "../../updater.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, what)                                                      \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "fuzz_marker: %s (%s:%d: %s)\n", what, __FILE__, __LINE__, #cond); \
            abort();                                                           \
        }                                                                      \
    } while (0)

enum { P_INSTALL, P_STAGED, P_PREVIOUS, P_FAILED, NPOS, P_NONE = -1 };
enum { T_N, T_O, T_X, NTREES };
static const char *const TREE_NAME[NTREES] = {"N", "O", "X"};
static const signed char LAYOUTS[8][2] = { /* where N, where O */
    {P_STAGED, P_INSTALL},   /* before the swap */
    {P_INSTALL, P_PREVIOUS}, /* swapped: on trial */
    {P_INSTALL, P_STAGED},   /* exchanged, old tree not yet renamed to previous */
    {P_STAGED, P_PREVIOUS},  /* two renames, a crash between them: nothing installed */
    {P_FAILED, P_INSTALL},   /* rolled back, failed tree not yet removed */
    {P_PREVIOUS, P_INSTALL}, /* rollback exchanged, not yet renamed to failed.tree */
    {P_INSTALL, P_NONE},     /* the old tree is gone */
    {P_NONE, P_INSTALL},     /* the new tree is gone */
};

static char root[64];        /* the temporary area, made once */
static int rootfd = -1;

/* ---- small file helpers ---- */
static void write_file(int dfd, const char *name, const char *text, mode_t mode)
{
    int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    size_t n = strlen(text);
    CHECK(fd >= 0, "cannot create a file");
    CHECK(write(fd, text, n) == (ssize_t)n, "cannot write a file");
    CHECK(fchmod(fd, mode) == 0, "fchmod failed");
    close(fd);
}

static int open_dir(int dfd, const char *name)
{
    int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    CHECK(fd >= 0, "cannot open a directory");
    return fd;
}

typedef struct { char **v; size_t n, cap; } names;

static void names_free(names *l)
{
    size_t i;
    for (i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* the names in directory dfd, sorted; dfd stays open */
static void list_dir(int dfd, names *l)
{
    int fd = dup(dfd);
    DIR *d;
    struct dirent *e;
    CHECK(fd >= 0, "dup failed");
    d = fdopendir(fd);
    CHECK(d != NULL, "fdopendir failed");
    rewinddir(d);
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
    if (l->n) qsort(l->v, l->n, sizeof *l->v, by_name);
}

static int has_name(const names *l, const char *n)
{
    size_t i;
    for (i = 0; i < l->n; i++)
        if (strcmp(l->v[i], n) == 0) return 1;
    return 0;
}

/* removes everything below dfd, following nothing */
static void rm_below(int dfd)
{
    names l = {0};
    size_t i;
    list_dir(dfd, &l);
    for (i = 0; i < l.n; i++) {
        struct stat st;
        if (fstatat(dfd, l.v[i], &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            int sub;
            fchmodat(dfd, l.v[i], 0700, 0);
            sub = open_dir(dfd, l.v[i]);
            rm_below(sub);
            close(sub);
            CHECK(unlinkat(dfd, l.v[i], AT_REMOVEDIR) == 0, "cannot remove a directory");
        } else CHECK(unlinkat(dfd, l.v[i], 0) == 0, "cannot remove a file");
    }
    names_free(&l);
}

/* ---- fingerprints: a tree's names, types, modes, sizes, contents ---- */
typedef struct { char *p; size_t n, cap; } sbuf;

static void put(sbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = (char *)realloc(b->p, b->cap);
        CHECK(b->p != NULL, "out of memory");
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void fingerprint_at(int dfd, const char *name, sbuf *b, int depth)
{
    struct stat st;
    char line[256];
    CHECK(depth < 8, "a tree deeper than the ones made");
    CHECK(fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0, "fstatat failed");
    snprintf(line, sizeof line, "%s %o %lld", name, (unsigned)st.st_mode, (long long)st.st_size);
    put(b, line, strlen(line));
    if (S_ISREG(st.st_mode)) {
        char buf[128];
        int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        ssize_t k;
        CHECK(fd >= 0, "cannot open a file");
        k = read(fd, buf, sizeof buf);
        CHECK(k >= 0, "cannot read a file");
        close(fd);
        put(b, " =", 2);
        put(b, buf, (size_t)k);
    } else if (S_ISLNK(st.st_mode)) {
        char t[256];
        ssize_t k = readlinkat(dfd, name, t, sizeof t);
        CHECK(k >= 0, "readlinkat failed");
        put(b, " ->", 3);
        put(b, t, (size_t)k);
    } else if (S_ISDIR(st.st_mode)) {
        names l = {0};
        size_t i;
        int sub = open_dir(dfd, name);
        list_dir(sub, &l);
        put(b, " {", 2);
        for (i = 0; i < l.n; i++) {
            put(b, "\n", 1);
            fingerprint_at(sub, l.v[i], b, depth + 1);
        }
        put(b, "}", 1);
        names_free(&l);
        close(sub);
    }
    put(b, "\n", 1);
}

/* ---- the places and what is in them ---- */
typedef struct {
    int mode_file;           /* single-executable mode */
    int wfd, sfd;            /* w/ and the state dir */
    const char *inst, *state; /* names in w/ */
    uint64_t dev;
} env;

typedef struct {
    int there;
    uint64_t dev, ino;
    char *fp;                /* fingerprint (name-independent) */
} item;

/* the directory and name of a place */
static int place(const env *v, int pos, const char **name, int *close_it)
{
    *close_it = 0;
    switch (pos) {
    case P_INSTALL: *name = v->inst; return v->wfd;
    case P_STAGED:
        if (!v->mode_file) { *name = "staged"; return v->sfd; }
        else {
            int fd = openat(v->sfd, "staged", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            *name = "prog";
            if (fd >= 0) *close_it = 1;
            return fd;
        }
    case P_PREVIOUS: *name = "previous"; return v->sfd;
    default: *name = "failed.tree"; return v->sfd;
    }
}

static void look(const env *v, int pos, item *it)
{
    const char *name;
    int c, dfd = place(v, pos, &name, &c);
    struct stat st;
    memset(it, 0, sizeof *it);
    if (dfd < 0) return;
    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        sbuf b = {0};
        it->there = 1;
        it->dev = (uint64_t)st.st_dev;
        it->ino = (uint64_t)st.st_ino;
        /* fingerprint under a fixed name: trees move between names */
        if (S_ISDIR(st.st_mode)) {
            int sub = open_dir(dfd, name);
            names l = {0};
            size_t i;
            char line[64];
            snprintf(line, sizeof line, "%o {", (unsigned)st.st_mode);
            put(&b, line, strlen(line));
            list_dir(sub, &l);
            for (i = 0; i < l.n; i++) fingerprint_at(sub, l.v[i], &b, 1);
            put(&b, "}", 1);
            names_free(&l);
            close(sub);
        } else {
            put(&b, "file ", 5);
            fingerprint_at(dfd, name, &b, 1);
            /* drop the name: "prog 100755 ..." vs "previous 100755 ..." */
            memmove(b.p + 5, strchr(b.p + 5, ' '), strlen(strchr(b.p + 5, ' ')) + 1);
        }
        it->fp = b.p;
    }
    if (c) close(dfd);
}

static void make_tree(env *v, int t, int pos, int x_empty)
{
    const char *name;
    int c, dfd;
    if (pos == P_NONE) return;
    if (v->mode_file && pos == P_STAGED) mkdirat(v->sfd, "staged", 0700);
    dfd = place(v, pos, &name, &c);
    CHECK(dfd >= 0, "no directory for a tree");
    if (v->mode_file) {
        write_file(dfd, name, t == T_N ? "#!/bin/sh\necho new\n" : t == T_O ? "#!/bin/sh\necho old\n" : x_empty ? "" : "stale\n",
                   t == T_X ? 0644 : 0755);
    } else {
        int d, sub;
        CHECK(mkdirat(dfd, name, 0700) == 0, "mkdir failed");
        d = open_dir(dfd, name);
        if (t == T_N) {
            CHECK(mkdirat(d, "bin", 0755) == 0 && mkdirat(d, "share", 0700) == 0, "mkdir failed");
            sub = open_dir(d, "bin");
            write_file(sub, "prog", "#!/bin/sh\necho new\n", 0755);
            close(sub);
            sub = open_dir(d, "share");
            write_file(sub, "new.txt", "only in the new tree\n", 0600);
            close(sub);
            write_file(d, "data.txt", "new data\n", 0644);
            CHECK(fchmod(d, 0750) == 0, "fchmod failed");
        } else if (t == T_O) {
            CHECK(mkdirat(d, "bin", 0755) == 0 && mkdirat(d, "lib", 0755) == 0, "mkdir failed");
            sub = open_dir(d, "bin");
            write_file(sub, "prog", "#!/bin/sh\necho old\n", 0755);
            close(sub);
            sub = open_dir(d, "lib");
            write_file(sub, "x.so", "x1", 0644);
            close(sub);
            write_file(d, "data.txt", "old data\n", 0644);
            CHECK(symlinkat("bin/prog", d, "link") == 0, "symlink failed");
            CHECK(fchmod(d, 0755) == 0, "fchmod failed");
        } else if (!x_empty) {
            write_file(d, "stale.txt", "stale\n", 0644);
        }
        close(d);
    }
    if (c) close(dfd);
}

/* ---- the sentinel ---- */
static const char SECRET[] = "sentinel: must never change\n";
static const char NESTED[] = "nested sentinel file\n";
static char *sentinel_fp;

static char *sentinel_print(void)
{
    sbuf b = {0};
    names l = {0};
    list_dir(rootfd, &l);
    CHECK(l.n == 2 && strcmp(l.v[0], "sentinel") == 0 && strcmp(l.v[1], "w") == 0,
          "the temporary area holds other names than sentinel and w");
    names_free(&l);
    fingerprint_at(rootfd, "sentinel", &b, 0);
    return b.p;
}

static void cleanup(void)
{
    if (rootfd < 0) return;
    rm_below(rootfd);
    close(rootfd);
    rootfd = -1;
    rmdir(root);
}

static void setup(void)
{
    const char *base = getenv("UPD_FUZZ_TMP");
    int sfd, sub;
    if (rootfd >= 0) return;
    if (!base) base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(root, sizeof root, "%s/upd-fuzz-marker-XXXXXX", base);
    CHECK(strlen(base) < 24 && mkdtemp(root) != NULL, "mkdtemp failed");
    CHECK(chmod(root, 0700) == 0, "chmod failed");
    rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    CHECK(rootfd >= 0, "cannot open the temporary area");
    CHECK(mkdirat(rootfd, "sentinel", 0700) == 0, "mkdir failed");
    sfd = open_dir(rootfd, "sentinel");
    write_file(sfd, "secret", SECRET, 0600);
    CHECK(mkdirat(sfd, "sub", 0750) == 0, "mkdir failed");
    sub = open_dir(sfd, "sub");
    write_file(sub, "nested", NESTED, 0640);
    close(sub);
    close(sfd);
    CHECK(mkdirat(rootfd, "w", 0755) == 0, "mkdir failed");
    sentinel_fp = sentinel_print();
    CHECK(unlinkat(rootfd, "w", AT_REMOVEDIR) == 0, "rmdir failed");
    atexit(cleanup);
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

/* ---- events ---- */
static char events[256];
static void on_event(void *user, const char *phase, const char *detail)
{
    size_t n = strlen(events);
    (void)user;
    (void)detail;
    CHECK(strcmp(phase, "exec") != 0, "an exec with no_exec set");
    snprintf(events + n, sizeof events - n, "%s ", phase);
}

/* reads the marker file's bytes (NULL if there is none) */
static char *read_marker(int sfd, size_t *len)
{
    char *buf = (char *)malloc(8192);
    int fd = openat(sfd, "marker", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    ssize_t k;
    CHECK(buf != NULL, "out of memory");
    if (fd < 0) { free(buf); *len = 0; return NULL; }
    k = read(fd, buf, 8192);
    close(fd);
    CHECK(k >= 0, "cannot read the marker");
    *len = (size_t)k;
    return buf;
}

static void check_marker_fields(const upd__marker *m)
{
    CHECK(memchr(m->state, 0, sizeof m->state) && memchr(m->version, 0, sizeof m->version) &&
          memchr(m->exe, 0, sizeof m->exe), "a marker field not NUL-terminated in its array");
    CHECK(strcmp(m->state, "swap") == 0 || strcmp(m->state, "trial") == 0 || strcmp(m->state, "rollback") == 0,
          "a marker with an unknown state accepted");
    CHECK(m->exe[0] && m->exe[0] != '/' && !strstr(m->exe, ".."), "a bad exe accepted");
    CHECK(m->new_ino != 0 && m->old_ino != 0, "a marker without both inodes accepted");
    CHECK(m->trials >= 0, "negative trials");
}

/* the same marker (the arrays may differ after the strings' NULs: a key
   given twice leaves the tail of its longer value there) */
static int marker_eq(const upd__marker *a, const upd__marker *b)
{
    return strcmp(a->state, b->state) == 0 && strcmp(a->version, b->version) == 0 && strcmp(a->exe, b->exe) == 0 &&
           a->trials == b->trials && a->new_dev == b->new_dev && a->new_ino == b->new_ino && a->old_dev == b->old_dev &&
           a->old_ino == b->old_ino;
}

static int failed_has(int sfd, const char *version)
{
    size_t n;
    char *b = NULL, *line, *next;
    int found = 0, fd = openat(sfd, "failed", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    ssize_t k;
    if (fd < 0) return 0;
    b = (char *)malloc(8193);
    CHECK(b != NULL, "out of memory");
    k = read(fd, b, 8192);
    close(fd);
    n = k > 0 ? (size_t)k : 0;
    b[n] = 0;
    for (line = b; *line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = 0; else next = line + strlen(line);
        if (strcmp(line, version) == 0) found = 1;
    }
    free(b);
    return found;
}

typedef struct {
    item at[NPOS];           /* what each place held */
    names sdir;              /* the state dir's names */
    char *marker;            /* its marker's bytes, or NULL */
    size_t mlen;
} snapshot;

static void snap(const env *v, snapshot *s)
{
    int i;
    memset(s, 0, sizeof *s);
    for (i = 0; i < NPOS; i++) look(v, i, &s->at[i]);
    list_dir(v->sfd, &s->sdir);
    s->marker = read_marker(v->sfd, &s->mlen);
}

static void snap_free(snapshot *s)
{
    int i;
    for (i = 0; i < NPOS; i++) free(s->at[i].fp);
    names_free(&s->sdir);
    free(s->marker);
}

static int same_item(const item *a, const item *b)
{
    return a->there == b->there &&
           (!a->there || (a->dev == b->dev && a->ino == b->ino && strcmp(a->fp, b->fp) == 0));
}

static int same_snapshot(const snapshot *a, const snapshot *b)
{
    size_t i;
    for (i = 0; i < NPOS; i++)
        if (!same_item(&a->at[i], &b->at[i])) return 0;
    if (a->sdir.n != b->sdir.n) return 0;
    for (i = 0; i < a->sdir.n; i++)
        if (strcmp(a->sdir.v[i], b->sdir.v[i]) != 0) return 0;
    return (a->marker == NULL) == (b->marker == NULL) && a->mlen == b->mlen &&
           (!a->marker || memcmp(a->marker, b->marker, a->mlen) == 0);
}

static void show(const char *what, const snapshot *s)
{
    static const char *const P[NPOS] = {"install", "staged", "previous", "failed.tree"};
    int i;
    fprintf(stderr, "%s:\n", what);
    for (i = 0; i < NPOS; i++)
        if (s->at[i].there) fprintf(stderr, "  %s: %llu:%llu %.60s...\n", P[i], (unsigned long long)s->at[i].dev,
                                    (unsigned long long)s->at[i].ino, s->at[i].fp);
    fprintf(stderr, "  marker: %.*s\n", (int)s->mlen, s->marker ? s->marker : "(none)");
}

/* the structural checks of one upd_startup (or upd_mark_good): the
   places after it hold trees from before, whole, each once */
static void check_places(const env *v, const snapshot *before, const snapshot *after, const upd__marker *m,
                         int rolled_back)
{
    static const char *const allowed[] = {"marker", "lock", "failed", "helper", "staged", "previous", "failed.tree"};
    size_t i, j;
    struct stat st;
    char *fp;
    for (i = 0; i < NPOS; i++) {
        const item *a = &after->at[i];
        int from = -1;
        if (!a->there) continue;
        for (j = 0; j < NPOS; j++)
            if (before->at[j].there && before->at[j].dev == a->dev && before->at[j].ino == a->ino) from = (int)j;
        if (from < 0 || strcmp(before->at[from].fp, a->fp) != 0) {
            show("before", before);
            show("after", after);
            CHECK(0, "a place holds a tree that was not there before, or changed");
        }
        for (j = 0; j < i; j++)
            CHECK(!after->at[j].there || after->at[j].dev != a->dev || after->at[j].ino != a->ino, "one tree in two places");
    }
    if (before->at[P_INSTALL].there) {
        const item *b = &before->at[P_INSTALL];
        int kept = 0;
        if (!after->at[P_INSTALL].there) { show("before", before); show("after", after); }
        CHECK(after->at[P_INSTALL].there, "the install path names nothing any more");
        for (j = 0; j < NPOS; j++)
            if (after->at[j].there && after->at[j].dev == b->dev && after->at[j].ino == b->ino) kept = 1;
        if (!kept && !(rolled_back && m && b->dev == m->new_dev && b->ino == m->new_ino) &&
            strcmp(strchr(b->fp, '{') ? strchr(b->fp, '{') : "", "{}") != 0) {
            show("before", before);
            show("after", after);
            CHECK(0, "the installed tree was removed, and it was not a rolled-back new tree");
        }
    }
    for (i = 0; i < after->sdir.n; i++) {
        int ok = has_name(&before->sdir, after->sdir.v[i]);
        for (j = 0; j < sizeof allowed / sizeof allowed[0]; j++)
            if (strcmp(after->sdir.v[i], allowed[j]) == 0) ok = 1;
        if (!ok) fprintf(stderr, "fuzz_marker: '%s' in the state dir\n", after->sdir.v[i]);
        CHECK(ok, "a name in the state dir that the engine does not use");
    }
    CHECK(fstat(v->sfd, &st) == 0 && fstatat(v->wfd, v->state, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
          S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0700, "the state dir is gone or changed its mode");
    {
        names l = {0};
        list_dir(v->wfd, &l);
        for (i = 0; i < l.n; i++)
            CHECK(strcmp(l.v[i], v->inst) == 0 || strcmp(l.v[i], v->state) == 0 || strcmp(l.v[i], "rt") == 0,
                  "a new name beside the install path");
        names_free(&l);
    }
    fp = sentinel_print();
    CHECK(strcmp(fp, sentinel_fp) == 0, "the sentinel changed");
    free(fp);
}

static int is_tree(const item *it, const upd__marker *m, int which_new)
{
    return it->there && it->dev == (which_new ? m->new_dev : m->old_dev) && it->ino == (which_new ? m->new_ino : m->old_ino);
}

/* the marker in the state dir, parsed (UPD_OK with "" if none) */
static upd_result reread(const env *v, upd__marker *m)
{
    upd_engine e;
    memset(&e, 0, sizeof e);
    return upd__marker_read(&e, v->sfd, m);
}

static void expand(const uint8_t *in, size_t n, const uint64_t ids[NTREES][2], uint64_t dev, char *out, size_t cap,
                   size_t *len)
{
    size_t i, o = 0;
    for (i = 0; i < n && o < cap; i++) {
        char tmp[48];
        int k = -1, t;
        if (in[i] == '$' && i + 1 < n) {
            for (t = 0; t < NTREES; t++)
                if (in[i + 1] == TREE_NAME[t][0]) k = snprintf(tmp, sizeof tmp, "%llu:%llu", (unsigned long long)ids[t][0],
                                                               (unsigned long long)ids[t][1]);
            if (in[i + 1] == 'D') k = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)dev);
        }
        if (k > 0) {
            if ((size_t)k > cap - o) k = (int)(cap - o);
            memcpy(out + o, tmp, (size_t)k);
            o += (size_t)k;
            i++;
        } else out[o++] = (char)in[i];
    }
    *len = o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned s0, s1;
    env v;
    int where[NTREES], i, fds_before, max_trials, rtfd;
    uint64_t ids[NTREES][2];
    char mtext[4096], inst[128], sdir[128];
    size_t mlen;
    upd_engine e;
    upd_result r0, r, rx;
    upd__marker m0, m1, mx;
    snapshot before, after;
    struct stat st;

    if (size < 2) return 0;
    setup();
    s0 = data[0];
    s1 = data[1];
    data += 2;
    size -= 2;
    fds_before = count_fds();
    memset(&v, 0, sizeof v);
    v.mode_file = (s0 >> 3) & 1;
    v.inst = v.mode_file ? "prog" : "app";
    v.state = v.mode_file ? "prog.update" : "app.update";
    CHECK(mkdirat(rootfd, "w", 0755) == 0, "mkdir w failed");
    v.wfd = open_dir(rootfd, "w");
    CHECK(mkdirat(v.wfd, v.state, 0700) == 0 && mkdirat(v.wfd, "rt", 0700) == 0, "mkdir failed");
    v.sfd = open_dir(v.wfd, v.state);
    CHECK(fstat(v.sfd, &st) == 0, "fstat failed");
    v.dev = (uint64_t)st.st_dev;

    /* the trees */
    where[T_N] = LAYOUTS[s0 & 7][0];
    where[T_O] = LAYOUTS[s0 & 7][1];
    where[T_X] = P_NONE;
    if (s0 & 64) {
        for (i = 0; i < NPOS && where[T_X] == P_NONE; i++)
            if (where[T_N] != i && where[T_O] != i) where[T_X] = i;
        write_file(v.sfd, "helper", "#!/bin/sh\nexit 9\n", 0700);
        write_file(v.sfd, "failed", "0.9.0\n", 0600);
    }
    for (i = 0; i < NTREES; i++) {
        make_tree(&v, i, where[i], s1 & 1);
        ids[i][0] = v.dev;
        ids[i][1] = 999999937u + (uint64_t)i; /* not there: an inode nothing has */
        if (where[i] != P_NONE) {
            item it;
            look(&v, where[i], &it);
            CHECK(it.there, "a tree was not made");
            ids[i][0] = it.dev;
            ids[i][1] = it.ino;
            free(it.fp);
        }
    }
    /* the marker */
    expand(data, size, (const uint64_t(*)[2])ids, v.dev, mtext, sizeof mtext, &mlen);
    if (size > 0) {
        int fd = openat(v.sfd, "marker", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        CHECK(fd >= 0, "cannot create the marker");
        CHECK(mlen == 0 || write(fd, mtext, mlen) == (ssize_t)mlen, "cannot write the marker");
        close(fd);
    }

    /* the parser on its own */
    memset(&e, 0, sizeof e);
    memset(&m0, 0xA5, sizeof m0);
    r0 = upd__marker_read(&e, v.sfd, &m0);
    CHECK(r0 == UPD_OK || r0 == UPD_E_STATE, "upd__marker_read: a result other than UPD_OK and UPD_E_STATE");
    if (r0 != UPD_OK) CHECK(memchr(e.error, 0, sizeof e.error) && e.error[0], "UPD_E_STATE without a message");
    memset(&m1, 0x5A, sizeof m1);
    CHECK(reread(&v, &m1) == r0, "upd__marker_read is not deterministic");
    if (size > 0 && mlen >= UPDATER_MAX_PATH + 511) CHECK(r0 == UPD_E_STATE, "a marker over its buffer accepted");
    if (size == 0) CHECK(r0 == UPD_OK && m0.state[0] == 0, "no marker, yet a state");
    if (r0 == UPD_OK) CHECK(memcmp(&m0, &m1, sizeof m0) == 0, "upd__marker_read is not deterministic (contents)");
    if (r0 == UPD_OK && size > 0) {
        check_marker_fields(&m0);
        rtfd = open_dir(v.wfd, "rt");
        CHECK(upd__marker_write(&e, rtfd, &m0) == UPD_OK, "upd__marker_write failed");
        memset(&mx, 0x33, sizeof mx);
        CHECK(upd__marker_read(&e, rtfd, &mx) == UPD_OK && marker_eq(&mx, &m0),
              "a marker does not read back the same after upd__marker_write");
        rm_below(rtfd);
        close(rtfd);
    }
    {
        size_t n;
        char *b = read_marker(v.sfd, &n);
        CHECK((b != NULL) == (size > 0) && (!b || (n == mlen && memcmp(b, mtext, n) == 0)), "reading the marker changed it");
        free(b);
    }

    /* upd_startup on it */
    snap(&v, &before);
    memset(&e, 0, sizeof e);
    snprintf(inst, sizeof inst, "%s/w/%s", root, v.inst);
    if (v.mode_file) e.install_file = inst;
    else { e.install_dir = inst; e.exe = "bin/prog"; }
    if (s1 & 8) {
        snprintf(sdir, sizeof sdir, "%s/w/%s/", root, v.state);
        e.state_dir = sdir;
    }
    max_trials = ((s0 >> 4) & 3) == 0 ? 3 : ((s0 >> 4) & 3) == 1 ? 1 : ((s0 >> 4) & 3) == 2 ? 5 : 1000000;
    e.max_trials = max_trials == 3 ? 0 : max_trials;
    e.no_exec = 1;
    e.on_event = on_event;
    events[0] = 0;
    {
        char *argv[2] = {inst, NULL};
        r = upd_startup(&e, 1, argv);
    }
    CHECK(r == UPD_OK || r == UPD_E_STATE || r == UPD_E_IO, "upd_startup: an unexpected result");
    if (r != UPD_OK) CHECK(memchr(e.error, 0, sizeof e.error) && e.error[0], "an error without a message");
    snap(&v, &after);
    rx = reread(&v, &mx);
    if (getenv("FUZZ_MARKER_DEBUG")) {
        fprintf(stderr, "parse: %s%s%s; upd_startup: %s%s%s; events: %s; trial=%d rolled_back=%d\n", upd_strerror(r0),
                r0 ? ": " : "", r0 ? "(see below)" : "", upd_strerror(r), r ? ": " : "", r ? e.error : "", events, e.trial,
                e.rolled_back);
        show("before", &before);
        show("after", &after);
    }
    check_places(&v, &before, &after, r0 == UPD_OK && m0.state[0] ? &m0 : NULL, r == UPD_OK && e.rolled_back);
    if (r0 != UPD_OK || size == 0) {
        CHECK(r == r0, "upd_startup: not the parser's result");
        if (!same_snapshot(&before, &after)) { show("before", &before); show("after", &after); }
        CHECK(same_snapshot(&before, &after), "a bad or missing marker, yet something changed");
        CHECK(!e.trial && !e.rolled_back, "trial or rollback without a marker");
    } else if (strcmp(m0.state, "trial") == 0 && m0.trials + 1 <= max_trials) {
        CHECK(r == UPD_OK && e.trial && !e.rolled_back, "a trial start is not a trial");
        CHECK(strcmp(e.version, m0.version) == 0, "e->version is not the marker's");
        for (i = 0; i < NPOS; i++) CHECK(same_item(&before.at[i], &after.at[i]), "a trial start moved a tree");
        CHECK(rx == UPD_OK && mx.trials == m0.trials + 1, "a trial start did not count");
        mx.trials--;
        CHECK(marker_eq(&mx, &m0), "a trial start changed more of the marker than trials");
    } else if (strcmp(m0.state, "swap") != 0) { /* a rollback */
        CHECK(!e.trial, "on trial after a rollback");
        if (r == UPD_OK && strstr(events, "good")) { /* nothing to go back to: the new tree is kept */
            CHECK(!e.rolled_back, "kept, yet rolled_back");
            CHECK(is_tree(&before.at[P_INSTALL], &m0, 1) && !is_tree(&before.at[P_PREVIOUS], &m0, 0),
                  "kept, though the install path was not the new tree or previous was the old one");
            CHECK(rx == UPD_OK && mx.state[0] == 0, "kept, yet a marker");
            for (i = 0; i < NPOS; i++) CHECK(same_item(&before.at[i], &after.at[i]), "kept, yet a tree moved");
        } else if (r == UPD_OK) {
            CHECK(e.rolled_back, "a rollback without rolled_back");
            CHECK(is_tree(&after.at[P_INSTALL], &m0, 0), "rolled back, yet the install path is not the old tree");
            CHECK(rx == UPD_OK && mx.state[0] == 0, "rolled back, yet a marker");
            CHECK(!m0.version[0] || failed_has(v.sfd, m0.version), "rolled back, yet the version is not in failed");
        } else {
            CHECK(!e.rolled_back, "rolled_back with an error");
            CHECK(rx == UPD_OK && strcmp(mx.state, "rollback") == 0, "a failed rollback, yet the marker does not say rollback");
        }
    } else { /* a swap */
        CHECK(!e.trial && !e.rolled_back, "trial or rolled_back after a swap");
        if (r == UPD_OK && strstr(events, "abandon")) {
            CHECK(rx == UPD_OK && mx.state[0] == 0, "an abandoned swap left its marker");
            CHECK(is_tree(&before.at[P_INSTALL], &m0, 0), "a swap abandoned though the install path was not the old tree");
            for (i = 0; i < NPOS; i++) CHECK(same_item(&before.at[i], &after.at[i]), "an abandoned swap moved a tree");
        } else if (r == UPD_OK) {
            CHECK(is_tree(&after.at[P_INSTALL], &m0, 1), "swapped, yet the install path is not the new tree");
            CHECK(rx == UPD_OK && strcmp(mx.state, "trial") == 0 && mx.trials == 0, "swapped, yet the marker is not trial 0");
            memcpy(mx.state, "swap", 5);
            mx.trials = m0.trials;
            CHECK(marker_eq(&mx, &m0), "swapped, yet the marker changed more than state and trials");
        } else {
            CHECK(after.marker && after.mlen == before.mlen && memcmp(after.marker, before.marker, before.mlen) == 0,
                  "a failed swap changed the marker");
        }
    }

    /* then: upd_mark_good, another start (each checked against the
       state before it) */
    if ((s1 & 2) && r == UPD_OK && e.trial) {
        snapshot g;
        upd_result rg = upd_mark_good(&e);
        CHECK(rg == UPD_OK, "upd_mark_good failed after a trial start");
        snap(&v, &g);
        check_places(&v, &after, &g, NULL, 0);
        CHECK(g.marker == NULL, "a marker after upd_mark_good");
        CHECK(!g.at[P_PREVIOUS].there, "previous/ after upd_mark_good");
        CHECK(same_item(&g.at[P_INSTALL], &after.at[P_INSTALL]), "upd_mark_good changed the install path");
        snap_free(&after);
        after = g;
    }
    if (s1 & 4) {
        snapshot g;
        upd__marker mg;
        upd_result rp = reread(&v, &mg), r2;
        events[0] = 0;
        r2 = upd_startup(&e, 0, NULL);
        CHECK(r2 == UPD_OK || r2 == UPD_E_STATE || r2 == UPD_E_IO, "upd_startup: an unexpected result (2)");
        if (r2 != UPD_OK) CHECK(e.error[0], "an error without a message (2)");
        CHECK(r2 == rp || rp == UPD_OK, "a second start: a bad marker, yet not its error");
        snap(&v, &g);
        check_places(&v, &after, &g, rp == UPD_OK && mg.state[0] ? &mg : NULL, r2 == UPD_OK && e.rolled_back);
        if (rp == UPD_OK && !mg.state[0]) CHECK(r2 == UPD_OK && !e.trial && !e.rolled_back, "no marker, yet something happened");
        snap_free(&g);
    }
    snap_free(&before);
    snap_free(&after);

    close(v.sfd);
    rm_below(v.wfd);
    close(v.wfd);
    CHECK(unlinkat(rootfd, "w", AT_REMOVEDIR) == 0, "cannot remove w");
    CHECK(count_fds() == fds_before, "a file descriptor was left open");
    return 0;
}
