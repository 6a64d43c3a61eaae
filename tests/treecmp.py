#!/usr/bin/env python3
"""Compares two extracted trees: the same set of paths, and for each the
same type, permission bits, size and contents (files), link target
(symlinks), whole-second mtime (files), and the same grouping of files
into hard links. Symlinks are never followed. The top directories
themselves are not compared, only what is below them.

usage: treecmp.py [--no-mtime] A B
Prints one line per difference (at most 20) and exits 1 if there is any."""
import os
import stat
import sys


def walk(top):
    """relative path -> lstat result, for everything below top"""
    out = {}
    for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            out[os.path.relpath(full, top)] = os.lstat(full)
    return out


def kind(st):
    m = st.st_mode
    if stat.S_ISREG(m):
        return "file"
    if stat.S_ISDIR(m):
        return "dir"
    if stat.S_ISLNK(m):
        return "symlink"
    return "other(%o)" % stat.S_IFMT(m)


def link_groups(top, entries):
    """the hard-link partition: sets of paths sharing an inode (2+ names)"""
    by_inode = {}
    for rel, st in entries.items():
        if stat.S_ISREG(st.st_mode) and st.st_nlink > 1:
            by_inode.setdefault((st.st_dev, st.st_ino), set()).add(rel)
    return sorted(sorted(g) for g in by_inode.values() if len(g) > 1)


def same_contents(a, b):
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            x, y = fa.read(1 << 16), fb.read(1 << 16)
            if x != y:
                return False
            if not x:
                return True


def main(argv):
    check_mtime = True
    if argv and argv[0] == "--no-mtime":
        check_mtime = False
        argv = argv[1:]
    if len(argv) != 2:
        print("usage: treecmp.py [--no-mtime] A B", file=sys.stderr)
        return 2
    a, b = argv
    ea, eb = walk(a), walk(b)
    diffs = []
    for rel in sorted(set(ea) - set(eb)):
        diffs.append("only in %s: %r" % (a, rel))
    for rel in sorted(set(eb) - set(ea)):
        diffs.append("only in %s: %r" % (b, rel))
    for rel in sorted(set(ea) & set(eb)):
        sa, sb = ea[rel], eb[rel]
        ka, kb = kind(sa), kind(sb)
        if ka != kb:
            diffs.append("%r: %s vs %s" % (rel, ka, kb))
            continue
        if ka != "symlink" and stat.S_IMODE(sa.st_mode) != stat.S_IMODE(sb.st_mode):
            diffs.append("%r: mode %04o vs %04o" % (rel, stat.S_IMODE(sa.st_mode), stat.S_IMODE(sb.st_mode)))
        if ka == "symlink":
            ta, tb = os.readlink(os.path.join(a, rel)), os.readlink(os.path.join(b, rel))
            if ta != tb:
                diffs.append("%r: symlink to %r vs %r" % (rel, ta, tb))
        if ka == "file":
            if sa.st_size != sb.st_size:
                diffs.append("%r: size %d vs %d" % (rel, sa.st_size, sb.st_size))
            elif not same_contents(os.path.join(a, rel), os.path.join(b, rel)):
                diffs.append("%r: contents differ" % rel)
            if check_mtime and sa.st_mtime_ns // 10**9 != sb.st_mtime_ns // 10**9:
                diffs.append("%r: mtime %d vs %d" % (rel, sa.st_mtime_ns // 10**9, sb.st_mtime_ns // 10**9))
    ga, gb = link_groups(a, ea), link_groups(b, eb)
    if ga != gb:
        diffs.append("hard links: %r vs %r" % (ga, gb))
    for d in diffs[:20]:
        print(d)
    if len(diffs) > 20:
        print("... and %d more" % (len(diffs) - 20))
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
