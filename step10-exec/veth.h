/*
 * veth.h — create and delete a veth pair over rtnetlink (see veth.c).
 */
#ifndef STEPBOX_VETH_H
#define STEPBOX_VETH_H

#include <sys/types.h>

/* Create HOST_NAME in our network namespace and its peer PEER_NAME
 * directly in the network namespace of process PID. 0, or -1 with errno. */
int veth_create(const char *host_name, const char *peer_name, pid_t pid);
/* Delete the link NAME (and so its peer). 0, or -1 with errno. */
int link_delete(const char *name);

#endif
