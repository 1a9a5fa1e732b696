/*
 * exec.c — a second process in a running container: `run exec NAME CMD`.
 *
 * A container is a process's namespaces and cgroup; joining it means
 * joining those. setns(2) moves the caller into a namespace, given an fd
 * of one (/proc/PID/ns/mnt) or, since Linux 5.8, a pidfd and the set of
 * namespace types to take from that process, all at once. Two of them
 * act on the caller's children, not the caller: a PID namespace (the
 * caller's own pid cannot change) and, in effect, the cgroup (only a new
 * process is born into one). So: we set our children's PID namespace to
 * the container's, clone a child straight into its cgroup, and the child
 * joins the other namespaces, becomes the container's root and execs.
 *
 *   sudo ./step10-exec/run --name web -d -- httpd -f -p 80
 *   sudo ./step10-exec/run exec web ps
 *   sudo ./step10-exec/run exec -e GREETING=hi --workdir /tmp web sh -c 'echo $GREETING; pwd'
 *
 * What can go wrong is a process, not a name. The record says pid 4242;
 * by the time we act that container may have exited and 4242 belong to
 * something else. A pidfd (pidfd_open) names one process for good: we
 * take it first, then check that the process it names is the one the
 * record means (its start time, and a runtime still holding the lock).
 * Anything opened through /proc/4242 after that is checked again through
 * the pidfd: if the process died meanwhile, we stop.
 *
 * runc does this in libcontainer/process_linux.go (setnsProcess.start)
 * and nsexec.c (join_namespaces); crun in src/libcrun/container.c
 * (libcrun_container_exec_with_options) and linux.c (libcrun_join_process).
 *
 * The OCI runtime's `exec --process` is this same joiner: oci.c fills
 * the request (join.h) from process.json, and only the last stretch
 * before execve differs (run_process, with process.c's functions).
 *
 * Brought by step10; called by main.c (`run exec`); by oci.c
 * (`exec --process`, exec_in_container); and by commands.c and oci.c,
 * which find a container by its name or ID through it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <sched.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "common.h"
#include "harden.h"
#include "join.h"
#include "process.h"
#include "relay.h"
#include "rootfs.h"
#include "run.h"
#include "sealexe.h"
#include "terminal.h"
#include "userns.h"

/* The namespaces a container may have, user first: joining it first
 * gives us the capabilities the others' owners ask for. pid is done by
 * the parent, for its child (see above). */
static const struct {
	const char *file;
	int flag;
} namespaces[] = {
	{ "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS },  { "uts", CLONE_NEWUTS },
	{ "ipc", CLONE_NEWIPC },   { "net", CLONE_NEWNET }, { "cgroup", CLONE_NEWCGROUP },
	{ "pid", CLONE_NEWPID },
};
#define NNS (sizeof(namespaces) / sizeof(namespaces[0]))
_Static_assert(NNS == CONTAINER_NAMESPACES, "join.h counts the namespace types");

struct joiner {
	const struct exec_request *req;
	int ns_fd[NNS]; /* the container's namespaces; -1 where it shares ours */
	int flags;	/* their CLONE_NEW* bits, pid left out */
	int joined;	/* of those, what the parent joined already (inherited) */
	int cgroup_fd;	/* v2: the cgroup's directory, ours while we clone3 */
	int report[2];	/* OCI: how execve went (process.c), close-on-exec */
	bool rootless;	/* we are not the host's root */
	struct terminal term;
	struct sync_pipe sync;
	sigset_t parent_mask;
};

int open_container_pidfd(const struct state_record *r)
{
	int pidfd = pidfd_open_started(r->pid, r->start_time);

	if (pidfd < 0) {
		if (errno != ESRCH)
			die_errno("pidfd_open(%d)", (int)r->pid);
		return -1;
	}
	/* and its runtime still there: a record whose lock nobody holds is
	 * stale, whatever its pid is now */
	if (!state_in_use(r->id)) {
		close(pidfd);
		errno = ESRCH;
		return -1;
	}
	trace("pidfd_open(%d) = %d (start time %llu, as recorded)", (int)r->pid, pidfd,
	      r->start_time);
	return pidfd;
}

void find_container(const char *ref, struct state_record *r)
{
	if (state_load(ref, r) < 0) {
		if (errno == ENOENT)
			die("no container '%s' (`run list` shows them)", ref);
		if (errno == EINVAL)
			die("container '%s': its record is not one stepbox wrote, or names what no "
			    "container has (-v says which field); refused",
			    ref);
		die_errno("reading the state of container '%s'", ref);
	}
}

int find_running(const char *ref, struct state_record *r)
{
	int pidfd;

	find_container(ref, r);
	if (strcmp(r->status, "created") == 0)
		die("container '%s' is still starting: try again in a moment", ref);
	if (strcmp(r->status, "exited") == 0)
		die("container '%s' has exited (exit code %d): `run rm %s` removes it", ref,
		    r->exit_code, ref);
	pidfd = open_container_pidfd(r);
	if (pidfd < 0)
		die("container '%s' is not running any more (its runtime was killed?): "
		    "`run cleanup` tidies up",
		    ref);
	return pidfd;
}

/* A rootless caller's containers have no cgroup (theirs is root's tree),
 * and one of root's that bears the same ID is none of its business. */
void container_cgroup(struct cgroup *cg, const char *id)
{
	if (geteuid() == 0) {
		cgroup_find(cg, id);
		return;
	}
	memset(cg, 0, sizeof(*cg));
	cg->layout = cgroup_detect();
	cg->fd = -1;
}

int open_container_namespaces(pid_t pid, int pidfd, int fds[CONTAINER_NAMESPACES])
{
	int flags = 0;

	for (size_t i = 0; i < NNS; i++) {
		char path[64], own[64];
		struct stat theirs, ours;

		fds[i] = -1;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, namespaces[i].file);
		snprintf(own, sizeof(own), "/proc/self/ns/%s", namespaces[i].file);
		if (stat(own, &ours) < 0)
			continue; /* the kernel has no such namespace type */
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			die_errno("open %s", path);
		if (fstat(fds[i], &theirs) < 0)
			die_errno("fstat %s", path);
		if (theirs.st_ino == ours.st_ino && theirs.st_dev == ours.st_dev) {
			close(fds[i]);
			fds[i] = -1;
			continue;
		}
		flags |= namespaces[i].flag;
		trace("open %s = %d (inode %lu)", path, fds[i], (unsigned long)theirs.st_ino);
	}
	/* Opened by pid: check through the pidfd that it is still the
	 * container's process (alive, so its pid was not reused meanwhile). */
	if (pidfd_send_signal(pidfd, 0, NULL, 0) < 0)
		die_errno("the container exited while we opened its namespaces "
			  "(pidfd_send_signal(%d, 0))",
			  pidfd);
	return flags;
}

/* The pid namespace is the parent's to join, for its child (see above). */
static void open_namespaces(struct joiner *j)
{
	j->flags = open_container_namespaces(j->req->pid, j->req->pidfd, j->ns_fd) & ~CLONE_NEWPID;
}

/*
 * Join the namespaces: with the pidfd, all in one setns (5.8+: atomic,
 * and the kernel does user first); before 5.8, one fd at a time, user
 * first.
 */
static void join_namespaces(struct joiner *j)
{
	int flags = j->flags & ~j->joined;
	char names[128];

	if (!flags)
		return;
	if (setns(j->req->pidfd, flags) == 0) {
		trace("setns(pidfd %d, %s) = 0", j->req->pidfd,
		      clone_flags_name(flags, names, sizeof(names)));
		return;
	}
	if (errno != EINVAL)
		die_errno("setns(pidfd %d, %s)", j->req->pidfd,
			  clone_flags_name(flags, names, sizeof(names)));
	for (size_t i = 0; i < NNS; i++) {
		if (j->ns_fd[i] < 0 || !(flags & namespaces[i].flag))
			continue;
		if (setns(j->ns_fd[i], namespaces[i].flag) < 0)
			die_errno("setns(%s namespace)", namespaces[i].file);
		trace("setns(%d, %s) = 0", j->ns_fd[i],
		      clone_flags_name(namespaces[i].flag, names, sizeof(names)));
	}
}

/*
 * Our children's PID namespace becomes the container's: the process we
 * clone next is born in it, a pid of the container. The kernel lets us
 * only with CAP_SYS_ADMIN over the namespace's owner *and* in our own
 * user namespace. Root has both. Rootless we have neither until we are
 * in the container's user namespace, so there we join it here too, in
 * the same call (the kernel takes user first), and our child inherits
 * it: it is the container's owner's namespace, ours already, and we
 * stay non-dumpable in it.
 */
static void join_pid_namespace(struct joiner *j)
{
	size_t pid_index = NNS - 1, user_index = 0;
	int flags = CLONE_NEWPID;
	char names[128];

	if (j->ns_fd[pid_index] < 0)
		return;
	if (j->rootless && j->ns_fd[user_index] >= 0)
		flags |= CLONE_NEWUSER;
	if (setns(j->req->pidfd, flags) < 0) {
		if (errno != EINVAL)
			die_errno("setns(pidfd %d, %s) for our children", j->req->pidfd,
				  clone_flags_name(flags, names, sizeof(names)));
		/* Before 5.8: one fd at a time, user first. */
		if ((flags & CLONE_NEWUSER) && setns(j->ns_fd[user_index], CLONE_NEWUSER) < 0)
			die_errno("setns(user namespace)");
		if (setns(j->ns_fd[pid_index], CLONE_NEWPID) < 0)
			die_errno("setns(pid namespace) for our children");
	}
	j->joined = flags & CLONE_NEWUSER;
	trace("setns(pidfd %d, %s) = 0 (for the child we clone next)", j->req->pidfd,
	      clone_flags_name(flags, names, sizeof(names)));
}

/* The container's --cap-add, --cap-drop and --ulimit, as its record
 * keeps them: what joins gets no more than its first process got. */
static void read_hardening(const struct state_record *r, struct hardening *h)
{
	for (int i = 0; i < r->nharden; i++) {
		const char *value = r->harden[i] + 1;

		if (r->harden[i][0] == '=')
			harden_parse_ulimit(h, value);
		else
			harden_parse_cap(h, value, r->harden[i][0] == '+');
	}
}

/* uid and gid 0 of the container's user namespace, and no groups. A
 * rootless container's namespace denies setgroups (step06: an
 * unprivileged map must), so there we keep the groups we came with, as
 * its first process did; inside they show as nobody. */
static void become_container_root(const struct joiner *j)
{
	if (!(j->flags & CLONE_NEWUSER))
		return;
	if (setgroups(0, NULL) == 0)
		trace("setgroups(0) = 0");
	else if (errno == EPERM && j->rootless)
		trace("setgroups: denied in this user namespace (rootless): groups kept");
	else
		die_errno("setgroups(0, NULL)");
	become_root_ids();
}

/* The OCI joiner's exit: a failure before execve is said on stderr, and
 * on the report pipe, so that a detached exec fails too. */
static int report_fd = -1;

static void report_exit(int status)
{
	struct exec_error e = { .err = 0 };

	if (report_fd >= 0 && write(report_fd, &e, offsetof(struct exec_error, path) + 1) < 0)
		status = EXIT_RUNTIME;
	_exit(status);
}

/* Nothing of the host's may be open when a path is resolved
 * (CVE-2024-21626): the cgroup's directory, which clone3 gave us a copy
 * of, and the state directories the OCI runtime holds. */
static void close_host_fds(struct joiner *j)
{
	if (j->cgroup_fd >= 0)
		close(j->cgroup_fd);
	for (int i = 0; i < 2; i++)
		if (j->req->host_fds[i] >= 0)
			close(j->req->host_fds[i]);
}

/* step 10's own exec: the container's root, hardened as its first
 * process, in --workdir. */
static void run_command(struct joiner *j) __attribute__((noreturn));
static void run_command(struct joiner *j)
{
	const struct exec_request *r = j->req;

	become_container_root(j);
	/* setns into a mount namespace leaves us at its root: "/". */
	if (r->workdir)
		rootfs_chdir(r->workdir, "--workdir");
	if (r->tty) {
		close(j->term.socket[0]);
		attach_terminal(&j->term);
	}
	if (sigprocmask(SIG_SETMASK, &j->parent_mask, NULL) < 0)
		die_errno("sigprocmask(SIG_SETMASK)");
	/* Last, as for the first process: after this, no setns, no mount. */
	harden_process(r->harden);
	/* exec_command closes every fd from 3 (the pidfd, the namespace
	 * fds): the container's root must find none of ours in
	 * /proc/PID/fd. execve makes us dumpable again. */
	exec_command(r->argv);
}

/* The OCI runtime's exec: process.json's user, capabilities and cwd, and
 * the container's filter, in the order of its first process (process.c). */
static void run_process(struct joiner *j) __attribute__((noreturn));
static void run_process(struct joiner *j)
{
	const struct exec_request *r = j->req;
	const struct spec_process *p = r->process;
	char program[PATH_MAX];

	/* Detached, it outlives us: our death must not kill it. */
	if (r->detach && prctl(PR_SET_PDEATHSIG, 0) < 0)
		die_errno("prctl(PR_SET_PDEATHSIG, 0)");
	if (r->console >= 0)
		attach_console(r->console);
	if (sigprocmask(SIG_SETMASK, &j->parent_mask, NULL) < 0)
		die_errno("sigprocmask(SIG_SETMASK)");
	prepare_process(p, r->seccomp);
	if (!find_program(p->args[0], p->env, program, sizeof(program)))
		write_exec_error(j->report[1], ENOENT, p->args[0]);
	lock_down(p, r->seccomp);
	exec_process(program, p->args, p->env, j->report[1]);
}

static int joiner_main(void *arg)
{
	struct joiner *j = arg;

	log_set_role("child");
	if (j->req->process) {
		close(j->report[0]);
		report_fd = j->report[1];
		log_set_exit(report_exit);
	} else {
		log_set_exit(_exit);
	}
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		die_errno("prctl(PR_SET_PDEATHSIG)");
	if (sync_wait(&j->sync) < 0)
		_exit(EXIT_RUNTIME);
	join_namespaces(j);
	close_host_fds(j);
	if (j->req->process)
		run_process(j);
	run_command(j);
}

/* In its cgroup from the start where clone3 can (v2), else moved there
 * by us while it waits. */
static pid_t start_joiner(struct joiner *j, const struct cgroup *cg)
{
	pid_t pid = -1;

	if (cg->layout == CGROUP_V2 && cg->ndirs) {
		j->cgroup_fd = open(cg->dirs[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (j->cgroup_fd < 0)
			die_errno("open %s", cg->dirs[0]);
		pid = clone_into_cgroup(joiner_main, j, 0, j->cgroup_fd);
		close(j->cgroup_fd);
		j->cgroup_fd = -1; /* the child's copy of j still has it */
		if (pid >= 0)
			trace("clone3(CLONE_INTO_CGROUP %s) = %d", cg->dirs[0], (int)pid);
		else if (errno != ENOSYS && errno != E2BIG)
			die_errno("clone3(CLONE_INTO_CGROUP %s)", cg->dirs[0]);
	}
	if (pid < 0) {
		pid = clone_child(joiner_main, j, 0);
		if (pid < 0)
			die_errno("clone");
		trace("clone() = %d", (int)pid);
		for (int i = 0; i < cg->ndirs; i++) {
			char path[PATH_MAX + 16], text[16];

			snprintf(path, sizeof(path), "%s/cgroup.procs", cg->dirs[i]);
			snprintf(text, sizeof(text), "%d", (int)pid);
			if (write_file(path, text) < 0) {
				kill(pid, SIGKILL);
				die_errno("write %s \"%s\"", path, text);
			}
			trace("write %s \"%s\"", path, text);
		}
	}
	return pid;
}

static void exec_usage(FILE *out)
{
	fprintf(out, "Usage: run exec [OPTIONS] NAME COMMAND [ARG...]\n"
		     "Run COMMAND in the running container NAME (a name or an ID): in its\n"
		     "namespaces and cgroup, as its root.\n"
		     "\n"
		     "  -e, --env VAR=VALUE  set VAR in COMMAND's environment (repeatable)\n"
		     "  -w, --workdir DIR    start COMMAND in DIR (default: /)\n"
		     "  -t, --tty            a terminal of its own (the default when stdin and\n"
		     "                       stdout are terminals); --no-tty: none\n"
		     "  -v, --verbose        trace every kernel operation\n"
		     "  -h, --help           show this help\n");
}

static void parse_exec_args(int argc, char **argv, struct exec_request *r, const char **ref)
{
	static const struct option options[] = {
		{ "env", required_argument, NULL, 'e' },
		{ "workdir", required_argument, NULL, 'w' },
		{ "tty", no_argument, NULL, 't' },
		{ "no-tty", no_argument, NULL, 'T' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, tty = -1;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+:e:w:tvh", options, NULL)) != -1) {
		switch (opt) {
		case 'e':
			if (!strchr(optarg, '=') || optarg[0] == '=')
				usage_error("--env: '%s' is not VAR=VALUE", optarg);
			if (putenv(optarg) != 0)
				die_errno("putenv(\"%s\")", optarg);
			break;
		case 'w':
			if (optarg[0] == '\0')
				usage_error("--workdir: empty path");
			r->workdir = optarg;
			break;
		case 't':
		case 'T':
			tty = opt == 't';
			break;
		case 'v':
			log_set_verbose(true);
			break;
		case 'h':
			exec_usage(stdout);
			exit(0);
		case ':':
			usage_error("exec: option '%s' needs a value", argv[optind - 1]);
		default:
			usage_error("exec: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind < 2)
		usage_error("exec: needs a container and a command: run exec NAME COMMAND...");
	*ref = argv[optind];
	r->argv = argv + optind + 1;
	if (tty < 0)
		tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) &&
		      tcgetpgrp(STDIN_FILENO) == getpgrp();
	r->tty = tty;
}

/*
 * The OCI exec, once the process is cloned and released: execve's report
 * first (a failure is ours to say, and a detached exec must fail, not
 * return 0), then the pid file, then its end, unless detached.
 */
static int await_process(struct joiner *j, pid_t pid, const sigset_t *set)
{
	const struct exec_request *r = j->req;
	struct exec_error failure;
	int status;

	close(j->report[1]);
	if (read_exec_error(j->report[0], &failure)) {
		waitpid(pid, &status, 0);
		if (failure.err == 0)
			die("exec: the process could not join the container (see above)");
		errno = failure.err;
		die_errno("exec: %s", failure.path);
	}
	close(j->report[0]);
	write_pid_file(r->pid_file, pid);
	if (r->detach)
		return 0;
	return wait_forwarding_signals(pid, set, NULL);
}

/*
 * Our children's PID namespace first (and, rootless, the user namespace
 * too), then the child, cloned into the container's cgroup; it waits
 * until we have it where it should be, then joins the rest itself.
 */
int exec_in_container(const struct exec_request *r)
{
	struct joiner j = { .req = r, .cgroup_fd = -1, .report = { -1, -1 } };
	sigset_t set;
	pid_t pid;
	bool tty;

	/*
	 * Not dumpable until execve, before any setns: once we are in the
	 * container's user namespace, its root could otherwise ptrace us or
	 * open /proc/OUR_PID/fd and reach what we hold of the host (runc's
	 * CVE-2016-9962). Our child inherits it; execve resets it.
	 */
	if (prctl(PR_SET_DUMPABLE, 0) < 0)
		die_errno("prctl(PR_SET_DUMPABLE, 0)");
	j.rootless = geteuid() != 0;
	open_namespaces(&j);
	block_signals(&set, &j.parent_mask);
	if (r->tty)
		open_console_socket(&j.term);
	if (r->process && pipe2(j.report, O_CLOEXEC) < 0)
		die_errno("pipe2 (the process's report)");
	if (sync_init(&j.sync) < 0)
		die_errno("pipe2");
	join_pid_namespace(&j);
	pid = start_joiner(&j, r->cgroup);
	if (sync_release(&j.sync) < 0) {
		kill(pid, SIGKILL);
		die_errno("releasing the child (pipe write)");
	}
	if (r->process)
		return await_process(&j, pid, &set);
	tty = r->tty && receive_terminal(&j.term) == 0;
	if (tty)
		use_raw_mode();
	return wait_forwarding_signals(pid, &set, tty ? &j.term : NULL);
}

int cmd_exec(int argc, char **argv)
{
	struct exec_request req = { .console = -1, .host_fds = { -1, -1 } };
	struct hardening harden = { 0 };
	struct state_record r;
	struct cgroup cg;
	const char *ref;

	parse_exec_args(argc, argv, &req, &ref);
	req.pidfd = find_running(ref, &r);
	req.pid = r.pid;
	read_hardening(&r, &harden);
	req.harden = &harden;
	container_cgroup(&cg, r.id);
	req.cgroup = &cg;
	if (cgroup_is_frozen(&cg))
		die("container '%s' is paused: `run resume %s` first", ref, ref);
	trace_sealed_copy();
	return exec_in_container(&req);
}
