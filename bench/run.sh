#!/bin/bash
# make bench: each benchmark runs ours and its anchor in the same run on the
# same input, best of 5, and prints the ratio (ours / anchor: < 1 is faster).
set -eu
cd "$(dirname "$0")/.."
B=${B:-build}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

now_ns() { date +%s%N; }
best_of() { # N CMD... -> best wall time in ms
    local n=$1 best="" t0 t1 ms; shift
    for _ in $(seq "$n"); do
        t0=$(now_ns); "$@" >/dev/null; t1=$(now_ns)
        ms=$(( (t1 - t0) / 1000000 ))
        if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
    done
    echo "$best"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) b = 1; printf "%.2f", a / b }'; }
row() { # NAME OURS_MS ANCHOR_NAME ANCHOR_MS MB
    printf '%-28s %7d ms  %-14s %7d ms  ratio %s  (%s MB/s ours)\n' "$1" "$2" "$3" "$4" \
        "$(ratio "$2" "$4")" "$(awk -v mb="$5" -v ms="$2" 'BEGIN { if (ms == 0) ms = 1; printf "%.0f", mb * 1000 / ms }')"
}

echo "updater.h benchmarks ($(uname -m), $(nproc) cores; best of 5)"
# SHA-256 of a 256 MiB file: upd sha256 vs coreutils sha256sum
head -c $((256 * 1024 * 1024)) /dev/urandom >"$tmp/big"
cat "$tmp/big" >/dev/null
ours=$(best_of 5 "$B/upd" sha256 "$tmp/big")
anchor=$(best_of 5 sha256sum "$tmp/big")
[ "$("$B/upd" sha256 "$tmp/big")" = "$(sha256sum "$tmp/big")" ] || { echo "digest mismatch"; exit 1; }
row "sha256 256 MiB" "$ours" sha256sum "$anchor" 256
