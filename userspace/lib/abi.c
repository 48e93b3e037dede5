// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libshmap: compile-time checks that the library's public constants are the
 * ABI's (include/uapi/linux/shmap.h), so values pass through unchanged, and
 * that the ioctl structs have the same layout for 32-bit and 64-bit builds
 * (the Makefile compiles this file with and without -m32). No code.
 */
#include <stddef.h>

#include "internal.h"

#define SHMAP_SAME(lib, uapi) \
	_Static_assert((lib) == (uapi), #lib " != " #uapi)

SHMAP_SAME(SHMAP_BUF_DEFAULT, SHMAP_MODE_DEFAULT);
SHMAP_SAME(SHMAP_BUF_EAGER, SHMAP_MODE_EAGER);
SHMAP_SAME(SHMAP_BUF_LAZY, SHMAP_MODE_LAZY);

SHMAP_SAME(SHMAP_BUF_NO_CLOEXEC, SHMAP_CREATE_NO_CLOEXEC);
SHMAP_SAME(SHMAP_BUF_NORESERVE, SHMAP_CREATE_NORESERVE);
SHMAP_SAME(SHMAP_BUF_HUGE, SHMAP_CREATE_HUGE);

SHMAP_SAME(SHMAP_EXPORT_RO_NO_CLOEXEC, SHMAP_EXPORT_NO_CLOEXEC);

SHMAP_SAME(SHMAP_BUF_DMABUF_NO_CLOEXEC, SHMAP_DMABUF_NO_CLOEXEC);
SHMAP_SAME(SHMAP_BUF_DMABUF_READONLY, SHMAP_DMABUF_READONLY);

SHMAP_SAME(SHMAP_BUF_SEAL_FUTURE_WRITE, SHMAP_SEAL_FUTURE_WRITE);
SHMAP_SAME(SHMAP_BUF_SEAL_SEAL, SHMAP_SEAL_SEAL);

SHMAP_SAME(SHMAP_BUF_INFO_READONLY, SHMAP_INFO_READONLY);
SHMAP_SAME(SHMAP_BUF_INFO_NORESERVE, SHMAP_INFO_NORESERVE);
SHMAP_SAME(SHMAP_BUF_INFO_HUGE, SHMAP_INFO_HUGE);

SHMAP_SAME(SHMAP_DEV_FEAT_EAGER, SHMAP_FEAT_EAGER);
SHMAP_SAME(SHMAP_DEV_FEAT_LAZY, SHMAP_FEAT_LAZY);
SHMAP_SAME(SHMAP_DEV_FEAT_NORESERVE, SHMAP_FEAT_NORESERVE);
SHMAP_SAME(SHMAP_DEV_FEAT_EXPORT_RO, SHMAP_FEAT_EXPORT_RO);
SHMAP_SAME(SHMAP_DEV_FEAT_SEAL, SHMAP_FEAT_SEAL);
SHMAP_SAME(SHMAP_DEV_FEAT_NAME, SHMAP_FEAT_NAME);
SHMAP_SAME(SHMAP_DEV_FEAT_HUGE, SHMAP_FEAT_HUGE);
SHMAP_SAME(SHMAP_DEV_FEAT_HUGE_LAZY, SHMAP_FEAT_HUGE_LAZY);
SHMAP_SAME(SHMAP_DEV_FEAT_DMABUF, SHMAP_FEAT_DMABUF);

SHMAP_SAME(SHMAP_BUF_NAME_MAX, SHMAP_NAME_MAX);

/* The ioctl structs: sizes as laid out in the ABI header, on every arch. */
SHMAP_SAME(sizeof(struct shmap_version), 64);
SHMAP_SAME(sizeof(struct shmap_create), 64);
SHMAP_SAME(sizeof(struct shmap_info), 80);
SHMAP_SAME(sizeof(struct shmap_export), 24);
SHMAP_SAME(sizeof(struct shmap_seal), 24);
SHMAP_SAME(sizeof(struct shmap_dmabuf), 24);
SHMAP_SAME(offsetof(struct shmap_create, fd), 24);
SHMAP_SAME(offsetof(struct shmap_info, resident_pages), 24);
SHMAP_SAME(offsetof(struct shmap_info, huge_folios), 48);
SHMAP_SAME(offsetof(struct shmap_info, dmabuf_exports), 56);
SHMAP_SAME(sizeof(struct shmap_buf_stat), SHMAP_BUF_STAT_SIZE_0_3);

/*
 * struct shmap_buf_info is the start of struct shmap_buf_stat, field by
 * field: shmap_buf_query() copies it out of what shmap_buf_stat() fills.
 */
#define SHMAP_PREFIX(field) \
	SHMAP_SAME(offsetof(struct shmap_buf_info, field), \
		   offsetof(struct shmap_buf_stat, field))
SHMAP_PREFIX(size);
SHMAP_PREFIX(resident_pages);
SHMAP_PREFIX(reserved_pages);
SHMAP_PREFIX(ino);
SHMAP_PREFIX(mode);
SHMAP_PREFIX(seals);
SHMAP_PREFIX(flags);
SHMAP_PREFIX(mappings);
SHMAP_SAME(sizeof(struct shmap_buf_info),
	   offsetof(struct shmap_buf_stat, huge_folios));
