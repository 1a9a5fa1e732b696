/*
 * masks.h — the parts of /proc and /sys a container must not read or
 * write (masks.c): masked paths and read-only paths.
 */
#ifndef STEPBOX_MASKS_H
#define STEPBOX_MASKS_H

#include <stddef.h>

/*
 * In the tree whose root is ROOT (an fd; every path resolved inside it),
 * with /proc, /sys and /dev mounted: make docker's read-only paths
 * (/proc/sys, /proc/sysrq-trigger, ...) read-only binds of themselves,
 * and hide its masked paths (/proc/kcore, /sys/firmware, ...) under
 * /dev/null (a file) or an empty read-only tmpfs (a directory). A path
 * this kernel does not have is skipped. Once per mount namespace: a
 * process that joins the container later (setns) sees them as they are.
 * Dies (125) on failure.
 */
void masks_apply(int root);
/* The same with the lists given: an OCI config's maskedPaths and
 * readonlyPaths (oci.c). */
void masks_apply_paths(int root, const char *const masked[], size_t nmasked,
		       const char *const readonly[], size_t nreadonly);

#endif
