// SPDX-License-Identifier: GPL-2.0
/*
 * shmap-demo: two processes share a shmap buffer.
 *
 * The parent forks a producer and a consumer joined by a Unix socketpair.
 * The producer creates a named buffer, writes a message into it and sends
 * the buffer's fd over the socket (SCM_RIGHTS). The consumer receives it,
 * maps it, prints the message and writes a reply into the same memory;
 * the producer prints the reply. Exit status 0 when all of that worked.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shmap.h"

#define BUF_SIZE	(64 * 1024)
#define REPLY_OFF	4096
#define MESSAGE		"Hello from the producer, through kernel memory shared with shmap!"
#define REPLY		"Hello back from the consumer: I read your message in place."

static int fail(const char *who, const char *what, int err)
{
	fprintf(stderr, "%s: %s: %s\n", who, what, strerror(err));
	return 1;
}

static int producer(int sock)
{
	const char *me = "producer";
	struct shmap_buf_info info;
	struct shmap_dev *dev;
	struct shmap_buf *buf;
	char *mem, ack;
	int r;

	r = shmap_dev_open(&dev);
	if (r)
		return fail(me, "opening /dev/shmap (is the module loaded?)", -r);
	r = shmap_buf_create(dev, BUF_SIZE, SHMAP_BUF_DEFAULT, "demo", 0, &buf);
	if (r)
		return fail(me, "creating the buffer", -r);
	r = shmap_buf_map(buf, 0, 0, PROT_READ | PROT_WRITE, (void **)&mem);
	if (r)
		return fail(me, "mapping the buffer", -r);
	r = shmap_buf_info(buf, &info);
	if (r)
		return fail(me, "querying the buffer", -r);
	printf("[producer %d] created buffer \"demo\": %llu bytes, %s mode, inode %llu\n",
	       (int)getpid(), (unsigned long long)info.size,
	       info.mode == SHMAP_BUF_EAGER ? "eager" : "lazy",
	       (unsigned long long)info.ino);

	snprintf(mem, REPLY_OFF, "%s", MESSAGE);
	printf("[producer %d] wrote: \"%s\"\n", (int)getpid(), mem);
	printf("[producer %d] sending the buffer fd to the consumer\n", (int)getpid());
	r = shmap_buf_send(sock, buf);
	if (r)
		return fail(me, "sending the buffer fd", -r);

	/* The consumer answers with one byte when its reply is in place. */
	if (read(sock, &ack, 1) != 1)
		return fail(me, "waiting for the consumer", errno ? errno : EPIPE);
	printf("[producer %d] the consumer wrote back: \"%s\"\n", (int)getpid(),
	       mem + REPLY_OFF);
	r = shmap_buf_info(buf, &info);
	if (!r)
		printf("[producer %d] buffer now: %llu resident pages, %u mapping(s)\n",
		       (int)getpid(), (unsigned long long)info.resident_pages,
		       info.mappings);
	r = strcmp(mem + REPLY_OFF, REPLY) ? 1 : 0;
	shmap_buf_unmap(mem, BUF_SIZE);
	shmap_buf_close(buf);
	shmap_dev_close(dev);
	return r;
}

static int consumer(int sock)
{
	const char *me = "consumer";
	struct shmap_buf *buf;
	char *mem, ack = 'k';
	int r;

	r = shmap_buf_recv(sock, &buf);
	if (r)
		return fail(me, "receiving the buffer fd", -r);
	printf("[consumer %d] received a buffer fd (%llu bytes)\n", (int)getpid(),
	       (unsigned long long)shmap_buf_size(buf));
	r = shmap_buf_map(buf, 0, 0, PROT_READ | PROT_WRITE, (void **)&mem);
	if (r)
		return fail(me, "mapping the buffer", -r);
	printf("[consumer %d] read: \"%s\"\n", (int)getpid(), mem);
	if (strcmp(mem, MESSAGE)) {
		fprintf(stderr, "consumer: unexpected message\n");
		return 1;
	}
	snprintf(mem + REPLY_OFF, BUF_SIZE - REPLY_OFF, "%s", REPLY);
	printf("[consumer %d] wrote a reply into the same buffer\n", (int)getpid());
	shmap_buf_unmap(mem, BUF_SIZE);
	shmap_buf_close(buf);
	if (write(sock, &ack, 1) != 1)
		return fail(me, "notifying the producer", errno);
	return 0;
}

static int reap(pid_t pid, const char *who)
{
	int status;

	if (waitpid(pid, &status, 0) < 0)
		return fail("shmap-demo", "waitpid", errno);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFSIGNALED(status))
		fprintf(stderr, "shmap-demo: the %s was killed by signal %d\n", who,
			WTERMSIG(status));
	else
		fprintf(stderr, "shmap-demo: the %s failed (exit %d)\n", who,
			WEXITSTATUS(status));
	return 1;
}

int main(void)
{
	pid_t prod, cons;
	int sv[2], bad;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return fail("shmap-demo", "socketpair", errno);
	printf("shmap-demo: starting a producer and a consumer\n");
	prod = fork();
	if (prod == 0) {
		close(sv[1]);
		exit(producer(sv[0]));
	}
	cons = fork();
	if (cons == 0) {
		close(sv[0]);
		exit(consumer(sv[1]));
	}
	if (prod < 0 || cons < 0)
		return fail("shmap-demo", "fork", errno);
	close(sv[0]);
	close(sv[1]);
	bad = reap(cons, "consumer");
	bad |= reap(prod, "producer");
	printf("shmap-demo: %s\n", bad ? "FAILED" : "success: both sides saw each other's data");
	return bad;
}
