# SPDX-License-Identifier: GPL-2.0
# shmap: top-level build.
#
#   make                 build what ships: libshmap, shmapctl (host)
#   make tests           the test builds: libshmap -m32 and under ASan/UBSan, the
#                        header, ABI and man page checks, the examples, the test programs
#   make module          build shmap.ko for KDIR (default: the running kernel)
#   make dkms-source     the module source as DKMS wants it, in
#                        $(DESTDIR)/usr/src/shmap-$(VERSION) (dkms.conf with this version)
#   make version         print the version
#   make demo            boot a Debian kernel under QEMU and run the demo
#   make check           build everything and run the whole suite in the guests
#   make bench           benchmark shmap against anonymous memory and memfd in the guests
#                        (KERNELS, BENCH_MODE=icount|wall, BENCH_SIZES, BENCH_REPS: see
#                        tests/bench/README.md)
#
# Everything user space builds into $(BUILD); caches live in $(SHMAP_CACHE).

# The version of shmap: the module (src/Kbuild reads it from here, also in the DKMS
# tree), libshmap, shmapctl and, through #MODULE_VERSION#, dkms.conf. debian/changelog's
# upstream version must be the same (tests/packaging/build-debs.sh checks it).
VERSION := 0.3.0
BUILD ?= $(CURDIR)/build
KDIR ?= /lib/modules/$(shell uname -r)/build
SHMAP_CACHE ?= /var/cache/shmap
export VERSION BUILD SHMAP_CACHE

.PHONY: all lib tests module module-clean check lint demo bench install uninstall clean \
	dkms-source version

all: lib

lib:
	$(MAKE) -C userspace BUILD=$(BUILD)

tests: lib
	$(MAKE) -C userspace BUILD=$(BUILD) check
	$(MAKE) -C tests BUILD=$(BUILD)
	$(MAKE) -C tests/torture BUILD=$(BUILD)

# User space (libshmap, shmap.h, shmap.pc, shmapctl, man pages); honours DESTDIR, PREFIX,
# LIBDIR, INCLUDEDIR, BINDIR and MANDIR. The module installs through DKMS (see README.md).
install: lib
	$(MAKE) -C userspace BUILD=$(BUILD) install

uninstall:
	$(MAKE) -C userspace BUILD=$(BUILD) uninstall

# What dkms.conf, debian/shmap-dkms.install and tests/runner/lib.sh agree on.
DKMS_FILES := dkms.conf Makefile src/Kbuild \
	$(filter-out %.mod.c,$(wildcard src/*.c)) $(wildcard src/*.h) \
	include/uapi/linux/shmap.h
DKMS_DIR := $(DESTDIR)/usr/src/shmap-$(VERSION)

dkms-source:
	for f in $(DKMS_FILES); do install -D -m 0644 $$f $(DKMS_DIR)/$$f; done
	sed -i 's/#MODULE_VERSION#/$(VERSION)/' $(DKMS_DIR)/dkms.conf

version:
	@echo $(VERSION)

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/src modules

module-clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/src clean

check: lint
	KERNELS="$(KERNELS)" tests/runner/check.sh

lint:
	KERNELS="$(KERNELS)" tests/lint/lint.sh

demo:
	KERNELS="$(KERNELS)" tests/runner/demo.sh

bench:
	KERNELS="$(KERNELS)" tests/bench/run.sh

clean:
	rm -rf $(BUILD)
