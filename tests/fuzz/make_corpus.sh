#!/bin/sh
# Regenerates the seed corpus tests/fuzz/corpus/gunzip/seed-* for the
# gunzip fuzz target (tests/fuzz/fuzz_gunzip.c). Each file is two selector
# bytes (input chunking, output chunking and limit; see fuzz_gunzip.c) and
# then a gzip stream: gzip, pigz and zlib output, and streams built bit by
# bit below for the cases encoders never emit, valid and corrupt.
# Files not named seed-* (reproducers of fixed bugs) are kept.
# Needs gzip, pigz and python3. Output is deterministic.
set -eu
cd "$(dirname "$0")/../.."
dir=tests/fuzz/corpus/gunzip
mkdir -p "$dir"
rm -f "$dir"/seed-*
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# ---- inputs: deterministic text and binary ----
python3 - "$tmp" <<'EOF'
import sys, struct
d = sys.argv[1]
words = ("update manifest release channel rollout version signature archive "
         "verify download install rollback swap the a of to and in is it that "
         "for on with as by at from this be are or an if then else while return").split()
s = 12345
def rnd():
    global s
    s = (s * 1103515245 + 12345) & 0x7fffffff
    return s >> 8
def text(n):
    out, line = [], []
    while sum(len(x) + 1 for x in out) < n:
        line.append(words[rnd() % len(words)])
        if len(line) > 4 + rnd() % 9:
            out.append(" ".join(line)); line = []
    return ("\n".join(out) + "\n").encode()
open(d + "/text", "wb").write(text(6000))
open(d + "/text50k", "wb").write(text(50000))
b = bytearray()
for i in range(512):
    b += struct.pack("<IH", i * 7919, i & 0xffff)
b += bytes(rnd() & 0xff for _ in range(600))
b += bytes(range(256)) * 2
open(d + "/bin", "wb").write(bytes(b))
open(d + "/zeros", "wb").write(bytes(10 * 1024 * 1024))
EOF

# put NAME SEL0 SEL1 FILE: one corpus file, selector bytes given in octal
put() { { printf "\\$2\\$3"; cat "$4"; } >"$dir/seed-$1"; }
# variants NAME FILE: the same stream under several chunkings
variants() {
    put "$1-whole" 000 000 "$2"            # all input at once, 1 MiB output chunks
    put "$1-bytes" 001 001 "$2"            # one byte in, one byte out
    put "$1-vary" 035 033 "$2"             # random splits <= 4096 in, <= 255 out
    [ "${3:-}" = nolate ] ||
    put "$1-latefinal" 041 014 "$2"        # final in its own call; 258-byte output
}

gzip -1 -n -c "$tmp/text" >"$tmp/text1.gz";  variants text-gzip1 "$tmp/text1.gz"
gzip -9 -n -c "$tmp/text" >"$tmp/text9.gz";  variants text-gzip9 "$tmp/text9.gz"
gzip -1 -n -c "$tmp/bin" >"$tmp/bin1.gz";    variants bin-gzip1 "$tmp/bin1.gz" nolate
gzip -9 -n -c "$tmp/bin" >"$tmp/bin9.gz";    variants bin-gzip9 "$tmp/bin9.gz" nolate
gzip -n -c </dev/null >"$tmp/empty.gz";      variants empty "$tmp/empty.gz"
pigz -n -b 32 -c "$tmp/text50k" >"$tmp/pigz.gz"; put pigz-text50k 000 000 "$tmp/pigz.gz"
put pigz-text50k-vary 035 035 "$tmp/pigz.gz"
gzip -9 -n -c "$tmp/zeros" >"$tmp/bomb.gz"
put bomb-10m 000 000 "$tmp/bomb.gz"        # 10 MiB of zeros: over the 8 MiB limit
put bomb-limit100 000 100 "$tmp/bomb.gz"   # limit 100 bytes
put bomb-limit32768 000 200 "$tmp/bomb.gz" # limit 32768 bytes
cat "$tmp/text1.gz" "$tmp/empty.gz" "$tmp/bin9.gz" >"$tmp/multi.gz"
variants multi "$tmp/multi.gz"
put multi-limit1000 000 140 "$tmp/multi.gz"

# ---- streams built here (zlib and hand-made DEFLATE) ----
python3 - "$tmp" <<'EOF'
import sys, struct, zlib
d = sys.argv[1]
text = open(d + "/text", "rb").read()
binary = open(d + "/bin", "rb").read()

def deflate(data, level=6, strategy=zlib.Z_DEFAULT_STRATEGY, wbits=31):
    c = zlib.compressobj(level, zlib.DEFLATED, wbits, 9, strategy)
    return c.compress(data) + c.flush()

def member(raw, data, flg=0, extra=None, name=None, comment=None, hcrc=False,
           cm=8, crc=None, isize=None, bad_hcrc=False):
    if extra is not None: flg |= 4
    if name is not None: flg |= 8
    if comment is not None: flg |= 16
    if hcrc: flg |= 2
    h = bytes([0x1f, 0x8b, cm, flg]) + struct.pack("<I", 0) + bytes([0, 3])
    if extra is not None: h += struct.pack("<H", len(extra)) + extra
    if name is not None: h += name + b"\0"
    if comment is not None: h += comment + b"\0"
    if hcrc: h += struct.pack("<H", (zlib.crc32(h) ^ (1 if bad_hcrc else 0)) & 0xffff)
    if crc is None: crc = zlib.crc32(data)
    if isize is None: isize = len(data) & 0xffffffff
    return h + raw + struct.pack("<II", crc, isize)

class Bits:
    """LSB-first bit writer (RFC 1951 3.1.1)."""
    def __init__(self): self.acc, self.n, self.out = 0, 0, bytearray()
    def put(self, v, n):
        self.acc |= (v & ((1 << n) - 1)) << self.n; self.n += n
        while self.n >= 8:
            self.out.append(self.acc & 0xff); self.acc >>= 8; self.n -= 8
    def code(self, c, n):  # Huffman codes go most significant bit first
        self.put(int(format(c, "0%db" % n)[::-1], 2) if n else 0, n)
    def align(self):
        if self.n: self.put(0, 8 - self.n)
    def done(self):
        self.align(); return bytes(self.out)

def canonical(lens):  # RFC 1951 3.2.2
    count = [0] * 16
    for l in lens: count[l] += 1
    count[0] = 0
    nxt, code = [0] * 16, 0
    for b in range(1, 16):
        code = (code + count[b - 1]) << 1; nxt[b] = code
    codes = []
    for l in lens:
        codes.append((nxt[l], l) if l else None)
        if l: nxt[l] += 1
    return codes

LBASE = [3,4,5,6,7,8,9,10,11,13,15,17,19,23,27,31,35,43,51,59,67,83,99,115,131,163,195,227,258]
LEXT = [0]*8 + [1]*4 + [2]*4 + [3]*4 + [4]*4 + [5]*4 + [0]
DBASE = [1,2,3,4,5,7,9,13,17,25,33,49,65,97,129,193,257,385,513,769,1025,1537,2049,3073,
         4097,6145,8193,12289,16385,24577]
DEXT = [0,0,0,0] + [i // 2 for i in range(2, 28)]

def len_sym(n):
    for i in range(28, -1, -1):
        if n >= LBASE[i] and (i != 28 or n == 258):
            if n - LBASE[i] < (1 << LEXT[i]) or i == 28: return 257 + i, n - LBASE[i], LEXT[i]
def dist_sym(n):
    for i in range(29, -1, -1):
        if n >= DBASE[i]: return i, n - DBASE[i], DEXT[i]

FIXED_LIT = [8] * 144 + [9] * 112 + [7] * 24 + [8] * 8
FIXED_DIST = [5] * 32

def symbols(w, items, lit, dist):
    """items: ints (literal bytes or raw lit/len symbols via ('sym', s)),
    ('match', length, distance), ('dsym', lensym, distsym) raw pair."""
    lc, dc = canonical(lit), canonical(dist)
    for it in items:
        if isinstance(it, int): w.code(*lc[it])
        elif it[0] == "sym": w.code(*lc[it[1]])
        elif it[0] == "match":
            s, e, n = len_sym(it[1]); w.code(*lc[s]); w.put(e, n)
            s, e, n = dist_sym(it[2]); w.code(*dc[s]); w.put(e, n)
        elif it[0] == "dsym":
            w.code(*lc[it[1]]); w.code(*dc[it[2]])

def fixed_block(w, items, last=1):
    w.put(last, 1); w.put(1, 2)
    symbols(w, list(items) + [256], FIXED_LIT, FIXED_DIST)

CL_LENS = [4] * 13 + [5] * 6  # a complete code-length code over all 19 symbols
CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

def dynamic_block(w, lit, dist, items, last=1, cl_seq=None, cl_lens=CL_LENS,
                  hlit=None, hdist=None, eob=True):
    """lit/dist: code lengths; cl_seq: the code-length symbols to send as
    (symbol, extra) pairs (default: every length sent literally)."""
    hlit = len(lit) if hlit is None else hlit
    hdist = len(dist) if hdist is None else hdist
    w.put(last, 1); w.put(2, 2)
    w.put(hlit - 257, 5); w.put(hdist - 1, 5); w.put(19 - 4, 4)
    for s in CL_ORDER: w.put(cl_lens[s], 3)
    clc = canonical(cl_lens)
    if cl_seq is None: cl_seq = [(l, None) for l in list(lit) + list(dist)]
    for s, extra in cl_seq:
        w.code(*clc[s])
        if s == 16: w.put(extra, 2)
        elif s == 17: w.put(extra, 3)
        elif s == 18: w.put(extra, 7)
    symbols(w, list(items) + ([256] if eob else []), lit, dist)

def one_block(fn, *a, **k):
    w = Bits(); fn(w, *a, **k); return w.done()

out = {}
def save(name, blob, sel=b"\0\0"):
    out[name] = sel + blob

# zlib: stored blocks (level 0) and fixed Huffman codes (Z_FIXED)
save("zlib-stored", deflate(binary, 0))
save("zlib-stored-bytes", deflate(binary, 0), b"\x01\x01")
save("zlib-stored-limit1000", deflate(binary, 0), b"\x00\x60")
save("zlib-fixed", deflate(text, 9, zlib.Z_FIXED))
save("zlib-fixed-zeroinit", deflate(text, 9, zlib.Z_FIXED), b"\x40\x00")
save("zlib-fixed-vary", deflate(text, 9, zlib.Z_FIXED), b"\x15\x17")
save("zlib-huffman-only", deflate(binary, 9, zlib.Z_HUFFMAN_ONLY))
save("zlib-rle", deflate(binary, 9, zlib.Z_RLE), b"\x03\x02")

# a header with every optional field, and its corruptions
raw = deflate(text[:500], 9, wbits=-15)
full = dict(flg=1, extra=b"AB\x04\x00xyzw", name=b"notes.txt", comment=b"a comment")
save("header-all", member(raw, text[:500], hcrc=True, **full))
save("header-all-bytes", member(raw, text[:500], hcrc=True, **full), b"\x01\x01")
save("header-extra-empty", member(raw, text[:500], extra=b""))
save("header-bad-hcrc", member(raw, text[:500], hcrc=True, bad_hcrc=True, **full))
save("header-reserved-flag", member(raw, text[:500], flg=0x20))
save("header-method-7", member(raw, text[:500], cm=7))
save("header-bad-magic", b"\x1f\x8c" + member(raw, text[:500])[2:])
g = member(raw, text[:500])
save("trailer-bad-crc", member(raw, text[:500], crc=zlib.crc32(text[:500]) ^ 0x80000000))
save("trailer-bad-isize", member(raw, text[:500], isize=501))
save("truncated-header", g[:7])
save("truncated-data", g[:len(g) // 2])
save("truncated-trailer", g[:-3])
save("trailing-garbage", g + b"x")
save("trailing-zeros", g + b"\0" * 8)
save("trailing-magic", g + b"\x1f\x8b")
save("not-gzip", text[:200])

# window edges: a distance of exactly 32768, and one past a member start
# (the first 32 KiB: zlib's blocks, ended by a sync flush on a byte boundary)
parts = [text, binary, text[::-1], binary[::-1], bytes(b ^ 0x20 for b in text),
         bytes(b ^ 0x55 for b in binary), text.upper()]
block = b"".join(parts)[:32768]
c = zlib.compressobj(9, zlib.DEFLATED, -15)
w = Bits(); w.out += c.compress(block) + c.flush(zlib.Z_SYNC_FLUSH)
fixed_block(w, [("match", 258, 32768), ("match", 258, 32767), 65, ("match", 3, 32768)])
raw = w.done()
data = bytearray(block)
for L, D in ((258, 32768), (258, 32767)):
    for _ in range(L): data.append(data[-D])
data.append(65)
for _ in range(3): data.append(data[-32768])
save("window-32768", member(raw, bytes(data)))
raw1 = one_block(fixed_block, [97, 98, 99])
raw2 = one_block(fixed_block, [120, ("match", 3, 2)])
save("dist-before-member", member(raw1, b"abc") + member(raw2, b"xabc"))
save("dist-before-start", member(one_block(fixed_block, [("match", 3, 1)]), b"\0\0\0"))
save("dist-overlap-1", member(one_block(fixed_block, [122, ("match", 258, 1), ("match", 258, 1)]),
                               b"z" * 517), b"\x02\x04")

# fixed blocks: symbols that never occur in valid data, BTYPE 3, stored
save("fixed-lit-286", member(one_block(fixed_block, [97, ("sym", 286)]), b"a"))
save("fixed-lit-287", member(one_block(fixed_block, [97, ("sym", 287)]), b"a"))
save("fixed-dist-30", member(one_block(fixed_block, [97, ("dsym", 257, 30)]), b"aaaa"))
save("fixed-dist-31", member(one_block(fixed_block, [97, ("dsym", 257, 31)]), b"aaaa"))
w = Bits(); w.put(1, 1); w.put(3, 2); save("btype-3", member(w.done(), b""))
w = Bits(); w.put(1, 1); w.put(0, 2); w.align(); w.put(5, 16); w.put(0xfffa ^ 1, 16); w.out += b"hello"
save("stored-bad-nlen", member(w.done(), b"hello"))
w = Bits(); w.put(0, 1); w.put(0, 2); w.align(); w.put(0, 16); w.put(0xffff, 16)
w.put(1, 1); w.put(0, 2); w.align(); w.put(3, 16); w.put(0xfffc, 16); w.out += b"abc"
save("stored-empty-then-3", member(w.done(), b"abc"), b"\x01\x01")

# dynamic blocks
lit = [0] * 257; lit[97] = 1; lit[256] = 1
save("dyn-no-distances", member(one_block(dynamic_block, lit, [0], [97, 97, 97]), b"aaa"))
lit = [0] * 258; lit[97] = 1; lit[256] = 2; lit[257] = 2
save("dyn-one-distance", member(one_block(dynamic_block, lit, [1], [97, ("match", 3, 1), 97]), b"aaaaa"))
lit = [0] * 257; lit[256] = 1
save("dyn-only-eob", member(one_block(dynamic_block, lit, [0], []), b""))
lit = [8] * 256 + [9] * 30  # 256*2^-8 + 30*2^-9 > 1: over-subscribed
save("dyn-oversubscribed", member(one_block(dynamic_block, lit, [1, 1], [97]), b"a"))
lit = [9] * 286  # 286 * 2^-9 < 1: incomplete
save("dyn-incomplete", member(one_block(dynamic_block, lit, [1, 1], [97]), b"a"))
lit = [0] * 257; lit[97] = 1; lit[256] = 1
save("dyn-dist-incomplete", member(one_block(dynamic_block, lit, [2, 2, 2], [97]), b"a"))
save("dyn-repeat-first", member(one_block(dynamic_block, lit, [1, 1], [97],
     cl_seq=[(16, 0)] + [(l, None) for l in lit[3:] + [1, 1]]), b"a"))
# a repeat that runs from the lit/len lengths into the distance lengths
lit = [0] * 258; lit[97] = 2; lit[98] = 2; lit[256] = 2; lit[257] = 2
seq = [(l, None) for l in lit[:257]]  # up to and including 256
save("dyn-repeat-cross", member(one_block(dynamic_block, lit, [2, 2, 2, 2],
     [97, 98, ("match", 3, 2)], cl_seq=seq + [(16, 2)]), b"ababa"))  # 257 and 4 distances
save("dyn-repeat-past-end", member(one_block(dynamic_block, lit, [2, 2, 2, 2], [97],
     cl_seq=seq + [(16, 3)]), b"a"))  # one too many
lit = [0] * 257; lit[97] = 1; lit[98] = 1
save("dyn-no-eob", member(one_block(dynamic_block, lit, [1], [97], eob=False), b"a"))
lit = [0] * 257; lit[97] = 1; lit[256] = 1
save("dyn-hdist-31", member(one_block(dynamic_block, lit, [1] + [0] * 30, [97]), b"a"))
save("dyn-hlit-287", member(one_block(dynamic_block, lit + [0] * 30, [1], [97]), b"a"))
cl = [0] * 19; cl[1] = 1  # a code-length code with a single code
save("dyn-cl-single", member(one_block(dynamic_block, [1] * 257, [1], [97], cl_lens=cl), b"a"))
save("dyn-cl-incomplete", member(one_block(dynamic_block, lit, [1], [97],
     cl_lens=[4] * 13 + [5] * 5 + [0]), b"a"))
# many blocks mixing all three kinds
w = Bits()
w.put(0, 1); w.put(0, 2); w.align(); w.put(4, 16); w.put(0xfffb, 16); w.out += b"head"
fixed_block(w, [116, ("match", 4, 4)], last=0)
lit = [0] * 258; lit[97] = 1; lit[256] = 2; lit[257] = 2
dynamic_block(w, lit, [1], [97, ("match", 3, 1)], last=1)
mixed_raw = w.done()
save("mixed-blocks", member(mixed_raw, b"headteadtaaaa"), b"\x1d\x11")

# block kinds changing often: memLevel 1 makes zlib end a block every 128
# symbols, and the random stretches come out as stored blocks between
# Huffman blocks
x = 99
def noise(n):
    global x
    out = bytearray()
    for _ in range(n):
        x = (x * 1103515245 + 12345) & 0x7fffffff
        out.append(x >> 16 & 0xff)
    return bytes(out)
mixed = b"".join(text[i * 400:(i + 1) * 400] + noise(150 + 40 * i) for i in range(6))
c = zlib.compressobj(6, zlib.DEFLATED, 31, 1)
mixed_gz = c.compress(mixed) + c.flush()
save("zlib-memlevel1-mixed", mixed_gz)
save("zlib-memlevel1-mixed-bytes", mixed_gz, b"\x01\x01")
save("zlib-memlevel1-mixed-vary", mixed_gz, b"\x1d\x1d")
# a Huffman block, then a stored block whose bytes come straight from the
# input after the bit buffer was filled a word at a time
for nlit in (3, 8):
    w = Bits()
    fixed_block(w, [65] * nlit, last=0)
    w.put(0, 1); w.put(0, 2); w.align(); w.put(5, 16); w.put(5 ^ 0xffff, 16); w.out += b"01234"
    lit = [0] * 258; lit[66] = 1; lit[256] = 2; lit[257] = 2
    dynamic_block(w, lit, [1], [66, ("match", 3, 1)], last=1)
    save("fixed-stored-dynamic-%d" % nlit, member(w.done(), b"A" * nlit + b"01234BBBB"))

# raw DEFLATE (selector bit 7: the target wraps it in a member with the
# right trailer, so mutations of it keep reaching the trailer)
def gz_raw(path):
    g = open(path, "rb").read()
    assert g[3] == 0  # gzip -n: a 10-byte header
    return g[10:-8]
save("raw-text-gzip9", gz_raw(d + "/text9.gz"), b"\x80\x00")
save("raw-bin-gzip1", gz_raw(d + "/bin1.gz"), b"\x9d\x1b")
save("raw-memlevel1-mixed", mixed_gz[10:-8], b"\x80\x00")
save("raw-zlib-fixed", deflate(text[:2000], 9, zlib.Z_FIXED, -15), b"\x80\x0d")
save("raw-zlib-stored", deflate(binary[:1000], 0, wbits=-15), b"\x83\x00")
save("raw-mixed-blocks", mixed_raw, b"\x80\x00")

for name, blob in out.items():
    open(d + "/py-" + name, "wb").write(blob)
EOF
for f in "$tmp"/py-*; do
    cp "$f" "$dir/seed-${f##*/py-}"
done
echo "$(ls "$dir" | wc -l) files, $(du -cb "$dir"/* | tail -n 1 | cut -f1) bytes in $dir"
