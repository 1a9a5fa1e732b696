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
 * its flock. *
 * From step09 a rootless run has a state directory too: its overlay
 * needs a place. /run is root's, so it goes where runc and podman put
 * theirs, $XDG_RUNTIME_DIR/stepbox (/run/user/UID, made for each login
 * session), or /tmp/stepbox-UID where there is none.
 *
 * From step10 a container can have a name, and others act on it (exec,
 * kill, list): the directory holds a record, "state.json", of what they
 * need (its pid and that pid's start time, its cgroups), written whole to
 * a temporary file and renamed over the old one, so a reader sees the old
 * record or the new one, never half of either. It is shaped like the
 * runtime-spec's state document, and oci.c keeps its containers' in the
 * same form, read and checked by the same code. A name is a symbolic link
 * /run/stepbox/NAME -> ID: symlink(2) either makes it or fails with
 * EEXIST, so two runs asking for one name cannot both get it. A detached
 * container's directory outlives its monitor ("exited", with its exit
 * code and log) until `rm`; only the record tells such a directory from
 * a crashed run's.
 *
 * Brought by step07; called by main.c (the ID and its directory) and
 * cgroup.c (what is stale); from step10 also by options.c (--name),
 * monitor.c (the record), exec.c, commands.c and oci.c.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/pidfd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "state.h"

static char state_root[PATH_MAX];

/* /run/stepbox as root. Rootless: $XDG_RUNTIME_DIR only when it is a
 * directory of ours (sudo and su may pass on someone else's). */
static const char *root_dir(void)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	struct stat st;

	if (state_root[0])
		return state_root;
	if (geteuid() == 0)
		snprintf(state_root, sizeof(state_root), "/run/stepbox");
	else if (xdg && xdg[0] == '/' && strlen(xdg) < PATH_MAX - 64 && stat(xdg, &st) == 0 &&
		 S_ISDIR(st.st_mode) && st.st_uid == geteuid())
		snprintf(state_root, sizeof(state_root), "%s/stepbox", xdg);
	else
		snprintf(state_root, sizeof(state_root), "/tmp/stepbox-%u", (unsigned)geteuid());
	return state_root;
}

const char *state_root_dir(void)
{
	return root_dir();
}

/* <root>/.lock, held while directories are made or removed. The root
 * must be ours alone: in /tmp anyone could have made it first. */
static int lock_tree(void)
{
	const char *root = root_dir();
	char lock[PATH_MAX + 8];
	struct stat st;
	int fd;

	if (mkdir(root, 0700) < 0 && errno != EEXIST)
		die_errno("mkdir %s", root);
	if (lstat(root, &st) < 0)
		die_errno("%s", root);
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077))
		die("%s is not a directory of yours that only you may use (mode 0700): remove it, "
		    "or set XDG_RUNTIME_DIR",
		    root);
	snprintf(lock, sizeof(lock), "%s/.lock", root);
	fd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		die_errno("open %s", lock);
	if (flock(fd, LOCK_EX) < 0)
		die_errno("flock %s", lock);
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

const char *state_check_name(const char *name)
{
	size_t len = strlen(name), hex = 0;

	if (len == 0 || len > STATE_NAME_MAX)
		return "a name has 1 to 64 characters";
	if (!isalnum((unsigned char)name[0]))
		return "a name starts with a letter or a digit";
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)name[i];

		if (!isalnum(ch) && ch != '_' && ch != '.' && ch != '-')
			return "a name has only letters, digits, '_', '.' and '-'";
		hex += isxdigit(ch) && !isupper(ch);
	}
	/* Commands take a name or an ID: a name must never look like one. */
	if (len == STATE_ID_LEN && hex == len)
		return "12 hex digits is an ID, not a name";
	return NULL;
}

static bool is_id(const char *text)
{
	size_t i;

	for (i = 0; text[i]; i++)
		if (!isxdigit((unsigned char)text[i]) || isupper((unsigned char)text[i]))
			return false;
	return i == STATE_ID_LEN;
}

/* The ID NAME's link leads to, into ID; -1 if none (or not a link to an ID). */
static int read_name(const char *name, char id[STATE_ID_LEN + 1])
{
	char path[PATH_MAX], target[STATE_ID_LEN + 2];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", root_dir(), name);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -1;
	target[n] = '\0';
	if (!is_id(target)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(id, target, STATE_ID_LEN + 1);
	return 0;
}

/* Does ID's directory hold a record that says "exited"? */
static bool is_exited(const char *id)
{
	struct state_record r;

	return state_load(id, &r) == 0 && strcmp(r.status, "exited") == 0;
}

/*
 * Link NAME to our ID. A link already there is either in use (a running
 * container, or an exited one waiting for rm: refused) or left by a run
 * that was killed (its lock is free: taken over). The tree lock is held.
 * 0, or -1 with a message in WHY.
 */
static int claim_name(struct state *st, const char *name, char *why, size_t size)
{
	char link[PATH_MAX], other[STATE_ID_LEN + 1];

	snprintf(link, sizeof(link), "%s/%s", root_dir(), name);
	while (symlink(st->id, link) < 0) {
		if (errno != EEXIST) {
			snprintf(why, size, "symlink(%s, %s): %s", st->id, link, strerror(errno));
			return -1;
		}
		if (read_name(name, other) == 0 && (state_in_use(other) || is_exited(other))) {
			snprintf(why, size,
				 "the name '%s' is taken by container %s (%s): choose another, "
				 "or remove that one first",
				 name, other, is_exited(other) ? "exited; rm it" : "running");
			return -1;
		}
		if (unlink(link) < 0) {
			snprintf(why, size, "unlink %s (a stale name): %s", link, strerror(errno));
			return -1;
		}
	}
	snprintf(st->name, sizeof(st->name), "%s", name);
	trace("symlink(\"%s\", \"%s\") = 0: the name", st->id, link);
	return 0;
}

static void remove_dir(const char *dir);

void state_create(struct state *st, const char *name)
{
	int tree = lock_tree();
	char lock[sizeof(st->dir) + 8], why[PATH_MAX + 128];

	st->name[0] = '\0';
	/* 48 random bits: a clash is unlikely, but mkdir would say so. */
	do {
		new_id(st->id);
		snprintf(st->dir, sizeof(st->dir), "%s/%s", root_dir(), st->id);
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
	if (name && claim_name(st, name, why, sizeof(why)) < 0) {
		remove_dir(st->dir);
		close(st->lock_fd);
		st->lock_fd = -1;
		close(tree);
		die("%s", why);
	}
	close(tree);
}

/* The record, its temporary file and the log. The tree lock is held. */
static void remove_record(const char *dir)
{
	static const char *const files[] = { "state.json", "state.json.tmp", "log" };
	char path[PATH_MAX + 16];

	for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[k]);
		if (unlink(path) < 0 && errno != ENOENT)
			warn_errno("unlink %s", path);
	}
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

static void remove_record_and_dir(const char *dir)
{
	remove_record(dir);
	remove_dir(dir);
}

/* Remove NAME's link if it still leads to ID. The tree lock is held. */
static void remove_name(const char *name, const char *id)
{
	char link[PATH_MAX], target[STATE_ID_LEN + 1];

	if (!name[0] || read_name(name, target) < 0 || strcmp(target, id) != 0)
		return;
	snprintf(link, sizeof(link), "%s/%s", root_dir(), name);
	if (unlink(link) < 0)
		warn_errno("unlink %s", link);
}

void state_remove(struct state *st)
{
	int tree;

	if (st->lock_fd < 0)
		return;
	tree = lock_tree();
	remove_name(st->name, st->id);
	remove_record_and_dir(st->dir);
	close(st->lock_fd); /* the lock goes last: until here the dir is ours */
	st->lock_fd = -1;
	close(tree);
}

void state_keep(struct state *st)
{
	if (st->lock_fd < 0)
		return;
	close(st->lock_fd);
	st->lock_fd = -1;
}

bool state_in_use(const char *id)
{
	char lock[PATH_MAX];
	bool in_use;
	int fd;

	snprintf(lock, sizeof(lock), "%s/%s/lock", root_dir(), id);
	fd = open(lock, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false; /* no state: made before the cgroup, so it is gone */
	in_use = flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	close(fd);
	return in_use;
}

/* The name links that lead to ID (a run killed between its symlink and
 * its record leaves one that only the link knows). Tree lock held. */
static void remove_names_of(const char *id)
{
	DIR *dir = opendir(root_dir());
	struct dirent *entry;
	char target[STATE_ID_LEN + 1];

	if (!dir)
		return;
	while ((entry = readdir(dir)))
		if (entry->d_type == DT_LNK && read_name(entry->d_name, target) == 0 &&
		    strcmp(target, id) == 0)
			remove_name(entry->d_name, id);
	closedir(dir);
}

/* Names whose container is gone. Tree lock held. */
static void remove_dangling_names(bool report)
{
	DIR *dir = opendir(root_dir());
	struct dirent *entry;

	if (!dir)
		die_errno("opendir %s", root_dir());
	while ((entry = readdir(dir))) {
		char target[STATE_ID_LEN + 1], path[PATH_MAX];
		struct stat st;

		if (entry->d_type != DT_LNK)
			continue;
		snprintf(path, sizeof(path), "%s/%s", root_dir(), entry->d_name);
		if (read_name(entry->d_name, target) == 0 && stat(path, &st) == 0)
			continue;
		if (unlink(path) < 0)
			warn_errno("unlink %s", path);
		else if (report)
			printf("removed stale name %s\n", path);
	}
	closedir(dir);
}

void state_remove_stale(bool report, bool all, state_tidy_fn *tidy)
{
	int tree = lock_tree();
	DIR *dir = opendir(root_dir());
	struct dirent *entry;

	if (!dir)
		die_errno("opendir %s", root_dir());
	while ((entry = readdir(dir))) {
		char path[PATH_MAX];

		if (entry->d_name[0] == '.' || entry->d_type != DT_DIR ||
		    state_in_use(entry->d_name))
			continue;
		/* An exited detached container waits for `rm`. */
		if (!all && is_exited(entry->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", root_dir(), entry->d_name);
		remove_names_of(entry->d_name);
		if (tidy)
			tidy(path, entry->d_name, report);
		remove_record_and_dir(path);
		if (report)
			printf("removed stale state %s\n", path);
	}
	closedir(dir);
	remove_dangling_names(report);
	/* /run/stepbox and its .lock stay, as /run/runc does: removing the
	 * lock file while a runtime waits on it would give the next one
	 * another file, and two runtimes would each hold "the" lock. */
	close(tree);
}

/* --- the record, shaped like the runtime-spec's state document ------- */

/*
 * One record, whichever way the container came in, with the fields of
 * the document `runc state` prints (ociVersion, id, status, pid, created;
 * the OCI mode adds its bundle and annotations) and what only stepbox
 * reads under "stepbox". It is what was true when it was written: the
 * status a reader acts on is the process's (a live pidfd, a held lock),
 * and OCI `state` prints a document made from both. A command-line container and an OCI one are read and
 * written by the code below, and checked by it alike (state_parse):
 * whoever can forge a record names pids and directories to act on.
 */

/* RFC 3339 in UTC, the spec's (and containerd's) time format. */
static void format_time(time_t t, long nsec, char *buf, size_t size)
{
	struct tm tm;
	char date[32];

	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%09ldZ", date, nsec);
}

/* Back from format_time's form: the date and time, a fraction of at
 * most nine digits if any, and "Z", nothing after it. */
static int parse_time(const char *text, time_t *t, long *nsec)
{
	struct tm tm = { 0 };
	const char *rest = strptime(text, "%Y-%m-%dT%H:%M:%S", &tm);
	long ns = 0, scale = 100000000;

	if (!rest)
		return -1;
	if (*rest == '.') {
		for (rest++; isdigit((unsigned char)*rest) && scale > 0; rest++, scale /= 10)
			ns += (*rest - '0') * scale;
	}
	if (strcmp(rest, "Z") != 0 || (*t = timegm(&tm)) == (time_t)-1)
		return -1;
	*nsec = ns;
	return 0;
}

static json_object *string_array(const char (*items)[PATH_MAX], int n)
{
	json_object *a = json_object_new_array();

	for (int i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(items[i]));
	return a;
}

json_object *state_record_json(const struct state_record *r)
{
	json_object *doc = json_object_new_object(), *sb = json_object_new_object(),
		    *harden = json_object_new_array();
	char created[64];

	format_time(r->created, r->created_nsec, created, sizeof(created));
	json_object_object_add(doc, "ociVersion", json_object_new_string(STATE_OCI_VERSION));
	json_object_object_add(doc, "id", json_object_new_string(r->id));
	json_object_object_add(doc, "status", json_object_new_string(r->status));
	json_object_object_add(doc, "pid", json_object_new_int(r->pid));
	json_object_object_add(doc, "created", json_object_new_string(created));
	json_object_object_add(sb, "name", json_object_new_string(r->name));
	json_object_object_add(sb, "startTime", json_object_new_uint64(r->start_time));
	json_object_object_add(sb, "exitCode", json_object_new_int(r->exit_code));
	json_object_object_add(sb, "detached", json_object_new_boolean(r->detached));
	json_object_object_add(sb, "userns", json_object_new_boolean(r->userns));
	json_object_object_add(sb, "finished", json_object_new_int64(r->finished));
	json_object_object_add(sb, "command", json_object_new_string(r->command));
	json_object_object_add(sb, "cgroups", string_array(r->cgroups, r->ncgroups));
	for (int i = 0; i < r->nharden; i++)
		json_object_array_add(harden, json_object_new_string(r->harden[i]));
	json_object_object_add(sb, "harden", harden);
	json_object_object_add(doc, "stepbox", sb);
	return doc;
}

/* A string V (checked to be one) that fits SIZE bytes with its NUL, and
 * has no NUL of its own ("\u0000"), which would cut it short. */
static bool plain_string(json_object *v, size_t size)
{
	size_t len = (size_t)json_object_get_string_len(v);

	return len < size && strlen(json_object_get_string(v)) == len;
}

/* KEY of O as a string that fits SIZE bytes, copied to TO; absent is
 * left as it is unless REQUIRED. */
static int take_string(json_object *o, const char *key, char *to, size_t size, bool required,
		       char *why, size_t why_size)
{
	json_object *v;
	const char *text;

	if (!json_object_object_get_ex(o, key, &v)) {
		if (required)
			snprintf(why, why_size, "no \"%s\"", key);
		return required ? -1 : 0;
	}
	if (!json_object_is_type(v, json_type_string) || !plain_string(v, size)) {
		snprintf(why, why_size, "\"%s\" is not a string of at most %zu bytes", key,
			 size - 1);
		return -1;
	}
	text = json_object_get_string(v);
	memcpy(to, text, strlen(text) + 1);
	return 0;
}

/* KEY of O as an integer in [MIN, MAX]; absent leaves *OUT. */
static int take_number(json_object *o, const char *key, int64_t min, int64_t max, int64_t *out,
		       char *why, size_t size)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	/* json-c clamps a number above INT64_MAX to it: ask it as unsigned too */
	if (json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= min &&
	    json_object_get_int64(v) <= max &&
	    (json_object_get_int64(v) < 0 || json_object_get_uint64(v) <= (uint64_t)max)) {
		*out = json_object_get_int64(v);
		return 0;
	}
	snprintf(why, size, "\"%s\" is not a number from %lld to %lld", key, (long long)min,
		 (long long)max);
	return -1;
}

/* KEY of O as true or false (json-c would call the string "false" true);
 * absent leaves *OUT. */
static int take_bool(json_object *o, const char *key, bool *out, char *why, size_t size)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_boolean)) {
		snprintf(why, size, "\"%s\" is not true or false", key);
		return -1;
	}
	*out = json_object_get_boolean(v);
	return 0;
}

/*
 * The cgroups a record names are what `kill --all` signals and `rm`,
 * `delete` remove: never a directory outside the cgroup tree, whoever
 * wrote the record.
 */
static int take_cgroups(json_object *sb, struct state_record *r, char *why, size_t size)
{
	json_object *a;

	if (!json_object_object_get_ex(sb, "cgroups", &a))
		return 0;
	if (!json_object_is_type(a, json_type_array) ||
	    json_object_array_length(a) > STATE_MAX_CGROUPS) {
		snprintf(why, size, "stepbox.cgroups is not a list of at most %d",
			 STATE_MAX_CGROUPS);
		return -1;
	}
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *v = json_object_array_get_idx(a, i);
		bool string = json_object_is_type(v, json_type_string);
		const char *dir = string ? json_object_get_string(v) : "(not a string)";

		if (!string || !plain_string(v, PATH_MAX) ||
		    strncmp(dir, "/sys/fs/cgroup/", 15) != 0 || path_has_dotdot(dir)) {
			snprintf(why, size,
				 "stepbox.cgroups[%zu] %s is not a cgroup below /sys/fs/cgroup", i,
				 dir);
			return -1;
		}
		snprintf(r->cgroups[r->ncgroups++], PATH_MAX, "%s", dir);
	}
	return 0;
}

static int take_harden(json_object *sb, struct state_record *r, char *why, size_t size)
{
	json_object *a;

	if (!json_object_object_get_ex(sb, "harden", &a))
		return 0;
	if (!json_object_is_type(a, json_type_array) ||
	    json_object_array_length(a) > STATE_MAX_HARDEN) {
		snprintf(why, size, "stepbox.harden is not a list of at most %d", STATE_MAX_HARDEN);
		return -1;
	}
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *v = json_object_array_get_idx(a, i);

		if (!json_object_is_type(v, json_type_string) ||
		    !plain_string(v, sizeof(r->harden[0]))) {
			snprintf(why, size, "stepbox.harden[%zu] is not a short string", i);
			return -1;
		}
		snprintf(r->harden[r->nharden++], sizeof(r->harden[0]), "%s",
			 json_object_get_string(v));
	}
	return 0;
}

int state_parse(json_object *doc, struct state_record *r, char *why, size_t size)
{
	int64_t pid = 0, exit_code = -1, finished = 0, start_time = 0;
	char created[64] = "";
	json_object *sb;

	memset(r, 0, sizeof(*r));
	if (!json_object_is_type(doc, json_type_object) ||
	    !json_object_object_get_ex(doc, "stepbox", &sb) ||
	    !json_object_is_type(sb, json_type_object)) {
		snprintf(why, size, "not written by stepbox");
		return -1;
	}
	if (take_string(doc, "id", r->id, sizeof(r->id), true, why, size) < 0 ||
	    take_string(doc, "status", r->status, sizeof(r->status), false, why, size) < 0 ||
	    take_string(doc, "created", created, sizeof(created), false, why, size) < 0 ||
	    take_number(doc, "pid", 1, INT32_MAX, &pid, why, size) < 0 ||
	    take_string(sb, "name", r->name, sizeof(r->name), false, why, size) < 0 ||
	    take_string(sb, "command", r->command, sizeof(r->command), false, why, size) < 0 ||
	    take_number(sb, "startTime", 0, INT64_MAX, &start_time, why, size) < 0 ||
	    take_number(sb, "exitCode", -1, 255, &exit_code, why, size) < 0 ||
	    take_number(sb, "finished", 0, INT64_MAX, &finished, why, size) < 0 ||
	    take_bool(sb, "detached", &r->detached, why, size) < 0 ||
	    take_bool(sb, "userns", &r->userns, why, size) < 0 ||
	    take_cgroups(sb, r, why, size) < 0 || take_harden(sb, r, why, size) < 0)
		return -1;
	if (pid == 0) {
		snprintf(why, size, "no \"pid\"");
		return -1;
	}
	if (created[0] && parse_time(created, &r->created, &r->created_nsec) < 0) {
		snprintf(why, size, "\"created\" %s is not a time as stepbox writes it", created);
		return -1;
	}
	r->pid = (pid_t)pid;
	r->start_time = (unsigned long long)start_time;
	r->exit_code = (int)exit_code;
	r->finished = (time_t)finished;
	return 0;
}

int state_read(int fd, struct state_record *r, json_object **doc, char *why, size_t size)
{
	struct stat st;
	json_object *d;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, size, "not a regular file");
		return -1;
	}
	/* Only a record we wrote names what we act on: a pid another user
	 * chose is one of our own processes they want signalled. */
	if (st.st_uid != geteuid() || (st.st_mode & 022) != 0) {
		snprintf(why, size, "owned by uid %u with mode %04o, not ours (uid %u) and 0600",
			 (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777), (unsigned)geteuid());
		return -1;
	}
	if (st.st_size > STATE_RECORD_MAX) {
		snprintf(why, size, "%lld bytes: no record of ours is more than %d",
			 (long long)st.st_size, STATE_RECORD_MAX);
		return -1;
	}
	d = json_object_from_fd(fd);
	if (!d) {
		snprintf(why, size, "%s", json_util_get_last_err());
		return -1;
	}
	if (state_parse(d, r, why, size) < 0) {
		json_object_put(d);
		return -1;
	}
	if (doc)
		*doc = d;
	else
		json_object_put(d);
	return 0;
}

void state_write(int dir, const char *where, json_object *doc)
{
	const char *text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
	size_t len = text ? strlen(text) : 0;
	int fd = openat(dir, "state.json.tmp",
			O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	ssize_t n = 0;

	if (!text)
		die("writing %s/state.json.tmp: out of memory", where);
	if (fd < 0)
		die_errno("open %s/state.json.tmp", where);
	do
		n = write(fd, text, len);
	while (n < 0 && errno == EINTR);
	if (n >= 0 && (size_t)n != len)
		errno = ENOSPC; /* a short write to a file: the disk is full */
	if (n < 0 || (size_t)n != len || close(fd) < 0)
		die_errno("write %s/state.json.tmp", where);
	if (renameat(dir, "state.json.tmp", dir, "state.json") < 0)
		die_errno("rename %s/state.json.tmp -> state.json", where);
}

static void write_record(const struct state *st, const struct state_record *r, bool quiet)
{
	json_object *doc = state_record_json(r);
	int dir = open(st->dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (dir < 0)
		die_errno("open %s", st->dir);
	state_write(dir, st->dir, doc);
	close(dir);
	json_object_put(doc);
	if (!quiet)
		trace("write %s/state.json.tmp, rename -> state.json: %s, pid %d", st->dir,
		      r->status, (int)r->pid);
}

void state_save(const struct state *st, const struct state_record *r)
{
	write_record(st, r, false);
}

void state_update(const struct state *st, const struct state_record *r)
{
	write_record(st, r, true);
}

int state_load(const char *ref, struct state_record *r)
{
	char id[STATE_ID_LEN + 1], path[PATH_MAX], why[PATH_MAX + 64];
	int dir, fd, rc, err;

	/* Never a path: "../x" or "a/b" is no name, and no ID. */
	if (is_id(ref))
		memcpy(id, ref, sizeof(id));
	else if (state_check_name(ref) || read_name(ref, id) < 0) {
		errno = ENOENT;
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", root_dir(), id);
	dir = open(path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir < 0) {
		if (errno == ELOOP || errno == ENOTDIR)
			errno = ENOENT; /* a link where a directory should be: none of ours */
		return -1;
	}
	/* O_NONBLOCK: a fifo in its place must not hang `list` */
	fd = openat(dir, "state.json", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	err = errno;
	close(dir);
	if (fd < 0 && err == ENOENT) {
		errno = ENOENT;
		return -1; /* no record yet */
	}
	/* REF may be R's own id: read into R only now */
	if (fd < 0) {
		snprintf(why, sizeof(why), "open: %s", strerror(err));
		rc = -1;
	} else {
		rc = state_read(fd, r, NULL, why, sizeof(why));
		close(fd);
	}
	if (rc == 0 && strcmp(r->id, id) != 0) {
		snprintf(why, sizeof(why), "\"id\" is %s", r->id);
		rc = -1;
	}
	if (rc < 0) {
		trace("%s/state.json: %s", path, why);
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int state_list_ids(char ids[][STATE_ID_LEN + 1], int max)
{
	DIR *dir = opendir(root_dir());
	struct dirent *entry;
	int n = 0;

	if (!dir)
		return errno == ENOENT ? 0 : -1;
	while ((entry = readdir(dir)) && n < max)
		if (entry->d_type == DT_DIR && is_id(entry->d_name))
			memcpy(ids[n++], entry->d_name, STATE_ID_LEN + 1);
	closedir(dir);
	return n;
}

int state_delete(const struct state_record *r)
{
	int tree = lock_tree();
	char dir[PATH_MAX];

	if (state_in_use(r->id)) {
		close(tree);
		errno = EBUSY;
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s/%s", root_dir(), r->id);
	remove_name(r->name, r->id);
	remove_record_and_dir(dir);
	close(tree);
	return 0;
}

void state_wait_unlocked(const char *id)
{
	char lock[PATH_MAX];
	int fd;

	snprintf(lock, sizeof(lock), "%s/%s/lock", root_dir(), id);
	fd = open(lock, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return; /* gone already */
	while (flock(fd, LOCK_SH) < 0)
		if (errno != EINTR)
			die_errno("flock %s", lock);
	close(fd);
}

unsigned long long proc_stat_field(pid_t pid, int field)
{
	char path[64], buf[1024], *p;
	unsigned long long value = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (field < 3 || read_file(path, buf, sizeof(buf)) < 0)
		return 0;
	/* The command name (field 2) may hold spaces and ')': skip to the
	 * last ')'. Field N is then the (N-2)th after it. */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	for (int i = 2; i < field && p; i++)
		p = strchr(p + 1, ' ');
	if (p && sscanf(p + 1, "%llu", &value) != 1)
		value = 0;
	return value;
}

unsigned long long proc_start_time(pid_t pid)
{
	return proc_stat_field(pid, 22);
}

char proc_state(pid_t pid)
{
	char path[64], buf[1024], *end;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_file(path, buf, sizeof(buf)) < 0 || !(end = strrchr(buf, ')')) || end[1] != ' ')
		return 0;
	return end[2];
}

int pidfd_open_started(pid_t pid, unsigned long long start_time)
{
	int pidfd;

	if (pid <= 0) {
		errno = ESRCH;
		return -1;
	}
	pidfd = pidfd_open(pid, 0);
	if (pidfd < 0)
		return -1;
	/* Checked after the pidfd exists: if the start time still matches
	 * now, the pidfd holds that process, whatever happens to the pid. */
	if (proc_start_time(pid) != start_time) {
		close(pidfd);
		errno = ESRCH;
		return -1;
	}
	return pidfd;
}
