/*
 * state.h — the container's ID, name and state directory (state.c).
 */
#ifndef STEPBOX_STATE_H
#define STEPBOX_STATE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <json-c/json.h>
#include <time.h>

#define STATE_ID_LEN	  12
#define STATE_NAME_MAX	  64
#define STATE_MAX_CGROUPS 10
#define STATE_COMMAND_MAX 512
#define STATE_MAX_HARDEN  32
#define STATE_REF_MAX	  128	    /* an OCI container ID (runc has no limit) */
#define STATE_RECORD_MAX  (1 << 20) /* bytes: a bigger state.json is none of ours */
/* The runtime-spec version of the state document the record is shaped like. */
#define STATE_OCI_VERSION "1.0.2"

struct state {
	char id[STATE_ID_LEN + 1];     /* 12 hex digits */
	char name[STATE_NAME_MAX + 1]; /* --name, or "" */
	char dir[PATH_MAX];	       /* /run/stepbox/<id> (rootless: see state.c) */
	int lock_fd;		       /* flock(LOCK_EX) held for the container's life */
};

/* What /run/stepbox/<id>/state.json (and the OCI mode's ROOT/ID/state.json)
 * records: state_save, state_load, state_read. */
struct state_record {
	char id[STATE_REF_MAX + 1]; /* 12 hex digits; the OCI mode's: the client's */
	char name[STATE_NAME_MAX + 1];
	char status[16];			   /* "created", "running" or "exited" */
	pid_t pid;				   /* the container's first process, host pid */
	unsigned long long start_time;		   /* its start time (/proc/PID/stat field 22) */
	int exit_code;				   /* when exited */
	bool detached;				   /* -d: a monitor is its parent */
	bool userns;				   /* it has a user namespace of its own */
	time_t created, finished;		   /* seconds since the epoch */
	long created_nsec;			   /* and of created, the nanoseconds */
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

/* The record as a state document (the caller puts it). */
json_object *state_record_json(const struct state_record *r);
/* A state document into R, checked: its pid, its cgroups (below
 * /sys/fs/cgroup, no ".."), every string's length. 0, or -1 with WHY. */
int state_parse(json_object *doc, struct state_record *r, char *why, size_t size);
/* The state.json open at FD into R, if it is a regular file of ours that
 * no one else may write (the caller opens it with O_NOFOLLOW|O_NONBLOCK:
 * never through a link, never waiting on a fifo); with DOC, the document
 * too (the caller puts it). 0, or -1 with WHY. */
int state_read(int fd, struct state_record *r, json_object **doc, char *why, size_t size);
/* DOC to DIR's state.json.tmp (0600), renamed over state.json; WHERE is
 * DIR's path, for the message. Dies on failure. */
void state_write(int dir, const char *where, json_object *doc);

/* Write the record, atomically: state.json.tmp renamed over state.json. */
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
