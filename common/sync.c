/*
 * sync.c — one pipe from parent to child.
 *
 * Some setup can only be done by the parent once the child exists (writing
 * its uid_map, putting it in a cgroup, moving a veth end into its network
 * namespace), and must be finished before the child goes on. The child
 * blocks on a read; the parent writes one byte when it is done. If the
 * parent dies or gives up first, the child reads end-of-file instead and
 * stops: it never runs a half-configured container.
 *
 * And fds across a unix socket (send_fds): a terminal made inside the
 * container travels out to whoever relays it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"

int sync_init(struct sync_pipe *sync)
{
	/* O_CLOEXEC: the command we exec must not inherit either end. */
	return pipe2(sync->fd, O_CLOEXEC);
}

int sync_release(struct sync_pipe *sync)
{
	const char go = 'G';
	ssize_t n;

	do
		n = write(sync->fd[1], &go, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		return -1;
	return close(sync->fd[1]);
}

int sync_wait(struct sync_pipe *sync)
{
	char go;
	ssize_t n;

	/* The child's copy of the write end must go, or EOF never comes. */
	if (close(sync->fd[1]) < 0)
		return -1;
	do
		n = read(sync->fd[0], &go, 1);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		errno = EPIPE; /* the parent closed without releasing us */
	if (n != 1 || close(sync->fd[0]) < 0)
		return -1;
	return 0;
}

int send_fds(int sock, const int *fds, size_t n, const void *data, size_t len)
{
	union {
		struct cmsghdr header;
		char buf[CMSG_SPACE(4 * sizeof(int))];
	} control = { 0 };
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = CMSG_SPACE(n * sizeof(int)),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
	ssize_t sent;

	if (n == 0 || n > 4 || len == 0) {
		errno = EINVAL;
		return -1;
	}
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(cmsg), fds, n * sizeof(int));
	do
		sent = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (sent < 0 && errno == EINTR);
	if (sent < 0)
		return -1;
	if ((size_t)sent != len) {
		errno = EIO;
		return -1;
	}
	return 0;
}
