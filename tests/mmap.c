// SPDX-License-Identifier: GPL-2.0
/*
 * mmap: mapping buffers: MAP_PRIVATE refused, offsets, mappings past the
 * end (SIGBUS), mremap, partial munmap, mprotect splits, read-only
 * mappings, MADV_DONTNEED, INFO.mappings, zeroed pages, eager/lazy
 * residency, VM_DONTDUMP.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "tshmap.h"

static void private_refused(void)
{
	size_t pg = t_page();
	int dev = t_dev();
	int fd = T_CREATE(dev, 4 * pg, SHMAP_MODE_EAGER, 0, NULL);

	CHECK_ERRNO(mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0), EINVAL);
	CHECK_ERRNO(mmap(NULL, pg, PROT_READ, MAP_PRIVATE, fd, 0), EINVAL);
	CHECK_EQ(T_INFO(fd).mappings, 0);
	close(fd);
	close(dev);
}

static void offset_past_end(void)
{
	size_t pg = t_page();
	int dev = t_dev();
	int fd = T_CREATE(dev, 4 * pg, SHMAP_MODE_LAZY, 0, NULL);
	void *p;

	CHECK_ERRNO(mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 4 * pg), EINVAL);
	CHECK_ERRNO(mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 5 * pg), EINVAL);
	CHECK_ERRNO(mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 1024 * pg), EINVAL);
	/* The last page is fine. */
	p = T_MAP(fd, pg, PROT_READ | PROT_WRITE, 3 * pg);
	*(volatile char *)p = 1;
	munmap(p, pg);
	CHECK_EQ(T_INFO(fd).mappings, 0);
	close(fd);
	close(dev);
}

static void past_end_sigbus_mode(uint32_t mode)
{
	size_t pg = t_page();
	int dev = t_dev();
	int fd = T_CREATE(dev, 2 * pg, mode, 0, NULL);
	char *p, *q;

	/* Offset 1 page, 4 pages long: one page inside, three past the end. */
	p = T_MAP(fd, 4 * pg, PROT_READ | PROT_WRITE, pg);
	q = T_MAP(fd, 2 * pg, PROT_READ | PROT_WRITE, 0);
	memset(p, 0x42, pg);
	CHECK_EQ(q[pg], 0x42);
	CHECK_EQ(q[2 * pg - 1], 0x42);
	CHECK_DIES(SIGBUS, t_write_byte, p + pg);
	CHECK_DIES(SIGBUS, t_read_byte, p + pg);
	CHECK_DIES(SIGBUS, t_read_byte, p + 3 * pg + 17);
	/* Nothing was allocated past the end. */
	CHECK_EQ(T_INFO(fd).resident_pages, mode == SHMAP_MODE_EAGER ? 2 : 1);
	CHECK_EQ(p[pg - 1], 0x42);
	munmap(p, 4 * pg);
	munmap(q, 2 * pg);
	close(fd);
	close(dev);
}

static void past_end_sigbus_eager(void)
{
	past_end_sigbus_mode(SHMAP_MODE_EAGER);
}

static void past_end_sigbus_lazy(void)
{
	past_end_sigbus_mode(SHMAP_MODE_LAZY);
}

static void mremap_grow(void)
{
	size_t pg = t_page();
	int dev = t_dev();
	int fd = T_CREATE(dev, 8 * pg, SHMAP_MODE_EAGER, 0, NULL);
	char *p = T_MAP(fd, 2 * pg, PROT_READ | PROT_WRITE, 0);

	CHECK_ERRNO(mremap(p, 2 * pg, 4 * pg, 0), EFAULT);
	CHECK_ERRNO(mremap(p, 2 * pg, 4 * pg, MREMAP_MAYMOVE), EFAULT);
	/* Shrinking is allowed. */
	CHECK(mremap(p, 2 * pg, pg, 0) == p);
	p[0] = 1;
	munmap(p, pg);
	close(fd);
	close(dev);
}

static void mremap_move(void)
{
	size_t pg = t_page();
	int dev = t_dev();
	int fd = T_CREATE(dev, 4 * pg, SHMAP_MODE_LAZY, 0, NULL);
	char *p = T_MAP(fd, 4 * pg, PROT_READ | PROT_WRITE, 0);
	char *other = T_MAP(fd, 4 * pg, PROT_READ | PROT_WRITE, 0);
	char *hole = REQUIRE_MAP(mmap(NULL, 4 * pg, PROT_NONE,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	char *n;

	t_fill(p, 4 * pg, 3);
	n = mremap(p, 4 * pg, 4 * pg, MREMAP_MAYMOVE | MREMAP_FIXED, hole);
	REQUIRE(n == hole);
	CHECK_PATTERN(n, 4 * pg, 3);
	/* Still the same memory as the other mapping, both ways. */
	t_fill(n, 4 * pg, 4);
	CHECK_PATTERN(other, 4 * pg, 4);
	t_fill(other, 4 * pg, 5);
	CHECK_PATTERN(n, 4 * pg, 5);
	CHECK_EQ(T_INFO(fd).mappings, 2);
	CHECK_EQ(T_INFO(fd).resident_pages, 4);
	munmap(n, 4 * pg);
	munmap(other, 4 * pg);
	CHECK_EQ(T_INFO(fd).mappings, 0);
	close(fd);
	close(dev);
}

static void partial_munmap(void)
{
	size_t pg = t_page();
	int dev = t_dev();
	int fd = T_CREATE(dev, 4 * pg, SHMAP_MODE_EAGER, 0, NULL);
	char *p = T_MAP(fd, 4 * pg, PROT_READ | PROT_WRITE, 0);
	char *q;

	t_fill(p, 4 * pg, 7);
	REQUIRE_SYS(munmap(p + pg, pg));
	CHECK_EQ(T_INFO(fd).mappings, 2);
	q = T_MAP(fd, 4 * pg, PROT_READ | PROT_WRITE, 0);
	CHECK_PATTERN(q, 4 * pg, 7);
	memset(p, 0x11, pg);
	memset(p + 2 * pg, 0x22, 2 * pg);
	memset(q + pg, 0x33, pg);
	CHECK_EQ(q[0], 0x11);
	CHECK_EQ(q[3 * pg], 0x22);
	CHECK_EQ(T_INFO(fd).mappings, 3);
	CHECK_DIES(SIGSEGV, t_write_byte, p + pg);
	REQUIRE_SYS(munmap(p, pg));
	CHECK_EQ(T_INFO(fd).mappings, 2);
	REQUIRE_SYS(munmap(p + 3 * pg, pg));
	CHECK_EQ(T_INFO(fd).mappings, 2);
	CHECK_EQ(p[2 * pg], 0x22);
	REQUIRE_SYS(munmap(p + 2 * pg, pg));
	CHECK_EQ(T_INFO(fd).mappings, 1);
	munmap(q, 4 * pg);
	CHECK_EQ(T_INFO(fd).mappings, 0);
	close(fd);
	close(dev);
}

static void mprotect_split(void)
{
	size_t pg = t_page();
	int dev = t_dev();
	int fd = T_CREATE(dev, 3 * pg, SHMAP_MODE_LAZY, 0, NULL);
	char *p = T_MAP(fd, 3 * pg, PROT_READ | PROT_WRITE, 0);

	memset(p, 0x55, 3 * pg);
	REQUIRE_SYS(mprotect(p + pg, pg, PROT_READ));
	CHECK_EQ(T_INFO(fd).mappings, 3);
	CHECK_DIES(SIGSEGV, t_write_byte, p + pg);
	CHECK_DIES(SIGSEGV, t_write_byte, p + 2 * pg - 1);
	CHECK_LIVES(t_write_byte, p);
	CHECK_LIVES(t_write_byte, p + 2 * pg);
	CHECK_EQ(p[pg], 0x55);
	p[0] = 1;
	p[2 * pg] = 2;
	CHECK_EQ(p[0], 1);
	CHECK_EQ(p[2 * pg], 2);
	/* And back to writable: the pieces still share the buffer. */
	REQUIRE_SYS(mprotect(p + pg, pg, PROT_READ | PROT_WRITE));
	p[pg] = 3;
	CHECK_EQ(p[pg], 3);
	munmap(p, 3 * pg);
	CHECK_EQ(T_INFO(fd).mappings, 0);
	close(fd);
	close(dev);
}

static void readonly_mapping(void)
{
	size_t pg = t_page();
	int dev = t_dev();
	int fd = T_CREATE(dev, 2 * pg, SHMAP_MODE_EAGER, 0, NULL);
	char *w = T_MAP(fd, 2 * pg, PROT_READ | PROT_WRITE, 0);
	char *r = T_MAP(fd, 2 * pg, PROT_READ, 0);

	t_fill(w, 2 * pg, 9);
	CHECK_PATTERN(r, 2 * pg, 9);
	CHECK_DIES(SIGSEGV, t_write_byte, r);
	CHECK_DIES(SIGSEGV, t_write_byte, r + pg + 5);
	/* A writable fd: mprotect may add write to a read-only mapping. */
	CHECK_SYS(mprotect(r, pg, PROT_READ | PROT_WRITE));
	r[0] = 'x';
	CHECK_EQ(w[0], 'x');
	munmap(w, 2 * pg);
	munmap(r, 2 * pg);
	close(fd);
	close(dev);
}

static void dontneed_mode(uint32_t mode)
{
	size_t pg = t_page(), len = 16 * pg;
	int dev = t_dev();
	int fd = T_CREATE(dev, len, mode, 0, NULL);
	char *p = T_MAP(fd, len, PROT_READ | PROT_WRITE, 0);

	t_fill(p, len, 11);
	CHECK_EQ(T_INFO(fd).resident_pages, 16);
	REQUIRE_SYS(madvise(p, len, MADV_DONTNEED));
	CHECK_PATTERN(p, len, 11);
	REQUIRE_SYS(madvise(p + pg, 2 * pg, MADV_DONTNEED));
	t_fill(p, len, 12);
	REQUIRE_SYS(madvise(p, len, MADV_DONTNEED));
	REQUIRE_SYS(madvise(p, len, MADV_DONTNEED));
	CHECK_PATTERN(p, len, 12);
	CHECK_EQ(T_INFO(fd).resident_pages, 16);
	munmap(p, len);
	/* Nothing was lost with the mapping either. */
	p = T_MAP(fd, len, PROT_READ, 0);
	CHECK_PATTERN(p, len, 12);
	munmap(p, len);
	close(fd);
	close(dev);
}

static void dontneed_eager(void)
{
	dontneed_mode(SHMAP_MODE_EAGER);
}

static void dontneed_lazy(void)
{
	dontneed_mode(SHMAP_MODE_LAZY);
}

static void mappings_count(void)
{
	size_t pg = t_page();
	int dev = t_dev();
	int fd = T_CREATE(dev, 4 * pg, SHMAP_MODE_EAGER, 0, NULL);
	int ctl[2], back[2];
	char *a, *b, c;
	pid_t pid;

	CHECK_EQ(T_INFO(fd).mappings, 0);
	a = T_MAP(fd, 4 * pg, PROT_READ | PROT_WRITE, 0);
	CHECK_EQ(T_INFO(fd).mappings, 1);
	b = T_MAP(fd, pg, PROT_READ, 2 * pg);
	CHECK_EQ(T_INFO(fd).mappings, 2);
	REQUIRE_SYS(mprotect(a + pg, pg, PROT_READ));
	CHECK_EQ(T_INFO(fd).mappings, 4);

	/* fork copies all four vmas; they go away when the child exits. */
	REQUIRE_SYS(pipe(ctl));
	REQUIRE_SYS(pipe(back));
	pid = tap_fork();
	if (pid == 0) {
		c = 'r';
		if (write(back[1], &c, 1) != 1 || read(ctl[0], &c, 1) != 1)
			_exit(2);
		_exit(0);
	}
	REQUIRE_EQ(read(back[0], &c, 1), 1);
	CHECK_EQ(T_INFO(fd).mappings, 8);
	REQUIRE_EQ(write(ctl[1], &c, 1), 1);
	CHECK_EXIT0(tap_wait(pid));
	CHECK_EQ(T_INFO(fd).mappings, 4);

	/* Closing the fd does not touch the mappings. */
	REQUIRE_SYS(munmap(b, pg));
	CHECK_EQ(T_INFO(fd).mappings, 3);
	REQUIRE_SYS(munmap(a, pg));
	CHECK_EQ(T_INFO(fd).mappings, 2);
	REQUIRE_SYS(munmap(a + pg, 3 * pg));
	CHECK_EQ(T_INFO(fd).mappings, 0);
	close(fd);
	close(dev);
}

static void zero_pages_mode(uint32_t mode)
{
	size_t pg = t_page(), len = 256 * pg, bad = 0;
	int dev = t_dev();
	int fd = T_CREATE(dev, len, mode, 0, NULL);
	char *p = T_MAP(fd, len, PROT_READ | PROT_WRITE, 0);
	int round;

	for (round = 0; round < 3; round++) {
		if (!t_all_zero(p, len, &bad))
			TAP_FAIL("round %d: byte %zu of a fresh %s buffer is %#x",
				 round, bad, t_mode_name(mode), (uint8_t)p[bad]);
		/* Dirty the pages, free them, get fresh (maybe the same) ones. */
		memset(p, 0xa5, len);
		munmap(p, len);
		close(fd);
		fd = T_CREATE(dev, len, mode, 0, NULL);
		p = T_MAP(fd, len, PROT_READ | PROT_WRITE, 0);
	}
	munmap(p, len);
	close(fd);
	close(dev);
}

static void zero_pages_eager(void)
{
	zero_pages_mode(SHMAP_MODE_EAGER);
}

static void zero_pages_lazy(void)
{
	zero_pages_mode(SHMAP_MODE_LAZY);
}

static void eager_resident(void)
{
	size_t pg = t_page();
	int dev = t_dev();
	uint64_t before = T_STAT("pages_allocated"), faults;
	int fd = T_CREATE(dev, 64 * pg, SHMAP_MODE_EAGER, 0, NULL);
	struct shmap_info in = T_INFO(fd);
	char *p;

	CHECK_EQ(in.resident_pages, 64);
	CHECK_EQ(T_STAT("pages_allocated"), before + 64);
	/* All pages are mapped at mmap time: touching them does not fault. */
	faults = T_STAT("faults");
	p = T_MAP(fd, 64 * pg, PROT_READ | PROT_WRITE, 0);
	t_fill(p, 64 * pg, 1);
	CHECK_EQ(T_STAT("faults"), faults);
	CHECK_EQ(T_INFO(fd).resident_pages, 64);
	munmap(p, 64 * pg);
	close(fd);
	CHECK_EQ(T_STAT("pages_allocated"), before);
	close(dev);
}

static void lazy_resident(void)
{
	size_t pg = t_page();
	int dev = t_dev();
	int fd = T_CREATE(dev, 64 * pg, SHMAP_MODE_LAZY, 0, NULL);
	uint64_t faults;
	char *p;

	/* One page per touch; tests/fault.c covers the windows. */
	T_WINDOW1();
	CHECK_EQ(T_INFO(fd).resident_pages, 0);
	p = T_MAP(fd, 64 * pg, PROT_READ | PROT_WRITE, 0);
	CHECK_EQ(T_INFO(fd).resident_pages, 0);
	faults = T_STAT("faults");
	p[0] = 1;
	p[5 * pg + 7] = 2;
	p[63 * pg] = 3;
	CHECK_EQ(T_INFO(fd).resident_pages, 3);
	CHECK_EQ(T_STAT("faults"), faults + 3);
	p[1] = 1;
	p[63 * pg + 100] = 1;
	CHECK_EQ(T_INFO(fd).resident_pages, 3);
	/* A read is a first touch too. */
	CHECK_EQ(p[10 * pg], 0);
	CHECK_EQ(T_INFO(fd).resident_pages, 4);
	memset(p, 0, 64 * pg);
	CHECK_EQ(T_INFO(fd).resident_pages, 64);
	CHECK_EQ(T_INFO(fd).reserved_pages, 64);
	munmap(p, 64 * pg);
	CHECK_EQ(T_INFO(fd).resident_pages, 64);
	close(fd);
	close(dev);
}

static void dontdump_mode(uint32_t mode)
{
	size_t pg = t_page();
	int dev = t_dev();
	int fd = T_CREATE(dev, 4 * pg, mode, 0, "dumpless");
	char *p = T_MAP(fd, 4 * pg, PROT_READ | PROT_WRITE, 0);
	char flags[256];

	REQUIRE_EQ(t_vmflags(p, flags, sizeof(flags)), 0);
	tap_diag("VmFlags:%s", flags);
	CHECK(strstr(flags, " dd ") != NULL);
	CHECK(strstr(flags, " sh ") != NULL);
	munmap(p, 4 * pg);
	close(fd);
	close(dev);
}

static void dontdump_eager(void)
{
	dontdump_mode(SHMAP_MODE_EAGER);
}

static void dontdump_lazy(void)
{
	dontdump_mode(SHMAP_MODE_LAZY);
}

static void mapping_outlives_fd(void)
{
	size_t pg = t_page();
	int dev = t_dev();
	int fd = T_CREATE(dev, 4 * pg, SHMAP_MODE_LAZY, 0, NULL);
	char *p = T_MAP(fd, 4 * pg, PROT_READ | PROT_WRITE, 0);

	close(fd);
	close(dev);
	CHECK_EQ(T_STAT("buffers"), 1);
	t_fill(p, 4 * pg, 21);
	CHECK_PATTERN(p, 4 * pg, 21);
	CHECK_EQ(T_STAT("pages_allocated"), 4);
	munmap(p, 4 * pg);
	CHECK_EQ(T_STAT("buffers"), 0);
	CHECK_EQ(T_STAT("pages_allocated"), 0);
}

static const struct tap_case cases[] = {
	TAP_CASE(private_refused),
	TAP_CASE(offset_past_end),
	TAP_CASE(past_end_sigbus_eager),
	TAP_CASE(past_end_sigbus_lazy),
	TAP_CASE(mremap_grow),
	TAP_CASE(mremap_move),
	TAP_CASE(partial_munmap),
	TAP_CASE(mprotect_split),
	TAP_CASE(readonly_mapping),
	TAP_CASE(dontneed_eager),
	TAP_CASE(dontneed_lazy),
	TAP_CASE(mappings_count),
	TAP_CASE(zero_pages_eager),
	TAP_CASE(zero_pages_lazy),
	TAP_CASE(eager_resident),
	TAP_CASE(lazy_resident),
	TAP_CASE(dontdump_eager),
	TAP_CASE(dontdump_lazy),
	TAP_CASE(mapping_outlives_fd),
};

TAP_MAIN("mmap", cases)
