#!/bin/sh
# The stored fuzz corpora, replayed under ASan+UBSan without libFuzzer: each
# file is one check. All files run in one process first; if that crashes,
# each runs in its own process, so that one crash does not hide the rest.
# For the gunzip target every input is decoded in the chunking its first
# two bytes select and compared with zlib (tests/fuzz/fuzz_gunzip.c); a
# mismatch aborts, which is the failure. For the tar target every input is
# extracted into a fresh directory and checked for anything written outside
# it (tests/fuzz/fuzz_tar.c). For the http target every input is fed to the
# response parser in the pieces its first byte selects and checked for the
# parser's invariants (tests/fuzz/fuzz_http.c). The manifest target checks
# the parser and release selection against the documented rules, the
# minisig target the key and signature parsers and verification (a changed
# byte never verifies), the marker target the engine's journal and what
# upd_startup does with it (nothing outside its dirs, no tree lost), the
# patch target applies UPDDIFF1 patches and checks them against a model of
# the format (and zlib), the treelist target checks tree listings against
# a fixed tree and a reference checker (tests/fuzz/fuzz_patch.c,
# fuzz_treelist.c). The targets are the Makefile's FUZZ_TARGETS. `make
# fuzz` grows the corpora.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
B=${B:-build}

for t in $(sed -n 's/^FUZZ_TARGETS *:= *//p' Makefile); do
    bin=$B/asan/fuzz_replay_$t
    dir=tests/fuzz/corpus/$t
    if [ ! -x "$bin" ]; then fail "fuzz-$t" "$bin is not built (make $bin)"; continue; fi
    n=$(find "$dir" -maxdepth 1 -type f ! -name '.*' | wc -l)
    if [ "$n" -eq 0 ]; then fail "fuzz-$t" "no corpus files in $dir"; continue; fi
    if out=$({ "$bin" "$dir"; } 2>&1) && [ "$(printf '%s\n' "$out" | tail -n 1)" = "$n passed, 0 failed" ]; then
        i=0; while [ "$i" -lt "$n" ]; do pass; i=$((i + 1)); done
        continue
    fi
    for f in "$dir"/*; do
        [ -f "$f" ] || continue
        if msg=$({ "$bin" "$f"; } 2>&1); then pass
        else fail "fuzz-$t ${f##*/}" "$(printf '%s\n' "$msg" | grep -m 3 -E 'fuzz_|ERROR|runtime error' | tr '\n' ' ')"; fi
    done
done
summary
