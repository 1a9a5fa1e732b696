/*
 * userns.h — the user namespace's maps and its root (userns.c).
 */
#ifndef STEPBOX_USERNS_H
#define STEPBOX_USERNS_H

#include <sys/types.h>

struct container;

/* Why a user namespace could not be made: the sysctl or rule that forbids
 * it, or "". */
const char *userns_hint(void);
/* The child, once its maps exist: uid and gid 0 of its namespace. */
void become_root(const struct container *c);
/* Only the ids of become_root: setresgid, setresuid to 0 (a joiner and an
 * OCI container's first process switch so too). */
void become_root_ids(void);
/* Write TEXT to /proc/PID/FILE (setgroups, uid_map, gid_map), with the
 * likely cause when the kernel refuses. */
void write_map(pid_t pid, const char *file, const char *text);
/* The parent, while the child waits: the child's uid_map and gid_map
 * (and "deny" to setgroups where a rootless map needs it). */
void write_id_maps(const struct container *c, pid_t pid);

#endif
