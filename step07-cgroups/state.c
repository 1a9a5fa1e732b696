/*
 * state.c — the container's ID, and a state directory it holds by a lock.
 *
 * Something the runtime leaves behind (a cgroup, from step09 overlay
 * directories) must be told apart from something still in use. Asking "is
 * pid N alive, and is it called run?" gets that wrong: pids are reused, a
 * binary is renamed or copied, a runtime in another PID namespace has
 * other pids. So every container gets an ID, 12 random hex digits (the
 * short form docker shows), and a directory /run/stepbox/<id>/ with a file
 * "lock" that the runtime holds flock(LOCK_EX) for the container's whole
 * life. The kernel drops a flock when the last fd on it is closed, which
 * happens when the runtime exits in any way, kill -9 included. So:
 *
 *   still in use  <=>  somebody holds its lock  <=>  flock(LOCK_NB) fails
 *
 * Directories are made and removed under one more lock, /run/stepbox/.lock,
 * so that a cleanup never meets a state directory between its mkdir and
 * its flock.
 *
 * Brought by step07; called by main.c (the ID and its directory) and
 * cgroup.c (what is stale); from step10 also by options.c (--name),
 * monitor.c (the record), exec.c, commands.c and oci.c.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "state.h"

#define STATE_ROOT "/run/stepbox"

/* /run/stepbox/.lock, held while directories are made or removed. */
static int lock_tree(void)
{
	int fd;

	if (mkdir(STATE_ROOT, 0700) < 0 && errno != EEXIST)
		die_errno("mkdir %s", STATE_ROOT);
	fd = open(STATE_ROOT "/.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		die_errno("open %s/.lock", STATE_ROOT);
	if (flock(fd, LOCK_EX) < 0)
		die_errno("flock %s/.lock", STATE_ROOT);
	return fd;
}

static void new_id(char id[STATE_ID_LEN + 1])
{
	unsigned char bytes[STATE_ID_LEN / 2];

	if (getrandom(bytes, sizeof(bytes), 0) != (ssize_t)sizeof(bytes))
		die_errno("getrandom(%zu bytes)", sizeof(bytes));
	for (size_t i = 0; i < sizeof(bytes); i++)
		snprintf(id + 2 * i, 3, "%02x", bytes[i]);
}

void state_create(struct state *st)
{
	int tree = lock_tree();
	char lock[sizeof(st->dir) + 8];

	/* 48 random bits: a clash is unlikely, but mkdir would say so. */
	do {
		new_id(st->id);
		snprintf(st->dir, sizeof(st->dir), STATE_ROOT "/%s", st->id);
	} while (mkdir(st->dir, 0700) < 0 && errno == EEXIST);
	if (access(st->dir, F_OK) < 0)
		die_errno("mkdir %s", st->dir);
	snprintf(lock, sizeof(lock), "%s/lock", st->dir);
	/* O_CLOEXEC, and the child closes its copy: the lock is the
	 * runtime's, and must go when the runtime goes. */
	st->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (st->lock_fd < 0 || flock(st->lock_fd, LOCK_EX) < 0)
		die_errno("%s", lock);
	trace("mkdir %s, flock(%s/lock, LOCK_EX) = 0: container %s", st->dir, st->dir, st->id);
	close(tree);
}

/* Remove DIR's lock file and DIR. The tree lock must be held. */
static void remove_dir(const char *dir)
{
	char lock[PATH_MAX + 8];

	snprintf(lock, sizeof(lock), "%s/lock", dir);
	if (unlink(lock) < 0 && errno != ENOENT)
		warn_errno("unlink %s", lock);
	if (rmdir(dir) < 0)
		warn_errno("rmdir %s", dir);
	else
		trace("rmdir %s = 0", dir);
}

void state_remove(struct state *st)
{
	int tree;

	if (st->lock_fd < 0)
		return;
	tree = lock_tree();
	remove_dir(st->dir);
	close(st->lock_fd); /* the lock goes last: until here the dir is ours */
	st->lock_fd = -1;
	close(tree);
}

bool state_in_use(const char *id)
{
	char lock[PATH_MAX];
	bool in_use;
	int fd;

	snprintf(lock, sizeof(lock), STATE_ROOT "/%s/lock", id);
	fd = open(lock, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false; /* no state: made before the cgroup, so it is gone */
	in_use = flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	close(fd);
	return in_use;
}

void state_remove_stale(bool report)
{
	int tree = lock_tree();
	DIR *dir = opendir(STATE_ROOT);
	struct dirent *entry;

	if (!dir)
		die_errno("opendir %s", STATE_ROOT);
	while ((entry = readdir(dir))) {
		char path[PATH_MAX];

		if (entry->d_name[0] == '.' || entry->d_type != DT_DIR ||
		    state_in_use(entry->d_name))
			continue;
		snprintf(path, sizeof(path), STATE_ROOT "/%s", entry->d_name);
		remove_dir(path);
		if (report)
			printf("removed stale state %s\n", path);
	}
	/* /run/stepbox and its .lock stay, as /run/runc does: removing the
	 * lock file while a runtime waits on it would give the next one
	 * another file, and two runtimes would each hold "the" lock. */
	closedir(dir);
	close(tree);
}
