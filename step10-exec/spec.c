/*
 * spec.c — config.json: the options of steps 01-10, written down.
 *
 * An OCI bundle is a directory with a root filesystem and config.json,
 * the runtime-spec's description of one container. Each field is
 * something an earlier step took from the command line:
 *
 *   hostname                    -n NAME                 (step01)
 *   linux.namespaces            the CLONE_NEW* flags    (steps 01-06)
 *   mounts                      /proc, /dev, -V         (steps 03, 04, 08)
 *   linux.uidMappings           --map-base, --map-size  (step06)
 *   linux.resources             --memory, --cpus, ...   (step07)
 *     network.classID, hugepageLimits  --net-classid, --hugetlb
 *     network.priorities          none: v1 net_prio, OCI only
 *   linux.cgroupsPath           our stepbox/ID          (step07)
 *   root.path, root.readonly    --rootfs                (step08)
 *   process.args, env, cwd      COMMAND [ARG...]
 *   process.capabilities        --cap-add, --cap-drop   (step10)
 *   process.rlimits             --ulimit                (step10)
 *   linux.maskedPaths, readonlyPaths, seccomp, noNewPrivileges  (step10)
 *   hooks                       no option: programs the lifecycle runs (hooks.c)
 *
 * The file is read with json-c, a JSON library every distribution has,
 * as crun reads it with yajl: a hand-written parser is a bug farm for
 * input someone else wrote. A field we do not support stops `create`
 * before anything exists, naming its JSON path: a runtime that skips what
 * it does not understand runs a container other than the one asked for.
 *
 * Brought by step10; called by oci.c (create, exec --process, update) and
 * hooks.c (the names of the hooks).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <sched.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "common.h"
#include "spec.h"

/* Refuse: "config.json: linux.hooks: WHY". Exits 1 (the runtime failed). */
static void refuse(const char *where, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 2, 3)));
static void refuse(const char *where, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	die("%s: %s", where, why);
}

/* --- typed access, each naming its path when the type is wrong ---------- */

static json_object *get(json_object *obj, const char *key)
{
	json_object *v = NULL;

	if (obj && json_object_object_get_ex(obj, key, &v) &&
	    !json_object_is_type(v, json_type_null))
		return v;
	return NULL;
}

static json_object *get_typed(json_object *obj, const char *key, json_type type, const char *where)
{
	json_object *v = get(obj, key);

	if (v && !json_object_is_type(v, type))
		refuse(where, "must be %s, not %s", json_type_to_name(type),
		       json_type_to_name(json_object_get_type(v)));
	return v;
}

static const char *get_string(json_object *obj, const char *key, const char *where)
{
	json_object *v = get_typed(obj, key, json_type_string, where);

	return v ? json_object_get_string(v) : NULL;
}

static bool get_bool(json_object *obj, const char *key, const char *where)
{
	json_object *v = get_typed(obj, key, json_type_boolean, where);

	return v && json_object_get_boolean(v);
}

/* A whole number from MIN to MAX; *SET tells whether it was there. */
static int64_t get_int(json_object *obj, const char *key, int64_t min, int64_t max,
		       const char *where, bool *set)
{
	json_object *v = get_typed(obj, key, json_type_int, where);
	int64_t n;

	*set = v != NULL;
	if (!v)
		return 0;
	errno = 0;
	n = json_object_get_int64(v);
	if (errno || n < min || n > max)
		refuse(where, "%s is out of range (%lld to %lld)", json_object_get_string(v),
		       (long long)min, (long long)max);
	return n;
}

/* An unsigned 64-bit number: rlimits use 2^64-1 for "unlimited". */
static uint64_t get_u64(json_object *obj, const char *key, const char *where, bool *set)
{
	json_object *v = get_typed(obj, key, json_type_int, where);

	*set = v != NULL;
	if (!v)
		return 0;
	if (json_object_get_int64(v) < 0 && json_object_get_uint64(v) == 0)
		refuse(where, "must not be negative");
	return json_object_get_uint64(v);
}

/* A list of strings, NULL-terminated, pointing into the document. */
static char **get_strings(json_object *obj, const char *key, const char *where)
{
	json_object *a = get_typed(obj, key, json_type_array, where);
	size_t n = a ? json_object_array_length(a) : 0;
	char **list;

	if (!a)
		return NULL;
	list = calloc(n + 1, sizeof(*list));
	if (!list)
		die_errno("calloc");
	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(a, i);

		if (!json_object_is_type(v, json_type_string))
			refuse(where, "[%zu] must be a string", i);
		list[i] = (char *)json_object_get_string(v);
	}
	return list;
}

/* Fields we know and do not support: present and not empty is an error. */
static void refuse_if_set(json_object *obj, const char *key, const char *where, const char *why)
{
	json_object *v = get(obj, key);

	if (!v)
		return;
	if ((json_object_is_type(v, json_type_array) && json_object_array_length(v) == 0) ||
	    (json_object_is_type(v, json_type_object) && json_object_object_length(v) == 0) ||
	    (json_object_is_type(v, json_type_string) && !*json_object_get_string(v)))
		return;
	refuse(where, "not supported by stepbox: %s", why);
}

/* --- process ------------------------------------------------------------ */

static capset_t read_caps(json_object *caps, const char *key)
{
	char where[64];
	char **names;
	capset_t set = 0;

	snprintf(where, sizeof(where), "process.capabilities.%s", key);
	names = get_strings(caps, key, where);
	for (size_t i = 0; names && names[i]; i++) {
		int cap = caps_from_name(names[i]);

		if (cap < 0)
			refuse(where, "%s is not a capability this kernel knows", names[i]);
		set |= CAPS_BIT(cap);
	}
	free(names);
	return set;
}

/*
 * {"type": "RLIMIT_NOFILE", "soft": 1024, "hard": 1024}: what --ulimit
 * nofile=1024:1024 fills, checked here so that a bad one names its entry
 * of config.json, not an option nobody typed. 2^64-1 is "unlimited",
 * RLIM_INFINITY itself.
 */
static void read_rlimit(struct spec_process *p, json_object *r, size_t i)
{
	char where[64];
	struct ulimit *u = &p->rlimits[p->nrlimits];
	const char *type;
	bool set;

	snprintf(where, sizeof(where), "process.rlimits[%zu]", i);
	if (!json_object_is_type(r, json_type_object))
		refuse(where, "must be an object");
	if (p->nrlimits == MAX_ULIMITS)
		refuse(where, "more than %d rlimits", MAX_ULIMITS);
	type = get_string(r, "type", where);
	if (!type || !ulimit_lookup(type, u))
		refuse(where,
		       "\"type\" %s is not a limit setrlimit(2) knows (RLIMIT_AS, RLIMIT_CORE, "
		       "RLIMIT_CPU, RLIMIT_DATA, RLIMIT_FSIZE, RLIMIT_LOCKS, RLIMIT_MEMLOCK, "
		       "RLIMIT_MSGQUEUE, RLIMIT_NICE, RLIMIT_NOFILE, RLIMIT_NPROC, RLIMIT_RSS, "
		       "RLIMIT_RTPRIO, RLIMIT_RTTIME, RLIMIT_SIGPENDING, RLIMIT_STACK)",
		       type ? type : "(missing)");
	u->want.rlim_cur = (rlim_t)get_u64(r, "soft", where, &set);
	u->want.rlim_max = (rlim_t)get_u64(r, "hard", where, &set);
	if (u->want.rlim_cur > u->want.rlim_max)
		refuse(where, "\"soft\" %llu is above \"hard\" %llu",
		       (unsigned long long)u->want.rlim_cur, (unsigned long long)u->want.rlim_max);
	p->nrlimits++;
}

static void read_process(struct spec_process *p, json_object *proc, const char *where)
{
	json_object *user = get_typed(proc, "user", json_type_object, "process.user");
	json_object *caps =
	    get_typed(proc, "capabilities", json_type_object, "process.capabilities");
	json_object *rl = get_typed(proc, "rlimits", json_type_array, "process.rlimits");
	json_object *groups;
	bool set;

	memset(p, 0, sizeof(*p));
	p->args = get_strings(proc, "args", "process.args");
	if (!p->args || !p->args[0] || !p->args[0][0])
		refuse(where, "process.args must name a program");
	p->env = get_strings(proc, "env", "process.env");
	if (!p->env && !(p->env = calloc(1, sizeof(char *))))
		die_errno("calloc");
	p->cwd = get_string(proc, "cwd", "process.cwd");
	if (!p->cwd || p->cwd[0] != '/')
		refuse("process.cwd", "must be an absolute path");
	p->terminal = get_bool(proc, "terminal", "process.terminal");
	p->no_new_privileges = get_bool(proc, "noNewPrivileges", "process.noNewPrivileges");
	refuse_if_set(proc, "apparmorProfile", "process.apparmorProfile",
		      "AppArmor profiles (this host's podman gives none)");
	refuse_if_set(proc, "selinuxLabel", "process.selinuxLabel", "SELinux labels");
	refuse_if_set(proc, "ioPriority", "process.ioPriority", "I/O priorities");
	refuse_if_set(proc, "scheduler", "process.scheduler", "scheduling policies");
	p->uid = (uid_t)get_int(user, "uid", 0, UINT32_MAX - 1, "process.user.uid", &set);
	p->gid = (gid_t)get_int(user, "gid", 0, UINT32_MAX - 1, "process.user.gid", &set);
	p->umask = (mode_t)get_int(user, "umask", 0, 0777, "process.user.umask", &p->has_umask);
	groups = get_typed(user, "additionalGids", json_type_array, "process.user.additionalGids");
	for (size_t i = 0; groups && i < json_object_array_length(groups); i++) {
		json_object *g = json_object_array_get_idx(groups, i);

		if (!json_object_is_type(g, json_type_int) || json_object_get_int64(g) < 0 ||
		    json_object_get_int64(g) >= UINT32_MAX)
			refuse("process.user.additionalGids", "[%zu] must be a group id", i);
		if (p->ngroups == SPEC_MAX_GROUPS)
			refuse("process.user.additionalGids", "more than %d", SPEC_MAX_GROUPS);
		p->groups[p->ngroups++] = (gid_t)json_object_get_int64(g);
	}
	if (caps) {
		p->caps.bounding = read_caps(caps, "bounding");
		p->caps.effective = read_caps(caps, "effective");
		p->caps.permitted = read_caps(caps, "permitted");
		/* As given, as runc applies them: CVE-2022-24769 was runtimes
		 * and engines that filled inheritable by default; leaving it
		 * empty is the client's choice (docker's and podman's). */
		p->caps.inheritable = read_caps(caps, "inheritable");
		p->caps.ambient = read_caps(caps, "ambient");
	}
	p->oom_score_adj = (int)get_int(proc, "oomScoreAdj", -1000, 1000, "process.oomScoreAdj",
					&p->has_oom_score_adj);
	for (size_t i = 0; rl && i < json_object_array_length(rl); i++)
		read_rlimit(p, json_object_array_get_idx(rl, i), i);
}

void spec_load_process(struct spec_process *p, json_object **doc, const char *path)
{
	*doc = json_object_from_file(path);
	if (!*doc)
		die("%s: not a JSON document: %s", path, json_util_get_last_err());
	if (!json_object_is_type(*doc, json_type_object))
		die("%s: must be a JSON object", path);
	read_process(p, *doc, path);
}

/* --- mounts ------------------------------------------------------------- */

static const struct {
	const char *name;
	bool clear;
	unsigned long flag;
} mount_flags[] = {
	{ "ro", false, MS_RDONLY },
	{ "rw", true, MS_RDONLY },
	{ "nosuid", false, MS_NOSUID },
	{ "suid", true, MS_NOSUID },
	{ "nodev", false, MS_NODEV },
	{ "dev", true, MS_NODEV },
	{ "noexec", false, MS_NOEXEC },
	{ "exec", true, MS_NOEXEC },
	{ "sync", false, MS_SYNCHRONOUS },
	{ "async", true, MS_SYNCHRONOUS },
	{ "dirsync", false, MS_DIRSYNC },
	{ "noatime", false, MS_NOATIME },
	{ "atime", true, MS_NOATIME },
	{ "nodiratime", false, MS_NODIRATIME },
	{ "diratime", true, MS_NODIRATIME },
	{ "relatime", false, MS_RELATIME },
	{ "norelatime", true, MS_RELATIME },
	{ "strictatime", false, MS_STRICTATIME },
	{ "nostrictatime", true, MS_STRICTATIME },
};

static const struct {
	const char *name;
	unsigned long flag;
} propagations[] = {
	{ "private", MS_PRIVATE },	 { "rprivate", MS_PRIVATE | MS_REC },
	{ "shared", MS_SHARED },	 { "rshared", MS_SHARED | MS_REC },
	{ "slave", MS_SLAVE },		 { "rslave", MS_SLAVE | MS_REC },
	{ "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
};

/* runc's recursive attributes (mount_setattr(2) with AT_RECURSIVE): "rro"
 * makes the mounts below a bind read-only too, where "ro" leaves them. */
static const struct {
	const char *name;
	bool clear;
	uint64_t attr;
} recursive_attrs[] = {
	{ "rro", false, MOUNT_ATTR_RDONLY },
	{ "rrw", true, MOUNT_ATTR_RDONLY },
	{ "rnosuid", false, MOUNT_ATTR_NOSUID },
	{ "rsuid", true, MOUNT_ATTR_NOSUID },
	{ "rnodev", false, MOUNT_ATTR_NODEV },
	{ "rdev", true, MOUNT_ATTR_NODEV },
	{ "rnoexec", false, MOUNT_ATTR_NOEXEC },
	{ "rexec", true, MOUNT_ATTR_NOEXEC },
	{ "rnodiratime", false, MOUNT_ATTR_NODIRATIME },
	{ "rdiratime", true, MOUNT_ATTR_NODIRATIME },
	{ "rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW },
	{ "rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW },
};

static bool read_recursive_attr(struct spec_mount *m, const char *opt)
{
	for (size_t i = 0; i < sizeof(recursive_attrs) / sizeof(recursive_attrs[0]); i++) {
		if (strcmp(opt, recursive_attrs[i].name) != 0)
			continue;
		if (recursive_attrs[i].clear) {
			m->rec_clr |= recursive_attrs[i].attr;
			m->rec_set &= ~recursive_attrs[i].attr;
		} else {
			m->rec_set |= recursive_attrs[i].attr;
			m->rec_clr &= ~recursive_attrs[i].attr;
		}
		return true;
	}
	return false;
}

static unsigned long propagation_flag(const char *name)
{
	for (size_t i = 0; i < sizeof(propagations) / sizeof(propagations[0]); i++)
		if (strcmp(name, propagations[i].name) == 0)
			return propagations[i].flag;
	return 0;
}

/* One option: a flag, a propagation, bind/rbind, or data for the file
 * system ("mode=755"). */
static void read_mount_option(struct spec_mount *m, const char *opt, const char *where)
{
	size_t len;

	for (size_t i = 0; i < sizeof(mount_flags) / sizeof(mount_flags[0]); i++) {
		if (strcmp(opt, mount_flags[i].name) != 0)
			continue;
		if (mount_flags[i].clear)
			m->flags &= ~mount_flags[i].flag;
		else
			m->flags |= mount_flags[i].flag;
		return;
	}
	if (propagation_flag(opt)) {
		m->propagation = propagation_flag(opt);
		return;
	}
	if (strcmp(opt, "bind") == 0 || strcmp(opt, "rbind") == 0) {
		m->bind = true;
		m->recursive = opt[0] == 'r';
		return;
	}
	if (read_recursive_attr(m, opt))
		return;
	if (strcmp(opt, "tmpcopyup") == 0 || strcmp(opt, "notmpcopyup") == 0) {
		m->tmpcopyup = opt[0] == 't';
		return;
	}
	/* An idmapped mount must be made by a process privileged over the
	 * host's file system (CAP_SYS_ADMIN in its user namespace, the
	 * host's): the container's init, inside its user namespace, is not. */
	if (strncmp(opt, "idmap", 5) == 0 || strncmp(opt, "ridmap", 6) == 0)
		refuse(where,
		       "option \"%s\": idmapped mounts are not supported by stepbox (the mount "
		       "must be idmapped from the host, before the container's process has it)",
		       opt);
	if (strncmp(opt, "copy-symlink", 12) == 0)
		refuse(where, "option \"%s\" is not supported by stepbox", opt);
	len = strlen(m->data);
	if (len + strlen(opt) + 2 > sizeof(m->data))
		refuse(where, "options are longer than %zu bytes", sizeof(m->data));
	snprintf(m->data + len, sizeof(m->data) - len, "%s%s", len ? "," : "", opt);
}

/* PATH without "//", "." and "..", as filepath.Clean: "/proc/./sys/" is
 * "/proc/sys", "/x/../proc" is "/proc". OUT has PATH_MAX bytes; -1 if
 * it would need more. */
static int clean_path(const char *path, char *out)
{
	size_t len = 0;

	out[0] = '\0';
	while (*path) {
		const char *end;
		size_t n;

		while (*path == '/')
			path++;
		end = strchrnul(path, '/');
		n = (size_t)(end - path);
		if (n == 1 && path[0] == '.') {
			/* nothing */
		} else if (n == 2 && path[0] == '.' && path[1] == '.') {
			while (len > 0 && out[--len] != '/')
				;
			out[len] = '\0';
		} else if (n) {
			if (len + n + 2 > PATH_MAX)
				return -1;
			out[len++] = '/';
			memcpy(out + len, path, n);
			len += n;
			out[len] = '\0';
		}
		path = end;
	}
	if (!len)
		snprintf(out, PATH_MAX, "/");
	return 0;
}

/*
 * A mount inside /proc, as runc's checkProcMount (libcontainer/
 * rootfs_linux.go): at /proc itself only a proc, or a bind of a procfs;
 * below it only the files lxcfs emulates. Anything else covers a file the
 * runtime or the kernel trusts to be procfs's: a tmpfs or a bind over
 * /proc/sys/... turned runc's sysctl and LSM writes into writes of the
 * host's files (CVE-2025-52881), and one over /proc/self/... lies to the
 * container's own tools. runc's list also has /proc/sys/kernel/ns_last_pid
 * and /proc/sys/crypto/fips_enabled (for CRIU and FIPS); stepbox refuses
 * everything under /proc/sys. Returns why DEST is refused, or NULL; sets
 * M->proc_ok when it may lie on procfs.
 */
static const char *check_proc_mount(struct spec_mount *m, const char *dest)
{
	static const char *const lxcfs[] = {
		"/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo",
		"/proc/stat",	 "/proc/swaps",	    "/proc/uptime",
		"/proc/loadavg", "/proc/slabinfo",  "/proc/net/dev",
	};
	struct statfs fs;

	if (strcmp(dest, "/proc") == 0) {
		m->proc_ok = true;
		if (!m->bind)
			return m->type && strcmp(m->type, "proc") == 0
				   ? NULL
				   : "only a proc file system may be mounted at /proc";
		if (statfs(m->source, &fs) < 0)
			return "a bind at /proc must be of a procfs (statfs of \"source\" failed)";
		return fs.f_type == PROC_SUPER_MAGIC ? NULL : "a bind at /proc must be of a procfs";
	}
	if (strncmp(dest, "/proc/", 6) != 0)
		return NULL;
	if (strncmp(dest, "/proc/sys/", 10) == 0)
		return "a mount over /proc/sys/... redirects the writes of sysctls "
		       "(CVE-2025-52881)";
	for (size_t i = 0; i < sizeof(lxcfs) / sizeof(lxcfs[0]); i++)
		if (strcmp(dest, lxcfs[i]) == 0) {
			m->proc_ok = true;
			return NULL;
		}
	return "nothing may be mounted inside /proc but lxcfs's files (/proc/cpuinfo, "
	       "/proc/meminfo, ...), as runc's checkProcMount says";
}

static void read_mount(struct spec *s, json_object *obj, size_t i)
{
	struct spec_mount *m = &s->mounts[s->nmounts++];
	char where[64];
	char **options;

	snprintf(where, sizeof(where), "mounts[%zu]", i);
	if (!json_object_is_type(obj, json_type_object))
		refuse(where, "must be an object");
	memset(m, 0, sizeof(*m));
	m->destination = get_string(obj, "destination", where);
	m->type = get_string(obj, "type", where);
	m->source = get_string(obj, "source", where);
	if (!m->destination || m->destination[0] != '/')
		refuse(where, "\"destination\" must be an absolute path");
	options = get_strings(obj, "options", where);
	for (size_t j = 0; options && options[j]; j++)
		read_mount_option(m, options[j], where);
	free(options);
	if (m->type && strcmp(m->type, "bind") == 0)
		m->bind = true;
	if (!m->bind && !m->type)
		refuse(where, "\"type\" is missing (and it is not a bind mount)");
	if (m->bind && (!m->source || m->source[0] != '/'))
		refuse(where, "a bind mount's \"source\" must be an absolute path on the host");
	/* A bind mount takes no file system options, and sync or dirsync
	 * would be the host file system's: refused rather than dropped. */
	if (m->bind && m->data[0])
		refuse(where, "option(s) \"%s\" mean nothing to a bind mount", m->data);
	if (m->bind && m->flags & (MS_SYNCHRONOUS | MS_DIRSYNC))
		refuse(where, "sync and dirsync are the host file system's: not for a bind mount");
	if (m->tmpcopyup && (m->bind || !m->type || strcmp(m->type, "tmpfs") != 0))
		refuse(where, "\"tmpcopyup\" is for a tmpfs");
	if ((m->rec_set | m->rec_clr) && !m->bind)
		refuse(where, "recursive options (rro, rnosuid, ...) are for a bind mount");
	{
		char clean[PATH_MAX];
		const char *why;

		if (clean_path(m->destination, clean) < 0)
			refuse(where, "\"destination\" is longer than PATH_MAX");
		if ((why = check_proc_mount(m, clean)))
			refuse(where, "\"destination\" %s: refused: %s", m->destination, why);
	}
}

static void read_paths(json_object *lnx, const char *key, const char **out, size_t *n)
{
	char where[64];
	char **list;

	snprintf(where, sizeof(where), "linux.%s", key);
	list = get_strings(lnx, key, where);
	for (size_t i = 0; list && list[i]; i++) {
		if (*n == SPEC_MAX_PATHS)
			refuse(where, "more than %d paths", SPEC_MAX_PATHS);
		if (list[i][0] != '/')
			refuse(where, "[%zu] must be an absolute path", i);
		out[(*n)++] = list[i];
	}
	free(list);
}

/* --- lnx -------------------------------------------------------------- */

static const struct {
	const char *type;
	int flag;
} namespace_types[] = {
	{ "pid", CLONE_NEWPID },       { "network", CLONE_NEWNET }, { "mount", CLONE_NEWNS },
	{ "ipc", CLONE_NEWIPC },       { "uts", CLONE_NEWUTS },	    { "user", CLONE_NEWUSER },
	{ "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME },
};

/*
 * Only a network, IPC or UTS namespace may be joined by path: podman and
 * Kubernetes pin a network namespace they have wired, and pods share
 * IPC and UTS. Joining the others hands the container what is not its
 * own. runc refuses none of them by itself; stepbox, run as root, does.
 */
static const char *join_refusal(int flag)
{
	switch (flag) {
	case CLONE_NEWNS:
		return "pivot_root in another process's mount namespace makes that process's "
		       "root (or the host's) the container's, and our mounts its";
	case CLONE_NEWPID:
		return "the container's processes would be another namespace's, seen and "
		       "signalled from it, and ours from the container";
	case CLONE_NEWUSER:
		return "run as root, the runtime would give the container that namespace's "
		       "capabilities over whatever it owns";
	default:
		return "the container's cgroup namespace is made at its own cgroup, after "
		       "it joins it";
	}
}

static void read_namespaces(struct spec *s, json_object *lnx)
{
	json_object *a = get_typed(lnx, "namespaces", json_type_array, "linux.namespaces");

	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		json_object *ns = json_object_array_get_idx(a, i);
		struct spec_namespace *n;
		char where[64];
		const char *type;
		size_t t;

		snprintf(where, sizeof(where), "linux.namespaces[%zu]", i);
		type = get_string(ns, "type", where);
		for (t = 0; type && t < sizeof(namespace_types) / sizeof(namespace_types[0]); t++)
			if (strcmp(type, namespace_types[t].type) == 0)
				break;
		if (!type || t == sizeof(namespace_types) / sizeof(namespace_types[0]))
			refuse(where, "\"type\" %s is not a namespace type",
			       type ? type : "(none)");
		if (spec_has_namespace(s, namespace_types[t].flag))
			refuse(where, "%s is listed twice", type);
		if (namespace_types[t].flag == CLONE_NEWTIME)
			refuse(where, "time namespaces are not supported by stepbox");
		n = &s->namespaces[s->nnamespaces++];
		n->flag = namespace_types[t].flag;
		n->type = namespace_types[t].type;
		n->path = get_string(ns, "path", where);
		if (n->path && n->path[0] != '/')
			refuse(where, "\"path\" must be absolute");
		if (!n->path)
			s->clone_flags |= n->flag;
		if (n->path && (n->flag & ~(CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS)))
			refuse(where, "joining a %s namespace by path (%s) is refused: %s", type,
			       n->path, join_refusal(n->flag));
	}
	if (!spec_has_namespace(s, CLONE_NEWNS))
		refuse("linux.namespaces", "stepbox needs a mount namespace (type \"mount\")");
}

/* [{"containerID": 0, "hostID": 100000, "size": 65536}] as "0 100000 65536\n". */
static void read_id_map(json_object *lnx, const char *key, char *out, size_t size)
{
	json_object *a = get_typed(lnx, key, json_type_array, key);
	size_t len = 0;

	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		json_object *m = json_object_array_get_idx(a, i);
		char where[64];
		int64_t c, h, n;
		bool set;

		snprintf(where, sizeof(where), "linux.%s[%zu]", key, i);
		c = get_int(m, "containerID", 0, UINT32_MAX - 1, where, &set);
		h = get_int(m, "hostID", 0, UINT32_MAX - 1, where, &set);
		n = get_int(m, "size", 1, UINT32_MAX, where, &set);
		len += (size_t)snprintf(out + len, size - len, "%lld %lld %lld\n", (long long)c,
					(long long)h, (long long)n);
		if (len >= size)
			refuse(where, "too many mappings");
	}
}

/* linux.resources: what --memory, --cpus, --pids, --device fill. */
static void read_devices(struct cgroup_limits *l, json_object *res)
{
	json_object *a = get_typed(res, "devices", json_type_array, "linux.resources.devices");

	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		json_object *d = json_object_array_get_idx(a, i);
		char where[64];
		const char *type, *access;
		int64_t major, minor;
		bool has_major, has_minor;
		unsigned bits;

		snprintf(where, sizeof(where), "linux.resources.devices[%zu]", i);
		type = get_string(d, "type", where);
		access = get_string(d, "access", where);
		major = get_int(d, "major", -1, 4095, where, &has_major);
		minor = get_int(d, "minor", -1, (1 << 20) - 1, where, &has_minor);
		if (parse_access(access ? access : "rwm", &bits) < 0)
			refuse(where, "\"access\" %s is not made of r, w and m", access);
		if (!get_bool(d, "allow", where)) {
			/* Everything not allowed is denied (step07): a deny of
			 * all is what we do anyway; a narrower one is not. */
			if ((type && strcmp(type, "a") != 0) || has_major || has_minor)
				refuse(where, "denying one device is not supported by stepbox "
					      "(everything not allowed is denied)");
			continue;
		}
		/* Every device (podman --privileged): "a *:* rwm", as runc
		 * writes it; v1's devices.allow then allows all, v2's program
		 * any char or block node. */
		if ((!type || strcmp(type, "a") == 0) && !has_major && !has_minor) {
			if (l->ndevices == CGROUP_MAX_DEVICES)
				refuse(where, "more than %d device rules", CGROUP_MAX_DEVICES);
			l->devices[l->ndevices++] =
			    (struct device_rule){ 'a', DEVICE_ANY, DEVICE_ANY, bits };
			continue;
		}
		if (!type || strcmp(type, "a") == 0)
			refuse(where, "allowing every device of one number is not supported by "
				      "stepbox");
		if (strcmp(type, "c") != 0 && strcmp(type, "b") != 0)
			refuse(where, "\"type\" must be c or b");
		if (l->ndevices == CGROUP_MAX_DEVICES)
			refuse(where, "more than %d device rules", CGROUP_MAX_DEVICES);
		l->devices[l->ndevices++] = (struct device_rule){
			.type = type[0],
			.major = has_major ? (int)major : DEVICE_ANY,
			.minor = has_minor ? (int)minor : DEVICE_ANY,
			.access = bits,
		};
	}
}

/* linux.resources.hugepageLimits: [{"pageSize": "2MB", "limit": N}], as
 * --hugetlb 2M:N; the page size is named as the kernel names its files. */
static void read_hugepage_limits(struct cgroup_limits *l, json_object *res)
{
	json_object *a =
	    get_typed(res, "hugepageLimits", json_type_array, "linux.resources.hugepageLimits");

	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		json_object *h = json_object_array_get_idx(a, i);
		struct hugetlb_limit *slot = NULL;
		char where[64], digits[16];
		const char *size;
		uint64_t n, page_size;
		int64_t limit;
		size_t len;
		bool set;

		snprintf(where, sizeof(where), "linux.resources.hugepageLimits[%zu]", i);
		if (!json_object_is_type(h, json_type_object))
			refuse(where, "must be an object");
		size = get_string(h, "pageSize", where);
		len = size ? strspn(size, "0123456789") : 0;
		if (!size || len == 0 || len >= sizeof(digits) ||
		    (strcmp(size + len, "KB") != 0 && strcmp(size + len, "MB") != 0 &&
		     strcmp(size + len, "GB") != 0))
			refuse(where, "\"pageSize\" must be a size such as 2MB or 1GB");
		snprintf(digits, sizeof(digits), "%.*s", (int)len, size);
		if (parse_u64_range(digits, 1, 1 << 20, &n) < 0)
			refuse(where, "\"pageSize\" %s is out of range", size);
		page_size = n << (size[len] == 'G' ? 30 : size[len] == 'M' ? 20 : 10);
		limit = get_int(h, "limit", 0, INT64_MAX, where, &set);
		if (!set)
			refuse(where, "\"limit\" missing");
		if ((uint64_t)limit % page_size != 0)
			refuse(where, "\"limit\" %lld is not a whole number of %s pages",
			       (long long)limit, size);
		for (size_t j = 0; j < l->nhugetlb; j++)
			if (l->hugetlb[j].page_size == page_size)
				slot = &l->hugetlb[j];
		if (!slot) {
			if (l->nhugetlb == CGROUP_MAX_HUGETLB)
				refuse(where, "more than %d page sizes", CGROUP_MAX_HUGETLB);
			slot = &l->hugetlb[l->nhugetlb++];
			slot->page_size = page_size;
		}
		slot->limit = (uint64_t)limit;
	}
}

/*
 * Fields of OBJ (at WHERE) other than KNOWN (NULL-terminated) are
 * refused: a field of a newer runtime-spec, or a misspelt one, would
 * otherwise be skipped, and the container run without it.
 */
static void only_fields(json_object *obj, const char *where, const char *const known[])
{
	if (!obj)
		return;
	json_object_object_foreach(obj, key, value)
	{
		bool ok = false;

		(void)value;
		for (size_t i = 0; known[i]; i++)
			ok = ok || strcmp(key, known[i]) == 0;
		if (!ok)
			refuse(where,
			       "\"%.64s\" is not a field stepbox knows: refused, not skipped", key);
	}
}

/*
 * memory.swappiness: 0..100 on v1. -1 (or its uint64 bits, 2^64-1) is
 * "leave the kernel's", as runc's fs/memory.go reads it. cgroup v2 has no
 * swappiness of a cgroup: runc's fs2/memory.go (setMemory) writes only
 * memory.swap.max, memory.max and memory.low and drops the field unsaid;
 * stepbox refuses it instead.
 */
static void read_swappiness(struct oci_limits *o, json_object *mem, bool v2)
{
	const char *where = "linux.resources.memory.swappiness";
	json_object *v = get_typed(mem, "swappiness", json_type_int, where);

	if (!v || json_object_get_int64(v) == -1 || json_object_get_uint64(v) == UINT64_MAX)
		return;
	if (json_object_get_int64(v) < 0 || json_object_get_uint64(v) > 100)
		refuse(where, "%s is out of range (0 to 100)", json_object_get_string(v));
	if (v2)
		refuse(where, "cgroup v2 has no swappiness of a cgroup (runc's fs2 drops the field "
			      "unsaid); leave it out");
	o->has_swappiness = true;
	o->swappiness = json_object_get_uint64(v);
}

static void read_memory(struct cgroup_limits *l, json_object *res, bool v2)
{
	static const char *const fields[] = {
		"limit",
		"reservation",
		"swap",
		"kernel",
		"kernelTCP",
		"swappiness",
		"disableOOMKiller",
		"useHierarchy",
		"checkBeforeUpdate",
		NULL,
	};
	json_object *mem = get_typed(res, "memory", json_type_object, "linux.resources.memory");
	json_object *hierarchy;
	struct oci_limits *o = &l->oci;
	int64_t limit;
	bool set;

	only_fields(mem, "linux.resources.memory", fields);
	limit = get_int(mem, "limit", -1, INT64_MAX, "linux.resources.memory.limit", &set);
	if (set && limit > 0)
		l->memory = (uint64_t)limit;
	limit = get_int(mem, "swap", -1, INT64_MAX, "linux.resources.memory.swap", &set);
	if (set && limit > 0)
		l->memory_swap = (uint64_t)limit;
	if (l->memory && l->memory < 6 << 20)
		refuse("linux.resources.memory.limit", "at least 6M: less and the runtime itself "
						       "cannot start the container in it");
	o->memory_reservation =
	    get_int(mem, "reservation", -1, INT64_MAX, "linux.resources.memory.reservation", &set);
	o->memory_kernel =
	    get_int(mem, "kernel", -1, INT64_MAX, "linux.resources.memory.kernel", &set);
	o->memory_kernel_tcp =
	    get_int(mem, "kernelTCP", -1, INT64_MAX, "linux.resources.memory.kernelTCP", &set);
	if (v2 && (o->memory_kernel || o->memory_kernel_tcp))
		refuse(o->memory_kernel ? "linux.resources.memory.kernel"
					: "linux.resources.memory.kernelTCP",
		       "cgroup v2 has no kernel memory limit: memory.max counts kernel memory too "
		       "(runc's fs2 drops the field unsaid); leave it out");
	read_swappiness(o, mem, v2);
	o->disable_oom_killer =
	    get_bool(mem, "disableOOMKiller", "linux.resources.memory.disableOOMKiller");
	if (v2 && o->disable_oom_killer)
		refuse(
		    "linux.resources.memory.disableOOMKiller",
		    "cgroup v2 cannot turn a cgroup's OOM killer off, as v1's memory.oom_control "
		    "does (runc's fs2 drops the field unsaid)");
	hierarchy = get_typed(mem, "useHierarchy", json_type_boolean,
			      "linux.resources.memory.useHierarchy");
	if (hierarchy && !json_object_get_boolean(hierarchy))
		refuse("linux.resources.memory.useHierarchy",
		       "false: every memory cgroup counts its children (v2 always; v1's "
		       "memory.use_hierarchy 0 is refused by current kernels)");
	/* Only `update` can lower a limit below what is in use: a new
	 * cgroup uses nothing. */
	o->check_before_update =
	    get_bool(mem, "checkBeforeUpdate", "linux.resources.memory.checkBeforeUpdate");
}

static void read_cpu(struct cgroup_limits *l, json_object *res, bool v2)
{
	static const char *const fields[] = {
		"shares",	  "quota", "burst", "period", "realtimeRuntime",
		"realtimePeriod", "cpus",  "mems",  "idle",   NULL,
	};
	json_object *cpu = get_typed(res, "cpu", json_type_object, "linux.resources.cpu");
	struct oci_limits *o = &l->oci;
	int64_t n;
	bool set;

	only_fields(cpu, "linux.resources.cpu", fields);
	/* 0 is "not given", as runc reads it; 1 the kernel would make 2. */
	n = get_int(cpu, "shares", 0, 262144, "linux.resources.cpu.shares", &set);
	if (n == 1)
		refuse("linux.resources.cpu.shares", "1 is below cpu.shares' least, 2");
	o->cpu_shares = (uint64_t)n;
	o->cpu_quota = get_int(cpu, "quota", -1, INT64_MAX, "linux.resources.cpu.quota", &set);
	o->cpu_period =
	    (uint64_t)get_int(cpu, "period", 0, INT64_MAX, "linux.resources.cpu.period", &set);
	o->cpu_burst = (uint64_t)get_int(cpu, "burst", 0, INT64_MAX, "linux.resources.cpu.burst",
					 &o->has_cpu_burst);
	o->cpu_rt_runtime = get_int(cpu, "realtimeRuntime", -1, INT64_MAX,
				    "linux.resources.cpu.realtimeRuntime", &set);
	o->cpu_rt_period = (uint64_t)get_int(cpu, "realtimePeriod", 0, INT64_MAX,
					     "linux.resources.cpu.realtimePeriod", &set);
	if (v2 && (o->cpu_rt_runtime || o->cpu_rt_period))
		refuse(o->cpu_rt_runtime ? "linux.resources.cpu.realtimeRuntime"
					 : "linux.resources.cpu.realtimePeriod",
		       "cgroup v2 has no real-time bandwidth of a cgroup (v1's cpu.rt_*; runc's "
		       "fs2 drops the field unsaid)");
	o->cpu_idle = get_int(cpu, "idle", 0, 1, "linux.resources.cpu.idle", &o->has_cpu_idle);
	l->cpuset_cpus = get_string(cpu, "cpus", "linux.resources.cpu.cpus");
	l->cpuset_mems = get_string(cpu, "mems", "linux.resources.cpu.mems");
	if (l->cpuset_cpus && !*l->cpuset_cpus)
		l->cpuset_cpus = NULL;
	if (l->cpuset_mems && !*l->cpuset_mems)
		l->cpuset_mems = NULL;
}

/* {"major": 8, "minor": 0, ...}: a whole disk this machine has. */
static void read_disk(json_object *d, const char *where, unsigned *major, unsigned *minor)
{
	const char *problem;
	bool has_major, has_minor;

	if (!json_object_is_type(d, json_type_object))
		refuse(where, "must be an object");
	*major = (unsigned)get_int(d, "major", 0, 4095, where, &has_major);
	*minor = (unsigned)get_int(d, "minor", 0, (1 << 20) - 1, where, &has_minor);
	if (!has_major || !has_minor)
		refuse(where, "\"major\" and \"minor\" name the disk");
	problem = cgroup_io_disk_problem(*major, *minor);
	if (problem)
		refuse(where, "%u:%u is %s", *major, *minor, problem);
}

/* blockIO.throttle*Device: the same io limits as --device-read-bps and
 * its kin, one entry a disk; a rate of 0 would mean "none" on v1 and
 * something else on v2, so it is refused. */
static void read_throttle(struct cgroup_limits *l, json_object *io, const char *key, int which)
{
	static const char *const fields[] = { "major", "minor", "rate", NULL };
	char where[96];
	json_object *a;

	snprintf(where, sizeof(where), "linux.resources.blockIO.%s", key);
	a = get_typed(io, key, json_type_array, where);
	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		json_object *d = json_object_array_get_idx(a, i);
		struct io_limit *slot;
		unsigned major, minor;
		uint64_t rate;
		bool set;

		snprintf(where, sizeof(where), "linux.resources.blockIO.%s[%zu]", key, i);
		if (!json_object_is_type(d, json_type_object))
			refuse(where, "must be an object");
		only_fields(d, where, fields);
		rate = get_u64(d, "rate", where, &set);
		if (!rate)
			refuse(where,
			       "\"rate\" must be above 0 (leave the entry out for no limit)");
		read_disk(d, where, &major, &minor);
		slot = cgroup_io_slot(l, major, minor);
		if (!slot)
			refuse(where, "more than %d disks", CGROUP_MAX_IO);
		*(which == 0   ? &slot->rbps
		  : which == 1 ? &slot->wbps
		  : which == 2 ? &slot->riops
			       : &slot->wiops) = rate;
	}
}

/* CFQ's leaf weights: CFQ left the kernel in Linux 5.0, and with it
 * blkio.leaf_weight; neither BFQ nor v2 has one. */
static void refuse_leaf_weight(json_object *obj, const char *where)
{
	bool set;

	if (get_int(obj, "leafWeight", 0, 1000, where, &set))
		refuse(where, "CFQ's leaf weights left the kernel with CFQ (Linux 5.0): no "
			      "blkio.leaf_weight exists, on v1 or v2");
}

/* blockIO.weightDevice: a disk's own weight, v1's 10..1000. */
static void read_weight_devices(struct oci_limits *o, json_object *io)
{
	static const char *const fields[] = { "major", "minor", "weight", "leafWeight", NULL };
	json_object *a =
	    get_typed(io, "weightDevice", json_type_array, "linux.resources.blockIO.weightDevice");

	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		json_object *d = json_object_array_get_idx(a, i);
		char where[96], leaf[112];
		unsigned major, minor;
		int64_t weight;
		bool set;

		snprintf(where, sizeof(where), "linux.resources.blockIO.weightDevice[%zu]", i);
		if (!json_object_is_type(d, json_type_object))
			refuse(where, "must be an object");
		only_fields(d, where, fields);
		snprintf(leaf, sizeof(leaf), "%s.leafWeight", where);
		refuse_leaf_weight(d, leaf);
		read_disk(d, where, &major, &minor);
		weight = get_int(d, "weight", 10, 1000, where, &set);
		if (!set)
			continue;
		if (o->nweight_device == CGROUP_MAX_IO)
			refuse(where, "more than %d disks", CGROUP_MAX_IO);
		o->weight_device[o->nweight_device++] = (struct weight_device){
			.major = major, .minor = minor, .weight = (uint64_t)weight
		};
	}
}

static void read_block_io(struct cgroup_limits *l, json_object *res)
{
	static const char *const fields[] = {
		"weight",
		"leafWeight",
		"weightDevice",
		"throttleReadBpsDevice",
		"throttleWriteBpsDevice",
		"throttleReadIOPSDevice",
		"throttleWriteIOPSDevice",
		NULL,
	};
	json_object *io = get_typed(res, "blockIO", json_type_object, "linux.resources.blockIO");
	int64_t weight;
	bool set;

	only_fields(io, "linux.resources.blockIO", fields);
	/* 0 is "not given", as runc reads it */
	weight = get_int(io, "weight", 0, 1000, "linux.resources.blockIO.weight", &set);
	if (weight && weight < 10)
		refuse("linux.resources.blockIO.weight", "%lld is out of range (10 to 1000)",
		       (long long)weight);
	l->oci.blkio_weight = (uint64_t)weight;
	refuse_leaf_weight(io, "linux.resources.blockIO.leafWeight");
	read_weight_devices(&l->oci, io);
	read_throttle(l, io, "throttleReadBpsDevice", 0);
	read_throttle(l, io, "throttleWriteBpsDevice", 1);
	read_throttle(l, io, "throttleReadIOPSDevice", 2);
	read_throttle(l, io, "throttleWriteIOPSDevice", 3);
}

/*
 * linux.resources.unified: cgroup v2 files by name, written as given
 * (cgroup.c). On v1 it is refused unless empty, as runc's validator
 * does (cgroupsCheck: ErrV1NoUnified). A key is a file name of the
 * leaf; of the cgroup core's files only the two limits on descendants:
 * membership (cgroup.procs would pull a host process in, for kill --all
 * to kill), freezing and the controllers are the runtime's.
 */
static void read_unified(struct oci_limits *o, json_object *res, bool v2)
{
	json_object *u = get_typed(res, "unified", json_type_object, "linux.resources.unified");

	if (!u || json_object_object_length(u) == 0)
		return;
	if (!v2)
		refuse("linux.resources.unified",
		       "cgroup v1 has no unified files (runc refuses it on v1 too)");
	json_object_object_foreach(u, key, value)
	{
		char where[128];
		size_t len = strlen(key);

		if (len == 0 || len > 64 ||
		    strspn(key, "abcdefghijklmnopqrstuvwxyz"
				"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._") != len ||
		    key[0] == '.' || !strchr(key, '.'))
			refuse("linux.resources.unified",
			       "a key must be a cgroup file's name, CONTROLLER.PARAMETER");
		snprintf(where, sizeof(where), "linux.resources.unified[\"%s\"]", key);
		if (strncmp(key, "cgroup.", 7) == 0 && strcmp(key, "cgroup.max.depth") != 0 &&
		    strcmp(key, "cgroup.max.descendants") != 0)
			refuse(where, "refused: a cgroup's members, type, freezing and controllers "
				      "are the runtime's");
		if (!json_object_is_type(value, json_type_string) ||
		    !*json_object_get_string(value) || strlen(json_object_get_string(value)) > 4000)
			refuse(where, "must be a string of 1 to 4000 characters");
		if (o->nunified == CGROUP_MAX_UNIFIED)
			refuse("linux.resources.unified", "more than %d keys", CGROUP_MAX_UNIFIED);
		o->unified_key[o->nunified] = key;
		o->unified_value[o->nunified++] = json_object_get_string(value);
	}
}

/* network.priorities: v1's net_prio (cgroup.c refuses it on v2), a host
 * interface's name as the kernel takes one: 1 to 15 bytes, no '/', no
 * blank. */
static void read_net_priorities(struct oci_limits *o, json_object *net)
{
	static const char *const fields[] = { "name", "priority", NULL };
	json_object *a =
	    get_typed(net, "priorities", json_type_array, "linux.resources.network.priorities");

	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		json_object *p = json_object_array_get_idx(a, i);
		char where[64];
		const char *name;
		int64_t priority;
		bool set;

		snprintf(where, sizeof(where), "linux.resources.network.priorities[%zu]", i);
		if (!json_object_is_type(p, json_type_object))
			refuse(where, "must be an object");
		only_fields(p, where, fields);
		name = get_string(p, "name", where);
		if (!name || !*name || strlen(name) >= sizeof(o->net_prio[0].name) ||
		    strpbrk(name, "/ \t\n") || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			refuse(where,
			       "\"name\" must be an interface name (1 to %zu bytes, no '/' "
			       "or blank)",
			       sizeof(o->net_prio[0].name) - 1);
		priority = get_int(p, "priority", 0, UINT32_MAX, where, &set);
		if (!set)
			refuse(where, "\"priority\" missing");
		if (o->nnet_prio == CGROUP_MAX_NET_PRIO)
			refuse(where, "more than %d interfaces", CGROUP_MAX_NET_PRIO);
		snprintf(o->net_prio[o->nnet_prio].name, sizeof(o->net_prio[0].name), "%s", name);
		o->net_prio[o->nnet_prio++].priority = (uint32_t)priority;
	}
}

/*
 * linux.resources, every field of the runtime-spec's list applied as
 * given (cgroup.c: v1's numbers to v1's files, converted for v2 as runc
 * converts them) or refused here by its JSON path, with the layout of
 * this host's cgroups in mind, before anything is made.
 */
void spec_read_resources(struct cgroup_limits *l, json_object *res)
{
	static const char *const fields[] = {
		"devices", "memory",	     "cpu",  "pids",	"blockIO",
		"network", "hugepageLimits", "rdma", "unified", NULL,
	};
	static const char *const pid_fields[] = { "limit", NULL };
	static const char *const net_fields[] = { "classID", "priorities", NULL };
	json_object *pids = get_typed(res, "pids", json_type_object, "linux.resources.pids");
	json_object *net = get_typed(res, "network", json_type_object, "linux.resources.network");
	bool v2 = res && cgroup_detect() == CGROUP_V2;
	int64_t limit;
	bool set;

	only_fields(res, "linux.resources", fields);
	read_memory(l, res, v2);
	read_cpu(l, res, v2);
	only_fields(pids, "linux.resources.pids", pid_fields);
	limit = get_int(pids, "limit", -1, INT64_MAX, "linux.resources.pids.limit", &set);
	if (set && limit > 0)
		l->pids = (uint64_t)limit;
	read_block_io(l, res);
	/* net_cls (v1 only: cgroup.c refuses it on v2) */
	only_fields(net, "linux.resources.network", net_fields);
	limit = get_int(net, "classID", 0, UINT32_MAX, "linux.resources.network.classID", &set);
	if (set && limit > 0)
		l->net_classid = (uint32_t)limit;
	read_net_priorities(&l->oci, net);
	read_hugepage_limits(l, res);
	refuse_if_set(res, "rdma", "linux.resources.rdma", "rdma limits");
	read_unified(&l->oci, res, v2);
	read_devices(l, res);
}

static void read_resources(struct spec *s, json_object *lnx)
{
	spec_read_resources(&s->limits,
			    get_typed(lnx, "resources", json_type_object, "linux.resources"));
}

/* linux.devices: nodes made in the container's /dev, as --device does. */
static void read_device_nodes(struct spec *s, json_object *lnx)
{
	static const char *const fields[] = {
		"path", "type", "major", "minor", "fileMode", "uid", "gid", NULL,
	};
	json_object *a = get_typed(lnx, "devices", json_type_array, "linux.devices");

	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		json_object *d = json_object_array_get_idx(a, i);
		struct dev_node *n = &s->devices[s->ndevices];
		const char *path, *type;
		char where[64];
		bool set;

		snprintf(where, sizeof(where), "linux.devices[%zu]", i);
		path = get_string(d, "path", where);
		type = get_string(d, "type", where);
		if (!path || strncmp(path, "/dev/", 5) != 0 || !path[5] || strstr(path, "//") ||
		    strstr(path, "/./") || strstr(path, "/../") || path[strlen(path) - 1] == '/' ||
		    strcmp(path + strlen(path) - 2, "/.") == 0 ||
		    strlen(path + 5) >= sizeof(s->device_names[0]))
			refuse(where,
			       "\"path\" must be /dev/NAME or /dev/DIR/NAME (no \".\", "
			       "\"..\" or \"//\", shorter than %zu)",
			       sizeof(s->device_names[0]));
		/* u is an unbuffered character device: c, as runc takes it */
		if (!type || !type[0] || type[1] || !strchr("cbup", type[0]))
			refuse(where, "\"type\" must be c, u, b or p");
		if (s->ndevices == SPEC_MAX_DEVICES)
			refuse(where, "more than %d devices", SPEC_MAX_DEVICES);
		only_fields(d, where, fields);
		snprintf(s->device_names[s->ndevices], sizeof(s->device_names[0]), "%s", path + 5);
		n->name = s->device_names[s->ndevices];
		n->type = type[0];
		if (n->type == 'u')
			n->type = 'c';
		n->major = (unsigned)get_int(d, "major", 0, 4095, where, &set);
		n->minor = (unsigned)get_int(d, "minor", 0, (1 << 20) - 1, where, &set);
		/* fileMode may carry the type bits too (podman's 8576 is
		 * S_IFCHR|0600): the permission bits are what it sets. */
		n->mode = (unsigned)get_int(d, "fileMode", 0, UINT32_MAX, where, &set) & 07777;
		if (set && !n->mode)
			refuse(where, "\"fileMode\" without permission bits is not supported by "
				      "stepbox (0 would mean its default, 0666)");
		n->uid = (unsigned)get_int(d, "uid", 0, UINT32_MAX - 1, where, &set);
		n->gid = (unsigned)get_int(d, "gid", 0, UINT32_MAX - 1, where, &set);
		s->ndevices++;
	}
}

/*
 * Which namespace a sysctl belongs to, as runc's validator has it
 * (libcontainer/configs/validate/validator.go, sysctl()): the System V
 * IPC limits and fs.mqueue.* are the IPC namespace's, net.* the network
 * namespace's, kernel.domainname and kernel.hostname the UTS namespace's.
 * Anything else (vm.*, fs.lease-break-time, kernel.core_pattern ...) is
 * the one machine's, whatever namespace writes it: 0.
 */
static int sysctl_namespace(const char *key)
{
	static const char *const ipc[] = {
		"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
		"kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
	};

	for (size_t i = 0; i < sizeof(ipc) / sizeof(ipc[0]); i++)
		if (strcmp(key, ipc[i]) == 0)
			return CLONE_NEWIPC;
	if (strncmp(key, "fs.mqueue.", 10) == 0)
		return CLONE_NEWIPC;
	if (strncmp(key, "net.", 4) == 0)
		return CLONE_NEWNET;
	if (strcmp(key, "kernel.domainname") == 0 || strcmp(key, "kernel.hostname") == 0)
		return CLONE_NEWUTS;
	return 0;
}

/*
 * linux.sysctl: only what is the container's own. A sysctl outside the
 * allow-list, or one whose namespace the container shares with the host,
 * would change the host for every process on it (fs.lease-break-time,
 * vm.overcommit_memory, kernel.core_pattern: a program run as the host's
 * root). runc refuses them in its validator, before anything is made;
 * so do we. The writes themselves go through procfs handles (oci.c:
 * write_sysctls, runc's CVE-2025-52881). A joined network or IPC
 * namespace is checked not to be the runtime's own in oci.c, where its
 * fd is open.
 */
static void read_sysctl(struct spec *s, json_object *lnx)
{
	json_object *o = get_typed(lnx, "sysctl", json_type_object, "linux.sysctl");

	if (!o)
		return;
	json_object_object_foreach(o, key, value)
	{
		char where[160];
		int ns;

		for (const char *p = key; *p; p++)
			if (!isgraph((unsigned char)*p))
				refuse("linux.sysctl", "a key has a space or a control character");
		snprintf(where, sizeof(where), "linux.sysctl[\"%s\"]", key);
		if (!json_object_is_type(value, json_type_string))
			refuse(where, "must be a string");
		/* A name, never a path: "/" and ".." would lead out of
		 * /proc/sys (runc's "net/ipv4/..." form is not taken). */
		if (!key[0] || strchr(key, '/') || strstr(key, "..") || key[0] == '.' ||
		    key[strlen(key) - 1] == '.')
			refuse(where, "not a sysctl name (dots between names; no '/', '..' or "
				      "empty name)");
		ns = sysctl_namespace(key);
		if (!ns)
			refuse(where,
			       "refused: not in a namespace of the container's own, it is the "
			       "host's (runc's validator refuses it too)");
		if (strcmp(key, "kernel.hostname") == 0)
			refuse(where, "refused: the \"hostname\" field sets it (as runc says)");
		if (ns == CLONE_NEWUTS && !(s->clone_flags & CLONE_NEWUTS))
			refuse(where, "refused: it needs a new UTS namespace (linux.namespaces "
				      "{\"type\": \"uts\"}), else it is the host's");
		if (ns != CLONE_NEWUTS && !spec_has_namespace(s, ns))
			refuse(where,
			       "refused: it needs %s namespace of the container's own "
			       "(linux.namespaces), else it is the host's",
			       ns == CLONE_NEWNET ? "a network" : "an IPC");
		if (s->nsysctl == SPEC_MAX_SYSCTL)
			refuse("linux.sysctl", "more than %d", SPEC_MAX_SYSCTL);
		s->sysctl_keys[s->nsysctl] = key;
		s->sysctl_ns[s->nsysctl] = ns;
		s->sysctl_values[s->nsysctl++] = json_object_get_string(value);
	}
}

static void read_linux(struct spec *s, json_object *lnx)
{
	const char *prop;

	read_namespaces(s, lnx);
	read_id_map(lnx, "uidMappings", s->uid_map, sizeof(s->uid_map));
	read_id_map(lnx, "gidMappings", s->gid_map, sizeof(s->gid_map));
	if (spec_has_namespace(s, CLONE_NEWUSER) && (!s->uid_map[0] || !s->gid_map[0]))
		refuse("linux.uidMappings", "a user namespace needs uidMappings and gidMappings");
	read_resources(s, lnx);
	s->cgroups_path = get_string(lnx, "cgroupsPath", "linux.cgroupsPath");
	if (s->cgroups_path && (strstr(s->cgroups_path, "..") || strchr(s->cgroups_path, ':')))
		refuse("linux.cgroupsPath",
		       "%s: a path below the cgroup root (no \"..\"; \"slice:prefix:name\" is "
		       "systemd's form, and stepbox manages cgroups itself, with cgroupfs)",
		       s->cgroups_path);
	read_paths(lnx, "maskedPaths", s->masked, &s->nmasked);
	read_paths(lnx, "readonlyPaths", s->readonly, &s->nreadonly);
	s->seccomp = get_typed(lnx, "seccomp", json_type_object, "linux.seccomp");
	read_device_nodes(s, lnx);
	read_sysctl(s, lnx);
	s->rootfs_propagation = MS_PRIVATE | MS_REC;
	prop = get_string(lnx, "rootfsPropagation", "linux.rootfsPropagation");
	if (prop && !(s->rootfs_propagation = propagation_flag(prop)))
		refuse("linux.rootfsPropagation", "%s is not a propagation", prop);
	refuse_if_set(lnx, "intelRdt", "linux.intelRdt", "Intel RDT");
	refuse_if_set(lnx, "personality", "linux.personality", "personalities");
	refuse_if_set(lnx, "mountLabel", "linux.mountLabel", "SELinux labels");
	refuse_if_set(lnx, "timeOffsets", "linux.timeOffsets", "time namespaces");
}

/* --- hooks --------------------------------------------------------------- */

const char *const spec_hook_names[SPEC_HOOK_KINDS] = {
	"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
};

/* {"path": "/usr/bin/x", "args": ["x", "-v"], "env": ["A=1"], "timeout": 5} */
static void read_hook(struct spec_hook *h, json_object *obj, const char *where)
{
	char field[160];
	bool set;

	if (!json_object_is_type(obj, json_type_object))
		refuse(where, "must be an object with \"path\"");
	snprintf(field, sizeof(field), "%s.path", where);
	h->path = get_string(obj, "path", field);
	if (!h->path || h->path[0] != '/')
		refuse(field,
		       "must be an absolute path (the runtime-spec's rule: no $PATH search)");
	snprintf(field, sizeof(field), "%s.args", where);
	h->args = get_strings(obj, "args", field);
	if (!h->args || !h->args[0]) {
		free(h->args);
		h->args = calloc(2, sizeof(*h->args));
		if (!h->args)
			die_errno("calloc");
		h->args[0] = (char *)h->path;
	}
	snprintf(field, sizeof(field), "%s.env", where);
	h->env = get_strings(obj, "env", field);
	snprintf(field, sizeof(field), "%s.timeout", where);
	h->timeout = (int)get_int(obj, "timeout", 1, INT32_MAX, field, &set);
}

/*
 * hooks: programs of the host (and startContainer's, of the image) that
 * the lifecycle runs (oci.c, hooks.c). A name we do not know is refused
 * as any field: a list that is skipped is a step of the container's
 * setup that did not happen.
 */
static void read_hooks(struct spec *s, json_object *hooks)
{
	json_object_object_foreach(hooks, name, list)
	{
		char where[96];
		size_t kind = 0, n;

		while (kind < SPEC_HOOK_KINDS && strcmp(name, spec_hook_names[kind]) != 0)
			kind++;
		snprintf(where, sizeof(where), "hooks.%s", name);
		if (kind == SPEC_HOOK_KINDS)
			refuse(where, "not a hook of the runtime-spec (prestart, createRuntime, "
				      "createContainer, startContainer, poststart, poststop)");
		if (!json_object_is_type(list, json_type_array))
			refuse(where, "must be an array");
		n = json_object_array_length(list);
		if (n > SPEC_MAX_PATHS)
			refuse(where, "more than %d hooks", SPEC_MAX_PATHS);
		s->hooks[kind] = calloc(n + 1, sizeof(struct spec_hook));
		if (!s->hooks[kind])
			die_errno("calloc");
		for (size_t i = 0; i < n; i++) {
			snprintf(where, sizeof(where), "hooks.%s[%zu]", name, i);
			read_hook(&s->hooks[kind][i], json_object_array_get_idx(list, i), where);
		}
		s->nhooks[kind] = n;
	}
}

/*
 * Read and check everything first: a bundle that is wrong leaves nothing
 * behind because nothing has been made yet.
 */
void spec_load_config(struct spec *s, int bundle_dir, const char *bundle)
{
	json_object *root, *proc, *lnx;
	const char *version;
	int fd;

	memset(s, 0, sizeof(*s));
	fd = openat(bundle_dir, "config.json", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		die_errno_hint("a bundle is a directory with config.json and the root "
			       "filesystem it names",
			       "open %s/config.json", bundle);
	s->doc = json_object_from_fd(fd);
	close(fd);
	if (!s->doc)
		die("%s/config.json: not JSON: %s", bundle, json_util_get_last_err());
	if (!json_object_is_type(s->doc, json_type_object))
		die("%s/config.json: not a JSON object", bundle);
	version = get_string(s->doc, "ociVersion", "ociVersion");
	if (!version || strncmp(version, "1.", 2) != 0)
		refuse("ociVersion", "%s: stepbox reads version 1 of the runtime-spec",
		       version ? version : "missing");
	root = get_typed(s->doc, "root", json_type_object, "root");
	s->root_path = get_string(root, "path", "root.path");
	if (!s->root_path || !*s->root_path)
		refuse("root.path", "missing: the container's root filesystem");
	s->root_readonly = get_bool(root, "readonly", "root.readonly");
	s->hostname = get_string(s->doc, "hostname", "hostname");
	refuse_if_set(s->doc, "domainname", "domainname", "NIS domain names");
	{
		json_object *hooks = get_typed(s->doc, "hooks", json_type_object, "hooks");

		if (hooks)
			read_hooks(s, hooks);
	}
	proc = get_typed(s->doc, "process", json_type_object, "process");
	if (!proc)
		refuse("process", "missing: what to run");
	read_process(&s->process, proc, "process");
	s->annotations = get_typed(s->doc, "annotations", json_type_object, "annotations");
	{
		json_object *mounts = get_typed(s->doc, "mounts", json_type_array, "mounts");
		size_t n = mounts ? json_object_array_length(mounts) : 0;

		if (n > SPEC_MAX_MOUNTS)
			refuse("mounts", "more than %d", SPEC_MAX_MOUNTS);
		for (size_t i = 0; i < n; i++)
			read_mount(s, json_object_array_get_idx(mounts, i), i);
	}
	lnx = get_typed(s->doc, "linux", json_type_object, "linux");
	if (!lnx)
		refuse("linux", "missing: stepbox runs Linux containers");
	read_linux(s, lnx);
	if (s->hostname && *s->hostname && !spec_has_namespace(s, CLONE_NEWUTS))
		refuse("hostname", "setting one needs a UTS namespace of the container's own");
}

bool spec_has_namespace(const struct spec *s, int flag)
{
	for (size_t i = 0; i < s->nnamespaces; i++)
		if (s->namespaces[i].flag == flag)
			return true;
	return false;
}

/* --- seccomp ------------------------------------------------------------ */

static uint32_t seccomp_action(const char *name, json_object *errno_ret, const char *where)
{
	int64_t err = errno_ret ? json_object_get_int64(errno_ret) : EPERM;

	if (strcmp(name, "SCMP_ACT_ALLOW") == 0)
		return SCMP_ACT_ALLOW;
	if (strcmp(name, "SCMP_ACT_ERRNO") == 0)
		return SCMP_ACT_ERRNO((uint16_t)err);
	if (strcmp(name, "SCMP_ACT_KILL") == 0 || strcmp(name, "SCMP_ACT_KILL_THREAD") == 0)
		return SCMP_ACT_KILL;
	if (strcmp(name, "SCMP_ACT_KILL_PROCESS") == 0)
		return SCMP_ACT_KILL_PROCESS;
	if (strcmp(name, "SCMP_ACT_TRAP") == 0)
		return SCMP_ACT_TRAP;
	if (strcmp(name, "SCMP_ACT_LOG") == 0)
		return SCMP_ACT_LOG;
	if (strcmp(name, "SCMP_ACT_TRACE") == 0)
		return SCMP_ACT_TRACE((uint16_t)err);
	refuse(where, "action %s is not supported by stepbox", name);
}

static enum scmp_compare seccomp_op(const char *op, const char *where)
{
	static const struct {
		const char *name;
		enum scmp_compare op;
	} ops[] = {
		{ "SCMP_CMP_NE", SCMP_CMP_NE },
		{ "SCMP_CMP_LT", SCMP_CMP_LT },
		{ "SCMP_CMP_LE", SCMP_CMP_LE },
		{ "SCMP_CMP_EQ", SCMP_CMP_EQ },
		{ "SCMP_CMP_GE", SCMP_CMP_GE },
		{ "SCMP_CMP_GT", SCMP_CMP_GT },
		{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
	};

	for (size_t i = 0; op && i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(op, ops[i].name) == 0)
			return ops[i].op;
	refuse(where, "operator %s is not one libseccomp knows", op ? op : "(none)");
}

/*
 * libseccomp ANDs the comparisons of one rule, and refuses two on the
 * same argument (EINVAL): "arg0 == 8 and arg0 == 262152" could never
 * match. Profiles mean "any of them" (docker's personality values), so
 * such a rule becomes one rule per comparison, as runc's matchCall
 * (libcontainer/seccomp/seccomp_linux.go) splits it.
 */
static bool compares_an_argument_twice(const struct scmp_arg_cmp *cmp, unsigned ncmp)
{
	for (unsigned a = 0; a < ncmp; a++)
		for (unsigned b = a + 1; b < ncmp; b++)
			if (cmp[a].arg == cmp[b].arg)
				return true;
	return false;
}

static void seccomp_add_conditions(scmp_filter_ctx ctx, uint32_t act, int nr,
				   const struct scmp_arg_cmp *cmp, unsigned ncmp, const char *where,
				   const char *name)
{
	int err = seccomp_rule_add_array(ctx, act, nr, ncmp, cmp);

	/* The default action again: libseccomp refuses it, rightly. */
	if (err == -EACCES || err == -EEXIST || err == 0)
		return;
	errno = -err;
	die_errno("%s: seccomp_rule_add(%s)", where, name);
}

static void seccomp_add_rule(scmp_filter_ctx ctx, json_object *rule, size_t i)
{
	json_object *args = get_typed(rule, "args", json_type_array, "linux.seccomp.syscalls");
	struct scmp_arg_cmp cmp[6];
	unsigned ncmp = 0;
	char where[64];
	char **names;
	const char *action;
	uint32_t act;

	snprintf(where, sizeof(where), "linux.seccomp.syscalls[%zu]", i);
	names = get_strings(rule, "names", where);
	action = get_string(rule, "action", where);
	if (!action)
		refuse(where, "\"action\" is missing");
	act = seccomp_action(action, get(rule, "errnoRet"), where);
	for (size_t j = 0; args && j < json_object_array_length(args); j++) {
		json_object *a = json_object_array_get_idx(args, j);
		bool set;

		if (ncmp == 6)
			refuse(where, "more than 6 argument comparisons");
		cmp[ncmp].arg = (unsigned)get_int(a, "index", 0, 5, where, &set);
		cmp[ncmp].datum_a = get_u64(a, "value", where, &set);
		cmp[ncmp].datum_b = get_u64(a, "valueTwo", where, &set);
		cmp[ncmp].op = seccomp_op(get_string(a, "op", where), where);
		ncmp++;
	}
	for (size_t j = 0; names && names[j]; j++) {
		int nr = seccomp_syscall_resolve_name(names[j]);

		/* A name this libseccomp or architecture does not know (a
		 * 32-bit-only call on x86_64) has nothing to filter. */
		if (nr == __NR_SCMP_ERROR)
			continue;
		if (compares_an_argument_twice(cmp, ncmp))
			for (unsigned k = 0; k < ncmp; k++)
				seccomp_add_conditions(ctx, act, nr, &cmp[k], 1, where, names[j]);
		else
			seccomp_add_conditions(ctx, act, nr, cmp, ncmp, where, names[j]);
	}
	free(names);
}

void *spec_seccomp_build(json_object *seccomp)
{
	json_object *archs, *rules;
	const char *def;
	scmp_filter_ctx ctx;
	int err;

	if (!seccomp)
		return NULL;
	def = get_string(seccomp, "defaultAction", "linux.seccomp.defaultAction");
	if (!def)
		refuse("linux.seccomp.defaultAction", "missing");
	refuse_if_set(seccomp, "listenerPath", "linux.seccomp.listenerPath",
		      "seccomp user notification");
	ctx = seccomp_init(
	    seccomp_action(def, get(seccomp, "defaultErrnoRet"), "linux.seccomp.defaultAction"));
	if (!ctx)
		die("seccomp_init(%s) failed", def);
	/*
	 * libseccomp sets no_new_privs itself in seccomp_load unless told
	 * not to: process.noNewPrivileges decides it (oci.c sets it, or
	 * loads the filter while CAP_SYS_ADMIN is still held), as runc's
	 * SetNoNewPrivsBit(false).
	 */
	err = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (err < 0) {
		errno = -err;
		die_errno("seccomp_attr_set(SCMP_FLTATR_CTL_NNP, 0)");
	}
	archs = get_typed(seccomp, "architectures", json_type_array, "linux.seccomp.architectures");
	for (size_t i = 0; archs && i < json_object_array_length(archs); i++) {
		const char *name = json_object_get_string(json_object_array_get_idx(archs, i));
		char lower[32];
		uint32_t arch;

		/* "SCMP_ARCH_X86_64" is libseccomp's "x86_64". */
		if (!name || strncmp(name, "SCMP_ARCH_", 10) != 0 || strlen(name) > 40)
			refuse("linux.seccomp.architectures", "[%zu] must be SCMP_ARCH_NAME", i);
		for (size_t j = 0;
		     j < sizeof(lower) && (lower[j] = (char)tolower((unsigned char)name[10 + j]));
		     j++)
			;
		arch = seccomp_arch_resolve_name(lower);
		if (!arch)
			refuse("linux.seccomp.architectures", "%s is unknown to libseccomp", name);
		err = seccomp_arch_add(ctx, arch);
		if (err < 0 && err != -EEXIST) {
			errno = -err;
			die_errno("seccomp_arch_add(%s)", name);
		}
	}
	rules = get_typed(seccomp, "syscalls", json_type_array, "linux.seccomp.syscalls");
	for (size_t i = 0; rules && i < json_object_array_length(rules); i++)
		seccomp_add_rule(ctx, json_object_array_get_idx(rules, i), i);
	trace("seccomp: %s by default, %zu rules (linux.seccomp, through libseccomp)", def,
	      rules ? json_object_array_length(rules) : 0);
	return ctx;
}

void spec_seccomp_load(void *ctx)
{
	int err;

	if (!ctx)
		return;
	err = seccomp_load(ctx);
	if (err == -EACCES) {
		errno = EACCES;
		die_errno_hint("without no_new_privs the kernel takes a filter only from a process "
			       "that holds CAP_SYS_ADMIN",
			       "seccomp_load (linux.seccomp)");
	}
	if (err < 0) {
		errno = -err;
		die_errno("seccomp_load (linux.seccomp)");
	}
	trace("seccomp(SECCOMP_SET_MODE_FILTER) = 0 (linux.seccomp)");
	seccomp_release(ctx);
}
