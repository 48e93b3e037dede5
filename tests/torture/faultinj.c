// SPDX-License-Identifier: GPL-2.0
/*
 * faultinj: fail every allocation the shmap module makes, one at a time.
 *
 * failslab and fail_page_alloc are limited to call chains that pass through
 * the module's code (require-start/require-end from /proc/modules,
 * stacktrace-depth 32); /proc/thread-self/fail-nth = N then fails the N-th
 * such allocation of the next operation. For each operation the sweep runs
 * N = 1, 2, ... until the operation completes with fail-nth still pending
 * (it made fewer than N allocations). Every injected failure must give the
 * documented error (ENOMEM; SIGBUS or a retried fault for page faults), the
 * counters must come back to the baseline once the buffers are closed, and
 * the module must still work afterwards. A refused dma-buf export must also
 * leave no fd and no dma-buf at once.
 *
 * Needs root, CONFIG_FAULT_INJECTION_DEBUG_FS, FAILSLAB, FAIL_PAGE_ALLOC,
 * FAULT_INJECTION_STACKTRACE_FILTER and debugfs on /sys/kernel/debug;
 * prints "1..0 # SKIP" without them.
 *
 *   faultinj [-v] [-V]   -v: one diagnostic line per injected failure
 *                        -V: the kernel's verbose 2 (a stack trace per failure, to
 *                            find the call site; the runner flags "Call Trace")
 */
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "torture.h"

#define DBGFS "/sys/kernel/debug/"
#define MAX_NTH 5000

static int verbose;
static const char *kverbose = "1";
static int dev = -1;
static int nth_fd = -1;
static struct counters baseline;

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

static int attr_set(const char *which, const char *attr, const char *val)
{
	char path[256];
	int ret;

	snprintf(path, sizeof(path), DBGFS "%s/%s", which, attr);
	ret = write_file(path, val);
	if (ret)
		tap_diag("%s = %s: %s", path, val, strerror(-ret));
	return ret;
}

/* The module's core range [start, start + size) from /proc/modules. */
static int module_range(unsigned long *start, unsigned long *end)
{
	char line[512], name[64];
	unsigned long size, addr;
	FILE *f = fopen("/proc/modules", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %lu %*s %*s %*s %lx", name, &size, &addr) == 3 &&
		    !strcmp(name, "shmap")) {
			fclose(f);
			if (!addr)
				return -1; /* hidden address: not root or kptr_restrict */
			*start = addr;
			*end = addr + size;
			return 0;
		}
	}
	fclose(f);
	return -1;
}

static int setup_injection(void)
{
	static const char *const which[] = { "failslab", "fail_page_alloc" };
	unsigned long start, end;
	char s[32], e[32];
	unsigned int i;
	int ret = 0;

	if (module_range(&start, &end)) {
		tap_diag("shmap not in /proc/modules (or its address is hidden)");
		return -1;
	}
	snprintf(s, sizeof(s), "0x%lx", start);
	snprintf(e, sizeof(e), "0x%lx", end);
	tap_diag("module range %s-%s", s, e);
	for (i = 0; i < 2; i++) {
		ret |= attr_set(which[i], "probability", "0");
		ret |= attr_set(which[i], "interval", "1");
		ret |= attr_set(which[i], "times", "-1");
		ret |= attr_set(which[i], "space", "0");
		ret |= attr_set(which[i], "verbose", kverbose);
		ret |= attr_set(which[i], "task-filter", "Y");
		ret |= attr_set(which[i], "stacktrace-depth", "32");
		ret |= attr_set(which[i], "require-start", s);
		ret |= attr_set(which[i], "require-end", e);
		ret |= attr_set(which[i], "ignore-gfp-wait", "N");
	}
	ret |= attr_set("fail_page_alloc", "ignore-gfp-highmem", "N");
	ret |= attr_set("fail_page_alloc", "min-order", "0");
	ret |= write_file("/proc/self/make-it-fail", "1");
	return ret ? -1 : 0;
}

static void teardown_injection(void)
{
	static const char *const which[] = { "failslab", "fail_page_alloc" };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		attr_set(which[i], "require-start", "0");
		attr_set(which[i], "require-end", "0xffffffffffffffff");
		attr_set(which[i], "task-filter", "N");
		attr_set(which[i], "verbose", "1");
	}
	write_file("/proc/self/make-it-fail", "0");
}

/* Arm fail-nth for the calling thread (raw write: stdio would buffer). */
static int nth_open(void)
{
	return open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
}

static int nth_arm(int fd, int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", n);

	return pwrite(fd, buf, len, 0) == len ? 0 : -errno;
}

/* What is left of fail-nth; resets it to 0. Non-zero: nothing was failed. */
static int nth_disarm(int fd)
{
	char buf[16] = "";
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	int left = n > 0 ? atoi(buf) : -1;

	if (pwrite(fd, "0", 1, 0) != 1)
		return -1;
	return left;
}

/*
 * An operation under test. prepare() runs without injection, op() with
 * fail-nth armed (it returns 0 or -errno; for faults, see op_fault), and
 * cleanup() releases everything. ok_err lists the acceptable errors.
 */
struct ctx {
	int fd;		/* a buffer made by prepare */
	int fd2;	/* made by op */
	char *map;
	size_t maplen;
	struct counters before;	/* just before op, for check_dmabuf() */
	int nfds;
};

struct op {
	const char *name;
	int (*prepare)(struct ctx *c);
	int (*run)(struct ctx *c, int n);
	int ok_err;	/* besides success */
};

static void ctx_cleanup(struct ctx *c)
{
	if (c->map && c->map != MAP_FAILED)
		munmap(c->map, c->maplen);
	if (c->fd >= 0)
		close(c->fd);
	if (c->fd2 >= 0)
		close(c->fd2);
	c->map = NULL;
	c->fd = c->fd2 = -1;
}

/* ---- create */
static int run_create(struct ctx *c, int n, uint64_t size, uint32_t mode, uint32_t flags)
{
	int fd;

	nth_arm(nth_fd, n);
	fd = t_create(dev, size, mode, flags, NULL);
	if (fd >= 0)
		c->fd2 = fd;
	return fd < 0 ? fd : 0;
}

static int run_create_eager(struct ctx *c, int n)
{
	return run_create(c, n, 8 * PAGE, SHMAP_MODE_EAGER, 0);
}

static int run_create_lazy(struct ctx *c, int n)
{
	return run_create(c, n, 8 * PAGE, SHMAP_MODE_LAZY, 0);
}

static int run_create_noreserve(struct ctx *c, int n)
{
	return run_create(c, n, 8 * PAGE, SHMAP_MODE_LAZY, SHMAP_CREATE_NORESERVE);
}

/* 1024 pages: two 512-page blocks, each falling back to single pages. */
static int run_create_eager_blocks(struct ctx *c, int n)
{
	return run_create(c, n, 1024 * PAGE, SHMAP_MODE_EAGER, 0);
}

/* Two 2 MiB folios: a failed one falls back to order-0 pages. */
static int run_create_eager_huge(struct ctx *c, int n)
{
	return run_create(c, n, 1024 * PAGE, SHMAP_MODE_EAGER, SHMAP_CREATE_HUGE);
}

static int run_create_named(struct ctx *c, int n)
{
	struct shmap_create a;

	memset(&a, 0, sizeof(a));
	a.size = 2 * PAGE;
	a.mode = SHMAP_MODE_EAGER;
	a.name = (uintptr_t)"faultinj-named";
	nth_arm(nth_fd, n);
	if (ioctl(dev, SHMAP_IOC_CREATE, &a))
		return -errno;
	c->fd2 = (int)a.fd;
	return 0;
}

/* ---- mmap of an eager buffer: page tables allocated in vm_insert_pages() */
static int prep_eager_big(struct ctx *c)
{
	c->fd = t_create(dev, 1024 * PAGE, SHMAP_MODE_EAGER, 0, NULL);
	return c->fd < 0 ? c->fd : 0;
}

static int check_map(struct ctx *c, size_t pages)
{
	size_t i;

	for (i = 0; i < pages; i++)
		c->map[i * PAGE] = (char)i;
	for (i = 0; i < pages; i++)
		if (c->map[i * PAGE] != (char)i)
			return -EIO;
	return 0;
}

static int run_mmap_eager(struct ctx *c, int n)
{
	/* Start 1 MiB into a 2 MiB-aligned window: three page tables. */
	size_t len = 1024 * PAGE;
	char *hole = mmap(NULL, 8 << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *at;

	if (hole == MAP_FAILED)
		return -errno;
	at = (char *)(((uintptr_t)hole + (2 << 20) - 1) & ~(uintptr_t)((2 << 20) - 1)) + (1 << 20);
	munmap(hole, 8 << 20);
	nth_arm(nth_fd, n);
	c->map = mmap(at, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED_NOREPLACE, c->fd, 0);
	if (c->map == MAP_FAILED) {
		c->map = NULL;
		return -errno;
	}
	c->maplen = len;
	return 0;
}

/*
 * ---- the PMD path of a huge buffer: mmap() picks an aligned address, the
 * first touch of each span maps its folio with one PMD
 */
#define SPAN (2UL << 20)

static int prep_huge(struct ctx *c)
{
	c->fd = t_create(dev, 2 * SPAN, SHMAP_MODE_EAGER, SHMAP_CREATE_HUGE, NULL);
	return c->fd < 0 ? c->fd : 0;
}

static int map_huge(struct ctx *c)
{
	c->map = mmap(NULL, 2 * SPAN, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
	if (c->map == MAP_FAILED) {
		c->map = NULL;
		return -errno;
	}
	c->maplen = 2 * SPAN;
	return 0;
}

static int run_mmap_huge(struct ctx *c, int n)
{
	nth_arm(nth_fd, n);
	return map_huge(c);
}

/* After a successful mmap: aligned, and each folio maps with a PMD. */
static int check_huge_map(struct ctx *c)
{
	char kb[64];
	int ret;

	if ((uintptr_t)c->map % SPAN)
		return -EIO;
	ret = check_map(c, 2 * SPAN / PAGE);
	if (ret)
		return ret;
	ret = t_smaps_field(c->map, "FilePmdMapped", kb, sizeof(kb));
	if (ret)
		return ret;
	if (strtol(kb, NULL, 10) != (long)(2 * SPAN / 1024)) {
		tap_diag("huge mapping: FilePmdMapped %s, want %lu kB", kb, 2 * SPAN / 1024);
		return -EIO;
	}
	return 0;
}

/* ---- first touch of a lazy buffer, in a child: SIGBUS or success */

/* A lazy buffer of @pages pages, mapped whole; on failure < 0 and no map. */
static int prep_lazy_map(struct ctx *c, size_t pages, uint32_t flags)
{
	char *map;

	c->fd = t_create(dev, pages * PAGE, SHMAP_MODE_LAZY, flags, NULL);
	if (c->fd < 0)
		return c->fd;
	map = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
	if (map == MAP_FAILED)
		return errno ? -errno : -EIO;
	c->map = map;
	c->maplen = pages * PAGE;
	return 0;
}

static int prep_lazy(struct ctx *c)
{
	return prep_lazy_map(c, 16, 0);
}

static int prep_lazy_noreserve(struct ctx *c)
{
	return prep_lazy_map(c, 16, SHMAP_CREATE_NORESERVE);
}

/*
 * Lazy huge, 1024 pages: the touch of page 5 allocates the first span's
 * folio with its chunk; each failure there falls back to an order-0 page.
 */
static int prep_lazy_huge(struct ctx *c)
{
	return prep_lazy_map(c, 1024, SHMAP_CREATE_HUGE);
}

static int prep_lazy_huge_noreserve(struct ctx *c)
{
	return prep_lazy_map(c, 1024, SHMAP_CREATE_HUGE | SHMAP_CREATE_NORESERVE);
}

/*
 * A sequential touch: 128 pages, page 63 (and @also, if not 0) touched
 * here, so that the child's touch of page 64 allocates the window ahead
 * (fault_window, 64 by default: [64, 128) in one high-order block, else
 * page by page).
 */
static int prep_lazy_seq_flags(struct ctx *c, uint32_t flags, size_t also)
{
	int ret = prep_lazy_map(c, 128, flags);

	if (ret)
		return ret;
	c->map[63 * PAGE] = 1;
	if (also)
		c->map[also * PAGE] = 1;
	return 0;
}

static int prep_lazy_seq(struct ctx *c)
{
	return prep_lazy_seq_flags(c, 0, 0);
}

static int prep_lazy_seq_noreserve(struct ctx *c)
{
	return prep_lazy_seq_flags(c, SHMAP_CREATE_NORESERVE, 0);
}

/*
 * The same with page 100 there too: the window is not empty, so no block;
 * the touched page comes first, then every missing page one by one.
 */
static int prep_lazy_seq_pages(struct ctx *c)
{
	return prep_lazy_seq_flags(c, 0, 100);
}

/*
 * The child arms its own fail-nth and touches page TOUCH; it exits with 0
 * (the fault succeeded, possibly after a retried VM_FAULT_OOM), 3 when
 * fail-nth was left over (nothing failed) or dies of SIGBUS. Returns 0, 1
 * (nothing failed: the sweep is over), -EFAULT for SIGBUS, -EIO for
 * anything else.
 */
static int run_fault_at(struct ctx *c, int n, size_t touch)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (!pid) {
		int fd = nth_open(), left;

		if (fd < 0)
			_exit(4);
		nth_arm(fd, n);
		c->map[touch * PAGE + 1] = 42;
		left = nth_disarm(fd);
		_exit(left ? 3 : 0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS)
		return -EFAULT;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return c->map[touch * PAGE + 1] == 42 ? 0 : -EIO;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
		return 1;
	tap_diag("fault child: status 0x%x", status);
	return -EIO;
}

/*
 * 16384 pages (64 MiB, the max_buffer_mb the debug suite loads) with page 0
 * touched here: the child's touch of the last page needs a new chunk of the
 * page index and the first node of the xarray that finds the chunks.
 */
static int prep_lazy_far(struct ctx *c)
{
	int ret = prep_lazy_map(c, 16384, 0);

	if (ret)
		return ret;
	c->map[0] = 1;
	return 0;
}

static int run_fault_far(struct ctx *c, int n)
{
	return run_fault_at(c, n, 16383);
}

static int run_fault(struct ctx *c, int n)
{
	return run_fault_at(c, n, 5);
}

static int run_fault_seq(struct ctx *c, int n)
{
	return run_fault_at(c, n, 64);
}

/* The huge buffer mapped whole (aligned), nothing touched yet. */
static int prep_huge_map(struct ctx *c)
{
	int ret = prep_huge(c);

	return ret ? ret : map_huge(c);
}

/* The first touch of the second span: its PMD. */
static int run_fault_huge(struct ctx *c, int n)
{
	return run_fault_at(c, n, SPAN / PAGE + 5);
}

/* ---- EXPORT_RO and SEAL */
static int prep_small(struct ctx *c)
{
	c->fd = t_create(dev, 4 * PAGE, SHMAP_MODE_EAGER, 0, NULL);
	return c->fd < 0 ? c->fd : 0;
}

static int run_export(struct ctx *c, int n)
{
	int fd;

	nth_arm(nth_fd, n);
	fd = t_export_ro(c->fd, 0);
	if (fd >= 0)
		c->fd2 = fd;
	return fd < 0 ? fd : 0;
}

/*
 * ---- EXPORT_DMABUF: the dma-buf and, for a lazy buffer, every page the
 * buffer does not have yet (windows, single pages, a huge buffer's span
 * folios)
 */
static int prep_dmabuf_lazy(struct ctx *c)
{
	c->fd = t_create(dev, 128 * PAGE, SHMAP_MODE_LAZY, 0, NULL);
	return c->fd < 0 ? c->fd : 0;
}

static int prep_dmabuf_noreserve(struct ctx *c)
{
	c->fd = t_create(dev, 128 * PAGE, SHMAP_MODE_LAZY, SHMAP_CREATE_NORESERVE, NULL);
	return c->fd < 0 ? c->fd : 0;
}

static int prep_dmabuf_lazy_huge(struct ctx *c)
{
	c->fd = t_create(dev, 2 * SPAN + 3 * PAGE, SHMAP_MODE_LAZY, SHMAP_CREATE_HUGE, NULL);
	return c->fd < 0 ? c->fd : 0;
}

static int run_dmabuf(struct ctx *c, int n)
{
	int fd;

	c->before = counters_now();
	c->nfds = t_count_fds();
	nth_arm(nth_fd, n);
	fd = t_export_dmabuf(c->fd, 0);
	if (fd >= 0)
		c->fd2 = fd;
	return fd < 0 ? fd : 0;
}

/*
 * After run_dmabuf, fail-nth disarmed: 0 or op's -errno, -EIO for a wrong
 * outcome. A dma-buf that came is a working one (written through, read
 * through the buffer); a refused export leaves no fd, no export, no
 * dma-buf (the pages a lazy buffer got stay with it, as touched pages do:
 * the sweep's baseline check sees them go with the buffer).
 */
static int check_dmabuf(struct ctx *c, int ret)
{
	struct shmap_info info;
	struct counters now;

	if (t_info(c->fd, &info)) {
		tap_diag("export dmabuf: INFO failed afterwards");
		return -EIO;
	}
	if (ret == 0) {
		char *p, *q;

		if (info.dmabuf_exports != 1 || info.resident_pages != info.size / PAGE) {
			tap_diag("export dmabuf: %llu exports, %llu of %llu pages resident",
				 (unsigned long long)info.dmabuf_exports,
				 (unsigned long long)info.resident_pages,
				 (unsigned long long)(info.size / PAGE));
			return -EIO;
		}
		/* Written through the dma-buf, read through the buffer. */
		p = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd2, 0);
		q = mmap(NULL, info.size, PROT_READ, MAP_SHARED, c->fd, 0);
		if (p == MAP_FAILED || q == MAP_FAILED) {
			tap_diag("export dmabuf: mmap failed afterwards");
			ret = -EIO;
		} else {
			p[info.size - 1] = 7;
			ret = q[info.size - 1] == 7 ? 0 : -EIO;
		}
		if (p != MAP_FAILED)
			munmap(p, info.size);
		if (q != MAP_FAILED)
			munmap(q, info.size);
		return ret;
	}
	now = counters_now();
	if (t_count_fds() != c->nfds || info.dmabuf_exports || now.dmabufs != c->before.dmabufs ||
	    now.buffers != c->before.buffers) {
		char s1[128], s2[128];

		tap_diag("export dmabuf refused (%s) but left %d fds (had %d), %llu exports, "
			 "counters %s (were %s)",
			 strerror(-ret), t_count_fds(), c->nfds,
			 (unsigned long long)info.dmabuf_exports,
			 counters_str(now, s1, sizeof(s1)), counters_str(c->before, s2, sizeof(s2)));
		return -EIO;
	}
	return ret;
}

static int run_seal(struct ctx *c, int n)
{
	nth_arm(nth_fd, n);
	int ret = t_seal(c->fd, SHMAP_SEAL_FUTURE_WRITE | SHMAP_SEAL_SEAL);

	return ret < 0 ? ret : 0;
}

static int run_info(struct ctx *c, int n)
{
	struct shmap_info info;

	nth_arm(nth_fd, n);
	return t_info(c->fd, &info);
}

static int run_open_dev(struct ctx *c, int n)
{
	int fd;

	nth_arm(nth_fd, n);
	fd = open(T_DEV, O_RDWR | O_CLOEXEC);
	if (fd >= 0)
		c->fd2 = fd;
	return fd < 0 ? -errno : 0;
}

static const struct op ops[] = {
	{ "open /dev/shmap", NULL, run_open_dev, ENOMEM },
	{ "create eager (8 pages)", NULL, run_create_eager, ENOMEM },
	{ "create lazy (8 pages)", NULL, run_create_lazy, ENOMEM },
	{ "create lazy NORESERVE", NULL, run_create_noreserve, ENOMEM },
	{ "create eager (1024 pages, 512-page blocks)", NULL, run_create_eager_blocks, ENOMEM },
	{ "create eager huge (1024 pages, 2 MiB folios)", NULL, run_create_eager_huge, ENOMEM },
	{ "create eager named", NULL, run_create_named, ENOMEM },
	{ "mmap eager (1024 pages, page tables)", prep_eager_big, run_mmap_eager, ENOMEM },
	{ "mmap eager huge (2 folios): aligned, PMDs at first touch", prep_huge, run_mmap_huge,
	  ENOMEM },
	{ "first-touch fault, eager huge: a PMD", prep_huge_map, run_fault_huge, EFAULT },
	{ "first-touch fault, lazy", prep_lazy, run_fault, EFAULT /* SIGBUS */ },
	{ "first-touch fault, lazy NORESERVE", prep_lazy_noreserve, run_fault, EFAULT },
	{ "first-touch fault, lazy huge: span folio, chunk, fallback page", prep_lazy_huge,
	  run_fault, EFAULT },
	{ "first-touch fault, lazy huge NORESERVE", prep_lazy_huge_noreserve, run_fault, EFAULT },
	{ "first-touch fault, lazy, far from any page: index nodes", prep_lazy_far, run_fault_far,
	  EFAULT },
	{ "sequential fault, lazy: window block and ahead pages", prep_lazy_seq, run_fault_seq,
	  EFAULT },
	{ "sequential fault, lazy NORESERVE: window block and ahead pages",
	  prep_lazy_seq_noreserve, run_fault_seq, EFAULT },
	{ "sequential fault, lazy: ahead pages one by one", prep_lazy_seq_pages, run_fault_seq,
	  EFAULT },
	{ "export_ro", prep_small, run_export, ENOMEM },
	{ "export dmabuf, eager", prep_small, run_dmabuf, ENOMEM },
	{ "export dmabuf, lazy (128 pages: window blocks, single pages)", prep_dmabuf_lazy,
	  run_dmabuf, ENOMEM },
	{ "export dmabuf, lazy NORESERVE", prep_dmabuf_noreserve, run_dmabuf, ENOMEM },
	{ "export dmabuf, lazy huge (span folios, fallback pages)", prep_dmabuf_lazy_huge,
	  run_dmabuf, ENOMEM },
	{ "seal", prep_small, run_seal, ENOMEM },
	{ "info", prep_small, run_info, ENOMEM },
};

/* The module still works: create, map, touch, export (read-only, dma-buf), close. */
static int sanity(void)
{
	int fd = t_create(dev, 3 * PAGE, SHMAP_MODE_LAZY, 0, NULL);
	int ro, db, ret = 0;
	char *p;

	if (fd < 0)
		return fd;
	p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		ret = -errno;
		close(fd);
		return ret;
	}
	p[0] = 1;
	p[2 * PAGE] = 2;
	ro = t_export_ro(fd, 0);
	if (ro < 0)
		ret = ro;
	else
		close(ro);
	/* Where the module has dma-bufs. */
	db = t_export_dmabuf(fd, 0);
	if (db >= 0)
		close(db);
	else if (db != -EOPNOTSUPP && !ret)
		ret = db;
	if (p[0] != 1 || p[2 * PAGE] != 2)
		ret = -EIO;
	munmap(p, 3 * PAGE);
	close(fd);
	return ret;
}

static int sweep(const struct op *o)
{
	int n, ret, left, points = 0, errs = 0, bad = 0;
	struct counters got;
	char s1[128], s2[128];
	struct ctx c;

	for (n = 1; n <= MAX_NTH && bad <= 5; n++) {
		memset(&c, 0, sizeof(c));
		c.fd = c.fd2 = -1;
		if (o->prepare) {
			ret = o->prepare(&c);
			if (ret) {
				tap_diag("%s: prepare failed: %s", o->name, strerror(-ret));
				ctx_cleanup(&c);
				bad++;
				break;
			}
		}
		ret = o->run(&c, n);
		if (o->run == run_fault || o->run == run_fault_seq ||
		    o->run == run_fault_far || o->run == run_fault_huge) {
			/* The child disarmed its own fail-nth. */
			left = ret == 1;
			if (left)
				ret = 0;
		} else {
			left = nth_disarm(nth_fd);
		}
		if (ret == 0 && o->run == run_mmap_eager)
			ret = check_map(&c, 1024);
		if (ret == 0 && o->run == run_mmap_huge)
			ret = check_huge_map(&c);
		if (o->run == run_dmabuf)
			ret = check_dmabuf(&c, ret);
		ctx_cleanup(&c);

		if (verbose)
			tap_diag("%s: fail-nth=%d: %s%s", o->name, n, ret ? strerror(-ret) : "success",
			     left ? " (nothing failed)" : "");
		if (ret && (left || ret != -o->ok_err)) {
			tap_diag("%s: fail-nth=%d: unexpected %s%s", o->name, n, strerror(-ret),
			     left ? " (nothing was failed)" : "");
			bad++;
		} else if (ret) {
			errs++;
		}
		if (!counters_settle(baseline, &got)) {
			tap_diag("%s: fail-nth=%d: counters %s, baseline %s", o->name, n,
			     counters_str(got, s1, sizeof(s1)), counters_str(baseline, s2, sizeof(s2)));
			bad++;
			baseline = got; /* report each leak once */
		}
		ret = sanity();
		if (ret) {
			tap_diag("%s: fail-nth=%d: module unusable afterwards: %s", o->name, n,
			     strerror(-ret));
			bad++;
		}
		if (left)
			break;
		points++;
	}
	if (n > MAX_NTH) {
		tap_diag("%s: still failing at fail-nth=%d", o->name, MAX_NTH);
		bad++;
	}
	tap_report(!bad, NULL, "%s: %d allocation points, %d gave the documented error, %d absorbed",
	    o->name, points, errs, points - errs);
	return bad;
}

int main(int argc, char **argv)
{
	struct shmap_version v;
	unsigned int i;
	int ret, dmabufs;

	for (i = 1; i < (unsigned int)argc; i++) {
		if (!strcmp(argv[i], "-v"))
			verbose = 1;
		else if (!strcmp(argv[i], "-V"))
			kverbose = "2";
	}
	tap_report_start("faultinj");
	if (access(DBGFS "fail_page_alloc/require-start", W_OK) ||
	    access(DBGFS "failslab/require-start", W_OK) ||
	    access("/proc/thread-self/fail-nth", W_OK)) {
		tap_skip_all("no fault injection (debugfs fail_page_alloc, failslab with "
			     "stacktrace filter, fail-nth)");
		return 0;
	}
	dev = open(T_DEV, O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		tap_report(0, NULL, "open /dev/shmap: %s", strerror(errno));
		return tap_report_end();
	}
	if (setup_injection()) {
		tap_report(0, NULL, "set up failslab/fail_page_alloc");
		return tap_report_end();
	}
	nth_fd = nth_open();
	if (nth_fd < 0) {
		tap_report(0, NULL, "open /proc/thread-self/fail-nth: %s", strerror(errno));
		return tap_report_end();
	}
	baseline = counters_now();
	dmabufs = t_version(dev, &v) == 0 && (v.features & SHMAP_FEAT_DMABUF);
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		/* A kernel without dma-buf: the module cannot export one. */
		if (ops[i].run == run_dmabuf && !dmabufs) {
			tap_report(1, "no dma-buf in this kernel (SHMAP_FEAT_DMABUF clear)",
				   "%s", ops[i].name);
			continue;
		}
		sweep(&ops[i]);
	}
	teardown_injection();
	ret = sanity();
	tap_report(!ret, NULL, "module usable after the sweeps%s%s", ret ? ": " : "",
	    ret ? strerror(-ret) : "");
	close(dev);
	return tap_report_end();
}
