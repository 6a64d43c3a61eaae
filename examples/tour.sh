#!/bin/sh
# make tour: the pieces of updater.h one by one (versions, manifests,
# signatures, gzip, tar, fetch), run for real.
set -eu
cd "$(dirname "$0")/.."
UPD=${UPD:-build/upd}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
say() { printf '\n$ %s\n' "$*"; "$@" || true; }

echo "updater.h $($UPD --version | cut -d' ' -f2): versions, SHA-256 and the signed-manifest format"
say $UPD vercmp 1.10 1.9
echo "  (the float comparison float('1.10') < float('1.9') gets this wrong)"
say $UPD vercmp 1.0.0-rc.1 1.0.0
say $UPD vercmp v2.1 2.1.0+build.7

printf 'hello, world\n' >"$tmp/hello-1.5.0.tar.gz"
say $UPD sha256 "$tmp/hello-1.5.0.tar.gz"
sha=$($UPD sha256 "$tmp/hello-1.5.0.tar.gz" | cut -d' ' -f1)

cat >"$tmp/versions" <<EOT
# versions: one line per release; url is relative to the manifest's URL
@serial 7
@expires 2099-01-01T00:00:00Z
hello 1.4.0 url=hello-1.4.0.tar.gz size=13 sha256=$sha
hello 1.5.0 url=hello-1.5.0.tar.gz size=13 sha256=$sha rollout=50 notes=notes/1.5.html
hello 1.5.0 from=1.4.0 url=delta/hello-1.4.0-1.5.0.tar.gz size=13 sha256=$sha
hello 1.6.0-beta.1 channel=beta url=hello-1.6.0-beta.1.tar.gz size=13 sha256=$sha
other 2.0 url=https://cdn.example.org/other-2.0.tar.gz size=13 sha256=$sha critical=1
EOT
echo; echo "the manifest:"; sed 's/^/    /' "$tmp/versions"
B=https://updates.example.org/hello/versions
say $UPD manifest --base $B "$tmp/versions"
echo; echo "what installations get (bucket = this installation's rollout slot 0..99):"
say $UPD manifest --base $B --app hello --current 1.4.0 --bucket 10 "$tmp/versions"
say $UPD manifest --base $B --app hello --current 1.4.0 --bucket 80 "$tmp/versions"
say $UPD manifest --base $B --app hello --current 1.5.0 --channel beta "$tmp/versions"
say $UPD manifest --base $B --app hello --current 1.6.0 "$tmp/versions"

echo; echo "and what a tampered or sloppy manifest gets:"
sed 's/size=13 sha256/size=13 size=14 sha256/' "$tmp/versions" >"$tmp/bad"
say $UPD manifest --base $B "$tmp/bad"
sed 's|url=hello-1.4.0.tar.gz|url=file:///etc/passwd|' "$tmp/versions" >"$tmp/bad"
say $UPD manifest --base $B "$tmp/bad"

echo; echo "signatures: a key pair, a signed release, and what tampering gets"
say $UPD keygen -p "$tmp/hello.pub" -s "$tmp/hello.key"
mkdir -p "$tmp/src/bin" && printf '#!/bin/sh\necho hello 1.5.0\n' >"$tmp/src/bin/hello" && chmod 755 "$tmp/src/bin/hello"
tar -C "$tmp/src" -czf "$tmp/hello-1.5.0.tar.gz" .
say $UPD sign -s "$tmp/hello.key" "$tmp/hello-1.5.0.tar.gz"
say $UPD verify -p "$tmp/hello.pub" "$tmp/hello-1.5.0.tar.gz"
cp "$tmp/hello-1.5.0.tar.gz" "$tmp/evil.tar.gz" && printf 'x' >>"$tmp/evil.tar.gz"
cp "$tmp/hello-1.5.0.tar.gz.minisig" "$tmp/evil.tar.gz.minisig"
say $UPD verify -p "$tmp/hello.pub" "$tmp/evil.tar.gz"

echo; echo "archives: our own gzip and tar code, safe extraction"
mkdir -p "$tmp/staging"
say $UPD untar -C "$tmp/staging" "$tmp/hello-1.5.0.tar.gz"
say "$tmp/staging/bin/hello"
python3 - "$tmp/escape.tar" <<'EOT' 2>/dev/null || printf 'x' >"$tmp/escape.tar"
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    i = tarfile.TarInfo("../../outside"); i.size = 5; t.addfile(i, io.BytesIO(b"owned"))
EOT
say $UPD untar -C "$tmp/staging" "$tmp/escape.tar"
say $UPD untar --list "$tmp/hello-1.5.0.tar.gz"

echo; echo "downloads: file:// here (http and https work the same way; see upd fetch --help)"
say $UPD fetch -o "$tmp/got.tar.gz" --sha256 "$($UPD sha256 "$tmp/hello-1.5.0.tar.gz" | cut -c1-64)" "file://$tmp/hello-1.5.0.tar.gz"
say $UPD fetch -o "$tmp/got2.tar.gz" --sha256 0000000000000000000000000000000000000000000000000000000000000000 "file://$tmp/hello-1.5.0.tar.gz"
