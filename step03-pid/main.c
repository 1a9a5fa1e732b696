/*
 * step03-pid — the command is PID 1 of its own PID namespace, with a /proc
 * that shows only the container's processes.
 *
 * step02 plus CLONE_NEWPID, and the least of CLONE_NEWNS that a private
 * /proc needs (step04 is the lesson on mounts). The first process in a new
 * PID namespace is its init: the kernel drops signals it has no handler
 * for and makes it the parent of every orphan. --init puts a tiny init of
 * ours in that place, to pass signals on and reap zombies. And an
 * interactive shell as PID 1 needs a terminal of its own (a pty): on the
 * host's, its job control works with process groups it cannot see.
 *
 *   make step03 && sudo ./step03-pid/run -- ps
 *   sudo ./step03-pid/run --init -- sh -c 'sleep 100 & sleep 1; ps'
 *   sudo ./step03-pid/run -v        # a shell on a pty: type exit, then echo $?
 *
 * The lesson is step03-pid/README.md; the code it adds is
 * `make diff STEP=03`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "relay.h"
#include "terminal.h"

#define STEP_NAME "step03-pid"

static char *default_command[] = { "/bin/sh", NULL };

/* Everything the parent decides before the child exists. */
struct container {
	const char *hostname;
	bool init;	      /* --init: our own PID 1 runs the command */
	int tty;	      /* -t: 1, --no-tty: 0, neither: -1 (decide) */
	struct terminal term; /* when tty is 1 */
	char **argv;
	struct sync_pipe sync;
	sigset_t parent_mask; /* the signal mask to restore before exec */
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: %s [OPTIONS] [--] [COMMAND [ARG...]]\n"
		"Run COMMAND (default /bin/sh) in new namespaces: uts ipc pid mnt.\n"
		"\n"
		"  -n, --hostname NAME  hostname inside (default: stepbox)\n"
		"      --init           run a small init as PID 1 that reaps zombies\n"
		"                       and passes signals on to COMMAND\n"
		"  -t, --tty            give COMMAND a terminal of its own (the default\n"
		"                       when stdin and stdout are terminals)\n"
		"      --no-tty         no terminal: COMMAND gets our stdin/out/err\n"
		"  -v, --verbose        trace every kernel operation\n"
		"  -h, --help           show this help\n",
		STEP_NAME "/run");
}

/* --- the command line ------------------------------------------------- */

static const char *check_hostname(const char *name)
{
	/* sethostname(2) takes at most HOST_NAME_MAX (64) bytes; refuse
	 * here, before anything is created, rather than fail in the child. */
	if (name[0] == '\0')
		usage_error("--hostname: the name is empty");
	if (strlen(name) > 64)
		usage_error("--hostname: '%s' is longer than 64 bytes", name);
	return name;
}

static void parse_args(int argc, char **argv, struct container *c)
{
	static const struct option options[] = {
		{ "hostname", required_argument, NULL, 'n' },
		{ "init", no_argument, NULL, 'i' },
		{ "tty", no_argument, NULL, 't' },
		{ "no-tty", no_argument, NULL, 'T' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	c->hostname = "stepbox";
	c->tty = -1;
	opterr = 0; /* we print our own one-line errors */
	/* "+": stop at the first non-option, so `run ls -l` passes -l on. */
	while ((opt = getopt_long(argc, argv, "+:n:tvh", options, NULL)) != -1) {
		switch (opt) {
		case 'n':
			c->hostname = check_hostname(optarg);
			break;
		case 'i':
			c->init = true;
			break;
		case 't':
		case 'T':
			c->tty = opt == 't';
			break;
		case 'v':
			log_set_verbose(true);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case ':':
			usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	c->argv = optind < argc ? argv + optind : default_command;
	/*
	 * As ssh does: a terminal of its own when a person is at ours, and
	 * we are its foreground job. A `run ... &` in the background would
	 * be stopped (SIGTTOU) by the raw mode it sets on a terminal it
	 * does not own; there it keeps the caller's stdin and stdout.
	 */
	if (c->tty < 0)
		c->tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) &&
			 tcgetpgrp(STDIN_FILENO) == getpgrp();
}

static void require_root(void)
{
	if (geteuid() != 0)
		die("creating namespaces needs root (CAP_SYS_ADMIN); run with sudo");
}

/* --- the child: runs inside the new namespaces ------------------------ */

static void set_hostname(const char *name)
{
	/* Only our UTS namespace changes. Without CLONE_NEWUTS this very
	 * call, made as root, would rename the host. */
	if (sethostname(name, strlen(name)) < 0)
		die_errno("sethostname(\"%s\")", name);
	trace("sethostname(\"%s\") = 0", name);
}

/*
 * Just enough of the mount namespace for a private /proc. CLONE_NEWNS gave
 * us a copy of the host's mounts, but on systemd hosts "/" is a shared
 * mount: a mount made in our copy would propagate back to the host, and
 * our /proc would cover the host's. MS_PRIVATE cuts that link, for every
 * mount below "/" too (MS_REC). step04 explains propagation properly.
 */
static void make_mounts_private(void)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die_errno("mount(\"/\", MS_REC|MS_PRIVATE)");
	trace("mount(\"/\", MS_REC|MS_PRIVATE) = 0");
}

/*
 * A proc filesystem shows the PID namespace of whoever mounts it. We are
 * PID 1 of the new one, so this /proc lists only the container's
 * processes, and `ps` (which reads /proc) agrees with `echo $$`.
 */
static void mount_proc(void)
{
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		die_errno_hint("mounting proc needs CAP_SYS_ADMIN over the new PID namespace "
			       "and a fully visible /proc (not the masked one inside Docker)",
			       "mount(\"proc\", \"/proc\")");
	trace("mount(\"proc\", \"/proc\", \"proc\", MS_NOSUID|MS_NODEV|MS_NOEXEC) = 0");
}

/*
 * --init: stay PID 1 ourselves and run the command as our child, as
 * docker --init (tini) does. We keep the forwarded signals blocked and read
 * them from a signalfd, so the kernel's "PID 1 ignores what it does not
 * handle" rule does not drop them, and pass each one to the command. Every
 * orphan in the namespace becomes our child; the wait loop reaps them all.
 */
static int run_init(struct container *c, const sigset_t *set)
{
	pid_t pid;

	/* We stay beside the command for the container's whole life, and
	 * its root can open what we hold through /proc/1/fd: keep none of
	 * the runtime's fds (a volume's host directory, a cgroup's). */
	if (close_fds_from(3) < 0)
		die_errno("close_range(3, ~0U)");
	trace("close_range(3, ~0U) = 0");
	pid = fork();
	if (pid < 0)
		die_errno("fork (init starting the command)");
	if (pid == 0) {
		log_set_role("child");
		if (sigprocmask(SIG_SETMASK, &c->parent_mask, NULL) < 0)
			die_errno("sigprocmask(SIG_SETMASK)");
		exec_command(c->argv);
	}
	trace("fork() = %d, the command", (int)pid);
	return wait_forwarding_signals(pid, set, NULL);
}

static int child_main(void *arg)
{
	struct container *c = arg;
	sigset_t set;

	log_set_role(c->init ? "init" : "child");
	/* If the runtime is killed, take the container down with it. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		die_errno("prctl(PR_SET_PDEATHSIG)");
	/* Wait until the parent has done its part; EOF means it gave up (or
	 * died before the line above took effect). */
	if (sync_wait(&c->sync) < 0)
		_exit(EXIT_RUNTIME);
	if (c->tty)
		attach_terminal(&c->term);
	set_hostname(c->hostname);
	make_mounts_private();
	mount_proc();
	if (c->init) {
		/* The mask we inherited from the parent is the set to forward. */
		if (sigprocmask(SIG_BLOCK, NULL, &set) < 0)
			die_errno("sigprocmask");
		return run_init(c, &set);
	}
	if (sigprocmask(SIG_SETMASK, &c->parent_mask, NULL) < 0)
		die_errno("sigprocmask(SIG_SETMASK)");
	exec_command(c->argv);
}

/* --- the parent: starts the child, then stands by --------------------- */

int main(int argc, char **argv)
{
	struct container c = { 0 };
	int flags = CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNS;
	char names[128];
	sigset_t set;
	pid_t pid;

	log_init(STEP_NAME);
	refuse_setuid();
	parse_args(argc, argv, &c);
	require_root();

	if (c.tty)
		open_pty(&c.term);
	if (sync_init(&c.sync) < 0)
		die_errno("pipe2");
	block_signals(&set, &c.parent_mask);
	pid = clone_child(child_main, &c, flags);
	if (pid < 0)
		die_errno("clone(%s)", clone_flags_name(flags, names, sizeof(names)));
	trace("clone(%s) = %d", clone_flags_name(flags, names, sizeof(names)), (int)pid);

	/* Nothing for the parent to set up yet: later steps write the
	 * child's uid_map, its cgroup and its network here. */
	if (sync_release(&c.sync) < 0) {
		kill(pid, SIGKILL);
		die_errno("releasing the child (pipe write)");
	}
	if (c.tty)
		use_raw_mode();
	return wait_forwarding_signals(pid, &set, c.tty ? &c.term : NULL);
}
