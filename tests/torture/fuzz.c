// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz: random ioctls on /dev/shmap and on buffer fds.
 *
 * Commands: the six real ones, the real ones with another size or
 * direction, random numbers in and around the 0xBE magic, fully random
 * numbers. Arguments: a struct of random or nearly-valid contents (so that
 * some calls get deep into the module and succeed), NULL, an unmapped
 * address, kernel addresses, a struct straddling into an unmapped page,
 * random integers. The same inside the structs' pointer fields (name).
 * Every call must return 0 or one of the errors the ABI documents (any
 * other errno is reported with its call number, for replay with the seed);
 * crashes and kernel reports are caught by the caller (suite / runner).
 * New fds from successful CREATE/EXPORT_RO/EXPORT_DMABUF are closed; at
 * the end the module's counters (dma-bufs too) must be back to where they
 * started.
 *
 *   fuzz [-n CALLS] [SEED]        default 100000 calls, seed from the clock
 */
#include <sys/mman.h>
#include <time.h>

#include "torture.h"

#define ARGBUF 256

static uint64_t rs;
static unsigned long calls = 100000;
static char *page2;	/* two pages: the second one unmapped */
static char *unmapped;
static uint64_t max_buffer;

static const unsigned long real_cmds[] = {
	SHMAP_IOC_VERSION, SHMAP_IOC_CREATE, SHMAP_IOC_INFO,
	SHMAP_IOC_EXPORT_RO, SHMAP_IOC_SEAL, SHMAP_IOC_EXPORT_DMABUF,
};
#define NREAL (sizeof(real_cmds) / sizeof(real_cmds[0]))

/* EOPNOTSUPP: EXPORT_DMABUF where the kernel has no dma-buf. */
static const int documented[] = { EINVAL, ENOTTY, EFAULT, EFBIG, ENOSPC, ENOMEM, EPERM, EACCES,
				  EOPNOTSUPP };

static uint64_t rnd(void)
{
	return rnd_next(&rs);
}

static unsigned long pick_cmd(void)
{
	unsigned int dirs[] = { _IOC_NONE, _IOC_READ, _IOC_WRITE, _IOC_READ | _IOC_WRITE };
	unsigned long c;

	switch (rnd() % 10) {
	case 0: case 1: case 2: case 3:
		return real_cmds[rnd() % NREAL];
	case 4: case 5: /* a real command number with another size and/or direction */
		c = real_cmds[rnd() % NREAL];
		return _IOC(dirs[rnd() % 4], _IOC_TYPE(c), _IOC_NR(c),
			    rnd() % 2 ? _IOC_SIZE(c) ^ (1u << (rnd() % 8)) : rnd() % 128);
	case 6: case 7: /* around the magic */
		return _IOC(dirs[rnd() % 4], 0xBD + rnd() % 3, rnd() % 0x20, rnd() % 256);
	case 8:
		return _IOC(dirs[rnd() % 4], 0xBE, rnd() % 256, rnd() % (_IOC_SIZEMASK + 1));
	default:
		return (unsigned int)rnd();
	}
}

/* A pointer value for a name field or an argument that is not our buffer. */
static uint64_t wild_pointer(void)
{
	static const uint64_t kernel[] = {
		0xffff888000000000ULL, 0xffffffff81000000ULL, 0xffffffffff600000ULL,
		0xffffffffffffffffULL, 0xfffffffffffff000ULL, 0x8000000000000000ULL,
		0x00007ffffffff000ULL, 0xffffffffULL, 0xfffff000ULL,
	};

	switch (rnd() % 6) {
	case 0: return 0;
	case 1: return (uintptr_t)unmapped;
	case 2: return kernel[rnd() % (sizeof(kernel) / sizeof(kernel[0]))];
	case 3: return (uintptr_t)(page2 + PAGE - 1 - rnd() % 16); /* runs into the hole */
	case 4: return rnd();
	default: return rnd() % 4096;
	}
}

static uint64_t pick_size(void)
{
	switch (rnd() % 10) {
	case 0: return 0;
	case 1: return rnd();
	case 2: {
		static const uint64_t edge[] = { 1, PAGE - 1, PAGE + 1, UINT64_MAX, UINT64_MAX - 4095,
						 1ULL << 63, 1ULL << 52, 0 };
		return edge[rnd() % 7] + (rnd() % 2 ? 0 : max_buffer + 1) * (rnd() % 8 == 0);
	}
	default: return 1 + rnd() % (64 * 1024);
	}
}

/* Fill the argument: mostly-valid for the command it looks like, with a few mutations. */
static void fill_arg(unsigned char *a, unsigned long cmd)
{
	static const char *const names[] = { "fuzz", "", "a/b", "\x01", "x y", "~!@#$%^&*()",
		"0123456789012345678901234567890123456789012345678901234567890123" };
	unsigned int i, flips;

	memset(a, 0, ARGBUF);
	if (rnd() % 8 == 0) {
		for (i = 0; i < ARGBUF; i++)
			a[i] = (unsigned char)rnd();
		return;
	}
	if (_IOC_NR(cmd) == _IOC_NR(SHMAP_IOC_CREATE) && _IOC_TYPE(cmd) == SHMAP_IOC_MAGIC) {
		struct shmap_create *c = (void *)a;

		c->size = pick_size();
		c->mode = rnd() % 4 ? (uint32_t)(rnd() % 3) : (uint32_t)rnd();
		c->flags = rnd() % 4 ? (uint32_t)(rnd() % 8) : (uint32_t)rnd();
		if (c->mode != SHMAP_MODE_LAZY && c->size > (1 << 20) && c->size <= max_buffer)
			c->size = 1 << 20; /* eager buffers allocate: stay small */
		/* Now and then whole 2 MiB spans, for the huge flag's folios. */
		if ((c->flags & SHMAP_CREATE_HUGE) && rnd() % 8 == 0)
			c->size = (2 + rnd() % 3) << 20;
		if (rnd() % 3 == 0)
			c->name = rnd() % 2 ? (uintptr_t)names[rnd() % 7] : wild_pointer();
	} else if (_IOC_NR(cmd) == _IOC_NR(SHMAP_IOC_SEAL)) {
		struct shmap_seal *s = (void *)a;

		s->seals = rnd() % 4 ? (uint32_t)(rnd() % 4) : (uint32_t)rnd();
	} else if (_IOC_NR(cmd) == _IOC_NR(SHMAP_IOC_EXPORT_RO)) {
		((struct shmap_export *)a)->flags = rnd() % 4 ? 0 : (uint32_t)rnd();
	} else if (_IOC_NR(cmd) == _IOC_NR(SHMAP_IOC_EXPORT_DMABUF)) {
		/* NO_CLOEXEC, READONLY, both, or anything. */
		((struct shmap_dmabuf *)a)->flags = rnd() % 4 ? (uint32_t)(rnd() % 4) : (uint32_t)rnd();
	}
	/* A few random bit flips anywhere (flags, pad, reserved...). */
	flips = rnd() % 4 == 0 ? 1 + rnd() % 3 : 0;
	for (i = 0; i < flips; i++)
		a[rnd() % 96] ^= (unsigned char)(1u << (rnd() % 8));
}

/*
 * The fd that a successful CREATE, EXPORT_RO or EXPORT_DMABUF wrote back
 * (also into a struct that straddles into the unmapped page: it was
 * readable after all), or -1.
 */
static int new_fd(unsigned long cmd, const void *arg)
{
	switch (cmd) {
	case SHMAP_IOC_CREATE:
		return (int)((const struct shmap_create *)arg)->fd;
	case SHMAP_IOC_EXPORT_RO:
		return (int)((const struct shmap_export *)arg)->fd;
	case SHMAP_IOC_EXPORT_DMABUF:
		return (int)((const struct shmap_dmabuf *)arg)->fd;
	}
	return -1;
}

static int errno_ok(int e)
{
	unsigned int i;

	for (i = 0; i < sizeof(documented) / sizeof(documented[0]); i++)
		if (documented[i] == e)
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long i, ok = 0, hist[160] = { 0 }, created = 0, bad = 0;
	uint64_t seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16);
	int dev, fds[5], c, e;
	struct counters base, got;
	struct shmap_version v;
	char s1[128], s2[128];
	static unsigned char argbuf[ARGBUF] __attribute__((aligned(8)));

	while ((c = getopt(argc, argv, "n:")) != -1) {
		if (c != 'n') {
			fprintf(stderr, "usage: %s [-n CALLS] [SEED]\n", argv[0]);
			return 2;
		}
		calls = strtoul(optarg, NULL, 0);
	}
	if (optind < argc)
		seed = strtoull(argv[optind], NULL, 0);
	tap_report_start("fuzz");
	printf("# seed %llu (replay: %s -n %lu %llu), %zu-bit\n", (unsigned long long)seed, argv[0],
	       calls, (unsigned long long)seed, sizeof(void *) * 8);
	rs = seed | 1;

	page2 = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page2 == MAP_FAILED)
		return 2;
	unmapped = page2 + 2 * PAGE;
	munmap(page2 + PAGE, 2 * PAGE);

	dev = open(T_DEV, O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		tap_report(0, NULL, "open /dev/shmap: %s", strerror(errno));
		return tap_report_end();
	}
	memset(&v, 0, sizeof(v));
	if (ioctl(dev, SHMAP_IOC_VERSION, &v) == 0)
		max_buffer = v.max_buffer_size;
	base = counters_now();
	/* Targets: the device, an eager, a lazy and a huge buffer, a read-only export. */
	fds[0] = dev;
	fds[1] = t_create(dev, 4 * PAGE, SHMAP_MODE_EAGER, 0, NULL);
	fds[2] = t_create(dev, 64 * PAGE, SHMAP_MODE_LAZY, 0, NULL);
	fds[3] = fds[1] >= 0 ? t_export_ro(fds[1], 0) : -1;
	fds[4] = t_create(dev, 2 << 20, SHMAP_MODE_EAGER, SHMAP_CREATE_HUGE, NULL);
	if (fds[1] < 0 || fds[2] < 0 || fds[3] < 0 || fds[4] < 0) {
		tap_report(0, NULL, "set up buffers");
		return tap_report_end();
	}

	for (i = 0; i < calls; i++) {
		unsigned long cmd = pick_cmd();
		int fd = fds[rnd() % 5];
		unsigned int where = (unsigned int)(rnd() % 16);
		uintptr_t arg;
		long ret;

		fill_arg(argbuf, cmd);
		if (where < 10) {
			arg = (uintptr_t)argbuf;
		} else if (where < 12) {
			/* The struct straddles into the unmapped page. */
			size_t len = _IOC_SIZE(cmd) ? _IOC_SIZE(cmd) : 8;
			size_t in = 1 + rnd() % (len < PAGE ? len : PAGE);

			arg = (uintptr_t)(page2 + PAGE - in);
			memcpy((void *)arg, argbuf, in);
		} else {
			arg = (uintptr_t)wild_pointer();
		}
		ret = ioctl(fd, cmd, arg);
		e = errno;
		if (ret == 0) {
			int nfd = new_fd(cmd, (const void *)arg);

			ok++;
			if (nfd >= 0) {
				close(nfd);
				created++;
			}
		} else if (ret != -1 || (_IOC_TYPE(cmd) == SHMAP_IOC_MAGIC && !errno_ok(e))) {
			/* Other types may reach the VFS's generic ioctls: any errno is theirs. */
			if (bad++ < 10)
				tap_diag("call %lu: ioctl(fd %d, %#lx, %#lx) = %ld, errno %d (%s)", i, fd, cmd,
				     (unsigned long)arg, ret, e, strerror(e));
		}
		if (ret == -1 && e >= 0 && e < 160)
			hist[e]++;
	}
	for (e = 0; e < 160; e++)
		if (hist[e])
			tap_diag("errno %-3d %-10s %lu", e, strerror(e), hist[e]);
	tap_diag("%lu calls, %lu succeeded, %lu new fds", calls, ok, created);
	tap_report(bad == 0, NULL, "%lu ioctls, every one 0 or a documented errno (%lu others)",
		   calls, bad);

	close(fds[1]);
	close(fds[2]);
	close(fds[3]);
	close(fds[4]);
	close(dev);
	c = counters_settle(base, &got);
	tap_report(c, NULL, "counters back to %s%s%s", counters_str(base, s1, sizeof(s1)),
	    c ? "" : ", got ", c ? "" : counters_str(got, s2, sizeof(s2)));
	dev = open(T_DEV, O_RDWR | O_CLOEXEC);
	e = dev >= 0 ? t_create(dev, PAGE, SHMAP_MODE_EAGER, 0, NULL) : -errno;
	tap_report(e >= 0, NULL, "module usable afterwards");
	if (e >= 0)
		close(e);
	if (dev >= 0)
		close(dev);
	return tap_report_end();
}
