/*
 * step05-net — the container gets a network stack of its own: its own
 * interfaces, addresses, routes, ports and firewall.
 *
 * step04 plus CLONE_NEWNET. A new network namespace holds only a loopback
 * interface, and that one is down: we bring it up, with the ioctl that
 * ifconfig uses. --net veth also gives the container a cable to the host:
 * a veth pair, one end in each namespace, with link-local addresses (the
 * netlink part is in veth.c).
 *
 *   make step05 && sudo ./step05-net/run -- ip addr
 *   sudo ./step05-net/run --net veth -- ping -c1 169.254.100.1
 *
 * The lesson is step05-net/README.md; the code it adds is
 * `make diff STEP=05`.
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

#define STEP_NAME "step05-net"

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
	open_volumes(c);
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
	require_root();

	check_volumes(&c);
	if (c.tty)
		open_pty(&c.term);
	if (sync_init(&c.sync) < 0)
		die_errno("pipe2");
	block_signals(&set, &c.parent_mask);
	pid = clone_child(child_main, &c, flags);
	if (pid < 0)
		die_errno("clone(%s)", clone_flags_name(flags, names, sizeof(names)));
	trace("clone(%s) = %d", clone_flags_name(flags, names, sizeof(names)), (int)pid);

	/* The child waits while we set up what only the parent can. */
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
