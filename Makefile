# updater.h - build, test, bench, demo.
#   make          build/upd (optimized, as users get it) and the test binaries
#   make test     unit tests under ASan+UBSan and valgrind, compile checks,
#                 CLI tests against real tools; ends with "N passed, N failed"
#   make bench    speed ratios against the anchors (sha256sum, ...)
#   make demo     shows what works today
CC      ?= cc
CFLAGS  ?= -O2
WARN    := -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
CWARN   := $(WARN) -Wstrict-prototypes -Wmissing-prototypes
SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
B       := build
HDR     := updater.h
TESTSRC := tests/test_main.c tests/test.h $(wildcard tests/t_*.c)

.PHONY: all test bench demo clean
all: $(B)/upd $(B)/asan/test_main $(B)/test_main

$(B)/upd: examples/upd.c $(HDR)
	@mkdir -p $(B)
	$(CC) -std=c99 $(CFLAGS) $(CWARN) -Werror -o $@ examples/upd.c

$(B)/asan/test_main: $(TESTSRC) $(HDR)
	@mkdir -p $(B)/asan
	$(CC) -std=c99 -O1 -g $(SAN) -Wall -Wextra -Wpedantic -Werror -o $@ tests/test_main.c

$(B)/test_main: $(TESTSRC) $(HDR)
	@mkdir -p $(B)
	$(CC) -std=c99 -O1 -g -Wall -Wextra -Wpedantic -Werror -o $@ tests/test_main.c

$(B)/asan/upd: examples/upd.c $(HDR)
	@mkdir -p $(B)/asan
	$(CC) -std=c99 -O1 -g $(SAN) $(CWARN) -Werror -o $@ examples/upd.c

test: $(B)/upd $(B)/asan/upd $(B)/asan/test_main $(B)/test_main
	@sh tests/run.sh

bench: $(B)/upd
	@sh bench/run.sh

demo: $(B)/upd
	@sh examples/demo.sh

clean:
	rm -rf $(B)
