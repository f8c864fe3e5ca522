# Shipping minit (issue 14): cross builds, their tests under qemu-user,
# release tarballs and a Debian package. Included by the Makefile's last
# lines; uses its SRCS HDRS PURE_SRCS BASE_CFLAGS HARDEN SIZE SIZE_LD
# VERSION BUILD.
#
#   make ARCH=aarch64   build/aarch64/minit (also armhf, i386; x86_64 is ./minit)
#   make cross          every cross architecture
#   make check-cross    unit tests and core bats files against the cross builds
#                       (CROSS_CHECK_ARCHES, see below), under
#                       qemu-user-static through binfmt_misc
#   make dist           dist/minit-VERSION-ARCH.tar.gz for every architecture
#                       and dist/SHA256SUMS, reproducible
#   make check-dist     make dist in two fresh clones: the sums must match
#   make deb            dist/minit_VERSION_DEB.deb, checked with lintian
#   make check-deb      dpkg -i, minit --version, dpkg --purge
#
# The architecture table (dpkg name, gcc triplet, musl triplet, qemu name)
# is scripts/arch.sh, and nothing else: these rules ask it.

CROSS_ARCHES := $(shell scripts/arch.sh --list)
ALL_ARCHES := x86_64 $(CROSS_ARCHES)
ARCH ?= x86_64
ifeq ($(filter $(ARCH),$(ALL_ARCHES)),)
ifeq ($(origin ARCH),environment)
# an ARCH of some other build system's in the environment: not ours to refuse
$(warning ARCH=$(ARCH) from the environment is not one of $(ALL_ARCHES): building x86_64)
override ARCH := x86_64
else
$(error ARCH=$(ARCH) is not one of $(ALL_ARCHES) (scripts/arch.sh))
endif
endif
# `make ARCH=aarch64` builds build/aarch64/minit and nothing else; like plain
# make it only compiles, and says so when `make deps ARCH=aarch64` is due
ifneq ($(ARCH),x86_64)
.DEFAULT_GOAL := $(BUILD)/$(ARCH)/minit
ifeq ($(filter-out $(BUILD)/$(ARCH)/minit,$(MAKECMDGOALS))$(wildcard $(BUILD)/$(ARCH)/deps/flags.mk),)
$(error $(BUILD)/$(ARCH)/deps is missing: run 'make deps ARCH=$(ARCH)' first (it installs the cross compilers and builds libseccomp and libcap for $(ARCH)))
endif
deps: cross-deps-$(ARCH)
endif

# arch_field ARCH N: field N of scripts/arch.sh ARCH (1 deb, 2 gnu, 3 musl, 4 qemu, 5 size target)
arch_field = $(word $(2),$(shell scripts/arch.sh $(1)))

# Reproducible builds: no path of this checkout in the binary (the sources
# are named relative already; the deps' headers are not), no time stamp
# (there is none: __DATE__ is not used), a build id that is a hash of the
# rest (ld's default), the commit from git.
REPRO_CFLAGS := -ffile-prefix-map=$(CURDIR)/=
# musl applies no RELRO to a static binary (its mapping stays writable), and
# on aarch64 the RELRO end padded the file to a 64 KiB page: 55 KB of zeros.
CROSS_LDFLAGS := -Wl,-z,norelro

.PHONY: cross cross-deps check-cross dist check-dist deb check-deb

# The commit every binary names in --version: it changes when HEAD does, so
# no release carries a binary built at an older commit.
$(BUILD)/commit: FORCE
	@mkdir -p $(@D)
	@echo '$(COMMIT)' | cmp -s - $@ || echo '$(COMMIT)' >$@
minit: $(BUILD)/commit
cross:
	@$(SUBMAKE) cross-deps
	@$(SUBMAKE) $(foreach a,$(CROSS_ARCHES),$(BUILD)/$(a)/minit)

# make cross-deps: every architecture's compilers and libraries (make deps
# ARCH=A: one architecture's); the only cross targets that change the system
cross-deps: $(foreach a,$(CROSS_ARCHES),cross-deps-$(a))
cross-deps-%:
	@scripts/packages.sh --cross
	@scripts/build-deps.sh --arch $* $(BUILD)/$*/deps
	@touch $(BUILD)/$*/deps/flags.mk

# cross_rules ARCH: its static stripped minit, its unit test binary
define cross_rules
$(BUILD)/$(1)/deps/flags.mk:
	@echo "$$@ is missing: run 'make deps ARCH=$(1)' first" >&2; exit 1

$(BUILD)/$(1)/minit: $(SRCS) $(HDRS) $(BUILD)/$(1)/deps/flags.mk $(BUILD)/gen/$(1)/seccomp_filter.h \
		$(BUILD)/commit Makefile mk/ship.mk
	@mkdir -p $$(@D)
	$(call arch_field,$(1),3)-gcc $(BASE_CFLAGS) -I$(BUILD)/gen/$(1) $(HARDEN) $(SIZE) $(REPRO_CFLAGS) \
		-isystem $(BUILD)/$(1)/deps/include -isystem $(BUILD)/$(1)/deps/kinclude $(CFLAGS) \
		-o $$@ $(SRCS) $(SIZE_LD) $(CROSS_LDFLAGS) -L$(BUILD)/$(1)/deps/lib -lseccomp -lcap $(LDFLAGS)
	@file $$@ | grep -q 'statically linked' || { echo "error: $$@ is not static" >&2; rm -f $$@; exit 1; }
	@echo "$$@: $$$$(stat -c %s $$@) bytes, static, $$$$(file -b $$@ | cut -d, -f2 | sed 's/^ //')"

# the unit tests of the pure parts, static (no sanitizer for musl)
$(BUILD)/$(1)/tests/unit: $(UNIT_SRCS) $(PURE_SRCS) $(HDRS) $(BUILD)/$(1)/deps/flags.mk
	@mkdir -p $$(@D)
	$(call arch_field,$(1),3)-gcc $(BASE_CFLAGS) -g -static \
		-isystem $(BUILD)/$(1)/deps/include -isystem $(BUILD)/$(1)/deps/kinclude \
		-o $$@ $(UNIT_SRCS) $(PURE_SRCS)
endef
$(foreach a,$(CROSS_ARCHES),$(eval $(call cross_rules,$(a))))

# ---- tests under emulation -----------------------------------------------------
# ARCH[:FILE,...]: aarch64 runs emulated with every core bats file; i386 runs
# natively on x86_64, and its exit codes and privileges (its seccomp filter
# for real, with 64-bit children) are what differ from x86_64. The whole
# matrix: make check-cross CROSS_CHECK_ARCHES="aarch64 armhf i386".
CROSS_CHECK_ARCHES ?= aarch64 i386:01-exit-codes,40-privs
CROSS_CHECK_BUILDS := $(foreach a,$(CROSS_CHECK_ARCHES),$(firstword $(subst :, ,$(a))))
check-cross:
	@$(SUBMAKE) $(foreach a,$(CROSS_CHECK_BUILDS),cross-deps-$(a))
	@$(SUBMAKE) test-helpers $(foreach a,$(CROSS_CHECK_BUILDS),$(BUILD)/$(a)/minit $(BUILD)/$(a)/tests/unit)
	@scripts/check-cross.sh $(CROSS_CHECK_ARCHES)

# ---- release tarballs and Debian packages ----------------------------------------
# every architecture's binary as ARCH=PATH (x86_64's is ./minit)
arch_bin = $(if $(filter x86_64,$(1)),minit,$(BUILD)/$(1)/minit)
SHIP_BINS := $(foreach a,$(ALL_ARCHES),$(call arch_bin,$(a)))
SHIP_SPECS := $(foreach a,$(ALL_ARCHES),$(a)=$(call arch_bin,$(a)))
DIST := dist

dist:
	@$(SUBMAKE) deps cross-deps
	@$(SUBMAKE) $(SHIP_BINS)
	@scripts/dist.sh $(DIST) $(VERSION) $(SHIP_SPECS)

# the same release built in two fresh clones at different paths: equal sums
check-dist:
	@scripts/check-dist.sh

deb:
	@$(SUBMAKE) deps cross-deps
	@scripts/packages.sh --deb
	@$(SUBMAKE) $(SHIP_BINS)
	@scripts/deb.sh $(DIST) $(VERSION) $(SHIP_SPECS)

# install the native package with dpkg, run it, remove it
check-deb: deb
	@scripts/check-deb.sh $(DIST)/minit_$(VERSION)_amd64.deb

clean: clean-ship
clean-ship:
	rm -rf $(DIST) $(foreach a,$(CROSS_ARCHES),$(BUILD)/$(a)/minit $(BUILD)/$(a)/tests)
.PHONY: clean-ship
