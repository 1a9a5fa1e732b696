/*
 * dev.h — the container's /dev (dev.c): a tmpfs with a few device nodes,
 * a devpts of its own, /dev/shm, /dev/mqueue and the usual links.
 */
#ifndef STEPBOX_DEV_H
#define STEPBOX_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* One more node, from --device: /dev/NAME, char or block MAJOR:MINOR;
 * from OCI's linux.devices also a FIFO, with its mode and owner. */
struct dev_node {
	const char *name; /* below /dev: "null", "loop3", "net/tun" (OCI's) */
	char type;	  /* 'c', 'b', or 'p' (a FIFO: no numbers) */
	unsigned major, minor;
	unsigned mode;	   /* permission bits; 0: 0666 */
	unsigned uid, gid; /* its owner, when mknod makes it (OCI's fileMode, uid, gid) */
};

/*
 * Mount a fresh /dev inside the tree whose root is ROOT (an fd; /dev is
 * resolved inside it) and fill it: the standard nodes and EXTRA, made
 * with mknod when MKNOD (real root), else bound from the host's /dev
 * (inside a user namespace mknod is refused). Dies (125) on failure.
 */
void dev_populate(int root, bool mknod, const struct dev_node *extra, size_t nextra);
void dev_setup(int root, bool mknod, const struct dev_node *extra, size_t nextra);

#endif
