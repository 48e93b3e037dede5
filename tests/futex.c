// SPDX-License-Identifier: GPL-2.0
/*
 * futex: PTHREAD_PROCESS_SHARED synchronisation objects living in a shmap
 * buffer work across processes (shared futexes key on the page's
 * mapping/index): a contended mutex, a condvar ping-pong, a barrier.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "tshmap.h"

struct shared {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_barrier_t barrier;
	long counter;
	int turn;
	int rounds_done;
	long phase_sum[64];
};

static struct shared *map_shared(uint32_t mode, int *fdp)
{
	int dev = t_dev();
	/* Two pages: the objects sit across no boundary, but page 1 is unused. */
	int fd = T_CREATE(dev, 2 * t_page(), mode, 0, "futex");
	struct shared *s = T_MAP(fd, 2 * t_page(), PROT_READ | PROT_WRITE, 0);

	close(dev);
	*fdp = fd;
	return s;
}

static void init_lock_cond(struct shared *s)
{
	pthread_mutexattr_t ma;
	pthread_condattr_t ca;

	REQUIRE_EQ(pthread_mutexattr_init(&ma), 0);
	REQUIRE_EQ(pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED), 0);
	REQUIRE_EQ(pthread_mutex_init(&s->lock, &ma), 0);
	pthread_mutexattr_destroy(&ma);
	REQUIRE_EQ(pthread_condattr_init(&ca), 0);
	REQUIRE_EQ(pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED), 0);
	REQUIRE_EQ(pthread_cond_init(&s->cond, &ca), 0);
	pthread_condattr_destroy(&ca);
}

static void mutex_counter_mode(uint32_t mode)
{
	enum { PROCS = 4, ITERS = 2000 };
	int fd, i, j;
	struct shared *s = map_shared(mode, &fd);
	pid_t pids[PROCS];

	init_lock_cond(s);
	for (i = 0; i < PROCS; i++) {
		pids[i] = tap_fork();
		if (pids[i] == 0) {
			for (j = 0; j < ITERS; j++) {
				long v;

				if (pthread_mutex_lock(&s->lock))
					_exit(3);
				/* A window for the others to pile up on the lock. */
				v = s->counter;
				if (j % 64 == 0)
					sched_yield();
				s->counter = v + 1;
				if (pthread_mutex_unlock(&s->lock))
					_exit(4);
			}
			_exit(0);
		}
	}
	for (i = 0; i < PROCS; i++)
		CHECK_EXIT0(tap_wait(pids[i]));
	CHECK_EQ(s->counter, PROCS * ITERS);
	munmap(s, 2 * t_page());
	close(fd);
}

static void mutex_counter_eager(void)
{
	mutex_counter_mode(SHMAP_MODE_EAGER);
}

static void mutex_counter_lazy(void)
{
	mutex_counter_mode(SHMAP_MODE_LAZY);
}

/* Parent and child hand a turn back and forth through one condvar. */
static void condvar_pingpong_mode(uint32_t mode)
{
	enum { ROUNDS = 500 };
	int fd, r;
	struct shared *s = map_shared(mode, &fd);
	pid_t pid;

	init_lock_cond(s);
	s->turn = 0;
	pid = tap_fork();
	if (pid == 0) {
		for (r = 0; r < ROUNDS; r++) {
			pthread_mutex_lock(&s->lock);
			while (s->turn != 1)
				pthread_cond_wait(&s->cond, &s->lock);
			s->rounds_done++;
			s->turn = 0;
			pthread_cond_broadcast(&s->cond);
			pthread_mutex_unlock(&s->lock);
		}
		_exit(0);
	}
	for (r = 0; r < ROUNDS; r++) {
		pthread_mutex_lock(&s->lock);
		s->turn = 1;
		pthread_cond_broadcast(&s->cond);
		while (s->turn != 0)
			pthread_cond_wait(&s->cond, &s->lock);
		pthread_mutex_unlock(&s->lock);
	}
	CHECK_EXIT0(tap_wait(pid));
	CHECK_EQ(s->rounds_done, ROUNDS);
	munmap(s, 2 * t_page());
	close(fd);
}

static void condvar_pingpong_eager(void)
{
	condvar_pingpong_mode(SHMAP_MODE_EAGER);
}

static void condvar_pingpong_lazy(void)
{
	condvar_pingpong_mode(SHMAP_MODE_LAZY);
}

/*
 * Processes that map the buffer on their own (after fork, from the fd)
 * still share the futexes: the key is the buffer page, not the address.
 */
static void separate_mappings(void)
{
	enum { PROCS = 3, ITERS = 1000 };
	int dev = t_dev();
	int fd = T_CREATE(dev, 4 * t_page(), SHMAP_MODE_LAZY, 0, NULL);
	struct shared *s = T_MAP(fd, 4 * t_page(), PROT_READ | PROT_WRITE, 0);
	pid_t pids[PROCS];
	int i, j;

	init_lock_cond(s);
	for (i = 0; i < PROCS; i++) {
		pids[i] = tap_fork();
		if (pids[i] == 0) {
			struct shared *m;
			char *base;

			/* A second mapping, at another address, used alone. */
			base = T_MAP(fd, 4 * t_page(), PROT_READ | PROT_WRITE, 0);
			m = (struct shared *)base;
			if ((void *)m == (void *)s)
				_exit(6);
			for (j = 0; j < ITERS; j++) {
				if (pthread_mutex_lock(&m->lock))
					_exit(3);
				m->counter++;
				if (j % 32 == 0)
					sched_yield();
				if (pthread_mutex_unlock(&m->lock))
					_exit(4);
			}
			_exit(0);
		}
	}
	for (i = 0; i < PROCS; i++)
		CHECK_EXIT0(tap_wait(pids[i]));
	CHECK_EQ(s->counter, PROCS * ITERS);
	munmap(s, 4 * t_page());
	close(fd);
	close(dev);
}

static void barrier(void)
{
	enum { PROCS = 4, PHASES = 50 };
	int fd, i, ph;
	struct shared *s = map_shared(SHMAP_MODE_LAZY, &fd);
	pthread_barrierattr_t ba;
	pid_t pids[PROCS];

	init_lock_cond(s);
	REQUIRE_EQ(pthread_barrierattr_init(&ba), 0);
	REQUIRE_EQ(pthread_barrierattr_setpshared(&ba, PTHREAD_PROCESS_SHARED), 0);
	REQUIRE_EQ(pthread_barrier_init(&s->barrier, &ba, PROCS), 0);
	pthread_barrierattr_destroy(&ba);
	for (i = 0; i < PROCS; i++) {
		pids[i] = tap_fork();
		if (pids[i] == 0) {
			for (ph = 0; ph < PHASES; ph++) {
				pthread_mutex_lock(&s->lock);
				s->phase_sum[ph % 64] += i + 1;
				pthread_mutex_unlock(&s->lock);
				pthread_barrier_wait(&s->barrier);
				/* Everybody added before anybody passed. */
				if (s->phase_sum[ph % 64] < (ph / 64 + 1) *
				    (PROCS * (PROCS + 1) / 2))
					_exit(5);
				pthread_barrier_wait(&s->barrier);
			}
			_exit(0);
		}
	}
	for (i = 0; i < PROCS; i++)
		CHECK_EXIT0(tap_wait(pids[i]));
	for (ph = 0; ph < PHASES; ph++)
		CHECK_EQ(s->phase_sum[ph], PROCS * (PROCS + 1) / 2);
	munmap(s, 2 * t_page());
	close(fd);
}

static const struct tap_case cases[] = {
	TAP_CASE_T(mutex_counter_eager, 120),
	TAP_CASE_T(mutex_counter_lazy, 120),
	TAP_CASE_T(condvar_pingpong_eager, 120),
	TAP_CASE_T(condvar_pingpong_lazy, 120),
	TAP_CASE_T(separate_mappings, 120),
	TAP_CASE_T(barrier, 120),
};

TAP_MAIN("futex", cases)
