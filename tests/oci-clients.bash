# oci-clients.bash — loaded by the files that drive a runtime through the
# real clients (oci-clients.bats, oci-battery.bats): podman and a private
# containerd, both with their storage in $OCI_TEST, the image imported
# offline from build/rootfs, and what each test checks the host for.
#
# pod and ctrd run the clients with $RUNTIME as the OCI runtime: step10
# unless a test sets it (oci-battery.bats runs each case with runc too).

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
STEP10="$REPO/step10-exec/run"
RUNTIME=$STEP10
IMAGE=localhost/stepbox:test
# one directory per test file, so that two files never share a containerd
OCI_TEST=/var/tmp/stepbox-$(basename "$BATS_TEST_FILENAME" .bats)
# podman without systemd, offline, on a host whose root cannot raise the
# hard rlimits (podman's default nofile is 1048576)
LIMITS=(--network=none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024)

# podman's options for our storage, in an array for the commands that
# tmux runs (podman -it needs a terminal of its own)
pod_options() {
	POD=(podman --root "$OCI_TEST/storage" --runroot "$OCI_TEST/run"
		--tmpdir "$OCI_TEST/tmp" --network-config-dir "$OCI_TEST/networks"
		--cgroup-manager=cgroupfs --events-backend=file --runtime "$RUNTIME")
}

pod() {
	local POD
	pod_options
	timeout 60 "${POD[@]}" "$@"
}

ctrd() {
	timeout 60 ctr --address "$OCI_TEST/containerd.sock" -n stepbox "$@"
}

# The RuntimeClass recipe of the README: containerd's CRI plugin given
# step10 as a runtime (Kubernetes picks it with runtimeClassName: stepbox).
containerd_config() {
	cat <<EOT
version = 2
root = "$OCI_TEST/containerd/root"
state = "$OCI_TEST/containerd/state"
[grpc]
  address = "$OCI_TEST/containerd.sock"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.stepbox]
  runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.stepbox.options]
    BinaryName = "$STEP10"
    SystemdCgroup = false
EOT
	# a file may add to it (oci-cri.bats: what a node has besides)
	if declare -F containerd_config_extra >/dev/null; then containerd_config_extra; fi
}

setup_file() {
	[ -x "$REPO/step10-exec/run" ] || skip "make step10 first"
	rm -rf "$OCI_TEST"
	mkdir -p "$OCI_TEST"/{tmp,containerd,networks}
	# podman puts conmon in libpod_parent/conmon and keeps it: ours to
	# remove only if it was not there before
	ls -d /sys/fs/cgroup/*/libpod_parent /sys/fs/cgroup/libpod_parent >"$OCI_TEST/had-libpod" 2>/dev/null || true
	# containerd's cgroups are /NAMESPACE/ID (/stepbox/ID here); runc
	# leaves the empty /stepbox in every hierarchy, named ones included
	ls -d /sys/fs/cgroup/*/stepbox /sys/fs/cgroup/stepbox >"$OCI_TEST/had-ctr-parent" 2>/dev/null || true
	tar -C "$REPO/build/rootfs" -cf "$OCI_TEST/rootfs.tar" .
	pod import "$OCI_TEST/rootfs.tar" "$IMAGE" >/dev/null
	pod save --format oci-archive -o "$OCI_TEST/image.tar" "$IMAGE" >/dev/null
	if declare -F prepare_file_extra >/dev/null; then prepare_file_extra; fi
	containerd_config >"$OCI_TEST/containerd.toml"
	containerd --config "$OCI_TEST/containerd.toml" >"$OCI_TEST/containerd.log" 2>&1 &
	echo $! >"$OCI_TEST/containerd.pid"
	for _ in $(seq 100); do
		[ -S "$OCI_TEST/containerd.sock" ] && break
		sleep 0.1
	done
	ctrd image import --base-name localhost/stepbox "$OCI_TEST/image.tar" >/dev/null
	if declare -F setup_file_extra >/dev/null; then setup_file_extra; fi
}

teardown_file() {
	if declare -F teardown_file_extra >/dev/null; then teardown_file_extra; fi
	pod rm -af >/dev/null 2>&1 || true
	pod system reset -f >/dev/null 2>&1 || true
	for t in $(ctrd task ls -q 2>/dev/null); do ctrd task kill -s KILL "$t"; done
	sleep 0.5
	for c in $(ctrd container ls -q 2>/dev/null); do
		ctrd task rm -f "$c" >/dev/null 2>&1
		ctrd container rm "$c" >/dev/null 2>&1
	done
	if [ -s "$OCI_TEST/containerd.pid" ]; then
		kill "$(cat "$OCI_TEST/containerd.pid")" 2>/dev/null
		wait_gone "$(cat "$OCI_TEST/containerd.pid")"
	fi
	if [ ! -s "$OCI_TEST/had-libpod" ]; then
		for d in /sys/fs/cgroup/*/libpod_parent /sys/fs/cgroup/libpod_parent; do
			[ ! -d "$d/conmon" ] || rmdir "$d/conmon"
			[ ! -d "$d" ] || rmdir "$d"
		done
	fi
	if [ ! -s "$OCI_TEST/had-ctr-parent" ]; then
		for d in /sys/fs/cgroup/*/stepbox /sys/fs/cgroup/stepbox; do
			[ ! -d "$d" ] || rmdir "$d"
		done
	fi
	awk -v d="$OCI_TEST/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
		while read -r m; do umount -l "$m"; done
	rm -rf --one-file-system "$OCI_TEST"
}

wait_gone() {
	for _ in $(seq 100); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
}

# wait_screen REGEX [SECONDS]: until tmux's pane (session stepbox-oci)
# shows a line matching REGEX, 60 s at most: under software emulation,
# beside the host's suites, podman's first prompt can take half a minute.
# On time out, the pane is printed and the wait fails.
wait_screen() {
	local i
	for ((i = 0; i < ${2:-60} * 10; i++)); do
		tmux capture-pane -p -t stepbox-oci | grep -q -- "$1" && return 0
		sleep 0.1
	done
	echo "timed out waiting for /$1/ in the pane:" >&2
	tmux capture-pane -p -t stepbox-oci >&2
	return 1
}

# remove_containers: whatever a test left running, paused or created,
# under podman and containerd (each test's teardown), so that one failing
# test does not fail the next one's assert_clean.
remove_containers() {
	tmux kill-session -t stepbox-oci 2>/dev/null || true
	pod unpause --all >/dev/null 2>&1 || true
	pod rm -af -t 0 >/dev/null 2>&1 || true
	for t in $(ctrd task ls -q 2>/dev/null); do
		ctrd task resume "$t" >/dev/null 2>&1
		ctrd task kill -s KILL "$t" >/dev/null 2>&1
	done
	for c in $(ctrd container ls -q 2>/dev/null); do
		ctrd task rm -f "$c" >/dev/null 2>&1
		ctrd container rm "$c" >/dev/null 2>&1
	done
}

# parent_of PID: the name of its parent (15 characters at most)
parent_of() {
	cat "/proc/$(awk '$1 == "PPid:" { print $2 }' "/proc/$1/status")/comm"
}

# nothing of our containers left: cgroups, the runtimes' state (step10's
# and runc's under podman, both under containerd's shim), mounts
assert_clean() {
	run bash -c "find /sys/fs/cgroup -maxdepth 4 -type d \\( -path '*libpod-*' -o -path '*/stepbox/*' \\); ls -A /run/stepbox-oci 2>/dev/null; ls -A /run/runc 2>/dev/null; ls -A /run/containerd/runc/stepbox 2>/dev/null; ls -A $OCI_TEST/containerd/state/io.containerd.runtime.v2.task/stepbox 2>/dev/null; grep -c $OCI_TEST/storage/overlay/.*/merged /proc/self/mountinfo"
	assert_output 0
}
