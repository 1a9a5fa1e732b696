/*
 * overlay.h — the rootfs as the read-only lower layer of an overlayfs, with
 * an upper layer of the container's own (overlay.c).
 */
#ifndef STEPBOX_OVERLAY_H
#define STEPBOX_OVERLAY_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define OVERLAY_MAX_LOWERS 17 /* 16 --layer, and the rootfs */

/* One run's overlay: where its directories are, and what is mounted. */
struct overlay {
	bool keep;	       /* --keep: the upper layer on disk, kept at exit */
	char layer[PATH_MAX];  /* holds upper/ and work/: <state>/layer, a tmpfs;
				* with --keep /var/lib/stepbox/<id> */
	char merged[PATH_MAX]; /* <state>/merged: the overlay's mount point */
	bool tmpfs;	       /* we mounted the tmpfs on layer (on the host) */
	bool mounted;	       /* we mounted the overlay on merged (on the host) */
	int root;	       /* the overlay's root (fsmount), or -1 */
};

/* The layers under the upper one, top first: the --layer directories,
 * then the rootfs. FDS are O_PATH fds of this mount namespace. */
struct overlay_lowers {
	int fds[OVERLAY_MAX_LOWERS];
	const char *names[OVERLAY_MAX_LOWERS];
	size_t n;
};

/*
 * Name and make the directories of the run whose state directory is
 * STATE_DIR and whose ID is ID: STATE_DIR/layer and STATE_DIR/merged,
 * or with KEEP the directory on disk that stays. Dies (125) on failure.
 */
void overlay_dirs(struct overlay *o, const char *state_dir, const char *id, bool keep);

/*
 * The upper layer and the overlay, in the calling process's mount
 * namespace: a tmpfs on o->layer (unless o->keep), upper/ and work/ in
 * it, upper/ with the mode (and, with CHOWN, the owner) of the top lower
 * layer's root, then the overlay of LOWERS under upper/ on o->merged.
 * USERXATTR: we are in a user namespace, where the kernel lets overlayfs
 * keep its notes only in user.overlay.* xattrs. Sets o->root; dies (125)
 * with the likely cause on failure.
 */
void overlay_mount(struct overlay *o, const struct overlay_lowers *lowers, bool chown,
		   bool userxattr);

/*
 * At exit: unmount what we mounted on the host and remove the
 * directories; with o->keep, keep upper/ (and say where it is) unless
 * DISCARD (the runtime failed). Safe to call twice.
 */
void overlay_remove(struct overlay *o, bool discard);

/*
 * For a state directory DIR (container ID) whose lock nobody holds: the
 * same, for what a runtime killed with -9 left (a kept upper stays).
 * The shape state_remove_stale calls for each one.
 */
void overlay_remove_stale(const char *dir, const char *id, bool report);

#endif
