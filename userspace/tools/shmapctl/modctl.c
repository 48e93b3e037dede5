// SPDX-License-Identifier: GPL-2.0-only
/*
 * shmapctl: the module through libkmod: status, load, unload.
 */
#include <dirent.h>
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

static struct kmod_ctx *kmod_ctx_new(bool quiet_fail)
{
	struct kmod_ctx *ctx = kmod_new(NULL, NULL);

	if (ctx)
		kmod_set_log_fn(ctx, kmod_log_quiet, NULL);
	else if (!quiet_fail)
		err_msg("cannot initialise libkmod");
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
		return "not loaded";
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

/* Is @name a parameter the installed module declares ("parm" fields)? */
static bool modinfo_has_param(struct kmod_module *mod, const char *name)
{
	struct kmod_list *info = NULL, *l;
	size_t n = strlen(name);
	bool found = false;

	if (!mod || kmod_module_get_info(mod, &info) < 0)
		return false;
	kmod_list_foreach(l, info) {
		const char *v = kmod_module_info_get_value(l);

		if (!strcmp(kmod_module_info_get_key(l), "parm") && v &&
		    !strncmp(v, name, n) && v[n] == ':') {
			found = true;
			break;
		}
	}
	kmod_module_info_free_list(info);
	return found;
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

static void not_installed_msg(void)
{
	err_msg("shmap is not installed for kernel %s; install shmap-dkms or run dkms install",
		kernel_release());
}

/* ---- status -------------------------------------------------------------- */

struct status {
	bool loaded, installed, dev_exists, dev_opens;
	int initstate, refcnt;
	const char *path;
	char *version, *srcversion;
	struct kmod_module *mod;
	struct kmod_list *holders;
	struct stat st;
	int dev_err;
	uint32_t abi;
	uint64_t features, max_buffer, max_total;
	bool have_limits;
	struct dirent **params;
	int nparams;
	uint64_t stats[4];
	int stats_err[4];
	long page_size;
};

static const char *const stat_names[4] = {
	"buffers", "pages_allocated", "pages_reserved", "faults",
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
};

static int param_filter(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static void status_collect(struct status *s, struct kmod_ctx *ctx)
{
	struct kmod_module *inst = NULL;
	struct shmap_dev *dev;
	char buf[256];
	unsigned int i;
	int err;

	memset(s, 0, sizeof(*s));
	s->page_size = sysconf(_SC_PAGESIZE);
	s->initstate = -ENOENT;
	if (ctx) {
		inst = lookup_installed(ctx, &err);
		if (inst) {
			s->installed = true;
			s->path = kmod_module_get_path(inst);
			s->mod = inst;
		} else if (kmod_module_new_from_name(ctx, SHMAP_MODULE,
						     &s->mod) < 0) {
			s->mod = NULL;
		}
	}
	if (s->mod) {
		s->initstate = kmod_module_get_initstate(s->mod);
		s->loaded = s->initstate == KMOD_MODULE_LIVE ||
			    s->initstate == KMOD_MODULE_BUILTIN;
	} else {
		s->loaded = module_loaded();
		s->initstate = s->loaded ? KMOD_MODULE_LIVE : -ENOENT;
	}

	/* The running module's version first, else the installed one's. */
	if (!read_file_str(SHMAP_SYSMOD "/version", buf, sizeof(buf)))
		s->version = strdup(buf);
	else
		s->version = modinfo_get(inst, "version");
	if (!read_file_str(SHMAP_SYSMOD "/srcversion", buf, sizeof(buf)))
		s->srcversion = strdup(buf);
	else
		s->srcversion = modinfo_get(inst, "srcversion");

	if (s->loaded && s->mod) {
		s->refcnt = kmod_module_get_refcnt(s->mod);
		s->holders = kmod_module_get_holders(s->mod);
	}

	s->nparams = scandir(SHMAP_PARAMS, &s->params, param_filter, alphasort);
	if (s->nparams < 0) {
		s->nparams = 0;
		s->params = NULL;
	}

	s->dev_exists = stat(SHMAP_DEV_PATH, &s->st) == 0;
	s->dev_err = shmap_dev_open(&dev);
	if (!s->dev_err) {
		s->dev_opens = true;
		s->abi = shmap_dev_abi_version(dev);
		s->features = shmap_dev_features(dev);
		s->have_limits = !shmap_dev_limits(dev, &s->max_buffer,
						   &s->max_total);
		shmap_dev_close(dev);
	}
	if (!s->have_limits) {
		uint64_t mb;

		if (!read_file_u64(SHMAP_PARAMS "/max_buffer_mb", &mb)) {
			s->max_buffer = mb << 20;
			if (!read_file_u64(SHMAP_PARAMS "/max_total_mb", &mb)) {
				s->max_total = mb << 20;
				s->have_limits = true;
			}
		}
	}

	for (i = 0; i < 4; i++) {
		snprintf(buf, sizeof(buf), SHMAP_STATS "/%s", stat_names[i]);
		s->stats_err[i] = read_file_u64(buf, &s->stats[i]);
	}
}

static void status_free(struct status *s)
{
	int i;

	for (i = 0; i < s->nparams; i++)
		free(s->params[i]);
	free(s->params);
	free(s->version);
	free(s->srcversion);
	if (s->holders)
		kmod_module_unref_list(s->holders);
	kmod_module_unref(s->mod);
}

static const char *user_name(uid_t uid)
{
	struct passwd *pw = getpwuid(uid);

	return pw ? pw->pw_name : NULL;
}

static const char *group_name(gid_t gid)
{
	struct group *gr = getgrgid(gid);

	return gr ? gr->gr_name : NULL;
}

static void mode_string(mode_t m, char out[11])
{
	static const char rwx[] = "rwxrwxrwx";
	int i;

	out[0] = S_ISCHR(m) ? 'c' : S_ISBLK(m) ? 'b' : S_ISDIR(m) ? 'd' :
		 S_ISREG(m) ? '-' : '?';
	for (i = 0; i < 9; i++)
		out[i + 1] = (m & (1U << (8 - i))) ? rwx[i] : '-';
	out[10] = '\0';
}

static int param_read(const char *name, char *buf, size_t len)
{
	char path[512];

	snprintf(path, sizeof(path), SHMAP_PARAMS "/%s", name);
	return read_file_str(path, buf, len);
}

static void status_text(const struct status *s)
{
	char h1[32];
	unsigned int i;
	int n;

	printf("module:      %s %s, %s\n", SHMAP_MODULE,
	       s->version ? s->version : "(version unknown)",
	       s->loaded ? initstate_name(s->initstate) : "not loaded");
	if (s->installed)
		printf("installed:   %s (kernel %s)\n", s->path, kernel_release());
	else
		printf("installed:   no (kernel %s)\n", kernel_release());
	if (s->loaded) {
		struct kmod_list *l;

		printf("refcount:    %d\n", s->refcnt);
		printf("holders:    ");
		n = 0;
		kmod_list_foreach(l, s->holders) {
			struct kmod_module *h = kmod_module_get_module(l);

			printf(" %s", kmod_module_get_name(h));
			kmod_module_unref(h);
			n++;
		}
		printf("%s\n", n ? "" : " none");
	}
	if (s->nparams) {
		printf("parameters:\n");
		for (n = 0; n < s->nparams; n++) {
			const char *name = s->params[n]->d_name;
			char val[256];
			int err = param_read(name, val, sizeof(val));

			if (err) {
				printf("  %-15s (%s)\n", name, strerror(-err));
				continue;
			}
			if (strlen(name) > 3 &&
			    !strcmp(name + strlen(name) - 3, "_mb")) {
				char *end;
				uint64_t mb = strtoull(val, &end, 10);

				if (!*end) {
					human_size(mb << 20, h1, sizeof(h1));
					printf("  %-15s %s (%s)\n", name, val, h1);
					continue;
				}
			}
			printf("  %-15s %s\n", name, val);
		}
	}
	if (s->dev_exists) {
		char ms[11];
		const char *u = user_name(s->st.st_uid);
		const char *g = group_name(s->st.st_gid);

		mode_string(s->st.st_mode, ms);
		printf("device:      %s %s ", SHMAP_DEV_PATH, ms);
		if (u)
			printf("%s ", u);
		else
			printf("%u ", (unsigned int)s->st.st_uid);
		if (g)
			printf("%s", g);
		else
			printf("%u", (unsigned int)s->st.st_gid);
		printf(" %u:%u, ", major(s->st.st_rdev), minor(s->st.st_rdev));
	} else {
		printf("device:      %s missing, ", SHMAP_DEV_PATH);
	}
	if (s->dev_opens)
		printf("opens\n");
	else
		printf("cannot open: %s\n", strerror(-s->dev_err));
	if (s->dev_opens) {
		printf("abi:         version %" PRIu32 ", features", s->abi);
		for (i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]); i++)
			if (s->features & feature_names[i].bit)
				printf(" %s", feature_names[i].name);
		printf("\n");
	}
	if (s->loaded) {
		printf("counters:\n");
		for (i = 0; i < 4; i++) {
			if (s->stats_err[i]) {
				printf("  %-15s (%s)\n", stat_names[i],
				       strerror(-s->stats_err[i]));
			} else if (i == 1 || i == 2) {
				human_size(s->stats[i] * (uint64_t)s->page_size,
					   h1, sizeof(h1));
				printf("  %-15s %" PRIu64 " (%s)\n",
				       stat_names[i], s->stats[i], h1);
			} else {
				printf("  %-15s %" PRIu64 "\n", stat_names[i],
				       s->stats[i]);
			}
		}
	}
	if (s->have_limits) {
		char h2[32];

		human_size(s->max_buffer, h1, sizeof(h1));
		human_size(s->max_total, h2, sizeof(h2));
		printf("limits:      buffer %s, total %s", h1, h2);
		if (!s->stats_err[2]) {
			human_size(s->stats[2] * (uint64_t)s->page_size, h1,
				   sizeof(h1));
			printf(" (%s reserved)", h1);
		}
		printf("\n");
	}
}

static void status_json(const struct status *s)
{
	struct json j;
	struct kmod_list *l;
	char val[256];
	unsigned int i;
	int n;

	json_init(&j, stdout);
	json_obj_begin(&j, NULL);
	json_str(&j, "kernel", kernel_release());

	json_obj_begin(&j, "module");
	json_str(&j, "name", SHMAP_MODULE);
	json_bool(&j, "loaded", s->loaded);
	json_str(&j, "state", s->loaded ? initstate_name(s->initstate) :
					  "not loaded");
	json_bool(&j, "installed", s->installed);
	json_str(&j, "path", s->installed ? s->path : NULL);
	json_str(&j, "version", s->version);
	json_str(&j, "srcversion", s->srcversion);
	if (s->loaded)
		json_u64(&j, "refcount", (uint64_t)(s->refcnt < 0 ? 0 : s->refcnt));
	else
		json_null(&j, "refcount");
	json_arr_begin(&j, "holders");
	kmod_list_foreach(l, s->holders) {
		struct kmod_module *h = kmod_module_get_module(l);

		json_str(&j, NULL, kmod_module_get_name(h));
		kmod_module_unref(h);
	}
	json_arr_end(&j);
	json_obj_end(&j);

	json_obj_begin(&j, "parameters");
	for (n = 0; n < s->nparams; n++) {
		const char *name = s->params[n]->d_name;

		if (param_read(name, val, sizeof(val)))
			json_null(&j, name);
		else
			json_raw_number_or_str(&j, name, val);
	}
	json_obj_end(&j);

	json_obj_begin(&j, "device");
	json_str(&j, "path", SHMAP_DEV_PATH);
	json_bool(&j, "exists", s->dev_exists);
	if (s->dev_exists) {
		char mode[8];

		snprintf(mode, sizeof(mode), "%04o",
			 (unsigned int)(s->st.st_mode & 07777));
		json_str(&j, "mode", mode);
		json_u64(&j, "uid", s->st.st_uid);
		json_u64(&j, "gid", s->st.st_gid);
		json_str(&j, "owner", user_name(s->st.st_uid));
		json_str(&j, "group", group_name(s->st.st_gid));
		json_u64(&j, "major", major(s->st.st_rdev));
		json_u64(&j, "minor", minor(s->st.st_rdev));
	}
	json_bool(&j, "opens", s->dev_opens);
	json_str(&j, "error", s->dev_opens ? NULL : strerror(-s->dev_err));
	if (s->dev_opens) {
		json_u64(&j, "abi_version", s->abi);
		json_arr_begin(&j, "features");
		for (i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]); i++)
			if (s->features & feature_names[i].bit)
				json_str(&j, NULL, feature_names[i].name);
		json_arr_end(&j);
	}
	json_obj_end(&j);

	if (s->loaded) {
		json_obj_begin(&j, "stats");
		for (i = 0; i < 4; i++) {
			if (s->stats_err[i])
				json_null(&j, stat_names[i]);
			else
				json_u64(&j, stat_names[i], s->stats[i]);
		}
		json_obj_end(&j);
	} else {
		json_null(&j, "stats");
	}
	if (s->have_limits) {
		json_obj_begin(&j, "limits");
		json_u64(&j, "max_buffer_bytes", s->max_buffer);
		json_u64(&j, "max_total_bytes", s->max_total);
		json_obj_end(&j);
	} else {
		json_null(&j, "limits");
	}
	json_u64(&j, "page_size", (uint64_t)s->page_size);
	json_obj_end(&j);
	json_finish(&j);
}

static void status_usage(FILE *f)
{
	fputs("Usage: shmapctl status [--json]\n"
	      "\n"
	      "Show whether shmap is loaded (through libkmod), its version,\n"
	      "refcount and holders, every parameter, /dev/shmap, the ABI\n"
	      "version and features, the counters and the limits.\n"
	      "\n"
	      "  -j, --json   one JSON object on standard output\n"
	      "  -h, --help   this help\n"
	      "\n"
	      "Exit status: 0 if shmap is loaded and /dev/shmap opens, else 1.\n",
	      f);
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kmod_ctx *ctx;
	struct status s;
	bool json = false;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'h':
			status_usage(stdout);
			return EXIT_OK;
		default:
			return usage_error("status", "bad option");
		}
	}
	if (optind < argc)
		return usage_error("status", "unexpected argument '%s'",
				   argv[optind]);

	ctx = kmod_ctx_new(true);	/* without it, sysfs only */
	status_collect(&s, ctx);
	if (json)
		status_json(&s);
	else
		status_text(&s);
	fflush(stdout);

	ret = EXIT_OK;
	if (!s.loaded) {
		if (s.installed)
			err_msg("shmap is not loaded (run 'shmapctl load')");
		else
			err_msg("shmap is not loaded, and not installed for kernel %s",
				kernel_release());
		ret = EXIT_FAIL;
	} else if (!s.dev_opens) {
		err_msg("cannot open %s: %s", SHMAP_DEV_PATH,
			strerror(-s.dev_err));
		ret = EXIT_FAIL;
	}
	status_free(&s);
	kmod_unref(ctx);
	return ret;
}

/* ---- load ---------------------------------------------------------------- */

/*
 * shmap is already loaded: compare the requested values with the running
 * ones. Returns EXIT_OK if they all agree.
 */
static int compare_loaded(int nparams, char **params)
{
	int i, differ = 0;

	for (i = 0; i < nparams; i++) {
		char name[64], cur[256];
		const char *want;
		int err;

		if (split_assignment(params[i], name, sizeof(name), &want))
			continue;	/* checked before */
		err = param_read(name, cur, sizeof(cur));
		if (err) {
			err_msg("shmap is already loaded; cannot read its %s: %s",
				name, strerror(-err));
			differ++;
		} else if (!param_value_equal(param_find(name), want, cur)) {
			err_msg("shmap is already loaded with %s=%s (requested %s)",
				name, cur, want);
			differ++;
		}
	}
	if (differ) {
		err_msg("%d parameter%s differ%s: change runtime ones with 'shmapctl set', or 'shmapctl unload' first",
			differ, differ == 1 ? "" : "s", differ == 1 ? "s" : "");
		return EXIT_FAIL;
	}
	printf("shmap is already loaded%s\n",
	       nparams ? " with these parameters" : "");
	return EXIT_OK;
}

static void load_usage(FILE *f)
{
	fputs("Usage: shmapctl load [--ignore-blacklist] [PARAM=VALUE...]\n"
	      "\n"
	      "Load shmap for the running kernel through libkmod, as modprobe\n"
	      "would: options and install commands from /etc/modprobe.d apply\n"
	      "(PARAM=VALUE given here win), and so does a blacklist line.\n"
	      "Parameters: dev_mode, default_mode, max_buffer_mb, max_total_mb.\n"
	      "\n"
	      "  --ignore-blacklist  load even if /etc/modprobe.d blacklists shmap\n"
	      "  -h, --help          this help\n"
	      "\n"
	      "If shmap is already loaded, the requested values are compared with\n"
	      "the running ones: exit 0 if they agree, else 1.\n",
	      f);
}

int cmd_load(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ignore-blacklist", no_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx = NULL;
	struct kmsg_mark mark;
	char *options = NULL;
	size_t optlen = 1;
	unsigned int flags;
	bool blacklist = true;
	int opt, i, err, ret = EXIT_FAIL;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'B':
			blacklist = false;
			break;
		case 'h':
			load_usage(stdout);
			return EXIT_OK;
		default:
			return usage_error("load", "bad option");
		}
	}
	argc -= optind;
	argv += optind;

	/* Syntax first: NAME=VALUE, no blanks or quotes in the value. */
	for (i = 0; i < argc; i++) {
		char name[64];
		const char *val;

		if (split_assignment(argv[i], name, sizeof(name), &val))
			return usage_error("load", "'%s' is not PARAM=VALUE",
					   argv[i]);
		if (!*val || strpbrk(val, " \t\n\"'"))
			return usage_error("load", "bad value for %s: '%s'",
					   name, val);
		optlen += strlen(argv[i]) + 1;
	}

	ctx = kmod_ctx_new(false);
	if (!ctx)
		return EXIT_FAIL;
	mod = lookup_installed(ctx, &err);
	if (err < 0) {
		err_msg("cannot look up shmap for kernel %s: %s",
			kernel_release(), strerror(-err));
		goto out;
	}

	/*
	 * Unknown names: the kernel would only log "unknown parameter ignored"
	 * and load anyway, so refuse them here.
	 */
	for (i = 0; i < argc; i++) {
		char name[64];
		const char *val;

		split_assignment(argv[i], name, sizeof(name), &val);
		if (!param_find(name) && !modinfo_has_param(mod, name)) {
			err_msg("unknown parameter '%s' (shmap has dev_mode, default_mode, max_buffer_mb, max_total_mb)",
				name);
			goto out;
		}
	}

	if (module_loaded()) {
		ret = compare_loaded(argc, argv);
		goto out;
	}
	if (!mod) {
		not_installed_msg();
		goto out;
	}

	options = calloc(1, optlen);
	if (!options) {
		err_msg("%s", strerror(ENOMEM));
		goto out;
	}
	for (i = 0; i < argc; i++) {
		if (i)
			strcat(options, " ");
		strcat(options, argv[i]);
	}

	flags = KMOD_PROBE_FAIL_ON_LOADED;
	if (blacklist)
		flags |= KMOD_PROBE_APPLY_BLACKLIST;
	kmsg_mark(&mark);
	err = kmod_module_probe_insert_module(mod, flags, options, NULL, NULL,
					      NULL);
	if (err == 0) {
		const char *cfg = kmod_module_get_options(mod);

		if (mark.fd >= 0)
			close(mark.fd);
		if (cfg && *cfg)
			printf("shmap loaded (options from /etc/modprobe.d: %s)\n",
			       cfg);
		else
			printf("shmap loaded\n");
		ret = EXIT_OK;
		goto out;
	}
	switch (err) {
	case KMOD_PROBE_APPLY_BLACKLIST:
		err_msg("shmap is blacklisted in /etc/modprobe.d; remove the blacklist line or use --ignore-blacklist");
		break;
	case -EEXIST:
		/* Loaded by someone else meanwhile. */
		if (mark.fd >= 0)
			close(mark.fd);
		mark.fd = -2;
		ret = compare_loaded(argc, argv);
		break;
	case -EPERM:
	case -EACCES:
		err_msg("cannot load shmap: %s (loading modules needs root, CAP_SYS_MODULE)",
			strerror(-err));
		break;
	case -ENOENT:
		err_msg("cannot load shmap: %s (%s)", strerror(-err),
			kmod_module_get_path(mod));
		not_installed_msg();
		break;
	case -EINVAL:
		err_msg("cannot load shmap: invalid parameter (%s); the kernel says:",
			strerror(-err));
		kmsg_show(&mark, "shmapctl:   ");
		break;
	case -ENOEXEC:
		err_msg("cannot load shmap: %s: the module does not fit kernel %s (rebuild it: dkms install)",
			strerror(-err), kernel_release());
		kmsg_show(&mark, "shmapctl:   ");
		break;
	default:
		err_msg("cannot load shmap: %s", strerror(-err));
		kmsg_show(&mark, "shmapctl:   ");
		break;
	}
	if (mark.fd >= 0)
		close(mark.fd);
out:
	free(options);
	kmod_module_unref(mod);
	kmod_unref(ctx);
	return ret;
}

/* ---- unload -------------------------------------------------------------- */

static void unload_usage(FILE *f)
{
	fputs("Usage: shmapctl unload\n"
	      "\n"
	      "Unload shmap. It stays in use (and loaded) while any buffer fd,\n"
	      "buffer mapping or open /dev/shmap exists.\n"
	      "\n"
	      "  -h, --help   this help\n", f);
}

int cmd_unload(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx;
	int opt, err, ret = EXIT_FAIL;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			unload_usage(stdout);
			return EXIT_OK;
		default:
			return usage_error("unload", "bad option");
		}
	}
	if (optind < argc)
		return usage_error("unload", "unexpected argument '%s'",
				   argv[optind]);

	ctx = kmod_ctx_new(false);
	if (!ctx)
		return EXIT_FAIL;
	err = kmod_module_new_from_name(ctx, SHMAP_MODULE, &mod);
	if (err < 0) {
		err_msg("cannot look up shmap: %s", strerror(-err));
		goto out;
	}
	if (kmod_module_get_initstate(mod) < 0) {
		err_msg("shmap is not loaded");
		goto out;
	}
	if (kmod_module_get_initstate(mod) == KMOD_MODULE_BUILTIN) {
		err_msg("shmap is built into the kernel and cannot be unloaded");
		goto out;
	}

	err = kmod_module_remove_module(mod, 0);
	switch (err) {
	case 0:
		printf("shmap unloaded\n");
		ret = EXIT_OK;
		break;
	case -EBUSY:
	case -EAGAIN: {
		uint64_t buffers;
		int refcnt = kmod_module_get_refcnt(mod);

		if (read_file_u64(SHMAP_STATS "/buffers", &buffers) == 0)
			err_msg("shmap is in use: %" PRIu64 " buffer%s alive, refcount %d; close every buffer fd, mapping and open /dev/shmap first",
				buffers, buffers == 1 ? "" : "s", refcnt);
		else
			err_msg("shmap is in use: refcount %d; close every buffer fd, mapping and open /dev/shmap first",
				refcnt);
		break;
	}
	case -EPERM:
	case -EACCES:
		err_msg("cannot unload shmap: %s (unloading modules needs root, CAP_SYS_MODULE)",
			strerror(-err));
		break;
	case -ENOENT:
		err_msg("shmap is not loaded");
		break;
	default:
		err_msg("cannot unload shmap: %s", strerror(-err));
		break;
	}
out:
	kmod_module_unref(mod);
	kmod_unref(ctx);
	return ret;
}
