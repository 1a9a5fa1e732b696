/*
 * caps.h — capabilities (caps.c): root's power split into some forty
 * pieces, and the container keeps only the few that docker gives it.
 */
#ifndef STEPBOX_CAPS_H
#define STEPBOX_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A set of capabilities: bit N is capability N (CAP_CHOWN is 0). */
typedef uint64_t capset_t;

#define CAPS_BIT(cap) ((capset_t)1 << (cap))

/*
 * What --cap-add and --cap-drop asked for. The container's set is
 * docker's default set less DROP, plus ADD; "ALL" in --cap-add means
 * every capability the runtime holds, less DROP; "ALL" in --cap-drop
 * means ADD alone (caps_wanted). As in docker, an add beats a drop.
 */
struct caps_request {
	capset_t add, drop;
	bool add_all, drop_all;
};

/* Docker's default set, the one a container gets unless told otherwise. */
capset_t caps_default(void);
/* "chown", "CAP_CHOWN", "Cap_Chown": the capability's number, -1 when
 * no capability has that name. */
int caps_from_name(const char *name);
/* "CAP_CHOWN" for 0; "CAP_41" for a number this table does not know. */
const char *caps_name(int cap, char *buf, size_t size);
/* "CAP_CHOWN,CAP_KILL" (or "none") into BUF, for messages and -v. */
const char *caps_list(capset_t set, char *buf, size_t size);
/* --cap-add NAME (ADD true) or --cap-drop NAME into R; exits 125 with a
 * one-line message when NAME is no capability. */
void caps_request_parse(struct caps_request *r, const char *name, bool add);
/* The set R asks for, given HELD, every capability the process has. */
capset_t caps_wanted(const struct caps_request *r, capset_t held);
/* What this process can keep: its bounding set and permitted set both. */
capset_t caps_held(void);
/* Its effective set: what the kernel checks now. */
capset_t caps_effective(void);

/* A process's five sets (capabilities(7)), as config.json's
 * process.capabilities lists them. */
struct capsets {
	capset_t bounding, permitted, effective, inheritable, ambient;
};

/* Drop from the bounding set (what execve may ever give back) every
 * capability not in KEEP. First: PR_CAPBSET_DROP needs CAP_SETPCAP
 * effective, which a user change or caps_set may take away. */
void caps_drop_bounding(capset_t keep);
/* Ambient emptied; permitted, effective and inheritable set to C's
 * (capset); then C's ambient ones raised (one the kernel will not raise
 * is a warning, naming WHAT, as in runc). Dies (125) on failure. */
void caps_set(const struct capsets *c, const char *what);

/*
 * Reduce this process to KEEP: the bounding set (what execve may ever
 * give back), then ambient emptied, then permitted and effective set to
 * KEEP and inheritable emptied (capset). Dies (125) on failure, naming a
 * capability in KEEP the process does not hold.
 */
void caps_apply(capset_t keep);

#endif
