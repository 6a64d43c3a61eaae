#!/bin/sh
# The install engine (updater.h section 11: upd_startup, upd_install,
# upd_mark_good, upd_version_failed) through tests/engine_app.c, a program
# that updates itself. Built here in three versions; a release is a .tar.gz
# of a tree holding bin/app and VERSION.
#   1. end to end: v1 -> v2 (an ASan build): the tree, the argv through both
#      exec()s, a clean state dir; archives that must be refused (no program,
#      bad .updater-delete, '../' entries) leave the install byte-identical.
#   2. rollback: v3 dies before upd_mark_good(); after max_trials starts the
#      v2 tree is back, v2 runs, v3 is remembered as failed.
#   3. busy: a pending marker, a held lock, two installs at once, two starts
#      at once while a swap is pending.
#   4. crash safety: the update v1 -> v2 (install, helper's swap, trial
#      start, upd_mark_good) and the rollback v3 -> v2 are killed with
#      SIGKILL on entry to the K-th call of one syscall (strace -e inject=
#      S:signal=KILL:when=K; strace counts each syscall name apart, and only
#      for traced ones: -e trace=none injects nothing), for each S and each
#      K. The install dir must then hold exactly the old or the new tree,
#      and at most three starts must converge (v2 installed and good, or
#      for a kill before the swap, v1 with nothing pending and a new attempt
#      that works). Again with RENAME_EXCHANGE failing (EINVAL), for the
#      renames. Without ENGINE_FULL=1, sweeps over more than 20 calls take
#      every second one.
#   5. ENOSPC and EIO from each write and fsync of upd_install(): exit 1
#      with "app: install: ...", the install unchanged, nothing pending, the
#      next start runs v1; EIO from each later one: the next starts converge.
#   6. single-executable mode (install_file; APP_FILE=$tmp/.../bin/tool, a
#      release is a .tar.gz holding the program as `tool`): the same, through
#      the same helpers (mode file): end to end (ASan; exe at bin/tool; extra
#      files ignored; siblings of the file untouched; argv), a running copy
#      of the old program never written (no ETXTBSY, its /proc/PID/exe the
#      old inode), rollback, the crash sweeps (the install path always names
#      exactly the old or the new program, never nothing; at most two starts
#      converge), ENOSPC and EIO, refused installs (a directory or a symlink
#      as install_file, archives without an executable exe, a state dir on
#      another filesystem) and two installs or two starts at once.
# A failure named crash-FLOW-S#K or ERRNO-S#K (crash-file-FLOW-S#K,
# file-ERRNO-S#K in single-executable mode) is reproduced by running the
# flow under strace -f -e trace=S -e inject=S:signal=KILL:when=K (or
# :error=ERRNO:when=K).
# Trees are compared by a hash over (path, type, mode, size, sha256 or link
# target) of everything below and including the install dir (or of the
# program file: its mode, size and sha256); the state dir is beside it, so
# it is not part of it.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
CC=${CC:-cc}
if [ -z "${PYTHON3:-}" ]; then
    if [ -x /usr/bin/python3 ]; then PYTHON3=/usr/bin/python3; else PYTHON3=python3; fi
fi
FULL=${ENGINE_FULL:-0}
T0=$(date +%s)
tmp=$(mktemp -d)
xdev="" # a directory on another filesystem (section 6)
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"; [ -z "$xdev" ] || rm -rf "$xdev"' EXIT
for t in "$PYTHON3" tar gzip; do
    if ! have "$t"; then fail "needs-$t" "$t is not installed"; summary; exit 1; fi
done

cat >"$tmp/treehash.py" <<'EOF'
import hashlib, os, stat, sys

def listing(top):
    """one line per entry below and including top; symlinks are not followed"""
    paths = [top]
    for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
        paths += [os.path.join(dirpath, n) for n in dirnames + filenames]
    out = []
    for full in paths:
        st = os.lstat(full)
        rel = os.path.relpath(full, top)
        mode = "%o" % stat.S_IMODE(st.st_mode)
        if stat.S_ISDIR(st.st_mode):
            out.append("%s dir %s" % (rel, mode))
        elif stat.S_ISLNK(st.st_mode):
            out.append("%s link -> %s" % (rel, os.readlink(full)))
        elif stat.S_ISREG(st.st_mode):
            with open(full, "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()
            out.append("%s file %s %d %s" % (rel, mode, st.st_size, digest))
        else:
            out.append("%s other %o" % (rel, st.st_mode))
    return sorted(out)

def treehash(top):
    if not os.path.lexists(top):
        return "missing"
    return hashlib.sha256("\n".join(listing(top)).encode()).hexdigest()[:16]

if sys.argv[1] == "-l":
    print("\n".join(listing(sys.argv[2])) if os.path.lexists(sys.argv[2]) else "missing")
elif sys.argv[1] == "--serve":  # one path a line in, its hash a line out
    for line in sys.stdin:
        try:
            h = treehash(line.rstrip("\n"))
        except OSError as e:
            h = "unreadable:%s" % e.strerror.replace(" ", "_")
        print(h, flush=True)
else:
    for top in sys.argv[1:]:
        print(treehash(top))
EOF
# th DIR: the tree hash ("missing" if there is nothing), from a python3 kept
# running: a start of python3 per crash point would be most of the run time
mkfifo "$tmp/th.in" "$tmp/th.out"
"$PYTHON3" -S "$tmp/treehash.py" --serve <"$tmp/th.in" >"$tmp/th.out" &
exec 3>"$tmp/th.in" 4<"$tmp/th.out"
th() { echo "$1" >&3; read -r _h <&4; echo "$_h"; }
thl() { "$PYTHON3" -S "$tmp/treehash.py" -l "$1" | tr '\n' ';'; }

# ---- builds and releases ----
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
build() { # VERSION OUT [CFLAGS...]
    v=$1 o=$2; shift 2
    $CC -std=c99 -O1 -g "$@" -DAPP_VERSION="\"$v\"" -o "$o" tests/engine_app.c 2>"$o.log"
}
pids=""
for v in 1.0.0 2.0.0 3.0.0; do build $v "$tmp/app-$v" & pids="$pids $!"; done
build 1.0.0 "$tmp/asan-1.0.0" $SAN & pids="$pids $!"
build 2.0.0 "$tmp/asan-2.0.0" $SAN & pids="$pids $!"
wait $pids
for a in app-1.0.0 app-2.0.0 app-3.0.0; do
    if [ ! -x "$tmp/$a" ]; then fail "build-$a" "$(cat "$tmp/$a.log")"; summary; exit 1; fi
done
ASAN=asan
if [ ! -x "$tmp/asan-1.0.0" ] || [ ! -x "$tmp/asan-2.0.0" ]; then
    skip e2e-asan "no ASan build: $(cat "$tmp/asan-1.0.0.log" | head -n 3)"
    ASAN=app
fi
# strace, and ptrace allowed here
if strace -qq -o /dev/null true 2>/dev/null; then STRACE=1; else STRACE=0; fi
# src DIR APP VERSION: a release tree
src() { mkdir -p "$1/bin"; cp "$2" "$1/bin/app"; echo "$3" >"$1/VERSION"; }
release() { tar -C "$1" -czf "$2" .; }
for v in 2.0.0 3.0.0; do src "$tmp/src-$v" "$tmp/app-$v" $v; release "$tmp/src-$v" "$tmp/rel-$v.tar.gz"; done
src "$tmp/src-asan" "$tmp/$ASAN-2.0.0" 2.0.0; release "$tmp/src-asan" "$tmp/rel-asan.tar.gz"
DU2="APP_UPDATE=$tmp/rel-2.0.0.tar.gz APP_UPDATE_VERSION=2.0.0"
DU3="APP_UPDATE=$tmp/rel-3.0.0.tar.gz APP_UPDATE_VERSION=3.0.0"
# single-executable mode: the programs stripped, as a tool is shipped (a
# quarter of the size: fewer chunks to write, the same code paths, a faster
# sweep); releases holding the program alone, as `tool`
for v in 1.0.0 2.0.0 3.0.0; do
    strip -o "$tmp/tool-$v" "$tmp/app-$v" 2>/dev/null || cp "$tmp/app-$v" "$tmp/tool-$v"
done
for v in 2.0.0 3.0.0 asan; do
    mkdir -p "$tmp/fsrc-$v"
    if [ $v = asan ]; then cp "$tmp/$ASAN-2.0.0" "$tmp/fsrc-$v/tool"; else cp "$tmp/tool-$v" "$tmp/fsrc-$v/tool"; fi
    release "$tmp/fsrc-$v" "$tmp/frel-$v.tar.gz"
done
FU2="APP_UPDATE=$tmp/frel-2.0.0.tar.gz APP_UPDATE_VERSION=2.0.0"
FU3="APP_UPDATE=$tmp/frel-3.0.0.tar.gz APP_UPDATE_VERSION=3.0.0"

# mode dir|file: what the helpers below work on. dir: the install tree $D,
# its program $D/bin/app, APP_INSTALL=$D. file (single-executable mode): $D
# is the program file itself, APP_FILE=$D, plus the assignments in $XENV.
# Sets X1 X2 X3 (the expected hash of the install path with v1, v2, v3), U2
# U3 (the update to v2, v3), XP (the prefix of the check names), XEXE (the
# program's path in a release), XWAIT (in staged/ once extracted), MAXN
# (starts allowed to finish what a crash left pending, before the one that
# must find it done)
mode() {
    MODE=$1 XENV=""
    if [ "$1" = file ]; then
        X1=$F1 X2=$F2 X3=$F3 U2=$FU2 U3=$FU3 XP=file- XEXE=tool XWAIT=staged/tool MAXN=1
    else
        X1=$H1 X2=$H2 X3=$H3 U2=$DU2 U3=$DU3 XP="" XEXE=bin/app XWAIT=staged/VERSION MAXN=3
    fi
    R3="$U3 APP_CRASH=3.0.0 APP_TRIALS=1"
}
MODE=dir
# mkinst PATH [PROGRAM]: a fresh v1 install (and no state dir); in file mode
# the program file PATH, with user.dat beside it
mkinst() {
    rm -rf "$1" "$1.update"
    if [ "$MODE" = file ]; then
        mkdir -p "${1%/*}"
        cp "${2:-$tmp/tool-1.0.0}" "$1"
        echo data >"${1%/*}/user.dat"
        return
    fi
    mkdir -p "$1/bin"
    cp "${2:-$tmp/app-1.0.0}" "$1/bin/app"
    echo data >"$1/user.dat"
}
# the expected trees: v1 as installed; a release tree plus user.dat
mkinst "$tmp/ref-1"; H1=$(th "$tmp/ref-1")
for v in 2.0.0 3.0.0 asan; do cp -a "$tmp/src-$v" "$tmp/ref-$v"; cp -p "$tmp/ref-1/user.dat" "$tmp/ref-$v/"; done
H2=$(th "$tmp/ref-2.0.0"); H3=$(th "$tmp/ref-3.0.0"); HA=$(th "$tmp/ref-asan")
# and the expected program files
F1=$(th "$tmp/tool-1.0.0"); F2=$(th "$tmp/tool-2.0.0"); F3=$(th "$tmp/tool-3.0.0"); FA=$(th "$tmp/$ASAN-2.0.0")
mode dir

section() { echo "== $1 ($(($(date +%s) - T0)) s)"; }
# wrapped "CMD" ARGS...: the program of the install at $D (mode), in its
# environment and $E's, under CMD (split on spaces: strace and its options;
# may be empty), with ARGS
D="" E=""
wrapped() {
    _w=$1; shift
    if [ "$MODE" = file ]; then env APP_FILE="$D" $XENV $E $_w "$D" "$@" 3>&- 4>&-
    else env APP_INSTALL="$D" $E $_w "$D/bin/app" "$@" 3>&- 4>&-; fi
}
# app ARGS...: starts the program of the install at $D with the assignments in $E
app() { wrapped "" "$@"; }
# run ARGS...: app with stdout, stderr, exit status in $tmp/out, $tmp/err, $rc
run() { app "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; }
out() { cat "$tmp/out"; }
has_marker() { [ -e "$D.update/marker" ]; }
# the state dir's entries, sorted, on one line
sdir() { ls -A "$D.update" 2>/dev/null | tr '\n' ' ' | sed 's/ $//'; }
errmsg() { tr '\n' '|' <"$tmp/err" | cut -c1-300; }

# ==== 1. end to end =====================================================
section "1. end to end"
# e2e NAME RELEASE WANT: the v1 install at $D updated from the archive
# RELEASE by one start (args x "y  z" "" -q): the output of both versions
# (the argv through both exec()s), no sanitizer report, the install path's
# hash WANT, the user's data, a clean state dir, the next start
e2e() {
    E="APP_UPDATE=$2 APP_UPDATE_VERSION=2.0.0"
    run x "y  z" "" -q
    check_eq $1-rc "$rc" 0
    check_eq $1-output "$(out)" "$(printf 'app 1.0.0 trial=0 args: x y  z  -q\napp 2.0.0 trial=1 args: x y  z  -q')"
    if grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' "$tmp/err"; then fail $1-asan "$(errmsg)"; else pass; fi
    check_eq $1-tree "$(th "$D")" "$3"
    if [ "$MODE" = file ]; then check_eq $1-user-data "$(cat "${D%/*}/user.dat")" data
    else check_eq $1-user-data "$(cat "$D/user.dat")" data; fi
    check_eq $1-state-dir "$(sdir)" lock
    run x
    check_eq $1-next-start "$rc $(out)" "0 app 2.0.0 trial=0 args: x"
    check_eq $1-not-failed "$(app failed 2.0.0)" 0
}
D=$tmp/e2e/inst
mkinst "$D" "$tmp/$ASAN-1.0.0"
e2e e2e "$tmp/rel-asan.tar.gz" "$HA"

# argv_execs: the argv of each exec(), exactly, and the programs exec()ed
# (plain build), in an update of the install at $D
argv_execs() {
    mkinst "$D"; E=$U2
    wrapped "strace -f -qq -s 4096 -e trace=execve -e signal=none -o $tmp/execs" "a b" "" " " '$x*' >"$tmp/out" 2>&1
    if [ "$MODE" = file ]; then p=$D; else p=$D/bin/app; fi
    want="[\"$p\", \"a b\", \"\", \" \", \"\$x*\"]"
    sed -E 's/^[0-9]+ +//; s/^execve\("([^"]*)", (\[.*\]), 0x.*/\1 \2/' "$tmp/execs" >"$tmp/execs2"
    check_eq ${XP}argv-execs "$(cut -d' ' -f1 "$tmp/execs2" | tr '\n' ' ')" "$p $D.update/helper $p "
    check_eq ${XP}argv-exec-count "$(grep -c . "$tmp/execs2")" 3
    n=0
    while read -r prog argv; do
        n=$((n + 1))
        check_eq "${XP}argv-exec-$n" "$argv" "$want"
    done <"$tmp/execs2"
    check_eq ${XP}argv-tree "$(th "$D")" "$X2"
}
if [ $STRACE = 1 ]; then
    D=$tmp/argv/inst; argv_execs
else
    skip argv-execs "strace is not installed or cannot trace here"
fi

# a release whose tree has no program: install refused, install untouched
noexe() { # NAME: the release tree is in $tmp/bad; the install at $D
    release "$tmp/bad" "$tmp/bad.tar.gz"
    mkinst "$D"
    E="APP_UPDATE=$tmp/bad.tar.gz APP_UPDATE_VERSION=2.0.0"
    run
    check_eq "${XP}noexe-$1-rc" "$rc" 1
    if grep -q "app: install: .*has no executable $XEXE (the new version lacks the program)" "$tmp/err"; then pass; else fail "${XP}noexe-$1-msg" "$(errmsg)"; fi
    check_eq "${XP}noexe-$1-tree" "$(th "$D")" "$X1"
    check_eq "${XP}noexe-$1-state" "$(sdir)" lock
    E=""; run
    check_eq "${XP}noexe-$1-next" "$rc $(out)" "0 app 1.0.0 trial=0 args:"
}
D=$tmp/noexe/inst
rm -rf "$tmp/bad"; mkdir -p "$tmp/bad"; echo 2.0.0 >"$tmp/bad/VERSION"; printf 'bin/app\n' >"$tmp/bad/.updater-delete"
noexe deleted
rm -rf "$tmp/bad"; src "$tmp/bad" "$tmp/app-2.0.0" 2.0.0; chmod 0644 "$tmp/bad/bin/app"
noexe not-executable
rm -rf "$tmp/bad"; src "$tmp/bad" "$tmp/app-2.0.0" 2.0.0; rm "$tmp/bad/bin/app"; ln -s ../VERSION "$tmp/bad/bin/app"
noexe symlink
rm -rf "$tmp/bad"; src "$tmp/bad" "$tmp/app-2.0.0" 2.0.0; rm "$tmp/bad/bin/app"; mkdir "$tmp/bad/bin/app"
noexe directory
# a tree without bin/app at all is extracted over the clone of the install
# (docs/engine.md), so it keeps the installed program
rm -rf "$tmp/bad"; mkdir -p "$tmp/bad"; echo 2.0.0 >"$tmp/bad/VERSION"; release "$tmp/bad" "$tmp/bad.tar.gz"
D=$tmp/overlay/inst; mkinst "$D"; E="APP_UPDATE=$tmp/bad.tar.gz APP_UPDATE_VERSION=2.0.0"
run
check_eq overlay-keeps-program "$rc $(out | tail -n 1) $(cat "$D/VERSION")" "0 app 1.0.0 trial=1 args: 2.0.0"

# .updater-delete: a file and a directory removed, a path through a symlink
# and missing paths ignored, the list itself removed
mkdel() { # DIR: a v1 install with more in it
    mkinst "$1"
    mkdir -p "$1/share/old/sub" "$tmp/outside"
    echo 1 >"$1/obsolete.txt"; echo 2 >"$1/share/old/a"; echo 3 >"$1/share/old/sub/b"; echo 4 >"$1/share/keep.txt"
    echo keep >"$tmp/outside/keep"; ln -s "$tmp/outside" "$1/lnk"
}
mkdel "$tmp/ref-del"
rm -rf "$tmp/ref-del/obsolete.txt" "$tmp/ref-del/share/old"; cp -a "$tmp/src-2.0.0/." "$tmp/ref-del/"
HD=$(th "$tmp/ref-del")
rm -rf "$tmp/bad"; src "$tmp/bad" "$tmp/app-2.0.0" 2.0.0
printf 'obsolete.txt\n./share//old/\nlnk/keep\nnot/there\nalso-not-there\n\n' >"$tmp/bad/.updater-delete"
release "$tmp/bad" "$tmp/bad.tar.gz"
D=$tmp/del/inst; mkdel "$D"; E="APP_UPDATE=$tmp/bad.tar.gz APP_UPDATE_VERSION=2.0.0"
run
check_eq delete-rc "$rc $(out | tail -n 1)" "0 app 2.0.0 trial=1 args:"
check_eq delete-tree "$(th "$D")" "$HD"
check_eq delete-not-through-symlink "$(cat "$tmp/outside/keep")" keep
# refused lists: install, sentinels beside it and in the state dir untouched
refused_delete() { # NAME LINE
    rm -rf "$tmp/bad"; src "$tmp/bad" "$tmp/app-2.0.0" 2.0.0
    printf 'obsolete.txt\n%s\n' "$2" >"$tmp/bad/.updater-delete"
    release "$tmp/bad" "$tmp/bad.tar.gz"
    D=$tmp/rdel/inst; mkdel "$D"; mkdir -m 0700 "$D.update"
    echo s >"$tmp/rdel/x"; echo s >"$D.update/x"; echo s >"$tmp/abs-sentinel"
    H=$(th "$D")
    E="APP_UPDATE=$tmp/bad.tar.gz APP_UPDATE_VERSION=2.0.0"
    run
    check_eq "delete-$1-rc" "$rc" 1
    if grep -q "app: install: .updater-delete: " "$tmp/err"; then pass; else fail "delete-$1-msg" "$(errmsg)"; fi
    check_eq "delete-$1-tree" "$(th "$D")" "$H"
    check_eq "delete-$1-sentinels" "$(cat "$tmp/rdel/x" "$D.update/x" "$tmp/abs-sentinel" | tr -d '\n')" sss
    check_eq "delete-$1-state" "$(sdir)" "lock x"
}
refused_delete dotdot ../x
refused_delete dotdot-inner share/../../x
refused_delete absolute "$tmp/abs-sentinel"

# evil: an archive with a '../evil' entry (written by Python: tar strips
# '../') refused, the install at $D untouched
evil() {
    mkinst "$D"
    "$PYTHON3" - "$tmp/evil.tar.gz" "$tmp/app-2.0.0" "$XEXE" <<'EOF'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w:gz") as t:
    t.add(sys.argv[2], sys.argv[3])
    data = b"evil\n"
    i = tarfile.TarInfo("../evil"); i.size = len(data); t.addfile(i, io.BytesIO(data))
EOF
    E="APP_UPDATE=$tmp/evil.tar.gz APP_UPDATE_VERSION=2.0.0"
    run
    check_eq ${XP}evil-rc "$rc" 1
    if grep -q "app: install: .*\.\./evil" "$tmp/err"; then pass; else fail ${XP}evil-msg "$(errmsg)"; fi
    check_eq ${XP}evil-tree "$(th "$D")" "$X1"
    check_eq ${XP}evil-nothing-outside "$(find "$tmp" -name evil | wc -l)" 0
    check_eq ${XP}evil-state "$(sdir)" lock
}
D=$tmp/dotdot/inst; evil

# ==== 2. rollback ========================================================
section "2. rollback"
# rollback_e2e N|default: v1 at $D updated to v2, then to v3, which dies
# before upd_mark_good() on each of its N (default 3) trial starts
rollback_e2e() {
    rn=$1 # (not n: check() sets n)
    mkinst "$D"
    E=$U2; run a "b c"
    check_eq "${XP}rollback-$rn-v2" "$rc $(th "$D")" "0 $X2"
    E="$U3 APP_CRASH=3.0.0"
    if [ $rn = default ]; then t=3; else E="$E APP_TRIALS=$rn"; t=$rn; fi
    run a "b c"
    check_eq "${XP}rollback-$rn-start-1" "$rc $(out | tr '\n' '|')" "3 app 2.0.0 trial=0 args: a b c|app 3.0.0 trial=1 args: a b c|"
    check_eq "${XP}rollback-$rn-v3-tree" "$(th "$D")" "$X3"
    i=2
    while [ $i -le $t ]; do
        run a "b c"
        check_eq "${XP}rollback-$rn-start-$i" "$rc $(out)" "3 app 3.0.0 trial=1 args: a b c"
        i=$((i + 1))
    done
    check "${XP}rollback-$rn-marker-before" has_marker
    run a "b c"
    check_eq "${XP}rollback-$rn-rolled-back" "$rc $(out)" "0 app 2.0.0 trial=0 args: a b c"
    check_eq "${XP}rollback-$rn-tree" "$(th "$D")" "$X2"
    check_eq "${XP}rollback-$rn-state" "$(sdir)" "failed lock"
    check_eq "${XP}rollback-$rn-failed-file" "$(cat "$D.update/failed")" 3.0.0
    check_eq "${XP}rollback-$rn-failed-3" "$(E=; app failed 3.0.0)" 1
    check_eq "${XP}rollback-$rn-failed-2" "$(E=; app failed 2.0.0)" 0
    run a "b c"
    check_eq "${XP}rollback-$rn-not-again" "$rc $(out) $(th "$D")" "0 app 2.0.0 trial=0 args: a b c $X2"
}
for v in 2 default; do D=$tmp/rb-$v/inst; rollback_e2e $v; done

# ==== 3. busy ============================================================
section "3. busy"
if [ $STRACE = 1 ]; then
    # a marker appears between upd_startup() and upd_install() (another
    # process's update): upd_startup's read of it is made to miss it
    D=$tmp/busy1/inst; mkinst "$D"; mkdir -m 0700 "$D.update"
    E=$U2
    env APP_INSTALL="$D" $E strace -qq -e trace=openat -o "$tmp/opens" "$D/bin/app" failed 1 >/dev/null 2>&1
    k=$(grep -n '"marker"' "$tmp/opens" | head -n 1 | cut -d: -f1)
    printf 'state=trial\nversion=9.9.9\nexe=bin/app\ntrials=1\nnew=1:2\nold=1:3\n' >"$D.update/marker"
    cp "$D.update/marker" "$tmp/marker.before"
    env APP_INSTALL="$D" $E strace -qq -e trace=openat -e inject=openat:error=ENOENT:when=$k -o /dev/null \
        "$D/bin/app" >"$tmp/out" 2>"$tmp/err"; rc=$?
    check_eq busy-marker-rc "$rc" 4
    if grep -q 'app: install: .*pending (trial 9.9.9)' "$tmp/err"; then pass; else fail busy-marker-msg "$(errmsg)"; fi
    check_eq busy-marker-tree "$(th "$D")" "$H1"
    check busy-marker-kept cmp -s "$tmp/marker.before" "$D.update/marker"
else
    skip busy-marker "strace is not installed or cannot trace here"
fi

# the lock held by another process (an fcntl lock, as upd_install takes)
D=$tmp/busy2/inst; mkinst "$D"; mkdir -m 0700 "$D.update"
"$PYTHON3" -c '
import fcntl, os, sys, time
f = open(sys.argv[1], "a")
fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
open(sys.argv[2], "w").close()
time.sleep(30)' "$D.update/lock" "$tmp/locked" &
holder=$!
i=0; while [ ! -e "$tmp/locked" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
E=$U2; run
check_eq busy-lock-rc "$rc" 4
if grep -q 'app: install: another update of .* is under way' "$tmp/err"; then pass; else fail busy-lock-msg "$(errmsg)"; fi
check_eq busy-lock-tree "$(th "$D")" "$H1"
kill $holder 2>/dev/null; wait $holder 2>/dev/null
run
check_eq busy-lock-released "$rc $(out | tail -n 1)" "0 app 2.0.0 trial=1 args:"

# two_installs: two installs at once at $D: the first is held up in its
# first fsync (after the extraction); the second is refused
two_installs() {
    mkinst "$D"; E=$U2
    wrapped "strace -qq -e trace=fsync -e inject=fsync:delay_enter=1500000:when=1 -o /dev/null" first >"$tmp/out1" 2>"$tmp/err1" &
    first=$!
    i=0; while [ ! -e "$D.update/$XWAIT" ] && [ $i -lt 100 ]; do sleep 0.02; i=$((i + 1)); done
    run second
    check_eq ${XP}busy-two-installs-rc "$rc" 4
    if grep -q 'another update of .* is under way' "$tmp/err"; then pass; else fail ${XP}busy-two-installs-msg "$(errmsg)"; fi
    wait $first; rc1=$?
    check_eq ${XP}busy-two-installs-first "$rc1 $(tail -n 1 "$tmp/out1")" "0 app 2.0.0 trial=1 args: first"
    check_eq ${XP}busy-two-installs-tree "$(th "$D") $(sdir)" "$X2 lock"
}
if [ $STRACE = 1 ]; then
    D=$tmp/busy3/inst; two_installs

    # two starts at once while a swap is pending (the helper was killed
    # before it ran): A checks the install and staged/, is held up before
    # its exchange; B does its exchange and is held up before moving the old
    # tree to previous/; then A exchanges again. The end must be v2
    # installed, and v1 must never run as the version on trial.
    D=$tmp/busy4/inst; mkinst "$D"; E=$U2
    env APP_INSTALL="$D" $E strace -qq -e trace=execve -e inject=execve:signal=KILL:when=1 -o /dev/null \
        "$D/bin/app" >/dev/null 2>&1
    E="APP_EVENTS=1"
    env APP_INSTALL="$D" $E strace -qq -e trace=renameat2 -e inject=renameat2:delay_enter=2000000:when=1 -o /dev/null \
        "$D/bin/app" A >"$tmp/outA" 2>"$tmp/errA" &
    a=$!
    i=0; while ! grep -q '^event swap' "$tmp/errA" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.02; i=$((i + 1)); done
    sleep 0.1
    env APP_INSTALL="$D" $E strace -qq -e trace=renameat2,renameat \
        -e inject=renameat2:delay_enter=300000:when=1 -e inject=renameat:delay_enter=3000000:when=1 -o /dev/null \
        "$D/bin/app" B >"$tmp/outB" 2>"$tmp/errB"
    wait $a
    E=""; run C
    check_eq busy-two-starts-tree "$(th "$D")" "$H2"
    if grep -q 'app 1.0.0 trial=1' "$tmp/outA" "$tmp/outB" "$tmp/out"; then
        fail busy-two-starts-trial "v1 ran as the version on trial: A [$(tr '\n' '|' <"$tmp/outA")] B [$(tr '\n' '|' <"$tmp/outB")]"
    else pass; fi
else
    skip busy-two-installs "strace is not installed or cannot trace here"
fi

# ==== 4. crash safety ====================================================
section "4. crash safety"
SYSCALLS="rename renameat renameat2 unlink unlinkat mkdir mkdirat link linkat symlink symlinkat openat write fsync fchmod execve"
W=$tmp/crash
D=$W/inst
NOTES=""
note() { NOTES="$NOTES$1
"; }
# leftovers in the state dir once converged (not errors: the next install
# removes them)
leftovers() {
    for f in previous staged helper failed.tree; do
        [ -e "$D.update/$f" ] && echo "$f"
    done | tr '\n' ' '
}

# gone WHERE: the install path names nothing (the two-rename fallback
# between its renames): no program there to start, so start the copy in
# the state dir that upd_startup() would run from, to go on checking
gone() {
    echo "install path names nothing, no program to start (marker: $(tr '\n' ' ' <"$D.update/marker" 2>/dev/null)state dir: $(sdir))"
    if [ "$MODE" = file ]; then
        for p in "$D.update/helper" "$D.update/previous"; do
            if [ -x "$p" ]; then env APP_FILE="$D" $XENV $E "$p" x "y z" >/dev/null 2>&1 3>&- 4>&-; break; fi
        done
        return
    fi
    for p in "$D.update/helper" "$D.update/previous/bin/app" "$D.update/staged/bin/app" "$D.update/failed.tree/bin/app"; do
        if [ -x "$p" ]; then env APP_INSTALL="$D" $E "$p" x "y z" >/dev/null 2>&1 3>&- 4>&-; break; fi
    done
}
# window WHERE: the install path names nothing. Without RENAME_EXCHANGE
# that is the documented instant between the two renames (docs/engine.md:
# recovery starts the copy in the state dir, which gone() does, and the
# checks that follow must then see convergence); with it, or in
# single-executable mode (one rename over the old file: no window), a
# failure.
window() {
    if [ "${NOEX:-0}" = 1 ] && [ "$MODE" = dir ]; then note "$1: the two-rename window (documented); recovered through the state dir: $(gone)"
    else bad="$bad; $(gone)"; fi
}
# the update v1 -> v2
update_prepare() { mkinst "$D"; FLOW_E=$U2; }
# update_check WHERE: after a kill or a failure of the update
update_check() {
    where=$1 bad=""
    h=$(th "$D")
    if [ "$h" = missing ]; then E=""; window "$where"; h=$(th "$D"); fi
    [ "$h" = "$X1" ] || [ "$h" = "$X2" ] || bad="$bad; install holds neither tree: $(thl "$D")"
    if ! has_marker && [ "$h" = "$X1" ]; then
        # before the swap: v1 runs, a fresh attempt succeeds
        E=""; run x "y z"
        [ "$rc $(out)" = "0 app 1.0.0 trial=0 args: x y z" ] || bad="$bad; start after: rc $rc [$(out)] $(errmsg)"
        has_marker && bad="$bad; start after left a marker"
        E=$U2; run x "y z"
        [ "$rc $(out | tail -n 1)" = "0 app 2.0.0 trial=1 args: x y z" ] || bad="$bad; new attempt: rc $rc [$(out | tr '\n' '|')] $(errmsg)"
    else
        n=0
        while has_marker && [ $n -lt $MAXN ]; do
            E=""; run x "y z"
            [ $rc = 0 ] || bad="$bad; start $((n + 1)) after: rc $rc [$(out | tr '\n' '|')] $(errmsg)"
            n=$((n + 1))
        done
    fi
    E=""; run x "y z"
    h=$(th "$D")
    [ "$rc $(out) $h" = "0 app 2.0.0 trial=0 args: x y z $X2" ] ||
        bad="$bad; not converged: rc $rc [$(out | tr '\n' '|')] $(errmsg) marker: $(tr '\n' ' ' <"$D.update/marker" 2>/dev/null)tree: $(thl "$D") state dir: $(sdir)"
    # (the list upd_version_failed() reads; read here: a start fewer per point)
    grep -qx 2.0.0 "$D.update/failed" 2>/dev/null && bad="$bad; 2.0.0 recorded as failed"
    l=$(leftovers); [ -z "$l" ] || note "$where left in the state dir: $l"
    if [ -z "$bad" ]; then pass; else fail "$where" "${bad#; }"; fi
}
# the rollback v3 -> v2 (v3 dies on its only trial start: R3, from mode())
rollback_prepare() {
    mkinst "$D"
    E=$U2; app >/dev/null 2>&1
    E=$R3; app >/dev/null 2>&1
    FLOW_E=$R3
}
rollback_check() {
    where=$1 bad=""
    h=$(th "$D")
    if [ "$h" = missing ]; then E=$R3; window "$where"; h=$(th "$D"); fi
    [ "$h" = "$X2" ] || [ "$h" = "$X3" ] || bad="$bad; install holds neither tree: $(thl "$D")"
    n=0
    while has_marker && [ $n -lt $MAXN ]; do
        E=$R3; run x "y z"
        [ $rc = 0 ] || bad="$bad; start $((n + 1)) after: rc $rc [$(out | tr '\n' '|')] $(errmsg)"
        n=$((n + 1))
    done
    E=$R3; run x "y z"
    h=$(th "$D")
    [ "$rc $(out) $h" = "0 app 2.0.0 trial=0 args: x y z $X2" ] ||
        bad="$bad; not converged: rc $rc [$(out | tr '\n' '|')] $(errmsg) marker: $(tr '\n' ' ' <"$D.update/marker" 2>/dev/null)tree: $(thl "$D") state dir: $(sdir)"
    grep -qx 3.0.0 "$D.update/failed" 2>/dev/null || bad="$bad; 3.0.0 not recorded as failed"
    l=$(leftovers); [ -z "$l" ] || note "$where left in the state dir: $l"
    if [ -z "$bad" ]; then pass; else fail "$where" "${bad#; }"; fi
}
# strun STRACE-OPTIONS...: the flow's run (args x "y z") under strace
# (the options are split on spaces again)
strun() {
    _e=$E E=$FLOW_E
    wrapped "strace -f -qq -o /dev/null $*" x "y z" >"$tmp/out" 2>"$tmp/err"
    rc=$? E=$_e
}
# sweep FLOW SYSCALL CALLS [NOEXCHANGE]: kill the flow before call 1, 2, ...
# CALLS of SYSCALL (every second one of long runs unless ENGINE_FULL=1), and
# once past the last (the flow must then go through). NOEXCHANGE=1: every
# renameat2 fails with EINVAL, as on a filesystem without RENAME_EXCHANGE.
# Sets covered.
sweep() {
    flow=$1 s=$2 calls=$3 k=1 step=1 covered=0 name=crash-$XP$1
    tr=$s x="" NOEX=0
    if [ "${4:-0}" = 1 ]; then tr=$s,renameat2 x="-e inject=renameat2:error=EINVAL" name=crash-$XP$1-noexchange NOEX=1; fi
    if [ "$FULL" != 1 ] && [ "$calls" -gt 20 ]; then step=2; fi
    while [ $k -le $((calls + 1)) ]; do
        ${flow}_prepare
        strun -e trace=$tr $x -e inject=$s:signal=KILL:when=$k
        if [ $k -gt "$calls" ]; then
            check_eq "$name-$s-complete-rc" "$rc" 0
            ${flow}_check "$name-$s-complete"
            break
        fi
        if [ $rc = 137 ]; then
            ${flow}_check "$name-$s#$k"
            covered=$((covered + 1))
        else
            fail "$name-$s#$k" "not killed (exit $rc): fewer calls than counted"
        fi
        k=$((k + step))
        [ $k -gt "$calls" ] && k=$((calls + 1))
    done
}
# counts FLOW [NOEXCHANGE]: "name calls" for each syscall the flow makes
counts() {
    ${1}_prepare
    if [ "${2:-0}" = 1 ]; then
        strun -e trace=$(echo $SYSCALLS | tr ' ' ,) -e inject=renameat2:error=EINVAL -o "$tmp/calls"
    else
        strun -e trace=$(echo $SYSCALLS | tr ' ' ,) -o "$tmp/calls"
    fi
    for s in $SYSCALLS; do
        n=$(sed -E 's/^[0-9]+ +//' "$tmp/calls" | grep -c "^$s(")
        # strace injects nothing into the exec() that starts the tracee
        [ $s = execve ] && n=$((n - 1))
        echo "$s $n"
    done
}

# crash_sweeps "FLOW NOEXCHANGE"...: all the sweeps of each flow, at $D
# (mode), and a line of counts for each; adds to CRASH_TOTAL
CRASH_TOTAL=0
crash_sweeps() {
    NOTES=""
    for f in "$@"; do
        set -- $f
        flow=$1 nx=$2 line="" total=0
        counts $flow $nx >"$tmp/counts"
        if [ "$MODE" = file ]; then # one rename over the file: no exchange needed
            check_eq "${XP}$flow-no-exchange" "$(grep '^renameat2 ' "$tmp/counts")" "renameat2 0"
        fi
        while read -r s calls; do
            [ "$calls" -gt 0 ] || continue
            # without RENAME_EXCHANGE, only the renames are of interest
            [ $nx = 1 ] && [ $s != renameat ] && continue
            sweep $flow $s $calls $nx
            line="$line $s=$covered/$calls" total=$((total + covered))
        done <"$tmp/counts"
        [ $nx = 1 ] && flow="$flow without RENAME_EXCHANGE"
        [ "$MODE" = file ] && flow="single file, $flow"
        echo "crash points ($flow, killed/calls):$line; $total in all"
        CRASH_TOTAL=$((CRASH_TOTAL + total))
    done
    [ -n "$NOTES" ] && printf '%s' "$NOTES" | sed 's/^/note: /'
}

if [ $STRACE = 1 ]; then
    # the injection applies to traced syscalls only (-e trace=none injects nothing)
    strace -qq -e trace=mkdir -e inject=mkdir:signal=KILL -o /dev/null mkdir "$tmp/killed" 2>/dev/null
    if [ -e "$tmp/killed" ]; then fail strace-inject "strace did not kill at mkdir"; else pass; fi
    crash_sweeps "update 0" "rollback 0" "update 1" "rollback 1"
else
    skip crash-safety "strace is not installed or cannot trace here"
fi

# ==== 5. ENOSPC and EIO ==================================================
section "5. ENOSPC and EIO"
# err_sweeps: ENOSPC and EIO from each write and fsync of the update at $D
# (mode); adds to ERR_TOTAL
ERR_TOTAL=0
err_sweeps() {
    # the calls of the update: which phase (1: upd_install(), before the
    # helper is exec()ed) and which fd
    update_prepare
    strun -e trace=write,fsync,execve -e signal=none -o "$tmp/calls"
    awk '{ sub(/^[0-9]+ +/, "") }
         /^execve\(/ { ph++ }
         /^write\(/ { w++; fd = substr($0, 7); sub(/,.*/, "", fd); print "write", w, ph, fd }
         /^fsync\(/ { f++; print "fsync", f, ph, "-" }' "$tmp/calls" >"$tmp/calls2"
    ninst=0 nlater=0 partial=""
    while read -r s k ph fd; do
        if [ "$ph" = 1 ] && [ "$fd" != 1 ] && [ "$fd" != 2 ]; then
            # a call of upd_install(): it fails cleanly
            ninst=$((ninst + 1))
            for err in ENOSPC EIO; do
                update_prepare
                strun -e trace=$s -e inject=$s:error=$err:when=$k
                cp "$tmp/err" "$tmp/err.inject"
                got="$rc $(grep -c '^app: install: ' "$tmp/err") $(th "$D") $(has_marker && echo marker || echo no-marker)"
                if [ "$got" = "1 1 $X1 no-marker" ]; then pass
                else fail "$XP$err-$s#$k-install" "rc, messages, tree, marker: $got; stderr: $(tr '\n' '|' <"$tmp/err.inject") state dir: $(sdir)"; fi
                for f in staged helper .marker.tmp; do
                    [ -e "$D.update/$f" ] && partial="$partial $XP$err-$s#$k:$f"
                done
                update_check "$XP$err-$s#$k"
            done
        else
            # later (the helper, the new version): whatever fails, the next
            # starts converge
            nlater=$((nlater + 1))
            update_prepare
            strun -e trace=$s -e inject=$s:error=EIO:when=$k
            update_check "${XP}EIO-$s#$k"
        fi
    done <"$tmp/calls2"
    # a failed install leaves nothing behind in the state dir
    if [ -z "$partial" ]; then pass
    else
        set -- $partial
        fail ${XP}enospc-leftovers "$# failures of upd_install left files in the state dir: $1 $2 $3 ... ${partial##* }"
    fi
    ERR_TOTAL=$((ERR_TOTAL + ninst + nlater))
    echo "error points$([ "$MODE" = file ] && echo " (single file)"): $(grep -c '^write' "$tmp/calls2") writes, $(grep -c '^fsync' "$tmp/calls2") fsyncs; $ninst in upd_install (ENOSPC and EIO), $nlater later (EIO)"
}
if [ $STRACE = 1 ]; then
    err_sweeps
else
    skip enospc "strace is not installed or cannot trace here"
fi

# ==== 6. single-executable mode ==========================================
section "6. single-executable mode: end to end, a running copy, rollback"
mode file
# the program file is $tmp/NAME/bin/tool; beside it user.dat (mkinst) and
# what mksibs adds: another program, a directory, a symlink to the program
mksibs() {
    cp "$tmp/tool-1.0.0" "${D%/*}/other"
    mkdir -p "${D%/*}/share"; echo doc >"${D%/*}/share/doc"
    ln -s tool "${D%/*}/tool-link"
}
# sibs: what is beside the program file (not it, not its state dir), with
# hashes, on one line
sibs() {
    for f in $(ls -A "${D%/*}"); do
        case $f in "${D##*/}" | "${D##*/}.update") continue ;; esac
        printf '%s=%s ' "$f" "$(th "${D%/*}/$f")"
    done
}

# -- end to end (ASan), the argv, the program elsewhere in the archive, extra
# files in the archive
D=$tmp/fe2e/bin/tool; mkinst "$D" "$tmp/$ASAN-1.0.0"; mksibs; S=$(sibs)
e2e file-e2e "$tmp/frel-asan.tar.gz" "$FA"
check file-e2e-identical cmp "$D" "$tmp/$ASAN-2.0.0"
check_eq file-e2e-siblings "$(sibs)" "$S"
if [ $STRACE = 1 ]; then
    D=$tmp/fargv/bin/tool; argv_execs
else
    skip file-argv-execs "strace is not installed or cannot trace here"
fi
# APP_EXE=bin/tool: the archive's bin/tool, not its (v3) tool
mkdir -p "$tmp/fsrc-sub/bin"; cp "$tmp/tool-2.0.0" "$tmp/fsrc-sub/bin/tool"; cp "$tmp/tool-3.0.0" "$tmp/fsrc-sub/tool"
release "$tmp/fsrc-sub" "$tmp/frel-sub.tar.gz"
D=$tmp/fsub/bin/tool; XENV=APP_EXE=bin/tool; mkinst "$D"; mksibs; S=$(sibs)
e2e file-exe-path "$tmp/frel-sub.tar.gz" "$F2"
check file-exe-path-identical cmp "$D" "$tmp/tool-2.0.0"
check_eq file-exe-path-siblings "$(sibs)" "$S"
XENV=""
# files beside the program in the archive, some named as its siblings, and
# an .updater-delete naming them: all ignored
mkdir -p "$tmp/fsrc-extra/bin" "$tmp/fsrc-extra/share"
cp "$tmp/tool-2.0.0" "$tmp/fsrc-extra/tool"; cp "$tmp/tool-3.0.0" "$tmp/fsrc-extra/bin/app"; cp "$tmp/tool-3.0.0" "$tmp/fsrc-extra/other"
echo 2.0.0 >"$tmp/fsrc-extra/VERSION"; echo new >"$tmp/fsrc-extra/share/doc"; echo new >"$tmp/fsrc-extra/user.dat"
ln -s other "$tmp/fsrc-extra/tool-link"
printf 'user.dat\nshare\nother\n' >"$tmp/fsrc-extra/.updater-delete"
release "$tmp/fsrc-extra" "$tmp/frel-extra.tar.gz"
D=$tmp/fextra/bin/tool; mkinst "$D"; mksibs; S=$(sibs)
e2e file-extra "$tmp/frel-extra.tar.gz" "$F2"
check file-extra-identical cmp "$D" "$tmp/tool-2.0.0"
check_eq file-extra-siblings "$(sibs)" "$S"

# -- the running program is never written: a v1 started from the file
# waits (APP_HOLD) while another start updates it
if [ -r /proc/self/exe ]; then
    D=$tmp/fhold/bin/tool; mkinst "$D"
    id1=$(stat -c %d:%i "$D")
    mkfifo "$tmp/hold"
    env APP_FILE="$D" APP_HOLD=1 "$D" held <"$tmp/hold" >"$tmp/outH" 2>"$tmp/errH" 3>&- 4>&- &
    held=$!
    exec 5>"$tmp/hold"
    i=0; while ! grep -q . "$tmp/outH" && [ $i -lt 250 ]; do sleep 0.02; i=$((i + 1)); done
    check_eq file-held-running "$(cat "$tmp/outH")" "app 1.0.0 trial=0 args: held"
    # the update, v2 dying before upd_mark_good(): the old file is `previous`
    E="$U2 APP_CRASH=2.0.0"
    if [ $STRACE = 1 ]; then
        # (-y: a directory fd shows its path, for openat(dirfd, "tool", ...))
        wrapped "strace -f -qq -y -e trace=open,openat,creat,truncate -o $tmp/opensH" y >"$tmp/out" 2>"$tmp/err" 5>&-; rc=$?
        if grep -E "(\"$D\"|<${D%/*}>, \"${D##*/}\"), [^)]*(O_WRONLY|O_RDWR|O_TRUNC)|(creat|truncate)\(\"$D\"" "$tmp/opensH" >"$tmp/opensW"; then
            fail file-held-not-written "the install file opened for writing: $(head -n 3 "$tmp/opensW" | tr '\n' '|')"
        else pass; fi
    else
        run y 5>&-
    fi
    check_eq file-held-update "$rc $(out | tr '\n' '|')" "3 app 1.0.0 trial=0 args: y|app 2.0.0 trial=1 args: y|"
    if grep -qi 'text file busy' "$tmp/err"; then fail file-held-etxtbsy "$(errmsg)"; else pass; fi
    check file-held-new-file cmp "$D" "$tmp/tool-2.0.0"
    check_eq file-held-previous "$(stat -c %d:%i "$D.update/previous" 2>&1)" "$id1"
    check_eq file-held-exe-inode "$(stat -L -c %d:%i /proc/$held/exe 2>&1)" "$id1"
    check file-held-exe-intact cmp "/proc/$held/exe" "$tmp/tool-1.0.0"
    # marked good: previous removed, the old inode lives on, unnamed
    E=""; run z 5>&-
    check_eq file-held-good "$rc $(out) $(sdir)" "0 app 2.0.0 trial=1 args: z lock"
    l=$(readlink "/proc/$held/exe")
    if [ "$l" = "$D (deleted)" ] || [ "$l" = "$D.update/previous (deleted)" ]; then pass
    else fail file-held-exe-link "/proc/$held/exe -> $l"; fi
    check_eq file-held-exe-inode-after "$(stat -L -c %d:%i /proc/$held/exe 2>&1)" "$id1"
    check file-held-exe-intact-after cmp "/proc/$held/exe" "$tmp/tool-1.0.0"
    exec 5>&-
    wait $held; rc=$?
    check_eq file-held-exit "$rc $(cat "$tmp/outH") $(tr '\n' '|' <"$tmp/errH")" "0 app 1.0.0 trial=0 args: held "
    check_eq file-held-final "$(th "$D") $(sdir)" "$X2 lock"
else
    skip file-held "no /proc/self/exe here"
fi

# -- rollback
for v in 2 default; do
    D=$tmp/frb-$v/bin/tool; rollback_e2e $v
    check file-rollback-$v-identical cmp "$D" "$tmp/tool-2.0.0"
done

# -- crash safety, ENOSPC and EIO
if [ $STRACE = 1 ]; then
    section "6. single-executable mode: crash safety"
    W=$tmp/fcrash; D=$W/bin/tool
    crash_sweeps "update 0" "rollback 0"
    section "6. single-executable mode: ENOSPC and EIO"
    err_sweeps
else
    skip file-crash-safety "strace is not installed or cannot trace here"
fi

# -- refused: install_file a directory, a symlink
section "6. single-executable mode: refused installs, busy"
D=$tmp/fdir/bin/tool; mkdir -p "$D"; cp "$tmp/tool-1.0.0" "$D/tool"; H=$(th "$D")
env APP_FILE="$D" $U2 "$D/tool" >"$tmp/out" 2>"$tmp/err" 3>&- 4>&-; rc=$?
check_eq file-dir-rc "$rc" 1
if grep -q "app: install: install_file $D is not a regular file (invalid argument)" "$tmp/err"; then pass; else fail file-dir-msg "$(errmsg)"; fi
check_eq file-dir-tree "$(th "$D") $(sdir)" "$H lock"
D=$tmp/flink/bin/tool; mkdir -p "$tmp/flink/bin" "$tmp/flink/real"; cp "$tmp/tool-1.0.0" "$tmp/flink/real/tool"; ln -s ../real/tool "$D"
E=$U2; run
check_eq file-symlink-rc "$rc" 1
if grep -q "app: install: install_file $D is not a regular file (invalid argument)" "$tmp/err"; then pass; else fail file-symlink-msg "$(errmsg)"; fi
check_eq file-symlink-kept "$(readlink "$D") $(th "$tmp/flink/real/tool") $(sdir)" "../real/tool $X1 lock"
# archives without an executable exe
D=$tmp/fnoexe/bin/tool
rm -rf "$tmp/bad"; mkdir -p "$tmp/bad"; echo 2.0.0 >"$tmp/bad/VERSION"; cp "$tmp/tool-2.0.0" "$tmp/bad/other"
noexe missing
rm -rf "$tmp/bad"; mkdir -p "$tmp/bad"; cp "$tmp/tool-2.0.0" "$tmp/bad/tool"; chmod 0644 "$tmp/bad/tool"
noexe not-executable
rm -rf "$tmp/bad"; mkdir -p "$tmp/bad"; cp "$tmp/tool-2.0.0" "$tmp/bad/other"; ln -s other "$tmp/bad/tool"
noexe symlink
rm -rf "$tmp/bad"; mkdir -p "$tmp/bad/tool"; cp "$tmp/tool-2.0.0" "$tmp/bad/tool/tool"
noexe directory
rm -rf "$tmp/bad"; mkdir -p "$tmp/bad"; cp "$tmp/tool-2.0.0" "$tmp/bad/tool"
XENV=APP_EXE=bin/tool XEXE=bin/tool
noexe exe-path
XENV="" XEXE=tool
D=$tmp/fdotdot/bin/tool; evil
# a state dir on another filesystem than the file's: refused, nothing left
for c in /dev/shm "/run/user/$(id -u)" /var/tmp /tmp "$HOME"; do
    if [ -d "$c" ] && [ -w "$c" ] && [ "$(stat -c %d "$c")" != "$(stat -c %d "$tmp")" ]; then
        xdev=$(mktemp -d "$c/engine-xdev.XXXXXX") && break
        xdev=""
    fi
done
if [ -n "$xdev" ]; then
    D=$tmp/fxdev/bin/tool; mkinst "$D"
    XENV="APP_STATE_DIR=$xdev/state"
    E=$U2; run
    check_eq file-xdev-rc "$rc" 1
    if grep -q "app: install: the state dir $xdev/state is not on the filesystem of $D (bad update state" "$tmp/err"; then pass; else fail file-xdev-msg "$(errmsg)"; fi
    check_eq file-xdev-install "$(th "$D") $(ls -A "$xdev/state" | tr '\n' ' ')" "$X1 lock "
    E=""; run
    check_eq file-xdev-next "$rc $(out)" "0 app 1.0.0 trial=0 args:"
    XENV=""
    rm -rf "$xdev"; xdev=""
else
    skip file-xdev "NO DIRECTORY ON ANOTHER FILESYSTEM THAN $tmp (tried /dev/shm /run/user/$(id -u) /var/tmp /tmp \$HOME): a state dir across filesystems is NOT TESTED"
fi

# -- busy: two installs at once; two starts at once while a swap is pending
if [ $STRACE = 1 ]; then
    D=$tmp/fbusy3/bin/tool; two_installs
    # the helper killed before it ran: a swap pending. A is held up before
    # its link of the old file as previous (with the lock); B waits for the
    # lock, then finds the update moved on and runs the file installed now.
    # v1 must never run again (it prints nothing: it exec()s in upd_startup).
    D=$tmp/fbusy4/bin/tool; mkinst "$D"; E=$U2
    wrapped "strace -qq -e trace=execve -e inject=execve:signal=KILL:when=1 -o /dev/null" >/dev/null 2>&1
    check_eq file-busy-two-starts-pending "$(grep '^state=' "$D.update/marker" 2>&1) $(th "$D")" "state=swap $X1"
    E="APP_EVENTS=1"
    wrapped "strace -qq -e trace=linkat -e inject=linkat:delay_enter=1500000:when=1 -o /dev/null" A >"$tmp/outA" 2>"$tmp/errA" &
    a=$!
    i=0; while ! grep -q '^event swap' "$tmp/errA" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.02; i=$((i + 1)); done
    sleep 0.1
    wrapped "" B >"$tmp/outB" 2>"$tmp/errB"; rcB=$?
    wait $a; rcA=$?
    E=""; run C
    # (which of the two runs v2 on trial, and which after it was marked good,
    # depends on who takes the lock first after A's exec())
    check_eq file-busy-two-starts "$(printf '%s %s| %s %s|' "$rcA" "$(cat "$tmp/outA")" "$rcB" "$(cat "$tmp/outB")" | sed 's/trial=[01]/trial=T/g')" \
        "0 app 2.0.0 trial=T args: A| 0 app 2.0.0 trial=T args: B|"
    check_eq file-busy-two-starts-end "$rc $(out) $(th "$D") $(sdir)" "0 app 2.0.0 trial=0 args: C $X2 lock"
else
    skip file-busy "strace is not installed or cannot trace here"
fi
echo "in all: $CRASH_TOTAL crash points, $ERR_TOTAL error points"

summary
