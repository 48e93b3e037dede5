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
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
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

/* Set list column @col from the bits of @v named in @names, others as hex. */
static void set_bits(struct table *t, int col, uint32_t v,
		     const char *const *names)
{
	unsigned int i;

	for (i = 0; names[i]; i++)
		if (v & (1U << i))
			table_add_item(t, col, names[i]);
	if (v >> i) {
		char hex[16];

		snprintf(hex, sizeof(hex), "0x%x", v & ~((1U << i) - 1));
		table_add_item(t, col, hex);
	}
}

static const char *const seal_names[] = { "future-write", "seal", NULL };
static const char *const flag_names[] = { "readonly", "noreserve", "huge",
					  NULL };

enum {
	COL_SOURCE, COL_FILE, COL_SIZE, COL_MODE, COL_SEALS, COL_FLAGS,
	COL_READONLY, COL_NORESERVE, COL_HUGE, COL_MAPPINGS, COL_RESIDENT,
	COL_RESERVED, COL_HUGE_FOLIOS, COL_DMABUFS, COL_INODE,
};

static const struct col_desc info_cols[] = {
	[COL_SOURCE] = { "SOURCE", COL_T_STRING, 0.2, "the FD or PATH argument", 0 },
	[COL_FILE] = { "FILE", COL_T_STRING, 0.2, "what /proc/self/fd/N links to", 0 },
	[COL_SIZE] = { "SIZE", COL_T_SIZE, 6, "size of the buffer", 0 },
	[COL_MODE] = { "MODE", COL_T_STRING, 5, "eager (pages allocated at creation) or lazy", 0 },
	[COL_SEALS] = { "SEALS", COL_T_LIST, 0.1, "seals: future-write, seal", 0 },
	[COL_FLAGS] = { "FLAGS", COL_T_LIST, 0.1, "flags of this fd: readonly, noreserve, huge", 0 },
	[COL_READONLY] = { "READONLY", COL_T_BOOL, 1, "this fd cannot map the buffer writable", 0 },
	[COL_NORESERVE] = { "NORESERVE", COL_T_BOOL, 1, "memory is reserved at fault time, not at creation", 0 },
	[COL_HUGE] = { "HUGE", COL_T_BOOL, 1, "created huge: 2 MiB folios where possible", 0 },
	[COL_MAPPINGS] = { "MAPPINGS", COL_T_NUMBER, 3, "number of mappings of the buffer", 0 },
	[COL_RESIDENT] = { "RESIDENT", COL_T_SIZE, 6, "memory of the pages allocated", 0 },
	[COL_RESERVED] = { "RESERVED", COL_T_SIZE, 6, "memory charged against max_total_mb", 0 },
	[COL_HUGE_FOLIOS] = { "HUGE-FOLIOS", COL_T_NUMBER, 3, "2 MiB folios among the resident pages", 0 },
	[COL_DMABUFS] = { "DMABUFS", COL_T_NUMBER, 3, "dma-bufs of the buffer alive, all processes", 0 },
	[COL_INODE] = { "INODE", COL_T_NUMBER, 5, "inode number of the buffer", 0 },
};

static const struct table_spec info_spec = {
	"buffers", info_cols, ARRAY_SIZE(info_cols),
	"SOURCE,SIZE,MODE,RESIDENT,RESERVED,MAPPINGS,SEALS,FLAGS,INODE",
};

static void info_usage(FILE *f)
{
	fputs("Usage: shmapctl info [options] FD|PATH...\n"
	      "\n"
	      "Describe shmap buffers, one row each: FD is a file descriptor\n"
	      "number that shmapctl inherited (e.g. $SHMAP_FD), PATH usually\n"
	      "/proc/PID/fd/N (duplicated with pidfd_getfd(2): needs ptrace\n"
	      "access to PID).\n"
	      "\n"
	      TABLE_OPTIONS_HELP
	      "  -h, --help          this help\n"
	      "\n"
	      "Columns:\n", f);
	table_list_columns(&info_spec, f);
	fputs("\n"
	      "Exit status: 0, or 1 if an argument is not a shmap buffer.\n", f);
}

/* An fd of the buffer @arg names (own_fd: to close), or -1 (reported). */
static int open_source(const char *arg, int *own_fd)
{
	int fd, getfd_err;

	*own_fd = -1;
	if (all_digits(arg)) {
		fd = atoi(arg);
		if (fcntl(fd, F_GETFD) < 0) {
			err_msg("fd %s: %s", arg, strerror(errno));
			return -1;
		}
		return fd;
	}
	fd = proc_fd_getfd(arg);
	getfd_err = fd < 0 ? -fd : 0;
	if (fd < 0)
		fd = open(arg, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && getfd_err && getfd_err != EINVAL) {
		/* Buffer files cannot be reopened through /proc (ENXIO). */
		err_msg("%s: pidfd_getfd: %s; open: %s%s", arg,
			strerror(getfd_err), strerror(errno),
			getfd_err == EPERM ?
			" (run as the process's owner or root)" : "");
		return -1;
	}
	if (fd < 0) {
		err_msg("%s: %s", arg, strerror(errno));
		return -1;
	}
	*own_fd = fd;
	return fd;
}

/* One row for @arg; false if it is not a buffer (reported). */
static bool info_row(struct table *t, const char *arg, uint64_t page)
{
	struct shmap_buf_stat info;
	struct shmap_buf *buf = NULL;
	char link[512], self[64];
	int fd, own_fd, err;
	ssize_t n;

	fd = open_source(arg, &own_fd);
	if (fd < 0)
		return false;
	err = shmap_buf_import(fd, &buf);
	if (err == 0)
		err = shmap_buf_stat(buf, &info, sizeof(info));
	if (err) {
		if (err == -ENOTTY)
			err_msg("%s: not a shmap buffer", arg);
		else
			err_msg("%s: %s", arg, strerror(-err));
		shmap_buf_close(buf);
		if (own_fd >= 0)
			close(own_fd);
		return false;
	}

	snprintf(self, sizeof(self), "/proc/self/fd/%d", shmap_buf_fd(buf));
	n = readlink(self, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';

	table_new_row(t);
	table_set_str(t, COL_SOURCE, arg);
	table_set_str(t, COL_FILE, n > 0 ? link : NULL);
	table_set_size(t, COL_SIZE, info.size);
	table_set_str(t, COL_MODE, mode_name(info.mode));
	set_bits(t, COL_SEALS, info.seals, seal_names);
	set_bits(t, COL_FLAGS, info.flags, flag_names);
	table_set_bool(t, COL_READONLY, info.flags & SHMAP_BUF_INFO_READONLY);
	table_set_bool(t, COL_NORESERVE, info.flags & SHMAP_BUF_INFO_NORESERVE);
	table_set_bool(t, COL_HUGE, info.flags & SHMAP_BUF_INFO_HUGE);
	table_set_u64(t, COL_MAPPINGS, info.mappings);
	table_set_size(t, COL_RESIDENT, info.resident_pages * page);
	table_set_size(t, COL_RESERVED, info.reserved_pages * page);
	table_set_u64(t, COL_HUGE_FOLIOS, info.huge_folios);
	table_set_u64(t, COL_DMABUFS, info.dmabuf_exports);
	table_set_u64(t, COL_INODE, info.ino);
	shmap_buf_close(buf);
	if (own_fd >= 0)
		close(own_fd);
	return true;
}

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		TABLE_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct out_opts o = { 0 };
	struct table *t;
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	int opt, i, err, ret;

	while ((opt = getopt_long(argc, argv, "h" TABLE_SHORTOPTS, opts,
				  NULL)) != -1) {
		if (table_opt(&o, opt, optarg))
			continue;
		if (opt == 'h') {
			info_usage(stdout);
			return EXIT_OK;
		}
		return usage_error("info", "bad option");
	}
	if (o.list_columns) {
		table_list_columns(&info_spec, stdout);
		return EXIT_OK;
	}
	ret = table_new(&t, &info_spec, &o, "info");
	if (ret)
		return ret;
	if (optind >= argc) {
		table_free(t);
		return usage_error("info", "missing FD or PATH");
	}

	for (i = optind; i < argc; i++)
		if (!info_row(t, argv[i], page))
			ret = EXIT_FAIL;
	err = table_print(t);
	if (err) {
		err_msg("cannot print: %s", strerror(-err));
		ret = EXIT_FAIL;
	}
	table_free(t);
	return ret;
}
