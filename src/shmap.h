/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shmap.h - internal interfaces between the files of the shmap module.
 *
 * Where things happen:
 *   shmap_main.c    init/exit, the misc device /dev/shmap, sysfs counters
 *   shmap_params.c  module parameters and their validation
 *   shmap_ioctl.c   the ioctls of /dev/shmap and of buffer fds
 *   shmap_buf.c     buffers: pages (allocate, free), reservations, kref
 *   shmap_file.c    the pseudo filesystem: one inode per buffer, its files
 *   shmap_mmap.c    vm_operations (open, close, fault), shared by both hooks
 *   shmap_mmap_vma.c   setting up a vma: ->mmap, on kernels without
 *			->mmap_prepare (6.x), and a dma-buf's mmap
 *   shmap_mmap_desc.c  ->mmap_prepare and ->mapped, where the headers have
 *			them with map actions (7.2+); see shmap_compat.h
 *   shmap_dmabuf.c  SHMAP_IOC_EXPORT_DMABUF: the buffer's pages as a dma-buf
 *   shmap_show.c    what is shown of buffers: fdinfo, the debugfs list
 */
#ifndef SHMAP_H
#define SHMAP_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/types.h>
#include <linux/xarray.h>

#include <uapi/linux/shmap.h>

/* SHMAP_VERSION, the top-level Makefile's VERSION, comes from Kbuild. */

/*
 * Long loops over pages (allocate, map, free) check for fatal signals and
 * call cond_resched() once every this many pages.
 */
#define SHMAP_BATCH 512

/* The largest fault window (module parameter fault_window), in pages. */
#define SHMAP_WINDOW_MAX 512U

/*
 * The page index is in chunks: arrays of SHMAP_CHUNK_PAGES page pointers,
 * one page each (64-bit), as many pages as one page table maps (512 on
 * x86-64). A fault window (at most that, aligned) never crosses a chunk,
 * and a piece of a chunk is what vm_insert_pages() takes. The chunks of an
 * eager buffer are slices of one flat array (@pages below), so that any
 * range of it is one array for mmap_action_map_kernel_pages().
 */
#define SHMAP_CHUNK_SHIFT (PAGE_SHIFT - 3)
#define SHMAP_CHUNK_PAGES BIT(SHMAP_CHUNK_SHIFT)
#define SHMAP_CHUNK_MASK  (SHMAP_CHUNK_PAGES - 1)

/**
 * struct shmap_buf - a shared buffer
 * @ref: one reference per open file (fd) and per vma piece, plus the
 *	creator's while it sets the buffer up
 * @inode: the buffer's own inode; pages point at its address_space
 * @pages: eager buffers: the page index as one flat array of @npages
 *	entries, all filled at create; chunk N is the slice at N *
 *	SHMAP_CHUNK_PAGES. NULL for lazy buffers, which use @chunks.
 * @chunks: lazy buffers: the page index: chunk N holds the pages at offsets N *
 *	SHMAP_CHUNK_PAGES on. A chunk exists once a page in its range was
 *	allocated, so the index grows with what is resident, not with
 *	@npages; chunks and the xarray's nodes are charged to the memory
 *	cgroup of the task that allocated the page. Chunks and their entries
 *	go from NULL to a pointer once (cmpxchg: the first publisher wins)
 *	and stay until release.
 * @npages: size in pages
 * @mode: SHMAP_MODE_EAGER or SHMAP_MODE_LAZY
 * @flags: SHMAP_CREATE_NORESERVE, SHMAP_CREATE_HUGE or 0
 * @lock: serialises seal changes against ->mmap and ->mapped
 * @seals: SHMAP_SEAL_* bits, under @lock
 * @resident: pages allocated
 * @reserved: pages charged against max_total_mb
 * @huge_folios: PMD-sized folios among the resident pages
 * @inflight: NORESERVE reservations taken for pages not yet published; a
 *	toucher that finds max_total_mb full waits until its page is published
 *	or none is in flight, since one of them may be the page it wants
 * @mappings: vma pieces that map the buffer
 * @dmabufs: dma-bufs of the buffer that exist (each holds a file of it)
 * @name: the name given at create time, "" if none
 * @node: on the list of all buffers (shmap_show.c), from the end of create
 *	to release
 * @creator: the thread group that created the buffer (a reference)
 * @creator_comm: its comm at create time
 */
struct shmap_buf {
	struct kref ref;
	struct inode *inode;
	struct page **pages;
	struct xarray chunks;
	unsigned long npages;
	u32 mode;
	u32 flags;
	struct mutex lock; /* protects seals */
	u32 seals;
	atomic_long_t resident;
	atomic_long_t reserved;
	atomic_long_t huge_folios;
	atomic_t inflight;
	atomic_t mappings;
	atomic_t dmabufs;
	char name[SHMAP_NAME_MAX];
	struct list_head node;
	struct pid *creator;
	char creator_comm[TASK_COMM_LEN];
};

/*
 * The chunk of the page index that holds @pgoff, NULL if no page in its
 * range was published yet. Entry @pgoff & SHMAP_CHUNK_MASK is the page.
 * A chunk is zeroed before the xarray store that publishes it
 * (rcu_assign_pointer()); the load pairs with it.
 */
static inline struct page **shmap_buf_chunk(struct shmap_buf *buf,
					    unsigned long pgoff)
{
	if (buf->pages)
		return buf->pages + (pgoff & ~SHMAP_CHUNK_MASK);
	return xa_load(&buf->chunks, pgoff >> SHMAP_CHUNK_SHIFT);
}

/* The entry of @chunk for @pgoff: its page, or NULL. */
static inline struct page *shmap_chunk_peek(struct page **chunk,
					    unsigned long pgoff)
{
	/*
	 * A page is initialised before the cmpxchg() that publishes it (a
	 * full barrier); this acquire pairs with it.
	 */
	return smp_load_acquire(&chunk[pgoff & SHMAP_CHUNK_MASK]);
}

/* The page at @pgoff of @buf, NULL if none was published there yet. */
static inline struct page *shmap_buf_peek(struct shmap_buf *buf,
					  unsigned long pgoff)
{
	struct page **chunk = shmap_buf_chunk(buf, pgoff);

	return chunk ? shmap_chunk_peek(chunk, pgoff) : NULL;
}

/*
 * A vma's vm_private_data: the buffer, on which the vma holds a reference
 * (taken by ->mmap, ->mapped or ->open, dropped by ->close). Between
 * ->mmap_prepare and ->mapped (7.2+) it is the buffer tagged
 * SHMAP_VMA_PENDING instead: no reference is taken yet, and if the map
 * action or ->mapped fails, the core unmaps the vma and ->close, seeing the
 * tag, has nothing to drop. SHMAP_VMA_MAYWRITE carries "this vma may be
 * written" from ->mmap_prepare to ->mapped, which is given no vma flags.
 * Nothing but ->mapped and ->close can see a tagged value: the vma is
 * write-locked and the mmap lock held for write until ->mapped replaced it.
 */
#define SHMAP_VMA_PENDING  BIT(0)
#define SHMAP_VMA_MAYWRITE BIT(1)
#define SHMAP_VMA_TAGS	   (SHMAP_VMA_PENDING | SHMAP_VMA_MAYWRITE)
static_assert(__alignof__(struct shmap_buf) > SHMAP_VMA_TAGS);

static inline void *shmap_vma_pending(struct shmap_buf *buf, bool maywrite)
{
	return (void *)((unsigned long)buf | SHMAP_VMA_PENDING |
			(maywrite ? SHMAP_VMA_MAYWRITE : 0));
}

static inline bool shmap_vma_is_pending(const void *data)
{
	return (unsigned long)data & SHMAP_VMA_PENDING;
}

static inline struct shmap_buf *shmap_vma_buf(const void *data)
{
	return (struct shmap_buf *)((unsigned long)data & ~SHMAP_VMA_TAGS);
}

/**
 * struct shmap_counters - global counters, shown in sysfs
 * @buffers: buffers alive
 * @pages_allocated: pages allocated for all buffers
 * @pages_reserved: pages charged against max_total_mb
 * @faults: calls of the fault handler since load
 * @mapped_by_mmap: mappings set up by ->mmap since load (6.x kernels)
 * @mapped_by_mmap_prepare: mappings set up by ->mmap_prepare and completed
 *	by ->mapped since load (7.2+ kernels)
 * @mmap_undone: mappings that ->mmap_prepare accepted and the core then
 *	unmapped again, because the map action or ->mapped failed
 * @dmabufs: dma-bufs of all buffers that exist
 *
 * The last three say which hook really made the mappings on the running
 * kernel (tests/mmap.c checks it); whatever the build flags say.
 */
struct shmap_counters {
	atomic_long_t buffers;
	atomic_long_t pages_allocated;
	atomic_long_t pages_reserved;
	atomic_long_t faults;
	atomic_long_t mapped_by_mmap;
	atomic_long_t mapped_by_mmap_prepare;
	atomic_long_t mmap_undone;
	atomic_long_t dmabufs;
};

extern struct shmap_counters shmap_counters;

/* shmap_params.c */
void shmap_params_init(void);
umode_t shmap_dev_mode(void);
u32 shmap_default_mode(void);
u64 shmap_max_buffer_bytes(void);
unsigned long shmap_max_total_pages(void);
unsigned long shmap_fault_window(void);

/* shmap_buf.c */
struct shmap_buf *shmap_buf_create(u64 size, u32 mode, u32 flags,
				   const char *name);
struct page **shmap_buf_fill_window(struct shmap_buf *buf, struct page **chunk,
				    unsigned long first, unsigned long nr,
				    unsigned long pgoff, bool ahead);
struct page *shmap_buf_huge_page(struct shmap_buf *buf, unsigned long pgoff);
int shmap_buf_populate(struct shmap_buf *buf);
void shmap_buf_get(struct shmap_buf *buf);
void shmap_buf_put(struct shmap_buf *buf);

/* shmap_file.c */
int shmap_fs_init(void);
void shmap_fs_exit(void);
struct inode *shmap_inode_alloc(struct shmap_buf *buf);
struct file *shmap_file_open(struct shmap_buf *buf, int flags);

/* shmap_ioctl.c */
long shmap_dev_ioctl(struct file *file, unsigned int cmd, unsigned long arg);
long shmap_buf_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/* shmap_mmap.c */
extern const struct vm_operations_struct shmap_vm_ops;
extern const struct vm_operations_struct shmap_huge_vm_ops;
extern const struct vm_operations_struct shmap_desc_vm_ops;
extern const struct vm_operations_struct shmap_desc_huge_vm_ops;
int shmap_mmap_check(struct shmap_buf *buf, unsigned long pgoff, bool shared,
		     bool exec);
void shmap_mapping_get(struct shmap_buf *buf);

/* shmap_mmap_vma.c (a vma exists: ->mmap, a dma-buf's mmap) */
int shmap_mmap_vma(struct shmap_buf *buf, struct vm_area_struct *vma);
int shmap_buf_mmap(struct file *file, struct vm_area_struct *vma);

/* shmap_mmap_desc.c (->mmap_prepare, ->mapped) */
struct vm_area_desc;
int shmap_buf_mmap_prepare(struct vm_area_desc *desc);
int shmap_vm_mapped(unsigned long start, unsigned long end, pgoff_t pgoff,
		    const struct file *file, void **vm_private_data);

/* shmap_dmabuf.c */
#ifdef CONFIG_DMA_SHARED_BUFFER
long shmap_ioctl_export_dmabuf(struct file *file, struct shmap_buf *buf,
			       struct shmap_dmabuf __user *argp);
#else
static inline long shmap_ioctl_export_dmabuf(struct file *file,
					     struct shmap_buf *buf,
					     struct shmap_dmabuf __user *argp)
{
	return -EOPNOTSUPP;
}
#endif

/* shmap_show.c */
struct seq_file;
void shmap_show_fdinfo(struct seq_file *m, struct file *file);
void shmap_show_add(struct shmap_buf *buf);
void shmap_show_del(struct shmap_buf *buf);
void shmap_show_init(void);
void shmap_show_exit(void);

#endif /* SHMAP_H */
