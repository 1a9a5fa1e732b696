/*
 * terminal.c — the container's own terminal: a pseudo-terminal whose
 * slave is the controlling terminal of the container's session.
 *
 * Brought by step03: a shell that is PID 1 of its own PID namespace does
 * job control with process groups, and on the host's terminal those
 * groups are ones it cannot see. From step08 the pty is made in the
 * container's own devpts, by the child after pivot_root
 * (attach_terminal), and its master travels to the runtime over a socket
 * pair (main.c calls open_console_socket, receive_terminal), as with
 * runc's --console-socket; step10's exec.c goes the same way, and its OCI
 * mode (oci.c, exec.c) sends the same pty to the client's socket
 * (attach_console). The runtime puts
 * the user's terminal in raw mode (use_raw_mode) while relay.c copies
 * the bytes.
 *
 *   sudo ./step03-pid/run -v     # a shell on its own pty: try tty, ^Z, fg, ^C
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
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
 * From step08 the container has a devpts of its own, and its child makes
 * the pty there (attach_terminal). We only make the way back for it: a
 * unix socket pair, our end and the child's. A socket pair, not a path:
 * there is no name anyone else could connect to.
 */
void open_console_socket(struct terminal *t)
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, t->socket) < 0)
		die_errno("socketpair(AF_UNIX, SOCK_SEQPACKET)");
	trace("socketpair(AF_UNIX, SOCK_SEQPACKET) = [%d, %d] (the console socket)", t->socket[0],
	      t->socket[1]);
}

/*
 * Send the pty's two ends to the runtime over the console socket: fds
 * cross a unix socket as SCM_RIGHTS ancillary data, and arrive as new fds
 * of the receiver that refer to the same open files.
 */
static void send_terminal(int sock, int master, int slave)
{
	int fds[2] = { master, slave };

	if (send_fds(sock, fds, 2, "T", 1) < 0)
		die_errno("sendmsg(console socket, SCM_RIGHTS)");
	trace("sendmsg(console socket, SCM_RIGHTS [%d, %d]) = 1", master, slave);
}

/* An OCI client's --console-socket gets the master alone, named as
 * runc names it: podman's conmon and containerd's shim take one fd, and
 * keep the terminal open themselves. */
static void send_console(int sock, int master)
{
	static const char name[] = "/dev/ptmx";

	if (send_fds(sock, &master, 1, name, sizeof(name) - 1) < 0)
		die_errno("sendmsg(--console-socket, SCM_RIGHTS)");
	trace("sendmsg(--console-socket, SCM_RIGHTS [%d]) = %zu", master, sizeof(name) - 1);
}

/*
 * The pty comes from the container's own devpts (dev.c), opened after
 * pivot_root: /dev/ptmx is the link to pts/ptmx there. A pty of the
 * host's devpts would show the container a /dev/pts/N that its own
 * /dev/pts does not have, and keep a host file system's object as its
 * terminal. The runtime needs the master to relay the user's terminal,
 * and we are in the container: the master travels to it over a unix
 * socket (send_terminal), as runc's --console-socket does.
 *
 * Then the child makes the slave its controlling terminal. A terminal
 * belongs to a session; its foreground process group gets the signals of
 * ^C and ^Z, and a shell's job control moves that group (tcsetpgrp) to
 * the job it runs. setsid() starts a new session, with no terminal and
 * with us as its leader; the first terminal its leader claims with
 * TIOCSCTTY becomes the session's, with our group in the foreground. Now
 * the sessions and the groups on the terminal are all in the container,
 * where its PID namespace can see them, and ^C is the container's.
 */
static void attach_pty(int sock, bool to_runtime)
{
	char name[64];
	pid_t sid;
	int master, fd, err;

	/* O_NOCTTY: the master must not become our controlling terminal. */
	master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		die_errno("open(\"/dev/ptmx\") in the container's devpts");
	if (grantpt(master) < 0)
		die_errno("grantpt(%d)", master);
	if (unlockpt(master) < 0)
		die_errno("unlockpt(%d)", master);
	err = ptsname_r(master, name, sizeof(name));
	if (err) {
		errno = err;
		die_errno("ptsname(%d)", master);
	}
	trace("open(\"/dev/ptmx\") = %d, unlockpt, ptsname = \"%s\"", master, name);
	sid = setsid();
	if (sid < 0)
		die_errno("setsid");
	/* O_NOCTTY: we claim it explicitly, next. */
	fd = open(name, O_RDWR | O_NOCTTY);
	if (fd < 0)
		die_errno("open(\"%s\")", name);
	/* The runtime gets the master, and a slave of its own to hold (see
	 * wait_forwarding_signals); an OCI client the master alone. None of
	 * them stays with us. */
	if (to_runtime)
		send_terminal(sock, master, fd);
	else
		send_console(sock, master);
	close(master);
	close(sock);
	if (ioctl(fd, TIOCSCTTY, 0) < 0)
		die_errno("ioctl(\"%s\", TIOCSCTTY)", name);
	for (int i = 0; i <= 2; i++)
		if (dup2(fd, i) < 0)
			die_errno("dup2(%d, %d)", fd, i);
	if (fd > 2)
		close(fd);
	/* Traced only now, so that these lines too go through the pty. */
	trace("setsid() = %d", (int)sid);
	trace("open(\"%s\", O_RDWR|O_NOCTTY) = %d", name, fd);
	trace("ioctl(%d, TIOCSCTTY) = 0", fd);
	trace("dup2(%d, 0), dup2(%d, 1), dup2(%d, 2)", fd, fd, fd);
}

void attach_terminal(struct terminal *t)
{
	attach_pty(t->socket[1], true);
}

/* Step 10's OCI mode: the same pty, its master for --console-socket. */
void attach_console(int sock)
{
	attach_pty(sock, false);
}

/*
 * The child sends the master and a slave of its own pty (send_terminal).
 * The slave we hold open until the container exits: while no process has
 * the slave open, the master reads EIO, the way a terminal says "hung
 * up", and we want EIO to mean "all of it was read". Returns 0, or -1
 * when the child closed the socket without sending: it failed before,
 * and said why on our stderr.
 */
int receive_terminal(struct terminal *t)
{
	union {
		struct cmsghdr header;
		char buf[CMSG_SPACE(2 * sizeof(int))];
	} control;
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cmsg;
	struct winsize ws;
	ssize_t n;
	int fds[2];

	close(t->socket[1]); /* the child's end: its copy is all there is now */
	do
		n = recvmsg(t->socket[0], &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		die_errno("recvmsg(console socket)");
	close(t->socket[0]);
	cmsg = CMSG_FIRSTHDR(&msg);
	if (n == 0 || !cmsg)
		return -1;
	if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS ||
	    cmsg->cmsg_len != CMSG_LEN(sizeof(fds)))
		die("console socket: the message holds no pty");
	memcpy(fds, CMSG_DATA(cmsg), sizeof(fds));
	t->master = fds[0];
	t->slave = fds[1];
	trace("recvmsg(console socket) = SCM_RIGHTS [%d (master), %d (slave)]", t->master,
	      t->slave);
	/* The first prompt should already know how wide the window is. */
	if (tty_copy_winsize(STDIN_FILENO, t->master, &ws) == 0)
		trace("ioctl(%d, TIOCSWINSZ, %ux%u) = 0", t->master, (unsigned)ws.ws_row,
		      (unsigned)ws.ws_col);
	else if (errno != ENOTTY)
		die_errno("ioctl(%d, TIOCSWINSZ)", t->master);
	return 0;
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
