// SPDX-License-Identifier: GPL-2.0
/*
 * compat32: a 32-bit program (-m32 -static) drives the module through
 * compat_ioctl: VERSION, CREATE, INFO, EXPORT_RO, SEAL, mmap, and the
 * same through the 32-bit libshmap.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "shmap.h"
#include "tshmap.h"

_Static_assert(sizeof(struct shmap_version) == 64, "shmap_version");
_Static_assert(sizeof(struct shmap_create) == 64, "shmap_create");
_Static_assert(sizeof(struct shmap_info) == 80, "shmap_info");
_Static_assert(sizeof(struct shmap_export) == 24, "shmap_export");
_Static_assert(sizeof(struct shmap_seal) == 24, "shmap_seal");

static void is_32bit(void)
{
	CHECK_EQ(sizeof(void *), 4);
	CHECK_EQ(sizeof(long), 4);
}

static void version(void)
{
	struct shmap_version v;
	int dev = t_dev();

	REQUIRE_EQ(t_version(dev, &v), 0);
	CHECK_EQ(v.abi_version, SHMAP_ABI_VERSION);
	CHECK_EQ(v.max_buffer_size, T_PARAM("max_buffer_mb") * T_MIB);
	CHECK_EQ(v.max_total_size, T_PARAM("max_total_mb") * T_MIB);
	CHECK_EQ(v.features & (SHMAP_FEAT_EAGER | SHMAP_FEAT_LAZY),
		 SHMAP_FEAT_EAGER | SHMAP_FEAT_LAZY);
	memset(&v, 0, sizeof(v));
	v.reserved[3] = 1;
	CHECK_ERRNO(ioctl(dev, SHMAP_IOC_VERSION, &v), EINVAL);
	CHECK_ERRNO(ioctl(dev, _IOWR(SHMAP_IOC_MAGIC, 0x7e, struct shmap_version), &v), ENOTTY);
	close(dev);
}

static void create_info_map_mode(uint32_t mode)
{
	size_t pg = t_page(), len = 16 * pg;
	int dev = t_dev();
	int fd = T_CREATE(dev, len - 100, mode, 0, "compat32");
	struct shmap_info in = T_INFO(fd);
	struct stat st;
	char *p, *q, line[256];

	CHECK_EQ(in.size, len);
	CHECK_EQ(in.mode, mode);
	CHECK_EQ(in.resident_pages, mode == SHMAP_MODE_EAGER ? 16 : 0);
	REQUIRE_SYS(fstat(fd, &st));
	CHECK_EQ(in.ino, st.st_ino);
	p = T_MAP(fd, len, PROT_READ | PROT_WRITE, 0);
	q = T_MAP(fd, 4 * pg, PROT_READ, 8 * pg);
	t_fill(p, len, 91);
	CHECK_PATTERN(p, len, 91);
	CHECK(!memcmp(q, p + 8 * pg, 4 * pg));
	CHECK_EQ(T_INFO(fd).mappings, 2);
	CHECK_EQ(T_INFO(fd).resident_pages, 16);
	REQUIRE_EQ(t_maps_line(p, line, sizeof(line)), 0);
	CHECK(strstr(line, "/shmap:compat32") != NULL);
	/* Errors come through compat_ioctl unchanged. */
	CHECK_EQ(t_create(dev, 0, mode, 0, NULL), -EINVAL);
	CHECK_EQ(t_create(dev, UINT64_MAX, mode, 0, NULL), -EFBIG);
	CHECK_EQ(t_create(dev, pg, mode, 0, (const char *)1), -EFAULT);
	CHECK_ERRNO(ioctl(dev, SHMAP_IOC_CREATE, NULL), EFAULT);
	munmap(p, len);
	munmap(q, 4 * pg);
	close(fd);
	close(dev);
}

static void create_info_map_eager(void)
{
	create_info_map_mode(SHMAP_MODE_EAGER);
}

static void create_info_map_lazy(void)
{
	create_info_map_mode(SHMAP_MODE_LAZY);
}

static void export_ro_and_seal(void)
{
	size_t pg = t_page();
	int dev = t_dev();
	int fd = T_CREATE(dev, 2 * pg, SHMAP_MODE_LAZY, 0, NULL);
	int ro = t_export_ro(fd, 0);
	char *w, *r;

	REQUIRE_GE(ro, 0);
	CHECK_EQ(T_INFO(ro).flags & SHMAP_INFO_READONLY, SHMAP_INFO_READONLY);
	CHECK_ERRNO(mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0), EACCES);
	w = T_MAP(fd, 2 * pg, PROT_READ | PROT_WRITE, 0);
	r = T_MAP(ro, 2 * pg, PROT_READ, 0);
	strcpy(w + pg, "32-bit");
	CHECK(!strcmp(r + pg, "32-bit"));
	CHECK_ERRNO(mprotect(r, pg, PROT_READ | PROT_WRITE), EACCES);
	CHECK_EQ(t_seal(ro, SHMAP_SEAL_FUTURE_WRITE), -EPERM);
	CHECK_EQ(t_seal(fd, SHMAP_SEAL_FUTURE_WRITE), SHMAP_SEAL_FUTURE_WRITE);
	CHECK_ERRNO(mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), EPERM);
	CHECK_EQ(t_seal(fd, SHMAP_SEAL_SEAL), SHMAP_SEALS);
	CHECK_EQ(t_seal(fd, SHMAP_SEAL_FUTURE_WRITE), -EPERM);
	CHECK_EQ(t_seal(fd, 1U << 9), -EINVAL);
	CHECK_EQ(T_INFO(fd).seals, SHMAP_SEALS);
	w[0] = 'x';
	CHECK_EQ(r[0], 'x');
	munmap(w, 2 * pg);
	munmap(r, 2 * pg);
	close(ro);
	close(fd);
	close(dev);
}

static void library(void)
{
	struct shmap_dev *dev = NULL;
	struct shmap_buf *b = NULL, *ro = NULL;
	struct shmap_buf_info in;
	uint64_t mb = 0;
	unsigned int seals = 0;
	char *p, *r;

	REQUIRE_RET(shmap_dev_open(&dev), 0);
	CHECK_EQ(shmap_dev_abi_version(dev), 1);
	CHECK_RET(shmap_dev_limits(dev, &mb, NULL), 0);
	CHECK_EQ(mb, T_PARAM("max_buffer_mb") * T_MIB);
	REQUIRE_RET(shmap_buf_create(dev, 3 * t_page(), SHMAP_BUF_EAGER, "lib32", 0, &b), 0);
	CHECK_EQ(shmap_buf_size(b), 3 * t_page());
	REQUIRE_RET(shmap_buf_map(b, t_page(), 0, PROT_READ | PROT_WRITE, (void **)&p), 0);
	strcpy(p, "lib32");
	REQUIRE_RET(shmap_buf_export_ro(b, 0, &ro), 0);
	REQUIRE_RET(shmap_buf_map(ro, 0, 0, PROT_READ, (void **)&r), 0);
	CHECK(!strcmp(r + t_page(), "lib32"));
	CHECK_RET(shmap_buf_query(b, &in), 0);
	CHECK_EQ(in.size, 3 * t_page());
	CHECK_EQ(in.mode, SHMAP_BUF_EAGER);
	CHECK_EQ(in.mappings, 2);
	CHECK_EQ(in.resident_pages, 3);
	CHECK_RET(shmap_buf_seal(b, SHMAP_BUF_SEAL_SEAL, &seals), 0);
	CHECK_EQ(seals, SHMAP_BUF_SEAL_SEAL);
	shmap_buf_unmap(p, 2 * t_page());
	shmap_buf_unmap(r, 3 * t_page());
	shmap_buf_close(ro);
	shmap_buf_close(b);
	shmap_dev_close(dev);
	CHECK_EQ(T_STAT("buffers"), 0);
}

static const struct tap_case cases[] = {
	TAP_CASE(is_32bit),
	TAP_CASE(version),
	TAP_CASE(create_info_map_eager),
	TAP_CASE(create_info_map_lazy),
	TAP_CASE(export_ro_and_seal),
	TAP_CASE(library),
};

TAP_MAIN("compat32", cases)
