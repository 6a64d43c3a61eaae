#!/bin/sh
# Regenerates the seed corpus tests/fuzz/corpus/manifest/seed-* for the
# manifest fuzz target (tests/fuzz/fuzz_manifest.c). Each file is one
# selector byte (base URL and failing allocation; see fuzz_manifest.c) and
# then a manifest: the `versions` files `build/upd publish` writes while a
# repo grows (several programs, channels, incremental packages, rollout,
# min, notes, critical, @expires), and hand-written cases of
# docs/manifest.md, valid and broken, and the limits as fuzz_manifest.c
# sets them. Files not named seed-* (inputs merged from fuzzing runs,
# reproducers of fixed bugs) are kept.
# Needs build/upd (make build/upd), GNU tar and gzip. Output is
# deterministic (@expires dates are rewritten to a fixed one).
set -eu
cd "$(dirname "$0")/../.."
dir=tests/fuzz/corpus/manifest
upd=${UPD:-build/upd}
[ -x "$upd" ] || { echo "$0: $upd is not built (make $upd)" >&2; exit 1; }
mkdir -p "$dir"
rm -f "$dir"/seed-*
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# seed NAME SELECTOR-OCTAL FILE: the selector byte, then the file
seed() {
    { printf "\\$2"; cat "$3"; } >"$dir/seed-$1"
}
# text NAME SELECTOR-OCTAL FORMAT [ARGS...]: the selector byte, then printf FORMAT
text() {
    name=$1 sel=$2 fmt=$3; shift 3
    { printf "\\$sel"; printf "$fmt" "$@"; } >"$dir/seed-$name"
}

# ---- a repo grown by upd publish; each state of `versions` is a seed ----
mkdir -p "$tmp/src/bin"
pack() { # pack NAME CONTENT: a deterministic .tar.gz holding bin/hello
    printf '#!/bin/sh\necho %s\n' "$2" >"$tmp/src/bin/hello"
    chmod 755 "$tmp/src/bin/hello"
    tar --sort=name --mtime=@1500000000 --owner=0 --group=0 --numeric-owner -C "$tmp/src" -cf - . | gzip -n >"$tmp/$1"
}
"$upd" keygen -p "$tmp/k.pub" -s "$tmp/k.key" >/dev/null
repo=$tmp/repo
n=0
publish() { # publish SELECTOR-OCTAL ARGS...: one more release, then a seed of versions
    sel=$1; shift
    "$upd" publish --repo "$repo" -s "$tmp/k.key" "$@" >/dev/null
    n=$((n + 1))
    sed 's/^@expires .*/@expires 2031-02-28T12:00:00Z/' "$repo/versions" >"$tmp/v"
    seed "publish-$n" "$sel" "$tmp/v"
}
pack h1.tar.gz 1.0.0; pack h2.tar.gz 1.1.0; pack h3.tar.gz 2.0.0-rc.1; pack d.tar.gz delta
publish 000 --app hello --version 1.0.0 "$tmp/h1.tar.gz"
publish 001 --app hello --version 1.1.0 --notes notes/1.1.html "$tmp/h2.tar.gz"
publish 002 --app hello --version 1.1.0 --from 1.0.0 "$tmp/d.tar.gz"
publish 003 --app hello --version 2.0.0-rc.1 --channel beta --rollout 30 --min 1.0.0 "$tmp/h3.tar.gz"
publish 007 --app hello --version 2.0.0-rc.1 --from 1.1.0 "$tmp/d.tar.gz"
publish 011 --app other --version 0.1 --critical --expires 30 "$tmp/h1.tar.gz"
publish 001 --app hello --version v1.2 --rollout 50 --critical "$tmp/h2.tar.gz"
publish 021 --app hello --version 1.2.0 --from 1.1.0 --notes https://example.org/n/1.2 "$tmp/d.tar.gz"
publish 016 --app hello --version 1.0.0 --force "$tmp/h1.tar.gz"
cp "$tmp/v" "$tmp/last"
# the same releases and a failing allocation (selector bits 3-7: N = 1..4)
seed publish-fail1 010 "$tmp/last"
seed publish-fail2 021 "$tmp/last"
seed publish-fail3 032 "$tmp/last"
seed publish-fail4 041 "$tmp/last"
seed publish-fail-last 371 "$tmp/last"
# CRLF line ends and a byte order mark, then a long base URL (bit 6)
{ printf '\357\273\277'; sed 's/$/\r/' "$tmp/last"; } >"$tmp/crlf"
seed publish-crlf-bom 001 "$tmp/crlf"
seed publish-long-base 006 "$tmp/last"

# ---- hand-written, after docs/manifest.md ----
H=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
K1=RWTQI2FwLY6oBchRT4PaA3bJJgrskjqtHhmpQcCqJmCNIMBPbSgweXow
K2=RWT1mem08HMiFveJNB4vwFkDTzPxVoFc3kkbAdk8RHKYZ2RHcKMFvnYL
K3=RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3
text doc-example 001 '# comment\n@serial 42                      # required\n@expires 2026-12-31T00:00:00Z   # optional\nhello 1.4.0 url=hello-1.4.0.tar.gz size=123456 sha256=%s\nhello 1.4.0 from=1.3.2 url=hello-1.3.2-to-1.4.0.tar.gz size=2345 sha256=%s\nhello 1.5.0-beta.1 channel=beta url=hello-1.5.0-beta.1.tar.gz size=130000 sha256=%s\nother 2.0 url=https://cdn.example.org/other-2.0.tar.gz size=99 sha256=%s\n' $H $H $H $H
text minimal 000 '@serial 0\n'
text minimal-no-eol 000 '@serial 0'
text empty 000 ''
text no-serial 001 '# nothing\nhello 1.0 url=a size=1 sha256=%s\n' $H
text serial-twice 000 '@serial 1\n@serial 2\n'
text serial-max 000 '@serial 9223372036854775807\n'
text serial-over 000 '@serial 9223372036854775808\n'
text serial-leading-zero 000 '@serial 01\n'
text serial-sign 000 '@serial +1\n'
text serial-two-values 000 '@serial 1 2\n'
text expires-leap 000 '@serial 1\n@expires 2024-02-29T23:59:59Z\n'
text expires-not-leap 000 '@serial 1\n@expires 2100-02-29T00:00:00Z\n'
text expires-last 000 '@serial 1\n@expires 9999-12-31t23:59:59z\n'
text expires-epoch 000 '@serial 1\n@expires 1970-01-01T00:00:00Z\n'
text expires-1969 000 '@serial 1\n@expires 1969-12-31T23:59:59Z\n'
text expires-offset 000 '@serial 1\n@expires 2030-01-01T00:00:00+01:00\n'
text expires-twice 000 '@serial 1\n@expires 2030-01-01T00:00:00Z\n@expires 2030-01-01T00:00:00Z\n'
text unknown-directive 000 '@serial 1\n@mirror http://example.org/ x y\n@\n'
text trust-keys 001 '@serial 5\n@trust-key %s\n@trust-key %s\n@revoke-key %s\n@trust-key %s\nhello 1.0 url=a size=1 sha256=%s\n' $K1 $K2 $K3 $K1 $H
text trust-too-many 000 '@serial 5\n@trust-key %s\n@trust-key %s\n@trust-key %s\n' $K1 $K2 $K3
text trust-and-revoke 000 '@serial 5\n@trust-key %s\n@revoke-key %s\n' $K1 $K1
text trust-bad-key 000 '@serial 5\n@trust-key RWTQI2FwLY6oBchRT4PaA3bJJgrskjqtHhmpQcCqJmCNIMBPbSgweXo=\n@trust-key\n'
text comments 001 '#c\n  # indented\n@serial 1 # after\nhello 1.0 url=a#b size=1 sha256=%s # c=d\n\t\n# caf\303\251\n' $H
text tabs 001 '@serial\t1\nhello\t1.0\turl=a\t\tsize=1\tsha256=%s\t\n' $H
text hex-upper 001 '@serial 1\nhello 1.0 url=a size=1 sha256=%s\n' 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
text hex-bad 001 '@serial 1\nhello 1.0 url=a size=1 sha256=%s\n' 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg
text hex-short 001 '@serial 1\nhello 1.0 url=a size=1 sha256=0123\n'
text size-zero 001 '@serial 1\nhello 1.0 url=a size=0 sha256=%s\n' $H
text size-max 001 '@serial 1\nhello 1.0 url=a size=9223372036854775807 sha256=%s\n' $H
text size-over 001 '@serial 1\nhello 1.0 url=a size=9223372036854775808 sha256=%s\n' $H
text missing-url 001 '@serial 1\nhello 1.0 size=1 sha256=%s\n' $H
text missing-size 001 '@serial 1\nhello 1.0 url=a sha256=%s\n' $H
text missing-sha 001 '@serial 1\nhello 1.0 url=a size=1\n'
text no-version 001 '@serial 1\nhello\n'
text bad-app 001 '@serial 1\nhel/lo 1.0 url=a size=1 sha256=%s\n' $H
text bad-version 001 '@serial 1\nhello 1.02 url=a size=1 sha256=%s\n' $H
text versions-semver 001 '@serial 1\nh 1.0.0-alpha url=a size=1 sha256=%s\nh 1.0.0-alpha.1 url=b size=1 sha256=%s\nh 1.0.0-alpha.beta url=c size=1 sha256=%s\nh 1.0.0-beta url=d size=1 sha256=%s\nh 1.0.0-beta.2 url=e size=1 sha256=%s\nh 1.0.0-beta.11 url=f size=1 sha256=%s\nh 1.0.0-rc.1 url=g size=1 sha256=%s\nh 1.0.0+build.7 url=h size=1 sha256=%s\nh V2 url=i size=1 sha256=%s\nh 18446744073709551615.0.0-x-y.99999999999999999999999 url=j size=1 sha256=%s\n' $H $H $H $H $H $H $H $H $H $H
text version-over 001 '@serial 1\nh 18446744073709551616 url=a size=1 sha256=%s\n' $H
text duplicate-precedence 001 '@serial 1\nh 1.2 url=a size=1 sha256=%s\nh 1.2.0+x url=b size=1 sha256=%s\n' $H $H
text duplicate-delta 001 '@serial 1\nh 1.2 from=1.0 url=a size=1 sha256=%s\nh 1.2.0 from=1.0.0 url=b size=1 sha256=%s\n' $H $H
text channel-disagree 001 '@serial 1\nh 1.2 channel=beta url=a size=1 sha256=%s\nh 1.2 from=1.0 channel=dev url=b size=1 sha256=%s\n' $H $H
text rollout-disagree 001 '@serial 1\nh 1.2 rollout=10 url=a size=1 sha256=%s\nh 1.2 from=1.0 rollout=20 url=b size=1 sha256=%s\n' $H $H
text min-disagree 001 '@serial 1\nh 1.2 min=1.0 url=a size=1 sha256=%s\nh 1.2 from=1.1 min=1.1 url=b size=1 sha256=%s\n' $H $H
text group-applies 002 '@serial 1\nh 1.2 from=1.1 url=d size=1 sha256=%s\nh 1.2 channel=beta rollout=10 min=1.0 critical=1 url=a size=1 sha256=%s\nh 1.1 url=c size=1 sha256=%s critical=0\nh 1.2 from=1.0 url=e size=1 sha256=%s\n' $H $H $H $H
text rollout-bounds 001 '@serial 1\nh 1.0 rollout=1 url=a size=1 sha256=%s\nh 1.1 rollout=100 url=b size=1 sha256=%s\nh 1.2 rollout=101 url=c size=1 sha256=%s\n' $H $H $H
text rollout-zero 001 '@serial 1\nh 1.0 rollout=0 url=a size=1 sha256=%s\n' $H
text critical-bad 001 '@serial 1\nh 1.0 critical=2 url=a size=1 sha256=%s\n' $H
text channel-bad 001 '@serial 1\nh 1.0 channel=a/b url=a size=1 sha256=%s\n' $H
text from-bad 001 '@serial 1\nh 1.0 from=x url=a size=1 sha256=%s\n' $H
text min-bad 001 '@serial 1\nh 1.0 min=1..0 url=a size=1 sha256=%s\n' $H
text key-dup 001 '@serial 1\nh 1.0 url=a url=b size=1 sha256=%s\n' $H
text key-empty 001 '@serial 1\nh 1.0 =a url=b size=1 sha256=%s\n' $H
text value-empty 001 '@serial 1\nh 1.0 url= size=1 sha256=%s\n' $H
text key-bad 001 '@serial 1\nh 1.0 u!rl=a url=b size=1 sha256=%s\n' $H
text not-key-value 001 '@serial 1\nh 1.0 url size=1 sha256=%s\n' $H
text unknown-keys 001 '@serial 1\nh 1.0 x-future=1 url=a size=1 sha256=%s signature=z\n' $H
text attrs-at-limit 001 '@serial 1\nh 1.0 url=a size=1 sha256=%s a=1 b=2 c=3\n' $H
text attrs-over-limit 001 '@serial 1\nh 1.0 url=a size=1 sha256=%s a=1 b=2 c=3 d=4\n' $H
text urls 001 '@serial 1\nh 1.0 url=/abs/path.tgz size=1 sha256=%s notes=../n.html\nh 1.1 url=//cdn.example.org/x?y=1#f size=1 sha256=%s\nh 1.2 url=HTTPS://Example.ORG:443/a/./b/../c size=1 sha256=%s\nh 1.3 url=http://[2001:db8::1]:8080/x size=1 sha256=%s\nh 1.4 url=?q size=1 sha256=%s\nh 1.5 url=%%7euser/a%%20b size=1 sha256=%s\n' $H $H $H $H $H $H
text urls-https-base 002 '@serial 1\nh 1.0 url=../../x.tgz size=1 sha256=%s\nh 1.1 url=. size=1 sha256=%s notes=#frag\n' $H $H
text url-credentials 001 '@serial 1\nh 1.0 url=http://user:pw@example.org/a size=1 sha256=%s\n' $H
text url-file 001 '@serial 1\nh 1.0 url=file:///etc/passwd size=1 sha256=%s\n' $H
text url-port-zero 001 '@serial 1\nh 1.0 url=http://example.org:0/a size=1 sha256=%s\n' $H
text url-port-big 001 '@serial 1\nh 1.0 url=http://example.org:65536/a size=1 sha256=%s\n' $H
text url-bad-pct 001 '@serial 1\nh 1.0 url=a%%zz size=1 sha256=%s\n' $H
text url-backslash 001 '@serial 1\nh 1.0 url=a\\\\b size=1 sha256=%s\n' $H
text url-no-host 001 '@serial 1\nh 1.0 url=http:///a size=1 sha256=%s\n' $H
text url-relative-no-base 000 '@serial 1\nh 1.0 url=a/b/../c size=1 sha256=%s\n' $H
text url-long 006 '@serial 1\nh 1.0 url=%s size=1 sha256=%s\n' "$(printf '%0020d' 0)" $H
text url-long-abs 001 '@serial 1\nh 1.0 url=http://example.org/%s size=1 sha256=%s\n' "$(printf '%0190d' 0)" $H
text base-invalid 004 '@serial 1\nh 1.0 url=a size=1 sha256=%s\n' $H
text base-relative 005 '@serial 1\nh 1.0 url=a size=1 sha256=%s\n' $H
text base-ipv6 003 '@serial 1\nh 1.0 url=a size=1 sha256=%s\n' $H
text base-no-path 007 '@serial 1\nh 1.0 url=a size=1 sha256=%s\nh 1.1 url=?x size=1 sha256=%s\n' $H $H
text cr-inside 000 '@serial 1\r\r\n'
text nul 000 '@serial 1\n# a\000b\n'
text control 000 '@serial 1\n\033[0m\n'
text del 000 '@serial 1\nh\177 1.0\n'
text non-ascii 000 '@serial 1\nh\303\251 1.0\n'
text bom-twice 000 '\357\273\277\357\273\277@serial 1\n'
text bom-only 000 '\357\273\277'
# the limits of fuzz_manifest.c: 300 bytes per line, 64 lines, 16384 bytes
text line-at-limit 000 '@serial 1\n#%0299d\n' 0
text line-over-limit 000 '@serial 1\n#%0300d\n' 0
text line-at-limit-crlf 000 '@serial 1\r\n#%0299d\r\n' 0
{ printf '\000@serial 1\n'; i=1; while [ $i -lt 64 ]; do printf '\n'; i=$((i + 1)); done; } >"$dir/seed-lines-at-limit"
{ printf '\000@serial 1\n'; i=1; while [ $i -lt 64 ]; do printf '\n'; i=$((i + 1)); done; printf 'x'; } >"$dir/seed-lines-over-limit"
{ printf '\000@serial 1\n'; i=1; while [ $i -lt 64 ]; do printf '\n'; i=$((i + 1)); done; printf '\n\n'; } >"$dir/seed-lines-over-limit-eol"
{ printf '\000'; i=0; while [ $i -lt 64 ]; do printf '#%0254d\n' 0; i=$((i + 1)); done; printf '\n'; } >"$dir/seed-bytes-over-limit"
# many releases: selection over a bigger set
{
    printf '\001@serial 7\n'
    for app in a b; do
        for v in 0.9 1.0 1.1 1.2-rc.1 1.2 2.0; do
            printf '%s %s url=%s-%s.tgz size=10 sha256=%s rollout=%s\n' $app $v $app $v $H $(( ${#v} * 13 % 100 + 1 ))
            printf '%s %s from=1.0 url=%s-1.0-%s.tgz size=5 sha256=%s\n' $app $v $app $v $H
        done
    done
    printf 'a 3.0 channel=beta min=1.1 critical=1 url=a3.tgz size=1 sha256=%s\n' $H
} >"$dir/seed-many"
echo "$(ls "$dir" | wc -l) files in $dir"
