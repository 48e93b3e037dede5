// SPDX-License-Identifier: GPL-2.0
/*
 * shmap_params.c - module parameters: defaults, limits, validation.
 *
 * Every parameter is validated by its own set() callback, at load time
 * ("modprobe shmap max_total_mb=-5" fails and the kernel log names the
 * parameter) and when written in /sys/module/shmap/parameters/.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/stat.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "shmap.h"

/* Limits are in MiB, from 1 MiB to 1 TiB. */
#define SHMAP_MB_MAX (1024U * 1024)

static unsigned int dev_mode = 0666;
static unsigned int default_mode = SHMAP_MODE_LAZY;
static unsigned int max_buffer_mb = 1024;
static unsigned int max_total_mb; /* 0 until set: half of RAM at load */
static unsigned int fault_window = 64;

static int shmap_param_set_mb(const char *val, const struct kernel_param *kp)
{
	unsigned int mb;

	if (kstrtouint(val, 0, &mb) || mb < 1 || mb > SHMAP_MB_MAX) {
		pr_err("%s: want a number of MiB from 1 to %u\n", kp->name,
		       SHMAP_MB_MAX);
		return -EINVAL;
	}
	WRITE_ONCE(*(unsigned int *)kp->arg, mb);
	return 0;
}

static const struct kernel_param_ops shmap_mb_ops = {
	.set = shmap_param_set_mb,
	.get = param_get_uint,
};

static int shmap_param_set_dev_mode(const char *val,
				    const struct kernel_param *kp)
{
	unsigned int mode;

	if (kstrtouint(val, 8, &mode) || mode > 0777) {
		pr_err("%s: want octal permission bits from 0 to 0777\n",
		       kp->name);
		return -EINVAL;
	}
	WRITE_ONCE(*(unsigned int *)kp->arg, mode);
	return 0;
}

static int shmap_param_get_dev_mode(char *buffer, const struct kernel_param *kp)
{
	return sysfs_emit(buffer, "%04o\n",
			  READ_ONCE(*(unsigned int *)kp->arg));
}

static const struct kernel_param_ops shmap_dev_mode_ops = {
	.set = shmap_param_set_dev_mode,
	.get = shmap_param_get_dev_mode,
};

static int shmap_param_set_buf_mode(const char *val,
				    const struct kernel_param *kp)
{
	unsigned int mode;

	if (sysfs_streq(val, "eager")) {
		mode = SHMAP_MODE_EAGER;
	} else if (sysfs_streq(val, "lazy")) {
		mode = SHMAP_MODE_LAZY;
	} else {
		pr_err("%s: want \"eager\" or \"lazy\"\n", kp->name);
		return -EINVAL;
	}
	WRITE_ONCE(*(unsigned int *)kp->arg, mode);
	return 0;
}

static int shmap_param_get_buf_mode(char *buffer, const struct kernel_param *kp)
{
	unsigned int mode = READ_ONCE(*(unsigned int *)kp->arg);

	return sysfs_emit(buffer, "%s\n",
			  mode == SHMAP_MODE_EAGER ? "eager" : "lazy");
}

static const struct kernel_param_ops shmap_buf_mode_ops = {
	.set = shmap_param_set_buf_mode,
	.get = shmap_param_get_buf_mode,
};

static int shmap_param_set_window(const char *val,
				  const struct kernel_param *kp)
{
	unsigned int pages;

	if (kstrtouint(val, 0, &pages) || !is_power_of_2(pages) ||
	    pages > SHMAP_WINDOW_MAX) {
		pr_err("%s: want a power of two from 1 to %u\n", kp->name,
		       SHMAP_WINDOW_MAX);
		return -EINVAL;
	}
	WRITE_ONCE(*(unsigned int *)kp->arg, pages);
	return 0;
}

static const struct kernel_param_ops shmap_window_ops = {
	.set = shmap_param_set_window,
	.get = param_get_uint,
};

/* One parameter per pair of lines; descriptions are not split. */
/* clang-format off */
module_param_cb(dev_mode, &shmap_dev_mode_ops, &dev_mode, 0444);
MODULE_PARM_DESC(dev_mode,
		 "Permission bits of /dev/shmap, octal (default 0666; load time only)");
module_param_cb(default_mode, &shmap_buf_mode_ops, &default_mode, 0644);
MODULE_PARM_DESC(default_mode,
		 "Mode of buffers created with SHMAP_MODE_DEFAULT: eager or lazy (default lazy)");
module_param_cb(max_buffer_mb, &shmap_mb_ops, &max_buffer_mb, 0644);
MODULE_PARM_DESC(max_buffer_mb,
		 "Largest buffer in MiB, 1 to 1048576 (default 1024)");
module_param_cb(max_total_mb, &shmap_mb_ops, &max_total_mb, 0644);
MODULE_PARM_DESC(max_total_mb,
		 "Limit on memory reserved by all buffers in MiB, 1 to 1048576 (default: half of RAM)");
module_param_cb(fault_window, &shmap_window_ops, &fault_window, 0644);
MODULE_PARM_DESC(fault_window,
		 "Pages one fault maps (and, on a sequential first touch, allocates): a power of two, 1 to 512 (default 64)");
/* clang-format on */

/**
 * shmap_params_init() - fill in the defaults that depend on the machine
 *
 * Called once from module init, after the parameters were parsed.
 */
void shmap_params_init(void)
{
	unsigned long ram_mb = totalram_pages() >> (20 - PAGE_SHIFT);

	if (!READ_ONCE(max_total_mb))
		WRITE_ONCE(max_total_mb,
			   clamp_t(unsigned long, ram_mb / 2, 1, SHMAP_MB_MAX));
}

/**
 * shmap_dev_mode() - Return: permission bits for /dev/shmap.
 */
umode_t shmap_dev_mode(void)
{
	return READ_ONCE(dev_mode);
}

/**
 * shmap_default_mode() - Return: SHMAP_MODE_EAGER or SHMAP_MODE_LAZY.
 */
u32 shmap_default_mode(void)
{
	return READ_ONCE(default_mode);
}

/**
 * shmap_max_buffer_bytes() - Return: the largest buffer size in bytes.
 */
u64 shmap_max_buffer_bytes(void)
{
	return (u64)READ_ONCE(max_buffer_mb) << 20;
}

/**
 * shmap_max_total_pages() - Return: the limit on reserved pages.
 */
unsigned long shmap_max_total_pages(void)
{
	return (unsigned long)READ_ONCE(max_total_mb) << (20 - PAGE_SHIFT);
}

/**
 * shmap_fault_window() - Return: the pages one fault maps, a power of two.
 */
unsigned long shmap_fault_window(void)
{
	return READ_ONCE(fault_window);
}
