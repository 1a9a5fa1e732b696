/*
 * container.h — struct container: everything the parent decides before
 * the child exists. options.c fills it from the command line; main.c's
 * story reads it, and the child gets it through clone.
 */
#ifndef STEPBOX_CONTAINER_H
#define STEPBOX_CONTAINER_H

#include <arpa/inet.h>
#include <net/if.h>

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
	char **argv;
	struct sync_pipe sync;
	sigset_t parent_mask; /* the signal mask to restore before exec */
};

#endif
