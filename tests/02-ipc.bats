#!/usr/bin/env bats
# step02 and later: the IPC namespace. System V objects created on one
# side are invisible on the other, during the run and after it.

load helpers

setup_file() {
	# Keys unlikely to be in use; each test checks before it relies on it.
	export HOST_KEY=$((0x5b000000 + RANDOM))
	export CTR_KEY=$((0x5c000000 + RANDOM))
}

@test "ipc: a queue the host has is invisible inside, where there are none" {
	id=$("$PROBE" msgq-create "$HOST_KEY")
	TEARDOWN_EXTRA="ipcrm -q $id"
	run "$PROBE" msgq-exists "$HOST_KEY"
	assert_success # the host does see it
	[ "$("$PROBE" msgq-count)" -ge 1 ]
	run ctr sh -c "$PROBE msgq-count; $PROBE msgq-exists $HOST_KEY; echo exists=\$?"
	assert_success
	assert_equal "${lines[0]}" 0
	assert_equal "${lines[1]}" exists=1
}

@test "ipc: a queue the container makes is invisible on the host, during the run and after" {
	run "$PROBE" msgq-exists "$CTR_KEY"
	assert_failure 1
	# a runtime without the namespace (an unfinished exercise) puts it on
	# the host: never leave it there
	TEARDOWN_EXTRA='ipcrm -Q "$CTR_KEY" 2>/dev/null || true'
	ctr_bg sh -c "$PROBE msgq-create $CTR_KEY >/dev/null && $PROBE msgq-exists $CTR_KEY && echo made; $(handshake)"
	wait_for "$WORK/x/ready"
	run "$PROBE" msgq-exists "$CTR_KEY"
	assert_failure 1
	go
	ctr_wait
	assert_success
	assert_output made
	run "$PROBE" msgq-exists "$CTR_KEY"
	assert_failure 1
	refute grep -q "$(printf '%d' "$CTR_KEY")" /proc/sysvipc/msg
}

@test "ipc: the container is in another IPC namespace than the host" {
	run ctr readlink /proc/self/ns/ipc
	assert_success
	assert_output --regexp '^ipc:\[[0-9]+\]$'
	refute_output "$(readlink /proc/self/ns/ipc)"
}
