// SPDX-License-Identifier: GPL-2.0
/*
 * lib: every public function of libshmap, its argument checks and its
 * errors. Also built with ASan + UBSan (build/tests-asan/lib).
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "shmap.h"
#include "tshmap.h"

/* 0.1's name of shmap_buf_query(): shmap.h no longer declares it, old binaries call it. */
int shmap_buf_info(struct shmap_buf *buf, struct shmap_buf_info *info);

#define ALL_FEATS	(SHMAP_DEV_FEAT_EAGER | SHMAP_DEV_FEAT_LAZY |		\
			 SHMAP_DEV_FEAT_NORESERVE | SHMAP_DEV_FEAT_EXPORT_RO |	\
			 SHMAP_DEV_FEAT_SEAL | SHMAP_DEV_FEAT_NAME)

static struct shmap_dev *open_dev(void)
{
	struct shmap_dev *dev = NULL;

	REQUIRE_RET(shmap_dev_open(&dev), 0);
	REQUIRE(dev != NULL);
	return dev;
}

static struct shmap_buf *create(struct shmap_dev *dev, uint64_t size,
				enum shmap_buf_mode mode, unsigned int flags)
{
	struct shmap_buf *buf = NULL;

	REQUIRE_RET(shmap_buf_create(dev, size, mode, NULL, flags, &buf), 0);
	REQUIRE(buf != NULL);
	return buf;
}

static int is_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	return fl >= 0 && (fl & FD_CLOEXEC);
}

static void dev_open(void)
{
	struct shmap_dev *dev = open_dev();
	int fd = shmap_dev_fd(dev);

	CHECK_GE(fd, 0);
	CHECK(is_cloexec(fd));
	CHECK_EQ(shmap_dev_abi_version(dev), 1);
	CHECK_EQ(shmap_dev_features(dev) & ALL_FEATS, ALL_FEATS);
	CHECK_EQ(shmap_dev_has_feature(dev, SHMAP_DEV_FEAT_EAGER), 1);
	CHECK_EQ(shmap_dev_has_feature(dev, SHMAP_DEV_FEAT_EAGER | SHMAP_DEV_FEAT_SEAL), 1);
	CHECK_EQ(shmap_dev_has_feature(dev, ALL_FEATS), 1);
	CHECK_EQ(shmap_dev_has_feature(dev, 1ULL << 50), 0);
	CHECK_EQ(shmap_dev_has_feature(dev, SHMAP_DEV_FEAT_LAZY | (1ULL << 63)), 0);
	/* The library's constants are the ABI's. */
	CHECK_EQ(SHMAP_DEV_FEAT_EAGER, SHMAP_FEAT_EAGER);
	CHECK_EQ(SHMAP_DEV_FEAT_NAME, SHMAP_FEAT_NAME);
	CHECK_EQ(SHMAP_BUF_EAGER, SHMAP_MODE_EAGER);
	CHECK_EQ(SHMAP_BUF_LAZY, SHMAP_MODE_LAZY);
	CHECK_EQ(SHMAP_BUF_SEAL_FUTURE_WRITE, SHMAP_SEAL_FUTURE_WRITE);
	CHECK_EQ(SHMAP_BUF_SEAL_SEAL, SHMAP_SEAL_SEAL);
	CHECK_EQ(SHMAP_BUF_INFO_READONLY, SHMAP_INFO_READONLY);
	CHECK_EQ(SHMAP_BUF_INFO_NORESERVE, SHMAP_INFO_NORESERVE);
	shmap_dev_close(dev);
	CHECK_ERRNO(fcntl(fd, F_GETFD), EBADF);
}

static void dev_open_args(void)
{
	struct shmap_dev *dev = NULL;
	int before = t_count_fds();

	CHECK_RET(shmap_dev_open(NULL), -EINVAL);
	CHECK_RET(shmap_dev_open_path(NULL, &dev), -EINVAL);
	CHECK_RET(shmap_dev_open_path(T_DEV, NULL), -EINVAL);
	CHECK_RET(shmap_dev_open_path("/nonexistent/shmap", &dev), -ENOENT);
	CHECK_RET(shmap_dev_open_path("/dev/null", &dev), -ENOTTY);
	CHECK_RET(shmap_dev_open_path("/dev/zero", &dev), -ENOTTY);
	CHECK(dev == NULL);
	/* No fd leaked by the failures. */
	CHECK_EQ(t_count_fds(), before);
	REQUIRE_RET(shmap_dev_open_path(T_DEV, &dev), 0);
	CHECK_EQ(shmap_dev_abi_version(dev), 1);
	shmap_dev_close(dev);
	CHECK_EQ(t_count_fds(), before);
}

static void close_null(void)
{
	shmap_dev_close(NULL);
	shmap_buf_close(NULL);
}

static void limits(void)
{
	struct shmap_dev *dev = open_dev();
	uint64_t mb = 0, mt = 0, old = T_PARAM("max_buffer_mb");
	char s[32];

	CHECK_RET(shmap_dev_limits(dev, &mb, &mt), 0);
	CHECK_EQ(mb, T_PARAM("max_buffer_mb") * T_MIB);
	CHECK_EQ(mt, T_PARAM("max_total_mb") * T_MIB);
	mb = 0;
	CHECK_RET(shmap_dev_limits(dev, &mb, NULL), 0);
	CHECK_EQ(mb, old * T_MIB);
	mt = 0;
	CHECK_RET(shmap_dev_limits(dev, NULL, &mt), 0);
	CHECK_EQ(mt, T_PARAM("max_total_mb") * T_MIB);
	CHECK_RET(shmap_dev_limits(dev, NULL, NULL), 0);
	CHECK_RET(shmap_dev_limits(NULL, &mb, &mt), -EINVAL);
	/* Read from the module at each call. */
	snprintf(s, sizeof(s), "%llu", (unsigned long long)old + 1);
	REQUIRE_RET(tap_write_str(T_PARAMS "max_buffer_mb", s), 0);
	CHECK_RET(shmap_dev_limits(dev, &mb, NULL), 0);
	CHECK_EQ(mb, (old + 1) * T_MIB);
	snprintf(s, sizeof(s), "%llu", (unsigned long long)old);
	CHECK_RET(tap_write_str(T_PARAMS "max_buffer_mb", s), 0);
	shmap_dev_close(dev);
}

static void buf_create(void)
{
	struct shmap_dev *dev = open_dev();
	struct shmap_buf *b[4];
	struct shmap_buf_info in;
	struct stat st;
	int i;

	REQUIRE_RET(shmap_buf_create(dev, 1, SHMAP_BUF_EAGER, "lib-eager", 0, &b[0]), 0);
	REQUIRE_RET(shmap_buf_create(dev, 3 * t_page() + 1, SHMAP_BUF_LAZY, NULL, 0, &b[1]), 0);
	REQUIRE_RET(shmap_buf_create(dev, t_page(), SHMAP_BUF_DEFAULT, "", 0, &b[2]), 0);
	REQUIRE_RET(shmap_buf_create(dev, t_page(), SHMAP_BUF_LAZY, "nr",
				     SHMAP_BUF_NORESERVE | SHMAP_BUF_NO_CLOEXEC, &b[3]), 0);
	CHECK_EQ(shmap_buf_size(b[0]), t_page());
	CHECK_EQ(shmap_buf_size(b[1]), 4 * t_page());
	CHECK_RET(shmap_buf_query(b[0], &in), 0);
	CHECK_EQ(in.mode, SHMAP_BUF_EAGER);
	CHECK_EQ(in.resident_pages, 1);
	CHECK_RET(shmap_buf_query(b[1], &in), 0);
	CHECK_EQ(in.mode, SHMAP_BUF_LAZY);
	CHECK_EQ(in.size, 4 * t_page());
	CHECK_RET(shmap_buf_query(b[2], &in), 0);
	CHECK(in.mode == SHMAP_BUF_EAGER || in.mode == SHMAP_BUF_LAZY);
	CHECK_RET(shmap_buf_query(b[3], &in), 0);
	CHECK_EQ(in.flags, SHMAP_BUF_INFO_NORESERVE);
	for (i = 0; i < 3; i++)
		CHECK(is_cloexec(shmap_buf_fd(b[i])));
	CHECK(!is_cloexec(shmap_buf_fd(b[3])));
	REQUIRE_SYS(fstat(shmap_buf_fd(b[1]), &st));
	CHECK_RET(shmap_buf_query(b[1], &in), 0);
	CHECK_EQ(in.ino, st.st_ino);
	CHECK_EQ(T_STAT("buffers"), 4);
	for (i = 0; i < 4; i++)
		shmap_buf_close(b[i]);
	CHECK_EQ(T_STAT("buffers"), 0);
	shmap_dev_close(dev);
}

static void buf_create_errors(void)
{
	struct shmap_dev *dev = open_dev();
	struct shmap_buf *b = NULL;
	char longname[80];
	int before = t_count_fds();

	memset(longname, 'x', sizeof(longname));
	longname[64] = '\0';
	CHECK_RET(shmap_buf_create(NULL, t_page(), SHMAP_BUF_LAZY, NULL, 0, &b), -EINVAL);
	CHECK_RET(shmap_buf_create(dev, t_page(), SHMAP_BUF_LAZY, NULL, 0, NULL), -EINVAL);
	CHECK_RET(shmap_buf_create(dev, 0, SHMAP_BUF_LAZY, NULL, 0, &b), -EINVAL);
	CHECK_RET(shmap_buf_create(dev, t_page(), (enum shmap_buf_mode)7, NULL, 0, &b), -EINVAL);
	CHECK_RET(shmap_buf_create(dev, t_page(), SHMAP_BUF_LAZY, NULL, 1U << 9, &b), -EINVAL);
	CHECK_RET(shmap_buf_create(dev, t_page(), SHMAP_BUF_EAGER, NULL,
				   SHMAP_BUF_NORESERVE, &b), -EINVAL);
	CHECK_RET(shmap_buf_create(dev, t_page(), SHMAP_BUF_LAZY, longname, 0, &b), -EINVAL);
	CHECK_RET(shmap_buf_create(dev, t_page(), SHMAP_BUF_LAZY, "a/b", 0, &b), -EINVAL);
	CHECK_RET(shmap_buf_create(dev, t_page(), SHMAP_BUF_LAZY, "a\tb", 0, &b), -EINVAL);
	CHECK_RET(shmap_buf_create(dev, UINT64_MAX, SHMAP_BUF_LAZY, NULL, 0, &b), -EFBIG);
	CHECK_RET(shmap_buf_create(dev, T_PARAM("max_buffer_mb") * T_MIB + 1,
				   SHMAP_BUF_LAZY, NULL, 0, &b), -EFBIG);
	CHECK(b == NULL);
	CHECK_EQ(t_count_fds(), before);
	CHECK_EQ(T_STAT("buffers"), 0);
	shmap_dev_close(dev);
}

static void buf_import(void)
{
	struct shmap_dev *dev = open_dev();
	struct shmap_buf *b = create(dev, 3 * t_page(), SHMAP_BUF_EAGER, 0);
	struct shmap_buf *imp = NULL;
	char *p, *q;
	int fd, dupfd;

	fd = shmap_buf_fd(b);
	REQUIRE_RET(shmap_buf_import(fd, &imp), 0);
	CHECK_NE(shmap_buf_fd(imp), fd);
	CHECK(is_cloexec(shmap_buf_fd(imp)));
	CHECK_EQ(shmap_buf_size(imp), 3 * t_page());
	REQUIRE_RET(shmap_buf_map(b, 0, 0, PROT_READ | PROT_WRITE, (void **)&p), 0);
	REQUIRE_RET(shmap_buf_map(imp, 0, 0, PROT_READ, (void **)&q), 0);
	strcpy(p, "imported");
	CHECK(!strcmp(q, "imported"));
	/* The caller keeps its fd: closing the import leaves it open. */
	dupfd = dup(fd);
	shmap_buf_close(imp);
	CHECK_SYS(fcntl(fd, F_GETFD));
	REQUIRE_RET(shmap_buf_import(dupfd, &imp), 0);
	close(dupfd);
	CHECK_EQ(shmap_buf_size(imp), 3 * t_page());
	/* Imports of read-only fds work and stay read-only. */
	shmap_buf_close(imp);
	shmap_buf_unmap(p, 3 * t_page());
	shmap_buf_unmap(q, 3 * t_page());
	shmap_buf_close(b);
	shmap_dev_close(dev);
}

static void buf_import_errors(void)
{
	struct shmap_buf *b = NULL;
	int pfd[2], nul, dev, before;

	REQUIRE_SYS(pipe(pfd));
	nul = REQUIRE_SYS(open("/dev/null", O_RDWR | O_CLOEXEC));
	dev = t_dev();
	before = t_count_fds();
	CHECK_RET(shmap_buf_import(nul, &b), -ENOTTY);
	CHECK_RET(shmap_buf_import(pfd[0], &b), -ENOTTY);
	/* /dev/shmap itself is not a buffer. */
	CHECK_RET(shmap_buf_import(dev, &b), -ENOTTY);
	close(pfd[1]);
	CHECK_RET(shmap_buf_import(pfd[1], &b), -EBADF);
	CHECK_RET(shmap_buf_import(-1, &b), -EBADF);
	CHECK_RET(shmap_buf_import(100000, &b), -EBADF);
	CHECK_RET(shmap_buf_import(nul, NULL), -EINVAL);
	CHECK(b == NULL);
	CHECK_EQ(t_count_fds(), before - 1);
	close(pfd[0]);
	close(nul);
	close(dev);
}

static void buf_export_ro(void)
{
	struct shmap_dev *dev = open_dev();
	struct shmap_buf *b = create(dev, 2 * t_page(), SHMAP_BUF_LAZY, 0);
	struct shmap_buf *ro = NULL, *ro2 = NULL, *imp = NULL, *scratch = NULL;
	struct shmap_buf_info in;
	char *p, *r;
	void *x;
	unsigned int seals = 99;

	REQUIRE_RET(shmap_buf_export_ro(b, 0, &ro), 0);
	CHECK(is_cloexec(shmap_buf_fd(ro)));
	CHECK_EQ(shmap_buf_size(ro), 2 * t_page());
	CHECK_RET(shmap_buf_query(ro, &in), 0);
	CHECK_EQ(in.flags & SHMAP_BUF_INFO_READONLY, SHMAP_BUF_INFO_READONLY);
	CHECK_RET(shmap_buf_map(ro, 0, 0, PROT_READ | PROT_WRITE, &x), -EACCES);
	CHECK_RET(shmap_buf_map(ro, 0, t_page(), PROT_WRITE, &x), -EACCES);
	REQUIRE_RET(shmap_buf_map(ro, 0, 0, PROT_READ, (void **)&r), 0);
	REQUIRE_RET(shmap_buf_map(b, 0, 0, PROT_READ | PROT_WRITE, (void **)&p), 0);
	p[t_page() + 3] = 'r';
	CHECK_EQ(r[t_page() + 3], 'r');
	CHECK_ERRNO(mprotect(r, t_page(), PROT_READ | PROT_WRITE), EACCES);
	CHECK_RET(shmap_buf_seal(ro, SHMAP_BUF_SEAL_FUTURE_WRITE, &seals), -EPERM);
	CHECK_EQ(seals, 99);
	/* From a read-only handle: another read-only one. */
	REQUIRE_RET(shmap_buf_export_ro(ro, SHMAP_EXPORT_RO_NO_CLOEXEC, &ro2), 0);
	CHECK(!is_cloexec(shmap_buf_fd(ro2)));
	CHECK_RET(shmap_buf_query(ro2, &in), 0);
	CHECK_EQ(in.flags & SHMAP_BUF_INFO_READONLY, SHMAP_BUF_INFO_READONLY);
	/* An imported read-only fd stays read-only. */
	REQUIRE_RET(shmap_buf_import(shmap_buf_fd(ro2), &imp), 0);
	CHECK_RET(shmap_buf_map(imp, 0, 0, PROT_READ | PROT_WRITE, &x), -EACCES);
	CHECK_RET(shmap_buf_query(imp, &in), 0);
	CHECK_EQ(in.flags & SHMAP_BUF_INFO_READONLY, SHMAP_BUF_INFO_READONLY);
	/* Argument checks (into a scratch pointer: ro2 is still in use). */
	CHECK_RET(shmap_buf_export_ro(NULL, 0, &scratch), -EINVAL);
	CHECK_RET(shmap_buf_export_ro(b, 0, NULL), -EINVAL);
	CHECK_RET(shmap_buf_export_ro(b, 1U << 7, &scratch), -EINVAL);
	shmap_buf_unmap(p, 2 * t_page());
	shmap_buf_unmap(r, 2 * t_page());
	shmap_buf_close(imp);
	shmap_buf_close(ro2);
	shmap_buf_close(ro);
	shmap_buf_close(b);
	shmap_dev_close(dev);
}

/* Is @fd a dma-buf that shmap exported ("exp_name:\tshmap" in its fdinfo)? */
static int is_shmap_dmabuf(int fd)
{
	char what[32], *text;
	int ret;

	snprintf(what, sizeof(what), "fdinfo/%d", fd);
	text = t_proc_self(what);
	ret = text && strstr(text, "\nexp_name:\tshmap\n");
	free(text);
	return ret;
}

static int access_mode(int fd)
{
	return fcntl(fd, F_GETFL) & O_ACCMODE;
}

static uint64_t dmabuf_exports(struct shmap_buf *b)
{
	struct shmap_buf_stat st;

	memset(&st, 0xff, sizeof(st));
	CHECK_RET(shmap_buf_stat(b, &st, sizeof(st)), 0);
	return st.dmabuf_exports;
}

/* The dma-buf fd is the caller's: a dma-buf of shmap, close-on-exec, writable. */
static void buf_export_dmabuf(void)
{
	struct shmap_dev *dev = open_dev();
	struct shmap_buf *b = create(dev, 4 * t_page(), SHMAP_BUF_LAZY, 0);
	struct shmap_buf *not_buf = NULL;
	struct shmap_buf_info in;
	int fd = -5, fd2 = -5;
	char *p, *d;

	if (!shmap_dev_has_feature(dev, SHMAP_DEV_FEAT_DMABUF)) {
		CHECK_RET(shmap_buf_export_dmabuf(b, 0, &fd), -EOPNOTSUPP);
		CHECK_EQ(fd, -1);
		shmap_buf_close(b);
		shmap_dev_close(dev);
		tap_skip("no SHMAP_DEV_FEAT_DMABUF: a kernel without dma-buf");
	}
	CHECK_EQ(dmabuf_exports(b), 0);
	REQUIRE_RET(shmap_buf_export_dmabuf(b, 0, &fd), 0);
	REQUIRE_GE(fd, 0);
	CHECK(is_shmap_dmabuf(fd));
	CHECK(is_cloexec(fd));
	CHECK_EQ(access_mode(fd), O_RDWR);
	/* Not a buffer fd: the library does not take it. */
	CHECK_RET(shmap_buf_import(fd, &not_buf), -ENOTTY);
	CHECK(not_buf == NULL);
	/* A lazy buffer is allocated whole at export. */
	CHECK_RET(shmap_buf_query(b, &in), 0);
	CHECK_EQ(in.resident_pages, 4);
	CHECK_EQ(dmabuf_exports(b), 1);
	CHECK_EQ(T_STAT("dmabufs"), 1);
	/* The same pages through the dma-buf and through the buffer. */
	REQUIRE_RET(shmap_buf_map(b, 0, 0, PROT_READ | PROT_WRITE, (void **)&p), 0);
	d = T_MAP(fd, 4 * t_page(), PROT_READ | PROT_WRITE, 0);
	t_fill(d, 4 * t_page(), 81);
	CHECK_PATTERN(p, 4 * t_page(), 81);
	p[3 * t_page() + 5] = 'b';
	CHECK_EQ(d[3 * t_page() + 5], 'b');
	CHECK_SYS(munmap(d, 4 * t_page()));
	/* SHMAP_BUF_DMABUF_NO_CLOEXEC; each export counts. */
	REQUIRE_RET(shmap_buf_export_dmabuf(b, SHMAP_BUF_DMABUF_NO_CLOEXEC, &fd2), 0);
	CHECK(is_shmap_dmabuf(fd2));
	CHECK(!is_cloexec(fd2));
	CHECK_EQ(access_mode(fd2), O_RDWR);
	CHECK_EQ(dmabuf_exports(b), 2);
	CHECK_EQ(T_STAT("dmabufs"), 2);
	close(fd2);
	CHECK_EQ(dmabuf_exports(b), 1);
	/* The dma-buf keeps the buffer: its data too. */
	CHECK_RET(shmap_buf_unmap(p, 4 * t_page()), 0);
	shmap_buf_close(b);
	shmap_dev_close(dev);
	CHECK_EQ(T_STAT("buffers"), 1);
	d = T_MAP(fd, 4 * t_page(), PROT_READ, 0);
	CHECK_EQ(d[3 * t_page() + 5], 'b');
	CHECK_SYS(munmap(d, 4 * t_page()));
	close(fd);
	CHECK_EQ(T_STAT("dmabufs"), 0);
	CHECK_EQ(T_STAT("buffers"), 0);
}

/* Read-only: asked for, from a read-only handle, after FUTURE_WRITE. */
static void buf_export_dmabuf_ro(void)
{
	struct shmap_dev *dev = open_dev();
	struct shmap_buf *b = create(dev, 2 * t_page(), SHMAP_BUF_EAGER, 0);
	struct shmap_buf *ro = NULL;
	int fd = -5;
	char *d;

	if (!shmap_dev_has_feature(dev, SHMAP_DEV_FEAT_DMABUF))
		tap_skip("no SHMAP_DEV_FEAT_DMABUF: a kernel without dma-buf");
	REQUIRE_RET(shmap_buf_export_dmabuf(b, SHMAP_BUF_DMABUF_READONLY, &fd), 0);
	CHECK(is_shmap_dmabuf(fd));
	CHECK(is_cloexec(fd));
	CHECK_EQ(access_mode(fd), O_RDONLY);
	CHECK_ERRNO(mmap(NULL, t_page(), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), EACCES);
	d = T_MAP(fd, 2 * t_page(), PROT_READ, 0);
	CHECK_ERRNO(mprotect(d, t_page(), PROT_READ | PROT_WRITE), EACCES);
	CHECK_SYS(munmap(d, 2 * t_page()));
	close(fd);
	REQUIRE_RET(shmap_buf_export_dmabuf(b, SHMAP_BUF_DMABUF_READONLY |
					    SHMAP_BUF_DMABUF_NO_CLOEXEC, &fd), 0);
	CHECK(!is_cloexec(fd));
	CHECK_EQ(access_mode(fd), O_RDONLY);
	close(fd);
	/* A read-only handle gives a read-only dma-buf, unasked. */
	REQUIRE_RET(shmap_buf_export_ro(b, 0, &ro), 0);
	REQUIRE_RET(shmap_buf_export_dmabuf(ro, 0, &fd), 0);
	CHECK_EQ(access_mode(fd), O_RDONLY);
	CHECK_ERRNO(mmap(NULL, t_page(), PROT_WRITE, MAP_SHARED, fd, 0), EACCES);
	close(fd);
	/* So does a buffer sealed against future writes. */
	CHECK_RET(shmap_buf_seal(b, SHMAP_BUF_SEAL_FUTURE_WRITE, NULL), 0);
	REQUIRE_RET(shmap_buf_export_dmabuf(b, 0, &fd), 0);
	CHECK_EQ(access_mode(fd), O_RDONLY);
	CHECK_ERRNO(mmap(NULL, t_page(), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), EACCES);
	close(fd);
	CHECK_EQ(dmabuf_exports(b), 0);
	shmap_buf_close(ro);
	shmap_buf_close(b);
	shmap_dev_close(dev);
}

static void buf_export_dmabuf_args(void)
{
	struct shmap_dev *dev = open_dev();
	struct shmap_buf *b = create(dev, t_page(), SHMAP_BUF_LAZY, 0);
	int before = t_count_fds(), fd = 5, want;
	struct shmap_buf_info in;

	CHECK_RET(shmap_buf_export_dmabuf(NULL, 0, &fd), -EINVAL);
	CHECK_EQ(fd, -1);
	CHECK_RET(shmap_buf_export_dmabuf(b, 0, NULL), -EINVAL);
	CHECK_RET(shmap_buf_export_dmabuf(NULL, 0, NULL), -EINVAL);
	/*
	 * Unknown flags: the module's answer, before it allocates; a module
	 * built without dma-buf refuses every export with EOPNOTSUPP.
	 */
	want = shmap_dev_has_feature(dev, SHMAP_DEV_FEAT_DMABUF) ? -EINVAL :
								  -EOPNOTSUPP;
	fd = 5;
	CHECK_RET(shmap_buf_export_dmabuf(b, 1U << 2, &fd), want);
	CHECK_EQ(fd, -1);
	CHECK_RET(shmap_buf_export_dmabuf(b, 1U << 31, &fd), want);
	CHECK_EQ(t_count_fds(), before);
	CHECK_RET(shmap_buf_query(b, &in), 0);
	CHECK_EQ(in.resident_pages, 0);
	CHECK_EQ(dmabuf_exports(b), 0);
	shmap_buf_close(b);
	shmap_dev_close(dev);
}

static void buf_map(void)
{
	struct shmap_dev *dev = open_dev();
	struct shmap_buf *b = create(dev, 4 * t_page(), SHMAP_BUF_EAGER, 0);
	struct shmap_buf_info in;
	char *whole, *tail, *one;
	void *x = (void *)1;

	/* Length 0: from the offset to the end. */
	REQUIRE_RET(shmap_buf_map(b, 0, 0, PROT_READ | PROT_WRITE, (void **)&whole), 0);
	REQUIRE_RET(shmap_buf_map(b, 2 * t_page(), 0, PROT_READ, (void **)&tail), 0);
	REQUIRE_RET(shmap_buf_map(b, t_page(), t_page(), PROT_READ, (void **)&one), 0);
	t_fill(whole, 4 * t_page(), 71);
	CHECK_PATTERN(whole, 4 * t_page(), 71);
	CHECK(!memcmp(tail, whole + 2 * t_page(), 2 * t_page()));
	CHECK(!memcmp(one, whole + t_page(), t_page()));
	CHECK_RET(shmap_buf_query(b, &in), 0);
	CHECK_EQ(in.mappings, 3);
	/* The tail mapping is exactly two pages: a third is not mapped. */
	CHECK_RET(shmap_buf_unmap(tail, 2 * t_page()), 0);
	CHECK_RET(shmap_buf_unmap(one, t_page()), 0);
	CHECK_RET(shmap_buf_query(b, &in), 0);
	CHECK_EQ(in.mappings, 1);
	/* Errors. */
	CHECK_RET(shmap_buf_map(b, 1, 0, PROT_READ, &x), -EINVAL);
	CHECK_RET(shmap_buf_map(b, t_page() / 2, t_page(), PROT_READ, &x), -EINVAL);
	CHECK_RET(shmap_buf_map(b, 4 * t_page(), 0, PROT_READ, &x), -EINVAL);
	CHECK_RET(shmap_buf_map(b, 4 * t_page(), t_page(), PROT_READ, &x), -EINVAL);
	CHECK_RET(shmap_buf_map(b, 1ULL << 62, 0, PROT_READ, &x), -EINVAL);
	CHECK_RET(shmap_buf_map(NULL, 0, 0, PROT_READ, &x), -EINVAL);
	CHECK_RET(shmap_buf_map(b, 0, 0, PROT_READ, NULL), -EINVAL);
	CHECK(x == (void *)1);
	CHECK_RET(shmap_buf_unmap((char *)whole + 1, t_page()), -EINVAL);
	CHECK_RET(shmap_buf_unmap(whole, 4 * t_page()), 0);
	CHECK_RET(shmap_buf_query(b, &in), 0);
	CHECK_EQ(in.mappings, 0);
	shmap_buf_close(b);
	shmap_dev_close(dev);
}

static void buf_map_after_close(void)
{
	struct shmap_dev *dev = open_dev();
	struct shmap_buf *b = create(dev, 2 * t_page(), SHMAP_BUF_LAZY, 0);
	char *p;

	REQUIRE_RET(shmap_buf_map(b, 0, 0, PROT_READ | PROT_WRITE, (void **)&p), 0);
	shmap_buf_close(b);
	shmap_dev_close(dev);
	/* Mappings stay valid after the handles are closed. */
	t_fill(p, 2 * t_page(), 72);
	CHECK_PATTERN(p, 2 * t_page(), 72);
	CHECK_EQ(T_STAT("buffers"), 1);
	CHECK_RET(shmap_buf_unmap(p, 2 * t_page()), 0);
	CHECK_EQ(T_STAT("buffers"), 0);
}

static void buf_info(void)
{
	struct shmap_dev *dev = open_dev();
	struct shmap_buf *b = create(dev, 8 * t_page(), SHMAP_BUF_LAZY, 0);
	struct shmap_buf_info in;
	struct stat st;
	char *p;

	memset(&in, 0xff, sizeof(in));
	CHECK_RET(shmap_buf_query(b, &in), 0);
	CHECK_EQ(in.size, 8 * t_page());
	CHECK_EQ(in.mode, SHMAP_BUF_LAZY);
	CHECK_EQ(in.seals, 0);
	CHECK_EQ(in.flags, 0);
	CHECK_EQ(in.mappings, 0);
	CHECK_EQ(in.resident_pages, 0);
	CHECK_EQ(in.reserved_pages, 8);
	REQUIRE_SYS(fstat(shmap_buf_fd(b), &st));
	CHECK_EQ(in.ino, st.st_ino);
	REQUIRE_RET(shmap_buf_map(b, 0, 0, PROT_READ | PROT_WRITE, (void **)&p), 0);
	p[0] = 1;
	p[5 * t_page()] = 1;
	CHECK_RET(shmap_buf_query(b, &in), 0);
	CHECK_EQ(in.resident_pages, 2);
	CHECK_EQ(in.mappings, 1);
	CHECK_RET(shmap_buf_query(NULL, &in), -EINVAL);
	CHECK_RET(shmap_buf_query(b, NULL), -EINVAL);
	shmap_buf_unmap(p, 8 * t_page());
	shmap_buf_close(b);
	shmap_dev_close(dev);
}

static void buf_stat(void)
{
	struct shmap_dev *dev = open_dev();
	struct shmap_buf *b = create(dev, 4 * t_page(), SHMAP_BUF_LAZY, 0);
	struct {
		struct shmap_buf_stat st;
		unsigned char later[24];	/* a newer caller's fields */
	} big;
	struct shmap_buf_stat st;
	struct shmap_buf_info in;
	size_t i;
	char *p;

	REQUIRE_RET(shmap_buf_map(b, 0, 0, PROT_READ | PROT_WRITE, (void **)&p), 0);
	p[t_page()] = 1;
	memset(&st, 0xff, sizeof(st));
	CHECK_RET(shmap_buf_stat(b, &st, sizeof(st)), 0);
	CHECK_RET(shmap_buf_query(b, &in), 0);
	/* shmap_buf_query() reports the same fields. */
	CHECK(!memcmp(&in, &st, sizeof(in)));
	CHECK_EQ(st.size, 4 * t_page());
	CHECK_EQ(st.mode, SHMAP_BUF_LAZY);
	CHECK_EQ(st.resident_pages, 1);
	CHECK_EQ(st.reserved_pages, 4);
	CHECK_EQ(st.mappings, 1);
	CHECK_EQ(st.huge_folios, 0);
	CHECK_EQ(st.dmabuf_exports, 0);
	/* The size of 0.3's struct is the smallest; bigger ones get zeros. */
	CHECK_EQ(sizeof(st), SHMAP_BUF_STAT_SIZE_0_3);
	CHECK_EQ(SHMAP_BUF_STAT_SIZE_0_3, 64);
	memset(&big, 0xa5, sizeof(big));
	CHECK_RET(shmap_buf_stat(b, &big.st, sizeof(big)), 0);
	CHECK(!memcmp(&big.st, &st, sizeof(st)));
	for (i = 0; i < sizeof(big.later); i++)
		CHECK_EQ(big.later[i], 0);
	memset(&big, 0xa5, sizeof(big));
	CHECK_RET(shmap_buf_stat(b, &big.st, SHMAP_BUF_STAT_SIZE_0_3 - 8), -EINVAL);
	CHECK_RET(shmap_buf_stat(b, &big.st, 0), -EINVAL);
	CHECK_EQ(big.st.size, 0xa5a5a5a5a5a5a5a5ULL);
	CHECK_RET(shmap_buf_stat(NULL, &st, sizeof(st)), -EINVAL);
	CHECK_RET(shmap_buf_stat(b, NULL, sizeof(st)), -EINVAL);
	shmap_buf_unmap(p, 4 * t_page());
	shmap_buf_close(b);
	shmap_dev_close(dev);
}

static void buf_query_compat(void)
{
	struct shmap_dev *dev = open_dev();
	struct shmap_buf *b = create(dev, 3 * t_page(), SHMAP_BUF_EAGER, 0);
	struct shmap_buf_info q, old;

	/* The 0.1 symbol answers exactly as shmap_buf_query(). */
	memset(&q, 0xa5, sizeof(q));
	memset(&old, 0x5a, sizeof(old));
	CHECK_RET(shmap_buf_query(b, &q), 0);
	CHECK_RET(shmap_buf_info(b, &old), 0);
	CHECK(!memcmp(&q, &old, sizeof(q)));
	CHECK_EQ(old.size, 3 * t_page());
	CHECK_EQ(old.resident_pages, 3);
	CHECK_RET(shmap_buf_info(NULL, &old), -EINVAL);
	CHECK_RET(shmap_buf_info(b, NULL), -EINVAL);
	shmap_buf_close(b);
	shmap_dev_close(dev);
}

static void buf_map_range(void)
{
	struct shmap_dev *dev = open_dev();
	struct shmap_buf *b = create(dev, 4 * t_page(), SHMAP_BUF_LAZY, 0);
	size_t len;
	char *p = NULL;

	/* 0: to the end; the length mapped comes back for shmap_buf_unmap(). */
	len = 0;
	REQUIRE_RET(shmap_buf_map_range(b, 0, &len, PROT_READ | PROT_WRITE, (void **)&p), 0);
	CHECK_EQ(len, 4 * t_page());
	p[len - 1] = 1;
	CHECK_RET(shmap_buf_unmap(p, len), 0);
	len = 0;
	REQUIRE_RET(shmap_buf_map_range(b, t_page(), &len, PROT_READ, (void **)&p), 0);
	CHECK_EQ(len, 3 * t_page());
	CHECK_EQ(p[len - 1], 1);
	CHECK_RET(shmap_buf_unmap(p, len), 0);
	/* An explicit length is mapped as given (and may run past the end). */
	len = 2 * t_page();
	REQUIRE_RET(shmap_buf_map_range(b, 0, &len, PROT_READ, (void **)&p), 0);
	CHECK_EQ(len, 2 * t_page());
	CHECK_RET(shmap_buf_unmap(p, len), 0);
	len = 8 * t_page();
	REQUIRE_RET(shmap_buf_map_range(b, 0, &len, PROT_READ, (void **)&p), 0);
	CHECK_EQ(len, 8 * t_page());
	CHECK_RET(shmap_buf_unmap(p, len), 0);
	/* Failures leave *lengthp alone. */
	len = 0;
	CHECK_RET(shmap_buf_map_range(b, 4 * t_page(), &len, PROT_READ, (void **)&p), -EINVAL);
	CHECK_EQ(len, 0);
	len = 0;
	CHECK_RET(shmap_buf_map_range(b, 1, &len, PROT_READ, (void **)&p), -EINVAL);
	CHECK_EQ(len, 0);
	CHECK_RET(shmap_buf_map_range(b, 0, NULL, PROT_READ, (void **)&p), -EINVAL);
	CHECK_RET(shmap_buf_map_range(NULL, 0, &len, PROT_READ, (void **)&p), -EINVAL);
	CHECK_RET(shmap_buf_map_range(b, 0, &len, PROT_READ, NULL), -EINVAL);
	CHECK_RET(shmap_buf_map_range(b, 0, &len, PROT_READ | PROT_EXEC, (void **)&p), -EPERM);
	CHECK_EQ(len, 0);
	CHECK_EQ(T_STAT("buffers"), 1);
	shmap_buf_close(b);
	shmap_dev_close(dev);
}

static void name_is(struct shmap_dev *dev, const char *name, const char *want)
{
	struct shmap_buf *b = NULL, *ro = NULL, *imp = NULL;
	char got[SHMAP_BUF_NAME_MAX];
	size_t n = strlen(want);

	REQUIRE_RET(shmap_buf_create(dev, t_page(), SHMAP_BUF_LAZY, name, 0, &b), 0);
	memset(got, 'x', sizeof(got));
	CHECK_RET(shmap_buf_name(b, got, sizeof(got)), 0);
	CHECK(!strcmp(got, want));
	/* Exactly the name and its NUL is enough; one byte less is -ERANGE. */
	memset(got, 'x', sizeof(got));
	CHECK_RET(shmap_buf_name(b, got, n + 1), 0);
	CHECK(!strcmp(got, want));
	if (n) {
		memset(got, 'x', sizeof(got));
		CHECK_RET(shmap_buf_name(b, got, n), -ERANGE);
		CHECK_EQ(got[0], 'x');
	}
	/* Every handle on the buffer has the name. */
	REQUIRE_RET(shmap_buf_export_ro(b, 0, &ro), 0);
	CHECK_RET(shmap_buf_name(ro, got, sizeof(got)), 0);
	CHECK(!strcmp(got, want));
	REQUIRE_RET(shmap_buf_import(shmap_buf_fd(ro), &imp), 0);
	CHECK_RET(shmap_buf_name(imp, got, sizeof(got)), 0);
	CHECK(!strcmp(got, want));
	shmap_buf_close(imp);
	shmap_buf_close(ro);
	shmap_buf_close(b);
}

static void buf_name(void)
{
	struct shmap_dev *dev = open_dev();
	char longest[SHMAP_BUF_NAME_MAX];
	char got[SHMAP_BUF_NAME_MAX];
	struct shmap_buf *b;

	memset(longest, 'n', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	name_is(dev, "frames", "frames");
	name_is(dev, "a b:c\\d", "a b:c\\d");
	name_is(dev, longest, longest);
	name_is(dev, "", "");
	name_is(dev, NULL, "");

	b = create(dev, t_page(), SHMAP_BUF_EAGER, 0);
	CHECK_RET(shmap_buf_name(b, got, 0), -EINVAL);
	CHECK_RET(shmap_buf_name(b, NULL, sizeof(got)), -EINVAL);
	CHECK_RET(shmap_buf_name(NULL, got, sizeof(got)), -EINVAL);
	shmap_buf_close(b);
	shmap_dev_close(dev);
}

/* In a child with /proc unmounted in its own mount namespace: -ENOENT. */
static void name_without_proc_child(void *arg)
{
	struct shmap_buf *b = arg;
	char got[SHMAP_BUF_NAME_MAX];

	if (unshare(CLONE_NEWNS) < 0) {
		/* Not root: nothing to check, and that is no failure. */
		REQUIRE(errno == EPERM);
		return;
	}
	REQUIRE_SYS(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	REQUIRE_SYS(umount2("/proc", MNT_DETACH));
	CHECK_RET(shmap_buf_name(b, got, sizeof(got)), -ENOENT);
}

static void buf_name_without_proc(void)
{
	struct shmap_dev *dev = open_dev();
	struct shmap_buf *b = NULL;

	REQUIRE_RET(shmap_buf_create(dev, t_page(), SHMAP_BUF_LAZY, "noproc", 0, &b), 0);
	CHECK_LIVES(name_without_proc_child, b);
	shmap_buf_close(b);
	shmap_dev_close(dev);
}

static void buf_seal(void)
{
	struct shmap_dev *dev = open_dev();
	struct shmap_buf *b = create(dev, 2 * t_page(), SHMAP_BUF_EAGER, 0);
	struct shmap_buf_info in;
	unsigned int seals = 99;
	char *w, *r;
	void *x;

	REQUIRE_RET(shmap_buf_map(b, 0, 0, PROT_READ | PROT_WRITE, (void **)&w), 0);
	CHECK_RET(shmap_buf_seal(b, 0, &seals), 0);
	CHECK_EQ(seals, 0);
	CHECK_RET(shmap_buf_seal(b, 1U << 4, &seals), -EINVAL);
	CHECK_RET(shmap_buf_seal(NULL, SHMAP_BUF_SEAL_SEAL, &seals), -EINVAL);
	CHECK_RET(shmap_buf_seal(b, SHMAP_BUF_SEAL_FUTURE_WRITE, NULL), 0);
	CHECK_RET(shmap_buf_seal(b, 0, &seals), 0);
	CHECK_EQ(seals, SHMAP_BUF_SEAL_FUTURE_WRITE);
	CHECK_RET(shmap_buf_map(b, 0, 0, PROT_READ | PROT_WRITE, &x), -EPERM);
	REQUIRE_RET(shmap_buf_map(b, 0, 0, PROT_READ, (void **)&r), 0);
	CHECK_ERRNO(mprotect(r, t_page(), PROT_READ | PROT_WRITE), EACCES);
	w[1] = 'w';
	CHECK_EQ(r[1], 'w');
	CHECK_RET(shmap_buf_seal(b, SHMAP_BUF_SEAL_SEAL, &seals), 0);
	CHECK_EQ(seals, SHMAP_BUF_SEAL_FUTURE_WRITE | SHMAP_BUF_SEAL_SEAL);
	CHECK_RET(shmap_buf_seal(b, SHMAP_BUF_SEAL_FUTURE_WRITE, &seals), -EPERM);
	CHECK_RET(shmap_buf_query(b, &in), 0);
	CHECK_EQ(in.seals, SHMAP_BUF_SEAL_FUTURE_WRITE | SHMAP_BUF_SEAL_SEAL);
	shmap_buf_unmap(w, 2 * t_page());
	shmap_buf_unmap(r, 2 * t_page());
	shmap_buf_close(b);
	shmap_dev_close(dev);
}

static void send_recv(void)
{
	struct shmap_dev *dev = open_dev();
	struct shmap_buf *b = create(dev, 2 * t_page(), SHMAP_BUF_LAZY, 0);
	struct shmap_buf *got = NULL;
	char *p, *q;
	int sv[2];

	REQUIRE_SYS(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	REQUIRE_RET(shmap_buf_map(b, 0, 0, PROT_READ | PROT_WRITE, (void **)&p), 0);
	strcpy(p, "sent");
	CHECK_RET(shmap_buf_send(sv[0], b), 0);
	REQUIRE_RET(shmap_buf_recv(sv[1], &got), 0);
	CHECK(is_cloexec(shmap_buf_fd(got)));
	CHECK_EQ(shmap_buf_size(got), 2 * t_page());
	REQUIRE_RET(shmap_buf_map(got, 0, 0, PROT_READ | PROT_WRITE, (void **)&q), 0);
	CHECK(!strcmp(q, "sent"));
	strcpy(q + 10, "back");
	CHECK(!strcmp(p + 10, "back"));
	/* Read-only handles travel read-only. */
	{
		struct shmap_buf *ro = NULL, *rgot = NULL;
		struct shmap_buf_info in;
		void *x;

		REQUIRE_RET(shmap_buf_export_ro(b, 0, &ro), 0);
		CHECK_RET(shmap_buf_send(sv[1], ro), 0);
		REQUIRE_RET(shmap_buf_recv(sv[0], &rgot), 0);
		CHECK_RET(shmap_buf_query(rgot, &in), 0);
		CHECK_EQ(in.flags & SHMAP_BUF_INFO_READONLY, SHMAP_BUF_INFO_READONLY);
		CHECK_RET(shmap_buf_map(rgot, 0, 0, PROT_READ | PROT_WRITE, &x), -EACCES);
		shmap_buf_close(rgot);
		shmap_buf_close(ro);
	}
	/* Argument checks. */
	CHECK_RET(shmap_buf_send(sv[0], NULL), -EINVAL);
	CHECK_RET(shmap_buf_recv(sv[1], NULL), -EINVAL);
	CHECK_RET(shmap_buf_send(-1, b), -EBADF);
	shmap_buf_unmap(p, 2 * t_page());
	shmap_buf_unmap(q, 2 * t_page());
	shmap_buf_close(got);
	shmap_buf_close(b);
	shmap_dev_close(dev);
	close(sv[0]);
	close(sv[1]);
}

static void recv_closed_peer(void)
{
	struct shmap_buf *got = NULL;
	int sv[2];

	REQUIRE_SYS(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	close(sv[0]);
	CHECK_RET(shmap_buf_recv(sv[1], &got), -ECONNRESET);
	CHECK(got == NULL);
	close(sv[1]);
	/* Datagram sockets too. */
	REQUIRE_SYS(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv));
	close(sv[0]);
	CHECK_RET(shmap_buf_recv(sv[1], &got), -ECONNRESET);
	close(sv[1]);
}

static void recv_no_fd(void)
{
	struct shmap_buf *got = NULL;
	int sv[2];
	char c = 'x';

	REQUIRE_SYS(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	REQUIRE_EQ(write(sv[0], &c, 1), 1);
	CHECK_RET(shmap_buf_recv(sv[1], &got), -EBADMSG);
	CHECK(got == NULL);
	close(sv[0]);
	close(sv[1]);
}

/* A pipe fd sent by hand: refused, and closed (no fd leak). */
static void recv_not_shmap(void)
{
	struct shmap_buf *got = NULL;
	int sv[2], pfd[2], before;

	REQUIRE_SYS(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	REQUIRE_SYS(pipe2(pfd, O_CLOEXEC));
	REQUIRE_RET(t_send_fd(sv[0], pfd[0]), 0);
	close(pfd[0]);
	close(pfd[1]);
	before = t_count_fds();
	CHECK_RET(shmap_buf_recv(sv[1], &got), -ENOTTY);
	CHECK(got == NULL);
	CHECK_EQ(t_count_fds(), before);
	close(sv[0]);
	close(sv[1]);
}

struct thr {
	struct shmap_dev *dev;
	int failures;
};

static void *create_thread(void *arg)
{
	struct thr *t = arg;
	int i;

	for (i = 0; i < 25; i++) {
		struct shmap_buf *b = NULL;
		struct shmap_buf_info in;
		char *p;

		if (shmap_buf_create(t->dev, 2 * t_page(), SHMAP_BUF_LAZY, "thr", 0, &b) ||
		    shmap_buf_map(b, 0, 0, PROT_READ | PROT_WRITE, (void **)&p)) {
			t->failures++;
			shmap_buf_close(b);
			continue;
		}
		p[t_page()] = 1;
		if (shmap_buf_query(b, &in) || in.resident_pages != 1)
			t->failures++;
		shmap_buf_unmap(p, 2 * t_page());
		shmap_buf_close(b);
	}
	return NULL;
}

static void threads(void)
{
	enum { N = 4 };
	struct shmap_dev *dev = open_dev();
	struct thr t[N];
	pthread_t th[N];
	int i;

	for (i = 0; i < N; i++) {
		t[i] = (struct thr){ .dev = dev };
		REQUIRE_EQ(pthread_create(&th[i], NULL, create_thread, &t[i]), 0);
	}
	for (i = 0; i < N; i++) {
		pthread_join(th[i], NULL);
		CHECK_EQ(t[i].failures, 0);
	}
	CHECK_EQ(T_STAT("buffers"), 0);
	shmap_dev_close(dev);
}

static void error_then_success(void)
{
	struct shmap_dev *dev = open_dev();
	struct shmap_buf *b = NULL;

	/* A failed call leaves the handle usable for the next one. */
	CHECK_RET(shmap_buf_create(dev, 0, SHMAP_BUF_LAZY, NULL, 0, &b), -EINVAL);
	CHECK_RET(shmap_buf_create(dev, UINT64_MAX, SHMAP_BUF_EAGER, NULL, 0, &b), -EFBIG);
	REQUIRE_RET(shmap_buf_create(dev, t_page(), SHMAP_BUF_LAZY, NULL, 0, &b), 0);
	CHECK_EQ(shmap_buf_size(b), t_page());
	shmap_buf_close(b);
	shmap_dev_close(dev);
}

static const struct tap_case cases[] = {
	TAP_CASE(dev_open),
	TAP_CASE(dev_open_args),
	TAP_CASE(close_null),
	TAP_CASE(limits),
	TAP_CASE(buf_create),
	TAP_CASE(buf_create_errors),
	TAP_CASE(buf_import),
	TAP_CASE(buf_import_errors),
	TAP_CASE(buf_export_ro),
	TAP_CASE(buf_export_dmabuf),
	TAP_CASE(buf_export_dmabuf_ro),
	TAP_CASE(buf_export_dmabuf_args),
	TAP_CASE(buf_map),
	TAP_CASE(buf_map_after_close),
	TAP_CASE(buf_info),
	TAP_CASE(buf_stat),
	TAP_CASE(buf_query_compat),
	TAP_CASE(buf_map_range),
	TAP_CASE(buf_name),
	TAP_CASE(buf_name_without_proc),
	TAP_CASE(buf_seal),
	TAP_CASE(send_recv),
	TAP_CASE(recv_closed_peer),
	TAP_CASE(recv_no_fd),
	TAP_CASE(recv_not_shmap),
	TAP_CASE_T(threads, 120),
	TAP_CASE(error_then_success),
};

TAP_MAIN("lib", cases)
