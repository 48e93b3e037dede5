// SPDX-License-Identifier: GPL-2.0
/*
 * shmap_show.c - what the module shows of its buffers.
 *
 *   /proc/PID/fdinfo/N	of a buffer fd: "shmap-KEY:\tVALUE" lines after the
 *			generic ones, as dma-buf and DRM do (shmap(4))
 *   <debugfs>/shmap/buffers
 *			every live buffer, one line each, root only: the list
 *			that `shmapctl list` starts from, which also holds the
 *			buffers that no process maps or holds by fd any more
 *			(pinned by O_DIRECT or io_uring)
 *
 * Every buffer is on shmap_bufs from the end of its creation to its
 * release, under shmap_bufs_lock. A reader holds the lock while it formats
 * the lines into the seq_file buffer (nothing there sleeps on user memory),
 * and release takes it to unlink, so no buffer it shows can go away.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/seq_file.h>

#include "shmap.h"

static LIST_HEAD(shmap_bufs);
static DEFINE_MUTEX(shmap_bufs_lock);
static struct dentry *shmap_debugfs_dir;

static const char *const shmap_seal_names[] = { "future_write", "seal" };
static_assert(GENMASK(ARRAY_SIZE(shmap_seal_names) - 1, 0) == SHMAP_SEALS);

static const char *shmap_mode_name(u32 mode)
{
	return mode == SHMAP_MODE_EAGER ? "eager" : "lazy";
}

/* The seals as a comma list; @none if there is none. */
static void shmap_show_seals(struct seq_file *m, u32 seals, const char *none)
{
	const char *sep = "";
	unsigned int i;

	if (!seals) {
		seq_puts(m, none);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(shmap_seal_names); i++) {
		if (!(seals & BIT(i)))
			continue;
		seq_printf(m, "%s%s", sep, shmap_seal_names[i]);
		sep = ",";
	}
}

/**
 * shmap_show_fdinfo() - the shmap lines of /proc/PID/fdinfo/N
 * @m: the fdinfo file
 * @file: a buffer file
 *
 * The two strings escape tab, newline and backslash (octal, as
 * /proc/self/mountinfo): a name has none but backslash, a comm may.
 */
void shmap_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct shmap_buf *buf = file->private_data;

	seq_printf(m, "shmap-size:\t%llu\n", (u64)buf->npages << PAGE_SHIFT);
	seq_printf(m, "shmap-mode:\t%s\n", shmap_mode_name(buf->mode));
	seq_puts(m, "shmap-name:\t");
	seq_escape(m, buf->name, "\t\n\\");
	seq_printf(m, "\nshmap-resident-pages:\t%ld\n",
		   atomic_long_read(&buf->resident));
	seq_printf(m, "shmap-reserved-pages:\t%ld\n",
		   atomic_long_read(&buf->reserved));
	seq_puts(m, "shmap-seals:\t");
	shmap_show_seals(m, READ_ONCE(buf->seals), "");
	seq_printf(m, "\nshmap-read-only:\t%d\n",
		   !(file->f_mode & FMODE_WRITE));
	seq_printf(m, "shmap-noreserve:\t%d\n",
		   !!(buf->flags & SHMAP_CREATE_NORESERVE));
	seq_printf(m, "shmap-huge:\t%d\n", !!(buf->flags & SHMAP_CREATE_HUGE));
	seq_printf(m, "shmap-huge-folios:\t%ld\n",
		   atomic_long_read(&buf->huge_folios));
	seq_printf(m, "shmap-dmabuf-exports:\t%d\n",
		   atomic_read(&buf->dmabufs));
	seq_printf(m, "shmap-mappings:\t%d\n", atomic_read(&buf->mappings));
	seq_printf(m, "shmap-creator-pid:\t%d\n", pid_vnr(buf->creator));
	seq_puts(m, "shmap-creator-comm:\t");
	seq_escape(m, buf->creator_comm, "\t\n\\");
	seq_putc(m, '\n');
}

/**
 * shmap_show_add() - list a new buffer in debugfs
 * @buf: the buffer, fully set up
 */
void shmap_show_add(struct shmap_buf *buf)
{
	mutex_lock(&shmap_bufs_lock);
	list_add_tail(&buf->node, &shmap_bufs);
	mutex_unlock(&shmap_bufs_lock);
}

/**
 * shmap_show_del() - take a buffer off the list, before it is freed
 * @buf: the buffer
 */
void shmap_show_del(struct shmap_buf *buf)
{
	mutex_lock(&shmap_bufs_lock);
	list_del(&buf->node);
	mutex_unlock(&shmap_bufs_lock);
}

static void *shmap_bufs_start(struct seq_file *m, loff_t *pos)
{
	mutex_lock(&shmap_bufs_lock);
	return seq_list_start(&shmap_bufs, *pos);
}

static void *shmap_bufs_next(struct seq_file *m, void *v, loff_t *pos)
{
	return seq_list_next(v, &shmap_bufs, pos);
}

static void shmap_bufs_stop(struct seq_file *m, void *v)
{
	mutex_unlock(&shmap_bufs_lock);
}

/*
 * INO SIZE MODE RESIDENT RESERVED MAPPINGS SEALS NORESERVE HUGE HUGE_FOLIOS
 * DMABUFS CREATOR_PID CREATOR_COMM NAME, separated by one space; the strings
 * escape space, tab, newline and backslash; an empty name leaves the line
 * ending in a space.
 */
static int shmap_bufs_show(struct seq_file *m, void *v)
{
	struct shmap_buf *buf = list_entry(v, struct shmap_buf, node);

	seq_printf(m, "%llu %llu %s %ld %ld %d ", (u64)buf->inode->i_ino,
		   (u64)buf->npages << PAGE_SHIFT, shmap_mode_name(buf->mode),
		   atomic_long_read(&buf->resident),
		   atomic_long_read(&buf->reserved),
		   atomic_read(&buf->mappings));
	shmap_show_seals(m, READ_ONCE(buf->seals), "-");
	seq_printf(m, " %d %d %ld %d %d ",
		   !!(buf->flags & SHMAP_CREATE_NORESERVE),
		   !!(buf->flags & SHMAP_CREATE_HUGE),
		   atomic_long_read(&buf->huge_folios),
		   atomic_read(&buf->dmabufs), pid_vnr(buf->creator));
	seq_escape(m, buf->creator_comm, " \t\n\\");
	seq_putc(m, ' ');
	seq_escape(m, buf->name, " \t\n\\");
	seq_putc(m, '\n');
	return 0;
}

static const struct seq_operations shmap_bufs_sops = {
	.start = shmap_bufs_start,
	.next = shmap_bufs_next,
	.stop = shmap_bufs_stop,
	.show = shmap_bufs_show,
};
DEFINE_SEQ_ATTRIBUTE(shmap_bufs);

/**
 * shmap_show_init() - create the debugfs directory and its list
 *
 * Without debugfs (not built, or debugfs=off) there is no list; nothing
 * else depends on it, so failures are not errors (as debugfs asks).
 */
void shmap_show_init(void)
{
	shmap_debugfs_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("buffers", 0400, shmap_debugfs_dir, NULL,
			    &shmap_bufs_fops);
}

/**
 * shmap_show_exit() - remove them
 */
void shmap_show_exit(void)
{
	debugfs_remove(shmap_debugfs_dir);
}
