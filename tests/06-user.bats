#!/usr/bin/env bats
# step06 and later: the user namespace. Root inside is uid 100000 on the
# host (or the user who started it, rootless), and has no power over
# the host's files; hostname, /proc and mounts still work inside.

load helpers

@test "user: inside, id is 0:0 and uid_map/gid_map show 0 -> 100000, 65536 ids" {
	run ctr sh -c 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map'
	assert_success
	assert_equal "${lines[0]}" 0
	assert_equal "${lines[1]}" 0
	assert_line --index 2 --regexp '^ +0 +100000 +65536$'
	assert_line --index 3 --regexp '^ +0 +100000 +65536$'
}

@test "user: from the host, the container's processes run as uid 100000" {
	ctr_bg sh -c "$(handshake)"
	wait_for "$WORK/x/ready"
	pid=$(ctr_pid1)
	assert_equal "$(ps -o uid= -p "$pid" | tr -d ' ')" 100000
	assert_equal "$(awk '/^Gid:/ { print $2 }' /proc/"$pid"/status)" 100000
	go
	ctr_wait
	assert_success
}

@test "user: a file created inside is owned by 100000 on the host, and by 0 inside" {
	run ctr sh -c "touch $WORK/x/made-inside; stat -c %u:%g $WORK/x/made-inside"
	assert_success
	assert_output 0:0
	assert_equal "$(stat -c %u:%g "$WORK/x/made-inside")" 100000:100000
}

@test "user: root inside cannot write a 0644 file or read a 0600 file owned by host root" {
	echo host-data >"$WORK/x/root-0644"
	chmod 644 "$WORK/x/root-0644"
	echo secret >"$WORK/x/root-0600"
	chmod 600 "$WORK/x/root-0600"
	run ctr sh -c "cat $WORK/x/root-0644; echo changed > $WORK/x/root-0644; cat $WORK/x/root-0600"
	assert_failure
	assert_line --index 0 host-data
	assert_output --partial "$WORK/x/root-0644: Permission denied"
	# (busybox's cat, from step08, quotes the name)
	assert_output --regexp "$WORK/x/root-0600'?: Permission denied"
	refute_output --partial secret
	assert_equal "$(cat "$WORK/x/root-0644")" host-data
	# and the host sees those files as root's, untouched
	assert_equal "$(stat -c %u "$WORK/x/root-0600")" 0
}

@test "user: hostname, /proc and mount work inside (the namespaces are owned)" {
	run ctr "${ADMIN[@]}" sh -c 'hostname renamed && hostname; mount -t tmpfs t /mnt && stat -f -c %T /mnt; echo $$; ls /proc/1/ns/user >/dev/null && echo proc-ok'
	assert_success
	assert_equal "${lines[0]}" renamed
	assert_equal "${lines[1]}" tmpfs
	assert_equal "${lines[2]}" 1
	assert_equal "${lines[3]}" proc-ok
}

@test "user: --userns off runs as host root, as step05 did" {
	run ctr --userns off -- sh -c 'cat /proc/self/uid_map'
	assert_success
	assert_output --regexp '^ +0 +0 +4294967295$'
}

@test "user: --map-base/--map-size move the range; bad ranges exit 125" {
	run ctr --map-base 200000 --map-size 1000 -- cat /proc/self/uid_map
	assert_success
	assert_output --regexp '^ +0 +200000 +1000$'
	run ctr --map-base 0 true
	assert_equal "$status" 125
	assert_output --partial "0 would map the container's root to the host's root"
	run ctr --map-base 4294967290 --map-size 10 true
	assert_equal "$status" 125
	assert_output --partial "ends past 4294967294"
	run ctr --map-size 0 true
	assert_equal "$status" 125
	run ctr --userns maybe true
	assert_equal "$status" 125
}

@test "user: rootless: an ordinary user runs the container, as 0 inside and as itself outside" {
	cp "$STEP_BIN" "$WORK/run"
	rootfs=()
	if [ "$STEP_NUM" -ge 9 ]; then
		user_rootfs # the volume's target is made in the user's own image
		rootfs=(--rootfs "$WORK/userfs")
	fi
	as_user "$WORK/run" "${WORK_VOLUME[@]}" "${rootfs[@]}" "${ADMIN[@]}" -- sh -c "id -u; cat /proc/self/uid_map; cat /proc/self/setgroups; hostname box && hostname; mount -t tmpfs t /mnt && stat -f -c %T /mnt; echo \$\$; touch $WORK/x/rootless; $(handshake)" >"$WORK/out" 2>&1 &
	CTR_PID=$!
	wait_for "$WORK/x/ready"
	# setpriv execs the runtime, so CTR_PID is the runtime itself
	assert_equal "$(ps -o uid= -p "$(ctr_pid1)" | tr -d ' ')" 65534
	go
	ctr_wait
	assert_success
	assert_line --index 0 0
	assert_line --index 1 --regexp '^ +0 +65534 +1$'
	assert_line --index 2 deny
	assert_line --index 3 box
	assert_line --index 4 tmpfs # mounts work: the mount namespace is ours
	assert_line --index 5 1     # and so does the PID namespace, with its /proc
	assert_equal "$(stat -c %u "$WORK/x/rootless")" 65534
}

@test "user: rootless: what needs host privilege is refused with a reason" {
	cp "$STEP_BIN" "$WORK/run"
	run as_user "$WORK/run" --net veth true
	assert_equal "$status" 125
	assert_output --partial "--net veth needs root"
	run as_user "$WORK/run" --userns off true
	assert_equal "$status" 125
	assert_output --partial "needs root"
	run as_user "$WORK/run" --map-base 200000 true
	assert_equal "$status" 125
}

@test "user: the container is in another user namespace, which owns its UTS namespace" {
	run ctr sh -c 'readlink /proc/self/ns/user'
	assert_success
	refute_output "$(readlink /proc/self/ns/user)"
}

@test "user: when the kernel refuses a user namespace, the error names the reason" {
	# A chrooted process may not create a user namespace (EPERM): the one
	# refusal a test can cause without changing a sysctl of the host.
	mkdir "$WORK/root"
	mount --rbind / "$WORK/root"
	mount --make-rslave "$WORK/root" # our unmounts must not travel anywhere
	TEARDOWN_EXTRA='umount -R "$WORK/root" || umount -R -l "$WORK/root"'
	run chroot "$WORK/root" "$STEP_BIN" "${WORK_VOLUME[@]}" -- touch "$WORK/x/ran"
	assert_equal "$status" 125
	# the call as made: clone, or from step07 on v2 clone3 into the cgroup
	assert_line --index 0 --regexp '^step[0-9]+-[a-z]+: (clone\(|clone3\(CLONE_INTO_CGROUP\|)CLONE_NEWUSER.*\): Operation not permitted$'
	assert_line --index 1 --partial "hint: a chrooted process may not create a user namespace"
	[ ! -e "$WORK/x/ran" ]
	# without a user namespace the same chroot is no obstacle
	run chroot "$WORK/root" "$STEP_BIN" --userns off -- true
	assert_success
}
