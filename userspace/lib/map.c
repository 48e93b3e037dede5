// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libshmap: mapping buffers into the address space.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

/* mmap() takes an off_t; the Makefile builds with _FILE_OFFSET_BITS=64. */
_Static_assert(sizeof(off_t) == 8, "libshmap needs a 64-bit off_t");

static uint64_t shmap_page_size(void)
{
	long psz = sysconf(_SC_PAGESIZE);

	return psz > 0 ? (uint64_t)psz : 4096;
}

SHMAP_EXPORT int shmap_buf_map_range(struct shmap_buf *buf, uint64_t offset,
				     size_t *lengthp, int prot, void **addrp)
{
	uint64_t len;
	void *addr;

	if (!buf || !lengthp || !addrp)
		return -EINVAL;
	len = *lengthp;
	if (offset & (shmap_page_size() - 1))
		return -EINVAL;

	if (!len) {
		struct shmap_info info;
		int ret;

		/*
		 * Buffers never resize, but the module stays the one
		 * source of truth for the size (as the API promises).
		 */
		ret = shmap_priv_query(buf->fd, &info);
		if (ret < 0)
			return ret;
		if (offset >= info.size)
			return -EINVAL;
		len = info.size - offset;
		if (len > SIZE_MAX)	/* 32-bit process, buffer >= 4 GiB */
			return -EINVAL;
	}

	/* The end of the mapping must fit in an off_t. */
	if (offset > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX - offset)
		return -EINVAL;

	addr = mmap(NULL, (size_t)len, prot, MAP_SHARED, buf->fd, (off_t)offset);
	if (addr == MAP_FAILED)
		return -errno;

	*addrp = addr;
	*lengthp = (size_t)len;
	return 0;
}

SHMAP_EXPORT int shmap_buf_map(struct shmap_buf *buf, uint64_t offset,
			       size_t length, int prot, void **addrp)
{
	return shmap_buf_map_range(buf, offset, &length, prot, addrp);
}

SHMAP_EXPORT int shmap_buf_unmap(void *addr, size_t length)
{
	if (!addr || !length)
		return -EINVAL;
	if ((uintptr_t)addr & (shmap_page_size() - 1))
		return -EINVAL;

	if (munmap(addr, length) < 0)
		return -errno;
	return 0;
}
