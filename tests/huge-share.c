// SPDX-License-Identifier: GPL-2.0
/*
 * huge-share: huge buffers (SHMAP_CREATE_HUGE) with what shares and limits
 * them: read-only exports and seals on PMD-mapped folios, the memory
 * cgroup and max_total_mb, the reclaim hints MADV_COLD and MADV_PAGEOUT on
 * PMD-mapped ranges, and the count of 2 MiB folios that SHMAP_IOC_INFO and
 * shmap_buf_stat() report.
 *
 * Every case runs once per mode of modes[], the modes that can be huge:
 * a case touches what it checks through a mapping first, so that it holds
 * for a mode that allocates at fault time too.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "shmap.h"
#include "tshmap.h"

#define HUGE_SZ (2 * T_MIB)
#define HUGE_KB ((long)(HUGE_SZ / 1024))
/* What memory.current may hold besides the buffer's pages (index, file, stock). */
#define CG_SLACK (512 * 1024ULL)

static const uint32_t modes[] = { SHMAP_MODE_EAGER, SHMAP_MODE_LAZY };

/* Run @fn for every mode; a failure names its mode. */
static void each_mode(void (*fn)(uint32_t mode))
{
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		int failed = tap_failed;

		fn(modes[i]);
		if (tap_failed != failed)
			tap_diag("the failures above: mode %s",
				 t_mode_name(modes[i]));
	}
}

static int huge_create(int dev, uint64_t size, uint32_t mode)
{
	return T_CREATE(dev, size, mode, SHMAP_CREATE_HUGE, "huge-share");
}

/* A writable mapping of the whole buffer, filled with pattern @seed. */
static char *map_filled(int fd, size_t len, unsigned int seed)
{
	char *p = T_MAP(fd, len, PROT_READ | PROT_WRITE, 0);

	CHECK_EQ((uintptr_t)p % HUGE_SZ, 0);
	t_fill(p, len, seed);
	return p;
}

/* A mapping of a read-only export: PMDs, the writer's data, no write. */
static void ro_export_in(uint32_t mode)
{
	size_t len = 2 * HUGE_SZ;
	int dev = t_dev(), fd = huge_create(dev, len, mode), ro;
	struct shmap_info info;
	char *w, *r;

	w = map_filled(fd, len, 1);
	ro = t_export_ro(fd, 0);
	REQUIRE_GE(ro, 0);
	info = T_INFO(ro);
	CHECK_EQ(info.flags & (SHMAP_INFO_READONLY | SHMAP_INFO_HUGE),
		 SHMAP_INFO_READONLY | SHMAP_INFO_HUGE);
	r = T_MAP(ro, len, PROT_READ, 0);
	CHECK_EQ((uintptr_t)r % HUGE_SZ, 0);
	CHECK_PATTERN(r, len, 1);
	CHECK_EQ(t_smaps_kb(r, "FilePmdMapped"), 2 * HUGE_KB);
	/* The same folios: the writer's next stores show at once. */
	memset(w + HUGE_SZ + 4096 * 3 + 5, 0xa5, 100);
	CHECK_EQ((uint8_t)r[HUGE_SZ + 4096 * 3 + 5], 0xa5);
	CHECK_EQ((uint8_t)r[HUGE_SZ + 4096 * 3 + 104], 0xa5);
	CHECK_ERRNO(mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0),
		    EACCES);
	CHECK_ERRNO(mprotect(r, len, PROT_READ | PROT_WRITE), EACCES);
	CHECK_ERRNO(mprotect(r + HUGE_SZ, t_page(), PROT_READ | PROT_WRITE),
		    EACCES);
	CHECK_DIES(SIGSEGV, t_write_byte, r + HUGE_SZ);
	CHECK_EQ((uint8_t)r[HUGE_SZ + 4096 * 3 + 5], 0xa5);
	CHECK_SYS(munmap(r, len));
	CHECK_SYS(munmap(w, len));
	close(ro);
	close(fd);
	close(dev);
}

static void ro_export(void)
{
	each_mode(ro_export_in);
}

/*
 * SHMAP_SEAL_FUTURE_WRITE: no new writable mapping, the old one keeps
 * writing, and new read-only mappings map the folios with PMDs.
 */
static void seal_future_write_in(uint32_t mode)
{
	size_t len = 2 * HUGE_SZ;
	int dev = t_dev(), fd = huge_create(dev, len, mode);
	char *w, *r;

	w = map_filled(fd, len, 2);
	CHECK_EQ(t_smaps_kb(w, "FilePmdMapped"), 2 * HUGE_KB);
	REQUIRE_GE(t_seal(fd, SHMAP_SEAL_FUTURE_WRITE), 0);
	CHECK_ERRNO(mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0),
		    EPERM);
	CHECK_ERRNO(mmap(NULL, HUGE_SZ, PROT_WRITE, MAP_SHARED, fd, HUGE_SZ),
		    EPERM);
	r = T_MAP(fd, len, PROT_READ, 0);
	CHECK_EQ((uintptr_t)r % HUGE_SZ, 0);
	CHECK_ERRNO(mprotect(r, len, PROT_READ | PROT_WRITE), EACCES);
	t_fill(w, len, 3);
	CHECK_PATTERN(r, len, 3);
	CHECK_EQ(t_smaps_kb(r, "FilePmdMapped"), 2 * HUGE_KB);
	CHECK_EQ(t_smaps_kb(w, "FilePmdMapped"), 2 * HUGE_KB);
	CHECK_SYS(munmap(r, len));
	CHECK_SYS(munmap(w, len));
	close(fd);
	close(dev);
}

static void seal_future_write(void)
{
	each_mode(seal_future_write_in);
}

/* ---- memory cgroup ------------------------------------------------------ */

#define CG_SIZE (8 * T_MIB)

static struct t_cg cg;

static void cg_set_max(uint64_t bytes)
{
	char path[256], s[32];

	snprintf(path, sizeof(path), "%s/memory.max", cg.path);
	snprintf(s, sizeof(s), "%llu", (unsigned long long)bytes);
	REQUIRE_RET(tap_write_str(path, s), 0);
}

/* Touch every page of a mapping of @fd, in a child: its wait status. */
static void touch_all(void *arg)
{
	int fd = *(int *)arg;
	char *p = T_MAP(fd, CG_SIZE, PROT_READ | PROT_WRITE, 0);

	memset(p, 7, CG_SIZE);
}

/*
 * In the cgroup (where this child is the only task): with room for the
 * buffer plus 1 MiB it is created, charged its size, PMD-mapped where it
 * got folios, and uncharged when it goes; 1 MiB short of its size it
 * cannot be had (ENOMEM, or SIGBUS at the touch in a lazy mode), whatever
 * came in 2 MiB folios or not, and nothing stays charged.
 */
static void memcg_child(void *arg)
{
	uint32_t mode = *(uint32_t *)arg;
	uint64_t pg = t_page(), c0, cur;
	struct shmap_info info;
	int dev, fd;
	char *p;

	t_cg_enter(&cg);
	dev = t_dev();
	c0 = t_cg_u64(&cg, "memory.current");
	cg_set_max(c0 + CG_SIZE + T_MIB);
	fd = t_create(dev, CG_SIZE, mode, SHMAP_CREATE_HUGE, NULL);
	REQUIRE_GE(fd, 0);
	p = map_filled(fd, CG_SIZE, 4);
	CHECK_PATTERN(p, CG_SIZE, 4);
	info = T_INFO(fd);
	cur = t_cg_u64(&cg, "memory.current");
	tap_describe("fits: %llu of %llu spans in 2 MiB folios, charged %llu kB for %llu kB",
		     (unsigned long long)info.huge_folios,
		     (unsigned long long)(CG_SIZE / HUGE_SZ),
		     (unsigned long long)((cur - c0) >> 10),
		     (unsigned long long)(CG_SIZE >> 10));
	CHECK_EQ(info.resident_pages, CG_SIZE / pg);
	CHECK_LE(info.huge_folios, CG_SIZE / HUGE_SZ);
	CHECK_EQ(t_smaps_kb(p, "FilePmdMapped"), (long)info.huge_folios * HUGE_KB);
	CHECK_GE(cur - c0, CG_SIZE);
	CHECK_LE(cur - c0, CG_SIZE + CG_SLACK);
	CHECK_SYS(munmap(p, CG_SIZE));
	close(fd);
	cur = t_cg_u64(&cg, "memory.current");
	CHECK_LE(cur, c0 + CG_SLACK);

	c0 = cur;
	cg_set_max(c0 + CG_SIZE - T_MIB);
	fd = t_create(dev, CG_SIZE, mode, SHMAP_CREATE_HUGE, NULL);
	if (mode == SHMAP_MODE_EAGER) {
		CHECK_EQ(fd, -ENOMEM);
	} else {
		REQUIRE_GE(fd, 0);
		CHECK_DIES(SIGBUS, touch_all, &fd);
	}
	if (fd >= 0)
		close(fd);
	CHECK_LE(t_cg_u64(&cg, "memory.current"), c0 + CG_SLACK);
	close(dev);
}

static void memcg_in(uint32_t mode)
{
	uint64_t before = T_STAT("pages_allocated");

	t_cg_create(&cg, "huge", 256 * T_MIB);
	CHECK_EXIT0(tap_run_child(memcg_child, &mode));
	CHECK_EQ(t_cg_event(&cg, "oom_kill"), 0);
	CHECK_EQ(T_STAT("pages_allocated"), before);
	t_cg_remove(&cg);
}

static void memcg(void)
{
	each_mode(memcg_in);
}

/* ---- max_total_mb ------------------------------------------------------- */

static char total_saved[32];
static pid_t total_setter;

static void total_restore(void)
{
	if (getpid() == total_setter)
		tap_write_str(T_PARAMS "max_total_mb", total_saved);
}

/* max_total_mb = @mb until this case's process exits. */
static void set_total_mb(unsigned int mb)
{
	char s[32];

	if (!total_setter) {
		snprintf(total_saved, sizeof(total_saved), "%llu",
			 (unsigned long long)T_PARAM("max_total_mb"));
		total_setter = getpid();
		atexit(total_restore);
	}
	snprintf(s, sizeof(s), "%u", mb);
	REQUIRE_RET(tap_write_str(T_PARAMS "max_total_mb", s), 0);
}

/*
 * Huge buffers reserve their size against max_total_mb like any other:
 * ENOSPC past it, whole 2 MiB spans or single pages alike, and every
 * reservation comes back when they are gone.
 */
static void max_total_in(uint32_t mode)
{
	uint64_t pg = t_page(), total = 8 * T_MIB;
	int dev = t_dev(), a, b;
	char *p;

	REQUIRE_EQ(T_STAT("pages_reserved"), 0);
	set_total_mb(total / T_MIB);
	a = huge_create(dev, total, mode);
	CHECK_EQ(T_STAT("pages_reserved"), total / pg);
	CHECK_EQ(T_INFO(a).reserved_pages, total / pg);
	CHECK_EQ(t_create(dev, HUGE_SZ, mode, SHMAP_CREATE_HUGE, NULL), -ENOSPC);
	CHECK_EQ(t_create(dev, pg, mode, SHMAP_CREATE_HUGE, NULL), -ENOSPC);
	CHECK_EQ(t_create(dev, pg, mode, 0, NULL), -ENOSPC);
	p = map_filled(a, total, 5);
	CHECK_EQ(t_smaps_kb(p, "FilePmdMapped"),
		 (long)T_INFO(a).huge_folios * HUGE_KB);
	CHECK_EQ(T_STAT("pages_reserved"), total / pg);
	CHECK_SYS(munmap(p, total));
	close(a);
	CHECK_EQ(T_STAT("pages_reserved"), 0);
	/* Two halves fill it exactly; then not one page more. */
	a = huge_create(dev, total / 2, mode);
	b = huge_create(dev, total / 2, mode);
	CHECK_EQ(T_STAT("pages_reserved"), total / pg);
	CHECK_EQ(t_create(dev, pg, mode, SHMAP_CREATE_HUGE, NULL), -ENOSPC);
	close(a);
	CHECK_EQ(T_STAT("pages_reserved"), total / 2 / pg);
	close(b);
	CHECK_EQ(T_STAT("pages_reserved"), 0);
	CHECK_EQ(T_STAT("pages_allocated"), 0);
	close(dev);
}

static void max_total(void)
{
	each_mode(max_total_in);
}

/* ---- MADV_COLD, MADV_PAGEOUT ---------------------------------------------- */

/*
 * The reclaim hints on PMD-mapped folios, whole and in part: buffer pages
 * are not on the LRU, so nothing is reclaimed; whatever madvise() answers,
 * the data, the mapping's PMDs and the counters stay.
 */
static void reclaim_hints_in(uint32_t mode)
{
	static const struct {
		int advice;
		const char *name;
		size_t off, len;
	} hints[] = {
		{ MADV_COLD, "MADV_COLD", 0, 2 * HUGE_SZ },
		{ MADV_PAGEOUT, "MADV_PAGEOUT", 0, 2 * HUGE_SZ },
		{ MADV_COLD, "MADV_COLD of part of a folio", HUGE_SZ / 2, T_MIB },
		{ MADV_PAGEOUT, "MADV_PAGEOUT of part of a folio", HUGE_SZ / 2, T_MIB },
	};
	size_t len = 2 * HUGE_SZ, i;
	int dev = t_dev(), fd = huge_create(dev, len, mode);
	struct shmap_info before, after;
	uint64_t allocated;
	char said[256] = "";
	char *p;

	p = map_filled(fd, len, 6);
	before = T_INFO(fd);
	allocated = T_STAT("pages_allocated");
	CHECK_EQ(t_smaps_kb(p, "FilePmdMapped"), (long)before.huge_folios * HUGE_KB);
	for (i = 0; i < sizeof(hints) / sizeof(hints[0]); i++) {
		int r, e;

		errno = 0;
		r = madvise(p + hints[i].off, hints[i].len, hints[i].advice);
		e = errno;
		if (r && e != EINVAL)
			TAP_FAIL("%s: %s", hints[i].name, tap_errname(e));
		snprintf(said + strlen(said), sizeof(said) - strlen(said), "%s%s %s",
			 i ? ", " : "", hints[i].name, r ? tap_errname(e) : "0");
		CHECK_PATTERN(p, len, 6);
		after = T_INFO(fd);
		CHECK_EQ(after.resident_pages, before.resident_pages);
		CHECK_EQ(after.huge_folios, before.huge_folios);
		CHECK_EQ(after.reserved_pages, before.reserved_pages);
		CHECK_EQ(T_STAT("pages_allocated"), allocated);
		CHECK_EQ(t_smaps_kb(p, "FilePmdMapped"),
			 (long)before.huge_folios * HUGE_KB);
	}
	tap_describe("%s", said);
	/* Still one buffer: another mapping sees the same data. */
	t_fill(p, len, 7);
	CHECK_SYS(munmap(p, len));
	p = T_MAP(fd, len, PROT_READ, 0);
	CHECK_PATTERN(p, len, 7);
	CHECK_SYS(munmap(p, len));
	close(fd);
	close(dev);
}

static void reclaim_hints(void)
{
	each_mode(reclaim_hints_in);
}

/* ---- INFO and shmap_buf_stat() ------------------------------------------ */

/* What libshmap's shmap_buf_stat() says of @fd (through a handle of its own). */
static struct shmap_buf_stat lib_stat(int fd)
{
	struct shmap_buf_stat st;
	struct shmap_buf *buf;

	memset(&st, 0xff, sizeof(st));
	REQUIRE_RET(shmap_buf_import(fd, &buf), 0);
	CHECK_RET(shmap_buf_stat(buf, &st, sizeof(st)), 0);
	shmap_buf_close(buf);
	return st;
}

/* @size bytes made huge or not, touched: @folios folios, the flag. */
static void check_counts(int dev, uint32_t mode, uint64_t size, uint32_t flags,
			 uint64_t folios)
{
	int fd = T_CREATE(dev, size, mode, flags, NULL);
	uint32_t want = (flags & SHMAP_CREATE_HUGE) ? SHMAP_INFO_HUGE : 0;
	struct shmap_buf_stat st;
	struct shmap_info info;
	char *p;

	if (mode == SHMAP_MODE_EAGER)
		CHECK_EQ(T_INFO(fd).huge_folios, folios);
	p = T_MAP(fd, size, PROT_READ | PROT_WRITE, 0);
	memset(p, 1, size);
	info = T_INFO(fd);
	CHECK_EQ(info.huge_folios, folios);
	CHECK_EQ(info.flags & SHMAP_INFO_HUGE, want);
	CHECK_EQ(info.resident_pages, size / t_page());
	st = lib_stat(fd);
	CHECK_EQ(st.huge_folios, folios);
	CHECK_EQ(st.flags & SHMAP_BUF_INFO_HUGE, want);
	CHECK_EQ(st.resident_pages, info.resident_pages);
	CHECK_EQ(st.ino, info.ino);
	CHECK_EQ(t_smaps_kb(p, "FilePmdMapped"), (long)folios * HUGE_KB);
	CHECK_SYS(munmap(p, size));
	close(fd);
}

/*
 * In a fresh guest every whole span gets its folio: size / 2 MiB of them,
 * also through libshmap; none for a buffer that is not huge, and no flag.
 */
static void info_stat_in(uint32_t mode)
{
	int dev = t_dev();

	check_counts(dev, mode, 4 * HUGE_SZ, SHMAP_CREATE_HUGE, 4);
	check_counts(dev, mode, 2 * HUGE_SZ + HUGE_SZ / 2 + t_page(),
		     SHMAP_CREATE_HUGE, 2);
	check_counts(dev, mode, HUGE_SZ - t_page(), SHMAP_CREATE_HUGE, 0);
	check_counts(dev, mode, 4 * HUGE_SZ, 0, 0);
	CHECK_EQ(T_STAT("pages_allocated"), 0);
	close(dev);
}

static void info_stat(void)
{
	each_mode(info_stat_in);
}

static const struct tap_case cases[] = {
	TAP_CASE(ro_export),
	TAP_CASE(seal_future_write),
	TAP_CASE_T(memcg, 120),
	TAP_CASE(max_total),
	TAP_CASE(reclaim_hints),
	TAP_CASE(info_stat),
};

TAP_MAIN("huge-share", cases)
