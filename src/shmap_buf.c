// SPDX-License-Identifier: GPL-2.0
/*
 * shmap_buf.c - buffers: their pages, their reservations, their lifetime.
 *
 * Page ownership: buf->pages[] holds one reference on each page, taken at
 * allocation and dropped in shmap_buf_release(). Every PTE that maps a page
 * holds its own reference (vm_insert_page(s) takes it, the zap of the PTE
 * drops it), and so does any get_user_pages() pin; a page is freed when the
 * last of them is gone.
 *
 * Each page points at the buffer's address_space (mapping, index) like a
 * page-cache page: that gives shared futexes a key (get_futex_key()) and
 * keeps rmap consistent. The pointer is cleared before our reference is
 * dropped, as a page must not reach the allocator with a mapping.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "shmap.h"

/*
 * Zeroed pages charged to the caller's memory cgroup; a failure neither
 * invokes the OOM killer (__GFP_RETRY_MAYFAIL) nor warns (__GFP_NOWARN):
 * it becomes ENOMEM for create and SIGBUS for a lazy fault.
 */
#define SHMAP_GFP \
	(GFP_HIGHUSER | __GFP_ACCOUNT | __GFP_ZERO | __GFP_RETRY_MAYFAIL | \
	 __GFP_NOWARN)

/* Eager allocation and mapping work in batches of this many pages. */
#define SHMAP_BATCH 512

static int shmap_reserve(struct shmap_buf *buf, unsigned long npages)
{
	unsigned long limit = shmap_max_total_pages();

	if (atomic_long_add_return(npages, &shmap_counters.pages_reserved) >
	    limit) {
		atomic_long_sub(npages, &shmap_counters.pages_reserved);
		return -ENOSPC;
	}
	atomic_long_add(npages, &buf->reserved);
	return 0;
}

static void shmap_unreserve(struct shmap_buf *buf, unsigned long npages)
{
	atomic_long_sub(npages, &buf->reserved);
	atomic_long_sub(npages, &shmap_counters.pages_reserved);
}

static struct page *shmap_page_alloc(struct shmap_buf *buf, unsigned long pgoff)
{
	struct page *page = alloc_page(SHMAP_GFP);
	struct folio *folio;

	if (!page)
		return NULL;
	folio = page_folio(page);
	folio->mapping = buf->inode->i_mapping;
	folio->index = pgoff;
	return page;
}

static void shmap_page_free(struct page *page)
{
	page_folio(page)->mapping = NULL;
	put_page(page);
}

/* Free every page of the array and the accounting that goes with them. */
static void shmap_buf_free_pages(struct shmap_buf *buf)
{
	unsigned long i, freed = 0;

	for (i = 0; i < buf->npages; i++) {
		if (!buf->pages[i])
			continue;
		shmap_page_free(buf->pages[i]);
		buf->pages[i] = NULL;
		freed++;
		if (!(freed % SHMAP_BATCH))
			cond_resched();
	}
	atomic_long_sub(freed, &buf->resident);
	atomic_long_sub(freed, &shmap_counters.pages_allocated);
}

/* Eager buffers: allocate every page now. */
static int shmap_buf_fill(struct shmap_buf *buf)
{
	unsigned long i;

	for (i = 0; i < buf->npages; i++) {
		if (!(i % SHMAP_BATCH)) {
			if (fatal_signal_pending(current))
				return -EINTR;
			cond_resched();
		}
		buf->pages[i] = shmap_page_alloc(buf, i);
		if (!buf->pages[i])
			return -ENOMEM;
		atomic_long_inc(&buf->resident);
		atomic_long_inc(&shmap_counters.pages_allocated);
	}
	return 0;
}

/**
 * shmap_buf_create() - create a buffer with its inode and, if eager, pages
 * @size: bytes, not 0 and not above the max_buffer_mb limit (checked by
 *	the caller); rounded up to pages here
 * @mode: SHMAP_MODE_EAGER or SHMAP_MODE_LAZY
 * @flags: SHMAP_CREATE_NORESERVE (lazy only) or 0
 * @name: printable name without '/', shorter than SHMAP_NAME_MAX
 *
 * The whole size is reserved against max_total_mb unless NORESERVE.
 *
 * Return: the buffer with one reference for the caller, or ERR_PTR():
 * -ENOSPC (reservation), -ENOMEM, -EINTR (fatal signal while allocating).
 */
struct shmap_buf *shmap_buf_create(u64 size, u32 mode, u32 flags,
				   const char *name)
{
	struct shmap_buf *buf;
	int ret;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL_ACCOUNT);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	kref_init(&buf->ref);
	mutex_init(&buf->lock);
	buf->npages = DIV_ROUND_UP_ULL(size, PAGE_SIZE);
	buf->mode = mode;
	buf->flags = flags;
	strscpy(buf->name, name, sizeof(buf->name));

	if (!(flags & SHMAP_CREATE_NORESERVE)) {
		ret = shmap_reserve(buf, buf->npages);
		if (ret)
			goto out_free_buf;
	}

	buf->inode = shmap_inode_alloc(buf);
	if (IS_ERR(buf->inode)) {
		ret = PTR_ERR(buf->inode);
		goto out_unreserve;
	}

	buf->pages = kvcalloc(buf->npages, sizeof(*buf->pages),
			      GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL |
				      __GFP_NOWARN);
	if (!buf->pages) {
		ret = -ENOMEM;
		goto out_put_inode;
	}

	if (mode == SHMAP_MODE_EAGER) {
		ret = shmap_buf_fill(buf);
		if (ret)
			goto out_free_pages;
	}

	atomic_long_inc(&shmap_counters.buffers);
	return buf;

out_free_pages:
	shmap_buf_free_pages(buf);
	kvfree(buf->pages);
out_put_inode:
	iput(buf->inode);
out_unreserve:
	shmap_unreserve(buf, atomic_long_read(&buf->reserved));
out_free_buf:
	mutex_destroy(&buf->lock);
	kfree(buf);
	return ERR_PTR(ret);
}

/**
 * shmap_buf_page() - the page at @pgoff, allocated now if it has none yet
 * @buf: the buffer
 * @pgoff: page index, below buf->npages
 *
 * Concurrent callers for the same @pgoff all get the same page: the first
 * to publish its page wins, the others free theirs. A NORESERVE buffer
 * reserves the page against max_total_mb here.
 *
 * Return: the page (the buffer keeps the reference), or ERR_PTR(-ENOSPC)
 * or ERR_PTR(-ENOMEM).
 */
struct page *shmap_buf_page(struct shmap_buf *buf, unsigned long pgoff)
{
	bool noreserve = buf->flags & SHMAP_CREATE_NORESERVE;
	struct page *page, *old;
	int ret;

	/* Pairs with the full barrier of cmpxchg() below. */
	page = smp_load_acquire(&buf->pages[pgoff]);
	if (page)
		return page;

	if (noreserve) {
		ret = shmap_reserve(buf, 1);
		if (ret)
			return ERR_PTR(ret);
	}

	page = shmap_page_alloc(buf, pgoff);
	if (!page) {
		if (noreserve)
			shmap_unreserve(buf, 1);
		return ERR_PTR(-ENOMEM);
	}

	old = cmpxchg(&buf->pages[pgoff], NULL, page);
	if (old) {
		shmap_page_free(page);
		if (noreserve)
			shmap_unreserve(buf, 1);
		return old;
	}
	atomic_long_inc(&buf->resident);
	atomic_long_inc(&shmap_counters.pages_allocated);
	return page;
}

/**
 * shmap_buf_get() - take a reference on a buffer
 * @buf: the buffer
 */
void shmap_buf_get(struct shmap_buf *buf)
{
	kref_get(&buf->ref);
}

static void shmap_buf_release(struct kref *ref)
{
	struct shmap_buf *buf = container_of(ref, struct shmap_buf, ref);

	shmap_buf_free_pages(buf);
	kvfree(buf->pages);
	shmap_unreserve(buf, atomic_long_read(&buf->reserved));
	iput(buf->inode);
	mutex_destroy(&buf->lock);
	kfree(buf);
	atomic_long_dec(&shmap_counters.buffers);
}

/**
 * shmap_buf_put() - drop a reference; the last one frees the buffer
 * @buf: the buffer
 *
 * Called from file release and vma close, never from atomic context.
 */
void shmap_buf_put(struct shmap_buf *buf)
{
	kref_put(&buf->ref, shmap_buf_release);
}
