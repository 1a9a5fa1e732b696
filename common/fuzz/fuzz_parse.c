/*
 * fuzz_parse.c — libFuzzer targets for every parser in common/parse.c.
 *
 * The parsers read what a user types (--memory 64M, --cpus 0.5,
 * --cpuset-cpus 0-3,5, --device-read-bps /dev/sda:10M, --device
 * /dev/x:rw) and what the kernel writes (cgroup.procs). One file, built
 * once per parser with -DFUZZ_PARSER=NAME, so that each target's corpus
 * and coverage are its own. Besides "no crash, no overflow, no leak"
 * (ASan, UBSan), each target checks what the parser promises:
 *
 *   size       ok: at most 2^63-1, and its decimal form parses to itself
 *   millicpus  ok: "W.FFF" of the result parses to itself
 *   u64_range  ok: inside [5, 1000], and the text was only digits
 *   pid_list   ok: every pid above 0; failure: *pids untouched
 *   id_list    ok: no bit at or above the limit; failure: bits untouched
 *   path_rate  ok: an absolute path that fits, a rate above 0
 *   access     ok: only the r, w and m bits
 *
 *   make fuzz                       (FUZZ_SECONDS each, default 60)
 *   build/fuzz/fuzz_size -max_total_time=60 build/fuzz/corpus-size
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_parse: %s:%d: %s\n", __FILE__, __LINE__, #cond);     \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static void fuzz_size(const char *text)
{
	uint64_t v, again;
	char form[32];

	if (parse_size(text, &v) < 0)
		return;
	CHECK(v <= (uint64_t)INT64_MAX);
	snprintf(form, sizeof(form), "%llu", (unsigned long long)v);
	CHECK(parse_size(form, &again) == 0 && again == v);
}

static void fuzz_millicpus(const char *text)
{
	uint64_t m, again;
	char form[48];

	if (parse_millicpus(text, &m) < 0)
		return;
	snprintf(form, sizeof(form), "%llu.%03llu", (unsigned long long)(m / 1000),
		 (unsigned long long)(m % 1000));
	CHECK(parse_millicpus(form, &again) == 0 && again == m);
}

static void fuzz_u64_range(const char *text)
{
	uint64_t v;

	if (parse_u64_range(text, 5, 1000, &v) < 0)
		return;
	CHECK(v >= 5 && v <= 1000);
	CHECK(*text && strspn(text, "0123456789") == strlen(text));
}

static void fuzz_pid_list(const char *text)
{
	pid_t *pids = (pid_t *)&pids; /* untouched on failure */
	ssize_t n = parse_pid_list(text, &pids);

	if (n < 0) {
		CHECK(pids == (pid_t *)&pids);
		return;
	}
	for (ssize_t i = 0; i < n; i++)
		CHECK(pids[i] > 0);
	free(pids);
}

static void fuzz_id_list(const char *text)
{
	enum { LIMIT = 100, WORDS = 2 };
	uint64_t bits[WORDS] = { 0x5a5a5a5a5a5a5a5aull, 0x5a5a5a5a5a5a5a5aull };

	if (parse_id_list(text, LIMIT, bits, WORDS) < 0) {
		CHECK(bits[0] == 0x5a5a5a5a5a5a5a5aull && bits[1] == 0x5a5a5a5a5a5a5a5aull);
		return;
	}
	CHECK((bits[1] >> (LIMIT - 64)) == 0);
}

static void fuzz_path_rate(const char *text)
{
	char path[16];
	uint64_t rate;

	if (parse_path_rate(text, text[0] == '/' && strlen(text) % 2, path, sizeof(path), &rate) <
	    0)
		return;
	CHECK(path[0] == '/' && strlen(path) < sizeof(path));
	CHECK(rate > 0);
}

static void fuzz_access(const char *text)
{
	unsigned access;

	if (parse_access(text, &access) < 0)
		return;
	CHECK(access != 0 &&
	      (access & ~(unsigned)(ACCESS_READ | ACCESS_WRITE | ACCESS_MKNOD)) == 0);
}

/* All of them, so that each build (which calls one) uses the others too. */
static void (*const targets[])(const char *) = {
	fuzz_size,    fuzz_millicpus, fuzz_u64_range, fuzz_pid_list,
	fuzz_id_list, fuzz_path_rate, fuzz_access,
};

#ifndef FUZZ_PARSER /* the Makefile names one; lint reads the file alone */
#define FUZZ_PARSER size
#endif
#define PICK2(name) fuzz_##name
#define PICK(name)  PICK2(name)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	(void)targets;
	PICK(FUZZ_PARSER)(text);
	free(text);
	return 0;
}
