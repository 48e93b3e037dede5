// SPDX-License-Identifier: GPL-2.0
/*
 * bench: what a 4 KiB page costs through shmap and through its peers
 * (private and shared anonymous memory, memfd; udmabuf for dma-bufs), in
 * one guest, in one run.
 *
 *	bench [--sizes 64,1024] [--reps 3,1] [--cgroups root,child]
 *	      [--trace-pages N] [--smoke]
 *
 * A scenario is a chain of timed phases on one buffer; each phase is a
 * row. For each memory cgroup (the root one, then a fresh child without a
 * limit) and each size, every scenario runs once as a warm-up, then N
 * times (--reps: one count per size, the last one repeats; default 5).
 * The warm-up has the size of the runs: after a smaller one, the first
 * 1 GiB run of a first touch row costs ~1.5% more than the next ones,
 * which agree within 0.1% under icount. A row reports the median of its
 * N runs in
 * nanoseconds per page (under QEMU's -icount shift=0 a nanosecond is one
 * guest instruction) and the minor faults per page (getrusage() around
 * the phase), one line each:
 *
 *	bench: kernel=K cgroup=root size_mib=64 row=memfd_first_touch
 *	       status=ok ns_per_page=5499.2 faults_per_page=1.0000 ... reps=3
 *
 * Then, once, every row that takes page faults runs on a few pages
 * (--trace-pages, default 64) under ftrace's function tracer, limited to
 * this process, which counts the calls of handle_mm_fault,
 * lock_vma_under_rcu (the per-VMA lock path), lock_mm_and_find_vma (the
 * fallback under the mmap lock) and the module's fault handlers:
 * "bench-trace: ... hmf_per_fault=1.000 lmfv_per_fault=0.000".
 *
 * --smoke: 4 MiB, one run, no warm-up, every row, in TAP ("ok N - bench:
 * root/ROW ran", checks that the numbers are finite and the pages really
 * touched, "1..N"); the bench: lines become TAP comments.
 *
 * THP is off for the process (PR_SET_THP_DISABLE, and MADV_NOHUGEPAGE on
 * every mapping), so every mechanism gets 4 KiB pages, except in the rows
 * about huge pages (anon_thp_*, shmap_huge_*), which turn it on for their
 * scenario. Needs root (cgroup,
 * tracefs, module parameters) and the module loaded with max_buffer_mb and
 * max_total_mb large enough for the sizes. Exits 0, or 1 if a row failed.
 */
#include <fcntl.h>
#include <linux/udmabuf.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>

#include "tshmap.h"

#define CGROOT		"/sys/fs/cgroup"
#define TRACEFS		"/sys/kernel/tracing"
#define FAULT_WINDOW	T_PARAMS "fault_window"
#define UDMABUF_DEV	"/dev/udmabuf"
#define UDMABUF_LIMIT	"/sys/module/udmabuf/parameters/size_limit_mb"
#define MAX_REPS	64
#define MAX_SIZES	8

/* Row flags. */
#define F_FAULTS	(1U << 0)	/* takes page faults: traced */
#define F_SHMAP		(1U << 1)	/* needs /dev/shmap */
#define F_DMABUF	(1U << 2)	/* needs SHMAP_FEAT_DMABUF */
#define F_UDMABUF	(1U << 3)	/* needs /dev/udmabuf */

enum row_id {
	R_ANON_FIRST,
	R_ANON_SHARED_FIRST,
	R_ANON_POPULATE,
	R_ANON_READ,
	R_MEMFD_FIRST,
	R_MEMFD_RETOUCH_READ,
	R_MEMFD_RETOUCH_WRITE,
	R_MEMFD_POPULATE_NEW,
	R_MEMFD_POPULATE_EXISTING,
	R_LAZY_FIRST,
	R_LAZY_RETOUCH_READ,
	R_LAZY_RETOUCH_WRITE,
	R_LAZY_POPULATE_NEW,
	R_LAZY_POPULATE_EXISTING,
	R_LAZY_FIRST_W1,
	R_EAGER_CREATE,
	R_EAGER_MMAP,
	R_EAGER_SECOND,
	R_EAGER_READ,
	R_ANON_FREE,
	R_MEMFD_FREE,
	R_LAZY_FREE,
	R_EAGER_FREE,
	R_ANON_THP_FIRST,
	R_HUGE_CREATE,
	R_HUGE_FIRST,
	R_HUGE_POPULATE,
	R_HUGE_FREE,
	R_HUGE_LAZY_FIRST,
	R_HUGE_LAZY_FREE,
	R_DMABUF_EXPORT_EAGER,
	R_DMABUF_EXPORT_LAZY,
	R_DMABUF_MMAP_FIRST,
	R_UDMABUF_CREATE,
	R_UDMABUF_MMAP_FIRST,
	R_FLOOR,
	NROWS
};

static const struct {
	const char *name;
	unsigned int flags;
} rows[NROWS] = {
	[R_ANON_FIRST] = { "anon_private_first_touch", F_FAULTS },
	[R_ANON_SHARED_FIRST] = { "anon_shared_first_touch", F_FAULTS },
	[R_ANON_POPULATE] = { "anon_private_populate", F_FAULTS },
	[R_ANON_READ] = { "anon_private_read", 0 },
	[R_MEMFD_FIRST] = { "memfd_first_touch", F_FAULTS },
	[R_MEMFD_RETOUCH_READ] = { "memfd_retouch_read", F_FAULTS },
	[R_MEMFD_RETOUCH_WRITE] = { "memfd_retouch_write", F_FAULTS },
	[R_MEMFD_POPULATE_NEW] = { "memfd_populate_new", F_FAULTS },
	[R_MEMFD_POPULATE_EXISTING] = { "memfd_populate_existing", F_FAULTS },
	[R_LAZY_FIRST] = { "shmap_lazy_first_touch", F_FAULTS | F_SHMAP },
	[R_LAZY_RETOUCH_READ] = { "shmap_lazy_retouch_read", F_FAULTS | F_SHMAP },
	[R_LAZY_RETOUCH_WRITE] = { "shmap_lazy_retouch_write", F_FAULTS | F_SHMAP },
	[R_LAZY_POPULATE_NEW] = { "shmap_lazy_populate_new", F_FAULTS | F_SHMAP },
	[R_LAZY_POPULATE_EXISTING] = { "shmap_lazy_populate_existing", F_FAULTS | F_SHMAP },
	[R_LAZY_FIRST_W1] = { "shmap_lazy_first_touch_w1", F_FAULTS | F_SHMAP },
	[R_EAGER_CREATE] = { "shmap_eager_create", F_SHMAP },
	[R_EAGER_MMAP] = { "shmap_eager_mmap", F_SHMAP },
	[R_EAGER_SECOND] = { "shmap_eager_second_mapping", F_SHMAP },
	[R_EAGER_READ] = { "shmap_eager_read", F_SHMAP },
	[R_ANON_FREE] = { "anon_free", 0 },
	[R_MEMFD_FREE] = { "memfd_free", 0 },
	[R_LAZY_FREE] = { "shmap_lazy_free", F_SHMAP },
	[R_EAGER_FREE] = { "shmap_eager_free", F_SHMAP },
	[R_ANON_THP_FIRST] = { "anon_thp_first_touch", F_FAULTS },
	[R_HUGE_CREATE] = { "shmap_huge_create", F_SHMAP },
	[R_HUGE_FIRST] = { "shmap_huge_first_touch", F_FAULTS | F_SHMAP },
	[R_HUGE_POPULATE] = { "shmap_huge_populate", F_FAULTS | F_SHMAP },
	[R_HUGE_FREE] = { "shmap_huge_free", F_SHMAP },
	[R_HUGE_LAZY_FIRST] = { "shmap_huge_lazy_first_touch", F_FAULTS | F_SHMAP },
	[R_HUGE_LAZY_FREE] = { "shmap_huge_lazy_free", F_SHMAP },
	[R_DMABUF_EXPORT_EAGER] = { "shmap_dmabuf_export_eager", F_SHMAP | F_DMABUF },
	[R_DMABUF_EXPORT_LAZY] = { "shmap_dmabuf_export_lazy", F_SHMAP | F_DMABUF },
	[R_DMABUF_MMAP_FIRST] = { "shmap_dmabuf_mmap_first_touch",
				  F_FAULTS | F_SHMAP | F_DMABUF },
	[R_UDMABUF_CREATE] = { "udmabuf_create", F_UDMABUF },
	[R_UDMABUF_MMAP_FIRST] = { "udmabuf_mmap_first_touch", F_FAULTS | F_UDMABUF },
	[R_FLOOR] = { "floor", 0 },
};

/* The functions the tracer counts; the module's handlers are added. */
#define MAX_FUNCS	8
static const char *const trace_base[] = {
	"handle_mm_fault", "lock_vma_under_rcu", "lock_mm_and_find_vma",
};

/* One phase of one run: what the row measured. */
struct sample {
	int done;
	double ns;
	long minflt, majflt;
	char bad[160];		/* a failed check of the result */
	unsigned long hits[MAX_FUNCS];
	int traced;
};

struct ctx {
	size_t size, npages, pagesz;
	int dev;		/* /dev/shmap, or -1 */
	int tracing;		/* count calls instead of timing */
	enum row_id row;	/* the phase in progress */
	int traced;		/* ... runs under the tracer */
	int in_phase;
	unsigned char *vec;	/* mincore() vector, npages */
	struct rusage ru0;
	struct timespec t0;
	struct sample cur[NROWS];
	char err[256];		/* why the scenario stopped */
};

/* Options and state of the whole run. */
static struct {
	unsigned int sizes[MAX_SIZES];
	unsigned int reps[MAX_SIZES];	/* runs per size; the last repeats */
	int nsizes, nreps, smoke, root, child;
	unsigned int trace_pages;
	char kernel[128];
	/* fault_window: -1 when the module has no such parameter */
	long fault_window;
	int dmabuf;		/* the module has SHMAP_FEAT_DMABUF */
	int udmabuf;		/* /dev/udmabuf, or -1 (udmabuf_why) */
	char udmabuf_why[96];
	/* udmabuf's size_limit_mb before it was raised for the sizes, or -1 */
	long udmabuf_limit;
	/* the traced functions (trace_n of them; 0: no tracing) */
	int trace_n;
	char trace_fn[MAX_FUNCS][64];
	int trace_have[MAX_FUNCS];
	char trace_why[128];	/* why there is no tracing */
	int failed;
	char cg[128];
} g;

/* ---- output */

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (g.smoke)
		tap_diag("%s", msg);
	else
		printf("%s\n", msg);
	fflush(stdout);
}

/* A check: a TAP line in --smoke mode (tap.c), else only the exit status. */
static void tap(int ok, const char *skip, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void tap(int ok, const char *skip, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!ok)
		g.failed = 1;
	if (!g.smoke)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tap_report(ok, skip, "%s", msg);
}

/* ---- timing */

static double ts_ns(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e9 +
	       (double)(b->tv_nsec - a->tv_nsec);
}

static int trace_start(void);
static void trace_stop(unsigned long *hits);

/* Start the phase that measures row (traced: only fault rows). */
static void phase_begin(struct ctx *c, enum row_id row)
{
	c->row = row;
	c->traced = c->tracing && (rows[row].flags & F_FAULTS) && !trace_start();
	getrusage(RUSAGE_SELF, &c->ru0);
	c->in_phase = 1;
	clock_gettime(CLOCK_MONOTONIC, &c->t0);
}

static void phase_end(struct ctx *c)
{
	struct sample *s = &c->cur[c->row];
	struct timespec t1;
	struct rusage ru1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	getrusage(RUSAGE_SELF, &ru1);
	c->in_phase = 0;
	if (c->traced) {
		trace_stop(s->hits);
		s->traced = 1;
	}
	s->done = 1;
	s->ns = ts_ns(&c->t0, &t1);
	s->minflt = ru1.ru_minflt - c->ru0.ru_minflt;
	s->majflt = ru1.ru_majflt - c->ru0.ru_majflt;
}

/* The scenario stops: why (errno), and the tracer off if it was on. */
static void fail(struct ctx *c, const char *what)
{
	snprintf(c->err, sizeof(c->err), "%s: %s", what, tap_errname(errno));
	if (c->in_phase && c->traced) {
		unsigned long hits[MAX_FUNCS];

		trace_stop(hits);
	}
	c->in_phase = 0;
}

/* ---- what a phase does to the pages */

static void touch_write(char *p, struct ctx *c)
{
	volatile char *v = p;
	size_t i;

	for (i = 0; i < c->npages; i++)
		v[i * c->pagesz] = 1;
}

static void touch_read(const char *p, struct ctx *c)
{
	const volatile char *v = p;
	unsigned int sum = 0;
	size_t i;

	for (i = 0; i < c->npages; i++)
		sum += (unsigned char)v[i * c->pagesz];
	/* Keep the loads. */
	__asm__ volatile("" : : "r"(sum));
}

/* The kernel's page clearing, in user space: rep stosq over each page. */
static void clear_pages(char *p, struct ctx *c)
{
	size_t i;

	for (i = 0; i < c->npages; i++) {
#if defined(__x86_64__)
		void *dst = p + i * c->pagesz;
		size_t cnt = c->pagesz / 8;

		__asm__ volatile("rep stosq"
				 : "+D"(dst), "+c"(cnt)
				 : "a"(0UL)
				 : "memory");
#else
		memset(p + i * c->pagesz, 0, c->pagesz);
#endif
	}
}

/*
 * mmap(PROT_READ | PROT_WRITE, flags) of fd (-1: anonymous memory) and
 * MADV_NOHUGEPAGE; MAP_FAILED (errno set) on failure.
 */
static char *map(int fd, size_t len, int flags)
{
	void *p;

	if (fd < 0)
		flags |= MAP_ANONYMOUS;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd, 0);
	if (p != MAP_FAILED)
		madvise(p, len, MADV_NOHUGEPAGE);
	return p;
}

static int shmap_create(struct ctx *c, uint32_t mode)
{
	int fd = t_create(c->dev, c->size, mode, 0, "bench");

	if (fd < 0)
		errno = -fd;
	return fd < 0 ? -1 : fd;
}

/* ---- checks of a phase's result (untimed) */

static void bad(struct ctx *c, enum row_id row, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void bad(struct ctx *c, enum row_id row, const char *fmt, ...)
{
	struct sample *s = &c->cur[row];
	va_list ap;

	if (s->bad[0])
		return;
	va_start(ap, fmt);
	vsnprintf(s->bad, sizeof(s->bad), fmt, ap);
	va_end(ap);
}

/* Every page of the mapping is resident (mapped, for shmap). */
static void check_mapped(struct ctx *c, enum row_id row, const char *p)
{
	size_t i, n = 0;

	if (mincore((void *)p, c->size, c->vec)) {
		bad(c, row, "mincore: %s", tap_errname(errno));
		return;
	}
	for (i = 0; i < c->npages; i++)
		n += c->vec[i] & 1;
	if (n != c->npages)
		bad(c, row, "%zu of %zu pages resident", n, c->npages);
}

/* The buffer has all its pages. */
static void check_buffer(struct ctx *c, enum row_id row, int fd)
{
	struct shmap_info info;
	int r = t_info(fd, &info);

	if (r)
		bad(c, row, "SHMAP_IOC_INFO: %s", tap_errname(-r));
	else if (info.resident_pages != c->npages)
		bad(c, row, "resident_pages %llu, expected %zu",
		    (unsigned long long)info.resident_pages, c->npages);
}

static uint64_t pages_allocated(void)
{
	uint64_t v = 0;

	tap_read_u64(T_STATS "pages_allocated", &v);
	return v;
}

/* The pages were freed: the module's count is back where it was. */
static void check_freed(struct ctx *c, enum row_id row, uint64_t before)
{
	uint64_t now = pages_allocated();

	if (now != before)
		bad(c, row, "pages_allocated %llu after free, %llu before",
		    (unsigned long long)now, (unsigned long long)before);
}

/*
 * Every page of the dma-buf fd reads 1 (written by the touch) through a
 * new mapping: the touch reached the dma-buf's pages. mincore() cannot
 * tell for udmabuf, whose mappings are VM_PFNMAP.
 */
static void check_touched(struct ctx *c, enum row_id row, int fd)
{
	const volatile char *v;
	char *p = mmap(NULL, c->size, PROT_READ, MAP_SHARED, fd, 0);
	size_t i;

	if (p == MAP_FAILED) {
		bad(c, row, "mmap(PROT_READ) of the dma-buf: %s",
		    tap_errname(errno));
		return;
	}
	v = p;
	for (i = 0; i < c->npages; i++) {
		if (v[i * c->pagesz] != 1) {
			bad(c, row, "page %zu reads %d, not 1, through a new mapping",
			    i, v[i * c->pagesz]);
			break;
		}
	}
	munmap(p, c->size);
}

/* ---- the scenarios: chains of phases on one buffer */

/* Private anonymous: first touch, floor, read, free. */
static int sc_anon_private(struct ctx *c)
{
	char *p;

	phase_begin(c, R_ANON_FIRST);
	p = map(-1, c->size, MAP_PRIVATE);
	if (p == MAP_FAILED) {
		fail(c, "mmap(MAP_PRIVATE|MAP_ANONYMOUS)");
		return -1;
	}
	touch_write(p, c);
	phase_end(c);
	check_mapped(c, R_ANON_FIRST, p);

	phase_begin(c, R_FLOOR);
	clear_pages(p, c);
	phase_end(c);

	phase_begin(c, R_ANON_READ);
	touch_read(p, c);
	phase_end(c);
	check_mapped(c, R_ANON_READ, p);

	phase_begin(c, R_ANON_FREE);
	munmap(p, c->size);
	phase_end(c);
	return 0;
}

static int sc_anon_populate(struct ctx *c)
{
	char *p;

	phase_begin(c, R_ANON_POPULATE);
	p = map(-1, c->size, MAP_PRIVATE | MAP_POPULATE);
	phase_end(c);
	if (p == MAP_FAILED) {
		fail(c, "mmap(MAP_ANONYMOUS|MAP_POPULATE)");
		return -1;
	}
	check_mapped(c, R_ANON_POPULATE, p);
	munmap(p, c->size);
	return 0;
}

static int sc_anon_shared(struct ctx *c)
{
	char *p;

	phase_begin(c, R_ANON_SHARED_FIRST);
	p = map(-1, c->size, MAP_SHARED);
	if (p == MAP_FAILED) {
		fail(c, "mmap(MAP_SHARED|MAP_ANONYMOUS)");
		return -1;
	}
	touch_write(p, c);
	phase_end(c);
	check_mapped(c, R_ANON_SHARED_FIRST, p);
	munmap(p, c->size);
	return 0;
}

/*
 * The file-backed chain, for memfd (lazy == -1) and shmap lazy buffers:
 * first touch, re-touch read and write through new mappings, populate the
 * existing pages, free.
 */
struct file_rows {
	enum row_id first, retouch_read, retouch_write, populate_existing, free;
};

static int sc_file_chain(struct ctx *c, int shmap, const struct file_rows *r)
{
	uint64_t before = shmap ? pages_allocated() : 0;
	char *p;
	int fd;

	phase_begin(c, r->first);
	if (shmap) {
		fd = shmap_create(c, SHMAP_MODE_LAZY);
	} else {
		fd = memfd_create("bench", MFD_CLOEXEC);
		if (fd >= 0 && ftruncate(fd, (off_t)c->size)) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0) {
		fail(c, shmap ? "SHMAP_IOC_CREATE(lazy)" : "memfd_create+ftruncate");
		return -1;
	}
	p = map(fd, c->size, MAP_SHARED);
	if (p == MAP_FAILED)
		goto out_mmap;
	touch_write(p, c);
	phase_end(c);
	check_mapped(c, r->first, p);
	if (shmap)
		check_buffer(c, r->first, fd);
	munmap(p, c->size);

	phase_begin(c, r->retouch_read);
	p = map(fd, c->size, MAP_SHARED);
	if (p == MAP_FAILED)
		goto out_mmap;
	touch_read(p, c);
	phase_end(c);
	check_mapped(c, r->retouch_read, p);
	munmap(p, c->size);

	phase_begin(c, r->retouch_write);
	p = map(fd, c->size, MAP_SHARED);
	if (p == MAP_FAILED)
		goto out_mmap;
	touch_write(p, c);
	phase_end(c);
	check_mapped(c, r->retouch_write, p);
	munmap(p, c->size);

	phase_begin(c, r->populate_existing);
	p = map(fd, c->size, MAP_SHARED | MAP_POPULATE);
	phase_end(c);
	if (p == MAP_FAILED)
		goto out_mmap;
	check_mapped(c, r->populate_existing, p);

	phase_begin(c, r->free);
	munmap(p, c->size);
	close(fd);
	phase_end(c);
	if (shmap)
		check_freed(c, r->free, before);
	return 0;

out_mmap:
	fail(c, "mmap(MAP_SHARED)");
	close(fd);
	return -1;
}

static int sc_memfd(struct ctx *c)
{
	static const struct file_rows r = {
		R_MEMFD_FIRST, R_MEMFD_RETOUCH_READ, R_MEMFD_RETOUCH_WRITE,
		R_MEMFD_POPULATE_EXISTING, R_MEMFD_FREE,
	};

	return sc_file_chain(c, 0, &r);
}

static int sc_lazy(struct ctx *c)
{
	static const struct file_rows r = {
		R_LAZY_FIRST, R_LAZY_RETOUCH_READ, R_LAZY_RETOUCH_WRITE,
		R_LAZY_POPULATE_EXISTING, R_LAZY_FREE,
	};

	return sc_file_chain(c, 1, &r);
}

static int sc_memfd_populate_new(struct ctx *c)
{
	char *p;
	int fd;

	phase_begin(c, R_MEMFD_POPULATE_NEW);
	fd = memfd_create("bench", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)c->size)) {
		fail(c, "memfd_create+ftruncate");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	p = map(fd, c->size, MAP_SHARED | MAP_POPULATE);
	phase_end(c);
	if (p == MAP_FAILED) {
		fail(c, "mmap(MAP_SHARED|MAP_POPULATE)");
		close(fd);
		return -1;
	}
	check_mapped(c, R_MEMFD_POPULATE_NEW, p);
	munmap(p, c->size);
	close(fd);
	return 0;
}

static int sc_lazy_populate_new(struct ctx *c)
{
	char *p = MAP_FAILED;
	int fd;

	phase_begin(c, R_LAZY_POPULATE_NEW);
	fd = shmap_create(c, SHMAP_MODE_LAZY);
	if (fd >= 0)
		p = map(fd, c->size, MAP_SHARED | MAP_POPULATE);
	phase_end(c);
	if (fd < 0 || p == MAP_FAILED) {
		fail(c, fd < 0 ? "SHMAP_IOC_CREATE(lazy)" : "mmap(MAP_POPULATE)");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	check_mapped(c, R_LAZY_POPULATE_NEW, p);
	check_buffer(c, R_LAZY_POPULATE_NEW, fd);
	munmap(p, c->size);
	close(fd);
	return 0;
}

static int set_fault_window(long pages)
{
	char s[32];

	snprintf(s, sizeof(s), "%ld", pages);
	return tap_write_str(FAULT_WINDOW, s);
}

/* Lazy first touch with the module's fault window forced to 1 page. */
static int sc_lazy_w1(struct ctx *c)
{
	char *p;
	int fd, r, ret = -1;

	r = set_fault_window(1);
	if (r) {
		errno = -r;
		fail(c, "writing 1 to " FAULT_WINDOW);
		return -1;
	}
	phase_begin(c, R_LAZY_FIRST_W1);
	fd = shmap_create(c, SHMAP_MODE_LAZY);
	if (fd < 0) {
		fail(c, "SHMAP_IOC_CREATE(lazy)");
		goto out_restore;
	}
	p = map(fd, c->size, MAP_SHARED);
	if (p == MAP_FAILED) {
		fail(c, "mmap(MAP_SHARED)");
		goto out_close;
	}
	touch_write(p, c);
	phase_end(c);
	check_mapped(c, R_LAZY_FIRST_W1, p);
	check_buffer(c, R_LAZY_FIRST_W1, fd);
	munmap(p, c->size);
	ret = 0;
out_close:
	close(fd);
out_restore:
	r = set_fault_window(g.fault_window);
	if (r) {
		errno = -r;
		fail(c, "restoring " FAULT_WINDOW);
		ret = -1;
	}
	return ret;
}

/* Eager: create, mmap, a second mapping, read, free. */
static int sc_eager(struct ctx *c)
{
	uint64_t before = pages_allocated();
	char *p, *q;
	int fd;

	phase_begin(c, R_EAGER_CREATE);
	fd = shmap_create(c, SHMAP_MODE_EAGER);
	phase_end(c);
	if (fd < 0) {
		fail(c, "SHMAP_IOC_CREATE(eager)");
		return -1;
	}
	check_buffer(c, R_EAGER_CREATE, fd);

	phase_begin(c, R_EAGER_MMAP);
	p = map(fd, c->size, MAP_SHARED);
	phase_end(c);
	if (p == MAP_FAILED)
		goto out_mmap;
	check_mapped(c, R_EAGER_MMAP, p);

	phase_begin(c, R_EAGER_SECOND);
	q = map(fd, c->size, MAP_SHARED);
	phase_end(c);
	if (q == MAP_FAILED) {
		munmap(p, c->size);
		goto out_mmap;
	}
	check_mapped(c, R_EAGER_SECOND, q);
	munmap(q, c->size);

	phase_begin(c, R_EAGER_READ);
	touch_read(p, c);
	phase_end(c);

	phase_begin(c, R_EAGER_FREE);
	munmap(p, c->size);
	close(fd);
	phase_end(c);
	check_freed(c, R_EAGER_FREE, before);
	return 0;

out_mmap:
	fail(c, "mmap(MAP_SHARED) of an eager buffer");
	close(fd);
	return -1;
}

/*
 * THP back on for a scenario about huge pages (and off again after):
 * PR_SET_THP_DISABLE also keeps file folios from being mapped by PMDs.
 */
static int thp_allow(struct ctx *c, int on)
{
	if (!prctl(PR_SET_THP_DISABLE, !on, 0, 0, 0))
		return 0;
	fail(c, "prctl(PR_SET_THP_DISABLE)");
	return -1;
}

/* Private anonymous memory with THP (MADV_HUGEPAGE): first touch. */
static int sc_anon_thp(struct ctx *c)
{
	char *p;

	if (thp_allow(c, 1))
		return -1;
	phase_begin(c, R_ANON_THP_FIRST);
	p = mmap(NULL, c->size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fail(c, "mmap(MAP_PRIVATE|MAP_ANONYMOUS)");
		thp_allow(c, 0);
		return -1;
	}
	madvise(p, c->size, MADV_HUGEPAGE);
	touch_write(p, c);
	phase_end(c);
	check_mapped(c, R_ANON_THP_FIRST, p);
	munmap(p, c->size);
	return thp_allow(c, 0);
}

/*
 * Huge eager buffer (SHMAP_CREATE_HUGE): create, first touch of a new
 * mapping (one PMD per 2 MiB), populate of another, free.
 */
static int sc_huge(struct ctx *c)
{
	uint64_t before = pages_allocated();
	int fd, ret = -1;
	char *p, *q;

	if (thp_allow(c, 1))
		return -1;
	phase_begin(c, R_HUGE_CREATE);
	fd = t_create(c->dev, c->size, SHMAP_MODE_EAGER, SHMAP_CREATE_HUGE,
		      "bench");
	phase_end(c);
	if (fd < 0) {
		errno = -fd;
		fail(c, "SHMAP_IOC_CREATE(eager, huge)");
		goto out;
	}
	check_buffer(c, R_HUGE_CREATE, fd);

	phase_begin(c, R_HUGE_FIRST);
	p = mmap(NULL, c->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		fail(c, "mmap(MAP_SHARED) of a huge buffer");
		goto out_close;
	}
	touch_write(p, c);
	phase_end(c);
	check_mapped(c, R_HUGE_FIRST, p);

	phase_begin(c, R_HUGE_POPULATE);
	q = mmap(NULL, c->size, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_POPULATE, fd, 0);
	phase_end(c);
	if (q == MAP_FAILED) {
		fail(c, "mmap(MAP_SHARED|MAP_POPULATE) of a huge buffer");
		munmap(p, c->size);
		goto out_close;
	}
	check_mapped(c, R_HUGE_POPULATE, q);
	munmap(q, c->size);

	phase_begin(c, R_HUGE_FREE);
	munmap(p, c->size);
	close(fd);
	phase_end(c);
	check_freed(c, R_HUGE_FREE, before);
	ret = 0;
	goto out;

out_close:
	close(fd);
out:
	if (thp_allow(c, 0))
		ret = -1;
	return ret;
}

/*
 * Huge lazy buffer: the first touch of each 2 MiB span allocates its
 * folio and maps it with one PMD; free.
 */
static int sc_huge_lazy(struct ctx *c)
{
	uint64_t before = pages_allocated();
	int fd, ret = -1;
	char *p;

	if (thp_allow(c, 1))
		return -1;
	fd = t_create(c->dev, c->size, SHMAP_MODE_LAZY, SHMAP_CREATE_HUGE,
		      "bench");
	if (fd < 0) {
		errno = -fd;
		fail(c, "SHMAP_IOC_CREATE(lazy, huge)");
		goto out;
	}
	phase_begin(c, R_HUGE_LAZY_FIRST);
	p = mmap(NULL, c->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		fail(c, "mmap(MAP_SHARED) of a lazy huge buffer");
		close(fd);
		goto out;
	}
	touch_write(p, c);
	phase_end(c);
	check_mapped(c, R_HUGE_LAZY_FIRST, p);
	check_buffer(c, R_HUGE_LAZY_FIRST, fd);

	phase_begin(c, R_HUGE_LAZY_FREE);
	munmap(p, c->size);
	close(fd);
	phase_end(c);
	check_freed(c, R_HUGE_LAZY_FREE, before);
	ret = 0;
out:
	if (thp_allow(c, 0))
		ret = -1;
	return ret;
}

/* Export of an eager buffer that exists, and close of the dma-buf. */
static int sc_dmabuf_eager(struct ctx *c)
{
	uint64_t before = pages_allocated();
	struct shmap_info info;
	int fd, dfd, r;

	fd = shmap_create(c, SHMAP_MODE_EAGER);
	if (fd < 0) {
		fail(c, "SHMAP_IOC_CREATE(eager)");
		return -1;
	}
	phase_begin(c, R_DMABUF_EXPORT_EAGER);
	dfd = t_export_dmabuf(fd, 0);
	if (dfd >= 0)
		close(dfd);
	phase_end(c);
	if (dfd < 0) {
		errno = -dfd;
		fail(c, "SHMAP_IOC_EXPORT_DMABUF(eager)");
		close(fd);
		return -1;
	}
	/* The close released the dma-buf. */
	r = t_info(fd, &info);
	if (r)
		bad(c, R_DMABUF_EXPORT_EAGER, "SHMAP_IOC_INFO: %s",
		    tap_errname(-r));
	else if (info.dmabuf_exports)
		bad(c, R_DMABUF_EXPORT_EAGER,
		    "dmabuf_exports %llu after the close of the dma-buf",
		    (unsigned long long)info.dmabuf_exports);
	close(fd);
	check_freed(c, R_DMABUF_EXPORT_EAGER, before);
	return 0;
}

/*
 * A mapping of the dma-buf fd, write-touched (timed as row), checked, and
 * the dma-buf closed. 0, or -1 (c->err).
 */
static int dmabuf_touch(struct ctx *c, enum row_id row, int dfd, int shmap)
{
	char *p;

	phase_begin(c, row);
	p = map(dfd, c->size, MAP_SHARED);
	if (p == MAP_FAILED) {
		fail(c, "mmap(MAP_SHARED) of the dma-buf");
		close(dfd);
		return -1;
	}
	touch_write(p, c);
	phase_end(c);
	if (shmap)
		check_mapped(c, row, p);
	check_touched(c, row, dfd);
	munmap(p, c->size);
	close(dfd);
	return 0;
}

/*
 * A lazy buffer to a dma-buf: create, export (which allocates every page),
 * close of the buffer fd (the dma-buf holds the buffer); then a mapping of
 * the dma-buf, write-touched. The pages go with the dma-buf.
 */
static int sc_dmabuf_lazy(struct ctx *c)
{
	uint64_t before = pages_allocated(), now;
	int fd, dfd;

	phase_begin(c, R_DMABUF_EXPORT_LAZY);
	fd = shmap_create(c, SHMAP_MODE_LAZY);
	if (fd < 0) {
		fail(c, "SHMAP_IOC_CREATE(lazy)");
		return -1;
	}
	dfd = t_export_dmabuf(fd, 0);
	close(fd);
	phase_end(c);
	if (dfd < 0) {
		errno = -dfd;
		fail(c, "SHMAP_IOC_EXPORT_DMABUF(lazy)");
		return -1;
	}
	now = pages_allocated();
	if (now - before != c->npages)
		bad(c, R_DMABUF_EXPORT_LAZY,
		    "pages_allocated +%llu after the export, expected +%zu",
		    (unsigned long long)(now - before), c->npages);
	if (dmabuf_touch(c, R_DMABUF_MMAP_FIRST, dfd, 1))
		return -1;
	check_freed(c, R_DMABUF_EXPORT_LAZY, before);
	return 0;
}

/*
 * The memfd path to a dma-buf: memfd_create, ftruncate, the seal udmabuf
 * requires (F_SEAL_SHRINK), UDMABUF_CREATE, close of the memfd (the
 * dma-buf pins the pages). UDMABUF_CREATE allocates the memfd's missing
 * pages itself, cleared (memfd_pin_folios()), as the export of a lazy
 * buffer does: the memfd is neither touched nor fallocated first (shmem
 * does not clear fallocated pages before they are read, and udmabuf pins
 * them as they are). Then a mapping of the dma-buf, write-touched.
 */
static int sc_udmabuf(struct ctx *c)
{
	struct udmabuf_create u;
	int mfd, dfd;
	off_t end;

	phase_begin(c, R_UDMABUF_CREATE);
	mfd = memfd_create("bench", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0 || ftruncate(mfd, (off_t)c->size) ||
	    fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		fail(c, "memfd_create+ftruncate+F_SEAL_SHRINK");
		if (mfd >= 0)
			close(mfd);
		return -1;
	}
	memset(&u, 0, sizeof(u));
	u.memfd = (uint32_t)mfd;
	u.flags = UDMABUF_FLAGS_CLOEXEC;
	u.size = c->size;
	dfd = ioctl(g.udmabuf, UDMABUF_CREATE, &u);
	if (dfd < 0) {
		fail(c, "UDMABUF_CREATE");
		close(mfd);
		return -1;
	}
	close(mfd);
	phase_end(c);
	end = lseek(dfd, 0, SEEK_END);
	if (end != (off_t)c->size)
		bad(c, R_UDMABUF_CREATE, "the dma-buf has %lld bytes, expected %zu",
		    (long long)end, c->size);
	return dmabuf_touch(c, R_UDMABUF_MMAP_FIRST, dfd, 0);
}

static const struct scenario {
	int (*fn)(struct ctx *c);
	enum row_id rows[6];	/* the rows it measures, in order */
	int nrows;
} scenarios[] = {
	{ sc_anon_private, { R_ANON_FIRST, R_FLOOR, R_ANON_READ, R_ANON_FREE }, 4 },
	{ sc_anon_populate, { R_ANON_POPULATE }, 1 },
	{ sc_anon_shared, { R_ANON_SHARED_FIRST }, 1 },
	{ sc_memfd, { R_MEMFD_FIRST, R_MEMFD_RETOUCH_READ, R_MEMFD_RETOUCH_WRITE,
		      R_MEMFD_POPULATE_EXISTING, R_MEMFD_FREE }, 5 },
	{ sc_memfd_populate_new, { R_MEMFD_POPULATE_NEW }, 1 },
	{ sc_lazy, { R_LAZY_FIRST, R_LAZY_RETOUCH_READ, R_LAZY_RETOUCH_WRITE,
		     R_LAZY_POPULATE_EXISTING, R_LAZY_FREE }, 5 },
	{ sc_lazy_populate_new, { R_LAZY_POPULATE_NEW }, 1 },
	{ sc_lazy_w1, { R_LAZY_FIRST_W1 }, 1 },
	{ sc_eager, { R_EAGER_CREATE, R_EAGER_MMAP, R_EAGER_SECOND, R_EAGER_READ,
		      R_EAGER_FREE }, 5 },
	{ sc_anon_thp, { R_ANON_THP_FIRST }, 1 },
	{ sc_huge, { R_HUGE_CREATE, R_HUGE_FIRST, R_HUGE_POPULATE, R_HUGE_FREE }, 4 },
	{ sc_huge_lazy, { R_HUGE_LAZY_FIRST, R_HUGE_LAZY_FREE }, 2 },
	{ sc_dmabuf_eager, { R_DMABUF_EXPORT_EAGER }, 1 },
	{ sc_dmabuf_lazy, { R_DMABUF_EXPORT_LAZY, R_DMABUF_MMAP_FIRST }, 2 },
	{ sc_udmabuf, { R_UDMABUF_CREATE, R_UDMABUF_MMAP_FIRST }, 2 },
};

#define NSCEN (sizeof(scenarios) / sizeof(scenarios[0]))

/* Why a scenario cannot run here, or NULL. */
static const char *scenario_skip(const struct scenario *s, const struct ctx *c)
{
	unsigned int flags = rows[s->rows[0]].flags;

	if ((flags & F_SHMAP) && c->dev < 0)
		return "no /dev/shmap";
	if ((flags & F_DMABUF) && !g.dmabuf)
		return "the module has no SHMAP_IOC_EXPORT_DMABUF";
	if ((flags & F_UDMABUF) && g.udmabuf < 0)
		return g.udmabuf_why;
	if (s->fn == sc_lazy_w1 && g.fault_window < 0)
		return "the module has no fault_window parameter";
	return NULL;
}

/*
 * ---- ftrace: the function tracer, filtered to the functions of interest
 * and to this process (set_ftrace_pid); a phase's calls are the lines of
 * the trace buffer. (Debian's kernels have no CONFIG_FUNCTION_PROFILER.)
 */

static int write_file(const char *path, const char *s, int flags)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | flags);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = s[0] ? write(fd, s, strlen(s)) : 0;
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	return close(fd) ? -errno : 0;
}

/* Does available_filter_functions list name (any module)? */
static int trace_lookup(FILE *f, const char *name)
{
	char line[256];
	size_t len = strlen(name);

	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, name, len) &&
		    (line[len] == '\n' || line[len] == ' ' || !line[len]))
			return 1;
	}
	return 0;
}

static int ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);

	return n >= m && !strcmp(s + n - m, end);
}

/* The module's vm_operations handlers ("shmap_vm_fault [shmap]", ...). */
static void trace_add_module_handlers(FILE *f)
{
	char line[256];

	rewind(f);
	while (fgets(line, sizeof(line), f) && g.trace_n < MAX_FUNCS) {
		char *sp = strstr(line, " [shmap]");

		if (!sp)
			continue;
		*sp = '\0';
		if (!ends_with(line, "_fault") && !ends_with(line, "map_pages") &&
		    !ends_with(line, "mkwrite"))
			continue;
		snprintf(g.trace_fn[g.trace_n], sizeof(g.trace_fn[0]), "%.63s", line);
		g.trace_have[g.trace_n++] = 1;
	}
}

static void trace_why(const char *what, int err)
{
	snprintf(g.trace_why, sizeof(g.trace_why), "%s: %s", what,
		 tap_errname(err));
	g.trace_n = 0;
}

/* Find tracefs and the functions, set the tracer up (tracing off). */
static void trace_init(void)
{
	char fn[80], s[512];
	uint64_t cpus;
	FILE *f;
	size_t i;
	int fd, r, any = 0;

	if (access(TRACEFS "/available_tracers", R_OK))
		mount("nodev", TRACEFS, "tracefs", 0, NULL);
	if (tap_read_str(TRACEFS "/available_tracers", s, sizeof(s)) ||
	    !strstr(s, "function")) {
		snprintf(g.trace_why, sizeof(g.trace_why),
			 "no function tracer in %s", TRACEFS);
		return;
	}
	f = fopen(TRACEFS "/available_filter_functions", "re");
	if (!f) {
		trace_why("available_filter_functions", errno);
		return;
	}
	for (i = 0; i < sizeof(trace_base) / sizeof(trace_base[0]); i++) {
		snprintf(g.trace_fn[g.trace_n], sizeof(g.trace_fn[0]), "%s",
			 trace_base[i]);
		g.trace_have[g.trace_n] = trace_lookup(f, trace_base[i]);
		any |= g.trace_have[g.trace_n];
		g.trace_n++;
	}
	trace_add_module_handlers(f);
	fclose(f);
	if (!any) {
		snprintf(g.trace_why, sizeof(g.trace_why),
			 "none of the fault functions is traceable");
		g.trace_n = 0;
		return;
	}
	write_file(TRACEFS "/tracing_on", "0", 0);
	write_file(TRACEFS "/current_tracer", "nop", 0);
	fd = open(TRACEFS "/set_ftrace_filter", O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0) {
		trace_why("set_ftrace_filter", errno);
		return;
	}
	for (i = 0; i < (size_t)g.trace_n; i++) {
		if (!g.trace_have[i])
			continue;
		snprintf(fn, sizeof(fn), "%s\n", g.trace_fn[i]);
		if (write(fd, fn, strlen(fn)) < 0)
			g.trace_have[i] = 0;
	}
	close(fd);
	snprintf(s, sizeof(s), "%d", (int)getpid());
	r = write_file(TRACEFS "/set_ftrace_pid", s, O_TRUNC);
	if (r) {
		trace_why("set_ftrace_pid", -r);
		return;
	}
	/* The switch patches code: no other CPU may run meanwhile. */
	cpus = t_cpus_alone();
	r = write_file(TRACEFS "/current_tracer", "function", 0);
	t_cpus_back(cpus);
	if (r)
		trace_why("current_tracer function", -r);
}

/* Back to what the guest had: no tracer, no filters, tracing on. */
static void trace_fini(void)
{
	uint64_t cpus;

	if (!g.trace_n)
		return;
	write_file(TRACEFS "/tracing_on", "0", 0);
	cpus = t_cpus_alone();
	write_file(TRACEFS "/current_tracer", "nop", 0);
	t_cpus_back(cpus);
	write_file(TRACEFS "/set_ftrace_filter", "", O_TRUNC);
	write_file(TRACEFS "/set_ftrace_pid", "", O_TRUNC);
	write_file(TRACEFS "/trace", "", O_TRUNC);
	write_file(TRACEFS "/tracing_on", "1", 0);
}

/* Empty the buffer and start. */
static int trace_start(void)
{
	int r = write_file(TRACEFS "/trace", "", O_TRUNC);

	return r ? r : write_file(TRACEFS "/tracing_on", "1", 0);
}

/*
 * Stop, and count each function's lines ("  bench-42 [000] ...: NAME <-CALLER")
 * in the buffer. Lost events (entries-written above entries-in-buffer) or an
 * unreadable buffer set every count to ~0UL: the row is reported failed.
 */
static void trace_stop(unsigned long *hits)
{
	char line[512], pat[80];
	unsigned long in = 0, written = 0;
	FILE *f;
	int i;

	write_file(TRACEFS "/tracing_on", "0", 0);
	memset(hits, 0, sizeof(*hits) * MAX_FUNCS);
	f = fopen(TRACEFS "/trace", "re");
	if (!f) {
		for (i = 0; i < g.trace_n; i++)
			hits[i] = ~0UL;
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		const char *e = strstr(line, "entries-in-buffer/entries-written:");

		if (e) {
			sscanf(e, "entries-in-buffer/entries-written: %lu/%lu",
			       &in, &written);
			continue;
		}
		if (line[0] == '#')
			continue;
		for (i = 0; i < g.trace_n; i++) {
			snprintf(pat, sizeof(pat), " %s <-", g.trace_fn[i]);
			if (strstr(line, pat))
				hits[i]++;
		}
	}
	fclose(f);
	if (written > in) {
		for (i = 0; i < g.trace_n; i++)
			hits[i] = ~0UL;
	}
}

/* ---- memory cgroups */

static int cg_enter_child(void)
{
	char s[512], path[192];

	if (tap_read_str(CGROOT "/cgroup.controllers", s, sizeof(s)) ||
	    !strstr(s, "memory"))
		return -ENOTSUP;
	if (!tap_read_str(CGROOT "/cgroup.subtree_control", s, sizeof(s)) &&
	    !strstr(s, "memory")) {
		int r = tap_write_str(CGROOT "/cgroup.subtree_control", "+memory");
		if (r)
			return r;
	}
	snprintf(g.cg, sizeof(g.cg), CGROOT "/shmap-bench-%d", (int)getpid());
	if (mkdir(g.cg, 0755) && errno != EEXIST)
		return -errno;
	/* No limit: memory.max stays "max". */
	snprintf(path, sizeof(path), "%s/cgroup.procs", g.cg);
	return tap_write_str(path, "0");
}

static void cg_leave_child(void)
{
	int i;

	tap_write_str(CGROOT "/cgroup.procs", "0");
	for (i = 0; i < 100; i++) {
		if (!rmdir(g.cg) || errno == ENOENT)
			return;
		usleep(20000);
	}
	fprintf(stderr, "bench: rmdir %s: %s\n", g.cg, tap_errname(errno));
}

/* ---- one pass: a cgroup and a size */

struct result {
	int n;			/* runs measured */
	double ns[MAX_REPS], flt[MAX_REPS];
	long majflt;
	char bad[160];
	const char *skip;
	char err[256];
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *v, int n)
{
	double s[MAX_REPS];

	memcpy(s, v, sizeof(*v) * (size_t)n);
	qsort(s, (size_t)n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static double vmin(const double *v, int n)
{
	double m = v[0];
	int i;

	for (i = 1; i < n; i++)
		m = v[i] < m ? v[i] : m;
	return m;
}

static double vmax(const double *v, int n)
{
	double m = v[0];
	int i;

	for (i = 1; i < n; i++)
		m = v[i] > m ? v[i] : m;
	return m;
}

static void ctx_init(struct ctx *c, size_t size, int dev)
{
	memset(c, 0, sizeof(*c));
	c->pagesz = t_page();
	c->size = size;
	c->npages = size / c->pagesz;
	c->dev = dev;
	c->vec = malloc(c->npages);
	if (!c->vec) {
		perror("bench: malloc");
		exit(2);
	}
}

/* Run one scenario once into c->cur; 0 or -1 (c->err). */
static int scenario_run(const struct scenario *s, struct ctx *c)
{
	memset(c->cur, 0, sizeof(c->cur));
	c->err[0] = '\0';
	return s->fn(c);
}

/* Size number si in one cgroup: a warm-up, then the measured runs. */
static void pass(const char *cgroup, int si, int dev)
{
	static struct result res[NROWS];
	unsigned int mib = g.sizes[si];
	int reps = (int)g.reps[si < g.nreps ? si : g.nreps - 1];
	struct ctx c;
	size_t sc;
	int i, k, rep, warm = g.smoke ? 0 : 1;

	printf("# bench: %s cgroup, %u MiB: %d run(s)%s, %zu scenarios\n",
	       cgroup, mib, reps, warm ? " after a warm-up" : "", NSCEN);
	memset(res, 0, sizeof(res));
	ctx_init(&c, (size_t)mib * T_MIB, dev);
	for (sc = 0; sc < NSCEN; sc++) {
		const struct scenario *s = &scenarios[sc];
		const char *skip = scenario_skip(s, &c);

		for (k = 0; k < s->nrows; k++)
			res[s->rows[k]].skip = skip;
		if (skip)
			continue;
		if (warm)
			scenario_run(s, &c);
		for (rep = 0; rep < reps; rep++) {
			int r = scenario_run(s, &c);

			for (k = 0; k < s->nrows; k++) {
				struct sample *sm = &c.cur[s->rows[k]];
				struct result *rs = &res[s->rows[k]];

				if (sm->bad[0] && !rs->bad[0])
					memcpy(rs->bad, sm->bad, sizeof(rs->bad));
				if (!sm->done)
					continue;
				rs->ns[rs->n] = sm->ns / (double)c.npages;
				rs->flt[rs->n] = (double)sm->minflt / (double)c.npages;
				rs->majflt += sm->majflt;
				rs->n++;
			}
			if (r) {
				for (k = 0; k < s->nrows; k++)
					snprintf(res[s->rows[k]].err,
						 sizeof(res[0].err), "%s", c.err);
				break;
			}
		}
	}
	free(c.vec);

	for (i = 0; i < NROWS; i++) {
		struct result *rs = &res[i];
		const char *name = rows[i].name;
		double ns, flt;
		int sane, prec;

		if (rs->skip) {
			out("bench: kernel=%s cgroup=%s size_mib=%u row=%s status=skipped reason=\"%s\"",
			    g.kernel, cgroup, mib, name, rs->skip);
			tap(1, rs->skip, "%s/%s ran", cgroup, name);
			continue;
		}
		if (rs->err[0] || rs->n < reps) {
			out("bench: kernel=%s cgroup=%s size_mib=%u row=%s status=failed reason=\"%s\"",
			    g.kernel, cgroup, mib, name,
			    rs->err[0] ? rs->err : "not measured");
			tap(0, NULL, "%s/%s ran", cgroup, name);
			continue;
		}
		ns = median(rs->ns, rs->n);
		flt = median(rs->flt, rs->n);
		/* Rows that cost a few per page (one export of 262144 pages). */
		prec = ns < 10 ? 3 : 1;
		out("bench: kernel=%s cgroup=%s size_mib=%u row=%s status=%s ns_per_page=%.*f faults_per_page=%.4f min=%.*f max=%.*f major_faults=%ld reps=%d",
		    g.kernel, cgroup, mib, name, rs->bad[0] ? "bad" : "ok", prec,
		    ns, flt, prec, vmin(rs->ns, rs->n), prec,
		    vmax(rs->ns, rs->n), rs->majflt, rs->n);
		tap(1, NULL, "%s/%s ran", cgroup, name);
		sane = isfinite(ns) && ns > 0 && isfinite(flt) && flt >= 0;
		if (!sane)
			out("%s/%s: ns_per_page %g, faults_per_page %g", cgroup,
			    name, ns, flt);
		if (rs->bad[0])
			out("%s/%s: %s", cgroup, name, rs->bad);
		tap(sane && !rs->bad[0], NULL,
		    "%s/%s: numbers finite, pages touched or freed", cgroup, name);
	}
}

/* The fault rows once on a few pages, under the function tracer. */
static void trace_pass(int dev)
{
	struct ctx c;
	size_t si;
	int i, k;

	printf("# bench: ftrace counts on %u pages%s%s\n", g.trace_pages,
	       g.trace_n ? "" : ": ", g.trace_n ? "" : g.trace_why);
	ctx_init(&c, (size_t)g.trace_pages * t_page(), dev);
	for (si = 0; si < NSCEN; si++) {
		const struct scenario *s = &scenarios[si];
		const char *skip = scenario_skip(s, &c);
		int r;

		if (!skip && g.trace_n) {
			c.tracing = 1;
			r = scenario_run(s, &c);
			c.tracing = 0;
		} else {
			r = 0;
			memset(c.cur, 0, sizeof(c.cur));
		}
		for (k = 0; k < s->nrows; k++) {
			enum row_id row = s->rows[k];
			struct sample *sm = &c.cur[row];
			char line[1024];
			size_t len;
			const char *why = skip ? skip : g.trace_why;

			if (!(rows[row].flags & F_FAULTS))
				continue;
			if (skip || !g.trace_n) {
				out("bench-trace: kernel=%s row=%s status=skipped reason=\"%s\"",
				    g.kernel, rows[row].name, why);
				tap(1, why, "trace/%s counted", rows[row].name);
				continue;
			}
			if (r || !sm->traced || sm->hits[0] == ~0UL) {
				out("bench-trace: kernel=%s row=%s status=failed reason=\"%s\"",
				    g.kernel, rows[row].name,
				    r ? c.err : sm->traced ? "trace buffer overrun or unreadable" :
				    "tracing did not start");
				tap(0, NULL, "trace/%s counted", rows[row].name);
				continue;
			}
			len = (size_t)snprintf(line, sizeof(line),
				"bench-trace: kernel=%s row=%s status=ok pages=%u faults=%ld",
				g.kernel, rows[row].name, g.trace_pages, sm->minflt);
			for (i = 0; i < g.trace_n && len < sizeof(line); i++) {
				if (g.trace_have[i])
					len += (size_t)snprintf(line + len, sizeof(line) - len,
						" %s=%lu", g.trace_fn[i], sm->hits[i]);
				else
					len += (size_t)snprintf(line + len, sizeof(line) - len,
						" %s=n/a", g.trace_fn[i]);
			}
			/* handle_mm_fault and lock_mm_and_find_vma per fault. */
			for (i = 0; i < 3 && len < sizeof(line); i++) {
				static const char *const key[] = { "hmf", "lvur", "lmfv" };

				if (g.trace_have[i] && sm->minflt > 0)
					len += (size_t)snprintf(line + len, sizeof(line) - len,
						" %s_per_fault=%.3f", key[i],
						(double)sm->hits[i] / (double)sm->minflt);
				else
					len += (size_t)snprintf(line + len, sizeof(line) - len,
						" %s_per_fault=n/a", key[i]);
			}
			out("%s", line);
			/* A fault row must show at least one handle_mm_fault. */
			tap(!g.trace_have[0] || sm->hits[0] > 0, NULL,
			    "trace/%s counted", rows[row].name);
		}
	}
	free(c.vec);
}

/* ---- main */

static void usage(void)
{
	fprintf(stderr,
		"usage: bench [--sizes MIB[,MIB...]] [--reps N[,N...]] [--cgroups root,child]\n"
		"             [--trace-pages N (0: off)] [--smoke]\n");
	exit(2);
}

/* "A,B,C" (commas or spaces) of numbers 1..max into v[]; returns how many. */
static int parse_list(const char *arg, unsigned int *v, unsigned long max)
{
	char *copy = strdup(arg), *tok, *save = NULL, *end;
	int n = 0;

	if (!copy)
		usage();
	for (tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		unsigned long x = strtoul(tok, &end, 10);

		if (*end || !x || x > max || n == MAX_SIZES)
			usage();
		v[n++] = (unsigned int)x;
	}
	free(copy);
	if (!n)
		usage();
	return n;
}

static void parse_args(int argc, char **argv)
{
	int i;

	g.sizes[0] = 64;
	g.sizes[1] = 1024;
	g.nsizes = 2;
	g.reps[0] = 5;
	g.nreps = 1;
	g.root = g.child = 1;
	g.trace_pages = 64;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--smoke")) {
			g.smoke = 1;
			tap_report_start("bench");
			g.sizes[0] = 4;
			g.nsizes = 1;
			g.reps[0] = 1;
			g.nreps = 1;
			continue;
		}
		if (!v)
			usage();
		i++;
		if (!strcmp(a, "--sizes"))
			g.nsizes = parse_list(v, g.sizes, 65536);
		else if (!strcmp(a, "--reps"))
			g.nreps = parse_list(v, g.reps, MAX_REPS);
		else if (!strcmp(a, "--cgroups")) {
			g.root = !!strstr(v, "root");
			g.child = !!strstr(v, "child");
			if (!g.root && !g.child)
				usage();
		} else if (!strcmp(a, "--trace-pages")) {
			g.trace_pages = (unsigned int)atoi(v);
		} else {
			usage();
		}
	}
}

static void read_info(char *buf, size_t len, const char *path)
{
	if (tap_read_str(path, buf, len))
		snprintf(buf, len, "n/a");
}

/*
 * /dev/udmabuf, and its size_limit_mb (64 up to 6.12) raised to the
 * largest size for the run (udmabuf_fini() puts it back).
 */
static void udmabuf_init(void)
{
	unsigned int max = 0;
	uint64_t lim;
	char s[32];
	int i, r;

	g.udmabuf_limit = -1;
	g.udmabuf = open(UDMABUF_DEV, O_RDWR | O_CLOEXEC);
	if (g.udmabuf < 0) {
		snprintf(g.udmabuf_why, sizeof(g.udmabuf_why),
			 "no " UDMABUF_DEV " (CONFIG_UDMABUF): %s",
			 tap_errname(errno));
		return;
	}
	for (i = 0; i < g.nsizes; i++)
		max = g.sizes[i] > max ? g.sizes[i] : max;
	if (tap_read_u64(UDMABUF_LIMIT, &lim) || lim >= max)
		return;
	snprintf(s, sizeof(s), "%u", max);
	r = tap_write_str(UDMABUF_LIMIT, s);
	if (r)
		fprintf(stderr, "bench: writing %s to %s: %s\n", s,
			UDMABUF_LIMIT, tap_errname(-r));
	else
		g.udmabuf_limit = (long)lim;
	printf("# bench: udmabuf size_limit_mb %llu -> %s for the run\n",
	       (unsigned long long)lim, s);
}

static void udmabuf_fini(void)
{
	char s[32];
	int r;

	if (g.udmabuf < 0)
		return;
	close(g.udmabuf);
	if (g.udmabuf_limit < 0)
		return;
	snprintf(s, sizeof(s), "%ld", g.udmabuf_limit);
	r = tap_write_str(UDMABUF_LIMIT, s);
	if (r)
		fprintf(stderr, "bench: restoring %s to %s: %s\n", s,
			UDMABUF_LIMIT, tap_errname(-r));
}

int main(int argc, char **argv)
{
	char thp[128], far[32], reps[64];
	struct shmap_version ver;
	size_t len;
	struct utsname u;
	uint64_t fw;
	int dev, dev_err, si;

	parse_args(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	uname(&u);
	snprintf(g.kernel, sizeof(g.kernel), "%s", u.release);
	if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0))
		fprintf(stderr, "bench: PR_SET_THP_DISABLE: %s\n", tap_errname(errno));

	dev = open(T_DEV, O_RDWR | O_CLOEXEC);
	dev_err = errno;
	g.fault_window = tap_read_u64(FAULT_WINDOW, &fw) ? -1 : (long)fw;
	g.dmabuf = dev >= 0 && !t_version(dev, &ver) &&
		   (ver.features & SHMAP_FEAT_DMABUF);
	udmabuf_init();
	read_info(thp, sizeof(thp), "/sys/kernel/mm/transparent_hugepage/enabled");
	read_info(far, sizeof(far), "/sys/kernel/debug/fault_around_bytes");
	for (si = 0, len = 0; si < g.nreps && len < sizeof(reps); si++)
		len += (size_t)snprintf(reps + len, sizeof(reps) - len, "%s%u",
					si ? "," : "", g.reps[si]);
	out("bench-info: kernel=%s page_size=%zu reps=%s warmup=%d shmap=%s fault_window=%ld dmabuf=%s udmabuf=\"%s\" fault_around_bytes=%s thp=\"%s\"",
	    g.kernel, t_page(), reps, g.smoke ? 0 : 1,
	    dev >= 0 ? "yes" : tap_errname(dev_err), g.fault_window,
	    g.dmabuf ? "yes" : "no", g.udmabuf >= 0 ? "yes" : g.udmabuf_why,
	    far, thp);
	tap(dev >= 0, NULL, "open %s", T_DEV);

	for (si = 0; si < g.nsizes && g.root; si++)
		pass("root", si, dev);
	if (g.child) {
		int r = cg_enter_child();

		if (r) {
			out("bench: kernel=%s cgroup=child status=skipped reason=\"child memory cgroup: %s\"",
			    g.kernel, tap_errname(-r));
			tap(r == -ENOTSUP, "no memory controller", "child memory cgroup");
		} else {
			for (si = 0; si < g.nsizes; si++)
				pass("child", si, dev);
			cg_leave_child();
		}
	}
	if (g.trace_pages) {
		trace_init();
		trace_pass(dev);
		trace_fini();
	}
	if (dev >= 0)
		close(dev);
	udmabuf_fini();
	if (g.smoke)
		tap_report_end();
	return g.failed ? 1 : 0;
}
