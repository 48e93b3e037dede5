/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny TAP harness for the shmap tests.
 *
 * A program lists its cases in a table and ends with TAP_MAIN():
 *
 *	static void version(void) { ... CHECK_EQ(v.abi_version, 1); ... }
 *	static const struct tap_case cases[] = { TAP_CASE(version), };
 *	TAP_MAIN("abi", cases)
 *
 * Every case runs in its own forked child (in its own process group) under
 * alarm(): a crash or a hang fails that case only. Output:
 *
 *	1..N
 *	ok 1 - abi: version
 *	not ok 2 - abi: bad_flags
 *	# abi.c:42: ioctl(...): expected -1/EINVAL, got 0/0
 *
 * CHECK*() record a failure and go on; REQUIRE*() end the case at once.
 * (Programs without cases report line by line: tap_report(), below.)
 * The program exits 0 if every case passed or was skipped, else 1.
 * Arguments: case names to run only those, or -l to list them.
 */
#ifndef SHMAP_TESTS_TAP_H
#define SHMAP_TESTS_TAP_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/wait.h>

struct tap_case {
	const char *name;
	void (*fn)(void);
	unsigned int timeout;	/* seconds; 0: the default (60) */
};

#define TAP_CASE(fn)		{ #fn, fn, 0 }
#define TAP_CASE_T(fn, secs)	{ #fn, fn, secs }

int tap_main(const char *prog, const struct tap_case *cases, size_t n,
	     int argc, char **argv);

#define TAP_MAIN(prog, cases)						\
	int main(int argc, char **argv)					\
	{								\
		return tap_main(prog, cases,				\
				sizeof(cases) / sizeof((cases)[0]),	\
				argc, argv);				\
	}

/* State of the running case (in its child). */
extern int tap_failed;

void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tap_fail_at(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* End the case now: failed if anything failed so far, else passed. */
void tap_end(void) __attribute__((noreturn));
/* End the case as failed. */
void tap_abort(void) __attribute__((noreturn));
/*
 * What the case found, for its TAP line: "ok N - prog: case: what" (the
 * last call wins; cases without one keep "ok N - prog: case").
 */
void tap_describe(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* End the case as skipped (reported "ok N - ... # SKIP why"). */
void tap_skip(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/*
 * Sequential reporting, for programs that are one long run rather than a
 * table of cases (the debug kernel's faultinj, stress and fuzz, the bench
 * smoke): tap_report() prints the next line, "ok N - PROG: what", and
 * tap_report_end() the plan, "1..N"; it returns the exit status, 0 or 1.
 * tap_skip_all() is the plan of a program that has nothing to run here.
 */
void tap_report_start(const char *prog);
void tap_report(int ok, const char *skip, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int tap_report_end(void);
void tap_skip_all(const char *why);

/* "EINVAL" for EINVAL; a number for unknown values. Not reentrant. */
const char *tap_errname(int err);
/* "exited 3", "killed by SIGBUS" ... Not reentrant. */
const char *tap_status_str(int status);

/* fork() after flushing stdio; fails the case if fork fails. */
pid_t tap_fork(void);
/* waitpid() retried on EINTR; returns the status, or -1 (case failed). */
int tap_wait(pid_t pid);
/*
 * Run fn(arg) in a forked child and return its wait status. The child
 * exits 0 if fn returns with no failure recorded, 1 otherwise.
 */
int tap_run_child(void (*fn)(void *), void *arg);

/* Read a file holding one decimal number. Returns 0 or -errno. */
int tap_read_u64(const char *path, uint64_t *val);
/* Read a small text file, trailing whitespace removed. 0 or -errno. */
int tap_read_str(const char *path, char *buf, size_t len);
/* open(O_WRONLY) + one write(2) of str + close. Returns 0 or -errno. */
int tap_write_str(const char *path, const char *str);

#define TAP_FAIL(...)	tap_fail_at(__FILE__, __LINE__, __VA_ARGS__)

#define TAP_CHECK_(fatal, cond, ...)					\
	do {								\
		if (!(cond)) {						\
			TAP_FAIL(__VA_ARGS__);				\
			if (fatal)					\
				tap_abort();				\
		}							\
	} while (0)

#define CHECK(cond)	TAP_CHECK_(0, cond, "CHECK(%s) failed", #cond)
#define REQUIRE(cond)	TAP_CHECK_(1, cond, "REQUIRE(%s) failed", #cond)

#define TAP_CMP_(fatal, a, op, b)					\
	do {								\
		long long a_ = (long long)(a), b_ = (long long)(b);	\
		if (!(a_ op b_)) {					\
			TAP_FAIL("%s %s %s: got %lld (%#llx) vs %lld (%#llx)", \
				 #a, #op, #b, a_, (unsigned long long)a_, \
				 b_, (unsigned long long)b_);		\
			if (fatal)					\
				tap_abort();				\
		}							\
	} while (0)

#define CHECK_EQ(a, b)		TAP_CMP_(0, a, ==, b)
#define CHECK_NE(a, b)		TAP_CMP_(0, a, !=, b)
#define CHECK_GE(a, b)		TAP_CMP_(0, a, >=, b)
#define CHECK_LE(a, b)		TAP_CMP_(0, a, <=, b)
#define CHECK_LT(a, b)		TAP_CMP_(0, a, <, b)
#define CHECK_GT(a, b)		TAP_CMP_(0, a, >, b)
#define REQUIRE_EQ(a, b)	TAP_CMP_(1, a, ==, b)
#define REQUIRE_GE(a, b)	TAP_CMP_(1, a, >=, b)

/*
 * A system call (or anything returning -1 with errno) must succeed.
 * Evaluates to its result (cast to long).
 */
#define TAP_SYS_(fatal, expr)						\
	({								\
		errno = 0;						\
		long r_ = (long)(expr);					\
		if (r_ == -1) {						\
			int e_ = errno;					\
			TAP_FAIL("%s: failed with %s", #expr,		\
				 tap_errname(e_));			\
			if (fatal)					\
				tap_abort();				\
		}							\
		r_;							\
	})
#define CHECK_SYS(expr)		TAP_SYS_(0, expr)
#define REQUIRE_SYS(expr)	TAP_SYS_(1, expr)

/* mmap() must succeed: evaluates to the address. */
#define REQUIRE_MAP(expr)						\
	({								\
		errno = 0;						\
		void *p_ = (expr);					\
		if (p_ == MAP_FAILED) {					\
			int e_ = errno;					\
			TAP_FAIL("%s: failed with %s", #expr,		\
				 tap_errname(e_));			\
			tap_abort();					\
		}							\
		p_;							\
	})

/* A call must fail with -1 and errno == err (works for mmap too). */
#define CHECK_ERRNO(expr, err)						\
	do {								\
		errno = 0;						\
		long r_ = (long)(expr);					\
		int e_ = errno;						\
		if (r_ != -1 || e_ != (err))				\
			TAP_FAIL("%s: expected -1/%s, got %ld/%s", #expr, \
				 tap_errname(err), r_,			\
				 r_ == -1 ? tap_errname(e_) : "success"); \
	} while (0)

/* A function returning 0 / -errno must return want (0 or -E...). */
#define TAP_RET_(fatal, expr, want)					\
	do {								\
		long r_ = (long)(expr), w_ = (long)(want);		\
		if (r_ != w_) {						\
			char wb_[32];					\
			snprintf(wb_, sizeof(wb_), "%s%s",		\
				 w_ < 0 ? "-" : "",			\
				 w_ ? tap_errname((int)-w_) : "0");	\
			TAP_FAIL("%s: expected %s, got %ld (%s%s)", #expr, \
				 wb_, r_, r_ < 0 ? "-" : "",		\
				 r_ < 0 ? tap_errname((int)-r_) : "");	\
			if (fatal)					\
				tap_abort();				\
		}							\
	} while (0)
#define CHECK_RET(expr, want)	TAP_RET_(0, expr, want)
#define REQUIRE_RET(expr, want)	TAP_RET_(1, expr, want)

/* A wait status must be "exited 0" / "killed by sig". */
#define CHECK_EXIT0(status)						\
	do {								\
		int s_ = (status);					\
		if (!(WIFEXITED(s_) && WEXITSTATUS(s_) == 0))		\
			TAP_FAIL("%s: expected exit 0, got %s", #status, \
				 tap_status_str(s_));			\
	} while (0)
#define CHECK_KILLED(status, sig)					\
	do {								\
		int s_ = (status);					\
		if (!(WIFSIGNALED(s_) && WTERMSIG(s_) == (sig)))	\
			TAP_FAIL("%s: expected death by %s, got %s",	\
				 #status, #sig, tap_status_str(s_));	\
	} while (0)

/* fn(arg) run in a child must die of signal sig. */
#define CHECK_DIES(sig, fn, arg)	CHECK_KILLED(tap_run_child(fn, arg), sig)
/* fn(arg) run in a child must exit 0 (no failure, no signal). */
#define CHECK_LIVES(fn, arg)		CHECK_EXIT0(tap_run_child(fn, arg))

#endif /* SHMAP_TESTS_TAP_H */
