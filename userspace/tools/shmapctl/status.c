// SPDX-License-Identifier: GPL-2.0-only
/*
 * shmapctl status: the module (through libkmod, else sysfs), /dev/shmap,
 * the ABI, the counters and the limits, as one table row (see shmapctl(1)).
 * Loading and unloading is modprobe's job.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <libkmod.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <shmap.h>

#include "shmapctl.h"

/* ---- helpers ------------------------------------------------------------- */

/* libkmod's own log lines would duplicate shmapctl's messages. */
static void kmod_log_quiet(void *data, int priority, const char *file,
			   int line, const char *fn, const char *format,
			   va_list args)
{
	(void)data;
	(void)priority;
	(void)file;
	(void)line;
	(void)fn;
	(void)format;
	(void)args;
}

static struct kmod_ctx *kmod_ctx_new(void)
{
	struct kmod_ctx *ctx = kmod_new(NULL, NULL);

	if (ctx)
		kmod_set_log_fn(ctx, kmod_log_quiet, NULL);
	return ctx;
}

static const char *initstate_name(int state)
{
	switch (state) {
	case KMOD_MODULE_BUILTIN:
		return "builtin";
	case KMOD_MODULE_LIVE:
		return "live";
	case KMOD_MODULE_COMING:
		return "coming";
	case KMOD_MODULE_GOING:
		return "going";
	default:
		return "unloaded";
	}
}

/*
 * A modinfo field of the installed module (NULL if not installed or absent);
 * the result is malloc()ed.
 */
static char *modinfo_get(struct kmod_module *mod, const char *key)
{
	struct kmod_list *info = NULL, *l;
	char *val = NULL;

	if (!mod || kmod_module_get_info(mod, &info) < 0)
		return NULL;
	kmod_list_foreach(l, info) {
		if (!strcmp(kmod_module_info_get_key(l), key)) {
			const char *v = kmod_module_info_get_value(l);

			val = v ? strdup(v) : NULL;
			break;
		}
	}
	kmod_module_info_free_list(info);
	return val;
}

/* The installed shmap for this kernel (modules.dep), or NULL. */
static struct kmod_module *lookup_installed(struct kmod_ctx *ctx, int *errp)
{
	struct kmod_list *list = NULL, *l;
	struct kmod_module *found = NULL;
	int err;

	err = kmod_module_new_from_lookup(ctx, SHMAP_MODULE, &list);
	if (err < 0) {
		*errp = err;
		return NULL;
	}
	kmod_list_foreach(l, list) {
		struct kmod_module *m = kmod_module_get_module(l);

		if (!found && !strcmp(kmod_module_get_name(m), SHMAP_MODULE) &&
		    kmod_module_get_path(m))
			found = kmod_module_ref(m);
		kmod_module_unref(m);
	}
	kmod_module_unref_list(list);
	*errp = 0;
	return found;
}

/* ---- status -------------------------------------------------------------- */

enum {
	COL_MODULE, COL_KERNEL, COL_STATE, COL_LOADED, COL_INSTALLED,
	COL_PATH, COL_VERSION, COL_SRCVERSION, COL_REFCOUNT, COL_HOLDERS,
	COL_DEVICE, COL_DEV_MODE, COL_OWNER, COL_GROUP, COL_MAJMIN,
	COL_OPENS, COL_ERROR, COL_ABI, COL_FEATURES, COL_DEFAULT_MODE,
	COL_FAULT_WINDOW, COL_MAX_BUFFER, COL_MAX_TOTAL, COL_BUFFERS, COL_DMABUFS,
	COL_ALLOCATED, COL_RESERVED, COL_FAULTS,
};

static const struct col_desc status_cols[] = {
	[COL_MODULE] = { "MODULE", COL_T_STRING, 6, "module name", 0 },
	[COL_KERNEL] = { "KERNEL", COL_T_STRING, 0.1, "running kernel release", 0 },
	[COL_STATE] = { "STATE", COL_T_STRING, 5, "live, coming, going, builtin or unloaded", 0 },
	[COL_LOADED] = { "LOADED", COL_T_BOOL, 1, "the module is loaded (live or builtin)", 0 },
	[COL_INSTALLED] = { "INSTALLED", COL_T_BOOL, 1, "installed for the running kernel (modules.dep)", 0 },
	[COL_PATH] = { "PATH", COL_T_STRING, 0.2, "file of the installed module", 0 },
	[COL_VERSION] = { "VERSION", COL_T_STRING, 5, "version of the loaded, else the installed module", 0 },
	[COL_SRCVERSION] = { "SRCVERSION", COL_T_STRING, 0.1, "srcversion of the loaded, else the installed module", 0 },
	[COL_REFCOUNT] = { "REFCOUNT", COL_T_NUMBER, 3, "module reference count (open files and mappings)", 0 },
	[COL_HOLDERS] = { "HOLDERS", COL_T_LIST, 0.1, "modules that use shmap", 0 },
	[COL_DEVICE] = { "DEVICE", COL_T_STRING, 10, "the device node, if it exists", 0 },
	[COL_DEV_MODE] = { "DEV-MODE", COL_T_STRING, 4, "permissions of the device node (octal)", 0 },
	[COL_OWNER] = { "OWNER", COL_T_STRING, 0.1, "owner of the device node", 0 },
	[COL_GROUP] = { "GROUP", COL_T_STRING, 0.1, "group of the device node", 0 },
	[COL_MAJMIN] = { "MAJ:MIN", COL_T_STRING, 6, "device number of the device node", 0 },
	[COL_OPENS] = { "OPENS", COL_T_BOOL, 1, "this user can open the device", 0 },
	[COL_ERROR] = { "ERROR", COL_T_STRING, 0.2, "why the device does not open", 0 },
	[COL_ABI] = { "ABI", COL_T_NUMBER, 3, "ABI version of the device", 0 },
	[COL_FEATURES] = { "FEATURES", COL_T_LIST, 0.2, "features the device reports (unknown ones in hex)", 0 },
	[COL_DEFAULT_MODE] = { "DEFAULT-MODE", COL_T_STRING, 5, "mode of buffers created with the default (parameter)", 0 },
	[COL_FAULT_WINDOW] = { "FAULT-WINDOW", COL_T_NUMBER, 3, "pages one fault maps (parameter)", 0 },
	[COL_MAX_BUFFER] = { "MAX-BUFFER", COL_T_SIZE, 6, "largest buffer (max_buffer_mb)", 0 },
	[COL_MAX_TOTAL] = { "MAX-TOTAL", COL_T_SIZE, 6, "limit on all reserved memory (max_total_mb)", 0 },
	[COL_BUFFERS] = { "BUFFERS", COL_T_NUMBER, 4, "buffers alive", 0 },
	[COL_DMABUFS] = { "DMABUFS", COL_T_NUMBER, 4, "dma-bufs of all buffers alive", 0 },
	[COL_ALLOCATED] = { "ALLOCATED", COL_T_SIZE, 6, "memory of the pages allocated", 0 },
	[COL_RESERVED] = { "RESERVED", COL_T_SIZE, 6, "memory reserved against MAX-TOTAL", 0 },
	[COL_FAULTS] = { "FAULTS", COL_T_NUMBER, 5, "page faults served since loading", 0 },
};

static const struct table_spec status_spec = {
	"status", status_cols, ARRAY_SIZE(status_cols),
	"MODULE,VERSION,STATE,DEVICE,ABI,BUFFERS,ALLOCATED,RESERVED,MAX-BUFFER,MAX-TOTAL",
};

static const struct {
	uint64_t bit;
	const char *name;
} feature_names[] = {
	{ SHMAP_DEV_FEAT_EAGER, "eager" },
	{ SHMAP_DEV_FEAT_LAZY, "lazy" },
	{ SHMAP_DEV_FEAT_NORESERVE, "noreserve" },
	{ SHMAP_DEV_FEAT_EXPORT_RO, "export-ro" },
	{ SHMAP_DEV_FEAT_SEAL, "seal" },
	{ SHMAP_DEV_FEAT_NAME, "name" },
	{ SHMAP_DEV_FEAT_HUGE, "huge" },
	{ SHMAP_DEV_FEAT_HUGE_LAZY, "huge-lazy" },
	{ SHMAP_DEV_FEAT_DMABUF, "dmabuf" },
};

/* The features by name, and those this shmapctl has no name for in hex. */
static void set_features(struct table *t, uint64_t features)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(feature_names); i++) {
		if (features & feature_names[i].bit)
			table_add_item(t, COL_FEATURES, feature_names[i].name);
		features &= ~feature_names[i].bit;
	}
	if (features) {
		char hex[32];

		snprintf(hex, sizeof(hex), "0x%" PRIx64, features);
		table_add_item(t, COL_FEATURES, hex);
	}
}

/* What the exit status depends on. */
struct status {
	bool loaded, installed;
	int dev_err;
};

/* A sysfs file of the module into @col as a string, or unknown. */
static void set_sysfs_str(struct table *t, int col, const char *path)
{
	char buf[256];

	table_set_str(t, col, read_file_str(path, buf, sizeof(buf)) ? NULL :
			      buf);
}

/* A counter (or a number of pages / of MiB when @unit > 1) into @col. */
static void set_sysfs_u64(struct table *t, int col, const char *path,
			  uint64_t unit)
{
	uint64_t v;

	if (read_file_u64(path, &v))
		table_set_unknown(t, col);
	else if (unit > 1)
		table_set_size(t, col, v * unit);
	else
		table_set_u64(t, col, v);
}

/* The running module's field from sysfs, else the installed one's. */
static void set_version(struct table *t, int col, struct kmod_module *inst,
			const char *field)
{
	char path[128], buf[256], *v;

	snprintf(path, sizeof(path), SHMAP_SYSMOD "/%s", field);
	if (!read_file_str(path, buf, sizeof(buf))) {
		table_set_str(t, col, buf);
		return;
	}
	v = modinfo_get(inst, field);
	table_set_str(t, col, v);
	free(v);
}

static void set_module(struct table *t, struct status *s)
{
	struct kmod_module *inst = NULL, *mod = NULL;
	struct kmod_ctx *ctx = kmod_ctx_new();	/* without it, sysfs only */
	int state = -ENOENT, err;

	if (ctx) {
		inst = lookup_installed(ctx, &err);
		if (inst)
			mod = kmod_module_ref(inst);
		else if (kmod_module_new_from_name(ctx, SHMAP_MODULE, &mod) < 0)
			mod = NULL;
	}
	if (mod)
		state = kmod_module_get_initstate(mod);
	else if (module_loaded())
		state = KMOD_MODULE_LIVE;
	s->loaded = state == KMOD_MODULE_LIVE || state == KMOD_MODULE_BUILTIN;
	s->installed = inst != NULL;

	table_set_str(t, COL_MODULE, SHMAP_MODULE);
	table_set_str(t, COL_KERNEL, kernel_release());
	table_set_str(t, COL_STATE, initstate_name(state));
	table_set_bool(t, COL_LOADED, s->loaded);
	table_set_bool(t, COL_INSTALLED, s->installed);
	table_set_str(t, COL_PATH, inst ? kmod_module_get_path(inst) : NULL);
	set_version(t, COL_VERSION, inst, "version");
	set_version(t, COL_SRCVERSION, inst, "srcversion");
	if (s->loaded && mod) {
		struct kmod_list *holders = kmod_module_get_holders(mod), *l;
		int refcnt = kmod_module_get_refcnt(mod);

		if (refcnt >= 0)
			table_set_u64(t, COL_REFCOUNT, (uint64_t)refcnt);
		else
			table_set_unknown(t, COL_REFCOUNT);
		kmod_list_foreach(l, holders) {
			struct kmod_module *h = kmod_module_get_module(l);

			table_add_item(t, COL_HOLDERS, kmod_module_get_name(h));
			kmod_module_unref(h);
		}
		kmod_module_unref_list(holders);
	} else {
		table_set_unknown(t, COL_REFCOUNT);
		table_set_unknown(t, COL_HOLDERS);
	}
	kmod_module_unref(mod);
	kmod_module_unref(inst);
	kmod_unref(ctx);
}

static void set_device(struct table *t, struct status *s)
{
	struct shmap_dev *dev;
	uint64_t max_buffer, max_total;
	struct stat st;

	if (stat(SHMAP_DEV_PATH, &st) == 0) {
		struct passwd *pw = getpwuid(st.st_uid);
		struct group *gr = getgrgid(st.st_gid);
		char buf[32];

		table_set_str(t, COL_DEVICE, SHMAP_DEV_PATH);
		snprintf(buf, sizeof(buf), "%04o",
			 (unsigned int)(st.st_mode & 07777));
		table_set_str(t, COL_DEV_MODE, buf);
		snprintf(buf, sizeof(buf), "%u", (unsigned int)st.st_uid);
		table_set_str(t, COL_OWNER, pw ? pw->pw_name : buf);
		snprintf(buf, sizeof(buf), "%u", (unsigned int)st.st_gid);
		table_set_str(t, COL_GROUP, gr ? gr->gr_name : buf);
		snprintf(buf, sizeof(buf), "%u:%u", major(st.st_rdev),
			 minor(st.st_rdev));
		table_set_str(t, COL_MAJMIN, buf);
	} else {
		table_set_unknown(t, COL_DEVICE);
		table_set_unknown(t, COL_DEV_MODE);
		table_set_unknown(t, COL_OWNER);
		table_set_unknown(t, COL_GROUP);
		table_set_unknown(t, COL_MAJMIN);
	}

	s->dev_err = shmap_dev_open(&dev);
	table_set_bool(t, COL_OPENS, !s->dev_err);
	if (s->dev_err) {
		table_set_str(t, COL_ERROR, strerror(-s->dev_err));
		table_set_unknown(t, COL_ABI);
		table_set_unknown(t, COL_FEATURES);
		dev = NULL;
	} else {
		table_set_unknown(t, COL_ERROR);
		table_set_u64(t, COL_ABI, shmap_dev_abi_version(dev));
		set_features(t, shmap_dev_features(dev));
	}

	/* The limits in bytes from the device, else the parameters in MiB. */
	if (dev && !shmap_dev_limits(dev, &max_buffer, &max_total)) {
		table_set_size(t, COL_MAX_BUFFER, max_buffer);
		table_set_size(t, COL_MAX_TOTAL, max_total);
	} else {
		set_sysfs_u64(t, COL_MAX_BUFFER, SHMAP_PARAMS "/max_buffer_mb",
			      1ULL << 20);
		set_sysfs_u64(t, COL_MAX_TOTAL, SHMAP_PARAMS "/max_total_mb",
			      1ULL << 20);
	}
	shmap_dev_close(dev);
}

static void set_counters(struct table *t)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);

	set_sysfs_str(t, COL_DEFAULT_MODE, SHMAP_PARAMS "/default_mode");
	set_sysfs_u64(t, COL_FAULT_WINDOW, SHMAP_PARAMS "/fault_window", 1);
	set_sysfs_u64(t, COL_BUFFERS, SHMAP_STATS "/buffers", 1);
	set_sysfs_u64(t, COL_DMABUFS, SHMAP_STATS "/dmabufs", 1);
	set_sysfs_u64(t, COL_ALLOCATED, SHMAP_STATS "/pages_allocated", page);
	set_sysfs_u64(t, COL_RESERVED, SHMAP_STATS "/pages_reserved", page);
	set_sysfs_u64(t, COL_FAULTS, SHMAP_STATS "/faults", 1);
}

static void status_usage(FILE *f)
{
	fputs("Usage: shmapctl status [options]\n"
	      "\n"
	      "Show shmap as one table row: whether it is installed and loaded\n"
	      "(through libkmod), /dev/shmap, the ABI version and features, the\n"
	      "parameters, the counters and the limits. What cannot be known\n"
	      "(e.g. counters while unloaded) is '-' (null in JSON).\n"
	      "Load and unload the module with modprobe(8).\n"
	      "\n"
	      TABLE_OPTIONS_HELP
	      "  -h, --help          this help\n"
	      "\n"
	      "Columns:\n", f);
	table_list_columns(&status_spec, f);
	fputs("\n"
	      "Exit status: 0 if shmap is loaded and /dev/shmap opens, else 1.\n",
	      f);
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		TABLE_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct out_opts o = { 0 };
	struct status s;
	struct table *t;
	int opt, err, ret;

	while ((opt = getopt_long(argc, argv, "h" TABLE_SHORTOPTS, opts,
				  NULL)) != -1) {
		if (table_opt(&o, opt, optarg))
			continue;
		if (opt == 'h') {
			status_usage(stdout);
			return EXIT_OK;
		}
		return usage_error("status", "bad option");
	}
	if (o.list_columns) {
		table_list_columns(&status_spec, stdout);
		return EXIT_OK;
	}
	if (optind < argc)
		return usage_error("status", "unexpected argument '%s'",
				   argv[optind]);
	ret = table_new(&t, &status_spec, &o, "status");
	if (ret)
		return ret;

	table_new_row(t);
	set_module(t, &s);
	set_device(t, &s);
	set_counters(t);
	err = table_print(t);
	table_free(t);
	if (err) {
		err_msg("cannot print: %s", strerror(-err));
		return EXIT_FAIL;
	}

	if (!s.loaded) {
		if (s.installed)
			err_msg("shmap is not loaded (run 'modprobe shmap')");
		else
			err_msg("shmap is not loaded, and not installed for kernel %s",
				kernel_release());
		return EXIT_FAIL;
	}
	if (s.dev_err) {
		err_msg("cannot open %s: %s", SHMAP_DEV_PATH,
			strerror(-s.dev_err));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
