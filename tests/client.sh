#!/bin/sh
# The client (updater.h section 12) end to end: examples/hello updating
# itself from repos made with `upd publish` (and with the real minisign),
# served by a real nginx on a free port on 127.0.0.1 whose access log (status,
# Range, If-Range, If-None-Match, body bytes) shows what each run asked for.
#   1. update, incremental packages and their fallback to the full one,
#      rollback of a crashing release, the conditional check (one 304);
#   2. resumed downloads (the server stopped, the client SIGKILLed, the
#      file changed under If-Range);
#   3. rejections (signature, key, @serial, @expires, downgrade, app,
#      digest, size, missing .minisig), each leaving the install as it was;
#   4. the background API through tests/client_app.c (built here with ASan
#      and UBSan): check_async, download_async + cancel + resume, watch,
#      BUSY, confirm();
#   5. mirrors.
# hello and client_app are built here with ASan+UBSan against
# examples/hello/updater.c (compiled once). Every command runs under
# `timeout`; servers and temp dirs go away on exit.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
B=${B:-build}
UPD=${UPD:-$B/asan/upd}
case $UPD in /*) ;; *) UPD=$PWD/$UPD ;; esac
CC=${CC:-cc}
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi
PATH=$PATH:/usr/sbin:/sbin
SAN="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -pthread"
export HELLO_TRIALS=2
t_start=$(date +%s)
tmp=$(mktemp -d)
NGX="" FLT="" bgpids=""
cleanup() { # (timeout passes TERM on to its command)
    for p in $bgpids; do kill "$p" 2>/dev/null; done
    for p in $NGX $FLT; do kill "$p" 2>/dev/null; done
    for p in $bgpids $NGX $FLT; do wait "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# ---- helpers ----
section() { echo "== $* ($(($(date +%s) - t_start)) s)"; }
free_port() {
    $PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_port() { # PORT: until something accepts connections there (10 s at most)
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
fsize() { wc -c <"$1" | tr -d ' '; }
bg_forget() { bgpids=$(echo " $bgpids " | sed "s/ $1 / /"); }
# the lines of a message that matter (a sanitizer report is long)
short() {
    grep -m 4 -E '^upd: |^hello: |ERROR: |runtime error|#[0-2] ' "$1" | tr '\n' ' ' | cut -c 1-400
}

# tree_sum DIR [mtime]: one line per entry below DIR: type, mode, path,
# SHA-256 (files; with "mtime", also the whole-second mtime) or link target
tree_sum() {
    $PY - "$@" <<'EOF' | LC_ALL=C sort
import hashlib, os, stat, sys
top, mt = sys.argv[1], len(sys.argv) > 2
for dp, dns, fns in os.walk(top):
    for n in dns + fns:
        p = os.path.join(dp, n)
        r = os.path.relpath(p, top)
        st = os.lstat(p)
        m = "%o" % stat.S_IMODE(st.st_mode)
        if stat.S_ISLNK(st.st_mode):
            print("l %s -> %s" % (r, os.readlink(p)))
        elif stat.S_ISDIR(st.st_mode):
            print("d %s %s" % (m, r))
        elif stat.S_ISREG(st.st_mode):
            h = hashlib.sha256()
            with open(p, "rb") as f:
                for b in iter(lambda: f.read(1 << 20), b""):
                    h.update(b)
            print("f %s %s %s%s" % (m, r, h.hexdigest(), " %d" % int(st.st_mtime) if mt else ""))
        else:
            print("? %s" % r)
EOF
}
# same_tree NAME DIR SRC: DIR holds exactly SRC (less its .updater-delete)
# plus the user's settings.txt (file list, modes, SHA-256, link targets)
same_tree() {
    { tree_sum "$3" | grep -v '^f [0-7]* \.updater-delete '; cat "$tmp/user.sum"; } | LC_ALL=C sort >"$tmp/want.sum"
    tree_sum "$2" >"$tmp/got.sum"
    if cmp -s "$tmp/want.sum" "$tmp/got.sum"; then pass
    else fail "$1" "$2 differs from $3 + settings.txt: $(diff "$tmp/want.sum" "$tmp/got.sum" | grep '^[<>]' | head -n 6 | cut -c 1-120 | tr '\n' ' ')"; fi
}
# snap DIR / unchanged NAME DIR: the tree is byte for byte (and mtime) as snapped
snap() { tree_sum "$1" mtime >"$tmp/snap.$(basename "$1")"; }
unchanged() {
    tree_sum "$2" mtime >"$tmp/now.sum"
    if cmp -s "$tmp/snap.$(basename "$2")" "$tmp/now.sum"; then pass
    else fail "$1" "$2 changed: $(diff "$tmp/snap.$(basename "$2")" "$tmp/now.sum" | grep '^[<>]' | head -n 4 | cut -c 1-120 | tr '\n' ' ')"; fi
}
# state_clean NAME DIR: no marker, previous, staged, archive or partial download
state_clean() {
    left=""
    for f in marker previous staged archive archive.info download.part download.info; do
        [ -e "$2.update/$f" ] && left="$left $f"
    done
    if [ -z "$left" ]; then pass; else fail "$1" "$2.update still has:$left"; fi
}
# install_at DIR SRC: a fresh install of SRC with the user's settings.txt
install_at() {
    rm -rf "$1" "$1.update"
    cp -a "$2" "$1"
    rm -f "$1/.updater-delete"
    cp -p "$tmp/settings.txt" "$1/settings.txt"
}
# run_hello DIR ARGS...: H_RC, H_LAST (last stdout line), $tmp/h.err
run_hello() {
    d=$1; shift
    timeout 60 "$d/hello" "$@" >"$tmp/h.out" 2>"$tmp/h.err"; H_RC=$?
    H_LAST=$(tail -n 1 "$tmp/h.out")
}
# hello_says NAME WANT DIR ARGS...: hello's last stdout line is "hello WANT"
hello_says() {
    n=$1 want=$2; shift 2
    run_hello "$@"
    if [ "$H_LAST" = "hello $want" ]; then pass
    else fail "$n" "exit $H_RC, last line [$H_LAST], want [hello $want]; stderr: $(short "$tmp/h.err")"; fi
}
# upd_run ARGS...: U_RC, $tmp/u.out, $tmp/u.err
upd_run() { timeout 120 "$UPD" "$@" >"$tmp/u.out" 2>"$tmp/u.err"; U_RC=$?; }
# has NAME FILE TEXT: FILE contains TEXT
has() {
    if grep -qF -- "$3" "$2"; then pass; else fail "$1" "[$3] not in $(basename "$2"): $(head -c 400 "$2" | tr '\n' ' ')"; fi
}
# manifest lines: rel FILE APP VERSION URL [KEY=VALUE...]: size and SHA-256 of FILE
rel() {
    f=$1 a=$2 v=$3 u=$4; shift 4
    printf '%s %s url=%s size=%s sha256=%s' "$a" "$v" "$u" "$(fsize "$f")" "$(sha "$f")"
    for kv in "$@"; do printf ' %s' "$kv"; done
    printf '\n'
}
# sign_with KEY FILE: FILE.minisig
sign_with() { timeout 30 "$UPD" sign -s "$1" "$2" >/dev/null 2>"$tmp/sign.err" || fail "sign $2" "$(cat "$tmp/sign.err")"; }
publish() { # publish REPO VERSION SRC [OPTIONS...]
    r=$1 v=$2 s=$3; shift 3
    timeout 60 "$UPD" publish --repo "$r" --app hello --version "$v" -s "$KEY" "$@" "$s" >"$tmp/pub.out" 2>"$tmp/pub.err" ||
        fail "publish $v into $(basename "$r")" "$(cat "$tmp/pub.err")"
}
wait_file() { # wait_file SECONDS CMD...: until CMD succeeds (wall clock; polled every 50 ms)
    wf_end=$(($(date +%s) + $1)); shift
    while ! "$@" 2>/dev/null; do
        [ "$(date +%s)" -ge "$wf_end" ] && return 1
        sleep 0.05
    done
    return 0
}
big_enough() { [ "$(fsize "$1" 2>/dev/null || echo 0)" -ge "$2" ]; }
synced_nonzero() { n=$(sed -n 's/^synced=//p' "$1" 2>/dev/null); [ -n "$n" ] && [ "$n" -gt 0 ]; }

# ---- the nginx access log ----
# one line per request: URI|status|body bytes|Range|If-Range|If-None-Match
M=0
mark() { M=$(wc -l <"$LOG" | tr -d ' '); }
since() { tail -n "+$((M + 1))" "$LOG"; }
settle() { sleep 0.2; } # nginx logs a request as it finishes it
# log_has NAME REGEX: a line since the mark matches (waits 1-2 s for nginx)
log_has() {
    if wait_file 2 sh -c 'tail -n "+$(($1 + 1))" "$2" | grep -qE -- "$3"' sh "$M" "$LOG" "$2"; then pass
    else fail "$1" "no request matching [$2] in the nginx log: $(since | tail -n 6 | tr '\n' ' ')"; fi
}
# log_lacks NAME REGEX: no line since the mark matches
log_lacks() {
    settle
    if since | grep -qE -- "$2"; then fail "$1" "unexpected request: $(since | grep -E -- "$2" | head -n 2 | tr '\n' ' ')"; else pass; fi
}

# ---- build: the library once, then hello at each version, client_app ----
if [ ! -x "$UPD" ]; then fail build-upd "$UPD is not built (make $UPD)"; summary; exit 1; fi
timeout 300 $CC -std=c99 $SAN -c -o "$tmp/updater.o" examples/hello/updater.c 2>"$tmp/updater.log" &
obj_pid=$!
bgpids="$bgpids $obj_pid"

# meanwhile: keys, data, servers
timeout 30 "$UPD" keygen -p "$tmp/k.pub" -s "$tmp/k.key" >/dev/null 2>&1 || fail keygen "upd keygen failed"
timeout 30 "$UPD" keygen -p "$tmp/o.pub" -s "$tmp/o.key" >/dev/null 2>&1 || fail keygen-other "upd keygen failed"
KEY=$tmp/k.key PUB=$tmp/k.pub
printf 'user data: must survive every update\n' >"$tmp/settings.txt"
chmod 600 "$tmp/settings.txt"
mkdir "$tmp/u" && cp -p "$tmp/settings.txt" "$tmp/u/" && tree_sum "$tmp/u" >"$tmp/user.sum"
head -c 31457280 /dev/urandom >"$tmp/big.data"  # 30 MiB, incompressible
head -c 8388608 /dev/urandom >"$tmp/slow.data"  # 8 MiB
www=$tmp/www
mkdir -p "$www" "$tmp/st"

N=$tmp/nginx
LOG=$N/access.log
nginx_start() {
    nginx -p "$N" -c "$N/nginx.conf" -e "$N/error.log" 2>>"$N/error.log" &
    NGX=$!
    wait_port "$NP"
}
nginx_stop() { kill "$NGX" 2>/dev/null; wait "$NGX" 2>/dev/null; NGX=""; }
if have nginx; then
    NP=$(free_port)
    mkdir -p "$N"
    {
        nginx_conf_head "$N" '$request_uri|$status|$body_bytes_sent|$http_range|$http_if_range|$http_if_none_match'
        # first downloads are slow (to interrupt them), resumed ones fast
        echo "    map \$http_range \$slow_rate { \"\" 4m; default 0; }"
        echo "    map \$http_range \$big_rate { \"\" 10m; default 0; }"
        echo "    server {"
        echo "        listen 127.0.0.1:$NP;"
        echo "        root $www;"
        echo "        location /slow/ { limit_rate \$slow_rate; }"
        echo "        location /big/ { limit_rate \$big_rate; }"
        echo "    }"
        echo "}"
    } >"$N/nginx.conf"
    if nginx_start; then :; else
        fail nginx-start "nginx did not start: $(tail -n 5 "$N/error.log")"
        NP=""
    fi
else
    NP=""
fi
if [ -z "$NP" ]; then
    why="nginx is not installed (CI installs nginx-light): this whole section needs it"
    have nginx && why="nginx did not start: this whole section needs it"
    for s in 1-update 1b-minisign 1c-incremental 1d-rollback 1e-304 2-resume 3-rejections 4-background-api 5-mirrors; do
        skip "$s" "$why"
    done
    summary; exit $?
fi
H=http://127.0.0.1:$NP
DEAD=http://127.0.0.1:$(free_port)  # nothing listens there: connection refused

section build; if wait "$obj_pid"; then pass; else fail build-updater.o "$(head -c 600 "$tmp/updater.log")"; fi
bg_forget "$obj_pid"
if [ ! -s "$tmp/updater.o" ]; then summary; exit 1; fi
build_hello() { # build_hello DIR VERSION [CFLAGS...]: DIR/hello
    d=$1 v=$2; shift 2
    mkdir -p "$d"
    timeout 300 $CC -std=c99 $SAN "$@" -DHELLO_VERSION="\"$v\"" -o "$d/hello" examples/hello/hello.c "$tmp/updater.o" 2>"$d.log" ||
        echo "$v" >>"$tmp/build.failed"
}
T=$tmp/trees
bl=""
for hv in 100:1.0.0 110:1.1.0 120:1.2.0 130:1.3.0 200:2.0.0 300:3.0.0; do
    build_hello "$T/${hv%%:*}" "${hv#*:}" & bl="$bl $!"
done
build_hello "$T/120c" 1.2.0 -DHELLO_CRASH_AFTER_STARTUP & bl="$bl $!"
timeout 300 $CC -std=c99 $SAN -o "$tmp/client_app" tests/client_app.c "$tmp/updater.o" 2>"$tmp/client_app.log" || echo client_app >>"$tmp/build.failed"
for b in $bl; do wait "$b"; done
if [ -s "$tmp/build.failed" ]; then
    fail build "$(tr '\n' ' ' <"$tmp/build.failed"): $(cat "$T"/*.log "$tmp/client_app.log" | head -c 600)"
    summary; exit 1
fi
pass

# the trees: each release carries every file of the one before, or deletes it
for d in 100 110 120 120c 130 200; do mkdir -p "$T/$d/share" "$T/$d/lib"; printf 'kept\n' >"$T/$d/lib/keep.txt"; done
printf 'hello 1.0.0 readme\n' >"$T/100/share/readme.txt"
printf 'old file\n' >"$T/100/old.txt"
for d in 110 120 120c 130; do
    mkdir -p "$T/$d/bin"
    printf '#!/bin/sh\necho tool\n' >"$T/$d/bin/tool.sh"; chmod 755 "$T/$d/bin/tool.sh"
    ln -s share/readme.txt "$T/$d/README"
done
printf 'hello 1.1.0 readme\n' >"$T/110/share/readme.txt"
printf 'old file\n' >"$T/110/old.txt"
for d in 120 120c; do # 1.2.0: readme unchanged, old.txt gone, new.txt new
    printf 'hello 1.1.0 readme\n' >"$T/$d/share/readme.txt"
    printf 'new in 1.2.0\n' >"$T/$d/new.txt"
    printf 'old.txt\n' >"$T/$d/.updater-delete"
done
printf 'hello 1.3.0 readme\n' >"$T/130/share/readme.txt"
printf 'old.txt\nnew.txt\n' >"$T/130/.updater-delete"
printf 'hello 2.0.0 readme\n' >"$T/200/share/readme.txt"
printf 'old file\n' >"$T/200/old.txt"
cp "$tmp/big.data" "$T/200/data.bin"
cp "$tmp/slow.data" "$T/300/data.bin"
# the incremental 1.1.0 -> 1.2.0, made by hand: the changed program, the new
# file, the deletion, and the listing of 1.2.0 that proves the result
mkdir -p "$T/inc"
cp -p "$T/120/hello" "$T/120/new.txt" "$T/120/.updater-delete" "$T/inc/"
timeout 60 "$UPD" tree "$T/120" >"$T/inc/.updater-tree" || fail tree-1.2.0 "upd tree failed"
tar -C "$T/inc" -czf "$tmp/inc.tar.gz" .
# a broken one (right digest, signed): its .updater-delete removes the program
mkdir -p "$T/incbad"
cp -p "$T/120/new.txt" "$T/incbad/"
printf 'old.txt\nhello\n' >"$T/incbad/.updater-delete"
tar -C "$T/incbad" -czf "$tmp/incbad.tar.gz" .


# ======== 1a. publish (upd publish, from a directory), hello updates itself ========
section "1a. publish (upd publish, from a directory), hello updates itself"
publish "$www/a" 1.1.0 "$T/110"
A=$tmp/inst/a
mkdir -p "$tmp/inst"
install_at "$A" "$T/100"
mark
hello_says 1a-update-last-line-is-new-version 1.1.0 "$A" --update "$H/a/versions" --pubkey "$PUB"
same_tree 1a-tree-is-1.1.0-plus-user-data "$A" "$T/110"
check_eq 1a-user-data-survives "$(cat "$A/settings.txt")" "$(cat "$tmp/settings.txt")"
state_clean 1a-state-clean-after-mark-good "$A"
log_has 1a-full-package-fetched "^/a/hello-1\.1\.0\.tar\.gz\|200\|$(fsize "$www/a/hello-1.1.0.tar.gz")\|-?\|"
hello_says 1a-runs-1.1.0-after 1.1.0 "$A"

# ======== 1e. an unchanged manifest costs one request: 304, no body ========
section "1e. an unchanged manifest costs one request: 304, no body"
mark
hello_says 1e-hello-up-to-date 1.1.0 "$A" --update "$H/a/versions" --pubkey "$PUB"
has 1e-hello-says-up-to-date "$tmp/h.err" "1.1.0 is up to date"
settle
check_eq 1e-hello-second-check-is-one-304 "$(since | cut -d'|' -f1-3)" "/a/versions|304|0"
if since | cut -d'|' -f6 | grep -q '^".*"$'; then pass; else fail 1e-hello-sends-if-none-match "$(since)"; fi
upd_run check --app hello --current 1.0.0 -p "$PUB" --state "$tmp/st/e" "$H/a/versions"
first=$(cat "$tmp/u.out")
check_eq 1e-upd-check-first "$U_RC $(cut -d' ' -f1-2 "$tmp/u.out")" "0 update 1.1.0"
mark
upd_run check --app hello --current 1.0.0 -p "$PUB" --state "$tmp/st/e" "$H/a/versions"
check_eq 1e-upd-check-second-same-answer "$U_RC $(cat "$tmp/u.out")" "0 $first"
settle
check_eq 1e-upd-check-second-is-one-304-no-body "$(since | cut -d'|' -f1-3)" "/a/versions|304|0"

# ======== 1b. the real minisign signs a hand-written manifest ========
section "1b. the real minisign signs a hand-written manifest"
if have minisign; then
    mkdir -p "$www/m"
    timeout 30 minisign -G -W -p "$tmp/m.pub" -s "$tmp/m.key" </dev/null >/dev/null 2>"$tmp/mini.err" ||
        fail 1b-minisign-keygen "$(cat "$tmp/mini.err")"
    tar -C "$T/110" -czf "$www/m/hello-1.1.0.tar.gz" .
    {
        echo "# written by hand, signed with minisign -Sm"
        echo "@serial 7"
        rel "$www/m/hello-1.1.0.tar.gz" hello 1.1.0 hello-1.1.0.tar.gz
    } >"$www/m/versions"
    timeout 30 minisign -Sm "$www/m/versions" -s "$tmp/m.key" </dev/null >/dev/null 2>"$tmp/mini.err" ||
        fail 1b-minisign-sign "$(cat "$tmp/mini.err")"
    Mi=$tmp/inst/m
    install_at "$Mi" "$T/100"
    hello_says 1b-minisign-update 1.1.0 "$Mi" --update "$H/m/versions" --pubkey "$tmp/m.pub"
    same_tree 1b-minisign-tree "$Mi" "$T/110"
    state_clean 1b-minisign-state-clean "$Mi"
    upd_run check --app hello --current 1.0.0 -p "$PUB" "$H/m/versions"
    check_eq 1b-minisign-other-key-refused "$U_RC" 1
    has 1b-minisign-other-key-message "$tmp/u.err" "signed by a key that is not trusted"
else
    skip 1b-minisign "minisign is not installed (apt-get install minisign): the real-minisign update is not tested"
fi

# ======== 1c. incremental 1.1.0 -> 1.2.0, and its fallback to the full package ========
section "1c. incremental 1.1.0 -> 1.2.0, and its fallback to the full package"
publish "$www/a" 1.2.0 "$T/120"
publish "$www/a" 1.2.0 "$tmp/inc.tar.gz" --from 1.1.0 --prebuilt
INC=hello-1.1.0-to-1.2.0.tar.gz FULL=hello-1.2.0.tar.gz
if grep -q "^hello 1.2.0 url=$INC .*from=1.1.0" "$www/a/versions"; then pass; else fail 1c-incremental-line "$(cat "$www/a/versions")"; fi
mark
hello_says 1c-incremental-update 1.2.0 "$A" --update "$H/a/versions" --pubkey "$PUB"
same_tree 1c-incremental-tree-is-1.2.0 "$A" "$T/120"
state_clean 1c-incremental-state-clean "$A"
log_has 1c-incremental-fetched "^/a/$INC\|200\|$(fsize "$www/a/$INC")\|"
log_lacks 1c-full-not-fetched "^/a/$FULL\|"
upd_run check --app hello --current 1.1.0 -p "$PUB" "$H/a/versions"
has 1c-upd-check-offers-incremental "$tmp/u.out" "update 1.2.0 url=$H/a/$INC"
has 1c-upd-check-says-from "$tmp/u.out" "from=1.1.0"

# fallbacks, each from a fresh 1.1.0 install
for c in c2 c3 c4; do mkdir -p "$www/$c"; cp "$www/a/$FULL" "$www/$c/"; done
cp "$tmp/inc.tar.gz" "$www/c2/$INC"
cp "$tmp/incbad.tar.gz" "$www/c4/$INC"
{ echo "@serial 3"; rel "$www/c2/$FULL" hello 1.2.0 "$FULL"
  rel "$www/c2/$INC" hello 1.2.0 "$INC" from=1.1.0 | sed 's/sha256=[0-9a-f]*/sha256=00000000000000000000000000000000000000000000000000000000000000ff/'
} >"$www/c2/versions"
{ echo "@serial 3"; rel "$www/c3/$FULL" hello 1.2.0 "$FULL"
  rel "$tmp/inc.tar.gz" hello 1.2.0 "$INC" from=1.1.0; } >"$www/c3/versions" # not on the server: 404
{ echo "@serial 3"; rel "$www/c4/$FULL" hello 1.2.0 "$FULL"; rel "$www/c4/$INC" hello 1.2.0 "$INC" from=1.1.0; } >"$www/c4/versions"
for c in c2 c3 c4; do sign_with "$KEY" "$www/$c/versions"; done
for c in c2:wrong-sha256:200 c3:missing-404:404 c4:removes-the-program:200; do
    r=${c%%:*} what=${c#*:}; what=${what%:*} st=${c##*:}
    I=$tmp/inst/$r
    install_at "$I" "$T/110"
    mark
    hello_says "1c-broken-incremental-$what-falls-back" 1.2.0 "$I" --update "$H/$r/versions" --pubkey "$PUB"
    same_tree "1c-broken-incremental-$what-tree" "$I" "$T/120"
    log_has "1c-broken-incremental-$what-tried" "^/$r/$INC\|$st\|"
    log_has "1c-broken-incremental-$what-full-fetched" "^/$r/$FULL\|200\|$(fsize "$www/$r/$FULL")\|"
    state_clean "1c-broken-incremental-$what-state-clean" "$I"
done
# external-updater mode (upd update) does the same fallback
I=$tmp/inst/c2u
install_at "$I" "$T/110"
upd_run update --install "$I" --exe hello --app hello --current 1.1.0 -p "$PUB" "$H/c2/versions"
check_eq 1c-upd-update-falls-back "$U_RC $(cat "$tmp/u.out")" "0 updated hello 1.1.0 -> 1.2.0"
has 1c-upd-update-says-why "$tmp/u.err" "the incremental package failed"
hello_says 1c-upd-update-then-hello-runs-1.2.0 1.2.0 "$I"
same_tree 1c-upd-update-fallback-tree "$I" "$T/120"

# ======== 1d. a crashing release is rolled back and never offered again ========
section "1d. a crashing release is rolled back and never offered again"
publish "$www/d" 1.2.0 "$T/120c"
D=$tmp/inst/d
install_at "$D" "$T/110"
run_hello "$D" --update "$H/d/versions" --pubkey "$PUB"
if [ "$H_RC" != 0 ] && grep -q "1.2.0 is broken" "$tmp/h.err"; then pass
else fail 1d-crashing-1.2.0-installed-and-crashes "exit $H_RC, last [$H_LAST]: $(short "$tmp/h.err")"; fi
run_hello "$D"
if [ "$H_RC" != 0 ] && [ -z "$H_LAST" ]; then pass; else fail 1d-second-trial-crashes "exit $H_RC, last [$H_LAST]"; fi
hello_says "1d-rolled-back-after-$HELLO_TRIALS-trials" 1.1.0 "$D"
check_eq 1d-failed-lists-1.2.0 "$(cat "$D.update/failed" 2>&1)" "1.2.0"
same_tree 1d-tree-back-to-1.1.0 "$D" "$T/110"
for f in marker previous staged; do
    if [ -e "$D.update/$f" ]; then fail "1d-no-$f-after-rollback" "$D.update/$f exists"; else pass; fi
done
mark
hello_says 1d-not-offered-again 1.1.0 "$D" --update "$H/d/versions" --pubkey "$PUB"
has 1d-says-up-to-date "$tmp/h.err" "up to date"
log_lacks 1d-failed-archive-not-fetched-again "^/d/hello-1\.2\.0\.tar\.gz\|"
same_tree 1d-tree-still-1.1.0 "$D" "$T/110"
publish "$www/d" 1.3.0 "$T/130"
hello_says 1d-newer-1.3.0-offered 1.3.0 "$D" --update "$H/d/versions" --pubkey "$PUB"
same_tree 1d-tree-is-1.3.0 "$D" "$T/130"
state_clean 1d-state-clean-after-1.3.0 "$D"

# ======== 2. resume a 30 MiB download ========
section "2. resume a 30 MiB download"
publish "$www/big" 2.0.0 "$T/200"
BIGF=$www/big/hello-2.0.0.tar.gz
BIGN=$(fsize "$BIGF")
BURL=$H/big/versions
# (a) upd update; nginx stopped half way, started again: the rest with Range
I=$tmp/inst/r1
install_at "$I" "$T/100"
timeout 60 "$UPD" update --install "$I" --exe hello --app hello --current 1.0.0 -p "$PUB" "$BURL" >"$tmp/bg.out" 2>"$tmp/bg.err" &
bp=$!
bgpids="$bgpids $bp"
if wait_file 30 big_enough "$I.update/download.part" 4194304; then pass; else fail 2a-download-under-way "no 4 MiB within 30 s"; fi
nginx_stop
wait "$bp"; rc=$?
bg_forget "$bp"
check_eq 2a-interrupted-download-fails "$rc" 1
part=$(fsize "$I.update/download.part" 2>/dev/null || echo 0)
if [ "$part" -gt 0 ] && [ "$part" -lt "$BIGN" ]; then pass; else fail 2a-part-kept "download.part is $part bytes of $BIGN"; fi
check_eq 2a-journal-says-part-size "$(sed -n 's/^synced=//p' "$I.update/download.info" 2>&1)" "$part"
if nginx_start; then pass; else fail 2a-nginx-restart "$(tail -n 3 "$N/error.log")"; fi
mark
upd_run update --install "$I" --exe hello --app hello --current 1.0.0 -p "$PUB" "$BURL"
check_eq 2a-resumed-update "$U_RC $(cat "$tmp/u.out")" "0 updated hello 1.0.0 -> 2.0.0"
log_has 2a-log-range-from-part "^/big/hello-2\.0\.0\.tar\.gz\|206\|$((BIGN - part))\|bytes=$part-\|\""
log_lacks 2a-no-full-request "^/big/hello-2\.0\.0\.tar\.gz\|200\|"
hello_says 2a-then-hello-runs-2.0.0 2.0.0 "$I"
same_tree 2a-tree-is-2.0.0 "$I" "$T/200"
state_clean 2a-state-clean "$I"

# kill_mid DIR: hello --update in the background, SIGKILLed once
# download.info says some bytes are on disk (fdatasync'd); KN = that offset
kill_mid() {
    rm -f "$tmp/pid"
    timeout -s KILL 60 sh -c 'echo $$ >"$0"; exec "$@"' "$tmp/pid" "$1/hello" --update "$BURL" --pubkey "$PUB" >"$tmp/bg.out" 2>"$tmp/bg.err" &
    bp=$!
    bgpids="$bgpids $bp"
    if wait_file 30 synced_nonzero "$1.update/download.info"; then pass; else fail "$2-download-under-way" "nothing synced within 30 s"; fi
    kill -KILL "$(cat "$tmp/pid")" 2>/dev/null
    wait "$bp" 2>/dev/null; krc=$?
    bg_forget "$bp"
    check_eq "$2-client-killed" "$krc" 137
    KN=$(sed -n 's/^synced=//p' "$1.update/download.info" 2>/dev/null)
    if [ -n "$KN" ] && [ "$KN" -gt 0 ] && [ "$KN" -lt "$BIGN" ]; then pass; else fail "$2-offset-on-disk" "synced=[$KN]"; KN=0; fi
}
# (b) hello SIGKILLed mid-download: the next run resumes
I=$tmp/inst/r2
install_at "$I" "$T/100"
kill_mid "$I" 2b
mark
hello_says 2b-resumed-hello-update 2.0.0 "$I" --update "$BURL" --pubkey "$PUB"
log_has 2b-log-range-from-journal "^/big/hello-2\.0\.0\.tar\.gz\|206\|$((BIGN - KN))\|bytes=$KN-\|\""
same_tree 2b-tree-is-2.0.0 "$I" "$T/200"
state_clean 2b-state-clean "$I"
# (c) the file changes on the server (same bytes, new mtime: a new ETag):
# If-Range does not match, the server sends it all, the client starts over
I=$tmp/inst/r3
install_at "$I" "$T/100"
kill_mid "$I" 2c
etag=$(sed -n 's/^validator=//p' "$I.update/download.info")
touch -d @1000000000 "$BIGF"
mark
hello_says 2c-if-range-mismatch-update 2.0.0 "$I" --update "$BURL" --pubkey "$PUB"
log_has 2c-log-if-range-200-full "^/big/hello-2\.0\.0\.tar\.gz\|200\|$BIGN\|bytes=$KN-\|$etag\|"
same_tree 2c-tree-is-2.0.0 "$I" "$T/200"
state_clean 2c-state-clean "$I"
# (d) other bytes under the same name, the manifest not updated: started
# over, then refused by its SHA-256; nothing installed
I=$tmp/inst/r4
install_at "$I" "$T/100"
kill_mid "$I" 2d
$PY -c 'import sys
f = open(sys.argv[1], "r+b"); f.seek(20000000); b = f.read(1); f.seek(20000000); f.write(bytes([b[0] ^ 0xff]))' "$BIGF"
snap "$I"
mark
hello_says 2d-changed-file-not-installed 1.0.0 "$I" --update "$BURL" --pubkey "$PUB"
has 2d-changed-file-sha256-message "$tmp/h.err" "the manifest says"
log_has 2d-log-started-over "^/big/hello-2\.0\.0\.tar\.gz\|200\|$BIGN\|bytes=$KN-\|"
unchanged 2d-tree-unchanged "$I"
if [ -e "$I.update/download.part" ]; then fail 2d-part-discarded "download.part is still there"; else pass; fi
hello_says 2d-hello-still-runs 1.0.0 "$I"

# ======== 3. rejections: error, exit status, install untouched, hello runs ========
section "3. rejections: error, exit status, install untouched, hello runs"
# Each manifest has its own @serial, increasing in the order the cases run
# (one install sees them all; the same serial with other content is refused
# as a fork), except the @serial case itself, which runs first: 5, then 4.
R=$tmp/inst/rej
install_at "$R" "$T/100"
snap "$R"
AR=$www/a/hello-1.1.0.tar.gz
ARN=$(fsize "$AR")
SER=5
mkrepo() { # mkrepo NAME LINES...: www/r/NAME/versions with the next @serial (unsigned)
    mkdir -p "$www/r/$1"; d=$1; shift
    SER=$((SER + 1))
    { echo "@serial $SER"; printf '%s\n' "$@"; } >"$www/r/$d/versions"
}
mkrepo_n() { # mkrepo_n NAME SERIAL LINES...: with that @serial
    mkdir -p "$www/r/$1"; d=$1 sn=$2; shift 2
    { echo "@serial $sn"; printf '%s\n' "$@"; } >"$www/r/$d/versions"
}
L110=$(rel "$AR" hello 1.1.0 ../../a/hello-1.1.0.tar.gz)
mkrepo_n serial5 5 "$(rel "$AR" hello 1.0.0 ../../a/hello-1.1.0.tar.gz)"; sign_with "$KEY" "$www/r/serial5/versions"
mkrepo_n serial4 4 "$L110"; sign_with "$KEY" "$www/r/serial4/versions"
mkrepo badsig "$L110"; sign_with "$KEY" "$www/r/badsig/versions"
sed -i 's/^hello 1\.1\.0 /hello 1.1.1 /' "$www/r/badsig/versions"  # one byte changed after signing
mkrepo otherkey "$L110"; sign_with "$tmp/o.key" "$www/r/otherkey/versions"
mkrepo expired "@expires 2020-01-01T00:00:00Z" "$L110"; sign_with "$KEY" "$www/r/expired/versions"
mkrepo nosig "$L110"
mkrepo downgrade "$(rel "$AR" hello 0.9.0 ../../a/hello-1.1.0.tar.gz)"; sign_with "$KEY" "$www/r/downgrade/versions"
mkrepo otherapp "$(rel "$AR" hellox 1.1.0 ../../a/hello-1.1.0.tar.gz)"; sign_with "$KEY" "$www/r/otherapp/versions"
mkrepo badhash "$(echo "$L110" | sed 's/sha256=[0-9a-f]*/sha256='"$(sha "$tmp/big.data")"'/')"
sign_with "$KEY" "$www/r/badhash/versions"
mkrepo smaller "$(echo "$L110" | sed "s/size=$ARN/size=$((ARN - 100))/")"; sign_with "$KEY" "$www/r/smaller/versions"
mkrepo larger "$(echo "$L110" | sed "s/size=$ARN/size=$((ARN + 100))/")"; sign_with "$KEY" "$www/r/larger/versions"
# the fault server sends the archive chunked or close-delimited: no length
# announced, so the size check must cut the body off while it streams
$PY tests/http_fault.py --dir "$www/a" 0 >"$tmp/fault.port" 2>"$tmp/fault.log" &
FLT=$!
wait_file 10 grep -q '^port ' "$tmp/fault.port"
FP=$(sed -n 's/^port //p' "$tmp/fault.port")
F=http://127.0.0.1:$FP
for how in chunked close; do
    mkrepo "$how-smaller" "$(rel "$AR" hello 1.1.0 "$F/$how/hello-1.1.0.tar.gz" | sed "s/size=$ARN/size=$((ARN - 100))/")"
    sign_with "$KEY" "$www/r/$how-smaller/versions"
    mkrepo "$how-larger" "$(rel "$AR" hello 1.1.0 "$F/$how/hello-1.1.0.tar.gz" | sed "s/size=$ARN/size=$((ARN + 100))/")"
    sign_with "$KEY" "$www/r/$how-larger/versions"
done

# reject NAME REPO CHECK-RC MESSAGE HELLO-MESSAGE [update]: `upd check`
# exits CHECK-RC with MESSAGE (stderr, or stdout when 0); with "update",
# `upd update` (which downloads) must fail with it instead; hello --update
# says HELLO-MESSAGE and stays 1.0.0; the install is byte for byte as it
# was, nothing is left staged, and hello still runs
reject() {
    rn=$1 rrepo=$2 rcrc=$3 rmsg=$4 rhmsg=$5 rmode=${6:-}
    rurl=$H/r/$rrepo/versions
    upd_run check --app hello --current 1.0.0 -p "$PUB" --state "$tmp/st/$rn" "$rurl"
    if [ "$rmode" = update ]; then
        check_eq "3-$rn-check-offers" "$U_RC $(cut -d' ' -f1-2 "$tmp/u.out")" "0 update 1.1.0"
        upd_run update --install "$R" --exe hello --app hello --current 1.0.0 -p "$PUB" "$rurl"
        rcrc=1
    fi
    if [ "$U_RC" = "$rcrc" ] && grep -qF -- "$rmsg" "$tmp/u.out" "$tmp/u.err"; then pass
    else fail "3-$rn-upd" "exit $U_RC (want $rcrc), out [$(head -c 200 "$tmp/u.out")] err [$(head -c 300 "$tmp/u.err")], want [$rmsg]"; fi
    if [ "$U_RC" = 1 ] && ! grep -q '^upd: ' "$tmp/u.err"; then fail "3-$rn-upd-message-prefix" "$(head -c 200 "$tmp/u.err")"; fi
    hello_says "3-$rn-hello-stays-1.0.0" 1.0.0 "$R" --update "$rurl" --pubkey "$PUB"
    has "3-$rn-hello-message" "$tmp/h.err" "$rhmsg"
    unchanged "3-$rn-install-unchanged" "$R"
    if [ -e "$R.update/download.part" ] || [ -e "$R.update/archive" ] || [ -e "$R.update/marker" ]; then
        fail "3-$rn-nothing-staged" "$(ls "$R.update" | tr '\n' ' ')"
    else pass; fi
    hello_says "3-$rn-hello-runs" 1.0.0 "$R"
}
# @serial: accept 5 (nothing newer in it), then a validly signed 4 is refused
upd_run check --app hello --current 1.0.0 -p "$PUB" --state "$tmp/st/older-serial" "$H/r/serial5/versions"
check_eq 3-serial-5-accepted "$U_RC $(cat "$tmp/u.out")" "0 up-to-date 1.0.0"
hello_says 3-serial-5-accepted-by-hello 1.0.0 "$R" --update "$H/r/serial5/versions" --pubkey "$PUB"
check_eq 3-serial-5-recorded "$(head -n 1 "$R.update/serial" 2>&1)" 5
reject older-serial serial4 1 "@serial 4, older than 5" "@serial 4, older than 5"
reject bad-signature badsig 1 "signature verification failed" "signature verification failed"
reject unknown-key otherkey 1 "signed by a key that is not trusted" "signed by a key that is not trusted"
reject expired expired 1 "expired at" "expired at"
reject missing-minisig nosig 1 "HTTP 404" "HTTP 404"
reject downgrade downgrade 0 "up-to-date 1.0.0" "1.0.0 is up to date"
reject wrong-app otherapp 0 "up-to-date 1.0.0" "1.0.0 is up to date"
reject wrong-sha256 badhash 0 "the manifest says $(sha "$tmp/big.data")" "the manifest says $(sha "$tmp/big.data")" update
m="the server announces $ARN bytes, the manifest says"
reject size-smaller-announced smaller 0 "$m $((ARN - 100))" "$m $((ARN - 100))" update
reject size-larger-announced larger 0 "$m $((ARN + 100))" "$m $((ARN + 100))" update
m="the server sends more than the $((ARN - 100)) bytes the manifest says" m2="$ARN bytes, the manifest says $((ARN + 100))"
reject size-smaller-chunked chunked-smaller 0 "$m" "$m" update
reject size-larger-chunked chunked-larger 0 "$m2" "$m2" update
reject size-smaller-close-delimited close-smaller 0 "$m" "$m" update
reject size-larger-close-delimited close-larger 0 "$m2" "$m2" update
check_eq 3-bad-signature-fetched-twice "$(grep -c '^/r/badsig/versions|200|' "$LOG")" 4 # upd check, hello: each once more
kill "$FLT" 2>/dev/null; wait "$FLT" 2>/dev/null; FLT=""

# ======== 4. the background API (tests/client_app.c) ========
section "4. the background API (tests/client_app.c)"
# app_run NAME ARGS...: counts client_app's PASS/FAIL lines; a crash or a
# sanitizer report is a failure too
app_run() {
    n=$1; shift
    timeout 60 "$tmp/client_app" "$@" >"$tmp/app.out" 2>"$tmp/app.err"; arc=$?
    app_count "$n" "$arc"
}
app_count() {
    np=$(grep -c '^PASS ' "$tmp/app.out") nf=$(grep -c '^FAIL ' "$tmp/app.out")
    i=0; while [ "$i" -lt "$np" ]; do pass; i=$((i + 1)); done
    grep '^FAIL ' "$tmp/app.out" | while IFS= read -r l; do echo "FAIL 4-$1: ${l#FAIL }"; done
    T_FAIL=$((T_FAIL + nf))
    if [ "$2" != 0 ] && [ "$nf" = 0 ] || [ "$np" = 0 ]; then fail "4-$1-exit" "exit $2, $np passed: $(short "$tmp/app.err") $(tail -n 3 "$tmp/app.err" | tr '\n' ' ' | cut -c 1-300)"; fi
}
info() { sed -n "s/^INFO $1 //p" "$tmp/app.out"; }
publish "$www/k" 1.1.0 "$T/110"
app_run check-async check-async "$H/k/versions" "$PUB" "$tmp/st/async" 1.0.0 1.1.0

publish "$www/slow" 3.0.0 "$T/300"
mark
app_run download-cancel download-cancel "$H/slow/versions" "$PUB" "$tmp/st/cancel" 1.0.0
part=$(info part)
log_has 4-download-cancel-first-request-without-range "^/slow/hello-3\.0\.0\.tar\.gz\|200\|[0-9]+\|-?\|"
log_has 4-download-cancel-resumes-with-range "^/slow/hello-3\.0\.0\.tar\.gz\|206\|[0-9]+\|bytes=$part-\|\""
if [ -n "$part" ] && [ "$part" -gt 0 ]; then pass; else fail 4-download-cancel-part-offset "part [$part]"; fi

publish "$www/w" 1.0.0 "$T/100"
mark
app_run watch-cancel watch-cancel "$H/w/versions" "$PUB" "$tmp/st/watch" 1.0.0 2000
settle
check_eq 4-watch-cancel-checked-once "$(since | grep -c '^/w/versions|')" 1
mark
timeout 60 "$tmp/client_app" watch "$H/w/versions" "$PUB" "$tmp/st/watch" 1.0.0 1000 1.1.0 >"$tmp/app.out" 2>"$tmp/app.err" &
wp=$!
bgpids="$bgpids $wp"
# first no update (at least one check answered), then 1.1.0 is published
if wait_file 10 sh -c 'grep -q "^INFO watching" "$0" && tail -n "+$(($1 + 1))" "$2" | grep -q "^/w/versions|"' "$tmp/app.out" "$M" "$LOG"; then pass
else fail 4-watch-first-check "no check seen within 10 s"; fi
sleep 0.3
publish "$www/w" 1.1.0 "$T/110"
wait "$wp"; arc=$?
bg_forget "$wp"
app_count watch "$arc"
log_has 4-watch-downloaded "^/w/hello-1\.1\.0\.tar\.gz\|200\|"
if [ "$(since | grep -c '^/w/versions|')" -ge 2 ]; then pass; else fail 4-watch-checked-repeatedly "$(since | tr '\n' ' ')"; fi

# confirm(): 0 keeps the verified archive, 1 installs it without fetching it again
K=$tmp/inst/k
install_at "$K" "$T/100"
snap "$K"
app_run confirm-0 confirm "$H/k/versions" "$PUB" "$K" 1.0.0 0 -6
unchanged 4-confirm-0-install-unchanged "$K"
mark
app_run confirm-1 confirm "$H/k/versions" "$PUB" "$K" 1.0.0 1 0
log_lacks 4-confirm-1-no-download-again "^/k/hello-1\.1\.0\.tar\.gz\|"
hello_says 4-confirm-1-installed 1.1.0 "$K"
same_tree 4-confirm-1-tree "$K" "$T/110"
state_clean 4-confirm-1-state-clean "$K"
# upd_update in external-updater mode (no_exec) with an incremental package:
# installs it once and returns UPD_OK, never the full one on top
K=$tmp/inst/kinc
install_at "$K" "$T/110"
mark
app_run confirm-incremental confirm "$H/a/versions" "$PUB" "$K" 1.1.0 1 0
log_has 4-no-exec-incremental-fetched "^/a/$INC\|200\|"
log_lacks 4-no-exec-incremental-full-not-fetched "^/a/$FULL\|"
hello_says 4-no-exec-incremental-installed 1.2.0 "$K"
same_tree 4-no-exec-incremental-tree "$K" "$T/120"

# ======== 5. mirrors: the first fails, the next one works ========
section "5. mirrors: the first fails, the next one works"
I=$tmp/inst/mirror
install_at "$I" "$T/100"
upd_run check --app hello --current 1.0.0 -p "$PUB" "$DEAD/k/versions" "$H/k/versions"
check_eq 5-check-refused-then-good "$U_RC $(cut -d' ' -f1-3 "$tmp/u.out")" "0 update 1.1.0 url=$H/k/hello-1.1.0.tar.gz"
upd_run check --app hello --current 1.0.0 -p "$PUB" "$H/nowhere/versions" "$H/k/versions"
check_eq 5-check-404-then-good "$U_RC $(cut -d' ' -f1-2 "$tmp/u.out")" "0 update 1.1.0"
upd_run check --app hello --current 1.0.0 -p "$PUB" "$DEAD/k/versions" "$H/nowhere/versions"
check_eq 5-check-all-mirrors-fail "$U_RC" 1
mark
upd_run update --install "$I" --exe hello --app hello --current 1.0.0 -p "$PUB" "$DEAD/k/versions" "$H/k/versions"
check_eq 5-update-refused-then-good "$U_RC $(cat "$tmp/u.out")" "0 updated hello 1.0.0 -> 1.1.0"
log_has 5-update-archive-from-the-good-mirror "^/k/hello-1\.1\.0\.tar\.gz\|200\|"
hello_says 5-then-hello-runs-1.1.0 1.1.0 "$I"
same_tree 5-mirror-tree "$I" "$T/110"

echo "client suite: $(($(date +%s) - t_start)) s"
summary
