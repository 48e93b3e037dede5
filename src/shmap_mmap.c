// SPDX-License-Identifier: GPL-2.0
/*
 * shmap_mmap.c - what a mapping of a buffer does: the vm_operations, shared
 * by both mapping hooks, and the checks both make.
 *
 * Which hook sets a mapping up depends on the kernel (see shmap_compat.h):
 * ->mmap (shmap_mmap_vma.c) on 6.x, ->mmap_prepare with ->mapped
 * (shmap_mmap_desc.c) on 7.2+. Either way the vma is VM_MIXEDMAP: PTEs
 * point at ordinary refcounted pages, inserted with vm_insert_pages() or
 * the same insert_pages() under mmap_action_map_kernel_pages(): every page
 * of an eager buffer when it is mapped, and a window of pages per fault
 * (see shmap_vm_fault()). VM_MIXEDMAP is set by the hook, where the mmap
 * lock is held for write, so that inserting from a fault, under the mmap
 * read lock or the per-VMA lock only, never has to change vm_flags.
 *
 * Faults: ->map_pages is the kernel's read fault-around: it maps the pages
 * that exist around a read fault, without allocating. Having it also tells
 * the core that these vm_operations were audited to run without the mmap
 * lock (the comment above vmf_can_call_fault() in mm/memory.c): ->fault
 * then completes under the per-VMA lock instead of being retried under the
 * mmap lock. That holds here: the fault handlers use only the vma they are
 * given and the buffer it holds a reference on, allocate with GFP_KERNEL
 * (as anonymous faults do under the per-VMA lock), never change the vma,
 * and vm_insert_pages() takes the page table lock itself.
 *
 * Lifetime: the vma holds a reference on the buffer, taken when the hook
 * completes the mapping (->mmap, or ->mapped) and in ->open (fork, split,
 * mremap move), dropped in ->close; no vma pointer is ever kept. A vma
 * that ->mmap_prepare accepted but whose mapping the core then undid holds
 * none (see SHMAP_VMA_PENDING in shmap.h).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/mm.h>

#include "shmap.h"
#include "shmap_compat.h"

/**
 * shmap_mapping_get() - the reference of a new vma (piece) on its buffer
 * @buf: the buffer
 */
void shmap_mapping_get(struct shmap_buf *buf)
{
	shmap_buf_get(buf);
	atomic_inc(&buf->mappings);
}

static void shmap_vm_open(struct vm_area_struct *vma)
{
	shmap_mapping_get(vma->vm_private_data);
}

static void shmap_vm_close(struct vm_area_struct *vma)
{
	struct shmap_buf *buf = vma->vm_private_data;

	/* Accepted by ->mmap_prepare, undone before ->mapped took a reference. */
	if (shmap_vma_is_pending(buf)) {
		atomic_long_inc(&shmap_counters.mmap_undone);
		return;
	}
	atomic_dec(&buf->mappings);
	shmap_buf_put(buf);
}

/* A fault window never crosses a chunk of the page index. */
static_assert(SHMAP_WINDOW_MAX <= SHMAP_CHUNK_PAGES);

/*
 * Map the pages at [first, first + nr) of one chunk that exist, in runs of
 * present pages: each run is a piece of the chunk, which vm_insert_pages()
 * takes as it is. A PTE already there (another thread or the read
 * fault-around was first) is skipped. Return: 0, or the first error other
 * than -EBUSY.
 */
static int shmap_insert_chunk(struct vm_area_struct *vma, struct page **chunk,
			      unsigned long first, unsigned long nr)
{
	unsigned long addr =
		vma->vm_start + ((first - vma->vm_pgoff) << PAGE_SHIFT);
	struct page **slot = chunk + (first & SHMAP_CHUNK_MASK);
	unsigned long i = 0, run, left;
	int ret;

	while (i < nr) {
		if (!shmap_chunk_peek(chunk, first + i)) {
			i++;
			continue;
		}
		for (run = 1; i + run < nr; run++)
			if (!shmap_chunk_peek(chunk, first + i + run))
				break;
		left = run;
		ret = vm_insert_pages(vma, addr + (i << PAGE_SHIFT), slot + i,
				      &left);
		i += run - left;
		if (ret == -EBUSY)
			i++;
		else if (ret)
			return ret;
	}
	return 0;
}

/*
 * The window of a fault at @pgoff: fault_window pages aligned on the buffer
 * offset (so every process that maps the buffer, at any address, allocates
 * the same windows), cut to the vma and to the buffer.
 */
static void shmap_window(struct vm_area_struct *vma, struct shmap_buf *buf,
			 unsigned long pgoff, unsigned long *first,
			 unsigned long *nr)
{
	unsigned long w = shmap_fault_window(); /* read once: it may change */
	unsigned long start = ALIGN_DOWN(pgoff, w);
	unsigned long end = start + w;

	start = max(start, vma->vm_pgoff);
	end = min3(end, vma->vm_pgoff + vma_pages(vma), buf->npages);
	*first = start;
	*nr = end - start;
}

/*
 * Whether a fault at @pgoff, whose chunk is @chunk (NULL if none yet),
 * allocates ahead: only on a first touch that looks sequential, of a page
 * that does not exist yet, right after one that does. A sparse toucher
 * gets one page per touch, as with a window of 1, and a touch of an
 * existing page (a reader, a re-touch) allocates nothing.
 */
static bool shmap_fault_ahead(struct shmap_buf *buf, struct page **chunk,
			      unsigned long pgoff)
{
	if (!pgoff || (chunk && shmap_chunk_peek(chunk, pgoff)))
		return false;
	/* The page before may be the last of the chunk before. */
	if (!(pgoff & SHMAP_CHUNK_MASK))
		return shmap_buf_peek(buf, pgoff - 1);
	return chunk && shmap_chunk_peek(chunk, pgoff - 1);
}

static vm_fault_t shmap_vm_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct shmap_buf *buf = vma->vm_private_data;
	unsigned long first, nr;
	struct page **chunk;
	int ret;

	atomic_long_inc(&shmap_counters.faults);
	/* A mapping may run past the end of the buffer, as with a file. */
	if (vmf->pgoff >= buf->npages)
		return VM_FAULT_SIGBUS;

	shmap_window(vma, buf, vmf->pgoff, &first, &nr);
	chunk = shmap_buf_chunk(buf, vmf->pgoff);
	chunk = shmap_buf_fill_window(buf, chunk, first, nr, vmf->pgoff,
				      shmap_fault_ahead(buf, chunk,
							vmf->pgoff));
	if (IS_ERR(chunk))
		return VM_FAULT_SIGBUS;

	/* The window is in one chunk. */
	ret = shmap_insert_chunk(vma, chunk, first, nr);
	if (ret == -ENOMEM)
		return VM_FAULT_OOM;
	return ret ? VM_FAULT_SIGBUS : VM_FAULT_NOPAGE;
}

/*
 * Read fault-around: map the pages of the fault's window that exist, the
 * same window as shmap_vm_fault() (fault_window pages, not the kernel's
 * fault_around_bytes, which the core passes as [start, end] and sizes for
 * the page cache). Called under rcu_read_lock() (6.3+), where nothing may
 * sleep: the window is cut to the page table of the fault, and if that
 * table is missing, inserting would allocate it, so the whole fault is left
 * to ->fault.
 */
static vm_fault_t shmap_vm_map_pages(struct vm_fault *vmf, pgoff_t start,
				     pgoff_t end)
{
	struct vm_area_struct *vma = vmf->vma;
	struct shmap_buf *buf = vma->vm_private_data;
	unsigned long table = vmf->address & PMD_MASK;
	unsigned long first, nr, addr, skip;
	struct page **chunk;

	if (vmf->pgoff >= buf->npages || pmd_none(*vmf->pmd))
		return 0;
	chunk = shmap_buf_chunk(buf, vmf->pgoff);
	if (!chunk || !shmap_chunk_peek(chunk, vmf->pgoff))
		return 0;
	shmap_window(vma, buf, vmf->pgoff, &first, &nr);
	/* Cut the window to the addresses of this page table. */
	addr = vma->vm_start + ((first - vma->vm_pgoff) << PAGE_SHIFT);
	if (addr < table) {
		skip = (table - addr) >> PAGE_SHIFT;
		first += skip;
		nr -= skip;
		addr = table;
	}
	nr = min(nr, (table + PMD_SIZE - addr) >> PAGE_SHIFT);
	if (shmap_insert_chunk(vma, chunk, first, nr))
		return 0;
	return VM_FAULT_NOPAGE;
}

/*
 * Huge buffers (SHMAP_CREATE_HUGE): the fault returns the page, locked by
 * the core, with a reference for the mapping, and the core maps it the way
 * it maps a page-cache page: finish_fault() maps the whole folio with one
 * PMD (do_set_pmd()) when the folio is PMD-sized and the vma covers its
 * aligned span, else PTEs. That needs a vma that is not VM_MIXEDMAP: a
 * PMD in a VM_MIXEDMAP (special) vma is torn down on split without
 * dropping its folio reference, mapcount or RSS (vma_is_special_huge()),
 * and vm_insert_pages() cannot be used on it after ->mmap. So the vma has
 * no PTE inserted by us: every mapping is made by the core from a fault,
 * refcounted and in rmap like a file page's, and a split PMD (partial
 * munmap, mprotect, MADV_DONTNEED of part) is simply refaulted as PTEs.
 *
 * mlock() leaves the vma alone (VM_DONTEXPAND is in VM_SPECIAL), so do
 * khugepaged and MADV_COLLAPSE (VM_NO_KHUGEPAGED), and the
 * folios, never on the LRU, are not reclaimed, migrated or compacted; the
 * core's attempts to split one (MADV_PAGEOUT of part of a PMD, memory
 * failure) fail because the folio is not in the page cache.
 *
 * A lazy buffer's page is allocated first (shmap_buf_huge_page()): on the
 * first touch of a whole span, the span's folio.
 *
 * VM_FAULT_LOCKED is never returned: __do_fault() takes the lock, and
 * only for a locked return does it try to evict a poisoned folio from a
 * page cache it is not in.
 */
static vm_fault_t shmap_huge_fault(struct vm_fault *vmf)
{
	struct shmap_buf *buf = vmf->vma->vm_private_data;
	struct page *page;

	atomic_long_inc(&shmap_counters.faults);
	if (vmf->pgoff >= buf->npages)
		return VM_FAULT_SIGBUS;
	page = shmap_buf_huge_page(buf, vmf->pgoff);
	if (IS_ERR(page))
		return VM_FAULT_SIGBUS;
	folio_get(page_folio(page));
	vmf->page = page;
	return 0;
}

/*
 * No read fault-around: the pages are mapped by ->fault, whole folios at
 * once. The hook exists so that ->fault runs under the per-VMA lock
 * (vmf_can_call_fault()), for the reasons given at the top of this file.
 */
static vm_fault_t shmap_huge_map_pages(struct vm_fault *vmf, pgoff_t start,
				       pgoff_t end)
{
	return 0;
}

/*
 * The vm_operations of vmas set up on the vma itself: by ->mmap (6.x) and,
 * on every kernel, by the mmap of a dma-buf of the buffer (shmap_dmabuf.c).
 * They have no .mapped: the core calls it only for mappings that
 * ->mmap_prepare made, and checks that ->mmap set none.
 */
const struct vm_operations_struct shmap_vm_ops = {
	.open = shmap_vm_open,
	.close = shmap_vm_close,
	.fault = shmap_vm_fault,
	.map_pages = shmap_vm_map_pages,
};

const struct vm_operations_struct shmap_huge_vm_ops = {
	.open = shmap_vm_open,
	.close = shmap_vm_close,
	.fault = shmap_huge_fault,
	.map_pages = shmap_huge_map_pages,
};

#ifdef SHMAP_HAVE_MMAP_PREPARE
/* Those of vmas that ->mmap_prepare describes (7.2+): the same, and .mapped. */
const struct vm_operations_struct shmap_desc_vm_ops = {
	.open = shmap_vm_open,
	.close = shmap_vm_close,
	.mapped = shmap_vm_mapped,
	.fault = shmap_vm_fault,
	.map_pages = shmap_vm_map_pages,
};

const struct vm_operations_struct shmap_desc_huge_vm_ops = {
	.open = shmap_vm_open,
	.close = shmap_vm_close,
	.mapped = shmap_vm_mapped,
	.fault = shmap_huge_fault,
	.map_pages = shmap_huge_map_pages,
};
#endif

/**
 * shmap_mmap_check() - the checks both mapping hooks make first
 * @buf: the buffer
 * @pgoff: the offset of the mapping, in pages
 * @shared: the mapping is shared (VM_MAYSHARE)
 * @exec: the mapping is executable (VM_EXEC)
 *
 * Private mappings would copy on write into anonymous pages that no longer
 * reach the buffer. VM_MAYSHARE, not VM_SHARED: the core clears VM_SHARED
 * for shared mappings of a read-only fd. W^X: buffers are data, never code.
 * The filesystem is noexec (see shmap_init_fs_context()), so the core
 * already refuses PROT_EXEC with -EPERM and clears VM_MAYEXEC; the hooks
 * keep it so whatever the core's noexec rules (and clear VM_MAYEXEC, so
 * mprotect(PROT_EXEC) fails with -EACCES).
 *
 * Return: 0, -EINVAL (private mapping, offset at or past the end) or -EPERM
 * (executable mapping).
 */
int shmap_mmap_check(struct shmap_buf *buf, unsigned long pgoff, bool shared,
		     bool exec)
{
	if (!shared || pgoff >= buf->npages)
		return -EINVAL;
	return exec ? -EPERM : 0;
}
