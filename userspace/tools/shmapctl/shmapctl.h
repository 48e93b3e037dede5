/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * shmapctl: control and inspect the shmap kernel module.
 *
 * One file per concern: main.c (command dispatch), util.c (messages,
 * sizes, sysfs, kernel log), json.c (JSON output), modctl.c (libkmod:
 * status/load/unload), set.c, info.c, create.c.
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
	bool octal;		/* parsed by the module as octal */
	bool number;		/* a number (else a keyword) */
};
extern const struct shmap_param_desc shmap_params[];
const struct shmap_param_desc *param_find(const char *name);
bool param_value_equal(const struct shmap_param_desc *d, const char *a,
		       const char *b);
int split_assignment(const char *arg, char *name, size_t nlen,
		     const char **value);

bool module_loaded(void);

/* --- json.c --------------------------------------------------------------- */

struct json {
	FILE *f;
	int depth;
	bool need_comma[16];
};

void json_init(struct json *j, FILE *f);
void json_finish(struct json *j);
void json_obj_begin(struct json *j, const char *key);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *val);
void json_u64(struct json *j, const char *key, uint64_t val);
void json_bool(struct json *j, const char *key, bool val);
void json_null(struct json *j, const char *key);
void json_raw_number_or_str(struct json *j, const char *key, const char *val);
void json_escape(FILE *f, const char *s);

/* --- commands ------------------------------------------------------------- */

int cmd_status(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_unload(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_create(int argc, char **argv);

#endif /* SHMAPCTL_H */
