#!/usr/bin/env python3
"""Helpers for tests/attacks.sh (the attack suite of ../shared/SECURITY.md
section 5): hostile archives, forged signatures, broken gzip streams, a
decompression bomb. Standard library only.

usage:
  attack_tool.py archives OUT BASE ABS
      OUT/NAME.tar.gz for each hostile archive: the tree BASE (a working
      release) first, then the hostile entries; OUT/list has one line per
      archive: NAME, a tab, the text the error must contain. ABS: absolute
      names and link targets point into ABS/outside.
  attack_tool.py tree OUT.tar.gz BASE KIND
      a release archive of BASE with extra entries of one kind: modes,
      desync, hardlink-rewrite, delete-through-symlink,
      file-through-old-symlink, type-7, c-colon
  attack_tool.py trees OUTDIR BASE KIND...
      the same for each KIND, as OUTDIR/KIND.tar.gz
  attack_tool.py gz OUT TAR
      broken or unusual gzip forms of the tar file TAR: OUT/NAME.gz and
      OUT/list (NAME, tab, expected text or "ok")
  attack_tool.py bomb OUT BASE GIB
      BASE, then one file of GIB GiB of zeros, gzipped (about 1 MB per GiB)
  attack_tool.py minisig IN OUT OP [ARG]
      a manipulated copy of the .minisig IN; OP: flip-tc, paste-global
      OTHER, paste-tc-global OTHER, untrusted, keynum-of OTHER, alg XX,
      len73, len75, nopad, b64-bad-char, b64-nul, lines2, lines3,
      long-line, ctrl-tc, crlf
  attack_tool.py malleate-msg IN OUT
      the 64 bytes R || S+L of IN's signature, then its trusted comment: the
      message the global signature of the malleated file must cover
  attack_tool.py malleate IN LEGACYSIG OUT
      IN with S replaced by S+L and the global signature taken from
      LEGACYSIG (an `upd sign -l` signature of malleate-msg's output)
  attack_tool.py key-of MINISIG PUBOUT ZERO|IDENTITY
      a public key file with MINISIG's key id and a degenerate Ed25519 key
  attack_tool.py zerosig MINISIG OUT ZERO|IDENTITY
      MINISIG with R || S and the global signature replaced (all zero, or
      R = the identity point and S = 0)
"""
import base64
import gzip
import io
import os
import stat
import struct
import sys
import tarfile
import zlib

MTIME = 1600000000
L = 2 ** 252 + 27742317777372353535851937790883648493


# ---------------------------------------------------------------- tar building
def ti(name, type=tarfile.REGTYPE, data=b"", mode=0o644, link="", uid=0, gid=0):
    t = tarfile.TarInfo(name)
    t.type = type
    t.mode = mode
    t.mtime = MTIME
    t.size = len(data) if type in (tarfile.REGTYPE, tarfile.AREGTYPE, tarfile.CONTTYPE) else 0
    t.linkname = link
    t.uid, t.gid = uid, gid
    t.uname = t.gname = "root" if uid == 0 else "nobody"
    return t, data


def base_entries(base):
    """(TarInfo, data) for every path under base, parents first"""
    out = []
    for dp, dns, fns in os.walk(base):
        dns.sort()
        for n in sorted(dns) + sorted(fns):
            p = os.path.join(dp, n)
            rel = os.path.relpath(p, base)
            st = os.lstat(p)
            m = stat.S_IMODE(st.st_mode)
            if stat.S_ISDIR(st.st_mode):
                out.append(ti(rel + "/", tarfile.DIRTYPE, mode=m))
            elif stat.S_ISLNK(st.st_mode):
                out.append(ti(rel, tarfile.SYMTYPE, mode=0o777, link=os.readlink(p)))
            else:
                with open(p, "rb") as f:
                    out.append(ti(rel, data=f.read(), mode=m))
    return out


def tar_bytes(entries, fmt=tarfile.GNU_FORMAT, pax=None, open_end=False):
    """a tar archive of the entries; open_end: without the end-of-archive
    blocks (more entries may follow)"""
    out = io.BytesIO()
    t = tarfile.open(fileobj=out, mode="w", format=fmt)
    for info, data in entries:
        if pax and info.name in pax:
            info.pax_headers = pax[info.name]
        t.addfile(info, io.BytesIO(data) if info.size else None)
    off = t.offset
    t.close()
    return out.getvalue()[:off] if open_end else out.getvalue()


def checksum(h):
    h[148:156] = b" " * 8
    h[148:156] = b"%06o\0 " % sum(h)
    return h


def header(name, type=b"0", size=0, mode=0o644, link=b"", magic=b"ustar\x0000", size_field=None):
    h = bytearray(512)
    h[0:len(name)] = name
    h[100:108] = b"%07o\0" % mode
    h[108:116] = b"0000000\0"
    h[116:124] = b"0000000\0"
    h[124:136] = size_field if size_field is not None else b"%011o\0" % size
    h[136:148] = b"%011o\0" % MTIME
    h[156:157] = type
    h[157:157 + len(link)] = link
    h[257:265] = magic
    return bytes(checksum(h))


def pad(data):
    return data + b"\0" * (-len(data) % 512)


def pax_record(key, value):
    body = b" %s=%s\n" % (key, value)
    n = len(body) + 1
    while len(b"%d" % n) + len(body) != n:
        n += 1
    return b"%d%s" % (n, body)


def raw_file(name, data, **kw):
    return header(name, size=len(data), **kw) + pad(data)


def end():
    return b"\0" * 1024


def gz(data, level=6):
    return gzip.compress(data, level, mtime=0)


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


# ---------------------------------------------------------------- hostile archives
class GzPrefix:
    """gzip of prefix || suffix for many suffixes, the prefix compressed once"""
    def __init__(self, prefix, level=1):
        self.c = zlib.compressobj(level, zlib.DEFLATED, -15)
        self.head = self.c.compress(prefix)
        self.crc = zlib.crc32(prefix)
        self.n = len(prefix)

    def finish(self, suffix):
        c = self.c.copy()
        body = self.head + c.compress(suffix) + c.flush()
        return (b"\x1f\x8b\x08\x00\0\0\0\0\x00\x03" + body +
                struct.pack("<II", zlib.crc32(suffix, self.crc), (self.n + len(suffix)) & 0xffffffff))


def archives(out, base, absroot):
    os.makedirs(out, exist_ok=True)
    outside = absroot.rstrip("/") + "/outside"
    B = base_entries(base)
    Braw = tar_bytes(B, open_end=True)
    pre = GzPrefix(Braw)
    made = []

    def put(name, expect, data):
        assert data.startswith(Braw)
        write(os.path.join(out, name + ".tar.gz"), pre.finish(data[len(Braw):]))
        made.append((name, expect))

    def entries(extra, fmt=tarfile.GNU_FORMAT, pax=None):
        return Braw + tar_bytes(extra, fmt, pax)

    def raw(extra):
        return Braw + extra + end()

    pw = b"pwned\n"
    # 34: names
    put("abs", "'%s/pwned': absolute path" % outside, entries([ti(outside + "/pwned", data=pw)]))
    put("dotdot", "'../pwned': '..' in path", entries([ti("../pwned", data=pw)]))
    put("dotdot-marker", "'../marker': '..' in path", entries([ti("../marker", data=b"state=rollback\n")]))
    put("a-dotdot-dotdot", "'a/../../pwned': '..' in path", entries([ti("a/", tarfile.DIRTYPE, mode=0o755),
                                                                    ti("a/../../pwned", data=pw)]))
    put("dot-dotdot", "'./..': '..' in path", raw(header(b"./..", b"5", mode=0o777)))
    put("a-dotdot", "'a/..': '..' in path", raw(header(b"a/..", b"5", mode=0o777)))
    put("x-dotdot3", "'x/../../..': '..' in path", raw(header(b"x/../../..", b"5", mode=0o777)))
    # 35: backslashes
    put("backslash-dotdot", "backslash in path", entries([ti("..\\pwned", data=pw)]))
    put("backslash-drive", "backslash in path", entries([ti("C:\\pwned", data=pw)]))
    put("backslash-unc", "backslash in path", entries([ti("\\\\srv\\share\\pwned", data=pw)]))
    # 36: a symlink out, then a file through it
    put("symlink-abs-then-file", "'l' -> '%s'" % outside,
        entries([ti("l", tarfile.SYMTYPE, mode=0o777, link=outside), ti("l/pwned", data=pw)]))
    # 37: directory, then a symlink of that name, then a file below it
    put("symlink-then-file-in-tree", "'d/f': 'd' is a symlink or not a directory; not followed",
        entries([ti("sub/", tarfile.DIRTYPE, mode=0o755), ti("d", tarfile.SYMTYPE, mode=0o777, link="sub"),
                 ti("d/f", data=pw)]))
    put("dir-then-symlink-then-file", "'d': cannot put in place",
        entries([ti("d/", tarfile.DIRTYPE, mode=0o755), ti("sub/", tarfile.DIRTYPE, mode=0o755),
                 ti("d", tarfile.SYMTYPE, mode=0o777, link="sub"), ti("d/f", data=pw)]))
    put("dir-then-symlink-out", "'d' -> '%s'" % outside,
        entries([ti("d/", tarfile.DIRTYPE, mode=0o755),
                 ti("d", tarfile.SYMTYPE, mode=0o777, link=outside), ti("d/f", data=pw)]))
    # 38: symlink targets
    put("symlink-abs", "'s' -> '%s/sentinel.txt'" % outside,
        entries([ti("s", tarfile.SYMTYPE, mode=0o777, link=outside + "/sentinel.txt")]))
    put("symlink-escape", "'s' -> '../../outside/sentinel.txt'",
        entries([ti("s", tarfile.SYMTYPE, mode=0o777, link="../../outside/sentinel.txt")]))
    put("symlink-deep-escape", "'a/b/s' -> '../../../x'",
        entries([ti("a/b/s", tarfile.SYMTYPE, mode=0o777, link="../../../x")]))
    # 39: hard links
    put("hardlink-abs", "'h' link to '%s/sentinel.txt'" % outside,
        entries([ti("h", tarfile.LNKTYPE, link=outside + "/sentinel.txt")]))
    put("hardlink-up", "'h' link to '../../outside/sentinel.txt'",
        entries([ti("h", tarfile.LNKTYPE, link="../../outside/sentinel.txt")]))
    put("hardlink-not-yet", "'h' link to 'later'",
        entries([ti("h", tarfile.LNKTYPE, link="later"), ti("later", data=b"late\n")]))
    # 40: entry types
    dev = ti("dev-null", tarfile.CHRTYPE, mode=0o666)
    dev[0].devmajor, dev[0].devminor = 1, 3
    put("type-3-chardev", "'dev-null'", entries([dev]))
    blk = ti("sda", tarfile.BLKTYPE, mode=0o660)
    blk[0].devmajor, blk[0].devminor = 8, 0
    put("type-4-blockdev", "'sda'", entries([blk]))
    put("type-6-fifo", "'fifo'", entries([ti("fifo", tarfile.FIFOTYPE)]))
    for t in (b"S", b"V", b"M", b"Z"):
        put("type-%s" % t.decode(), "unsupported entry type",
            raw(header(b"odd-" + t, t, magic=b"ustar  \0")))
    # 41: size fields (the victim entry comes after the release's files)
    v = b"0123456789" * 100
    put("size-non-octal", "'victim'", raw(header(b"victim", size_field=b"0000001x750\0") + pad(v)))
    put("size-unterminated", "'victim'", raw(header(b"victim", size_field=b"777777777777") + pad(v)))
    put("size-spaces", "'victim'", raw(header(b"victim", size_field=b" " * 12) + pad(v)))
    put("size-negative-b256", "'victim'", raw(header(b"victim", size_field=b"\xff" * 12) + pad(v)))
    put("size-huge-b256", "'victim'", raw(header(b"victim", size_field=b"\x80\x7f" + b"\xff" * 10) + pad(v)))
    put("size-past-end", "'victim'", Braw + header(b"victim", size=1 << 20) + pad(v))
    # 42: checksum, a zero block then a header
    h = bytearray(header(b"victim", size=len(v)))
    h[148] = ord("7") if h[148] != ord("7") else ord("6")
    put("bad-checksum", "checksum", raw(bytes(h) + pad(v)))
    put("zero-block-then-header", "zero block", Braw + b"\0" * 512 + raw_file(b"victim", v) + end())
    # 43: pax
    put("pax-path-dotdot", "'../pwned': '..' in path",
        entries([ti("innocent", data=pw)], tarfile.PAX_FORMAT, {"innocent": {"path": "../pwned"}}))
    put("pax-linkpath-abs", "'%s/sentinel.txt'" % outside,
        entries([ti("innocent", tarfile.SYMTYPE, mode=0o777, link="hello")], tarfile.PAX_FORMAT,
                {"innocent": {"linkpath": outside + "/sentinel.txt"}}))
    rec = b"99999999999 path=x\n"
    put("pax-record-huge", "tar byte", raw(header(b"PaxHeaders/x", b"x", len(rec)) + pad(rec) + header(b"f")))
    rec = b"0 path=x\n"
    put("pax-record-zero", "tar byte", raw(header(b"PaxHeaders/x", b"x", len(rec)) + pad(rec) + header(b"f")))
    # 44: GNU long names
    gib = 1 << 30
    put("gnu-longname-1gib", "tar byte",
        Braw + header(b"././@LongLink", b"L", gib, magic=b"ustar  \0") + pad(b"a" * 4000))
    put("gnu-longname-truncated", "tar byte",
        Braw + header(b"././@LongLink", b"L", 300, magic=b"ustar  \0") + b"b" * 100)
    put("nul-in-name", "NUL inside the name field", raw(raw_file(b"visible\0hidden/../../pwned", b"nul\n")))
    # 45: the program, then a symlink of the same name
    put("exe-then-symlink", "the new tree has no executable hello",
        entries([ti("hello", tarfile.SYMTYPE, mode=0o777, link="lib/keep.txt")]))
    # 47: a path over PATH_MAX, depth 10,000
    put("path-over-4096", "tar byte",
        entries([ti("x", data=pw)], tarfile.PAX_FORMAT, {"x": {"path": "p" * 5000}}))
    put("depth-10000", "tar byte",
        entries([ti("x", data=pw)], tarfile.PAX_FORMAT, {"x": {"path": "d/" * 10000 + "f"}}))
    # 48: .updater-delete
    put("delete-dotdot", ".updater-delete: '../../outside/sentinel.txt': '..' in path",
        entries([ti(".updater-delete", data=b"../../outside/sentinel.txt\n")]))
    put("delete-abs", ".updater-delete: '%s/sentinel.txt': absolute path" % outside,
        entries([ti(".updater-delete", data=(outside + "/sentinel.txt\n").encode())]))
    put("delete-state-marker", ".updater-delete: '../marker': '..' in path",
        entries([ti(".updater-delete", data=b"../marker\n")]))
    # 14: the new tree without its program (deleted by the package), or
    # with one that is not executable
    put("exe-deleted", "the new tree has no executable hello", entries([ti(".updater-delete", data=b"hello\n")]))
    put("exe-not-executable", "the new tree has no executable hello",
        entries([ti("hello", data=[d for i, d in B if i.name == "hello"][0], mode=0o644)]))
    with open(os.path.join(out, "list"), "w") as f:
        for name, expect in made:
            f.write("%s\t%s\n" % (name, expect))


# ---------------------------------------------------------------- positive trees
def tree(out, base, kind):
    B = base_entries(base)
    data = None
    if kind == "modes":
        # setuid/setgid/sticky and world-writable bits, another owner
        x = []
        for info, d in B:
            if info.name == "hello":
                info.mode, info.uid, info.gid = 0o6777, 1234, 1234
            elif info.isdir():
                info.mode = 0o1777
            else:
                info.mode, info.uid, info.gid = 0o666, 1234, 1234
            x.append((info, d))
        data = tar_bytes(x + [ti("suid-tool", data=b"#!/bin/sh\n", mode=0o4755, uid=0)])
    elif kind == "desync":
        # TARmageddon: the pax size (1536) is the truth; the ustar header says
        # 0 (astral-tokio-tar) or 512 (tar-rs): a reader that believes it
        # finds the smuggled header inside the data and extracts smuggled.txt
        inner = raw_file(b"smuggled.txt", b"smuggled\n")
        body = pad(b"data of carrier.bin\n")[:512] + inner
        body = body + b"\0" * (1536 - len(body))
        rec = pax_record(b"size", b"1536")
        Braw = tar_bytes(B, open_end=True)
        data = Braw
        for ustar_size in (0, 512):
            name = b"carrier%d.bin" % ustar_size
            data += header(b"PaxHeaders/" + name, b"x", len(rec)) + pad(rec)
            data += header(name, size_field=b"%011o\0" % ustar_size) + body
        data += end()
    elif kind == "hardlink-rewrite":
        # 39 and 49: h becomes a hard link to the staged hello and
        # lib/keep.txt (hard links to the installed files), then both names
        # are written again: the installed inodes must not change
        data = tar_bytes(B + [ti("h1", tarfile.LNKTYPE, link="hello"), ti("h1", data=b"rewritten h1\n"),
                              ti("h2", tarfile.LNKTYPE, link="lib/keep.txt"), ti("h2", data=b"rewritten h2\n"),
                              ti("lib/keep.txt", data=b"rewritten keep\n")])
    elif kind == "delete-through-symlink":
        # 48: the install has conf -> ../../outside; deleting conf/sentinel.txt
        # must not follow it
        data = tar_bytes(B + [ti(".updater-delete", data=b"conf/sentinel.txt\n")])
    elif kind == "file-through-old-symlink":
        # 36 (two updates): the install already holds conf -> ../../outside
        data = tar_bytes(B + [ti("conf/pwned", data=b"pwned\n")])
    elif kind == "type-7":
        # 40: a contiguous file ('7') is a regular file, as tar reads it
        data = tar_bytes(B + [ti("contiguous.bin", tarfile.CONTTYPE, data=b"contiguous\n")])
    elif kind == "c-colon":
        # 35: 'C:x' is drive-relative on Windows only: a plain name here
        data = tar_bytes(B + [ti("C:x", data=b"drive-relative on Windows only\n")])
    else:
        sys.exit("unknown tree kind " + kind)
    write(out, gz(data, 1))


def trees(outdir, base, kinds):
    for k in kinds:
        tree(os.path.join(outdir, k + ".tar.gz"), base, k)


# ---------------------------------------------------------------- gzip forms
def gz_forms(out, tarpath):
    os.makedirs(out, exist_ok=True)
    with open(tarpath, "rb") as f:
        t = f.read()
    good = gz(t)
    made = []

    def put(name, expect, data):
        write(os.path.join(out, name + ".gz"), data)
        made.append((name, expect))

    raw = zlib.compressobj(6, zlib.DEFLATED, -15)
    deflated = raw.compress(t) + raw.flush()
    crc, isize = zlib.crc32(t), len(t) & 0xffffffff
    hdr = b"\x1f\x8b\x08\x00\0\0\0\0\x00\x03"
    trailer = struct.pack("<II", crc, isize)
    # 29: header
    put("magic", "gzip", b"\x1f\x8c" + good[2:])
    put("method-7", "method", good[:2] + b"\x07" + good[3:])
    put("flags-e0", "reserved", good[:3] + b"\xe0" + good[4:])
    put("fextra-65535-truncated", "", b"\x1f\x8b\x08\x04\0\0\0\0\x00\x03" + b"\xff\xff" + b"x" * 100)
    put("fextra-65535-past-end", "", b"\x1f\x8b\x08\x04\0\0\0\0\x00\x03" + b"\xff\xff" + deflated[:1000])
    put("fname-no-nul", "", b"\x1f\x8b\x08\x08\0\0\0\0\x00\x03" + b"n" * 5000)
    put("fcomment-no-nul", "", b"\x1f\x8b\x08\x10\0\0\0\0\x00\x03" + b"c" * 5000)
    h = b"\x1f\x8b\x08\x02\0\0\0\0\x00\x03"
    hcrc = zlib.crc32(h) & 0xffff
    put("fhcrc-wrong", "header CRC", h + struct.pack("<H", hcrc ^ 1) + deflated + trailer)
    put("fhcrc-right", "ok", h + struct.pack("<H", hcrc) + deflated + trailer)
    # 30: trailer
    put("crc-mismatch", "CRC-32", hdr + deflated + struct.pack("<II", crc ^ 1, isize))
    put("isize-mismatch", "ISIZE", hdr + deflated + struct.pack("<II", crc, isize ^ 1))
    for k in (1, 4, 7):
        put("trailer-cut-%d" % k, "", hdr + deflated + trailer[:k])
    put("cut-in-block", "", hdr + deflated[:len(deflated) // 2])
    # 31: deflate
    put("block-type-3", "block type", hdr + b"\x07" + b"\0" * 16)
    put("stored-len-nlen", "stored block", hdr + b"\x01\x05\x00\x00\x00" + b"hello" + trailer)
    # fixed Huffman: a match (length 3, distance 1) before any output
    put("distance-too-far", "distance", hdr + bits_fixed([(257, 7, 0b0000001), (0, 5, 0)]) + b"\0" * 8)
    put("symbol-286", "symbol", hdr + bits_fixed([(286, 8, 0b11000110)]) + b"\0" * 8)
    put("hlit-over-286", "code length", hdr + bits_raw([(1, 1), (2, 2), (31, 5), (0, 5), (0, 4)]) + b"\0" * 8)
    # 32: gzip of gzip: one layer only is ever decoded
    put("gzip-of-gzip", "", gz(good))
    # 33: members and what follows the last one
    k = len(t) // 2
    put("two-members", "ok", gz(t[:k]) + gz(t[k:]))
    put("trailing-garbage", "trailing", good + b"garbage")
    put("trailing-zeros", "trailing", good + b"\0" * 512)
    with open(os.path.join(out, "list"), "w") as f:
        for name, expect in made:
            f.write("%s\t%s\n" % (name, expect))


def bits_raw(fields):
    """LSB-first bit packing of (value, nbits) fields"""
    acc = n = 0
    out = bytearray()
    for v, nb in fields:
        acc |= v << n
        n += nb
        while n >= 8:
            out.append(acc & 0xff)
            acc >>= 8
            n -= 8
    if n:
        out.append(acc & 0xff)
    return bytes(out)


def bits_fixed(codes):
    """BFINAL=1, BTYPE=01 (fixed Huffman), then each (symbol, nbits, code):
    Huffman codes go most significant bit first"""
    fields = [(1, 1), (1, 2)]
    for _sym, nb, code in codes:
        rev = int(format(code, "0%db" % nb)[::-1], 2)
        fields.append((rev, nb))
    return bits_raw(fields)


# ---------------------------------------------------------------- bomb
def bomb(out, base, gib):
    B = base_entries(base)
    size = gib << 30
    head = tar_bytes(B, open_end=True)
    rec = pax_record(b"size", b"%d" % size)
    head += header(b"PaxHeaders/zeros.bin", b"x", len(rec)) + pad(rec)
    head += header(b"zeros.bin", size_field=b"%011o\0" % 0o77777777777)
    zeros_total = size + 1024    # the file, then the end-of-archive blocks
    chunk = 1 << 20
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    parts = [c.compress(head), c.compress(b"\0" * chunk), c.flush(zlib.Z_FULL_FLUSH)]
    # with a window of zeros, a flushed 1 MiB of zeros compresses to the same
    # bytes each time: repeat that piece
    piece = c.compress(b"\0" * chunk) + c.flush(zlib.Z_FULL_FLUSH)
    piece2 = c.compress(b"\0" * chunk) + c.flush(zlib.Z_FULL_FLUSH)
    assert piece == piece2
    left = zeros_total - 3 * chunk
    reps, rest = divmod(left, chunk)
    tail = c.compress(b"\0" * rest) + c.flush(zlib.Z_FINISH)
    total = len(head) + zeros_total
    crc = zlib.crc32(head)
    # combine: crc(head || zeros) = crc of zeros continued from crc(head)
    crc = crc_extend_zeros(crc, zeros_total)
    with open(out, "wb") as f:
        f.write(b"\x1f\x8b\x08\x00\0\0\0\0\x02\x03")
        for p in parts:
            f.write(p)
        f.write(piece)
        f.write(piece2)
        for _ in range(reps):
            f.write(piece)
        f.write(tail)
        f.write(struct.pack("<II", crc, total & 0xffffffff))


def crc_extend_zeros(crc, n):
    """CRC-32 of (data || n zero bytes) from crc = CRC-32(data): zero bytes
    act linearly on the raw register"""
    return shift_zeros(crc ^ 0xffffffff, n) ^ 0xffffffff


def shift_zeros(crc, n):
    """the raw register crc advanced over n zero bytes (no conditioning)"""
    def times(mat, vec):
        s, i = 0, 0
        while vec:
            if vec & 1:
                s ^= mat[i]
            vec >>= 1
            i += 1
        return s

    def square(mat):
        return [times(mat, mat[i]) for i in range(32)]
    odd = [0xedb88320] + [1 << i for i in range(31)]
    even = square(odd)
    odd = square(even)
    while True:
        even = square(odd)
        if n & 1:
            crc = times(even, crc)
        n >>= 1
        if not n:
            return crc
        odd = square(even)
        if n & 1:
            crc = times(odd, crc)
        n >>= 1
        if not n:
            return crc


# ---------------------------------------------------------------- minisig
def ms_read(path):
    with open(path, "rb") as f:
        lines = f.read().split(b"\n")
    return [ln for ln in lines if ln != b""] if lines[-1] == b"" else lines


def ms_write(path, lines, eol=b"\n"):
    with open(path, "wb") as f:
        f.write(eol.join(lines) + eol)


def b64(b):
    return base64.b64encode(b)


def minisig(inp, out, op, arg=None):
    ln = ms_read(inp)
    blob = bytearray(base64.b64decode(ln[1]))
    if op == "flip-tc":          # one trusted-comment character changed
        tc = bytearray(ln[2])
        tc[-1] = tc[-1] ^ 1 if tc[-1] not in (ord("\t"),) else ord("x")
        ln[2] = bytes(tc)
    elif op == "paste-global":   # another file's global signature
        ln[3] = ms_read(arg)[3]
    elif op == "paste-tc-global":  # another file's trusted comment and global signature
        o = ms_read(arg)
        ln[2], ln[3] = o[2], o[3]
    elif op == "untrusted":      # the untrusted comment edited: still valid
        ln[0] = b"untrusted comment: edited by the attacker, authenticated by nothing"
    elif op == "keynum-of":      # the key id of another signature, this one's R||S
        blob[2:10] = base64.b64decode(ms_read(arg)[1])[2:10]
        ln[1] = b64(bytes(blob))
    elif op == "alg":
        blob[0:2] = arg.encode()
        ln[1] = b64(bytes(blob))
    elif op == "len73":
        ln[1] = b64(bytes(blob[:73]))
    elif op == "len75":
        ln[1] = b64(bytes(blob) + b"\0")
    elif op == "nopad":
        ln[1] = ln[1].rstrip(b"=")
    elif op == "b64-bad-char":
        ln[1] = ln[1][:10] + b"*" + ln[1][11:]
    elif op == "b64-nul":
        ln[1] = ln[1][:10] + b"\0" + ln[1][11:]
    elif op == "lines2":
        ln = ln[:2]
    elif op == "lines3":
        ln = ln[:3]
    elif op == "long-line":
        ln[0] = b"untrusted comment: " + b"x" * 9000
    elif op == "ctrl-tc":
        ln[2] = ln[2] + b"\x1b[31m"
    elif op == "crlf":
        ms_write(out, ln, b"\r\n")
        return
    else:
        sys.exit("unknown minisig op " + op)
    ms_write(out, ln)


def malleate_msg(inp, out):
    ln = ms_read(inp)
    blob = base64.b64decode(ln[1])
    r, s = blob[10:42], int.from_bytes(blob[42:74], "little")
    s2 = (s + L).to_bytes(32, "little")
    assert ln[2].startswith(b"trusted comment: ")
    write(out, r + s2 + ln[2][len(b"trusted comment: "):])


def malleate(inp, legacy, out):
    ln = ms_read(inp)
    blob = bytearray(base64.b64decode(ln[1]))
    s = int.from_bytes(blob[42:74], "little")
    blob[42:74] = (s + L).to_bytes(32, "little")
    ln[1] = b64(bytes(blob))
    g = base64.b64decode(ms_read(legacy)[1])[10:74]
    ln[3] = b64(g)
    ms_write(out, ln)


IDENTITY = b"\x01" + b"\0" * 31


def key_of(sig, pubout, kind):
    keynum = base64.b64decode(ms_read(sig)[1])[2:10]
    a = b"\0" * 32 if kind == "ZERO" else IDENTITY
    with open(pubout, "wb") as f:
        f.write(b"untrusted comment: a degenerate key\n" + b64(b"Ed" + keynum + a) + b"\n")


def zerosig(sig, out, kind):
    ln = ms_read(sig)
    blob = bytearray(base64.b64decode(ln[1]))
    rs = b"\0" * 64 if kind == "ZERO" else IDENTITY + b"\0" * 32
    blob[10:74] = rs
    ln[1] = b64(bytes(blob))
    ln[3] = b64(rs)
    ms_write(out, ln)


def main(a):
    if not a:
        sys.exit(__doc__)
    cmd, args = a[0], a[1:]
    if cmd == "archives":
        archives(*args)
    elif cmd == "tree":
        tree(*args)
    elif cmd == "trees":
        trees(args[0], args[1], args[2:])
    elif cmd == "gz":
        gz_forms(*args)
    elif cmd == "bomb":
        bomb(args[0], args[1], int(args[2]))
    elif cmd == "minisig":
        minisig(*args)
    elif cmd == "malleate-msg":
        malleate_msg(*args)
    elif cmd == "malleate":
        malleate(*args)
    elif cmd == "key-of":
        key_of(*args)
    elif cmd == "zerosig":
        zerosig(*args)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
