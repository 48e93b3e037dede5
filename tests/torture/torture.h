/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the torture programs (faultinj, stress, fuzz) share beyond the
 * test library (tap.c for the TAP lines, tshmap.c for the ioctls): the
 * module's counters and a seedable random generator.
 */
#ifndef SHMAP_TESTS_TORTURE_H
#define SHMAP_TESTS_TORTURE_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tshmap.h"

#define PAGE 4096UL

/* One counter of /sys/class/misc/shmap/stats, or -1. */
static inline long stat_read(const char *name)
{
	char path[128];
	uint64_t v;

	snprintf(path, sizeof(path), T_STATS "%s", name);
	return tap_read_u64(path, &v) ? -1 : (long)v;
}

/* dmabufs is -1 (on both sides of a comparison) with a module that has no dma-bufs. */
struct counters {
	long buffers, pages_allocated, pages_reserved, dmabufs;
};

static inline struct counters counters_now(void)
{
	struct counters c = {
		stat_read("buffers"), stat_read("pages_allocated"), stat_read("pages_reserved"),
		stat_read("dmabufs"),
	};
	return c;
}

static inline int counters_eq(struct counters a, struct counters b)
{
	return a.buffers == b.buffers && a.pages_allocated == b.pages_allocated &&
	       a.pages_reserved == b.pages_reserved && a.dmabufs == b.dmabufs;
}

static inline const char *counters_str(struct counters c, char *buf, size_t len)
{
	snprintf(buf, len, "buffers=%ld pages_allocated=%ld pages_reserved=%ld dmabufs=%ld",
		 c.buffers, c.pages_allocated, c.pages_reserved, c.dmabufs);
	return buf;
}

/* The counters may lag behind close(): the last fput() is deferred to task work. */
static inline int counters_settle(struct counters want, struct counters *got)
{
	int i;

	for (i = 0; i < 200; i++) {
		*got = counters_now();
		if (counters_eq(*got, want))
			return 1;
		usleep(10000);
	}
	return 0;
}

/* xorshift64*: small, seedable, good enough for fuzzing and stress. */
static inline uint64_t rnd_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static inline uint64_t rnd_below(uint64_t *s, uint64_t n)
{
	return n ? rnd_next(s) % n : 0;
}

#endif /* SHMAP_TESTS_TORTURE_H */
