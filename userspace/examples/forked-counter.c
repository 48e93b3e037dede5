// SPDX-License-Identifier: MIT
/*
 * forked-counter: a parent and forked children share a counter in a lazy
 * shmap buffer, protected by a PTHREAD_PROCESS_SHARED mutex.
 *
 * This works because shmap pages are real shared memory: the futex behind
 * the mutex is keyed on the page, which is the same in every process.
 * The buffer is lazy, so only the page that is touched is allocated.
 *
 * Exit status 0 if the final count is right.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <shmap.h>

#define CHILDREN 4
#define ROUNDS 20000

struct shared {
	pthread_mutex_t lock;
	uint64_t counter;
};

static void count(struct shared *sh)
{
	int i;

	for (i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&sh->lock);
		sh->counter++;
		pthread_mutex_unlock(&sh->lock);
	}
}

int main(void)
{
	struct shmap_buf_info info;
	pthread_mutexattr_t attr;
	struct shmap_dev *dev;
	struct shmap_buf *buf;
	struct shared *sh;
	size_t len = 0;	/* 0: map the whole buffer; then the length mapped */
	uint64_t want = (uint64_t)(CHILDREN + 1) * ROUNDS;
	int i, err, status, failed = 0;

	err = shmap_dev_open(&dev);
	if (err) {
		fprintf(stderr, "shmap_dev_open: %s\n", strerror(-err));
		return 1;
	}
	/* 16 pages, lazy: pages are allocated when first touched. */
	err = shmap_buf_create(dev, 16 * 4096, SHMAP_BUF_LAZY, "forked-counter",
			       0, &buf);
	shmap_dev_close(dev);
	if (err) {
		fprintf(stderr, "shmap_buf_create: %s\n", strerror(-err));
		return 1;
	}
	err = shmap_buf_map_range(buf, 0, &len, PROT_READ | PROT_WRITE,
				  (void **)&sh);
	if (err) {
		fprintf(stderr, "shmap_buf_map_range: %s\n", strerror(-err));
		return 1;
	}

	/* The memory starts zeroed; the mutex must be process-shared. */
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&sh->lock, &attr);
	pthread_mutexattr_destroy(&attr);

	printf("forked-counter: %d children and the parent add %d each\n",
	       CHILDREN, ROUNDS);
	fflush(stdout);
	for (i = 0; i < CHILDREN; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			/* The mapping is inherited: same pages, same lock. */
			count(sh);
			_exit(0);
		}
	}
	count(sh);
	for (i = 0; i < CHILDREN; i++) {
		if (wait(&status) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			failed = 1;
	}

	printf("forked-counter: counter = %llu (want %llu)\n",
	       (unsigned long long)sh->counter, (unsigned long long)want);
	if (sh->counter != want || failed)
		failed = 1;

	err = shmap_buf_query(buf, &info);
	if (err) {
		fprintf(stderr, "shmap_buf_query: %s\n", strerror(-err));
		failed = 1;
	} else {
		printf("forked-counter: lazy buffer of %llu pages, %llu resident\n",
		       (unsigned long long)(info.size /
						    (uint64_t)sysconf(_SC_PAGESIZE)),
		       (unsigned long long)info.resident_pages);
		if (info.mode != SHMAP_BUF_LAZY || info.resident_pages != 1)
			failed = 1;
	}

	pthread_mutex_destroy(&sh->lock);
	shmap_buf_unmap(sh, len);
	shmap_buf_close(buf);
	printf("forked-counter: %s\n", failed ? "FAILED" : "OK");
	return failed;
}
