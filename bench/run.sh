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

# ---- gzip decoding: ours vs zlib vs libdeflate (bench/inflate.c) ----
# In one process on a file held in memory: ours and zlib stream into a
# reused 1 MiB buffer, libdeflate decodes in one shot into a buffer of the
# whole size. Ratios here are speeds (ours / anchor: > 1 is faster).
# pick QUOTA_BYTES FILTER FIND-ARGS...: paths (relative to /) of regular
# files that find lists, in name order, as long as the total stays within
# QUOTA; FILTER is "elf" (ELF files only) or "text" (no NUL bytes: grep -I)
pick() {
    local quota=$1 filter=$2; shift 2
    find "$@" -type f -size +0 ! -name '*.gz' 2>/dev/null | LC_ALL=C sort |
        if [ "$filter" = elf ]; then xargs -r -d '\n' grep -laP '^\x7fELF' -- 2>/dev/null
        else xargs -r -d '\n' grep -lIs '' -- 2>/dev/null; fi |
        xargs -r -d '\n' stat -c '%s %n' 2>/dev/null |
        awk -v q="$quota" '{ s = $1; sub(/^[0-9]+ \//, ""); if (t + s <= q) { t += s; print } if (t > q - 65536) exit }'
}
MB=1000000
arch=$(gcc -print-multiarch 2>/dev/null || true)
libdir=/usr/lib/${arch:-.}
{ pick $((50 * MB)) elf /usr/bin -maxdepth 1
  pick $((50 * MB)) elf "$libdir" -maxdepth 1 -name '*.so*'; } >"$tmp/bin.list"
{ pick $((20 * MB)) text /usr/include; pick $((15 * MB)) text /usr/share/perl /usr/share/perl5
  pick $((15 * MB)) text /usr/lib/python3*; } >"$tmp/text.list"
for set in bin text; do
    tar -C / -cf "$tmp/$set.tar" -T "$tmp/$set.list"
    gzip -6 -c "$tmp/$set.tar" >"$tmp/$set.tar.gz"
done
echo
echo "gzip -6 decoding, median of 7 (MB/s of output; ours/anchor > 1 = ours faster)"
bad=0 # a decoder that fails or disagrees: reported, the rest still runs
for set in bin text; do
    case $set in bin) what="ELF binaries";; *) what="text";; esac
    if out=$("$B/bench_inflate" "$tmp/$set.tar.gz" 7 2>&1); then printf '%-19s %s\n' "$what" "$out"
    else printf '%-19s FAILED: %s\n' "$what" "$(printf '%s' "$out" | tr '\n' ' ')"; bad=1; fi
done

# ---- instructions per output byte (callgrind, ~8 MB slices) ----
if command -v valgrind >/dev/null 2>&1; then
    echo
    echo "instructions per output byte (valgrind --tool=callgrind, Ir in the decode call only)"
    for set in bin text; do
        head -c $((8 * MB)) "$tmp/$set.tar" | gzip -6 >"$tmp/$set.slice.gz"
        line=""
        for d in ours zlib libdeflate; do
            if valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" --toggle-collect="decode_$d" \
                   "$B/bench_inflate" --one "$d" "$tmp/$set.slice.gz" >/dev/null 2>"$tmp/cg.err"; then
                ir=$(sed -n 's/.*Collected : *\([0-9][0-9]*\).*/\1/p' "$tmp/cg.err")
                line="$line$(awk -v d="$d" -v ir="${ir:-0}" -v n=$((8 * MB)) 'BEGIN { printf "  %s %.2f", d, ir / n }')"
            else line="$line  $d FAILED"; bad=1; fi
        done
        case $set in bin) what="ELF binaries";; *) what="text";; esac
        printf '%-18s%s Ir/byte\n' "$what, 8 MB" "$line"
    done
else
    echo "(valgrind is not installed: no instruction counts)"
fi

# ---- code size of the decoder at gcc -Os ----
# nm sizes of the gzip functions (upd_gunzip_*, upd__z_*, upd_crc32 and its
# helpers) and of their tables, in a TU built with -Os -ffunction-sections;
# rodata includes the CRC-32 tables (shown apart) and the functions' own
# constants (jump tables, assert strings)
printf '#define UPDATER_IMPLEMENTATION\n#include "updater.h"\n' >"$tmp/size.c"
gcc -std=c99 -Os -ffunction-sections -fdata-sections -I. -c "$tmp/size.c" -o "$tmp/size.o"
# symbols: NAME TYPE SIZE; then the sections of the functions' constants
# that no symbol covers (".rodata.upd_gunzip_run", ".rodata.upd_gunzip_run.str1.1")
{ nm --size-sort -S -t d "$tmp/size.o" | awk 'NF == 4 { print $4, $3, $2 + 0 }'
  size -A "$tmp/size.o" | awk '$1 ~ /^\.rodata\./ { n = $1; sub(/^\.rodata\./, "", n); print n, "section", $2 }'
} | awk -v re='^(upd_gunzip_|upd__z_|upd_crc32|upd__crc|upd__len_|upd__dist_|upd__clen_)' '
    $2 ~ /^[rR]$/ { sym[$1] = 1 }
    $1 !~ re { next }
    $2 ~ /^[tT]$/ { code += $3 }
    $2 ~ /^[rR]$/ { ro += $3; if ($1 ~ /crc/) crc += $3 }
    $2 == "section" && !($1 in sym) { ro += $3 }
    END { printf "gunzip at gcc -Os: code %d bytes, rodata %d bytes (%d of them CRC-32 tables)\n", code, ro, crc }'
echo "  (anchors: miniz tinfl ~6.9 KB, puff ~2.8 KB; neither has a CRC-32)"
[ "$bad" -eq 0 ]
