/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A program built against an installed libshmap, with nothing but the
 * installed headers (shmap.h, linux/shmap.h) and library, as C and as C++
 * (tests/packaging/install-tree.sh, chroot-install.sh). -DOLD_BINARY also
 * calls 0.1's shmap_buf_info(), as a binary linked against 0.1 does. No
 * module needed: /dev/shmap may be absent.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <linux/shmap.h>
#include <shmap.h>

#ifdef OLD_BINARY
int shmap_buf_info(struct shmap_buf *buf, struct shmap_buf_info *info);
#endif

int main(void)
{
#ifdef __cplusplus
	shmap_buf_info info;	/* the struct's name alone: C++ */
#else
	struct shmap_buf_info info;
#endif
	unsigned long req = SHMAP_IOC_VERSION;
	struct shmap_dev *dev = NULL;
	size_t len = 0;
	void *p = NULL;
	int r;

	if (!req || sizeof(struct shmap_version) != 64 || SHMAP_NAME_MAX != SHMAP_BUF_NAME_MAX)
		return 1;
	if (shmap_buf_query(NULL, &info) != -EINVAL ||
	    shmap_buf_name(NULL, NULL, 0) != -EINVAL ||
	    shmap_buf_map_range(NULL, 0, &len, 0, &p) != -EINVAL)
		return 1;
#ifdef OLD_BINARY
	if (shmap_buf_info(NULL, &info) != -EINVAL)
		return 1;
#endif
	r = shmap_dev_open(&dev);
	if (r == 0) {
		shmap_dev_close(dev);
		puts("opened /dev/shmap");
		return 0;
	}
	printf("shmap_dev_open: %d\n", r);
	return r == -ENOENT ? 0 : 1;
}
