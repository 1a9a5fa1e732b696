/*
 * options.h — the command line (options.c).
 */
#ifndef STEPBOX_OPTIONS_H
#define STEPBOX_OPTIONS_H

struct container;

/* Fill C from the command line ARGV. Bad input is one line, a pointer
 * to --help and exit 125, before anything exists. */
void parse_args(int argc, char **argv, struct container *c);

#endif
