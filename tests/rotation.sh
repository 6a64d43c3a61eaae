#!/bin/sh
# Key rotation through the manifest (docs/client.md): '@trust-key' lines in
# a manifest signed by a trusted key add a key to an installation's trusted
# set (state dir `keys`); '@revoke-key' lines remove one for good (state dir
# `revoked`), the program's embedded keys too. Clients run `upd check
# --state DIR` with only K1 embedded, against `upd serve` on 127.0.0.1.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
B=${B:-build}
UPD=${UPD:-$B/asan/upd}
case $UPD in /*) ;; *) UPD=$PWD/$UPD ;; esac
tmp=$(mktemp -d)
srv=""
trap '[ -n "$srv" ] && kill "$srv" 2>/dev/null; rm -rf "$tmp"' EXIT
for k in 1 2 3; do "$UPD" keygen -p "$tmp/k$k.pub" -s "$tmp/k$k.key" >/dev/null || exit 1; done
key() { sed -n 2p "$tmp/k$1.pub"; }
mkdir -p "$tmp/repo"
printf 'x' >"$tmp/repo/app.tar.gz"
sha=$(sha256sum "$tmp/repo/app.tar.gz" | cut -c1-64)
# publish SERIAL SIGNING-KEY [DIRECTIVE...]: versions offering app SERIAL.0
publish() {
    s=$1 signer=$2; shift 2
    { echo "@serial $s"; for d in "$@"; do echo "$d"; done
      echo "app $s.0 url=app.tar.gz size=1 sha256=$sha"; } >"$tmp/repo/versions"
    "$UPD" sign -s "$tmp/k$signer.key" "$tmp/repo/versions" >/dev/null || echo "sign failed"
}
"$UPD" serve -p 0 --port-file "$tmp/port" "$tmp/repo" 2>"$tmp/serve.log" &
srv=$!
i=0; while [ ! -s "$tmp/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
url=http://127.0.0.1:$(cat "$tmp/port")/versions
chk() { # STATE-NAME: upd check with K1 embedded; prints stdout+stderr, exit status last
    timeout 20 "$UPD" check --app app --current 0.1 -p "$tmp/k1.pub" --state "$tmp/$1" "$url" 2>&1; echo "rc=$?"
}
has() { case $1 in *"$2"*) pass ;; *) fail "$3" "[$1] lacks [$2]" ;; esac; }

publish 1 1
has "$(chk a)" "update 1.0" r1-a-accepts-k1
has "$(chk b)" "update 1.0" r1-b-accepts-k1
publish 2 1 "@trust-key $(key 2)"
has "$(chk a)" "update 2.0" r2-a-learns-k2
has "$(chk b)" "update 2.0" r2-b-learns-k2
check_eq r2-keys-file "$(cat "$tmp/a/keys")" "$(key 2)"
# release 3 is signed by K2 alone and revokes K1
publish 3 2 "@trust-key $(key 2)" "@revoke-key $(key 1)"
has "$(chk a)" "update 3.0" r3-a-accepts-k2
check_eq r3-revoked-file "$(cat "$tmp/a/revoked")" "$(key 1)"
# client b skipped release 3's check; it still follows on release 4
publish 4 2 "@trust-key $(key 2)" "@revoke-key $(key 1)"
has "$(chk b)" "update 4.0" r4-b-skipped-r3-accepts-k2
# a client that never checked while K2 was announced cannot follow (the
# documented limit: announce the next key long enough ahead, or ship it)
out=$(chk c)
has "$out" "rc=1" r4-c-never-saw-k2-refused
has "$out" "not trusted" r4-c-message-names-key
# K1 is revoked: a manifest signed by K1 alone (a stolen old key) is refused
cp "$tmp/a/serial" "$tmp/a.serial.before"
publish 5 1
out=$(chk a)
has "$out" "rc=1" r5-revoked-k1-refused-a
has "$out" "not trusted" r5-revoked-k1-message
has "$(chk b)" "rc=1" r5-revoked-k1-refused-b
check_eq r5-serial-unchanged "$(cat "$tmp/a/serial")" "$(cat "$tmp/a.serial.before")"
# a manifest that would revoke every key is refused, and changes nothing
cp "$tmp/a/keys" "$tmp/a.keys.before"; cp "$tmp/a/revoked" "$tmp/a.revoked.before"
publish 6 2 "@revoke-key $(key 2)"
out=$(chk a)
has "$out" "rc=1" r6-revoke-all-refused
has "$out" "revokes every trusted key" r6-message
check "cmp -s $tmp/a/keys $tmp/a.keys.before" cmp -s "$tmp/a/keys" "$tmp/a.keys.before"
check "cmp -s $tmp/a/revoked $tmp/a.revoked.before" cmp -s "$tmp/a/revoked" "$tmp/a.revoked.before"
# K2 hands over to K3 the same way; K2 then revoked
publish 7 2 "@trust-key $(key 3)"
has "$(chk a)" "update 7.0" r7-a-learns-k3
publish 8 3 "@trust-key $(key 3)" "@revoke-key $(key 2)" "@revoke-key $(key 1)"
has "$(chk a)" "update 8.0" r8-a-accepts-k3
has "$(chk b)" "rc=1" r8-b-missed-k3-refused
# a key both trusted and revoked is a malformed manifest
publish 9 3 "@trust-key $(key 3)" "@revoke-key $(key 3)"
has "$(chk a)" "both trusted and revoked" r9-trust-and-revoke-refused
summary
