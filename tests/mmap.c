// SPDX-License-Identifier: GPL-2.0
/*
 * mmap: mapping buffers: MAP_PRIVATE refused, offsets, mappings past the
 * end (SIGBUS), mremap, partial munmap, mprotect splits, read-only
 * mappings, MADV_DONTNEED, INFO.mappings, zeroed pages, eager/lazy
 * residency, VM_DONTDUMP, never executable (W^X), msync/fsync as no-ops,
 * the fd as a regular file (fstat, mapping by st_size), and which hook of
 * the module made the mappings (->mmap or ->mmap_prepare).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
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

/* W^X: buffers are never executable, on every kernel. */
static void exec_refused(void)
{
	size_t pg = t_page();
	int dev = t_dev();
	int fd = T_CREATE(dev, 2 * pg, SHMAP_MODE_EAGER, 0, NULL);
	int ro = t_export_ro(fd, 0);
	char flags[256];
	char *p, *r;

	REQUIRE_GE(ro, 0);
	CHECK_ERRNO(mmap(NULL, pg, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0), EPERM);
	CHECK_ERRNO(mmap(NULL, pg, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_SHARED, fd, 0), EPERM);
	CHECK_ERRNO(mmap(NULL, pg, PROT_EXEC, MAP_SHARED, fd, pg), EPERM);
	CHECK_ERRNO(mmap(NULL, pg, PROT_READ | PROT_EXEC, MAP_SHARED, ro, 0), EPERM);
	CHECK_EQ(T_INFO(fd).mappings, 0);

	/* Nor can mprotect() add exec later: the mappings are not even "may exec". */
	p = T_MAP(fd, 2 * pg, PROT_READ | PROT_WRITE, 0);
	r = T_MAP(ro, pg, PROT_READ, 0);
	REQUIRE_EQ(t_vmflags(p, flags, sizeof(flags)), 0);
	tap_diag("VmFlags:%s", flags);
	CHECK(strstr(flags, " ex ") == NULL);
	CHECK(strstr(flags, " me ") == NULL);
	CHECK_ERRNO(mprotect(p, 2 * pg, PROT_READ | PROT_WRITE | PROT_EXEC), EACCES);
	CHECK_ERRNO(mprotect(p + pg, pg, PROT_EXEC), EACCES);
	CHECK_ERRNO(mprotect(r, pg, PROT_READ | PROT_EXEC), EACCES);
	/* Nothing was split or changed by the failed calls. */
	CHECK_EQ(T_INFO(fd).mappings, 2);
	p[0] = 'w';
	CHECK_EQ(r[0], 'w');
	munmap(p, 2 * pg);
	munmap(r, pg);
	CHECK_EQ(T_INFO(fd).mappings, 0);
	close(ro);
	close(fd);
	close(dev);
}

/* READ_IMPLIES_EXEC (old binaries, setarch -X): PROT_READ still maps, without exec. */
static void read_implies_exec(void)
{
	size_t pg = t_page();
	int dev = t_dev();
	int fd = T_CREATE(dev, pg, SHMAP_MODE_LAZY, 0, NULL);
	int pers = personality(0xffffffff);
	char flags[256];
	char *p;

	REQUIRE_GE(pers, 0);
	REQUIRE_SYS(personality((unsigned long)pers | READ_IMPLIES_EXEC));
	p = T_MAP(fd, pg, PROT_READ, 0);
	REQUIRE_EQ(t_vmflags(p, flags, sizeof(flags)), 0);
	tap_diag("VmFlags:%s", flags);
	CHECK(strstr(flags, " ex ") == NULL);
	CHECK_SYS(mprotect(p, pg, PROT_READ | PROT_WRITE));
	REQUIRE_EQ(t_vmflags(p, flags, sizeof(flags)), 0);
	CHECK(strstr(flags, " ex ") == NULL);
	CHECK_LIVES(t_write_byte, p);
	munmap(p, pg);
	close(fd);
	close(dev);
}

/* The fd cannot be executed either, whatever its permission bits. */
static void exec_fd_refused(void)
{
	int dev = t_dev();
	int fd = T_CREATE(dev, t_page(), SHMAP_MODE_EAGER, 0, NULL);
	char *argv[] = { "shmap-exec", NULL }, *envp[] = { NULL };

	if (fchmod(fd, 0700))
		tap_diag("fchmod(0700): %s", tap_errname(errno));
	CHECK_ERRNO(syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH), EACCES);
	close(fd);
	close(dev);
}

/* A memory-only file, as memfd: msync(), fsync() and friends succeed and do nothing. */
static void sync_noop(void)
{
	size_t pg = t_page();
	int dev = t_dev();
	int fd = T_CREATE(dev, 2 * pg, SHMAP_MODE_LAZY, 0, NULL);
	int ro = t_export_ro(fd, 0);
	char *p = T_MAP(fd, 2 * pg, PROT_READ | PROT_WRITE, 0);
	unsigned int all = SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
			   SYNC_FILE_RANGE_WAIT_AFTER;

	REQUIRE_GE(ro, 0);
	t_fill(p, 2 * pg, 43);
	CHECK_SYS(msync(p, 2 * pg, MS_SYNC));
	CHECK_SYS(msync(p + pg, pg, MS_SYNC | MS_INVALIDATE));
	CHECK_SYS(msync(p, pg, MS_ASYNC));
	CHECK_SYS(fsync(fd));
	CHECK_SYS(fdatasync(fd));
	CHECK_SYS(fsync(ro));
	CHECK_SYS(fdatasync(ro));
	CHECK_SYS(sync_file_range(fd, 0, 0, all));
	CHECK_PATTERN(p, 2 * pg, 43);
	CHECK_EQ(T_INFO(fd).resident_pages, 2);
	munmap(p, 2 * pg);
	close(ro);
	close(fd);
	close(dev);
}

/* Python's mmap.mmap(fd, 0): the length is st_size, for a regular file only. */
static void *map_whole(int fd, int prot)
{
	struct stat st;
	size_t len;

	if (fstat(fd, &st))
		return MAP_FAILED;
	len = S_ISREG(st.st_mode) ? (size_t)st.st_size : 0;
	return mmap(NULL, len, prot, MAP_SHARED, fd, 0);
}

static void fstat_regular(void)
{
	size_t pg = t_page(), len = 4 * pg;
	int dev = t_dev();
	int fd = T_CREATE(dev, 3 * pg + 100, SHMAP_MODE_LAZY, 0, "regular");
	int ro = t_export_ro(fd, 0);
	struct stat st, sr;
	char *w, *r;

	REQUIRE_GE(ro, 0);
	REQUIRE_SYS(fstat(fd, &st));
	REQUIRE_SYS(fstat(ro, &sr));
	tap_diag("st_mode %#o", (unsigned int)st.st_mode);
	CHECK(S_ISREG(st.st_mode));
	CHECK(S_ISREG(sr.st_mode));
	CHECK_EQ(st.st_mode & 07777, 0600);
	CHECK_EQ(st.st_size, len);
	CHECK_EQ(sr.st_size, len);
	CHECK_EQ(sr.st_ino, st.st_ino);

	w = REQUIRE_MAP(map_whole(fd, PROT_READ | PROT_WRITE));
	r = REQUIRE_MAP(map_whole(ro, PROT_READ));
	t_fill(w, len, 31);
	CHECK_PATTERN(r, len, 31);
	CHECK_EQ(T_INFO(fd).mappings, 2);
	munmap(w, len);
	munmap(r, len);
	close(ro);
	close(fd);
	close(dev);
}

/* Being a regular file adds no file operation: buffers have no file I/O and never change size. */
static void regular_no_file_io(void)
{
	size_t pg = t_page();
	int dev = t_dev();
	int fd = T_CREATE(dev, 2 * pg, SHMAP_MODE_EAGER, 0, NULL);
	int ro = t_export_ro(fd, 0);
	char *p = T_MAP(fd, 2 * pg, PROT_READ | PROT_WRITE, 0);
	char b[16] = "hello", path[64];
	struct stat st;

	REQUIRE_GE(ro, 0);
	t_fill(p, 2 * pg, 44);
	CHECK_ERRNO(read(fd, b, sizeof(b)), EINVAL);
	CHECK_ERRNO(write(fd, b, sizeof(b)), EINVAL);
	CHECK_ERRNO(read(ro, b, sizeof(b)), EINVAL);
	CHECK_ERRNO(write(ro, b, sizeof(b)), EBADF);
	CHECK_ERRNO(pread(fd, b, sizeof(b), 0), ESPIPE);
	CHECK_ERRNO(pwrite(fd, b, sizeof(b), 0), ESPIPE);
	CHECK_ERRNO(lseek(fd, 0, SEEK_SET), ESPIPE);
	CHECK_ERRNO(ftruncate(fd, 0), EINVAL);
	CHECK_ERRNO(ftruncate(fd, pg), EINVAL);
	CHECK_ERRNO(ftruncate(fd, 8 * pg), EINVAL);
	CHECK_ERRNO(ftruncate(ro, pg), EINVAL);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	CHECK_ERRNO(truncate(path, pg), EINVAL);
	CHECK_ERRNO(fallocate(fd, 0, 0, 4 * pg), EOPNOTSUPP);
	REQUIRE_SYS(fstat(fd, &st));
	CHECK_EQ(st.st_size, 2 * pg);
	CHECK_EQ(T_INFO(fd).size, 2 * pg);
	CHECK_PATTERN(p, 2 * pg, 44);
	munmap(p, 2 * pg);
	close(ro);
	close(fd);
	close(dev);
}

/*
 * Which hook made the mappings, from the module's per-hook counters in the
 * guest, not from how it was built: ->mmap_prepare (with ->mapped and the
 * map action) is expected on 7.x kernels, which have it, ->mmap on 6.x.
 * An eager mapping is complete when mmap() returns (no fault to touch
 * it), a lazy one faults its pages in.
 */
static void mmap_path(void)
{
	uint64_t by_mmap = T_STAT("mapped_by_mmap");
	uint64_t by_prepare = T_STAT("mapped_by_mmap_prepare");
	uint64_t undone = T_STAT("mmap_undone"), faults;
	size_t pg = t_page(), len = 64 * pg;
	int dev = t_dev(), eager, lazy, want_prepare;
	const char *ran, *want;
	struct utsname u;
	char *e, *l;

	REQUIRE_SYS(uname(&u));
	want_prepare = atoi(u.release) >= 7;
	want = want_prepare ? "mmap_prepare" : "mmap";
	eager = T_CREATE(dev, len, SHMAP_MODE_EAGER, 0, "path-eager");
	lazy = T_CREATE(dev, len, SHMAP_MODE_LAZY, 0, "path-lazy");
	faults = T_STAT("faults");
	e = T_MAP(eager, len, PROT_READ | PROT_WRITE, 0);
	t_fill(e, len, 3);
	CHECK_EQ(T_STAT("faults"), faults);
	l = T_MAP(lazy, len, PROT_READ | PROT_WRITE, 0);
	t_fill(l, len, 4);
	CHECK_GT(T_STAT("faults"), faults);
	CHECK_PATTERN(e, len, 3);
	CHECK_PATTERN(l, len, 4);
	CHECK_EQ(T_INFO(eager).mappings, 1);
	CHECK_EQ(T_INFO(lazy).mappings, 1);

	by_mmap = T_STAT("mapped_by_mmap") - by_mmap;
	by_prepare = T_STAT("mapped_by_mmap_prepare") - by_prepare;
	if (by_mmap == 2 && !by_prepare)
		ran = "mmap";
	else if (by_prepare == 2 && !by_mmap)
		ran = "mmap_prepare";
	else
		ran = "unclear";
	tap_describe("%s", ran);
	if (strcmp(ran, want))
		TAP_FAIL("kernel %s: expected the %s hook, counters say %s "
			 "(mmap +%llu, mmap_prepare +%llu)", u.release, want,
			 ran, (unsigned long long)by_mmap,
			 (unsigned long long)by_prepare);
	CHECK_EQ(T_STAT("mmap_undone"), undone);
	munmap(e, len);
	munmap(l, len);
	close(eager);
	close(lazy);
	close(dev);
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
	TAP_CASE(exec_refused),
	TAP_CASE(read_implies_exec),
	TAP_CASE(exec_fd_refused),
	TAP_CASE(sync_noop),
	TAP_CASE(fstat_regular),
	TAP_CASE(regular_no_file_io),
	TAP_CASE(mmap_path),
};

TAP_MAIN("mmap", cases)
