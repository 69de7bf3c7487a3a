# movierec — a terminal movie recommender.
#
#   make            build ./movierec
#   make run        install missing Debian packages, fetch the data, build, start
#   make test       install missing packages, fetch the data, build, run every test,
#                   then the whole suite again under AddressSanitizer + UBSan, then the
#                   valgrind stage of make check
#   make data       fetch ml-latest-small (or copy it from $MOVIELENS_MIRROR)
#   make check      the quick unit tests and a few commands under valgrind
#   make fuzz       libFuzzer targets (tests/fuzz), FUZZ_SECONDS each (default 60)
#   make bench      benchmarks on ml-latest-small (bench-large: 25M synthetic ratings)
#   make install    PREFIX=/usr/local DESTDIR= (binary and man page)
#
# Variants: BUILD=build/asan SAN=1 builds with sanitizers; V=1 shows the commands;
# WERROR=1 (set automatically when CI=true) turns warnings into errors.

VERSION    := 0.1.0
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
MANPREFIX  ?= $(PREFIX)/share/man
MANDIR     ?= $(MANPREFIX)/man1

CC         ?= cc
AR         ?= ar
PKG_CONFIG ?= pkg-config
BUILD      ?= build

CFLAGS     ?= -O2 -g
WARNINGS   := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes
ifeq ($(CI),true)
WERROR     ?= 1
endif
ifeq ($(WERROR),1)
WARNINGS   += -Werror
endif
ifeq ($(SAN),1)
SANFLAGS   := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif
ifeq ($(COVERAGE),1)
SANFLAGS   += --coverage
endif

CURSES_CFLAGS := $(shell $(PKG_CONFIG) --cflags ncursesw 2>/dev/null)
CURSES_LIBS   := $(shell $(PKG_CONFIG) --libs ncursesw 2>/dev/null || echo -lncursesw)
READLINE_LIBS := -lreadline
CSV_LIBS      := -lcsv

MR_CPPFLAGS := -Iinclude -D_GNU_SOURCE -DMOVIEREC_VERSION=\"$(VERSION)\"
MR_CFLAGS   := -std=c11 $(WARNINGS) $(CFLAGS) $(SANFLAGS) -pthread -MMD -MP
MR_LDFLAGS  := $(LDFLAGS) $(SANFLAGS) -pthread

ENGINE_SRC := $(sort $(wildcard src/engine/*.c))
CLI_SRC    := $(sort $(wildcard src/cli/*.c))
TUI_SRC    := $(sort $(wildcard src/tui/*.c))
UNIT_SRC   := $(sort $(wildcard tests/unit/test_*.c))
BENCH_SRC  := $(sort $(wildcard bench/*.c))

ENGINE_OBJ := $(ENGINE_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ    := $(CLI_SRC:%.c=$(BUILD)/%.o)
TUI_OBJ    := $(TUI_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_BIN  := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
LIB        := $(BUILD)/libmovierec.a

ifeq ($(BUILD),build)
PROGRAM    := movierec
else
PROGRAM    := $(BUILD)/movierec
endif

ifeq ($(V),1)
Q :=
else
Q := @
endif

.PHONY: all run test check unit data deps deps-test bench bench-large coverage fuzz \
        format format-check install uninstall clean tests

all: $(PROGRAM)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(MR_CPPFLAGS) $(CURSES_CFLAGS) $(CPPFLAGS) $(MR_CFLAGS) -c -o $@ $<

$(LIB): $(ENGINE_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(PROGRAM): $(CLI_OBJ) $(TUI_OBJ) $(LIB)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(MR_LDFLAGS) -o $@ $(CLI_OBJ) $(TUI_OBJ) $(LIB) $(CURSES_LIBS) $(READLINE_LIBS) $(CSV_LIBS) -lm

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TEST-CC $<")
	$(Q)$(CC) $(MR_CPPFLAGS) -Itests/unit $(CPPFLAGS) $(MR_CFLAGS) -o $@ $< $(MR_LDFLAGS) $(LIB) -lcmocka $(CSV_LIBS) -lm

$(BUILD)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  BENCHCC $<")
	$(Q)$(CC) $(MR_CPPFLAGS) $(CPPFLAGS) $(MR_CFLAGS) -o $@ $< $(MR_LDFLAGS) $(LIB) $(CSV_LIBS) -lm

tests: $(PROGRAM) $(UNIT_BIN)

# Set-up that running and testing need: Debian packages and the data set.
deps:
	@scripts/deps.sh run

deps-test:
	@scripts/deps.sh test

data:
	@scripts/fetch-data.sh data

run: deps data
	@$(MAKE) --no-print-directory all
	./$(PROGRAM)

# The whole suite, then again under AddressSanitizer + UndefinedBehaviorSanitizer, then the
# quick unit tests and a few commands under valgrind (scripts/valgrind.sh).  The hybrid of
# ml-latest-small is trained once, by the plain build, and shared by every script.
test: deps-test data
	@$(MAKE) --no-print-directory tests
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 tests
	@scripts/run-tests.sh --valgrind build build/asan

# Only the unit tests of one build, quickly: make unit [BUILD=...]
unit: $(UNIT_BIN)
	@scripts/run-tests.sh --unit-only $(BUILD)

bench: deps-test data
	@$(MAKE) --no-print-directory BUILD=build/bench CFLAGS="-O3 -march=native -g" build/bench/movierec $(BENCH_SRC:bench/%.c=build/bench/bench/%)
	@scripts/bench.sh small

bench-large: deps-test data
	@$(MAKE) --no-print-directory BUILD=build/bench CFLAGS="-O3 -march=native -g" build/bench/movierec $(BENCH_SRC:bench/%.c=build/bench/bench/%)
	@scripts/bench.sh large

# libFuzzer targets of tests/fuzz, FUZZ_SECONDS each (default 60); installs clang if needed.
fuzz:
	@scripts/fuzz.sh

# The quick unit tests and a few commands under valgrind: memory errors and leaks.
check: deps-test data
	@$(MAKE) --no-print-directory tests
	@scripts/valgrind.sh build

# Line coverage of the engine by the unit, end-to-end and TUI tests (counts of this run only; a
# failing test is listed, and coverage is still reported), then the ten worst-covered files.
# Built at -O0: at -O1 or -Og gcc merges a function's "return MR_ENOMEM" lines and they drop
# out of the count (split.c: 379 lines at -O0, 354 at -O1), which flatters the figure.  Counters
# stay atomic (-pthread's default): -fprofile-update=single is 2.6x faster but threads lose
# increments and gcov derives negative counts.  The suite runs at nice $(COVERAGE_NICE) (about
# 700 s of CPU; test_hybrid 265 s); a build of other flags in build/cov is thrown away first.
# libgcov's messages go to build/cov/gcov-errors.log, not into the output the tests check: the
# commands run under a file size limit (test_import.sh, test_tui.sh) cannot write their counts,
# and the partly written record can come out inconsistent (a negative call count), which gcovr
# is told to skip.
COVERAGE_NICE  ?= 15
COVERAGE_FLAGS := -O0 -g
coverage: data
	@scripts/deps.sh coverage
	@if [ "$$(cat build/cov/cflags 2>/dev/null)" != "$(COVERAGE_FLAGS)" ]; then rm -rf build/cov; fi
	@$(MAKE) --no-print-directory BUILD=build/cov COVERAGE=1 CFLAGS="$(COVERAGE_FLAGS)" tests
	@echo "$(COVERAGE_FLAGS)" >build/cov/cflags
	@find build/cov -name '*.gcda' -delete
	@rm -f build/cov/gcov-errors.log
	@if GCOV_ERROR_FILE=$(CURDIR)/build/cov/gcov-errors.log nice -n $(COVERAGE_NICE) \
	    scripts/run-tests.sh build/cov >build/cov/tests.log 2>&1; then \
	 tail -n 1 build/cov/tests.log; else sed -n '/^=== failures/,$$p' build/cov/tests.log; fi
	@if [ -s build/cov/gcov-errors.log ]; then echo "libgcov: $$(wc -l <build/cov/gcov-errors.log)" \
	    "messages in build/cov/gcov-errors.log (counts of processes under a file size limit)"; fi
	@nice -n $(COVERAGE_NICE) gcovr --root . --filter src/engine/ --object-directory build/cov \
	    --gcov-ignore-parse-errors --print-summary build/cov >build/cov/coverage.txt
	@cat build/cov/coverage.txt
	@echo "worst covered:"
	@awk '$$1 ~ /^src\/engine\// { p = $$4; sub(/%/, "", p); \
	    printf "  %3d%%  %-32s %5d of %5d lines\n", p, $$1, $$3, $$2 }' build/cov/coverage.txt | \
	    sort -n | head -n 10

format:
	clang-format -i $(ENGINE_SRC) $(CLI_SRC) $(TUI_SRC) $(UNIT_SRC) $(BENCH_SRC) $(wildcard include/movierec/*.h src/*/*.h tests/unit/*.h)

format-check:
	@clang-format --dry-run --Werror $(ENGINE_SRC) $(CLI_SRC) $(TUI_SRC) $(UNIT_SRC) $(BENCH_SRC) $(wildcard include/movierec/*.h src/*/*.h tests/unit/*.h)

install: $(PROGRAM)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)
	install -m 0755 $(PROGRAM) $(DESTDIR)$(BINDIR)/movierec
	install -m 0644 man/movierec.1 $(DESTDIR)$(MANDIR)/movierec.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/movierec $(DESTDIR)$(MANDIR)/movierec.1

clean:
	rm -rf build movierec

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
