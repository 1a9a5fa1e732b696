/*
 * rlimits.h — resource limits of the container's processes (rlimits.c),
 * as docker's --ulimit sets them.
 */
#ifndef STEPBOX_RLIMITS_H
#define STEPBOX_RLIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>

#define MAX_ULIMITS 16

/* One --ulimit NAME=SOFT[:HARD]. */
struct ulimit {
	int resource;		   /* RLIMIT_NOFILE, ... */
	const char *name;	   /* "nofile" */
	const char *resource_name; /* "RLIMIT_NOFILE" */
	struct rlimit want;	   /* RLIM_INFINITY for "unlimited" */
};

/*
 * Parse "nofile=1024:2048", "nproc=100" (one number: soft and hard
 * alike, as docker) or "core=unlimited" into U. Exits 125 with a
 * one-line message on a bad name, number, or a soft limit above the hard.
 */
void ulimit_parse(const char *spec, struct ulimit *u);

/* "RLIMIT_NOFILE", as config.json names a limit: U's resource and its
 * names (not its values). false when setrlimit(2) has no such limit. */
bool ulimit_lookup(const char *resource_name, struct ulimit *u);

/*
 * Before anything is made: can the container's side set each of them?
 * A hard limit above this process's own needs CAP_SYS_RESOURCE in the
 * host's user namespace, which a process in a user namespace (USERNS)
 * never has. Exits 125, saying so, when one cannot be set.
 */
void ulimits_check(const struct ulimit *u, size_t n, bool userns);

/* setrlimit(2) each, in order, in this process (and so in what it execs
 * and forks). Dies (125) on failure, with the likely cause. */
void ulimits_apply(const struct ulimit *u, size_t n);

#endif
