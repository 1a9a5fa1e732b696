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

#include "common.h"
#include "container.h"
#include "options.h"

static char *default_command[] = { "/bin/sh", NULL };

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: %s [OPTIONS] [--] [COMMAND [ARG...]]\n"
		"Run COMMAND (default /bin/sh) in new namespaces: uts ipc.\n"
		"\n"
		"  -n, --hostname NAME  hostname inside (default: stepbox)\n"
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
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	c->hostname = "stepbox";
	opterr = 0; /* we print our own one-line errors */
	/* "+": stop at the first non-option, so `run ls -l` passes -l on. */
	while ((opt = getopt_long(argc, argv, "+:n:vh", options, NULL)) != -1) {
		switch (opt) {
		case 'n':
			c->hostname = check_hostname(optarg);
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
}
