/* upd publish - adds a release to a repo directory that a static HTTP server
   serves: the full package (NAME-V.tar.gz), with --from the incremental
   packages from older releases (NAME-OLD-to-V.tar.gz: new and changed files,
   binary patches, .updater-delete, .updater-tree), their lines in `versions`
   with size, SHA-256 and the release's tree=, a bumped @serial and a fresh
   `versions.minisig`, all in one signed manifest update (docs/upd.md,
   "upd publish"; docs/delta.md).

   Included by upd.c after updater.h's implementation, upd.c's helpers (fail,
   usage_for, parse_int, read_small, write_all, EXIT_USAGE) and upd_tree.c
   (tree listings) and upd_diff.c (diff_make, the binary patch maker).

   Order of work, so that a refusal costs little and nothing half-done is
   ever served:
     1. options, the secret key, SRC's kind (directory or gzip file);
     2. with --from, each old release and its tree: the repo's full package
        of that version, or the .tar.gz or directory given (its version
        found by its tree among the repo's tree= values, or given);
     3. a first look at DIR/versions without the lock: a release that will be
        refused (version not newer, duplicate, malformed file) is refused
        before anything is packed or copied;
     4. the full package into a temporary file in DIR (tar for a directory,
        a copy for a file), hashed, listed (tree=) and read through the
        library's own safe tar reader in list mode as it is written: a
        broken or hostile archive stops here and its temporary file is
        removed;
     5. each incremental package: the full package and the old release
        extracted into a temporary work directory, the differences staged
        there (changed files whole or as binary patches, each patch applied
        back once to prove it), packed with tar into a temporary file in DIR;
     6. the lock (DIR/.upd-publish.lock, fcntl), then DIR/versions read and
        checked again: that is the copy the new one is built from;
     7. the new versions text, parsed again by upd_manifest_parse, signed,
        the signature verified with the key's public half; both written to
        temporary files and fsync'd;
     8. renames: the archives, versions, versions.minisig; the directory
        fsync'd; the lock file and the work directory removed. */
#include <limits.h>
#include <sys/wait.h>

#define PUB_LOCK_NAME ".upd-publish.lock"
#define PUB_LOCK_WAIT 120            /* seconds to wait for another publish */
#define PUB_DELETE_MAX 65534u        /* the engine reads .updater-delete up to this */
#define PUB_FROM_MAX 16              /* --from options in one publish */
#define PUB_PATCH_MIN 4096u          /* changed files this big get a binary patch tried */

/* one package and its release line */
typedef struct pub_pkg {
    const char *spec;                /* --from as given; NULL: the full package  */
    const char *from;                /* the old version; NULL: the full package  */
    upd_version from_ver;
    const char *old_path;            /* the old release as given, or NULL: the
                                        repo's full package of `from`          */
    char fromv[64];                  /* `from` when given as V=PATH or found    */
    char old_file[4096];             /* the old release: an archive or a dir    */
    int old_is_dir;
    tree_list old;                   /* its tree                                */
    char file[512];                  /* the archive's name in the repo          */
    char apath[4096], atmp[4096];
    uint64_t size;
    uint8_t sha[32];
    char hex[65];
    int keep;                        /* the full package is listed already with
                                        this content: its line stays           */
    int reuse;                       /* the same bytes are in the repo already  */
    unsigned replace_line;           /* --force over a listed line              */
    unsigned long entries, patches, deletes; /* what an incremental one holds  */
} pub_pkg;

typedef struct pub_opts {
    const char *repo, *app, *version, *sec, *channel, *min, *notes, *src;
    long long rollout;               /* 0: not given */
    long long expires_days;          /* 0: not given */
    int critical, force, prebuilt;
    upd_version ver, min_ver;
    const char *froms[PUB_FROM_MAX];
    size_t nfrom;
    pub_pkg pkg[PUB_FROM_MAX + 1];   /* the full package first (none with
                                        --prebuilt), then the incremental ones */
    size_t npkg;
    char tree[65];                   /* the release's tree=, "" if none */
    char expires[32];                /* --expires as YYYY-MM-DDTHH:MM:SSZ */
    int64_t expires_at;
} pub_opts;

typedef struct pub_buf {
    char *p;
    size_t len, cap;
    int oom;
} pub_buf;

/* DIR/versions as found, and what the new one changes in it */
typedef struct pub_plan {
    char *text;                      /* the current file, NULL if there is none */
    size_t len;
    size_t body;                     /* where line 1 starts (after a BOM)        */
    const char *eol;                 /* "\n", or "\r\n" if the file uses CRLF    */
    uint64_t serial;                 /* the new serial                           */
    unsigned serial_line, expires_line;
} pub_plan;

/* what the safe reader saw in the archive */
typedef struct pub_scan {
    uint64_t size;                   /* archive bytes                            */
    uint8_t sha[32];
    uint64_t entries;                /* entries other than the root "./"         */
    int del_type;                    /* type of a .updater-delete entry, or 0    */
    int has_patch;                   /* an entry under .updater-patch            */
} pub_scan;

/* ---- small helpers ------------------------------------------------------ */
static int pub_name_ok(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '.' || *s == '_' || *s == '+' || *s == '-'))
            return 0;
    return 1;
}

static int pub_join(char *out, size_t cap, const char *dir, const char *name)
{
    size_t n = strlen(dir);
    const char *sep = n > 0 && dir[n - 1] == '/' ? "" : "/";
    if (snprintf(out, cap, "%s%s%s", dir, sep, name) >= (int)cap) {
        fail("%s/%s: name too long", dir, name);
        return -1;
    }
    return 0;
}

static void pub_put(pub_buf *b, const char *s, size_t n)
{
    if (b->oom) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        char *p;
        while (cap < b->len + n + 1) cap *= 2;
        if (!(p = (char *)realloc(b->p, cap))) { b->oom = 1; return; }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

static void pub_puts(pub_buf *b, const char *s) { pub_put(b, s, strlen(s)); }

/* minisign's way of showing a key id: the 8 bytes read little-endian */
static void pub_keyid(const uint8_t id[8], char out[17])
{
    static const char hx[] = "0123456789ABCDEF";
    int i;
    for (i = 0; i < 8; i++) {
        out[2 * i] = hx[id[7 - i] >> 4];
        out[2 * i + 1] = hx[id[7 - i] & 15];
    }
    out[16] = 0;
}

/* 1 if path names the top-level name `name` ("./" and doubled slashes
   allowed, as the extractor cleans them); with under, also what lies below
   it */
static int pub_is_top(const char *path, const char *name, int under)
{
    const char *s = path;
    size_t nlen = strlen(name);
    int found = 0;
    while (*s) {
        const char *c = s;
        size_t len;
        while (*s && *s != '/') s++;
        len = (size_t)(s - c);
        if (*s == '/') s++;
        if (len == 0 || (len == 1 && c[0] == '.')) continue;
        if (found) return under;
        if (len != nlen || memcmp(c, name, nlen) != 0) return 0;
        found = 1;
    }
    return found;
}

static int pub_is_delete_list(const char *path) { return pub_is_top(path, ".updater-delete", 0); }

/* 1 if directory dir is anc itself or lies under it (by
   device and inode, climbing dir/.., dir/../.., ... up to the root) */
static int pub_inside(const char *dir, const char *anc)
{
    char p[4096];
    struct stat a, cur, up;
    size_t n;
    int i;
    if (stat(anc, &a) != 0 || snprintf(p, sizeof p, "%s", dir) >= (int)sizeof p || stat(p, &cur) != 0) return 0;
    for (i = 0; i < 1000; i++) {
        if (cur.st_dev == a.st_dev && cur.st_ino == a.st_ino) return 1;
        n = strlen(p);
        if (n + 4 >= sizeof p) return 0;
        memcpy(p + n, "/..", 4);
        if (stat(p, &up) != 0 || (up.st_dev == cur.st_dev && up.st_ino == cur.st_ino)) return 0; /* the root */
        cur = up;
    }
    return 0;
}

static void pub_nap(void)
{
    struct timespec ts;
    ts.tv_sec = 0;
    ts.tv_nsec = 100 * 1000 * 1000;
    nanosleep(&ts, NULL);
}

/* ---- the manifest: read, check, rewrite ------------------------------------ */
/* The next line of text from at: its content [at, at + *n) without the line
   ending; returns where the following line starts. Lines are split as
   upd_manifest_parse splits them. */
static size_t pub_line(const char *text, size_t len, size_t at, size_t *n)
{
    const char *eol = (const char *)memchr(text + at, '\n', len - at);
    size_t end = eol ? (size_t)(eol - text) : len;
    *n = end - at;
    if (*n && text[end - 1] == '\r') (*n)--;
    return eol ? end + 1 : len;
}

/* Token k (0-based) of a line, comments excluded: [*s, *e). */
static int pub_token(const char *p, size_t n, int k, size_t *s, size_t *e)
{
    size_t i = 0;
    for (;;) {
        while (i < n && (p[i] == ' ' || p[i] == '\t')) i++;
        if (i == n || p[i] == '#') return 0; /* a '#' starting a token starts a comment */
        *s = i;
        while (i < n && p[i] != ' ' && p[i] != '\t') i++;
        *e = i;
        if (k-- == 0) return 1;
    }
}

static int pub_token_is(const char *p, size_t n, int k, const char *want)
{
    size_t s, e;
    return pub_token(p, n, k, &s, &e) && e - s == strlen(want) && memcmp(p + s, want, e - s) == 0;
}

/* The release line of package p (no line ending). */
static void pub_release_line(pub_buf *b, const pub_opts *o, const pub_pkg *p)
{
    char num[64];
    pub_puts(b, o->app);
    pub_puts(b, " ");
    pub_puts(b, o->version);
    pub_puts(b, " url=");
    pub_puts(b, p->file);
    snprintf(num, sizeof num, " size=%llu", (unsigned long long)p->size);
    pub_puts(b, num);
    pub_puts(b, " sha256=");
    pub_puts(b, p->hex);
    if (p->from) { pub_puts(b, " from="); pub_puts(b, p->from); }
    if (o->channel && strcmp(o->channel, "stable") != 0) { pub_puts(b, " channel="); pub_puts(b, o->channel); }
    if (o->rollout) { snprintf(num, sizeof num, " rollout=%lld", o->rollout); pub_puts(b, num); }
    if (o->min) { pub_puts(b, " min="); pub_puts(b, o->min); }
    if (o->notes) { pub_puts(b, " notes="); pub_puts(b, o->notes); }
    if (o->critical) pub_puts(b, " critical=1");
    if (o->tree[0]) { pub_puts(b, " tree="); pub_puts(b, o->tree); }
}

/* The new versions text: every line of the old one verbatim, except the
   @serial line (its value bumped), the @expires line (with --expires), the
   release lines replaced (--force over a duplicate); the new release lines
   last, the full package first, unless they replace one. A kept line (the
   full package already listed with this content) stays as it is. */
static int pub_build(const pub_plan *pl, const pub_opts *o, pub_buf *b)
{
    char serial[32];
    size_t k;
    snprintf(serial, sizeof serial, "%llu", (unsigned long long)pl->serial);
    b->len = 0;
    if (!pl->text) {
        pub_puts(b, "# versions: the releases of this repo, kept by `upd publish` (docs/manifest.md)\n@serial ");
        pub_puts(b, serial);
        pub_puts(b, "\n");
        if (o->expires_days) { pub_puts(b, "@expires "); pub_puts(b, o->expires); pub_puts(b, "\n"); }
        for (k = 0; k < o->npkg; k++) {
            if (o->pkg[k].keep) continue;
            pub_release_line(b, o, &o->pkg[k]);
            pub_puts(b, "\n");
        }
    } else {
        size_t at = pl->body, n, next, s, e;
        unsigned ln = 0;
        pub_put(b, pl->text, pl->body); /* a byte order mark stays */
        while (at < pl->len) {
            const char *p = pl->text + at;
            const pub_pkg *rep = NULL;
            next = pub_line(pl->text, pl->len, at, &n);
            ln++;
            for (k = 0; k < o->npkg; k++)
                if (o->pkg[k].replace_line == ln) rep = &o->pkg[k];
            if (ln == pl->serial_line && pub_token(p, n, 1, &s, &e)) {
                pub_put(b, p, s);
                pub_puts(b, serial);
                pub_put(b, p + e, next - at - e);
            } else if (ln == pl->expires_line && o->expires_days && pub_token(p, n, 1, &s, &e)) {
                pub_put(b, p, s);
                pub_puts(b, o->expires);
                pub_put(b, p + e, next - at - e);
            } else if (rep) {
                pub_release_line(b, o, rep);
                pub_put(b, p + n, next - at - n); /* its line ending */
            } else {
                pub_put(b, p, next - at);
            }
            if (next == pl->len && (next == at || pl->text[next - 1] != '\n'))
                pub_puts(b, pl->eol); /* the last line had no line ending */
            if (ln == pl->serial_line && o->expires_days && !pl->expires_line) {
                pub_puts(b, "@expires ");
                pub_puts(b, o->expires);
                pub_puts(b, pl->eol);
            }
            at = next;
        }
        for (k = 0; k < o->npkg; k++) {
            if (o->pkg[k].keep || o->pkg[k].replace_line) continue;
            pub_release_line(b, o, &o->pkg[k]);
            pub_puts(b, pl->eol);
        }
    }
    if (b->oom) { fail("out of memory"); return -1; }
    return 0;
}

static void pub_show_line(const char *path, const char *text, size_t len, unsigned want)
{
    size_t at = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0, n, i;
    unsigned ln = 0;
    while (at < len) {
        size_t next = pub_line(text, len, at, &n);
        if (++ln == want) {
            fflush(stdout);
            fprintf(stderr, "upd: %s line %u reads: ", path, want);
            for (i = 0; i < n && i < 200; i++) {
                unsigned char c = (unsigned char)text[at + i];
                fputc(c < 0x20 || c >= 0x7f ? '?' : (int)c, stderr);
            }
            fputs(i < n ? "...\n" : "\n", stderr);
            return;
        }
        at = next;
    }
}

/* Reads and checks DIR/versions for the release o (into pl, which the
   caller frees), and the existing signature's key; marks each package
   kept (the full one, listed with these files) or replacing a line
   (--force). warn: the pass under the lock, once the packages are made:
   print warnings, and decide keeping by digest and tree (the first look
   assumes a listed full package will be kept). 0, or -1 with a message. */
static int pub_plan_load(pub_plan *pl, pub_opts *o, const upd_seckey *sk,
                         const char *vpath, const char *spath, int warn)
{
    pub_pkg *full = o->prebuilt ? NULL : &o->pkg[0];
    upd_manifest m;
    upd_result r;
    struct stat st;
    const upd_release *top = NULL;
    const char *chan = o->channel ? o->channel : "stable";
    size_t i, k, at, n;
    unsigned ln = 0;
    int rc = -1;
    memset(pl, 0, sizeof *pl);
    memset(&m, 0, sizeof m);
    for (k = 0; k < o->npkg; k++) o->pkg[k].keep = 0, o->pkg[k].replace_line = 0;
    pl->eol = "\n";
    pl->serial = 1;
    if (lstat(vpath, &st) != 0) {
        if (errno != ENOENT) { fail("%s: %s", vpath, strerror(errno)); return -1; }
        return 0; /* a new repo */
    }
    if (!S_ISREG(st.st_mode)) { fail("%s: not a regular file", vpath); return -1; }
    if (!(pl->text = read_small(vpath, UPDATER_MAX_MANIFEST_BYTES, &pl->len))) return -1;
    if ((r = upd_manifest_parse(&m, pl->text, pl->len, NULL)) != UPD_OK) {
        fail("%s: %s; not touching it (fix it, or move it away to start anew)", vpath,
             m.error[0] ? m.error : upd_strerror(r));
        if (m.error_line) pub_show_line(vpath, pl->text, pl->len, m.error_line);
        return -1;
    }
    /* where the directives are; the parser found exactly one @serial */
    pl->body = pl->len >= 3 && memcmp(pl->text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    for (at = pl->body; at < pl->len;) {
        size_t next = pub_line(pl->text, pl->len, at, &n);
        ln++;
        if (ln == 1 && next > at + n + 1) pl->eol = "\r\n";
        if (pub_token_is(pl->text + at, n, 0, "@serial")) pl->serial_line = ln;
        if (pub_token_is(pl->text + at, n, 0, "@expires")) pl->expires_line = ln;
        at = next;
    }
    if (!pl->serial_line) { fail("%s: cannot find the @serial line", vpath); goto done; }
    if (m.serial >= (uint64_t)INT64_MAX) { fail("%s: @serial is at its maximum", vpath); goto done; }
    pl->serial = m.serial + 1;
    if (warn && !o->expires_days && m.has_expires && upd_manifest_check_time(&m, (int64_t)time(NULL)) != UPD_OK) {
        time_t t = (time_t)m.expires;
        char when[32];
        struct tm tmv;
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tmv));
        fail("warning: %s: @expires %s is in the past: clients refuse this manifest until it is published with --expires DAYS",
             vpath, when);
    }
    /* the same packages already listed? a newer full one on the channel? */
    for (i = 0; i < m.count; i++) {
        const upd_release *x = &m.releases[i];
        if (strcmp(x->app, o->app) != 0) continue;
        for (k = 0; k < o->npkg; k++) {
            pub_pkg *p = &o->pkg[k];
            if (upd_version_compare(&x->ver, &o->ver) != 0 || (x->from == NULL) != (p->from == NULL) ||
                (x->from && upd_version_compare(&x->from_ver, &p->from_ver) != 0))
                continue;
            if (p == full && o->npkg > 1) {
                /* a release getting incremental packages is listed already: its
                   full package stays if it has this content (on the first look,
                   before the package is made, it is assumed to) */
                uint8_t t[32];
                if (!warn || memcmp(x->sha256, p->sha, 32) == 0 ||
                    (x->has_tree && o->tree[0] && upd_hex_decode(o->tree, t, 32) == UPD_OK && memcmp(t, x->tree, 32) == 0)) {
                    p->keep = 1;
                    if (warn) { /* what the report shows */
                        snprintf(p->file, sizeof p->file, "%s", x->url);
                        p->size = x->size;
                        memcpy(p->sha, x->sha256, 32);
                        upd_hex_encode(x->sha256, 32, p->hex);
                    }
                    continue;
                }
                if (!o->force) {
                    fail("%s %s is already published (%s line %u) with other files (another tree); "
                         "--force replaces its full package", o->app, o->version, vpath, x->line);
                    goto done;
                }
                p->replace_line = x->line;
                continue;
            }
            if (!o->force) {
                fail("%s %s%s%s is already published (%s line %u); --force replaces it", o->app, o->version,
                     p->from ? " from " : "", p->from ? p->from : "", vpath, x->line);
                goto done;
            }
            p->replace_line = x->line;
        }
        if (!x->from && strcmp(x->channel, chan) == 0 && (!top || upd_version_compare(&x->ver, &top->ver) > 0))
            top = x;
    }
    if (!o->force && full && !full->keep && top && upd_version_compare(&o->ver, &top->ver) <= 0) {
        fail("%s %s is not newer than %s %s, already published on channel %s (%s line %u); --force publishes it anyway",
             o->app, o->version, top->app, top->version, chan, vpath, top->line);
        goto done;
    }
    /* the signature there: made by this key? */
    if (lstat(spath, &st) == 0 && S_ISREG(st.st_mode)) {
        static upd_minisig old;
        size_t slen;
        char *stext = read_small(spath, UPDATER_MAX_MINISIG, &slen);
        if (stext && upd_minisig_parse(&old, stext, slen) == UPD_OK && memcmp(old.id, sk->id, 8) != 0 && !o->force) {
            char a[17], b2[17];
            pub_keyid(old.id, a);
            pub_keyid(sk->id, b2);
            fail("%s is signed with key %s, not with this key (%s): installations that trust only the old key would refuse "
                 "the manifest; ship the new public key first, then publish with --force", spath, a, b2);
            free(stext);
            goto done;
        }
        free(stext);
    }
    rc = 0;
done:
    upd_manifest_free(&m);
    return rc;
}

/* Builds the new text into b and parses it: it must parse, and read back
   with exactly one line for each new package (url, size, digest, from as
   given; after the packages are made, with the release's tree=), the new
   serial and the new @expires. */
static int pub_try(const pub_plan *pl, const pub_opts *o, pub_buf *b, int made)
{
    upd_manifest m;
    upd_result r;
    size_t i, k;
    memset(&m, 0, sizeof m);
    if (pub_build(pl, o, b) != 0) return -1;
    if ((r = upd_manifest_parse(&m, b->p, b->len, NULL)) != UPD_OK) {
        fail("cannot add %s %s to %s/versions: the result would not parse: %s", o->app, o->version, o->repo,
             m.error[0] ? m.error : upd_strerror(r));
        if (m.error_line) pub_show_line("the new versions", b->p, b->len, m.error_line);
        return -1;
    }
    /* what a client will read is what we meant to write */
    for (k = 0; k < o->npkg; k++) {
        const pub_pkg *p = &o->pkg[k];
        const upd_release *hit = NULL;
        int found = 0;
        if (p->keep) continue;
        for (i = 0; i < m.count; i++) {
            const upd_release *x = &m.releases[i];
            if (strcmp(x->app, o->app) == 0 && strcmp(x->version, o->version) == 0 &&
                (x->from ? p->from && strcmp(x->from, p->from) == 0 : !p->from) && strcmp(x->url, p->file) == 0 &&
                x->size == p->size && memcmp(p->sha, x->sha256, 32) == 0)
                found++, hit = x;
        }
        if (found != 1) break;
        if (made && o->tree[0]) {
            uint8_t t[32];
            if (!hit->has_tree || upd_hex_decode(o->tree, t, 32) != UPD_OK || memcmp(t, hit->tree, 32) != 0) break;
        } else if (made && hit->has_tree) {
            /* tree= of the other lines applies to this one: the client would
               want .updater-tree in the package, and refuse it every time */
            fail("%s has no .updater-tree, but %s %s gives tree= on another line: the client would refuse the package "
                 "every time; add the new release's listing to it (upd tree NEW_RELEASE > .updater-tree)",
                 o->src, o->app, o->version);
            upd_manifest_free(&m);
            return -1;
        }
    }
    if (k < o->npkg || m.serial != pl->serial || (o->expires_days && (!m.has_expires || m.expires != o->expires_at))) {
        fail("internal error: the new versions text does not read back as written; nothing published");
        upd_manifest_free(&m);
        return -1;
    }
    upd_manifest_free(&m);
    return 0;
}

/* ---- the archive ---------------------------------------------------------- */
static void pub_on_entry(void *user, const upd_tar_entry *e)
{
    pub_scan *s = (pub_scan *)user;
    const char *p = e->path;
    while (p[0] == '.' && (p[1] == '/' || p[1] == 0)) p += p[1] ? 2 : 1;
    while (*p == '/') p++;
    if (*p) s->entries++;
    if (pub_is_delete_list(e->path)) s->del_type = e->type;
    if (pub_is_top(e->path, ".updater-patch", 1)) s->has_patch = 1;
}

/* Streams the archive from in (to out, if out >= 0), hashing it and reading
   it through the safe tar reader in list mode (names, links, types, gzip
   and tar structure checked; nothing written); with t, its tree listed
   (lenient: an incremental package, extracted over an installed tree).
   name: for messages. */
static int pub_scan_fd(int in, int out, const char *name, const char *outname, pub_scan *s, tree_list *t, int lenient)
{
    static upd_untar x;
    static tree_scan ts;
    static uint8_t buf[65536];
    upd_sha256_ctx c;
    upd_result r;
    uint8_t magic[2];
    size_t nmagic = 0;
    int rc = -1;
    memset(s, 0, sizeof *s);
    upd_sha256_init(&c);
    if ((r = upd_untar_open(&x, ".", UPD_UNTAR_LIST)) != UPD_OK) {
        fail("%s: %s", name, x.error[0] ? x.error : upd_strerror(r));
        upd_untar_close(&x);
        return -1;
    }
    x.on_entry = pub_on_entry;
    x.user = s;
    if (t) {
        tree_hook(&ts, &x, t);
        ts.lenient = lenient;
    }
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        size_t k;
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) { fail("%s: %s", name, strerror(errno)); goto done; }
        if (n == 0) break;
        for (k = 0; nmagic < 2 && k < (size_t)n; k++) magic[nmagic++] = buf[k];
        if (nmagic == 2 && (magic[0] != 0x1f || magic[1] != 0x8b)) {
            fail("%s: not a gzip file; a release is a .tar.gz archive (or a directory to pack)", name);
            goto done;
        }
        if (out >= 0 && write_all(out, buf, (size_t)n) != 0) { fail("%s: %s", outname, strerror(errno)); goto done; }
        upd_sha256_update(&c, buf, (size_t)n);
        s->size += (uint64_t)n;
        if ((r = upd_untar_feed(&x, buf, (size_t)n)) != UPD_OK) {
            fail("%s: %s; not published", name, x.error[0] ? x.error : upd_strerror(r));
            goto done;
        }
    }
    if (nmagic < 2) { fail("%s: %s; a release is a .tar.gz archive", name, s->size ? "not a gzip file" : "empty file"); goto done; }
    if ((r = upd_untar_finish(&x)) != UPD_OK) {
        fail("%s: %s; not published", name, x.error[0] ? x.error : upd_strerror(r));
        goto done;
    }
    upd_sha256_final(&c, s->sha);
    rc = 0;
done:
    upd_untar_close(&x);
    return rc;
}

/* .updater-delete read back from the archive (second pass; only when the
   archive has one) */
typedef struct pub_dl {
    int on, over;
    size_t len;
    char buf[PUB_DELETE_MAX + 1];
} pub_dl;

static upd_result pub_dl_entry(void *user, const upd_tar_entry *e)
{
    pub_dl *d = (pub_dl *)user;
    d->on = e->type == UPD_TAR_FILE && pub_is_delete_list(e->path);
    if (d->on) d->len = 0, d->over = 0; /* a later entry of the name replaces an earlier one */
    return UPD_OK;
}

static upd_result pub_dl_data(void *user, const uint8_t *data, size_t len)
{
    pub_dl *d = (pub_dl *)user;
    if (!d->on) return UPD_OK;
    if (len > PUB_DELETE_MAX - d->len) { d->over = 1; return UPD_OK; }
    memcpy(d->buf + d->len, data, len);
    d->len += len;
    return UPD_OK;
}

static upd_result pub_dl_end(void *user, const upd_tar_entry *e)
{
    (void)e;
    ((pub_dl *)user)->on = 0;
    return UPD_OK;
}

/* Checks .updater-delete as the engine will read it: one relative path
   per line, no '..', no backslash, no CR, at most PUB_DELETE_MAX bytes. */
static int pub_check_deletes(const char *path, const char *name)
{
    static upd_gunzip z;
    static upd_tar t;
    static uint8_t in[65536], out[65536];
    static pub_dl d;
    size_t have = 0, pos = 0, i, start;
    unsigned ln = 0;
    int fd, eof = 0, rc = -1;
    upd_result r;
    memset(&d, 0, sizeof d);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) { fail("%s: %s", path, strerror(errno)); return -1; }
    upd_gunzip_init(&z, 0);
    upd_tar_init(&t, 0);
    t.on_entry = pub_dl_entry;
    t.on_data = pub_dl_data;
    t.on_end = pub_dl_end;
    t.user = &d;
    for (;;) {
        size_t in_len, out_len = sizeof out;
        upd_result g;
        if (pos == have && !eof) {
            ssize_t n = read(fd, in, sizeof in);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) { fail("%s: %s", path, strerror(errno)); goto done; }
            if (n == 0) eof = 1;
            have = (size_t)n;
            pos = 0;
        }
        in_len = have - pos;
        g = upd_gunzip_run(&z, in + pos, &in_len, out, &out_len, eof);
        pos += in_len;
        if (out_len && (r = upd_tar_feed(&t, out, out_len)) != UPD_OK) { fail("%s: %s", name, t.why ? t.why : upd_strerror(r)); goto done; }
        if (g == UPD_OK) break;
        if (g < 0) { fail("%s: %s", name, upd_strerror(g)); goto done; }
    }
    if ((r = upd_tar_finish(&t)) != UPD_OK) { fail("%s: %s", name, t.why ? t.why : upd_strerror(r)); goto done; }
    if (d.over) { fail("%s: .updater-delete is larger than %u bytes (the engine reads no more)", name, PUB_DELETE_MAX); goto done; }
    d.buf[d.len] = 0;
    if (memchr(d.buf, 0, d.len)) { fail("%s: .updater-delete holds a NUL byte", name); goto done; }
    for (start = 0; start < d.len; start = i + 1) {
        const char *why = NULL, *c;
        char *line = d.buf + start;
        size_t n;
        int parts = 0;
        for (i = start; i < d.len && d.buf[i] != '\n'; i++) {}
        d.buf[i] = 0;
        ln++;
        n = i - start;
        if (n == 0) continue;
        if (n > UPDATER_MAX_PATH) why = "path too long";
        else if (line[0] == '/') why = "absolute path";
        else if (strchr(line, '\\')) why = "backslash in path";
        else if (strchr(line, '\r')) why = "carriage return (CRLF line endings?)";
        for (c = line; !why && *c;) {
            const char *p = c;
            size_t len;
            while (*c && *c != '/') c++;
            len = (size_t)(c - p);
            if (*c == '/') c++;
            if (len == 2 && p[0] == '.' && p[1] == '.') why = "'..' in path";
            else if (len > 0 && !(len == 1 && p[0] == '.')) parts++;
        }
        if (!why && parts == 0) why = "names the tree itself";
        if (why) {
            for (c = line; *c; c++) if ((unsigned char)*c < 0x20 || *c == 0x7f) line[c - line] = '?';
            fail("%s: .updater-delete line %u '%.200s': %s; not published", name, ln, line, why);
            goto done;
        }
    }
    rc = 0;
done:
    close(fd);
    return rc;
}

/* Runs tar -C src -czf out . (portable flags: GNU tar, bsdtar, busybox);
   tar's own messages go to stderr. */
static int pub_pack(const char *src, const char *out)
{
    char *av[7];
    pid_t pid;
    int st;
    av[0] = (char *)"tar"; av[1] = (char *)"-C"; av[2] = (char *)src;
    av[3] = (char *)"-czf"; av[4] = (char *)out; av[5] = (char *)"."; av[6] = NULL;
    fflush(stdout);
    fflush(stderr);
    if ((pid = fork()) < 0) { fail("fork: %s", strerror(errno)); return -1; }
    if (pid == 0) {
        int err;
        if (dup2(2, 1) < 0) _exit(127); /* our stdout is the report */
        execvp("tar", av);
        err = errno;
        fprintf(stderr, "upd: cannot run tar: %s\n", strerror(err));
        _exit(127);
    }
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) { fail("waitpid: %s", strerror(errno)); return -1; }
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return 0;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127) fail("%s: packing needs tar on PATH", src);
    else if (WIFEXITED(st)) fail("%s: tar failed (exit %d) packing it; nothing published", src, WEXITSTATUS(st));
    else fail("%s: tar was killed by signal %d", src, WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    return -1;
}

/* Writes data to a new temporary file beside path (mode 0644, fsync'd);
   its name in tmp. */
static int pub_stage(const char *path, const char *data, size_t len, char *tmp, size_t cap)
{
    int fd;
    if (snprintf(tmp, cap, "%s.upd-XXXXXX", path) >= (int)cap) { fail("%s: name too long", path); tmp[0] = 0; return -1; }
    if ((fd = mkstemp(tmp)) < 0) { fail("%s: %s", path, strerror(errno)); tmp[0] = 0; return -1; }
    if (fchmod(fd, 0644) != 0 || write_all(fd, (const uint8_t *)data, len) != 0 || fsync(fd) != 0) {
        fail("%s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (close(fd) != 0) { fail("%s: %s", path, strerror(errno)); return -1; }
    return 0;
}

/* The repo's lock: an fcntl lock on DIR/.upd-publish.lock, which the holder
   removes when done (the inode check makes that safe: a waiter that locked
   a removed file tries again). Waits up to PUB_LOCK_WAIT seconds. */
static int pub_lock(const char *lpath)
{
    time_t start = time(NULL);
    int said = 0;
    for (;;) {
        struct flock fl;
        struct stat a, b;
        int fd = open(lpath, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0) { fail("%s: %s", lpath, strerror(errno)); return -1; }
        memset(&fl, 0, sizeof fl);
        fl.l_type = F_WRLCK;
        fl.l_whence = SEEK_SET;
        if (fcntl(fd, F_SETLK, &fl) == 0) {
            if (fstat(fd, &a) == 0 && stat(lpath, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
                return fd;
            close(fd); /* removed by the holder as we took it: again */
            continue;
        }
        if (errno != EACCES && errno != EAGAIN) { fail("%s: %s", lpath, strerror(errno)); close(fd); return -1; }
        if (!said) {
            memset(&fl, 0, sizeof fl);
            fl.l_type = F_WRLCK;
            fl.l_whence = SEEK_SET;
            if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
                fail("another publish (pid %ld) holds %s; waiting for it (up to %d s)", (long)fl.l_pid, lpath, PUB_LOCK_WAIT);
            else
                fail("another publish holds %s; waiting for it (up to %d s)", lpath, PUB_LOCK_WAIT);
            said = 1;
        }
        close(fd);
        if (time(NULL) - start >= PUB_LOCK_WAIT) {
            fail("%s: still locked by another publish after %d s; nothing published", lpath, PUB_LOCK_WAIT);
            return -1;
        }
        pub_nap();
    }
}

/* ---- the old releases (--from) ---------------------------------------------- */
/* 1 if url (as written in versions) names a file in the repo: relative, no
   scheme, query, fragment, escape or '..' */
static int pub_local_url(const char *url)
{
    const char *s = url;
    if (!*url || *url == '/' || strpbrk(url, "?#%\\") || strcspn(url, ":") < strcspn(url, "/")) return 0;
    while (*s) {
        const char *c = s;
        size_t len;
        while (*s && *s != '/') s++;
        len = (size_t)(s - c);
        if (*s == '/') s++;
        if (len == 2 && c[0] == '.' && c[1] == '.') return 0;
    }
    return 1;
}

/* The tree hash of t (sorted by it), as hex. */
static int pub_tree_hex(tree_list *t, char hex[65])
{
    uint8_t h[32];
    size_t len;
    char *text = tree_text(t, &len, h);
    if (!text) return -1;
    free(text);
    upd_hex_encode(h, 32, hex);
    return 0;
}

/* The checks on an old version that --from gives or that was found. */
static int pub_from_ok(const pub_opts *o, const pub_pkg *p, int rc)
{
    if (upd_version_compare(&p->from_ver, &o->ver) >= 0) {
        fail("--from %s is not lower than --version %s: an incremental package goes from an older version to a newer one",
             p->from, o->version);
        return rc;
    }
    if (o->min && upd_version_compare(&o->min_ver, &p->from_ver) > 0) {
        fail("--min %s is above --from %s: the incremental package could never apply", o->min, p->from);
        return rc;
    }
    return 0;
}

static int pub_file_name(const pub_opts *o, pub_pkg *p, int rc)
{
    if (p->from) snprintf(p->file, sizeof p->file, "%s-%s-to-%s.tar.gz", o->app, p->from, o->version);
    else snprintf(p->file, sizeof p->file, "%s-%s.tar.gz", o->app, o->version);
    if (strlen(p->file) > 255) { fail("the archive name %.60s... is longer than 255 bytes", p->file); return rc; }
    return 0;
}

/* Each --from's old release: its file or directory, its tree, and its
   version (found by the tree among the repo's tree= values when not given). */
static int pub_resolve_old(pub_opts *o, const char *vpath)
{
    upd_manifest m;
    upd_result r;
    struct stat st;
    char *text = NULL, hex[65];
    size_t len = 0, i, k, j;
    int rc = -1;
    memset(&m, 0, sizeof m);
    if (lstat(vpath, &st) == 0) {
        if (!(text = read_small(vpath, UPDATER_MAX_MANIFEST_BYTES, &len))) return -1;
        if ((r = upd_manifest_parse(&m, text, len, NULL)) != UPD_OK) {
            fail("%s: %s; not touching it (fix it, or move it away to start anew)", vpath, m.error[0] ? m.error : upd_strerror(r));
            if (m.error_line) pub_show_line(vpath, text, len, m.error_line);
            goto done;
        }
    }
    for (k = 1; k < o->npkg; k++) {
        pub_pkg *p = &o->pkg[k];
        if (!p->old_path) { /* a version listed in the repo: its full package */
            const upd_release *x = NULL;
            uint8_t d[32];
            for (i = 0; i < m.count && !x; i++)
                if (strcmp(m.releases[i].app, o->app) == 0 && !m.releases[i].from &&
                    upd_version_compare(&m.releases[i].ver, &p->from_ver) == 0)
                    x = &m.releases[i];
            if (!x) {
                fail("%s %s is not in %s: give the old release itself, --from %s=PATH (its .tar.gz or directory)",
                     o->app, p->from, vpath, p->from);
                goto done;
            }
            if (!pub_local_url(x->url)) {
                fail("%s %s: its package %s (%s line %u) is not a file in the repo; give the old release itself, --from %s=PATH",
                     o->app, p->from, x->url, vpath, x->line, p->from);
                goto done;
            }
            if (pub_join(p->old_file, sizeof p->old_file, o->repo, x->url) != 0) goto done;
            if (stat(p->old_file, &st) != 0) { fail("%s: %s", p->old_file, strerror(errno)); goto done; }
            if ((uint64_t)st.st_size != x->size || upd_sha256_file(p->old_file, d) != UPD_OK || memcmp(d, x->sha256, 32) != 0) {
                fail("%s: not the package %s line %u lists (size or SHA-256)", p->old_file, vpath, x->line);
                goto done;
            }
            if (tree_from_archive(p->old_file, &p->old) != 0 || pub_tree_hex(&p->old, hex) != 0) goto done;
            if (x->has_tree && (upd_hex_decode(hex, d, 32) != UPD_OK || memcmp(d, x->tree, 32) != 0)) {
                fail("%s: its tree (%s) is not the tree= of %s %s (%s line %u)", p->old_file, hex, o->app, p->from, vpath, x->line);
                goto done;
            }
            continue;
        }
        if (snprintf(p->old_file, sizeof p->old_file, "%s", p->old_path) >= (int)sizeof p->old_file) {
            fail("%s: path too long", p->old_path);
            goto done;
        }
        if (stat(p->old_file, &st) != 0) { fail("%s: %s", p->old_file, strerror(errno)); goto done; }
        p->old_is_dir = S_ISDIR(st.st_mode);
        if (tree_of(p->old_file, &p->old) != 0 || pub_tree_hex(&p->old, hex) != 0) goto done;
        if (!p->from) { /* the repo's release with this tree */
            const upd_release *x = NULL;
            uint8_t d[32];
            if (upd_hex_decode(hex, d, 32) != UPD_OK) goto done;
            for (i = 0; i < m.count; i++) {
                const upd_release *y = &m.releases[i];
                if (strcmp(y->app, o->app) != 0 || !y->has_tree || memcmp(y->tree, d, 32) != 0) continue;
                if (x && upd_version_compare(&x->ver, &y->ver) != 0) {
                    fail("%s has the tree of both %s %s and %s %s in %s: give its version, --from V=%s", p->old_path,
                         o->app, x->version, o->app, y->version, vpath, p->old_path);
                    goto done;
                }
                x = y;
            }
            if (!x) {
                fail("%s: no release of %s in %s has its tree (tree=%s); give its version, --from V=%s",
                     p->old_path, o->app, vpath, hex, p->old_path);
                goto done;
            }
            snprintf(p->fromv, sizeof p->fromv, "%s", x->version);
            p->from = p->fromv;
            p->from_ver = x->ver;
            if (pub_from_ok(o, p, 1) != 0 || pub_file_name(o, p, 1) != 0) goto done;
        }
    }
    for (k = 1; k < o->npkg; k++)
        for (j = 1; j < k; j++)
            if (upd_version_compare(&o->pkg[j].from_ver, &o->pkg[k].from_ver) == 0) {
                fail("--from %s and --from %s are the same version (%s)", o->pkg[j].spec, o->pkg[k].spec, o->pkg[k].from);
                goto done;
            }
    rc = 0;
done:
    upd_manifest_free(&m);
    free(text);
    return rc;
}

/* ---- the incremental packages ------------------------------------------------- */
/* Removes the tree at path (made writable on the way down). */
static void pub_rmtree_at(int dfd, const char *name)
{
    struct stat st;
    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return;
    if (S_ISDIR(st.st_mode)) {
        int fd, fd2;
        DIR *d;
        struct dirent *de;
        fchmodat(dfd, name, 0700, 0);
        if ((fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
            if ((fd2 = fcntl(fd, F_DUPFD_CLOEXEC, 0)) >= 0 && (d = fdopendir(fd2)) != NULL) {
                while ((de = readdir(d)) != NULL)
                    if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
                        pub_rmtree_at(fd, de->d_name);
                        rewinddir(d); /* names removed: read the directory again */
                    }
                closedir(d);
            } else if (fd2 >= 0) close(fd2);
            close(fd);
        }
        unlinkat(dfd, name, AT_REMOVEDIR);
    } else {
        unlinkat(dfd, name, 0);
    }
}

static void pub_rmtree(const char *path)
{
    pub_rmtree_at(AT_FDCWD, path);
}

/* The gzip-compressed size of a file (gzip at its default level, as tar
   runs it): what the file would cost in the package. When gzip cannot be
   run, the file's own size. */
static uint64_t pub_gzip_size(const char *path, uint64_t raw)
{
    static uint8_t buf[65536];
    char *av[4];
    uint64_t n = 0;
    pid_t pid;
    int pfd[2], in, st;
    av[0] = (char *)"gzip"; av[1] = (char *)"-n"; av[2] = (char *)"-c"; av[3] = NULL;
    if ((in = open(path, O_RDONLY | O_CLOEXEC)) < 0) return raw;
    if (pipe(pfd) != 0) { close(in); return raw; }
    fflush(stdout);
    fflush(stderr);
    if ((pid = fork()) < 0) { close(in); close(pfd[0]); close(pfd[1]); return raw; }
    if (pid == 0) {
        if (dup2(in, 0) < 0 || dup2(pfd[1], 1) < 0) _exit(126);
        execvp("gzip", av);
        _exit(127);
    }
    close(in);
    close(pfd[1]);
    for (;;) {
        ssize_t k = read(pfd[0], buf, sizeof buf);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
        n += (uint64_t)k;
    }
    close(pfd[0]);
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return raw;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? n : raw;
}

/* Directories made in the staging tree, their modes set at the end. */
typedef struct pub_dirs {
    char **path;
    unsigned *mode;
    size_t n, cap;
} pub_dirs;

/* Makes the directories of stage/path (and with self, path itself) that
   are missing, each to get the new tree's mode (0755 for a directory the
   new tree does not list); path is relative to stage. */
static int pub_stage_dirs(const char *stage, const char *path, int self, const tree_list *nt, pub_dirs *d)
{
    char full[8192], *c;
    size_t base = strlen(stage) + 1, plen = strlen(path);
    if (base + plen >= sizeof full) { fail("%s/%s: path too long", stage, tree_show(path)); return -1; }
    memcpy(full, stage, base - 1);
    full[base - 1] = '/';
    memcpy(full + base, path, plen + 1);
    for (c = full + base;;) { /* each prefix of path, shortest first */
        char *sl = strchr(c, '/');
        struct stat st;
        if (!sl && !self) break;
        if (sl) *sl = 0;
        if (lstat(full, &st) != 0) {
            const tree_ent *x;
            if (mkdir(full, 0700) != 0) { fail("%s: %s", tree_show(full), strerror(errno)); return -1; }
            if (d->n == d->cap) {
                size_t cap = d->cap ? d->cap * 2 : 64;
                char **np = (char **)realloc(d->path, cap * sizeof *np);
                unsigned *nm;
                if (!np) { fail("out of memory"); return -1; }
                d->path = np;
                if (!(nm = (unsigned *)realloc(d->mode, cap * sizeof *nm))) { fail("out of memory"); return -1; }
                d->mode = nm;
                d->cap = cap;
            }
            x = tree_find(nt, full + base);
            d->mode[d->n] = x && x->listed && x->type == UPD_TREE_DIR ? x->mode & 0755u : 0755u;
            if (!(d->path[d->n] = strdup(full))) { fail("out of memory"); return -1; }
            d->n++;
        } else if (!S_ISDIR(st.st_mode)) {
            fail("%s: not a directory", tree_show(full));
            return -1;
        }
        if (!sl) break;
        *sl = '/';
        c = sl + 1;
    }
    return 0;
}

static void pub_dirs_free(pub_dirs *d)
{
    size_t i;
    for (i = 0; i < d->n; i++) free(d->path[i]);
    free(d->path);
    free(d->mode);
    memset(d, 0, sizeof *d);
}

/* Files of the new release with more than one name, as first staged. */
typedef struct pub_links {
    dev_t *dev;
    ino_t *ino;
    char **path;
    size_t n, cap;
} pub_links;

static int pub_links_add(pub_links *l, dev_t dev, ino_t ino, const char *path)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        dev_t *d = (dev_t *)realloc(l->dev, cap * sizeof *d);
        ino_t *i;
        char **p;
        if (!d) { fail("out of memory"); return -1; }
        l->dev = d;
        if (!(i = (ino_t *)realloc(l->ino, cap * sizeof *i))) { fail("out of memory"); return -1; }
        l->ino = i;
        if (!(p = (char **)realloc(l->path, cap * sizeof *p))) { fail("out of memory"); return -1; }
        l->path = p;
        l->cap = cap;
    }
    if (!(l->path[l->n] = strdup(path))) { fail("out of memory"); return -1; }
    l->dev[l->n] = dev;
    l->ino[l->n] = ino;
    l->n++;
    return 0;
}

static void pub_links_free(pub_links *l)
{
    size_t i;
    for (i = 0; i < l->n; i++) free(l->path[i]);
    free(l->dev);
    free(l->ino);
    free(l->path);
    memset(l, 0, sizeof *l);
}

/* Copies the regular file src to dst (new), with mode and src's mtime. */
static int pub_copy(const char *src, const char *dst, unsigned mode)
{
    static uint8_t buf[65536];
    struct stat st;
    struct timespec ts[2];
    int in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), out;
    if (in < 0 || fstat(in, &st) != 0) { fail("%s: %s", tree_show(src), strerror(errno)); if (in >= 0) close(in); return -1; }
    if ((out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
        fail("%s: %s", tree_show(dst), strerror(errno));
        close(in);
        return -1;
    }
    for (;;) {
        ssize_t k = read(in, buf, sizeof buf);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) { fail("%s: %s", tree_show(src), strerror(errno)); goto bad; }
        if (k == 0) break;
        if (write_all(out, buf, (size_t)k) != 0) { fail("%s: %s", tree_show(dst), strerror(errno)); goto bad; }
    }
    ts[0] = st.st_atim;
    ts[1] = st.st_mtim;
    if (fchmod(out, (mode_t)(mode & 0755u)) != 0 || futimens(out, ts) != 0) { fail("%s: %s", tree_show(dst), strerror(errno)); goto bad; }
    close(in);
    if (close(out) != 0) { fail("%s: %s", tree_show(dst), strerror(errno)); return -1; }
    return 0;
bad:
    close(in);
    close(out);
    return -1;
}

/* The SHA-256 of a mapped file, compared with what its listing says. */
static int pub_same(const diff_map *m, const tree_ent *x)
{
    upd_sha256_ctx c;
    uint8_t h[32];
    upd_sha256_init(&c);
    if (m->n) upd_sha256_update(&c, m->p, m->n);
    upd_sha256_final(&c, h);
    return (uint64_t)m->n == x->size && memcmp(h, x->sha, 32) == 0;
}

/* A binary patch for the changed file ox -> nx (old bytes in oldf, new in
   newf), made into tmp and applied back once to prove it. 1 with the patch
   at tmp (*psize bytes) when it is smaller than the new file gzip'd, 0
   when the whole file is the better deal, -1 on an error. */
static int pub_patch(const char *oldf, const char *newf, const tree_ent *ox, const tree_ent *nx,
                     const char *tmp, const char *check, uint64_t *psize)
{
    diff_map om, nm;
    diff_stats ds;
    char err[UPDATER_MAX_PATH + 200];
    uint64_t gz;
    int rc = -1, ofd = -1, pfd = -1, cfd = -1;
    om.fd = nm.fd = -1;
    om.p = nm.p = NULL;
    if (diff_map_file(oldf, &om) != 0) return -1;
    if (diff_map_file(newf, &nm) != 0) { diff_unmap(&om); return -1; }
    if (!pub_same(&om, ox) || !pub_same(&nm, nx)) {
        fail("%s or %s changed while it was being published", tree_show(oldf), tree_show(newf));
        goto done;
    }
    if (diff_make(om.p, om.n, nm.p, nm.n, tmp, &ds) != 0) goto done;
    *psize = ds.patch;
    /* applied as the engine will apply it */
    if ((ofd = open(oldf, O_RDONLY | O_CLOEXEC)) < 0 || (pfd = open(tmp, O_RDONLY | O_CLOEXEC)) < 0 ||
        (cfd = open(check, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
        fail("%s: %s", ofd < 0 ? tree_show(oldf) : pfd < 0 ? tmp : check, strerror(errno));
        goto done;
    }
    if (upd_patch_apply(ofd, pfd, cfd, err, sizeof err) != UPD_OK) {
        fail("internal error: the patch made for %s does not apply: %s", tree_show(nx->path), err);
        goto done;
    }
    {
        diff_map cm;
        int same;
        if (diff_map_file(check, &cm) != 0) goto done;
        same = pub_same(&cm, nx);
        diff_unmap(&cm);
        if (!same) { fail("internal error: the patch made for %s does not give the new file", tree_show(nx->path)); goto done; }
    }
    gz = pub_gzip_size(newf, nx->size);
    rc = ds.patch < gz ? 1 : 0;
done:
    if (ofd >= 0) close(ofd);
    if (pfd >= 0) close(pfd);
    if (cfd >= 0) close(cfd);
    unlink(check);
    if (rc != 1) unlink(tmp);
    diff_unmap(&om);
    diff_unmap(&nm);
    return rc;
}

/* stage + "/" + path, into out */
static int pub_at(char *out, size_t cap, const char *dir, const char *path)
{
    if (snprintf(out, cap, "%s/%s", dir, path) >= (int)cap) { fail("%s/%s: path too long", dir, tree_show(path)); return -1; }
    return 0;
}

/* An absolute form of a path (tar runs in another directory). */
static int pub_abs(const char *path, char *out, size_t cap)
{
    char cwd[4096];
    if (path[0] == '/') { if (snprintf(out, cap, "%s", path) >= (int)cap) goto long_; return 0; }
    if (!getcwd(cwd, sizeof cwd) || snprintf(out, cap, "%s/%s", cwd, path) >= (int)cap) goto long_;
    return 0;
long_:
    fail("cannot make an absolute path for %s", path);
    return -1;
}

/* A temporary file for package p's archive, beside its place in the repo. */
static int pub_tmp_archive(pub_pkg *p)
{
    int fd;
    if (snprintf(p->atmp, sizeof p->atmp, "%s.upd-XXXXXX", p->apath) >= (int)sizeof p->atmp) {
        fail("%s: name too long", p->apath);
        p->atmp[0] = 0;
        return -1;
    }
    if ((fd = mkstemp(p->atmp)) < 0) { fail("%s: %s", p->apath, strerror(errno)); p->atmp[0] = 0; return -1; }
    return fd;
}

/* Packs and checks the staged directory into p's temporary archive. */
static int pub_pack_pkg(pub_pkg *p, const char *stage)
{
    char abs[4096 + 16];
    pub_scan scan;
    int fd = pub_tmp_archive(p);
    if (fd < 0) return -1;
    close(fd);
    if (pub_abs(p->atmp, abs, sizeof abs) != 0 || pub_pack(stage, abs) != 0) return -1;
    if ((fd = open(p->atmp, O_RDWR | O_NOFOLLOW | O_CLOEXEC)) < 0) { fail("%s: %s", p->atmp, strerror(errno)); return -1; }
    if (pub_scan_fd(fd, -1, p->file, p->atmp, &scan, NULL, 0) != 0) { close(fd); return -1; }
    if (fchmod(fd, 0644) != 0 || fsync(fd) != 0) { fail("%s: %s", p->atmp, strerror(errno)); close(fd); return -1; }
    if (close(fd) != 0) { fail("%s: %s", p->atmp, strerror(errno)); return -1; }
    p->size = scan.size;
    memcpy(p->sha, scan.sha, 32);
    upd_hex_encode(p->sha, 32, p->hex);
    return 0;
}

/* Incremental package p: from its old release to the new one (tree nt,
   files extracted in newdir, listing text), staged in work and packed into
   a temporary file in the repo. extra: the new release's own
   .updater-delete (its lines go in too, but for paths the new tree has). */
static int pub_make_inc(pub_pkg *p, const tree_list *nt, const char *newdir, const char *work, size_t k,
                        const char *listing, size_t llen, const char *extra, size_t nextra)
{
    static char a[8192], b[8192], c[8192], clean[UPDATER_MAX_PATH + 1];
    char olddir[4096], stage[4096], ptmp[4096], check[4096], err[UPDATER_MAX_PATH + 200];
    const char *last_dir = NULL;
    tree_list *ot = &p->old;
    pub_dirs dirs;
    pub_links links;
    pub_buf del;
    size_t i, lastlen = 0;
    int rc = -1, extracted = 0;
    memset(&dirs, 0, sizeof dirs);
    memset(&links, 0, sizeof links);
    memset(&del, 0, sizeof del);
    stage[0] = 0;
    if (tree_sort(ot) != 0) { fail("out of memory"); return -1; }
    /* what an incremental package cannot do: the engine extracts before it
       deletes, and a file cannot be put where a directory is */
    for (i = 0; i < ot->n; i++) {
        const tree_ent *x = &ot->e[i], *y;
        if (x->type == UPD_TREE_DIR && (y = tree_find(nt, x->path)) != NULL && y->type != UPD_TREE_DIR) {
            fail("'%s' is a directory in %s and a %s in %s: an incremental package cannot replace a directory; "
                 "publish without --from %s", tree_show(x->path), p->from, y->type == UPD_TREE_LINK ? "symlink" : "file",
                 "the new release", p->spec);
            return -1;
        }
    }
    /* the old release's files */
    if (p->old_is_dir) snprintf(olddir, sizeof olddir, "%s", p->old_file);
    else {
        snprintf(olddir, sizeof olddir, "%s/old-%zu", work, k);
        if (mkdir(olddir, 0700) != 0) { fail("%s: %s", olddir, strerror(errno)); return -1; }
        extracted = 1;
        if (upd_untar_file(p->old_file, olddir, 0, err, sizeof err) != UPD_OK) { fail("%s: %s", p->old_file, err); goto done; }
    }
    snprintf(stage, sizeof stage, "%s/inc-%zu", work, k);
    snprintf(ptmp, sizeof ptmp, "%s/patch-%zu", work, k);
    snprintf(check, sizeof check, "%s/check-%zu", work, k);
    if (mkdir(stage, 0700) != 0) { fail("%s: %s", stage, strerror(errno)); stage[0] = 0; goto done; }
    /* new and changed entries */
    for (i = 0; i < nt->n; i++) {
        const tree_ent *x = &nt->e[i], *o = tree_find(ot, x->path);
        int same = o && o->listed && o->type == x->type && (x->type == UPD_TREE_LINK || (o->mode & 0755u) == (x->mode & 0755u));
        if (!x->listed) continue;
        if (x->type == UPD_TREE_DIR) {
            if (same) continue;
            if (pub_stage_dirs(stage, x->path, 1, nt, &dirs) != 0) goto done;
        } else if (x->type == UPD_TREE_LINK) {
            if (same && strcmp(o->target, x->target) == 0) continue;
            if (pub_stage_dirs(stage, x->path, 0, nt, &dirs) != 0 || pub_at(a, sizeof a, stage, x->path) != 0) goto done;
            if (symlink(x->target, a) != 0) { fail("%s: %s", tree_show(a), strerror(errno)); goto done; }
        } else {
            int patched = 0;
            if (same && o->size == x->size && memcmp(o->sha, x->sha, 32) == 0) continue;
            if (pub_at(b, sizeof b, newdir, x->path) != 0) goto done;
            if (o && o->listed && o->type == UPD_TREE_FILE && o->size > 0 && x->size >= PUB_PATCH_MIN &&
                memcmp(o->sha, x->sha, 32) != 0) {
                uint64_t psize = 0;
                if (pub_at(a, sizeof a, olddir, x->path) != 0) goto done;
                if ((patched = pub_patch(a, b, o, x, ptmp, check, &psize)) < 0) goto done;
                if (patched) {
                    struct stat st;
                    struct timespec ts[2];
                    if (snprintf(c, sizeof c, ".updater-patch/%s", x->path) >= (int)sizeof c) { fail("%s: path too long", tree_show(x->path)); goto done; }
                    if (pub_stage_dirs(stage, c, 0, nt, &dirs) != 0 || pub_at(a, sizeof a, stage, c) != 0) goto done;
                    if (rename(ptmp, a) != 0 || chmod(a, (mode_t)(x->mode & 0755u)) != 0) { fail("%s: %s", tree_show(a), strerror(errno)); goto done; }
                    if (stat(b, &st) == 0) { /* the new file's time, for an engine that keeps it */
                        ts[0] = st.st_atim;
                        ts[1] = st.st_mtim;
                        utimensat(AT_FDCWD, a, ts, AT_SYMLINK_NOFOLLOW);
                    }
                    p->patches++;
                }
            }
            if (!patched) {
                struct stat st;
                size_t h;
                if (pub_stage_dirs(stage, x->path, 0, nt, &dirs) != 0 || pub_at(a, sizeof a, stage, x->path) != 0) goto done;
                if (lstat(b, &st) != 0) { fail("%s: %s", tree_show(b), strerror(errno)); goto done; }
                for (h = 0; h < links.n; h++) /* hard links of the release stay hard links */
                    if (links.dev[h] == st.st_dev && links.ino[h] == st.st_ino) break;
                if (h < links.n) {
                    if (link(links.path[h], a) != 0) { fail("%s: %s", tree_show(a), strerror(errno)); goto done; }
                } else {
                    if (pub_copy(b, a, x->mode) != 0) goto done;
                    if (st.st_nlink > 1 && pub_links_add(&links, st.st_dev, st.st_ino, a) != 0) goto done;
                }
            }
        }
        p->entries++;
    }
    /* deletions: the new release's own list, then what the old tree has and
       the new one does not (below a deleted directory, nothing more) */
    for (i = 0; i < nextra;) {
        size_t e = i;
        while (e < nextra && extra[e] != '\n') e++;
        if (e - i > 0 && e - i <= UPDATER_MAX_PATH) {
            memcpy(a, extra + i, e - i);
            a[e - i] = 0;
            if (tree_clean(a, clean) > 0 && !tree_find(nt, clean)) {
                pub_puts(&del, clean);
                pub_puts(&del, "\n");
            }
        }
        i = e + 1;
    }
    for (i = 0; i < ot->n; i++) {
        const tree_ent *x = &ot->e[i];
        size_t n = strlen(x->path);
        if (!x->listed || tree_find(nt, x->path)) continue;
        if (last_dir && n > lastlen && memcmp(x->path, last_dir, lastlen) == 0 && x->path[lastlen] == '/') continue;
        if (strpbrk(x->path, "\r\n")) {
            fail("'%s' cannot be named in .updater-delete (a line break in its name); publish without --from %s",
                 tree_show(x->path), p->spec);
            goto done;
        }
        pub_puts(&del, x->path);
        pub_puts(&del, "\n");
        p->deletes++;
        if (x->type == UPD_TREE_DIR) last_dir = x->path, lastlen = n;
    }
    if (del.oom) { fail("out of memory"); goto done; }
    if (del.len > PUB_DELETE_MAX) {
        fail("the incremental package from %s would delete more than .updater-delete can hold (%u bytes); "
             "publish without --from %s", p->from, PUB_DELETE_MAX, p->spec);
        goto done;
    }
    if ((del.len && (pub_at(a, sizeof a, stage, ".updater-delete") != 0 || write_file(a, del.p, del.len, 0644, 1) != 0)) ||
        pub_at(a, sizeof a, stage, ".updater-tree") != 0 || write_file(a, listing, llen, 0644, 1) != 0)
        goto done;
    /* directory modes: children first */
    for (i = dirs.n; i-- > 0;)
        if (chmod(dirs.path[i], (mode_t)dirs.mode[i]) != 0) { fail("%s: %s", tree_show(dirs.path[i]), strerror(errno)); goto done; }
    if (chmod(stage, 0755) != 0) { fail("%s: %s", stage, strerror(errno)); goto done; }
    if (pub_pack_pkg(p, stage) != 0) goto done;
    rc = 0;
done:
    if (stage[0]) pub_rmtree(stage);
    if (extracted) pub_rmtree(olddir);
    unlink(ptmp);
    pub_dirs_free(&dirs);
    pub_links_free(&links);
    free(del.p);
    return rc;
}

/* ---- options --------------------------------------------------------------- */
static int pub_options(int argc, char **argv, pub_opts *o)
{
    const char *why = "";
    size_t j, m;
    int k;
    memset(o, 0, sizeof *o);
    for (k = 1; k < argc; k++) {
        const char *a = argv[k], *v;
        if (strcmp(a, "--") == 0) {
            if (k + 2 != argc || o->src) { usage_for(argv[0]); return EXIT_USAGE; }
            o->src = argv[++k];
            break;
        }
        if (a[0] != '-' || a[1] == '\0') {
            if (o->src) { fail("one SRC only ('%s' and '%s')", o->src, a); usage_for(argv[0]); return EXIT_USAGE; }
            o->src = a;
            continue;
        }
        if (strcmp(a, "--critical") == 0) { o->critical = 1; continue; }
        if (strcmp(a, "--force") == 0) { o->force = 1; continue; }
        if (strcmp(a, "--prebuilt") == 0) { o->prebuilt = 1; continue; }
        if (strcmp(a, "--repo") && strcmp(a, "--app") && strcmp(a, "--version") && strcmp(a, "-s") &&
            strcmp(a, "--from") && strcmp(a, "--channel") && strcmp(a, "--rollout") && strcmp(a, "--min") &&
            strcmp(a, "--notes") && strcmp(a, "--expires")) {
            fail("unknown option '%s'", a);
            usage_for(argv[0]);
            return EXIT_USAGE;
        }
        if (k + 1 >= argc) { fail("option '%s' needs a value", a); usage_for(argv[0]); return EXIT_USAGE; }
        v = argv[++k];
        if (strcmp(a, "--repo") == 0) o->repo = v;
        else if (strcmp(a, "--app") == 0) o->app = v;
        else if (strcmp(a, "--version") == 0) o->version = v;
        else if (strcmp(a, "-s") == 0) o->sec = v;
        else if (strcmp(a, "--from") == 0) {
            if (o->nfrom == PUB_FROM_MAX) { fail("at most %d --from in one publish", PUB_FROM_MAX); return EXIT_USAGE; }
            o->froms[o->nfrom++] = v;
        }
        else if (strcmp(a, "--channel") == 0) o->channel = v;
        else if (strcmp(a, "--min") == 0) o->min = v;
        else if (strcmp(a, "--notes") == 0) o->notes = v;
        else if (strcmp(a, "--rollout") == 0) {
            if (!parse_int(v, 1, 100, &o->rollout)) { fail("--rollout must be 1..100 (percent)"); return EXIT_USAGE; }
        } else {
            if (!parse_int(v, 1, 100000, &o->expires_days)) { fail("--expires must be 1..100000 days"); return EXIT_USAGE; }
        }
    }
    if (!o->repo || !o->app || !o->version || !o->sec || !o->src) {
        fail("publish needs %s", !o->repo ? "--repo DIR" : !o->app ? "--app NAME" : !o->version ? "--version V" :
                                 !o->sec ? "-s SECRET_KEY" : "SRC (a .tar.gz or a directory)");
        usage_for(argv[0]);
        return EXIT_USAGE;
    }
    if (!pub_name_ok(o->app)) { fail("--app '%s': allowed are A-Z a-z 0-9 . _ + -", o->app); return EXIT_USAGE; }
    if (o->channel && !pub_name_ok(o->channel)) { fail("--channel '%s': allowed are A-Z a-z 0-9 . _ + -", o->channel); return EXIT_USAGE; }
    if (upd_version_parse(o->version, &o->ver, &why) != UPD_OK) { fail("--version '%s': %s", o->version, why); return EXIT_USAGE; }
    if (o->min) {
        if (upd_version_parse(o->min, &o->min_ver, &why) != UPD_OK) { fail("--min '%s': %s", o->min, why); return EXIT_USAGE; }
        if (upd_version_compare(&o->min_ver, &o->ver) >= 0) {
            fail("--min %s is not lower than --version %s: no installation could take the release", o->min, o->version);
            return EXIT_USAGE;
        }
    }
    /* the packages: the full one from SRC and one per --from; or with
       --prebuilt, SRC itself as the incremental package from --from */
    if (o->prebuilt && o->nfrom != 1) {
        fail("--prebuilt needs one --from V: the installed version the package applies to");
        usage_for(argv[0]);
        return EXIT_USAGE;
    }
    o->npkg = o->prebuilt ? 1 : 1 + o->nfrom;
    for (j = o->prebuilt ? 0 : 1, m = 0; j < o->npkg; j++, m++) {
        pub_pkg *p = &o->pkg[j];
        const char *spec = o->froms[m], *eq = strchr(spec, '=');
        struct stat st;
        p->spec = spec;
        if (eq && !o->prebuilt) { /* V=PATH */
            size_t n = (size_t)(eq - spec);
            if (n == 0 || n >= sizeof p->fromv || !eq[1]) { fail("--from '%s': expected V=PATH", spec); return EXIT_USAGE; }
            memcpy(p->fromv, spec, n);
            p->fromv[n] = 0;
            p->from = p->fromv;
            p->old_path = eq + 1;
            if (upd_version_parse(p->from, &p->from_ver, &why) != UPD_OK) { fail("--from '%s': version %s: %s", spec, p->from, why); return EXIT_USAGE; }
        } else if (upd_version_parse(spec, &p->from_ver, &why) == UPD_OK) {
            p->from = spec;
        } else if (o->prebuilt) {
            fail("--from '%s': %s (with --prebuilt, the version the package applies to)", spec, why);
            return EXIT_USAGE;
        } else if (stat(spec, &st) != 0) {
            fail("--from '%s': not a version (%s), and %s", spec, why, strerror(errno));
            return EXIT_USAGE;
        } else {
            p->old_path = spec; /* its version: found by its tree */
        }
        if (p->from) {
            if (pub_from_ok(o, p, EXIT_USAGE) != 0 || pub_file_name(o, p, EXIT_USAGE) != 0) return EXIT_USAGE;
            for (k = o->prebuilt ? 0 : 1; (size_t)k < j; k++)
                if (o->pkg[k].from && upd_version_compare(&o->pkg[k].from_ver, &p->from_ver) == 0) {
                    fail("--from %s and --from %s are the same version", o->pkg[k].spec, spec);
                    return EXIT_USAGE;
                }
        }
    }
    if (!o->prebuilt && pub_file_name(o, &o->pkg[0], EXIT_USAGE) != 0) return EXIT_USAGE;
    if (o->notes) {
        char tmp[UPDATER_MAX_URL + 1];
        if (upd_url_resolve("https://example.invalid/repo/versions", o->notes, tmp, sizeof tmp, &why) != UPD_OK) {
            fail("--notes '%s': %s (an http(s) URL, or one relative to the manifest)", o->notes, why);
            return EXIT_USAGE;
        }
    }
    if (o->expires_days) {
        time_t t = time(NULL) + (time_t)o->expires_days * 86400;
        struct tm tmv;
        if (!gmtime_r(&t, &tmv) || tmv.tm_year + 1900 > 9999) { fail("--expires: too far ahead"); return EXIT_USAGE; }
        strftime(o->expires, sizeof o->expires, "%Y-%m-%dT%H:%M:%SZ", &tmv);
        o->expires_at = (int64_t)t;
    }
    return 0;
}

/* ---- the command ------------------------------------------------------------- */
/* Makes the work directory for the incremental packages. */
static int pub_workdir(char *out, size_t cap)
{
    const char *t = getenv("TMPDIR");
    if (!t || !*t) t = "/tmp";
    if (snprintf(out, cap, "%s/upd-publish-XXXXXX", t) >= (int)cap) { fail("%s: name too long", t); out[0] = 0; return -1; }
    if (!mkdtemp(out)) { fail("%s: %s", out, strerror(errno)); out[0] = 0; return -1; }
    return 0;
}

static int cmd_publish(int argc, char **argv)
{
    static pub_opts o;
    static upd_minisig sig;
    static tree_list nt;
    pub_plan plan;
    pub_scan scan;
    pub_buf text;
    upd_seckey sk;
    upd_pubkey pk;
    struct stat st;
    pub_pkg *src;
    char vpath[4096], spath[4096], lpath[4096], vtmp[4096], stmp[4096], work[4096], newdir[4096];
    char tc[256], sigtext[UPDATER_MAX_MINISIG + 1], *ktext, *listing = NULL, *extra = NULL;
    char err[UPDATER_MAX_PATH + 200];
    uint8_t digest[64], thash[32];
    size_t klen, llen = 0, nextra = 0, k;
    upd_result r;
    int rc = 1, lockfd = -1, created = 0, is_dir, fd;

    memset(&plan, 0, sizeof plan);
    memset(&text, 0, sizeof text);
    memset(&sk, 0, sizeof sk);
    vtmp[0] = stmp[0] = work[0] = 0;
    if ((rc = pub_options(argc, argv, &o)) != 0) return rc;
    rc = 1;
    src = &o.pkg[0];

    /* the key: an unencrypted minisign secret key; its public half checks our signature */
    if (!(ktext = read_small(o.sec, 1024, &klen))) goto done;
    r = upd_seckey_parse(&sk, ktext, klen);
    memset(ktext, 0, klen);
    free(ktext);
    if (r != UPD_OK) {
        fail("%s: %s%s", o.sec, r == UPD_E_SIG_FORMAT || r == UPD_E_BASE64 ? "not a minisign secret key" : upd_strerror(r),
             r == UPD_E_KEY_ENCRYPTED ? "; make keys with upd keygen or minisign -G -W" : "");
        goto done;
    }
    memcpy(pk.id, sk.id, 8);
    memcpy(pk.key, sk.key + 32, 32);

    /* SRC: a directory to pack or a .tar.gz */
    if (stat(o.src, &st) != 0) { fail("%s: %s", o.src, strerror(errno)); goto done; }
    is_dir = S_ISDIR(st.st_mode);
    if (!is_dir && !S_ISREG(st.st_mode)) { fail("%s: not a .tar.gz file or a directory", o.src); goto done; }
    if (!is_dir) {
        uint8_t head[512];
        ssize_t n;
        if ((fd = open(o.src, O_RDONLY | O_CLOEXEC)) < 0) { fail("%s: %s", o.src, strerror(errno)); goto done; }
        n = read(fd, head, sizeof head);
        close(fd);
        if (n < 0) { fail("%s: %s", o.src, strerror(errno)); goto done; }
        if (n < 2 || head[0] != 0x1f || head[1] != 0x8b) {
            if (n >= 262 && memcmp(head + 257, "ustar", 5) == 0)
                fail("%s: an uncompressed tar archive; a release is a .tar.gz: compress it (gzip -n) or publish the directory", o.src);
            else
                fail("%s: %s; a release is a .tar.gz archive (or a directory to pack)", o.src, n == 0 ? "empty file" : "not a gzip file");
            goto done;
        }
    }

    /* the repo directory (made if missing: the first publish starts a repo) */
    if (stat(o.repo, &st) != 0) {
        if (errno != ENOENT || mkdir(o.repo, 0755) != 0) { fail("%s: %s", o.repo, strerror(errno)); goto done; }
        created = 1;
    } else if (!S_ISDIR(st.st_mode)) { fail("%s: not a directory", o.repo); goto done; }
    if (pub_join(vpath, sizeof vpath, o.repo, "versions") || pub_join(spath, sizeof spath, o.repo, "versions.minisig") ||
        pub_join(lpath, sizeof lpath, o.repo, PUB_LOCK_NAME))
        goto done;
    if (is_dir && pub_inside(o.repo, o.src)) { /* packing SRC must not pick up the temporary archive */
        fail("%s is inside %s: pack a directory outside the repo", o.repo, o.src);
        goto done;
    }

    /* the old releases and their trees (their versions, if found by tree) */
    if (!o.prebuilt && o.npkg > 1 && pub_resolve_old(&o, vpath) != 0) goto done;
    for (k = 0; k < o.npkg; k++)
        if (pub_join(o.pkg[k].apath, sizeof o.pkg[k].apath, o.repo, o.pkg[k].file)) goto done;

    /* a first look, unlocked: refuse early what will be refused anyway */
    for (k = 0; k < o.npkg; k++) {
        o.pkg[k].size = 1;
        memset(o.pkg[k].hex, '0', 64);
        o.pkg[k].hex[64] = 0;
        memset(o.pkg[k].sha, 0, 32);
    }
    if (pub_plan_load(&plan, &o, &sk, vpath, spath, 0) != 0) goto done;
    if (pub_try(&plan, &o, &text, 0) != 0) goto done;
    free(plan.text);
    memset(&plan, 0, sizeof plan);
    for (k = 0; k < o.npkg; k++) o.pkg[k].keep = 0;

    /* the package from SRC, into a temporary file in the repo, checked and
       listed as it goes */
    if ((fd = pub_tmp_archive(src)) < 0) goto done;
    if (is_dir) {
        char abs[4096 + 16];
        close(fd);
        if (pub_abs(src->atmp, abs, sizeof abs) != 0 || pub_pack(o.src, abs) != 0) goto done;
        if ((fd = open(src->atmp, O_RDWR | O_NOFOLLOW | O_CLOEXEC)) < 0) { fail("%s: %s", src->atmp, strerror(errno)); goto done; }
        if (pub_scan_fd(fd, -1, o.src, src->atmp, &scan, &nt, o.prebuilt) != 0) { close(fd); goto done; }
    } else {
        int in = open(o.src, O_RDONLY | O_CLOEXEC);
        if (in < 0) { fail("%s: %s", o.src, strerror(errno)); close(fd); goto done; }
        if (pub_scan_fd(in, fd, o.src, src->atmp, &scan, &nt, o.prebuilt) != 0) { close(in); close(fd); goto done; }
        close(in);
    }
    if (fchmod(fd, 0644) != 0 || fsync(fd) != 0) { fail("%s: %s", src->atmp, strerror(errno)); close(fd); goto done; }
    if (close(fd) != 0) { fail("%s: %s", src->atmp, strerror(errno)); goto done; }
    if (scan.entries == 0) { fail("%s: the archive holds nothing; not published", o.src); goto done; }
    if (scan.del_type && scan.del_type != UPD_TAR_FILE) {
        fail("%s: .updater-delete is not a regular file; not published", o.src);
        goto done;
    }
    if (scan.del_type && pub_check_deletes(src->atmp, o.src) != 0) goto done;
    src->size = scan.size;
    memcpy(src->sha, scan.sha, 32);
    upd_hex_encode(scan.sha, 32, src->hex);
    {
        const tree_ent *tf = tree_find(&nt, ".updater-tree");
        if (tf && tf->type != UPD_TREE_FILE) { fail("%s: .updater-tree is not a regular file; not published", o.src); goto done; }
        if (o.prebuilt) { /* the package proves its result with its own listing */
            if (tf) upd_hex_encode(tf->sha, 32, o.tree);
        } else {
            if (scan.has_patch) {
                fail("%s holds .updater-patch: that is an incremental package (publish it with --prebuilt --from V); "
                     "a full package holds the whole release", o.src);
                goto done;
            }
            if (!(listing = tree_text(&nt, &llen, thash))) goto done;
            upd_hex_encode(thash, 32, o.tree);
            if (tf && memcmp(tf->sha, thash, 32) != 0) {
                fail("%s: its .updater-tree is not the listing of its files (tree %s): remove it, or make it with upd tree",
                     o.src, o.tree);
                goto done;
            }
        }
    }

    /* the incremental packages, made in a work directory from the full
       package as it will be served */
    if (!o.prebuilt && o.npkg > 1) {
        struct stat dst;
        if (pub_workdir(work, sizeof work) != 0) goto done;
        if (snprintf(newdir, sizeof newdir, "%s/new", work) >= (int)sizeof newdir || mkdir(newdir, 0700) != 0) {
            fail("%s: %s", newdir, strerror(errno));
            goto done;
        }
        if (upd_untar_file(src->atmp, newdir, 0, err, sizeof err) != UPD_OK) { fail("%s: %s", o.src, err); goto done; }
        if (scan.del_type) {
            char dl[4096];
            if (pub_at(dl, sizeof dl, newdir, ".updater-delete") != 0) goto done;
            if (lstat(dl, &dst) == 0 && S_ISREG(dst.st_mode) && !(extra = read_small(dl, PUB_DELETE_MAX, &nextra))) goto done;
        }
        for (k = 1; k < o.npkg; k++)
            if (pub_make_inc(&o.pkg[k], &nt, newdir, work, k, listing, llen, extra, nextra) != 0) goto done;
    }

    /* under the lock: versions as it is now, the archive names, the new text */
    if ((lockfd = pub_lock(lpath)) < 0) goto done;
    if (pub_plan_load(&plan, &o, &sk, vpath, spath, 1) != 0) goto done;
    for (k = 0; k < o.npkg; k++) {
        pub_pkg *p = &o.pkg[k];
        if (p->keep) continue;
        if (lstat(p->apath, &st) == 0) {
            uint8_t old[32];
            if (!S_ISREG(st.st_mode)) { fail("%s exists and is not a regular file", p->apath); goto done; }
            if ((uint64_t)st.st_size == p->size && upd_sha256_file(p->apath, old) == UPD_OK && memcmp(old, p->sha, 32) == 0)
                p->reuse = 1; /* the same bytes are there already */
            else if (!o.force) {
                fail("%s exists with different content; refusing to replace it (--force does)", p->apath);
                goto done;
            }
        } else if (errno != ENOENT) { fail("%s: %s", p->apath, strerror(errno)); goto done; }
    }
    if (pub_try(&plan, &o, &text, 1) != 0) goto done;

    /* sign (prehashed, as minisign does by default) and check the signature */
    upd_blake2b(text.p, text.len, digest, 64);
    snprintf(tc, sizeof tc, "timestamp:%lld\tfile:versions\tserial:%llu", (long long)time(NULL),
             (unsigned long long)plan.serial);
    if ((r = upd_minisig_sign(&sk, 1, digest, 64, tc, sigtext, sizeof sigtext)) != UPD_OK) {
        fail("signing: %s", upd_strerror(r));
        goto done;
    }
    if ((r = upd_minisig_parse(&sig, sigtext, strlen(sigtext))) != UPD_OK ||
        (r = upd_minisig_verify(&sig, &pk, 1, text.p, text.len)) != UPD_OK) {
        fail("the new signature does not verify (%s); nothing published", upd_strerror(r));
        goto done;
    }
    if (pub_stage(vpath, text.p, text.len, vtmp, sizeof vtmp) != 0 ||
        pub_stage(spath, sigtext, strlen(sigtext), stmp, sizeof stmp) != 0)
        goto done;

    /* into place: the archives first (nothing refers to them yet), then the
       manifest, then its signature */
    for (k = 0; k < o.npkg; k++) {
        pub_pkg *p = &o.pkg[k];
        if (p->keep || p->reuse) { unlink(p->atmp); p->atmp[0] = 0; continue; }
        if (rename(p->atmp, p->apath) != 0) { fail("%s: %s", p->apath, strerror(errno)); goto done; }
        p->atmp[0] = 0;
    }
    if (rename(vtmp, vpath) != 0) { fail("%s: %s; nothing published", vpath, strerror(errno)); goto done; }
    vtmp[0] = 0;
    if (rename(stmp, spath) != 0) {
        fail("%s: %s; %s is new but its signature is not: publish again or sign it (upd sign -s SEC %s)",
             spath, strerror(errno), vpath, vpath);
        goto done;
    }
    stmp[0] = 0;
    if ((fd = open(o.repo, O_RDONLY | O_CLOEXEC)) >= 0) {
        if (fsync(fd) != 0) fail("warning: %s: fsync: %s", o.repo, strerror(errno));
        close(fd);
    }
    for (k = 0; k < o.npkg; k++) {
        const pub_pkg *p = &o.pkg[k];
        if (p->keep)
            printf("kept %s %s (%s, %llu bytes, sha256 %s): already published with these files\n", o.app, o.version,
                   p->file, (unsigned long long)p->size, p->hex);
        else if (p->from && !o.prebuilt)
            printf("published %s %s from %s (%s, %llu bytes, sha256 %s; %lu new or changed, %lu patched, %lu deleted), serial %llu\n",
                   o.app, o.version, p->from, p->file, (unsigned long long)p->size, p->hex, p->entries, p->patches,
                   p->deletes, (unsigned long long)plan.serial);
        else if (p->from)
            printf("published %s %s from %s (%s, %llu bytes, sha256 %s), serial %llu\n", o.app, o.version, p->from,
                   p->file, (unsigned long long)p->size, p->hex, (unsigned long long)plan.serial);
        else
            printf("published %s %s (%s, %llu bytes, sha256 %s), serial %llu\n", o.app, o.version, p->file,
                   (unsigned long long)p->size, p->hex, (unsigned long long)plan.serial);
    }
    rc = 0;
done:
    for (k = 0; k < o.npkg; k++) {
        if (o.pkg[k].atmp[0]) unlink(o.pkg[k].atmp);
        tree_free(&o.pkg[k].old);
    }
    if (vtmp[0]) unlink(vtmp);
    if (stmp[0]) unlink(stmp);
    if (lockfd >= 0) {
        unlink(lpath); /* while holding the lock: a waiter rechecks the inode */
        close(lockfd);
    }
    if (work[0]) pub_rmtree(work);
    if (created && rc != 0) rmdir(o.repo); /* only if still empty */
    free(plan.text);
    free(text.p);
    free(listing);
    free(extra);
    tree_free(&nt);
    memset(&sk, 0, sizeof sk);
    return rc;
}
