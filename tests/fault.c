// SPDX-License-Identifier: GPL-2.0
/*
 * fault: the fault window. W is the fault_window module parameter. The
 * window of a fault on buffer page p is [ALIGN_DOWN(p, W),
 * ALIGN_DOWN(p, W) + W), cut to the vma and to the buffer.
 *
 * - A fault through ->fault (any write, or a read of a page that does not
 *   exist) maps every page of its window that exists. It allocates page p
 *   if p does not exist, and the window's other missing pages only where the
 *   touch looks sequential: p is new, p > 0 and page p - 1 exists (whoever
 *   allocated it). Any other first touch, page 0's included, allocates one
 *   page; a touch of a page that exists allocates nothing. The
 *   pages allocated ahead never make a touch fail: the first that cannot be
 *   had (memory cgroup, NORESERVE max_total_mb) ends the window there.
 * - A read of a page that exists, where the page table of its address
 *   exists, goes to ->map_pages (read fault-around) instead: it maps the
 *   existing pages of the same window cut to that page table, allocates
 *   nothing, and is not counted in stats/faults (which counts ->fault calls).
 *   Where the page or the page table does not exist, ->fault handles it.
 * - With per-VMA locks (6.4+) a fault completes under the VMA lock, without
 *   a retry under the mmap lock.
 *
 * mincore() shows which pages of a mapping are mapped in this process (a
 * buffer has no page cache, so an unmapped page reads 0), SHMAP_IOC_INFO
 * what the buffer allocated. The model below (model_fault()) is the rule
 * above; most cases touch with writes and compare each step with it.
 *
 * W is read from the parameter, so the program checks whatever suite.sh
 * loaded (64 by default, 1 in the fault_window=1 phase). A module without
 * the parameter fails window_param; the other cases then assume the
 * documented default (64) and fail on their own checks.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>

#include "tshmap.h"

#define WINDOW_PARAM	T_PARAMS "fault_window"
#define WINDOW_DEFAULT	64
#define WINDOW_MAX	512
/* One page-table page maps this much (x86-64: 512 PTEs). */
#define PT_SPAN		(2UL << 20)

static size_t pg;	/* page size */
static size_t W;	/* the fault window in force, pages */

/* Set pg and W for the case; ends it if the parameter is unreadable. */
static void setup(void)
{
	uint64_t v;

	pg = t_page();
	if (tap_read_u64(WINDOW_PARAM, &v) == -ENOENT) {
		tap_diag("no %s: assuming the documented default %d", WINDOW_PARAM,
			 WINDOW_DEFAULT);
		W = WINDOW_DEFAULT;
		return;
	}
	v = T_PARAM("fault_window");
	if (v < 1 || v > WINDOW_MAX || (v & (v - 1))) {
		TAP_FAIL("fault_window is %llu: not a power of two from 1 to %d",
			 (unsigned long long)v, WINDOW_MAX);
		tap_abort();
	}
	W = v;
}

static size_t wstart(size_t p)
{
	return p / W * W;
}

static size_t min_sz(size_t a, size_t b)
{
	return a < b ? a : b;
}

static size_t max_sz(size_t a, size_t b)
{
	return a > b ? a : b;
}

/*
 * The window of a fault on buffer page p in a vma mapping buffer pages
 * [vlo, vhi) of a buffer of npages: [*lo, *hi).
 */
static void window_of(size_t p, size_t vlo, size_t vhi, size_t npages,
		      size_t *lo, size_t *hi)
{
	*lo = max_sz(wstart(p), vlo);
	*hi = min_sz(min_sz(wstart(p) + W, vhi), npages);
}

/* ---- which pages are mapped ---- */

/* want[i]: page i must be mapped; set [lo, hi) (clamped to n). */
static void want_set(char *want, size_t n, size_t lo, size_t hi)
{
	for (; lo < hi && lo < n; lo++)
		want[lo] = 1;
}

/* The set pages as "[a, b) [c, d)", at most len bytes. */
static void ranges_str(const char *bits, size_t n, char *buf, size_t len)
{
	size_t i = 0, used = 0;

	buf[0] = '\0';
	while (i < n && used + 32 < len) {
		size_t j;

		if (!bits[i]) {
			i++;
			continue;
		}
		for (j = i; j < n && bits[j]; j++)
			;
		used += (size_t)snprintf(buf + used, len - used, "%s[%zu, %zu)",
					 used ? " " : "", i, j);
		i = j;
	}
	if (i < n && used + 32 >= len)
		snprintf(buf + used, len - used, " ...");
	if (!used)
		snprintf(buf, len, "none");
}

/* mincore() of n pages at p into bits[] (0/1); 0 or -errno. */
static int mapped_bits(const void *p, size_t n, char *bits)
{
	unsigned char *vec = malloc(n ? n : 1);
	size_t i;

	if (!vec)
		return -ENOMEM;
	if (mincore((void *)p, n * pg, vec)) {
		int e = errno;

		free(vec);
		return -e;
	}
	for (i = 0; i < n; i++)
		bits[i] = vec[i] & 1;
	free(vec);
	return 0;
}

static size_t count_mapped(const void *p, size_t n)
{
	char *bits = calloc(n ? n : 1, 1);
	size_t i, c = 0;

	REQUIRE(bits);
	REQUIRE_RET(mapped_bits(p, n, bits), 0);
	for (i = 0; i < n; i++)
		c += bits[i];
	free(bits);
	return c;
}

static void check_mapped_at(const char *file, int line, const char *what,
			    const void *p, size_t n, const char *want)
{
	char *bits = calloc(n ? n : 1, 1), got[512], exp[512];
	int r;

	REQUIRE(bits);
	r = mapped_bits(p, n, bits);
	if (r) {
		tap_fail_at(file, line, "mincore(%s, %zu pages): %s", what, n,
			    tap_errname(-r));
	} else if (memcmp(bits, want, n)) {
		ranges_str(bits, n, got, sizeof(got));
		ranges_str(want, n, exp, sizeof(exp));
		tap_fail_at(file, line, "%s: pages mapped %s, expected %s (W=%zu)",
			    what, got, exp, W);
	}
	free(bits);
}

/* The pages of the n-page mapping p that are mapped must be exactly want. */
#define CHECK_MAPPED(p, n, want) check_mapped_at(__FILE__, __LINE__, #p, p, n, want)

static size_t count_bits(const char *bits, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		c += !!bits[i];
	return c;
}

static char *want_new(size_t n)
{
	char *w = calloc(n ? n : 1, 1);

	REQUIRE(w);
	return w;
}

/* ---- touching pages, SIGBUS caught ---- */

static __thread sigjmp_buf *bus_jmp;

static void on_sigbus(int sig)
{
	if (bus_jmp)
		siglongjmp(*bus_jmp, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* SIGBUS inside touch() returns SIGBUS instead of killing. */
static void catch_sigbus(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigbus;
	sigemptyset(&sa.sa_mask);
	REQUIRE_SYS(sigaction(SIGBUS, &sa, NULL));
}

enum touch_how { T_READ, T_WRITE, T_KEEP };

/*
 * Access the byte at addr: read it, write v, or write without changing it
 * (an atomic add of 0: a write fault that keeps the data). Returns 0, or
 * SIGBUS if the access got one (after catch_sigbus()).
 */
static int touch(char *addr, enum touch_how how, char v)
{
	sigjmp_buf jb;

	if (sigsetjmp(jb, 1)) {
		bus_jmp = NULL;
		return SIGBUS;
	}
	bus_jmp = &jb;
	if (how == T_READ)
		(void)*(volatile char *)addr;
	else if (how == T_WRITE)
		*(volatile char *)addr = v;
	else
		__atomic_fetch_add(addr, 0, __ATOMIC_RELAXED);
	bus_jmp = NULL;
	return 0;
}

/* A touch that must not get SIGBUS. */
#define TOUCH_OK(addr, how, v)						\
	do {								\
		if (touch(addr, how, v))				\
			TAP_FAIL("%s %s: SIGBUS", #how, #addr);		\
	} while (0)

/* ---- small helpers ---- */

static uint64_t resident(int fd)
{
	return T_INFO(fd).resident_pages;
}

static uint64_t reserved(int fd)
{
	return T_INFO(fd).reserved_pages;
}

static char *map_at(int fd, size_t off_pages, size_t npages)
{
	return T_MAP(fd, npages * pg, PROT_READ | PROT_WRITE, off_pages * pg);
}

/* An address aligned on align with len bytes of address space free after it. */
static char *reserve_va(size_t len, size_t align)
{
	char *r = REQUIRE_MAP(mmap(NULL, len + align, PROT_NONE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0));

	return (char *)(((uintptr_t)r + align - 1) & ~(uintptr_t)(align - 1));
}

/* mmap of a buffer at a fixed address (inside a reserve_va() range). */
static char *map_fixed(char *addr, int fd, size_t off_pages, size_t npages)
{
	char *p = REQUIRE_MAP(mmap(addr, npages * pg, PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_FIXED, fd, (off_t)(off_pages * pg)));

	REQUIRE(p == addr);
	return p;
}

/*
 * len bytes of address space on a page-table boundary, whole page tables
 * of its own: nothing else maps there, so no page table exists before the
 * first touch.
 */
static char *reserve_tables(size_t len)
{
	return reserve_va((len + PT_SPAN - 1) / PT_SPAN * PT_SPAN, PT_SPAN);
}

/* MADV_DONTNEED of the pages [lo, hi) of the mapping m. */
static void dontneed_range(char *m, size_t lo, size_t hi)
{
	if (hi > lo)
		REQUIRE_SYS(madvise(m + lo * pg, (hi - lo) * pg, MADV_DONTNEED));
}

static void set_window(size_t w)
{
	char s[32];

	snprintf(s, sizeof(s), "%zu", w);
	REQUIRE_RET(tap_write_str(WINDOW_PARAM, s), 0);
	W = w;
}

/* ---- the rule, in user space ---- */

/* A buffer: which of its pages exist. */
struct model {
	int fd;
	size_t npages;
	char *exists;
};

/* A mapping of the buffer pages [lo, lo + n) at m: which are mapped. */
struct view {
	char *m;
	size_t lo, n;
	char *want;
};

static void model_init(struct model *b, int fd, size_t npages)
{
	b->fd = fd;
	b->npages = npages;
	b->exists = want_new(npages);
}

static void view_init(struct view *v, char *m, size_t lo, size_t n)
{
	v->m = m;
	v->lo = lo;
	v->n = n;
	v->want = want_new(n);
}

/*
 * A touch of buffer page p through v, by a write or by a read of a page
 * that does not exist. A page mapped in v does not fault; else ->fault
 * allocates p, and the missing pages of p's window (cut to v and to the
 * buffer) if p was new and p - 1 exists, then maps the window's existing
 * pages. No
 * limits here: every page can be had. Returns the ->fault calls: 0 or 1.
 */
static int model_fault(struct model *b, struct view *v, size_t p)
{
	size_t lo, hi, i;
	int ahead;

	if (v->want[p - v->lo])
		return 0;
	ahead = p > 0 && !b->exists[p] && b->exists[p - 1];
	window_of(p, v->lo, v->lo + v->n, b->npages, &lo, &hi);
	b->exists[p] = 1;
	for (i = lo; i < hi; i++) {
		if (ahead)
			b->exists[i] = 1;
		if (b->exists[i])
			v->want[i - v->lo] = 1;
	}
	return 1;
}

/*
 * Touch buffer page p through v (a write of 0x3c at byte 7, or a read) and
 * check the ->fault calls, resident and the pages mapped in v against
 * model_fault().
 */
static void touch_expect_at(const char *file, int line, struct model *b,
			    struct view *v, size_t p, enum touch_how how)
{
	uint64_t f0, f1, res;
	size_t exp;
	int calls;

	if (how == T_READ && b->exists[p] && !v->want[p - v->lo]) {
		/* That may be ->map_pages: not what the model knows. */
		tap_fail_at(file, line, "test bug: read of page %zu, which exists", p);
		tap_abort();
	}
	f0 = T_STAT("faults");
	if (touch(v->m + (p - v->lo) * pg + 7, how, 0x3c))
		tap_fail_at(file, line, "%s of page %zu: SIGBUS",
			    how == T_READ ? "read" : "write", p);
	f1 = T_STAT("faults");
	calls = model_fault(b, v, p);
	if (f1 - f0 != (uint64_t)calls)
		tap_fail_at(file, line, "touch of page %zu: %llu calls of ->fault, expected %d",
			    p, (unsigned long long)(f1 - f0), calls);
	res = resident(b->fd);
	exp = count_bits(b->exists, b->npages);
	if (res != exp)
		tap_fail_at(file, line, "after the touch of page %zu: resident %llu, "
			    "expected %zu (W=%zu)", p, (unsigned long long)res, exp, W);
	check_mapped_at(file, line, "mapping", v->m, v->n, v->want);
}

#define TOUCH_EXPECT(b, v, p, how) touch_expect_at(__FILE__, __LINE__, b, v, p, how)

/*
 * Allocate buffer page q alone: a touch through a one-page mapping, which
 * cuts every window to that page.
 */
static void alloc_alone(struct model *b, size_t q)
{
	char *a = map_at(b->fd, q, 1);

	TOUCH_OK(a, T_KEEP, 0);
	munmap(a, pg);
	b->exists[q] = 1;
	CHECK_EQ(resident(b->fd), count_bits(b->exists, b->npages));
}

/* ---- the parameter ---- */

static void window_param(void)
{
	static const char *const bad[] = {
		"0", "3", "6", "24", "513", "1024", "-1", "-16", "abc", "16x",
		" ", "4294967312", "99999999999999999999",
	};
	static const char *const good[] = { "1", "512", "32\n", "2" };
	struct stat st;
	uint64_t old;
	char s[32];
	size_t i;

	pg = t_page();
	if (stat(WINDOW_PARAM, &st)) {
		TAP_FAIL("%s: %s: this module has no fault window", WINDOW_PARAM,
			 tap_errname(errno));
		tap_abort();
	}
	if ((st.st_mode & 0777) != 0644)
		TAP_FAIL("%s: mode %o, expected 644", WINDOW_PARAM, st.st_mode & 0777);
	old = T_PARAM("fault_window");
	tap_diag("fault_window is %llu", (unsigned long long)old);
	CHECK(old >= 1 && old <= WINDOW_MAX && !(old & (old - 1)));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = tap_write_str(WINDOW_PARAM, bad[i]);

		if (r != -EINVAL)
			TAP_FAIL("writing \"%s\" to fault_window: got %s, expected EINVAL",
				 bad[i], r ? tap_errname(-r) : "success");
		CHECK_EQ(T_PARAM("fault_window"), old);
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		CHECK_RET(tap_write_str(WINDOW_PARAM, good[i]), 0);
		CHECK_EQ(T_PARAM("fault_window"), strtoull(good[i], NULL, 10));
	}
	snprintf(s, sizeof(s), "%llu", (unsigned long long)old);
	CHECK_RET(tap_write_str(WINDOW_PARAM, s), 0);
	CHECK_EQ(T_PARAM("fault_window"), old);
}

static void runtime_child(void *arg)
{
	static const size_t ws[] = { 1, 2, 8, 64, 512 };
	int dev = t_dev(), fd;
	struct model b;
	struct view v;
	size_t i, n;
	char *m;

	(void)arg;
	catch_sigbus();
	for (i = 0; i < sizeof(ws) / sizeof(ws[0]); i++) {
		set_window(ws[i]);
		n = 3 * W;
		fd = T_CREATE(dev, n * pg, SHMAP_MODE_LAZY, 0, NULL);
		m = map_at(fd, 0, n);
		model_init(&b, fd, n);
		view_init(&v, m, 0, n);
		/* A lone touch: one page, whatever the window... */
		TOUCH_EXPECT(&b, &v, W, T_KEEP);
		CHECK_EQ(resident(fd), 1);
		/* ...the next page after it: the rest of that window. */
		TOUCH_EXPECT(&b, &v, W + 1, T_KEEP);
		CHECK_EQ(resident(fd), W > 1 ? W : 2);
		free(b.exists);
		free(v.want);
		munmap(m, n * pg);
		close(fd);
	}
	/* An existing mapping follows the parameter at its next fault. */
	n = 2 * WINDOW_MAX;
	fd = T_CREATE(dev, n * pg, SHMAP_MODE_LAZY, 0, NULL);
	m = map_at(fd, 0, n);
	model_init(&b, fd, n);
	view_init(&v, m, 0, n);
	set_window(4);
	TOUCH_EXPECT(&b, &v, 0, T_KEEP);
	TOUCH_EXPECT(&b, &v, 1, T_KEEP);
	set_window(64);
	TOUCH_EXPECT(&b, &v, WINDOW_MAX, T_KEEP);
	TOUCH_EXPECT(&b, &v, WINDOW_MAX + 1, T_KEEP);
	CHECK_EQ(resident(fd), 4 + 64);
	free(b.exists);
	free(v.want);
	munmap(m, n * pg);
	close(fd);
	close(dev);
}

/* Windows written at run time apply to the next fault; restored after. */
static void window_runtime(void)
{
	char old[32];

	setup();
	snprintf(old, sizeof(old), "%zu", W);
	CHECK_EXIT0(tap_run_child(runtime_child, NULL));
	CHECK_RET(tap_write_str(WINDOW_PARAM, old), 0);
	CHECK_EQ(T_PARAM("fault_window"), W);
}

/* ---- 1. a lone touch takes one page, the next one the window ---- */

static void first_touch_mode(enum touch_how how)
{
	size_t n = 4 * W, p = 2 * W, i;
	int dev = t_dev(), fd = T_CREATE(dev, n * pg, SHMAP_MODE_LAZY, 0, NULL);
	char *m = map_at(fd, 0, n), *q;
	uint64_t f0;
	struct model b;
	struct view v;

	model_init(&b, fd, n);
	view_init(&v, m, 0, n);
	/* Another page of p's window exists (not p - 1, W >= 4). */
	if (W >= 4)
		alloc_alone(&b, 3 * W - 1);
	f0 = T_STAT("faults");
	/* Page p - 1 does not exist: p alone, and the window's existing pages mapped. */
	TOUCH_EXPECT(&b, &v, p, how);
	CHECK_EQ(resident(fd), W >= 4 ? 2 : 1);
	/* Right after p: the whole window. */
	TOUCH_EXPECT(&b, &v, p + 1, how);
	CHECK_EQ(resident(fd), W > 1 ? W : 2);
	CHECK_EQ(T_STAT("faults"), f0 + 2);
	/* The rest of the window is there: no more faults, no more pages. */
	for (i = 2 * W; i < 3 * W; i++)
		m[i * pg + 1] = (char)(i + 1);
	CHECK_EQ(T_STAT("faults"), f0 + 2);
	CHECK_EQ(resident(fd), W > 1 ? W : 2);
	q = map_at(fd, 0, n);
	for (i = 2 * W; i < 3 * W; i++)
		CHECK_EQ(q[i * pg + 1], (char)(i + 1));
	CHECK_EQ(q[p * pg + 7], how == T_READ ? 0 : 0x3c);
	munmap(q, n * pg);
	munmap(m, n * pg);
	free(b.exists);
	free(v.want);
	close(fd);
	close(dev);
}

static void first_touch_write(void)
{
	setup();
	catch_sigbus();
	first_touch_mode(T_WRITE);
}

static void first_touch_read(void)
{
	setup();
	catch_sigbus();
	first_touch_mode(T_READ);
}

/* ---- 2. sparse and backward touches: one page each ---- */

static void sparse_touch(void)
{
	size_t n, p;
	int dev, fd;
	char *m, *want;
	uint64_t f0;

	setup();
	catch_sigbus();
	dev = t_dev();
	n = 4 * max_sz(W, 16);
	/* Every other page: no touch comes right after a page that exists. */
	fd = T_CREATE(dev, n * pg, SHMAP_MODE_LAZY, 0, NULL);
	m = map_at(fd, 0, n);
	want = want_new(n);
	f0 = T_STAT("faults");
	for (p = 0; p < n; p += 2) {
		m[p * pg] = (char)(p + 1);
		want[p] = 1;
	}
	CHECK_EQ(T_STAT("faults"), f0 + n / 2);
	CHECK_EQ(resident(fd), n / 2);
	CHECK_MAPPED(m, n, want);
	for (p = 0; p < n; p += 2)
		CHECK_EQ(m[p * pg], (char)(p + 1));
	munmap(m, n * pg);
	close(fd);

	/* Every page, last first: page p - 1 never exists yet. Reads allocate too. */
	fd = T_CREATE(dev, n * pg, SHMAP_MODE_LAZY, 0, NULL);
	m = map_at(fd, 0, n);
	f0 = T_STAT("faults");
	for (p = n; p-- > 0;)
		CHECK_EQ(m[p * pg + 3], 0);
	CHECK_EQ(T_STAT("faults"), f0 + n);
	CHECK_EQ(resident(fd), n);
	CHECK_EQ(count_mapped(m, n), n);
	munmap(m, n * pg);
	free(want);
	close(fd);
	close(dev);
}

/* ---- 3. a sequential toucher gets whole windows ---- */

static void sequential_writer(void)
{
	size_t N, n, up, i;
	uint64_t calls, f0;
	int dev, fd;
	char *m, *q, *want;

	setup();
	catch_sigbus();
	dev = t_dev();
	/* Not a multiple of the window; room for one more window after it. */
	N = W > 1 ? 3 * W + W / 2 : 5;
	n = N + 2 * W + 1;
	up = (N + W - 1) / W * W;
	calls = W > 1 ? 1 + (N + W - 1) / W : N;
	want = want_new(n);
	want_set(want, n, 0, up);
	tap_diag("pages 0..%zu in order, W=%zu: %zu pages, %llu calls of ->fault expected",
		 N - 1, W, up, (unsigned long long)calls);

	/*
	 * ->fault: page 0 alone, page 1 the rest of window 0, then the first
	 * page of every later window the whole window.
	 */
	fd = T_CREATE(dev, n * pg, SHMAP_MODE_LAZY, 0, NULL);
	m = map_at(fd, 0, n);
	f0 = T_STAT("faults");
	for (i = 0; i < N; i++)
		m[i * pg + i % 64] = (char)(i + 1);
	CHECK_EQ(T_STAT("faults"), f0 + calls);
	CHECK_EQ(resident(fd), up);
	CHECK_MAPPED(m, n, want);
	q = map_at(fd, 0, n);
	for (i = 0; i < N; i++)
		CHECK_EQ(q[i * pg + i % 64], (char)(i + 1));
	munmap(q, n * pg);
	munmap(m, n * pg);
	close(fd);

	/* A sequential reader: the same. */
	fd = T_CREATE(dev, n * pg, SHMAP_MODE_LAZY, 0, NULL);
	m = map_at(fd, 0, n);
	f0 = T_STAT("faults");
	for (i = 0; i < N; i++)
		CHECK_EQ(m[i * pg + i % 64], 0);
	CHECK_EQ(T_STAT("faults"), f0 + calls);
	CHECK_EQ(resident(fd), up);
	CHECK_MAPPED(m, n, want);
	munmap(m, n * pg);
	free(want);
	close(fd);
	close(dev);
}

/* ---- 4. the first and the last page of a buffer ---- */

static void buffer_edges(void)
{
	size_t sizes[4], ns = 0, i;
	int dev;

	setup();
	catch_sigbus();
	dev = t_dev();
	/* Smaller than a window, and not a multiple of W (for W > 1). */
	sizes[ns++] = 1;
	if (W >= 4)
		sizes[ns++] = W / 2 + 1;
	sizes[ns++] = 2 * W + 1;
	if (W >= 2)
		sizes[ns++] = 3 * W - 1;
	for (i = 0; i < ns; i++) {
		size_t n = sizes[i];
		int fd = T_CREATE(dev, n * pg, SHMAP_MODE_LAZY, 0, NULL);
		char *m = map_at(fd, 0, n), *q;
		struct model b;
		struct view v;

		tap_diag("buffer of %zu pages", n);
		model_init(&b, fd, n);
		view_init(&v, m, 0, n);
		/* Page 0 is no special case: one page. */
		TOUCH_EXPECT(&b, &v, 0, T_KEEP);
		CHECK_EQ(resident(fd), 1);
		if (n > 1) {
			TOUCH_EXPECT(&b, &v, 1, T_KEEP);
			CHECK_EQ(resident(fd), W > 1 ? min_sz(W, n) : 2);
		}
		/* The last window: alone, then sequential, cut to the buffer. */
		if (n > 3)
			TOUCH_EXPECT(&b, &v, n - 2, T_KEEP);
		TOUCH_EXPECT(&b, &v, n - 1, T_KEEP);
		m[(n - 1) * pg + pg - 1] = 0x61;
		q = map_at(fd, 0, n);
		CHECK_EQ(q[(n - 1) * pg + pg - 1], 0x61);
		CHECK_EQ(q[0], 0);
		CHECK_EQ(resident(fd), count_bits(b.exists, n));
		munmap(q, n * pg);
		munmap(m, n * pg);
		free(b.exists);
		free(v.want);
		close(fd);
	}
	close(dev);
}

/* ---- 5. windows cut to the vma ---- */

static void vma_clamp(void)
{
	size_t n, o, len, s = 0;
	int dev, fd;
	char *m1, *m2 = NULL, *mf;
	struct model b;
	struct view v1, v2, vf;

	memset(&v2, 0, sizeof(v2));
	setup();
	catch_sigbus();
	dev = t_dev();
	n = 6 * W;
	fd = T_CREATE(dev, n * pg, SHMAP_MODE_LAZY, 0, NULL);
	model_init(&b, fd, n);
	/* m1: 2W pages from buffer page W + 1, off the window grid. */
	o = W + 1;
	len = 2 * W;
	m1 = map_at(fd, o, len);
	view_init(&v1, m1, o, len);
	/* Alone, then the window cut at the vma's start (page W stays out)... */
	TOUCH_EXPECT(&b, &v1, o, T_KEEP);
	TOUCH_EXPECT(&b, &v1, o + 1, T_KEEP);
	CHECK(!b.exists[W]);
	/* ...a whole window, then one cut at the vma's end. */
	TOUCH_EXPECT(&b, &v1, 2 * W, T_KEEP);
	TOUCH_EXPECT(&b, &v1, 3 * W, T_KEEP);

	/* m2: shorter than a window, starting off the grid, cut at both ends. */
	if (W >= 2) {
		s = W / 2;
		m2 = map_at(fd, 4 * W + W / 4, s);
		view_init(&v2, m2, 4 * W + W / 4, s);
		TOUCH_EXPECT(&b, &v2, v2.lo, T_KEEP);
		if (s > 1)
			TOUCH_EXPECT(&b, &v2, v2.lo + 1, T_KEEP);
		CHECK_EQ(count_mapped(m2, s), s);
	} else {
		tap_diag("W=1: no mapping is shorter than the window");
	}

	/* mf: the whole buffer, fresh: the faults above mapped nothing here. */
	mf = map_at(fd, 0, n);
	view_init(&vf, mf, 0, n);
	CHECK_MAPPED(mf, n, vf.want);
	TOUCH_EXPECT(&b, &vf, 5 * W - 1, T_KEEP);
	/* Right after what m2 allocated: mf completes the window m2 started. */
	TOUCH_EXPECT(&b, &vf, 4 * W + W / 4 + s, T_KEEP);
	CHECK_EQ(count_mapped(mf + 4 * W * pg, W), W);
	/* The other mappings did not change. */
	if (m2)
		CHECK_MAPPED(m2, s, v2.want);
	CHECK_MAPPED(m1, len, v1.want);

	munmap(mf, n * pg);
	if (m2) {
		munmap(m2, s * pg);
		free(v2.want);
	}
	munmap(m1, len * pg);
	free(v1.want);
	free(vf.want);
	free(b.exists);
	close(fd);
	close(dev);
}

/* ---- 6. a mapping longer than the buffer ---- */

static void past_end(void)
{
	size_t n, len, lo, hi, i;
	int dev, fd;
	char *m, *m2, *want2;
	uint64_t res, f0;
	struct model b;
	struct view v;

	setup();
	catch_sigbus();
	dev = t_dev();
	n = W + (W >= 2 ? W / 2 : 1);
	len = n + 2 * W + 1;
	fd = T_CREATE(dev, n * pg, SHMAP_MODE_LAZY, 0, NULL);
	m = map_at(fd, 0, len);
	model_init(&b, fd, n);
	view_init(&v, m, 0, len);

	/* The last window, alone then sequential: cut to the buffer. */
	TOUCH_EXPECT(&b, &v, n - 2, T_KEEP);
	TOUCH_EXPECT(&b, &v, n - 1, T_KEEP);
	window_of(n - 1, 0, len, n, &lo, &hi);
	CHECK_EQ(resident(fd), W >= 4 ? hi - lo : 2);

	res = resident(fd);
	for (i = 0; i < 3; i++) {
		char *e = m + (i == 0 ? n : i == 1 ? n + W : len - 1) * pg;

		CHECK_DIES(SIGBUS, t_write_byte, e);
		CHECK_DIES(SIGBUS, t_read_byte, e + pg - 1);
	}
	CHECK_EQ(touch(m + (len - 1) * pg, T_READ, 0), SIGBUS);
	CHECK_EQ(touch(m + n * pg, T_WRITE, 1), SIGBUS);
	CHECK_EQ(resident(fd), res);
	CHECK_MAPPED(m, len, v.want);

	/*
	 * Reads near the end in a fresh mapping on a page-table boundary (no
	 * window straddles one there): the kernel's fault-around range reaches
	 * past the buffer; nothing there may be mapped or allocated.
	 */
	m2 = map_fixed(reserve_tables(len * pg), fd, 0, len);
	want2 = want_new(len);
	/* No page table yet: ->fault maps the window. */
	f0 = T_STAT("faults");
	CHECK_EQ(m2[(n - 1) * pg], 0);
	CHECK_EQ(T_STAT("faults"), f0 + 1);
	want_set(want2, len, lo, hi);
	CHECK_MAPPED(m2, len, want2);
	CHECK_EQ(touch(m2 + n * pg, T_READ, 0), SIGBUS);
	if (hi - lo >= 2) {
		/* The table stays (page lo keeps it): ->map_pages maps the window. */
		dontneed_range(m2, lo + 1, n);
		f0 = T_STAT("faults");
		CHECK_EQ(m2[(n - 1) * pg], 0);
		CHECK_EQ(T_STAT("faults"), f0);
		CHECK_MAPPED(m2, len, want2);
	}
	CHECK_EQ(touch(m2 + (len - 1) * pg, T_READ, 0), SIGBUS);
	CHECK_EQ(resident(fd), res);
	CHECK_EQ(count_mapped(m2 + n * pg, len - n), 0);
	munmap(m2, len * pg);
	munmap(m, len * pg);
	free(want2);
	free(v.want);
	free(b.exists);
	close(fd);
	close(dev);
}

/* ---- 7. eager buffer, MADV_DONTNEED inside a window ---- */

static void eager_dontneed(void)
{
	size_t n, i;
	int dev, fd;
	char *m, *q, *want;
	uint64_t f0;

	setup();
	catch_sigbus();
	dev = t_dev();
	n = 4 * W;
	fd = T_CREATE(dev, n * pg, SHMAP_MODE_EAGER, 0, NULL);
	m = map_at(fd, 0, n);
	want = want_new(n);
	t_fill(m, n * pg, 5);

	/* The window and one page either side go; a fault brings the window. */
	dontneed_range(m, W - 1, 2 * W + 1);
	want_set(want, n, 0, W - 1);
	want_set(want, n, 2 * W + 1, n);
	CHECK_MAPPED(m, n, want);
	f0 = T_STAT("faults");
	TOUCH_OK(m + (W + W / 2) * pg + 3, T_KEEP, 0);
	CHECK_EQ(T_STAT("faults"), f0 + 1);
	want_set(want, n, W, 2 * W);
	CHECK_MAPPED(m, n, want);

	/* Holes at both ends of the window, its middle still mapped. */
	dontneed_range(m, W, W + W / 4);
	dontneed_range(m, W + W / 2, 2 * W);
	memset(want, 0, n);
	want_set(want, n, 0, W - 1);
	want_set(want, n, W + W / 4, W + W / 2);
	want_set(want, n, 2 * W + 1, n);
	CHECK_MAPPED(m, n, want);
	f0 = T_STAT("faults");
	TOUCH_OK(m + W * pg, T_KEEP, 0);
	CHECK_EQ(T_STAT("faults"), f0 + 1);
	want_set(want, n, W, 2 * W);
	CHECK_MAPPED(m, n, want);

	/* The neighbours' windows. */
	TOUCH_OK(m + (W - 1) * pg, T_KEEP, 0);
	TOUCH_OK(m + 2 * W * pg + pg - 1, T_KEEP, 0);
	want_set(want, n, 0, n);
	CHECK_MAPPED(m, n, want);
	CHECK_EQ(T_STAT("faults"), f0 + 3);

	/* Same data everywhere, still only the buffer's own pages. */
	CHECK_PATTERN(m, n * pg, 5);
	CHECK_EQ(resident(fd), n);
	q = map_at(fd, 0, n);
	CHECK_PATTERN(q, n * pg, 5);
	for (i = 0; i < n; i += W)
		m[i * pg] ^= 0x5a;
	for (i = 0; i < n; i += W)
		CHECK_EQ(q[i * pg], (char)(t_pat(i * pg, 5) ^ 0x5a));
	munmap(q, n * pg);
	munmap(m, n * pg);
	free(want);
	close(fd);
	close(dev);
}

/* ---- 8. concurrent touches of one window ---- */

#define NTHREADS	8
#define NPROCS		4

/* Page touched by toucher i of k, in the window [W, 2W). */
static size_t toucher_page(unsigned int i, unsigned int k)
{
	return W + (W >= k ? i * (W / k) : i % W);
}

/* The page thread i writes second: right after page W, the one all wrote first. */
static size_t seq_page(unsigned int i)
{
	return W == 1 ? 2 : W + 1 + i * (W - 1) / NTHREADS;
}

/* Each round the threads and the main thread meet at each barrier. */
struct threads {
	pthread_barrier_t start, lone, seq, done, end;
	char *volatile m;
	volatile int stop;
	int sigbus[NTHREADS];
	int wrong[NTHREADS];
};

struct thread_arg {
	struct threads *t;
	unsigned int i;
};

static void *window_thread(void *arg)
{
	struct thread_arg *a = arg;
	struct threads *t = a->t;
	unsigned int i = a->i, j;

	for (;;) {
		pthread_barrier_wait(&t->start);
		if (t->stop)
			break;
		/* All at page W, page W - 1 missing: lone touches. */
		if (touch(t->m + W * pg + 64 * i, T_WRITE, (char)(i + 1)))
			t->sigbus[i]++;
		pthread_barrier_wait(&t->lone);
		pthread_barrier_wait(&t->seq);
		/* Now after page W: sequential, each at a page of its own. */
		if (touch(t->m + seq_page(i) * pg + 64 * i + 1, T_WRITE, (char)(i + 1)))
			t->sigbus[i]++;
		pthread_barrier_wait(&t->done);
		for (j = 0; j < NTHREADS; j++)
			if (t->m[W * pg + 64 * j] != (char)(j + 1) ||
			    t->m[seq_page(j) * pg + 64 * j + 1] != (char)(j + 1))
				t->wrong[i]++;
		pthread_barrier_wait(&t->end);
	}
	return NULL;
}

static void concurrent_threads(void)
{
	struct thread_arg args[NTHREADS];
	pthread_t th[NTHREADS];
	struct threads t;
	unsigned int i, round, rounds = 0, bad_lone = 0, bad_seq = 0;
	size_t n, seq_res;
	int dev;
	double t0;

	setup();
	catch_sigbus();
	dev = t_dev();
	n = 3 * W;
	seq_res = W > 1 ? W : 2;
	memset(&t, 0, sizeof(t));
	pthread_barrier_init(&t.start, NULL, NTHREADS + 1);
	pthread_barrier_init(&t.lone, NULL, NTHREADS + 1);
	pthread_barrier_init(&t.seq, NULL, NTHREADS + 1);
	pthread_barrier_init(&t.done, NULL, NTHREADS + 1);
	pthread_barrier_init(&t.end, NULL, NTHREADS + 1);
	for (i = 0; i < NTHREADS; i++) {
		args[i].t = &t;
		args[i].i = i;
		REQUIRE_EQ(pthread_create(&th[i], NULL, window_thread, &args[i]), 0);
	}
	t0 = t_now();
	for (round = 0; round < 100 && t_now() - t0 < 5; round++) {
		int fd = T_CREATE(dev, n * pg, SHMAP_MODE_LAZY, 0, NULL);
		uint64_t res;
		size_t all, win;

		t.m = map_at(fd, 0, n);
		pthread_barrier_wait(&t.start);
		pthread_barrier_wait(&t.lone);
		/* One page, mapped once for all. */
		res = resident(fd);
		all = count_mapped(t.m, n);
		if ((res != 1 || all != 1) && !bad_lone++)
			TAP_FAIL("round %u, lone touches: resident %llu, %zu pages mapped, "
				 "expected 1 and 1", round, (unsigned long long)res, all);
		pthread_barrier_wait(&t.seq);
		pthread_barrier_wait(&t.done);
		pthread_barrier_wait(&t.end);
		/* The whole window, whoever won each page; all of it mapped. */
		res = resident(fd);
		all = count_mapped(t.m, n);
		win = count_mapped(t.m + W * pg, W);
		if ((res != seq_res || all != seq_res || win != W) && !bad_seq++)
			TAP_FAIL("round %u, sequential touches: resident %llu, %zu pages mapped "
				 "(%zu of the window), expected %zu (%zu)", round,
				 (unsigned long long)res, all, win, seq_res, W);
		munmap(t.m, n * pg);
		close(fd);
		rounds++;
	}
	t.stop = 1;
	pthread_barrier_wait(&t.start);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	tap_diag("%u rounds of %d threads", rounds, NTHREADS);
	for (i = 0; i < NTHREADS; i++) {
		CHECK_EQ(t.sigbus[i], 0);
		CHECK_EQ(t.wrong[i], 0);
	}
	CHECK_EQ(bad_lone, 0);
	CHECK_EQ(bad_seq, 0);
	close(dev);
}

struct procs_sync {
	volatile int ready, done;
};

static int window_proc(char *m, struct procs_sync *s, unsigned int i)
{
	size_t p = toucher_page(i, NPROCS);
	unsigned int j;

	__atomic_fetch_add(&s->ready, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&s->ready, __ATOMIC_SEQ_CST) < NPROCS)
		sched_yield();
	if (touch(m + p * pg + 64 * i, T_WRITE, (char)(i + 1)))
		return 3;
	/*
	 * Process 0 touched page W, right after page W - 1: its own fault
	 * allocated and mapped the whole window here. The others' touches may
	 * have come first, alone: their own page at least.
	 */
	if (i == 0 && count_mapped(m + W * pg, W) != W)
		return 5;
	if (count_mapped(m + p * pg, 1) != 1)
		return 5;
	__atomic_fetch_add(&s->done, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&s->done, __ATOMIC_SEQ_CST) < NPROCS)
		sched_yield();
	for (j = 0; j < NPROCS; j++)
		if (m[toucher_page(j, NPROCS) * pg + 64 * j] != (char)(j + 1))
			return 4;
	return 0;
}

static void concurrent_procs(void)
{
	struct procs_sync *s;
	unsigned int i, round;
	size_t n;
	int dev;

	setup();
	catch_sigbus();
	dev = t_dev();
	n = 3 * W;
	s = REQUIRE_MAP(mmap(NULL, pg, PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	for (round = 0; round < 10; round++) {
		int fd = T_CREATE(dev, n * pg, SHMAP_MODE_LAZY, 0, NULL);
		char *m = map_at(fd, 0, n), *want = want_new(n);
		pid_t pid[NPROCS];

		/* Page W - 1 alone: the touches of window [W, 2W) follow it. */
		TOUCH_OK(m + (W - 1) * pg, T_KEEP, 0);
		want[W - 1] = 1;
		CHECK_EQ(resident(fd), 1);
		s->ready = 0;
		s->done = 0;
		for (i = 0; i < NPROCS; i++) {
			pid[i] = tap_fork();
			if (pid[i] == 0)
				_exit(window_proc(m, s, i));
		}
		for (i = 0; i < NPROCS; i++) {
			int st = tap_wait(pid[i]);

			if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0))
				TAP_FAIL("round %u, process %u: %s (3: SIGBUS, 4: wrong data, "
					 "5: window not mapped)", round, i, tap_status_str(st));
		}
		/* Page W - 1 and the window, each page once. */
		CHECK_EQ(resident(fd), W + 1);
		/* The children's faults mapped nothing in the parent. */
		CHECK_MAPPED(m, n, want);
		for (i = 0; i < NPROCS; i++)
			CHECK_EQ(m[toucher_page(i, NPROCS) * pg + 64 * i], (char)(i + 1));
		munmap(m, n * pg);
		free(want);
		close(fd);
		if (tap_failed)
			break;
	}
	close(dev);
}

/* ---- 9. fork inside a window ---- */

struct fork_arg {
	int fd;
	char *m;
};

static void fork_child(void *arg)
{
	struct fork_arg *a = arg;
	int fd = a->fd;
	size_t n = 4 * W;
	char *m = a->m;

	tap_diag("child: %zu of the %zu pages of window 1 mapped after fork",
		 count_mapped(m + W * pg, W), W);
	/* A write fault in the part the parent had dropped: the window. */
	TOUCH_OK(m + (W + W - 1) * pg, T_KEEP, 0);
	CHECK_EQ(count_mapped(m + W * pg, W), W);
	CHECK_PATTERN(m + W * pg, W * pg, 7);
	/* Window 2, written in order right after window 1: allocated whole. */
	t_fill(m + 2 * W * pg, W * pg, 8);
	CHECK_EQ(resident(fd), 2 * W);
	CHECK_EQ(count_mapped(m + 2 * W * pg, W), W);
	/* Dropping the child's PTEs frees nothing. */
	dontneed_range(m, 0, n);
	CHECK_EQ(count_mapped(m, n), 0);
	CHECK_EQ(resident(fd), 2 * W);
	CHECK_PATTERN(m + W * pg, W * pg, 7);
	CHECK_PATTERN(m + 2 * W * pg, W * pg, 8);
}

static void fork_window(void)
{
	struct fork_arg arg;
	size_t n;
	int dev, fd;
	char *m, *want;

	setup();
	catch_sigbus();
	dev = t_dev();
	n = 4 * W;
	fd = T_CREATE(dev, n * pg, SHMAP_MODE_LAZY, 0, NULL);
	m = map_at(fd, 0, n);
	want = want_new(n);
	/* Written in order: page W alone, page W + 1 the rest of the window. */
	t_fill(m + W * pg, W * pg, 7);
	CHECK_EQ(resident(fd), W);
	/* Fork with the window half mapped (all of it for W = 1: gone). */
	dontneed_range(m, W + W / 2, 2 * W);
	want_set(want, n, W, W + W / 2);
	CHECK_MAPPED(m, n, want);

	arg.fd = fd;
	arg.m = m;
	CHECK_EXIT0(tap_run_child(fork_child, &arg));

	/* The parent's PTEs did not change; the data did arrive. */
	CHECK_MAPPED(m, n, want);
	CHECK_EQ(resident(fd), 2 * W);
	CHECK_PATTERN(m + W * pg, W * pg, 7);
	CHECK_PATTERN(m + 2 * W * pg, W * pg, 8);
	munmap(m, n * pg);
	free(want);
	close(fd);
	close(dev);
}

/* ---- 10. NORESERVE near max_total_mb ---- */

#define MAX_FILLERS 64

struct fill {
	int fd[MAX_FILLERS];
	int n;
	uint64_t total;		/* max_total_mb, pages */
};

/* Reserve all of max_total_mb but left pages, with reserved lazy buffers. */
static void fill_reservation(int dev, uint64_t left, struct fill *f)
{
	uint64_t maxbuf = T_PARAM("max_buffer_mb") * T_MIB / pg;
	uint64_t used = T_STAT("pages_reserved"), todo;

	f->total = T_PARAM("max_total_mb") * T_MIB / pg;
	f->n = 0;
	REQUIRE(used + left <= f->total);
	for (todo = f->total - used - left; todo; ) {
		uint64_t chunk = todo < maxbuf ? todo : maxbuf;

		REQUIRE(f->n < MAX_FILLERS);
		f->fd[f->n++] = T_CREATE(dev, chunk * pg, SHMAP_MODE_LAZY, 0, "filler");
		todo -= chunk;
	}
	REQUIRE_EQ(T_STAT("pages_reserved"), f->total - left);
}

static void unfill(struct fill *f)
{
	while (f->n)
		close(f->fd[--f->n]);
}

static void noreserve_near_limit(void)
{
	size_t n, r, q, lo, i, miss = (size_t)-1;
	uint64_t r0;
	struct fill f;
	int dev, fd, spare;
	char *m, *had;

	setup();
	catch_sigbus();
	dev = t_dev();
	r0 = T_STAT("pages_reserved");
	/*
	 * Room for one page, then r: fewer than the W pages of the next
	 * window (one, for W = 1).
	 */
	r = W > 1 ? W - 1 : 1;
	fill_reservation(dev, r + 2, &f);
	spare = T_CREATE(dev, pg, SHMAP_MODE_LAZY, 0, "spare");
	n = 4 * W;
	lo = 2 * W;
	fd = T_CREATE(dev, n * pg, SHMAP_MODE_LAZY, SHMAP_CREATE_NORESERVE, NULL);
	m = map_at(fd, 0, n);

	/* A lone touch takes one page. */
	CHECK_EQ(touch(m + (lo - 1) * pg, T_WRITE, 0x66), 0);
	CHECK_EQ(resident(fd), 1);
	/* The sequential touch works; its window got what could be reserved. */
	CHECK_EQ(touch(m + lo * pg + 5, T_WRITE, 0x77), 0);
	CHECK_EQ(resident(fd), 1 + r);
	CHECK_EQ(reserved(fd), 1 + r);
	CHECK_EQ(T_STAT("pages_reserved"), f.total);
	CHECK_EQ(count_mapped(m + lo * pg, W), r);
	CHECK_EQ(count_mapped(m, n), 1 + r);
	CHECK_EQ(count_mapped(m + lo * pg, 1), 1);
	CHECK_EQ(m[lo * pg + 5], 0x77);

	/* Nothing left: a new page is a SIGBUS... */
	q = 3 * W + W / 2;
	CHECK_EQ(touch(m + q * pg, T_WRITE, 1), SIGBUS);
	/*
	 * ...a page that exists is not, even through ->fault, where it tries
	 * the window's missing page again.
	 */
	had = want_new(W);
	REQUIRE_RET(mapped_bits(m + lo * pg, W, had), 0);
	dontneed_range(m, lo - 1, lo + W);
	CHECK_EQ(count_mapped(m, n), 0);
	for (i = 0; i < W; i++) {
		if (had[i])
			CHECK_EQ(touch(m + (lo + i) * pg, T_KEEP, 0), 0);
		else if (miss == (size_t)-1)
			miss = lo + i;
	}
	CHECK_MAPPED(m + lo * pg, W, had);
	if (miss != (size_t)-1)
		CHECK_EQ(touch(m + miss * pg, T_READ, 0), SIGBUS);
	else
		miss = q;
	CHECK_EQ(resident(fd), 1 + r);

	/* One page given back: exactly one more. */
	close(spare);
	CHECK_EQ(touch(m + miss * pg, T_WRITE, 3), 0);
	CHECK_EQ(resident(fd), 2 + r);
	CHECK_EQ(T_STAT("pages_reserved"), f.total);
	CHECK_EQ(m[miss * pg], 3);
	CHECK_EQ(m[lo * pg + 5], 0x77);
	CHECK_EQ(m[(lo - 1) * pg], 0x66);

	munmap(m, n * pg);
	free(had);
	close(fd);
	unfill(&f);
	CHECK_EQ(T_STAT("pages_reserved"), r0);
	close(dev);
}

struct race {
	pthread_barrier_t start, mid, end;
	char *volatile m;
	size_t page;
	volatile int stop;
	int sigbus[2], wrong[2];
	int first_bad_round;
};

struct race_arg {
	struct race *r;
	int i;
	volatile int *round;
};

static void *race_thread(void *arg)
{
	struct race_arg *a = arg;
	struct race *r = a->r;

	for (;;) {
		pthread_barrier_wait(&r->start);
		if (r->stop)
			break;
		if (touch(r->m + r->page * pg + 64 * a->i, T_WRITE, (char)(a->i + 1))) {
			if (!r->sigbus[0] && !r->sigbus[1])
				r->first_bad_round = *a->round;
			r->sigbus[a->i]++;
		}
		pthread_barrier_wait(&r->mid);
		if (r->m[r->page * pg + 64 * (1 - a->i)] != (char)(2 - a->i) &&
		    !r->sigbus[1 - a->i])
			r->wrong[a->i]++;
		pthread_barrier_wait(&r->end);
	}
	return NULL;
}

/* Two threads touch the same new page with one page of reservation left. */
static void noreserve_race(void)
{
	struct race_arg args[2];
	pthread_t th[2];
	struct race r;
	struct fill f;
	volatile int round = 0;
	int dev, i, bad_res = 0;
	uint64_t r0;
	size_t n;
	double t0;

	setup();
	catch_sigbus();
	dev = t_dev();
	r0 = T_STAT("pages_reserved");
	fill_reservation(dev, 1, &f);
	n = max_sz(W, 2);
	memset(&r, 0, sizeof(r));
	r.page = W / 2;
	r.first_bad_round = -1;
	pthread_barrier_init(&r.start, NULL, 3);
	pthread_barrier_init(&r.mid, NULL, 2);
	pthread_barrier_init(&r.end, NULL, 3);
	for (i = 0; i < 2; i++) {
		args[i].r = &r;
		args[i].i = i;
		args[i].round = &round;
		REQUIRE_EQ(pthread_create(&th[i], NULL, race_thread, &args[i]), 0);
	}
	t0 = t_now();
	for (round = 0; round < 3000 && t_now() - t0 < 5; round++) {
		int fd = T_CREATE(dev, n * pg, SHMAP_MODE_LAZY, SHMAP_CREATE_NORESERVE, NULL);
		uint64_t res;

		r.m = map_at(fd, 0, n);
		pthread_barrier_wait(&r.start);
		pthread_barrier_wait(&r.end);
		res = resident(fd);
		if (res != 1 && !bad_res++)
			TAP_FAIL("round %d: resident %llu, expected 1", round,
				 (unsigned long long)res);
		munmap(r.m, n * pg);
		close(fd);
	}
	r.stop = 1;
	pthread_barrier_wait(&r.start);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	tap_diag("%d rounds in %.1f s; SIGBUS %d + %d (first in round %d)", round,
		 t_now() - t0, r.sigbus[0], r.sigbus[1], r.first_bad_round);
	CHECK_EQ(r.sigbus[0] + r.sigbus[1], 0);
	CHECK_EQ(r.wrong[0] + r.wrong[1], 0);
	CHECK_EQ(bad_res, 0);
	CHECK_GE(round, 100);
	CHECK_EQ(T_STAT("pages_reserved"), f.total - 1);
	unfill(&f);
	CHECK_EQ(T_STAT("pages_reserved"), r0);
	close(dev);
}

/* ---- 11. memory cgroup limit ---- */

/* Below MEMCG_CHARGE_BATCH (64 pages): no per-CPU stock, exact charges. */
#define CG_MAX_PAGES	60
#define CG_SPANS	3
#define CG_MAX_SITES	512

struct cg_sync {
	volatile int ready, go;
	volatile uint64_t touched;
};

/* Most chunks of shmap's page index a layout's buffer can span. */
#define CG_MAX_CHUNKS	8

struct cg_layout {
	size_t vma_pages;		/* per span: one anonymous page, then this */
	size_t nsites;
	size_t site[CG_MAX_SITES];	/* buffer pages touched, in order */
	size_t npre;
	size_t pre[CG_MAX_CHUNKS];	/* buffer pages touched before */
};

/*
 * Span s of PT_SPAN bytes: an anonymous page (it makes the page table
 * before the task enters the cgroup), then a vma of the buffer pages
 * [s * vma_pages, (s + 1) * vma_pages). Sites: one touch per window, or
 * per 8 pages for small windows, in order.
 */
static void cg_layout(struct cg_layout *l)
{
	size_t stride = max_sz(W, 8), s, o;

	l->vma_pages = PT_SPAN / pg - 1;
	l->nsites = 0;
	for (s = 0; s < CG_SPANS; s++) {
		size_t vlo = s * l->vma_pages, vhi = vlo + l->vma_pages;

		for (o = vlo; o < vhi && l->nsites < CG_MAX_SITES; o++)
			if (o == vlo || !(o % stride))
				l->site[l->nsites++] = o;
	}
	/*
	 * The page index is charged to the toucher's cgroup too: a chunk (a
	 * page of page pointers, pg / sizeof(void *) pages each) where a page
	 * of its range is first allocated, and the xarray's nodes. So that
	 * only pages use the room, the toucher makes the index before it
	 * enters the cgroup, touching the last page of each chunk.
	 */
	l->npre = 0;
	for (o = 0; o < CG_SPANS * l->vma_pages; o += pg / sizeof(void *)) {
		REQUIRE(l->npre < CG_MAX_CHUNKS);
		l->pre[l->npre++] = min_sz(o + pg / sizeof(void *), CG_SPANS * l->vma_pages) - 1;
	}
}

/*
 * The touches that go in with room for room pages, by the rule: a site
 * allocated ahead by an earlier touch costs nothing; else the touch needs
 * a page of room (SIGBUS without one), and after a page that exists it
 * takes the missing pages of its window too, while room lasts.
 */
static uint64_t cg_expect(const struct cg_layout *l, uint64_t room)
{
	size_t npages = CG_SPANS * l->vma_pages, i, j, lo, hi;
	char *exists = want_new(npages);
	uint64_t touched = 0;

	for (i = 0; i < l->npre; i++)
		exists[l->pre[i]] = 1;
	for (i = 0; i < l->nsites; i++) {
		size_t o = l->site[i], vlo = o / l->vma_pages * l->vma_pages;

		if (!exists[o]) {
			int ahead = o && exists[o - 1];

			if (!room)
				break;
			exists[o] = 1;
			room--;
			window_of(o, vlo, vlo + l->vma_pages, npages, &lo, &hi);
			for (j = lo; ahead && j < hi && room; j++) {
				if (!exists[j]) {
					exists[j] = 1;
					room--;
				}
			}
		}
		touched++;
	}
	free(exists);
	return touched;
}

static struct t_cg cg;

struct cg_toucher {
	int fd;
	struct cg_sync *sync;
	const struct cg_layout *l;
};

/* Touch the stack deep enough for everything the toucher does later. */
static void __attribute__((noinline)) cg_prefault_stack(void)
{
	volatile char deep[128 * 1024];
	size_t i;

	for (i = 0; i < sizeof(deep); i += 512)
		deep[i] = 1;
}

/*
 * The toucher's SIGBUS: exit at once. Death by the signal would dump core
 * first, and the core dump allocates (credentials) in the full cgroup: a
 * memory cgroup OOM kill.
 */
#define CG_SIGBUS_EXIT	42

static void cg_on_sigbus(int sig)
{
	(void)sig;
	_exit(CG_SIGBUS_EXIT);
}

/* In the child: set up, enter the cgroup, touch until SIGBUS. */
static void cg_touch(void *arg)
{
	struct cg_toucher *t = arg;
	const struct cg_layout *l = t->l;
	char *base, *m[CG_SPANS];
	size_t s, i;

	base = reserve_va(CG_SPANS * PT_SPAN, PT_SPAN);
	for (s = 0; s < CG_SPANS; s++) {
		char *a = REQUIRE_MAP(mmap(base + s * PT_SPAN, pg, PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));

		*a = 1;
		m[s] = map_fixed(base + s * PT_SPAN + pg, t->fd, s * l->vma_pages,
				 l->vma_pages);
	}
	for (i = 0; i < l->npre; i++) {
		size_t o = l->pre[i];

		s = o / l->vma_pages;
		m[s][(o - s * l->vma_pages) * pg] = 1;
	}
	/* Break copy-on-write of the stack and the sync page now. */
	cg_prefault_stack();
	t->sync->touched = 0;
	t_cg_enter(&cg);
	/* From here on nothing is charged but the buffer's pages. */
	t->sync->ready = 1;
	while (!t->sync->go)
		sched_yield();
	for (i = 0; i < l->nsites; i++) {
		size_t o = l->site[i];

		s = o / l->vma_pages;
		m[s][(o - s * l->vma_pages) * pg] = 1;
		t->sync->touched = i + 1;
	}
}

struct cg_result {
	uint64_t room, touched, expect, resident, oom_kill, max_events;
	uint64_t pre;	/* pages touched before entering the cgroup */
	int status;
};

/* One toucher in a fresh cgroup with window W. */
static void cg_trial(int num, const struct cg_layout *l, struct cg_result *res)
{
	struct cg_toucher t;
	uint64_t room, cur;
	char name[32];
	pid_t pid;
	int dev = t_dev();
	double t0;

	/* The limit is in force before any task enters. */
	snprintf(name, sizeof(name), "fault-%d", num);
	t_cg_create(&cg, name, CG_MAX_PAGES * pg);
	t.l = l;
	t.fd = T_CREATE(dev, CG_SPANS * l->vma_pages * pg, SHMAP_MODE_LAZY, 0, "memcg");
	t.sync = REQUIRE_MAP(mmap(NULL, pg, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	t.sync->ready = 0;
	t.sync->go = 0;
	pid = tap_fork();
	if (pid == 0) {
		signal(SIGBUS, cg_on_sigbus);
		tap_failed = 0;
		cg_touch(&t);
		_exit(tap_failed ? 1 : 0);
	}
	t0 = t_now();
	while (!t.sync->ready && t_now() - t0 < 30)
		usleep(1000);
	REQUIRE(t.sync->ready);
	cur = t_cg_u64(&cg, "memory.current");
	room = (CG_MAX_PAGES * pg - cur) / pg;
	t.sync->go = 1;
	res->status = tap_wait(pid);
	res->room = room;
	res->touched = t.sync->touched;
	res->resident = resident(t.fd);
	res->oom_kill = t_cg_event(&cg, "oom_kill");
	res->max_events = t_cg_event(&cg, "max");
	res->expect = cg_expect(l, room);
	res->pre = l->npre;
	tap_diag("W=%zu: memory.current %llu before the touches: room for %llu pages; "
		 "%llu touches of %zu went in, %llu expected; resident %llu; "
		 "events max %llu, oom_kill %llu; toucher %s", W,
		 (unsigned long long)cur, (unsigned long long)res->room,
		 (unsigned long long)res->touched, l->nsites,
		 (unsigned long long)res->expect, (unsigned long long)res->resident,
		 (unsigned long long)res->max_events, (unsigned long long)res->oom_kill,
		 tap_status_str(res->status));
	/* The room runs out before the sites do. */
	REQUIRE(res->expect < l->nsites);
	munmap((void *)t.sync, pg);
	close(t.fd);
	close(dev);
	t_cg_remove(&cg);
}

static void cg_check(const struct cg_result *r)
{
	if (!(WIFEXITED(r->status) && WEXITSTATUS(r->status) == CG_SIGBUS_EXIT))
		TAP_FAIL("toucher %s, expected exit %d (SIGBUS)",
			 tap_status_str(r->status), CG_SIGBUS_EXIT);
	CHECK_EQ(r->oom_kill, 0);
	CHECK_GE(r->room, 3 * CG_MAX_PAGES / 4);
	/*
	 * The room is used up: the last window got what was left (the pages
	 * touched before are charged elsewhere)...
	 */
	CHECK_EQ(r->resident, r->room + r->pre);
	/*
	 * ...every touch went in while a page was left, one page each where
	 * sparse, a window where sequential; then the next got SIGBUS.
	 */
	CHECK_EQ(r->touched, r->expect);
	CHECK_LE(r->touched, r->room + r->pre);
}

static void memcg_window(void)
{
	struct cg_layout *l;
	struct cg_result rw, r1;
	size_t w;

	setup();
	w = W;
	l = malloc(sizeof(*l));
	REQUIRE(l);
	cg_layout(l);
	cg_trial(0, l, &rw);
	cg_check(&rw);
	if (w == 1) {
		free(l);
		return;
	}
	/* The same with window 1, for comparison. */
	T_WINDOW1();
	W = 1;
	cg_layout(l);
	cg_trial(1, l, &r1);
	cg_check(&r1);
	tap_diag("room %llu and %llu pages: %llu sparse touches with W=1, %llu with W=%zu",
		 (unsigned long long)r1.room, (unsigned long long)rw.room,
		 (unsigned long long)r1.touched, (unsigned long long)rw.touched, w);
	free(l);
}

/* ---- 12. faults complete under the per-VMA lock ---- */

static const char *tracing;

static int trace_path(char *buf, size_t len, const char *file)
{
	return snprintf(buf, len, "%s/%s", tracing, file);
}

static int trace_write(const char *file, const char *s, int trunc)
{
	char path[256];
	ssize_t n = 0;
	size_t len;
	int fd, err = 0;

	trace_path(path, sizeof(path), file);
	fd = open(path, O_WRONLY | O_CLOEXEC | (trunc ? O_TRUNC : 0));
	if (fd < 0)
		return -errno;
	/* set_ftrace_filter takes one word per write(): write the rest too. */
	for (len = strlen(s); len && !err; s += n, len -= (size_t)n) {
		n = write(fd, s, len);
		if (n < 0)
			err = -errno;
		else if (!n)
			err = -EIO;
	}
	close(fd);
	return err;
}

/* Does file have a line whose first word is word? */
static int trace_has(const char *file, const char *word)
{
	char path[256], line[512];
	size_t wl = strlen(word);
	int found = 0;
	FILE *f;

	trace_path(path, sizeof(path), file);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		char *p = line;

		/* available_tracers is one line of words. */
		while (*p) {
			if (!strncmp(p, word, wl) && (!p[wl] || strchr(" \t\n[", p[wl]))) {
				found = 1;
				break;
			}
			p += strcspn(p, " \t\n");
			p += strspn(p, " \t\n");
		}
	}
	fclose(f);
	return found;
}

static const char *find_tracing(void)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	char path[256];
	size_t i;

	if (access("/sys/kernel/tracing/trace", F_OK) &&
	    !access("/sys/kernel/tracing", F_OK))
		mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/trace", dirs[i]);
		if (!access(path, F_OK))
			return dirs[i];
	}
	return NULL;
}

/* Count the lines ": func <-" of the trace buffer. */
static void trace_count(uint64_t *hmf, uint64_t *lock_mm, uint64_t *lines)
{
	char path[256], line[512];
	FILE *f;

	*hmf = *lock_mm = *lines = 0;
	trace_path(path, sizeof(path), "trace");
	f = fopen(path, "re");
	REQUIRE(f);
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			continue;
		(*lines)++;
		if (strstr(line, " handle_mm_fault <-"))
			(*hmf)++;
		else if (strstr(line, " lock_mm_and_find_vma <-"))
			(*lock_mm)++;
	}
	fclose(f);
}

#define VL_FAULTS 64

static void vma_lock_loop(char *m)
{
	size_t i;

	for (i = 0; i < VL_FAULTS; i++) {
		madvise(m + i * pg, pg, MADV_DONTNEED);
		__atomic_fetch_add(m + i * pg, 1, __ATOMIC_RELAXED);
	}
}

static void vma_lock(void)
{
	uint64_t f0, f1, hmf, lock_mm, lines, cpus;
	char pid[32], on[16], path[256];
	int dev, fd, r;
	char *m;

	setup();
	tracing = find_tracing();
	if (!tracing)
		tap_skip("no tracefs");
	/* Without the function tracer there is no list of functions either. */
	if (!trace_has("available_tracers", "function"))
		tap_skip("no function tracer");
	if (!trace_has("available_filter_functions", "lock_vma_under_rcu"))
		tap_skip("no per-VMA locks");
	if (!trace_has("available_filter_functions", "lock_mm_and_find_vma") ||
	    !trace_has("available_filter_functions", "handle_mm_fault"))
		tap_skip("lock_mm_and_find_vma or handle_mm_fault not traceable");

	dev = t_dev();
	fd = T_CREATE(dev, VL_FAULTS * pg, SHMAP_MODE_LAZY, 0, NULL);
	m = map_at(fd, 0, VL_FAULTS);
	memset(m, 0, VL_FAULTS * pg);
	/* Once untraced: stack, code and page tables are there afterwards. */
	vma_lock_loop(m);

	trace_path(path, sizeof(path), "tracing_on");
	REQUIRE_RET(tap_read_str(path, on, sizeof(on)), 0);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	REQUIRE_RET(trace_write("tracing_on", "0", 0), 0);
	REQUIRE_RET(trace_write("set_ftrace_filter",
				"handle_mm_fault lock_mm_and_find_vma", 1), 0);
	REQUIRE_RET(trace_write("set_ftrace_pid", pid, 1), 0);
	/* The switch patches code: no other CPU may run meanwhile. */
	cpus = t_cpus_alone();
	r = trace_write("current_tracer", "function", 0);
	t_cpus_back(cpus);
	REQUIRE_RET(r, 0);
	REQUIRE_RET(trace_write("trace", "", 1), 0);
	f0 = T_STAT("faults");
	r = trace_write("tracing_on", "1", 0);
	vma_lock_loop(m);
	trace_write("tracing_on", "0", 0);
	f1 = T_STAT("faults");
	CHECK_RET(r, 0);
	trace_count(&hmf, &lock_mm, &lines);
	cpus = t_cpus_alone();
	r = trace_write("current_tracer", "nop", 0);
	t_cpus_back(cpus);
	CHECK_RET(r, 0);
	CHECK_RET(trace_write("set_ftrace_pid", "", 1), 0);
	CHECK_RET(trace_write("set_ftrace_filter", "", 1), 0);
	CHECK_RET(trace_write("trace", "", 1), 0);
	CHECK_RET(trace_write("tracing_on", on, 0), 0);

	tap_diag("%d faults: %llu calls of the fault handler, %llu handle_mm_fault, "
		 "%llu lock_mm_and_find_vma (%llu trace lines)", VL_FAULTS,
		 (unsigned long long)(f1 - f0), (unsigned long long)hmf,
		 (unsigned long long)lock_mm, (unsigned long long)lines);
	CHECK_EQ(f1 - f0, VL_FAULTS);
	/* Each fault seen once (else the tracing missed some)... */
	CHECK_GE(hmf, VL_FAULTS);
	/* ...and handled there: no retry under the mmap lock. */
	CHECK_LE(hmf, VL_FAULTS);
	CHECK_EQ(lock_mm, 0);
	munmap(m, VL_FAULTS * pg);
	close(fd);
	close(dev);
}

/* ---- 13. read fault-around ---- */

static size_t fault_around_pages(void)
{
	uint64_t bytes = 65536;

	if (tap_read_u64("/sys/kernel/debug/fault_around_bytes", &bytes))
		tap_diag("no debugfs fault_around_bytes: assuming 64 KiB");
	return (size_t)(bytes / pg);
}

/*
 * The buffer pages [*lo, *hi) (cut to [0, n)) of the page table of buffer
 * page q, for a mapping of the buffer at virtual page d of a page-table
 * boundary.
 */
static void table_of(size_t q, size_t d, size_t n, size_t *lo, size_t *hi)
{
	size_t span = PT_SPAN / pg, t = (d + q) / span * span;

	*lo = t > d ? t - d : 0;
	*hi = min_sz(t + span - d, n);
}

/* A read of page p through ->map_pages maps these: want[] gets them. */
static void map_pages_expect(const char *exists, size_t n, size_t d, size_t p,
			     char *want)
{
	size_t wlo, whi, tlo, thi, i;

	window_of(p, 0, n, n, &wlo, &whi);
	table_of(p, d, n, &tlo, &thi);
	for (i = max_sz(wlo, tlo); i < min_sz(whi, thi); i++)
		if (exists[i])
			want[i] = 1;
}

/*
 * The n pages of fd at virtual page d (> 0) of fresh page tables, after an
 * anonymous page at virtual page 0: the first table exists, no other yet.
 * (->map_pages never makes one: it runs under RCU.)
 */
static char *fa_map(int fd, size_t n, size_t d)
{
	char *base = reserve_tables((d + n) * pg), *a;

	a = REQUIRE_MAP(mmap(base, pg, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	*a = 1;
	return map_fixed(base + d * pg, fd, 0, n);
}

static void read_fault_around(void)
{
	size_t fa, span, d, n, kp, wlo, whi, bnd, i, q2;
	int dev, fd;
	char *a, *m, *all, *want;
	uint64_t f0, r0;
	struct model b;
	struct view v;

	setup();
	catch_sigbus();
	fa = fault_around_pages();
	if (fa < 2)
		tap_skip("fault_around_bytes is %zu pages: no fault-around", fa);
	dev = t_dev();
	/*
	 * Buffer page q at virtual page d + q: the page-table boundary falls
	 * at buffer page span - d, inside the window [span - W, span) for
	 * W >= 2; the kernel's fault-around range, aligned on the virtual
	 * address, is not the window.
	 */
	span = PT_SPAN / pg;
	d = max_sz(W / 2, 1);
	n = span + W;
	wlo = span - W;
	whi = span;
	bnd = span - d;
	kp = span;	/* past the window, in the second table */
	tap_diag("fault-around %zu pages; window [%zu, %zu), second page table from "
		 "page %zu", fa, wlo, whi, bnd);
	want = want_new(n);
	all = want_new(n);
	memset(all, 1, n);

	/* a. Every page exists. */
	fd = T_CREATE(dev, n * pg, SHMAP_MODE_LAZY, 0, NULL);
	a = map_at(fd, 0, n);
	memset(a, 0x11, n * pg);
	munmap(a, n * pg);
	CHECK_EQ(resident(fd), n);
	m = fa_map(fd, n, d);
	/* No page table yet: ->fault, which maps the window, across tables. */
	f0 = T_STAT("faults");
	CHECK_EQ(m[kp * pg], 0x11);
	CHECK_EQ(T_STAT("faults"), f0 + 1);
	want_set(want, n, kp, min_sz(kp + W, n));
	CHECK_MAPPED(m, n, want);
	/*
	 * The window's first page, then its last: ->map_pages maps the part
	 * of the window in that page's table (not the kernel's range), no
	 * ->fault.
	 */
	f0 = T_STAT("faults");
	CHECK_EQ(m[wlo * pg], 0x11);
	map_pages_expect(all, n, d, wlo, want);
	CHECK_MAPPED(m, n, want);
	CHECK_EQ(m[(whi - 1) * pg], 0x11);
	map_pages_expect(all, n, d, whi - 1, want);
	CHECK_MAPPED(m, n, want);
	CHECK_EQ(T_STAT("faults"), f0);
	CHECK_EQ(resident(fd), n);
	munmap(m, n * pg);
	close(fd);

	/*
	 * b. Holes: page wlo - 1 and every other page of the window exist,
	 * each allocated alone.
	 */
	fd = T_CREATE(dev, n * pg, SHMAP_MODE_LAZY, 0, NULL);
	model_init(&b, fd, n);
	if (wlo)
		alloc_alone(&b, wlo - 1);
	for (i = wlo; i < whi; i += 2)
		alloc_alone(&b, i);
	m = fa_map(fd, n, d);
	view_init(&v, m, 0, n);
	/* The second table, by a write fault past the window. */
	TOUCH_EXPECT(&b, &v, kp, T_KEEP);
	r0 = resident(fd);
	/*
	 * Page wlo - 1 exists, so ->fault would allocate the holes:
	 * ->map_pages maps what exists of the window in the page's table,
	 * allocates nothing. Then the same from a page in the second table.
	 */
	f0 = T_STAT("faults");
	CHECK_EQ(m[wlo * pg], 0);
	map_pages_expect(b.exists, n, d, wlo, v.want);
	CHECK_MAPPED(m, n, v.want);
	for (q2 = max_sz(wlo, bnd); q2 < whi && (!b.exists[q2] || v.want[q2]); q2++)
		;
	if (q2 < whi) {
		CHECK_EQ(m[q2 * pg], 0);
		map_pages_expect(b.exists, n, d, q2, v.want);
		CHECK_MAPPED(m, n, v.want);
	}
	CHECK_EQ(T_STAT("faults"), f0);
	CHECK_EQ(resident(fd), r0);

	/*
	 * c. A hole right after a page that exists: ->map_pages does nothing,
	 * ->fault allocates the holes and maps the window, across the tables.
	 */
	if (W >= 2) {
		TOUCH_EXPECT(&b, &v, wlo + 1, T_READ);
		CHECK_EQ(count_mapped(m + wlo * pg, W), W);
		CHECK_EQ(resident(fd), r0 + W / 2);
	}
	munmap(m, n * pg);
	free(b.exists);
	free(v.want);
	close(fd);

	free(want);
	free(all);
	close(dev);
}

static const struct tap_case cases[] = {
	TAP_CASE(window_param),
	TAP_CASE(window_runtime),
	TAP_CASE(first_touch_write),
	TAP_CASE(first_touch_read),
	TAP_CASE(sparse_touch),
	TAP_CASE(sequential_writer),
	TAP_CASE(buffer_edges),
	TAP_CASE(vma_clamp),
	TAP_CASE(past_end),
	TAP_CASE(eager_dontneed),
	TAP_CASE_T(concurrent_threads, 60),
	TAP_CASE_T(concurrent_procs, 60),
	TAP_CASE(fork_window),
	TAP_CASE(noreserve_near_limit),
	TAP_CASE_T(noreserve_race, 60),
	TAP_CASE_T(memcg_window, 120),
	TAP_CASE(vma_lock),
	TAP_CASE(read_fault_around),
};

TAP_MAIN("fault", cases)
