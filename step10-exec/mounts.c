/*
 * mounts.c — the container's mount table: what it shares with the host
 * (propagation), a /proc of its own, and what it mounts over its tree:
 * /sys, /tmp, the volumes, and from step08 the root filesystem itself.
 *
 * Brought by step03, with the least a private /proc needs (a mount
 * namespace whose mounts no longer travel to the host's); step04 is the
 * lesson on mounts and makes it what it is; step08 mounts everything by
 * fd inside the rootfs and ends with pivot_root. main.c's child calls
 * setup_mounts (step03: make_mounts_private, mount_proc); the parent
 * calls check_volumes before clone.
 *
 *   sudo ./step04-mount/run -v -V /tmp:/mnt:ro -- cat /proc/self/mountinfo
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "container.h"
#include "dev.h"
#include "masks.h"
#include "mounts.h"
#include "options.h"
#include "overlay.h"
#include "rootfs.h"

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
 * The tree becomes a mount of its own, bound onto itself: pivot_root
 * wants a mount point for the new root, and a mount of our own is what
 * lets us choose its propagation (rootfs.c's rootfs_bind_self, which OCI
 * create's root.path goes through as well). From now on the fd of that
 * copy is the rootfs: the directory under it, the one the parent opened,
 * is out of sight below the mount.
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
	if (c->propagation == MS_SHARED)
		keep_rootfs_local(c);
	return rootfs_bind_self(c->merged_fd, c->overlay.root,
				c->propagation == MS_PRIVATE ? MS_PRIVATE : MS_SLAVE,
				c->overlay.merged);
}

/* The lower layers, top first: the --layer directories, then the rootfs. */
struct overlay_lowers lower_layers(const struct container *c)
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
void open_merged(struct container *c)
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
			       "(inside Docker: --privileged) and, in a user namespace, a fully "
			       "visible /proc mounted already (Docker's is masked)",
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
void open_volumes(struct container *c)
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
void setup_mounts(struct container *c)
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

/* A volume whose host path is missing is an error before anything is
 * created. (The child opens it again for real, see open_volumes.) Its
 * type says what to make in the rootfs when the target is missing. */
void check_volumes(struct container *c)
{
	struct stat st;

	for (size_t i = 0; i < c->nvolumes; i++) {
		struct volume *v = &c->volumes[i];

		if (stat(v->host, &st) < 0)
			die_errno("--volume %s:%s: host path %s", v->host, v->target, v->host);
		v->file = !S_ISDIR(st.st_mode);
	}
}
