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
 * config.json's hooks run inside these calls (hooks.c runs a list):
 * prestart, createRuntime and createContainer in create, before
 * pivot_root; startContainer and poststart in start; poststop in delete.
 *
 * And what clients and people call on a container that runs: pause,
 * resume (the freezer), update (new cgroup limits), ps, events (its
 * cgroup's pids and counters); run (create, start, wait, delete), list,
 * spec (a config.json to start from).
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
 * Brought by step10; called by main.c (oci_dispatch), before anything
 * else reads the command line.
 *
 * runc: create.go, start.go, state.go, kill.go, delete.go, exec.go,
 * pause.go, update.go, ps.go, events.go, run.go, list.go, spec.go, and
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
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/sendfile.h>
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
#include "harden.h"
#include "hooks.h"
#include "join.h"
#include "masks.h"
#include "oci.h"
#include "process.h"
#include "relay.h"
#include "sealexe.h"
#include "rootfs.h"
#include "run.h"
#include "spec.h"
#include "state.h"
#include "terminal.h"
#include "userns.h"

#define OCI_VERSION STATE_OCI_VERSION
#define OCI_ROOT    "/run/stepbox-oci" /* runc's is /run/runc */
#define OCI_ID_MAX  STATE_REF_MAX
_Static_assert(STATE_MAX_CGROUPS == CGROUP_MAX_DIRS, "a record holds every cgroup directory");
/* The socket the first process waits on, in the container's state
 * directory, while it is "created". */
#define START_SOCKET "start"
/* What the OCI mode answers, for its messages. */
#define OCI_COMMANDS                                                                               \
	"create, start, state, kill, delete, exec, pause, resume, update, ps, events, run, "       \
	"list, spec, features"
/* The first process's name (comm) until its execve: execve names a
 * process after its program file, never with a '/'. runc's is
 * "runc:[2:INIT]". */
#define INIT_COMM "stepbox/init"

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

/* Room for why a record is refused: its path, and state_read's reason. */
#define WHY_MAX (2 * PATH_MAX + 512)

/*
 * A state record is trusted only where nobody else could have written
 * it, as step10's own /run/stepbox: FD (--root, ROOT/ID or a state.json)
 * must be the caller's, with no permission for group or others. Else a
 * user who can write there names a host process's pid and start time
 * and any directory as "cgroups", and `kill --all` or `delete --force`,
 * run by root, kill that process and remove that directory.
 */
static bool is_private(int fd, const char *what, const char *path, char *why, size_t size)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		snprintf(why, size, "fstat %s (%s): %s", path, what, strerror(errno));
		return false;
	}
	if (st.st_uid == geteuid() && (st.st_mode & 077) == 0)
		return true;
	snprintf(why, size,
		 "%s %s: owned by uid %u with mode %04o; it must be the caller's (uid %u) and "
		 "mode %s, or anyone who can write there forges the state of containers",
		 what, path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777),
		 (unsigned)geteuid(), S_ISDIR(st.st_mode) ? "0700" : "0600");
	return false;
}

static void check_private(int fd, const char *what, const char *path)
{
	char why[WHY_MAX];

	if (!is_private(fd, what, path, why, sizeof(why)))
		die("%s", why);
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

/* ROOT/ID/state.json, by state.c's code as step10's own records: the
 * same document, the same checks of what it names. -1, and WHY, for a
 * record that is missing (errno ENOENT: a delete, say, has just removed
 * it) or not one to trust (EINVAL, or what the open said). */
static int read_state(int dir, const char *id, struct oci_state *st, char *why, size_t size)
{
	char path[PATH_MAX + OCI_ID_MAX + 16], reason[PATH_MAX + 64];
	struct state_record r;
	json_object *v;
	int fd =
	    openat(dir, "state.json", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	memset(st, 0, sizeof(*st));
	st->dir = dir;
	st->cgroup.fd = -1;
	snprintf(path, sizeof(path), "%s/%s/state.json", oci_root, id);
	if (fd < 0) {
		int err = errno;

		snprintf(why, size, "open %s: %s (a create that failed, or is still going)", path,
			 strerror(err));
		errno = err;
		return -1;
	}
	if (!is_private(fd, "the state record", path, why, size)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	if (state_read(fd, &r, &st->doc, reason, sizeof(reason)) < 0) {
		close(fd);
		snprintf(why, size, "%s: %s", path, reason);
		errno = EINVAL;
		return -1;
	}
	close(fd);
	if (strcmp(r.id, id) != 0) {
		snprintf(why, size, "%s: \"id\" is %s", path, r.id);
		goto bad;
	}
	/* OCI's own fields, which state.c does not know: given to hooks and
	 * printed by `state` and `list` */
	if (!json_object_object_get_ex(st->doc, "bundle", &v) ||
	    !json_object_is_type(v, json_type_string) || json_object_get_string(v)[0] != '/') {
		snprintf(why, size, "%s: \"bundle\" is not an absolute path", path);
		goto bad;
	}
	st->bundle = json_object_get_string(v);
	if (json_object_object_get_ex(st->doc, "annotations", &v) &&
	    !json_object_is_type(v, json_type_object)) {
		snprintf(why, size, "%s: \"annotations\" is not an object", path);
		goto bad;
	}
	st->pid = r.pid;
	st->start_time = r.start_time;
	st->cgroup.layout = cgroup_detect();
	for (int i = 0; i < r.ncgroups && i < CGROUP_MAX_DIRS; i++)
		snprintf(st->cgroup.dirs[st->cgroup.ndirs++], PATH_MAX, "%s", r.cgroups[i]);
	return 0;
bad:
	json_object_put(st->doc);
	st->doc = NULL;
	st->bundle = NULL;
	errno = EINVAL;
	return -1;
}

static void load_state(int dir, const char *id, struct oci_state *st)
{
	char why[WHY_MAX];

	if (read_state(dir, id, st, why, sizeof(why)) < 0)
		die("%s", why);
}

/*
 * Is the container's first process alive, and still the one we started?
 * A pid is a name the kernel reuses: the start time in state.json must
 * match, and a zombie (exited, not yet reaped by the monitor) is stopped.
 * Returns a pidfd, or -1.
 */
static int open_init(const struct oci_state *st)
{
	int pidfd = pidfd_open_started(st->pid, st->start_time);
	char state;

	if (pidfd < 0) {
		if (errno != ESRCH)
			die_errno("pidfd_open(%d)", (int)st->pid);
		return -1;
	}
	state = proc_state(st->pid);
	if (state == 'Z' || state == 'X' || !state) {
		close(pidfd);
		return -1;
	}
	return pidfd;
}

static bool is_created(const struct oci_state *st)
{
	return faccessat(st->dir, START_SOCKET, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* CMD asks for a container that is WANT, and ID is not: exit 1, as runc. */
static void refuse_status(const char *cmd, const char *id, const char *want, const char *is)
    __attribute__((noreturn));
static void refuse_status(const char *cmd, const char *id, const char *want, const char *is)
{
	warn("%s: container %s is not %s (it is %s)", cmd, id, want, is);
	exit(1);
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
	/* before pivot_root, "H": the runtime's hooks, please; "G": done */
	int hooks_sync[2];
	/* --bundle, absolute: the hooks' state names it */
	char bundle_path[PATH_MAX];
	void *seccomp;	    /* the filter, built and checked by the parent */
	int runtime_fds[3]; /* the bundle, --root, ROOT/ID (locked): not the child's */
	char **argv;
	char program[PATH_MAX]; /* argv[0] found in the container's PATH */
	struct cgroup cgroup;
	bool in_cgroup;	       /* born in it, cgroup namespace and all (start_init) */
	bool unshare_cgroupns; /* not: the child makes its own, after the move */
	/* /proc/self/cgroup as the host names our cgroups, read before a
	 * cgroup namespace of our own makes every one of them "/" */
	char *own_cgroups;
};

/* --- mounts ------------------------------------------------------------- */

/*
 * root.path bound onto itself, as run binds its tree (rootfs_bind_self):
 * pivot_root wants a mount point. Our copy of it is found by its path,
 * which rootfs_bind_self checks against the fd create opened.
 *
 * Unless everything is private (the default), the mount holding the
 * rootfs may share with the host's: it becomes private first (a slave if
 * slave was asked), or the copy attached onto it would appear on the
 * host, and so does the copy, as pivot_root wants the new root not
 * shared (runc's prepareRoot and rootfsParentMountPropagation,
 * libcontainer/rootfs_linux.go). The propagation asked for "/" is set after
 * pivot_root (setup_rootfs).
 */
static int bind_root(const struct oci_container *c)
{
	unsigned long asked = c->spec.rootfs_propagation;
	bool may_share = asked != (MS_PRIVATE | MS_REC);
	unsigned long parent = asked & MS_SLAVE ? MS_SLAVE : MS_PRIVATE;
	int ours = open(c->rootfs_path, O_PATH | O_DIRECTORY | O_CLOEXEC), tree;

	if (ours < 0)
		die_errno("open %s (root.path) in our mount namespace", c->rootfs_path);
	if (may_share)
		keep_mount_local(ours, parent, c->rootfs_path);
	/* Every mount of the copy private, or a slave (of a private mount:
	 * private, the copy's top in shared mode). For "private" and
	 * "slave", which setup_rootfs set on "/" alone, that includes the
	 * mounts below root.path, which runc leaves as the host has them:
	 * here nothing the container mounts there reaches the host. */
	tree = rootfs_bind_self(ours, c->rootfs_fd, asked & MS_PRIVATE ? MS_PRIVATE : MS_SLAVE,
				c->rootfs_path);
	close(ours);
	return tree;
}

/* The mount point of M in the rootfs, made if missing: a file for a
 * bind mount of a file (TREE, the copy of its source), else a directory.
 * Resolved inside ROOT, never through a link out of it. */
static int mount_target(int root, const struct spec_mount *m, int tree)
{
	struct stat st;
	enum rootfs_create kind = ROOTFS_MKDIR;
	int fd;

	if (tree >= 0 && fstat(tree, &st) == 0 && !S_ISDIR(st.st_mode))
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

/* "options" as MOUNT_ATTR_* flags (fsmount, mount_setattr). An atime mode
 * replaces the one the mount had: the kernel wants all of them cleared. */
static struct mount_attr mount_attrs(unsigned long flags)
{
	static const struct {
		unsigned long ms;
		uint64_t attr;
	} map[] = {
		{ MS_RDONLY, MOUNT_ATTR_RDONLY },
		{ MS_NOSUID, MOUNT_ATTR_NOSUID },
		{ MS_NODEV, MOUNT_ATTR_NODEV },
		{ MS_NOEXEC, MOUNT_ATTR_NOEXEC },
		{ MS_NODIRATIME, MOUNT_ATTR_NODIRATIME },
		{ MS_NOATIME, MOUNT_ATTR_NOATIME },
		{ MS_STRICTATIME, MOUNT_ATTR_STRICTATIME },
	};
	struct mount_attr a = { 0 };

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (flags & map[i].ms)
			a.attr_set |= map[i].attr;
	if (flags & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME))
		a.attr_clr = MOUNT_ATTR__ATIME;
	return a;
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

/*
 * The cgroup file system, as the container should see it. v2: cgroup2,
 * which (in the container's cgroup namespace) shows its own subtree. v1:
 * a tmpfs with one directory per hierarchy, each the container's own
 * cgroup bound there, as runc's mountCgroupV1 does.
 */
static void mount_cgroup_v1(int target, const struct spec_mount *m, const char *own_cgroups)
{
	static const char *const mode[] = { "mode=755", NULL };
	char *text = strdup(own_cgroups), *line, *save = NULL;
	char where[64], path[PATH_MAX + 64];
	struct mount_attr attr = mount_attrs(m->flags);
	const char *call;
	int tmpfs;

	if (!text)
		die_errno("strdup");
	/* The tmpfs's own fd (fsmount's): TARGET is the directory below it. */
	tmpfs = rootfs_new_fs("tmpfs", "tmpfs", mode, attr.attr_set & ~MOUNT_ATTR_RDONLY, &call);
	if (tmpfs < 0 || move_mount(tmpfs, "", target, "",
				    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		die_errno("mount tmpfs on %s (%s)", m->destination,
			  tmpfs < 0 ? call : "move_mount");
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
	if (attr.attr_set & MOUNT_ATTR_RDONLY &&
	    mount_setattr(tmpfs, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		die_errno("mount_setattr(%s, MOUNT_ATTR_RDONLY)", m->destination);
	trace("mount tmpfs on %s, each v1 hierarchy's cgroup of ours bound in it", m->destination);
	close(tmpfs);
	free(text);
}

/*
 * tmpcopyup (podman's --tmpfs, --read-only): the tmpfs starts with a copy
 * of what the directory under it had, as runc's doTmpfsCopyUp. Both are
 * read by fds: every name is opened under the directory it is in with
 * O_NOFOLLOW, and a link is copied as a link, never followed (the rootfs
 * is the image's, and its links may point at the host's files).
 */
static void copy_entry(int from, int to, const char *name, const char *where, int depth);

static void copy_dir(int from, int to, const char *where, int depth)
{
	int fd = openat(from, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *e;

	if (!d)
		die_errno("tmpcopyup: open %s", where);
	if (depth > 64)
		die("tmpcopyup: %s: more than 64 directories deep", where);
	while ((errno = 0, e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			copy_entry(from, to, e->d_name, where, depth);
	if (errno)
		die_errno("tmpcopyup: readdir %s", where);
	closedir(d);
}

static void copy_file(int from, int to, const char *name, const struct stat *st, const char *where)
{
	int in = openat(from, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	int out = openat(to, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			 st->st_mode & 07777);
	ssize_t n;

	if (in < 0 || out < 0)
		die_errno("tmpcopyup: open %s/%s", where, name);
	do
		n = sendfile(out, in, NULL, 1 << 20);
	while (n > 0 || (n < 0 && errno == EINTR));
	if (n < 0)
		die_errno("tmpcopyup: copy %s/%s (sendfile; the tmpfs full?)", where, name);
	close(in);
	if (close(out) < 0)
		die_errno("tmpcopyup: close %s/%s", where, name);
}

static void copy_entry(int from, int to, const char *name, const char *where, int depth)
{
	char link[PATH_MAX];
	struct stat st;
	ssize_t n;
	int a, b;

	if (fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		die_errno("tmpcopyup: stat %s/%s", where, name);
	switch (st.st_mode & S_IFMT) {
	case S_IFDIR:
		if (mkdirat(to, name, 0700) < 0)
			die_errno("tmpcopyup: mkdir %s/%s", where, name);
		a = openat(from, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		b = openat(to, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (a < 0 || b < 0)
			die_errno("tmpcopyup: open %s/%s", where, name);
		copy_dir(a, b, where, depth + 1);
		close(a);
		close(b);
		break;
	case S_IFLNK:
		n = readlinkat(from, name, link, sizeof(link) - 1);
		if (n < 0)
			die_errno("tmpcopyup: readlink %s/%s", where, name);
		link[n] = '\0';
		if (symlinkat(link, to, name) < 0)
			die_errno("tmpcopyup: symlink %s/%s", where, name);
		break;
	case S_IFREG:
		copy_file(from, to, name, &st, where);
		break;
	default: /* fifos, sockets, devices: the node itself */
		if (mknodat(to, name, st.st_mode, st.st_rdev) < 0)
			die_errno("tmpcopyup: mknod %s/%s", where, name);
	}
	if (fchownat(to, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
	    (!S_ISLNK(st.st_mode) && fchmodat(to, name, st.st_mode & 07777, 0) < 0))
		die_errno("tmpcopyup: chown/chmod %s/%s", where, name);
}

/* A new file system for M, attached nowhere yet: fsopen, one fsconfig per
 * option of "options" that is not a flag, fsmount with the flags. */
static int new_fs(const struct spec_mount *m, const char *type, size_t index)
{
	char data[sizeof(m->data)], *save = NULL;
	const char *options[sizeof(m->data) / 2 + 3], *call;
	size_t n = 0;
	int tree;

	snprintf(data, sizeof(data), "%s", m->data);
	for (char *o = strtok_r(data, ",", &save); o; o = strtok_r(NULL, ",", &save))
		options[n++] = o;
	if (m->flags & MS_SYNCHRONOUS)
		options[n++] = "sync";
	if (m->flags & MS_DIRSYNC)
		options[n++] = "dirsync";
	options[n] = NULL;
	tree = rootfs_new_fs(type, m->source ? m->source : type, options,
			     mount_attrs(m->flags).attr_set, &call);
	if (tree < 0 && strcmp(type, "sysfs") == 0)
		die_errno_hint("sysfs needs a network namespace of the container's own",
			       "mounts[%zu]: %s(\"sysfs\") for %s", index, call, m->destination);
	if (tree < 0)
		die_errno("mounts[%zu]: %s(\"%s\") for %s (options \"%s\")", index, call, type,
			  m->destination, m->data);
	return tree;
}

/* A copy of the bind mount's source (of the mounts below it too for
 * rbind), as the host has it, with "options" flags set on the copy alone
 * and the recursive ones (rro, ...) on every mount of it. */
static int copy_source(const struct spec_mount *m, size_t index)
{
	struct mount_attr attr = mount_attrs(m->flags),
			  rec = { .attr_set = m->rec_set, .attr_clr = m->rec_clr };
	int tree =
	    open_tree(AT_FDCWD, m->source,
		      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (m->recursive ? AT_RECURSIVE : 0));

	if (tree < 0)
		die_errno("mounts[%zu]: open_tree(\"%s\", OPEN_TREE_CLONE%s)", index, m->source,
			  m->recursive ? "|AT_RECURSIVE" : "");
	if ((attr.attr_set || attr.attr_clr) &&
	    mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		die_errno("mounts[%zu]: mount_setattr(copy of %s, %#llx)", index, m->source,
			  (unsigned long long)attr.attr_set);
	if ((rec.attr_set || rec.attr_clr) &&
	    mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &rec, sizeof(rec)) < 0)
		die_errno_hint("a mount below it may be locked (a user namespace's)",
			       "mounts[%zu]: mount_setattr(copy of %s, AT_RECURSIVE, set %#llx, "
			       "clear %#llx)",
			       index, m->source, (unsigned long long)rec.attr_set,
			       (unsigned long long)rec.attr_clr);
	return tree;
}

/*
 * One entry of "mounts". A bind mount copies a host path (resolved on
 * the host: the client named it there), a new file system is made; either
 * is a mount attached nowhere, given its flags, its contents (tmpcopyup)
 * and its propagation, then attached onto the destination opened once
 * inside the rootfs (rootfs_attach). No path is looked up again after
 * the mount: a link swapped in for the destination meanwhile changes
 * nothing (CVE-2021-30465).
 */
static void mount_entry(int root, const struct spec_mount *m, size_t index, const char *own_cgroups)
{
	struct mount_attr prop = { .propagation = m->propagation & ~MS_REC };
	const char *type = m->type, *call;
	int tree = -1, target;
	struct statfs fs;

	if (type && strcmp(type, "cgroup") == 0 && cgroup_detect() != CGROUP_V2)
		type = NULL; /* mount_cgroup_v1 */
	else if (type && strcmp(type, "cgroup") == 0)
		type = "cgroup2";
	if (m->bind)
		tree = copy_source(m, index);
	else if (type)
		tree = new_fs(m, type, index);
	target = mount_target(root, m, tree);
	/* spec.c refused a "destination" inside /proc by its name; a link in
	 * the rootfs may still lead into the procfs mounted before: the
	 * target is checked too (runc's checkProcMount, on the resolved path). */
	if (fstatfs(target, &fs) < 0)
		die_errno("mounts[%zu]: fstatfs %s", index, m->destination);
	if (fs.f_type == PROC_SUPER_MAGIC && !m->proc_ok)
		die("mounts[%zu]: \"destination\" %s leads inside /proc (a link in the rootfs): "
		    "refused, as runc's checkProcMount",
		    index, m->destination);
	if (tree < 0) {
		mount_cgroup_v1(target, m, own_cgroups);
		close(target);
		return;
	}
	if (m->tmpcopyup)
		copy_dir(target, tree, m->destination, 0);
	if (rootfs_attach(tree, &prop, m->propagation & MS_REC ? AT_RECURSIVE : 0, target, &call) <
	    0)
		die_errno("mounts[%zu]: %s %s onto %s", index, call, m->bind ? m->source : type,
			  m->destination);
	trace("%s(\"%s\")%s, mount_setattr(%#lx), move_mount onto %s (found by %s) = 0",
	      m->bind ? "open_tree" : "fsopen", m->bind ? m->source : type,
	      m->tmpcopyup ? ", tmpcopyup" : "", m->flags, m->destination, rootfs_resolver());
	close(tree);
	close(target);
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

/* --- hooks, in the container's first process ---------------------------- */

/* The state the container's own hooks see: their pid is the container's. */
static void child_hook_state(const struct oci_container *c, const char *status,
			     struct hook_state *st)
{
	*st = (struct hook_state){ .version = OCI_VERSION,
				   .id = c->id,
				   .status = status,
				   .bundle = c->bundle_path,
				   .pid = getpid(),
				   .annotations = c->spec.annotations };
}

/*
 * The mounts are made, pivot_root is next: the runtime's hooks (prestart,
 * createRuntime) run now, in our parent, while we wait; then the
 * createContainer hooks, here: in the container's namespaces (its mount
 * namespace, where the host's tree is still reachable: their path is a
 * host path), before pivot_root. runc: rootfs_linux.go prepareRootfs,
 * syncParentHooks then Hooks.Run(CreateContainer).
 */
static void run_container_hooks(struct oci_container *c)
{
	struct hook_state st;
	char byte = 'H', why[512];

	if (c->hooks_sync[0] >= 0) {
		close(c->hooks_sync[0]);
		if (write(c->hooks_sync[1], &byte, 1) != 1)
			die_errno("write (asking create for the prestart/createRuntime hooks)");
		if (read(c->hooks_sync[1], &byte, 1) != 1)
			_exit(EXIT_RUNTIME); /* create failed, and said why */
		close(c->hooks_sync[1]);
	}
	child_hook_state(c, "creating", &st);
	if (hooks_run(&c->spec, SPEC_HOOK_CREATE_CONTAINER, &st, why, sizeof(why)) < 0)
		die("create: %s", why);
}

/*
 * After `start`, as the command will be (its user, capabilities, cwd,
 * no_new_privs, seccomp filter; runc's order), in the container's root:
 * the startContainer hooks, their path one of the image's. A failure is
 * start's: CONN tells it (START_HOOK_FAILED, then why), and the
 * container stops. runc: standard_init_linux.go, Hooks.Run(StartContainer)
 * just before its execve.
 */
#define START_HOOK_FAILED (-1) /* not an errno: what start reads instead of one */

static void run_start_hooks(struct oci_container *c, int conn)
{
	struct exec_error e = { .err = START_HOOK_FAILED };
	struct hook_state st;
	size_t size;

	child_hook_state(c, "created", &st);
	if (hooks_run(&c->spec, SPEC_HOOK_START_CONTAINER, &st, e.path, sizeof(e.path)) == 0)
		return;
	size = offsetof(struct exec_error, path) + strlen(e.path) + 1;
	if (write(conn, &e, size) != (ssize_t)size)
		warn_errno("write (telling start)");
	die("start: %s", e.path);
}
static void setup_rootfs(struct oci_container *c)
{
	const struct spec *s = &c->spec;
	unsigned long early = s->rootfs_propagation & (MS_SHARED | MS_UNBINDABLE)
				  ? MS_SLAVE | MS_REC
				  : s->rootfs_propagation;
	int root, slash;

	/* Nothing we mount may travel back to the host (step04). Shared and
	 * unbindable are for the container's root, after pivot_root: until
	 * then slaves (an unbindable "/" would refuse every bind of a host
	 * path on it, EINVAL). */
	if (mount(NULL, "/", NULL, early, NULL) < 0)
		die_errno("mount(\"/\", linux.rootfsPropagation %#lx)", early);
	trace("mount(\"/\", NULL, NULL, %#lx) = 0", early);
	root = bind_root(c);
	for (size_t i = 0; i < s->nmounts; i++)
		mount_entry(root, &s->mounts[i], i, c->own_cgroups);
	make_dev(root, c);
	run_container_hooks(c);
	rootfs_pivot(root);
	close(root);
	/* The root is ours now: shared or unbindable as asked, as runc does
	 * after pivot_root (private and slave it is already). */
	if (s->rootfs_propagation & (MS_SHARED | MS_UNBINDABLE)) {
		if (mount(NULL, "/", NULL, s->rootfs_propagation, NULL) < 0)
			die_errno("mount(\"/\", linux.rootfsPropagation %#lx)",
				  s->rootfs_propagation);
		trace("mount(\"/\", NULL, NULL, %#lx) = 0 (after pivot_root)",
		      s->rootfs_propagation);
	}
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
	run_start_hooks(c, conn);
	exec_process(c->program, c->argv, c->spec.process.env, conn);
}

static int oci_child(void *arg)
{
	struct oci_container *c = arg;

	log_set_role("init");
	log_set_exit(_exit);
	/* Until execve gives it the program's: start tells by it whether
	 * execve was reached (await_execve). */
	if (prctl(PR_SET_NAME, INIT_COMM, 0, 0, 0) < 0)
		die_errno("prctl(PR_SET_NAME, %s)", INIT_COMM);
	close(c->ready[0]);
	/* The lock is on the open file, which we share: while we held it,
	 * `start` would wait for us, and we for it. */
	for (int i = 0; i < 3; i++)
		close(c->runtime_fds[i]);
	if (sync_wait(&c->sync) < 0)
		_exit(EXIT_RUNTIME);
	if (c->spec.clone_flags & CLONE_NEWUSER)
		become_root_ids();
	join_namespaces_by_path(c);
	for (size_t i = 0; i < c->spec.nnamespaces; i++)
		if (c->ns_fds[i] >= 0)
			close(c->ns_fds[i]);
	/* What a v1 /sys/fs/cgroup binds is our cgroups as the host's tree
	 * names them: read before our cgroup namespace, made now that we
	 * are in our cgroups, names them all "/". (On v2 the clone made
	 * it, and a cgroup2 mount needs no such list.) */
	c->own_cgroups = read_file_alloc("/proc/self/cgroup", NULL);
	if (!c->own_cgroups)
		die_errno("read /proc/self/cgroup");
	if (c->unshare_cgroupns) {
		if (unshare(CLONE_NEWCGROUP) < 0)
			die_errno("unshare(CLONE_NEWCGROUP)");
		trace("unshare(CLONE_NEWCGROUP) = 0");
	}
	if (c->spec.hostname && *c->spec.hostname &&
	    sethostname(c->spec.hostname, strlen(c->spec.hostname)) < 0)
		die_errno("sethostname(\"%s\")", c->spec.hostname);
	setup_rootfs(c);
	/* The rootfs as the host sees it: no fd of the host's is left open
	 * when process.cwd is resolved (CVE-2024-21626). */
	close(c->rootfs_fd);
	if (c->console >= 0)
		attach_console(c->console);
	else if (setsid() < 0)
		die_errno("setsid");
	prepare_process(&c->spec.process, c->seccomp);
	if (!find_program(c->argv[0], c->spec.process.env, c->program, sizeof(c->program)))
		die("process.args[0]: %s: executable file not found in the container's $PATH",
		    c->argv[0]);
	wait_for_start(c);
}

/* --- create's parent ----------------------------------------------------- */

/* root.path: relative to the bundle (containerd's "rootfs") or absolute
 * (podman's overlay mount); a directory, and not the host's own /. */
static int open_rootfs(int bundle_fd, const char *bundle, const char *path)
{
	struct stat st, host;
	int fd;

	if (path[0] != '/' && path_has_dotdot(path))
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

/* --- hooks, in the runtime ---------------------------------------------- */

/* The container create is making: if create fails, its poststop hooks run. */
static const struct oci_container *creating;

/* Before clone: the bundle as the hooks' state names it, and the channel
 * on which the child asks for the runtime's hooks (if there are any). */
static void prepare_hooks(struct oci_container *c, const char *bundle)
{
	c->hooks_sync[0] = c->hooks_sync[1] = -1;
	if (!realpath(bundle, c->bundle_path))
		die_errno("realpath %s (--bundle)", bundle);
	if ((c->spec.nhooks[SPEC_HOOK_PRESTART] || c->spec.nhooks[SPEC_HOOK_CREATE_RUNTIME]) &&
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, c->hooks_sync) < 0)
		die_errno("socketpair (the hooks' channel)");
	creating = c;
}

/*
 * prestart, then createRuntime: here, in the runtime's namespaces, once
 * the child has made its mounts and waits before pivot_root ("H"); the
 * pid is the host's. A failure is create's: we die, and undo_create
 * kills the child and removes what was made. runc: process_linux.go,
 * (*initProcess).start(), its case procHooks.
 */
static void run_runtime_hooks(struct oci_container *c, pid_t pid)
{
	struct hook_state st = { .version = OCI_VERSION,
				 .id = c->id,
				 .status = "creating",
				 .bundle = c->bundle_path,
				 .pid = pid,
				 .annotations = c->spec.annotations };
	char byte, why[512];

	if (c->hooks_sync[0] < 0)
		return;
	close(c->hooks_sync[1]);
	/* EOF: the child failed before its mounts were made; the ready pipe
	 * is read next, and says so. */
	if (read(c->hooks_sync[0], &byte, 1) != 1)
		return;
	if (hooks_run(&c->spec, SPEC_HOOK_PRESTART, &st, why, sizeof(why)) < 0 ||
	    hooks_run(&c->spec, SPEC_HOOK_CREATE_RUNTIME, &st, why, sizeof(why)) < 0)
		die("create: %s", why);
	byte = 'G';
	if (write(c->hooks_sync[0], &byte, 1) != 1)
		die_errno("write (telling the child the hooks ran)");
	close(c->hooks_sync[0]);
}

/* The state of a container create made, from state.json, for the hooks
 * that run in the runtime after create (poststart, poststop). */
static void saved_hook_state(const struct oci_state *st, const char *id, const char *status,
			     struct hook_state *hs)
{
	json_object *annotations = NULL;

	json_object_object_get_ex(st->doc, "annotations", &annotations);
	*hs = (struct hook_state){ .version = OCI_VERSION,
				   .id = id,
				   .status = status,
				   .bundle = st->bundle ? st->bundle : "",
				   .pid = strcmp(status, "stopped") ? st->pid : 0,
				   .annotations = annotations };
}

/* config.json as create saved it in ROOT/ID: the hooks are in it. */
static struct spec *saved_config(const struct oci_state *st, const char *id)
{
	struct spec *s = calloc(1, sizeof(*s));

	if (!s)
		die_errno("calloc");
	spec_load_config(s, st->dir, id);
	return s;
}

/* The command runs: poststart, before start returns; a failure is a
 * warning (runtime-spec 1.0.2, runtime.md "Lifecycle" step 9). */
static void run_poststart_hooks(const struct oci_state *st, const char *id)
{
	struct hook_state hs;

	saved_hook_state(st, id, status_of(st), &hs);
	hooks_run(saved_config(st, id), SPEC_HOOK_POSTSTART, &hs, NULL, 0);
}

/* The container is gone (its process, cgroup and state): poststop, before
 * delete returns; a failure is a warning. */
static void run_poststop_hooks(const struct spec *config, const struct oci_state *st,
			       const char *id)
{
	struct hook_state hs;

	saved_hook_state(st, id, "stopped", &hs);
	hooks_run(config, SPEC_HOOK_POSTSTOP, &hs, NULL, 0);
}

/* On a failed create: nothing of it stays. */
static struct {
	const char *id;
	int root;
	struct cgroup *cgroup;
	pid_t child;
} undo;

/* create failed once the container existed: the lifecycle goes on to
 * its end, the poststop hooks (runtime.md, "Lifecycle", 12 and 13). */
static void poststop_after_failed_create(void)
{
	struct hook_state st = { .version = OCI_VERSION,
				 .id = creating->id,
				 .status = "stopped",
				 .bundle = creating->bundle_path,
				 .annotations = creating->spec.annotations };

	hooks_run(&creating->spec, SPEC_HOOK_POSTSTOP, &st, NULL, 0);
}

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
	if (undo.child > 0)
		poststop_after_failed_create();
}

/*
 * The first process is made as run's (main.c's start_child): on v2 born
 * in its cgroup, with its cgroup namespace rooted there by the same
 * clone3 (CLONE_INTO_CGROUP|CLONE_NEWCGROUP); elsewhere cloned, moved by
 * us, and it unshares its cgroup namespace after the move (oci_child).
 * *FLAGS: what the clone had, for the trace and an error.
 */
static pid_t start_init(struct oci_container *c, int *flags)
{
	int cgroupns = *flags & CLONE_NEWCGROUP;

	if (c->cgroup.fd >= 0) {
		pid_t pid;

		/* Set before the clone: the child's copy of c tells it so. */
		c->in_cgroup = true;
		pid = clone_into_cgroup(oci_child, c, *flags, c->cgroup.fd);
		if (pid >= 0 || (errno != ENOSYS && errno != E2BIG))
			return pid;
		c->in_cgroup = false;
	}
	*flags &= ~CLONE_NEWCGROUP;
	c->unshare_cgroupns = cgroupns;
	return clone_child(oci_child, c, *flags);
}

/* The record, as step10's own (state.c): status "created" until start
 * (status_of asks the process), and the bundle and annotations, which
 * only an OCI container has. */
static void record_created(struct oci_container *c, int dir, const char *bundle, pid_t pid)
{
	struct state_record r = { .pid = pid, .exit_code = -1 };
	char abs_bundle[PATH_MAX], where[PATH_MAX + OCI_ID_MAX + 2];
	struct timespec now;
	json_object *doc;

	if (!realpath(bundle, abs_bundle))
		die_errno("realpath %s", bundle);
	clock_gettime(CLOCK_REALTIME, &now);
	snprintf(r.id, sizeof(r.id), "%s", c->id);
	snprintf(r.status, sizeof(r.status), "created");
	r.created = now.tv_sec;
	r.created_nsec = now.tv_nsec;
	r.start_time = proc_start_time(pid);
	r.userns = c->spec.clone_flags & CLONE_NEWUSER;
	for (int i = 0; i < c->cgroup.ndirs && i < STATE_MAX_CGROUPS; i++)
		snprintf(r.cgroups[r.ncgroups++], PATH_MAX, "%s", c->cgroup.dirs[i]);
	doc = state_record_json(&r);
	json_object_object_add(doc, "bundle", json_object_new_string(abs_bundle));
	json_object_object_add(doc, "annotations",
			       c->spec.annotations ? json_object_get(c->spec.annotations)
						   : json_object_new_object());
	snprintf(where, sizeof(where), "%s/%s", oci_root, c->id);
	state_write(dir, where, doc);
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
	prepare_hooks(&c, bundle);

	if (c.spec.process.has_oom_score_adj)
		set_oom_score_adj(c.spec.process.oom_score_adj, "process.oomScoreAdj");
	flags = c.spec.clone_flags;
	pid = start_init(&c, &flags);
	if (pid < 0) {
		int err = errno; /* userns_hint reads files: keep clone's errno */
		const char *hint = flags & CLONE_NEWUSER ? userns_hint() : "";

		errno = err;
		die_errno_hint(hint, "%s%s)", c.in_cgroup ? "clone3(CLONE_INTO_CGROUP|" : "clone(",
			       clone_flags_name(flags, names, sizeof(names)));
	}
	undo.child = pid;
	trace("%s%s) = %d", c.in_cgroup ? "clone3(CLONE_INTO_CGROUP|" : "clone(",
	      clone_flags_name(flags, names, sizeof(names)), (int)pid);
	close(c.ready[1]);
	if (flags & CLONE_NEWUSER) {
		/* linux.uidMappings and gidMappings, as run writes its own */
		write_map(pid, "uid_map", c.spec.uid_map);
		write_map(pid, "gid_map", c.spec.gid_map);
	}
	if (!c.in_cgroup)
		cgroup_enter(&c.cgroup, pid);
	if (sync_release(&c.sync) < 0)
		die_errno("releasing the child");
	run_runtime_hooks(&c, pid);
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

/*
 * The start socket is closed without a word: did the first process reach
 * execve, or die before it (a seccomp filter's kill, a failure it told
 * its stderr)? An exiting process loses its memory (exit_mm) before its
 * fds (exit_files), while execve has the new program's in place when it
 * closes them: /proc/PID/exe still resolves after an execve. Without
 * one, it has ended; its name says whether execve came first (INIT_COMM
 * until then). If it has been reaped already, nothing says: taken as
 * started. *STATUS: its wait status, or -1.
 */
static bool died_before_execve(const struct oci_state *st, int pidfd, int *status)
{
	char path[64], exe[PATH_MAX], comm[32];
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	bool has_exe;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)st->pid);
	has_exe = readlink(path, exe, sizeof(exe)) >= 0;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)st->pid);
	if (read_file(path, comm, sizeof(comm)) < 0 || proc_start_time(st->pid) != st->start_time)
		return false;
	if (has_exe || strcmp(comm, INIT_COMM "\n") != 0)
		return false;
	/* Exiting: once a zombie (its pidfd readable), stat has its status. */
	if (pidfd >= 0 && poll(&p, 1, 2000) < 0)
		warn_errno("poll (pidfd of pid %d)", (int)st->pid);
	*status = (int)proc_stat_field(st->pid, 52);
	if (proc_start_time(st->pid) != st->start_time)
		*status = -1;
	return true;
}

/* ptrace(2) for the requests with no address and a number for data
 * (SEIZE's options, CONT's signal), as the system call takes them. */
static long ptrace_request(int request, pid_t pid, unsigned long data)
{
	return syscall(SYS_ptrace, request, pid, 0UL, data);
}

/*
 * start as the first process's tracer, from before the connect until its
 * execve (PTRACE_SEIZE with PTRACE_O_TRACEEXEC): the kernel stops it at a
 * successful execve and tells us, and when it dies first it tells us
 * before anyone else; a dead tracee is a zombie only its tracer can see
 * until the tracer has waited for it (wait(2) in the monitor that is its
 * parent, conmon or containerd's shim, sees nothing until then). So
 * "died before execve" never races with a reaper. false: it cannot be
 * traced here (ptrace denied: Yama's ptrace_scope 3, no CAP_SYS_PTRACE in
 * a container), and start looks at /proc instead (died_before_execve).
 */
static bool trace_first_process(const struct oci_state *st)
{
	/* Only with CAP_SYS_PTRACE: the kernel lets a tracer without it
	 * attach to a process of its own uid, but then an execve of a
	 * setuid program or one with file capabilities would gain nothing
	 * (LSM_UNSAFE_PTRACE), and the command would run with less. */
	if (!(caps_effective() & CAPS_BIT(CAP_SYS_PTRACE))) {
		trace("no CAP_SYS_PTRACE: whether pid %d reaches execve is read from /proc",
		      (int)st->pid);
		return false;
	}
	if (ptrace_request(PTRACE_SEIZE, st->pid, PTRACE_O_TRACEEXEC) < 0) {
		trace("ptrace(PTRACE_SEIZE, %d): %s: whether it reaches execve is read from "
		      "/proc instead",
		      (int)st->pid, strerror(errno));
		return false;
	}
	/* the pid, checked by open_init, might have been reused since */
	if (proc_start_time(st->pid) != st->start_time)
		die("container's first process (pid %d) has ended (our exit detaches what we "
		    "seized)",
		    (int)st->pid);
	trace("ptrace(PTRACE_SEIZE, %d, PTRACE_O_TRACEEXEC) = 0: its execve, or its end "
	      "before, is reported to us first",
	      (int)st->pid);
	return true;
}

#define EXECVE_DONE (-1)

/* A stop in which the tracee stays stopped (PTRACE_LISTEN): a group stop,
 * by one of the four stopping signals. Any other PTRACE_EVENT_STOP (the
 * one that follows a SIGCONT reports SIGTRAP) is resumed. */
static bool is_group_stop(int status)
{
	int sig = WSTOPSIG(status);

	return status >> 16 == PTRACE_EVENT_STOP &&
	       (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU);
}

/* Wait for the traced process's execve (EXECVE_DONE, and it goes on
 * untraced) or its end (its wait status). Other stops are its own: a
 * signal (a hook's SIGCHLD, a client's SIGTERM) is passed on, a group
 * stop (SIGSTOP) kept until a SIGCONT. */
static int wait_for_execve(pid_t pid, const char *id)
{
	int status, sig;

	for (;;) {
		if (waitpid(pid, &status, __WALL) < 0) {
			if (errno == EINTR)
				continue;
			die_errno("waitpid(%d) (container %s's first process, traced)", (int)pid,
				  id);
		}
		if (!WIFSTOPPED(status))
			return status;
		if (status >> 8 == (SIGTRAP | (PTRACE_EVENT_EXEC << 8))) {
			/* ESRCH: killed since, but after its execve */
			if (ptrace_request(PTRACE_DETACH, pid, 0) < 0 && errno != ESRCH)
				die_errno("ptrace(PTRACE_DETACH, %d) after its execve", (int)pid);
			trace("waitpid(%d) = PTRACE_EVENT_EXEC: execve done; ptrace(PTRACE_DETACH) "
			      "= 0",
			      (int)pid);
			return EXECVE_DONE;
		}
		if (is_group_stop(status)) {
			if (ptrace_request(PTRACE_LISTEN, pid, 0) < 0 && errno != ESRCH)
				die_errno("ptrace(PTRACE_LISTEN, %d) (a group stop)", (int)pid);
			continue;
		}
		/* a signal-delivery stop passes its signal on; an event stop
		 * (the one after a SIGCONT) has none to pass */
		sig = status >> 16 == PTRACE_EVENT_STOP ? 0 : WSTOPSIG(status);
		if (ptrace_request(PTRACE_CONT, pid, (unsigned long)sig) < 0 && errno != ESRCH)
			die_errno("ptrace(PTRACE_CONT, %d, signal %d) (passing its signal on)",
				  (int)pid, sig);
	}
}

/* After start's connect: the process's own report of a failed execve,
 * or its end before execve, is start's failure. TRACED: start is its
 * tracer (trace_first_process); else /proc is all there is to look at. */
static void await_execve(int conn, const struct oci_state *st, const char *id, bool traced)
{
	int pidfd = -1, status = -1;
	struct exec_error e;
	char what[64];
	const char *why = "";

	if (traced) {
		status = wait_for_execve(st->pid, id);
	} else {
		/* ESRCH: it is gone already (reaped, its pid perhaps another's
		 * by now: the start time is checked), and /proc says so */
		pidfd = pidfd_open_started(st->pid, st->start_time);
		if (pidfd < 0 && errno != ESRCH)
			die_errno("pidfd_open(%d) (container %s's process)", (int)st->pid, id);
	}
	if (read_exec_error(conn, &e)) {
		if (e.err == START_HOOK_FAILED)
			die("start: container %s: %s; the container stopped", id, e.path);
		errno = e.err;
		die_errno("container %s: its process could not execute %s", id, e.path);
	}
	if (traced ? status == EXECVE_DONE : !died_before_execve(st, pidfd, &status)) {
		if (pidfd >= 0)
			close(pidfd);
		return;
	}
	snprintf(what, sizeof(what), "ended");
	if (status >= 0 && WIFSIGNALED(status)) {
		snprintf(what, sizeof(what), "was killed by SIG%s", sigabbrev_np(WTERMSIG(status)));
		if (WTERMSIG(status) == SIGSYS)
			why = " (a kill action of linux.seccomp, on execve or on a system call "
			      "the runtime makes after loading the filter)";
	} else if (status >= 0 && WIFEXITED(status)) {
		snprintf(what, sizeof(what), "exited with status %d", WEXITSTATUS(status));
		why = " (the container's stderr says why)";
	}
	die("container %s: its process %s before execve of process.args[0]%s", id, what, why);
}

static int cmd_start(int argc, char **argv)
{
	struct oci_state st;
	const char *id;
	int root, conn;
	bool traced;

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
	traced = trace_first_process(&st);
	conn = start_socket(st.dir, false);
	if (unlinkat(st.dir, START_SOCKET, 0) < 0)
		die_errno("unlink %s/%s/%s", oci_root, id, START_SOCKET);
	trace("connect %s/%s/%s: pid %d goes on to execve", oci_root, id, START_SOCKET,
	      (int)st.pid);
	await_execve(conn, &st, id, traced);
	run_poststart_hooks(&st, id);
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

static int cmd_oci_kill(int argc, char **argv)
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
	if (argc - first == 2 && (sig = parse_signal(argv[first + 1])) < 0)
		usage_error("kill: %s is not a signal", argv[first + 1]);
	if (check_id(argv[first]) || (root = open_root(false)) < 0)
		die("container %s does not exist", argv[first]);
	load_state(lock_container(root, argv[first]), argv[first], &st);
	pidfd = open_init(&st);
	if (all) {
		if (cgroup_signal(&st.cgroup, sig) < 0)
			die_errno("kill --all: reading the members of %s", st.cgroup.dirs[0]);
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
	struct spec *config;
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
	config = saved_config(&st, argv[first]);
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
	run_poststop_hooks(config, &st, argv[first]);
	return 0;
}

/* --- exec: one more process in the container ----------------------------- */

/*
 * process.json, joined to the container by step 10's own exec (exec.c):
 * the same joiner, the same order, with this process's user and the
 * container's seccomp filter instead of the command line's hardening.
 */
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
	struct exec_request req = { .console = -1 };
	const char *process = NULL, *console = NULL, *id;
	struct spec_process p;
	struct spec config; /* the container's, as create saved it */
	struct oci_state st;
	json_object *doc;
	int opt, root;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+dt", options, NULL)) != -1) {
		switch (opt) {
		case 'p':
			process = optarg;
			break;
		case 'd':
			req.detach = true;
			break;
		case 'P':
			req.pid_file = optarg;
			break;
		case 't':
			req.tty = true; /* a terminal, through the console socket */
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
	if (check_id(id) || (root = open_root(false)) < 0)
		die("container %s does not exist", id);
	spec_load_process(&p, &doc, process);
	if (req.tty)
		p.terminal = true;
	req.tty = false; /* the client's to relay, not ours */
	if (p.terminal != (console != NULL))
		die("a terminal (process.terminal or --tty) goes with --console-socket");
	load_state(lock_container(root, id), id, &st);
	req.host_fds[0] = root;
	req.host_fds[1] = st.dir;
	/* The container's seccomp filter applies to what joins it, too. */
	spec_load_config(&config, st.dir, id);
	req.seccomp = spec_seccomp_build(config.seccomp);
	req.pidfd = open_init(&st);
	if (req.pidfd < 0 || is_created(&st))
		die("container %s is not running", id);
	if (st.cgroup.ndirs && cgroup_is_frozen(&st.cgroup))
		refuse_status("exec", id, "running", "paused");
	req.pid = st.pid;
	req.cgroup = &st.cgroup;
	req.process = &p;
	if (console)
		req.console = connect_unix(console);
	/* Its own, or else the container's, as runc's exec. */
	if (p.has_oom_score_adj)
		set_oom_score_adj(p.oom_score_adj, "oomScoreAdj");
	else if (config.process.has_oom_score_adj)
		set_oom_score_adj(config.process.oom_score_adj, "process.oomScoreAdj");
	return exec_in_container(&req);
}

/* --- pause, resume, update, ps, events: a running container's cgroup ---- */

/* ID's state record, locked, as the commands above take it. */
static void open_container(const char *id, struct oci_state *st)
{
	int root;

	if (check_id(id) || (root = open_root(false)) < 0)
		die("container %s does not exist", id);
	load_state(lock_container(root, id), id, st);
}

/* A state change runc refuses ("container not running"): exit 1. */
/*
 * pause, resume: the freezer, as step10's own pause (commands.c,
 * pause_cgroup). As runc, only a running container is paused and only a
 * paused one resumed; `state` says "paused" by asking the freezer.
 */
static int cmd_oci_pause(int argc, char **argv)
{
	bool on = strcmp(argv[0], "pause") == 0;
	const char *want = on ? "running" : "paused", *status;
	struct oci_state st;

	if (argc != 2)
		usage_error("%s: one container ID (usage: run %s ID)", argv[0], argv[0]);
	open_container(argv[1], &st);
	status = status_of(&st);
	if (strcmp(status, want) != 0)
		refuse_status(argv[0], argv[1], want, status);
	pause_cgroup(&st.cgroup, on, argv[1]);
	trace("%s %s: its cgroup %s", argv[0], argv[1], on ? "frozen" : "thawed");
	return 0;
}

/*
 * runc update's flags, each the linux.resources field it stands for
 * (runc: update.go, updateCommand): the same parser as config.json's
 * (spec.c) reads them. --cpu-shares is accepted for runc's --cpu-share.
 */
enum update_kind { UPDATE_SIZE, UPDATE_NUMBER, UPDATE_TEXT };

static const struct update_flag {
	const char *flag, *object, *key;
	enum update_kind kind;
} update_flags[] = {
	{ "memory", "memory", "limit", UPDATE_SIZE },
	{ "memory-swap", "memory", "swap", UPDATE_SIZE },
	{ "memory-reservation", "memory", "reservation", UPDATE_SIZE },
	{ "cpu-share", "cpu", "shares", UPDATE_NUMBER },
	{ "cpu-shares", "cpu", "shares", UPDATE_NUMBER },
	{ "cpu-quota", "cpu", "quota", UPDATE_NUMBER },
	{ "cpu-period", "cpu", "period", UPDATE_NUMBER },
	{ "cpuset-cpus", "cpu", "cpus", UPDATE_TEXT },
	{ "cpuset-mems", "cpu", "mems", UPDATE_TEXT },
	{ "pids-limit", "pids", "limit", UPDATE_NUMBER },
	{ "blkio-weight", "blockIO", "weight", UPDATE_NUMBER },
};
#define NUPDATE_FLAGS (sizeof(update_flags) / sizeof(update_flags[0]))

/* --FLAG VALUE into RES, as {"memory": {"limit": N}}. A size as runc takes
 * it ("64M", or -1: unlimited), a number, or a CPU list. */
static void add_update_flag(json_object *res, const struct update_flag *f, const char *value)
{
	json_object *obj;
	uint64_t size;
	char *end;
	long long n;

	if (!json_object_object_get_ex(res, f->object, &obj)) {
		obj = json_object_new_object();
		json_object_object_add(res, f->object, obj);
	}
	if (f->kind == UPDATE_TEXT) {
		json_object_object_add(obj, f->key, json_object_new_string(value));
		return;
	}
	/* config.json's -1 is "no limit", which create leaves as the kernel
	 * has it; lifting a limit already written is not in stepbox. */
	if (strcmp(value, "-1") == 0)
		usage_error("update: --%s -1 (no limit): not supported by stepbox; give a limit",
			    f->flag);
	errno = 0;
	n = strtoll(value, &end, 10);
	if (f->kind == UPDATE_SIZE) {
		if (parse_size(value, &size) < 0 || size > INT64_MAX)
			usage_error("update: --%s %s: a size in bytes (64M, 1G)", f->flag, value);
		n = (long long)size;
	} else if (errno || end == value || *end) {
		usage_error("update: --%s %s: not a number", f->flag, value);
	}
	json_object_object_add(obj, f->key, json_object_new_int64(n));
}

/* --resources FILE ("-": stdin): a linux.resources object. */
static json_object *read_resources_file(const char *path)
{
	json_object *res = strcmp(path, "-") == 0 ? json_object_from_fd(STDIN_FILENO)
						  : json_object_from_file(path);

	if (!res)
		die("update --resources %s: %s", path, json_util_get_last_err());
	if (!json_object_is_type(res, json_type_object))
		die("update --resources %s: not a JSON object (linux.resources: {\"memory\": "
		    "{\"limit\": N}, ...})",
		    path);
	return res;
}

/*
 * update: new limits for a container's cgroup, from --resources or the
 * flags, read by create's own parser (spec.c) and written by create's
 * own code (cgroup.c, cgroup_set_limits); a limit not named stays.
 */
static int cmd_update(int argc, char **argv)
{
	static const char usage[] = "update [--resources FILE|-] [--memory N] [--memory-swap N] "
				    "[--memory-reservation N] [--cpu-share N] [--cpu-quota N] "
				    "[--cpu-period N] [--cpuset-cpus L] [--cpuset-mems L] "
				    "[--pids-limit N] [--blkio-weight N] ID";
	struct option options[NUPDATE_FLAGS + 2] = {
		{ "resources", required_argument, NULL, 'r' },
	};
	json_object *res = json_object_new_object();
	const char *file = NULL, *status;
	struct spec spec;
	struct oci_state st;
	int opt;

	for (size_t i = 0; i < NUPDATE_FLAGS; i++)
		options[i + 1] =
		    (struct option){ update_flags[i].flag, required_argument, NULL, 256 + (int)i };
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+r:", options, NULL)) != -1) {
		if (opt == 'r')
			file = optarg;
		else if (opt >= 256)
			add_update_flag(res, &update_flags[opt - 256], optarg);
		else
			oci_usage_error(usage, "update: unknown option %s", argv[optind - 1]);
	}
	if (optind != argc - 1)
		oci_usage_error(usage, "update: %s", "one container ID, after the options");
	/* runc ignores the flags when there is a file; we say so. */
	if (file && json_object_object_length(res) > 0)
		usage_error("update: --resources and the flags (--memory, ...) are either-or");
	if (file) {
		json_object_put(res);
		res = read_resources_file(file);
	}
	/* spec.c turns quota/period into a share of CPUs: a period alone
	 * would change nothing, silently. */
	{
		json_object *cpu, *v;

		if (json_object_object_get_ex(res, "cpu", &cpu) &&
		    json_object_object_get_ex(cpu, "period", &v) &&
		    !json_object_object_get_ex(cpu, "quota", &v))
			usage_error("update: a CPU period goes with a quota (--cpu-quota)");
	}
	memset(&spec, 0, sizeof(spec));
	spec_read_resources(&spec.limits, res);
	open_container(argv[optind], &st);
	status = status_of(&st);
	if (strcmp(status, "stopped") == 0)
		refuse_status("update", argv[optind], "running", status);
	cgroup_set_limits(&st.cgroup, &spec.limits);
	json_object_put(res);
	return 0;
}

/* The index of the PID column in ps's header line, or -1. */
static int pid_column(const char *header)
{
	int column = 0;

	for (const char *p = header + strspn(header, " \t"); *p; column++) {
		size_t len = strcspn(p, " \t\n");

		if (len == 3 && strncmp(p, "PID", 3) == 0)
			return column;
		p += len;
		p += strspn(p, " \t\n");
	}
	return -1;
}

/* The number in column COLUMN of LINE, or -1. */
static long field_number(const char *line, int column)
{
	const char *p = line + strspn(line, " \t");

	for (int i = 0; i < column && *p; i++) {
		p += strcspn(p, " \t\n");
		p += strspn(p, " \t");
	}
	return *p >= '0' && *p <= '9' ? strtol(p, NULL, 10) : -1;
}

/* The host's ps with ARGS (default -ef), only the lines of PIDS: runc's
 * ps.go does the same, so the columns are whatever ps was asked for. */
static void print_ps_lines(const pid_t *pids, ssize_t n, char **args, int nargs)
{
	char *argv[64] = { "ps", "-ef" }, *line = NULL;
	int out[2], column = -1, status;
	size_t cap = 0;
	pid_t child;
	FILE *f;

	if (nargs > 62)
		usage_error("ps: at most 62 options for ps");
	for (int i = 0; i < nargs; i++)
		argv[i + 1] = args[i];
	if (nargs > 0)
		argv[nargs + 1] = NULL;
	if (pipe2(out, O_CLOEXEC) < 0)
		die_errno("pipe2");
	child = fork();
	if (child < 0)
		die_errno("fork");
	if (child == 0) {
		if (dup2(out[1], STDOUT_FILENO) < 0)
			_exit(EXIT_NOEXEC);
		execvp(argv[0], argv);
		warn_errno("execvp ps (the host's, which runc's ps runs too)");
		_exit(EXIT_NOTFOUND);
	}
	close(out[1]);
	f = fdopen(out[0], "r");
	if (!f)
		die_errno("fdopen");
	while (getline(&line, &cap, f) > 0) {
		long pid;

		if (column < 0) {
			if ((column = pid_column(line)) < 0)
				die("ps: no PID column in its header: %s", line);
			fputs(line, stdout);
			continue;
		}
		pid = field_number(line, column);
		for (ssize_t i = 0; i < n; i++)
			if (pids[i] == pid)
				fputs(line, stdout);
	}
	free(line);
	fclose(f);
	if (waitpid(child, &status, 0) < 0)
		die_errno("waitpid(ps)");
	if (exit_code_of(status) != 0)
		die("ps: exit code %d (see above)", exit_code_of(status));
}

/*
 * ps: the container's processes are its cgroup's (commands.c,
 * pids_in_cgroup), also those exec added. --format json: their host
 * pids, which containerd reads; else the table of the host's ps.
 */
static int cmd_oci_ps(int argc, char **argv)
{
	static const char usage[] = "ps [--format table|json] ID [PS OPTIONS...]";
	static const struct option options[] = {
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = "table";
	struct oci_state st;
	pid_t *pids;
	ssize_t n;
	int opt;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+f:", options, NULL)) != -1) {
		if (opt != 'f')
			oci_usage_error(usage, "ps: unknown option %s", argv[optind - 1]);
		format = optarg;
	}
	if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
		oci_usage_error(usage, "ps: --format %s: table or json", format);
	if (optind >= argc)
		oci_usage_error(usage, "ps: %s", "a container ID");
	open_container(argv[optind], &st);
	if (st.cgroup.ndirs == 0)
		die("ps: container %s has no cgroup to list", argv[optind]);
	n = pids_in_cgroup(&st.cgroup, &pids);
	if (strcmp(format, "json") == 0) {
		printf("[");
		for (ssize_t i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", (int)pids[i]);
		printf("]\n");
	} else {
		print_ps_lines(pids, n, argv + optind + 1, argc - optind - 1);
	}
	free(pids);
	return 0;
}

/* --- events: the cgroup's counters, as runc's events.go prints them ----- */

/* FILE of the container's cgroup, from the first of its directories that
 * has it: on v1 each controller's files are in its own hierarchy. */
static char *cgroup_text(const struct cgroup *cg, const char *file)
{
	for (int i = 0; i < cg->ndirs; i++) {
		char path[PATH_MAX + 64], *text;

		snprintf(path, sizeof(path), "%s/%s", cg->dirs[i], file);
		if ((text = read_file_alloc(path, NULL)))
			return text;
	}
	return NULL;
}

/* The value after "KEY " on one of TEXT's lines, or NULL. */
static const char *value_of_key(const char *text, const char *key)
{
	size_t len = strlen(key);

	for (const char *p = text; p;) {
		if (strncmp(p, key, len) == 0 && p[len] == ' ')
			return p + len + 1;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

/* A number of the cgroup: FILE's only value (KEY NULL) or its line
 * "KEY N"; "max" is UINT64_MAX; 0 when there is no such file or line. */
static uint64_t cgroup_number(const struct cgroup *cg, const char *file, const char *key)
{
	char *text = cgroup_text(cg, file);
	const char *p = text && key ? value_of_key(text, key) : text;
	uint64_t value = 0;

	if (p && strncmp(p, "max", 3) == 0)
		value = UINT64_MAX;
	else if (p)
		value = strtoull(p, NULL, 10);
	free(text);
	return value;
}

/* Every "key value" line of FILE, as an object (runc's memory.raw). */
static json_object *cgroup_keyed(const struct cgroup *cg, const char *file)
{
	json_object *obj = json_object_new_object();
	char *text = cgroup_text(cg, file), *save = NULL;

	for (char *line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *space = strchr(line, ' ');

		if (!space)
			continue;
		*space = '\0';
		json_object_object_add(obj, line,
				       json_object_new_uint64(strtoull(space + 1, NULL, 10)));
	}
	free(text);
	return obj;
}

/* A list of numbers on one line (v1's cpuacct.usage_percpu). */
static json_object *cgroup_list(const struct cgroup *cg, const char *file)
{
	json_object *list = json_object_new_array();
	char *text = cgroup_text(cg, file), *end;

	for (char *p = text; p && *p; p = end) {
		uint64_t v = strtoull(p, &end, 10);

		if (end == p)
			break;
		json_object_array_add(list, json_object_new_uint64(v));
	}
	free(text);
	return list;
}

static void add_u64(json_object *obj, const char *key, uint64_t value)
{
	json_object_object_add(obj, key, json_object_new_uint64(value));
}

/* runc's MemoryEntry: limit, usage, max, failcnt. */
static json_object *memory_entry(uint64_t limit, uint64_t usage, uint64_t max, uint64_t failcnt)
{
	json_object *e = json_object_new_object();

	add_u64(e, "limit", limit);
	add_u64(e, "usage", usage);
	add_u64(e, "max", max);
	add_u64(e, "failcnt", failcnt);
	return e;
}

/*
 * memory: v1 has a file for each number (memory.usage_in_bytes, ...; the
 * same for memory+swap as memory.memsw.*); v2 has memory.current and
 * memory.max, a peak since 5.19, and counts hitting the limit in
 * memory.events. runc's v2 "swap" is memory plus swap, as v1's memsw.
 */
static json_object *memory_stats(const struct cgroup *cg)
{
	json_object *m = json_object_new_object();

	if (cg->layout == CGROUP_V2) {
		uint64_t usage = cgroup_number(cg, "memory.current", NULL);
		uint64_t limit = cgroup_number(cg, "memory.max", NULL);
		uint64_t swap_max = cgroup_number(cg, "memory.swap.max", NULL);

		add_u64(m, "cache", cgroup_number(cg, "memory.stat", "file"));
		json_object_object_add(m, "usage",
				       memory_entry(limit, usage,
						    cgroup_number(cg, "memory.peak", NULL),
						    cgroup_number(cg, "memory.events", "max")));
		json_object_object_add(
		    m, "swap",
		    memory_entry(swap_max == UINT64_MAX || limit == UINT64_MAX ? UINT64_MAX
									       : swap_max + limit,
				 usage + cgroup_number(cg, "memory.swap.current", NULL), 0,
				 cgroup_number(cg, "memory.swap.events", "max")));
	} else {
		static const char *const kinds[][2] = {
			{ "usage", "memory" },
			{ "swap", "memory.memsw" },
			{ "kernel", "memory.kmem" },
		};

		add_u64(m, "cache", cgroup_number(cg, "memory.stat", "cache"));
		for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
			char limit[64], usage[64], max[64], failcnt[64];

			snprintf(limit, sizeof(limit), "%s.limit_in_bytes", kinds[i][1]);
			snprintf(usage, sizeof(usage), "%s.usage_in_bytes", kinds[i][1]);
			snprintf(max, sizeof(max), "%s.max_usage_in_bytes", kinds[i][1]);
			snprintf(failcnt, sizeof(failcnt), "%s.failcnt", kinds[i][1]);
			json_object_object_add(m, kinds[i][0],
					       memory_entry(cgroup_number(cg, limit, NULL),
							    cgroup_number(cg, usage, NULL),
							    cgroup_number(cg, max, NULL),
							    cgroup_number(cg, failcnt, NULL)));
		}
	}
	json_object_object_add(m, "raw", cgroup_keyed(cg, "memory.stat"));
	return m;
}

/*
 * cpu, in nanoseconds: v1's cpuacct.usage (and per CPU), cpuacct.stat's
 * user and system in clock ticks; v2's cpu.stat in microseconds. The
 * throttling counts of a --cpus quota are cpu.stat's on both.
 */
static json_object *cpu_stats(const struct cgroup *cg)
{
	json_object *cpu = json_object_new_object(), *usage = json_object_new_object(),
		    *throttling = json_object_new_object();
	bool v2 = cg->layout == CGROUP_V2;
	uint64_t tick = 1000000000ULL / (uint64_t)sysconf(_SC_CLK_TCK);

	if (v2) {
		add_u64(usage, "total", cgroup_number(cg, "cpu.stat", "usage_usec") * 1000);
		add_u64(usage, "kernel", cgroup_number(cg, "cpu.stat", "system_usec") * 1000);
		add_u64(usage, "user", cgroup_number(cg, "cpu.stat", "user_usec") * 1000);
	} else {
		add_u64(usage, "total", cgroup_number(cg, "cpuacct.usage", NULL));
		json_object_object_add(usage, "percpu", cgroup_list(cg, "cpuacct.usage_percpu"));
		add_u64(usage, "kernel", cgroup_number(cg, "cpuacct.stat", "system") * tick);
		add_u64(usage, "user", cgroup_number(cg, "cpuacct.stat", "user") * tick);
	}
	add_u64(throttling, "periods", cgroup_number(cg, "cpu.stat", "nr_periods"));
	add_u64(throttling, "throttledPeriods", cgroup_number(cg, "cpu.stat", "nr_throttled"));
	add_u64(throttling, "throttledTime",
		v2 ? cgroup_number(cg, "cpu.stat", "throttled_usec") * 1000
		   : cgroup_number(cg, "cpu.stat", "throttled_time"));
	json_object_object_add(cpu, "usage", usage);
	json_object_object_add(cpu, "throttling", throttling);
	return cpu;
}

/* One line: {"type": "stats", "id": ID, "data": {...}} (runc's
 * types/events.go: Event, Stats), what containerd's shim decodes. */
static void print_stats(const struct oci_state *st, const char *id)
{
	json_object *event = json_object_new_object(), *data = json_object_new_object(),
		    *pids = json_object_new_object();
	uint64_t limit = cgroup_number(&st->cgroup, "pids.max", NULL);

	add_u64(pids, "current", cgroup_number(&st->cgroup, "pids.current", NULL));
	add_u64(pids, "limit", limit == UINT64_MAX ? 0 : limit);
	json_object_object_add(data, "cpu", cpu_stats(&st->cgroup));
	json_object_object_add(data, "memory", memory_stats(&st->cgroup));
	json_object_object_add(data, "pids", pids);
	json_object_object_add(data, "blkio", json_object_new_object());
	json_object_object_add(data, "hugetlb", json_object_new_object());
	json_object_object_add(event, "type", json_object_new_string("stats"));
	json_object_object_add(event, "id", json_object_new_string(id));
	json_object_object_add(event, "data", data);
	printf("%s\n", json_object_to_json_string_ext(event, JSON_C_TO_STRING_PLAIN |
								 JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(stdout);
	json_object_put(event);
}

/* A Go duration, as runc's --interval takes: "5s", "500ms", "1m30s"
 * (the two-letter units are tried first: "ms" is not "m"). */
static int parse_duration(const char *text, struct timespec *ts)
{
	static const struct {
		const char *unit;
		double ns;
	} units[] = { { "ns", 1 },  { "us", 1e3 }, { "ms", 1e6 },
		      { "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 } };
	const size_t nunits = sizeof(units) / sizeof(units[0]);
	double total = 0;

	for (const char *p = text; *p;) {
		char *end;
		double n = strtod(p, &end);
		size_t i = 0;

		if (end == p || n < 0)
			return -1;
		while (i < nunits && strncmp(end, units[i].unit, strlen(units[i].unit)) != 0)
			i++;
		if (i == nunits)
			return -1;
		total += n * units[i].ns;
		p = end + strlen(units[i].unit);
	}
	if (total < 1e6 || total > 86400e9)
		return -1;
	ts->tv_sec = (time_t)(total / 1e9);
	ts->tv_nsec = (long)(total - (double)ts->tv_sec * 1e9);
	return 0;
}

/*
 * events --stats: the counters once. events: every --interval (5s) until
 * the container stops (runc's events also reports OOM kills; stepbox
 * does not watch for them). The lock is let go while we watch: kill and
 * delete must get through.
 */
static int cmd_events(int argc, char **argv)
{
	static const char usage[] = "events [--stats] [--interval DURATION] ID";
	static const struct option options[] = {
		{ "stats", no_argument, NULL, 's' },
		{ "interval", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	struct timespec interval = { .tv_sec = 5 };
	struct oci_state st;
	bool once = false;
	int opt;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+", options, NULL)) != -1) {
		if (opt == 's')
			once = true;
		else if (opt == 'i' && parse_duration(optarg, &interval) < 0)
			oci_usage_error(usage,
					"events: --interval %s: a duration, 1ms to 24h (5s, 500ms)",
					optarg);
		else if (opt != 'i')
			oci_usage_error(usage, "events: unknown option %s", argv[optind - 1]);
	}
	if (optind != argc - 1)
		oci_usage_error(usage, "events: %s", "one container ID, after the options");
	open_container(argv[optind], &st);
	if (strcmp(status_of(&st), "stopped") == 0)
		refuse_status("events", argv[optind], "running", "stopped");
	if (st.cgroup.ndirs == 0)
		die("events: container %s has no cgroup to read", argv[optind]);
	if (flock(st.dir, LOCK_UN) < 0)
		die_errno("flock(%s/%s, LOCK_UN)", oci_root, argv[optind]);
	for (;;) {
		struct timespec left = interval;

		print_stats(&st, argv[optind]);
		if (once)
			return 0;
		while (nanosleep(&left, &left) < 0 && errno == EINTR)
			;
		if (strcmp(status_of(&st), "stopped") == 0)
			return 0;
	}
}

/* --- run, list, spec ------------------------------------------------------ */

/* CMD (create, start, delete) in a child of ours, as if called alone:
 * each takes the container's lock, which we must not hold meanwhile. */
static int in_child(int (*cmd)(int, char **), int argc, char **argv)
{
	int status;
	pid_t child;

	fflush(NULL);
	child = fork();
	if (child < 0)
		die_errno("fork");
	if (child == 0)
		exit(cmd(argc, argv));
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			die_errno("waitpid(%d)", (int)child);
	return exit_code_of(status);
}

/*
 * run: create and start; then, unless --detach, wait for the process
 * and delete the container (unless --keep), as runc's run: its exit code
 * is ours. With create gone, we are the process's parent (a child
 * subreaper, as the monitor of step10's run -d is) and pass signals on
 * to it (main.c's wait_forwarding_signals).
 */
static int cmd_oci_run(int argc, char **argv)
{
	static const char usage[] = "run [--bundle DIR] [--pid-file F] [--console-socket S] "
				    "[--detach] [--keep] ID";
	static const struct option options[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "console-socket", required_argument, NULL, 'c' },
		{ "no-pivot", no_argument, NULL, 'P' },
		{ "no-new-keyring", no_argument, NULL, 'k' },
		{ "preserve-fds", required_argument, NULL, 'f' },
		{ "detach", no_argument, NULL, 'd' },
		{ "keep", no_argument, NULL, 'K' },
		{ "no-subreaper", no_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	char *create_argv[32] = { "create" }, *start_argv[] = { "start", NULL, NULL };
	char *delete_argv[] = { "delete", "--force", NULL, NULL };
	bool detach = false, keep = false;
	int opt, n = 1, code, prev = 1;
	struct oci_state st;
	sigset_t set, old;
	pid_t pid;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+b:d", options, NULL)) != -1) {
		if (opt == '?')
			oci_usage_error(usage, "run: unknown option, or no value: %s",
					argv[optind - 1]);
		if (opt == 'd')
			detach = true;
		else if (opt == 'K')
			keep = true;
		/* create's own options go to it as they were written */
		for (int i = prev; opt != 'd' && opt != 'K' && opt != 'S' && i < optind; i++)
			if (n < 30)
				create_argv[n++] = argv[i];
		prev = optind;
	}
	if (optind != argc - 1)
		oci_usage_error(usage, "run: %s", "one container ID, after the options");
	create_argv[n++] = argv[optind];
	start_argv[1] = delete_argv[2] = argv[optind];
	if (!detach && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		die_errno("prctl(PR_SET_CHILD_SUBREAPER)");
	code = in_child(cmd_create, n, create_argv);
	if (code != 0)
		return code; /* create said why, and left nothing */
	code = in_child(cmd_start, 2, start_argv);
	if (code != 0 || detach) {
		if (code != 0)
			in_child(cmd_delete, 3, delete_argv);
		return code;
	}
	open_container(argv[optind], &st);
	pid = st.pid;
	close(st.dir); /* our lock: delete takes it once the process is gone */
	block_signals(&set, &old);
	code = wait_forwarding_signals(pid, &set, NULL);
	if (!keep && in_child(cmd_delete, 3, delete_argv) != 0)
		warn("run: container %s could not be deleted (see above)", argv[optind]);
	return code;
}

/* The user owning UID as runc's list names it, "#UID" if none: read from
 * /etc/passwd itself, which a static binary's getpwuid cannot do. */
static void owner_name(uid_t uid, char *buf, size_t size)
{
	FILE *f = fopen("/etc/passwd", "re");
	struct passwd *pw;

	snprintf(buf, size, "#%u", (unsigned)uid);
	while (f && (pw = fgetpwent(f)))
		if (pw->pw_uid == uid) {
			snprintf(buf, size, "%s", pw->pw_name);
			break;
		}
	if (f)
		fclose(f);
}

/* root.path of the config.json create kept in DIR, made absolute. */
static void rootfs_of(int dir, const char *bundle, char *buf, size_t size)
{
	int fd = openat(dir, "config.json", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	json_object *doc = fd >= 0 ? json_object_from_fd(fd) : NULL, *root, *path;
	const char *p = "";

	if (fd >= 0)
		close(fd);
	if (doc && json_object_object_get_ex(doc, "root", &root) &&
	    json_object_object_get_ex(root, "path", &path) && json_object_get_string(path))
		p = json_object_get_string(path);
	if (p[0] == '/' || !p[0])
		snprintf(buf, size, "%s", p);
	else
		snprintf(buf, size, "%s/%s", bundle, p);
	json_object_put(doc);
}

/* Container ID as list shows it (runc's list.go, containerState); NULL
 * while it is being made or removed. Read without the lock, as runc's
 * list: a foreground exec holds it as long as its process runs. */
static json_object *list_entry(int root, const char *id)
{
	int dir = openat(root, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	json_object *e = json_object_new_object(), *v;
	char rootfs[PATH_MAX], owner[64], why[WHY_MAX];
	struct oci_state st;
	const char *status;
	struct stat sb;

	if (dir < 0 || faccessat(dir, "state.json", F_OK, AT_SYMLINK_NOFOLLOW) < 0 ||
	    fstat(dir, &sb) < 0) {
		if (dir >= 0)
			close(dir);
		json_object_put(e);
		return NULL;
	}
	/* One bad record is said, and the others are listed (runc's
	 * getContainers, list.go, does the same): a client that lists to
	 * find its own containers must not lose them all to one it cannot
	 * read. */
	if (read_state(dir, id, &st, why, sizeof(why)) < 0) {
		/* gone since faccessat above (list takes no lock): not listed,
		 * and nothing to say */
		if (errno != ENOENT)
			warn("list: skipped, %s", why);
		close(dir);
		json_object_put(e);
		return NULL;
	}
	status = status_of(&st);
	rootfs_of(dir, st.bundle ? st.bundle : "", rootfs, sizeof(rootfs));
	owner_name(sb.st_uid, owner, sizeof(owner));
	json_object_object_add(e, "ociVersion", json_object_new_string(OCI_VERSION));
	json_object_object_add(e, "id", json_object_new_string(id));
	json_object_object_add(e, "pid",
			       json_object_new_int(strcmp(status, "stopped") ? st.pid : 0));
	json_object_object_add(e, "status", json_object_new_string(status));
	json_object_object_add(e, "bundle", json_object_new_string(st.bundle ? st.bundle : ""));
	json_object_object_add(e, "rootfs", json_object_new_string(rootfs));
	if (json_object_object_get_ex(st.doc, "created", &v))
		json_object_object_add(e, "created", json_object_get(v));
	json_object_object_add(e, "owner", json_object_new_string(owner));
	json_object_put(st.doc);
	close(dir);
	return e;
}

static int by_id(const void *a, const void *b)
{
	json_object *x, *y;

	json_object_object_get_ex(*(json_object *const *)a, "id", &x);
	json_object_object_get_ex(*(json_object *const *)b, "id", &y);
	return strcmp(json_object_get_string(x), json_object_get_string(y));
}

/* runc's table: tabwriter columns at least 12 wide, 3 spaces apart. */
static void print_list_table(json_object *all)
{
	static const char *const keys[] = { "id", "pid", "status", "bundle", "created", "owner" };
	static const char *const titles[] = { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" };
	enum { NCOLS = sizeof(keys) / sizeof(keys[0]) };
	int width[NCOLS];
	size_t n = json_object_array_length(all);

	for (int c = 0; c < NCOLS; c++) {
		width[c] = (int)strlen(titles[c]) + 3;
		for (size_t i = 0; i < n; i++) {
			json_object *v;

			json_object_object_get_ex(json_object_array_get_idx(all, i), keys[c], &v);
			if ((int)strlen(json_object_get_string(v)) + 3 > width[c])
				width[c] = (int)strlen(json_object_get_string(v)) + 3;
		}
		if (width[c] < 12)
			width[c] = 12;
	}
	for (size_t i = 0; i <= n; i++)
		for (int c = 0; c < NCOLS; c++) {
			json_object *v = NULL;
			const char *text = titles[c];

			if (i > 0 && json_object_object_get_ex(
					 json_object_array_get_idx(all, i - 1), keys[c], &v))
				text = json_object_get_string(v);
			if (c < NCOLS - 1)
				printf("%-*s", width[c], text);
			else
				printf("%s\n", text);
		}
}

/* list: the containers under --root, as runc's list (table, json, -q). */
static int cmd_oci_list(int argc, char **argv)
{
	static const char usage[] = "list [--format table|json] [--quiet]";
	static const struct option options[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	json_object *all = json_object_new_array();
	const char *format = "table";
	bool quiet = false;
	int opt, root;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+f:q", options, NULL)) != -1) {
		if (opt == 'f')
			format = optarg;
		else if (opt == 'q')
			quiet = true;
		else
			oci_usage_error(usage, "list: unknown option %s", argv[optind - 1]);
	}
	if (optind != argc)
		oci_usage_error(usage, "list: unexpected %s", argv[optind]);
	if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
		oci_usage_error(usage, "list: --format %s: table or json", format);
	root = open_root(false);
	if (root >= 0) {
		int fd = fcntl(root, F_DUPFD_CLOEXEC, 0);
		DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
		struct dirent *entry;

		if (!d)
			die_errno("opendir %s", oci_root);
		while ((entry = readdir(d))) {
			json_object *e;

			if (entry->d_name[0] != '.' && !check_id(entry->d_name) &&
			    (e = list_entry(root, entry->d_name)))
				json_object_array_add(all, e);
		}
		closedir(d);
		json_object_array_sort(all, by_id);
	}
	if (quiet)
		for (size_t i = 0; i < json_object_array_length(all); i++) {
			json_object *id;

			json_object_object_get_ex(json_object_array_get_idx(all, i), "id", &id);
			puts(json_object_get_string(id));
		}
	else if (strcmp(format, "json") == 0)
		puts(json_object_to_json_string_ext(all, JSON_C_TO_STRING_PLAIN |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		print_list_table(all);
	json_object_put(all);
	return 0;
}

/* runc's `spec`: libcontainer/specconv/example.go, Example(). */
static const char default_spec[] =
    "{\"ociVersion\": \"" OCI_VERSION "\","
    " \"process\": {\"terminal\": true, \"user\": {\"uid\": 0, \"gid\": 0},"
    "  \"args\": [\"sh\"],"
    "  \"env\": [\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\","
    "           \"TERM=xterm\"],"
    "  \"cwd\": \"/\","
    "  \"capabilities\": {"
    "   \"bounding\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],"
    "   \"effective\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],"
    "   \"permitted\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"]},"
    "  \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024}],"
    "  \"noNewPrivileges\": true},"
    " \"root\": {\"path\": \"rootfs\", \"readonly\": true},"
    " \"hostname\": \"runc\","
    " \"mounts\": ["
    "  {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},"
    "  {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\","
    "   \"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},"
    "  {\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\","
    "   \"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", "
    "\"mode=0620\", \"gid=5\"]},"
    "  {\"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\","
    "   \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\"]},"
    "  {\"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\","
    "   \"options\": [\"nosuid\", \"noexec\", \"nodev\"]},"
    "  {\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\","
    "   \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"]},"
    "  {\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\","
    "   \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\"]}],"
    " \"linux\": {"
    "  \"resources\": {\"devices\": [{\"allow\": false, \"access\": \"rwm\"}]},"
    "  \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": \"ipc\"},"
    "                 {\"type\": \"uts\"}, {\"type\": \"mount\"}],"
    "  \"maskedPaths\": [\"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\","
    "   \"/proc/latency_stats\", \"/proc/timer_list\", \"/proc/timer_stats\","
    "   \"/proc/sched_debug\", \"/sys/firmware\", \"/proc/scsi\"],"
    "  \"readonlyPaths\": [\"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\","
    "   \"/proc/sysrq-trigger\"]}}";

static json_object *id_mapping(unsigned id)
{
	json_object *m = json_object_new_object(), *list = json_object_new_array();

	json_object_object_add(m, "containerID", json_object_new_int(0));
	json_object_object_add(m, "hostID", json_object_new_int64(id));
	json_object_object_add(m, "size", json_object_new_int(1));
	json_object_array_add(list, m);
	return list;
}

/*
 * --rootless, as runc's ToRootless: a user namespace mapping only the
 * caller, no network namespace of its own, the host's /sys bound (a new
 * sysfs needs a network namespace owned by the user namespace), no
 * uid=/gid= mount options (only one id is mapped), no cgroup limits.
 */
static void make_rootless(json_object *doc)
{
	json_object *lnx, *ns, *kept = json_object_new_array(), *mounts, *user;

	json_object_object_get_ex(doc, "linux", &lnx);
	json_object_object_get_ex(lnx, "namespaces", &ns);
	for (size_t i = 0; i < json_object_array_length(ns); i++) {
		json_object *n = json_object_array_get_idx(ns, i), *type;

		json_object_object_get_ex(n, "type", &type);
		if (strcmp(json_object_get_string(type), "network") != 0 &&
		    strcmp(json_object_get_string(type), "user") != 0)
			json_object_array_add(kept, json_object_get(n));
	}
	user = json_object_new_object();
	json_object_object_add(user, "type", json_object_new_string("user"));
	json_object_array_add(kept, user);
	json_object_object_add(lnx, "namespaces", kept);
	json_object_object_add(lnx, "uidMappings", id_mapping(geteuid()));
	json_object_object_add(lnx, "gidMappings", id_mapping(getegid()));
	json_object_object_del(lnx, "resources");
	json_object_object_get_ex(doc, "mounts", &mounts);
	for (size_t i = 0; i < json_object_array_length(mounts); i++) {
		json_object *m = json_object_array_get_idx(mounts, i), *dest, *opts,
			    *clean = json_object_new_array();

		json_object_object_get_ex(m, "destination", &dest);
		if (strcmp(json_object_get_string(dest), "/sys") == 0) {
			static const char *const bind[] = { "rbind", "nosuid", "noexec", "nodev",
							    "ro" };

			json_object_object_add(m, "type", json_object_new_string("none"));
			json_object_object_add(m, "source", json_object_new_string("/sys"));
			for (size_t j = 0; j < sizeof(bind) / sizeof(bind[0]); j++)
				json_object_array_add(clean, json_object_new_string(bind[j]));
			json_object_object_add(m, "options", clean);
			continue;
		}
		if (!json_object_object_get_ex(m, "options", &opts)) {
			json_object_put(clean);
			continue;
		}
		for (size_t j = 0; j < json_object_array_length(opts); j++) {
			json_object *o = json_object_array_get_idx(opts, j);

			if (strncmp(json_object_get_string(o), "uid=", 4) != 0 &&
			    strncmp(json_object_get_string(o), "gid=", 4) != 0)
				json_object_array_add(clean, json_object_get(o));
		}
		json_object_object_add(m, "options", clean);
	}
}

/*
 * spec: runc's starting config.json in the bundle (--bundle, or here),
 * never over one that exists. On cgroup v2 it has a cgroup namespace too.
 */
static int cmd_spec(int argc, char **argv)
{
	static const char usage[] = "spec [--bundle DIR] [--rootless]";
	static const struct option options[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "rootless", no_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	const char *bundle = ".", *text;
	bool rootless = false;
	json_object *doc;
	int opt, dir, fd;
	size_t len;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+b:", options, NULL)) != -1) {
		if (opt == 'b')
			bundle = optarg;
		else if (opt == 'R')
			rootless = true;
		else
			oci_usage_error(usage, "spec: unknown option %s", argv[optind - 1]);
	}
	if (optind != argc)
		oci_usage_error(usage, "spec: unexpected %s", argv[optind]);
	doc = json_tokener_parse(default_spec);
	if (!doc)
		die("spec: the default config.json does not parse (a bug)");
	if (cgroup_detect() == CGROUP_V2) {
		json_object *lnx, *ns, *cg = json_object_new_object();

		json_object_object_get_ex(doc, "linux", &lnx);
		json_object_object_get_ex(lnx, "namespaces", &ns);
		json_object_object_add(cg, "type", json_object_new_string("cgroup"));
		json_object_array_add(ns, cg);
	}
	if (rootless)
		make_rootless(doc);
	dir = open(bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		die_errno("spec: --bundle %s", bundle);
	fd = openat(dir, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (fd < 0 && errno == EEXIST) {
		warn("spec: %s/config.json exists: remove it first", bundle);
		exit(1);
	}
	text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
						       JSON_C_TO_STRING_PRETTY_TAB |
						       JSON_C_TO_STRING_NOSLASHESCAPE);
	len = strlen(text);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || write(fd, "\n", 1) != 1 ||
	    close(fd) < 0)
		die_errno("spec: write %s/config.json", bundle);
	json_object_put(doc);
	return 0;
}

/* --- features, version, and the dispatch --------------------------------- */

static int cmd_features(void)
{
	static const char text[] =
	    "{\n"
	    "  \"ociVersionMin\": \"1.0.0\",\n"
	    "  \"ociVersionMax\": \"" OCI_VERSION "\",\n"
	    "  \"hooks\": [\"prestart\", \"createRuntime\", \"createContainer\", "
	    "\"startContainer\", \"poststart\", \"poststop\"],\n"
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
 * run is optional": `podman ... checkpoint ID` must not run a program
 * called `checkpoint` in a new container.
 */
static void refuse_unimplemented(const char *cmd)
{
	static const char *const missing[] = { "checkpoint", "restore", NULL };

	if (!one_of(cmd, missing))
		return;
	warn("%s: runc's command is not implemented by stepbox (it does " OCI_COMMANDS
	     "; to run a program named %s: run -- %s)",
	     cmd, cmd, cmd);
	exit(1);
}

/*
 * Is this one of step10's own words (run, list, ps, pause, resume) in
 * runc's form? It is when a global option came first, when it carries an
 * option only runc's form has, or (but run) when an operand is a
 * container under --root; else it is step10's.
 */
static bool runc_form(const char *cmd, bool global, int argc, char **argv)
{
	static const char *const runc_options[] = { "--bundle",
						    "--pid-file",
						    "--console-socket",
						    "--no-pivot",
						    "--no-new-keyring",
						    "--preserve-fds",
						    "--no-subreaper",
						    "--format",
						    "--quiet",
						    "-f",
						    "-q",
						    NULL };

	return global || has_option(argc, argv, runc_options) ||
	       (strcmp(cmd, "run") != 0 && names_oci_record(argc, argv));
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
						"features", "exec",  "kill",  "update",
						"events",   "spec",  NULL };
	static const char *const shared[] = { "run", "list", "ps", "pause", "resume", NULL };
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
	refuse_unimplemented(cmd);
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
	} else if (one_of(cmd, shared)) {
		if (!runc_form(cmd, global, argc, argv))
			return;
	} else if (!one_of(cmd, commands)) {
		if (global)
			usage_error("%s: not an OCI runtime command (" OCI_COMMANDS ")", cmd);
		return;
	}
	log_set_role("runtime");
	if (verbose)
		log_set_verbose(true);
	trace_sealed_copy();
	if (geteuid() != 0 && strcmp(cmd, "features") != 0 && strcmp(cmd, "spec") != 0)
		die("%s: the OCI commands are for root (rootless OCI is not in stepbox)", cmd);
	if (strcmp(cmd, "create") == 0)
		exit(cmd_create(argc, argv));
	if (strcmp(cmd, "start") == 0)
		exit(cmd_start(argc, argv));
	if (strcmp(cmd, "state") == 0)
		exit(cmd_state(argc, argv));
	if (strcmp(cmd, "kill") == 0)
		exit(cmd_oci_kill(argc, argv));
	if (strcmp(cmd, "delete") == 0)
		exit(cmd_delete(argc, argv));
	if (strcmp(cmd, "exec") == 0)
		exit(cmd_oci_exec(argc, argv));
	if (strcmp(cmd, "pause") == 0 || strcmp(cmd, "resume") == 0)
		exit(cmd_oci_pause(argc, argv));
	if (strcmp(cmd, "update") == 0)
		exit(cmd_update(argc, argv));
	if (strcmp(cmd, "ps") == 0)
		exit(cmd_oci_ps(argc, argv));
	if (strcmp(cmd, "events") == 0)
		exit(cmd_events(argc, argv));
	if (strcmp(cmd, "run") == 0)
		exit(cmd_oci_run(argc, argv));
	if (strcmp(cmd, "list") == 0)
		exit(cmd_oci_list(argc, argv));
	if (strcmp(cmd, "spec") == 0)
		exit(cmd_spec(argc, argv));
	exit(cmd_features());
}
