// SPDX-License-Identifier: GPL-2.0
/*
 * shmap - share kernel-allocated memory between processes.
 *
 * /dev/shmap creates buffers; a buffer is a file descriptor that can be
 * passed to other processes (fork, SCM_RIGHTS) and mapped with
 * mmap(MAP_SHARED): every process sees the same kernel pages.
 *
 *	int dev = open("/dev/shmap", O_RDWR | O_CLOEXEC);
 *	struct shmap_create c = { .size = 1 << 20, .mode = SHMAP_MODE_LAZY };
 *	ioctl(dev, SHMAP_IOC_CREATE, &c);
 *	void *p = mmap(NULL, c.size, PROT_READ | PROT_WRITE, MAP_SHARED,
 *		       c.fd, 0);
 *
 * This file: module init/exit, the misc device and the global counters.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/sysfs.h>

#include "shmap.h"

struct shmap_counters shmap_counters;

/* A function defined inside a macro: kept in the kernel layout. */
/* clang-format off */
#define SHMAP_COUNTER_ATTR(_name)					\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	return sysfs_emit(buf, "%ld\n",					\
			  atomic_long_read(&shmap_counters._name));	\
}									\
static DEVICE_ATTR_RO(_name)
/* clang-format on */

SHMAP_COUNTER_ATTR(buffers);
SHMAP_COUNTER_ATTR(pages_allocated);
SHMAP_COUNTER_ATTR(pages_reserved);
SHMAP_COUNTER_ATTR(faults);
SHMAP_COUNTER_ATTR(mapped_by_mmap);
SHMAP_COUNTER_ATTR(mapped_by_mmap_prepare);
SHMAP_COUNTER_ATTR(mmap_undone);
SHMAP_COUNTER_ATTR(dmabufs);

static struct attribute *shmap_counter_attrs[] = {
	&dev_attr_buffers.attr,
	&dev_attr_pages_allocated.attr,
	&dev_attr_pages_reserved.attr,
	&dev_attr_faults.attr,
	/* Which hook made the mappings: ->mmap or ->mmap_prepare. */
	&dev_attr_mapped_by_mmap.attr,
	&dev_attr_mapped_by_mmap_prepare.attr,
	&dev_attr_mmap_undone.attr,
	&dev_attr_dmabufs.attr,
	NULL,
};

static const struct attribute_group shmap_counter_group = {
	.name = "stats",
	.attrs = shmap_counter_attrs,
};

static const struct attribute_group *shmap_groups[] = {
	&shmap_counter_group,
	NULL,
};

static const struct file_operations shmap_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = shmap_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice shmap_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "shmap",
	.fops = &shmap_dev_fops,
	.groups = shmap_groups,
};

static int __init shmap_init(void)
{
	int ret;

	shmap_params_init();

	ret = shmap_fs_init();
	if (ret)
		return ret;

	shmap_show_init();

	shmap_misc.mode = shmap_dev_mode();
	ret = misc_register(&shmap_misc);
	if (ret)
		goto out_show_exit;
	return 0;

out_show_exit:
	shmap_show_exit();
	shmap_fs_exit();
	return ret;
}

static void __exit shmap_exit(void)
{
	misc_deregister(&shmap_misc);
	shmap_show_exit();
	shmap_fs_exit();
}

module_init(shmap_init);
module_exit(shmap_exit);

MODULE_DESCRIPTION("Share kernel-allocated memory between processes");
MODULE_AUTHOR("The shmap developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(SHMAP_VERSION);
