/*
 * process.h — the last stretch of a container's process, from its own
 * terminal to execve, as config.json's "process" (or exec's
 * process.json) describes it: limits, umask, the working directory,
 * user and groups, capabilities, seccomp, then the command (process.c).
 */
#ifndef STEPBOX_PROCESS_H
#define STEPBOX_PROCESS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "spec.h"

/* What a process says on its report fd when it cannot execute its
 * command: an errno, then the program's path. err 0: it failed earlier,
 * and said why on stderr. */
struct exec_error {
	int err;
	char path[PATH_MAX];
};

/* Tell the runtime on REPORT (start's socket, exec's pipe) that execve
 * of PATH failed with ERR, and end. */
void write_exec_error(int report, int err, const char *path) __attribute__((noreturn));
/* What write_exec_error wrote to FD, if anything: false at EOF (the other
 * side closed it: execve succeeded, or it died). */
bool read_exec_error(int fd, struct exec_error *e);

/* Before any filter: limits, umask, every fd close-on-exec, the working
 * directory resolved inside the root; the filter when noNewPrivileges is
 * false; then the user, and the working directory entered as that user. */
void prepare_process(const struct spec_process *p, void *seccomp);
/* argv[0] found as execvp would, in the process's own PATH (ENV): into
 * FULL; false when it is nowhere. */
bool find_program(const char *name, char *const env[], char *full, size_t size);
/* Last before execve: no_new_privs and the filter, when noNewPrivileges. */
void lock_down(const struct spec_process *p, void *seccomp);
/* execve, or the reason on REPORT (close-on-exec: EOF says it worked). */
void exec_process(const char *path, char **argv, char **env, int report) __attribute__((noreturn));

/* The runtime, before it makes the process: process.oomScoreAdj, which
 * the process inherits. FIELD names it in messages. */
void set_oom_score_adj(int value, const char *field);
/* --pid-file PATH (NULL: none) gets PID, written whole or not at all. */
void write_pid_file(const char *path, pid_t pid);

#endif
