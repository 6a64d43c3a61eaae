#!/usr/bin/env python3
"""Writes hostile tar archives for the extractor's tests (tests/tar.sh) and
the fuzz corpus (tests/fuzz/make_tar_corpus.sh).

usage: tar_hostile.py [--small] OUTDIR SENTINEL

SENTINEL is the absolute path of a directory next to the destination
(named dest, so that "../" + basename(SENTINEL) from the destination is the
sentinel too). Absolute names and link targets point into it, so that a
write through them would show. Writes OUTDIR/NAME.tar for each archive and
OUTDIR/list with one line per archive: NAME, a tab, and a text that the
error message must contain (the entry it names, quoted as upd quotes it,
or "tar byte" for damage found before any entry is known). --small keeps
every archive small (the 10 MB long name is announced but not stored)."""
import io
import os
import sys
import tarfile

MTIME = 1600000000


def info(name, type=tarfile.REGTYPE, data=b"", mode=0o644, link=""):
    ti = tarfile.TarInfo(name)
    ti.type = type
    ti.mode = mode
    ti.mtime = MTIME
    ti.size = len(data) if type in (tarfile.REGTYPE, tarfile.AREGTYPE) else 0
    ti.linkname = link
    ti.uname = ti.gname = "root"
    return ti, data


def archive(entries, fmt=tarfile.USTAR_FORMAT, pax=None):
    """bytes of a tar archive holding the (TarInfo, data) pairs"""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=fmt) as t:
        for ti, data in entries:
            if pax is not None and ti.name in pax:
                ti.pax_headers = pax[ti.name]
            t.addfile(ti, io.BytesIO(data) if ti.size else None)
    return out.getvalue()


def checksum(h):
    """h (bytearray, 512) with its checksum recomputed"""
    h[148:156] = b" " * 8
    h[148:156] = b"%06o\0 " % sum(h)
    return h


def header(name, type=b"0", size=0, mode=0o644, link=b"", magic=b"ustar\x0000"):
    h = bytearray(512)
    h[0:len(name)] = name
    h[100:108] = b"%07o\0" % mode
    h[108:116] = b"0000000\0"
    h[116:124] = b"0000000\0"
    h[124:136] = b"%011o\0" % size
    h[136:148] = b"%011o\0" % MTIME
    h[156:157] = type
    h[157:157 + len(link)] = link
    h[257:265] = magic
    return checksum(h)


def pad(data):
    return data + b"\0" * (-len(data) % 512)


def pax_record(key, value):
    body = b" %s=%s\n" % (key, value)
    n = len(body) + 1
    while len(b"%d" % n) + len(body) != n:
        n += 1
    return b"%d%s" % (n, body)


def patch(data, block, offset, value):
    """data with bytes at offset of header block `block` replaced, and that
    header's checksum recomputed"""
    b = bytearray(data)
    h = bytearray(b[512 * block:512 * block + 512])
    h[offset:offset + len(value)] = value
    b[512 * block:512 * block + 512] = checksum(h)
    return bytes(b)


def main(argv):
    small = False
    if argv and argv[0] == "--small":
        small = True
        argv = argv[1:]
    if len(argv) != 2:
        print("usage: tar_hostile.py [--small] OUTDIR SENTINEL", file=sys.stderr)
        return 2
    out, sentinel = argv
    sent_rel = "../" + os.path.basename(sentinel.rstrip("/"))
    os.makedirs(out, exist_ok=True)
    made = []

    def put(name, expect, data):
        with open(os.path.join(out, name + ".tar"), "wb") as f:
            f.write(data)
        made.append((name, expect))

    ok = info("ok.txt", data=b"harmless\n")
    # names
    put("abs", "'%s/pwned'" % sentinel, archive([ok, info(sentinel + "/pwned", data=b"pwned\n")]))
    put("dotdot", "'../pwned'", archive([ok, info("../pwned", data=b"pwned\n")]))
    put("dotdot-sentinel", "'%s/pwned'" % sent_rel, archive([info(sent_rel + "/pwned", data=b"pwned\n")]))
    put("a-dotdot-dotdot", "'a/../../pwned'", archive([info("a/", tarfile.DIRTYPE, mode=0o755),
                                                       info("a/../../pwned", data=b"pwned\n")]))
    put("dot-dotdot", "'./..", archive([ok, info("./..", tarfile.DIRTYPE, mode=0o777)]))
    put("backslash", "'a\\x'", archive([ok, info("a\\x", data=b"x\n")]))
    # symlinks
    put("symlink-abs", "'l' -> '%s'" % sentinel,
        archive([info("l", tarfile.SYMTYPE, mode=0o777, link=sentinel), info("l/pwned", data=b"pwned\n")]))
    put("symlink-tmp", "'l' -> '/tmp'",
        archive([info("l", tarfile.SYMTYPE, mode=0o777, link="/tmp"), info("l/pwned", data=b"pwned\n")]))
    put("symlink-up", "'l' -> '../outside'",
        archive([info("l", tarfile.SYMTYPE, mode=0o777, link="../outside")]))
    put("symlink-up-sentinel", "'l' -> '%s'" % sent_rel,
        archive([info("l", tarfile.SYMTYPE, mode=0o777, link=sent_rel), info("l/pwned", data=b"pwned\n")]))
    put("symlink-dir-up", "'d/s/x'",
        archive([info("d/", tarfile.DIRTYPE, mode=0o755), info("d/s", tarfile.SYMTYPE, mode=0o777, link=".."),
                 info("d/s/x", data=b"through a symlink\n")]))
    put("symlink-chain", "'x/y/L' -> 's/..'",
        archive([info("x/y/", tarfile.DIRTYPE, mode=0o755),
                 info("x/y/s", tarfile.SYMTYPE, mode=0o777, link="../.."),
                 info("x/y/L", tarfile.SYMTYPE, mode=0o777, link="s/.."),
                 info("x/y/L/pwned", data=b"pwned\n")]))
    put("symlink-deep-up", "'a/b/s' -> '../../../pwned'",
        archive([info("a/b/s", tarfile.SYMTYPE, mode=0o777, link="../../../pwned")]))
    # hard links
    put("hardlink-etc-passwd", "'h' link to '/etc/passwd'",
        archive([ok, info("h", tarfile.LNKTYPE, link="/etc/passwd")]))
    put("hardlink-sentinel", "'h' link to '%s/secret'" % sentinel,
        archive([ok, info("h", tarfile.LNKTYPE, link=sentinel + "/secret")]))
    put("hardlink-up", "'h' link to '%s/secret'" % sent_rel,
        archive([ok, info("h", tarfile.LNKTYPE, link=sent_rel + "/secret")]))
    put("hardlink-missing", "'h' link to 'not-yet'",
        archive([ok, info("h", tarfile.LNKTYPE, link="not-yet"), info("not-yet", data=b"late\n")]))
    put("hardlink-dir", "'h' link to 'd'",
        archive([info("d/", tarfile.DIRTYPE, mode=0o755), info("h", tarfile.LNKTYPE, link="d")]))
    put("hardlink-via-symlink", "'h'",
        archive([info("s", tarfile.SYMTYPE, mode=0o777, link="."), info("h", tarfile.LNKTYPE, link="s/secret")]))
    # special files
    dev = info("dev-null", tarfile.CHRTYPE, mode=0o666)
    dev[0].devmajor, dev[0].devminor = 1, 3
    put("chardev", "'dev-null'", archive([ok, dev]))
    blk = info("sda", tarfile.BLKTYPE, mode=0o660)
    blk[0].devmajor, blk[0].devminor = 8, 0
    put("blockdev", "'sda'", archive([ok, blk]))
    put("fifo", "'fifo'", archive([ok, info("fifo", tarfile.FIFOTYPE)]))
    # damaged headers and data
    good = archive([ok, info("victim.txt", data=b"0123456789" * 100)])
    b = bytearray(good)
    b[1024 + 148] ^= 1  # the second header's checksum, off by one
    put("bad-checksum", "tar byte", bytes(b))
    put("truncated-data", "'victim.txt'", good[:1536 + 600])
    put("truncated-header", "tar byte", good[:1024 + 300])
    put("size-garbage", "'victim.txt'", patch(good, 2, 124, b"0000001x750\0"))
    put("size-spaces", "'victim.txt'", patch(good, 2, 124, b" " * 12))
    put("size-negative-b256", "'victim.txt'", patch(good, 2, 124, b"\xff" * 12))
    put("size-huge-b256", "'victim.txt'", patch(good, 2, 124, b"\x80" + b"\x7f" + b"\xff" * 10))
    put("mode-garbage", "'victim.txt'", patch(good, 2, 100, b"0000x44\0"))
    put("dir-with-data", "'d/'", patch(archive([ok, info("d/", tarfile.DIRTYPE, mode=0o755)]), 2, 124,
                                        b"00000001000\0"))
    # pax
    put("pax-path-dotdot", "'../x'",
        archive([ok, info("innocent", data=b"pwned\n")], tarfile.PAX_FORMAT, {"innocent": {"path": "../x"}}))
    put("pax-linkpath-abs", "'/etc/passwd'",
        archive([ok, info("innocent", tarfile.SYMTYPE, mode=0o777, link="ok.txt")], tarfile.PAX_FORMAT,
                {"innocent": {"linkpath": "/etc/passwd"}}))
    rec = b"99999999999 path=x\n"
    put("pax-huge-record", "tar byte",
        pad(header(b"ok.txt", size=9)) + pad(b"harmless\n") + header(b"PaxHeaders/x", b"x", len(rec)) +
        pad(rec) + pad(header(b"f", size=0)) + b"\0" * 1024)
    rec = b"70 path=" + b"p" * 51 + b"\n"  # says 70, is 60
    put("pax-record-past-end", "tar byte",
        header(b"PaxHeaders/x", b"x", len(rec)) + pad(rec) + header(b"f", size=0) + b"\0" * 1024)
    put("pax-sparse", "tar byte",
        archive([ok, info("sparse", data=b"s")], tarfile.PAX_FORMAT, {"sparse": {"GNU.sparse.major": "1",
                                                                           "GNU.sparse.minor": "0"}}))
    psize = header(b"PaxHeaders/x", b"x", len(pax_record(b"size", b"-1")))
    put("pax-size-negative", "tar byte", psize + pad(pax_record(b"size", b"-1")) + header(b"f") + b"\0" * 1024)
    # GNU long names
    ten_mb = 10 << 20
    hdr = header(b"././@LongLink", b"L", ten_mb, magic=b"ustar  \0")
    body = b"" if small else pad(b"a" * (ten_mb - 1) + b"\0")
    put("gnu-longname-10mb", "tar byte", hdr + body + header(b"f", magic=b"ustar  \0") + b"\0" * 1024)
    put("gnu-longname-dotdot", "/../../pwned'",
        archive([ok, info("x" * 120 + "/../../pwned", data=b"pwned\n")], tarfile.GNU_FORMAT))
    put("gnu-longlink-abs", "'%s/" % sentinel,
        archive([ok, info("longsym", tarfile.SYMTYPE, mode=0o777, link=sentinel + "/" + "y" * 120)],
                tarfile.GNU_FORMAT))
    # control characters in a name: the message must stay one line, unspoofable
    put("name-newline", "'bad", archive([ok, info("bad\nupd: fake.tar: fine/../../pwned", data=b"pwned\n")]))
    # an empty name
    put("empty-name", "empty name", header(b"", size=0) + b"\0" * 1024)

    with open(os.path.join(out, "list"), "w") as f:
        for name, expect in made:
            f.write("%s\t%s\n" % (name, expect))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
