// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libshmap: passing buffer fds over AF_UNIX sockets (SCM_RIGHTS).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "internal.h"

/*
 * shmap_buf_send() sends one fd; room for a few more on receive, so that a
 * peer sending several is detected (and its fds closed) without MSG_CTRUNC.
 */
#define SHMAP_RECV_MAX_FDS 8

/* A message of one data byte (@byte) with room for ancillary data. */
static void shmap_msg_init(struct msghdr *msg, struct iovec *iov, char *byte,
			   char *control, size_t controllen)
{
	memset(msg, 0, sizeof(*msg));
	iov->iov_base = byte;
	iov->iov_len = 1;
	msg->msg_iov = iov;
	msg->msg_iovlen = 1;
	msg->msg_control = control;
	msg->msg_controllen = controllen;
}

SHMAP_EXPORT int shmap_buf_send(int sock, const struct shmap_buf *buf)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct cmsghdr *cmsg;
	struct msghdr msg;
	struct iovec iov;
	char byte = 'S';
	ssize_t n;

	if (!buf)
		return -EINVAL;

	memset(&control, 0, sizeof(control));
	shmap_msg_init(&msg, &iov, &byte, control.buf, sizeof(control.buf));

	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &buf->fd, sizeof(int));

	do {
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);

	if (n < 0)
		return -errno;
	if (n != 1)	/* cannot happen for one byte, but never report success */
		return -EIO;
	return 0;
}

/* Close fds[0..n) except fds[keep] (keep < 0: close all). */
static void shmap_close_fds(const int *fds, unsigned int n, int keep)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if ((int)i != keep)
			close(fds[i]);
}

SHMAP_EXPORT int shmap_buf_recv(int sock, struct shmap_buf **bufp)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * SHMAP_RECV_MAX_FDS)];
		struct cmsghdr align;
	} control;
	int fds[SHMAP_RECV_MAX_FDS];
	unsigned int nfds = 0;
	struct cmsghdr *cmsg;
	struct msghdr msg;
	struct iovec iov;
	char byte;
	ssize_t n;

	if (bufp)
		*bufp = NULL;
	if (!bufp)
		return -EINVAL;

	memset(&control, 0, sizeof(control));
	shmap_msg_init(&msg, &iov, &byte, control.buf, sizeof(control.buf));

	do {
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;

	/* Collect every fd that arrived, whatever else happens next. */
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		size_t len, i;

		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS ||
		    cmsg->cmsg_len < CMSG_LEN(0))
			continue;
		len = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < len && nfds < SHMAP_RECV_MAX_FDS; i++)
			memcpy(&fds[nfds++], CMSG_DATA(cmsg) + i * sizeof(int),
			       sizeof(int));
	}

	if (n == 0 && nfds == 0)
		return -ECONNRESET;	/* orderly shutdown by the peer */

	/*
	 * Not what shmap_buf_send() sends: no fd, no data byte, or ancillary
	 * data that did not fit (some fds were dropped by the kernel).
	 */
	if (nfds == 0 || n == 0 || (msg.msg_flags & MSG_CTRUNC)) {
		shmap_close_fds(fds, nfds, -1);
		return -EBADMSG;
	}

	/* Keep the first fd, drop any extra ones. */
	shmap_close_fds(fds, nfds, 0);

	/* Checks, with SHMAP_IOC_INFO, that it is a shmap buffer (-ENOTTY). */
	return shmap_priv_buf_new(fds[0], bufp);
}
