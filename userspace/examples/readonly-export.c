// SPDX-License-Identifier: MIT
/*
 * readonly-export: give an untrusted reader a read-only view of a buffer.
 *
 * The owner creates a buffer, writes into it, and makes a read-only export
 * with shmap_buf_export_ro(). Only that export is sent to the reader, a
 * child forked before the buffer existed (so it never had the writable fd).
 * The reader shows that it can read, and that the kernel refuses to let it
 * write: mmap(PROT_WRITE) fails with EACCES, mprotect() of a read-only
 * mapping to PROT_WRITE fails with EACCES, and sealing fails with EPERM.
 *
 * Exit status 0 if the reader could read and every write attempt failed
 * as it should.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <shmap.h>

#define SECRET "read me, but do not change me"

static int check(int ok, const char *what)
{
	printf("reader: %s: %s\n", ok ? "ok" : "FAILED", what);
	return ok ? 0 : 1;
}

static int reader(int sock)
{
	struct shmap_buf_info info;
	struct shmap_buf *ro;
	size_t size;
	void *p;
	int err, fails = 0;

	err = shmap_buf_recv(sock, &ro);
	if (err) {
		fprintf(stderr, "reader: shmap_buf_recv: %s\n", strerror(-err));
		return 1;
	}
	size = (size_t)shmap_buf_size(ro);

	err = shmap_buf_query(ro, &info);
	fails += check(!err && (info.flags & SHMAP_BUF_INFO_READONLY),
		       "the fd is marked read-only");

	/* Reading works. */
	err = shmap_buf_map(ro, 0, 0, PROT_READ, &p);
	fails += check(!err, "mmap(PROT_READ) works");
	if (!err) {
		printf("reader: the buffer says \"%s\"\n", (char *)p);
		fails += check(strcmp(p, SECRET) == 0, "the data is the owner's");

		/* A read-only mapping cannot be made writable. */
		errno = 0;
		fails += check(mprotect(p, size, PROT_READ | PROT_WRITE) < 0 &&
			       errno == EACCES,
			       "mprotect(PROT_READ|PROT_WRITE) fails with EACCES");
		shmap_buf_unmap(p, size);
	}

	/* A writable mapping is refused, through the library... */
	err = shmap_buf_map(ro, 0, 0, PROT_READ | PROT_WRITE, &p);
	fails += check(err == -EACCES,
		       "shmap_buf_map(PROT_WRITE) fails with -EACCES");
	if (!err)
		shmap_buf_unmap(p, size);

	/* ...and by the kernel itself, whatever library the reader uses. */
	errno = 0;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 shmap_buf_fd(ro), 0);
	fails += check(p == MAP_FAILED && errno == EACCES,
		       "raw mmap(PROT_WRITE, MAP_SHARED) fails with EACCES");
	if (p != MAP_FAILED)
		munmap(p, size);

	/* Nor can it seal the owner's buffer. */
	err = shmap_buf_seal(ro, SHMAP_BUF_SEAL_FUTURE_WRITE, NULL);
	fails += check(err == -EPERM, "shmap_buf_seal fails with -EPERM");

	shmap_buf_close(ro);
	if (write(sock, "d", 1) != 1)
		fails++;
	return fails ? 1 : 0;
}

static int owner(int sock, pid_t child)
{
	struct shmap_buf *buf, *ro;
	struct shmap_dev *dev;
	char *mem, done;
	int err, status, ok = 1;

	err = shmap_dev_open(&dev);
	if (err) {
		fprintf(stderr, "owner: shmap_dev_open: %s\n", strerror(-err));
		return 1;
	}
	err = shmap_buf_create(dev, 4096, SHMAP_BUF_DEFAULT, "readonly-export",
			       0, &buf);
	shmap_dev_close(dev);
	if (err) {
		fprintf(stderr, "owner: shmap_buf_create: %s\n", strerror(-err));
		return 1;
	}
	err = shmap_buf_map(buf, 0, 0, PROT_READ | PROT_WRITE, (void **)&mem);
	if (err) {
		fprintf(stderr, "owner: shmap_buf_map: %s\n", strerror(-err));
		return 1;
	}
	strcpy(mem, SECRET);

	err = shmap_buf_export_ro(buf, 0, &ro);
	if (err) {
		fprintf(stderr, "owner: shmap_buf_export_ro: %s\n", strerror(-err));
		return 1;
	}
	printf("owner: wrote \"%s\", sending a read-only export\n", SECRET);
	err = shmap_buf_send(sock, ro);
	shmap_buf_close(ro);
	if (err) {
		fprintf(stderr, "owner: shmap_buf_send: %s\n", strerror(-err));
		return 1;
	}

	if (read(sock, &done, 1) != 1)
		ok = 0;
	if (strcmp(mem, SECRET) != 0) {
		fprintf(stderr, "owner: the data changed!\n");
		ok = 0;
	} else {
		printf("owner: the data is unchanged\n");
	}
	if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		ok = 0;
	shmap_buf_unmap(mem, 4096);
	shmap_buf_close(buf);
	return ok ? 0 : 1;
}

int main(void)
{
	int sv[2], ret;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		perror("socketpair");
		return 1;
	}
	fflush(stdout);
	/* Fork first: the reader never holds the writable fd. */
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		close(sv[0]);
		_exit(reader(sv[1]));
	}
	close(sv[1]);
	ret = owner(sv[0], pid);
	printf("readonly-export: %s\n", ret ? "FAILED" : "OK");
	return ret;
}
