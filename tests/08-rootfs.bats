#!/usr/bin/env bats
# step08 and later: the container's own root filesystem. "/" is the
# busybox tree, the host's root is gone from the container's mount table,
# /dev is a small tmpfs of its own, and every path the runtime uses inside
# the rootfs is resolved inside it, whatever symbolic links the image has.

load helpers

# The mount points a container sees with no volume: the tree, /proc, the
# /dev tmpfs with its nodes (bind mounts in a user namespace, none with
# --userns off), devpts, shm, mqueue, /sys, /tmp; from step10 the masked
# and read-only paths (harden_mounts).
DEV_NODES="/dev/full /dev/null /dev/random /dev/tty /dev/urandom /dev/zero"
BASE_MOUNTS="/ /dev /dev/mqueue /dev/pts /dev/shm /proc /sys /tmp"

# mount_points: field 5 of the mountinfo lines in $output, sorted, on one line.
mount_points() {
	awk '{ print $5 }' <<<"$output" | sort | xargs
}

# hostile_rootfs DIR: a copy of the rootfs whose /proc, /dev, /sys, /tmp
# and /mnt are links meant to lead the runtime to the host's directories
# $WORK/host-NAME (each holding one file, "marker"): absolute, and with
# enough ".." to climb out of any tree. The same paths exist inside the
# copy, so that inside it the links lead somewhere.
hostile_rootfs() {
	local name
	cp -a "$ROOTFS" "$1"
	for name in proc dev sys tmp mnt; do
		mkdir -p "$WORK/host-$name" "$1$WORK/host-$name"
		chmod 777 "$1$WORK/host-$name" # the container's root makes /mnt/vol there
		echo "host $name" >"$WORK/host-$name/marker"
		rm -rf "${1:?}/$name"
	done
	ln -s "$WORK/host-proc" "$1/proc"
	ln -s "../../../../../../../../../..$WORK/host-dev" "$1/dev"
	ln -s "$WORK/host-sys" "$1/sys"
	ln -s "../../../../../../../../../..$WORK/host-tmp" "$1/tmp"
	ln -s "$WORK/host-mnt" "$1/mnt"
}

# host_dirs_untouched: each $WORK/host-NAME still holds only its marker.
host_dirs_untouched() {
	local name
	for name in proc dev sys tmp mnt; do
		assert_equal "$(ls -A "$WORK/host-$name")" marker
	done
}

@test "rootfs: / is the busybox tree: its marker, its /etc/hostname, none of the host's files" {
	[ "$(cat /etc/hostname 2>/dev/null)" != stepbox ] || skip "this host is called stepbox"
	run ctr sh -c "cat /etc/stepbox-rootfs; cat /etc/hostname; ls $REPO/Makefile 2>&1; readlink /bin/sh"
	assert_success
	assert_line --index 0 "stepbox busybox rootfs"
	assert_line --index 1 stepbox
	assert_line --index 2 --partial "No such file or directory"
	assert_line --index 3 /bin/busybox
}

@test "rootfs: no host mount inside, and the old root is gone (seen inside and from the host)" {
	run "$STEP_BIN" -- cat /proc/self/mountinfo
	assert_success
	assert_equal "$(mount_points)" "$(echo $BASE_MOUNTS $DEV_NODES $(harden_mounts) | xargs -n1 | sort | xargs)"
	# one "/" only: the old root is not stacked under or over it
	assert_equal "$(awk '$5 == "/"' <<<"$output" | wc -l)" 1
	run "$STEP_BIN" --userns off -- cat /proc/self/mountinfo
	assert_success
	assert_equal "$(mount_points)" "$(echo $BASE_MOUNTS $(harden_mounts) | xargs -n1 | sort | xargs)"
	# from the host: the mount table of the container's process
	ctr_bg sh -c "$(handshake)"
	wait_for "$WORK/x/ready"
	seen=$(cat /proc/"$(ctr_pid1)"/mountinfo)
	go
	ctr_wait
	assert_success
	output=$seen
	assert_equal "$(mount_points)" "$(echo $BASE_MOUNTS $DEV_NODES "$WORK" $(harden_mounts) | xargs -n1 | sort | xargs)"
}

@test "rootfs: /dev holds only the listed nodes and links; null, zero, full behave" {
	for userns in on off; do
		host_dev=$(ls -A /dev)
		run ctr --userns $userns -- sh -c 'ls -A /dev | xargs; for n in null zero full random urandom tty; do stat -c "%n %F %t:%T" /dev/$n; done; for l in ptmx fd stdin stdout stderr; do readlink /dev/$l; done; echo gone > /dev/null && echo null-ok; head -c 4 /dev/zero | od -An -tx1; echo x > /dev/full || echo full-refused'
		assert_success
		assert_line --index 0 "fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero"
		assert_line --index 1 "/dev/null character special file 1:3"
		assert_line --index 2 "/dev/zero character special file 1:5"
		assert_line --index 3 "/dev/full character special file 1:7"
		assert_line --index 4 "/dev/random character special file 1:8"
		assert_line --index 5 "/dev/urandom character special file 1:9"
		assert_line --index 6 "/dev/tty character special file 5:0"
		assert_line --index 7 pts/ptmx
		assert_line --index 8 /proc/self/fd
		assert_line --index 9 /proc/self/fd/0
		assert_line --index 10 /proc/self/fd/1
		assert_line --index 11 /proc/self/fd/2
		assert_line --index 12 null-ok
		assert_line --index 13 " 00 00 00 00"
		assert_line "full-refused"
		assert_output --partial "No space left on device"
		# the host's /dev is as it was: nothing was made in it
		assert_equal "$(ls -A /dev)" "$host_dev"
	done
}

@test "rootfs: /dev/pts is a devpts of the container's own; shm and mqueue are there" {
	run ctr sh -c 'ls -A /dev/pts | xargs; grep " /dev/pts " /proc/self/mountinfo; grep -E " /dev/(shm|mqueue) " /proc/self/mountinfo; stat -c %a /dev/shm'
	assert_success
	assert_line --index 0 ptmx # no tty of the host's, none open yet
	assert_line --index 1 --regexp ' /dev/pts .* - devpts devpts .*ptmxmode=666'
	assert_line --index 2 --regexp ' /dev/shm .* - tmpfs tmpfs '
	assert_line --index 3 --regexp ' /dev/mqueue .* - mqueue mqueue '
	assert_line --index 4 1777
}

@test "rootfs: the pty comes from the container's devpts, numbered from 0, and works" {
	run ctr -t -- sh -c 'tty; ls /dev/pts | xargs; read line; echo "got $line"' <<<hello
	assert_success
	# (through a terminal: lines end in \r; the terminal echoes "hello"
	# where it arrives, which may be right after tty's answer)
	assert_line --regexp '^/dev/pts/0([^0-9]|$)'
	assert_line --regexp '^0 +ptmx.?$'
	assert_line --partial "got hello"
	run ctr -v -t -- true </dev/null
	assert_success
	assert_output --partial 'open("/dev/ptmx") = '
	assert_output --partial "sendmsg(console socket, SCM_RIGHTS"
	assert_output --partial "recvmsg(console socket) = SCM_RIGHTS"
}

@test "rootfs: sysfs is read-only and shows the container's network namespace" {
	run ctr sh -c 'ls /sys/class/net | xargs; grep " /sys " /proc/self/mountinfo; touch /sys/x 2>&1'
	assert_line --index 0 lo
	assert_line --index 1 --regexp ' /sys ro,'
	assert_output --partial "Read-only file system"
}

@test "rootfs: -v shows the bind, pivot_root(\".\", \".\") and the old root detached" {
	run ctr -v true
	assert_success
	assert_output --regexp 'open_tree\(".*", OPEN_TREE_CLONE\|AT_RECURSIVE\), mount_setattr\(MS_PRIVATE\), move_mount onto itself'
	assert_line '[child] fchdir(rootfs), pivot_root(".", ".") = 0'
	assert_line '[child] mount("." (the old root), MS_REC|MS_PRIVATE) = 0'
	assert_line '[child] umount2("." (the old root), MNT_DETACH) = 0'
	assert_line '[child] chdir("/") = 0'
}

@test "rootfs: links in the image to host directories lead nowhere outside it (openat2, and the walk)" {
	hostile_rootfs "$WORK/evil"
	mkdir -m 777 "$WORK/vol"
	before=$(cat /proc/self/mountinfo)
	for resolver in openat2 walk; do
		run env STEPBOX_RESOLVE=$resolver "$STEP_BIN" -v --rootfs "$WORK/evil" -V "$WORK/vol:/mnt/vol" -- sh -c \
			'cat /proc/self/mountinfo; ls /dev/null /proc/self/status; touch /mnt/vol/made-$$ /tmp/t; echo ran'
		assert_success
		assert_line ran
		# inside, proc and the /dev tmpfs are mounted where the links lead
		# inside the rootfs: the copy's own $WORK/host-NAME
		assert_line --regexp "^[0-9]+ [0-9]+ [0-9:]+ / $WORK/host-proc .* - proc proc "
		assert_line --regexp "^[0-9]+ [0-9]+ [0-9:]+ / $WORK/host-dev .* - tmpfs tmpfs "
		assert_line --regexp "^[0-9]+ [0-9]+ [0-9:]+ [^ ]+ $WORK/host-mnt/vol "
		assert_output --partial "found by $resolver"
		# outside, nothing happened to the host's directories or mounts
		host_dirs_untouched
		assert_equal "$(cat /proc/self/mountinfo)" "$before"
		if [ "$STEP_NUM" -lt 9 ]; then
			[ -d "$WORK/evil$WORK/host-mnt/vol" ] # the target was made inside the rootfs
		else
			[ ! -e "$WORK/evil$WORK/host-mnt/vol" ] # in the container's layer (09)
		fi
		assert_equal "$(ls "$WORK/vol" | wc -l)" 1 # and the volume is there
		rm -f "$WORK/vol"/*
	done
}

@test "rootfs: a link in the image that leads nowhere inside it is an error, not a way out" {
	cp -a "$ROOTFS" "$WORK/dangling"
	mkdir "$WORK/host-proc"
	rm -rf "$WORK/dangling/proc"
	ln -s "$WORK/host-proc" "$WORK/dangling/proc"
	run "$STEP_BIN" --rootfs "$WORK/dangling" -- touch "$WORK/ran"
	assert_equal "$status" 125
	assert_output --partial 'open("/proc") inside the rootfs: File exists'
	assert_equal "$(ls -A "$WORK/host-proc")" ""
	[ ! -e "$WORK/ran" ]
}

@test "rootfs: chroot is not enough: /bin/breakout reaches the host's / after --chroot, not after pivot_root" {
	echo "host only" >"$WORK/host-only"
	chmod 644 "$WORK/host-only"
	# From step09 the tree is /run/stepbox/<id>/merged, and only the
	# host's root may cross /run/stepbox (0700): root inside a user
	# namespace stops there (EACCES) by that accident, not by chroot.
	userns=()
	[ "$STEP_NUM" -lt 9 ] || userns=(--userns off)
	run "$STEP_BIN" --chroot "${userns[@]}" -- /bin/breakout "$WORK/host-only"
	assert_success
	assert_output --partial "breakout: out: $WORK/host-only says: host only"
	run "$STEP_BIN" -- /bin/breakout "$WORK/host-only"
	assert_equal "$status" 1
	assert_output --partial "breakout: still inside: $WORK/host-only: No such file or directory"
	# under --chroot the rootfs is "/" as well, as far as a plain lookup goes
	run "$STEP_BIN" --chroot -- cat /etc/stepbox-rootfs
	assert_success
	assert_line "stepbox busybox rootfs"
}

@test "rootfs: volumes: the target is made in the rootfs when missing, a file for a file" {
	cp -a "$ROOTFS" "$WORK/fs"
	mkdir -m 777 "$WORK/vol"
	echo from-host >"$WORK/file"
	run "$STEP_BIN" --rootfs "$WORK/fs" -V "$WORK/vol:/new/dir" -V "$WORK/file:/etc/injected:ro" -- sh -c "$IN_ROOTFS"'echo hi > /new/dir/f; cat /etc/injected'
	assert_success
	assert_output from-host
	assert_equal "$(cat "$WORK/vol/f")" hi
	if [ "$STEP_NUM" -lt 9 ]; then
		[ -d "$WORK/fs/new/dir" ]
		[ -f "$WORK/fs/etc/injected" ]
	else
		# from step09 the rootfs is only read: made in the run's layer
		[ ! -e "$WORK/fs/new" ]
		[ ! -e "$WORK/fs/etc/injected" ]
	fi
	# a directory onto a file is refused
	run "$STEP_BIN" --rootfs "$WORK/fs" -V "$WORK/vol:/etc/passwd" -- true
	assert_equal "$status" 125
	assert_output --partial "the host path is a directory, the target in the rootfs is not"
}

@test "rootfs: root inside can write the rootfs it owns; unmapped owners show as nobody" {
	run ctr sh -c "$IN_ROOTFS"'f=/root/.stepbox-write-test.$$; touch $f && rm $f && echo wrote; stat -c %u:%g /etc/passwd'
	assert_success
	assert_line --index 0 wrote
	assert_line --index 1 0:0
	# with another map base the files belong to nobody the map names
	run ctr --map-base 200000 -- sh -c "$IN_ROOTFS"'stat -c %u:%g /etc/passwd; touch /etc/x 2>&1'
	assert_line --index 0 65534:65534
	assert_output --partial "Permission denied"
	# rootless: root inside is the caller, so a copy of the caller's own
	cp -a "$ROOTFS" "$WORK/userfs"
	chown -R -h 65534:65534 "$WORK/userfs"
	cp "$STEP_BIN" "$WORK/run"
	run setpriv --reuid 65534 --regid 65534 --clear-groups "$WORK/run" --rootfs "$WORK/userfs" -- sh -c 'touch /root/x && echo wrote; stat -c %u /etc/passwd'
	assert_success
	assert_line --index 0 wrote
	assert_line --index 1 0
}

@test "rootfs: a missing, non-directory or commandless --rootfs: 125 or 127, before any namespace" {
	run "$STEP_BIN" -v --rootfs "$WORK/missing" -- true
	assert_equal "$status" 125
	assert_output --partial "--rootfs $WORK/missing: No such file or directory"
	refute_output --partial clone
	touch "$WORK/a-file"
	run "$STEP_BIN" -v --rootfs "$WORK/a-file" -- true
	assert_equal "$status" 125
	assert_output --partial "--rootfs $WORK/a-file: not a directory"
	refute_output --partial clone
	mkdir "$WORK/empty"
	run -127 "$STEP_BIN" -v --rootfs "$WORK/empty"
	assert_equal "$status" 127
	assert_output --partial "/bin/sh: command not found in the rootfs $WORK/empty"
	refute_output --partial clone
	run -127 "$STEP_BIN" -v --rootfs "$WORK/empty" -- true
	assert_equal "$status" 127
	assert_output --partial "true: command not found in the rootfs $WORK/empty (looked in \$PATH, inside it)"
	refute_output --partial clone
	# a host program is not in the rootfs either
	run -127 "$STEP_BIN" -- bats --version
	assert_equal "$status" 127
}

@test "rootfs: the host's own / (given, or through a link) and a path with '..' are refused, before any namespace" {
	ln -s / "$WORK/to-root"
	for root in / "$WORK/to-root" //; do
		run "$STEP_BIN" -v --rootfs "$root" -- true
		assert_equal "$status" 125
		assert_line --index 0 "$STEP: --rootfs $root: that is the host's own / (an empty variable?): give the directory an image was unpacked to"
		refute_output --partial clone
	done
	for root in "$ROOTFS/../rootfs" "$ROOTFS/.." "../${ROOTFS#/}"; do
		run "$STEP_BIN" -v --rootfs "$root" -- true
		assert_equal "$status" 125
		assert_output --partial "--rootfs $root: has a '..' in it: give the path without"
		refute_output --partial clone
	done
	# a link to a real rootfs is fine: it is opened once, and used by its fd
	ln -s "$ROOTFS" "$WORK/to-fs"
	run "$STEP_BIN" --rootfs "$WORK/to-fs" -- cat /etc/stepbox-rootfs
	assert_success
	assert_output "stepbox busybox rootfs"
	# and so is a name with dots that are not '..'
	mkdir "$WORK/..fs" && cp -a "$ROOTFS/." "$WORK/..fs"
	run "$STEP_BIN" --rootfs "$WORK/..fs" -- cat /etc/stepbox-rootfs
	assert_success
}

@test "rootfs: rootless, the default is build/rootfs-UID, the caller's own, when it exists" {
	mine="$ROOTFS-65534"
	[ ! -e "$mine" ] || skip "$mine exists already: not the test's to remove"
	touch "$REPO/build/.stepbox-writable" 2>/dev/null || skip "build/ is read-only here (the VM's share)"
	rm -f "$REPO/build/.stepbox-writable"
	cp "$STEP_BIN" "$WORK/run"
	# without it: build/rootfs, whose files are nobody's to root inside
	run setpriv --reuid 65534 --regid 65534 --clear-groups "$WORK/run" -v -- sh -c 'stat -c %u /etc/passwd; touch /etc/x 2>&1'
	assert_output --partial "open(\"$ROOTFS\", O_PATH|O_DIRECTORY)"
	assert_line 65534
	assert_output --partial "Permission denied"
	# what make rootfs-user builds: the same tree, the caller's
	cp -a "$ROOTFS" "$mine"
	TEARDOWN_EXTRA='rm -rf "$mine"'
	chown -R -h 65534:65534 "$mine"
	run setpriv --reuid 65534 --regid 65534 --clear-groups "$WORK/run" -v -- sh -c 'touch /root/x && echo wrote; stat -c %u /etc/passwd'
	assert_success
	assert_output --partial "open(\"$mine\", O_PATH|O_DIRECTORY)"
	assert_line wrote
	assert_line 0
	if [ "$STEP_NUM" -lt 9 ]; then
		[ -e "$mine/root/x" ]
	else
		[ ! -e "$mine/root/x" ] # written to the run's layer (09)
	fi
}
