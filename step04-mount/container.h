/*
 * container.h — struct container: everything the parent decides before
 * the child exists. options.c fills it from the command line; main.c's
 * story reads it, and the child gets it through clone.
 */
#ifndef STEPBOX_CONTAINER_H
#define STEPBOX_CONTAINER_H

#include "common.h"
#include "terminal.h"

#define MAX_VOLUMES 16

/* --volume HOST:CONTAINER[:ro] */
struct volume {
	const char *host;
	const char *target;
	bool readonly;
	int fd; /* a copy of the host path's mount (open_tree), made by the child */
};

/* Everything the parent decides before the child exists. */
struct container {
	const char *hostname;
	bool init;		   /* --init: our own PID 1 runs the command */
	int tty;		   /* -t: 1, --no-tty: 0, neither: -1 (decide) */
	struct terminal term;	   /* when tty is 1 */
	unsigned long propagation; /* MS_PRIVATE, MS_SLAVE or MS_SHARED for "/" */
	struct volume volumes[MAX_VOLUMES];
	size_t nvolumes;
	char **argv;
	struct sync_pipe sync;
	sigset_t parent_mask; /* the signal mask to restore before exec */
};

#endif
