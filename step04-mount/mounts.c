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
#include "mounts.h"
#include "options.h"

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
			       "(inside Docker: --privileged) and, in a user namespace, a fully "
			       "visible /proc mounted already (Docker's is masked)",
			       "mount(\"proc\", \"/proc\")");
	trace("mount(\"proc\", \"/proc\", \"proc\", MS_NOSUID|MS_NODEV|MS_NOEXEC) = 0");
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
void setup_mounts(const struct container *c)
{
	set_propagation(c->propagation);
	if (c->propagation == MS_SHARED)
		keep_mount_local("/proc");
	mount_proc();
	if (c->propagation == MS_SHARED)
		keep_mount_local("/tmp");
	mount_tmp();
	for (size_t i = 0; i < c->nvolumes; i++)
		mount_volume(&c->volumes[i], c->propagation);
}

/* A volume whose host path is missing is an error before anything is
 * created. (The child opens it again for real, see open_volumes.) */
void check_volumes(const struct container *c)
{
	struct stat st;

	for (size_t i = 0; i < c->nvolumes; i++) {
		const struct volume *v = &c->volumes[i];

		if (stat(v->host, &st) < 0)
			die_errno("--volume %s:%s: host path %s", v->host, v->target, v->host);
	}
}
