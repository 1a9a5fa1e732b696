/*
 * options.h — the command line (options.c).
 */
#ifndef STEPBOX_OPTIONS_H
#define STEPBOX_OPTIONS_H

#include <stdbool.h>

struct container;
struct cgroup_limits;

/* Fill C from the command line ARGV. Bad input is one line, a pointer
 * to --help and exit 125, before anything exists. */
void parse_args(int argc, char **argv, struct container *c);
/* "MS_PRIVATE", "MS_SLAVE" or "MS_SHARED", for traces and errors. */
const char *propagation_name(unsigned long mode);
/* Whether any cgroup limit was asked for (a rootless run can set none). */
bool has_limits(const struct cgroup_limits *l);

#endif
