#!/bin/sh
# `upd serve` (examples/upd_serve.c) against real clients: curl, `upd fetch`,
# python3's urllib and raw sockets. The server listens on a free port on
# 127.0.0.1 (-p 0 --port-file) and is stopped on exit; every client runs
# under `timeout`. Checked: whole files (empty, small, 5 MB random) byte for
# byte, HEAD, the headers, ranges, conditional requests, keep-alive,
# HTTP/1.0, errors, path traversal (a sentinel file outside DIR never shows
# up in any response), oversized heads, a silent client beside a download,
# resumed downloads, clients leaving mid-download, SIGTERM/SIGINT.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
B=${B:-build}
UPD=${UPD:-$B/asan/upd}
case $UPD in /*) ;; *) UPD=$PWD/$UPD ;; esac
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi
tmp=$(mktemp -d)
pids=""
stop_all() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    for p in $pids; do wait "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap stop_all EXIT
trap 'exit 1' INT TERM HUP

if [ ! -x "$UPD" ]; then fail serve-build "$UPD is not built (make $UPD)"; summary; exit 1; fi
if ! have curl; then skip serve "curl is not installed"; summary; exit 0; fi

# ---- helpers ----
# raw.py PORT REQUEST [--hold S] [--abort N]: sends REQUEST (with \r \n \t
# \xHH escapes), prints every byte of the answer until the server closes;
# exit 3 if it does not close within 10 s. --hold: connect, send, then only
# wait S seconds (a silent or slow client). --abort N: read N bytes, then
# reset the connection.
# raw.py PORT --batch FILE: one connection for each line "NAME WANT REQUEST"
# of FILE; prints "NAME STATUS WANT" for each (WANT 4xx: any 4xx status)
# and appends every response to FILE.resp.
cat >"$tmp/raw.py" <<'EOF'
import codecs, socket, struct, sys, time

def exchange(port, req):
    s = socket.create_connection(("127.0.0.1", port), 5)
    s.settimeout(10)
    s.sendall(req)
    out = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            out += d
    except (socket.timeout, ConnectionResetError):
        pass
    s.close()
    return out

port = int(sys.argv[1])
if sys.argv[2] == "--batch":
    with open(sys.argv[3]) as f, open(sys.argv[3] + ".resp", "ab") as resp:
        for line in f:
            name, want, req = line.rstrip("\n").split(" ", 2)
            out = exchange(port, codecs.escape_decode(req.encode("latin-1"))[0])
            resp.write(out)
            got = out.split(b" ", 2)[1].decode("latin-1") if out.startswith(b"HTTP/") else "none"
            if want.endswith("xx") and got[:1] == want[:1]:
                got = want
            print(name, got, want, flush=True)
    sys.exit(0)
req = codecs.escape_decode(sys.argv[2].encode("latin-1"))[0]
args = sys.argv[3:]
opt = dict(zip(args[::2], args[1::2]))
s = socket.create_connection(("127.0.0.1", port), 5)
if req:
    s.sendall(req)
if "--hold" in opt:
    time.sleep(float(opt["--hold"]))
    sys.exit(0)
if "--abort" in opt:
    want, got = int(opt["--abort"]), 0
    while got < want:
        d = s.recv(65536)
        if not d:
            break
        got += len(d)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    sys.exit(0)
s.settimeout(10)
out = b""
try:
    while True:
        d = s.recv(65536)
        if not d:
            break
        out += d
except socket.timeout:
    sys.stdout.buffer.write(out)
    sys.exit(3)
except ConnectionResetError:
    pass
sys.stdout.buffer.write(out)
EOF
raw() { timeout 20 "$PY" "$tmp/raw.py" "$P" "$@"; }
# batch FILE: the requests of FILE (see raw.py), one check each
batch() {
    timeout 120 "$PY" "$tmp/raw.py" "$P" --batch "$1" >"$1.got" 2>"$1.err"
    while read -r n got want; do check_eq "$n" "$got" "$want"; done <"$1.got"
    [ "$(wc -l <"$1.got")" -eq "$(wc -l <"$1")" ] || fail "batch $1" "incomplete: $(tail -n 3 "$1.err")"
}
# cu ARGS...: curl with the response head in $tmp/h, the body in $tmp/b
cu() { rm -f "$tmp/h" "$tmp/b"; timeout 30 curl -sS --max-time 20 -D "$tmp/h" -o "$tmp/b" "$@" 2>"$tmp/curl.err"; }
status_of() { head -n 1 "$1" 2>/dev/null | cut -d' ' -f2; }
# hv FILE NAME: the value of a header field (first one)
hv() { grep -i "^$2:" "$1" 2>/dev/null | head -n 1 | sed 's/^[^:]*:[ 	]*//' | tr -d '\r'; }
size() { wc -c <"$1" | tr -d ' '; }
body_size() { if [ -f "$tmp/b" ]; then size "$tmp/b"; else echo 0; fi; }
# expect NAME STATUS [BODYFILE]: the last cu had this status (and body)
expect() {
    got=$(status_of "$tmp/h")
    if [ "$got" != "$2" ]; then fail "$1" "status [$got], want $2 $(head -c 200 "$tmp/curl.err")"; return; fi
    if [ -n "${3:-}" ] && ! cmp -s "$tmp/b" "$3"; then fail "$1" "body differs ($(size "$tmp/b") bytes)"; return; fi
    pass
}
check_hv() { check_eq "$1" "$(hv "$tmp/h" "$2")" "$3"; }
in_log() { grep -qF -- "$1" "$tmp/log"; }
# check_log NAME TEXT: a log line holds TEXT (the log is written before the response)
check_log() { if in_log "$2"; then pass; else fail "$1" "no '$2' in the log: $(tail -n 3 "$tmp/log")"; fi; }
# wait_file F: until F exists (10 s at most)
wait_file() { i=0; while [ "$i" -lt 100 ] && [ ! -s "$1" ]; do sleep 0.1; i=$((i + 1)); done; [ -s "$1" ]; }
# wait_exit PID SECS: its exit status, killing it (status 137) after SECS
wait_exit() {
    "$PY" -c 'import os, sys, time
time.sleep(float(sys.argv[2]))
os.kill(int(sys.argv[1]), 9)' "$1" "$2" 2>/dev/null &
    wd=$!
    wait "$1"; r=$?
    kill -KILL "$wd" 2>/dev/null; wait "$wd" 2>/dev/null   # not TERM: lost if it comes before the exec
    return $r
}
py_mtime() { "$PY" -c 'import os, sys, email.utils; print(email.utils.formatdate(int(os.stat(sys.argv[1]).st_mtime), usegmt=True))' "$1"; }
py_etag() { "$PY" -c 'import os, sys; s = os.stat(sys.argv[1]); print("\"%x-%x-%x\"" % (s.st_ino, s.st_size, s.st_mtime_ns))' "$1"; }

# ---- data ----
www=$tmp/www out=$tmp/outside
mkdir -p "$www/sub" "$www/noindex" "$out"
SENTINEL="outside-sentinel-$$-7f3a"
printf '%s\n' "$SENTINEL" >"$out/secret.txt"
: >"$www/empty"
printf 'small file\n' >"$www/small.txt"
head -c 5242880 /dev/urandom >"$www/big.bin"
printf '<p>index</p>\n' >"$www/sub/index.html"
printf 'x' >"$www/noindex/x"
for f in a.tar.gz a.tgz a.tar versions versions.minisig key.pub page.html; do printf '%s\n' "$f" >"$www/$f"; done
ln -s "$out/secret.txt" "$www/abs-link"
ln -s ../outside/secret.txt "$www/rel-link"
ln -s "$out" "$www/dir-link"
ln -s small.txt "$www/inside-link"
have mkfifo && mkfifo "$www/fifo"
V=$("$UPD" --version | cut -d' ' -f2)

# ---- usage ----
check_rc usage-no-dir 2 timeout 10 "$UPD" serve
check_rc usage-two-dirs 2 timeout 10 "$UPD" serve "$www" "$www"
check_rc usage-port-range 2 timeout 10 "$UPD" serve -p 65536 "$www"
check_rc usage-port-text 2 timeout 10 "$UPD" serve -p http "$www"
check_rc usage-port-negative 2 timeout 10 "$UPD" serve -p -1 "$www"
check_rc usage-port-no-value 2 timeout 10 "$UPD" serve "$www" -p
check_rc usage-bad-address 2 timeout 10 "$UPD" serve -b no.such.address "$www"
check_rc usage-unknown-option 2 timeout 10 "$UPD" serve --frob "$www"
msg=$(timeout 10 "$UPD" serve -p 0 "$tmp/missing" 2>&1); rc=$?
check_eq missing-dir-rc "$rc" 1
case $msg in "upd: $tmp/missing: "*) pass ;; *) fail missing-dir-msg "[$msg]" ;; esac
msg=$(timeout 10 "$UPD" serve -p 0 "$www/small.txt" 2>&1); rc=$?
check_eq not-a-dir-rc "$rc" 1
help=$("$UPD" serve --help); rc=$?
check_eq help-rc "$rc" 0
case $help in *"not production"*) pass ;; *) fail help-production "--help does not say 'not production': $help" ;; esac

# ---- the server ----
"$UPD" serve -p 0 --port-file "$tmp/port" "$www" 2>"$tmp/log" &
SP=$!
pids="$pids $SP"
if ! wait_file "$tmp/port"; then
    fail serve-start "no port file: $(tail -n 5 "$tmp/log")"
    summary; exit 1
fi
P=$(cat "$tmp/port")
U=http://127.0.0.1:$P
case $P in *[!0-9]*|'') fail port-file "[$P]" ;; *) pass ;; esac
check_eq port-file-newline "$(od -An -c "$tmp/port" | tr -d ' ' | tail -c 3)" '\n'
check_eq banner "$(head -n 1 "$tmp/log")" "upd serve: http://127.0.0.1:$P/ serving $www"
msg=$(timeout 10 "$UPD" serve -p "$P" "$www" 2>&1); rc=$?
check_eq port-in-use "$rc/$msg" "1/upd: cannot listen on 127.0.0.1 port $P: Address already in use"

# ---- whole files ----
for f in empty small.txt big.bin; do
    cu "$U/$f"; expect "curl-$f" 200 "$www/$f"
done
rm -f "$tmp/got"
timeout 60 "$UPD" fetch -o "$tmp/got" "$U/big.bin" 2>"$tmp/fetch.err"
check fetch-big cmp "$tmp/got" "$www/big.bin"
timeout 30 "$UPD" fetch "$U/empty" >"$tmp/got" 2>"$tmp/fetch.err"
check fetch-empty cmp "$tmp/got" "$www/empty"
got=$(timeout 30 "$PY" -c 'import sys, urllib.request
r = urllib.request.urlopen(sys.argv[1], timeout=20)
sys.stdout.buffer.write(r.read())' "$U/big.bin" | sha256sum | cut -d' ' -f1)
check_eq python-urllib-big "$got" "$(sha256sum "$www/big.bin" | cut -d' ' -f1)"
got=$(timeout 30 "$PY" -c 'import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(sys.argv[1], timeout=20)
except urllib.error.HTTPError as e:
    print(e.code)' "$U/missing")
check_eq python-urllib-404 "$got" 404

# ---- headers ----
cu "$U/small.txt"; expect headers-status 200 "$www/small.txt"
check_hv content-length Content-Length 11
check_hv content-type-txt Content-Type text/plain
check_hv accept-ranges Accept-Ranges bytes
check_hv server Server "upd/$V"
check_hv last-modified Last-Modified "$(py_mtime "$www/small.txt")"
ETAG=$(py_etag "$www/small.txt")
check_hv etag ETag "$ETAG"
LM=$(py_mtime "$www/small.txt")
if hv "$tmp/h" Date | grep -qE '^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-3][0-9] (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} [0-2][0-9]:[0-5][0-9]:[0-6][0-9] GMT$'
then pass; else fail date "[$(hv "$tmp/h" Date)]"; fi
check_log log-get "upd serve: GET /small.txt 200"
for pair in a.tar.gz=application/gzip a.tgz=application/gzip a.tar=application/x-tar versions=text/plain \
            versions.minisig=text/plain key.pub=text/plain page.html=text/html big.bin=application/octet-stream \
            sub/=text/html; do
    cu -I "$U/${pair%%=*}"
    check_hv "content-type ${pair%%=*}" Content-Type "${pair#*=}"
done

# ---- HEAD ----
cu -I "$U/big.bin"; expect head-status 200
check_hv head-length Content-Length 5242880
check_hv head-etag ETag "$(py_etag "$www/big.bin")"
# on one connection: HEAD, then GET; the HEAD response has no body
raw 'HEAD /small.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /small.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >"$tmp/r"
check_eq head-then-get "$(grep -c '^HTTP/1.1 200 OK' "$tmp/r")/$(grep -c '^small file$' "$tmp/r")" 2/1
check_eq head-then-get-ends "$(tail -c 11 "$tmp/r")" "small file"
check_log log-head "upd serve: HEAD /small.txt 200"

# ---- ranges ----
BIG=$www/big.bin
cu -r 0-99 "$U/big.bin"; head -c 100 "$BIG" >"$tmp/want"; expect range-a-b 206 "$tmp/want"
check_hv range-a-b-content-range Content-Range "bytes 0-99/5242880"
check_hv range-a-b-length Content-Length 100
check_log range-logged "upd serve: GET /big.bin 206 range=bytes=0-99"
cu -r 5000000- "$U/big.bin"; tail -c +5000001 "$BIG" >"$tmp/want"; expect range-a- 206 "$tmp/want"
check_hv range-a--content-range Content-Range "bytes 5000000-5242879/5242880"
cu -r -1000 "$U/big.bin"; tail -c 1000 "$BIG" >"$tmp/want"; expect range-suffix 206 "$tmp/want"
check_hv range-suffix-content-range Content-Range "bytes 5241880-5242879/5242880"
cu -r -9999999 "$U/big.bin"; expect range-suffix-longer-than-file 206 "$BIG"
cu -r 1000-99999999 "$U/big.bin"; tail -c +1001 "$BIG" >"$tmp/want"; expect range-past-end-clipped 206 "$tmp/want"
check_hv range-past-end-content-range Content-Range "bytes 1000-5242879/5242880"
cu -r 5242879-5242879 "$U/big.bin"; tail -c 1 "$BIG" >"$tmp/want"; expect range-last-byte 206 "$tmp/want"
cu -r 6000000- "$U/big.bin"; expect range-beyond-end 416
check_hv range-beyond-end-content-range Content-Range "bytes */5242880"
check_log range-416-logged "upd serve: GET /big.bin 416 range=bytes=6000000-"
cu -r 5242880- "$U/big.bin"; expect range-at-end 416
cu -r 0- "$U/empty"; expect range-empty-file 416
check_hv range-empty-content-range Content-Range "bytes */0"
cu -r 0-1,5-6 "$U/big.bin"; expect range-multi-whole-file 200 "$BIG"
cu -H 'Range: bytes=9-3' "$U/big.bin"; expect range-invalid-ignored 200 "$BIG"
cu -H 'Range: lines=1-2' "$U/small.txt"; expect range-other-unit-ignored 200 "$www/small.txt"
cu -I -r 0-1 "$U/big.bin"; expect range-head-ignored 200
BETAG=$(py_etag "$BIG") BLM=$(py_mtime "$BIG")
cu -r 100-199 -H "If-Range: $BETAG" "$U/big.bin"; head -c 200 "$BIG" | tail -c 100 >"$tmp/want"
expect if-range-etag-match 206 "$tmp/want"
cu -r 100-199 -H 'If-Range: "other"' "$U/big.bin"; expect if-range-etag-differs 200 "$BIG"
cu -r 100-199 -H "If-Range: W/$BETAG" "$U/big.bin"; expect if-range-weak-etag 200 "$BIG"
cu -r 100-199 -H "If-Range: $BLM" "$U/big.bin"; expect if-range-date-match 206 "$tmp/want"
cu -r 100-199 -H 'If-Range: Sat, 01 Jan 2000 00:00:00 GMT' "$U/big.bin"; expect if-range-date-differs 200 "$BIG"
cu -r 6000000- -H 'If-Range: "other"' "$U/big.bin"; expect if-range-differs-beats-416 200 "$BIG"

# ---- conditional requests ----
cu -H "If-None-Match: $ETAG" "$U/small.txt"; expect inm-match 304
check_eq inm-no-body "$(body_size)" 0
check_hv inm-etag ETag "$ETAG"
cu -H 'If-None-Match: *' "$U/small.txt"; expect inm-star 304
cu -H "If-None-Match: W/$ETAG" "$U/small.txt"; expect inm-weak 304
cu -H "If-None-Match: \"x\", $ETAG" "$U/small.txt"; expect inm-list 304
cu -H 'If-None-Match: "x"' -H "If-None-Match: $ETAG" "$U/small.txt"; expect inm-two-lines 304
cu -H 'If-None-Match: "x"' "$U/small.txt"; expect inm-differs 200 "$www/small.txt"
cu -H 'If-None-Match: "x"' -H "If-Modified-Since: $LM" "$U/small.txt"; expect inm-beats-ims 200 "$www/small.txt"
cu -H "If-Modified-Since: $LM" "$U/small.txt"; expect ims-equal 304
check_eq ims-no-body "$(body_size)" 0
cu -H 'If-Modified-Since: Fri, 31 Dec 2999 23:59:59 GMT' "$U/small.txt"; expect ims-later 304
cu -H 'If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT' "$U/small.txt"; expect ims-earlier 200 "$www/small.txt"
cu -H 'If-Modified-Since: yesterday' "$U/small.txt"; expect ims-invalid-ignored 200 "$www/small.txt"
# the obsolete forms (RFC 9110 5.6.7) of the same instant
RFC850=$("$PY" -c 'import sys, time, email.utils
t = email.utils.parsedate_to_datetime(sys.argv[1])
print(t.strftime("%A, %d-%b-%y %H:%M:%S GMT"))' "$LM")
ASCT=$("$PY" -c 'import sys, email.utils
t = email.utils.parsedate_to_datetime(sys.argv[1])
print(t.strftime("%a %b ") + ("%2d" % t.day) + t.strftime(" %H:%M:%S %Y"))' "$LM")
cu -H "If-Modified-Since: $RFC850" "$U/small.txt"; expect ims-rfc850 304
cu -H "If-Modified-Since: $ASCT" "$U/small.txt"; expect ims-asctime 304
cu -I -H "If-None-Match: $ETAG" "$U/small.txt"; expect inm-head 304

# ---- keep-alive and HTTP/1.0 ----
timeout 30 curl -sv --max-time 20 -o /dev/null -o /dev/null "$U/small.txt" "$U/big.bin" 2>"$tmp/v"
if grep -qi 're-using existing connection' "$tmp/v"; then pass; else fail keep-alive-curl "curl did not reuse the connection"; fi
raw 'GET /small.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /empty HTTP/1.1\r\nHost: x\r\n\r\nGET /small.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >"$tmp/r"; rc=$?
check_eq pipelined "$rc/$(grep -c '^HTTP/1.1 200 OK' "$tmp/r")/$(grep -c '^small file$' "$tmp/r")" 0/3/2
check_eq pipelined-close "$(grep -ci '^Connection: close' "$tmp/r")" 1
cu --http1.0 "$U/small.txt"; expect http10-curl 200 "$www/small.txt"
check_hv http10-connection-close Connection close
raw 'GET /small.txt HTTP/1.0\r\n\r\n' >"$tmp/r"; rc=$?
check_eq http10-closes "$rc/$(head -n 1 "$tmp/r" | tr -d '\r')/$(tail -c 11 "$tmp/r")" "0/HTTP/1.1 200 OK/small file"
raw '\r\nGET /small.txt HTTP/1.1\nHost: x\nConnection: close\n\n' >"$tmp/r"
check_eq bare-lf-and-leading-crlf "$(head -n 1 "$tmp/r" | tr -d '\r')" "HTTP/1.1 200 OK"
raw 'GET http://127.0.0.1/small.txt?x=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >"$tmp/r"
check_eq absolute-form-and-query "$(head -n 1 "$tmp/r" | tr -d '\r')/$(tail -c 11 "$tmp/r")" "HTTP/1.1 200 OK/small file"

# ---- errors ----
cu "$U/missing"; expect 404-missing 404
check_log log-404 "upd serve: GET /missing 404"
cu "$U/small.txt/"; expect 404-file-with-slash 404
cu --path-as-is "$U/small.txt/."; expect 404-file-with-slash-dot 404
cu "$U/noindex/"; expect 404-dir-without-index 404
cu "$U/sub"; expect dir-redirect 301
check_hv dir-redirect-location Location /sub/
cu "$U/sub/"; expect dir-index 200 "$www/sub/index.html"
cu "$U/./sub//index.html"; expect dot-and-double-slash 200 "$www/sub/index.html"
cu -d 'x=1' "$U/small.txt"; expect post-405 405
check_hv post-405-allow Allow "GET, HEAD"
check_log log-405 "upd serve: POST /small.txt 405"
cat >"$tmp/errors" <<'EOF'
delete-405 405 DELETE /small.txt HTTP/1.1\r\nHost: x\r\n\r\n
options-405 405 OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n
unknown-method-501 501 BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n
lowercase-method-501 501 get /small.txt HTTP/1.1\r\nHost: x\r\n\r\n
garbage-400 400 hello\r\n\r\n
http09-400 400 GET /small.txt\r\n\r\n
double-space-400 400 GET  /small.txt HTTP/1.1\r\nHost: x\r\n\r\n
http11-without-host-400 400 GET /small.txt HTTP/1.1\r\n\r\n
two-hosts-400 400 GET /small.txt HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n
http2-505 505 GET /small.txt HTTP/2.0\r\nHost: x\r\n\r\n
obs-fold-400 400 GET /small.txt HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n
space-before-colon-400 400 GET /small.txt HTTP/1.1\r\nHost : x\r\n\r\n
nul-in-field-400 400 GET /small.txt HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n
bare-cr-400 400 GET /small.txt HTTP/1.1\r\nHost: x\rX: y\r\n\r\n
control-in-target-400 400 GET /small\x01.txt HTTP/1.1\r\nHost: x\r\n\r\n
bad-percent-400 400 GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n
short-percent-400 400 GET /small.txt% HTTP/1.1\r\nHost: x\r\n\r\n
head-404 404 HEAD /missing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n
get-with-body-200 200 GET /small.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc
EOF
batch "$tmp/errors"
if [ -p "$www/fifo" ]; then
    cu "$U/fifo"; expect fifo-404 404
fi
# unreadable: 403 (as root, from a second server running as nobody)
if [ "$(id -u)" != 0 ]; then
    printf 'secret\n' >"$www/unreadable"; chmod 000 "$www/unreadable"
    cu "$U/unreadable"; expect unreadable-403 403
elif have setpriv && setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$UPD" 2>/dev/null; then
    pub=$tmp/pub
    mkdir -p "$pub/locked"
    chmod 755 "$tmp"; chmod 777 "$pub"; chmod 700 "$pub/locked"
    printf 'ok\n' >"$pub/ok.txt"; printf 'secret\n' >"$pub/unreadable"; chmod 600 "$pub/unreadable"
    setpriv --reuid=65534 --regid=65534 --clear-groups "$UPD" serve -p 0 --port-file "$pub/port" "$pub" 2>"$tmp/log-nobody" &
    SN=$!
    pids="$pids $SN"
    if wait_file "$pub/port"; then
        PN=$(cat "$pub/port")
        cu "http://127.0.0.1:$PN/ok.txt"; expect readable-as-nobody 200 "$pub/ok.txt"
        cu "http://127.0.0.1:$PN/unreadable"; expect unreadable-403 403
        cu "http://127.0.0.1:$PN/locked/x"; expect unreadable-dir-403 403
    else
        fail unreadable-server "the server as nobody did not start: $(tail -n 3 "$tmp/log-nobody")"
    fi
    kill "$SN" 2>/dev/null
else
    skip unreadable-403 "running as root without setpriv: every file is readable"
fi

# ---- path traversal: the sentinel outside DIR never comes back ----
: >"$tmp/trav"
for t in '/../outside/secret.txt' '/%2e%2e/outside/secret.txt' '/%2E%2E%2Foutside%2Fsecret.txt' \
         '/sub/..%2f..%2f..%2foutside/secret.txt' '/sub/../../outside/secret.txt' '/..%5coutside%5csecret.txt' \
         '/..\\outside\\secret.txt' "$out/secret.txt" "/$out/secret.txt" '/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc/passwd' \
         'http://127.0.0.1/../outside/secret.txt' '../outside/secret.txt' '/small.txt%00' '/%00' \
         '/abs-link' '/rel-link' '/dir-link/secret.txt' '/dir-link/' '/inside-link' '/sub/%2e%2e/rel-link'; do
    printf 'traversal:%s 4xx GET %s HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n\n' "$t" "$t" >>"$tmp/trav"
done
batch "$tmp/trav"
for t in '/../outside/secret.txt' '/%2e%2e/outside/secret.txt' '/sub/..%2F..%2Foutside%2Fsecret.txt'; do
    cu --path-as-is "$U$t"; cat "$tmp/b" >>"$tmp/trav-all" 2>/dev/null
    case $(status_of "$tmp/h") in 4[0-9][0-9]) pass ;; *) fail "traversal curl $t" "status $(status_of "$tmp/h")" ;; esac
done
cu "$U/abs-link"; expect symlink-out-403 403
cu "$U/inside-link"; expect symlink-in-403 403
cat "$tmp/trav.resp" >>"$tmp/trav-all"
if grep -qF "$SENTINEL" "$tmp/trav-all"; then fail traversal-sentinel "the file outside DIR was served"; else pass; fi
check_eq traversal-log "$(grep -c "$SENTINEL" "$tmp/log")" 0

# ---- oversized heads ----
long=$(head -c 10000 /dev/zero | tr '\0' a)
raw "GET /small.txt HTTP/1.1\\r\\nHost: x\\r\\nX-Big: $long\\r\\n\\r\\n" >"$tmp/r"; rc=$?
check_eq header-too-large "$rc/$(status_of "$tmp/r")" 0/431
raw "GET /$long HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n" >"$tmp/r"; rc=$?
check_eq uri-too-long "$rc/$(status_of "$tmp/r")" 0/414
many=$(i=0; while [ $i -lt 150 ]; do printf 'X-%d: y\\r\\n' $i; i=$((i + 1)); done)
raw "GET /small.txt HTTP/1.1\\r\\nHost: x\\r\\n$many\\r\\n" >"$tmp/r"
check_eq too-many-fields "$(status_of "$tmp/r")" 431
cu "$U/small.txt"; expect alive-after-oversized 200 "$www/small.txt"

# ---- a silent client and a stalled one do not hold up a download ----
"$PY" "$tmp/raw.py" "$P" '' --hold 15 & idle1=$!
"$PY" "$tmp/raw.py" "$P" 'GET /big.bin HTTP/1.1\r\nHost: x\r\n' --hold 15 & idle2=$!
"$PY" "$tmp/raw.py" "$P" 'GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n' --hold 15 & idle3=$!   # reads nothing
pids="$pids $idle1 $idle2 $idle3"
sleep 0.5
start=$(date +%s)
cu "$U/big.bin"; expect download-beside-silent-clients 200 "$BIG"
check download-beside-silent-clients-fast test $(($(date +%s) - start)) -lt 10

# ---- upd fetch --resume ----
rm -f "$tmp/res" "$tmp/res.part"
head -c 1234567 "$BIG" >"$tmp/res.part"
timeout 60 "$UPD" fetch --resume -o "$tmp/res" "$U/big.bin" 2>"$tmp/fetch.err"; rc=$?
check_eq fetch-resume "$rc/$(cmp "$tmp/res" "$BIG" 2>&1)" 0/
check_log fetch-resume-206 "upd serve: GET /big.bin 206 range=bytes=1234567-"
rm -f "$tmp/res" "$tmp/res.part"
head -c 6000000 /dev/zero >"$tmp/res.part"        # longer than the file: 416, then all again
timeout 60 "$UPD" fetch --resume -o "$tmp/res" "$U/big.bin" 2>"$tmp/fetch.err"; rc=$?
check_eq fetch-resume-too-long "$rc/$(cmp "$tmp/res" "$BIG" 2>&1)" 0/
check_log fetch-resume-416 "upd serve: GET /big.bin 416 range=bytes=6000000-"
# a download cut short by the client, then resumed
rm -f "$tmp/res" "$tmp/res.part"
timeout 30 curl -sS --max-time 20 "$U/big.bin" 2>/dev/null | head -c 3000000 >"$tmp/res.part"
check_eq cut-short-part "$(size "$tmp/res.part")" 3000000
timeout 60 "$UPD" fetch --resume -o "$tmp/res" "$U/big.bin" 2>"$tmp/fetch.err"; rc=$?
check_eq fetch-resume-after-cut "$rc/$(cmp "$tmp/res" "$BIG" 2>&1)" 0/

# ---- clients that leave mid-download ----
for i in 1 2 3; do
    timeout 20 "$PY" "$tmp/raw.py" "$P" 'GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n' --abort 100000
done
timeout 20 "$PY" "$tmp/raw.py" "$P" 'GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n' --abort 0
check server-alive-after-resets kill -0 "$SP"
cu "$U/big.bin"; expect download-after-resets 200 "$BIG"

# ---- IPv6, SIGINT ----
"$UPD" serve -b ::1 -p 0 --port-file "$tmp/port6" "$www" 2>"$tmp/log6" &
S6=$!
pids="$pids $S6"
if wait_file "$tmp/port6"; then
    P6=$(cat "$tmp/port6")
    check_eq banner-ipv6 "$(head -n 1 "$tmp/log6")" "upd serve: http://[::1]:$P6/ serving $www"
    cu -g "http://[::1]:$P6/small.txt"; expect ipv6 200 "$www/small.txt"
    kill -INT "$S6"; wait_exit "$S6" 10; rc=$?
    check_eq sigint-exit-0 "$rc" 0
else
    skip ipv6 "cannot listen on ::1: $(tail -n 1 "$tmp/log6")"
fi

# ---- the log is clean, SIGTERM ends the server with status 0 ----
if grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' "$tmp/log"; then
    fail sanitizers "$(grep -m 3 -E 'ERROR|runtime error' "$tmp/log")"
else pass; fi
"$PY" "$tmp/raw.py" "$P" '' --hold 30 & idle4=$!         # an open connection does not delay the exit
pids="$pids $idle4"
sleep 0.3
start=$(date +%s)
kill -TERM "$SP"; wait_exit "$SP" 10; rc=$?
check_eq sigterm-exit-0 "$rc" 0
check sigterm-fast test $(($(date +%s) - start)) -lt 5
check_eq sigterm-stopped-line "$(tail -n 1 "$tmp/log")" "upd serve: stopped"
timeout 10 curl -s --max-time 5 -o /dev/null "$U/small.txt"; rc=$?
check sigterm-port-closed test "$rc" != 0

summary
