/*
 * join.h — one more process in a running container (exec.c): step10's
 * own `run exec` and the OCI runtime's `exec --process` fill the same
 * request, and the same joiner runs it.
 */
#ifndef STEPBOX_JOIN_H
#define STEPBOX_JOIN_H

#include <stdbool.h>
#include <sys/types.h>

#include "cgroup.h"
#include "harden.h"
#include "spec.h"

/* user, mnt, uts, ipc, net, cgroup, pid: the types a container may have. */
#define CONTAINER_NAMESPACES 7

/* Open each namespace of PID that is not ours (FDS[i], -1 where it is
 * ours or the kernel lacks the type), then check through PIDFD that PID
 * is still the container's process. Returns their CLONE_NEW* flags, pid
 * included; dies when the container has gone meanwhile. */
int open_container_namespaces(pid_t pid, int pidfd, int fds[CONTAINER_NAMESPACES]);

/*
 * What joins, and how. The container is its first process (PID, and
 * PIDFD open on it and checked) and CGROUP. The process is one of two:
 *
 *  - step 10's own (`run exec`): ARGV in our environment, in WORKDIR,
 *    as the container's root, hardened as its first process was
 *    (HARDEN); with TTY, on a pty of its own that we relay;
 *  - the runtime-spec's (`exec --process`): PROCESS says everything
 *    (args, env, cwd, user, capabilities, limits), SECCOMP is the
 *    container's filter; with CONSOLE >= 0 its pty's master goes to the
 *    client over that socket. DETACH: we return once it has exec'd, and
 *    PID_FILE gets its pid.
 *
 * HOST_FDS: what the caller holds of the host (a state directory), -1
 * if none; closed in the process before it resolves any path.
 */
struct exec_request {
	pid_t pid;
	int pidfd;
	const struct cgroup *cgroup;
	/* step 10's own */
	char **argv;
	const char *workdir;
	const struct hardening *harden;
	bool tty;
	/* the OCI runtime's */
	const struct spec_process *process;
	void *seccomp;
	int console;
	bool detach;
	const char *pid_file;
	int host_fds[2];
};

/* Join the container and run the process: its exit code, or 0 at once
 * when detached. Dies, saying why, when it could not start it. */
int exec_in_container(const struct exec_request *r);

#endif
