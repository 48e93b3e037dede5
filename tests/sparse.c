// SPDX-License-Identifier: GPL-2.0
/*
 * sparse: the largest lazy buffer the limits allow (max_buffer_mb at its
 * documented maximum, 1 TiB) is created and mapped whole, pages far apart
 * are touched in it, its resident and reserved counts follow the touches,
 * freeing it costs what is resident, not its size, and the memory of the
 * page index is charged to the memory cgroup of the toucher like the pages.
 *
 * suite.sh loads the module with max_buffer_mb=1048576 max_total_mb=1048576
 * for this program: a lazy buffer's reservation is only a count, so even a
 * reserved 1 TiB buffer fits in a small guest.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "tshmap.h"

/* max_buffer_mb and max_total_mb at their maximum (shmap(4)). */
#define MB_MAX		1048576ULL
/* Pages touched in the big buffer: one a GiB, so no two share a chunk of the index. */
#define STRIDE		(1ULL << 30)
/* The same number of pages one chunk (2 MiB) apart: a buffer 512 times smaller. */
#define SMALL_STRIDE	(2ULL << 20)

static uint64_t size;	/* max_buffer_mb, bytes */

static void load_limits(void)
{
	size = T_PARAM("max_buffer_mb") * T_MIB;
	if (size != MB_MAX * T_MIB || T_PARAM("max_total_mb") != MB_MAX) {
		TAP_FAIL("sparse needs max_buffer_mb=%llu max_total_mb=%llu",
			 MB_MAX, MB_MAX);
		tap_abort();
	}
	REQUIRE_EQ(T_STAT("buffers"), 0);
	REQUIRE_EQ(T_STAT("pages_allocated"), 0);
	REQUIRE_EQ(T_STAT("pages_reserved"), 0);
}

/* Offsets touched in @len bytes: one a @stride, plus the very last page. */
static uint64_t touches(uint64_t len, uint64_t stride)
{
	return len / stride + 1;
}

static uint64_t touch_off(uint64_t len, uint64_t stride, uint64_t i)
{
	return i < len / stride ? i * stride + (i % 256) * t_page() : len - t_page();
}

static void touch_all(char *p, uint64_t len, uint64_t stride)
{
	uint64_t i;

	for (i = 0; i < touches(len, stride); i++)
		p[touch_off(len, stride, i)] = (char)(i | 1);
}

static void check_all(const char *p, uint64_t len, uint64_t stride)
{
	uint64_t i, bad = 0;

	for (i = 0; i < touches(len, stride); i++)
		bad += p[touch_off(len, stride, i)] != (char)(i | 1);
	CHECK_EQ(bad, 0);
}

/*
 * munmap (the kernel tears down the page tables of the whole range), then
 * close, the last reference: the buffer is freed. Seconds of the close.
 */
static double free_buffer(char *p, uint64_t len, int fd)
{
	double t0 = t_now(), t1;

	CHECK_SYS(munmap(p, len));
	t1 = t_now();
	tap_diag("munmap of %llu MiB: %.3f s", (unsigned long long)(len >> 20), t1 - t0);
	close(fd);
	return t_now() - t1;
}

/* Seconds to free a buffer of @len bytes with a page touched every @stride. */
static double touch_and_free(int dev, uint32_t flags, uint64_t len, uint64_t stride)
{
	int fd = T_CREATE(dev, len, SHMAP_MODE_LAZY, flags, "sparse");
	char *p = T_MAP(fd, len, PROT_READ | PROT_WRITE, 0);

	touch_all(p, len, stride);
	CHECK_EQ(T_INFO(fd).resident_pages, touches(len, stride));
	return free_buffer(p, len, fd);
}

static void sparse_mode(uint32_t flags)
{
	uint64_t pg = t_page(), n, reserved;
	double t0, secs, small;
	int dev = t_dev(), fd;
	struct shmap_info in;
	char *p;

	load_limits();
	n = touches(size, STRIDE);
	reserved = (flags & SHMAP_CREATE_NORESERVE) ? 0 : size / pg;
	t0 = t_now();
	fd = T_CREATE(dev, size, SHMAP_MODE_LAZY, flags, "sparse");
	secs = t_now() - t0;
	tap_diag("create of %llu GiB: %.3f s", (unsigned long long)(size >> 30), secs);
	CHECK_LT(secs * 1000, 1000);	/* milliseconds: the checks compare integers */
	in = T_INFO(fd);
	CHECK_EQ(in.size, size);
	CHECK_EQ(in.resident_pages, 0);
	CHECK_EQ(in.reserved_pages, reserved);
	CHECK_EQ(T_STAT("pages_reserved"), reserved);
	CHECK_EQ(T_STAT("pages_allocated"), 0);

	p = T_MAP(fd, size, PROT_READ | PROT_WRITE, 0);
	touch_all(p, size, STRIDE);
	check_all(p, size, STRIDE);
	in = T_INFO(fd);
	/* A sparse touch allocates its page and none ahead. */
	CHECK_EQ(in.resident_pages, n);
	CHECK_EQ(in.reserved_pages, reserved ? reserved : n);
	CHECK_EQ(T_STAT("pages_allocated"), n);
	CHECK_EQ(T_STAT("pages_reserved"), reserved ? reserved : n);
	/* Touching them again allocates nothing. */
	touch_all(p, size, STRIDE);
	CHECK_EQ(T_INFO(fd).resident_pages, n);

	/* A second mapping of the far end sees the same pages. */
	{
		char *q = T_MAP(fd, 2 * pg, PROT_READ, size - 2 * pg);

		CHECK_EQ(q[pg], (char)((n - 1) | 1));
		CHECK_SYS(munmap(q, 2 * pg));
	}

	secs = free_buffer(p, size, fd);
	CHECK_EQ(T_STAT("buffers"), 0);
	CHECK_EQ(T_STAT("pages_allocated"), 0);
	/*
	 * Freeing costs what is resident: as much as for the same pages in
	 * a buffer 512 times smaller (a flat page array would cost 512 times
	 * more to walk).
	 */
	small = touch_and_free(dev, flags, (n - 1) * SMALL_STRIDE, SMALL_STRIDE);
	tap_diag("free of %llu pages: %.3f s in %llu GiB, %.3f s in %llu MiB",
		 (unsigned long long)n, secs, (unsigned long long)(size >> 30), small,
		 (unsigned long long)((n - 1) * SMALL_STRIDE >> 20));
	CHECK_LT(secs * 1000, 4 * small * 1000 + 100);
	CHECK_EQ(T_STAT("buffers"), 0);
	CHECK_EQ(T_STAT("pages_allocated"), 0);
	CHECK_EQ(T_STAT("pages_reserved"), 0);
	close(dev);
}

static void largest_noreserve(void)
{
	sparse_mode(SHMAP_CREATE_NORESERVE);
}

static void largest_reserved(void)
{
	sparse_mode(0);
}

static struct t_cg cg;

struct index_arg {
	int fd;
	volatile uint64_t *slab;	/* slab before, after */
};

static void index_toucher(void *arg)
{
	struct index_arg *a = arg;
	char *p;

	t_cg_enter(&cg);
	p = T_MAP(a->fd, size, PROT_READ | PROT_WRITE, 0);
	a->slab[0] = t_cg_stat(&cg, "slab");
	touch_all(p, size, STRIDE);
	a->slab[1] = t_cg_stat(&cg, "slab");
	CHECK_SYS(munmap(p, size));
}

/*
 * The page index is slab memory: chunks of one page of page pointers
 * (kmalloc) and the nodes of the xarray that finds them. One a GiB apart,
 * every touch needs a chunk of its own, charged to the toucher's cgroup.
 */
static void index_charged(void)
{
	int dev = t_dev(), st;
	struct index_arg a;
	uint64_t grew;

	load_limits();
	t_cg_create(&cg, "sparse", 256 * T_MIB);
	a.fd = T_CREATE(dev, size, SHMAP_MODE_LAZY, SHMAP_CREATE_NORESERVE, NULL);
	a.slab = REQUIRE_MAP(mmap(NULL, t_page(), PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	st = tap_run_child(index_toucher, &a);
	CHECK_EXIT0(st);
	grew = a.slab[1] - a.slab[0];
	tap_diag("slab of the toucher's cgroup: %llu -> %llu (+%llu bytes for %llu pages)",
		 (unsigned long long)a.slab[0], (unsigned long long)a.slab[1],
		 (unsigned long long)grew, (unsigned long long)touches(size, STRIDE));
	CHECK_GE(a.slab[1], a.slab[0] + touches(size, STRIDE) * t_page());
	CHECK_EQ(T_INFO(a.fd).resident_pages, touches(size, STRIDE));
	CHECK_EQ(t_cg_event(&cg, "oom_kill"), 0);
	close(a.fd);
	close(dev);
	CHECK_EQ(T_STAT("buffers"), 0);
	CHECK_EQ(T_STAT("pages_allocated"), 0);
	t_cg_remove(&cg);
}

static const struct tap_case cases[] = {
	TAP_CASE_T(largest_noreserve, 120),
	TAP_CASE_T(largest_reserved, 120),
	TAP_CASE_T(index_charged, 120),
};

TAP_MAIN("sparse", cases)
