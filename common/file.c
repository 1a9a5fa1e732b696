/*
 * file.c — reading and writing the small files the kernel exposes
 * (/proc/PID/uid_map, /sys/fs/cgroup/.../memory.max).
 *
 * Kernel files want the whole value in a single write(2): uid_map, for
 * one, rejects a second write. So write_file never splits its text.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

ssize_t read_file(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	int fd;

	if (size == 0) {
		errno = EINVAL;
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (len < size - 1) {
		ssize_t n = read(fd, buf + len, size - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;

			close(fd);
			errno = err;
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	close(fd);
	return (ssize_t)len;
}

int write_file(const char *path, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	do
		n = write(fd, text, len);
	while (n < 0 && errno == EINTR);
	if (n >= 0 && (size_t)n != len) {
		n = -1;
		errno = EIO; /* a short write to a kernel file is a failure */
	}
	if (close(fd) < 0 && n >= 0)
		n = -1; /* some kernel files report their error at close */
	return n < 0 ? -1 : 0;
}

char *read_file_alloc(const char *path, size_t *length)
{
	size_t size = 4096, len = 0;
	char *buf = malloc(size);
	int fd = -1, err;

	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	for (;;) {
		ssize_t n;

		if (len == size - 1) {
			char *bigger = realloc(buf, size * 2);

			if (!bigger)
				goto fail;
			buf = bigger;
			size *= 2;
		}
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	if (length)
		*length = len;
	return buf;
fail:
	err = errno;
	if (fd >= 0)
		close(fd);
	free(buf);
	errno = err;
	return NULL;
}
