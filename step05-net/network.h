/*
 * network.h — the container's loopback and veth pair (network.c).
 */
#ifndef STEPBOX_NETWORK_H
#define STEPBOX_NETWORK_H

#include <sys/types.h>

struct container;

/* The child, in its new network namespace: lo up; with --net veth, eth0
 * up with its address. */
void setup_network(const struct container *c);
/* The parent, while the child waits: the veth pair, the host end up with
 * its address and the other end in the child's namespace (PID). */
void setup_veth(struct container *c, pid_t pid);
/* The host end's link deleted (and with it the pair), if it is still
 * there. */
void remove_veth(const struct container *c);

#endif
