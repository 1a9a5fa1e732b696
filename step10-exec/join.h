/*
 * join.h — a running container's namespaces, as exec.c joins them: by
 * step10's own `run exec` and by the OCI runtime's `exec --process`.
 */
#ifndef STEPBOX_JOIN_H
#define STEPBOX_JOIN_H

#include <sys/types.h>

/* user, mnt, uts, ipc, net, cgroup, pid: the types a container may have. */
#define CONTAINER_NAMESPACES 7

/* Open each namespace of PID that is not ours (FDS[i], -1 where it is
 * ours or the kernel lacks the type), then check through PIDFD that PID
 * is still the container's process. Returns their CLONE_NEW* flags, pid
 * included; dies when the container has gone meanwhile. */
int open_container_namespaces(pid_t pid, int pidfd, int fds[CONTAINER_NAMESPACES]);

#endif
