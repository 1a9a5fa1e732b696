/*
 * state.h — the container's ID, name and state directory (state.c).
 */
#ifndef STEPBOX_STATE_H
#define STEPBOX_STATE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define STATE_ID_LEN	  12
#define STATE_NAME_MAX	  64
#define STATE_MAX_CGROUPS 8
#define STATE_COMMAND_MAX 512
#define STATE_MAX_HARDEN  32

struct state {
	char id[STATE_ID_LEN + 1];     /* 12 hex digits */
	char name[STATE_NAME_MAX + 1]; /* --name, or "" */
	char dir[PATH_MAX];	       /* /run/stepbox/<id> (rootless: see state.c) */
	int lock_fd;		       /* flock(LOCK_EX) held for the container's life */
};

/* What /run/stepbox/<id>/state records (state_save, state_load). */
struct state_record {
	char id[STATE_ID_LEN + 1];
	char name[STATE_NAME_MAX + 1];
	char status[16];			   /* "running" or "exited" */
	pid_t pid;				   /* the container's first process, host pid */
	unsigned long long start_time;		   /* its start time (/proc/PID/stat field 22) */
	int exit_code;				   /* when exited */
	bool detached;				   /* -d: a monitor is its parent */
	bool userns;				   /* it has a user namespace of its own */
	time_t created, finished;		   /* seconds since the epoch */
	char command[STATE_COMMAND_MAX];	   /* argv joined with spaces, for list */
	char cgroups[STATE_MAX_CGROUPS][PATH_MAX]; /* its cgroup directories */
	int ncgroups;
	/* --cap-add NAME as "+NAME", --cap-drop as "-NAME", --ulimit as
	 * "=SPEC": exec hardens what joins as the first process was. */
	char harden[STATE_MAX_HARDEN][80];
	int nharden;
};

/* /run/stepbox as root; rootless, $XDG_RUNTIME_DIR/stepbox or
 * /tmp/stepbox-UID (state.c). */
const char *state_root_dir(void);
/* A valid --name: [A-Za-z0-9][A-Za-z0-9_.-]*, at most 64, and not 12 hex
 * digits (that is an ID). NULL, or why not. */
const char *state_check_name(const char *name);
/* Pick a new ID, make its directory, take its lock and, with NAME (not
 * NULL), the link /run/stepbox/NAME -> ID; 125 when NAME is taken. */
void state_create(struct state *st, const char *name);
/* Remove the directory and the name, then let go of the lock. */
void state_remove(struct state *st);
/* Let go of the lock, keep the directory: an exited detached container,
 * until `rm`. */
void state_keep(struct state *st);
/* Does a live runtime hold ID's lock? */
bool state_in_use(const char *id);
/* What else a stale state directory DIR (of container ID) holds, to be
 * removed before it (from step09: the overlay's directories). */
typedef void state_tidy_fn(const char *dir, const char *id, bool report);
/* Remove every state directory whose lock nobody holds (kept ones of
 * exited containers too when ALL), TIDY first if not NULL, and names
 * that lead nowhere; list them on stdout when REPORT. */
void state_remove_stale(bool report, bool all, state_tidy_fn *tidy);

/* Write the record, atomically: a temporary file renamed over "state". */
void state_save(const struct state *st, const struct state_record *r);
/* The same, without a trace line: for a change of status only. */
void state_update(const struct state *st, const struct state_record *r);
/* Find a container by name or ID and read its record. 0, or -1 with
 * errno ENOENT (no such container) or EINVAL (its record is damaged). */
int state_load(const char *ref, struct state_record *r);
/* Every container's ID (at most MAX); returns how many. */
int state_list_ids(char ids[][STATE_ID_LEN + 1], int max);
/* Remove an exited container's directory and name; -1 with EBUSY when it
 * is running. */
int state_delete(const struct state_record *r);
/* Block until whoever holds ID's lock lets go (its monitor has finished). */
void state_wait_unlocked(const char *id);

/* Field 22 of /proc/PID/stat: when PID started, in clock ticks since boot.
 * With the pid, it names one process for good (pids are reused, this
 * pair is not). 0 when PID does not exist. */
unsigned long long proc_start_time(pid_t pid);
/* Field 3: R, S, D, ... or Z for a zombie (exited, not yet reaped); 0
 * when PID does not exist. */
char proc_state(pid_t pid);
/* A pidfd of PID if it is still the process that started at START_TIME;
 * else -1 with errno (ESRCH: gone, or the pid is another process's now). */
int pidfd_open_started(pid_t pid, unsigned long long start_time);
/* Field FIELD (from 3, as proc(5) numbers them) of /proc/PID/stat, a
 * number; 0 when PID does not exist. */
unsigned long long proc_stat_field(pid_t pid, int field);

#endif
