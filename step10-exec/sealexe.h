/*
 * sealexe.h — the runtime runs from a sealed copy of itself (sealexe.c),
 * so that no process of a container can reach the binary on the host
 * through /proc/PID/exe and overwrite it (CVE-2019-5736).
 */
#ifndef STEPBOX_SEALEXE_H
#define STEPBOX_SEALEXE_H

/*
 * First thing in main(): if /proc/self/exe is not yet a sealed memfd,
 * copy it into one, seal it and execute that, with the same ARGV and
 * environment (does not return). In the copy, return. Every process the
 * runtime forks, and every program it starts through /proc/self/exe,
 * then maps the copy, never the host's file. Dies (125) on failure.
 */
void run_from_sealed_copy(char **argv);

/* One -v line saying what the runtime runs from; call it once the
 * command line has said whether to trace. */
void trace_sealed_copy(void);

#endif
