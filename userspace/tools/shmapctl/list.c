// SPDX-License-Identifier: GPL-2.0-only
/*
 * shmapctl list: every buffer of the system, or one row per process that
 * holds one (--holders), like lsipc -m and lsfd. buffers.c finds them; this
 * file filters (--user, --pid) and prints (table.c), and says how many
 * buffers it could not see.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <libsmartcols.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buffers.h"
#include "shmapctl.h"

/* Column ids; the holder-only columns come last (see buffer_spec). */
enum {
	COL_INODE, COL_NAME, COL_SIZE, COL_MODE, COL_RESIDENT, COL_RESERVED,
	COL_MAPPINGS, COL_HOLDERS, COL_PID, COL_COMMAND, COL_USER, COL_SEALS,
	COL_NORESERVE, COL_HUGE, COL_HUGE_FOLIOS, COL_DMABUFS,
	COL_FDS, COL_MAPPED, COL_READONLY,
};

#define BUFFER_COLS \
	[COL_INODE] = { "INODE", COL_T_NUMBER, 5, "inode number of the buffer (its key)", 0 }, \
	[COL_NAME] = { "NAME", COL_T_STRING, 0.2, "name given at creation", SCOLS_FL_TRUNC }, \
	[COL_SIZE] = { "SIZE", COL_T_SIZE, 6, "size of the buffer", 0 }, \
	[COL_MODE] = { "MODE", COL_T_STRING, 5, "eager (pages allocated at creation) or lazy", 0 }, \
	[COL_RESIDENT] = { "RESIDENT", COL_T_SIZE, 6, "memory of the pages allocated", 0 }, \
	[COL_RESERVED] = { "RESERVED", COL_T_SIZE, 6, "memory charged against max_total_mb", 0 }, \
	[COL_MAPPINGS] = { "MAPPINGS", COL_T_NUMBER, 3, "number of mappings of the buffer, all processes", 0 }, \
	[COL_HOLDERS] = { "HOLDERS", COL_T_NUMBER, 3, "processes seen holding it by fd or mapping", 0 }, \
	[COL_SEALS] = { "SEALS", COL_T_LIST, 0.1, "seals: future-write, seal", 0 }, \
	[COL_NORESERVE] = { "NORESERVE", COL_T_BOOL, 1, "memory is reserved at fault time, not at creation", 0 }, \
	[COL_HUGE] = { "HUGE", COL_T_BOOL, 1, "created huge: 2 MiB folios where possible", 0 }, \
	[COL_HUGE_FOLIOS] = { "HUGE-FOLIOS", COL_T_NUMBER, 3, "2 MiB folios among the resident pages", 0 }, \
	[COL_DMABUFS] = { "DMABUFS", COL_T_NUMBER, 3, "dma-bufs of the buffer alive, all processes", 0 }

static const struct col_desc buffer_cols[] = {
	BUFFER_COLS,
	[COL_PID] = { "PID", COL_T_NUMBER, 5, "the creator's process id", 0 },
	[COL_COMMAND] = { "COMMAND", COL_T_STRING, 0.1, "the creator's command name", SCOLS_FL_TRUNC },
	[COL_USER] = { "USER", COL_T_STRING, 0.1, "owner of the buffer", 0 },
};

static const struct col_desc holder_cols[] = {
	BUFFER_COLS,
	[COL_PID] = { "PID", COL_T_NUMBER, 5, "the holding process's id", 0 },
	[COL_COMMAND] = { "COMMAND", COL_T_STRING, 0.1, "the holding process's command name", SCOLS_FL_TRUNC },
	[COL_USER] = { "USER", COL_T_STRING, 0.1, "the holding process's effective user", 0 },
	[COL_FDS] = { "FDS", COL_T_LIST, 0.1, "its fds on the buffer (- if it only maps it)", 0 },
	[COL_MAPPED] = { "MAPPED", COL_T_SIZE, 6, "memory of its mappings of the buffer", 0 },
	[COL_READONLY] = { "READONLY", COL_T_BOOL, 1, "none of its fds can map the buffer writable", 0 },
};

static const struct table_spec buffer_spec = {
	"buffers", buffer_cols, COL_FDS,
	"INODE,NAME,SIZE,MODE,RESIDENT,RESERVED,MAPPINGS,HOLDERS,PID,COMMAND,USER",
};

static const struct table_spec holder_spec = {
	"holders", holder_cols, ARRAY_SIZE(holder_cols),
	"INODE,NAME,SIZE,PID,COMMAND,USER,FDS,MAPPED",
};

struct list_filter {
	bool by_uid, by_pid;
	uid_t uid;
	pid_t pid;
};

static void list_usage(FILE *f)
{
	fputs("Usage: shmapctl list [options]\n"
	      "\n"
	      "List the shmap buffers of the system, one row per buffer, or one\n"
	      "row per buffer and process that holds it by fd or maps it. As\n"
	      "root with debugfs mounted every buffer is listed; others see the\n"
	      "buffers of the processes they may inspect, and are told how many\n"
	      "they do not see.\n"
	      "\n"
	      "  -P, --holders       one row per buffer and holding process\n"
	      "  -u, --user USER     buffers owned by USER (name or uid); with\n"
	      "                      --holders: rows of processes USER runs\n"
	      "  -p, --pid PID       buffers that process PID holds; with\n"
	      "                      --holders: only its rows\n"
	      TABLE_OPTIONS_HELP
	      "  -h, --help          this help\n"
	      "\n"
	      "Columns (PID, COMMAND and USER are the creator's and the owner's,\n"
	      "with --holders the holding process's; FDS, MAPPED and READONLY\n"
	      "need --holders):\n", f);
	table_list_columns(&holder_spec, f);
	fputs("\n"
	      "Exit status: 0 (also when there is no buffer), 1 if /proc cannot\n"
	      "be read.\n", f);
}

static int parse_user(const char *arg, uid_t *uid)
{
	struct passwd *pw = getpwnam(arg);
	char *end;
	unsigned long v;

	if (pw) {
		*uid = pw->pw_uid;
		return 0;
	}
	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || v != (uid_t)v)
		return -EINVAL;
	*uid = (uid_t)v;
	return 0;
}

static int parse_pid(const char *arg, pid_t *pid)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v <= 0 || v != (pid_t)v)
		return -EINVAL;
	*pid = (pid_t)v;
	return 0;
}

static void set_user(struct table *t, bool known, uid_t uid)
{
	struct passwd *pw;
	char num[16];

	if (!known) {
		table_set_unknown(t, COL_USER);
		return;
	}
	pw = getpwuid(uid);
	snprintf(num, sizeof(num), "%u", (unsigned int)uid);
	table_set_str(t, COL_USER, pw ? pw->pw_name : num);
}

/* "future_write,seal" as the list info shows: future-write, seal. */
static void set_seals(struct table *t, const char *seals)
{
	char item[32];

	while (*seals) {
		size_t len = strcspn(seals, ",");

		snprintf(item, sizeof(item), "%.*s", (int)len, seals);
		if (!strcmp(item, "future_write"))
			strcpy(item, "future-write");
		table_add_item(t, COL_SEALS, item);
		seals += len + (seals[len] == ',');
	}
}

/* The columns that describe the buffer itself, in either mode. */
static void set_buffer_cells(struct table *t, const struct buf_entry *b,
			     uint64_t page)
{
	static const int info_cols[] = {
		COL_SIZE, COL_MODE, COL_RESIDENT, COL_RESERVED, COL_MAPPINGS,
		COL_SEALS, COL_NORESERVE, COL_HUGE, COL_HUGE_FOLIOS,
		COL_DMABUFS,
	};

	table_set_u64(t, COL_INODE, b->ino);
	table_set_str(t, COL_NAME, b->name);
	table_set_u64(t, COL_HOLDERS, b->nholders);
	if (!b->info_known) {
		size_t i;

		for (i = 0; i < ARRAY_SIZE(info_cols); i++)
			table_set_unknown(t, info_cols[i]);
		return;
	}
	table_set_size(t, COL_SIZE, b->info.size);
	table_set_str(t, COL_MODE, b->info.mode);
	table_set_size(t, COL_RESIDENT, b->info.resident_pages * page);
	table_set_size(t, COL_RESERVED, b->info.reserved_pages * page);
	table_set_u64(t, COL_MAPPINGS, b->info.mappings);
	set_seals(t, b->info.seals);
	table_set_bool(t, COL_NORESERVE, b->info.noreserve);
	table_set_bool(t, COL_HUGE, b->info.huge);
	table_set_u64(t, COL_HUGE_FOLIOS, b->info.huge_folios);
	/* Not in debugfs, nor in the fdinfo of modules before 0.3. */
	if (b->info.dmabufs_known)
		table_set_u64(t, COL_DMABUFS, b->info.dmabuf_exports);
	else
		table_set_unknown(t, COL_DMABUFS);
}

static bool holder_matches(const struct buf_holder *h,
			   const struct list_filter *f)
{
	return (!f->by_pid || h->pid == f->pid) &&
	       (!f->by_uid || (h->uid_known && h->uid == f->uid));
}

static bool buffer_matches(const struct buf_entry *b,
			   const struct list_filter *f)
{
	size_t i;

	if (f->by_uid && !(b->uid_known && b->uid == f->uid))
		return false;
	if (!f->by_pid)
		return true;
	for (i = 0; i < b->nholders; i++)
		if (b->holders[i].pid == f->pid)
			return true;
	return false;
}

static void buffer_row(struct table *t, const struct buf_entry *b,
		       uint64_t page)
{
	table_new_row(t);
	set_buffer_cells(t, b, page);
	if (b->info_known && b->info.creator_pid > 0) {
		table_set_u64(t, COL_PID, (uint64_t)b->info.creator_pid);
		table_set_str(t, COL_COMMAND, b->info.creator_comm);
	} else {
		table_set_unknown(t, COL_PID);
		table_set_unknown(t, COL_COMMAND);
	}
	set_user(t, b->uid_known, b->uid);
}

static void holder_row(struct table *t, const struct buf_entry *b,
		       const struct buf_holder *h, uint64_t page)
{
	char fd[16];
	size_t i;

	table_new_row(t);
	set_buffer_cells(t, b, page);
	table_set_u64(t, COL_PID, (uint64_t)h->pid);
	table_set_str(t, COL_COMMAND, h->comm);
	set_user(t, h->uid_known, h->uid);
	if (!h->nfds)
		table_set_unknown(t, COL_FDS);
	for (i = 0; i < h->nfds; i++) {
		snprintf(fd, sizeof(fd), "%d", h->fds[i]);
		table_add_item(t, COL_FDS, fd);
	}
	table_set_size(t, COL_MAPPED, h->mapped);
	if (h->nfds)
		table_set_bool(t, COL_READONLY, !h->writable);
	else
		table_set_unknown(t, COL_READONLY);
}

/*
 * Without the debugfs list, buffers that no process we may inspect holds are
 * not found: compare with the module's count of live buffers.
 */
static void report_hidden(const struct buf_scan *s)
{
	uint64_t alive, n;

	if (s->from_debugfs || read_file_u64(SHMAP_STATS "/buffers", &alive) ||
	    alive <= s->nbufs)
		return;
	n = alive - s->nbufs;
	if (s->denied)
		err_msg("%" PRIu64 " more buffer%s held by processes you cannot inspect (run as root)",
			n, n == 1 ? " is" : "s are");
	else
		err_msg("%" PRIu64 " more buffer%s held by no process (pinned, or by a dma-buf; root sees %s in %s)",
			n, n == 1 ? " is" : "s are", n == 1 ? "it" : "them",
			SHMAP_DEBUGFS_BUFFERS);
}

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		TABLE_LONGOPTS,
		{ "holders", no_argument, NULL, 'P' },
		{ "user", required_argument, NULL, 'u' },
		{ "pid", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	const struct table_spec *spec = &buffer_spec;
	struct list_filter f = { 0 };
	struct out_opts o = { 0 };
	struct buf_scan s;
	struct table *t;
	size_t i, j;
	int opt, err, ret;

	while ((opt = getopt_long(argc, argv, "hPu:p:" TABLE_SHORTOPTS, opts,
				  NULL)) != -1) {
		if (table_opt(&o, opt, optarg))
			continue;
		switch (opt) {
		case 'P':
			spec = &holder_spec;
			break;
		case 'u':
			if (parse_user(optarg, &f.uid))
				return usage_error("list", "unknown user '%s'",
						   optarg);
			f.by_uid = true;
			break;
		case 'p':
			if (parse_pid(optarg, &f.pid))
				return usage_error("list", "bad pid '%s'",
						   optarg);
			f.by_pid = true;
			break;
		case 'h':
			list_usage(stdout);
			return EXIT_OK;
		default:
			return usage_error("list", "bad option");
		}
	}
	if (optind < argc)
		return usage_error("list", "unexpected argument '%s'",
				   argv[optind]);
	if (o.list_columns) {
		table_list_columns(spec, stdout);
		return EXIT_OK;
	}
	ret = table_new(&t, spec, &o, "list");
	if (ret)
		return ret;

	err = buf_scan(&s, "/proc", SHMAP_DEBUGFS_BUFFERS);
	if (err) {
		err_msg("cannot scan /proc: %s", strerror(-err));
		ret = EXIT_FAIL;
		goto out;
	}
	for (i = 0; i < s.nbufs; i++) {
		const struct buf_entry *b = &s.bufs[i];

		if (spec == &buffer_spec) {
			if (buffer_matches(b, &f))
				buffer_row(t, b, page);
			continue;
		}
		for (j = 0; j < b->nholders; j++)
			if (holder_matches(&b->holders[j], &f))
				holder_row(t, b, &b->holders[j], page);
	}
	err = table_print(t);
	if (err) {
		err_msg("cannot print: %s", strerror(-err));
		ret = EXIT_FAIL;
	}
	report_hidden(&s);
out:
	buf_scan_free(&s);
	table_free(t);
	return ret;
}
