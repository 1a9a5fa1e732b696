/*
 * state.h — the container's ID and its state directory (state.c).
 */
#ifndef STEPBOX_STATE_H
#define STEPBOX_STATE_H

#include <limits.h>
#include <stdbool.h>

#define STATE_ID_LEN 12

struct state {
	char id[STATE_ID_LEN + 1]; /* 12 hex digits */
	char dir[PATH_MAX];	   /* /run/stepbox/<id> */
	int lock_fd;		   /* flock(LOCK_EX) held for the container's life */
};

/* Pick a new ID, make its directory and take its lock; 125 on failure. */
void state_create(struct state *st);
/* Remove the directory, then let go of the lock. */
void state_remove(struct state *st);
/* Does a live runtime hold ID's lock? */
bool state_in_use(const char *id);
/* Remove every state directory whose lock nobody holds; list them on
 * stdout when REPORT. */
void state_remove_stale(bool report);

#endif
