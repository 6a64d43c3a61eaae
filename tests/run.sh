#!/bin/sh
# Runs every test suite and ends with the line "N passed, N failed" (plus
# ", N skipped" and the list of what was skipped and why, if anything was).
# Each suite prints its own "N passed, N failed[, N skipped]" last line.
cd "$(dirname "$0")/.." || exit 1
B=${B:-build}
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
total_p=0 total_f=0 total_s=0

suite() {
    name=$1; shift
    printf '== %s\n' "$name"
    "$@" >"$log/$name.out" 2>&1
    rc=$?
    grep -E '^(FAIL|SKIPPED)' "$log/$name.out"
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log/$name.out" | tail -n 1)
    if [ -z "$line" ]; then
        echo "FAIL $name: suite ended without a summary (exit $rc); last lines:"
        tail -n 15 "$log/$name.out" | sed 's/^/    /'
        total_f=$((total_f + 1))
        return
    fi
    p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
    f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
    s=$(echo "$line" | sed -nE 's/.*, ([0-9]+) skipped.*/\1/p')
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "FAIL $name: exit status $rc with no failed check; last lines:"
        tail -n 15 "$log/$name.out" | sed 's/^/    /'
        f=1
    fi
    echo "   $line"
    total_p=$((total_p + p)); total_f=$((total_f + f)); total_s=$((total_s + ${s:-0}))
    grep -E '^SKIPPED' "$log/$name.out" >>"$log/skipped"
}

suite unit-asan env UPD_T_BIG=1 "$B/asan/test_main"
if command -v valgrind >/dev/null 2>&1; then
    suite unit-valgrind sh -c "UPD_T_BIG=0 valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=all $B/test_main"
else
    echo "SKIPPED unit-valgrind: valgrind is not installed" >"$log/skipped"
    total_s=$((total_s + 1))
fi
suite unit-small env UPD_T_BIG=0 "$B/small/test_main"
suite compile sh tests/compile.sh
suite portability-quick sh tests/portability.sh quick
suite cli sh tests/cli.sh
suite gunzip sh tests/gunzip.sh
suite tar sh tests/tar.sh
suite fuzz sh tests/fuzz.sh
suite tls sh tests/tls.sh
suite http sh tests/http.sh
suite sign sh tests/sign.sh
suite publish sh tests/publish.sh
suite serve sh tests/serve.sh
suite rotation sh tests/rotation.sh
suite client sh tests/client.sh
suite diff sh tests/diff.sh
suite delta sh tests/delta.sh
suite attacks sh tests/attacks.sh
suite engine sh tests/engine.sh
suite delta-attacks sh tests/delta_attacks.sh

echo
if [ "$total_s" -gt 0 ]; then
    echo "skipped:"
    sed 's/^/  /' "$log/skipped"
    echo "$total_p passed, $total_f failed, $total_s skipped"
else
    echo "$total_p passed, $total_f failed"
fi
[ "$total_f" -eq 0 ]
