/*
 * test_sync.c — the parent/child pipe across a real fork: a released
 * child goes on; a child whose parent closes without releasing it sees
 * EPIPE; neither end survives exec (O_CLOEXEC); an fd sent over a unix
 * socket arrives as the same open file.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "common.h"

/* Fork a child that waits on the pipe and exits 0 if released, 1 if it
 * saw EPIPE, 2 on anything else. */
static pid_t waiting_child(struct sync_pipe *sync)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		if (sync_wait(sync) == 0)
			_exit(0);
		_exit(errno == EPIPE ? 1 : 2);
	}
	return pid;
}

static int child_status(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* A waiting child; the parent then releases it or just closes the pipe.
 * Returns the child's verdict (see waiting_child). */
static int run_pair(bool release)
{
	struct sync_pipe sync;
	pid_t pid;

	assert_int_equal(sync_init(&sync), 0);
	pid = waiting_child(&sync);
	close(sync.fd[0]);
	if (release)
		assert_int_equal(sync_release(&sync), 0);
	else
		close(sync.fd[1]);
	return child_status(pid);
}

static void test_release(void **state)
{
	(void)state;
	assert_int_equal(run_pair(true), 0);
}

static void test_parent_gives_up(void **state)
{
	(void)state;
	assert_int_equal(run_pair(false), 1);
}

static void test_close_on_exec(void **state)
{
	struct sync_pipe sync;

	(void)state;
	assert_int_equal(sync_init(&sync), 0);
	assert_true(fcntl(sync.fd[0], F_GETFD) & FD_CLOEXEC);
	assert_true(fcntl(sync.fd[1], F_GETFD) & FD_CLOEXEC);
	close(sync.fd[0]);
	close(sync.fd[1]);
}

static void test_release_fails_without_reader(void **state)
{
	struct sync_pipe sync;

	(void)state;
	assert_int_equal(sync_init(&sync), 0);
	close(sync.fd[0]);
	signal(SIGPIPE, SIG_IGN);
	errno = 0;
	assert_int_equal(sync_release(&sync), -1);
	assert_int_equal(errno, EPIPE);
	close(sync.fd[1]);
}

/* An fd sent over a socketpair arrives as a new fd of the same pipe:
 * what is written to the pipe is read through the received fd. */
static void test_send_fds(void **state)
{
	int sv[2], pipefd[2], received = -1;
	char data = 0, buf[8] = { 0 };
	union {
		struct cmsghdr header;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = control.buf,
			      .msg_controllen = sizeof(control.buf) };
	struct cmsghdr *cmsg;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(pipe(pipefd), 0);
	assert_int_equal(send_fds(sv[0], &pipefd[0], 1, "T", 1), 0);
	assert_int_equal(recvmsg(sv[1], &msg, 0), 1);
	assert_int_equal(data, 'T');
	cmsg = CMSG_FIRSTHDR(&msg);
	assert_non_null(cmsg);
	assert_int_equal(cmsg->cmsg_type, SCM_RIGHTS);
	memcpy(&received, CMSG_DATA(cmsg), sizeof(int));
	assert_true(received >= 0 && received != pipefd[0]);
	assert_int_equal(write(pipefd[1], "hi", 2), 2);
	assert_int_equal(read(received, buf, sizeof(buf)), 2);
	assert_string_equal(buf, "hi");
	/* no data, no fds: refused */
	errno = 0;
	assert_int_equal(send_fds(sv[0], &pipefd[0], 1, "", 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(send_fds(sv[0], &pipefd[0], 0, "T", 1), -1);
	close(received);
	close(pipefd[0]);
	close(pipefd[1]);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_release),
		cmocka_unit_test(test_parent_gives_up),
		cmocka_unit_test(test_close_on_exec),
		cmocka_unit_test(test_release_fails_without_reader),
		cmocka_unit_test(test_send_fds),
	};

	return cmocka_run_group_tests_name("sync", tests, NULL, NULL);
}
