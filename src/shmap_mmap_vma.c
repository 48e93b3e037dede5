// SPDX-License-Identifier: GPL-2.0
/*
 * shmap_mmap_vma.c - setting up a vma that exists: ->mmap, for kernels
 * without ->mmap_prepare (6.x), and the mmap of a buffer's dma-buf (on every
 * kernel, see shmap_dmabuf.c).
 *
 * shmap_mmap_vma() gets the new vma, checks and sets it up under buf->lock
 * (so a seal is either in force for it or comes after it), maps every page
 * of an eager buffer, and takes the vma's reference last: on failure the
 * core unmaps whatever was inserted and no vm_operations hook runs, so
 * nothing of ours is left to undo. 7.2+ kernels map buffer files with
 * ->mmap_prepare instead (shmap_mmap_desc.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>

#include "shmap.h"
#include "shmap_compat.h"

/*
 * Map every page of an eager buffer that the vma covers (a vma may run past
 * the end of the buffer, as with a file: faults there get SIGBUS), in steps
 * of SHMAP_BATCH pages with a fatal signal check and cond_resched().
 */
static int shmap_map_eager(struct shmap_buf *buf, struct vm_area_struct *vma)
{
	unsigned long pgoff = vma->vm_pgoff;
	unsigned long end = pgoff + min(vma_pages(vma), buf->npages - pgoff);
	unsigned long addr = vma->vm_start, count, left;
	int ret;

	while (pgoff < end) {
		if (fatal_signal_pending(current))
			return -EINTR;
		count = min_t(unsigned long, end - pgoff, SHMAP_BATCH);
		left = count;
		ret = vm_insert_pages(vma, addr, buf->pages + pgoff, &left);
		if (ret)
			return ret;
		pgoff += count;
		addr += count << PAGE_SHIFT;
		cond_resched();
	}
	return 0;
}

/**
 * shmap_mmap_vma() - set up a new vma on a buffer
 * @buf: the buffer
 * @vma: the vma, whose vm_file is a file of @buf
 *
 * Return: 0, -EINVAL (private mapping, offset at or past the end), -EPERM
 * (executable mapping, or writable mapping of a buffer sealed with
 * SHMAP_SEAL_FUTURE_WRITE), -ENOMEM, -EINTR.
 */
int shmap_mmap_vma(struct shmap_buf *buf, struct vm_area_struct *vma)
{
	int ret;

	ret = shmap_mmap_check(buf, vma->vm_pgoff, vma->vm_flags & VM_MAYSHARE,
			       vma->vm_flags & VM_EXEC);
	if (ret)
		return ret;
	shmap_vm_flags_clear(vma, VM_MAYEXEC);

	mutex_lock(&buf->lock);
	if (buf->seals & SHMAP_SEAL_FUTURE_WRITE) {
		if (vma->vm_flags & VM_WRITE) {
			ret = -EPERM;
			goto out_unlock;
		}
		/* mprotect() may not add write later either. */
		shmap_vm_flags_clear(vma, VM_MAYWRITE);
	}

	vma->vm_private_data = buf;
	/* Huge buffers: mapped by faults only (see shmap_huge_fault()). */
	if (buf->flags & SHMAP_CREATE_HUGE) {
		shmap_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
		vma->vm_ops = &shmap_huge_vm_ops;
	} else {
		shmap_vm_flags_set(vma,
				   VM_MIXEDMAP | VM_DONTEXPAND | VM_DONTDUMP);
		vma->vm_ops = &shmap_vm_ops;
	}

	if (buf->mode == SHMAP_MODE_EAGER &&
	    !(buf->flags & SHMAP_CREATE_HUGE)) {
		ret = shmap_map_eager(buf, vma);
		if (ret)
			goto out_unlock;
	}
	shmap_mapping_get(buf);

out_unlock:
	mutex_unlock(&buf->lock);
	return ret;
}

#ifndef SHMAP_HAVE_MMAP_PREPARE
/**
 * shmap_buf_mmap() - ->mmap of buffer files (6.x)
 * @file: the buffer file
 * @vma: the new vma
 *
 * Return: as shmap_mmap_vma().
 */
int shmap_buf_mmap(struct file *file, struct vm_area_struct *vma)
{
	int ret = shmap_mmap_vma(file->private_data, vma);

	if (!ret)
		atomic_long_inc(&shmap_counters.mapped_by_mmap);
	return ret;
}
#endif
