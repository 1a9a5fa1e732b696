#!/usr/bin/env bats
# step07 and later: cgroup limits, enforced; the cgroup namespace; and no
# cgroup left behind. Runs on cgroup v2 (make test-vm) and v1/hybrid.

load helpers

# cg_file CONTROLLER FILE: the path of FILE in the running container's
# cgroup (named after the runtime's pid).
cg_file() {
	if cgroup_v2; then
		echo "/sys/fs/cgroup/stepbox/$CTR_PID/$2"
	else
		echo "/sys/fs/cgroup/$1/stepbox/$CTR_PID/$2"
	fi
}

# The stepbox cgroups that exist now, on whichever layout.
stepbox_cgroups() {
	find /sys/fs/cgroup -maxdepth 3 -path '*stepbox*' -type d 2>/dev/null | sort
}

@test "cgroups: a process touching more than --memory is OOM-killed inside; the counters show it" {
	ctr_bg --memory 32M -- sh -c "$PROBE alloc 128; echo rc=\$?; $(handshake)"
	wait_for "$WORK/x/ready"
	if cgroup_v2; then
		grep -Eq '^oom_kill [1-9]' "$(cg_file memory memory.events)"
	else
		grep -Eq '^oom_kill [1-9]' "$(cg_file memory memory.oom_control)"
		[ "$(cat "$(cg_file memory memory.failcnt)")" -gt 0 ]
	fi
	go
	ctr_wait
	assert_success
	assert_line rc=137
}

@test "cgroups: a process under --memory runs to the end" {
	run ctr --memory 64M -- "$PROBE" alloc 16
	assert_success
	assert_output "allocated 16"
}

@test "cgroups: a command that is itself OOM-killed makes the runtime exit 137" {
	run ctr --memory 32M -- "$PROBE" alloc 256
	assert_equal "$status" 137
}

@test "cgroups: --pids 20: a fork loop stops at the limit with EAGAIN; the host is unaffected" {
	run ctr --pids 20 -- "$PROBE" forkloop 200
	assert_success
	assert_output --regexp '^forked 1[0-9]: EAGAIN$'
	# the host still forks freely
	run "$PROBE" forkloop 50
	assert_output "forked 50: no error"
}

@test "cgroups: --cpus 0.2 throttles a busy loop: counters, not wall time" {
	ctr_bg --cpus 0.2 -- sh -c "$PROBE spin 1 > $WORK/x/cpu-ms; $(handshake)"
	wait_for "$WORK/x/ready" 30
	if cgroup_v2; then
		assert_equal "$(cat "$(cg_file cpu cpu.max)")" "20000 100000"
		throttled=$(awk '$1 == "nr_throttled" { print $2 }' "$(cg_file cpu cpu.stat)")
		usage_us=$(awk '$1 == "usage_usec" { print $2 }' "$(cg_file cpu cpu.stat)")
	else
		assert_equal "$(cat "$(cg_file cpu cpu.cfs_quota_us)")" 20000
		throttled=$(awk '$1 == "nr_throttled" { print $2 }' "$(cg_file cpu cpu.stat)")
		usage_us=$(($(cat "$(cg_file cpuacct cpuacct.usage)") / 1000))
	fi
	go
	ctr_wait
	assert_success
	echo "nr_throttled=$throttled usage=${usage_us}us probe=$(cat "$WORK/x/cpu-ms")ms"
	[ "$throttled" -gt 0 ]
	# one second of wall time at 0.2 CPU: about 200 ms, well under 1 s
	[ "$usage_us" -lt 600000 ]
	[ "$(cat "$WORK/x/cpu-ms")" -lt 600 ]
}

@test "cgroups: --cpu-weight sets cpu.weight on v2, and cpu.shares on v1 (100 -> 1024)" {
	ctr_bg --cpu-weight 100 -- sh -c "$(handshake)"
	wait_for "$WORK/x/ready"
	if cgroup_v2; then
		assert_equal "$(cat "$(cg_file cpu cpu.weight)")" 100
	else
		assert_equal "$(cat "$(cg_file cpu cpu.shares)")" 1024
	fi
	go
	ctr_wait
	assert_success
	# the ends of the scale map onto each other too
	rm -f "$WORK/x/ready" "$WORK/x/go"
	ctr_bg --cpu-weight 10000 -- sh -c "$(handshake)"
	wait_for "$WORK/x/ready"
	cgroup_v2 || assert_equal "$(cat "$(cg_file cpu cpu.shares)")" 262144
	go
	ctr_wait
}

@test "cgroups: --memory-swap is memory plus swap: memsw on v1, the swap part alone on v2" {
	ctr_bg --memory 64M --memory-swap 96M -- sh -c "$(handshake)"
	if ! wait_for "$WORK/x/ready" 5; then
		# a kernel without swap accounting: a clear error instead
		ctr_wait
		assert_equal "$status" 125
		assert_output --partial "--memory-swap"
		return
	fi
	if cgroup_v2; then
		assert_equal "$(cat "$(cg_file memory memory.max)")" $((64 << 20))
		assert_equal "$(cat "$(cg_file memory memory.swap.max)")" $((32 << 20))
	else
		assert_equal "$(cat "$(cg_file memory memory.limit_in_bytes)")" $((64 << 20))
		assert_equal "$(cat "$(cg_file memory memory.memsw.limit_in_bytes)")" $((96 << 20))
	fi
	go
	ctr_wait
	assert_success
}

@test "cgroups: inside, the cgroup namespace shows the container's cgroup as /" {
	run ctr --pids 100 -- cat /proc/self/cgroup
	assert_success
	if cgroup_v2; then
		assert_output "0::/"
	else
		# every line ends in ":/" (v1 trees and the empty unified one)
		refute_output --regexp ':/[^[:space:]]'
	fi
	run ctr readlink /proc/self/ns/cgroup
	refute_output "$(readlink /proc/self/ns/cgroup)"
}

@test "cgroups: the container really is in its cgroup, seen from the host" {
	ctr_bg --pids 50 -- sh -c "$(handshake)"
	wait_for "$WORK/x/ready"
	pid=$(ctr_pid1)
	grep -qx "$pid" "$(cg_file pids cgroup.procs)"
	if cgroup_v2; then
		assert_equal "$(cat "$(cg_file pids pids.max)")" 50
		grep -qx "0::/stepbox/$CTR_PID" /proc/"$pid"/cgroup
	else
		grep -q ":pids:/stepbox/$CTR_PID\$" /proc/"$pid"/cgroup
	fi
	go
	ctr_wait
	assert_success
}

@test "cgroups: nothing is left under /sys/fs/cgroup after a run" {
	before=$(stepbox_cgroups)
	run ctr --memory 64M --pids 30 --cpus 0.5 --cpu-weight 50 true
	assert_success
	assert_equal "$(stepbox_cgroups)" "$before"
	[ -z "$before" ]
}

@test "cgroups: after kill -9 of the runtime, the next run (or --cleanup) removes the leftover" {
	ctr_bg --pids 30 -- sleep 60
	wait_for_child
	dead=$CTR_PID
	kill -KILL "$CTR_PID"
	ctr_wait
	# the kill left the cgroup behind: nobody ran the cleanup
	stepbox_cgroups | grep -q "/stepbox/$dead\$"
	run ctr --pids 30 true
	assert_success
	refute [ -n "$(stepbox_cgroups)" ]

	ctr_bg --pids 30 -- sleep 60
	wait_for_child
	dead=$CTR_PID
	kill -KILL "$CTR_PID"
	ctr_wait
	run ctr --cleanup
	assert_success
	assert_output --partial "/stepbox/$dead"
	assert_equal "$(stepbox_cgroups)" ""
}

@test "cgroups: bad limits exit 125 and create no cgroup" {
	for args in "--memory 1M" "--memory 12Q" "--memory -5M" "--cpus 0" "--cpus 0.001" \
		"--cpus 9999" "--cpus abc" "--pids 0" "--pids -1" "--cpu-weight 0" \
		"--cpu-weight 10001" "--memory-swap 64M" "--memory 64M --memory-swap 32M"; do
		# shellcheck disable=SC2086
		run ctr $args -- touch "$WORK/x/ran"
		assert_equal "$status" 125
		assert_equal "${#lines[@]}" 2 # the error and the pointer to --help
	done
	[ ! -e "$WORK/x/ran" ]
	assert_equal "$(stepbox_cgroups)" ""
}

@test "cgroups: rootless, limits are refused with a reason" {
	cp "$STEP_BIN" "$WORK/run"
	run setpriv --reuid 65534 --regid 65534 --clear-groups "$WORK/run" --memory 64M true
	assert_equal "$status" 125
	assert_output --partial "need root"
}
