/*
 * commands.c — acting on containers by name: list, ps, kill, rm, logs,
 * pause, resume, cleanup.
 *
 *   sudo ./step10-exec/run --name web -d -- httpd -f -p 80
 *   sudo ./step10-exec/run list
 *   sudo ./step10-exec/run ps web
 *   sudo ./step10-exec/run pause web; sudo ./step10-exec/run resume web
 *   sudo ./step10-exec/run kill web TERM; sudo ./step10-exec/run rm web
 *
 * Each reads the container's record (state.c) and acts on a handle, never
 * on a bare pid: kill goes through a pidfd checked against the recorded
 * start time (exec.c, open_container_pidfd), so a pid that was reused by
 * another process is never signalled; ps and pause go through the cgroup,
 * which holds every process of the container, however it was started.
 * This is what docker's CLI asks of containerd, and containerd of runc
 * (runc list, ps, kill, delete, pause, resume).
 *
 * Brought by step10; called by main.c, which dispatches the subcommands,
 * and oci.c (ps, pause, resume).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "common.h"
#include "overlay.h"
#include "run.h"

#define MAX_CONTAINERS 1024

/* Options common to every subcommand: -v, -h; returns the first operand's
 * index. USAGE is printed for -h. */
static int parse_simple(int argc, char **argv, const char *usage, const char *flags,
			bool *flag_seen)
{
	int opt;

	opterr = 0;
	optind = 1;
	while ((opt = getopt(argc, argv, "+:vhfa")) != -1) {
		if (opt == 'v') {
			log_set_verbose(true);
		} else if (opt == 'h') {
			fputs(usage, stdout);
			exit(0);
		} else if (opt != '?' && opt != ':' && flags && strchr(flags, opt)) {
			*flag_seen = true;
		} else {
			usage_error("%s: unknown option '%s'", argv[0], argv[optind - 1]);
		}
	}
	return optind;
}

/* --- list -------------------------------------------------------------- */

/* "created", "running", "paused", "exited (N)" or "stale". */
static const char *status_of(const struct state_record *r, char *buf, size_t size)
{
	struct cgroup cg;
	int pidfd;

	if (strcmp(r->status, "exited") == 0) {
		snprintf(buf, size, "exited (%d)", r->exit_code);
		return buf;
	}
	if (strcmp(r->status, "created") == 0)
		return "created";
	pidfd = open_container_pidfd(r);
	if (pidfd < 0)
		return "stale";
	close(pidfd);
	container_cgroup(&cg, r->id);
	return cgroup_is_frozen(&cg) ? "paused" : "running";
}

static void print_uptime(char *buf, size_t size, time_t since)
{
	long long s = (long long)(time(NULL) - since);

	if (s < 60)
		snprintf(buf, size, "%llds", s);
	else if (s < 3600)
		snprintf(buf, size, "%lldm%02llds", s / 60, s % 60);
	else
		snprintf(buf, size, "%lldh%02lldm", s / 3600, s / 60 % 60);
}

/* TEXT as a JSON string: quotes, backslashes and control bytes escaped. */
static void print_json_string(const char *text)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

int cmd_list(int argc, char **argv)
{
	static const char usage[] =
	    "Usage: run list [--json]\n"
	    "Show the containers: name, ID, pid, status, uptime, command.\n";
	static char ids[MAX_CONTAINERS][STATE_ID_LEN + 1];
	bool json = false;
	int n, shown = 0;

	if (argc == 2 && strcmp(argv[1], "--json") == 0)
		json = true;
	else if (parse_simple(argc, argv, usage, NULL, NULL) != argc)
		usage_error("list: unexpected '%s'", argv[optind]);
	n = state_list_ids(ids, MAX_CONTAINERS);
	if (n < 0)
		die_errno("opendir %s", state_root_dir());
	if (json)
		printf("[");
	else
		printf("%-16s %-12s %-7s %-12s %-8s %s\n", "NAME", "ID", "PID", "STATUS", "UPTIME",
		       "COMMAND");
	for (int i = 0; i < n; i++) {
		struct state_record r;
		char buf[32], uptime[32];
		const char *status;

		if (state_load(ids[i], &r) < 0)
			continue; /* being made, or being removed */
		status = status_of(&r, buf, sizeof(buf));
		print_uptime(uptime, sizeof(uptime), r.created);
		if (json) {
			printf("%s\n  {\"name\": ", shown ? "," : "");
			print_json_string(r.name);
			printf(", \"id\": \"%s\", \"pid\": %d, \"status\": ", r.id, (int)r.pid);
			print_json_string(status);
			printf(", \"created\": %lld, \"command\": ", (long long)r.created);
			print_json_string(r.command);
			printf("}");
		} else {
			printf("%-16s %-12s %-7d %-12s %-8s %s\n", r.name[0] ? r.name : "-", r.id,
			       (int)r.pid, status, uptime, r.command);
		}
		shown++;
	}
	if (json)
		printf("%s]\n", shown ? "\n" : "");
	return 0;
}

/* --- ps ---------------------------------------------------------------- */

/* The pid PID has in the innermost PID namespace it is in (NSpid's last). */
static long pid_inside(pid_t pid)
{
	char path[64], buf[4096], *line;
	long inner = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (read_file(path, buf, sizeof(buf)) < 0 || !(line = strstr(buf, "\nNSpid:")))
		return -1;
	line += 7;
	for (char *end; *line && *line != '\n'; line = end) {
		long v = strtol(line, &end, 10);

		if (end == line)
			break;
		inner = v;
	}
	return inner;
}

static void print_cmdline(pid_t pid)
{
	char path[64];
	size_t len = 0;
	char *text;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	text = read_file_alloc(path, &len);
	if (!text || len == 0) {
		printf("?\n");
		free(text);
		return;
	}
	for (size_t i = 0; i + 1 < len; i++)
		if (text[i] == '\0')
			text[i] = ' ';
	printf("%s\n", text);
	free(text);
}

/* Every process of the container is in its cgroup, also those that exec
 * started and those that left its PID 1's tree. */
ssize_t pids_in_cgroup(const struct cgroup *cg, pid_t **pids)
{
	char path[PATH_MAX + 16], *text;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg->dirs[0]);
	text = read_file_alloc(path, NULL);
	if (!text)
		die_errno("read %s", path);
	n = parse_pid_list(text, pids);
	free(text);
	if (n < 0)
		die_errno("%s: not a list of pids", path);
	return n;
}

/* Rootless there is no cgroup: the container's processes are those in
 * its first process's PID namespace (the same ns/pid inode). */
static ssize_t pids_in_namespace(pid_t init, pid_t **pids)
{
	char path[64];
	struct stat ns, st;
	struct dirent *e;
	size_t n = 0, cap = 16;
	DIR *proc;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)init);
	if (stat(path, &ns) < 0)
		die_errno("stat %s", path);
	proc = opendir("/proc");
	if (!proc)
		die_errno("opendir /proc");
	*pids = malloc(cap * sizeof(**pids));
	if (!*pids)
		die_errno("malloc");
	while ((e = readdir(proc))) {
		uint64_t pid;

		if (parse_u64_range(e->d_name, 1, INT32_MAX, &pid) < 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
		if (stat(path, &st) < 0 || st.st_ino != ns.st_ino || st.st_dev != ns.st_dev)
			continue; /* gone, not ours to see, or another namespace */
		if (n == cap) {
			pid_t *more = realloc(*pids, (cap *= 2) * sizeof(**pids));

			if (!more)
				die_errno("realloc");
			*pids = more;
		}
		(*pids)[n++] = (pid_t)pid;
	}
	closedir(proc);
	return (ssize_t)n;
}

int cmd_ps(int argc, char **argv)
{
	static const char usage[] = "Usage: run ps NAME\n"
				    "Show the processes of container NAME: their pid on the host, "
				    "in the container, and command.\n";
	int first = parse_simple(argc, argv, usage, NULL, NULL);
	struct state_record r;
	struct cgroup cg;
	pid_t *pids;
	ssize_t n;
	int pidfd;

	if (argc - first != 1)
		usage_error("ps: needs one container: run ps NAME");
	pidfd = find_running(argv[first], &r);
	container_cgroup(&cg, r.id);
	n = cg.ndirs ? pids_in_cgroup(&cg, &pids) : pids_in_namespace(r.pid, &pids);
	/* Read through the pid: still the container's first process? */
	if (pidfd_send_signal(pidfd, 0, NULL, 0) < 0)
		die("container '%s' exited while we looked", argv[first]);
	close(pidfd);
	printf("%-8s %-8s %s\n", "PID", "INSIDE", "COMMAND");
	for (ssize_t i = 0; i < n; i++) {
		printf("%-8d %-8ld ", (int)pids[i], pid_inside(pids[i]));
		print_cmdline(pids[i]);
	}
	free(pids);
	return 0;
}

/* --- kill -------------------------------------------------------------- */

int cmd_kill(int argc, char **argv)
{
	static const char usage[] = "Usage: run kill NAME [SIGNAL]\n"
				    "Send SIGNAL (default TERM; a name, with or without SIG, or a "
				    "number) to container NAME's first process.\n";
	int first = parse_simple(argc, argv, usage, NULL, NULL);
	struct state_record r;
	int sig = SIGTERM, pidfd;

	if (argc - first < 1 || argc - first > 2)
		usage_error("kill: run kill NAME [SIGNAL]");
	if (argc - first == 2 && (sig = parse_signal(argv[first + 1])) < 0)
		usage_error("kill: '%s' is not a signal (TERM, SIGKILL, 9, ...)", argv[first + 1]);
	pidfd = find_running(argv[first], &r);
	/* Through the pidfd: the process we checked, not whoever has its
	 * pid by now. */
	if (pidfd_send_signal(pidfd, sig, NULL, 0) < 0)
		die_errno("pidfd_send_signal(%d (pid %d), %s)", pidfd, (int)r.pid, strsignal(sig));
	trace("pidfd_send_signal(%d (pid %d), %s) = 0", pidfd, (int)r.pid, strsignal(sig));
	close(pidfd);
	return 0;
}

/* --- rm ---------------------------------------------------------------- */

int cmd_rm(int argc, char **argv)
{
	static const char usage[] = "Usage: run rm [-f] NAME\n"
				    "Remove an exited container's state and log; -f kills a "
				    "running one first.\n";
	bool force = false;
	int first = parse_simple(argc, argv, usage, "f", &force);
	struct state_record r;

	if (argc - first != 1)
		usage_error("rm: needs one container: run rm [-f] NAME");
	find_container(argv[first], &r);
	if (strcmp(r.status, "exited") != 0) {
		int pidfd = open_container_pidfd(&r);

		if (pidfd >= 0 && !force) {
			close(pidfd);
			die("container '%s' is running: stop it first, or rm -f", argv[first]);
		}
		if (pidfd >= 0) {
			struct cgroup cg;

			/* A paused container dies only once it runs again. */
			container_cgroup(&cg, r.id);
			if (cgroup_is_frozen(&cg) && cgroup_freeze(&cg, false) < 0)
				warn_errno("thawing container %s", r.id);
			if (pidfd_send_signal(pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
				die_errno("pidfd_send_signal(%d, SIGKILL)", pidfd);
			trace("pidfd_send_signal(%d (pid %d), SIGKILL) = 0", pidfd, (int)r.pid);
			close(pidfd);
		}
		/* Its runtime (or monitor) tidies up and lets go of the lock. */
		char id[STATE_ID_LEN + 1];

		memcpy(id, r.id, sizeof(id));
		state_wait_unlocked(id);
		if (state_load(id, &r) < 0)
			return 0; /* a run in the foreground removes its own state */
	}
	if (state_delete(&r) < 0)
		die_errno("removing container %s", r.id);
	return 0;
}

/* --- logs -------------------------------------------------------------- */

int cmd_logs(int argc, char **argv)
{
	static const char usage[] = "Usage: run logs NAME\n"
				    "Print what detached container NAME has written.\n";
	int first = parse_simple(argc, argv, usage, NULL, NULL);
	struct state_record r;
	char path[PATH_MAX];
	size_t len;
	char *text;

	if (argc - first != 1)
		usage_error("logs: needs one container: run logs NAME");
	find_container(argv[first], &r);
	if (!r.detached)
		die("container '%s' runs in the foreground: its output is on its terminal",
		    argv[first]);
	snprintf(path, sizeof(path), "%s/%s/log", state_root_dir(), r.id);
	text = read_file_alloc(path, &len);
	if (!text)
		die_errno("read %s", path);
	if (len && fwrite(text, 1, len, stdout) != len)
		die_errno("write");
	free(text);
	return 0;
}

/* --- pause, resume ---------------------------------------------------- */

/* Freeze (ON) or thaw container NAME's cgroup, or leave with why not:
 * step10's pause and resume, and the OCI runtime's (oci.c). */
void pause_cgroup(const struct cgroup *cg, bool on, const char *name)
{
	if (cgroup_freeze(cg, on) == 0)
		return;
	if (errno == ENOENT)
		die("container '%s' has no freezer: on cgroup v1 the freezer controller must be "
		    "mounted at /sys/fs/cgroup/freezer",
		    name);
	die_errno("%s container '%s'", on ? "freezing" : "thawing", name);
}

int cmd_pause(int argc, char **argv)
{
	static const char usage[] = "Usage: run pause NAME | run resume NAME\n"
				    "Freeze every process of container NAME (its cgroup's "
				    "freezer), or thaw them.\n";
	int first = parse_simple(argc, argv, usage, NULL, NULL);
	bool on = strcmp(argv[0], "pause") == 0;
	struct state_record r;
	struct cgroup cg;

	if (argc - first != 1)
		usage_error("%s: needs one container: run %s NAME", argv[0], argv[0]);
	if (geteuid() != 0)
		die("%s: rootless containers have no cgroup, and so no freezer: the cgroup "
		    "tree is root's unless it is delegated to you",
		    argv[0]);
	close(find_running(argv[first], &r));
	container_cgroup(&cg, r.id);
	pause_cgroup(&cg, on, argv[first]);
	return 0;
}

/* --- cleanup ----------------------------------------------------------- */

int cmd_cleanup(int argc, char **argv)
{
	static const char usage[] = "Usage: run cleanup [-a]\n"
				    "Remove what runs killed with -9 left behind (cgroups, state, "
				    "names); -a: exited containers too.\n";
	bool all = false;
	int first = parse_simple(argc, argv, usage, "a", &all);

	if (first != argc)
		usage_error("cleanup: unexpected '%s'", argv[first]);
	/* Rootless: our own state directory only (state.c), no cgroups. */
	if (geteuid() == 0)
		cgroup_remove_stale(true);
	state_remove_stale(true, all, overlay_remove_stale);
	return 0;
}
