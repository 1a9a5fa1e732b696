#!/usr/bin/env bats
# The command line, the same on every step: help, bad input, root,
# exit status, signals, the -v trace.

load helpers

@test "cli: --help exits 0 and lists the options" {
	run ctr --help
	assert_success
	if [ "$STEP_NUM" -lt 10 ]; then
		assert_line --index 0 "Usage: $STEP/run [OPTIONS] [--] [COMMAND [ARG...]]"
	else # the first word may name a subcommand: run is the default
		assert_line --index 0 "Usage: $STEP/run [run] [OPTIONS] [--] [COMMAND [ARG...]]"
	fi
	assert_output --partial "-v, --verbose"
	assert_output --partial "--hostname"
}

@test "cli: an unknown option exits 125 with one line and a pointer to --help, and runs nothing" {
	run ctr --bogus -- touch "$WORK/x/ran"
	assert_equal "$status" 125
	assert_equal "${#lines[@]}" 2
	assert_line --index 0 "$STEP: unknown option '--bogus'"
	assert_line --index 1 "Try '$STEP/run --help' for more information."
	[ ! -e "$WORK/x/ran" ]
}

@test "cli: an option without its value exits 125" {
	run ctr --hostname
	assert_equal "$status" 125
	assert_line --index 0 "$STEP: option '--hostname' needs a value"
}

@test "cli: an empty or a 65-byte hostname is refused before anything runs" {
	run ctr --hostname '' -- touch "$WORK/x/ran"
	assert_equal "$status" 125
	assert_line --index 0 --partial "--hostname: the name is empty"
	long=$(printf 'a%.0s' {1..65})
	run ctr --hostname "$long" -- touch "$WORK/x/ran"
	assert_equal "$status" 125
	assert_line --index 0 --partial "is longer than 64 bytes"
	[ ! -e "$WORK/x/ran" ]
	ok=$(printf 'b%.0s' {1..64})
	run ctr --hostname "$ok" -- hostname
	assert_success
	assert_output "$ok"
}

@test "cli: as a non-root user: exit 125 saying root is needed, until step06 makes it work" {
	cp "$STEP_BIN" "$WORK/run"
	rootfs=()
	if [ "$STEP_NUM" -ge 9 ]; then
		user_rootfs # the volume's target is made in the user's own image
		rootfs=(--rootfs "$WORK/userfs")
	fi
	run setpriv --reuid 65534 --regid 65534 --clear-groups "$WORK/run" "${WORK_VOLUME[@]}" "${rootfs[@]}" -- sh -c "touch $WORK/x/ran; id -u"
	if [ "$STEP_NUM" -lt 6 ]; then
		assert_equal "$status" 125
		assert_output --partial "needs root"
		[ ! -e "$WORK/x/ran" ]
	else
		assert_success
		assert_output "0"
		[ "$(stat -c %u "$WORK/x/ran")" = 65534 ]
	fi
}

@test "cli: the command's exit status passes through" {
	run ctr true
	assert_success
	run ctr sh -c 'exit 3'
	assert_equal "$status" 3
}

@test "cli: a command killed by SIGKILL makes the runtime exit 137" {
	# Sent from the host: from step03 the command is PID 1 of its PID
	# namespace, and its own `kill -9 $$` would be ignored.
	ctr_bg sleep 30
	wait_for_child
	kill -KILL "$(ctr_pid1)"
	ctr_wait
	assert_equal "$status" 137
}

@test "cli: a missing command is 127, a non-executable file 126" {
	run -127 ctr /nonexistent/command
	assert_output --partial "/nonexistent/command: command not found"
	printf 'not a program\n' >"$WORK/x/data"
	chmod 644 "$WORK/x/data"
	run -126 ctr "$WORK/x/data"
	assert_output --partial "cannot execute $WORK/x/data"
}

@test "cli: SIGTERM to the runtime reaches the command (a shell with a trap)" {
	ctr_bg sh -c "trap 'exit 143' TERM; $(handshake)"
	wait_for "$WORK/x/ready"
	kill -TERM "$CTR_PID"
	ctr_wait
	assert_equal "$status" 143
}

@test "cli: -v traces the clone in the parent and the exec in the child" {
	run ctr -v true
	assert_success
	assert_line --regexp '^\[parent\] clone3?\(.*CLONE_NEWUTS.*\) = [0-9]+$'
	assert_line '[child] execve("true" found in $PATH)'
	assert_line --regexp '^\[parent\] waitpid\([0-9]+\) = exit code 0$'
}

@test "cli: no fd of the caller's or the runtime's reaches the command (close_range before exec)" {
	# an fd the caller left open (not close-on-exec), as a shell's exec 7< does
	run bash -c "exec 7<$WORK/x; exec $STEP_BIN -- ls /proc/self/fd"
	assert_success
	# 0-2, and 3: the directory ls itself has open to list
	assert_equal "$(echo $output)" "0 1 2 3"
	# seen from the host: the command's own fd table while it runs
	(
		exec 7<"$WORK/x"
		exec "$STEP_BIN" sleep 30
	) >"$WORK/out" 2>&1 &
	CTR_PID=$!
	wait_for_child
	pid=$(ctr_pid1)
	for ((i = 0; i < 100; i++)); do
		# (by name: from step08 the sleep is the rootfs's busybox)
		[ "$(cat /proc/"$pid"/comm 2>/dev/null)" = sleep ] && break
		sleep 0.05
	done
	assert_equal "$(ls /proc/"$pid"/fd | sort -n | xargs)" "0 1 2"
}

@test "cli: installed set-user-ID root, it refuses to run (no root shell for everyone)" {
	cp "$STEP_BIN" "$WORK/run"
	chmod 4755 "$WORK/run"
	run setpriv --reuid 65534 --regid 65534 --clear-groups "$WORK/run" -- touch "$WORK/x/ran"
	assert_equal "$status" 125
	assert_output --partial "refusing to run set-user-ID"
	[ ! -e "$WORK/x/ran" ]
}
