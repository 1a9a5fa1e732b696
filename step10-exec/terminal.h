/*
 * terminal.h — the container's own terminal, a pty (terminal.c).
 */
#ifndef STEPBOX_TERMINAL_H
#define STEPBOX_TERMINAL_H

/* The container's terminal, as the runtime holds it. */
struct terminal {
	int master;    /* ours: what the container writes, we read here */
	int slave;     /* ours too, open until the container has exited */
	int socket[2]; /* [0] ours, [1] the child's: it sends the pty over it */
};

/* The runtime, before clone: the socket pair the pty comes back over. */
void open_console_socket(struct terminal *t);
/* The child, after pivot_root: a pty of the container's devpts; its
 * master goes to the runtime, its slave becomes the controlling terminal
 * of a new session, and fds 0-2. */
void attach_terminal(struct terminal *t);
/* The same, for an OCI client: the master alone goes to SOCK, the
 * client's --console-socket. */
void attach_console(int sock);
/* The runtime: the pty the child sent, 0; or -1 when it sent none (it
 * failed first, and said why on our stderr). */
int receive_terminal(struct terminal *t);
/* The runtime, once the child runs: the user's terminal in raw mode. */
void use_raw_mode(void);

#endif
