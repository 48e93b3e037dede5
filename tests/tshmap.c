// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the shmap test programs.
 */
#include "tshmap.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
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

/* The parameters a case changed, and their old values, for t_param_restore(). */
#define T_PARAM_SAVED_MAX 4
static struct {
	char name[32], old[32];
} t_param_saved[T_PARAM_SAVED_MAX];
static int t_param_nsaved;
static pid_t t_param_setter;

static void t_param_restore(void)
{
	int i;

	/* Children forked later inherit the handler: not theirs to run. */
	if (getpid() != t_param_setter)
		return;
	for (i = t_param_nsaved - 1; i >= 0; i--) {
		char path[128];
		int r;

		snprintf(path, sizeof(path), T_PARAMS "%s",
			 t_param_saved[i].name);
		r = tap_write_str(path, t_param_saved[i].old);
		if (r)
			tap_diag("restoring %s=%s: %s", t_param_saved[i].name,
				 t_param_saved[i].old, tap_errname(-r));
	}
}

void t_param_set_at(const char *file, int line, const char *name,
		    const char *val)
{
	char path[128];
	int r;

	if (t_param_setter != getpid()) {
		t_param_nsaved = 0;
		t_param_setter = getpid();
		atexit(t_param_restore);
	}
	if (t_param_nsaved == T_PARAM_SAVED_MAX) {
		tap_fail_at(file, line, "more than %d parameters set",
			    T_PARAM_SAVED_MAX);
		tap_abort();
	}
	snprintf(t_param_saved[t_param_nsaved].name,
		 sizeof(t_param_saved[0].name), "%s", name);
	snprintf(t_param_saved[t_param_nsaved].old,
		 sizeof(t_param_saved[0].old), "%llu",
		 (unsigned long long)t_param_at(file, line, name));
	t_param_nsaved++;
	snprintf(path, sizeof(path), T_PARAMS "%s", name);
	r = tap_write_str(path, val);
	if (r) {
		tap_fail_at(file, line, "setting %s=%s: %s", name, val,
			    tap_errname(-r));
		tap_abort();
	}
}

void t_window1_at(const char *file, int line)
{
	t_param_set_at(file, line, "fault_window", "1");
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

char *t_fdinfo(int fd, const char *key, char *val, size_t len)
{
	char what[32], *text, *l;
	size_t klen = strlen(key);

	snprintf(what, sizeof(what), "fdinfo/%d", fd);
	text = t_proc_self(what);
	if (!text)
		return NULL;
	for (l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, key, klen) || l[klen] != ':' || l[klen + 1] != '\t')
			continue;
		l += klen + 2;
		snprintf(val, len, "%.*s", (int)strcspn(l, "\n"), l);
		free(text);
		return val;
	}
	TAP_FAIL("fdinfo of fd %d has no '%s:\\t' line", fd, key);
	free(text);
	return NULL;
}

int t_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d) {
		TAP_FAIL("opendir(/proc/self/fd): %s", tap_errname(errno));
		return -1;
	}
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* the directory's own fd */
}

int t_send_fd(int sock, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = "F", .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm;

	memset(&u, 0, sizeof(u));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -errno;
}

int t_recv_fd(int sock)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	char c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return errno ? -errno : -EPIPE;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_level != SOL_SOCKET ||
	    cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len != CMSG_LEN(sizeof(int)))
		return -EBADMSG;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
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

#define T_CPU_ONLINE "/sys/devices/system/cpu/cpu%d/online"

uint64_t t_cpus_alone(void)
{
	char path[64], on[4];
	uint64_t cpus = 0;
	int cpu;

	/* CPU 0 stays: it cannot be taken offline on x86. */
	for (cpu = 1; cpu < 64; cpu++) {
		snprintf(path, sizeof(path), T_CPU_ONLINE, cpu);
		if (tap_read_str(path, on, sizeof(on)) || strcmp(on, "1"))
			continue;
		if (!tap_write_str(path, "0"))
			cpus |= (uint64_t)1 << cpu;
	}
	return cpus;
}

void t_cpus_back(uint64_t cpus)
{
	char path[64];
	int cpu, r;

	for (cpu = 1; cpu < 64; cpu++) {
		if (!(cpus & ((uint64_t)1 << cpu)))
			continue;
		snprintf(path, sizeof(path), T_CPU_ONLINE, cpu);
		r = tap_write_str(path, "1");
		if (r)
			tap_diag("cpu%d back online: %s", cpu, tap_errname(-r));
	}
}
