#!/bin/sh
# Compile-only checks: the header as C99 (gcc, clang) and C++ (g++, clang++)
# with warnings as errors; two translation units linked together; the
# UPDATER_STATIC build; the allocator override macros.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
W="-Wall -Wextra -Wpedantic -Werror -Wshadow -Wconversion -Wsign-conversion"
printf '#define UPDATER_IMPLEMENTATION\n#include "updater.h"\nint main(void){return 0;}\n' >"$out/tu.c"
cp "$out/tu.c" "$out/tu.cpp"

cc_check() { # NAME COMPILER ARGS...
    n=$1 c=$2; shift 2
    if ! have "$c"; then skip "$n" "$c is not installed"; return; fi
    if msg=$("$c" "$@" 2>&1); then pass; else fail "$n" "$(printf '%s' "$msg" | head -n 5)"; fi
}
for c in gcc clang; do
    cc_check "$c-c99" $c -std=c99 $W -Wstrict-prototypes -Wmissing-prototypes -I. -c "$out/tu.c" -o "$out/a.o"
    cc_check "$c-c11-O2" $c -std=c11 -O2 $W -I. -c "$out/tu.c" -o "$out/a.o"
done
cc_check clang-weverything clang -std=c99 -Weverything -Werror -Wno-padded -Wno-declaration-after-statement \
    -Wno-unknown-warning-option -Wno-unsafe-buffer-usage -Wno-covered-switch-default -Wno-disabled-macro-expansion -I. -c "$out/tu.c" -o "$out/a.o"
cc_check "g++-c++11" g++ -std=c++11 $W -I. -c "$out/tu.cpp" -o "$out/a.o"
cc_check "g++-c++98" g++ -std=c++98 -Wall -Wextra -Werror -Wno-long-long -I. -c "$out/tu.cpp" -o "$out/a.o"
cc_check "clang++-c++17" clang++ -std=c++17 $W -I. -c "$out/tu.cpp" -o "$out/a.o"

# two translation units, one with the implementation: no duplicate symbols
if gcc -std=c99 $W -o "$out/two" tests/compile/impl.c tests/compile/user.c 2>"$out/err"; then
    if "$out/two" | grep -q '^0\.1\.0 ba7816bf'; then pass; else fail two-tu "binary gave wrong output"; fi
else fail two-tu "$(head -n 5 "$out/err")"; fi
if g++ -x c++ -std=c++11 -Wall -Wextra -Werror -o "$out/twocpp" tests/compile/impl.c tests/compile/user.c 2>"$out/err"; then
    check two-tu-c++ "$out/twocpp"
else fail two-tu-c++ "$(head -n 5 "$out/err")"; fi
# UPDATER_STATIC: a private copy per translation unit
if gcc -std=c99 $W -o "$out/st" tests/compile/static_a.c tests/compile/static_b.c 2>"$out/err"; then
    check static-two-tu "$out/st"
else fail static-two-tu "$(head -n 5 "$out/err")"; fi
# allocator override with a context, and the #error for a partial override
if gcc -std=c99 -Wall -Wextra -Werror -o "$out/al" tests/compile/alloc.c 2>"$out/err"; then
    check alloc-override "$out/al"
else fail alloc-override "$(head -n 5 "$out/err")"; fi
if gcc -std=c99 -c -o "$out/pa.o" tests/compile/partial_alloc.c 2>"$out/err"; then
    fail partial-alloc "a partial allocator override compiled"
elif grep -q 'UPDATER_MALLOC, UPDATER_REALLOC and UPDATER_FREE' "$out/err"; then pass
else fail partial-alloc "$(head -n 3 "$out/err")"; fi
# a system header before updater.h in strict C99 gives a clear #error
if gcc -std=c99 -c -o "$out/or.o" tests/compile/order.c 2>"$out/err"; then
    fail include-order "compiled although <stdio.h> came first under -std=c99"
elif grep -q 'include updater.h before any system header' "$out/err"; then pass
else fail include-order "$(head -n 3 "$out/err")"; fi
# the declarations alone pull in only <stddef.h> and <stdint.h>
# the HTTPS build (UPDATER_USE_MBEDTLS, Debian's libmbedtls-dev)
if [ -f /usr/include/mbedtls/ssl.h ]; then
    cc_check gcc-mbedtls gcc -std=c99 $W -Wstrict-prototypes -Wmissing-prototypes -DUPDATER_USE_MBEDTLS -I. -c "$out/tu.c" -o "$out/a.o"
    cc_check clang-mbedtls clang -std=c99 $W -DUPDATER_USE_MBEDTLS -I. -c "$out/tu.c" -o "$out/a.o"
    cc_check g++-mbedtls g++ -std=c++11 $W -DUPDATER_USE_MBEDTLS -I. -c "$out/tu.cpp" -o "$out/a.o"
else
    skip mbedtls-build "libmbedtls-dev is not installed (no HTTPS build checked)"
fi
# the portable paths: no __int128 in Ed25519, no CLMUL CRC-32
cc_check gcc-portable gcc -std=c99 $W -DUPDATER_NO_INT128 -DUPDATER_NO_SIMD -I. -c "$out/tu.c" -o "$out/a.o"
printf '#include "updater.h"\n' >"$out/decl.c"
if gcc -std=c99 -I. -E -H "$out/decl.c" 2>&1 >/dev/null | grep '^\.\. ' | grep -vqE '/(stddef|stdint)\.h$'; then
    fail decl-includes "the declaration section includes more than stddef.h and stdint.h"
else pass; fi
summary
