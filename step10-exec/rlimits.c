/*
 * rlimits.c — resource limits: how much of each thing one process may use.
 *
 * An rlimit (getrlimit(2)) is a pair: a soft limit, which the kernel
 * enforces, and a hard limit, the ceiling up to which the process itself
 * may raise the soft one. Anyone may lower either; raising the hard
 * limit takes CAP_SYS_RESOURCE, checked in the host's user namespace.
 * They are kept across fork and execve, so set once before the command
 * starts they bind the whole container: `nofile` (open files per
 * process), `nproc` (processes of the same real uid, counted on the
 * whole machine: cgroup's pids.max of step07 is the per-container
 * count), `core` (core dump size), `memlock`, `stack`...
 *
 * Where a cgroup limits the container as a whole, an rlimit limits each
 * of its processes; docker's --ulimit sets these, and runc applies
 * process.rlimits of the OCI config.
 *
 * Brought by step10; called by harden.c; spec.c and process.c, for an OCI
 * config's process.rlimits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "common.h"
#include "rlimits.h"

/* Docker's names (go-units ulimit.go), each an RLIMIT_ of setrlimit(2):
 * LIMIT("nofile", NOFILE) is "nofile", RLIMIT_NOFILE, "RLIMIT_NOFILE". */
#define LIMIT(name, res) name, RLIMIT_##res, "RLIMIT_" #res

static const struct {
	const char *name;
	int resource;
	const char *resource_name;
} rlimit_names[] = {
	{ LIMIT("as", AS) },
	{ LIMIT("core", CORE) },
	{ LIMIT("cpu", CPU) },
	{ LIMIT("data", DATA) },
	{ LIMIT("fsize", FSIZE) },
	{ LIMIT("locks", LOCKS) },
	{ LIMIT("memlock", MEMLOCK) },
	{ LIMIT("msgqueue", MSGQUEUE) },
	{ LIMIT("nice", NICE) },
	{ LIMIT("nofile", NOFILE) },
	{ LIMIT("nproc", NPROC) },
	{ LIMIT("rss", RSS) },
	{ LIMIT("rtprio", RTPRIO) },
	{ LIMIT("rttime", RTTIME) },
	{ LIMIT("sigpending", SIGPENDING) },
	{ LIMIT("stack", STACK) },
};

#define NNAMES (sizeof(rlimit_names) / sizeof(rlimit_names[0]))

/* A number, or "unlimited". -1 when it is neither. */
static int parse_limit(const char *text, rlim_t *out)
{
	uint64_t value;

	if (strcmp(text, "unlimited") == 0) {
		*out = RLIM_INFINITY;
		return 0;
	}
	if (parse_u64(text, &value) < 0 || value >= (uint64_t)RLIM_INFINITY)
		return -1;
	*out = (rlim_t)value;
	return 0;
}

static void format_limit(rlim_t value, char *buf, size_t size)
{
	if (value == RLIM_INFINITY)
		snprintf(buf, size, "unlimited");
	else
		snprintf(buf, size, "%llu", (unsigned long long)value);
}

void ulimit_parse(const char *spec, struct ulimit *u)
{
	const char *eq = strchr(spec, '=');
	char values[64], *colon;
	size_t i;

	for (i = 0; eq && i < NNAMES; i++)
		if (strlen(rlimit_names[i].name) == (size_t)(eq - spec) &&
		    strncmp(spec, rlimit_names[i].name, (size_t)(eq - spec)) == 0)
			break;
	if (!eq || i == NNAMES)
		usage_error("--ulimit: '%s' is not NAME=SOFT[:HARD] with NAME one of as, core, "
			    "cpu, data, fsize, locks, memlock, msgqueue, nice, nofile, nproc, rss, "
			    "rtprio, rttime, sigpending, stack",
			    spec);
	/* Longer than any two numbers: refused, not cut to another value. */
	if (strlen(eq + 1) >= sizeof(values))
		usage_error("--ulimit %s: '%s' is too long for SOFT[:HARD]", rlimit_names[i].name,
			    eq + 1);
	u->name = rlimit_names[i].name;
	u->resource = rlimit_names[i].resource;
	u->resource_name = rlimit_names[i].resource_name;
	snprintf(values, sizeof(values), "%s", eq + 1);
	colon = strchr(values, ':');
	if (colon)
		*colon++ = '\0';
	if (parse_limit(values, &u->want.rlim_cur) < 0 ||
	    parse_limit(colon ? colon : values, &u->want.rlim_max) < 0)
		usage_error("--ulimit %s: '%s' is not SOFT[:HARD], each a number or unlimited",
			    u->name, eq + 1);
	/* RLIM_INFINITY is the largest value, so this compares it right. */
	if (u->want.rlim_cur > u->want.rlim_max)
		usage_error("--ulimit %s: the soft limit %s is above the hard limit %s", u->name,
			    values, colon);
}

bool ulimit_lookup(const char *resource_name, struct ulimit *u)
{
	for (size_t i = 0; i < NNAMES; i++)
		if (strcmp(resource_name, rlimit_names[i].resource_name) == 0) {
			u->name = rlimit_names[i].name;
			u->resource = rlimit_names[i].resource;
			u->resource_name = rlimit_names[i].resource_name;
			return true;
		}
	return false;
}

void ulimits_check(const struct ulimit *u, size_t n, bool userns)
{
	bool can_raise = !userns && (caps_effective() & CAPS_BIT(CAP_SYS_RESOURCE));

	for (size_t i = 0; i < n; i++) {
		char have[32], want[32];
		struct rlimit now;

		if (getrlimit(u[i].resource, &now) < 0)
			die_errno("getrlimit(%s)", u[i].name);
		if (u[i].want.rlim_max <= now.rlim_max || can_raise)
			continue;
		format_limit(now.rlim_max, have, sizeof(have));
		format_limit(u[i].want.rlim_max, want, sizeof(want));
		usage_error("--ulimit %s: the hard limit here is %s; raising it to %s needs "
			    "CAP_SYS_RESOURCE in the host's user namespace, which %s (a limit can "
			    "be lowered, and its soft limit raised up to the hard one)",
			    u[i].name, have, want,
			    userns ? "root in a user namespace never has (--userns off, as a root "
				     "that has it)"
				   : "this root lacks (see CapEff in /proc/self/status)");
	}
}

void ulimits_apply(const struct ulimit *u, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char soft[32], hard[32];

		format_limit(u[i].want.rlim_cur, soft, sizeof(soft));
		format_limit(u[i].want.rlim_max, hard, sizeof(hard));
		if (setrlimit(u[i].resource, &u[i].want) == 0) {
			trace("setrlimit(%s, soft %s, hard %s) = 0", u[i].resource_name, soft,
			      hard);
			continue;
		}
		if (errno == EPERM)
			die_errno_hint("raising a hard limit needs CAP_SYS_RESOURCE in the host's "
				       "user namespace: a limit can be lowered, not raised past "
				       "its hard limit",
				       "setrlimit(%s, soft %s, hard %s)", u[i].name, soft, hard);
		if (errno == EINVAL && u[i].resource == RLIMIT_NOFILE)
			die_errno_hint("nofile cannot exceed fs.nr_open (/proc/sys/fs/nr_open)",
				       "setrlimit(%s, soft %s, hard %s)", u[i].name, soft, hard);
		die_errno("setrlimit(%s, soft %s, hard %s)", u[i].name, soft, hard);
	}
}
