// SPDX-License-Identifier: GPL-2.0
/*
 * shmap-hold: a helper for the guest tests: keep a buffer alive, held in a
 * known way, so that `modprobe -r shmap` must fail and `shmapctl list`
 * has something to show.
 *
 *   shmap-hold fd    READYFILE [NAME]  create a lazy buffer, touch it,
 *                                      keep only its fd open
 *   shmap-hold map   READYFILE [NAME]  create, mmap, touch, close the fd
 *                                      and /dev/shmap: only the mapping
 *                                      remains
 *   shmap-hold share READYFILE [NAME]  create, mmap, touch 3 pages, fork: the
 *                                      child closes the fd and keeps only
 *                                      the mapping, the parent unmaps,
 *                                      seals future writes and keeps only
 *                                      the fd
 *   shmap-hold dmabuf READYFILE [NAME] create, export a dma-buf (which
 *                                      allocates every page), unmap: keep
 *                                      the fd and the dma-buf's fd
 *   shmap-hold dmabuf-only READYFILE [NAME]
 *                                      the same, then close the fd: only
 *                                      the dma-buf holds the buffer
 *
 * Every buffer is lazy, 16 pages, named NAME (default "held"). Once set up,
 * writes "PID FD CHILD PAGESIZE" to READYFILE (FD -1 when closed, CHILD 0
 * when there is none), then sleeps until killed (at most 10 min); the child
 * of share dies with its parent.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <linux/shmap.h>

#define PAGES 16
#define SHARE_TOUCHED 3

static int ready(const char *path, int fd, pid_t child, long page)
{
	char tmp[4096];
	FILE *f;

	/* Written whole, then renamed: the reader never sees half of it. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f || fprintf(f, "%d %d %d %ld\n", (int)getpid(), fd, (int)child,
			      page) < 0 ||
	    fclose(f) || rename(tmp, path)) {
		perror("shmap-hold: ready file");
		return 1;
	}
	return 0;
}

/* The child of share: only the mapping, until the parent dies. */
static void share_child(int fd, int sync[2])
{
	close(fd);
	close(sync[0]);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(0);
	if (write(sync[1], "", 1) != 1)
		_exit(1);
	close(sync[1]);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t len = PAGES * (size_t)page;
	const char *mode = argc > 1 ? argv[1] : "";
	struct shmap_dmabuf dmabuf;
	struct shmap_seal seal;
	struct shmap_create c;
	pid_t child = 0;
	int dev, fd;
	char *p;

	if ((argc != 3 && argc != 4) ||
	    (strcmp(mode, "fd") && strcmp(mode, "map") && strcmp(mode, "share") &&
	     strcmp(mode, "dmabuf") && strcmp(mode, "dmabuf-only"))) {
		fprintf(stderr, "usage: shmap-hold fd|map|share|dmabuf|dmabuf-only READYFILE [NAME]\n");
		return 2;
	}
	dev = open("/dev/shmap", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		perror("shmap-hold: /dev/shmap");
		return 1;
	}
	memset(&c, 0, sizeof(c));
	c.size = len;
	c.mode = SHMAP_MODE_LAZY;
	c.name = (unsigned long)(argc == 4 ? argv[3] : "held");
	if (ioctl(dev, SHMAP_IOC_CREATE, &c)) {
		perror("shmap-hold: SHMAP_IOC_CREATE");
		return 1;
	}
	fd = (int)c.fd;
	close(dev);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("shmap-hold: mmap");
		return 1;
	}
	if (!strcmp(mode, "share")) {
		int sync[2];
		char b;

		memset(p, 0x77, SHARE_TOUCHED * (size_t)page);
		if (pipe2(sync, O_CLOEXEC)) {
			perror("shmap-hold: pipe");
			return 1;
		}
		child = fork();
		if (child < 0) {
			perror("shmap-hold: fork");
			return 1;
		}
		if (child == 0)
			share_child(fd, sync);
		close(sync[1]);
		if (read(sync[0], &b, 1) != 1) {
			fprintf(stderr, "shmap-hold: the child died\n");
			return 1;
		}
		close(sync[0]);
		munmap(p, len);
		memset(&seal, 0, sizeof(seal));
		seal.seals = SHMAP_SEAL_FUTURE_WRITE;
		if (ioctl(fd, SHMAP_IOC_SEAL, &seal)) {
			perror("shmap-hold: SHMAP_IOC_SEAL");
			return 1;
		}
	} else if (!strncmp(mode, "dmabuf", 6)) {
		munmap(p, len);
		memset(&dmabuf, 0, sizeof(dmabuf));
		if (ioctl(fd, SHMAP_IOC_EXPORT_DMABUF, &dmabuf)) {
			perror("shmap-hold: SHMAP_IOC_EXPORT_DMABUF");
			return 1;
		}
		if (mode[6]) {
			close(fd);
			fd = -1;
		}
	} else {
		memset(p, 0x77, len);
		if (!strcmp(mode, "map")) {
			close(fd);
			fd = -1;
		} else {
			munmap(p, len);
		}
	}
	if (ready(argv[2], fd, child, page))
		return 1;
	sleep(600);
	return 0;
}
