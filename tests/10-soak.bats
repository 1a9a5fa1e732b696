#!/usr/bin/env bats
# step10, reliability: many runs in a row leave the host as it was
# (scripts/soak.sh; `make soak` does 1000, this 50).

load helpers

@test "soak: 50 runs with every mechanism on leave no mount, cgroup, state, link or fd behind" {
	run "$REPO/scripts/soak.sh" 50
	assert_success
	assert_output --regexp '^soak: 50 runs in [0-9.]+ s \([0-9.]+ ms each\), host unchanged$'
}

@test "soak: it notices what a run leaves behind" {
	# a fake runtime that leaves one state directory per run
	cat >"$WORK/leaky" <<-EOF2
		#!/bin/sh
		mkdir -p /run/stepbox && mktemp -d /run/stepbox/leak.XXXXXX >/dev/null
	EOF2
	chmod 755 "$WORK/leaky"
	TEARDOWN_EXTRA='rm -rf /run/stepbox/leak.*'
	run env STEP_BIN="$WORK/leaky" "$REPO/scripts/soak.sh" 3
	assert_failure 1
	assert_output --partial "after 3 runs the host is not as it was"
	assert_line '  > state 4'
}

@test "soak: a bad count or a missing runtime is exit 2 and one line" {
	run "$REPO/scripts/soak.sh" many
	assert_failure 2
	assert_output "soak: RUNS is a number of runs, not 'many'"
	run env STEP_BIN=/nonexistent "$REPO/scripts/soak.sh" 3
	assert_failure 2
	assert_output "soak: /nonexistent is not built (make step10)"
}
