/*
 * copy-where.c — lesson 04, exercise 2: where may a bind mount's copy be
 * made? One process plays both sides (unshare(CLONE_NEWNS) is what clone
 * does for the child): a detached copy made before the new namespace
 * attaches in it; an O_PATH fd of the old namespace's mount cannot be
 * copied from inside the new one (EINVAL: may_copy_tree() in the
 * kernel's fs/namespace.c).
 *
 *   cc -o /var/tmp/copy-where docs/demos/copy-where.c && sudo /var/tmp/copy-where
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

/* glibc 2.36 has the wrappers; older ones do not: the system calls. */
static int open_tree_(int dfd, const char *path, unsigned int flags)
{
	return (int)syscall(SYS_open_tree, dfd, path, flags);
}

static int move_mount_(int from, const char *from_path, int to, const char *to_path,
		       unsigned int flags)
{
	return (int)syscall(SYS_move_mount, from, from_path, to, to_path, flags);
}

int main(void)
{
	int copy = open_tree_(AT_FDCWD, "/var/tmp", OPEN_TREE_CLONE);
	int path = open("/var/tmp", O_PATH);
	char proc[64];
	int r;

	if (copy < 0 || path < 0 || unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		perror("setup");
		return 1;
	}
	r = move_mount_(copy, "", AT_FDCWD, "/mnt", MOVE_MOUNT_F_EMPTY_PATH);
	printf("move_mount(copy) = %d\n", r);
	r = open_tree_(path, "", OPEN_TREE_CLONE | AT_EMPTY_PATH);
	printf("open_tree(path, OPEN_TREE_CLONE) = %d %m\n", r);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", path);
	r = mount(proc, "/mnt", NULL, MS_BIND, NULL);
	printf("mount(%s, MS_BIND) = %d %m\n", proc, r);
	return 0;
}
