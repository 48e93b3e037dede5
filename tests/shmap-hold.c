// SPDX-License-Identifier: GPL-2.0
/*
 * shmap-hold: a helper for suite.sh: keep a buffer alive so that
 * `modprobe -r shmap` must fail.
 *
 *   shmap-hold fd  READYFILE   create an eager buffer, keep its fd open
 *   shmap-hold map READYFILE   create, mmap, touch, close the fd and
 *                              /dev/shmap: only the mapping remains
 *
 * Writes READYFILE once set up, then sleeps until killed (at most 10 min).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/shmap.h>

int main(int argc, char **argv)
{
	struct shmap_create c;
	size_t len = 16 * (size_t)sysconf(_SC_PAGESIZE);
	int dev, fd, rf, map;
	char *p;

	if (argc != 3 || (strcmp(argv[1], "fd") && strcmp(argv[1], "map"))) {
		fprintf(stderr, "usage: shmap-hold fd|map READYFILE\n");
		return 2;
	}
	map = !strcmp(argv[1], "map");
	dev = open("/dev/shmap", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		perror("shmap-hold: /dev/shmap");
		return 1;
	}
	memset(&c, 0, sizeof(c));
	c.size = len;
	c.mode = SHMAP_MODE_LAZY;
	c.name = (unsigned long)"held";
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
	memset(p, 0x77, len);
	if (map)
		close(fd);
	else
		munmap(p, len);
	rf = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (rf < 0 || write(rf, "ready\n", 6) != 6) {
		perror("shmap-hold: ready file");
		return 1;
	}
	close(rf);
	sleep(600);
	return 0;
}
