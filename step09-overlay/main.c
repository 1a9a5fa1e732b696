/*
 * step09-overlay — the rootfs becomes a read-only layer: the container's
 * writes go to a layer of its own, and the image never changes.
 *
 * step08 plus overlayfs (the mechanism is in overlay.c). The rootfs, and
 * any --layer directories above it, are the lower layers of an overlay
 * whose upper layer is new for each run, on a tmpfs in the run's state
 * directory (/run/stepbox/<id>/layer); the overlay is mounted on
 * /run/stepbox/<id>/merged, and the child binds that and pivots into it
 * as step08 did with the rootfs. As root we mount it on the host before
 * the child exists, as containerd does for runc; rootless, the child
 * mounts it inside its user namespace. At exit it all goes, unless
 * --keep asked to keep the upper layer: then it is on disk, and printed.
 *
 *   make step09 rootfs && sudo ./step09-overlay/run -v
 *   sudo ./step09-overlay/run --keep -- sh -c 'echo hi > /etc/motd'
 *   sudo ./step09-overlay/run --layer /var/lib/stepbox/<id>/upper -- cat /etc/motd
 *
 * The lesson is step09-overlay/README.md; the code it adds is
 * `make diff STEP=09`.
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
#include "overlay.h"
#include "relay.h"
#include "rootfs.h"
#include "state.h"
#include "terminal.h"
#include "userns.h"

#define STEP_NAME "step09-overlay"

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
	if (has_limits(&c->limits))
		die("cgroup limits need root: the cgroup tree belongs to root unless it is "
		    "delegated to you");
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
		close(c->term.socket[0]); /* the runtime's end */
	/* Open the volumes while we still have our host uid: as uid 0 of
	 * the container (100000 on the host) we might not reach them. */
	open_volumes(c);
	open_merged(c);
	if (c->userns)
		become_root(c);
	if (!c->in_cgroup) /* on v2 the clone made it (start_child) */
		enter_cgroup_namespace();
	set_hostname(c->hostname);
	setup_network(c);
	setup_mounts(c);
	/* After pivot_root: the pty comes from our own devpts. */
	if (c->tty)
		attach_terminal(&c->term);
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

/* Whether FD is the host's "/" (through a link, or given as such). */
static bool is_host_root(int fd)
{
	struct stat dir, root;

	return fstat(fd, &dir) == 0 && stat("/", &root) == 0 && dir.st_dev == root.st_dev &&
	       dir.st_ino == root.st_ino;
}

/*
 * --rootfs, opened now, before any namespace exists: a missing one, a
 * file, the host's own / or a path with ".." is exit 125 with nothing made. The fd is what the child uses; the
 * name is not looked up again. Without --rootfs: the tree `make rootfs`
 * builds, whose files belong to the map base (100000), root inside with
 * the default map; rootless, root inside is you, and those files show as
 * nobody's, read-only: `make rootfs-user` builds a copy of your own,
 * which is then the default.
 */
static void open_rootfs(struct container *c)
{
	if (c->rootfs[0] == '\0') {
		snprintf(c->rootfs, sizeof(c->rootfs), "%s-%u", STEPBOX_ROOTFS,
			 (unsigned)geteuid());
		if (!c->rootless || access(c->rootfs, F_OK) < 0)
			snprintf(c->rootfs, sizeof(c->rootfs), "%s", STEPBOX_ROOTFS);
	}
	if (path_has_dotdot(c->rootfs))
		die("--rootfs %s: has a '..' in it: give the path without (the kernel takes '..' "
		    "after following links, not as the shell shows it)",
		    c->rootfs);
	c->rootfs_fd = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (c->rootfs_fd < 0 && errno == ENOENT && strcmp(c->rootfs, STEPBOX_ROOTFS) == 0)
		die_errno_hint("build it with: make rootfs", "--rootfs %s", c->rootfs);
	if (c->rootfs_fd < 0 && errno == ENOTDIR)
		die("--rootfs %s: not a directory (give the directory an image was unpacked to)",
		    c->rootfs);
	if (c->rootfs_fd < 0)
		die_errno("--rootfs %s", c->rootfs);
	if (is_host_root(c->rootfs_fd))
		die("--rootfs %s: that is the host's own / (an empty variable?): "
		    "give the directory an image was unpacked to",
		    c->rootfs);
	trace("open(\"%s\", O_PATH|O_DIRECTORY) = %d (the rootfs)", c->rootfs, c->rootfs_fd);
}

/* --layer, each opened now as the rootfs is: a missing one is exit 125
 * with nothing made, and the fd is what the overlay gets. */
static void open_layers(struct container *c)
{
	for (size_t i = 0; i < c->nlayers; i++) {
		c->layer_fds[i] = open(c->layers[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (c->layer_fds[i] < 0 && errno == ENOTDIR)
			die("--layer %s: not a directory (a layer is a directory tree)",
			    c->layers[i]);
		if (c->layer_fds[i] < 0)
			die_errno("--layer %s", c->layers[i]);
		trace("open(\"%s\", O_PATH|O_DIRECTORY) = %d (a layer)", c->layers[i],
		      c->layer_fds[i]);
	}
}

/* Is there a NAME in some lower layer, each resolved inside itself? A
 * link in one layer to a file that only another has is not followed
 * across layers, and such a command counts as missing: rare in images,
 * and the price of deciding before anything exists. */
static bool in_lower_layers(const struct container *c, const char *name)
{
	struct overlay_lowers lowers = lower_layers(c);

	for (size_t i = 0; i < lowers.n; i++) {
		int fd = rootfs_open_at(lowers.fds[i], name);

		if (fd >= 0) {
			close(fd);
			return true;
		}
	}
	return false;
}

/* Is PATH a volume's target, or below one? Then the rootfs cannot say
 * what is there: the volume will. */
static bool in_volume(const struct container *c, const char *path)
{
	for (size_t i = 0; i < c->nvolumes; i++) {
		size_t len = strlen(c->volumes[i].target);

		while (len > 1 && c->volumes[i].target[len - 1] == '/')
			len--;
		if (strncmp(path, c->volumes[i].target, len) == 0 &&
		    (path[len] == '\0' || path[len] == '/' || len == 1))
			return true;
	}
	return false;
}

/*
 * The command must be in the rootfs, not on the host: look for it there
 * now, as exec_command will (PATH, unless the name has a '/'), each candidate
 * resolved inside the rootfs, and from step09 inside each --layer too.
 * Nowhere: exit 127 before any namespace exists. Where a volume may
 * bring it, the check is left to exec_command.
 */
static void check_command(const struct container *c)
{
	const char *name = c->argv[0], *path = getenv("PATH");
	char full[PATH_MAX];

	if (strchr(name, '/')) {
		if (in_volume(c, name) || in_lower_layers(c, name))
			return;
	} else {
		for (path = path ? path : "/bin:/usr/bin"; *path;) {
			size_t len = strcspn(path, ":");

			snprintf(full, sizeof(full), "%.*s/%s", len ? (int)len : 1,
				 len ? path : ".", name);
			path += len + (path[len] == ':');
			if (in_volume(c, full) || in_lower_layers(c, full))
				return;
		}
	}
	warn("%s: command not found in the rootfs %s%s%s", name, c->rootfs,
	     c->nlayers ? " or its layers" : "",
	     strchr(name, '/') ? "" : " (looked in $PATH, inside it)");
	exit(EXIT_NOTFOUND);
}

/* --- the cgroup ------------------------------------------------------ */

static struct container *exit_container;

/* On every exit path, die() included, the overlay goes (a kept one too:
 * the runtime failed), then the cgroup, then the state. */
static void remove_cgroup_at_exit(void)
{
	if (!exit_container)
		return;
	overlay_remove(&exit_container->overlay, true);
	cgroup_destroy(&exit_container->cgroup);
	state_remove(&exit_container->state);
}

/* What runs killed with -9 left: cgroups whose lock is free, then their
 * state directories (state.c explains the lock) with the overlays in
 * them. Rootless there are no cgroups of ours, and the state is ours
 * only (state.c): root's containers are none of our business. */
static void remove_stale(bool rootless, bool report)
{
	if (!rootless)
		cgroup_remove_stale(report);
	state_remove_stale(report, overlay_remove_stale);
}

/*
 * Made before the child exists, so that the child never runs a single
 * instruction outside it. Named after the container's ID, whose state
 * directory we lock first (state.c): leftovers of runs that were killed
 * are told apart by their free locks, and removed first. From step09 a
 * rootless run has a state directory too, for its overlay, and still no
 * cgroup.
 */
static void setup_cgroup(struct container *c)
{
	c->state.lock_fd = -1;
	exit_container = c;
	if (atexit(remove_cgroup_at_exit) != 0)
		die("atexit");
	state_create(&c->state);
	remove_stale(c->rootless, false);
	if (!c->rootless)
		cgroup_create(&c->cgroup, c->state.id, &c->limits);
}

/*
 * The overlay's directories go in the state directory, where a run
 * killed with -9 leaves them under a lock nobody holds. As root we mount
 * it here, on the host, before the child exists, as containerd's shim
 * mounts a container's rootfs before runc starts: the overlay's notes
 * then go in trusted.* xattrs, which only the host's root may write, on
 * every kernel, and the host can look at upper and merged while the
 * container runs. Rootless we may mount nothing here: the child does it
 * (mount_overlay_inside).
 */
static void setup_overlay(struct container *c)
{
	struct overlay_lowers lowers = lower_layers(c);

	overlay_dirs(&c->overlay, c->state.dir, c->state.id, c->keep);
	if (!c->rootless)
		overlay_mount(&c->overlay, &lowers, true, false);
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
	const char *resolve;
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
		remove_stale(c.rootless, true);
		return 0;
	}

	check_volumes(&c);
	/* STEPBOX_RESOLVE=walk: resolve as kernels before 5.6 must (rootfs.c). */
	resolve = getenv("STEPBOX_RESOLVE");
	rootfs_force_walk(resolve && strcmp(resolve, "walk") == 0);
	open_rootfs(&c);
	open_layers(&c);
	check_command(&c);
	/* Before the cgroup exists: a Ctrl-C from here on waits in the queue
	 * and goes to the container, instead of killing us halfway through
	 * setup with a cgroup left behind. */
	block_signals(&set, &c.parent_mask);
	setup_cgroup(&c);
	setup_overlay(&c);
	if (c.tty)
		open_console_socket(&c.term);
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
	/* The child sends the pty once it has pivoted into the rootfs. */
	if (c.tty && receive_terminal(&c.term) < 0)
		c.tty = 0;
	if (c.tty)
		use_raw_mode();
	status = wait_forwarding_signals(pid, &set, c.tty ? &c.term : NULL);
	if (c.veth)
		remove_veth(&c);
	overlay_remove(&c.overlay, false);
	cgroup_destroy(&c.cgroup);
	state_remove(&c.state);
	/* c dies with main's frame; the atexit handler runs after it. */
	exit_container = NULL;
	return status;
}
