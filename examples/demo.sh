#!/bin/sh
# make demo: a program updates itself, for real. hello 1.0.0 runs from a
# temporary install dir, finds 1.1.0 in a signed repo served over HTTP on
# 127.0.0.1, downloads and verifies it, swaps it in and exec()s it.
#   sh examples/demo.sh            the update 1.0.0 -> 1.1.0
#   sh examples/demo.sh rollback   1.1.0 -> a broken 1.2.0 -> back to 1.1.0
# Needs cc, make and tar; everything lives in a temp dir, removed at the end
# with the server.
set -eu
cd "$(dirname "$0")/.."
UPD=${UPD:-build/upd}
CC=${CC:-cc}
case $UPD in /*) ;; *) UPD=$PWD/$UPD ;; esac
mode=${1:-update}
tmp=$(mktemp -d)
srv=""
cleanup() { [ -n "$srv" ] && kill "$srv" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM
step() { printf '\n== %s\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

$CC -std=c99 -O2 -c -o "$tmp/updater.o" examples/hello/updater.c # the library, once
build() { # build VERSION [CFLAGS...]
    v=$1; shift
    mkdir -p "$tmp/build/$v"
    $CC -std=c99 -O2 "$@" -DHELLO_VERSION="\"$v\"" -o "$tmp/build/$v/hello" examples/hello/hello.c "$tmp/updater.o"
}

step "build hello 1.0.0, 1.1.0 and 1.2.0 (1.2.0 with -DHELLO_CRASH_AFTER_STARTUP: it crashes)"
build 1.0.0; build 1.1.0; build 1.2.0 -DHELLO_CRASH_AFTER_STARTUP
echo "built in $tmp/build"

step "the publisher: a key pair, and releases published into a repo"
show $UPD keygen -p "$tmp/hello.pub" -s "$tmp/hello.key" >/dev/null
first=1.0.0
if [ "$mode" = rollback ]; then first=1.1.0; fi
show $UPD publish --repo "$tmp/repo" --app hello --version 1.1.0 -s "$tmp/hello.key" "$tmp/build/1.1.0"
if [ "$mode" = rollback ]; then
    show $UPD publish --repo "$tmp/repo" --app hello --version 1.2.0 -s "$tmp/hello.key" "$tmp/build/1.2.0"
fi
sed 's/^/    /' "$tmp/repo/versions"

step "serve the repo on 127.0.0.1 (upd serve: for demos; use any static server in production)"
$UPD serve -p 0 -b 127.0.0.1 --port-file "$tmp/port" "$tmp/repo" 2>"$tmp/serve.log" &
srv=$!
i=0
while [ ! -s "$tmp/port" ]; do
    i=$((i + 1)); [ $i -le 100 ] || { echo "upd serve did not start"; cat "$tmp/serve.log"; exit 1; }
    sleep 0.05
done
url="http://127.0.0.1:$(cat "$tmp/port")/versions"
echo "serving $url"

step "install hello $first and run it with --update"
mkdir -p "$tmp/opt/hello"
cp "$tmp/build/$first/hello" "$tmp/opt/hello/hello"
echo "user data" >"$tmp/opt/hello/settings.txt"
show "$tmp/opt/hello/hello" --update "$url" --pubkey "$tmp/hello.pub" || true

if [ "$mode" = rollback ]; then
    step "1.2.0 crashes before it marks itself good; each start is a trial; after 2 it rolls back"
    for n in 1 2 3; do
        out=$("$tmp/opt/hello/hello" 2>&1) || true
        printf '%s\n' "$out" | sed 's/^/    /'
        case $out in *"hello 1.1.0"*) break ;; esac
    done
    show cat "$tmp/opt/hello.update/failed"
    step "1.2.0 is remembered as failed: it is not offered again"
    show "$tmp/opt/hello/hello" --update "$url" --pubkey "$tmp/hello.pub"
else
    step "run it again: 1.1.0, up to date"
    show "$tmp/opt/hello/hello" --update "$url" --pubkey "$tmp/hello.pub"
fi
step "the install dir (the user's settings.txt survived)"
ls -l "$tmp/opt/hello" | sed 's/^/    /'
step "what the server saw"
sed 's/^/    /' "$tmp/serve.log"
