/*
 * monitor.c — what makes a container findable after `run` returns: its
 * record (state.c keeps it under /run/stepbox), a status that follows it
 * from "created" to "running" to "exited", and with -d a monitor process
 * that stays as its parent, waits for it and writes how it ended.
 *
 * Brought by step10; main.c calls save_record once the child exists,
 * wait_for_exec and mark_running when the command runs, start_monitor
 * for -d, and record_exit at the end. `exec`, `kill`, `ps`, `logs` and
 * `rm` (exec.c, commands.c) read what is written here.
 *
 *   sudo ./step10-exec/run -d --name web -- sleep 100; sudo ./step10-exec/run list
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "container.h"
#include "monitor.h"

/*
 * What others need to find and join the container, in its state
 * directory (state.c): written "created" once the child exists, then
 * "running" once it has exec'd (mark_running: `exec` and `kill` wait for
 * that), and "exited" at the end.
 */
void save_record(struct container *c, pid_t pid)
{
	struct state_record *r = &c->record;
	size_t len = 0;

	if (c->state.lock_fd < 0)
		return; /* no state directory: nothing to record */
	snprintf(r->id, sizeof(r->id), "%s", c->state.id);
	snprintf(r->name, sizeof(r->name), "%s", c->state.name);
	snprintf(r->status, sizeof(r->status), "created");
	r->pid = pid;
	r->start_time = proc_start_time(pid);
	r->exit_code = -1;
	r->detached = c->detach;
	r->userns = c->userns;
	r->created = time(NULL);
	for (char **arg = c->argv; *arg && len + 1 < sizeof(r->command); arg++)
		len += (size_t)snprintf(r->command + len, sizeof(r->command) - len, "%s%s",
					len ? " " : "", *arg);
	/* `list` shows it on one line: a newline in an argument would end it. */
	for (char *p = r->command; *p; p++)
		if (*p == '\n')
			*p = ' ';
	for (int i = 0; i < c->cgroup.ndirs && i < STATE_MAX_CGROUPS; i++)
		snprintf(r->cgroups[r->ncgroups++], PATH_MAX, "%s", c->cgroup.dirs[i]);
	state_save(&c->state, r);
}

/*
 * The child holds the write end of a pipe opened O_CLOEXEC, and nothing
 * else writes to it: it closes when the child execs the command (or
 * closes every fd first, or dies). That EOF is the moment the container
 * runs, whatever path the child took there.
 */
void wait_for_exec(struct container *c)
{
	char byte;
	ssize_t n;

	while ((n = read(c->exec_pipe[0], &byte, 1)) != 0)
		if (n < 0 && errno != EINTR)
			die_errno("read (waiting for the child's execve)");
	close(c->exec_pipe[0]);
}

/* The command runs: the record says so (exec and kill act on "running"
 * containers only). */
void mark_running(struct container *c)
{
	if (c->state.lock_fd < 0)
		return;
	snprintf(c->record.status, sizeof(c->record.status), "running");
	state_update(&c->state, &c->record);
}

/* The caller's side of -d: wait for the monitor's word. Its ID when the
 * container runs (0); else the monitor's own exit code: it failed, and
 * said why on our stderr. */
static int wait_for_monitor(pid_t monitor, int report)
{
	char id[STATE_ID_LEN + 2] = "";
	size_t len = 0;
	ssize_t n;
	int status;

	while (len < sizeof(id) - 1 && ((n = read(report, id + len, sizeof(id) - 1 - len)) > 0 ||
					(n < 0 && errno == EINTR)))
		len += n > 0 ? (size_t)n : 0;
	if (len == STATE_ID_LEN + 1 && id[STATE_ID_LEN] == '\n') {
		fputs(id, stdout);
		return 0;
	}
	while (waitpid(monitor, &status, 0) < 0)
		if (errno != EINTR)
			die_errno("waitpid(%d) (the monitor)", (int)monitor);
	return exit_code_of(status) ? exit_code_of(status) : EXIT_RUNTIME;
}

/*
 * -d: we cannot return to the caller's shell and stay the container's
 * parent, and only a parent can wait for a process and learn its exit
 * status. So a monitor takes our place: a child of ours in a session of
 * its own (no terminal's ^C or hangup reaches it), which starts the
 * container, holds its lock, waits for it, records how it ended and
 * tidies up. The caller returns once the container runs. This is
 * containerd-shim's job (and conmon's for podman): runc itself exits
 * right after starting a container. Returns in the monitor.
 */
void start_monitor(struct container *c)
{
	int report[2], err;
	pid_t pid;

	if (pipe2(report, O_CLOEXEC) < 0)
		die_errno("pipe2");
	pid = fork();
	if (pid < 0)
		die_errno("fork (the monitor)");
	if (pid > 0) {
		close(report[1]);
		exit(wait_for_monitor(pid, report[0]));
	}
	close(report[0]);
	c->report_fd = report[1];
	if (setsid() < 0)
		die_errno("setsid (the monitor)");
	/* Until the container runs, what goes wrong is the caller's to read. */
	err = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (err < 0 || !(c->caller_err = fdopen(err, "w")))
		die_errno("dup(2)");
	setvbuf(c->caller_err, NULL, _IONBF, 0);
	log_set_stream(c->caller_err);
	trace("fork() = %d, setsid(): the monitor", (int)getpid());
}

/* The container's stdin is /dev/null, its stdout and stderr the log in
 * its state directory (`run logs`). */
void redirect_to_log(const struct container *c)
{
	char path[PATH_MAX + 8];
	int fd, null;

	snprintf(path, sizeof(path), "%s/log", c->state.dir);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		die_errno("open %s", path);
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0)
		die_errno("open /dev/null");
	if (dup2(null, STDIN_FILENO) < 0 || dup2(fd, STDOUT_FILENO) < 0 ||
	    dup2(fd, STDERR_FILENO) < 0)
		die_errno("dup2 (%s onto stdout and stderr)", path);
	close(fd);
	close(null);
	trace("dup2(open(\"%s\"), 1), dup2(.., 2), stdin /dev/null", path);
}

/* The container runs: the caller may print its ID and return. */
void report_started(struct container *c)
{
	char line[STATE_ID_LEN + 2];

	snprintf(line, sizeof(line), "%s\n", c->state.id);
	if (write(c->report_fd, line, strlen(line)) != (ssize_t)strlen(line))
		die_errno("write (telling the caller the container runs)");
	close(c->report_fd);
	c->report_fd = -1;
	log_set_stream(stderr); /* the log, from now on */
	fclose(c->caller_err);
	c->caller_err = NULL;
}

/* A detached container's end: record it, keep the directory for logs
 * and rm, let go of the lock. */
void record_exit(struct container *c, int status)
{
	if (c->state.lock_fd < 0)
		return;
	snprintf(c->record.status, sizeof(c->record.status), "exited");
	c->record.exit_code = status;
	c->record.finished = time(NULL);
	c->record.ncgroups = 0;
	state_save(&c->state, &c->record);
	state_keep(&c->state);
}
