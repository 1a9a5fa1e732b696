#!/usr/bin/env bats
# step10, hostile input: option values no one meant, names that are
# paths, state written by someone else, argument lists near the limit.
# Each is refused with exit 125 and one line that names the bad value, or
# runs as asked; nothing is created on the host, no other process is
# touched, nothing outside the state directory is deleted.

load helpers

# refused ARGS...: the run is exit 125, its first line names the option,
# the second points at --help, and the host is as it was.
refused() {
	local before
	before=$(host_traces)
	run "$STEP_BIN" "$@" -- true
	assert_equal "$status" 125
	assert_line --index 0 --regexp "^$STEP: "
	assert_line --index 1 "Try '$STEP/run --help' for more information."
	assert_equal "${#lines[@]}" 2
	assert_equal "$(host_traces)" "$before"
}

@test "hostile: every option's value empty, negative, huge, overflowing, non-numeric, with unit garbage: 125, one line" {
	local opt value
	for opt in --memory --memory-swap --pids --cpus --cpu-weight --io-weight --map-base --map-size \
		--cpuset-cpus --cpuset-mems; do
		for value in '' -1 99999999999999999999 18446744073709551616 9223372036854775808 abc \
			64Q 1.5.5M M ' 64M' '64M ' 0x10 '1e9' $'64M\n'; do
			[ "$opt" != --memory-swap ] || set -- --memory 64M
			[ "$opt" = --memory-swap ] || set --
			refused "$@" "$opt" "$value"
			assert_line --index 0 --partial "$opt"
		done
	done
	for value in '' nofile nofile= nofile=abc nofile=-1 nofile=1:0 nofile=99999999999999999999 bogus=1 =1; do
		refused --ulimit "$value"
	done
	for value in '' /dev/sda /dev/sda: /dev/sda:-1 /dev/sda:10Q relative:10M; do
		refused --device-read-bps "$value"
	done
	for value in '' bogus 'private '; do
		refused --propagation "$value"
	done
	for value in '' 10.0.0.0 10.0.0.0/99 10.0.0.0/-1 300.0.0.0/30 a.b.c.d/30; do
		refused --net veth --veth-net "$value"
	done
	for value in '' CAP_BOGUS 'chown;' ALLX; do
		refused --cap-add "$value"
	done
}

@test "hostile: names with '/', '..', spaces, a newline, a leading '-', 300 bytes: 125 before anything is made" {
	local name
	for name in / .. ../x a/b 'a b' $'a\nb' -x '' "$(printf 'n%.0s' {1..300})" .hidden 'a*'; do
		refused --name "$name"
		assert_line --index 0 --partial "--name"
	done
	# and a name is never a path for the other commands either
	for name in ../x a/b /etc/passwd ..; do
		run "$STEP_BIN" rm -f "$name"
		assert_equal "$status" 125
		run "$STEP_BIN" exec "$name" true
		assert_equal "$status" 125
	done
	[ -e /etc/passwd ]
}

# forge ID NAME: a record in /run/stepbox that no runtime wrote.
forge() {
	local dir=/run/stepbox/$1
	mkdir -m 700 "$dir"
	: >"$dir/lock"
	ln -s "$1" "/run/stepbox/$2"
	TEARDOWN_EXTRA="${TEARDOWN_EXTRA:-}; rm -rf '$dir' '/run/stepbox/$2'"
}

@test "hostile: a forged record naming a live process of someone else: kill, exec, ps and rm leave that process alone" {
	sleep 300 &
	victim=$!
	TEARDOWN_EXTRA="kill $victim"
	forge a0a0a0a0a0a0 forged
	jq -n --argjson pid "$victim" '{ociVersion: "1.0.2", id: "a0a0a0a0a0a0", status: "running",
		pid: $pid, created: "2026-01-01T00:00:00Z", stepbox: {name: "forged", startTime: 1,
		exitCode: -1, detached: true, userns: true, finished: 0, command: "sleep 300"}}' \
		>/run/stepbox/a0a0a0a0a0a0/state.json
	run "$STEP_BIN" list
	assert_line --regexp "^forged +a0a0a0a0a0a0 +$victim +stale "
	for cmd in "kill forged KILL" "exec forged true" "ps forged" "pause forged"; do
		# shellcheck disable=SC2086
		run "$STEP_BIN" $cmd
		assert_equal "$status" 125
		assert_output --partial "container 'forged' is not running any more"
		running "$victim" || fail "'$cmd' signalled process $victim"
	done
	run "$STEP_BIN" rm -f forged
	assert_success
	running "$victim" || fail "rm -f signalled process $victim"
	[ ! -e /run/stepbox/a0a0a0a0a0a0 ]
	[ ! -e /run/stepbox/forged ]
}

@test "hostile: a record naming a directory outside the cgroup tree, not stepbox's, malformed, another user's, or a fifo is refused by the reader OCI's records share; nothing it names is touched" {
	sleep 300 &
	victim=$!
	TEARDOWN_EXTRA="kill $victim"
	mkdir "$WORK/fakecg"
	echo "$victim" >"$WORK/fakecg/cgroup.procs"
	start=$(awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$victim/stat")
	forge d0d0d0d0d0d0 outcg
	jq -n --argjson pid "$victim" --argjson start "$start" --arg dir "$WORK/fakecg" \
		'{ociVersion: "1.0.2", id: "d0d0d0d0d0d0", status: "running", pid: $pid,
		created: "2026-01-01T00:00:00Z", stepbox: {name: "outcg", startTime: $start, cgroups: [$dir]}}' \
		>/run/stepbox/d0d0d0d0d0d0/state.json
	# runc's own record has no "stepbox": not ours to act on
	forge e0e0e0e0e0e0 runcs
	jq -n --argjson pid "$victim" '{ociVersion: "1.0.2", id: "e0e0e0e0e0e0", status: "running", pid: $pid}' \
		>/run/stepbox/e0e0e0e0e0e0/state.json
	for cmd in "kill outcg KILL" "exec outcg true" "rm -f outcg" "kill runcs KILL" "rm -f runcs"; do
		# shellcheck disable=SC2086
		run "$STEP_BIN" $cmd
		assert_equal "$status" 125
		assert_output --partial "its record is not one stepbox wrote, or names what no container has"
		running "$victim" || fail "'$cmd' signalled process $victim"
	done
	run "$STEP_BIN" kill -v outcg KILL
	assert_output --partial "stepbox.cgroups[0] $WORK/fakecg is not a cgroup below /sys/fs/cgroup"
	run "$STEP_BIN" kill -v runcs KILL
	assert_output --partial "state.json: not written by stepbox"
	# each field of a record checked: a type, a range, a time, a length
	# that json-c or strtol would have let through, and an owner
	forge f1f1f1f1f1f1 odd
	local good='{ociVersion: "1.0.2", id: "f1f1f1f1f1f1", status: "running", pid: $pid,
		created: "2026-01-01T00:00:00.5Z", stepbox: {name: "odd", startTime: $start}}'
	local -A bad=(
		['.stepbox.detached = "false"']='"detached" is not true or false'
		['.stepbox.startTime = 18446744073709551615']='"startTime" is not a number'
		['.pid = 0']='"pid" is not a number from 1'
		['.pid = "1"']='"pid" is not a number from 1'
		['.created = "2026-01-01T00:00:00+05:00"']='"created" 2026-01-01T00:00:00+05:00 is not a time'
		['.stepbox.name = "a\u0000b"']='"name" is not a string'
		['.stepbox.cgroups = ["/sys/fs/cgroup/../../etc"]']='is not a cgroup below /sys/fs/cgroup'
	)
	local change
	for change in "${!bad[@]}"; do
		jq -n --argjson pid "$victim" --argjson start "$start" "$good | $change" \
			>/run/stepbox/f1f1f1f1f1f1/state.json
		run "$STEP_BIN" kill -v odd KILL
		echo "$change: $output"
		assert_equal "$status" 125
		assert_output --partial "${bad[$change]}"
		running "$victim" || fail "'$change': kill signalled process $victim"
	done
	# the record as it should be, but another user's: a pid they chose
	jq -n --argjson pid "$victim" --argjson start "$start" "$good" >/run/stepbox/f1f1f1f1f1f1/state.json
	chown 65534 /run/stepbox/f1f1f1f1f1f1/state.json
	run "$STEP_BIN" kill -v odd KILL
	assert_equal "$status" 125
	assert_output --partial "owned by uid 65534 with mode 0644, not ours (uid 0)"
	running "$victim"
	# a fifo for a record: read, it would hang every `list`
	forge f0f0f0f0f0f0 fifo
	mkfifo /run/stepbox/f0f0f0f0f0f0/state.json
	run timeout 10 "$STEP_BIN" exec fifo true
	assert_equal "$status" 125
	assert_output --partial "its record is not one stepbox wrote"
	run timeout 10 "$STEP_BIN" list
	assert_success
	refute_output --partial outcg
	refute_output --partial runcs
	refute_output --partial fifo
	refute_output --partial odd
	# nobody holds their locks: cleanup removes them, and only them
	run "$STEP_BIN" cleanup
	assert_success
	[ ! -e /run/stepbox/d0d0d0d0d0d0 ] && [ ! -e /run/stepbox/outcg ]
	[ ! -e /run/stepbox/e0e0e0e0e0e0 ] && [ ! -e /run/stepbox/runcs ]
	[ ! -e /run/stepbox/f0f0f0f0f0f0 ] && [ ! -e /run/stepbox/fifo ]
	[ ! -e /run/stepbox/f1f1f1f1f1f1 ] && [ ! -e /run/stepbox/odd ]
	[ -d "$WORK/fakecg" ]
	running "$victim"
}

@test "hostile: records and names that are links lead nowhere: the files they point at are never read out or removed" {
	echo secret >"$WORK/target"
	forge b0b0b0b0b0b0 linked
	ln -s "$WORK/target" /run/stepbox/b0b0b0b0b0b0/state.json
	ln -s "$WORK/target" /run/stepbox/b0b0b0b0b0b0/log
	ln -s "../..$WORK" /run/stepbox/outside
	ln -s "$WORK" /run/stepbox/c0c0c0c0c0c0
	TEARDOWN_EXTRA="$TEARDOWN_EXTRA; rm -f /run/stepbox/outside /run/stepbox/c0c0c0c0c0c0"
	run "$STEP_BIN" exec outside true
	assert_equal "$status" 125
	assert_output --partial "no container 'outside'"
	run "$STEP_BIN" logs linked
	assert_equal "$status" 125
	refute_output --partial secret
	run "$STEP_BIN" list
	refute_output --partial secret
	run "$STEP_BIN" cleanup
	assert_success
	assert_equal "$(cat "$WORK/target")" secret
	[ -d "$WORK" ]
	[ ! -e /run/stepbox/b0b0b0b0b0b0 ]
	[ ! -e /run/stepbox/outside ]
	[ ! -e /run/stepbox/linked ]
}

@test "hostile: rootless, a state directory someone else made (or anyone may write) is refused" {
	user_rootfs
	mkdir -m 755 "$XDG_RUNTIME_DIR/stepbox"
	run as_user "$WORK/run" --rootfs "$WORK/userfs" -- true
	assert_equal "$status" 125
	assert_output --partial "$XDG_RUNTIME_DIR/stepbox is not a directory of yours that only you may use (mode 0700)"
	chown 65534 "$XDG_RUNTIME_DIR/stepbox"
	chmod 777 "$XDG_RUNTIME_DIR/stepbox"
	run as_user "$WORK/run" --rootfs "$WORK/userfs" -- true
	assert_equal "$status" 125
	rmdir "$XDG_RUNTIME_DIR/stepbox"
	ln -s /tmp "$XDG_RUNTIME_DIR/stepbox"
	run as_user "$WORK/run" --rootfs "$WORK/userfs" -- true
	assert_equal "$status" 125
	assert_output --partial "not a directory of yours"
	rm "$XDG_RUNTIME_DIR/stepbox"
	# its own, 0700: fine
	run as_user "$WORK/run" --rootfs "$WORK/userfs" -- true
	assert_success
}

@test "hostile: a 100 KiB argument and a megabyte of environment reach the command whole, in run and exec" {
	local big env=() exec_env=() i
	big=$(head -c 100000 /dev/zero | tr '\0' a)
	for i in 1 2 3 4 5 6 7 8 9 10; do
		env+=("BIG$i=$big")
		exec_env+=(-e "BIG$i=$big")
	done
	before=$(host_traces)
	run env "${env[@]}" "$STEP_BIN" -- sh -c 'echo ${#1} ${#BIG1} ${#BIG10}' sh "$big"
	assert_success
	assert_output "100000 100000 100000"
	ctr_bg --name big -- sh -c "$(handshake)"
	TEARDOWN_EXTRA='"$STEP_BIN" rm -f big >/dev/null 2>&1'
	wait_for "$WORK/x/ready"
	run "$STEP_BIN" exec "${exec_env[@]}" big sh -c 'echo ${#1} ${#BIG1} ${#BIG10}' sh "$big"
	assert_success
	assert_output "100000 100000 100000"
	go
	ctr_wait
	assert_success
	assert_equal "$(host_traces)" "$before"
}

# --- the runtime's binary, from inside (CVE-2019-5736) ---------------------
#
# Each attack runs on a copy of the runtime in $WORK ($RUNTIME_COPY), never
# on the build: if the defence fails, only the copy is overwritten. The
# container runs without a user namespace (--userns off; the OCI bundle
# has none), so that its root may write the host's root-owned files. The
# attacker is /bin/breakout's `exe` mode (tests/breakout/breakout.c); the
# runtime is brought to run inside by a command that is the script
# `#!/proc/self/exe` ($WORK/x/evil): the kernel runs its interpreter, the
# file the runtime's own process runs.

# copy_runtime: $RUNTIME_COPY, the runtime under attack, and $RUNTIME_SUM,
# its sha256; $WORK/x/evil, the script that runs it again inside. Skips
# when the runtime cannot run inside the rootfs at all (linked
# dynamically, as make test-asan builds it: no ld.so in the rootfs).
copy_runtime() {
	if ldd "$STEP_BIN" >/dev/null 2>&1; then
		skip "a dynamically linked runtime cannot run inside the busybox rootfs"
	fi
	RUNTIME_COPY="$WORK/run-copy"
	cp "$STEP_BIN" "$RUNTIME_COPY"
	RUNTIME_SUM=$(sha256sum <"$RUNTIME_COPY")
	printf '#!/proc/self/exe\n' >"$WORK/x/evil"
	chmod 755 "$WORK/x/evil"
}

# full_pipe: fd 7, a FIFO that is full: the runtime run inside with it as
# stderr stops in its first write (its error: no rootfs in there) and
# stays, in the container, until the test empties it (drain_pipe).
full_pipe() {
	mkfifo "$WORK/x/pipe"
	exec 7<>"$WORK/x/pipe"
	dd if=/dev/zero of="$WORK/x/pipe" bs=4096 count=1024 oflag=nonblock 2>/dev/null || true
}

# drain_pipe: read fd 7's FIFO empty: the runtime inside finishes its
# write and exits. (Closing fd 7 would not do: the runtime's processes
# hold it too, as a reader, for it was opened read-write.)
drain_pipe() {
	dd if="$WORK/x/pipe" of=/dev/null bs=65536 count=64 iflag=nonblock 2>/dev/null || true
}

# until_inside: wait (5 s) until the runtime runs inside as the script's
# interpreter: a process whose command line is "/proc/self/exe .../evil".
until_inside() {
	local i
	for ((i = 0; i < 100; i++)); do
		pgrep -f "^/proc/self/exe $WORK/x/evil" >/dev/null && return 0
		sleep 0.05
	done
	echo "the runtime never ran inside as $WORK/x/evil's interpreter" >&2
	return 1
}

# exec_until_held CMD...: run CMD (an exec of $WORK/x/evil) until the
# attacker's output, $EXE_OUT, says it holds the runtime (at most 30
# times: the runtime inside lives a millisecond), then wait (5 s) for the
# attacker's last word.
exec_until_held() {
	local i
	for ((i = 0; i < 30; i++)); do
		"$@" >/dev/null 2>&1 || true
		grep -q "breakout: exe: holding" "$EXE_OUT" && break
	done
	for ((i = 0; i < 100; i++)); do
		grep -qE "breakout: exe: (reopen|write|out)" "$EXE_OUT" && return 0
		sleep 0.05
	done
	cat "$EXE_OUT" >&2
	return 1
}

@test "hostile: CVE-2019-5736, run --userns off: the command is #!/proc/self/exe; the runtime it runs inside is a sealed copy, not the host's file" {
	copy_runtime
	full_pipe
	"$RUNTIME_COPY" --userns off --name exe1 -V "$WORK/x:$WORK/x" -- "$WORK/x/evil" >"$WORK/out" 2>&7 &
	CTR_PID=$!
	until_inside
	# the container's PID 1 is the runtime; another of its processes holds
	# its file and tries to write (busy while PID 1 runs it)
	run timeout 30 "$STEP_BIN" exec exe1 /bin/breakout exe 1 0.3
	assert_equal "$status" 1
	assert_line --index 0 "breakout: exe: holding /proc/1/exe -> /memfd:stepbox:run-copy (deleted), a sealed memfd"
	assert_line --index 1 "breakout: exe: reopen for writing: Text file busy"
	drain_pipe
	wait "$CTR_PID" || true
	assert_equal "$(sha256sum <"$RUNTIME_COPY")" "$RUNTIME_SUM"
}

@test "hostile: CVE-2019-5736, exec --userns off: the runtime run inside by exec is a sealed copy; once it is gone, writing to it is EPERM" {
	copy_runtime
	# The container started with the build's runtime, and exec with the
	# copy, as after an upgrade: no process runs the copy but exec's own,
	# so the file is no longer busy once exec has returned.
	EXE_OUT="$WORK/x/exe.out"
	"$STEP_BIN" -d --userns off --name exe2 -V "$WORK/x:$WORK/x" -- \
		sh -c 'exec /bin/breakout exe any 10 >"$1"' sh "$EXE_OUT" >/dev/null
	TEARDOWN_EXTRA='"$STEP_BIN" rm -f exe2 >/dev/null 2>&1'
	exec_until_held "$RUNTIME_COPY" exec exe2 "$WORK/x/evil"
	run cat "$EXE_OUT"
	assert_line --index 0 --regexp "^breakout: exe: holding /proc/[0-9]+/exe -> /memfd:stepbox:run-copy \(deleted\), a sealed memfd$"
	assert_line --index 1 "breakout: exe: write: Operation not permitted"
	assert_equal "$(sha256sum <"$RUNTIME_COPY")" "$RUNTIME_SUM"
}

# oci_bundle: the OCI test files' bundle and functions (oci-helpers.bash:
# base_config, edit, create, oci, ...), in a $WORK of their own.
oci_bundle() {
	rm -rf "$WORK"
	# shellcheck source=tests/oci-helpers.bash
	source "$BATS_TEST_DIRNAME/oci-helpers.bash"
	setup
}

@test "hostile: CVE-2019-5736, OCI create+start: process.args #!/proc/self/exe; the runtime it runs inside is a sealed copy" {
	oci_bundle
	copy_runtime
	full_pipe
	edit '.process.args = [$evil]' --arg evil "$WORK/x/evil"
	IDS+=(exe3)
	timeout 30 "$RUNTIME_COPY" --root "$OCI_ROOT" create --bundle "$BUNDLE" exe3 </dev/null >"$WORK/out" 2>&7
	timeout 30 "$RUNTIME_COPY" --root "$OCI_ROOT" start exe3
	until_inside
	# the container's process, with its capabilities, as podman exec gives them
	jq '.process | .args = ["/bin/breakout", "exe", "1", "0.3"]' "$BUNDLE/config.json" >"$WORK/attack.json"
	run oci exec --process "$WORK/attack.json" exe3
	assert_equal "$status" 1
	assert_line --index 0 "breakout: exe: holding /proc/1/exe -> /memfd:stepbox:run-copy (deleted), a sealed memfd"
	assert_line --index 1 "breakout: exe: reopen for writing: Text file busy"
	drain_pipe
	until_status exe3 stopped
	assert_equal "$(sha256sum <"$RUNTIME_COPY")" "$RUNTIME_SUM"
}

@test "hostile: CVE-2019-5736, OCI exec --process: the runtime run inside by exec is a sealed copy; once it is gone, writing to it is EPERM" {
	oci_bundle
	copy_runtime
	edit '.process.args = ["/bin/breakout", "exe", "any", "10"]'
	create exe4
	run oci start exe4
	assert_success
	jq --arg evil "$WORK/x/evil" '.process | .args = [$evil]' "$BUNDLE/config.json" >"$WORK/evil.json"
	EXE_OUT="$WORK/exe4.out"
	exec_until_held timeout 30 "$RUNTIME_COPY" --root "$OCI_ROOT" exec --process "$WORK/evil.json" exe4
	run cat "$EXE_OUT"
	assert_line --index 0 --regexp "^breakout: exe: holding /proc/[0-9]+/exe -> /memfd:stepbox:run-copy \(deleted\), a sealed memfd$"
	assert_line --index 1 "breakout: exe: write: Operation not permitted"
	assert_equal "$(sha256sum <"$RUNTIME_COPY")" "$RUNTIME_SUM"
}
