/*
 * harden.h — what a process of the container gives up before it runs the
 * command (harden.c): resource limits, capabilities, the right to gain
 * privileges, and system calls.
 *
 * For every process that enters the container: its first process (the
 * child of `run`), and one that joins it later (`exec`, after setns and
 * fork). Masked and read-only paths are not here: they are mounts, made
 * once in the container's mount namespace by its first process
 * (masks_apply, masks.h), and whoever joins that namespace sees them.
 */
#ifndef STEPBOX_HARDEN_H
#define STEPBOX_HARDEN_H

#include <stdbool.h>
#include <stddef.h>

#include "caps.h"
#include "rlimits.h"

/* What the command line asked for: --cap-add, --cap-drop, --ulimit. */
struct hardening {
	struct caps_request caps;
	struct ulimit ulimits[MAX_ULIMITS];
	size_t nulimits;
};

/* --cap-add NAME (ADD) or --cap-drop NAME; 125 on a name that is none. */
void harden_parse_cap(struct hardening *h, const char *name, bool add);
/* --ulimit NAME=SOFT[:HARD]; a second one for NAME replaces the first.
 * 125 on a bad one. */
void harden_parse_ulimit(struct hardening *h, const char *spec);
/* Before anything is made: can the container's side apply H (with
 * USERNS, from inside a user namespace)? 125 with the reason if not. */
void harden_check(const struct hardening *h, bool userns);

/* prctl(PR_SET_NO_NEW_PRIVS, 1): execve never grants more from here on
 * (step 3 below; the OCI mode's lock_down when noNewPrivileges is set). */
void harden_no_new_privs(void);

/*
 * Harden the calling process, in this order, each step needing what the
 * next one takes away:
 *
 *   1. rlimits (--ulimit): raising a hard limit needs CAP_SYS_RESOURCE,
 *      which step 2 drops;
 *   2. capabilities: docker's default set, changed by --cap-add and
 *      --cap-drop, in the bounding, permitted and effective sets;
 *      inheritable and ambient empty;
 *   3. no_new_privs: execve never grants more (setuid bits, file
 *      capabilities), and step 4 is allowed without CAP_SYS_ADMIN;
 *   4. the seccomp filter, last: from here on every system call of this
 *      process is filtered, so nothing of the runtime's own setup (a
 *      setns, a mount) may follow it, only execve of the command.
 *
 * Call it after every setns, mount and pivot_root, right before execve
 * (or before forking a process that will exec). Dies (125) on failure;
 * nothing is half applied that the command could run with.
 */
void harden_process(const struct hardening *h);

#endif
