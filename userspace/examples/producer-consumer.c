// SPDX-License-Identifier: MIT
/*
 * producer-consumer: pass a shmap buffer from one process to another over a
 * Unix socket.
 *
 * The producer creates a 1 MiB buffer, fills it, and sends its fd with
 * shmap_buf_send() (SCM_RIGHTS). The consumer, which had no access to the
 * buffer before, receives it with shmap_buf_recv(), maps it, checks the
 * data and writes a reply into the same memory. The producer then sees the
 * reply: both processes map the same pages, nothing is copied.
 *
 * Exit status 0 if every check passed.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <shmap.h>

#define SIZE (1u << 20)
#define GREETING "hello from the producer"
#define REPLY "hello back from the consumer"

/* Byte i of the pattern the producer writes after the greeting. */
static uint8_t pattern(size_t i)
{
	return (uint8_t)(i * 7 + 3);
}

static int consumer(int sock)
{
	struct shmap_buf *buf;
	char *mem;
	size_t i;
	int err;

	/* The buffer arrives as an fd; the handle's fd is close-on-exec. */
	err = shmap_buf_recv(sock, &buf);
	if (err) {
		fprintf(stderr, "consumer: shmap_buf_recv: %s\n", strerror(-err));
		return 1;
	}
	printf("consumer: received a %llu-byte buffer (fd %d)\n",
	       (unsigned long long)shmap_buf_size(buf), shmap_buf_fd(buf));

	err = shmap_buf_map(buf, 0, 0, PROT_READ | PROT_WRITE, (void **)&mem);
	if (err) {
		fprintf(stderr, "consumer: shmap_buf_map: %s\n", strerror(-err));
		return 1;
	}
	printf("consumer: read \"%s\"\n", mem);
	if (strcmp(mem, GREETING) != 0) {
		fprintf(stderr, "consumer: wrong greeting\n");
		return 1;
	}
	for (i = 4096; i < SIZE; i++) {
		if ((uint8_t)mem[i] != pattern(i)) {
			fprintf(stderr, "consumer: byte %zu is wrong\n", i);
			return 1;
		}
	}
	printf("consumer: %u bytes of pattern are right\n", SIZE - 4096);

	/* Write into the same pages, then tell the producer. */
	strcpy(mem, REPLY);
	if (write(sock, "k", 1) != 1) {
		perror("consumer: write");
		return 1;
	}
	shmap_buf_unmap(mem, SIZE);
	shmap_buf_close(buf);
	return 0;
}

static int producer(int sock, pid_t child)
{
	struct shmap_dev *dev;
	struct shmap_buf *buf;
	char *mem, ack;
	size_t i;
	int err, status, ok = 1;

	err = shmap_dev_open(&dev);
	if (err) {
		fprintf(stderr, "producer: shmap_dev_open: %s\n", strerror(-err));
		return 1;
	}
	err = shmap_buf_create(dev, SIZE, SHMAP_BUF_DEFAULT, "producer-consumer",
			       0, &buf);
	shmap_dev_close(dev);	/* buffers outlive the device handle */
	if (err) {
		fprintf(stderr, "producer: shmap_buf_create: %s\n", strerror(-err));
		return 1;
	}
	err = shmap_buf_map(buf, 0, 0, PROT_READ | PROT_WRITE, (void **)&mem);
	if (err) {
		fprintf(stderr, "producer: shmap_buf_map: %s\n", strerror(-err));
		return 1;
	}
	strcpy(mem, GREETING);
	for (i = 4096; i < SIZE; i++)
		mem[i] = (char)pattern(i);
	printf("producer: wrote \"%s\" and a pattern, sending the buffer\n",
	       GREETING);

	err = shmap_buf_send(sock, buf);
	if (err) {
		fprintf(stderr, "producer: shmap_buf_send: %s\n", strerror(-err));
		return 1;
	}
	/* Our handle is no longer needed: the mapping keeps the buffer. */
	shmap_buf_close(buf);

	if (read(sock, &ack, 1) != 1) {
		fprintf(stderr, "producer: the consumer did not answer\n");
		ok = 0;
	} else {
		printf("producer: read \"%s\"\n", mem);
		if (strcmp(mem, REPLY) != 0) {
			fprintf(stderr, "producer: wrong reply\n");
			ok = 0;
		}
	}
	shmap_buf_unmap(mem, SIZE);

	if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "producer: the consumer failed\n");
		ok = 0;
	}
	return ok ? 0 : 1;
}

int main(void)
{
	int sv[2];
	pid_t pid;
	int ret;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		perror("socketpair");
		return 1;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		close(sv[0]);
		_exit(consumer(sv[1]));
	}
	close(sv[1]);
	ret = producer(sv[0], pid);
	printf("producer-consumer: %s\n", ret ? "FAILED" : "OK");
	return ret;
}
