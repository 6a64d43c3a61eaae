#!/bin/sh
# Regenerates the seed corpus tests/fuzz/corpus/marker/seed-* for the
# engine journal's fuzz target (tests/fuzz/fuzz_marker.c). Each file is two
# selector bytes (the layout of the trees, single-executable mode,
# max_trials, an extra tree, upd_mark_good, a second start, an explicit
# state dir; see fuzz_marker.c) and then the marker. The markers are the
# ones the engine writes: a real update (`build/upd serve` + `build/upd
# update`, an install dir and a single executable) and the starts after it
# (`build/upd startup`: trials 1, 2, 3, then the rollback), with the
# inodes replaced by the target's tokens $N (the new tree) and $O (the old
# one); the swap and rollback markers are the same lines with another
# state (docs/engine.md: upd_install writes state=swap, a start past
# max_trials state=rollback); then hand-written broken ones and the
# parser's limits as fuzz_marker.c sets them (UPDATER_MAX_PATH 128: a
# 639-byte buffer, exe up to 128 bytes). Files not named seed-*
# (inputs merged from fuzzing runs, reproducers of fixed bugs) are kept.
# Needs build/upd (make build/upd), GNU tar and gzip. Output is
# deterministic.
set -eu
cd "$(dirname "$0")/../.."
dir=tests/fuzz/corpus/marker
upd=$(pwd)/${UPD:-build/upd}
[ -x "$upd" ] || { echo "$0: $upd is not built (make build/upd)" >&2; exit 1; }
mkdir -p "$dir"
rm -f "$dir"/seed-*
tmp=$(mktemp -d)
spid=
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$tmp"' EXIT

# ---- a real update and the starts after it ----
mkdir -p "$tmp/v2/bin" "$tmp/inst/bin" "$tmp/f2"
printf '#!/bin/sh\necho 2\n' >"$tmp/v2/bin/prog"
printf '#!/bin/sh\necho 1\n' >"$tmp/inst/bin/prog"
printf '#!/bin/sh\necho 2\n' >"$tmp/f2/prog"
printf '#!/bin/sh\necho 1\n' >"$tmp/prog"
chmod 755 "$tmp/v2/bin/prog" "$tmp/inst/bin/prog" "$tmp/f2/prog" "$tmp/prog"
"$upd" keygen -p "$tmp/k.pub" -s "$tmp/k.key" >/dev/null
"$upd" publish --repo "$tmp/repo" --app app --version 2.0.0 -s "$tmp/k.key" "$tmp/v2" >/dev/null
"$upd" publish --repo "$tmp/repo" --app one --version 2.0.0 -s "$tmp/k.key" "$tmp/f2" >/dev/null
"$upd" serve -p 0 --port-file "$tmp/port" "$tmp/repo" 2>/dev/null &
spid=$!
i=0; while [ ! -s "$tmp/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
url=http://127.0.0.1:$(cat "$tmp/port")/versions
tok() { sed 's/^new=.*/new=$N/; s/^old=.*/old=$O/' "$1"; }
"$upd" update --install "$tmp/inst" --exe bin/prog --app app -p "$tmp/k.pub" --current 1.0.0 "$url" >/dev/null 2>&1
tok "$tmp/inst.update/marker" >"$tmp/d-trial-0"
for n in 1 2 3; do
    "$upd" startup --install "$tmp/inst" --exe bin/prog >/dev/null
    tok "$tmp/inst.update/marker" >"$tmp/d-trial-$n"
done
[ "$("$upd" startup --install "$tmp/inst" --exe bin/prog)" = "rolled-back 2.0.0" ] || { echo "$0: no rollback" >&2; exit 1; }
[ ! -e "$tmp/inst.update/marker" ] || { echo "$0: a marker after the rollback" >&2; exit 1; }
"$upd" update --file "$tmp/prog" --app one -p "$tmp/k.pub" --current 1.0.0 "$url" >/dev/null 2>&1
tok "$tmp/prog.update/marker" >"$tmp/f-trial-0"
"$upd" startup --file "$tmp/prog" >/dev/null
tok "$tmp/prog.update/marker" >"$tmp/f-trial-1"
kill "$spid"; wait "$spid" 2>/dev/null || :; spid=
for m in d f; do
    sed 's/^state=.*/state=swap/' "$tmp/$m-trial-0" >"$tmp/$m-swap"
    sed 's/^state=.*/state=rollback/; s/^trials=.*/trials=4/' "$tmp/d-trial-3" | sed "s|^exe=.*|$(grep '^exe=' "$tmp/$m-trial-0")|" >"$tmp/$m-rollback"
done
grep -q '^state=trial$' "$tmp/d-trial-3" && grep -q '^trials=3$' "$tmp/d-trial-3" && grep -q '^exe=prog$' "$tmp/f-trial-0" ||
    { echo "$0: unexpected markers" >&2; exit 1; }

# seed NAME S0-OCTAL S1-OCTAL FILE: the selector bytes, then the marker
seed() { { printf "\\$2\\$3"; cat "$4"; } >"$dir/seed-$1"; }
# text NAME S0 S1 FORMAT [ARGS...]
text() { name=$1 s0=$2 s1=$3 fmt=$4; shift 4; { printf "\\$s0\\$s1"; printf "$fmt" "$@"; } >"$dir/seed-$name"; }

# layouts (byte 0 bits 0-2): 0 O installed, N staged; 1 N installed, O
# previous; 2 N installed, O staged; 3 nothing installed, N staged, O
# previous; 4 O installed, N failed.tree; 5 O installed, N previous; 6 no
# O; 7 no N. +010 single executable, +020/040/060 max_trials 1/5/1000000,
# +100 an extra tree X. Byte 1: 001 X empty, 002 upd_mark_good, 004 a
# second start, 010 state_dir given.
for m in d f; do
    f=0; [ $m = f ] && f=1
    seed $m-swap 0${f}0 000 "$tmp/$m-swap"
    seed $m-swap-done 0${f}1 000 "$tmp/$m-swap"
    seed $m-swap-exchanged 0${f}2 000 "$tmp/$m-swap"
    seed $m-swap-crash 0${f}3 000 "$tmp/$m-swap"
    seed $m-swap-abandon 0${f}7 000 "$tmp/$m-swap"
    seed $m-swap-no-old 0${f}6 000 "$tmp/$m-swap"
    seed $m-swap-stale 1${f}0 000 "$tmp/$m-swap"
    seed $m-swap-then-start 0${f}0 004 "$tmp/$m-swap"
    seed $m-swap-state-dir 0${f}0 010 "$tmp/$m-swap"
    seed $m-trial-0 0${f}1 000 "$tmp/$m-trial-0"
    seed $m-trial-0-good 0${f}1 002 "$tmp/$m-trial-0"
    seed $m-trial-0-good-start 1${f}1 006 "$tmp/$m-trial-0"
    seed $m-trial-0-max1-twice 0${f}1 004 "$tmp/$m-trial-0"
    seed $m-rollback 0${f}1 000 "$tmp/$m-rollback"
    seed $m-rollback-exchanged 0${f}5 000 "$tmp/$m-rollback"
    seed $m-rollback-not-removed 0${f}4 000 "$tmp/$m-rollback"
    seed $m-rollback-no-old 0${f}6 000 "$tmp/$m-rollback"
    seed $m-rollback-stale 1${f}1 014 "$tmp/$m-rollback"
done
seed f-trial-1 011 000 "$tmp/f-trial-1"
seed d-trial-1 001 004 "$tmp/d-trial-1"
seed d-trial-2-max1 021 000 "$tmp/d-trial-2"
seed d-trial-2-max5 041 002 "$tmp/d-trial-2"
seed d-trial-3 001 000 "$tmp/d-trial-3"
seed d-trial-3-big 061 000 "$tmp/d-trial-3"
seed d-swap-onto-empty 103 001 "$tmp/d-swap"
seed d-swap-onto-tree 103 000 "$tmp/d-swap"
seed d-rollback-of-x 103 000 "$tmp/d-rollback"
sed 's/^new=.*/new=$X/' "$tmp/d-rollback" >"$tmp/x"; seed d-rollback-new-is-x 101 000 "$tmp/x"
sed 's/^old=.*/old=$N/' "$tmp/d-trial-3" >"$tmp/x"; seed d-trial-old-is-new 001 000 "$tmp/x"
sed 's/^new=.*/new=$O/; s/^old=.*/old=$N/' "$tmp/d-swap" >"$tmp/x"; seed d-swap-reversed 000 000 "$tmp/x"
sed 's/^new=.*/new=$D:1/' "$tmp/f-swap" >"$tmp/x"; seed f-swap-dev-only 010 000 "$tmp/x"
sed 's/^exe=.*/exe=sub\/prog/' "$tmp/f-swap" >"$tmp/x"; seed f-swap-exe-sub 010 000 "$tmp/x"

# ---- broken markers and the limits (layout 1: on trial) ----
M='state=trial\nversion=2.0.0\nexe=bin/prog\ntrials=0\nnew=$N\nold=$O\n'
text none 001 000 ''
text only-eol 001 000 '\n'
text no-final-eol 001 000 'state=trial\nversion=2.0.0\nexe=bin/prog\ntrials=0\nnew=$N\nold=$O'
text empty-line 001 000 'state=trial\n\nversion=2.0.0\nexe=bin/prog\ntrials=0\nnew=$N\nold=$O\n'
text unknown-key 001 000 "${M}future=1\n"
text no-equals 001 000 "${M}state\n"
text state-bogus 001 000 'state=bogus\nversion=2.0.0\nexe=bin/prog\ntrials=0\nnew=$N\nold=$O\n'
text state-empty 001 000 'state=\nversion=2.0.0\nexe=bin/prog\ntrials=0\nnew=$N\nold=$O\n'
text state-twice 001 000 "${M}state=swap\n"
text state-long 001 000 'state=rollbackrollback\nversion=2.0.0\nexe=bin/prog\ntrials=0\nnew=$N\nold=$O\n'
text missing-exe 001 000 'state=trial\nversion=2.0.0\ntrials=0\nnew=$N\nold=$O\n'
text missing-old 001 000 'state=trial\nversion=2.0.0\nexe=bin/prog\ntrials=0\nnew=$N\n'
text minimal 001 000 'state=trial\nexe=p\nnew=1:1\nold=1:2\n'
text exe-absolute 001 000 'state=trial\nversion=2.0.0\nexe=/bin/sh\ntrials=0\nnew=$N\nold=$O\n'
text exe-dotdot 011 000 'state=swap\nversion=2.0.0\nexe=../../x\ntrials=0\nnew=$N\nold=$O\n'
text exe-at-limit 001 000 'state=trial\nversion=2.0.0\nexe=%0128d\ntrials=0\nnew=$N\nold=$O\n' 0
text exe-over-limit 001 000 'state=trial\nversion=2.0.0\nexe=%0129d\ntrials=0\nnew=$N\nold=$O\n' 0
text version-at-limit 001 000 'state=trial\nversion=%063d\nexe=bin/prog\ntrials=0\nnew=$N\nold=$O\n' 0
text version-over-limit 001 000 'state=trial\nversion=%064d\nexe=bin/prog\ntrials=0\nnew=$N\nold=$O\n' 0
text version-odd 001 000 'state=rollback\nversion=a=b c\tdé\nexe=bin/prog\ntrials=0\nnew=$N\nold=$O\n'
text version-empty 001 000 'state=rollback\nversion=\nexe=bin/prog\ntrials=0\nnew=$N\nold=$O\n'
text trials-junk 001 000 'state=trial\nversion=2.0.0\nexe=bin/prog\ntrials=1x\nnew=$N\nold=$O\n'
text trials-negative 001 000 'state=trial\nversion=2.0.0\nexe=bin/prog\ntrials=-1\nnew=$N\nold=$O\n'
text trials-six-digits 001 000 'state=trial\nversion=2.0.0\nexe=bin/prog\ntrials=123456\nnew=$N\nold=$O\n'
text trials-empty 001 000 'state=trial\nversion=2.0.0\nexe=bin/prog\ntrials=\nnew=$N\nold=$O\n'
text trials-leading-zeros 041 000 'state=trial\nversion=2.0.0\nexe=bin/prog\ntrials=00002\nnew=$N\nold=$O\n'
text inode-words 001 000 'state=trial\nversion=2.0.0\nexe=bin/prog\ntrials=0\nnew=abc\nold=$O\n'
text inode-signed 001 000 'state=trial\nversion=2.0.0\nexe=bin/prog\ntrials=0\nnew= -5:+3\nold=$O\n'
text inode-extra 001 000 'state=trial\nversion=2.0.0\nexe=bin/prog\ntrials=0\nnew=$N:7\nold=$O junk\n'
text inode-zero 001 000 'state=trial\nversion=2.0.0\nexe=bin/prog\ntrials=0\nnew=0:0\nold=$O\n'
text inode-huge 001 000 'state=swap\nversion=2.0.0\nexe=bin/prog\ntrials=0\nnew=18446744073709551615:18446744073709551616\nold=$O\n'
text inode-fixed 000 000 'state=swap\nversion=2.0.0\nexe=bin/prog\ntrials=0\nnew=65024:11076098\nold=65024:11076915\n'
text crlf 001 000 'state=trial\r\nversion=2.0.0\r\nexe=bin/prog\r\ntrials=0\r\nnew=$N\r\nold=$O\r\n'
text nul-after 001 000 "${M}\\000state=bogus\n"
text nul-inside 001 000 'state=trial\000\nversion=2.0.0\nexe=bin/prog\ntrials=0\nnew=$N\nold=$O\n'
# the buffer: 638 bytes read whole, 639 refused (padding: repeated lines)
pad() { # pad N: the marker M, then "trials=0\n" lines and a version= line to N bytes
    printf "$M" | sed 's/\$N/1:1/; s/\$O/1:2/' >"$tmp/p"
    while [ $(( $(wc -c <"$tmp/p") + 9 )) -le $(($1 - 12)) ]; do printf 'trials=0\n' >>"$tmp/p"; done
    k=$(($1 - $(wc -c <"$tmp/p") - 9))
    printf 'version=%s\n' "$(printf "%0${k}d" 0)" >>"$tmp/p"
    [ "$(wc -c <"$tmp/p")" -eq "$1" ] || { echo "$0: pad $1: $(wc -c <"$tmp/p") bytes" >&2; exit 1; }
}
pad 638; seed buffer-at-limit 001 000 "$tmp/p"
pad 639; seed buffer-over-limit 001 000 "$tmp/p"
echo "$(ls "$dir" | wc -l) files in $dir"
