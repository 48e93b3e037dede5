// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libshmap: buffer handles (create, import, read-only export, dma-buf
 * export, close, query, name, seals).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

int shmap_priv_query(int fd, struct shmap_info *info)
{
	memset(info, 0, sizeof(*info));
	return shmap_ioctl_retry(fd, SHMAP_IOC_INFO, info);
}

int shmap_priv_buf_new(int fd, struct shmap_buf **bufp)
{
	struct shmap_info info;
	struct shmap_buf *buf;
	int ret;

	/* Also proves @fd is a shmap buffer: anything else answers ENOTTY. */
	ret = shmap_priv_query(fd, &info);
	if (ret < 0)
		goto out_close_fd;

	buf = malloc(sizeof(*buf));
	if (!buf) {
		ret = -ENOMEM;
		goto out_close_fd;
	}
	buf->fd = fd;
	buf->size = info.size;
	*bufp = buf;
	return 0;

out_close_fd:
	close(fd);
	return ret;
}

SHMAP_EXPORT int shmap_buf_create(struct shmap_dev *dev, uint64_t size,
				  enum shmap_buf_mode mode, const char *name,
				  unsigned int flags, struct shmap_buf **bufp)
{
	struct shmap_create create;
	int ret;

	if (bufp)
		*bufp = NULL;
	if (!dev || !bufp)
		return -EINVAL;

	/*
	 * size, mode, flags and name are checked by the module, which is the
	 * authority on what it supports (see shmap_dev_features()).
	 */
	memset(&create, 0, sizeof(create));
	create.size = size;
	create.name = (uint64_t)(uintptr_t)name;
	create.mode = (uint32_t)mode;
	create.flags = flags;

	/*
	 * Not restarted on EINTR: the module only returns it when a fatal
	 * signal interrupted the allocation, and the caller is dying anyway.
	 */
	ret = ioctl(dev->fd, SHMAP_IOC_CREATE, &create);
	if (ret < 0)
		return -errno;

	return shmap_priv_buf_new((int)create.fd, bufp);
}

SHMAP_EXPORT int shmap_buf_import(int fd, struct shmap_buf **bufp)
{
	int dupfd;

	if (bufp)
		*bufp = NULL;
	if (!bufp)
		return -EINVAL;
	if (fd < 0)
		return -EBADF;

	dupfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dupfd < 0)
		return -errno;

	return shmap_priv_buf_new(dupfd, bufp);
}

SHMAP_EXPORT int shmap_buf_export_ro(struct shmap_buf *buf, unsigned int flags,
				     struct shmap_buf **rop)
{
	struct shmap_export exp;
	int ret;

	if (rop)
		*rop = NULL;
	if (!buf || !rop)
		return -EINVAL;

	memset(&exp, 0, sizeof(exp));
	exp.flags = flags;
	ret = shmap_ioctl_retry(buf->fd, SHMAP_IOC_EXPORT_RO, &exp);
	if (ret < 0)
		return ret;

	return shmap_priv_buf_new((int)exp.fd, rop);
}

SHMAP_EXPORT int shmap_buf_export_dmabuf(struct shmap_buf *buf,
					 unsigned int flags, int *fdp)
{
	struct shmap_dmabuf dmabuf;

	if (fdp)
		*fdp = -1;
	if (!buf || !fdp)
		return -EINVAL;

	/* The module checks @flags: SHMAP_BUF_DMABUF_* are its values. */
	memset(&dmabuf, 0, sizeof(dmabuf));
	dmabuf.flags = flags;
	/*
	 * Not restarted on EINTR, as in shmap_buf_create(): a lazy buffer's
	 * pages are allocated here, which only a fatal signal interrupts.
	 */
	if (ioctl(buf->fd, SHMAP_IOC_EXPORT_DMABUF, &dmabuf) < 0)
		return -errno;

	*fdp = (int)dmabuf.fd;
	return 0;
}

SHMAP_EXPORT void shmap_buf_close(struct shmap_buf *buf)
{
	if (!buf)
		return;
	close(buf->fd);
	free(buf);
}

SHMAP_EXPORT int shmap_buf_fd(const struct shmap_buf *buf)
{
	return buf ? buf->fd : -EINVAL;
}

SHMAP_EXPORT uint64_t shmap_buf_size(const struct shmap_buf *buf)
{
	return buf ? buf->size : 0;
}

/*
 * SHMAP_IOC_INFO of @buf as struct shmap_buf_stat, the one place that
 * copies the module's fields into the library's structs.
 */
static int buf_stat(const struct shmap_buf *buf, struct shmap_buf_stat *out)
{
	struct shmap_info kinfo;
	int ret;

	ret = shmap_priv_query(buf->fd, &kinfo);
	if (ret < 0)
		return ret;

	memset(out, 0, sizeof(*out));
	out->size = kinfo.size;
	out->resident_pages = kinfo.resident_pages;
	out->reserved_pages = kinfo.reserved_pages;
	out->ino = kinfo.ino;
	out->mode = kinfo.mode;
	out->seals = kinfo.seals;
	out->flags = kinfo.flags;
	out->mappings = kinfo.mappings;
	out->huge_folios = kinfo.huge_folios;
	out->dmabuf_exports = kinfo.dmabuf_exports;
	return 0;
}

SHMAP_EXPORT int shmap_buf_query(struct shmap_buf *buf,
				 struct shmap_buf_info *info)
{
	struct shmap_buf_stat st;
	int ret;

	if (!buf || !info)
		return -EINVAL;

	ret = buf_stat(buf, &st);
	if (ret < 0)
		return ret;

	/* shmap_buf_info is the start of shmap_buf_stat (abi.c checks). */
	memcpy(info, &st, sizeof(*info));
	return 0;
}

SHMAP_EXPORT int shmap_buf_stat(struct shmap_buf *buf,
				struct shmap_buf_stat *st, size_t size)
{
	struct shmap_buf_stat out;
	int ret;

	if (!buf || !st || size < SHMAP_BUF_STAT_SIZE_0_3)
		return -EINVAL;

	ret = buf_stat(buf, &out);
	if (ret < 0)
		return ret;

	/* A newer caller's struct: zeros where this library has no field. */
	if (size > sizeof(out)) {
		memset((char *)st + sizeof(out), 0, size - sizeof(out));
		size = sizeof(out);
	}
	memcpy(st, &out, size);
	return 0;
}

/*
 * LIBSHMAP_0.1's name of shmap_buf_query(), kept for binaries linked against
 * 0.1; shmap.h no longer declares it (in C++ it hid struct shmap_buf_info).
 */
int shmap_buf_info(struct shmap_buf *buf, struct shmap_buf_info *info);
SHMAP_EXPORT int shmap_buf_info(struct shmap_buf *buf,
				struct shmap_buf_info *info)
{
	return shmap_buf_query(buf, info);
}

SHMAP_EXPORT int shmap_buf_name(const struct shmap_buf *buf, char *name,
				size_t len)
{
	static const char prefix[] = "/shmap:";
	char path[sizeof("/proc/self/fd/") + 3 * sizeof(int)];
	char link[sizeof(prefix) + SHMAP_NAME_MAX];
	size_t n;
	ssize_t r;

	if (!buf || !name || !len)
		return -EINVAL;

	/*
	 * The module names the buffer's file "/shmap:NAME" on every version;
	 * a name is at most SHMAP_NAME_MAX - 1 bytes, so a link that fills
	 * @link is not one of ours.
	 */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", buf->fd);
	r = readlink(path, link, sizeof(link));
	if (r < 0)
		return -errno;
	n = (size_t)r;
	if (n >= sizeof(link) || n < sizeof(prefix) - 1 ||
	    memcmp(link, prefix, sizeof(prefix) - 1))
		return -EPROTO;

	n -= sizeof(prefix) - 1;
	if (n >= len)
		return -ERANGE;
	memcpy(name, link + sizeof(prefix) - 1, n);
	name[n] = '\0';
	return 0;
}

SHMAP_EXPORT int shmap_buf_seal(struct shmap_buf *buf, unsigned int seals,
				unsigned int *sealsp)
{
	struct shmap_seal seal;
	int ret;

	if (!buf)
		return -EINVAL;

	memset(&seal, 0, sizeof(seal));
	seal.seals = seals;
	ret = shmap_ioctl_retry(buf->fd, SHMAP_IOC_SEAL, &seal);
	if (ret < 0)
		return ret;

	if (sealsp)
		*sealsp = seal.seals;
	return 0;
}
