// SPDX-License-Identifier: GPL-2.0
/*
 * share: the memory really is shared: across fork, across SCM_RIGHTS
 * (libshmap's send/recv), between processes that map a lazy buffer on
 * their own, and under concurrent first touches (threads and processes)
 * that must end with exactly one page each.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "shmap.h"
#include "tshmap.h"

static void fork_mode(uint32_t mode)
{
	size_t pg = t_page(), len = 32 * pg;
	int dev = t_dev();
	int fd = T_CREATE(dev, len, mode, 0, NULL);
	char *p = T_MAP(fd, len, PROT_READ | PROT_WRITE, 0);
	pid_t pid;

	/* The child writes, the parent reads. */
	pid = tap_fork();
	if (pid == 0) {
		t_fill(p, len, 31);
		_exit(0);
	}
	CHECK_EXIT0(tap_wait(pid));
	CHECK_PATTERN(p, len, 31);

	/* The parent writes, the child reads and answers in place. */
	t_fill(p, len, 32);
	pid = tap_fork();
	if (pid == 0) {
		if (t_verify(p, len, 32) != (size_t)-1)
			_exit(3);
		t_fill(p, len / 2, 33);
		_exit(0);
	}
	CHECK_EXIT0(tap_wait(pid));
	CHECK_PATTERN(p, len / 2, 33);
	CHECK_EQ(T_INFO(fd).resident_pages, 32);
	munmap(p, len);
	close(fd);
	close(dev);
}

static void fork_eager(void)
{
	fork_mode(SHMAP_MODE_EAGER);
}

static void fork_lazy(void)
{
	fork_mode(SHMAP_MODE_LAZY);
}

static const char hello[] = "hello through SCM_RIGHTS";
static const char reply[] = "and hello back";

static void scm_rights_mode(enum shmap_buf_mode mode)
{
	size_t len = 8 * t_page();
	struct shmap_dev *dev;
	struct shmap_buf *buf;
	int sv[2];
	char *p, c;
	pid_t pid;

	REQUIRE_RET(shmap_dev_open(&dev), 0);
	REQUIRE_RET(shmap_buf_create(dev, len, mode, "scm", 0, &buf), 0);
	REQUIRE_RET(shmap_buf_map(buf, 0, 0, PROT_READ | PROT_WRITE, (void **)&p), 0);
	REQUIRE_SYS(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));

	pid = tap_fork();
	if (pid == 0) {
		struct shmap_buf *rb = NULL;
		char *q;

		close(sv[0]);
		shmap_buf_close(buf);
		munmap(p, len);
		shmap_dev_close(dev);
		/* The child has no mapping and no fd until it receives one. */
		REQUIRE_RET(shmap_buf_recv(sv[1], &rb), 0);
		CHECK_EQ(shmap_buf_size(rb), len);
		REQUIRE_RET(shmap_buf_map(rb, 0, 0, PROT_READ | PROT_WRITE, (void **)&q), 0);
		CHECK(!strcmp(q, hello));
		CHECK_PATTERN(q + t_page(), len - t_page(), 41);
		strcpy(q + 100, reply);
		t_fill(q + t_page(), len - t_page(), 42);
		c = 'd';
		CHECK_EQ(write(sv[1], &c, 1), 1);
		shmap_buf_close(rb);
		tap_end();
	}
	close(sv[1]);
	strcpy(p, hello);
	t_fill(p + t_page(), len - t_page(), 41);
	REQUIRE_RET(shmap_buf_send(sv[0], buf), 0);
	CHECK_EQ(read(sv[0], &c, 1), 1);
	CHECK_EXIT0(tap_wait(pid));
	CHECK(!strcmp(p + 100, reply));
	CHECK_PATTERN(p + t_page(), len - t_page(), 42);
	munmap(p, len);
	shmap_buf_close(buf);
	shmap_dev_close(dev);
	close(sv[0]);
}

static void scm_rights_eager(void)
{
	scm_rights_mode(SHMAP_BUF_EAGER);
}

static void scm_rights_lazy(void)
{
	scm_rights_mode(SHMAP_BUF_LAZY);
}

/*
 * Two processes map a lazy buffer each on their own (no inherited
 * mapping) and take turns making first touches: each sees the other's.
 */
static void independent_lazy(void)
{
	size_t pg = t_page(), npages = 16, len = npages * pg;
	int dev = t_dev();
	int fd = T_CREATE(dev, len, SHMAP_MODE_LAZY, 0, NULL);
	int a2b[2], b2a[2];
	pid_t a, b;
	char c;

	REQUIRE_SYS(pipe(a2b));
	REQUIRE_SYS(pipe(b2a));
	a = tap_fork();
	if (a == 0) {
		char *p = T_MAP(fd, len, PROT_READ | PROT_WRITE, 0);
		size_t i;

		for (i = 0; i < npages; i += 2) {
			/* First touch of page i, then wait for B's page i+1. */
			CHECK_EQ(p[i * pg + 1], 0);
			p[i * pg] = (char)('a' + i);
			c = 'a';
			REQUIRE_EQ(write(a2b[1], &c, 1), 1);
			REQUIRE_EQ(read(b2a[0], &c, 1), 1);
			CHECK_EQ(p[(i + 1) * pg], (char)('A' + i + 1));
		}
		tap_end();
	}
	b = tap_fork();
	if (b == 0) {
		char *p = T_MAP(fd, len, PROT_READ | PROT_WRITE, 0);
		size_t i;

		for (i = 0; i < npages; i += 2) {
			REQUIRE_EQ(read(a2b[0], &c, 1), 1);
			CHECK_EQ(p[i * pg], (char)('a' + i));
			p[(i + 1) * pg] = (char)('A' + i + 1);
			c = 'b';
			REQUIRE_EQ(write(b2a[1], &c, 1), 1);
		}
		tap_end();
	}
	CHECK_EXIT0(tap_wait(a));
	CHECK_EXIT0(tap_wait(b));
	CHECK_EQ(T_INFO(fd).resident_pages, npages);
	CHECK_EQ(T_INFO(fd).mappings, 0);
	close(fd);
	close(dev);
}

/* Concurrent first touches: every worker writes its own slot of each page. */
#define NPAGES		64
#define TOUCHED		48	/* pages 0..TOUCHED-1 are touched */
#define SLOT		64
#define RELEASE		(16 * SLOT)	/* a flag byte in page 0 */

struct touch_ctx {
	char *p;
	pthread_barrier_t *bar;
	int id;
};

static void touch_all(char *p, int id)
{
	size_t pg = t_page();
	size_t i;

	/* Half the workers go up, half go down: collisions either way. */
	for (i = 0; i < TOUCHED; i++) {
		size_t page = id % 2 ? TOUCHED - 1 - i : i;

		memset(p + page * pg + (size_t)id * SLOT, id + 1, SLOT);
	}
}

/* Returns the number of bad slots. */
static int verify_all(const char *p, int workers)
{
	size_t pg = t_page(), i;
	int id, bad = 0, j;

	/* Only touched pages: reading the others would allocate them. */
	for (i = 0; i < TOUCHED; i++) {
		for (id = 0; id < workers; id++) {
			int want = id + 1;

			for (j = 0; j < SLOT; j++) {
				if (p[i * pg + (size_t)id * SLOT + j] != want) {
					if (!bad)
						tap_diag("page %zu slot %d: %#x, expected %#x",
							 i, id, p[i * pg + (size_t)id * SLOT + j],
							 want);
					bad++;
					break;
				}
			}
		}
	}
	return bad;
}

static void *touch_thread(void *arg)
{
	struct touch_ctx *c = arg;

	pthread_barrier_wait(c->bar);
	touch_all(c->p, c->id);
	return NULL;
}

static void concurrent_threads(void)
{
	enum { N = 8 };
	int dev = t_dev();
	size_t len = NPAGES * t_page();
	int fd = T_CREATE(dev, len, SHMAP_MODE_LAZY, 0, NULL);
	char *p = T_MAP(fd, len, PROT_READ | PROT_WRITE, 0);
	pthread_barrier_t bar;
	struct touch_ctx ctx[N];
	pthread_t th[N];
	uint64_t faults;
	int i, round;

	/* One fault per page touched: see the faults check below. */
	T_WINDOW1();
	faults = T_STAT("faults");
	for (round = 0; round < 4; round++) {
		REQUIRE_EQ(pthread_barrier_init(&bar, NULL, N), 0);
		for (i = 0; i < N; i++) {
			ctx[i] = (struct touch_ctx){ .p = p, .bar = &bar, .id = i };
			REQUIRE_EQ(pthread_create(&th[i], NULL, touch_thread, &ctx[i]), 0);
		}
		for (i = 0; i < N; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&bar);
		CHECK_EQ(T_INFO(fd).resident_pages, TOUCHED);
		CHECK_EQ(verify_all(p, N), 0);
		if (round == 0)
			CHECK_GE(T_STAT("faults"), faults + TOUCHED);
		/* Again from scratch, on a fresh buffer. */
		munmap(p, len);
		close(fd);
		fd = T_CREATE(dev, len, SHMAP_MODE_LAZY, 0, NULL);
		p = T_MAP(fd, len, PROT_READ | PROT_WRITE, 0);
	}
	munmap(p, len);
	close(fd);
	close(dev);
}

static void concurrent_procs(void)
{
	enum { N = 4 };
	int dev = t_dev();
	size_t len = NPAGES * t_page();
	int round;

	/* Exactly the pages touched become resident: see the check below. */
	T_WINDOW1();
	for (round = 0; round < 4; round++) {
		int fd = T_CREATE(dev, len, SHMAP_MODE_LAZY, 0, NULL);
		int go[2], ready[2], i;
		pid_t pids[N];
		char c, *p;

		REQUIRE_SYS(pipe(go));
		REQUIRE_SYS(pipe(ready));
		for (i = 0; i < N; i++) {
			pids[i] = tap_fork();
			if (pids[i] == 0) {
				/* Each process maps the buffer itself. */
				char *q = T_MAP(fd, len, PROT_READ | PROT_WRITE, 0);
				int bad;

				close(go[1]);
				c = 'r';
				REQUIRE_EQ(write(ready[1], &c, 1), 1);
				REQUIRE_EQ(read(go[0], &c, 1), 0);	/* EOF: go */
				touch_all(q, i);
				/* Wait for everybody, then every writer reads. */
				REQUIRE_EQ(write(ready[1], &c, 1), 1);
				while (*(volatile char *)(q + RELEASE) == 0)
					usleep(1000);
				bad = verify_all(q, N);
				CHECK_EQ(bad, 0);
				tap_end();
			}
		}
		close(go[0]);
		for (i = 0; i < N; i++)
			REQUIRE_EQ(read(ready[0], &c, 1), 1);
		close(go[1]);	/* all start together */
		for (i = 0; i < N; i++)
			REQUIRE_EQ(read(ready[0], &c, 1), 1);
		CHECK_EQ(T_INFO(fd).resident_pages, TOUCHED);
		p = T_MAP(fd, len, PROT_READ | PROT_WRITE, 0);
		CHECK_EQ(verify_all(p, N), 0);
		CHECK_EQ(T_INFO(fd).resident_pages, TOUCHED);
		/* Release the readers. */
		p[RELEASE] = 1;
		for (i = 0; i < N; i++)
			CHECK_EXIT0(tap_wait(pids[i]));
		CHECK_EQ(T_INFO(fd).resident_pages, TOUCHED);
		/* The untouched pages read as zero (and get allocated now). */
		CHECK(t_all_zero(p + TOUCHED * t_page(), (NPAGES - TOUCHED) * t_page(), NULL));
		CHECK_EQ(T_INFO(fd).resident_pages, NPAGES);
		munmap(p, len);
		close(fd);
		close(ready[0]);
		close(ready[1]);
	}
	close(dev);
}

static const struct tap_case cases[] = {
	TAP_CASE(fork_eager),
	TAP_CASE(fork_lazy),
	TAP_CASE(scm_rights_eager),
	TAP_CASE(scm_rights_lazy),
	TAP_CASE(independent_lazy),
	TAP_CASE_T(concurrent_threads, 120),
	TAP_CASE_T(concurrent_procs, 120),
};

TAP_MAIN("share", cases)
