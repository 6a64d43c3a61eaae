# updater.h - build, test, bench, demo.
#   make          build/upd (optimized, as users get it) and the test binaries
#   make test     unit tests under ASan+UBSan and valgrind, compile checks,
#                 CLI tests against real tools; ends with "N passed, N failed"
#   make bench    speed ratios against the anchors (sha256sum, ...)
#   make demo     a program updates itself (make demo-rollback: and rolls back)
CC      ?= cc
CFLAGS  ?= -O2
WARN    := -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
CWARN   := $(WARN) -Wstrict-prototypes -Wmissing-prototypes
SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
B       := build
HDR     := updater.h
UPDSRC  := examples/upd_client.c examples/upd_tree.c examples/upd_diff.c examples/upd_publish.c examples/upd_serve.c
TESTSRC := tests/test_main.c tests/test.h $(wildcard tests/t_*.c)

.PHONY: all test bench demo demo-rollback tour fuzz clean
all: $(B)/upd $(B)/hello $(B)/asan/test_main $(B)/test_main $(B)/asan/gz_driver

$(B)/upd: examples/upd.c $(UPDSRC) $(HDR)
	@mkdir -p $(B)
	$(CC) -std=c99 $(CFLAGS) $(CWARN) -Werror -o $@ examples/upd.c

$(B)/asan/test_main: $(TESTSRC) $(HDR)
	@mkdir -p $(B)/asan
	$(CC) -std=c99 -O1 -g $(SAN) -Wall -Wextra -Wpedantic -Werror -o $@ tests/test_main.c

# the unit tests once more at -Os, which turns UPDATER_SMALL on (rolled
# hash rounds, one CRC table, no SIMD): the compact code must agree too
$(B)/small/test_main: $(TESTSRC) $(HDR)
	@mkdir -p $(B)/small
	$(CC) -std=c99 -Os -g $(SAN) -Wall -Wextra -Wpedantic -Werror -o $@ tests/test_main.c

$(B)/test_main: $(TESTSRC) $(HDR)
	@mkdir -p $(B)
	$(CC) -std=c99 -O1 -g -Wall -Wextra -Wpedantic -Werror -o $@ tests/test_main.c

$(B)/asan/upd: examples/upd.c $(UPDSRC) $(HDR)
	@mkdir -p $(B)/asan
	$(CC) -std=c99 -O1 -g $(SAN) $(CWARN) -Werror -o $@ examples/upd.c

# with HTTPS (mbedTLS, Debian's libmbedtls-dev): the TLS tests use this one
TLSLIBS := -lmbedtls -lmbedx509 -lmbedcrypto
$(B)/upd-tls: examples/upd.c $(UPDSRC) $(HDR)
	@mkdir -p $(B)
	$(CC) -std=c99 $(CFLAGS) -DUPDATER_USE_MBEDTLS $(CWARN) -Werror -o $@ examples/upd.c $(TLSLIBS)
$(B)/asan/upd-tls: examples/upd.c $(UPDSRC) $(HDR)
	@mkdir -p $(B)/asan
	$(CC) -std=c99 -O1 -g $(SAN) -DUPDATER_USE_MBEDTLS $(CWARN) -Werror -o $@ examples/upd.c $(TLSLIBS)

# stream driver for the gzip suite: decodes a file whole, a byte at a time,
# into a one-byte output buffer or in random splits
$(B)/asan/gz_driver: tests/gz_driver.c $(HDR)
	@mkdir -p $(B)/asan
	$(CC) -std=c99 -O1 -g $(SAN) $(CWARN) -Werror -o $@ tests/gz_driver.c

# fuzz targets: the replay driver runs the stored corpus in `make test`
# (zlib is the reference here, never in the header)
FUZZ_TARGETS := gunzip tar http manifest minisig marker patch treelist
$(B)/asan/fuzz_replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(HDR)
	@mkdir -p $(B)/asan
	$(CC) -std=c99 -O1 -g $(SAN) -Wall -Wextra -Wpedantic -Werror -o $@ tests/fuzz/replay.c tests/fuzz/fuzz_$*.c -lz

$(B)/fuzz_%: tests/fuzz/fuzz_%.c $(HDR)
	@mkdir -p $(B)
	clang -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -o $@ tests/fuzz/fuzz_$*.c -lz

FUZZ_SECONDS ?= 60
fuzz: $(foreach t,$(FUZZ_TARGETS),$(B)/fuzz_$(t))
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(B)/corpus/$$t; \
	    echo "== fuzz $$t ($(FUZZ_SECONDS) s)"; \
	    $(B)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=$(B)/ $(B)/corpus/$$t tests/fuzz/corpus/$$t || exit 1; \
	done

test: $(B)/upd $(B)/asan/upd $(B)/asan/upd-tls $(B)/asan/test_main $(B)/test_main $(B)/small/test_main $(B)/asan/gz_driver \
      $(foreach t,$(FUZZ_TARGETS),$(B)/asan/fuzz_replay_$(t))
	@sh tests/run.sh

$(B)/bench_inflate: bench/inflate.c $(HDR)
	@mkdir -p $(B)
	$(CC) -std=c99 -O2 -Wall -Wextra -o $@ bench/inflate.c -lz -ldeflate

# Ed25519 against libsodium when its header is installed (else ours only)
SODIUM := $(if $(wildcard /usr/include/sodium.h),-DHAVE_SODIUM)
$(B)/bench_sign: bench/sign.c $(HDR) $(wildcard /usr/include/sodium.h)
	@mkdir -p $(B)
	$(CC) -std=c99 -O2 -Wall -Wextra $(SODIUM) -o $@ bench/sign.c $(if $(SODIUM),-lsodium)

$(B)/bench_hash: bench/hash.c $(HDR)
	@mkdir -p $(B)
	$(CC) -std=c99 -O2 -Wall -Wextra -o $@ bench/hash.c

bench: $(B)/upd $(B)/bench_inflate $(B)/bench_sign $(B)/bench_hash
	@sh bench/run.sh

# the self-update demo (examples/hello) and the rollback demo; tour: the
# pieces one by one
demo: $(B)/upd
	@sh examples/demo.sh
demo-rollback: $(B)/upd
	@sh examples/demo.sh rollback
tour: $(B)/upd
	@sh examples/tour.sh

# examples/hello at one version (make build/hello HELLO_VERSION=1.2.3)
HELLO_VERSION ?= 1.0.0
$(B)/hello: examples/hello/hello.c examples/hello/updater.c $(HDR)
	@mkdir -p $(B)
	$(CC) -std=c99 $(CFLAGS) $(CWARN) -Werror -DHELLO_VERSION='"$(HELLO_VERSION)"' -o $@ examples/hello/*.c

clean:
	rm -rf $(B)
-include mk/portability.mk
