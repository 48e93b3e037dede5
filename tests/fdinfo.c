// SPDX-License-Identifier: GPL-2.0
/*
 * fdinfo: what the module shows of a buffer: the shmap-* lines of
 * /proc/PID/fdinfo/N (each key's value, as SHMAP_IOC_INFO and the create
 * call say it should be) and the root-only debugfs list of every buffer.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shmap.h"
#include "tshmap.h"

#define BUFFERS "/sys/kernel/debug/shmap/buffers"
#define NPAGES	16

static void self_comm(char *comm, size_t len)
{
	char *text = t_proc_self("comm");

	snprintf(comm, len, "%.*s", text ? (int)strcspn(text, "\n") : 0,
		 text ? text : "");
	free(text);
}

/* Every key of a lazy buffer, and that they follow touches and mappings. */
static void keys_lazy(void)
{
	size_t pg = t_page(), len = NPAGES * pg;
	int dev = t_dev(), fd = T_CREATE(dev, len, SHMAP_MODE_LAZY, 0, "fd info");
	char comm[32], *p;

	self_comm(comm, sizeof(comm));
	CHECK_FDINFO_U(fd, "shmap-size", len);
	CHECK_FDINFO(fd, "shmap-mode", "lazy");
	CHECK_FDINFO(fd, "shmap-name", "fd info");
	CHECK_FDINFO(fd, "shmap-resident-pages", "0");
	CHECK_FDINFO_U(fd, "shmap-reserved-pages", NPAGES);
	CHECK_FDINFO(fd, "shmap-seals", "");
	CHECK_FDINFO(fd, "shmap-read-only", "0");
	CHECK_FDINFO(fd, "shmap-noreserve", "0");
	CHECK_FDINFO(fd, "shmap-huge", "0");
	CHECK_FDINFO(fd, "shmap-huge-folios", "0");
	CHECK_FDINFO(fd, "shmap-mappings", "0");
	CHECK_FDINFO_U(fd, "shmap-creator-pid", getpid());
	CHECK_FDINFO(fd, "shmap-creator-comm", comm);

	p = T_MAP(fd, len, PROT_READ | PROT_WRITE, 0);
	p[0] = 1;
	p[5 * pg] = 1;
	p[9 * pg] = 1;
	CHECK_FDINFO_U(fd, "shmap-resident-pages", T_INFO(fd).resident_pages);
	CHECK_FDINFO(fd, "shmap-mappings", "1");
	/* A hole in the middle: two vmas. */
	CHECK_SYS(munmap(p + 4 * pg, pg));
	CHECK_FDINFO(fd, "shmap-mappings", "2");
	munmap(p, len);
	CHECK_FDINFO(fd, "shmap-mappings", "0");
	close(fd);
	close(dev);
}

/* The generic lines stay, and ino: is the buffer's inode. */
static void generic_lines(void)
{
	int dev = t_dev(), fd = T_CREATE(dev, t_page(), SHMAP_MODE_EAGER, 0, NULL);
	struct stat st;
	char v[64];

	CHECK_SYS(fstat(fd, &st));
	CHECK_FDINFO_U(fd, "ino", st.st_ino);
	CHECK(t_fdinfo(fd, "pos", v, sizeof(v)) != NULL);
	CHECK(t_fdinfo(fd, "flags", v, sizeof(v)) != NULL);
	CHECK(t_fdinfo(fd, "mnt_id", v, sizeof(v)) != NULL);
	CHECK_FDINFO(fd, "shmap-name", "");
	close(fd);
	close(dev);
}

static void eager_and_noreserve(void)
{
	size_t len = NPAGES * t_page();
	int dev = t_dev();
	int e = T_CREATE(dev, len, SHMAP_MODE_EAGER, 0, NULL);
	int n = T_CREATE(dev, len, SHMAP_MODE_LAZY, SHMAP_CREATE_NORESERVE, NULL);
	char *p;

	CHECK_FDINFO(e, "shmap-mode", "eager");
	CHECK_FDINFO_U(e, "shmap-resident-pages", NPAGES);
	CHECK_FDINFO(n, "shmap-noreserve", "1");
	CHECK_FDINFO(n, "shmap-reserved-pages", "0");
	p = T_MAP(n, len, PROT_READ | PROT_WRITE, 0);
	p[0] = 1;
	CHECK_FDINFO(n, "shmap-reserved-pages", "1");
	munmap(p, len);
	close(n);
	close(e);
	close(dev);
}

/*
 * A huge buffer: the flag, and its 2 MiB folios as INFO counts them (two
 * in a fresh guest), on the buffer fd and on a read-only export.
 */
static void huge(void)
{
	int dev = t_dev();
	int fd = T_CREATE(dev, 4 * T_MIB, SHMAP_MODE_EAGER, SHMAP_CREATE_HUGE,
			  NULL);
	int ro = t_export_ro(fd, 0);
	struct shmap_info info = T_INFO(fd);

	CHECK_GE(ro, 0);
	CHECK_EQ(info.huge_folios, 2);
	CHECK_FDINFO(fd, "shmap-huge", "1");
	CHECK_FDINFO_U(fd, "shmap-huge-folios", info.huge_folios);
	CHECK_FDINFO(ro, "shmap-huge", "1");
	CHECK_FDINFO_U(ro, "shmap-huge-folios", info.huge_folios);
	CHECK_FDINFO(fd, "shmap-noreserve", "0");
	close(ro);
	close(fd);
	close(dev);
}

static void export_and_seals(void)
{
	int dev = t_dev(), fd = T_CREATE(dev, t_page(), SHMAP_MODE_LAZY, 0, NULL);
	int ro = t_export_ro(fd, 0);

	CHECK_GE(ro, 0);
	CHECK_FDINFO(ro, "shmap-read-only", "1");
	CHECK_FDINFO(fd, "shmap-read-only", "0");
	CHECK_GE(t_seal(fd, SHMAP_SEAL_FUTURE_WRITE), 0);
	CHECK_FDINFO(fd, "shmap-seals", "future_write");
	CHECK_FDINFO(ro, "shmap-seals", "future_write");
	CHECK_GE(t_seal(fd, SHMAP_SEAL_SEAL), 0);
	CHECK_FDINFO(ro, "shmap-seals", "future_write,seal");
	close(ro);
	close(fd);
	close(dev);
}

/* The creator is who created it, whoever reads; its comm is escaped. */
static void creator(void)
{
	int dev = t_dev(), fd = T_CREATE(dev, t_page(), SHMAP_MODE_LAZY, 0, "a\\b");
	pid_t parent = getpid(), pid;

	CHECK_FDINFO(fd, "shmap-name", "a\\134b");
	pid = tap_fork();
	if (pid == 0) {
		char want[32];
		int mine;

		snprintf(want, sizeof(want), "%d", (int)parent);
		CHECK_FDINFO(fd, "shmap-creator-pid", want);
		if (prctl(PR_SET_NAME, "x\ty\\z"))
			_exit(3);
		mine = T_CREATE(dev, t_page(), SHMAP_MODE_LAZY, 0, NULL);
		CHECK_FDINFO_U(mine, "shmap-creator-pid", getpid());
		CHECK_FDINFO(mine, "shmap-creator-comm", "x\\011y\\134z");
		_exit(tap_failed ? 1 : 0);
	}
	CHECK_EXIT0(tap_wait(pid));
	close(fd);
	close(dev);
}

/* The fields of @ino's line in the debugfs list; 0 if it has none. */
static int buffers_line(unsigned long ino, char *line, size_t len)
{
	FILE *f = fopen(BUFFERS, "re");
	int found = 0;

	if (!f) {
		TAP_FAIL("fopen(%s): %s", BUFFERS, tap_errname(errno));
		return -1;
	}
	while (fgets(line, (int)len, f)) {
		if (strtoul(line, NULL, 10) == ino) {
			line[strcspn(line, "\n")] = '\0';
			found = 1;
			break;
		}
	}
	fclose(f);
	return found;
}

/*
 * The debugfs list holds every buffer while anything references it (here:
 * a mapping, after the fd is closed), with the same values as fdinfo, and
 * drops it with the last reference.
 */
static void debugfs_list(void)
{
	size_t pg = t_page(), len = 4 * pg;
	int dev = t_dev(), fd = T_CREATE(dev, len, SHMAP_MODE_LAZY, 0, "dbg buf");
	char line[256], want[256], comm[32], *p;
	uint64_t resident;
	struct stat st;

	self_comm(comm, sizeof(comm));
	CHECK_SYS(fstat(fd, &st));
	p = T_MAP(fd, len, PROT_READ | PROT_WRITE, 0);
	p[pg] = 1;
	/* The fault window may have allocated around the touched page. */
	resident = T_INFO(fd).resident_pages;
	CHECK_GE(t_seal(fd, SHMAP_SEAL_SEAL), 0);
	close(fd);
	close(dev);

	snprintf(want, sizeof(want), "%lu %zu lazy %llu 4 1 seal 0 0 0 0 %d %s dbg\\040buf",
		 (unsigned long)st.st_ino, len, (unsigned long long)resident,
		 (int)getpid(), comm);
	if (buffers_line(st.st_ino, line, sizeof(line)) != 1)
		TAP_FAIL("buffer %lu not in %s", (unsigned long)st.st_ino, BUFFERS);
	else if (strcmp(line, want))
		TAP_FAIL("%s: '%s', expected '%s'", BUFFERS, line, want);

	munmap(p, len);
	CHECK_EQ(buffers_line(st.st_ino, line, sizeof(line)), 0);
}

/* Only root reads the list: the names of other users' buffers stay theirs. */
static void debugfs_root_only(void)
{
	pid_t pid = tap_fork();

	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(3);
		CHECK_ERRNO(open(BUFFERS, O_RDONLY | O_CLOEXEC), EACCES);
		_exit(tap_failed ? 1 : 0);
	}
	CHECK_EXIT0(tap_wait(pid));
}

static const struct tap_case cases[] = {
	TAP_CASE(keys_lazy),
	TAP_CASE(generic_lines),
	TAP_CASE(eager_and_noreserve),
	TAP_CASE(huge),
	TAP_CASE(export_and_seals),
	TAP_CASE(creator),
	TAP_CASE(debugfs_list),
	TAP_CASE(debugfs_root_only),
};

TAP_MAIN("fdinfo", cases)
