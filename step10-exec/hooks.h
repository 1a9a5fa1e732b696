/*
 * hooks.h — config.json's hooks (hooks.c): programs the lifecycle runs,
 * each given the container's state as JSON on its stdin.
 */
#ifndef STEPBOX_HOOKS_H
#define STEPBOX_HOOKS_H

#include <stddef.h>
#include <sys/types.h>

#include "spec.h"

/* The state a hook reads (runtime.md, "State"). */
struct hook_state {
	const char *version, *id, *status, *bundle;
	pid_t pid;			 /* as the hook sees it; 0: none (stopped) */
	struct json_object *annotations; /* or NULL: {} */
};

/*
 * Run S's hooks of KIND in their order, each with ST on its stdin, our
 * stdout and stderr, no other fd of ours, SIGKILLed at its timeout. Those
 * that must succeed (prestart to startContainer): the first failure ends
 * the list, returns -1, WHY says which hook and how. poststart and
 * poststop: a failure is a warning, the others still run; returns 0.
 */
int hooks_run(const struct spec *s, enum spec_hook_kind kind, const struct hook_state *st,
	      char *why, size_t size);

#endif
