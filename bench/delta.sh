#!/bin/bash
# Binary patches on real release pairs: upd diff / upd patch (UPDDIFF1,
# docs/delta.md) against bsdiff/bspatch, xdelta3 and zstd --patch-from.
#
# The pairs are consecutive releases of native programs from the npm
# registry (`npm pack`, cached in $B/delta-cache and reused) and two builds
# of examples/hello one version apart. For each pair:
#   - sizes: ours (gzip -9 sections), bsdiff (bzip2 sections), xdelta3 -9,
#     zstd -19 --long=27 --patch-from; ratio ours/bsdiff (< 1: ours smaller)
#     and the goal line "ours <= bsdiff: yes/no";
#   - time and peak RSS to make the patch (one run each: ours, bsdiff);
#   - applying: upd patch vs bspatch, best of 3 wall time, MB/s of new
#     bytes, ratio ours/bspatch (< 1: ours faster), and the peak RSS of both.
# Every patch is applied and the result compared with cmp.
# BENCH_ZOPFLI=1 adds upd diff --zopfli (minutes per pair).
# A tool that is not installed is reported as SKIPPED; a pair npm cannot
# fetch too. Exit 1 if a tool fails or a result differs.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
UPD=${UPD:-$B/upd}
CACHE=$B/delta-cache
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
have() { command -v "$1" >/dev/null 2>&1; }
bad=0
MB=1000000

[ -x "$UPD" ] || { echo "delta: $UPD is missing (make $UPD)"; exit 1; }
missing=""
for t in bsdiff bspatch xdelta3 zstd npm; do have "$t" || missing="$missing $t"; done
for t in $missing; do
    case $t in
        bsdiff|bspatch) hint="apt-get install bsdiff" ;;
        npm) hint="apt-get install npm; without it only the hello pair is measured" ;;
        *) hint="apt-get install $t" ;;
    esac
    echo "SKIPPED $t: not installed ($hint)"
done
have_time=0; [ -x /usr/bin/time ] && /usr/bin/time -f %M -o /dev/null true 2>/dev/null && have_time=1
[ "$have_time" = 1 ] || echo "SKIPPED peak RSS: GNU time is not installed (apt-get install time)"

now_ns() { date +%s%N; }
# best3 CMD...: best wall time of 3 runs in ms ("" if CMD fails)
best3() {
    local best="" t0 t1 ms
    for _ in 1 2 3; do
        t0=$(now_ns); "$@" >/dev/null 2>&1 || { echo ""; return; }; t1=$(now_ns)
        ms=$(( (t1 - t0) / 1000000 )); [ "$ms" -gt 0 ] || ms=1
        if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
    done
    echo "$best"
}
# make CMD...: runs CMD once; sets MS (wall time in ms), KB (peak RSS in
# KiB, "" without GNU time) and OUT (its stdout); fails if CMD fails
make_once() {
    local t0 t1
    KB=""
    t0=$(now_ns)
    if [ "$have_time" = 1 ]; then /usr/bin/time -f %M -o "$tmp/make.rss" "$@" >"$tmp/make.out" 2>"$tmp/make.err" || return 1
    else "$@" >"$tmp/make.out" 2>"$tmp/make.err" || return 1; fi
    t1=$(now_ns)
    MS=$(( (t1 - t0) / 1000000 ))
    OUT=$(cat "$tmp/make.out")
    [ "$have_time" = 1 ] && KB=$(tail -n 1 "$tmp/make.rss")
    return 0
}
rss() { # CMD...: peak RSS in MiB
    if /usr/bin/time -f %M -o "$tmp/rss" "$@" >/dev/null 2>&1; then awk '{ printf "%.1f MiB", $1 / 1024 }' "$tmp/rss"
    else echo FAILED; fi
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) b = 1; printf "%.3f", a / b }'; }
mbps() { awk -v n="$1" -v ms="$2" 'BEGIN { if (ms == 0) ms = 1; printf "%.0f", n / 1e6 * 1000 / ms }'; }
sz() { stat -c %s "$1"; }
secs() { awk -v ms="$1" 'BEGIN { printf "%.1f s", ms / 1000 }'; }

# fetch SPEC: the package in $CACHE (npm pack's file name), fetched once
fetch() {
    local f
    f=$CACHE/$(printf '%s' "$1" | sed -e 's/^@//' -e 's|/|-|' -e 's/@/-/').tgz
    if [ ! -s "$f" ]; then
        have npm || return 1
        mkdir -p "$CACHE" "$tmp/npm"
        (cd "$tmp/npm" && timeout 300 npm pack --silent "$1" >"$tmp/npm.out" 2>&1) &&
            mv "$tmp/npm/$(basename "$f")" "$f" 2>/dev/null || return 1
    fi
    echo "$f"
}

mib() { [ -z "$1" ] || awk -v kb="$1" 'BEGIN { printf ", peak RSS %.1f MiB", kb / 1024 }'; }

# measure NAME OLD NEW
measure() {
    local name=$1 old=$2 new=$3 d=$tmp/m ours bs xd zs a_ours a_bs line zop=""
    rm -rf "$d"; mkdir -p "$d"
    local on nn; on=$(sz "$old"); nn=$(sz "$new")
    echo
    echo "== $name: old $on bytes, new $nn bytes"
    if ! make_once "$UPD" diff "$old" "$new" "$d/ours.patch"; then
        echo "  upd diff FAILED: $(tail -n 2 "$tmp/make.err")"; bad=1; return
    fi
    ours=$(sz "$d/ours.patch")
    printf '  %-22s %10d bytes  (%s to make%s)  [%s]\n' "ours (upd diff)" "$ours" "$(secs "$MS")" "$(mib "$KB")" \
        "$(printf '%s' "$OUT" | sed 's/.*(\(.*\))$/\1/')"
    if "$UPD" patch "$old" "$d/ours.patch" "$d/ours.out" >/dev/null 2>&1 && cmp -s "$d/ours.out" "$new"; then :
    else echo "  upd patch FAILED or its result DIFFERS"; bad=1; fi
    if [ "${BENCH_ZOPFLI:-0}" = 1 ]; then
        if ! have zopfli; then echo "  SKIPPED upd diff --zopfli: zopfli is not installed"
        elif make_once "$UPD" diff --zopfli "$old" "$new" "$d/zop.patch"; then
            zop=$(sz "$d/zop.patch")
            printf '  %-22s %10d bytes  (%s to make)\n' "ours --zopfli" "$zop" "$(secs "$MS")"
            if "$UPD" patch "$old" "$d/zop.patch" "$d/zop.out" >/dev/null 2>&1 && cmp -s "$d/zop.out" "$new"; then :
            else echo "  upd patch of the --zopfli patch FAILED or its result DIFFERS"; bad=1; fi
        else echo "  upd diff --zopfli FAILED: $(tail -n 2 "$tmp/make.err")"; bad=1; fi
    fi
    bs=""
    if have bsdiff && have bspatch; then
        if make_once bsdiff "$old" "$new" "$d/bs.patch"; then
            bs=$(sz "$d/bs.patch")
            printf '  %-22s %10d bytes  (%s to make%s)\n' "bsdiff" "$bs" "$(secs "$MS")" "$(mib "$KB")"
            if bspatch "$old" "$d/bs.out" "$d/bs.patch" >/dev/null 2>&1 && cmp -s "$d/bs.out" "$new"; then :
            else echo "  bspatch FAILED or its result DIFFERS"; bad=1; fi
        else echo "  bsdiff FAILED"; bad=1; fi
    else echo "  SKIPPED bsdiff (not installed)"; fi
    if have xdelta3; then
        if xdelta3 -9 -e -f -s "$old" "$new" "$d/x.vcdiff" >/dev/null 2>&1; then
            xd=$(sz "$d/x.vcdiff")
            printf '  %-22s %10d bytes\n' "xdelta3 -9" "$xd"
            if xdelta3 -d -f -s "$old" "$d/x.vcdiff" "$d/x.out" >/dev/null 2>&1 && cmp -s "$d/x.out" "$new"; then :
            else echo "  xdelta3 -d FAILED or its result DIFFERS"; bad=1; fi
        else echo "  xdelta3 FAILED"; bad=1; fi
    else echo "  SKIPPED xdelta3 (not installed)"; fi
    if have zstd; then
        if zstd -q -f -19 --long=27 --patch-from="$old" "$new" -o "$d/z.zst" >/dev/null 2>&1; then
            zs=$(sz "$d/z.zst")
            printf '  %-22s %10d bytes\n' "zstd -19 --patch-from" "$zs"
            if zstd -q -f -d --long=27 --patch-from="$old" "$d/z.zst" -o "$d/z.out" >/dev/null 2>&1 && cmp -s "$d/z.out" "$new"; then :
            else echo "  zstd -d --patch-from FAILED or its result DIFFERS"; bad=1; fi
        else echo "  zstd --patch-from FAILED"; bad=1; fi
    else echo "  SKIPPED zstd (not installed)"; fi
    if [ -n "$bs" ]; then
        echo "  size ratio ours/bsdiff $(ratio "$ours" "$bs")${zop:+, ours --zopfli/bsdiff $(ratio "$zop" "$bs")}"
        if [ "$ours" -le "$bs" ]; then echo "  goal: ours <= bsdiff: yes"
        else echo "  goal: ours <= bsdiff: no (by $((ours - bs)) bytes)"; fi
        summary="$summary$(printf '\n  %-42s ours %9d  bsdiff %9d  ratio %s%s' "$name" "$ours" "$bs" "$(ratio "$ours" "$bs")" \
            "${zop:+  --zopfli $(ratio "$zop" "$bs")}")"
    fi
    # applying
    a_ours=$(best3 "$UPD" patch "$old" "$d/ours.patch" "$d/ours.out")
    if [ -z "$a_ours" ]; then echo "  upd patch FAILED"; bad=1; return; fi
    line="  apply, best of 3: upd patch $a_ours ms ($(mbps "$nn" "$a_ours") MB/s)"
    if [ -n "$bs" ]; then
        a_bs=$(best3 bspatch "$old" "$d/bs.out" "$d/bs.patch")
        if [ -n "$a_bs" ]; then
            line="$line, bspatch $a_bs ms ($(mbps "$nn" "$a_bs") MB/s), ratio ours/bspatch $(ratio "$a_ours" "$a_bs")"
        else line="$line, bspatch FAILED"; bad=1; fi
    fi
    echo "$line"
    if [ "$have_time" = 1 ]; then
        line="  apply, peak RSS: upd patch $(rss "$UPD" patch "$old" "$d/ours.patch" "$d/ours.out")"
        [ -z "$bs" ] || line="$line, bspatch $(rss bspatch "$old" "$d/bs.out" "$d/bs.patch")"
        echo "$line"
    fi
}

# pair NAME SPEC-OLD SPEC-NEW PATH: an npm release pair
pair() {
    local a b
    if ! a=$(fetch "$2") || ! b=$(fetch "$3"); then
        echo
        if have npm; then echo "SKIPPED $1: npm pack $2 / $3 failed (no network?): $(tail -n 2 "$tmp/npm.out" 2>/dev/null | tr '\n' ' ')"
        else echo "SKIPPED $1: npm is not installed and $CACHE does not hold $2 and $3"; fi
        return
    fi
    rm -rf "$tmp/a" "$tmp/b"; mkdir -p "$tmp/a" "$tmp/b"
    if ! tar -C "$tmp/a" -xzf "$a" "$4" || ! tar -C "$tmp/b" -xzf "$b" "$4"; then
        echo "$1: $4 is not in the packages"; bad=1; return
    fi
    measure "$1" "$tmp/a/$4" "$tmp/b/$4"
}

echo "binary patches: upd diff/patch vs bsdiff 4 (bzip2), xdelta3 -9, zstd -19 --long=27 --patch-from"
summary=""
pair "esbuild 0.15.17 -> 0.15.18 (Go)" esbuild-linux-64@0.15.17 esbuild-linux-64@0.15.18 package/bin/esbuild
pair "@esbuild/linux-x64 0.19.0 -> 0.19.1 (Go)" @esbuild/linux-x64@0.19.0 @esbuild/linux-x64@0.19.1 package/bin/esbuild
pair "biome 1.5.0 -> 1.5.1 (Rust)" @biomejs/cli-linux-x64@1.5.0 @biomejs/cli-linux-x64@1.5.1 package/biome
pair "turbo 1.10.0 -> 1.10.1 (Rust)" turbo-linux-64@1.10.0 turbo-linux-64@1.10.1 turbo-linux-64/bin/turbo
pair "go-turbo 1.10.0 -> 1.10.1 (Go)" turbo-linux-64@1.10.0 turbo-linux-64@1.10.1 turbo-linux-64/bin/go-turbo
pair "swc 1.3.100 -> 1.3.101 (Rust .node)" @swc/core-linux-x64-gnu@1.3.100 @swc/core-linux-x64-gnu@1.3.101 package/swc.linux-x64-gnu.node
# examples/hello, one version apart (built here, beside the build directory's own)
for v in 1.0.0 1.0.1; do
    make -s B="$tmp/hello-$v" HELLO_VERSION=$v "$tmp/hello-$v/hello" >"$tmp/make.out" 2>&1 ||
        { echo "hello $v: build FAILED: $(tail -n 3 "$tmp/make.out")"; bad=1; }
done
if [ -x "$tmp/hello-1.0.0/hello" ] && [ -x "$tmp/hello-1.0.1/hello" ]; then
    measure "examples/hello 1.0.0 -> 1.0.1 (C)" "$tmp/hello-1.0.0/hello" "$tmp/hello-1.0.1/hello"
fi
if [ -n "$summary" ]; then
    echo
    echo "patch sizes, ours/bsdiff (< 1: ours smaller):$summary"
fi
[ "$bad" -eq 0 ]
