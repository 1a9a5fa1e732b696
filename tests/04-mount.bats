#!/usr/bin/env bats
# step04 and later: the mount namespace. Mounts made inside stay inside,
# propagation does what --propagation says, /tmp is private, volumes bind
# host paths read-write or read-only.

load helpers

# A host directory that is a shared mount of its own, so that mount
# events can propagate through it (this host's / may well be private).
make_shared_dir() {
	SHARED="$WORK/shared"
	mkdir -m 777 "$SHARED"
	mount --bind "$SHARED" "$SHARED"
	mount --make-shared "$SHARED"
	TEARDOWN_EXTRA='umount -R "$SHARED" 2>/dev/null || true'
}

@test "mount: a tmpfs mounted inside is not in the host's mount table, during or after" {
	before=$(cat /proc/self/mountinfo)
	ctr_bg sh -c "mount -t tmpfs inside-only /mnt && grep -c inside-only /proc/self/mountinfo > $WORK/x/seen; $(handshake)"
	wait_for "$WORK/x/ready"
	assert_equal "$(cat "$WORK/x/seen")" 1
	refute grep -q inside-only /proc/self/mountinfo
	go
	ctr_wait
	assert_success
	assert_equal "$(cat /proc/self/mountinfo)" "$before"
}

@test "mount: /tmp inside is a private tmpfs; the host's /tmp is out of sight" {
	marker=$(mktemp /tmp/stepbox-host-only.XXXXXX)
	inside=/tmp/stepbox-made-inside.$$.$RANDOM
	run ctr sh -c "stat -f -c %T /tmp; ls /tmp | wc -l; touch $inside"
	rm -f "$marker"
	made_it_to_host=no
	[ -e "$inside" ] && made_it_to_host=yes && rm -f "$inside"
	assert_success
	assert_equal "${lines[0]}" tmpfs
	assert_equal "${lines[1]}" 0
	assert_equal "$made_it_to_host" no
}

@test "mount: private (the default): no mount event crosses, either way" {
	make_shared_dir
	ctr_bg -V "$SHARED:/mnt" -- sh -c "mkdir -p /mnt/in && mount -t tmpfs from-inside /mnt/in; $(handshake); grep -c ' /mnt/out .* from-host ' /proc/self/mountinfo > $WORK/x/seen"
	wait_for "$WORK/x/ready"
	mkdir -p "$SHARED/out" && mount -t tmpfs from-host "$SHARED/out"
	refute grep -q from-inside /proc/self/mountinfo
	go
	ctr_wait
	umount "$SHARED/out"
	assert_equal "$(cat "$WORK/x/seen")" 0
}

@test "mount: slave: the host's new mounts appear inside, the container's do not reach the host" {
	make_shared_dir
	ctr_bg --propagation slave -V "$SHARED:/mnt" -- sh -c "mkdir -p /mnt/in && mount -t tmpfs from-inside /mnt/in; $(handshake); grep -c ' /mnt/out .* from-host ' /proc/self/mountinfo > $WORK/x/seen"
	wait_for "$WORK/x/ready"
	mkdir -p "$SHARED/out" && mount -t tmpfs from-host "$SHARED/out"
	refute grep -q from-inside /proc/self/mountinfo
	go
	ctr_wait
	umount "$SHARED/out"
	assert_success
	assert_equal "$(cat "$WORK/x/seen")" 1
}

# A mount made inside a shared volume, and whether the host saw it.
shared_mount_reaches_host() {
	rm -f "$WORK/x/ready" "$WORK/x/go"
	ctr_bg "$@" --propagation shared -V "$SHARED:/mnt" -- sh -c "mkdir -p /mnt/in && mount -t tmpfs from-inside /mnt/in; $(handshake); umount /mnt/in"
	wait_for "$WORK/x/ready"
	reached=no
	grep -q " $SHARED/in .* from-inside " /proc/self/mountinfo && reached=yes
	go
	ctr_wait
	assert_success
	# the umount inside travels back too
	refute grep -q from-inside /proc/self/mountinfo
}

@test "mount: shared: a mount made inside a shared volume appears on the host" {
	make_shared_dir
	if [ "$STEP_NUM" -lt 6 ]; then
		shared_mount_reaches_host
		assert_equal "$reached" yes
	else
		shared_mount_reaches_host --userns off
		assert_equal "$reached" yes
		# Across a user namespace the kernel turns every shared mount
		# of the copy into a slave (CL_SHARED_TO_SLAVE): the less
		# privileged side can receive mounts, never send them.
		shared_mount_reaches_host
		assert_equal "$reached" no
	fi
}

@test "mount: shared: our own /proc, /sys and /tmp never reach the host" {
	before=$(cat /proc/self/mountinfo)
	ctr_bg --propagation shared -- sh -c "$(handshake)"
	wait_for "$WORK/x/ready"
	assert_equal "$(cat /proc/self/mountinfo)" "$before"
	go
	ctr_wait
	assert_success
}

@test "mount: a read-write volume can be written inside, and the host sees the file" {
	mkdir -m 777 "$WORK/vol"
	run ctr -V "$WORK/vol:/mnt" -- sh -c 'echo written-inside > /mnt/file'
	assert_success
	assert_equal "$(cat "$WORK/vol/file")" written-inside
}

@test "mount: a :ro volume can be read but not written inside" {
	mkdir -m 777 "$WORK/vol"
	echo from-host >"$WORK/vol/file"
	chmod 666 "$WORK/vol/file"
	run ctr -V "$WORK/vol:/mnt:ro" -- sh -c 'cat /mnt/file; echo x > /mnt/file; touch /mnt/new'
	assert_failure
	assert_line --index 0 from-host
	assert_output --partial "Read-only file system"
	assert_equal "$(cat "$WORK/vol/file")" from-host
	[ ! -e "$WORK/vol/new" ]
}

@test "mount: a volume whose host path does not exist is a clear error, and nothing runs" {
	run ctr -V "$WORK/missing:/mnt" -- touch "$WORK/x/ran"
	assert_equal "$status" 125
	assert_output --partial "$WORK/missing"
	assert_output --partial "No such file or directory"
	[ ! -e "$WORK/x/ran" ]
}

@test "mount: malformed --volume and --propagation values exit 125" {
	run ctr -V relative:/mnt true
	assert_equal "$status" 125
	assert_output --partial "must both be absolute paths"
	run ctr -V "$WORK:/mnt:rx" true
	assert_equal "$status" 125
	assert_output --partial "mode 'rx' is not ro or rw"
	run ctr -V "$WORK" true
	assert_equal "$status" 125
	run ctr --propagation sideways true
	assert_equal "$status" 125
	assert_output --partial "'sideways' is not private, slave or shared"
}
