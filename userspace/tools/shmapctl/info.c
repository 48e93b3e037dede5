// SPDX-License-Identifier: GPL-2.0-only
/*
 * shmapctl info: describe a buffer given as an fd number of shmapctl itself
 * (inherited, e.g. $SHMAP_FD) or as a path, typically /proc/PID/fd/N.
 *
 * For /proc/PID/fd/N the fd is duplicated with pidfd_getfd(2), which gives
 * the very same open file (so INFO's READONLY flag is the one of that fd).
 * Other paths are opened; buffer files cannot be reopened that way (their
 * inodes have no open method: ENXIO), so a path only works for
 * /proc/PID/fd/N when pidfd_getfd() is allowed.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <shmap.h>

#include "shmapctl.h"

static bool all_digits(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

/* /proc/PID/fd/N -> fd of the same open file, or -errno. */
static int proc_fd_getfd(const char *path)
{
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_getfd)
	char pid[32], num[32];
	int pidfd, fd;

	if (sscanf(path, "/proc/%31[0-9]/fd/%31[0-9]", pid, num) != 2)
		return -EINVAL;
	pidfd = (int)syscall(SYS_pidfd_open, atoi(pid), 0);
	if (pidfd < 0)
		return -errno;
	fd = (int)syscall(SYS_pidfd_getfd, pidfd, atoi(num), 0);
	if (fd < 0)
		fd = -errno;
	close(pidfd);
	return fd;
#else
	(void)path;
	return -ENOSYS;
#endif
}

static const char *mode_name(uint32_t mode)
{
	switch (mode) {
	case SHMAP_BUF_EAGER:
		return "eager";
	case SHMAP_BUF_LAZY:
		return "lazy";
	default:
		return "unknown";
	}
}

static void bits_string(uint32_t v, const char *const *names, char *out,
			size_t len)
{
	unsigned int i;

	out[0] = '\0';
	for (i = 0; names[i]; i++) {
		if (!(v & (1U << i)))
			continue;
		if (out[0])
			strncat(out, ",", len - strlen(out) - 1);
		strncat(out, names[i], len - strlen(out) - 1);
	}
	if (v >> i)
		snprintf(out + strlen(out), len - strlen(out), "%s0x%x",
			 out[0] ? "," : "", v & ~((1U << i) - 1));
	if (!out[0])
		snprintf(out, len, "none");
}

static const char *const seal_names[] = { "future-write", "seal", NULL };
static const char *const flag_names[] = { "readonly", "noreserve", NULL };

static void info_usage(FILE *f)
{
	fputs("Usage: shmapctl info [--json] FD|PATH\n"
	      "\n"
	      "Describe a shmap buffer: FD is a file descriptor number that\n"
	      "shmapctl inherited (e.g. $SHMAP_FD), PATH usually /proc/PID/fd/N\n"
	      "(duplicated with pidfd_getfd(2): needs ptrace access to PID).\n"
	      "Prints size, mode, seals, flags, mappings, resident and reserved\n"
	      "pages and the inode number.\n"
	      "\n"
	      "  -j, --json   one JSON object on standard output\n"
	      "  -h, --help   this help\n", f);
}

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct shmap_buf_info info;
	struct shmap_buf *buf = NULL;
	char seals[64], flags[64], h[32], link[512], self[64];
	const char *arg;
	uint64_t page;
	bool json = false;
	int opt, fd, err, own_fd = -1;
	ssize_t n;

	while ((opt = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'h':
			info_usage(stdout);
			return EXIT_OK;
		default:
			return usage_error("info", "bad option");
		}
	}
	if (optind >= argc)
		return usage_error("info", "missing FD or PATH");
	if (optind + 1 < argc)
		return usage_error("info", "unexpected argument '%s'",
				   argv[optind + 1]);
	arg = argv[optind];

	if (all_digits(arg)) {
		fd = atoi(arg);
		if (fcntl(fd, F_GETFD) < 0) {
			err_msg("fd %s: %s", arg, strerror(errno));
			return EXIT_FAIL;
		}
	} else {
		int getfd_err;

		fd = proc_fd_getfd(arg);
		getfd_err = fd < 0 ? -fd : 0;
		if (fd < 0)
			fd = open(arg, O_RDONLY | O_CLOEXEC | O_NOCTTY |
					       O_NONBLOCK);
		if (fd < 0 && getfd_err && getfd_err != EINVAL) {
			/*
			 * Buffer files cannot be reopened through /proc
			 * (ENXIO): only pidfd_getfd() reaches them.
			 */
			err_msg("%s: pidfd_getfd: %s; open: %s%s", arg,
				strerror(getfd_err), strerror(errno),
				getfd_err == EPERM ?
				" (run as the process's owner or root)" : "");
			return EXIT_FAIL;
		}
		if (fd < 0) {
			err_msg("%s: %s", arg, strerror(errno));
			return EXIT_FAIL;
		}
		own_fd = fd;
	}

	err = shmap_buf_import(fd, &buf);
	if (err == 0)
		err = shmap_buf_info(buf, &info);
	if (err == -ENOTTY) {
		err_msg("%s: not a shmap buffer", arg);
		goto out_fail;
	}
	if (err) {
		err_msg("%s: %s", arg, strerror(-err));
		goto out_fail;
	}

	snprintf(self, sizeof(self), "/proc/self/fd/%d", shmap_buf_fd(buf));
	n = readlink(self, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	page = (uint64_t)sysconf(_SC_PAGESIZE);
	bits_string(info.seals, seal_names, seals, sizeof(seals));
	bits_string(info.flags, flag_names, flags, sizeof(flags));

	if (json) {
		struct json j;

		json_init(&j, stdout);
		json_obj_begin(&j, NULL);
		json_str(&j, "source", arg);
		json_str(&j, "file", n > 0 ? link : NULL);
		json_u64(&j, "size", info.size);
		json_str(&j, "mode", mode_name(info.mode));
		json_u64(&j, "seals", info.seals);
		json_str(&j, "seal_names", seals);
		json_u64(&j, "flags", info.flags);
		json_str(&j, "flag_names", flags);
		json_bool(&j, "readonly", info.flags & SHMAP_BUF_INFO_READONLY);
		json_u64(&j, "mappings", info.mappings);
		json_u64(&j, "resident_pages", info.resident_pages);
		json_u64(&j, "resident_bytes", info.resident_pages * page);
		json_u64(&j, "reserved_pages", info.reserved_pages);
		json_u64(&j, "reserved_bytes", info.reserved_pages * page);
		json_u64(&j, "ino", info.ino);
		json_u64(&j, "page_size", page);
		json_obj_end(&j);
		json_finish(&j);
	} else {
		printf("source:    %s\n", arg);
		if (n > 0)
			printf("file:      %s\n", link);
		human_size(info.size, h, sizeof(h));
		printf("size:      %s (%" PRIu64 " bytes)\n", h, info.size);
		printf("mode:      %s\n", mode_name(info.mode));
		printf("seals:     %s\n", seals);
		printf("flags:     %s\n", flags);
		printf("mappings:  %" PRIu32 "\n", info.mappings);
		human_size(info.resident_pages * page, h, sizeof(h));
		printf("resident:  %s (%" PRIu64 " pages, %" PRIu64 " bytes)\n",
		       h, info.resident_pages, info.resident_pages * page);
		human_size(info.reserved_pages * page, h, sizeof(h));
		printf("reserved:  %s (%" PRIu64 " pages, %" PRIu64 " bytes)\n",
		       h, info.reserved_pages, info.reserved_pages * page);
		printf("inode:     %" PRIu64 "\n", info.ino);
	}
	shmap_buf_close(buf);
	if (own_fd >= 0)
		close(own_fd);
	return EXIT_OK;

out_fail:
	shmap_buf_close(buf);
	if (own_fd >= 0)
		close(own_fd);
	return EXIT_FAIL;
}
