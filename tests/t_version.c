/* tests/t_version.c - versions (updater.h section 3), checked against
   Semantic Versioning 2.0.0 (semver.org, items 2, 9, 10, 11 and the BNF) and
   the two documented tolerances (leading v/V, missing minor/patch).
   #included by test_main.c (unity build). */

/* upd_vercmp(a, b) must return UPD_OK with *cmp == want; prints the pair on
   failure so that table-driven checks say which case broke. */
static int t_ver_cmp_is(const char *a, const char *b, int want)
{
    int cmp = 42;
    upd_result r = upd_vercmp(a, b, &cmp);
    if (r == UPD_OK && cmp == want) return 1;
    printf("  upd_vercmp(\"%s\", \"%s\"): result %d, cmp %d; want UPD_OK, %d\n",
           a, b, (int)r, cmp, want);
    return 0;
}

/* Both directions: a < b means vercmp(a,b) == -1 and vercmp(b,a) == 1. */
static int t_ver_less(const char *a, const char *b)
{
    int ok1 = t_ver_cmp_is(a, b, -1);
    int ok2 = t_ver_cmp_is(b, a, 1);
    return ok1 && ok2;
}

static int t_ver_equal(const char *a, const char *b)
{
    int ok1 = t_ver_cmp_is(a, b, 0);
    int ok2 = t_ver_cmp_is(b, a, 0);
    return ok1 && ok2;
}

/* s must parse (UPD_OK). */
static int t_ver_valid(const char *s)
{
    upd_version v;
    const char *why = NULL;
    upd_result r = upd_version_parse(s, &v, &why);
    if (r == UPD_OK) return 1;
    printf("  upd_version_parse(\"%s\"): result %d (%s); want UPD_OK\n",
           s, (int)r, why ? why : "(no reason)");
    return 0;
}

/* s must be rejected by upd_version_parse (UPD_E_VERSION, *why set to a
   non-empty string) and by upd_vercmp on either side (*cmp untouched). */
static int t_ver_invalid(const char *s)
{
    upd_version v;
    const char *why = NULL;
    int cmp1 = 42, cmp2 = 43, ok = 1;
    upd_result r = upd_version_parse(s, &v, &why);
    if (r != UPD_E_VERSION) {
        printf("  upd_version_parse(\"%s\"): result %d; want UPD_E_VERSION\n", s, (int)r);
        ok = 0;
    } else if (why == NULL || why[0] == '\0') {
        printf("  upd_version_parse(\"%s\"): *why not set to a reason\n", s);
        ok = 0;
    }
    /* why may be NULL */
    if (upd_version_parse(s, &v, NULL) != UPD_E_VERSION) {
        printf("  upd_version_parse(\"%s\", why=NULL) did not fail\n", s);
        ok = 0;
    }
    r = upd_vercmp(s, "1.0.0", &cmp1);
    if (r != UPD_E_VERSION || cmp1 != 42) {
        printf("  upd_vercmp(\"%s\", \"1.0.0\"): result %d, cmp %d; want UPD_E_VERSION, untouched\n",
               s, (int)r, cmp1);
        ok = 0;
    }
    r = upd_vercmp("1.0.0", s, &cmp2);
    if (r != UPD_E_VERSION || cmp2 != 43) {
        printf("  upd_vercmp(\"1.0.0\", \"%s\"): result %d, cmp %d; want UPD_E_VERSION, untouched\n",
               s, (int)r, cmp2);
        ok = 0;
    }
    return ok;
}

/* semver.org item 11: the example chain, plus 1.0.0 < 2.0.0 < 2.1.0 < 2.1.1,
   over all pairs, both directions, and each version equal to itself. */
static const char *const t_ver_chain[] = {
    "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
    "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0",
    "2.0.0", "2.1.0", "2.1.1"
};
#define T_VER_CHAIN_N (sizeof t_ver_chain / sizeof t_ver_chain[0])

static void test_version_semver_spec_order(void)
{
    size_t i, j;
    for (i = 0; i < T_VER_CHAIN_N; i++) {
        CHECK(t_ver_cmp_is(t_ver_chain[i], t_ver_chain[i], 0));
        for (j = i + 1; j < T_VER_CHAIN_N; j++) {
            CHECK(t_ver_cmp_is(t_ver_chain[i], t_ver_chain[j], -1));
            CHECK(t_ver_cmp_is(t_ver_chain[j], t_ver_chain[i], 1));
        }
    }
}

/* upd_version_compare on parsed versions agrees with upd_vercmp, is
   antisymmetric and returns exactly -1, 0 or 1. */
static void test_version_compare_consistent(void)
{
    static const char *const extra[] = {
        "0.9.9", "1.0.0+build.1", "1.0.0-rc.1+x", "1.9", "1.10", "v2",
        "1.0.0-1", "1.0.0-a", "1.0.0--", "4294967296.0.0", "1.0.0-0a",
        "1.0.0-99999999999999999999999", "1.0.0-9999999999999999999999"
    };
    const char *all[T_VER_CHAIN_N + sizeof extra / sizeof extra[0]];
    size_t n = 0, i, j;
    for (i = 0; i < T_VER_CHAIN_N; i++) all[n++] = t_ver_chain[i];
    for (i = 0; i < sizeof extra / sizeof extra[0]; i++) all[n++] = extra[i];
    for (i = 0; i < n; i++) {
        for (j = 0; j < n; j++) {
            upd_version a, b;
            int cmp = 42, c1, c2;
            CHECK_EQ_INT(upd_version_parse(all[i], &a, NULL), UPD_OK);
            CHECK_EQ_INT(upd_version_parse(all[j], &b, NULL), UPD_OK);
            CHECK_EQ_INT(upd_vercmp(all[i], all[j], &cmp), UPD_OK);
            c1 = upd_version_compare(&a, &b);
            c2 = upd_version_compare(&b, &a);
            if (c1 != cmp || c2 != -c1 || c1 < -1 || c1 > 1)
                printf("  \"%s\" vs \"%s\": compare %d, reverse %d, vercmp %d\n",
                       all[i], all[j], c1, c2, cmp);
            CHECK_EQ_INT(c1, cmp);
            CHECK_EQ_INT(c2, -c1);
            CHECK(c1 == -1 || c1 == 0 || c1 == 1);
        }
    }
}

/* Never as floating point numbers: 1.10 is not 1.1. */
static void test_version_float_trap(void)
{
    CHECK(t_ver_cmp_is("1.10", "1.9", 1));
    CHECK(t_ver_cmp_is("1.9", "1.10", -1));
    CHECK(t_ver_cmp_is("0.10.0", "0.9.9", 1));
    CHECK(t_ver_less("1.2", "1.10"));
    CHECK(t_ver_less("1.9.0", "1.10.0"));
    CHECK(t_ver_less("1.0.9", "1.0.10"));
    CHECK(t_ver_less("9.0.0", "10.0.0"));
    CHECK(t_ver_less("2", "10"));
    CHECK(t_ver_less("1.1", "1.10"));   /* would be equal as floats */
    CHECK(t_ver_less("0.9.10", "0.10.0"));
}

/* semver.org item 10: build metadata MUST be ignored for precedence. */
static void test_version_build_metadata_ignored(void)
{
    CHECK(t_ver_equal("1.0.0+a", "1.0.0+b"));
    CHECK(t_ver_equal("1.0.0-rc.1+x", "1.0.0-rc.1"));
    CHECK(t_ver_equal("1.0.0+20130313144700", "1.0.0"));
    CHECK(t_ver_equal("1.0.0-beta+exp.sha.5114f85", "1.0.0-beta"));
    CHECK(t_ver_less("1.0.0+zzz", "1.0.1"));
    CHECK(t_ver_less("1.0.0-rc.1+build.99", "1.0.0"));
    CHECK(t_ver_less("1.0.0-alpha+001", "1.0.0-alpha.1"));
}

/* The documented tolerances: leading v/V, missing minor/patch. */
static void test_version_tolerances(void)
{
    CHECK(t_ver_equal("v1.2.3", "1.2.3"));
    CHECK(t_ver_equal("V1.2.3", "1.2.3"));
    CHECK(t_ver_equal("1.5", "1.5.0"));
    CHECK(t_ver_equal("2", "2.0.0"));
    CHECK(t_ver_equal("v2", "2.0.0"));
    CHECK(t_ver_equal("1.5-rc.1", "1.5.0-rc.1"));
    CHECK(t_ver_equal("1.5+b", "1.5.0"));
    CHECK(t_ver_equal("2-rc.1", "2.0.0-rc.1"));
    CHECK(t_ver_less("1.5-rc.1", "1.5"));
    CHECK(t_ver_less("1.4.99", "1.5-rc.1"));
    CHECK(t_ver_less("v1.2.3", "V1.2.4"));
}

/* Major/minor/patch are 64-bit; beyond is an error, never a wrap-around. */
static void test_version_big_numbers(void)
{
    upd_version v;
    const uint64_t max = ~(uint64_t)0;
    CHECK(t_ver_less("4294967295.0.0", "4294967296.0.0"));
    CHECK(t_ver_less("0.4294967295.0", "0.4294967296.0"));
    CHECK(t_ver_less("1.0.18446744073709551614", "1.0.18446744073709551615"));
    CHECK(t_ver_valid("1.0.18446744073709551615"));
    CHECK(t_ver_less("18446744073709551614.0.0", "18446744073709551615.0.0"));
    CHECK(t_ver_invalid("1.0.18446744073709551616"));
    CHECK(t_ver_invalid("1.18446744073709551616.0"));
    CHECK(t_ver_invalid("18446744073709551616.0.0"));
    CHECK(t_ver_invalid("99999999999999999999.0.0"));   /* wraps to a small number */
    CHECK(t_ver_invalid("1.0.36893488147419103232"));   /* 2^65: wraps to 0 */

    memset(&v, 0, sizeof v);
    CHECK_EQ_INT(upd_version_parse("18446744073709551615.18446744073709551615.18446744073709551615",
                                   &v, NULL), UPD_OK);
    CHECK(v.major == max);
    CHECK(v.minor == max);
    CHECK(v.patch == max);
    memset(&v, 0, sizeof v);
    CHECK_EQ_INT(upd_version_parse("4294967296.4294967297.4294967298", &v, NULL), UPD_OK);
    CHECK(v.major == 4294967296ULL);
    CHECK(v.minor == 4294967297ULL);
    CHECK(v.patch == 4294967298ULL);
}

/* semver.org item 11.4: numeric identifiers compare numerically (any
   length), alphanumeric ones lexically in ASCII order, numeric < alphanumeric,
   and a longer set of fields wins when all before are equal. */
static void test_version_prerelease_rules(void)
{
    CHECK(t_ver_less("1.0.0-9999999999999999999999", "1.0.0-99999999999999999999999"));
    CHECK(t_ver_cmp_is("1.0.0-99999999999999999999999", "1.0.0-9999999999999999999999", 1));
    CHECK(t_ver_less("1.0.0-99999999999999999999", "1.0.0-100000000000000000000"));
    CHECK(t_ver_less("1.0.0-12345678901234567890123", "1.0.0-12345678901234567890124"));
    CHECK(t_ver_equal("1.0.0-12345678901234567890123", "1.0.0-12345678901234567890123"));
    CHECK(t_ver_less("1.0.0-rc.18446744073709551616", "1.0.0-rc.18446744073709551617"));
    CHECK(t_ver_less("1.0.0-2", "1.0.0-10"));
    CHECK(t_ver_less("1.0.0-1", "1.0.0-a"));
    CHECK(t_ver_less("1.0.0-999", "1.0.0--"));      /* "-" is alphanumeric */
    CHECK(t_ver_less("1.0.0-99999", "1.0.0-0a"));   /* "0a" is alphanumeric */
    CHECK(t_ver_less("1.0.0-a10", "1.0.0-a9"));     /* lexical, not numeric */
    CHECK(t_ver_less("1.0.0-B", "1.0.0-a"));        /* ASCII: upper < lower */
    CHECK(t_ver_less("1.0.0-alpha", "1.0.0-alphabet"));
    CHECK(t_ver_less("1.0.0-beta", "1.0.0-beta2"));
    CHECK(t_ver_less("1.0.0-alpha", "1.0.0-alpha.0"));
    CHECK(t_ver_less("1.0.0-alpha.1", "1.0.0-alpha.1.0"));
    CHECK(t_ver_less("1.0.0-alpha.9", "1.0.0-alpha.a"));
    CHECK(t_ver_less("1.0.0-0", "1.0.0"));
    CHECK(t_ver_less("0.9.9", "1.0.0-0"));
    CHECK(t_ver_less("1.0.0-alpha-1", "1.0.0-alpha-2"));
    CHECK(t_ver_less("1.0.0-alpha", "1.0.0-alpha-1"));
    CHECK(t_ver_equal("1.0.0-x.7.z.92", "1.0.0-x.7.z.92"));
}

/* Strings the spec allows (semver.org items 9 and 10 examples among them). */
static void test_version_valid(void)
{
    static const char *const ok[] = {
        "0.0.0", "1.0.0", "1.2.3", "10.20.30", "1.0.0-alpha-1", "1.0.0-0",
        "1.0.0-0a", "1.0.0--", "1.0.0-x-y-z.--", "1.0.0-0.3.7", "1.0.0-x.7.z.92",
        "1.0.0-alpha+001", "1.0.0+20130313144700", "1.0.0-beta+exp.sha.5114f85",
        "1.0.0+21AF26D3----117B344092BD", "1.2.3-rc.1+build.01", "1.0.0+0",
        "1.0.0+00", "1.0.0+-", "v1.2.3", "V1.2.3", "1", "1.5", "v1", "1.5-rc.1",
        "1.5+b", "1.0.0-ALPHA.Beta.9", "1.0.0-a.b.c.d.e.f.g.h"
    };
    size_t i;
    for (i = 0; i < sizeof ok / sizeof ok[0]; i++) CHECK(t_ver_valid(ok[i]));
}

static void test_version_invalid(void)
{
    static const char *const bad[] = {
        "", "v", "V", "1.", "1.2.", "1..0", ".1.0", "1.2.3.4", "01.2.3", "1.02.3",
        "1.2.03", "00.1.0", "1.0.0-01", "1.0.0-00", "1.0.0-rc.01", "1.0.0-",
        "1.0.0-a..b", "1.0.0-.a", "1.0.0-a.", "1.0.0+", "1.0.0+a..b", "1.0.0+.a",
        "1.0.0+a.", "1.0.0-+a", "1.0.0-a+", "1.0.0-a_b", "1.0.0+a_b", " 1.0.0",
        "1.0.0 ", "1 .0.0", "1.0.0\n", "\t1.0.0", "-1.0.0", "1.-1.0",
        "1.0.0-\xc3\xa9", "1.0.0+\xc3\xa9", "vv1.0.0", "v 1.0.0", "a.b.c", "1.a.0",
        "1.0.0a", "1.0.0.", "+1.0.0", "1.0.0-a+b+c", "1.0.0-rc.1 ", "1.0.0-\x01",
        "1.0-", "1-", "1.0+", "1.0.0-a b", "0x1.0.0", "1,0,0", "1.0.0/1"
    };
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) CHECK(t_ver_invalid(bad[i]));
}

/* The parsed fields: numbers, and pre/build pointing into the input. */
static void test_version_parse_fields(void)
{
    const char *s1 = "1.2.3-rc.1+build.5";
    const char *s2 = "v10.20";
    const char *s3 = "7.8.9+exp.sha.5114f85";
    const char *s4 = "1.5-rc.1";
    const char *s5 = "1.0.0-alpha-1";
    const char *s6 = "0.0.0";
    upd_version v;
    const char *why = NULL;

    memset(&v, 0xAB, sizeof v);
    CHECK_EQ_INT(upd_version_parse(s1, &v, &why), UPD_OK);
    CHECK(v.major == 1 && v.minor == 2 && v.patch == 3);
    CHECK(v.pre == s1 + 6);
    CHECK_EQ_INT(v.pre_len, 4);
    CHECK(v.pre != NULL && v.pre_len == 4 && memcmp(v.pre, "rc.1", 4) == 0);
    CHECK(v.build == s1 + 11);
    CHECK_EQ_INT(v.build_len, 7);
    CHECK(v.build != NULL && v.build_len == 7 && memcmp(v.build, "build.5", 7) == 0);

    memset(&v, 0xAB, sizeof v);
    CHECK_EQ_INT(upd_version_parse(s2, &v, NULL), UPD_OK);
    CHECK(v.major == 10);
    CHECK(v.minor == 20);
    CHECK(v.patch == 0);
    CHECK(v.pre == NULL);
    CHECK(v.build == NULL);

    memset(&v, 0xAB, sizeof v);
    CHECK_EQ_INT(upd_version_parse(s3, &v, NULL), UPD_OK);
    CHECK(v.major == 7 && v.minor == 8 && v.patch == 9);
    CHECK(v.pre == NULL);
    CHECK(v.build == s3 + 6);
    CHECK_EQ_INT(v.build_len, 15);

    memset(&v, 0xAB, sizeof v);
    CHECK_EQ_INT(upd_version_parse(s4, &v, NULL), UPD_OK);
    CHECK(v.major == 1 && v.minor == 5 && v.patch == 0);
    CHECK(v.pre == s4 + 4);
    CHECK_EQ_INT(v.pre_len, 4);
    CHECK(v.build == NULL);

    memset(&v, 0xAB, sizeof v);
    CHECK_EQ_INT(upd_version_parse(s5, &v, NULL), UPD_OK);
    CHECK(v.pre == s5 + 6);
    CHECK_EQ_INT(v.pre_len, 7);
    CHECK(v.build == NULL);

    memset(&v, 0xAB, sizeof v);
    CHECK_EQ_INT(upd_version_parse(s6, &v, NULL), UPD_OK);
    CHECK(v.major == 0 && v.minor == 0 && v.patch == 0);
    CHECK(v.pre == NULL);
    CHECK(v.build == NULL);

    memset(&v, 0xAB, sizeof v);
    CHECK_EQ_INT(upd_version_parse("2", &v, NULL), UPD_OK);
    CHECK(v.major == 2 && v.minor == 0 && v.patch == 0);
}

#define TEST_LIST_VERSION                       \
    T(test_version_semver_spec_order)           \
    T(test_version_compare_consistent)          \
    T(test_version_float_trap)                  \
    T(test_version_build_metadata_ignored)      \
    T(test_version_tolerances)                  \
    T(test_version_big_numbers)                 \
    T(test_version_prerelease_rules)            \
    T(test_version_valid)                       \
    T(test_version_invalid)                     \
    T(test_version_parse_fields)
