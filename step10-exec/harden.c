/*
 * harden.c — what a container's process gives up before it runs the
 * command (harden.h). The mechanism is in caps.c.
 */
#define _GNU_SOURCE
#include "common.h"
#include "harden.h"

void harden_parse_cap(struct hardening *h, const char *name, bool add)
{
	caps_request_parse(&h->caps, name, add);
}

void harden_process(const struct hardening *h)
{
	caps_apply(caps_wanted(&h->caps, caps_held()));
}
