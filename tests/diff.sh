#!/bin/sh
# `upd diff` and `upd patch` (docs/delta.md, docs/upd.md): the UPDDIFF1
# maker and applier together.
#   1. round trips, each result compared with cmp: empty old, empty new,
#      both, identical files, one-byte old or new, unrelated random data,
#      random data with regions inserted, deleted and changed, repetitive
#      and small-alphabet data, a file over 1 MiB changed at both ends,
#      --zopfli; a patch is the same bytes when made twice;
#   2. refusals: a wrong old file, a flipped byte in the header's digests
#      and in each section, a truncated patch, trailing bytes, not a patch:
#      exit 1, `upd: NEW: <reason>`, NEW not created (or left as it was);
#      usage errors exit 2; no gzip on PATH is a clear error;
#   3. real release pairs from the npm registry (a Go and a Rust binary,
#      `npm pack` into $B/delta-cache, reused; SKIPPED when npm or the
#      network fails) and two builds of examples/hello: round trips, and
#      the peak RSS of `upd patch` on a 20 MB file under 4 MiB.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
B=${B:-build}
UPD=${UPD:-$B/asan/upd}
case $UPD in /*) ;; *) UPD=$PWD/$UPD ;; esac
FAST=${FAST_UPD:-$B/upd} # the optimized build: real pairs and the RSS check
case $FAST in /*) ;; *) FAST=$PWD/$FAST ;; esac
[ -x "$FAST" ] || FAST=$UPD
CACHE=$PWD/$B/delta-cache
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# roundtrip NAME OLD NEW [UPD] [DIFF-OPTION]: diff, patch, cmp
roundtrip() {
    u=${4:-$UPD}
    rm -f "$tmp/rt.patch" "$tmp/rt.out"
    if ! "$u" diff ${5:-} "$2" "$3" "$tmp/rt.patch" >"$tmp/rt.log" 2>&1; then
        fail "$1-diff" "$(head -c 400 "$tmp/rt.log")"; return
    fi
    if ! "$u" patch "$2" "$tmp/rt.patch" "$tmp/rt.out" >"$tmp/rt.log" 2>&1; then
        fail "$1-patch" "$(head -c 400 "$tmp/rt.log")"; return
    fi
    if cmp -s "$tmp/rt.out" "$3"; then pass; else fail "$1" "the patched file differs from the new one"; fi
}

# gen KIND OUT...: deterministic test data (Python, seeded)
gen() {
    "$PY" - "$@" <<'EOF'
import random, sys
kind, outs = sys.argv[1], sys.argv[2:]
r = random.Random(kind)
def rnd(n): return bytes(r.getrandbits(8) for _ in range(n))
def put(path, data): open(path, 'wb').write(data)
if kind == 'random':                       # old, new: unrelated
    put(outs[0], rnd(70000)); put(outs[1], rnd(65000))
elif kind == 'edits':                      # new = old with inserts, deletes, changes
    old = bytearray(rnd(200000)); new = bytearray(old)
    for _ in range(40):
        at = r.randrange(len(new)); op = r.randrange(3)
        if op == 0: new[at:at] = rnd(r.randrange(1, 300))
        elif op == 1: del new[at:at + r.randrange(1, 300)]
        else:
            for k in range(r.randrange(1, 50)):
                if at + k < len(new): new[at + k] ^= r.randrange(1, 256)
    new += old[1000:5000]                  # a moved block
    put(outs[0], bytes(old)); put(outs[1], bytes(new))
elif kind == 'repetitive':                 # zeros, a short period, a tiny alphabet
    old = bytes(50000) + b'abcabcabd' * 3000 + bytes(r.randrange(2) for _ in range(30000))
    new = bytearray(old)
    for at in (10, 25000, 49999, 60000, 80000, len(new) - 1): new[at] ^= 0x40
    new[70000:70000] = b'x' * 1000
    put(outs[0], old); put(outs[1], bytes(new))
elif kind == 'big':                        # > 1 MiB, changed at both ends
    old = rnd(1100000) + bytes(200000)
    new = b'head' + old[7:600000] + rnd(3000) + old[600000:-5] + b'tail!!'
    new = bytearray(new)
    for at in range(100, len(new) - 100, 4099): new[at] = (new[at] + 1) & 255
    put(outs[0], old); put(outs[1], bytes(new))
EOF
}

# ==== 1. round trips ==================================================
: >"$tmp/empty"
printf 'x' >"$tmp/one"
printf 'y' >"$tmp/one-b"
printf 'hello, world\n' >"$tmp/small"
gen random "$tmp/r1" "$tmp/r2"
gen edits "$tmp/e1" "$tmp/e2"
gen repetitive "$tmp/p1" "$tmp/p2"
gen big "$tmp/b1" "$tmp/b2"
roundtrip empty-both "$tmp/empty" "$tmp/empty"
roundtrip empty-old "$tmp/empty" "$tmp/small"
roundtrip empty-new "$tmp/small" "$tmp/empty"
roundtrip one-byte-old "$tmp/one" "$tmp/small"
roundtrip one-byte-new "$tmp/small" "$tmp/one"
roundtrip one-byte-each "$tmp/one" "$tmp/one-b"
roundtrip identical "$tmp/e1" "$tmp/e1"
roundtrip random "$tmp/r1" "$tmp/r2"
roundtrip random-reversed "$tmp/r2" "$tmp/r1"
roundtrip edits "$tmp/e1" "$tmp/e2"
roundtrip edits-reversed "$tmp/e2" "$tmp/e1"
roundtrip repetitive "$tmp/p1" "$tmp/p2"
roundtrip empty-to-random "$tmp/empty" "$tmp/r1"
roundtrip big-both-ends "$tmp/b1" "$tmp/b2"
roundtrip big-reversed "$tmp/b2" "$tmp/b1"

# identical files: a patch of little more than the header
"$UPD" diff "$tmp/e1" "$tmp/e1" "$tmp/same.patch" >/dev/null 2>&1
sz=$(wc -c <"$tmp/same.patch")
if [ "$sz" -lt 400 ]; then pass; else fail identical-small "patch of identical files is $sz bytes"; fi
# the summary line
out=$("$UPD" diff "$tmp/e1" "$tmp/e2" "$tmp/e.patch" 2>&1)
if printf '%s\n' "$out" | grep -qE "^$tmp/e1 -> $tmp/e2: patch [0-9]+ bytes \(control [0-9]+, diff [0-9]+, extra [0-9]+\)\$"; then pass
else fail diff-output "$out"; fi
n=$(printf '%s\n' "$out" | sed -E 's/.*: patch ([0-9]+) bytes.*/\1/')
check_eq diff-output-size "$n" "$(wc -c <"$tmp/e.patch" | tr -d ' ')"
# deterministic: the same inputs give the same bytes
"$UPD" diff "$tmp/e1" "$tmp/e2" "$tmp/e.again" >/dev/null 2>&1
check deterministic cmp "$tmp/e.patch" "$tmp/e.again"
# the new file gets the old one's mode; the patch is 0644
chmod 0751 "$tmp/e1"
"$UPD" patch "$tmp/e1" "$tmp/e.patch" "$tmp/e.mode" >/dev/null 2>&1
check_eq new-mode-is-old-mode "$(stat -c %a "$tmp/e.mode")" 751
chmod 0644 "$tmp/e1"
check_eq patch-mode "$(stat -c %a "$tmp/e.patch")" 644
# an existing NEW is replaced; nothing is left beside it
printf 'old contents\n' >"$tmp/e.mode"
"$UPD" patch "$tmp/e1" "$tmp/e.patch" "$tmp/e.mode" >/dev/null 2>&1
check replaces-new cmp "$tmp/e.mode" "$tmp/e2"
check_eq no-temporary-files "$(ls -A "$tmp" | grep -c '\.upd-')" 0
if have zopfli; then
    roundtrip zopfli "$tmp/e1" "$tmp/e2" "$UPD" --zopfli
    roundtrip zopfli-empty "$tmp/empty" "$tmp/empty" "$UPD" --zopfli
else
    skip zopfli "zopfli is not installed: upd diff --zopfli is not tested"
fi

# ==== 2. refusals =====================================================
# refused NAME OLD PATCH WANT-MESSAGE-REGEX: exit 1, the message, no NEW
refused() {
    rm -f "$tmp/ref.out"
    "$UPD" patch "$2" "$3" "$tmp/ref.out" >"$tmp/ref.log" 2>&1
    rc=$?
    if [ "$rc" = 1 ] && grep -qE "^upd: $tmp/ref.out: $4" "$tmp/ref.log" && [ ! -e "$tmp/ref.out" ] &&
       [ -z "$(ls -A "$tmp" | grep '\.upd-')" ]; then pass
    else fail "$1" "exit $rc, new file $([ -e "$tmp/ref.out" ] && echo exists || echo absent): $(head -c 300 "$tmp/ref.log")"; fi
}
# edit PATCH OUT OFFSET-EXPRESSION: OUT = PATCH with one byte flipped; the
# expression sees C, D, E (section sizes) and N (patch size)
flip() {
    "$PY" - "$@" <<'EOF'
import struct, sys
src, dst, expr = sys.argv[1:4]
d = bytearray(open(src, 'rb').read())
C, D, E = struct.unpack('<QQQ', bytes(d[88:112]))
N = len(d)
d[eval(expr)] ^= 0x10
open(dst, 'wb').write(bytes(d))
EOF
}
P=$tmp/e.patch
refused wrong-old "$tmp/r1" "$P" "the old file has"
cp "$tmp/e1" "$tmp/e1x"; printf 'Z' | dd of="$tmp/e1x" bs=1 seek=1000 conv=notrunc 2>/dev/null
refused wrong-old-same-size "$tmp/e1x" "$P" "the old file is not the one the patch was made from"
flip "$P" "$tmp/f.patch" 30;            refused flip-old-digest "$tmp/e1" "$tmp/f.patch" "the old file is not the one"
flip "$P" "$tmp/f.patch" 60;            refused flip-new-digest "$tmp/e1" "$tmp/f.patch" "patch: the result's SHA-256 differs"
flip "$P" "$tmp/f.patch" '112 + C // 2'; refused flip-control "$tmp/e1" "$tmp/f.patch" "patch: "
flip "$P" "$tmp/f.patch" '112 + C + D // 2'; refused flip-diff "$tmp/e1" "$tmp/f.patch" "patch: "
flip "$P" "$tmp/f.patch" '112 + C + D + E // 2'; refused flip-extra "$tmp/e1" "$tmp/f.patch" "patch: "
flip "$P" "$tmp/f.patch" '112 + C - 5'; refused flip-control-crc "$tmp/e1" "$tmp/f.patch" "patch: "
flip "$P" "$tmp/f.patch" 'N - 1';       refused flip-last-byte "$tmp/e1" "$tmp/f.patch" "patch: "
flip "$P" "$tmp/f.patch" 9;             refused flip-old-size "$tmp/e1" "$tmp/f.patch" "the old file has"
flip "$P" "$tmp/f.patch" 17;            refused flip-new-size "$tmp/e1" "$tmp/f.patch" "patch: "
head -c $(( $(wc -c <"$P") - 7 )) "$P" >"$tmp/t.patch"
refused truncated "$tmp/e1" "$tmp/t.patch" "patch: its size"
head -c 100 "$P" >"$tmp/t.patch"
refused truncated-header "$tmp/e1" "$tmp/t.patch" "not a UPDDIFF1 patch"
{ cat "$P"; printf 'junk'; } >"$tmp/t.patch"
refused trailing-bytes "$tmp/e1" "$tmp/t.patch" "patch: its size"
refused not-a-patch "$tmp/e1" "$tmp/e2" "not a UPDDIFF1 patch"
# a refused patch leaves an existing NEW as it was
printf 'keep me\n' >"$tmp/keep"
"$UPD" patch "$tmp/r1" "$P" "$tmp/keep" >/dev/null 2>&1
check_eq refused-keeps-new "$(cat "$tmp/keep")" "keep me"
# missing files, usage
mkdir -p "$tmp/nogzip"
check_rc patch-missing-old 1 "$UPD" patch "$tmp/nope" "$P" "$tmp/x"
check_rc patch-missing-patch 1 "$UPD" patch "$tmp/e1" "$tmp/nope" "$tmp/x"
check_rc diff-missing-old 1 "$UPD" diff "$tmp/nope" "$tmp/e2" "$tmp/x"
check_rc diff-missing-dir 1 "$UPD" diff "$tmp/e1" "$tmp/e2" "$tmp/no/such/dir/p"
check_rc diff-directory 1 "$UPD" diff "$tmp" "$tmp/e2" "$tmp/x"
check_rc diff-usage 2 "$UPD" diff "$tmp/e1" "$tmp/e2"
check_rc diff-usage-extra 2 "$UPD" diff "$tmp/e1" "$tmp/e2" "$tmp/x" "$tmp/y"
check_rc diff-unknown-option 2 "$UPD" diff --fast "$tmp/e1" "$tmp/e2" "$tmp/x"
check_rc patch-usage 2 "$UPD" patch "$tmp/e1" "$P"
check_rc patch-unknown-option 2 "$UPD" patch -x "$tmp/e1" "$P" "$tmp/x"
check_eq no-output-on-failure "$(ls "$tmp/x" 2>/dev/null)" ""
# an output that exists and is not a regular file is refused, not replaced
mkfifo "$tmp/fifo"
check_rc patch-new-fifo 1 "$UPD" patch "$tmp/e1" "$P" "$tmp/fifo"
check_rc diff-patch-fifo 1 "$UPD" diff "$tmp/e1" "$tmp/e2" "$tmp/fifo"
check_rc patch-new-directory 1 "$UPD" patch "$tmp/e1" "$P" "$tmp/nogzip"
if [ -p "$tmp/fifo" ] && [ -d "$tmp/nogzip" ]; then pass; else fail non-regular-kept "the fifo or the directory was replaced"; fi
rm -f "$tmp/fifo"
# no gzip on PATH: a clear message, no patch, nothing left behind
out=$(PATH=$tmp/nogzip "$UPD" diff "$tmp/e1" "$tmp/e2" "$tmp/ng.patch" 2>&1); rc=$?
if [ "$rc" = 1 ] && printf '%s' "$out" | grep -q "^upd: cannot run gzip" && [ ! -e "$tmp/ng.patch" ] &&
   [ -z "$(ls -A "$tmp" | grep '\.upd-')" ]; then pass
else fail no-gzip "exit $rc: $out"; fi

# ==== 3. real pairs ===================================================
# fetch SPEC: $CACHE/<npm pack's file name>, fetched once (through a
# temporary directory, so that an interrupted fetch leaves nothing)
NPM_FAIL=""
fetch() {
    f=$CACHE/$(printf '%s' "$1" | sed -e 's/^@//' -e 's|/|-|' -e 's/@/-/').tgz
    if [ ! -s "$f" ]; then
        mkdir -p "$CACHE" "$tmp/npm"
        (cd "$tmp/npm" && timeout 180 npm pack --silent "$1" >"$tmp/npm.out" 2>&1) &&
            mv "$tmp/npm/$(basename "$f")" "$f" 2>/dev/null ||
            { NPM_FAIL="$1: $(tail -n 2 "$tmp/npm.out" | tr '\n' ' ')"; return 1; }
    fi
    echo "$f"
}
# real NAME SPEC-OLD SPEC-NEW PATH-IN-PACKAGE
real() {
    if ! have npm; then skip "real-$1" "npm is not installed: the $1 release pair is not tested"; return; fi
    if ! a=$(fetch "$2") || ! b=$(fetch "$3"); then
        skip "real-$1" "npm pack failed (no network?): the $1 release pair is not tested: $NPM_FAIL"; return
    fi
    rm -rf "$tmp/ra" "$tmp/rb"; mkdir -p "$tmp/ra" "$tmp/rb"
    tar -C "$tmp/ra" -xzf "$a" "$4" && tar -C "$tmp/rb" -xzf "$b" "$4" || { fail "real-$1-unpack" "$4 not in the packages"; return; }
    roundtrip "real-$1" "$tmp/ra/$4" "$tmp/rb/$4" "$FAST"
    cp "$tmp/rb/$4" "$tmp/real-$1.new"
    cp "$tmp/ra/$4" "$tmp/real-$1.old"
    cp "$tmp/rt.patch" "$tmp/real-$1.patch"
}
real esbuild esbuild-linux-64@0.15.17 esbuild-linux-64@0.15.18 package/bin/esbuild
real biome @biomejs/cli-linux-x64@1.5.0 @biomejs/cli-linux-x64@1.5.1 package/biome
# examples/hello at two versions
if make -s B="$tmp/h1" HELLO_VERSION=1.0.0 "$tmp/h1/hello" >"$tmp/h.log" 2>&1 &&
   make -s B="$tmp/h2" HELLO_VERSION=1.0.1 "$tmp/h2/hello" >>"$tmp/h.log" 2>&1; then
    roundtrip hello "$tmp/h1/hello" "$tmp/h2/hello"
    sz=$(wc -c <"$tmp/rt.patch")
    if [ "$sz" -lt 2000 ]; then pass; else fail hello-patch-small "the patch between two hello builds is $sz bytes"; fi
else fail build-hello "$(head -c 400 "$tmp/h.log")"; fi

# peak RSS of upd patch on a 20+ MB file: fixed memory, whatever the size
if [ ! -x /usr/bin/time ] || ! /usr/bin/time -f %M -o /dev/null true 2>/dev/null; then
    skip patch-rss "GNU time is not installed (apt-get install time): the memory of upd patch is not checked"
else
    if [ -f "$tmp/real-biome.patch" ]; then
        o=$tmp/real-biome.old n=$tmp/real-biome.new p=$tmp/real-biome.patch
    else # no network: a synthetic 24 MB pair
        head -c 24000000 /dev/urandom >"$tmp/s.old"
        { head -c 12000000 "$tmp/s.old"; printf 'inserted'; tail -c +12000001 "$tmp/s.old"; } >"$tmp/s.new"
        o=$tmp/s.old n=$tmp/s.new p=$tmp/s.patch
        "$FAST" diff "$o" "$n" "$p" >/dev/null 2>&1 || fail patch-rss-diff "upd diff failed"
    fi
    if /usr/bin/time -f %M -o "$tmp/rss" "$FAST" patch "$o" "$p" "$tmp/rss.out" >/dev/null 2>&1 && cmp -s "$tmp/rss.out" "$n"; then
        kb=$(tail -n 1 "$tmp/rss")
        if [ "$(wc -c <"$n")" -ge 20000000 ] && [ "$kb" -lt 4096 ]; then pass
        else fail patch-rss "peak RSS $kb KiB for a $(wc -c <"$n")-byte file (want under 4096)"; fi
    else fail patch-rss "upd patch failed"; fi
fi
summary
