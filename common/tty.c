/*
 * tty.c — the plumbing around a container's terminal: the user's terminal
 * in raw mode and back, window sizes, and copying bytes.
 *
 * The calls a lesson teaches (posix_openpt, grantpt, unlockpt, ptsname,
 * setsid, TIOCSCTTY) stay in each step's main.c. What is here is what any
 * terminal relay does (ssh, script, tmux): while the container's terminal
 * interprets the keys (^C, ^Z, line editing, echo), the user's terminal
 * must pass them on untouched, and must get its settings back however the
 * runtime ends: a return from main, die() (exit runs atexit handlers) or
 * a signal that kills it. Only SIGKILL leaves it raw (`stty sane` mends it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "common.h"

static struct termios saved; /* the user's settings, as we found them */
static int saved_fd = -1;    /* -1: nothing to restore */
/* clone and fork copy our memory, atexit handlers and signal handlers
 * included: only the process that saved the settings puts them back. */
static pid_t saved_by;

void tty_restore(void)
{
	if (saved_fd < 0 || getpid() != saved_by)
		return;
	/* tcsetattr and getpid are async-signal-safe: this also runs in a
	 * signal handler. Nothing to do about a failure on the way out. */
	(void)tcsetattr(saved_fd, TCSANOW, &saved);
	saved_fd = -1;
	log_set_crlf(false);
}

/* A signal that would kill us: restore, then die of it as before (the
 * handler was reset on entry, SA_RESETHAND, and the signal is not blocked
 * in it, SA_NODEFER), so our parent still sees "killed by signal N". */
static void restore_and_die(int sig)
{
	tty_restore();
	raise(sig);
}

/* The signals whose default action ends the process. A signal the caller
 * blocks (to read it from a signalfd) never reaches the handler. */
static const int fatal_signals[] = { SIGHUP,  SIGINT,  SIGQUIT,	  SIGTERM, SIGUSR1,
				     SIGUSR2, SIGPIPE, SIGALRM,	  SIGABRT, SIGSEGV,
				     SIGBUS,  SIGFPE,  SIGILL,	  SIGSYS,  SIGXCPU,
				     SIGXFSZ, SIGPROF, SIGVTALRM, SIGIO,   SIGPWR };

static int restore_on_exit(void)
{
	static bool done;
	struct sigaction sa;

	if (done)
		return 0;
	if (atexit(tty_restore) != 0) {
		errno = ENOMEM;
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = restore_and_die;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		if (sigaction(fatal_signals[i], &sa, NULL) < 0)
			return -1;
	done = true;
	return 0;
}

int tty_raw(int fd)
{
	struct termios raw;

	if (tcgetattr(fd, &saved) < 0)
		return -1;
	if (restore_on_exit() < 0)
		return -1;
	/* cfmakeraw: no echo, no line editing (ICANON), no signal keys
	 * (ISIG), no input or output translation; read returns each byte. */
	raw = saved;
	cfmakeraw(&raw);
	saved_fd = fd;
	saved_by = getpid();
	if (tcsetattr(fd, TCSANOW, &raw) < 0) {
		saved_fd = -1;
		return -1;
	}
	/* Without output translation a "\n" no longer returns the cursor:
	 * our own messages must end in "\r\n" until the settings are back. */
	log_set_crlf(isatty(STDERR_FILENO));
	return 0;
}

int tty_copy_winsize(int from, int to, struct winsize *size)
{
	struct winsize ws;

	if (ioctl(from, TIOCGWINSZ, &ws) < 0)
		return -1;
	if (ioctl(to, TIOCSWINSZ, &ws) < 0)
		return -1;
	if (size)
		*size = ws;
	return 0;
}

ssize_t tty_relay(int from, int to)
{
	char buf[4096];
	ssize_t n, done;

	do
		n = read(from, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	/* A pty master reads EIO once no process has the slave open. */
	if (n < 0 && errno == EIO)
		return 0;
	for (done = 0; n > 0 && done < n;) {
		ssize_t w = write(to, buf + done, (size_t)(n - done));

		if (w < 0 && errno != EINTR)
			return -1;
		done += w > 0 ? w : 0;
	}
	return n;
}

void tty_drain(int from, int to)
{
	struct pollfd p = { .fd = from, .events = POLLIN };

	/* The timeout only guards against a slave still open elsewhere. */
	while (poll(&p, 1, 100) > 0 && tty_relay(from, to) > 0)
		;
}

int tty_send_eof(int master)
{
	struct termios t;

	if (tcgetattr(master, &t) < 0)
		return -1;
	/* In canonical mode the EOF key (^D) at the start of a line makes
	 * the reader's read() return 0, which is how a terminal says EOF. */
	return write(master, &t.c_cc[VEOF], 1) == 1 ? 0 : -1;
}
