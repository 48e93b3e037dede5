// SPDX-License-Identifier: GPL-2.0
/*
 * odirect: get_user_pages() works on buffer mappings: O_DIRECT writes from
 * one buffer to /dev/ram0 (brd, loaded by suite.sh) and O_DIRECT reads
 * back into another buffer, in both modes. A missing /dev/ram0 fails.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "tshmap.h"

#define RAM	"/dev/ram0"
#define LEN	(1024 * 1024)

static int open_ram(void)
{
	int fd = open(RAM, O_RDWR | O_DIRECT | O_CLOEXEC);

	if (fd < 0) {
		TAP_FAIL("open(%s, O_DIRECT): %s (is brd loaded?)", RAM,
			 tap_errname(errno));
		tap_abort();
	}
	return fd;
}

static void roundtrip(uint32_t src_mode, uint32_t dst_mode, off_t where)
{
	int dev = t_dev(), ram = open_ram();
	int a = T_CREATE(dev, LEN, src_mode, 0, "src");
	int b = T_CREATE(dev, LEN, dst_mode, 0, "dst");
	char *src = T_MAP(a, LEN, PROT_READ | PROT_WRITE, 0);
	char *dst = T_MAP(b, LEN, PROT_READ | PROT_WRITE, 0);
	unsigned int seed = src_mode * 10 + dst_mode;

	t_fill(src, LEN, seed);
	CHECK_EQ(pwrite(ram, src, LEN, where), LEN);
	/* The destination was never touched: GUP faults its pages in. */
	CHECK_EQ(pread(ram, dst, LEN, where), LEN);
	CHECK_PATTERN(dst, LEN, seed);
	CHECK_EQ(T_INFO(b).resident_pages, LEN / t_page());
	/* And unaligned pieces at page offsets inside the mappings. */
	CHECK_EQ(pread(ram, dst + 3 * t_page(), 5 * t_page(), where + 8 * (off_t)t_page()),
		 5 * t_page());
	CHECK(!memcmp(dst + 3 * t_page(), src + 8 * t_page(), 5 * t_page()));
	munmap(src, LEN);
	munmap(dst, LEN);
	close(a);
	close(b);
	close(ram);
	close(dev);
}

static void eager_to_eager(void)
{
	roundtrip(SHMAP_MODE_EAGER, SHMAP_MODE_EAGER, 0);
}

static void lazy_to_lazy(void)
{
	roundtrip(SHMAP_MODE_LAZY, SHMAP_MODE_LAZY, LEN);
}

static void eager_to_lazy(void)
{
	roundtrip(SHMAP_MODE_EAGER, SHMAP_MODE_LAZY, 2 * LEN);
}

static void lazy_to_eager(void)
{
	roundtrip(SHMAP_MODE_LAZY, SHMAP_MODE_EAGER, 3 * LEN);
}

/* An untouched lazy source reads as zeros and gets its pages allocated. */
static void lazy_untouched_source(void)
{
	int dev = t_dev(), ram = open_ram();
	int a = T_CREATE(dev, LEN, SHMAP_MODE_LAZY, 0, NULL);
	char *src = T_MAP(a, LEN, PROT_READ | PROT_WRITE, 0);
	char *check = REQUIRE_MAP(mmap(NULL, LEN, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));

	memset(check, 0xff, LEN);
	CHECK_EQ(pwrite(ram, check, LEN, 4 * LEN), LEN);
	CHECK_EQ(pwrite(ram, src, LEN, 4 * LEN), LEN);
	CHECK_EQ(pread(ram, check, LEN, 4 * LEN), LEN);
	CHECK(t_all_zero(check, LEN, NULL));
	munmap(src, LEN);
	close(a);
	close(ram);
	close(dev);
}

/* A read-only mapping cannot be the target of a read. */
static void read_into_readonly(void)
{
	int dev = t_dev(), ram = open_ram();
	int a = T_CREATE(dev, LEN, SHMAP_MODE_EAGER, 0, NULL);
	char *ro = T_MAP(a, LEN, PROT_READ, 0);

	CHECK_ERRNO(pread(ram, ro, t_page(), 0), EFAULT);
	/* But it can be the source of a write. */
	CHECK_EQ(pwrite(ram, ro, t_page(), 5 * LEN), t_page());
	munmap(ro, LEN);
	close(a);
	close(ram);
	close(dev);
}

/* The same buffer shared by a child: the child's O_DIRECT read lands here. */
static void child_reads_for_parent(void)
{
	int dev = t_dev(), ram = open_ram();
	int a = T_CREATE(dev, LEN, SHMAP_MODE_LAZY, 0, NULL);
	char *p = T_MAP(a, LEN, PROT_READ | PROT_WRITE, 0);
	char *src = REQUIRE_MAP(mmap(NULL, LEN, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	pid_t pid;

	t_fill(src, LEN, 77);
	REQUIRE_EQ(pwrite(ram, src, LEN, 6 * LEN), LEN);
	pid = tap_fork();
	if (pid == 0) {
		char *q = T_MAP(a, LEN, PROT_READ | PROT_WRITE, 0);

		CHECK_EQ(pread(ram, q, LEN, 6 * LEN), LEN);
		tap_end();
	}
	CHECK_EXIT0(tap_wait(pid));
	CHECK_PATTERN(p, LEN, 77);
	munmap(p, LEN);
	close(a);
	close(ram);
	close(dev);
}

static const struct tap_case cases[] = {
	TAP_CASE(eager_to_eager),
	TAP_CASE(lazy_to_lazy),
	TAP_CASE(eager_to_lazy),
	TAP_CASE(lazy_to_eager),
	TAP_CASE(lazy_untouched_source),
	TAP_CASE(read_into_readonly),
	TAP_CASE(child_reads_for_parent),
};

TAP_MAIN("odirect", cases)
