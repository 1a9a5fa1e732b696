/*
 * masks.c — masked and read-only paths in /proc and /sys.
 *
 * /proc and /sys are the container's own mounts (step03, step05), and
 * most of what they show is of its own namespaces. Not all: many files
 * are the one machine's, whatever namespace reads them, and some of those
 * are dangerous to a container:
 *
 *   /proc/kcore         the kernel's memory, as an ELF core file;
 *   /proc/keys          every key of the kernel keyrings it may view;
 *   /proc/timer_list, /proc/sched_debug, /proc/interrupts,
 *   /proc/latency_stats, /proc/timer_stats  the host's tasks, timers and
 *                       devices: addresses and names that help an attack;
 *   /proc/acpi, /proc/asound, /proc/scsi  hardware;
 *   /sys/firmware       the firmware's tables (ACPI, EFI variables);
 *   /sys/devices/virtual/powercap  energy counters, a side channel
 *                       (Platypus, CVE-2020-8694);
 *   /proc/sys           sysctls: some are per namespace, many are global
 *                       (vm.*, kernel.core_pattern, a way to run a
 *                       program as the host's root);
 *   /proc/sysrq-trigger one write reboots the machine;
 *   /proc/irq, /proc/bus, /proc/fs  hardware and file system knobs.
 *
 * The first group is masked: /dev/null bound over a file (reads give
 * nothing), an empty read-only tmpfs over a directory. The second is made
 * read-only: a read-only bind of each path onto itself (reads work,
 * writes fail with EROFS). These are docker's lists (moby
 * daemon/pkg/oci/defaults.go), which runc and crun apply as the OCI
 * config's maskedPaths and readonlyPaths.
 *
 * The container's root could undo a bind with umount, were it not for
 * the rest of step10: without CAP_SYS_ADMIN it cannot unmount, and the
 * seccomp filter refuses umount2 too.
 *
 * Every path is resolved inside the rootfs, to an fd, as in step08, and
 * each mount goes onto that fd: /proc may be a link in the image.
 *
 * Brought by step10; called by mounts.c (setup_mounts) and oci.c, before
 * pivot_root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common.h"
#include "masks.h"
#include "rootfs.h"

static const char *const masked_paths[] = {
	"/proc/acpi",
	"/proc/asound",
	"/proc/interrupts",
	"/proc/kcore",
	"/proc/keys",
	"/proc/latency_stats",
	"/proc/sched_debug",
	"/proc/scsi",
	"/proc/timer_list",
	"/proc/timer_stats",
	"/sys/devices/virtual/powercap",
	"/sys/firmware",
};

static const char *const readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

/* PATH inside ROOT, or -1 when this kernel has no such file (ENOENT). */
static int open_path(int root, const char *path)
{
	int fd = rootfs_open_at(root, path);

	if (fd < 0 && errno == ENOENT) {
		trace("%s: not in this kernel, nothing to do", path);
		return -1;
	}
	if (fd < 0)
		die_errno("open(\"%s\") inside the rootfs", path);
	return fd;
}

/*
 * A copy of the mount at FD (OPEN_TREE_CLONE, with what is mounted below
 * it), made read-only before it is attached anywhere, then attached onto
 * TARGET. The copy keeps proc's nosuid, nodev, noexec: where mount(2)
 * needs MS_BIND then a MS_REMOUNT that repeats every flag (runc's
 * readonlyPath reads them back with statfs), there is nothing to repeat.
 */
static void attach_readonly_copy(int fd, int target, const char *what)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	int tree =
	    open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);

	if (tree < 0)
		die_errno("open_tree(%s, OPEN_TREE_CLONE)", what);
	if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		die_errno("mount_setattr(%s, MOUNT_ATTR_RDONLY)", what);
	if (move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		die_errno("move_mount(%s)", what);
	close(tree);
}

static void make_readonly(int root, const char *path)
{
	int fd = open_path(root, path);

	if (fd < 0)
		return;
	attach_readonly_copy(fd, fd, path);
	trace("open_tree(\"%s\", OPEN_TREE_CLONE), mount_setattr(MOUNT_ATTR_RDONLY), move_mount "
	      "onto itself = 0",
	      path);
	close(fd);
}

/* The container's own /dev/null, checked to be the device 1:3: a mask
 * must read as nothing, not as whatever the image put there. */
static int open_dev_null(int root)
{
	struct stat st;
	int fd = rootfs_open_at(root, "/dev/null");

	if (fd < 0)
		die_errno("open(\"/dev/null\") inside the rootfs");
	if (fstat(fd, &st) < 0)
		die_errno("fstat(\"/dev/null\")");
	if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 || minor(st.st_rdev) != 3)
		die("/dev/null in the container is not the device c 1:3: cannot mask with it");
	return fd;
}

/* A directory: an empty tmpfs, read-only, one block and one inode at
 * most, as runc's maskDir. */
static void mask_dir(int target, const char *path)
{
	static const char *const options[] = { "nr_blocks=1", "nr_inodes=1", NULL };
	const char *call;
	int mnt = rootfs_mount_fs("tmpfs", options,
				  MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
				      MOUNT_ATTR_NOEXEC,
				  target, &call);

	if (mnt < 0)
		die_errno("%s(\"tmpfs\") on %s (to mask it)", call, path);
	trace("fsopen(\"tmpfs\"), fsmount(MOUNT_ATTR_RDONLY), move_mount onto %s (masked) = 0",
	      path);
	close(mnt);
}

static void mask(int root, int dev_null, const char *path)
{
	struct stat st;
	int fd = open_path(root, path);

	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0)
		die_errno("fstat(\"%s\")", path);
	if (S_ISDIR(st.st_mode)) {
		mask_dir(fd, path);
	} else {
		attach_readonly_copy(dev_null, fd, "/dev/null");
		trace("open_tree(\"/dev/null\", OPEN_TREE_CLONE), move_mount onto %s (masked) = 0",
		      path);
	}
	close(fd);
}

void masks_apply_paths(int root, const char *const masked[], size_t nmasked,
		       const char *const readonly[], size_t nreadonly)
{
	int dev_null = nmasked ? open_dev_null(root) : -1;

	for (size_t i = 0; i < nreadonly; i++)
		make_readonly(root, readonly[i]);
	for (size_t i = 0; i < nmasked; i++)
		mask(root, dev_null, masked[i]);
	if (dev_null >= 0)
		close(dev_null);
}

void masks_apply(int root)
{
	masks_apply_paths(root, masked_paths, sizeof(masked_paths) / sizeof(masked_paths[0]),
			  readonly_paths, sizeof(readonly_paths) / sizeof(readonly_paths[0]));
}
