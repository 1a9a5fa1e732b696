/*
 * devices.h — which device nodes the container may open or create
 * (devices.c): a docker-like default list, written as v1's devices.allow
 * lines or compiled into v2's eBPF device program.
 */
#ifndef STEPBOX_DEVICES_H
#define STEPBOX_DEVICES_H

#include <stddef.h>

#define DEVICE_ANY (-1) /* any major, or any minor */

/* One allowed device: "c 1:3 rwm" is { 'c', 1, 3, ACCESS_READ|...}. */
struct device_rule {
	char type;	 /* 'c' (character), 'b' (block) or 'a' (either) */
	int major;	 /* or DEVICE_ANY */
	int minor;	 /* or DEVICE_ANY */
	unsigned access; /* ACCESS_READ | ACCESS_WRITE | ACCESS_MKNOD (common.h) */
};

/* The list every container gets: mknod of anything, and open of null,
 * zero, full, random, urandom, tty, console, ptmx and the pts ttys. */
extern const struct device_rule devices_default[];
extern const size_t devices_ndefault;

/* RULE as a line of v1's devices.allow: "c 1:3 rwm", "b *:* m". */
void device_rule_text(const struct device_rule *rule, char *text, size_t size);

/*
 * v2: compile RULES into an eBPF program that allows them and nothing
 * else, load it with bpf(2) and attach it to the cgroup whose directory
 * is CGROUP_FD. Returns 0, or -1 with errno; *CALL names the bpf command
 * that failed, and LOG holds the verifier's explanation, if any.
 */
int devices_attach_bpf(int cgroup_fd, const struct device_rule *rules, size_t nrules,
		       const char **call, char *log, size_t log_size);

#endif
