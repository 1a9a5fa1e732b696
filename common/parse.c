/*
 * parse.c — strict parsing of the numbers a user types: counts (decimal,
 * or hex after 0x), sizes ("64M"), CPU amounts ("0.5"), CPU lists ("0-3,5"), "PATH:RATE" pairs
 * and device access letters ("rwm"); signal names ("TERM"), and paths
 * given from outside that must not climb with "..".
 *
 * strtoull alone accepts " 12", "-1" (as a huge number) and "12abc"; a
 * limit typed wrong must be an error, never a different limit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common.h"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Digits from *text while they last; advances *text. */
static int take_digits(const char **text, uint64_t *out)
{
	const char *p = *text;
	uint64_t value = 0;

	if (!p || !is_digit(*p)) {
		errno = EINVAL;
		return -1;
	}
	for (; is_digit(*p); p++) {
		uint64_t digit = (uint64_t)(*p - '0');

		if (value > (UINT64_MAX - digit) / 10) {
			errno = ERANGE;
			return -1;
		}
		value = value * 10 + digit;
	}
	*text = p;
	*out = value;
	return 0;
}

int parse_u64(const char *text, uint64_t *out)
{
	uint64_t value;

	if (take_digits(&text, &value) < 0)
		return -1;
	if (*text != '\0') {
		errno = EINVAL;
		return -1;
	}
	*out = value;
	return 0;
}

int parse_u64_range(const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t value;

	if (parse_u64(text, &value) < 0)
		return -1;
	if (value < min || value > max) {
		errno = ERANGE;
		return -1;
	}
	*out = value;
	return 0;
}

static int hex_value(char c)
{
	if (is_digit(c))
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int parse_u64_hex(const char *text, uint64_t *out)
{
	uint64_t value = 0;

	if (!text || text[0] != '0' || (text[1] | 0x20) != 'x')
		return parse_u64(text, out);
	text += 2;
	if (hex_value(*text) < 0) {
		errno = EINVAL;
		return -1;
	}
	for (; *text; text++) {
		int digit = hex_value(*text);

		if (digit < 0) {
			errno = EINVAL;
			return -1;
		}
		if (value > UINT64_MAX >> 4) {
			errno = ERANGE;
			return -1;
		}
		value = value << 4 | (uint64_t)digit;
	}
	*out = value;
	return 0;
}

static int suffix_shift(const char *suffix, unsigned *shift)
{
	static const char units[] = "kmgt";
	const char *unit;

	if (suffix[0] == '\0') {
		*shift = 0;
		return 0;
	}
	unit = strchr(units, suffix[0] | 0x20);
	if (!unit || suffix[1] != '\0') {
		errno = EINVAL;
		return -1;
	}
	*shift = 10 * (unsigned)(unit - units + 1);
	return 0;
}

int parse_size(const char *text, uint64_t *bytes)
{
	uint64_t value;
	unsigned shift;

	if (take_digits(&text, &value) < 0)
		return -1;
	if (suffix_shift(text, &shift) < 0)
		return -1;
	/* At most 2^63 - 1: the kernel counts bytes in signed 64 bits
	 * (memory.max, io.max, tmpfs sizes), and a larger number would be
	 * taken silently as "no limit". */
	if (value > ((uint64_t)INT64_MAX >> shift)) {
		errno = ERANGE;
		return -1;
	}
	*bytes = value << shift;
	return 0;
}

int parse_millicpus(const char *text, uint64_t *millicpus)
{
	uint64_t whole, frac = 0;
	unsigned decimals = 0;

	if (take_digits(&text, &whole) < 0)
		return -1;
	if (*text == '.') {
		const char *start = ++text;

		if (take_digits(&text, &frac) < 0)
			return -1;
		decimals = (unsigned)(text - start);
		if (decimals > 3) {
			errno = EINVAL;
			return -1;
		}
	}
	if (*text != '\0') {
		errno = EINVAL;
		return -1;
	}
	for (; decimals < 3; decimals++)
		frac *= 10;
	if (whole > (UINT64_MAX - frac) / 1000) {
		errno = ERANGE;
		return -1;
	}
	*millicpus = whole * 1000 + frac;
	return 0;
}

ssize_t parse_pid_list(const char *text, pid_t **pids)
{
	size_t n = 0, cap = 0;
	pid_t *list = NULL;

	for (const char *p = text; *p;) {
		size_t len = strcspn(p, "\n");
		char line[24];
		uint64_t value;

		if (len >= sizeof(line) || p[len] != '\n')
			goto invalid; /* too long, or the last line is cut short */
		memcpy(line, p, len);
		line[len] = '\0';
		if (parse_u64_range(line, 1, INT32_MAX, &value) < 0)
			goto invalid;
		if (n == cap) {
			pid_t *bigger = realloc(list, (cap = cap ? cap * 2 : 64) * sizeof(*list));

			if (!bigger) {
				free(list);
				return -1;
			}
			list = bigger;
		}
		list[n++] = (pid_t)value;
		p += len + 1;
	}
	*pids = list;
	return (ssize_t)n;
invalid:
	free(list);
	errno = EINVAL;
	return -1;
}

/* One pass over "A,B-C,...": checks it, and sets the bits when BITS. */
static int walk_id_list(const char *text, unsigned limit, uint64_t *bits)
{
	for (;;) {
		uint64_t first, last;

		if (take_digits(&text, &first) < 0)
			return -1;
		last = first;
		if (*text == '-') {
			text++;
			if (take_digits(&text, &last) < 0)
				return -1;
		}
		if (first >= limit || last >= limit) {
			errno = ERANGE;
			return -1;
		}
		if (last < first || (*text != ',' && *text != '\0')) {
			errno = EINVAL;
			return -1;
		}
		for (uint64_t id = first; bits && id <= last; id++)
			bits[id / 64] |= 1ull << (id % 64);
		if (*text == '\0')
			return 0;
		text++;
	}
}

int parse_id_list(const char *text, unsigned limit, uint64_t *bits, size_t nwords)
{
	if (limit > 64 * nwords) {
		errno = EINVAL;
		return -1;
	}
	if (walk_id_list(text, limit, NULL) < 0)
		return -1;
	memset(bits, 0, nwords * sizeof(*bits));
	return walk_id_list(text, limit, bits);
}

int parse_path_rate(const char *text, bool size, char *path, size_t path_size, uint64_t *rate)
{
	const char *colon = text ? strrchr(text, ':') : NULL;
	size_t len;
	uint64_t value;

	if (!colon || text[0] != '/') {
		errno = EINVAL;
		return -1;
	}
	len = (size_t)(colon - text);
	if (len >= path_size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((size ? parse_size(colon + 1, &value) : parse_u64(colon + 1, &value)) < 0)
		return -1;
	if (value == 0) {
		errno = ERANGE;
		return -1;
	}
	memcpy(path, text, len);
	path[len] = '\0';
	*rate = value;
	return 0;
}

int parse_access(const char *text, unsigned *access)
{
	unsigned bits = 0;

	if (!text || !*text) {
		errno = EINVAL;
		return -1;
	}
	for (; *text; text++) {
		unsigned bit = *text == 'r'   ? ACCESS_READ
			       : *text == 'w' ? ACCESS_WRITE
			       : *text == 'm' ? ACCESS_MKNOD
					      : 0;

		if (!bit || (bits & bit)) {
			errno = EINVAL;
			return -1;
		}
		bits |= bit;
	}
	*access = bits;
	return 0;
}

bool path_has_dotdot(const char *path)
{
	for (const char *p = path; (p = strstr(p, "..")); p += 2)
		if ((p == path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			return true;
	return false;
}

int parse_signal(const char *text)
{
	uint64_t n;

	if (parse_u64_range(text, 1, (uint64_t)SIGRTMAX, &n) == 0)
		return (int)n;
	if (strncasecmp(text, "SIG", 3) == 0)
		text += 3;
	for (int sig = 1; sig < NSIG; sig++) {
		const char *abbrev = sigabbrev_np(sig);

		if (abbrev && strcasecmp(text, abbrev) == 0)
			return sig;
	}
	errno = EINVAL;
	return -1;
}
