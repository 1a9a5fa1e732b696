/*
 * rootfs.h — the container's own root filesystem (rootfs.c): paths inside
 * it resolved inside it, file systems mounted onto handles, pivot_root.
 */
#ifndef STEPBOX_ROOTFS_H
#define STEPBOX_ROOTFS_H

#include <stdbool.h>
#include <stdint.h>

/* What rootfs_path_at creates when the path (or part of it) is missing. */
enum rootfs_create {
	ROOTFS_NO_CREATE, /* nothing: ENOENT */
	ROOTFS_MKDIR,	  /* directories, the last one included */
	ROOTFS_MKFILE,	  /* directories, then an empty file last */
};

/*
 * Open PATH (absolute or not, it makes no difference) inside the tree
 * whose root is ROOT, as if ROOT were "/": "..", absolute symbolic links
 * and relative ones with ".." all stop at ROOT. Returns an O_PATH fd, or
 * -1 with errno. openat2(RESOLVE_IN_ROOT) when the kernel has it (5.6),
 * else a walk of our own, one component at a time with O_NOFOLLOW.
 */
int rootfs_open_at(int root, const char *path);
/* The same, creating what is missing as CREATE says, mode 0755 (0644
 * for a file), each piece looked up again inside ROOT after it is made. */
int rootfs_path_at(int root, const char *path, enum rootfs_create create);
/*
 * chdir to PATH resolved inside our own root ("/", the container's once
 * we are in its mount namespace): never chdir(2) on the name, where
 * "/proc/self/fd/N" would be whatever our fd N is, and an fd of the
 * host's open at that moment (a cgroup directory, the bundle) would put
 * the command in a host directory whose ".." leads to the host's /
 * (runc's CVE-2024-21626). A magic link is refused. WHAT names the
 * option or field for the error. Dies (125) on failure.
 */
void rootfs_chdir(const char *path, const char *what);
/* rootfs_chdir in two halves, for a process whose seccomp filter comes
 * between: the directory opened while openat2 is still allowed, the
 * fchdir (which a profile allows where it allows chdir) after the filter
 * and the user change, so that the user's own search permission is what
 * fchdir checks. */
int rootfs_open_dir(const char *path, const char *what);
void rootfs_fchdir(int fd, const char *path, const char *what);
/* Which resolver rootfs_open_at used last: "openat2" or "walk". */
const char *rootfs_resolver(void);
/* Use the walk even where openat2 exists (STEPBOX_RESOLVE=walk: the
 * lesson's way to watch the fallback, and the tests' way to test it). */
void rootfs_force_walk(bool on);

/*
 * A new file system of type FSTYPE (fsopen, fsconfig, fsmount) attached
 * onto the directory TARGET (an fd from rootfs_path_at) with move_mount:
 * no path is looked up again. OPTIONS are "key=value" or "flag" strings,
 * NULL-terminated; ATTRS are MOUNT_ATTR_* flags. Returns an O_PATH fd of
 * the new mount's root, or -1 with errno; *CALL names the call that
 * failed.
 */
int rootfs_mount_fs(const char *fstype, const char *const options[], uint64_t attrs, int target,
		    const char **call);
/* The same, attached nowhere yet (the fd fsmount gives); SOURCE is what
 * mountinfo shows (NULL: FSTYPE). */
int rootfs_new_fs(const char *fstype, const char *source, const char *const options[],
		  uint64_t attrs, const char **call);

/*
 * A detached mount TREE (open_tree(OPEN_TREE_CLONE) or rootfs_new_fs)
 * given ATTR first (mount_setattr, AT_RECURSIVE in AT_FLAGS for the
 * mounts below too), then attached onto TARGET by move_mount. Returns 0,
 * or -1 with errno and *CALL naming the call that failed.
 */
struct mount_attr;
int rootfs_attach(int tree, const struct mount_attr *attr, unsigned at_flags, int target,
		  const char **call);

/* The mount holding FD (the root of the mount it is on) made a
 * slave or private (PROPAGATION): what is attached below it no longer
 * reaches the host's peers. */
void keep_mount_local(int fd, unsigned long propagation, const char *what);

/* The tree at OURS (found by name in our mount namespace, checked to be
 * WANT) bound onto itself, PROPAGATION on each mount of the copy: the
 * mount point pivot_root wants. Returns the copy's fd; dies on failure. */
int rootfs_bind_self(int ours, int want, unsigned long propagation, const char *what);

/*
 * pivot_root(".", ".") in the directory ROOT: ROOT becomes "/", the old
 * root is stacked on top of it, made private so that its unmounting
 * travels nowhere, and detached (MNT_DETACH). Dies (125) on failure,
 * with the classic causes of EINVAL and EBUSY.
 */
void rootfs_pivot(int root);

#endif
