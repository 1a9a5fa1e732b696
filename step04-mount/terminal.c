/*
 * terminal.c — the container's own terminal: a pseudo-terminal whose
 * slave is the controlling terminal of the container's session.
 *
 * Brought by step03: a shell that is PID 1 of its own PID namespace does
 * job control with process groups, and on the host's terminal those
 * groups are ones it cannot see. main.c makes the pty before clone
 * (open_pty), the child claims it (attach_terminal), and the runtime
 * puts the user's terminal in raw mode (use_raw_mode) while relay.c
 * copies the bytes.
 *
 *   sudo ./step03-pid/run -v     # a shell on its own pty: try tty, ^Z, fg, ^C
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common.h"
#include "terminal.h"

/*
 * A pseudo-terminal (pty) is a pair of devices. The slave, /dev/pts/N, is
 * a terminal in every way that matters to the programs using it: line
 * editing and echo, ^C and ^Z, a window size, job control. What they
 * write to it comes out of the master; what is written to the master
 * they read as typed. We keep the master, the container gets the slave.
 *
 * Made before clone, from the host's /dev/ptmx, so the child knows its
 * name. From step08 the container has a devpts of its own and the pty
 * must come from there: its child opens it and sends us the master.
 */
void open_pty(struct terminal *t)
{
	struct winsize ws;
	int err;

	/* O_NOCTTY: the master must not become *our* controlling terminal. */
	t->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (t->master < 0)
		die_errno("posix_openpt(O_RDWR|O_NOCTTY)");
	trace("posix_openpt(O_RDWR|O_NOCTTY) = %d", t->master);
	/* The Unix 98 ritual: the slave is ours (grantpt) and may be
	 * opened (unlockpt); ptsname says where it is. */
	if (grantpt(t->master) < 0)
		die_errno("grantpt(%d)", t->master);
	if (unlockpt(t->master) < 0)
		die_errno("unlockpt(%d)", t->master);
	err = ptsname_r(t->master, t->name, sizeof(t->name));
	if (err) {
		errno = err;
		die_errno("ptsname(%d)", t->master);
	}
	trace("grantpt(%d), unlockpt(%d), ptsname(%d) = \"%s\"", t->master, t->master, t->master,
	      t->name);
	/* While no process has the slave open, the master reads EIO, the
	 * way a terminal says "hung up". We hold it open until the
	 * container exits, so that EIO then means "all of it was read". */
	t->slave = open(t->name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (t->slave < 0)
		die_errno("open(\"%s\")", t->name);
	/* The first prompt should already know how wide the window is. */
	if (tty_copy_winsize(STDIN_FILENO, t->master, &ws) == 0)
		trace("ioctl(%d, TIOCSWINSZ, %ux%u) = 0", t->master, (unsigned)ws.ws_row,
		      (unsigned)ws.ws_col);
	else if (errno != ENOTTY)
		die_errno("ioctl(%d, TIOCSWINSZ)", t->master);
}

/*
 * The child makes the pty's slave its controlling terminal. A terminal
 * belongs to a session; its foreground process group gets the signals of
 * ^C and ^Z, and a shell's job control moves that group (tcsetpgrp) to
 * the job it runs. setsid() starts a new session, with no terminal and
 * with us as its leader; the first terminal its leader claims with
 * TIOCSCTTY becomes the session's, with our group in the foreground. Now
 * the sessions and the groups on the terminal are all in the container,
 * where its PID namespace can see them, and ^C is the container's.
 *
 * Done before anything else in the child: in a user namespace (step06)
 * the slave, which belongs to the uid that opened /dev/ptmx, must be
 * opened before our uid changes.
 */
void attach_terminal(const struct terminal *t)
{
	pid_t sid;
	int fd;

	/* The runtime's ends: a process that holds the master can type into
	 * the container's terminal. (O_CLOEXEC would close them at exec,
	 * but --init's PID 1 never execs.) */
	close(t->master);
	close(t->slave);
	sid = setsid();
	if (sid < 0)
		die_errno("setsid");
	/* O_NOCTTY: we claim it explicitly, next. */
	fd = open(t->name, O_RDWR | O_NOCTTY);
	if (fd < 0)
		die_errno("open(\"%s\")", t->name);
	if (ioctl(fd, TIOCSCTTY, 0) < 0)
		die_errno("ioctl(\"%s\", TIOCSCTTY)", t->name);
	for (int i = 0; i <= 2; i++)
		if (dup2(fd, i) < 0)
			die_errno("dup2(%d, %d)", fd, i);
	if (fd > 2)
		close(fd);
	/* Traced only now, so that these lines too go through the pty. */
	trace("setsid() = %d", (int)sid);
	trace("open(\"%s\", O_RDWR|O_NOCTTY) = %d", t->name, fd);
	trace("ioctl(%d, TIOCSCTTY) = 0", fd);
	trace("dup2(%d, 0), dup2(%d, 1), dup2(%d, 2)", fd, fd, fd);
}

/*
 * From now on the user's terminal only carries bytes. Raw mode turns off
 * its echo, its line editing and the keys that make signals (^C, ^Z,
 * ^\), so that every key reaches the container's terminal, which does
 * all of that for the container. tty_raw puts the settings back however
 * we leave: return, die(), or a signal that kills us.
 */
void use_raw_mode(void)
{
	if (!isatty(STDIN_FILENO))
		return; /* -t with a pipe or a file for stdin */
	trace("tcsetattr(0, TCSANOW, cfmakeraw(tcgetattr(0)))");
	if (tty_raw(STDIN_FILENO) < 0)
		die_errno("tcsetattr(0, raw mode)");
}
