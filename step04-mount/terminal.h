/*
 * terminal.h — the container's own terminal, a pty (terminal.c).
 */
#ifndef STEPBOX_TERMINAL_H
#define STEPBOX_TERMINAL_H

/* The container's terminal, as the runtime holds it. */
struct terminal {
	int master;    /* ours: what the container writes, we read here */
	int slave;     /* ours too, open until the container has exited */
	char name[64]; /* "/dev/pts/N", the slave, which the child opens */
};

/* The runtime, before clone: a new pty, its window the size of ours. */
void open_pty(struct terminal *t);
/* The child, first of all: the slave becomes the controlling terminal of
 * a new session, and fds 0-2. */
void attach_terminal(const struct terminal *t);
/* The runtime, once the child runs: the user's terminal in raw mode. */
void use_raw_mode(void);

#endif
