#!/bin/sh
# `upd untar` against the tools whose archives it must read (GNU tar,
# bsdtar, busybox tar, Python's tarfile) and against hostile archives.
#   - A tree built here (nested and long paths, long symlink targets, UTF-8
#     names, modes, empty file and directory, a read-only directory, hard
#     and symbolic links, text and binary files) is archived in every format
#     each tool writes, plain and gzipped, extracted by upd and by GNU tar,
#     and the two trees compared by tests/treecmp.py (paths, types, modes,
#     sizes, contents, link targets, hard links, file mtimes).
#   - Hostile archives (tests/tar_hostile.py, plus a few needing a prepared
#     destination) must fail with exit 1 and a message naming the entry,
#     leave a sentinel directory next to the destination byte-identical,
#     create nothing outside the destination and leave no temporary file.
#   - --list output, usage errors, stdin, and extraction as an unprivileged
#     user (through setpriv when run as root), where permissions apply.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
B=${B:-build}
UPD=${UPD:-$B/asan/upd}
case $UPD in /*) ;; *) UPD=$PWD/$UPD ;; esac
tmp=$(mktemp -d)
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
TAB=$(printf '\t')
# the system's python3 if there is one (starts fast), else the first in PATH
if [ -z "${PYTHON3:-}" ]; then
    if [ -x /usr/bin/python3 ]; then PYTHON3=/usr/bin/python3; else PYTHON3=python3; fi
fi

if [ ! -x "$UPD" ]; then fail upd-built "$UPD is not built (make $UPD)"; summary; exit 1; fi
for t in "$PYTHON3" gzip; do
    if ! have "$t"; then fail "needs-$t" "$t is not installed"; summary; exit 1; fi
done
# GNU tar is the reference extractor
if ! tar --version 2>/dev/null | grep -q 'GNU tar'; then
    skip tar-vs-gnu-tar "GNU tar is not installed"; summary; exit 0
fi

# rm -rf that also works on read-only directories
clean() { [ -e "$1" ] && chmod -R u+rwx "$1" 2>/dev/null; rm -rf "$1"; }

# ---- the source trees ----
# rep N C: the character C N times
rep() { printf "%${1}s" "" | tr ' ' "$2"; }
make_tree() { # DIR LONG(0|1)
    d=$1
    mkdir -p "$d/a/b/c/d" "$d/empty dir" "$d/ro" "$d/ünïcødé" "$d/modes"
    printf 'hello, world\n' >"$d/a/hello.txt"
    "$PYTHON3" -c 'import sys, random; r = random.Random(7); sys.stdout.buffer.write(bytes(r.getrandbits(8) for _ in range(70001)))' >"$d/a/b/binary.bin"
    "$PYTHON3" -c 'import sys; sys.stdout.write("".join("line %d of a text file\n" % i for i in range(3000)))' >"$d/a/b/c/text.txt"
    printf '\0\1\2\377' >"$d/a/b/c/d/small.bin"
    : >"$d/a/empty-file"
    printf '#!/bin/sh\necho hi\n' >"$d/modes/run.sh"; chmod 0755 "$d/modes/run.sh"
    printf 'private\n' >"$d/modes/private"; chmod 0600 "$d/modes/private"
    printf 'read only\n' >"$d/modes/readonly"; chmod 0444 "$d/modes/readonly"
    printf 'utf-8\n' >"$d/ünïcødé/日本語.txt"
    printf 'spaces\n' >"$d/a/with space.txt"
    ln "$d/a/hello.txt" "$d/a/b/hello-hardlink"
    ln "$d/modes/run.sh" "$d/run-hardlink"
    ln -s ../hello.txt "$d/a/b/rel-symlink"
    ln -s a/b/c/d/small.bin "$d/top-symlink"
    ln -s 'ünïcødé/日本語.txt' "$d/utf8-symlink"
    ln -s . "$d/a/dot-symlink"
    if [ "$2" = 1 ]; then
        c60=$(rep 60 L) c200=$(rep 200 M) c250=$(rep 250 N)
        mkdir -p "$d/long/$c60/$c60" "$d/long/$c200/$c250"
        printf 'over 100\n' >"$d/long/$c60/$c60/file-with-a-long-name.txt"   # > 100 bytes
        printf 'over 255\n' >"$d/long/$c200/$c250/f.txt"                      # > 255 bytes
        ln -s "$c200/$c250/f.txt" "$d/long/symlink-with-a-long-target"        # target > 100
        ln "$d/long/$c200/$c250/f.txt" "$d/long/$c60/hardlink-to-a-long-name" # link name > 100
        ln -s "../../$c60/$c60/file-with-a-long-name.txt" "$d/long/$c200/$(rep 120 s)" # both long
    fi
    printf 'in a read-only dir\n' >"$d/ro/inside"
    # fixed mtimes, one with a fraction; directories last (writing changes them)
    find "$d" ! -type d -exec touch -h -d @1500000000 {} +
    touch -d @1400000000.75 "$d/a/hello.txt"
    [ "$2" = 1 ] && touch -d @-86400 "$d/a/b/c/d/small.bin" # before 1970
    find "$d" -type d -exec touch -d @1300000000 {} +
    chmod 0555 "$d/ro"
    chmod 0750 "$d/a/b"
}
make_tree "$tmp/src" 1
make_tree "$tmp/short" 0

# ---- archives from every tool and format ----
A=$tmp/archives
mkdir "$A"
tar --format=gnu -cf "$A/gnutar-gnu.tar" -C "$tmp/src" .
tar --format=posix -cf "$A/gnutar-posix.tar" -C "$tmp/src" .
tar --format=ustar -cf "$A/gnutar-ustar.short.tar" -C "$tmp/short" .
tar --format=v7 -cf "$A/gnutar-v7.short.tar" -C "$tmp/short" . 2>/dev/null
if have bsdtar; then
    bsdtar --format pax -cf "$A/bsdtar-pax.tar" -C "$tmp/src" .
    bsdtar --format ustar -cf "$A/bsdtar-ustar.short.tar" -C "$tmp/short" .
else
    skip bsdtar "bsdtar (libarchive-tools) is not installed"
fi
if have busybox && busybox tar --help >/dev/null 2>&1; then
    busybox tar -cf "$A/busybox.tar" -C "$tmp/src" .
else
    skip busybox-tar "busybox is not installed"
fi
"$PYTHON3" - "$tmp/src" "$tmp/short" "$A" <<'EOF'
import os, sys, tarfile
src, short, out = sys.argv[1:]
for fmt, name, tree in ((tarfile.PAX_FORMAT, "python-pax", src), (tarfile.GNU_FORMAT, "python-gnu", src),
                        (tarfile.USTAR_FORMAT, "python-ustar.short", short)):
    with tarfile.open(os.path.join(out, name + ".tar"), "w", format=fmt) as t:
        for n in sorted(os.listdir(tree)):   # names without "./"
            t.add(os.path.join(tree, n), arcname=n)
EOF
for f in "$A"/*.tar; do gzip -n -c "$f" >"$f.gz"; done

# ---- extract each with upd and with GNU tar, compare ----
n_archives=0
for f in "$A"/*.tar "$A"/*.tar.gz; do
    name=${f##*/}
    case $name in *.short.*) ref=$tmp/short ;; *) ref=$tmp/src ;; esac
    clean "$tmp/u"; clean "$tmp/g"; mkdir "$tmp/u" "$tmp/g"
    out=$("$UPD" untar -C "$tmp/u" "$f" 2>&1); rc=$?
    check_eq "$name: upd untar" "$rc $out" "0 "
    if ! tar -xpf "$f" -C "$tmp/g" 2>"$tmp/gnu.err"; then
        fail "$name: GNU tar" "$(head -n 3 "$tmp/gnu.err")"; continue
    fi
    check_eq "$name: upd vs GNU tar" "$("$PYTHON3" tests/treecmp.py "$tmp/g" "$tmp/u" 2>&1)" ""
    # busybox tar writes a negative mtime as 0 (GNU tar then agrees with upd)
    case $name in busybox*) opt=--no-mtime ;; *) opt= ;; esac
    check_eq "$name: upd vs the source" "$("$PYTHON3" tests/treecmp.py $opt "$ref" "$tmp/u" 2>&1)" ""
    check_eq "$name: no temporary files" "$(find "$tmp/u" -name '.upd-tmp-*')" ""
    n_archives=$((n_archives + 1))
done
if [ "$n_archives" -ge 14 ]; then pass; else fail archives-tried "only $n_archives archives were compared"; fi

# from stdin: redirected, through a pipe, gzipped, and a pipe whose first
# read returns one byte
for f in "$A/gnutar-posix.tar" "$A/python-gnu.tar.gz"; do
    name=${f##*/}
    clean "$tmp/u"; mkdir "$tmp/u"
    check_rc "$name: stdin" 0 "$UPD" untar -C "$tmp/u" - <"$f"
    check_eq "$name: stdin tree" "$("$PYTHON3" tests/treecmp.py "$tmp/src" "$tmp/u" 2>&1)" ""
    clean "$tmp/u"; mkdir "$tmp/u"
    out=$(cat "$f" | "$UPD" untar -C "$tmp/u" - 2>&1); rc=$?
    check_eq "$name: pipe" "$rc $out" "0 "
    check_eq "$name: pipe tree" "$("$PYTHON3" tests/treecmp.py "$tmp/src" "$tmp/u" 2>&1)" ""
    clean "$tmp/u"; mkdir "$tmp/u"
    out=$({ head -c 1 "$f"; sleep 0.3; tail -c +2 "$f"; } | "$UPD" untar -C "$tmp/u" - 2>&1); rc=$?
    check_eq "$name: pipe, first read of one byte" "$rc $(printf '%s\n' "$out" | head -n 2)" "0 "
    check_eq "$name: pipe, first read of one byte: tree" "$("$PYTHON3" tests/treecmp.py "$tmp/src" "$tmp/u" 2>&1)" ""
done

# ---- as a user other than root (permissions are then enforced) ----
# Directory modes are applied at the end; a directory without search
# permission for its owner (0644) must not stop its subdirectories from
# getting theirs, whether it comes after them (post-order archives) or is
# named twice. GNU tar extracts these as any user.
"$PYTHON3" - "$tmp" <<'EOF'
import io, sys, tarfile
d = sys.argv[1]
def make(name, entries):
    with tarfile.open("%s/%s.tar" % (d, name), "w", format=tarfile.USTAR_FORMAT) as t:
        for n, mode, data in entries:
            ti = tarfile.TarInfo(n); ti.mode = mode; ti.mtime = 1600000000; ti.size = len(data)
            ti.type = tarfile.DIRTYPE if n.endswith("/") else tarfile.REGTYPE
            t.addfile(ti, io.BytesIO(data) if data else None)
make("noexec-post", [("d/sub/f", 0o644, b"x"), ("d/sub/", 0o755, b""), ("d/", 0o644, b"")])
make("noexec-twice", [("d/", 0o755, b""), ("d/sub/", 0o750, b""), ("d/sub/f", 0o644, b"x"), ("d/", 0o644, b"")])
make("noexec-pre", [("d/", 0o644, b""), ("d/sub/", 0o750, b""), ("d/sub/f", 0o644, b"x")])
EOF
as_user=
if [ "$(id -u)" != 0 ]; then as_user=" "
elif have setpriv && setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
    as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
fi
if [ -n "$as_user" ]; then
    chmod 0755 "$tmp"; chmod 0644 "$tmp"/noexec-*.tar
    mkdir "$tmp/user"; chmod 0777 "$tmp/user"
    for f in "$A/gnutar-posix.tar" "$A/python-gnu.tar.gz" "$tmp"/noexec-*.tar; do
        name="as a user: ${f##*/}"
        clean "$tmp/user/u"; clean "$tmp/user/g"; $as_user mkdir "$tmp/user/u" "$tmp/user/g"
        out=$($as_user "$UPD" untar -C "$tmp/user/u" "$f" 2>&1); rc=$?
        check_eq "$name: upd untar" "$rc $out" "0 "
        $as_user tar -xpf "$f" -C "$tmp/user/g" 2>"$tmp/gnu.err" || fail "$name: GNU tar" "$(head -n 2 "$tmp/gnu.err")"
        check_eq "$name: upd vs GNU tar" "$("$PYTHON3" tests/treecmp.py "$tmp/user/g" "$tmp/user/u" 2>&1)" ""
    done
    chmod 0700 "$tmp"
else
    skip as-a-user "running as root without setpriv"
fi

# ---- --list, --keep-special, --skip-unsupported ----
"$PYTHON3" - "$tmp" <<'EOF'
import io, sys, tarfile
d = sys.argv[1]
def add(t, name, type=tarfile.REGTYPE, data=b"", mode=0o644, link=""):
    ti = tarfile.TarInfo(name); ti.type = type; ti.mode = mode; ti.mtime = 1600000000
    ti.size = len(data); ti.linkname = link
    t.addfile(ti, io.BytesIO(data) if data else None)
with tarfile.open(d + "/list.tar", "w", format=tarfile.USTAR_FORMAT) as t:
    add(t, "d/", tarfile.DIRTYPE, mode=0o755)
    add(t, "d/f.txt", data=b"hello\n")
    add(t, "d/s", tarfile.SYMTYPE, mode=0o777, link="f.txt")
    add(t, "d/h", tarfile.LNKTYPE, link="d/f.txt")
    add(t, "setuid", data=b"#!\n", mode=0o4755)
    add(t, "ro-dir/", tarfile.DIRTYPE, mode=0o555)
with tarfile.open(d + "/ctrl.tar", "w", format=tarfile.PAX_FORMAT) as t:
    add(t, "two\nf 0644 0 lines", data=b"1")
    add(t, "esc\x1b[31mred", data=b"2")
    add(t, "sym", tarfile.SYMTYPE, mode=0o777, link="tab\there")
with tarfile.open(d + "/fifo.tar", "w", format=tarfile.USTAR_FORMAT) as t:
    add(t, "before", data=b"1\n")
    add(t, "fifo", tarfile.FIFOTYPE)
    add(t, "after", data=b"2\n")
EOF
mkdir "$tmp/listcwd" "$tmp/listdir"
out=$(cd "$tmp/listcwd" && "$UPD" untar --list "$tmp/list.tar" 2>&1); rc=$?
check_eq "list output" "$rc
$out" "0
d 0755 0 d/
f 0644 6 d/f.txt
l 0777 0 d/s -> f.txt
h 0644 0 d/h => d/f.txt
f 4755 3 setuid
d 0555 0 ro-dir/"
check_eq "list writes nothing in the working directory" "$(ls -A "$tmp/listcwd")" ""
out=$("$UPD" untar --list -C "$tmp/listdir" "$tmp/list.tar" 2>&1); rc=$?
check_eq "list -C: exit" "$rc" 0
check_eq "list -C writes nothing" "$(ls -A "$tmp/listdir")" ""
check_eq "list of a gzipped archive" "$(gzip -c "$tmp/list.tar" | "$UPD" untar --list - | wc -l | tr -d ' ')" 6
# names with control characters: still one line per entry, nothing raw
# reaches the terminal
out=$("$UPD" untar --list "$tmp/ctrl.tar" 2>&1); rc=$?
check_eq "list: control characters: exit" "$rc" 0
check_eq "list: a newline in a name keeps one line per entry" "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 3
check_eq "list: no raw control characters" "$(printf '%s' "$out" | tr -d '\n' | tr -d '\040-\176\200-\377' | od -An -c | tr -d ' ')" ""
out=$("$UPD" untar --list "$A/python-gnu.tar" 2>&1 | head -n 1)
case $out in [fdlh]" "[0-7][0-7][0-7][0-7]" "[0-9]*" "?*) pass ;; *) fail "list line format" "$out" ;; esac

clean "$tmp/u"; mkdir "$tmp/u"
check_rc "extract list.tar" 0 "$UPD" untar -C "$tmp/u" "$tmp/list.tar"
check_eq "setuid dropped" "$(stat -c '%a' "$tmp/u/setuid")" 755
check_eq "read-only dir mode" "$(stat -c '%a' "$tmp/u/ro-dir")" 555
check_eq "hard link shares the inode" "$(stat -c '%i' "$tmp/u/d/f.txt")" "$(stat -c '%i' "$tmp/u/d/h")"
check_eq "symlink target" "$(readlink "$tmp/u/d/s")" f.txt
check_eq "file mtime" "$(stat -c '%Y' "$tmp/u/d/f.txt")" 1600000000
clean "$tmp/u"; mkdir "$tmp/u"
check_rc "extract --keep-special" 0 "$UPD" untar --keep-special -C "$tmp/u" "$tmp/list.tar"
check_eq "setuid kept" "$(stat -c '%a' "$tmp/u/setuid")" 4755

clean "$tmp/u"; mkdir "$tmp/u"
out=$("$UPD" untar -C "$tmp/u" "$tmp/fifo.tar" 2>&1); rc=$?
check_eq "fifo refused" "$rc $out" "1 upd: $tmp/fifo.tar: 'fifo': FIFO (tar: unsupported entry type)"
clean "$tmp/u"; mkdir "$tmp/u"
out=$("$UPD" untar --skip-unsupported -C "$tmp/u" "$tmp/fifo.tar" 2>&1); rc=$?
check_eq "fifo skipped" "$rc $out" "0 upd: warning: 'fifo': skipped entry of type '6'"
check_eq "fifo skipped: the rest extracted" "$(ls "$tmp/u" | tr '\n' ' ')" "after before "

# ---- usage ----
check_rc "usage: no archive" 2 "$UPD" untar
check_rc "usage: no archive after -C" 2 "$UPD" untar -C "$tmp"
check_rc "usage: -C without a directory" 2 "$UPD" untar "$tmp/list.tar" -C
check_rc "usage: unknown option" 2 "$UPD" untar --bogus "$tmp/list.tar"
check_rc "usage: two archives" 2 "$UPD" untar "$tmp/list.tar" "$tmp/list.tar"
check_rc "help" 0 "$UPD" untar --help
check_rc "-- before the archive" 0 "$UPD" untar --list -- "$tmp/list.tar"
out=$("$UPD" untar -C "$tmp/u" "$tmp/missing.tar" 2>&1); rc=$?
check_eq "missing archive" "$rc $out" "1 upd: $tmp/missing.tar: No such file or directory"
out=$("$UPD" untar -C "$tmp/missing-dir" "$tmp/list.tar" 2>&1); rc=$?
check_eq "missing directory" "$rc $out" "1 upd: $tmp/list.tar: $tmp/missing-dir: No such file or directory"
out=$(printf 'x' | "$UPD" untar -C "$tmp/u" - 2>&1); rc=$?
check_eq "one-byte archive" "$rc ${out%%:*}" "1 upd"
out=$(printf '' | "$UPD" untar -C "$tmp/u" - 2>&1); rc=$?
check_eq "empty archive" "$rc $out" "0 "

# ---- hostile archives ----
H=$tmp/h
mkdir -p "$H/dest" "$H/sentinel/sub"
printf 'do not touch\n' >"$H/sentinel/secret"
printf 'shared\n' >"$H/sentinel/shared"
printf 'nested\n' >"$H/sentinel/sub/nested"
chmod 0640 "$H/sentinel/sub/nested"
"$PYTHON3" tests/tar_hostile.py "$tmp/hostile" "$H/sentinel"
# the sentinel: every path, type, mode, size, link count, mtime and digest
snap() {
    (cd "$H" && find sentinel -printf '%p %y %m %s %n %T@ %l\n' | sort &&
        find sentinel -type f -exec sha256sum {} + | sort)
}
before=$(snap)
tmp_pwned_before=$(ls -d /tmp/pwned 2>/dev/null)
# run NAME EXPECT ARCHIVE [EXIT]: upd must fail (or exit EXIT) and change
# nothing outside the destination
run_hostile() {
    name=$1 expect=$2 arch=$3 want_rc=${4:-1}
    "$UPD" untar -C "$H/dest" "$arch" >"$tmp/out" 2>"$tmp/err"; rc=$?
    err=$(cat "$tmp/err")
    check_eq "hostile $name: exit status" "$rc" "$want_rc"
    check_eq "hostile $name: nothing on stdout" "$(cat "$tmp/out")" ""
    if [ "$want_rc" = 1 ]; then
        case $err in "upd: $arch: "?*) pass ;; *) fail "hostile $name: message" "[$err]" ;; esac
        case $err in *"$expect"*) pass ;; *) fail "hostile $name: message names the entry" "[$err] lacks [$expect]" ;; esac
        check_eq "hostile $name: one line" "$(printf '%s\n' "$err" | wc -l | tr -d ' ')" 1
    fi
    check_eq "hostile $name: sentinel unchanged" "$(snap)" "$before"
    check_eq "hostile $name: nothing outside" "$(ls -A "$H" | tr '\n' ' ')" "dest sentinel "
    check_eq "hostile $name: no temporary files" "$(find "$H/dest" -name '.upd-tmp-*')" ""
}
n=0
while IFS=$TAB read -r name expect; do
    clean "$H/dest"; mkdir "$H/dest"
    run_hostile "$name" "$expect" "$tmp/hostile/$name.tar"
    n=$((n + 1))
done <"$tmp/hostile/list"
if [ "$n" -ge 40 ]; then pass; else fail hostile-count "only $n hostile archives"; fi
check_eq "hostile: nothing in /tmp" "$(ls -d /tmp/pwned 2>/dev/null)" "$tmp_pwned_before"

# the same, gzipped (damage found inside the gzip stream is reported the same way)
for name in abs symlink-chain hardlink-up pax-path-dotdot size-garbage; do
    expect=$(grep "^$name$TAB" "$tmp/hostile/list" | cut -f 2)
    gzip -n -c "$tmp/hostile/$name.tar" >"$tmp/hostile/$name.tar.gz"
    clean "$H/dest"; mkdir "$H/dest"
    run_hostile "$name.gz" "$expect" "$tmp/hostile/$name.tar.gz"
done

# archives for a destination prepared beforehand
"$PYTHON3" - "$tmp" <<'EOF'
import io, sys, tarfile
d = sys.argv[1]
def make(name, entries):
    with tarfile.open("%s/%s.tar" % (d, name), "w", format=tarfile.USTAR_FORMAT) as t:
        for n, type, data, link in entries:
            ti = tarfile.TarInfo(n); ti.type = type; ti.mtime = 1600000000; ti.linkname = link
            ti.mode = 0o755 if type == tarfile.DIRTYPE else 0o644; ti.size = len(data)
            t.addfile(ti, io.BytesIO(data) if data else None)
F, D, L, H = tarfile.REGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE
make("through-link", [("link/pwned", F, b"pwned\n", "")])
make("through-link-deep", [("link/sub/pwned", F, b"pwned\n", "")])
make("hardlink-through-link", [("h", H, b"", "link/secret")])
make("over-victim", [("victim", F, b"new contents\n", "")])
make("over-link", [("link", F, b"a file now\n", "")])
make("dir-over-link", [("link/", D, b"", ""), ("link/f", F, b"in a real directory\n", "")])
EOF
prep() { clean "$H/dest"; mkdir "$H/dest"; ln -s ../sentinel "$H/dest/link"; }
prep; run_hostile through-link "'link/pwned': 'link' is a symlink" "$tmp/through-link.tar"
prep; run_hostile through-link-deep "'link/sub/pwned'" "$tmp/through-link-deep.tar"
prep; run_hostile hardlink-through-link "'h'" "$tmp/hardlink-through-link.tar"
check_eq "pre-existing symlink kept" "$(readlink "$H/dest/link")" ../sentinel
# a file over one hard-linked from the sentinel: replaced, never written
# through (the sentinel snapshot, taken before the link was made, also
# checks that sentinel/shared has one link again)
prep; ln "$H/sentinel/shared" "$H/dest/victim"
run_hostile over-victim "" "$tmp/over-victim.tar" 0
check_eq "over-victim: new contents" "$(cat "$H/dest/victim")" "new contents"
check_eq "over-victim: sentinel keeps its contents" "$(cat "$H/sentinel/shared")" "shared"
# a file or directory entry over a symlink replaces the symlink
prep; run_hostile over-link "" "$tmp/over-link.tar" 0
check_eq "over-link: a file now" "$(cat "$H/dest/link")" "a file now"
prep; run_hostile dir-over-link "" "$tmp/dir-over-link.tar" 0
check_eq "dir-over-link: a real directory" "$(stat -c '%F' "$H/dest/link") $(cat "$H/dest/link/f")" \
    "directory in a real directory"

summary
