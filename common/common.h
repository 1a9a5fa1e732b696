/*
 * common.h — plumbing shared by every step: error reporting, the -v trace,
 * small-file I/O, strict number parsing, the parent/child sync pipe,
 * clone(2) with a stack of its own and the terminal relay.
 *
 * Nothing here is the subject of a lesson: every namespace flag, mount,
 * map or cgroup file a lesson teaches stays visible in the step's main.c.
 */
#ifndef STEPBOX_COMMON_H
#define STEPBOX_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* Exit codes of the runtime itself (the conventions of docker and runc). */
enum {
	EXIT_RUNTIME = 125,  /* the runtime failed before the command ran */
	EXIT_NOEXEC = 126,   /* the command was found but could not be run */
	EXIT_NOTFOUND = 127, /* the command was not found */
};

/* --- log.c: errors, hints and the -v trace ----------------------------- */

/* Name printed in front of every message ("step01-uts"). */
void log_init(const char *program);
/* "step01-uts/run": the program as --help names it. */
const char *log_run_path(void);
/* Who is speaking: "parent", "child", "init". Shown in the trace. */
void log_set_role(const char *role);
void log_set_verbose(bool on);
bool log_verbose(void);
/* Where messages go (stderr unless a unit test redirects them). */
void log_set_stream(FILE *stream);
/* What die() calls to leave (exit unless a unit test replaces it). */
/* Copy every message to FILE too, as JSON lines when JSON (step10's
 * OCI --log, --log-format). */
void log_set_file(FILE *file, bool json);
void log_set_exit(void (*exit_fn)(int status));
/* End lines with "\r\n": stderr is a terminal in raw mode (tty.c). */
void log_set_crlf(bool on);

/* "[parent] clone(CLONE_NEWUTS) = 4242", printed only under -v. */
void trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "step01-uts: MESSAGE", then exit 125. */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* "step01-uts: MESSAGE: <strerror(errno)>", then exit 125. */
void die_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* As die_errno, plus a second line "  hint: HINT" for a known trap. */
void die_errno_hint(const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));
/* "step01-uts: MESSAGE: <strerror(errno)>" without leaving. */
void warn_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "step01-uts: MESSAGE" without leaving. */
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Bad command line: one line naming the problem, a pointer to --help, 125. */
void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* --- file.c: small files such as /proc/PID/uid_map or cgroup knobs ---- */

/* Read at most size-1 bytes and NUL-terminate. Returns the length, or -1. */
ssize_t read_file(const char *path, char *buf, size_t size);
/* The whole file, however long (cgroup.procs can hold thousands of
 * lines), NUL-terminated, in memory the caller frees; its length in
 * *length when not NULL. NULL with errno on failure. */
char *read_file_alloc(const char *path, size_t *length);
/* Write all of text in one write(2), as kernel files want. 0 or -1. */
int write_file(const char *path, const char *text);

/* --- parse.c: strict parsing; each returns 0, or -1 with errno set ----- */

/* Decimal digits only: "" "12Q" "-1" " 1" and overflow are rejected. */
int parse_u64(const char *text, uint64_t *out);
/* parse_u64 plus a range check (ERANGE outside [min, max]). */
int parse_u64_range(const char *text, uint64_t min, uint64_t max, uint64_t *out);
/* parse_u64, or "0x" (or "0X") and hex digits: "0x100001" as tc writes
 * a class id. "0x" alone, "0x-1", "0x1g" and overflow are rejected. */
int parse_u64_hex(const char *text, uint64_t *out);
/* "4096", "64k", "64M", "1G", "2T" (powers of 1024) to bytes, at most
 * 2^63 - 1 (ERANGE above). */
int parse_size(const char *text, uint64_t *bytes);
/* A CPU amount "1", "0.5", "2.25" (at most 3 decimals) in thousandths. */
int parse_millicpus(const char *text, uint64_t *millicpus);
/* cgroup.procs: one pid per line, each line ending in '\n'. Returns how
 * many, the pids in *pids (freed by the caller); -1 with EINVAL when any
 * line is not a whole pid, so that no cut-off number is ever used. */
ssize_t parse_pid_list(const char *text, pid_t **pids);
/* A list of CPU or memory-node numbers as cpuset.cpus takes it: "0-3,5".
 * Each number below LIMIT (ERANGE), each range low-high (EINVAL when
 * reversed). Sets their bits in BITS (NWORDS words, LIMIT <= 64*NWORDS),
 * clearing the others; BITS is untouched on failure. */
int parse_id_list(const char *text, unsigned limit, uint64_t *bits, size_t nwords);
/* "PATH:RATE" (split at the last ':'): an absolute PATH (EINVAL), copied
 * to PATH (ENAMETOOLONG if it does not fit), and a RATE above 0 (ERANGE),
 * a size ("10M", see parse_size) when SIZE, else a plain count. */
int parse_path_rate(const char *text, bool size, char *path, size_t path_size, uint64_t *rate);

/* Whether PATH has a ".." component ("a/../b", "..", "/x/.."; not
 * "a..b"): a path given from outside that must stay below where it is
 * resolved. */
bool path_has_dotdot(const char *path);

/* A signal: "TERM", "SIGTERM", "term" or "15"; every name the C library
 * knows (sigabbrev_np, kill -l's list). The number, or -1 (EINVAL). */
int parse_signal(const char *text);

/* Device access, as in "rwm": read, write, mknod. */
enum { ACCESS_READ = 1, ACCESS_WRITE = 2, ACCESS_MKNOD = 4 };
/* "r", "rw", "rwm", ...: letters from r, w, m, each once, at least one. */
int parse_access(const char *text, unsigned *access);

/* --- sync.c: the parent tells the child when its setup is done -------- */

struct sync_pipe {
	int fd[2]; /* [0]: the child reads, [1]: the parent writes */
};

int sync_init(struct sync_pipe *sync);
/* Parent: let the child go on. 0 or -1. */
int sync_release(struct sync_pipe *sync);
/* Child: block until released. 0 when released, -1 on EOF or error. */
int sync_wait(struct sync_pipe *sync);
/* Send N open fds over the unix socket SOCK as SCM_RIGHTS, with the LEN
 * bytes of DATA (at least one: a message carries fds only beside data).
 * The receiver gets new fds of the same open files. 0, or -1 with errno. */
int send_fds(int sock, const int *fds, size_t n, const void *data, size_t len);

/* --- proc.c: processes ------------------------------------------------ */

/* clone(2) fn on a fresh stack with flags|SIGCHLD. Returns pid or -1. */
pid_t clone_child(int (*fn)(void *), void *arg, int flags);
/* The same through clone3(2) with CLONE_INTO_CGROUP: the child starts as a
 * member of the cgroup whose directory CGROUP_FD is (cgroup v2, 5.7+).
 * Returns pid, or -1 with errno (ENOSYS, E2BIG: too old a kernel). */
pid_t clone_into_cgroup(int (*fn)(void *), void *arg, int flags, int cgroup_fd);
/* "CLONE_NEWUTS|CLONE_NEWPID" for the trace. */
const char *clone_flags_name(int flags, char *buf, size_t size);
/* A wait status as a shell would report it: the code, or 128+signal. */
int exit_code_of(int wstatus);
/* Close every fd from FIRST up (close_range, or /proc/self/fd before 5.9). */
int close_fds_from(unsigned int first);
/* Leave (125) when the real and effective uid or gid differ: setuid. */
void refuse_setuid(void);
/* Close fds >= 3, then execve argv[0] as found in PATH (execvp without
 * its /bin/sh fallback); on failure report it and _exit with
 * 126 or 127. */
void exec_command(char *const argv[]) __attribute__((noreturn));

/* --- tty.c: the user's terminal, while the container has its own ------ */

struct winsize;

/* Raw mode on terminal FD: keys pass through as bytes. The old settings
 * come back at exit, on die() and on a fatal signal. 0 or -1. */
int tty_raw(int fd);
/* Put back what tty_raw saved (in the process that saved it only). */
void tty_restore(void);
/* Give terminal TO the window size of terminal FROM (into SIZE if not
 * NULL). 0, or -1 (ENOTTY: FROM is not a terminal). */
int tty_copy_winsize(int from, int to, struct winsize *size);
/* One read of FROM, all of it written to TO. Returns the bytes copied, 0
 * at end of file (EIO on a pty master: the slave side is closed), -1. */
ssize_t tty_relay(int from, int to);
/* Copy what FROM (a pty master whose slave is closed) still holds. */
void tty_drain(int from, int to);
/* Type the EOF key (^D) into the terminal of MASTER. 0 or -1. */
int tty_send_eof(int master);

#endif
