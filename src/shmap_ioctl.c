// SPDX-License-Identifier: GPL-2.0
/*
 * shmap_ioctl.c - the ioctls of /dev/shmap (VERSION, CREATE) and of buffer
 * fds (INFO, EXPORT_RO, SEAL; EXPORT_DMABUF is shmap_dmabuf.c's). The ABI
 * is include/uapi/linux/shmap.h.
 *
 * An ioctl that fails has no effect: whatever it writes back to user space
 * is written before it changes anything (an fd is installed only after its
 * number was copied out, a seal added only after the seals in force were).
 *
 * No lock is held across copy_{from,to}_user(): buf->lock is taken under
 * the mmap lock in ->mmap, so faulting on user memory while holding it
 * would invert that order. Under buf->lock, user memory is only written
 * with copy_to_user_nofault(), which fails rather than fault.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "shmap.h"

#define SHMAP_FEATURES \
	(SHMAP_FEAT_EAGER | SHMAP_FEAT_LAZY | SHMAP_FEAT_NORESERVE | \
	 SHMAP_FEAT_EXPORT_RO | SHMAP_FEAT_SEAL | SHMAP_FEAT_NAME | \
	 SHMAP_FEAT_HUGE | SHMAP_FEAT_HUGE_LAZY | \
	 (IS_ENABLED(CONFIG_DMA_SHARED_BUFFER) ? SHMAP_FEAT_DMABUF : 0))

static long shmap_ioctl_version(struct shmap_version __user *argp)
{
	struct shmap_version args;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if (args.flags || memchr_inv(args.reserved, 0, sizeof(args.reserved)))
		return -EINVAL;

	args.abi_version = SHMAP_ABI_VERSION;
	args.features = SHMAP_FEATURES;
	args.max_buffer_size = shmap_max_buffer_bytes();
	args.max_total_size = (u64)shmap_max_total_pages() << PAGE_SHIFT;
	if (copy_to_user(argp, &args, sizeof(args)))
		return -EFAULT;
	return 0;
}

/* Copy a name from user space: printable ASCII without '/', or none. */
static int shmap_name_from_user(char *name, u64 uname)
{
	long len, i;

	name[0] = '\0';
	if (!uname)
		return 0;
	len = strncpy_from_user(name, u64_to_user_ptr(uname), SHMAP_NAME_MAX);
	if (len < 0)
		return len;
	if (len == SHMAP_NAME_MAX)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (name[i] < 0x20 || name[i] > 0x7e || name[i] == '/')
			return -EINVAL;
	return 0;
}

/*
 * A new file on @buf and an fd number for it. The caller publishes it with
 * fd_install() once nothing can fail any more, or undoes both.
 */
static int shmap_new_fd(struct shmap_buf *buf, int flags, bool cloexec,
			struct file **filep)
{
	struct file *file;
	int fd;

	fd = get_unused_fd_flags(cloexec ? O_CLOEXEC : 0);
	if (fd < 0)
		return fd;
	file = shmap_file_open(buf, flags);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	*filep = file;
	return fd;
}

static long shmap_ioctl_create(struct shmap_create __user *argp)
{
	char name[SHMAP_NAME_MAX];
	struct shmap_create args;
	struct shmap_buf *buf;
	struct file *file;
	int fd, ret;
	u32 mode;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if ((args.flags & ~SHMAP_CREATE_FLAGS) || args.pad ||
	    memchr_inv(args.reserved, 0, sizeof(args.reserved)))
		return -EINVAL;

	mode = args.mode == SHMAP_MODE_DEFAULT ? shmap_default_mode() :
						 args.mode;
	if (mode != SHMAP_MODE_EAGER && mode != SHMAP_MODE_LAZY)
		return -EINVAL;
	if (mode == SHMAP_MODE_EAGER && (args.flags & SHMAP_CREATE_NORESERVE))
		return -EINVAL;
	if (!args.size)
		return -EINVAL;
	/* Checked before rounding: sizes near U64_MAX cannot overflow. */
	if (args.size > shmap_max_buffer_bytes())
		return -EFBIG;
	ret = shmap_name_from_user(name, args.name);
	if (ret)
		return ret;

	buf = shmap_buf_create(args.size, mode,
			       args.flags & (SHMAP_CREATE_NORESERVE |
					     SHMAP_CREATE_HUGE),
			       name);
	if (IS_ERR(buf))
		return PTR_ERR(buf);

	fd = shmap_new_fd(buf, O_RDWR, !(args.flags & SHMAP_CREATE_NO_CLOEXEC),
			  &file);
	if (fd < 0) {
		ret = fd;
		goto out_put_buf;
	}
	args.fd = fd;
	if (put_user(args.fd, &argp->fd)) {
		ret = -EFAULT;
		goto out_put_file;
	}
	fd_install(fd, file);
	/* The file holds its own reference now. */
	shmap_buf_put(buf);
	return 0;

out_put_file:
	put_unused_fd(fd);
	fput(file);
out_put_buf:
	shmap_buf_put(buf);
	return ret;
}

/**
 * shmap_dev_ioctl() - ioctls of /dev/shmap
 * @file: the open device
 * @cmd: SHMAP_IOC_VERSION or SHMAP_IOC_CREATE
 * @arg: user pointer to the command's struct
 *
 * Return: 0 or -errno; -ENOTTY for any other command.
 */
long shmap_dev_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case SHMAP_IOC_VERSION:
		return shmap_ioctl_version(argp);
	case SHMAP_IOC_CREATE:
		return shmap_ioctl_create(argp);
	default:
		return -ENOTTY;
	}
}

static long shmap_ioctl_info(struct file *file, struct shmap_buf *buf,
			     struct shmap_info __user *argp)
{
	struct shmap_info args;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if (args.flags || memchr_inv(args.reserved, 0, sizeof(args.reserved)))
		return -EINVAL;

	memset(&args, 0, sizeof(args));
	args.size = (u64)buf->npages << PAGE_SHIFT;
	args.mode = buf->mode;
	args.seals = READ_ONCE(buf->seals);
	if (!(file->f_mode & FMODE_WRITE))
		args.flags |= SHMAP_INFO_READONLY;
	if (buf->flags & SHMAP_CREATE_NORESERVE)
		args.flags |= SHMAP_INFO_NORESERVE;
	if (buf->flags & SHMAP_CREATE_HUGE)
		args.flags |= SHMAP_INFO_HUGE;
	args.mappings = atomic_read(&buf->mappings);
	args.resident_pages = atomic_long_read(&buf->resident);
	args.reserved_pages = atomic_long_read(&buf->reserved);
	args.ino = file_inode(file)->i_ino;
	args.huge_folios = atomic_long_read(&buf->huge_folios);
	args.dmabuf_exports = atomic_read(&buf->dmabufs);
	if (copy_to_user(argp, &args, sizeof(args)))
		return -EFAULT;
	return 0;
}

static long shmap_ioctl_export_ro(struct shmap_buf *buf,
				  struct shmap_export __user *argp)
{
	struct shmap_export args;
	struct file *file;
	int fd;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if ((args.flags & ~SHMAP_EXPORT_FLAGS) ||
	    memchr_inv(args.reserved, 0, sizeof(args.reserved)))
		return -EINVAL;

	fd = shmap_new_fd(buf, O_RDONLY,
			  !(args.flags & SHMAP_EXPORT_NO_CLOEXEC), &file);
	if (fd < 0)
		return fd;
	args.fd = fd;
	if (put_user(args.fd, &argp->fd)) {
		put_unused_fd(fd);
		fput(file);
		return -EFAULT;
	}
	fd_install(fd, file);
	return 0;
}

static long shmap_ioctl_seal(struct file *file, struct shmap_buf *buf,
			     struct shmap_seal __user *argp)
{
	struct shmap_seal args;
	u32 seals;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if ((args.seals & ~SHMAP_SEALS) || args.flags ||
	    memchr_inv(args.reserved, 0, sizeof(args.reserved)))
		return -EINVAL;
	/* As memfd: only a writable fd may add seals. */
	if (args.seals && !(file->f_mode & FMODE_WRITE))
		return -EPERM;

	/*
	 * Write the seals in force back first, then add them, both under
	 * buf->lock: a call that fails has added nothing, and the value
	 * written is the one in force. Where that write would fault, fault
	 * the page in writable, without the lock, and try again.
	 */
	for (;;) {
		mutex_lock(&buf->lock);
		if (args.seals && (buf->seals & SHMAP_SEAL_SEAL)) {
			mutex_unlock(&buf->lock);
			return -EPERM;
		}
		seals = buf->seals | args.seals;
		if (!copy_to_user_nofault(&argp->seals, &seals, sizeof(seals)))
			break;
		mutex_unlock(&buf->lock);
		/* Rewrite what is there: only the fault is wanted. */
		if (get_user(seals, &argp->seals) ||
		    put_user(seals, &argp->seals))
			return -EFAULT;
	}
	WRITE_ONCE(buf->seals, seals);
	mutex_unlock(&buf->lock);
	return 0;
}

/**
 * shmap_buf_ioctl() - ioctls of a buffer fd
 * @file: a buffer file
 * @cmd: SHMAP_IOC_INFO, SHMAP_IOC_EXPORT_RO, SHMAP_IOC_SEAL or
 *	SHMAP_IOC_EXPORT_DMABUF
 * @arg: user pointer to the command's struct
 *
 * Return: 0 or -errno; -ENOTTY for any other command, -EOPNOTSUPP for
 * SHMAP_IOC_EXPORT_DMABUF on a kernel without dma-buf.
 */
long shmap_buf_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct shmap_buf *buf = file->private_data;
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case SHMAP_IOC_INFO:
		return shmap_ioctl_info(file, buf, argp);
	case SHMAP_IOC_EXPORT_RO:
		return shmap_ioctl_export_ro(buf, argp);
	case SHMAP_IOC_SEAL:
		return shmap_ioctl_seal(file, buf, argp);
	case SHMAP_IOC_EXPORT_DMABUF:
		return shmap_ioctl_export_dmabuf(file, buf, argp);
	default:
		return -ENOTTY;
	}
}
