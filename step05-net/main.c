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
#include <arpa/inet.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "container.h"
#include "network.h"
#include "options.h"
#include "relay.h"
#include "terminal.h"
#include "veth.h"

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
 * CLONE_NEWNS gave us a copy of the host's mount table, and each copied
 * mount keeps the propagation type of its original: on systemd hosts "/"
 * is shared, so a mount made here would appear on the host as well.
 * We choose the type for every mount below "/" (MS_REC):
 *   private (the default, as crun): no mount event crosses, either way;
 *   slave (runc's default): the host's new mounts appear inside, ours
 *     never reach the host;
 *   shared: both ways, wherever the host's mount is shared: a mount made
 *     inside a volume of a shared host mount appears on the host. Our own
 *     mounts (/proc, /tmp, the volumes) are kept local: keep_mount_local.
 */
static void set_propagation(unsigned long mode)
{
	if (mount(NULL, "/", NULL, MS_REC | mode, NULL) < 0)
		die_errno("mount(\"/\", MS_REC|%s)", propagation_name(mode));
	trace("mount(\"/\", MS_REC|%s) = 0", propagation_name(mode));
}

/*
 * In shared mode the mounts we lay over the host's paths (/proc, /tmp, a
 * volume's target) must still stay ours. So the mount that holds PATH
 * becomes a slave: it receives from the host but sends nothing back. PATH
 * need not be a mount point itself (EINVAL): then the mount holding its
 * parent directory is the one. Where /tmp is no mount of its own, that is
 * "/" itself: then only mounts of their own, the volumes among them,
 * still share both ways.
 */
static void keep_mount_local(const char *path)
{
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s", path);
	while (mount(NULL, dir, NULL, MS_SLAVE, NULL) < 0) {
		char *slash = strrchr(dir, '/');

		if (errno != EINVAL || strcmp(dir, "/") == 0)
			die_errno("mount(\"%s\", MS_SLAVE)", dir);
		slash[slash == dir ? 1 : 0] = '\0';
	}
	trace("mount(\"%s\", MS_SLAVE) = 0", dir);
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

/* sysfs, like proc, shows the namespace of whoever mounts it: the net
 * devices under /sys/class/net are those of our network namespace. The
 * kernel allows the mount only to an owner of that namespace. Read-only,
 * as runc and crun mount it: /sys holds host-wide knobs. */
static void mount_sysfs(void)
{
	if (mount("sysfs", "/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		die_errno("mount(\"sysfs\", \"/sys\")");
	trace("mount(\"sysfs\", \"/sys\", \"sysfs\", MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC) = 0");
}

/* A private /tmp: what the container leaves there goes with it, and the
 * host's /tmp is out of sight. */
static void mount_tmp(void)
{
	if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0)
		die_errno("mount(\"tmpfs\", \"/tmp\")");
	trace("mount(\"tmpfs\", \"/tmp\", \"tmpfs\", MS_NOSUID|MS_NODEV, \"mode=1777\") = 0");
}

/*
 * Take every volume's host path now, before our tmpfs on /tmp can hide it
 * (and, from step06, while we still have our host uid). open_tree with
 * OPEN_TREE_CLONE copies the mount at that path, with the mounts below it
 * (AT_RECURSIVE), into a mount attached nowhere yet: a handle that
 * mount_volume attaches without looking the host path up again. It is
 * done here, in the container's mount namespace, for the user namespace
 * of step 06: rootless, open_tree(OPEN_TREE_CLONE) needs CAP_SYS_ADMIN
 * over the caller's mount namespace, which only the child has. (A copy
 * the parent made would attach here just as well; what the kernel
 * refuses, EINVAL, is copying from here a mount of the parent's.)
 */
static void open_volumes(struct container *c)
{
	for (size_t i = 0; i < c->nvolumes; i++) {
		struct volume *v = &c->volumes[i];

		v->fd = open_tree(AT_FDCWD, v->host,
				  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		if (v->fd < 0 && errno == ENOSYS)
			die_errno_hint("volumes use the new mount API: Linux 5.2 or later",
				       "--volume %s:%s: open_tree(\"%s\")", v->host, v->target,
				       v->host);
		if (v->fd < 0)
			die_errno("--volume %s:%s: open_tree(\"%s\")", v->host, v->target, v->host);
		trace("open_tree(\"%s\", OPEN_TREE_CLONE|AT_RECURSIVE) = %d", v->host, v->fd);
	}
}

/* The target, opened once: O_NOFOLLOW, so a symbolic link there is seen
 * and refused instead of followed somewhere else. */
static int open_target(const struct volume *v)
{
	int fd = open(v->target, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (fd < 0 && errno == ENOENT)
		die_errno_hint("until step08 the container shares the host's files, so "
			       "stepbox does not create the target: pick one that exists",
			       "--volume %s:%s: open(\"%s\")", v->host, v->target, v->target);
	if (fd < 0)
		die_errno("--volume %s:%s: open(\"%s\")", v->host, v->target, v->target);
	if (fstat(fd, &st) < 0)
		die_errno("--volume %s:%s: fstat(\"%s\")", v->host, v->target, v->target);
	if (S_ISLNK(st.st_mode)) {
		errno = ELOOP;
		die_errno_hint("give the path the link points to",
			       "--volume %s:%s: the target is a symbolic link", v->host, v->target);
	}
	return fd;
}

/*
 * Attach a volume's copy (open_volumes) onto its target, by handles. :ro
 * and the propagation mode are set on the copy, mounts below included,
 * before it is attached: there is no moment at which it is writable, and
 * no second lookup of the target that a symlink swapped in between could
 * send elsewhere (runc's CVE-2021-30465 was such a second lookup). The
 * copy would otherwise keep the propagation of the host's mount.
 */
static void mount_volume(const struct volume *v, unsigned long propagation)
{
	struct mount_attr attr = {
		.attr_set = v->readonly ? MOUNT_ATTR_RDONLY : 0,
		.propagation = propagation == MS_SHARED ? 0 : propagation,
	};
	int target = open_target(v);

	if (propagation == MS_SHARED)
		keep_mount_local(v->target);
	if (attr.attr_set || attr.propagation) {
		if (mount_setattr(v->fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
			die_errno_hint(errno == ENOSYS
					   ? "mount_setattr needs Linux 5.12 or later"
					   : "a mount below the volume may refuse the change",
				       "--volume %s:%s: mount_setattr", v->host, v->target);
		trace("mount_setattr(%d, AT_RECURSIVE, %s%s) = 0", v->fd,
		      v->readonly ? "MOUNT_ATTR_RDONLY, " : "", propagation_name(propagation));
	}
	if (move_mount(v->fd, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) <
	    0)
		die_errno("--volume %s:%s: move_mount onto %s", v->host, v->target, v->target);
	trace("move_mount(%d, \"%s\") = 0", v->fd, v->target);
	close(target);
}

/* The container's mount table, in the order the kernel needs. The
 * volumes' host paths are already open (open_volumes). */
static void setup_mounts(const struct container *c)
{
	set_propagation(c->propagation);
	if (c->propagation == MS_SHARED)
		keep_mount_local("/proc");
	mount_proc();
	if (c->propagation == MS_SHARED)
		keep_mount_local("/sys");
	mount_sysfs();
	if (c->propagation == MS_SHARED)
		keep_mount_local("/tmp");
	mount_tmp();
	for (size_t i = 0; i < c->nvolumes; i++)
		mount_volume(&c->volumes[i], c->propagation);
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

/* A volume whose host path is missing is an error before anything is
 * created. (The child opens it again for real, see open_volumes.) */
static void check_volumes(const struct container *c)
{
	struct stat st;

	for (size_t i = 0; i < c->nvolumes; i++) {
		const struct volume *v = &c->volumes[i];

		if (stat(v->host, &st) < 0)
			die_errno("--volume %s:%s: host path %s", v->host, v->target, v->host);
	}
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
