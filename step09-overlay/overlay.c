/*
 * overlay.c — the rootfs as the read-only lower layer of an overlayfs.
 *
 * Until step08 the container wrote its rootfs itself: two containers of
 * one image saw each other's files, and the image changed with every run.
 * An overlay mount shows several directory trees as one:
 *
 *   merged   what the container sees, and pivots into
 *   upper    where every change goes: a new file, a modified copy of a
 *            lower one ("copy-up": the whole file, on its first write),
 *            and for a deletion a "whiteout", a character device 0:0
 *            that hides the name below it
 *   work     overlay's scratch space, on the upper's file system: a
 *            copy-up is built here and renamed into upper, so that no one
 *            ever sees half a file
 *   lower    the image: the rootfs, and any --layer above it. Read, never
 *            written.
 *
 * Each run gets its own upper and work, in its state directory
 * /run/stepbox/<id>/layer, on a tmpfs: they are thrown away at exit, and
 * an overlay whose upper is on a disk file system syncs that file system
 * when it is unmounted (ovl_sync_fs), which costs a disk flush at every
 * container exit. With --keep they go on disk instead, in
 * /var/lib/stepbox/<id>, and the upper stays: the container's changes as
 * a directory, a layer that a later run can put under its own (--layer).
 *
 * Who mounts it. As root, the runtime mounts the overlay on the host,
 * before the container exists, as containerd's shim does for runc; the
 * child binds it and pivots into it as step08 did with the rootfs. An
 * ordinary user may not mount anything on the host: rootless, the child
 * mounts the tmpfs and the overlay itself, in the mount namespace of its
 * user namespace, which the kernel allows for overlayfs since Linux 5.11.
 *
 * Brought by step09; called by main.c (setup_overlay: the layer's
 * directories) and mounts.c (the mount); from step10 also by commands.c
 * (cleanup).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "common.h"
#include "overlay.h"
#include "rootfs.h"

#define OVERLAYFS_MAGIC 0x794c7630 /* what statfs(2) says for an overlay */
#define REMOVE_DEPTH	128	   /* directories deep, for remove_tree */

/* --- the directories -------------------------------------------------- */

/* mkdir -p, each missing component with MODE. 0 or -1. */
static int make_dirs(const char *path, mode_t mode)
{
	char part[PATH_MAX];

	for (const char *slash = strchr(path + 1, '/');; slash = strchr(slash + 1, '/')) {
		size_t len = slash ? (size_t)(slash - path) : strlen(path);

		snprintf(part, sizeof(part), "%.*s", (int)len, path);
		if (mkdir(part, mode) < 0 && errno != EEXIST)
			return -1;
		if (!slash)
			return 0;
	}
}

/*
 * Where --keep puts the layers that stay: on disk, beside what other
 * runtimes keep (/var/lib/docker, /var/lib/containerd), not under /run,
 * which is a tmpfs on most hosts and empty after a reboot. Rootless:
 * the user's data directory (XDG Base Directory), as rootless podman's
 * ~/.local/share/containers.
 */
static int keep_root(char *buf, size_t size)
{
	const char *data = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	int len;

	if (geteuid() == 0)
		len = snprintf(buf, size, "/var/lib/stepbox");
	else if (data && data[0] == '/')
		len = snprintf(buf, size, "%s/stepbox", data);
	else if (home && home[0] == '/')
		len = snprintf(buf, size, "%s/.local/share/stepbox", home);
	else
		return -1;
	return len < 0 || (size_t)len >= size ? -1 : 0;
}

void overlay_dirs(struct overlay *o, const char *state_dir, const char *id, bool keep)
{
	char root[PATH_MAX];
	int len;

	o->keep = keep;
	if (keep) {
		if (keep_root(root, sizeof(root)) < 0)
			die("--keep: $XDG_DATA_HOME or $HOME must be an absolute path (of a "
			    "reasonable length): nowhere to keep the layer");
		len = snprintf(o->layer, sizeof(o->layer), "%s/%s", root, id);
	} else {
		len = snprintf(o->layer, sizeof(o->layer), "%s/layer", state_dir);
	}
	if (len < 0 || (size_t)len >= sizeof(o->layer) ||
	    snprintf(o->merged, sizeof(o->merged), "%s/merged", state_dir) >=
		(int)sizeof(o->merged))
		die("%s: the path of the overlay's directories is too long", state_dir);
	if (keep && make_dirs(root, 0700) < 0)
		die_errno("--keep: mkdir -p %s", root);
	/* One that we did not make is not ours to remove at exit. */
	if (mkdir(o->layer, 0700) < 0) {
		int err = errno;

		snprintf(root, sizeof(root), "%s", o->layer);
		o->layer[0] = '\0';
		errno = err;
		die_errno("mkdir %s", root);
	}
	if (mkdir(o->merged, 0700) < 0) {
		int err = errno;

		snprintf(root, sizeof(root), "%s", o->merged);
		o->merged[0] = '\0';
		errno = err;
		die_errno("mkdir %s", root);
	}
	trace("mkdir %s, %s = 0", o->layer, o->merged);
}

/* A directory of the overlay, made in DIR (mode and owner set after
 * mkdir: the umask would otherwise have its say) and opened. */
static int make_layer_dir(int dir, const char *where, const char *name, mode_t mode, uid_t uid,
			  gid_t gid, bool chown)
{
	int fd;

	if (mkdirat(dir, name, 0700) < 0)
		die_errno("mkdirat(%s, \"%s\")", where, name);
	if (fchmodat(dir, name, mode, 0) < 0)
		die_errno("chmod %s/%s %o", where, name, (unsigned)mode);
	if (chown && fchownat(dir, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		die_errno("chown %s/%s %u:%u", where, name, (unsigned)uid, (unsigned)gid);
	fd = openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		die_errno("open %s/%s", where, name);
	if (chown)
		trace("mkdirat(%s, \"%s\", %04o), fchownat(%u:%u) = 0", where, name, (unsigned)mode,
		      (unsigned)uid, (unsigned)gid);
	else
		trace("mkdirat(%s, \"%s\", %04o) = 0", where, name, (unsigned)mode);
	return fd;
}

/* --- mounting the overlay ---------------------------------------------- */

/*
 * Linux 6.13 takes each layer as an fd: fsconfig(FSCONFIG_SET_FD) with
 * "lowerdir+" once per lower layer, top first, then "upperdir" and
 * "workdir". The kernel uses the directories the fds are; no name is
 * looked up, and none needs escaping (":" separates layers in a
 * lowerdir=A:B string, "," separates options). Returns 0, or -1 with
 * errno and *CALL set, and *UNSUPPORTED when the very first call said
 * EINVAL (6.5 to 6.12: "lowerdir+" takes a string, or does not exist)
 * or EOPNOTSUPP (before 6.5, whose overlayfs takes mount(2)'s option
 * string only): a kernel that takes no fd there.
 */
static int layers_by_fd(int fs, const struct overlay_lowers *lowers, int upper, int work,
			const char **call, bool *unsupported)
{
	for (size_t i = 0; i < lowers->n; i++) {
		*call = "fsconfig(FSCONFIG_SET_FD, \"lowerdir+\")";
		if (fsconfig(fs, FSCONFIG_SET_FD, "lowerdir+", NULL, lowers->fds[i]) < 0) {
			*unsupported = i == 0 && (errno == EINVAL || errno == EOPNOTSUPP);
			return -1;
		}
		trace("fsconfig(%d, FSCONFIG_SET_FD, \"lowerdir+\", %d (%s)) = 0", fs,
		      lowers->fds[i], lowers->names[i]);
	}
	*call = "fsconfig(FSCONFIG_SET_FD, \"upperdir\")";
	if (fsconfig(fs, FSCONFIG_SET_FD, "upperdir", NULL, upper) < 0)
		return -1;
	trace("fsconfig(%d, FSCONFIG_SET_FD, \"upperdir\", %d) = 0", fs, upper);
	*call = "fsconfig(FSCONFIG_SET_FD, \"workdir\")";
	if (fsconfig(fs, FSCONFIG_SET_FD, "workdir", NULL, work) < 0)
		return -1;
	trace("fsconfig(%d, FSCONFIG_SET_FD, \"workdir\", %d) = 0", fs, work);
	return 0;
}

/*
 * Before 6.13: the options are strings, lowerdir=A:B (top first), and
 * the kernel looks each path up. /proc/self/fd/N is a path that leads to
 * what fd N is, whatever names lie on the way, so the directories are
 * still the ones we opened. (mountinfo then shows these paths.)
 */
static int layers_by_path(int fs, const struct overlay_lowers *lowers, int upper, int work,
			  const char **call)
{
	char lowerdir[OVERLAY_MAX_LOWERS * 32] = "", path[32];
	size_t len = 0;

	for (size_t i = 0; i < lowers->n; i++)
		len += (size_t)snprintf(lowerdir + len, sizeof(lowerdir) - len,
					"%s/proc/self/fd/%d", i ? ":" : "", lowers->fds[i]);
	*call = "fsconfig(\"lowerdir\")";
	if (fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir", lowerdir, 0) < 0)
		return -1;
	trace("fsconfig(%d, FSCONFIG_SET_STRING, \"lowerdir\", \"%s\") = 0", fs, lowerdir);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", upper);
	*call = "fsconfig(\"upperdir\")";
	if (fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", path, 0) < 0)
		return -1;
	trace("fsconfig(%d, FSCONFIG_SET_STRING, \"upperdir\", \"%s\") = 0", fs, path);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", work);
	*call = "fsconfig(\"workdir\")";
	if (fsconfig(fs, FSCONFIG_SET_STRING, "workdir", path, 0) < 0)
		return -1;
	trace("fsconfig(%d, FSCONFIG_SET_STRING, \"workdir\", \"%s\") = 0", fs, path);
	return 0;
}

/* The kernel's own word on a failed fsconfig, if it left one in the
 * context's log ("e overlay: ..."): the last error line, in BUF. */
static const char *kernel_says(int fs, char *buf, size_t size)
{
	char line[512];
	ssize_t n;

	buf[0] = '\0';
	while (fs >= 0 && (n = read(fs, line, sizeof(line) - 1)) > 0) {
		line[n] = '\0';
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == 'e' && line[1] == ' ')
			snprintf(buf, size, "%s", line + 2);
	}
	return buf;
}

/*
 * The classic reasons for overlayfs's EINVAL, checked on the
 * directories themselves (the kernel says which in its log, dmesg, and
 * only sometimes to us): the hint for die_errno_hint. (A work directory
 * that is not empty is no EINVAL: see the ST_RDONLY check.)
 */
static const char *explain_einval(int upper, int work, bool userxattr)
{
	struct statfs sf;
	struct stat u, w;

	if (fstatfs(upper, &sf) == 0 && sf.f_type == OVERLAYFS_MAGIC)
		return "the upper directory is itself on an overlayfs (as / and /var/lib are "
		       "inside a Docker container): an upper layer must be on a file system "
		       "of its own, such as a tmpfs (stepbox's default, without --keep) or a "
		       "volume";
	if (fstat(upper, &u) == 0 && fstat(work, &w) == 0 && u.st_dev != w.st_dev)
		return "upper and work are on different file systems: overlayfs renames "
		       "finished copies from work into upper, and rename(2) cannot cross "
		       "file systems";
	if (userxattr)
		return "a kernel before 5.11 knows no \"userxattr\" and mounts no overlay in a "
		       "user namespace; see also: dmesg | grep overlayfs";
	return "overlayfs says why in the kernel log: dmesg | grep overlayfs";
}

static __attribute__((noreturn)) void die_mount(int fs, const char *call, const struct overlay *o,
						int upper, int work, bool userxattr)
{
	char said[512];
	int err = errno;

	kernel_says(fs, said, sizeof(said));
	errno = err;
	if (err == EINVAL)
		die_errno_hint(explain_einval(upper, work, userxattr),
			       "%s for the overlay on %s%s%s%s", call, o->merged,
			       said[0] ? " (the kernel says: " : "", said, said[0] ? ")" : "");
	if (err == EPERM && userxattr)
		die_errno_hint("overlayfs may be mounted inside a user namespace from Linux 5.11 "
			       "(Ubuntu's and Debian's kernels allowed it earlier): a newer "
			       "kernel, or run as root",
			       "%s for the overlay on %s", call, o->merged);
	if (err == ENODEV)
		die_errno_hint("this kernel has no overlayfs loaded: modprobe overlay",
			       "%s for the overlay on %s", call, o->merged);
	die_errno("%s for the overlay on %s%s%s%s", call, o->merged,
		  said[0] ? " (the kernel says: " : "", said, said[0] ? ")" : "");
}

/* A new overlay's context, whose source mountinfo shows as "overlay". */
static int open_overlay(const struct overlay *o, int upper, int work, bool userxattr)
{
	int fs = fsopen("overlay", FSOPEN_CLOEXEC);

	if (fs < 0)
		die_mount(-1, "fsopen(\"overlay\")", o, upper, work, userxattr);
	if (fsconfig(fs, FSCONFIG_SET_STRING, "source", "overlay", 0) < 0)
		die_mount(fs, "fsconfig(\"source\")", o, upper, work, userxattr);
	trace("fsopen(\"overlay\") = %d", fs);
	return fs;
}

void overlay_mount(struct overlay *o, const struct overlay_lowers *lowers, bool chown,
		   bool userxattr)
{
	static const char *const tmpfs_options[] = { "mode=700", NULL };
	const char *call, *where = o->layer;
	int layer, dir, upper, work, fs, mnt, merged;
	bool unsupported = false;
	struct stat top;
	struct statfs sf;

	layer = open(o->layer, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	merged = open(o->merged, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (layer < 0 || merged < 0)
		die_errno("open %s", layer < 0 ? o->layer : o->merged);
	dir = layer;
	if (!o->keep) {
		dir = rootfs_mount_fs("tmpfs", tmpfs_options, 0, layer, &call);
		if (dir < 0)
			die_errno("%s(\"tmpfs\") on %s", call, o->layer);
		o->tmpfs = true;
		trace("fsopen(\"tmpfs\"), fsconfig(mode=700), fsmount, move_mount onto %s = 0",
		      o->layer);
	}
	/* The upper layer's root is the merged tree's "/": the image's
	 * mode and owner, or "/" would change with the overlay. */
	if (fstat(lowers->fds[0], &top) < 0)
		die_errno("fstat %s", lowers->names[0]);
	upper =
	    make_layer_dir(dir, where, "upper", top.st_mode & 07777, top.st_uid, top.st_gid, chown);
	work = make_layer_dir(dir, where, "work", 0700, 0, 0, false);

	fs = open_overlay(o, upper, work, userxattr);
	if (layers_by_fd(fs, lowers, upper, work, &call, &unsupported) < 0) {
		if (!unsupported)
			die_mount(fs, call, o, upper, work, userxattr);
		trace("%s = -1 (%s): before Linux 6.13 layers are paths", call, strerror(errno));
		close(fs);
		fs = open_overlay(o, upper, work, userxattr);
		if (layers_by_path(fs, lowers, upper, work, &call) < 0)
			die_mount(fs, call, o, upper, work, userxattr);
	}
	/*
	 * overlayfs keeps notes in extended attributes of the upper layer:
	 * a directory removed and made again is "opaque" (nothing of the
	 * lower one shows through), a renamed directory has a "redirect".
	 * It writes them as trusted.overlay.*, which only the host's root
	 * may write. Inside a user namespace it may use user.overlay.*
	 * instead, which whoever may write the file may set: "userxattr"
	 * (5.11), with redirects off, as a user could forge one to any lower
	 * file.
	 */
	if (userxattr) {
		if (fsconfig(fs, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0)
			die_mount(fs, "fsconfig(\"userxattr\")", o, upper, work, userxattr);
		trace("fsconfig(%d, FSCONFIG_SET_FLAG, \"userxattr\") = 0", fs);
	}
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		die_mount(fs, "fsconfig(FSCONFIG_CMD_CREATE)", o, upper, work, userxattr);
	trace("fsconfig(%d, FSCONFIG_CMD_CREATE) = 0", fs);
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, 0);
	if (mnt < 0)
		die_mount(fs, "fsmount", o, upper, work, userxattr);
	/* A work directory the kernel cannot empty (work/work left with
	 * files in it) is no error: the overlay comes up read-only, and
	 * every write fails later with EROFS. Say it now. */
	if (fstatfs(mnt, &sf) < 0)
		die_errno("fstatfs(the overlay)");
	if (sf.f_flags & ST_RDONLY)
		die("the overlay on %s came up read-only: overlayfs could not empty %s/work/work "
		    "(dmesg: \"failed to create directory .../work\"); give it an empty work "
		    "directory",
		    o->merged, o->layer);
	if (move_mount(mnt, "", merged, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		die_errno("move_mount(the overlay, %s)", o->merged);
	o->mounted = true;
	o->root = mnt;
	trace("fsmount(%d) = %d, move_mount onto %s = 0", fs, mnt, o->merged);
	close(fs);
	close(upper);
	close(work);
	if (dir != layer)
		close(dir);
	close(layer);
	close(merged);
}

/* --- removing it -------------------------------------------------------- */

/*
 * rm -r NAME in PARENT, without following links; a directory we may not
 * read (overlayfs leaves work/work at mode 000) is given 0700 first.
 */
static int remove_tree(int parent, const char *name, int depth)
{
	struct dirent *entry;
	int fd, err = 0;
	DIR *dir;

	if (unlinkat(parent, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
		return 0;
	if (errno == ENOTDIR)
		return unlinkat(parent, name, 0);
	if ((errno != ENOTEMPTY && errno != EEXIST) || depth == 0)
		return -1;
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == EACCES && fchmodat(parent, name, 0700, 0) == 0)
		fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -1;
	}
	while ((entry = readdir(dir)))
		if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0 &&
		    remove_tree(dirfd(dir), entry->d_name, depth - 1) < 0)
			err = errno;
	closedir(dir);
	if (err) {
		errno = err;
		return -1;
	}
	return unlinkat(parent, name, AT_REMOVEDIR);
}

/* rm -r PATH, saying so; a missing PATH is no error. */
static void remove_path(const char *path)
{
	if (remove_tree(AT_FDCWD, path, REMOVE_DEPTH) < 0)
		warn_errno("rm -r %s", path);
	else
		trace("rm -r %s = 0", path);
}

/* umount PATH if something is mounted there. MNT_DETACH: whatever still
 * uses it keeps it until done, and the name is free now. */
static void unmount(const char *path)
{
	if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
		trace("umount2(\"%s\", MNT_DETACH) = 0", path);
	else if (errno != EINVAL && errno != ENOENT)
		warn_errno("umount2(\"%s\", MNT_DETACH)", path);
}

void overlay_remove(struct overlay *o, bool discard)
{
	char path[PATH_MAX + 8];

	/* The merged tree first: it holds the upper layer's file system. */
	if (o->mounted)
		unmount(o->merged);
	if (o->root >= 0)
		close(o->root);
	o->root = -1;
	o->mounted = false;
	if (o->tmpfs)
		unmount(o->layer); /* and the upper layer goes with its tmpfs */
	o->tmpfs = false;
	if (o->merged[0] && rmdir(o->merged) < 0 && errno != ENOENT)
		warn_errno("rmdir %s", o->merged);
	else if (o->merged[0])
		trace("rmdir %s = 0", o->merged);
	o->merged[0] = '\0';
	if (!o->layer[0])
		return;
	if (o->keep && !discard) {
		snprintf(path, sizeof(path), "%s/work", o->layer);
		remove_path(path);
		warn("--keep: the container's changes are in %s/upper (a layer: use it with "
		     "--layer)",
		     o->layer);
	} else if (o->keep) {
		remove_path(o->layer); /* the run failed: nothing worth keeping */
	} else if (rmdir(o->layer) < 0 && errno != ENOENT) {
		warn_errno("rmdir %s", o->layer);
	} else {
		trace("rmdir %s = 0", o->layer);
	}
	o->layer[0] = '\0';
}

/*
 * What a runtime killed with -9 left: as root, the overlay and its tmpfs
 * still mounted on the host (rootless, they were in the container's
 * mount namespace, which died with it), their mount points, and a kept
 * layer's work directory. The kept upper stays: it was asked for.
 */
void overlay_remove_stale(const char *dir, const char *id, bool report)
{
	char merged[PATH_MAX + 8], layer[PATH_MAX + 8], keep[PATH_MAX], work[PATH_MAX + 32];
	struct stat st;

	snprintf(merged, sizeof(merged), "%s/merged", dir);
	snprintf(layer, sizeof(layer), "%s/layer", dir);
	if (geteuid() == 0) {
		unmount(merged);
		unmount(layer);
	}
	if (rmdir(merged) == 0 && report)
		printf("removed stale overlay %s\n", merged);
	if (rmdir(layer) == 0 && report)
		printf("removed stale layer %s\n", layer);
	if (keep_root(keep, sizeof(keep)) < 0)
		return;
	snprintf(work, sizeof(work), "%s/%s/work", keep, id);
	if (lstat(work, &st) < 0)
		return;
	remove_path(work);
	if (report)
		printf("removed stale work directory %s (the upper layer beside it stays)\n", work);
}
