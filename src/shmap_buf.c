// SPDX-License-Identifier: GPL-2.0
/*
 * shmap_buf.c - buffers: their pages, their reservations, their lifetime.
 *
 * Page ownership: the page index (buf->chunks) holds one reference on each
 * page, taken at allocation and dropped in shmap_buf_release(). Every PTE
 * that maps a page holds its own reference (vm_insert_page(s) takes it, the
 * zap of the PTE drops it), and so does any get_user_pages() pin; a page is
 * freed when the last of them is gone.
 *
 * Each page points at the buffer's address_space (mapping, index) like a
 * page-cache page: that gives shared futexes a key (get_futex_key()) and
 * keeps rmap consistent. The pointer is cleared before our reference is
 * dropped, as a page must not reach the allocator with a mapping.
 *
 * The page index of a lazy buffer: an xarray of chunks of page pointers
 * (see shmap.h). Its memory follows what is resident: a 1 TiB lazy buffer
 * costs nothing before its first touch, one chunk (a page) and a few xarray
 * nodes per 2 MiB range where pages are, which is what the toucher's page
 * tables cost for that range anyway. Inside a chunk, lookups and
 * publication are what they were with one flat array: a load, a cmpxchg,
 * no lock; and a run of present pages is an array that vm_insert_pages()
 * maps directly.
 *
 * An eager buffer has all its pages from create on, so its index is one
 * flat array (buf->pages, 8 bytes per 4 KiB page: 0.2% of the buffer, in
 * kvmalloc() memory charged like the chunks), and its chunks are slices of
 * it: ->mmap_prepare maps any range of the buffer with one
 * mmap_action_map_kernel_pages() on it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait_bit.h>
#include <linux/xarray.h>

#include "shmap.h"

/*
 * Zeroed pages charged to the caller's memory cgroup; a failure neither
 * invokes the OOM killer (__GFP_RETRY_MAYFAIL) nor warns (__GFP_NOWARN):
 * it becomes ENOMEM for create and SIGBUS for a lazy fault.
 */
#define SHMAP_GFP \
	(GFP_HIGHUSER | __GFP_ACCOUNT | __GFP_ZERO | __GFP_RETRY_MAYFAIL | \
	 __GFP_NOWARN)

/*
 * Pages a fault allocates ahead of the one it needs: welcome, never worth
 * direct reclaim. Where the zone or the memory cgroup has no room they fail
 * at once, and the window is simply smaller.
 */
#define SHMAP_GFP_AHEAD \
	((SHMAP_GFP | __GFP_NOMEMALLOC) & \
	 ~(__GFP_DIRECT_RECLAIM | __GFP_RETRY_MAYFAIL))

/*
 * High-order blocks: not even worth waking kswapd (as for THP's light
 * allocations); without one, the same pages come one by one.
 */
#define SHMAP_GFP_BLOCK (SHMAP_GFP_AHEAD & ~__GFP_KSWAPD_RECLAIM)

/*
 * The page index, allocated with the pages it indexes: the same reclaim and
 * failure rules (no OOM killer, no warning, the same memory cgroup), from
 * slab, where highmem has no place (and kcalloc() or the xarray's node
 * constructor does the zeroing).
 */
#define SHMAP_GFP_INDEX(gfp) ((gfp) & ~(__GFP_HIGHMEM | __GFP_ZERO))

/* Eager buffers are allocated in blocks of up to 1 << this many pages. */
#define SHMAP_BLOCK_ORDER 9
/* A block never crosses a chunk of the index. */
static_assert((1UL << SHMAP_BLOCK_ORDER) <= SHMAP_CHUNK_PAGES);

/*
 * Huge buffers: one folio per PMD-sized, PMD-aligned span of the buffer
 * (its offset in the buffer is aligned, so an aligned mapping maps it with
 * one PMD). Asked for with one light attempt at compaction and no retry,
 * as THP faults do: where no such block can be had, the span comes in
 * order-0 pages like any eager buffer's.
 */
#define SHMAP_GFP_HUGE	 ((SHMAP_GFP | __GFP_NORETRY) & ~__GFP_RETRY_MAYFAIL)
#define SHMAP_HUGE_ORDER (PMD_SHIFT - PAGE_SHIFT)
static_assert(SHMAP_HUGE_ORDER == SHMAP_BLOCK_ORDER);
/* A lazy huge buffer's span is a chunk of its index. */
static_assert(BIT(SHMAP_HUGE_ORDER) == SHMAP_CHUNK_PAGES);

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

/*
 * Wakes the touchers waiting in shmap_chunk_page() after every publication,
 * not only the last: the page one of them waits for may be this one.
 */
static void shmap_inflight_done(struct shmap_buf *buf)
{
	atomic_dec(&buf->inflight);
	/* The page and the count, before the waiters' check. */
	smp_mb__after_atomic();
	wake_up_var(&buf->inflight);
}

/*
 * A NORESERVE buffer reserves @npages against max_total_mb for pages it is
 * about to publish, and counts them in flight until shmap_publish_done().
 * Other buffers reserved everything at create: nothing to do.
 */
static int shmap_publish_start(struct shmap_buf *buf, unsigned long npages)
{
	int ret;

	if (!(buf->flags & SHMAP_CREATE_NORESERVE))
		return 0;
	atomic_inc(&buf->inflight);
	ret = shmap_reserve(buf, npages);
	if (ret)
		shmap_inflight_done(buf);
	return ret;
}

/* @unused of the pages reserved by shmap_publish_start() were not published. */
static void shmap_publish_done(struct shmap_buf *buf, unsigned long unused)
{
	if (!(buf->flags & SHMAP_CREATE_NORESERVE))
		return;
	shmap_unreserve(buf, unused);
	shmap_inflight_done(buf);
}

static void shmap_account(struct shmap_buf *buf, unsigned long npages)
{
	atomic_long_add(npages, &buf->resident);
	atomic_long_add(npages, &shmap_counters.pages_allocated);
}

/* Point a new page at the buffer, as the page cache would (see the top). */
static void shmap_page_init(struct shmap_buf *buf, struct page *page,
			    unsigned long pgoff)
{
	struct folio *folio = page_folio(page);

	folio->mapping = buf->inode->i_mapping;
	folio->index = pgoff;
}

/*
 * Drop the index's reference on the folio whose first page is @page.
 * Return: its pages, the index entries it had. A large folio has one
 * reference for all of them, and its entries follow @page's: the caller
 * skips them, since once the folio is freed its other pages are pages of
 * their own (page_folio() of one of them is no longer this folio).
 */
static unsigned long shmap_page_free(struct shmap_buf *buf, struct page *page)
{
	struct folio *folio = page_folio(page);
	unsigned long nr = folio_nr_pages(folio);

	if (nr > 1)
		atomic_long_dec(&buf->huge_folios);
	folio->mapping = NULL;
	folio_put(folio);
	return nr;
}

/*
 * A huge buffer's span of PMD size at @pgoff (aligned) in one folio, its
 * pages in @slot. False if no such folio is free now.
 */
static bool shmap_huge_fill(struct shmap_buf *buf, struct page **slot,
			    unsigned long pgoff)
{
	struct folio *folio = folio_alloc(SHMAP_GFP_HUGE, SHMAP_HUGE_ORDER);
	unsigned long j;

	if (!folio)
		return false;
	shmap_page_init(buf, &folio->page, pgoff);
	atomic_long_inc(&buf->huge_folios);
	for (j = 0; j < BIT(SHMAP_HUGE_ORDER); j++)
		slot[j] = folio_page(folio, j);
	return true;
}

/*
 * 1 << @order zeroed pages in one allocation, split into order-0 pages
 * that live and are freed one by one (split_page() gives each page its
 * share of the memory cgroup charge). NULL if no such block is free now.
 */
static struct page *shmap_block_alloc(unsigned int order)
{
	struct page *page = alloc_pages(SHMAP_GFP_BLOCK, order);

	if (page)
		split_page(page, order);
	return page;
}

/*
 * The chunk of the index for @pgoff, made now if there is none: allocated
 * with @gfp's rules, published with xa_cmpxchg() (the first one wins, the
 * others free theirs). NULL if it cannot be had.
 */
static struct page **shmap_chunk_get(struct shmap_buf *buf, unsigned long pgoff,
				     gfp_t gfp)
{
	struct page **chunk = shmap_buf_chunk(buf, pgoff), **old;

	/* Eager buffers: a slice of the flat index, always there. */
	if (chunk)
		return chunk;
	chunk = kcalloc(SHMAP_CHUNK_PAGES, sizeof(*chunk),
			SHMAP_GFP_INDEX(gfp));
	if (!chunk)
		return NULL;
	old = xa_cmpxchg(&buf->chunks, pgoff >> SHMAP_CHUNK_SHIFT, NULL, chunk,
			 SHMAP_GFP_INDEX(gfp));
	if (!old)
		return chunk;
	kfree(chunk);
	return xa_is_err(old) ? NULL : old;
}

/*
 * Free every page of the index, the index and the accounting that goes
 * with them. Only the chunks that exist are visited: freeing a huge sparse
 * buffer costs what is resident, not its size.
 */
static void shmap_buf_free_pages(struct shmap_buf *buf)
{
	unsigned long index, i, n, freed = 0;
	struct page **chunk;

	if (buf->pages) {
		for (i = 0; i < buf->npages; i += n) {
			n = 1;
			if (!buf->pages[i])
				continue;
			n = shmap_page_free(buf, buf->pages[i]);
			freed += n;
			if (!(freed % SHMAP_BATCH))
				cond_resched();
		}
		kvfree(buf->pages);
		buf->pages = NULL;
	}
	xa_for_each(&buf->chunks, index, chunk) {
		for (i = 0; i < SHMAP_CHUNK_PAGES; i += n) {
			n = 1;
			if (!chunk[i])
				continue;
			n = shmap_page_free(buf, chunk[i]);
			freed += n;
		}
		kfree(chunk);
		cond_resched();
	}
	xa_destroy(&buf->chunks);
	atomic_long_sub(freed, &buf->resident);
	atomic_long_sub(freed, &shmap_counters.pages_allocated);
}

/*
 * Eager buffers: allocate the flat index, then every page now, in blocks of
 * up to 1 << SHMAP_BLOCK_ORDER pages; where no block is free, that block's
 * span comes page by page (with reclaim) and the next span tries a block
 * again.
 */
static int shmap_buf_fill(struct shmap_buf *buf)
{
	unsigned long i = 0, j, n;
	struct page **chunk, **slot;
	unsigned int order;
	struct page *page;

	buf->pages = kvcalloc(buf->npages, sizeof(*buf->pages),
			      SHMAP_GFP_INDEX(SHMAP_GFP));
	if (!buf->pages)
		return -ENOMEM;
	while (i < buf->npages) {
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
		order = min_t(unsigned int, SHMAP_BLOCK_ORDER,
			      ilog2(buf->npages - i));
		n = 1UL << order;
		/* A span is aligned on its size: it stays in one chunk. */
		chunk = shmap_chunk_get(buf, i, SHMAP_GFP);
		if (!chunk)
			return -ENOMEM;
		slot = chunk + (i & SHMAP_CHUNK_MASK);
		if ((buf->flags & SHMAP_CREATE_HUGE) &&
		    order == SHMAP_HUGE_ORDER &&
		    shmap_huge_fill(buf, slot, i)) {
			shmap_account(buf, n);
			i += n;
			continue;
		}
		page = order ? shmap_block_alloc(order) : NULL;
		for (j = 0; j < n; j++) {
			if (!page) {
				slot[j] = alloc_page(SHMAP_GFP);
				if (!slot[j]) {
					/* What is there is freed with the buffer. */
					shmap_account(buf, j);
					return -ENOMEM;
				}
			} else {
				slot[j] = page + j;
			}
			shmap_page_init(buf, slot[j], i + j);
		}
		shmap_account(buf, n);
		i += n;
	}
	return 0;
}

/**
 * shmap_buf_create() - create a buffer with its inode and, if eager, pages
 * @size: bytes, not 0 and not above the max_buffer_mb limit (checked by
 *	the caller); rounded up to pages here
 * @mode: SHMAP_MODE_EAGER or SHMAP_MODE_LAZY
 * @flags: SHMAP_CREATE_NORESERVE (lazy only), SHMAP_CREATE_HUGE, both
 *	or 0
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
	get_task_comm(buf->creator_comm, current);

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

	xa_init_flags(&buf->chunks, XA_FLAGS_ACCOUNT);
	if (mode == SHMAP_MODE_EAGER) {
		ret = shmap_buf_fill(buf);
		if (ret)
			goto out_free_pages;
	}

	buf->creator = get_pid(task_tgid(current));
	atomic_long_inc(&shmap_counters.buffers);
	shmap_show_add(buf);
	return buf;

out_free_pages:
	shmap_buf_free_pages(buf);
	iput(buf->inode);
out_unreserve:
	shmap_unreserve(buf, atomic_long_read(&buf->reserved));
out_free_buf:
	mutex_destroy(&buf->lock);
	kfree(buf);
	return ERR_PTR(ret);
}

/* A toucher waiting for room: its page is there, or nothing is in flight. */
static bool shmap_wait_over(struct shmap_buf *buf, struct page **chunk,
			    unsigned long pgoff)
{
	return shmap_chunk_peek(chunk, pgoff) || !atomic_read(&buf->inflight);
}

/*
 * The page at @pgoff, in @chunk, allocated with @gfp and published now if
 * it has none yet. Concurrent callers for the same @pgoff all get the same
 * page: the first to publish its page wins, the others free theirs. With
 * @wait, a NORESERVE buffer that finds max_total_mb full waits for the
 * reservations other touchers of the buffer hold: one of them may be
 * publishing this very page, and a touch of a page that exists must not
 * fail.
 */
static struct page *shmap_chunk_page(struct shmap_buf *buf, struct page **chunk,
				     unsigned long pgoff, gfp_t gfp, bool wait)
{
	struct page *page, *old;
	int ret;

	page = shmap_chunk_peek(chunk, pgoff);
	if (page)
		return page;

	ret = shmap_publish_start(buf, 1);
	if (ret == -ENOSPC && wait) {
		if (wait_var_event_killable(&buf->inflight,
					    shmap_wait_over(buf, chunk, pgoff)))
			return ERR_PTR(-EINTR);
		page = shmap_chunk_peek(chunk, pgoff);
		if (page)
			return page;
		ret = shmap_publish_start(buf, 1);
	}
	if (ret)
		return ERR_PTR(ret);

	page = alloc_page(gfp);
	if (!page) {
		shmap_publish_done(buf, 1);
		return ERR_PTR(-ENOMEM);
	}
	shmap_page_init(buf, page, pgoff);
	old = cmpxchg(&chunk[pgoff & SHMAP_CHUNK_MASK], NULL, page);
	if (old) {
		shmap_page_free(buf, page);
		shmap_publish_done(buf, 1);
		return old;
	}
	shmap_account(buf, 1);
	shmap_publish_done(buf, 0);
	return page;
}

/* Allocate and publish a whole aligned window of @nr pages in one block. */
static bool shmap_buf_fill_block(struct shmap_buf *buf, struct page **chunk,
				 unsigned long first, unsigned long nr)
{
	struct page **slot = chunk + (first & SHMAP_CHUNK_MASK), *page;
	unsigned long i, won = 0;

	for (i = 0; i < nr; i++)
		if (READ_ONCE(slot[i]))
			return false;
	if (shmap_publish_start(buf, nr))
		return false;
	page = shmap_block_alloc(ilog2(nr));
	if (!page) {
		shmap_publish_done(buf, nr);
		return false;
	}
	for (i = 0; i < nr; i++) {
		shmap_page_init(buf, page + i, first + i);
		if (cmpxchg(&slot[i], NULL, page + i))
			shmap_page_free(buf, page + i);
		else
			won++;
	}
	shmap_account(buf, won);
	shmap_publish_done(buf, nr - won);
	return true;
}

/*
 * Lazy huge buffers: the whole chunk at @first (one PMD-sized span: a chunk
 * of the index maps as many pages as a PMD, see shmap.h) in one folio,
 * published at once with the chunk that indexes it, so that a span is
 * either one folio or has no folio at all: a chunk that exists already
 * (another toucher was first, or the span fell back to order-0 pages) wins
 * over this one. A NORESERVE buffer reserves the whole span first.
 * Return: the span's chunk, this one or the winner's; NULL if no folio,
 * reservation or chunk can be had now (the caller falls back to order-0
 * pages).
 */
static struct page **shmap_huge_chunk(struct shmap_buf *buf,
				      unsigned long first)
{
	gfp_t gfp = SHMAP_GFP_INDEX(SHMAP_GFP);
	struct page **chunk, **old;

	if (shmap_publish_start(buf, SHMAP_CHUNK_PAGES))
		return NULL;
	chunk = kcalloc(SHMAP_CHUNK_PAGES, sizeof(*chunk), gfp);
	if (!chunk)
		goto out_unreserve;
	if (!shmap_huge_fill(buf, chunk, first))
		goto out_free_chunk;
	old = xa_cmpxchg(&buf->chunks, first >> SHMAP_CHUNK_SHIFT, NULL, chunk,
			 gfp);
	if (old) {
		shmap_page_free(buf, chunk[0]);
		kfree(chunk);
		shmap_publish_done(buf, SHMAP_CHUNK_PAGES);
		return xa_is_err(old) ? NULL : old;
	}
	shmap_account(buf, SHMAP_CHUNK_PAGES);
	shmap_publish_done(buf, 0);
	return chunk;

out_free_chunk:
	kfree(chunk);
out_unreserve:
	shmap_publish_done(buf, SHMAP_CHUNK_PAGES);
	return NULL;
}

/**
 * shmap_buf_huge_page() - the page at @pgoff of a huge buffer, allocated if
 *	needed
 * @buf: the buffer (SHMAP_CREATE_HUGE)
 * @pgoff: the page, inside the buffer
 *
 * Eager buffers have every page. In a lazy one, the first touch of a whole
 * PMD-sized span of the buffer allocates the span as one folio where one
 * can be had (shmap_huge_chunk()); else, and in the buffer's last partial
 * span, the touched page comes alone, as in any lazy buffer with a window
 * of one page. A span that has order-0 pages keeps them: it never becomes
 * a folio later.
 *
 * Return: the page (the index's reference; the caller takes its own), or
 * ERR_PTR() -ENOSPC (max_total_mb), -ENOMEM, -EINTR.
 */
struct page *shmap_buf_huge_page(struct shmap_buf *buf, unsigned long pgoff)
{
	unsigned long first = ALIGN_DOWN(pgoff, SHMAP_CHUNK_PAGES);
	struct page **chunk = shmap_buf_chunk(buf, pgoff);
	struct page *page;

	if (chunk) {
		page = shmap_chunk_peek(chunk, pgoff);
		if (page)
			return page;
	} else if (first + SHMAP_CHUNK_PAGES <= buf->npages) {
		chunk = shmap_huge_chunk(buf, first);
	}
	if (!chunk)
		chunk = shmap_chunk_get(buf, pgoff, SHMAP_GFP);
	if (!chunk)
		return ERR_PTR(-ENOMEM);
	return shmap_chunk_page(buf, chunk, pgoff, SHMAP_GFP, true);
}

/**
 * shmap_buf_fill_window() - the pages of a fault window, allocated if needed
 * @buf: the buffer
 * @chunk: the chunk of the window (shmap_buf_chunk()), or NULL if none yet
 * @first: first page of the window
 * @nr: pages in the window, inside the buffer
 * @pgoff: the page the fault needs, inside the window
 * @ahead: allocate the window's other missing pages too
 *
 * The page at @pgoff is allocated (and, for a NORESERVE buffer, reserved)
 * like any page a fault needs. Pages allocated ahead are only worth what
 * they cost: an aligned, empty window comes in one high-order block if one
 * is free, else page by page without reclaim, and the first page that
 * cannot be had (no room in the zone, the memory cgroup or max_total_mb)
 * ends the window there. So a window never makes a touch fail that a single
 * page would satisfy.
 *
 * A window is at most SHMAP_WINDOW_MAX pages, aligned: it lies in one
 * chunk of the page index, made here if @chunk is NULL.
 *
 * Return: the window's chunk when the page at @pgoff exists; ERR_PTR()
 * -ENOSPC (max_total_mb), -ENOMEM, -EINTR (fatal signal while waiting)
 * when it cannot be had.
 */
struct page **shmap_buf_fill_window(struct shmap_buf *buf, struct page **chunk,
				    unsigned long first, unsigned long nr,
				    unsigned long pgoff, bool ahead)
{
	struct page *page;
	unsigned long i;

	if (!chunk)
		chunk = shmap_chunk_get(buf, pgoff, SHMAP_GFP);
	if (!chunk)
		return ERR_PTR(-ENOMEM);
	if (ahead && nr > 1 && is_power_of_2(nr) && IS_ALIGNED(first, nr) &&
	    shmap_buf_fill_block(buf, chunk, first, nr))
		return chunk;

	page = shmap_chunk_page(buf, chunk, pgoff, SHMAP_GFP, true);
	if (IS_ERR(page))
		return ERR_CAST(page);
	if (!ahead)
		return chunk;
	for (i = first; i < first + nr; i++) {
		if (i == pgoff)
			continue;
		if (IS_ERR(shmap_chunk_page(buf, chunk, i, SHMAP_GFP_AHEAD,
					    false)))
			break;
	}
	return chunk;
}

/**
 * shmap_buf_populate() - allocate every page a buffer does not have yet
 * @buf: the buffer
 *
 * What a first touch of every page would allocate, with the same rules:
 * a huge buffer's whole spans in folios where they can be had, the others
 * in blocks of a window where free, else page by page, charged to the
 * caller's memory cgroup and, for a NORESERVE buffer, reserved against
 * max_total_mb. Eager buffers have every page: nothing to do.
 *
 * Return: 0, or -ENOSPC (max_total_mb), -ENOMEM, -EINTR (fatal signal);
 * the pages allocated before a failure stay, as touched pages do.
 */
int shmap_buf_populate(struct shmap_buf *buf)
{
	unsigned long pgoff, nr;
	struct page **chunk;
	struct page *page;
	bool ahead;

	if (buf->pages)
		return 0;
	for (pgoff = 0; pgoff < buf->npages; pgoff++) {
		if (!(pgoff % SHMAP_BATCH)) {
			if (fatal_signal_pending(current))
				return -EINTR;
			cond_resched();
		}
		if (shmap_buf_peek(buf, pgoff))
			continue;
		if (buf->flags & SHMAP_CREATE_HUGE) {
			page = shmap_buf_huge_page(buf, pgoff);
			if (IS_ERR(page))
				return PTR_ERR(page);
			continue;
		}
		/*
		 * The largest window at its start, the holes it left (pages
		 * allocated ahead may fail) one page at a time.
		 */
		ahead = IS_ALIGNED(pgoff, SHMAP_WINDOW_MAX);
		nr = ahead ? min_t(unsigned long, SHMAP_WINDOW_MAX,
				   buf->npages - pgoff) :
			     1;
		chunk = shmap_buf_fill_window(buf, shmap_buf_chunk(buf, pgoff),
					      pgoff, nr, pgoff, ahead);
		if (IS_ERR(chunk))
			return PTR_ERR(chunk);
	}
	return 0;
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

	shmap_show_del(buf);
	shmap_buf_free_pages(buf);
	shmap_unreserve(buf, atomic_long_read(&buf->reserved));
	iput(buf->inode);
	put_pid(buf->creator);
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
