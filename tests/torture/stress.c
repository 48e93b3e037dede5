// SPDX-License-Identifier: GPL-2.0
/*
 * stress: processes x threads doing everything at once on shared buffers:
 * create, mmap, first-touch faults (racing), MADV_DONTNEED, mremap moves,
 * partial munmap and mprotect splits, fork (children exit with mappings
 * in place), read-only export, seals, close while mapped, and SIGKILL of
 * children in the middle of faults or of an eager create. One buffer of
 * the pool is huge (SHMAP_CREATE_HUGE): two 2 MiB folios and a tail of
 * pages, mapped half of the time as one whole aligned span (a PMD), else
 * at any range (PTEs of the folios); creates add the flag at random.
 *
 * Every page of the shared pool carries a tag in its first 8 bytes, set
 * once by whoever touches it first (compare-and-swap); a page that loses
 * its tag or shows another one means the module handed out the wrong page.
 * Afterwards the module's counters must be back to their starting values
 * (pages_allocated 0 when nothing else holds buffers).
 *
 *   stress [-p PROCS] [-t THREADS] [-i ITERATIONS] [-s SECONDS] [-r SEED]
 * Defaults: 2 processes x 3 threads x 600 iterations, at most 40 s (sized for
 * the debug kernel under TCG, which is 5-10x slower than a distro kernel).
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "torture.h"

#define NPOOL 7
/* The huge one of the pool: two PMD-sized spans and a tail of pages. */
#define HUGE_POOL 6
#define SPAN_PAGES 512
#define HUGE_POOL_PAGES (2 * SPAN_PAGES + 16)
#define MAX_ERRS 20

static int nprocs = 2, nthreads = 3, iters = 600, seconds = 40;
static uint64_t seed;
static int dev = -1;
static double deadline;

struct pool {
	int fd;
	size_t pages;
	uint32_t mode;
	uint32_t flags;
};
static struct pool pool[NPOOL];

/* Shared between all processes. */
struct shared {
	atomic_long ops[16];
	atomic_long errors;
	atomic_long kills;
};
static struct shared *sh;

static const char *const op_names[] = {
	"map+touch", "dontneed", "mremap", "split", "fork", "kill-in-fault", "kill-in-create",
	"export_ro", "seal", "close-while-mapped", "info", "create-churn",
};
#define NOPS ((int)(sizeof(op_names) / sizeof(op_names[0])))

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void __attribute__((format(printf, 1, 2))) err(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	if (atomic_fetch_add(&sh->errors, 1) >= MAX_ERRS)
		return;
	n = snprintf(buf, sizeof(buf), "# error (pid %d): ", getpid());
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(STDOUT_FILENO, buf, n) < 0)
		return;
}

static uint64_t tag_of(int b, size_t pg)
{
	return ((uint64_t)(b + 1) << 32) | (pg + 1);
}

/* Set or check the tag of every page of [first, first + n) mapped at p. */
static int tag_pages(int b, char *p, size_t first, size_t n, int readonly)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t *t = (uint64_t *)(p + i * PAGE), want = tag_of(b, first + i), cur = 0;

		if (readonly) {
			cur = __atomic_load_n(t, __ATOMIC_ACQUIRE);
			if (cur && cur != want)
				goto bad;
		} else if (!__atomic_compare_exchange_n(t, &cur, want, 0, __ATOMIC_ACQ_REL,
							 __ATOMIC_ACQUIRE) && cur != want) {
			goto bad;
		}
		continue;
bad:
		err("buffer %d page %zu: tag %#llx, want %#llx", b, first + i,
		    (unsigned long long)cur, (unsigned long long)want);
		return -1;
	}
	return 0;
}

/* Tags must be present (set by tag_pages before). */
static int tags_present(int b, char *p, size_t first, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t cur = __atomic_load_n((uint64_t *)(p + i * PAGE), __ATOMIC_ACQUIRE);

		if (cur != tag_of(b, first + i)) {
			err("buffer %d page %zu lost its tag: %#llx", b, first + i,
			    (unsigned long long)cur);
			return -1;
		}
	}
	return 0;
}

/* Scribble somewhere after the tag. */
static void scribble(char *p, size_t n, uint64_t *r)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i * PAGE + 64 + rnd_below(r, PAGE - 64)] = (char)rnd_next(r);
}

struct range {
	int b;
	size_t first, n;
	char *p;
};

static int map_range(struct range *m, uint64_t *r, size_t min, int prot)
{
	struct pool *pl;

	m->b = (int)rnd_below(r, NPOOL);
	pl = &pool[m->b];
	if (min > pl->pages)
		min = pl->pages;
	if ((pl->flags & SHMAP_CREATE_HUGE) && rnd_below(r, 2)) {
		/* One whole span, at an address that maps it with a PMD. */
		m->n = SPAN_PAGES;
		m->first = SPAN_PAGES * rnd_below(r, pl->pages / SPAN_PAGES);
	} else {
		m->n = min + rnd_below(r, pl->pages - min + 1);
		m->first = rnd_below(r, pl->pages - m->n + 1);
	}
	m->p = mmap(NULL, m->n * PAGE, prot, MAP_SHARED, pl->fd, m->first * PAGE);
	if (m->p == MAP_FAILED) {
		err("mmap buffer %d [%zu,+%zu): %s", m->b, m->first, m->n, strerror(errno));
		return -1;
	}
	return 0;
}

static void op_map_touch(uint64_t *r)
{
	struct range m;

	if (map_range(&m, r, 1, PROT_READ | PROT_WRITE))
		return;
	tag_pages(m.b, m.p, m.first, m.n, 0);
	scribble(m.p, m.n, r);
	munmap(m.p, m.n * PAGE);
}

static void op_dontneed(uint64_t *r)
{
	struct range m;

	if (map_range(&m, r, 1, PROT_READ | PROT_WRITE))
		return;
	if (!tag_pages(m.b, m.p, m.first, m.n, 0)) {
		size_t off = rnd_below(r, m.n);
		size_t len = 1 + rnd_below(r, m.n - off);

		if (madvise(m.p + off * PAGE, len * PAGE, MADV_DONTNEED))
			err("MADV_DONTNEED: %s", strerror(errno));
		tags_present(m.b, m.p, m.first, m.n);
	}
	munmap(m.p, m.n * PAGE);
}

static void op_mremap(uint64_t *r)
{
	struct range m;
	char *q;

	if (map_range(&m, r, 1, PROT_READ | PROT_WRITE))
		return;
	tag_pages(m.b, m.p, m.first, m.n, 0);
	/* Growth is refused (VM_DONTEXPAND). */
	q = mremap(m.p, m.n * PAGE, (m.n + 1) * PAGE, 0);
	if (q != MAP_FAILED) {
		err("mremap grow succeeded");
		m.n++;
		m.p = q;
	}
	q = mremap(m.p, m.n * PAGE, m.n * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
		   mmap(NULL, m.n * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	if (q == MAP_FAILED) {
		err("mremap move: %s", strerror(errno));
	} else {
		m.p = q;
		tags_present(m.b, m.p, m.first, m.n);
		scribble(m.p, m.n, r);
	}
	munmap(m.p, m.n * PAGE);
}

static void op_split(uint64_t *r)
{
	struct range m;
	size_t mid;

	if (map_range(&m, r, 3, PROT_READ | PROT_WRITE))
		return;
	if (m.n < 3) {
		munmap(m.p, m.n * PAGE);
		return;
	}
	tag_pages(m.b, m.p, m.first, m.n, 0);
	mid = 1 + rnd_below(r, m.n - 2);
	if (munmap(m.p + mid * PAGE, PAGE))
		err("partial munmap: %s", strerror(errno));
	if (mprotect(m.p + (mid + 1) * PAGE, (m.n - mid - 1) * PAGE, PROT_READ))
		err("mprotect split: %s", strerror(errno));
	tags_present(m.b, m.p, m.first, mid);
	tags_present(m.b, m.p + (mid + 1) * PAGE, m.first + mid + 1, m.n - mid - 1);
	munmap(m.p, mid * PAGE);
	munmap(m.p + (mid + 1) * PAGE, (m.n - mid - 1) * PAGE);
}

static void op_fork(uint64_t *r)
{
	struct range m, c;
	int status;
	pid_t pid;

	if (map_range(&m, r, 1, PROT_READ | PROT_WRITE))
		return;
	tag_pages(m.b, m.p, m.first, m.n, 0);
	pid = fork();
	if (pid < 0) {
		err("fork: %s", strerror(errno));
	} else if (!pid) {
		int bad = tags_present(m.b, m.p, m.first, m.n) != 0;

		if (!map_range(&c, r, 1, PROT_READ | PROT_WRITE))
			bad |= tag_pages(c.b, c.p, c.first, c.n, 0) != 0;
		/* Exit with both mappings in place. */
		_exit(bad);
	} else if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		   WEXITSTATUS(status)) {
		err("fork child: status %#x", status);
	}
	tags_present(m.b, m.p, m.first, m.n);
	munmap(m.p, m.n * PAGE);
}

/* A child faulting in a fresh lazy buffer (or creating an eager one), killed midway. */
static void op_kill(uint64_t *r, int eager)
{
	size_t pages = eager ? 2048 : 256, i;
	int fd, status;
	pid_t pid;
	char *p;

	fd = eager ? -1 : t_create(dev, pages * PAGE, SHMAP_MODE_LAZY, 0, NULL);
	if (!eager && fd < 0) {
		err("create lazy: %s", strerror(-fd));
		return;
	}
	pid = fork();
	if (pid < 0) {
		err("fork: %s", strerror(errno));
	} else if (!pid) {
		if (eager) {
			fd = t_create(dev, pages * PAGE, SHMAP_MODE_EAGER,
				      rnd_below(r, 2) ? SHMAP_CREATE_HUGE : 0, NULL);
			if (fd < 0)
				_exit(1);
		}
		p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			_exit(1);
		for (;;)
			for (i = 0; i < pages; i++)
				p[i * PAGE + 8]++;
	} else {
		usleep(rnd_below(r, 20000));
		kill(pid, SIGKILL);
		if (waitpid(pid, &status, 0) != pid)
			err("waitpid: %s", strerror(errno));
		else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
			atomic_fetch_add(&sh->kills, 1);
		else if (!WIFEXITED(status) || WEXITSTATUS(status))
			err("killed child: status %#x", status);
	}
	if (fd >= 0) {
		struct shmap_info info;

		if (t_info(fd, &info) || info.resident_pages > pages || info.size != pages * PAGE)
			err("info after kill: resident %llu size %llu",
			    (unsigned long long)info.resident_pages, (unsigned long long)info.size);
		close(fd);
	}
}

static void op_export(uint64_t *r)
{
	int b = (int)rnd_below(r, NPOOL), ro;
	struct pool *pl = &pool[b];
	char *p;

	ro = t_export_ro(pl->fd, 0);
	if (ro < 0) {
		err("export_ro: %s", strerror(-ro));
		return;
	}
	p = mmap(NULL, pl->pages * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0);
	if (p != MAP_FAILED || errno != EACCES)
		err("writable mmap of a read-only fd: %s", p == MAP_FAILED ? strerror(errno) : "ok");
	if (p != MAP_FAILED)
		munmap(p, pl->pages * PAGE);
	p = mmap(NULL, pl->pages * PAGE, PROT_READ, MAP_SHARED, ro, 0);
	if (p == MAP_FAILED) {
		err("read-only mmap: %s", strerror(errno));
	} else {
		tag_pages(b, p, 0, pl->pages, 1);
		if (!mprotect(p, PAGE, PROT_READ | PROT_WRITE) || errno != EACCES)
			err("mprotect(PROT_WRITE) on a read-only export: %s", strerror(errno));
		munmap(p, pl->pages * PAGE);
	}
	close(ro);
}

static void op_seal(uint64_t *r)
{
	size_t pages = 1 + rnd_below(r, 8);
	int fd = t_create(dev, pages * PAGE, rnd_below(r, 2) ? SHMAP_MODE_LAZY : SHMAP_MODE_EAGER, 0,
			  NULL);
	char *w, *q;
	int ret;

	if (fd < 0) {
		err("create: %s", strerror(-fd));
		return;
	}
	w = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (w == MAP_FAILED) {
		err("mmap: %s", strerror(errno));
		close(fd);
		return;
	}
	w[0] = 1;
	ret = t_seal(fd, SHMAP_SEAL_FUTURE_WRITE);
	if (ret < 0)
		err("seal: %s", strerror(-ret));
	w[pages * PAGE - 1] = 2; /* existing writable mappings keep working */
	q = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (q != MAP_FAILED || errno != EPERM)
		err("writable mmap after FUTURE_WRITE: %s", q == MAP_FAILED ? strerror(errno) : "ok");
	if (q != MAP_FAILED)
		munmap(q, pages * PAGE);
	q = mmap(NULL, pages * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	if (q == MAP_FAILED) {
		err("read-only mmap after seal: %s", strerror(errno));
	} else {
		if (q[0] != 1 || q[pages * PAGE - 1] != 2)
			err("sealed buffer lost data");
		if (!mprotect(q, PAGE, PROT_READ | PROT_WRITE) || errno != EACCES)
			err("mprotect(PROT_WRITE) after seal: %s", strerror(errno));
		munmap(q, pages * PAGE);
	}
	close(fd);
	munmap(w, pages * PAGE);
}

static void op_close_mapped(uint64_t *r)
{
	size_t pages = 1 + rnd_below(r, 16), i;
	int fd = t_create(dev, pages * PAGE, rnd_below(r, 2) ? SHMAP_MODE_LAZY : SHMAP_MODE_EAGER, 0,
			  NULL);
	char *p;

	if (fd < 0) {
		err("create: %s", strerror(-fd));
		return;
	}
	p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		err("mmap: %s", strerror(errno));
		return;
	}
	for (i = 0; i < pages; i++)
		p[i * PAGE] = (char)(i + 1);
	madvise(p, pages * PAGE, MADV_DONTNEED);
	for (i = 0; i < pages; i++)
		if (p[i * PAGE] != (char)(i + 1)) {
			err("closed-while-mapped buffer lost page %zu", i);
			break;
		}
	munmap(p, pages * PAGE);
}

static void op_info(uint64_t *r)
{
	int b = (int)rnd_below(r, NPOOL);
	struct shmap_info info;
	int ret = t_info(pool[b].fd, &info);

	if (ret)
		err("info: %s", strerror(-ret));
	else if (info.size != pool[b].pages * PAGE || info.resident_pages > pool[b].pages ||
		 info.mode != pool[b].mode ||
		 info.huge_folios * SPAN_PAGES > info.resident_pages ||
		 !(info.flags & SHMAP_INFO_HUGE) != !(pool[b].flags & SHMAP_CREATE_HUGE) ||
		 (!(pool[b].flags & SHMAP_CREATE_HUGE) && info.huge_folios))
		err("info of buffer %d: size %llu resident %llu mode %u flags %#x huge folios %llu",
		    b, (unsigned long long)info.size, (unsigned long long)info.resident_pages,
		    info.mode, info.flags, (unsigned long long)info.huge_folios);
}

static void op_churn(uint64_t *r)
{
	int fds[8], i, n = 1 + (int)rnd_below(r, 8);

	for (i = 0; i < n; i++) {
		uint32_t mode = 1 + (uint32_t)rnd_below(r, 2), flags = 0;

		if (mode == SHMAP_MODE_LAZY && rnd_below(r, 2))
			flags = SHMAP_CREATE_NORESERVE;
		else if (mode == SHMAP_MODE_EAGER && rnd_below(r, 2))
			flags = SHMAP_CREATE_HUGE;
		fds[i] = t_create(dev, (1 + rnd_below(r, 64)) * PAGE, mode, flags, NULL);
		if (fds[i] < 0)
			err("create: %s", strerror(-fds[i]));
	}
	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static void *worker(void *arg)
{
	uint64_t r = (uintptr_t)arg;
	int i;

	for (i = 0; i < iters && now() < deadline; i++) {
		int op = (int)rnd_below(&r, NOPS);

		switch (op) {
		case 0: op_map_touch(&r); break;
		case 1: op_dontneed(&r); break;
		case 2: op_mremap(&r); break;
		case 3: op_split(&r); break;
		case 4: op_fork(&r); break;
		case 5: op_kill(&r, 0); break;
		case 6: op_kill(&r, 1); break;
		case 7: op_export(&r); break;
		case 8: op_seal(&r); break;
		case 9: op_close_mapped(&r); break;
		case 10: op_info(&r); break;
		default: op_churn(&r); break;
		}
		atomic_fetch_add(&sh->ops[op], 1);
	}
	return NULL;
}

static int process(int idx)
{
	pthread_t t[64];
	int i;

	for (i = 0; i < nthreads; i++) {
		uint64_t s = seed ^ ((uint64_t)(idx * 64 + i + 1) * 0x9E3779B97F4A7C15ULL);

		if (pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)(s | 1)))
			return 1;
	}
	for (i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	return 0;
}

int main(int argc, char **argv)
{
	struct counters base, got;
	char s1[128], s2[128];
	long total = 0;
	int i, c, status, bad = 0;
	pid_t pids[64];
	double t0;

	seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 20);
	while ((c = getopt(argc, argv, "p:t:i:s:r:")) != -1) {
		switch (c) {
		case 'p': nprocs = atoi(optarg); break;
		case 't': nthreads = atoi(optarg); break;
		case 'i': iters = atoi(optarg); break;
		case 's': seconds = atoi(optarg); break;
		case 'r': seed = strtoull(optarg, NULL, 0); break;
		default:
			fprintf(stderr, "usage: %s [-p PROCS] [-t THREADS] [-i ITERS] [-s SECONDS] [-r SEED]\n",
				argv[0]);
			return 2;
		}
	}
	if (nprocs < 1 || nprocs > 64 || nthreads < 1 || nthreads > 64)
		return 2;
	tap_report_start("stress");
	printf("# seed %llu: %d processes x %d threads x %d iterations, at most %d s\n",
	       (unsigned long long)seed, nprocs, nthreads, iters, seconds);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 2;
	dev = open(T_DEV, O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		tap_report(0, NULL, "open /dev/shmap: %s", strerror(errno));
		return tap_report_end();
	}
	base = counters_now();
	for (i = 0; i < NPOOL; i++) {
		pool[i].pages = i == HUGE_POOL ? HUGE_POOL_PAGES : 8 + 8 * (size_t)i;
		pool[i].mode = i % 2 ? SHMAP_MODE_LAZY : SHMAP_MODE_EAGER;
		pool[i].flags = i == 5 ? SHMAP_CREATE_NORESERVE :
				i == HUGE_POOL ? SHMAP_CREATE_HUGE : 0;
		pool[i].fd = t_create(dev, pool[i].pages * PAGE, pool[i].mode,
					pool[i].flags, NULL);
		if (pool[i].fd < 0) {
			tap_report(0, NULL, "create pool buffer %d: %s", i, strerror(-pool[i].fd));
			return tap_report_end();
		}
	}
	t0 = now();
	deadline = t0 + seconds;
	for (i = 0; i < nprocs; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			tap_report(0, NULL, "fork: %s", strerror(errno));
			return tap_report_end();
		}
		if (!pids[i])
			_exit(process(i));
	}
	for (i = 0; i < nprocs; i++)
		if (waitpid(pids[i], &status, 0) != pids[i] || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			bad++;
	for (i = 0; i < NPOOL; i++)
		close(pool[i].fd);
	close(dev);
	for (i = 0; i < NOPS; i++) {
		tap_diag("%-20s %ld", op_names[i], atomic_load(&sh->ops[i]));
		total += atomic_load(&sh->ops[i]);
	}
	tap_diag("%ld operations in %.1f s, %ld children killed", total, now() - t0,
	     atomic_load(&sh->kills));
	tap_report(!bad, NULL, "%d worker processes exited cleanly", nprocs);
	tap_report(atomic_load(&sh->errors) == 0, NULL, "%ld operations, %ld errors", total,
	    atomic_load(&sh->errors));
	i = counters_settle(base, &got);
	tap_report(i, NULL, "counters back to %s%s%s", counters_str(base, s1, sizeof(s1)),
	    i ? "" : ", got ", i ? "" : counters_str(got, s2, sizeof(s2)));
	return tap_report_end();
}
