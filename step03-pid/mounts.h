/*
 * mounts.h — the container's mounts (mounts.c).
 */
#ifndef STEPBOX_MOUNTS_H
#define STEPBOX_MOUNTS_H

struct container;

/* The child: every mount of its new namespace private, so that what it
 * mounts (/proc) never reaches the host's. */
void make_mounts_private(void);
/* The child, PID 1 of its PID namespace: a proc of that namespace on
 * /proc. */
void mount_proc(void);

#endif
