// SPDX-License-Identifier: GPL-2.0
/*
 * shmap_mmap_desc.c - ->mmap_prepare and ->mapped, for kernels that have
 * them with map actions (7.2+; see shmap_compat.h). 6.x kernels build
 * shmap_mmap_vma.c instead.
 *
 * mmap() runs, with the mmap lock held for write:
 *   1. ->mmap_prepare (shmap_buf_mmap_prepare()) on a vm_area_desc: checks,
 *	flags, vm_ops, and for an eager buffer the map action; it changes no
 *	state of ours, because the core may still fail before any vma exists
 *	(no memory for the vma, its tree, ...), and then nothing of ours runs;
 *   2. the core creates the vma with what the descriptor says;
 *   3. the action, mmap_action_map_kernel_pages(): every page of an eager
 *	buffer that the vma covers, in one insert_pages() call on the flat
 *	page index (see shmap_buf.c);
 *   4. ->mapped (shmap_vm_mapped()), only if the action succeeded: it looks
 *	at the seals again, under buf->lock, and takes the vma's reference.
 * If 3 or 4 fails, the core unmaps the vma, so ->close runs for a vma whose
 * ->mapped never took a reference: until ->mapped replaces it,
 * vm_private_data is the buffer tagged SHMAP_VMA_PENDING (shmap.h), and
 * ->close leaves such a vma alone.
 *
 * Seals: SHMAP_SEAL_FUTURE_WRITE may be added between 1 and 4. ->mapped
 * cannot change vm flags any more, so a vma that 1 left writable, or able
 * to become writable with mprotect() (VM_MAYWRITE, carried to ->mapped as
 * SHMAP_VMA_MAYWRITE), fails there with -EPERM if the seal is in force by
 * then; a read-only fd never gets VM_MAYWRITE, so only mmap() of a
 * writable fd can lose such a race.
 *
 * The action maps the whole range in one call, with no cond_resched() and
 * no fatal signal check (->mmap maps in SHMAP_BATCH steps with both). On
 * Debian's 7.x kernels (PREEMPT_LAZY, dynamic) the task stays preemptible
 * throughout, since insert_pages() drops the page table lock every 8
 * pages; README.md has what a multi-GiB eager mapping costs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bug.h>
#include <linux/fs.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mutex.h>

#include "shmap.h"
#include "shmap_compat.h"

/**
 * shmap_buf_mmap_prepare() - ->mmap_prepare of buffer files
 * @desc: the mapping to be
 *
 * Return: 0, -EINVAL (private mapping, offset at or past the end), -EPERM
 * (executable mapping, or writable mapping of a buffer sealed with
 * SHMAP_SEAL_FUTURE_WRITE). After 0, the mapping may still fail with the
 * map action's error (-ENOMEM) or ->mapped's (-EPERM).
 */
int shmap_buf_mmap_prepare(struct vm_area_desc *desc)
{
	struct shmap_buf *buf = desc->file->private_data;
	unsigned long nr;
	int ret;

	ret = shmap_mmap_check(buf, desc->pgoff,
			       vma_desc_test(desc, VMA_MAYSHARE_BIT),
			       vma_desc_test(desc, VMA_EXEC_BIT));
	if (ret)
		return ret;
	vma_desc_clear_flags(desc, VMA_MAYEXEC_BIT);

	/* Seals are only ever added: ->mapped looks again, under the lock. */
	if (READ_ONCE(buf->seals) & SHMAP_SEAL_FUTURE_WRITE) {
		if (vma_desc_test(desc, VMA_WRITE_BIT))
			return -EPERM;
		/* mprotect() may not add write later either. */
		vma_desc_clear_flags(desc, VMA_MAYWRITE_BIT);
	}

	desc->private_data =
		shmap_vma_pending(buf, vma_desc_test(desc, VMA_MAYWRITE_BIT));
	/* Huge buffers: mapped by faults only (see shmap_huge_fault()). */
	if (buf->flags & SHMAP_CREATE_HUGE) {
		vma_desc_set_flags(desc, VMA_DONTEXPAND_BIT, VMA_DONTDUMP_BIT);
		desc->vm_ops = &shmap_desc_huge_vm_ops;
		return 0;
	}
	vma_desc_set_flags(desc, VMA_MIXEDMAP_BIT, VMA_DONTEXPAND_BIT,
			   VMA_DONTDUMP_BIT);
	desc->vm_ops = &shmap_desc_vm_ops;

	/*
	 * A mapping may run past the end of the buffer, as with a file:
	 * faults there get SIGBUS. Lazy buffers map nothing now.
	 */
	if (buf->mode == SHMAP_MODE_EAGER) {
		nr = min(vma_desc_pages(desc), buf->npages - desc->pgoff);
		mmap_action_map_kernel_pages(desc, desc->start,
					     buf->pages + desc->pgoff, nr);
	}
	return 0;
}

/**
 * shmap_vm_mapped() - ->mapped: the vma exists and its pages are mapped
 * @start: its first address
 * @end: the address after it
 * @pgoff: its offset in the buffer, in pages
 * @file: the file it maps (not necessarily a buffer file when a stacking
 *	driver called ->mmap_prepare: the buffer comes from the private data)
 * @vm_private_data: in: what ->mmap_prepare left (the tagged buffer); out,
 *	on success only: the buffer
 *
 * Return: 0, or -EPERM if the vma may be written and SHMAP_SEAL_FUTURE_WRITE
 * was added since ->mmap_prepare: the core then unmaps it.
 */
int shmap_vm_mapped(unsigned long start, unsigned long end, pgoff_t pgoff,
		    const struct file *file, void **vm_private_data)
{
	unsigned long tags = (unsigned long)*vm_private_data & SHMAP_VMA_TAGS;
	struct shmap_buf *buf = shmap_vma_buf(*vm_private_data);

	if (WARN_ON_ONCE(!(tags & SHMAP_VMA_PENDING)))
		return -EINVAL;

	mutex_lock(&buf->lock);
	if ((tags & SHMAP_VMA_MAYWRITE) &&
	    (buf->seals & SHMAP_SEAL_FUTURE_WRITE)) {
		mutex_unlock(&buf->lock);
		return -EPERM;
	}
	shmap_mapping_get(buf);
	mutex_unlock(&buf->lock);

	*vm_private_data = buf;
	atomic_long_inc(&shmap_counters.mapped_by_mmap_prepare);
	return 0;
}
