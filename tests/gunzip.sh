#!/bin/sh
# The gzip decoder against gzip -dc, the reference: inputs of many kinds
# compressed by every producer at hand (gzip, pigz, zopfli, busybox gzip,
# Python's gzip module and zlib), decoded by `upd gunzip` from a file, from
# stdin and into -o OUT, and by the stream driver (tests/gz_driver.c) whole,
# a byte in or out at a time and in random splits. Then the command's
# contract: corrupt input, --max-size, options.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
B=${B:-build}
UPD=${UPD:-$B/asan/upd}
GZD=${GZD:-$B/asan/gz_driver}
PY=/usr/bin/python3
SLOW_MAX=300000 # byte-at-a-time modes only below this size (slow under ASan)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/in" "$tmp/gz" "$tmp/odir"
# a decoder that stops making progress must not stop the suite
if have timeout; then TO="timeout 120"; else TO=; fi

for prog in "$UPD" "$GZD"; do
    if [ -x "$prog" ]; then pass; else fail "built $prog" "$prog is missing (make $prog)"; fi
done

size_of() { echo $(($(wc -c <"$1"))); }

# ---- inputs ----
: >"$tmp/in/empty"
printf x >"$tmp/in/one"
cat /usr/share/common-licenses/* >"$tmp/in/text" 2>/dev/null
if [ "$(size_of "$tmp/in/text")" -lt 100000 ]; then # no licenses: any text will do
    cat /usr/share/doc/*/copyright "$0" tests/*.sh README.md >>"$tmp/in/text" 2>/dev/null
fi
lib=$(ls /lib/*/libselinux.so.1 /usr/lib/*/libz.so.1 /lib/*/libc.so.6 /usr/lib/*/libc.so.6 2>/dev/null | head -n 1)
cat /bin/ls $lib >"$tmp/in/elf"
head -c 300000 /dev/urandom >"$tmp/in/random"    # incompressible: stored blocks
head -c 32768 /dev/urandom >"$tmp/blk"           # runs at distance 32768
for i in 1 2 3 4 5 6 7 8; do cat "$tmp/blk"; done >"$tmp/in/far32k"
head -c 100000 /dev/zero >"$tmp/in/zeros"        # one long run at distance 1
{ cat "$tmp/in/text" "$tmp/in/elf"; head -c 200000 /dev/urandom; head -c 300000 /dev/zero
  cat "$tmp/in/far32k" "$tmp/in/text" "$tmp/in/elf" "$tmp/in/text"; } | head -c 2000000 >"$tmp/in/mix"
INPUTS="empty one text elf random far32k zeros mix"

# ---- producers: NAME, then a command that compresses stdin to stdout ----
py_gzip() { $PY -c 'import gzip, sys; sys.stdout.buffer.write(gzip.compress(sys.stdin.buffer.read(), 9))'; }
py_zlib() { # STRATEGY LEVEL: a gzip member from zlib (wbits=31)
    $PY -c 'import sys, zlib
c = zlib.compressobj(int(sys.argv[2]), zlib.DEFLATED, 31, 9, getattr(zlib, sys.argv[1]))
sys.stdout.buffer.write(c.compress(sys.stdin.buffer.read()) + c.flush())' "$@"
}
compress() { # PRODUCER INPUT-NAME OUT
    p=$1 in=$tmp/in/$2 big=0
    [ "$(size_of "$in")" -gt 500000 ] && big=1
    case $p in
        gzip-1) gzip -1 -c <"$in" ;;
        gzip-6) gzip -6 -c "$in" ;;                  # from a file: FNAME and MTIME set
        gzip-9) gzip -9 -c <"$in" ;;
        pigz-6) pigz -6 -c <"$in" ;;
        pigz-11) pigz -11 -c <"$in" ;;
        pigz-i) pigz -6 -i -c <"$in" ;;              # independent blocks, empty stored markers
        zopfli) if [ $big = 1 ]; then zopfli --i1 -c "$in"; else zopfli -c "$in"; fi ;;
        busybox) busybox gzip -c <"$in" ;;
        python-gzip) py_gzip <"$in" ;;
        python-zlib-fixed) py_zlib Z_FIXED 9 <"$in" ;;
        python-zlib-rle) py_zlib Z_RLE 6 <"$in" ;;    # distance 1 only: one distance code
        python-zlib-huffman) py_zlib Z_HUFFMAN_ONLY 6 <"$in" ;; # literals only: no distance code used
    esac >"$3"
}
producer_tool() { # which program a producer needs
    case $1 in gzip-*) echo gzip ;; pigz-*) echo pigz ;; zopfli) echo zopfli ;; busybox) echo busybox ;; *) echo "$PY" ;; esac
}
PRODUCERS="gzip-1 gzip-6 gzip-9 pigz-6 pigz-11 pigz-i zopfli busybox python-gzip python-zlib-fixed
           python-zlib-rle python-zlib-huffman"

if ! have gzip; then
    skip gunzip-vs-gzip "gzip is not installed: no reference to compare with"
    summary
    exit
fi

# ---- decoding, compared with gzip -dc ----
# Checks run in jobs, two at a time (JOBS): each has its work directory $W
# and its own counters, which the main shell adds up with its report.
JOBS=${JOBS:-2}
W=$tmp/w.main; mkdir "$W"
ok_out() { # NAME: the last command's status $rc, its stdout $W/got against $W/ref
    if [ "$rc" -ne 0 ]; then fail "$1" "exit $rc: $(head -c 300 "$W/err")"
    elif cmp -s "$W/got" "$W/ref"; then pass
    else fail "$1" "output differs from gzip -dc: $(cmp "$W/got" "$W/ref" 2>&1 | head -n 1)"; fi
}
verify() { # NAME GZFILE
    n=$1 f=$2
    if ! gzip -dc <"$f" >"$W/ref" 2>"$W/err"; then
        fail "$n" "gzip -dc refuses the producer's output: $(head -c 200 "$W/err")"; return
    fi
    $TO $UPD gunzip "$f" >"$W/got" 2>"$W/err"; rc=$?; ok_out "$n: upd gunzip FILE"
    $TO $UPD gunzip <"$f" >"$W/got" 2>"$W/err"; rc=$?; ok_out "$n: upd gunzip <FILE"
    rm -f "$W/got"
    $TO $UPD gunzip -o "$W/got" "$f" >"$W/stdout" 2>"$W/err"; rc=$?
    [ -f "$W/got" ] || : >"$W/got"
    ok_out "$n: upd gunzip -o OUT FILE"
    if [ -s "$W/stdout" ]; then fail "$n: -o leaves stdout empty" "$(size_of "$W/stdout") bytes on stdout"; else pass; fi
    for m in whole in1 out1 "split 1" "split 2"; do
        case $m in
            in1) [ "$(size_of "$f")" -lt $SLOW_MAX ] || continue ;;
            out1) [ "$(size_of "$W/ref")" -lt $SLOW_MAX ] || continue ;;
        esac
        $TO $GZD $m "$f" >"$W/got" 2>"$W/err"; rc=$?; ok_out "$n: gz_driver $m"
    done
}
job() { # NAME COMMAND...: runs COMMAND in the background as job NAME
    name=$1; shift
    ( W=$tmp/w.$name; mkdir -p "$W"; T_PASS=0 T_FAIL=0 T_SKIP=0
      "$@"
      echo "$T_PASS $T_FAIL $T_SKIP" >"$tmp/count.$name" ) >"$tmp/log.$name" 2>&1 &
    jobs_running="$jobs_running $!:$name"
}
join_jobs() { # waits for every job and adds up what each found
    for j in $jobs_running; do
        wait "${j%%:*}"
        name=${j#*:}
        cat "$tmp/log.$name"
        if [ -f "$tmp/count.$name" ]; then
            read -r jp jf js <"$tmp/count.$name"
            T_PASS=$((T_PASS + jp)) T_FAIL=$((T_FAIL + jf)) T_SKIP=$((T_SKIP + js))
        else fail "job $name" "ended before its count: $(tail -n 3 "$tmp/log.$name")"; fi
    done
    jobs_running=
}

# zopfli and pigz -11 take seconds a file: they compress in the background
# while the others are checked
SLOW="pigz-11 zopfli"
inputs_for() { # the python-zlib strategies are extras: a few inputs do;
    # pigz -11 would spend 5 s on the 2 MB mix (zopfli makes it at one iteration)
    case $1 in python-zlib-rle|python-zlib-huffman) echo "text zeros" ;;
               pigz-11) echo "$INPUTS" | sed 's/ mix//' ;;
               *) echo "$INPUTS" ;; esac
}
produce() { # PRODUCER...: compress every input, noting failures beside
    for p in "$@"; do
        have "$(producer_tool $p)" || continue
        for i in $(inputs_for $p); do
            compress $p $i "$tmp/gz/$i.$p.gz" 2>"$tmp/gz/$i.$p.err" || echo "exit $?" >>"$tmp/gz/$i.$p.err"
        done
    done
}
check_producers() { # PRODUCER...: the files each made (or the loud reason there are none)
    for p in "$@"; do
        t=$(producer_tool $p)
        if ! have "$t"; then skip "$p" "$t is not installed: no $p files decoded"; continue; fi
        for i in $(inputs_for $p); do
            if [ -s "$tmp/gz/$i.$p.err" ]; then fail "$i.$p" "$p failed: $(head -c 200 "$tmp/gz/$i.$p.err")"
            else verify "$i.$p" "$tmp/gz/$i.$p.gz"; fi
        done
    done
}
produce_and_check() { produce "$@"; check_producers "$@"; }
# LeakSanitizer adds ~40 ms to each of the ~700 runs below; the decoder
# allocates nothing, and the contract checks further down run with it
ASAN_OPTIONS_SAVED=${ASAN_OPTIONS-}
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
produce $SLOW &
slow_pid=$!
FAST=
for p in $PRODUCERS; do case " $SLOW " in *" $p "*) ;; *) FAST="$FAST $p" ;; esac; done
set -- $FAST
k=0
while [ $k -lt "$JOBS" ]; do # producer i goes to job i mod JOBS
    list= i=0
    for p in "$@"; do [ $((i % JOBS)) = $k ] && list="$list $p"; i=$((i + 1)); done
    [ -n "$list" ] && job fast$k produce_and_check $list
    k=$((k + 1))
done
join_jobs
wait $slow_pid
if [ "$JOBS" -gt 1 ]; then for p in $SLOW; do job "$p" check_producers "$p"; done; join_jobs
else check_producers $SLOW; fi

# several members in a row decode as one stream: gzip, pigz and Python
# members, an empty one in the middle
mm=$tmp/gz/multi.gz
gzip -1 -c <"$tmp/in/text" >"$mm"
gzip -9 -c <"$tmp/in/empty" >>"$mm"
gzip -6 -c <"$tmp/in/elf" >>"$mm"
gzip -c <"$tmp/in/one" >>"$mm"
for f in "$tmp"/gz/far32k.pigz-6.gz "$tmp"/gz/zeros.python-gzip.gz; do [ -f "$f" ] && cat "$f" >>"$mm"; done
verify multi-member "$mm"
# many tiny members
: >"$tmp/gz/tiny.gz"
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do printf '%s\n' "$i" | gzip -c >>"$tmp/gz/tiny.gz"; done
verify "12 tiny members" "$tmp/gz/tiny.gz"

# every header field: FTEXT, FEXTRA, FNAME, FCOMMENT and FHCRC (the low 16
# bits of the CRC-32 of the header bytes before it), built by hand
if [ -x "$PY" ]; then
    $PY - "$tmp/in/text" "$tmp/gz/flags.gz" <<'EOT'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
extra = b"AP" + struct.pack("<H", 6) + b"abcdef" + b"ZZ" + struct.pack("<H", 0)
head = b"\x1f\x8b\x08" + bytes([0x1f]) + struct.pack("<I", 1700000000) + b"\x02\x03"
head += struct.pack("<H", len(extra)) + extra + b"name.txt\0" + b"a comment\nwith two lines\0"
head += struct.pack("<H", zlib.crc32(head) & 0xffff)
c = zlib.compressobj(9, zlib.DEFLATED, -15)
body = c.compress(data) + c.flush()
open(sys.argv[2], "wb").write(head + body + struct.pack("<II", zlib.crc32(data), len(data) & 0xffffffff))
EOT
    verify "all header flags" "$tmp/gz/flags.gz"
else
    skip header-flags "$PY is not installed: no hand-built header"
fi

# ---- the command's contract ----
if [ -n "$ASAN_OPTIONS_SAVED" ]; then export ASAN_OPTIONS="$ASAN_OPTIONS_SAVED"; else unset ASAN_OPTIONS; fi
out=$($UPD --help); rc=$?
check_eq help-rc "$rc" 0
if printf '%s\n' "$out" | grep -qE '^  gunzip '; then pass; else fail help-lists-gunzip "--help does not list gunzip"; fi
check_rc gunzip-help 0 $UPD gunzip --help
check_rc help-gunzip 0 $UPD help gunzip
check_rc unknown-option 2 $UPD gunzip --bogus "$tmp/gz/text.gzip-6.gz"
check_rc max-size-no-value 2 $UPD gunzip --max-size
check_rc max-size-not-a-number 2 $UPD gunzip --max-size abc "$tmp/gz/text.gzip-6.gz"
check_rc max-size-zero 2 $UPD gunzip --max-size 0 "$tmp/gz/text.gzip-6.gz"
check_rc two-inputs 2 $UPD gunzip "$tmp/gz/text.gzip-6.gz" "$tmp/gz/one.gzip-6.gz"
check_rc missing-file 1 $UPD gunzip "$tmp/nope.gz"

good=$tmp/good.gz
gzip -6 -c <"$tmp/in/text" >"$good"
gsize=$(size_of "$good")
tsize=$(size_of "$tmp/in/text")
flip() { # FILE OFFSET: invert one byte in place
    b=$(od -An -tu1 -j"$2" -N1 "$1" | tr -d ' ')
    printf "\\$(printf %03o $((b ^ 255)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
mkbad() { # KIND FILE
    case $1 in
        flipped) cp "$good" "$2"; flip "$2" $((gsize / 2)) ;;
        flipped-early) cp "$good" "$2"; flip "$2" 40 ;;
        flipped-crc) cp "$good" "$2"; flip "$2" $((gsize - 6)) ;;
        truncated) head -c $((gsize / 2)) "$good" >"$2" ;;
        no-last-byte) head -c $((gsize - 1)) "$good" >"$2" ;;
        trailing-garbage) { cat "$good"; printf 'trailing garbage\n'; } >"$2" ;;
        one-garbage-byte) { cat "$good"; printf 'x'; } >"$2" ;;
        zero-padding) { cat "$good"; head -c 512 /dev/zero; } >"$2" ;;
        empty) : >"$2" ;;
        not-gzip) cp "$tmp/in/text" "$2" ;;
    esac
}
for kind in flipped flipped-early flipped-crc truncated no-last-byte trailing-garbage one-garbage-byte \
            zero-padding empty not-gzip; do
    bad=$tmp/bad.gz
    mkbad $kind "$bad"
    if cmp -s "$bad" "$good"; then fail "corrupt $kind" "the file did not change"; continue; fi
    $TO $UPD gunzip "$bad" >/dev/null 2>"$W/err"; rc=$?
    check_eq "corrupt $kind: exit" "$rc" 1
    if head -n 1 "$W/err" | grep -q '^upd: '; then pass
    else fail "corrupt $kind: message" "stderr: [$(head -c 200 "$W/err")]"; fi
    $TO $UPD gunzip <"$bad" >/dev/null 2>"$W/err"; rc=$?
    check_eq "corrupt $kind: exit from stdin" "$rc" 1
    $TO $UPD gunzip -o "$tmp/odir/OUT" "$bad" >/dev/null 2>&1; rc=$?
    check_eq "corrupt $kind: exit with -o" "$rc" 1
    check_eq "corrupt $kind: no OUT, no temporary file" "$(ls -A "$tmp/odir")" ""
    # an OUT that exists already is left as it was
    printf 'old\n' >"$tmp/odir/OUT"
    $TO $UPD gunzip -o "$tmp/odir/OUT" "$bad" >/dev/null 2>&1; rc=$?
    check_eq "corrupt $kind: exit over an existing OUT" "$rc" 1
    check_eq "corrupt $kind: existing OUT untouched" "$(cat "$tmp/odir/OUT"; ls -A "$tmp/odir")" "$(printf 'old\nOUT')"
    rm -f "$tmp/odir/OUT"
    for m in whole in1 "split 3"; do
        ASAN_OPTIONS=detect_leaks=0 $TO $GZD $m "$bad" >/dev/null 2>"$W/err"; rc=$?
        check_eq "corrupt $kind: gz_driver $m exit" "$rc" 1
        if grep -q '^gz_driver: .* (UPD_E_[A-Z_]*)$' "$W/err"; then pass
        else fail "corrupt $kind: gz_driver $m message" "stderr: [$(head -c 200 "$W/err")]"; fi
    done
done
# the error names the cause
msg() { $TO $UPD gunzip "$1" 2>&1 >/dev/null; }
mkbad trailing-garbage "$tmp/bad.gz"
check_eq "trailing garbage message" "$(msg "$tmp/bad.gz" | grep -c 'bad magic')" 1
mkbad truncated "$tmp/bad.gz"
check_eq "truncated message" "$(msg "$tmp/bad.gz" | grep -c 'ends too early')" 1
mkbad flipped-crc "$tmp/bad.gz"
check_eq "CRC message" "$(msg "$tmp/bad.gz" | grep -c 'CRC-32')" 1

# --max-size: one byte under the output is refused, exactly the output is fine
$TO $UPD gunzip --max-size $((tsize - 1)) "$good" >/dev/null 2>"$W/err"; rc=$?
check_eq "max-size under: exit" "$rc" 1
if head -n 1 "$W/err" | grep -q '^upd: '; then pass; else fail "max-size under: message" "$(head -c 200 "$W/err")"; fi
$TO $UPD gunzip --max-size $((tsize - 1)) -o "$tmp/odir/OUT" "$good" >/dev/null 2>&1; rc=$?
check_eq "max-size under with -o: exit" "$rc" 1
check_eq "max-size under with -o: no OUT" "$(ls -A "$tmp/odir")" ""
$TO $UPD gunzip --max-size "$tsize" "$good" >"$W/got" 2>"$W/err"; rc=$?
cp "$tmp/in/text" "$W/ref"
ok_out "max-size exact"
$TO $UPD gunzip --max-size 1 "$tmp/gz/one.gzip-6.gz" >"$W/got" 2>"$W/err"; rc=$?
cp "$tmp/in/one" "$W/ref"
ok_out "max-size 1 for one byte"
# the limit counts every member
$TO $UPD gunzip --max-size $((tsize + 1)) "$mm" >/dev/null 2>&1; rc=$?
check_eq "max-size across members" "$rc" 1
# a gzip bomb: 50 MB of zeros in 50 KB, refused at 1 MB without writing it all
head -c 50000000 /dev/zero | gzip -9 -c >"$tmp/bomb.gz"
$TO $UPD gunzip --max-size 1000000 "$tmp/bomb.gz" >"$W/got" 2>/dev/null; rc=$?
check_eq "bomb: exit" "$rc" 1
if [ "$(size_of "$W/got")" -le 1000000 ]; then pass; else fail "bomb: output" "$(size_of "$W/got") bytes written, limit 1000000"; fi

summary
