// SPDX-License-Identifier: GPL-2.0-only
/*
 * shmapctl: control and inspect the shmap kernel module (/dev/shmap).
 *
 *   shmapctl [--help|--version] COMMAND [ARGS...]
 *
 * Every command takes --help. Exit status: 0 success, 1 failure, 2 bad
 * command line (see shmapctl(1)).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "shmapctl.h"

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "status", cmd_status, "show the module, its parameters, /dev/shmap and counters" },
	{ "set", cmd_set, "change a runtime parameter (default_mode, max_*_mb)" },
	{ "info", cmd_info, "describe buffer fds (FD or /proc/PID/fd/N)" },
	{ "list", cmd_list, "list the buffers of the system and who holds them" },
	{ "create", cmd_create, "create a buffer and run a command with it" },
	{ NULL, NULL, NULL },
};

static void usage(FILE *f)
{
	const struct command *c;

	fputs("Usage: shmapctl [--help] [--version] COMMAND [ARGS...]\n"
	      "\n"
	      "Control and inspect the shmap kernel module (/dev/shmap).\n"
	      "\n"
	      "Commands:\n", f);
	for (c = commands; c->name; c++)
		fprintf(f, "  %-8s %s\n", c->name, c->summary);
	fputs("\n"
	      "Run 'shmapctl COMMAND --help' for a command's options.\n"
	      "Exit status: 0 success, 1 failure, 2 bad command line.\n"
	      "Load the module with 'modprobe shmap [PARAM=VALUE...]', unload\n"
	      "it with 'modprobe -r shmap'. See shmapctl(1) and shmap(4).\n", f);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const struct command *c;
	int opt;

	/* '+': stop at the command, its options are its own. */
	while ((opt = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("shmapctl %s\n", SHMAPCTL_VERSION);
			return EXIT_OK;
		default:
			return usage_error(NULL, "bad option");
		}
	}
	if (optind >= argc)
		return usage_error(NULL, "missing command");

	if (!strcmp(argv[optind], "help")) {
		if (optind + 1 < argc) {
			char *args[] = { argv[optind + 1], (char *)"--help", NULL };

			for (c = commands; c->name; c++)
				if (!strcmp(c->name, argv[optind + 1])) {
					optind = 0;
					return c->fn(2, args);
				}
			return usage_error(NULL, "unknown command '%s'",
					   argv[optind + 1]);
		}
		usage(stdout);
		return EXIT_OK;
	}

	for (c = commands; c->name; c++) {
		if (!strcmp(c->name, argv[optind])) {
			int sub_argc = argc - optind;
			char **sub_argv = argv + optind;

			optind = 0;	/* glibc: restart getopt for the command */
			return c->fn(sub_argc, sub_argv);
		}
	}
	return usage_error(NULL, "unknown command '%s'", argv[optind]);
}
