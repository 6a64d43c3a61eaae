/* tests/t_manifest.c - the manifest (updater.h section 6): parsing of the
   `versions` format (DESIGN.md "Manifest format"), the bad inputs of
   SECURITY.md section 5 items 9-17, release selection and rollout buckets.
   #included by test_main.c (unity build). */

#ifdef UPDATER_MAX_MANIFEST_BYTES
#define T_MAN_MAX_BYTES ((size_t)(UPDATER_MAX_MANIFEST_BYTES))
#else
#define T_MAN_MAX_BYTES ((size_t)1 << 20)     /* the documented defaults */
#endif
#ifdef UPDATER_MAX_MANIFEST_LINE
#define T_MAN_MAX_LINE ((size_t)(UPDATER_MAX_MANIFEST_LINE))
#else
#define T_MAN_MAX_LINE ((size_t)4096)
#endif
#ifdef UPDATER_MAX_MANIFEST_LINES
#define T_MAN_MAX_LINES ((size_t)(UPDATER_MAX_MANIFEST_LINES))
#else
#define T_MAN_MAX_LINES ((size_t)20000)
#endif
#ifdef UPDATER_MAX_MANIFEST_ATTRS
#define T_MAN_MAX_ATTRS ((int)(UPDATER_MAX_MANIFEST_ATTRS))
#else
#define T_MAN_MAX_ATTRS 32
#endif

/* SHA-256("") and SHA-256("abc") (FIPS 180-2 example) */
#define T_SHA_E3    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define T_SHA_E3_UP "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"
#define T_SHA_BA    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define T_SHA_BA_UP "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"
static const uint8_t t_sha_e3[32] = {
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55 };
static const uint8_t t_sha_ba[32] = {
    0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
    0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad };

#define T_MAN_BASE "https://example.org/hello/versions"
/* the rest of a valid release line after url=... */
#define T_RT " size=1 sha256=" T_SHA_E3
#define T_REL(app, ver, url) app " " ver " url=" url T_RT "\n"

#define T_MAN_ANY_LINE 0xFFFFFFFFu   /* do not check error_line */
#define T_MAN_NO_ALT   12345         /* no alternative result accepted */

/* Parses text (len bytes) and requires UPD_OK; prints the error if not. */
static int t_man_parse_len(upd_manifest *m, const char *text, size_t len, const char *base)
{
    upd_result r;
    memset(m, 0, sizeof *m);
    r = upd_manifest_parse(m, text, len, base);
    if (r == UPD_OK) return 1;
    printf("  upd_manifest_parse: result %d, error_line %u, \"%s\"\n",
           (int)r, m->error_line, m->error);
    return 0;
}

static int t_man_parse(upd_manifest *m, const char *text, const char *base)
{
    return t_man_parse_len(m, text, strlen(text), base);
}

/* Parsing must fail with code (or alt), error_line == line (unless
   T_MAN_ANY_LINE), an error message "line N..." for the MANIFEST / VERSION /
   URL codes, nothing left allocated, and upd_manifest_free safe. */
static int t_man_fails_len(const char *what, const char *text, size_t len, const char *base,
                           int code, int alt, unsigned line)
{
    upd_manifest m;
    upd_result r;
    int ok = 1;
    char prefix[32];
    size_t n;
    int dummy_ctx = 0;

    memset(&m, 0, sizeof m);
    m.alloc_ctx = &dummy_ctx;
    r = upd_manifest_parse(&m, text, len, base);
    if ((int)r != code && (int)r != alt) {
        printf("  [%s] result %d, want %d", what, (int)r, code);
        if (alt != T_MAN_NO_ALT) printf(" or %d", alt);
        printf("\n");
        ok = 0;
    }
    if (line != T_MAN_ANY_LINE && m.error_line != line) {
        printf("  [%s] error_line %u, want %u\n", what, m.error_line, line);
        ok = 0;
    }
    if (r == UPD_E_MANIFEST || r == UPD_E_VERSION || r == UPD_E_URL) {
        if (memchr(m.error, '\0', sizeof m.error) == NULL || m.error[0] == '\0') {
            printf("  [%s] error message empty or unterminated\n", what);
            ok = 0;
        } else if (m.error_line != 0) {
            n = (size_t)snprintf(prefix, sizeof prefix, "line %u", m.error_line);
            if (strncmp(m.error, prefix, n) != 0
                || (m.error[n] >= '0' && m.error[n] <= '9')) {
                printf("  [%s] error \"%s\" does not start with \"%s\"\n", what, m.error, prefix);
                ok = 0;
            }
        }
    }
    if (m.count != 0 || m.releases != NULL) {
        printf("  [%s] count %u, releases %p after a failed parse\n",
               what, (unsigned)m.count, (void *)m.releases);
        ok = 0;
    }
    if (m.alloc_ctx != (void *)&dummy_ctx) {
        printf("  [%s] alloc_ctx not kept\n", what);
        ok = 0;
    }
    upd_manifest_free(&m);
    return ok;
}

static int t_man_fails(const char *what, const char *text, const char *base,
                       int code, int alt, unsigned line)
{
    return t_man_fails_len(what, text, strlen(text), base, code, alt, line);
}

/* ---------------------------------------------------------------------- */

static const char t_man_full[] =
    "# hello manifest\n"                                                     /* 1 */
    "@serial 42\n"                                                           /* 2 */
    "@expires 2026-12-31T00:00:00Z   # expiry comment\n"                     /* 3 */
    "\n"                                                                     /* 4 */
    "hello 1.4.0 url=hello-1.4.0.tar.gz size=123456 sha256=" T_SHA_E3 "\n"   /* 5 */
    "hello 1.4.0 from=1.3.2 url=hello-1.3.2-to-1.4.0.tar.gz size=2345 sha256="
        T_SHA_BA_UP " min=1.3.0\n"                                           /* 6 */
    "hello v1.5.0-beta.1 channel=beta rollout=25 critical=1 "
        "url=https://cdn.example.org/hello/1.5.0-beta.1.tar.gz size=130000 sha256="
        T_SHA_BA " notes=notes/1.5.0-beta.1.html\n"                          /* 7 */
    "@future-directive whatever 1 2 3\n"                                     /* 8 */
    "other 2.0 url=//cdn.example.org/other-2.0.tar.gz size=9223372036854775807 sha256="
        T_SHA_E3_UP " critical=0 future-key=yes notes=https://example.org/notes rollout=100\n" /* 9 */
    "# end\n";                                                               /* 10 */

static void test_manifest_parse_all_fields(void)
{
    upd_manifest m;
    const upd_release *r;
    int ctx = 0;

    memset(&m, 0, sizeof m);
    m.alloc_ctx = &ctx;
    CHECK_EQ_INT(upd_manifest_parse(&m, t_man_full, strlen(t_man_full), T_MAN_BASE), UPD_OK);
    CHECK(m.alloc_ctx == (void *)&ctx);
    CHECK(m.serial == 42);
    CHECK_EQ_INT(m.has_expires, 1);
    CHECK(m.expires == (int64_t)1798675200);
    CHECK_EQ_INT(m.count, 4);
    if (m.count != 4 || m.releases == NULL) { upd_manifest_free(&m); return; }

    r = &m.releases[0];
    CHECK_STR(r->app, "hello");
    CHECK_STR(r->version, "1.4.0");
    CHECK(r->ver.major == 1 && r->ver.minor == 4 && r->ver.patch == 0 && r->ver.pre == NULL);
    CHECK_STR(r->url, "https://example.org/hello/hello-1.4.0.tar.gz");
    CHECK(r->size == 123456);
    CHECK(memcmp(r->sha256, t_sha_e3, 32) == 0);
    CHECK_STR(r->channel, "stable");
    CHECK(r->from == NULL);
    /* min= on the delta line (6) of the same app and version applies to
       this line too (documented at upd_release.rollout) */
    CHECK_STR(r->min, "1.3.0");
    CHECK(r->min != NULL && r->min_ver.major == 1 && r->min_ver.minor == 3 && r->min_ver.patch == 0);
    CHECK(r->notes == NULL);
    CHECK_EQ_INT(r->rollout, 100);
    CHECK_EQ_INT(r->critical, 0);
    CHECK_EQ_INT(r->line, 5);

    r = &m.releases[1];
    CHECK_STR(r->app, "hello");
    CHECK_STR(r->version, "1.4.0");
    CHECK_STR(r->url, "https://example.org/hello/hello-1.3.2-to-1.4.0.tar.gz");
    CHECK(r->size == 2345);
    CHECK(memcmp(r->sha256, t_sha_ba, 32) == 0);      /* upper-case hex */
    CHECK_STR(r->from, "1.3.2");
    CHECK(r->from_ver.major == 1 && r->from_ver.minor == 3 && r->from_ver.patch == 2);
    CHECK_STR(r->min, "1.3.0");
    CHECK(r->min_ver.major == 1 && r->min_ver.minor == 3 && r->min_ver.patch == 0);
    CHECK_STR(r->channel, "stable");
    CHECK_EQ_INT(r->rollout, 100);
    CHECK_EQ_INT(r->critical, 0);
    CHECK(r->notes == NULL);
    CHECK_EQ_INT(r->line, 6);

    r = &m.releases[2];
    CHECK_STR(r->app, "hello");
    CHECK_STR(r->version, "v1.5.0-beta.1");           /* as written */
    CHECK(r->ver.major == 1 && r->ver.minor == 5 && r->ver.patch == 0);
    CHECK(r->ver.pre != NULL && r->ver.pre_len == 6 && memcmp(r->ver.pre, "beta.1", 6) == 0);
    CHECK_STR(r->channel, "beta");
    CHECK_EQ_INT(r->rollout, 25);
    CHECK_EQ_INT(r->critical, 1);
    CHECK_STR(r->url, "https://cdn.example.org/hello/1.5.0-beta.1.tar.gz");
    CHECK(r->size == 130000);
    CHECK(memcmp(r->sha256, t_sha_ba, 32) == 0);      /* lower-case hex */
    CHECK_STR(r->notes, "https://example.org/hello/notes/1.5.0-beta.1.html");
    CHECK(r->from == NULL);
    CHECK(r->min == NULL);
    CHECK_EQ_INT(r->line, 7);

    r = &m.releases[3];
    CHECK_STR(r->app, "other");
    CHECK_STR(r->version, "2.0");
    CHECK(r->ver.major == 2 && r->ver.minor == 0 && r->ver.patch == 0);
    CHECK_STR(r->url, "https://cdn.example.org/other-2.0.tar.gz");
    CHECK(r->size == 9223372036854775807ULL);         /* 2^63-1 fits */
    CHECK(memcmp(r->sha256, t_sha_e3, 32) == 0);
    CHECK_STR(r->notes, "https://example.org/notes");
    CHECK_EQ_INT(r->critical, 0);
    CHECK_EQ_INT(r->rollout, 100);
    CHECK_STR(r->channel, "stable");
    CHECK_EQ_INT(r->line, 9);

    upd_manifest_free(&m);
    CHECK(m.alloc_ctx == (void *)&ctx);
    CHECK(m.releases == NULL);
    CHECK_EQ_INT(m.count, 0);
}

static void test_manifest_expires_and_serial_values(void)
{
    upd_manifest m;
    if (t_man_parse(&m, "@serial 1\n@expires 1970-01-01T00:00:00Z\n" T_REL("a", "1.0.0", "x"), NULL)) {
        CHECK_EQ_INT(m.has_expires, 1);
        CHECK(m.expires == 0);
        CHECK(m.serial == 1);
    } else CHECK(0);
    upd_manifest_free(&m);

    if (t_man_parse(&m, "@expires 2000-02-29T12:34:56Z\n@serial 0\n" T_REL("a", "1.0.0", "x"), NULL)) {
        CHECK_EQ_INT(m.has_expires, 1);
        CHECK(m.expires == (int64_t)951827696);
        CHECK(m.serial == 0);
    } else CHECK(0);
    upd_manifest_free(&m);

    if (t_man_parse(&m, "@serial 9223372036854775807\n" T_REL("a", "1.0.0", "x"), NULL)) {
        CHECK(m.serial == 9223372036854775807ULL);
        CHECK_EQ_INT(m.has_expires, 0);
    } else CHECK(0);
    upd_manifest_free(&m);

    if (t_man_parse(&m, "@serial 1\n@expires 9999-12-31T23:59:59Z\n" T_REL("a", "1.0.0", "x"), NULL)) {
        CHECK(m.expires == (int64_t)253402300799LL);  /* the last documented second */
    } else CHECK(0);
    upd_manifest_free(&m);

    if (t_man_parse(&m, "@serial 4294967296\n@expires 2100-03-01T23:59:59Z\n"
                        T_REL("a", "1.0.0", "x"), NULL)) {
        CHECK(m.serial == 4294967296ULL);
        CHECK(m.expires == (int64_t)4107628799LL);    /* 2100 is not a leap year */
    } else CHECK(0);
    upd_manifest_free(&m);
}

static void test_manifest_comments(void)
{
    upd_manifest m;
    static const char text[] =
        "@serial 5 # serial comment\n"                                   /* 1 */
        "# full-line comment: @serial 6 and hello 9.0.0 url=z\n"        /* 2 */
        "hello 1.0.0 url=a#b size=1 sha256=" T_SHA_E3 " # size=2 dup\n"  /* 3 */
        "hello 1.1.0 url=x size=2 sha256=" T_SHA_E3 "\t# after a tab\n"  /* 4 */
        "hello 1.2.0 url=y#z notes=n#1 size=3 sha256=" T_SHA_E3 " #\n"   /* 5 */
        "#\n"                                                            /* 6 */
        "##### @serial 7\n"                                              /* 7 */
        "# UTF-8 is fine in comments: caf\xc3\xa9 \xe2\x9c\x93\n"             /* 8 */
        "@serial_like_directive 1 # caf\xc3\xa9\n";                          /* 9 */
    if (t_man_parse(&m, text, NULL)) {
        CHECK(m.serial == 5);
        CHECK_EQ_INT(m.count, 3);
        if (m.count == 3) {
            /* '#' inside a token is not a comment: if it were, size and
               sha256 would be missing and the parse would have failed */
            CHECK_STR(m.releases[0].url, "a#b");
            CHECK(m.releases[0].size == 1);
            CHECK_EQ_INT(m.releases[0].line, 3);
            CHECK(m.releases[1].size == 2);
            CHECK_EQ_INT(m.releases[1].line, 4);
            CHECK_STR(m.releases[2].url, "y#z");
            CHECK_STR(m.releases[2].notes, "n#1");
            CHECK(m.releases[2].size == 3);
            CHECK_EQ_INT(m.releases[2].line, 5);
        }
    } else CHECK(0);
    upd_manifest_free(&m);
}

static void test_manifest_crlf_tabs_blank_lines(void)
{
    upd_manifest m;
    static const char crlf[] =
        "@serial 7\r\n"                                                       /* 1 */
        "# c\r\n"                                                             /* 2 */
        "\r\n"                                                                /* 3 */
        "hello 1.0.0 url=a.tar.gz size=10 sha256=" T_SHA_E3 "\r\n"            /* 4 */
        "hello 2.0.0 url=b.tar.gz size=20 sha256=" T_SHA_BA " notes=n.html\r\n" /* 5 */
        "@expires 2000-02-29T12:34:56Z\r\n"                                   /* 6 */
        "hello 3.0.0 url=c size=30 sha256=" T_SHA_E3;                         /* 7, no EOL */
    static const char tabs[] =
        "@serial\t9\n"
        "\n\n"
        "hello\t1.0.0\turl=x\t \tsize=1  sha256=" T_SHA_E3 "\t\n"
        "hello  2.0.0   url=y\tsize=2\t\tsha256=" T_SHA_BA "\n"
        "\n";

    if (t_man_parse(&m, crlf, T_MAN_BASE)) {
        CHECK(m.serial == 7);
        CHECK_EQ_INT(m.has_expires, 1);
        CHECK(m.expires == (int64_t)951827696);
        CHECK_EQ_INT(m.count, 3);
        if (m.count == 3) {
            CHECK(memcmp(m.releases[0].sha256, t_sha_e3, 32) == 0);
            CHECK_STR(m.releases[0].url, "https://example.org/hello/a.tar.gz");
            CHECK_EQ_INT(m.releases[0].line, 4);
            CHECK_STR(m.releases[1].notes, "https://example.org/hello/n.html");
            CHECK(memcmp(m.releases[1].sha256, t_sha_ba, 32) == 0);
            CHECK_EQ_INT(m.releases[1].line, 5);
            CHECK_STR(m.releases[2].version, "3.0.0");
            CHECK(memcmp(m.releases[2].sha256, t_sha_e3, 32) == 0);
            CHECK(m.releases[2].size == 30);
            CHECK_EQ_INT(m.releases[2].line, 7);
        }
    } else CHECK(0);
    upd_manifest_free(&m);

    if (t_man_parse(&m, tabs, NULL)) {
        CHECK(m.serial == 9);
        CHECK_EQ_INT(m.count, 2);
        if (m.count == 2) {
            CHECK_STR(m.releases[0].app, "hello");
            CHECK_STR(m.releases[0].version, "1.0.0");
            CHECK_STR(m.releases[0].url, "x");
            CHECK(m.releases[0].size == 1);
            CHECK(memcmp(m.releases[0].sha256, t_sha_e3, 32) == 0);
            CHECK_EQ_INT(m.releases[0].line, 4);
            CHECK_STR(m.releases[1].version, "2.0.0");
            CHECK_STR(m.releases[1].url, "y");
            CHECK(memcmp(m.releases[1].sha256, t_sha_ba, 32) == 0);
            CHECK_EQ_INT(m.releases[1].line, 5);
        }
    } else CHECK(0);
    upd_manifest_free(&m);
}

static void test_manifest_url_resolution(void)
{
    upd_manifest m;
    static const char text[] =
        "@serial 1\n"
        T_REL("hello", "1.0.0", "hello-1.4.0.tar.gz")
        T_REL("hello", "1.0.1", "../x.tar.gz")
        T_REL("hello", "1.0.2", "/abs/x.tar.gz")
        T_REL("hello", "1.0.3", "//cdn.example.org/x.tar.gz")
        T_REL("hello", "1.0.4", "http://mirror.example.net/y")
        T_REL("hello", "1.0.5", "./a/../b.tar.gz")
        T_REL("hello", "1.0.6", "?x=1");
    static const char *const resolved[] = {
        "https://example.org/hello/hello-1.4.0.tar.gz", "https://example.org/x.tar.gz",
        "https://example.org/abs/x.tar.gz", "https://cdn.example.org/x.tar.gz",
        "http://mirror.example.net/y", "https://example.org/hello/b.tar.gz",
        "https://example.org/hello/versions?x=1"
    };
    static const char *const as_written[] = {
        "hello-1.4.0.tar.gz", "../x.tar.gz", "/abs/x.tar.gz", "//cdn.example.org/x.tar.gz",
        "http://mirror.example.net/y", "./a/../b.tar.gz", "?x=1"
    };
    size_t i;
    if (t_man_parse(&m, text, T_MAN_BASE)) {
        CHECK_EQ_INT(m.count, 7);
        for (i = 0; i < 7 && i < m.count; i++) CHECK_STR(m.releases[i].url, resolved[i]);
    } else CHECK(0);
    upd_manifest_free(&m);
    if (t_man_parse(&m, text, NULL)) {
        CHECK_EQ_INT(m.count, 7);
        for (i = 0; i < 7 && i < m.count; i++) CHECK_STR(m.releases[i].url, as_written[i]);
    } else CHECK(0);
    upd_manifest_free(&m);
}

/* ---------------------------------------------------------------------- */

typedef struct t_man_bad {
    const char *text;
    int code, alt;
    unsigned line;
    const char *base;
} t_man_bad;

#define T_S1 "@serial 1\n"
#define T_MF UPD_E_MANIFEST
#define T_NA T_MAN_NO_ALT
static const t_man_bad t_man_bad_cases[] = {
    /* @serial: required, 0..2^63-1, once */
    { T_REL("hello", "1.0.0", "x"),                         T_MF, T_NA, T_MAN_ANY_LINE, T_MAN_BASE },
    { "",                                                    T_MF, T_NA, T_MAN_ANY_LINE, T_MAN_BASE },
    { "# only a comment\n\n",                                T_MF, T_NA, T_MAN_ANY_LINE, T_MAN_BASE },
    { "# c\n@serial -1\n" T_REL("a", "1", "x"),              T_MF, T_NA, 2, T_MAN_BASE },
    { "@serial 18446744073709551616\n" T_REL("a", "1", "x"), T_MF, T_NA, 1, T_MAN_BASE },
    { "@serial 18446744073709551615\n" T_REL("a", "1", "x"), T_MF, T_NA, 1, T_MAN_BASE },
    { "@serial 9223372036854775808\n" T_REL("a", "1", "x"),  T_MF, T_NA, 1, T_MAN_BASE },
    { "@serial 99999999999999999999\n" T_REL("a", "1", "x"), T_MF, T_NA, 1, T_MAN_BASE },
    { "@serial abc\n" T_REL("a", "1", "x"),                  T_MF, T_NA, 1, T_MAN_BASE },
    { "@serial\n" T_REL("a", "1", "x"),                      T_MF, T_NA, 1, T_MAN_BASE },
    { "@serial \n" T_REL("a", "1", "x"),                     T_MF, T_NA, 1, T_MAN_BASE },
    { "@serial 12x\n" T_REL("a", "1", "x"),                  T_MF, T_NA, 1, T_MAN_BASE },
    { "@serial 0x10\n" T_REL("a", "1", "x"),                 T_MF, T_NA, 1, T_MAN_BASE },
    { "@serial 1.5\n" T_REL("a", "1", "x"),                  T_MF, T_NA, 1, T_MAN_BASE },
    { "@serial 1\n@serial 2\n" T_REL("a", "1", "x"),         T_MF, T_NA, 2, T_MAN_BASE },
    /* numbers: decimal, no sign, no leading zeros (could be read as octal) */
    { "@serial 010\n" T_REL("a", "1", "x"),                  T_MF, T_NA, 1, T_MAN_BASE },
    { "@serial +1\n" T_REL("a", "1", "x"),                   T_MF, T_NA, 1, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x size=010 sha256=" T_SHA_E3 "\n", T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x size=+1 sha256=" T_SHA_E3 "\n",  T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x" T_RT " rollout=010\n",          T_MF, T_NA, 2, T_MAN_BASE },
    { "@serial 1\n" T_REL("a", "1", "x") "@serial 1\n",      T_MF, T_NA, 3, T_MAN_BASE },
    /* @expires */
    { T_S1 "@expires 2026-13-01T00:00:00Z\n" T_REL("a", "1", "x"), T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "@expires 2026-02-30T00:00:00Z\n" T_REL("a", "1", "x"), T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "@expires 2026-04-31T00:00:00Z\n" T_REL("a", "1", "x"), T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "@expires 2025-02-29T00:00:00Z\n" T_REL("a", "1", "x"), T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "@expires 1900-02-29T00:00:00Z\n" T_REL("a", "1", "x"), T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "@expires 2026-00-10T00:00:00Z\n" T_REL("a", "1", "x"), T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "@expires 2026-12-00T00:00:00Z\n" T_REL("a", "1", "x"), T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "@expires 2026-12-31\n" T_REL("a", "1", "x"),           T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "@expires 2026-12-31T25:00:00Z\n" T_REL("a", "1", "x"), T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "@expires 2026-12-31T24:00:00Z\n" T_REL("a", "1", "x"), T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "@expires 2026-12-31T00:60:00Z\n" T_REL("a", "1", "x"), T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "@expires 2026-12-31T00:00:00\n" T_REL("a", "1", "x"),  T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "@expires 2026-12-31T00:00:00+01:00\n" T_REL("a", "1", "x"), T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "@expires 2026-1-01T00:00:00Z\n" T_REL("a", "1", "x"),  T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "@expires 1798675200\n" T_REL("a", "1", "x"),           T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "@expires\n" T_REL("a", "1", "x"),                      T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "@expires 1969-12-31T23:59:59Z\n" T_REL("a", "1", "x"), T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "@expires 10000-01-01T00:00:00Z\n" T_REL("a", "1", "x"), T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "@expires 2026-12-31T00:00:00Z\n@expires 2027-12-31T00:00:00Z\n" T_REL("a", "1", "x"),
      T_MF, T_NA, 3, T_MAN_BASE },
    /* sha256 */
    { T_S1 "hello 1.0.0 url=x size=1 sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85\n",
      T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x size=1 sha256=" T_SHA_E3 "0\n",   T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x size=1 sha256=g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n",
      T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x size=1 sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8-5\n",
      T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x size=1 sha256=\n",               T_MF, T_NA, 2, T_MAN_BASE },
    /* required keys */
    { T_S1 "hello 1.0.0 size=1 sha256=" T_SHA_E3 "\n",          T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x sha256=" T_SHA_E3 "\n",           T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x size=1\n",                        T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0\n",                                     T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello\n",                                           T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "# c\nhello url=x" T_RT "\n",                        T_MF, UPD_E_VERSION, 3, T_MAN_BASE },
    /* size */
    { T_S1 "hello 1.0.0 url=x size=0 sha256=" T_SHA_E3 "\n",    T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x size=-1 sha256=" T_SHA_E3 "\n",   T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x size=99999999999999999999 sha256=" T_SHA_E3 "\n", T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x size=18446744073709551615 sha256=" T_SHA_E3 "\n", T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x size=9223372036854775808 sha256=" T_SHA_E3 "\n",  T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x size=12x sha256=" T_SHA_E3 "\n",  T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x size=0x10 sha256=" T_SHA_E3 "\n", T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x size=1e3 sha256=" T_SHA_E3 "\n",  T_MF, T_NA, 2, T_MAN_BASE },
    /* duplicates, syntax */
    { T_S1 "hello 1.0.0 url=x size=1 size=2 sha256=" T_SHA_E3 "\n", T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x size=1 size=1 sha256=" T_SHA_E3 "\n", T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x url=y" T_RT "\n",                 T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x" T_RT " foo=1 foo=2\n",           T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x" T_RT " garbage\n",               T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x" T_RT " =x\n",                    T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x" T_RT " notes=\n",                T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=" T_RT "\n",                        T_MF, UPD_E_URL, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x" T_RT " channel=\n",              T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x" T_RT " channel=be/ta\n",         T_MF, T_NA, 2, T_MAN_BASE },
    /* rollout, critical */
    { T_S1 "hello 1.0.0 url=x" T_RT " rollout=0\n",             T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x" T_RT " rollout=101\n",           T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x" T_RT " rollout=-1\n",            T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x" T_RT " rollout=50%\n",           T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x" T_RT " rollout=4294967346\n",    T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x" T_RT " critical=2\n",            T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x" T_RT " critical=yes\n",          T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x" T_RT " critical=-1\n",           T_MF, T_NA, 2, T_MAN_BASE },
    /* versions */
    { T_S1 "# c\nhello 1..0 url=x" T_RT "\n",                   UPD_E_VERSION, T_NA, 3, T_MAN_BASE },
    { T_S1 "hello 01.0.0 url=x" T_RT "\n",                      UPD_E_VERSION, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0-01 url=x" T_RT "\n",                    UPD_E_VERSION, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.18446744073709551616 url=x" T_RT "\n",    UPD_E_VERSION, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x" T_RT " from=1..2\n",             UPD_E_VERSION, T_MF, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x" T_RT " from=01.0.0\n",           UPD_E_VERSION, T_MF, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x" T_RT " min=x\n",                 UPD_E_VERSION, T_MF, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x" T_RT " min=1.0.0.0\n",           UPD_E_VERSION, T_MF, 2, T_MAN_BASE },
    /* app names: [A-Za-z0-9._+-]+ */
    { T_S1 "hel/lo 1.0.0 url=x" T_RT "\n",                      T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hel*lo 1.0.0 url=x" T_RT "\n",                      T_MF, T_NA, 2, T_MAN_BASE },
    /* URLs */
    { T_S1 "# c\nhello 1.0.0 url=file:///etc/passwd" T_RT "\n", UPD_E_URL, T_NA, 3, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=ftp://x/y" T_RT "\n",               UPD_E_URL, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=gopher://x/" T_RT "\n",             UPD_E_URL, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=http://user:pw@h/x" T_RT "\n",      UPD_E_URL, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=a%zz" T_RT "\n",                    UPD_E_URL, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x" T_RT " notes=javascript:alert(1)\n", UPD_E_URL, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=file:///etc/passwd" T_RT "\n",      UPD_E_URL, T_NA, 2, NULL },
    { T_S1 "hello 1.0.0 url=ftp://x/y" T_RT "\n",               UPD_E_URL, T_NA, 2, NULL },
    /* control characters (a NUL is tested with an explicit length) */
    { T_S1 "hello 1.0.0 url=x\x01" "y" T_RT "\n",               T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x" T_RT " foo=a\x7f" "b\n",         T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x" T_RT "\x1b[2J\n",                T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x" T_RT " foo=a\rb\n",              T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0\x0burl=x" T_RT "\n",                    T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0\x0curl=x" T_RT "\n",                    T_MF, T_NA, 2, T_MAN_BASE },
    /* control bytes are refused in comments too (UTF-8 there is fine) */
    { T_S1 "# a\x01" "b\n" T_REL("hello", "1.0.0", "x"),         T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 T_REL("hello", "1.0.0", "x") "# bell\x07\n",          T_MF, T_NA, 3, T_MAN_BASE },
    /* non-ASCII bytes in tokens */
    { T_S1 "h\xc3\xa9" "llo 1.0.0 url=x" T_RT "\n",             T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x" T_RT " label=caf\xc3\xa9\n",     T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.0.0 url=x" T_RT " k\xc3\xa9" "y=1\n",       T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "\xef\xbb\xbf" "hello 1.0.0 url=x" T_RT "\n",        T_MF, T_NA, 2, T_MAN_BASE },
    /* duplicate releases: same app, version (by precedence) and from */
    { T_S1 T_REL("hello", "1.5", "a") T_REL("hello", "1.5.0", "b"),  T_MF, T_NA, 3, T_MAN_BASE },
    { T_S1 T_REL("hello", "1.5.0", "a") T_REL("hello", "v1.5.0", "b"), T_MF, T_NA, 3, T_MAN_BASE },
    { T_S1 T_REL("hello", "1.5.0", "a") T_REL("hello", "1.5.0", "a"),  T_MF, T_NA, 3, T_MAN_BASE },
    { T_S1 "hello 1.5.0 from=1.4 url=a" T_RT "\n" "hello 1.5.0 from=1.4.0 url=b" T_RT "\n",
      T_MF, T_NA, 3, T_MAN_BASE },
    /* lines of one app and version giving different channel/rollout/min */
    { T_S1 "hello 1.5.0 rollout=10 url=a" T_RT "\n" "hello 1.5.0 from=1.4.0 rollout=20 url=b" T_RT "\n",
      T_MF, T_NA, 3, T_MAN_BASE },
    { T_S1 "hello 1.5.0 channel=beta url=a" T_RT "\n" "hello 1.5.0 from=1.4.0 channel=nightly url=b" T_RT "\n",
      T_MF, T_NA, 3, T_MAN_BASE },
    { T_S1 "hello 1.5.0 channel=beta url=a" T_RT "\n" "hello 1.5.0 from=1.4.0 channel=stable url=b" T_RT "\n",
      T_MF, T_NA, 3, T_MAN_BASE },
    { T_S1 "hello 1.5.0 min=1.0.0 url=a" T_RT "\n" "hello 1.5.0 from=1.4.0 min=1.1.0 url=b" T_RT "\n",
      T_MF, T_NA, 3, T_MAN_BASE },
    { T_S1 "hello 1.5.0 from=1.3.0 rollout=5 url=a" T_RT "\n" "hello 1.5.0 from=1.4.0 rollout=6 url=b" T_RT "\n",
      T_MF, T_NA, 3, T_MAN_BASE },
    /* tree=: 64 hex digits, one tree per release */
    { T_S1 "hello 1.5.0 tree=" T_SHA_E3 "0 url=a" T_RT "\n",                   T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.5.0 tree=e3b0 url=a" T_RT "\n",                            T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.5.0 tree=" T_SHA_E3 " tree=" T_SHA_E3 " url=a" T_RT "\n",   T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.5.0 tree=zz" T_SHA_E3 " url=a" T_RT "\n",                  T_MF, T_NA, 2, T_MAN_BASE },
    { T_S1 "hello 1.5.0 tree=" T_SHA_E3 " url=a" T_RT "\n" "hello 1.5.0 from=1.4.0 tree=" T_SHA_BA " url=b" T_RT "\n",
      T_MF, T_NA, 3, T_MAN_BASE },
    /* an error after valid releases: nothing is kept */
    { T_S1 T_REL("hello", "1.0.0", "a") T_REL("hello", "1.1.0", "b") T_REL("other", "1.0.0", "c")
      "hello 1.2.0 url=d size=1 size=2 sha256=" T_SHA_E3 "\n", T_MF, T_NA, 5, T_MAN_BASE }
};

static void test_manifest_malformed(void)
{
    size_t i;
    char what[64];
    for (i = 0; i < sizeof t_man_bad_cases / sizeof t_man_bad_cases[0]; i++) {
        const t_man_bad *b = &t_man_bad_cases[i];
        int ok;
        snprintf(what, sizeof what, "case %u", (unsigned)i);
        ok = t_man_fails(what, b->text, b->base, b->code, b->alt, b->line);
        if (!ok) printf("  (case %u text: \"%.*s\")\n", (unsigned)i, 200, b->text);
        CHECK(ok);
    }
}

static void test_manifest_nul_bytes(void)
{
    static const char mid[] = "@serial 1\nhello 1.0.0 url=x\0y size=1 sha256=" T_SHA_E3 "\n";
    static const char val[] = "@serial 1\nhello 1.0.0 url=x size=1 sha256=" T_SHA_E3 "\0\n";
    static const char cmt[] = "@serial 1\n# a\0b\n" T_REL("hello", "1.0.0", "x");
    static const char tail[] = "@serial 1\n" T_REL("hello", "1.0.0", "x");
    static const char ser[] = "@serial 1\0" "2\n" T_REL("hello", "1.0.0", "x");
    /* sizeof - 1: the explicit length includes the inner NUL */
    CHECK(t_man_fails_len("NUL in a url", mid, sizeof mid - 1, T_MAN_BASE, T_MF, T_NA, 2));
    CHECK(t_man_fails_len("NUL after sha256", val, sizeof val - 1, T_MAN_BASE, T_MF, T_NA, 2));
    CHECK(t_man_fails_len("NUL in a comment", cmt, sizeof cmt - 1, T_MAN_BASE, T_MF, T_NA, 2));
    CHECK(t_man_fails_len("NUL in @serial", ser, sizeof ser - 1, T_MAN_BASE, T_MF, T_NA, 1));
    /* the terminating NUL passed as part of the text is a NUL on line 3 */
    CHECK(t_man_fails_len("trailing NUL", tail, sizeof tail, T_MAN_BASE, T_MF, T_NA, 3));
}

/* A line of exactly the limit is fine (also with CRLF: the limit is without
   the EOL); one byte more is an error with its line number. */
static void test_manifest_line_limit(void)
{
    const char *head = "@serial 1\nhello 1.0.0 url=x size=1 sha256=" T_SHA_E3 " pad=";
    size_t hl = strlen(head), l2 = strlen("hello 1.0.0 url=x size=1 sha256=" T_SHA_E3 " pad=");
    size_t cap = hl + T_MAN_MAX_LINE + 64, n;
    char *t = (char *)malloc(cap);
    upd_manifest m;
    CHECK(t != NULL);
    if (!t) return;

    /* line 2 is exactly T_MAN_MAX_LINE bytes */
    memcpy(t, head, hl);
    memset(t + hl, 'a', T_MAN_MAX_LINE - l2);
    n = hl + T_MAN_MAX_LINE - l2;
    memcpy(t + n, "\r\n# end\n", 8);
    CHECK(t_man_parse_len(&m, t, n + 8, NULL));
    CHECK_EQ_INT(m.count, 1);
    upd_manifest_free(&m);
    CHECK(t_man_parse_len(&m, t, n, NULL));         /* no EOL at all */
    upd_manifest_free(&m);
    t[n] = '\n';
    CHECK(t_man_parse_len(&m, t, n + 1, NULL));
    upd_manifest_free(&m);

    /* one more byte */
    memset(t + hl, 'a', T_MAN_MAX_LINE - l2 + 1);
    n = hl + T_MAN_MAX_LINE - l2 + 1;
    memcpy(t + n, "\n# end\n", 7);
    CHECK(t_man_fails_len("line of limit+1", t, n + 7, NULL, T_MF, UPD_E_TOOBIG, 2));
    CHECK(t_man_fails_len("line of limit+1, no EOL", t, n, NULL, T_MF, UPD_E_TOOBIG, 2));

    /* an over-long comment line is over-long too */
    memcpy(t, "@serial 1\n#", 11);
    memset(t + 11, 'c', T_MAN_MAX_LINE);
    memcpy(t + 11 + T_MAN_MAX_LINE, "\n", 1);
    CHECK(t_man_fails_len("comment of limit+1", t, 12 + T_MAN_MAX_LINE, NULL,
                          T_MF, UPD_E_TOOBIG, 2));
    free(t);
}

/* UPDATER_MAX_MANIFEST_ATTRS key=value pairs on a line are fine, one more is not. */
static void test_manifest_attr_limit(void)
{
    char *t = (char *)malloc(64 * (size_t)T_MAN_MAX_ATTRS + 256);
    size_t n;
    int i;
    upd_manifest m;
    CHECK(t != NULL);
    if (!t) return;
    n = (size_t)sprintf(t, "@serial 1\nhello 1.0.0 url=x size=1 sha256=%s", T_SHA_E3);
    for (i = 0; i < T_MAN_MAX_ATTRS - 3; i++) n += (size_t)sprintf(t + n, " k%d=v", i);
    memcpy(t + n, "\n", 2);
    CHECK(t_man_parse_len(&m, t, n + 1, NULL));
    CHECK_EQ_INT(m.count, 1);
    upd_manifest_free(&m);
    n += (size_t)sprintf(t + n, " k%d=v\n", i);
    CHECK(t_man_fails_len("attrs limit+1", t, n, NULL, T_MF, UPD_E_TOOBIG, 2));
    free(t);
}

/* Whole-text limit: exactly UPDATER_MAX_MANIFEST_BYTES parses, one more is
   UPD_E_TOOBIG. */
static void test_manifest_size_limit(void)
{
    const char *head = "@serial 1\n" T_REL("hello", "1.0.0", "x");
    size_t hl = strlen(head), n, left, piece;
    char *t = (char *)malloc(T_MAN_MAX_BYTES + 2);
    upd_manifest m;
    CHECK(t != NULL);
    if (!t) return;
    memcpy(t, head, hl);
    n = hl;
    while ((left = T_MAN_MAX_BYTES + 1 - n) > 0) {
        /* comment lines of at most 1000 bytes; the last one ends the text */
        piece = left > 2000 ? 1000 : left;
        t[n] = '#';
        memset(t + n + 1, 'x', piece - 2);
        t[n + piece - 1] = '\n';
        n += piece;
    }
    /* n == MAX + 1; the text ends "...xx\n". Drop one 'x' for exactly MAX. */
    CHECK(n == T_MAN_MAX_BYTES + 1);
    CHECK(t_man_fails_len("text of limit+1", t, n, NULL, UPD_E_TOOBIG, T_NA, T_MAN_ANY_LINE));
    t[n - 2] = '\n';
    CHECK(t_man_parse_len(&m, t, n - 1, NULL));
    CHECK_EQ_INT(m.count, 1);
    upd_manifest_free(&m);
    free(t);
}

/* UPDATER_MAX_MANIFEST_LINES lines parse; one more line fails. */
static void test_manifest_lines_limit(void)
{
    const char *head = "@serial 1\n" T_REL("hello", "1.0.0", "x");
    size_t hl = strlen(head), n, i;
    char *t = (char *)malloc(hl + 2 * T_MAN_MAX_LINES + 16);
    upd_manifest m;
    CHECK(t != NULL);
    if (!t) return;
    memcpy(t, head, hl);
    n = hl;
    for (i = 3; i < T_MAN_MAX_LINES; i++) { t[n++] = '#'; t[n++] = '\n'; }
    t[n++] = '#';                       /* line T_MAN_MAX_LINES, no EOL */
    CHECK(t_man_parse_len(&m, t, n, NULL));
    CHECK_EQ_INT(m.count, 1);
    upd_manifest_free(&m);
    t[n++] = '\n';
    t[n++] = '#';                       /* line T_MAN_MAX_LINES + 1 */
    CHECK(t_man_fails_len("lines limit+1", t, n, NULL, UPD_E_TOOBIG, T_MF, T_MAN_ANY_LINE));
    t[n++] = '\n';
    CHECK(t_man_fails_len("lines limit+1 with EOL", t, n, NULL, UPD_E_TOOBIG, T_MF, T_MAN_ANY_LINE));
    free(t);
}

static void test_manifest_reuse_and_bom(void)
{
    upd_manifest m;
    int ctx = 0;
    static const char good[] = "@serial 3\n" T_REL("hello", "1.2.3", "x");
    static const char bad[] = "@serial 3\n" "hello 1.2.3 url=x size=1 size=2 sha256=" T_SHA_E3 "\n";
    static const char bom[] = "\xef\xbb\xbf" "@serial 3\n" T_REL("hello", "1.2.3", "x");

    /* failed parse, then free (twice through the API), then a good parse */
    memset(&m, 0, sizeof m);
    m.alloc_ctx = &ctx;
    CHECK_EQ_INT(upd_manifest_parse(&m, bad, strlen(bad), NULL), UPD_E_MANIFEST);
    CHECK_EQ_INT(m.count, 0);
    CHECK(m.releases == NULL);
    upd_manifest_free(&m);
    CHECK(m.alloc_ctx == (void *)&ctx);
    CHECK_EQ_INT(upd_manifest_parse(&m, good, strlen(good), NULL), UPD_OK);
    CHECK(m.serial == 3);
    CHECK_EQ_INT(m.count, 1);
    CHECK(m.count == 1 && strcmp(m.releases[0].version, "1.2.3") == 0);
    CHECK(m.alloc_ctx == (void *)&ctx);
    upd_manifest_free(&m);
    /* good, free, good again, free */
    CHECK_EQ_INT(upd_manifest_parse(&m, good, strlen(good), T_MAN_BASE), UPD_OK);
    CHECK(m.count == 1 && strcmp(m.releases[0].url, "https://example.org/hello/x") == 0);
    upd_manifest_free(&m);
    /* good, free, bad: the bad one leaves nothing behind */
    CHECK_EQ_INT(upd_manifest_parse(&m, bad, strlen(bad), NULL), UPD_E_MANIFEST);
    CHECK_EQ_INT(m.count, 0);
    CHECK(m.releases == NULL);
    CHECK_EQ_INT(m.error_line, 2);
    upd_manifest_free(&m);

    /* the parsed manifest does not point into the caller's text */
    {
        char copy[sizeof good];
        memcpy(copy, good, sizeof good);
        CHECK_EQ_INT(upd_manifest_parse(&m, copy, strlen(copy), NULL), UPD_OK);
        memset(copy, 'Z', sizeof copy - 1);
        CHECK(m.count == 1 && strcmp(m.releases[0].app, "hello") == 0
              && strcmp(m.releases[0].version, "1.2.3") == 0
              && strcmp(m.releases[0].url, "x") == 0);
        upd_manifest_free(&m);
    }

    /* a UTF-8 BOM at the very start is tolerated */
    if (t_man_parse(&m, bom, NULL)) {
        CHECK(m.serial == 3);
        CHECK_EQ_INT(m.count, 1);
        CHECK(m.count == 1 && m.releases[0].line == 2);
    } else CHECK(0);
    upd_manifest_free(&m);
}

/* ---------------------------------------------------------------------- */
/* Selection */

/* Runs upd_manifest_select and checks the outcome. want_version NULL means
   UPD_NO_UPDATE is expected. want_full / want_delta are the urls (as written:
   the manifests are parsed without a base) or NULL; want_critical -1 means
   not checked. */
static int t_sel(const upd_manifest *m, const char *app, const char *cur, const char *chan,
                 int bucket, const char *want_version, const char *want_full,
                 const char *want_delta, int want_critical)
{
    upd_query q;
    upd_choice c;
    upd_result r;
    int ok = 1, cmp = 42;
    memset(&q, 0, sizeof q);
    memset(&c, 0, sizeof c);
    q.app = app;
    q.current = cur;
    q.channel = chan;
    q.bucket = bucket;
    r = upd_manifest_select(m, &q, &c);
    if (want_version == NULL) {
        if (r != UPD_NO_UPDATE) ok = 0;
    } else if (r != UPD_OK) {
        ok = 0;
    } else {
        if (c.version == NULL || upd_vercmp(c.version, want_version, &cmp) != UPD_OK || cmp != 0)
            ok = 0;
        if (want_full == NULL ? c.full != NULL
                              : (c.full == NULL || strcmp(c.full->url, want_full) != 0))
            ok = 0;
        if (want_delta == NULL ? c.delta != NULL
                               : (c.delta == NULL || strcmp(c.delta->url, want_delta) != 0))
            ok = 0;
        if (want_critical >= 0 && c.critical != want_critical) ok = 0;
        if (c.full) {
            if (c.full < m->releases || c.full >= m->releases + m->count) ok = 0;
            else if (c.full->from != NULL || strcmp(c.full->app, app) != 0
                     || upd_vercmp(c.full->version, c.version, &cmp) != UPD_OK || cmp != 0)
                ok = 0;
        }
        if (c.delta) {
            if (c.delta < m->releases || c.delta >= m->releases + m->count) ok = 0;
            else if (c.delta->from == NULL || strcmp(c.delta->app, app) != 0
                     || upd_vercmp(c.delta->from, cur, &cmp) != UPD_OK || cmp != 0
                     || upd_vercmp(c.delta->version, c.version, &cmp) != UPD_OK || cmp != 0)
                ok = 0;
        }
    }
    if (!ok) {
        printf("  select(app=%s, current=%s, channel=%s, bucket=%d): result %d",
               app ? app : "(null)", cur ? cur : "(null)", chan ? chan : "(null)", bucket, (int)r);
        if (r == UPD_OK)
            printf(", version %s, full %s, delta %s, critical %d",
                   c.version ? c.version : "(null)", c.full ? c.full->url : "(null)",
                   c.delta ? c.delta->url : "(null)", c.critical);
        printf("; want %s, full %s, delta %s, critical %d\n",
               want_version ? want_version : "UPD_NO_UPDATE", want_full ? want_full : "(null)",
               want_delta ? want_delta : "(null)", want_critical);
    }
    return ok;
}

static upd_result t_sel_result(const upd_manifest *m, const char *app, const char *cur, int bucket)
{
    upd_query q;
    upd_choice c;
    memset(&q, 0, sizeof q);
    memset(&c, 0, sizeof c);
    q.app = app;
    q.current = cur;
    q.bucket = bucket;
    return upd_manifest_select(m, &q, &c);
}

static void test_manifest_select_basic(void)
{
    upd_manifest m;
    static const char text[] =
        "@serial 10\n"
        T_REL("hello", "1.2.0", "h120")
        "hello 1.4.0 url=h140" T_RT "\n"
        "hello 1.4.0 from=1.3.2 url=d132-140" T_RT "\n"
        T_REL("hello", "1.3.2", "h132")
        "hello 1.5.0-beta.1 channel=beta url=b150b1" T_RT "\n"
        "hello 1.4.1-rc.1 channel=nightly url=n141rc1" T_RT "\n"
        T_REL("other", "9.0.0", "o900")
        T_REL("other", "1.0.0", "o100");
    if (!t_man_parse(&m, text, NULL)) { CHECK(0); upd_manifest_free(&m); return; }

    CHECK(t_sel(&m, "hello", "1.3.1", NULL, 0, "1.4.0", "h140", NULL, 0));
    CHECK(t_sel(&m, "hello", "1.0.0", NULL, 0, "1.4.0", "h140", NULL, 0));
    CHECK(t_sel(&m, "hello", "1.2.0", "", 0, "1.4.0", "h140", NULL, 0));
    CHECK(t_sel(&m, "hello", "1.2.0", "stable", 50, "1.4.0", "h140", NULL, 0));
    CHECK(t_sel(&m, "hello", "1.4.0-rc.1", NULL, 0, "1.4.0", "h140", NULL, 0));
    /* delta for the installed version, together with the full release */
    CHECK(t_sel(&m, "hello", "1.3.2", NULL, 0, "1.4.0", "h140", "d132-140", 0));
    CHECK(t_sel(&m, "hello", "v1.3.2", NULL, 0, "1.4.0", "h140", "d132-140", 0));
    /* nothing newer */
    CHECK(t_sel(&m, "hello", "1.4.0", NULL, 0, NULL, NULL, NULL, -1));
    CHECK(t_sel(&m, "hello", "1.4", NULL, 0, NULL, NULL, NULL, -1));
    CHECK(t_sel(&m, "hello", "1.4.0", "", 0, NULL, NULL, NULL, -1));
    CHECK(t_sel(&m, "hello", "1.4.0", "stable", 0, NULL, NULL, NULL, -1));
    CHECK(t_sel(&m, "hello", "2.0.0", NULL, 0, NULL, NULL, NULL, -1));
    CHECK(t_sel(&m, "hello", "9.0.0", NULL, 0, NULL, NULL, NULL, -1));
    CHECK(t_sel(&m, "hello", "1.4.0+local.build", NULL, 0, NULL, NULL, NULL, -1));
    /* channels: beta sees beta and stable, nightly does not see beta */
    CHECK(t_sel(&m, "hello", "1.4.0", "beta", 0, "1.5.0-beta.1", "b150b1", NULL, 0));
    CHECK(t_sel(&m, "hello", "1.3.2", "beta", 0, "1.5.0-beta.1", "b150b1", NULL, 0));
    CHECK(t_sel(&m, "hello", "1.5.0", "beta", 0, NULL, NULL, NULL, -1));
    CHECK(t_sel(&m, "hello", "1.4.0", "nightly", 0, "1.4.1-rc.1", "n141rc1", NULL, 0));
    CHECK(t_sel(&m, "hello", "1.4.1", "nightly", 0, NULL, NULL, NULL, -1));
    /* other apps are ignored, and app names match exactly */
    CHECK(t_sel(&m, "other", "1.0.0", NULL, 0, "9.0.0", "o900", NULL, 0));
    CHECK(t_sel(&m, "other", "0.1", NULL, 0, "9.0.0", "o900", NULL, 0));
    CHECK(t_sel(&m, "nosuch", "0.0.1", NULL, 0, NULL, NULL, NULL, -1));
    CHECK(t_sel(&m, "hell", "1.0.0", NULL, 0, NULL, NULL, NULL, -1));
    CHECK(t_sel(&m, "Hello", "1.0.0", NULL, 0, NULL, NULL, NULL, -1));   /* compared exactly */
    {
        upd_result r = t_sel_result(&m, "", "1.0.0", 0);   /* "" is no app */
        CHECK(r == UPD_NO_UPDATE || r == UPD_E_ARG);
    }

    /* arguments */
    CHECK_EQ_INT(t_sel_result(&m, "hello", "1..0", 0), UPD_E_VERSION);
    CHECK_EQ_INT(t_sel_result(&m, "hello", "", 0), UPD_E_VERSION);
    CHECK_EQ_INT(t_sel_result(&m, "hello", "01.0.0", 0), UPD_E_VERSION);
    CHECK_EQ_INT(t_sel_result(&m, "hello", "1.3.1 ", 0), UPD_E_VERSION);
    CHECK_EQ_INT(t_sel_result(&m, NULL, "1.0.0", 0), UPD_E_ARG);
    CHECK_EQ_INT(t_sel_result(&m, "hello", "1.0.0", 100), UPD_E_ARG);
    CHECK_EQ_INT(t_sel_result(&m, "hello", "1.0.0", -1), UPD_E_ARG);
    CHECK_EQ_INT(t_sel_result(&m, "hello", "1.0.0", 99), UPD_OK);
    CHECK_EQ_INT(t_sel_result(&m, "hello", "1.0.0", 0), UPD_OK);
    upd_manifest_free(&m);
}

static void test_manifest_select_rollout(void)
{
    upd_manifest m;
    static const char text[] =
        "@serial 1\n"
        T_REL("hello", "1.1.0", "r110")
        "hello 1.2.0 rollout=10 url=r120" T_RT "\n"
        "hello 1.3.0 rollout=1 channel=beta url=r130" T_RT "\n"
        "hello 1.0.5 rollout=100 url=r105" T_RT "\n";
    if (!t_man_parse(&m, text, NULL)) { CHECK(0); upd_manifest_free(&m); return; }
    CHECK(t_sel(&m, "hello", "1.0.0", NULL, 9, "1.2.0", "r120", NULL, 0));
    CHECK(t_sel(&m, "hello", "1.0.0", NULL, 0, "1.2.0", "r120", NULL, 0));
    CHECK(t_sel(&m, "hello", "1.0.0", NULL, 10, "1.1.0", "r110", NULL, 0));
    CHECK(t_sel(&m, "hello", "1.0.0", NULL, 99, "1.1.0", "r110", NULL, 0));
    CHECK(t_sel(&m, "hello", "1.1.0", NULL, 9, "1.2.0", "r120", NULL, 0));
    CHECK(t_sel(&m, "hello", "1.1.0", NULL, 10, NULL, NULL, NULL, -1));
    CHECK(t_sel(&m, "hello", "1.1.0", NULL, 99, NULL, NULL, NULL, -1));
    CHECK(t_sel(&m, "hello", "1.2.0", "beta", 0, "1.3.0", "r130", NULL, 0));
    CHECK(t_sel(&m, "hello", "1.2.0", "beta", 1, NULL, NULL, NULL, -1));
    CHECK(t_sel(&m, "hello", "1.0.0", "beta", 1, "1.2.0", "r120", NULL, 0));
    CHECK(t_sel(&m, "hello", "1.0.0", "beta", 0, "1.3.0", "r130", NULL, 0));
    CHECK(t_sel(&m, "hello", "1.0.0", "beta", 10, "1.1.0", "r110", NULL, 0));
    upd_manifest_free(&m);
}

static void test_manifest_select_min(void)
{
    upd_manifest m;
    static const char text[] =
        "@serial 1\n"
        "hello 2.0.0 min=1.2.0 url=m200" T_RT "\n"
        T_REL("hello", "1.2.0", "m120");
    if (!t_man_parse(&m, text, NULL)) { CHECK(0); upd_manifest_free(&m); return; }
    CHECK(t_sel(&m, "hello", "1.1.0", NULL, 0, "1.2.0", "m120", NULL, 0));   /* stepping stone */
    CHECK(t_sel(&m, "hello", "1.0.0", NULL, 0, "1.2.0", "m120", NULL, 0));
    CHECK(t_sel(&m, "hello", "1.2.0-rc.1", NULL, 0, "1.2.0", "m120", NULL, 0));
    CHECK(t_sel(&m, "hello", "1.2.0", NULL, 0, "2.0.0", "m200", NULL, 0));   /* current == min */
    CHECK(t_sel(&m, "hello", "1.2", NULL, 0, "2.0.0", "m200", NULL, 0));
    CHECK(t_sel(&m, "hello", "1.5.0", NULL, 0, "2.0.0", "m200", NULL, 0));
    CHECK(t_sel(&m, "hello", "2.0.0", NULL, 0, NULL, NULL, NULL, -1));
    upd_manifest_free(&m);
}

static void test_manifest_select_delta(void)
{
    upd_manifest m;
    static const char text[] =
        "@serial 1\n"
        T_REL("hello", "1.4.0", "f140")
        "hello 1.5.0 from=1.4.0 url=d140-150" T_RT "\n"
        "hello 1.5.0 from=1.3.0 url=d130-150" T_RT "\n";
    if (!t_man_parse(&m, text, NULL)) { CHECK(0); upd_manifest_free(&m); return; }
    /* the newest version exists only as deltas */
    CHECK(t_sel(&m, "hello", "1.4.0", NULL, 0, "1.5.0", NULL, "d140-150", 0));
    CHECK(t_sel(&m, "hello", "1.3.0", NULL, 0, "1.5.0", NULL, "d130-150", 0));
    CHECK(t_sel(&m, "hello", "v1.4", NULL, 0, "1.5.0", NULL, "d140-150", 0));
    /* no delta from 1.3.5: the full 1.4.0 instead */
    CHECK(t_sel(&m, "hello", "1.3.5", NULL, 0, "1.4.0", "f140", NULL, 0));
    CHECK(t_sel(&m, "hello", "1.2.0", NULL, 0, "1.4.0", "f140", NULL, 0));
    CHECK(t_sel(&m, "hello", "1.4.1", NULL, 0, NULL, NULL, NULL, -1));
    CHECK(t_sel(&m, "hello", "1.5.0", NULL, 0, NULL, NULL, NULL, -1));
    upd_manifest_free(&m);
}

/* @trust-key / @revoke-key: parsed into m.trust / m.revoke; a bad key, a
   key both trusted and revoked, or too many lines are errors with the line. */
#define T_KEY_A "RWQPdcvepQl92k8jfk5cjBaKjPaVhAhEhoP+hqhj5MBtCA4F4l6UxU9D"
#define T_KEY_B "RWQ/I5WKV0neCecuJJFX/IJvKWT44Une6kIrUmXw55bPwXglR12lkzdp"
static void test_manifest_keys(void)
{
    upd_manifest m;
    upd_pubkey a, b;
    char big[4096];
    int i;
    CHECK(upd_pubkey_parse(&a, T_KEY_A, strlen(T_KEY_A)) == UPD_OK);
    CHECK(upd_pubkey_parse(&b, T_KEY_B, strlen(T_KEY_B)) == UPD_OK);
    if (t_man_parse(&m, "@serial 1\n@trust-key " T_KEY_A "\n@revoke-key " T_KEY_B "\n@trust-key " T_KEY_A "\n", NULL)) {
        CHECK(m.ntrust == 1 && memcmp(&m.trust[0], &a, sizeof a) == 0);
        CHECK(m.nrevoke == 1 && memcmp(&m.revoke[0], &b, sizeof b) == 0);
    } else CHECK(0);
    upd_manifest_free(&m);
    CHECK(m.ntrust == 0 && m.nrevoke == 0);
    CHECK(t_man_fails("bad key", "@serial 1\n@trust-key RWQnotakey\n", NULL, T_MF, T_NA, 2));
    CHECK(t_man_fails("two values", "@serial 1\n@revoke-key " T_KEY_A " " T_KEY_B "\n", NULL, T_MF, T_NA, 2));
    CHECK(t_man_fails("no value", "@serial 1\n@trust-key\n", NULL, T_MF, T_NA, 2));
    CHECK(t_man_fails("trusted and revoked", "@serial 1\n@trust-key " T_KEY_A "\n@revoke-key " T_KEY_A "\n", NULL, T_MF, T_NA, 3));
    /* nine distinct keys: over UPDATER_MAX_MANIFEST_KEYS */
    strcpy(big, "@serial 1\n");
    for (i = 0; i < 9; i++) {
        upd_pubkey pk;
        upd_seckey sk;
        char txt[256], *line;
        CHECK(upd_minisign_keygen(&pk, &sk) == UPD_OK);
        CHECK(upd_pubkey_format(&pk, txt, sizeof txt) == UPD_OK);
        line = strchr(txt, '\n');
        if (!line) { CHECK(0); return; }
        strcat(big, "@trust-key ");
        strncat(big, line + 1, 56);
        strcat(big, "\n");
    }
    CHECK(t_man_fails("nine keys", big, NULL, T_MF, T_NA, 10));
}

/* upd_query.skip: versions rolled back on this installation are never
   offered again; an older one still newer than the installed version is,
   and so is a newer one. */
static int t_skip_v(void *user, const char *version)
{
    return strcmp(version, (const char *)user) == 0;
}

static void test_manifest_select_skip(void)
{
    upd_manifest m;
    upd_query q;
    upd_choice c;
    static const char text[] =
        "@serial 1\n"
        T_REL("hello", "1.1.0", "f110")
        T_REL("hello", "1.2.0", "f120")
        "hello 1.2.0 from=1.0.0 url=d100-120" T_RT "\n";
    if (!t_man_parse(&m, text, NULL)) { CHECK(0); upd_manifest_free(&m); return; }
    memset(&q, 0, sizeof q);
    q.app = "hello";
    q.current = "1.0.0";
    q.skip = t_skip_v;
    q.skip_user = (void *)(uintptr_t)"1.2.0";
    CHECK(upd_manifest_select(&m, &q, &c) == UPD_OK && strcmp(c.version, "1.1.0") == 0 && c.delta == NULL &&
          c.full != NULL && strcmp(c.full->url, "f110") == 0);
    q.skip_user = (void *)(uintptr_t)"1.1.0";
    CHECK(upd_manifest_select(&m, &q, &c) == UPD_OK && strcmp(c.version, "1.2.0") == 0 && c.delta != NULL);
    q.current = "1.1.0";
    q.skip_user = (void *)(uintptr_t)"1.2.0";
    CHECK(upd_manifest_select(&m, &q, &c) == UPD_NO_UPDATE);
    upd_manifest_free(&m);
}

/* channel, rollout and min given on one line of an app and version apply
   to all its lines (full and incremental): a delta cannot escape them. */
static void test_manifest_select_shared_attrs(void)
{
    upd_manifest m;
    static const char text[] =
        "@serial 1\n"
        T_REL("hello", "1.4.0", "f140")
        "hello 1.5.0 channel=beta rollout=10 min=1.2.0 url=f150" T_RT "\n"
        "hello 1.5.0 from=1.4.0 url=d140-150" T_RT "\n"
        "hello 1.5.0 from=1.1.0 url=d110-150" T_RT "\n"
        "hello 1.6.0 from=1.5.0 channel=beta rollout=20 min=1.5.0 url=d150-160" T_RT "\n"
        "hello 1.6.0 url=f160 rollout=20" T_RT "\n";
    if (!t_man_parse(&m, text, NULL)) { CHECK(0); upd_manifest_free(&m); return; }
    CHECK_EQ_INT(m.count, 6);
    if (m.count == 6) {
        CHECK_STR(m.releases[2].channel, "beta");
        CHECK_EQ_INT(m.releases[2].rollout, 10);
        CHECK_STR(m.releases[2].min, "1.2.0");
        CHECK_STR(m.releases[3].channel, "beta");
        CHECK_EQ_INT(m.releases[3].rollout, 10);
        CHECK_STR(m.releases[5].channel, "beta");      /* given on the delta line */
        CHECK_EQ_INT(m.releases[5].rollout, 20);
        CHECK_STR(m.releases[5].min, "1.5.0");
        CHECK_STR(m.releases[0].channel, "stable");    /* another version: untouched */
        CHECK_EQ_INT(m.releases[0].rollout, 100);
        CHECK(m.releases[0].min == NULL);
    }
    /* stable clients never see 1.5.0, not even through the delta */
    CHECK(t_sel(&m, "hello", "1.4.0", NULL, 0, NULL, NULL, NULL, -1));
    /* beta, outside 1.5.0's rollout (and 1.6.0 needs min 1.5.0) */
    CHECK(t_sel(&m, "hello", "1.4.0", "beta", 10, NULL, NULL, NULL, -1));
    /* beta, inside the rollout: full and delta */
    CHECK(t_sel(&m, "hello", "1.4.0", "beta", 9, "1.5.0", "f150", "d140-150", 0));
    /* the delta from 1.1.0 is below min=1.2.0 (given on the full line) */
    CHECK(t_sel(&m, "hello", "1.1.0", "beta", 0, "1.4.0", "f140", NULL, 0));
    /* 1.6.0: beta, rollout 20 and min 1.5.0, all from its delta line */
    CHECK(t_sel(&m, "hello", "1.5.0", "beta", 19, "1.6.0", "f160", "d150-160", 0));
    CHECK(t_sel(&m, "hello", "1.5.0", "beta", 20, NULL, NULL, NULL, -1));
    CHECK(t_sel(&m, "hello", "1.5.0", NULL, 0, NULL, NULL, NULL, -1));
    upd_manifest_free(&m);
}

static void test_manifest_select_critical(void)
{
    upd_manifest m;
    static const char text[] =
        "@serial 1\n"
        "hello 1.1.0 critical=1 url=c110" T_RT "\n"
        T_REL("hello", "1.2.0", "c120")
        "hello 1.3.0-beta.1 channel=beta critical=1 url=c130b" T_RT "\n"
        "hello 1.2.5 rollout=10 critical=1 url=c125" T_RT "\n"
        "hello 1.2.0 from=1.0.5 critical=1 url=c105-120" T_RT "\n"
        "hello 1.1.5 min=1.1.0 critical=1 url=c115" T_RT "\n"
        "other 5.0.0 critical=1 url=o500" T_RT "\n";
    if (!t_man_parse(&m, text, NULL)) { CHECK(0); upd_manifest_free(&m); return; }
    /* 1.1.0 (skipped over) is critical; 1.1.5 needs min 1.1.0 */
    CHECK(t_sel(&m, "hello", "1.0.0", NULL, 50, "1.2.0", "c120", NULL, 1));
    /* from 1.1.5 nothing critical is offered: the beta, the rollout-excluded
       1.2.5, the delta from 1.0.5 and the other app's release do not count */
    CHECK(t_sel(&m, "hello", "1.1.5", NULL, 50, "1.2.0", "c120", NULL, 0));
    /* 1.1.5 is offered to 1.1.0 (min met) and is critical */
    CHECK(t_sel(&m, "hello", "1.1.0", NULL, 50, "1.2.0", "c120", NULL, 1));
    /* the chosen release itself is critical */
    CHECK(t_sel(&m, "hello", "1.1.5", NULL, 5, "1.2.5", "c125", NULL, 1));
    CHECK(t_sel(&m, "hello", "1.2.0", "beta", 50, "1.3.0-beta.1", "c130b", NULL, 1));
    CHECK(t_sel(&m, "hello", "1.2.0", NULL, 50, NULL, NULL, NULL, -1));
    /* the delta from 1.0.5 is critical and applies */
    CHECK(t_sel(&m, "hello", "1.0.5", NULL, 50, "1.2.0", "c120", "c105-120", 1));
    upd_manifest_free(&m);
}

/* The float trap, through selection. */
static void test_manifest_select_float_trap(void)
{
    upd_manifest m;
    static const char text[] =
        "@serial 1\n"
        T_REL("hello", "1.10", "f110")
        T_REL("hello", "1.9", "f19")
        T_REL("hello", "1.2", "f12");
    if (!t_man_parse(&m, text, NULL)) { CHECK(0); upd_manifest_free(&m); return; }
    CHECK(t_sel(&m, "hello", "1.9", NULL, 0, "1.10.0", "f110", NULL, 0));
    CHECK(t_sel(&m, "hello", "1.2", NULL, 0, "1.10.0", "f110", NULL, 0));
    CHECK(t_sel(&m, "hello", "1.10", NULL, 0, NULL, NULL, NULL, -1));
    CHECK(t_sel(&m, "hello", "1.9.9", NULL, 0, "1.10", "f110", NULL, 0));
    upd_manifest_free(&m);
}

static void test_manifest_check_time(void)
{
    upd_manifest m;
    const int64_t e = 1798675200;
    if (t_man_parse(&m, "@serial 1\n@expires 2026-12-31T00:00:00Z\n" T_REL("a", "1", "x"), NULL)) {
        CHECK_EQ_INT(upd_manifest_check_time(&m, e - 1), UPD_OK);
        CHECK_EQ_INT(upd_manifest_check_time(&m, 0), UPD_OK);
        CHECK_EQ_INT(upd_manifest_check_time(&m, -1), UPD_OK);
        CHECK_EQ_INT(upd_manifest_check_time(&m, e), UPD_E_EXPIRED);
        CHECK_EQ_INT(upd_manifest_check_time(&m, e + 1), UPD_E_EXPIRED);
        CHECK_EQ_INT(upd_manifest_check_time(&m, (int64_t)9223372036854775807LL), UPD_E_EXPIRED);
    } else CHECK(0);
    upd_manifest_free(&m);
    if (t_man_parse(&m, "@serial 1\n@expires 1970-01-01T00:00:00Z\n" T_REL("a", "1", "x"), NULL)) {
        CHECK_EQ_INT(upd_manifest_check_time(&m, -1), UPD_OK);
        CHECK_EQ_INT(upd_manifest_check_time(&m, 0), UPD_E_EXPIRED);
    } else CHECK(0);
    upd_manifest_free(&m);
    if (t_man_parse(&m, "@serial 1\n" T_REL("a", "1", "x"), NULL)) {
        CHECK_EQ_INT(upd_manifest_check_time(&m, 0), UPD_OK);
        CHECK_EQ_INT(upd_manifest_check_time(&m, e), UPD_OK);
        CHECK_EQ_INT(upd_manifest_check_time(&m, (int64_t)9223372036854775807LL), UPD_OK);
    } else CHECK(0);
    upd_manifest_free(&m);
}

static void test_manifest_rollout_bucket(void)
{
    int seen[100];
    int i, b, in_range = 1, deterministic = 1, formula = 1, distinct = 0;
    char id[32];
    memset(seen, 0, sizeof seen);
    for (i = 0; i < 1000; i++) {
        uint8_t d[32];
        uint64_t x = 0;
        int k;
        snprintf(id, sizeof id, "id-%d", i);
        b = upd_rollout_bucket(id);
        if (b < 0 || b > 99) { in_range = 0; continue; }
        if (upd_rollout_bucket(id) != b) deterministic = 0;
        seen[b]++;
        /* the documented formula: first 8 bytes of SHA-256(id), big-endian, mod 100 */
        upd_sha256(id, strlen(id), d);
        for (k = 0; k < 8; k++) x = (x << 8) | d[k];
        if ((int)(x % 100) != b) formula = 0;
    }
    CHECK(in_range);
    CHECK(deterministic);
    CHECK(formula);
    for (i = 0; i < 100; i++) if (seen[i]) distinct++;
    CHECK_EQ_INT(distinct, 100);
    /* independent values (computed with Python's hashlib) */
    CHECK_EQ_INT(upd_rollout_bucket(""), 52);      /* e3b0c44298fc1c14 % 100 */
    CHECK_EQ_INT(upd_rollout_bucket("abc"), 74);   /* ba7816bf8f01cfea % 100 */
    CHECK_EQ_INT(upd_rollout_bucket("id-0"), 19);
    CHECK_EQ_INT(upd_rollout_bucket("id-1"), 34);
}

/* tree= is kept, and a value given on one line of a release applies to
   its other lines (an incremental package must prove the full one's tree) */
static void test_manifest_tree(void)
{
    static const char text[] = "@serial 3\n"
        "hello 1.5.0 url=f tree=" T_SHA_BA_UP T_RT "\n"
        "hello 1.5.0 from=1.4.0 url=d" T_RT "\n"
        "hello 1.4.0 url=g" T_RT "\n"
        "hello 1.6.0 url=h tree=" T_SHA_E3 T_RT "\n"
        "hello 1.6.0 from=1.5.0 url=i tree=" T_SHA_E3 T_RT "\n";
    uint8_t ba[32], e3[32];
    upd_manifest m;
    size_t i;
    memset(&m, 0, sizeof m);
    upd_hex_decode(T_SHA_BA, ba, 32);
    upd_hex_decode(T_SHA_E3, e3, 32);
    CHECK_EQ_INT(upd_manifest_parse(&m, text, sizeof text - 1, T_MAN_BASE), UPD_OK);
    CHECK_EQ_INT((int)m.count, 5);
    for (i = 0; i < m.count && i < 5; i++) {
        const upd_release *r = &m.releases[i];
        CHECK_EQ_INT(r->has_tree, i == 2 ? 0 : 1);
        if (i < 2) CHECK(memcmp(r->tree, ba, 32) == 0);
        if (i > 2) CHECK(memcmp(r->tree, e3, 32) == 0);
    }
    upd_manifest_free(&m);
}

#define TEST_LIST_MANIFEST                      \
    T(test_manifest_parse_all_fields)           \
    T(test_manifest_tree)                       \
    T(test_manifest_expires_and_serial_values)  \
    T(test_manifest_comments)                   \
    T(test_manifest_crlf_tabs_blank_lines)      \
    T(test_manifest_url_resolution)             \
    T(test_manifest_malformed)                  \
    T(test_manifest_nul_bytes)                  \
    T(test_manifest_line_limit)                 \
    T(test_manifest_attr_limit)                 \
    T(test_manifest_size_limit)                 \
    T(test_manifest_lines_limit)                \
    T(test_manifest_reuse_and_bom)              \
    T(test_manifest_select_basic)               \
    T(test_manifest_select_rollout)             \
    T(test_manifest_select_min)                 \
    T(test_manifest_select_delta)               \
    T(test_manifest_select_skip)                \
    T(test_manifest_keys)                       \
    T(test_manifest_select_shared_attrs)        \
    T(test_manifest_select_critical)            \
    T(test_manifest_select_float_trap)          \
    T(test_manifest_check_time)                 \
    T(test_manifest_rollout_bucket)
