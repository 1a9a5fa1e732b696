/*
 * harden.h — what a process of the container gives up before it runs the
 * command (harden.c): capabilities.
 *
 * For every process that enters the container: its first process (the
 * child of `run`), and one that joins it later (`exec`, after setns and
 * fork).
 */
#ifndef STEPBOX_HARDEN_H
#define STEPBOX_HARDEN_H

#include <stdbool.h>

#include "caps.h"

/* What the command line asked for: --cap-add, --cap-drop. */
struct hardening {
	struct caps_request caps;
};

/* --cap-add NAME (ADD) or --cap-drop NAME; 125 on a name that is none. */
void harden_parse_cap(struct hardening *h, const char *name, bool add);

/*
 * Harden the calling process: docker's default capabilities, changed by
 * --cap-add and --cap-drop, in the bounding, permitted and effective
 * sets; inheritable and ambient empty.
 *
 * Call it after every setns, mount and pivot_root, right before execve
 * (or before forking a process that will exec). Dies (125) on failure.
 */
void harden_process(const struct hardening *h);

#endif
