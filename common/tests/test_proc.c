/*
 * test_proc.c — clone_child and clone_into_cgroup start real children;
 * clone_flags_name names flags and never overflows; exit_code_of maps
 * wait statuses as a shell does; exec_command closes inherited fds and
 * exits 127 or 126; close_fds_from closes from its first fd up.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "common.h"

static int returns_arg(void *arg)
{
	return *(int *)arg;
}

static int wait_code(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	return exit_code_of(status);
}

/* valgrind runs clone only as fork or a thread: it stops the whole run
 * at a namespace flag, and clone3 it does not know. make test-valgrind
 * says so (STEPBOX_VALGRIND); these run under ASan in test-sanitize. */
static bool under_valgrind(void)
{
	return getenv("STEPBOX_VALGRIND") != NULL;
}

static void test_clone_child_runs_fn(void **state)
{
	int value = 7;
	pid_t pid;

	(void)state;
	pid = clone_child(returns_arg, &value, 0);
	assert_true(pid > 0);
	assert_int_equal(wait_code(pid), 7);
}

static void test_clone_child_reports_errors(void **state)
{
	int value = 0;

	(void)state;
	if (under_valgrind())
		skip();
	/* CLONE_NEWUSER with CLONE_FS is refused by the kernel */
	errno = 0;
	assert_int_equal(clone_child(returns_arg, &value, CLONE_NEWUSER | CLONE_FS), -1);
	assert_int_equal(errno, EINVAL);
}

static void test_clone_into_cgroup_rejects_non_cgroups(void **state)
{
	int value = 0;
	int root;

	(void)state;
	if (under_valgrind())
		skip();
	root = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(root >= 0);
	/* a directory that is not a cgroup: EBADF (the project needs 5.7+) */
	errno = 0;
	assert_int_equal(clone_into_cgroup(returns_arg, &value, 0, root), -1);
	assert_int_equal(errno, EBADF);
	close(root);
	/* no fd at all: EINVAL (the kernel checks the argument first) */
	errno = 0;
	assert_int_equal(clone_into_cgroup(returns_arg, &value, 0, -1), -1);
	assert_int_equal(errno, EINVAL);
}

/* The child's view of where it was born: 0 when /proc/self/cgroup has
 * the line "0::/<arg>" (the cgroup2 hierarchy). */
static int in_cgroup(void *arg)
{
	char want[128], got[4096];

	snprintf(want, sizeof(want), "0::/%s\n", (const char *)arg);
	if (read_file("/proc/self/cgroup", got, sizeof(got)) < 0)
		return 2;
	return strstr(got, want) ? 0 : 1;
}

/* A cgroup2 mount: /sys/fs/cgroup on v2, its unified/ on a hybrid host. */
static const char *cgroup2_mount(void)
{
	static const char *const candidates[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	char path[64];

	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/cgroup.procs", candidates[i]);
		if (access(path, F_OK) == 0 && access(candidates[i], W_OK) == 0)
			return candidates[i];
	}
	return NULL;
}

static void test_clone_into_cgroup_starts_inside(void **state)
{
	const char *mount = cgroup2_mount();
	char name[64], dir[128];
	pid_t pid;
	int fd;

	if (under_valgrind())
		skip();

	(void)state;
	if (geteuid() != 0 || !mount) {
		skip(); /* needs root and a cgroup2 mount: make test runs it as root */
		return;
	}
	snprintf(name, sizeof(name), "stepbox-unit-%d", (int)getpid());
	snprintf(dir, sizeof(dir), "%s/%s", mount, name);
	assert_int_equal(mkdir(dir, 0755), 0);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	pid = clone_into_cgroup(in_cgroup, name, 0, fd);
	assert_true(pid > 0);
	assert_int_equal(wait_code(pid), 0);
	close(fd);
	assert_int_equal(rmdir(dir), 0);
}

/* Child: fds 3.. are open; after close_fds_from(3) none is. */
static void test_close_fds_from(void **state)
{
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int keep = open("/dev/null", O_RDONLY), gone = open("/dev/null", O_RDONLY);

		if (keep < 0 || gone < 0 || dup2(gone, 200) < 0)
			_exit(2);
		if (close_fds_from((unsigned)gone) < 0)
			_exit(3);
		/* below FIRST stays open, FIRST and above are closed */
		_exit(fcntl(keep, F_GETFD) >= 0 && fcntl(gone, F_GETFD) < 0 &&
			      fcntl(200, F_GETFD) < 0 && errno == EBADF
			  ? 0
			  : 1);
	}
	assert_int_equal(wait_code(pid), 0);
}

static void test_clone_flags_name(void **state)
{
	char buf[128];

	(void)state;
	assert_string_equal(clone_flags_name(0, buf, sizeof(buf)), "0");
	assert_string_equal(clone_flags_name(CLONE_NEWUTS, buf, sizeof(buf)), "CLONE_NEWUTS");
	assert_string_equal(
	    clone_flags_name(CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWUSER, buf, sizeof(buf)),
	    "CLONE_NEWUSER|CLONE_NEWUTS|CLONE_NEWPID");
	/* flags it does not name are left out, not misnamed */
	assert_string_equal(clone_flags_name(CLONE_VM | CLONE_NEWNET, buf, sizeof(buf)),
			    "CLONE_NEWNET");
}

static void test_clone_flags_name_small_buffer(void **state)
{
	char buf[8];

	(void)state;
	memset(buf, 'z', sizeof(buf));
	clone_flags_name(CLONE_NEWUTS | CLONE_NEWPID, buf, sizeof(buf));
	assert_non_null(memchr(buf, '\0', sizeof(buf)));
	assert_int_equal(strncmp(buf, "CLONE_N", 7), 0);
	/* size 0 writes nothing */
	buf[0] = 'q';
	clone_flags_name(CLONE_NEWUTS, buf, 0);
	assert_int_equal(buf[0], 'q');
}

static void test_exit_code_of(void **state)
{
	pid_t pid;

	(void)state;
	assert_int_equal(exit_code_of(W_EXITCODE(0, 0)), 0);
	assert_int_equal(exit_code_of(W_EXITCODE(3, 0)), 3);
	assert_int_equal(exit_code_of(W_EXITCODE(0, SIGKILL)), 137);
	assert_int_equal(exit_code_of(W_EXITCODE(0, SIGTERM)), 143);
	/* and from real children */
	pid = fork();
	if (pid == 0)
		_exit(42);
	assert_int_equal(wait_code(pid), 42);
	pid = fork();
	if (pid == 0) {
		raise(SIGKILL);
		_exit(0);
	}
	assert_int_equal(wait_code(pid), 137);
	/* a stopped child is not an exit: the runtime's own failure code */
	assert_int_equal(exit_code_of(W_STOPCODE(SIGSTOP)), EXIT_RUNTIME);
}

static int exec_in_child(char *const argv[])
{
	pid_t pid = fork();

	if (pid == 0) {
		log_set_stream(fopen("/dev/null", "w"));
		exec_command(argv);
	}
	return wait_code(pid);
}

static void test_exec_command(void **state)
{
	char path[] = "/tmp/stepbox-unit-noexec.XXXXXX";
	char *missing[] = { "/nonexistent/stepbox-command", NULL };
	char *found[] = { "true", NULL };
	char *noexec[] = { path, NULL };
	int fd;

	(void)state;
	assert_int_equal(exec_in_child(found), 0);
	assert_int_equal(exec_in_child(missing), EXIT_NOTFOUND);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	chmod(path, 0644);
	assert_int_equal(exec_in_child(noexec), EXIT_NOEXEC);
	unlink(path);
}

/* A file the kernel cannot run (ENOEXEC) is 126, "exec format error":
 * not run by /bin/sh as execvp would, which made it the shell's 127. */
static void test_exec_command_format_error(void **state)
{
	char path[] = "/tmp/stepbox-unit-notelf.XXXXXX";
	char *bad[] = { path, NULL };
	char *nowhere[] = { "stepbox-no-such-command", NULL };
	static const char elf_garbage[] = "\177ELF\002\001\001garbage\n";
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, elf_garbage, sizeof(elf_garbage) - 1),
			 (ssize_t)sizeof(elf_garbage) - 1);
	close(fd);
	chmod(path, 0755);
	assert_int_equal(exec_in_child(bad), EXIT_NOEXEC);
	unlink(path);
	assert_int_equal(exec_in_child(nowhere), EXIT_NOTFOUND);
}

/* The command must not inherit what its caller had open. */
static void test_exec_command_closes_fds(void **state)
{
	char *argv[] = { "sh", "-c", "[ ! -e /proc/self/fd/9 ]", NULL };
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (dup2(2, 9) < 0)
			_exit(2);
		exec_command(argv);
	}
	assert_int_equal(wait_code(pid), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clone_child_runs_fn),
		cmocka_unit_test(test_clone_child_reports_errors),
		cmocka_unit_test(test_clone_into_cgroup_rejects_non_cgroups),
		cmocka_unit_test(test_clone_into_cgroup_starts_inside),
		cmocka_unit_test(test_close_fds_from),
		cmocka_unit_test(test_clone_flags_name),
		cmocka_unit_test(test_clone_flags_name_small_buffer),
		cmocka_unit_test(test_exit_code_of),
		cmocka_unit_test(test_exec_command),
		cmocka_unit_test(test_exec_command_format_error),
		cmocka_unit_test(test_exec_command_closes_fds),
	};

	return cmocka_run_group_tests_name("proc", tests, NULL, NULL);
}
