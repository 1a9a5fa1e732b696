/*
 * oci.c — step 10 as an OCI runtime: the command line podman and
 * containerd drive runc with, answered by the code of steps 01-10.
 *
 * The chain above a runtime: podman (or containerd, for docker and
 * Kubernetes) prepares a bundle (a root filesystem it has mounted, and
 * config.json: spec.c), starts a monitor (conmon, containerd-shim), and
 * the monitor calls the runtime once per lifecycle step:
 *
 *   run create --bundle DIR --pid-file F [--console-socket S] ID
 *       everything is made (namespaces, cgroup, mounts, pivot_root,
 *       hardening), and the container's first process waits just before
 *       execve; F gets its pid. The runtime exits; the process stays.
 *   run start ID              it execs the command
 *   run state ID              the runtime-spec's JSON: created, running, stopped
 *   run kill [--all] ID SIG   a signal to it (or to its whole cgroup)
 *   run exec --process P.json [--detach] [--pid-file F] ID   one more process
 *   run delete [--force] ID   the cgroup and the state go
 *
 * Why create and start are two calls: in between the client does what
 * needs the container's namespaces to exist but nothing in them to run
 * yet. podman and Kubernetes wire the network there (CNI: a veth into
 * /proc/PID/ns/net), and the monitor learns the pid it will wait for.
 *
 * The runtime does not stay: `create` returns, and the first process is
 * reparented to the monitor, which made itself a child subreaper
 * (prctl(PR_SET_CHILD_SUBREAPER)) for that. The monitor of `run -d` in
 * main.c is the same job, done there because no monitor called us.
 *
 *   sudo podman --runtime $PWD/step10-exec/run --cgroup-manager=cgroupfs \
 *        run --rm --network=none localhost/stepbox:1 hostname
 *   sudo ctr run --rm --runc-binary $PWD/step10-exec/run localhost/stepbox:1 c1 hostname
 *
 * runc: create.go, start.go, state.go, kill.go, delete.go, exec.go, and
 * libcontainer/standard_init_linux.go (the waiting first process: its
 * exec.fifo). crun: src/crun.c and src/libcrun/container.c.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <json-c/json.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <linux/openat2.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "common.h"
#include "dev.h"
#include "masks.h"
#include "oci.h"
#include "rootfs.h"
#include "spec.h"
#include "state.h"

#define OCI_VERSION "1.0.2"
#define OCI_ROOT    "/run/stepbox-oci" /* runc's is /run/runc */
#define OCI_ID_MAX  128
/* The socket the first process waits on, in the container's state
 * directory, while it is "created". */
#define START_SOCKET "start"

extern char **environ;

static char oci_root[PATH_MAX] = OCI_ROOT;

/* --- the state directory: ROOT/ID/{state.json,config.json,start} ------- */

/* What we keep of a container between calls (state.json). */
struct oci_state {
	json_object *doc;
	pid_t pid;
	unsigned long long start_time;
	const char *bundle;
	struct cgroup cgroup;
	int dir; /* ROOT/ID, locked */
};

static const char *check_id(const char *id)
{
	size_t len = strlen(id);

	if (len == 0 || len > OCI_ID_MAX)
		return "an ID has 1 to 128 characters";
	if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return "an ID is not . or ..";
	for (size_t i = 0; i < len; i++)
		if (!(id[i] >= 'a' && id[i] <= 'z') && !(id[i] >= 'A' && id[i] <= 'Z') &&
		    !(id[i] >= '0' && id[i] <= '9') && !strchr("_+-.", id[i]))
			return "an ID has only letters, digits, '_', '+', '-' and '.'";
	return NULL;
}

/*
 * A state record is trusted only where nobody else could have written
 * it, as step10's own /run/stepbox: FD (--root, ROOT/ID or a state.json)
 * must be the caller's, with no permission for group or others. Else a
 * user who can write there names a host process's pid and start time
 * and any directory as "cgroups", and `kill --all` or `delete --force`,
 * run by root, kill that process and remove that directory.
 */
static void check_private(int fd, const char *what, const char *path)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		die_errno("fstat %s (%s)", path, what);
	if (st.st_uid != geteuid() || (st.st_mode & 077) != 0)
		die("%s %s: owned by uid %u with mode %04o; it must be the caller's (uid %u) and "
		    "mode %s, or anyone who can write there forges the state of containers",
		    what, path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777),
		    (unsigned)geteuid(), S_ISDIR(st.st_mode) ? "0700" : "0600");
}

/* ROOT, made 0700 if missing (state files name pids and cgroups), with
 * its parents (containerd names /run/containerd/runc/NAMESPACE); an
 * existing one must be ours and 0700 (check_private). */
static int open_root(bool make)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s", oci_root);
	for (char *slash = strchr(path + 1, '/'); make && slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(path, 0711) < 0 && errno != EEXIST)
			die_errno("mkdir %s (--root's parent)", path);
		*slash = '/';
	}
	if (make && mkdir(oci_root, 0700) < 0 && errno != EEXIST)
		die_errno("mkdir %s", oci_root);
	fd = open(oci_root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && !(errno == ENOENT && !make))
		die_errno("open %s (--root)", oci_root);
	if (fd >= 0)
		check_private(fd, "--root", oci_root);
	return fd;
}

/* ROOT/ID, locked: one runtime call at a time acts on a container. */
static int lock_container(int root, const char *id)
{
	int fd = openat(root, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT)
		die("container %s does not exist (in %s)", id, oci_root);
	if (fd < 0)
		die_errno("open %s/%s", oci_root, id);
	if (flock(fd, LOCK_EX) < 0)
		die_errno("flock %s/%s", oci_root, id);
	{
		char path[PATH_MAX + OCI_ID_MAX + 2];

		snprintf(path, sizeof(path), "%s/%s", oci_root, id);
		check_private(fd, "the state directory", path);
	}
	return fd;
}

/* Remove ROOT/ID and what is in it (no subdirectories). */
static void remove_state_dir(int root, const char *id)
{
	static const char *const files[] = { "state.json", "config.json", START_SOCKET,
					     "state.json.tmp" };
	int dir = openat(root, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (dir < 0)
		return;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (unlinkat(dir, files[i], 0) < 0 && errno != ENOENT)
			warn_errno("unlink %s/%s/%s", oci_root, id, files[i]);
	close(dir);
	if (unlinkat(root, id, AT_REMOVEDIR) < 0)
		warn_errno("rmdir %s/%s", oci_root, id);
	else
		trace("rmdir %s/%s = 0", oci_root, id);
}

static bool has_dotdot(const char *path);

static void load_state(int dir, const char *id, struct oci_state *st)
{
	json_object *v, *cgroups, *sb;
	int fd = openat(dir, "state.json", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	memset(st, 0, sizeof(*st));
	st->dir = dir;
	st->cgroup.fd = -1;
	if (fd < 0)
		die_errno("open %s/%s/state.json (a create that failed, or is still going)",
			  oci_root, id);
	{
		char path[PATH_MAX + OCI_ID_MAX + 16];

		snprintf(path, sizeof(path), "%s/%s/state.json", oci_root, id);
		check_private(fd, "the state record", path);
	}
	st->doc = json_object_from_fd(fd);
	close(fd);
	if (!st->doc)
		die("%s/%s/state.json: %s", oci_root, id, json_util_get_last_err());
	if (json_object_object_get_ex(st->doc, "pid", &v))
		st->pid = (pid_t)json_object_get_int(v);
	if (json_object_object_get_ex(st->doc, "bundle", &v))
		st->bundle = json_object_get_string(v);
	if (!json_object_object_get_ex(st->doc, "stepbox", &sb))
		die("%s/%s/state.json: not written by stepbox", oci_root, id);
	if (json_object_object_get_ex(sb, "startTime", &v))
		st->start_time = (unsigned long long)json_object_get_uint64(v);
	st->cgroup.layout = cgroup_detect();
	if (json_object_object_get_ex(sb, "cgroups", &cgroups))
		for (size_t i = 0; i < json_object_array_length(cgroups) && i < CGROUP_MAX_DIRS;
		     i++) {
			const char *dir =
			    json_object_get_string(json_object_array_get_idx(cgroups, i));

			/* kill --all signals its members, delete removes it:
			 * never a directory outside the cgroup tree. */
			if (!dir || strncmp(dir, "/sys/fs/cgroup/", 15) != 0 || has_dotdot(dir))
				die("%s/%s/state.json: stepbox.cgroups[%zu] %s is not a cgroup "
				    "below /sys/fs/cgroup",
				    oci_root, id, i, dir ? dir : "(null)");
			snprintf(st->cgroup.dirs[st->cgroup.ndirs++], PATH_MAX, "%s", dir);
		}
}

/* Written to a new file, then renamed: a reader sees the old or the new. */
static void save_state(int dir, json_object *doc, const char *id)
{
	const char *text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
	int fd = openat(dir, "state.json.tmp",
			O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || close(fd) < 0)
		die_errno("write %s/%s/state.json.tmp", oci_root, id);
	if (renameat(dir, "state.json.tmp", dir, "state.json") < 0)
		die_errno("rename %s/%s/state.json", oci_root, id);
}

/*
 * Is the container's first process alive, and still the one we started?
 * A pid is a name the kernel reuses: the start time in state.json must
 * match, and a zombie (exited, not yet reaped by the monitor) is stopped.
 * Returns a pidfd, or -1.
 */
static int open_init(const struct oci_state *st)
{
	char path[64], stat[512], *end;
	int pidfd;

	if (st->pid <= 0)
		return -1;
	pidfd = (int)syscall(SYS_pidfd_open, st->pid, 0);
	if (pidfd < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)st->pid);
	if (read_file(path, stat, sizeof(stat)) < 0 || !(end = strrchr(stat, ')')) ||
	    end[1] != ' ' || end[2] == 'Z' || end[2] == 'X' ||
	    proc_start_time(st->pid) != st->start_time) {
		close(pidfd);
		return -1;
	}
	return pidfd;
}

static bool is_created(const struct oci_state *st)
{
	return faccessat(st->dir, START_SOCKET, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

static const char *status_of(const struct oci_state *st)
{
	int pidfd = open_init(st);

	if (pidfd < 0)
		return "stopped";
	close(pidfd);
	if (is_created(st))
		return "created";
	if (st->cgroup.ndirs && cgroup_is_frozen(&st->cgroup))
		return "paused";
	return "running";
}

/* --- create: the first process, made and held before execve ------------ */

struct oci_container {
	const char *id;
	struct spec spec;
	int rootfs_fd;		    /* root.path, opened before anything else */
	char rootfs_path[PATH_MAX]; /* where that fd is, absolute */
	int console;		    /* --console-socket, connected; or -1 */
	int ns_fds[SPEC_NS_TYPES];  /* namespaces joined by path */
	int start_listen;	    /* the start socket, listening */
	int ready[2];		    /* the child says "R" when it waits for start */
	struct sync_pipe sync;
	void *seccomp;	    /* the filter, built and checked by the parent */
	int runtime_fds[3]; /* the bundle, --root, ROOT/ID (locked): not the child's */
	char **argv;
	struct cgroup cgroup;
	bool in_cgroup;
};

/*
 * Find a program as execvp would, in the container's PATH (its env, not
 * ours): create fails now, with the reason, rather than start later.
 */
static bool find_program(const char *name, char *const env[], char *full, size_t size)
{
	const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

	if (strchr(name, '/')) {
		snprintf(full, size, "%s", name);
		return access(full, X_OK) == 0;
	}
	for (size_t i = 0; env && env[i]; i++)
		if (strncmp(env[i], "PATH=", 5) == 0)
			path = env[i] + 5;
	while (*path) {
		size_t len = strcspn(path, ":");

		snprintf(full, size, "%.*s%s%s", (int)len, path, len ? "/" : "", name);
		if (access(full, X_OK) == 0)
			return true;
		path += len + (path[len] == ':');
	}
	return false;
}

/*
 * The command, with the container's environment. Every fd from 3 up is
 * marked close-on-exec, not closed: REPORT (close-on-exec) tells the
 * caller whether execve worked, by closing (it did) or by the errno
 * written to it (it did not). Nothing of ours crosses execve.
 */
static void exec_process(char **argv, char **env, int report) __attribute__((noreturn));
static void exec_process(char **argv, char **env, int report)
{
	char full[PATH_MAX];
	int err;

	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		die_errno("close_range(3, ~0U, CLOSE_RANGE_CLOEXEC)");
	trace("close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) = 0");
	if (!find_program(argv[0], env, full, sizeof(full)))
		errno = ENOENT;
	else
		execve(full, argv, env);
	err = errno;
	if (report >= 0 && write(report, &err, sizeof(err)) < 0)
		_exit(EXIT_NOEXEC);
	warn_errno("execve %s", argv[0]);
	_exit(err == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC);
}

/* --- mounts ------------------------------------------------------------- */

/*
 * Bind the rootfs onto itself: pivot_root wants a mount point. The copy
 * is recursive (a rootfs with mounts below it keeps them). The parent's
 * fd is a mount of the parent's namespace, which open_tree refuses to
 * copy (EINVAL): our copy is found by its path, then checked against the
 * fd (the same directory, or stop).
 */
static int bind_root(const struct oci_container *c)
{
	struct stat want, got;
	int ours = open(c->rootfs_path, O_PATH | O_DIRECTORY | O_CLOEXEC), tree;

	if (ours < 0 || fstat(ours, &got) < 0 || fstat(c->rootfs_fd, &want) < 0)
		die_errno("open %s (root.path) in our mount namespace", c->rootfs_path);
	if (got.st_dev != want.st_dev || got.st_ino != want.st_ino)
		die("%s (root.path) changed since create opened it", c->rootfs_path);
	tree =
	    open_tree(ours, "", AT_EMPTY_PATH | AT_RECURSIVE | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		die_errno("open_tree(%s, OPEN_TREE_CLONE|AT_RECURSIVE)", c->rootfs_path);
	if (move_mount(tree, "", ours, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		die_errno("move_mount(%s onto itself)", c->rootfs_path);
	trace("open_tree(\"%s\", OPEN_TREE_CLONE|AT_RECURSIVE), move_mount onto itself = %d",
	      c->rootfs_path, tree);
	close(ours);
	return tree;
}

/* The mount point of M in the rootfs, made if missing: a file for a
 * bind mount of a file, else a directory. Resolved inside ROOT, never
 * through a link out of it. */
static int mount_target(int root, const struct spec_mount *m)
{
	struct stat st;
	enum rootfs_create kind = ROOTFS_MKDIR;
	int fd;

	if (m->bind && stat(m->source, &st) == 0 && !S_ISDIR(st.st_mode))
		kind = ROOTFS_MKFILE;
	fd = rootfs_path_at(root, m->destination, kind);
	if (fd < 0)
		die_errno("mounts: %s inside the rootfs (made if missing, links resolved in it)",
			  m->destination);
	return fd;
}

/* /proc/self/fd/N: mount(2) given a path that is our fd, already resolved. */
static const char *fd_path(int fd, char *buf, size_t size)
{
	snprintf(buf, size, "/proc/self/fd/%d", fd);
	return buf;
}

/* cpu -> cpu,cpuacct: the host's links between co-mounted hierarchies. */
static void copy_cgroup_links(int tmpfs, const char *where)
{
	DIR *d = opendir("/sys/fs/cgroup");
	struct dirent *e;

	if (!d)
		die_errno("opendir /sys/fs/cgroup");
	while ((e = readdir(d))) {
		char path[PATH_MAX], target[NAME_MAX + 1];
		ssize_t n;

		if (e->d_type != DT_LNK)
			continue;
		snprintf(path, sizeof(path), "/sys/fs/cgroup/%s", e->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			die_errno("readlink %s", path);
		target[n] = '\0';
		if (symlinkat(target, tmpfs, e->d_name) < 0)
			die_errno("symlink %s/%s -> %s", where, e->d_name, target);
	}
	closedir(d);
}

/* /proc/self/cgroup as the first process read it before its cgroup
 * namespace: the host's paths of its cgroups, for mount_cgroup_v1 to
 * bind. Inside the namespace each reads "/", which from the runtime's
 * mount namespace is the host's root cgroup. */
static char *host_cgroups;

/*
 * The cgroup file system, as the container should see it. v2: cgroup2,
 * which (in the container's cgroup namespace) shows its own subtree. v1:
 * a tmpfs with one directory per hierarchy, each the container's own
 * cgroup bound there, as runc's mountCgroupV1 does.
 */
static void mount_cgroup_v1(int root, int target, const struct spec_mount *m)
{
	char *text =
	    host_cgroups ? strdup(host_cgroups) : read_file_alloc("/proc/self/cgroup", NULL);
	char *line, *save = NULL;
	char where[64], path[PATH_MAX + 64];
	int tmpfs;

	if (!text)
		die_errno("read /proc/self/cgroup");
	if (mount("tmpfs", fd_path(target, where, sizeof(where)), "tmpfs", m->flags & ~MS_RDONLY,
		  "mode=755") < 0)
		die_errno("mount tmpfs on %s", m->destination);
	/* The tmpfs, by the path again: TARGET is the directory below it. */
	tmpfs = rootfs_open_at(root, m->destination);
	if (tmpfs < 0)
		die_errno("open %s", m->destination);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *ctl = strchr(line, ':'), *cg = ctl ? strchr(ctl + 1, ':') : NULL;
		char name[128];
		struct stat st;
		int dir;

		if (!cg)
			continue;
		*cg++ = '\0';
		ctl++;
		if (!*ctl)
			continue; /* the v2 line of a hybrid host: not shown */
		snprintf(name, sizeof(name), "%s", strncmp(ctl, "name=", 5) ? ctl : ctl + 5);
		/*
		 * A hierarchy the kernel still has but nobody mounts (one that
		 * was mounted once and unmounted while it had cgroups, or is
		 * pinned) is listed in /proc/self/cgroup all the same: nothing
		 * to bind, so it is left out, as runc reads mountinfo instead.
		 */
		snprintf(path, sizeof(path), "/sys/fs/cgroup/%s", name);
		if (!v1_mounted(path, &st)) {
			trace("cgroup v1 hierarchy %s is not mounted at %s: left out", ctl, path);
			continue;
		}
		snprintf(path, sizeof(path), "/sys/fs/cgroup/%s%s", name, cg);
		if (mkdirat(tmpfs, name, 0755) < 0 || (dir = openat(tmpfs, name, O_PATH)) < 0)
			die_errno("mkdir %s/%s", m->destination, name);
		if (mount(path, fd_path(dir, where, sizeof(where)), NULL, MS_BIND | MS_REC, NULL) <
		    0)
			die_errno("bind %s on %s/%s", path, m->destination, name);
		close(dir);
		if ((dir = openat(tmpfs, name, O_PATH)) < 0)
			die_errno("open %s/%s", m->destination, name);
		fd_path(dir, where, sizeof(where));
		if (m->flags & MS_RDONLY &&
		    mount(NULL, where, NULL,
			  MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  NULL) < 0)
			die_errno("remount %s/%s read-only", m->destination, name);
		close(dir);
	}
	copy_cgroup_links(tmpfs, m->destination);
	if (m->flags & MS_RDONLY && mount(NULL, fd_path(tmpfs, where, sizeof(where)), NULL,
					  MS_BIND | MS_REMOUNT | MS_RDONLY |
					      (m->flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC)),
					  NULL) < 0)
		die_errno("remount %s read-only", m->destination);
	trace("mount tmpfs on %s, each v1 hierarchy's cgroup of ours bound in it", m->destination);
	close(tmpfs);
	free(text);
}

/*
 * One entry of "mounts". A bind mount copies a host path (resolved on
 * the host: the client named it there); anything else is a new file
 * system. Flags a bind mount cannot take at once (ro, nosuid) need a
 * second call, a remount of the new mount, found again by its path.
 */
static void mount_entry(int root, const struct spec_mount *m, size_t index)
{
	char where[64];
	int target = mount_target(root, m), top;
	const char *type = m->type;
	unsigned long flags = m->flags;
	struct statfs fs;

	/* spec.c refused a "destination" inside /proc by its name; a link in
	 * the rootfs may still lead into the procfs mounted before: the
	 * target is checked too (runc's checkProcMount, on the resolved path). */
	if (fstatfs(target, &fs) < 0)
		die_errno("mounts[%zu]: fstatfs %s", index, m->destination);
	if (fs.f_type == PROC_SUPER_MAGIC && !m->proc_ok)
		die("mounts[%zu]: \"destination\" %s leads inside /proc (a link in the rootfs): "
		    "refused, as runc's checkProcMount",
		    index, m->destination);
	fd_path(target, where, sizeof(where));
	if (type && strcmp(type, "cgroup") == 0 && cgroup_detect() != CGROUP_V2) {
		mount_cgroup_v1(root, target, m);
		close(target);
		return;
	}
	if (type && strcmp(type, "cgroup") == 0)
		type = "cgroup2";
	if (m->bind)
		flags = MS_BIND | (m->recursive ? MS_REC : 0);
	if (mount(m->bind ? m->source : (m->source ? m->source : type), where,
		  m->bind ? NULL : type, flags, m->bind || !m->data[0] ? NULL : m->data) < 0) {
		if (errno == EBUSY && type && strcmp(type, "sysfs") == 0)
			die_errno_hint("sysfs needs a network namespace of the container's own",
				       "mounts: mount %s on %s", type, m->destination);
		die_errno("mounts: mount %s %s on %s (options \"%s\")", m->bind ? "--bind" : type,
			  m->bind ? m->source : "", m->destination, m->data);
	}
	close(target);
	trace("mount(\"%s\", \"%s\", %s, %#lx, \"%s\") = 0", m->bind ? m->source : type,
	      m->destination, m->bind ? "bind" : type, flags, m->data);
	if (m->bind && (m->flags & ~MS_REC)) {
		top = rootfs_open_at(root, m->destination);
		if (top < 0 || mount(NULL, fd_path(top, where, sizeof(where)), NULL,
				     MS_BIND | MS_REMOUNT | m->flags, NULL) < 0)
			die_errno("mounts: remount %s with its flags (%#lx)", m->destination,
				  m->flags);
		close(top);
	}
	if (m->propagation) {
		top = rootfs_open_at(root, m->destination);
		if (top < 0 ||
		    mount(NULL, fd_path(top, where, sizeof(where)), NULL, m->propagation, NULL) < 0)
			die_errno("mounts: propagation of %s (%#lx)", m->destination,
				  m->propagation);
		close(top);
	}
}

/* /dev's nodes and links, if /dev is a tmpfs of ours (as podman and
 * containerd both ask): dev.c makes them, with mknod or (in a user
 * namespace) bound from the host. */
static void make_dev(int root, const struct oci_container *c)
{
	int dev = rootfs_open_at(root, "/dev");
	struct statfs fs;

	if (dev < 0 || fstatfs(dev, &fs) < 0)
		die_errno("open /dev in the rootfs");
	close(dev);
	if (fs.f_type != TMPFS_MAGIC) {
		trace("/dev is not a tmpfs of ours: no nodes made in it");
		return;
	}
	dev_populate(root, !(c->spec.clone_flags & CLONE_NEWUSER), c->spec.devices,
		     c->spec.ndevices);
}

/*
 * linux.sysctl, written through procfs handles, never by a path a mount
 * could have moved (runc's CVE-2025-52881: a bind mount over
 * /proc/sys/..., or a link, turned a write of the container's own
 * net.* sysctl into one of the host's global ones). /proc/sys is opened
 * once and checked to be procfs (PROC_SUPER_MAGIC); each key is resolved
 * from it by openat2 with RESOLVE_BENEATH (nothing outside it),
 * RESOLVE_NO_XDEV (no mount crossed: whatever is bound over a file or a
 * directory of it makes the lookup fail with EXDEV), RESOLVE_NO_SYMLINKS
 * and RESOLVE_NO_MAGICLINKS; the file opened is checked to be procfs
 * again. Which /proc instance it is does not matter: a net.* or IPC
 * sysctl is the namespace of the process that opens it, ours. spec.c has
 * refused every key that is not of a namespace of the container's own.
 */
static int open_sysctl(int dir, const char *base, const char *path, int flags, const char *key)
{
	struct open_how how = {
		/* (openat2 takes no other flag with O_PATH: EINVAL) */
		.flags = (uint64_t)flags | O_CLOEXEC | (flags & O_PATH ? 0 : O_NOCTTY),
		.resolve =
		    RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	struct statfs fs;
	int fd, tries = 0;

	do
		fd = (int)syscall(SYS_openat2, dir, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN && ++tries < 16);
	if (fd < 0)
		die_errno("linux.sysctl[\"%s\"]: openat2(%s, \"%s\", "
			  "RESOLVE_BENEATH|RESOLVE_NO_XDEV|RESOLVE_NO_SYMLINKS)%s",
			  key, base, path,
			  errno == EXDEV    ? " (something is mounted over it)"
			  : errno == ENOSYS ? " (openat2 is Linux 5.6's)"
					    : "");
	if (fstatfs(fd, &fs) < 0)
		die_errno("linux.sysctl[\"%s\"]: fstatfs %s/%s", key, base, path);
	if (fs.f_type != PROC_SUPER_MAGIC)
		die("linux.sysctl[\"%s\"]: %s/%s is not procfs (type %#lx): refused", key, base,
		    path, (unsigned long)fs.f_type);
	return fd;
}

static void write_sysctls(const struct spec *s)
{
	struct statfs fs;
	int proc, sys;

	if (!s->nsysctl)
		return;
	/* The container's /proc, just mounted from "mounts": a procfs. */
	proc = open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (proc < 0 || fstatfs(proc, &fs) < 0)
		die_errno("linux.sysctl: open /proc in the container");
	if (fs.f_type != PROC_SUPER_MAGIC)
		die("linux.sysctl: /proc in the container is not procfs (type %#lx; mounts has "
		    "no proc at /proc?): refused",
		    (unsigned long)fs.f_type);
	sys = open_sysctl(proc, "/proc", "sys", O_PATH | O_DIRECTORY, s->sysctl_keys[0]);
	close(proc);
	for (size_t i = 0; i < s->nsysctl; i++) {
		const char *value = s->sysctl_values[i];
		char path[PATH_MAX];
		size_t len = strlen(value);
		ssize_t n;
		int fd;

		/* spec.c took only names: no '/', no "..". */
		snprintf(path, sizeof(path), "%s", s->sysctl_keys[i]);
		for (char *p = path; *p; p++)
			if (*p == '.')
				*p = '/';
		fd = open_sysctl(sys, "/proc/sys", path, O_WRONLY, s->sysctl_keys[i]);
		do
			n = write(fd, value, len);
		while (n < 0 && errno == EINTR);
		if (n >= 0 && (size_t)n != len)
			errno = EIO;
		if (n < 0 || (size_t)n != len || close(fd) < 0)
			die_errno("linux.sysctl[\"%s\"]: write /proc/sys/%s \"%s\"",
				  s->sysctl_keys[i], path, value);
		trace(
		    "openat2(/proc/sys, \"%s\", RESOLVE_BENEATH|RESOLVE_NO_XDEV|...), write \"%s\"",
		    path, value);
	}
	close(sys);
}

static void setup_rootfs(struct oci_container *c)
{
	const struct spec *s = &c->spec;
	int root, slash;

	/* Nothing we mount may travel back to the host (step04). */
	if (mount(NULL, "/", NULL, s->rootfs_propagation, NULL) < 0)
		die_errno("mount(\"/\", linux.rootfsPropagation %#lx)", s->rootfs_propagation);
	trace("mount(\"/\", NULL, NULL, %#lx) = 0", s->rootfs_propagation);
	root = bind_root(c);
	for (size_t i = 0; i < s->nmounts; i++)
		mount_entry(root, &s->mounts[i], i);
	make_dev(root, c);
	rootfs_pivot(root);
	close(root);
	/* Before readonlyPaths makes /proc/sys read-only. */
	write_sysctls(s);
	slash = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (slash < 0)
		die_errno("open(\"/\")");
	masks_apply_paths(slash, s->masked, s->nmasked, s->readonly, s->nreadonly);
	close(slash);
	if (s->root_readonly) {
		if (mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
			die_errno("root.readonly: mount(\"/\", MS_BIND|MS_REMOUNT|MS_RDONLY)");
		trace("mount(\"/\", MS_BIND|MS_REMOUNT|MS_RDONLY) = 0 (root.readonly)");
	}
}

/* --- the terminal, sent to the client ------------------------------------ */

/* The master goes to the client over --console-socket (SCM_RIGHTS), as
 * runc's: podman's conmon and containerd's shim read and write it. */
static void send_console(int sock, int master)
{
	char name[] = "/dev/ptmx";
	union {
		struct cmsghdr header;
		char buf[CMSG_SPACE(sizeof(int))];
	} control = { 0 };
	struct iovec iov = { .iov_base = name, .iov_len = sizeof(name) - 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &master, sizeof(int));
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
		die_errno("sendmsg(--console-socket, SCM_RIGHTS)");
	trace("sendmsg(--console-socket, SCM_RIGHTS [%d]) = %zu", master, iov.iov_len);
}

/* A pty of the container's devpts: the slave is our stdin, stdout,
 * stderr and controlling terminal; the master goes to the client. */
static void open_console(int sock)
{
	char name[64];
	int master, slave, err;

	master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		die_errno("open(\"/dev/ptmx\") (process.terminal)");
	if (unlockpt(master) < 0)
		die_errno("unlockpt(/dev/ptmx)");
	err = ptsname_r(master, name, sizeof(name));
	if (err != 0) {
		errno = err;
		die_errno("ptsname(/dev/ptmx)");
	}
	slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		die_errno("open(\"%s\")", name);
	send_console(sock, master);
	close(master);
	close(sock);
	if (setsid() < 0 && errno != EPERM)
		die_errno("setsid");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		die_errno("ioctl(\"%s\", TIOCSCTTY)", name);
	for (int i = 0; i <= 2; i++)
		if (dup2(slave, i) < 0)
			die_errno("dup2(%s, %d)", name, i);
	close(slave);
	trace("%s is our terminal; its master went to the client", name);
}

/* --- who the process is: ids, capabilities, limits ---------------------- */

/*
 * process.user, then process.capabilities. setuid to a uid other than 0
 * clears the permitted set, unless PR_SET_KEEPCAPS says keep it; the sets
 * are then cut to what config.json lists. Inheritable stays empty
 * (spec.c refuses it: CVE-2022-24769).
 */
static void become_user(const struct spec_process *p)
{
	struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };

	/* The bounding set first: dropping from it takes CAP_SETPCAP, which
	 * a non-root uid has lost from its effective set. */
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (!(p->bounding & CAPS_BIT(cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 &&
		    errno != EINVAL)
			die_errno("prctl(PR_CAPBSET_DROP, %d)", cap);
	if (setgroups(p->ngroups, p->groups) < 0)
		die_errno("setgroups (process.user.additionalGids)");
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		die_errno("prctl(PR_SET_KEEPCAPS)");
	if (setresgid(p->gid, p->gid, p->gid) < 0 || setresuid(p->uid, p->uid, p->uid) < 0)
		die_errno("setresgid(%u)/setresuid(%u) (process.user)", (unsigned)p->gid,
			  (unsigned)p->uid);
	trace("setgroups(%zu), setresgid(%u), setresuid(%u) = 0", p->ngroups, (unsigned)p->gid,
	      (unsigned)p->uid);
	data[0].permitted = (uint32_t)p->permitted;
	data[1].permitted = (uint32_t)(p->permitted >> 32);
	data[0].effective = (uint32_t)p->effective;
	data[1].effective = (uint32_t)(p->effective >> 32);
	if (syscall(SYS_capset, &header, data) < 0)
		die_errno("capset (process.capabilities)");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		die_errno("prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
		if ((p->ambient & CAPS_BIT(cap)) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
			die_errno("prctl(PR_CAP_AMBIENT_RAISE, %d) (process.capabilities.ambient)",
				  cap);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		die_errno("prctl(PR_SET_KEEPCAPS, 0)");
	trace("capset(bounding, permitted, effective of process.capabilities) = 0");
}

/*
 * process.cwd, resolved inside the container's root (rootfs.c: openat2
 * RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS), never by chdir(2) on the name:
 * "/proc/self/fd/N" names whatever our fd N is, and an fd of the host's
 * (the bundle, the rootfs as the host sees it, --root) would put the
 * command in a host directory, where ".." leads to the host's / (runc's
 * CVE-2024-21626). A magic link is refused (ELOOP), a link inside the
 * rootfs stays inside it.
 */
static void enter_cwd(const char *cwd)
{
	int slash = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), fd;

	if (slash < 0)
		die_errno("open(\"/\") (process.cwd)");
	fd = rootfs_open_at(slash, cwd);
	if (fd < 0)
		die_errno(
		    "process.cwd: %s, resolved inside the container's root (no /proc/self/fd/N: "
		    "CVE-2024-21626)",
		    cwd);
	if (fchdir(fd) < 0)
		die_errno("process.cwd: fchdir(%s)", cwd);
	trace("openat2(\"/\", \"%s\", RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS), fchdir = 0", cwd);
	close(fd);
	close(slash);
}

/* What every process of the container goes through before execve, the
 * first one and those exec adds. */
static void prepare_process(const struct spec_process *p)
{
	ulimits_apply(p->rlimits, p->nrlimits);
	if (p->has_umask)
		umask(p->umask);
	become_user(p);
	enter_cwd(p->cwd);
}

/* Last, just before execve: after these nothing may be asked of the
 * kernel that the filter denies. */
static void lock_down(const struct spec_process *p, void *seccomp)
{
	if (p->no_new_privileges) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			die_errno("prctl(PR_SET_NO_NEW_PRIVS)");
		trace("prctl(PR_SET_NO_NEW_PRIVS, 1) = 0");
	}
	spec_seccomp_load(seccomp);
}

/* --- create's child: the container's first process ---------------------- */

static void join_namespaces_by_path(const struct oci_container *c)
{
	for (size_t i = 0; i < c->spec.nnamespaces; i++) {
		const struct spec_namespace *n = &c->spec.namespaces[i];

		if (!n->path)
			continue;
		if (setns(c->ns_fds[i], n->flag) < 0)
			die_errno("setns(%s) (linux.namespaces: %s)", n->path, n->type);
		trace("setns(\"%s\", %s) = 0", n->path, n->type);
	}
}

/* Wait for `start`: a connection on the start socket. Then the command. */
static void wait_for_start(struct oci_container *c) __attribute__((noreturn));
static void wait_for_start(struct oci_container *c)
{
	char byte = 'R';
	int conn;

	trace("waiting for `start` (accept on %s)", START_SOCKET);
	if (write(c->ready[1], &byte, 1) != 1)
		die_errno("write (telling create we are ready)");
	close(c->ready[1]);
	while ((conn = accept4(c->start_listen, NULL, NULL, SOCK_CLOEXEC)) < 0)
		if (errno != EINTR)
			die_errno("accept (waiting for start)");
	close(c->start_listen);
	lock_down(&c->spec.process, c->seccomp);
	exec_process(c->argv, c->spec.process.env, conn);
}

static int oci_child(void *arg)
{
	struct oci_container *c = arg;
	char full[PATH_MAX];

	log_set_role("init");
	log_set_exit(_exit);
	close(c->ready[0]);
	/* The lock is on the open file, which we share: while we held it,
	 * `start` would wait for us, and we for it. */
	for (int i = 0; i < 3; i++)
		close(c->runtime_fds[i]);
	if (sync_wait(&c->sync) < 0)
		_exit(EXIT_RUNTIME);
	if (c->spec.clone_flags & CLONE_NEWUSER) {
		if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
			die_errno("setresuid(0) in the new user namespace");
	}
	join_namespaces_by_path(c);
	for (size_t i = 0; i < c->spec.nnamespaces; i++)
		if (c->ns_fds[i] >= 0)
			close(c->ns_fds[i]);
	/* Now that we are in our cgroup: it is the namespace's root. */
	host_cgroups = read_file_alloc("/proc/self/cgroup", NULL);
	if (!host_cgroups)
		die_errno("read /proc/self/cgroup");
	if ((c->spec.clone_flags & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0)
		die_errno("unshare(CLONE_NEWCGROUP)");
	if (c->spec.hostname && *c->spec.hostname &&
	    sethostname(c->spec.hostname, strlen(c->spec.hostname)) < 0)
		die_errno("sethostname(\"%s\")", c->spec.hostname);
	setup_rootfs(c);
	/* The rootfs as the host sees it: no fd of the host's is left open
	 * when process.cwd is resolved (CVE-2024-21626). */
	close(c->rootfs_fd);
	if (c->console >= 0)
		open_console(c->console);
	else if (setsid() < 0)
		die_errno("setsid");
	prepare_process(&c->spec.process);
	if (!find_program(c->argv[0], c->spec.process.env, full, sizeof(full)))
		die("process.args[0]: %s: executable file not found in the container's $PATH",
		    c->argv[0]);
	wait_for_start(c);
}

/* --- create's parent ----------------------------------------------------- */

static bool has_dotdot(const char *path)
{
	for (const char *p = path; (p = strstr(p, "..")); p += 2)
		if ((p == path || p[-1] == '/') && (p[2] == '/' || !p[2]))
			return true;
	return false;
}

/* root.path: relative to the bundle (containerd's "rootfs") or absolute
 * (podman's overlay mount); a directory, and not the host's own /. */
static int open_rootfs(int bundle_fd, const char *bundle, const char *path)
{
	struct stat st, host;
	int fd;

	if (path[0] != '/' && has_dotdot(path))
		die("root.path: %s leads out of the bundle (\"..\")", path);
	fd = openat(bundle_fd, path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		die_errno_hint("root.path names the root filesystem, in the bundle or absolute",
			       "root.path: open %s%s%s", path[0] == '/' ? "" : bundle,
			       path[0] == '/' ? "" : "/", path);
	if (fstat(fd, &st) < 0 || stat("/", &host) < 0)
		die_errno("root.path: stat %s", path);
	if (st.st_dev == host.st_dev && st.st_ino == host.st_ino)
		die("root.path: %s is the host's own /", path);
	return fd;
}

static int connect_unix(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path))
		die("%s: longer than a socket's path may be (%zu)", path, sizeof(addr.sun_path));
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die_errno("socket(AF_UNIX)");
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		die_errno("connect %s", path);
	return fd;
}

/* The start socket, by a name relative to the state directory (DIR): a
 * socket's path has at most 107 bytes, and ROOT/ID may have more.
 * create listens on it, start connects to it. */
static int start_socket(int dir, bool listening)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX, .sun_path = START_SOCKET };
	int cwd = open(".", O_PATH | O_CLOEXEC), fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (cwd < 0 || fd < 0 || fchdir(dir) < 0)
		die_errno("socket/fchdir (the start socket)");
	if (listening &&
	    (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 1) < 0))
		die_errno("bind/listen %s/.../%s", oci_root, START_SOCKET);
	if (!listening && connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		die_errno("connect %s/.../%s (the first process waits there)", oci_root,
			  START_SOCKET);
	if (fchdir(cwd) < 0)
		die_errno("fchdir back");
	close(cwd);
	return fd;
}

/* On a failed create: nothing of it stays. */
static struct {
	const char *id;
	int root;
	struct cgroup *cgroup;
	pid_t child;
} undo;

static void undo_create(void)
{
	if (!undo.id)
		return;
	if (undo.child > 0) {
		kill(undo.child, SIGKILL);
		waitpid(undo.child, NULL, 0);
	}
	if (undo.cgroup)
		cgroup_destroy(undo.cgroup);
	remove_state_dir(undo.root, undo.id);
}

static void write_uid_maps(const struct spec *s, pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	if (write_file(path, s->uid_map) < 0)
		die_errno("write %s (linux.uidMappings)", path);
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
	if (write_file(path, s->gid_map) < 0)
		die_errno("write %s (linux.gidMappings)", path);
	trace("write /proc/%d/uid_map, gid_map (linux.uidMappings, gidMappings) = 0", (int)pid);
}

/* The runtime-spec's time format, which containerd parses: RFC 3339. */
static void rfc3339_now(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	char date[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%09ldZ", date, ts.tv_nsec);
}

static void write_pid_file(const char *path, pid_t pid)
{
	char tmp[PATH_MAX], text[16];
	int fd;

	if (!path)
		return;
	if (snprintf(tmp, sizeof(tmp), "%s.stepbox-tmp", path) >= (int)sizeof(tmp))
		die("--pid-file %s: too long", path);
	snprintf(text, sizeof(text), "%d", (int)pid);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || close(fd) < 0 ||
	    rename(tmp, path) < 0)
		die_errno("--pid-file %s", path);
	trace("write %s \"%s\"", path, text);
}

static void record_created(struct oci_container *c, int dir, const char *bundle, pid_t pid)
{
	json_object *doc = json_object_new_object(), *sb = json_object_new_object(),
		    *cgroups = json_object_new_array();
	char created[64], abs_bundle[PATH_MAX];

	if (!realpath(bundle, abs_bundle))
		die_errno("realpath %s", bundle);
	rfc3339_now(created, sizeof(created));
	json_object_object_add(doc, "ociVersion", json_object_new_string(OCI_VERSION));
	json_object_object_add(doc, "id", json_object_new_string(c->id));
	json_object_object_add(doc, "pid", json_object_new_int(pid));
	json_object_object_add(doc, "bundle", json_object_new_string(abs_bundle));
	json_object_object_add(doc, "created", json_object_new_string(created));
	json_object_object_add(doc, "annotations",
			       c->spec.annotations ? json_object_get(c->spec.annotations)
						   : json_object_new_object());
	json_object_object_add(sb, "startTime", json_object_new_uint64(proc_start_time(pid)));
	for (int i = 0; i < c->cgroup.ndirs; i++)
		json_object_array_add(cgroups, json_object_new_string(c->cgroup.dirs[i]));
	json_object_object_add(sb, "cgroups", cgroups);
	json_object_object_add(doc, "stepbox", sb);
	save_state(dir, doc, c->id);
	json_object_put(doc);
}

static void oci_usage_error(const char *usage, const char *fmt, const char *arg)
{
	char line[512];

	snprintf(line, sizeof(line), fmt, arg);
	usage_error("%s (usage: run %s)", line, usage);
}

/*
 * A namespace joined by path is a namespace, of the type it is listed
 * as (ioctl NS_GET_NSTYPE): known now, before anything is made, not in
 * the child's setns.
 */
static void check_namespace_fd(const struct spec_namespace *n, int fd, size_t i)
{
	int type;

	if (fd < 0)
		return;
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type < 0)
		die_errno("linux.namespaces[%zu]: ioctl(%s, NS_GET_NSTYPE): not a namespace", i,
			  n->path);
	if (type != n->flag)
		die("linux.namespaces[%zu]: %s is not a %s namespace", i, n->path, n->type);
}

/*
 * A sysctl of a network or IPC namespace joined by path: that namespace
 * must not be the runtime's own, the host's, or the write is the host's
 * (runc's isHostNetNS, in its validator's sysctl()). Compared by the fd
 * that setns will be given, not by the path again.
 */
static void check_sysctl_namespaces(const struct oci_container *c)
{
	const struct spec *s = &c->spec;

	for (size_t i = 0; i < s->nsysctl; i++)
		for (size_t j = 0; j < s->nnamespaces; j++) {
			const struct spec_namespace *n = &s->namespaces[j];
			const char *own = n->flag == CLONE_NEWNET   ? "/proc/self/ns/net"
					  : n->flag == CLONE_NEWIPC ? "/proc/self/ns/ipc"
								    : "/proc/self/ns/uts";
			struct stat joined, host;

			if (n->flag != s->sysctl_ns[i] || !n->path)
				continue;
			if (fstat(c->ns_fds[j], &joined) < 0 || stat(own, &host) < 0)
				die_errno("linux.namespaces[%zu]: fstat %s, stat %s", j, n->path,
					  own);
			if (joined.st_dev == host.st_dev && joined.st_ino == host.st_ino)
				die("linux.sysctl[\"%s\"]: refused: linux.namespaces[%zu] (%s) is "
				    "the runtime's own %s namespace, the host's",
				    s->sysctl_keys[i], j, n->path, n->type);
		}
}

static int cmd_create(int argc, char **argv)
{
	static const char usage[] = "create [--bundle DIR] [--pid-file F] [--console-socket S] ID";
	static const struct option options[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "console-socket", required_argument, NULL, 'c' },
		{ "no-pivot", no_argument, NULL, 'P' },
		{ "no-new-keyring", no_argument, NULL, 'k' },
		{ "preserve-fds", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct oci_container c = { .console = -1 };
	const char *bundle = ".", *pid_file = NULL, *console = NULL, *why;
	int opt, root, dir, bundle_fd, flags, fd;
	char names[128], byte;
	pid_t pid;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+b:", options, NULL)) != -1) {
		switch (opt) {
		case 'b':
			bundle = optarg;
			break;
		case 'p':
			pid_file = optarg;
			break;
		case 'c':
			console = optarg;
			break;
		case 'k':
			break; /* we make no session keyring either way */
		case 'f':
			if (strcmp(optarg, "0") != 0)
				die("--preserve-fds %s: not supported by stepbox", optarg);
			break;
		case 'P':
			die("--no-pivot: not supported: stepbox always uses pivot_root (step08)");
		default:
			oci_usage_error(usage, "create: unknown option %s", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		oci_usage_error(usage, "create: %s", "one container ID, after the options");
	c.id = argv[optind];
	if ((why = check_id(c.id)))
		oci_usage_error(usage, "create: %s", why);

	/* Everything is read and checked before anything is made. */
	bundle_fd = open(bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (bundle_fd < 0)
		die_errno("--bundle %s", bundle);
	spec_load_config(&c.spec, bundle_fd, bundle);
	c.argv = c.spec.process.args;
	c.rootfs_fd = open_rootfs(bundle_fd, bundle, c.spec.root_path);
	{
		char link[64];
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/self/fd/%d", c.rootfs_fd);
		n = readlink(link, c.rootfs_path, sizeof(c.rootfs_path) - 1);
		if (n < 0 || n == (ssize_t)sizeof(c.rootfs_path) - 1)
			die_errno("readlink %s (root.path)", link);
		c.rootfs_path[n] = '\0';
	}
	if (c.spec.process.terminal && !console)
		die("process.terminal is true: --console-socket is needed, to send the pty to");
	if (!c.spec.process.terminal && console)
		die("--console-socket given, but process.terminal is false");
	c.seccomp = spec_seccomp_build(c.spec.seccomp);
	for (size_t i = 0; i < c.spec.nnamespaces; i++) {
		c.ns_fds[i] = -1;
		if (c.spec.namespaces[i].path &&
		    (c.ns_fds[i] = open(c.spec.namespaces[i].path, O_RDONLY | O_CLOEXEC)) < 0)
			die_errno("linux.namespaces[%zu]: open %s", i, c.spec.namespaces[i].path);
		check_namespace_fd(&c.spec.namespaces[i], c.ns_fds[i], i);
	}
	check_sysctl_namespaces(&c);
	if (console)
		c.console = connect_unix(console);

	root = open_root(true);
	if (mkdirat(root, c.id, 0700) < 0) {
		if (errno == EEXIST)
			die("container %s exists already (in %s)", c.id, oci_root);
		die_errno("mkdir %s/%s", oci_root, c.id);
	}
	undo.id = c.id;
	undo.root = root;
	if (atexit(undo_create) != 0)
		die("atexit");
	dir = lock_container(root, c.id);
	trace("mkdir %s/%s, flock = 0", oci_root, c.id);
	c.runtime_fds[0] = bundle_fd;
	c.runtime_fds[1] = root;
	c.runtime_fds[2] = dir;
	/* exec reads it again: the container's seccomp filter is exec's too. */
	fd = openat(dir, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || json_object_to_fd(fd, c.spec.doc, JSON_C_TO_STRING_PLAIN) < 0 ||
	    close(fd) < 0)
		die("write %s/%s/config.json: %s", oci_root, c.id, json_util_get_last_err());

	{
		char path[PATH_MAX];

		/* Ours unless the client names one: stepbox-oci/ID. */
		if (c.spec.cgroups_path)
			snprintf(path, sizeof(path), "%s",
				 c.spec.cgroups_path + (c.spec.cgroups_path[0] == '/'));
		else
			snprintf(path, sizeof(path), "stepbox-oci/%s", c.id);
		cgroup_create_path(&c.cgroup, path, &c.spec.limits);
		undo.cgroup = &c.cgroup;
	}
	c.start_listen = start_socket(dir, true);
	if (sync_init(&c.sync) < 0 || pipe2(c.ready, O_CLOEXEC) < 0)
		die_errno("pipe2");

	flags = c.spec.clone_flags & ~CLONE_NEWCGROUP;
	pid = -1;
	if (c.cgroup.fd >= 0) {
		pid = clone_into_cgroup(oci_child, &c, flags, c.cgroup.fd);
		c.in_cgroup = pid >= 0;
	}
	if (pid < 0)
		pid = clone_child(oci_child, &c, flags);
	if (pid < 0)
		die_errno("clone(%s)", clone_flags_name(flags, names, sizeof(names)));
	undo.child = pid;
	trace("%s(%s) = %d", c.in_cgroup ? "clone3(CLONE_INTO_CGROUP)" : "clone",
	      clone_flags_name(flags, names, sizeof(names)), (int)pid);
	close(c.ready[1]);
	if (flags & CLONE_NEWUSER)
		write_uid_maps(&c.spec, pid);
	if (!c.in_cgroup)
		cgroup_enter(&c.cgroup, pid);
	if (sync_release(&c.sync) < 0)
		die_errno("releasing the child");
	/* "R", or EOF: the child failed, and said why on our stderr. */
	if (read(c.ready[0], &byte, 1) != 1)
		die("the container's first process failed before it was ready (see above)");
	record_created(&c, dir, bundle, pid);
	write_pid_file(pid_file, pid);
	trace("created: pid %d waits for `start %s`", (int)pid, c.id);
	undo.id = NULL;
	return 0;
}

/* --- start, state, kill, delete ------------------------------------------ */

static int cmd_start(int argc, char **argv)
{
	struct oci_state st;
	const char *id;
	int root, conn, err;
	ssize_t n;

	if (argc != 2)
		usage_error("start: one container ID (usage: run start ID)");
	id = argv[1];
	if (check_id(id))
		die("container %s does not exist", id);
	root = open_root(false);
	if (root < 0)
		die("container %s does not exist (no %s)", id, oci_root);
	load_state(lock_container(root, id), id, &st);
	if (strcmp(status_of(&st), "created") != 0)
		die("container %s is %s: only a created container can start", id, status_of(&st));
	conn = start_socket(st.dir, false);
	if (unlinkat(st.dir, START_SOCKET, 0) < 0)
		die_errno("unlink %s/%s/%s", oci_root, id, START_SOCKET);
	trace("connect %s/%s/%s: pid %d goes on to execve", oci_root, id, START_SOCKET,
	      (int)st.pid);
	/* EOF: execve closed the child's end. An errno: it failed. */
	while ((n = read(conn, &err, sizeof(err))) < 0 && errno == EINTR)
		;
	if (n == sizeof(err)) {
		errno = err;
		die_errno("the container's process could not execute %s", "process.args[0]");
	}
	return 0;
}

static int cmd_state(int argc, char **argv)
{
	json_object *out = json_object_new_object(), *v;
	struct oci_state st;
	const char *status;
	int root;

	if (argc != 2)
		usage_error("state: one container ID (usage: run state ID)");
	if (check_id(argv[1]) || (root = open_root(false)) < 0)
		die("container %s does not exist", argv[1]);
	load_state(lock_container(root, argv[1]), argv[1], &st);
	status = status_of(&st);
	json_object_object_add(out, "ociVersion", json_object_new_string(OCI_VERSION));
	json_object_object_add(out, "id", json_object_new_string(argv[1]));
	json_object_object_add(out, "pid",
			       json_object_new_int(strcmp(status, "stopped") ? st.pid : 0));
	json_object_object_add(out, "status", json_object_new_string(status));
	json_object_object_add(out, "bundle", json_object_new_string(st.bundle ? st.bundle : ""));
	if (json_object_object_get_ex(st.doc, "created", &v))
		json_object_object_add(out, "created", json_object_get(v));
	json_object_object_add(out, "owner", json_object_new_string(""));
	if (json_object_object_get_ex(st.doc, "annotations", &v))
		json_object_object_add(out, "annotations", json_object_get(v));
	puts(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY |
						     JSON_C_TO_STRING_NOSLASHESCAPE));
	return 0;
}

/* "TERM", "SIGTERM" or "15". */
static int signal_number(const char *text)
{
	char *end;
	long n = strtol(text, &end, 10);

	if (*text && !*end)
		return n > 0 && n <= SIGRTMAX ? (int)n : -1;
	if (strncasecmp(text, "SIG", 3) == 0)
		text += 3;
	for (int sig = 1; sig < NSIG; sig++) {
		const char *abbrev = sigabbrev_np(sig);

		if (abbrev && strcasecmp(text, abbrev) == 0)
			return sig;
	}
	return -1;
}

/* Every process of the cgroup: podman's and containerd's `kill --all`. */
static void signal_cgroup(const struct cgroup *cg, int sig)
{
	char path[PATH_MAX + 16], *text;
	pid_t *pids;
	ssize_t n;

	if (!cg->ndirs)
		return;
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg->dirs[0]);
	if (!(text = read_file_alloc(path, NULL)))
		die_errno("read %s", path);
	n = parse_pid_list(text, &pids);
	free(text);
	for (ssize_t i = 0; i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			warn_errno("kill(%d, %d)", (int)pids[i], sig);
	trace("kill(each of %zd in %s, %s)", n, path, sigabbrev_np(sig));
	if (n > 0)
		free(pids);
}

static int cmd_kill(int argc, char **argv)
{
	struct oci_state st;
	bool all = false;
	int root, pidfd, sig = SIGTERM, first = 1;

	while (first < argc && argv[first][0] == '-') {
		if (strcmp(argv[first], "--all") == 0 || strcmp(argv[first], "-a") == 0)
			all = true;
		else
			usage_error("kill: unknown option %s (usage: run kill [--all] ID [SIGNAL])",
				    argv[first]);
		first++;
	}
	if (argc - first < 1 || argc - first > 2)
		usage_error("kill: run kill [--all] ID [SIGNAL]");
	if (argc - first == 2 && (sig = signal_number(argv[first + 1])) < 0)
		usage_error("kill: %s is not a signal", argv[first + 1]);
	if (check_id(argv[first]) || (root = open_root(false)) < 0)
		die("container %s does not exist", argv[first]);
	load_state(lock_container(root, argv[first]), argv[first], &st);
	pidfd = open_init(&st);
	if (all) {
		signal_cgroup(&st.cgroup, sig);
		return 0;
	}
	if (pidfd < 0)
		die("container %s is not running", argv[first]);
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
		die_errno("pidfd_send_signal(pid %d, %s)", (int)st.pid, sigabbrev_np(sig));
	trace("pidfd_send_signal(pid %d, SIG%s) = 0", (int)st.pid, sigabbrev_np(sig));
	return 0;
}

/* Wait until the pidfd's process has exited (it is readable then). */
static void wait_exited(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	while (poll(&p, 1, 5000) < 0 && errno == EINTR)
		;
}

static int cmd_delete(int argc, char **argv)
{
	struct oci_state st;
	bool force = false;
	int root, pidfd, first = 1;
	const char *status;

	while (first < argc && argv[first][0] == '-') {
		if (strcmp(argv[first], "--force") == 0 || strcmp(argv[first], "-f") == 0)
			force = true;
		else
			usage_error("delete: unknown option %s (usage: run delete [--force] ID)",
				    argv[first]);
		first++;
	}
	if (argc - first != 1)
		usage_error("delete: one container ID (usage: run delete [--force] ID)");
	if (check_id(argv[first]) || (root = open_root(false)) < 0)
		die("container %s does not exist", argv[first]);
	load_state(lock_container(root, argv[first]), argv[first], &st);
	status = status_of(&st);
	if (strcmp(status, "running") == 0 && !force)
		die("container %s is running: stop it first, or delete --force", argv[first]);
	pidfd = open_init(&st);
	if (pidfd >= 0) {
		/* created, or forced: its PID 1 dies, and the kernel kills the
		 * rest of its PID namespace. */
		if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) == 0)
			wait_exited(pidfd);
		trace("pidfd_send_signal(pid %d, SIGKILL) = 0", (int)st.pid);
		close(pidfd);
	}
	if (cgroup_destroy(&st.cgroup) < 0)
		die("container %s: its cgroup could not be removed (see above)", argv[first]);
	remove_state_dir(root, argv[first]);
	return 0;
}

/* --- exec: one more process in the container ----------------------------- */

struct oci_exec {
	struct spec_process process;
	struct spec config; /* the container's, as create saved it */
	void *seccomp;
	int pidfd, console, report[2], pid_pipe[2];
	int host_fds[2]; /* --root and ROOT/ID: never the joiner's */
	int ns_flags;
	const struct cgroup *cgroup;
};

/* The grandchild: in the container's namespaces, about to be its process. */
static void exec_grandchild(struct oci_exec *e) __attribute__((noreturn));
static void exec_grandchild(struct oci_exec *e)
{
	close(e->report[0]);
	/* Before process.cwd is resolved: no directory of the host's open
	 * (CVE-2024-21626). The lock stays with our parent's open file. */
	for (int i = 0; i < 2; i++)
		close(e->host_fds[i]);
	if (e->console >= 0)
		open_console(e->console);
	prepare_process(&e->process);
	lock_down(&e->process, e->seccomp);
	exec_process(e->process.args, e->process.env, e->report[1]);
}

/* The child joins the cgroup and the namespaces; its own child is then
 * born in the container's PID namespace (a process's own cannot change). */
static void exec_child(struct oci_exec *e) __attribute__((noreturn));
static void exec_child(struct oci_exec *e)
{
	char text[16], names[128];
	pid_t pid;

	log_set_role("child");
	log_set_exit(_exit);
	close(e->pid_pipe[0]);
	snprintf(text, sizeof(text), "%d", (int)getpid());
	for (int i = 0; i < e->cgroup->ndirs; i++) {
		char path[PATH_MAX + 16];

		snprintf(path, sizeof(path), "%s/cgroup.procs", e->cgroup->dirs[i]);
		if (write_file(path, text) < 0)
			die_errno("write %s \"%s\"", path, text);
	}
	if (setns(e->pidfd, e->ns_flags) < 0)
		die_errno("setns(pidfd, %s)", clone_flags_name(e->ns_flags, names, sizeof(names)));
	trace("setns(pidfd of the first process, %s) = 0",
	      clone_flags_name(e->ns_flags, names, sizeof(names)));
	pid = fork();
	if (pid < 0)
		die_errno("fork (in the container's PID namespace)");
	if (pid == 0)
		exec_grandchild(e);
	if (write(e->pid_pipe[1], &pid, sizeof(pid)) != sizeof(pid))
		_exit(EXIT_RUNTIME);
	_exit(0);
}

/* The namespaces to join: those the first process has and we do not. */
static int namespaces_to_join(pid_t pid)
{
	static const struct {
		const char *name;
		int flag;
	} types[] = {
		{ "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS },  { "uts", CLONE_NEWUTS },
		{ "ipc", CLONE_NEWIPC },   { "net", CLONE_NEWNET }, { "cgroup", CLONE_NEWCGROUP },
		{ "pid", CLONE_NEWPID },
	};
	int flags = 0;

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		char theirs[64], ours[64];
		struct stat a, b;

		snprintf(theirs, sizeof(theirs), "/proc/%d/ns/%s", (int)pid, types[i].name);
		snprintf(ours, sizeof(ours), "/proc/self/ns/%s", types[i].name);
		if (stat(theirs, &a) == 0 && stat(ours, &b) == 0 &&
		    (a.st_ino != b.st_ino || a.st_dev != b.st_dev))
			flags |= types[i].flag;
	}
	return flags;
}

static int cmd_oci_exec(int argc, char **argv)
{
	static const char usage[] = "exec --process FILE [--detach] [--pid-file F] [--tty] "
				    "[--console-socket S] ID";
	static const struct option options[] = {
		{ "process", required_argument, NULL, 'p' },
		{ "detach", no_argument, NULL, 'd' },
		{ "pid-file", required_argument, NULL, 'P' },
		{ "tty", no_argument, NULL, 't' },
		{ "console-socket", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char *process = NULL, *pid_file = NULL, *console = NULL, *id;
	struct oci_exec e = { .console = -1 };
	struct oci_state st;
	json_object *doc;
	bool detach = false, tty = false;
	int opt, root, status, err;
	pid_t child, pid;
	ssize_t n;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+dt", options, NULL)) != -1) {
		switch (opt) {
		case 'p':
			process = optarg;
			break;
		case 'd':
			detach = true;
			break;
		case 'P':
			pid_file = optarg;
			break;
		case 't':
			tty = true;
			break;
		case 'c':
			console = optarg;
			break;
		default:
			oci_usage_error(usage, "exec: unknown option %s", argv[optind - 1]);
		}
	}
	if (!process || optind != argc - 1)
		oci_usage_error(usage, "exec: %s", "--process FILE and one container ID");
	id = argv[optind];
	/*
	 * Not dumpable until execve, as step10's own exec (exec.c): once our
	 * child is in the container's PID namespace, the container's root
	 * could otherwise open /proc/PID/fd of it and reach what we hold of
	 * the host: --root, ROOT/ID (runc's CVE-2016-9962). Our children
	 * inherit it; execve resets it.
	 */
	if (prctl(PR_SET_DUMPABLE, 0) < 0)
		die_errno("prctl(PR_SET_DUMPABLE, 0)");
	trace("prctl(PR_SET_DUMPABLE, 0) = 0");
	if (check_id(id) || (root = open_root(false)) < 0)
		die("container %s does not exist", id);
	spec_load_process(&e.process, &doc, process);
	if (tty)
		e.process.terminal = true;
	if (e.process.terminal != (console != NULL))
		die("a terminal (process.terminal or --tty) goes with --console-socket");
	load_state(lock_container(root, id), id, &st);
	e.host_fds[0] = root;
	e.host_fds[1] = st.dir;
	/* The container's seccomp filter applies to what joins it, too. */
	spec_load_config(&e.config, st.dir, id);
	e.seccomp = spec_seccomp_build(e.config.seccomp);
	e.pidfd = open_init(&st);
	if (e.pidfd < 0 || is_created(&st))
		die("container %s is not running", id);
	e.ns_flags = namespaces_to_join(st.pid);
	e.cgroup = &st.cgroup;
	if (console)
		e.console = connect_unix(console);
	if (pipe2(e.report, O_CLOEXEC) < 0 || pipe2(e.pid_pipe, O_CLOEXEC) < 0)
		die_errno("pipe2");
	/* Without --detach we wait for the process: it must be our child
	 * when its parent (the child below) has gone. */
	if (!detach && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		die_errno("prctl(PR_SET_CHILD_SUBREAPER)");
	child = fork();
	if (child < 0)
		die_errno("fork");
	if (child == 0)
		exec_child(&e);
	close(e.pid_pipe[1]);
	close(e.report[1]);
	n = read(e.pid_pipe[0], &pid, sizeof(pid));
	waitpid(child, &status, 0);
	if (n != sizeof(pid))
		die("exec: the process could not join container %s (see above)", id);
	while ((n = read(e.report[0], &err, sizeof(err))) < 0 && errno == EINTR)
		;
	if (n == sizeof(err)) {
		errno = err;
		die_errno("exec: %s", e.process.args[0]);
	}
	write_pid_file(pid_file, pid);
	if (detach)
		return 0;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die_errno("waitpid(%d)", (int)pid);
	return exit_code_of(status);
}

/* --- features, version, and the dispatch --------------------------------- */

static int cmd_features(void)
{
	static const char text[] =
	    "{\n"
	    "  \"ociVersionMin\": \"1.0.0\",\n"
	    "  \"ociVersionMax\": \"" OCI_VERSION "\",\n"
	    "  \"hooks\": [],\n"
	    "  \"mountOptions\": [\"ro\", \"rw\", \"nosuid\", \"suid\", \"nodev\", \"dev\", "
	    "\"noexec\", \"exec\", \"sync\", \"async\", \"dirsync\", \"noatime\", \"atime\", "
	    "\"nodiratime\", \"diratime\", \"relatime\", \"norelatime\", \"strictatime\", "
	    "\"nostrictatime\", \"bind\", \"rbind\", \"private\", \"rprivate\", \"shared\", "
	    "\"rshared\", \"slave\", \"rslave\", \"unbindable\", \"runbindable\"],\n"
	    "  \"linux\": {\n"
	    "    \"namespaces\": [\"cgroup\", \"ipc\", \"mount\", \"network\", \"pid\", \"user\", "
	    "\"uts\"],\n"
	    "    \"capabilities\": [],\n"
	    "    \"cgroup\": {\"v1\": true, \"v2\": true, \"systemd\": false, \"systemdUser\": "
	    "false},\n"
	    "    \"seccomp\": {\"enabled\": true},\n"
	    "    \"apparmor\": {\"enabled\": false},\n"
	    "    \"selinux\": {\"enabled\": false}\n"
	    "  },\n"
	    "  \"annotations\": {\"org.opencontainers.runc.version\": \"stepbox-step10\"}\n"
	    "}\n";

	fputs(text, stdout);
	return 0;
}

/* --log FILE: messages go there (runc's json lines for containerd). */
static void open_log(const char *path, bool json)
{
	FILE *f = fopen(path, "ae");

	if (!f)
		die_errno("--log %s", path);
	setvbuf(f, NULL, _IOLBF, 0);
	log_set_file(f, json);
}

static bool is_oci_record(const char *id)
{
	char path[PATH_MAX + OCI_ID_MAX + 16];
	struct stat st;

	if (check_id(id))
		return false;
	snprintf(path, sizeof(path), "%s/%s/state.json", oci_root, id);
	return stat(path, &st) == 0;
}

static bool one_of(const char *word, const char *const list[])
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(word, list[i]) == 0)
			return true;
	return false;
}

static const char *first_operand(int argc, char **argv)
{
	for (int j = 1; j < argc; j++)
		if (argv[j][0] != '-')
			return argv[j];
	return NULL;
}

/* Does any argument after the command start with one of OPTIONS (a long
 * option, alone or as --name=value)? */
static bool has_option(int argc, char **argv, const char *const options[])
{
	for (int j = 1; j < argc && strcmp(argv[j], "--") != 0; j++)
		for (size_t k = 0; options[k]; k++) {
			size_t len = strlen(options[k]);

			if (strncmp(argv[j], options[k], len) == 0 &&
			    (argv[j][len] == '\0' || argv[j][len] == '='))
				return true;
		}
	return false;
}

/* Does any operand name a container under --root? */
static bool names_oci_record(int argc, char **argv)
{
	for (int j = 1; j < argc; j++)
		if (argv[j][0] != '-' && is_oci_record(argv[j]))
			return true;
	return false;
}

/*
 * A runc command that stepbox does not do: one line, exit 1 (runc's
 * status for its own failures). Never fall through to step10's "the word
 * run is optional": `podman update ID` must not run a program called
 * `update` in a new container.
 */
static void not_implemented(const char *cmd, bool native) __attribute__((noreturn));
static void not_implemented(const char *cmd, bool native)
{
	if (native)
		warn("%s: runc's command is not implemented by stepbox's OCI runtime (it does "
		     "create, start, state, kill, delete, exec, features; step10's own `%s` is "
		     "for containers it ran itself)",
		     cmd, cmd);
	else
		warn("%s: runc's command is not implemented by stepbox (it does create, start, "
		     "state, kill, delete, exec, features; to run a program named %s: run -- %s)",
		     cmd, cmd, cmd);
	exit(1);
}

/*
 * runc's commands that stepbox lacks. Those that are step10's own words
 * too (run, list, ps, pause, resume) are runc's when a global option came
 * first, when they carry an option only runc's form has, or when their
 * operand is a container under --root; else they are step10's.
 */
static void refuse_unimplemented(const char *cmd, bool global, int argc, char **argv)
{
	static const char *const runc_only[] = { "update",  "events", "checkpoint",
						 "restore", "spec",   NULL };
	static const char *const shared[] = { "run", "list", "ps", "pause", "resume", NULL };
	static const char *const runc_options[] = {
		"--bundle",   "--pid-file",	  "--console-socket",
		"--no-pivot", "--no-new-keyring", "--preserve-fds",
		"--format",   "--quiet",	  NULL
	};

	if (one_of(cmd, runc_only))
		not_implemented(cmd, false);
	if (!one_of(cmd, shared))
		return;
	if (global || has_option(argc, argv, runc_options) ||
	    (strcmp(cmd, "run") != 0 && names_oci_record(argc, argv)))
		not_implemented(cmd, true);
}

/*
 * The clients' command lines: global options first (--root, --log,
 * --log-format, --systemd-cgroup, --debug), then one of runc's commands.
 * `exec` with --process and `kill` of an OCI container are ours; the
 * same words without them are step10's own `exec` and `kill`.
 */
void oci_dispatch(int argc, char **argv)
{
	static const char *const global_options[] = { "--root",	      "--log",
						      "--log-format", "--systemd-cgroup",
						      "--debug",      "--version",
						      "-v",	      NULL };
	static const char *const commands[] = { "create",   "start", "state", "delete",
						"features", "exec",  "kill",  NULL };
	const char *log_path = NULL, *cmd;
	bool global = false, json = false, verbose = false;
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *opt = argv[i], *value = NULL, *eq = strchr(opt, '=');
		char name[32];

		snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - opt) : (int)strlen(opt), opt);
		if (!one_of(name, global_options))
			break;
		if (strcmp(name, "-v") == 0) {
			verbose = true; /* step10's own -v, or ours before a command */
			continue;
		}
		if (strcmp(name, "--version") == 0) {
			printf("stepbox step10 (an OCI runtime for learning)\nspec: %s\n",
			       OCI_VERSION);
			exit(0);
		}
		global = true;
		if (strcmp(name, "--systemd-cgroup") == 0)
			die("--systemd-cgroup: stepbox manages cgroups itself (cgroupfs); run the "
			    "client with its cgroupfs manager (podman --cgroup-manager=cgroupfs, "
			    "containerd's SystemdCgroup = false)");
		if (strcmp(name, "--debug") == 0) {
			log_set_verbose(true);
			continue;
		}
		value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
		if (!value)
			usage_error("%s needs a value", name);
		if (strcmp(name, "--root") == 0) {
			if (value[0] != '/' || strlen(value) >= sizeof(oci_root) - OCI_ID_MAX - 16)
				usage_error("--root %s: an absolute path, not too long", value);
			snprintf(oci_root, sizeof(oci_root), "%s", value);
		} else if (strcmp(name, "--log") == 0) {
			log_path = value;
		} else if (strcmp(value, "json") == 0 || strcmp(value, "text") == 0) {
			json = strcmp(value, "json") == 0;
		} else {
			usage_error("--log-format %s: json or text", value);
		}
	}
	if (i >= argc)
		return;
	cmd = argv[i];
	if (log_path)
		open_log(log_path, json);
	argc -= i;
	argv += i;
	if (getenv("STEPBOX_VERBOSE"))
		log_set_verbose(true);
	refuse_unimplemented(cmd, global, argc, argv);
	if (strcmp(cmd, "exec") == 0 && !global) {
		bool has_process = false;

		for (int j = 1; j < argc; j++)
			has_process = has_process || strncmp(argv[j], "--process", 9) == 0;
		if (!has_process)
			return;
	} else if (strcmp(cmd, "kill") == 0 && !global) {
		const char *id = first_operand(argc, argv);

		if (!id || !is_oci_record(id))
			return;
	} else if (!one_of(cmd, commands)) {
		if (global)
			usage_error("%s: not an OCI runtime command (create, start, state, kill, "
				    "delete, exec, features)",
				    cmd);
		return;
	}
	log_set_role("runtime");
	if (verbose)
		log_set_verbose(true);
	if (geteuid() != 0 && strcmp(cmd, "features") != 0)
		die("%s: the OCI commands are for root (rootless OCI is not in stepbox)", cmd);
	if (strcmp(cmd, "create") == 0)
		exit(cmd_create(argc, argv));
	if (strcmp(cmd, "start") == 0)
		exit(cmd_start(argc, argv));
	if (strcmp(cmd, "state") == 0)
		exit(cmd_state(argc, argv));
	if (strcmp(cmd, "kill") == 0)
		exit(cmd_kill(argc, argv));
	if (strcmp(cmd, "delete") == 0)
		exit(cmd_delete(argc, argv));
	if (strcmp(cmd, "exec") == 0)
		exit(cmd_oci_exec(argc, argv));
	exit(cmd_features());
}
