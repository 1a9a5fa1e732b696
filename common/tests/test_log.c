/*
 * test_log.c — the messages: trace only under -v and in "[role] text"
 * form; warn and warn_errno (which keeps errno); die, die_errno,
 * die_errno_hint and usage_error, each one or two lines, each leaving
 * with 125. Output goes to a memory stream, and "exit" to a longjmp.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common.h"

static char *text;
static size_t text_len;
static FILE *stream;
static jmp_buf left;
static int exit_status;

static void fake_exit(int status)
{
	exit_status = status;
	longjmp(left, 1);
}

static int setup(void **state)
{
	(void)state;
	stream = open_memstream(&text, &text_len);
	if (!stream)
		return -1;
	log_init("stepNN-test");
	log_set_role("parent");
	log_set_verbose(false);
	log_set_stream(stream);
	log_set_exit(fake_exit);
	exit_status = -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fclose(stream);
	free(text);
	text = NULL;
	log_set_stream(NULL);
	log_set_exit(NULL);
	return 0;
}

static const char *captured(void)
{
	fflush(stream);
	return text;
}

static void test_trace_is_silent_without_verbose(void **state)
{
	(void)state;
	trace("clone(%s) = %d", "CLONE_NEWUTS", 42);
	assert_string_equal(captured(), "");
	assert_false(log_verbose());
}

static void test_trace_prints_role_and_text(void **state)
{
	(void)state;
	log_set_verbose(true);
	assert_true(log_verbose());
	trace("clone(%s) = %d", "CLONE_NEWUTS", 42);
	log_set_role("child");
	trace("execvp(\"%s\")", "sh");
	assert_string_equal(captured(), "[parent] clone(CLONE_NEWUTS) = 42\n"
					"[child] execvp(\"sh\")\n");
}

static void test_warn(void **state)
{
	(void)state;
	warn("volume %s is odd", "/x");
	assert_string_equal(captured(), "stepNN-test: volume /x is odd\n");
	assert_int_equal(exit_status, -1); /* warn does not leave */
}

static void test_warn_errno_keeps_errno(void **state)
{
	(void)state;
	errno = ENOENT;
	warn_errno("open %s", "/missing");
	assert_int_equal(errno, ENOENT);
	assert_string_equal(captured(), "stepNN-test: open /missing: No such file or directory\n");
}

static void test_die(void **state)
{
	(void)state;
	if (setjmp(left) == 0)
		die("cannot go on: %d", 7);
	assert_int_equal(exit_status, EXIT_RUNTIME);
	assert_string_equal(captured(), "stepNN-test: cannot go on: 7\n");
}

static void test_die_errno(void **state)
{
	(void)state;
	errno = EPERM;
	if (setjmp(left) == 0)
		die_errno("sethostname(\"%s\")", "box");
	assert_int_equal(exit_status, 125);
	assert_string_equal(captured(),
			    "stepNN-test: sethostname(\"box\"): Operation not permitted\n");
}

static void test_die_errno_hint(void **state)
{
	(void)state;
	errno = EINVAL;
	if (setjmp(left) == 0)
		die_errno_hint("make / private first", "pivot_root(%s)", "/r");
	assert_int_equal(exit_status, 125);
	assert_string_equal(captured(), "stepNN-test: pivot_root(/r): Invalid argument\n"
					"  hint: make / private first\n");
}

static void test_usage_error(void **state)
{
	(void)state;
	if (setjmp(left) == 0)
		usage_error("unknown option '%s'", "--bogus");
	assert_int_equal(exit_status, 125);
	assert_string_equal(captured(), "stepNN-test: unknown option '--bogus'\n"
					"Try 'stepNN-test/run --help' for more information.\n");
}

static void test_run_path_names_the_program(void **state)
{
	(void)state;
	assert_string_equal(log_run_path(), "stepNN-test/run");
	log_init("step01-uts");
	assert_string_equal(log_run_path(), "step01-uts/run");
}

static void test_long_message_is_cut_not_overflowed(void **state)
{
	char big[3000];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	warn("%s", big);
	assert_true(strlen(captured()) < 1100);
	assert_int_equal(captured()[strlen(captured()) - 1], '\n');
}

/* A value with a newline or an escape (a hostile name) stays on one
 * line, and sends the terminal nothing. */
static void test_control_characters_are_escaped(void **state)
{
	char big[3000];

	(void)state;
	warn("--name: '%s': bad", "a\nb\tc\x1b[31md\x7f");
	assert_string_equal(captured(), "stepNN-test: --name: 'a\\nb\\tc\\x1b[31md\\x7f': bad\n");
	log_set_verbose(true);
	trace("mkdir %s", "x\ny");
	assert_string_equal(captured(), "stepNN-test: --name: 'a\\nb\\tc\\x1b[31md\\x7f': bad\n"
					"[parent] mkdir x\\ny\n");
	/* escaping a long line of them stays inside the buffer */
	memset(big, '\n', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	warn("%s", big);
	assert_int_equal(captured()[strlen(captured()) - 1], '\n');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_trace_is_silent_without_verbose, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_trace_prints_role_and_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_warn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_warn_errno_keeps_errno, setup, teardown),
		cmocka_unit_test_setup_teardown(test_die, setup, teardown),
		cmocka_unit_test_setup_teardown(test_die_errno, setup, teardown),
		cmocka_unit_test_setup_teardown(test_die_errno_hint, setup, teardown),
		cmocka_unit_test_setup_teardown(test_usage_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_path_names_the_program, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_message_is_cut_not_overflowed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_control_characters_are_escaped, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
