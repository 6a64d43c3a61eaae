#!/bin/sh
# Regenerates the seed corpus tests/fuzz/corpus/treelist/seed-* for the
# tree listing target (tests/fuzz/fuzz_treelist.c): the listing of the
# target's fixed tree (the same table as its TREE[], rebuilt here), each of
# its records alone, and listings that differ from the tree or break the
# format, one way each (docs/delta.md). Files not named seed-* are kept.
# Needs python3. Output is deterministic.
set -eu
cd "$(dirname "$0")/../.."
dir=tests/fuzz/corpus/treelist
mkdir -p "$dir"
rm -f "$dir"/seed-*
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi
"$PY" - "$dir" <<'PYEOF'
import hashlib, sys

out = sys.argv[1]
MAX_PATH = 128
LONG = b"p/" + b"q" * (MAX_PATH - 2)
# path, type, mode, contents (files) or target (links): fuzz_treelist.c's TREE[]
TREE = [
    (b"a", "f", 0o644, b"hello\n"), (b"b", "d", 0o755, None), (b"b/c", "f", 0o755, b"#!/bin/sh\n"),
    (b"b/d", "l", 0, b"../a"), (b"caf\xc3\xa9", "f", 0o644, b"utf-8\n"), (b"e f", "f", 0o600, b"space\n"),
    (b"empty", "f", 0o644, b""), (b"g%", "d", 0o700, None), (b"g%/h", "f", 0o644, b""),
    (b"g%/t", "l", 0, b"x y%\t"), (b"l", "l", 0, b"b"), (b"p", "d", 0o755, None), (LONG, "f", 0o644, b"max\n"),
    (b"x\x01", "f", 0o500, b"ctl\n"), (b"z", "d", 0o555, None),
]

def esc(s):
    return b"".join(b"%%%02X" % c if c <= 0x20 or c in (0x25, 0x7f) else bytes([c]) for c in s)

def record(p, t, mode, data):
    if t == "f":
        return b"f %04o %d %s %s\n" % (mode, len(data), hashlib.sha256(data).hexdigest().encode(), esc(p))
    if t == "d":
        return b"d %04o %s\n" % (mode, esc(p))
    return b"l %s %s\n" % (esc(p), esc(data))

recs = [record(*e) for e in sorted(TREE)]
assert [e[0] for e in sorted(TREE)] == [e[0] for e in TREE]
full = b"".join(recs)

def seed(name, data):
    with open("%s/seed-%s" % (out, name), "wb") as f:
        f.write(data)

seed("full", full)
seed("empty", b"")
for i, e in enumerate(TREE):
    seed("one-%02d" % i, recs[i])
A = recs[0]                       # f 0644 6 <sha> a
sha_a = A.split(b" ")[3]
bad = {
    "content": A.replace(sha_a, hashlib.sha256(b"HELLO\n").hexdigest().encode()),
    "size": A.replace(b" 6 ", b" 7 "),
    "mode": A.replace(b"0644", b"0755"),
    "dir-mode": b"d 0700 b\n",
    "missing": b"d 0755 nodir\n",
    "file-not-dir": b"d 0644 a\n",
    "dir-not-file": b"f 0755 0 %s b\n" % hashlib.sha256(b"").hexdigest().encode(),
    "fifo-not-file": b"f 0644 0 %s fifo\n" % hashlib.sha256(b"").hexdigest().encode(),
    "link-not-file": b"f 0644 6 %s b/d\n" % sha_a,
    "file-not-link": b"l a x\n",
    "link-target": b"l b/d ../b\n",
    "link-parent": b"f 0755 10 %s l/c\n" % hashlib.sha256(b"#!/bin/sh\n").hexdigest().encode(),
    "file-parent": b"d 0755 a/x\n",
    "order": recs[1] + recs[0],
    "order-prefix": recs[2] + recs[1],
    "duplicate": recs[1] + recs[1],
    "escape-plain": b"d 0755 %62\n",
    "escape-lower": b"d 0700 g%25/t%0a\n",
    "escape-bad": b"d 0700 g%zz\n",
    "escape-nul": b"d 0700 g%00\n",
    "raw-percent": b"d 0700 g%\n",
    "upper-sha": A.replace(sha_a, sha_a.upper()),
    "reserved": b"d 0755 .updater-tree\n",
    "reserved-prefix": b"d 0755 .updater-patchwork\n",
    "dotdot": b"d 0755 b/../b\n",
    "absolute": b"d 0755 /b\n",
    "dot": b"d 0755 ./b\n",
    "trailing-slash": b"d 0755 b/\n",
    "backslash": b"d 0755 b\\c\n",
    "leading-zero": A.replace(b" 6 ", b" 06 "),
    "no-newline": full[:-1],
    "nul": b"d 0755 b\0\n",
    "crlf": b"d 0755 b\r\n",
    "two-spaces": b"d 0755  b\n",
    "mode-bits": b"d 0775 b\n",
    "long-path": b"f 0644 4 %s %s\n" % (hashlib.sha256(b"max\n").hexdigest().encode(), LONG + b"q"),
    "long-record": b"d 0755 " + b"%20" * 300 + b"\n",
}
for k, v in sorted(bad.items()):
    seed("bad-" + k, v)
PYEOF
echo "$(ls "$dir" | wc -l) files, $(cat "$dir"/* | wc -c) bytes in $dir"
