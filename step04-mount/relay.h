/*
 * relay.h — the runtime stands by while the container runs (relay.c).
 */
#ifndef STEPBOX_RELAY_H
#define STEPBOX_RELAY_H

#include <signal.h>
#include <sys/types.h>

struct terminal;

/* Before clone: give the signals we pass on their default action and
 * block them, with SIGCHLD, SIGWINCH (SET); OLD gets the mask the child
 * restores before exec. */
void block_signals(sigset_t *set, sigset_t *old);
/* Wait for PID, passing on each signal of SET and relaying terminal T's
 * bytes (T may be NULL); the exit code a shell would show. */
int wait_forwarding_signals(pid_t pid, const sigset_t *set, const struct terminal *t);

#endif
