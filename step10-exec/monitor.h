/*
 * monitor.h — the container's record and its -d monitor (monitor.c).
 */
#ifndef STEPBOX_MONITOR_H
#define STEPBOX_MONITOR_H

#include <sys/types.h>

struct container;

/* The record, "created", once the child (PID) exists. */
void save_record(struct container *c, pid_t pid);
/* Until the child has exec'd the command, or died: its close-on-exec
 * pipe closes. */
void wait_for_exec(struct container *c);
/* The record says "running": exec and kill wait for that. */
void mark_running(struct container *c);
/* -d: fork the monitor, which stays as the container's parent; the caller
 * returns once it reports "started". */
void start_monitor(struct container *c);
/* -d: stdin /dev/null, stdout and stderr the log in the state directory. */
void redirect_to_log(const struct container *c);
/* The monitor tells the caller (run -d) that the command runs. */
void report_started(struct container *c);
/* A detached container's end: the record says "exited" with STATUS, and
 * the directory stays for logs and rm. */
void record_exit(struct container *c, int status);

#endif
