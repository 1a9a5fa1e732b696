#!/usr/bin/env bats
# step10: containers with names. run --name/-d, exec (setns into a running
# container), list, ps, kill, rm, logs, pause/resume, cleanup. Each claim
# is checked inside the container and on the host, and every test leaves
# /run/stepbox and the cgroup tree as it found them.

load helpers

# The subcommands take no -V: they run the step's binary directly.
sbx() {
	timeout 60 "$STEP_BIN" "$@"
}

# start NAME [OPTIONS] -- COMMAND...: a detached container NAME; its ID in $ID, the
# host pid of its first process in $PID1. Teardown removes it.
start() {
	local name=$1
	shift
	run ctr --name "$name" -d "$@"
	assert_success
	assert_output --regexp '^[0-9a-f]{12}$'
	ID=$output
	NAMES+=("$name")
	TEARDOWN_EXTRA='for n in "${NAMES[@]}"; do "$STEP_BIN" rm -f "$n" >/dev/null 2>&1; done'
	PID1=$(jq -r .pid "/run/stepbox/$ID/state.json")
	[ -n "$PID1" ]
}

# field ID FILTER: one field of a container's record (its state.json), as
# jq's FILTER picks it: .status, .pid, .stepbox.name ...
field() {
	jq -r "$2" "/run/stepbox/$1/state.json"
}

# the container's cgroup directory on the host holding the pids/freezer
cgroup_dir() {
	if cgroup_v2; then echo "/sys/fs/cgroup/stepbox/$1"; else echo "/sys/fs/cgroup/freezer/stepbox/$1"; fi
}

# nothing of container ID is left on the host
assert_gone() {
	[ ! -e "/run/stepbox/$1" ]
	[ -z "$(find /sys/fs/cgroup -maxdepth 3 -name "$1" 2>/dev/null)" ]
	[ -z "$(find /run/stepbox -maxdepth 1 -type l -lname "$1" 2>/dev/null)" ]
}

@test "exec: -d prints the ID, the name leads to it, the runtime holds its lock; rm -f leaves nothing" {
	start web -- sh -c 'echo started; sleep 60'
	[ "$(readlink /run/stepbox/web)" = "$ID" ]
	assert_equal "$(field "$ID" .status)" running
	assert_equal "$(field "$ID" .stepbox.name)" web
	# the lock is held (by the monitor) while the container lives
	run flock -n "/run/stepbox/$ID/lock" true
	assert_failure
	running "$PID1"
	run sbx list
	assert_success
	assert_line --regexp "^web +$ID +$PID1 +running +[0-9]+s +sh -c echo started; sleep 60$"
	run sbx logs web
	assert_output started
	run sbx rm -f web
	assert_success
	until_gone "$PID1"
	assert_gone "$ID"
}

@test "exec: joins every namespace of the container's first process" {
	start web -- sleep 60
	local want got
	for ns in user mnt uts ipc net pid cgroup; do
		want+="$ns $(stat -L -c %i "/proc/$PID1/ns/$ns");"
	done
	run sbx exec web sh -c 'for ns in user mnt uts ipc net pid cgroup; do printf "%s %s;" $ns $(stat -L -c %i /proc/self/ns/$ns); done'
	assert_success
	assert_output "$want"
	# and they are not the host's
	[ "$(stat -L -c %i /proc/self/ns/mnt)" != "$(stat -L -c %i "/proc/$PID1/ns/mnt")" ]
}

@test "exec: sees the container's hostname, files and processes, as its root" {
	start web -n boxed -- sh -c "echo from-init > /tmp/made-by-init; sleep 60"
	run sbx exec web sh -c 'hostname; cat /tmp/made-by-init; ps -o comm | grep -cx sleep; id -u; echo $$'
	assert_success
	assert_line -n 0 boxed
	assert_line -n 1 from-init
	assert_line -n 2 1
	assert_line -n 3 0
	# a pid of the container's PID namespace: small, not the host's
	[ "${lines[4]}" -lt 100 ]
	# the host's /tmp has no such file
	[ ! -e /tmp/made-by-init ]
}

@test "exec: the process is in the container's cgroup and is uid 100000 on the host" {
	start web -- sleep 60
	sbx exec web sh -c "touch $WORK/x/in; sleep 30" &
	local bg=$! pid= i
	wait_for "$WORK/x/in"
	for ((i = 0; i < 100; i++)); do
		pid=$(pgrep -f '^sleep 30$' | head -n1)
		[ -n "$pid" ] && break
		sleep 0.05
	done
	[ -n "$pid" ]
	run cat "/proc/$pid/cgroup"
	assert_output --partial "stepbox/$ID"
	assert_equal "$(stat -c %u "/proc/$pid")" 100000
	# the same PID namespace as the first process: its NSpid has two levels
	assert_equal "$(awk '$1 == "NSpid:" { print NF - 1 }' "/proc/$pid/status")" 2
	run sbx ps web
	assert_success
	assert_line --regexp "^$PID1 +1 +sleep 60$"
	assert_line --regexp "^$pid +[0-9]+ +sleep 30$"
	kill "$bg"
	wait "$bg" || true
}

@test "exec: the command's exit status is returned; 127 for a missing command" {
	start web -- sleep 60
	run sbx exec web sh -c 'exit 7'
	assert_equal "$status" 7
	run -127 sbx exec web no-such-command
	assert_equal "$status" 127
	assert_output --partial "no-such-command"
}

@test "exec: --env and --workdir; a missing workdir is 125" {
	start web -- sleep 60
	run sbx exec -e GREETING=hello --workdir /etc web sh -c 'echo $GREETING; pwd'
	assert_success
	assert_output $'hello\n/etc'
	run sbx exec --workdir /no/such/dir web true
	assert_equal "$status" 125
	assert_output --partial '/no/such/dir'
	run sbx exec -e NOEQUALS web true
	assert_equal "$status" 125
	assert_output --partial 'VAR=VALUE'
}

@test "exec: --workdir /proc/self/fd/N never lands in a host directory (CVE-2024-21626)" {
	# A host-only file beside the container's view of $WORK/x: reached
	# only from a host directory, going up.
	echo host-secret >"$WORK/secret"
	start web -- sleep 60
	local n
	# The joiner holds the pidfd, the namespace fds, its sync pipe and,
	# on cgroup v2, the cgroup's directory (clone3's CLONE_INTO_CGROUP)
	# while it enters the workdir: a magic link to any of them is refused.
	for n in 3 4 5 6 7 8 9 10 11 12; do
		run sbx exec --workdir "/proc/self/fd/$n" web sh -c "pwd; for d in . .. ../.. ../../.. ../../../.. ../../../../..; do cat \$d/secret \$d$WORK/secret; done 2>/dev/null; true"
		echo "--workdir /proc/self/fd/$n: $status: $output"
		refute_output --partial host-secret
		assert_equal "$status" 125
		assert_output --partial "--workdir: /proc/self/fd/$n"
	done
	# a link inside the rootfs is followed inside it
	run sbx exec --workdir /proc/self/cwd/etc web pwd
	assert_failure 125
	run sbx exec --workdir /usr/../etc web pwd
	assert_success
	assert_output /etc
}

@test "exec: the exec'd command inherits no fd of the runtime" {
	start web -- sleep 60
	# what a child of the exec'd shell inherited (ls's own fd would show
	# in /proc/self/fd): 0 1 2 only
	# stdin given as /dev/null: the runner's own may be closed, and then
	# rightly the command has no fd 0 either
	# (the sleep first finishes its own start: a background job's stdin
	# is closed, then /dev/null opened, by the shell in the child)
	run sbx exec web sh -c 'sleep 2 & sleep 0.5; ls /proc/$!/fd' </dev/null
	assert_success
	assert_output $'0\n1\n2'
}

@test "rootless: the joining process is not dumpable: root inside, the same user on the host, cannot open its fds (CVE-2016-9962)" {
	# Rootless, root inside is the caller's own uid on the host, and the
	# joiner keeps that uid all along: only PR_SET_DUMPABLE keeps root
	# inside out of /proc/JOINER/fd (as root, the joiner's change of uid
	# would make it non-dumpable anyway). Root inside watches for a
	# process not its own (comm "run": the joiner, until its execve).
	user_rootfs
	run as_user "$WORK/run" run --name dump -d --rootfs "$WORK/userfs" -- sh -c 'while :; do for p in /proc/[0-9]*; do
		[ "$(cat $p/comm 2>/dev/null)" = run ] || continue
		if ls $p/fd >/dev/null 2>&1; then echo "listed ${p#/proc/}"; else echo "denied ${p#/proc/}"; fi
	done; sleep 0.05; done'
	assert_success
	TEARDOWN_EXTRA="as_user '$WORK/run' rm -f dump >/dev/null 2>&1"
	# strace holds the joiner 2 s at its execve, after it has joined: the
	# window
	run as_user strace -f -qq -o /dev/null -e trace=execve -e inject=execve:delay_enter=2000000 \
		"$WORK/run" exec dump true </dev/null
	assert_success
	run as_user "$WORK/run" logs dump
	assert_output --regexp 'denied [0-9]+'
	refute_output --partial listed
	run as_user "$WORK/run" rm -f dump
	assert_success
}

@test "exec: ten at once, while the container is busy" {
	start web -- sh -c 'while :; do :; done'
	local pids=() i
	for i in $(seq 10); do
		sbx exec web sh -c "echo $i > /tmp/$i" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
	run sbx exec web sh -c 'cat /tmp/1 /tmp/2 /tmp/3 /tmp/4 /tmp/5 /tmp/6 /tmp/7 /tmp/8 /tmp/9 /tmp/10 | wc -l'
	assert_output 10
}

@test "exec: a name that does not exist, a bad name, an exited container: 125 and a clear reason" {
	run sbx exec no-such-box true
	assert_equal "$status" 125
	assert_output --partial "no container 'no-such-box'"
	run sbx exec ../../etc true
	assert_equal "$status" 125
	assert_output --partial "no container"
	start done -- sh -c 'exit 3'
	until_gone "$PID1"
	for ((i = 0; i < 100; i++)); do
		[ "$(field "$ID" .status)" = exited ] && break
		sleep 0.05
	done
	run sbx exec done true
	assert_equal "$status" 125
	assert_output --partial "has exited (exit code 3)"
	run sbx list
	assert_line --regexp "^done +$ID +[0-9]+ +exited \(3\)"
}

@test "exec: a stale record (the pid's start time differs) is never acted on" {
	start web -- sleep 60
	# As if the container had exited and its pid been reused: the record's
	# start time no longer matches the process that has that pid.
	# The true record back when the test ends, however it ends: teardown's
	# rm -f then stops the container at once, rather than waiting out the
	# sleep of a container it must not touch.
	cp "/run/stepbox/$ID/state.json" "$WORK/state.orig"
	TEARDOWN_EXTRA="cat $WORK/state.orig >/run/stepbox/$ID/state.json; $TEARDOWN_EXTRA"
	jq -c '.stepbox.startTime = 1' "/run/stepbox/$ID/state.json" >"$WORK/state.json"
	cat "$WORK/state.json" >"/run/stepbox/$ID/state.json"
	run sbx kill web KILL
	assert_equal "$status" 125
	assert_output --partial "not running"
	run sbx exec web true
	assert_equal "$status" 125
	running "$PID1"
}

@test "run: a name that is taken is refused, and the running container is untouched" {
	start web -- sleep 60
	run ctr --name web -d -- true
	assert_equal "$status" 125
	assert_output --partial "the name 'web' is taken by container $ID"
	running "$PID1"
	assert_equal "$(readlink /run/stepbox/web)" "$ID"
	# only the first one's state directory
	assert_equal "$(find /run/stepbox -mindepth 1 -maxdepth 1 -type d | wc -l)" 1
}

@test "run: bad names are refused before anything is made" {
	for name in 'a/b' '..' 'with space' "$(printf 'new\nline')" "$(printf 'x%.0s' $(seq 300))" 0123456789ab -dash; do
		run ctr --name "$name" -- true
		assert_equal "$status" 125
		assert_output --partial -- "--name"
	done
	[ -z "$(ls -A /run/stepbox 2>/dev/null | grep -v '^\.lock$')" ]
}

@test "kill: TERM by default; names with or without SIG, and numbers" {
	start web -- sh -c "trap 'echo got-usr1 > $WORK/x/usr1' USR1; trap 'exit 42' TERM; touch $WORK/x/ready; while :; do sleep 0.1; done"
	wait_for "$WORK/x/ready"
	run sbx kill web SIGUSR1
	assert_success
	wait_for "$WORK/x/usr1"
	run sbx kill web NOSUCHSIG
	assert_equal "$status" 125
	running "$PID1"
	run sbx kill web
	assert_success
	until_gone "$PID1"
	for ((i = 0; i < 100; i++)); do
		[ "$(field "$ID" .status)" = exited ] && break
		sleep 0.05
	done
	assert_equal "$(field "$ID" .stepbox.exitCode)" 42
	run sbx rm web
	assert_success
	assert_gone "$ID"
}

@test "rm: refuses a running container without -f" {
	start web -- sleep 60
	run sbx rm web
	assert_equal "$status" 125
	assert_output --partial "is running"
	running "$PID1"
}

@test "pause: the container stops where it is until resume; exec is refused meanwhile" {
	# (written to a temporary file and renamed: a reader never sees it empty)
	start web -- sh -c "i=0; while :; do i=\$((i + 1)); echo \$i > $WORK/x/count.tmp; mv $WORK/x/count.tmp $WORK/x/count; sleep 0.05; done"
	wait_for "$WORK/x/count"
	run sbx pause web
	assert_success
	if cgroup_v2; then
		assert_equal "$(cat "$(cgroup_dir "$ID")/cgroup.freeze")" 1
	else
		assert_equal "$(cat "$(cgroup_dir "$ID")/freezer.state")" FROZEN
	fi
	run sbx list
	assert_line --regexp "^web +$ID +$PID1 +paused"
	local before
	before=$(cat "$WORK/x/count")
	sleep 0.5
	assert_equal "$(cat "$WORK/x/count")" "$before"
	run sbx exec web true
	assert_equal "$status" 125
	assert_output --partial "paused"
	run sbx resume web
	assert_success
	sleep 0.5
	[ "$(cat "$WORK/x/count")" -gt "$before" ]
}

# cputime PID: user + system CPU time of PID, in clock ticks
cputime() {
	awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}

@test "pause: a paused busy loop gains no CPU time, and gains again after resume" {
	start web -- sh -c 'while :; do :; done'
	sleep 0.3
	run sbx pause web
	assert_success
	local t0 t1
	t0=$(cputime "$PID1")
	sleep 1
	t1=$(cputime "$PID1")
	assert_equal "$t1" "$t0"
	run sbx resume web
	assert_success
	sleep 1
	[ "$(cputime "$PID1")" -gt "$t1" ]
}

@test "cleanup: a monitor killed with -9 leaves state that cleanup removes, by the lock" {
	start web -- sleep 60
	start other -- sleep 60
	local other_id=$ID other_pid=$PID1
	local web_id
	web_id=$(readlink /run/stepbox/web)
	local monitor
	monitor=$(ps -o ppid= -p "$(field "$web_id" .pid)" | tr -d ' ')
	kill -KILL "$monitor"
	until_gone "$(field "$web_id" .pid)"
	run sbx cleanup
	assert_success
	assert_output --partial "removed stale state /run/stepbox/$web_id"
	assert_gone "$web_id"
	# the live one is untouched
	running "$other_pid"
	[ -d "/run/stepbox/$other_id" ]
	[ "$(readlink /run/stepbox/other)" = "$other_id" ]
}

@test "list: --json is valid JSON with the same containers" {
	start web -- sleep 60
	run sbx list --json
	assert_success
	run python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d[0]["name"], d[0]["id"], d[0]["status"])' "$output"
	assert_output "web $ID running"
}

@test "run: the word 'run' is optional, and a foreground named run leaves nothing" {
	run ctr --name fg -- sh -c 'cat /proc/1/comm'
	assert_success
	run "$STEP_BIN" run "${WORK_VOLUME[@]}" --name fg -- true
	assert_success
	[ ! -e /run/stepbox/fg ]
	[ -z "$(ls -A /run/stepbox 2>/dev/null | grep -v '^\.lock$')" ]
}

@test "run: 20 containers at once with distinct names and limits, each exec'd into 20 times; nothing left" {
	local i k pids=() ids=()
	for i in $(seq 20); do
		ctr --name "many$i" -d -n "host$i" --memory 64M --pids 64 -- \
			sh -c "echo $i > /tmp/mark; exec sleep 300" >"$WORK/id.$i" 2>&1 &
		pids+=($!)
		NAMES+=("many$i")
	done
	TEARDOWN_EXTRA='for n in "${NAMES[@]}"; do "$STEP_BIN" rm -f "$n" >/dev/null 2>&1; done'
	for i in $(seq 20); do
		wait "${pids[i - 1]}" || { cat "$WORK/id.$i"; false; }
		ids+=("$(cat "$WORK/id.$i")")
	done
	# twenty distinct IDs, each with a cgroup of its own on the host
	assert_equal "$(printf '%s\n' "${ids[@]}" | sort -u | grep -cE '^[0-9a-f]{12}$')" 20
	for id in "${ids[@]}"; do [ -d "$(cgroup_dir "$id")" ]; done
	# 400 execs, twenty into each container, five at a time (all 400 at
	# once would only measure the emulated VM): each sees its own
	# container's hostname, file and processes, and no other's
	pids=()
	for i in $(seq 20); do
		for k in $(seq 20); do
			sbx exec "many$i" sh -c 'echo "$(hostname) $(cat /tmp/mark) $(ps -o comm | grep -cx sleep)"' \
				>"$WORK/exec.$i.$k" 2>&1 &
			pids+=($!)
			[ $((k % 5)) -ne 0 ] || { wait "${pids[@]}"; pids=(); }
		done
	done
	for i in $(seq 20); do
		for k in $(seq 20); do
			assert_equal "$(cat "$WORK/exec.$i.$k")" "host$i $i 1"
		done
	done
	for i in $(seq 20); do sbx rm -f "many$i"; done
	for id in "${ids[@]}"; do assert_gone "$id"; done
	[ -z "$(ls -A /run/stepbox 2>/dev/null | grep -v '^\.lock$')" ]
}

@test "rootless: names, -d, list, exec, ps, kill, logs and rm, in your own state directory" {
	user_rootfs
	local state=$XDG_RUNTIME_DIR/stepbox
	run as_user "$WORK/run" run --name mine -d -n rootless --rootfs "$WORK/userfs" -- \
		sh -c 'echo up; echo from-init > /tmp/made; exec sleep 60'
	assert_success
	assert_output --regexp '^[0-9a-f]{12}$'
	local id=$output
	TEARDOWN_EXTRA="as_user '$WORK/run' rm -f mine >/dev/null 2>&1"
	# the record is the user's, in the user's directory; root's has none
	assert_equal "$(stat -c %u "$state/$id/state.json")" 65534
	assert_equal "$(readlink "$state/mine")" "$id"
	[ ! -e "/run/stepbox/$id" ]
	local pid1
	pid1=$(jq -r .pid "$state/$id/state.json")
	run as_user "$WORK/run" list
	assert_line --regexp "^mine +$id +$pid1 +running "
	# exec joins every namespace of the first process, as its root
	local want ns
	for ns in user mnt uts ipc net pid cgroup; do
		want+="$ns $(stat -L -c %i "/proc/$pid1/ns/$ns");"
	done
	run as_user "$WORK/run" exec mine sh -c 'for ns in user mnt uts ipc net pid cgroup; do printf "%s %s;" $ns $(stat -L -c %i /proc/self/ns/$ns); done'
	assert_success
	assert_output "$want"
	run as_user "$WORK/run" exec mine sh -c 'hostname; cat /tmp/made; id -u'
	assert_success
	assert_equal "${lines[*]}" "rootless from-init 0"
	# on the host the exec'd process is the user, in the first one's PID
	# namespace; ps finds both without a cgroup
	as_user "$WORK/run" exec mine sh -c "touch /tmp/in; exec sleep 31" &
	local bg=$! pid= i
	for ((i = 0; i < 100; i++)); do
		pid=$(pgrep -f '^sleep 31$' | head -n1)
		[ -n "$pid" ] && break
		sleep 0.05
	done
	[ -n "$pid" ]
	assert_equal "$(stat -c %u "/proc/$pid")" 65534
	assert_equal "$(stat -L -c %i "/proc/$pid/ns/pid")" "$(stat -L -c %i "/proc/$pid1/ns/pid")"
	run as_user "$WORK/run" ps mine
	assert_success
	assert_line --regexp "^$pid1 +1 +sleep 60$"
	assert_line --regexp "^$pid +[0-9]+ +sleep 31$"
	# no cgroup, so no freezer: pause says why
	run as_user "$WORK/run" pause mine
	assert_failure 125
	assert_output --partial "rootless containers have no cgroup"
	run as_user "$WORK/run" kill mine KILL
	assert_success
	until_gone "$pid1"
	wait "$bg" || true
	for ((i = 0; i < 100; i++)); do
		as_user "$WORK/run" list | grep -q 'exited (137)' && break
		sleep 0.05
	done
	run as_user "$WORK/run" list
	assert_line --regexp "^mine +$id +$pid1 +exited \(137\) "
	run as_user "$WORK/run" logs mine
	assert_output up
	run as_user "$WORK/run" rm mine
	assert_success
	assert_equal "$(ls -A "$state")" .lock
}
