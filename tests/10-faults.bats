#!/usr/bin/env bats
# step10, reliability: the runtime killed with SIGKILL at each phase of
# making a container, and the other ways a run can end badly. Whatever
# happens, the container's processes do not outlive the runtime, and the
# next run or `cleanup` leaves the host as it was: no cgroup, no mount,
# no state directory.

load helpers

# kill_at PHASE SYSCALL: run step10 with every mechanism on, held by
# strace at the first SYSCALL (in the runtime itself, not its child);
# once PHASE's mark is on the host, SIGKILL the runtime there.
kill_at() {
	local phase=$1 syscall=$2 i runtime
	command -v strace >/dev/null || skip "strace is not installed (make deps)"
	TEARDOWN_EXTRA=teardown_extra
	strace -o /dev/null -e trace="$syscall" -e inject="$syscall":delay_enter=30000000:when=1 \
		"$STEP_BIN" "${WORK_VOLUME[@]}" --memory 64M --pids 64 -- sleep 61 >"$WORK/out" 2>&1 &
	CTR_PID=$!
	for ((i = 0; i < 1500; i++)); do
		marked "$phase" && break
		sleep 0.02
	done
	marked "$phase"
	runtime=$(pgrep -P "$CTR_PID" -x run | head -n1)
	[ -n "$runtime" ]
	kill -KILL "$runtime"
	wait "$CTR_PID" || true
	CTR_PID=
}

teardown_extra() {
	# a test that failed before its kill: strace's tracee would run on
	pkill -KILL -f -- '-- sleep 61$' 2>/dev/null || true
}

# marked PHASE: the host shows that the runtime has got that far.
marked() {
	case $1 in
	cgroup) [ -n "$(find /sys/fs/cgroup -maxdepth 3 -path '*stepbox/*' -type d 2>/dev/null)" ] ;;
	overlay) awk '$5 ~ "^/run/stepbox/[0-9a-f]+/merged$"' /proc/self/mountinfo | grep -q . ;;
	clone) compgen -G '/run/stepbox/*/state.json.tmp' >/dev/null ;; # written once the child exists
	esac
}

# the container's processes are gone with the runtime, and cleanup
# removes the rest
assert_nothing_outlives() {
	local i
	for ((i = 0; i < 100; i++)); do
		pgrep -f '^sleep 61$' >/dev/null || break
		sleep 0.05
	done
	run pgrep -f '^sleep 61$'
	assert_failure
}

@test "faults: SIGKILL after the cgroup is made: cleanup removes it and the state" {
	before=$(host_traces)
	kill_at cgroup fsopen
	[ -n "$(host_traces)" ] # left behind, as a killed runtime must
	assert_nothing_outlives
	run "$STEP_BIN" cleanup
	assert_success
	assert_output --partial "removing stale cgroup"
	assert_equal "$(host_traces)" "$before"
}

@test "faults: SIGKILL after the overlay is mounted: cleanup unmounts it" {
	before=$(host_traces)
	kill_at overlay clone,clone3
	awk '$5 ~ "^/run/stepbox/"' /proc/self/mountinfo | grep -q merged
	assert_nothing_outlives
	run "$STEP_BIN" cleanup
	assert_success
	assert_equal "$(host_traces)" "$before"
}

@test "faults: SIGKILL after clone: the waiting child dies with the runtime; the next run tidies up" {
	before=$(host_traces)
	kill_at clone renameat
	assert_nothing_outlives
	# no process of the container is left at all, not only the command
	run pgrep -f -- '-- sleep 61$'
	assert_failure
	# the next run, not cleanup, removes what the killed one left
	run ctr -- true
	assert_success
	assert_equal "$(host_traces)" "$before"
}

@test "faults: SIGKILL while it runs: the container goes with it; cleanup leaves the host as it was" {
	before=$(host_traces)
	ctr_bg --memory 64M -- sleep 61
	for ((i = 0; i < 200; i++)); do
		pgrep -f '^sleep 61$' >/dev/null && break
		sleep 0.05
	done
	pgrep -f '^sleep 61$' >/dev/null
	kill -KILL "$CTR_PID"
	wait "$CTR_PID" || true
	CTR_PID=
	assert_nothing_outlives
	run "$STEP_BIN" cleanup
	assert_success
	assert_equal "$(host_traces)" "$before"
}

@test "faults: a command that is not a program (exec format error) is 126, and nothing is left" {
	before=$(host_traces)
	# an ELF header and nothing else: execve says ENOEXEC (execvp would
	# have run it with /bin/sh, and the shell said "not found", 127)
	printf '\177ELF\002\001\001garbage\n' >"$WORK/x/notelf"
	chmod 755 "$WORK/x/notelf"
	run -126 ctr --memory 64M -- "$WORK/x/notelf"
	assert_output "step10-exec: cannot execute $WORK/x/notelf: Exec format error (not a program for this machine; a script needs a #! line)"
	assert_equal "$(host_traces)" "$before"
}

@test "faults: killed by a signal is 128+N, a failing command its own status; nothing is left" {
	before=$(host_traces)
	# (--init: PID 1 itself cannot be killed from inside its namespace)
	run ctr --init --memory 64M -- sh -c 'kill -KILL $$'
	assert_failure 137
	run ctr --memory 64M -- sh -c 'exit 42'
	assert_failure 42
	assert_equal "$(host_traces)" "$before"
}

@test "faults: a rootfs on a read-only file system runs (the overlay writes elsewhere), and leaves nothing" {
	before=$(host_traces)
	mkdir "$WORK/ro"
	mount --bind "$ROOTFS" "$WORK/ro"
	mount -o remount,bind,ro "$WORK/ro"
	run ctr --rootfs "$WORK/ro" -- sh -c "$IN_ROOTFS"'echo written > /etc/new && cat /etc/new'
	umount "$WORK/ro"
	assert_success
	assert_output written
	[ ! -e "$ROOTFS/etc/new" ]
	assert_equal "$(host_traces)" "$before"
}

@test "faults: /run/stepbox full: 125 with the reason, and nothing is left" {
	# a small tmpfs over /run/stepbox, filled, in a mount namespace of the test's own
	run unshare -m --propagation private sh -c "
		mkdir -p /run/stepbox && mount -t tmpfs -o size=64k,mode=700 tmpfs /run/stepbox &&
		dd if=/dev/zero of=/run/stepbox/filler bs=4k count=100 2>/dev/null;
		'$STEP_BIN' ${WORK_VOLUME[*]} --memory 64M -- true; echo status=\$?;
		rm /run/stepbox/filler; ls -A /run/stepbox"
	assert_line status=125
	assert_output --regexp 'No space left on device'
	# nothing in it but the tree's lock, and no cgroup on the host
	assert_equal "$(sed -n '/^status=/,$p' <<<"$output" | tail -n +2 | grep -vx '.lock')" ""
	[ -z "$(find /sys/fs/cgroup -maxdepth 3 -path '*stepbox/*' -type d 2>/dev/null)" ]
}
