/*
 * sealexe.c — the runtime runs from a sealed copy of itself, never from
 * its file on the host (CVE-2019-5736).
 *
 * /proc/PID/exe is a link to the file a process runs, and it works across
 * namespaces: a process of the container that can see one of ours (the
 * one `exec` sends in, or the runtime itself run again inside, when the
 * command is a script whose first line is `#!/proc/self/exe`) opens that
 * link and holds the runtime's file on the host. While a runtime process
 * runs it, opening it for writing fails (ETXTBSY); once the last one has
 * exited (`exec` returns, or the file was replaced by an upgrade and only
 * the new one runs), the container's root reopens its handle through
 * /proc/self/fd/N for writing and the next `run` on the host is its
 * program. No mount of the container is involved, so pivot_root, the
 * masks and a read-only rootfs do not help; a user namespace does (the
 * file's owner is not mapped: EACCES), but `--userns off` and OCI
 * configs without one have none.
 *
 * So before anything else the runtime copies /proc/self/exe into a memfd
 * (memory, no path), seals it against any change (F_SEAL_WRITE, SHRINK,
 * GROW, and F_SEAL_SEAL so the seals stay) and executes the copy, with
 * the same argv and environment: /proc/PID/exe of every process it forks
 * from then on is the copy, and a write to it fails with EPERM whoever
 * opens it. The copy itself checks F_GET_SEALS on /proc/self/exe (only a
 * memfd answers it) and goes on; a copy that was not ours or lacks a seal
 * is copied again.
 *
 * runc 1.1 does this in libcontainer/nsenter/cloned_binary.c:
 * ensure_cloned_binary(), called by nsexec() as `runc init` starts, and
 * is_self_cloned() (F_GET_SEALS == all four seals), clone_binary() (a
 * read-only bind mount of /proc/self/exe first, try_bindfd(), else a
 * sendfile copy into a memfd sealed by seal_execfd()); runc 1.2 moved it
 * to Go, libcontainer/exeseal/cloned_binary_linux.go: CloneSelfExe() (a
 * read-only overlayfs first, else CloneBinary() into a memfd sealed by
 * sealMemfd()) and IsSelfExeCloned(), for the `runc init` it starts.
 * crun has runc's file, src/libcrun/cloned_binary.c, and calls its
 * ensure_cloned_binary() from a constructor (libcrun_rexec) for every
 * command. stepbox takes crun's place in that: every command, first.
 * The price is a copy of the binary (about 1.8 MB) and one more execve
 * at every start (the lesson measures it).
 *
 * Brought by step10. Called by main.c first thing, for every command;
 * exec.c and oci.c trace which copy they run from.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "sealexe.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3: executable, whatever vm.memfd_noexec */
#endif

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)
/* The memfd's name, shown in /proc/PID/exe as "/memfd:stepbox:COMM
 * (deleted)": COMM is the command name (PR_GET_NAME) that execve of the
 * copy would otherwise lose, given back in the copy. */
#define MEMFD_PREFIX "stepbox:"

extern char **environ;

/* What /proc/self/exe says in the copy, for the -v trace. */
static char running_from[64];

/* Does FD hold all of SEALS? Only a memfd (shmem) answers F_GET_SEALS. */
static bool has_seals(int fd)
{
	int seals = fcntl(fd, F_GET_SEALS);

	return seals >= 0 && (seals & SEALS) == SEALS;
}

/* A new memfd named after our command name, executable even where
 * vm.memfd_noexec makes memfds noexec by default. */
static int create_memfd(void)
{
	char comm[16] = "", name[sizeof(MEMFD_PREFIX) + sizeof(comm)];
	unsigned int flags = MFD_CLOEXEC | MFD_ALLOW_SEALING;
	int fd;

	if (prctl(PR_GET_NAME, comm) < 0)
		die_errno("prctl(PR_GET_NAME)");
	snprintf(name, sizeof(name), MEMFD_PREFIX "%s", comm);
	fd = memfd_create(name, flags | MFD_EXEC);
	if (fd < 0 && errno == EINVAL) /* before Linux 6.3: no MFD_EXEC */
		fd = memfd_create(name, flags);
	if (fd < 0)
		die_errno_hint(errno == EACCES ? "vm.memfd_noexec is 2: no executable memfd "
						 "may be made (sysctl vm.memfd_noexec=0 or 1)"
					       : NULL,
			       "memfd_create(\"%s\", MFD_CLOEXEC|MFD_ALLOW_SEALING|MFD_EXEC) "
			       "(a sealed copy of the runtime, CVE-2019-5736)",
			       name);
	return fd;
}

/* The whole of EXE (SIZE bytes) into the memfd COPY. */
static void copy_exe(int exe, off_t size, int copy)
{
	off_t done = 0;

	while (done < size) {
		ssize_t n = sendfile(copy, exe, NULL, (size_t)(size - done));

		if (n < 0)
			die_errno("sendfile(/proc/self/exe into its memfd copy)");
		if (n == 0)
			die("/proc/self/exe: ended after %lld of %lld bytes while copied (replaced "
			    "meanwhile?)",
			    (long long)done, (long long)size);
		done += n;
	}
}

/*
 * In the copy: execve of a memfd names the process after it
 * ("memfd:stepbox:r"); take back the name it had ("run"), which ps,
 * pgrep -x and /proc/PID/comm show, from the memfd's name.
 */
static void restore_comm(void)
{
	static const char prefix[] = "/memfd:" MEMFD_PREFIX, deleted[] = " (deleted)";
	ssize_t n = readlink("/proc/self/exe", running_from, sizeof(running_from) - 1);
	size_t len;
	char comm[16];

	if (n < 0)
		die_errno("readlink /proc/self/exe");
	running_from[n] = '\0';
	if (strncmp(running_from, prefix, sizeof(prefix) - 1) != 0)
		return; /* a sealed copy made by someone else: its name stays */
	len = (size_t)n - (sizeof(prefix) - 1);
	if (len >= sizeof(deleted) - 1 &&
	    strcmp(running_from + n - (sizeof(deleted) - 1), deleted) == 0)
		len -= sizeof(deleted) - 1;
	snprintf(comm, sizeof(comm), "%.*s", (int)len, running_from + sizeof(prefix) - 1);
	if (prctl(PR_SET_NAME, comm) < 0)
		die_errno("prctl(PR_SET_NAME, \"%s\")", comm);
}

void trace_sealed_copy(void)
{
	trace("/proc/self/exe is %s: a sealed copy, not the file on disk (CVE-2019-5736)",
	      running_from);
}

void run_from_sealed_copy(char **argv)
{
	struct stat st;
	int exe, copy;

	exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (exe < 0)
		die_errno_hint(errno == ENOENT ? "is /proc mounted?" : NULL,
			       "open /proc/self/exe (to run from a sealed copy, CVE-2019-5736)");
	if (has_seals(exe)) {
		close(exe);
		restore_comm();
		return;
	}
	if (fstat(exe, &st) < 0)
		die_errno("fstat /proc/self/exe");
	copy = create_memfd();
	copy_exe(exe, st.st_size, copy);
	close(exe);
	if (fcntl(copy, F_ADD_SEALS, SEALS) < 0)
		die_errno("fcntl(memfd, F_ADD_SEALS, F_SEAL_SEAL|F_SEAL_SHRINK|F_SEAL_GROW|"
			  "F_SEAL_WRITE)");
	fexecve(copy, argv, environ);
	die_errno("fexecve(the sealed memfd copy of /proc/self/exe)");
}
