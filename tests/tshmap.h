/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the shmap test programs: raw ioctls on /dev/shmap,
 * the module's sysfs files, data patterns.
 */
#ifndef SHMAP_TESTS_TSHMAP_H
#define SHMAP_TESTS_TSHMAP_H

#include <linux/shmap.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tap.h"

#define T_DEV		"/dev/shmap"
#define T_STATS		"/sys/class/misc/shmap/stats/"
#define T_PARAMS	"/sys/module/shmap/parameters/"
#define T_MIB		(1024ULL * 1024ULL)

static inline size_t t_page(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* open(/dev/shmap); the case fails and ends if it cannot. */
int t_dev(void);

/* SHMAP_IOC_CREATE: the new fd, or -errno. */
int t_create(int dev, uint64_t size, uint32_t mode, uint32_t flags,
	     const char *name);
/* SHMAP_IOC_INFO: 0 or -errno. */
int t_info(int fd, struct shmap_info *info);
/* SHMAP_IOC_EXPORT_RO: the new fd, or -errno. */
int t_export_ro(int fd, uint32_t flags);
/* SHMAP_IOC_SEAL: seals in force (>= 0), or -errno. */
int t_seal(int fd, uint32_t seals);
/* SHMAP_IOC_EXPORT_DMABUF: the new dma-buf fd, or -errno. */
int t_export_dmabuf(int fd, uint32_t flags);
/* SHMAP_IOC_VERSION: 0 or -errno. */
int t_version(int dev, struct shmap_version *v);

/* A stats counter; the case fails and ends if it cannot be read. */
uint64_t t_stat_at(const char *file, int line, const char *name);
#define T_STAT(name)	t_stat_at(__FILE__, __LINE__, name)
/* A numeric module parameter; the case fails and ends if unreadable. */
uint64_t t_param_at(const char *file, int line, const char *name);
#define T_PARAM(name)	t_param_at(__FILE__, __LINE__, name)
/*
 * The rest of this case runs with fault_window=1: one page per fault, for
 * cases that count the pages or faults of each touch. The old value comes
 * back when the case's process exits (not when a child it forked does).
 */
void t_window1_at(const char *file, int line);
#define T_WINDOW1()	t_window1_at(__FILE__, __LINE__)

/*
 * A child memory cgroup of the cgroup2 root, for the cases that need a
 * limit. Each function fails the case (and the create, the enter and the
 * reads end it) when it cannot do its job.
 */
struct t_cg {
	char path[128];
};

/*
 * Create /sys/fs/cgroup/shmap-NAME-PID with memory.max = @max_bytes, in
 * force before any task enters, and no swap to escape to.
 */
void t_cg_create(struct t_cg *cg, const char *name, uint64_t max_bytes);
/* Move the calling process into it. */
void t_cg_enter(const struct t_cg *cg);
/* The number in one of its files (memory.current, ...). */
uint64_t t_cg_u64(const struct t_cg *cg, const char *file);
/* The count of KEY in its memory.events. */
uint64_t t_cg_event(const struct t_cg *cg, const char *key);
/* The count of KEY in its memory.stat (bytes, or events). */
uint64_t t_cg_stat(const struct t_cg *cg, const char *key);
/* Remove it, waiting for its last task to be gone. */
void t_cg_remove(const struct t_cg *cg);

#define T_CREATE(dev, size, mode, flags, name)				\
	({								\
		int fd_ = t_create(dev, size, mode, flags, name);	\
		if (fd_ < 0) {						\
			TAP_FAIL("create(size %llu, mode %u, flags %#x): %s", \
				 (unsigned long long)(size),		\
				 (unsigned int)(mode),			\
				 (unsigned int)(flags),			\
				 tap_errname(-fd_));			\
			tap_abort();					\
		}							\
		fd_;							\
	})

#define T_INFO(fd)							\
	({								\
		struct shmap_info i_;					\
		int r_ = t_info(fd, &i_);				\
		if (r_) {						\
			TAP_FAIL("SHMAP_IOC_INFO(%d): %s", (int)(fd),	\
				 tap_errname(-r_));			\
			tap_abort();					\
		}							\
		i_;							\
	})

/* mmap(MAP_SHARED) that must work. */
#define T_MAP(fd, len, prot, off)					\
	REQUIRE_MAP(mmap(NULL, len, prot, MAP_SHARED, fd, (off_t)(off)))

/* Byte i of pattern seed. */
static inline uint8_t t_pat(size_t i, unsigned int seed)
{
	return (uint8_t)((i * 131 + (i >> 12) * 7 + seed * 17 + 1) & 0xff);
}
void t_fill(void *p, size_t len, unsigned int seed);
/* Returns the offset of the first mismatch, or (size_t)-1. */
size_t t_verify(const void *p, size_t len, unsigned int seed);
#define CHECK_PATTERN(p, len, seed)					\
	do {								\
		size_t o_ = t_verify(p, len, seed);			\
		if (o_ != (size_t)-1)					\
			TAP_FAIL("%s: pattern %u mismatch at offset %zu: " \
				 "%#x, expected %#x", #p, (unsigned)(seed), \
				 o_, ((const uint8_t *)(p))[o_],	\
				 t_pat(o_, seed));			\
	} while (0)
/* Returns 1 if len bytes at p are all zero (offset of the first non-zero in *bad). */
int t_all_zero(const void *p, size_t len, size_t *bad);

/* Child helpers for CHECK_DIES(): write / read one byte at arg. */
void t_write_byte(void *addr);
void t_read_byte(void *addr);

/* Read the whole /proc/self/<what> into a malloc()ed string. */
char *t_proc_self(const char *what);
/* The /proc/self/maps (or smaps header) line of the vma starting at addr. */
int t_maps_line(const void *addr, char *line, size_t len);
/*
 * The value of a /proc/self/smaps field ("Locked", "VmFlags") of the vma
 * starting at addr: the text after "field:" up to the end of its line.
 */
int t_smaps_field(const void *addr, const char *field, char *val, size_t len);
/* The VmFlags of the vma starting at addr, with a space after the last one. */
int t_vmflags(const void *addr, char *flags, size_t len);
/* A "field: N kB" of the vma starting at addr, in kB; -1 if it has none. */
long t_smaps_kb(const void *addr, const char *field);

/* CLOCK_MONOTONIC, in seconds. */
double t_now(void);

const char *t_mode_name(uint32_t mode);

#endif /* SHMAP_TESTS_TSHMAP_H */
