// SPDX-License-Identifier: GPL-2.0
/*
 * create: SHMAP_IOC_CREATE: sizes and their rounding, limits, modes and
 * flags, names (validation and /proc/PID/maps), close-on-exec, inodes,
 * INFO fields, the default_mode parameter.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "tshmap.h"

static void size_zero(void)
{
	int dev = t_dev();

	CHECK_EQ(t_create(dev, 0, SHMAP_MODE_LAZY, 0, NULL), -EINVAL);
	CHECK_EQ(t_create(dev, 0, SHMAP_MODE_EAGER, 0, NULL), -EINVAL);
	CHECK_EQ(t_create(dev, 0, SHMAP_MODE_DEFAULT, 0, NULL), -EINVAL);
	CHECK_EQ(T_STAT("buffers"), 0);
	close(dev);
}

static void check_rounding(uint32_t mode, uint64_t size, uint64_t want)
{
	int dev = t_dev();
	int fd = T_CREATE(dev, size, mode, 0, NULL);
	struct shmap_info in = T_INFO(fd);
	struct stat st;

	CHECK_EQ(in.size, want);
	REQUIRE_SYS(fstat(fd, &st));
	CHECK_EQ(st.st_size, want);
	if (mode == SHMAP_MODE_EAGER)
		CHECK_EQ(in.resident_pages, want / t_page());
	close(fd);
	close(dev);
}

static void size_one_byte(void)
{
	check_rounding(SHMAP_MODE_LAZY, 1, t_page());
	check_rounding(SHMAP_MODE_EAGER, 1, t_page());
}

static void size_unaligned(void)
{
	size_t pg = t_page();

	check_rounding(SHMAP_MODE_LAZY, 3 * pg + 5, 4 * pg);
	check_rounding(SHMAP_MODE_EAGER, 3 * pg + 5, 4 * pg);
	check_rounding(SHMAP_MODE_LAZY, 5 * pg - 1, 5 * pg);
	check_rounding(SHMAP_MODE_LAZY, 5 * pg, 5 * pg);
}

static uint64_t max_buffer(int dev)
{
	struct shmap_version v;

	REQUIRE_EQ(t_version(dev, &v), 0);
	return v.max_buffer_size;
}

static void size_over_max_buffer(void)
{
	int dev = t_dev();
	uint64_t max = max_buffer(dev);
	int fd;

	CHECK_EQ(max, T_PARAM("max_buffer_mb") * T_MIB);
	CHECK_EQ(t_create(dev, max + 1, SHMAP_MODE_LAZY, SHMAP_CREATE_NORESERVE, NULL), -EFBIG);
	CHECK_EQ(t_create(dev, max + 1, SHMAP_MODE_LAZY, 0, NULL), -EFBIG);
	CHECK_EQ(t_create(dev, max + 1, SHMAP_MODE_EAGER, 0, NULL), -EFBIG);
	CHECK_EQ(t_create(dev, max + t_page(), SHMAP_MODE_EAGER, 0, NULL), -EFBIG);
	CHECK_EQ(t_create(dev, 2 * max, SHMAP_MODE_DEFAULT, 0, NULL), -EFBIG);
	/* Exactly the limit is fine (NORESERVE: no reservation needed). */
	fd = t_create(dev, max, SHMAP_MODE_LAZY, SHMAP_CREATE_NORESERVE, NULL);
	CHECK_GE(fd, 0);
	if (fd >= 0) {
		struct shmap_info in = T_INFO(fd);

		CHECK_EQ(in.size, max);
		CHECK_EQ(in.resident_pages, 0);
		close(fd);
	}
	CHECK_EQ(T_STAT("buffers"), 0);
	close(dev);
}

static void size_overflow(void)
{
	int dev = t_dev();
	uint64_t pg = t_page();
	uint32_t modes[] = { SHMAP_MODE_LAZY, SHMAP_MODE_EAGER, SHMAP_MODE_DEFAULT };
	size_t i;

	for (i = 0; i < 3; i++) {
		CHECK_EQ(t_create(dev, UINT64_MAX, modes[i], 0, NULL), -EFBIG);
		/* Rounds up to 2^64, that is 0. */
		CHECK_EQ(t_create(dev, UINT64_MAX - pg + 2, modes[i], 0, NULL), -EFBIG);
		CHECK_EQ(t_create(dev, UINT64_MAX - pg + 1, modes[i], 0, NULL), -EFBIG);
		CHECK_EQ(t_create(dev, 1ULL << 63, modes[i], 0, NULL), -EFBIG);
		CHECK_EQ(t_create(dev, (1ULL << 32) * pg, modes[i], 0, NULL), -EFBIG);
	}
	CHECK_EQ(t_create(dev, UINT64_MAX - pg + 2, SHMAP_MODE_LAZY,
			  SHMAP_CREATE_NORESERVE, NULL), -EFBIG);
	CHECK_EQ(T_STAT("buffers"), 0);
	close(dev);
}

static void size_over_max_total(void)
{
	int dev = t_dev();
	struct shmap_version v;
	uint64_t size, before;
	int fds[64], n = 0, r = 0, i;

	REQUIRE_EQ(t_version(dev, &v), 0);
	CHECK_EQ(v.max_total_size, T_PARAM("max_total_mb") * T_MIB);
	before = T_STAT("pages_reserved");
	CHECK_EQ(before, 0);
	/* Lazy buffers reserve without allocating: fill up the total. */
	size = v.max_buffer_size < v.max_total_size ? v.max_buffer_size : v.max_total_size;
	while (n < 64) {
		r = t_create(dev, size, SHMAP_MODE_LAZY, 0, NULL);
		if (r < 0)
			break;
		fds[n++] = r;
	}
	CHECK_EQ(r, -ENOSPC);
	CHECK_LE((uint64_t)n * size, v.max_total_size);
	CHECK_GT(((uint64_t)n + 1) * size, v.max_total_size);
	CHECK_EQ(T_STAT("pages_reserved"), (uint64_t)n * size / t_page());
	/* What is left still fits, one page more does not. */
	if (v.max_total_size > n * size) {
		uint64_t rest = v.max_total_size - n * size;

		CHECK_EQ(t_create(dev, rest + t_page(), SHMAP_MODE_LAZY, 0, NULL), -ENOSPC);
		CHECK_EQ(t_create(dev, rest + 1, SHMAP_MODE_EAGER, 0, NULL), -ENOSPC);
		r = t_create(dev, rest, SHMAP_MODE_LAZY, 0, NULL);
		CHECK_GE(r, 0);
		if (r >= 0)
			fds[n++] = r;
	}
	CHECK_EQ(t_create(dev, t_page(), SHMAP_MODE_LAZY, 0, NULL), -ENOSPC);
	CHECK_EQ(t_create(dev, t_page(), SHMAP_MODE_EAGER, 0, NULL), -ENOSPC);
	/* NORESERVE buffers reserve nothing at create. */
	r = t_create(dev, t_page(), SHMAP_MODE_LAZY, SHMAP_CREATE_NORESERVE, NULL);
	CHECK_GE(r, 0);
	if (r >= 0)
		close(r);
	for (i = 0; i < n; i++)
		close(fds[i]);
	CHECK_EQ(T_STAT("pages_reserved"), 0);
	r = t_create(dev, t_page(), SHMAP_MODE_LAZY, 0, NULL);
	CHECK_GE(r, 0);
	close(dev);
}

static void bad_mode(void)
{
	int dev = t_dev();

	CHECK_EQ(t_create(dev, t_page(), 3, 0, NULL), -EINVAL);
	CHECK_EQ(t_create(dev, t_page(), 4, 0, NULL), -EINVAL);
	CHECK_EQ(t_create(dev, t_page(), 0xffffffffu, 0, NULL), -EINVAL);
	CHECK_EQ(T_STAT("buffers"), 0);
	close(dev);
}

static void bad_flags(void)
{
	int dev = t_dev();
	uint32_t bit;

	for (bit = 2; bit < 32; bit++)
		CHECK_EQ(t_create(dev, t_page(), SHMAP_MODE_LAZY, 1U << bit, NULL), -EINVAL);
	CHECK_EQ(t_create(dev, t_page(), SHMAP_MODE_LAZY, ~0U, NULL), -EINVAL);
	CHECK_EQ(T_STAT("buffers"), 0);
	close(dev);
}

static void noreserve_eager(void)
{
	int dev = t_dev();
	int fd;

	CHECK_EQ(t_create(dev, t_page(), SHMAP_MODE_EAGER, SHMAP_CREATE_NORESERVE, NULL), -EINVAL);
	CHECK_EQ(t_create(dev, t_page(), SHMAP_MODE_EAGER,
			  SHMAP_CREATE_NORESERVE | SHMAP_CREATE_NO_CLOEXEC, NULL), -EINVAL);
	fd = T_CREATE(dev, 4 * t_page(), SHMAP_MODE_LAZY, SHMAP_CREATE_NORESERVE, NULL);
	{
		struct shmap_info in = T_INFO(fd);

		CHECK_EQ(in.mode, SHMAP_MODE_LAZY);
		CHECK_EQ(in.flags & SHMAP_INFO_NORESERVE, SHMAP_INFO_NORESERVE);
		CHECK_EQ(in.reserved_pages, 0);
		CHECK_EQ(in.resident_pages, 0);
	}
	close(fd);
	close(dev);
}

/* Create a named buffer, map it, find "/shmap:NAME" in /proc/self/maps. */
static void check_name_in_maps(int dev, const char *name)
{
	char line[512], want[128];
	int fd = T_CREATE(dev, t_page(), SHMAP_MODE_LAZY, 0, name);
	void *p = T_MAP(fd, t_page(), PROT_READ, 0);
	size_t ll, wl;

	snprintf(want, sizeof(want), "/shmap:%s", name ? name : "");
	REQUIRE_EQ(t_maps_line(p, line, sizeof(line)), 0);
	ll = strlen(line);
	wl = strlen(want);
	if (ll < wl || strcmp(line + ll - wl, want) ||
	    (ll > wl && line[ll - wl - 1] != ' '))
		TAP_FAIL("maps line \"%s\" does not end with \" %s\"", line, want);
	munmap(p, t_page());
	close(fd);
}

static void name_ok(void)
{
	int dev = t_dev();

	check_name_in_maps(dev, "hello");
	check_name_in_maps(dev, "a-b_c.d:1 2~");
	close(dev);
}

static void name_none(void)
{
	int dev = t_dev();

	check_name_in_maps(dev, NULL);
	close(dev);
}

static void name_63(void)
{
	char name[64];
	int dev = t_dev();

	memset(name, 'n', 63);
	name[63] = '\0';
	check_name_in_maps(dev, name);
	close(dev);
}

static void name_64(void)
{
	char name[200];
	int dev = t_dev();

	memset(name, 'n', sizeof(name));
	name[64] = '\0';
	CHECK_EQ(t_create(dev, t_page(), SHMAP_MODE_LAZY, 0, name), -EINVAL);
	name[64] = 'n';
	name[199] = '\0';
	CHECK_EQ(t_create(dev, t_page(), SHMAP_MODE_LAZY, 0, name), -EINVAL);
	CHECK_EQ(T_STAT("buffers"), 0);
	close(dev);
}

static void name_slash(void)
{
	int dev = t_dev();

	CHECK_EQ(t_create(dev, t_page(), SHMAP_MODE_LAZY, 0, "/"), -EINVAL);
	CHECK_EQ(t_create(dev, t_page(), SHMAP_MODE_LAZY, 0, "a/b"), -EINVAL);
	CHECK_EQ(t_create(dev, t_page(), SHMAP_MODE_LAZY, 0, "ab/"), -EINVAL);
	CHECK_EQ(T_STAT("buffers"), 0);
	close(dev);
}

static void name_nonprintable(void)
{
	static const char *const bad[] = {
		"a\nb", "tab\there", "\x01", "del\x7f", "hi\x80", "\xc3\xa9t\xc3\xa9", "\x1b[31m",
	};
	int dev = t_dev();
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ(t_create(dev, t_page(), SHMAP_MODE_LAZY, 0, bad[i]), -EINVAL);
	CHECK_EQ(T_STAT("buffers"), 0);
	close(dev);
}

static void name_efault(void)
{
	size_t pg = t_page();
	int dev = t_dev();
	char *p = REQUIRE_MAP(mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));

	CHECK_EQ(t_create(dev, pg, SHMAP_MODE_LAZY, 0, (const char *)1), -EFAULT);
	CHECK_EQ(t_create(dev, pg, SHMAP_MODE_LAZY, 0, (const char *)-4096L), -EFAULT);
	/* A name running into an unmapped page, without its NUL. */
	REQUIRE_SYS(munmap(p + pg, pg));
	memset(p + pg - 4, 'x', 4);
	CHECK_EQ(t_create(dev, pg, SHMAP_MODE_LAZY, 0, p + pg - 4), -EFAULT);
	REQUIRE_SYS(munmap(p, pg));
	CHECK_EQ(t_create(dev, pg, SHMAP_MODE_LAZY, 0, p), -EFAULT);
	CHECK_EQ(T_STAT("buffers"), 0);
	close(dev);
}

static void cloexec(void)
{
	int dev = t_dev();
	int fd = T_CREATE(dev, t_page(), SHMAP_MODE_LAZY, 0, NULL);
	int fd2 = T_CREATE(dev, t_page(), SHMAP_MODE_LAZY, SHMAP_CREATE_NO_CLOEXEC, NULL);
	long fl;

	fl = CHECK_SYS(fcntl(fd, F_GETFD));
	CHECK_EQ(fl & FD_CLOEXEC, FD_CLOEXEC);
	fl = CHECK_SYS(fcntl(fd2, F_GETFD));
	CHECK_EQ(fl & FD_CLOEXEC, 0);
	fl = CHECK_SYS(fcntl(fd, F_GETFL));
	CHECK_EQ(fl & O_ACCMODE, O_RDWR);
	close(fd);
	close(fd2);
	close(dev);
}

static void inode_and_stat(void)
{
	int dev = t_dev();
	int a = T_CREATE(dev, 3 * t_page(), SHMAP_MODE_LAZY, 0, NULL);
	int b = T_CREATE(dev, 5 * t_page(), SHMAP_MODE_EAGER, 0, NULL);
	struct shmap_info ia = T_INFO(a), ib = T_INFO(b);
	struct stat sa, sb, sd;

	REQUIRE_SYS(fstat(a, &sa));
	REQUIRE_SYS(fstat(b, &sb));
	REQUIRE_SYS(fstat(dev, &sd));
	CHECK_NE(sa.st_ino, sb.st_ino);
	CHECK_EQ(ia.ino, sa.st_ino);
	CHECK_EQ(ib.ino, sb.st_ino);
	CHECK_EQ(sa.st_size, 3 * t_page());
	CHECK_EQ(sb.st_size, 5 * t_page());
	CHECK(!S_ISCHR(sa.st_mode));
	CHECK(S_ISCHR(sd.st_mode));
	close(a);
	close(b);
	close(dev);
}

static void info_fields(void)
{
	int dev = t_dev();
	size_t pg = t_page();
	int e = T_CREATE(dev, 8 * pg, SHMAP_MODE_EAGER, 0, "eager");
	int l = T_CREATE(dev, 6 * pg, SHMAP_MODE_LAZY, 0, "lazy");
	int n = T_CREATE(dev, 4 * pg, SHMAP_MODE_LAZY, SHMAP_CREATE_NORESERVE, NULL);
	struct shmap_info ie = T_INFO(e), il = T_INFO(l), in = T_INFO(n);
	int i;

	CHECK_EQ(ie.size, 8 * pg);
	CHECK_EQ(ie.mode, SHMAP_MODE_EAGER);
	CHECK_EQ(ie.seals, 0);
	CHECK_EQ(ie.flags, 0);
	CHECK_EQ(ie.mappings, 0);
	CHECK_EQ(ie.resident_pages, 8);
	CHECK_EQ(ie.reserved_pages, 8);

	CHECK_EQ(il.size, 6 * pg);
	CHECK_EQ(il.mode, SHMAP_MODE_LAZY);
	CHECK_EQ(il.seals, 0);
	CHECK_EQ(il.flags, 0);
	CHECK_EQ(il.mappings, 0);
	CHECK_EQ(il.resident_pages, 0);
	CHECK_EQ(il.reserved_pages, 6);

	CHECK_EQ(in.size, 4 * pg);
	CHECK_EQ(in.mode, SHMAP_MODE_LAZY);
	CHECK_EQ(in.flags, SHMAP_INFO_NORESERVE);
	CHECK_EQ(in.reserved_pages, 0);
	CHECK_EQ(in.resident_pages, 0);
	CHECK_EQ(ie.huge_folios, 0);
	CHECK_EQ(il.huge_folios, 0);
	CHECK_EQ(in.huge_folios, 0);
	for (i = 0; i < (int)(sizeof(ie.reserved) / sizeof(ie.reserved[0]));
	     i++) {
		CHECK_EQ(ie.reserved[i], 0);
		CHECK_EQ(il.reserved[i], 0);
		CHECK_EQ(in.reserved[i], 0);
	}
	CHECK_NE(ie.ino, 0);
	CHECK_NE(ie.ino, il.ino);
	CHECK_EQ(T_STAT("buffers"), 3);
	CHECK_EQ(T_STAT("pages_reserved"), 14);
	CHECK_EQ(T_STAT("pages_allocated"), 8);
	close(e);
	close(l);
	close(n);
	CHECK_EQ(T_STAT("buffers"), 0);
	CHECK_EQ(T_STAT("pages_reserved"), 0);
	CHECK_EQ(T_STAT("pages_allocated"), 0);
	close(dev);
}

static uint32_t param_mode(void)
{
	char s[32];

	REQUIRE_EQ(tap_read_str(T_PARAMS "default_mode", s, sizeof(s)), 0);
	if (!strcmp(s, "eager"))
		return SHMAP_MODE_EAGER;
	if (!strcmp(s, "lazy"))
		return SHMAP_MODE_LAZY;
	TAP_FAIL("default_mode reads \"%s\"", s);
	tap_abort();
}

static void default_mode(void)
{
	int dev = t_dev();
	uint32_t m = param_mode(), other;
	int fd;

	tap_diag("default_mode is %s", t_mode_name(m));
	fd = T_CREATE(dev, 2 * t_page(), SHMAP_MODE_DEFAULT, 0, NULL);
	CHECK_EQ(T_INFO(fd).mode, m);
	CHECK_EQ(T_INFO(fd).resident_pages, m == SHMAP_MODE_EAGER ? 2 : 0);
	close(fd);

	/* The parameter is writable at run time; new buffers follow it. */
	other = m == SHMAP_MODE_EAGER ? SHMAP_MODE_LAZY : SHMAP_MODE_EAGER;
	REQUIRE_RET(tap_write_str(T_PARAMS "default_mode", t_mode_name(other)), 0);
	fd = T_CREATE(dev, 2 * t_page(), SHMAP_MODE_DEFAULT, 0, NULL);
	CHECK_EQ(T_INFO(fd).mode, other);
	close(fd);
	CHECK_RET(tap_write_str(T_PARAMS "default_mode", t_mode_name(m)), 0);
	CHECK_EQ(param_mode(), m);
	close(dev);
}

static void rw_unsupported(void)
{
	int dev = t_dev();
	int fd = T_CREATE(dev, t_page(), SHMAP_MODE_EAGER, 0, NULL);
	char b[16] = "hello";

	CHECK(read(fd, b, sizeof(b)) < 0);
	CHECK(write(fd, b, sizeof(b)) < 0);
	CHECK(pread(fd, b, sizeof(b), 0) < 0);
	CHECK(pwrite(fd, b, sizeof(b), 0) < 0);
	close(fd);
	close(dev);
}

static void many_buffers(void)
{
	int dev = t_dev();
	int fds[200], i;

	for (i = 0; i < 200; i++)
		fds[i] = T_CREATE(dev, t_page(), i % 2 ? SHMAP_MODE_EAGER : SHMAP_MODE_LAZY,
				  0, NULL);
	CHECK_EQ(T_STAT("buffers"), 200);
	CHECK_EQ(T_STAT("pages_allocated"), 100);
	for (i = 0; i < 200; i++)
		close(fds[i]);
	CHECK_EQ(T_STAT("buffers"), 0);
	CHECK_EQ(T_STAT("pages_allocated"), 0);
	/* Buffers outlive the /dev/shmap fd that made them. */
	fds[0] = T_CREATE(dev, t_page(), SHMAP_MODE_EAGER, 0, NULL);
	close(dev);
	CHECK_EQ(T_INFO(fds[0]).size, t_page());
	close(fds[0]);
}

static const struct tap_case cases[] = {
	TAP_CASE(size_zero),
	TAP_CASE(size_one_byte),
	TAP_CASE(size_unaligned),
	TAP_CASE(size_over_max_buffer),
	TAP_CASE(size_overflow),
	TAP_CASE(size_over_max_total),
	TAP_CASE(bad_mode),
	TAP_CASE(bad_flags),
	TAP_CASE(noreserve_eager),
	TAP_CASE(name_ok),
	TAP_CASE(name_none),
	TAP_CASE(name_63),
	TAP_CASE(name_64),
	TAP_CASE(name_slash),
	TAP_CASE(name_nonprintable),
	TAP_CASE(name_efault),
	TAP_CASE(cloexec),
	TAP_CASE(inode_and_stat),
	TAP_CASE(info_fields),
	TAP_CASE(default_mode),
	TAP_CASE(rw_unsupported),
	TAP_CASE(many_buffers),
};

TAP_MAIN("create", cases)
