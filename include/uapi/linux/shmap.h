/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * shmap: share kernel-allocated memory between processes.
 *
 * The ABI of /dev/shmap and of the buffer file descriptors it creates.
 * This one file is included by the kernel module, libshmap and the tests.
 *
 * Rules (Documentation/process/botching-up-ioctls.rst):
 *  - every command is _IOWR on magic SHMAP_IOC_MAGIC;
 *  - only __u32/__u64 fields, naturally aligned, no implicit padding:
 *    every struct is a multiple of 8 bytes and identical for 32-bit and
 *    64-bit user space (so compat_ioctl needs no translation);
 *  - every struct has a flags word and reserved space; unknown flags and
 *    non-zero reserved fields are rejected with EINVAL;
 *  - unknown commands get ENOTTY.
 */
#ifndef _UAPI_LINUX_SHMAP_H
#define _UAPI_LINUX_SHMAP_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define SHMAP_ABI_VERSION	1

/* Maximum length of a buffer name, including the terminating NUL. */
#define SHMAP_NAME_MAX		64

/* Buffer modes (struct shmap_create.mode, struct shmap_info.mode). */
#define SHMAP_MODE_DEFAULT	0	/* the module's default_mode */
#define SHMAP_MODE_EAGER	1	/* all pages allocated at create */
#define SHMAP_MODE_LAZY		2	/* pages allocated on first touch */

/* struct shmap_create.flags */
#define SHMAP_CREATE_NO_CLOEXEC	(1U << 0)	/* new fd without O_CLOEXEC */
#define SHMAP_CREATE_NORESERVE	(1U << 1)	/* lazy: reserve at fault time */
#define SHMAP_CREATE_HUGE	(1U << 2)	/* 2 MiB folios where possible */
#define SHMAP_CREATE_FLAGS	(SHMAP_CREATE_NO_CLOEXEC | SHMAP_CREATE_NORESERVE | \
				 SHMAP_CREATE_HUGE)

/* Seals (struct shmap_seal.seals, struct shmap_info.seals). */
#define SHMAP_SEAL_FUTURE_WRITE	(1U << 0)	/* no new writable mapping */
#define SHMAP_SEAL_SEAL		(1U << 1)	/* no further seals */
#define SHMAP_SEALS		(SHMAP_SEAL_FUTURE_WRITE | SHMAP_SEAL_SEAL)

/* struct shmap_export.flags */
#define SHMAP_EXPORT_NO_CLOEXEC	(1U << 0)
#define SHMAP_EXPORT_FLAGS	(SHMAP_EXPORT_NO_CLOEXEC)

/* struct shmap_dmabuf.flags */
#define SHMAP_DMABUF_NO_CLOEXEC	(1U << 0)	/* new fd without O_CLOEXEC */
#define SHMAP_DMABUF_READONLY	(1U << 1)	/* read-only from a writable fd too */
#define SHMAP_DMABUF_FLAGS	(SHMAP_DMABUF_NO_CLOEXEC | SHMAP_DMABUF_READONLY)

/* struct shmap_info.flags (output only) */
#define SHMAP_INFO_READONLY	(1U << 0)	/* this fd maps read-only */
#define SHMAP_INFO_NORESERVE	(1U << 1)	/* created with NORESERVE */
#define SHMAP_INFO_HUGE		(1U << 2)	/* created with SHMAP_CREATE_HUGE */

/* Feature bits reported in struct shmap_version.features. */
#define SHMAP_FEAT_EAGER	(1ULL << 0)
#define SHMAP_FEAT_LAZY		(1ULL << 1)
#define SHMAP_FEAT_NORESERVE	(1ULL << 2)
#define SHMAP_FEAT_EXPORT_RO	(1ULL << 3)
#define SHMAP_FEAT_SEAL		(1ULL << 4)
#define SHMAP_FEAT_NAME		(1ULL << 5)
#define SHMAP_FEAT_HUGE		(1ULL << 6)	/* SHMAP_CREATE_HUGE, eager */
#define SHMAP_FEAT_HUGE_LAZY	(1ULL << 7)	/* SHMAP_CREATE_HUGE, lazy too */
#define SHMAP_FEAT_DMABUF	(1ULL << 8)	/* SHMAP_IOC_EXPORT_DMABUF */

/**
 * struct shmap_version - SHMAP_IOC_VERSION, on /dev/shmap
 * @abi_version: out: SHMAP_ABI_VERSION of the running module
 * @flags: in: must be 0
 * @features: out: SHMAP_FEAT_* bits
 * @max_buffer_size: out: largest buffer size in bytes (max_buffer_mb)
 * @max_total_size: out: limit on all reserved memory in bytes (max_total_mb)
 * @reserved: in: must be 0; out: 0
 */
struct shmap_version {
	__u32 abi_version;
	__u32 flags;
	__u64 features;
	__u64 max_buffer_size;
	__u64 max_total_size;
	__u64 reserved[4];
};

/**
 * struct shmap_create - SHMAP_IOC_CREATE, on /dev/shmap
 * @size: in: size in bytes, rounded up to a multiple of the page size
 * @name: in: user pointer to a NUL-terminated name of printable characters
 *	without '/', at most SHMAP_NAME_MAX bytes with the NUL; 0 for none
 * @mode: in: SHMAP_MODE_*
 * @flags: in: SHMAP_CREATE_* bits
 * @fd: out: the new buffer file descriptor
 * @pad: in: must be 0
 * @reserved: in: must be 0
 */
struct shmap_create {
	__u64 size;
	__u64 name;
	__u32 mode;
	__u32 flags;
	__u32 fd;
	__u32 pad;
	__u64 reserved[4];
};

/**
 * struct shmap_info - SHMAP_IOC_INFO, on a buffer fd
 * @size: out: buffer size in bytes (a multiple of the page size)
 * @mode: out: SHMAP_MODE_EAGER or SHMAP_MODE_LAZY
 * @seals: out: SHMAP_SEAL_* bits in force
 * @flags: in: must be 0; out: SHMAP_INFO_* bits
 * @mappings: out: number of vmas (mapping pieces) on the buffer, all processes
 * @resident_pages: out: pages allocated for the buffer
 * @reserved_pages: out: pages charged against max_total_mb for the buffer
 * @ino: out: inode number, as st_ino from fstat()
 * @huge_folios: out: PMD-sized (2 MiB on x86-64) folios holding the
 *	buffer's memory now (0 from modules before 0.3)
 * @dmabuf_exports: out: dma-bufs of the buffer that exist now, all
 *	processes (SHMAP_IOC_EXPORT_DMABUF; 0 from modules before 0.3)
 * @reserved: in: must be 0; out: 0
 */
struct shmap_info {
	__u64 size;
	__u32 mode;
	__u32 seals;
	__u32 flags;
	__u32 mappings;
	__u64 resident_pages;
	__u64 reserved_pages;
	__u64 ino;
	__u64 huge_folios;
	__u64 dmabuf_exports;
	__u64 reserved[2];
};

/**
 * struct shmap_export - SHMAP_IOC_EXPORT_RO, on a buffer fd
 * @flags: in: SHMAP_EXPORT_* bits
 * @fd: out: a new fd for the same buffer that only allows read-only mappings
 * @reserved: in: must be 0
 */
struct shmap_export {
	__u32 flags;
	__u32 fd;
	__u64 reserved[2];
};

/**
 * struct shmap_seal - SHMAP_IOC_SEAL, on a writable buffer fd
 * @seals: in: SHMAP_SEAL_* bits to add (0 only reads); out: seals in force
 * @flags: in: must be 0
 * @reserved: in: must be 0
 */
struct shmap_seal {
	__u32 seals;
	__u32 flags;
	__u64 reserved[2];
};

/**
 * struct shmap_dmabuf - SHMAP_IOC_EXPORT_DMABUF, on a buffer fd
 * @flags: in: SHMAP_DMABUF_* bits
 * @fd: out: a new dma-buf fd for the buffer's pages: read-only if
 *	SHMAP_DMABUF_READONLY, if the buffer fd is read-only or if the
 *	buffer is sealed with SHMAP_SEAL_FUTURE_WRITE
 * @reserved: in: must be 0
 */
struct shmap_dmabuf {
	__u32 flags;
	__u32 fd;
	__u64 reserved[2];
};

#define SHMAP_IOC_MAGIC		0xBE

#define SHMAP_IOC_VERSION	_IOWR(SHMAP_IOC_MAGIC, 0x00, struct shmap_version)
#define SHMAP_IOC_CREATE	_IOWR(SHMAP_IOC_MAGIC, 0x01, struct shmap_create)
#define SHMAP_IOC_INFO		_IOWR(SHMAP_IOC_MAGIC, 0x10, struct shmap_info)
#define SHMAP_IOC_EXPORT_RO	_IOWR(SHMAP_IOC_MAGIC, 0x11, struct shmap_export)
#define SHMAP_IOC_SEAL		_IOWR(SHMAP_IOC_MAGIC, 0x12, struct shmap_seal)
#define SHMAP_IOC_EXPORT_DMABUF	_IOWR(SHMAP_IOC_MAGIC, 0x13, struct shmap_dmabuf)

#endif /* _UAPI_LINUX_SHMAP_H */
