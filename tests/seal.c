// SPDX-License-Identifier: GPL-2.0
/*
 * seal: read-only export (SHMAP_IOC_EXPORT_RO) and seals (SHMAP_IOC_SEAL:
 * FUTURE_WRITE, SEAL, reading with seals=0, unknown bits, a SEAL that fails
 * with EFAULT seals nothing), and FUTURE_WRITE racing mmap().
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
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

struct race {
	int fd;
	atomic_int go;
	double delay;		/* seconds after go */
	int sealed;		/* t_seal()'s result */
	uint32_t mappings;	/* INFO.mappings right after the seal */
};

static void *race_sealer(void *arg)
{
	struct race *r = arg;
	struct shmap_info in;
	double t0;

	while (!atomic_load(&r->go))
		;
	/* A spin, not a sleep: sleeps are far coarser than the window. */
	for (t0 = t_now(); t_now() - t0 < r->delay;)
		;
	r->sealed = t_seal(r->fd, SHMAP_SEAL_FUTURE_WRITE);
	r->mappings = t_info(r->fd, &in) ? ~0U : in.mappings;
	return NULL;
}

/*
 * SHMAP_SEAL_FUTURE_WRITE added while mmap() of a writable fd runs, at
 * delays that sweep the whole mmap() of a 16 MiB eager buffer. With
 * ->mmap_prepare (7.x) the seal can land after ->mmap_prepare looked and
 * before ->mapped: ->mapped looks again and fails, the core unmaps the
 * vma and ->close must drop nothing (mmap_undone counts those). Either
 * way a mapping that may be written (PROT_WRITE, or PROT_READ with
 * mprotect() to write still allowed) survives only if it was complete
 * when the seal was added: the buffer already had it (INFO.mappings) right
 * after the seal. And every buffer, however its mmap() ended, is freed
 * with its fd: no reference is left behind.
 */
static void future_write_races_mmap(void)
{
	size_t len = 16 * T_MIB;
	uint64_t buffers = T_STAT("buffers"), allocated = T_STAT("pages_allocated");
	uint64_t undone0 = T_STAT("mmap_undone"), undone;
	unsigned int i, trials = 48, mapped = 0, refused = 0, late = 0;
	int dev = t_dev();
	double window;
	char *p;

	/* How long one mmap() takes here: the window to sweep. */
	{
		int fd = T_CREATE(dev, len, SHMAP_MODE_EAGER, 0, "race");
		double t0 = t_now();

		p = T_MAP(fd, len, PROT_READ | PROT_WRITE, 0);
		window = t_now() - t0;
		munmap(p, len);
		close(fd);
	}
	for (i = 0; i < trials; i++) {
		int prot = i & 1 ? PROT_READ : PROT_READ | PROT_WRITE;
		struct race r = { .delay = window * 1.5 * (i / 2) / (trials / 2) };
		uint64_t u;
		pthread_t t;
		int err;

		r.fd = T_CREATE(dev, len, SHMAP_MODE_EAGER, 0, "race");
		u = T_STAT("mmap_undone");
		REQUIRE_EQ(pthread_create(&t, NULL, race_sealer, &r), 0);
		atomic_store(&r.go, 1);
		errno = 0;
		p = mmap(NULL, len, prot, MAP_SHARED, r.fd, 0);
		err = errno;
		pthread_join(t, NULL);
		CHECK_EQ(r.sealed, SHMAP_SEAL_FUTURE_WRITE);
		if (p != MAP_FAILED && (prot & PROT_WRITE)) {
			mapped++;
			if (r.mappings != 1)
				TAP_FAIL("trial %u: writable mapping made "
					 "after the seal (%u mappings then)",
					 i, r.mappings);
			p[len - 1] = 1;
			munmap(p, len);
		} else if (p != MAP_FAILED) {
			/* Made after the seal: it may never become writable. */
			mapped++;
			if (r.mappings == 1)
				CHECK_SYS(mprotect(p, len,
						   PROT_READ | PROT_WRITE));
			else
				CHECK_ERRNO(mprotect(p, len,
						     PROT_READ | PROT_WRITE),
					    EACCES);
			munmap(p, len);
		} else {
			if (err != EPERM)
				TAP_FAIL("trial %u: mmap: %s, expected EPERM",
					 i, tap_errname(err));
			refused++;
			late += T_STAT("mmap_undone") != u;
			CHECK_EQ(T_INFO(r.fd).mappings, 0);
		}
		close(r.fd);
	}
	close(dev);
	CHECK_EQ(T_STAT("buffers"), buffers);
	CHECK_EQ(T_STAT("pages_allocated"), allocated);
	undone = T_STAT("mmap_undone") - undone0;
	CHECK_EQ(undone, late);
	tap_describe("%u trials over %.1f ms: %u mapped, %u refused, %u of "
		     "them undone after ->mmap_prepare", trials,
		     window * 1500, mapped, refused, late);
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
	TAP_CASE_T(future_write_races_mmap, 240),
};

TAP_MAIN("seal", cases)
