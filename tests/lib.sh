# tests/lib.sh - helpers for the shell test suites (sourced).
#   pass NAME / fail NAME DETAIL / skip NAME WHY
#   check NAME CMD...          passes if CMD exits 0
#   check_eq NAME GOT WANT     passes if the two strings are equal
#   check_rc NAME WANT CMD...  passes if CMD exits with status WANT
#   summary                    prints "N passed, N failed[, N skipped]"
T_PASS=0 T_FAIL=0 T_SKIP=0
pass() { T_PASS=$((T_PASS + 1)); }
fail() { T_FAIL=$((T_FAIL + 1)); printf 'FAIL %s: %s\n' "$1" "${2:-}"; }
skip() { T_SKIP=$((T_SKIP + 1)); printf 'SKIPPED %s: %s\n' "$1" "$2"; }
check() { n=$1; shift; if "$@" >/dev/null 2>&1; then pass; else fail "$n" "command failed: $*"; fi; }
check_eq() {
    if [ "$2" = "$3" ]; then pass; else fail "$1" "got [$2] want [$3]"; fi
}
check_rc() {
    n=$1 want=$2; shift 2
    "$@" >/dev/null 2>&1; got=$?
    if [ "$got" = "$want" ]; then pass; else fail "$n" "exit $got, want $want: $*"; fi
}
have() { command -v "$1" >/dev/null 2>&1; }
summary() {
    if [ "$T_SKIP" -gt 0 ]; then echo "$T_PASS passed, $T_FAIL failed, $T_SKIP skipped"
    else echo "$T_PASS passed, $T_FAIL failed"; fi
    [ "$T_FAIL" -eq 0 ]
}
