/*
 * mounts.h — the container's mounts (mounts.c).
 */
#ifndef STEPBOX_MOUNTS_H
#define STEPBOX_MOUNTS_H

struct container;

/* The child, before anything is mounted over them: a copy of each
 * volume's host path (open_tree). */
void open_volumes(struct container *c);
/* The child, in its new mount namespace: propagation, then every mount
 * of the container, in order. */
void setup_mounts(const struct container *c);
/* The parent, before clone: a volume whose host path is missing is an
 * error before anything is created. */
void check_volumes(const struct container *c);

#endif
