/* upd tree - the listing of a release and its tree= value (docs/delta.md,
   "The tree listing"): of a directory, walked without following symlinks,
   or of a .tar.gz, read through the library's safe extractor in list mode
   with each file's data hashed as it streams and the entries resolved as
   extraction resolves them (a later entry of a path replaces an earlier
   one, a hard link is the file it names, a parent the archive has no entry
   for is a directory that is not listed). Records are formatted by
   upd_tree_record(), the same code the client's check reads them with.

   The publisher (upd_publish.c) uses the same lists to compare two
   releases. Included by upd.c after its helpers (fail, usage_for,
   EXIT_USAGE). */
#include <dirent.h>

#define TREE_RECORD_MAX (3 * UPDATER_MAX_PATH * 2 + 128)

typedef struct tree_ent {
    char *path;                /* normalized relative path, raw bytes        */
    char *target;              /* symlinks: the target as stored             */
    int type;                  /* UPD_TREE_FILE, UPD_TREE_DIR, UPD_TREE_LINK */
    int listed;                /* 0: a parent with no entry of its own, or a
                                  reserved name (.updater-tree, ...)         */
    unsigned mode;             /* permission bits as extracted (& 0777)      */
    uint64_t size;             /* files                                      */
    uint8_t sha[32];           /* files                                      */
} tree_ent;

typedef struct tree_list {
    tree_ent *e;
    size_t n, cap;
    size_t *slot;              /* open addressing: index + 1, 0 if empty     */
    size_t nslot;
} tree_list;

/* ---- the list: a hash table over the entries ------------------------------ */
static size_t tree_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 1099511628211ull;
    return (size_t)(h ^ (h >> 32));
}

static void tree_free(tree_list *t)
{
    size_t i;
    for (i = 0; i < t->n; i++) {
        free(t->e[i].path);
        free(t->e[i].target);
    }
    free(t->e);
    free(t->slot);
    memset(t, 0, sizeof *t);
}

/* the index of path's entry, or -1 */
static long tree_index(const tree_list *t, const char *path)
{
    size_t i;
    if (!t->nslot) return -1;
    for (i = tree_hash(path) & (t->nslot - 1); t->slot[i]; i = (i + 1) & (t->nslot - 1))
        if (strcmp(t->e[t->slot[i] - 1].path, path) == 0) return (long)(t->slot[i] - 1);
    return -1;
}

static tree_ent *tree_find(const tree_list *t, const char *path)
{
    long i = tree_index(t, path);
    return i < 0 ? NULL : &t->e[i];
}

static int tree_rehash(tree_list *t, size_t want)
{
    size_t n = 64, i, *s;
    while (n < 2 * want) n *= 2;
    if (!(s = (size_t *)calloc(n, sizeof *s))) return -1;
    free(t->slot);
    t->slot = s;
    t->nslot = n;
    for (i = 0; i < t->n; i++) {
        size_t k = tree_hash(t->e[i].path) & (n - 1);
        while (s[k]) k = (k + 1) & (n - 1);
        s[k] = i + 1;
    }
    return 0;
}

/* The index of path's entry, added (zeroed) if missing; -1 out of memory.
   Adding moves the entries: hold indices, not pointers, across calls. */
static long tree_get(tree_list *t, const char *path)
{
    long i = tree_index(t, path);
    size_t k;
    if (i >= 0) return i;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        tree_ent *e = (tree_ent *)realloc(t->e, cap * sizeof *e);
        if (!e) return -1;
        t->e = e;
        t->cap = cap;
    }
    if (2 * (t->n + 1) > t->nslot && tree_rehash(t, t->n + 1) != 0) return -1;
    memset(&t->e[t->n], 0, sizeof t->e[t->n]);
    if (!(t->e[t->n].path = strdup(path))) return -1;
    k = tree_hash(path) & (t->nslot - 1);
    while (t->slot[k]) k = (k + 1) & (t->nslot - 1);
    t->slot[k] = t->n + 1;
    return (long)t->n++;
}

static int tree_cmp(const void *a, const void *b)
{
    return strcmp(((const tree_ent *)a)->path, ((const tree_ent *)b)->path);
}

/* Sorts the entries by path bytes (strcmp compares as unsigned char; a path
   sorts before the paths it is a prefix of: '/' and every other byte are
   above the terminating NUL). */
static int tree_sort(tree_list *t)
{
    if (t->n > 1) qsort(t->e, t->n, sizeof *t->e, tree_cmp);
    return tree_rehash(t, t->n);
}

/* ---- paths ---------------------------------------------------------------- */
/* A path for a message: control bytes shown as '?' (names come from
   archives and directories, not from us). */
static const char *tree_show(const char *p)
{
    static char buf[2][512];
    static int k;
    char *o = buf[k ^= 1];
    size_t i;
    for (i = 0; p[i] && i < sizeof buf[0] - 4; i++)
        o[i] = (unsigned char)p[i] < 0x20 || p[i] == 0x7f ? '?' : p[i];
    if (p[i]) { memcpy(o + i, "...", 3); i += 3; }
    o[i] = 0;
    return o;
}

/* Normalizes path into out (UPDATER_MAX_PATH + 1 bytes) as the extractor
   does: "." and empty components and a trailing '/' dropped. Returns the
   number of components, -1 for an absolute path, '..' or a path too long. */
static int tree_clean(const char *path, char *out)
{
    char *w = out;
    const char *s = path;
    int n = 0;
    if (*s == '/') return -1;
    while (*s) {
        const char *c = s;
        size_t len;
        while (*s && *s != '/') s++;
        len = (size_t)(s - c);
        if (*s == '/') s++;
        if (len == 0 || (len == 1 && c[0] == '.')) continue;
        if (len == 2 && c[0] == '.' && c[1] == '.') return -1;
        if ((size_t)(w - out) + len + 1 > UPDATER_MAX_PATH) return -1;
        if (w != out) *w++ = '/';
        memcpy(w, c, len);
        w += len;
        n++;
    }
    *w = 0;
    return n;
}

/* 1 if the normalized path is, or lies under, a reserved top-level name */
static int tree_reserved(const char *p)
{
    static const char *const names[] = {".updater-tree", ".updater-delete", ".updater-patch"};
    size_t i, n = strcspn(p, "/");
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (n == strlen(names[i]) && memcmp(p, names[i], n) == 0) return 1;
    return 0;
}

/* ---- the listing text ------------------------------------------------------ */
/* The listing of t (sorted first) into a new buffer (*len bytes, NUL after
   them) and its SHA-256, the release's tree=. NULL with a message. */
static char *tree_text(tree_list *t, size_t *len, uint8_t hash[32])
{
    static char rec[TREE_RECORD_MAX];
    upd_sha256_ctx c;
    size_t i, n = 0, cap = 4096;
    char *out;
    if (tree_sort(t) != 0 || !(out = (char *)malloc(cap))) { fail("out of memory"); return NULL; }
    upd_sha256_init(&c);
    for (i = 0; i < t->n; i++) {
        const tree_ent *x = &t->e[i];
        size_t k;
        if (!x->listed) continue;
        k = upd_tree_record(rec, sizeof rec, x->type, x->mode, x->size, x->sha, x->path, x->target);
        if (k == 0) { fail("'%s': cannot make its listing record", tree_show(x->path)); free(out); return NULL; }
        if (n + k + 1 > cap) {
            char *p;
            while (n + k + 1 > cap) cap *= 2;
            if (!(p = (char *)realloc(out, cap))) { fail("out of memory"); free(out); return NULL; }
            out = p;
        }
        memcpy(out + n, rec, k);
        n += k;
        upd_sha256_update(&c, rec, k);
    }
    out[n] = 0;
    upd_sha256_final(&c, hash);
    *len = n;
    return out;
}

/* ---- a directory ------------------------------------------------------------ */
static int tree_hash_fd(int fd, const char *name, uint64_t *size, uint8_t sha[32])
{
    static uint8_t buf[65536];
    upd_sha256_ctx c;
    uint64_t n = 0;
    upd_sha256_init(&c);
    for (;;) {
        ssize_t k = read(fd, buf, sizeof buf);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) { fail("%s: %s", tree_show(name), strerror(errno)); return -1; }
        if (k == 0) break;
        upd_sha256_update(&c, buf, (size_t)k);
        n += (uint64_t)k;
    }
    upd_sha256_final(&c, sha);
    *size = n;
    return 0;
}

static int tree_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists directory dfd, whose path below the top is path[0 .. plen) (plen 0:
   the top itself), into t; top: the directory as named, for messages. */
static int tree_walk(int dfd, char *path, size_t plen, const char *top, tree_list *t)
{
    DIR *d;
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, cap = 0, i;
    int rc = -1, fd;
    if ((fd = fcntl(dfd, F_DUPFD_CLOEXEC, 0)) < 0 || !(d = fdopendir(fd))) {
        if (fd >= 0) close(fd);
        fail("%s/%s: %s", top, tree_show(path), strerror(errno));
        return -1;
    }
    for (;;) {
        errno = 0;
        if (!(de = readdir(d))) break;
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        if (plen == 0 && tree_reserved(de->d_name)) continue;
        if (n == cap) {
            char **p = (char **)realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *p);
            if (!p) { errno = ENOMEM; break; }
            names = p;
        }
        if (!(names[n] = strdup(de->d_name))) { errno = ENOMEM; break; }
        n++;
    }
    if (errno) { fail("%s/%s: %s", top, tree_show(path), strerror(errno)); closedir(d); goto done; }
    closedir(d);
    if (n > 1) qsort(names, n, sizeof *names, tree_name_cmp);
    for (i = 0; i < n; i++) {
        struct stat st;
        size_t len = strlen(names[i]), at = plen;
        long k;
        if (plen + 1 + len > UPDATER_MAX_PATH) { fail("%s/%s/%s: path too long", top, tree_show(path), tree_show(names[i])); goto done; }
        if (plen) path[at++] = '/';
        memcpy(path + at, names[i], len + 1);
        if (fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) != 0) { fail("%s/%s: %s", top, tree_show(path), strerror(errno)); goto done; }
        if ((k = tree_get(t, path)) < 0) { fail("out of memory"); goto done; }
        t->e[k].listed = 1;
        t->e[k].mode = (unsigned)st.st_mode & 0777u;
        if (S_ISDIR(st.st_mode)) {
            int sub = openat(dfd, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            int r;
            t->e[k].type = UPD_TREE_DIR;
            if (sub < 0) { fail("%s/%s: %s", top, tree_show(path), strerror(errno)); goto done; }
            r = tree_walk(sub, path, at + len, top, t);
            close(sub);
            if (r != 0) goto done;
        } else if (S_ISREG(st.st_mode)) {
            int f = openat(dfd, names[i], O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
            int r;
            t->e[k].type = UPD_TREE_FILE;
            if (f < 0) { fail("%s/%s: %s", top, tree_show(path), strerror(errno)); goto done; }
            r = tree_hash_fd(f, path, &t->e[k].size, t->e[k].sha);
            close(f);
            if (r != 0) goto done;
        } else if (S_ISLNK(st.st_mode)) {
            char target[UPDATER_MAX_PATH + 2];
            ssize_t m = readlinkat(dfd, names[i], target, sizeof target);
            if (m < 0) { fail("%s/%s: %s", top, tree_show(path), strerror(errno)); goto done; }
            if ((size_t)m > UPDATER_MAX_PATH || m == 0) { fail("%s/%s: symlink target too long or empty", top, tree_show(path)); goto done; }
            target[m] = 0;
            t->e[k].type = UPD_TREE_LINK;
            if (!(t->e[k].target = strdup(target))) { fail("out of memory"); goto done; }
        } else {
            fail("%s/%s: not a regular file, directory or symlink: a release cannot hold it", top, tree_show(path));
            goto done;
        }
        path[plen] = 0;
    }
    rc = 0;
done:
    path[plen] = 0;
    for (i = 0; i < n; i++) free(names[i]);
    free(names);
    return rc;
}

/* The entries of directory dir (the top itself and the reserved top-level
   names excluded) into t. 0, or -1 with a message. */
static int tree_from_dir(const char *dir, tree_list *t)
{
    static char path[UPDATER_MAX_PATH + 1];
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;
    if (fd < 0) { fail("%s: %s", dir, strerror(errno)); return -1; }
    path[0] = 0;
    rc = tree_walk(fd, path, 0, dir, t);
    close(fd);
    return rc;
}

/* ---- an archive ------------------------------------------------------------- */
/* Hooked into an upd_untar opened in list mode: each entry goes through the
   extractor's own checks first, then into the list as extraction would
   leave it. */
typedef struct tree_scan {
    tree_list *list;
    upd_untar *x;
    upd_result (*t_entry)(void *user, const upd_tar_entry *e);
    upd_result (*t_data)(void *user, const uint8_t *data, size_t len);
    upd_result (*t_end)(void *user, const upd_tar_entry *e);
    void *t_user;
    long cur;                      /* the file being hashed, or -1          */
    int lenient;                   /* extracted over another tree (an
                                      incremental package): what depends on
                                      that tree is skipped, not refused      */
    upd_sha256_ctx c;
    uint64_t got;
    char p[UPDATER_MAX_PATH + 1], q[UPDATER_MAX_PATH + 1];
} tree_scan;

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 2, 3)))
#endif
static upd_result tree_xerr(tree_scan *s, const char *fmt, ...)
{
    va_list ap;
    char *c;
    if (s->lenient) return UPD_OK;
    va_start(ap, fmt);
    vsnprintf(s->x->error, sizeof s->x->error, fmt, ap);
    va_end(ap);
    for (c = s->x->error; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = '?';
    return UPD_E_PATH;
}

static upd_result tree_on_entry(void *user, const upd_tar_entry *e)
{
    tree_scan *s = (tree_scan *)user;
    upd_result r = s->t_entry(s->t_user, e);
    tree_list *t = s->list;
    int n, reserved;
    unsigned mode = e->mode & 0777u;
    uint64_t lsize = 0;
    uint8_t lsha[32];
    long k;
    char *slash;
    s->cur = -1;
    if (r != UPD_OK) return r;
    if ((n = tree_clean(e->path, s->p)) < 0) return tree_xerr(s, "'%s': bad path", e->path);
    if (n == 0) return UPD_OK; /* "./": the top itself */
    /* the parents: directories (extraction never writes through anything
       else); one the archive has not named yet is made, and not listed */
    for (slash = strchr(s->p, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = 0;
        k = tree_index(t, s->p);
        if (k >= 0 && t->e[k].type != UPD_TREE_DIR) {
            upd_result q = tree_xerr(s, "'%s': '%s' is a symlink or not a directory; not followed", e->path, s->p);
            *slash = '/';
            return q;
        }
        if (k < 0) {
            if ((k = tree_get(t, s->p)) < 0) { *slash = '/'; return UPD_E_NOMEM; }
            t->e[k].type = UPD_TREE_DIR;
            t->e[k].mode = 0755;
        }
        *slash = '/';
    }
    reserved = tree_reserved(s->p);
    if (e->type == UPD_TAR_HARDLINK) { /* the file it names, as it is now */
        const tree_ent *src = tree_clean(e->linkpath, s->q) > 0 ? tree_find(t, s->q) : NULL;
        if (!src || src->type != UPD_TREE_FILE)
            return tree_xerr(s, "'%s' link to '%s': not a regular file in the destination", e->path, e->linkpath);
        mode = src->mode;
        lsize = src->size;
        memcpy(lsha, src->sha, 32);
    }
    k = tree_index(t, s->p);
    if (k >= 0 && t->e[k].type == UPD_TREE_DIR) {
        if (e->type != UPD_TAR_DIR) /* a rename onto a directory fails */
            return tree_xerr(s, "'%s': cannot put in place: a directory is there", e->path);
        t->e[k].mode = mode; /* of a directory named twice the later entry wins */
        t->e[k].listed = !reserved;
        return UPD_OK;
    }
    if (k < 0 && (k = tree_get(t, s->p)) < 0) return UPD_E_NOMEM;
    free(t->e[k].target);
    t->e[k].target = NULL;
    t->e[k].listed = !reserved;
    t->e[k].mode = mode;
    t->e[k].size = 0;
    switch (e->type) {
    case UPD_TAR_DIR:
        t->e[k].type = UPD_TREE_DIR;
        break;
    case UPD_TAR_SYMLINK:
        t->e[k].type = UPD_TREE_LINK;
        if (!(t->e[k].target = strdup(e->linkpath))) return UPD_E_NOMEM;
        break;
    case UPD_TAR_HARDLINK:
        t->e[k].type = UPD_TREE_FILE;
        t->e[k].size = lsize;
        memcpy(t->e[k].sha, lsha, 32);
        break;
    default:
        t->e[k].type = UPD_TREE_FILE;
        s->cur = k;
        s->got = 0;
        upd_sha256_init(&s->c);
        upd_sha256_final(&s->c, t->e[k].sha); /* an empty file until its end */
        upd_sha256_init(&s->c);
        break;
    }
    return UPD_OK;
}

static upd_result tree_on_data(void *user, const uint8_t *data, size_t len)
{
    tree_scan *s = (tree_scan *)user;
    upd_result r = s->t_data(s->t_user, data, len);
    if (r == UPD_OK && s->cur >= 0) {
        upd_sha256_update(&s->c, data, len);
        s->got += len;
    }
    return r;
}

static upd_result tree_on_end(void *user, const upd_tar_entry *e)
{
    tree_scan *s = (tree_scan *)user;
    upd_result r = s->t_end(s->t_user, e);
    if (r == UPD_OK && s->cur >= 0) {
        s->list->e[s->cur].size = s->got;
        upd_sha256_final(&s->c, s->list->e[s->cur].sha);
    }
    s->cur = -1;
    return r;
}

/* After upd_untar_open(x, ..., UPD_UNTAR_LIST): list what x reads into t. */
static void tree_hook(tree_scan *s, upd_untar *x, tree_list *t)
{
    memset(s, 0, sizeof *s);
    s->list = t;
    s->x = x;
    s->cur = -1;
    s->t_entry = x->_tar.on_entry;
    s->t_data = x->_tar.on_data;
    s->t_end = x->_tar.on_end;
    s->t_user = x->_tar.user;
    x->_tar.on_entry = tree_on_entry;
    x->_tar.on_data = tree_on_data;
    x->_tar.on_end = tree_on_end;
    x->_tar.user = s;
}

/* The entries of the archive at path into t. 0, or -1 with a message. */
static int tree_from_archive(const char *path, tree_list *t)
{
    static upd_untar x;
    static tree_scan s;
    static uint8_t buf[65536];
    upd_result r;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) { fail("%s: %s", path, strerror(errno)); return -1; }
    if ((r = upd_untar_open(&x, ".", UPD_UNTAR_LIST)) == UPD_OK) {
        tree_hook(&s, &x, t);
        for (;;) {
            ssize_t n = read(fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) { snprintf(x.error, sizeof x.error, "%s", strerror(errno)); r = UPD_E_IO; break; }
            if (n == 0) { r = upd_untar_finish(&x); break; }
            if ((r = upd_untar_feed(&x, buf, (size_t)n)) != UPD_OK) break;
        }
    }
    if (r != UPD_OK) fail("%s: %s", path, x.error[0] ? x.error : upd_strerror(r));
    upd_untar_close(&x);
    close(fd);
    return r == UPD_OK ? 0 : -1;
}

/* The entries of a directory or an archive (told apart by stat). */
static int tree_of(const char *src, tree_list *t)
{
    struct stat st;
    if (stat(src, &st) != 0) { fail("%s: %s", src, strerror(errno)); return -1; }
    if (S_ISDIR(st.st_mode)) return tree_from_dir(src, t);
    if (!S_ISREG(st.st_mode)) { fail("%s: not a directory or an archive", src); return -1; }
    return tree_from_archive(src, t);
}

/* ---- the command -------------------------------------------------------------- */
static int cmd_tree(int argc, char **argv)
{
    tree_list t;
    const char *src = NULL;
    uint8_t hash[32];
    char hex[65], *text;
    size_t len;
    int k, only_hash = 0, rc = 1;
    for (k = 1; k < argc; k++) {
        if (strcmp(argv[k], "--hash") == 0) only_hash = 1;
        else if (strcmp(argv[k], "--") == 0 && k + 2 == argc) src = argv[++k];
        else if (argv[k][0] == '-' && argv[k][1] != '\0') { fail("unknown option '%s'", argv[k]); usage_for(argv[0]); return EXIT_USAGE; }
        else if (!src) src = argv[k];
        else { usage_for(argv[0]); return EXIT_USAGE; }
    }
    if (!src) { usage_for(argv[0]); return EXIT_USAGE; }
    memset(&t, 0, sizeof t);
    if (tree_of(src, &t) != 0 || !(text = tree_text(&t, &len, hash))) { tree_free(&t); return 1; }
    if (only_hash) {
        upd_hex_encode(hash, 32, hex);
        printf("%s\n", hex);
    } else {
        fwrite(text, 1, len, stdout);
    }
    if (fflush(stdout) == 0 && !ferror(stdout)) rc = 0;
    else fail("stdout: %s", strerror(errno));
    free(text);
    tree_free(&t);
    return rc;
}
