// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf: a shmap buffer is also a dma-buf (SHMAP_IOC_EXPORT_DMABUF).
 *
 * The export itself (the dma-buf fd, its flags and fdinfo, the counters, a
 * lazy buffer fully allocated and charged to the exporter, NORESERVE and
 * max_total_mb, refused arguments that leave nothing behind), the read-only
 * dma-bufs (SHMAP_DMABUF_READONLY, a read-only buffer fd, FUTURE_WRITE),
 * mappings of the dma-buf that show the buffer's pages to this and other
 * processes, DMA_BUF_IOCTL_SYNC, and the lifetime of the pages under every
 * order of closing what holds them; then two importers: vgem (PRIME import,
 * the dma-buf back from the GEM handle, the handle as the last holder) and
 * vivid (video capture into shmap buffers, read by another process through
 * its own mappings). The kernel log is checked by suite.sh after the program.
 *
 * The main cases run once per kind of buffer: eager, lazy, lazy NORESERVE,
 * eager huge and lazy huge. vgem and vivid cases skip where the kernel has
 * no such module (and fail where it has one that suite.sh did not load);
 * everything skips where the kernel has no dma-buf.
 */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/dma-buf.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

/* The kernel's uapi drm.h, which Debian ships in libdrm-dev (pkg-config libdrm). */
#include <drm.h>

#include "tshmap.h"

#define HUGE_SZ (2 * T_MIB)
#define DMABUF_DEBUGFS "/sys/kernel/debug/dma_buf"
#define MODULE_DIR "/sys/module/shmap"

/* ---- the kinds of buffer the main cases run on */

struct db_mode {
	uint32_t mode, flags;
};

static const struct db_mode db_modes[] = {
	{ SHMAP_MODE_EAGER, 0 },
	{ SHMAP_MODE_LAZY, 0 },
	{ SHMAP_MODE_LAZY, SHMAP_CREATE_NORESERVE },
	{ SHMAP_MODE_EAGER, SHMAP_CREATE_HUGE },
	{ SHMAP_MODE_LAZY, SHMAP_CREATE_HUGE },
};

/* The kind of the running case's buffers (set in its child). */
static const struct db_mode *dm;

static int db_huge(void)
{
	return !!(dm->flags & SHMAP_CREATE_HUGE);
}

/* Huge: two whole spans and a tail of pages; else an odd number of pages. */
static size_t db_size(void)
{
	return db_huge() ? 2 * HUGE_SZ + 3 * t_page() : 33 * t_page();
}

static int db_create_size(int dev, size_t size)
{
	return T_CREATE(dev, size, dm->mode, dm->flags, "dmabuf");
}

static int db_create(int dev)
{
	return db_create_size(dev, db_size());
}

/*
 * The kernel must have dma-buf and the module must export them: skip where
 * neither is there, fail where the kernel has dma-buf and the module does
 * not say so.
 */
static void db_require(void)
{
	struct shmap_version v;
	int dev = t_dev();

	REQUIRE_EQ(t_version(dev, &v), 0);
	close(dev);
	if (v.features & SHMAP_FEAT_DMABUF)
		return;
	if (!access(DMABUF_DEBUGFS, F_OK)) {
		TAP_FAIL("the kernel has dma-buf (%s) but SHMAP_FEAT_DMABUF "
			 "is clear",
			 DMABUF_DEBUGFS);
		tap_abort();
	}
	tap_skip("no dma-buf: SHMAP_FEAT_DMABUF clear, no " DMABUF_DEBUGFS);
}

static void db_in(int i, void (*fn)(void))
{
	dm = &db_modes[i];
	db_require();
	fn();
}

/* The case fn, once per kind of buffer. */
#define DB_MODES(fn)                         \
	static void fn##_eager(void)         \
	{                                    \
		db_in(0, fn);                \
	}                                    \
	static void fn##_lazy(void)          \
	{                                    \
		db_in(1, fn);                \
	}                                    \
	static void fn##_noreserve(void)     \
	{                                    \
		db_in(2, fn);                \
	}                                    \
	static void fn##_huge_eager(void)    \
	{                                    \
		db_in(3, fn);                \
	}                                    \
	static void fn##_huge_lazy(void)     \
	{                                    \
		db_in(4, fn);                \
	}
#define DB_CASES_T(fn, secs)                                               \
	TAP_CASE_T(fn##_eager, secs), TAP_CASE_T(fn##_lazy, secs),         \
		TAP_CASE_T(fn##_noreserve, secs),                          \
		TAP_CASE_T(fn##_huge_eager, secs),                         \
		TAP_CASE_T(fn##_huge_lazy, secs)
#define DB_CASES(fn) DB_CASES_T(fn, 0)

/* ---- counters */

struct db_counts {
	uint64_t buffers, allocated, reserved, dmabufs;
};

static struct db_counts db_counts(void)
{
	struct db_counts c = {
		T_STAT("buffers"),
		T_STAT("pages_allocated"),
		T_STAT("pages_reserved"),
		T_STAT("dmabufs"),
	};

	return c;
}

static int db_counts_eq(struct db_counts a, struct db_counts b)
{
	return a.buffers == b.buffers && a.allocated == b.allocated &&
	       a.reserved == b.reserved && a.dmabufs == b.dmabufs;
}

/*
 * A counter must reach @want within 2 s (the last reference to a file
 * may be dropped by deferred work); returns its last value.
 */
static uint64_t stat_settle(const char *name, uint64_t want)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 200; i++) {
		v = T_STAT(name);
		if (v == want)
			break;
		usleep(10000);
	}
	return v;
}

#define CHECK_STAT(name, want) CHECK_EQ(stat_settle(name, want), want)

/* All four counters back to @want (within 2 s). */
#define CHECK_COUNTS(want) db_check_counts_at(__FILE__, __LINE__, want)
static void db_check_counts_at(const char *file, int line,
			       struct db_counts want)
{
	struct db_counts got = { 0 };
	int i;

	for (i = 0; i < 200; i++) {
		got = db_counts();
		if (db_counts_eq(got, want))
			return;
		usleep(10000);
	}
	tap_fail_at(file, line,
		    "buffers/pages_allocated/pages_reserved/dmabufs "
		    "%llu/%llu/%llu/%llu, expected %llu/%llu/%llu/%llu",
		    (unsigned long long)got.buffers,
		    (unsigned long long)got.allocated,
		    (unsigned long long)got.reserved,
		    (unsigned long long)got.dmabufs,
		    (unsigned long long)want.buffers,
		    (unsigned long long)want.allocated,
		    (unsigned long long)want.reserved,
		    (unsigned long long)want.dmabufs);
}

/* ---- dma-bufs */

#define T_EXPORT(fd, flags)                                                 \
	({                                                                  \
		int d_ = t_export_dmabuf(fd, flags);                        \
		if (d_ < 0) {                                               \
			TAP_FAIL("EXPORT_DMABUF(fd %d, flags %#x): %s",     \
				 (int)(fd), (unsigned int)(flags),          \
				 tap_errname(-d_));                         \
			tap_abort();                                        \
		}                                                           \
		d_;                                                         \
	})

/* DMA_BUF_IOCTL_SYNC: 0 or -errno. */
static int db_sync(int d, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags };

	return ioctl(d, DMA_BUF_IOCTL_SYNC, &s) ? -errno : 0;
}

#define CHECK_SYNC(d, flags) CHECK_RET(db_sync(d, flags), 0)

static ino_t ino_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st)) {
		TAP_FAIL("fstat(%d): %s", fd, tap_errname(errno));
		return 0;
	}
	return st.st_ino;
}

/* The file's access mode (O_RDONLY, O_RDWR) and whether it is close-on-exec. */
static int acc_mode(int fd)
{
	return (int)CHECK_SYS(fcntl(fd, F_GETFL)) & O_ACCMODE;
}

static int cloexec(int fd)
{
	return !!(CHECK_SYS(fcntl(fd, F_GETFD)) & FD_CLOEXEC);
}

/*
 * One byte per page, a function of the page and @seed: cheap enough for
 * many rounds over 4 MiB under TCG.
 */
static void stamp(char *p, size_t size, unsigned int seed)
{
	size_t i;

	for (i = 0; i < size / t_page(); i++)
		p[i * t_page() + seed % 61] = (char)t_pat(i, seed);
}

#define CHECK_STAMP(p, size, seed)                                             \
	do {                                                                   \
		size_t i_;                                                     \
		for (i_ = 0; i_ < (size) / t_page(); i_++) {                   \
			uint8_t g_ = ((const uint8_t *)(p))[i_ * t_page() +    \
							    (seed) % 61];      \
			if (g_ != t_pat(i_, seed)) {                           \
				TAP_FAIL("%s: stamp %u wrong at page %zu: "    \
					 "%#x, expected %#x",                  \
					 #p, (unsigned int)(seed), i_, g_,     \
					 t_pat(i_, seed));                     \
				break;                                         \
			}                                                      \
		}                                                              \
	} while (0)

/* ---- kernel modules: installed (as a file or built in)? */

static const char *kmod_want;
static int kmod_found;

static int kmod_visit(const char *path, const struct stat *st, int type,
		      struct FTW *ftw)
{
	const char *base = path + ftw->base;
	size_t n = strlen(kmod_want);

	(void)st;
	if (type == FTW_F && !strncmp(base, kmod_want, n) &&
	    !strncmp(base + n, ".ko", 3)) {
		kmod_found = 1;
		return 1;
	}
	return 0;
}

/* Whether /lib/modules/$(uname -r) has NAME.ko* or lists it as built in. */
static int kmod_installed(const char *name, char *dir, size_t len)
{
	char path[512], line[512], want[64];
	struct utsname u;
	FILE *f;

	REQUIRE_SYS(uname(&u));
	snprintf(dir, len, "/lib/modules/%s", u.release);
	kmod_want = name;
	kmod_found = 0;
	nftw(dir, kmod_visit, 16, FTW_PHYS);
	if (kmod_found)
		return 1;
	snprintf(path, sizeof(path), "%s/modules.builtin", dir);
	snprintf(want, sizeof(want), "/%s.ko", name);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (strlen(line) >= strlen(want) &&
		    !strcmp(line + strlen(line) - strlen(want), want)) {
			fclose(f);
			return 1;
		}
	}
	fclose(f);
	return 0;
}

/* No device of the module: skip if the kernel has no such module, else fail. */
static void __attribute__((noreturn)) no_device(const char *mod,
						const char *what)
{
	char dir[300];

	if (!kmod_installed(mod, dir, sizeof(dir)))
		tap_skip("no %s module in %s", mod, dir);
	TAP_FAIL("%s is installed (%s) but there is no %s (suite.sh loads it)",
		 mod, dir, what);
	tap_abort();
}

/* ---- vgem */

/* An fd of the vgem device; skips or fails the case without one. */
static int vgem_open(void)
{
	char path[32], name[32];
	int i;

	for (i = 0; i < 16; i++) {
		struct drm_version v;
		int fd;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(&v, 0, sizeof(v));
		memset(name, 0, sizeof(name));
		v.name = name;
		v.name_len = sizeof(name) - 1;
		if (!ioctl(fd, DRM_IOCTL_VERSION, &v) && !strcmp(name, "vgem"))
			return fd;
		close(fd);
	}
	no_device("vgem", "/dev/dri/card* of vgem");
}

/* DRM_IOCTL_PRIME_FD_TO_HANDLE: 0 or -errno. */
static int prime_import(int card, int d, uint32_t *handle)
{
	struct drm_prime_handle a;

	memset(&a, 0, sizeof(a));
	a.fd = d;
	if (ioctl(card, DRM_IOCTL_PRIME_FD_TO_HANDLE, &a))
		return -errno;
	*handle = a.handle;
	return 0;
}

/* DRM_IOCTL_PRIME_HANDLE_TO_FD: the dma-buf fd, or -errno. */
static int prime_fd(int card, uint32_t handle)
{
	struct drm_prime_handle a;

	memset(&a, 0, sizeof(a));
	a.handle = handle;
	a.flags = DRM_CLOEXEC | DRM_RDWR;
	if (ioctl(card, DRM_IOCTL_PRIME_HANDLE_TO_FD, &a))
		return -errno;
	return a.fd;
}

static int gem_close(int card, uint32_t handle)
{
	struct drm_gem_close c;

	memset(&c, 0, sizeof(c));
	c.handle = handle;
	return ioctl(card, DRM_IOCTL_GEM_CLOSE, &c) ? -errno : 0;
}

#define T_PRIME_FD(card, handle)                                            \
	({                                                                  \
		int f_ = prime_fd(card, handle);                            \
		if (f_ < 0) {                                               \
			TAP_FAIL("PRIME_HANDLE_TO_FD(%u): %s",              \
				 (unsigned int)(handle), tap_errname(-f_)); \
			tap_abort();                                        \
		}                                                           \
		f_;                                                         \
	})

/* ---- the cases */

/* The feature bit, the counters' files, a fresh buffer has no dma-buf. */
static void feature(void)
{
	struct shmap_version v;
	int dev = t_dev(), fd, has = !access(DMABUF_DEBUGFS, F_OK);
	struct stat st;

	REQUIRE_EQ(t_version(dev, &v), 0);
	fd = T_CREATE(dev, t_page(), SHMAP_MODE_LAZY, 0, NULL);
	if (!(v.features & SHMAP_FEAT_DMABUF)) {
		CHECK(!has);
		CHECK_EQ(t_export_dmabuf(fd, 0), -EOPNOTSUPP);
		close(fd);
		close(dev);
		tap_skip("no dma-buf in this kernel: SHMAP_FEAT_DMABUF clear");
	}
	CHECK(has);
	CHECK_EQ(T_INFO(fd).dmabuf_exports, 0);
	CHECK_FDINFO(fd, "shmap-dmabuf-exports", "0");
	REQUIRE_SYS(stat(T_STATS "dmabufs", &st));
	CHECK_EQ(st.st_mode & 0777, 0444);
	CHECK_EQ(T_STAT("dmabufs"), 0);
	tap_describe("SHMAP_FEAT_DMABUF set, %s there", DMABUF_DEBUGFS);
	close(fd);
	close(dev);
}

/*
 * The dma-buf fd: read-write, close-on-exec unless asked, exp_name shmap,
 * the buffer's size; every page allocated and reserved; counted in INFO,
 * fdinfo and stats; mappings only shared and inside it.
 */
static void export(void)
{
	size_t pg = t_page(), size = db_size(), npages = size / pg;
	struct db_counts base = db_counts();
	int dev = t_dev(), fd = db_create(dev), d, d2, d3;
	struct shmap_info info = T_INFO(fd);
	uint64_t allocated = T_STAT("pages_allocated");
	uint64_t resident = info.resident_pages;

	CHECK_EQ(resident, dm->mode == SHMAP_MODE_EAGER ? npages : 0);
	d = T_EXPORT(fd, 0);
	CHECK_EQ(acc_mode(d), O_RDWR);
	CHECK_EQ(cloexec(d), 1);
	CHECK_FDINFO(d, "exp_name", "shmap");
	CHECK_FDINFO_U(d, "size", size);
	CHECK_EQ(lseek(d, 0, SEEK_END), (off_t)size);
	CHECK_NE(ino_of(d), ino_of(fd));

	info = T_INFO(fd);
	CHECK_EQ(info.resident_pages, npages);
	CHECK_EQ(info.reserved_pages, npages);
	CHECK_EQ(info.dmabuf_exports, 1);
	if (db_huge())
		CHECK_EQ(info.huge_folios, size / HUGE_SZ);
	CHECK_EQ(T_STAT("pages_allocated") - allocated, npages - resident);
	CHECK_FDINFO(fd, "shmap-dmabuf-exports", "1");
	CHECK_EQ(T_STAT("dmabufs"), base.dmabufs + 1);

	/* A second export is another dma-buf; a dup() is the same one. */
	d2 = T_EXPORT(fd, SHMAP_DMABUF_NO_CLOEXEC);
	CHECK_EQ(cloexec(d2), 0);
	CHECK_EQ(acc_mode(d2), O_RDWR);
	CHECK_NE(ino_of(d2), ino_of(d));
	d3 = (int)CHECK_SYS(fcntl(d, F_DUPFD_CLOEXEC, 0));
	CHECK_EQ(ino_of(d3), ino_of(d));
	CHECK_EQ(T_INFO(fd).dmabuf_exports, 2);
	CHECK_FDINFO(fd, "shmap-dmabuf-exports", "2");
	CHECK_EQ(T_STAT("dmabufs"), base.dmabufs + 2);
	close(d3);
	/* Nothing more was allocated. */
	CHECK_EQ(T_INFO(fd).resident_pages, npages);

	/* Private mappings, and mappings past the end: EINVAL. */
	CHECK_ERRNO(mmap(NULL, size, PROT_READ, MAP_PRIVATE, d, 0), EINVAL);
	CHECK_ERRNO(mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, d, 0),
		    EINVAL);
	CHECK_ERRNO(mmap(NULL, size + pg, PROT_READ, MAP_SHARED, d, 0), EINVAL);
	CHECK_ERRNO(mmap(NULL, pg, PROT_READ, MAP_SHARED, d, (off_t)size),
		    EINVAL);
	/* W^X, as for the buffer's own mappings. */
	CHECK_ERRNO(mmap(NULL, pg, PROT_READ | PROT_EXEC, MAP_SHARED, d, 0),
		    EPERM);

	close(d);
	CHECK_EQ(T_INFO(fd).dmabuf_exports, 1);
	CHECK_STAT("dmabufs", base.dmabufs + 1);
	close(d2);
	CHECK_EQ(T_INFO(fd).dmabuf_exports, 0);
	CHECK_FDINFO(fd, "shmap-dmabuf-exports", "0");
	CHECK_STAT("dmabufs", base.dmabufs);
	/* The pages stay with the buffer. */
	CHECK_EQ(T_INFO(fd).resident_pages, npages);
	close(fd);
	close(dev);
	CHECK_COUNTS(base);
	tap_describe("%zu pages, %llu allocated by the export", npages,
		     (unsigned long long)(npages - resident));
}

/*
 * Refused calls: unknown flags, reserved fields, /dev/shmap, bad pointers;
 * none leaves an fd, an export or an allocated page behind. A struct that
 * can be read but not written gets EFAULT and no fd either.
 */
static void errors(void)
{
	static const uint32_t bad_flags[] = {
		1U << 2, 1U << 3, 1U << 31, ~0U, SHMAP_DMABUF_FLAGS | (1U << 2),
	};
	size_t pg = t_page(), i;
	struct db_counts base = db_counts();
	int dev = t_dev(), fd = db_create(dev), nfds, d;
	uint64_t resident = T_INFO(fd).resident_pages;
	struct shmap_dmabuf a;
	char *hole, *ro;

	nfds = t_count_fds();
	for (i = 0; i < sizeof(bad_flags) / sizeof(bad_flags[0]); i++) {
		memset(&a, 0, sizeof(a));
		a.flags = bad_flags[i];
		CHECK_ERRNO(ioctl(fd, SHMAP_IOC_EXPORT_DMABUF, &a), EINVAL);
	}
	memset(&a, 0, sizeof(a));
	a.reserved[0] = 1;
	CHECK_ERRNO(ioctl(fd, SHMAP_IOC_EXPORT_DMABUF, &a), EINVAL);
	memset(&a, 0, sizeof(a));
	a.reserved[1] = 1ULL << 63;
	CHECK_ERRNO(ioctl(fd, SHMAP_IOC_EXPORT_DMABUF, &a), EINVAL);
	memset(&a, 0, sizeof(a));
	CHECK_ERRNO(ioctl(dev, SHMAP_IOC_EXPORT_DMABUF, &a), ENOTTY);
	CHECK_ERRNO(ioctl(fd, SHMAP_IOC_EXPORT_DMABUF, NULL), EFAULT);
	/* A struct that runs into an unmapped page. */
	hole = REQUIRE_MAP(mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	REQUIRE_SYS(munmap(hole + pg, pg));
	memset(hole, 0, pg);
	CHECK_ERRNO(ioctl(fd, SHMAP_IOC_EXPORT_DMABUF, hole + pg - 8), EFAULT);
	CHECK_EQ(T_INFO(fd).resident_pages, resident);
	CHECK_EQ(t_count_fds(), nfds);
	CHECK_EQ(T_INFO(fd).dmabuf_exports, 0);
	CHECK_EQ(T_STAT("dmabufs"), base.dmabufs);

	/* Readable, valid, not writable: the fd cannot be written back. */
	ro = REQUIRE_MAP(mmap(NULL, pg, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	memset(ro, 0, pg);
	REQUIRE_SYS(mprotect(ro, pg, PROT_READ));
	CHECK_ERRNO(ioctl(fd, SHMAP_IOC_EXPORT_DMABUF, ro), EFAULT);
	CHECK_EQ(t_count_fds(), nfds);
	CHECK_EQ(T_INFO(fd).dmabuf_exports, 0);
	CHECK_STAT("dmabufs", base.dmabufs);
	tap_describe("resident pages after the EFAULT on write-back: %llu "
		     "(before: %llu)",
		     (unsigned long long)T_INFO(fd).resident_pages,
		     (unsigned long long)resident);

	/* The dma-buf's own ioctl does not know the command. */
	d = T_EXPORT(fd, 0);
	memset(&a, 0, sizeof(a));
	CHECK_ERRNO(ioctl(d, SHMAP_IOC_EXPORT_DMABUF, &a), ENOTTY);
	close(d);
	CHECK_EQ(t_count_fds(), nfds);
	munmap(ro, pg);
	munmap(hole, pg);
	close(fd);
	close(dev);
	CHECK_COUNTS(base);
}

/* What the children of shared() do with the dma-buf (@d, maybe received). */
struct share_arg {
	int d, sock;
	size_t size;
	unsigned int want, write;
};

static void share_child(void *arg)
{
	struct share_arg *a = arg;
	int d = a->d;
	char *q;

	if (a->sock >= 0) {
		d = t_recv_fd(a->sock);
		if (d < 0) {
			TAP_FAIL("receiving the dma-buf: %s", tap_errname(-d));
			return;
		}
		CHECK_EQ(acc_mode(d), O_RDWR);
	}
	q = T_MAP(d, a->size, PROT_READ | PROT_WRITE, 0);
	CHECK_SYNC(d, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	CHECK_PATTERN(q, a->size, a->want);
	t_fill(q, a->size, a->write);
	CHECK_SYNC(d, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	munmap(q, a->size);
}

/*
 * Mappings of the dma-buf and of the buffer show the same pages, both
 * ways, at offsets too; so do the mappings of a child that inherited the
 * dma-buf and of a process that only ever had the dma-buf (SCM_RIGHTS).
 */
static void shared(void)
{
	size_t pg = t_page(), size = db_size(), off = size - 2 * pg;
	struct db_counts base = db_counts();
	int dev = t_dev(), fd = db_create(dev), d, sv[2];
	struct share_arg a;
	char *s, *m, *m2;
	pid_t pid;

	REQUIRE_SYS(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	/* The process that will only get the dma-buf, forked before it exists. */
	pid = tap_fork();
	if (pid == 0) {
		close(sv[0]);
		close(fd);
		close(dev);
		a.d = -1;
		a.sock = sv[1];
		a.size = size;
		a.want = 5;
		a.write = 6;
		share_child(&a);
		CHECK_EQ(T_STAT("buffers"), base.buffers + 1);
		tap_end();
	}
	close(sv[1]);

	d = T_EXPORT(fd, 0);
	s = T_MAP(fd, size, PROT_READ | PROT_WRITE, 0);
	m = T_MAP(d, size, PROT_READ | PROT_WRITE, 0);
	t_fill(s, size, 1);
	CHECK_SYNC(d, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	CHECK_PATTERN(m, size, 1);
	CHECK_SYNC(d, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	CHECK_SYNC(d, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	t_fill(m, size, 2);
	CHECK_SYNC(d, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
	CHECK_PATTERN(s, size, 2);

	/* A piece of the dma-buf at an offset. */
	m2 = T_MAP(d, 2 * pg, PROT_READ | PROT_WRITE, off);
	CHECK_EQ(memcmp(m2, s + off, 2 * pg), 0);
	m2[pg + 7] = 'x';
	CHECK_EQ(s[off + pg + 7], 'x');
	s[off + 3] = 'y';
	CHECK_EQ(m2[3], 'y');
	munmap(m2, 2 * pg);

	/* A child with the inherited dma-buf fd maps it itself. */
	t_fill(s, size, 3);
	a.d = d;
	a.sock = -1;
	a.size = size;
	a.want = 3;
	a.write = 4;
	CHECK_LIVES(share_child, &a);
	CHECK_PATTERN(s, size, 4);
	CHECK_PATTERN(m, size, 4);

	/* A process without the buffer, the dma-buf passed to it. */
	t_fill(s, size, 5);
	REQUIRE_RET(t_send_fd(sv[0], d), 0);
	CHECK_EXIT0(tap_wait(pid));
	CHECK_PATTERN(s, size, 6);
	CHECK_PATTERN(m, size, 6);

	munmap(m, size);
	munmap(s, size);
	close(sv[0]);
	close(d);
	close(fd);
	close(dev);
	CHECK_COUNTS(base);
}

/* DMA_BUF_IOCTL_SYNC: START/END with READ, WRITE, RW; bad flags EINVAL. */
static void sync_flags(void)
{
	static const uint64_t bad[] = {
		DMA_BUF_SYNC_START, /* no direction */
		DMA_BUF_SYNC_END,
		DMA_BUF_SYNC_RW | (1 << 3),
		1ULL << 32,
		1ULL << 63,
		~0ULL,
	};
	size_t size = db_size(), i;
	int dev = t_dev(), fd = db_create(dev), d = T_EXPORT(fd, 0), r;
	char *m = T_MAP(d, size, PROT_READ | PROT_WRITE, 0);

	/* Written under WRITE, read under READ, both under RW. */
	CHECK_SYNC(d, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	stamp(m, size, 20);
	CHECK_SYNC(d, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
	CHECK_SYNC(d, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	CHECK_STAMP(m, size, 20);
	CHECK_SYNC(d, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	CHECK_SYNC(d, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	CHECK_STAMP(m, size, 20);
	stamp(m, size, 21);
	CHECK_SYNC(d, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	CHECK_STAMP(m, size, 21);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = db_sync(d, bad[i]);
		if (r != -EINVAL)
			TAP_FAIL("SYNC flags %#llx: %s, expected EINVAL",
				 (unsigned long long)bad[i],
				 r ? tap_errname(-r) : "success");
	}
	/* A read-only dma-buf syncs for reading. */
	r = T_EXPORT(fd, SHMAP_DMABUF_READONLY);
	CHECK_SYNC(r, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	CHECK_SYNC(r, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	close(r);
	munmap(m, size);
	close(d);
	close(fd);
	close(dev);
}

/*
 * A read-only dma-buf maps for reading only (EACCES for PROT_WRITE, and
 * for mprotect() to it) and sees what the buffer's writers write.
 */
static void check_readonly(int r, const char *s, char *w, size_t size,
			   const char *what)
{
	char *q;

	tap_diag("read-only dma-buf from %s", what);
	CHECK_EQ(acc_mode(r), O_RDONLY);
	CHECK_ERRNO(mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, r, 0),
		    EACCES);
	CHECK_ERRNO(mmap(NULL, t_page(), PROT_WRITE, MAP_SHARED, r, 0),
		    EACCES);
	q = T_MAP(r, size, PROT_READ, 0);
	CHECK_EQ(memcmp(q, s, size), 0);
	CHECK_ERRNO(mprotect(q, size, PROT_READ | PROT_WRITE), EACCES);
	CHECK_DIES(SIGSEGV, t_write_byte, q + t_page());
	if (w) {
		w[5] = 'w';
		CHECK_EQ(q[5], 'w');
	}
	munmap(q, size);
}

/*
 * Read-only dma-bufs: SHMAP_DMABUF_READONLY on a writable fd, any export
 * of a read-only buffer fd (EXPORT_RO), any export of a buffer sealed with
 * FUTURE_WRITE.
 */
static void readonly(void)
{
	size_t size = db_size();
	struct db_counts base = db_counts();
	int dev = t_dev(), fd = db_create(dev), sealed = db_create(dev);
	int ro = t_export_ro(fd, 0), r;
	char *s, *s2;

	REQUIRE_GE(ro, 0);
	s = T_MAP(fd, size, PROT_READ | PROT_WRITE, 0);
	s2 = T_MAP(sealed, size, PROT_READ | PROT_WRITE, 0);
	t_fill(s, size, 7);
	t_fill(s2, size, 8);
	REQUIRE_EQ(t_seal(sealed, SHMAP_SEAL_FUTURE_WRITE),
		   SHMAP_SEAL_FUTURE_WRITE);

	r = T_EXPORT(fd, SHMAP_DMABUF_READONLY);
	CHECK_EQ(cloexec(r), 1);
	check_readonly(r, s, s, size, "SHMAP_DMABUF_READONLY");
	CHECK_EQ(T_INFO(fd).dmabuf_exports, 1);
	close(r);
	r = T_EXPORT(fd, SHMAP_DMABUF_READONLY | SHMAP_DMABUF_NO_CLOEXEC);
	CHECK_EQ(cloexec(r), 0);
	CHECK_EQ(acc_mode(r), O_RDONLY);
	close(r);

	r = T_EXPORT(ro, 0);
	check_readonly(r, s, s, size, "an EXPORT_RO fd");
	/* Counted on the buffer, whichever fd asks. */
	CHECK_EQ(T_INFO(fd).dmabuf_exports, 1);
	CHECK_EQ(T_INFO(ro).dmabuf_exports, 1);
	close(r);
	r = T_EXPORT(ro, SHMAP_DMABUF_READONLY);
	CHECK_EQ(acc_mode(r), O_RDONLY);
	close(r);

	/* The writable mapping made before the seal still writes. */
	r = T_EXPORT(sealed, 0);
	check_readonly(r, s2, s2, size, "a FUTURE_WRITE-sealed buffer");
	close(r);

	munmap(s, size);
	munmap(s2, size);
	close(ro);
	close(fd);
	close(sealed);
	close(dev);
	CHECK_COUNTS(base);
}

/*
 * A read-write dma-buf exported before FUTURE_WRITE: new writable mappings
 * of it are refused (EPERM), read-only ones work and cannot be made
 * writable; one made before the seal goes on writing.
 */
static void sealed_after(void)
{
	size_t size = db_size();
	int dev = t_dev(), fd = db_create(dev), d = T_EXPORT(fd, 0), d2;
	char *w, *r;

	w = T_MAP(d, size, PROT_READ | PROT_WRITE, 0);
	t_fill(w, size, 9);
	REQUIRE_EQ(t_seal(fd, SHMAP_SEAL_FUTURE_WRITE),
		   SHMAP_SEAL_FUTURE_WRITE);
	CHECK_EQ(acc_mode(d), O_RDWR);
	CHECK_ERRNO(mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, d, 0),
		    EPERM);
	CHECK_ERRNO(mmap(NULL, t_page(), PROT_WRITE, MAP_SHARED, d, 0), EPERM);
	r = T_MAP(d, size, PROT_READ, 0);
	CHECK_PATTERN(r, size, 9);
	CHECK_ERRNO(mprotect(r, size, PROT_READ | PROT_WRITE), EACCES);
	CHECK_DIES(SIGSEGV, t_write_byte, r);
	t_fill(w, size, 10);
	CHECK_PATTERN(r, size, 10);
	/* A new export of the sealed buffer is read-only. */
	d2 = T_EXPORT(fd, 0);
	CHECK_EQ(acc_mode(d2), O_RDONLY);
	close(d2);
	munmap(w, size);
	munmap(r, size);
	close(d);
	close(fd);
	close(dev);
}

/* ---- lifetime: every order of letting go */

enum { H_FD, H_SMAP, H_DMABUF, H_DMAP, H_GEM, H_MAX };

static const char *const h_names[H_MAX] = {
	"buffer fd", "shmap mapping", "dma-buf fd", "dma-buf mapping",
	"GEM handle",
};

/* What holds a buffer's pages; -1 / NULL / 0 once let go. */
struct holders {
	int fd, d, card;
	char *s, *m;
	uint32_t gem;
	size_t size;
};

static void h_release(struct holders *h, int which)
{
	switch (which) {
	case H_FD:
		close(h->fd);
		h->fd = -1;
		break;
	case H_SMAP:
		munmap(h->s, h->size);
		h->s = NULL;
		break;
	case H_DMABUF:
		close(h->d);
		h->d = -1;
		break;
	case H_DMAP:
		munmap(h->m, h->size);
		h->m = NULL;
		break;
	case H_GEM:
		CHECK_RET(gem_close(h->card, h->gem), 0);
		h->gem = 0;
		break;
	}
}

/* A temporary read-only look at the pages through fd @f. */
static void h_look(int f, size_t size, unsigned int seed)
{
	char *q = T_MAP(f, size, PROT_READ, 0);

	CHECK_STAMP(q, size, seed);
	munmap(q, size);
}

/*
 * With what is left of @h: the counters (the buffer lives while anything
 * holds it, the dma-buf while its fd or the importer does: a mapping of
 * the dma-buf is one of the buffer's), and the same pages through every
 * holder, written anew through one of them.
 */
static void h_check(struct holders *h, struct db_counts base,
		    unsigned int seed)
{
	int dma = h->d >= 0 || h->gem;
	int any = dma || h->fd >= 0 || h->s || h->m;
	char *w = h->s ? h->s : h->m;

	CHECK_STAT("buffers", base.buffers + any);
	CHECK_STAT("dmabufs", base.dmabufs + dma);
	if (!any) {
		CHECK_COUNTS(base);
		return;
	}
	if (h->fd >= 0)
		CHECK_EQ(T_INFO(h->fd).dmabuf_exports, dma);
	if (w) {
		stamp(w, h->size, seed);
	} else {
		/* Only fds or the handle are left: write through one of them. */
		int f = h->fd >= 0 ? h->fd : h->d >= 0 ? h->d : -1;
		int tmp = f < 0 ? T_PRIME_FD(h->card, h->gem) : -1;

		w = T_MAP(f >= 0 ? f : tmp, h->size, PROT_READ | PROT_WRITE, 0);
		stamp(w, h->size, seed);
		munmap(w, h->size);
		if (tmp >= 0)
			close(tmp);
	}
	if (h->s)
		CHECK_STAMP(h->s, h->size, seed);
	if (h->m)
		CHECK_STAMP(h->m, h->size, seed);
	if (h->fd >= 0)
		h_look(h->fd, h->size, seed);
	if (h->d >= 0)
		h_look(h->d, h->size, seed);
	if (h->gem) {
		int f = T_PRIME_FD(h->card, h->gem);

		h_look(f, h->size, seed);
		close(f);
	}
}

/* The @k-th permutation of 0..n-1 (k < n!). */
static void perm_nth(int n, int k, int *out)
{
	int left[H_MAX], i, j, f;

	for (i = 0; i < n; i++)
		left[i] = i;
	for (i = 0; i < n; i++) {
		for (f = 1, j = 2; j < n - i; j++)
			f *= j;
		j = k / f;
		k %= f;
		out[i] = left[j];
		memmove(&left[j], &left[j + 1], (size_t)(n - i - j - 1) *
							sizeof(left[0]));
	}
}

/*
 * Every order of letting go of the buffer fd, the shmap mapping, the
 * dma-buf fd, the dma-buf mapping and (with @card >= 0) vgem's GEM handle
 * of the dma-buf: the pages stay while anything holds them, then the
 * counters come back. Huge buffers with vgem: the orders with the handle
 * last (a 2 MiB folio per order: all 120 would take 10 s under TCG).
 */
static void lifetime_orders(int card)
{
	int n = card >= 0 ? 5 : 4, k, i;
	int nperm = card >= 0 && !db_huge() ? 120 : 24;
	struct db_counts base = db_counts();
	double t0 = t_now();
	size_t size = db_huge() ? HUGE_SZ + 3 * t_page() : 5 * t_page();

	for (k = 0; k < nperm; k++) {
		int order[H_MAX], dev = t_dev();
		struct holders h = { .card = card, .size = size };

		/* 24 orders: of the other four; the handle, if any, last. */
		perm_nth(nperm == 24 ? 4 : 5, k, order);
		if (nperm == 24)
			order[4] = H_GEM;
		h.fd = db_create_size(dev, size);
		close(dev);
		h.s = T_MAP(h.fd, size, PROT_READ | PROT_WRITE, 0);
		h.d = T_EXPORT(h.fd, 0);
		if (card >= 0) {
			int d2;

			REQUIRE_RET(prime_import(card, h.d, &h.gem), 0);
			d2 = T_PRIME_FD(card, h.gem);
			CHECK_EQ(ino_of(d2), ino_of(h.d));
			h.m = T_MAP(d2, size, PROT_READ | PROT_WRITE, 0);
			close(d2);
		} else {
			h.m = T_MAP(h.d, size, PROT_READ | PROT_WRITE, 0);
		}
		h_check(&h, base, 1);
		for (i = 0; i < n; i++) {
			h_release(&h, order[i]);
			h_check(&h, base, (unsigned int)(i + 2));
			if (tap_failed) {
				char msg[256] = "";
				int j;

				for (j = 0; j <= i; j++)
					snprintf(msg + strlen(msg),
						 sizeof(msg) - strlen(msg),
						 "%s%s", j ? ", " : "",
						 h_names[order[j]]);
				tap_diag("order %d: wrong after letting go of "
					 "%s",
					 k, msg);
				tap_abort();
			}
		}
	}
	tap_describe("%d orders of %d holders in %.1f s", nperm, n,
		     t_now() - t0);
}

static void lifetime(void)
{
	lifetime_orders(-1);
}

/*
 * vgem imports the dma-buf (PRIME), gives the same dma-buf back from the
 * handle, and its mapping shares the pages with a shmap mapping in another
 * process, both ways; a read-only dma-buf cannot be imported (vgem maps
 * for both directions).
 */
/*
 * PRIME import of a read-only dma-buf: no device may map it for writing.
 * 6.x's vgem maps an import at once, for both directions, which the
 * exporter refuses with EACCES; 7.x's only attaches and would map when it
 * needs the pages, which vgem never does for an import, so the import
 * succeeds with no device mapping. Either way nothing is left of it once
 * the handle is closed.
 */
static void vgem_import_ro(int card, int r, const char *what)
{
	uint32_t h = 0;
	int ret = prime_import(card, r, &h);

	if (ret)
		CHECK_EQ(ret, -EACCES);
	else
		CHECK_RET(gem_close(card, h), 0);
	tap_diag("%s: PRIME import %s", what,
		 ret ? tap_errname(-ret) : "attached, not mapped");
}

static void vgem(void)
{
	size_t size = db_size();
	struct db_counts base = db_counts();
	int card = vgem_open(), dev = t_dev(), fd = db_create(dev), d, d2, r;
	int ro = t_export_ro(fd, 0);
	uint32_t h = 0, h2 = 0;
	char *m;
	pid_t pid;

	REQUIRE_GE(ro, 0);
	d = T_EXPORT(fd, 0);
	REQUIRE_RET(prime_import(card, d, &h), 0);
	/* The same dma-buf imported again: the same handle. */
	REQUIRE_RET(prime_import(card, d, &h2), 0);
	CHECK_EQ(h2, h);
	d2 = T_PRIME_FD(card, h);
	CHECK_EQ(ino_of(d2), ino_of(d));
	/* The GEM object holds the dma-buf: no new one, and d can go. */
	CHECK_EQ(T_INFO(fd).dmabuf_exports, 1);
	close(d);
	CHECK_EQ(T_INFO(fd).dmabuf_exports, 1);
	CHECK_STAT("dmabufs", base.dmabufs + 1);

	m = T_MAP(d2, size, PROT_READ | PROT_WRITE, 0);
	CHECK_SYNC(d2, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	t_fill(m, size, 11);
	CHECK_SYNC(d2, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
	/* Another process, with a shmap mapping of its own: reads, writes. */
	pid = tap_fork();
	if (pid == 0) {
		char *q;

		close(d2);
		close(card);
		q = T_MAP(fd, size, PROT_READ | PROT_WRITE, 0);
		CHECK_PATTERN(q, size, 11);
		t_fill(q, size, 12);
		tap_end();
	}
	CHECK_EXIT0(tap_wait(pid));
	CHECK_SYNC(d2, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	CHECK_PATTERN(m, size, 12);
	CHECK_SYNC(d2, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);

	/* Read-only dma-bufs: no device mapping for writing. */
	r = T_EXPORT(fd, SHMAP_DMABUF_READONLY);
	vgem_import_ro(card, r, "asked read-only");
	close(r);
	r = T_EXPORT(ro, 0);
	vgem_import_ro(card, r, "from a read-only fd");
	close(r);
	CHECK_STAT("dmabufs", base.dmabufs + 1);
	CHECK_EQ(T_INFO(fd).dmabuf_exports, 1);

	CHECK_RET(gem_close(card, h), 0);
	/* Still mapped, still there. */
	CHECK_PATTERN(m, size, 12);
	munmap(m, size);
	close(d2);
	CHECK_EQ(T_INFO(fd).dmabuf_exports, 0);
	close(ro);
	close(fd);
	close(dev);
	close(card);
	CHECK_COUNTS(base);
}

static void vgem_lifetime(void)
{
	int card = vgem_open();

	lifetime_orders(card);
	close(card);
}

/* ---- vivid */

#define VIVID_BUFS 3
#define VIVID_FRAMES 4
#define VIVID_TIMEOUT_MS 10000

/* An fd of vivid's single-planar video capture node; skips or fails. */
static int vivid_open(void)
{
	char path[32];
	int i;

	for (i = 0; i < 64; i++) {
		struct v4l2_capability cap;
		int fd;

		snprintf(path, sizeof(path), "/dev/video%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(&cap, 0, sizeof(cap));
		if (!ioctl(fd, VIDIOC_QUERYCAP, &cap) &&
		    !strcmp((const char *)cap.driver, "vivid")) {
			uint32_t caps = (cap.capabilities &
					 V4L2_CAP_DEVICE_CAPS) ?
						cap.device_caps :
						cap.capabilities;

			if ((caps & V4L2_CAP_VIDEO_CAPTURE) &&
			    (caps & V4L2_CAP_STREAMING))
				return fd;
		}
		close(fd);
	}
	no_device("vivid", "/dev/video* of vivid with single-planar capture");
}

/* A small YUYV frame; returns its sizeimage. */
static size_t vivid_format(int v)
{
	struct v4l2_format f;

	memset(&f, 0, sizeof(f));
	f.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	REQUIRE_SYS(ioctl(v, VIDIOC_G_FMT, &f));
	f.fmt.pix.width = 320;
	f.fmt.pix.height = 180;
	f.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	f.fmt.pix.field = V4L2_FIELD_NONE;
	REQUIRE_SYS(ioctl(v, VIDIOC_S_FMT, &f));
	REQUIRE(f.fmt.pix.sizeimage > 0);
	tap_diag("vivid: %ux%u, sizeimage %u", f.fmt.pix.width,
		 f.fmt.pix.height, f.fmt.pix.sizeimage);
	return f.fmt.pix.sizeimage;
}

static int vivid_reqbufs(int v, unsigned int count)
{
	struct v4l2_requestbuffers rb;

	memset(&rb, 0, sizeof(rb));
	rb.count = count;
	rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	rb.memory = V4L2_MEMORY_DMABUF;
	if (ioctl(v, VIDIOC_REQBUFS, &rb))
		return -errno;
	return (int)rb.count;
}

static int vivid_qbuf(int v, unsigned int index, int d, size_t len)
{
	struct v4l2_buffer b;

	memset(&b, 0, sizeof(b));
	b.index = index;
	b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	b.memory = V4L2_MEMORY_DMABUF;
	b.m.fd = d;
	b.length = (uint32_t)len;
	return ioctl(v, VIDIOC_QBUF, &b) ? -errno : 0;
}

static int vivid_stream(int v, int on)
{
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;

	return ioctl(v, on ? VIDIOC_STREAMON : VIDIOC_STREAMOFF, &type) ?
		       -errno :
		       0;
}

/* The frame, as the capturing process read it, for the other process. */
struct frame_msg {
	uint32_t index, bytesused;
};

/*
 * The reader: maps the buffers itself, and for each frame compares its
 * mapping with the copy the capturer made; answers 'y' or 'n'.
 */
static void frame_reader(const int *fds, size_t len, const char *copy,
			 int in, int out)
{
	char *q[VIVID_BUFS];
	struct frame_msg msg;
	int i;

	for (i = 0; i < VIVID_BUFS; i++)
		q[i] = T_MAP(fds[i], len, PROT_READ, 0);
	while (read(in, &msg, sizeof(msg)) == sizeof(msg)) {
		char ok = msg.index < VIVID_BUFS && msg.bytesused <= len &&
					  !memcmp(q[msg.index], copy,
						  msg.bytesused) ?
				  'y' :
				  'n';

		if (write(out, &ok, 1) != 1)
			break;
	}
	for (i = 0; i < VIVID_BUFS; i++)
		munmap(q[i], len);
}

/*
 * vivid captures into dma-bufs of shmap buffers; another process reads
 * each frame through its own shmap mappings and sees what the capturer
 * sees. After STREAMOFF the V4L2 buffers are the last holders: the shmap
 * buffers live until REQBUFS 0.
 */
static void vivid(void)
{
	struct db_counts base = db_counts();
	double t0 = t_now();
	int v = vivid_open(), dev = t_dev(), fds[VIVID_BUFS], d[VIVID_BUFS];
	size_t sizeimage = vivid_format(v), len = db_size(), i;
	int p2c[2], c2p[2], frames, n;
	char *s[VIVID_BUFS], *copy;
	pid_t pid;

	if (len < sizeimage)
		len = (sizeimage + t_page() - 1) / t_page() * t_page();
	copy = REQUIRE_MAP(mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	for (i = 0; i < VIVID_BUFS; i++) {
		fds[i] = db_create_size(dev, len);
		d[i] = T_EXPORT(fds[i], 0);
		s[i] = T_MAP(fds[i], len, PROT_READ | PROT_WRITE, 0);
	}
	REQUIRE_SYS(pipe2(p2c, O_CLOEXEC));
	REQUIRE_SYS(pipe2(c2p, O_CLOEXEC));
	pid = tap_fork();
	if (pid == 0) {
		close(v);
		close(p2c[1]);
		close(c2p[0]);
		for (i = 0; i < VIVID_BUFS; i++) {
			close(d[i]);
			munmap(s[i], len);
		}
		frame_reader(fds, len, copy, p2c[0], c2p[1]);
		tap_end();
	}
	close(p2c[0]);
	close(c2p[1]);

	n = vivid_reqbufs(v, VIVID_BUFS);
	REQUIRE_GE(n, VIVID_BUFS);
	for (i = 0; i < VIVID_BUFS; i++)
		REQUIRE_RET(vivid_qbuf(v, (unsigned int)i, d[i], len), 0);
	REQUIRE_RET(vivid_stream(v, 1), 0);
	for (frames = 0; frames < VIVID_FRAMES; frames++) {
		struct pollfd pfd = { .fd = v, .events = POLLIN };
		struct frame_msg msg;
		struct v4l2_buffer b;
		size_t bad;
		char ok = 0;

		n = poll(&pfd, 1, VIVID_TIMEOUT_MS);
		if (n != 1) {
			TAP_FAIL("no frame %d within %d ms (poll: %d, %s)",
				 frames, VIVID_TIMEOUT_MS, n,
				 tap_errname(errno));
			break;
		}
		memset(&b, 0, sizeof(b));
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_DMABUF;
		REQUIRE_SYS(ioctl(v, VIDIOC_DQBUF, &b));
		REQUIRE(b.index < VIVID_BUFS);
		CHECK_EQ(b.flags & V4L2_BUF_FLAG_ERROR, 0);
		CHECK_EQ(b.bytesused, sizeimage);
		CHECK_EQ(b.m.fd, d[b.index]);
		CHECK_SYNC(d[b.index], DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
		memcpy(copy, s[b.index], b.bytesused);
		CHECK_SYNC(d[b.index], DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
		if (t_all_zero(copy, b.bytesused, &bad))
			TAP_FAIL("frame %d (buffer %u) is all zero", frames,
				 b.index);
		msg.index = b.index;
		msg.bytesused = b.bytesused;
		REQUIRE_EQ(write(p2c[1], &msg, sizeof(msg)), sizeof(msg));
		REQUIRE_EQ(read(c2p[0], &ok, 1), 1);
		if (ok != 'y')
			TAP_FAIL("frame %d (buffer %u): the other process "
				 "reads something else",
				 frames, b.index);
		REQUIRE_RET(vivid_qbuf(v, b.index, d[b.index], len), 0);
	}
	close(p2c[1]);
	CHECK_EXIT0(tap_wait(pid));
	CHECK_RET(vivid_stream(v, 0), 0);

	/* The V4L2 buffers are the last holders. */
	for (i = 0; i < VIVID_BUFS; i++) {
		close(d[i]);
		munmap(s[i], len);
		close(fds[i]);
	}
	close(dev);
	CHECK_STAT("buffers", base.buffers + VIVID_BUFS);
	CHECK_STAT("dmabufs", base.dmabufs + VIVID_BUFS);
	CHECK_EQ(vivid_reqbufs(v, 0), 0);
	CHECK_COUNTS(base);
	close(v);
	close(c2p[0]);
	munmap(copy, len);
	tap_describe("%d frames of %zu bytes in %.1f s", frames, sizeimage,
		     t_now() - t0);
}

/*
 * A read-only dma-buf has no kernel mapping (vmap) and maps for devices
 * only to read: capture into it fails at QBUF or at STREAMON, cleanly.
 */
static void vivid_readonly(void)
{
	struct db_counts base = db_counts();
	int v, dev, fds[VIVID_BUFS], d[VIVID_BUFS], ret, i;
	const char *where = "QBUF";
	size_t sizeimage, len;

	dm = &db_modes[1];
	db_require();
	v = vivid_open();
	dev = t_dev();
	sizeimage = vivid_format(v);
	len = (sizeimage + t_page() - 1) / t_page() * t_page();
	for (i = 0; i < VIVID_BUFS; i++) {
		fds[i] = db_create_size(dev, len);
		d[i] = T_EXPORT(fds[i], i ? 0 : SHMAP_DMABUF_READONLY);
	}
	REQUIRE_GE(vivid_reqbufs(v, VIVID_BUFS), VIVID_BUFS);
	ret = vivid_qbuf(v, 0, d[0], len);
	if (!ret) {
		for (i = 1; i < VIVID_BUFS; i++)
			REQUIRE_RET(vivid_qbuf(v, (unsigned int)i, d[i], len),
				    0);
		where = "STREAMON";
		ret = vivid_stream(v, 1);
		if (!ret) {
			TAP_FAIL("QBUF and STREAMON of a read-only dma-buf "
				 "succeeded");
			vivid_stream(v, 0);
		}
	}
	tap_describe("refused at %s with %s", where,
		     ret ? tap_errname(-ret) : "nothing");
	CHECK_EQ(vivid_reqbufs(v, 0), 0);
	for (i = 0; i < VIVID_BUFS; i++) {
		close(d[i]);
		close(fds[i]);
	}
	close(v);
	close(dev);
	CHECK_COUNTS(base);
}

/* ---- allocation at export: max_total_mb, the memory cgroup */

/*
 * A NORESERVE lazy buffer reserves its pages when they come: at export,
 * all of them. Past max_total_mb the export fails with ENOSPC, with no fd
 * and no dma-buf, and reserves no more than max_total_mb (the pages it got
 * stay, as touched pages do); with room it works. A buffer that reserved
 * at create exports with max_total_mb full.
 */
static void noreserve_enospc(void)
{
	size_t pg = t_page(), size = 4 * T_MIB;
	struct db_counts base, before;
	struct shmap_info info;
	uint64_t total_mb;
	int dev, fd, res, d, nfds;
	char old[32], s[32];

	dm = &db_modes[2];
	db_require();
	base = db_counts();
	dev = t_dev();
	fd = T_CREATE(dev, size, SHMAP_MODE_LAZY, SHMAP_CREATE_NORESERVE,
		      "nores");
	res = T_CREATE(dev, size, SHMAP_MODE_LAZY, 0, "reserved");
	snprintf(old, sizeof(old), "%llu",
		 (unsigned long long)T_PARAM("max_total_mb"));
	/* Room for 2 MiB or a little more: less than the buffer. */
	total_mb = (T_STAT("pages_reserved") * pg + T_MIB - 1) / T_MIB + 2;
	snprintf(s, sizeof(s), "%llu", (unsigned long long)total_mb);
	T_PARAM_SET("max_total_mb", s);
	before = db_counts();
	nfds = t_count_fds();
	CHECK_EQ(t_export_dmabuf(fd, 0), -ENOSPC);
	CHECK_EQ(t_count_fds(), nfds);
	info = T_INFO(fd);
	CHECK_EQ(info.dmabuf_exports, 0);
	CHECK_LE(info.reserved_pages, size / pg);
	CHECK_EQ(info.resident_pages, info.reserved_pages);
	CHECK_LE(T_STAT("pages_reserved") * pg, total_mb * T_MIB);
	CHECK_EQ(T_STAT("dmabufs"), before.dmabufs);
	CHECK_EQ(T_STAT("buffers"), before.buffers);

	/* Reserved at create: no room needed. */
	d = T_EXPORT(res, 0);
	CHECK_EQ(T_INFO(res).resident_pages, size / pg);
	close(d);
	close(res);

	REQUIRE_RET(tap_write_str(T_PARAMS "max_total_mb", old), 0);
	d = T_EXPORT(fd, 0);
	tap_describe("ENOSPC with max_total_mb=%s (%llu of %zu pages got), "
		     "fine with %s",
		     s, (unsigned long long)info.resident_pages, size / pg,
		     old);
	info = T_INFO(fd);
	CHECK_EQ(info.resident_pages, size / pg);
	CHECK_EQ(info.reserved_pages, size / pg);
	close(d);
	close(fd);
	close(dev);
	CHECK_COUNTS(base);
}

static struct t_cg cg;

/* What memcg_exporter() did, in memory shared with the parent. */
struct memcg_arg {
	int fd, probe;	/* the buffer; the lowest free fd before the export */
	size_t size;
	int ret;	/* the export's fd or -errno */
	int probe_free; /* the probe fd still free after the export */
	uint64_t before, after; /* memory.current around it */
};

/*
 * In the cgroup, the export and nothing else that allocates: a refused
 * export leaves the cgroup full (the pages the buffer got stay charged),
 * and any allocation then (opening a file, printing) would wake the memcg
 * OOM killer for the kernel's own memory, not the module's. The parent
 * looks at the results.
 */
static void memcg_exporter(void *arg)
{
	struct memcg_arg *a = arg;

	t_cg_enter(&cg);
	a->before = t_cg_u64(&cg, "memory.current");
	a->ret = t_export_dmabuf(a->fd, 0);
	if (a->ret < 0) {
		a->probe_free = fcntl(a->probe, F_GETFD) < 0 && errno == EBADF;
		_exit(0);
	}
	a->after = t_cg_u64(&cg, "memory.current");
	close(a->ret);
}

/* A lazy buffer of a->size exported in the cgroup (made by the caller). */
static void memcg_export(int dev, struct memcg_arg *a)
{
	a->fd = T_CREATE(dev, a->size, SHMAP_MODE_LAZY, 0, "memcg");
	a->probe = (int)CHECK_SYS(dup(0));
	close(a->probe);
	a->ret = -EIO;
	a->probe_free = 0;
	a->before = a->after = 0;
	CHECK_LIVES(memcg_exporter, a);
}

/*
 * The pages a lazy buffer gets at export are charged to the exporter's
 * memory cgroup (not to its creator's); past the cgroup's limit the export
 * fails with ENOMEM, without the OOM killer, and leaves no fd.
 */
static void memcg_charge(void)
{
	struct memcg_arg *a;
	struct db_counts base;
	uint64_t charged;
	int dev;

	dm = &db_modes[1];
	db_require();
	base = db_counts();
	dev = t_dev();
	a = REQUIRE_MAP(mmap(NULL, sizeof(*a), PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	a->size = 8 * T_MIB;
	t_cg_create(&cg, "dmabuf", 64 * T_MIB);
	memcg_export(dev, a);
	CHECK_GE(a->ret, 0);
	charged = a->after - a->before;
	CHECK_GE(charged, a->size);
	CHECK_EQ(T_INFO(a->fd).resident_pages, a->size / t_page());
	close(a->fd);
	t_cg_remove(&cg);

	t_cg_create(&cg, "dmabuf-small", 4 * T_MIB);
	memcg_export(dev, a);
	CHECK_EQ(a->ret, -ENOMEM);
	CHECK(a->probe_free);
	CHECK_EQ(t_cg_event(&cg, "oom_kill"), 0);
	CHECK_EQ(T_INFO(a->fd).dmabuf_exports, 0);
	CHECK_STAT("dmabufs", base.dmabufs);
	tap_describe("exporter charged %llu kB for %zu kB; past the limit "
		     "%s, %llu of %zu pages got",
		     (unsigned long long)charged / 1024,
		     a->size / 1024, tap_errname(-a->ret),
		     (unsigned long long)T_INFO(a->fd).resident_pages,
		     a->size / t_page());
	close(a->fd);
	t_cg_remove(&cg);
	munmap(a, sizeof(*a));
	close(dev);
	CHECK_COUNTS(base);
}

/* ---- the module */

static uint64_t module_refcnt(void)
{
	uint64_t v = 0;

	REQUIRE_RET(tap_read_u64(MODULE_DIR "/refcnt", &v), 0);
	return v;
}

/*
 * A dma-buf holds the module, alone (no buffer fd, no /dev/shmap, no
 * shmap mapping) and so does a mapping of it: delete_module() refuses.
 * It is never called while nothing holds the module: the suite unloads
 * it later.
 */
static void module_busy(void)
{
	size_t size = 4 * t_page();
	struct db_counts base;
	uint64_t refs;
	int dev, fd, d;
	char *m, state[32];

	dm = &db_modes[1];
	db_require();
	base = db_counts();
	refs = module_refcnt();
	dev = t_dev();
	fd = db_create_size(dev, size);
	d = T_EXPORT(fd, 0);
	m = T_MAP(fd, size, PROT_READ | PROT_WRITE, 0);
	t_fill(m, size, 13);
	munmap(m, size);
	close(fd);
	close(dev);

	/* Only the dma-buf now. */
	REQUIRE_GE(module_refcnt(), refs + 1);
	CHECK_ERRNO(syscall(SYS_delete_module, "shmap", O_NONBLOCK),
		    EWOULDBLOCK);
	REQUIRE_RET(tap_read_str(MODULE_DIR "/initstate", state, sizeof(state)),
		    0);
	CHECK(!strcmp(state, "live"));
	CHECK_EQ(T_STAT("buffers"), base.buffers + 1);

	/* Only a mapping of it (which is one of the buffer's). */
	m = T_MAP(d, size, PROT_READ, 0);
	close(d);
	CHECK_PATTERN(m, size, 13);
	CHECK_STAT("dmabufs", base.dmabufs);
	REQUIRE_GE(module_refcnt(), refs + 1);
	CHECK_ERRNO(syscall(SYS_delete_module, "shmap", O_NONBLOCK),
		    EWOULDBLOCK);
	munmap(m, size);
	CHECK_COUNTS(base);
	CHECK_EQ(module_refcnt(), refs);
	tap_describe("module refcnt %llu with a dma-buf alone, %llu after",
		     (unsigned long long)refs + 1, (unsigned long long)refs);
}

DB_MODES(export)
DB_MODES(errors)
DB_MODES(shared)
DB_MODES(sync_flags)
DB_MODES(readonly)
DB_MODES(sealed_after)
DB_MODES(lifetime)
DB_MODES(vgem)
DB_MODES(vgem_lifetime)
DB_MODES(vivid)

static const struct tap_case cases[] = {
	TAP_CASE(feature),
	DB_CASES(export),
	DB_CASES(errors),
	DB_CASES(shared),
	DB_CASES(sync_flags),
	DB_CASES(readonly),
	DB_CASES(sealed_after),
	DB_CASES_T(lifetime, 300),
	TAP_CASE(noreserve_enospc),
	TAP_CASE(memcg_charge),
	TAP_CASE(module_busy),
	DB_CASES(vgem),
	DB_CASES_T(vgem_lifetime, 600),
	DB_CASES_T(vivid, 120),
	TAP_CASE(vivid_readonly),
};

TAP_MAIN("dmabuf", cases)
