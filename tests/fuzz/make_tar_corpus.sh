#!/bin/sh
# Regenerates the seed corpus tests/fuzz/corpus/tar/seed-* for the tar
# fuzz target (tests/fuzz/fuzz_tar.c). Each file is one selector byte
# (chunking and flags; see fuzz_tar.c) and then a .tar or .tar.gz: small
# archives from GNU tar (gnu, posix, ustar, v7), bsdtar, busybox and
# Python's tarfile, and some of the hostile archives of tests/tar_hostile.py.
# Archives are cut after their two zero blocks (tar pads to 10 KiB
# records), so the corpus stays small. Files not named seed-* (reproducers
# of fixed bugs) are kept. Needs GNU tar, gzip and python3; bsdtar and
# busybox are used if installed.
set -eu
cd "$(dirname "$0")/../.."
dir=tests/fuzz/corpus/tar
mkdir -p "$dir"
rm -f "$dir"/seed-*
tmp=$(mktemp -d); trap 'chmod -R u+rwx "$tmp"; rm -rf "$tmp"' EXIT
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi

# a small tree: nested and long names, links, modes, an empty file and dir
src=$tmp/src
mkdir -p "$src/d/e" "$src/empty" "$src/ro"
printf 'hello\n' >"$src/d/hello.txt"
printf '\0\1\2\3binary\377' >"$src/d/e/bin"
: >"$src/d/empty-file"
printf '#!/bin/sh\n' >"$src/run.sh"; chmod 0755 "$src/run.sh"
printf 'ro\n' >"$src/ro/f"
ln "$src/d/hello.txt" "$src/hard"
ln -s d/hello.txt "$src/sym"
ln -s ../run.sh "$src/d/up"
long=$(printf '%0110d' 0 | tr 0 l)
mkdir "$src/$long"
printf 'long\n' >"$src/$long/$long"
ln -s "$long/$long" "$src/longsym"
find "$src" -exec touch -h -d @1500000000 {} +
chmod 0555 "$src/ro"
short=$tmp/short
mkdir "$short"
cp -a "$src/d" "$src/run.sh" "$src/sym" "$src/hard" "$short/"

a=$tmp/a
mkdir "$a"
tar --format=gnu -cf "$a/gnutar-gnu.tar" -C "$src" .
tar --format=posix -cf "$a/gnutar-posix.tar" -C "$src" .
tar --format=ustar -cf "$a/gnutar-ustar.tar" -C "$short" .
tar --format=v7 -cf "$a/gnutar-v7.tar" -C "$short" .
if command -v bsdtar >/dev/null 2>&1; then bsdtar --format pax -cf "$a/bsdtar-pax.tar" -C "$src" .; fi
if command -v busybox >/dev/null 2>&1; then busybox tar -cf "$a/busybox.tar" -C "$src" .; fi
"$PY" - "$src" "$a" <<'EOF'
import os, sys, tarfile
src, out = sys.argv[1:]
for fmt, name in ((tarfile.PAX_FORMAT, "python-pax"), (tarfile.GNU_FORMAT, "python-gnu")):
    with tarfile.open(os.path.join(out, name + ".tar"), "w", format=fmt) as t:
        for n in sorted(os.listdir(src)):
            t.add(os.path.join(src, n), arcname=n)
EOF
"$PY" tests/tar_hostile.py --small "$a/hostile" /tmp/upd-fuzz-tar-sentinel

# seed NAME SELECTOR FILE [gz]: the selector byte, then FILE cut after its
# end blocks (gzipped if asked)
seed() {
    "$PY" - "$dir/seed-$1" "$2" "$3" "${4:-}" <<'EOF'
import gzip, sys
out, sel, path, gz = sys.argv[1], int(sys.argv[2], 0), sys.argv[3], sys.argv[4]
data = open(path, "rb").read()
cut = data.rstrip(b"\0")
cut += b"\0" * (-len(cut) % 512) + b"\0" * 1024
if len(cut) < len(data):
    data = cut
if gz:
    data = gzip.compress(data, 9, mtime=0)
open(out, "wb").write(bytes([sel]) + data)
EOF
}
# selector: bits 0-3 chunk size index, 4 vary, 5 skip unsupported, 6 list, 7 keep special
seed gnutar-gnu-whole 0x00 "$a/gnutar-gnu.tar"
seed gnutar-gnu-vary.gz 0x1c "$a/gnutar-gnu.tar" gz
seed gnutar-posix-bytes.gz 0x01 "$a/gnutar-posix.tar" gz
seed gnutar-posix-list.gz 0x40 "$a/gnutar-posix.tar" gz
seed gnutar-ustar-512 0x09 "$a/gnutar-ustar.tar"
seed gnutar-v7-vary 0x1a "$a/gnutar-v7.tar"
[ -f "$a/bsdtar-pax.tar" ] && seed bsdtar-pax.gz 0x0b "$a/bsdtar-pax.tar" gz
[ -f "$a/busybox.tar" ] && seed busybox-special.gz 0x80 "$a/busybox.tar" gz
seed python-pax-7.gz 0x05 "$a/python-pax.tar" gz
seed python-gnu.gz 0x1f "$a/python-gnu.tar" gz
for h in abs dotdot symlink-dir-up symlink-chain hardlink-up fifo bad-checksum truncated-data \
         size-huge-b256 pax-huge-record gnu-longname-10mb empty-name; do
    seed "hostile-$h" 0x00 "$a/hostile/$h.tar"
done
for h in hardlink-missing pax-path-dotdot pax-sparse gnu-longname-dotdot symlink-deep-up \
         hardlink-via-symlink; do
    seed "hostile-$h.gz" 0x00 "$a/hostile/$h.tar" gz
done
seed hostile-fifo-skip 0x20 "$a/hostile/fifo.tar"
seed hostile-symlink-chain-bytes 0x01 "$a/hostile/symlink-chain.tar"
seed hostile-dot-dotdot.gz 0x13 "$a/hostile/dot-dotdot.tar" gz
echo "$(ls "$dir" | wc -l) files, $(cat "$dir"/* | wc -c) bytes in $dir"
