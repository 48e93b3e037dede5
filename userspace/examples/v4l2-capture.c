// SPDX-License-Identifier: MIT
/*
 * v4l2-capture: a V4L2 capture device writes a frame straight into a shmap
 * buffer, which another process then reads.
 *
 *   v4l2-capture [/dev/videoN]   (default: the first vivid capture device;
 *                                 modprobe vivid)
 *
 * The buffer is exported as a dma-buf with shmap_buf_export_dmabuf() and
 * queued with V4L2_MEMORY_DMABUF: the device fills the buffer's own pages,
 * nothing is copied. A child, forked first, gets a read-only export of the
 * buffer over a Unix socket and checks that its mapping holds the frame the
 * parent checksummed. Exit status 0 if it does.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/dma-buf.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <shmap.h>

struct frame {
	uint64_t sum;	/* FNV-1a of its bytes, 0 if all are 0 */
	uint32_t bytes; /* what the device wrote */
};

static void die(const char *what, int err)
{
	fprintf(stderr, "v4l2-capture: %s: %s\n", what, strerror(err));
	exit(1);
}

static uint64_t checksum(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	int nonzero = 0;

	for (size_t i = 0; i < n; i++) {
		h = (h ^ p[i]) * 0x100000001b3ULL;
		nonzero |= p[i];
	}
	return nonzero ? h : 0;
}

/* @path, or the first /dev/videoN of vivid, if it captures video. */
static int open_video(const char *path, char *name, size_t len)
{
	struct v4l2_capability cap;
	uint32_t caps;

	for (int i = 0; i < (path ? 1 : 64); i++) {
		int fd;

		if (path)
			snprintf(name, len, "%s", path);
		else
			snprintf(name, len, "/dev/video%d", i);
		fd = open(name, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(&cap, 0, sizeof(cap));
		if (!ioctl(fd, VIDIOC_QUERYCAP, &cap)) {
			caps = (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ?
				       cap.device_caps :
				       cap.capabilities;
			if ((caps & V4L2_CAP_VIDEO_CAPTURE) &&
			    (path ||
			     !strcmp((const char *)cap.driver, "vivid")))
				return fd;
		}
		close(fd);
	}
	fprintf(stderr,
		"v4l2-capture: no V4L2 capture device%s%s (modprobe vivid)\n",
		path ? " at " : "", path ? path : "");
	exit(1);
}

static int reader(int sock)
{
	struct shmap_buf *ro;
	struct frame f;
	void *p;
	int err;

	err = shmap_buf_recv(sock, &ro);
	if (err == -ECONNRESET)
		return 1; /* the parent failed, and said why */
	if (err)
		die("reader: shmap_buf_recv", -err);
	if (read(sock, &f, sizeof(f)) != sizeof(f))
		die("reader: no checksum", EPROTO);
	err = shmap_buf_map(ro, 0, 0, PROT_READ, &p);
	if (err)
		die("reader: shmap_buf_map", -err);
	if (checksum(p, f.bytes) != f.sum) {
		fprintf(stderr, "v4l2-capture: reader: not the frame\n");
		return 1;
	}
	printf("reader: the frame is in the buffer\n");
	shmap_buf_unmap(p, (size_t)shmap_buf_size(ro));
	shmap_buf_close(ro);
	return write(sock, "d", 1) == 1 ? 0 : 1;
}

int main(int argc, char **argv)
{
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE, video, dmabuf, err, sv[2], st;
	struct v4l2_format fmt = { .type = type };
	struct v4l2_requestbuffers req = { .count = 1,
					   .type = type,
					   .memory = V4L2_MEMORY_DMABUF };
	struct v4l2_buffer vb = { .type = type, .memory = V4L2_MEMORY_DMABUF };
	struct dma_buf_sync sync = { DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ };
	struct pollfd pfd = { .events = POLLIN };
	struct shmap_buf *buf, *ro;
	struct shmap_dev *dev;
	char name[64], done;
	struct frame f;
	pid_t pid;
	void *p;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		die("socketpair", errno);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork", errno);
	if (pid == 0) {
		close(sv[0]);
		_exit(reader(sv[1]));
	}
	close(sv[1]);

	/* Single-planar 640x480 YUYV, or what the device makes of it. */
	video = open_video(argc > 1 ? argv[1] : NULL, name, sizeof(name));
	if (ioctl(video, VIDIOC_G_FMT, &fmt) < 0)
		die("VIDIOC_G_FMT", errno);
	fmt.fmt.pix.width = 640;
	fmt.fmt.pix.height = 480;
	fmt.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	if (ioctl(video, VIDIOC_S_FMT, &fmt) < 0)
		die("VIDIOC_S_FMT", errno);
	printf("%s: %" PRIu32 "x%" PRIu32 ", %" PRIu32 " bytes a frame\n", name,
	       fmt.fmt.pix.width, fmt.fmt.pix.height, fmt.fmt.pix.sizeimage);

	/* A shmap buffer for one frame, and a dma-buf of it. */
	err = shmap_dev_open(&dev);
	if (err)
		die("shmap_dev_open", -err);
	err = shmap_buf_create(dev, fmt.fmt.pix.sizeimage, SHMAP_BUF_DEFAULT,
			       "v4l2-capture", 0, &buf);
	shmap_dev_close(dev);
	if (err)
		die("shmap_buf_create", -err);
	err = shmap_buf_export_dmabuf(buf, 0, &dmabuf);
	if (err)
		die("shmap_buf_export_dmabuf", -err);

	/* The dma-buf is the device's one buffer: capture a frame into it. */
	if (ioctl(video, VIDIOC_REQBUFS, &req) < 0 || req.count < 1)
		die("VIDIOC_REQBUFS (V4L2_MEMORY_DMABUF)", errno);
	vb.index = 0;
	vb.m.fd = dmabuf;
	vb.length = (uint32_t)shmap_buf_size(buf);
	if (ioctl(video, VIDIOC_QBUF, &vb) < 0)
		die("VIDIOC_QBUF", errno);
	if (ioctl(video, VIDIOC_STREAMON, &type) < 0)
		die("VIDIOC_STREAMON", errno);
	pfd.fd = video;
	if (poll(&pfd, 1, 5000) != 1)
		die("no frame within 5 s", ETIMEDOUT);
	if (ioctl(video, VIDIOC_DQBUF, &vb) < 0)
		die("VIDIOC_DQBUF", errno);
	ioctl(video, VIDIOC_STREAMOFF, &type);
	if (vb.flags & V4L2_BUF_FLAG_ERROR)
		die("the frame", EIO);

	/* The frame as the CPU sees it, until SYNC_END: the buffer's pages. */
	if (ioctl(dmabuf, DMA_BUF_IOCTL_SYNC, &sync) < 0)
		die("DMA_BUF_IOCTL_SYNC", errno);
	err = shmap_buf_map(buf, 0, 0, PROT_READ, &p);
	if (err)
		die("shmap_buf_map", -err);
	f.bytes = vb.bytesused;
	f.sum = checksum(p, f.bytes);
	if (!f.sum)
		die("the device wrote nothing", EIO);
	printf("captured %" PRIu32 " bytes, FNV-1a %016" PRIx64 "\n", f.bytes,
	       f.sum);

	/* The reader gets a read-only handle, and the checksum. */
	err = shmap_buf_export_ro(buf, 0, &ro);
	if (!err)
		err = shmap_buf_send(sv[0], ro);
	if (err)
		die("sending the buffer", -err);
	if (write(sv[0], &f, sizeof(f)) != sizeof(f))
		die("write", errno);
	if (read(sv[0], &done, 1) != 1 || waitpid(pid, &st, 0) < 0 ||
	    !WIFEXITED(st) || WEXITSTATUS(st)) {
		printf("v4l2-capture: FAILED\n");
		return 1;
	}
	sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
	ioctl(dmabuf, DMA_BUF_IOCTL_SYNC, &sync);
	/* The device holds the dma-buf, so the buffer, until it is closed. */
	shmap_buf_unmap(p, (size_t)shmap_buf_size(buf));
	shmap_buf_close(ro);
	shmap_buf_close(buf);
	close(dmabuf);
	close(video);
	printf("v4l2-capture: OK\n");
	return 0;
}
