/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the debug-kernel programs (faultinj, stress, fuzz):
 * TAP output, the module's counters, raw ioctl wrappers. Header-only and
 * independent of libshmap so that each program shows exactly the system
 * calls it makes.
 */
#ifndef SHMAP_DEBUG_DBG_H
#define SHMAP_DEBUG_DBG_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/shmap.h>

#define STATS_DIR "/sys/class/misc/shmap/stats/"
#define PAGE 4096UL

static int tap_n;
static int tap_failures;

static inline void __attribute__((format(printf, 2, 3)))
tap(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!cond)
		tap_failures++;
}

static inline void __attribute__((format(printf, 1, 2))) diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	if (tap_failures)
		diag("%d of %d failed", tap_failures, tap_n);
	fflush(stdout);
	return tap_failures ? 1 : 0;
}

/* One counter of /sys/class/misc/shmap/stats, or -1. */
static inline long stat_read(const char *name)
{
	char path[128], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), STATS_DIR "%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

struct counters {
	long buffers, pages_allocated, pages_reserved;
};

static inline struct counters counters_now(void)
{
	struct counters c = {
		stat_read("buffers"), stat_read("pages_allocated"), stat_read("pages_reserved"),
	};
	return c;
}

static inline int counters_eq(struct counters a, struct counters b)
{
	return a.buffers == b.buffers && a.pages_allocated == b.pages_allocated &&
	       a.pages_reserved == b.pages_reserved;
}

static inline const char *counters_str(struct counters c, char *buf, size_t len)
{
	snprintf(buf, len, "buffers=%ld pages_allocated=%ld pages_reserved=%ld", c.buffers,
		 c.pages_allocated, c.pages_reserved);
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

static inline int open_dev(void)
{
	return open("/dev/shmap", O_RDWR | O_CLOEXEC);
}

/* A new buffer fd, or -errno. */
static inline int buf_create(int dev, uint64_t size, uint32_t mode, uint32_t flags)
{
	struct shmap_create c;

	memset(&c, 0, sizeof(c));
	c.size = size;
	c.mode = mode;
	c.flags = flags;
	if (ioctl(dev, SHMAP_IOC_CREATE, &c))
		return -errno;
	return (int)c.fd;
}

static inline int buf_export_ro(int fd)
{
	struct shmap_export e;

	memset(&e, 0, sizeof(e));
	if (ioctl(fd, SHMAP_IOC_EXPORT_RO, &e))
		return -errno;
	return (int)e.fd;
}

static inline int buf_seal(int fd, uint32_t seals)
{
	struct shmap_seal s;

	memset(&s, 0, sizeof(s));
	s.seals = seals;
	return ioctl(fd, SHMAP_IOC_SEAL, &s) ? -errno : 0;
}

static inline int buf_info(int fd, struct shmap_info *info)
{
	memset(info, 0, sizeof(*info));
	return ioctl(fd, SHMAP_IOC_INFO, info) ? -errno : 0;
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

#endif /* SHMAP_DEBUG_DBG_H */
