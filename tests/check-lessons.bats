#!/usr/bin/env bats
# scripts/check-lessons.sh, which runs the lessons' console blocks, on a
# made-up step: what it compares, and that an exercise's commands must
# also succeed.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)

setup() {
	[ "$(id -u)" -eq 0 ] || skip "check-lessons runs the lessons as root"
	T=$(mktemp -d /var/tmp/check-lessons.XXXXXX)
	mkdir "$T/step99-demo"
	printf '#!/bin/sh\nexit 0\n' >"$T/step99-demo/run"
	chmod 755 "$T" "$T/step99-demo/run"
}

teardown() {
	[ -z "${T:-}" ] || rm -rf "$T"
}

# lesson LINE...: the made-up step's README.md
lesson() {
	printf '%s\n' "$@" >"$T/step99-demo/README.md"
}

check() {
	run "$REPO/scripts/check-lessons.sh" "$T/step99-demo"
}

@test "check-lessons: a transcript that matches passes, one that does not fails" {
	lesson '```console' '$ echo one; echo two' 'one' 'two' '```'
	check
	assert_success
	assert_line "ok - $T/step99-demo block 1 (1 commands)"
	lesson '```console' '$ echo one' 'three' '```'
	check
	assert_failure
	assert_line "not ok - $T/step99-demo block 1, command 1:"
}

@test "check-lessons: an exercise's commands must exit 0; '...' hides the answer, not a failure" {
	lesson '1. Try:' '' '   ```console exercise' '   $ echo answer' '   ...' '   $ true' '   ```'
	check
	assert_success
	assert_line "ok - $T/step99-demo block 1 (2 commands)"
	lesson '1. Try:' '' '   ```console exercise' '   $ true' '   $ ls /nonexistent-stepbox' '   ...' '   ```'
	check
	assert_failure
	assert_line "not ok - $T/step99-demo block 1, command 2 exited with status 2:"
	# the same block, not an exercise: only the output is compared, and
	# "..." matches the error
	lesson '```console' '$ true' '$ ls /nonexistent-stepbox' '...' '```'
	check
	assert_success
}

@test "check-lessons: 'exercise' goes with another tag; an unknown one is refused" {
	lesson '```console exercise user' '$ id -u' '65534' '```'
	check
	assert_success
	assert_line "ok - $T/step99-demo block 1 (1 commands)"
	lesson '```console exercise sometimes' '$ true' '```'
	check
	assert_failure
	assert_line "not ok - $T/step99-demo block 1: unknown tag 'sometimes'"
}
