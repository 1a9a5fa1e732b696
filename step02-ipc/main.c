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
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "container.h"
#include "options.h"
#include "relay.h"

#define STEP_NAME "step02-ipc"

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
