#!/usr/bin/env bats
# A Kubernetes pod on step10: the calls the kubelet makes, through
# containerd's CRI service, to the RuntimeClass handler "stepbox" of the
# lesson's recipe — and the same pod on containerd's runc, so that a
# difference is step10's. make test-oci runs it, on the host and in the
# cgroup v2 VM (make test-oci-vm).
#
# No kubelet or crictl is needed: the kubelet is a gRPC client of
# containerd's CRI socket, and tests/cri/cri.py is one too, for the
# calls in tests/cri/cri.proto (Python's grpcio; make deps-oci installs
# it). The containerd is oci-clients.bash's private one, with what a
# node has besides the runtime: a pod network (CNI's bridge plugin, an
# address of 10.88.77.0/24, no route out and no NAT) and a sandbox
# ("pause") image made here from build/rootfs. Nothing is pulled.

load oci-clients

PAUSE=localhost/stepbox-pause:test
CRI_CALLS="$OCI_TEST/calls"
SUBNET=10.88.77.0/24
MSGKEY=6011

# The recipe's handler runs step10 through a script that writes down each
# call first (the lesson shows them); podman and ctr (RUNTIME) do not.
STEP10="$OCI_TEST/stepbox-logged"

# containerd_config's recipe, and what a node has besides.
containerd_config_extra() {
	cat <<EOT
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE"
EOT
	# A sandbox gets oom_score_adj -998, and lowering it needs
	# CAP_SYS_RESOURCE: where even root lacks it (some VMs and CI
	# machines), runc and step10 alike are refused. containerd's switch
	# for that case keeps the scores at or above its own.
	has_cap_sys_resource || echo '  restrict_oom_score_adj = true'
	cat <<EOT
[plugins."io.containerd.grpc.v1.cri".cni]
  bin_dir = "/usr/lib/cni"
  conf_dir = "$OCI_TEST/cni"
EOT
}

has_cap_sys_resource() {
	local eff
	eff=$(awk '$1 == "CapEff:" { print $2 }' /proc/self/status)
	(((0x$eff >> 24) & 1))
}

# Before containerd starts: the CRI stubs, the pod network, the pause
# image, and the handler that writes down each call it gets.
prepare_file_extra() {
	mkdir -p "$OCI_TEST"/{cri-py,cni,logs}
	protoc --python_out="$OCI_TEST/cri-py" -I "$REPO/tests/cri" "$REPO/tests/cri/cri.proto"
	cat >"$OCI_TEST/cni/10-pod.conflist" <<EOT
{ "cniVersion": "0.4.0", "name": "stepbox-pod", "plugins": [
  { "type": "bridge", "bridge": "stepbox-cni0", "isGateway": false, "ipMasq": false,
    "ipam": { "type": "host-local", "dataDir": "$OCI_TEST/ipam",
              "ranges": [[{ "subnet": "$SUBNET" }]] } } ] }
EOT
	cat >"$STEP10" <<EOT
#!/bin/sh
# the recipe's step10, each call written down first (the lesson shows them)
echo "\$*" >>"$CRI_CALLS"
exec "$REPO/step10-exec/run" "\$@"
EOT
	chmod 755 "$STEP10"
	# the pause image: a process that holds the pod's namespaces
	pod import --change 'ENTRYPOINT ["/bin/sleep", "2147483647"]' \
		"$OCI_TEST/rootfs.tar" "$PAUSE" >/dev/null
	pod save --format oci-archive -o "$OCI_TEST/pause.tar" "$PAUSE" >/dev/null
	[ -d /run/containerd/runc/k8s.io ] && touch "$OCI_TEST/had-k8s-root" || true
}

# The CRI's images live in containerd's k8s.io namespace.
setup_file_extra() {
	ctr --address "$OCI_TEST/containerd.sock" -n k8s.io image import \
		--base-name localhost/stepbox "$OCI_TEST/image.tar" >/dev/null
	ctr --address "$OCI_TEST/containerd.sock" -n k8s.io image import \
		--base-name localhost/stepbox-pause "$OCI_TEST/pause.tar" >/dev/null
}

teardown_file_extra() {
	remove_pods
	ip link del stepbox-cni0 2>/dev/null || true
	find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -type d -name 'stepbox-pod-*' 2>/dev/null |
		sort -r | xargs -r rmdir 2>/dev/null || true
	[ -e "$OCI_TEST/had-k8s-root" ] || rmdir /run/containerd/runc/k8s.io 2>/dev/null || true
}

teardown() {
	remove_pods
}

# cri METHOD [JSON]: one call, as the kubelet makes it; JSON out.
# The call is written down in the handler's log too, so that the log
# shows which CRI call made which runtime calls.
cri() {
	echo "CRI $1" >>"$CRI_CALLS"
	CRI_PY="$OCI_TEST/cri-py" timeout 150 "$REPO/tests/cri/cri.py" "$OCI_TEST/containerd.sock" "$@"
}

# What a failed test left: its containers, then its pods, as the kubelet
# would remove them.
remove_pods() {
	local id
	for id in $(cat "$OCI_TEST/cri-containers" 2>/dev/null); do
		cri StopContainer "{\"container_id\": \"$id\"}" >/dev/null 2>&1
		cri RemoveContainer "{\"container_id\": \"$id\"}" >/dev/null 2>&1
	done
	for id in $(cat "$OCI_TEST/cri-pods" 2>/dev/null); do
		cri StopPodSandbox "{\"pod_sandbox_id\": \"$id\"}" >/dev/null 2>&1
		cri RemovePodSandbox "{\"pod_sandbox_id\": \"$id\"}" >/dev/null 2>&1
	done
	rm -f "$OCI_TEST/cri-containers" "$OCI_TEST/cri-pods"
}

# The kubelet's namespace choice for a pod without shareProcessNamespace:
# network and IPC the pod's, PID the container's own.
NAMESPACES='"security_context": {"namespace_options": {"network": "POD", "pid": "CONTAINER", "ipc": "POD"}}'

pod_config() { # HANDLER
	cat <<EOT
{"metadata": {"name": "web", "uid": "uid-$1", "namespace": "default"},
 "hostname": "web-$1", "log_directory": "$OCI_TEST/logs/$1",
 "linux": {"cgroup_parent": "/stepbox-pod-$1", $NAMESPACES}}
EOT
}

container_config() { # NAME
	cat <<EOT
{"metadata": {"name": "$1"}, "image": {"image": "$IMAGE"},
 "command": ["sh", "-c", "trap 'exit 7' TERM; echo started $1; while :; do sleep 1; done"],
 "log_path": "$1.log", "linux": {$NAMESPACES}}
EOT
}

# exec_sync CONTAINER COMMAND...: ExecSync; $output is its JSON answer.
exec_sync() {
	local id=$1 args
	shift
	args=$(printf '%s\n' "$@" | jq -R . | jq -s -c .)
	run cri ExecSync "{\"container_id\": \"$id\", \"cmd\": $args, \"timeout\": 60}"
	assert_success
}

# cgroup_of PID: its cgroup, as the v2 tree or v1's pids hierarchy names it
cgroup_of() {
	if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
		sed -n 's/^0:://p' "/proc/$1/cgroup"
	else
		sed -n 's/^[0-9]*:pids://p' "/proc/$1/cgroup"
	fi
}

ns_of() { # PID: its net, ipc, uts and pid namespaces
	local n
	for n in net ipc uts pid; do readlink "/proc/$1/ns/$n"; done
}

# The pod's life, the kubelet's calls in order, checked from inside (over
# ExecSync) and from the host (/proc, /sys/fs/cgroup, the runtime's root).
pod_lifecycle() { # HANDLER
	local h=$1 spid netns p1 p2 inside1 inside2 n
	# sandbox, c1 and c2 (the ids) are global: the test reads the log
	: >"$CRI_CALLS"

	run cri Version '{"version": "v1"}'
	assert_success
	[ "$(jq -r .runtime_api_version <<<"$output")" = v1 ]

	run cri RunPodSandbox "{\"config\": $(pod_config "$h"), \"runtime_handler\": \"$h\"}"
	assert_success
	sandbox=$(jq -r .pod_sandbox_id <<<"$output")
	echo "$sandbox" >>"$OCI_TEST/cri-pods"
	run cri PodSandboxStatus "{\"pod_sandbox_id\": \"$sandbox\", \"verbose\": true}"
	assert_success
	[ "$(jq -r .status.state <<<"$output")" = 0 ] # SANDBOX_READY
	spid=$(jq -r '.info.info | fromjson | .pid' <<<"$output")
	netns=$(jq -r '.info.info | fromjson | .cniResult.Interfaces.eth0.Sandbox' <<<"$output")
	[ "$(jq -r '.info.info | fromjson | .runtimeHandler' <<<"$output")" = "$h" ]
	[ -e "$netns" ]

	for n in one two; do
		run cri CreateContainer "{\"pod_sandbox_id\": \"$sandbox\", \"config\": $(container_config $n), \"sandbox_config\": $(pod_config "$h")}"
		assert_success
		jq -r .container_id <<<"$output" >>"$OCI_TEST/cri-containers"
		run cri StartContainer "{\"container_id\": \"$(tail -1 "$OCI_TEST/cri-containers")\"}"
		assert_success
	done
	c1=$(sed -n 1p "$OCI_TEST/cri-containers")
	c2=$(sed -n 2p "$OCI_TEST/cri-containers")
	run cri ListContainers "{\"filter\": {\"pod_sandbox_id\": \"$sandbox\"}}"
	assert_success
	[ "$(jq -r '[.containers[] | select(.state == "CONTAINER_RUNNING") | .id] | sort | join(" ")' <<<"$output")" = \
		"$(printf '%s\n' "$c1" "$c2" | sort | paste -sd ' ')" ]

	# From the host: each container's process is in a cgroup under the
	# pod's, and in the sandbox's network, IPC and UTS namespaces (the
	# pause process's), not the host's; its PID namespace is its own.
	p1=$(cri ContainerStatus "{\"container_id\": \"$c1\", \"verbose\": true}" | jq -r '.info.info | fromjson | .pid')
	p2=$(cri ContainerStatus "{\"container_id\": \"$c2\", \"verbose\": true}" | jq -r '.info.info | fromjson | .pid')
	[ "$(cgroup_of "$p1")" = "/stepbox-pod-$h/$c1" ]
	[ "$(cgroup_of "$p2")" = "/stepbox-pod-$h/$c2" ]
	for n in net ipc uts; do
		[ "$(readlink /proc/"$p1"/ns/$n)" = "$(readlink /proc/"$spid"/ns/$n)" ]
		[ "$(readlink /proc/"$p2"/ns/$n)" = "$(readlink /proc/"$spid"/ns/$n)" ]
		[ "$(readlink /proc/"$spid"/ns/$n)" != "$(readlink /proc/self/ns/$n)" ]
	done
	[ "$(readlink /proc/"$p1"/ns/pid)" != "$(readlink /proc/"$p2"/ns/pid)" ]
	[ "$(readlink /proc/"$p1"/ns/pid)" != "$(readlink /proc/"$spid"/ns/pid)" ]
	[ "$(readlink /proc/"$p1"/ns/pid)" != "$(readlink /proc/self/ns/pid)" ]

	# From inside, over ExecSync: the same namespaces, the pod's name,
	# the pod's address on eth0
	exec_sync "$c1" sh -c 'for n in net ipc uts pid; do readlink /proc/self/ns/$n; done'
	inside1=$(jq -r .stdout <<<"$output")
	[ "$inside1" = "$(ns_of "$p1")" ]
	exec_sync "$c2" sh -c 'for n in net ipc uts pid; do readlink /proc/self/ns/$n; done; hostname; ip -o -4 addr show eth0 2>/dev/null || cat /proc/net/fib_trie'
	inside2=$(jq -r .stdout <<<"$output")
	[ "$(sed -n 1,4p <<<"$inside2")" = "$(ns_of "$p2")" ]
	[ "$(sed -n 5p <<<"$inside2")" = "web-$h" ]
	grep -q '10\.88\.77\.' <<<"$inside2"

	# a SysV queue made in one container is seen in the other (the pod's
	# IPC namespace), and not on the host
	exec_sync "$c1" stepbox-probe msgq-create $MSGKEY
	[ "$(jq -r .exit_code <<<"$output")" = 0 ]
	exec_sync "$c2" stepbox-probe msgq-exists $MSGKEY
	[ "$(jq -r .exit_code <<<"$output")" = 0 ]
	run "$REPO/build/probe/stepbox-probe" msgq-exists $MSGKEY
	[ "$status" -eq 1 ]

	# ExecSync: the output of each stream, and the exit status
	exec_sync "$c2" sh -c 'echo out; echo err >&2; exit 3'
	[ "$(jq -r .exit_code <<<"$output")" = 3 ]
	[ "$(jq -r .stdout <<<"$output")" = out ]
	[ "$(jq -r .stderr <<<"$output")" = err ]

	# the container's stdout reached the kubelet's log file (CRI format)
	grep -q ' stdout F started one$' "$OCI_TEST/logs/$h/one.log"

	# stop: SIGTERM reaches the command (its trap exits 7, a SIGKILL
	# would give 137)
	for n in "$c1" "$c2"; do
		run cri StopContainer "{\"container_id\": \"$n\", \"timeout\": 30}"
		assert_success
		run cri ContainerStatus "{\"container_id\": \"$n\"}"
		assert_success
		[ "$(jq -r .status.state <<<"$output")" = CONTAINER_EXITED ]
		[ "$(jq -r .status.exit_code <<<"$output")" = 7 ]
		run cri RemoveContainer "{\"container_id\": \"$n\"}"
		assert_success
	done
	run cri ListContainers "{\"filter\": {\"pod_sandbox_id\": \"$sandbox\"}}"
	assert_success
	[ "$(jq -r '.containers | length' <<<"$output")" = 0 ]
	run cri StopPodSandbox "{\"pod_sandbox_id\": \"$sandbox\"}"
	assert_success
	run cri RemovePodSandbox "{\"pod_sandbox_id\": \"$sandbox\"}"
	assert_success
	rm -f "$OCI_TEST/cri-containers" "$OCI_TEST/cri-pods"

	# Nothing left: processes, the runtime's state under the shim's
	# --root, the containers' cgroups (the pod's own is the kubelet's to
	# remove: it does, and so do we, which fails if anything is under
	# it), mounts, the pod's network namespace.
	for n in "$spid" "$p1" "$p2"; do
		! kill -0 "$n" 2>/dev/null
	done
	for n in "$sandbox" "$c1" "$c2"; do
		[ ! -e "/run/containerd/runc/k8s.io/$n" ]
	done
	run find /sys/fs/cgroup -mindepth 2 -maxdepth 4 -type d -path "*/stepbox-pod-$h/*"
	assert_output ''
	if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
		[ -d "/sys/fs/cgroup/stepbox-pod-$h" ]
	else
		[ -d "/sys/fs/cgroup/pids/stepbox-pod-$h" ]
	fi
	find /sys/fs/cgroup -maxdepth 2 -type d -name "stepbox-pod-$h" | xargs -r rmdir
	run grep -c "$OCI_TEST/containerd" /proc/self/mountinfo
	assert_output 0
	[ ! -e "$netns" ]
	run ip -o link show type veth master stepbox-cni0
	assert_output ''
}

@test "CRI: a pod on the stepbox handler: shared network, IPC and UTS, ExecSync, stop and remove leave nothing" {
	pod_lifecycle stepbox
	# What containerd's shim made of each CRI call, on step10's command
	# line (the lesson's table). Left out: the calls that read only
	# containerd's records, and the shim's last "delete --force", made
	# when it exits, whenever that is.
	run bash -c "grep -v -e '^CRI \(Version\|PodSandboxStatus\|ContainerStatus\|ListContainers\)' \
		-e ' delete --force ' '$CRI_CALLS' | sed -E \
		-e 's/^--root [^ ]+ --log [^ ]+ --log-format json //' -e 's/ --(bundle|pid-file) [^ ]+//g' \
		-e 's/ --process [^ ]+ --detach//' -e 's/$sandbox/POD/' -e 's/$c1/ONE/' -e 's/$c2/TWO/'"
	assert_output "$(cat <<'EOT'
CRI RunPodSandbox
create POD
start POD
CRI CreateContainer
CRI StartContainer
create ONE
start ONE
CRI CreateContainer
CRI StartContainer
create TWO
start TWO
CRI ExecSync
exec ONE
CRI ExecSync
exec TWO
CRI ExecSync
exec ONE
CRI ExecSync
exec TWO
CRI ExecSync
exec TWO
CRI StopContainer
kill ONE 15
kill --all ONE 9
delete ONE
CRI RemoveContainer
CRI StopContainer
kill TWO 15
kill --all TWO 9
delete TWO
CRI RemoveContainer
CRI StopPodSandbox
kill POD 9
kill --all POD 9
delete POD
CRI RemovePodSandbox
EOT
)"
	for n in "$sandbox" "$c1" "$c2"; do
		grep -q " delete --force $n\$" "$CRI_CALLS"
	done
}

@test "CRI: the same pod on containerd's runc handler, checked the same way" {
	command -v runc >/dev/null || skip "runc is not installed (make deps-oci)"
	pod_lifecycle runc
}
