#!/usr/bin/env bats
# step10 driven by the real clients, in runc's place: podman (through
# conmon) and containerd (through containerd-shim-runc-v2). make test-oci
# runs it (scripts/deps.sh oci installs podman, containerd and jq); what
# podman users type, case by case and against runc too, is oci-battery.bats.
#
# Both keep their storage in $OCI_TEST (oci-clients.bash: podman --root,
# a private containerd with its own socket): the machine's own containers
# and images are not touched, and teardown_file removes everything. The
# image is build/rootfs, imported offline (no registry).

load oci-clients

teardown() {
	remove_containers
}

@test "podman: run --rm: hostname, id, and exit codes 0 and 3, through step10" {
	run pod run --rm "${LIMITS[@]}" --hostname web "$IMAGE" sh -c 'hostname; id'
	assert_success
	assert_output $'web\nuid=0(root) gid=0(root)'
	run pod run --rm "${LIMITS[@]}" "$IMAGE" sh -c 'exit 3'
	[ "$status" -eq 3 ]
	run -127 pod run --rm "${LIMITS[@]}" "$IMAGE" nosuch
	[ "$status" -eq 127 ]
	assert_output --partial 'nosuch: executable file not found'
	assert_clean
}

@test "podman: the container is step10's: its state, its cgroup, its first process" {
	run pod run -d --name s1 "${LIMITS[@]}" "$IMAGE" sleep 100
	assert_success
	id=$output
	# step10's own record of it, in its --root default
	run "$RUNTIME" state "$id"
	assert_success
	[ "$(jq -r .status <<<"$output")" = running ]
	pid=$(jq -r .pid <<<"$output")
	[ "$(pod inspect -f '{{.State.Pid}}' s1)" = "$pid" ]
	grep -q "libpod-$id" "/proc/$pid/cgroup"
	# podman's conmon is the first process's parent: create returned
	[ "$(parent_of "$pid")" = conmon ]
	run pod ps --format '{{.Names}} {{.Status}}'
	assert_output --regexp '^s1 Up '
	run pod rm -f s1
	assert_success
	assert_clean
}

@test "podman: exec into it, with exit codes; stop sends SIGTERM, then SIGKILL (137)" {
	run pod run -d --name e1 "${LIMITS[@]}" "$IMAGE" sleep 100
	assert_success
	run pod exec e1 sh -c 'hostname; cat /proc/1/cmdline | tr "\0" " "'
	assert_success
	assert_line --index 1 'sleep 100 '
	run pod exec e1 sh -c 'exit 4'
	[ "$status" -eq 4 ]
	# sleep as PID 1 has no handler: SIGTERM does nothing, SIGKILL after 1 s
	run pod stop -t 1 e1
	assert_success
	run pod wait e1
	assert_output 137
	run pod rm e1
	assert_success
	# a program that handles SIGTERM ends on it, with its own code
	run pod run -d --name e2 "${LIMITS[@]}" "$IMAGE" sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
	assert_success
	sleep 0.5
	run pod stop -t 10 e2
	assert_success
	run pod wait e2
	assert_output 0
	run pod rm e2
	assert_success
	assert_clean
}

@test "podman: run -it and exec -it give a terminal (--console-socket), typed into as a person would" {
	tmux new-session -d -s stepbox-oci -x 100 -y 30 \
		"podman --root $OCI_TEST/storage --runroot $OCI_TEST/run --tmpdir $OCI_TEST/tmp --network-config-dir $OCI_TEST/networks --cgroup-manager=cgroupfs --events-backend=file --runtime $RUNTIME run -it --rm ${LIMITS[*]} $IMAGE sh; echo EXIT=\$?; sleep 30"
	wait_screen '/ # *$'
	tmux send-keys -t stepbox-oci 'tty; echo $((6 * 7))' Enter
	sleep 0.5
	tmux send-keys -t stepbox-oci 'exit 5' Enter
	wait_screen 'EXIT='
	run tmux capture-pane -p -t stepbox-oci
	assert_line '/dev/pts/0'
	assert_line 42
	assert_line 'EXIT=5'
	tmux kill-session -t stepbox-oci
	# exec -it: a second process with a terminal of its own
	run pod run -d --name t2 "${LIMITS[@]}" "$IMAGE" sleep 100
	assert_success
	tmux new-session -d -s stepbox-oci -x 100 -y 30 \
		"podman --root $OCI_TEST/storage --runroot $OCI_TEST/run --tmpdir $OCI_TEST/tmp --network-config-dir $OCI_TEST/networks --cgroup-manager=cgroupfs --events-backend=file --runtime $RUNTIME exec -it t2 sh; echo EXIT=\$?; sleep 30"
	wait_screen '/ # *$'
	# PID 1 is the container's sleep: the shell is in its PID namespace
	tmux send-keys -t stepbox-oci 'tty; ps -o pid,args | grep -c "^ *1 sleep 100"; exit 6' Enter
	wait_screen 'EXIT='
	run tmux capture-pane -p -t stepbox-oci
	assert_line --regexp '^/dev/pts/[0-9]+$'
	assert_line 1
	assert_line 'EXIT=6'
	run pod rm -f -t 0 t2
	assert_success
	assert_clean
}

@test "containerd: ctr run through the shim: hostname, exit codes, exec, kill" {
	run ctrd run --rm --runc-binary "$RUNTIME" "$IMAGE" c1 sh -c 'cat /proc/1/cmdline; exit 3'
	echo "$output"
	[ "$status" -eq 3 ] || { tail -20 "$OCI_TEST/containerd.log"; false; }
	assert_output --partial 'sh'
	run ctrd run -d --runc-binary "$RUNTIME" "$IMAGE" c2 sleep 100
	assert_success
	run ctrd task exec --exec-id e1 c2 sh -c 'echo pid $$; exit 6'
	[ "$status" -eq 6 ]
	assert_output 'pid 2'
	run ctrd task ls
	assert_output --regexp 'c2 +[0-9]+ +RUNNING'
	pid=$(ctrd task ls | awk '$1 == "c2" { print $2 }')
	# containerd's shim is its parent; step10 keeps its state where the
	# shim told it to (--root /run/containerd/runc/NAMESPACE)
	[ "$(parent_of "$pid")" = containerd-shim ]
	run ctrd task kill -s KILL c2
	assert_success
	for _ in $(seq 50); do
		ctrd task ls | grep -q 'c2.*STOPPED' && break
		sleep 0.1
	done
	run ctrd task rm c2
	assert_success
	run ctrd container rm c2
	assert_success
	assert_clean
}

@test "containerd: the RuntimeClass recipe is a configuration containerd reads" {
	run containerd --config "$OCI_TEST/containerd.toml" config dump
	assert_success
	assert_output --partial "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.stepbox]"
	assert_output --partial "BinaryName = \"$RUNTIME\""
	# and the CRI plugin took it: it fails to load on a runtime table it
	# cannot use
	run grep 'failed to load plugin io.containerd.grpc.v1.cri' "$OCI_TEST/containerd.log"
	assert_failure
}
