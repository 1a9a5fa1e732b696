/*
 * test_parse.c — parse_u64, parse_u64_range, parse_u64_hex, parse_size,
 * parse_millicpus, parse_id_list, parse_path_rate, parse_access and
 * parse_pid_list: what they accept, and every way they refuse (with the
 * errno each refusal sets).
 */
#include <errno.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common.h"

static void rejects_u64(const char *text, int err)
{
	uint64_t out = 42;

	errno = 0;
	assert_int_equal(parse_u64(text, &out), -1);
	assert_int_equal(errno, err);
	assert_int_equal(out, 42); /* untouched on failure */
}

static void test_u64_accepts(void **state)
{
	uint64_t out;

	(void)state;
	assert_int_equal(parse_u64("0", &out), 0);
	assert_int_equal(out, 0);
	assert_int_equal(parse_u64("42", &out), 0);
	assert_int_equal(out, 42);
	assert_int_equal(parse_u64("007", &out), 0);
	assert_int_equal(out, 7);
	assert_int_equal(parse_u64("18446744073709551615", &out), 0);
	assert_true(out == UINT64_MAX);
}

static void test_u64_rejects(void **state)
{
	(void)state;
	rejects_u64(NULL, EINVAL);
	rejects_u64("", EINVAL);
	rejects_u64("12Q", EINVAL);
	rejects_u64("-1", EINVAL);
	rejects_u64("+1", EINVAL);
	rejects_u64(" 1", EINVAL);
	rejects_u64("1 ", EINVAL);
	rejects_u64("0x10", EINVAL);
	rejects_u64("1.5", EINVAL);
	rejects_u64("18446744073709551616", ERANGE);
	rejects_u64("99999999999999999999999", ERANGE);
}

static void test_u64_range(void **state)
{
	uint64_t out = 0;

	(void)state;
	assert_int_equal(parse_u64_range("1", 1, 10, &out), 0);
	assert_int_equal(out, 1);
	assert_int_equal(parse_u64_range("10", 1, 10, &out), 0);
	assert_int_equal(out, 10);
	errno = 0;
	assert_int_equal(parse_u64_range("0", 1, 10, &out), -1);
	assert_int_equal(errno, ERANGE);
	errno = 0;
	assert_int_equal(parse_u64_range("11", 1, 10, &out), -1);
	assert_int_equal(errno, ERANGE);
	errno = 0;
	assert_int_equal(parse_u64_range("x", 1, 10, &out), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(out, 10);
}

static void test_u64_hex(void **state)
{
	static const char *const bad[] = { "",	   "0x",   "0x-1", "0x1g", "x10",
					   "0x 1", " 0x1", "-0x1", "0x1 ", "1x1" };
	uint64_t out = 0;

	(void)state;
	assert_int_equal(parse_u64_hex("0x100001", &out), 0);
	assert_int_equal(out, 0x100001);
	assert_int_equal(parse_u64_hex("0XaBcD", &out), 0);
	assert_int_equal(out, 0xabcd);
	assert_int_equal(parse_u64_hex("1048577", &out), 0);
	assert_int_equal(out, 1048577);
	assert_int_equal(parse_u64_hex("0xffffffffffffffff", &out), 0);
	assert_int_equal(out, UINT64_MAX);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		out = 42;
		assert_int_equal(parse_u64_hex(bad[i], &out), -1);
		assert_int_equal(errno, EINVAL);
		assert_int_equal(out, 42);
	}
	errno = 0;
	assert_int_equal(parse_u64_hex("0x10000000000000000", &out), -1);
	assert_int_equal(errno, ERANGE);
}

static void test_size_accepts(void **state)
{
	uint64_t b;

	(void)state;
	assert_int_equal(parse_size("4096", &b), 0);
	assert_true(b == 4096);
	assert_int_equal(parse_size("64k", &b), 0);
	assert_true(b == 64ull * 1024);
	assert_int_equal(parse_size("64K", &b), 0);
	assert_true(b == 64ull * 1024);
	assert_int_equal(parse_size("64M", &b), 0);
	assert_true(b == 64ull << 20);
	assert_int_equal(parse_size("64m", &b), 0);
	assert_true(b == 64ull << 20);
	assert_int_equal(parse_size("1G", &b), 0);
	assert_true(b == 1ull << 30);
	assert_int_equal(parse_size("2T", &b), 0);
	assert_true(b == 2ull << 40);
	assert_int_equal(parse_size("0", &b), 0);
	assert_true(b == 0);
	assert_int_equal(parse_size("8388607T", &b), 0);	    /* largest in T below 2^63 */
	assert_int_equal(parse_size("9223372036854775807", &b), 0); /* 2^63 - 1 */
	assert_true(b == (uint64_t)INT64_MAX);
}

static void rejects_size(const char *text, int err)
{
	uint64_t b = 42;

	errno = 0;
	assert_int_equal(parse_size(text, &b), -1);
	assert_int_equal(errno, err);
	assert_true(b == 42);
}

static void test_size_rejects(void **state)
{
	(void)state;
	rejects_size(NULL, EINVAL);
	rejects_size("", EINVAL);
	rejects_size("M", EINVAL);
	rejects_size("12Q", EINVAL);
	rejects_size("12MB", EINVAL);
	rejects_size("-1M", EINVAL);
	rejects_size("1.5M", EINVAL);
	rejects_size(" 1M", EINVAL);
	rejects_size("1 M", EINVAL);
	rejects_size("17179869184G", ERANGE);
	rejects_size("16777216T", ERANGE);
	/* 2^63 and up: the kernel would read it as "no limit" */
	rejects_size("9223372036854775808", ERANGE);
	rejects_size("8388608T", ERANGE);
	rejects_size("8589934592G", ERANGE);
	rejects_size("18446744073709551616", ERANGE);
}

static void test_millicpus_accepts(void **state)
{
	uint64_t m;

	(void)state;
	assert_int_equal(parse_millicpus("1", &m), 0);
	assert_true(m == 1000);
	assert_int_equal(parse_millicpus("0.5", &m), 0);
	assert_true(m == 500);
	assert_int_equal(parse_millicpus("2.25", &m), 0);
	assert_true(m == 2250);
	assert_int_equal(parse_millicpus("0.001", &m), 0);
	assert_true(m == 1);
	assert_int_equal(parse_millicpus("0", &m), 0);
	assert_true(m == 0);
	assert_int_equal(parse_millicpus("16.125", &m), 0);
	assert_true(m == 16125);
}

static void rejects_millicpus(const char *text, int err)
{
	uint64_t m = 42;

	errno = 0;
	assert_int_equal(parse_millicpus(text, &m), -1);
	assert_int_equal(errno, err);
	assert_true(m == 42);
}

static void test_millicpus_rejects(void **state)
{
	(void)state;
	rejects_millicpus(NULL, EINVAL);
	rejects_millicpus("", EINVAL);
	rejects_millicpus(".", EINVAL);
	rejects_millicpus("1.", EINVAL);
	rejects_millicpus(".5", EINVAL);
	rejects_millicpus("0.0001", EINVAL);
	rejects_millicpus("1.2.3", EINVAL);
	rejects_millicpus("-1", EINVAL);
	rejects_millicpus("1e3", EINVAL);
	rejects_millicpus("0.5 ", EINVAL);
	rejects_millicpus("18446744073709551615", ERANGE);
	rejects_millicpus("99999999999999999999", ERANGE);
}

static void test_pid_list_accepts(void **state)
{
	pid_t *pids = NULL;
	char *text = malloc(2000 * 8 + 1);
	size_t len = 0;

	(void)state;
	assert_int_equal(parse_pid_list("", &pids), 0);
	free(pids);
	assert_int_equal(parse_pid_list("1\n4194304\n2147483647\n", &pids), 3);
	assert_int_equal(pids[0], 1);
	assert_int_equal(pids[1], 4194304);
	assert_int_equal(pids[2], 2147483647);
	free(pids);
	/* Far more than a 4 KiB buffer holds: every pid, none cut short. */
	assert_non_null(text);
	for (int i = 0; i < 2000; i++)
		len += (size_t)sprintf(text + len, "%d\n", 1000000 + i);
	assert_true(len > 4096);
	assert_int_equal(parse_pid_list(text, &pids), 2000);
	assert_int_equal(pids[1999], 1001999);
	free(pids);
	free(text);
}

static void rejects_pid_list(const char *text)
{
	pid_t *pids = (pid_t *)&pids;

	errno = 0;
	assert_int_equal(parse_pid_list(text, &pids), -1);
	assert_int_equal(errno, EINVAL);
	assert_ptr_equal(pids, (pid_t *)&pids); /* untouched on failure */
}

static void test_pid_list_rejects(void **state)
{
	(void)state;
	rejects_pid_list("12"); /* the last line cut short: no newline */
	rejects_pid_list("12\n34");
	rejects_pid_list("0\n");
	rejects_pid_list("-1\n");
	rejects_pid_list("12 \n");
	rejects_pid_list("\n");
	rejects_pid_list("1\n\n2\n");
	rejects_pid_list("2147483648\n");
	rejects_pid_list("123456789012345678901234567890\n");
}

static void test_id_list_accepts(void **state)
{
	uint64_t bits[2] = { 99, 99 };

	(void)state;
	assert_int_equal(parse_id_list("0", 128, bits, 2), 0);
	assert_true(bits[0] == 1 && bits[1] == 0);
	assert_int_equal(parse_id_list("0-3,5", 128, bits, 2), 0);
	assert_true(bits[0] == 0x2f && bits[1] == 0);
	assert_int_equal(parse_id_list("3-3", 128, bits, 2), 0);
	assert_true(bits[0] == 0x8);
	assert_int_equal(parse_id_list("63-64,127", 128, bits, 2), 0);
	assert_true(bits[0] == 1ull << 63 && bits[1] == (1ull | 1ull << 63));
	assert_int_equal(parse_id_list("5,1,5", 8, bits, 1), 0); /* any order, repeats */
	assert_true(bits[0] == 0x22);
}

static void rejects_id_list(const char *text, unsigned limit, int err)
{
	uint64_t bits[2] = { 42, 42 };

	errno = 0;
	assert_int_equal(parse_id_list(text, limit, bits, 2), -1);
	assert_int_equal(errno, err);
	assert_true(bits[0] == 42 && bits[1] == 42); /* untouched on failure */
}

static void test_id_list_rejects(void **state)
{
	(void)state;
	rejects_id_list(NULL, 8, EINVAL);
	rejects_id_list("", 8, EINVAL);
	rejects_id_list(",", 8, EINVAL);
	rejects_id_list("1,", 8, EINVAL);
	rejects_id_list(",1", 8, EINVAL);
	rejects_id_list("1,,2", 8, EINVAL);
	rejects_id_list("-1", 8, EINVAL);
	rejects_id_list("1-", 8, EINVAL);
	rejects_id_list("1--2", 8, EINVAL);
	rejects_id_list("1-2-3", 8, EINVAL);
	rejects_id_list("9-3", 16, EINVAL); /* reversed range */
	rejects_id_list("2-1", 8, EINVAL);
	rejects_id_list(" 1", 8, EINVAL);
	rejects_id_list("1 ", 8, EINVAL);
	rejects_id_list("1, 2", 8, EINVAL);
	rejects_id_list("a", 8, EINVAL);
	rejects_id_list("0x1", 8, EINVAL);
	rejects_id_list("8", 8, ERANGE); /* at the limit */
	rejects_id_list("0-8", 8, ERANGE);
	rejects_id_list("1,99", 8, ERANGE);
	rejects_id_list("99999999999999999999", 8, ERANGE);
	rejects_id_list("0", 129, EINVAL); /* the limit does not fit the words */
}

static void test_path_rate_accepts(void **state)
{
	char path[32];
	uint64_t rate;

	(void)state;
	assert_int_equal(parse_path_rate("/dev/sda:10M", true, path, sizeof(path), &rate), 0);
	assert_string_equal(path, "/dev/sda");
	assert_true(rate == 10 << 20);
	assert_int_equal(parse_path_rate("/dev/sda:4096", true, path, sizeof(path), &rate), 0);
	assert_true(rate == 4096);
	assert_int_equal(parse_path_rate("/dev/loop0:100", false, path, sizeof(path), &rate), 0);
	assert_string_equal(path, "/dev/loop0");
	assert_true(rate == 100);
	/* the last colon splits: a path may hold one */
	assert_int_equal(parse_path_rate("/dev/a:b:1k", true, path, sizeof(path), &rate), 0);
	assert_string_equal(path, "/dev/a:b");
	assert_true(rate == 1024);
}

static void rejects_path_rate(const char *text, bool size, int err)
{
	char path[16] = "untouched";
	uint64_t rate = 42;

	errno = 0;
	assert_int_equal(parse_path_rate(text, size, path, sizeof(path), &rate), -1);
	assert_int_equal(errno, err);
	assert_string_equal(path, "untouched");
	assert_true(rate == 42);
}

static void test_path_rate_rejects(void **state)
{
	(void)state;
	rejects_path_rate(NULL, true, EINVAL);
	rejects_path_rate("", true, EINVAL);
	rejects_path_rate("/dev/sda", true, EINVAL);	 /* no rate */
	rejects_path_rate(":10M", true, EINVAL);	 /* no path */
	rejects_path_rate("dev/sda:10M", true, EINVAL);	 /* not absolute */
	rejects_path_rate("/dev/sda:", true, EINVAL);	 /* empty rate */
	rejects_path_rate("/dev/sda:10Q", true, EINVAL); /* bad size */
	rejects_path_rate("/dev/sda:-1", true, EINVAL);
	rejects_path_rate("/dev/sda:10M", false, EINVAL); /* a count has no unit */
	rejects_path_rate("/dev/sda:1.5", false, EINVAL);
	rejects_path_rate("/dev/sda:0", true, ERANGE); /* no rate at all */
	rejects_path_rate("/dev/sda:0", false, ERANGE);
	rejects_path_rate("/dev/sda:16777216T", true, ERANGE);
	rejects_path_rate("/dev/sda:99999999999999999999", false, ERANGE);
	rejects_path_rate("/dev/a-very-long-name:1", true, ENAMETOOLONG);
}

static void test_access(void **state)
{
	unsigned access = 0;

	(void)state;
	assert_int_equal(parse_access("r", &access), 0);
	assert_int_equal(access, ACCESS_READ);
	assert_int_equal(parse_access("rwm", &access), 0);
	assert_int_equal(access, ACCESS_READ | ACCESS_WRITE | ACCESS_MKNOD);
	assert_int_equal(parse_access("mw", &access), 0);
	assert_int_equal(access, ACCESS_WRITE | ACCESS_MKNOD);
	for (const char *const *bad =
		 (const char *const[]){ "", "x", "rr", "rwmr", "R", "r w", "rwx", NULL };
	     *bad; bad++) {
		access = 42;
		errno = 0;
		assert_int_equal(parse_access(*bad, &access), -1);
		assert_int_equal(errno, EINVAL);
		assert_int_equal(access, 42);
	}
	errno = 0;
	assert_int_equal(parse_access(NULL, &access), -1);
	assert_int_equal(errno, EINVAL);
}

static void test_path_has_dotdot(void **state)
{
	static const char *const with[] = { "..", "../x", "a/..", "a/../b", "/..", "/a/../../b" };
	static const char *const without[] = { "",    "a",   "/a/b",  "a..b",
					       "..a", "a..", "a/...", "/.../x" };

	(void)state;
	for (size_t i = 0; i < sizeof(with) / sizeof(with[0]); i++)
		assert_true(path_has_dotdot(with[i]));
	for (size_t i = 0; i < sizeof(without) / sizeof(without[0]); i++)
		assert_false(path_has_dotdot(without[i]));
}

static void test_signal(void **state)
{
	(void)state;
	assert_int_equal(parse_signal("TERM"), SIGTERM);
	assert_int_equal(parse_signal("SIGKILL"), SIGKILL);
	assert_int_equal(parse_signal("sigusr1"), SIGUSR1);
	assert_int_equal(parse_signal("winch"), SIGWINCH);
	assert_int_equal(parse_signal("9"), SIGKILL);
	assert_int_equal(parse_signal("64"), 64);
	for (const char *const *bad =
		 (const char *const[]){ "", "0", "65", "-1", "SIG", "TERM ", "KILLER", "9x", NULL };
	     *bad; bad++) {
		errno = 0;
		assert_int_equal(parse_signal(*bad), -1);
		assert_int_equal(errno, EINVAL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64_accepts),
		cmocka_unit_test(test_u64_rejects),
		cmocka_unit_test(test_u64_range),
		cmocka_unit_test(test_u64_hex),
		cmocka_unit_test(test_size_accepts),
		cmocka_unit_test(test_size_rejects),
		cmocka_unit_test(test_millicpus_accepts),
		cmocka_unit_test(test_millicpus_rejects),
		cmocka_unit_test(test_pid_list_accepts),
		cmocka_unit_test(test_pid_list_rejects),
		cmocka_unit_test(test_id_list_accepts),
		cmocka_unit_test(test_id_list_rejects),
		cmocka_unit_test(test_path_rate_accepts),
		cmocka_unit_test(test_path_rate_rejects),
		cmocka_unit_test(test_access),
		cmocka_unit_test(test_path_has_dotdot),
		cmocka_unit_test(test_signal),
	};

	return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
