#!/usr/bin/env bats
# step04 and later: the mount namespace. Mounts made inside stay inside,
# propagation does what --propagation says, /tmp is private, volumes bind
# host paths read-write or read-only.

load helpers

# lab_host FLAVOUR: a mount namespace of the test's own plays the host, so
# that propagation is tried on both kinds of host, whatever this one is:
#   debian: "/" private, /tmp no mount of its own (this machine, the VM)
#   fedora: "/" shared, as systemd makes it, and /tmp a tmpfs of its own
#   shared-root: "/" shared, /tmp no mount of its own
# It holds SHARED, a directory that is a shared mount of its own. The
# runtime runs in it (lab ...), and the checks read its mount table.
lab_host() {
	SHARED="$WORK/shared"
	mkdir -m 777 "$SHARED"
	unshare -m --propagation unchanged sh -c "
		mount --make-rprivate /
		if [ $1 = fedora ]; then
			# The checkout may live under /tmp: keep it in sight.
			case $REPO in /tmp/*) mkdir $WORK/repo; mount --rbind $REPO $WORK/repo ;; esac
			mount -t tmpfs lab-tmp /tmp
			case $REPO in /tmp/*) mkdir -p $REPO; mount --move $WORK/repo $REPO ;; esac
			mount --make-rshared /
		elif [ $1 = shared-root ]; then
			mount --make-rshared /
		fi
		mount --bind $SHARED $SHARED && mount --make-shared $SHARED
		touch $WORK/lab-ready
		exec sleep 600" &
	LAB_PID=$!
	TEARDOWN_EXTRA='kill $LAB_PID 2>/dev/null; wait $LAB_PID 2>/dev/null || true'
	wait_for "$WORK/lab-ready"
}

# lab_done: end the lab host, ready for the next flavour.
lab_done() {
	kill "$LAB_PID"
	wait "$LAB_PID" 2>/dev/null || true
	rm -rf "$SHARED" "$WORK/repo" "$WORK/lab-ready" "$WORK"/x/*
}

# lab COMMAND...: run COMMAND in the lab host's mount namespace.
lab() {
	nsenter -t "$LAB_PID" -m -- "$@"
}

# lab_ctr_bg ARGS...: ctr_bg, in the lab host.
# From step08 the rootfs is named: its compiled-in default may be under
# /tmp (a checkout there), which the fedora lab covers with a tmpfs.
lab_ctr_bg() {
	local rootfs=()
	[ "$STEP_NUM" -lt 8 ] || rootfs=(--rootfs "$ROOTFS")
	lab "$STEP_BIN" "${WORK_VOLUME[@]}" "${rootfs[@]}" "$@" >"$WORK/out" 2>&1 &
	CTR_PID=$!
}

lab_mounts() {
	lab cat /proc/self/mountinfo
}

# The container mounts a tmpfs inside the volume (it must succeed: "in-ok"),
# waits, then counts the host's mount at /mnt/out that it can see.
propagation_run() {
	lab_ctr_bg "${ADMIN[@]}" "$@" -V "$SHARED:/mnt" -- sh -c "mkdir -p /mnt/in && mount -t tmpfs from-inside /mnt/in && echo in-ok > $WORK/x/in; $(handshake); echo \$(grep -c ' /mnt/out .* from-host ' /proc/self/mountinfo) > $WORK/x/seen; umount /mnt/in"
	wait_for "$WORK/x/ready"
	lab mkdir -p "$SHARED/out"
	lab mount -t tmpfs from-host "$SHARED/out"
	reached=no
	lab_mounts | grep -q from-inside && reached=yes
	go
	ctr_wait
	lab umount "$SHARED/out"
	assert_success
	assert_equal "$(cat "$WORK/x/in")" in-ok
	seen=$(cat "$WORK/x/seen")
	# the umount inside travelled back too, if the mount had
	refute lab grep -q from-inside /proc/self/mountinfo
}

@test "mount: a tmpfs mounted inside is not in the host's mount table, during or after" {
	before=$(cat /proc/self/mountinfo)
	ctr_bg "${ADMIN[@]}" sh -c "mount -t tmpfs inside-only /mnt && grep -c inside-only /proc/self/mountinfo > $WORK/x/seen; $(handshake)"
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

@test "mount: private (the default): no mount event crosses, either way, on either kind of host" {
	for flavour in debian fedora; do
		lab_host $flavour
		propagation_run
		assert_equal "$reached" no
		assert_equal "$seen" 0
		lab_done
	done
}

@test "mount: slave: the host's new mounts appear inside, the container's do not reach the host" {
	for flavour in debian fedora; do
		lab_host $flavour
		propagation_run --propagation slave
		assert_equal "$reached" no
		assert_equal "$seen" 1
		lab_done
	done
}

@test "mount: shared: a mount made inside a volume of a shared host mount appears on the host" {
	for flavour in debian fedora; do
		lab_host $flavour
		if [ "$STEP_NUM" -lt 6 ]; then
			propagation_run --propagation shared
			assert_equal "$reached" yes
			assert_equal "$seen" 1
		else
			propagation_run --propagation shared --userns off
			assert_equal "$reached" yes
			assert_equal "$seen" 1
			# Across a user namespace the kernel turns every shared mount
			# of the copy into a slave (CL_SHARED_TO_SLAVE): the less
			# privileged side can receive mounts, never send them.
			rm -f "$WORK"/x/*
			propagation_run --propagation shared
			assert_equal "$reached" no
			assert_equal "$seen" 1
		fi
		lab_done
	done
}

# shared, where "/" itself is shared: a volume of a plain directory (no
# mount of its own) still shares its mounts with the host, even though /tmp
# is no mount point and keeping our /tmp local made the copy of "/" a slave.
@test "mount: shared on a systemd-like host: a volume of a plain directory shares too" {
	[ "$STEP_NUM" -lt 6 ] || userns=(--userns off)
	lab_host shared-root
	mkdir -m 777 "$WORK/plain"
	lab_ctr_bg --propagation shared "${userns[@]}" "${ADMIN[@]}" -V "$WORK/plain:/mnt" -- sh -c "mkdir /mnt/in && mount -t tmpfs from-inside /mnt/in && echo in-ok > $WORK/x/in; $(handshake)"
	wait_for "$WORK/x/ready"
	reached=no
	lab grep -q " $WORK/plain/in .* from-inside " /proc/self/mountinfo && reached=yes
	go
	ctr_wait
	assert_success
	assert_equal "$(cat "$WORK/x/in")" in-ok
	assert_equal "$reached" yes
}

@test "mount: shared: our own /proc, /sys, /tmp and the volumes never reach the host" {
	[ "$STEP_NUM" -lt 6 ] || userns=(--userns off)
	mkdir -m 777 "$WORK/vol" "$WORK/target"
	for flavour in debian fedora; do
		lab_host $flavour
		before=$(lab_mounts | awk '$5 !~ "^/run/stepbox/"')
		lab_ctr_bg --propagation shared "${userns[@]}" -V "$WORK/vol:$WORK/target" -- sh -c "grep -c ' $WORK/target ' /proc/self/mountinfo > $WORK/x/in; $(handshake)"
		wait_for "$WORK/x/ready"
		# from step09 the runtime mounts the container's overlay on the
		# host, in its state directory, as containerd does: not ours
		during=$(lab_mounts | awk '$5 !~ "^/run/stepbox/"')
		go
		ctr_wait
		assert_success
		assert_equal "$(cat "$WORK/x/in")" 1 # the volume is there inside
		assert_equal "$during" "$before"
		lab_done
	done
}

@test "mount: a volume whose target is a symbolic link is refused, not followed (followed inside the rootfs from step08)" {
	mkdir -m 777 "$WORK/vol" "$WORK/elsewhere"
	ln -s "$WORK/elsewhere" "$WORK/link"
	before=$(cat /proc/self/mountinfo)
	run ctr -V "$WORK/vol:$WORK/link" -- sh -c "touch $WORK/link/through-link; touch $WORK/x/ran"
	if [ "$STEP_NUM" -lt 8 ]; then
		assert_equal "$status" 125
		assert_output --partial "the target is a symbolic link"
		[ ! -e "$WORK/x/ran" ]
		[ ! -e "$WORK/vol/through-link" ]
	else
		# the link is resolved inside the rootfs, where $WORK is the
		# volume ctr adds: it leads to $WORK/elsewhere in there
		assert_success
		[ -e "$WORK/vol/through-link" ]
		[ ! -e "$WORK/elsewhere/through-link" ]
	fi
	assert_equal "$(cat /proc/self/mountinfo)" "$before"
}

@test "mount: :ro is read-only down to the mounts below the volume" {
	mkdir -m 777 "$WORK/vol" "$WORK/vol/sub"
	mount -t tmpfs -o mode=777 below "$WORK/vol/sub"
	TEARDOWN_EXTRA='umount "$WORK/vol/sub"'
	run ctr -V "$WORK/vol:/mnt:ro" -- sh -c 'touch /mnt/top; touch /mnt/sub/below; grep " /mnt/sub " /proc/self/mountinfo'
	assert_output --regexp '/mnt/sub ro,'
	[ ! -e "$WORK/vol/top" ]
	[ ! -e "$WORK/vol/sub/below" ]
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
