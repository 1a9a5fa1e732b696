/*
 * relay.c — the runtime stands by while the container runs: it passes on
 * the signals it gets, copies the bytes of the container's terminal both
 * ways, and returns the command's exit code.
 *
 * A runtime in the foreground is the container's stand-in on the host: a
 * signal sent to it (^C, a script's `kill`) is meant for the container,
 * and what it exits with is the command's exit code, or 128+N if signal
 * N killed it. Brought by step01: main.c calls it once the child is
 * released; from step03 so does --init's PID 1 (run_init), from step10
 * exec.c's `exec` and oci.c's `run`.
 *
 *   sudo sh -c './step01-uts/run -v -- sleep 30 & sleep 1; kill $!; wait $!; echo $?'
 *       # -v traces kill(PID, Terminated); the exit code is 143 (128+15)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "relay.h"
#include "terminal.h"

/* The signals a runtime passes on to the container, as docker does. */
static const int forwarded_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

/*
 * Block the forwarded signals and SIGCHLD before clone, so that none is
 * lost between clone and the wait loop: blocked signals wait in a queue
 * that signalfd reads. The child starts with the same mask and restores
 * the original before exec. A shell without job control (sh -c, a
 * script) starts background jobs with SIGINT and SIGQUIT ignored, and an
 * ignored disposition survives execve: the command would ignore what we
 * pass on. So each gets its default back.
 * SIGWINCH (our terminal's window changed size) is read, not forwarded.
 */
void block_signals(sigset_t *set, sigset_t *old)
{
	sigemptyset(set);
	for (size_t i = 0; i < sizeof(forwarded_signals) / sizeof(int); i++) {
		if (signal(forwarded_signals[i], SIG_DFL) == SIG_ERR)
			die_errno("signal(%d, SIG_DFL)", forwarded_signals[i]);
		sigaddset(set, forwarded_signals[i]);
	}
	sigaddset(set, SIGCHLD);
	sigaddset(set, SIGWINCH);
	if (sigprocmask(SIG_BLOCK, set, old) < 0)
		die_errno("sigprocmask(SIG_BLOCK)");
}

/*
 * Wait for the container while passing on every signal the runtime gets.
 * Returns the exit code a shell would show: the command's own status, or
 * 128+N if signal N killed it. Any other child that has exited is reaped
 * on the way, so no zombie is left behind.
 *
 * With a terminal T, the same loop relays its bytes: what the user types
 * (our stdin) to the master, what the container writes (the master) to
 * our stdout. poll(2) waits on all three; a negative fd is skipped.
 */
int wait_forwarding_signals(pid_t pid, const sigset_t *set, const struct terminal *t)
{
	int sfd = signalfd(-1, set, SFD_CLOEXEC);
	struct pollfd fds[] = {
		{ .fd = sfd, .events = POLLIN },
		{ .fd = t ? t->master : -1, .events = POLLIN },
		{ .fd = t ? STDIN_FILENO : -1, .events = POLLIN },
	};

	if (sfd < 0)
		die_errno("signalfd");
	for (;;) {
		struct signalfd_siginfo si;
		struct winsize ws;
		int status;
		pid_t done;

		while ((done = waitpid(-1, &status, WNOHANG)) > 0) {
			if (done != pid)
				continue;
			if (t) {
				/* With our slave closed too, the master gives
				 * what the container wrote last, then EIO. */
				close(t->slave);
				tty_drain(t->master, STDOUT_FILENO);
			}
			trace("waitpid(%d) = exit code %d", (int)pid, exit_code_of(status));
			close(sfd);
			return exit_code_of(status);
		}
		if (done < 0)
			die_errno("waitpid(%d)", (int)pid);
		if (poll(fds, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			die_errno("poll");
		}
		if (t && fds[1].revents && tty_relay(t->master, STDOUT_FILENO) < 0)
			fds[1].fd = -1; /* our stdout is gone */
		if (t && fds[2].revents && tty_relay(STDIN_FILENO, t->master) <= 0) {
			/* Our input ended: the container reads an EOF. */
			fds[2].fd = -1;
			if (tty_send_eof(t->master) < 0)
				warn_errno("write(pty master, EOF)");
		}
		if (!(fds[0].revents & POLLIN))
			continue;
		if (read(sfd, &si, sizeof(si)) != sizeof(si)) {
			if (errno == EINTR)
				continue;
			die_errno("read(signalfd)");
		}
		if (si.ssi_signo == SIGCHLD)
			continue;
		/* Not the container's business as a signal: its terminal
		 * takes our new size, and the kernel sends SIGWINCH to the
		 * terminal's foreground group itself. */
		if (si.ssi_signo == SIGWINCH) {
			if (t && tty_copy_winsize(STDIN_FILENO, t->master, &ws) == 0)
				trace("ioctl(%d, TIOCSWINSZ, %ux%u) = 0", t->master,
				      (unsigned)ws.ws_row, (unsigned)ws.ws_col);
			continue;
		}
		trace("kill(%d, %s)", (int)pid, strsignal((int)si.ssi_signo));
		if (kill(pid, (int)si.ssi_signo) < 0 && errno != ESRCH)
			die_errno("kill(%d, %d)", (int)pid, (int)si.ssi_signo);
	}
}
