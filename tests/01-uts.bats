#!/usr/bin/env bats
# step01 and later: the UTS namespace. The container's hostname is its
# own; the host's never changes.

load helpers

@test "uts: inside, hostname and uname -n print the name given by --hostname" {
	run ctr --hostname box-01 -- sh -c 'hostname; uname -n'
	assert_success
	assert_equal "${lines[0]}" box-01
	assert_equal "${lines[1]}" box-01
}

@test "uts: the default hostname is stepbox" {
	run ctr hostname
	assert_success
	assert_output stepbox
}

@test "uts: the host's hostname is unchanged while the container runs and after" {
	host=$(hostname)
	[ "$host" != renamed-inside ]
	ctr_bg --hostname renamed-inside -- sh -c "hostname > $WORK/x/inside; $(handshake)"
	wait_for "$WORK/x/ready"
	assert_equal "$(cat "$WORK/x/inside")" renamed-inside
	assert_equal "$(hostname)" "$host"
	assert_equal "$(cat /proc/sys/kernel/hostname)" "$host"
	go
	ctr_wait
	assert_success
	assert_equal "$(hostname)" "$host"
}

@test "uts: the container is in another UTS namespace than the host" {
	run ctr readlink /proc/self/ns/uts
	assert_success
	assert_output --regexp '^uts:\[[0-9]+\]$'
	refute_output "$(readlink /proc/self/ns/uts)"
}
