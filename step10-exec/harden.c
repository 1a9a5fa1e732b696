/*
 * harden.c — the order in which a container's process gives up its power
 * (harden.h says why each step comes where it does). Each mechanism is in
 * a file of its own: rlimits.c, caps.c, seccomp.c; no_new_privs, one
 * prctl, is here.
 *
 * Brought by step10. Called by main.c's child and exec.c's joiner, each
 * last before execve, and by process.c (no_new_privs, for an OCI
 * process); options.c parses --cap-add, --cap-drop and --ulimit with it.
 */
#define _GNU_SOURCE
#include <sys/prctl.h>

#include "common.h"
#include "harden.h"
#include "seccomp.h"

void harden_parse_cap(struct hardening *h, const char *name, bool add)
{
	caps_request_parse(&h->caps, name, add);
}

void harden_parse_ulimit(struct hardening *h, const char *spec)
{
	struct ulimit u;
	size_t i;

	ulimit_parse(spec, &u);
	for (i = 0; i < h->nulimits; i++)
		if (h->ulimits[i].resource == u.resource)
			break;
	if (i == MAX_ULIMITS)
		usage_error("--ulimit: at most %d of them", MAX_ULIMITS);
	h->ulimits[i] = u;
	if (i == h->nulimits)
		h->nulimits++;
}

void harden_check(const struct hardening *h, bool userns)
{
	ulimits_check(h->ulimits, h->nulimits, userns);
}

/*
 * no_new_privs (Linux 3.5): from now on execve cannot give this process,
 * or any child, more than it has. A setuid-root binary runs with the
 * caller's uid, a file's capabilities are not granted. It can never be
 * unset. seccomp needs it from a process without CAP_SYS_ADMIN: else a
 * filter could make a setuid program's call fail where its author
 * assumed it cannot (setuid(2) refused, say, so it keeps root), and turn
 * the program against its owner.
 */
void harden_no_new_privs(void)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die_errno("prctl(PR_SET_NO_NEW_PRIVS, 1)");
	trace("prctl(PR_SET_NO_NEW_PRIVS, 1) = 0");
}

void harden_process(const struct hardening *h)
{
	capset_t keep = caps_wanted(&h->caps, caps_held());

	ulimits_apply(h->ulimits, h->nulimits);
	caps_apply(keep);
	harden_no_new_privs();
	seccomp_deny(keep);
}
