// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the shmap test programs.
 */
#include "tshmap.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>

int t_dev(void)
{
	int fd = open(T_DEV, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		TAP_FAIL("open(%s): %s", T_DEV, tap_errname(errno));
		tap_abort();
	}
	return fd;
}

int t_create(int dev, uint64_t size, uint32_t mode, uint32_t flags,
	     const char *name)
{
	struct shmap_create c;

	memset(&c, 0, sizeof(c));
	c.size = size;
	c.name = (uintptr_t)name;
	c.mode = mode;
	c.flags = flags;
	if (ioctl(dev, SHMAP_IOC_CREATE, &c))
		return -errno;
	return (int)c.fd;
}

int t_info(int fd, struct shmap_info *info)
{
	memset(info, 0, sizeof(*info));
	if (ioctl(fd, SHMAP_IOC_INFO, info))
		return -errno;
	return 0;
}

int t_export_ro(int fd, uint32_t flags)
{
	struct shmap_export e;

	memset(&e, 0, sizeof(e));
	e.flags = flags;
	if (ioctl(fd, SHMAP_IOC_EXPORT_RO, &e))
		return -errno;
	return (int)e.fd;
}

int t_export_dmabuf(int fd, uint32_t flags)
{
	struct shmap_dmabuf d;

	memset(&d, 0, sizeof(d));
	d.flags = flags;
	if (ioctl(fd, SHMAP_IOC_EXPORT_DMABUF, &d))
		return -errno;
	return (int)d.fd;
}

int t_seal(int fd, uint32_t seals)
{
	struct shmap_seal s;

	memset(&s, 0, sizeof(s));
	s.seals = seals;
	if (ioctl(fd, SHMAP_IOC_SEAL, &s))
		return -errno;
	return (int)s.seals;
}

int t_version(int dev, struct shmap_version *v)
{
	memset(v, 0, sizeof(*v));
	if (ioctl(dev, SHMAP_IOC_VERSION, v))
		return -errno;
	return 0;
}

static uint64_t t_read_at(const char *file, int line, const char *dir,
			  const char *name)
{
	char path[256];
	uint64_t v = 0;
	int r;

	snprintf(path, sizeof(path), "%s%s", dir, name);
	r = tap_read_u64(path, &v);
	if (r) {
		tap_fail_at(file, line, "reading %s: %s", path,
			    tap_errname(-r));
		tap_abort();
	}
	return v;
}

uint64_t t_stat_at(const char *file, int line, const char *name)
{
	return t_read_at(file, line, T_STATS, name);
}

uint64_t t_param_at(const char *file, int line, const char *name)
{
	return t_read_at(file, line, T_PARAMS, name);
}

static char t_window_saved[32];
static pid_t t_window_setter;

static void t_window_restore(void)
{
	int r;

	/* Children forked later inherit the handler: not theirs to run. */
	if (getpid() != t_window_setter)
		return;
	r = tap_write_str(T_PARAMS "fault_window", t_window_saved);
	if (r)
		tap_diag("restoring fault_window=%s: %s", t_window_saved,
			 tap_errname(-r));
}

void t_window1_at(const char *file, int line)
{
	int r;

	snprintf(t_window_saved, sizeof(t_window_saved), "%llu",
		 (unsigned long long)t_param_at(file, line, "fault_window"));
	r = tap_write_str(T_PARAMS "fault_window", "1");
	if (r) {
		tap_fail_at(file, line, "setting fault_window=1: %s",
			    tap_errname(-r));
		tap_abort();
	}
	t_window_setter = getpid();
	atexit(t_window_restore);
}

#define T_CGROOT "/sys/fs/cgroup"

static void t_cg_file(const struct t_cg *cg, const char *file, char *buf,
		      size_t len)
{
	snprintf(buf, len, "%s/%s", cg->path, file);
}

void t_cg_create(struct t_cg *cg, const char *name, uint64_t max_bytes)
{
	char s[512], path[256];

	REQUIRE_EQ(tap_read_str(T_CGROOT "/cgroup.controllers", s, sizeof(s)), 0);
	if (!strstr(s, "memory")) {
		TAP_FAIL("no memory controller in %s: \"%s\"", T_CGROOT, s);
		tap_abort();
	}
	REQUIRE_EQ(tap_read_str(T_CGROOT "/cgroup.subtree_control", s, sizeof(s)), 0);
	if (!strstr(s, "memory"))
		REQUIRE_RET(tap_write_str(T_CGROOT "/cgroup.subtree_control", "+memory"), 0);
	snprintf(cg->path, sizeof(cg->path), T_CGROOT "/shmap-%s-%d", name, (int)getpid());
	if (mkdir(cg->path, 0755) && errno != EEXIST) {
		TAP_FAIL("mkdir %s: %s", cg->path, tap_errname(errno));
		tap_abort();
	}
	t_cg_file(cg, "memory.max", path, sizeof(path));
	snprintf(s, sizeof(s), "%llu", (unsigned long long)max_bytes);
	REQUIRE_RET(tap_write_str(path, s), 0);
	/* The file exists only with swap support. */
	t_cg_file(cg, "memory.swap.max", path, sizeof(path));
	tap_write_str(path, "0");
}

void t_cg_enter(const struct t_cg *cg)
{
	char path[256];

	t_cg_file(cg, "cgroup.procs", path, sizeof(path));
	REQUIRE_RET(tap_write_str(path, "0"), 0);
}

uint64_t t_cg_u64(const struct t_cg *cg, const char *file)
{
	char path[256];
	uint64_t v = 0;

	t_cg_file(cg, file, path, sizeof(path));
	REQUIRE_RET(tap_read_u64(path, &v), 0);
	return v;
}

/* The number after KEY in a "key value" file of the cgroup. */
static uint64_t t_cg_key(const struct t_cg *cg, const char *file, const char *key)
{
	char path[256], buf[8192], *p;
	size_t kl = strlen(key);

	t_cg_file(cg, file, path, sizeof(path));
	REQUIRE_EQ(tap_read_str(path, buf, sizeof(buf)), 0);
	for (p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, kl) && p[kl] == ' ')
			return strtoull(p + kl + 1, NULL, 10);
	TAP_FAIL("no \"%s\" in %s", key, path);
	return 0;
}

uint64_t t_cg_event(const struct t_cg *cg, const char *key)
{
	return t_cg_key(cg, "memory.events", key);
}

uint64_t t_cg_stat(const struct t_cg *cg, const char *key)
{
	return t_cg_key(cg, "memory.stat", key);
}

void t_cg_remove(const struct t_cg *cg)
{
	int i;

	for (i = 0; i < 100; i++) {
		if (!rmdir(cg->path) || errno == ENOENT)
			return;
		usleep(20000);
	}
	TAP_FAIL("rmdir %s: %s", cg->path, tap_errname(errno));
}

void t_fill(void *p, size_t len, unsigned int seed)
{
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = t_pat(i, seed);
}

size_t t_verify(const void *p, size_t len, unsigned int seed)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != t_pat(i, seed))
			return i;
	return (size_t)-1;
}

int t_all_zero(const void *p, size_t len, size_t *bad)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++) {
		if (b[i]) {
			if (bad)
				*bad = i;
			return 0;
		}
	}
	return 1;
}

void t_write_byte(void *addr)
{
	*(volatile uint8_t *)addr = 0x5a;
}

void t_read_byte(void *addr)
{
	(void)*(volatile uint8_t *)addr;
}

char *t_proc_self(const char *what)
{
	char path[128];
	size_t cap = 65536, len = 0;
	char *buf;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/%s", what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		TAP_FAIL("open(%s): %s", path, tap_errname(errno));
		return NULL;
	}
	buf = malloc(cap);
	if (!buf)
		goto out_close;
	for (;;) {
		ssize_t n;

		if (cap - len < 4096) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				buf = NULL;
				goto out_close;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
out_close:
	close(fd);
	return buf;
}

/* Find the line starting with "<addr>-" in text: a pointer into text. */
static char *t_find_vma(char *text, const void *addr)
{
	char key[32];
	char *p = text;
	size_t kl;

	snprintf(key, sizeof(key), "%lx-", (unsigned long)(uintptr_t)addr);
	kl = strlen(key);
	while (p && *p) {
		if (!strncmp(p, key, kl))
			return p;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

int t_maps_line(const void *addr, char *line, size_t len)
{
	char *text = t_proc_self("maps"), *l, *e;

	if (!text)
		return -ENOMEM;
	l = t_find_vma(text, addr);
	if (!l) {
		free(text);
		return -ENOENT;
	}
	e = strchr(l, '\n');
	if (e)
		*e = '\0';
	snprintf(line, len, "%s", l);
	free(text);
	return 0;
}

int t_smaps_field(const void *addr, const char *field, char *val, size_t len)
{
	char *text = t_proc_self("smaps"), key[64], *l, *e;

	if (!text)
		return -ENOMEM;
	snprintf(key, sizeof(key), "\n%s:", field);
	l = t_find_vma(text, addr);
	if (l)
		l = strstr(l, key);
	if (!l) {
		free(text);
		return -ENOENT;
	}
	l += strlen(key);
	e = strchr(l, '\n');
	if (e)
		*e = '\0';
	snprintf(val, len, "%s", l);
	free(text);
	return 0;
}

int t_vmflags(const void *addr, char *flags, size_t len)
{
	char v[256];
	int r = t_smaps_field(addr, "VmFlags", v, sizeof(v));

	if (r)
		return r;
	snprintf(flags, len, "%s ", v);
	return 0;
}

long t_smaps_kb(const void *addr, const char *field)
{
	char v[64];

	if (t_smaps_field(addr, field, v, sizeof(v)))
		return -1;
	return strtol(v, NULL, 10);
}

double t_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *t_mode_name(uint32_t mode)
{
	switch (mode) {
	case SHMAP_MODE_DEFAULT: return "default";
	case SHMAP_MODE_EAGER: return "eager";
	case SHMAP_MODE_LAZY: return "lazy";
	}
	return "?";
}
