#!/usr/bin/env bats
# config.json's hooks, as the runtime-spec orders them: prestart and
# createRuntime in the runtime's namespaces during create, createContainer
# in the container's before pivot_root, startContainer in the container
# just before execve, poststart before start returns, poststop once
# delete has removed the container. Each hook records (in $WORK/x, the
# same path on the host and in the container) its order, the state it
# read on stdin and the namespaces it ran in; the test compares them with
# the host's and with the container's /proc/PID/ns, from outside.

load oci-helpers

# hooks_config [FILTER]: every hook once, each hook.sh NAME; FILTER (jq)
# changes them (.hooks.createRuntime[0].args += ["3"]: exit 3).
hooks_config() {
	cat >"$WORK/x/hook.sh" <<'EOF'
#!/bin/sh
# hook.sh NAME [STATUS]: record this hook (its sequence number, where it
# ran, as whom, what it was given), then exit STATUS.
d=${0%/*}
env_seen="${HOOK_ENV-unset} ${GREETING-unset}"
PATH=/usr/sbin:/usr/bin:/sbin:/bin
seq=$(($(cat "$d/seq" 2>/dev/null || echo 0) + 1))
echo "$seq" >"$d/seq"
cat >"$d/state.$1"
if [ -e /etc/stepbox-rootfs ]; then root=rootfs; else root=host; fi
nnp=$(awk '/^NoNewPrivs/ { print $2 }' /proc/self/status)
echo "$seq $1 $(readlink /proc/self/ns/mnt) $(readlink /proc/self/ns/pid) $root nnp=$nnp $env_seen" >>"$d/hooks.log"
exit "${2:-0}"
EOF
	chmod 755 "$WORK/x/hook.sh"
	local h='{path: ($x + "/hook.sh"), args: ["hook.sh", $n]}'
	edit ".annotations = {\"org.stepbox.test\": \"hooks\"} | .hooks = {
	  prestart: [$h | .args[1] = \"prestart\"],
	  createRuntime: [$h | .args[1] = \"createRuntime\" | .env = [\"HOOK_ENV=given\"]],
	  createContainer: [$h | .args[1] = \"createContainer\"],
	  startContainer: [$h | .args[1] = \"startContainer\"],
	  poststart: [$h | .args[1] = \"poststart\"],
	  poststop: [$h | .args[1] = \"poststop\"]
	} | ${1:-.}" --arg x "$WORK/x" --arg n ""
}

# hook_line SEQ: the fields hook number SEQ recorded.
hook_line() {
	awk -v n="$1" '$1 == n' "$WORK/x/hooks.log"
}

@test "oci hooks: all six in the spec's order, each with the state on stdin, in the runtime's or the container's namespaces" {
	args 'sleep 100'
	hooks_config
	host_mnt=$(readlink /proc/self/ns/mnt)
	host_pid=$(readlink /proc/self/ns/pid)
	create h1
	# create ran the first three, in order; the command has not run.
	run cat "$WORK/x/hooks.log"
	assert_equal "${#lines[@]}" 3
	ctr_mnt=$(readlink "/proc/$PID/ns/mnt")
	ctr_pid=$(readlink "/proc/$PID/ns/pid")
	[ "$ctr_mnt" != "$host_mnt" ] && [ "$ctr_pid" != "$host_pid" ]
	# prestart, createRuntime: the host's namespaces, the host's pid;
	# createRuntime's env is its own (HOOK_ENV), not the container's.
	assert_equal "$(hook_line 1)" "1 prestart $host_mnt $host_pid host nnp=0 unset unset"
	assert_equal "$(hook_line 2)" "2 createRuntime $host_mnt $host_pid host nnp=0 given unset"
	# createContainer: the container's namespaces, the host's tree
	# still there (before pivot_root)
	assert_equal "$(hook_line 3)" "3 createContainer $ctr_mnt $ctr_pid host nnp=0 unset unset"
	for h in prestart createRuntime; do
		run jq -c '[.ociVersion, .id, .status, .pid, .bundle, .annotations]' "$WORK/x/state.$h"
		assert_output "[\"1.0.2\",\"h1\",\"creating\",$PID,\"$BUNDLE\",{\"org.stepbox.test\":\"hooks\"}]"
	done
	run jq -c '[.status, .pid, .bundle]' "$WORK/x/state.createContainer"
	assert_output "[\"creating\",1,\"$BUNDLE\"]"
	# start: startContainer in the container, after pivot_root (its /
	# is the rootfs), as the command (no_new_privs: after the lock-down),
	# with the container's environment; then poststart in the host's,
	# before start returns.
	run oci start h1
	assert_success
	run cat "$WORK/x/hooks.log"
	assert_equal "${#lines[@]}" 5
	assert_equal "$(hook_line 4)" "4 startContainer $ctr_mnt $ctr_pid rootfs nnp=1 unset hi"
	assert_equal "$(hook_line 5)" "5 poststart $host_mnt $host_pid host nnp=0 unset unset"
	run jq -c '[.id, .status, .pid]' "$WORK/x/state.startContainer"
	assert_output '["h1","created",1]'
	run jq -c '[.id, .status, .pid, .annotations]' "$WORK/x/state.poststart"
	assert_output "[\"h1\",\"running\",$PID,{\"org.stepbox.test\":\"hooks\"}]"
	# the command runs, with the same pid
	running "$PID"
	grep -q sleep "/proc/$PID/cmdline"
	# delete: poststop, once the container is gone
	run oci delete --force h1
	assert_success
	assert_equal "$(hook_line 6)" "6 poststop $host_mnt $host_pid host nnp=0 unset unset"
	run jq -c '[.id, .status, .pid, .bundle]' "$WORK/x/state.poststop"
	assert_output "[\"h1\",\"stopped\",null,\"$BUNDLE\"]"
	! running "$PID"
	assert_no_traces
}

@test "oci hooks: argv[0] and env as given; stdout is the runtime's; no fd of the runtime's but 0-2" {
	args 'true'
	edit '.hooks = {createRuntime: [
	  {path: "/bin/sh", args: ["given-argv0", "-c", "tr \"\\0\" \" \" </proc/$$/cmdline; echo"]},
	  {path: "/usr/bin/env", args: ["env"], env: ["A=1", "B=two words"]},
	  {path: "/bin/ls", args: ["ls", "/proc/self/fd"]}
	]}'
	create h2
	run cat "$WORK/h2.out"
	assert_line --index 0 --regexp '^given-argv0 -c tr '
	# exactly the env given: nothing of the runtime's
	assert_line --index 1 'A=1'
	assert_line --index 2 'B=two words'
	# ls's own fds: 0-2 and the directory it reads
	assert_equal "$(sed -n '4,$p' "$WORK/h2.out" | tr '\n' ' ')" "0 1 2 3 "
	run oci delete h2
	assert_success
	assert_no_traces
}

@test "oci hooks: prestart, createRuntime or createContainer failing fails create, leaves nothing on the host, and runs poststop" {
	local h
	args 'true'
	for h in prestart createRuntime createContainer; do
		rm -f "$WORK/x/hooks.log" "$WORK/x/seq"
		base_config >"$BUNDLE/config.json"
		args 'true'
		hooks_config ".hooks.$h[0].args += [\"3\"]"
		# (a file, not `run`: a create that wrongly succeeds leaves a
		# process holding run's pipe; teardown deletes it)
		IDS+=(h3)
		rc=0
		oci create --bundle "$BUNDLE" h3 </dev/null >"$WORK/h3.out" 2>&1 || rc=$?
		[ "$rc" -ne 0 ]
		run cat "$WORK/h3.out"
		echo "$h: $output"
		assert_output --partial "hooks.$h[0] ($WORK/x/hook.sh): exited with status 3"
		run oci state h3
		assert_failure
		assert_no_traces
		# the hook that failed was the last of create's; then poststop
		run awk '{ print $2 }' "$WORK/x/hooks.log"
		case $h in
		prestart) assert_output $'prestart\npoststop' ;;
		createRuntime) assert_output $'prestart\ncreateRuntime\npoststop' ;;
		createContainer) assert_output $'prestart\ncreateRuntime\ncreateContainer\npoststop' ;;
		esac
		run jq -r .status "$WORK/x/state.poststop"
		assert_output stopped
	done
}

@test "oci hooks: startContainer failing fails start, the command never runs, the container is stopped" {
	args "echo ran > $WORK/x/out"
	hooks_config '.hooks.startContainer[0].args += ["4"]'
	create h4
	run oci start h4
	assert_failure
	assert_output --partial "start: container h4: hooks.startContainer[0] ($WORK/x/hook.sh): exited with status 4; the container stopped"
	until_status h4 stopped
	[ ! -e "$WORK/x/out" ]
	run awk '{ print $2 }' "$WORK/x/hooks.log"
	assert_output $'prestart\ncreateRuntime\ncreateContainer\nstartContainer'
	run oci delete h4
	assert_success
	assert_equal "$(awk 'END { print $2 }' "$WORK/x/hooks.log")" poststop
	assert_no_traces
}

@test "oci hooks: poststart and poststop failing are warnings: start and delete succeed, the next hook still runs" {
	args "echo ran > $WORK/x/out"
	hooks_config '.hooks.poststart = [(.hooks.poststart[0] | .args += ["5"]), (.hooks.poststart[0] | .args[1] = "poststart2")]
		| .hooks.poststop = [(.hooks.poststop[0] | .args += ["6"]), (.hooks.poststop[0] | .args[1] = "poststop2")]'
	create h5
	run oci start h5
	assert_success
	assert_output --partial "hooks.poststart[0] ($WORK/x/hook.sh): exited with status 5 (a poststart hook's failure is a warning"
	wait_for "$WORK/x/out"
	until_status h5 stopped
	run oci delete h5
	assert_success
	assert_output --partial "hooks.poststop[0] ($WORK/x/hook.sh): exited with status 6"
	run awk '{ print $2 }' "$WORK/x/hooks.log"
	assert_output $'prestart\ncreateRuntime\ncreateContainer\nstartContainer\npoststart\npoststart2\npoststop\npoststop2'
	assert_no_traces
}

@test "oci hooks: a hook past its timeout is killed (SIGKILL) and fails create, even one that never reads its stdin" {
	args 'true'
	# a state larger than a pipe holds: a hook that does not read it
	# must not keep create waiting past the timeout
	edit '.annotations = {big: ("x" * 200000)} | .hooks = {createRuntime: [{path: "/bin/sh", args: ["sh", "-c", "echo $$ > " + $x + "/hook.pid; exec sleep 100"], timeout: 1}]}' --arg x "$WORK/x"
	SECONDS=0
	IDS+=(h6)
	rc=0
	oci create --bundle "$BUNDLE" h6 </dev/null >"$WORK/h6.out" 2>&1 || rc=$?
	[ "$rc" -ne 0 ]
	run cat "$WORK/h6.out"
	assert_output --partial 'hooks.createRuntime[0] (/bin/sh): still running after its timeout (1 s): killed (SIGKILL)'
	[ "$SECONDS" -lt 10 ]
	pid=$(cat "$WORK/x/hook.pid")
	! running "$pid"
	assert_no_traces
}

@test "oci hooks: refused before anything is made: a relative path, an unknown hook, a timeout of 0" {
	local c
	args 'true'
	good=$(cat "$BUNDLE/config.json")
	for c in '.hooks = {createRuntime: [{path: "true"}]}|hooks.createRuntime[0].path: must be an absolute path' \
		'.hooks = {prestop: [{path: "/bin/true"}]}|hooks.prestop: not a hook of the runtime-spec' \
		'.hooks = {poststop: [{path: "/bin/true", timeout: 0}]}|hooks.poststop[0].timeout: 0 is out of range' \
		'.hooks = {poststart: {path: "/bin/true"}}|hooks.poststart: must be an array' \
		'.hooks = {createRuntime: [{path: "/bin/true", args: "x"}]}|hooks.createRuntime[0].args: must be array'; do
		echo "$good" >"$BUNDLE/config.json"
		edit "${c%%|*}"
		run oci create --bundle "$BUNDLE" h7
		echo "case: ${c%%|*}: $output"
		assert_failure
		assert_output --partial "${c#*|}"
		assert_no_traces
	done
}
