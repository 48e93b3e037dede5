// SPDX-License-Identifier: LGPL-2.1-or-later
// Compiled with g++ -fsyntax-only -Werror by userspace/Makefile: proves the
// public header (alone and together with the ABI header) is valid C++.
#include "shmap.h"
#include <linux/shmap.h>
#include "shmap.h"	// include guard

static int use_api(void)
{
	struct shmap_dev *dev = nullptr;
	struct shmap_buf *buf = nullptr;
	struct shmap_buf_info info = {};
	void *addr = nullptr;
	int ret;

	ret = shmap_dev_open(&dev);
	if (ret < 0)
		return ret;
	ret = shmap_buf_create(dev, 4096, SHMAP_BUF_LAZY, "cxx",
			       SHMAP_BUF_NORESERVE, &buf);
	if (ret == 0) {
		ret = shmap_buf_info(buf, &info);
		if (ret == 0)
			ret = shmap_buf_map(buf, 0, 0, 3, &addr);
		if (ret == 0)
			ret = shmap_buf_unmap(addr, static_cast<size_t>(info.size));
		shmap_buf_close(buf);
	}
	shmap_dev_close(dev);
	return ret;
}

int main()
{
	return use_api() < 0;
}
