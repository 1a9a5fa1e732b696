/*
 * step06-user — root in the container is not root on the host.
 *
 * step05 plus CLONE_NEWUSER. In the same clone(2) the kernel creates the
 * user namespace first, so it owns every other new namespace: the child
 * gets every capability over them and none over the host. The parent
 * writes the child's uid_map and gid_map while the child waits; then the
 * child becomes uid 0, which on the host is uid 100000 (--map-base).
 * Started by an ordinary user, it maps just that user to 0: no sudo.
 *
 *   make step06 && sudo ./step06-user/run -- id        # uid=0(root)
 *   sudo ./step06-user/run -- sleep 60 & ps -o uid,cmd -C sleep
 *   ./step06-user/run -- cat /proc/self/uid_map       # rootless
 *
 * The lesson is step06-user/README.md; the code it adds is
 * `make diff STEP=06`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "container.h"
#include "mounts.h"
#include "network.h"
#include "options.h"
#include "relay.h"
#include "terminal.h"
#include "userns.h"

#define STEP_NAME "step06-user"

/*
 * Without a user namespace, creating namespaces takes CAP_SYS_ADMIN on the
 * host: root. With one, anyone may (where the kernel allows it), but may
 * map only their own uid and gid, and owns nothing on the host: the host
 * end of a veth pair, for one, is out of reach.
 */
static void check_privileges(struct container *c)
{
	c->rootless = geteuid() != 0;
	if (!c->rootless)
		return;
	if (!c->userns)
		die("--userns off: creating namespaces without a user namespace needs root; "
		    "run with sudo");
	if (c->veth)
		die("--net veth needs root: the host end is created in the host's network "
		    "namespace");
	if (c->map_given)
		die("--map-base/--map-size need root: without it you may map only your own "
		    "uid and gid");
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
	/* Open the volumes while we still have our host uid: as uid 0 of
	 * the container (100000 on the host) we might not reach them. */
	open_volumes(c);
	if (c->userns)
		become_root(c);
	set_hostname(c->hostname);
	setup_network(c);
	setup_mounts(c);
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
	int flags = CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET;
	char names[128];
	sigset_t set;
	pid_t pid;
	int status;

	log_init(STEP_NAME);
	refuse_setuid();
	parse_args(argc, argv, &c);
	check_privileges(&c);
	if (c.userns)
		flags |= CLONE_NEWUSER;

	check_volumes(&c);
	if (c.tty)
		open_pty(&c.term);
	if (sync_init(&c.sync) < 0)
		die_errno("pipe2");
	block_signals(&set, &c.parent_mask);
	pid = clone_child(child_main, &c, flags);
	if (pid < 0 && c.userns && (errno == EPERM || errno == ENOSPC || errno == EINVAL)) {
		int err = errno; /* userns_hint reads files: keep clone's errno */
		const char *hint = userns_hint();

		errno = err;
		die_errno_hint(hint, "clone(%s)", clone_flags_name(flags, names, sizeof(names)));
	}
	if (pid < 0)
		die_errno("clone(%s)", clone_flags_name(flags, names, sizeof(names)));
	trace("clone(%s) = %d", clone_flags_name(flags, names, sizeof(names)), (int)pid);

	/* The child waits while we set up what only the parent can. */
	if (c.userns)
		write_id_maps(&c, pid);
	if (c.veth)
		setup_veth(&c, pid);
	if (sync_release(&c.sync) < 0) {
		kill(pid, SIGKILL);
		die_errno("releasing the child (pipe write)");
	}
	if (c.tty)
		use_raw_mode();
	status = wait_forwarding_signals(pid, &set, c.tty ? &c.term : NULL);
	if (c.veth)
		remove_veth(&c);
	return status;
}
