/*
 * test_tty.c — the terminal plumbing on real pseudo-terminals (openpty):
 * raw mode and back, also when the process leaves by die() or by a
 * signal, but never from a copy of the process; window sizes; the relay,
 * with EIO on the master once the slave is closed; the EOF key.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <cmocka.h>

#include "common.h"

static int master, slave;

static int open_pair(void **state)
{
	(void)state;
	return openpty(&master, &slave, NULL, NULL, NULL);
}

static int close_pair(void **state)
{
	(void)state;
	tty_restore();
	close(master);
	if (slave >= 0)
		close(slave);
	return 0;
}

static bool is_raw(int fd)
{
	struct termios t;

	assert_int_equal(tcgetattr(fd, &t), 0);
	return !(t.c_lflag & (ICANON | ECHO | ISIG));
}

static void test_raw_and_back(void **state)
{
	struct termios before, after;

	(void)state;
	assert_int_equal(tcgetattr(slave, &before), 0);
	assert_false(is_raw(slave));
	assert_int_equal(tty_raw(slave), 0);
	assert_true(is_raw(slave));
	tty_restore();
	assert_int_equal(tcgetattr(slave, &after), 0);
	assert_int_equal(before.c_iflag, after.c_iflag);
	assert_int_equal(before.c_oflag, after.c_oflag);
	assert_int_equal(before.c_cflag, after.c_cflag);
	assert_int_equal(before.c_lflag, after.c_lflag);
	assert_memory_equal(before.c_cc, after.c_cc, sizeof(before.c_cc));
}

static void test_raw_on_a_pipe_fails(void **state)
{
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	errno = 0;
	assert_int_equal(tty_raw(p[0]), -1);
	assert_int_equal(errno, ENOTTY);
	close(p[0]);
	close(p[1]);
}

/* A child that puts the slave in raw mode and then leaves by HOW. */
static int child_leaving(void (*how)(void))
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		if (tty_raw(slave) < 0 || !is_raw(slave))
			_exit(99);
		how();
		_exit(98);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void leave_by_die(void)
{
	log_set_stream(fopen("/dev/null", "w"));
	die("leaving by die()");
}

static void leave_by_signal(void)
{
	raise(SIGALRM);
}

static void test_restored_after_die(void **state)
{
	int status = child_leaving(leave_by_die);

	(void)state;
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), EXIT_RUNTIME);
	assert_false(is_raw(slave));
}

static void test_restored_after_a_fatal_signal(void **state)
{
	int status = child_leaving(leave_by_signal);

	(void)state;
	/* still killed by the signal: the parent sees what happened */
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGALRM);
	assert_false(is_raw(slave));
}

static void test_a_copy_does_not_restore(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	assert_int_equal(tty_raw(slave), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		tty_restore(); /* a clone()d child's die() would do this */
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(is_raw(slave));
	tty_restore();
	assert_false(is_raw(slave));
}

static void test_copy_winsize(void **state)
{
	struct winsize big = { .ws_row = 50, .ws_col = 132 }, got, seen;
	int m2, s2, p[2];

	(void)state;
	assert_int_equal(openpty(&m2, &s2, NULL, NULL, NULL), 0);
	assert_int_equal(ioctl(slave, TIOCSWINSZ, &big), 0);
	assert_int_equal(tty_copy_winsize(slave, m2, &got), 0);
	assert_int_equal(got.ws_row, 50);
	assert_int_equal(got.ws_col, 132);
	assert_int_equal(ioctl(s2, TIOCGWINSZ, &seen), 0);
	assert_int_equal(seen.ws_row, 50);
	assert_int_equal(seen.ws_col, 132);
	assert_int_equal(pipe(p), 0);
	errno = 0;
	assert_int_equal(tty_copy_winsize(p[0], m2, NULL), -1);
	assert_int_equal(errno, ENOTTY);
	close(p[0]);
	close(p[1]);
	close(m2);
	close(s2);
}

static void test_relay_then_eio_is_eof(void **state)
{
	char buf[64] = { 0 };
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(slave, "hello", 5), 5);
	assert_int_equal(tty_relay(master, p[1]), 5);
	assert_int_equal(read(p[0], buf, sizeof(buf)), 5);
	assert_string_equal(buf, "hello");
	/* every slave fd closed: the master reads EIO, which is the end */
	close(slave);
	slave = -1;
	assert_int_equal(tty_relay(master, p[1]), 0);
	close(p[0]);
	close(p[1]);
}

static void test_drain_reads_everything_left(void **state)
{
	static char out[20000];
	char chunk[3000];
	size_t total = 0;
	ssize_t n;
	int p[2];

	(void)state;
	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	assert_int_equal(fcntl(p[1], F_SETFL, 0), 0);
	assert_int_equal(fcntl(p[1], F_SETPIPE_SZ, 65536) >= 0, 1);
	memset(chunk, 'x', sizeof(chunk));
	for (int i = 0; i < 3; i++)
		assert_int_equal(write(slave, chunk, sizeof(chunk)), sizeof(chunk));
	close(slave);
	slave = -1;
	tty_drain(master, p[1]);
	while ((n = read(p[0], out + total, sizeof(out) - total)) > 0)
		total += (size_t)n;
	assert_int_equal(total, 3 * sizeof(chunk));
	close(p[0]);
	close(p[1]);
}

static void test_send_eof(void **state)
{
	char buf[8];

	(void)state;
	/* canonical mode (the default): ^D on an empty line reads as 0 */
	assert_int_equal(tty_send_eof(master), 0);
	assert_int_equal(read(slave, buf, sizeof(buf)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_raw_and_back, open_pair, close_pair),
		cmocka_unit_test_setup_teardown(test_raw_on_a_pipe_fails, open_pair, close_pair),
		cmocka_unit_test_setup_teardown(test_restored_after_die, open_pair, close_pair),
		cmocka_unit_test_setup_teardown(test_restored_after_a_fatal_signal, open_pair,
						close_pair),
		cmocka_unit_test_setup_teardown(test_a_copy_does_not_restore, open_pair,
						close_pair),
		cmocka_unit_test_setup_teardown(test_copy_winsize, open_pair, close_pair),
		cmocka_unit_test_setup_teardown(test_relay_then_eio_is_eof, open_pair, close_pair),
		cmocka_unit_test_setup_teardown(test_drain_reads_everything_left, open_pair,
						close_pair),
		cmocka_unit_test_setup_teardown(test_send_eof, open_pair, close_pair),
	};

	return cmocka_run_group_tests_name("tty", tests, NULL, NULL);
}
