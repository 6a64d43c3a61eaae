#!/bin/sh
# `upd publish`: releases added to a repo directory from a .tar.gz or a
# directory (packed by GNU tar, and by busybox tar through a PATH shim),
# checked against the real tools: stat and sha256sum for the versions line,
# `upd manifest` for parsing and selection, the real minisign and
# `upd verify` for the signature. Then the refusals (older or duplicate
# versions, malformed manifests, hostile or non-gzip archives, wrong keys),
# each leaving the repo byte for byte as it was, the lock, and usage errors.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
B=${B:-build}
UPD=${UPD:-$B/asan/upd}
case $UPD in /*) ;; *) UPD=$PWD/$UPD ;; esac
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
if [ -x "$UPD" ]; then pass; else fail "built $UPD" "$UPD is missing (make $UPD)"; fi

# rc_msg NAME WANT-RC WANT-STDERR-SUBSTRING CMD...: exit status and message
rc_msg() {
    n=$1 want=$2 msg=$3; shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"; got=$?
    if [ "$got" = "$want" ] && grep -qF -- "$msg" "$tmp/err"; then pass
    else fail "$n" "exit $got (want $want), stderr [$(head -c 400 "$tmp/err")], want [$msg]"; fi
}
# ok NAME CMD...: exit status 0; a failure shows the command's stderr
ok() {
    n=$1; shift
    if "$@" >"$tmp/out" 2>"$tmp/err"; then pass; else fail "$n" "exit $?: $* [$(head -c 400 "$tmp/err")]"; fi
}
# snap DIR: a listing with checksums, to show that a refusal wrote nothing
snap() { (cd "$1" && for f in $(ls -A); do printf '%s %s\n' "$f" "$(cksum <"$f")"; done); }
field() { # field FILE APP VERSION KEY: the value of KEY on the first line of APP VERSION
    awk -v a="$2" -v v="$3" -v k="$4" '$1 == a && $2 == v { for (i = 3; i <= NF; i++) if (index($i, k "=") == 1) { print substr($i, length(k) + 2); exit } }' "$1"
}
serial_of() { $UPD manifest "$1/versions" | sed -n 's/^serial //p'; }
sel() { $UPD manifest "$@" | grep -E '^(update|no update)'; }

# ---- keys and sources ----
mkdir "$tmp/k"
ok keygen $UPD keygen -p "$tmp/k/p.pub" -s "$tmp/k/p.key"
ok keygen-other $UPD keygen -p "$tmp/k/o.pub" -s "$tmp/k/o.key"
K=$tmp/k/p.key P=$tmp/k/p.pub
mkdir -p "$tmp/src1/bin" "$tmp/src1/share/doc"
printf '#!/bin/sh\necho hello 1\n' >"$tmp/src1/bin/hello"; chmod 755 "$tmp/src1/bin/hello"
printf 'readme\n' >"$tmp/src1/share/doc/README"
ln -s ../share/doc/README "$tmp/src1/bin/readme"
tar -C "$tmp/src1" -czf "$tmp/hello-1.tar.gz" .
R=$tmp/repo

# ---- help and usage errors (exit 2, nothing written) ----
check_rc help-publish 0 $UPD help publish
check_rc publish-help 0 $UPD publish --help
if $UPD --help | grep -qE '^  publish '; then pass; else fail help-lists-publish "--help does not list publish"; fi
mkdir "$tmp/u"
U=$tmp/u/repo
check_rc usage-no-args 2 $UPD publish
check_rc usage-no-repo 2 $UPD publish --app a --version 1.0 -s "$K" "$tmp/hello-1.tar.gz"
check_rc usage-no-app 2 $UPD publish --repo "$U" --version 1.0 -s "$K" "$tmp/hello-1.tar.gz"
check_rc usage-no-version 2 $UPD publish --repo "$U" --app a -s "$K" "$tmp/hello-1.tar.gz"
check_rc usage-no-key 2 $UPD publish --repo "$U" --app a --version 1.0 "$tmp/hello-1.tar.gz"
check_rc usage-no-src 2 $UPD publish --repo "$U" --app a --version 1.0 -s "$K"
check_rc usage-two-src 2 $UPD publish --repo "$U" --app a --version 1.0 -s "$K" "$tmp/hello-1.tar.gz" "$tmp/src1"
check_rc usage-unknown-option 2 $UPD publish --repo "$U" --app a --version 1.0 -s "$K" --bogus "$tmp/hello-1.tar.gz"
check_rc usage-missing-value 2 $UPD publish --repo "$U" --app a --version 1.0 "$tmp/hello-1.tar.gz" -s
rc_msg usage-bad-app 2 "--app 'a/b'" $UPD publish --repo "$U" --app a/b --version 1.0 -s "$K" "$tmp/hello-1.tar.gz"
check_rc usage-empty-app 2 $UPD publish --repo "$U" --app "" --version 1.0 -s "$K" "$tmp/hello-1.tar.gz"
rc_msg usage-bad-version 2 "--version '1.02': leading zero" $UPD publish --repo "$U" --app a --version 1.02 -s "$K" "$tmp/hello-1.tar.gz"
check_rc usage-bad-from 2 $UPD publish --repo "$U" --app a --version 1.0 --from x.y -s "$K" "$tmp/hello-1.tar.gz"
rc_msg usage-from-not-lower 2 "--from 1.0 is not lower than --version 1.0" $UPD publish --repo "$U" --app a --version 1.0.0 --from 1.0 -s "$K" "$tmp/hello-1.tar.gz"
check_rc usage-from-higher 2 $UPD publish --repo "$U" --app a --version 1.0 --from 2.0 -s "$K" "$tmp/hello-1.tar.gz"
check_rc usage-rollout-0 2 $UPD publish --repo "$U" --app a --version 1.0 --rollout 0 -s "$K" "$tmp/hello-1.tar.gz"
check_rc usage-rollout-101 2 $UPD publish --repo "$U" --app a --version 1.0 --rollout 101 -s "$K" "$tmp/hello-1.tar.gz"
check_rc usage-rollout-word 2 $UPD publish --repo "$U" --app a --version 1.0 --rollout half -s "$K" "$tmp/hello-1.tar.gz"
check_rc usage-bad-min 2 $UPD publish --repo "$U" --app a --version 1.0 --min 1.x -s "$K" "$tmp/hello-1.tar.gz"
check_rc usage-min-not-lower 2 $UPD publish --repo "$U" --app a --version 1.0 --min 1.0 -s "$K" "$tmp/hello-1.tar.gz"
check_rc usage-bad-channel 2 $UPD publish --repo "$U" --app a --version 1.0 --channel "be ta" -s "$K" "$tmp/hello-1.tar.gz"
check_rc usage-expires-0 2 $UPD publish --repo "$U" --app a --version 1.0 --expires 0 -s "$K" "$tmp/hello-1.tar.gz"
check_rc usage-bad-notes 2 $UPD publish --repo "$U" --app a --version 1.0 --notes "file:///etc/passwd" -s "$K" "$tmp/hello-1.tar.gz"
check_eq usage-errors-write-nothing "$(ls -A "$tmp/u")" ""

# ---- the first release, from a .tar.gz: a new repo ----
out=$($UPD publish --repo "$R" --app hello --version 1.0.0 -s "$K" "$tmp/hello-1.tar.gz" 2>"$tmp/err"); rc=$?
check_eq first-rc "$rc" 0
A=$R/hello-1.0.0.tar.gz
check first-archive-stored cmp "$tmp/hello-1.tar.gz" "$A"
size=$(stat -c %s "$A") sha=$(sha256sum "$A" | cut -d' ' -f1)
check_eq first-stdout "$out" "published hello 1.0.0 (hello-1.0.0.tar.gz, $size bytes, sha256 $sha), serial 1"
tree1=$($UPD tree --hash "$tmp/hello-1.tar.gz")
check_eq first-line "$(grep '^hello ' "$R/versions")" "hello 1.0.0 url=hello-1.0.0.tar.gz size=$size sha256=$sha tree=$tree1"
check_eq first-size "$(field "$R/versions" hello 1.0.0 size)" "$size"
check_eq first-sha256 "$(field "$R/versions" hello 1.0.0 sha256)" "$sha"
if head -n 1 "$R/versions" | grep -q '^# '; then pass; else fail first-comment-header "$(head -n 1 "$R/versions")"; fi
check_eq first-serial "$(serial_of "$R")" 1
check_eq first-files "$(ls -A "$R" | tr '\n' ' ')" "hello-1.0.0.tar.gz versions versions.minisig "
check_eq first-archive-mode "$(stat -c %a "$A")" 644
check_eq first-select "$(sel --app hello --current 0.9 "$R/versions")" "update hello 1.0.0"
ok first-upd-verify $UPD verify -p "$P" "$R/versions"
if grep -qE "^trusted comment: timestamp:[0-9]+	file:versions	serial:1\$" "$tmp/out"; then pass
else fail first-trusted-comment "$(cat "$tmp/out")"; fi
check_eq first-prehashed "$(sed -n 2p "$R/versions.minisig" | cut -c1-2)" RU # base64 of "ED"
if have minisign; then
    ok first-minisign-verifies minisign -Vm "$R/versions" -p "$P"
else
    skip minisign "minisign is not installed: signatures not checked against the real tool (CI installs it)"
fi
check first-extracts $UPD untar -C "$tmp/u" "$A"
check_eq first-extracted-file "$(cat "$tmp/u/bin/hello")" "$(cat "$tmp/src1/bin/hello")"
rm -rf "$tmp/u"/*

# ---- the second, from a directory (GNU tar) ----
mkdir -p "$tmp/src2/bin"
printf '#!/bin/sh\necho hello 2\n' >"$tmp/src2/bin/hello"; chmod 755 "$tmp/src2/bin/hello"
ok dir-gnu-tar $UPD publish --repo "$R" --app hello --version 1.1.0 -s "$K" "$tmp/src2"
A=$R/hello-1.1.0.tar.gz
check_eq dir-size "$(field "$R/versions" hello 1.1.0 size)" "$(stat -c %s "$A")"
check_eq dir-sha256 "$(field "$R/versions" hello 1.1.0 sha256)" "$(sha256sum "$A" | cut -d' ' -f1)"
check_eq dir-tree "$(field "$R/versions" hello 1.1.0 tree)" "$($UPD tree --hash "$tmp/src2")"
check_eq dir-serial "$(serial_of "$R")" 2
check_eq dir-gzip "$(od -An -tx1 -N2 "$A" | tr -d ' ')" 1f8b
check dir-extracts $UPD untar -C "$tmp/u" "$A"
check_eq dir-extracted "$(cat "$tmp/u/bin/hello" 2>&1)" "$(cat "$tmp/src2/bin/hello")"
check_eq dir-extracted-mode "$(stat -c %a "$tmp/u/bin/hello")" 755
rm -rf "$tmp/u"/*
check_eq dir-select "$(sel --app hello --current 1.0.0 "$R/versions")" "update hello 1.1.0"
check_eq dir-no-update "$(sel --app hello --current 1.1.0 "$R/versions")" "no update"
ok dir-upd-verify $UPD verify -p "$P" "$R/versions"
have minisign && ok dir-minisign-verifies minisign -Vm "$R/versions" -p "$P"
check_eq no-temp-files "$(ls -A "$R" | grep -c -e upd- -e lock)" 0

# ---- the third, from a directory packed by busybox tar (PATH shim) ----
if have busybox && busybox --list 2>/dev/null | grep -qx tar; then
    mkdir "$tmp/bb"; ln -s "$(command -v busybox)" "$tmp/bb/tar"
    printf '#!/bin/sh\necho hello 3\n' >"$tmp/src2/bin/hello"
    ok dir-busybox-tar env PATH="$tmp/bb:$PATH" $UPD publish --repo "$R" --app hello --version 1.2.0 -s "$K" "$tmp/src2"
    A=$R/hello-1.2.0.tar.gz
    check_eq busybox-size "$(field "$R/versions" hello 1.2.0 size)" "$(stat -c %s "$A")"
    check_eq busybox-sha256 "$(field "$R/versions" hello 1.2.0 sha256)" "$(sha256sum "$A" | cut -d' ' -f1)"
    check busybox-extracts $UPD untar -C "$tmp/u" "$A"
    check_eq busybox-extracted "$(cat "$tmp/u/bin/hello" 2>&1)" "$(cat "$tmp/src2/bin/hello")"
    rm -rf "$tmp/u"/*
else
    skip busybox-tar "busybox is not installed: packing with busybox tar not tested"
    ok dir-again $UPD publish --repo "$R" --app hello --version 1.2.0 -s "$K" "$tmp/src2"
fi
check_eq serial-3 "$(serial_of "$R")" 3
ok third-upd-verify $UPD verify -p "$P" "$R/versions"
have minisign && ok third-minisign-verifies minisign -Vm "$R/versions" -p "$P"
mkdir "$tmp/notar"
rc_msg no-tar-on-path 1 "needs tar on PATH" env PATH="$tmp/notar" $UPD publish --repo "$R" --app hello --version 1.3.0 -s "$K" "$tmp/src2"

# ---- refusals leave versions and versions.minisig byte-identical ----
cp "$R/versions" "$tmp/v.before"; cp "$R/versions.minisig" "$tmp/s.before"
before=$(snap "$R")
unchanged() {
    if cmp -s "$R/versions" "$tmp/v.before" && cmp -s "$R/versions.minisig" "$tmp/s.before" &&
       [ "$(snap "$R")" = "$before" ]; then pass
    else fail "$1-untouched" "the repo changed: $(snap "$R" | tr '\n' ' ')"; fi
}
rc_msg lower-refused 1 "hello 1.1.5 is not newer than hello 1.2.0" \
    $UPD publish --repo "$R" --app hello --version 1.1.5 -s "$K" "$tmp/hello-1.tar.gz"
unchanged lower
rc_msg equal-refused 1 "already published" $UPD publish --repo "$R" --app hello --version 1.2.0 -s "$K" "$tmp/hello-1.tar.gz"
unchanged equal
rc_msg equal-precedence-refused 1 "already published" $UPD publish --repo "$R" --app hello --version 1.2 -s "$K" "$tmp/hello-1.tar.gz"
unchanged equal-precedence
rc_msg duplicate-dir-refused 1 "already published" $UPD publish --repo "$R" --app hello --version 1.1.0 -s "$K" "$tmp/src2"
unchanged duplicate-dir
printf 'not gzip at all\n' >"$tmp/plain.tar.gz"
rc_msg not-gzip 1 "not a gzip file" $UPD publish --repo "$R" --app hello --version 5.0.0 -s "$K" "$tmp/plain.tar.gz"
unchanged not-gzip
tar -C "$tmp/src1" -cf "$tmp/plain.tar" .
rc_msg plain-tar 1 "an uncompressed tar archive" $UPD publish --repo "$R" --app hello --version 5.0.0 -s "$K" "$tmp/plain.tar"
unchanged plain-tar
: >"$tmp/empty.tar.gz"
rc_msg empty-file 1 "empty file" $UPD publish --repo "$R" --app hello --version 5.0.0 -s "$K" "$tmp/empty.tar.gz"
printf 'just text, gzipped\n' | gzip -c >"$tmp/text.gz"
rc_msg gzip-not-tar 1 "not published" $UPD publish --repo "$R" --app hello --version 5.0.0 -s "$K" "$tmp/text.gz"
unchanged gzip-not-tar
head -c 100 "$tmp/hello-1.tar.gz" >"$tmp/cut.tar.gz"
rc_msg truncated-gzip 1 "not published" $UPD publish --repo "$R" --app hello --version 5.0.0 -s "$K" "$tmp/cut.tar.gz"
unchanged truncated
rc_msg missing-src 1 "No such file or directory" $UPD publish --repo "$R" --app hello --version 5.0.0 -s "$K" "$tmp/nope"
# hostile archives, made by Python's tarfile: named entry in the message, nothing written
if have $PY; then
    $PY - "$tmp" <<'EOF'
import io, sys, tarfile
d = sys.argv[1]
def mk(name, entries):
    with tarfile.open(d + "/" + name, "w:gz") as t:
        for e in entries:
            t.addfile(e[0], io.BytesIO(e[1]) if len(e) > 1 else None)
def f(n, data=b"x"):
    i = tarfile.TarInfo(n); i.size = len(data); return (i, data)
def l(n, target, kind=tarfile.SYMTYPE):
    i = tarfile.TarInfo(n); i.type = kind; i.linkname = target; return (i,)
mk("dotdot.tar.gz", [f("ok.txt"), f("../evil")])
mk("abs.tar.gz", [f("/tmp/evil")])
mk("symlink.tar.gz", [l("bin", "../../../etc")])
mk("hardlink.tar.gz", [l("h", "/etc/passwd", tarfile.LNKTYPE)])
dev = tarfile.TarInfo("dev"); dev.type = tarfile.CHRTYPE; dev.devmajor = 1; dev.devminor = 3
mk("device.tar.gz", [(dev,)])
mk("dels.tar.gz", [f("bin/new"), f(".updater-delete", b"old/file\n../../etc/passwd\n")])
mk("delcr.tar.gz", [f(".updater-delete", b"old/file\r\n")])
mk("dellink.tar.gz", [l("./.updater-delete", "x")])
mk("delok.tar.gz", [f("bin/new"), f("./.updater-delete", b"old/file\n\nold dir/with space\n")])
root = tarfile.TarInfo("."); root.type = tarfile.DIRTYPE; root.mode = 0o755
mk("nothing.tar.gz", [(root,)])
EOF
    rc_msg hostile-dotdot 1 "'../evil': '..' in path" $UPD publish --repo "$R" --app hello --version 5.0.0 -s "$K" "$tmp/dotdot.tar.gz"
    unchanged hostile-dotdot
    rc_msg hostile-absolute 1 "'/tmp/evil': absolute path" $UPD publish --repo "$R" --app hello --version 5.0.0 -s "$K" "$tmp/abs.tar.gz"
    unchanged hostile-absolute
    rc_msg hostile-symlink 1 "'bin' -> '../../../etc'" $UPD publish --repo "$R" --app hello --version 5.0.0 -s "$K" "$tmp/symlink.tar.gz"
    unchanged hostile-symlink
    rc_msg hostile-hardlink 1 "'h' link to '/etc/passwd'" $UPD publish --repo "$R" --app hello --version 5.0.0 -s "$K" "$tmp/hardlink.tar.gz"
    rc_msg hostile-device 1 "'dev'" $UPD publish --repo "$R" --app hello --version 5.0.0 -s "$K" "$tmp/device.tar.gz"
    unchanged hostile-device
    rc_msg delete-list-dotdot 1 ".updater-delete line 2 '../../etc/passwd': '..' in path" \
        $UPD publish --repo "$R" --app hello --version 1.3.0 --from 1.2.0 --prebuilt -s "$K" "$tmp/dels.tar.gz"
    rc_msg delete-list-crlf 1 "carriage return" $UPD publish --repo "$R" --app hello --version 1.3.0 --from 1.2.0 --prebuilt -s "$K" "$tmp/delcr.tar.gz"
    rc_msg delete-list-symlink 1 ".updater-delete is not a regular file" \
        $UPD publish --repo "$R" --app hello --version 1.3.0 --from 1.2.0 --prebuilt -s "$K" "$tmp/dellink.tar.gz"
    ok delete-list-ok $UPD publish --repo "$tmp/d2" --app hello --version 1.3.0 --from 1.2.0 --prebuilt -s "$K" "$tmp/delok.tar.gz"
    rc_msg empty-archive 1 "the archive holds nothing" $UPD publish --repo "$R" --app hello --version 5.0.0 -s "$K" "$tmp/nothing.tar.gz"
    unchanged hostile-all
else
    skip hostile-archives "python3 is not installed: hostile archives not made"
fi
mkdir "$R/sub"
rc_msg repo-inside-src 1 "is inside" $UPD publish --repo "$R/sub" --app hello --version 5.0.0 -s "$K" "$R"
rmdir "$R/sub"
unchanged repo-inside-src

# keys: missing, not a key, encrypted, another key than the repo's
rc_msg key-missing 1 "$tmp/k/nope.key: No such file or directory" \
    $UPD publish --repo "$R" --app hello --version 5.0.0 -s "$tmp/k/nope.key" "$tmp/hello-1.tar.gz"
rc_msg key-public-as-secret 1 "$P: not a minisign secret key" \
    $UPD publish --repo "$R" --app hello --version 5.0.0 -s "$P" "$tmp/hello-1.tar.gz"
if have $PY; then
    $PY - "$K" "$tmp/k/enc.key" <<'EOF'
import base64, sys
lines = open(sys.argv[1]).read().split("\n")
raw = bytearray(base64.b64decode(lines[1]))
raw[2:4] = b"Sc"                      # scrypt: a password-protected key
open(sys.argv[2], "w").write(lines[0] + "\n" + base64.b64encode(bytes(raw)).decode() + "\n")
EOF
    rc_msg key-encrypted 1 "upd keygen or minisign -G -W" \
        $UPD publish --repo "$R" --app hello --version 5.0.0 -s "$tmp/k/enc.key" "$tmp/hello-1.tar.gz"
fi
rc_msg key-other 1 "is signed with key" $UPD publish --repo "$R" --app hello --version 5.0.0 -s "$tmp/k/o.key" "$tmp/hello-1.tar.gz"
unchanged keys

# ---- malformed versions: refused, untouched, line shown ----
mkdir "$tmp/bad"
printf '@serial 3\nhello 1.0 url=a.tar.gz size=12x sha256=%s\n' "$sha" >"$tmp/bad/versions"
cp "$tmp/bad/versions" "$tmp/bad.before"
rc_msg malformed-refused 1 "line 2: bad size" $UPD publish --repo "$tmp/bad" --app hello --version 2.0.0 -s "$K" "$tmp/hello-1.tar.gz"
if grep -qF "line 2 reads: hello 1.0 url=a.tar.gz size=12x" "$tmp/err"; then pass; else fail malformed-shows-line "$(cat "$tmp/err")"; fi
check malformed-untouched cmp "$tmp/bad/versions" "$tmp/bad.before"
check_eq malformed-nothing-added "$(ls -A "$tmp/bad")" versions
printf '# no serial\n' >"$tmp/bad/versions"
rc_msg malformed-no-serial 1 "missing @serial" $UPD publish --repo "$tmp/bad" --app hello --version 2.0.0 -s "$K" "$tmp/hello-1.tar.gz"
check_eq no-serial-nothing-added "$(ls -A "$tmp/bad")" versions

# ---- --force: older accepted, duplicate replaced ----
ok force-lower $UPD publish --repo "$R" --app hello --version 1.1.5 --force -s "$K" "$tmp/hello-1.tar.gz"
check_eq force-lower-serial "$(serial_of "$R")" 4
check_eq force-lower-line "$(grep -c '^hello 1.1.5 ' "$R/versions")" 1
check_eq force-lower-select "$(sel --app hello --current 1.1.0 "$R/versions")" "update hello 1.2.0"
n_before=$(grep -c . "$R/versions")
ok force-duplicate $UPD publish --repo "$R" --app hello --version 1.1.5 --force --rollout 10 -s "$K" "$tmp/src1"
check_eq force-duplicate-one-line "$(grep -c '^hello 1.1.5 ' "$R/versions")" 1
check_eq force-duplicate-same-count "$(grep -c . "$R/versions")" "$n_before"
check_eq force-duplicate-new-values "$(field "$R/versions" hello 1.1.5 rollout)/$(field "$R/versions" hello 1.1.5 sha256)" \
    "10/$(sha256sum "$R/hello-1.1.5.tar.gz" | cut -d' ' -f1)"
ok force-upd-verify $UPD verify -p "$P" "$R/versions"

# an archive name already taken by other bytes: refused unless --force; the same bytes are fine
printf 'stale\n' >"$R/hello-2.0.0.tar.gz"
cp "$R/versions" "$tmp/v.before"
rc_msg archive-exists-differs 1 "exists with different content" $UPD publish --repo "$R" --app hello --version 2.0.0 -s "$K" "$tmp/hello-1.tar.gz"
check archive-exists-versions-untouched cmp "$R/versions" "$tmp/v.before"
check_eq archive-exists-kept "$(cat "$R/hello-2.0.0.tar.gz")" stale
cp "$tmp/hello-1.tar.gz" "$R/hello-2.0.0.tar.gz"
ok archive-exists-same $UPD publish --repo "$R" --app hello --version 2.0.0 -s "$K" "$R/hello-2.0.0.tar.gz"
check archive-exists-same-bytes cmp "$R/hello-2.0.0.tar.gz" "$tmp/hello-1.tar.gz"
check_eq serial-6 "$(serial_of "$R")" 6

# ---- incremental, channel, rollout, min, critical, notes, expires ----
mkdir -p "$tmp/delta/bin"
printf '#!/bin/sh\necho hello 2.1\n' >"$tmp/delta/bin/hello"; chmod 755 "$tmp/delta/bin/hello"
printf 'share/doc/README\n' >"$tmp/delta/.updater-delete"
cp -R "$tmp/delta" "$tmp/delta-nolist"
$UPD tree "$tmp/src2" >"$tmp/delta/.updater-tree" # the result: 2.1.0's tree
ok full-2.1 $UPD publish --repo "$R" --app hello --version 2.1.0 --rollout 50 --min 1.0.0 --critical \
    --notes https://example.org/notes/2.1 -s "$K" "$tmp/src2"
cp "$R/versions" "$tmp/v.before"
rc_msg from-prebuilt-needs-tree 1 "has no .updater-tree, but hello 2.1.0 gives tree=" \
    $UPD publish --repo "$R" --app hello --version 2.1.0 --from 2.0.0 --prebuilt -s "$K" "$tmp/delta-nolist"
check from-prebuilt-needs-tree-untouched cmp "$R/versions" "$tmp/v.before"
ok from $UPD publish --repo "$R" --app hello --version 2.1.0 --from 2.0.0 --prebuilt -s "$K" "$tmp/delta"
D=$R/hello-2.0.0-to-2.1.0.tar.gz
check from-archive-name test -f "$D"
check_eq from-line "$(grep '^hello 2.1.0 .*from=' "$R/versions")" \
    "hello 2.1.0 url=hello-2.0.0-to-2.1.0.tar.gz size=$(stat -c %s "$D") sha256=$(sha256sum "$D" | cut -d' ' -f1) from=2.0.0 tree=$($UPD tree --hash "$tmp/src2")"
check_eq full-2.1-line "$(grep '^hello 2.1.0 url=hello-2.1.0' "$R/versions" | cut -d' ' -f6-)" \
    "rollout=50 min=1.0.0 notes=https://example.org/notes/2.1 critical=1 tree=$($UPD tree --hash "$tmp/src2")"
$UPD manifest --app hello --current 2.0.0 --bucket 10 "$R/versions" >"$tmp/sel"
check_eq from-select "$(grep ^update "$tmp/sel")" "update hello 2.1.0 critical"
if grep -q "^delta hello 2.1.0 .*url=hello-2.0.0-to-2.1.0.tar.gz from=2.0.0 min=1.0.0 rollout=50" "$tmp/sel" &&
   grep -q "^full hello 2.1.0 .*url=hello-2.1.0.tar.gz" "$tmp/sel"; then pass; else fail from-select-both "$(cat "$tmp/sel")"; fi
check_eq rollout-outside "$(sel --app hello --current 1.2.0 --bucket 60 "$R/versions")" "update hello 2.0.0"
check_eq min-below "$(sel --app hello --current 0.9.0 --bucket 10 "$R/versions")" "update hello 2.0.0"
check from-lists-delete sh -c "$UPD untar --list '$D' | grep -q ' ./.updater-delete\$'"
rc_msg from-duplicate 1 "hello 2.1.0 from 2.0.0 is already published" \
    $UPD publish --repo "$R" --app hello --version 2.1.0 --from 2.0.0 --prebuilt -s "$K" "$tmp/delta"
rc_msg from-conflicting-rollout 1 "disagrees" $UPD publish --repo "$R" --app hello --version 2.1.0 --from 1.2.0 --prebuilt --rollout 20 -s "$K" "$tmp/delta"
ok beta $UPD publish --repo "$R" --app hello --version 3.0.0-beta.1 --channel beta -s "$K" "$tmp/src2"
check_eq beta-line "$(grep '^hello 3.0.0-beta.1 ' "$R/versions" | cut -d' ' -f6)" "channel=beta"
check_eq beta-select "$(sel --app hello --current 2.1.0 --channel beta "$R/versions")" "update hello 3.0.0-beta.1"
check_eq beta-not-stable "$(sel --app hello --current 2.1.0 "$R/versions")" "no update"
ok stable-after-beta $UPD publish --repo "$R" --app hello --version 2.2.0 -s "$K" "$tmp/src2"
rc_msg beta-lower 1 "already published on channel beta" \
    $UPD publish --repo "$R" --app hello --version 3.0.0-alpha --channel beta -s "$K" "$tmp/src2"
ok expires $UPD publish --repo "$R" --app hello --version 2.3.0 --expires 30 -s "$K" "$tmp/src2"
near() { # near NAME WHEN DAYS: WHEN is about now + DAYS days
    got=$(date -u -d "$2" +%s 2>/dev/null || echo 0) want=$(( $(date +%s) + $3 * 86400 ))
    case $2 in [0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z) ;; *) got=0 ;; esac
    if [ $((got - want)) -le 5 ] && [ $((want - got)) -le 120 ]; then pass; else fail "$1" "[$2], want about $3 days from now"; fi
}
near expires-value "$(sed -n 's/^@expires //p' "$R/versions")" 30
check_eq expires-after-serial "$(grep -n '^@' "$R/versions" | cut -d: -f1 | tr '\n' ' ')" "2 3 "
ok expires-replaced $UPD publish --repo "$R" --app hello --version 2.4.0 --expires 2 -s "$K" "$tmp/src2"
check_eq expires-one-line "$(grep -c '^@expires' "$R/versions")" 1
near expires-replaced-value "$(sed -n 's/^@expires //p' "$R/versions")" 2
exp=$(grep '^@expires' "$R/versions")
ok expires-kept $UPD publish --repo "$R" --app hello --version 2.5.0 -s "$K" "$tmp/src2"
check_eq expires-kept-line "$(grep '^@expires' "$R/versions")" "$exp"
check_eq serial-final "$(serial_of "$R")" 13
ok final-upd-verify $UPD verify -p "$P" "$R/versions"
have minisign && ok final-minisign-verifies minisign -Vm "$R/versions" -p "$P"

# ---- a hand-kept manifest: every other line verbatim, CRLF kept ----
mkdir "$tmp/h"
printf '\357\273\277# our releases\r\n\r\n@mirror https://mirror.example.org/  # unknown directive\r\n' >"$tmp/h/versions"
printf '@serial   41   # bumped by publish\r\n@expires 2000-01-01T00:00:00Z\r\n' >>"$tmp/h/versions"
printf 'other 9.9 url=https://cdn.example.org/other.tar.gz size=5 sha256=%s future=yes\r\n' "$sha" >>"$tmp/h/versions"
printf '\t# indented comment\r\nhello 0.5 url=old.tar.gz size=7 sha256=%s  # old' "$sha" >>"$tmp/h/versions"
cp "$tmp/h/versions" "$tmp/h.before"
ok hand-kept $UPD publish --repo "$tmp/h" --app hello --version 1.0.0 -s "$K" "$tmp/hello-1.tar.gz"
if grep -qF "@expires 2000-01-01T00:00:00Z is in the past" "$tmp/err"; then pass; else fail hand-kept-expired-warning "$(cat "$tmp/err")"; fi
check_eq hand-kept-serial-line "$(sed -n 4p "$tmp/h/versions")" "$(printf '@serial   42   # bumped by publish\r')"
{ sed '4s/41/42/' "$tmp/h.before"; printf '\r\nhello 1.0.0 url=hello-1.0.0.tar.gz size=%s sha256=%s tree=%s\r\n' \
    "$(stat -c %s "$tmp/h/hello-1.0.0.tar.gz")" "$sha" "$tree1"; } >"$tmp/h.want"
check hand-kept-all-else-verbatim cmp "$tmp/h/versions" "$tmp/h.want"
check_eq hand-kept-parses "$($UPD manifest --now 0 "$tmp/h/versions" | head -n 1)" "serial 42"
ok hand-kept-verify $UPD verify -p "$P" "$tmp/h/versions"
have minisign && ok hand-kept-minisign minisign -Vm "$tmp/h/versions" -p "$P"

# ---- the lock: a publish waits for the one holding it; parallel publishes all land ----
if have $PY; then
    rm -f "$tmp/locked"
    $PY -c 'import fcntl, sys, time
f = open(sys.argv[1], "a"); fcntl.lockf(f, fcntl.LOCK_EX); open(sys.argv[2], "w").close(); time.sleep(1.5)' \
        "$R/.upd-publish.lock" "$tmp/locked" &
    lpid=$!
    i=0; while [ ! -e "$tmp/locked" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    t0=$(date +%s%N)
    ok lock-waits $UPD publish --repo "$R" --app hello --version 2.6.0 -s "$K" "$tmp/src2"
    t1=$(date +%s%N)
    wait $lpid
    if grep -qF "another publish (pid $lpid) holds" "$tmp/err"; then pass; else fail lock-message "$(cat "$tmp/err")"; fi
    if [ $(( (t1 - t0) / 1000000 )) -ge 900 ]; then pass; else fail lock-waited "took $(( (t1 - t0) / 1000000 )) ms"; fi
    check_eq lock-removed "$(ls -A "$R" | grep -c lock)" 0
else
    skip lock-wait "python3 is not installed"
fi
s0=$(serial_of "$R")
for a in p1 p2 p3 p4 p5; do
    $UPD publish --repo "$R" --app $a --version 1.0 -s "$K" "$tmp/hello-1.tar.gz" >"$tmp/par.$a" 2>&1 &
done
wait
check_eq parallel-serial "$(serial_of "$R")" $((s0 + 5))
check_eq parallel-all-lines "$(grep -cE '^p[1-5] 1.0 ' "$R/versions")" 5
check_eq parallel-serials-distinct "$(sed -n 's/.*, serial //p' "$tmp"/par.p* | sort -u | wc -l | tr -d ' ')" 5
ok parallel-verify $UPD verify -p "$P" "$R/versions"
check_eq parallel-no-leftovers "$(ls -A "$R" | grep -c -e upd- -e lock)" 0

# the key: --force publishes with another key; then that key verifies
ok force-other-key $UPD publish --repo "$R" --app hello --version 9.0.0 --force -s "$tmp/k/o.key" "$tmp/hello-1.tar.gz"
ok other-key-verifies $UPD verify -p "$tmp/k/o.pub" "$R/versions"
check_rc old-key-refused 1 $UPD verify -p "$P" "$R/versions"

summary
