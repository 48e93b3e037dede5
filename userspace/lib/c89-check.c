/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Compiled with -fsyntax-only -Wpedantic -Werror as C89 and C99 by `make
 * header-check`: the public header, alone and together with the ABI
 * header, is valid ISO C89, and what it declares is usable from it.
 */
#include "shmap.h"
#include <linux/shmap.h>
#include "shmap.h"

static uint64_t all_features(void)
{
	return SHMAP_DEV_FEAT_EAGER | SHMAP_DEV_FEAT_LAZY |
	       SHMAP_DEV_FEAT_NORESERVE | SHMAP_DEV_FEAT_EXPORT_RO |
	       SHMAP_DEV_FEAT_SEAL | SHMAP_DEV_FEAT_NAME;
}

static int read_name(const struct shmap_buf *buf)
{
	char name[SHMAP_BUF_NAME_MAX];

	return shmap_buf_name(buf, name, sizeof(name));
}

static int use_api(void)
{
	struct shmap_dev *dev = NULL;
	struct shmap_buf *buf = NULL;
	struct shmap_buf_info info;
	struct shmap_info kinfo;
	void *addr = NULL;
	size_t len = 0;
	unsigned int seals = 0;
	int ret, dmabuf = -1;

	ret = shmap_dev_open(&dev);
	if (ret < 0)
		return ret;
	if (!shmap_dev_has_feature(dev, all_features()))
		return -1;
	ret = shmap_buf_create(dev, sizeof(kinfo), SHMAP_BUF_EAGER, "c89",
			       SHMAP_BUF_NO_CLOEXEC | SHMAP_BUF_NORESERVE, &buf);
	if (ret == 0) {
		ret = shmap_buf_query(buf, &info);
		if (ret == 0)
			ret = read_name(buf);
		if (ret == 0)
			ret = shmap_buf_map_range(buf, 0, &len, 1, &addr);
		if (ret == 0)
			ret = shmap_buf_unmap(addr, len);
		if (ret == 0 &&
		    shmap_dev_has_feature(dev, SHMAP_DEV_FEAT_DMABUF))
			ret = shmap_buf_export_dmabuf(buf,
						      SHMAP_BUF_DMABUF_READONLY,
						      &dmabuf);
		if (ret == 0)
			ret = shmap_buf_seal(buf, SHMAP_BUF_SEAL_FUTURE_WRITE |
					     SHMAP_BUF_SEAL_SEAL, &seals);
		shmap_buf_close(buf);
	}
	shmap_dev_close(dev);
	return ret;
}

int main(void)
{
	return use_api() < 0;
}
