// SPDX-License-Identifier: GPL-2.0
/*
 * limits: max_buffer_mb and max_total_mb, reservations, NORESERVE faults
 * past the total (SIGBUS), the stats counters, run-time parameter writes.
 *
 * suite.sh loads the module with small limits for this program
 * (max_buffer_mb=12 max_total_mb=16); any B < T < 2B works: the sizes
 * below are derived from the parameters.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "tshmap.h"

static uint64_t B, T;	/* max_buffer and max_total, bytes */

static void load_limits(void)
{
	B = T_PARAM("max_buffer_mb") * T_MIB;
	T = T_PARAM("max_total_mb") * T_MIB;
	if (!(B < T && T < 2 * B && T <= 256 * T_MIB)) {
		TAP_FAIL("limits needs max_buffer_mb < max_total_mb < 2 * max_buffer_mb "
			 "(and a small total): got %llu and %llu MiB",
			 (unsigned long long)(B / T_MIB), (unsigned long long)(T / T_MIB));
		tap_abort();
	}
	REQUIRE_EQ(T_STAT("buffers"), 0);
	REQUIRE_EQ(T_STAT("pages_reserved"), 0);
	REQUIRE_EQ(T_STAT("pages_allocated"), 0);
}

static void check_idle(void)
{
	CHECK_EQ(T_STAT("buffers"), 0);
	CHECK_EQ(T_STAT("pages_reserved"), 0);
	CHECK_EQ(T_STAT("pages_allocated"), 0);
}

static void efbig(void)
{
	int dev = t_dev(), fd;

	load_limits();
	CHECK_EQ(t_create(dev, B + T_MIB, SHMAP_MODE_LAZY, 0, NULL), -EFBIG);
	CHECK_EQ(t_create(dev, B + 1, SHMAP_MODE_LAZY, 0, NULL), -EFBIG);
	CHECK_EQ(t_create(dev, B + 1, SHMAP_MODE_EAGER, 0, NULL), -EFBIG);
	CHECK_EQ(t_create(dev, B + 1, SHMAP_MODE_LAZY, SHMAP_CREATE_NORESERVE, NULL), -EFBIG);
	CHECK_EQ(t_create(dev, T, SHMAP_MODE_LAZY, SHMAP_CREATE_NORESERVE, NULL), -EFBIG);
	fd = t_create(dev, B, SHMAP_MODE_LAZY, 0, NULL);
	CHECK_GE(fd, 0);
	close(fd);
	close(dev);
	check_idle();
}

static void enospc_reserved(void)
{
	int dev = t_dev(), a, b, c;
	uint64_t pg = t_page();

	load_limits();
	a = T_CREATE(dev, B, SHMAP_MODE_LAZY, 0, NULL);
	CHECK_EQ(T_STAT("pages_reserved"), B / pg);
	CHECK_EQ(t_create(dev, T - B + pg, SHMAP_MODE_LAZY, 0, NULL), -ENOSPC);
	CHECK_EQ(t_create(dev, B, SHMAP_MODE_LAZY, 0, NULL), -ENOSPC);
	CHECK_EQ(T_STAT("pages_reserved"), B / pg);
	CHECK_EQ(T_STAT("buffers"), 1);
	/* Exactly what is left fits; then not one page more. */
	b = T_CREATE(dev, T - B, SHMAP_MODE_LAZY, 0, NULL);
	CHECK_EQ(T_STAT("pages_reserved"), T / pg);
	CHECK_EQ(t_create(dev, 1, SHMAP_MODE_LAZY, 0, NULL), -ENOSPC);
	CHECK_EQ(t_create(dev, 1, SHMAP_MODE_EAGER, 0, NULL), -ENOSPC);
	/* Nothing was allocated by the reservations. */
	CHECK_EQ(T_STAT("pages_allocated"), 0);
	/* Closing one gives its reservation back. */
	close(a);
	CHECK_EQ(T_STAT("pages_reserved"), (T - B) / pg);
	c = T_CREATE(dev, B, SHMAP_MODE_LAZY, 0, NULL);
	close(b);
	close(c);
	close(dev);
	check_idle();
}

static void eager_counts_against_total(void)
{
	int dev = t_dev(), a;
	uint64_t pg = t_page();

	load_limits();
	a = T_CREATE(dev, B, SHMAP_MODE_EAGER, 0, NULL);
	CHECK_EQ(T_STAT("pages_reserved"), B / pg);
	CHECK_EQ(T_STAT("pages_allocated"), B / pg);
	CHECK_EQ(t_create(dev, T - B + pg, SHMAP_MODE_LAZY, 0, NULL), -ENOSPC);
	CHECK_EQ(t_create(dev, T - B + pg, SHMAP_MODE_EAGER, 0, NULL), -ENOSPC);
	close(a);
	a = T_CREATE(dev, B, SHMAP_MODE_LAZY, 0, NULL);
	CHECK_EQ(t_create(dev, T - B + pg, SHMAP_MODE_EAGER, 0, NULL), -ENOSPC);
	CHECK_EQ(T_STAT("pages_allocated"), 0);
	close(a);
	close(dev);
	check_idle();
}

struct touch_arg {
	char *p;
	uint64_t pages;
	volatile uint64_t *progress;
};

static void toucher(void *arg)
{
	struct touch_arg *t = arg;
	uint64_t i;

	for (i = 0; i < t->pages; i++) {
		t->p[i * t_page()] = 1;
		*t->progress = i + 1;
	}
}

static void noreserve_sigbus(void)
{
	int dev = t_dev(), a, b;
	uint64_t pg = t_page();
	struct touch_arg t;
	char *pa, *pb;

	load_limits();
	/* 2B > T: created fine, nothing reserved yet. */
	a = T_CREATE(dev, B, SHMAP_MODE_LAZY, SHMAP_CREATE_NORESERVE, NULL);
	b = T_CREATE(dev, B, SHMAP_MODE_LAZY, SHMAP_CREATE_NORESERVE, NULL);
	CHECK_EQ(T_STAT("pages_reserved"), 0);
	CHECK_EQ(T_INFO(a).reserved_pages, 0);
	pa = T_MAP(a, B, PROT_READ | PROT_WRITE, 0);
	pb = T_MAP(b, B, PROT_READ | PROT_WRITE, 0);
	t.progress = REQUIRE_MAP(mmap(NULL, pg, PROT_READ | PROT_WRITE,
				      MAP_SHARED | MAP_ANONYMOUS, -1, 0));

	/* All of the first fits. */
	*t.progress = 0;
	t.p = pa;
	t.pages = B / pg;
	CHECK_LIVES(toucher, &t);
	CHECK_EQ(*t.progress, B / pg);
	CHECK_EQ(T_STAT("pages_reserved"), B / pg);
	CHECK_EQ(T_INFO(a).reserved_pages, B / pg);
	CHECK_EQ(T_INFO(a).resident_pages, B / pg);

	/* The second gets SIGBUS exactly when the total is used up. */
	*t.progress = 0;
	t.p = pb;
	CHECK_DIES(SIGBUS, toucher, &t);
	CHECK_EQ(*t.progress, (T - B) / pg);
	CHECK_EQ(T_STAT("pages_reserved"), T / pg);
	CHECK_EQ(T_STAT("pages_allocated"), T / pg);
	CHECK_EQ(T_INFO(b).resident_pages, (T - B) / pg);
	/* The touched pages are fine, the next one is not. */
	CHECK_LIVES(t_write_byte, pb);
	CHECK_DIES(SIGBUS, t_read_byte, pb + (T - B));

	/* Freeing the first buffer makes room for the rest of the second. */
	munmap(pa, B);
	close(a);
	CHECK_EQ(T_STAT("pages_reserved"), (T - B) / pg);
	*t.progress = 0;
	CHECK_LIVES(toucher, &t);
	CHECK_EQ(*t.progress, B / pg);
	CHECK_EQ(T_STAT("pages_reserved"), B / pg);
	munmap(pb, B);
	close(b);
	close(dev);
	check_idle();
}

static void counters(void)
{
	int dev = t_dev(), l, n, e;
	uint64_t pg = t_page(), f0;
	char *p;
	int i;

	load_limits();
	/* The counts below are of one page per touch. */
	T_WINDOW1();
	f0 = T_STAT("faults");
	l = T_CREATE(dev, T_MIB, SHMAP_MODE_LAZY, 0, NULL);
	CHECK_EQ(T_STAT("buffers"), 1);
	CHECK_EQ(T_STAT("pages_reserved"), T_MIB / pg);
	CHECK_EQ(T_STAT("pages_allocated"), 0);
	p = T_MAP(l, T_MIB, PROT_READ | PROT_WRITE, 0);
	for (i = 0; i < 10; i++)
		p[i * 3 * pg] = 1;
	CHECK_EQ(T_STAT("pages_allocated"), 10);
	CHECK_EQ(T_STAT("faults"), f0 + 10);
	CHECK_EQ(T_STAT("pages_reserved"), T_MIB / pg);

	n = T_CREATE(dev, T_MIB, SHMAP_MODE_LAZY, SHMAP_CREATE_NORESERVE, NULL);
	CHECK_EQ(T_STAT("buffers"), 2);
	CHECK_EQ(T_STAT("pages_reserved"), T_MIB / pg);
	munmap(p, T_MIB);
	p = T_MAP(n, T_MIB, PROT_READ | PROT_WRITE, 0);
	p[0] = 1;
	p[pg] = 1;
	CHECK_EQ(T_STAT("pages_reserved"), T_MIB / pg + 2);
	CHECK_EQ(T_STAT("pages_allocated"), 12);
	CHECK_EQ(T_STAT("faults"), f0 + 12);

	e = T_CREATE(dev, 2 * T_MIB, SHMAP_MODE_EAGER, 0, NULL);
	CHECK_EQ(T_STAT("buffers"), 3);
	CHECK_EQ(T_STAT("pages_allocated"), 12 + 2 * T_MIB / pg);
	CHECK_EQ(T_STAT("pages_reserved"), T_MIB / pg + 2 + 2 * T_MIB / pg);

	close(l);
	CHECK_EQ(T_STAT("buffers"), 2);
	CHECK_EQ(T_STAT("pages_allocated"), 2 + 2 * T_MIB / pg);
	close(e);
	close(n);
	/* n is still mapped: still alive. */
	CHECK_EQ(T_STAT("buffers"), 1);
	CHECK_EQ(T_STAT("pages_allocated"), 2);
	CHECK_EQ(T_STAT("pages_reserved"), 2);
	munmap(p, T_MIB);
	close(dev);
	check_idle();
	/* faults only goes up. */
	CHECK_EQ(T_STAT("faults"), f0 + 12);
}

static void counter_files(void)
{
	static const char *const names[] = {
		"buffers", "pages_allocated", "pages_reserved", "faults",
	};
	char path[256], buf[64];
	struct stat st;
	size_t i;

	for (i = 0; i < 4; i++) {
		size_t n;

		snprintf(path, sizeof(path), T_STATS "%s", names[i]);
		REQUIRE_SYS(stat(path, &st));
		CHECK_EQ(st.st_mode & 0777, 0444);
		REQUIRE_EQ(tap_read_str(path, buf, sizeof(buf)), 0);
		n = strspn(buf, "0123456789");
		if (!n || buf[n])
			TAP_FAIL("%s holds \"%s\", not a decimal number", path, buf);
		CHECK_NE(tap_write_str(path, "0"), 0);
	}
}

static void param_files(void)
{
	static const struct { const char *name; unsigned int mode; } p[] = {
		{ "dev_mode", 0444 }, { "default_mode", 0644 },
		{ "max_buffer_mb", 0644 }, { "max_total_mb", 0644 },
	};
	char path[256];
	struct stat st;
	size_t i;

	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), T_PARAMS "%s", p[i].name);
		REQUIRE_SYS(stat(path, &st));
		if ((st.st_mode & 0777) != p[i].mode)
			TAP_FAIL("%s: mode %o, expected %o", path, st.st_mode & 0777, p[i].mode);
	}
}

static void check_bad_writes(const char *param)
{
	static const char *const bad[] = {
		"0", "0\n", "-5", "-5\n", "abc", "abc\n", "1048577", "4294967296",
		"99999999999999999999999", "12abc", " ",
	};
	char path[256];
	uint64_t before = T_PARAM(param);
	size_t i;

	snprintf(path, sizeof(path), T_PARAMS "%s", param);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = tap_write_str(path, bad[i]);

		if (r != -EINVAL)
			TAP_FAIL("writing \"%s\" to %s: got %s, expected EINVAL",
				 bad[i], param, r ? tap_errname(-r) : "success");
		CHECK_EQ(T_PARAM(param), before);
	}
}

static void max_buffer_runtime(void)
{
	int dev = t_dev(), fd;
	struct shmap_version v;
	uint64_t old;

	load_limits();
	old = T_PARAM("max_buffer_mb");
	REQUIRE_RET(tap_write_str(T_PARAMS "max_buffer_mb", "4"), 0);
	CHECK_EQ(T_PARAM("max_buffer_mb"), 4);
	REQUIRE_EQ(t_version(dev, &v), 0);
	CHECK_EQ(v.max_buffer_size, 4 * T_MIB);
	CHECK_EQ(t_create(dev, 4 * T_MIB + 1, SHMAP_MODE_LAZY, 0, NULL), -EFBIG);
	fd = t_create(dev, 4 * T_MIB, SHMAP_MODE_LAZY, 0, NULL);
	CHECK_GE(fd, 0);
	close(fd);
	REQUIRE_RET(tap_write_str(T_PARAMS "max_buffer_mb", "5\n"), 0);
	CHECK_EQ(T_PARAM("max_buffer_mb"), 5);
	fd = t_create(dev, 5 * T_MIB, SHMAP_MODE_LAZY, 0, NULL);
	CHECK_GE(fd, 0);
	close(fd);
	check_bad_writes("max_buffer_mb");
	/* The largest valid value. */
	CHECK_RET(tap_write_str(T_PARAMS "max_buffer_mb", "1048576"), 0);
	CHECK_EQ(T_PARAM("max_buffer_mb"), 1048576);
	{
		char s[32];

		snprintf(s, sizeof(s), "%llu", (unsigned long long)old);
		CHECK_RET(tap_write_str(T_PARAMS "max_buffer_mb", s), 0);
	}
	CHECK_EQ(T_PARAM("max_buffer_mb"), old);
	close(dev);
	check_idle();
}

static void max_total_runtime(void)
{
	int dev = t_dev(), a, fd;
	uint64_t pg = t_page(), old;
	struct shmap_version v;
	char s[32], *p;

	load_limits();
	old = T_PARAM("max_total_mb");
	check_bad_writes("max_total_mb");
	a = T_CREATE(dev, B, SHMAP_MODE_LAZY, 0, NULL);
	/* Lowering below what is reserved only affects new reservations. */
	snprintf(s, sizeof(s), "%llu", (unsigned long long)(B / T_MIB - 1));
	REQUIRE_RET(tap_write_str(T_PARAMS "max_total_mb", s), 0);
	REQUIRE_EQ(t_version(dev, &v), 0);
	CHECK_EQ(v.max_total_size, B - T_MIB);
	CHECK_EQ(T_STAT("pages_reserved"), B / pg);
	CHECK_EQ(t_create(dev, pg, SHMAP_MODE_LAZY, 0, NULL), -ENOSPC);
	p = T_MAP(a, B, PROT_READ | PROT_WRITE, 0);
	memset(p, 1, B);
	CHECK_EQ(T_INFO(a).resident_pages, B / pg);
	munmap(p, B);
	close(a);
	/* Raising it makes room at once. */
	snprintf(s, sizeof(s), "%llu", (unsigned long long)(old + 1));
	REQUIRE_RET(tap_write_str(T_PARAMS "max_total_mb", s), 0);
	fd = t_create(dev, old * T_MIB + T_MIB > B ? B : old * T_MIB + T_MIB, SHMAP_MODE_LAZY, 0, NULL);
	CHECK_GE(fd, 0);
	close(fd);
	snprintf(s, sizeof(s), "%llu", (unsigned long long)old);
	CHECK_RET(tap_write_str(T_PARAMS "max_total_mb", s), 0);
	CHECK_EQ(T_PARAM("max_total_mb"), old);
	close(dev);
	check_idle();
}

static void default_mode_runtime(void)
{
	static const char *const bad[] = { "bogus", "eagerly", "EAGER ", "1", "lazy eager" };
	char old[32], s[32];
	int dev = t_dev(), fd;
	size_t i;

	REQUIRE_EQ(tap_read_str(T_PARAMS "default_mode", old, sizeof(old)), 0);
	CHECK_RET(tap_write_str(T_PARAMS "default_mode", "eager"), 0);
	REQUIRE_EQ(tap_read_str(T_PARAMS "default_mode", s, sizeof(s)), 0);
	CHECK(!strcmp(s, "eager"));
	fd = T_CREATE(dev, t_page(), SHMAP_MODE_DEFAULT, 0, NULL);
	CHECK_EQ(T_INFO(fd).mode, SHMAP_MODE_EAGER);
	close(fd);
	CHECK_RET(tap_write_str(T_PARAMS "default_mode", "lazy\n"), 0);
	REQUIRE_EQ(tap_read_str(T_PARAMS "default_mode", s, sizeof(s)), 0);
	CHECK(!strcmp(s, "lazy"));
	fd = T_CREATE(dev, t_page(), SHMAP_MODE_DEFAULT, 0, NULL);
	CHECK_EQ(T_INFO(fd).mode, SHMAP_MODE_LAZY);
	close(fd);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = tap_write_str(T_PARAMS "default_mode", bad[i]);

		if (r != -EINVAL)
			TAP_FAIL("writing \"%s\" to default_mode: got %s, expected EINVAL",
				 bad[i], r ? tap_errname(-r) : "success");
		REQUIRE_EQ(tap_read_str(T_PARAMS "default_mode", s, sizeof(s)), 0);
		CHECK(!strcmp(s, "lazy"));
	}
	CHECK_RET(tap_write_str(T_PARAMS "default_mode", old), 0);
	close(dev);
}

static void dev_mode_readonly(void)
{
	char s[32];

	REQUIRE_EQ(tap_read_str(T_PARAMS "dev_mode", s, sizeof(s)), 0);
	tap_diag("dev_mode reads \"%s\"", s);
	CHECK_NE(tap_write_str(T_PARAMS "dev_mode", "0600"), 0);
}

static const struct tap_case cases[] = {
	TAP_CASE(efbig),
	TAP_CASE(enospc_reserved),
	TAP_CASE(eager_counts_against_total),
	TAP_CASE_T(noreserve_sigbus, 120),
	TAP_CASE(counters),
	TAP_CASE(counter_files),
	TAP_CASE(param_files),
	TAP_CASE(max_buffer_runtime),
	TAP_CASE(max_total_runtime),
	TAP_CASE(default_mode_runtime),
	TAP_CASE(dev_mode_readonly),
};

TAP_MAIN("limits", cases)
