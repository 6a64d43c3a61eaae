/* upd diff, upd patch - binary patches in the UPDDIFF1 format
   (docs/delta.md): the maker is here, the applier is updater.h's
   upd_patch_apply().

   Included by upd.c after updater.h's implementation and upd.c's helpers
   (fail, usage_for, write_all, EXIT_USAGE); upd_publish.c, included after
   this file, calls diff_make() for the patches of incremental packages.

   The maker, in four steps:
     1. a suffix array of the old file (SA-IS: induced sorting, linear time);
     2. the plan: at each position of the new file the longest exact match
        in the old one (binary search in the suffix array) seeds an
        alignment (old position - new position); then dynamic programming
        over "inserted" and the alignments seen last chooses, byte by byte,
        the cheapest way to make the new file: from the old one under an
        alignment with byte-wise differences (code that moved keeps its
        instructions and changes only addresses, so most differences are
        zero), or inserted as it is, with prices close to what each choice
        costs once compressed;
     3. the three sections, computed from the control triples alone by
        replaying them as the applier does, so they cannot disagree;
     4. each section compressed by gzip -9 (or zopfli), run as a child
        process: the patch format decodes only gzip, and upd links no
        compression library.

   Memory, for an old file of n bytes and a new one of m: both are mapped
   (n + m), the suffix array takes 4n; building it takes n/8 more for type
   bits (the recursion's buckets fit in the unused part of the array, as
   measured on executables and on random data; up to 2n more if they did
   not); the plan adds 4.4 MiB and the seeds (16 bytes each, a few per
   changed region). Measured peak RSS: 5n + m plus a few MiB (303 MiB for a
   47 MB pair). Old files must be smaller than 2 GiB (32-bit suffix
   array). */
#include <sys/mman.h>
#include <sys/wait.h>

/* What diff_make() made: sizes in bytes */
typedef struct diff_stats {
    uint64_t patch;                          /* the patch file               */
    uint64_t ctrl, diff, extra;              /* sections, compressed         */
    uint64_t ctrl_raw, diff_raw, extra_raw;  /* sections, decompressed       */
    uint64_t triples;                        /* control triples              */
} diff_stats;

/* Compressor of the sections: 0 gzip -9, 1 zopfli (smaller, far slower).
   Set before calling diff_make(). */
static int diff_use_zopfli;

#define DIFF_MAX_OLD 0x7ffffffeu  /* 32-bit suffix array */

/* ---- suffix array: SA-IS --------------------------------------------------
   Nong, Zhang and Chan's induced sorting. The text is bytes at the top
   level, 32-bit names below; a virtual sentinel, smaller than every
   character, ends it. Types: S if the suffix is smaller than the next one,
   L if larger; LMS: an S whose left neighbour is L. Sorting the LMS
   substrings by induction, naming them, sorting the reduced text
   recursively and inducing once more from its order gives the array. */
typedef struct diff_text {
    const uint8_t *b;      /* bytes (top level) or NULL */
    const int32_t *w;      /* names (recursion)          */
} diff_text;

static int32_t diff_chr(const diff_text *t, int32_t i)
{
    return t->b ? (int32_t)t->b[i] : t->w[i];
}

/* the S type bit of position i (the sentinel at n is S) */
static int diff_is_s(const uint8_t *ty, int32_t i)
{
    return (ty[(size_t)i >> 3] >> (i & 7)) & 1;
}
#define DIFF_IS_S(ty, i) diff_is_s(ty, i)
#define DIFF_IS_LMS(ty, i) ((i) > 0 && diff_is_s(ty, i) && !diff_is_s(ty, (i) - 1))

/* bkt[c] = start (end = 0) or end (end = 1) of character c's bucket */
static void diff_buckets(const diff_text *t, int32_t n, int32_t k, int32_t *bkt, int end)
{
    int32_t i, sum = 0;
    memset(bkt, 0, (size_t)k * sizeof *bkt);
    for (i = 0; i < n; i++) bkt[diff_chr(t, i)]++;
    for (i = 0; i < k; i++) {
        sum += bkt[i];
        bkt[i] = end ? sum : sum - bkt[i];
    }
}

/* L types from left to right, then S types from right to left, induced
   from the LMS suffixes already in place */
static void diff_induce(const diff_text *t, const uint8_t *ty, int32_t *sa, int32_t n, int32_t k, int32_t *bkt)
{
    int32_t i, j;
    diff_buckets(t, n, k, bkt, 0);
    sa[bkt[diff_chr(t, n - 1)]++] = n - 1; /* n - 1 precedes the sentinel: L */
    for (i = 0; i < n; i++) {
        j = sa[i] - 1;
        if (sa[i] > 0 && !DIFF_IS_S(ty, j)) sa[bkt[diff_chr(t, j)]++] = j;
    }
    diff_buckets(t, n, k, bkt, 1);
    for (i = n - 1; i >= 0; i--) {
        j = sa[i] - 1;
        if (sa[i] > 0 && DIFF_IS_S(ty, j)) sa[--bkt[diff_chr(t, j)]] = j;
    }
}

/* 1 if the LMS substrings at p and q differ (a substring that reaches the
   sentinel differs from every other) */
static int diff_lms_differ(const diff_text *t, const uint8_t *ty, int32_t n, int32_t p, int32_t q)
{
    int32_t d;
    for (d = 0;; d++) {
        int lp, lq;
        if (p + d == n || q + d == n) return 1;
        if (diff_chr(t, p + d) != diff_chr(t, q + d) || DIFF_IS_S(ty, p + d) != DIFF_IS_S(ty, q + d)) return 1;
        if (d > 0) {
            lp = DIFF_IS_LMS(ty, p + d);
            lq = DIFF_IS_LMS(ty, q + d);
            if (lp || lq) return lp != lq;
        }
    }
}

/* Sorts the suffixes of t[0..n) (characters 0..k-1) into sa[0..n).
   spare[0..spare_n) is free memory the buckets may use. 0, or -1 when out
   of memory. */
static int diff_sais(const diff_text *t, int32_t *sa, int32_t n, int32_t k, int32_t *spare, int32_t spare_n)
{
    uint8_t *ty;
    int32_t *bkt, *s1, i, j, n1, names, prev;
    int own_bkt = 0, rc = -1;
    if (n == 0) return 0;
    if (n == 1) { sa[0] = 0; return 0; }
    if (!(ty = (uint8_t *)calloc((size_t)n / 8 + 1, 1))) return -1;
    ty[(size_t)n >> 3] |= (uint8_t)(1u << (n & 7)); /* the sentinel */
    for (i = n - 2; i >= 0; i--) {                  /* n - 1 is L */
        int32_t a = diff_chr(t, i), b = diff_chr(t, i + 1);
        if (a < b || (a == b && DIFF_IS_S(ty, i + 1))) ty[(size_t)i >> 3] |= (uint8_t)(1u << (i & 7));
    }
    if (k <= spare_n) bkt = spare;
    else if ((bkt = (int32_t *)malloc((size_t)k * sizeof *bkt)) != NULL) own_bkt = 1;
    else goto done;

    /* the LMS substrings, sorted by induction */
    for (i = 0; i < n; i++) sa[i] = -1;
    diff_buckets(t, n, k, bkt, 1);
    for (i = 1; i < n; i++)
        if (DIFF_IS_LMS(ty, i)) sa[--bkt[diff_chr(t, i)]] = i;
    diff_induce(t, ty, sa, n, k, bkt);

    /* named in sorted order; names stored at n1 + pos/2 (LMS positions are
       at least two apart), then packed in text order at the end: s1 */
    for (i = 0, n1 = 0; i < n; i++)
        if (DIFF_IS_LMS(ty, sa[i])) sa[n1++] = sa[i];
    for (i = n1; i < n; i++) sa[i] = -1;
    for (i = 0, names = 0, prev = -1; i < n1; i++) {
        int32_t p = sa[i];
        if (prev < 0 || diff_lms_differ(t, ty, n, p, prev)) names++;
        prev = p;
        sa[n1 + p / 2] = names - 1;
    }
    for (i = n - 1, j = n - 1; i >= n1; i--)
        if (sa[i] >= 0) sa[j--] = sa[i];
    s1 = sa + n - n1;

    /* the order of the LMS suffixes: recursively unless the names are
       already unique */
    if (names < n1) {
        diff_text t1;
        t1.b = NULL;
        t1.w = s1;
        if (diff_sais(&t1, sa, n1, names, sa + n1, n - 2 * n1) != 0) goto done;
    } else {
        for (i = 0; i < n1; i++) sa[s1[i]] = i;
    }
    for (i = 1, j = 0; i < n; i++) /* s1 becomes the LMS positions */
        if (DIFF_IS_LMS(ty, i)) s1[j++] = i;
    for (i = 0; i < n1; i++) sa[i] = s1[sa[i]];
    for (i = n1; i < n; i++) sa[i] = -1;

    /* the sorted LMS suffixes at their buckets' ends, then the rest */
    diff_buckets(t, n, k, bkt, 1);
    for (i = n1 - 1; i >= 0; i--) {
        int32_t p = sa[i];
        sa[i] = -1;
        sa[--bkt[diff_chr(t, p)]] = p;
    }
    diff_induce(t, ty, sa, n, k, bkt);
    rc = 0;
done:
    if (own_bkt) free(bkt);
    free(ty);
    return rc;
}

/* ---- matches and triples ------------------------------------------------ */
typedef struct diff_triple {
    uint64_t add, copy;
    int64_t seek;
} diff_triple;

typedef struct diff_ctx {
    const uint8_t *old, *nw;
    int64_t on, nn;
    int32_t *sa;
    uint32_t *first;           /* first[x]: first suffix whose two bytes are >= x */
    diff_triple *tr;           /* the control triples */
    size_t ntr, trcap;
    int oom;
    /* the triple being built: o is the applier's old position before it */
    int64_t o;
    uint64_t add, copy;
} diff_ctx;

static size_t diff_matchlen(const uint8_t *a, const uint8_t *b, size_t n)
{
    size_t i = 0;
    while (i + 8 <= n) {
        uint64_t x, y;
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        if (x != y) break;
        i += 8;
    }
    while (i < n && a[i] == b[i]) i++;
    return i;
}

/* the two-byte key of the suffix at p (a one-byte suffix sorts first
   among those with its byte) */
static uint32_t diff_key(const uint8_t *s, int64_t n, int64_t p)
{
    return (uint32_t)s[p] << 8 | (p + 1 < n ? s[p + 1] : 0u);
}

/* Longest match of new[at..] in the old file: its length, its old position
   in *pos. Ties between the two candidates go to the one nearer hint. */
static int64_t diff_search(const diff_ctx *c, int64_t at, int64_t hint, int64_t *pos)
{
    const uint8_t *q = c->nw + at;
    size_t qn = (size_t)(c->nn - at), best = 0, llcp = 0, rlcp = 0;
    int64_t lo = 0, hi = c->on, i, bestpos = 0;
    if (c->on == 0) { *pos = 0; return 0; }
    if (qn >= 2) {
        uint32_t key = (uint32_t)q[0] << 8 | q[1];
        lo = c->first[key];
        hi = c->first[key + 1];
        if (lo == hi) { /* no two-byte match: one byte at most */
            *pos = 0;
            return 0;
        }
    }
    /* lower bound of q among the suffixes in [lo, hi) */
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2, p = c->sa[mid];
        size_t k = llcp < rlcp ? llcp : rlcp, rest = (size_t)(c->on - p), m;
        size_t lim = rest < qn ? rest : qn;
        m = k + diff_matchlen(c->old + p + k, q + k, lim - k);
        if (m > best || (m == best && m > 0 && llabs(p - hint) < llabs(bestpos - hint))) { best = m; bestpos = p; }
        if (m == qn) { hi = mid; rlcp = m; }
        else if (m == rest || c->old[p + (int64_t)m] < q[m]) { lo = mid + 1; llcp = m; }
        else { hi = mid; rlcp = m; }
    }
    for (i = lo - 1; i <= lo; i++) {
        int64_t p;
        size_t rest, m;
        if (i < 0 || i >= c->on) continue;
        p = c->sa[i];
        rest = (size_t)(c->on - p);
        m = diff_matchlen(c->old + p, q, rest < qn ? rest : qn);
        if (m > best || (m == best && m > 0 && llabs(p - hint) < llabs(bestpos - hint))) { best = m; bestpos = p; }
    }
    *pos = bestpos;
    return (int64_t)best;
}

static void diff_push(diff_ctx *c, uint64_t add, uint64_t copy, int64_t seek)
{
    if (c->ntr == c->trcap) {
        size_t cap = c->trcap ? c->trcap * 2 : 1024;
        diff_triple *t = (diff_triple *)realloc(c->tr, cap * sizeof *t);
        if (!t) { c->oom = 1; return; }
        c->tr = t;
        c->trcap = cap;
    }
    c->tr[c->ntr].add = add;
    c->tr[c->ntr].copy = copy;
    c->tr[c->ntr].seek = seek;
    c->ntr++;
}

/* The next len bytes of the new file come from the old file at ost (with
   differences). Continues the triple being built when it can; the first
   triple cannot seek before its add, so a start elsewhere than 0 takes its
   first byte as an insert. */
static void diff_emit_add(diff_ctx *c, int64_t ost, int64_t len)
{
    if (len <= 0) return;
    if (c->copy == 0 && c->o + (int64_t)c->add == ost) { c->add += (uint64_t)len; return; }
    if (c->add == 0 && c->copy == 0) {
        diff_push(c, 0, 1, ost + 1 - c->o);
        c->o = ost + 1;
        if (--len == 0) return;
        c->add = (uint64_t)len;
        return;
    }
    diff_push(c, c->add, c->copy, ost - (c->o + (int64_t)c->add));
    c->o = ost;
    c->add = (uint64_t)len;
    c->copy = 0;
}

static void diff_emit_copy(diff_ctx *c, int64_t len)
{
    if (len > 0) c->copy += (uint64_t)len;
}

static void diff_emit_end(diff_ctx *c)
{
    if (c->add || c->copy) diff_push(c, c->add, c->copy, 0);
    c->add = c->copy = 0;
}

/* ---- the plan: seeds, then the cheapest path ------------------------------
   First the seeds: at each position of the new file the longest exact
   match in the old one; a match of DIFF_SEED bytes or more gives an
   alignment (old position - new position), and the search jumps past it.
   Then the choice, byte by byte, of how each new byte is made, by dynamic
   programming (Viterbi) over a few states: inserted (from extra), or taken
   from the old file under one of the DIFF_K alignments seen last (an
   alignment enters DIFF_BACK bytes before its seed, so that it can start
   before its exact match; the one longest out of use leaves). Each choice
   has a price close to what it costs in the compressed patch, in 1/16
   bits: a byte that agrees under its alignment is a zero in the diff
   section (a long run of them costs almost nothing), one that differs
   costs about a literal there, an inserted byte about a literal in extra,
   and every switch into an alignment starts a control triple. The path is
   decided DIFF_CHUNK bytes at a time (traced back from the cheapest state
   at the chunk's end), which bounds the memory of the back pointers. */
#define DIFF_K 16                /* alignments followed at once */
#define DIFF_CHUNK (1 << 18)     /* bytes decided at a time */
#define DIFF_INF (1 << 30)

typedef struct diff_seed {
    int64_t at, off;             /* alignment off usable from new position at */
} diff_seed;

/* prices in 1/16 bits */
typedef struct diff_costs {
    int32_t tau;                 /* a switch into an alignment: a triple      */
    int32_t mm, xm;              /* an agreeing byte after one that agreed,
                                    after one that differed                   */
    int32_t mx, xx;              /* a differing byte after one that agreed,
                                    after one that differed (plus its value)  */
    int32_t val[256];            /* a differing byte's value in diff          */
    int32_t lit[256];            /* an inserted byte's value in extra         */
} diff_costs;

/* The prices (1/16 bits) and limits, measured on real release pairs (Go
   and Rust executables, bench/delta.sh): the sum of the patches is flat
   within 0.2% around these values. A switch is priced well above a
   triple's own bytes: switching also breaks the runs of zeros in diff. */
#define DIFF_SEED 6              /* shortest exact match that seeds an alignment */
#define DIFF_BACK 64             /* an alignment is followed from this far before its seed */
#define DIFF_PASSES 2            /* the first at fixed prices, then from its own statistics */
#define DIFF_TAU 1536            /* switching into an alignment */
#define DIFF_MM 2                /* an agreeing byte after one that agreed */
#define DIFF_XM 64               /* an agreeing byte after one that differed */
#define DIFF_MX 80               /* a differing byte after one that agreed (+ its value) */
#define DIFF_XX 16               /* a differing byte after one that differed (+ its value) */
#define DIFF_VAL 112             /* first pass: the value of a differing byte */
#define DIFF_LIT 80              /* first pass: an inserted byte */
#define DIFF_LIT_BASE (-16)      /* next passes: added to an inserted byte's entropy */

static int diff_find_seeds(diff_ctx *c, diff_seed **out, size_t *count)
{
    diff_seed *sd = NULL;
    size_t n = 0, cap = 0;
    int64_t i = 0, off = 0, have = 0;
    while (i < c->nn) {
        int64_t p, len = diff_search(c, i, i + off, &p);
        if (len < DIFF_SEED) { i++; continue; }
        if (!have || p - i != off) {
            if (n == cap) {
                diff_seed *t;
                cap = cap ? cap * 2 : 4096;
                if (!(t = (diff_seed *)realloc(sd, cap * sizeof *t))) { free(sd); return -1; }
                sd = t;
            }
            sd[n].at = i;
            sd[n].off = p - i;
            n++;
            off = p - i;
            have = 1;
        }
        i += len;
    }
    *out = sd;
    *count = n;
    return 0;
}

typedef struct diff_vit {
    int64_t off[DIFF_K + 1];       /* [0] is the insert state */
    int64_t good[DIFF_K + 1];      /* last position the state was best or seeded */
    int32_t cost[DIFF_K + 1];
    uint8_t hit[DIFF_K + 1];       /* the last byte agreed */
    uint8_t used[DIFF_K + 1];
} diff_vit;

typedef struct diff_assign {
    int64_t at, off;
    int slot;
} diff_assign;

/* One pass of the dynamic programming over the whole new file, with the
   seeds sd[0..nsd); emits the triples. */
static void diff_viterbi(diff_ctx *c, const diff_seed *sd, size_t nsd, const diff_costs *pc,
                         uint8_t (*bp)[DIFF_K + 1], uint8_t *path)
{
    diff_vit v;
    diff_assign *log = NULL;
    size_t si = 0, nlog = 0, logcap = 0;
    int64_t i, start = 0, snap[DIFF_K + 1];
    int best = 0, k;
    memset(&v, 0, sizeof v);
    for (k = 0; k <= DIFF_K; k++) v.cost[k] = DIFF_INF;
    v.cost[0] = 0;
    v.used[0] = 1;
    memcpy(snap, v.off, sizeof snap);
    for (i = 0; i < c->nn; i++) {
        int64_t li = i - start;
        int32_t bc = v.cost[best], nb;
        int nbest = 0;
        uint8_t b = c->nw[i];
        /* alignments seeded a little ahead come in now */
        while (si < nsd && sd[si].at - DIFF_BACK <= i) {
            int slot = -1;
            for (k = 1; k <= DIFF_K; k++)
                if (v.used[k] && v.off[k] == sd[si].off) { slot = k; break; }
            if (slot < 0) {
                int64_t oldest = INT64_MAX;
                for (k = 1; k <= DIFF_K; k++) {
                    if (!v.used[k]) { slot = k; break; }
                    if (k != best && v.good[k] < oldest) { oldest = v.good[k]; slot = k; }
                }
                if (slot < 0) { si++; continue; } /* (DIFF_K >= 2: never) */
                v.used[slot] = 1;
                v.off[slot] = sd[si].off;
                v.cost[slot] = DIFF_INF;
                v.hit[slot] = 1;
                if (nlog == logcap) {
                    diff_assign *t;
                    logcap = logcap ? logcap * 2 : 1024;
                    if (!(t = (diff_assign *)realloc(log, logcap * sizeof *t))) { c->oom = 1; goto out; }
                    log = t;
                }
                log[nlog].at = i;
                log[nlog].off = sd[si].off;
                log[nlog].slot = slot;
                nlog++;
            }
            v.good[slot] = i;
            si++;
        }
        /* inserted */
        if (v.cost[0] <= bc) { v.cost[0] = v.cost[0] >= DIFF_INF ? DIFF_INF : v.cost[0] + pc->lit[b]; bp[li][0] = 0; }
        else { v.cost[0] = bc + pc->lit[b]; bp[li][0] = (uint8_t)best; }
        nb = v.cost[0];
        for (k = 1; k <= DIFF_K; k++) {
            int64_t op;
            int32_t stay, sw, nc, here;
            if (!v.used[k]) continue;
            op = i + v.off[k];
            if (op < 0 || op >= c->on) { v.cost[k] = DIFF_INF; bp[li][k] = (uint8_t)best; continue; }
            if (v.cost[k] >= DIFF_INF) v.cost[k] = DIFF_INF - 4096;
            if (c->old[op] == b) {
                stay = v.cost[k] + (v.hit[k] ? pc->mm : pc->xm);
                sw = bc + pc->tau + pc->mm;
                v.hit[k] = 1;
            } else {
                here = pc->val[(uint8_t)(b - c->old[op])];
                stay = v.cost[k] + (v.hit[k] ? pc->mx : pc->xx) + here;
                sw = bc + pc->tau + pc->mx + here;
                v.hit[k] = 0;
            }
            if (stay <= sw) { nc = stay; bp[li][k] = (uint8_t)k; }
            else { nc = sw; bp[li][k] = (uint8_t)best; }
            if (nc > DIFF_INF) nc = DIFF_INF;
            v.cost[k] = nc;
            if (nc < nb) { nb = nc; nbest = k; }
        }
        best = nbest;
        v.good[best] = i;
        if (li == DIFF_CHUNK - 1 || i == c->nn - 1) {
            /* the cheapest path back to the chunk's start, then its runs */
            int64_t j, run = 0, run_off = 0, cur[DIFF_K + 1];
            size_t lg = 0;
            int s = best, run_state = 0;
            for (j = li; j >= 0; j--) {
                path[j] = (uint8_t)s;
                s = bp[j][s];
            }
            memcpy(cur, snap, sizeof cur);
            for (j = 0; j <= li + 1; j++) {
                int st = 0;
                int64_t o = 0;
                if (j <= li) {
                    while (lg < nlog && log[lg].at <= start + j) { cur[log[lg].slot] = log[lg].off; lg++; }
                    st = path[j];
                    o = st ? cur[st] : 0;
                }
                if (j > run && (j > li || st != run_state || o != run_off)) {
                    if (run_state == 0) diff_emit_copy(c, j - run);
                    else diff_emit_add(c, start + run + run_off, j - run);
                    run = j;
                }
                if (j == run) { run_state = st; run_off = o; }
            }
            /* the next chunk starts from the chosen state */
            start = i + 1;
            for (k = 0; k <= DIFF_K; k++) {
                if (k != best) v.cost[k] = DIFF_INF;
                snap[k] = v.off[k];
            }
            v.cost[best] = 0;
            nlog = 0;
        }
    }
out:
    diff_emit_end(c);
    free(log);
}

/* log2(x) for x > 0, without libm */
static double diff_log2(double x)
{
    double r = 0, y, y2, t, s = 0;
    int k;
    while (x >= 2) { x /= 2; r += 1; }
    while (x < 1) { x *= 2; r -= 1; }
    y = (x - 1) / (x + 1); /* ln x = 2 (y + y^3/3 + y^5/5 + ...) */
    y2 = y * y;
    for (k = 1, t = y; k < 24; k += 2, t *= y2) s += t / k;
    return r + 2 * s / 0.69314718055994531;
}

/* -log2(n / total) in 1/16 bits, plus base */
static int32_t diff_price(uint64_t n, uint64_t total, int32_t base)
{
    double p = ((double)n + 0.5) / ((double)total + 128.0);
    int32_t v = (int32_t)(-diff_log2(p) * 16.0) + base;
    return v < 1 ? 1 : v > 64 * 16 ? 64 * 16 : v;
}

/* prices of the next pass from what the last one chose: the frequencies of
   the differing values and of the inserted bytes */
static void diff_reprice(const diff_ctx *c, diff_costs *pc)
{
    uint64_t hv[256], hl[256], tv = 0, tl = 0;
    int64_t o = 0, n = 0;
    size_t t;
    int x;
    memset(hv, 0, sizeof hv);
    memset(hl, 0, sizeof hl);
    for (t = 0; t < c->ntr; t++) {
        const diff_triple *d = &c->tr[t];
        uint64_t j;
        for (j = 0; j < d->add; j++) {
            uint8_t v = (uint8_t)(c->nw[n + (int64_t)j] - c->old[o + (int64_t)j]);
            if (v) { hv[v]++; tv++; }
        }
        for (j = 0; j < d->copy; j++) { hl[c->nw[n + (int64_t)(d->add + j)]]++; tl++; }
        n += (int64_t)(d->add + d->copy);
        o += (int64_t)d->add + d->seek;
    }
    for (x = 0; x < 256; x++) {
        pc->val[x] = diff_price(hv[x], tv, 0);
        pc->lit[x] = diff_price(hl[x], tl, DIFF_LIT_BASE);
    }
}

/* Plans the triples: seeds, a first pass at fixed prices, then passes
   priced from the last plan's frequencies of differing values and of
   inserted bytes. 0, or -1 after a message. */
static int diff_plan(diff_ctx *c)
{
    diff_seed *sd = NULL;
    size_t nsd = 0;
    diff_costs pc;
    uint8_t (*bp)[DIFF_K + 1] = (uint8_t (*)[DIFF_K + 1])malloc((size_t)DIFF_CHUNK * (DIFF_K + 1));
    uint8_t *path = (uint8_t *)malloc(DIFF_CHUNK);
    int pass, x;
    if (!bp || !path || diff_find_seeds(c, &sd, &nsd) != 0) {
        free(bp);
        free(path);
        fail("out of memory");
        return -1;
    }
    pc.tau = DIFF_TAU;
    pc.mm = DIFF_MM;
    pc.xm = DIFF_XM;
    pc.mx = DIFF_MX;
    pc.xx = DIFF_XX;
    for (x = 0; x < 256; x++) { pc.val[x] = DIFF_VAL; pc.lit[x] = DIFF_LIT; }
    for (pass = 0; pass < DIFF_PASSES && !c->oom; pass++) {
        if (pass > 0) {
            diff_reprice(c, &pc);
            c->ntr = 0;
            c->o = 0;
            c->add = c->copy = 0;
        }
        diff_viterbi(c, sd, nsd, &pc, bp, path);
    }
    free(sd);
    free(bp);
    free(path);
    if (c->oom) { fail("out of memory"); return -1; }
    return 0;
}

/* ---- sections and compression ------------------------------------------- */
static size_t diff_leb(uint8_t *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) { p[n++] = (uint8_t)(v | 0x80); v >>= 7; }
    p[n++] = (uint8_t)v;
    return n;
}

typedef struct diff_out {
    int fd;
    uint8_t buf[65536];
    size_t len;
    uint64_t total;
    int err;
} diff_out;

static void diff_out_flush(diff_out *w)
{
    if (w->len && !w->err && write_all(w->fd, w->buf, w->len) != 0) w->err = errno ? errno : EIO;
    w->len = 0;
}

static void diff_out_put(diff_out *w, const uint8_t *p, size_t n)
{
    w->total += n;
    while (n) {
        size_t k = sizeof w->buf - w->len;
        if (k > n) k = n;
        memcpy(w->buf + w->len, p, k);
        w->len += k; p += k; n -= k;
        if (w->len == sizeof w->buf) diff_out_flush(w);
    }
}

/* 1 if path exists and is not a regular file: an output is renamed into
   place, which would replace a device such as /dev/null */
static int diff_not_regular(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && !S_ISREG(sb.st_mode);
}

/* a temporary file beside path, its name in tmp */
static int diff_temp(const char *path, char *tmp, size_t cap)
{
    int fd;
    if (snprintf(tmp, cap, "%s.upd-XXXXXX", path) >= (int)cap) { errno = ENAMETOOLONG; tmp[0] = 0; return -1; }
    if ((fd = mkstemp(tmp)) < 0) tmp[0] = 0;
    else (void)fcntl(fd, F_SETFD, FD_CLOEXEC); /* the compressors get only their own */
    return fd;
}

/* the section files of one patch: raw[i] (named, so that zopfli can open
   it) and its compressed form gz[i] (unlinked), beside the patch */
typedef struct diff_files {
    char raw_name[3][4096];
    int raw[3], gz[3];
} diff_files;

static void diff_files_close(diff_files *f)
{
    int i;
    for (i = 0; i < 3; i++) {
        if (f->raw[i] >= 0) close(f->raw[i]);
        if (f->gz[i] >= 0) close(f->gz[i]);
        if (f->raw_name[i][0]) unlink(f->raw_name[i]);
        f->raw[i] = f->gz[i] = -1;
        f->raw_name[i][0] = 0;
    }
}

static int diff_files_open(diff_files *f, const char *out_path)
{
    int i;
    for (i = 0; i < 3; i++) { f->raw[i] = f->gz[i] = -1; f->raw_name[i][0] = 0; }
    for (i = 0; i < 3; i++) {
        char gz_name[4096];
        if ((f->raw[i] = diff_temp(out_path, f->raw_name[i], sizeof f->raw_name[i])) < 0 ||
            (f->gz[i] = diff_temp(out_path, gz_name, sizeof gz_name)) < 0) {
            fail("%s: %s", out_path, strerror(errno));
            diff_files_close(f);
            return -1;
        }
        unlink(gz_name);
    }
    return 0;
}

/* Starts a compressor (tool: 0 gzip -9, 1 zopfli) on the file
   in_path (open as in_fd), its output to out_fd; its pid, or -1. */
static pid_t diff_spawn(int tool, const char *in_path, int in_fd, int out_fd)
{
    char *av[8], dot[4096 + 2];
    pid_t pid;
    int n = 0;
    if (tool == 1) {
        av[n++] = (char *)"zopfli"; av[n++] = (char *)"--gzip"; av[n++] = (char *)"-c";
        snprintf(dot, sizeof dot, "%s%s", in_path[0] == '-' ? "./" : "", in_path); /* not an option */
        av[n++] = dot;
    } else {
        av[n++] = (char *)"gzip"; av[n++] = (char *)"-9"; av[n++] = (char *)"-n";
        av[n++] = (char *)"-c";
    }
    av[n] = NULL;
    if (lseek(in_fd, 0, SEEK_SET) != 0 || lseek(out_fd, 0, SEEK_SET) != 0 || ftruncate(out_fd, 0) != 0) return -1;
    fflush(stdout);
    fflush(stderr);
    if ((pid = fork()) < 0) return -1;
    if (pid == 0) {
        if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0) _exit(126);
        execvp(av[0], av);
        _exit(127);
    }
    return pid;
}

/* waits for pid; 0 if it exited 0, else -1 with a message */
static int diff_reap(pid_t pid, int tool)
{
    const char *name = tool == 1 ? "zopfli" : "gzip";
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) { fail("waitpid: %s", strerror(errno)); return -1; }
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return 0;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
        fail("cannot run %s: patches are compressed with it; install %s or put it on PATH", name, name);
    else if (WIFEXITED(st)) fail("%s failed (exit %d) compressing a patch section", name, WEXITSTATUS(st));
    else fail("%s was killed by signal %d", name, WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    return -1;
}

/* compresses the three raw sections at once; their compressed sizes */
static int diff_compress(diff_files *f, int tool, int64_t sizes[3])
{
    pid_t pid[3];
    int i, rc = 0;
    for (i = 0; i < 3; i++)
        if ((pid[i] = diff_spawn(tool, f->raw_name[i], f->raw[i], f->gz[i])) < 0) {
            fail("cannot start %s: %s", tool == 1 ? "zopfli" : "gzip", strerror(errno));
            rc = -1;
        }
    for (i = 0; i < 3; i++)
        if (pid[i] > 0 && diff_reap(pid[i], tool) != 0) rc = -1;
    for (i = 0; i < 3 && rc == 0; i++) {
        struct stat sb;
        if (fstat(f->gz[i], &sb) != 0) { fail("fstat: %s", strerror(errno)); rc = -1; }
        else sizes[i] = (int64_t)sb.st_size;
    }
    return rc;
}

static void diff_put64(uint8_t *p, uint64_t v)
{
    int i;
    for (i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* copies the whole of in_fd to out_fd at its position; bytes copied or -1 */
static int64_t diff_append(int in_fd, int out_fd)
{
    static uint8_t buf[65536];
    int64_t total = 0;
    if (lseek(in_fd, 0, SEEK_SET) != 0) return -1;
    for (;;) {
        ssize_t k = read(in_fd, buf, sizeof buf);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) return -1;
        if (k == 0) return total;
        if (write_all(out_fd, buf, (size_t)k) != 0) return -1;
        total += k;
    }
}

/* Writes the three raw sections from the triples, replaying them as the
   applier will; their sizes in raw[3]. 0, or -1 with errno. */
static int diff_sections(const diff_ctx *c, diff_files *f, uint64_t raw[3])
{
    static diff_out w;
    uint8_t tmp[32];
    int64_t o = 0, n = 0;
    size_t t;
    int i;
    for (i = 0; i < 3; i++)
        if (lseek(f->raw[i], 0, SEEK_SET) != 0 || ftruncate(f->raw[i], 0) != 0) return -1;
    /* control */
    memset(&w, 0, sizeof w);
    w.fd = f->raw[0];
    for (t = 0; t < c->ntr; t++) {
        const diff_triple *d = &c->tr[t];
        uint64_t z = d->seek < 0 ? ((uint64_t)(-(d->seek + 1)) << 1) | 1 : (uint64_t)d->seek << 1;
        size_t k = diff_leb(tmp, d->add);
        k += diff_leb(tmp + k, d->copy);
        k += diff_leb(tmp + k, z);
        diff_out_put(&w, tmp, k);
    }
    diff_out_flush(&w);
    raw[0] = w.total;
    if (w.err) { errno = w.err; return -1; }
    /* diff */
    memset(&w, 0, sizeof w);
    w.fd = f->raw[1];
    for (t = 0; t < c->ntr; t++) {
        const diff_triple *d = &c->tr[t];
        uint64_t j = 0;
        while (j < d->add) {
            uint8_t b[4096];
            size_t k, m = d->add - j < sizeof b ? (size_t)(d->add - j) : sizeof b;
            for (k = 0; k < m; k++)
                b[k] = (uint8_t)(c->nw[n + (int64_t)(j + k)] - c->old[o + (int64_t)(j + k)]);
            diff_out_put(&w, b, m);
            j += m;
        }
        n += (int64_t)(d->add + d->copy);
        o += (int64_t)d->add + d->seek;
    }
    diff_out_flush(&w);
    raw[1] = w.total;
    if (w.err) { errno = w.err; return -1; }
    /* extra */
    memset(&w, 0, sizeof w);
    w.fd = f->raw[2];
    for (t = 0, n = 0; t < c->ntr; t++) {
        const diff_triple *d = &c->tr[t];
        diff_out_put(&w, c->nw + n + (int64_t)d->add, (size_t)d->copy);
        n += (int64_t)(d->add + d->copy);
    }
    diff_out_flush(&w);
    raw[2] = w.total;
    if (w.err) { errno = w.err; return -1; }
    return 0;
}

/* the header, then the compressed sections */
static int diff_assemble(const diff_ctx *c, diff_files *f, const int64_t sizes[3], int out_fd)
{
    uint8_t hdr[UPD_PATCH_HEADER];
    upd_sha256_ctx sh;
    int i;
    memset(hdr, 0, sizeof hdr);
    memcpy(hdr, "UPDDIFF1", 8);
    diff_put64(hdr + 8, (uint64_t)c->on);
    diff_put64(hdr + 16, (uint64_t)c->nn);
    upd_sha256_init(&sh);
    upd_sha256_update(&sh, c->old, (size_t)c->on);
    upd_sha256_final(&sh, hdr + 24);
    upd_sha256_init(&sh);
    upd_sha256_update(&sh, c->nw, (size_t)c->nn);
    upd_sha256_final(&sh, hdr + 56);
    for (i = 0; i < 3; i++) diff_put64(hdr + 88 + 8 * i, (uint64_t)sizes[i]);
    if (write_all(out_fd, hdr, sizeof hdr) != 0) return -1;
    for (i = 0; i < 3; i++)
        if (diff_append(f->gz[i], out_fd) != sizes[i]) return -1;
    return 0;
}

/* Makes the UPDDIFF1 patch that turns old[0..oldn) into nw[0..newn) and
   writes it to out_path (through a temporary file beside it, fsync'd and
   renamed; mode 0644). 0, or -1 after a message ("upd: ..."). st (if not
   NULL) gets the sizes. Memory: about 5 * oldn bytes besides the inputs
   (see the top of this file). */
static int diff_make(const uint8_t *old, size_t oldn, const uint8_t *nw, size_t newn,
                     const char *out_path, diff_stats *st)
{
    diff_ctx c;
    diff_files files;
    diff_stats dummy;
    char tmp[4096];
    int64_t sizes[3];
    uint64_t raw[3];
    int fd = -1, rc = -1, tool = diff_use_zopfli ? 1 : 0;
    if (!st) st = &dummy;
    memset(st, 0, sizeof *st);
    memset(&c, 0, sizeof c);
    tmp[0] = 0;
    if (oldn > DIFF_MAX_OLD) { fail("%s: the old file is too large for a patch (2 GiB at most)", out_path); return -1; }
    if (newn > (size_t)INT64_MAX / 2) { fail("%s: the new file is too large", out_path); return -1; }
    if (diff_not_regular(out_path)) { fail("%s: exists and is not a regular file", out_path); return -1; }
    if (diff_files_open(&files, out_path) != 0) return -1;
    c.old = old;
    c.nw = nw;
    c.on = (int64_t)oldn;
    c.nn = (int64_t)newn;
    if (oldn > 0) {
        diff_text t;
        size_t i, run;
        c.sa = (int32_t *)malloc(oldn * sizeof *c.sa);
        c.first = (uint32_t *)calloc(65537, sizeof *c.first);
        if (!c.sa || !c.first) { fail("out of memory (suffix array of %zu bytes)", oldn); goto done; }
        t.b = old;
        t.w = NULL;
        if (diff_sais(&t, c.sa, (int32_t)oldn, 256, NULL, 0) != 0) { fail("out of memory (suffix array of %zu bytes)", oldn); goto done; }
        for (i = 0; i < oldn; i++) c.first[diff_key(old, c.on, c.sa[i]) + 1]++;
        for (i = 0, run = 0; i <= 65536; i++) { run += c.first[i]; c.first[i] = (uint32_t)run; }
    }
    if (diff_plan(&c) != 0) goto done;
    if (c.oom) { fail("out of memory"); goto done; }
    free(c.sa);
    c.sa = NULL;
    if (diff_sections(&c, &files, raw) != 0) { fail("%s: %s", out_path, strerror(errno)); goto done; }
    if (diff_compress(&files, tool, sizes) != 0) goto done;
    if ((fd = diff_temp(out_path, tmp, sizeof tmp)) < 0) { fail("%s: %s", out_path, strerror(errno)); goto done; }
    if (fchmod(fd, 0644) != 0 || diff_assemble(&c, &files, sizes, fd) != 0 || fsync(fd) != 0) {
        fail("%s: %s", out_path, strerror(errno));
        goto done;
    }
    if (close(fd) != 0) { fd = -1; fail("%s: %s", out_path, strerror(errno)); goto done; }
    fd = -1;
    if (rename(tmp, out_path) != 0) { fail("%s: %s", out_path, strerror(errno)); goto done; }
    tmp[0] = 0;
    st->ctrl_raw = raw[0];
    st->diff_raw = raw[1];
    st->extra_raw = raw[2];
    st->ctrl = (uint64_t)sizes[0];
    st->diff = (uint64_t)sizes[1];
    st->extra = (uint64_t)sizes[2];
    st->patch = UPD_PATCH_HEADER + st->ctrl + st->diff + st->extra;
    st->triples = c.ntr;
    rc = 0;
done:
    if (fd >= 0) close(fd);
    if (tmp[0]) unlink(tmp);
    diff_files_close(&files);
    free(c.sa);
    free(c.first);
    free(c.tr);
    return rc;
}

/* ---- the commands ------------------------------------------------------- */
typedef struct diff_map {
    uint8_t *p;
    size_t n;
    int fd;
    mode_t mode;
} diff_map;

/* maps a whole regular file read-only (an empty one maps to nothing) */
static int diff_map_file(const char *path, diff_map *m)
{
    struct stat sb;
    m->p = NULL;
    m->n = 0;
    if ((m->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) { fail("%s: %s", path, strerror(errno)); return -1; }
    if (fstat(m->fd, &sb) != 0) { fail("%s: %s", path, strerror(errno)); goto bad; }
    if (!S_ISREG(sb.st_mode)) { fail("%s: not a regular file", path); goto bad; }
    if ((uint64_t)sb.st_size > (uint64_t)SIZE_MAX / 2) { fail("%s: too large", path); goto bad; }
    m->n = (size_t)sb.st_size;
    m->mode = sb.st_mode;
    if (m->n > 0) {
        void *p = mmap(NULL, m->n, PROT_READ, MAP_PRIVATE, m->fd, 0);
        if (p == MAP_FAILED) { fail("%s: %s", path, strerror(errno)); goto bad; }
        m->p = (uint8_t *)p;
    }
    return 0;
bad:
    close(m->fd);
    m->fd = -1;
    return -1;
}

static void diff_unmap(diff_map *m)
{
    if (m->p) munmap(m->p, m->n);
    if (m->fd >= 0) close(m->fd);
    m->p = NULL;
    m->fd = -1;
}

static int cmd_diff(int argc, char **argv)
{
    const char *path[3] = {NULL, NULL, NULL};
    diff_map om, nm;
    diff_stats st;
    int k, np = 0, rc = 1, opts = 1;
    for (k = 1; k < argc; k++) {
        const char *a = argv[k];
        if (opts && strcmp(a, "--") == 0) opts = 0;
        else if (opts && strcmp(a, "--zopfli") == 0) diff_use_zopfli = 1;
        else if (opts && a[0] == '-' && a[1] != '\0') { fail("unknown option '%s'", a); usage_for(argv[0]); return EXIT_USAGE; }
        else if (np == 3) { usage_for(argv[0]); return EXIT_USAGE; }
        else path[np++] = a;
    }
    if (np != 3) { usage_for(argv[0]); return EXIT_USAGE; }
    if (diff_map_file(path[0], &om) != 0) return 1;
    if (diff_map_file(path[1], &nm) != 0) { diff_unmap(&om); return 1; }
    if (diff_make(om.p, om.n, nm.p, nm.n, path[2], &st) == 0) {
        printf("%s -> %s: patch %llu bytes (control %llu, diff %llu, extra %llu)\n", path[0], path[1],
               (unsigned long long)st.patch, (unsigned long long)st.ctrl, (unsigned long long)st.diff,
               (unsigned long long)st.extra);
        rc = 0;
    }
    diff_unmap(&om);
    diff_unmap(&nm);
    return rc;
}

static int cmd_patch(int argc, char **argv)
{
    const char *oldp, *patchp, *newp;
    char tmp[4096], err[256];
    struct stat sb;
    int ofd, pfd, nfd, k = 1;
    upd_result r;
    if (argc > 1 && strcmp(argv[1], "--") == 0) k = 2;
    else if (argc > 1 && argv[1][0] == '-' && argv[1][1] != '\0') {
        fail("unknown option '%s'", argv[1]);
        usage_for(argv[0]);
        return EXIT_USAGE;
    }
    if (argc - k != 3) { usage_for(argv[0]); return EXIT_USAGE; }
    oldp = argv[k]; patchp = argv[k + 1]; newp = argv[k + 2];
    if (diff_not_regular(newp)) { fail("%s: exists and is not a regular file", newp); return 1; }
    if ((ofd = open(oldp, O_RDONLY | O_CLOEXEC)) < 0) { fail("%s: %s", oldp, strerror(errno)); return 1; }
    if (fstat(ofd, &sb) != 0) { fail("%s: %s", oldp, strerror(errno)); close(ofd); return 1; }
    if ((pfd = open(patchp, O_RDONLY | O_CLOEXEC)) < 0) { fail("%s: %s", patchp, strerror(errno)); close(ofd); return 1; }
    if ((nfd = diff_temp(newp, tmp, sizeof tmp)) < 0) {
        fail("%s: %s", newp, strerror(errno));
        close(ofd); close(pfd);
        return 1;
    }
    err[0] = 0;
    if (fchmod(nfd, sb.st_mode & 07777) != 0) { fail("%s: %s", newp, strerror(errno)); goto bad; }
    r = upd_patch_apply(ofd, pfd, nfd, err, sizeof err);
    if (r != UPD_OK) { fail("%s: %s", newp, err[0] ? err : upd_strerror(r)); goto bad; }
    if (fsync(nfd) != 0) { fail("%s: %s", newp, strerror(errno)); goto bad; }
    close(ofd); close(pfd);
    if (close(nfd) != 0) { fail("%s: %s", newp, strerror(errno)); unlink(tmp); return 1; }
    if (rename(tmp, newp) != 0) { fail("%s: %s", newp, strerror(errno)); unlink(tmp); return 1; }
    return 0;
bad:
    close(ofd); close(pfd); close(nfd);
    unlink(tmp);
    return 1;
}
