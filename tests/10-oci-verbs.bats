#!/usr/bin/env bats
# step10's OCI mode, the rest of runc's verbs that podman and
# containerd's shim call: pause, resume, update, ps, events, run, list,
# spec. Each is checked by what it does, from inside the container (a
# counter, its own cgroup files, a fork bomb) and from the host (the
# cgroup's files, cgroup.procs, the state directory), and nothing is
# left behind. create/start/state/kill/delete/exec are 10-oci.bats'.

load oci-helpers

# memory_file ID: the container's memory limit file on the host.
memory_file() {
	if cgroup_v2; then echo "$(cgroup_of "$1")/memory.max"; else echo "$(cgroup_of "$1" memory)/memory.limit_in_bytes"; fi
}

# pids_dir ID: the container's cgroup that has pids.max.
pids_dir() {
	if cgroup_v2; then cgroup_of "$1"; else cgroup_of "$1" pids; fi
}

# inside ID 'SHELL COMMAND': run it in the container (exec --process);
# sets $status and $output.
inside() {
	jq -n --arg c "$2" '{user: {uid: 0, gid: 0}, args: ["sh", "-c", $c], env: ["PATH=/bin"], cwd: "/"}' >"$WORK/process.json"
	run oci exec --process "$WORK/process.json" "$1"
}

# started ID: create and start a container that says it is ready, then
# sleeps; waits until it is.
started() {
	args "touch $WORK/x/ready-$1; sleep 100"
	create "$1"
	oci start "$1"
	wait_for "$WORK/x/ready-$1"
}

@test "oci verbs: pause freezes the container (a counter inside stops), state says paused, resume thaws it; pause of a created or paused container, and exec into a paused one, are refused" {
	# a counter, renamed into place: a frozen write never leaves it empty
	args "i=0; while :; do i=\$((i+1)); echo \$i > $WORK/x/n.new; mv $WORK/x/n.new $WORK/x/n; sleep 0.05; done"
	create p1
	run oci pause p1
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	assert_output --partial 'pause: container p1 is not running (it is created)'
	run oci start p1
	assert_success
	wait_for "$WORK/x/n"
	run oci pause p1
	assert_success
	# the host: the freezer says frozen, and so does state
	if cgroup_v2; then
		[ "$(cat "$(cgroup_of p1)/cgroup.freeze")" = 1 ]
		grep -qx 'frozen 1' "$(cgroup_of p1)/cgroup.events"
	else
		[ "$(cat "$(cgroup_of p1)/freezer.state")" = FROZEN ]
	fi
	[ "$(status_of p1)" = paused ]
	# inside: the counter does not move
	before=$(cat "$WORK/x/n")
	sleep 0.5
	[ "$(cat "$WORK/x/n")" = "$before" ]
	# exec into it is refused, as runc's, and adds no process to it
	procs=$(sort -n "$(cgroup_of p1)/cgroup.procs")
	jq -n '{user: {uid: 0, gid: 0}, args: ["true"], env: ["PATH=/bin"], cwd: "/"}' >"$WORK/process.json"
	run oci exec --process "$WORK/process.json" p1
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	assert_output --partial 'exec: container p1 is not running (it is paused)'
	[ "$(sort -n "$(cgroup_of p1)/cgroup.procs")" = "$procs" ]
	run oci pause p1
	[ "$status" -eq 1 ]
	assert_output --partial 'p1 is not running (it is paused)'
	run oci resume p1
	assert_success
	if cgroup_v2; then
		[ "$(cat "$(cgroup_of p1)/cgroup.freeze")" = 0 ]
	else
		[ "$(cat "$(cgroup_of p1)/freezer.state")" = THAWED ]
	fi
	[ "$(status_of p1)" = running ]
	sleep 0.5
	[ "$(cat "$WORK/x/n")" -gt "$before" ]
	run oci resume p1
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	assert_output --partial 'resume: container p1 is not paused (it is running)'
	# a paused container is deleted with --force as a running one
	run oci pause p1
	assert_success
	run oci delete --force p1
	assert_success
	assert_no_traces
}

@test "oci verbs: update --memory, --pids-limit, --cpu-quota change the running container's cgroup, seen from the host and inside; a fork bomb stops at the new limit" {
	cp "$BUILT_PROBE" "$WORK/x/probe"
	# v1: no cgroup namespace here. In one, /proc/self/cgroup says "/",
	# and the v1 cgroup mount (oci.c, mount_cgroup_v1) binds each
	# hierarchy's root instead of the container's own cgroup.
	cgroup_v2 || edit '.linux.namespaces -= [{type: "cgroup"}]'
	started u1
	# (--memory-swap: v1's memsw; a v2 kernel may lack swap accounting)
	swap=(--memory-swap 96M)
	cgroup_v2 && swap=()
	run oci update --memory 96M "${swap[@]}" --pids-limit 8 --cpu-quota 50000 --cpu-period 100000 u1
	assert_success
	[ "$(cat "$(memory_file u1)")" = 100663296 ]
	[ "$(cat "$(pids_dir u1)/pids.max")" = 8 ]
	if cgroup_v2; then
		[ "$(cat "$(cgroup_of u1)/cpu.max")" = '50000 100000' ]
		inside u1 'cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max'
	else
		[ "$(cat "$(cgroup_of u1 memory)/memory.memsw.limit_in_bytes")" = 100663296 ]
		[ "$(cat "$(cgroup_of u1 cpu)/cpu.cfs_quota_us")" = 50000 ]
		inside u1 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max'
	fi
	assert_success
	assert_output $'100663296\n8'
	# the fork bomb: 8 processes at most, sleep and the probe among them
	inside u1 "$WORK/x/probe forkloop 50"
	assert_success
	assert_output --regexp '^forked [1-6]: EAGAIN$'
	# --resources FILE and on stdin: linux.resources, as in config.json
	echo '{"memory": {"limit": 50331648}, "pids": {"limit": 20}}' >"$WORK/resources.json"
	run oci update --resources "$WORK/resources.json" u1
	assert_success
	[ "$(cat "$(memory_file u1)")" = 50331648 ]
	[ "$(cat "$(pids_dir u1)/pids.max")" = 20 ]
	run oci update --resources - u1 <<<'{"memory": {"limit": 67108864}}'
	assert_success
	[ "$(cat "$(memory_file u1)")" = 67108864 ]
	[ "$(cat "$(pids_dir u1)/pids.max")" = 20 ]
	# refused as config.json's would be, by the same parser; nothing changes
	run oci update --resources - u1 <<<'{"memory": {"limit": 1024}}'
	assert_failure
	assert_output --partial 'linux.resources.memory.limit'
	run oci update --memory lots u1
	assert_failure
	assert_output --partial '--memory lots'
	# what stepbox's update cannot do is said, not silently skipped
	run oci update --memory -1 u1
	assert_failure
	assert_output --partial 'not supported'
	run oci update --cpu-period 50000 u1
	assert_failure
	assert_output --partial 'goes with a quota'
	run oci update --resources "$WORK/resources.json" --memory 32M u1
	assert_failure
	# one the kernel refuses (a quota below 1ms): the cgroup, and the
	# container in it, stay as they were (create would remove them)
	run oci update --cpu-quota 500 --cpu-period 100000 u1
	assert_failure
	assert_output --partial 'cpu quota must be at least 1000us'
	[ "$(cat "$(memory_file u1)")" = 67108864 ]
	grep -qx "$PID" "$(pids_dir u1)/cgroup.procs"
	[ "$(status_of u1)" = running ]
	run oci kill u1 KILL
	until_status u1 stopped
	run oci update --memory 32M u1
	[ "$status" -eq 1 ]
	assert_output --partial 'u1 is not running (it is stopped)'
	run oci delete u1
	assert_success
	assert_no_traces
}

@test "oci verbs: ps lists the container's host pids, exec'd ones too: json for containerd, the host's ps lines for people" {
	started s1
	jq -n --arg w "$WORK/x" '{user: {uid: 0, gid: 0}, args: ["sh", "-c", "touch \($w)/exec-ready; exec sleep 200"],
		env: ["PATH=/bin"], cwd: "/"}' >"$WORK/process.json"
	oci exec --detach --pid-file "$WORK/exec.pid" --process "$WORK/process.json" s1 \
		</dev/null >"$WORK/exec.out" 2>&1
	wait_for "$WORK/x/exec-ready"
	run oci ps --format json s1
	assert_success
	# the same set as the cgroup's, which has the first and the exec'd process
	[ "$(jq -c 'sort' <<<"$output")" = "$(sort -n "$(cgroup_of s1)/cgroup.procs" | jq -sc .)" ]
	jq -e --argjson a "$PID" --argjson b "$(cat "$WORK/exec.pid")" 'index($a) != null and index($b) != null and length == 2' <<<"$output"
	# the table: ps -ef's header, then exactly those two pids' lines
	run oci ps s1
	assert_success
	assert_line --index 0 --regexp '^UID +PID +PPID'
	[ "${#lines[@]}" -eq 3 ]
	[ "$(printf '%s\n' "${lines[@]:1}" | awk '{ print $2 }' | sort -n | tr '\n' ' ')" = "$(sort -n "$(cgroup_of s1)/cgroup.procs" | tr '\n' ' ')" ]
	# ps options after the ID go to ps
	run oci ps s1 -o pid,args
	assert_success
	assert_line --index 0 --regexp '^ *PID COMMAND'
	assert_line --regexp "^ *$PID sleep 100\$"
	assert_line --regexp "^ *$(cat "$WORK/exec.pid") sleep 200\$"
	run oci ps --format yaml s1
	assert_failure
	run oci delete --force s1
	assert_success
	assert_no_traces
}

@test "oci verbs: events --stats prints runc's stats event, its numbers the cgroup's; events repeats them until the container stops" {
	cp "$BUILT_PROBE" "$WORK/x/probe"
	started e1
	# a peak, then back down: the usage and its maximum differ
	inside e1 "$WORK/x/probe alloc 16"
	assert_success
	mem=$(cgroup_of e1 memory)/memory.usage_in_bytes
	cgroup_v2 && mem=$(cgroup_of e1)/memory.current
	before=$(cat "$mem")
	run oci events --stats e1
	after=$(cat "$mem")
	assert_success
	[ "${#lines[@]}" -eq 1 ]
	ev=$output
	[ "$(jq -r .type <<<"$ev")" = stats ]
	[ "$(jq -r .id <<<"$ev")" = e1 ]
	# pids: the cgroup's count (sleep alone) and config.json's limit
	[ "$(jq .data.pids.current <<<"$ev")" = "$(cat "$(pids_dir e1)/pids.current")" ]
	[ "$(jq .data.pids.current <<<"$ev")" = 1 ]
	[ "$(jq .data.pids.limit <<<"$ev")" = 50 ]
	# memory: the limit exactly; the usage as the host's file had it just
	# before and after (it still shrinks a little after the probe's exit),
	# well below the peak the probe left
	[ "$(jq .data.memory.usage.limit <<<"$ev")" = 67108864 ]
	used=$(jq .data.memory.usage.usage <<<"$ev")
	[ "$used" -gt 0 ]
	[ "$used" -ge $(((before < after ? before : after) - 65536)) ]
	[ "$used" -le $(((before > after ? before : after) + 65536)) ]
	if ! cgroup_v2 || [ -e "$(cgroup_of e1)/memory.peak" ]; then
		[ "$(jq .data.memory.usage.max <<<"$ev")" -gt $((used + 15 * 1048576)) ]
	fi
	jq -e '.data.memory.raw | has("pgfault")' <<<"$ev"
	jq -e '.data.cpu.usage.total > 0' <<<"$ev"
	# without --stats: one every --interval, and it ends with the container
	oci events --interval 100ms e1 >"$WORK/events" 2>&1 &
	events=$!
	sleep 1
	run oci kill e1 KILL
	assert_success
	for ((i = 0; i < 100; i++)); do running "$events" || break; sleep 0.05; done
	run ! running "$events"
	wait "$events"
	[ "$(wc -l <"$WORK/events")" -ge 5 ]
	jq -se 'all(.type == "stats" and .id == "e1")' "$WORK/events"
	run oci events --stats e1
	[ "$status" -eq 1 ]
	assert_output --partial 'e1 is not running (it is stopped)'
	run oci events --interval soon e1
	assert_failure
	run oci delete e1
	assert_success
	assert_no_traces
}

@test "oci verbs: run is create, start, wait and delete: the exit code passes through, nothing is left; --detach returns at once; signals reach the process" {
	args "echo out of run; exit 7"
	IDS+=(r1) # (teardown deletes it, should run not have)
	run oci run --bundle "$BUNDLE" --pid-file "$WORK/r1.pid" r1 </dev/null
	[ "$status" -eq 7 ]
	assert_output 'out of run'
	run ! running "$(cat "$WORK/r1.pid")"
	[ ! -e "$OCI_ROOT/r1" ]
	assert_no_traces
	# --detach: running, left for the caller to delete
	args "touch $WORK/x/ready-r2; sleep 100"
	IDS+=(r2)
	# (its output to a file: bats' run would wait for the container to close it)
	oci run --detach --bundle "$BUNDLE" --pid-file "$WORK/r2.pid" r2 </dev/null >"$WORK/r2.out" 2>&1
	wait_for "$WORK/x/ready-r2"
	[ "$(status_of r2)" = running ]
	[ "$(oci state r2 | jq .pid)" = "$(cat "$WORK/r2.pid")" ]
	run oci delete --force r2
	assert_success
	# a signal to run goes to the process, whose exit code run returns
	args "trap 'exit 3' TERM; touch $WORK/x/ready-r3; while :; do sleep 0.1; done"
	IDS+=(r3)
	# (the runtime itself, not oci's timeout: the signal is for it)
	"$STEP_BIN" --root "$OCI_ROOT" run --bundle "$BUNDLE" r3 </dev/null >"$WORK/r3.out" 2>&1 &
	runtime=$!
	wait_for "$WORK/x/ready-r3"
	kill -TERM "$runtime"
	code=0
	wait "$runtime" || code=$?
	[ "$code" -eq 3 ]
	# a bundle create refuses: its message, exit non-zero, nothing made
	edit '.process.args = []'
	run oci run --bundle "$BUNDLE" r4 </dev/null
	assert_failure
	assert_output --partial 'process.args'
	[ ! -e "$OCI_ROOT/r4" ]
	assert_no_traces
}

@test "oci verbs: list shows the containers under --root: runc's json fields, the table, -q" {
	args 'sleep 100'
	create l2
	started l1
	run oci list --format json
	assert_success
	[ "$(jq -r 'map(.id) | join(" ")' <<<"$output")" = 'l1 l2' ]
	l1=$(jq '.[0]' <<<"$output")
	[ "$(jq -r .status <<<"$l1")" = running ]
	[ "$(jq -r .pid <<<"$l1")" = "$PID" ]
	[ "$(jq -r .bundle <<<"$l1")" = "$BUNDLE" ]
	[ "$(jq -r .rootfs <<<"$l1")" = "$BUNDLE/rootfs" ]
	[ "$(jq -r .created <<<"$l1")" = "$(oci state l1 | jq -r .created)" ]
	[ "$(jq -r .owner <<<"$l1")" = root ]
	[ "$(jq -r .ociVersion <<<"$l1")" = 1.0.2 ]
	[ "$(jq -r '.[1].status' <<<"$output")" = created ]
	run oci list -q
	assert_output $'l1\nl2'
	run oci list
	assert_success
	assert_line --index 0 --regexp '^ID +PID +STATUS +BUNDLE +CREATED +OWNER$'
	assert_line --index 1 --regexp "^l1 +$PID +running +$BUNDLE +[0-9T:.-]+Z +root\$"
	run oci delete --force l2
	run oci delete --force l1
	run oci list --format json
	assert_output '[]'
	assert_no_traces
}

@test "oci verbs: spec writes runc's default config.json, which create and start run (on a terminal); never over an existing one" {
	mkdir "$WORK/spec"
	run oci spec --bundle "$WORK/spec"
	assert_success
	cfg=$WORK/spec/config.json
	[ "$(jq -c .process.args "$cfg")" = '["sh"]' ]
	[ "$(jq .process.terminal "$cfg")" = true ]
	[ "$(jq -c .process.capabilities.bounding "$cfg")" = '["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE"]' ]
	[ "$(jq -r '.mounts | map(.destination) | join(" ")' "$cfg")" = '/proc /dev /dev/pts /dev/shm /dev/mqueue /sys /sys/fs/cgroup' ]
	jq -e '.linux.maskedPaths | index("/proc/kcore") != null' "$cfg"
	jq -e '.linux.readonlyPaths | index("/proc/sys") != null' "$cfg"
	[ "$(jq -r .root.path "$cfg")" = rootfs ]
	sum=$(md5sum <"$cfg")
	run oci spec --bundle "$WORK/spec"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	assert_output --partial 'config.json exists'
	[ "$(md5sum <"$cfg")" = "$sum" ]
	# --rootless: a user namespace mapping the caller, no network one
	mkdir "$WORK/rootless"
	run oci spec --rootless --bundle "$WORK/rootless"
	assert_success
	want='pid ipc uts mount user'
	cgroup_v2 && want='pid ipc uts mount cgroup user' # (runc adds a cgroup namespace on v2)
	[ "$(jq -r '.linux.namespaces | map(.type) | join(" ")' "$WORK/rootless/config.json")" = "$want" ]
	[ "$(jq -c '.linux.uidMappings' "$WORK/rootless/config.json")" = '[{"containerID":0,"hostID":0,"size":1}]' ]
	[ "$(jq '.linux | has("resources")' "$WORK/rootless/config.json")" = false ]
	# create accepts it as it is, its root pointed at the rootfs; the
	# terminal goes to our console socket, where a shell is typed into
	jq --arg r "$ROOTFS" '.root.path = $r' "$cfg" >"$cfg.new" && mv "$cfg.new" "$cfg"
	python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(1)
open(sys.argv[1] + ".ready", "w").close()
c, _ = s.accept()
_, fds, _, _ = socket.recv_fds(c, 1024, 1)
os.write(fds[0], b"echo spec-$((6*7)); exit\n")
out = b""
while True:
    try:
        d = os.read(fds[0], 4096)
    except OSError:
        break
    if not d:
        break
    out += d
open(sys.argv[2], "wb").write(out)
' "$WORK/console.sock" "$WORK/tty.out" &
	console=$!
	wait_for "$WORK/console.sock.ready"
	IDS+=(sp1)
	run oci create --bundle "$WORK/spec" --console-socket "$WORK/console.sock" sp1
	assert_success
	run oci start sp1
	assert_success
	wait "$console"
	run cat "$WORK/tty.out"
	assert_output --partial spec-42
	until_status sp1 stopped
	run oci delete sp1
	assert_success
	assert_no_traces
}

@test "oci verbs: each answers only for a container under --root; checkpoint and restore stay one-line errors" {
	run oci update --memory 32M nosuch
	assert_failure
	assert_output --partial 'container nosuch does not exist'
	run oci pause nosuch
	assert_failure
	assert_output --partial 'container nosuch does not exist'
	# with --root, and without (never step10's "the word run is optional")
	for verb in checkpoint restore; do
		run oci "$verb" nosuch
		[ "$status" -eq 1 ]
		[ "${#lines[@]}" -eq 1 ]
		assert_output --partial "$verb: runc's command is not implemented"
		run timeout 30 "$STEP_BIN" "$verb" nosuch </dev/null
		[ "$status" -eq 1 ]
		[ "${#lines[@]}" -eq 1 ]
		assert_output --partial "$verb: runc's command is not implemented"
	done
	[ ! -e "$OCI_ROOT/nosuch" ]
	assert_no_traces
}
