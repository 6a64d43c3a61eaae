# mk/portability.mk - included by the Makefile (docs/portability.md)
#   make portability        updater.h with gcc, clang, tcc, musl and g++ (C++),
#                           on aarch64, armhf and s390x under qemu-user, and
#                           with each UPDATER_NO_* toggle (tests/portability.sh)
#   make portability-quick  tcc and the toggles only (about 30 s)
#   make size               code size of the library and its parts at -Os,
#                           x86-64 and armhf Thumb-2; the static musl upd
#   make size-ram           heap and stack high-water of a whole update
#                           (valgrind massif)
# UPDATER_H=path/to/updater.h runs any of them on another copy of the header.
.PHONY: portability portability-quick size size-ram
portability:
	@sh tests/portability.sh
portability-quick:
	@sh tests/portability.sh quick
size:
	@sh tools/size.sh
size-ram:
	@sh tools/size.sh ram
