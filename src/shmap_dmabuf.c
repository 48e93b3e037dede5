// SPDX-License-Identifier: GPL-2.0
/*
 * shmap_dmabuf.c - SHMAP_IOC_EXPORT_DMABUF: a buffer's pages as a dma-buf,
 * for devices.
 *
 * A dma-buf is one more holder of its buffer: it keeps a file of it (one of
 * its own, read-only for a read-only dma-buf), so the buffer, its pages and
 * this module stay while the dma-buf exists, whatever is closed first: the
 * buffer fds, their mappings, the dma-buf fd, the dma-buf's mappings or an
 * importer's attachments (each of which holds the dma-buf). The dma-buf core
 * holds the module too (exp_info.owner).
 *
 * Pages: a dma-buf covers the whole buffer, and the buffer has every page
 * from the export on: a lazy buffer is populated by the export, charged to
 * the exporter's memory cgroup as a touch of every page would be, since
 * devices do not fault. Pages never move or go away before the buffer is
 * freed, so what importers were given stays valid while they hold the
 * dma-buf.
 *
 * What importers get:
 *  - map_dma_buf: a scatterlist of the pages (runs of contiguous pages
 *    merged: a 2 MiB folio is one segment), mapped for the importer's device
 *    with dma_map_sgtable();
 *  - begin/end_cpu_access (DMA_BUF_IOCTL_SYNC, or an importer): every such
 *    mapping synced for the CPU or for its device: nothing on cache-coherent
 *    x86, what the DMA API needs elsewhere (bounce buffers included);
 *  - mmap of the dma-buf: the same pages as a mapping of the buffer; the
 *    vma becomes one of the buffer file's, so seals apply to it and it is
 *    counted in INFO.mappings;
 *  - vmap, for importers that need a kernel address (vb2-vmalloc: vivid).
 *
 * Read-only dma-bufs (SHMAP_DMABUF_READONLY, a read-only buffer fd, or
 * SHMAP_SEAL_FUTURE_WRITE in force): the dma-buf file is read-only, so no
 * mapping of it is writable; devices may only read (map_dma_buf refuses
 * other directions with -EACCES); and there is no vmap, through which an
 * importer would write.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/dma-direction.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "shmap.h"
#include "shmap_compat.h"

SHMAP_IMPORT_NS_DMA_BUF();

/**
 * struct shmap_dma - what a dma-buf of a buffer holds (dma_buf.priv)
 * @buf: the buffer
 * @file: a file of @buf, held by the dma-buf (read-only for a read-only
 *	dma-buf); the vmas of the dma-buf's mappings are made its
 * @pages: every page of @buf in order: buf->pages for an eager buffer, an
 *	array of ours for a lazy one
 * @lock: protects @maps
 * @maps: the device mappings (struct shmap_dma_map) that exist
 */
struct shmap_dma {
	struct shmap_buf *buf;
	struct file *file;
	struct page **pages;
	struct mutex lock; /* protects maps */
	struct list_head maps;
};

/**
 * struct shmap_dma_map - one map_dma_buf of an importer
 * @sgt: the scatterlist, mapped for @dev
 * @dev: the importer's device
 * @dir: the direction it was mapped for
 * @node: on shmap_dma.maps
 */
struct shmap_dma_map {
	struct sg_table sgt;
	struct device *dev;
	enum dma_data_direction dir;
	struct list_head node;
};

static bool shmap_dma_readonly(const struct shmap_dma *dma)
{
	return !(dma->file->f_mode & FMODE_WRITE);
}

static struct sg_table *shmap_dma_map(struct dma_buf_attachment *attach,
				      enum dma_data_direction dir)
{
	struct shmap_dma *dma = attach->dmabuf->priv;
	unsigned long npages = dma->buf->npages;
	struct shmap_dma_map *map;
	int ret;

	if (shmap_dma_readonly(dma) && dir != DMA_TO_DEVICE)
		return ERR_PTR(-EACCES);
	map = kzalloc(sizeof(*map), GFP_KERNEL);
	if (!map)
		return ERR_PTR(-ENOMEM);
	ret = sg_alloc_table_from_pages(&map->sgt, dma->pages, npages, 0,
					npages << PAGE_SHIFT, GFP_KERNEL);
	if (ret)
		goto out_free_map;
	ret = dma_map_sgtable(attach->dev, &map->sgt, dir, 0);
	if (ret)
		goto out_free_table;
	map->dev = attach->dev;
	map->dir = dir;
	mutex_lock(&dma->lock);
	list_add(&map->node, &dma->maps);
	mutex_unlock(&dma->lock);
	return &map->sgt;

out_free_table:
	sg_free_table(&map->sgt);
out_free_map:
	kfree(map);
	return ERR_PTR(ret);
}

static void shmap_dma_unmap(struct dma_buf_attachment *attach,
			    struct sg_table *sgt, enum dma_data_direction dir)
{
	struct shmap_dma_map *map =
		container_of(sgt, struct shmap_dma_map, sgt);
	struct shmap_dma *dma = attach->dmabuf->priv;

	mutex_lock(&dma->lock);
	list_del(&map->node);
	mutex_unlock(&dma->lock);
	dma_unmap_sgtable(attach->dev, sgt, dir, 0);
	sg_free_table(sgt);
	kfree(map);
}

/* Each device mapping is synced in the direction it was mapped for. */
static int shmap_dma_begin_cpu(struct dma_buf *dmabuf,
			       enum dma_data_direction dir)
{
	struct shmap_dma *dma = dmabuf->priv;
	struct shmap_dma_map *map;

	mutex_lock(&dma->lock);
	list_for_each_entry(map, &dma->maps, node)
		dma_sync_sgtable_for_cpu(map->dev, &map->sgt, map->dir);
	mutex_unlock(&dma->lock);
	return 0;
}

static int shmap_dma_end_cpu(struct dma_buf *dmabuf,
			     enum dma_data_direction dir)
{
	struct shmap_dma *dma = dmabuf->priv;
	struct shmap_dma_map *map;

	mutex_lock(&dma->lock);
	list_for_each_entry(map, &dma->maps, node)
		dma_sync_sgtable_for_device(map->dev, &map->sgt, map->dir);
	mutex_unlock(&dma->lock);
	return 0;
}

/*
 * The core checked the range against the dma-buf's size; the vma becomes
 * a vma of the buffer's file, set up as any mapping of the buffer.
 */
static int shmap_dma_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct shmap_dma *dma = dmabuf->priv;

	vma_set_file(vma, dma->file);
	return shmap_mmap_vma(dma->buf, vma);
}

static int shmap_dma_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct shmap_dma *dma = dmabuf->priv;
	void *vaddr;

	vaddr = vmap(dma->pages, dma->buf->npages, VM_MAP, PAGE_KERNEL);
	if (!vaddr)
		return -ENOMEM;
	iosys_map_set_vaddr(map, vaddr);
	return 0;
}

static void shmap_dma_vunmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	vunmap(map->vaddr);
}

static void shmap_dma_release(struct dma_buf *dmabuf)
{
	struct shmap_dma *dma = dmabuf->priv;
	struct shmap_buf *buf = dma->buf;

	if (dma->pages != buf->pages)
		kvfree(dma->pages);
	atomic_dec(&buf->dmabufs);
	atomic_long_dec(&shmap_counters.dmabufs);
	mutex_destroy(&dma->lock);
	/* May drop the last reference on the buffer. */
	fput(dma->file);
	kfree(dma);
}

#define SHMAP_DMA_OPS \
	.map_dma_buf = shmap_dma_map, .unmap_dma_buf = shmap_dma_unmap, \
	.begin_cpu_access = shmap_dma_begin_cpu, \
	.end_cpu_access = shmap_dma_end_cpu, .mmap = shmap_dma_mmap, \
	.release = shmap_dma_release

static const struct dma_buf_ops shmap_dma_ops = {
	SHMAP_DMA_OPS,
	.vmap = shmap_dma_vmap,
	.vunmap = shmap_dma_vunmap,
};

/* No vmap: an importer would write through it. */
static const struct dma_buf_ops shmap_dma_ro_ops = {
	SHMAP_DMA_OPS,
};

/*
 * Every page of @buf, which has them all, in one array: buf->pages, or a
 * new one for a lazy buffer. NULL if it cannot be allocated.
 */
static struct page **shmap_dma_pages(struct shmap_buf *buf)
{
	struct page **pages;
	unsigned long i;

	if (buf->pages)
		return buf->pages;
	pages = kvmalloc_array(buf->npages, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages)
		return NULL;
	for (i = 0; i < buf->npages; i++) {
		pages[i] = shmap_buf_peek(buf, i);
		if (!(i % SHMAP_BATCH))
			cond_resched();
	}
	return pages;
}

/*
 * A dma-buf of @buf, and its struct shmap_dma (which dma_buf_put() frees,
 * through shmap_dma_release(), once the dma-buf exists).
 */
static struct dma_buf *shmap_dma_export(struct shmap_buf *buf, bool readonly)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct dma_buf *dmabuf;
	struct shmap_dma *dma;
	int ret;

	dma = kzalloc(sizeof(*dma), GFP_KERNEL_ACCOUNT);
	if (!dma)
		return ERR_PTR(-ENOMEM);
	dma->buf = buf;
	mutex_init(&dma->lock);
	INIT_LIST_HEAD(&dma->maps);
	dma->pages = shmap_dma_pages(buf);
	if (!dma->pages) {
		ret = -ENOMEM;
		goto out_free_dma;
	}
	dma->file = shmap_file_open(buf, readonly ? O_RDONLY : O_RDWR);
	if (IS_ERR(dma->file)) {
		ret = PTR_ERR(dma->file);
		goto out_free_pages;
	}

	exp_info.ops = readonly ? &shmap_dma_ro_ops : &shmap_dma_ops;
	exp_info.size = buf->npages << PAGE_SHIFT;
	exp_info.flags = readonly ? O_RDONLY : O_RDWR;
	exp_info.priv = dma;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto out_put_file;
	}
	atomic_inc(&buf->dmabufs);
	atomic_long_inc(&shmap_counters.dmabufs);
	return dmabuf;

out_put_file:
	fput(dma->file);
out_free_pages:
	if (dma->pages != buf->pages)
		kvfree(dma->pages);
out_free_dma:
	mutex_destroy(&dma->lock);
	kfree(dma);
	return ERR_PTR(ret);
}

/**
 * shmap_ioctl_export_dmabuf() - SHMAP_IOC_EXPORT_DMABUF
 * @file: the buffer file the ioctl came on
 * @buf: its buffer
 * @argp: user pointer to struct shmap_dmabuf
 *
 * The dma-buf is read-only if asked to be, if @file is read-only, or if
 * SHMAP_SEAL_FUTURE_WRITE is in force. A lazy buffer gets all its pages
 * first (shmap_buf_populate()); they stay if a later step fails.
 *
 * Return: 0 or -errno: -EINVAL (unknown flags, reserved fields), -EFBIG (a
 * buffer of more than UINT_MAX pages: scatterlists and vmap() count in
 * unsigned int), -ENOSPC, -ENOMEM, -EINTR (populating), -EMFILE, -EFAULT.
 */
long shmap_ioctl_export_dmabuf(struct file *file, struct shmap_buf *buf,
			       struct shmap_dmabuf __user *argp)
{
	struct shmap_dmabuf args;
	struct dma_buf *dmabuf;
	bool readonly, cloexec;
	int fd, ret;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if ((args.flags & ~SHMAP_DMABUF_FLAGS) ||
	    memchr_inv(args.reserved, 0, sizeof(args.reserved)))
		return -EINVAL;
	if (buf->npages > UINT_MAX)
		return -EFBIG;
	/*
	 * A seal added after this read comes after the export, as it would
	 * after a writable mapping: a later mmap() of the dma-buf sees it.
	 */
	readonly = (args.flags & SHMAP_DMABUF_READONLY) ||
		   !(file->f_mode & FMODE_WRITE) ||
		   (READ_ONCE(buf->seals) & SHMAP_SEAL_FUTURE_WRITE);

	ret = shmap_buf_populate(buf);
	if (ret)
		return ret;
	dmabuf = shmap_dma_export(buf, readonly);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);

	cloexec = !(args.flags & SHMAP_DMABUF_NO_CLOEXEC);
	fd = get_unused_fd_flags(cloexec ? O_CLOEXEC : 0);
	if (fd < 0) {
		ret = fd;
		goto out_put_dmabuf;
	}
	args.fd = fd;
	if (put_user(args.fd, &argp->fd)) {
		ret = -EFAULT;
		goto out_put_fd;
	}
	/* The fd takes over the dma-buf's reference, as dma_buf_fd() does. */
	fd_install(fd, dmabuf->file);
	return 0;

out_put_fd:
	put_unused_fd(fd);
out_put_dmabuf:
	dma_buf_put(dmabuf);
	return ret;
}
