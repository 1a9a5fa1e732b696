#!/usr/bin/env bats
# Makefile targets for readers: make diff shows one lesson's code.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)

@test "make diff STEP=02: step01 -> step02, the code only" {
	run make -s --no-print-directory -C "$REPO" diff STEP=02
	assert_success
	assert_line --index 0 "diff -ruN -x run -x README.md -x HINTS step01-uts/main.c step02-ipc/main.c"
	assert_output --partial "+#define STEP_NAME \"step02-ipc\""
	refute_output --partial "README.md"$'\n'"---"
}

@test "make diff STEP=07 shows the new files of the lesson (cgroup.c)" {
	run make -s --no-print-directory -C "$REPO" diff STEP=07
	assert_success
	assert_output --partial "+++ step07-cgroups/cgroup.c"
}

@test "make diff without a step after the first is a usage error" {
	for step in 01 x ""; do
		run make -s --no-print-directory -C "$REPO" diff STEP="$step"
		assert_failure
		assert_output --partial "STEP=NN names a step after the first"
	done
}
