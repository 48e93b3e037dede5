// SPDX-License-Identifier: GPL-2.0
/*
 * A tiny TAP harness for the shmap tests: see tap.h.
 */
#include "tap.h"

#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#define TAP_SKIP_STATUS		77
#define TAP_DEFAULT_TIMEOUT	60

int tap_failed;
static const char *tap_prog = "?";
static const char *tap_case_name = "?";
/*
 * Shared with the case's child: why it skipped, for the "ok ... # SKIP"
 * line, and what it found (tap_describe()), right after it.
 */
static char *tap_skip_why, *tap_found;
#define TAP_SKIP_WHY_LEN 512

/* The one place that prints a test line. @directive: "" or "SKIP why" or a reason. */
static void tap_line(int ok, size_t num, const char *desc, const char *directive)
{
	printf("%sok %zu - %s: %s%s%s\n", ok ? "" : "not ", num, tap_prog, desc,
	       *directive ? " # " : "", directive);
	fflush(stdout);
}

static size_t tap_report_n, tap_report_failed;

void tap_report_start(const char *prog)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	tap_prog = prog;
}

void tap_report(int ok, const char *skip, const char *fmt, ...)
{
	char msg[1024], directive[600] = "";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (skip)
		snprintf(directive, sizeof(directive), "SKIP %s", skip);
	if (!ok)
		tap_report_failed++;
	tap_line(ok, ++tap_report_n, msg, directive);
}

int tap_report_end(void)
{
	printf("1..%zu\n", tap_report_n);
	if (tap_report_failed)
		printf("# %s: %zu of %zu failed\n", tap_prog, tap_report_failed, tap_report_n);
	fflush(stdout);
	return tap_report_failed ? 1 : 0;
}

void tap_skip_all(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
	fflush(stdout);
}

void tap_diag(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("# %s\n", msg);
	fflush(stdout);
}

void tap_fail_at(const char *file, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	tap_failed = 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("# %s:%d: %s\n", file, line, msg);
	fflush(stdout);
}

void tap_end(void)
{
	fflush(stdout);
	exit(tap_failed ? 1 : 0);
}

void tap_abort(void)
{
	tap_failed = 1;
	tap_end();
}

void tap_skip(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (tap_skip_why)
		snprintf(tap_skip_why, TAP_SKIP_WHY_LEN, "%s", msg);
	else
		printf("# skip: %s\n", msg);
	fflush(stdout);
	exit(tap_failed ? 1 : TAP_SKIP_STATUS);
}

void tap_describe(const char *fmt, ...)
{
	va_list ap;

	if (!tap_found)
		return;
	va_start(ap, fmt);
	vsnprintf(tap_found, TAP_SKIP_WHY_LEN, fmt, ap);
	va_end(ap);
}

const char *tap_errname(int err)
{
	static char buf[32];
	const char *name;

	if (err == 0)
		return "0";
	name = strerrorname_np(err);
	if (name)
		return name;
	snprintf(buf, sizeof(buf), "errno %d", err);
	return buf;
}

const char *tap_status_str(int status)
{
	static char buf[64];

	if (status == -1)
		snprintf(buf, sizeof(buf), "no status (wait failed)");
	else if (WIFEXITED(status))
		snprintf(buf, sizeof(buf), "exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, sizeof(buf), "killed by SIG%s%s",
			 sigabbrev_np(WTERMSIG(status)) ?: "?",
			 WCOREDUMP(status) ? " (core dumped)" : "");
	else
		snprintf(buf, sizeof(buf), "status %#x", status);
	return buf;
}

pid_t tap_fork(void)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		TAP_FAIL("fork: %s", tap_errname(errno));
		tap_abort();
	}
	return pid;
}

int tap_wait(pid_t pid)
{
	int status;
	pid_t r;

	do
		r = waitpid(pid, &status, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		TAP_FAIL("waitpid(%d): %s", (int)pid, tap_errname(errno));
		return -1;
	}
	return status;
}

int tap_run_child(void (*fn)(void *), void *arg)
{
	pid_t pid = tap_fork();

	if (pid == 0) {
		/*
		 * No core dumps from the signal tests: a child that dies of
		 * SIGSEGV or SIGBUS is not dumpable, so the kernel does not
		 * start a dump at all. The dump allocates (prepare_creds(),
		 * charged to the child's memory cgroup): in the memcg tests the
		 * cgroup is at its limit by design, and the OOM killer then
		 * turned the module's SIGBUS into a SIGKILL (7.3 debug kernel).
		 */
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
		signal(SIGSEGV, SIG_DFL);
		signal(SIGBUS, SIG_DFL);
		tap_failed = 0;
		fn(arg);
		fflush(stdout);
		_exit(tap_failed ? 1 : 0);
	}
	return tap_wait(pid);
}

int tap_read_str(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	err = errno;
	close(fd);
	if (n < 0)
		return -err;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ' ||
			 buf[n - 1] == '\t'))
		n--;
	buf[n] = '\0';
	return 0;
}

int tap_read_u64(const char *path, uint64_t *val)
{
	char buf[64], *end;
	unsigned long long v;
	int r;

	r = tap_read_str(path, buf, sizeof(buf));
	if (r)
		return r;
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (errno || end == buf || *end)
		return -EINVAL;
	*val = v;
	return 0;
}

int tap_write_str(const char *path, const char *str)
{
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, str, strlen(str));
	if (n < 0)
		err = -errno;
	else if ((size_t)n != strlen(str))
		err = -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

static int tap_selected(const char *name, int argc, char **argv)
{
	int i;

	if (argc < 2)
		return 1;
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return 1;
	return 0;
}

int tap_main(const char *prog, const struct tap_case *cases, size_t n,
	     int argc, char **argv)
{
	size_t i, planned = 0, num = 0, failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	tap_prog = prog;

	if (argc == 2 && !strcmp(argv[1], "-l")) {
		for (i = 0; i < n; i++)
			printf("%s\n", cases[i].name);
		return 0;
	}
	for (i = 0; i < n; i++)
		planned += tap_selected(cases[i].name, argc, argv);
	printf("1..%zu\n", planned);
	tap_skip_why = mmap(NULL, 2 * TAP_SKIP_WHY_LEN, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tap_skip_why == MAP_FAILED)
		tap_skip_why = NULL;
	else
		tap_found = tap_skip_why + TAP_SKIP_WHY_LEN;

	for (i = 0; i < n; i++) {
		const struct tap_case *c = &cases[i];
		unsigned int timeout = c->timeout ?: TAP_DEFAULT_TIMEOUT;
		char desc[2 * TAP_SKIP_WHY_LEN];
		const char *why = "";
		int status;
		pid_t pid;

		if (!tap_selected(c->name, argc, argv))
			continue;
		num++;
		if (tap_skip_why) {
			tap_skip_why[0] = '\0';
			tap_found[0] = '\0';
		}
		fflush(stdout);
		pid = fork();
		if (pid < 0) {
			tap_line(0, num, c->name, "");
			printf("# fork: %s\n", tap_errname(errno));
			failed++;
			continue;
		}
		if (pid == 0) {
			setpgid(0, 0);
			tap_case_name = c->name;
			tap_failed = 0;
			alarm(timeout);
			c->fn();
			tap_end();
		}
		setpgid(pid, pid);	/* no race with the child's own call */
		while (waitpid(pid, &status, 0) < 0) {
			if (errno != EINTR) {
				status = -1;
				break;
			}
		}
		/* Whatever the case left behind (helpers, grandchildren). */
		if (kill(-pid, SIGKILL) == 0) {
			int tries;

			/* Let them die (and drop their buffers) first. */
			for (tries = 0; tries < 200; tries++) {
				while (waitpid(-pid, NULL, WNOHANG) > 0)
					;
				if (kill(-pid, 0) < 0)
					break;
				usleep(10000);
			}
		}

		/* The case's name, and what it found if it said. */
		snprintf(desc, sizeof(desc), "%s%s%s", c->name,
			 tap_found && *tap_found ? ": " : "",
			 tap_found ? tap_found : "");
		if (status != -1 && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 0) {
			tap_line(1, num, desc, "");
			continue;
		}
		if (status != -1 && WIFEXITED(status) &&
		    WEXITSTATUS(status) == TAP_SKIP_STATUS) {
			char directive[TAP_SKIP_WHY_LEN + 8];

			snprintf(directive, sizeof(directive), "SKIP%s%s",
				 tap_skip_why && *tap_skip_why ? " " : "",
				 tap_skip_why ? tap_skip_why : "");
			tap_line(1, num, desc, directive);
			continue;
		}
		failed++;
		if (status != -1 && WIFSIGNALED(status) &&
		    WTERMSIG(status) == SIGALRM)
			printf("# timeout: the case ran more than %u s\n",
			       timeout);
		else if (!(status != -1 && WIFEXITED(status) &&
			   WEXITSTATUS(status) == 1))
			why = tap_status_str(status);
		tap_line(0, num, desc, why);
	}
	if (failed)
		printf("# %s: %zu of %zu failed\n", prog, failed, num);
	fflush(stdout);
	(void)tap_case_name;
	return failed ? 1 : 0;
}
