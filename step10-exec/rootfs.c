/*
 * rootfs.c — the container's root filesystem.
 *
 * From step08 the container sees a directory tree of its own (an image:
 * busybox, Alpine, anything unpacked) as "/", and not one file of the
 * host's. Three things make that so:
 *
 * Brought by step08; called by main.c (--rootfs, the command's lookup),
 * mounts.c and dev.c (every mount by fd); from step09 also by overlay.c,
 * from step10 by masks.c, exec.c, oci.c and process.c, and run and OCI
 * create bind their tree onto itself with the same rootfs_bind_self.
 *
 *   resolving paths inside the tree: the runtime mounts /proc, /dev, /sys,
 *     /tmp and the volumes at paths in the image, and whoever made the
 *     image chose what those paths are. "/proc" may be a symbolic link to
 *     "/etc" or to "../../../../home/you"; looked up the ordinary way, from
 *     the host, such a link leads out of the tree and the runtime mounts
 *     over a host directory. So every path in the tree is looked up as if
 *     the tree were "/" (rootfs_open_at), once, to an fd, and the mount
 *     goes onto that fd, never onto the name again (rootfs_mount_fs);
 *   mounting onto fds: the new mount API (fsopen, fsconfig, fsmount,
 *     move_mount; Linux 5.2) takes a target by fd;
 *   pivot_root: the tree becomes the root of the mount namespace and the
 *     host's root is unmounted from it. chroot(2) only changes where "/"
 *     starts for path lookups; the host's tree stays mounted and a
 *     process with CAP_SYS_CHROOT walks back out (tests/breakout).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"
#include "rootfs.h"

/* --- resolving a path inside the tree ------------------------------------ */

static bool force_walk;
static const char *last_resolver = "openat2";

void rootfs_force_walk(bool on)
{
	force_walk = on;
}

const char *rootfs_resolver(void)
{
	return last_resolver;
}

/*
 * openat2(2) (Linux 5.6) does it in the kernel. RESOLVE_IN_ROOT: ROOT is
 * "/" for this lookup, so ".." at ROOT stays at ROOT and an absolute link
 * starts again from ROOT (as chroot would, for this one call).
 * RESOLVE_NO_MAGICLINKS: no /proc/PID/fd/N or /proc/PID/root on the way,
 * links that lead wherever the kernel's object is, not along names.
 * EAGAIN: a rename or a mount elsewhere raced the lookup of a ".."; the
 * kernel would rather fail than guess, so we ask again.
 */
static int open_in_root(int root, const char *path)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd, tries = 0;

	do
		fd = (int)syscall(SYS_openat2, root, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN && ++tries < 16);
	return fd;
}

#define WALK_MAX_DEPTH 128 /* directories deep */
#define WALK_MAX_LINKS 40  /* links followed, as the kernel's ELOOP limit */

/*
 * Before 5.6: the same rules, by hand, as runc's securejoin did. One
 * component at a time, each opened with O_NOFOLLOW from the fd of the
 * directory before it, so the kernel never follows a link for us:
 *   "."   stays;
 *   ".."  goes back one directory we opened, and at ROOT stays at ROOT;
 *   a link is read (readlinkat) and its text put in front of what is left
 *         of the path: an absolute one starts over from ROOT;
 *   anything else is opened and becomes the directory we are in.
 * The stack of fds is the way back for "..": we never look up ".." in the
 * file system, where a directory moved out of the tree would lead out.
 * No kernel that can run this step takes this path by itself: from step
 * 08 every run needs mount_setattr (5.12, bind_rootfs). It is here to
 * show what securejoin does in user space; STEPBOX_RESOLVE=walk runs it,
 * and the tests hold it to openat2's answers.
 */
static int walk_in_root(int root, const char *path)
{
	int stack[WALK_MAX_DEPTH];
	size_t depth = 0, links = 0;
	char *rest = strdup(path), *todo = rest;
	int err = 0, result;

	if (!rest)
		return -1;
	stack[0] = fcntl(root, F_DUPFD_CLOEXEC, 0);
	if (stack[0] < 0) {
		free(rest);
		return -1;
	}
	for (;;) {
		char link[PATH_MAX], *name, *joined;
		struct stat st;
		ssize_t len;
		bool slash;
		int fd;

		while (*todo == '/')
			todo++;
		if (*todo == '\0')
			break;
		name = todo;
		todo += strcspn(todo, "/");
		slash = *todo == '/';
		if (slash)
			*todo++ = '\0';
		if (strcmp(name, ".") == 0)
			continue;
		if (strcmp(name, "..") == 0) {
			if (depth > 0)
				close(stack[depth--]);
			continue;
		}
		fd = openat(stack[depth], name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0) {
			err = errno;
			if (fd >= 0)
				close(fd);
			goto out;
		}
		if (S_ISLNK(st.st_mode)) {
			/* readlinkat with "" reads the link an O_PATH fd is. */
			len = readlinkat(fd, "", link, sizeof(link) - 1);
			err = len < 0 ? errno : ++links > WALK_MAX_LINKS ? ELOOP : 0;
			close(fd);
			if (err)
				goto out;
			link[len] = '\0';
			/* The link's text, then what followed it, if anything. */
			if (asprintf(&joined, "%s%s%s", link, slash ? "/" : "", todo) < 0) {
				err = ENOMEM;
				goto out;
			}
			free(rest);
			rest = todo = joined;
			if (link[0] == '/')
				while (depth > 0)
					close(stack[depth--]);
			continue;
		}
		/* Only a directory can have a "/" after it. */
		if (slash && !S_ISDIR(st.st_mode)) {
			close(fd);
			err = ENOTDIR;
			goto out;
		}
		if (depth + 1 == WALK_MAX_DEPTH) {
			close(fd);
			err = ENAMETOOLONG;
			goto out;
		}
		stack[++depth] = fd;
	}
	result = stack[depth];
	for (size_t i = 0; i < depth; i++)
		close(stack[i]);
	free(rest);
	return result;
out:
	for (size_t i = 0; i <= depth; i++)
		close(stack[i]);
	free(rest);
	errno = err;
	return -1;
}

int rootfs_open_at(int root, const char *path)
{
	int fd;

	if (!force_walk) {
		fd = open_in_root(root, path);
		if (fd >= 0 || errno != ENOSYS) {
			last_resolver = "openat2";
			return fd;
		}
	}
	last_resolver = "walk";
	return walk_in_root(root, path);
}

int rootfs_open_dir(const char *path, const char *what)
{
	int slash = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), fd;

	if (slash < 0)
		die_errno("open(\"/\") (%s)", what);
	fd = rootfs_open_at(slash, path);
	if (fd < 0)
		die_errno("%s: %s, resolved inside the container's root (no /proc/self/fd/N: "
			  "CVE-2024-21626)",
			  what, path);
	close(slash);
	return fd;
}

void rootfs_fchdir(int fd, const char *path, const char *what)
{
	if (fchdir(fd) < 0)
		die_errno("%s: fchdir(%s)", what, path);
	trace("openat2(\"/\", \"%s\", RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS), fchdir = 0", path);
	close(fd);
}

void rootfs_chdir(const char *path, const char *what)
{
	rootfs_fchdir(rootfs_open_dir(path, what), path, what);
}

/*
 * Walk PATH's prefixes: "/var", "/var/tmp", "/var/tmp/x". Each that is
 * missing is made (mkdirat, or an empty file for the last with
 * ROOTFS_MKFILE) in the directory its parent resolved to, by a name of
 * one component, which mkdirat and O_CREAT|O_EXCL never follow: a
 * dangling link there is EEXIST, not a file made wherever it points.
 * Then the prefix is resolved again inside ROOT, and so on.
 */
int rootfs_path_at(int root, const char *path, enum rootfs_create create)
{
	char prefix[PATH_MAX];
	size_t at = 0, len = strlen(path);
	int parent, fd;

	fd = rootfs_open_at(root, path);
	if (fd >= 0 || errno != ENOENT || create == ROOTFS_NO_CREATE)
		return fd;
	if (len >= sizeof(prefix)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	parent = fcntl(root, F_DUPFD_CLOEXEC, 0);
	if (parent < 0)
		return -1;
	for (;;) {
		size_t start, end;
		char name[NAME_MAX + 1];
		bool last;
		int made;

		while (at < len && path[at] == '/')
			at++;
		start = at;
		while (at < len && path[at] != '/')
			at++;
		end = at;
		if (start == end)
			break; /* only slashes were left: PATH itself exists now */
		memcpy(prefix, path, end);
		prefix[end] = '\0';
		last = strspn(path + end, "/") == len - end;
		fd = rootfs_open_at(root, prefix);
		if (fd < 0 && errno == ENOENT) {
			if (end - start > NAME_MAX) {
				close(parent);
				errno = ENAMETOOLONG;
				return -1;
			}
			memcpy(name, path + start, end - start);
			name[end - start] = '\0';
			if (last && create == ROOTFS_MKFILE) {
				made = openat(parent, name,
					      O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
					      0644);
				if (made >= 0)
					close(made);
			} else {
				made = mkdirat(parent, name, 0755);
			}
			if (made < 0) {
				close(parent);
				return -1;
			}
			trace("%s(\"%s\") inside the rootfs = 0",
			      last && create == ROOTFS_MKFILE ? "openat(O_CREAT|O_EXCL)"
							      : "mkdirat",
			      prefix);
			fd = rootfs_open_at(root, prefix);
		}
		close(parent);
		if (fd < 0 || last)
			return fd;
		parent = fd;
	}
	return parent;
}

/* --- mounting onto a handle ---------------------------------------------- */

/*
 * The new mount API splits mount(2) in steps: fsopen makes a file system
 * context, fsconfig gives it its options one by one and creates the
 * superblock, fsmount turns that into a mount attached nowhere (with its
 * MOUNT_ATTR_* flags), and move_mount attaches it where an fd points.
 */
int rootfs_new_fs(const char *fstype, const char *source, const char *const options[],
		  uint64_t attrs, const char **call)
{
	int fs, mnt = -1, err;

	*call = "fsopen";
	fs = fsopen(fstype, FSOPEN_CLOEXEC);
	if (fs < 0)
		return -1;
	/* What mountinfo shows as the source, as mount -t proc proc does. */
	*call = "fsconfig(source)";
	if (fsconfig(fs, FSCONFIG_SET_STRING, "source", source ? source : fstype, 0) < 0)
		goto fail;
	for (size_t i = 0; options && options[i]; i++) {
		char key[64];
		const char *eq = strchr(options[i], '=');

		*call = "fsconfig";
		if (!eq) {
			if (fsconfig(fs, FSCONFIG_SET_FLAG, options[i], NULL, 0) < 0)
				goto fail;
			continue;
		}
		snprintf(key, sizeof(key), "%.*s", (int)(eq - options[i]), options[i]);
		if (fsconfig(fs, FSCONFIG_SET_STRING, key, eq + 1, 0) < 0)
			goto fail;
	}
	*call = "fsconfig(FSCONFIG_CMD_CREATE)";
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		goto fail;
	*call = "fsmount";
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, (unsigned)attrs);
	if (mnt < 0)
		goto fail;
	close(fs);
	return mnt;
fail:
	err = errno;
	close(fs);
	errno = err;
	return -1;
}

int rootfs_mount_fs(const char *fstype, const char *const options[], uint64_t attrs, int target,
		    const char **call)
{
	int mnt = rootfs_new_fs(fstype, NULL, options, attrs, call), err;

	if (mnt < 0)
		return -1;
	*call = "move_mount";
	if (move_mount(mnt, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) <
	    0) {
		err = errno;
		close(mnt);
		errno = err;
		return -1;
	}
	return mnt;
}

/*
 * The attributes go on the mount while it is attached nowhere: no moment
 * at which it is writable, and no lookup of the target after the one
 * that opened TARGET, that a link swapped in between could send elsewhere
 * (runc's CVE-2021-30465 was a remount that looked its target up again).
 */
int rootfs_attach(int tree, const struct mount_attr *attr, unsigned at_flags, int target,
		  const char **call)
{
	*call = "mount_setattr";
	if ((attr->attr_set || attr->attr_clr || attr->propagation) &&
	    mount_setattr(tree, "", AT_EMPTY_PATH | at_flags, (struct mount_attr *)attr,
			  sizeof(*attr)) < 0)
		return -1;
	*call = "move_mount";
	return move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

/*
 * The tree at OURS, as our mount namespace has it, becomes a mount of its
 * own, bound onto itself: pivot_root wants a mount point for the new root
 * (EINVAL otherwise), and a mount of our own is one whose propagation we
 * choose. open_tree(OPEN_TREE_CLONE|AT_RECURSIVE) copies it, the mounts
 * below included (a bind, MS_BIND|MS_REC), PROPAGATION (private or slave)
 * goes on every mount of the copy, and move_mount attaches it onto OURS.
 * OURS was found by name: the fd opened before the namespaces existed
 * (WANT) is a mount of the parent's namespace, which open_tree refuses to
 * copy (EINVAL). So the copy is checked to be that same directory, or we
 * stop. From step10 both ways in come here: run's tree (mounts.c's
 * bind_rootfs) and OCI create's root.path (oci.c's bind_root).
 */
int rootfs_bind_self(int ours, int want, unsigned long propagation, const char *what)
{
	struct mount_attr attr = { .propagation = propagation };
	const char *name = propagation == MS_SLAVE ? "MS_SLAVE" : "MS_PRIVATE", *call;
	struct stat got, had;
	int tree =
	    open_tree(ours, "", AT_EMPTY_PATH | AT_RECURSIVE | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

	if (tree < 0)
		die_errno("%s: open_tree(OPEN_TREE_CLONE|AT_RECURSIVE)", what);
	if (fstat(tree, &got) < 0)
		die_errno("%s: fstat(the copy open_tree made)", what);
	if (fstat(want, &had) < 0)
		die_errno("%s: fstat(the tree as opened before the namespaces)", what);
	if (got.st_dev != had.st_dev || got.st_ino != had.st_ino)
		die("%s: no longer the tree opened before the namespaces were made", what);
	if (rootfs_attach(tree, &attr, AT_RECURSIVE, ours, &call) < 0) {
		if (strcmp(call, "mount_setattr") == 0)
			die_errno("%s: mount_setattr(%s)", what, name);
		die_errno("%s: move_mount onto itself", what);
	}
	trace("open_tree(\"%s\", OPEN_TREE_CLONE|AT_RECURSIVE), mount_setattr(%s), move_mount "
	      "onto itself = %d",
	      what, name, tree);
	return tree;
}

/* --- pivot_root ---------------------------------------------------------- */

/*
 * In shared mode the mounts we lay inside the container (/proc, /tmp, a
 * volume's target) must still stay ours. So the mount that holds the
 * directory FD becomes a slave (PROPAGATION; OCI's may ask private): it
 * receives from the host but sends nothing back. FD need not be a mount's
 * root, where mount_setattr wants one (EINVAL): we go up ("..") while
 * the mount ID (statx) stays the same, to the root of the mount that
 * holds it. For the rootfs that is
 * the host's mount that holds the tree (often "/" itself); for a
 * volume's target, the rootfs's own bind, a tmpfs of ours, or another
 * volume, shared with the host, that holds it.
 */
void keep_mount_local(int fd, unsigned long propagation, const char *what)
{
	struct mount_attr attr = { .propagation = propagation };
	const char *name = propagation == MS_SLAVE ? "MS_SLAVE" : "MS_PRIVATE";
	int dir = fcntl(fd, F_DUPFD_CLOEXEC, 0);

	if (dir < 0)
		die_errno("fcntl(F_DUPFD)");
	for (;;) {
		struct statx here, up;
		int parent = openat(dir, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);

		if (parent < 0)
			die_errno("open(\"%s/..\")", what);
		if (statx(dir, "", AT_EMPTY_PATH, STATX_MNT_ID | STATX_INO, &here) < 0 ||
		    statx(parent, "", AT_EMPTY_PATH, STATX_MNT_ID | STATX_INO, &up) < 0)
			die_errno("statx(\"%s\", STATX_MNT_ID)", what);
		if (here.stx_mnt_id != up.stx_mnt_id ||
		    (here.stx_ino == up.stx_ino && here.stx_dev_major == up.stx_dev_major &&
		     here.stx_dev_minor == up.stx_dev_minor)) {
			close(parent);
			break; /* DIR is the root of its mount (or of everything) */
		}
		close(dir);
		dir = parent;
	}
	if (mount_setattr(dir, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		die_errno("mount_setattr(the mount holding %s, %s)", what, name);
	trace("mount_setattr(the mount holding %s, %s) = 0", what, name);
	close(dir);
}

static int pivot_root(const char *new_root, const char *put_old)
{
	return (int)syscall(SYS_pivot_root, new_root, put_old);
}

/*
 * pivot_root(new_root, put_old) moves the current root mount to put_old
 * (a directory under new_root) and makes new_root the root. With "." for
 * both, the old root is stacked on the new one, on the same directory:
 * no directory in the image is needed for it, and umount2(".") right
 * after takes the top of the stack, the old root, away.
 */
void rootfs_pivot(int root)
{
	int old_root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (old_root < 0)
		die_errno("open(\"/\")");
	if (fchdir(root) < 0)
		die_errno("fchdir(rootfs)");
	if (pivot_root(".", ".") < 0) {
		if (errno == EINVAL)
			die_errno_hint(
			    "the new root must be a mount point (the rootfs is bound onto "
			    "itself first), neither it nor its parent mount may be "
			    "shared (\"/\" made private or slave first), and \"/\" "
			    "may not be the initramfs (there: MS_MOVE and chroot)",
			    "pivot_root(\".\", \".\")");
		if (errno == EBUSY)
			die_errno_hint("the new root is on the current root mount: bind it onto "
				       "itself first",
				       "pivot_root(\".\", \".\")");
		die_errno("pivot_root(\".\", \".\")");
	}
	trace("fchdir(rootfs), pivot_root(\".\", \".\") = 0");
	/* Our "." is now the old root, on top of the stack. The kernel does
	 * not promise that, so (as runc and crun) we go there by its fd. */
	if (fchdir(old_root) < 0)
		die_errno("fchdir(the old root)");
	close(old_root);
	/* The old root still holds the host's mounts, and some of them may
	 * be shared with the host: unmounting them would unmount the host's
	 * too. Private first, then nothing of the unmount travels. */
	if (mount(NULL, ".", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die_errno("mount(\".\" (the old root), MS_REC|MS_PRIVATE)");
	trace("mount(\".\" (the old root), MS_REC|MS_PRIVATE) = 0");
	/* MNT_DETACH: busy or not, it goes from our mount table now. */
	if (umount2(".", MNT_DETACH) < 0)
		die_errno("umount2(\".\" (the old root), MNT_DETACH)");
	trace("umount2(\".\" (the old root), MNT_DETACH) = 0");
	if (chdir("/") < 0)
		die_errno("chdir(\"/\")");
	trace("chdir(\"/\") = 0");
}
