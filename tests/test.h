/* tests/test.h - the test runner's tiny check macros (one runner: test_main.c).
   CHECK(cond)            counts one passed or failed check
   CHECK_EQ_INT(a, b)     same, printing both values on failure
   CHECK_STR(a, b)        strcmp equality, printing both on failure
   SKIP(what, why)        counts a skipped check and says why, loudly
   Each test function is registered in test_main.c's table. */
#ifndef UPD_TEST_H
#define UPD_TEST_H
#include <stdio.h>
#include <string.h>

extern int t_passed, t_failed, t_skipped;
extern const char *t_current;

#define CHECK(cond) do {                                                        \
    if (cond) t_passed++;                                                       \
    else { t_failed++;                                                          \
        printf("FAIL %s (%s:%d): %s\n", t_current, __FILE__, __LINE__, #cond); } \
} while (0)

#define CHECK_EQ_INT(a, b) do {                                                 \
    long long t_a_ = (long long)(a), t_b_ = (long long)(b);                     \
    if (t_a_ == t_b_) t_passed++;                                               \
    else { t_failed++;                                                          \
        printf("FAIL %s (%s:%d): %s == %s: %lld != %lld\n", t_current,          \
               __FILE__, __LINE__, #a, #b, t_a_, t_b_); }                        \
} while (0)

#define CHECK_STR(a, b) do {                                                    \
    const char *t_a_ = (a), *t_b_ = (b);                                        \
    if (t_a_ && t_b_ && strcmp(t_a_, t_b_) == 0) t_passed++;                    \
    else { t_failed++;                                                          \
        printf("FAIL %s (%s:%d): %s == %s: \"%s\" != \"%s\"\n", t_current,      \
               __FILE__, __LINE__, #a, #b, t_a_ ? t_a_ : "(null)",              \
               t_b_ ? t_b_ : "(null)"); }                                       \
} while (0)

#define SKIP(what, why) do {                                                    \
    t_skipped++; printf("SKIPPED %s: %s (%s)\n", t_current, what, why);         \
} while (0)

#endif
