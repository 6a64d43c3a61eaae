/* upd check, upd update, upd startup, upd good: the client of updater.h
   section 12 for programs in any language (external-updater mode).
   Included by upd.c. */

#define MAX_KEYS 16

typedef struct client_args {
    const char *install, *file, *exe, *app, *current, *channel, *state, *cacert;
    const char *urls[17];
    char *keys[MAX_KEYS + 1];
    int nurls, nkeys, yes, trials;
    long timeout;
    unsigned long long max_unpacked;
} client_args;

static void free_keys(client_args *a)
{
    int i;
    for (i = 0; i < a->nkeys; i++) free(a->keys[i]);
    a->nkeys = 0;
}

/* Parses the options the client commands share; EXIT_USAGE or 0. */
static int client_options(int argc, char **argv, client_args *a)
{
    int k;
    memset(a, 0, sizeof *a);
    for (k = 1; k < argc; k++) {
        const char *o = argv[k];
        const char **dst = NULL;
        if (strcmp(o, "--yes") == 0 || strcmp(o, "-y") == 0) { a->yes = 1; continue; }
        if (strcmp(o, "--") == 0) { k++; break; }
        if (o[0] != '-' || o[1] == 0) break;
        if (k + 1 >= argc) { fail("%s needs a value", o); return EXIT_USAGE; }
        if (strcmp(o, "--install") == 0) dst = &a->install;
        else if (strcmp(o, "--file") == 0) dst = &a->file;
        else if (strcmp(o, "--exe") == 0) dst = &a->exe;
        else if (strcmp(o, "--app") == 0) dst = &a->app;
        else if (strcmp(o, "--current") == 0) dst = &a->current;
        else if (strcmp(o, "--channel") == 0) dst = &a->channel;
        else if (strcmp(o, "--state") == 0) dst = &a->state;
        else if (strcmp(o, "--cacert") == 0) dst = &a->cacert;
        else if (strcmp(o, "--timeout") == 0) {
            long long t;
            if (!parse_int(argv[++k], 1, 86400, &t)) { fail("--timeout must be 1..86400 seconds"); return EXIT_USAGE; }
            a->timeout = (long)t;
            continue;
        } else if (strcmp(o, "--max-unpacked") == 0) {
            long long t;
            if (!parse_int(argv[++k], 1, INT64_MAX, &t)) { fail("--max-unpacked must be a positive number of bytes"); return EXIT_USAGE; }
            a->max_unpacked = (unsigned long long)t;
            continue;
        } else if (strcmp(o, "--trials") == 0) {
            long long t;
            if (!parse_int(argv[++k], 1, 1000, &t)) { fail("--trials must be 1..1000"); return EXIT_USAGE; }
            a->trials = (int)t;
            continue;
        } else if (strcmp(o, "-p") == 0 || strcmp(o, "--pubkey") == 0) {
            size_t len;
            if (a->nkeys >= MAX_KEYS) { fail("at most %d keys", MAX_KEYS); return EXIT_USAGE; }
            if (!(a->keys[a->nkeys] = read_small(argv[++k], 1024, &len))) return 1;
            a->nkeys++;
            continue;
        } else { fail("unknown option '%s'", o); return EXIT_USAGE; }
        *dst = argv[++k];
    }
    for (; k < argc; k++) {
        if (a->nurls >= 16) { fail("at most 16 manifest URLs"); return EXIT_USAGE; }
        a->urls[a->nurls++] = argv[k];
    }
    return 0;
}

/* The engine for --install DIR --exe PATH, or --file PATH. */
static int client_engine(client_args *a, upd_engine *e, const char *cmdname)
{
    memset(e, 0, sizeof *e);
    if (!!a->install == !!a->file) { fail("%s: give --install DIR (with --exe) or --file PATH", cmdname); return EXIT_USAGE; }
    if (a->install && !a->exe) { fail("%s: --install needs --exe (the program, relative to DIR)", cmdname); return EXIT_USAGE; }
    if ((a->install && a->install[0] != '/') || (a->file && a->file[0] != '/')) { fail("%s: the install path must be absolute", cmdname); return EXIT_USAGE; }
    e->install_dir = a->install;
    e->install_file = a->file;
    e->exe = a->exe;
    e->state_dir = a->state;
    e->max_trials = a->trials;
    e->max_unpacked = a->max_unpacked;
    e->no_exec = 1;
    return 0;
}

static void client_setup(client_args *a, upd_client *c)
{
    memset(c, 0, sizeof *c);
    a->urls[a->nurls] = NULL;
    a->keys[a->nkeys] = NULL;
    c->manifest_urls = a->urls;
    c->pubkeys = (const char *const *)a->keys;
    c->app = a->app;
    c->current = a->current;
    c->channel = a->channel;
    c->http.cacert = a->cacert;
    c->http.low_speed_bytes = 1;
    c->http.low_speed_secs = 60;
    if (a->timeout) c->http.connect_timeout_ms = c->http.io_timeout_ms = (int)a->timeout * 1000;
}

static void print_offer(const upd_offer *o)
{
    char hex[65];
    upd_hex_encode(o->sha256, 32, hex);
    printf("update %s url=%s size=%llu sha256=%s", o->version, o->url, (unsigned long long)o->size, hex);
    if (o->from[0]) printf(" from=%s", o->from);
    if (o->critical) printf(" critical=1");
    if (o->notes[0]) printf(" notes=%s", o->notes);
    printf("\n");
}

static int cmd_check(int argc, char **argv)
{
    client_args a;
    upd_client c;
    upd_offer *o;
    upd_result r;
    int rc;
    if ((rc = client_options(argc, argv, &a)) != 0) { free_keys(&a); return rc; }
    if (!a.app || !a.current || !a.nkeys || !a.nurls) { usage_for(argv[0]); free_keys(&a); return EXIT_USAGE; }
    client_setup(&a, &c);
    c.state_dir = a.state;
    if (!(o = (upd_offer *)malloc(sizeof *o))) { fail("out of memory"); free_keys(&a); return 1; }
    r = upd_check(&c, o);
    free_keys(&a);
    if (r == UPD_OK) print_offer(o);
    else if (r == UPD_NO_UPDATE) printf("up-to-date %s\n", a.current);
    else fail("%s", c.error[0] ? c.error : upd_strerror(r));
    free(o);
    return r == UPD_OK || r == UPD_NO_UPDATE ? 0 : 1;
}

static int client_progress(void *user, const char *phase, uint64_t done, uint64_t total)
{
    static int last = -1;
    (void)user;
    if (total && isatty(2)) {
        int pct = (int)(done * 100 / total);
        if (pct != last) { fprintf(stderr, "\r%s %3d%%", phase, pct); last = pct; }
        if (done == total) { fputc('\n', stderr); last = -1; }
    }
    return 0;
}

/* installed (and installed.previous): the version an external update put
   in place, for --current next time */
static int state_version(upd_engine *e, const char *name, char *out, size_t cap)
{
    char path[UPDATER_MAX_PATH + 64];
    size_t len;
    char *text;
    snprintf(path, sizeof path, "%s/%s", e->state_dir ? e->state_dir : "", name);
    if (!e->state_dir) snprintf(path, sizeof path, "%s.update/%s", e->install_dir ? e->install_dir : e->install_file, name);
    if (access(path, F_OK) != 0) return 0;
    if (!(text = read_small(path, 128, &len))) return 0;
    while (len && (text[len - 1] == '\n' || text[len - 1] == '\r')) text[--len] = 0;
    snprintf(out, cap, "%s", text);
    free(text);
    return out[0] != 0;
}

static void set_state_version(upd_engine *e, const char *name, const char *v)
{
    char path[UPDATER_MAX_PATH + 64], line[80];
    if (e->state_dir) snprintf(path, sizeof path, "%s/%s", e->state_dir, name);
    else snprintf(path, sizeof path, "%s.update/%s", e->install_dir ? e->install_dir : e->install_file, name);
    snprintf(line, sizeof line, "%s\n", v);
    write_file(path, line, strlen(line), 0600, 0);
}

static int cmd_update(int argc, char **argv)
{
    client_args a;
    upd_engine e;
    upd_client c;
    upd_offer *o = NULL;
    upd_result r;
    char cur[80];
    int rc;
    if ((rc = client_options(argc, argv, &a)) != 0) { free_keys(&a); return rc; }
    if (!a.app || !a.nkeys || !a.nurls) { usage_for(argv[0]); free_keys(&a); return EXIT_USAGE; }
    if ((rc = client_engine(&a, &e, "update")) != 0) { free_keys(&a); return rc; }
    if (!a.current) {
        if (!state_version(&e, "installed", cur, sizeof cur)) { fail("update: --current is needed (no version recorded yet)"); free_keys(&a); return EXIT_USAGE; }
        a.current = cur;
    }
    client_setup(&a, &c);
    c.engine = &e;
    c.on_progress = client_progress;
    if (!(o = (upd_offer *)malloc(sizeof *o))) { fail("out of memory"); free_keys(&a); return 1; }
    r = upd_check(&c, o);
    if (r == UPD_NO_UPDATE) { printf("up-to-date %s\n", a.current); rc = 0; goto done; }
    if (r != UPD_OK) { fail("%s", c.error); rc = 1; goto done; }
    fprintf(stderr, "upd: updating %s %s -> %s%s\n", a.app, a.current, o->version, o->from[0] ? " (incremental)" : "");
    r = upd_download(&c, o);
    if (r != UPD_OK && r != UPD_E_CANCELED && r != UPD_E_BUSY && o->from[0] && o->full_url[0]) {
        fprintf(stderr, "upd: the incremental package failed (%s); the full one instead\n", c.error);
        memcpy(o->url, o->full_url, sizeof o->url);
        o->size = o->full_size;
        memcpy(o->sha256, o->full_sha256, 32);
        o->from[0] = o->full_url[0] = 0;
        r = upd_download(&c, o);
    }
    if (r != UPD_OK) { fail("%s", c.error); rc = 1; goto done; }
    r = upd_apply(&c, o);
    if (r != UPD_OK && o->from[0] && o->full_url[0] && r != UPD_E_BUSY) {
        fprintf(stderr, "upd: the incremental package failed (%s); the full one instead\n", c.error);
        memcpy(o->url, o->full_url, sizeof o->url);
        o->size = o->full_size;
        memcpy(o->sha256, o->full_sha256, 32);
        o->from[0] = o->full_url[0] = 0;
        if ((r = upd_download(&c, o)) == UPD_OK) r = upd_apply(&c, o);
    }
    if (r != UPD_OK) { fail("%s", c.error); rc = 1; goto done; }
    set_state_version(&e, "installed.previous", a.current);
    set_state_version(&e, "installed", o->version);
    printf("updated %s %s -> %s\n", a.app, a.current, o->version);
    rc = 0;
done:
    free(o);
    free_keys(&a);
    return rc;
}

static int cmd_startup(int argc, char **argv)
{
    client_args a;
    upd_engine e;
    upd_result r;
    char prev[80];
    int rc;
    if ((rc = client_options(argc, argv, &a)) != 0 || a.nurls) { free_keys(&a); usage_for(argv[0]); return EXIT_USAGE; }
    free_keys(&a);
    if ((rc = client_engine(&a, &e, "startup")) != 0) return rc;
    if ((r = upd_startup(&e, 0, NULL)) != UPD_OK) { fail("%s", e.error); return 1; }
    if (e.rolled_back) {
        if (state_version(&e, "installed.previous", prev, sizeof prev)) set_state_version(&e, "installed", prev);
        printf("rolled-back %s\n", e.version[0] ? e.version : "?");
    } else if (e.trial) printf("trial %s\n", e.version);
    else printf("ok\n");
    return 0;
}

static int cmd_good(int argc, char **argv)
{
    client_args a;
    upd_engine e;
    upd_result r;
    int rc;
    if ((rc = client_options(argc, argv, &a)) != 0 || a.nurls) { free_keys(&a); usage_for(argv[0]); return EXIT_USAGE; }
    free_keys(&a);
    if ((rc = client_engine(&a, &e, "good")) != 0) return rc;
    if ((r = upd_mark_good(&e)) != UPD_OK) { fail("%s", e.error); return 1; }
    printf("ok\n");
    return 0;
}
