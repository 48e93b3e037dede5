/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * shmapctl: the buffers of the system and the processes that hold them
 * (buffers.c), as plain structs for `shmapctl list`.
 */
#ifndef SHMAPCTL_BUFFERS_H
#define SHMAPCTL_BUFFERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SHMAP_DEBUGFS_BUFFERS "/sys/kernel/debug/shmap/buffers"

/* A process that holds a buffer by fd, by mapping, or both. */
struct buf_holder {
	pid_t pid;
	uid_t uid;		/* effective uid */
	bool uid_known;
	char comm[32];
	int *fds;		/* its fds on the buffer, ascending */
	size_t nfds;
	bool writable;		/* one of these fds may map writable */
	uint64_t mapped;	/* bytes of its mappings of the buffer */
};

/* What the module tells of a buffer, in fdinfo or in debugfs. */
struct buf_info {
	uint64_t size;
	char mode[8];		/* "eager", "lazy" */
	uint64_t resident_pages;
	uint64_t reserved_pages;
	uint64_t mappings;	/* vma pieces, all processes */
	char seals[32];		/* "future_write,seal", "" if none */
	bool noreserve;
	bool huge;		/* created with SHMAP_BUF_HUGE */
	uint64_t huge_folios;	/* 2 MiB folios among the resident pages */
	bool dmabufs_known;	/* fdinfo or debugfs has it (since 0.3) */
	uint64_t dmabuf_exports;	/* dma-bufs of the buffer alive */
	pid_t creator_pid;	/* 0: none in our pid namespace */
	char creator_comm[32];
};

/*
 * One buffer. What is not known is flagged: a buffer seen only in
 * /proc/PID/maps (no readable fd, no debugfs) has a name but no info.
 */
struct buf_entry {
	dev_t dev;
	ino_t ino;
	bool info_known;
	struct buf_info info;
	char *name;		/* NULL: not known */
	bool uid_known;
	uid_t uid;		/* owner of the inode */
	struct buf_holder *holders;	/* ascending pid */
	size_t nholders;
};

struct buf_scan {
	struct buf_entry *bufs;	/* ascending inode */
	size_t nbufs;
	bool from_debugfs;	/* every live buffer is listed */
	unsigned int denied;	/* processes we were not allowed to inspect */
};

int buf_scan(struct buf_scan *s, const char *proc, const char *debugfs);
void buf_scan_free(struct buf_scan *s);

#endif /* SHMAPCTL_BUFFERS_H */
