#!/usr/bin/env bats
# step10 as an OCI runtime, driven as podman and containerd drive runc:
# create, start, state, kill, delete, exec --process, with bundles made
# here (config.json written with jq). Each claim is checked from inside
# (what the container's process sees) and from the host (its pid, its
# cgroup, the state directory), and nothing is left behind. The real
# clients are tests/oci-clients.bats (make test-oci).

load oci-helpers

@test "oci: create leaves the first process waiting before execve; start runs the command" {
	args "echo started > $WORK/x/out"
	create c1
	# From the host: the process exists, in its cgroup, still the runtime.
	running "$PID"
	run oci state c1
	assert_success
	[ "$(jq -r .status <<<"$output")" = created ]
	[ "$(jq -r .pid <<<"$output")" = "$PID" ]
	[ "$(jq -r .id <<<"$output")" = c1 ]
	[ "$(jq -r .bundle <<<"$output")" = "$BUNDLE" ]
	[ "$(jq -r .ociVersion <<<"$output")" = 1.0.2 ]
	grep -qx "$PID" "$(cgroup_of c1)/cgroup.procs"
	[ "$(tr '\0' ' ' <"/proc/$PID/cmdline")" = "$STEP_BIN --root $OCI_ROOT create --bundle $BUNDLE --pid-file $WORK/c1.pid c1 " ]
	[ ! -e "$WORK/x/out" ]
	# start: it execs; start returns once it has.
	run oci start c1
	assert_success
	wait_for "$WORK/x/out"
	run cat "$WORK/x/out"
	assert_output started
	until_status c1 stopped
	[ "$(oci state c1 | jq -r .pid)" = 0 ]
	run oci delete c1
	assert_success
	assert_no_traces
}

@test "oci: config.json reaches the process: hostname, env, cwd, user, capabilities, rlimits, no_new_privs, read-only root, masks" {
	edit '.process.user = {uid: 1000, gid: 1000, additionalGids: [5]} | .process.cwd = "/tmp"'
	args "{ hostname; echo \$GREETING; pwd; id; grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status; ulimit -n; touch /probe 2>&1 || echo ro; wc -c < /proc/keys; awk '\$5 == \"/proc/sys\" { print \$6 }' /proc/self/mountinfo; } > $WORK/x/out 2>&1"
	create c2
	run oci start c2
	assert_success
	until_status c2 stopped
	run cat "$WORK/x/out"
	assert_line --index 0 ocibox
	assert_line --index 1 hi
	assert_line --index 2 /tmp
	assert_line --index 3 --regexp '^uid=1000 gid=1000 groups=5'
	# CHOWN DAC_OVERRIDE FOWNER KILL SETGID SETUID NET_BIND_SERVICE = 0x4e3;
	# effective is cleared by the kernel for a non-root uid without
	# ambient capabilities, bounding stays.
	assert_line --index 4 $'CapEff:\t0000000000000000'
	assert_line --index 5 $'CapBnd:\t00000000000004eb'
	assert_line --index 6 $'NoNewPrivs:\t1'
	assert_line --index 7 512
	assert_line --index 8 --partial 'Read-only file system'
	assert_line --index 9 ro
	assert_line --index 10 0
	assert_line --index 11 --regexp '^ro,'
	run oci delete c2
	assert_success
	assert_no_traces
}

@test "oci: a nested cgroupsPath with cpuset CPUs: each new level filled from its parent on v1, the leaf gets what was asked" {
	args "grep Cpus_allowed_list /proc/self/status > $WORK/x/cpus"
	edit '.linux.cgroupsPath = "/stepbox-oci/nest/deeper/c15" | .linux.resources.cpu = {cpus: "0", mems: "0"}'
	create c15
	if cgroup_v2; then
		dir=/sys/fs/cgroup/stepbox-oci/nest/deeper/c15
		top=/sys/fs/cgroup
	else
		dir=/sys/fs/cgroup/cpuset/stepbox-oci/nest/deeper/c15
		top=/sys/fs/cgroup/cpuset
		# v1: a cpuset cgroup with empty cpus takes no process; every
		# level the runtime made has its parent's
		for d in stepbox-oci stepbox-oci/nest stepbox-oci/nest/deeper; do
			assert_equal "$(cat "$top/$d/cpuset.cpus")" "$(cat "$top/cpuset.cpus")"
			assert_equal "$(cat "$top/$d/cpuset.mems")" "$(cat "$top/cpuset.mems")"
		done
	fi
	assert_equal "$(cat "$dir/cpuset.cpus")" 0
	grep -qx "$PID" "$dir/cgroup.procs"
	run oci start c15
	assert_success
	until_status c15 stopped
	# inside: the CPUs it may run on
	assert_equal "$(cat "$WORK/x/cpus")" "Cpus_allowed_list:	0"
	run oci delete c15
	assert_success
	[ ! -e "$dir" ]
	# the client's own parents stay, as runc leaves them: ours to tidy
	local h
	for h in /sys/fs/cgroup /sys/fs/cgroup/*; do
		[ ! -d "$h/stepbox-oci/nest" ] || rmdir "$h/stepbox-oci/nest/deeper" "$h/stepbox-oci/nest" "$h/stepbox-oci"
	done
	assert_no_traces
}

@test "oci: /sys/fs/cgroup inside shows the container's own cgroup, with its limits, never the host's top" {
	# base_config: a cgroup namespace, memory 64M, pids 50
	if cgroup_v2; then
		args "cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max > $WORK/x/out; ls /sys/fs/cgroup | grep -c stepbox-oci >> $WORK/x/out"
	else
		args "cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max > $WORK/x/out; ls /sys/fs/cgroup/pids | grep -c stepbox-oci >> $WORK/x/out"
	fi
	create c16
	run oci start c16
	assert_success
	until_status c16 stopped
	run cat "$WORK/x/out"
	# (a bind of the hierarchy's root would show the host's: no limit,
	# no pids.max, and our parent stepbox-oci/ among its children)
	assert_output $'67108864\n50\n0'
	run oci delete c16
	assert_success
	assert_no_traces
}

@test "oci: linux.resources and cgroupsPath, seen from the host; the cgroup goes with delete" {
	args 'sleep 100'
	edit '.linux.cgroupsPath = "/stepbox-oci/custom-c3"'
	create c3
	if cgroup_v2; then
		dir=/sys/fs/cgroup/stepbox-oci/custom-c3
		run cat "$dir/memory.max" "$dir/pids.max"
	else
		run cat /sys/fs/cgroup/memory/stepbox-oci/custom-c3/memory.limit_in_bytes \
			/sys/fs/cgroup/pids/stepbox-oci/custom-c3/pids.max
		dir=/sys/fs/cgroup/pids/stepbox-oci/custom-c3
	fi
	assert_output $'67108864\n50'
	grep -qx "$PID" "$dir/cgroup.procs"
	run oci delete c3
	assert_success
	[ ! -e "$dir" ]
	! running "$PID"
	assert_no_traces
}

@test "oci: linux.resources.network.classID, priorities and hugepageLimits, seen from the host (v1); bad entries refused, v2 refuses net_cls and net_prio" {
	args 'sleep 100'
	edit '.linux.resources.network = {classID: 1048577, priorities: [{name: "lo", priority: 5}]} | .linux.resources.hugepageLimits = [{pageSize: "2MB", limit: 4194304}]'
	good=$(cat "$BUNDLE/config.json")
	for c in '.linux.resources.network.priorities = [{name: "a/b", priority: 5}]|priorities[0]: "name" must be an interface name' \
		'.linux.resources.network.priorities = [{name: "lo"}]|priorities[0]: "priority" missing' \
		'.linux.resources.network.priorities = [{name: "lo", priority: 1, prio: 2}]|priorities[0]: "prio" is not a field' \
		'.linux.resources.hugepageLimits[0].pageSize = "2M"|pageSize" must be a size such as 2MB' \
		'.linux.resources.hugepageLimits[0].limit = 3000000|is not a whole number of 2MB pages' \
		'.linux.resources.network.classID = 4294967296|linux.resources.network.classID: 4294967296 is out of range'; do
		echo "$good" >"$BUNDLE/config.json"
		edit "${c%%|*}"
		run oci create --bundle "$BUNDLE" c12
		assert_failure
		assert_output --partial "${c#*|}"
		run oci state c12
		assert_failure
	done
	echo "$good" >"$BUNDLE/config.json"
	[ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "no 2M huge pages on this machine"
	if cgroup_v2; then
		# v2 has no net_cls: refused before anything is made
		run oci create --bundle "$BUNDLE" c12
		assert_failure
		assert_output --partial "cgroup v2 has no net_cls controller"
		[ ! -e /sys/fs/cgroup/stepbox-oci/c12 ]
		edit 'del(.linux.resources.network.classID)'
		run oci create --bundle "$BUNDLE" c12
		assert_failure
		assert_output --partial "network.priorities: cgroup v2 has no net_prio controller"
		[ ! -e /sys/fs/cgroup/stepbox-oci/c12 ]
		edit 'del(.linux.resources.network)'
		grep -qw hugetlb /sys/fs/cgroup/cgroup.controllers || skip "no hugetlb controller"
		create c12
		dirs=(/sys/fs/cgroup/stepbox-oci/c12)
		assert_equal "$(cat "${dirs[0]}/hugetlb.2MB.max")" 4194304
	else
		if [ "$(stat -f -c %T /sys/fs/cgroup/net_cls 2>/dev/null)" != cgroupfs ] ||
			[ "$(stat -f -c %T /sys/fs/cgroup/net_prio 2>/dev/null)" != cgroupfs ] ||
			[ "$(stat -f -c %T /sys/fs/cgroup/hugetlb 2>/dev/null)" != cgroupfs ]; then
			# The host does not mount them, and its cgroup mounts are not
			# the test's to change: refused, naming the controller,
			# before anything is made
			run oci create --bundle "$BUNDLE" c12
			assert_failure
			assert_output --regexp '(net_cls|hugetlb|net_prio) is not mounted'
			[ ! -e /run/stepbox-oci/c12 ]
			assert_equal "$(find /sys/fs/cgroup -maxdepth 3 -path '*stepbox-oci/c12')" ""
			return
		fi
		create c12
		dirs=(/sys/fs/cgroup/net_cls/stepbox-oci/c12 /sys/fs/cgroup/hugetlb/stepbox-oci/c12)
		assert_equal "$(cat "${dirs[0]}/net_cls.classid")" 1048577
		# net_prio, co-mounted with net_cls: lo is the host's (the kernel
		# names the host's interfaces only)
		grep -qx 'lo 5' /sys/fs/cgroup/net_prio/stepbox-oci/c12/net_prio.ifpriomap
		assert_equal "$(cat "${dirs[1]}/hugetlb.2MB.limit_in_bytes")" 4194304
		grep -qx "$PID" "${dirs[0]}/cgroup.procs"
	fi
	grep -qx "$PID" "${dirs[-1]}/cgroup.procs"
	run oci delete --force c12
	assert_success
	for d in "${dirs[@]}"; do [ ! -e "$d" ]; done
	! running "$PID"
}

@test "oci: kill signals the first process; delete refuses a running container without --force" {
	args "trap 'echo got TERM > $WORK/x/out; exit 0' TERM; touch $WORK/x/ready; while :; do sleep 0.1; done"
	create c4
	run oci start c4
	assert_success
	wait_for "$WORK/x/ready"
	[ "$(status_of c4)" = running ]
	run oci delete c4
	assert_failure
	assert_output --partial 'is running'
	[ -d "$OCI_ROOT/c4" ]
	run oci kill c4 TERM
	assert_success
	until_status c4 stopped
	run cat "$WORK/x/out"
	assert_output 'got TERM'
	run oci kill c4 KILL
	assert_failure
	assert_output --partial 'not running'
	run oci delete c4
	assert_success
	assert_no_traces
}

@test "oci: kill --all signals every process in the cgroup; delete --force removes a running one" {
	args "sleep 100 & sleep 100 & touch $WORK/x/ready; wait"
	create c5
	run oci start c5
	assert_success
	wait_for "$WORK/x/ready"
	[ "$(wc -l <"$(cgroup_of c5)/cgroup.procs")" -eq 3 ]
	run oci kill --all c5 STOP
	assert_success
	# each stops once it is scheduled to take the signal (on a busy
	# machine, not at once)
	local p i
	for p in $(cat "$(cgroup_of c5)/cgroup.procs"); do
		for ((i = 0; i < 100; i++)); do
			[ "$(awk '{ print $3 }' "/proc/$p/stat")" = T ] && break
			sleep 0.05
		done
		[ "$(awk '{ print $3 }' "/proc/$p/stat")" = T ]
	done
	run oci delete --force c5
	assert_success
	! running "$PID"
	assert_no_traces
}

@test "oci: exec --process joins the running container: its namespaces, cgroup, user, exit code" {
	args "touch $WORK/x/ready; sleep 100"
	create c6
	run oci start c6
	assert_success
	wait_for "$WORK/x/ready"
	# the shell touches ready, then becomes sleep: wait for the exec
	for _ in $(seq 100); do
		[ "$(tr '\0' ' ' <"/proc/$PID/cmdline")" = 'sleep 100 ' ] && break
		sleep 0.05
	done
	jq -n '{user: {uid: 0, gid: 0}, args: ["sh", "-c", "hostname; cat /proc/1/cmdline | tr \"\\0\" \" \"; echo; echo $$; exit 7"],
		env: ["PATH=/bin"], cwd: "/"}' >"$WORK/process.json"
	run oci exec --process "$WORK/process.json" c6
	[ "$status" -eq 7 ]
	assert_line --index 0 ocibox
	assert_line --index 1 'sleep 100 '
	# its pid in the container's PID namespace: 1 is sleep
	[ "${lines[2]}" -gt 1 ]
	# --detach: returns at once, the pid file names it, and it is in the
	# container's cgroup
	jq -n --arg w "$WORK/x" '{user: {uid: 0, gid: 0}, args: ["sh", "-c", "touch \($w)/exec-ready; sleep 100"],
		env: ["PATH=/bin"], cwd: "/"}' >"$WORK/process.json"
	# (its output is a file's: bats' `run` would wait for it to close)
	oci exec --detach --pid-file "$WORK/exec.pid" --process "$WORK/process.json" c6 \
		</dev/null >"$WORK/exec.out" 2>&1
	wait_for "$WORK/x/exec-ready"
	grep -qx "$(cat "$WORK/exec.pid")" "$(cgroup_of c6)/cgroup.procs"
	[ "$(readlink /proc/"$(cat "$WORK/exec.pid")"/ns/pid)" = "$(readlink /proc/"$PID"/ns/pid)" ]
	[ "$(readlink /proc/"$(cat "$WORK/exec.pid")"/ns/mnt)" = "$(readlink /proc/"$PID"/ns/mnt)" ]
	# a program the container does not have: exec says so
	jq -n '{user: {uid: 0, gid: 0}, args: ["nosuch"], env: ["PATH=/bin"], cwd: "/"}' >"$WORK/process.json"
	run oci exec --process "$WORK/process.json" c6
	assert_failure
	assert_output --partial 'nosuch'
	run oci delete --force c6
	assert_success
	until_gone "$(cat "$WORK/exec.pid")"
	assert_no_traces
}

@test "oci: a detached exec whose process fails before execve fails too: no pid file, the reason said (a cwd that is not there, a program that is not)" {
	args "touch $WORK/x/ready; sleep 100"
	create c6d
	run oci start c6d
	assert_success
	wait_for "$WORK/x/ready"
	jq -n '{user: {uid: 0, gid: 0}, args: ["true"], env: ["PATH=/bin"], cwd: "/nonexistent"}' >"$WORK/process.json"
	run oci exec --detach --pid-file "$WORK/exec.pid" --process "$WORK/process.json" c6d
	assert_failure
	assert_output --partial 'process.cwd'
	assert_output --partial 'could not join the container'
	[ ! -e "$WORK/exec.pid" ]
	jq -n '{user: {uid: 0, gid: 0}, args: ["nosuch"], env: ["PATH=/bin"], cwd: "/"}' >"$WORK/process.json"
	run oci exec --detach --pid-file "$WORK/exec.pid" --process "$WORK/process.json" c6d
	assert_failure
	assert_output --partial 'exec: nosuch: No such file or directory'
	[ ! -e "$WORK/exec.pid" ]
	# and the container has its first process only
	[ "$(cat "$(cgroup_of c6d)/cgroup.procs")" = "$PID" ]
	run oci delete --force c6d
	assert_success
	assert_no_traces
}

# trace_shape: -v lines as shapes: numbers gone but clone3's 3, cgroup
# paths gone, and the roles as one whatever each mode calls them (the
# OCI mode's runtime and init are step 10's parent and child).
trace_shape() {
	sed -E 's/^\[parent\]/[runtime]/; s/^\[(init|child)\]/[child]/;
		s/clone3\(/clone_three(/; s/[0-9]+/N/g; s/clone_three\(/clone3(/;
		s#/sys/fs/cgroup/[^ ]*/cgroup.procs#CGROUP/cgroup.procs#;
		s#CLONE_INTO_CGROUP [^)]*#CLONE_INTO_CGROUP CGROUP#'
}

# join_trace: the -v lines from stdin that join a container, as shapes.
join_trace() {
	grep -E '^\[(runtime|parent|child)\] (open /proc/[0-9]+/ns|setns|clone|write /sys/fs/cgroup)' |
		trace_shape
}

# birth_trace: the -v lines from stdin that make a container's first
# process and put it in its cgroups and cgroup namespace, as shapes.
birth_trace() {
	grep -E '^\[[a-z]+\] (clone|write /sys/fs/cgroup/[^ ]*/cgroup.procs|unshare\(CLONE_NEWCGROUP)' |
		trace_shape
}

@test "oci: create's first process is born as run's: the same clone, cgroups and cgroup namespace, in the same order" {
	args "cat /proc/self/cgroup > $WORK/x/cgroups"
	oci -v create --bundle "$BUNDLE" --pid-file "$WORK/b1.pid" b1 </dev/null >"$WORK/oci.trace" 2>&1 ||
		{ cat "$WORK/oci.trace"; return 1; }
	IDS+=(b1)
	# the same namespaces as the bundle's, by step 10's command line
	timeout 30 "$STEP_BIN" -v --userns off -- true </dev/null >"$WORK/native.trace" 2>&1 ||
		{ cat "$WORK/native.trace"; return 1; }
	birth_trace <"$WORK/oci.trace" >"$WORK/oci.birth"
	birth_trace <"$WORK/native.trace" >"$WORK/native.birth"
	cat "$WORK/oci.birth"
	if cgroup_v2; then
		# born in its cgroup, its cgroup namespace rooted there, by the clone
		grep -qx '\[runtime\] clone3(CLONE_INTO_CGROUP|CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWPID|CLONE_NEWNET|CLONE_NEWCGROUP) = N' "$WORK/oci.birth"
		run grep -c . "$WORK/oci.birth"
		assert_output 1
	else
		# moved, and only then its own cgroup namespace
		head -1 "$WORK/oci.birth" | grep -qx '\[runtime\] clone(CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWPID|CLONE_NEWNET) = N'
		grep -q '^\[runtime\] write CGROUP/cgroup.procs "N"$' "$WORK/oci.birth"
		tail -1 "$WORK/oci.birth" | grep -qx '\[child\] unshare(CLONE_NEWCGROUP) = N'
	fi
	diff "$WORK/native.birth" "$WORK/oci.birth"
	# and inside: every cgroup of its own is its namespace's "/"
	run oci start b1
	assert_success
	until_status b1 stopped
	run cat "$WORK/x/cgroups"
	[ "${#lines[@]}" -gt 0 ]
	refute_line --regexp ':/.+$'
	run oci delete b1
	assert_success
	assert_no_traces
}

@test "oci: exec --process joins by step 10's own exec: its -v trace joins as \`run exec\`'s, line for line" {
	args "touch $WORK/x/ready; sleep 100"
	create c6t
	run oci start c6t
	assert_success
	wait_for "$WORK/x/ready"
	jq -n '{user: {uid: 0, gid: 0}, args: ["true"], env: ["PATH=/bin"], cwd: "/"}' >"$WORK/process.json"
	oci -v exec --process "$WORK/process.json" c6t >"$WORK/oci.trace" 2>&1
	# the same namespaces as the OCI container's (no user namespace), run
	# by step 10's own command line
	"$STEP_BIN" --name jt -d --userns off -- sleep 100 >/dev/null
	timeout 30 "$STEP_BIN" exec -v jt true >"$WORK/native.trace" 2>&1 ||
		{ "$STEP_BIN" rm -f jt; cat "$WORK/native.trace"; return 1; }
	"$STEP_BIN" rm -f jt >/dev/null
	join_trace <"$WORK/oci.trace" >"$WORK/oci.join"
	join_trace <"$WORK/native.trace" >"$WORK/native.join"
	cat "$WORK/oci.join"
	# our children's PID namespace first, then the child, born in the
	# cgroup where clone3 can (v2), then the rest
	grep -qx '\[runtime\] setns(pidfd N, CLONE_NEWPID) = N (for the child we clone next)' "$WORK/oci.join"
	if cgroup_v2; then
		grep -qx '\[runtime\] clone3(CLONE_INTO_CGROUP CGROUP) = N' "$WORK/oci.join"
	else
		grep -qx '\[runtime\] clone() = N' "$WORK/oci.join"
	fi
	grep -q '^\[child\] setns(pidfd N, CLONE_NEWNS' "$WORK/oci.join"
	diff "$WORK/native.join" "$WORK/oci.join"
	run oci delete --force c6t
	assert_success
	assert_no_traces
}

@test "oci: the container's seccomp object is translated to a filter, for exec'd processes too" {
	edit '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
		syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 1},
			   {names: ["no_such_syscall"], action: "SCMP_ACT_ERRNO"}]}'
	args "mkdir /tmp/d 2>&1 | tee $WORK/x/out; touch /tmp/f && echo touch-ok >> $WORK/x/out; sleep 100"
	create c7
	run oci start c7
	assert_success
	wait_for "$WORK/x/out"
	sleep 0.2
	run cat "$WORK/x/out"
	assert_line --index 0 --partial 'Operation not permitted'
	assert_line --index 1 touch-ok
	jq -n '{user: {uid: 0, gid: 0}, args: ["mkdir", "/tmp/e"], env: ["PATH=/bin"], cwd: "/"}' >"$WORK/process.json"
	run oci exec --process "$WORK/process.json" c7
	assert_failure
	assert_output --partial 'Operation not permitted'
	run oci delete --force c7
	assert_success
	assert_no_traces
}

@test "oci: a user namespace from uidMappings: root inside, 100000 on the host" {
	edit '.linux.namespaces += [{type: "user"}] | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}] | .linux.gidMappings = .linux.uidMappings'
	args "id > $WORK/x/out; cat /proc/self/uid_map >> $WORK/x/out; sleep 100"
	create c8
	run oci start c8
	assert_success
	wait_for "$WORK/x/out"
	sleep 0.2
	run cat "$WORK/x/out"
	assert_line --index 0 --partial 'uid=0(root) gid=0(root)'
	assert_line --index 1 --regexp '^ +0 +100000 +65536$'
	[ "$(awk '/^Uid:/ { print $2 }' "/proc/$PID/status")" = 100000 ]
	run oci delete --force c8
	assert_success
	assert_no_traces
}

@test "oci: a namespace joined by path is the other container's" {
	args 'sleep 100'
	create c9
	edit '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' --arg p "/proc/$PID/ns/net"
	first=$PID
	create c10
	[ "$(readlink "/proc/$PID/ns/net")" = "$(readlink "/proc/$first/ns/net")" ]
	[ "$(readlink "/proc/$PID/ns/uts")" != "$(readlink "/proc/$first/ns/uts")" ]
	run oci delete c10
	assert_success
	run oci delete c9
	assert_success
	assert_no_traces
}

@test "oci: bad bundles are refused before anything is made, naming the field" {
	local cases=(
		'del(.process)|process: missing'
		'.process.args = "sh"|process.args: must be array'
		'.process.args = []|process.args must name a program'
		'.root.path = "nosuch"|root.path: open'
		'.root.path = "../bundle/rootfs"|root.path: ../bundle/rootfs leads out of the bundle'
		'.root.path = "/"|is the host'"'"'s own /'
		'.hooks = {prestart: [{path: "true"}]}|hooks.prestart[0].path: must be an absolute path'
		'.linux.namespaces += [{type: "nosuch"}]|linux.namespaces[6]: "type" nosuch is not a namespace type'
		'.linux.resources.memory.limit = 1000|linux.resources.memory.limit: at least 6M'
		'.process.rlimits[0].soft = -1|process.rlimits[0]: must not be negative'
		'.linux.seccomp = {defaultAction: "SCMP_ACT_NOSUCH"}|linux.seccomp.defaultAction: action SCMP_ACT_NOSUCH'
		'.mounts[0].destination = "proc"|mounts[0]: "destination" must be an absolute path'
		'.process.capabilities.bounding = ["CAP_NOSUCH"]|process.capabilities.bounding: CAP_NOSUCH'
		'.linux.cgroupsPath = "../escape"|linux.cgroupsPath: ../escape'
		'.linux.cgroupsPath = "system.slice:stepbox:x"|systemd'
		'.process.args = ["nosuch-program"]|nosuch-program: executable file not found'
	)
	local good c
	good=$(cat "$BUNDLE/config.json")
	for c in "${cases[@]}"; do
		echo "$good" >"$BUNDLE/config.json"
		edit "${c%%|*}"
		run oci create --bundle "$BUNDLE" bad
		echo "case: ${c%%|*}: $output"
		[ "$status" -eq 125 ] || [ "$status" -eq 1 ]
		assert_output --partial "${c#*|}"
		[ "${#lines[@]}" -le 2 ]
		assert_no_traces
	done
	# no config.json; not JSON
	rm "$BUNDLE/config.json"
	run oci create --bundle "$BUNDLE" bad
	assert_failure
	assert_output --partial "$BUNDLE/config.json: No such file"
	echo '{"ociVersion": "1.0.2", "process": ' >"$BUNDLE/config.json"
	run oci create --bundle "$BUNDLE" bad
	assert_failure
	assert_output --partial 'config.json: not JSON'
	assert_no_traces
}

@test "oci: the command line: unknown commands and options, missing IDs, --systemd-cgroup, features, --version" {
	run oci nosuch
	assert_failure
	assert_output --partial 'nosuch: not an OCI runtime command'
	run oci create --bundle "$BUNDLE" --nosuch x
	assert_failure
	assert_output --partial 'unknown option --nosuch'
	run oci create --bundle "$BUNDLE" 'a/b'
	assert_failure
	assert_output --partial 'an ID has only letters'
	run oci state nosuch
	assert_failure
	assert_output --partial 'container nosuch does not exist'
	run oci start nosuch
	assert_failure
	run oci kill nosuch KILL
	assert_failure
	run oci delete nosuch
	assert_failure
	assert_output --partial 'does not exist'
	run "$STEP_BIN" --systemd-cgroup --root "$OCI_ROOT" create --bundle "$BUNDLE" x
	assert_failure
	assert_output --partial 'cgroupfs'
	run oci features
	assert_success
	[ "$(jq -r '.linux.cgroup.v2' <<<"$output")" = true ]
	[ "$(jq -r '.linux.seccomp.enabled' <<<"$output")" = true ]
	run "$STEP_BIN" --version
	assert_success
	assert_line --index 1 'spec: 1.0.2'
	create twice
	run oci create --bundle "$BUNDLE" twice
	assert_failure
	assert_output --partial 'exists already'
	run oci start twice
	assert_success
	until_status twice stopped
	run oci start twice
	assert_failure
	assert_output --partial 'is stopped'
	run oci delete twice
	assert_success
	assert_no_traces
}

@test "oci: --log with --log-format json writes runc's JSON lines, as containerd reads them" {
	edit '.root.path = "nosuch"'
	run "$STEP_BIN" --root "$OCI_ROOT" --log "$WORK/log.json" --log-format json create --bundle "$BUNDLE" bad
	assert_failure
	run jq -r '.level + " " + .msg' "$WORK/log.json"
	assert_success
	assert_output --partial 'error step10-exec: root.path: open'
	[ "$(jq -r .time "$WORK/log.json")" != null ]
	assert_no_traces
}

@test "oci: runc's commands that stepbox lacks are one-line errors (exit 1), never a command run in a container" {
	args "touch $WORK/x/ready; sleep 100"
	create c11
	run oci start c11
	assert_success
	wait_for "$WORK/x/ready"
	echo '{"memory": {"limit": 33554432}}' >"$WORK/resources.json"
	limit=$(cgroup_of c11 memory)/memory.limit_in_bytes
	cgroup_v2 && limit=$(cgroup_of c11)/memory.max
	before=$(cat "$limit")
	state_before=$(ls -A /run/stepbox 2>/dev/null | grep -vx .lock || true)
	# As the clients would call them: without a global option, and
	# containerd's way with --root (and --log) first.
	local calls=(
		"checkpoint c11"
		"restore c11"
		"--root $OCI_ROOT checkpoint c11"
		"--root $OCI_ROOT --log $WORK/log.json --log-format json restore c11"
	)
	local c verb
	for c in "${calls[@]}"; do
		# shellcheck disable=SC2086 # the words of the call
		run timeout 30 "$STEP_BIN" $c </dev/null
		echo "call: $c: $status: $output"
		verb=${c#--root "$OCI_ROOT" }
		verb=${verb#--log "$WORK/log.json" --log-format json }
		verb=${verb%% *}
		[ "$status" -eq 1 ]
		[ "${#lines[@]}" -eq 1 ]
		assert_output --partial "$verb: runc's command is not implemented"
	done
	# the host: no container was made for any of them, and the OCI
	# container is as it was: running, not frozen, its limit unchanged
	[ "$(ls -A /run/stepbox 2>/dev/null | grep -vx .lock || true)" = "$state_before" ]
	[ ! -e "$OCI_ROOT/c12" ]
	[ "$(cat "$limit")" = "$before" ]
	[ "$(status_of c11)" = running ]
	[ "$(awk '{ print $3 }' "/proc/$PID/stat")" = S ]
	# --log got the message, for containerd
	run jq -r .msg "$WORK/log.json"
	assert_output --partial "restore: runc's command is not implemented"
	# step10's own words stay step10's: a program called update runs
	# with `--` (not found in the busybox rootfs: 127), list lists
	run -127 "$STEP_BIN" -- update
	run "$STEP_BIN" list
	assert_success
	run oci delete --force c11
	assert_success
	assert_no_traces
}

@test "oci: exec's joining process is not dumpable: the container cannot read its fds (CVE-2016-9962)" {
	# A host-only file under --root, which the joiner holds fds of.
	mkdir -p -m 700 "$OCI_ROOT"
	echo host-secret >"$OCI_ROOT/secret"
	chmod 600 "$OCI_ROOT/secret"
	# The container's root watches for a process that is not its own
	# (its comm is the runtime's, "run") and tries every fd of it.
	args "touch $WORK/x/ready; while :; do for p in /proc/[0-9]*; do
		[ \"\$(cat \$p/comm 2>/dev/null)\" = run ] || continue
		echo \"saw \${p#/proc/}\" >> $WORK/x/saw
		for f in \$p/fd/*; do cat \$f/secret \$f/../secret 2>/dev/null; done >> $WORK/x/stolen
		ls -l \$p/fd/ >> $WORK/x/ls 2>&1
	done; sleep 0.05; done"
	create c13
	run oci start c13
	assert_success
	wait_for "$WORK/x/ready"
	jq -n '{user: {uid: 0, gid: 0}, args: ["/bin/true"], env: ["PATH=/bin"], cwd: "/"}' >"$WORK/process.json"
	# strace holds the joiner 2 s at its execve (which would end the
	# window): that is when the container looks.
	run strace -f -qq -o /dev/null -e trace=execve -e inject=execve:delay_enter=2000000 \
		"$STEP_BIN" --root "$OCI_ROOT" exec --process "$WORK/process.json" c13
	assert_success
	cat "$WORK/x/ls" >&2 || true
	# it saw the joiner, and read nothing through it
	grep -q '^saw ' "$WORK/x/saw"
	run cat "$WORK/x/stolen"
	refute_output --partial host-secret
	run oci delete --force c13
	assert_success
	rm "$OCI_ROOT/secret"
	assert_no_traces
}

# steal_secret: the shell words a container runs to read $WORK/secret
# (host-only: $WORK is not in the container, only $WORK/x) from wherever
# its cwd is, going up; what it reads goes to $WORK/x/stolen.
steal_secret() {
	printf '%s' "pwd >> $WORK/x/stolen 2>&1; for d in . .. ../.. ../../.. ../../../.. ../../../../.. ../../../../../.. ../../../../../../..; do cat \$d/secret \$d$WORK/secret; done >> $WORK/x/stolen 2>/dev/null; true"
}

@test "oci: process.cwd /proc/self/fd/N never lands in a host directory, in create or exec (CVE-2024-21626)" {
	echo host-secret >"$WORK/secret"
	local n good
	good=$(cat "$BUNDLE/config.json")
	for n in 3 4 5 6 7 8; do
		echo "$good" >"$BUNDLE/config.json"
		edit '.process.cwd = $c | .process.args = ["sh", "-c", $s]' --arg c "/proc/self/fd/$n" --arg s "$(steal_secret)"
		IDS+=("cwd$n")
		# (a file, not `run`: a created container holds its stdout)
		status=0
		oci create --bundle "$BUNDLE" "cwd$n" </dev/null >"$WORK/create.out" 2>&1 || status=$?
		output=$(cat "$WORK/create.out")
		echo "create, cwd /proc/self/fd/$n: $status: $output"
		if [ "$status" -eq 0 ]; then
			run oci start "cwd$n"
			until_status "cwd$n" stopped
			run oci delete "cwd$n"
			assert_success
		else
			assert_output --partial 'process.cwd'
		fi
		assert_no_traces
	done
	echo "$good" >"$BUNDLE/config.json"
	args "touch $WORK/x/ready; sleep 100"
	create c14
	run oci start c14
	assert_success
	wait_for "$WORK/x/ready"
	for n in 3 4 5 6 7 8; do
		jq -n --arg c "/proc/self/fd/$n" --arg s "$(steal_secret)" \
			'{user: {uid: 0, gid: 0}, args: ["sh", "-c", $s], env: ["PATH=/bin"], cwd: $c}' >"$WORK/process.json"
		run oci exec --process "$WORK/process.json" c14
		echo "exec, cwd /proc/self/fd/$n: $status: $output"
		[ "$status" -eq 0 ] || assert_output --partial 'process.cwd'
	done
	# the host's file was never read
	cat "$WORK/x/stolen" >&2 || true
	run cat "$WORK/x/stolen"
	refute_output --partial host-secret
	# an ordinary cwd still works, and a link inside the rootfs is
	# resolved inside it
	jq -n --arg w "$WORK/x" '{user: {uid: 0, gid: 0}, args: ["sh", "-c", "pwd > \($w)/pwd"], env: ["PATH=/bin"], cwd: "/tmp"}' >"$WORK/process.json"
	run oci exec --process "$WORK/process.json" c14
	assert_success
	[ "$(cat "$WORK/x/pwd")" = /tmp ]
	run oci delete --force c14
	assert_success
	assert_no_traces
}

# forge ROOT ID PID DIR: a state.json in ROOT/ID, as another user could
# write it, naming host process PID (its true start time) and DIR as the
# container's cgroup.
forge() {
	local start
	start=$(awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$3/stat")
	mkdir -p "$1/$2"
	jq -n --argjson pid "$3" --argjson start "$start" --arg dir "$4" '{ociVersion: "1.0.2", id: "x", pid: $pid,
		bundle: "/", created: "2024-01-01T00:00:00Z", stepbox: {startTime: $start, cgroups: [$dir]}}' >"$1/$2/state.json"
}

@test "oci: --root must be root's and 0700; forged state in it never kills a host process or removes a directory" {
	sleep 1000 &
	victim=$!
	mkdir "$WORK/victim-dir"
	TEARDOWN_EXTRA="kill $victim 2>/dev/null; $TEARDOWN_EXTRA"
	# the attack: a --root anyone can write, state.json written there by
	# another user (uid 65534), naming the host's sleep, and as the
	# cgroup a directory whose "cgroup.procs" lists it (for kill --all)
	# or an empty directory (for delete to remove)
	mkdir -m 1777 "$OCI_ROOT" "$WORK/fakecg"
	echo "$victim" >"$WORK/fakecg/cgroup.procs"
	as_user bash -c "$(declare -f forge); forge $OCI_ROOT forged $victim $WORK/fakecg; forge $OCI_ROOT forged2 $victim $WORK/victim-dir"
	[ "$(stat -c %u "$OCI_ROOT/forged/state.json")" = 65534 ]
	local cmd
	for cmd in "kill --all forged KILL" "kill forged KILL" "delete --force forged2" "delete forged2" "state forged" "start forged"; do
		# shellcheck disable=SC2086 # the words of the command
		run oci $cmd
		echo "$cmd: $status: $output"
		assert_failure
		[ "${#lines[@]}" -eq 1 ]
		assert_output --partial "--root $OCI_ROOT: owned by uid 0 with mode 1777"
	done
	run oci create --bundle "$BUNDLE" c15
	assert_failure
	assert_output --partial 'mode 0700'
	[ ! -e "$OCI_ROOT/c15" ]
	# a --root of another user's, mode 0700: the same
	chmod 700 "$OCI_ROOT"
	chown 65534:65534 "$OCI_ROOT"
	run oci delete --force forged2
	assert_failure
	assert_output --partial "--root $OCI_ROOT: owned by uid 65534 with mode 0700"
	# root's 0700 --root, but the container's directory and record are
	# another user's: refused too
	chown 0:0 "$OCI_ROOT"
	chown 65534:65534 "$OCI_ROOT/forged"
	run oci kill --all forged KILL
	assert_failure
	assert_output --partial "the state directory $OCI_ROOT/forged: owned by uid 65534"
	chown 0:0 "$OCI_ROOT/forged" "$OCI_ROOT/forged2"
	chmod 700 "$OCI_ROOT/forged" "$OCI_ROOT/forged2"
	run oci delete --force forged2
	assert_failure
	assert_output --partial "the state record $OCI_ROOT/forged2/state.json: owned by uid 65534"
	# even root's own record names no directory outside the cgroup tree
	chown 0:0 "$OCI_ROOT/forged/state.json"
	chmod 600 "$OCI_ROOT/forged/state.json"
	run oci kill --all forged KILL
	assert_failure
	assert_output --partial "stepbox.cgroups[0] $WORK/fakecg is not a cgroup"
	# the host: its process alive, its directory there
	running "$victim"
	[ -d "$WORK/victim-dir" ]
	rm -r "$OCI_ROOT"
	kill "$victim"
	# a --root made by create is 0700, root's
	args 'true'
	create c16
	[ "$(stat -c '%u %a' "$OCI_ROOT")" = '0 700' ]
	[ "$(stat -c '%u %a' "$OCI_ROOT/c16")" = '0 700' ]
	[ "$(stat -c '%u %a' "$OCI_ROOT/c16/state.json")" = '0 600' ]
	# list: a record it cannot trust is said and skipped, the others
	# listed, as runc's list does: one that is not stepbox's, and c16's
	# own record copied into a directory of its own but written by
	# another user (uid 65534)
	mkdir -m 700 "$OCI_ROOT/forged3" "$OCI_ROOT/forged4"
	echo '{"ociVersion": "1.0.2"}' >"$OCI_ROOT/forged3/state.json"
	chmod 600 "$OCI_ROOT/forged3/state.json"
	jq -c '.id = "forged4"' "$OCI_ROOT/c16/state.json" >"$OCI_ROOT/forged4/state.json"
	chmod 600 "$OCI_ROOT/forged4/state.json"
	chown 65534:65534 "$OCI_ROOT/forged4/state.json"
	run oci list -q
	assert_success
	assert_line c16
	assert_line --regexp "list: skipped, $OCI_ROOT/forged3/state.json: "
	assert_line --regexp "list: skipped, the state record $OCI_ROOT/forged4/state.json: owned by uid 65534"
	refute_line forged3
	refute_line forged4
	rm -r "$OCI_ROOT/forged3" "$OCI_ROOT/forged4"
	run oci delete c16
	assert_success
	assert_no_traces
}

# try_create: create "bad", its status and output in $status and
# $output (a file, not `run`: a container made holds its stdout).
try_create() {
	IDS+=(bad)
	status=0
	oci create --bundle "$BUNDLE" bad </dev/null >"$WORK/create.out" 2>&1 || status=$?
	output=$(cat "$WORK/create.out")
	mapfile -t lines <<<"$output"
	echo "create: $status: $output"
}

# refused WHAT: that create failed with one line naming WHAT, and left
# nothing behind.
refused() {
	assert_failure
	[ "${#lines[@]}" -eq 1 ]
	assert_output --partial "$1"
	[ ! -e "$OCI_ROOT/bad" ]
	assert_no_traces
}

@test "oci: linux.sysctl of the host's (fs.lease-break-time) is refused by name; the host's value stays (CVE-2025-52881 class)" {
	before=$(cat /proc/sys/fs/lease-break-time)
	# were it written, the host would get this value: put it back
	TEARDOWN_EXTRA="echo $before > /proc/sys/fs/lease-break-time; $TEARDOWN_EXTRA"
	edit '.linux.sysctl = {"fs.lease-break-time": (($b | tonumber) + 7 | tostring)}' --arg b "$before"
	args "cat /proc/sys/fs/lease-break-time > $WORK/x/out"
	try_create
	# the host's value first: the attack's effect, whatever create said
	[ "$(cat /proc/sys/fs/lease-break-time)" = "$before" ]
	refused 'linux.sysctl["fs.lease-break-time"]: refused: not in a namespace of the container'"'"'s own'
	# the same write redirected: the host's file bound over the
	# container's own net.ipv4.ip_forward, which is then written
	edit '.linux.sysctl = {"net.ipv4.ip_forward": (($b | tonumber) + 7 | tostring)} |
		.mounts += [{destination: "/proc/sys/net/ipv4/ip_forward", type: "bind", source: "/proc/sys/fs/lease-break-time", options: ["bind"]}]' --arg b "$before"
	try_create
	[ "$(cat /proc/sys/fs/lease-break-time)" = "$before" ]
	# (the mount is refused first; without that check, the write is
	# refused with EXDEV: openat2 RESOLVE_NO_XDEV)
	refused 'mounts[8]: "destination" /proc/sys/net/ipv4/ip_forward: refused'
}

@test "oci: linux.sysctl of the container's own IPC and network namespaces is applied inside, not on the host" {
	shmmax=$(cat /proc/sys/kernel/shmmax)
	forward=$(cat /proc/sys/net/ipv4/ip_forward)
	edit '.linux.sysctl = {"kernel.shmmax": "123456789", "net.ipv4.ip_forward": $f}' --arg f "$((1 - forward))"
	args "cat /proc/sys/kernel/shmmax /proc/sys/net/ipv4/ip_forward > $WORK/x/out"
	create c17
	run oci start c17
	assert_success
	until_status c17 stopped
	run cat "$WORK/x/out"
	assert_output "123456789
$((1 - forward))"
	[ "$(cat /proc/sys/kernel/shmmax)" = "$shmmax" ]
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$forward" ]
	run oci delete c17
	assert_success
	assert_no_traces
}

@test "oci: linux.sysctl of a namespace the container shares with the host, or not a name, is refused" {
	local good c
	good=$(cat "$BUNDLE/config.json")
	local cases=(
		# net.* without a network namespace of its own: the host's
		'del(.linux.namespaces[] | select(.type == "network")) | .linux.sysctl = {"net.ipv4.ip_forward": "1"} ~ linux.sysctl["net.ipv4.ip_forward"]: refused: it needs a network namespace'
		# the host's network namespace, joined by path
		'.linux.namespaces |= map(if .type == "network" then .path = $p else . end) | .linux.sysctl = {"net.ipv4.ip_forward": "1"} ~ linux.sysctl["net.ipv4.ip_forward"]: refused: linux.namespaces[4]'
		'del(.linux.namespaces[] | select(.type == "ipc")) | .linux.sysctl = {"kernel.shmmax": "1"} ~ linux.sysctl["kernel.shmmax"]: refused: it needs an IPC namespace'
		'del(.linux.namespaces[] | select(.type == "uts")) | del(.hostname) | .linux.sysctl = {"kernel.domainname": "x"} ~ linux.sysctl["kernel.domainname"]: refused: it needs a new UTS namespace'
		'.linux.sysctl = {"kernel.hostname": "x"} ~ linux.sysctl["kernel.hostname"]: refused: the "hostname" field'
		'.linux.sysctl = {"kernel.core_pattern": "|/bin/sh"} ~ linux.sysctl["kernel.core_pattern"]: refused'
		'.linux.sysctl = {"net/ipv4/ip_forward": "1"} ~ linux.sysctl["net/ipv4/ip_forward"]: not a sysctl name'
		'.linux.sysctl = {"net.ipv4..ip_forward": "1"} ~ linux.sysctl["net.ipv4..ip_forward"]: not a sysctl name'
		'.linux.sysctl = {"": "1"} ~ linux.sysctl[""]: not a sysctl name'
		'.linux.sysctl = {"net.ipv4.ip_forward": 1} ~ linux.sysctl["net.ipv4.ip_forward"]: must be a string'
	)
	for c in "${cases[@]}"; do
		echo "$good" >"$BUNDLE/config.json"
		edit "${c%% ~ *}" --arg p "/proc/$$/ns/net"
		echo "case: ${c%% ~ *}"
		try_create
		refused "${c#* ~ }"
	done
}

@test "oci: only network, IPC and UTS namespaces may be joined by path; joining a mount namespace is refused, nothing made" {
	# A mount namespace of a process of ours, to see that nothing in it
	# changes (joined, then pivot_root, its root would be the container's).
	unshare -m --propagation private sleep 1000 &
	victim=$!
	TEARDOWN_EXTRA="kill $victim 2>/dev/null; $TEARDOWN_EXTRA"
	wait_for "/proc/$victim/ns/mnt"
	until [ "$(readlink "/proc/$victim/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ]; do sleep 0.05; done
	mounts=$(cat "/proc/$victim/mountinfo")
	local good c
	good=$(cat "$BUNDLE/config.json")
	local cases=(
		'mount ~ /proc/VICTIM/ns/mnt ~ linux.namespaces[3]: joining a mount namespace by path (/proc/VICTIM/ns/mnt) is refused: pivot_root'
		'mount ~ /proc/1/ns/mnt ~ linux.namespaces[3]: joining a mount namespace by path (/proc/1/ns/mnt) is refused'
		'pid ~ /proc/1/ns/pid ~ linux.namespaces[0]: joining a pid namespace by path (/proc/1/ns/pid) is refused'
		'cgroup ~ /proc/1/ns/cgroup ~ linux.namespaces[5]: joining a cgroup namespace by path (/proc/1/ns/cgroup) is refused'
		'network ~ /proc/SELF/ns/ipc ~ linux.namespaces[4]: /proc/SELF/ns/ipc is not a network namespace'
		'network ~ CONFIG ~ linux.namespaces[4]: ioctl('
	)
	for c in "${cases[@]}"; do
		local type=${c%% ~ *} rest=${c#* ~ } path want
		path=${rest%% ~ *}
		path=${path/VICTIM/$victim}
		path=${path/SELF/$$}
		[ "$path" != CONFIG ] || path=$BUNDLE/config.json
		echo "$good" >"$BUNDLE/config.json"
		edit '.linux.namespaces |= map(if .type == $t then .path = $p else . end)' --arg t "$type" --arg p "$path"
		echo "case: $type at $path"
		try_create
		want=${rest#* ~ }
		want=${want//VICTIM/$victim}
		refused "${want//SELF/$$}"
	done
	# a user namespace, joined by path (root's runtime)
	echo "$good" >"$BUNDLE/config.json"
	edit '.linux.namespaces += [{type: "user", path: "/proc/1/ns/user"}] | .linux.uidMappings = [{containerID: 0, hostID: 0, size: 1}] | .linux.gidMappings = .linux.uidMappings'
	try_create
	refused 'linux.namespaces[6]: joining a user namespace by path (/proc/1/ns/user) is refused'
	# the other process's mount namespace is as it was
	[ "$(cat "/proc/$victim/mountinfo")" = "$mounts" ]
	[ "$(readlink "/proc/$victim/root")" = / ]
}

@test "oci: nothing is mounted inside /proc but proc at /proc and lxcfs's files; never over /proc/sys (runc's checkProcMount)" {
	local good c
	good=$(cat "$BUNDLE/config.json")
	local cases=(
		'{destination: "/proc/sys/kernel", type: "tmpfs", source: "tmpfs"} ~ mounts[8]: "destination" /proc/sys/kernel: refused: a mount over /proc/sys/'
		'{destination: "/tmp/../proc/./sys//kernel/", type: "tmpfs", source: "tmpfs"} ~ mounts[8]: "destination" /tmp/../proc/./sys//kernel/: refused'
		'{destination: "/proc/sys/kernel/ns_last_pid", type: "bind", source: "/proc/sys/kernel/ns_last_pid", options: ["bind"]} ~ mounts[8]: "destination" /proc/sys/kernel/ns_last_pid: refused'
		'{destination: "/proc/sys", type: "bind", source: "/proc/sys", options: ["rbind"]} ~ mounts[8]: "destination" /proc/sys: refused'
		'{destination: "/proc/self/status", type: "bind", source: "/etc/hostname", options: ["bind"]} ~ mounts[8]: "destination" /proc/self/status: refused: nothing may be mounted inside /proc'
		'{destination: "/proc", type: "tmpfs", source: "tmpfs"} ~ mounts[8]: "destination" /proc: refused: only a proc'
		'{destination: "/proc", type: "bind", source: "/etc", options: ["rbind"]} ~ mounts[8]: "destination" /proc: refused: a bind at /proc must be of a procfs'
	)
	for c in "${cases[@]}"; do
		echo "$good" >"$BUNDLE/config.json"
		edit ".mounts += [${c%% ~ *}]"
		echo "case: ${c%% ~ *}"
		try_create
		refused "${c#* ~ }"
	done
	# A link in the rootfs that leads into /proc: refused once resolved
	# ($WORK/x is bound into the container; its link resolves inside
	# the container's root, to its /proc/sys).
	ln -s /proc/sys "$WORK/x/lnk"
	echo "$good" >"$BUNDLE/config.json"
	edit '.mounts += [{destination: $d, type: "tmpfs", source: "tmpfs"}]' --arg d "$WORK/x/lnk/kernel"
	try_create
	assert_failure
	assert_output --partial "mounts[8]: \"destination\" $WORK/x/lnk/kernel leads inside /proc"
	[ ! -e "$OCI_ROOT/bad" ]
	assert_no_traces
	# lxcfs's kind of file is allowed: the host's cpuinfo bound over the
	# container's; and a proc at /proc
	echo "$good" >"$BUNDLE/config.json"
	edit '.mounts += [{destination: "/proc/cpuinfo", type: "bind", source: "/proc/cpuinfo", options: ["bind", "ro"]}]'
	args "grep -c ^processor /proc/cpuinfo > $WORK/x/out"
	create c18
	run oci start c18
	assert_success
	until_status c18 stopped
	[ "$(cat "$WORK/x/out")" = "$(grep -c ^processor /proc/cpuinfo)" ]
	run oci delete c18
	assert_success
	assert_no_traces
}

# --- mounts podman sends ---

# swapper DIR...: in the background, each DIR exchanged with DIR.l (a link
# to /w) again and again (renameat2 RENAME_EXCHANGE: one of the two names
# is always the directory, the other the link); $SWAPPER is its pid.
swapper() {
	python3 - "$@" <<'PY' &
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
paths = [(p.encode(), (p + ".l").encode()) for p in sys.argv[1:]]
while True:
    for a, b in paths:
        libc.renameat2(-100, a, -100, b, 2)
PY
	SWAPPER=$!
	TEARDOWN_EXTRA="kill $SWAPPER 2>/dev/null; $TEARDOWN_EXTRA"
}

@test "oci: a bind mount's destination swapped for a link while it is mounted: ro stays ro, nothing else remounted (CVE-2021-30465)" {
	local n=12 i k out rootfs="$WORK/rootfs" dirs=()
	cp -a "$ROOTFS/." "$rootfs"
	mkdir -p "$WORK/w" "$rootfs/w" "$rootfs/m"
	for ((i = 0; i < n; i++)); do
		mkdir -p "$WORK/h/$i" "$rootfs/m/$i"
		ln -s /w "$rootfs/m/$i.l"
		dirs+=("$rootfs/m/$i")
		edit '.mounts += [{destination: ("/m/" + $i), type: "bind", source: $src, options: ["rbind", "ro", "nosuid", "rprivate"]}]' \
			--arg i "$i" --arg src "$WORK/h/$i"
	done
	# /w: a host directory bound read-write, where the links lead
	edit '.root = {path: $r, readonly: false} | .mounts |= [.[0:8][], {destination: "/w", type: "bind", source: $w, options: ["rbind", "rw"]}, .[8:][]]' \
		--arg r "$rootfs" --arg w "$WORK/w"
	# The mounts are told apart by field 4 of mountinfo, the path of the
	# mount's root inside its file system: $WORK's path from the mount
	# point of the file system it is on ($WORK itself only where that is
	# "/"; in the VM /tmp is a file system of its own). A copy of h/N may
	# land on /w, through the link, inside the rootfs: that is allowed.
	local fs rel
	fs=$(stat -c %m "$WORK")
	rel=${WORK#"$fs"}
	[[ $rel == /* ]] || rel=/$rel
	# inside: each copy of h/N is read-only where it is mounted, /w rw
	args "awk '\$4 ~ \"/h/[0-9]+\$\" { print \$5 }' /proc/self/mountinfo | while read -r m; do touch \"\$m/f\" 2>/dev/null && echo \"rw \$m\"; done; awk '\$4 == \"$rel/w\" { split(\$6, o, \",\"); print \"w \" o[1] }' /proc/self/mountinfo"
	swapper "${dirs[@]}"
	for ((k = 0; k < 20; k++)); do
		create "r$k"
		kill -STOP "$SWAPPER"
		# from the host: every copy of h/N in the container is
		# read-only, /w's is still read-write, and the host has no
		# mount in $WORK
		out=$(awk -v w="$rel" '$4 ~ "/h/[0-9]+$" && $6 !~ /^ro/ { print "rw: " $4 " on " $5 } $4 == w "/w" && $6 !~ /^rw/ { print "/w remounted: " $6 }' "/proc/$PID/mountinfo")
		[ -z "$out" ] || { echo "container r$k: $out"; false; }
		[ "$(awk -v h="$rel/h/" 'index($4, h) == 1 && $4 ~ "/h/[0-9]+$"' "/proc/$PID/mountinfo" | wc -l)" = "$n" ]
		[ "$(awk -v w="$rel/w" '$4 == w' "/proc/$PID/mountinfo" | wc -l)" = 1 ]
		run awk -v w="$WORK" 'index($5, w) == 1' /proc/self/mountinfo
		assert_output ''
		run oci start "r$k"
		assert_success
		until_status "r$k" stopped
		# from inside: no /m/N writable, /w writable
		[ "$(cat "$WORK/r$k.out")" = "w rw" ] || { echo "container r$k: $(cat "$WORK/r$k.out")"; false; }
		run oci delete "r$k"
		assert_success
		kill -CONT "$SWAPPER"
	done
	kill "$SWAPPER"
	for ((i = 0; i < n; i++)); do [ ! -e "$WORK/h/$i/f" ]; done
	assert_no_traces
}

@test "oci: linux.rootfsPropagation shared, slave, unbindable: \"/\" inside has it; nothing reaches the host" {
	local p tag group
	# the rootfs on a shared mount of the host's, as on a systemd host
	mkdir "$WORK/sh"
	mount --bind "$WORK/sh" "$WORK/sh"
	TEARDOWN_EXTRA="umount -l '$WORK/sh'; $TEARDOWN_EXTRA"
	mount --make-shared "$WORK/sh"
	group=$(awk -v m="$WORK/sh" '$5 == m { for (i = 7; $i != "-"; i++) if ($i ~ /^shared:/) print substr($i, 8) }' /proc/self/mountinfo)
	[ -n "$group" ]
	cp -a "$ROOTFS/." "$WORK/sh/rootfs"
	edit '.root.path = $r' --arg r "$WORK/sh/rootfs"
	args "awk '\$5 == \"/\" { print }' /proc/self/mountinfo > $WORK/x/out"
	for p in shared slave unbindable private; do
		edit '.linux.rootfsPropagation = $p' --arg p "$p"
		create "p-$p"
		# from the host: none of the container's mounts (its /proc,
		# its /dev ...) came back through the shared mount
		run awk -v r="$WORK/sh/" 'index($5, r) == 1' /proc/self/mountinfo
		assert_output ''
		run oci start "p-$p"
		assert_success
		until_status "p-$p" stopped
		echo "$p: $(cat "$WORK/x/out")"
		case $p in
		shared) tag="shared:[0-9]+" ;;
		slave) tag="master:$group" ;;
		unbindable) tag='unbindable' ;;
		private) tag='-' ;;
		esac
		grep -qE " $tag " "$WORK/x/out"
		# never in the host's peer group
		! grep -qE "shared:$group " "$WORK/x/out"
		[ "$p" = shared ] || ! grep -q 'shared:' "$WORK/x/out"
		[ "$p" = slave ] || ! grep -q 'master:' "$WORK/x/out"
		run oci delete "p-$p"
		assert_success
	done
	assert_no_traces
}

@test "oci: tmpcopyup (podman's --tmpfs, --read-only): the tmpfs starts with a copy of the directory, links copied as links, never followed" {
	local rootfs="$WORK/rootfs"
	cp -a "$ROOTFS/." "$rootfs"
	mkdir -p "$rootfs/data/sub" "$WORK/secret"
	echo hi >"$rootfs/data/f"
	echo deep >"$rootfs/data/sub/g"
	chmod 640 "$rootfs/data/f"
	chown 1234:5678 "$rootfs/data/f"
	echo host-only >"$WORK/secret/s"
	# a link to a host directory: inside it resolves in the container
	ln -s "$WORK/secret" "$rootfs/data/lnk"
	edit '.root.path = $r | .mounts += [{destination: "/data", type: "tmpfs", source: "tmpfs", options: ["rw", "rprivate", "nosuid", "nodev", "tmpcopyup"]}]' --arg r "$rootfs"
	args "{ cat /data/f /data/sub/g; stat -c %a:%u:%g /data/f; readlink /data/lnk; ls /data/lnk/ 2>&1 | grep -c host-only; echo new > /data/new && echo written; awk '\$5 == \"/data\" { print \$9 }' /proc/self/mountinfo; } > $WORK/x/out 2>&1"
	create t1
	# from the host: a tmpfs at /data in the container, none on the host
	[ "$(awk '$5 == "/data" { print $9 }' "/proc/$PID/mountinfo")" = tmpfs ]
	run awk -v r="$rootfs" 'index($5, r) == 1' /proc/self/mountinfo
	assert_output ''
	run oci start t1
	assert_success
	until_status t1 stopped
	run cat "$WORK/x/out"
	assert_output "hi
deep
640:1234:5678
$WORK/secret
0
written
tmpfs"
	# the directory under the tmpfs is as it was; the host's untouched
	[ ! -e "$rootfs/data/new" ]
	[ "$(ls "$WORK/secret")" = s ]
	run oci delete t1
	assert_success
	assert_no_traces
}

@test "oci: rro makes the mounts below a bind read-only too; ro leaves them (runc's recursive options)" {
	mkdir -p "$WORK/r/sub"
	mount -t tmpfs tmpfs "$WORK/r/sub"
	TEARDOWN_EXTRA="umount -l '$WORK/r/sub'; $TEARDOWN_EXTRA"
	# a rootfs of its own: the mount points /ro and /rro are made in it
	cp -a "$ROOTFS/." "$WORK/rootfs"
	edit '.root.path = $r' --arg r "$WORK/rootfs"
	args "for d in /ro /ro/sub /rro /rro/sub; do touch \$d/f 2>/dev/null && echo \"\$d rw\" || echo \"\$d ro\"; done > $WORK/x/out"
	edit '.mounts += [{destination: "/ro", type: "bind", source: $r, options: ["rbind", "ro"]}, {destination: "/rro", type: "bind", source: $r, options: ["rbind", "rro"]}]' --arg r "$WORK/r"
	create rr
	# from the host: the container's copies of sub, under /ro rw, under /rro ro
	[ "$(awk '$5 == "/ro/sub" { print substr($6, 1, 2) }' "/proc/$PID/mountinfo")" = rw ]
	[ "$(awk '$5 == "/rro/sub" { print substr($6, 1, 2) }' "/proc/$PID/mountinfo")" = ro ]
	run oci start rr
	assert_success
	until_status rr stopped
	run cat "$WORK/x/out"
	assert_output "/ro ro
/ro/sub rw
/rro ro
/rro/sub ro"
	# the host's mount is untouched
	[ "$(awk -v m="$WORK/r/sub" '$5 == m { print substr($6, 1, 2) }' /proc/self/mountinfo)" = rw ]
	rm -f "$WORK/r/sub/f"
	run oci delete rr
	assert_success
	assert_no_traces
}

@test "oci: mount options that mean nothing to a mount, or that stepbox cannot honour, are refused by name" {
	local good c
	good=$(cat "$BUNDLE/config.json")
	local cases=(
		'{destination: "/m", type: "bind", source: "/etc", options: ["rbind", "mode=755"]} ~ mounts[8]: option(s) "mode=755" mean nothing to a bind mount'
		'{destination: "/m", type: "bind", source: "/etc", options: ["rbind", "tmpcopyup"]} ~ mounts[8]: "tmpcopyup" is for a tmpfs'
		'{destination: "/m", type: "tmpfs", source: "tmpfs", options: ["rro"]} ~ mounts[8]: recursive options (rro, rnosuid, ...) are for a bind mount'
		'{destination: "/m", type: "bind", source: "/etc", options: ["rbind", "idmap"]} ~ mounts[8]: option "idmap": idmapped mounts are not supported'
		'{destination: "/m", type: "bind", source: "/etc", options: ["rbind", "sync"]} ~ mounts[8]: sync and dirsync'
	)
	for c in "${cases[@]}"; do
		echo "$good" >"$BUNDLE/config.json"
		edit ".mounts += [${c%% ~ *}]"
		echo "case: ${c%% ~ *}"
		try_create
		refused "${c#* ~ }"
	done
}

@test "oci: podman's --privileged: every device allowed, the listed nodes made (subdirectories, modes, owners), /sys read-write" {
	[ -b /dev/loop0 ] || skip "no /dev/loop0 on this host"
	edit '.linux.devices = [
	    {path: "/dev/net/tun", type: "c", major: 10, minor: 200, fileMode: 8630, uid: 0, gid: 0},
	    {path: "/dev/loop0", type: "b", major: 7, minor: 0, fileMode: 25008, uid: 0, gid: 6},
	    {path: "/dev/cpu/0/cpuid", type: "c", major: 203, minor: 0, fileMode: 8576, uid: 0, gid: 0}]
	  | .linux.resources.devices = [{allow: true, access: "rwm"}]
	  | .process.capabilities = {bounding: ["CAP_SYS_ADMIN", "CAP_MKNOD"], effective: ["CAP_SYS_ADMIN", "CAP_MKNOD"], permitted: ["CAP_SYS_ADMIN", "CAP_MKNOD"]}
	  | (.mounts[] | select(.destination == "/sys") | .options) = ["nosuid", "noexec", "nodev", "rw"]'
	args "{ ls -ln /dev/net/tun /dev/loop0 /dev/cpu/0/cpuid | awk '{ print \$1, \$3, \$4, \$5, \$6, \$NF }'; dd if=/dev/loop0 of=/dev/null count=0 2>/dev/null && echo loop0-opened; awk '\$5 == \"/sys\" { print substr(\$6, 1, 2) }' /proc/self/mountinfo; } > $WORK/x/out 2>&1"
	create pv
	# from the host: its devices cgroup allows every char and block node
	if ! cgroup_v2; then
		[ "$(cat "$(cgroup_of pv devices)/devices.list")" = 'a *:* rwm' ]
	fi
	run oci start pv
	assert_success
	until_status pv stopped
	run cat "$WORK/x/out"
	assert_output "crw------- 0 0 203, 0 /dev/cpu/0/cpuid
brw-rw---- 0 6 7, 0 /dev/loop0
crw-rw-rw- 0 0 10, 200 /dev/net/tun
loop0-opened
rw"
	run oci delete pv
	assert_success
	assert_no_traces
	# a node's path stays below /dev: refused, nothing made
	for d in /dev/../etc/x /dev/net//tun /dev/net/./tun /dev/; do
		edit '.linux.devices = [{path: $p, type: "c", major: 1, minor: 3}]' --arg p "$d"
		try_create
		refused 'linux.devices[0]: "path" must be /dev/NAME or /dev/DIR/NAME'
	done
	[ ! -e "$ROOTFS/etc/x" ]
}

# --- process fidelity ---

# start_and_wait ID: start it; wait for $WORK/x/ready (the command has
# run its checks and sleeps, so the host can look at it too).
start_and_wait() {
	run oci start "$1"
	assert_success
	wait_for "$WORK/x/ready"
}

@test "oci: process.capabilities.ambient and inheritable are applied: uid 1000 keeps CAP_NET_BIND_SERVICE through execve" {
	cp "$BUILT_PROBE" "$WORK/x/probe"
	# 0x400 is CAP_NET_BIND_SERVICE (bit 10): inheritable and ambient,
	# then permitted and effective again after execve (capabilities(7))
	edit '.process.user = {uid: 1000, gid: 1000}
		| .process.capabilities.inheritable = ["CAP_NET_BIND_SERVICE"]
		| .process.capabilities.ambient = ["CAP_NET_BIND_SERVICE"]'
	args "{ grep -E '^Cap(Inh|Prm|Eff|Amb)' /proc/self/status; $WORK/x/probe tcp-listen 0.0.0.0 80 & sleep 0.5; kill \$!; } > $WORK/x/out 2>&1; touch $WORK/x/ready; exec sleep 100"
	create c20
	start_and_wait c20
	run cat "$WORK/x/out"
	assert_line --index 0 $'CapInh:\t0000000000000400'
	assert_line --index 1 $'CapPrm:\t0000000000000400'
	assert_line --index 2 $'CapEff:\t0000000000000400'
	assert_line --index 3 $'CapAmb:\t0000000000000400'
	# a user that is not root bound port 80
	assert_line --index 4 listening
	# from the host: the container's sleep, uid 1000, with the same sets
	[ "$(awk '/^Uid:/ { print $2 }' "/proc/$PID/status")" = 1000 ]
	grep -qx $'CapAmb:\t0000000000000400' "/proc/$PID/status"
	grep -qx $'CapInh:\t0000000000000400' "/proc/$PID/status"
	grep -qx $'CapEff:\t0000000000000400' "/proc/$PID/status"
	run oci delete --force c20
	assert_success
	# inheritable alone: kept, but nothing ambient, so nothing effective
	# after execve, and port 80 is refused
	rm "$WORK/x/ready"
	edit '.process.capabilities.inheritable = ["CAP_KILL"] | del(.process.capabilities.ambient)'
	create c21
	start_and_wait c21
	run cat "$WORK/x/out"
	assert_line --index 0 $'CapInh:\t0000000000000020'
	assert_line --index 1 $'CapPrm:\t0000000000000000'
	assert_line --index 2 $'CapEff:\t0000000000000000'
	assert_line --index 3 $'CapAmb:\t0000000000000000'
	assert_line --index 4 'stepbox-probe: bind: Permission denied'
	grep -qx $'CapInh:\t0000000000000020' "/proc/$PID/status"
	grep -qx $'CapAmb:\t0000000000000000' "/proc/$PID/status"
	run oci delete --force c21
	assert_success
	# ambient without inheritable: the kernel will not raise it; a
	# warning naming it, and the container runs without it, as runc's
	rm "$WORK/x/ready"
	edit '.process.capabilities.inheritable = [] | .process.capabilities.ambient = ["CAP_NET_BIND_SERVICE"]'
	create c22
	run cat "$WORK/c22.out"
	assert_output --partial "process.capabilities.ambient: CAP_NET_BIND_SERVICE not raised (it must be in permitted and inheritable too): prctl(PR_CAP_AMBIENT_RAISE): Operation not permitted"
	start_and_wait c22
	run cat "$WORK/x/out"
	assert_line --index 0 $'CapInh:\t0000000000000000'
	assert_line --index 3 $'CapAmb:\t0000000000000000'
	assert_line --index 4 'stepbox-probe: bind: Permission denied'
	grep -qx $'CapAmb:\t0000000000000000' "/proc/$PID/status"
	run oci delete --force c22
	assert_success
	assert_no_traces
}

@test "oci: noNewPrivileges follows the config when linux.seccomp is set; without it the filter is loaded while CAP_SYS_ADMIN is held" {
	# uid 1000 with no capability at all: were the filter loaded after
	# the user change, without no_new_privs, the kernel would refuse it
	edit '.process.user = {uid: 1000, gid: 1000} | .process.noNewPrivileges = false
		| .process.capabilities = {bounding: [], effective: [], permitted: []}
		| .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
			syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 1}]}'
	args "{ grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status; mkdir /tmp/d; } > $WORK/x/out 2>&1; touch $WORK/x/ready; exec sleep 100"
	for nnp in false true; do
		edit '.process.noNewPrivileges = ($n == "true")' --arg n "$nnp"
		rm -f "$WORK/x/ready"
		create "c22-$nnp"
		start_and_wait "c22-$nnp"
		want=0
		[ "$nnp" = false ] || want=1
		run cat "$WORK/x/out"
		assert_line --index 0 $'NoNewPrivs:\t'"$want"
		assert_line --index 1 $'Seccomp:\t2'
		assert_line --index 2 --partial 'Operation not permitted'
		# from the host
		grep -qx $'NoNewPrivs:\t'"$want" "/proc/$PID/status"
		grep -qx $'Seccomp:\t2' "/proc/$PID/status"
		# exec --process: the same for a process it adds (mkdir refused:
		# status 1, not the runtime's 125)
		jq -n --argjson n "$nnp" '{user: {uid: 1000, gid: 1000}, noNewPrivileges: $n,
			capabilities: {bounding: [], effective: [], permitted: []},
			args: ["sh", "-c", "grep -E \"^(NoNewPrivs|Seccomp):\" /proc/self/status; mkdir /tmp/e"],
			env: ["PATH=/bin"], cwd: "/"}' >"$WORK/process.json"
		run oci exec --process "$WORK/process.json" "c22-$nnp"
		[ "$status" -eq 1 ]
		assert_line --index 0 $'NoNewPrivs:\t'"$want"
		assert_line --index 1 $'Seccomp:\t2'
		assert_line --index 2 --partial 'Operation not permitted'
		run oci delete --force "c22-$nnp"
		assert_success
	done
	assert_no_traces
}

@test "oci: fds are closed before the filter is loaded: a profile that refuses close_range still runs the container" {
	edit '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
		syscalls: [{names: ["close_range"], action: "SCMP_ACT_ERRNO", errnoRet: 1}]}'
	# ls's own fds: 0-2, and 3 for the directory it reads; none of ours
	args "{ ls /proc/self/fd; grep -E '^Seccomp:' /proc/self/status; } > $WORK/x/out 2>&1; touch $WORK/x/ready; exec sleep 100"
	for nnp in true false; do
		edit '.process.noNewPrivileges = ($n == "true")' --arg n "$nnp"
		rm -f "$WORK/x/ready"
		create "c24-$nnp"
		start_and_wait "c24-$nnp"
		run cat "$WORK/x/out"
		assert_output $'0\n1\n2\n3\nSeccomp:\t2'
		# from the host: the container's process has fds 0-2 only
		[ "$(ls "/proc/$PID/fd" | tr '\n' ' ')" = '0 1 2 ' ]
		run oci delete --force "c24-$nnp"
		assert_success
	done
	assert_no_traces
}

@test "oci: process.cwd is opened before the filter: a profile without openat2 (runc needs none) still runs the container in its cwd, as the user" {
	# uid 1000, no capability: the fchdir after the user change is checked
	# against the user's own permission (/root, 0700, refused)
	edit '.process.user = {uid: 1000, gid: 1000} | .process.cwd = "/etc"
		| .process.capabilities = {bounding: [], effective: [], permitted: []}
		| .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
			syscalls: [{names: ["openat2"], action: "SCMP_ACT_ERRNO", errnoRet: 1}]}'
	args "{ pwd; grep -E '^Seccomp:' /proc/self/status; } > $WORK/x/out 2>&1; touch $WORK/x/ready; exec sleep 100"
	for nnp in true false; do
		edit '.process.noNewPrivileges = ($n == "true")' --arg n "$nnp"
		rm -f "$WORK/x/ready"
		create "c26-$nnp"
		start_and_wait "c26-$nnp"
		run cat "$WORK/x/out"
		assert_output $'/etc\nSeccomp:\t2'
		# from the host: its cwd is the rootfs's /etc
		[ "$(stat -L -c %d:%i "/proc/$PID/cwd")" = "$(stat -c %d:%i "$ROOTFS/etc")" ]
		# exec --process: the same for a process it adds
		jq -n --argjson n "$nnp" '{user: {uid: 1000, gid: 1000}, noNewPrivileges: $n,
			capabilities: {bounding: [], effective: [], permitted: []},
			args: ["pwd"], env: ["PATH=/bin"], cwd: "/etc"}' >"$WORK/process.json"
		run oci exec --process "$WORK/process.json" "c26-$nnp"
		assert_success
		assert_output /etc
		jq '.cwd = "/root"' "$WORK/process.json" >"$WORK/process2.json"
		run oci exec --process "$WORK/process2.json" "c26-$nnp"
		assert_failure
		assert_output --partial 'process.cwd: fchdir(/root): Permission denied'
		run oci delete --force "c26-$nnp"
		assert_success
	done
	assert_no_traces
}

@test "oci: start fails, naming the program and the reason, when the process cannot execute it after create" {
	# gone between create and start
	printf '#!/bin/sh\necho ran > %s/x/ran\n' "$WORK" >"$WORK/x/prog"
	chmod 755 "$WORK/x/prog"
	edit '.process.args = [$p]' --arg p "$WORK/x/prog"
	create c25
	rm "$WORK/x/prog"
	run oci start c25
	assert_failure
	assert_output --partial "$WORK/x/prog"
	assert_output --partial 'No such file or directory'
	until_status c25 stopped
	! running "$PID"
	run oci delete c25
	assert_success
	# not a program: execve says ENOEXEC
	printf 'not a program\n' >"$WORK/x/prog"
	chmod 755 "$WORK/x/prog"
	create c26
	run oci start c26
	assert_failure
	assert_output --partial "$WORK/x/prog"
	assert_output --partial 'Exec format error'
	until_status c26 stopped
	run oci delete c26
	assert_success
	[ ! -e "$WORK/x/ran" ]
	assert_no_traces
}

@test "oci: start fails when a seccomp filter kills the first process before its command runs (SCMP_ACT_KILL)" {
	args "echo ran > $WORK/x/ran"
	local profiles=(
		'{defaultAction: "SCMP_ACT_KILL"}'
		'{defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["execve"], action: "SCMP_ACT_KILL"}]}'
		'{defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["execve"], action: "SCMP_ACT_KILL_PROCESS"}]}'
	)
	local i
	for i in 0 1 2; do
		edit ".linux.seccomp = ${profiles[$i]}"
		# as under conmon or containerd's shim: the first process's
		# parent a subreaper that reaps it the moment it dies, before
		# start could look at it in /proc (start traces it instead)
		IDS+=("c27-$i")
		"$BUILT_PROBE" reaper timeout 30 "$STEP_BIN" --root "$OCI_ROOT" create --bundle "$BUNDLE" \
			--pid-file "$WORK/c27-$i.pid" "c27-$i" </dev/null >"$WORK/c27-$i.out" 2>&1 ||
			{ cat "$WORK/c27-$i.out"; false; }
		PID=$(cat "$WORK/c27-$i.pid")
		# from the host: its parent is the reaper
		[ "$(cat "/proc/$(awk '/^PPid:/ { print $2 }' "/proc/$PID/status")/comm")" = stepbox-probe ]
		run oci start "c27-$i"
		echo "$output"
		assert_failure
		assert_output --partial 'killed by SIGSYS'
		assert_output --partial 'before execve'
		# from the host: it is gone, and ran nothing
		until_gone "$PID"
		until_status "c27-$i" stopped
		run oci delete "c27-$i"
		assert_success
	done
	[ ! -e "$WORK/x/ran" ]
	assert_no_traces
}

@test "oci: start of a stopped first process waits through SIGSTOP and goes on at SIGCONT (its tracer passes the stop and the continue)" {
	args "echo ran > $WORK/x/ran"
	create cs
	kill -STOP "$PID"
	oci start cs >"$WORK/start.out" 2>&1 &
	local start=$!
	# stopped, start waits: no command has run
	sleep 1
	[ ! -e "$WORK/x/ran" ]
	kill -0 "$start"
	[ "$(awk '{ print $3 }' "/proc/$PID/stat")" = t ] || [ "$(awk '{ print $3 }' "/proc/$PID/stat")" = T ]
	kill -CONT "$PID"
	wait "$start" || { cat "$WORK/start.out"; false; }
	wait_for "$WORK/x/ran"
	[ "$(cat "$WORK/x/ran")" = ran ]
	until_status cs stopped
	run oci delete cs
	assert_success
	assert_no_traces
}

@test "oci: a seccomp rule comparing one argument several times matches any of them (docker's personality rules; runc's matchCall)" {
	# personality(PER_LINUX32) and personality(PER_LINUX32|ADDR_NO_RANDOMIZE)
	# refused, personality(PER_LINUX) not: busybox's linux32, linux32 -R, linux64
	edit '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
		syscalls: [{names: ["personality"], action: "SCMP_ACT_ERRNO", errnoRet: 1,
			args: [{index: 0, value: 8, op: "SCMP_CMP_EQ"}, {index: 0, value: 262152, op: "SCMP_CMP_EQ"}]}]}'
	args "{ linux32 true; echo linux32=\$?; linux32 -R true; echo linux32-R=\$?; linux64 true; echo linux64=\$?; } > $WORK/x/out 2>&1; touch $WORK/x/ready; exec sleep 100"
	create c23
	start_and_wait c23
	run cat "$WORK/x/out"
	assert_line --index 0 --partial 'Operation not permitted'
	assert_line --index 1 linux32=1
	assert_line --index 2 --partial 'Operation not permitted'
	assert_line --index 3 linux32-R=1
	assert_line --index 4 linux64=0
	grep -qx $'Seccomp:\t2' "/proc/$PID/status"
	run oci delete --force c23
	assert_success
	assert_no_traces
}

@test "oci: process.oomScoreAdj is the first process's and exec's (exec --process's own, or the container's)" {
	args "cat /proc/self/oom_score_adj > $WORK/x/out; touch $WORK/x/ready; exec sleep 100"
	edit '.process.oomScoreAdj = 345'
	create c28
	# set before the process waits for start: the host sees it at once
	[ "$(cat "/proc/$PID/oom_score_adj")" = 345 ]
	start_and_wait c28
	[ "$(cat "$WORK/x/out")" = 345 ]
	[ "$(cat "/proc/$PID/oom_score_adj")" = 345 ]
	jq -n '{user: {uid: 0, gid: 0}, args: ["cat", "/proc/self/oom_score_adj"], env: ["PATH=/bin"], cwd: "/", oomScoreAdj: 678}' >"$WORK/process.json"
	run oci exec --process "$WORK/process.json" c28
	assert_success
	assert_output 678
	# without one of its own: the container's, as runc's exec
	jq -n --arg w "$WORK/x" '{user: {uid: 0, gid: 0}, args: ["sh", "-c", "cat /proc/self/oom_score_adj; touch \($w)/exec-ready; exec sleep 100"], env: ["PATH=/bin"], cwd: "/"}' >"$WORK/process.json"
	oci exec --detach --pid-file "$WORK/exec.pid" --process "$WORK/process.json" c28 </dev/null >"$WORK/exec.out" 2>&1
	wait_for "$WORK/x/exec-ready"
	[ "$(cat "$WORK/exec.out")" = 345 ]
	[ "$(cat "/proc/$(cat "$WORK/exec.pid")/oom_score_adj")" = 345 ]
	run oci delete --force c28
	assert_success
	# in a user namespace too (written by the runtime, before the
	# process is made: it inherits it)
	rm "$WORK/x/ready"
	edit '.linux.namespaces += [{type: "user"}] | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}] | .linux.gidMappings = .linux.uidMappings'
	create c29
	[ "$(cat "/proc/$PID/oom_score_adj")" = 345 ]
	start_and_wait c29
	[ "$(cat "$WORK/x/out")" = 345 ]
	run oci delete --force c29
	assert_success
	# out of the kernel's range: refused by name
	edit '.process.oomScoreAdj = 1001'
	try_create
	refused 'process.oomScoreAdj'
}

@test "oci: a bad process.rlimits entry is refused naming process.rlimits[N], not --ulimit" {
	local good c
	good=$(cat "$BUNDLE/config.json")
	local cases=(
		'.process.rlimits += [{type: "RLIMIT_NOSUCH", soft: 1, hard: 1}] ~ process.rlimits[1]: "type" RLIMIT_NOSUCH is not'
		'.process.rlimits += [{type: "nofile", soft: 1, hard: 1}] ~ process.rlimits[1]: "type" nofile is not'
		'.process.rlimits[0].soft = 2048 ~ process.rlimits[0]: "soft" 2048 is above "hard" 512'
	)
	for c in "${cases[@]}"; do
		echo "$good" >"$BUNDLE/config.json"
		edit "${c%% ~ *}"
		try_create
		refused "${c#* ~ }"
		refute_output --partial -- '--ulimit'
	done
}

@test "oci: delete of a created container (no --force) kills its first process and removes it, as runc's" {
	args "echo ran > $WORK/x/ran"
	create c30
	running "$PID"
	[ "$(status_of c30)" = created ]
	run oci delete c30
	assert_success
	! running "$PID"
	[ ! -e "$OCI_ROOT/c30" ]
	run oci state c30
	assert_failure
	[ ! -e "$WORK/x/ran" ]
	assert_no_traces
}

# --- linux.resources as given ---
# Every field of linux.resources is written as given (v1's numbers to
# v1's files; converted for v2 as runc converts them) or refused by its
# JSON path before anything is left. Each is read from the host (the
# container's cgroup) and from inside (its own /sys/fs/cgroup).

# cg_file ID CONTROLLER FILE: FILE of container ID's cgroup, from the host.
cg_file() {
	echo "$(cgroup_of "$1" "$2")/$3"
}

# cat_inside PATH...: the container prints each PATH (below its own
# /sys/fs/cgroup) into $WORK/x/in, then sleeps.
cat_inside() {
	local p files=
	for p in "$@"; do files+=" /sys/fs/cgroup/$p"; done
	args "for f in$files; do cat \$f || echo missing \$f; done > $WORK/x/in.new; mv $WORK/x/in.new $WORK/x/in; sleep 100"
}

# start_and_read ID: start ID and wait for what cat_inside wrote.
start_and_read() {
	run oci start "$1"
	assert_success
	wait_for "$WORK/x/in"
	run cat "$WORK/x/in"
}

# host_cat ID CONTROLLER FILE...: the same files, read from the host.
host_cat() {
	local id=$1 ctl=$2 f
	shift 2
	for f in "$@"; do cat "$(cg_file "$id" "$ctl" "$f")"; done
}

# refused_late TEXT: create failed while writing the cgroup, saying TEXT,
# and took everything it made with it.
refused_late() {
	assert_failure
	assert_output --partial "$1"
	[ ! -e "$OCI_ROOT/bad" ]
	assert_no_traces
}

@test "oci: resources: memory reservation, swappiness, disableOOMKiller, kernelTCP as given (v1); reservation as memory.low (v2)" {
	if cgroup_v2; then
		edit '.linux.resources.memory += {reservation: 33554432}'
		cat_inside memory.low memory.max
		create c30
		start_and_read c30
		assert_output $'33554432\n67108864'
		assert_equal "$(host_cat c30 memory memory.low memory.max)" $'33554432\n67108864'
	else
		edit '.linux.resources.memory += {reservation: 33554432, swappiness: 10, disableOOMKiller: true, kernelTCP: 16777216}'
		local files=(memory.soft_limit_in_bytes memory.swappiness memory.oom_control memory.kmem.tcp.limit_in_bytes)
		cat_inside "${files[@]/#/memory/}"
		create c30
		start_and_read c30
		assert_equal "$(host_cat c30 memory "${files[@]}")" "$output"
		assert_line --index 0 33554432
		assert_line --index 1 10
		assert_line --index 2 'oom_kill_disable 1'
		assert_line 16777216
	fi
	run oci delete --force c30
	assert_success
	assert_no_traces
}

@test "oci: resources: cpu shares, quota, period, burst as given on v1; on v2 as runc converts them (cpu.weight 174, cpu.max)" {
	edit '.linux.resources.cpu = {shares: 2048, quota: 200000, period: 500000, burst: 1000}'
	if cgroup_v2; then
		cat_inside cpu.weight cpu.max cpu.max.burst
		create c31
		start_and_read c31
		# runc's ConvertCPUSharesToCgroupV2Value(2048) = 174
		assert_output $'174\n200000 500000\n1000'
		assert_equal "$(host_cat c31 cpu cpu.weight cpu.max cpu.max.burst)" "$output"
	else
		local files=(cpu.shares cpu.cfs_period_us cpu.cfs_quota_us cpu.cfs_burst_us)
		cat_inside "${files[@]/#/cpu/}"
		create c31
		start_and_read c31
		assert_output $'2048\n500000\n200000\n1000'
		assert_equal "$(host_cat c31 cpu "${files[@]}")" "$output"
	fi
	run oci delete --force c31
	assert_success
	# no quota (-1) over a period of its own; idle
	rm "$WORK/x/in"
	edit '.linux.resources.cpu = {quota: -1, period: 250000, idle: 1}'
	if cgroup_v2; then
		cat_inside cpu.max cpu.idle
		create c31
		start_and_read c31
		assert_output $'max 250000\n1'
		assert_equal "$(host_cat c31 cpu cpu.max cpu.idle)" "$output"
	else
		cat_inside cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us cpu/cpu.idle
		create c31
		start_and_read c31
		assert_output $'-1\n250000\n1'
		assert_equal "$(host_cat c31 cpu cpu.cfs_quota_us cpu.cfs_period_us cpu.idle)" "$output"
	fi
	run oci delete --force c31
	assert_success
	assert_no_traces
}

@test "oci: resources: realtimePeriod and realtimeRuntime are v1's cpu.rt_*; a runtime the parent cannot give is refused by name" {
	cgroup_v2 && skip "v2 has no real-time bandwidth: refused (the refusal test)"
	[ -e /sys/fs/cgroup/cpu/cpu.rt_runtime_us ] || skip "no CONFIG_RT_GROUP_SCHED"
	edit '.linux.resources.cpu = {realtimePeriod: 500000, realtimeRuntime: 10000}'
	# below stepbox-oci/, whose cpu.rt_runtime_us is 0
	try_create
	refused_late 'linux.resources.cpu.realtimeRuntime: write'
	# right below the root, which has some
	edit '.linux.cgroupsPath = "/stepbox-rt-c32"'
	cat_inside cpu/cpu.rt_period_us cpu/cpu.rt_runtime_us
	create c32
	start_and_read c32
	assert_output $'500000\n10000'
	assert_equal "$(cat /sys/fs/cgroup/cpu/stepbox-rt-c32/cpu.rt_period_us /sys/fs/cgroup/cpu/stepbox-rt-c32/cpu.rt_runtime_us)" "$output"
	run oci delete --force c32
	assert_success
	[ ! -e /sys/fs/cgroup/cpu/stepbox-rt-c32 ]
	assert_no_traces
}

@test "oci: resources: memory.kernel is applied where the kernel keeps it, else refused by name" {
	cgroup_v2 && skip "v2 has no kernel memory limit: refused (the refusal test)"
	# does this kernel keep a kmem limit? (a cgroup of the test's own)
	local probe=/sys/fs/cgroup/memory/stepbox-test-kmem.$$ keeps=no
	mkdir "$probe"
	echo 50593792 >"$probe/memory.kmem.limit_in_bytes" 2>/dev/null &&
		[ "$(cat "$probe/memory.kmem.limit_in_bytes")" = 50593792 ] && keeps=yes
	rmdir "$probe"
	edit '.linux.resources.memory.kernel = 50593792'
	if [ "$keeps" = no ]; then
		try_create
		refused_late 'linux.resources.memory.kernel: 50593792 written to'
		return
	fi
	cat_inside memory/memory.kmem.limit_in_bytes
	create c33
	start_and_read c33
	assert_output 50593792
	assert_equal "$(host_cat c33 memory memory.kmem.limit_in_bytes)" 50593792
	run oci delete --force c33
	assert_success
}

# a loop device: a whole disk to throttle; its major and minor
loop_disk() {
	truncate -s 16M "$WORK/disk.img"
	LOOP=$(losetup --find --show "$WORK/disk.img")
	TEARDOWN_EXTRA="losetup -d $LOOP; $TEARDOWN_EXTRA"
	MAJ=$(($(stat -c '0x%t' "$LOOP")))
	MIN=$(($(stat -c '0x%T' "$LOOP")))
}

@test "oci: resources: blockIO throttles as given (v1 blkio.throttle.*, v2 io.max), for a disk named by major:minor" {
	loop_disk
	edit '.linux.resources.blockIO = {
		throttleReadBpsDevice: [{major: $ma, minor: $mi, rate: 1048576}],
		throttleWriteBpsDevice: [{major: $ma, minor: $mi, rate: 2097152}],
		throttleReadIOPSDevice: [{major: $ma, minor: $mi, rate: 100}],
		throttleWriteIOPSDevice: [{major: $ma, minor: $mi, rate: 200}]}' --argjson ma "$MAJ" --argjson mi "$MIN"
	if cgroup_v2; then
		cat_inside io.max
		create c34
		start_and_read c34
		assert_output "$MAJ:$MIN rbps=1048576 wbps=2097152 riops=100 wiops=200"
		assert_equal "$(host_cat c34 io io.max)" "$output"
	else
		local files=(blkio.throttle.read_bps_device blkio.throttle.write_bps_device
			blkio.throttle.read_iops_device blkio.throttle.write_iops_device)
		cat_inside "${files[@]/#/blkio/}"
		create c34
		start_and_read c34
		assert_output "$MAJ:$MIN 1048576
$MAJ:$MIN 2097152
$MAJ:$MIN 100
$MAJ:$MIN 200"
		assert_equal "$(host_cat c34 blkio "${files[@]}")" "$output"
	fi
	run oci delete --force c34
	assert_success
	assert_no_traces
}

@test "oci: resources: blockIO weight and weightDevice where the io scheduler takes a weight (v2: runc's conversion for io.weight), else refused by name" {
	loop_disk
	local dir available=no
	# does a new cgroup here get a weight file? (one of the test's own)
	if cgroup_v2; then
		grep -qw io /sys/fs/cgroup/cgroup.subtree_control || echo +io >/sys/fs/cgroup/cgroup.subtree_control
		dir=/sys/fs/cgroup/stepbox-test-io.$$
	else
		dir=/sys/fs/cgroup/blkio/stepbox-test-io.$$
	fi
	mkdir "$dir"
	ls "$dir" | grep -qE '^(io|blkio)(\.bfq)?\.weight$' && available=yes
	# and does its weight file take a weight for this disk? io.weight
	# takes one only where io.cost is on for the disk, io.bfq.weight
	# where BFQ is its scheduler: else EOPNOTSUPP
	local per_disk=no f
	for f in io.bfq.weight io.weight blkio.weight_device blkio.bfq.weight_device; do
		[ -e "$dir/$f" ] || continue
		echo "$MAJ:$MIN 100" 2>/dev/null >"$dir/$f" && per_disk=yes
		break
	done
	rmdir "$dir"
	for field in weight weightDevice; do
		if [ $field = weight ]; then
			edit '.linux.resources.blockIO = {weight: 500}'
		else
			edit '.linux.resources.blockIO = {weightDevice: [{major: $ma, minor: $mi, weight: 500}]}' --argjson ma "$MAJ" --argjson mi "$MIN"
		fi
		if [ "$available" = no ]; then
			try_create
			refused_late "linux.resources.blockIO.$field: neither"
			continue
		fi
		if [ $field = weightDevice ] && [ "$per_disk" = no ]; then
			try_create
			assert_output --partial "\"$MAJ:$MIN "
			assert_output --partial "Operation not supported"
			assert_output --partial "BFQ as the disk's scheduler"
			refused_late "linux.resources.blockIO.weightDevice: write "
			continue
		fi
		rm -f "$WORK/x/in"
		if cgroup_v2; then
			cat_inside io.bfq.weight io.weight
		else
			cat_inside blkio/blkio.weight blkio/blkio.bfq.weight blkio/blkio.weight_device blkio/blkio.bfq.weight_device
		fi
		create c35
		start_and_read c35
		# BFQ takes v1's 500; io.cost's io.weight runc's 1 + (500 - 10) * 9999 / 990
		if [ $field = weight ]; then
			assert_line --regexp '^(default )?(500|4950)$'
		else
			assert_line --regexp "^$MAJ:$MIN (500|4950)$"
		fi
		run oci delete --force c35
		assert_success
	done
	assert_no_traces
}

@test "oci: resources: unified writes cgroup v2 files as given, last; v1 refuses it unless empty" {
	if ! cgroup_v2; then
		edit '.linux.resources.unified = {}'
		args 'true'
		create c36
		run oci delete --force c36
		assert_success
		edit '.linux.resources.unified = {"memory.high": "52428800"}'
		try_create
		refused 'linux.resources.unified: cgroup v1 has no unified files'
		return
	fi
	# pids.max given twice: unified has the last word, as in runc
	edit '.linux.resources.unified = {"memory.high": "52428800", "pids.max": "20"}'
	cat_inside memory.high pids.max
	create c36
	start_and_read c36
	assert_output $'52428800\n20'
	assert_equal "$(host_cat c36 memory memory.high pids.max)" "$output"
	run oci delete --force c36
	assert_success
	edit '.linux.resources.unified = {"memory.nosuch": "1"}'
	try_create
	refused_late 'linux.resources.unified["memory.nosuch"]: '
}

@test "oci: resources: what this host's cgroups cannot apply, or no kernel has, is refused by its JSON path, nothing made" {
	local good c cases=(
		'.linux.resources.memory.useHierarchy = false|linux.resources.memory.useHierarchy: false'
		'.linux.resources.memory.swappiness = 101|linux.resources.memory.swappiness: 101 is out of range'
		'.linux.resources.memory.limt = 67108864|linux.resources.memory: "limt" is not a field'
		'.linux.resources.nosuch = {}|linux.resources: "nosuch" is not a field'
		'.linux.resources.cpu.shares = 1|linux.resources.cpu.shares: 1 is below'
		'.linux.resources.blockIO.leafWeight = 300|linux.resources.blockIO.leafWeight: CFQ'
		'.linux.resources.blockIO.weightDevice = [{major: 4095, minor: 0, leafWeight: 300}]|weightDevice[0].leafWeight: CFQ'
		'.linux.resources.blockIO.weight = 5|linux.resources.blockIO.weight: 5 is out of range'
		'.linux.resources.blockIO.throttleReadBpsDevice = [{major: 4095, minor: 0, rate: 1}]|throttleReadBpsDevice[0]: 4095:0 is not a disk'
		'.linux.resources.blockIO.throttleWriteIOPSDevice = [{major: 4095, minor: 0, rate: 0}]|throttleWriteIOPSDevice[0]: "rate" must be above 0'
		'.linux.resources.blockIO.weightDevice = [{major: 4095, minor: 0, weight: 500}]|weightDevice[0]: 4095:0 is not a disk'
		'.linux.devices = [{path: "/dev/x", type: "s", major: 1, minor: 3}]|linux.devices[0]: "type" must be c, u, b or p'
		'.linux.devices = [{path: "/dev/x", type: "c", major: 1, minor: 3, mode: 438}]|linux.devices[0]: "mode" is not a field'
	)
	if cgroup_v2; then
		cases+=(
			'.linux.resources.memory.swappiness = 10|linux.resources.memory.swappiness: cgroup v2 has no swappiness'
			'.linux.resources.memory.disableOOMKiller = true|linux.resources.memory.disableOOMKiller: cgroup v2 cannot'
			'.linux.resources.memory.kernel = 16777216|linux.resources.memory.kernel: cgroup v2 has no kernel memory'
			'.linux.resources.memory.kernelTCP = 16777216|linux.resources.memory.kernelTCP: cgroup v2 has no kernel memory'
			'.linux.resources.cpu.realtimeRuntime = 1000|linux.resources.cpu.realtimeRuntime: cgroup v2 has no real-time'
			'.linux.resources.cpu.realtimePeriod = 100000|linux.resources.cpu.realtimePeriod: cgroup v2 has no real-time'
			'.linux.resources.unified = {"cgroup.procs": "1"}|linux.resources.unified["cgroup.procs"]: refused'
			'.linux.resources.unified = {"../memory.max": "1"}|linux.resources.unified: a key must be'
		)
	fi
	good=$(cat "$BUNDLE/config.json")
	for c in "${cases[@]}"; do
		echo "$good" >"$BUNDLE/config.json"
		edit "${c%%|*}"
		echo "case: ${c%%|*}"
		try_create
		refused "${c#*|}"
	done
}

@test "oci: linux.devices: a FIFO (p), an unbuffered char device (u, made as c), fileMode, uid and gid as given; inside and from the host" {
	edit '.linux.devices = [
		{path: "/dev/fifo1", type: "p", fileMode: 416},
		{path: "/dev/unb", type: "u", major: 1, minor: 3, fileMode: 384, uid: 1, gid: 2},
		{path: "/dev/test1", type: "c", major: 10, minor: 666, fileMode: 432, uid: 0, gid: 0}]'
	args "stat -c '%n %F %a %u %g %t:%T' /dev/fifo1 /dev/unb /dev/test1 > $WORK/x/in.new; \
		echo hi > /dev/unb && echo wrote >> $WORK/x/in.new; \
		{ echo through > /dev/fifo1 & }; cat /dev/fifo1 >> $WORK/x/in.new; \
		mv $WORK/x/in.new $WORK/x/in; sleep 100"
	create c37
	start_and_read c37
	assert_output "/dev/fifo1 fifo 640 0 0 0:0
/dev/unb character special file 600 1 2 1:3
/dev/test1 character special file 660 0 0 a:29a
wrote
through"
	# the same nodes, from the host, through the container's root
	run stat -c '%F %a %u %g %t:%T' "/proc/$PID/root/dev/fifo1" "/proc/$PID/root/dev/unb" "/proc/$PID/root/dev/test1"
	assert_output "fifo 640 0 0 0:0
character special file 600 1 2 1:3
character special file 660 0 0 a:29a"
	run oci delete --force c37
	assert_success
	assert_no_traces
}
