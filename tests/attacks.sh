#!/bin/sh
# The attack suite: the cases of ../shared/SECURITY.md section 5, numbered
# as there (A12-serial-2^64 is case 12), each run end to end where that
# makes sense: a victim installation - examples/hello 1.0.0, built here with
# ASan+UBSan as in tests/client.sh, in a fresh temp install dir with its
# state dir - updates against a malicious repo served by a real nginx on
# 127.0.0.1 (else by `upd serve`), by tests/http_fault.py, or by
# tests/attack_server.py for the few faults neither produces. The client is
# `upd update --install` (external-updater mode: exit status and message)
# and, for the first case of each number, hello's own --update too (the
# self-update with its exec()s). A refused attack must leave:
#   (a) exit status 1 and its specific message `upd: ...` (hello: "update
#       failed: ..." on stderr and its own version as its last line);
#   (b) the install dir byte-identical (paths, types, modes, sizes, link
#       counts, mtimes, SHA-256) and the state dir's `serial` byte-identical
#       - or, when the manifest itself is authentic (signed by the real key:
#       the archive or the transfer is the attack), exactly "N\nSHA-256" of
#       that manifest, which the client stores before downloading (docs);
#   (c) nothing changed outside the state dir: the temp root (the install's
#       parent; `outside/` with a sentinel file, a secret dir and hard links
#       to two installed files) is listed and hashed before and after;
#   (d) no staging left (staged/, previous/, marker, helper), and hello
#       still runs and prints "hello 1.0.0".
# Cases that cannot run end to end go through `upd verify|manifest|gunzip|
# untar|check`, or name the tests elsewhere that already cover them ("A31
# covered by tests/t_gunzip.c test_..."; each name is grepped for, a missing
# one fails). The end lists the cases exercised here, covered elsewhere and
# not applicable (in part, with the reason), and fails unless all 53 are
# accounted for. Where the library is weaker than SECURITY.md asks, the
# check is left failing on purpose.
# SECURITY.md section 3 (TUF attacks) maps to: arbitrary installation 1, 3-7,
# 15; endless data 8, 16, 32; extraneous dependencies 14, 40; fast-forward
# 12; indefinite freeze 11; mix-and-match 15; rollback 9, 10; slow retrieval
# 26; key compromise 6, 50 (revoked); wrong software 14.
# Three lanes run at once (signatures and manifests; HTTP and gzip; tar and
# the state dir), each with its own victims. Every command runs under
# `timeout`; servers and temp dirs go on exit. ATTACKS_VERBOSE=1 prints each
# attack's `upd` message, ATTACKS_KEEP=1 keeps the temp dir.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
B=${B:-build}
UPD=${UPD:-$B/asan/upd}
case $UPD in /*) ;; *) UPD=$PWD/$UPD ;; esac
# keys and signatures for the repos (the tool, not the client under test):
# the optimized build if there is one (an ASan process starts slowly)
if [ -x "$B/upd" ]; then SIGNER=$PWD/$B/upd; else SIGNER=$UPD; fi
CC=${CC:-cc}
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi
PATH=$PATH:/usr/sbin:/sbin
SAN="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -pthread"
export HELLO_TRIALS=2
# LeakSanitizer at each exit costs 0.1 s per process (hundreds here); leaks
# are the unit tests' (valgrind) and tests/client.sh's business
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
export ASAN_OPTIONS
TAB=$(printf '\t')
t_start=$(date +%s)
tmp=$(mktemp -d)
srvpids="" lanepids=""
cleanup() {
    for p in $lanepids $srvpids $(cat "$tmp"/w-*/holder.pid 2>/dev/null); do kill "$p" 2>/dev/null; done
    for p in $lanepids $srvpids; do wait "$p" 2>/dev/null; done
    chmod -R u+rwx "$tmp" 2>/dev/null
    if [ -n "${ATTACKS_KEEP:-}" ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
TOOL="timeout 300 $PY tests/attack_tool.py"
W=$tmp/w-main # scratch files (each lane has its own)
mkdir -p "$W"
# $FLIMIT KIB CMD...: CMD with files limited to KIB KiB (write() then fails with EFBIG)
cat >"$tmp/flimit.py" <<'EOF'
import os, resource, signal, sys
n = int(sys.argv[1]) * 1024
resource.setrlimit(resource.RLIMIT_FSIZE, (n, n))
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
os.execvp(sys.argv[2], sys.argv[2:])
EOF
FLIMIT="$PY $tmp/flimit.py"

# ---- helpers ----
section() { echo "== $* ($(($(date +%s) - t_start)) s)"; }
free_port() { $PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
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
wait_line() { # FILE REGEX: until FILE has a matching line (10 s at most)
    i=0
    while [ "$i" -lt 200 ] && ! grep -q "$2" "$1" 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
    grep -q "$2" "$1" 2>/dev/null
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
fsize() { wc -c <"$1" | tr -d ' '; }
short() { grep -m 3 -E '^upd: |^hello: |ERROR: |runtime error' "$1" | tr '\n' ' ' | cut -c 1-400; }
sanitizer_clean() { # NAME FILE: no sanitizer report in FILE
    if grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:' "$2"; then
        fail "$1-sanitizer" "$(grep -m 2 -E 'ERROR: |runtime error' "$2" | tr '\n' ' ')"
    fi
}
has() { # NAME FILE TEXT
    if grep -qF -- "$3" "$2"; then pass; else fail "$1" "[$3] not in $(basename "$2"): $(head -c 400 "$2" | tr '\n' ' ')"; fi
}
lacks() { # NAME FILE TEXT
    if grep -qF -- "$3" "$2"; then fail "$1" "[$3] in $(basename "$2"): $(grep -m 1 -F -- "$3" "$2" | cut -c 1-200)"; else pass; fi
}
rel() { # FILE APP VERSION URL [KEY=VALUE...]: a release line with FILE's size and SHA-256
    f=$1 a=$2 v=$3 u=$4; shift 4
    printf '%s %s url=%s size=%s sha256=%s' "$a" "$v" "$u" "$(fsize "$f")" "$(sha "$f")"
    for kv in "$@"; do printf ' %s' "$kv"; done
    printf '\n'
}
sign_with() { # KEY FILE [upd sign options]: FILE.minisig
    k=$1 f=$2; shift 2
    timeout 30 "$SIGNER" sign -s "$k" "$@" "$f" >/dev/null 2>"$W/sign.err" || fail "sign $f" "$(cat "$W/sign.err")"
}
repo() { # NAME SERIAL LINE...: www/NAME/versions, not signed
    d=$www/$1 sn=$2; shift 2
    mkdir -p "$d"
    { echo "# attack repo $(basename "$d")"; [ "$sn" = none ] || echo "@serial $sn"; printf '%s\n' "$@"; } >"$d/versions"
}
signed() { repo "$@"; sign_with "$KEY" "$www/$1/versions"; }

# ---- accounting: which case numbers ran here, are covered elsewhere, do not apply ----
EXE=" " COV=" " NAP=" "
exercised() { case $EXE in *" $1 "*) ;; *) EXE="$EXE$1 " ;; esac; }
covered() { # CASE FILE NAME...: the case is tested by those tests in FILE
    cn=$1 cf=$2; shift 2
    for cname in "$@"; do
        if ! grep -qF -- "$cname" "$cf" 2>/dev/null; then fail "A$cn-covered-by-$(basename "$cf")" "no '$cname' in $cf"; return; fi
    done
    echo "A$cn covered by $cf $*"
    pass
    case $COV in *" $cn "*) ;; *) COV="$COV$cn " ;; esac
}
not_applicable() { # CASE WHY
    echo "A$1 not applicable: $2"
    case $NAP in *" $1 "*) ;; *) NAP="$NAP$1 " ;; esac
}

if [ ! -x "$UPD" ]; then fail build-upd "$UPD is not built (make $UPD)"; summary; exit 1; fi

# ======== build: the library once (in the background), hello 1.0.0, 1.1.0, a crashing 1.1.0 ========
timeout 300 $CC -std=c99 $SAN -c -o "$tmp/updater.o" examples/hello/updater.c 2>"$tmp/updater.log" &
obj_pid=$!
srvpids="$srvpids $obj_pid"

# meanwhile: keys, servers
timeout 30 "$SIGNER" keygen -p "$tmp/k.pub" -s "$tmp/k.key" >/dev/null 2>&1 || fail keygen "upd keygen failed"
timeout 30 "$SIGNER" keygen -p "$tmp/o.pub" -s "$tmp/o.key" >/dev/null 2>&1 || fail keygen-other "upd keygen failed"
KEY=$tmp/k.key PUB=$tmp/k.pub
www=$tmp/srv/www
mkdir -p "$www"
N=$tmp/srv/nginx
NP="" H=""
if have nginx; then
    NP=$(free_port)
    mkdir -p "$N"
    {
        nginx_conf_head "$N" '$request_uri|$status|$body_bytes_sent|$http_range'
        echo "    server {"
        echo "        listen 127.0.0.1:$NP;"
        echo "        root $www;"
        echo "        location = /redir/loop { return 302 /redir/loop; }"
        for i in 1 2 3 4 5 6; do echo "        location = /redir/c$i { return 302 /redir/c$((i + 1)); }"; done
        echo "        location = /redir/c7 { return 302 /good/hello-1.1.0.tar.gz; }"
        echo "        location = /redir/file { return 302 file://$www/good/hello-1.1.0.tar.gz; }"
        echo "        location = /redir/ftp { return 302 ftp://127.0.0.1:$NP/good/hello-1.1.0.tar.gz; }"
        echo "        location = /redir/data { return 302 'data:application/octet-stream;base64,H4sIAAAAAAAAAwMAAAAAAAAAAAA='; }"
        echo "        location = /redir/nohost { return 302 http:///good/hello-1.1.0.tar.gz; }"
        echo "        location = /status/500 { return 500; }"
        echo "        location = /status/407 { return 407; }"
        echo "    }"
        echo "}"
    } >"$N/nginx.conf"
    nginx -p "$N" -c "$N/nginx.conf" -e "$N/error.log" 2>>"$N/error.log" &
    srvpids="$srvpids $!"
    if wait_port "$NP"; then H=http://127.0.0.1:$NP; else fail nginx-start "nginx did not start: $(tail -n 5 "$N/error.log")"; NP=""; fi
fi
if [ -z "$NP" ]; then
    echo "nginx is not installed: serving the repos with upd serve (the redirect and status cases are skipped)"
    timeout 600 "$UPD" serve -p 0 --port-file "$tmp/srv/serve.port" "$www" 2>"$tmp/srv/serve.log" &
    srvpids="$srvpids $!"
    wait_line "$tmp/srv/serve.port" '^[0-9]' && H=http://127.0.0.1:$(cat "$tmp/srv/serve.port")
fi
$PY tests/http_fault.py --dir "$www/good" 0 >"$tmp/srv/fault.port" 2>"$tmp/srv/fault.log" &
srvpids="$srvpids $!"
$PY tests/attack_server.py "$www" >"$tmp/srv/attack.port" 2>"$tmp/srv/attack.log" &
srvpids="$srvpids $!"
wait_line "$tmp/srv/fault.port" '^port ' && F=http://127.0.0.1:$(sed -n 's/^port //p' "$tmp/srv/fault.port")
wait_line "$tmp/srv/attack.port" '^port ' && AS=http://127.0.0.1:$(sed -n 's/^port //p' "$tmp/srv/attack.port")
if [ -z "$H" ] || [ -z "${F:-}" ] || [ -z "${AS:-}" ]; then
    fail servers "a server did not start: $(tail -n 3 "$tmp/srv/fault.log" "$tmp/srv/attack.log" 2>/dev/null | tr '\n' ' ')"
    summary; exit 1
fi

section build
if wait "$obj_pid"; then pass; else fail build-updater.o "$(head -c 600 "$tmp/updater.log")"; summary; exit 1; fi
srvpids=$(echo " $srvpids " | sed "s/ $obj_pid / /")
T=$tmp/trees
build_hello() { # DIR VERSION [CFLAGS...]
    d=$1 v=$2; shift 2
    mkdir -p "$d"
    timeout 300 $CC -std=c99 $SAN "$@" -DHELLO_VERSION="\"$v\"" -o "$d/hello" examples/hello/hello.c "$tmp/updater.o" 2>"$d.log" ||
        echo "$v $*" >>"$tmp/build.failed"
}
build_hello "$T/100" 1.0.0 & b1=$!
build_hello "$T/110" 1.1.0 & b2=$!
build_hello "$T/110c" 1.1.0 -DHELLO_CRASH_AFTER_STARTUP
wait $b1; wait $b2
if [ -s "$tmp/build.failed" ]; then fail build-hello "$(cat "$tmp/build.failed") $(cat "$T"/*.log | head -c 600)"; summary; exit 1; fi
for d in 100 110 110c; do
    mkdir -p "$T/$d/lib" "$T/$d/share"
    printf 'kept\n' >"$T/$d/lib/keep.txt"
    printf 'hello %s readme\n' "$d" >"$T/$d/share/readme.txt"
    printf 'old file\n' >"$T/$d/old.txt"
    touch -d @1500000000 "$T/$d/lib/keep.txt" "$T/$d/share/readme.txt" "$T/$d/old.txt"
done

# ======== the repos ========
mkdir -p "$www/good" "$www/old"
tar -C "$T/110" -czf "$www/good/hello-1.1.0.tar.gz" .
tar -C "$T/100" -czf "$www/old/hello-1.0.0.tar.gz" .
GOOD=$www/good/hello-1.1.0.tar.gz
GOODN=$(fsize "$GOOD")
L110=$(rel "$GOOD" hello 1.1.0 ../good/hello-1.1.0.tar.gz)
signed base 5 "$(rel "$www/old/hello-1.0.0.tar.gz" hello 1.0.0 ../old/hello-1.0.0.tar.gz)"
# the hostile archives (the 1.1.0 tree, then the attack) and the gzip forms
R=$tmp/root   # the tar lane's victims live here: absolute names in the archives point into R/outside
# (the generators run side by side)
mkdir -p "$www/trees" "$www/bomb"
$TOOL archives "$www/arch" "$T/110" "$R" >"$W/gen1.log" 2>&1 || echo archives >>"$W/gen.failed" &
g1=$!
$TOOL trees "$www/trees" "$T/110" file-through-old-symlink hardlink-rewrite desync modes delete-through-symlink type-7 c-colon \
    >"$W/gen2.log" 2>&1 || echo trees >>"$W/gen.failed" &
g2=$!
$TOOL bomb "$www/bomb/bomb.tar.gz" "$T/110" 10 >"$W/gen3.log" 2>&1 || echo bomb >>"$W/gen.failed" &
g3=$!
tar -C "$T/110" -cf "$tmp/110.tar" .
$TOOL gz "$www/gz" "$tmp/110.tar" >"$W/gen4.log" 2>&1 || echo gz >>"$W/gen.failed"
wait $g1; wait $g2; wait $g3
if [ -s "$W/gen.failed" ]; then fail attack-tool "$(cat "$W/gen.failed"): $(cat "$W"/gen*.log | head -c 600)"; summary; exit 1; fi
# a signed repo for an archive: arepo NAME FILE [SERIAL]
arepo() { signed "$1" "${3:-6}" "$(rel "$2" hello 1.1.0 "../${2#"$www"/}")"; }

# ======== the victim: a template copied for each case ========
TPL=$tmp/tpl
mkdir -p "$TPL/inst" "$TPL/outside/secret"
cp -a "$T/100" "$TPL/inst/app"
printf 'user data: must survive every attack\n' >"$TPL/inst/app/settings.txt"
chmod 600 "$TPL/inst/app/settings.txt"
printf 'do not touch\n' >"$TPL/outside/sentinel.txt"
printf 'secret\n' >"$TPL/outside/secret/secret.txt"
chmod 700 "$TPL/outside/secret"
ln "$TPL/inst/app/hello" "$TPL/outside/hello.link"          # 49: the installed inodes are never written
ln "$TPL/inst/app/lib/keep.txt" "$TPL/outside/keep.link"
out=$(timeout 60 "$UPD" check --app hello --current 1.0.0 -p "$PUB" --state "$TPL/inst/app.update" "$H/base/versions" 2>&1)
check_eq victim-baseline-check "$out" "up-to-date 1.0.0"     # serial 5 stored, id made
check_eq victim-baseline-serial "$(head -n 1 "$TPL/inst/app.update/serial" 2>&1)" 5
V=$R/inst/app S=$R/inst/app.update # (each lane sets its own)
fresh() { rm -rf "$R" 2>/dev/null || { chmod -R u+rwx "$R"; rm -rf "$R"; }; cp -a "$TPL" "$R"; }
fresh
run_hello() { # ARGS...: H_RC, H_LAST, $W/h.out, $W/h.err
    timeout 60 "$V/hello" "$@" </dev/null >"$W/h.out" 2>"$W/h.err"; H_RC=$?
    H_LAST=""; while IFS= read -r l; do H_LAST=$l; done <"$W/h.out"
}
run_hello
check_eq victim-runs "$H_RC $H_LAST" "0 hello 1.0.0"

# snap FILE [SERIAL-LINE]: the temp root R but the state dir, one line per
# path (type, mode, link count, mtime in ns, size, link target) and one per
# file (SHA-256), tagged I (the install dir) or O (anything else); then the
# state dir's `serial` (tagged S), or SERIAL-LINE instead (what it must be)
snap() {
    (cd "$R" && { find . -path ./inst/app.update -prune -o -printf '%p %y %m %n %T@ %s %l\n'
        find . -path ./inst/app.update -prune -o -type f -exec sha256sum {} +; }) |
        sed -E -e 's#^([0-9a-f]{64})  (.*)$#\2 sha \1#' -e 's#^(\./inst/app( |/))#I \1#' -e 's#^\.#O .#' |
        LC_ALL=C sort >"$1"
    if [ -n "${2:-}" ]; then echo "$2"
    else printf 'S serial '; if [ -e "$S/serial" ]; then tr '\n' ' ' <"$S/serial"; else printf absent; fi; echo; fi >>"$1"
}
# the serial line after accepting the manifest FILE
serial_line() { echo "S serial $(sed -n 's/^@serial \([0-9]*\).*/\1/p' "$1" | head -n 1) $(sha "$1") "; }
# every fresh copy looks the same: one snapshot serves as "before" for all
fresh; BASE_SNAP=$tmp/base.snap; snap "$BASE_SNAP"
fresh; snap "$W/after"
check victim-copies-identical cmp -s "$BASE_SNAP" "$W/after"
# compare NAME SECTION [loose]: the snapshot section (I install, O outside,
# S serial) is as before; loose: without link counts and the line of the
# install's parent dir, whose entries a swap renames (installs that succeed)
compare() {
    grep "^$2 " "$W/before" >"$W/b.sec"; grep "^$2 " "$W/after" >"$W/a.sec"
    if [ "${3:-}" = loose ]; then
        for f in "$W/b.sec" "$W/a.sec"; do
            sed -E -e 's/^(O [^ ]+ [a-z]+ [0-7]+) [0-9]+ /\1 /' -e '/^O \.\/inst d /d' "$f" >"$f.l"; mv "$f.l" "$f"
        done
    fi
    if cmp -s "$W/b.sec" "$W/a.sec"; then pass
    else fail "$1" "$(diff "$W/b.sec" "$W/a.sec" | grep '^[<>]' | head -n 4 | cut -c 1-160 | tr '\n' ' ')"; fi
}
no_staging() { # NAME: the engine's staging is gone
    left=""
    for f in staged previous marker helper .marker.tmp failed.tree; do
        case " ${A_KEEP:-} " in *" $f "*) continue ;; esac
        { [ -e "$S/$f" ] || [ -L "$S/$f" ]; } && left="$left $f"
    done
    if [ -z "$left" ]; then pass; else fail "$1" "the state dir still has:$left"; fi
}

# attack ID URL MESSAGE [noupdate]: the victim updates from URL and refuses.
# Options for one call (reset after it): A_SERIAL=FILE (the manifest is
# authentic: the serial becomes its own), A_SETUP / A_AFTER (functions run
# before the snapshot / after the clients), A_OPTS (more `upd update`
# options), A_WRAP (a command prefix for upd), A_PUB (the trusted key
# file), A_HELLO=0|1 (run hello --update; default: the first case of each
# number), A_NOUPD=1 (hello only)
HELLO_DONE=" "
attack() {
    id=$1 url=$2 msg=$3 mode=${4:-refuse}
    num=${id#A}; num=${num%%-*}
    exercised "$num"
    fresh
    sline=""
    [ -n "${A_SERIAL:-}" ] && sline=$(serial_line "$A_SERIAL")
    if [ -n "${A_SETUP:-}" ]; then $A_SETUP; snap "$W/before" "$sline"
    elif [ -n "$sline" ]; then { grep -v '^S ' "$BASE_SNAP"; echo "$sline"; } >"$W/before"
    else cp "$BASE_SNAP" "$W/before"; fi
    if [ -z "${A_NOUPD:-}" ]; then
        ${A_WRAP:-} timeout 60 "$UPD" update --install "$V" --exe hello --app hello --current 1.0.0 \
            -p "${A_PUB:-$PUB}" ${A_OPTS:-} "$url" </dev/null >"$W/u.out" 2>"$W/u.err"
        rc=$?
        if [ "$mode" = noupdate ]; then
            check_eq "$id-upd" "$rc $(cat "$W/u.out")" "0 up-to-date 1.0.0"
        elif [ "$rc" = 1 ] && grep '^upd: ' "$W/u.err" | grep -qF -- "$msg"; then pass
        else fail "$id-upd" "exit $rc (want 1), out [$(head -c 200 "$W/u.out")] err [$(short "$W/u.err")], want [upd: ...$msg...]"; fi
        [ -n "${ATTACKS_VERBOSE:-}" ] && echo "$id: exit $rc: $(tail -n 1 "$W/u.out" "$W/u.err" | grep -v '^==> ' | tr '\n' ' ' | cut -c 1-300)"
        sanitizer_clean "$id-upd" "$W/u.err"
    fi
    hh=${A_HELLO:-}
    if [ -z "$hh" ]; then case $HELLO_DONE in *" $num "*) hh=0 ;; *) hh=1 ;; esac; fi
    if [ "$hh" = 1 ]; then
        HELLO_DONE="$HELLO_DONE$num "
        run_hello --update "$url" --pubkey "${A_PUB:-$PUB}"
        [ "$mode" = noupdate ] && msg="1.0.0 is up to date"
        # (a sanitizer report ends hello with exit 1: the status says it)
        if [ "$H_RC $H_LAST" = "0 hello 1.0.0" ] && grep -qF -- "$msg" "$W/h.err"; then pass
        else fail "$id-hello" "exit $H_RC, last line [$H_LAST], stderr [$(short "$W/h.err")], want [$msg]"; fi
    fi
    [ -n "${A_AFTER:-}" ] && $A_AFTER
    snap "$W/after"
    if cmp -s "$W/before" "$W/after"; then pass; pass; pass   # install, serial, outside
    else
        compare "$id-install-unchanged" I
        if [ -n "$sline" ]; then compare "$id-serial-of-the-authentic-manifest" S
        else compare "$id-serial-unchanged" S; fi
        compare "$id-outside-unchanged" O
    fi
    no_staging "$id-no-staging"
    run_hello
    check_eq "$id-hello-still-runs" "$H_RC $H_LAST" "0 hello 1.0.0"
    A_SERIAL="" A_SETUP="" A_AFTER="" A_OPTS="" A_WRAP="" A_PUB="" A_HELLO="" A_NOUPD="" A_KEEP=""
}
A_SERIAL="" A_SETUP="" A_AFTER="" A_OPTS="" A_WRAP="" A_PUB="" A_HELLO="" A_NOUPD="" A_KEEP=""
# accept ID URL: a case whose outcome is an installed 1.1.0 (the rule is to
# accept): hello --update installs it; outside the state dir only the
# install changed. Leaves $W/before and $W/after for more checks.
accept() {
    id=$1 url=$2
    num=${id#A}; num=${num%%-*}
    exercised "$num"
    fresh
    [ -n "${A_SETUP:-}" ] && $A_SETUP
    snap "$W/before"
    run_hello --update "$url" --pubkey "$PUB"
    if [ "$H_RC $H_LAST" = "0 hello 1.1.0" ]; then pass; else fail "$id-installed" "exit $H_RC, last [$H_LAST]: $(short "$W/h.err")"; fi
    sanitizer_clean "$id-hello" "$W/h.err"
    snap "$W/after"
    compare "$id-outside-unchanged" O loose
    no_staging "$id-no-staging"
    A_SETUP=""
}
# cli ID EXPECT-RC MESSAGE CMD...: a parser-level case through an upd subcommand
cli() {
    id=$1 want=$2 msg=$3; shift 3
    num=${id#A}; num=${num%%-*}
    exercised "$num"
    timeout 60 "$@" </dev/null >"$W/c.out" 2>"$W/c.err"; rc=$?
    if [ "$rc" = "$want" ] && { [ -z "$msg" ] || grep -qF -- "$msg" "$W/c.err" "$W/c.out"; }; then pass
    else fail "$id" "exit $rc (want $want): out [$(head -c 200 "$W/c.out" | tr '\n' ' ')] err [$(head -c 300 "$W/c.err" | tr '\n' ' ')] want [$msg]"; fi
    sanitizer_clean "$id" "$W/c.err"
}

# ======== signature and manifest (cases 1-17) ========
sec_signature() {
section "signature and manifest (cases 1-17)"
ms() { $TOOL minisig "$@"; }
# 1: a byte flipped after signing, with the default (ED) and a legacy (Ed) signature
for alg in ed legacy; do
    signed "flip-$alg" 6 "$L110"
    [ "$alg" = legacy ] && sign_with "$KEY" "$www/flip-$alg/versions" -l
    sed -i 's/^hello 1\.1\.0 /hello 1.1.1 /' "$www/flip-$alg/versions"
    attack "A1-flip-$alg" "$H/flip-$alg/versions" "versions.minisig: signature verification failed"
done
# 2: real minisign signatures (default and legacy) verify; upd sign's verify with minisign
if have minisign; then
    timeout 30 minisign -G -W -p "$tmp/m.pub" -s "$tmp/m.key" </dev/null >/dev/null 2>&1 || fail A2-minisign-keygen "minisign -G failed"
    for alg in ed legacy; do
        repo "minisign-$alg" 6 "$L110"
        [ "$alg" = legacy ] && lflag=-l || lflag=
        timeout 30 minisign -S $lflag -m "$www/minisign-$alg/versions" -s "$tmp/m.key" </dev/null >/dev/null 2>&1 ||
            fail "A2-minisign-sign-$alg" "minisign -S failed"
        cli "A2-minisign-$alg-signature-accepted" 0 "update 1.1.0" \
            "$UPD" check --app hello --current 1.0.0 -p "$tmp/m.pub" --state "$W/st-m-$alg" "$H/minisign-$alg/versions"
    done
    repo upd-signed 6 "$L110"
    sign_with "$KEY" "$www/upd-signed/versions"
    cli A2-upd-sign-verified-by-minisign 0 "" minisign -Vm "$www/upd-signed/versions" -p "$PUB"
    sign_with "$KEY" "$www/upd-signed/versions" -l
    cli A2-upd-sign-legacy-verified-by-minisign 0 "" minisign -Vm "$www/upd-signed/versions" -p "$PUB"
else
    skip A2-minisign "minisign is not installed (apt-get install minisign)"
fi
not_applicable 2 "(part) signify's 2-line signature files: not supported, minisign's 4-line format only (docs/signatures.md); such a file is refused as malformed (A7-minisig-lines2)"
# 3: S+L (a malleated signature a lax verifier such as signify's ref10
# accepts), with a valid global signature over it (made by upd sign -l)
signed malleable 6 "$L110"
$TOOL malleate-msg "$www/malleable/versions.minisig" "$W/global.msg"
sign_with "$KEY" "$W/global.msg" -l
$TOOL malleate "$www/malleable/versions.minisig" "$W/global.msg.minisig" "$W/malleated.minisig"
cp "$W/malleated.minisig" "$www/malleable/versions.minisig"
attack A3-s-plus-l "$H/malleable/versions" "versions.minisig: signature verification failed"
covered 3 tests/t_sign.c test_sign_ed25519_wycheproof test_sign_ed25519_signify_malleable
# 4: small-order key and signature: the all-zero key and signature (CCTV
# vector 0), the identity point as A and R with S = 0 (valid for any message
# to a cofactorless verifier without the small-order check)
for kind in ZERO IDENTITY; do
    signed "degenerate-$kind" 6 "$L110"
    $TOOL key-of "$www/degenerate-$kind/versions.minisig" "$W/deg-$kind.pub" "$kind"
    $TOOL zerosig "$www/degenerate-$kind/versions.minisig" "$W/deg.sig" "$kind"
    cp "$W/deg.sig" "$www/degenerate-$kind/versions.minisig"
    cli "A4-small-order-$kind-verify" 1 "signature verification failed" "$UPD" verify -p "$W/deg-$kind.pub" "$www/degenerate-$kind/versions"
    if [ "$kind" = IDENTITY ]; then
        A_PUB=$W/deg-$kind.pub
        attack "A4-small-order-$kind" "$H/degenerate-$kind/versions" "versions.minisig: signature verification failed"
    fi
done
covered 4 tests/t_sign.c test_sign_ed25519_speccheck
# 5: the trusted comment, the global signature
signed tc-changed 6 "$L110"
ms "$www/tc-changed/versions.minisig" "$W/x.sig" flip-tc && cp "$W/x.sig" "$www/tc-changed/versions.minisig"
attack A5-trusted-comment-changed "$H/tc-changed/versions" "trusted comment signature verification failed"
signed global-pasted 6 "$L110"
ms "$www/global-pasted/versions.minisig" "$W/x.sig" paste-tc-global "$www/flip-ed/versions.minisig" &&
    cp "$W/x.sig" "$www/global-pasted/versions.minisig"
attack A5-global-signature-pasted "$H/global-pasted/versions" "trusted comment signature verification failed"
signed untrusted-edited 6 "$L110"
ms "$www/untrusted-edited/versions.minisig" "$W/x.sig" untrusted && cp "$W/x.sig" "$www/untrusted-edited/versions.minisig"
cli A5-untrusted-comment-edited-accepted 0 "update 1.1.0" \
    "$UPD" check --app hello --current 1.0.0 -p "$PUB" --state "$W/st-untrusted" "$H/untrusted-edited/versions"
# 6: key ids
repo other-key 6 "$L110"; sign_with "$tmp/o.key" "$www/other-key/versions"
attack A6-unknown-key "$H/other-key/versions" "versions.minisig: signed by a key that is not trusted"
cli A6-second-trusted-key-accepted 0 "update 1.1.0" \
    "$UPD" check --app hello --current 1.0.0 -p "$PUB" -p "$tmp/o.pub" --state "$W/st-two-keys" "$H/other-key/versions"
repo keyid-swapped 6 "$L110"; sign_with "$tmp/o.key" "$www/keyid-swapped/versions"
ms "$www/keyid-swapped/versions.minisig" "$W/x.sig" keynum-of "$www/flip-ed/versions.minisig" &&
    cp "$W/x.sig" "$www/keyid-swapped/versions.minisig"
attack A6-trusted-key-id-other-signature "$H/keyid-swapped/versions" "versions.minisig: signature verification failed"
# 7: malformed .minisig files (each refused before any signature math), CRLF accepted
for op in "e2e:alg Ex:unsupported signature or key algorithm" "cli:alg ed:unsupported signature or key algorithm" \
    "cli:len73:invalid base64" "cli:len75:invalid base64" "e2e:nopad:invalid base64" \
    "cli:b64-bad-char:invalid base64" "cli:b64-nul:invalid base64" "cli:lines2:malformed signature or key file" \
    "cli:lines3:malformed signature or key file" "e2e:long-line:the manifest's signature: body larger than 4096 bytes" \
    "cli:ctrl-tc:malformed signature or key file"; do
    how=${op%%:*} r=${op#*:}; o=${r%%:*} m=${r#*:}
    n=$(echo "$o" | tr ' ' '-')
    signed "minisig-$n" 6 "$L110"
    # shellcheck disable=SC2086
    ms "$www/minisig-$n/versions.minisig" "$W/x.sig" $o && cp "$W/x.sig" "$www/minisig-$n/versions.minisig"
    if [ "$how" = e2e ]; then attack "A7-minisig-$n" "$H/minisig-$n/versions" "$m"
    else cli "A7-minisig-$n-verify" 1 "$m" "$UPD" verify -p "$PUB" "$www/minisig-$n/versions"; fi
done
signed minisig-crlf 6 "$L110"
ms "$www/minisig-crlf/versions.minisig" "$W/x.sig" crlf && cp "$W/x.sig" "$www/minisig-crlf/versions.minisig"
cli A7-minisig-crlf-accepted 0 "update 1.1.0" \
    "$UPD" check --app hello --current 1.0.0 -p "$PUB" --state "$W/st-crlf" "$H/minisig-crlf/versions"
covered 7 tests/t_sign.c test_sign_minisign_lines test_sign_minisign_base64 test_sign_minisign_alg_keyid test_sign_minisign_trusted_text
# 8: endless manifest, endless .minisig: refused at the cap, the transfer cut
signed endless-sig 6 "$L110"
A_HELLO=1; attack A8-endless-manifest "$AS/endless/versions" "body larger than 1048576 bytes"
A_HELLO=1; attack A8-endless-minisig "$AS/sig-endless/endless-sig/versions" "the manifest's signature: body larger than 4096 bytes"
sent=$(sed -n 's/^endless .* sent \([0-9]*\) bytes$/\1/p' "$tmp/srv/attack.log" | sort -n | tail -n 1)
if [ -n "$sent" ] && [ "$sent" -lt 16777216 ]; then pass; else fail A8-endless-transfer-cut "the server sent [$sent] bytes before the client went away"; fi
# 9: rollback and fork of @serial; the same manifest again
signed serial-older 4 "$L110"
attack A9-serial-older "$H/serial-older/versions" "has @serial 4, older than 5 accepted before"
signed serial-fork 5 "$L110"
attack A9-serial-same-other-bytes "$H/serial-fork/versions" "has @serial 5 like the one accepted before, but other content (a forked manifest)"
attack A9-serial-same-manifest-again "$H/base/versions" "" noupdate
# 10: nothing newer, or the same version with another digest: no update, no download
mkdir -p "$www/a10"; cp "$GOOD" "$www/a10/hello-1.1.0.tar.gz"
signed older-release 6 "$(rel "$GOOD" hello 0.9.0 ../a10/hello-1.1.0.tar.gz)"
A_SERIAL=$www/older-release/versions
attack A10-older-release "$H/older-release/versions" "" noupdate
signed same-version-new-hash 6 "$(rel "$GOOD" hello 1.0.0 ../a10/hello-1.1.0.tar.gz)"
A_SERIAL=$www/same-version-new-hash/versions
attack A10-same-version-new-digest "$H/same-version-new-hash/versions" "" noupdate
if [ -n "$NP" ]; then
    if grep -q '^/a10/' "$N/access.log"; then fail A10-archive-never-fetched "$(grep -c '^/a10/' "$N/access.log") requests"; else pass; fi
fi
# 11: @expires in the past, a malformed date
signed expired 6 "@expires 2020-01-01T00:00:00Z" "$L110"
attack A11-expired "$H/expired/versions" "expired at 1577836800 (a replayed old manifest, or this device's clock is wrong)"
signed bad-date 6 "@expires 2020-13-01T00:00:00Z" "$L110"
attack A11-malformed-date "$H/bad-date/versions" "line 3: bad @expires '2020-13-01T00:00:00Z'"
# 12: numbers that would wrap, bad digests, NUL, an over-long line
Lx=$(rel "$GOOD" hello 1.1.0 ../good/hello-1.1.0.tar.gz)
hex=$(sha "$GOOD")
long=$(head -c 5000 /dev/zero | tr '\0' x)
i=0
for c in "e2e|serial-2^64|@serial 18446744073709551616|$Lx|line 2: bad @serial '18446744073709551616'" \
    "cli|serial-2^63|@serial 9223372036854775808|$Lx|line 2: bad @serial '9223372036854775808'" \
    "cli|serial-negative|@serial -1|$Lx|line 2: bad @serial '-1'" \
    "e2e|size-overflow|@serial 6|$(echo "$Lx" | sed 's/size=[0-9]*/size=99999999999999999999/')|line 3: bad size '99999999999999999999'" \
    "cli|version-overflow|@serial 6|$(echo "$Lx" | sed 's/ 1\.1\.0 / 1.0.18446744073709551616 /')|line 3: bad version '1.0.18446744073709551616'" \
    "cli|sha256-63|@serial 6|$(echo "$Lx" | sed "s/sha256=$hex/sha256=${hex%?}/")|line 3: bad sha256" \
    "cli|sha256-65|@serial 6|$(echo "$Lx" | sed "s/sha256=$hex/sha256=${hex}0/")|line 3: bad sha256" \
    "cli|sha256-non-hex|@serial 6|$(echo "$Lx" | sed "s/sha256=$hex/sha256=${hex%?}g/")|line 3: bad sha256" \
    "e2e|over-long-line|@serial 6|$Lx notes=$long|line 3: line longer than 4096 bytes"; do
    how=${c%%|*} r=${c#*|}; n=${r%%|*} r=${r#*|}; d1=${r%%|*} r=${r#*|}; d2=${r%%|*} m=${r#*|}
    i=$((i + 1))
    signed "num-$i" none "$d1" "$d2"
    if [ "$how" = e2e ]; then attack "A12-$n" "$H/num-$i/versions" "$m"
    else cli "A12-$n-manifest" 1 "$m" "$UPD" manifest "$www/num-$i/versions"; fi
done
signed num-nul 6 "$Lx"
$PY -c 'import sys; p = sys.argv[1]; b = open(p, "rb").read(); open(p, "wb").write(b.replace(b"url=", b"url=\0", 1))' "$www/num-nul/versions"
sign_with "$KEY" "$www/num-nul/versions"
attack A12-nul-byte "$H/num-nul/versions" "line 3: NUL byte"
# 13: a duplicate attribute, no @serial
signed dup-attr 6 "$(echo "$Lx" | sed 's/ size=/ size=1 size=/')"
attack A13-duplicate-attribute "$H/dup-attr/versions" "line 3: duplicate key 'size'"
signed no-serial none "$Lx"
cli A13-missing-serial-manifest 1 "missing @serial" "$UPD" manifest "$www/no-serial/versions"
# 14: another app, another channel, an incremental package for another version: not chosen; the wrong program: refused
signed other-app 6 "$(rel "$GOOD" hellox 1.1.0 ../good/hello-1.1.0.tar.gz)"
A_SERIAL=$www/other-app/versions; attack A14-other-app "$H/other-app/versions" "" noupdate
signed other-channel 6 "$(rel "$GOOD" hello 1.1.0 ../good/hello-1.1.0.tar.gz channel=beta)"
cli A14-other-channel-check 0 "up-to-date 1.0.0" \
    "$UPD" check --app hello --current 1.0.0 -p "$PUB" --state "$W/st-channel" "$H/other-channel/versions"
signed from-other 6 "$(rel "$GOOD" hello 1.1.0 ../good/hello-1.1.0.tar.gz from=0.9.0)"
A_SERIAL=$www/from-other/versions; attack A14-from-other-version "$H/from-other/versions" "" noupdate
for n in exe-deleted exe-not-executable; do
    arepo "$n" "$www/arch/$n.tar.gz"
    A_SERIAL=$www/$n/versions; attack "A14-wrong-program-$n" "$H/$n/versions" "the new tree has no executable hello"
done
# 15: mix-and-match: the 1.0.0 archive at 1.1.0's URL; a manifest with another's signature
mkdir -p "$www/mix"; cp "$www/old/hello-1.0.0.tar.gz" "$www/mix/hello-1.1.0.tar.gz"
signed mix 6 "$(rel "$GOOD" hello 1.1.0 hello-1.1.0.tar.gz)"
A_SERIAL=$www/mix/versions
attack A15-archive-of-another-release "$H/mix/versions" "the manifest says"
mkdir -p "$www/mix-hostile"; cp "$www/arch/abs.tar.gz" "$www/mix-hostile/hello-1.1.0.tar.gz"
printf '%s\n' "$(rel "$GOOD" hello 1.1.0 hello-1.1.0.tar.gz | sed "s/size=[0-9]*/size=$(fsize "$www/arch/abs.tar.gz")/")" >"$W/l"
signed mix-hostile 6 "$(cat "$W/l")"
A_SERIAL=$www/mix-hostile/versions
attack A15-hostile-archive-never-extracted "$H/mix-hostile/versions" "the manifest says $(sha "$GOOD")"
signed mix-sig 6 "$L110"
cp "$www/flip-ed/versions.minisig" "$www/mix-sig/versions.minisig"   # signed, for another manifest
attack A15-signature-of-another-manifest "$H/mix-sig/versions" "versions.minisig: signature verification failed"
# 16: longer than size (an endless body: cut at size+1); shorter, the connection closed: kept for resume
signed longer 6 "hello 1.1.0 url=$AS/endless/hello-1.1.0.tar.gz size=$GOODN sha256=$(sha "$GOOD")"
A_SERIAL=$www/longer/versions
attack A16-longer-than-size "$H/longer/versions" "the server sends more than the $GOODN bytes the manifest says"
signed truncated 6 "hello 1.1.0 url=$F/truncated size=1000 sha256=$(sha "$GOOD")"
keep_part() { check_eq A16-truncated-part-kept "$(fsize "$S/download.part" 2>&1) $(sed -n 's/^synced=//p' "$S/download.info" 2>&1)" "500 500"; }
A_SERIAL=$www/truncated/versions A_AFTER=keep_part A_HELLO=0
attack A16-truncated-connection-closed "$H/truncated/versions" "closed before the end of the body"
covered 16 tests/client.sh size-larger-chunked size-smaller-close-delimited size-larger-announced
# 17: schemes other than http(s) in the manifest
for u in "file:///etc/passwd" "ftp://127.0.0.1/hello-1.1.0.tar.gz" "gopher://127.0.0.1/hello-1.1.0.tar.gz"; do
    n=${u%%:*}
    signed "scheme-$n" 6 "$(rel "$GOOD" hello 1.1.0 "$u")"
    attack "A17-url-$n" "$H/scheme-$n/versions" "line 3: bad url '$u': only http and https URLs are allowed"
done
not_applicable 17 "(part) \"http:// under an https manifest when https-only is configured\": there is no https-only setting; an https manifest's redirect to http is refused (tests/tls.sh https-to-http)"

}

# ======== HTTP (cases 18-28) ========
sec_http() {
section "HTTP (cases 18-28)"
# 18: redirects of the archive (after the manifest verified): a loop, more
# than 5, to file:// (of the very archive: following it would install it),
# ftp://, data:, no host
if [ -n "$NP" ]; then
    for c in "loop|too many redirects" "c1|too many redirects" "file|refused: only http and https URLs are allowed" \
        "data|refused: only http and https URLs are allowed" "nohost|refused"; do
        n=${c%%|*} m=${c#*|}
        signed "redir-$n" 6 "hello 1.1.0 url=$H/redir/$n size=$GOODN sha256=$(sha "$GOOD")"
        A_SERIAL=$www/redir-$n/versions
        attack "A18-redirect-$n" "$H/redir-$n/versions" "$m"
    done
else
    skip A18-redirects "nginx is not installed"
fi
covered 18 tests/http.sh six-redirects redirect-to-ftp
# 19: credentials never follow a redirect to another host
covered 19 tests/http.sh auth-dropped-other-host auth-dropped-other-host-log
covered 19 tests/tls.sh https-to-http
# 20: bad hosts in the manifest; credentials in the manifest URL stay out of messages
signed host-pct2f 6 "$(rel "$GOOD" hello 1.1.0 "http://127.0.0.1%2F.evil/x.tar.gz")"
attack A20-host-pct-2F "$H/host-pct2f/versions" "bad character in URL host"
signed host-pct00 6 "$(rel "$GOOD" hello 1.1.0 "http://127.0.0.1%00.evil/x.tar.gz")"
cli A20-host-pct-00-manifest 1 "bad character in URL host" "$UPD" manifest "$www/host-pct00/versions"
signed userinfo 6 "$(rel "$GOOD" hello 1.1.0 "http://user:pw@127.0.0.1/x.tar.gz")"
attack A20-userinfo-in-release-url "$H/userinfo/versions" "credentials (user@) in URL are not allowed"
attack A20-credentials-not-in-messages "http://user:s3cr3tpw@${H#http://}/nowhere/versions" "HTTP 404"
lacks A20-credentials-not-in-upd-message "$W/u.err" s3cr3tpw
# 21-24: a broken response to the archive request (after the manifest verified)
for c in "21|garbage|malformed status line" "22|header-100k|header section too large" \
    "23|smuggle|both Content-Length and Transfer-Encoding" "24|huge-chunk|chunk size"; do
    cn=${c%%|*} r=${c#*|}; n=${r%%|*} m=${r#*|}
    signed "http-$n" 6 "hello 1.1.0 url=$F/$n size=$GOODN sha256=$(sha "$GOOD")"
    A_SERIAL=$www/http-$n/versions
    attack "A$cn-$n" "$H/http-$n/versions" "$m"
done
covered 21 tests/t_http.c test_http_bad_status_line
covered 21 tests/http.sh endless-interim-responses
covered 22 tests/t_http.c test_http_limits test_http_limit_no_overrun test_http_bad_fields
covered 22 tests/http.sh headers-1000 nul-in-header
covered 23 tests/t_http.c test_http_bad_framing
covered 23 tests/http.sh two-lengths
covered 24 tests/t_http.c test_http_bad_chunks test_http_truncated
covered 24 tests/http.sh bad-chunk-size chunk-no-crlf
# 25: a Content-Encoding the client did not ask for: the encoded bytes are
# not the signed ones, so the manifest is refused (the client sends
# Accept-Encoding: identity and never decodes)
mkdir -p "$www/ce-real"
{ echo "@serial 6"; echo "$L110"; } >"$W/ce.txt"
sign_with "$KEY" "$W/ce.txt"
gzip -n -c "$W/ce.txt" >"$www/ce-real/versions"; cp "$W/ce.txt.minisig" "$www/ce-real/versions.minisig"
attack A25-content-encoding-gzip "$AS/gzip-ce/ce-real/versions" "versions.minisig: signature verification failed"
# 26: 1 byte every 5 s; accept, then silence (upd update --timeout 1)
signed slow 6 "hello 1.1.0 url=$F/slow/5000 size=1000 sha256=$(sha "$GOOD")"
A_SERIAL=$www/slow/versions A_OPTS="--timeout 1" A_HELLO=0
attack A26-one-byte-every-5s "$H/slow/versions" "timed out"
A_OPTS="--timeout 1" A_HELLO=0
attack A26-accept-then-silence "$F/silent" "timed out"
covered 26 tests/http.sh slow-server silent-server
not_applicable 26 "(part) a connect to a blackhole address: no address is sure to black-hole in every sandbox (connect timeouts: tests/t_http.c, tests/http.sh)"
# 27: error statuses for the archive; a 206 nobody asked for
for c in 404 500 407; do
    if [ "$c" = 404 ]; then u=$H/nowhere/hello-1.1.0.tar.gz; else u=$H/status/$c; fi
    [ -z "$NP" ] && [ "$c" != 404 ] && { skip "A27-status-$c" "nginx is not installed"; continue; }
    signed "status-$c" 6 "hello 1.1.0 url=$u size=$GOODN sha256=$(sha "$GOOD")"
    A_SERIAL=$www/status-$c/versions
    attack "A27-status-$c" "$H/status-$c/versions" "HTTP $c for $u"
done
signed unasked-206 6 "hello 1.1.0 url=$AS/206/good/hello-1.1.0.tar.gz size=$GOODN sha256=$(sha "$GOOD")"
A_SERIAL=$www/unasked-206/versions
attack A27-206-without-range "$H/unasked-206/versions" "the server answered with the wrong range"
# 28: a tampered download.part (its journal says the prefix is synced):
# resumed with a Range, the whole file's SHA-256 refuses it, the part goes;
# the next run downloads it all again and installs
tamper_part() {
    half=$((GOODN / 2))
    head -c "$half" "$GOOD" >"$S/download.part"
    $PY -c 'import sys; f = open(sys.argv[1], "r+b"); f.seek(100); b = f.read(1); f.seek(100); f.write(bytes([b[0] ^ 1]))' "$S/download.part"
    etag=$(timeout 20 $PY -c 'import sys, urllib.request
r = urllib.request.urlopen(urllib.request.Request(sys.argv[1], method="HEAD"), timeout=10)
print(r.headers["ETag"])' "$H/good/hello-1.1.0.tar.gz")  # the server's own validator
    printf 'url=%s\nsha256=%s\nsize=%s\nvalidator=%s\nsynced=%s\n' "$H/good/hello-1.1.0.tar.gz" "$(sha "$GOOD")" "$GOODN" "$etag" "$half" >"$S/download.info"
    chmod 600 "$S/download.part" "$S/download.info"
}
signed resume-tampered 6 "$(rel "$GOOD" hello 1.1.0 ../good/hello-1.1.0.tar.gz)"
part_gone() { if [ -e "$S/download.part" ]; then fail A28-tampered-part-discarded "download.part is still there"; else pass; fi; }
A_SETUP=tamper_part A_AFTER=part_gone A_SERIAL=$www/resume-tampered/versions A_HELLO=0
attack A28-tampered-part "$H/resume-tampered/versions" "the manifest says $(sha "$GOOD")"
if [ -n "$NP" ]; then
    if grep -q "^/good/hello-1\.1\.0\.tar\.gz|206|.*|bytes=$((GOODN / 2))-\$" "$N/access.log"; then pass
    else fail A28-tampered-part-was-resumed "no 206 for bytes=$((GOODN / 2))- in the nginx log"; fi
fi
run_hello --update "$H/resume-tampered/versions" --pubkey "$PUB"
check_eq A28-next-run-downloads-again-and-installs "$H_RC $H_LAST" "0 hello 1.1.0"
covered 28 tests/http.sh fault-resume-200-restarts fault-range-wrong-start fault-resume-part-too-long
covered 28 tests/client.sh 2c-if-range-mismatch-update 2d-changed-file-not-installed

}

# ======== gzip and deflate (cases 29-33) ========
sec_gzip() {
section "gzip and deflate (cases 29-33)"
# through upd gunzip: every form; end to end: one per case (the signed
# archive's digest matches: only the gzip reader stands in the way)
while IFS=$TAB read -r n m; do
    case $n in magic|method-7|flags-e0|fextra-*|fname-*|fcomment-*|fhcrc-*) cn=29 ;;
        crc-*|isize-*|trailer-*|cut-*) cn=30 ;; block-*|stored-*|distance-*|symbol-*|hlit-*) cn=31 ;;
        gzip-of-gzip) cn=32 ;; *) cn=33 ;; esac
    case $m in ok) cli "A$cn-gunzip-$n" 0 "" "$UPD" gunzip -o "$W/gz.out" "$www/gz/$n.gz" ;;
        "") [ "$n" = gzip-of-gzip ] && continue
            cli "A$cn-gunzip-$n" 1 "input ends too early" "$UPD" gunzip -o "$W/gz.out" "$www/gz/$n.gz" ;;
        *) cli "A$cn-gunzip-$n" 1 "$m" "$UPD" gunzip -o "$W/gz.out" "$www/gz/$n.gz" ;;
    esac
done <"$www/gz/list"
for c in "29|flags-e0|gzip: reserved header flags set" "30|crc-mismatch|gzip: CRC-32 mismatch" \
    "31|block-type-3|deflate: invalid block type" "32|gzip-of-gzip|checksum" "33|trailing-garbage|not gzip data"; do
    cn=${c%%|*} r=${c#*|}; n=${r%%|*} m=${r#*|}
    arepo "gz-$n" "$www/gz/$n.gz"
    A_SERIAL=$www/gz-$n/versions
    attack "A$cn-$n" "$H/gz-$n/versions" "$m"
done
covered 29 tests/t_gunzip.c test_gunzip_errors_gzip
covered 30 tests/t_gunzip.c test_gunzip_truncated test_gunzip_errors_gzip
covered 31 tests/t_gunzip.c test_gunzip_errors_deflate
covered 31 tests/fuzz.sh fuzz_gunzip
# 32: a bomb: 11 MB of gzip, one 10 GiB file of zeros (a cap of 8 GiB in the
# engine refuses its header); a file-size limit of 256 MiB guards the disk
arepo bomb "$www/bomb/bomb.tar.gz"
A_SERIAL=$www/bomb/versions A_WRAP="$FLIMIT 262144" A_HELLO=0
attack A32-bomb-10GiB "$H/bomb/versions" "the archive expands past 8589934592 bytes"
cli A32-gunzip-max-size 1 "output exceeds --max-size 100000000 bytes" "$UPD" gunzip --max-size 100000000 -o "$W/gz.out" "$www/bomb/bomb.tar.gz"
# 33: two members decode as one stream: installs
arepo gz-two-members "$www/gz/two-members.gz"
accept A33-two-members "$H/gz-two-members/versions"
covered 33 tests/t_gunzip.c test_gunzip_members_separate test_gunzip_member_boundary

}

# ======== tar (cases 34-48) ========
sec_tar() {
section "tar (cases 34-48)"
# end to end: a selection, at least one per case; the rest through upd untar
# (the engine's extraction is the same code; tests/tar.sh runs them all too)
TAR_E2E="abs dotdot-marker backslash-dotdot symlink-abs-then-file symlink-then-file-in-tree
    symlink-escape hardlink-abs hardlink-not-yet type-3-chardev type-S size-non-octal bad-checksum
    pax-path-dotdot gnu-longname-1gib exe-then-symlink path-over-4096 nul-in-name delete-dotdot delete-abs delete-state-marker"
# shellcheck disable=SC2086,SC2116
TAR_E2E=$(echo $TAR_E2E)
touch "$W/tar.t0"
while IFS=$TAB read -r n m; do
    case $n in abs|dotdot*|a-dotdot*|dot-dotdot|x-dotdot3) cn=34 ;; backslash-*) cn=35 ;;
        symlink-abs-then-file) cn=36 ;; symlink-then-file-in-tree|dir-then-*) cn=37 ;; symlink-*) cn=38 ;;
        hardlink-*) cn=39 ;; type-*) cn=40 ;; size-*) cn=41 ;; bad-checksum|zero-block-*) cn=42 ;;
        pax-*) cn=43 ;; gnu-*) cn=44 ;; exe-then-symlink) cn=45 ;; path-*|depth-*|nul-*) cn=47 ;;
        delete-*) cn=48 ;; *) continue ;; esac
    case " $TAR_E2E " in
    *" $n "*)
        arepo "tar-$n" "$www/arch/$n.tar.gz"
        A_SERIAL=$www/tar-$n/versions
        attack "A$cn-$n" "$H/tar-$n/versions" "$m" ;;
    *)  rm -rf "$W/x"; mkdir "$W/x"
        cli "A$cn-$n-untar" 1 "$m" "$UPD" untar -C "$W/x" "$www/arch/$n.tar.gz"
        left=$(find "$W/x" -name '.upd-tmp-*'; find "$R/outside" -newer "$W/tar.t0" 2>/dev/null)
        check_eq "A$cn-$n-untar-nothing-outside" "$left" "" ;;
    esac
done <"$www/arch/list"
# 36 over two updates: the install already holds conf -> ../../outside
conf_link() { ln -s ../../outside "$V/conf"; }
arepo tar-two-updates "$www/trees/file-through-old-symlink.tar.gz"
A_SETUP=conf_link A_SERIAL=$www/tar-two-updates/versions
attack A36-file-through-an-installed-symlink "$H/tar-two-updates/versions" "'conf/pwned': 'conf' is a symlink or not a directory; not followed"
covered 34 tests/tar_hostile.py dot-dotdot a-dotdot-dotdot
covered 40 tests/t_tar.c test_tar_unsupported_types
covered 41 tests/t_tar.c test_tar_bad_numbers test_tar_base256
covered 42 tests/t_tar.c test_tar_checksum test_tar_end_of_archive
covered 43 tests/t_tar.c test_tar_pax_size test_tar_pax_and_gnu_long test_tar_pax_malformed
covered 44 tests/t_tar.c test_tar_gnu_long_limits test_tar_names
# 39 + 49: hard links to the staged (= installed) hello and lib/keep.txt,
# then those names written again: the installed inodes never change (the
# sentinel hard links outside still hold 1.0.0's bytes)
arepo hardlink-rewrite "$www/trees/hardlink-rewrite.tar.gz"
accept A39-hardlink-then-rewrite "$H/hardlink-rewrite/versions"
exercised 49
check_eq A49-installed-hello-inode-unchanged "$(sha "$R/outside/hello.link")" "$(sha "$T/100/hello")"
check_eq A49-installed-keep-inode-unchanged "$(cat "$R/outside/keep.link")" "kept"
check_eq A39-rewritten-names "$(cat "$V/h1" "$V/h2" "$V/lib/keep.txt" 2>&1 | tr '\n' '|')" "rewritten h1|rewritten h2|rewritten keep|"
# 43: TARmageddon: the pax size is the truth for exactly the next entry
arepo desync "$www/trees/desync.tar.gz"
accept A43-pax-size-desync "$H/desync/versions"
check_eq A43-carriers-have-the-pax-size "$(fsize "$V/carrier0.bin" 2>&1) $(fsize "$V/carrier512.bin" 2>&1)" "1536 1536"
if [ -e "$V/smuggled.txt" ]; then fail A43-nothing-smuggled "smuggled.txt was extracted"; else pass; fi
# 46: setuid, setgid, sticky, world-writable, another owner (as root: no chown)
arepo modes "$www/trees/modes.tar.gz"
accept A46-modes "$H/modes/versions"
modes=$(find "$V" \( -perm -4000 -o -perm -2000 -o -perm -1000 \) -printf '%m %P\n' | sort | tr '\n' ' ')
check_eq A46-no-setuid-setgid-sticky "$modes" ""
ww=$(find "$V" ! -type l -perm -0002 -printf '%m %P\n' | sort | tr '\n' ' ')
check_eq A46-nothing-world-writable "$ww" ""
gw=$(find "$V" ! -type l -perm -0020 -printf '%m %P\n' | sort | tr '\n' ' ')
check_eq A46-nothing-group-writable "$gw" ""
check_eq A46-owner-is-the-updater "$(find "$V" ! -user "$(id -u)" -printf '%u %P\n' | head -n 3 | tr '\n' ' ')" ""
# 47: 10^6 entries cost minutes of file creation: the cap is tested in the unit tests
covered 47 tests/t_tar.c test_untar_limits
# 48: a symlinked directory in .updater-delete is not followed (nothing outside goes)
arepo delete-through-symlink "$www/trees/delete-through-symlink.tar.gz"
A_SETUP=conf_link
accept A48-delete-through-a-symlinked-dir "$H/delete-through-symlink/versions"
check_eq A48-outside-sentinel-kept "$(cat "$R/outside/sentinel.txt" 2>&1)" "do not touch"
not_applicable 45 "(part) names equal after Unicode normalisation or case folding: Linux filesystems compare bytes, so they are two names; a later entry of the same name replaces an earlier one (documented), tested above with the program replaced by a symlink"
# two rules where updater.h differs from SECURITY.md, on purpose
rm -rf "$W/x"; mkdir "$W/x"
cli A35-C-colon-is-a-plain-name 0 "" "$UPD" untar -C "$W/x" "$www/trees/c-colon.tar.gz"
check_eq A35-C-colon-extracted-inside "$(cat "$W/x/C:x" 2>&1)" "drive-relative on Windows only"
not_applicable 35 "(part) 'C:x' without a backslash is an ordinary POSIX name (drive-relative only on Windows, which updater.h does not support): accepted"
rm -rf "$W/x"; mkdir "$W/x"
cli A40-type-7-is-a-regular-file 0 "" "$UPD" untar -C "$W/x" "$www/trees/type-7.tar.gz"
check_eq A40-type-7-extracted "$(cat "$W/x/contiguous.bin" 2>&1)" "contiguous"
not_applicable 40 "(part) type '7' (contiguous file) is a regular file, as GNU tar and bsdtar read it (docs/archives.md): accepted"

}

# ======== staging, state dir, marker, locks (cases 49-53) ========
sec_state() {
section "staging, state dir, marker, locks (cases 49-53)"
signed goodrepo 6 "$L110"
GURL=$H/goodrepo/versions
# 50: the state dir a symlink, writable by others, owned by another user
sd_symlink() { mv "$S" "$R/outside/real.update"; ln -s ../outside/real.update "$S"; }
A_SETUP=sd_symlink
attack A50-state-dir-symlink "$GURL" "state dir $S: Not a directory"
sd_mode() { chmod 0777 "$S"; }
A_SETUP=sd_mode
attack A50-state-dir-world-writable "$GURL" "is not ours alone (owner or mode)"
fresh; chmod 0770 "$S"
cli A50-state-dir-group-writable-check 1 "is not ours alone (owner or mode)" \
    "$UPD" check --app hello --current 1.0.0 -p "$PUB" --state "$S" "$GURL"
if [ "$(id -u)" = 0 ]; then
    sd_owner() { chown 65534 "$S"; }
    A_SETUP=sd_owner A_HELLO=1
    attack A50-state-dir-other-owner "$GURL" "is not ours alone (owner or mode)"
else
    skip A50-state-dir-other-owner "not root: cannot give the state dir to another user"
fi
# state files that are symlinks: each must be refused, and the target outside never written
sf_part() { printf 'do not touch\n' >"$R/outside/target"; ln -s ../../outside/target "$S/download.part"; }
A_SETUP=sf_part A_SERIAL=$www/goodrepo/versions
attack A50-download-part-symlink "$GURL" "download.part: Too many levels of symbolic links"
sf_marker() { printf 'state=swap\n' >"$R/outside/target"; ln -s ../../outside/target "$S/marker"; }
A_SETUP=sf_marker A_HELLO=1 A_SERIAL=$www/goodrepo/versions A_KEEP=marker
attack A50-marker-symlink "$GURL" "marker: Too many levels of symbolic links"
# a `helper` symlink is removed, never written through: the copy of the
# program is made afresh (O_EXCL) and the update goes on; outside unchanged
sf_helper() { printf 'do not touch\n' >"$R/outside/target"; ln -s ../../outside/target "$S/helper"; }
A_SETUP=sf_helper
accept A50-helper-symlink-replaced "$GURL"
# `serial`, `revoked` and `failed` as symlinks (to copies of themselves in
# the state dir) must be refused like download.part and marker (SECURITY.md:
# E_STATE), not read as absent: that restarts the rollback protection from
# 0, trusts a revoked key again, offers a rolled-back release again. The
# same files as regular files refuse each (controls). (serial: end to end;
# the other two through upd check, one check each)
signed serial-older-2 4 "$L110"
sf_serial() { mv "$S/serial" "$S/serial.real"; ln -s serial.real "$S/serial"; }
A_SETUP=sf_serial A_HELLO=0
attack A50-serial-symlink "$H/serial-older-2/versions" "serial: Too many levels of symbolic links"
fresh
cli A50-serial-regular-file-control 1 "has @serial 4, older than 5" \
    "$UPD" check --app hello --current 1.0.0 -p "$PUB" --state "$S" "$H/serial-older-2/versions"
fresh
sed -n 2p "$PUB" >"$S/revoked.real"; ln -s revoked.real "$S/revoked"
cli A50-revoked-symlink-check 1 "revoked: Too many levels of symbolic links" \
    "$UPD" check --app hello --current 1.0.0 -p "$PUB" --state "$S" "$GURL"
rm "$S/revoked"; mv "$S/revoked.real" "$S/revoked"
cli A50-revoked-regular-file-control 1 "every trusted key has been revoked" \
    "$UPD" check --app hello --current 1.0.0 -p "$PUB" --state "$S" "$GURL"
fresh
echo 1.1.0 >"$S/failed.real"; ln -s failed.real "$S/failed"
cli A50-failed-symlink-check 1 "failed: Too many levels of symbolic links" \
    "$UPD" check --app hello --current 1.0.0 -p "$PUB" --state "$S" "$GURL"
rm "$S/failed"; mv "$S/failed.real" "$S/failed"
cli A50-failed-regular-file-control 0 "up-to-date 1.0.0" \
    "$UPD" check --app hello --current 1.0.0 -p "$PUB" --state "$S" "$GURL"
not_applicable 50 "(part) a symlink swapped in between check and use: needs a hook inside the library; every state file is opened once, relative to the state dir's fd, with O_NOFOLLOW (updater.h >>engine, >>client)"
# 51: forged journals: refused at the next start (hello says so and runs on), by upd startup and by upd update
forge() { printf '%b' "$1" >"$S/marker"; chmod 600 "$S/marker"; }
ino() { stat -c '%d:%i' "$1"; }
for c in "exe-absolute|state=trial\nversion=6.6.6\nexe=/bin/sh\ntrials=0\nnew=1:2\nold=1:3\n|marker: bad 'exe' line" \
    "exe-dotdot|state=trial\nversion=6.6.6\nexe=../../outside/x\ntrials=0\nnew=1:2\nold=1:3\n|marker: bad 'exe' line" \
    "unknown-state|state=explode\nversion=6.6.6\nexe=hello\ntrials=0\nnew=1:2\nold=1:3\n|marker: unknown state 'explode'" \
    "garbage|\001\002\003 not a journal\n|marker: malformed line" \
    "over-the-cap|state=trial\n$(head -c 5000 /dev/zero | tr '\0' '#')\n|marker unreadable or too long"; do
    n=${c%%|*} r=${c#*|}; body=${r%%|*} m=${r#*|}
    eval "forge_$(echo "$n" | tr - _)() { forge '$body'; }"
    A_SETUP=forge_$(echo "$n" | tr - _) A_HELLO=1 A_SERIAL=$www/goodrepo/versions A_KEEP=marker
    attack "A51-forged-marker-$n" "$GURL" "$m"
    has "A51-forged-marker-$n-reported-at-start" "$W/h.err" "hello: finishing the last update: $m"
done
# journals that name directories outside (through symlinks in the state
# dir, by their inodes): nothing there may move. (A start refuses them; a
# new install waits for the pending one: E_BUSY.)
forge_rollback_out() {
    ln -s ../../outside/secret "$S/previous"
    forge "state=rollback\nversion=1.1.0\nexe=hello\ntrials=3\nnew=$(ino "$R/outside")\nold=$(ino "$R/outside/secret")\n"
}
A_SETUP=forge_rollback_out A_HELLO=1 A_NOUPD=1 A_KEEP="marker previous" A_SERIAL=$www/goodrepo/versions
attack A51-forged-rollback-to-outside "$GURL" "/previous is not the tree the journal names"
forge_swap_out() {
    ln -s ../../outside/secret "$S/staged"
    forge "state=swap\nversion=6.6.6\nexe=hello\ntrials=0\nnew=$(ino "$R/outside/secret")\nold=$(ino "$R/outside")\n"
}
A_SETUP=forge_swap_out A_HELLO=1 A_KEEP="marker staged" A_SERIAL=$www/goodrepo/versions
attack A51-forged-swap-from-outside "$GURL" "is pending (swap 6.6.6)"
has A51-forged-swap-from-outside-refused-at-start "$W/h.err" "/staged is not the tree the journal names"
fresh
forge "state=explode\n"
cli A51-upd-startup-reports-it 1 "upd: marker: unknown state 'explode'" "$UPD" startup --install "$V" --exe hello
# 52: a write error while staging (a 1 MiB file-size limit: the program is
# 2 MiB): nothing installed, staging removed (ENOSPC itself and SIGKILL at
# every step: tests/engine.sh)
A_SERIAL=$www/goodrepo/versions A_WRAP="$FLIMIT 1024" A_HELLO=0
attack A52-write-error-while-staging "$GURL" "File too large"
covered 52 tests/engine.sh "sweep FLOW SYSCALL CALLS" "for err in ENOSPC EIO" enospc-leftovers
# 53: a second updater at the same time: E_BUSY
hold() { # FILE: an fcntl lock on FILE, held by a background process
    timeout 70 $PY -c 'import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.lockf(fd, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(60)' "$1" >"$W/holder.out" &
    holder=$!
    echo "$holder" >"$W/holder.pid"
    wait_line "$W/holder.out" locked || fail "hold-$1" "could not lock"
}
release() { kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null; rm -f "$W/holder.pid"; }
hold_lock() { hold "$S/lock"; }
A_SETUP=hold_lock A_AFTER=release A_SERIAL=$www/goodrepo/versions A_HELLO=1
attack A53-install-lock-held "$GURL" "another update of $V is under way"
hold_dl() { hold "$S/download.lock"; }
A_SETUP=hold_dl A_AFTER=release A_SERIAL=$www/goodrepo/versions A_HELLO=1
attack A53-download-lock-held "$GURL" "another download is under way in $S"
# a crashing 1.1.0: rolled back after HELLO_TRIALS starts to the
# byte-identical old tree, then never offered again
mkdir -p "$www/crash"
tar -C "$T/110c" -czf "$www/crash/hello-1.1.0.tar.gz" .
signed crash 6 "$(rel "$www/crash/hello-1.1.0.tar.gz" hello 1.1.0 ../crash/hello-1.1.0.tar.gz)"
exercised 53
fresh
snap "$W/before"
run_hello --update "$H/crash/versions" --pubkey "$PUB"
if [ "$H_RC" != 0 ] && grep -q "1.1.0 is broken" "$W/h.err"; then pass; else fail A53-crashing-release-installed "exit $H_RC: $(short "$W/h.err")"; fi
run_hello
if [ "$H_RC" != 0 ]; then pass; else fail A53-second-trial-crashes "exit 0, last [$H_LAST]"; fi
run_hello
check_eq A53-rolled-back "$H_RC $H_LAST" "0 hello 1.0.0"
snap "$W/after"
compare A53-old-tree-byte-identical I
compare A53-outside-unchanged O loose
check_eq A53-failed-recorded "$(cat "$S/failed" 2>&1)" "1.1.0"
run_hello --update "$H/crash/versions" --pubkey "$PUB"
if [ "$H_RC $H_LAST" = "0 hello 1.0.0" ] && grep -q "1.0.0 is up to date" "$W/h.err"; then pass
else fail A53-not-offered-again "last [$H_LAST]: $(short "$W/h.err")"; fi
covered 53 tests/engine.sh busy-lock busy-two-installs
covered 53 tests/client.sh 1d-rolled-back-after

}

# ======== three lanes at once, each with its own victims and scratch files ========
# lane NAME ROOT SECTION...: prints the lane's FAIL/SKIPPED/covered lines and
# at the end its counts and which cases it exercised, covered, set aside
lane() {
    ln=$1 R=$2; shift 2
    V=$R/inst/app S=$R/inst/app.update W=$tmp/w-$ln
    mkdir -p "$W"
    T_PASS=0 T_FAIL=0 T_SKIP=0 EXE=" " COV=" " NAP=" " HELLO_DONE=" "
    for sec in "$@"; do $sec; done
    echo "-- lane $ln ($*) done at $(($(date +%s) - t_start)) s"
    echo "LANE-COUNTS $T_PASS $T_FAIL $T_SKIP"
    echo "LANE-EXE$EXE"; echo "LANE-COV$COV"; echo "LANE-NAP$NAP"
}
lane a "$tmp/root-a" sec_signature >"$tmp/lane-a.out" 2>&1 &
lanepids="$lanepids $!"
lane b "$tmp/root-b" sec_http sec_gzip >"$tmp/lane-b.out" 2>&1 &
lanepids="$lanepids $!"
lane c "$tmp/root" sec_tar sec_state >"$tmp/lane-c.out" 2>&1 &
lanepids="$lanepids $!"
for p in $lanepids; do wait "$p"; done
lanepids=""
for l in a b c; do
    grep -v '^LANE-' "$tmp/lane-$l.out"
    # shellcheck disable=SC2046
    set -- $(sed -n 's/^LANE-COUNTS //p' "$tmp/lane-$l.out")
    if [ $# = 3 ]; then T_PASS=$((T_PASS + $1)) T_FAIL=$((T_FAIL + $2)) T_SKIP=$((T_SKIP + $3))
    else fail "lane-$l" "ended without its counts: $(tail -n 3 "$tmp/lane-$l.out" | tr '\n' ' ')"; fi
    for x in $(sed -n 's/^LANE-EXE//p' "$tmp/lane-$l.out"); do exercised "$x"; done
    for x in $(sed -n 's/^LANE-COV//p' "$tmp/lane-$l.out"); do case $COV in *" $x "*) ;; *) COV="$COV$x " ;; esac; done
    for x in $(sed -n 's/^LANE-NAP//p' "$tmp/lane-$l.out"); do case $NAP in *" $x "*) ;; *) NAP="$NAP$x " ;; esac; done
done

# ======== accounting ========
section accounting
missing=""
i=1
while [ "$i" -le 53 ]; do
    case "$EXE$COV$NAP" in *" $i "*) ;; *) missing="$missing $i" ;; esac
    i=$((i + 1))
done
nex=$(echo $EXE | wc -w | tr -d ' ')
echo "cases exercised here ($nex):$EXE"
echo "cases covered elsewhere:$COV"
echo "cases not applicable (in part):$NAP"
check_eq all-53-cases-accounted-for "$missing" ""
if [ "$nex" -ge 40 ]; then pass; else fail at-least-40-cases-exercised-here "$nex"; fi
echo "attack suite: $(($(date +%s) - t_start)) s"
summary
