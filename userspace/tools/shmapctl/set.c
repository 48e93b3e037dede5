// SPDX-License-Identifier: GPL-2.0-only
/*
 * shmapctl set: change the runtime-writable module parameters through
 * /sys/module/shmap/parameters.
 */
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shmapctl.h"

static void set_usage(FILE *f)
{
	fputs("Usage: shmapctl set PARAM=VALUE...\n"
	      "\n"
	      "Change parameters of the loaded module (root only), in order,\n"
	      "stopping at the first failure. Writable at run time:\n"
	      "  default_mode=eager|lazy   mode of buffers created with the default\n"
	      "  max_buffer_mb=1..1048576  largest buffer, MiB\n"
	      "  max_total_mb=1..1048576   limit on all reserved memory, MiB\n"
	      "Lowering a limit affects only new reservations. dev_mode is\n"
	      "fixed at load time (modprobe shmap dev_mode=0600).\n"
	      "\n"
	      "  -h, --help   this help\n", f);
}

static int set_one(const char *arg)
{
	const struct shmap_param_desc *d;
	struct kmsg_mark mark;
	char name[64], path[512], now[256];
	const char *val;
	struct stat st;
	int err;

	if (split_assignment(arg, name, sizeof(name), &val))
		return usage_error("set", "'%s' is not PARAM=VALUE", arg);
	if (!*val)
		return usage_error("set", "empty value for %s", name);

	snprintf(path, sizeof(path), SHMAP_PARAMS "/%s", name);
	d = param_find(name);
	if (!d && stat(path, &st) < 0) {
		err_msg("unknown parameter '%s' (writable at run time: default_mode, max_buffer_mb, max_total_mb)",
			name);
		return EXIT_FAIL;
	}
	if ((d && !d->runtime) ||
	    (!d && !(st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)))) {
		err_msg("%s is read-only at run time; it can only be set when loading (modprobe -r shmap; modprobe shmap %s)",
			name, arg);
		return EXIT_FAIL;
	}
	if (!module_loaded()) {
		err_msg("shmap is not loaded (run 'modprobe shmap %s')", arg);
		return EXIT_FAIL;
	}

	kmsg_mark(&mark);
	err = write_file_str(path, val);
	switch (err) {
	case 0:
		if (mark.fd >= 0)
			close(mark.fd);
		if (read_file_str(path, now, sizeof(now)) == 0)
			printf("%s=%s\n", name, now);
		return EXIT_OK;
	case -EINVAL:
		err_msg("invalid value for %s: '%s'; the kernel says:", name,
			val);
		kmsg_show(&mark, "shmapctl:   ");
		return EXIT_FAIL;
	case -EACCES:
	case -EPERM:
		err_msg("cannot set %s: %s (changing parameters needs root)",
			name, strerror(-err));
		break;
	default:
		err_msg("cannot set %s: %s", name, strerror(-err));
		break;
	}
	if (mark.fd >= 0)
		close(mark.fd);
	return EXIT_FAIL;
}

int cmd_set(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, i;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			set_usage(stdout);
			return EXIT_OK;
		default:
			return usage_error("set", "bad option");
		}
	}
	if (optind >= argc)
		return usage_error("set", "missing PARAM=VALUE");
	for (i = optind; i < argc; i++) {
		int ret = set_one(argv[i]);

		if (ret != EXIT_OK)
			return ret;
	}
	return EXIT_OK;
}
