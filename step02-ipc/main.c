/*
 * step02-ipc — the container gets System V IPC and POSIX message queues
 * of its own.
 *
 * step01 plus CLONE_NEWIPC. Message queues, semaphore sets and shared
 * memory segments are found by key (SysV) or by name (POSIX mqueue); in a
 * new IPC namespace every key and name starts out unused, so the
 * container neither sees the host's objects nor leaves its own behind:
 * they are destroyed with the namespace.
 *
 *   make step02 && sudo ./step02-ipc/run -- ipcs -q
 *
 * The lesson is step02-ipc/README.md; the code it adds is
 * `make diff STEP=02`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "relay.h"

#define STEP_NAME "step02-ipc"

static char *default_command[] = { "/bin/sh", NULL };

/* Everything the parent decides before the child exists. */
struct container {
	const char *hostname;
	char **argv;
	struct sync_pipe sync;
	sigset_t parent_mask; /* the signal mask to restore before exec */
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: %s [OPTIONS] [--] [COMMAND [ARG...]]\n"
		"Run COMMAND (default /bin/sh) in new namespaces: uts ipc.\n"
		"\n"
		"  -n, --hostname NAME  hostname inside (default: stepbox)\n"
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
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	c->hostname = "stepbox";
	opterr = 0; /* we print our own one-line errors */
	/* "+": stop at the first non-option, so `run ls -l` passes -l on. */
	while ((opt = getopt_long(argc, argv, "+:n:vh", options, NULL)) != -1) {
		switch (opt) {
		case 'n':
			c->hostname = check_hostname(optarg);
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

static int child_main(void *arg)
{
	struct container *c = arg;

	log_set_role("child");
	/* If the runtime is killed, take the container down with it. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		die_errno("prctl(PR_SET_PDEATHSIG)");
	/* Wait until the parent has done its part; EOF means it gave up (or
	 * died before the line above took effect). */
	if (sync_wait(&c->sync) < 0)
		_exit(EXIT_RUNTIME);
	set_hostname(c->hostname);
	if (sigprocmask(SIG_SETMASK, &c->parent_mask, NULL) < 0)
		die_errno("sigprocmask(SIG_SETMASK)");
	exec_command(c->argv);
}

/* --- the parent: starts the child, then stands by --------------------- */

int main(int argc, char **argv)
{
	struct container c = { 0 };
	int flags = CLONE_NEWUTS | CLONE_NEWIPC;
	char names[128];
	sigset_t set;
	pid_t pid;

	log_init(STEP_NAME);
	refuse_setuid();
	parse_args(argc, argv, &c);
	require_root();

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
	return wait_forwarding_signals(pid, &set);
}
