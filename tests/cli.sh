#!/bin/sh
# The `upd` command line against its contract (docs/upd.md) and against
# the real tools it must agree with (coreutils sha256sum).
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
B=${B:-build}
UPD=${UPD:-$B/asan/upd}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
SHA=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855

# ---- help, version, usage errors ----
out=$($UPD --help); rc=$?
check_eq help-rc "$rc" 0
for c in vercmp sha256 manifest; do
    if printf '%s\n' "$out" | grep -qE "^  $c "; then pass; else fail "help-lists-$c" "--help does not list $c"; fi
done
check_eq version "$($UPD --version)" "upd 0.1.0"
check_rc no-args 2 $UPD
check_rc unknown-cmd 2 $UPD frobnicate
check_eq unknown-cmd-msg "$($UPD frobnicate 2>&1 >/dev/null)" "upd: unknown command 'frobnicate' (see upd --help)"
check_rc help-cmd 0 $UPD help vercmp
check_rc cmd-help 0 $UPD sha256 --help
check_rc help-unknown 2 $UPD help nope

# ---- vercmp ----
vc() { check_eq "vercmp $1 $2" "$($UPD vercmp "$1" "$2")" "$3"; }
vc 1.10 1.9 1            # the float trap: float("1.10") < float("1.9")
vc 1.9 1.10 -1
vc 1.0.0 1.0.0 0
vc v1.2.3 1.2.3 0
vc 1.5 1.5.0 0
vc 1.0.0-alpha 1.0.0-alpha.1 -1
vc 1.0.0-alpha.1 1.0.0-alpha.beta -1
vc 1.0.0-beta.2 1.0.0-beta.11 -1
vc 1.0.0-rc.1 1.0.0 -1
vc 1.0.0+build.1 1.0.0+build.2 0
vc 4294967296.0.0 4294967295.99.99 1
vc 1.0.0-1 1.0.0-a -1
check_rc vercmp-invalid 1 $UPD vercmp 1.02 1.0
check_eq vercmp-invalid-msg "$($UPD vercmp 1.0 1.2.3.4 2>&1)" \
    "upd: invalid version '1.2.3.4': more than three version numbers"
check_rc vercmp-one-arg 2 $UPD vercmp 1.0
check_rc vercmp-three-args 2 $UPD vercmp 1 2 3

# ---- sha256 against sha256sum ----
if have sha256sum && have head; then
    for n in 0 1 3 55 56 63 64 65 111 112 127 128 129 4096 65536 65537 1048577; do
        head -c "$n" /dev/urandom >"$tmp/r$n"
        check_eq "sha256 $n bytes" "$($UPD sha256 "$tmp/r$n")" "$(sha256sum "$tmp/r$n")"
    done
    check_eq "sha256 many files" "$(cd "$tmp" && $OLDPWD/$UPD sha256 r0 r1 r65 r1048577)" \
        "$(cd "$tmp" && sha256sum r0 r1 r65 r1048577)"
    for f in /bin/sh "$UPD"; do
        check_eq "sha256 $f" "$($UPD sha256 "$f")" "$(sha256sum "$f")"
    done
    check_eq "sha256 stdin" "$($UPD sha256 <"$tmp/r4096")" "$(sha256sum <"$tmp/r4096")"
    check_eq "sha256 dash" "$($UPD sha256 - <"$tmp/r65")" "$(sha256sum - <"$tmp/r65")"
    # names that sha256sum escapes: backslash, newline, carriage return; and a space
    mkdir "$tmp/names"
    printf a >"$tmp/names/with space"
    printf b >"$tmp/names/back\\slash"
    printf c >"$tmp/names/$(printf 'new\nline')"
    printf d >"$tmp/names/$(printf 'car\rret')"
    check_eq "sha256 escaped names" "$(cd "$tmp/names" && $OLDPWD/$UPD sha256 * | od -c)" \
        "$(cd "$tmp/names" && sha256sum * | od -c)"
    # errors: keep going, exit 1, messages like sha256sum's
    out=$($UPD sha256 "$tmp/r1" "$tmp/missing" "$tmp" "$tmp/r3" 2>"$tmp/err"); rc=$?
    check_eq "sha256 errors rc" "$rc" 1
    check_eq "sha256 errors stdout" "$out" "$(sha256sum "$tmp/r1" "$tmp/r3")"
    check_eq "sha256 errors stderr" "$(cat "$tmp/err")" \
        "$(printf 'upd: %s: No such file or directory\nupd: %s: Is a directory' "$tmp/missing" "$tmp")"
    check_rc "sha256 bad option" 2 $UPD sha256 --bogus
else
    skip sha256-vs-sha256sum "sha256sum (coreutils) is not installed"
fi

# ---- manifest ----
cat >"$tmp/versions" <<EOT
# a manifest as DESIGN.md shows it
@serial 42
@expires 2099-12-31T00:00:00Z
hello 1.4.0 url=hello-1.4.0.tar.gz size=123456 sha256=$SHA
hello 1.4.0 from=1.3.2 url=hello-1.3.2-to-1.4.0.tar.gz size=2345 sha256=$SHA
hello 1.5.0-beta.1 channel=beta url=hello-1.5.0-beta.1.tar.gz size=130000 sha256=$SHA
other 2.0 url=https://cdn.example.org/other-2.0.tar.gz size=99 sha256=$SHA critical=1
EOT
BASE=https://example.org/hello/versions
out=$($UPD manifest --base $BASE "$tmp/versions"); rc=$?
check_eq manifest-rc "$rc" 0
check_eq manifest-serial "$(printf '%s\n' "$out" | sed -n 1p)" "serial 42"
check_eq manifest-expires "$(printf '%s\n' "$out" | sed -n 2p)" "expires 2099-12-31T00:00:00Z"
check_eq manifest-count "$(printf '%s\n' "$out" | grep -c ' sha256=')" 4
check_eq manifest-relative-url "$(printf '%s\n' "$out" | sed -n 3p | sed 's/.* url=\([^ ]*\).*/\1/')" \
    "https://example.org/hello/hello-1.4.0.tar.gz"
out=$($UPD manifest --base $BASE --app hello --current 1.3.2 "$tmp/versions")
check_eq manifest-select-delta "$(printf '%s\n' "$out" | sed -n '3p;4p' | cut -d' ' -f1-3)" \
    "$(printf 'update hello 1.4.0\ndelta hello 1.4.0')"
out=$($UPD manifest --base $BASE --app hello --current 1.3.2 --channel beta "$tmp/versions")
check_eq manifest-select-beta "$(printf '%s\n' "$out" | sed -n 3p)" "update hello 1.5.0-beta.1"
out=$($UPD manifest --base $BASE --app hello --current 1.5.0 "$tmp/versions")
check_eq manifest-no-update "$(printf '%s\n' "$out" | sed -n 3p)" "no update"
out=$($UPD manifest --app other --current 1.9 "$tmp/versions")
check_eq manifest-critical "$(printf '%s\n' "$out" | sed -n 3p)" "update other 2.0 critical"
check_rc manifest-expired 1 $UPD manifest --now 4102444800 "$tmp/versions"
check_eq manifest-expired-msg "$($UPD manifest --now 4102444800 "$tmp/versions" 2>&1)" \
    "upd: $tmp/versions: manifest expired at 2099-12-31T00:00:00Z"
check_rc manifest-bad-current 1 $UPD manifest --app hello --current 1.x "$tmp/versions"
check_rc manifest-app-without-current 2 $UPD manifest --app hello "$tmp/versions"
check_rc manifest-missing-file 1 $UPD manifest "$tmp/nope"

bad() { # NAME EXPECTED-MESSAGE-SUBSTRING LINE...
    n=$1 want=$2; shift 2
    printf '%s\n' "$@" >"$tmp/bad"
    msg=$($UPD manifest --base $BASE "$tmp/bad" 2>&1 >/dev/null); rc=$?
    if [ "$rc" = 1 ] && printf '%s' "$msg" | grep -qF -- "$want"; then pass
    else fail "manifest-$n" "exit $rc, message [$msg], want [$want]"; fi
}
bad no-serial "missing @serial" "hello 1.0 url=a size=1 sha256=$SHA"
bad dup-key "line 2: duplicate key 'size'" "@serial 1" "hello 1.0 url=a size=1 size=2 sha256=$SHA"
bad bad-hex "line 2: bad sha256" "@serial 1" "hello 1.0 url=a size=1 sha256=${SHA%?}g"
bad short-hex "line 2: bad sha256" "@serial 1" "hello 1.0 url=a size=1 sha256=${SHA%?}"
bad no-size "line 3: release has no size=" "@serial 1" "" "hello 1.0 url=a sha256=$SHA"
bad bad-serial "line 1: bad @serial" "@serial 18446744073709551616"
bad neg-serial "line 1: bad @serial" "@serial -1"
bad file-url "line 2: bad url" "@serial 1" "hello 1.0 url=file:///etc/passwd size=1 sha256=$SHA"
bad bad-version "line 2: bad version" "@serial 1" "hello 1.0.x url=a size=1 sha256=$SHA"
bad dup-release "line 3: duplicate release" "@serial 1" "hello 1.5 url=a size=1 sha256=$SHA" "hello 1.5.0 url=b size=1 sha256=$SHA"
bad long-line "line 2: line longer than 4096 bytes" "@serial 1" "hello 1.0 url=$(head -c 5000 /dev/zero | tr '\0' a) size=1 sha256=$SHA"
printf '@serial 1\nhello 1.0 url=a size=1\001 sha256=%s\n' $SHA >"$tmp/ctl"
check_eq manifest-control "$($UPD manifest "$tmp/ctl" 2>&1)" "upd: $tmp/ctl: line 2: control character 0x01"
head -c 1048577 /dev/zero | tr '\0' '#' >"$tmp/huge"
check_eq manifest-too-big "$($UPD manifest "$tmp/huge" 2>&1)" "upd: $tmp/huge: manifest larger than the limit"

# the optimized build answers the same as the sanitized one
check_eq optimized-build "$($B/upd manifest --base $BASE "$tmp/versions")" "$($UPD manifest --base $BASE "$tmp/versions")"
summary
