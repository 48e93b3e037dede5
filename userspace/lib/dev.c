// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libshmap: the device handle (open/close, ABI version, features, limits).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define SHMAP_DEV_PATH "/dev/shmap"

/* SHMAP_IOC_VERSION on @fd into a zero-initialised @ver; 0 or -errno. */
static int shmap_dev_query(int fd, struct shmap_version *ver)
{
	memset(ver, 0, sizeof(*ver));
	return shmap_ioctl_retry(fd, SHMAP_IOC_VERSION, ver);
}

SHMAP_EXPORT int shmap_dev_open_path(const char *path, struct shmap_dev **devp)
{
	struct shmap_version ver;
	struct shmap_dev *dev;
	struct stat st;
	int fd, ret;

	if (devp)
		*devp = NULL;
	if (!path || !devp)
		return -EINVAL;

	fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;

	/* A regular file, directory, socket...: certainly not the device. */
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out_close_fd;
	}
	if (!S_ISCHR(st.st_mode)) {
		ret = -ENOTTY;
		goto out_close_fd;
	}

	ret = shmap_dev_query(fd, &ver);
	if (ret < 0)
		goto out_close_fd;
	if (ver.abi_version != SHMAP_ABI_VERSION) {
		ret = -EPROTO;
		goto out_close_fd;
	}

	dev = malloc(sizeof(*dev));
	if (!dev) {
		ret = -ENOMEM;
		goto out_close_fd;
	}
	dev->fd = fd;
	dev->abi_version = ver.abi_version;
	dev->features = ver.features;
	*devp = dev;
	return 0;

out_close_fd:
	close(fd);
	return ret;
}

SHMAP_EXPORT int shmap_dev_open(struct shmap_dev **devp)
{
	return shmap_dev_open_path(SHMAP_DEV_PATH, devp);
}

SHMAP_EXPORT void shmap_dev_close(struct shmap_dev *dev)
{
	if (!dev)
		return;
	close(dev->fd);
	free(dev);
}

SHMAP_EXPORT int shmap_dev_fd(const struct shmap_dev *dev)
{
	return dev ? dev->fd : -EINVAL;
}

SHMAP_EXPORT uint32_t shmap_dev_abi_version(const struct shmap_dev *dev)
{
	return dev ? dev->abi_version : 0;
}

SHMAP_EXPORT uint64_t shmap_dev_features(const struct shmap_dev *dev)
{
	return dev ? dev->features : 0;
}

SHMAP_EXPORT int shmap_dev_has_feature(const struct shmap_dev *dev,
				       uint64_t feat)
{
	if (!dev)
		return 0;
	return (dev->features & feat) == feat;
}

SHMAP_EXPORT int shmap_dev_limits(struct shmap_dev *dev, uint64_t *max_buffer,
				  uint64_t *max_total)
{
	struct shmap_version ver;
	int ret;

	if (!dev)
		return -EINVAL;

	ret = shmap_dev_query(dev->fd, &ver);
	if (ret < 0)
		return ret;

	if (max_buffer)
		*max_buffer = ver.max_buffer_size;
	if (max_total)
		*max_total = ver.max_total_size;
	return 0;
}
