#!/usr/bin/env bats
# step03 and later: the PID namespace, its /proc, PID 1's rules and --init.

load helpers

@test "pid: the command is PID 1 inside" {
	run ctr sh -c 'echo $$'
	assert_success
	assert_output 1
}

@test "pid: /proc inside lists only the container's processes" {
	run ctr sh -c 'ls /proc | grep -E "^[0-9]+$" | sort -n | tr "\n" " "'
	assert_success
	# sh (1), ls, grep, sort, tr: a handful of small pids, nothing else
	assert_output --regexp '^1 ([2-9] )+$'
	run ctr ps -e -o pid=,comm=
	assert_success
	assert_line --index 0 --regexp '^ +1 ps$'
	assert_equal "${#lines[@]}" 1
}

@test "pid: from the host the container's PID 1 is an ordinary process" {
	ctr_bg sh -c "$(handshake)"
	wait_for "$WORK/x/ready"
	pid=$(ctr_pid1)
	[ "$pid" -gt 1 ]
	# its namespace differs from ours, and in it the process is 1
	[ "$(readlink /proc/"$pid"/ns/pid)" != "$(readlink /proc/self/ns/pid)" ]
	assert_equal "$(awk '/^NSpid:/ { print $NF }' /proc/"$pid"/status)" 1
	go
	ctr_wait
	assert_success
}

@test "pid: the host's /proc is the same mount, unchanged, after the run" {
	before=$(grep ' /proc ' /proc/self/mountinfo)
	run ctr sh -c 'grep " /proc " /proc/self/mountinfo | wc -l'
	assert_success
	assert_equal "$(grep ' /proc ' /proc/self/mountinfo)" "$before"
	# the host still sees its own processes in its /proc
	[ -d "/proc/$$" ]
}

@test "pid: without --init, PID 1 ignores the SIGTERM passed on from the host, until SIGKILL" {
	ctr_bg sleep 30
	wait_for_child
	pid=$(ctr_pid1)
	sleep 0.3 # let the child exec sleep
	assert_equal "$(cat /proc/"$pid"/comm)" sleep
	kill -TERM "$CTR_PID"
	sleep 1
	# the PID 1 rule: a signal PID 1 has no handler for is dropped
	kill -0 "$CTR_PID"
	kill -0 "$pid"
	kill -KILL "$CTR_PID"
	ctr_wait
	assert_equal "$status" 137
	# PR_SET_PDEATHSIG took the container down with the runtime
	until_gone "$pid"
	# From step07 a runtime killed with -9 leaves its cgroup, state and
	# (step09) overlay for --cleanup or the next run: cleaned here, so the
	# next test starts on the host as it was, whichever test runs next.
	if [ "$STEP_NUM" -ge 7 ]; then
		run "$STEP_BIN" --cleanup
		assert_success
		assert_equal "$(host_traces)" ""
	fi
}

@test "pid: with --init, SIGTERM on the runtime ends a sleep with 143" {
	ctr_bg --init sleep 30
	wait_for_child
	sleep 0.3
	kill -TERM "$CTR_PID"
	ctr_wait
	assert_equal "$status" 143
}

@test "pid: with --init, each forwarded signal reaches the command" {
	for sig in HUP INT QUIT USR1 USR2 TERM; do
		rm -f "$WORK/x/ready" "$WORK/x/got"
		ctr_bg --init sh -c "trap 'echo $sig > $WORK/x/got; exit 0' $sig; touch $WORK/x/ready; while :; do sleep 0.05; done"
		wait_for "$WORK/x/ready"
		kill -"$sig" "$CTR_PID"
		ctr_wait
		assert_success
		assert_equal "$(cat "$WORK/x/got")" "$sig"
	done
}

@test "pid: with --init, PID 1 adopts orphans and reaps them: no zombies" {
	# The subshell's exit orphans its sleep: its parent is PID 1 from
	# then on. Once the sleep ends it must be reaped: wait until its
	# /proc entry goes (a zombie keeps it; 10 s at most), then count.
	run ctr --init sh -c '
		(sleep 1 & echo $! > '"$WORK"'/x/orphan)
		o=$(cat '"$WORK"'/x/orphan)
		awk "{ print \$4 }" /proc/$o/stat
		i=0
		while [ -e /proc/$o ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
		cat /proc/[0-9]*/stat | awk "\$3 == \"Z\"" | wc -l'
	assert_success
	assert_equal "${lines[0]}" 1 # the orphan's parent is our init
	assert_equal "${lines[1]}" 0 # and once it exited, it was reaped
}

@test "pid: with --init, our init is PID 1 and the command PID 2" {
	run ctr --init sh -c 'echo $$; cat /proc/1/comm'
	assert_success
	assert_equal "${lines[0]}" 2
	assert_equal "${lines[1]}" run
}

@test "pid: with --init, PID 1 keeps no fd of the runtime's or the caller's, only its signalfd" {
	ctr_bg --init -V "$WORK/x:$WORK/x" sh -c "exec 7<$WORK/x; $(handshake)"
	# -V exists from step04 on: earlier steps run without it
	if [ "$STEP_NUM" -lt 4 ]; then
		ctr_wait
		ctr_bg --init sh -c "$(handshake)"
	fi
	wait_for "$WORK/x/ready"
	init=$(ctr_pid1)
	fds=$(for fd in /proc/"$init"/fd/*; do echo "${fd##*/} $(readlink "$fd")"; done | sort -n)
	go
	ctr_wait
	assert_success
	echo "$fds"
	assert_equal "$(cut -d' ' -f1 <<<"$fds" | xargs)" "0 1 2 3"
	assert_equal "$(grep '^3 ' <<<"$fds")" "3 anon_inode:[signalfd]"
}
