/*
 * container.h — struct container: everything the parent decides before
 * the child exists. options.c fills it from the command line; main.c's
 * story reads it, and the child gets it through clone.
 */
#ifndef STEPBOX_CONTAINER_H
#define STEPBOX_CONTAINER_H

#include <arpa/inet.h>
#include <net/if.h>

#include "cgroup.h"
#include "common.h"
#include "dev.h"
#include "overlay.h"
#include "state.h"
#include "terminal.h"

/* The default --rootfs: the tree `make rootfs` builds (the Makefile
 * gives its absolute path). */
#ifndef STEPBOX_ROOTFS
#define STEPBOX_ROOTFS "build/rootfs"
#endif

#define MAX_VOLUMES 16
#define MAX_LAYERS  (OVERLAY_MAX_LOWERS - 1) /* --layer; the rootfs is one more */

/* --volume HOST:CONTAINER[:ro] */
struct volume {
	const char *host;
	const char *target;
	bool readonly;
	bool file; /* the host path is a file: the target must be one too */
	int fd;	   /* a copy of the host path's mount (open_tree), made by the child */
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
	bool veth;		     /* --net veth: a veth pair besides lo */
	struct in_addr host_ip;	     /* the host end: first address of --veth-net */
	struct in_addr container_ip; /* eth0 inside: the second */
	unsigned prefix;	     /* the prefix length of --veth-net */
	char host_link[IFNAMSIZ];    /* "stepbox<pid>" */
	bool userns;		     /* --userns on (the default) */
	bool rootless;		     /* started by a user other than root */
	bool map_given;		     /* --map-base or --map-size was given */
	uint64_t map_base;	     /* host uid/gid of the container's 0 */
	uint64_t map_size;	     /* how many ids the container gets */
	struct cgroup_limits limits; /* --memory, --cpus, ... */
	struct state state;	     /* ID and /run/stepbox/<id>, locked (root only) */
	struct cgroup cgroup;	     /* ours; none when rootless */
	bool in_cgroup;		     /* the child was born in it (clone3) */
	bool cleanup;		     /* --cleanup: remove stale cgroups, exit */
	char **argv;
	struct sync_pipe sync;
	sigset_t parent_mask; /* the signal mask to restore before exec */

	char rootfs[PATH_MAX]; /* --rootfs, or the default */
	int rootfs_fd;	       /* opened by the parent, before any namespace */
	bool chroot;	       /* --chroot: chroot instead of pivot_root (the lesson's demo) */
	struct dev_node device_nodes[CGROUP_MAX_DEVICES]; /* --device nodes below /dev */
	size_t ndevice_nodes;

	const char *layers[MAX_LAYERS]; /* --layer, top first: lower layers above the rootfs */
	int layer_fds[MAX_LAYERS];	/* opened by the parent, as the rootfs */
	size_t nlayers;
	bool keep;		/* --keep: the upper layer on disk, kept at exit */
	struct overlay overlay; /* the container's upper layer and the merged tree */
	int merged_fd;		/* the merged tree, in the child's mount namespace */
};

#endif
