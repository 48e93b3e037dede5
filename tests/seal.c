// SPDX-License-Identifier: GPL-2.0
/*
 * seal: read-only export (SHMAP_IOC_EXPORT_RO) and seals (SHMAP_IOC_SEAL:
 * FUTURE_WRITE, SEAL, reading with seals=0, unknown bits, a SEAL that fails
 * with EFAULT seals nothing).
 */
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "tshmap.h"

struct pair {
	int dev, rw, ro;
};

static struct pair make_pair(uint32_t mode)
{
	struct pair p;

	p.dev = t_dev();
	p.rw = T_CREATE(p.dev, 4 * t_page(), mode, 0, "sealed");
	p.ro = t_export_ro(p.rw, 0);
	if (p.ro < 0) {
		TAP_FAIL("EXPORT_RO: %s", tap_errname(-p.ro));
		tap_abort();
	}
	return p;
}

static void close_pair(struct pair *p)
{
	close(p->ro);
	close(p->rw);
	close(p->dev);
}

static void ro_sees_writes_mode(uint32_t mode)
{
	size_t len = 4 * t_page();
	struct pair p = make_pair(mode);
	char *w = T_MAP(p.rw, len, PROT_READ | PROT_WRITE, 0);
	char *r = T_MAP(p.ro, len, PROT_READ, 0);
	char *r2 = T_MAP(p.ro, t_page(), PROT_READ, 2 * t_page());

	t_fill(w, len, 51);
	CHECK_PATTERN(r, len, 51);
	CHECK_EQ(r2[0], w[2 * t_page()]);
	w[2 * t_page()] = 'z';
	CHECK_EQ(r2[0], 'z');
	CHECK_DIES(SIGSEGV, t_write_byte, r);
	munmap(w, len);
	munmap(r, len);
	munmap(r2, t_page());
	close_pair(&p);
}

static void ro_sees_writes_eager(void)
{
	ro_sees_writes_mode(SHMAP_MODE_EAGER);
}

static void ro_sees_writes_lazy(void)
{
	ro_sees_writes_mode(SHMAP_MODE_LAZY);
}

static void ro_fd_properties(void)
{
	struct pair p = make_pair(SHMAP_MODE_LAZY);
	struct stat s1, s2;
	long fl;
	int nc;

	fl = CHECK_SYS(fcntl(p.ro, F_GETFL));
	CHECK_EQ(fl & O_ACCMODE, O_RDONLY);
	fl = CHECK_SYS(fcntl(p.ro, F_GETFD));
	CHECK_EQ(fl & FD_CLOEXEC, FD_CLOEXEC);
	REQUIRE_SYS(fstat(p.rw, &s1));
	REQUIRE_SYS(fstat(p.ro, &s2));
	CHECK_EQ(s1.st_ino, s2.st_ino);
	CHECK_EQ(s2.st_size, 4 * t_page());
	CHECK_EQ(T_INFO(p.ro).ino, s1.st_ino);
	nc = t_export_ro(p.rw, SHMAP_EXPORT_NO_CLOEXEC);
	CHECK_GE(nc, 0);
	if (nc >= 0) {
		fl = CHECK_SYS(fcntl(nc, F_GETFD));
		CHECK_EQ(fl & FD_CLOEXEC, 0);
		close(nc);
	}
	close_pair(&p);
}

static void ro_info_flag(void)
{
	struct pair p = make_pair(SHMAP_MODE_EAGER);
	struct shmap_info ro = T_INFO(p.ro), rw = T_INFO(p.rw);

	CHECK_EQ(ro.flags & SHMAP_INFO_READONLY, SHMAP_INFO_READONLY);
	CHECK_EQ(rw.flags & SHMAP_INFO_READONLY, 0);
	CHECK_EQ(ro.size, rw.size);
	CHECK_EQ(ro.ino, rw.ino);
	CHECK_EQ(ro.mode, SHMAP_MODE_EAGER);
	close_pair(&p);
}

static void ro_prot_write(void)
{
	struct pair p = make_pair(SHMAP_MODE_LAZY);

	CHECK_ERRNO(mmap(NULL, t_page(), PROT_READ | PROT_WRITE, MAP_SHARED, p.ro, 0), EACCES);
	CHECK_ERRNO(mmap(NULL, t_page(), PROT_WRITE, MAP_SHARED, p.ro, 0), EACCES);
	CHECK_EQ(T_INFO(p.rw).mappings, 0);
	close_pair(&p);
}

static void ro_mprotect(void)
{
	struct pair p = make_pair(SHMAP_MODE_EAGER);
	char *r = T_MAP(p.ro, 2 * t_page(), PROT_READ, 0);

	CHECK_ERRNO(mprotect(r, 2 * t_page(), PROT_READ | PROT_WRITE), EACCES);
	CHECK_ERRNO(mprotect(r + t_page(), t_page(), PROT_WRITE), EACCES);
	CHECK_DIES(SIGSEGV, t_write_byte, r);
	/* Even with the writable fd closed. */
	close(p.rw);
	p.rw = -1;
	CHECK_ERRNO(mprotect(r, t_page(), PROT_READ | PROT_WRITE), EACCES);
	munmap(r, 2 * t_page());
	close(p.ro);
	close(p.dev);
}

static void ro_cannot_seal(void)
{
	struct pair p = make_pair(SHMAP_MODE_LAZY);

	CHECK_EQ(t_seal(p.ro, SHMAP_SEAL_FUTURE_WRITE), -EPERM);
	CHECK_EQ(t_seal(p.ro, SHMAP_SEAL_SEAL), -EPERM);
	CHECK_EQ(t_seal(p.rw, 0), 0);
	CHECK_EQ(T_INFO(p.rw).seals, 0);
	close_pair(&p);
}

static void ro_export_from_ro(void)
{
	struct pair p = make_pair(SHMAP_MODE_LAZY);
	int ro2 = t_export_ro(p.ro, 0);

	REQUIRE_GE(ro2, 0);
	CHECK_EQ(T_INFO(ro2).flags & SHMAP_INFO_READONLY, SHMAP_INFO_READONLY);
	CHECK_ERRNO(mmap(NULL, t_page(), PROT_READ | PROT_WRITE, MAP_SHARED, ro2, 0), EACCES);
	CHECK_EQ(fcntl(ro2, F_GETFL) & O_ACCMODE, O_RDONLY);
	close(ro2);
	close_pair(&p);
}

static void future_write_new_writable(void)
{
	int dev = t_dev();
	int fd = T_CREATE(dev, 2 * t_page(), SHMAP_MODE_LAZY, 0, NULL);

	CHECK_EQ(t_seal(fd, SHMAP_SEAL_FUTURE_WRITE), SHMAP_SEAL_FUTURE_WRITE);
	CHECK_ERRNO(mmap(NULL, t_page(), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), EPERM);
	CHECK_ERRNO(mmap(NULL, t_page(), PROT_WRITE, MAP_SHARED, fd, t_page()), EPERM);
	CHECK_EQ(T_INFO(fd).seals, SHMAP_SEAL_FUTURE_WRITE);
	close(fd);
	close(dev);
}

static void future_write_mprotect(void)
{
	int dev = t_dev();
	int fd = T_CREATE(dev, 2 * t_page(), SHMAP_MODE_EAGER, 0, NULL);
	char *r;

	CHECK_EQ(t_seal(fd, SHMAP_SEAL_FUTURE_WRITE), SHMAP_SEAL_FUTURE_WRITE);
	r = T_MAP(fd, 2 * t_page(), PROT_READ, 0);
	CHECK_EQ(r[0], 0);
	CHECK_ERRNO(mprotect(r, 2 * t_page(), PROT_READ | PROT_WRITE), EACCES);
	CHECK_DIES(SIGSEGV, t_write_byte, r + t_page());
	munmap(r, 2 * t_page());
	close(fd);
	close(dev);
}

static void future_write_existing(void)
{
	size_t len = 2 * t_page();
	int dev = t_dev();
	int fd = T_CREATE(dev, len, SHMAP_MODE_LAZY, 0, NULL);
	char *w = T_MAP(fd, len, PROT_READ | PROT_WRITE, 0);
	char *r;
	pid_t pid;

	w[0] = 1;
	CHECK_EQ(t_seal(fd, SHMAP_SEAL_FUTURE_WRITE), SHMAP_SEAL_FUTURE_WRITE);
	/* The existing writable mapping keeps writing, also to fresh pages. */
	t_fill(w, len, 61);
	r = T_MAP(fd, len, PROT_READ, 0);
	CHECK_PATTERN(r, len, 61);
	/* And so does its copy in a child. */
	pid = tap_fork();
	if (pid == 0) {
		t_fill(w, len, 62);
		_exit(0);
	}
	CHECK_EXIT0(tap_wait(pid));
	CHECK_PATTERN(r, len, 62);
	/* MADV_DONTNEED then write: faults back in, writable. */
	REQUIRE_SYS(madvise(w, len, MADV_DONTNEED));
	w[5] = 'q';
	CHECK_EQ(r[5], 'q');
	munmap(w, len);
	munmap(r, len);
	close(fd);
	close(dev);
}

static void seal_seal(void)
{
	int dev = t_dev();
	int fd = T_CREATE(dev, t_page(), SHMAP_MODE_LAZY, 0, NULL);
	char *w;

	CHECK_EQ(t_seal(fd, SHMAP_SEAL_SEAL), SHMAP_SEAL_SEAL);
	CHECK_EQ(t_seal(fd, SHMAP_SEAL_FUTURE_WRITE), -EPERM);
	CHECK_EQ(t_seal(fd, SHMAP_SEAL_FUTURE_WRITE | SHMAP_SEAL_SEAL), -EPERM);
	/* Reading still works, and nothing was added. */
	CHECK_EQ(t_seal(fd, 0), SHMAP_SEAL_SEAL);
	CHECK_EQ(T_INFO(fd).seals, SHMAP_SEAL_SEAL);
	/* SEAL alone does not stop writable mappings. */
	w = T_MAP(fd, t_page(), PROT_READ | PROT_WRITE, 0);
	w[0] = 1;
	munmap(w, t_page());
	close(fd);
	close(dev);
}

static void seal_both_at_once(void)
{
	int dev = t_dev();
	int fd = T_CREATE(dev, t_page(), SHMAP_MODE_LAZY, 0, NULL);

	CHECK_EQ(t_seal(fd, SHMAP_SEAL_FUTURE_WRITE | SHMAP_SEAL_SEAL), SHMAP_SEALS);
	CHECK_EQ(t_seal(fd, SHMAP_SEAL_FUTURE_WRITE), -EPERM);
	CHECK_ERRNO(mmap(NULL, t_page(), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), EPERM);
	close(fd);
	close(dev);
}

static void seals_zero_reads(void)
{
	int dev = t_dev();
	int fd = T_CREATE(dev, t_page(), SHMAP_MODE_EAGER, 0, NULL);
	int ro;

	CHECK_EQ(t_seal(fd, 0), 0);
	CHECK_EQ(t_seal(fd, SHMAP_SEAL_FUTURE_WRITE), SHMAP_SEAL_FUTURE_WRITE);
	CHECK_EQ(t_seal(fd, 0), SHMAP_SEAL_FUTURE_WRITE);
	/* Adding a seal twice is harmless. */
	CHECK_EQ(t_seal(fd, SHMAP_SEAL_FUTURE_WRITE), SHMAP_SEAL_FUTURE_WRITE);
	CHECK_EQ(T_INFO(fd).seals, SHMAP_SEAL_FUTURE_WRITE);
	/* Seals belong to the buffer: every fd sees them. */
	ro = t_export_ro(fd, 0);
	REQUIRE_GE(ro, 0);
	CHECK_EQ(T_INFO(ro).seals, SHMAP_SEAL_FUTURE_WRITE);
	close(ro);
	close(fd);
	close(dev);
}

static void unknown_seal_bits(void)
{
	int dev = t_dev();
	int fd = T_CREATE(dev, t_page(), SHMAP_MODE_LAZY, 0, NULL);
	uint32_t bit;

	for (bit = 2; bit < 32; bit++)
		CHECK_EQ(t_seal(fd, 1U << bit), -EINVAL);
	CHECK_EQ(t_seal(fd, SHMAP_SEAL_FUTURE_WRITE | (1U << 5)), -EINVAL);
	/* Nothing was added by the failed calls. */
	CHECK_EQ(t_seal(fd, 0), 0);
	close(fd);
	close(dev);
}

/* A memfd page holding *s, mapped with prot and flags. */
static struct shmap_seal *seal_arg_in_file(const struct shmap_seal *s, int prot, int flags)
{
	int mfd = (int)REQUIRE_SYS(memfd_create("seal-arg", MFD_CLOEXEC));
	void *p;

	REQUIRE_SYS(ftruncate(mfd, (off_t)t_page()));
	REQUIRE_EQ(pwrite(mfd, s, sizeof(*s), 0), sizeof(*s));
	p = REQUIRE_MAP(mmap(NULL, t_page(), prot, flags, mfd, 0));
	close(mfd);
	return p;
}

/*
 * The argument in a read-only mapping: the seals in force cannot be written
 * back, the call fails with EFAULT, and it must not have sealed anything.
 */
static void seal_efault_readonly(void)
{
	size_t pg = t_page();
	int dev = t_dev();
	int fd = T_CREATE(dev, 2 * pg, SHMAP_MODE_LAZY, 0, NULL);
	struct shmap_seal in = { .seals = SHMAP_SEAL_FUTURE_WRITE };
	struct shmap_seal *a = seal_arg_in_file(&in, PROT_READ, MAP_SHARED);
	struct shmap_seal *b;
	char *w;

	CHECK_ERRNO(ioctl(fd, SHMAP_IOC_SEAL, a), EFAULT);
	CHECK_EQ(T_INFO(fd).seals, 0);
	CHECK_EQ(t_seal(fd, 0), 0);
	/* Not sealed: a new writable mapping works. */
	w = T_MAP(fd, pg, PROT_READ | PROT_WRITE, 0);
	w[0] = 1;
	munmap(w, pg);

	/* Nor SEAL_SEAL: seals can still be added. */
	in.seals = SHMAP_SEALS;
	b = seal_arg_in_file(&in, PROT_READ, MAP_SHARED);
	CHECK_ERRNO(ioctl(fd, SHMAP_IOC_SEAL, b), EFAULT);
	CHECK_EQ(T_INFO(fd).seals, 0);
	CHECK_EQ(t_seal(fd, SHMAP_SEAL_FUTURE_WRITE), SHMAP_SEAL_FUTURE_WRITE);

	/* Only reading (seals = 0) into read-only memory: EFAULT too, nothing added. */
	in.seals = 0;
	munmap(a, pg);
	a = seal_arg_in_file(&in, PROT_READ, MAP_SHARED);
	CHECK_ERRNO(ioctl(fd, SHMAP_IOC_SEAL, a), EFAULT);
	CHECK_EQ(T_INFO(fd).seals, SHMAP_SEAL_FUTURE_WRITE);
	CHECK_EQ(t_seal(fd, SHMAP_SEAL_SEAL), SHMAP_SEALS);
	munmap(a, pg);
	munmap(b, pg);
	close(fd);
	close(dev);
}

/*
 * The argument in a private file mapping that was only read so far: the
 * write-back needs a copy-on-write fault, which the kernel takes without
 * holding the buffer's lock, then seals.
 */
static void seal_arg_cow(void)
{
	int dev = t_dev();
	int fd = T_CREATE(dev, t_page(), SHMAP_MODE_LAZY, 0, NULL);
	struct shmap_seal in = { .seals = SHMAP_SEAL_SEAL };
	struct shmap_seal *a;

	CHECK_EQ(t_seal(fd, SHMAP_SEAL_FUTURE_WRITE), SHMAP_SEAL_FUTURE_WRITE);
	a = seal_arg_in_file(&in, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	CHECK_EQ(ioctl(fd, SHMAP_IOC_SEAL, a), 0);
	CHECK_EQ(a->seals, SHMAP_SEALS);
	CHECK_EQ(T_INFO(fd).seals, SHMAP_SEALS);
	munmap(a, t_page());
	close(fd);
	close(dev);
}

static const struct tap_case cases[] = {
	TAP_CASE(ro_sees_writes_eager),
	TAP_CASE(ro_sees_writes_lazy),
	TAP_CASE(ro_fd_properties),
	TAP_CASE(ro_info_flag),
	TAP_CASE(ro_prot_write),
	TAP_CASE(ro_mprotect),
	TAP_CASE(ro_cannot_seal),
	TAP_CASE(ro_export_from_ro),
	TAP_CASE(future_write_new_writable),
	TAP_CASE(future_write_mprotect),
	TAP_CASE(future_write_existing),
	TAP_CASE(seal_seal),
	TAP_CASE(seal_both_at_once),
	TAP_CASE(seals_zero_reads),
	TAP_CASE(unknown_seal_bits),
	TAP_CASE(seal_efault_readonly),
	TAP_CASE(seal_arg_cow),
};

TAP_MAIN("seal", cases)
