# kpwatch -- build, test, fuzz, bench.  See README.md.
#   make            build build/kpwatch and build/libkpw.a
#   make demo       set up (Debian packages), build, run `kpwatch demo` (screening)
#                   and scripts/demo_streams.sh (generated chain traced, AIS detected)
#   make check      set up, build, run every test (unit, data-driven cases,
#                   real-data conformance, fuzz corpus replay, ASan+UBSan run)
#   make bench      print the speed and memory figures
#   make fuzz       build libFuzzer targets (clang) into build/fuzz/

CC      ?= cc
BUILD   ?= build
PKGS    := expat libutf8proc sqlite3 libmicrohttpd libcurl libcrypto libzstd
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lbz2 -lpthread -lm
# -Wno-format-truncation: bounded snprintf into fixed buffers (explanations,
# error messages) truncates on purpose, and GCC's warning for it changes with
# the optimisation level, so -O1 sanitizer builds would fail where -O2 passes.
WARN    := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wvla -Wformat=2 -Wno-format-truncation
OPT     ?= -O2 -g
CFLAGS  += -std=c17 -D_GNU_SOURCE $(WARN) $(OPT) -Iinclude -Ilib -I$(BUILD)/gen $(PKG_CFLAGS)
LDLIBS  += $(PKG_LIBS)

LIB_SRC  := $(sort $(wildcard lib/*/*.c))
CLI_SRC  := $(sort $(wildcard cli/*.c httpd/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
GEN      := $(BUILD)/gen/unihan_kor.h
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))

.PHONY: all setup demo check test unit cases real fuzz-replay asan bench fuzz clean
all: $(BUILD)/kpwatch

setup:
	@bash scripts/setup.sh

$(BUILD)/gen/unihan_kor.h: scripts/gen_unihan.sh
	@mkdir -p $(dir $@)
	bash scripts/gen_unihan.sh > $@.tmp && mv $@.tmp $@

$(BUILD)/%.o: %.c $(GEN) $(wildcard include/kpw/*.h) $(wildcard lib/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libkpw.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/kpwatch: $(CLI_OBJ) $(BUILD)/libkpw.a
	$(CC) $(CFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libkpw.a $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libkpw.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libkpw.a $(LDLIBS) $(shell pkg-config --libs cmocka)

# Fuzz corpus replay: each target linked with a plain driver that runs it
# over every file of tests/fuzz/corpus/<target>/ (no libFuzzer needed).
$(BUILD)/fuzz-replay/%: tests/fuzz/%.c tests/fuzz/replay_main.c $(BUILD)/libkpw.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< tests/fuzz/replay_main.c $(BUILD)/libkpw.a $(LDLIBS)

demo: setup
	$(MAKE) all
	$(BUILD)/kpwatch demo
	@bash scripts/demo_streams.sh $(BUILD)/kpwatch

unit: $(UNIT_BIN)
	@bash tests/run_unit.sh $(UNIT_BIN)

cases: $(BUILD)/kpwatch
	@bash tests/run_cases.sh $(BUILD)/kpwatch

real: $(BUILD)/kpwatch
	@bash tests/run_real.sh $(BUILD)/kpwatch

fuzz-replay: $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz-replay/%)
	@bash tests/run_fuzz_replay.sh $(BUILD)/fuzz-replay

test: unit cases real fuzz-replay

# Sanitizer run: the same suites, built with ASan+UBSan in build-asan/.
asan:
	$(MAKE) BUILD=build-asan OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	  LDFLAGS="-fsanitize=address,undefined" test

# Each suite appends "passed failed" to $(TALLY); the last line is the total.
check: export TALLY := $(abspath $(BUILD))/check-tally.txt
check: setup
	@mkdir -p $(BUILD) && rm -f $(TALLY)
	$(MAKE) all
	$(MAKE) test
	$(MAKE) asan
	@awk '{p+=$$1; f+=$$2} END {printf "check: %d passed, %d failed\n", p, f}' $(TALLY)

$(BUILD)/bench_match: bench/bench_match.c $(BUILD)/libkpw.a
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libkpw.a $(LDLIBS)

bench: all $(BUILD)/bench_match
	@bash bench/run.sh $(BUILD)/kpwatch $(BUILD)/bench_match
	@bash bench/chain.sh $(BUILD)/kpwatch
	@bash bench/ais.sh $(BUILD)/kpwatch

fuzz: $(BUILD)/libkpw.a
	@bash tests/fuzz/build.sh

clean:
	rm -rf build build-asan
