/*
 * options.c — the command line: each option is checked and becomes a
 * field of struct container before anything exists, so that bad input
 * is one line, a pointer to --help and exit 125, with nothing to undo.
 *
 * Brought by step01; each step adds its options here, and main.c calls
 * parse_args first thing. From step04 mounts.c names propagations in its
 * traces with propagation_name.
 *
 *   ./step01-uts/run --help; ./step01-uts/run --hostname ''   # 125, one line
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "container.h"
#include "options.h"

static char *default_command[] = { "/bin/sh", NULL };

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: %s [OPTIONS] [--] [COMMAND [ARG...]]\n"
		"Run COMMAND (default /bin/sh) in new namespaces: uts ipc pid mnt.\n"
		"\n"
		"  -n, --hostname NAME  hostname inside (default: stepbox)\n"
		"      --init           run a small init as PID 1 that reaps zombies\n"
		"                       and passes signals on to COMMAND\n"
		"  -t, --tty            give COMMAND a terminal of its own (the default\n"
		"                       when stdin and stdout are terminals)\n"
		"      --no-tty         no terminal: COMMAND gets our stdin/out/err\n"
		"  -v, --verbose        trace every kernel operation\n"
		"  -h, --help           show this help\n",
		log_run_path());
}

static const char *check_hostname(const char *name)
{
	/* sethostname(2) takes at most HOST_NAME_MAX (64) bytes; refuse
	 * here, before anything is created, rather than fail in the child. */
	if (name[0] == '\0')
		usage_error("--hostname: the name is empty");
	if (strlen(name) > 64)
		usage_error("--hostname: '%s' is longer than 64 bytes", name);
	return name;
}

void parse_args(int argc, char **argv, struct container *c)
{
	static const struct option options[] = {
		{ "hostname", required_argument, NULL, 'n' },
		{ "init", no_argument, NULL, 'i' },
		{ "tty", no_argument, NULL, 't' },
		{ "no-tty", no_argument, NULL, 'T' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	c->hostname = "stepbox";
	c->tty = -1;
	opterr = 0; /* we print our own one-line errors */
	/* "+": stop at the first non-option, so `run ls -l` passes -l on. */
	while ((opt = getopt_long(argc, argv, "+:n:tvh", options, NULL)) != -1) {
		switch (opt) {
		case 'n':
			c->hostname = check_hostname(optarg);
			break;
		case 'i':
			c->init = true;
			break;
		case 't':
		case 'T':
			c->tty = opt == 't';
			break;
		case 'v':
			log_set_verbose(true);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case ':':
			usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	c->argv = optind < argc ? argv + optind : default_command;
	/*
	 * As ssh does: a terminal of its own when a person is at ours, and
	 * we are its foreground job. A `run ... &` in the background would
	 * be stopped (SIGTTOU) by the raw mode it sets on a terminal it
	 * does not own; there it keeps the caller's stdin and stdout.
	 */
	if (c->tty < 0)
		c->tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) &&
			 tcgetpgrp(STDIN_FILENO) == getpgrp();
}
