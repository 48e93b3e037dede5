// SPDX-License-Identifier: GPL-2.0
/*
 * shmap_mmap.c - mapping buffers: ->mmap and the vm_operations.
 *
 * The vma is VM_MIXEDMAP: PTEs point at ordinary refcounted pages, inserted
 * with vm_insert_pages() (eager buffers, at mmap time) or vmf_insert_page()
 * (every fault; lazy buffers allocate the page there). VM_MIXEDMAP is set
 * in ->mmap, where the mmap lock is held for write, so that inserting from
 * ->fault, under the mmap read lock or the per-VMA lock only, never has to
 * change vm_flags.
 *
 * Lifetime: the vma holds a reference on the buffer, taken in ->mmap and
 * ->open (fork, split, mremap move), dropped in ->close; no vma pointer is
 * ever kept.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>

#include "shmap.h"
#include "shmap_compat.h"

/* Eager buffers are mapped in batches of this many pages. */
#define SHMAP_MAP_BATCH 512

static void shmap_vm_open(struct vm_area_struct *vma)
{
	struct shmap_buf *buf = vma->vm_private_data;

	shmap_buf_get(buf);
	atomic_inc(&buf->mappings);
}

static void shmap_vm_close(struct vm_area_struct *vma)
{
	struct shmap_buf *buf = vma->vm_private_data;

	atomic_dec(&buf->mappings);
	shmap_buf_put(buf);
}

static vm_fault_t shmap_vm_fault(struct vm_fault *vmf)
{
	struct shmap_buf *buf = vmf->vma->vm_private_data;
	struct page *page;

	atomic_long_inc(&shmap_counters.faults);
	/* A mapping may run past the end of the buffer, as with a file. */
	if (vmf->pgoff >= buf->npages)
		return VM_FAULT_SIGBUS;

	page = shmap_buf_page(buf, vmf->pgoff);
	if (IS_ERR(page))
		return VM_FAULT_SIGBUS;

	/* -EBUSY (another thread mapped it first) is success too. */
	return vmf_insert_page(vmf->vma, vmf->address, page);
}

static const struct vm_operations_struct shmap_vm_ops = {
	.open = shmap_vm_open,
	.close = shmap_vm_close,
	.fault = shmap_vm_fault,
};

/* Map every page of an eager buffer that the vma covers. */
static int shmap_map_eager(struct shmap_buf *buf, struct vm_area_struct *vma)
{
	unsigned long pgoff = vma->vm_pgoff;
	unsigned long end = pgoff + min(vma_pages(vma), buf->npages - pgoff);
	unsigned long addr = vma->vm_start;
	unsigned long count, left;
	int ret;

	while (pgoff < end) {
		if (fatal_signal_pending(current))
			return -EINTR;
		count = min_t(unsigned long, end - pgoff, SHMAP_MAP_BATCH);
		left = count;
		ret = shmap_vm_insert_pages(vma, addr, buf->pages + pgoff,
					    &left);
		if (ret)
			return ret;
		pgoff += count;
		addr += count << PAGE_SHIFT;
		cond_resched();
	}
	return 0;
}

/**
 * shmap_buf_mmap() - ->mmap of buffer files
 * @file: the buffer file
 * @vma: the new vma
 *
 * On failure the core unmaps whatever was inserted and no vm_operations
 * hook runs, so nothing of ours is left to undo.
 *
 * Return: 0, -EINVAL (private mapping, offset at or past the end), -EPERM
 * (writable mapping of a buffer sealed with SHMAP_SEAL_FUTURE_WRITE),
 * -ENOMEM, -EINTR.
 */
int shmap_buf_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct shmap_buf *buf = file->private_data;
	int ret = 0;

	/*
	 * Private mappings would copy on write into anonymous pages that no
	 * longer reach the buffer. VM_MAYSHARE, not VM_SHARED: the core
	 * clears VM_SHARED for shared mappings of a read-only fd.
	 */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_pgoff >= buf->npages)
		return -EINVAL;

	mutex_lock(&buf->lock);
	if (buf->seals & SHMAP_SEAL_FUTURE_WRITE) {
		if (vma->vm_flags & VM_WRITE) {
			ret = -EPERM;
			goto out_unlock;
		}
		/* mprotect() may not add write later either. */
		shmap_vm_flags_clear(vma, VM_MAYWRITE);
	}

	shmap_vm_flags_set(vma, VM_MIXEDMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &shmap_vm_ops;
	vma->vm_private_data = buf;

	if (buf->mode == SHMAP_MODE_EAGER) {
		ret = shmap_map_eager(buf, vma);
		if (ret)
			goto out_unlock;
	}
	shmap_vm_open(vma);

out_unlock:
	mutex_unlock(&buf->lock);
	return ret;
}
