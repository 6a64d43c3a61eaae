#!/bin/sh
# tests/portability.sh - updater.h on other compilers, C libraries and
# architectures, and with its parts left out (make portability).
#   sh tests/portability.sh [PART...]   parts: compilers arches toggles
#                                       (default: all three)
#   sh tests/portability.sh quick       the fast checks only (tcc, the
#                                       toggles; about 20 s)
# Environment: UPDATER_H=path/to/updater.h checks another copy of the
# header (a patch under review); JOBS is not used: checks run in order.
#
# compilers  -std=c99 -pedantic -Wall -Wextra -Wshadow -Wstrict-prototypes
#            -Wmissing-prototypes -Wconversion -Wsign-conversion -Werror
#            with gcc and clang at -O0, -O2 and -Os (warnings differ by
#            level) and with the configuration macros; the unit tests built
#            and run with gcc, clang, clang's ASan+UBSan, tcc, musl-gcc
#            (static) and g++ (as C++); the static musl `upd`.
# arches     aarch64, armhf (32-bit, Thumb-2) and s390x (big-endian): the
#            strict warnings with each cross gcc (and clang --target), the
#            unit tests built -static and run under qemu-user. No
#            -D_FILE_OFFSET_BITS=64 is passed: the header must see to it.
# toggles    each UPDATER_NO_* alone and all together: strict warnings
#            (gcc, clang, g++), the removed functions gone (declarations
#            and symbols), the remaining unit tests pass; without signing,
#            signatures made by a full build still verify.
# tests/t_big.c (sizes past 4 GiB) runs everywhere, with UPD_T_BIG=1 (its
# 4 GiB gzip member) natively and under qemu. A missing compiler or qemu
# is a loud skip, never a pass (.ci/run installs them; see
# docs/portability.md for the Debian packages).
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
root=$(pwd)
hdr=${UPDATER_H:-updater.h}
[ -f "$hdr" ] || { echo "portability.sh: no header at $hdr"; exit 2; }
hdr_dir=$(cd "$(dirname "$hdr")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# each result line says how long its check took (since the previous one)
mark=$(date +%s)
ok() { now=$(date +%s); printf 'ok   %-28s %3ss %s\n' "$1" $((now - mark)) "${2:-}"; mark=$now; pass; }
bad() { mark=$(date +%s); fail "$1" "$2"; }
first() { head -n "${2:-6}" "$1" | sed 's/^/       /'; }

W_STRICT="-std=c99 -pedantic -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wconversion -Wsign-conversion -Werror"
W_CXX="-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Werror"
W_UNIT="-Wall -Wextra -Wpedantic"

printf '#define UPDATER_IMPLEMENTATION\n#include "updater.h"\nint main(void) { return 0; }\n' >"$tmp/tu.c"
cp "$tmp/tu.c" "$tmp/tu.cpp"

# ---- the unit-test driver: tests/test_main.c, the header from $hdr_dir,
# tests/t_big.c added until test_main.c has it, FILES... left out --------------
driver() { # OUT FILE...
    out=$1; shift
    sed 's|#include "\.\./updater\.h"|#include "updater.h"|' tests/test_main.c >"$out"
    if ! grep -q '"t_big\.c"' tests/test_main.c; then
        grep -q '^typedef struct { const char \*name;' "$out" && grep -q '^#undef T$' "$out" ||
            { echo "portability.sh: tests/test_main.c changed shape: cannot add t_big.c" >&2; return 1; }
        sed -i -e '/^typedef struct { const char \*name;/i #include "t_big.c"' \
               -e '/^#undef T$/i \    TEST_LIST_BIG' "$out"
    fi
    for f in "$@"; do
        grep -q "#include \"$f\"" "$out" || continue
        m=$(sed -n 's/^#define \(TEST_LIST_[A-Z0-9_]*\).*/\1/p' "tests/$f" | head -n 1)
        sed -i -e "/#include \"$f\"/d" -e "/^ *$m\$/d" "$out"
    done
}
driver "$tmp/all.c" || exit 1

# strict NAME CC FLAGS...: the header TU compiles without a warning
strict() {
    n=$1 c=$2; shift 2
    if ! have "$c"; then skip "$n" "$c is not installed"; return; fi
    # shellcheck disable=SC2086
    if $c "$@" -I"$hdr_dir" -c "$tmp/tu.c" -o "$wd/strict.o" >"$wd/err" 2>&1; then ok "$n"
    else bad "$n" "warnings or errors:"; first "$wd/err"; fi
}

# unit NAME RUN SRC CC FLAGS...: builds SRC (a driver) and runs it (under
# RUN, e.g. qemu, or "-"); warnings from updater.h fail, warnings from the
# test files are shown once
unit() {
    n=$1 run=$2 src=$3 c=$4; shift 4
    if ! have "$c"; then skip "$n" "$c is not installed"; return; fi
    # shellcheck disable=SC2086
    if ! $c "$@" -I"$hdr_dir" -I"$root/tests" -o "$wd/$n" "$src" >"$wd/err" 2>&1; then
        bad "$n" "build failed:"; first "$wd/err" 8; return
    fi
    if grep -E "updater\.h:[0-9]+(:[0-9]+)?: (warning|error)" "$wd/err" >"$wd/hw"; then
        bad "$n" "updater.h warns:"; first "$wd/hw"; return
    fi
    tw=$(grep -cE "^[^ ]+:[0-9]+(:[0-9]+)?: warning" "$wd/err")
    if [ "$run" = - ]; then "$wd/$n" >"$wd/out" 2>&1; else $run "$wd/$n" >"$wd/out" 2>&1; fi
    rc=$?
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$wd/out" | tail -n 1)
    note=""
    [ "$tw" -gt 0 ] && note=" ($tw warnings in test files: $(grep -E "^[^ ]+:[0-9]+(:[0-9]+)?: warning" "$wd/err" | head -n 1 | sed 's/^.*warning: //'))"
    if [ $rc -eq 0 ] && [ -n "$line" ]; then ok "$n" "$line$note"
    else bad "$n" "exit $rc: ${line:-no summary}"; grep -E '^FAIL' "$wd/out" | head -n 10 | sed 's/^/       /'; [ -n "$line" ] || first "$wd/out"; fi
}

qemu_for() { # ARCH -> the qemu-user binary, or nothing
    for q in "qemu-$1-static" "qemu-$1"; do have "$q" && { echo "$q"; return; }; done
}

# ---- compilers -------------------------------------------------------------------
compilers() {
    echo "== compilers"
    for c in gcc clang; do
        for o in -O0 -O2 -Os; do strict "strict-$c$o" "$c" $W_STRICT "$o"; done
        strict "strict-$c-portable" "$c" $W_STRICT -O2 -DUPDATER_NO_SIMD -DUPDATER_NO_INT128
        strict "strict-$c-static" "$c" $W_STRICT -O2 -DUPDATER_STATIC
        strict "strict-$c-no-threads" "$c" $W_STRICT -O2 -DUPDATER_NO_THREADS
        if [ -f /usr/include/mbedtls/ssl.h ]; then strict "strict-$c-mbedtls" "$c" $W_STRICT -O2 -DUPDATER_USE_MBEDTLS
        else skip "strict-$c-mbedtls" "libmbedtls-dev is not installed"; fi
    done
    strict strict-tcc tcc -std=c99 -Wall -Werror
    if have g++; then
        if g++ -x c++ -std=c++11 $W_CXX -I"$hdr_dir" -c "$tmp/tu.cpp" -o "$wd/cxx.o" >"$wd/err" 2>&1; then ok strict-g++-c++11
        else bad strict-g++-c++11 "warnings or errors:"; first "$wd/err"; fi
    else skip strict-g++-c++11 "g++ is not installed"; fi

    UPD_T_BIG=1; export UPD_T_BIG
    unit unit-gcc-O2 - "$tmp/all.c" gcc -std=c99 -O2 $W_UNIT
    unit unit-gcc-portable - "$tmp/all.c" gcc -std=c99 -O2 $W_UNIT -DUPDATER_NO_SIMD -DUPDATER_NO_INT128
    unit unit-clang-O2 - "$tmp/all.c" clang -std=c99 -O2 $W_UNIT
    unit unit-tcc - "$tmp/all.c" tcc -std=c99 -Wall
    unit unit-musl-static - "$tmp/all.c" musl-gcc -std=c99 -O2 -static $W_UNIT
    # C++: the tests are C (exact-size string initializers, const
    # tentative definitions), hence -fpermissive; the header must stay clean
    unit unit-g++ - "$tmp/all.c" g++ -x c++ -std=c++11 -O1 -fpermissive $W_UNIT
    unset UPD_T_BIG
    unit unit-clang-asan-ubsan - "$tmp/all.c" clang -std=c99 -O1 -g -fsanitize=address,undefined \
        -fno-sanitize-recover=all -fno-omit-frame-pointer $W_UNIT

    # the static upd with musl: builds clean, works, and its size
    if have musl-gcc; then
        mkdir -p "$tmp/ex"
        cp examples/upd*.c "$tmp/ex/"
        sed -i 's|#include "\.\./updater\.h"|#include "updater.h"|' "$tmp/ex/upd.c"
        if musl-gcc -std=c99 -Os -static $W_STRICT -I"$hdr_dir" -o "$tmp/upd-musl" "$tmp/ex/upd.c" >"$wd/err" 2>&1; then
            head -c 100000 /dev/urandom >"$tmp/data"
            want=$(sha256sum "$tmp/data" | cut -c1-64)
            got=$("$tmp/upd-musl" sha256 "$tmp/data" 2>&1 | cut -c1-64)
            strip -o "$tmp/upd-musl.s" "$tmp/upd-musl"
            b=$(wc -c <"$tmp/upd-musl.s")
            if [ "$got" = "$want" ]; then ok upd-musl-static "works; $b bytes stripped (goal 200 KB)"
            else bad upd-musl-static "upd sha256 gave [$got], sha256sum [$want]"; fi
        else bad upd-musl-static "build failed:"; first "$wd/err"; fi
    else skip upd-musl-static "musl-gcc is not installed (musl-tools)"; fi
}

# ---- architectures under qemu-user ------------------------------------------------
arches() {
    echo "== architectures (qemu-user)"
    for a in aarch64:aarch64-linux-gnu:aarch64 armhf:arm-linux-gnueabihf:arm s390x:s390x-linux-gnu:s390x; do
        name=${a%%:*} rest=${a#*:}
        triplet=${rest%%:*} qarch=${rest#*:}
        cc=$triplet-gcc
        strict "strict-$name-gcc" "$cc" $W_STRICT -O2
        if have clang && [ -d "/usr/$triplet/include" ]; then
            strict "strict-$name-clang" clang --target="$triplet" $W_STRICT -O2
        else skip "strict-$name-clang" "clang or /usr/$triplet/include is missing"; fi
        q=$(qemu_for "$qarch")
        if [ -z "$q" ]; then skip "unit-$name-qemu" "qemu-$qarch-static is not installed (qemu-user-static)"; continue; fi
        UPD_T_BIG=1; export UPD_T_BIG
        unit "unit-$name-qemu" "$q" "$tmp/all.c" "$cc" -std=c99 -O2 -static $W_UNIT
        unset UPD_T_BIG
    done
    # 32-bit time_t: what -D_TIME_BITS=64 (glibc 2.34+) changes, t_big.c alone
    q=$(qemu_for arm)
    if [ -n "$q" ] && have arm-linux-gnueabihf-gcc; then
        grep -E '^(#define UPDATER_IMPLEMENTATION|#include "(updater|test)\.h"|int t_passed|const char \*t_current)' "$tmp/all.c" >"$tmp/big.c"
        cat >>"$tmp/big.c" <<'EOF'
#include "t_big.c"
int main(void)
{
    static const struct { const char *name; void (*fn)(void); } t[] = {
#define T(name) { #name, name },
        TEST_LIST_BIG
#undef T
    };
    size_t i;
    for (i = 0; i < sizeof t / sizeof t[0]; i++) { t_current = t[i].name; t[i].fn(); }
    printf("%d passed, %d failed, %d skipped\n", t_passed, t_failed, t_skipped);
    return t_failed != 0;
}
EOF
        unit unit-armhf-time64-big "$q" "$tmp/big.c" arm-linux-gnueabihf-gcc -std=c99 -O2 -static -D_TIME_BITS=64 $W_UNIT
    else skip unit-armhf-time64-big "arm-linux-gnueabihf-gcc or qemu-arm is missing"; fi
}

# ---- the UPDATER_NO_* toggles ------------------------------------------------------
# gone NAME OBJ FLAGS -- SYMBOL...: OBJ (built with FLAGS) defines none of
# SYMBOL, and the header with FLAGS declares none of them
gone() {
    n=$1 obj=$2; shift 2
    flags=""
    while [ "$1" != -- ]; do flags="$flags $1"; shift; done
    shift
    if [ ! -f "$obj" ]; then bad "$n" "no object to look at (its build failed)"; return; fi
    printf '#include "updater.h"\n' >"$wd/d.c"
    i=0
    for s in "$@"; do i=$((i + 1)); printf 'void *p%d(void);\nvoid *p%d(void) { return (void *)&%s; }\n' $i $i "$s" >>"$wd/d.c"; done
    # shellcheck disable=SC2086
    LC_ALL=C gcc -std=c99 $flags -I"$hdr_dir" -fsyntax-only "$wd/d.c" >"$wd/err" 2>&1
    left=""
    for s in "$@"; do
        nm "$obj" | grep -q " [TtWw] $s\$" && left="$left $s(defined)"
        grep -q "'$s' undeclared" "$wd/err" || left="$left $s(declared)"
    done
    if [ -z "$left" ]; then ok "$n" "$*"; else bad "$n" "still there:$left"; fi
}

api_of() { # TOGGLE -> a pattern of the API it removes
    case $1 in
    HTTP) echo 'upd_http_|upd_client|upd_check|upd_download|upd_apply|upd_update|upd_offer' ;;
    ENGINE) echo 'upd_engine|upd_startup|upd_install|upd_mark_good|upd_version_failed|upd_client|upd_check|upd_download|upd_apply|upd_update|upd_offer' ;;
    SIGN) echo 'upd_ed25519_sign|upd_ed25519_keypair|upd_ed25519_seed_keypair|upd_minisig_sign|upd_minisign_keygen|upd_seckey' ;;
    THREADS) echo 'upd_check_async|upd_download_async|upd_watch|upd_wait|upd_async_fn' ;;
    esac
}

toggles() {
    echo "== toggles (UPDATER_NO_*)"
    for t in HTTP ENGINE SIGN THREADS ALL; do
        # what goes (functions to look for); test files that use the API
        # gone are left out, unless they mention the toggle themselves
        case $t in
        HTTP) d="-DUPDATER_NO_HTTP" syms="upd_http_get upd_http_parser_feed upd_check upd_update" ;;
        ENGINE) d="-DUPDATER_NO_ENGINE" syms="upd_startup upd_install upd_mark_good upd_version_failed upd_check upd_download" ;;
        SIGN) d="-DUPDATER_NO_SIGN"
              syms="upd_ed25519_sign upd_ed25519_keypair upd_ed25519_seed_keypair upd_minisig_sign upd_minisign_keygen upd_seckey_parse upd_seckey_format" ;;
        THREADS) d="-DUPDATER_NO_THREADS" syms="upd_check_async upd_download_async upd_watch upd_wait" ;;
        ALL) d="-DUPDATER_NO_HTTP -DUPDATER_NO_ENGINE -DUPDATER_NO_SIGN -DUPDATER_NO_THREADS"
             syms="upd_http_get upd_install upd_check upd_minisig_sign upd_watch" ;;
        esac
        lc=$(echo "$t" | tr 'A-Z' 'a-z')
        rm -f "$wd/strict.o"
        # shellcheck disable=SC2086
        if [ "$quick" = 1 ]; then
            strict "strict-no-$lc-gcc" gcc $W_STRICT -O0 $d
        else
            strict "strict-no-$lc-clang" clang $W_STRICT -O2 $d
            strict "strict-no-$lc-gcc" gcc $W_STRICT -O2 $d
        fi
        # shellcheck disable=SC2086
        gone "gone-no-$lc" "$wd/strict.o" $d -- $syms
        if [ "$quick" != 1 ]; then
            # shellcheck disable=SC2086
            if g++ -x c++ -std=c++11 $W_CXX $d -I"$hdr_dir" -c "$tmp/tu.cpp" -o "$wd/cxx.o" >"$wd/err" 2>&1; then
                ok "strict-no-$lc-g++"
            else bad "strict-no-$lc-g++" "warnings or errors:"; first "$wd/err"; fi
        fi
        # the unit tests that do not need what is gone
        leave=""
        for f in $(sed -n 's/^#include "\(t_[A-Za-z0-9_]*\.c\)"$/\1/p' "$tmp/all.c"); do
            for x in $d; do
                x=${x#-DUPDATER_NO_}
                grep -q "UPDATER_NO_$x" "tests/$f" && continue
                grep -qE "$(api_of "$x")" "tests/$f" && { leave="$leave $f"; break; }
            done
        done
        # shellcheck disable=SC2086
        driver "$tmp/no-$lc.c" $leave
        if [ "$quick" = 1 ] && have tcc; then
            # shellcheck disable=SC2086
            unit "unit-no-$lc" - "$tmp/no-$lc.c" tcc -std=c99 -Wall $d
        else
            # shellcheck disable=SC2086
            unit "unit-no-$lc" - "$tmp/no-$lc.c" gcc -std=c99 -O0 $W_UNIT $d
        fi
        [ -n "$leave" ] && echo "       (test files left out:$leave)"
    done
    # without signing, signatures made with signing still verify
    cat >"$tmp/sign.c" <<'EOF'
#define UPDATER_IMPLEMENTATION
#include "updater.h"
int main(int argc, char **argv)
{
    upd_pubkey pk; upd_seckey sk; upd_minisig s;
    static char pub[256], sig[UPDATER_MAX_MINISIG];
    static const char msg[] = "signed by a full build";
    FILE *f;
    if (argc < 3 || upd_minisign_keygen(&pk, &sk) != UPD_OK || upd_pubkey_format(&pk, pub, sizeof pub) != UPD_OK ||
        upd_minisig_sign(&sk, 0, msg, sizeof msg - 1, "t", sig, sizeof sig) != UPD_OK ||
        upd_minisig_parse(&s, sig, strlen(sig)) != UPD_OK) return 1;
    if (!(f = fopen(argv[1], "w")) || fputs(pub, f) < 0 || fclose(f)) return 1;
    if (!(f = fopen(argv[2], "w")) || fputs(sig, f) < 0 || fclose(f)) return 1;
    return 0;
}
EOF
    cat >"$tmp/verify.c" <<'EOF'
#define UPDATER_IMPLEMENTATION
#include "updater.h"
static size_t slurp(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, cap - 1, f) : 0;
    if (f) fclose(f);
    buf[n] = 0;
    return n;
}
int main(int argc, char **argv)
{
    upd_pubkey pk; upd_minisig s;
    static char pub[256], sig[UPDATER_MAX_MINISIG];
    static const char msg[] = "signed by a full build", other[] = "signed by a full build!";
    size_t np = slurp(argv[1], pub, sizeof pub), ns = slurp(argv[2], sig, sizeof sig);
    (void)argc;
    if (upd_pubkey_parse(&pk, pub, np) != UPD_OK || upd_minisig_parse(&s, sig, ns) != UPD_OK) return 1;
    if (upd_minisig_verify(&s, &pk, 1, msg, sizeof msg - 1) != UPD_OK) return 2;
    if (upd_minisig_verify(&s, &pk, 1, other, sizeof other - 1) != UPD_E_SIG) return 3;
    return 0;
}
EOF
    if gcc -std=c99 -O0 -I"$hdr_dir" -o "$tmp/sign" "$tmp/sign.c" 2>"$wd/err" &&
       gcc -std=c99 -O0 -DUPDATER_NO_SIGN -I"$hdr_dir" -o "$tmp/verify" "$tmp/verify.c" 2>>"$wd/err" &&
       "$tmp/sign" "$tmp/k.pub" "$tmp/m.minisig"; then
        "$tmp/verify" "$tmp/k.pub" "$tmp/m.minisig"
        rc=$?
        if [ $rc -eq 0 ]; then ok verify-no-sign "a full build's signature verifies; a changed message does not"
        else bad verify-no-sign "exit $rc"; fi
    else bad verify-no-sign "build or signing failed"; first "$wd/err"; fi
}

# ---- main: two lanes (this machine and CI have 2 cores), logs in order -------
quick=0
parts=${*:-compilers arches toggles}
if [ "$parts" = quick ]; then
    quick=1 wd=$tmp/quick
    mkdir -p "$wd"
    echo "== quick"
    unit unit-tcc - "$tmp/all.c" tcc -std=c99 -Wall
    toggles
    echo
    summary
    exit
fi
for p in $parts; do
    case $p in compilers|arches|toggles) ;; *) echo "usage: tests/portability.sh [quick | compilers arches toggles]" >&2; exit 2 ;; esac
done
lane() { # LOG PART...: runs the parts in a subshell with its own counters
    log=$1; shift
    (
        wd=$tmp/$(basename "$log" .log)
        mkdir -p "$wd"
        for p in "$@"; do $p; done
        summary
    ) >"$log" 2>&1
}
# compilers alone in one lane, the rest in the other
l1="" l2=""
for p in $parts; do
    if [ "$p" = compilers ]; then l1="$l1 $p"; else l2="$l2 $p"; fi
done
echo "== running [$l1 ] and [$l2 ] side by side; their logs follow"
# shellcheck disable=SC2086
[ -n "$l1" ] && lane "$tmp/lane1.log" $l1 &
# shellcheck disable=SC2086
[ -n "$l2" ] && lane "$tmp/lane2.log" $l2 &
wait
P=0 F=0 S=0
for l in "$tmp/lane1.log" "$tmp/lane2.log"; do
    [ -f "$l" ] || continue
    sed '$d' "$l"
    last=$(tail -n 1 "$l")
    p=$(echo "$last" | sed -nE 's/^([0-9]+) passed.*/\1/p')
    f=$(echo "$last" | sed -nE 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/p')
    s=$(echo "$last" | sed -nE 's/.*, ([0-9]+) skipped.*/\1/p')
    if [ -z "$p" ]; then echo "FAIL lane: ended without a summary: $last"; F=$((F + 1)); continue; fi
    P=$((P + p)) F=$((F + f)) S=$((S + ${s:-0}))
done
echo
grep -h '^SKIPPED' "$tmp/lane1.log" "$tmp/lane2.log" 2>/dev/null | sed 's/^/  /'
if [ "$S" -gt 0 ]; then echo "$P passed, $F failed, $S skipped"; else echo "$P passed, $F failed"; fi
[ "$F" -eq 0 ]
