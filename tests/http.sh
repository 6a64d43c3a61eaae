#!/bin/sh
# The HTTP client (updater.h section 10) through `upd fetch`, against real
# servers - nginx, busybox httpd, python3 http.server, tinyproxy - and
# against tests/http_fault.py for what real servers won't do (broken
# framing, endless or stalled bodies, oversized headers, hostile redirects,
# wrong ranges). Every server listens on a free port on 127.0.0.1 (the
# fault server on 127.0.0.2 too) and is stopped on exit. Every command runs
# under `timeout`: a fault must end in its own error message, in bounded
# time.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
B=${B:-build}
UPD=${UPD:-$B/asan/upd}
case $UPD in /*) ;; *) UPD=$PWD/$UPD ;; esac
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi
PATH=$PATH:/usr/sbin:/sbin
tmp=$(mktemp -d)
pids=""
stop_all() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    for p in $pids; do wait "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap stop_all EXIT
trap 'exit 1' INT TERM HUP

# ---- helpers ----
free_port() {
    $PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# wait_port PORT: until something accepts connections there (10 s at most)
wait_port() {
    $PY - "$1" <<'EOF'
import socket, sys, time
for _ in range(200):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.5).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
EOF
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
# the lines of a message that matter (a sanitizer report is long)
short() {
    printf '%s\n' "$1" | grep -m 4 -E '^upd: |ERROR: |runtime error|#[0-2] ' | tr '\n' ' ' | cut -c 1-500
    printf '%s\n' "$1" | grep -q -E '^upd: |ERROR: |runtime error' || printf '%s' "$1" | head -c 300
}
size() { wc -c <"$1" | tr -d ' '; }
out=$tmp/out
clean() { rm -f "$out" "$out.part"; }

# fetch_ok NAME WANT-SHA256 ARGS...: exit 0, OUT has that SHA-256, no OUT.part left
fetch_ok() {
    n=$1 want=$2; shift 2
    msg=$(timeout 60 "$UPD" fetch -o "$out" "$@" 2>&1); rc=$?
    if [ "$rc" != 0 ]; then fail "$n" "exit $rc: $(short "$msg")"
    elif [ ! -f "$out" ]; then fail "$n" "no output file"
    elif [ "$(sha "$out")" != "$want" ]; then fail "$n" "SHA-256 differs ($(size "$out") bytes)"
    elif [ -e "$out.part" ]; then fail "$n" "$out.part left behind"
    else pass; fi
}
# fetch_err NAME MESSAGE SECONDS ARGS...: exit 1 within SECONDS with
# "upd: ...MESSAGE..." on stderr and no OUT (-o OUT is added)
fetch_err() {
    n=$1 want=$2 secs=$3; shift 3
    msg=$(timeout "$secs" "$UPD" fetch -o "$out" "$@" 2>&1 >/dev/null); rc=$?
    if [ "$rc" = 124 ]; then fail "$n" "no answer within $secs s (killed): $*"
    elif [ "$rc" != 1 ]; then fail "$n" "exit $rc, want 1; message [$(short "$msg")]"
    elif ! printf '%s\n' "$msg" | grep -q '^upd: '; then fail "$n" "message [$(short "$msg")] does not start with 'upd: '"
    elif ! printf '%s' "$msg" | grep -qF -- "$want"; then fail "$n" "message [$msg], want [$want]"
    elif [ -e "$out" ]; then fail "$n" "$out exists after a failure"
    else pass; fi
}

if [ ! -x "$UPD" ]; then fail http-build "$UPD is not built (make $UPD)"; summary; exit 1; fi

# ---- data ----
www=$tmp/www
mkdir -p "$www"
head -c 5242880 /dev/urandom >"$www/big.bin"
printf 'small file\n' >"$www/small.txt"
BIG=$(sha "$www/big.bin")
SMALL=$(sha "$www/small.txt")
head -c 2097152 "$www/big.bin" >"$tmp/prefix"     # the first 2 MB
head -c 2097152 /dev/zero >"$tmp/zeros"           # 2 MB that are not a prefix
head -c 6291456 /dev/urandom >"$tmp/toolong"      # longer than the file

# ---- servers ----
# the fault server: prints "port N" once listening
$PY tests/http_fault.py --dir "$www" 0 >"$tmp/fault.port" 2>"$tmp/fault.log" &
pids="$pids $!"
i=0
while [ "$i" -lt 100 ] && ! grep -q '^port ' "$tmp/fault.port" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
FP=$(sed -n 's/^port //p' "$tmp/fault.port")
if [ -z "$FP" ]; then
    fail fault-server "tests/http_fault.py did not start: $(tail -n 5 "$tmp/fault.log")"
    summary; exit 1
fi
F=http://127.0.0.1:$FP

# the 1-byte-every-1.5-s server runs in the background for the whole suite:
# it must fail on the low-speed limit (1 byte/s over 60 s) that upd fetch sets
slow_start=$(date +%s)
timeout 85 "$UPD" fetch -o "$tmp/slow" "$F/slow/1500" >/dev/null 2>"$tmp/slow.err" &
slow_pid=$!
pids="$pids $slow_pid"

NP="" BP="" PP="" TP=""
if have nginx; then
    NP=$(free_port)
    mkdir -p "$tmp/nginx"
    {
        nginx_conf_head "$tmp/nginx"
        echo "    server {"
        echo "        listen 127.0.0.1:$NP;"
        echo "        root $www;"
        echo "        location = /r302 { return 302 /big.bin; }"
        echo "        location = /r301 { return 301 /r307; }"
        echo "        location = /r307 { return 307 /r308; }"
        echo "        location = /r308 { return 308 http://127.0.0.1:$NP/big.bin; }"
        echo "        location = /loop { return 302 /loop; }"
        echo "        location = /to-file { return 302 file:///etc/passwd; }"
        echo "    }"
        echo "}"
    } >"$tmp/nginx/nginx.conf"
    nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" 2>>"$tmp/nginx/error.log" &
    pids="$pids $!"
    if ! wait_port "$NP"; then
        fail nginx-start "nginx did not start: $(tail -n 5 "$tmp/nginx/error.log")"
        NP=""
    fi
else
    skip nginx "nginx is not installed (apt-get install nginx-light)"
fi

if have busybox && busybox --list 2>/dev/null | grep -qx httpd; then
    BP=$(free_port)
    busybox httpd -f -p "127.0.0.1:$BP" -h "$www" 2>"$tmp/busybox.log" &
    pids="$pids $!"
    wait_port "$BP" || { fail busybox-start "busybox httpd did not start"; BP=""; }
else
    skip busybox-httpd "busybox (with httpd) is not installed"
fi

PP=$(free_port)
$PY -m http.server --bind 127.0.0.1 --directory "$www" "$PP" >"$tmp/pyhttp.log" 2>&1 &
pids="$pids $!"
wait_port "$PP" || { fail python-http-start "python3 -m http.server did not start"; PP=""; }

if have tinyproxy; then
    TP=$(free_port)
    mkdir -p "$tmp/tinyproxy"
    cat >"$tmp/tinyproxy/tinyproxy.conf" <<EOF
Port $TP
Listen 127.0.0.1
Timeout 30
MaxClients 20
Allow 127.0.0.1
LogFile "$tmp/tinyproxy/tinyproxy.log"
LogLevel Info
PidFile "$tmp/tinyproxy/tinyproxy.pid"
EOF
    tinyproxy -d -c "$tmp/tinyproxy/tinyproxy.conf" >"$tmp/tinyproxy/stdout" 2>&1 &
    pids="$pids $!"
    wait_port "$TP" || { fail tinyproxy-start "tinyproxy did not start: $(tail -n 5 "$tmp/tinyproxy/stdout")"; TP=""; }
else
    skip tinyproxy "tinyproxy is not installed (apt-get install tinyproxy)"
fi

# ---- downloads of a 5 MB random file, compared by SHA-256 ----
clean; fetch_ok fault-content-length "$BIG" "$F/file/big.bin"
clean; fetch_ok fault-close-delimited "$BIG" "$F/close/big.bin"
clean; fetch_ok fault-chunked "$BIG" "$F/chunked/big.bin"
clean; fetch_ok file-url "$BIG" "file://$www/big.bin"
[ -n "$NP" ] && { clean; fetch_ok nginx "$BIG" "http://127.0.0.1:$NP/big.bin"; }
[ -n "$BP" ] && { clean; fetch_ok busybox-httpd "$BIG" "http://127.0.0.1:$BP/big.bin"; }
[ -n "$PP" ] && { clean; fetch_ok python-http-server "$BIG" "http://127.0.0.1:$PP/big.bin"; }
got=$(timeout 60 "$UPD" fetch "$F/chunked/big.bin" | sha256sum | cut -d' ' -f1)
check_eq fetch-to-stdout "$got" "$BIG"
if ! have curl; then
    skip curl-agrees "curl is not installed"
elif [ -n "$NP" ]; then
    got=$(timeout 60 curl -sS "http://127.0.0.1:$NP/big.bin" | sha256sum | cut -d' ' -f1)
    check_eq curl-agrees "$got" "$BIG"
fi

# ---- resume ----
if [ -n "$NP" ]; then
    clean; cp "$tmp/prefix" "$out.part"
    fetch_ok nginx-resume "$BIG" --resume "http://127.0.0.1:$NP/big.bin"
    last=$(tail -n 1 "$tmp/nginx/access.log")
    case $last in *'" 206 3145728 '*) pass ;; *) fail nginx-resume-206 "not a 206 of 3 MB: $last" ;; esac
    clean; cp "$tmp/toolong" "$out.part"
    fetch_ok nginx-resume-416-restarts "$BIG" --resume "http://127.0.0.1:$NP/big.bin"
    clean; cp "$tmp/prefix" "$out.part"
    fetch_ok nginx-resume-through-redirect "$BIG" --resume "http://127.0.0.1:$NP/r302"
fi
if [ -n "$PP" ]; then
    # http.server ignores Range: a 200, so the .part (not even a prefix) is dropped
    clean; cp "$tmp/zeros" "$out.part"
    fetch_ok python-resume-200-restarts "$BIG" --resume "http://127.0.0.1:$PP/big.bin"
fi
if [ -n "$BP" ]; then
    clean; cp "$tmp/prefix" "$out.part"
    fetch_ok busybox-resume "$BIG" --resume "http://127.0.0.1:$BP/big.bin"
fi
clean; cp "$tmp/prefix" "$out.part"
fetch_ok fault-resume-206 "$BIG" --resume "$F/file/big.bin"
clean; cp "$tmp/zeros" "$out.part"
fetch_ok fault-resume-200-restarts "$BIG" --resume "$F/range-200/big.bin"
clean; cp "$tmp/prefix" "$out.part"
fetch_ok fault-resume-416-restarts "$BIG" --resume "$F/range-416/big.bin"
clean; cp "$tmp/toolong" "$out.part"
fetch_ok fault-resume-part-too-long "$BIG" --resume "$F/file/big.bin"
clean; cp "$tmp/prefix" "$out.part"
fetch_err fault-range-wrong-start "wrong range" 20 --resume "$F/range-wrong/big.bin"
clean; cp "$tmp/prefix" "$out.part"
fetch_err fault-range-not-to-the-end "wrong range" 20 --resume "$F/range-short/big.bin"
clean; cp "$tmp/prefix" "$out.part"
fetch_ok file-url-resume "$BIG" --resume "file://$www/big.bin"
clean; fetch_ok resume-without-part "$SMALL" --resume "$F/file/small.txt"
# a failed download leaves its .part for --resume
clean; fetch_err truncated-body "closed before the end of the body" 20 "$F/truncated"
check_eq truncated-part-kept "$(size "$out.part" 2>/dev/null)" 500

# ---- --sha256 and --max-size ----
clean
fetch_err sha256-mismatch "SHA-256 is $BIG" 20 --sha256 "$SMALL" "$F/file/big.bin"
check sha256-mismatch-no-part test ! -e "$out.part"
clean; fetch_ok sha256-match "$BIG" --sha256 "$BIG" "$F/file/big.bin"
clean; fetch_err max-size-announced "larger than 1000000" 20 --max-size 1000000 "$F/file/big.bin"
clean; fetch_err max-size-close-delimited "larger than 1000000" 20 --max-size 1000000 "$F/close/big.bin"
check max-size-close-delimited-part test "$(size "$out.part")" -le 1000000
clean; fetch_ok max-size-exact "$BIG" --max-size 5242880 "$F/chunked/big.bin"
clean; fetch_err endless-chunked "larger than 3000000" 20 --max-size 3000000 "$F/endless-chunked"
check endless-chunked-part-bounded test "$(size "$out.part")" -le 3000000
clean; fetch_err endless-close "larger than 3000000" 20 --max-size 3000000 "$F/endless-close"
check endless-close-part-bounded test "$(size "$out.part")" -le 3000000

# ---- status codes, names, schemes ----
[ -n "$NP" ] && { clean; fetch_err nginx-404 "HTTP 404 for http://127.0.0.1:$NP/nope" 20 "http://127.0.0.1:$NP/nope"; }
clean; fetch_err fault-404 "HTTP 404" 20 "$F/nope"
clean; fetch_err fault-503 "HTTP 503" 20 "$F/retry"
DEAD=$(free_port)
clean; fetch_err connection-refused "cannot connect to 127.0.0.1:$DEAD" 20 "http://127.0.0.1:$DEAD/x"
clean; fetch_err unresolvable "cannot resolve no-such-host.invalid" 20 "http://no-such-host.invalid/x"
clean; fetch_err https-without-tls "built without TLS" 20 "https://127.0.0.1:$FP/file/small.txt"
clean; fetch_err file-url-missing "$www/missing" 20 "file://$www/missing"
clean; fetch_err ftp-url "not an http, https or file URL" 20 "ftp://127.0.0.1/x"
clean; fetch_ok file-url-small "$SMALL" "file://$www/small.txt"

# ---- redirects ----
if [ -n "$NP" ]; then
    clean; fetch_ok nginx-302 "$BIG" "http://127.0.0.1:$NP/r302"
    clean; fetch_ok nginx-301-307-308 "$BIG" "http://127.0.0.1:$NP/r301"
    clean; fetch_err nginx-loop "too many redirects" 20 "http://127.0.0.1:$NP/loop"
    clean; fetch_err nginx-to-file "refused" 20 "http://127.0.0.1:$NP/to-file"
fi
clean; fetch_ok five-redirects "$SMALL" "$F/redirect/5/small.txt"
clean; fetch_err six-redirects "too many redirects" 20 "$F/redirect/6/small.txt"
clean; fetch_err redirect-loop "too many redirects" 20 "$F/loop"
clean; fetch_err redirect-to-file "refused" 20 "$F/to-file"
clean; fetch_err redirect-to-ftp "refused" 20 "$F/to-ftp"
clean; fetch_err redirect-to-userinfo "refused" 20 "$F/to-userinfo"

# ---- Basic auth from the URL: kept on the same host, dropped for another ----
AUTH="Basic dXNlcjpwYXNz"
clean; fetch_err auth-missing "HTTP 401" 20 "$F/auth"
clean; fetch_err auth-wrong "HTTP 401" 20 "http://user:nope@127.0.0.1:$FP/auth"
clean; fetch_ok auth-right "$(printf 'authorized\n' | sha256sum | cut -d' ' -f1)" "http://user:pass@127.0.0.1:$FP/auth"
clean; timeout 20 "$UPD" fetch -o "$out" "http://user:pass@127.0.0.1:$FP/auth-to-same-abs" 2>/dev/null
check_eq auth-kept-same-host "$(cat "$out" 2>/dev/null)" "$AUTH"
clean; msg=$(timeout 20 "$UPD" fetch -o "$out" "http://user:pass@127.0.0.1:$FP/auth-to-same" 2>&1)
check_eq auth-kept-same-host-relative "$(cat "$out" 2>/dev/null)$msg" "$AUTH"
clean; timeout 20 "$UPD" fetch -o "$out" "http://user:pass@127.0.0.1:$FP/auth-to-other" 2>/dev/null
check_eq auth-dropped-other-host "$(cat "$out" 2>/dev/null)" "none"
got=$(grep -c '^127\.0\.0\.2 GET /report-auth \[Authorization' "$tmp/fault.log")
check_eq auth-dropped-other-host-log "$got" 0

# ---- proxies ----
if [ -n "$TP" ] && [ -n "$NP" ]; then
    U=http://127.0.0.1:$NP/big.bin
    before=$(grep -c "GET http://127.0.0.1:$NP/big.bin" "$tmp/tinyproxy/tinyproxy.log")
    clean; http_proxy=http://127.0.0.1:$TP no_proxy= NO_PROXY= fetch_ok via-tinyproxy "$BIG" "$U"
    after=$(grep -c "GET http://127.0.0.1:$NP/big.bin" "$tmp/tinyproxy/tinyproxy.log")
    check_eq via-tinyproxy-logged "$after" $((before + 1))
    clean; http_proxy=127.0.0.1:$TP no_proxy= NO_PROXY= fetch_ok via-tinyproxy-no-scheme "$BIG" "$U"
    clean; cp "$tmp/prefix" "$out.part"
    http_proxy=http://127.0.0.1:$TP no_proxy= NO_PROXY= fetch_ok via-tinyproxy-resume "$BIG" --resume "$U"
    before=$(grep -c "GET http://127.0.0.1:$NP/" "$tmp/tinyproxy/tinyproxy.log")
    clean; http_proxy=http://127.0.0.1:$TP no_proxy=example.org,127.0.0.1 fetch_ok no-proxy-direct "$BIG" "$U"
    after=$(grep -c "GET http://127.0.0.1:$NP/" "$tmp/tinyproxy/tinyproxy.log")
    check_eq no-proxy-not-logged "$after" "$before"
    clean; http_proxy=http://127.0.0.1:$TP no_proxy= NO_PROXY= fetch_err via-tinyproxy-404 "HTTP 404" 20 \
        "http://127.0.0.1:$NP/nope"
else
    skip proxy "tinyproxy or nginx is missing"
fi
# a proxy that is not there: used unless no_proxy names the host
clean; http_proxy=http://127.0.0.1:$DEAD no_proxy= NO_PROXY= fetch_err dead-proxy "cannot connect to 127.0.0.1:$DEAD" 20 "$F/file/small.txt"
clean; http_proxy=http://127.0.0.1:$DEAD no_proxy=127.0.0.1 fetch_ok dead-proxy-no-proxy "$SMALL" "$F/file/small.txt"
clean; http_proxy=http://127.0.0.1:$DEAD NO_PROXY='*' fetch_ok dead-proxy-no-proxy-star "$SMALL" "$F/file/small.txt"
clean; http_proxy=http://127.0.0.1:$DEAD no_proxy="localhost, 127.0.0.1" fetch_ok dead-proxy-no-proxy-list "$SMALL" "$F/file/small.txt"
# an IP address is matched exactly, never as a domain suffix (as curl does)
clean; http_proxy=http://127.0.0.1:$DEAD no_proxy=0.0.1 fetch_err dead-proxy-no-proxy-ip-suffix "cannot connect to 127.0.0.1:$DEAD" 20 "$F/file/small.txt"
clean; http_proxy=https://127.0.0.1:$DEAD no_proxy= NO_PROXY= fetch_err https-proxy "bad proxy" 20 "$F/file/small.txt"

# ---- what real servers won't do: each its own error, in bounded time ----
clean; fetch_ok body-longer-than-length "$(head -c 1000 /dev/zero | tr '\0' a | sha256sum | cut -d' ' -f1)" "$F/longer"
clean; fetch_err bad-chunk-size "malformed chunk size" 20 "$F/bad-chunk-size"
clean; fetch_err huge-chunk-size "chunk size too large" 20 "$F/huge-chunk"
clean; fetch_err chunk-without-crlf "chunk data longer than its size" 20 "$F/chunk-no-crlf"
clean; fetch_err length-and-chunked "both Content-Length and Transfer-Encoding" 20 "$F/smuggle"
clean; fetch_err two-lengths "conflicting Content-Lengths" 20 "$F/two-lengths"
clean; fetch_err header-100k "header section too large" 20 "$F/header-100k"
clean; fetch_err headers-1000 "too many header fields" 20 "$F/headers-1000"
clean; fetch_err header-overrun "header section too large" 20 "$F/header-overrun"
clean; fetch_err garbage-status "malformed status line" 20 "$F/garbage"
clean; fetch_err nul-in-header "NUL or bare CR" 20 "$F/nul-header"
clean; fetch_err closed-without-response "without a response" 20 "$F/close-now"
clean; fetch_err silent-server "timed out after 2 s" 20 --timeout 2 "$F/silent"
clean; fetch_err endless-interim-responses "upd: " 10 --timeout 2 --max-size 1000000 "$F/endless-100"

# ---- the slow server, started at the beginning ----
wait "$slow_pid"; rc=$?
secs=$(($(date +%s) - slow_start))
msg=$(cat "$tmp/slow.err")
if [ "$rc" = 1 ] && printf '%s' "$msg" | grep -qF "slower than 1 bytes/s for 60 s"; then pass
else fail slow-server "exit $rc after $secs s, message [$msg]"; fi
check slow-server-no-output test ! -e "$tmp/slow"

summary
