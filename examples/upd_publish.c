/* upd publish - adds a release to a repo directory that a static HTTP server
   serves: the archive (NAME-V.tar.gz, or NAME-FROM-to-V.tar.gz for an
   incremental package), its line in `versions` with size and SHA-256, a
   bumped @serial and a fresh `versions.minisig` (docs/upd.md, "upd publish").

   Included by upd.c after updater.h's implementation and upd.c's helpers
   (fail, usage_for, parse_int, read_small, write_all, EXIT_USAGE).

   Order of work, so that a refusal costs little and nothing half-done is
   ever served:
     1. options, the secret key, SRC's kind (directory or gzip file);
     2. a first look at DIR/versions without the lock: a release that will be
        refused (version not newer, duplicate, malformed file) is refused
        before anything is packed or copied;
     3. the archive into a temporary file in DIR (tar for a directory, a
        copy for a file), hashed and read through the library's own safe tar
        reader in list mode as it is written: a broken or hostile archive
        stops here and its temporary file is removed;
     4. the lock (DIR/.upd-publish.lock, fcntl), then DIR/versions read and
        checked again: that is the copy the new one is built from;
     5. the new versions text, parsed again by upd_manifest_parse, signed,
        the signature verified with the key's public half; both written to
        temporary files and fsync'd;
     6. renames: archive, versions, versions.minisig; the directory fsync'd;
        the lock file removed. */
#include <limits.h>
#include <sys/wait.h>

#define PUB_LOCK_NAME ".upd-publish.lock"
#define PUB_LOCK_WAIT 120            /* seconds to wait for another publish */
#define PUB_DELETE_MAX 65534u        /* the engine reads .updater-delete up to this */

typedef struct pub_opts {
    const char *repo, *app, *version, *sec, *from, *channel, *min, *notes, *src;
    long long rollout;               /* 0: not given */
    long long expires_days;          /* 0: not given */
    int critical, force;
    upd_version ver, from_ver, min_ver;
    char file[512];                  /* the archive's name in the repo */
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
    unsigned serial_line, expires_line, replace_line;
} pub_plan;

/* what the safe reader saw in the archive */
typedef struct pub_scan {
    uint64_t size;                   /* archive bytes                            */
    uint8_t sha[32];
    uint64_t entries;                /* entries other than the root "./"         */
    int del_type;                    /* type of a .updater-delete entry, or 0    */
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

/* 1 if path names ".updater-delete" at the top of the tree ("./" and doubled
   slashes allowed, as the extractor cleans them) */
static int pub_is_delete_list(const char *path)
{
    const char *s = path;
    int found = 0;
    while (*s) {
        const char *c = s;
        size_t len;
        while (*s && *s != '/') s++;
        len = (size_t)(s - c);
        if (*s == '/') s++;
        if (len == 0 || (len == 1 && c[0] == '.')) continue;
        if (found || len != 15 || memcmp(c, ".updater-delete", 15) != 0) return 0;
        found = 1;
    }
    return found;
}

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

/* The release line for o with the given size and digest (no line ending). */
static void pub_release_line(pub_buf *b, const pub_opts *o, uint64_t size, const char *hex)
{
    char num[64];
    pub_puts(b, o->app);
    pub_puts(b, " ");
    pub_puts(b, o->version);
    pub_puts(b, " url=");
    pub_puts(b, o->file);
    snprintf(num, sizeof num, " size=%llu", (unsigned long long)size);
    pub_puts(b, num);
    pub_puts(b, " sha256=");
    pub_puts(b, hex);
    if (o->from) { pub_puts(b, " from="); pub_puts(b, o->from); }
    if (o->channel && strcmp(o->channel, "stable") != 0) { pub_puts(b, " channel="); pub_puts(b, o->channel); }
    if (o->rollout) { snprintf(num, sizeof num, " rollout=%lld", o->rollout); pub_puts(b, num); }
    if (o->min) { pub_puts(b, " min="); pub_puts(b, o->min); }
    if (o->notes) { pub_puts(b, " notes="); pub_puts(b, o->notes); }
    if (o->critical) pub_puts(b, " critical=1");
}

/* The new versions text: every line of the old one verbatim, except the
   @serial line (its value bumped), the @expires line (with --expires), the
   release line replaced (--force over a duplicate); the new release line
   last unless it replaces one. */
static int pub_build(const pub_plan *pl, const pub_opts *o, uint64_t size, const char *hex, pub_buf *b)
{
    char serial[32];
    snprintf(serial, sizeof serial, "%llu", (unsigned long long)pl->serial);
    b->len = 0;
    if (!pl->text) {
        pub_puts(b, "# versions: the releases of this repo, kept by `upd publish` (docs/manifest.md)\n@serial ");
        pub_puts(b, serial);
        pub_puts(b, "\n");
        if (o->expires_days) { pub_puts(b, "@expires "); pub_puts(b, o->expires); pub_puts(b, "\n"); }
        pub_release_line(b, o, size, hex);
        pub_puts(b, "\n");
    } else {
        size_t at = pl->body, n, next, s, e;
        unsigned ln = 0;
        pub_put(b, pl->text, pl->body); /* a byte order mark stays */
        while (at < pl->len) {
            const char *p = pl->text + at;
            next = pub_line(pl->text, pl->len, at, &n);
            ln++;
            if (ln == pl->serial_line && pub_token(p, n, 1, &s, &e)) {
                pub_put(b, p, s);
                pub_puts(b, serial);
                pub_put(b, p + e, next - at - e);
            } else if (ln == pl->expires_line && o->expires_days && pub_token(p, n, 1, &s, &e)) {
                pub_put(b, p, s);
                pub_puts(b, o->expires);
                pub_put(b, p + e, next - at - e);
            } else if (ln == pl->replace_line) {
                pub_release_line(b, o, size, hex);
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
        if (!pl->replace_line) {
            pub_release_line(b, o, size, hex);
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
   caller frees), and the existing signature's key. warn: print warnings
   (only on the pass under the lock). 0, or -1 with a message. */
static int pub_plan_load(pub_plan *pl, const pub_opts *o, const upd_seckey *sk,
                         const char *vpath, const char *spath, int warn)
{
    upd_manifest m;
    upd_result r;
    struct stat st;
    const upd_release *top = NULL;
    const char *chan = o->channel ? o->channel : "stable";
    size_t i, at, n;
    unsigned ln = 0;
    int rc = -1;
    memset(pl, 0, sizeof *pl);
    memset(&m, 0, sizeof m);
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
    /* the same release already listed? a newer full one on the channel? */
    for (i = 0; i < m.count; i++) {
        const upd_release *x = &m.releases[i];
        if (strcmp(x->app, o->app) != 0) continue;
        if (upd_version_compare(&x->ver, &o->ver) == 0 && (x->from == NULL) == (o->from == NULL) &&
            (!x->from || upd_version_compare(&x->from_ver, &o->from_ver) == 0)) {
            if (!o->force) {
                fail("%s %s%s%s is already published (%s line %u); --force replaces it", o->app, o->version,
                     o->from ? " from " : "", o->from ? o->from : "", vpath, x->line);
                goto done;
            }
            pl->replace_line = x->line;
        }
        if (!o->from && !x->from && strcmp(x->channel, chan) == 0 && (!top || upd_version_compare(&x->ver, &top->ver) > 0))
            top = x;
    }
    if (!o->force && !o->from && top && upd_version_compare(&o->ver, &top->ver) <= 0) {
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

/* Builds the new text with the given size and digest into b and parses
   it: it must parse, and read back with exactly one line for this release
   (url, size, digest as given), the new serial and the new @expires. */
static int pub_try(const pub_plan *pl, const pub_opts *o, uint64_t size, const char *hex, pub_buf *b)
{
    upd_manifest m;
    upd_result r;
    size_t i;
    int found = 0;
    memset(&m, 0, sizeof m);
    if (pub_build(pl, o, size, hex, b) != 0) return -1;
    if ((r = upd_manifest_parse(&m, b->p, b->len, NULL)) != UPD_OK) {
        fail("cannot add %s %s to %s/versions: the result would not parse: %s", o->app, o->version, o->repo,
             m.error[0] ? m.error : upd_strerror(r));
        if (m.error_line) pub_show_line("the new versions", b->p, b->len, m.error_line);
        return -1;
    }
    /* what a client will read is what we meant to write */
    for (i = 0; i < m.count; i++) {
        const upd_release *x = &m.releases[i];
        uint8_t d[32];
        if (strcmp(x->app, o->app) == 0 && strcmp(x->version, o->version) == 0 &&
            (x->from ? o->from && strcmp(x->from, o->from) == 0 : !o->from) && strcmp(x->url, o->file) == 0 &&
            x->size == size && upd_hex_decode(hex, d, 32) == UPD_OK && memcmp(d, x->sha256, 32) == 0)
            found++;
    }
    if (found != 1 || m.serial != pl->serial || (o->expires_days && (!m.has_expires || m.expires != o->expires_at))) {
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
}

/* Streams the archive from in (to out, if out >= 0), hashing it and reading
   it through the safe tar reader in list mode (names, links, types, gzip
   and tar structure checked; nothing written). name: for messages. */
static int pub_scan_fd(int in, int out, const char *name, const char *outname, pub_scan *s)
{
    static upd_untar x;
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

/* ---- options --------------------------------------------------------------- */
static int pub_options(int argc, char **argv, pub_opts *o)
{
    const char *why = "";
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
        else if (strcmp(a, "--from") == 0) o->from = v;
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
    if (o->from) {
        if (upd_version_parse(o->from, &o->from_ver, &why) != UPD_OK) { fail("--from '%s': %s", o->from, why); return EXIT_USAGE; }
        if (upd_version_compare(&o->from_ver, &o->ver) >= 0) {
            fail("--from %s is not lower than --version %s: an incremental package goes from an older version to a newer one",
                 o->from, o->version);
            return EXIT_USAGE;
        }
    }
    if (o->min) {
        if (upd_version_parse(o->min, &o->min_ver, &why) != UPD_OK) { fail("--min '%s': %s", o->min, why); return EXIT_USAGE; }
        if (upd_version_compare(&o->min_ver, &o->ver) >= 0) {
            fail("--min %s is not lower than --version %s: no installation could take the release", o->min, o->version);
            return EXIT_USAGE;
        }
        if (o->from && upd_version_compare(&o->min_ver, &o->from_ver) > 0) {
            fail("--min %s is above --from %s: the incremental package could never apply", o->min, o->from);
            return EXIT_USAGE;
        }
    }
    if (o->notes) {
        char tmp[UPDATER_MAX_URL + 1];
        if (upd_url_resolve("https://example.invalid/repo/versions", o->notes, tmp, sizeof tmp, &why) != UPD_OK) {
            fail("--notes '%s': %s (an http(s) URL, or one relative to the manifest)", o->notes, why);
            return EXIT_USAGE;
        }
    }
    if (o->from) snprintf(o->file, sizeof o->file, "%s-%s-to-%s.tar.gz", o->app, o->from, o->version);
    else snprintf(o->file, sizeof o->file, "%s-%s.tar.gz", o->app, o->version);
    if (strlen(o->file) > 255) { fail("the archive name %.60s... is longer than 255 bytes", o->file); return EXIT_USAGE; }
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
static int cmd_publish(int argc, char **argv)
{
    static pub_opts o;
    static upd_minisig sig;
    pub_plan plan;
    pub_scan scan;
    pub_buf text;
    upd_seckey sk;
    upd_pubkey pk;
    struct stat st;
    char vpath[4096], spath[4096], lpath[4096], apath[4096], atmp[4096], vtmp[4096], stmp[4096];
    char hex[65], tc[256], sigtext[UPDATER_MAX_MINISIG + 1], *ktext;
    uint8_t digest[64];
    size_t klen;
    upd_result r;
    int rc = 1, lockfd = -1, created = 0, reuse = 0, is_dir, fd;

    memset(&plan, 0, sizeof plan);
    memset(&text, 0, sizeof text);
    memset(&sk, 0, sizeof sk);
    atmp[0] = vtmp[0] = stmp[0] = 0;
    if ((rc = pub_options(argc, argv, &o)) != 0) return rc;
    rc = 1;

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
        pub_join(lpath, sizeof lpath, o.repo, PUB_LOCK_NAME) || pub_join(apath, sizeof apath, o.repo, o.file))
        goto done;
    if (is_dir && pub_inside(o.repo, o.src)) { /* packing SRC must not pick up the temporary archive */
        fail("%s is inside %s: pack a directory outside the repo", o.repo, o.src);
        goto done;
    }

    /* a first look, unlocked: refuse early what will be refused anyway */
    if (pub_plan_load(&plan, &o, &sk, vpath, spath, 0) != 0) goto done;
    if (pub_try(&plan, &o, 1, "0000000000000000000000000000000000000000000000000000000000000000", &text) != 0) goto done;
    free(plan.text);
    memset(&plan, 0, sizeof plan);

    /* the archive, into a temporary file in the repo, checked as it goes */
    if (snprintf(atmp, sizeof atmp, "%s.upd-XXXXXX", apath) >= (int)sizeof atmp) { fail("%s: name too long", apath); atmp[0] = 0; goto done; }
    if ((fd = mkstemp(atmp)) < 0) { fail("%s: %s", apath, strerror(errno)); atmp[0] = 0; goto done; }
    if (is_dir) {
        char abs[4096 + 16];
        close(fd);
        if (atmp[0] == '/') snprintf(abs, sizeof abs, "%s", atmp);
        else {
            char cwd[4096];
            if (!getcwd(cwd, sizeof cwd) || snprintf(abs, sizeof abs, "%s/%s", cwd, atmp) >= (int)sizeof abs) {
                fail("cannot make an absolute path for %s", atmp);
                goto done;
            }
        }
        if (pub_pack(o.src, abs) != 0) goto done;
        if ((fd = open(atmp, O_RDWR | O_NOFOLLOW | O_CLOEXEC)) < 0) { fail("%s: %s", atmp, strerror(errno)); goto done; }
        if (pub_scan_fd(fd, -1, o.src, atmp, &scan) != 0) { close(fd); goto done; }
    } else {
        int in = open(o.src, O_RDONLY | O_CLOEXEC);
        if (in < 0) { fail("%s: %s", o.src, strerror(errno)); close(fd); goto done; }
        if (pub_scan_fd(in, fd, o.src, atmp, &scan) != 0) { close(in); close(fd); goto done; }
        close(in);
    }
    if (fchmod(fd, 0644) != 0 || fsync(fd) != 0) { fail("%s: %s", atmp, strerror(errno)); close(fd); goto done; }
    if (close(fd) != 0) { fail("%s: %s", atmp, strerror(errno)); goto done; }
    if (scan.entries == 0) { fail("%s: the archive holds nothing; not published", o.src); goto done; }
    if (scan.del_type && scan.del_type != UPD_TAR_FILE) {
        fail("%s: .updater-delete is not a regular file; not published", o.src);
        goto done;
    }
    if (scan.del_type && pub_check_deletes(atmp, o.src) != 0) goto done;
    upd_hex_encode(scan.sha, 32, hex);

    /* under the lock: versions as it is now, the archive name, the new text */
    if ((lockfd = pub_lock(lpath)) < 0) goto done;
    if (pub_plan_load(&plan, &o, &sk, vpath, spath, 1) != 0) goto done;
    if (lstat(apath, &st) == 0) {
        uint8_t old[32];
        if (!S_ISREG(st.st_mode)) { fail("%s exists and is not a regular file", apath); goto done; }
        if ((uint64_t)st.st_size == scan.size && upd_sha256_file(apath, old) == UPD_OK && memcmp(old, scan.sha, 32) == 0)
            reuse = 1; /* the same bytes are there already */
        else if (!o.force) {
            fail("%s exists with different content; refusing to replace it (--force does)", apath);
            goto done;
        }
    } else if (errno != ENOENT) { fail("%s: %s", apath, strerror(errno)); goto done; }
    if (pub_try(&plan, &o, scan.size, hex, &text) != 0) goto done;

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

    /* into place: the archive first (nothing refers to it yet), then the
       manifest, then its signature */
    if (reuse) { unlink(atmp); atmp[0] = 0; }
    else if (rename(atmp, apath) != 0) { fail("%s: %s", apath, strerror(errno)); goto done; }
    else atmp[0] = 0;
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
    printf("published %s %s (%s, %llu bytes, sha256 %s), serial %llu\n", o.app, o.version, o.file,
           (unsigned long long)scan.size, hex, (unsigned long long)plan.serial);
    rc = 0;
done:
    if (atmp[0]) unlink(atmp);
    if (vtmp[0]) unlink(vtmp);
    if (stmp[0]) unlink(stmp);
    if (lockfd >= 0) {
        unlink(lpath); /* while holding the lock: a waiter rechecks the inode */
        close(lockfd);
    }
    if (created && rc != 0) rmdir(o.repo); /* only if still empty */
    free(plan.text);
    free(text.p);
    memset(&sk, 0, sizeof sk);
    return rc;
}
