// SPDX-License-Identifier: GPL-2.0
/*
 * syscalls: what the system calls a user of shared memory reaches for give
 * on a buffer fd and its mappings, on the running kernel, as README's
 * "What other system calls give" lists them: file I/O, splice, sendfile,
 * copy_file_range, ftruncate, fallocate, reopening through /proc/self/fd,
 * mlock, MADV_DODUMP/DOFORK/FREE/REMOVE, mincore after MADV_DONTNEED,
 * userfaultfd, io_uring fixed buffers, and the names in /proc/PID/maps.
 * Where kernels differ, the expectation is keyed on the kernel's version.
 */
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/userfaultfd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>

#include "tshmap.h"

/* The running kernel is at least major.minor. */
static int kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2) {
		TAP_FAIL("uname: cannot parse the kernel release");
		tap_abort();
	}
	return ma > major || (ma == major && mi >= minor);
}

/* A memfd of len bytes of pattern seed: the ordinary file to copy from. */
static int pattern_memfd(size_t len, unsigned int seed)
{
	int mfd = (int)REQUIRE_SYS(memfd_create("syscalls", MFD_CLOEXEC));
	char *m;

	REQUIRE_SYS(ftruncate(mfd, (off_t)len));
	m = REQUIRE_MAP(mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0));
	t_fill(m, len, seed);
	munmap(m, len);
	return mfd;
}

/* An smaps field of the vma at addr ("Locked"), in kB. */
static uint64_t smaps_kb(const void *addr, const char *field)
{
	unsigned long long kb;
	char v[64];

	if (t_smaps_field(addr, field, v, sizeof(v)) || sscanf(v, "%llu", &kb) != 1) {
		TAP_FAIL("smaps: no %s for the vma at %p", field, addr);
		tap_abort();
	}
	return kb;
}

/* The VmFlags of the vma at addr hold flag ("dd", "dc", "lo"). */
static int has_vmflag(const void *addr, const char *flag)
{
	char flags[256], want[8];

	REQUIRE_EQ(t_vmflags(addr, flags, sizeof(flags)), 0);
	snprintf(want, sizeof(want), " %s ", flag);
	return strstr(flags, want) != NULL;
}

/* read/write and friends: no file I/O, the data is reached through mappings. */
static void file_io(void)
{
	size_t pg = t_page();
	int dev = t_dev();
	int fd = T_CREATE(dev, 2 * pg, SHMAP_MODE_EAGER, 0, NULL);
	char b[16] = "hello";
	struct iovec iov = { b, sizeof(b) };

	CHECK_ERRNO(read(fd, b, sizeof(b)), EINVAL);
	CHECK_ERRNO(write(fd, b, sizeof(b)), EINVAL);
	CHECK_ERRNO(readv(fd, &iov, 1), EINVAL);
	CHECK_ERRNO(writev(fd, &iov, 1), EINVAL);
	CHECK_ERRNO(pread(fd, b, sizeof(b), 0), ESPIPE);
	CHECK_ERRNO(pwrite(fd, b, sizeof(b), 0), ESPIPE);
	CHECK_ERRNO(lseek(fd, 0, SEEK_END), ESPIPE);
	close(fd);
	close(dev);
}

/* splice, sendfile and copy_file_range, from and to a buffer. */
static void splice_family(void)
{
	size_t pg = t_page();
	int dev = t_dev();
	int fd = T_CREATE(dev, 2 * pg, SHMAP_MODE_EAGER, 0, NULL);
	int fd2 = T_CREATE(dev, 2 * pg, SHMAP_MODE_EAGER, 0, NULL);
	int mfd = pattern_memfd(2 * pg, 5);
	char *p = T_MAP(fd, 2 * pg, PROT_READ | PROT_WRITE, 0);
	loff_t a = 0, c = 0;
	int pfd[2];

	t_fill(p, 2 * pg, 6);
	REQUIRE_SYS(pipe(pfd));
	CHECK_ERRNO(splice(fd, NULL, pfd[1], NULL, 16, 0), EINVAL);
	REQUIRE_EQ(write(pfd[1], "0123456789abcdef", 16), 16);
	CHECK_ERRNO(splice(pfd[0], NULL, fd, NULL, 16, 0), EINVAL);
	CHECK_ERRNO(sendfile(mfd, fd, NULL, 16), EINVAL);
	CHECK_ERRNO(sendfile(fd, mfd, NULL, 16), EINVAL);
	CHECK_ERRNO(copy_file_range(mfd, &a, fd, &c, 16, 0), EXDEV);
	CHECK_ERRNO(copy_file_range(fd, &a, mfd, &c, 16, 0), EXDEV);
	CHECK_ERRNO(copy_file_range(fd, &a, fd2, &c, 16, 0), EINVAL);
	CHECK_PATTERN(p, 2 * pg, 6);
	munmap(p, 2 * pg);
	close(pfd[0]);
	close(pfd[1]);
	close(mfd);
	close(fd2);
	close(fd);
	close(dev);
}

/*
 * The size never changes, but ftruncate() to the size it has succeeds, as
 * on a memfd: shm_open()/memfd code sizes the file before mapping it.
 */
static void ftruncate_fallocate(void)
{
	size_t pg = t_page();
	int dev = t_dev();
	int fd = T_CREATE(dev, 2 * pg, SHMAP_MODE_LAZY, 0, NULL);
	int ro = t_export_ro(fd, 0);
	char *p = T_MAP(fd, 2 * pg, PROT_READ | PROT_WRITE, 0);
	struct stat st;

	REQUIRE_GE(ro, 0);
	t_fill(p, 2 * pg, 7);
	CHECK_SYS(ftruncate(fd, (off_t)(2 * pg)));
	CHECK_ERRNO(ftruncate(fd, (off_t)pg), EINVAL);
	CHECK_ERRNO(ftruncate(fd, (off_t)(4 * pg)), EINVAL);
	CHECK_ERRNO(ftruncate(fd, 0), EINVAL);
	CHECK_ERRNO(ftruncate(ro, (off_t)(2 * pg)), EINVAL);
	CHECK_ERRNO(fallocate(fd, 0, 0, (off_t)pg), EOPNOTSUPP);
	CHECK_ERRNO(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
			      (off_t)pg), EOPNOTSUPP);
	CHECK_ERRNO(fallocate(ro, 0, 0, (off_t)pg), EBADF);
	REQUIRE_SYS(fstat(fd, &st));
	CHECK_EQ(st.st_size, 2 * pg);
	CHECK_EQ(T_INFO(fd).resident_pages, 2);
	CHECK_PATTERN(p, 2 * pg, 7);
	munmap(p, 2 * pg);
	close(ro);
	close(fd);
	close(dev);
}

/* open("/proc/self/fd/N", mode) must fail with ENXIO. */
static void reopen_refused(int fd, const char *what)
{
	static const int modes[] = { O_RDONLY, O_WRONLY, O_RDWR };
	char path[64];
	size_t i;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		int r;

		errno = 0;
		r = open(path, modes[i] | O_CLOEXEC);
		if (r >= 0 || errno != ENXIO)
			TAP_FAIL("reopen of %s with mode %d: expected ENXIO, got %d/%s",
				 what, modes[i], r,
				 r >= 0 ? "success" : tap_errname(errno));
		if (r >= 0)
			close(r);
	}
}

/*
 * Reopening a buffer through /proc/self/fd fails with ENXIO in every mode,
 * for the writable fd and for a read-only export: a read-only export must
 * never be reopened writable (a read-only fd of a memfd can be, which the
 * control shows). O_PATH opens, and gives an fd that can neither map nor be
 * reopened.
 */
static void reopen_proc_fd(void)
{
	size_t pg = t_page();
	int dev = t_dev();
	int fd = T_CREATE(dev, 2 * pg, SHMAP_MODE_EAGER, 0, "reopen");
	int ro = t_export_ro(fd, 0);
	int mfd = pattern_memfd(pg, 1), mro, op, r;
	struct stat st, so;
	char path[64];

	REQUIRE_GE(ro, 0);
	reopen_refused(fd, "the writable fd");
	reopen_refused(ro, "the read-only export");

	/* The control: a read-only fd of a memfd reopens writable. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", mfd);
	mro = (int)REQUIRE_SYS(open(path, O_RDONLY | O_CLOEXEC));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", mro);
	r = (int)CHECK_SYS(open(path, O_RDWR | O_CLOEXEC));
	if (r >= 0)
		close(r);
	close(mro);

	snprintf(path, sizeof(path), "/proc/self/fd/%d", ro);
	op = (int)REQUIRE_SYS(open(path, O_PATH | O_CLOEXEC));
	REQUIRE_SYS(fstat(ro, &st));
	REQUIRE_SYS(fstat(op, &so));
	CHECK_EQ(so.st_ino, st.st_ino);
	CHECK_ERRNO(mmap(NULL, pg, PROT_READ, MAP_SHARED, op, 0), EBADF);
	reopen_refused(op, "an O_PATH fd of the export");
	CHECK_EQ(T_INFO(fd).mappings, 0);
	close(op);
	close(mfd);
	close(ro);
	close(fd);
	close(dev);
}

/* VmLck of this process, in kB. */
static uint64_t vmlck_kb(void)
{
	char *text = t_proc_self("status"), *l;
	unsigned long long kb = 0;

	REQUIRE(text != NULL);
	l = strstr(text, "\nVmLck:");
	if (!l || sscanf(l + strlen("\nVmLck:"), "%llu", &kb) != 1) {
		TAP_FAIL("/proc/self/status: no VmLck");
		free(text);
		tap_abort();
	}
	free(text);
	return kb;
}

/*
 * mlock() succeeds and populates (a lazy buffer gets all its pages), but
 * the vma is never VM_LOCKED, so nothing counts as locked: buffer pages are
 * never reclaimed anyway.
 */
static void mlock_populates(void)
{
	size_t pg = t_page(), n = 16;
	int dev = t_dev();
	int fd = T_CREATE(dev, n * pg, SHMAP_MODE_LAZY, 0, NULL);
	char *p = T_MAP(fd, n * pg, PROT_READ | PROT_WRITE, 0), *q;
	uint64_t lck = vmlck_kb();

	CHECK_EQ(T_INFO(fd).resident_pages, 0);
	CHECK_SYS(mlock(p, n * pg));
	CHECK_EQ(T_INFO(fd).resident_pages, n);
	CHECK_EQ(smaps_kb(p, "Locked"), 0);
	CHECK(!has_vmflag(p, "lo"));
	CHECK_EQ(vmlck_kb(), lck);
	CHECK_SYS(munlock(p, n * pg));

	q = REQUIRE_MAP(mmap(NULL, n * pg, PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_LOCKED, fd, 0));
	CHECK_EQ(smaps_kb(q, "Locked"), 0);
	CHECK(!has_vmflag(q, "lo"));
	CHECK_EQ(vmlck_kb(), lck);
	munmap(q, n * pg);
	munmap(p, n * pg);
	close(fd);
	close(dev);
}

/* Buffers stay out of core dumps: MADV_DODUMP is refused. */
static void madvise_dump(void)
{
	size_t pg = t_page();
	int dev = t_dev();
	int fd = T_CREATE(dev, 2 * pg, SHMAP_MODE_LAZY, 0, NULL);
	char *p = T_MAP(fd, 2 * pg, PROT_READ | PROT_WRITE, 0);

	CHECK(has_vmflag(p, "dd"));
	CHECK_SYS(madvise(p, 2 * pg, MADV_DONTDUMP));
	CHECK_ERRNO(madvise(p, 2 * pg, MADV_DODUMP), EINVAL);
	CHECK(has_vmflag(p, "dd"));
	munmap(p, 2 * pg);
	close(fd);
	close(dev);
}

/*
 * MADV_DONTFORK works everywhere; MADV_DOFORK, which undoes it, works on
 * 6.x and fails with EINVAL on 7.x.
 */
static void madvise_fork(void)
{
	size_t pg = t_page();
	int dev = t_dev();
	int fd = T_CREATE(dev, 2 * pg, SHMAP_MODE_EAGER, 0, NULL);
	char *p = T_MAP(fd, 2 * pg, PROT_READ | PROT_WRITE, 0);
	int dofork = !kernel_at_least(7, 0);

	CHECK_SYS(madvise(p, 2 * pg, MADV_DONTFORK));
	CHECK(has_vmflag(p, "dc"));
	CHECK_DIES(SIGSEGV, t_read_byte, p);
	if (dofork) {
		CHECK_SYS(madvise(p, 2 * pg, MADV_DOFORK));
		CHECK(!has_vmflag(p, "dc"));
		CHECK_LIVES(t_write_byte, p);
	} else {
		CHECK_ERRNO(madvise(p, 2 * pg, MADV_DOFORK), EINVAL);
		CHECK(has_vmflag(p, "dc"));
	}
	munmap(p, 2 * pg);
	close(fd);
	close(dev);
}

/* MADV_FREE and MADV_REMOVE are refused and free nothing. */
static void madvise_free_remove(void)
{
	size_t pg = t_page();
	int dev = t_dev();
	int fd = T_CREATE(dev, 4 * pg, SHMAP_MODE_LAZY, 0, NULL);
	int ro = t_export_ro(fd, 0);
	char *p = T_MAP(fd, 4 * pg, PROT_READ | PROT_WRITE, 0);
	char *r = T_MAP(ro, 4 * pg, PROT_READ, 0);

	t_fill(p, 4 * pg, 9);
	CHECK_ERRNO(madvise(p, 4 * pg, MADV_FREE), EINVAL);
	CHECK_ERRNO(madvise(p, 4 * pg, MADV_REMOVE), EOPNOTSUPP);
	CHECK_ERRNO(madvise(r, 4 * pg, MADV_REMOVE), EACCES);
	CHECK_EQ(T_INFO(fd).resident_pages, 4);
	CHECK_PATTERN(p, 4 * pg, 9);
	munmap(r, 4 * pg);
	munmap(p, 4 * pg);
	close(ro);
	close(fd);
	close(dev);
}

/*
 * mincore() tells whether this process maps a page, not whether the buffer
 * has it: after MADV_DONTNEED it reports 0 for pages that still exist.
 */
static void mincore_dontneed(void)
{
	size_t pg = t_page(), i;
	int dev = t_dev();
	int fd = T_CREATE(dev, 4 * pg, SHMAP_MODE_EAGER, 0, NULL);
	char *p = T_MAP(fd, 4 * pg, PROT_READ | PROT_WRITE, 0);
	unsigned char vec[4];

	t_fill(p, 4 * pg, 10);
	REQUIRE_SYS(mincore(p, 4 * pg, vec));
	for (i = 0; i < 4; i++)
		CHECK_EQ(vec[i] & 1, 1);
	REQUIRE_SYS(madvise(p, 4 * pg, MADV_DONTNEED));
	REQUIRE_SYS(mincore(p, 4 * pg, vec));
	for (i = 0; i < 4; i++)
		CHECK_EQ(vec[i] & 1, 0);
	CHECK_EQ(T_INFO(fd).resident_pages, 4);
	CHECK_PATTERN(p, pg, 10);
	REQUIRE_SYS(mincore(p, pg, vec));
	CHECK_EQ(vec[0] & 1, 1);
	munmap(p, 4 * pg);
	close(fd);
	close(dev);
}

/* UFFDIO_REGISTER of a mapping, in mode: 0 or -errno. */
static int uffd_register(int uffd, void *addr, size_t len, __u64 mode)
{
	struct uffdio_register reg = {
		.range = { (__u64)(uintptr_t)addr, len },
		.mode = mode,
	};

	return ioctl(uffd, UFFDIO_REGISTER, &reg) ? -errno : 0;
}

/*
 * userfaultfd refuses buffer mappings (only anonymous memory, shmem and
 * hugetlbfs can be registered); an anonymous mapping is the control.
 */
static void userfaultfd_refused(void)
{
	size_t pg = t_page();
	int dev = t_dev();
	int fd = T_CREATE(dev, 2 * pg, SHMAP_MODE_LAZY, 0, NULL);
	char *p = T_MAP(fd, 2 * pg, PROT_READ | PROT_WRITE, 0);
	char *anon = REQUIRE_MAP(mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	struct uffdio_api api = { .api = UFFD_API };
	int uffd = (int)syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	if (uffd < 0)
		tap_skip("userfaultfd: %s", tap_errname(errno));
	REQUIRE_SYS(ioctl(uffd, UFFDIO_API, &api));
	CHECK_RET(uffd_register(uffd, p, 2 * pg, UFFDIO_REGISTER_MODE_MISSING), -EINVAL);
	CHECK_RET(uffd_register(uffd, p, 2 * pg, UFFDIO_REGISTER_MODE_WP), -EINVAL);
	CHECK_RET(uffd_register(uffd, anon, 2 * pg, UFFDIO_REGISTER_MODE_MISSING), 0);
	t_fill(p, 2 * pg, 11);
	CHECK_PATTERN(p, 2 * pg, 11);
	close(uffd);
	munmap(anon, 2 * pg);
	munmap(p, 2 * pg);
	close(fd);
	close(dev);
}

/* A minimal io_uring, through the raw system calls. */
struct ring {
	int fd;
	struct io_uring_params par;
	char *sq, *cq;
	size_t sq_len, cq_len, sqes_len;
	struct io_uring_sqe *sqes;
};

static int ring_setup(struct ring *r)
{
	memset(r, 0, sizeof(*r));
	r->fd = (int)syscall(__NR_io_uring_setup, 4, &r->par);
	if (r->fd < 0)
		return -errno;
	r->sq_len = r->par.sq_off.array + r->par.sq_entries * sizeof(__u32);
	r->cq_len = r->par.cq_off.cqes +
		    r->par.cq_entries * sizeof(struct io_uring_cqe);
	r->sqes_len = r->par.sq_entries * sizeof(struct io_uring_sqe);
	r->sq = REQUIRE_MAP(mmap(NULL, r->sq_len, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_POPULATE, r->fd,
				 IORING_OFF_SQ_RING));
	r->cq = REQUIRE_MAP(mmap(NULL, r->cq_len, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_POPULATE, r->fd,
				 IORING_OFF_CQ_RING));
	r->sqes = REQUIRE_MAP(mmap(NULL, r->sqes_len, PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_POPULATE, r->fd,
				   IORING_OFF_SQES));
	return 0;
}

static void ring_close(struct ring *r)
{
	munmap(r->sqes, r->sqes_len);
	munmap(r->cq, r->cq_len);
	munmap(r->sq, r->sq_len);
	close(r->fd);
}

/* Submit one sqe and wait for its completion: cqe->res. */
static int ring_run(struct ring *r, const struct io_uring_sqe *sqe)
{
	__u32 *tail = (__u32 *)(r->sq + r->par.sq_off.tail);
	__u32 mask = *(__u32 *)(r->sq + r->par.sq_off.ring_mask);
	__u32 *array = (__u32 *)(r->sq + r->par.sq_off.array);
	__u32 *chead = (__u32 *)(r->cq + r->par.cq_off.head);
	__u32 *ctail = (__u32 *)(r->cq + r->par.cq_off.tail);
	__u32 cmask = *(__u32 *)(r->cq + r->par.cq_off.ring_mask);
	struct io_uring_cqe *cqes = (struct io_uring_cqe *)(r->cq + r->par.cq_off.cqes);
	__u32 t = *tail, h;
	int res;

	r->sqes[t & mask] = *sqe;
	array[t & mask] = t & mask;
	__atomic_store_n(tail, t + 1, __ATOMIC_RELEASE);
	REQUIRE_EQ(syscall(__NR_io_uring_enter, r->fd, 1, 1,
			   IORING_ENTER_GETEVENTS, NULL, 0), 1);
	h = *chead;
	REQUIRE(__atomic_load_n(ctail, __ATOMIC_ACQUIRE) != h);
	res = cqes[h & cmask].res;
	__atomic_store_n(chead, h + 1, __ATOMIC_RELEASE);
	return res;
}

/*
 * io_uring fixed buffers: registering a buffer mapping pins its pages
 * (from 6.12; 6.1 pins file mappings of shmem and hugetlbfs only and
 * refuses others with EOPNOTSUPP, while a memfd mapping, the control,
 * registers), and IORING_OP_READ_FIXED then reads a file straight into
 * the buffer's pages: a second mapping sees the data.
 */
static void io_uring_fixed(void)
{
	size_t pg = t_page(), n = 8;
	int dev = t_dev();
	int fd = T_CREATE(dev, n * pg, SHMAP_MODE_LAZY, 0, "uring");
	char *p = T_MAP(fd, n * pg, PROT_READ | PROT_WRITE, 0);
	char *q = T_MAP(fd, n * pg, PROT_READ, 0);
	int mfd = pattern_memfd(n * pg, 12);
	char *m = REQUIRE_MAP(mmap(NULL, n * pg, PROT_READ | PROT_WRITE,
				   MAP_SHARED, mfd, 0));
	struct iovec iov = { p, n * pg }, miov = { m, n * pg };
	struct io_uring_sqe sqe;
	struct ring r;
	int ret;

	ret = ring_setup(&r);
	if (ret)
		tap_skip("io_uring_setup: %s", tap_errname(-ret));
	CHECK_SYS(syscall(__NR_io_uring_register, r.fd, IORING_REGISTER_BUFFERS,
			  &miov, 1));
	CHECK_SYS(syscall(__NR_io_uring_register, r.fd,
			  IORING_UNREGISTER_BUFFERS, NULL, 0));
	errno = 0;
	ret = (int)syscall(__NR_io_uring_register, r.fd, IORING_REGISTER_BUFFERS,
			   &iov, 1);
	if (!kernel_at_least(6, 12)) {
		CHECK_EQ(ret, -1);
		CHECK_EQ(errno, EOPNOTSUPP);
		tap_diag("IORING_REGISTER_BUFFERS: %s",
			 ret ? tap_errname(errno) : "registered");
		goto out;
	}
	if (ret) {
		TAP_FAIL("IORING_REGISTER_BUFFERS: %s", tap_errname(errno));
		goto out;
	}
	/* The pin faulted every page in. */
	CHECK_EQ(T_INFO(fd).resident_pages, n);
	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = IORING_OP_READ_FIXED;
	sqe.fd = mfd;
	sqe.addr = (__u64)(uintptr_t)p;
	sqe.len = (__u32)(n * pg);
	sqe.off = 0;
	sqe.buf_index = 0;
	CHECK_EQ(ring_run(&r, &sqe), n * pg);
	CHECK_PATTERN(q, n * pg, 12);
	CHECK_SYS(syscall(__NR_io_uring_register, r.fd,
			  IORING_UNREGISTER_BUFFERS, NULL, 0));
out:
	ring_close(&r);
	munmap(m, n * pg);
	close(mfd);
	munmap(q, n * pg);
	munmap(p, n * pg);
	close(fd);
	close(dev);
}

/* The maps line and the fd link of a buffer named name read "/shmap:name". */
static void check_name(const char *name)
{
	size_t pg = t_page();
	int dev = t_dev();
	int fd = T_CREATE(dev, pg, SHMAP_MODE_LAZY, 0, name);
	char *p = T_MAP(fd, pg, PROT_READ, 0);
	char want[96], line[512], link[128], path[64];
	size_t wl, ll;
	ssize_t n;

	snprintf(want, sizeof(want), " /shmap:%s", name ? name : "");
	REQUIRE_EQ(t_maps_line(p, line, sizeof(line)), 0);
	wl = strlen(want);
	ll = strlen(line);
	if (ll < wl || strcmp(line + ll - wl, want))
		TAP_FAIL("maps line '%s' does not end with '%s'", line, want);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	REQUIRE_GE(n, 0);
	link[n] = '\0';
	if (strcmp(link, want + 1))
		TAP_FAIL("fd link '%s', expected '%s'", link, want + 1);
	munmap(p, pg);
	close(fd);
	close(dev);
}

/*
 * Names are shown verbatim, with no " (deleted)" suffix (a memfd has one):
 * spaces, colons and backslashes as given; no name shows "/shmap:".
 */
static void maps_names(void)
{
	check_name("frames");
	check_name(" a b:c\\d ");
	check_name(NULL);
}

static const struct tap_case cases[] = {
	TAP_CASE(file_io),
	TAP_CASE(splice_family),
	TAP_CASE(ftruncate_fallocate),
	TAP_CASE(reopen_proc_fd),
	TAP_CASE(mlock_populates),
	TAP_CASE(madvise_dump),
	TAP_CASE(madvise_fork),
	TAP_CASE(madvise_free_remove),
	TAP_CASE(mincore_dontneed),
	TAP_CASE(userfaultfd_refused),
	TAP_CASE(io_uring_fixed),
	TAP_CASE(maps_names),
};

TAP_MAIN("syscalls", cases)
