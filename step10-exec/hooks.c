/*
 * hooks.c — config.json's hooks: a program of the host's (or of the
 * image's, for startContainer), run at a step of the lifecycle with the
 * container's state on its stdin. oci.c decides when and in which
 * namespaces (the process that calls hooks_run is where the hook runs);
 * this file runs one list:
 *
 *   fork; the child: stdin a pipe, stdout and stderr ours, every other
 *   fd closed, signals as a new program expects them; execve(path, args,
 *   env) — path absolute, no $PATH search (the runtime-spec's rule)
 *   the parent: writes the state JSON into the pipe while the hook runs,
 *   waits for its pidfd to say it exited, or for its timeout: SIGKILL
 *
 * A hook that exits 0 succeeded; anything else (a status, a signal, the
 * timeout, an execve that failed: 127 or 126) failed.
 *
 * Brought by step10, with its OCI mode.
 *
 * runc: libcontainer/configs/config.go, (*Command).Run (exec.Cmd with
 * the state as Stdin; on its timer, Process.Kill, which is SIGKILL) and
 * Hooks.Run (the first error ends the list).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "hooks.h"

extern char **environ;

/* The hook did not end within its timeout (a value no wait status has). */
#define TIMED_OUT (-1)

static char *state_json(const struct hook_state *st)
{
	json_object *doc = json_object_new_object();
	char *text;

	json_object_object_add(doc, "ociVersion", json_object_new_string(st->version));
	json_object_object_add(doc, "id", json_object_new_string(st->id));
	json_object_object_add(doc, "status", json_object_new_string(st->status));
	if (st->pid > 0)
		json_object_object_add(doc, "pid", json_object_new_int(st->pid));
	json_object_object_add(doc, "bundle", json_object_new_string(st->bundle));
	json_object_object_add(doc, "annotations",
			       st->annotations ? json_object_get(st->annotations)
					       : json_object_new_object());
	text = strdup(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(doc);
	if (!text)
		die_errno("strdup (the hooks' state)");
	return text;
}

/* The hook: nothing of ours but fds 0-2, and no signal blocked or
 * ignored that a program expects (SIGPIPE is ignored while we write). */
static void hook_child(const struct spec_hook *h, char **env, int in) __attribute__((noreturn));
static void hook_child(const struct spec_hook *h, char **env, int in)
{
	sigset_t none;

	log_set_role("hook");
	log_set_exit(_exit); /* never our atexit handlers: create's undo */
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		die_errno("sigprocmask(SIG_SETMASK, {}) (hook %s)", h->path);
	if (signal(SIGPIPE, SIG_DFL) == SIG_ERR)
		die_errno("signal(SIGPIPE, SIG_DFL) (hook %s)", h->path);
	if (dup2(in, 0) < 0)
		die_errno("dup2(pipe, 0) (hook %s's stdin)", h->path);
	if (close_fds_from(3) < 0)
		die_errno("close_range(3, ~0U) (hook %s)", h->path);
	execve(h->path, h->args, env);
	warn_errno("execve %s (a hook)", h->path);
	_exit(errno == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC);
}

static long long now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		die_errno("clock_gettime(CLOCK_MONOTONIC) (a hook's timeout)");
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * Write TEXT to the hook's stdin (IN, non-blocking: a hook that does not
 * read it must not hold us past its timeout), then close it; wait until
 * PIDFD says the hook exited. Returns its wait status, or TIMED_OUT
 * after TIMEOUT seconds (0: none), when it has been killed.
 */
static int feed_and_wait(pid_t pid, int pidfd, int in, const char *text, int timeout)
{
	long long deadline = now_ms() + timeout * 1000LL;
	size_t left = strlen(text);
	bool killed = false;
	int status;

	for (;;) {
		struct pollfd p[2] = { { .fd = pidfd, .events = POLLIN },
				       { .fd = in, .events = POLLOUT } };
		long long wait_ms = timeout ? deadline - now_ms() : -1;
		ssize_t n;

		if (timeout && wait_ms <= 0) {
			if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0)
				warn_errno("pidfd_send_signal(hook pid %d, SIGKILL)", (int)pid);
			killed = true;
			break;
		}
		if (poll(p, in >= 0 ? 2 : 1, wait_ms > INT_MAX ? INT_MAX : (int)wait_ms) < 0) {
			if (errno == EINTR)
				continue;
			warn_errno("poll (waiting for hook pid %d)", (int)pid);
			break;
		}
		if (in >= 0 && p[1].revents) {
			n = write(in, text, left);
			if (n > 0) {
				text += n;
				left -= (size_t)n;
			}
			/* EPIPE: it closed its stdin unread; that is its business. */
			if (left == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
				close(in);
				in = -1;
			}
		}
		if (p[0].revents & POLLIN)
			break;
	}
	if (in >= 0)
		close(in);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			warn_errno("waitpid(hook pid %d)", (int)pid);
			return W_EXITCODE(EXIT_RUNTIME, 0);
		}
	return killed ? TIMED_OUT : status;
}

/* The hook could not be fed or watched: kill it, reap it, say why. */
static int hook_setup_failed(pid_t pid, int pidfd, int in, char *why, size_t size, const char *what)
{
	snprintf(why, size, "%s (hook pid %d): %s", what, (int)pid, strerror(errno));
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (pidfd >= 0)
		close(pidfd);
	close(in);
	return -1;
}

/* One hook, run to its end; 0, or -1 and WHY. */
static int run_hook(const struct spec_hook *h, char **env, const char *state, char *why,
		    size_t size)
{
	struct sigaction ignore = { .sa_handler = SIG_IGN }, old;
	int in[2], pidfd, status;
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) < 0) {
		snprintf(why, size, "pipe2: %s", strerror(errno));
		return -1;
	}
	fflush(NULL); /* nothing of ours buffered twice */
	pid = fork();
	if (pid < 0) {
		snprintf(why, size, "fork: %s", strerror(errno));
		close(in[0]);
		close(in[1]);
		return -1;
	}
	if (pid == 0)
		hook_child(h, env, in[0]);
	close(in[0]);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return hook_setup_failed(pid, -1, in[1], why, size, "pidfd_open");
	if (fcntl(in[1], F_SETFL, O_NONBLOCK) < 0)
		return hook_setup_failed(pid, pidfd, in[1], why, size,
					 "fcntl(stdin pipe, O_NONBLOCK)");
	/* a hook that closes its stdin unread must not kill us with SIGPIPE */
	if (sigaction(SIGPIPE, &ignore, &old) < 0)
		return hook_setup_failed(pid, pidfd, in[1], why, size,
					 "sigaction(SIGPIPE, SIG_IGN)");
	status = feed_and_wait(pid, pidfd, in[1], state, h->timeout);
	if (sigaction(SIGPIPE, &old, NULL) < 0)
		die_errno("sigaction(SIGPIPE) back as it was (after hook %s)", h->path);
	close(pidfd);
	if (status == TIMED_OUT)
		snprintf(why, size, "still running after its timeout (%d s): killed (SIGKILL)",
			 h->timeout);
	else if (WIFSIGNALED(status))
		snprintf(why, size, "killed by SIG%s", sigabbrev_np(WTERMSIG(status)));
	else if (WEXITSTATUS(status) != 0)
		snprintf(why, size, "exited with status %d", WEXITSTATUS(status));
	else
		return 0;
	return -1;
}

int hooks_run(const struct spec *s, enum spec_hook_kind kind, const struct hook_state *st,
	      char *why, size_t size)
{
	const char *name = spec_hook_names[kind];
	/* startContainer runs in the container: its default environment is
	 * the container's (runc's SetDefaultEnv), never the runtime's. */
	char **env_default = kind == SPEC_HOOK_START_CONTAINER ? s->process.env : environ;
	bool must_succeed = kind < SPEC_HOOK_POSTSTART;
	char *state, reason[256];

	if (!s->nhooks[kind])
		return 0;
	state = state_json(st);
	for (size_t i = 0; i < s->nhooks[kind]; i++) {
		const struct spec_hook *h = &s->hooks[kind][i];

		trace("hooks.%s[%zu]: %s, state on stdin: %s", name, i, h->path, state);
		if (run_hook(h, h->env ? h->env : env_default, state, reason, sizeof(reason)) == 0)
			continue;
		if (must_succeed) {
			snprintf(why, size, "hooks.%s[%zu] (%s): %s", name, i, h->path, reason);
			free(state);
			return -1;
		}
		warn("hooks.%s[%zu] (%s): %s (a %s hook's failure is a warning: the %s goes on)",
		     name, i, h->path, reason, name,
		     kind == SPEC_HOOK_POSTSTART ? "container" : "delete");
	}
	free(state);
	return 0;
}
