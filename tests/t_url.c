/* tests/t_url.c - URL resolution (updater.h section 5), checked against
   RFC 3986 section 5.2 (strict) and its section 5.4 examples, with the
   documented differences: #fragments are dropped, an empty path becomes "/",
   only http/https results, no userinfo, port 1-65535.
   #included by test_main.c (unity build). */

#ifdef UPDATER_MAX_URL
#define T_URL_MAX UPDATER_MAX_URL
#else
#define T_URL_MAX 4096            /* the documented default */
#endif

#define T_URL_BASE "http://a/b/c/d;p?q"

/* upd_url_resolve(base, ref) must give UPD_OK and exactly want. */
static int t_url_is(const char *base, const char *ref, const char *want)
{
    char out[512];
    const char *why = NULL;
    upd_result r;
    memset(out, 'X', sizeof out);
    out[sizeof out - 1] = '\0';
    r = upd_url_resolve(base, ref, out, sizeof out, &why);
    if (r == UPD_OK && strcmp(out, want) == 0) return 1;
    printf("  upd_url_resolve(\"%s\", \"%s\"): result %d, \"%s\" (%s); want \"%s\"\n",
           base ? base : "(null)", ref, (int)r, r == UPD_OK ? out : "",
           why ? why : "", want);
    return 0;
}

/* upd_url_resolve(base, ref) must fail with UPD_E_URL and a reason. */
static int t_url_bad(const char *base, const char *ref)
{
    char out[512];
    const char *why = NULL;
    upd_result r = upd_url_resolve(base, ref, out, sizeof out, &why);
    if (r == UPD_E_URL && why != NULL && why[0] != '\0'
        && upd_url_resolve(base, ref, out, sizeof out, NULL) == UPD_E_URL)
        return 1;
    printf("  upd_url_resolve(\"%s\", \"%s\"): result %d (%s); want UPD_E_URL with a reason\n",
           base ? base : "(null)", ref, (int)r, r == UPD_OK ? out : (why ? why : "no reason"));
    return 0;
}

/* RFC 3986 5.4.1 normal examples (fragments dropped, empty path -> "/"). */
static void test_url_rfc3986_normal(void)
{
    static const char *const cases[][2] = {
        { "g",        "http://a/b/c/g" },
        { "./g",      "http://a/b/c/g" },
        { "g/",       "http://a/b/c/g/" },
        { "/g",       "http://a/g" },
        { "//g",      "http://g/" },            /* RFC: "http://g" */
        { "?y",       "http://a/b/c/d;p?y" },
        { "g?y",      "http://a/b/c/g?y" },
        { "#s",       "http://a/b/c/d;p?q" },   /* RFC: "...?q#s" */
        { "g#s",      "http://a/b/c/g" },
        { "g?y#s",    "http://a/b/c/g?y" },
        { ";x",       "http://a/b/c/;x" },
        { "g;x",      "http://a/b/c/g;x" },
        { "g;x?y#s",  "http://a/b/c/g;x?y" },
        { "",         "http://a/b/c/d;p?q" },
        { ".",        "http://a/b/c/" },
        { "./",       "http://a/b/c/" },
        { "..",       "http://a/b/" },
        { "../",      "http://a/b/" },
        { "../g",     "http://a/b/g" },
        { "../..",    "http://a/" },
        { "../../",   "http://a/" },
        { "../../g",  "http://a/g" }
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK(t_url_is(T_URL_BASE, cases[i][0], cases[i][1]));
    /* "g:h" resolves to "g:h": scheme g is not http/https. */
    CHECK(t_url_bad(T_URL_BASE, "g:h"));
}

/* RFC 3986 5.4.2 abnormal examples. */
static void test_url_rfc3986_abnormal(void)
{
    static const char *const cases[][2] = {
        { "../../../g",    "http://a/g" },
        { "../../../../g", "http://a/g" },
        { "/./g",          "http://a/g" },
        { "/../g",         "http://a/g" },
        { "g.",            "http://a/b/c/g." },
        { ".g",            "http://a/b/c/.g" },
        { "g..",           "http://a/b/c/g.." },
        { "..g",           "http://a/b/c/..g" },
        { "./../g",        "http://a/b/g" },
        { "./g/.",         "http://a/b/c/g/" },
        { "g/./h",         "http://a/b/c/g/h" },
        { "g/../h",        "http://a/b/c/h" },
        { "g;x=1/./y",     "http://a/b/c/g;x=1/y" },
        { "g;x=1/../y",    "http://a/b/c/y" },
        { "g?y/./x",       "http://a/b/c/g?y/./x" },   /* no dot removal in query */
        { "g?y/../x",      "http://a/b/c/g?y/../x" },
        { "g#s/./x",       "http://a/b/c/g" },         /* RFC: "...g#s/./x" */
        { "g#s/../x",      "http://a/b/c/g" }          /* RFC: "...g#s/../x" */
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK(t_url_is(T_URL_BASE, cases[i][0], cases[i][1]));
    /* "http:g": a strict parser (as documented) yields "http:g", which has
       no authority and therefore no host. */
    CHECK(t_url_bad(T_URL_BASE, "http:g"));
}

static void test_url_absolute_and_scheme(void)
{
    char out[256];
    upd_result r;
    CHECK(t_url_is(T_URL_BASE, "https://cdn.example.org/x.tar.gz", "https://cdn.example.org/x.tar.gz"));
    CHECK(t_url_is("https://example.org/hello/versions", "http://other.example/y",
                   "http://other.example/y"));
    CHECK(t_url_is("https://a/b/c", "//other.example/x", "https://other.example/x"));
    CHECK(t_url_is("http://a/b/c", "//other.example/x", "http://other.example/x"));
    CHECK(t_url_is(T_URL_BASE, "https://h/x/../y/./z", "https://h/y/z"));

    /* Scheme is written lowercase; host case is not specified, compare it
       case-insensitively. */
    memset(out, 0, sizeof out);
    r = upd_url_resolve(NULL, "HTTP://Host/x", out, sizeof out, NULL);
    CHECK_EQ_INT(r, UPD_OK);
    CHECK(strncmp(out, "http://", 7) == 0);
    CHECK(strlen(out) == strlen("http://host/x"));
    CHECK(r == UPD_OK && (out[7] == 'h' || out[7] == 'H') && strcmp(out + 8, "ost/x") == 0);
    memset(out, 0, sizeof out);
    r = upd_url_resolve(T_URL_BASE, "HtTpS://h/Path", out, sizeof out, NULL);
    CHECK_EQ_INT(r, UPD_OK);
    CHECK_STR(out, "https://h/Path");          /* path case preserved */

    /* Empty path becomes "/". */
    CHECK(t_url_is(NULL, "http://h", "http://h/"));
    CHECK(t_url_is(NULL, "https://h", "https://h/"));
    CHECK(t_url_is(NULL, "http://h:8080", "http://h:8080/"));
    CHECK(t_url_is(NULL, "http://h?q", "http://h/?q"));
    CHECK(t_url_is(NULL, "http://h#frag", "http://h/"));
    CHECK(t_url_is(NULL, "http://h/a/b#frag", "http://h/a/b"));
}

static void test_url_bad_schemes(void)
{
    CHECK(t_url_bad(T_URL_BASE, "file:///etc/passwd"));
    CHECK(t_url_bad(NULL, "file:///etc/passwd"));
    CHECK(t_url_bad(T_URL_BASE, "ftp://x/"));
    CHECK(t_url_bad(T_URL_BASE, "gopher://x/"));
    CHECK(t_url_bad(T_URL_BASE, "data:text/plain,hi"));
    CHECK(t_url_bad(T_URL_BASE, "data:"));
    CHECK(t_url_bad(T_URL_BASE, "javascript:alert(1)"));
    CHECK(t_url_bad(NULL, "httpx://h/"));
    CHECK(t_url_bad(NULL, "http+unix://h/"));
    /* A relative ref against a non-http base gives a non-http result. */
    CHECK(t_url_bad("file:///etc/", "passwd"));
    CHECK(t_url_bad("ftp://x/a/", "b"));
}

static void test_url_authority(void)
{
    /* userinfo is refused (credentials never travel in URLs) */
    CHECK(t_url_bad(NULL, "http://user:pw@host/x"));
    CHECK(t_url_bad(NULL, "http://user@host/x"));
    CHECK(t_url_bad(NULL, "https://@host/x"));
    CHECK(t_url_bad(T_URL_BASE, "//user:pw@host/x"));
    /* empty host */
    CHECK(t_url_bad(NULL, "http:///x"));
    CHECK(t_url_bad(NULL, "https://"));
    CHECK(t_url_bad(NULL, "http://:80/x"));
    CHECK(t_url_bad(T_URL_BASE, "///x"));
    CHECK(t_url_bad(NULL, "http:/x"));
    /* ports */
    CHECK(t_url_is(NULL, "http://h:8080/x", "http://h:8080/x"));
    CHECK(t_url_is(NULL, "http://h:1/x", "http://h:1/x"));
    CHECK(t_url_is(NULL, "http://h:65535/x", "http://h:65535/x"));
    CHECK(t_url_bad(NULL, "http://h:0/"));
    CHECK(t_url_bad(NULL, "http://h:65536/"));
    CHECK(t_url_bad(NULL, "http://h:4294967376/"));   /* 2^32 + 80: no wrap */
    CHECK(t_url_bad(NULL, "http://h:x/"));
    CHECK(t_url_bad(NULL, "http://h:-1/"));
    CHECK(t_url_bad(NULL, "http://h:80:80/"));
    /* IPv4 and IPv6 */
    CHECK(t_url_is(NULL, "http://192.0.2.1/x", "http://192.0.2.1/x"));
    CHECK(t_url_is(NULL, "http://[::1]:8080/a", "http://[::1]:8080/a"));
    CHECK(t_url_is(NULL, "https://[2001:db8::1]/a/../b", "https://[2001:db8::1]/b"));
    CHECK(t_url_is("http://[::1]:8080/a/b", "c", "http://[::1]:8080/a/c"));
    CHECK(t_url_bad(NULL, "http://[::1/a"));
    CHECK(t_url_bad(NULL, "http://[::1]x/a"));
}

static void test_url_bad_characters(void)
{
    CHECK(t_url_bad(NULL, "http://h/a b"));
    CHECK(t_url_bad(NULL, "http://h/a\\b"));
    CHECK(t_url_bad(NULL, "http://h\\evil/"));
    CHECK(t_url_bad(NULL, "http://h/a\x01" "b"));
    CHECK(t_url_bad(NULL, "http://h/a\x7f" "b"));
    CHECK(t_url_bad(NULL, "http://h/a\tb"));
    CHECK(t_url_bad(NULL, "http://h/a\nb"));
    CHECK(t_url_bad(NULL, "http://h/caf\xc3\xa9"));
    CHECK(t_url_bad(NULL, "http://h/a\x80"));
    CHECK(t_url_bad(NULL, "http://h\xc3\xa9/"));
    CHECK(t_url_bad(NULL, "http://h/%zz"));
    CHECK(t_url_bad(NULL, "http://h/%2"));
    CHECK(t_url_bad(NULL, "http://h/%"));
    CHECK(t_url_bad(NULL, "http://h/%g0"));
    CHECK(t_url_bad(NULL, "http://h/a?%zz"));
    CHECK(t_url_bad(NULL, "http://h/\"x\""));
    CHECK(t_url_bad(NULL, "http://h/<x>"));
    /* the same in a relative reference ... */
    CHECK(t_url_bad(T_URL_BASE, "a b"));
    CHECK(t_url_bad(T_URL_BASE, "a\\b"));
    CHECK(t_url_bad(T_URL_BASE, "a\x01" "b"));
    CHECK(t_url_bad(T_URL_BASE, "\xff"));
    CHECK(t_url_bad(T_URL_BASE, "%zz"));
    CHECK(t_url_bad(T_URL_BASE, "x%2"));
    /* ... and in the base */
    CHECK(t_url_bad("http://a/b c/", "g"));
    CHECK(t_url_bad("http://a/%zz/", "g"));
    /* valid percent-encodings pass through */
    CHECK(t_url_is(NULL, "http://h/a%2Fb", "http://h/a%2Fb"));
    CHECK(t_url_is(T_URL_BASE, "x%2Fy", "http://a/b/c/x%2Fy"));
    CHECK(t_url_is(NULL, "http://h/%41%20%7E?q=%2F", "http://h/%41%20%7E?q=%2F"));
    CHECK(t_url_is(NULL, "http://h/a-b_c~d!$&'()*+,;=:@/x", "http://h/a-b_c~d!$&'()*+,;=:@/x"));
}

static void test_url_base_null(void)
{
    CHECK(t_url_bad(NULL, "g"));
    CHECK(t_url_bad(NULL, "/g"));
    CHECK(t_url_bad(NULL, "//h/g"));
    CHECK(t_url_bad(NULL, "../g"));
    CHECK(t_url_bad(NULL, ""));
    CHECK(t_url_is(NULL, "http://h/x", "http://h/x"));
    CHECK(t_url_is(NULL, "https://example.org/a/./b/../c?d#e", "https://example.org/a/c?d"));
    /* a base that is not absolute cannot resolve anything relative */
    CHECK(t_url_bad("a/b", "c"));
    CHECK(t_url_bad("/a/b", "c"));
}

static void test_url_output_size(void)
{
    const char *want = "http://a/b/c/g?y";
    size_t n = strlen(want);
    char out[64];
    char *big, *ref;
    upd_result r;
    size_t cap;

    /* exact fit: strlen + 1 */
    memset(out, 'X', sizeof out);
    r = upd_url_resolve(T_URL_BASE, "g?y", out, n + 1, NULL);
    CHECK_EQ_INT(r, UPD_OK);
    CHECK(r == UPD_OK && out[n] == '\0' && strcmp(out, want) == 0);
    CHECK(out[n + 1] == 'X');                 /* nothing written past cap */
    /* one byte short, and much shorter */
    for (cap = 0; cap <= n; cap++) {
        memset(out, 'X', sizeof out);
        r = upd_url_resolve(T_URL_BASE, "g?y", out, cap, NULL);
        if (r != UPD_E_TOOBIG) printf("  cap %u: result %d\n", (unsigned)cap, (int)r);
        CHECK_EQ_INT(r, UPD_E_TOOBIG);
        CHECK(out[cap] == 'X');               /* nothing written past cap */
    }
    /* "http://h" becomes "http://h/": 10 bytes with the NUL */
    memset(out, 'X', sizeof out);
    CHECK_EQ_INT(upd_url_resolve(NULL, "http://h", out, 9, NULL), UPD_E_TOOBIG);
    CHECK_EQ_INT(upd_url_resolve(NULL, "http://h", out, 10, NULL), UPD_OK);
    CHECK_STR(out, "http://h/");

    /* a result longer than UPDATER_MAX_URL is UPD_E_TOOBIG even with room.
       (Whether the limit counts the NUL is not documented: MAX-1 characters
       must fit, MAX+1 must not.) */
    big = (char *)malloc(4 * T_URL_MAX + 64);
    ref = (char *)malloc(T_URL_MAX + 8);
    CHECK(big != NULL && ref != NULL);
    if (big && ref) {
        size_t pre = strlen("http://h/");
        memcpy(ref, "http://h/", pre);
        memset(ref + pre, 'a', T_URL_MAX + 1 - pre);
        ref[T_URL_MAX - 1] = '\0';
        r = upd_url_resolve(NULL, ref, big, 4 * T_URL_MAX + 64, NULL);
        CHECK_EQ_INT(r, UPD_OK);
        CHECK(r == UPD_OK && strcmp(big, ref) == 0);
        ref[T_URL_MAX - 1] = 'a';
        ref[T_URL_MAX + 1] = '\0';
        r = upd_url_resolve(NULL, ref, big, 4 * T_URL_MAX + 64, NULL);
        CHECK_EQ_INT(r, UPD_E_TOOBIG);
        /* the same length reached by resolving a short reference */
        r = upd_url_resolve("http://h/", ref + pre, big, 4 * T_URL_MAX + 64, NULL);
        CHECK_EQ_INT(r, UPD_E_TOOBIG);
    }
    free(big);
    free(ref);
}

#define TEST_LIST_URL                           \
    T(test_url_rfc3986_normal)                  \
    T(test_url_rfc3986_abnormal)                \
    T(test_url_absolute_and_scheme)             \
    T(test_url_bad_schemes)                     \
    T(test_url_authority)                       \
    T(test_url_bad_characters)                  \
    T(test_url_output_size)                     \
    T(test_url_base_null)
