#!/bin/sh
# Regenerates the seed corpus tests/fuzz/corpus/minisig/seed-* for the
# minisign fuzz target (tests/fuzz/fuzz_minisig.c). Each file is one
# selector byte, two bytes of text length (little-endian), the text and
# the message (see fuzz_minisig.c): signatures made by `build/upd sign`
# and by minisign with the target's two fixture keys (below: the secret
# keys, unencrypted, made once by `upd keygen` and `minisign -G -W`), over
# the fixture message and others; public and secret key files; and
# hand-made variants (CRLF, other comments, bad base64, bad UTF-8, the
# limits). Ed25519 signatures are deterministic, and every trusted comment
# is given, so the output is deterministic. Files not named seed-*
# (inputs merged from fuzzing runs, reproducers of fixed bugs) are kept.
# Needs build/upd (make build/upd), minisign and python3.
set -eu
cd "$(dirname "$0")/../.."
dir=tests/fuzz/corpus/minisig
upd=${UPD:-build/upd}
[ -x "$upd" ] || { echo "$0: $upd is not built (make $upd)" >&2; exit 1; }
command -v minisign >/dev/null 2>&1 || { echo "$0: minisign is not installed" >&2; exit 1; }
mkdir -p "$dir"
rm -f "$dir"/seed-*
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi

# the fixture keys of fuzz_minisig.c (test keys: they sign nothing else)
cat >"$tmp/a.key" <<'EOF'
untrusted comment: minisign secret key (not encrypted)
RWQAAEIyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA0CNhcC2OqAXEoaURBS9MNC5Gpqg6wJNI30UhCq0aL9lQ99D/ky8ojshRT4PaA3bJJgrskjqtHhmpQcCqJmCNIMBPbSgweXowa6tlQjJ5HXdl9dZ62bEL8qAvAHM6N3KIM2wC2JYtlYA=
EOF
cat >"$tmp/a.pub" <<'EOF'
untrusted comment: minisign public key 05A88E2D706123D0
RWTQI2FwLY6oBchRT4PaA3bJJgrskjqtHhmpQcCqJmCNIMBPbSgweXow
EOF
cat >"$tmp/b.key" <<'EOF'
untrusted comment: minisign encrypted secret key
RWQAAEIyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA9ZnptPBzIhaZfcGE5tpq7x9OKHbM9T8mJrT0HSMNje6u19NEuHdPCveJNB4vwFkDTzPxVoFc3kkbAdk8RHKYZ2RHcKMFvnYLAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
EOF
cat >"$tmp/b.pub" <<'EOF'
untrusted comment: minisign public key 162273F0B4E999F5
RWT1mem08HMiFveJNB4vwFkDTzPxVoFc3kkbAdk8RHKYZ2RHcKMFvnYL
EOF
chmod 600 "$tmp/a.key" "$tmp/b.key"
printf 'updater.h fuzz fixture: the signed message\n' >"$tmp/msg"
: >"$tmp/empty"
printf 'x' >"$tmp/one"
"$PY" -c 'import sys; sys.stdout.write("".join(chr(32 + i % 95) for i in range(300)))' >"$tmp/long"

# signatures: S NAME KEY(a|b) TOOL(upd|minisign) LEGACY(0|1) FILE COMMENT
S() {
    out=$tmp/$1.minisig
    if [ "$3" = upd ]; then
        if [ "$4" = 1 ]; then "$upd" sign -s "$tmp/$2.key" -l -t "$6" -x "$out" "$5"
        else "$upd" sign -s "$tmp/$2.key" -t "$6" -x "$out" "$5"; fi
    else
        if [ "$4" = 1 ]; then minisign -S -l -s "$tmp/$2.key" -t "$6" -x "$out" -m "$5" >/dev/null
        else minisign -S -s "$tmp/$2.key" -t "$6" -x "$out" -m "$5" >/dev/null; fi
    fi
}
S a-ED a upd 0 "$tmp/msg" 'fixture a prehashed'
S a-Ed a upd 1 "$tmp/msg" 'fixture a legacy'
S b-ED b minisign 0 "$tmp/msg" 'fixture b prehashed'
S b-Ed b minisign 1 "$tmp/msg" 'fixture b legacy'
S a-empty a upd 0 "$tmp/empty" 'timestamp:1500000000	file:empty	hashed'
S a-one-Ed a upd 1 "$tmp/one" 'one byte'
S b-long b minisign 0 "$tmp/long" "$(printf 'utf-8: caf\303\251 \342\202\254 \360\237\230\200 tab:\there')"
S a-empty-Ed a upd 1 "$tmp/empty" ''
# (all of the above are fixtures of fuzz_minisig.c: the only signatures
# that may verify) a trusted comment that brings the file to 512 bytes, fuzz_minisig.c's
# UPDATER_MAX_MINISIG (and one byte more)
S a-limit a upd 1 "$tmp/one" "$(printf '%0233d' 0)"
S a-over a upd 1 "$tmp/one" "$(printf '%0234d' 0)"
for f in a-ED a-Ed b-ED b-Ed; do
    minisign -V -q -p "$tmp/${f%%-*}.pub" -m "$tmp/msg" -x "$tmp/$f.minisig" || { echo "$0: $f does not verify" >&2; exit 1; }
done

"$PY" - "$tmp" "$dir" <<'EOF'
import base64, os, sys
tmp, out = sys.argv[1:]
def rd(n): return open(os.path.join(tmp, n), 'rb').read()
msg = rd('msg')
def seed(name, sel, text, message=b''):
    with open(os.path.join(out, 'seed-' + name), 'wb') as f:
        f.write(bytes([sel]) + len(text).to_bytes(2, 'little') + text + message)
def lines(t): return t.split(b'\n')
def join(ls): return b'\n'.join(ls)
def b64(raw): return base64.b64encode(raw)

# the fixtures verify (selector: mutation fixture 0-3, message or file,
# streaming, legacy or prehashed signing of parsed secret keys)
for i, (f, m) in enumerate([('a-ED', msg), ('a-Ed', msg), ('b-ED', msg), ('b-Ed', msg)]):
    seed(f, i, rd(f + '.minisig'), m)
    seed(f + '-stream', 8 | 4 | i, rd(f + '.minisig'), m)
seed('a-empty', 0x08, rd('a-empty.minisig'))
seed('a-one-Ed', 0x09, rd('a-one-Ed.minisig'), b'x')
seed('b-long', 0x0a, rd('b-long.minisig'), rd('long'))
seed('a-empty-Ed', 0x0b, rd('a-empty-Ed.minisig'))
seed('a-limit', 0x00, rd('a-limit.minisig'), b'x')
seed('a-over', 0x01, rd('a-over.minisig'), b'x')
# wrong messages
seed('a-ED-other-message', 0x04, rd('a-ED.minisig'), msg[:-1] + b'!')
seed('b-Ed-empty-message', 0x0d, rd('b-Ed.minisig'))
# keys
seed('pub-a', 0x00, rd('a.pub'))
seed('pub-b-bare', 0x01, lines(rd('b.pub'))[1])
seed('pub-b-crlf', 0x02, rd('b.pub').replace(b'\n', b'\r\n'))
seed('pub-trailing-lines', 0x03, rd('a.pub') + b'\n\n\r\n')
seed('pub-three-lines', 0x00, rd('a.pub') + rd('a.pub'))
seed('pub-bad-comment', 0x00, rd('a.pub').replace(b'untrusted', b'trusted'))
seed('pub-wrong-alg', 0x00, b64(b'Ex' + base64.b64decode(lines(rd('a.pub'))[1])[2:]))
seed('pub-over-1024', 0x00, b'untrusted comment: ' + b'x' * 1000 + b'\n' + lines(rd('a.pub'))[1])
seed('sec-a', 0x00, rd('a.key'))
seed('sec-a-prehashed', 0x10, rd('a.key'))
seed('sec-b-minisign', 0x01, rd('b.key'))
raw = bytearray(base64.b64decode(lines(rd('b.key'))[1]))
raw[2:4] = b'Sc'
seed('sec-encrypted', 0x00, b'untrusted comment: minisign encrypted secret key\n' + b64(bytes(raw)) + b'\n')
raw[2:4] = b'Xy'
seed('sec-unknown-kdf', 0x00, b'untrusted comment: x\n' + b64(bytes(raw)) + b'\n')
raw = bytearray(base64.b64decode(lines(rd('a.key'))[1]))
raw[-40] ^= 1  # the stored public half no longer matches the seed
seed('sec-public-mismatch', 0x00, b'untrusted comment: x\n' + b64(bytes(raw)) + b'\n')
# signature file variants
a = rd('a-ED.minisig'); L = lines(a)
seed('crlf', 0x00, a.replace(b'\n', b'\r\n'), msg)
seed('no-final-eol', 0x01, a[:-1], msg)
seed('trailing-blank-lines', 0x02, a + b'\n\r\n\n', msg)
seed('other-untrusted', 0x03, join([b'untrusted comment: \xff\x00\r anything'] + L[1:]), msg)
seed('three-lines', 0x00, join(L[:3]), msg)
seed('five-lines', 0x00, a + b'extra\n', msg)
seed('no-trusted-prefix', 0x00, join(L[:2] + [b'trusted: x'] + L[3:]), msg)
seed('empty-lines', 0x00, b'\n\n\n\n')
seed('prefix-only', 0x00, b'untrusted comment: \nx\ntrusted comment: \ny\n')
sig = base64.b64decode(L[1])
seed('alg-swapped', 0x00, join([L[0], b64(sig[:1] + b'd' + sig[2:])] + L[2:]), msg)
seed('alg-unknown', 0x00, join([L[0], b64(b'Ex' + sig[2:])] + L[2:]), msg)
seed('keyid-unknown', 0x00, join([L[0], b64(sig[:2] + b'\0' * 8 + sig[10:])] + L[2:]), msg)
seed('sig-short', 0x00, join([L[0], b64(sig[:-3])] + L[2:]), msg)
seed('b64-nonzero-pad-bits', 0x00, join(L[:3] + [L[3][:-3] + b'B==']), msg)
seed('b64-nonzero-pad-bits-1', 0x00, join([L[0], L[1][:-2] + bytes([L[1][-2] ^ 1]) + b'='] + L[2:]), msg)
seed('b64-space', 0x00, join([L[0], L[1][:8] + b' ' + L[1][9:]] + L[2:]), msg)
seed('b64-nul', 0x00, join([L[0], L[1][:8] + b'\0' + L[1][9:]] + L[2:]), msg)
seed('trusted-changed', 0x00, join(L[:2] + [b'trusted comment: fixture a prehashed!'] + L[3:]), msg)
for name, bad in [('overlong', b'\xc0\xaf'), ('surrogate', b'\xed\xa0\x80'), ('c1-control', b'\xc2\x85'),
                  ('truncated', b'\xe2\x82'), ('above-max', b'\xf4\x90\x80\x80'), ('nul', b'\0'), ('del', b'\x7f'),
                  ('cr', b'\r x')]:
    seed('trusted-' + name, 0x00, join(L[:2] + [b'trusted comment: ' + bad] + L[3:]), msg)
seed('trusted-ok-4byte', 0x00, join(L[:2] + [b'trusted comment: \xf4\x8f\xbf\xbf \xf0\x90\x80\x80'] + L[3:]), msg)
seed('text-and-key', 0x00, a + rd('a.pub'), msg)
seed('empty', 0x00, b'')
seed('length-past-end', 0x00, b'')  # L = 0 here; see below
with open(os.path.join(out, 'seed-length-past-end'), 'wb') as f:
    f.write(bytes([0x05]) + (60000).to_bytes(2, 'little') + rd('b-Ed.minisig'))
EOF
echo "$(ls "$dir" | wc -l) files in $dir"
