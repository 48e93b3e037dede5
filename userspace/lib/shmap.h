/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libshmap: share kernel-allocated memory between processes through the
 * shmap kernel module (/dev/shmap).
 *
 * Conventions (as liburing and libkmod):
 *  - handles are opaque; destructors accept NULL;
 *  - every function that can fail returns 0 on success or a negative errno
 *    value, and sets no global state (errno is left as the C library left
 *    it); nothing is printed;
 *  - every file descriptor the library creates is close-on-exec unless a
 *    NO_CLOEXEC flag asks otherwise;
 *  - handles may be used from several threads at once; closing a handle
 *    while another thread uses it is the caller's bug.
 */
#ifndef LIBSHMAP_SHMAP_H
#define LIBSHMAP_SHMAP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LIBSHMAP_VERSION_MAJOR 0
#define LIBSHMAP_VERSION_MINOR 3
#define LIBSHMAP_VERSION_MICRO 0

/** struct shmap_dev - an open /dev/shmap */
struct shmap_dev;
/** struct shmap_buf - one file descriptor of a shmap buffer */
struct shmap_buf;

/** Buffer modes. */
enum shmap_buf_mode {
	SHMAP_BUF_DEFAULT = 0,	/* the module's default_mode parameter */
	SHMAP_BUF_EAGER = 1,	/* all pages allocated at create */
	SHMAP_BUF_LAZY = 2	/* pages allocated on first touch */
};

/* Flags for shmap_buf_create(). */
#define SHMAP_BUF_NO_CLOEXEC	(1U << 0)	/* fd survives exec */
#define SHMAP_BUF_NORESERVE	(1U << 1)	/* lazy: reserve at fault time */
#define SHMAP_BUF_HUGE		(1U << 2)	/* 2 MiB folios where possible */

/* Flags for shmap_buf_export_ro(). */
#define SHMAP_EXPORT_RO_NO_CLOEXEC (1U << 0)

/* Flags for shmap_buf_export_dmabuf(). */
#define SHMAP_BUF_DMABUF_NO_CLOEXEC (1U << 0)	/* fd survives exec */
#define SHMAP_BUF_DMABUF_READONLY   (1U << 1)	/* read-only dma-buf */

/* Seals for shmap_buf_seal() and struct shmap_buf_info.seals. */
#define SHMAP_BUF_SEAL_FUTURE_WRITE (1U << 0)	/* no new writable mapping */
#define SHMAP_BUF_SEAL_SEAL	    (1U << 1)	/* no further seals */

/* Bits of struct shmap_buf_info.flags. */
#define SHMAP_BUF_INFO_READONLY	 (1U << 0)	/* this handle maps read-only */
#define SHMAP_BUF_INFO_NORESERVE (1U << 1)	/* created with NORESERVE */
#define SHMAP_BUF_INFO_HUGE	 (1U << 2)	/* created with SHMAP_BUF_HUGE */

/* Device features, for shmap_dev_features() / shmap_dev_has_feature(). */
#define SHMAP_DEV_FEAT_EAGER	 ((uint64_t)1 << 0)
#define SHMAP_DEV_FEAT_LAZY	 ((uint64_t)1 << 1)
#define SHMAP_DEV_FEAT_NORESERVE ((uint64_t)1 << 2)
#define SHMAP_DEV_FEAT_EXPORT_RO ((uint64_t)1 << 3)
#define SHMAP_DEV_FEAT_SEAL	 ((uint64_t)1 << 4)
#define SHMAP_DEV_FEAT_NAME	 ((uint64_t)1 << 5)
#define SHMAP_DEV_FEAT_HUGE	 ((uint64_t)1 << 6)	/* SHMAP_BUF_HUGE, eager */
#define SHMAP_DEV_FEAT_HUGE_LAZY ((uint64_t)1 << 7)	/* SHMAP_BUF_HUGE, lazy too */
#define SHMAP_DEV_FEAT_DMABUF	 ((uint64_t)1 << 8)	/* dma-buf export */

/* Longest buffer name shmap_buf_name() returns, with its NUL. */
#define SHMAP_BUF_NAME_MAX 64

/** struct shmap_buf_info - what shmap_buf_query() reports */
struct shmap_buf_info {
	uint64_t size;		 /* bytes, a multiple of the page size */
	uint64_t resident_pages; /* pages allocated now */
	uint64_t reserved_pages; /* pages charged against max_total_mb */
	uint64_t ino;		 /* inode number, as fstat() st_ino */
	uint32_t mode;		 /* SHMAP_BUF_EAGER or SHMAP_BUF_LAZY */
	uint32_t seals;		 /* SHMAP_BUF_SEAL_* */
	uint32_t flags;		 /* SHMAP_BUF_INFO_* */
	uint32_t mappings;	 /* vmas on the buffer, all processes */
};

/**
 * struct shmap_buf_stat - what shmap_buf_stat() reports
 *
 * Later versions of the library add fields at the end only; callers pass
 * sizeof(struct shmap_buf_stat) as they were compiled with it.
 */
struct shmap_buf_stat {
	uint64_t size;		 /* bytes, a multiple of the page size */
	uint64_t resident_pages; /* pages allocated now */
	uint64_t reserved_pages; /* pages charged against max_total_mb */
	uint64_t ino;		 /* inode number, as fstat() st_ino */
	uint32_t mode;		 /* SHMAP_BUF_EAGER or SHMAP_BUF_LAZY */
	uint32_t seals;		 /* SHMAP_BUF_SEAL_* */
	uint32_t flags;		 /* SHMAP_BUF_INFO_* */
	uint32_t mappings;	 /* vmas on the buffer, all processes */
	uint64_t huge_folios;	 /* 2 MiB folios among the resident pages */
	uint64_t dmabuf_exports; /* its dma-bufs alive, all processes */
};

/* The size of struct shmap_buf_stat in libshmap 0.3, the smallest accepted. */
#define SHMAP_BUF_STAT_SIZE_0_3 64

/**
 * shmap_dev_open() - open /dev/shmap and query its ABI version and features
 * @devp: where to store the new handle
 *
 * Returns: 0, or -errno from open(2) (-ENOENT: module not loaded), or
 * -EPROTO if the module speaks an ABI this library does not know.
 */
int shmap_dev_open(struct shmap_dev **devp);

/**
 * shmap_dev_open_path() - like shmap_dev_open() for another device node
 * @path: the device node
 * @devp: where to store the new handle
 *
 * Returns: as shmap_dev_open(); -ENOTTY if @path is not a shmap device.
 */
int shmap_dev_open_path(const char *path, struct shmap_dev **devp);

/**
 * shmap_dev_close() - close a device handle; buffers stay valid
 * @dev: the handle, or NULL
 */
void shmap_dev_close(struct shmap_dev *dev);

/** shmap_dev_fd() - Returns: the device's file descriptor (owned by @dev). */
int shmap_dev_fd(const struct shmap_dev *dev);

/** shmap_dev_abi_version() - Returns: the module's ABI version. */
uint32_t shmap_dev_abi_version(const struct shmap_dev *dev);

/** shmap_dev_features() - Returns: the SHMAP_DEV_FEAT_* bits of the module. */
uint64_t shmap_dev_features(const struct shmap_dev *dev);

/** shmap_dev_has_feature() - Returns: 1 if every bit of @feat is supported, else 0. */
int shmap_dev_has_feature(const struct shmap_dev *dev, uint64_t feat);

/**
 * shmap_dev_limits() - the module's current size limits
 * @dev: the device
 * @max_buffer: if not NULL, largest buffer size in bytes
 * @max_total: if not NULL, limit on all reserved memory in bytes
 *
 * Returns: 0 or -errno (values are read from the module at each call).
 */
int shmap_dev_limits(struct shmap_dev *dev, uint64_t *max_buffer,
		     uint64_t *max_total);

/**
 * shmap_buf_create() - create a buffer
 * @dev: the device
 * @size: bytes, rounded up to a multiple of the page size by the module
 * @mode: SHMAP_BUF_DEFAULT, SHMAP_BUF_EAGER or SHMAP_BUF_LAZY
 * @name: shown in /proc/PID/maps as "/shmap:NAME"; NULL for none
 * @flags: SHMAP_BUF_NO_CLOEXEC, SHMAP_BUF_NORESERVE, SHMAP_BUF_HUGE
 * @bufp: where to store the new handle
 *
 * Returns: 0 or -errno: -EINVAL (size 0, bad mode, flag or name),
 * -EFBIG (over max_buffer_mb), -ENOSPC (over max_total_mb), -ENOMEM
 * (eager pages or memory cgroup limit), -EINTR (fatal signal while
 * allocating), -EFAULT.
 */
int shmap_buf_create(struct shmap_dev *dev, uint64_t size,
		     enum shmap_buf_mode mode, const char *name,
		     unsigned int flags, struct shmap_buf **bufp);

/**
 * shmap_buf_import() - make a handle from a buffer fd received elsewhere
 * @fd: a shmap buffer fd; it is duplicated (close-on-exec), the caller keeps @fd
 * @bufp: where to store the new handle
 *
 * Returns: 0 or -errno; -EBADF if @fd is not open, -ENOTTY if @fd is not a
 * shmap buffer.
 */
int shmap_buf_import(int fd, struct shmap_buf **bufp);

/**
 * shmap_buf_export_ro() - a new handle on the same buffer that maps read-only
 * @buf: the buffer
 * @flags: SHMAP_EXPORT_RO_NO_CLOEXEC
 * @rop: where to store the read-only handle
 *
 * Mapping the new handle with PROT_WRITE fails with -EACCES, and mprotect()
 * cannot add write to its mappings.
 *
 * Returns: 0 or -errno.
 */
int shmap_buf_export_ro(struct shmap_buf *buf, unsigned int flags,
			struct shmap_buf **rop);

/**
 * shmap_buf_export_dmabuf() - a dma-buf of the buffer's pages, for devices
 * @buf: the buffer
 * @flags: SHMAP_BUF_DMABUF_NO_CLOEXEC, SHMAP_BUF_DMABUF_READONLY
 * @fdp: where to store the dma-buf's file descriptor (-1 on failure); the
 *	caller owns it and closes it with close(2)
 *
 * The dma-buf is read-only (its fd is O_RDONLY, devices only read from it)
 * with SHMAP_BUF_DMABUF_READONLY, from a read-only handle, or once
 * SHMAP_BUF_SEAL_FUTURE_WRITE is set. A lazy buffer's pages are all
 * allocated now. The dma-buf keeps the buffer alive after every handle
 * on it is closed.
 *
 * Returns: 0 or -errno: -EINVAL (NULL, unknown flags), -EOPNOTSUPP (a
 * kernel without dma-buf: SHMAP_DEV_FEAT_DMABUF is clear), -ENOTTY (a
 * module before 0.3), -ENOMEM, -ENOSPC (over max_total_mb), -EINTR (fatal
 * signal while allocating), -EMFILE. Since: 0.3.
 */
int shmap_buf_export_dmabuf(struct shmap_buf *buf, unsigned int flags,
			    int *fdp);

/**
 * shmap_buf_close() - close the handle's fd; mappings stay valid
 * @buf: the handle, or NULL
 */
void shmap_buf_close(struct shmap_buf *buf);

/** shmap_buf_fd() - Returns: the handle's file descriptor (owned by @buf). */
int shmap_buf_fd(const struct shmap_buf *buf);

/** shmap_buf_size() - Returns: the buffer size in bytes (cached at create/import). */
uint64_t shmap_buf_size(const struct shmap_buf *buf);

/**
 * shmap_buf_map() - map (part of) a buffer, always MAP_SHARED
 * @buf: the buffer
 * @offset: byte offset into the buffer, a multiple of the page size
 * @length: bytes to map; 0 maps from @offset to the end of the buffer
 * @prot: PROT_READ, PROT_WRITE (PROT_READ|PROT_WRITE is the usual)
 * @addrp: where to store the address
 *
 * Returns: 0 or -errno: -EINVAL (offset not aligned or at/after the end),
 * -EACCES (write on a read-only handle), -EPERM (write after
 * SHMAP_BUF_SEAL_FUTURE_WRITE), -ENOMEM.
 */
int shmap_buf_map(struct shmap_buf *buf, uint64_t offset, size_t length,
		  int prot, void **addrp);

/**
 * shmap_buf_map_range() - shmap_buf_map() that says how much it mapped
 * @buf: the buffer
 * @offset: byte offset into the buffer, a multiple of the page size
 * @lengthp: in: bytes to map, 0 for up to the end of the buffer;
 *           out (on success only): bytes mapped, what shmap_buf_unmap() takes
 * @prot: PROT_READ, PROT_WRITE
 * @addrp: where to store the address
 *
 * Returns: as shmap_buf_map(). Since: 0.2.
 */
int shmap_buf_map_range(struct shmap_buf *buf, uint64_t offset,
			size_t *lengthp, int prot, void **addrp);

/**
 * shmap_buf_unmap() - unmap what shmap_buf_map() mapped (or a part of it)
 * @addr: page-aligned address
 * @length: bytes
 *
 * Returns: 0 or -errno from munmap(2).
 */
int shmap_buf_unmap(void *addr, size_t length);

/**
 * shmap_buf_query() - the buffer's size, mode, pages, seals and mappings
 * @buf: the buffer
 * @info: filled in
 *
 * (0.1 called it shmap_buf_info(), a name C++ cannot use beside the struct;
 * that symbol stays in the library for old binaries only.)
 *
 * Returns: 0 or -errno. Since: 0.2.
 */
int shmap_buf_query(struct shmap_buf *buf, struct shmap_buf_info *info);

/**
 * shmap_buf_stat() - shmap_buf_query() and what later versions added
 * @buf: the buffer
 * @st: filled in
 * @size: sizeof(*@st) as the caller knows it: at least
 *	SHMAP_BUF_STAT_SIZE_0_3; bytes this library has no field for are
 *	zeroed
 *
 * Returns: 0 or -errno: -EINVAL (NULL, or @size too small), -ENOTTY.
 * Since: 0.3.
 */
int shmap_buf_stat(struct shmap_buf *buf, struct shmap_buf_stat *st,
		   size_t size);

/**
 * shmap_buf_name() - the name the buffer was created with
 * @buf: the buffer
 * @name: where to store it, NUL-terminated ("" for a buffer without one)
 * @len: size of @name; SHMAP_BUF_NAME_MAX is always enough
 *
 * Read from the fd's /proc/self/fd link ("/shmap:NAME"), so /proc must be
 * mounted.
 *
 * Returns: 0 or -errno: -ERANGE (@len too small), -ENOENT (/proc not
 * mounted), -EINVAL. Since: 0.2.
 */
int shmap_buf_name(const struct shmap_buf *buf, char *name, size_t len);

/**
 * shmap_buf_seal() - add seals
 * @buf: the buffer (a writable handle)
 * @seals: SHMAP_BUF_SEAL_* bits to add
 * @sealsp: if not NULL, the seals in force afterwards
 *
 * Mappings made before SHMAP_BUF_SEAL_FUTURE_WRITE keep their protection.
 *
 * Returns: 0 or -errno: -EPERM (read-only handle, or SHMAP_BUF_SEAL_SEAL
 * already set), -EINVAL (unknown bits).
 */
int shmap_buf_seal(struct shmap_buf *buf, unsigned int seals,
		   unsigned int *sealsp);

/**
 * shmap_buf_send() - send a buffer's fd over a Unix socket (SCM_RIGHTS)
 * @sock: a connected AF_UNIX socket
 * @buf: the buffer
 *
 * One byte of ordinary data goes with the fd. Returns: 0 or -errno.
 */
int shmap_buf_send(int sock, const struct shmap_buf *buf);

/**
 * shmap_buf_recv() - receive a buffer sent by shmap_buf_send()
 * @sock: a connected AF_UNIX socket
 * @bufp: where to store the new handle (its fd is close-on-exec)
 *
 * Extra fds in the message are closed; only the first one is kept.
 *
 * Returns: 0 or -errno: -ECONNRESET (peer closed), -EBADMSG (no fd in the
 * message, no data byte, or truncated ancillary data: any fds received are
 * closed), -ENOTTY (the fd is not a shmap buffer; it is closed).
 */
int shmap_buf_recv(int sock, struct shmap_buf **bufp);

#ifdef __cplusplus
}
#endif

#endif /* LIBSHMAP_SHMAP_H */
