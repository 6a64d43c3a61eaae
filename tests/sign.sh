#!/bin/sh
# `upd keygen`, `upd sign` and `upd verify` against the real minisign: keys
# and signatures made by either tool are accepted by the other (prehashed
# and legacy), byte for byte the same signatures from the same key, and
# tampering refused by both with our specific messages. Then the command
# line's own contract: key files, options, usage errors, limits.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
B=${B:-build}
UPD=${UPD:-$B/asan/upd}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
if [ -x "$UPD" ]; then pass; else fail "built $UPD" "$UPD is missing (make $UPD)"; fi

# rc_msg NAME WANT-RC WANT-STDERR-SUBSTRING CMD...: exit status and message
rc_msg() {
    n=$1 want=$2 msg=$3; shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"; got=$?
    if [ "$got" = "$want" ] && grep -qF -- "$msg" "$tmp/err"; then pass
    else fail "$n" "exit $got (want $want), stderr [$(head -c 300 "$tmp/err")], want [$msg]"; fi
}
# ok NAME CMD...: exit status 0; a failure shows the command's stderr
ok() {
    n=$1; shift
    if "$@" >"$tmp/out" 2>"$tmp/err"; then pass; else fail "$n" "exit $?: $* [$(head -c 300 "$tmp/err")]"; fi
}
sum_of() { cksum <"$1"; }
mode_of() { stat -c %a "$1" 2>/dev/null || echo "?"; }

# ---- help and usage ----
out=$($UPD --help); rc=$?
check_eq help-rc "$rc" 0
for c in keygen sign verify; do
    if printf '%s\n' "$out" | grep -qE "^  $c "; then pass; else fail "help-lists-$c" "--help does not list $c"; fi
    check_rc "help-$c" 0 $UPD help $c
    check_rc "$c --help" 0 $UPD $c --help
done
mkdir "$tmp/u"
check_rc keygen-no-args 2 $UPD keygen
check_rc keygen-no-sec 2 $UPD keygen -p "$tmp/u/x.pub"
check_rc keygen-no-pub 2 $UPD keygen -s "$tmp/u/x.key"
check_rc keygen-bad-option 2 $UPD keygen -p "$tmp/u/x.pub" -s "$tmp/u/x.key" -x
check_rc keygen-extra-arg 2 $UPD keygen -p "$tmp/u/x.pub" -s "$tmp/u/x.key" extra
check_rc sign-no-args 2 $UPD sign
check_rc sign-no-file 2 $UPD sign -s "$tmp/u/x.key"
check_rc sign-no-key 2 $UPD sign "$tmp/u/f"
check_rc sign-two-files 2 $UPD sign -s "$tmp/u/x.key" "$tmp/u/a" "$tmp/u/b"
check_rc sign-bad-option 2 $UPD sign -s "$tmp/u/x.key" --bogus "$tmp/u/f"
check_rc sign-s-without-value 2 $UPD sign "$tmp/u/f" -s
check_rc verify-no-args 2 $UPD verify
check_rc verify-no-key 2 $UPD verify "$tmp/u/f"
check_eq usage-errors-write-nothing "$(ls "$tmp/u")" ""

# ---- upd keygen: files, modes, no overwrite without -f ----
mkdir "$tmp/k"
ok keygen $UPD keygen -p "$tmp/k/u.pub" -s "$tmp/k/u.key"
check_eq keygen-secret-mode "$(mode_of "$tmp/k/u.key")" 600
check_eq keygen-public-mode "$(mode_of "$tmp/k/u.pub")" 644
check_eq keygen-public-lines "$(wc -l <"$tmp/k/u.pub" | tr -d ' ')" 2
if head -n 1 "$tmp/k/u.pub" | grep -qE '^untrusted comment: minisign public key [0-9A-F]{16}$' &&
   sed -n 2p "$tmp/k/u.pub" | grep -qE '^RW[A-Za-z0-9+/]{54}$'; then pass
else fail keygen-public-format "$(cat "$tmp/k/u.pub")"; fi
if head -n 1 "$tmp/k/u.key" | grep -q '^untrusted comment: ' &&
   sed -n 2p "$tmp/k/u.key" | grep -qE '^RWQAAEIy[A-Za-z0-9+/]{203}=$'; then pass # "Ed" 00 00 "B2": not encrypted
else fail keygen-secret-format "$(head -c 300 "$tmp/k/u.key")"; fi
pub_sum=$(sum_of "$tmp/k/u.pub") key_sum=$(sum_of "$tmp/k/u.key")
rc_msg keygen-no-overwrite 1 "exists (use -f to overwrite)" $UPD keygen -p "$tmp/k/u.pub" -s "$tmp/k/u.key"
check_eq keygen-kept-public "$(sum_of "$tmp/k/u.pub")" "$pub_sum"
check_eq keygen-kept-secret "$(sum_of "$tmp/k/u.key")" "$key_sum"
# either file existing is enough to refuse, and then nothing is written
rc_msg keygen-public-exists 1 "exists (use -f to overwrite)" $UPD keygen -p "$tmp/k/u.pub" -s "$tmp/k/new.key"
if [ -e "$tmp/k/new.key" ]; then fail keygen-public-exists-no-secret "refused, but wrote a new secret key $tmp/k/new.key"
else pass; fi
rc_msg keygen-secret-exists 1 "exists (use -f to overwrite)" $UPD keygen -p "$tmp/k/new.pub" -s "$tmp/k/u.key"
if [ -e "$tmp/k/new.pub" ]; then fail keygen-secret-exists-no-public "refused, but wrote $tmp/k/new.pub" ; else pass; fi
rm -f "$tmp/k/new.pub" "$tmp/k/new.key"
cp "$tmp/k/u.pub" "$tmp/k/old.pub"
ok keygen-force $UPD keygen -f -p "$tmp/k/u.pub" -s "$tmp/k/u.key"
if [ "$(sum_of "$tmp/k/u.pub")" != "$pub_sum" ] && [ "$(sum_of "$tmp/k/u.key")" != "$key_sum" ]; then pass
else fail keygen-force-new-keys "-f did not write new keys"; fi
check_eq keygen-force-secret-mode "$(mode_of "$tmp/k/u.key")" 600
check_rc keygen-bad-dir 1 $UPD keygen -p "$tmp/nodir/a.pub" -s "$tmp/nodir/a.key"
check_eq keygen-no-temp-files "$(ls "$tmp/k" | grep -c '[.]upd-')" 0

# ---- upd sign / upd verify on their own ----
mkdir "$tmp/s"
printf 'hello world\n' >"$tmp/s/msg.txt"
: >"$tmp/s/empty"
head -c 1000000 /dev/urandom >"$tmp/s/big"
K="$tmp/k/u.key" P="$tmp/k/u.pub"
check_rc verify-no-file 2 $UPD verify -p "$P"
check_rc verify-bad-option 2 $UPD verify -p "$P" --bogus "$tmp/s/msg.txt"
check_rc verify-three-args 2 $UPD verify -p "$P" "$tmp/s/msg.txt" "$tmp/s/a" "$tmp/s/b"
for f in msg.txt empty big; do
    ok "sign $f" $UPD sign -s "$K" "$tmp/s/$f"
    check_eq "sign $f lines" "$(wc -l <"$tmp/s/$f.minisig" | tr -d ' ')" 4
    out=$($UPD verify -p "$P" "$tmp/s/$f"); rc=$?
    check_eq "verify $f rc" "$rc" 0
    if printf '%s\n' "$out" | grep -qE "^trusted comment: timestamp:[0-9]+	file:$f	hashed\$"; then pass
    else fail "verify $f comment" "[$out]"; fi
done
check_eq sign-prehashed "$(sed -n 2p "$tmp/s/msg.txt.minisig" | cut -c1-2)" RU # base64 of "ED"
ok sign-legacy $UPD sign -l -s "$K" -x "$tmp/s/legacy.minisig" "$tmp/s/msg.txt"
check_eq sign-legacy-alg "$(sed -n 2p "$tmp/s/legacy.minisig" | cut -c1-2)" RW # "Ed"
out=$($UPD verify -p "$P" "$tmp/s/msg.txt" "$tmp/s/legacy.minisig"); rc=$?
check_eq verify-legacy-rc "$rc" 0
if printf '%s\n' "$out" | grep -qE '^trusted comment: timestamp:[0-9]+	file:msg.txt$'; then pass
else fail verify-legacy-comment "[$out]"; fi
ok sign-comment $UPD sign -s "$K" -t "release 1.2.3 café" -x "$tmp/s/tc.minisig" "$tmp/s/msg.txt"
check_eq verify-comment "$($UPD verify -p "$P" "$tmp/s/msg.txt" "$tmp/s/tc.minisig")" "trusted comment: release 1.2.3 café"
check_rc sign-comment-newline 1 $UPD sign -s "$K" -t "$(printf 'two\nlines')" -x "$tmp/s/nl.minisig" "$tmp/s/msg.txt"
rc_msg sign-comment-control 1 "the trusted comment must be printable UTF-8" \
    $UPD sign -s "$K" -t "$(printf 'bell\007')" -x "$tmp/s/nl.minisig" "$tmp/s/msg.txt"
if [ -e "$tmp/s/nl.minisig" ]; then fail sign-comment-no-file "a refused signature left $tmp/s/nl.minisig"; else pass; fi
rc_msg sign-missing-file 1 "No such file or directory" $UPD sign -s "$K" "$tmp/s/nope"
rc_msg sign-missing-key 1 "No such file or directory" $UPD sign -s "$tmp/k/nope.key" "$tmp/s/msg.txt"
rc_msg sign-public-as-secret 1 "upd: $P:" $UPD sign -s "$P" "$tmp/s/msg.txt"
# a longer trusted comment than upd sign can hold must not be cut silently
long=$(head -c 2000 /dev/zero | tr '\0' c)
if $UPD sign -s "$K" -t "$long" -x "$tmp/s/long.minisig" "$tmp/s/msg.txt" 2>/dev/null; then
    check_eq sign-long-comment "$($UPD verify -p "$P" "$tmp/s/msg.txt" "$tmp/s/long.minisig" | wc -c | tr -d ' ')" 2018
else pass; fi

# tampering and keys; each failure with its own message
cp "$tmp/s/msg.txt" "$tmp/s/t.txt"
cp "$tmp/s/msg.txt.minisig" "$tmp/s/t.txt.minisig"
printf 'hello world!\n' >"$tmp/s/t.txt"
rc_msg verify-tampered-file 1 "upd: $tmp/s/t.txt: signature verification failed" $UPD verify -p "$P" "$tmp/s/t.txt"
cp "$tmp/s/msg.txt" "$tmp/s/t.txt"
sed '3s/file:/file:x/' "$tmp/s/msg.txt.minisig" >"$tmp/s/t.txt.minisig"
rc_msg verify-tampered-comment 1 "upd: $tmp/s/t.txt: trusted comment signature verification failed" \
    $UPD verify -p "$P" "$tmp/s/t.txt"
sed '1s/.*/untrusted comment: edited/' "$tmp/s/msg.txt.minisig" >"$tmp/s/t.txt.minisig"
check_rc verify-untrusted-edited 0 $UPD verify -p "$P" "$tmp/s/t.txt"
sed 's/$/\r/' "$tmp/s/msg.txt.minisig" >"$tmp/s/t.txt.minisig"
check_rc verify-crlf 0 $UPD verify -p "$P" "$tmp/s/t.txt"
sed '2s/^R/*/' "$tmp/s/msg.txt.minisig" >"$tmp/s/t.txt.minisig"
rc_msg verify-bad-base64 1 "upd: $tmp/s/t.txt.minisig: invalid base64 in a signature or key" $UPD verify -p "$P" "$tmp/s/t.txt"
sed '2s/=$//' "$tmp/s/msg.txt.minisig" >"$tmp/s/t.txt.minisig"
rc_msg verify-no-padding 1 "invalid base64" $UPD verify -p "$P" "$tmp/s/t.txt"
head -n 3 "$tmp/s/msg.txt.minisig" >"$tmp/s/t.txt.minisig"
rc_msg verify-three-lines 1 "upd: $tmp/s/t.txt.minisig: malformed signature or key file" $UPD verify -p "$P" "$tmp/s/t.txt"
{ printf 'untrusted comment: %s\n' "$(head -c 4100 /dev/zero | tr '\0' u)"; tail -n 3 "$tmp/s/msg.txt.minisig"; } >"$tmp/s/t.txt.minisig"
rc_msg verify-too-big 1 "larger than 4096 bytes" $UPD verify -p "$P" "$tmp/s/t.txt"
rc_msg verify-missing-sig 1 "upd: $tmp/s/msg.txt.nope: No such file or directory" \
    $UPD verify -p "$P" "$tmp/s/msg.txt" "$tmp/s/msg.txt.nope"
rc_msg verify-missing-file 1 "No such file or directory" $UPD verify -p "$P" "$tmp/s/gone" "$tmp/s/msg.txt.minisig"
ok keygen-other $UPD keygen -p "$tmp/k/o.pub" -s "$tmp/k/o.key"
rc_msg verify-other-key 1 "upd: $tmp/s/msg.txt.minisig: signed by a key that is not trusted (key id)" \
    $UPD verify -p "$tmp/k/o.pub" "$tmp/s/msg.txt"
rc_msg verify-old-key 1 "signed by a key that is not trusted (key id)" $UPD verify -p "$tmp/k/old.pub" "$tmp/s/msg.txt"
out=$($UPD verify -p "$tmp/k/o.pub" -p "$P" "$tmp/s/msg.txt"); rc=$?
check_eq verify-rotation "$rc" 0
check_rc verify-rotation-first 0 $UPD verify -p "$P" -p "$tmp/k/o.pub" "$tmp/s/msg.txt"
# the other key's id with this key's signature: right id, wrong key
{ sed -n 2p "$P" | base64 -d | head -c 10; sed -n 2p "$tmp/k/o.pub" | base64 -d | tail -c 32; } | base64 -w 0 >"$tmp/k/mixed.pub"
rc_msg verify-right-id-wrong-key 1 "upd: $tmp/s/msg.txt: signature verification failed" \
    $UPD verify -p "$tmp/k/mixed.pub" "$tmp/s/msg.txt"
rc_msg verify-secret-as-public 1 "not a minisign public key" $UPD verify -p "$K" "$tmp/s/msg.txt"
sed -n 2p "$P" >"$tmp/k/bare.pub"
check_rc verify-bare-key-line 0 $UPD verify -p "$tmp/k/bare.pub" "$tmp/s/msg.txt"
i=0 many=""
while [ $i -lt 17 ]; do many="$many -p $tmp/k/o.pub"; i=$((i + 1)); done
rc_msg verify-17-keys 2 "at most 16 public keys" $UPD verify $many "$tmp/s/msg.txt"

# ---- the real minisign, both ways ----
if have minisign; then
    MS="minisign"
    mkdir "$tmp/m"
    printf 'hello world\n' >"$tmp/m/msg.txt"
    cp "$tmp/s/big" "$tmp/m/big"
    # minisign's keys (-W: not encrypted) and signatures, verified by upd
    if $MS -G -W -p "$tmp/m/ms.pub" -s "$tmp/m/ms.key" </dev/null >/dev/null 2>&1; then pass
    else fail minisign-keygen "minisign -G -W failed"; fi
    for f in msg.txt big; do
        $MS -S -s "$tmp/m/ms.key" -m "$tmp/m/$f" </dev/null >/dev/null 2>&1
        check_eq "minisign-sign-prehashed $f" "$(sed -n 2p "$tmp/m/$f.minisig" | cut -c1-2)" RU
        out=$($UPD verify -p "$tmp/m/ms.pub" "$tmp/m/$f"); rc=$?
        check_eq "upd-verifies-minisign $f" "$rc" 0
        check_eq "upd-verifies-minisign $f comment" "$out" "$(sed -n 3p "$tmp/m/$f.minisig")"
        $MS -S -l -s "$tmp/m/ms.key" -m "$tmp/m/$f" -x "$tmp/m/$f.legacy" </dev/null >/dev/null 2>&1
        check_eq "minisign-sign-legacy $f" "$(sed -n 2p "$tmp/m/$f.legacy" | cut -c1-2)" RW
        check_rc "upd-verifies-minisign-legacy $f" 0 $UPD verify -p "$tmp/m/ms.pub" "$tmp/m/$f" "$tmp/m/$f.legacy"
    done
    # upd's keys and signatures, verified by minisign (-H: must be prehashed)
    for f in msg.txt big; do
        ok "upd-sign $f" $UPD sign -s "$K" -x "$tmp/m/$f.upd" "$tmp/m/$f"
        check_rc "minisign-verifies-upd $f" 0 $MS -Vm "$tmp/m/$f" -p "$P" -x "$tmp/m/$f.upd"
        check_rc "minisign-verifies-upd-H $f" 0 $MS -H -Vm "$tmp/m/$f" -p "$P" -x "$tmp/m/$f.upd"
        ok "upd-sign-legacy $f" $UPD sign -l -s "$K" -x "$tmp/m/$f.updl" "$tmp/m/$f"
        check_rc "minisign-verifies-upd-legacy $f" 0 $MS -Vm "$tmp/m/$f" -p "$P" -x "$tmp/m/$f.updl"
        check_rc "minisign-H-refuses-legacy $f" 1 $MS -H -Vm "$tmp/m/$f" -p "$P" -x "$tmp/m/$f.updl"
    done
    check_eq minisign-reads-upd-comment "$($MS -Vm "$tmp/m/msg.txt" -p "$P" -x "$tmp/m/msg.txt.upd" -Q)" \
        "$(sed -n 3p "$tmp/m/msg.txt.upd" | sed 's/^trusted comment: //')"
    check_rc minisign-P-bare-key 0 $MS -Vm "$tmp/m/msg.txt" -P "$(sed -n 2p "$P")" -x "$tmp/m/msg.txt.upd"
    # minisign signs with a key from upd keygen; upd signs with minisign's key
    $MS -S -s "$K" -m "$tmp/m/msg.txt" -x "$tmp/m/by-ms-with-upd-key" </dev/null >/dev/null 2>&1
    check_rc minisign-signs-with-upd-key 0 $UPD verify -p "$P" "$tmp/m/msg.txt" "$tmp/m/by-ms-with-upd-key"
    check_rc minisign-verifies-own-with-upd-key 0 $MS -Vm "$tmp/m/msg.txt" -p "$P" -x "$tmp/m/by-ms-with-upd-key"
    ok upd-signs-with-minisign-key $UPD sign -s "$tmp/m/ms.key" -x "$tmp/m/by-upd-with-ms-key" "$tmp/m/msg.txt"
    check_rc minisign-verifies-upd-with-its-key 0 $MS -Vm "$tmp/m/msg.txt" -p "$tmp/m/ms.pub" -x "$tmp/m/by-upd-with-ms-key"
    # Ed25519 is deterministic: the same key, file and trusted comment give
    # the same three lines from both tools
    for l in "" -l; do
        $MS -S $l -s "$tmp/m/ms.key" -t "same comment" -m "$tmp/m/msg.txt" -x "$tmp/m/same.ms" </dev/null >/dev/null 2>&1
        ok "upd-sign-same$l" $UPD sign $l -s "$tmp/m/ms.key" -t "same comment" -x "$tmp/m/same.upd" "$tmp/m/msg.txt"
        check_eq "byte-identical-signature$l" "$(tail -n 3 "$tmp/m/same.upd")" "$(tail -n 3 "$tmp/m/same.ms")"
    done
    # tampering is refused by both tools
    printf 'hello world!\n' >"$tmp/m/bad.txt"
    for sig in msg.txt.minisig msg.txt.legacy msg.txt.upd msg.txt.updl; do
        check_rc "minisign-refuses-tampered-file $sig" 1 $MS -Vm "$tmp/m/bad.txt" -p "$P" -x "$tmp/m/$sig" -q
        rc_msg "upd-refuses-tampered-file $sig" 1 "upd: $tmp/m/bad.txt: signature verification failed" \
            $UPD verify -p "$tmp/m/ms.pub" -p "$P" "$tmp/m/bad.txt" "$tmp/m/$sig"
        sed '3s/$/ (edited)/' "$tmp/m/$sig" >"$tmp/m/tc.sig"
        check_rc "minisign-refuses-tampered-comment $sig" 1 $MS -Vm "$tmp/m/msg.txt" -p "$P" -x "$tmp/m/tc.sig" -q
        rc_msg "upd-refuses-tampered-comment $sig" 1 "trusted comment signature verification failed" \
            $UPD verify -p "$tmp/m/ms.pub" -p "$P" "$tmp/m/msg.txt" "$tmp/m/tc.sig"
    done
    check_rc minisign-refuses-other-key 1 $MS -Vm "$tmp/m/msg.txt" -p "$tmp/k/o.pub" -x "$tmp/m/msg.txt.upd" -q
    rc_msg upd-refuses-other-key 1 "signed by a key that is not trusted (key id)" \
        $UPD verify -p "$tmp/k/o.pub" "$tmp/m/msg.txt" "$tmp/m/msg.txt.minisig"
else
    skip minisign-interop "minisign is not installed"
fi

# an encrypted secret key (made by minisign 0.11 -G, password "pw"; stored,
# since its scrypt takes seconds and a GiB): upd sign says what to do
printf '%s\n%s%s\n' 'untrusted comment: minisign encrypted secret key' \
    'RWRTY0Iyo5el88R6ho5p+eUHYxBxkLYK/fceBOucrWKRVniXk24AAAACAAAAAAAAAEAAAAAAfDR7YKZVOQsNv+G+iqdc5mMDCTDrmhPkcoyinCnQ' \
    'Dm1IfXLFi4fWCOJGky9Q4r7nlLxDmBftrmMyZaZObaupnz5DNfcQY/HnK6aXEuVoBD415vWxjKC98JeIogNDOTHZTwgYgzanx3M=' >"$tmp/k/enc.key"
rc_msg sign-encrypted-key 1 "minisign -W" $UPD sign -s "$tmp/k/enc.key" "$tmp/s/msg.txt"
rc_msg sign-encrypted-key-why 1 "upd: $tmp/k/enc.key: secret key is encrypted" $UPD sign -s "$tmp/k/enc.key" -x "$tmp/s/enc.minisig" "$tmp/s/msg.txt"
if [ -e "$tmp/s/enc.minisig" ]; then fail sign-encrypted-no-file "wrote $tmp/s/enc.minisig"; else pass; fi

# the optimized build agrees with the sanitized one
if [ -x "$B/upd" ]; then
    check_eq optimized-build "$($B/upd verify -p "$P" "$tmp/s/msg.txt" 2>&1)" "$($UPD verify -p "$P" "$tmp/s/msg.txt" 2>&1)"
fi
summary
