/*
 * container.h — struct container: everything the parent decides before
 * the child exists. options.c fills it from the command line; main.c's
 * story reads it, and the child gets it through clone.
 */
#ifndef STEPBOX_CONTAINER_H
#define STEPBOX_CONTAINER_H

#include "common.h"

/* Everything the parent decides before the child exists. */
struct container {
	const char *hostname;
	char **argv;
	struct sync_pipe sync;
	sigset_t parent_mask; /* the signal mask to restore before exec */
};

#endif
