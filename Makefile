# minit: a tiny static PID 1 for containers.
# make            static ./minit (musl, libseccomp and libcap linked in)
# make LIBC=glibc static ./minit with gcc and Debian's static libraries
# make deps       install the Debian packages and build libseccomp and libcap
#                 for musl (the only targets that change the system: deps and
#                 the ones that need it, check, demo, bench, check-*, lint, fuzz)
# make check      make deps, build, run every test
# make demo       make deps, then minit as PID 1 supervising a preforking server
.DELETE_ON_ERROR:
.PHONY: all check demo asan lint fuzz bench unit test-helpers packages deps install clean format \
	check-bats check-asan check-valgrind check-e2e FORCE

PREFIX ?= /usr/local
DESTDIR ?=
LIBC ?= musl
BUILD := build
VERSION := 0.1.0
COMMIT := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

SRCS := base/fd.c base/log.c base/parse.c base/status.c \
	reaper/reaper.c reaper/tree.c reaper/kill.c reaper/mounts.c reaper/cgroup.c reaper/oom.c spawn/spawn.c spawn/privs.c \
	init/options.c init/listen.c init/config.c init/supervise.c init/effects.c init/loop.c \
	init/notify_parse.c init/dgram.c init/notify.c init/control_fmt.c init/control.c \
	init/install.c init/main.c
HDRS := $(wildcard base/*.h init/*.h spawn/*.h reaper/*.h)
# What the unit tests and fuzz targets link: no process is made, no signal sent.
PURE_SRCS := base/fd.c base/log.c base/parse.c base/status.c init/options.c init/listen.c \
	init/config.c init/supervise.c init/notify_parse.c init/control_fmt.c init/dgram.c

WARN := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes -Wvla \
	-Wpointer-arith -Wcast-qual -Wundef -Wnull-dereference
ifeq ($(CI),true)
WARN += -Werror
endif
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -DMINIT_VERSION='"$(VERSION)"' \
	-DMINIT_COMMIT='"$(COMMIT)"' $(WARN)
HARDEN := -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fno-plt
SIZE := -Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables
SIZE_LD := -static -Wl,--gc-sections -Wl,-O1 -s

ifeq ($(LIBC),glibc)
CC := gcc
DEPS_CFLAGS :=
DEPS_LIBS := -lcap
DEPS_STAMP :=
else
DEPS_STAMP := $(BUILD)/deps/flags.mk
-include $(DEPS_STAMP)
CC := musl-gcc
endif

# Plain make only compiles: without what `make deps` provides it stops with
# one line saying so, before anything is run.
BUILD_GOALS := all minit install
ifneq ($(filter $(or $(MAKECMDGOALS),all),$(BUILD_GOALS)),)
ifneq ($(DEPS_STAMP)$(filter-out x86_64,$(or $(ARCH),x86_64)),)
ifeq ($(filter-out x86_64,$(or $(ARCH),x86_64))$(wildcard $(DEPS_STAMP)),)
$(error $(DEPS_STAMP) is missing: run 'make deps' first (it installs Debian's packages and builds libseccomp and libcap for musl))
endif
endif
endif

all: minit

packages:
	@scripts/packages.sh

deps:
	@scripts/packages.sh
	@scripts/build-deps.sh $(BUILD)/deps

# A target that needs the dependencies runs `make deps` first, then itself.
SUBMAKE := $(MAKE) --no-print-directory

# --seccomp default's BPF program, made at build time by a host tool linked
# with the build machine's libseccomp (spawn/seccomp_gen.c), per architecture.
$(BUILD)/seccomp-gen: spawn/seccomp_gen.c
	@mkdir -p $(@D)
	gcc -O2 -Wall -Wextra -o $@ $< -lseccomp
$(BUILD)/gen/%/seccomp_filter.h: $(BUILD)/seccomp-gen
	@mkdir -p $(@D)
	$(BUILD)/seccomp-gen $* >$@.tmp && mv -f $@.tmp $@
GEN_X86_64 := $(BUILD)/gen/x86_64/seccomp_filter.h
GEN_CFLAGS := -I$(BUILD)/gen/x86_64

minit: $(SRCS) $(HDRS) $(GEN_X86_64) $(wildcard $(DEPS_STAMP)) Makefile
	$(CC) $(BASE_CFLAGS) $(GEN_CFLAGS) $(HARDEN) $(SIZE) $(DEPS_CFLAGS) $(CFLAGS) -o $@ $(SRCS) \
		$(SIZE_LD) $(DEPS_LIBS) $(LDFLAGS)
	@file $@ | grep -q 'statically linked' || { echo "error: $@ is not static" >&2; rm -f $@; exit 1; }
	@echo "minit: $$(stat -c %s $@) bytes, static"

# Dynamic glibc build with AddressSanitizer and UBSan; the bats suite runs against it.
minit-asan: $(SRCS) $(HDRS) $(GEN_X86_64) Makefile
	gcc $(BASE_CFLAGS) $(GEN_CFLAGS) -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
		-fno-sanitize-recover=undefined $(CFLAGS) -o $@ $(SRCS) -lcap

asan: minit-asan

# Dynamic glibc build without sanitizers for valgrind memcheck (the static
# musl ./minit has no malloc valgrind can intercept); the bats suite runs
# against it under valgrind (VALGRIND=1, see tests/lib/valgrind.bash). It loads
# the system libc from a copy valgrind finds no debug information for, which
# makes each start under valgrind 40% cheaper (scripts/valgrind-libc.sh);
# `make -B minit-valgrind VALGRIND_LIBC=system` links the system libc instead
# (libc frames in valgrind's reports then have file and line).
VALGRIND_LIBC ?= copy
ifeq ($(VALGRIND_LIBC),system)
VG_LIBC :=
VG_LDFLAGS :=
else
VG_LIBC := $(BUILD)/valgrind/libc.so.6
VG_LDFLAGS := -Wl,-rpath,$(CURDIR)/$(BUILD)/valgrind
endif
# Run every time: the script rewrites the copy only when the system libc has
# changed (and gcc may not be installed yet when make reads this file).
$(BUILD)/valgrind/libc.so.6: FORCE
	@scripts/valgrind-libc.sh "$$(gcc -print-file-name=libc.so.6)" $@
FORCE:
minit-valgrind: $(SRCS) $(HDRS) $(GEN_X86_64) $(VG_LIBC) Makefile
	gcc $(BASE_CFLAGS) $(GEN_CFLAGS) -O1 -g -fno-omit-frame-pointer $(CFLAGS) -o $@ $(SRCS) -lcap \
		$(VG_LDFLAGS) $(LDFLAGS)

# Probes and fixtures for tests, demo and benchmarks.
HELPERS := $(patsubst tests/helpers/%.c,$(BUILD)/tests/%,$(wildcard tests/helpers/*.c)) \
	$(patsubst tests/fixtures/%.c,$(BUILD)/tests/%,$(wildcard tests/fixtures/*.c))
$(BUILD)/tests/%: tests/helpers/%.c
	@mkdir -p $(@D)
	gcc -O2 -Wall -Wextra -o $@ $<
$(BUILD)/tests/%: tests/fixtures/%.c
	@mkdir -p $(@D)
	gcc -O2 -Wall -Wextra -o $@ $<
test-helpers: $(HELPERS)

# Unit tests of the pure parts (options, parsers, supervision policy).
UNIT_SRCS := $(wildcard tests/unit/*.c)
$(BUILD)/tests/unit: $(UNIT_SRCS) $(PURE_SRCS) $(HDRS)
	@mkdir -p $(@D)
	gcc $(BASE_CFLAGS) -g -fsanitize=address,undefined -o $@ $(UNIT_SRCS) $(PURE_SRCS)
unit: $(BUILD)/tests/unit
	$(BUILD)/tests/unit

check:
	@$(SUBMAKE) deps
	@$(SUBMAKE) minit minit-asan minit-valgrind test-helpers $(BUILD)/tests/unit
	@scripts/check.sh

check-bats:
	@$(SUBMAKE) deps
	@$(SUBMAKE) minit test-helpers
	bats tests

check-asan:
	@$(SUBMAKE) deps
	@$(SUBMAKE) minit-asan test-helpers
	MINIT=$(CURDIR)/minit-asan bats tests

check-valgrind:
	@$(SUBMAKE) deps
	@$(SUBMAKE) minit-valgrind test-helpers
	MINIT=$(CURDIR)/minit-valgrind VALGRIND=1 bats tests

check-e2e:
	@$(SUBMAKE) deps
	@scripts/packages.sh --e2e
	@$(SUBMAKE) minit test-helpers
	bats tests/e2e

demo:
	@$(SUBMAKE) deps
	@$(SUBMAKE) minit test-helpers
	@scripts/demo.sh

bench:
	@$(SUBMAKE) deps
	@scripts/packages.sh --bench
	@$(SUBMAKE) minit test-helpers
	bench/run.sh --out bench/results

lint:
	@scripts/packages.sh
	@$(SUBMAKE) $(GEN_X86_64)
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
		--std=c11 -D_GNU_SOURCE --inline-suppr --suppress=missingIncludeSystem $(GEN_CFLAGS) $(SRCS)
	clang-tidy --quiet $(SRCS) -- $(BASE_CFLAGS) $(GEN_CFLAGS) -I/usr/include

FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/*.c))
$(BUILD)/fuzz/%: tests/fuzz/%.c $(PURE_SRCS) $(HDRS)
	@mkdir -p $(@D)
	clang $(BASE_CFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined -o $@ $< $(PURE_SRCS)
FUZZ_SECONDS ?= 20
fuzz: $(FUZZ_TARGETS)
	@for t in $(FUZZ_TARGETS); do \
		n=$$(basename $$t); mkdir -p $(BUILD)/fuzz/corpus-$$n; \
		echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
		$$t -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=1024 -print_final_stats=0 \
			-artifact_prefix=$(BUILD)/fuzz/$$n- $(BUILD)/fuzz/corpus-$$n \
			$$(test -d tests/fuzz/seeds/$$n && echo tests/fuzz/seeds/$$n) \
			>$(BUILD)/fuzz/$$n.log 2>&1 || { tail -n 40 $(BUILD)/fuzz/$$n.log; exit 1; }; \
		tail -n 1 $(BUILD)/fuzz/$$n.log; \
	done

format:
	clang-format -i $(SRCS) $(HDRS)

install: minit
	install -D -m 0755 minit $(DESTDIR)$(PREFIX)/sbin/minit
	install -D -m 0644 minit.1 $(DESTDIR)$(PREFIX)/share/man/man1/minit.1

clean:
	rm -f minit minit-asan minit-valgrind
	rm -rf $(BUILD)/tests $(BUILD)/fuzz $(BUILD)/bench $(BUILD)/valgrind

# Cross builds, check-cross, dist, deb (issue 14): see mk/ship.mk.
include mk/ship.mk
