// SPDX-License-Identifier: GPL-2.0-only
/*
 * shmapctl create: create a buffer and exec a command that inherits its fd
 * (number in $SHMAP_FD, size in bytes in $SHMAP_SIZE).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <shmap.h>

#include "shmapctl.h"

/* Long options without a short one. */
enum { OPT_HUGE = 256 };

static void create_usage(FILE *f)
{
	fputs("Usage: shmapctl create --size SIZE [--lazy|--eager] [--noreserve]\n"
	      "                       [--huge] [--name NAME] [--verbose]\n"
	      "                       [--] COMMAND [ARGS...]\n"
	      "\n"
	      "Create a buffer, leave its fd open across exec, and run COMMAND\n"
	      "with SHMAP_FD=<fd number> and SHMAP_SIZE=<bytes> in its environment.\n"
	      "The buffer lives as long as COMMAND (or anything it passes the fd\n"
	      "to) keeps the fd or a mapping.\n"
	      "\n"
	      "  -s, --size SIZE   bytes, with an optional K, M, G or T suffix\n"
	      "                    (binary: 64M = 64 MiB); rounded up to pages\n"
	      "  -l, --lazy        allocate pages on first touch\n"
	      "  -e, --eager       allocate all pages now\n"
	      "                    (neither: the module's default_mode)\n"
	      "  -N, --noreserve   lazy only: reserve against max_total_mb at\n"
	      "                    fault time instead of now\n"
	      "      --huge        2 MiB folios where they can be had\n"
	      "                    (shmapctl info -o +HUGE-FOLIOS)\n"
	      "  -n, --name NAME   shown in /proc/PID/maps as /shmap:NAME\n"
	      "  -v, --verbose     print the fd number and size on stderr\n"
	      "  -h, --help        this help\n"
	      "\n"
	      "Exit status: COMMAND's; 1 if the buffer cannot be created,\n"
	      "126/127 if COMMAND cannot be run.\n", f);
}

static void create_error(int err, const char *sz)
{
	uint64_t mb;

	switch (err) {
	case -ENOENT:
		err_msg("cannot open %s: %s (is shmap loaded? 'modprobe shmap')",
			SHMAP_DEV_PATH, strerror(-err));
		break;
	case -EFBIG:
		if (read_file_u64(SHMAP_PARAMS "/max_buffer_mb", &mb) == 0)
			err_msg("cannot create a %s buffer: %s (max_buffer_mb is %" PRIu64 ")",
				sz, strerror(-err), mb);
		else
			err_msg("cannot create a %s buffer: %s (over max_buffer_mb)",
				sz, strerror(-err));
		break;
	case -ENOSPC:
		err_msg("cannot create a %s buffer: %s (over max_total_mb)", sz,
			strerror(-err));
		break;
	case -EINVAL:
		err_msg("cannot create a %s buffer: %s (bad size or name, or --noreserve with an eager buffer)",
			sz, strerror(-err));
		break;
	default:
		err_msg("cannot create a %s buffer: %s", sz, strerror(-err));
		break;
	}
}

int cmd_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "lazy", no_argument, NULL, 'l' },
		{ "eager", no_argument, NULL, 'e' },
		{ "noreserve", no_argument, NULL, 'N' },
		{ "huge", no_argument, NULL, OPT_HUGE },
		{ "name", required_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum shmap_buf_mode mode = SHMAP_BUF_DEFAULT;
	const char *name = NULL, *size_arg = NULL;
	struct shmap_dev *dev = NULL;
	struct shmap_buf *buf = NULL;
	unsigned int flags = SHMAP_BUF_NO_CLOEXEC;
	char num[32], hs[32];
	bool verbose = false;
	uint64_t size = 0;
	int opt, err;

	/* '+': options end at COMMAND even without "--". */
	while ((opt = getopt_long(argc, argv, "+s:leNn:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			size_arg = optarg;
			err = parse_size(optarg, &size);
			if (err == -ERANGE)
				return usage_error("create", "size '%s' is too large",
						   optarg);
			if (err)
				return usage_error("create", "bad size '%s' (use e.g. 4096, 64K, 64M, 1G)",
						   optarg);
			break;
		case 'l':
			if (mode == SHMAP_BUF_EAGER)
				return usage_error("create", "--lazy and --eager exclude each other");
			mode = SHMAP_BUF_LAZY;
			break;
		case 'e':
			if (mode == SHMAP_BUF_LAZY)
				return usage_error("create", "--lazy and --eager exclude each other");
			mode = SHMAP_BUF_EAGER;
			break;
		case 'N':
			flags |= SHMAP_BUF_NORESERVE;
			break;
		case OPT_HUGE:
			flags |= SHMAP_BUF_HUGE;
			break;
		case 'n':
			name = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			create_usage(stdout);
			return EXIT_OK;
		default:
			return usage_error("create", "bad option");
		}
	}
	if (!size_arg)
		return usage_error("create", "missing --size");
	if (size == 0)
		return usage_error("create", "size must not be 0");
	if (optind >= argc)
		return usage_error("create", "missing COMMAND");
	if ((flags & SHMAP_BUF_NORESERVE) && mode == SHMAP_BUF_EAGER)
		return usage_error("create", "--noreserve needs a lazy buffer");

	err = shmap_dev_open(&dev);
	if (!err)
		err = shmap_buf_create(dev, size, mode, name, flags, &buf);
	shmap_dev_close(dev);	/* the buffer does not need it */
	if (err) {
		create_error(err, size_arg);
		return EXIT_FAIL;
	}

	/* The handle is left open on purpose: its fd is what COMMAND gets. */
	snprintf(num, sizeof(num), "%d", shmap_buf_fd(buf));
	if (setenv("SHMAP_FD", num, 1) < 0)
		goto out_env;
	snprintf(num, sizeof(num), "%" PRIu64, shmap_buf_size(buf));
	if (setenv("SHMAP_SIZE", num, 1) < 0)
		goto out_env;
	if (verbose) {
		human_size(shmap_buf_size(buf), hs, sizeof(hs));
		err_msg("buffer fd %d, %s (%s bytes)%s%s", shmap_buf_fd(buf),
			hs, num, name ? ", name " : "", name ? name : "");
	}

	execvp(argv[optind], argv + optind);
	err = errno;
	err_msg("cannot run %s: %s", argv[optind], strerror(err));
	shmap_buf_close(buf);
	return err == ENOENT ? 127 : 126;

out_env:
	err_msg("setenv: %s", strerror(errno));
	shmap_buf_close(buf);
	return EXIT_FAIL;
}
