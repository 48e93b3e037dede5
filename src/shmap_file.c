// SPDX-License-Identifier: GPL-2.0
/*
 * shmap_file.c - the files behind buffer fds.
 *
 * A private pseudo filesystem (never mounted in any namespace) gives each
 * buffer its own inode, so each buffer has its own st_ino and its own
 * address_space: the pages point at it, the vmas hang off its i_mmap tree.
 * A buffer may have several files (the creator's and read-only exports);
 * each holds a reference on the buffer and one on this module.
 *
 * A buffer is a memory-only regular file, as a memfd or memfd_secret() is:
 * S_IFREG with st_size the buffer size (so that "map the whole file" code
 * works), fsync() succeeds and does nothing, the size never changes (but
 * ftruncate() to it succeeds), and nothing on the filesystem is executable
 * (see shmap_mmap_check()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dcache.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/huge_mm.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pagemap.h>
#include <linux/pseudo_fs.h>
#include <linux/string.h>

#include "shmap.h"
#include "shmap_compat.h"

#define SHMAP_FS_MAGIC 0x73686d70 /* "shmp" */
#define SHMAP_DNAME    "/shmap:"

static struct vfsmount *shmap_mnt;

/* /proc/PID/maps and /proc/PID/fd show "/shmap:NAME". */
static char *shmap_dname(struct dentry *dentry, char *buffer, int buflen)
{
	size_t prefix = strlen(SHMAP_DNAME);
	size_t len = prefix + dentry->d_name.len;
	char *p;

	if (len + 1 > buflen)
		return ERR_PTR(-ENAMETOOLONG);
	p = buffer + buflen - len - 1;
	memcpy(p, SHMAP_DNAME, prefix);
	memcpy(p + prefix, dentry->d_name.name, dentry->d_name.len);
	p[len] = '\0';
	return p;
}

static const struct dentry_operations shmap_dops = {
	.d_dname = shmap_dname,
};

static int shmap_init_fs_context(struct fs_context *fc)
{
	struct pseudo_fs_context *ctx = init_pseudo(fc, SHMAP_FS_MAGIC);

	if (!ctx)
		return -ENOMEM;
	ctx->dops = &shmap_dops;
	/*
	 * noexec on every kernel, as for memfd_secret(): PROT_EXEC mappings
	 * fail, mappings never get VM_MAYEXEC, READ_IMPLIES_EXEC does not
	 * add exec to PROT_READ, and execveat() of a buffer fd fails.
	 */
	fc->s_iflags |= SB_I_NOEXEC;
	return 0;
}

/*
 * No .owner: the kernel-internal mount would otherwise pin the module
 * forever. Buffer files pin it instead (see shmap_file_open()).
 */
static struct file_system_type shmap_fs_type = {
	.name = "shmap",
	.init_fs_context = shmap_init_fs_context,
	.kill_sb = kill_anon_super,
};

/*
 * Pages are never written back: dirtying one (when a dirty PTE is zapped,
 * or after O_DIRECT into it) only sets the flag.
 */
static const struct address_space_operations shmap_aops = {
	.dirty_folio = noop_dirty_folio,
};

/*
 * Buffers never change size: ftruncate() and truncate() to another size
 * fail with EINVAL, as they did before buffers were regular files. To the
 * size the buffer has they succeed and change nothing but the times, as on
 * a memfd: code written for shm_open() or memfd_create() sizes the file
 * before mapping it. ATTR_SIZE is dropped before simple_setattr(), which
 * would otherwise truncate the page cache and unmap the buffer. Other
 * attributes (mode, owner, times) are the inode's own, as on any file.
 */
static int shmap_setattr(struct shmap_idmap *idmap, struct dentry *dentry,
			 struct iattr *attr)
{
	if (attr->ia_valid & ATTR_SIZE) {
		if (attr->ia_size != i_size_read(d_inode(dentry)))
			return -EINVAL;
		attr->ia_valid &= ~ATTR_SIZE;
	}
	return simple_setattr(idmap, dentry, attr);
}

static const struct inode_operations shmap_iops = {
	.setattr = shmap_setattr,
};

static int shmap_file_release(struct inode *inode, struct file *file)
{
	shmap_buf_put(file->private_data);
	return 0;
}

/*
 * No .read/.write_iter (read() and write() fail with EINVAL) and no .llseek
 * (lseek() fails with ESPIPE): the data is reached through mappings only.
 */
#define SHMAP_BUF_FOPS \
	.owner = THIS_MODULE, .release = shmap_file_release, SHMAP_FOP_MMAP, \
	.fsync = noop_fsync, .unlocked_ioctl = shmap_buf_ioctl, \
	.compat_ioctl = compat_ptr_ioctl, .show_fdinfo = shmap_show_fdinfo

static const struct file_operations shmap_buf_fops = {
	SHMAP_BUF_FOPS,
};

/*
 * Huge buffers: a mapping that holds a whole PMD-aligned span of the
 * buffer gets an address with the same alignment, so that its folios map
 * with PMDs (NULL, the default, without CONFIG_TRANSPARENT_HUGEPAGE).
 */
static const struct file_operations shmap_huge_fops = {
	SHMAP_BUF_FOPS,
	.get_unmapped_area = thp_get_unmapped_area,
};

/**
 * shmap_inode_alloc() - allocate the inode of a new buffer
 * @buf: the buffer; buf->npages must be set
 *
 * Return: the inode (one reference, owned by @buf), or ERR_PTR().
 */
struct inode *shmap_inode_alloc(struct shmap_buf *buf)
{
	struct inode *inode = alloc_anon_inode(shmap_mnt->mnt_sb);

	if (IS_ERR(inode))
		return inode;
	/* alloc_anon_inode() gives no file type: a buffer is a regular file. */
	inode->i_mode = S_IFREG | 0600;
	inode->i_op = &shmap_iops;
	inode->i_mapping->a_ops = &shmap_aops;
	inode->i_private = buf;
	i_size_write(inode, (loff_t)buf->npages << PAGE_SHIFT);
	return inode;
}

/**
 * shmap_file_open() - a new file on a buffer's inode
 * @buf: the buffer
 * @flags: O_RDWR, or O_RDONLY for a file that only maps read-only
 *
 * Return: the file, holding a reference on @buf and on this module, or
 * ERR_PTR().
 */
struct file *shmap_file_open(struct shmap_buf *buf, int flags)
{
	struct file *file;

	/* alloc_file_pseudo() does not take a module reference; fput() drops one. */
	__module_get(THIS_MODULE);
	/* On success the new dentry owns this inode reference. */
	ihold(buf->inode);
	file = alloc_file_pseudo(buf->inode, shmap_mnt, buf->name, flags,
				 buf->flags & SHMAP_CREATE_HUGE ?
					 &shmap_huge_fops :
					 &shmap_buf_fops);
	if (IS_ERR(file)) {
		iput(buf->inode);
		module_put(THIS_MODULE);
		return file;
	}
	shmap_buf_get(buf);
	file->private_data = buf;
	return file;
}

/**
 * shmap_fs_init() - mount the pseudo filesystem
 *
 * Return: 0 or -errno.
 */
int shmap_fs_init(void)
{
	shmap_mnt = kern_mount(&shmap_fs_type);
	return PTR_ERR_OR_ZERO(shmap_mnt);
}

/**
 * shmap_fs_exit() - unmount it; no buffer may be left
 */
void shmap_fs_exit(void)
{
	kern_unmount(shmap_mnt);
}
