#!/bin/sh
# Incremental updates (docs/delta.md) end to end.
#   1. `upd tree`: the listing of a directory against an independent one
#      written here in Python (escapes, order, modes, links, hard links,
#      reserved names); the listing of an archive (GNU tar, busybox tar,
#      Python's tarfile with duplicate entries, a directory named twice,
#      hard links, parents without entries) equal to the listing of the
#      directory `upd untar` makes of it; archives extraction refuses are
#      refused the same way.
#   2. `upd publish --from`: the incremental package's contents (changed
#      files, binary patches with the new file's mode, .updater-delete,
#      .updater-tree, hard links kept), tree= on every line, the old release given as a repo
#      version, V=PATH or PATH (found by its tree), several --from in one
#      signed update, a full package kept when listed with the same files,
#      refusals leaving the repo as it was, the work directory removed.
#   3. real program trees served by nginx, updated with `upd update`: two
#      builds of examples/hello (one line apart) and two releases of a real
#      npm package with a native binary (esbuild-linux-64 0.15.17 -> 0.15.18,
#      fetched with `npm pack` into $B/delta-cache; SKIPPED when npm or the
#      network fails): the updated tree equals a full install of the new
#      release, and the bytes nginx sent are the incremental package's.
#   4. corruptions: a flipped byte in a patch (package re-packed, manifest
#      re-signed with the right digest), a wrong old file, a file the user
#      changed that the release keeps, a file the user changed that the
#      release patches, a package without .updater-tree: each update ends
#      through the full package, with the fallback said, and the same tree
#      as a full install.
#   5. crash safety: `upd update` of the incremental package (with a patch)
#      killed at calls of each mutating syscall (strace -e inject, as
#      tests/engine.sh does; the first, the last and two between, or every
#      call with CRASH_FULL=1): the install is exactly the old or the new
#      tree, and the next runs (startup, good, update) converge to the new
#      one.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
B=${B:-build}
UPD=${UPD:-$B/asan/upd}
case $UPD in /*) ;; *) UPD=$PWD/$UPD ;; esac
FAST=${FAST_UPD:-$B/upd} # the optimized build: the big diff and the crash sweep
case $FAST in /*) ;; *) FAST=$PWD/$FAST ;; esac
[ -x "$FAST" ] || FAST=$UPD
CACHE=$PWD/$B/delta-cache
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi
PATH=$PATH:/usr/sbin:/sbin
T0=$(date +%s)
tmp=$(mktemp -d)
NGX=""
cleanup() {
    [ -z "$NGX" ] || { kill "$NGX" 2>/dev/null; wait "$NGX" 2>/dev/null; }
    for p in ${hb1:-} ${hb2:-}; do wait "$p" 2>/dev/null; done
    chmod -R u+rwx "$tmp" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
section() { echo "== $1 ($(($(date +%s) - T0)) s)"; }
if [ ! -x "$UPD" ]; then fail build-upd "$UPD is not built (make $UPD)"; summary; exit 1; fi
for t in "$PY" tar gzip; do
    if ! have "$t"; then fail "needs-$t" "$t is not installed"; summary; exit 1; fi
done
timeout 30 "$UPD" keygen -p "$tmp/k.pub" -s "$tmp/k.key" >/dev/null 2>&1 || fail keygen "upd keygen failed"
KEY=$tmp/k.key PUB=$tmp/k.pub
# meanwhile: two builds of examples/hello, one line apart (the version string)
HB=$tmp/hb
( make -s B="$HB/1" HELLO_VERSION=1.0.0 "$HB/1/hello" >"$HB.1.log" 2>&1 ) &
hb1=$!
( make -s B="$HB/2" HELLO_VERSION=1.0.1 "$HB/2/hello" >"$HB.2.log" 2>&1 ) &
hb2=$!

# rc_msg NAME WANT-RC WANT-STDERR-SUBSTRING CMD...
rc_msg() {
    n=$1 want=$2 msg=$3; shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"; got=$?
    if [ "$got" = "$want" ] && grep -qF -- "$msg" "$tmp/err"; then pass
    else fail "$n" "exit $got (want $want), stderr [$(head -c 400 "$tmp/err")], want [$msg]"; fi
}
ok() { # ok NAME CMD...: exit 0; a failure shows stderr
    n=$1; shift
    if "$@" >"$tmp/out" 2>"$tmp/err"; then pass; else fail "$n" "exit $?: $* [$(head -c 400 "$tmp/err")]"; fi
}
# same_files NAME FILE-A FILE-B: byte-identical, else the first differing lines
same_files() {
    if cmp -s "$2" "$3"; then pass
    else fail "$1" "$(diff "$2" "$3" | head -n 6 | cut -c 1-160 | tr '\n' '|')"; fi
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
fsize() { wc -c <"$1" | tr -d ' '; }

# the listing of a directory, written from docs/delta.md alone
cat >"$tmp/listing.py" <<'EOF'
import hashlib, os, stat, sys
RESERVED = {b".updater-tree", b".updater-delete", b".updater-patch"}
def esc(b):
    return b"".join(b"%%%02X" % c if c <= 0x20 or c == 0x25 or c == 0x7F else bytes([c]) for c in b)
def listing(top):
    top = os.fsencode(top)
    recs = []
    for dp, dns, fns in os.walk(top):
        rel = os.path.relpath(dp, top)
        if rel == b".":
            dns[:] = [d for d in dns if d not in RESERVED]
            fns = [f for f in fns if f not in RESERVED]
        for n in dns + fns:
            full = os.path.join(dp, n)
            p = os.path.relpath(full, top)
            st = os.lstat(full)
            mode = stat.S_IMODE(st.st_mode) & 0o755
            if stat.S_ISLNK(st.st_mode):
                recs.append((p, b"l " + esc(p) + b" " + esc(os.readlink(full)) + b"\n"))
            elif stat.S_ISDIR(st.st_mode):
                recs.append((p, b"d %04o " % mode + esc(p) + b"\n"))
            else:
                with open(full, "rb") as f:
                    data = f.read()
                recs.append((p, b"f %04o %d %s " % (mode, len(data), hashlib.sha256(data).hexdigest().encode())
                             + esc(p) + b"\n"))
    return b"".join(r for _, r in sorted(recs))
out = listing(sys.argv[1])
if len(sys.argv) > 2:
    print(hashlib.sha256(out).hexdigest())
else:
    sys.stdout.buffer.write(out)
EOF
pylist() { "$PY" "$tmp/listing.py" "$@"; }
# th DIR: a hash of everything below and including DIR (type, mode, size,
# contents, link targets; not times), to tell trees apart
cat >"$tmp/th.py" <<'EOF'
import hashlib, os, stat, sys
top = sys.argv[1]
if not os.path.lexists(top):
    print("missing"); sys.exit(0)
out = []
for dp, dns, fns in os.walk(top):
    for n in [""] + dns + fns:
        full = os.path.join(dp, n) if n else dp
        if not n and dp != top:
            continue
        st = os.lstat(full)
        rel = os.path.relpath(full, top)
        m = stat.S_IMODE(st.st_mode)
        if stat.S_ISLNK(st.st_mode):
            out.append("%s l %s" % (rel, os.readlink(full)))
        elif stat.S_ISDIR(st.st_mode):
            out.append("%s d %o" % (rel, m))
        else:
            with open(full, "rb") as f:
                out.append("%s f %o %s" % (rel, m, hashlib.sha256(f.read()).hexdigest()))
print(hashlib.sha256("\n".join(sorted(out)).encode()).hexdigest()[:16])
EOF
th() { "$PY" -S "$tmp/th.py" "$1"; }

# ==== 1. upd tree =======================================================
section "1. upd tree"
check_rc tree-usage 2 "$UPD" tree
check_rc tree-help 0 "$UPD" help tree
S=$tmp/s1
mkdir -p "$S/a/b" "$S/empty" "$S/deep/er/still" "$S/private" "$S/gw"
printf 'one\n' >"$S/a/b/one.txt"
printf 'a-b\n' >"$S/a-b"; printf 'a.b\n' >"$S/a.b"; printf 'a0\n' >"$S/a0"
printf 'space\n' >"$S/with space"; printf 'pct\n' >"$S/100%"; printf 'tab\n' >"$S/tab$(printf '\t')x"
printf 'nl\n' >"$S/nl
x"
printf 'utf8\n' >"$S/$(printf '\303\251t\303\251')"; printf 'del\n' >"$S/del$(printf '\177')"
printf 'high\n' >"$S/$(printf '\377\376')"
: >"$S/empty.txt"
head -c 70000 /dev/urandom >"$S/deep/er/still/blob.bin"
printf '#!/bin/sh\n' >"$S/run.sh"; chmod 775 "$S/run.sh"
printf 'suid\n' >"$S/suid"; chmod 4755 "$S/suid"
printf 'secret\n' >"$S/private/key"; chmod 600 "$S/private/key"; chmod 700 "$S/private"
chmod 775 "$S/gw"
ln -s "a/b/one.txt" "$S/link"; ln -s "with space" "$S/link to space"; ln -s "100%" "$S/link%"
ln "$S/a/b/one.txt" "$S/hardlink"
mkdir -p "$S/.updater-patch/x"; printf 'r\n' >"$S/.updater-tree"; printf 'r\n' >"$S/.updater-delete"
mkdir -p "$S/sub"; printf 'not reserved below the top\n' >"$S/sub/.updater-tree"
"$UPD" tree "$S" >"$tmp/l.upd" 2>"$tmp/err"; check_eq tree-dir-rc "$?" 0
pylist "$S" >"$tmp/l.py"
same_files tree-dir-matches-reference "$tmp/l.upd" "$tmp/l.py"
check_eq tree-hash "$("$UPD" tree --hash "$S")" "$(sha "$tmp/l.upd")"
check_eq tree-hash-reference "$("$UPD" tree --hash "$S")" "$(pylist "$S" hash)"
# the spec's own points, read off the output
if grep -q '^f 0755 10 [0-9a-f]* run.sh$' "$tmp/l.upd" && grep -q '^f 0755 5 [0-9a-f]* suid$' "$tmp/l.upd" &&
   grep -q '^f 0600 7 [0-9a-f]* private/key$' "$tmp/l.upd" && grep -q '^d 0700 private$' "$tmp/l.upd" &&
   grep -q '^d 0755 gw$' "$tmp/l.upd"; then pass; else fail tree-modes "$(grep -E 'run.sh|suid|private|gw' "$tmp/l.upd" | tr '\n' '|')"; fi
if grep -qx 'f 0644 6 [0-9a-f]* with%20space' "$tmp/l.upd" && grep -q ' 100%25$' "$tmp/l.upd" &&
   grep -q ' tab%09x$' "$tmp/l.upd" && grep -q ' nl%0Ax$' "$tmp/l.upd" && grep -q ' del%7F$' "$tmp/l.upd" &&
   grep -q "$(printf ' \303\251t\303\251$')" "$tmp/l.upd" && grep -qx 'l link%25 100%25' "$tmp/l.upd" &&
   grep -qx 'l link%20to%20space with%20space' "$tmp/l.upd"; then pass
else fail tree-escapes "$(grep -avE '^d' "$tmp/l.upd" | cut -c 1-5,75- | tr '\n' '|')"; fi
check_eq tree-order "$(grep -aE ' (a|a-b|a\.b|a/b|a0)$' "$tmp/l.upd" | awk '{print $NF}' | tr '\n' ' ')" "a a-b a.b a/b a0 "
check_eq tree-hard-link-is-a-file "$(grep -a ' hardlink$' "$tmp/l.upd" | cut -d' ' -f1-4)" "$(grep -a '^f .* a/b/one.txt$' "$tmp/l.upd" | cut -d' ' -f1-4)"
if grep -aq 'updater-patch\|^f [0-9]* [0-9]* [0-9a-f]* \.updater' "$tmp/l.upd"; then fail tree-reserved-not-listed "$(grep -a updater "$tmp/l.upd")"
else pass; fi
check_eq tree-reserved-only-at-top "$(grep -ac ' sub/.updater-tree$' "$tmp/l.upd")" 1
check_eq tree-no-root-no-blank "$(grep -ac -e '^$' -e ' \.$' "$tmp/l.upd")" 0

# archives: GNU tar, busybox tar; each listed as `upd untar` extracts it
arch_vs_dir() { # NAME ARCHIVE: upd tree ARCHIVE = upd tree of its extraction (= the reference)
    rm -rf "$tmp/x"; mkdir "$tmp/x"
    "$UPD" tree "$2" >"$tmp/l.arch" 2>"$tmp/err"; r1=$?
    "$UPD" untar -C "$tmp/x" "$2" 2>>"$tmp/err"; r2=$?
    check_eq "$1-rcs" "$r1 $r2" "0 0"
    "$UPD" tree "$tmp/x" >"$tmp/l.x"
    same_files "$1-archive-equals-extracted" "$tmp/l.arch" "$tmp/l.x"
    pylist "$tmp/x" >"$tmp/l.xpy"
    same_files "$1-extracted-equals-reference" "$tmp/l.x" "$tmp/l.xpy"
}
tar -C "$S" -czf "$tmp/s1.tgz" .
arch_vs_dir tree-gnu-tar "$tmp/s1.tgz"
same_files tree-gnu-tar-equals-source "$tmp/l.arch" "$tmp/l.upd"
if have busybox && busybox --list 2>/dev/null | grep -qx tar; then
    (cd "$S" && busybox tar -czf "$tmp/s1bb.tgz" .) 2>"$tmp/err"
    arch_vs_dir tree-busybox-tar "$tmp/s1bb.tgz"
else
    skip tree-busybox-tar "busybox is not installed: archives by busybox tar not listed"
fi
"$PY" - "$tmp" <<'EOF'
import io, sys, tarfile
d = sys.argv[1]
def mk(name, entries):
    with tarfile.open(d + "/" + name, "w:gz", format=tarfile.PAX_FORMAT) as t:
        for e in entries:
            t.addfile(e[0], io.BytesIO(e[1]) if len(e) > 1 else None)
def f(n, data=b"x", mode=0o644):
    i = tarfile.TarInfo(n); i.size = len(data); i.mode = mode; i.mtime = 1000000; return (i, data)
def dr(n, mode=0o755):
    i = tarfile.TarInfo(n); i.type = tarfile.DIRTYPE; i.mode = mode; i.mtime = 1000000; return (i,)
def l(n, target, kind=tarfile.SYMTYPE):
    i = tarfile.TarInfo(n); i.type = kind; i.linkname = target; i.mtime = 1000000; return (i,)
# later entries replace earlier ones; a directory named twice takes the later mode;
# a hard link is the file as it was when linked; a symlink replaced by a file
mk("dup.tgz", [dr("./"), dr("d", 0o700), f("d/f", b"first"), f("d/f", b"second", 0o755),
               f("orig", b"old data"), l("hl", "orig", tarfile.LNKTYPE), f("orig", b"new data"),
               l("s", "orig"), f("s", b"now a file"), dr("d", 0o750), dr("./d/", 0o751),
               f("x/z", b"z"), dr("x"), f("big", b"b" * 100000),
               l("hl2", "./big", tarfile.LNKTYPE)])
# parents without entries: extracted, not listed
mk("noparents.tgz", [f("p/q/r.txt", b"deep"), f("top.txt", b"t")])
# what extraction refuses
mk("file-over-dir.tgz", [dr("d"), f("d/x"), f("d", b"file")])
mk("through-link.tgz", [dr("d"), l("l", "d"), f("l/x")])
mk("link-to-missing.tgz", [l("h", "nothere", tarfile.LNKTYPE)])
mk("link-to-dir.tgz", [dr("d"), l("h", "d", tarfile.LNKTYPE)])
EOF
arch_vs_dir tree-tarfile-duplicates "$tmp/dup.tgz"
if grep -qx 'd 0751 d' "$tmp/l.arch" && grep -q "^f 0755 6 $(printf second | sha256sum | cut -d' ' -f1) d/f$" "$tmp/l.arch" &&
   grep -q "^f 0644 8 $(printf 'old data' | sha256sum | cut -d' ' -f1) hl$" "$tmp/l.arch" &&
   grep -q "^f 0644 8 $(printf 'new data' | sha256sum | cut -d' ' -f1) orig$" "$tmp/l.arch" &&
   grep -q '^f 0644 10 [0-9a-f]* s$' "$tmp/l.arch" && grep -q '^f 0644 100000 [0-9a-f]* hl2$' "$tmp/l.arch"; then pass
else fail tree-tarfile-duplicates-resolved "$(tr '\n' '|' <"$tmp/l.arch")"; fi
"$UPD" tree "$tmp/noparents.tgz" >"$tmp/l.arch"; rm -rf "$tmp/x"; mkdir "$tmp/x"; "$UPD" untar -C "$tmp/x" "$tmp/noparents.tgz"
"$UPD" tree "$tmp/x" | grep -v '^d ' >"$tmp/l.x"
same_files tree-implied-parents-not-listed "$tmp/l.arch" "$tmp/l.x"
check_eq tree-implied-parents-are-dirs "$("$UPD" tree "$tmp/x" | grep -c '^d ')" 2
for a in file-over-dir through-link link-to-missing link-to-dir; do
    rm -rf "$tmp/x"; mkdir "$tmp/x"
    "$UPD" untar -C "$tmp/x" "$tmp/$a.tgz" >/dev/null 2>&1; r1=$?
    "$UPD" tree "$tmp/$a.tgz" >/dev/null 2>"$tmp/err"; r2=$?
    if [ $r1 = 1 ] && [ $r2 = 1 ] && grep -q "^upd: .*$a.tgz: '" "$tmp/err"; then pass
    else fail "tree-refuses-$a" "untar exit $r1, tree exit $r2: $(cat "$tmp/err")"; fi
done
mkdir "$tmp/fifo"; mkfifo "$tmp/fifo/p"
rc_msg tree-refuses-fifo 1 "not a regular file, directory or symlink" "$UPD" tree "$tmp/fifo"
printf 'not an archive\n' >"$tmp/text"
check_rc tree-refuses-text 1 "$UPD" tree "$tmp/text"

# ==== 2. upd publish --from ================================================
section "2. upd publish --from"
mkP() { # DIR VERSION: a small release; 2 changes, adds, removes and re-modes things
    mkdir -p "$1/bin" "$1/share/doc" "$1/conf"
    printf 'readme\n' >"$1/share/doc/README"
    printf 'version %s\n' "$2" >"$1/VERSION"
    cp "$tmp/p.big" "$1/bin/big"; chmod 755 "$1/bin/big"
    printf 'setting=1\n' >"$1/conf/app.conf"
    if [ "$2" = 1.0.0 ]; then
        mkdir -p "$1/old/sub"; printf 'o\n' >"$1/old/sub/o"; printf 'o\n' >"$1/old/o2"
        printf 'gone\n' >"$1/gone.txt"; ln -s share/doc/README "$1/README"; chmod 644 "$1/conf/app.conf"
    else
        printf 'patched tail\n' >>"$1/bin/big"
        mkdir -p "$1/new/dir"; printf 'n\n' >"$1/new/dir/n"; ln -s VERSION "$1/README"
        chmod 600 "$1/conf/app.conf"
    fi
}
head -c 300000 /dev/urandom >"$tmp/p.big"
mkP "$tmp/P1" 1.0.0; mkP "$tmp/P2" 2.0.0
R=$tmp/repo
mkdir "$tmp/wt"
ok publish-1 "$UPD" publish --repo "$R" --app p --version 1.0.0 -s "$KEY" "$tmp/P1"
cp -R "$R" "$tmp/repo.before"
rc_msg publish-from-missing-version 1 "p 0.9.0 is not in" "$UPD" publish --repo "$R" --app p --version 2.0.0 -s "$KEY" --from 0.9.0 "$tmp/P2"
rc_msg publish-from-bad-path 2 "not a version" "$UPD" publish --repo "$R" --app p --version 2.0.0 -s "$KEY" --from "$tmp/nope" "$tmp/P2"
rc_msg publish-from-unknown-tree 1 "no release of p in" "$UPD" publish --repo "$R" --app p --version 2.0.0 -s "$KEY" --from "$tmp/P2" "$tmp/P2"
rc_msg publish-from-twice 2 "are the same version" "$UPD" publish --repo "$R" --app p --version 2.0.0 -s "$KEY" --from 1.0.0 --from 1.0 "$tmp/P2"
rc_msg publish-prebuilt-needs-from 2 "--prebuilt needs one --from" "$UPD" publish --repo "$R" --app p --version 2.0.0 -s "$KEY" --prebuilt "$tmp/P2"
rc_msg publish-prebuilt-one-from 2 "--prebuilt needs one --from" "$UPD" publish --repo "$R" --app p --version 2.0.0 -s "$KEY" --prebuilt --from 1.0.0 --from 0.5.0 "$tmp/P2"
mkdir -p "$tmp/Pdir"; cp -R "$tmp/P2/." "$tmp/Pdir/"; rm -rf "$tmp/Pdir/old"; printf 'now a file\n' >"$tmp/Pdir/old"
rc_msg publish-from-dir-to-file 1 "is a directory in 1.0.0 and a file in the new release" \
    env TMPDIR="$tmp/wt" "$UPD" publish --repo "$R" --app p --version 2.0.0 -s "$KEY" --from 1.0.0 "$tmp/Pdir"
if diff -r "$R" "$tmp/repo.before" >/dev/null; then pass; else fail publish-refusals-leave-repo "$(diff -r "$R" "$tmp/repo.before" | head -n 3)"; fi
check_eq publish-refusal-work-dir-removed "$(ls -A "$tmp/wt")" ""

ok publish-2-from-1 env TMPDIR="$tmp/wt" "$UPD" publish --repo "$R" --app p --version 2.0.0 -s "$KEY" --from 1.0.0 "$tmp/P2"
check_eq publish-2-stdout "$(sed 's/sha256 [0-9a-f]*/sha256 H/; s/, [0-9]* bytes/, N bytes/' "$tmp/out" | tr '\n' '|')" \
    "published p 2.0.0 (p-2.0.0.tar.gz, N bytes, sha256 H), serial 2|published p 2.0.0 from 1.0.0 (p-1.0.0-to-2.0.0.tar.gz, N bytes, sha256 H; 7 new or changed, 1 patched, 2 deleted), serial 2|"
check_eq publish-work-dir-removed "$(ls -A "$tmp/wt")" ""
T2=$("$UPD" tree --hash "$tmp/P2")
INC=$R/p-1.0.0-to-2.0.0.tar.gz
check_eq publish-lines "$(grep '^p 2.0.0' "$R/versions" | sed 's/size=[0-9]* sha256=[0-9a-f]*/S/')" \
"p 2.0.0 url=p-2.0.0.tar.gz S tree=$T2
p 2.0.0 url=p-1.0.0-to-2.0.0.tar.gz S from=1.0.0 tree=$T2"
check_eq publish-line-1-tree "$(grep '^p 1.0.0' "$R/versions" | sed 's/.* tree=//')" "$("$UPD" tree --hash "$tmp/P1")"
check_eq publish-inc-size "$(grep "url=p-1.0.0-to-2.0.0" "$R/versions" | sed 's/.* size=\([0-9]*\) .*/\1/')" "$(fsize "$INC")"
check_eq publish-inc-sha "$(grep "url=p-1.0.0-to-2.0.0" "$R/versions" | sed 's/.* sha256=\([0-9a-f]*\) .*/\1/')" "$(sha "$INC")"
ok publish-2-verify "$UPD" verify -p "$PUB" "$R/versions"
"$UPD" untar --list "$INC" | grep -v '^d ' | awk '{print $1, $2, $NF}' | LC_ALL=C sort >"$tmp/inc.list"
check_eq publish-inc-entries "$(tr '\n' '|' <"$tmp/inc.list")" \
"f 0600 ./conf/app.conf|f 0644 ./.updater-delete|f 0644 ./.updater-tree|f 0644 ./VERSION|f 0644 ./new/dir/n|f 0755 ./.updater-patch/bin/big|l 0777 VERSION|"
rm -rf "$tmp/x"; mkdir "$tmp/x"; "$UPD" untar -C "$tmp/x" "$INC"
"$UPD" tree "$tmp/P2" >"$tmp/l.p2"
same_files publish-inc-updater-tree "$tmp/x/.updater-tree" "$tmp/l.p2"
check_eq publish-inc-updater-delete "$(tr '\n' ' ' <"$tmp/x/.updater-delete")" "gone.txt old "
check_eq publish-inc-dir-entries "$("$UPD" untar --list "$INC" | grep '^d ' | awk '{print $2, $NF}' | LC_ALL=C sort | tr '\n' '|')" \
    "0755 ./|0755 ./.updater-patch/|0755 ./.updater-patch/bin/|0755 ./conf/|0755 ./new/|0755 ./new/dir/|"
# the patch turns the old file into the new one
ok publish-inc-patch-applies "$UPD" patch "$tmp/P1/bin/big" "$tmp/x/.updater-patch/bin/big" "$tmp/big.new"
check publish-inc-patch-result cmp "$tmp/big.new" "$tmp/P2/bin/big"
if [ "$(fsize "$tmp/x/.updater-patch/bin/big")" -lt 2000 ]; then pass; else fail publish-inc-patch-small "$(fsize "$tmp/x/.updater-patch/bin/big") bytes"; fi

# the old release as PATH (found by its tree), as V=PATH; several at once; the full package kept
mkP "$tmp/P3" 3.0.0; printf 'three\n' >"$tmp/P3/VERSION"
cp "$R/p-1.0.0.tar.gz" "$tmp/old1.tgz"
ok publish-3-two-froms "$UPD" publish --repo "$R" --app p --version 3.0.0 -s "$KEY" --from "$tmp/old1.tgz" --from 2.0.0="$tmp/P2" "$tmp/P3"
check_eq publish-3-one-serial "$(grep -c ', serial 3$' "$tmp/out")" 3
check_eq publish-3-found-by-tree "$(grep -c '^published p 3.0.0 from 1.0.0 (p-1.0.0-to-3.0.0.tar.gz' "$tmp/out")" 1
check_eq publish-3-from-2 "$(grep -c '^p 3.0.0 url=p-2.0.0-to-3.0.0.tar.gz .* from=2.0.0 tree=' "$R/versions")" 1
"$UPD" untar --list "$R/p-2.0.0-to-3.0.0.tar.gz" | grep -v '^d ' | awk '{print $NF}' | LC_ALL=C sort >"$tmp/inc3.list"
check_eq publish-3-only-the-change "$(tr '\n' ' ' <"$tmp/inc3.list")" "./.updater-tree ./VERSION "
mkP "$tmp/P15" 1.5.0
ok publish-1.5 "$UPD" publish --repo "$R" --app p --version 1.5.0 --force -s "$KEY" "$tmp/P15"
ok publish-3-again-from-1.5 "$UPD" publish --repo "$R" --app p --version 3.0.0 -s "$KEY" --from 1.5.0 "$tmp/P3"
check_eq publish-3-full-kept "$(grep -c '^kept p 3.0.0 (p-3.0.0.tar.gz' "$tmp/out") $(grep -c '^p 3.0.0 url=p-3.0.0.tar.gz' "$R/versions")" "1 1"
cp "$R/versions" "$tmp/v.before"
rc_msg publish-other-files-refused 1 "p 2.0.0 is already published (" "$UPD" publish --repo "$R" --app p --version 2.0.0 -s "$KEY" --from 1.5.0 "$tmp/P3"
check publish-other-files-untouched cmp "$R/versions" "$tmp/v.before"
rc_msg publish-from-found-not-lower 1 "--from 3.0.0 is not lower than --version 3.0.0" \
    "$UPD" publish --repo "$R" --app p --version 3.0.0 -s "$KEY" --from "$tmp/P3" "$tmp/P3"
# hard links of the release stay hard links in the incremental package
mkdir -p "$tmp/L1" "$tmp/L2"; printf 'a\n' >"$tmp/L1/f"; printf 'b\n' >"$tmp/L2/f"; ln "$tmp/L2/f" "$tmp/L2/g"
ok publish-links-1 "$UPD" publish --repo "$tmp/lr" --app l --version 1.0.0 -s "$KEY" "$tmp/L1"
ok publish-links-2 "$UPD" publish --repo "$tmp/lr" --app l --version 2.0.0 -s "$KEY" --from 1.0.0 "$tmp/L2"
check_eq publish-links-stay-links "$("$UPD" untar --list "$tmp/lr/l-1.0.0-to-2.0.0.tar.gz" | grep -c '^h ')" 1
ok publish-manifest-parses "$UPD" manifest "$R/versions"
check_eq publish-select-from-1.5 "$("$UPD" manifest --app p --current 1.5.0 "$R/versions" | grep -c '^delta p 3.0.0 .*from=1.5.0')" 1

# ==== 3. real program trees over nginx ========================================
section "3. real trees, updated over nginx"
free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() {
    "$PY" - "$1" <<'EOF'
import socket, sys, time
for _ in range(200):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.5).close(); sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
EOF
}
www=$tmp/www N=$tmp/nginx LOG=$tmp/nginx/access.log
mkdir -p "$www" "$N"
NP=""
if have nginx; then
    NP=$(free_port)
    { nginx_conf_head "$N" '$request_uri|$status|$body_bytes_sent'
      echo "    server { listen 127.0.0.1:$NP; root $www; }"
      echo "}"; } >"$N/nginx.conf"
    nginx -p "$N" -c "$N/nginx.conf" -e "$N/error.log" 2>>"$N/error.log" &
    NGX=$!
    if ! wait_port "$NP"; then fail nginx-start "nginx did not start: $(tail -n 5 "$N/error.log")"; NP=""; fi
fi
if [ -z "$NP" ]; then
    why="nginx is not installed (CI installs nginx-light): sections 3-5 need it"
    have nginx && why="nginx did not start: sections 3-5 need it"
    for s in 3-real-trees 4-corruptions 5-crash-safety; do skip "$s" "$why"; done
    summary; exit $?
fi
H=http://127.0.0.1:$NP
M=0
mark() { M=$(wc -l <"$LOG" | tr -d ' '); }
since() { sleep 0.2; tail -n "+$((M + 1))" "$LOG"; } # nginx logs a request as it ends it
# served BYTES-OF-PACKAGES: the body bytes of every .tar.gz request since the mark
pkg_bytes() { since | awk -F'|' '$1 ~ /\.tar\.gz$/ { n += $3 } END { print n + 0 }'; }
# upd_up NAME INSTALL EXE REPO [CURRENT]: upd update; $tmp/u.out, $tmp/u.err, U_RC
upd_up() {
    timeout 120 "$UPD" update --install "$2" --exe "$3" --app "$1" ${5:+--current "$5"} -p "$PUB" "$H/$4/versions" \
        >"$tmp/u.out" 2>"$tmp/u.err"; U_RC=$?
}
# fresh INSTALL ARCHIVE: a new install of a full package, no state (its
# .updater-delete applied to nothing and removed, as the engine does)
fresh() { rm -rf "$1" "$1.update"; mkdir -p "$1"; "$UPD" untar -C "$1" "$2"; rm -f "$1/.updater-delete"; }
# same_as_full NAME INSTALL FULL: INSTALL equals a fresh install of the full
# package FULL (paths, types, modes, sizes, contents, links; not times)
same_as_full() {
    fresh "$tmp/ref" "$3"
    if "$PY" tests/treecmp.py --no-mtime "$2" "$tmp/ref" >"$tmp/cmp.out" 2>&1; then pass
    else fail "$1" "$(head -n 5 "$tmp/cmp.out" | tr '\n' '|')"; fi
}
FIG=""
# e2e NAME APP V1 V2 DIR1 DIR2 EXE: publish V1, then V2 --from V1 (with PUBLISHER),
# update a V1 install over nginx; the tree and the bytes
e2e() {
    en=$1 app=$2 v1=$3 v2=$4 d1=$5 d2=$6 exe=$7 pubr=${PUBLISHER:-$UPD}
    r=$www/$en
    ok "$en-publish-$v1" "$pubr" publish --repo "$r" --app "$app" --version "$v1" -s "$KEY" "$d1"
    ok "$en-publish-$v2-from-$v1" "$pubr" publish --repo "$r" --app "$app" --version "$v2" -s "$KEY" --from "$v1" "$d2"
    inc=$r/$app-$v1-to-$v2.tar.gz full=$r/$app-$v2.tar.gz
    if [ ! -f "$inc" ]; then fail "$en-no-package" "$(cat "$tmp/err")"; return 1; fi
    I=$tmp/inst/$en
    fresh "$I" "$r/$app-$v1.tar.gz"
    mark
    upd_up "$app" "$I" "$exe" "$en" "$v1"
    check_eq "$en-update" "$U_RC $(cat "$tmp/u.out")" "0 updated $app $v1 -> $v2"
    if grep -q "incremental" "$tmp/u.err" && ! grep -q "failed" "$tmp/u.err"; then pass; else fail "$en-incremental-used" "$(cat "$tmp/u.err")"; fi
    same_as_full "$en-tree-equals-full-install" "$I" "$full"
    got=$(pkg_bytes)
    check_eq "$en-bytes-are-the-incremental-package" "$got" "$(fsize "$inc")"
    if since | grep -q "/$app-$v2.tar.gz|"; then fail "$en-full-not-fetched" "$(since | tr '\n' ' ')"; else pass; fi
    if [ "$(fsize "$inc")" -lt $(($(fsize "$full") / 4)) ]; then pass
    else fail "$en-much-smaller" "incremental $(fsize "$inc") bytes, full $(fsize "$full")"; fi
    echo "figures: $en $v1 -> $v2: downloaded $got bytes (the incremental package), full package $(fsize "$full") bytes"
    FIG="$FIG $en:$got/$(fsize "$full")"
}

# the two builds of examples/hello started at the top
wait $hb1; wait $hb2
HELLO_OK=1
for v in 1 2; do
    if [ ! -x "$HB/$v/hello" ]; then fail "build-hello-$v" "$(head -c 600 "$HB.$v.log" 2>/dev/null)"; HELLO_OK=0; fi
done
mkH() { # DIR HELLO: a hello release tree
    mkdir -p "$1/share" "$1/lib"
    cp "$2" "$1/hello"
    printf 'hello, a program that updates itself\n' >"$1/README.txt"
    cp "$tmp/h.data" "$1/lib/data.bin"
}
head -c 20000 /dev/urandom >"$tmp/h.data"
if [ $HELLO_OK = 1 ]; then
    mkH "$tmp/H1" "$HB/1/hello"; printf 'old notes\n' >"$tmp/H1/share/old.txt"
    mkH "$tmp/H2" "$HB/2/hello"; printf 'new notes\n' >"$tmp/H2/share/new.txt"
    printf 'share/old.txt\n' >"$tmp/H2/.updater-delete" # a full package is installed over the old tree too
    e2e hello hello 1.0.0 1.0.1 "$tmp/H1" "$tmp/H2" hello
    check_eq hello-patched "$(tar -tzf "$www/hello/hello-1.0.0-to-1.0.1.tar.gz" | grep -c '^\./\.updater-patch/hello$')" 1
    check_eq hello-runs-the-new-version "$(timeout 60 "$tmp/inst/hello/hello" 2>/dev/null | tail -n 1)" "hello 1.0.1"
fi

# a real npm package with a native binary, two consecutive releases
NPM_OK=0
if ! have npm; then
    skip npm-esbuild "npm is not installed: the real npm package pair (esbuild-linux-64) is not tested"
else
    mkdir -p "$CACHE"
    for v in 0.15.17 0.15.18; do
        f=$CACHE/esbuild-linux-64-$v.tgz
        [ -s "$f" ] && continue
        (cd "$CACHE" && timeout 120 npm pack --silent "esbuild-linux-64@$v" >"$tmp/npm.out" 2>&1) || rm -f "$f"
    done
    if [ -s "$CACHE/esbuild-linux-64-0.15.17.tgz" ] && [ -s "$CACHE/esbuild-linux-64-0.15.18.tgz" ]; then NPM_OK=1
    else skip npm-esbuild "npm pack esbuild-linux-64@0.15.17/0.15.18 failed (no network?): the real npm package pair is not tested: $(tail -n 2 "$tmp/npm.out" 2>/dev/null | tr '\n' ' ')"; fi
fi
if [ $NPM_OK = 1 ]; then
    for v in 0.15.17 0.15.18; do
        mkdir -p "$tmp/npm/$v"; tar -C "$tmp/npm/$v" -xzf "$CACHE/esbuild-linux-64-$v.tgz"
    done
    PUBLISHER=$FAST e2e esbuild esbuild-linux-64 0.15.17 0.15.18 "$tmp/npm/0.15.17/package" "$tmp/npm/0.15.18/package" bin/esbuild
    check_eq esbuild-runs-the-new-version "$(timeout 30 "$tmp/inst/esbuild/bin/esbuild" --version 2>&1)" "0.15.18"
fi

# ==== 4. corruptions: each ends through the full package ============================
section "4. corruptions fall back to the full package"
if [ $HELLO_OK = 1 ]; then
    HR=$www/hello FULL1=$www/hello/hello-1.0.0.tar.gz FULL2=$www/hello/hello-1.0.1.tar.gz
    INCN=hello-1.0.0-to-1.0.1.tar.gz
    TREE2=$("$UPD" tree --hash "$FULL2")
    # corrupt NAME [EDIT]: repo www/NAME with the full 1.0.1 and the good
    # incremental package, after EDIT (a shell function run in the unpacked
    # package, then re-packed), listed with the right size and digest, signed
    corrupt() {
        r=$www/$1
        rm -rf "$r" "$tmp/cx"; mkdir -p "$r" "$tmp/cx"
        cp "$FULL2" "$r/"
        tar -C "$tmp/cx" -xzf "$HR/$INCN"
        if [ -n "${2:-}" ]; then (cd "$tmp/cx" && $2); fi
        tar -C "$tmp/cx" -czf "$r/$INCN" .
        { echo "@serial 1"
          printf 'hello 1.0.1 url=hello-1.0.1.tar.gz size=%s sha256=%s tree=%s\n' "$(fsize "$FULL2")" "$(sha "$FULL2")" "$TREE2"
          printf 'hello 1.0.1 url=%s size=%s sha256=%s from=1.0.0 tree=%s\n' "$INCN" "$(fsize "$r/$INCN")" "$(sha "$r/$INCN")" "$TREE2"
        } >"$r/versions"
        "$UPD" sign -s "$KEY" "$r/versions" >/dev/null 2>&1 || fail "$1-sign" "upd sign failed"
    }
    # falls NAME [INSTALL-EDIT]: a fresh 1.0.0 install (after INSTALL-EDIT, run
    # in it) updated from www/NAME: through the full package, said, the tree
    # of a full install
    falls() {
        I=$tmp/inst/$1
        fresh "$I" "$FULL1"
        if [ -n "${2:-}" ]; then (cd "$I" && $2); fi
        mark
        upd_up hello "$I" hello "$1" 1.0.0
        check_eq "$1-updated" "$U_RC $(cat "$tmp/u.out")" "0 updated hello 1.0.0 -> 1.0.1"
        if grep -q "upd: the incremental package failed (.*); the full one instead" "$tmp/u.err"; then pass
        else fail "$1-fallback-said" "$(cat "$tmp/u.err")"; fi
        same_as_full "$1-tree-equals-full-install" "$I" "$FULL2"
        if since | grep -q "^/$1/$INCN|200|" && since | grep -q "^/$1/hello-1.0.1.tar.gz|200|$(fsize "$FULL2")\$"; then pass
        else fail "$1-both-fetched" "$(since | tr '\n' ' ')"; fi
        check_eq "$1-no-staging-left" "$(ls -A "$I.update" | grep -x -e staged -e 'download\.part' -e 'download\.info' | tr '\n' ' ')" ""
    }
    flip_patch() {
        "$PY" -c 'import sys
p = sys.argv[1]; d = bytearray(open(p, "rb").read()); d[len(d) // 2] ^= 1; open(p, "wb").write(d)' .updater-patch/hello
    }
    no_tree() { rm -f .updater-tree; }
    user_edits_readme() { printf 'my own notes\n' >>README.txt; }
    user_edits_hello() { printf 'x' >>hello; }
    wrong_old_hello() { rm -f hello; cp "$HB/2/hello" hello; }
    corrupt c-flipped-patch flip_patch; falls c-flipped-patch
    if grep -q "patch for hello" "$tmp/u.err"; then pass; else fail c-flipped-patch-named "$(cat "$tmp/u.err")"; fi
    corrupt c-no-updater-tree no_tree; falls c-no-updater-tree
    if grep -q "no .updater-tree" "$tmp/u.err"; then pass; else fail c-no-updater-tree-named "$(cat "$tmp/u.err")"; fi
    corrupt c-good
    falls c-good wrong_old_hello
    cp -R "$www/c-good" "$www/c-user-kept"; falls c-user-kept user_edits_readme
    if grep -q "README.txt" "$tmp/u.err"; then pass; else fail c-user-kept-named "$(cat "$tmp/u.err")"; fi
    cp -R "$www/c-good" "$www/c-user-patched"; falls c-user-patched user_edits_hello
else
    skip 4-corruptions "examples/hello did not build"
fi

# ==== 5. crash safety ================================================================
section "5. crash safety"
if [ $HELLO_OK = 1 ] && have strace && strace -qq -o /dev/null true 2>/dev/null; then
    D=$tmp/crash/inst
    SYSCALLS="rename renameat renameat2 unlink unlinkat mkdir mkdirat link linkat symlink symlinkat openat write fsync fchmod"
    strace -qq -e trace=mkdir -e inject=mkdir:signal=KILL -o /dev/null mkdir "$tmp/killed" 2>/dev/null
    if [ -e "$tmp/killed" ]; then fail strace-inject "strace did not kill at mkdir"; else pass; fi
    C_UPD() { "$FAST" "$@" --install "$D" --exe hello; }
    prepare() { fresh "$D" "$FULL1"; }
    # the reference: an update that goes through
    prepare; HOLD=$(th "$D")
    timeout 60 "$FAST" update --install "$D" --exe hello --app hello --current 1.0.0 -p "$PUB" "$H/hello/versions" >/dev/null 2>&1
    HNEW=$(th "$D")
    check crash-reference-differs [ "$HOLD" != "$HNEW" ]
    # the syscalls of one run
    prepare
    strace -f -qq -o "$tmp/calls" -e trace=$(echo $SYSCALLS | tr ' ' ,) \
        "$FAST" update --install "$D" --exe hello --app hello --current 1.0.0 -p "$PUB" "$H/hello/versions" >/dev/null 2>&1
    # converge WHERE: after a kill, the install is the old or the new tree;
    # then a start (startup, good if on trial) and an update, until
    # up to date: the new tree
    converge() {
        bad=""
        h=$(th "$D")
        [ "$h" = "$HOLD" ] || [ "$h" = "$HNEW" ] || bad="the install holds neither tree ($h)"
        i=0 done=0
        while [ $i -lt 4 ] && [ $done = 0 ]; do
            o=$(timeout 60 "$FAST" startup --install "$D" --exe hello 2>&1)
            case $o in "trial "*) timeout 60 "$FAST" good --install "$D" --exe hello >/dev/null 2>&1 ;; esac
            cur=""; [ -s "$D.update/installed" ] || cur=1.0.0
            timeout 60 "$FAST" update --install "$D" --exe hello --app hello ${cur:+--current $cur} -p "$PUB" "$H/hello/versions" \
                >"$tmp/cv.out" 2>"$tmp/cv.err"
            grep -q '^up-to-date 1.0.1' "$tmp/cv.out" && done=1
            i=$((i + 1))
        done
        [ $done = 1 ] || bad="$bad; not up to date after $i runs: $(cat "$tmp/cv.out" "$tmp/cv.err" | tr '\n' ' ' | cut -c 1-300)"
        h=$(th "$D")
        [ "$h" = "$HNEW" ] || bad="$bad; not the new tree at the end ($h)"
        if [ -z "$bad" ]; then pass; else fail "$1" "${bad#; }"; fi
    }
    total=0 line=""
    for s in $SYSCALLS; do
        n=$(sed -E 's/^[0-9]+ +//' "$tmp/calls" | grep -c "^$s(")
        [ "$n" -gt 0 ] || continue
        # the calls to kill at: all of them with CRASH_FULL=1, else the first,
        # the last and two between
        if [ "${CRASH_FULL:-0}" = 1 ] || [ "$n" -le 4 ]; then ks=$(seq 1 "$n")
        else ks=$(printf '%s\n' 1 $((n / 3 + 1)) $((2 * n / 3 + 1)) "$n" | sort -nu); fi
        c=0
        for k in $ks; do
            prepare
            strace -f -qq -o /dev/null -e trace=$s -e inject=$s:signal=KILL:when=$k \
                "$FAST" update --install "$D" --exe hello --app hello --current 1.0.0 -p "$PUB" "$H/hello/versions" \
                >/dev/null 2>&1
            rc=$?
            if [ $rc != 137 ]; then fail "crash-$s#$k" "not killed (exit $rc): fewer calls than counted"; continue; fi
            converge "crash-$s#$k"
            c=$((c + 1))
        done
        line="$line $s=$c/$n" total=$((total + c))
    done
    echo "crash points (killed/calls):$line; $total in all"
    check crash-points-covered [ "$total" -ge 20 ]
else
    skip 5-crash-safety "strace is not installed or cannot trace here (or hello did not build)"
fi

[ -n "$FIG" ] && echo "figures (downloaded/full bytes):$FIG"
summary
