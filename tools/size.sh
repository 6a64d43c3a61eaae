#!/bin/sh
# tools/size.sh - updater.h's footprint (make size).
#   tools/size.sh        code and rodata at -Os of the whole library and of
#                        each part, on x86-64 and on armhf (Thumb-2); the
#                        library with parts left out (UPDATER_NO_*); the
#                        static musl `upd` binary
#   tools/size.sh ram    heap and stack high-water marks of a whole
#                        `upd update` against a local `upd serve`
#                        (valgrind massif)
# Environment: UPDATER_H=path/to/updater.h measures another copy of the
# header; SIZE_CFLAGS adds flags to the size builds (e.g. -DNDEBUG).
#
# How a part is measured: the implementation alone in one translation unit,
# built with -Os -ffunction-sections -fdata-sections, so that nm gives each
# function and table its own size. A symbol belongs to the part whose
# ">>section" of updater.h defines it (so a helper counts where it lives,
# as bench/run.sh's prefixes count it); the unnamed constants of a function
# (.rodata.FUNCTION, .rodata.FUNCTION.str1.1: jump tables, strings) count
# with it. What no section claims (upd_strerror's table, the shared number
# and character helpers, function-local statics, assert strings) is
# "shared", so the parts add up to the whole. Whole = .text + .rodata of
# the object (size(1)'s "text" also counts .eh_frame, unwind tables that
# -fno-asynchronous-unwind-tables removes: shown apart). TLS (mbedTLS) is
# never included.
cd "$(dirname "$0")/.." || exit 1
hdr=${UPDATER_H:-updater.h}
[ -f "$hdr" ] || { echo "size.sh: no header at $hdr" >&2; exit 2; }
hdr_dir=$(cd "$(dirname "$hdr")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
have() { command -v "$1" >/dev/null 2>&1; }

# name -> ">>section", from where updater.h defines it
awk '/^\/\* ==== >>/ { sec = $3; sub(/^>>/, "", sec); next }
     sec && /^(static|UPDDEF|UPD__PRIVATE)[ \t]/ {
         l = $0; sub(/[\[(=].*/, "", l); sub(/[ \t]+$/, "", l)
         n = split(l, w, /[ *]+/)
         if (w[n] ~ /^[A-Za-z_][A-Za-z0-9_]*$/) print w[n], sec
     }' "$hdr" >"$tmp/map"
# the rows: title, then the sections they sum ("rest": what no other row has)
ROWS="gzip (inflate, CRC-32)|gunzip
tar (reader, extractor)|tar
crypto (SHA-256/512, BLAKE2b, Ed25519, minisign)|sha256 sha512 blake2b ed25519 minisign
  sha256 (+ SHA-NI on x86-64)|sha256
  sha512|sha512
  blake2b|blake2b
  ed25519 (verify; sign and keys)|ed25519
  minisign (keys, signatures, base64)|minisign
http (client, parser; no TLS)|http
manifest + versions + urls|manifest versions urls
engine (install, swap, rollback)|engine
delta (tree check, binary patches)|delta
client (check, download, workers)|client
shared (results, helpers, locals)|rest"
printf '#define UPDATER_IMPLEMENTATION\n#include "updater.h"\n' >"$tmp/lib.c"

# build CC NM SIZE OUT FLAGS...: object file, then "part code rodata" lines
# in OUT.parts and "code rodata eh" in OUT.whole
build() {
    cc=$1 nm=$2 sz=$3 out=$4; shift 4
    # shellcheck disable=SC2086
    if ! $cc -std=c99 -Os -ffunction-sections -fdata-sections $SIZE_CFLAGS "$@" -I"$hdr_dir" \
            -c "$tmp/lib.c" -o "$out.o" 2>"$out.err"; then
        sed 's/^/    /' "$out.err" | head -n 5 >&2
        return 1
    fi
    $sz -A "$out.o" | awk '
        $1 ~ /^\.text/ { code += $2 } $1 ~ /^\.rodata/ { ro += $2 }
        $1 ~ /^(\.eh_frame|\.ARM\.ex)/ { eh += $2 }
        END { print code + 0, ro + 0, eh + 0 }' >"$out.whole"
    { $nm -S -t d "$out.o" | awk 'NF == 4 { print "sym", $4, $3, $2 + 0 }'
      $sz -A "$out.o" | awk '$1 ~ /^\.rodata\./ { n = $1; sub(/^\.rodata\./, "", n); print "sec", n, "r", $2 }'
    } | awk -v map="$tmp/map" '
        BEGIN { while ((getline l < map) > 0) { split(l, f, " "); part[f[1]] = f[2] } }
        $1 == "sym" { if ($3 ~ /^[rR]$/) named[$2] = 1 }
        { rec[NR] = $0 }
        END {
            for (i = 1; i <= NR; i++) {
                split(rec[i], f, " ")
                if (f[1] == "sec" && (f[2] in named)) continue   # the symbol counts it
                base = f[2]; sub(/\..*/, "", base)
                p = (base in part) ? part[base] : "rest"
                if (f[3] ~ /^[tT]$/) code[p] += f[4]
                else if (f[3] ~ /^[rR]$/) ro[p] += f[4]
            }
            for (p in code) print p, code[p], ro[p] + 0
            for (p in ro) if (!(p in code)) print p, 0, ro[p]
        }' >"$out.parts"
}

# Prints one row per ROWS line for the builds given (their OUT names)
table() {
    printf '%-52s' "part (bytes at -Os)"
    for o in "$@"; do printf ' %22s' "$(basename "$o")"; done
    printf '\n%-52s' ""
    for o in "$@"; do printf ' %7s %7s %6s' code rodata total; done
    printf '\n'
    named=$(printf '%s\n' "$ROWS" | sed 's/.*|//' | tr ' ' '\n' | grep -v '^rest$' | sort -u | tr '\n' ' ')
    printf '%s\n' "$ROWS" | while IFS='|' read -r title secs; do
        printf '%-52s' "$title"
        for o in "$@"; do
            awk -v secs="$secs" -v named="$named" -v whole="$o.whole" '
                BEGIN { getline w < whole; split(w, W, " "); n = split(secs, S, " "); for (i = 1; i <= n; i++) want[S[i]] = 1
                        n = split(named, S, " "); for (i = 1; i <= n; i++) isnamed[S[i]] = 1 }
                { c[$1] += $2; r[$1] += $3 }
                END {
                    if (secs == "rest") {   # the whole minus every named section
                        C = W[1]; R = W[2]
                        for (s in c) if (s in isnamed) { C -= c[s]; R -= r[s] }
                    } else for (s in want) { C += c[s]; R += r[s] }
                    printf " %7d %7d %6d", C, R, C + R
                }' "$o.parts"
        done
        printf '\n'
    done
    printf '%-52s' "whole library (.text + .rodata)"
    for o in "$@"; do awk '{ printf " %7d %7d %6d", $1, $2, $1 + $2 }' "$o.whole"; done
    printf '\n%-52s' "  unwind tables (.eh_frame / .ARM.ex*), not above"
    for o in "$@"; do awk '{ printf " %22d", $3 }' "$o.whole"; done
    printf '\n'
}

kib() { awk -v b="$1" 'BEGIN { printf "%.1f KiB", b / 1024 }'; }

sizes() {
    echo "== code size: $hdr at -Os${SIZE_CFLAGS:+ $SIZE_CFLAGS} (no TLS)"
    outs=""
    build gcc nm size "$tmp/x86-64" && outs="$tmp/x86-64"
    if have arm-linux-gnueabihf-gcc; then
        build arm-linux-gnueabihf-gcc arm-linux-gnueabihf-nm arm-linux-gnueabihf-size "$tmp/armhf-thumb2" -mthumb &&
            outs="$outs $tmp/armhf-thumb2"
    else
        echo "(armhf column skipped: apt-get install gcc-arm-linux-gnueabihf)"
    fi
    # shellcheck disable=SC2086
    table $outs
    whole=$(awk '{ print $1 + $2 }' "$tmp/x86-64.whole")
    echo "budget: whole library without TLS <= 40 KiB on x86-64: $(kib "$whole") -> $([ "$whole" -le 40960 ] && echo within || echo OVER)"

    echo
    echo "== with parts left out (x86-64, whole library .text + .rodata)"
    for t in "" "-DNDEBUG" "-DUPDATER_NO_SIGN" "-DUPDATER_NO_HTTP" "-DUPDATER_NO_ENGINE" \
             "-DUPDATER_NO_THREADS" "-DUPDATER_NO_SIMD" \
             "-DUPDATER_NO_HTTP -DUPDATER_NO_ENGINE -DUPDATER_NO_SIGN -DUPDATER_NO_THREADS -DNDEBUG"; do
        m=$(printf '%s' "$t" | tr ' ' '\n' | sed -n 's/^-D\(UPDATER_NO_[A-Z0-9_]*\)$/\1/p')
        missing=""
        for x in $m; do grep -q "$x" "$hdr" || missing="$missing $x"; done
        if [ -n "$missing" ]; then
            printf '  %-86s n/a (not in this header:%s)\n' "${t:-(everything)}" "$missing"
            continue
        fi
        # shellcheck disable=SC2086
        if build gcc nm size "$tmp/t" $t; then
            printf '  %-86s %7d  (%s)\n' "${t:-(everything)}" "$(awk '{ print $1 + $2 }' "$tmp/t.whole")" \
                "$(kib "$(awk '{ print $1 + $2 }' "$tmp/t.whole")")"
        else
            printf '  %-86s does not build\n' "$t"
        fi
    done

    echo
    echo "== the static upd binary (examples/upd.c: the library and the CLI) with musl"
    if ! have musl-gcc; then echo "skipped: apt-get install musl-tools"; return 0; fi
    mkdir -p "$tmp/ex"
    cp examples/upd*.c "$tmp/ex/"
    sed -i 's|#include "\.\./updater\.h"|#include "updater.h"|' "$tmp/ex/upd.c"
    for v in "plain:" "gc:-ffunction-sections -fdata-sections -Wl,--gc-sections -fno-asynchronous-unwind-tables"; do
        name=${v%%:*} flags=${v#*:}
        # shellcheck disable=SC2086
        if ! musl-gcc -std=c99 -Os -static $SIZE_CFLAGS $flags -I"$hdr_dir" -o "$tmp/upd-$name" "$tmp/ex/upd.c" 2>"$tmp/err"; then
            echo "musl build failed:"; head -n 5 "$tmp/err"; return 0
        fi
        strip -o "$tmp/upd-$name.s" "$tmp/upd-$name"
        b=$(wc -c <"$tmp/upd-$name.s")
        case $name in
        plain) label="musl-gcc -Os -static, stripped" ;;
        *) label="+ gc-sections, no unwind tables, stripped" ;;
        esac
        printf '  %-50s %7d bytes (%s)  goal <= 200 KB: %s\n' "$label" "$b" "$(kib "$b")" \
            "$([ "$b" -le 200000 ] && echo within || echo OVER)"
    done
    # where the gc'd binary's code goes: the library, the CLI, libc
    musl-gcc -std=c99 -Os $SIZE_CFLAGS -ffunction-sections -fdata-sections -I"$hdr_dir" -c -o "$tmp/upd.o" "$tmp/ex/upd.c"
    nm "$tmp/upd.o" | awk '$2 ~ /^[tTrRdD]$/ { n = $3; sub(/\..*/, "", n); print n }' | sort -u >"$tmp/own"
    nm -S -t d "$tmp/upd-gc" | awk 'NF == 4 && $3 ~ /^[tTwWrR]$/ { print $1, $2 + 0, $3, $4 }' | sort -u -k1,1 |
        awk -v map="$tmp/map" -v own="$tmp/own" '
            BEGIN { while ((getline l < map) > 0) { split(l, f, " "); lib[f[1]] = 1 }
                    while ((getline l < own) > 0) mine[l] = 1 }
            { n = $4; sub(/\..*/, "", n)
              k = (n in lib) ? "library" : (n in mine) ? "upd CLI" : "libc (musl)"
              t[k] += $2 }
            END { printf "  code + rodata by origin (gc build, symbols):"
                  for (k in t) printf "  %s %d", k, t[k]; printf "\n" }'
}

# ---- RAM: one whole update under massif ---------------------------------------
ram() {
    have valgrind || { echo "ram: valgrind is not installed" >&2; return 1; }
    cc=${CC:-cc}
    mkdir -p "$tmp/ex"
    cp examples/upd*.c "$tmp/ex/"
    sed -i 's|#include "\.\./updater\.h"|#include "updater.h"|' "$tmp/ex/upd.c"
    # shellcheck disable=SC2086
    $cc -std=c99 -O2 -g $RAM_CFLAGS -I"$hdr_dir" -o "$tmp/upd" "$tmp/ex/upd.c" || return 1
    u="$tmp/upd"
    w="$tmp/w"
    mkdir -p "$w/v1/bin" "$w/v2/bin" "$w/v2/share"
    printf '#!/bin/sh\necho app 1.0.0\n' >"$w/v1/bin/app"
    printf '#!/bin/sh\necho app 2.0.0\n' >"$w/v2/bin/app"
    chmod 755 "$w/v1/bin/app" "$w/v2/bin/app"
    # 8 MiB of data in 9 files: a payload the size of a small program
    head -c 4194304 /dev/urandom >"$w/v2/share/blob"
    i=0
    while [ $i -lt 8 ]; do head -c 524288 /dev/urandom >"$w/v2/share/part$i"; i=$((i + 1)); done
    "$u" keygen -p "$w/key.pub" -s "$w/key.sec" >/dev/null || return 1
    "$u" publish --repo "$w/repo" --app app --version 1.0.0 -s "$w/key.sec" "$w/v1" >/dev/null || return 1
    "$u" publish --repo "$w/repo" --app app --version 2.0.0 -s "$w/key.sec" "$w/v2" >/dev/null || return 1
    "$u" serve -p 0 -b 127.0.0.1 --port-file "$w/port" "$w/repo" 2>"$w/serve.log" &
    spid=$!
    n=0
    while [ ! -s "$w/port" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
    port=$(head -n 1 "$w/port" 2>/dev/null)
    if [ -z "$port" ]; then kill "$spid" 2>/dev/null; echo "ram: upd serve did not start" >&2; return 1; fi
    archive=$(wc -c <"$w/repo/app-2.0.0.tar.gz")
    # one update from 1.0.0 to 2.0.0 into a fresh copy of v1: update N WRAPPER...
    update() {
        i=$1; shift
        rm -rf "$w/inst$i" "$w/inst$i.update"
        cp -r "$w/v1" "$w/inst$i"
        "$@" "$u" update --install "$w/inst$i" --exe bin/app --app app -p "$w/key.pub" --current 1.0.0 \
            "http://127.0.0.1:$port/versions" >"$w/update$i.out" 2>"$w/update$i.err"
        rc=$?
        if [ $rc -ne 0 ] || ! "$w/inst$i/bin/app" | grep -q 2.0.0; then
            echo "ram: the update failed (exit $rc):" >&2; tail -n 5 "$w/update$i.err" >&2; return 1
        fi
    }
    echo "== RAM of one whole update: upd update (check, download $(kib "$archive") archive, verify, extract 8.0 MiB, swap)"
    if update 1 valgrind --tool=massif --stacks=yes --massif-out-file="$w/massif.out"; then
        awk '/^mem_heap_B=/ { h = substr($0, 12) + 0 } /^mem_heap_extra_B=/ { x = substr($0, 18) + 0 }
             /^mem_stacks_B=/ { s = substr($0, 14) + 0
                                if (h > H) H = h; if (h + x > HX) HX = h + x; if (s > S) S = s
                                if (h + x + s > T) T = h + x + s }
             END { printf "  heap peak  %8d bytes (%.1f KiB; %.1f KiB with malloc overhead)   goal <= 256 KiB: %s\n", H, H / 1024, HX / 1024, H <= 262144 ? "within" : "OVER"
                   printf "  stack peak %8d bytes (%.1f KiB)\n", S, S / 1024
                   printf "  heap + stack at their joint peak %.1f KiB (massif --stacks=yes)\n", T / 1024 }' "$w/massif.out"
        # what is allocated at the heap peak: massif's tree, first level
        echo "  allocations live at the heap peak:"
        awk '/^heap_tree=peak/ { p = 1; next } /^snapshot=/ { p = 0 }
             p && /^ n[0-9]+: [0-9]+ / { b = $2; $1 = ""; $2 = ""; sub(/^ +/, ""); sub(/^0x[0-9A-Fa-f]+: /, "");
                                        printf "    %8d  %s\n", b, $0 }' "$w/massif.out" | sort -rn | head -n 8
    fi
    if [ -x /usr/bin/time ] && update 2 /usr/bin/time -f '%M' -o "$w/rss"; then
        echo "  max resident set size without valgrind: $(cat "$w/rss") KiB (whole process: binary, libc, page cache of the mapped files)"
    fi
    kill "$spid" 2>/dev/null
    wait "$spid" 2>/dev/null
    return 0
}

case ${1:-sizes} in
sizes) sizes ;;
ram) ram ;;
all) sizes; echo; ram ;;
*) echo "usage: tools/size.sh [sizes|ram|all]" >&2; exit 2 ;;
esac
