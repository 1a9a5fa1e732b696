/*
 * log.c — error messages, hints and the -v trace.
 *
 * Every failure names what was tried (the caller's message, which carries
 * the path), the errno text and, for the classic traps, a hint. Every
 * message is one line so that the tests and the reader can grep it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"

static const char *program = "stepbox";
static const char *role = "parent";
static bool verbose;
static FILE *stream;
static void (*leave)(int) = exit;
static const char *eol = "\n";
/* --log FILE of an OCI runtime (step10): messages go there too, as text
 * or as runc's JSON lines, which containerd reads back on failure. */
static FILE *log_file;
static bool log_json;
/* STEPBOX_TRACE_TIME=1: each trace line starts with the milliseconds since
 * log_init, on CLOCK_MONOTONIC, which the child inherits with our memory:
 * parent and child lines share one clock, so `make bench` can tell what
 * each phase of a run costs. */
static bool timed;
static struct timespec start;

const char *log_run_path(void)
{
	static char path[80];

	snprintf(path, sizeof(path), "%s/run", program);
	return path;
}

void log_init(const char *name)
{
	const char *t = getenv("STEPBOX_TRACE_TIME");

	program = name;
	timed = t && *t && strcmp(t, "0") != 0;
	if (timed && clock_gettime(CLOCK_MONOTONIC, &start) != 0)
		timed = false;
}

/* "  1.234 " when the trace is timed, else "". */
static void stamp(char *buf, size_t size)
{
	struct timespec now;

	buf[0] = '\0';
	if (!timed || clock_gettime(CLOCK_MONOTONIC, &now) != 0)
		return;
	snprintf(buf, size, "%8.3f ",
		 (double)(now.tv_sec - start.tv_sec) * 1e3 +
		     (double)(now.tv_nsec - start.tv_nsec) / 1e6);
}

void log_set_role(const char *name)
{
	role = name;
}

void log_set_verbose(bool on)
{
	verbose = on;
}

bool log_verbose(void)
{
	return verbose;
}

void log_set_stream(FILE *out)
{
	stream = out;
}

void log_set_exit(void (*exit_fn)(int status))
{
	leave = exit_fn ? exit_fn : exit;
}

void log_set_crlf(bool on)
{
	eol = on ? "\r\n" : "\n";
}

void log_set_file(FILE *file, bool json)
{
	log_file = file;
	log_json = json;
}

/* {"level":"error","msg":"...","time":"2026-12-05T03:21:22Z"} */
static void log_to_file(const char *level, const char *line, int err)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;

	if (!log_file)
		return;
	if (!log_json) {
		fprintf(log_file, "%s%s%s\n", line, err ? ": " : "", err ? strerror(err) : "");
		fflush(log_file);
		return;
	}
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(log_file, "{\"level\":\"%s\",\"msg\":\"", level);
	for (const char *p = line; *p; p++)
		fprintf(log_file, *p == '"' || *p == '\\' ? "\\%c" : "%c", *p);
	if (err)
		fprintf(log_file, ": %s", strerror(err));
	fprintf(log_file, "\",\"time\":\"%s\"}\n", when);
	fflush(log_file);
}

static FILE *out(void)
{
	return stream ? stream : stderr;
}

/* LINE with its control characters written as \n, \t or \xNN, in place:
 * a value from the command line or a file ("a\nb" as a name) must not
 * make one message two lines, nor send the terminal escapes. */
static void printable(char *line, size_t size)
{
	char copy[1024];
	size_t j = 0;

	snprintf(copy, sizeof(copy), "%s", line);
	for (const unsigned char *p = (const unsigned char *)copy; *p && j + 5 < size; p++) {
		if (*p == '\n' || *p == '\t')
			j += (size_t)snprintf(line + j, size - j, "\\%c", *p == '\n' ? 'n' : 't');
		else if (*p < 0x20 || *p == 0x7f)
			j += (size_t)snprintf(line + j, size - j, "\\x%02x", *p);
		else
			line[j++] = (char)*p;
	}
	line[j] = '\0';
}

/* One message: "PROGRAM: TEXT[: ERRNO TEXT]\n", built first and written
 * with one call so that parent and child lines never interleave. */
static void emit(int err, const char *fmt, va_list ap)
{
	char line[1024];
	int n = snprintf(line, sizeof(line), "%s: ", program);

	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	printable(line, sizeof(line));
	log_to_file("error", line, err);
	if (err)
		fprintf(out(), "%s: %s%s", line, strerror(err), eol);
	else
		fprintf(out(), "%s%s", line, eol);
	fflush(out());
}

void trace(const char *fmt, ...)
{
	char line[1024];
	char when[32];
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	printable(line, sizeof(line));
	stamp(when, sizeof(when));
	if (log_file) {
		char tagged[1100];

		/* --log with --debug: the trace goes to the log, the client's
		 * stdout and stderr are the container's. */
		snprintf(tagged, sizeof(tagged), "[%s] %s", role, line);
		log_to_file("debug", tagged, 0);
		return;
	}
	fprintf(out(), "%s[%s] %s%s", when, role, line, eol);
	fflush(out());
}

void warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(0, fmt, ap);
	va_end(ap);
}

void warn_errno(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	emit(err, fmt, ap);
	va_end(ap);
	errno = err;
}

/* The message, with ERR's text if ERR, and a hint line if HINT. */
static void report(int err, const char *hint, const char *fmt, va_list ap)
{
	emit(err, fmt, ap);
	if (hint) {
		fprintf(out(), "  hint: %s%s", hint, eol);
		fflush(out());
	}
}

/* Leave with the runtime's own failure code. */
static void __attribute__((noreturn)) leave_runtime(void)
{
	leave(EXIT_RUNTIME);
	abort(); /* only reached if a test's exit function returns */
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(0, NULL, fmt, ap);
	va_end(ap);
	leave_runtime();
}

void die_errno(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	report(err, NULL, fmt, ap);
	va_end(ap);
	leave_runtime();
}

void die_errno_hint(const char *hint, const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	report(err, hint, fmt, ap);
	va_end(ap);
	leave_runtime();
}

void usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(0, fmt, ap);
	va_end(ap);
	fprintf(out(), "Try '%s/run --help' for more information.%s", program, eol);
	fflush(out());
	leave_runtime();
}
