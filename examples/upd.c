/* upd - the command-line face of updater.h, for scripts and for programs in
   any language. The command line is a stable contract (docs/upd.md):
   errors go to stderr as "upd: <message>"; exit 0 success, 1 failure,
   2 usage. */
#define UPDATER_IMPLEMENTATION
#include "../updater.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#define EXIT_USAGE 2

typedef struct cmd {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *args;
    const char *summary;
} cmd;

static int cmd_vercmp(int argc, char **argv);
static int cmd_sha256(int argc, char **argv);
static int cmd_manifest(int argc, char **argv);
static int cmd_gunzip(int argc, char **argv);
static int cmd_untar(int argc, char **argv);
static int cmd_keygen(int argc, char **argv);
static int cmd_sign(int argc, char **argv);
static int cmd_verify(int argc, char **argv);
static int cmd_fetch(int argc, char **argv);
static int cmd_check(int argc, char **argv);
static int cmd_update(int argc, char **argv);
static int cmd_tree(int argc, char **argv);
static int cmd_publish(int argc, char **argv);
static int cmd_serve(int argc, char **argv);
static int cmd_startup(int argc, char **argv);
static int cmd_good(int argc, char **argv);
static int cmd_diff(int argc, char **argv);
static int cmd_patch(int argc, char **argv);

static const cmd commands[] = {
    {"gunzip", cmd_gunzip, "[-o OUT] [--max-size N] [IN]",
     "decompress gzip data (several members decode as one) from IN or stdin\n"
     "                  to OUT or stdout; --max-size refuses more output than N bytes"},
    {"fetch", cmd_fetch, "[-o OUT] [--resume] [--max-size N] [--sha256 HEX] [--cacert F]\n"
     "                  [--timeout S] URL",
     "download URL (http, https when built with TLS, file) to OUT (through\n"
     "                  OUT.part, renamed when complete and checked) or stdout;\n"
     "                  --resume continues OUT.part; progress on a terminal"},
    {"untar", cmd_untar, "[-C DIR] [--list] [--skip-unsupported] [--keep-special] ARCHIVE",
     "extract a .tar or .tar.gz (told by magic; '-' is stdin) into DIR\n"
     "                  (default .), refusing anything that could escape it;\n"
     "                  --list checks and lists the entries without writing"},
    {"keygen", cmd_keygen, "-p PUB -s SEC [-f]",
     "make a minisign-compatible Ed25519 key pair (secret key unencrypted,\n"
     "                  mode 0600); -f overwrites existing files"},
    {"sign", cmd_sign, "-s SEC [-l] [-t COMMENT] [-x SIG] FILE",
     "sign FILE into FILE.minisig (or SIG), as minisign does: prehashed\n"
     "                  (BLAKE2b-512) unless -l (legacy); -t sets the trusted comment"},
    {"verify", cmd_verify, "-p PUB [-p PUB...] FILE [SIG]",
     "verify FILE against SIG (default FILE.minisig) with any of the public\n"
     "                  keys; prints the trusted comment"},
    {"vercmp", cmd_vercmp, "A B",
     "compare two versions by SemVer 2.0.0 precedence; prints -1, 0 or 1"},
    {"sha256", cmd_sha256, "[FILE...]",
     "SHA-256 of each FILE (stdin if none or '-'), in sha256sum's format"},
    {"manifest", cmd_manifest,
     "[--base URL] [--now UNIXTIME] [--app NAME --current V [--channel C]\n"
     "                  [--bucket N | --id INSTALLATION_ID]] FILE",
     "check a manifest (versions file), list its releases and, with --app\n"
     "                  and --current, show the release an installation would get"},
    {"check", cmd_check, "--app NAME --current V -p PUB [-p PUB...] [--channel C]\n"
     "                  [--state DIR] [--cacert F] [--timeout S] MANIFEST_URL [MIRROR...]",
     "fetch and verify the signed manifest; print 'update VERSION url=...\n"
     "                  size=... sha256=...' or 'up-to-date VERSION'"},
    {"update", cmd_update, "(--install DIR --exe PATH | --file PATH) --app NAME -p PUB\n"
     "                  [-p PUB...] [--current V] [--channel C] [--state DIR] [--cacert F]\n"
     "                  [--timeout S] [--max-unpacked BYTES] MANIFEST_URL [MIRROR...]",
     "update another program (external-updater mode) with the same engine:\n"
     "                  check, download (resumable), verify, stage, swap; the program\n"
     "                  runs on trial from its next start (see startup, good)"},
    {"startup", cmd_startup, "(--install DIR --exe PATH | --file PATH) [--state DIR] [--trials N]",
     "for programs updated by 'upd update': run at each start; finishes an\n"
     "                  interrupted swap, counts a trial start, rolls back after N\n"
     "                  (default 3); prints 'ok', 'trial V' or 'rolled-back V'"},
    {"good", cmd_good, "(--install DIR --exe PATH | --file PATH) [--state DIR]",
     "the program updated by 'upd update' works: end its trial"},
    {"tree", cmd_tree, "[--hash] DIR|ARCHIVE",
     "print the tree listing of a release (a directory, or a .tar.gz as it\n"
     "                  would extract) as the client checks it; --hash prints only\n"
     "                  its SHA-256, the manifest's tree= value"},
    {"publish", cmd_publish, "--repo DIR --app NAME --version V -s SEC [--from OLD]...\n"
     "                  [--prebuilt] [--channel C] [--rollout N] [--min V] [--critical]\n"
     "                  [--notes URL] [--expires DAYS] [--force] SRC",
     "add a release (SRC: a .tar.gz, or a directory packed with tar czf) to\n"
     "                  the repo DIR: copies it, adds its line to DIR/versions with\n"
     "                  size, SHA-256 and tree=, bumps @serial and signs versions;\n"
     "                  each --from OLD (a version in the repo, V=PATH or PATH: the\n"
     "                  old release's .tar.gz or directory) adds the incremental\n"
     "                  package from it; --prebuilt: SRC is one, from --from V"},
    {"diff", cmd_diff, "[--zopfli] OLD NEW PATCH",
     "make a binary patch (UPDDIFF1) that turns OLD into NEW; --zopfli\n"
     "                  compresses it with zopfli (smaller, much slower) instead of gzip -9"},
    {"patch", cmd_patch, "OLD PATCH NEW",
     "apply a binary patch made by 'upd diff' to OLD, writing NEW (with\n"
     "                  OLD's mode) only if the result checks out"},
    {"serve", cmd_serve, "[-p PORT] [-b ADDR] [--port-file F] DIR",
     "serve DIR as static files over HTTP/1.1 (GET/HEAD, Range, ETag):\n"
     "                  for demos and LAN prototypes, not production (there: nginx\n"
     "                  or any static host or CDN)"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void fail(const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
static void fail(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs("upd: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void usage_of(FILE *f, const cmd *c)
{
    fprintf(f, "usage: upd %s %s\n", c->name, c->args);
}

static void help(FILE *f)
{
    size_t i;
    fprintf(f, "upd %s - update programs safely (updater.h)\n\n"
               "usage: upd <command> [options] [arguments]\n\n"
               "commands:\n", upd_version_string());
    for (i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-14s  %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n  upd help COMMAND, upd COMMAND --help   usage of one command\n"
               "  upd --version                          print the version\n\n"
               "exit status: 0 success, 1 failure, 2 usage error\n");
}

/* the usage line of the command named name, to stderr */
static void usage_for(const char *name)
{
    size_t i;
    for (i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0) usage_of(stderr, &commands[i]);
}

static int wants_help(int argc, char **argv)
{
    int i;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) return 0;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return 1;
    }
    return 0;
}

/* ---- vercmp ---------------------------------------------------------- */
static int cmd_vercmp(int argc, char **argv)
{
    upd_version a, b;
    const char *why = "";
    int i;
    if (argc != 3) { usage_for(argv[0]); return EXIT_USAGE; }
    for (i = 1; i <= 2; i++)
        if (upd_version_parse(argv[i], i == 1 ? &a : &b, &why) != UPD_OK) {
            fail("invalid version '%s': %s", argv[i], why);
            return 1;
        }
    printf("%d\n", upd_version_compare(&a, &b));
    return 0;
}

/* ---- sha256 ------------------------------------------------------------- */
/* sha256sum's format: "<hex>  <name>"; a name holding '\', LF or CR is
   written escaped, and the line then starts with '\'. */
static void print_sum(const uint8_t d[32], const char *name)
{
    char hex[65];
    const char *p;
    int esc = strpbrk(name, "\\\n\r") != NULL;
    upd_hex_encode(d, 32, hex);
    printf("%s%s  ", esc ? "\\" : "", hex);
    for (p = name; *p; p++) {
        if (esc && *p == '\\') fputs("\\\\", stdout);
        else if (esc && *p == '\n') fputs("\\n", stdout);
        else if (esc && *p == '\r') fputs("\\r", stdout);
        else putchar(*p);
    }
    putchar('\n');
}

static int sha256_stdin(uint8_t d[32])
{
    uint8_t buf[16384];
    upd_sha256_ctx c;
    upd_sha256_init(&c);
    for (;;) {
        ssize_t n = read(0, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        if (n == 0) break;
        upd_sha256_update(&c, buf, (size_t)n);
    }
    upd_sha256_final(&c, d);
    return 0;
}

static int cmd_sha256(int argc, char **argv)
{
    int i, rc = 0, first = 1;
    uint8_t d[32];
    if (argc > 1 && strcmp(argv[1], "--") == 0) first = 2;
    else if (argc > 1 && argv[1][0] == '-' && argv[1][1] != '\0') {
        fail("unknown option '%s'", argv[1]);
        usage_for(argv[0]);
        return EXIT_USAGE;
    }
    if (first >= argc) {
        if (sha256_stdin(d) != 0) { fail("-: %s", strerror(errno)); return 1; }
        print_sum(d, "-");
        return 0;
    }
    for (i = first; i < argc; i++) {
        if (strcmp(argv[i], "-") == 0) {
            if (sha256_stdin(d) != 0) { fail("-: %s", strerror(errno)); rc = 1; continue; }
        } else if (upd_sha256_file(argv[i], d) != UPD_OK) {
            fail("%s: %s", argv[i], strerror(errno));
            rc = 1;
            continue;
        }
        print_sum(d, argv[i]);
    }
    return rc;
}

/* ---- manifest ----------------------------------------------------------- */
static char *read_all(const char *path, size_t max, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    char *buf;
    size_t n = 0, cap = 65536;
    if (!f) return NULL;
    buf = (char *)malloc(cap);
    while (buf) {
        size_t got;
        if (n == cap) {
            char *nb = n > max ? NULL : (char *)realloc(buf, cap * 2);
            if (!nb) break;
            buf = nb; cap *= 2;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0 || n > max) break;
    }
    if (buf && ferror(f)) { free(buf); buf = NULL; }
    if (f != stdin) fclose(f);
    if (buf && n > max) { free(buf); errno = EFBIG; return NULL; }
    *len = n;
    return buf;
}

static void print_release(const upd_release *r, const char *prefix)
{
    char hex[65];
    upd_hex_encode(r->sha256, 32, hex);
    printf("%s%s %s channel=%s size=%llu sha256=%s url=%s", prefix, r->app, r->version,
           r->channel, (unsigned long long)r->size, hex, r->url);
    if (r->from) printf(" from=%s", r->from);
    if (r->min) printf(" min=%s", r->min);
    if (r->rollout != 100) printf(" rollout=%d", r->rollout);
    if (r->notes) printf(" notes=%s", r->notes);
    if (r->critical) printf(" critical=1");
    printf(" line=%u\n", r->line);
}

static int parse_int(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    long long v;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return 0;
    *out = v;
    return 1;
}

static int cmd_manifest(int argc, char **argv)
{
    const char *base = NULL, *file = NULL, *id = NULL, *why;
    upd_manifest m;
    upd_query q;
    upd_choice c;
    long long now = (long long)time(NULL), bucket = -1;
    char *text;
    size_t len = 0, i;
    int k, rc = 0;
    upd_result r;
    memset(&m, 0, sizeof m);
    memset(&q, 0, sizeof q);
    for (k = 1; k < argc; k++) {
        const char *a = argv[k], *val = NULL;
        if (strcmp(a, "--") == 0) { k++; break; }
        if (a[0] != '-' || a[1] == '\0') break;
        if (k + 1 >= argc) { fail("option '%s' needs a value", a); return EXIT_USAGE; }
        val = argv[++k];
        if (strcmp(a, "--base") == 0) base = val;
        else if (strcmp(a, "--app") == 0) q.app = val;
        else if (strcmp(a, "--current") == 0) q.current = val;
        else if (strcmp(a, "--channel") == 0) q.channel = val;
        else if (strcmp(a, "--id") == 0) id = val;
        else if (strcmp(a, "--bucket") == 0) {
            if (!parse_int(val, 0, 99, &bucket)) { fail("--bucket must be 0..99"); return EXIT_USAGE; }
        } else if (strcmp(a, "--now") == 0) {
            if (!parse_int(val, 0, INT64_MAX, &now)) { fail("--now must be seconds since 1970"); return EXIT_USAGE; }
        } else { fail("unknown option '%s'", a); usage_for(argv[0]); return EXIT_USAGE; }
    }
    if (k != argc - 1 || (q.app == NULL) != (q.current == NULL) || (id && bucket >= 0)) {
        usage_for(argv[0]);
        return EXIT_USAGE;
    }
    file = argv[k];
    text = read_all(file, UPDATER_MAX_MANIFEST_BYTES, &len);
    if (!text) {
        fail("%s: %s", file, errno == EFBIG ? "manifest larger than the limit" : strerror(errno));
        return 1;
    }
    r = upd_manifest_parse(&m, text, len, base);
    if (r != UPD_OK) {
        fail("%s: %s", file, m.error[0] ? m.error : upd_strerror(r));
        free(text);
        return 1;
    }
    if (upd_manifest_check_time(&m, now) != UPD_OK) {
        time_t t = (time_t)m.expires;
        char when[32];
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
        fail("%s: manifest expired at %s", file, when);
        upd_manifest_free(&m);
        free(text);
        return 1;
    }
    printf("serial %llu\n", (unsigned long long)m.serial);
    if (m.has_expires) {
        time_t t = (time_t)m.expires;
        char when[32];
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
        printf("expires %s\n", when);
    }
    if (!q.app) {
        for (i = 0; i < m.count; i++) print_release(&m.releases[i], "");
    } else {
        q.bucket = id ? upd_rollout_bucket(id) : (bucket >= 0 ? (int)bucket : 0);
        r = upd_manifest_select(&m, &q, &c);
        if (r == UPD_NO_UPDATE) printf("no update\n");
        else if (r == UPD_OK) {
            printf("update %s %s%s\n", q.app, c.version, c.critical ? " critical" : "");
            if (c.delta) print_release(c.delta, "delta ");
            if (c.full) print_release(c.full, "full ");
        } else {
            why = r == UPD_E_VERSION ? "invalid --current version" : upd_strerror(r);
            fail("%s", why);
            rc = 1;
        }
    }
    upd_manifest_free(&m);
    free(text);
    return rc;
}

/* ---- gunzip ------------------------------------------------------------- */
static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        p += k; n -= (size_t)k;
    }
    return 0;
}

static int cmd_gunzip(int argc, char **argv)
{
    static upd_gunzip z;
    static uint8_t inbuf[65536], outbuf[65536];
    const char *inpath = NULL, *outpath = NULL, *tmppath = NULL;
    char tmpname[4096];
    long long maxsize = 0;
    int k, infd = 0, outfd = 1, eof = 0, rc = 1;
    size_t have = 0, pos = 0;
    for (k = 1; k < argc; k++) {
        if (strcmp(argv[k], "-o") == 0 && k + 1 < argc) outpath = argv[++k];
        else if (strcmp(argv[k], "--max-size") == 0 && k + 1 < argc) {
            if (!parse_int(argv[++k], 1, INT64_MAX, &maxsize)) { fail("--max-size must be a positive number of bytes"); return EXIT_USAGE; }
        } else if (strcmp(argv[k], "--") == 0 && k + 2 == argc) { inpath = argv[++k]; }
        else if (argv[k][0] == '-' && argv[k][1] != '\0') { fail("unknown option '%s'", argv[k]); usage_for(argv[0]); return EXIT_USAGE; }
        else if (!inpath) inpath = argv[k];
        else { usage_for(argv[0]); return EXIT_USAGE; }
    }
    if (inpath && strcmp(inpath, "-") != 0 && (infd = open(inpath, O_RDONLY | O_CLOEXEC)) < 0) {
        fail("%s: %s", inpath, strerror(errno));
        return 1;
    }
    if (outpath && strcmp(outpath, "-") != 0) {
        /* write beside OUT and rename on success: a corrupt stream never
           leaves a half-written OUT behind */
        if (snprintf(tmpname, sizeof tmpname, "%s.upd-XXXXXX", outpath) >= (int)sizeof tmpname) {
            fail("%s: name too long", outpath);
            goto done;
        }
        if ((outfd = mkstemp(tmpname)) < 0) { fail("%s: %s", outpath, strerror(errno)); goto done; }
        tmppath = tmpname;
    }
    upd_gunzip_init(&z, (uint64_t)maxsize);
    for (;;) {
        size_t in_len, out_len = sizeof outbuf;
        upd_result r;
        if (pos == have && !eof) {
            ssize_t n = read(infd, inbuf, sizeof inbuf);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) { fail("%s: %s", inpath ? inpath : "-", strerror(errno)); goto done; }
            if (n == 0) eof = 1;
            have = (size_t)n; pos = 0;
        }
        in_len = have - pos;
        r = upd_gunzip_run(&z, inbuf + pos, &in_len, outbuf, &out_len, eof);
        pos += in_len;
        if (out_len && write_all(outfd, outbuf, out_len) != 0) {
            fail("%s: %s", outpath ? outpath : "-", strerror(errno));
            goto done;
        }
        if (r == UPD_OK) break;
        if (r < 0) {
            if (r == UPD_E_TOOBIG)
                fail("%s: output exceeds --max-size %lld bytes", inpath ? inpath : "-", maxsize);
            else
                fail("%s: %s (at input byte %llu)", inpath ? inpath : "-", upd_strerror(r),
                     (unsigned long long)z.total_in);
            goto done;
        }
    }
    if (tmppath) {
        if (fsync(outfd) != 0 || close(outfd) != 0) { outfd = -1; fail("%s: %s", outpath, strerror(errno)); goto done; }
        outfd = -1;
        if (rename(tmppath, outpath) != 0) { fail("%s: %s", outpath, strerror(errno)); goto done; }
        tmppath = NULL;
    }
    rc = 0;
done:
    if (tmppath) { if (outfd >= 0) close(outfd); unlink(tmppath); }
    if (infd > 0) close(infd);
    return rc;
}

/* ---- untar -------------------------------------------------------------- */
/* a name from an archive, with control bytes and backslashes escaped
   (\ooo, \\), so that a name cannot forge lines or terminal sequences */
static void put_name(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\\') fputs("\\\\", stdout);
        else if (c < 0x20 || c == 0x7f) printf("\\%03o", c);
        else putchar(c);
    }
}

static void list_entry(void *user, const upd_tar_entry *e)
{
    (void)user;
    printf("%c %04o %llu ", e->type == UPD_TAR_DIR ? 'd' : e->type == UPD_TAR_SYMLINK ? 'l' :
           e->type == UPD_TAR_HARDLINK ? 'h' : 'f', (unsigned)e->mode, (unsigned long long)e->size);
    put_name(e->path);
    if (e->type == UPD_TAR_SYMLINK) { fputs(" -> ", stdout); put_name(e->linkpath); }
    if (e->type == UPD_TAR_HARDLINK) { fputs(" => ", stdout); put_name(e->linkpath); }
    putchar('\n');
}

static void skipped(void *user, const upd_tar_entry *e, int typeflag)
{
    (void)user;
    fputs("upd: warning: '", stderr);
    fflush(stdout);
    { const char *s; for (s = e->path; *s; s++) fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, stderr); }
    fprintf(stderr, "': skipped entry of type '%c'\n", typeflag >= 32 && typeflag < 127 ? typeflag : '?');
}

static int cmd_untar(int argc, char **argv)
{
    static upd_untar x;
    static uint8_t buf[65536];
    const char *dir = ".", *archive = NULL;
    unsigned flags = 0;
    upd_result r;
    int k, fd = 0;
    for (k = 1; k < argc; k++) {
        if (strcmp(argv[k], "-C") == 0 && k + 1 < argc) dir = argv[++k];
        else if (strcmp(argv[k], "--list") == 0) flags |= UPD_UNTAR_LIST;
        else if (strcmp(argv[k], "--skip-unsupported") == 0) flags |= UPD_TAR_SKIP_UNSUPPORTED;
        else if (strcmp(argv[k], "--keep-special") == 0) flags |= UPD_UNTAR_KEEP_SPECIAL;
        else if (strcmp(argv[k], "--") == 0 && k + 2 == argc) archive = argv[++k];
        else if (argv[k][0] == '-' && argv[k][1] != '\0') { fail("unknown option '%s'", argv[k]); usage_for(argv[0]); return EXIT_USAGE; }
        else if (!archive) archive = argv[k];
        else { usage_for(argv[0]); return EXIT_USAGE; }
    }
    if (!archive) { usage_for(argv[0]); return EXIT_USAGE; }
    if (strcmp(archive, "-") != 0 && (fd = open(archive, O_RDONLY | O_CLOEXEC)) < 0) {
        fail("%s: %s", archive, strerror(errno));
        return 1;
    }
    if ((r = upd_untar_open(&x, dir, flags)) == UPD_OK) {
        if (flags & UPD_UNTAR_LIST) x.on_entry = list_entry;
        x._tar.on_skip = skipped;
        for (;;) {
            ssize_t n = read(fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) { fail("%s: %s", archive, strerror(errno)); r = UPD_E_IO; x.error[0] = 0; break; }
            if (n == 0) { r = upd_untar_finish(&x); break; }
            if ((r = upd_untar_feed(&x, buf, (size_t)n)) != UPD_OK) break;
        }
    }
    if (r != UPD_OK && x.error[0]) fail("%s: %s", archive, x.error);
    upd_untar_close(&x);
    if (fd > 0) close(fd);
    return r == UPD_OK ? 0 : 1;
}

/* ---- keygen, sign, verify ----------------------------------------------- */
/* Reads a whole (small) file; NULL with a message on failure. */
static char *read_small(const char *path, size_t max, size_t *len)
{
    char *buf = (char *)malloc(max + 1);
    size_t n = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (!buf) { fail("out of memory"); if (fd >= 0) close(fd); return NULL; }
    if (fd < 0) { fail("%s: %s", path, strerror(errno)); free(buf); return NULL; }
    for (;;) {
        ssize_t k = read(fd, buf + n, max + 1 - n);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) { fail("%s: %s", path, strerror(errno)); break; }
        n += (size_t)k;
        if (k == 0 || n > max) break;
    }
    close(fd);
    if (n > max) { fail("%s: larger than %zu bytes", path, max); free(buf); return NULL; }
    buf[n] = 0;
    *len = n;
    return buf;
}

/* Writes data to path through a temporary file and a rename; excl refuses
   an existing path. */
static int write_file(const char *path, const char *data, size_t len, int mode, int excl)
{
    char tmp[4096];
    int fd;
    if (excl && access(path, F_OK) == 0) { fail("%s: exists (use -f to overwrite)", path); return -1; }
    if (snprintf(tmp, sizeof tmp, "%s.upd-XXXXXX", path) >= (int)sizeof tmp) { fail("%s: name too long", path); return -1; }
    if ((fd = mkstemp(tmp)) < 0) { fail("%s: %s", path, strerror(errno)); return -1; }
    if (fchmod(fd, (mode_t)mode) != 0 || write_all(fd, (const uint8_t *)data, len) != 0 || fsync(fd) != 0) {
        fail("%s: %s", path, strerror(errno));
        close(fd); unlink(tmp);
        return -1;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) { fail("%s: %s", path, strerror(errno)); unlink(tmp); return -1; }
    return 0;
}

static int cmd_keygen(int argc, char **argv)
{
    const char *pub = NULL, *sec = NULL;
    char ptext[256], stext[512];
    upd_pubkey pk;
    upd_seckey sk;
    upd_result r;
    int k, force = 0, rc = 1;
    for (k = 1; k < argc; k++) {
        if (strcmp(argv[k], "-p") == 0 && k + 1 < argc) pub = argv[++k];
        else if (strcmp(argv[k], "-s") == 0 && k + 1 < argc) sec = argv[++k];
        else if (strcmp(argv[k], "-f") == 0) force = 1;
        else { usage_for(argv[0]); return EXIT_USAGE; }
    }
    if (!pub || !sec) { usage_for(argv[0]); return EXIT_USAGE; }
    if (strcmp(pub, sec) == 0) { fail("the public and secret key files must differ"); return EXIT_USAGE; }
    if (!force) { /* refuse before writing either file */
        if (access(sec, F_OK) == 0) { fail("%s: exists (use -f to overwrite)", sec); return 1; }
        if (access(pub, F_OK) == 0) { fail("%s: exists (use -f to overwrite)", pub); return 1; }
    }
    if ((r = upd_minisign_keygen(&pk, &sk)) != UPD_OK) { fail("%s", upd_strerror(r)); return 1; }
    if (upd_pubkey_format(&pk, ptext, sizeof ptext) == UPD_OK && upd_seckey_format(&sk, stext, sizeof stext) == UPD_OK &&
        write_file(sec, stext, strlen(stext), 0600, !force) == 0 && write_file(pub, ptext, strlen(ptext), 0644, !force) == 0)
        rc = 0;
    memset(&sk, 0, sizeof sk);
    memset(stext, 0, sizeof stext);
    return rc;
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

static int cmd_sign(int argc, char **argv)
{
    const char *sec = NULL, *file = NULL, *sigpath = NULL, *comment = NULL;
    char *text, sigpath_buf[4096], tc[UPDATER_MAX_MINISIG], out[UPDATER_MAX_MINISIG + 1];
    uint8_t *msg = NULL, digest[64];
    size_t len, mlen = 0;
    upd_seckey sk;
    upd_result r;
    int k, legacy = 0, rc = 1, fd;
    for (k = 1; k < argc; k++) {
        if (strcmp(argv[k], "-s") == 0 && k + 1 < argc) sec = argv[++k];
        else if (strcmp(argv[k], "-x") == 0 && k + 1 < argc) sigpath = argv[++k];
        else if (strcmp(argv[k], "-t") == 0 && k + 1 < argc) comment = argv[++k];
        else if (strcmp(argv[k], "-l") == 0) legacy = 1;
        else if (argv[k][0] == '-' && argv[k][1] != '\0') { fail("unknown option '%s'", argv[k]); usage_for(argv[0]); return EXIT_USAGE; }
        else if (!file) file = argv[k];
        else { usage_for(argv[0]); return EXIT_USAGE; }
    }
    if (!sec || !file) { usage_for(argv[0]); return EXIT_USAGE; }
    if (!sigpath) {
        if (snprintf(sigpath_buf, sizeof sigpath_buf, "%s.minisig", file) >= (int)sizeof sigpath_buf) { fail("%s: name too long", file); return 1; }
        sigpath = sigpath_buf;
    }
    if (!(text = read_small(sec, 1024, &len))) return 1;
    r = upd_seckey_parse(&sk, text, len);
    memset(text, 0, len);
    free(text);
    if (r != UPD_OK) {
        fail("%s: %s%s", sec, upd_strerror(r), r == UPD_E_KEY_ENCRYPTED ? "; sign with minisign -S, or make keys with minisign -G -W or upd keygen" : "");
        return 1;
    }
    if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0) { fail("%s: %s", file, strerror(errno)); goto done; }
    {   /* prehashed: BLAKE2b-512 streamed; legacy: the file itself, in memory */
        static uint8_t buf[65536];
        upd_blake2b_ctx b;
        size_t cap = 0;
        upd_blake2b_init(&b, 64);
        for (;;) {
            ssize_t n = read(fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) { fail("%s: %s", file, strerror(errno)); close(fd); goto done; }
            if (n == 0) break;
            if (legacy) {
                if (mlen + (size_t)n > cap) {
                    uint8_t *m;
                    cap = (mlen + (size_t)n) * 2;
                    if (!(m = (uint8_t *)realloc(msg, cap))) { fail("out of memory"); close(fd); goto done; }
                    msg = m;
                }
                memcpy(msg + mlen, buf, (size_t)n);
                mlen += (size_t)n;
            } else upd_blake2b_update(&b, buf, (size_t)n);
        }
        close(fd);
        upd_blake2b_final(&b, digest);
    }
    if (comment && strlen(comment) >= sizeof tc - 300) { /* the whole file must stay under UPDATER_MAX_MINISIG */
        fail("the trusted comment is too long (at most %zu bytes)", sizeof tc - 301);
        goto done;
    }
    if (comment) snprintf(tc, sizeof tc, "%s", comment);
    else snprintf(tc, sizeof tc, "timestamp:%lld\tfile:%s%s", (long long)time(NULL), base_name(file), legacy ? "" : "\thashed");
    if ((r = upd_minisig_sign(&sk, !legacy, legacy ? (const void *)msg : (const void *)digest, legacy ? mlen : 64, tc, out, sizeof out)) != UPD_OK) {
        fail("%s", r == UPD_E_SIG_FORMAT ? "the trusted comment must be printable UTF-8" : upd_strerror(r));
        goto done;
    }
    if (write_file(sigpath, out, strlen(out), 0644, 0) == 0) rc = 0;
done:
    memset(&sk, 0, sizeof sk);
    free(msg);
    return rc;
}

static int cmd_verify(int argc, char **argv)
{
    static upd_pubkey keys[16];
    static upd_minisig sig;
    const char *file = NULL, *sigpath = NULL;
    char sigpath_buf[4096], *text;
    size_t nkeys = 0, len;
    upd_minisig_verifier v;
    upd_result r;
    int k, fd;
    for (k = 1; k < argc; k++) {
        if (strcmp(argv[k], "-p") == 0 && k + 1 < argc) {
            const char *pub = argv[++k];
            if (nkeys == sizeof keys / sizeof keys[0]) { fail("at most 16 public keys"); return EXIT_USAGE; }
            if (!(text = read_small(pub, 1024, &len))) return 1;
            r = upd_pubkey_parse(&keys[nkeys++], text, len);
            free(text);
            if (r != UPD_OK) { fail("%s: not a minisign public key: %s", pub, upd_strerror(r)); return 1; }
        } else if (argv[k][0] == '-' && argv[k][1] != '\0') { fail("unknown option '%s'", argv[k]); usage_for(argv[0]); return EXIT_USAGE; }
        else if (!file) file = argv[k];
        else if (!sigpath) sigpath = argv[k];
        else { usage_for(argv[0]); return EXIT_USAGE; }
    }
    if (!file || nkeys == 0) { usage_for(argv[0]); return EXIT_USAGE; }
    if (!sigpath) {
        if (snprintf(sigpath_buf, sizeof sigpath_buf, "%s.minisig", file) >= (int)sizeof sigpath_buf) { fail("%s: name too long", file); return 1; }
        sigpath = sigpath_buf;
    }
    if (!(text = read_small(sigpath, UPDATER_MAX_MINISIG, &len))) return 1;
    r = upd_minisig_parse(&sig, text, len);
    free(text);
    if (r != UPD_OK) { fail("%s: %s", sigpath, upd_strerror(r)); return 1; }
    if ((r = upd_minisig_verify_init(&v, &sig, keys, nkeys)) != UPD_OK) { fail("%s: %s", sigpath, upd_strerror(r)); return 1; }
    if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0) { fail("%s: %s", file, strerror(errno)); return 1; }
    for (;;) {
        static uint8_t buf[65536];
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) { fail("%s: %s", file, strerror(errno)); close(fd); return 1; }
        if (n == 0) break;
        upd_minisig_verify_update(&v, buf, (size_t)n);
    }
    close(fd);
    if ((r = upd_minisig_verify_final(&v)) != UPD_OK) { fail("%s: %s", file, upd_strerror(r)); return 1; }
    printf("trusted comment: %s\n", sig.trusted);
    return 0;
}

/* ---- fetch -------------------------------------------------------------- */
typedef struct fetch_sink {
    int fd;
    int tty;
    const char *path;
    uint64_t base;            /* bytes already in the file when resuming */
    time_t last;
} fetch_sink;

static upd_result fetch_start(void *user, const upd_http_result *r)
{
    fetch_sink *f = (fetch_sink *)user;
    if (!r->resumed && f->base > 0) { /* the server sends it all again: start over */
        if (ftruncate(f->fd, 0) != 0 || lseek(f->fd, 0, SEEK_SET) != 0) return UPD_E_IO;
        f->base = 0;
    }
    return UPD_OK;
}

static upd_result fetch_body(void *user, const uint8_t *data, size_t len)
{
    fetch_sink *f = (fetch_sink *)user;
    return write_all(f->fd, data, len) == 0 ? UPD_OK : UPD_E_IO;
}

static upd_result fetch_progress(void *user, uint64_t done, uint64_t total)
{
    fetch_sink *f = (fetch_sink *)user;
    time_t now;
    if (!f->tty || (now = time(NULL)) == f->last) return UPD_OK;
    f->last = now;
    done += f->base;
    if (total != UINT64_MAX) {
        total += f->base;
        fprintf(stderr, "\r  %3d%%  %.1f / %.1f MB ", total ? (int)(done * 100 / total) : 100, (double)done / 1e6, (double)total / 1e6);
    } else fprintf(stderr, "\r  %.1f MB ", (double)done / 1e6);
    return UPD_OK;
}

static int cmd_fetch(int argc, char **argv)
{
    static upd_http_result res;
    const char *out = NULL, *url = NULL, *sha = NULL;
    char part[4096];
    upd_http_opts o;
    fetch_sink f;
    upd_result r;
    long long maxsize = 0, timeout = 0;
    int k, resume = 0, rc = 1;
    uint8_t want[32];
    memset(&o, 0, sizeof o);
    memset(&f, 0, sizeof f);
    for (k = 1; k < argc; k++) {
        if (strcmp(argv[k], "-o") == 0 && k + 1 < argc) out = argv[++k];
        else if (strcmp(argv[k], "--resume") == 0) resume = 1;
        else if (strcmp(argv[k], "--max-size") == 0 && k + 1 < argc) {
            if (!parse_int(argv[++k], 1, INT64_MAX, &maxsize)) { fail("--max-size must be a positive number of bytes"); return EXIT_USAGE; }
        } else if (strcmp(argv[k], "--timeout") == 0 && k + 1 < argc) {
            if (!parse_int(argv[++k], 1, 86400, &timeout)) { fail("--timeout must be 1..86400 seconds"); return EXIT_USAGE; }
        } else if (strcmp(argv[k], "--sha256") == 0 && k + 1 < argc) {
            sha = argv[++k];
            if (strlen(sha) != 64 || upd_hex_decode(sha, want, 32) != UPD_OK) { fail("--sha256 needs 64 hex digits"); return EXIT_USAGE; }
        } else if (strcmp(argv[k], "--cacert") == 0 && k + 1 < argc) o.cacert = argv[++k];
        else if (argv[k][0] == '-' && argv[k][1] != '\0') { fail("unknown option '%s'", argv[k]); usage_for(argv[0]); return EXIT_USAGE; }
        else if (!url) url = argv[k];
        else { usage_for(argv[0]); return EXIT_USAGE; }
    }
    if (!url || ((resume || sha) && !out)) {
        if (url) fail("--resume and --sha256 need -o OUT");
        usage_for(argv[0]);
        return EXIT_USAGE;
    }
    f.fd = 1;
    f.tty = isatty(2);
    if (out) {
        struct stat st;
        if (snprintf(part, sizeof part, "%s.part", out) >= (int)sizeof part) { fail("%s: name too long", out); return 1; }
        f.fd = open(part, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (resume ? 0 : O_TRUNC), 0644);
        if (f.fd < 0 || fstat(f.fd, &st) != 0) { fail("%s: %s", part, strerror(errno)); return 1; }
        if (resume && st.st_size > 0) {
            f.base = (uint64_t)st.st_size;
            o.range_from = f.base;
            if (lseek(f.fd, 0, SEEK_END) < 0) { fail("%s: %s", part, strerror(errno)); close(f.fd); return 1; }
        }
        f.path = part;
    }
    o.max_body = (uint64_t)maxsize;
    if (maxsize && f.base >= (uint64_t)maxsize) o.max_body = 1; /* nothing more may come */
    else if (maxsize) o.max_body = (uint64_t)maxsize - f.base;
    o.io_timeout_ms = timeout ? (int)timeout * 1000 : 0;
    o.connect_timeout_ms = timeout ? (int)timeout * 1000 : 0;
    o.low_speed_bytes = 1;  /* a stalled transfer fails in a minute */
    o.low_speed_secs = 60;
    o.on_start = fetch_start;
    o.on_body = fetch_body;
    o.on_progress = fetch_progress;
    o.user = &f;
    r = upd_http_get(url, &o, &res);
    if (r == UPD_E_HTTP_STATUS && res.status == 416 && f.base > 0) {
        /* the partial file is not a prefix of what is there now: start over */
        if (ftruncate(f.fd, 0) != 0 || lseek(f.fd, 0, SEEK_SET) != 0) { fail("%s: %s", part, strerror(errno)); goto done; }
        f.base = 0;
        o.range_from = 0;
        o.max_body = (uint64_t)maxsize;
        r = upd_http_get(url, &o, &res);
    }
    if (f.tty && res.received) fputc('\n', stderr);
    if (r != UPD_OK) { fail("%s", res.error[0] ? res.error : upd_strerror(r)); goto done; }
    if (out) {
        if (fsync(f.fd) != 0) { fail("%s: %s", part, strerror(errno)); goto done; }
        if (sha) {
            uint8_t got[32];
            if (upd_sha256_file(part, got) != UPD_OK) { fail("%s: cannot read it back", part); goto done; }
            if (memcmp(got, want, 32) != 0) {
                char hex[65];
                upd_hex_encode(got, 32, hex);
                fail("%s: SHA-256 is %s, not %s; the partial file is removed", url, hex, sha);
                unlink(part);
                goto done;
            }
        }
        if (rename(part, out) != 0) { fail("%s: %s", out, strerror(errno)); goto done; }
    }
    rc = 0;
done:
    if (out) close(f.fd);
    return rc;
}

#include "upd_client.c"
#include "upd_tree.c"
#include "upd_diff.c"
#include "upd_publish.c"
#include "upd_serve.c"

/* ---- main --------------------------------------------------------------- */
int main(int argc, char **argv)
{
    size_t i;
    if (argc < 2) { help(stderr); return EXIT_USAGE; }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) { help(stdout); return 0; }
    if (strcmp(argv[1], "--version") == 0) { printf("upd %s\n", upd_version_string()); return 0; }
    if (strcmp(argv[1], "help") == 0) {
        if (argc == 2) { help(stdout); return 0; }
        for (i = 0; i < NCOMMANDS; i++)
            if (strcmp(argv[2], commands[i].name) == 0) {
                usage_of(stdout, &commands[i]);
                printf("\n  %s\n", commands[i].summary);
                return 0;
            }
        fail("unknown command '%s' (see upd --help)", argv[2]);
        return EXIT_USAGE;
    }
    for (i = 0; i < NCOMMANDS; i++)
        if (strcmp(argv[1], commands[i].name) == 0) {
            if (wants_help(argc - 1, argv + 1)) {
                usage_of(stdout, &commands[i]);
                printf("\n  %s\n", commands[i].summary);
                return 0;
            }
            return commands[i].run(argc - 1, argv + 1);
        }
    fail("unknown command '%s' (see upd --help)", argv[1]);
    return EXIT_USAGE;
}
