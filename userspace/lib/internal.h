/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libshmap private definitions: the handle structures and small helpers
 * shared by dev.c, buf.c, map.c and fdpass.c. Not installed.
 */
#ifndef LIBSHMAP_INTERNAL_H
#define LIBSHMAP_INTERNAL_H

#include <errno.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include <linux/shmap.h>

#include "shmap.h"

/* Marks a definition as part of the ABI (everything else is hidden). */
#define SHMAP_EXPORT __attribute__((visibility("default")))

/*
 * Both handles are immutable after creation, which is what makes them safe
 * to use from several threads at once without locking.
 */
struct shmap_dev {
	int fd;
	uint32_t abi_version;
	uint64_t features;
};

struct shmap_buf {
	int fd;
	uint64_t size;
};

/* ioctl(2) restarted on EINTR; returns 0 or -errno. */
static inline int shmap_ioctl_retry(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret < 0 && errno == EINTR);

	return ret < 0 ? -errno : 0;
}

/* SHMAP_IOC_INFO on @fd into a zero-initialised @info; 0 or -errno. */
int shmap_priv_query(int fd, struct shmap_info *info);

/*
 * Wrap @fd, which must be a shmap buffer fd the caller owns, in a new
 * handle. Ownership of @fd passes to this function: on failure it is
 * closed. Returns 0 or -errno (-ENOTTY: not a shmap buffer).
 */
int shmap_priv_buf_new(int fd, struct shmap_buf **bufp);

#endif /* LIBSHMAP_INTERNAL_H */
