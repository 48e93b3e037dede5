// SPDX-License-Identifier: GPL-2.0
/*
 * abi: the ioctl ABI of /dev/shmap and of buffer fds: struct layouts,
 * VERSION, ENOTTY for foreign commands, EINVAL for non-zero reserved
 * fields and flags, EFAULT for bad pointers (leaving no fd and no buffer
 * behind), no mmap on the device.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <termios.h>

#include "tshmap.h"

/* The layouts are the ABI: identical for 32- and 64-bit user space. */
#define PIN(type, field, off)						\
	_Static_assert(offsetof(struct type, field) == (off),		\
		       #type "." #field " moved")
#define PIN_SIZE(type, size)						\
	_Static_assert(sizeof(struct type) == (size) && (size) % 8 == 0, \
		       #type " size")

PIN_SIZE(shmap_version, 64);
PIN(shmap_version, abi_version, 0);
PIN(shmap_version, flags, 4);
PIN(shmap_version, features, 8);
PIN(shmap_version, max_buffer_size, 16);
PIN(shmap_version, max_total_size, 24);
PIN(shmap_version, reserved, 32);

PIN_SIZE(shmap_create, 64);
PIN(shmap_create, size, 0);
PIN(shmap_create, name, 8);
PIN(shmap_create, mode, 16);
PIN(shmap_create, flags, 20);
PIN(shmap_create, fd, 24);
PIN(shmap_create, pad, 28);
PIN(shmap_create, reserved, 32);

PIN_SIZE(shmap_info, 80);
PIN(shmap_info, size, 0);
PIN(shmap_info, mode, 8);
PIN(shmap_info, seals, 12);
PIN(shmap_info, flags, 16);
PIN(shmap_info, mappings, 20);
PIN(shmap_info, resident_pages, 24);
PIN(shmap_info, reserved_pages, 32);
PIN(shmap_info, ino, 40);
PIN(shmap_info, huge_folios, 48);
PIN(shmap_info, dmabuf_exports, 56);
PIN(shmap_info, reserved, 64);

PIN_SIZE(shmap_export, 24);
PIN(shmap_export, flags, 0);
PIN(shmap_export, fd, 4);
PIN(shmap_export, reserved, 8);

PIN_SIZE(shmap_dmabuf, 24);
PIN(shmap_dmabuf, flags, 0);
PIN(shmap_dmabuf, fd, 4);
PIN(shmap_dmabuf, reserved, 8);

PIN_SIZE(shmap_seal, 24);
PIN(shmap_seal, seals, 0);
PIN(shmap_seal, flags, 4);
PIN(shmap_seal, reserved, 8);

#define CHECK_OFF(type, field, off)	CHECK_EQ(offsetof(struct type, field), off)
#define CHECK_FSIZE(type, field, sz)	CHECK_EQ(sizeof(((struct type *)0)->field), sz)

static void layout(void)
{
	CHECK_EQ(sizeof(struct shmap_version), 64);
	CHECK_OFF(shmap_version, abi_version, 0);
	CHECK_OFF(shmap_version, flags, 4);
	CHECK_OFF(shmap_version, features, 8);
	CHECK_OFF(shmap_version, max_buffer_size, 16);
	CHECK_OFF(shmap_version, max_total_size, 24);
	CHECK_OFF(shmap_version, reserved, 32);
	CHECK_FSIZE(shmap_version, reserved, 32);

	CHECK_EQ(sizeof(struct shmap_create), 64);
	CHECK_OFF(shmap_create, size, 0);
	CHECK_OFF(shmap_create, name, 8);
	CHECK_FSIZE(shmap_create, name, 8);
	CHECK_OFF(shmap_create, mode, 16);
	CHECK_OFF(shmap_create, flags, 20);
	CHECK_OFF(shmap_create, fd, 24);
	CHECK_OFF(shmap_create, pad, 28);
	CHECK_OFF(shmap_create, reserved, 32);
	CHECK_FSIZE(shmap_create, reserved, 32);

	CHECK_EQ(sizeof(struct shmap_info), 80);
	CHECK_OFF(shmap_info, size, 0);
	CHECK_OFF(shmap_info, mode, 8);
	CHECK_OFF(shmap_info, seals, 12);
	CHECK_OFF(shmap_info, flags, 16);
	CHECK_OFF(shmap_info, mappings, 20);
	CHECK_OFF(shmap_info, resident_pages, 24);
	CHECK_OFF(shmap_info, reserved_pages, 32);
	CHECK_OFF(shmap_info, ino, 40);
	CHECK_OFF(shmap_info, huge_folios, 48);
	CHECK_OFF(shmap_info, dmabuf_exports, 56);
	CHECK_OFF(shmap_info, reserved, 64);
	CHECK_FSIZE(shmap_info, reserved, 16);

	CHECK_EQ(sizeof(struct shmap_export), 24);
	CHECK_OFF(shmap_export, flags, 0);
	CHECK_OFF(shmap_export, fd, 4);
	CHECK_OFF(shmap_export, reserved, 8);
	CHECK_FSIZE(shmap_export, reserved, 16);

	CHECK_EQ(sizeof(struct shmap_dmabuf), 24);
	CHECK_OFF(shmap_dmabuf, flags, 0);
	CHECK_OFF(shmap_dmabuf, fd, 4);
	CHECK_OFF(shmap_dmabuf, reserved, 8);
	CHECK_FSIZE(shmap_dmabuf, reserved, 16);

	CHECK_EQ(sizeof(struct shmap_seal), 24);
	CHECK_OFF(shmap_seal, seals, 0);
	CHECK_OFF(shmap_seal, flags, 4);
	CHECK_OFF(shmap_seal, reserved, 8);
	CHECK_FSIZE(shmap_seal, reserved, 16);

	CHECK_EQ(sizeof(struct shmap_version) % 8, 0);
	CHECK_EQ(sizeof(struct shmap_create) % 8, 0);
	CHECK_EQ(sizeof(struct shmap_info) % 8, 0);
	CHECK_EQ(sizeof(struct shmap_export) % 8, 0);
	CHECK_EQ(sizeof(struct shmap_seal) % 8, 0);
	CHECK_EQ(sizeof(struct shmap_dmabuf) % 8, 0);
}

static void ioctl_numbers(void)
{
	static const struct {
		unsigned long cmd;
		unsigned int nr, size;
	} cmds[] = {
		{ SHMAP_IOC_VERSION, 0x00, sizeof(struct shmap_version) },
		{ SHMAP_IOC_CREATE, 0x01, sizeof(struct shmap_create) },
		{ SHMAP_IOC_INFO, 0x10, sizeof(struct shmap_info) },
		{ SHMAP_IOC_EXPORT_RO, 0x11, sizeof(struct shmap_export) },
		{ SHMAP_IOC_SEAL, 0x12, sizeof(struct shmap_seal) },
		{ SHMAP_IOC_EXPORT_DMABUF, 0x13, sizeof(struct shmap_dmabuf) },
	};
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		CHECK_EQ(_IOC_TYPE(cmds[i].cmd), 0xBE);
		CHECK_EQ(_IOC_NR(cmds[i].cmd), cmds[i].nr);
		CHECK_EQ(_IOC_SIZE(cmds[i].cmd), cmds[i].size);
		CHECK_EQ(_IOC_DIR(cmds[i].cmd), _IOC_READ | _IOC_WRITE);
	}
}

static void version(void)
{
	struct shmap_version v;
	int dev = t_dev();
	uint64_t want = SHMAP_FEAT_EAGER | SHMAP_FEAT_LAZY |
		SHMAP_FEAT_NORESERVE | SHMAP_FEAT_EXPORT_RO | SHMAP_FEAT_SEAL |
		SHMAP_FEAT_NAME;
	int i;

	memset(&v, 0, sizeof(v));
	REQUIRE_SYS(ioctl(dev, SHMAP_IOC_VERSION, &v));
	CHECK_EQ(v.abi_version, SHMAP_ABI_VERSION);
	CHECK_EQ(v.abi_version, 1);
	CHECK_EQ(v.features & want, want);
	CHECK_EQ(v.flags, 0);
	for (i = 0; i < 4; i++)
		CHECK_EQ(v.reserved[i], 0);
	CHECK_EQ(v.max_buffer_size, T_PARAM("max_buffer_mb") * T_MIB);
	CHECK_EQ(v.max_total_size, T_PARAM("max_total_mb") * T_MIB);
	close(dev);
}

/* Commands that belong to nobody, in the shmap magic and elsewhere. */
static void check_foreign_cmds(int fd)
{
	char arg[256];

	memset(arg, 0, sizeof(arg));
	CHECK_ERRNO(ioctl(fd, _IOWR(SHMAP_IOC_MAGIC, 0x7f, struct shmap_info), arg), ENOTTY);
	CHECK_ERRNO(ioctl(fd, _IOWR(SHMAP_IOC_MAGIC, 0x02, struct shmap_create), arg), ENOTTY);
	CHECK_ERRNO(ioctl(fd, _IOWR(SHMAP_IOC_MAGIC, 0x14, struct shmap_seal), arg), ENOTTY);
	/* Right number, wrong size or direction: a different command. */
	CHECK_ERRNO(ioctl(fd, _IOWR(SHMAP_IOC_MAGIC, 0x00, __u64), arg), ENOTTY);
	CHECK_ERRNO(ioctl(fd, _IOR(SHMAP_IOC_MAGIC, 0x10, struct shmap_info), arg), ENOTTY);
	CHECK_ERRNO(ioctl(fd, _IO(SHMAP_IOC_MAGIC, 0x01), arg), ENOTTY);
	CHECK_ERRNO(ioctl(fd, _IOWR('x', 0x01, struct shmap_create), arg), ENOTTY);
	CHECK_ERRNO(ioctl(fd, TCGETS, arg), ENOTTY);
}

static void unknown_ioctl_dev(void)
{
	int dev = t_dev();

	check_foreign_cmds(dev);
	close(dev);
}

static void unknown_ioctl_buf(void)
{
	int dev = t_dev();
	int fd = T_CREATE(dev, t_page(), SHMAP_MODE_LAZY, 0, NULL);

	check_foreign_cmds(fd);
	close(fd);
	close(dev);
}

static void dev_ioctl_on_buf(void)
{
	int dev = t_dev();
	int fd = T_CREATE(dev, t_page(), SHMAP_MODE_LAZY, 0, NULL);
	struct shmap_version v;
	struct shmap_create c;

	memset(&v, 0, sizeof(v));
	memset(&c, 0, sizeof(c));
	c.size = t_page();
	c.mode = SHMAP_MODE_LAZY;
	CHECK_ERRNO(ioctl(fd, SHMAP_IOC_VERSION, &v), ENOTTY);
	CHECK_ERRNO(ioctl(fd, SHMAP_IOC_CREATE, &c), ENOTTY);
	close(fd);
	close(dev);
}

static void buf_ioctl_on_dev(void)
{
	int dev = t_dev();
	struct shmap_info i;
	struct shmap_export e;
	struct shmap_dmabuf d;
	struct shmap_seal s;

	memset(&i, 0, sizeof(i));
	memset(&e, 0, sizeof(e));
	memset(&s, 0, sizeof(s));
	memset(&d, 0, sizeof(d));
	CHECK_ERRNO(ioctl(dev, SHMAP_IOC_INFO, &i), ENOTTY);
	CHECK_ERRNO(ioctl(dev, SHMAP_IOC_EXPORT_RO, &e), ENOTTY);
	CHECK_ERRNO(ioctl(dev, SHMAP_IOC_SEAL, &s), ENOTTY);
	CHECK_ERRNO(ioctl(dev, SHMAP_IOC_EXPORT_DMABUF, &d), ENOTTY);
	close(dev);
}

static void version_nonzero_in(void)
{
	struct shmap_version v;
	int dev = t_dev(), i;

	memset(&v, 0, sizeof(v));
	v.flags = 1;
	CHECK_ERRNO(ioctl(dev, SHMAP_IOC_VERSION, &v), EINVAL);
	v.flags = 0x80000000u;
	CHECK_ERRNO(ioctl(dev, SHMAP_IOC_VERSION, &v), EINVAL);
	for (i = 0; i < 4; i++) {
		memset(&v, 0, sizeof(v));
		v.reserved[i] = 1ULL << (i * 16);
		CHECK_ERRNO(ioctl(dev, SHMAP_IOC_VERSION, &v), EINVAL);
	}
	close(dev);
}

static void create_nonzero_in(void)
{
	struct shmap_create c;
	int dev = t_dev(), i;

	memset(&c, 0, sizeof(c));
	c.size = t_page();
	c.mode = SHMAP_MODE_LAZY;
	c.pad = 1;
	CHECK_ERRNO(ioctl(dev, SHMAP_IOC_CREATE, &c), EINVAL);
	for (i = 0; i < 4; i++) {
		memset(&c, 0, sizeof(c));
		c.size = t_page();
		c.mode = SHMAP_MODE_LAZY;
		c.reserved[i] = 1ULL << 63;
		CHECK_ERRNO(ioctl(dev, SHMAP_IOC_CREATE, &c), EINVAL);
	}
	memset(&c, 0, sizeof(c));
	c.size = t_page();
	c.mode = SHMAP_MODE_LAZY;
	c.flags = 1U << 31;
	CHECK_ERRNO(ioctl(dev, SHMAP_IOC_CREATE, &c), EINVAL);
	/* Nothing was created by the failed calls. */
	CHECK_EQ(T_STAT("buffers"), 0);
	close(dev);
}

static void info_nonzero_in(void)
{
	int dev = t_dev();
	int fd = T_CREATE(dev, t_page(), SHMAP_MODE_LAZY, 0, NULL);
	struct shmap_info in;
	int i;

	memset(&in, 0, sizeof(in));
	in.flags = 1;
	CHECK_ERRNO(ioctl(fd, SHMAP_IOC_INFO, &in), EINVAL);
	for (i = 0; i < (int)(sizeof(in.reserved) / sizeof(in.reserved[0]));
	     i++) {
		memset(&in, 0, sizeof(in));
		in.reserved[i] = 2;
		CHECK_ERRNO(ioctl(fd, SHMAP_IOC_INFO, &in), EINVAL);
	}
	/* Output-only fields may hold anything on input. */
	memset(&in, 0, sizeof(in));
	in.size = 12345;
	in.mappings = 7;
	in.ino = 99;
	in.huge_folios = 5;
	in.dmabuf_exports = 6;
	CHECK_SYS(ioctl(fd, SHMAP_IOC_INFO, &in));
	CHECK_EQ(in.huge_folios, 0);
	CHECK_EQ(in.dmabuf_exports, 0);
	CHECK_EQ(in.size, t_page());
	close(fd);
	close(dev);
}

static void export_nonzero_in(void)
{
	int dev = t_dev();
	int fd = T_CREATE(dev, t_page(), SHMAP_MODE_LAZY, 0, NULL);
	struct shmap_export e;
	int i;

	memset(&e, 0, sizeof(e));
	e.flags = 1U << 1;
	CHECK_ERRNO(ioctl(fd, SHMAP_IOC_EXPORT_RO, &e), EINVAL);
	e.flags = 1U << 31;
	CHECK_ERRNO(ioctl(fd, SHMAP_IOC_EXPORT_RO, &e), EINVAL);
	for (i = 0; i < 2; i++) {
		memset(&e, 0, sizeof(e));
		e.reserved[i] = 1;
		CHECK_ERRNO(ioctl(fd, SHMAP_IOC_EXPORT_RO, &e), EINVAL);
	}
	close(fd);
	close(dev);
}

static void seal_nonzero_in(void)
{
	int dev = t_dev();
	int fd = T_CREATE(dev, t_page(), SHMAP_MODE_LAZY, 0, NULL);
	struct shmap_seal s;
	int i;

	memset(&s, 0, sizeof(s));
	s.flags = 1;
	CHECK_ERRNO(ioctl(fd, SHMAP_IOC_SEAL, &s), EINVAL);
	s.flags = 0;
	s.seals = SHMAP_SEAL_FUTURE_WRITE;
	s.flags = 4;
	CHECK_ERRNO(ioctl(fd, SHMAP_IOC_SEAL, &s), EINVAL);
	for (i = 0; i < 2; i++) {
		memset(&s, 0, sizeof(s));
		s.reserved[i] = 1;
		CHECK_ERRNO(ioctl(fd, SHMAP_IOC_SEAL, &s), EINVAL);
	}
	/* None of the failed calls sealed anything. */
	CHECK_EQ(t_seal(fd, 0), 0);
	close(fd);
	close(dev);
}

/* Every command with arg = p must fail with EFAULT. */
static void check_efault(int dev, int fd, void *p)
{
	CHECK_ERRNO(ioctl(dev, SHMAP_IOC_VERSION, p), EFAULT);
	CHECK_ERRNO(ioctl(dev, SHMAP_IOC_CREATE, p), EFAULT);
	CHECK_ERRNO(ioctl(fd, SHMAP_IOC_INFO, p), EFAULT);
	CHECK_ERRNO(ioctl(fd, SHMAP_IOC_EXPORT_RO, p), EFAULT);
	CHECK_ERRNO(ioctl(fd, SHMAP_IOC_SEAL, p), EFAULT);
}

static void efault_null(void)
{
	int dev = t_dev();
	int fd = T_CREATE(dev, t_page(), SHMAP_MODE_LAZY, 0, NULL);

	check_efault(dev, fd, NULL);
	check_efault(dev, fd, (void *)1);
	check_efault(dev, fd, (void *)-4096L);
	CHECK_EQ(T_STAT("buffers"), 1);
	close(fd);
	close(dev);
}

static void efault_unmapped(void)
{
	size_t pg = t_page();
	int dev = t_dev();
	int fd = T_CREATE(dev, pg, SHMAP_MODE_LAZY, 0, NULL);
	char *p = REQUIRE_MAP(mmap(NULL, pg, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));

	REQUIRE_SYS(munmap(p, pg));
	check_efault(dev, fd, p);
	/* A PROT_NONE page is no better. */
	p = REQUIRE_MAP(mmap(NULL, pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			     -1, 0));
	check_efault(dev, fd, p);
	close(fd);
	close(dev);
}

static void efault_straddle(void)
{
	size_t pg = t_page();
	int dev = t_dev();
	int fd = T_CREATE(dev, pg, SHMAP_MODE_LAZY, 0, NULL);
	char *p = REQUIRE_MAP(mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));

	REQUIRE_SYS(munmap(p + pg, pg));
	/* The first 8 bytes are readable and zero, the rest is not mapped. */
	memset(p, 0, pg);
	check_efault(dev, fd, p + pg - 8);
	CHECK_EQ(T_STAT("buffers"), 1);
	close(fd);
	close(dev);
}

/* Valid input in read-only memory: the results cannot be written back. */
static void efault_readonly(void)
{
	size_t pg = t_page();
	int dev = t_dev();
	int fd = T_CREATE(dev, pg, SHMAP_MODE_LAZY, 0, NULL);
	char *p = REQUIRE_MAP(mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	struct shmap_create *c = (struct shmap_create *)(p + pg);

	memset(p, 0, 2 * pg);
	c->size = pg;
	c->mode = SHMAP_MODE_LAZY;
	REQUIRE_SYS(mprotect(p, 2 * pg, PROT_READ));
	CHECK_ERRNO(ioctl(dev, SHMAP_IOC_VERSION, p), EFAULT);
	CHECK_ERRNO(ioctl(fd, SHMAP_IOC_INFO, p), EFAULT);
	CHECK_ERRNO(ioctl(fd, SHMAP_IOC_EXPORT_RO, p), EFAULT);
	CHECK_ERRNO(ioctl(fd, SHMAP_IOC_SEAL, p), EFAULT);
	CHECK_ERRNO(ioctl(dev, SHMAP_IOC_CREATE, c), EFAULT);
	/* The failed CREATE left no buffer (and no fd) behind. */
	CHECK_EQ(T_STAT("buffers"), 1);
	close(fd);
	close(dev);
}

/* Open fds of this process, from /proc/self/fd. */
static int fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d) {
		TAP_FAIL("opendir(/proc/self/fd): %s", tap_errname(errno));
		tap_abort();
	}
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own fd */
}

/* The fd number the next open() gets. */
static int next_fd(void)
{
	int fd = (int)REQUIRE_SYS(open("/dev/null", O_RDONLY | O_CLOEXEC));

	close(fd);
	return fd;
}

/*
 * CREATE and EXPORT_RO with valid input in a read-only file mapping: the new
 * fd cannot be written back, so the call fails with EFAULT and leaves no fd
 * (installed or reserved) and no buffer behind.
 */
static void efault_readonly_no_effect(void)
{
	size_t pg = t_page();
	int dev = t_dev();
	int fd = T_CREATE(dev, pg, SHMAP_MODE_LAZY, 0, NULL);
	int mfd = (int)REQUIRE_SYS(memfd_create("abi-arg", MFD_CLOEXEC));
	struct shmap_create c = { .size = 16 * pg, .name = (uintptr_t)"lost" };
	struct shmap_export e = { .flags = SHMAP_EXPORT_NO_CLOEXEC };
	uint64_t buffers, reserved, allocated;
	int nfds, next;
	uint32_t mode;
	char *p;

	REQUIRE_SYS(ftruncate(mfd, (off_t)pg));
	p = REQUIRE_MAP(mmap(NULL, pg, PROT_READ, MAP_SHARED, mfd, 0));
	REQUIRE_EQ(pwrite(mfd, &e, sizeof(e), 128), sizeof(e));
	buffers = T_STAT("buffers");
	reserved = T_STAT("pages_reserved");
	allocated = T_STAT("pages_allocated");
	nfds = fd_count();
	next = next_fd();
	for (mode = SHMAP_MODE_EAGER; mode <= SHMAP_MODE_LAZY; mode++) {
		c.mode = mode;
		REQUIRE_EQ(pwrite(mfd, &c, sizeof(c), 0), sizeof(c));
		CHECK_ERRNO(ioctl(dev, SHMAP_IOC_CREATE, p), EFAULT);
		CHECK_ERRNO(ioctl(fd, SHMAP_IOC_EXPORT_RO, p + 128), EFAULT);
		CHECK_EQ(T_STAT("buffers"), buffers);
		CHECK_EQ(T_STAT("pages_reserved"), reserved);
		CHECK_EQ(T_STAT("pages_allocated"), allocated);
		CHECK_EQ(fd_count(), nfds);
		CHECK_EQ(next_fd(), next);
	}
	/* The same arguments in writable memory work. */
	c.fd = (uint32_t)-1;
	CHECK_EQ(ioctl(dev, SHMAP_IOC_CREATE, &c), 0);
	CHECK_EQ(c.fd, next);
	CHECK_EQ(T_STAT("buffers"), buffers + 1);
	close((int)c.fd);
	munmap(p, pg);
	close(mfd);
	close(fd);
	close(dev);
}

static void mmap_device(void)
{
	size_t pg = t_page();
	int dev = t_dev();
	void *p;

	errno = 0;
	p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, dev, 0);
	if (p != MAP_FAILED) {
		TAP_FAIL("mmap of /dev/shmap succeeded");
		munmap(p, pg);
	} else {
		tap_diag("mmap of /dev/shmap: %s", tap_errname(errno));
	}
	p = mmap(NULL, pg, PROT_READ, MAP_SHARED, dev, 0);
	CHECK(p == MAP_FAILED);
	close(dev);
}

static void dev_rw_unsupported(void)
{
	int dev = t_dev();
	char b[16];

	CHECK(read(dev, b, sizeof(b)) < 0);
	CHECK(write(dev, b, sizeof(b)) < 0);
	close(dev);
}

static const struct tap_case cases[] = {
	TAP_CASE(layout),
	TAP_CASE(ioctl_numbers),
	TAP_CASE(version),
	TAP_CASE(unknown_ioctl_dev),
	TAP_CASE(unknown_ioctl_buf),
	TAP_CASE(dev_ioctl_on_buf),
	TAP_CASE(buf_ioctl_on_dev),
	TAP_CASE(version_nonzero_in),
	TAP_CASE(create_nonzero_in),
	TAP_CASE(info_nonzero_in),
	TAP_CASE(export_nonzero_in),
	TAP_CASE(seal_nonzero_in),
	TAP_CASE(efault_null),
	TAP_CASE(efault_unmapped),
	TAP_CASE(efault_straddle),
	TAP_CASE(efault_readonly),
	TAP_CASE(efault_readonly_no_effect),
	TAP_CASE(mmap_device),
	TAP_CASE(dev_rw_unsupported),
};

TAP_MAIN("abi", cases)
