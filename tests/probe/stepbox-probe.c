/*
 * stepbox-probe — a small static program the tests run inside containers,
 * for what a shell and busybox cannot do or cannot measure:
 *
 *   msgq-create KEY      create a System V message queue, print its id
 *   msgq-exists KEY      exit 0 if a queue with KEY is visible, 1 if not
 *   msgq-count           print how many SysV message queues are visible
 *   alloc MIB            allocate and touch MIB MiB, print "allocated MIB"
 *   forkloop MAX         fork sleeping children until fork fails or MAX;
 *                        print "forked N: ERRNO-NAME" and clean up
 *   burn MS              busy-loop until this process has used MS ms of
 *                        CPU time, print the wall time that took in ms
 *   tcp-listen IP PORT   accept one connection, send "hello\n", exit 0
 *   tcp-connect IP PORT  connect, print what the server sends, exit 0;
 *                        exit 1 with the errno text if it cannot connect
 *   dio-write PATH N KIB write N blocks of KIB KiB to PATH with O_DIRECT
 *                        (past the page cache, straight to the disk),
 *                        then fsync; print "N ops, MS ms"
 *   dio-read PATH N KIB  the same, reading
 *   cpus                 print how many CPUs sched_getaffinity allows
 *   open PATH            open PATH read-only; print "opened", or exit 1
 *                        with the errno text
 *   devprogs CGROUP_DIR  print how many eBPF device programs are attached
 *                        to that cgroup (bpf BPF_PROG_QUERY)
 *   denied               try each system call step10's seccomp filter
 *                        refuses, with arguments that change nothing even
 *                        where it is allowed (as root on the host); print
 *                        "NAME: ERRNO-NAME" ("NAME: success") for each
 *   int80                make an i386 system call (getpid, int $0x80) from
 *                        this x86_64 program; print its result
 *   reaper CMD [ARG...]  run CMD under a child subreaper that stays behind
 *                        and reaps each orphan the moment it ends, as
 *                        conmon or containerd's shim does for a container's
 *                        first process; exit with CMD's status once CMD
 *                        has ended (the reaper goes on until it has no
 *                        children left)
 *   capbset-einval CMD [ARG...]
 *                        run CMD under a seccomp filter that answers
 *                        prctl(PR_CAPBSET_READ) with EINVAL, as a profile
 *                        around the runtime might: what the runtime reads
 *                        of the bounding set must not come out empty
 *
 * Statically linked, so it runs the same from the host's files (steps
 * 01-07) and inside a busybox root filesystem. Exit 2 is a usage error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/keyctl.h>
#include <linux/reboot.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int fail(const char *what)
{
	fprintf(stderr, "stepbox-probe: %s: %s\n", what, strerror(errno));
	return 1;
}

static long number(const char *text)
{
	char *end;
	long value;

	errno = 0;
	value = strtol(text, &end, 0);
	if (errno || *end || end == text || value < 0) {
		fprintf(stderr, "stepbox-probe: '%s' is not a number\n", text);
		exit(2);
	}
	return value;
}

static int msgq_count(void)
{
	FILE *f = fopen("/proc/sysvipc/msg", "re");
	char line[512];
	int n = -1; /* the first line is a header */

	if (!f)
		return fail("open /proc/sysvipc/msg");
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	printf("%d\n", n < 0 ? 0 : n);
	return 0;
}

static int alloc(long mib)
{
	size_t size = (size_t)mib << 20;
	char *p = malloc(size);

	if (!p)
		return fail("malloc");
	for (size_t i = 0; i < size; i += 4096)
		p[i] = 1; /* touch every page, so it is really charged */
	printf("allocated %ld\n", mib);
	free(p);
	return 0;
}

static int forkloop(long max)
{
	pid_t *kids = calloc((size_t)max + 1, sizeof(pid_t));
	long n = 0;
	int err = 0;

	if (!kids)
		return fail("calloc");
	while (n < max) {
		pid_t pid = fork();

		if (pid < 0) {
			err = errno;
			break;
		}
		if (pid == 0) {
			pause();
			_exit(0);
		}
		kids[n++] = pid;
	}
	for (long i = 0; i < n; i++)
		kill(kids[i], SIGKILL);
	while (wait(NULL) > 0)
		;
	printf("forked %ld: %s\n", n, err ? strerrorname_np(err) : "no error");
	free(kids);
	return 0;
}

static double now(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int burn(long ms)
{
	double start = now(CLOCK_MONOTONIC);
	volatile unsigned long counter = 0;

	while (now(CLOCK_PROCESS_CPUTIME_ID) * 1000 < (double)ms)
		counter++;
	printf("%.0f\n", (now(CLOCK_MONOTONIC) - start) * 1000);
	return 0;
}

static int tcp_socket(const char *ip, const char *port, struct sockaddr_in *addr)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(addr, 0, sizeof(*addr));
	addr->sin_family = AF_INET;
	addr->sin_port = htons((unsigned short)number(port));
	if (inet_pton(AF_INET, ip, &addr->sin_addr) != 1) {
		fprintf(stderr, "stepbox-probe: '%s' is not an IPv4 address\n", ip);
		exit(2);
	}
	return fd;
}

static int tcp_listen(const char *ip, const char *port)
{
	struct sockaddr_in addr;
	int one = 1, fd = tcp_socket(ip, port, &addr), conn;

	if (fd < 0)
		return fail("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return fail("bind");
	if (listen(fd, 1) < 0)
		return fail("listen");
	printf("listening\n");
	fflush(stdout);
	conn = accept(fd, NULL, NULL);
	if (conn < 0)
		return fail("accept");
	if (write(conn, "hello\n", 6) != 6)
		return fail("write");
	close(conn);
	close(fd);
	return 0;
}

static int tcp_connect(const char *ip, const char *port)
{
	struct sockaddr_in addr;
	char buf[64];
	int fd = tcp_socket(ip, port, &addr);
	ssize_t n;

	if (fd < 0)
		return fail("socket");
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return fail("connect");
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return fail("read");
	buf[n] = '\0';
	fputs(buf, stdout);
	close(fd);
	return 0;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int direct_io(bool writing, const char *path, long count, long kib)
{
	int fd = open(path, (writing ? O_WRONLY | O_CREAT : O_RDONLY) | O_DIRECT | O_CLOEXEC, 0600);
	size_t size = (size_t)kib * 1024;
	long start, i;
	void *buf;

	if (fd < 0)
		return fail(path);
	if (posix_memalign(&buf, 4096, size) != 0)
		return fail("posix_memalign");
	memset(buf, 0x5a, size);
	start = now_ms();
	for (i = 0; i < count; i++) {
		ssize_t n = writing ? pwrite(fd, buf, size, (off_t)(i * (long)size))
				    : pread(fd, buf, size, (off_t)(i * (long)size));

		if (n != (ssize_t)size)
			return fail(writing ? "pwrite" : "pread");
	}
	if (writing && fsync(fd) < 0)
		return fail("fsync");
	printf("%ld ops, %ld ms\n", count, now_ms() - start);
	free(buf);
	close(fd);
	return 0;
}

static int device_programs(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	union bpf_attr attr;

	if (fd < 0)
		return fail(dir);
	memset(&attr, 0, sizeof(attr));
	attr.query.target_fd = (unsigned)fd;
	attr.query.attach_type = BPF_CGROUP_DEVICE;
	if (syscall(SYS_bpf, BPF_PROG_QUERY, &attr, sizeof(attr)) < 0)
		return fail("bpf(BPF_PROG_QUERY)");
	printf("%u\n", attr.query.prog_cnt);
	close(fd);
	return 0;
}

static int cpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return fail("sched_getaffinity");
	printf("%d\n", CPU_COUNT(&set));
	return 0;
}

/*
 * The system calls step10 denies, each with arguments that make it fail
 * harmlessly, or do nothing, where it is allowed: a path that does not
 * exist, fd -1, a bad flag, a NULL that the kernel reads first. So the
 * errno says who refused: EPERM from the filter (or a missing
 * capability), anything else from the call itself.
 */
#define NOWHERE "/stepbox-probe-nowhere"

static long try_kexec_load(void)
{
	return syscall(SYS_kexec_load, 0UL, 1000UL, NULL, 0x100UL); /* EINVAL: bad flag */
}

static long try_kexec_file_load(void)
{
	return syscall(SYS_kexec_file_load, -1, -1, 0UL, NULL, ~0UL); /* EINVAL: bad flags */
}

static long try_init_module(void)
{
	return syscall(SYS_init_module, NULL, 0UL, ""); /* ENOEXEC: no ELF header */
}

static long try_finit_module(void)
{
	return syscall(SYS_finit_module, -1, "", 0); /* EBADF */
}

static long try_delete_module(void)
{
	return syscall(SYS_delete_module, "stepbox_probe_nowhere", O_NONBLOCK); /* ENOENT */
}

static long try_bpf(void)
{
	return syscall(SYS_bpf, -1, NULL, 0); /* EINVAL: no such command */
}

static long try_perf_event_open(void)
{
	return syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0UL); /* EFAULT */
}

static long try_open_by_handle_at(void)
{
	return syscall(SYS_open_by_handle_at, -1, NULL, O_RDONLY); /* EBADF */
}

static long try_keyctl(void)
{
	return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_THREAD_KEYRING, 0);
}

static long try_add_key(void)
{
	return syscall(SYS_add_key, "stepbox-none", "x", NULL, 0UL,
		       KEY_SPEC_THREAD_KEYRING); /* ENODEV: no such key type */
}

static long try_request_key(void)
{
	return syscall(SYS_request_key, "user", "stepbox-probe:nowhere", NULL, 0); /* ENOKEY */
}

static long try_unshare(void)
{
	return syscall(SYS_unshare, 0); /* nothing to unshare: success */
}

static long try_setns(void)
{
	return syscall(SYS_setns, -1, 0); /* EBADF */
}

static long try_mount(void)
{
	return syscall(SYS_mount, "none", NOWHERE, "stepbox-none", 0UL, NULL);
}

static long try_umount2(void)
{
	return syscall(SYS_umount2, NOWHERE, 0);
}

static long try_pivot_root(void)
{
	return syscall(SYS_pivot_root, NOWHERE, NOWHERE);
}

static long try_fsopen(void)
{
	return syscall(SYS_fsopen, "stepbox-none", 0U); /* ENODEV */
}

static long try_fsconfig(void)
{
	return syscall(SYS_fsconfig, -1, 0U, NULL, NULL, 0); /* EBADF */
}

static long try_fsmount(void)
{
	return syscall(SYS_fsmount, -1, 0U, 0U); /* EBADF */
}

static long try_fspick(void)
{
	return syscall(SYS_fspick, AT_FDCWD, NOWHERE, 0U);
}

static long try_move_mount(void)
{
	return syscall(SYS_move_mount, -1, "", -1, "", 0U); /* EBADF */
}

static long try_open_tree(void)
{
	return syscall(SYS_open_tree, AT_FDCWD, NOWHERE, 0U);
}

static long try_mount_setattr(void)
{
	return syscall(SYS_mount_setattr, -1, "", 0U, NULL, 0UL); /* EINVAL: no attr */
}

static long try_reboot(void)
{
	return syscall(SYS_reboot, 0, 0, 0, NULL); /* EINVAL: no magic numbers */
}

static long try_swapon(void)
{
	return syscall(SYS_swapon, NOWHERE, 0);
}

static long try_swapoff(void)
{
	return syscall(SYS_swapoff, NOWHERE);
}

static long try_acct(void)
{
	return syscall(SYS_acct, "/dev/null"); /* EACCES: not a regular file */
}

static long try_settimeofday(void)
{
	return syscall(SYS_settimeofday, NULL, NULL); /* no time, no zone: nothing */
}

static long try_clock_settime(void)
{
	return syscall(SYS_clock_settime, CLOCK_REALTIME, NULL); /* EFAULT */
}

static long try_io_uring_setup(void)
{
	return syscall(SYS_io_uring_setup, 0U, NULL); /* EINVAL: no entries */
}

static long try_io_uring_enter(void)
{
	return syscall(SYS_io_uring_enter, -1, 0U, 0U, 0U, NULL, 0UL); /* EBADF */
}

static long try_io_uring_register(void)
{
	return syscall(SYS_io_uring_register, -1, 0U, NULL, 0U); /* EBADF */
}

static long try_clone3(void)
{
	return syscall(SYS_clone3, NULL, 0UL); /* EINVAL: no struct */
}

static const struct {
	const char *name;
	long (*call)(void);
} denied_calls[] = {
	{ "kexec_load", try_kexec_load },
	{ "kexec_file_load", try_kexec_file_load },
	{ "init_module", try_init_module },
	{ "finit_module", try_finit_module },
	{ "delete_module", try_delete_module },
	{ "bpf", try_bpf },
	{ "perf_event_open", try_perf_event_open },
	{ "open_by_handle_at", try_open_by_handle_at },
	{ "keyctl", try_keyctl },
	{ "add_key", try_add_key },
	{ "request_key", try_request_key },
	{ "unshare", try_unshare },
	{ "setns", try_setns },
	{ "mount", try_mount },
	{ "umount2", try_umount2 },
	{ "pivot_root", try_pivot_root },
	{ "fsopen", try_fsopen },
	{ "fsconfig", try_fsconfig },
	{ "fsmount", try_fsmount },
	{ "fspick", try_fspick },
	{ "move_mount", try_move_mount },
	{ "open_tree", try_open_tree },
	{ "mount_setattr", try_mount_setattr },
	{ "reboot", try_reboot },
	{ "swapon", try_swapon },
	{ "swapoff", try_swapoff },
	{ "acct", try_acct },
	{ "settimeofday", try_settimeofday },
	{ "clock_settime", try_clock_settime },
	{ "io_uring_setup", try_io_uring_setup },
	{ "io_uring_enter", try_io_uring_enter },
	{ "io_uring_register", try_io_uring_register },
	{ "clone3", try_clone3 },
};

static const struct {
	const char *name;
	unsigned long flag;
} clone_flags[] = {
	{ "CLONE_NEWNS", CLONE_NEWNS },		{ "CLONE_NEWUTS", CLONE_NEWUTS },
	{ "CLONE_NEWIPC", CLONE_NEWIPC },	{ "CLONE_NEWUSER", CLONE_NEWUSER },
	{ "CLONE_NEWPID", CLONE_NEWPID },	{ "CLONE_NEWNET", CLONE_NEWNET },
	{ "CLONE_NEWCGROUP", CLONE_NEWCGROUP },
};

static void report(const char *name, long result, int err)
{
	printf("%s: %s\n", name, result < 0 ? strerrorname_np(err) : "success");
}

/* clone(FLAG) as fork does it (no new stack: the child runs on a copy of
 * ours); where it is allowed, the child leaves at once. */
static void try_clone(const char *name, unsigned long flag)
{
	char label[64];
	long pid = syscall(SYS_clone, flag | SIGCHLD, NULL, NULL, NULL, 0UL);
	int err = errno;

	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	snprintf(label, sizeof(label), "clone(%s)", name);
	report(label, pid, err);
}

static int try_denied(void)
{
	for (size_t i = 0; i < sizeof(denied_calls) / sizeof(denied_calls[0]); i++) {
		long result;

		errno = 0;
		result = denied_calls[i].call();
		report(denied_calls[i].name, result, errno);
	}
	for (size_t i = 0; i < sizeof(clone_flags) / sizeof(clone_flags[0]); i++)
		try_clone(clone_flags[i].name, clone_flags[i].flag);
	return 0;
}

/* getpid through the 32-bit entry: its number there is 20, not 39. */
static int int80(void)
{
#if defined(__x86_64__)
	long result;

	__asm__ volatile("int $0x80" : "=a"(result) : "a"(20L) : "memory");
	printf("%ld\n", result);
	return 0;
#else
	fprintf(stderr, "stepbox-probe: int80 is for x86_64\n");
	return 2;
#endif
}

/*
 * The reaper: a process of its own (so that the caller's shell gets CMD's
 * status when CMD ends, while the reaper stays), a child subreaper, the
 * parent of CMD and so of whatever CMD leaves behind. It passes CMD's
 * wait status up a pipe, then reaps until no child is left.
 */
static int reaper(char **cmd)
{
	int report[2], status;
	pid_t pid, child;

	if (pipe2(report, O_CLOEXEC) < 0)
		return fail("pipe2");
	pid = fork();
	if (pid < 0)
		return fail("fork");
	if (pid > 0) {
		close(report[1]);
		if (read(report[0], &status, sizeof(status)) != sizeof(status))
			return fail("read (the status of CMD)");
		return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
	close(report[0]);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		_exit(fail("prctl(PR_SET_CHILD_SUBREAPER)"));
	child = fork();
	if (child < 0)
		_exit(fail("fork"));
	if (child == 0) {
		execvp(cmd[0], cmd);
		_exit(fail(cmd[0]));
	}
	/* nothing of the caller's (bats' stdout, stderr and its fds 3 and
	 * up) is held while we linger, but the report pipe */
	if (freopen("/dev/null", "w", stdout) == NULL || dup2(1, 2) < 0 ||
	    (report[1] != 3 && dup2(report[1], 3) < 0) || syscall(SYS_close_range, 4U, ~0U, 0) < 0)
		_exit(fail("reaper: freeing the caller's fds"));
	report[1] = 3;
	for (;;) {
		pid = waitpid(-1, &status, 0);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)
			_exit(errno == ECHILD ? 0 : 1);
		if (pid == child && write(report[1], &status, sizeof(status)) != sizeof(status))
			_exit(1);
	}
}

/* A classic BPF seccomp filter: prctl(PR_CAPBSET_READ, ...) fails with
 * EINVAL, everything else is allowed; then exec CMD, which keeps it. */
static int capbset_einval(char **cmd)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_prctl, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PR_CAPBSET_READ, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EINVAL),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(insns) / sizeof(insns[0]), .filter = insns };

	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return fail("seccomp(SECCOMP_SET_MODE_FILTER)");
	execvp(cmd[0], cmd);
	return fail(cmd[0]);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (strcmp(cmd, "msgq-create") == 0 && argc == 3) {
		int id = msgget((key_t)number(argv[2]), IPC_CREAT | 0600);

		if (id < 0)
			return fail("msgget");
		printf("%d\n", id);
		return 0;
	}
	if (strcmp(cmd, "msgq-exists") == 0 && argc == 3) {
		if (msgget((key_t)number(argv[2]), 0) >= 0)
			return 0;
		return errno == ENOENT ? 1 : fail("msgget");
	}
	if (strcmp(cmd, "msgq-count") == 0 && argc == 2)
		return msgq_count();
	if (strcmp(cmd, "alloc") == 0 && argc == 3)
		return alloc(number(argv[2]));
	if (strcmp(cmd, "forkloop") == 0 && argc == 3)
		return forkloop(number(argv[2]));
	if (strcmp(cmd, "burn") == 0 && argc == 3)
		return burn(number(argv[2]));
	if (strcmp(cmd, "tcp-listen") == 0 && argc == 4)
		return tcp_listen(argv[2], argv[3]);
	if (strcmp(cmd, "tcp-connect") == 0 && argc == 4)
		return tcp_connect(argv[2], argv[3]);
	if (strncmp(cmd, "dio-", 4) == 0 && argc == 5)
		return direct_io(strcmp(cmd, "dio-write") == 0, argv[2], number(argv[3]),
				 number(argv[4]));
	if (strcmp(cmd, "devprogs") == 0 && argc == 3)
		return device_programs(argv[2]);
	if (strcmp(cmd, "cpus") == 0 && argc == 2)
		return cpus();
	if (strcmp(cmd, "denied") == 0 && argc == 2)
		return try_denied();
	if (strcmp(cmd, "int80") == 0 && argc == 2)
		return int80();
	if (strcmp(cmd, "reaper") == 0 && argc >= 3)
		return reaper(argv + 2);
	if (strcmp(cmd, "capbset-einval") == 0 && argc >= 3)
		return capbset_einval(argv + 2);
	if (strcmp(cmd, "open") == 0 && argc == 3) {
		int fd = open(argv[2], O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			return fail("open");
		printf("opened\n");
		close(fd);
		return 0;
	}
	fprintf(stderr, "usage: stepbox-probe msgq-create KEY | msgq-exists KEY | msgq-count |\n"
			"       alloc MIB | forkloop MAX | burn MS |\n"
			"       tcp-listen IP PORT | tcp-connect IP PORT |\n"
			"       dio-write PATH N KIB | dio-read PATH N KIB | cpus | open PATH |\n"
			"       devprogs CGROUP_DIR | denied | int80 | reaper CMD [ARG...] |\n"
			"       capbset-einval CMD [ARG...]\n");
	return 2;
}
