// SPDX-License-Identifier: GPL-2.0
/*
 * huge: buffers created with SHMAP_CREATE_HUGE. Their memory comes in
 * PMD-sized folios (2 MiB on x86-64) where the span is whole, order-0 pages
 * for the rest; a mapping that holds an aligned span gets an aligned
 * address and maps each such folio with one PMD (smaps FilePmdMapped), and
 * everything that splits a PMD (partial munmap, mprotect, MADV_DONTNEED of
 * part of it) falls back to PTEs of the same pages, with the same data.
 * Unbalanced RSS counters or page references show in the kernel log that
 * suite.sh checks after each program ("Bad rss-counter state", "BUG").
 * Every case runs twice: on an eager buffer, and on a lazy one, whose first
 * touch of a whole span allocates and publishes the span's folio at once.
 */
#include <fcntl.h>
#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

#include "tshmap.h"

#define HUGE_SZ (2 * T_MIB)
/* brd's /dev/ram0 (8 MiB, loaded by suite.sh); odirect uses its first 4 MiB. */
#define RAM	"/dev/ram0"
#define RAM_OFF (4 * T_MIB)

/* The mode of the running case's buffers (set in its child). */
static uint32_t huge_mode;

static int huge_create(int dev, uint64_t size)
{
	return T_CREATE(dev, size, huge_mode, SHMAP_CREATE_HUGE, "huge");
}

/* The case fn, on an eager buffer and on a lazy one. */
#define HUGE_MODES(fn) \
	static void fn##_eager(void) \
	{ \
		huge_mode = SHMAP_MODE_EAGER; \
		fn(); \
	} \
	static void fn##_lazy(void) \
	{ \
		huge_mode = SHMAP_MODE_LAZY; \
		fn(); \
	}
#define HUGE_CASES(fn) TAP_CASE(fn##_eager), TAP_CASE(fn##_lazy)

/* The smaps value of @field of the vma at @p, in kB (-1 if none). */
static long smaps_kb(const void *p, const char *field)
{
	char v[64];

	if (t_smaps_field(p, field, v, sizeof(v)))
		return -1;
	return strtol(v, NULL, 10);
}

static void feature(void)
{
	struct shmap_version v = { 0 };
	int dev = t_dev();

	REQUIRE_EQ(t_version(dev, &v), 0);
	CHECK_EQ(v.features & (SHMAP_FEAT_HUGE | SHMAP_FEAT_HUGE_LAZY),
		 SHMAP_FEAT_HUGE | SHMAP_FEAT_HUGE_LAZY);
	/* NORESERVE stays lazy-only. */
	CHECK_EQ(t_create(dev, HUGE_SZ, SHMAP_MODE_EAGER,
			  SHMAP_CREATE_HUGE | SHMAP_CREATE_NORESERVE, NULL),
		 -EINVAL);
}

/* Two folios, mapped aligned, with one PMD each and one fault each. */
static void pmd_mapped(void)
{
	int dev = t_dev(), fd = huge_create(dev, 2 * HUGE_SZ);
	uint64_t faults;
	char *p;

	p = T_MAP(fd, 2 * HUGE_SZ, PROT_READ | PROT_WRITE, 0);
	CHECK_EQ((uintptr_t)p % HUGE_SZ, 0);
	faults = T_STAT("faults");
	t_fill(p, 2 * HUGE_SZ, 1);
	CHECK_PATTERN(p, 2 * HUGE_SZ, 1);
	CHECK_LE(T_STAT("faults") - faults, 2);
	CHECK_EQ(smaps_kb(p, "FilePmdMapped"), 4096);
	CHECK_EQ(smaps_kb(p, "Rss"), 4096);
	tap_describe("FilePmdMapped %ld kB, %llu faults for 4 MiB",
		     smaps_kb(p, "FilePmdMapped"),
		     (unsigned long long)(T_STAT("faults") - faults));
	CHECK_SYS(munmap(p, 2 * HUGE_SZ));
	close(fd);
}

/* A buffer that ends with a part of a span: a folio, then pages. */
static void tail_pages(void)
{
	uint64_t size = HUGE_SZ + HUGE_SZ / 2 + t_page();
	int dev = t_dev(), fd = huge_create(dev, size);
	struct shmap_info info = T_INFO(fd);
	char *p;

	CHECK_EQ(info.resident_pages,
		 huge_mode == SHMAP_MODE_EAGER ? size / t_page() : 0);
	p = T_MAP(fd, size, PROT_READ | PROT_WRITE, 0);
	t_fill(p, size, 2);
	CHECK_PATTERN(p, size, 2);
	info = T_INFO(fd);
	CHECK_EQ(info.resident_pages, size / t_page());
	CHECK_EQ(info.huge_folios, 1);
	CHECK_EQ(smaps_kb(p, "FilePmdMapped"), 2048);
	CHECK_EQ(smaps_kb(p, "Rss"), (long)(size / 1024));
	CHECK_SYS(munmap(p, size));
	close(fd);
}

/* A mapping at an offset that is not a span's: aligned to the offset. */
static void offset_mapping(void)
{
	int dev = t_dev(), fd = huge_create(dev, 2 * HUGE_SZ);
	size_t off = 16 * t_page(), len = 2 * HUGE_SZ - off;
	char *whole, *p;

	whole = T_MAP(fd, 2 * HUGE_SZ, PROT_READ | PROT_WRITE, 0);
	t_fill(whole, 2 * HUGE_SZ, 3);
	p = T_MAP(fd, len, PROT_READ, off);
	CHECK_EQ((uintptr_t)(p + HUGE_SZ - off) % HUGE_SZ, 0);
	CHECK_EQ(memcmp(p, whole + off, len), 0);
	/* The first folio is partly outside: PTEs; the second: a PMD. */
	CHECK_EQ(smaps_kb(p, "FilePmdMapped"), 2048);
	CHECK_SYS(munmap(p, len));
	CHECK_SYS(munmap(whole, 2 * HUGE_SZ));
	close(fd);
}

/* The child refaults the buffer (no page table copy) and shares it. */
static void fork_shared(void)
{
	int dev = t_dev(), fd = huge_create(dev, 2 * HUGE_SZ), status;
	char *p;
	pid_t pid;

	p = T_MAP(fd, 2 * HUGE_SZ, PROT_READ | PROT_WRITE, 0);
	t_fill(p, HUGE_SZ, 4);
	pid = fork();
	REQUIRE(pid >= 0);
	if (!pid) {
		int bad = t_verify(p, HUGE_SZ, 4) != (size_t)-1;

		t_fill(p + HUGE_SZ, HUGE_SZ, 5);
		bad |= smaps_kb(p, "FilePmdMapped") != 4096;
		_exit(bad);
	}
	REQUIRE_SYS(waitpid(pid, &status, 0));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_PATTERN(p, HUGE_SZ, 4);
	CHECK_PATTERN(p + HUGE_SZ, HUGE_SZ, 5);
	CHECK_SYS(munmap(p, 2 * HUGE_SZ));
	close(fd);
}

/* munmap() of a page inside a folio: the rest stays, as PTEs. */
static void munmap_middle(void)
{
	int dev = t_dev(), fd = huge_create(dev, 2 * HUGE_SZ);
	size_t hole = HUGE_SZ / 2, pg = t_page(), rest;
	char *p, *whole;

	p = T_MAP(fd, 2 * HUGE_SZ, PROT_READ | PROT_WRITE, 0);
	t_fill(p, 2 * HUGE_SZ, 6);
	CHECK_SYS(munmap(p + hole, pg));
	rest = 2 * HUGE_SZ - hole - pg;
	/* The unmapped page kept its data: another mapping sees it all. */
	whole = T_MAP(fd, 2 * HUGE_SZ, PROT_READ, 0);
	CHECK_PATTERN(whole, 2 * HUGE_SZ, 6);
	CHECK_PATTERN(p, hole, 6);
	CHECK_EQ(memcmp(p + hole + pg, whole + hole + pg, rest), 0);
	CHECK_EQ(smaps_kb(p, "FilePmdMapped"), 0);
	/* The second folio is whole in the second piece: still a PMD. */
	CHECK_EQ(smaps_kb(p + hole + pg, "FilePmdMapped"), 2048);
	CHECK_SYS(munmap(whole, 2 * HUGE_SZ));
	CHECK_SYS(munmap(p, hole));
	CHECK_SYS(munmap(p + hole + pg, rest));
	close(fd);
}

/* mprotect() of a page inside a folio splits the vma and the PMD. */
static void mprotect_split(void)
{
	int dev = t_dev(), fd = huge_create(dev, HUGE_SZ);
	size_t pg = t_page();
	char *p;

	p = T_MAP(fd, HUGE_SZ, PROT_READ | PROT_WRITE, 0);
	t_fill(p, HUGE_SZ, 7);
	CHECK_SYS(mprotect(p + 8 * pg, pg, PROT_READ));
	CHECK_PATTERN(p, HUGE_SZ, 7);
	CHECK_EQ(smaps_kb(p, "FilePmdMapped"), 0);
	CHECK_SYS(mprotect(p + 8 * pg, pg, PROT_READ | PROT_WRITE));
	t_fill(p, HUGE_SZ, 8);
	CHECK_PATTERN(p, HUGE_SZ, 8);
	CHECK_SYS(munmap(p, HUGE_SZ));
	close(fd);
}

/* MADV_DONTNEED of part of a folio: the data comes back on the next read. */
static void dontneed_part(void)
{
	int dev = t_dev(), fd = huge_create(dev, 2 * HUGE_SZ);
	char *p;

	p = T_MAP(fd, 2 * HUGE_SZ, PROT_READ | PROT_WRITE, 0);
	t_fill(p, 2 * HUGE_SZ, 9);
	CHECK_SYS(madvise(p + T_MIB, T_MIB, MADV_DONTNEED));
	CHECK_EQ(smaps_kb(p, "FilePmdMapped"), 2048);
	CHECK_PATTERN(p, 2 * HUGE_SZ, 9);
	tap_describe("FilePmdMapped %ld kB after re-read",
		     smaps_kb(p, "FilePmdMapped"));
	CHECK_SYS(madvise(p, 2 * HUGE_SZ, MADV_DONTNEED));
	CHECK_EQ(smaps_kb(p, "Rss"), 0);
	CHECK_PATTERN(p, 2 * HUGE_SZ, 9);
	CHECK_SYS(munmap(p, 2 * HUGE_SZ));
	close(fd);
}

/* mremap() moves the mapping: the PMDs move or refault. */
static void mremap_move(void)
{
	int dev = t_dev(), fd = huge_create(dev, 2 * HUGE_SZ);
	char *p, *q, *to;

	p = T_MAP(fd, 2 * HUGE_SZ, PROT_READ | PROT_WRITE, 0);
	t_fill(p, 2 * HUGE_SZ, 10);
	/* An aligned free range to move to. */
	to = REQUIRE_MAP(mmap(NULL, 3 * HUGE_SZ, PROT_NONE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	to = (char *)(((uintptr_t)to + HUGE_SZ - 1) &
		      ~(uintptr_t)(HUGE_SZ - 1));
	q = mremap(p, 2 * HUGE_SZ, 2 * HUGE_SZ, MREMAP_MAYMOVE | MREMAP_FIXED,
		   to);
	REQUIRE(q == to);
	CHECK_PATTERN(q, 2 * HUGE_SZ, 10);
	CHECK_EQ(smaps_kb(q, "FilePmdMapped"), 4096);
	CHECK_SYS(munmap(q, 2 * HUGE_SZ));
	close(fd);
}

/* get_user_pages() on PMD-mapped folios: O_DIRECT out of one, into another. */
static void odirect_pmd(void)
{
	int dev = t_dev(), fd = huge_create(dev, 2 * HUGE_SZ);
	int ram = open(RAM, O_RDWR | O_DIRECT | O_CLOEXEC);
	char *p;

	REQUIRE(ram >= 0);
	p = T_MAP(fd, 2 * HUGE_SZ, PROT_READ | PROT_WRITE, 0);
	t_fill(p, HUGE_SZ, 11);
	memset(p + HUGE_SZ, 0, HUGE_SZ);
	CHECK_EQ(smaps_kb(p, "FilePmdMapped"), 4096);
	CHECK_EQ(pwrite(ram, p, HUGE_SZ, RAM_OFF), (ssize_t)HUGE_SZ);
	CHECK_EQ(pread(ram, p + HUGE_SZ, HUGE_SZ, RAM_OFF), (ssize_t)HUGE_SZ);
	CHECK_EQ(memcmp(p, p + HUGE_SZ, HUGE_SZ), 0);
	/* A piece at a page offset inside the second folio. */
	CHECK_EQ(pread(ram, p + HUGE_SZ + 3 * t_page(), 5 * t_page(),
		       RAM_OFF + 8 * (off_t)t_page()),
		 (ssize_t)(5 * t_page()));
	CHECK_EQ(memcmp(p + HUGE_SZ + 3 * t_page(), p + 8 * t_page(),
			5 * t_page()),
		 0);
	CHECK_EQ(smaps_kb(p, "FilePmdMapped"), 4096);
	CHECK_SYS(munmap(p, 2 * HUGE_SZ));
	close(ram);
	close(fd);
}

static long futex(uint32_t *uaddr, int op, uint32_t val,
		  const struct timespec *timeout)
{
	return syscall(SYS_futex, uaddr, op, val, timeout, NULL, 0);
}

/*
 * A shared futex in a tail page of a PMD-mapped folio: a child that maps
 * the buffer at another address wakes the parent. The key is the page
 * (its folio's mapping and index plus the page's place in it).
 */
static void futex_pmd(void)
{
	int dev = t_dev(), fd = huge_create(dev, HUGE_SZ), status;
	size_t off = HUGE_SZ / 2 + 64;
	struct timespec ts = { .tv_sec = 10 };
	char *p;
	pid_t pid;

	p = T_MAP(fd, HUGE_SZ, PROT_READ | PROT_WRITE, 0);
	memset(p, 0, HUGE_SZ);
	CHECK_EQ(smaps_kb(p, "FilePmdMapped"), 2048);
	pid = fork();
	REQUIRE(pid >= 0);
	if (!pid) {
		char *q = mmap(NULL, HUGE_SZ, PROT_READ | PROT_WRITE,
			       MAP_SHARED, fd, 0);
		uint32_t *w = (uint32_t *)(q + off);
		int i;

		if (q == MAP_FAILED)
			_exit(2);
		for (i = 0; i < 1000; i++) {
			struct timespec nap = { .tv_nsec = 10000000 };

			__atomic_store_n(w, 1, __ATOMIC_SEQ_CST);
			if (futex(w, FUTEX_WAKE, 1, NULL) == 1)
				_exit(0);
			nanosleep(&nap, NULL);
		}
		_exit(1);
	}
	/* EAGAIN: the child stored 1 before the wait began; it retries. */
	while (futex((uint32_t *)(p + off), FUTEX_WAIT, 0, &ts) &&
	       errno == EAGAIN)
		__atomic_store_n((uint32_t *)(p + off), 0, __ATOMIC_SEQ_CST);
	REQUIRE_SYS(waitpid(pid, &status, 0));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_SYS(munmap(p, HUGE_SZ));
	close(fd);
}

#define THP_ENABLED "/sys/kernel/mm/transparent_hugepage/enabled"

/* FilePmdMapped (kB) of a fresh mapping of @fd touched whole. */
static long touched_pmd_kb(int fd, size_t len, int advice)
{
	char *p = T_MAP(fd, len, PROT_READ | PROT_WRITE, 0);
	long kb;

	if (advice >= 0)
		CHECK_SYS(madvise(p, len, advice));
	memset(p, 1, len);
	kb = smaps_kb(p, "FilePmdMapped");
	CHECK_SYS(munmap(p, len));
	return kb;
}

static int write_str(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	int r;

	if (!f)
		return -1;
	r = fputs(s, f) < 0;
	return fclose(f) || r ? -1 : 0;
}

/*
 * Whether do_set_pmd() looks at VM_NOHUGEPAGE and PR_SET_THP_DISABLE: it
 * does in the 6.12 and 7.x sources (vma_thp_disabled()), 6.1 maps the PMD
 * anyway (measured).
 */
static int thp_disable_honoured(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return 1;
	return major > 6 || (major == 6 && minor >= 12);
}

/*
 * The THP policy: transparent_hugepage/enabled does not apply (the kernel
 * maps a large folio it already has with a PMD whatever the setting, as
 * for the page cache); MADV_NOHUGEPAGE and PR_SET_THP_DISABLE do, where
 * thp_disable_honoured().
 */
static void thp_policy(void)
{
	static const char *const modes[] = { "never", "madvise", "always" };
	int dev = t_dev(), fd = huge_create(dev, HUGE_SZ), status;
	char old[64] = "", *o, *e;
	FILE *f = fopen(THP_ENABLED, "r");
	pid_t pid;
	size_t i;
	long off;

	if (!f)
		tap_skip("no %s", THP_ENABLED);
	if (!fgets(old, sizeof(old), f))
		old[0] = '\0';
	fclose(f);
	o = strchr(old, '[');
	e = o ? strchr(o, ']') : NULL;
	REQUIRE(o && e);
	*e = '\0';
	o++;
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		REQUIRE_EQ(write_str(THP_ENABLED, modes[i]), 0);
		CHECK_EQ(touched_pmd_kb(fd, HUGE_SZ, -1), 2048);
	}
	CHECK_EQ(write_str(THP_ENABLED, o), 0);
	off = thp_disable_honoured() ? 0 : 2048;
	CHECK_EQ(touched_pmd_kb(fd, HUGE_SZ, MADV_NOHUGEPAGE), off);
	CHECK_EQ(touched_pmd_kb(fd, HUGE_SZ, MADV_HUGEPAGE), 2048);
	pid = fork();
	REQUIRE(pid >= 0);
	if (!pid) {
		if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0))
			_exit(2);
		_exit(touched_pmd_kb(fd, HUGE_SZ, -1) != off);
	}
	REQUIRE_SYS(waitpid(pid, &status, 0));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	tap_describe("PMD under never/madvise/always, %s with "
		     "MADV_NOHUGEPAGE or PR_SET_THP_DISABLE (was %s)",
		     off ? "PMD too" : "PTEs", o);
	close(fd);
}

/*
 * Lazy: a touch anywhere in a whole span allocates the span's folio, and
 * only that span's; the folio is PMD-mapped by that one fault.
 */
static void lazy_span(void)
{
	int dev = t_dev(), fd = T_CREATE(dev, 2 * HUGE_SZ, SHMAP_MODE_LAZY,
					 SHMAP_CREATE_HUGE, "lazy");
	struct shmap_info info = T_INFO(fd);
	uint64_t faults;
	char *p;

	CHECK_EQ(info.resident_pages, 0);
	CHECK_EQ(info.huge_folios, 0);
	CHECK_EQ(info.flags & SHMAP_INFO_HUGE, SHMAP_INFO_HUGE);
	p = T_MAP(fd, 2 * HUGE_SZ, PROT_READ | PROT_WRITE, 0);
	faults = T_STAT("faults");
	p[HUGE_SZ / 2 + 5] = 7;
	CHECK_EQ(T_STAT("faults") - faults, 1);
	info = T_INFO(fd);
	CHECK_EQ(info.resident_pages, HUGE_SZ / t_page());
	CHECK_EQ(info.huge_folios, 1);
	CHECK_EQ(smaps_kb(p, "FilePmdMapped"), 2048);
	CHECK_EQ(p[0], 0);
	CHECK_EQ(p[HUGE_SZ / 2 + 5], 7);
	CHECK_EQ(T_STAT("faults") - faults, 1);
	CHECK_SYS(munmap(p, 2 * HUGE_SZ));
	close(fd);
}

/*
 * Lazy: processes touching different pages of one span at once, each in
 * its own mapping, share one folio: the span is published whole, once.
 */
static void lazy_race(void)
{
	enum {
		N = 4
	};
	int dev = t_dev(), fd = T_CREATE(dev, HUGE_SZ, SHMAP_MODE_LAZY,
					 SHMAP_CREATE_HUGE, "race");
	int go[2], i, status, bad = 0;
	struct shmap_info info;
	pid_t pid[N];
	char c;

	REQUIRE_SYS(pipe(go));
	for (i = 0; i < N; i++) {
		pid[i] = fork();
		REQUIRE(pid[i] >= 0);
		if (!pid[i]) {
			char *p = mmap(NULL, HUGE_SZ, PROT_READ | PROT_WRITE,
				       MAP_SHARED, fd, 0);

			close(go[1]);
			if (p == MAP_FAILED || read(go[0], &c, 1) != 0)
				_exit(2);
			p[(size_t)i * (HUGE_SZ / N)] = (char)(i + 1);
			_exit(0);
		}
	}
	close(go[0]);
	close(go[1]); /* all children start */
	for (i = 0; i < N; i++) {
		CHECK_SYS(waitpid(pid[i], &status, 0));
		bad += !WIFEXITED(status) || WEXITSTATUS(status);
	}
	CHECK_EQ(bad, 0);
	info = T_INFO(fd);
	CHECK_EQ(info.resident_pages, HUGE_SZ / t_page());
	CHECK_EQ(info.huge_folios, 1);
	close(fd);
}

/*
 * Lazy NORESERVE: a span reserves its 512 pages against max_total_mb when
 * its folio comes; with less room than that left, the touch falls back to
 * one order-0 page and one page of reservation.
 */
static void lazy_noreserve(void)
{
	struct shmap_version v = { 0 };
	int dev = t_dev(), fd, fill[64], nfill = 0, i;
	uint64_t room;
	struct shmap_info info;
	char *p;

	REQUIRE_EQ(t_version(dev, &v), 0);
	fd = T_CREATE(dev, 2 * HUGE_SZ, SHMAP_MODE_LAZY,
		      SHMAP_CREATE_HUGE | SHMAP_CREATE_NORESERVE, "nores");
	CHECK_EQ(T_INFO(fd).reserved_pages, 0);
	p = T_MAP(fd, 2 * HUGE_SZ, PROT_READ | PROT_WRITE, 0);
	p[0] = 1;
	info = T_INFO(fd);
	CHECK_EQ(info.reserved_pages, HUGE_SZ / t_page());
	CHECK_EQ(info.huge_folios, 1);

	/* Leave 1 MiB of max_total_mb: lazy buffers reserve, allocate nothing. */
	room = v.max_total_size - T_STAT("pages_reserved") * t_page();
	REQUIRE(room > T_MIB);
	room -= T_MIB;
	while (room && nfill < 64) {
		uint64_t n =
			room < v.max_buffer_size ? room : v.max_buffer_size;
		fill[nfill] = T_CREATE(dev, n, SHMAP_MODE_LAZY, 0, "fill");
		nfill++;
		room -= n;
	}
	REQUIRE_EQ(room, 0);
	p[HUGE_SZ] = 2;
	info = T_INFO(fd);
	CHECK_EQ(info.reserved_pages, HUGE_SZ / t_page() + 1);
	CHECK_EQ(info.resident_pages, HUGE_SZ / t_page() + 1);
	CHECK_EQ(info.huge_folios, 1);
	CHECK_EQ(smaps_kb(p, "FilePmdMapped"), 2048);
	CHECK_EQ(p[HUGE_SZ], 2);
	for (i = 0; i < nfill; i++)
		close(fill[i]);
	CHECK_SYS(munmap(p, 2 * HUGE_SZ));
	close(fd);
}

#ifndef MADV_SOFT_OFFLINE
#define MADV_SOFT_OFFLINE 101
#endif

/*
 * Memory failure's soft offline (migrate the page away, then take it out of
 * use) cannot move a page it does not know ("unhandlable page": not on the
 * LRU, not in a page cache): EIO, and the page, its data and the PMD stay.
 * (The debug kernels have no memory failure: there madvise() does not know
 * the advice.)
 */
static void soft_offline(void)
{
	/* The sysctl exists with CONFIG_MEMORY_FAILURE; without, EINVAL. */
	int memory_failure =
		!access("/proc/sys/vm/memory_failure_recovery", F_OK);
	int dev = t_dev(), fd = huge_create(dev, HUGE_SZ);
	uint64_t allocated;
	char *p;

	p = T_MAP(fd, HUGE_SZ, PROT_READ | PROT_WRITE, 0);
	t_fill(p, HUGE_SZ, 9);
	allocated = T_STAT("pages_allocated");
	CHECK_ERRNO(madvise(p + 2 * t_page(), t_page(), MADV_SOFT_OFFLINE),
		    memory_failure ? EIO : EINVAL);
	CHECK_PATTERN(p, HUGE_SZ, 9);
	CHECK_EQ(smaps_kb(p, "FilePmdMapped"), 2048);
	CHECK_EQ(T_STAT("pages_allocated"), allocated);
	CHECK_SYS(munmap(p, HUGE_SZ));
	close(fd);
}

HUGE_MODES(pmd_mapped)
HUGE_MODES(tail_pages)
HUGE_MODES(offset_mapping)
HUGE_MODES(fork_shared)
HUGE_MODES(munmap_middle)
HUGE_MODES(mprotect_split)
HUGE_MODES(dontneed_part)
HUGE_MODES(mremap_move)
HUGE_MODES(odirect_pmd)
HUGE_MODES(futex_pmd)
HUGE_MODES(thp_policy)
HUGE_MODES(soft_offline)

static const struct tap_case cases[] = {
	TAP_CASE(feature),	    TAP_CASE(lazy_span),
	TAP_CASE(lazy_race),	    TAP_CASE(lazy_noreserve),
	HUGE_CASES(pmd_mapped),	    HUGE_CASES(tail_pages),
	HUGE_CASES(offset_mapping), HUGE_CASES(fork_shared),
	HUGE_CASES(munmap_middle),  HUGE_CASES(mprotect_split),
	HUGE_CASES(dontneed_part),  HUGE_CASES(mremap_move),
	HUGE_CASES(odirect_pmd),    HUGE_CASES(futex_pmd),
	HUGE_CASES(thp_policy),	    HUGE_CASES(soft_offline),
};

TAP_MAIN("huge", cases)
