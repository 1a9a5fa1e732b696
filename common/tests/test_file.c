/*
 * test_file.c — read_file and write_file on real files in a temporary
 * directory: whole reads, truncation, the empty file, and the errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "common.h"

static char dir[64];
static char path[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/stepbox-unit.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/file", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return rmdir(dir);
}

static void put(const char *content)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static void test_read_whole(void **state)
{
	char buf[64];

	(void)state;
	put("0 100000 65536\n");
	assert_int_equal(read_file(path, buf, sizeof(buf)), 15);
	assert_string_equal(buf, "0 100000 65536\n");
}

static void test_read_truncates_and_terminates(void **state)
{
	char buf[5];

	(void)state;
	put("abcdefgh");
	assert_int_equal(read_file(path, buf, sizeof(buf)), 4);
	assert_string_equal(buf, "abcd");
}

static void test_read_empty(void **state)
{
	char buf[8] = "junk";

	(void)state;
	put("");
	assert_int_equal(read_file(path, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

static void test_read_errors(void **state)
{
	char buf[8];

	(void)state;
	errno = 0;
	assert_int_equal(read_file("/nonexistent/stepbox", buf, sizeof(buf)), -1);
	assert_int_equal(errno, ENOENT);
	put("x");
	errno = 0;
	assert_int_equal(read_file(path, buf, 0), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(read_file(dir, buf, sizeof(buf)), -1);
	assert_int_equal(errno, EISDIR);
}

static void test_read_proc(void **state)
{
	char buf[64];

	(void)state;
	/* a kernel file whose size stat(2) reports as 0 */
	assert_true(read_file("/proc/self/stat", buf, sizeof(buf)) > 0);
	assert_int_equal(atoi(buf), getpid());
}

static void test_write_replaces_content(void **state)
{
	char buf[64];

	(void)state;
	put("old content that is longer");
	/* O_WRONLY without O_TRUNC, as kernel files want: the start is
	 * overwritten, which is what a one-value kernel file means */
	assert_int_equal(write_file(path, "new"), 0);
	assert_int_equal(read_file(path, buf, sizeof(buf)), 26);
	assert_memory_equal(buf, "new", 3);
}

static void test_write_errors(void **state)
{
	(void)state;
	errno = 0;
	assert_int_equal(write_file("/nonexistent/stepbox", "1"), -1);
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_int_equal(write_file(dir, "1"), -1);
	assert_int_equal(errno, EISDIR);
	/* a file does not appear by being written to */
	errno = 0;
	assert_int_equal(write_file(path, "1"), -1);
	assert_int_equal(errno, ENOENT);
}

static void test_write_kernel_rejection(void **state)
{
	(void)state;
	/* the kernel refuses this value in write(2): the error must show */
	errno = 0;
	assert_int_equal(write_file("/proc/self/oom_score_adj", "not-a-number"), -1);
	assert_int_equal(errno, EINVAL);
}

static void test_read_alloc_whole(void **state)
{
	char *big = malloc(20000), *got;
	size_t len = 0;

	(void)state;
	assert_non_null(big);
	memset(big, 'x', 19999);
	big[19999] = '\0';
	put(big);
	got = read_file_alloc(path, &len);
	assert_non_null(got);
	assert_int_equal(len, 19999);
	assert_string_equal(got, big);
	free(got);
	put("");
	got = read_file_alloc(path, NULL);
	assert_non_null(got);
	assert_string_equal(got, "");
	free(got);
	free(big);
}

static void test_read_alloc_errors(void **state)
{
	(void)state;
	errno = 0;
	assert_null(read_file_alloc("/nonexistent/stepbox", NULL));
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_null(read_file_alloc(dir, NULL));
	assert_int_equal(errno, EISDIR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_truncates_and_terminates, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_read_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_proc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_replaces_content, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_kernel_rejection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_alloc_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_alloc_errors, setup, teardown),
	};

	return cmocka_run_group_tests_name("file", tests, NULL, NULL);
}
