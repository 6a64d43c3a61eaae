#!/bin/sh
# Regenerates the seed corpus tests/fuzz/corpus/patch/seed-* for the binary
# patch target (tests/fuzz/fuzz_patch.c). The old file is the target's fixed
# one (100 KiB of x = x * 1103515245 + 12345 mod 2^32 from x = 1, each byte
# x >> 24), rebuilt here, so that whole patches get past its SHA-256:
#   raw-*  whole UPDDIFF1 patches (sections by Python's gzip, some in several
#          members, some with the optional gzip header fields), and a few
#          broken headers;
#   V-*    'V' inputs: the sections decompressed (the target writes the gzip
#          data and the header), in every block size, with diff and extra
#          made by the target, a wrong SHA-256 or size, bad numbers;
#   G-*    'G' inputs: the sections as gzip data, the header made by the
#          target.
# Files not named seed-* (inputs merged from fuzzing runs, reproducers) are
# kept. Needs python3. Output is deterministic.
set -eu
cd "$(dirname "$0")/../.."
dir=tests/fuzz/corpus/patch
mkdir -p "$dir"
rm -f "$dir"/seed-*
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi
"$PY" - "$dir" <<'PYEOF'
import gzip, hashlib, struct, sys, zlib

out = sys.argv[1]
OLD_SIZE = 100 * 1024
x, b = 1, bytearray()
for _ in range(OLD_SIZE):
    x = (x * 1103515245 + 12345) & 0xffffffff
    b.append(x >> 24)
OLD = bytes(b)

def rnd(n, seed):
    x, b = seed, bytearray()
    for _ in range(n):
        x = (x * 1103515245 + 12345) & 0xffffffff
        b.append(x >> 23 & 0xff)
    return bytes(b)

def leb(v, width=0):
    b = bytearray()
    while True:
        low, v = v & 0x7f, v >> 7
        if (width and len(b) + 1 < width) or (not width and v):
            b.append(low | 0x80)
        else:
            b.append(low)
            return bytes(b)

def zz(s):
    return 2 * s if s >= 0 else -2 * s - 1

def control(triples):
    return b"".join(leb(a) + leb(c) + leb(zz(s)) for a, c, s in triples)

def apply(triples, diff, extra):
    o = d = e = 0
    new = bytearray()
    for a, c, s in triples:
        new += bytes((OLD[o + i] + diff[d + i]) & 0xff for i in range(a))
        o += a; d += a
        new += extra[e:e + c]; e += c
        o += s
        assert 0 <= o <= OLD_SIZE
    assert d == len(diff) and e == len(extra)
    return bytes(new)

def gz(data, members=1, level=9):
    if members == 1:
        return gzip.compress(data, level, mtime=0)
    k = len(data) // members
    parts = [data[i * k:(i + 1) * k] for i in range(members - 1)] + [data[(members - 1) * k:]]
    return b"".join(gzip.compress(p, level, mtime=0) for p in parts)

def gz_fields(data):
    """one member with FEXTRA, FNAME, FCOMMENT and FHCRC set"""
    h = b"\x1f\x8b\x08\x1e" + b"\0\0\0\0" + b"\x02\x03"
    h += struct.pack("<H", 4) + b"ab\0\0" + b"name\0" + b"comment\0"
    h += struct.pack("<H", zlib.crc32(h) & 0xffff)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = c.compress(data) + c.flush()
    return h + body + struct.pack("<II", zlib.crc32(data), len(data) & 0xffffffff)

def patch(triples, diff, extra, gzs=None, newn=None, newsha=None):
    new = apply(triples, diff, extra)
    secs = gzs or [gz(control(triples)), gz(diff), gz(extra)]
    h = b"UPDDIFF1" + struct.pack("<QQ", OLD_SIZE, len(new) if newn is None else newn)
    h += hashlib.sha256(OLD).digest() + (newsha or hashlib.sha256(new).digest())
    h += struct.pack("<QQQ", *[len(s) for s in secs])
    return h + b"".join(secs)

def seed(name, data):
    with open("%s/seed-%s" % (out, name), "wb") as f:
        f.write(data)

# ---- raw: whole patches ----
seed("raw-identity", patch([(OLD_SIZE, 0, 0)], bytes(OLD_SIZE), b""))
seed("raw-empty-new", patch([], b"", b""))
seed("raw-inserts", patch([(0, 3000, 0), (0, 1, 0)], b"", rnd(3001, 1)))
mixed = [(1000, 50, 500), (2000, 0, -2500), (100, 100, 90000), (7000, 20, -30000), (30000, 0, 0)]
dm = bytes(v if i % 5 == 0 else 0 for i, v in enumerate(rnd(sum(a for a, _, _ in mixed), 2)))
em = rnd(sum(c for _, c, _ in mixed), 3)
seed("raw-mixed", patch(mixed, dm, em))
seed("raw-mixed-members", patch(mixed, dm, em, [gz(control(mixed), 3), gz(dm, 4, 1), gz(em, 2)]))
seed("raw-mixed-fields", patch(mixed, dm, em, [gz_fields(control(mixed)), gz_fields(dm), gz_fields(em)]))
small = [(1 + i % 7, i % 3, (i % 5) - 1) for i in range(300)]
ds = rnd(sum(a for a, _, _ in small), 4)
es = rnd(sum(c for _, c, _ in small), 5)
seed("raw-small-triples", patch(small, ds, es))
p = bytearray(patch(mixed, dm, em)); p[7] = ord("2")
seed("raw-bad-magic", bytes(p))
p = bytearray(patch(mixed, dm, em)); p[30] ^= 1
seed("raw-other-old", bytes(p))
p = bytearray(patch(mixed, dm, em)); p[60] ^= 1
seed("raw-bad-new-sha", bytes(p))
seed("raw-short-header", patch(mixed, dm, em)[:100])
seed("raw-trailing-byte", patch(mixed, dm, em) + b"\0")

# ---- V: sections decompressed ----
def v(name, flags, ctl, diff=b"", extra=b"", delta=0):
    seed("V-" + name, b"V" + bytes([flags, delta & 0xff]) + struct.pack("<HH", len(ctl), len(diff)) + ctl + diff + extra)

t = [(10, 5, 3), (20, 0, -8), (0, 7, 100)]
d = rnd(30, 6); e = rnd(12, 7)
for blk in range(8):
    v("simple-blk%d" % blk, blk, control(t), d, e)
v("simple-members", 0x08, control(t), d, e)
v("empty", 0x00, b"")
v("fill-identity", 0x10, control([(OLD_SIZE, 0, 0)]))
v("fill-big", 0x10, control([(50000, 70000, -50000), (60000, 0, 40000), (1, 2, -1)]))
v("fill-members-blk7", 0x1b, control([(40000, 40000, 0), (30000, 1, -70000)]))
v("wrong-sha", 0x20, control(t), d, e, 77)
v("size-plus-one", 0x40, control(t), d, e, 1)
v("size-minus-one", 0x40, control(t), d, e, -1)
v("eleven-byte-number", 0x10, leb(5, 11) + leb(0) + leb(0))
v("ten-byte-numbers", 0x10, leb(5, 10) + leb(2, 10) + leb(zz(-3), 10) + control([(3, 1, 0)]))
v("number-2p63", 0x10, b"\x80" * 9 + b"\x01" + b"\0\0")
v("number-2p63-1", 0x10, b"\xff" * 8 + b"\x7f" + b"\0\0")
v("cut-triple", 0x00, control(t)[:-1], d, e)
v("empty-triple", 0x10, control([(0, 0, 5)]))
v("seek-before-0", 0x10, control([(2, 0, -3)]))
v("seek-past-end", 0x10, control([(2, 0, OLD_SIZE - 1)]))
v("add-past-end", 0x10, control([(OLD_SIZE - 5, 0, 0), (6, 0, 0)]))
v("diff-short", 0x40, control(t), d[:-1], e, 100)
v("extra-long", 0x00, control(t), d, e + b"!")

# ---- G: sections as gzip data ----
def g(name, secs):
    seed("G-" + name, b"G" + struct.pack("<HH", len(secs[0]), len(secs[1])) + secs[0] + secs[1] + secs[2])

g("mixed", [gz(control(mixed)), gz(dm), gz(em)])
g("mixed-members", [gz(control(mixed), 2), gz(dm, 3), gz(em, 5, 1)])
g("mixed-fields", [gz_fields(control(mixed)), gz(dm), gz_fields(em)])
g("small", [gz(control(small), 1, 1), gz(ds, 1, 6), gz(es)])
g("empty", [gz(b""), gz(b""), gz(b"")])
g("no-sections", [b"", b"", b""])
g("trailing-garbage", [gz(control(t)) + b"X", gz(d), gz(e)])
PYEOF
echo "$(ls "$dir" | wc -l) files, $(cat "$dir"/* | wc -c) bytes in $dir"
