#!/bin/bash
# make bench: each benchmark runs ours and its anchor in the same run on the
# same input, best of 5, and prints the ratio (ours / anchor: < 1 is faster).
# Sections that measure otherwise (medians, speeds: > 1 is faster) say so in
# their heading. An anchor that is not installed is reported as SKIPPED.
set -eu
cd "$(dirname "$0")/.."
B=${B:-build}
PATH=$PATH:/usr/sbin:/sbin
tmp=$(mktemp -d)
shm=""     # a directory on a tmpfs, for the untar and fetch runs there
ngx=""     # the nginx of the fetch benchmark
cleanup() {
    if [ -n "$ngx" ]; then kill "$ngx" 2>/dev/null || true; wait "$ngx" 2>/dev/null || true; fi
    rm -rf "$tmp" ${shm:+"$shm"}
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
have() { command -v "$1" >/dev/null 2>&1; }
skipped() { printf 'SKIPPED %s (%s is not installed%s)\n' "$1" "$2" "${3:+: $3}"; } # WHAT TOOL [HINT]
bad=0 # a tool that fails or disagrees: reported, the rest still runs

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
# best_fresh N DIR CMD...: best wall time in ms of CMD, with DIR removed,
# made anew (empty) and the disks synced before each run, outside the
# timing; fails (with CMD's messages on stderr) if CMD fails
best_fresh() {
    local n=$1 dir=$2 best="" t0 t1 ms; shift 2
    for _ in $(seq "$n"); do
        rm -rf "$dir"; mkdir -p "$dir"; sync
        t0=$(now_ns)
        "$@" >/dev/null 2>"$tmp/cmd.err" || { tail -n 3 "$tmp/cmd.err" >&2; return 1; }
        t1=$(now_ns)
        ms=$(( (t1 - t0) / 1000000 ))
        if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
    done
    echo "$best"
}
# rss CMD...: CMD's peak RSS as "N.N MiB" (GNU time's %M), "FAILED" if it fails
rss() {
    if /usr/bin/time -f %M -o "$tmp/rss" "$@" >/dev/null 2>&1; then
        awk '{ kb = $1 } END { printf "%.1f MiB", kb / 1024 }' "$tmp/rss"
    else echo FAILED; fi
}
have_time=0; [ -x /usr/bin/time ] && /usr/bin/time -f %M -o /dev/null true 2>/dev/null && have_time=1
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
# openssl dgst: the second anchor (SHA-NI or AVX2 code where the CPU has it)
if have openssl; then
    anchor=$(best_of 5 openssl dgst -sha256 "$tmp/big")
    if [ "$(openssl dgst -sha256 -r "$tmp/big" | cut -d' ' -f1)" = "$("$B/upd" sha256 "$tmp/big" | cut -d' ' -f1)" ]; then
        row "sha256 256 MiB" "$ours" "openssl dgst" "$anchor" 256
    else echo "sha256 256 MiB: digest differs from openssl's"; bad=1; fi
else skipped "sha256 vs openssl dgst" openssl; fi
# SHA-512 and BLAKE2b-512 of the same file, whole processes: bench_hash
# (bench/hash.c) streams it through upd_sha512_update (upd_blake2b_update)
# in 64 KiB reads; the anchors are coreutils' sha512sum and b2sum
mem=""
for alg in sha512 blake2b; do
    case $alg in sha512) tool=sha512sum name="sha512 256 MiB";; *) tool=b2sum name="blake2b-512 256 MiB";; esac
    if ! ours=$(best_of 5 "$B/bench_hash" "$alg" "$tmp/big") || ! mine=$("$B/bench_hash" "$alg" "$tmp/big"); then
        echo "$name: bench_hash FAILED"; bad=1; continue
    fi
    mem="$mem, $alg $("$B/bench_hash" --mem "$alg" "$tmp/big" 3) MB/s"
    if ! have "$tool"; then skipped "$alg vs $tool" "$tool"; continue; fi
    anchor=$(best_of 5 "$tool" "$tmp/big")
    if [ "$mine" = "$("$tool" "$tmp/big")" ]; then row "$name" "$ours" "$tool" "$anchor" 256
    else echo "$name: digest differs from $tool's"; bad=1; fi
done
[ -z "$mem" ] || echo "  (the same data in memory, no I/O, best of 3: ${mem#, })"

# ---- Ed25519: ours vs libsodium in one process (bench/sign.c) ----
echo
echo "Ed25519, 64-byte message, median of 2000 each, interleaved (µs per op; ours/libsodium < 1 = ours faster)"
if ! "$B/bench_sign" 2000; then echo "bench_sign FAILED"; bad=1; fi

# ---- fetch: upd fetch vs curl from a local nginx ----
# a 100 MB random file from nginx (sendfile on) on 127.0.0.1, into a fresh
# directory on disk and on a tmpfs; ratios here are speeds (> 1 = ours faster)
fetch_row() { # LABEL DIR URL
    local ours anchor d=$2 url=$3
    if ! ours=$(best_fresh 5 "$d/ours" "$B/upd" fetch -o "$d/ours/f" "$url"); then
        echo "$1: upd fetch FAILED"; bad=1; return
    fi
    [ "$(sha256sum <"$d/ours/f")" = "$want" ] || { echo "$1: SHA-256 of upd fetch's file differs"; bad=1; }
    if ! have curl; then
        printf '%-28s %7d ms  (%s MB/s ours)\n' "$1" "$ours" "$(mbps 100 "$ours")"
        skipped "$1 vs curl" curl; return
    fi
    if ! anchor=$(best_fresh 5 "$d/curl" curl -sf -o "$d/curl/f" "$url"); then echo "$1: curl FAILED"; bad=1; return; fi
    printf '%-28s %7d ms  %-14s %7d ms  ours/curl %s  (MB/s: ours %s, curl %s)\n' "$1" "$ours" curl "$anchor" \
        "$(ratio "$anchor" "$ours")" "$(mbps 100 "$ours")" "$(mbps 100 "$anchor")"
    [ "$(sha256sum <"$d/curl/f")" = "$want" ] || { echo "$1: SHA-256 of curl's file differs"; bad=1; }
    # the same durability as ours: curl, then an fsync of its file (coreutils sync FILE)
    if anchor=$(best_fresh 5 "$d/curl" sh -c 'curl -sf -o "$1" "$2" && sync "$1"' sh "$d/curl/f" "$url"); then
        printf '%-28s %7d ms  %-14s %7d ms  ours/curl %s\n' "$1, curl fsync'd" "$ours" "curl + sync" "$anchor" \
            "$(ratio "$anchor" "$ours")"
    fi
}
mbps() { awk -v mb="$1" -v ms="$2" 'BEGIN { if (ms == 0) ms = 1; printf "%.0f", mb * 1000 / ms }'; } # MB MS
if [ -w /dev/shm ] && [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ]; then
    shm=$(mktemp -d /dev/shm/bench.XXXXXX 2>/dev/null) || shm=""
fi
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi
# start_nginx ROOT: nginx on a free port of 127.0.0.1 serving ROOT (access
# log "$request $status $body_bytes_sent $http_range" in $tmp/nginx/access.log);
# sets port and ngx; fails if it does not answer
start_nginx() {
    mkdir -p "$tmp/nginx"
    port=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    {
        echo "daemon off;"
        echo "worker_processes 1;"
        [ "$(id -u)" = 0 ] && echo "user root root;"
        echo "pid $tmp/nginx/nginx.pid;"
        echo "error_log $tmp/nginx/error.log;"
        echo "events { worker_connections 64; }"
        echo "http {"
        echo "    log_format bench '\$request \$status \$body_bytes_sent \$http_range';"
        echo "    access_log $tmp/nginx/access.log bench;"
        echo "    sendfile on;"
        echo "    client_body_temp_path $tmp/nginx/body;"
        for m in proxy fastcgi uwsgi scgi; do
            nginx -V 2>&1 | grep -q -- "--without-http_${m}_module" || echo "    ${m}_temp_path $tmp/nginx/$m;"
        done
        echo "    default_type application/octet-stream;"
        echo "    server { listen 127.0.0.1:$port; root $1; }"
        echo "}"
    } >"$tmp/nginx/nginx.conf"
    : >"$tmp/nginx/access.log"
    nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" 2>>"$tmp/nginx/error.log" &
    ngx=$!
    $PY - "$port" <<'EOF2'
import socket, sys, time
for _ in range(200):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.5).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
EOF2
}
stop_nginx() { if [ -n "$ngx" ]; then kill "$ngx" 2>/dev/null || true; wait "$ngx" 2>/dev/null || true; ngx=""; fi; }
# the temporary directory's file system, named as stat -f does ("ext2/ext3")
disk="disk ($(stat -f -c %T "$tmp"))"
case $disk in *tmpfs*) disk="TMPDIR (tmpfs)";; esac
echo
if ! have nginx; then skipped fetch nginx "apt-get install nginx-light"
elif ! have "$PY"; then skipped fetch python3
else
    mkdir -p "$tmp/www"
    head -c $((100 * 1000000)) /dev/urandom >"$tmp/www/big.bin"
    want=$(sha256sum <"$tmp/www/big.bin")
    if ! start_nginx "$tmp/www"
    then echo "fetch: nginx did not start: $(tail -n 3 "$tmp/nginx/error.log")"; bad=1
    else
        url=http://127.0.0.1:$port/big.bin
        echo "fetch of 100 MB from nginx on 127.0.0.1, best of 5 (ours/curl is a speed ratio: > 1 = ours faster)"
        fetch_row "fetch, $disk" "$tmp/fetch" "$url"
        if [ -n "$shm" ]; then fetch_row "fetch, tmpfs" "$shm/fetch" "$url"
        else echo "SKIPPED fetch on a tmpfs (/dev/shm is not a writable tmpfs)"; fi
        echo "  (upd fetch writes OUT.part, fsyncs it, renames it to OUT; curl -o writes OUT without fsync)"
        if [ "$have_time" = 1 ]; then
            line="peak RSS: upd fetch $(rss "$B/upd" fetch -o "$tmp/fetch/ours/f" "$url")"
            have curl && line="$line, curl $(rss curl -sf -o "$tmp/fetch/curl/f" "$url")"
            echo "  $line"
        else skipped "peak RSS" "GNU time" "apt-get install time"; fi
        rm -rf "$tmp/fetch" ${shm:+"$shm/fetch"}
    fi
    stop_nginx
    rm -f "$tmp/www/big.bin"
fi

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

# ---- untar: the ELF tarball into an empty directory ----
# upd untar (gunzip and tar in one process) vs GNU tar (tar xzf: tar and a
# gzip child) vs bsdtar (libarchive), each into a fresh directory on disk
# and on a tmpfs; the directory is made and the disks synced outside the timing
untar_rows() { # LABEL DIR
    local ours anchor d=$2
    if ! ours=$(best_fresh 5 "$d/ours" "$B/upd" untar -C "$d/ours" "$tmp/bin.tar.gz"); then
        echo "$1: upd untar FAILED"; bad=1; return
    fi
    if have tar && have gzip; then
        if anchor=$(best_fresh 5 "$d/gnu" tar xzf "$tmp/bin.tar.gz" -C "$d/gnu"); then row "$1" "$ours" "GNU tar" "$anchor" "$tarmb"
        else echo "$1: tar xzf FAILED"; bad=1; fi
    else skipped "$1 vs GNU tar" "GNU tar or gzip"; fi
    if have bsdtar; then
        if anchor=$(best_fresh 5 "$d/bsd" bsdtar xzf "$tmp/bin.tar.gz" -C "$d/bsd"); then row "$1" "$ours" bsdtar "$anchor" "$tarmb"
        else echo "$1: bsdtar xzf FAILED"; bad=1; fi
        rm -rf "$d/bsd"
    else skipped "$1 vs bsdtar" bsdtar "apt-get install libarchive-tools"; fi
}
tarmb=$(( $(stat -c %s "$tmp/bin.tar") / MB ))
echo
echo "untar of the ELF tarball ($tarmb MB, $(( $(stat -c %s "$tmp/bin.tar.gz") / MB )) MB gzipped), best of 5 into an empty directory (ours/anchor < 1 = ours faster)"
untar_rows "untar ELF, $disk" "$tmp/untar"
if [ -d "$tmp/untar/gnu" ]; then
    if diff -r "$tmp/untar/ours" "$tmp/untar/gnu" >"$tmp/diff.out" 2>&1; then echo "  (diff -r of ours and GNU tar's output: none)"
    else echo "  diff -r of ours and GNU tar's output DIFFERS: $(head -n 3 "$tmp/diff.out" | tr '\n' ' ')"; bad=1; fi
fi
if [ "$have_time" = 1 ]; then
    d=$tmp/untar/rss
    line="upd untar $(rm -rf "$d"; mkdir "$d"; rss "$B/upd" untar -C "$d" "$tmp/bin.tar.gz")"
    have tar && line="$line, tar xzf $(rm -rf "$d"; mkdir "$d"; rss tar xzf "$tmp/bin.tar.gz" -C "$d") (the larger of tar and gzip)"
    have bsdtar && line="$line, bsdtar $(rm -rf "$d"; mkdir "$d"; rss bsdtar xzf "$tmp/bin.tar.gz" -C "$d")"
    echo "  peak RSS: $line; upd --version $(rss "$B/upd" --version), /bin/true $(rss /bin/true)"
else skipped "peak RSS" "GNU time" "apt-get install time"; fi
rm -rf "$tmp/untar"
if [ -n "$shm" ]; then untar_rows "untar ELF, tmpfs" "$shm/untar"; rm -rf "$shm/untar"
else echo "SKIPPED untar on a tmpfs (/dev/shm is not a writable tmpfs)"; fi

# ---- the whole update: upd update vs curl | tee >(sha256sum) | tar xzf - ----
# The ELF tarball as release 2.0.0 of "bench" in a repo signed by upd
# publish, served by nginx on 127.0.0.1. Ours: upd update (check: manifest +
# signature; download into the state dir with SHA-256 while it arrives,
# fsync; extract into staged/, fsync; swap) on a fresh install dir holding
# 1.0.0. Anchor: the pipeline people write, which overlaps download and
# decompression on two cores and skips every safety step (no signature, no
# fsync, extraction straight over the install). Install and state dirs are
# made afresh outside the timing.
update_once() { # DIR
    rm -rf "$1"; mkdir -p "$1/inst/$(dirname "$exe")"; cp "/$exe" "$1/inst/$exe"; sync
}
echo
if ! have nginx; then skipped "whole update" nginx "apt-get install nginx-light"
elif ! have curl; then skipped "whole update" curl
else
    rm -rf "$tmp/repo"; mkdir -p "$tmp/repo"
    exe=$(head -n 1 "$tmp/bin.list" | cut -d' ' -f2)
    "$B/upd" keygen -p "$tmp/u.pub" -s "$tmp/u.key" >/dev/null
    "$B/upd" publish --repo "$tmp/repo" --app bench --version 2.0.0 -s "$tmp/u.key" "$tmp/bin.tar.gz" >/dev/null
    gzmb=$(( $(stat -c %s "$tmp/bin.tar.gz") / MB ))
    if ! start_nginx "$tmp/repo"; then echo "whole update: nginx did not start"; bad=1
    else
        murl=http://127.0.0.1:$port/versions
        aurl=http://127.0.0.1:$port/bench-2.0.0.tar.gz
        ours="" anchor=""
        for _ in 1 2 3 4 5; do
            update_once "$tmp/wu"
            t0=$(now_ns)
            "$B/upd" update --install "$tmp/wu/inst" --exe "$exe" --app bench -p "$tmp/u.pub" --current 1.0.0 "$murl" >/dev/null 2>"$tmp/wu.err" ||
                { echo "whole update: upd update FAILED: $(tail -n 2 "$tmp/wu.err")"; bad=1; break; }
            t1=$(now_ns); ms=$(( (t1 - t0) / 1000000 ))
            if [ -z "$ours" ] || [ "$ms" -lt "$ours" ]; then ours=$ms; fi
            update_once "$tmp/wc"
            t0=$(now_ns)
            bash -c 'curl -sf "$1" | tee >(sha256sum >/dev/null) | tar xzf - -C "$2"' sh "$aurl" "$tmp/wc/inst"
            t1=$(now_ns); ms=$(( (t1 - t0) / 1000000 ))
            if [ -z "$anchor" ] || [ "$ms" -lt "$anchor" ]; then anchor=$ms; fi
        done
        if [ -n "$ours" ] && [ -n "$anchor" ]; then
            echo "whole update of a $gzmb MB .tar.gz ($tarmb MB of ELF files) from nginx on 127.0.0.1, $disk, best of 5 (ours/anchor < 1 = ours faster)"
            row "upd update" "$ours" "curl|tee|tar" "$anchor" "$gzmb"
            if diff -r "$tmp/wu/inst" "$tmp/wc/inst" >/dev/null 2>&1; then echo "  (diff -r of the two installs: none)"
            else echo "  the two installs DIFFER"; bad=1; fi
            if [ "$have_time" = 1 ]; then
                update_once "$tmp/wu"
                echo "  peak RSS: upd update $(rss "$B/upd" update --install "$tmp/wu/inst" --exe "$exe" --app bench -p "$tmp/u.pub" --current 1.0.0 "$murl")"
            fi
        fi
        # an unchanged manifest: one conditional request, no body
        rm -rf "$tmp/chk"
        "$B/upd" check --app bench --current 1.0.0 -p "$tmp/u.pub" --state "$tmp/chk" "$murl" >/dev/null
        : >"$tmp/nginx/access.log"
        "$B/upd" check --app bench --current 1.0.0 -p "$tmp/u.pub" --state "$tmp/chk" "$murl" >/dev/null
        sleep 0.2
        n=$(wc -l <"$tmp/nginx/access.log")
        echo "  check of an unchanged manifest: $n request(s): $(tr '\n' ';' <"$tmp/nginx/access.log" | sed 's/;$//') (status, body bytes)"
        stop_nginx
    fi
    rm -rf "$tmp/wu" "$tmp/wc" "$tmp/repo" "$tmp/chk"
fi

# ---- code size at gcc -Os ----
# nm sizes of each part's functions and of their tables, in a TU built with
# -Os -ffunction-sections; rodata includes the tables and the functions' own
# constants (jump tables, assert strings). Helpers that parts share (URL
# resolution, hex and number parsing) are counted in none.
#   gunzip      upd_gunzip_*, upd__z_*, upd_crc32 and its helpers (the
#               CRC-32 tables shown apart)
#   tar         the reader and the extractor
#   signatures  SHA-512, BLAKE2b, Ed25519 (field, group, scalar code),
#               minisign keys and signatures, base64, randomness
#   HTTP        the client and its response parser, without TLS
printf '#define UPDATER_IMPLEMENTATION\n#include "updater.h"\n' >"$tmp/size.c"
gcc -std=c99 -Os -ffunction-sections -fdata-sections -I. -c "$tmp/size.c" -o "$tmp/size.o"
# symbols: NAME TYPE SIZE; then the sections of the functions' constants
# that no symbol covers (".rodata.upd_gunzip_run", ".rodata.upd_gunzip_run.str1.1")
{ nm --size-sort -S -t d "$tmp/size.o" | awk 'NF == 4 { print $4, $3, $2 + 0 }'
  size -A "$tmp/size.o" | awk '$1 ~ /^\.rodata\./ { n = $1; sub(/^\.rodata\./, "", n); print n, "section", $2 }'
} >"$tmp/size.syms"
size_of() { # NAME REGEX: "NAME at gcc -Os: code N bytes, rodata N bytes (...)"
    awk -v name="$1" -v re="$2" '
    $2 ~ /^[rR]$/ { sym[$1] = 1 }
    $1 !~ re { next }
    $2 ~ /^[tT]$/ { code += $3 }
    $2 ~ /^[rR]$/ { ro += $3; if ($1 ~ /crc/) crc += $3 }
    $2 == "section" && !($1 in sym) { ro += $3 }
    END {
        printf "%s at gcc -Os: code %d bytes, rodata %d bytes", name, code, ro
        if (name == "gunzip") printf " (%d of them CRC-32 tables)\n", crc
        else printf " (%.1f KB in all)\n", (code + ro) / 1000
    }' "$tmp/size.syms"
}
echo
size_of gunzip '^(upd_gunzip_|upd__z_|upd_crc32|upd__crc|upd__len_|upd__dist_|upd__clen_)'
echo "  (anchors: miniz tinfl ~6.9 KB, puff ~2.8 KB; neither has a CRC-32)"
size_of "tar reader+extractor" '^(upd_tar_|upd__tar_|upd_untar_|upd__untar_)'
size_of "signatures (SHA-512, BLAKE2b, Ed25519, minisign)" \
    '^(upd_sha512|upd__sha512|upd_blake2b|upd__blake2b|upd_ed25519|upd__ed25519|upd__ed_|upd__fe_|upd__ge_|upd__sc_|upd_minisig|upd_pubkey|upd_seckey|upd_minisign|upd__ms_|upd__b64|upd_random([.]|$))'
echo "  (anchor: compact Ed25519 verify 8-15 KB)"
size_of "HTTP client without TLS" \
    '^(upd_http_|upd__h_|upd__hc_|upd__hget|upd__hurl|upd__http|(upd__file_get|upd__proxy_for|upd__no_proxy|upd__basic|upd__herr|upd__pct_decode|upd__hex|upd__now_ms|upd__days)([.]|$))'
echo "  (anchor: picohttpparser 3.3 KB (parsing only))"

# ---- binary patches on real release pairs (bench/delta.sh) ----
echo
bash bench/delta.sh || bad=1
[ "$bad" -eq 0 ]
