/*
 * proc.c — starting, naming and reaping processes.
 *
 * clone(2), unlike fork(2), takes the new namespaces as flags, and its
 * glibc wrapper wants a stack for the child. Without CLONE_VM the child
 * gets a copy of our memory, so the parent may unmap its own copy of the
 * stack at once.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <linux/sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

#if defined(__SANITIZE_ADDRESS__)
#define STEPBOX_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STEPBOX_ASAN 1
#endif
#endif
#ifdef STEPBOX_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

#define CHILD_STACK_SIZE ((size_t)1024 * 1024)

struct child_start {
	int (*fn)(void *);
	void *arg;
	char *stack;
};

/*
 * The child's first function, on the stack clone gave it. Under
 * AddressSanitizer (make test-asan) it first says where that stack is:
 * ASan still thinks the main thread's stack is in use, and at the first
 * function that does not return (exit, execve's failure path) it would
 * try to clear the whole span between the two, refuse ("ignoring
 * requested __asan_handle_no_return") and warn on the container's stderr.
 * A fiber switch with no way back (NULL) is what this is. Elsewhere it
 * compiles to nothing.
 */
static int start_child(void *p)
{
	const struct child_start *start = p;

#ifdef STEPBOX_ASAN
	__sanitizer_start_switch_fiber(NULL, start->stack, CHILD_STACK_SIZE);
	__sanitizer_finish_switch_fiber(NULL, NULL, NULL);
#endif
	return start->fn(start->arg);
}

pid_t clone_child(int (*fn)(void *), void *arg, int flags)
{
	char *stack = mmap(NULL, CHILD_STACK_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	struct child_start start = { .fn = fn, .arg = arg, .stack = stack };
	pid_t pid;
	int err;

	if (stack == MAP_FAILED)
		return -1;
	/* The stack grows down on every architecture we build for. Without
	 * CLONE_VM the child has its own copy of START, at the same place. */
	pid = clone(start_child, stack + CHILD_STACK_SIZE, flags | SIGCHLD, &start);
	err = errno;
	munmap(stack, CHILD_STACK_SIZE);
	errno = err;
	return pid;
}

/*
 * clone3 has no glibc wrapper. Without a stack in its arguments it behaves
 * like fork: both processes return here, the child with 0. glibc's cached
 * thread id in the child still names the parent, so what fn runs must not
 * rely on it (raise(3), pthread_*); fork(2) and plain system calls are
 * fine, and those are what the container's setup uses.
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

/* Before 5.9 there is no close_range: close what /proc/self/fd lists. */
static int close_listed_fds(unsigned int first)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *entry;

	if (!dir)
		return -1;
	while ((entry = readdir(dir))) {
		int fd = atoi(entry->d_name);

		if (entry->d_name[0] != '.' && fd >= (int)first && fd != dirfd(dir))
			close(fd);
	}
	return closedir(dir);
}

int close_fds_from(unsigned int first)
{
	if (close_range(first, ~0U, 0) == 0)
		return 0;
	if (errno != ENOSYS)
		return -1;
	return close_listed_fds(first);
}

void refuse_setuid(void)
{
	if (getuid() == geteuid() && getgid() == getegid())
		return;
	die("refusing to run set-user-ID or set-group-ID (uid %u, euid %u): installed so, "
	    "it would give every user a root shell; run it with sudo instead",
	    (unsigned)getuid(), (unsigned)geteuid());
}

/* The directories to look in for a command: $PATH, or glibc's default. */
static const char *search_path(void)
{
	const char *path = getenv("PATH");

	return path ? path : "/bin:/usr/bin";
}

/* Where NAME would be in the first directory of PATH, in FULL (an empty
 * entry is the current directory; too long: ""). Returns the rest of
 * PATH, or NULL after its last entry. */
static const char *next_in_path(const char *path, const char *name, char *full, size_t size)
{
	size_t len = strcspn(path, ":");

	if (snprintf(full, size, "%.*s/%s", len ? (int)len : 1, len ? path : ".", name) >=
	    (int)size)
		full[0] = '\0';
	return path[len] ? path + len + 1 : NULL;
}

/* Can NAME be reached as execvp would look for it (PATH, unless it has a
 * '/')? F_OK, not X_OK: a file that is there but not executable is 126. */
static bool reachable(const char *name)
{
	char full[4096];

	if (strchr(name, '/'))
		return access(name, F_OK) == 0;
	for (const char *path = search_path(); path;) {
		path = next_in_path(path, name, full, sizeof(full));
		if (full[0] && access(full, F_OK) == 0)
			return true;
	}
	return false;
}

/*
 * execvp(3), without glibc's fallback: where execve says ENOEXEC (not a
 * program for this machine, and no #! line), execvp runs the file with
 * /bin/sh, which turns a wrong binary into the shell's "ELF: not found"
 * (127). A runtime should say what the kernel said: docker and runc
 * report "exec format error". Returns with errno set, as execvp does.
 */
static void exec_in_path(char *const argv[])
{
	char full[4096];
	int err = ENOENT;

	if (strchr(argv[0], '/')) {
		execv(argv[0], argv);
		return;
	}
	for (const char *path = search_path(); path;) {
		path = next_in_path(path, argv[0], full, sizeof(full));
		if (!full[0])
			continue;
		execv(full, argv);
		/* Not here, or not searchable: go on, as execvp does; anything
		 * else (ENOEXEC, E2BIG, ...) is about this one. */
		if (errno == EACCES)
			err = EACCES;
		else if (errno != ENOENT && errno != ENOTDIR && errno != ESTALE &&
			 errno != ENODEV && errno != ETIMEDOUT)
			return;
	}
	errno = err;
}

void exec_command(char *const argv[])
{
	/* Whatever our caller or we ourselves hold open (a terminal's fd 7,
	 * a cgroup directory, a lock) must not reach the command: closed
	 * here, from 3 up, it cannot be inherited by mistake. From step08
	 * on this is runc's CVE-2024-21626, a leaked host directory fd. */
	if (close_fds_from(3) < 0)
		die_errno("close_range(3, ~0U)");
	trace("close_range(3, ~0U) = 0");
	trace("execve(\"%s\"%s)", argv[0], strchr(argv[0], '/') ? "" : " found in $PATH");
	exec_in_path(argv);
	/* We say EACCES, as execvp does, if any PATH directory could not be searched
	 * (one under /root, for the container's root from step06 on), even
	 * when the command is nowhere: that is still "not found". */
	if (errno == ENOENT || (errno == EACCES && !reachable(argv[0]))) {
		warn("%s: command not found", argv[0]);
		_exit(EXIT_NOTFOUND);
	}
	if (errno == ENOEXEC)
		warn("cannot execute %s: %s (not a program for this machine; a script needs a "
		     "#! line)",
		     argv[0], strerror(errno));
	else
		warn_errno("cannot execute %s", argv[0]);
	_exit(EXIT_NOEXEC);
}
