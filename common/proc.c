/*
 * proc.c — starting, naming and reaping processes.
 *
 * clone(2), unlike fork(2), takes the new namespaces as flags, and its
 * glibc wrapper wants a stack for the child. Without CLONE_VM the child
 * gets a copy of our memory, so the parent may unmap its own copy of the
 * stack at once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <linux/sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

#define CHILD_STACK_SIZE ((size_t)1024 * 1024)

pid_t clone_child(int (*fn)(void *), void *arg, int flags)
{
	char *stack = mmap(NULL, CHILD_STACK_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	pid_t pid;
	int err;

	if (stack == MAP_FAILED)
		return -1;
	/* The stack grows down on every architecture we build for. */
	pid = clone(fn, stack + CHILD_STACK_SIZE, flags | SIGCHLD, arg);
	err = errno;
	munmap(stack, CHILD_STACK_SIZE);
	errno = err;
	return pid;
}

/*
 * clone3 has no glibc wrapper. Without a stack in its arguments it behaves
 * like fork: both processes return here, the child with 0. The child must
 * not rely on glibc's cached thread id (raise, pthread_*), which still
 * names the parent; fn only makes system calls and then exits.
 */
pid_t clone_into_cgroup(int (*fn)(void *), void *arg, int flags, int cgroup_fd)
{
	struct clone_args args = {
		.flags = (uint64_t)(unsigned)flags | CLONE_INTO_CGROUP,
		.exit_signal = SIGCHLD,
		.cgroup = (uint64_t)cgroup_fd,
	};
	long pid = syscall(SYS_clone3, &args, sizeof(args));

	if (pid == 0)
		_exit(fn(arg));
	return (pid_t)pid;
}

static const struct {
	int flag;
	const char *name;
} clone_names[] = {
	{ CLONE_NEWUSER, "CLONE_NEWUSER" },	{ CLONE_NEWNS, "CLONE_NEWNS" },
	{ CLONE_NEWUTS, "CLONE_NEWUTS" },	{ CLONE_NEWIPC, "CLONE_NEWIPC" },
	{ CLONE_NEWPID, "CLONE_NEWPID" },	{ CLONE_NEWNET, "CLONE_NEWNET" },
	{ CLONE_NEWCGROUP, "CLONE_NEWCGROUP" },
};

const char *clone_flags_name(int flags, char *buf, size_t size)
{
	size_t used = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(clone_names) / sizeof(clone_names[0]); i++) {
		int n;

		if (!(flags & clone_names[i].flag))
			continue;
		n = snprintf(buf + used, size - used, "%s%s", used ? "|" : "", clone_names[i].name);
		if (n < 0 || (size_t)n >= size - used)
			return buf; /* cut short, but terminated */
		used += (size_t)n;
	}
	if (used == 0)
		snprintf(buf, size, "0");
	return buf;
}

int exit_code_of(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return EXIT_RUNTIME;
}

void exec_command(char *const argv[])
{
	trace("execvp(\"%s\")", argv[0]);
	execvp(argv[0], argv);
	if (errno == ENOENT) {
		warn("%s: command not found", argv[0]);
		_exit(EXIT_NOTFOUND);
	}
	warn_errno("cannot execute %s", argv[0]);
	_exit(EXIT_NOEXEC);
}
