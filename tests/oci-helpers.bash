# oci-helpers.bash — loaded by the OCI runtime's test files
# (10-oci*.bats): a bundle in $WORK whose config.json is made as
# containerd's default spec makes it, the runtime with a state directory
# of the test's own (--root), and waits on a container's status.

load helpers

setup_file() {
	[ "$STEP_NUM" -ge 10 ] || skip "the OCI runtime is step10's"
}

setup() {
	[ "$STEP_NUM" -ge 10 ] || skip "the OCI runtime is step10's"
	# helpers.bash's setup: $WORK and the probe
	WORK=$(mktemp -d /var/tmp/stepbox-test.XXXXXX)
	chmod 755 "$WORK"
	mkdir -m 1777 "$WORK/x"
	CTR_PID=
	OCI_ROOT="$WORK/oci"
	BUNDLE="$WORK/bundle"
	mkdir "$BUNDLE"
	ln -s "$ROOTFS" "$BUNDLE/rootfs"
	IDS=()
	# the containers, and the mount point of $WORK/x made in the rootfs
	TEARDOWN_EXTRA='for i in "${IDS[@]}"; do "$STEP_BIN" --root "$OCI_ROOT" delete --force "$i" >/dev/null 2>&1; done; rmdir "$ROOTFS$WORK/x" 2>/dev/null || true'
	base_config >"$BUNDLE/config.json"
}

# oci ARGS...: the runtime, with our state directory (--root).
oci() {
	timeout 30 "$STEP_BIN" --root "$OCI_ROOT" "$@"
}

# base_config: a config.json as containerd's default spec makes it,
# running `cat $WORK/x/in` unless a test changes process.args.
base_config() {
	local caps='["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FOWNER","CAP_KILL","CAP_SETGID","CAP_SETUID","CAP_NET_BIND_SERVICE"]'
	jq -n --arg work "$WORK/x" --argjson caps "$caps" '{
	  ociVersion: "1.0.2",
	  process: {
	    terminal: false, user: {uid: 0, gid: 0}, args: ["sh", "-c", "echo hello"],
	    env: ["PATH=/bin:/sbin:/usr/bin", "GREETING=hi"], cwd: "/",
	    capabilities: {bounding: $caps, effective: $caps, permitted: $caps},
	    rlimits: [{type: "RLIMIT_NOFILE", soft: 512, hard: 512}],
	    noNewPrivileges: true
	  },
	  root: {path: "rootfs", readonly: true},
	  hostname: "ocibox",
	  mounts: [
	    {destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"]},
	    {destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"]},
	    {destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
	    {destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
	    {destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]},
	    {destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid", "noexec", "nodev", "ro"]},
	    {destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev"]},
	    {destination: $work, type: "bind", source: $work, options: ["rbind", "rw"]}
	  ],
	  linux: {
	    namespaces: [{type: "pid"}, {type: "ipc"}, {type: "uts"}, {type: "mount"}, {type: "network"}, {type: "cgroup"}],
	    resources: {devices: [{allow: false, access: "rwm"}], memory: {limit: 67108864}, pids: {limit: 50}},
	    maskedPaths: ["/proc/kcore", "/proc/keys", "/sys/firmware"],
	    readonlyPaths: ["/proc/sys", "/proc/sysrq-trigger"]
	  }
	}'
}

# edit JQ-FILTER [ARGS...]: change the bundle's config.json.
edit() {
	local filter=$1
	shift
	jq "$@" "$filter" "$BUNDLE/config.json" >"$BUNDLE/config.new"
	mv "$BUNDLE/config.new" "$BUNDLE/config.json"
}

# args 'SHELL COMMAND': the container runs sh -c with it.
args() {
	edit '.process.args = ["sh", "-c", $c]' --arg c "$IN_ROOTFS$1"
}

# create ID: create it (pid file $WORK/ID.pid); PID is its first process.
# Its stdout and stderr are the container's (as conmon's pipes are):
# a file, not bats' `run`, which would wait for the container to close them.
create() {
	IDS+=("$1")
	oci create --bundle "$BUNDLE" --pid-file "$WORK/$1.pid" "$1" </dev/null >"$WORK/$1.out" 2>&1 ||
		{ cat "$WORK/$1.out"; return 1; }
	PID=$(cat "$WORK/$1.pid")
	[ -n "$PID" ]
}

# status ID: the "status" of `state ID`.
status_of() {
	oci state "$1" | jq -r .status
}

# until_status ID STATUS: wait (5 s) until the container has STATUS.
until_status() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(status_of "$1")" = "$2" ] && return 0
		sleep 0.05
	done
	echo "$1 is $(status_of "$1"), not $2" >&2
	return 1
}

# the container's cgroup directory (the freezer's on v1)
cgroup_of() {
	if cgroup_v2; then echo "/sys/fs/cgroup/stepbox-oci/$1"; else echo "/sys/fs/cgroup/${2:-freezer}/stepbox-oci/$1"; fi
}

assert_no_traces() {
	run host_traces
	assert_output ''
	run ls -A "$OCI_ROOT"
	[ "$status" -ne 0 ] || assert_output ''
}
