// SPDX-License-Identifier: LGPL-2.1-or-later
// Compiled with -fsyntax-only -Wpedantic -Werror as C++98 and C++17 by
// `make header-check`: the public header, alone and together with the ABI
// header, is valid C++, and what it declares is usable from C++.
#include "shmap.h"
#include <linux/shmap.h>
#include "shmap.h"	// include guard

// The struct's name is usable alone, beside the functions (0.1 declared a
// function of the same name, which hid it).
static shmap_buf_info zero_info()
{
	shmap_buf_info info = shmap_buf_info();

	return info;
}

static int read_name(const struct shmap_buf *buf)
{
	char name[SHMAP_BUF_NAME_MAX];

	return shmap_buf_name(buf, name, sizeof(name));
}

static int use_api()
{
	struct shmap_dev *dev = NULL;
	struct shmap_buf *buf = NULL;
	shmap_buf_info info = zero_info();
	void *addr = NULL;
	size_t len = 0;
	int ret;

	ret = shmap_dev_open(&dev);
	if (ret < 0)
		return ret;
	if (!shmap_dev_has_feature(dev, SHMAP_DEV_FEAT_NAME | SHMAP_DEV_FEAT_LAZY))
		return -1;
	ret = shmap_buf_create(dev, 4096, SHMAP_BUF_LAZY, "cxx",
			       SHMAP_BUF_NORESERVE, &buf);
	if (ret == 0) {
		ret = shmap_buf_query(buf, &info);
		if (ret == 0)
			ret = read_name(buf);
		if (ret == 0)
			ret = shmap_buf_map_range(buf, 0, &len, 3, &addr);
		if (ret == 0 && len != static_cast<size_t>(info.size))
			ret = -1;
		if (ret == 0)
			ret = shmap_buf_unmap(addr, len);
		shmap_buf_close(buf);
	}
	shmap_dev_close(dev);
	return ret;
}

int main()
{
	return use_api() < 0;
}
