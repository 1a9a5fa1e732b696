/*
 * step07-cgroups — limits on what the container may use: memory, CPU time,
 * processes. On cgroup v2 and on v1.
 *
 * step06 plus a control group (the mechanism is in cgroup.c) and
 * CLONE_NEWCGROUP. Namespaces decide what a process can see; a cgroup
 * decides how much it can use. The parent creates the cgroup and writes
 * the limits before the child exists; on v2 the child is born in it
 * (clone3 CLONE_INTO_CGROUP) and, in the same call, in a cgroup
 * namespace rooted there; on v1 the parent moves it in while it waits,
 * and the child unshares the cgroup namespace after the move.
 *
 *   make step07 && sudo ./step07-cgroups/run --memory 64M --pids 20 -v
 *   sudo ./step07-cgroups/run --cpus 0.5 -- sh -c 'while :; do :; done'
 *   sudo ./step07-cgroups/run --cleanup   # remove cgroups of killed runs
 *
 * The lesson is step07-cgroups/README.md; the code it adds is
 * `make diff STEP=07`.
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

#include "cgroup.h"
#include "common.h"
#include "container.h"
#include "mounts.h"
#include "network.h"
#include "options.h"
#include "relay.h"
#include "state.h"
#include "terminal.h"
#include "userns.h"

#define STEP_NAME "step07-cgroups"

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
	if (has_limits(&c->limits) || c->cleanup)
		die("cgroup limits and --cleanup need root: the cgroup tree belongs to root "
		    "unless it is delegated to you");
}

/* --- the cgroup namespace -------------------------------------------- */

/*
 * Where the parent moved us by pid (v1, or no clone3), we are in the
 * container's cgroup by now: it did so before it released us. A new
 * cgroup namespace takes the cgroup we are in as its root:
 * /proc/self/cgroup inside shows "/", and the host's tree above is
 * hidden. Unsharing before the move would root it at the runtime's own
 * cgroup: the container's paths would read /../../stepbox/<id>.
 */
static void enter_cgroup_namespace(void)
{
	if (unshare(CLONE_NEWCGROUP) < 0)
		die_errno("unshare(CLONE_NEWCGROUP)");
	trace("unshare(CLONE_NEWCGROUP) = 0");
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
	/* die() here must not run the parent's atexit handler, which
	 * would remove the cgroup we are in: leave with _exit. */
	log_set_exit(_exit);
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
	if (!c->in_cgroup) /* on v2 the clone made it (start_child) */
		enter_cgroup_namespace();
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

/* --- the cgroup ------------------------------------------------------ */

static struct container *exit_container;

/* On every exit path, die() included, the cgroup goes, then the state. */
static void remove_cgroup_at_exit(void)
{
	if (!exit_container)
		return;
	cgroup_destroy(&exit_container->cgroup);
	state_remove(&exit_container->state);
}

/* What runs killed with -9 left: cgroups whose lock is free, then their
 * state directories (state.c explains the lock). */
static void remove_stale(bool report)
{
	cgroup_remove_stale(report);
	state_remove_stale(report);
}

/*
 * Made before the child exists, so that the child never runs a single
 * instruction outside it. Named after the container's ID, whose state
 * directory we lock first (state.c): leftovers of runs that were killed
 * are told apart by their free locks, and removed first.
 */
static void setup_cgroup(struct container *c)
{
	c->state.lock_fd = -1;
	if (c->rootless)
		return;
	exit_container = c;
	if (atexit(remove_cgroup_at_exit) != 0)
		die("atexit");
	state_create(&c->state);
	remove_stale(false);
	cgroup_create(&c->cgroup, c->state.id, &c->limits);
}

/*
 * On v2, clone3(CLONE_INTO_CGROUP) starts the child inside the cgroup:
 * no window outside it, and no move, which can cost an RCU grace period
 * (milliseconds). With CLONE_NEWCGROUP in the same call (Linux 5.7) the
 * kernel roots the new cgroup namespace at that cgroup, so the child has
 * nothing to unshare. On v1, or a kernel before 5.7, plain clone; the
 * parent then writes the child's pid to cgroup.procs while the child
 * waits, and the child unshares after that move.
 */
static pid_t start_child(struct container *c, int *flags)
{
	if (c->cgroup.fd >= 0) {
		pid_t pid;

		/* Set before the clone: the child's copy of c tells it so. */
		c->in_cgroup = true;
		*flags |= CLONE_NEWCGROUP;
		pid = clone_into_cgroup(child_main, c, *flags, c->cgroup.fd);
		if (pid >= 0 || (errno != ENOSYS && errno != E2BIG))
			return pid; /* on an error, main names the flags tried */
		c->in_cgroup = false;
		*flags &= ~CLONE_NEWCGROUP;
	}
	return clone_child(child_main, c, *flags);
}

/* How start_child made the child, for the trace and for an error. */
static const char *clone_call(const struct container *c)
{
	return c->in_cgroup ? "clone3(CLONE_INTO_CGROUP|" : "clone(";
}

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
	if (c.cleanup) {
		remove_stale(true);
		return 0;
	}

	check_volumes(&c);
	/* Before the cgroup exists: a Ctrl-C from here on waits in the queue
	 * and goes to the container, instead of killing us halfway through
	 * setup with a cgroup left behind. */
	block_signals(&set, &c.parent_mask);
	setup_cgroup(&c);
	if (c.tty)
		open_pty(&c.term);
	if (sync_init(&c.sync) < 0)
		die_errno("pipe2");
	pid = start_child(&c, &flags);
	if (pid < 0 && c.userns && (errno == EPERM || errno == ENOSPC || errno == EINVAL)) {
		int err = errno; /* userns_hint reads files: keep clone's errno */
		const char *hint = userns_hint();

		errno = err;
		die_errno_hint(hint, "%s%s)", clone_call(&c),
			       clone_flags_name(flags, names, sizeof(names)));
	}
	if (pid < 0)
		die_errno("%s%s)", clone_call(&c), clone_flags_name(flags, names, sizeof(names)));
	trace("%s%s) = %d", clone_call(&c), clone_flags_name(flags, names, sizeof(names)),
	      (int)pid);

	/* The child waits while we set up what only the parent can. */
	if (c.userns)
		write_id_maps(&c, pid);
	if (c.cgroup.ndirs && !c.in_cgroup)
		cgroup_enter(&c.cgroup, pid);
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
	cgroup_destroy(&c.cgroup);
	state_remove(&c.state);
	/* c dies with main's frame; the atexit handler runs after it. */
	exit_container = NULL;
	return status;
}
