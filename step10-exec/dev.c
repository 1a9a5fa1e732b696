/*
 * dev.c — the container's /dev.
 *
 * Until step07 the container used the host's /dev: every disk, every
 * terminal, /dev/mem. A container gets a /dev of its own instead, a small
 * tmpfs holding only what programs expect to find, as runc and crun make
 * it (the list is docker's):
 *
 *   null zero full random urandom tty    character devices (mknod, or
 *                                        bound from the host, see below)
 *   pts/     a devpts of its own (newinstance): its ptys are the
 *            container's, numbered from 0, none of the host's in sight
 *   ptmx     -> pts/ptmx, the multiplexer of that devpts
 *   shm/     a tmpfs for POSIX shared memory (shm_open)
 *   mqueue/  the POSIX message queues of our IPC namespace
 *   fd stdin stdout stderr  -> /proc/self/fd/...
 *
 * Never the host's devtmpfs: it is one file system for the whole machine,
 * and a node made in it appears on the host. The device cgroup (step07)
 * still decides which nodes may be opened; this decides which exist.
 *
 * Real root makes nodes with mknod(2). Inside a user namespace mknod of a
 * device is refused (EPERM): a node is a door to the device whatever
 * namespace made it, and only the host's root may make doors. There, an
 * empty file is made and the host's node is bind-mounted onto it, as
 * runc's bindMountDeviceNode does.
 *
 * Brought by step08; called by mounts.c (setup_mounts); from step10 also
 * by oci.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common.h"
#include "dev.h"
#include "rootfs.h"

static const struct dev_node standard_nodes[] = {
	{ .name = "null", .type = 'c', .major = 1, .minor = 3 },
	{ .name = "zero", .type = 'c', .major = 1, .minor = 5 },
	{ .name = "full", .type = 'c', .major = 1, .minor = 7 },
	{ .name = "random", .type = 'c', .major = 1, .minor = 8 },
	{ .name = "urandom", .type = 'c', .major = 1, .minor = 9 },
	{ .name = "tty", .type = 'c', .major = 5, .minor = 0 },
};

static const struct {
	const char *name, *target;
} links[] = {
	{ "ptmx", "pts/ptmx" },		 { "fd", "/proc/self/fd" },
	{ "stdin", "/proc/self/fd/0" },	 { "stdout", "/proc/self/fd/1" },
	{ "stderr", "/proc/self/fd/2" },
};

/* A file system of its own on DIR (a directory made in /dev). */
static void mount_in_dev(int dev, const char *dir, mode_t mode, const char *fstype,
			 const char *const options[], uint64_t attrs)
{
	const char *call;
	int target, mnt;

	if (mkdirat(dev, dir, mode) < 0)
		die_errno("mkdirat(/dev, \"%s\")", dir);
	target = openat(dev, dir, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
	if (target < 0)
		die_errno("open(\"/dev/%s\")", dir);
	mnt = rootfs_mount_fs(fstype, options, attrs, target, &call);
	if (mnt < 0 && strcmp(fstype, "mqueue") == 0)
		die_errno_hint("mqueue takes the IPC namespace of whoever mounts it: it needs "
			       "one of our own (CLONE_NEWIPC)",
			       "%s(\"mqueue\") on /dev/%s", call, dir);
	if (mnt < 0)
		die_errno("%s(\"%s\") on /dev/%s", call, fstype, dir);
	trace("fsopen(\"%s\"), fsmount, move_mount onto /dev/%s = 0", fstype, dir);
	close(mnt);
	close(target);
}

/*
 * The directory a node's NAME is in, made if missing ("net" for
 * "net/tun", as podman's --privileged lists them), each piece opened
 * with O_NOFOLLOW under the one before; *BASE is the last name.
 */
static int node_parent(int dev, const char *name, const char **base)
{
	char part[PATH_MAX];
	const char *slash;
	int dir = fcntl(dev, F_DUPFD_CLOEXEC, 0), next;

	if (dir < 0)
		die_errno("fcntl(/dev, F_DUPFD)");
	while ((slash = strchr(name, '/'))) {
		snprintf(part, sizeof(part), "%.*s", (int)(slash - name), name);
		if (mkdirat(dir, part, 0755) < 0 && errno != EEXIST)
			die_errno("mkdirat(/dev, \"%s\")", part);
		next = openat(dir, part, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0)
			die_errno("open /dev/.../%s", part);
		close(dir);
		dir = next;
		name = slash + 1;
	}
	*base = name;
	return dir;
}

/* mknod: a new node for MAJOR:MINOR, mode 0666 (umask aside) unless N
 * says otherwise, owned by N's uid and gid. */
static void make_node(int dev, const struct dev_node *n)
{
	mode_t type = n->type == 'b' ? S_IFBLK : n->type == 'p' ? S_IFIFO : S_IFCHR;
	mode_t mode = n->mode ? n->mode & 07777 : 0666;
	const char *base;
	int dir = node_parent(dev, n->name, &base);

	if (mknodat(dir, base, type | mode, makedev(n->major, n->minor)) < 0) {
		if (errno == EPERM)
			die_errno_hint("mknod of a device needs CAP_MKNOD in the initial user "
				       "namespace, and the device cgroup's \"m\"; inside a user "
				       "namespace stepbox binds the host's nodes instead",
				       "mknodat(/dev, \"%s\", %c %u:%u)", n->name, n->type,
				       n->major, n->minor);
		die_errno("mknodat(/dev, \"%s\", %c %u:%u)", n->name, n->type, n->major, n->minor);
	}
	if (fchmodat(dir, base, mode, 0) < 0)
		die_errno("fchmodat(/dev/%s, %#o)", n->name, mode);
	if ((n->uid || n->gid) && fchownat(dir, base, n->uid, n->gid, AT_SYMLINK_NOFOLLOW) < 0)
		die_errno("fchownat(/dev/%s, %u, %u)", n->name, n->uid, n->gid);
	trace("mknodat(/dev, \"%s\", S_IF%s|%#o, %u:%u) = 0", n->name,
	      n->type == 'b'   ? "BLK"
	      : n->type == 'p' ? "IFO"
			       : "CHR",
	      mode, n->major, n->minor);
	close(dir);
}

/* In a user namespace: an empty file, and the host's node bound onto it.
 * The host's node is copied (open_tree) by its path on the host, still in
 * sight here: we have not pivoted yet. It must be the device we mean. */
static void bind_node(int dev, const struct dev_node *n)
{
	char host[PATH_MAX];
	const char *base;
	struct stat st;
	int file, target, tree, dir;

	snprintf(host, sizeof(host), "/dev/%s", n->name);
	tree = open_tree(AT_FDCWD, host, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		die_errno("open_tree(\"%s\" on the host, OPEN_TREE_CLONE)", host);
	if (fstat(tree, &st) < 0)
		die_errno("fstat(\"%s\" on the host)", host);
	if (!(S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) || major(st.st_rdev) != n->major ||
	    minor(st.st_rdev) != n->minor)
		die("%s on the host is not the device %c %u:%u", host, n->type, n->major, n->minor);
	dir = node_parent(dev, n->name, &base);
	file = openat(dir, base, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (file < 0)
		die_errno("openat(/dev, \"%s\", O_CREAT|O_EXCL)", n->name);
	close(file);
	target = openat(dir, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0)
		die_errno("open(\"/dev/%s\")", n->name);
	if (move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		die_errno("move_mount(host %s onto /dev/%s)", host, n->name);
	trace("open_tree(\"%s\"), move_mount onto /dev/%s = 0", host, n->name);
	close(target);
	close(tree);
	close(dir);
}

/* The standard nodes and EXTRA, each unless it is there already. */
static void make_nodes(int dev, bool mknod, const struct dev_node *extra, size_t nextra)
{
	struct stat st;

	for (size_t i = 0; i < sizeof(standard_nodes) / sizeof(standard_nodes[0]); i++)
		if (fstatat(dev, standard_nodes[i].name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			(mknod ? make_node : bind_node)(dev, &standard_nodes[i]);
	for (size_t i = 0; i < nextra; i++) {
		/* --device /dev/null asks only for what is there already. */
		if (fstatat(dev, extra[i].name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			continue;
		/* A FIFO is no door to a device: a user namespace may make one. */
		(mknod || extra[i].type == 'p' ? make_node : bind_node)(dev, &extra[i]);
	}
}

static void make_links(int dev)
{
	struct stat st;

	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		if (fstatat(dev, links[i].name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			continue;
		if (symlinkat(links[i].target, dev, links[i].name) < 0)
			die_errno("symlinkat(\"%s\", /dev/%s)", links[i].target, links[i].name);
		trace("symlinkat(\"%s\", /dev/%s) = 0", links[i].target, links[i].name);
	}
}

/* An OCI config mounts /dev and its file systems itself (oci.c): only
 * the nodes and links go in. */
void dev_populate(int root, bool mknod, const struct dev_node *extra, size_t nextra)
{
	int dev = rootfs_open_at(root, "/dev");

	if (dev < 0)
		die_errno("open(\"/dev\") inside the rootfs");
	make_nodes(dev, mknod, extra, nextra);
	make_links(dev);
	close(dev);
}

void dev_setup(int root, bool mknod, const struct dev_node *extra, size_t nextra)
{
	static const char *const dev_options[] = { "mode=755", "size=65536k", NULL };
	static const char *const pts_options[] = { "newinstance", "ptmxmode=0666", "mode=0620",
						   NULL };
	static const char *const shm_options[] = { "mode=1777", "size=65536k", NULL };
	const char *call;
	struct stat st;
	int target, dev;

	target = rootfs_path_at(root, "/dev", ROOTFS_MKDIR);
	if (target < 0)
		die_errno("open(\"/dev\") inside the rootfs");
	if (fstat(target, &st) < 0)
		die_errno("fstat(\"/dev\")");
	if (!S_ISDIR(st.st_mode))
		die("/dev in the rootfs is not a directory");
	/* The fd fsmount gives is the root of the new tmpfs: the nodes go
	 * there through it, with no lookup of "/dev" by name again. */
	dev = rootfs_mount_fs("tmpfs", dev_options, MOUNT_ATTR_NOSUID | MOUNT_ATTR_STRICTATIME,
			      target, &call);
	if (dev < 0)
		die_errno("%s(\"tmpfs\") on /dev", call);
	trace("fsopen(\"tmpfs\"), fsconfig(mode=755, size=65536k), fsmount(MOUNT_ATTR_NOSUID), "
	      "move_mount onto /dev (found by %s) = 0",
	      rootfs_resolver());
	close(target);

	make_nodes(dev, mknod, extra, nextra);

	/* A devpts of our own: newinstance (the default since 4.7, written
	 * for the older ones); ptmxmode=0666 lets anyone open its ptmx, which
	 * would otherwise be 0000; mode=0620 for the ttys it makes. */
	mount_in_dev(dev, "pts", 0755, "devpts", pts_options,
		     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
	mount_in_dev(dev, "shm", 01777, "tmpfs", shm_options,
		     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	mount_in_dev(dev, "mqueue", 0755, "mqueue", NULL,
		     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	make_links(dev);
	close(dev);
}
