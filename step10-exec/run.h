/*
 * run.h — step10's subcommands (exec.c, commands.c), which main.c
 * dispatches to, and the lookups of a container they share with oci.c.
 */
#ifndef STEPBOX_RUN_H
#define STEPBOX_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "cgroup.h"
#include "state.h"

/* exec.c: a pidfd of the container R names, if it is still that process
 * (its start time) and its runtime still holds the lock; else -1, ESRCH. */
int open_container_pidfd(const struct state_record *r);
/* Read the record of NAME (a name or an ID); exits 125 when there is none. */
void find_container(const char *ref, struct state_record *r);
/* Find NAME and open it; exits 125 with the reason when it cannot. */
int find_running(const char *ref, struct state_record *r);
/* The cgroup of container ID; none (ndirs 0) for a rootless caller. */
void container_cgroup(struct cgroup *cg, const char *id);

/* commands.c: the pids in CG's cgroup.procs (malloc'd, in *PIDS); pause
 * or resume (ON: freeze) container NAME's cgroup, or leave with why not.
 * The OCI runtime's ps, pause and resume too (oci.c). */
ssize_t pids_in_cgroup(const struct cgroup *cg, pid_t **pids);
void pause_cgroup(const struct cgroup *cg, bool on, const char *name);

/* The subcommands: argv[0] is the subcommand's name; each returns the
 * exit code. */
int cmd_exec(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_logs(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_cleanup(int argc, char **argv);

#endif
