/*
 * mounts.h — the container's mounts (mounts.c).
 */
#ifndef STEPBOX_MOUNTS_H
#define STEPBOX_MOUNTS_H

struct container;
struct overlay_lowers;

/* The lower layers, top first: the --layer directories, then the rootfs. */
struct overlay_lowers lower_layers(const struct container *c);
/* The merged tree opened by the parent while it still has its host uid
 * (rootless: by mount_overlay_inside, once the child has mounted it). */
void open_merged(struct container *c);
/* The child, before anything is mounted over them: a copy of each
 * volume's host path (open_tree). */
void open_volumes(struct container *c);
/* The child, in its new mount namespace: propagation, then every mount
 * of the container, in order. */
void setup_mounts(struct container *c);
/* The parent, before clone: a volume whose host path is missing is an
 * error before anything is created. */
void check_volumes(struct container *c);

#endif
