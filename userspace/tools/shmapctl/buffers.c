// SPDX-License-Identifier: GPL-2.0-only
/*
 * shmapctl: find every buffer and the processes that hold it, for
 * `shmapctl list`. Three sources, merged by inode (st_dev, st_ino):
 *
 * - /proc/PID/fd/N whose /proc/PID/fdinfo/N has a "shmap-size:" line: a
 *   buffer fd. fdinfo gives what the module knows of the buffer, stat()
 *   gives its device, inode and owner.
 * - /proc/PID/maps lines whose path is "/shmap:NAME" on the buffers'
 *   device: mappings, also of processes that closed their fd.
 * - /sys/kernel/debug/shmap/buffers (root): every live buffer, also those
 *   that nothing visible in /proc holds (pinned by O_DIRECT or io_uring).
 *
 * A process that exits while we read it is skipped; one we may not inspect
 * is counted in buf_scan.denied, so that the caller can say what it did not
 * see.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "buffers.h"
#include "shmapctl.h"

#define SHMAP_MAPS_PREFIX "/shmap:"

/* The scan in progress: where /proc is, and which device buffers are on. */
struct scan_ctx {
	struct buf_scan *s;
	const char *proc;
	bool dev_known;
	dev_t dev;
};

/* The process being read; it becomes a holder once it holds something. */
struct proc_id {
	pid_t pid;
	uid_t uid;
	bool uid_known;
	char comm[32];
};

/* @arr of @n elements of @size, and one more, zeroed; NULL (@arr kept). */
static void *grow(void *arr, size_t n, size_t size)
{
	char *p = realloc(arr, (n + 1) * size);

	if (p)
		memset(p + n * size, 0, size);
	return p;
}

static struct buf_entry *buf_get(struct buf_scan *s, dev_t dev, ino_t ino)
{
	struct buf_entry *b;
	size_t i;

	for (i = 0; i < s->nbufs; i++)
		if (s->bufs[i].dev == dev && s->bufs[i].ino == ino)
			return &s->bufs[i];
	b = grow(s->bufs, s->nbufs, sizeof(*b));
	if (!b)
		return NULL;
	s->bufs = b;
	b = &s->bufs[s->nbufs++];
	b->dev = dev;
	b->ino = ino;
	return b;
}

static int buf_set_name(struct buf_entry *b, const char *name)
{
	char *n = strdup(name);

	if (!n)
		return -ENOMEM;
	free(b->name);
	b->name = n;
	return 0;
}

static struct buf_holder *holder_get(struct buf_entry *b,
				     const struct proc_id *p)
{
	struct buf_holder *h;
	size_t i;

	for (i = 0; i < b->nholders; i++)
		if (b->holders[i].pid == p->pid)
			return &b->holders[i];
	h = grow(b->holders, b->nholders, sizeof(*h));
	if (!h)
		return NULL;
	b->holders = h;
	h = &b->holders[b->nholders++];
	h->pid = p->pid;
	h->uid = p->uid;
	h->uid_known = p->uid_known;
	memcpy(h->comm, p->comm, sizeof(h->comm));
	return h;
}

static int holder_add_fd(struct buf_holder *h, int fd)
{
	int *fds = grow(h->fds, h->nfds, sizeof(*fds));

	if (!fds)
		return -ENOMEM;
	h->fds = fds;
	h->fds[h->nfds++] = fd;
	return 0;
}

static void copy_field(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src);
}

/*
 * Undo the module's octal escapes (\040 \011 \012 \134, as in
 * /proc/self/mountinfo) of names and comms, in place.
 */
static void unescape(char *s)
{
	char *out = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
					(s[3] - '0'));
			s += 4;
		} else {
			*out++ = *s++;
		}
	}
	*out = '\0';
}

/*
 * What fdinfo says of the buffer: "key:\tvalue" lines (see shmap(4)).
 * @name points into @text. Returns true if these are a buffer's (a
 * "shmap-size:" line).
 */
static bool fdinfo_parse(char *text, struct buf_info *info,
			 const char **name, bool *readonly)
{
	bool is_buf = false;
	char *line, *next;

	for (line = text; *line; line = next) {
		char *v = strchr(line, ':');

		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		if (!v || strncmp(line, "shmap-", 6))
			continue;
		*v++ = '\0';
		v += strspn(v, "\t");
		line += 6;
		if (!strcmp(line, "size")) {
			info->size = strtoull(v, NULL, 10);
			is_buf = true;
		} else if (!strcmp(line, "mode")) {
			copy_field(info->mode, sizeof(info->mode), v);
		} else if (!strcmp(line, "name")) {
			unescape(v);
			*name = v;
		} else if (!strcmp(line, "resident-pages")) {
			info->resident_pages = strtoull(v, NULL, 10);
		} else if (!strcmp(line, "reserved-pages")) {
			info->reserved_pages = strtoull(v, NULL, 10);
		} else if (!strcmp(line, "seals")) {
			copy_field(info->seals, sizeof(info->seals), v);
		} else if (!strcmp(line, "read-only")) {
			*readonly = !strcmp(v, "1");
		} else if (!strcmp(line, "noreserve")) {
			info->noreserve = !strcmp(v, "1");
		} else if (!strcmp(line, "huge")) {
			info->huge = !strcmp(v, "1");
		} else if (!strcmp(line, "huge-folios")) {
			info->huge_folios = strtoull(v, NULL, 10);
		} else if (!strcmp(line, "dmabuf-exports")) {
			info->dmabuf_exports = strtoull(v, NULL, 10);
			info->dmabufs_known = true;
		} else if (!strcmp(line, "mappings")) {
			info->mappings = strtoull(v, NULL, 10);
		} else if (!strcmp(line, "creator-pid")) {
			info->creator_pid = (pid_t)strtol(v, NULL, 10);
		} else if (!strcmp(line, "creator-comm")) {
			unescape(v);
			copy_field(info->creator_comm,
				   sizeof(info->creator_comm), v);
		}
	}
	return is_buf;
}

/* Is the error one of a process that exited while we read it? */
static bool vanished(int err)
{
	return err == ENOENT || err == ESRCH;
}

static bool denied_err(int err)
{
	return err == EACCES || err == EPERM;
}

/*
 * One fd of @p: a buffer fd if its fdinfo has the module's keys. Only fds
 * whose link reads "/shmap:..." (every buffer fd's does) can be one, so the
 * others' fdinfo is not read.
 */
static int scan_fd(struct scan_ctx *c, const struct proc_id *p, int fd)
{
	char path[64], link[sizeof(SHMAP_MAPS_PREFIX)], text[4096];
	struct buf_info info = { 0 };
	bool readonly = false;
	const char *name = NULL;
	struct buf_entry *b;
	struct buf_holder *h;
	struct stat st;

	snprintf(path, sizeof(path), "%s/%d/fd/%d", c->proc, p->pid, fd);
	if (readlink(path, link, sizeof(link)) < (ssize_t)sizeof(link) - 1 ||
	    strncmp(link, SHMAP_MAPS_PREFIX, sizeof(link) - 1))
		return 0;
	if (stat(path, &st) < 0)
		return 0;	/* closed since */
	snprintf(path, sizeof(path), "%s/%d/fdinfo/%d", c->proc, p->pid, fd);
	if (read_file_str(path, text, sizeof(text)) < 0 ||
	    !fdinfo_parse(text, &info, &name, &readonly))
		return 0;
	b = buf_get(c->s, st.st_dev, st.st_ino);
	if (!b || (name && buf_set_name(b, name)))
		return -ENOMEM;
	c->dev_known = true;
	c->dev = st.st_dev;
	b->info = info;
	b->info_known = true;
	b->uid = st.st_uid;
	b->uid_known = true;
	h = holder_get(b, p);
	if (!h || holder_add_fd(h, fd))
		return -ENOMEM;
	h->writable |= !readonly;
	return 0;
}

/* Returns 0, -ENOMEM, or the -errno of opening the fd directory. */
static int scan_fds(struct scan_ctx *c, const struct proc_id *p)
{
	char path[64];
	struct dirent *d;
	DIR *dir;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/%d/fd", c->proc, p->pid);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while (!ret && (d = readdir(dir)))
		if (isdigit((unsigned char)d->d_name[0]))
			ret = scan_fd(c, p, atoi(d->d_name));
	closedir(dir);
	return ret;
}

/*
 * One mapping of @p on a buffer. Root may stat the mapped file through
 * /proc/PID/map_files (CAP_SYS_ADMIN): that gives the owner of a buffer
 * that no fd shows.
 */
static int add_mapping(struct scan_ctx *c, const struct proc_id *p,
		       unsigned long start, unsigned long end, dev_t dev,
		       ino_t ino, const char *name)
{
	struct buf_entry *b = buf_get(c->s, dev, ino);
	struct buf_holder *h;

	if (!b)
		return -ENOMEM;
	if (!b->name && buf_set_name(b, name))
		return -ENOMEM;
	if (!b->uid_known) {
		char path[96];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%d/map_files/%lx-%lx",
			 c->proc, p->pid, start, end);
		if (!stat(path, &st) && st.st_ino == ino) {
			b->uid = st.st_uid;
			b->uid_known = true;
		}
	}
	h = holder_get(b, p);
	if (!h)
		return -ENOMEM;
	h->mapped += end - start;
	return 0;
}

/* Returns 0, -ENOMEM, or the -errno of opening maps. */
static int scan_maps(struct scan_ctx *c, const struct proc_id *p)
{
	char path[64], line[4096 + 128];
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/%d/maps", c->proc, p->pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (!ret && fgets(line, sizeof(line), f)) {
		unsigned long start, end, off, ino;
		unsigned int maj, min;
		char perms[8], *name;
		int n = 0;

		if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu %n", &start, &end,
			   perms, &off, &maj, &min, &ino, &n) != 7 || !n)
			continue;
		name = line + n;
		name[strcspn(name, "\n")] = '\0';
		/*
		 * The module's files are on an internal pseudo filesystem:
		 * major 0. Until an fd tells the exact device, any major-0
		 * file named "/shmap:..." is taken; buf_scan() drops the
		 * other devices' once one is known.
		 */
		if (maj != 0 || strncmp(name, SHMAP_MAPS_PREFIX,
					strlen(SHMAP_MAPS_PREFIX)))
			continue;
		ret = add_mapping(c, p, start, end, makedev(maj, min),
				  (ino_t)ino,
				  name + strlen(SHMAP_MAPS_PREFIX));
	}
	fclose(f);
	return ret;
}

/* comm and effective uid; false if the process is gone. */
static bool proc_identify(const char *proc, struct proc_id *p)
{
	char path[64], text[4096];
	const char *uid;

	snprintf(path, sizeof(path), "%s/%d/status", proc, p->pid);
	if (read_file_str(path, text, sizeof(text)) < 0)
		return false;
	uid = strstr(text, "\nUid:");
	/* Uid:	real effective saved fs */
	p->uid_known = uid && sscanf(uid, "\nUid: %*u %u", &p->uid) == 1;
	snprintf(path, sizeof(path), "%s/%d/comm", proc, p->pid);
	return read_file_str(path, p->comm, sizeof(p->comm)) == 0;
}

static int scan_proc(struct scan_ctx *c)
{
	struct dirent *d;
	DIR *dir;
	int ret = 0;

	dir = opendir(c->proc);
	if (!dir)
		return -errno;
	while (!ret && (d = readdir(dir))) {
		struct proc_id p = { 0 };
		bool denied = false;
		int err;

		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		p.pid = atoi(d->d_name);
		if (!proc_identify(c->proc, &p))
			continue;
		err = scan_fds(c, &p);
		if (err == -ENOMEM) {
			ret = err;
			break;
		}
		if (vanished(-err))
			continue;
		denied = denied_err(-err);
		err = scan_maps(c, &p);
		if (err == -ENOMEM)
			ret = err;
		denied |= denied_err(-err);
		c->s->denied += denied;
	}
	closedir(dir);
	return ret;
}

enum {
	DBG_INO, DBG_SIZE, DBG_MODE, DBG_RESIDENT, DBG_RESERVED, DBG_MAPPINGS,
	DBG_SEALS, DBG_NORESERVE, DBG_HUGE, DBG_HUGE_FOLIOS, DBG_DMABUFS,
	DBG_CREATOR_PID, DBG_CREATOR_COMM, DBG_NAME, DBG_FIELDS
};

/* Modules before 0.3 have no HUGE, HUGE_FOLIOS and DMABUFS fields. */
#define DBG_FIELDS_0_2 (DBG_FIELDS - 3)

/*
 * One line "INO SIZE MODE RESIDENT RESERVED MAPPINGS SEALS NORESERVE HUGE
 * HUGE_FOLIOS DMABUFS CREATOR_PID CREATOR_COMM NAME" (NAME empty for an
 * unnamed buffer; no HUGE, HUGE_FOLIOS and DMABUFS from modules before 0.3:
 * the buffer's dma-bufs stay unknown).
 */
static int debugfs_line(struct scan_ctx *c, char *line)
{
	char *f[DBG_FIELDS], *p = line, zero[] = "0";
	struct buf_entry *b;
	unsigned int i, n;
	bool v0_2;

	line[strcspn(line, "\n")] = '\0';
	for (n = 0; n < DBG_FIELDS && (f[n] = strsep(&p, " ")); n++)
		;
	v0_2 = n == DBG_FIELDS_0_2 && !p;
	if (v0_2) {
		memmove(&f[DBG_CREATOR_PID], &f[DBG_HUGE],
			(DBG_FIELDS - DBG_CREATOR_PID) * sizeof(*f));
		f[DBG_HUGE] = zero;
		f[DBG_HUGE_FOLIOS] = zero;
		f[DBG_DMABUFS] = zero;
	} else if (n != DBG_FIELDS || p) {
		return 0;	/* not a line of this format */
	}
	for (i = DBG_CREATOR_COMM; i < DBG_FIELDS; i++)
		unescape(f[i]);
	b = buf_get(c->s, c->dev, (ino_t)strtoull(f[DBG_INO], NULL, 10));
	if (!b)
		return -ENOMEM;
	b->info.size = strtoull(f[DBG_SIZE], NULL, 10);
	copy_field(b->info.mode, sizeof(b->info.mode), f[DBG_MODE]);
	b->info.resident_pages = strtoull(f[DBG_RESIDENT], NULL, 10);
	b->info.reserved_pages = strtoull(f[DBG_RESERVED], NULL, 10);
	b->info.mappings = strtoull(f[DBG_MAPPINGS], NULL, 10);
	copy_field(b->info.seals, sizeof(b->info.seals),
		   strcmp(f[DBG_SEALS], "-") ? f[DBG_SEALS] : "");
	b->info.noreserve = f[DBG_NORESERVE][0] == '1';
	b->info.huge = f[DBG_HUGE][0] == '1';
	b->info.huge_folios = strtoull(f[DBG_HUGE_FOLIOS], NULL, 10);
	b->info.dmabuf_exports = strtoull(f[DBG_DMABUFS], NULL, 10);
	b->info.dmabufs_known = !v0_2;
	b->info.creator_pid = (pid_t)strtol(f[DBG_CREATOR_PID], NULL, 10);
	copy_field(b->info.creator_comm, sizeof(b->info.creator_comm),
		   f[DBG_CREATOR_COMM]);
	b->info_known = true;
	return buf_set_name(b, f[DBG_NAME]);
}

/* Returns 0 (also when the file is not there or not readable) or -ENOMEM. */
static int scan_debugfs(struct scan_ctx *c, const char *path)
{
	char line[1024];
	FILE *f = fopen(path, "re");
	int ret = 0;

	if (!f)
		return 0;
	while (!ret && fgets(line, sizeof(line), f))
		ret = debugfs_line(c, line);
	c->s->from_debugfs = !ferror(f);
	fclose(f);
	return ret;
}

static void buf_free(struct buf_entry *b)
{
	size_t i;

	for (i = 0; i < b->nholders; i++)
		free(b->holders[i].fds);
	free(b->holders);
	free(b->name);
}

/* Mappings of major-0 files that are not on the buffers' device. */
static void drop_other_devs(struct scan_ctx *c)
{
	struct buf_scan *s = c->s;
	size_t i, n = 0;

	for (i = 0; i < s->nbufs; i++) {
		if (s->bufs[i].dev == c->dev)
			s->bufs[n++] = s->bufs[i];
		else
			buf_free(&s->bufs[i]);
	}
	s->nbufs = n;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static int cmp_holder(const void *a, const void *b)
{
	pid_t x = ((const struct buf_holder *)a)->pid;
	pid_t y = ((const struct buf_holder *)b)->pid;

	return (x > y) - (x < y);
}

static int cmp_buf(const void *a, const void *b)
{
	ino_t x = ((const struct buf_entry *)a)->ino;
	ino_t y = ((const struct buf_entry *)b)->ino;

	return (x > y) - (x < y);
}

/* qsort() of nothing may be given NULL, which qsort() must not get. */
static void sort(void *base, size_t n, size_t size,
		 int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

static void sort_scan(struct buf_scan *s)
{
	size_t i, j;

	sort(s->bufs, s->nbufs, sizeof(*s->bufs), cmp_buf);
	for (i = 0; i < s->nbufs; i++) {
		struct buf_entry *b = &s->bufs[i];

		sort(b->holders, b->nholders, sizeof(*b->holders), cmp_holder);
		for (j = 0; j < b->nholders; j++)
			sort(b->holders[j].fds, b->holders[j].nfds, sizeof(int),
			     cmp_int);
	}
}

/**
 * buf_scan() - every buffer that @proc and @debugfs show
 * @s: filled in; free with buf_scan_free() (also after an error)
 * @proc: where procfs is mounted ("/proc")
 * @debugfs: the module's debugfs buffer list (SHMAP_DEBUGFS_BUFFERS)
 *
 * Return: 0, or -errno if @proc cannot be read or memory runs out.
 */
int buf_scan(struct buf_scan *s, const char *proc, const char *debugfs)
{
	struct scan_ctx c = { .s = s, .proc = proc };
	int ret;

	memset(s, 0, sizeof(*s));
	ret = scan_proc(&c);
	if (ret)
		return ret;
	if (c.dev_known)
		drop_other_devs(&c);
	else if (s->nbufs)
		c.dev = s->bufs[0].dev;	/* a guess: only mappings seen */
	ret = scan_debugfs(&c, debugfs);
	if (ret)
		return ret;
	sort_scan(s);
	return 0;
}

void buf_scan_free(struct buf_scan *s)
{
	size_t i;

	for (i = 0; i < s->nbufs; i++)
		buf_free(&s->bufs[i]);
	free(s->bufs);
	memset(s, 0, sizeof(*s));
}
