# SPDX-License-Identifier: GPL-2.0
# shmap: top-level build.
#
#   make                 build libshmap, the tools and the test programs (host)
#   make module          build shmap.ko for KDIR (default: the running kernel)
#   make demo            boot a Debian kernel under QEMU and run the demo
#   make check           build everything and run the whole suite in the guests
#   make bench           benchmark shmap against anonymous memory and memfd in the guests
#                        (KERNELS, BENCH_MODE=icount|wall, BENCH_SIZES, BENCH_REPS: see
#                        tests/bench/README.md)
#
# Everything user space builds into $(BUILD); caches live in $(SHMAP_CACHE).

VERSION := 0.1.0
BUILD ?= $(CURDIR)/build
KDIR ?= /lib/modules/$(shell uname -r)/build
SHMAP_CACHE ?= /var/cache/shmap
export VERSION BUILD SHMAP_CACHE

.PHONY: all lib tests module module-clean check lint demo bench install uninstall clean

all: lib tests

lib:
	$(MAKE) -C userspace BUILD=$(BUILD)

tests: lib
	$(MAKE) -C tests BUILD=$(BUILD)
	$(MAKE) -C tests/torture BUILD=$(BUILD)

# User space (libshmap, shmap.h, shmap.pc, shmapctl, man pages); honours DESTDIR, PREFIX,
# LIBDIR, INCLUDEDIR, BINDIR and MANDIR. The module installs through DKMS (see README.md).
install: lib
	$(MAKE) -C userspace BUILD=$(BUILD) install

uninstall:
	$(MAKE) -C userspace BUILD=$(BUILD) uninstall

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
