/*
 * seccomp.h — the container's system call filter (seccomp.c). Not to be
 * confused with <seccomp.h>, libseccomp's own header, which seccomp.c
 * includes with angle brackets.
 */
#ifndef STEPBOX_SECCOMP_H
#define STEPBOX_SECCOMP_H

#include "caps.h"

/*
 * Load a filter into this process (and so into everything it execs and
 * forks from now on, for good): every system call is allowed, except
 * those docker's default profile refuses a container, which fail with
 * EPERM. A call that docker allows with a capability (mount with
 * CAP_SYS_ADMIN, reboot with CAP_SYS_BOOT...) is refused only when CAPS,
 * the set the container keeps, lacks that capability. clone with a
 * namespace flag is refused like unshare, and clone3 says ENOSYS (its
 * flags are in memory, out of a filter's sight). A system call of another
 * architecture (32-bit int 0x80, x32) kills the process.
 *
 * Needs no_new_privs, or CAP_SYS_ADMIN. Dies (125) on failure.
 */
void seccomp_deny(capset_t caps);

#endif
