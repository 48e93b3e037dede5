/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * shmapctl: control and inspect the shmap kernel module.
 *
 * One file per concern: main.c (command dispatch), util.c (messages,
 * sizes, sysfs, kernel log), table.c (libsmartcols tables: -J -o -n -r
 * -b), status.c (libkmod), set.c, info.c, list.c (with buffers.c: every
 * buffer and its holders), create.c.
 */
#ifndef SHMAPCTL_H
#define SHMAPCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* SHMAPCTL_VERSION: -D from userspace/Makefile (the project's VERSION). */
#define SHMAP_MODULE "shmap"
#define SHMAP_DEV_PATH "/dev/shmap"
#define SHMAP_SYSMOD "/sys/module/shmap"
#define SHMAP_PARAMS SHMAP_SYSMOD "/parameters"
#define SHMAP_STATS "/sys/class/misc/shmap/stats"

/* Exit statuses (documented in shmapctl(1)). */
#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2

/* --- util.c --------------------------------------------------------------- */

void err_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

int parse_size(const char *s, uint64_t *out);
void human_size(uint64_t bytes, char *buf, size_t len);
const char *kernel_release(void);

int read_file_str(const char *path, char *buf, size_t len);
int read_file_u64(const char *path, uint64_t *val);
int write_file_str(const char *path, const char *val);

/* Kernel log lines that mention shmap, logged after kmsg_mark(). */
struct kmsg_mark {
	int fd;
};
void kmsg_mark(struct kmsg_mark *m);
void kmsg_show(struct kmsg_mark *m, const char *prefix);

/* The module parameters shmapctl knows about. */
struct shmap_param_desc {
	const char *name;
	bool runtime;		/* writable in sysfs */
};
extern const struct shmap_param_desc shmap_params[];
const struct shmap_param_desc *param_find(const char *name);
int split_assignment(const char *arg, char *name, size_t nlen,
		     const char **value);

bool module_loaded(void);

/* --- table.c: libsmartcols output (how to use it: top of table.c) ------- */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* How a column's values are set, printed and typed in JSON. */
enum col_type {
	COL_T_STRING,
	COL_T_NUMBER,		/* unsigned integer */
	COL_T_SIZE,		/* bytes: human-readable unless -b; JSON number */
	COL_T_BOOL,		/* text 1/0, JSON true/false */
	COL_T_LIST,		/* strings: text "a,b", JSON ["a","b"] */
};

struct col_desc {
	const char *name;	/* header and -o name; JSON key in lower case */
	enum col_type type;
	double whint;		/* width hint: < 1 a fraction of the terminal */
	const char *help;	/* one line for --help and --list-columns */
	int flags;		/* extra SCOLS_FL_* (e.g. SCOLS_FL_TRUNC) */
};

struct table_spec {
	const char *name;	/* the top-level JSON key */
	const struct col_desc *cols;	/* indexed by the command's column ids */
	size_t ncols;
	const char *defaults;	/* columns without -o, e.g. "NAME,SIZE" */
};

/* What -J -o -n -r -b -H asked for (table_opt() fills it). */
struct out_opts {
	bool json, noheadings, raw, bytes, list_columns;
	const char *columns;	/* -o LIST or +LIST, or NULL */
};

#define TABLE_SHORTOPTS "Jo:nrbH"
#define TABLE_LONGOPTS \
	{ "json", no_argument, NULL, 'J' }, \
	{ "output", required_argument, NULL, 'o' }, \
	{ "noheadings", no_argument, NULL, 'n' }, \
	{ "raw", no_argument, NULL, 'r' }, \
	{ "bytes", no_argument, NULL, 'b' }, \
	{ "list-columns", no_argument, NULL, 'H' }
/* The lines of --help that describe TABLE_SHORTOPTS. */
#define TABLE_OPTIONS_HELP \
	"  -J, --json          JSON output\n" \
	"  -o, --output LIST   the columns to print (+LIST: add to the defaults)\n" \
	"  -n, --noheadings    no header line\n" \
	"  -r, --raw           raw output: columns separated by one space\n" \
	"  -b, --bytes         sizes in bytes, not human-readable\n" \
	"  -H, --list-columns  list the columns and exit\n"

struct table;

/* true if @opt is one of TABLE_SHORTOPTS (then stored in @o). */
bool table_opt(struct out_opts *o, int opt, const char *arg);
/* " NAME  <type>  help" lines, for --help and --list-columns. */
void table_list_columns(const struct table_spec *spec, FILE *f);
/* EXIT_OK, EXIT_USAGE (bad -o, reported for @cmd) or EXIT_FAIL. */
int table_new(struct table **tp, const struct table_spec *spec,
	      const struct out_opts *o, const char *cmd);
bool table_wants(const struct table *t, int col);
int table_new_row(struct table *t);
void table_set_str(struct table *t, int col, const char *s);
void table_set_u64(struct table *t, int col, uint64_t v);
void table_set_size(struct table *t, int col, uint64_t bytes);
void table_set_bool(struct table *t, int col, bool v);
void table_set_unknown(struct table *t, int col);
void table_add_item(struct table *t, int col, const char *item);
/* 0 or the first -errno of the setters or of printing. */
int table_print(struct table *t);
void table_free(struct table *t);

/* --- commands ------------------------------------------------------------- */

int cmd_status(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_create(int argc, char **argv);

#endif /* SHMAPCTL_H */
