// SPDX-License-Identifier: GPL-2.0-only
/*
 * shmapctl: messages, size parsing and printing, sysfs files, the kernel log
 * and the table of module parameters.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "shmapctl.h"

void err_msg(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("shmapctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* A bad command line: message, hint, and EXIT_USAGE for the caller. */
int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("shmapctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (cmd)
		fprintf(stderr, "Try 'shmapctl %s --help'.\n", cmd);
	else
		fputs("Try 'shmapctl --help'.\n", stderr);
	return EXIT_USAGE;
}

/*
 * "4096", "64K", "64M", "1G", "2T", also "64KiB", "64MB" (all binary):
 * returns 0, or -EINVAL (syntax) / -ERANGE (overflow).
 */
int parse_size(const char *s, uint64_t *out)
{
	unsigned int shift = 0;
	uint64_t val = 0;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		unsigned int d = (unsigned int)(*p - '0');

		if (val > (UINT64_MAX - d) / 10)
			return -ERANGE;
		val = val * 10 + d;
	}
	switch (toupper((unsigned char)*p)) {
	case '\0':
		break;
	case 'K':
		shift = 10;
		break;
	case 'M':
		shift = 20;
		break;
	case 'G':
		shift = 30;
		break;
	case 'T':
		shift = 40;
		break;
	default:
		return -EINVAL;
	}
	if (*p) {
		p++;
		if (!strcmp(p, "iB") || !strcmp(p, "B"))
			p += strlen(p);
		if (*p)
			return -EINVAL;
	}
	if (shift && val > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = val << shift;
	return 0;
}

/* "512 B", "4 KiB", "1.5 MiB", "64 GiB": exact values print no decimals. */
void human_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB",
					     "PiB", "EiB" };
	unsigned int i = 0;
	uint64_t div = 1024;

	if (bytes < 1024) {
		snprintf(buf, len, "%" PRIu64 " B", bytes);
		return;
	}
	while (i + 1 < sizeof(units) / sizeof(units[0]) &&
	       bytes / div >= 1024) {
		div <<= 10;
		i++;
	}
	if (bytes % div == 0)
		snprintf(buf, len, "%" PRIu64 " %s", bytes / div, units[i]);
	else
		snprintf(buf, len, "%.1f %s", (double)bytes / (double)div,
			 units[i]);
}

const char *kernel_release(void)
{
	static struct utsname uts;

	if (!uts.release[0] && uname(&uts) < 0)
		return "(unknown)";
	return uts.release;
}

/* Read a small file; the trailing newline is removed. Returns 0 or -errno. */
int read_file_str(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do {
		n = read(fd, buf, len - 1);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	close(fd);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

int read_file_u64(const char *path, uint64_t *val)
{
	char buf[64], *end;
	int ret;

	ret = read_file_str(path, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	errno = 0;
	*val = strtoull(buf, &end, 10);
	if (errno || end == buf || *end)
		return -EINVAL;
	return 0;
}

/* One write(2) of @val, as sysfs wants it. Returns 0 or -errno. */
int write_file_str(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != len)
		ret = -EIO;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	return ret;
}

/*
 * Remember the end of the kernel log now, so that kmsg_show() prints only
 * what the kernel said about shmap since. Without /dev/kmsg (permissions),
 * kmsg_show() falls back to the last lines of klogctl(2).
 */
void kmsg_mark(struct kmsg_mark *m)
{
	m->fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (m->fd >= 0 && lseek(m->fd, 0, SEEK_END) < 0) {
		close(m->fd);
		m->fd = -1;
	}
}

/* What any out-of-tree module load logs: not the reason of a failure. */
static bool kmsg_noise(const char *msg)
{
	return strstr(msg, "taints kernel") ||
	       strstr(msg, "module verification failed");
}

static void klog_show_tail(const char *prefix)
{
	const char *lines[4] = { NULL };
	unsigned int nlines = 0, i;
	char *buf, *line, *save = NULL;
	int size, n;

	size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	if (size <= 0)
		return;
	buf = malloc((size_t)size + 1);
	if (!buf)
		return;
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, size);
	if (n <= 0) {
		free(buf);
		return;
	}
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '<' && strchr(line, '>'))
			line = strchr(line, '>') + 1;
		if (!strstr(line, SHMAP_MODULE) || kmsg_noise(line))
			continue;
		if (nlines == 4) {
			memmove(lines, lines + 1, sizeof(lines[0]) * 3);
			nlines = 3;
		}
		lines[nlines++] = line;
	}
	for (i = 0; i < nlines; i++)
		fprintf(stderr, "%s%s\n", prefix, lines[i]);
	free(buf);
}

void kmsg_show(struct kmsg_mark *m, const char *prefix)
{
	char rec[8192];

	fflush(stdout);
	if (m->fd < 0) {
		klog_show_tail(prefix);
		return;
	}
	for (;;) {
		ssize_t n = read(m->fd, rec, sizeof(rec) - 1);
		char *msg, *nl;

		if (n < 0 && errno == EPIPE)	/* records overwritten */
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		/* "prio,seq,usec,flags;message\n continuation lines" */
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		nl = strchr(msg, '\n');
		if (nl)
			*nl = '\0';
		if (strstr(msg, SHMAP_MODULE) && !kmsg_noise(msg))
			fprintf(stderr, "%s%s\n", prefix, msg);
	}
	close(m->fd);
	m->fd = -1;
}

/* What shmapctl knows of the module's parameters (see shmap(4)). */
const struct shmap_param_desc shmap_params[] = {
	{ "default_mode", true },
	{ "dev_mode", false },
	{ "max_buffer_mb", true },
	{ "max_total_mb", true },
	{ NULL, false },
};

const struct shmap_param_desc *param_find(const char *name)
{
	const struct shmap_param_desc *d;

	for (d = shmap_params; d->name; d++)
		if (!strcmp(d->name, name))
			return d;
	return NULL;
}

/* "name=value" -> name (copied), value (points into @arg). */
int split_assignment(const char *arg, char *name, size_t nlen,
		     const char **value)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg || (size_t)(eq - arg) >= nlen)
		return -EINVAL;
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	*value = eq + 1;
	return 0;
}

bool module_loaded(void)
{
	char state[32];

	if (read_file_str(SHMAP_SYSMOD "/initstate", state, sizeof(state)))
		return false;
	return !strcmp(state, "live");
}
