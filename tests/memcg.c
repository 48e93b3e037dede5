// SPDX-License-Identifier: GPL-2.0
/*
 * memcg: buffer pages are charged to the memory cgroup, and hitting its
 * limit never invokes the OOM killer: an eager create fails with ENOMEM,
 * a lazy first touch gets SIGBUS. Needs cgroup2 at /sys/fs/cgroup with
 * the memory controller; the test fails (not skips) without them.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "tshmap.h"

#define LIMIT		(16 * T_MIB)

static struct t_cg cg;

/* The cgroup of a case, LIMIT bytes. */
static void cg_setup(void)
{
	t_cg_create(&cg, "memcg", LIMIT);
}

/* Size of the buffers: 64 MiB, or what max_total_mb leaves room for. */
static uint64_t big_size(void)
{
	uint64_t total = T_PARAM("max_total_mb") * T_MIB;
	uint64_t maxbuf = T_PARAM("max_buffer_mb") * T_MIB;
	uint64_t size = 64 * T_MIB;

	if (size > total)
		size = total;
	if (size > maxbuf)
		size = maxbuf;
	if (size < 2 * LIMIT) {
		TAP_FAIL("max_total_mb/max_buffer_mb too small for a %llu MiB buffer",
			 (unsigned long long)(2 * LIMIT / T_MIB));
		tap_abort();
	}
	return size;
}

static void eager_enomem_child(void *arg)
{
	uint64_t size = *(uint64_t *)arg;
	int dev = t_dev(), fd;

	t_cg_enter(&cg);
	fd = t_create(dev, size, SHMAP_MODE_EAGER, 0, "memcg");
	CHECK_EQ(fd, -ENOMEM);
	/* A small one still fits. */
	fd = t_create(dev, LIMIT / 4, SHMAP_MODE_EAGER, 0, "small");
	CHECK_GE(fd, 0);
	close(fd);
	close(dev);
}

static void eager_enomem(void)
{
	uint64_t before = T_STAT("pages_allocated");
	uint64_t size = big_size();
	int st;

	cg_setup();
	st = tap_run_child(eager_enomem_child, &size);
	CHECK_EXIT0(st);
	CHECK_EQ(t_cg_event(&cg, "oom_kill"), 0);
	CHECK_EQ(T_STAT("pages_allocated"), before);
	CHECK_EQ(T_STAT("buffers"), 0);
	t_cg_remove(&cg);
}

struct touch_arg {
	char *p;
	uint64_t size;
	volatile uint64_t *progress;	/* pages touched, in shared anon memory */
};

/*
 * Only the toucher is in the cgroup: at the limit, whatever its parent
 * then allocates (the diagnostics below, a stack page) would be charged to
 * a full cgroup and wake the memcg OOM killer, which is the kernel's
 * anonymous memory path, not shmap's.
 */
static void toucher(void *arg)
{
	struct touch_arg *t = arg;
	uint64_t i;

	t_cg_enter(&cg);
	for (i = 0; i < t->size / t_page(); i++) {
		t->p[i * t_page()] = 1;
		*t->progress = i + 1;
	}
}

/* One page-table page maps this much (x86-64: 512 PTEs). */
#define PT_SPAN (2UL << 20)

static int starts_span(const char *p, uint64_t i)
{
	return i == 0 || (uintptr_t)(p + i * t_page()) % PT_SPAN == 0;
}

/* Touch the first page of each page-table span; return how many. */
static uint64_t prefault_tables(char *p, uint64_t size)
{
	uint64_t i, n = 0;

	for (i = 0; i < size / t_page(); i++) {
		if (starts_span(p, i)) {
			p[i * t_page()] = 1;
			n++;
		}
	}
	return n;
}

/* How many prefaulted pages lie at or after page @from. */
static uint64_t prefaulted_after(const char *p, uint64_t size, uint64_t from)
{
	uint64_t i, n = 0;

	for (i = from; i < size / t_page(); i++)
		n += starts_span(p, i);
	return n;
}

static void lazy_sigbus_child(void *arg)
{
	uint32_t flags = *(uint32_t *)arg;
	uint64_t size = big_size(), touched, prefaulted;
	struct touch_arg t;
	int dev = t_dev(), fd, st;

	fd = T_CREATE(dev, size, SHMAP_MODE_LAZY, flags, "memcg");
	t.p = T_MAP(fd, size, PROT_READ | PROT_WRITE, 0);
	t.size = size;
	/*
	 * Page tables first, outside the cgroup: the kernel allocates them
	 * (GFP_PGTABLE_USER, memcg-charged, may OOM-kill) before ->fault runs.
	 * Hitting the limit there would be the kernel's OOM path, not shmap's:
	 * touch the first page of every page-table span now, so that at the
	 * limit only shmap's own allocation can fail.
	 */
	prefaulted = prefault_tables(t.p, size);
	t.progress = REQUIRE_MAP(mmap(NULL, t_page(), PROT_READ | PROT_WRITE,
				      MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	*t.progress = 0;
	/* The grandchild touches until the limit: SIGBUS, not the OOM killer. */
	st = tap_run_child(toucher, &t);
	CHECK_KILLED(st, SIGBUS);
	touched = *t.progress;
	tap_diag("%llu of %llu pages touched before SIGBUS",
		 (unsigned long long)touched, (unsigned long long)(size / t_page()));
	CHECK_LT(touched, size / t_page());
	/* Charged to the cgroup: the pages touched here, not the prefaulted. */
	CHECK_LE((touched - (prefaulted - prefaulted_after(t.p, size, touched))) *
			 t_page(),
		 LIMIT);
	/* Most of the limit was usable. */
	CHECK_GE(touched * t_page(), LIMIT / 2);
	CHECK_EQ(T_INFO(fd).resident_pages,
		 touched + prefaulted_after(t.p, size, touched));
	/* What was written is still there, and readable. */
	if (touched)
		CHECK_EQ(t.p[(touched - 1) * t_page()], 1);
	munmap(t.p, size);
	close(fd);
	close(dev);
}

static void lazy_sigbus_mode(uint32_t flags)
{
	uint64_t before = T_STAT("pages_allocated");
	int st;

	cg_setup();
	st = tap_run_child(lazy_sigbus_child, &flags);
	CHECK_EXIT0(st);
	CHECK_EQ(t_cg_event(&cg, "oom_kill"), 0);
	CHECK_EQ(T_STAT("pages_allocated"), before);
	CHECK_EQ(T_STAT("pages_reserved"), 0);
	CHECK_EQ(T_STAT("buffers"), 0);
	t_cg_remove(&cg);
}

static void lazy_noreserve_sigbus(void)
{
	lazy_sigbus_mode(SHMAP_CREATE_NORESERVE);
}

static void lazy_reserved_sigbus(void)
{
	lazy_sigbus_mode(0);
}

/* The pages are charged to the cgroup of whoever touched them first. */
static void charged_to_toucher(void *arg)
{
	int fd = *(int *)arg;
	size_t len = 8 * T_MIB;
	uint64_t cur0, cur1;
	char *p;

	t_cg_enter(&cg);
	p = T_MAP(fd, len, PROT_READ | PROT_WRITE, 0);
	cur0 = t_cg_u64(&cg, "memory.current");
	memset(p, 1, len);
	cur1 = t_cg_u64(&cg, "memory.current");
	tap_diag("memory.current %llu -> %llu", (unsigned long long)cur0,
		 (unsigned long long)cur1);
	CHECK_GE(cur1, cur0 + len * 9 / 10);
	munmap(p, len);
}

static void lazy_charged(void)
{
	int dev = t_dev();
	int fd = T_CREATE(dev, 8 * T_MIB, SHMAP_MODE_LAZY, 0, NULL);
	int st;

	cg_setup();
	st = tap_run_child(charged_to_toucher, &fd);
	CHECK_EXIT0(st);
	CHECK_EQ(T_INFO(fd).resident_pages, 8 * T_MIB / t_page());
	close(fd);
	close(dev);
	CHECK_EQ(T_STAT("pages_allocated"), 0);
	t_cg_remove(&cg);
}

static const struct tap_case cases[] = {
	TAP_CASE_T(eager_enomem, 120),
	TAP_CASE_T(lazy_noreserve_sigbus, 120),
	TAP_CASE_T(lazy_reserved_sigbus, 120),
	TAP_CASE_T(lazy_charged, 120),
};

TAP_MAIN("memcg", cases)
