/*
 * step10-exec — the full container: a small runtime to hold beside runc.
 *
 * step09 plus what makes it one: names and state (state.c), a detached
 * mode with a monitor as the container's parent (here, in main), `exec`
 * to join a running container with setns (exec.c), the commands that act
 * on containers by name: list, ps, kill, rm, logs, pause, resume, cleanup
 * (commands.c); and hardening, what the container's root gives up before
 * the command runs: masked /proc and /sys files (masks.c), resource
 * limits (rlimits.c), docker's default capabilities (caps.c),
 * no_new_privs and a seccomp filter (seccomp.c), in the order harden.c
 * keeps for every process that enters the container; and, before all
 * that, the runtime runs from a sealed copy of itself, so that no
 * container can write to its file on the host (sealexe.c). The plain
 * form of the earlier steps still works and means `run`.
 *
 *   make step10 rootfs && sudo ./step10-exec/run --name web -d -- sleep 1000
 *   sudo ./step10-exec/run list
 *   sudo ./step10-exec/run exec web grep Cap /proc/self/status
 *   sudo ./step10-exec/run rm -f web
 *   sudo ./step10-exec/run --cap-drop ALL --cap-add NET_BIND_SERVICE -- sh
 *
 * The lesson is step10-exec/README.md; the code it adds is
 * `diff -ru step09-overlay step10-exec`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "common.h"
#include "container.h"
#include "dev.h"
#include "monitor.h"
#include "network.h"
#include "options.h"
#include "overlay.h"
#include "harden.h"
#include "masks.h"
#include "oci.h"
#include "relay.h"
#include "rootfs.h"
#include "run.h"
#include "sealexe.h"
#include "state.h"
#include "terminal.h"
#include "userns.h"
#include "veth.h"

#define STEP_NAME "step10-exec"

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
 * By now we are in the container's cgroup (the parent saw to it before it
 * released us). A new cgroup namespace takes the cgroup we are in as its
 * root: /proc/self/cgroup inside shows "/", and the host's tree above is
 * hidden. Unsharing before the move would root it one level too high.
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
 * Shared mode: the host-side mount that holds the tree becomes a slave,
 * or attaching our copy onto it would show on the host; and so does "/"
 * (itself only): pivot_root refuses (EINVAL) while the mount the current
 * root hangs from is shared. What is below keeps its propagation: the
 * volumes, copied already, still share with the host. From step09 the
 * tree is the merged overlay, whose own mount is the one that holds it.
 */
static void keep_rootfs_local(const struct container *c)
{
	keep_mount_local(c->merged_fd, MS_SLAVE, c->overlay.merged);
	if (mount(NULL, "/", NULL, MS_SLAVE, NULL) < 0)
		die_errno("mount(\"/\", MS_SLAVE)");
	trace("mount(\"/\", MS_SLAVE) = 0");
}

/*
 * The tree becomes a mount of its own: pivot_root wants a mount point
 * for the new root (EINVAL otherwise), and a mount of our own is what
 * lets us choose its propagation. open_tree(OPEN_TREE_CLONE|AT_RECURSIVE)
 * copies it, mounts below included (a bind, MS_BIND|MS_REC), and
 * move_mount attaches the copy onto the tree's own directory. From now on
 * the fd of that copy is the rootfs: the directory under it, the one the
 * parent opened, is out of sight below the mount.
 *
 * From step09 the tree is the merged overlay, not the rootfs: the
 * overlay is a mount point already, but our copy of the host's mount of
 * it would share mount events with the host in shared mode.
 *
 * The copy's propagation: private, or a slave in slave and shared modes
 * (so that /proc and /dev, mounted in it, never reach the host). In
 * shared mode, first keep_rootfs_local.
 */
static int bind_rootfs(const struct container *c)
{
	const char *merged = c->overlay.merged;
	struct mount_attr attr = {
		.propagation = c->propagation == MS_PRIVATE ? MS_PRIVATE : MS_SLAVE,
	};
	struct stat want, got;
	int tree;

	if (c->propagation == MS_SHARED)
		keep_rootfs_local(c);
	/* The parent's fd is a mount of the parent's namespace, which
	 * open_tree refuses to copy (EINVAL). Our copy of it is found by
	 * name (open_merged), then checked against the fd: the same
	 * directory, or stop. */
	tree = open_tree(c->merged_fd, "",
			 AT_EMPTY_PATH | AT_RECURSIVE | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		die_errno("%s: open_tree(OPEN_TREE_CLONE|AT_RECURSIVE)", merged);
	if (fstat(tree, &got) < 0 || fstat(c->overlay.root, &want) < 0)
		die_errno("%s: fstat", merged);
	if (got.st_dev != want.st_dev || got.st_ino != want.st_ino)
		die("%s: no longer the overlay mounted there", merged);
	if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		die_errno("%s: mount_setattr(%s)", merged, propagation_name(attr.propagation));
	if (move_mount(tree, "", c->merged_fd, "",
		       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		die_errno("%s: move_mount onto itself", merged);
	trace("open_tree(\"%s\", OPEN_TREE_CLONE|AT_RECURSIVE), mount_setattr(%s), move_mount "
	      "onto itself = %d",
	      merged, propagation_name(attr.propagation), tree);
	return tree;
}

/* The lower layers, top first: the --layer directories, then the rootfs. */
static struct overlay_lowers lower_layers(const struct container *c)
{
	struct overlay_lowers lowers = { .n = 0 };

	for (size_t i = 0; i < c->nlayers; i++) {
		lowers.fds[lowers.n] = c->layer_fds[i];
		lowers.names[lowers.n++] = c->layers[i];
	}
	lowers.fds[lowers.n] = c->rootfs_fd;
	lowers.names[lowers.n++] = c->rootfs;
	return lowers;
}

/*
 * Rootless, the overlay is ours to mount, here: in the mount namespace
 * of our user namespace, where we hold CAP_SYS_ADMIN. The kernel allows
 * it for overlayfs since Linux 5.11: overlayfs does every access to the
 * layers with the mounter's credentials (ours: nothing a user could not
 * do by hand), and from 5.11 may keep its notes in user.* xattrs
 * (userxattr), which we may write, instead of trusted.* ones.
 * The layers are opened again, by name: overlayfs takes layers from our
 * own mount namespace only (EINVAL), and the parent's fds are of the
 * host's. Each is checked against the parent's fd, as the rootfs in
 * bind_rootfs. The tmpfs for upper and work is mounted here too, and
 * goes with our mount namespace.
 */
static void mount_overlay_inside(struct container *c)
{
	struct overlay_lowers lowers = lower_layers(c);

	for (size_t i = 0; i < lowers.n; i++) {
		struct stat want, got;
		int fd = open(lowers.names[i], O_PATH | O_DIRECTORY | O_CLOEXEC);

		if (fd < 0)
			die_errno("open %s", lowers.names[i]);
		if (fstat(fd, &got) < 0 || fstat(lowers.fds[i], &want) < 0)
			die_errno("fstat %s", lowers.names[i]);
		if (got.st_dev != want.st_dev || got.st_ino != want.st_ino)
			die("%s: no longer the directory opened before clone", lowers.names[i]);
		lowers.fds[i] = fd;
	}
	overlay_mount(&c->overlay, &lowers, false, true);
	for (size_t i = 0; i < lowers.n; i++)
		close(lowers.fds[i]);
	c->merged_fd = open(c->overlay.merged, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (c->merged_fd < 0)
		die_errno("open %s", c->overlay.merged);
}

/*
 * The merged tree, as our mount namespace has it, opened while we still
 * have our host uid: the state directory is root's alone (0700), and
 * as uid 0 of the container (100000 on the host) we could not look its
 * name up. Rootless the overlay is not mounted yet: mount_overlay_inside
 * opens it once it is.
 */
static void open_merged(struct container *c)
{
	if (c->rootless)
		return;
	c->merged_fd = open(c->overlay.merged, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (c->merged_fd < 0)
		die_errno("open %s", c->overlay.merged);
}

/* A mount point inside the rootfs: TARGET resolved in ROOT (created when
 * missing), and a directory. */
static int mount_point(int root, const char *target)
{
	struct stat st;
	int fd = rootfs_path_at(root, target, ROOTFS_MKDIR);

	if (fd < 0 && errno == EEXIST)
		die_errno_hint("it is a symbolic link to nothing inside the rootfs: stepbox makes "
			       "missing mount points, but not through a link",
			       "open(\"%s\") inside the rootfs", target);
	if (fd < 0)
		die_errno("open(\"%s\") inside the rootfs", target);
	if (fstat(fd, &st) < 0)
		die_errno("fstat(\"%s\")", target);
	if (!S_ISDIR(st.st_mode))
		die("%s in the rootfs is not a directory (it resolves, inside the rootfs, to a "
		    "file): cannot mount on it",
		    target);
	return fd;
}

/*
 * A proc filesystem shows the PID namespace of whoever mounts it. We are
 * PID 1 of the new one, so this /proc lists only the container's
 * processes, and `ps` (which reads /proc) agrees with `echo $$`.
 */
static void mount_proc(int root)
{
	int target = mount_point(root, "/proc"), mnt;
	const char *call;

	mnt = rootfs_mount_fs(
	    "proc", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, target, &call);
	if (mnt < 0)
		die_errno_hint("mounting proc needs CAP_SYS_ADMIN over the new PID namespace "
			       "and a fully visible /proc (not the masked one inside Docker)",
			       "%s(\"proc\") on /proc", call);
	trace("fsopen(\"proc\"), fsmount(MOUNT_ATTR_NOSUID|NODEV|NOEXEC), move_mount onto /proc "
	      "(found by %s) = 0",
	      rootfs_resolver());
	close(mnt);
	close(target);
}

/* sysfs, like proc, shows the namespace of whoever mounts it: the net
 * devices under /sys/class/net are those of our network namespace. The
 * kernel allows the mount only to an owner of that namespace. Read-only,
 * as runc and crun mount it: /sys holds host-wide knobs. */
static void mount_sysfs(int root)
{
	int target = mount_point(root, "/sys"), mnt;
	const char *call;

	mnt = rootfs_mount_fs("sysfs", NULL,
			      MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
				  MOUNT_ATTR_NOEXEC,
			      target, &call);
	if (mnt < 0)
		die_errno_hint("sysfs needs a network namespace of our own",
			       "%s(\"sysfs\") on /sys", call);
	trace("fsopen(\"sysfs\"), fsmount(MOUNT_ATTR_RDONLY|NOSUID|NODEV|NOEXEC), move_mount onto "
	      "/sys = 0");
	close(mnt);
	close(target);
}

/* A private /tmp: what the container leaves there goes with it. */
static void mount_tmp(int root)
{
	static const char *const options[] = { "mode=1777", NULL };
	int target = mount_point(root, "/tmp"), mnt;
	const char *call;

	mnt =
	    rootfs_mount_fs("tmpfs", options, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, target, &call);
	if (mnt < 0)
		die_errno("%s(\"tmpfs\") on /tmp", call);
	trace(
	    "fsopen(\"tmpfs\"), fsconfig(mode=1777), fsmount(MOUNT_ATTR_NOSUID|NODEV), move_mount "
	    "onto /tmp = 0");
	close(mnt);
	close(target);
}

/*
 * Take every volume's host path now, before we leave the host's tree
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

/*
 * The target, resolved once, inside the rootfs: a symbolic link there
 * (absolute, or with "..") is followed as the container would follow it,
 * and cannot lead to the host's files. From step08 a missing target is
 * made, in the rootfs, as runc does: a directory, or an empty file when
 * the host path is a file.
 */
static int open_target(int root, const struct volume *v)
{
	int fd = rootfs_path_at(root, v->target, v->file ? ROOTFS_MKFILE : ROOTFS_MKDIR);
	struct stat st;

	if (fd < 0 && errno == EEXIST)
		die_errno_hint("a symbolic link on the way leads to nothing inside the rootfs: "
			       "stepbox makes missing targets, but not through a link",
			       "--volume %s:%s: open(\"%s\") inside the rootfs", v->host, v->target,
			       v->target);
	if (fd < 0 && errno == EACCES)
		die_errno_hint("root inside may not make the target there: files whose owner the "
			       "user namespace does not map belong to nobody inside (rootless: "
			       "make rootfs-user)",
			       "--volume %s:%s: open(\"%s\") inside the rootfs", v->host, v->target,
			       v->target);
	if (fd < 0 && errno == EOVERFLOW)
		die_errno_hint(
		    "a directory on the way belongs to an id the user namespace does not "
		    "map, and overlayfs cannot copy it up into the container's layer with "
		    "an owner it cannot write (rootless: make rootfs-user, or a target "
		    "that exists)",
		    "--volume %s:%s: open(\"%s\") inside the rootfs", v->host, v->target,
		    v->target);
	if (fd < 0)
		die_errno("--volume %s:%s: open(\"%s\") inside the rootfs", v->host, v->target,
			  v->target);
	if (fstat(fd, &st) < 0)
		die_errno("--volume %s:%s: fstat(\"%s\")", v->host, v->target, v->target);
	if (S_ISDIR(st.st_mode) == v->file)
		die("--volume %s:%s: the host path is a %s, the target in the rootfs is not",
		    v->host, v->target, v->file ? "file" : "directory");
	trace("open(\"%s\") inside the rootfs (%s) = %d", v->target, rootfs_resolver(), fd);
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
static void mount_volume(int root, const struct volume *v, unsigned long propagation)
{
	struct mount_attr attr = {
		.attr_set = v->readonly ? MOUNT_ATTR_RDONLY : 0,
		.propagation = propagation == MS_SHARED ? 0 : propagation,
	};
	int target = open_target(root, v);
	const char *call;

	if (propagation == MS_SHARED) {
		/* The mount that holds a file is the one holding its directory. */
		char parent[PATH_MAX];
		int dir = target;

		if (v->file) {
			snprintf(parent, sizeof(parent), "%s", v->target);
			*strrchr(parent, '/') = '\0';
			dir = rootfs_open_at(root, parent[0] ? parent : "/");
		}
		if (dir < 0)
			die_errno("--volume %s:%s: open(\"%s\") inside the rootfs", v->host,
				  v->target, parent);
		keep_mount_local(dir, MS_SLAVE, v->target);
		if (dir != target)
			close(dir);
	}
	if (rootfs_attach(v->fd, &attr, AT_RECURSIVE, target, &call) < 0) {
		if (strcmp(call, "move_mount") == 0)
			die_errno("--volume %s:%s: move_mount onto %s", v->host, v->target,
				  v->target);
		die_errno_hint(errno == ENOSYS ? "mount_setattr needs Linux 5.12 or later"
					       : "a mount below the volume may refuse the change",
			       "--volume %s:%s: mount_setattr", v->host, v->target);
	}
	trace("mount_setattr(%d, AT_RECURSIVE, %s%s), move_mount onto \"%s\" = 0", v->fd,
	      v->readonly ? "MOUNT_ATTR_RDONLY, " : "", propagation_name(propagation), v->target);
	close(target);
}

/*
 * --chroot, for the lesson only: "/" becomes the rootfs for path lookups,
 * and nothing else changes. The host's root is still mounted in our
 * namespace, under the new "/", and a process that may call chroot
 * itself (CAP_SYS_CHROOT, which root inside has) walks back up to it:
 * /bin/breakout does.
 */
static void enter_chroot(int root)
{
	warn("--chroot: the host's root stays mounted under the container's; for the "
	     "lesson only");
	if (fchdir(root) < 0)
		die_errno("fchdir(rootfs)");
	if (chroot(".") < 0)
		die_errno("chroot(\".\")");
	if (chdir("/") < 0)
		die_errno("chdir(\"/\")");
	trace("fchdir(rootfs), chroot(\".\"), chdir(\"/\") = 0");
}

/*
 * The container's mount table, in the order the kernel needs: "/" of our
 * copy made private (or as --propagation says), the merged overlay (the
 * parent's, or rootless our own) a mount of its own, the file systems
 * mounted inside it while the host's paths still resolve (the nodes of
 * /dev are bound from the host's), each at a path resolved inside the
 * rootfs; then pivot_root. The volumes' host paths are already open
 * (open_volumes).
 */
static void setup_mounts(struct container *c)
{
	int root;

	set_propagation(c->propagation);
	if (c->rootless)
		mount_overlay_inside(c);
	root = bind_rootfs(c);
	mount_proc(root);
	dev_setup(root, !c->userns, c->device_nodes, c->ndevice_nodes);
	mount_sysfs(root);
	mount_tmp(root);
	for (size_t i = 0; i < c->nvolumes; i++)
		mount_volume(root, &c->volumes[i], c->propagation);
	/* Last: over /proc and /sys as the volumes left them. */
	masks_apply(root);
	if (c->chroot)
		enter_chroot(root);
	else
		rootfs_pivot(root);
	close(root);
	close(c->rootfs_fd);
	for (size_t i = 0; i < c->nlayers; i++)
		close(c->layer_fds[i]);
	close(c->overlay.root);
	close(c->merged_fd);
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
	close(c->exec_pipe[0]);
	/* Open the volumes while we still have our host uid: as uid 0 of
	 * the container (100000 on the host) we might not reach them. */
	open_volumes(c);
	open_merged(c);
	if (c->userns)
		become_root(c);
	enter_cgroup_namespace();
	set_hostname(c->hostname);
	setup_network(c);
	setup_mounts(c);
	/* After pivot_root: the pty comes from our own devpts. */
	if (c->tty)
		attach_terminal(&c->term);
	/* Every mount and namespace of ours is made: give up what the
	 * command must not have, the seccomp filter last. With --init, our
	 * PID 1 lives in the container beside the command and gives it up
	 * too, as docker's init (tini) does. */
	harden_process(&c->harden);
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
 * created. (The child opens it again for real, see open_volumes.) Its
 * type says what to make in the rootfs when the target is missing. */
static void check_volumes(struct container *c)
{
	struct stat st;

	for (size_t i = 0; i < c->nvolumes; i++) {
		struct volume *v = &c->volumes[i];

		if (stat(v->host, &st) < 0)
			die_errno("--volume %s:%s: host path %s", v->host, v->target, v->host);
		v->file = !S_ISDIR(st.st_mode);
	}
}

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
	state_remove_stale(report, false, overlay_remove_stale);
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
	state_create(&c->state, c->name);
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
 * (milliseconds). On v1, or a kernel before 5.7, plain clone; the parent
 * then writes the child's pid to cgroup.procs while the child waits.
 */
static pid_t start_child(struct container *c, int flags)
{
	if (c->cgroup.fd >= 0) {
		pid_t pid = clone_into_cgroup(child_main, c, flags, c->cgroup.fd);

		if (pid >= 0 || (errno != ENOSYS && errno != E2BIG)) {
			c->in_cgroup = pid >= 0;
			return pid;
		}
	}
	return clone_child(child_main, c, flags);
}

/* --- step10: the record, the monitor, the subcommands ----------------- */

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} subcommands[] = {
	{ "exec", cmd_exec },	{ "list", cmd_list },	 { "ps", cmd_ps },
	{ "kill", cmd_kill },	{ "rm", cmd_rm },	 { "logs", cmd_logs },
	{ "pause", cmd_pause }, { "resume", cmd_pause }, { "cleanup", cmd_cleanup },
};

/* A first word that is a subcommand runs it (and we exit with its code);
 * "run" is dropped, and the rest is the earlier steps' command line. */
static void run_subcommand(int *argc, char ***argv)
{
	if (*argc < 2)
		return;
	if (strcmp((*argv)[1], "run") == 0) {
		(*argv)[1] = (*argv)[0];
		(*argc)--;
		(*argv)++;
		return;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (strcmp((*argv)[1], subcommands[i].name) == 0)
			exit(subcommands[i].run(*argc - 1, *argv + 1));
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
	run_from_sealed_copy(argv);
	oci_dispatch(argc, argv);
	run_subcommand(&argc, &argv);
	parse_args(argc, argv, &c);
	check_privileges(&c);
	harden_check(&c.harden, c.userns);
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
	/* refused by now if it is to be: -v starts with what we run from */
	trace_sealed_copy();
	if (c.detach)
		start_monitor(&c);
	/* Before the cgroup exists: a Ctrl-C from here on waits in the queue
	 * and goes to the container, instead of killing us halfway through
	 * setup with a cgroup left behind. */
	block_signals(&set, &c.parent_mask);
	setup_cgroup(&c);
	setup_overlay(&c);
	if (c.detach)
		redirect_to_log(&c);
	if (c.tty)
		open_console_socket(&c.term);
	if (sync_init(&c.sync) < 0 || pipe2(c.exec_pipe, O_CLOEXEC) < 0)
		die_errno("pipe2");
	pid = start_child(&c, flags);
	if (pid < 0 && c.userns && (errno == EPERM || errno == ENOSPC || errno == EINVAL)) {
		int err = errno; /* userns_hint reads files: keep clone's errno */
		const char *hint = userns_hint();

		errno = err;
		die_errno_hint(hint, "clone(%s)", clone_flags_name(flags, names, sizeof(names)));
	}
	if (pid < 0)
		die_errno("clone(%s)", clone_flags_name(flags, names, sizeof(names)));
	trace("%s(%s%s) = %d", c.in_cgroup ? "clone3" : "clone",
	      c.in_cgroup ? "CLONE_INTO_CGROUP|" : "",
	      clone_flags_name(flags, names, sizeof(names)), (int)pid);

	close(c.exec_pipe[1]);
	save_record(&c, pid);
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
	/* Only a container that runs its command is one others may find and
	 * join: before that its mounts and hostname are half made. */
	wait_for_exec(&c);
	mark_running(&c);
	if (c.detach)
		report_started(&c);
	if (c.tty)
		use_raw_mode();
	status = wait_forwarding_signals(pid, &set, c.tty ? &c.term : NULL);
	if (c.veth)
		remove_veth(&c);
	overlay_remove(&c.overlay, false);
	cgroup_destroy(&c.cgroup);
	if (c.detach)
		record_exit(&c, status);
	else
		state_remove(&c.state);
	/* c dies with main's frame; the atexit handler runs after it. */
	exit_container = NULL;
	return status;
}
