#!/usr/bin/env bats
# step09 and later: the rootfs is the read-only lower layer of an overlay.
# Every write goes to the run's own upper layer (a tmpfs in its state
# directory, or with --keep a directory on disk that stays), the lower
# layer never changes, and nothing of the overlay is left at exit, also
# after the runtime is killed with -9 (by the lock: never a live one's).

load helpers

# tree_sum DIR: one checksum of everything in DIR: names, types, modes,
# owners, sizes, link targets, mtimes and the files' contents.
tree_sum() {
	(
		cd "$1" || exit 1
		find . -printf '%p %y %m %U:%G %s %T@ %l\n' | LC_ALL=C sort
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
	) | sha256sum
}

# stepbox_mounts: the host's mounts of stepbox's (under /run/stepbox).
stepbox_mounts() {
	awk '$5 ~ "^/run/stepbox/"' /proc/self/mountinfo
}

# kernel_at_least X.Y: is the running kernel X.Y or later?
kernel_at_least() {
	[ "$(printf '%s\n%s\n' "$1" "$(uname -r | cut -d- -f1)" | sort -V | head -n1)" = "$1" ]
}

# The writes of the first test, and what they look like inside after.
WRITES='echo new > /etc/new-file
	echo more >> /etc/passwd
	rm /etc/group
	mv /etc/hosts /etc/hosts.moved
	chmod 600 /etc/stepbox-rootfs
	ln -s /etc/new-file /etc/new-link'
DIR_WRITES='mkdir /var/new-dir
	rm -r /sbin
	mv /mnt /mnt.moved
	rm -r /usr/local && mkdir /usr/local && touch /usr/local/fresh'
CHECKS='cat /etc/new-file; tail -n 1 /etc/passwd; ls /etc/group 2>&1
	stat -c %a /etc/stepbox-rootfs; readlink /etc/new-link; ls -d /etc/hosts.moved'
DIR_CHECKS='ls -d /var/new-dir /mnt.moved; ls /sbin 2>&1; ls -A /usr/local'

@test "overlay: writes inside never reach the rootfs: create, modify, delete, rename, chmod; files and directories" {
	before=$(tree_sum "$ROOTFS")
	for userns in on off; do
		run ctr --userns $userns -- sh -c "set -e; $WRITES; $DIR_WRITES; set +e; $CHECKS; $DIR_CHECKS"
		assert_success
		assert_line --index 0 new
		assert_line --index 1 more
		assert_line --index 2 --partial "/etc/group: No such file or directory"
		assert_line --index 3 600
		assert_line --index 4 /etc/new-file
		assert_line --index 5 /etc/hosts.moved
		assert_line --index 6 /mnt.moved
		assert_line --index 7 /var/new-dir
		assert_line --index 8 --partial "/sbin: No such file or directory"
		# removed and made again: nothing of the lower /usr/local shows
		assert_line --index 9 fresh
		# and the rootfs is as it was, to the byte, the owner and the mtime
		assert_equal "$(tree_sum "$ROOTFS")" "$before"
	done
	# the next run starts from the image again
	run ctr sh -c 'ls /etc/new-file 2>&1; cat /etc/group | head -n 1'
	assert_line --index 0 --partial "No such file or directory"
	assert_line --index 1 "root:x:0:"
}

@test "overlay: from the host, while it runs: upper holds the writes and a whiteout for each deletion, merged is the container's /" {
	ctr_bg sh -c "$IN_ROOTFS rm /etc/group; echo hi > /etc/motd; rm -r /usr/local && mkdir /usr/local; $(handshake)"
	wait_for "$WORK/x/ready"
	id=$(ctr_id)
	dir=/run/stepbox/$id
	upper=$dir/layer/upper
	whiteout=$(stat -c '%F %t:%T' "$upper/etc/group")
	motd=$(cat "$upper/etc/motd")
	in_upper=$(ls -A "$upper/etc" | xargs)
	merged_group=$(ls "$dir/merged/etc/group" 2>&1 || true)
	merged_marker=$(cat "$dir/merged/etc/stepbox-rootfs")
	mounts=$(awk -v d="$dir" '$5 == d "/merged" || $5 == d "/layer" { print $5, $(NF - 2) }' /proc/self/mountinfo)
	opaque=
	command -v python3 >/dev/null &&
		opaque=$(python3 -c "import os; print(os.getxattr('$upper/usr/local', 'trusted.overlay.opaque').decode())")
	go
	ctr_wait
	assert_success
	assert_equal "$whiteout" "character special file 0:0"
	assert_equal "$motd" hi
	assert_equal "$in_upper" "group motd" # only what changed
	assert_equal "$merged_group" "ls: cannot access '$dir/merged/etc/group': No such file or directory"
	assert_equal "$merged_marker" "stepbox busybox rootfs"
	assert_equal "$mounts" "$(printf '%s\n' "$dir/layer tmpfs" "$dir/merged overlay")"
	[ -z "$opaque" ] || assert_equal "$opaque" y
	# and at exit all of it went
	[ ! -e "$dir" ]
	assert_equal "$(stepbox_mounts)" ""
}

@test "overlay: user namespace: what root inside writes belongs to the map base in upper; with --userns off to root" {
	for userns in on off; do
		ctr_bg --userns $userns -- sh -c "$IN_ROOTFS touch /new; echo x >> /etc/passwd; $(handshake)"
		wait_for "$WORK/x/ready"
		upper=/run/stepbox/$(ctr_id)/layer/upper
		owners=$(stat -c '%u:%g' "$upper" "$upper/new" "$upper/etc/passwd" | xargs)
		go
		ctr_wait
		assert_success
		rm -f "$WORK/x/ready" "$WORK/x/go"
		# upper's root is the image's "/" (the rootfs belongs to 100000);
		# a new file is its writer's; a copied-up one keeps its owner
		if [ $userns = on ]; then
			assert_equal "$owners" "100000:100000 100000:100000 100000:100000"
		else
			assert_equal "$owners" "100000:100000 0:0 100000:100000"
		fi
	done
}

@test "overlay: two containers of one rootfs at once do not see each other's writes" {
	for name in a b; do
		"$STEP_BIN" "${WORK_VOLUME[@]}" -- sh -c "$IN_ROOTFS echo $name > /etc/who; echo $name > /only-$name; touch $WORK/x/$name-ready; while [ ! -e $WORK/x/go ]; do sleep 0.05; done; cat /etc/who; ls /only-a /only-b 2>&1; true" >"$WORK/out-$name" 2>&1 &
		eval "PID_$name=$!"
	done
	TEARDOWN_EXTRA='kill -KILL $PID_a $PID_b 2>/dev/null; wait $PID_a $PID_b 2>/dev/null || true'
	wait_for "$WORK/x/a-ready"
	wait_for "$WORK/x/b-ready"
	go
	wait "$PID_a"
	wait "$PID_b"
	run cat "$WORK/out-a"
	assert_line --index 0 a
	assert_line /only-a
	assert_line --partial "/only-b: No such file or directory"
	run cat "$WORK/out-b"
	assert_line --index 0 b
	assert_line /only-b
	assert_line --partial "/only-a: No such file or directory"
	[ ! -e "$ROOTFS/etc/who" ]
	assert_equal "$(state_dirs)" ""
}

@test "overlay: nothing is left at exit, whatever the exit: success, failure, 127, a runtime error in the child" {
	before=$(cat /proc/self/mountinfo)
	run ctr true
	assert_success
	run ctr sh -c 'exit 3'
	assert_equal "$status" 3
	run -127 ctr /nonexistent
	run ctr --rootfs "$ROOTFS" -V "$WORK/x:/etc/passwd" -- true # a directory onto a file: the child fails
	assert_equal "$status" 125
	assert_output --partial "the host path is a directory"
	run ctr -V "$WORK/missing:/mnt" -- true # the parent fails, before the overlay
	assert_equal "$status" 125
	assert_equal "$(state_dirs)" ""
	assert_equal "$(cat /proc/self/mountinfo)" "$before"
}

@test "overlay: after kill -9 of the runtime its overlay stays mounted until the next run or --cleanup; a live container's is untouched" {
	# a live container, which every cleanup must leave alone
	"$STEP_BIN" "${WORK_VOLUME[@]}" -- sh -c "$IN_ROOTFS echo alive > /etc/live; touch $WORK/x/live-ready; while [ ! -e $WORK/x/go ]; do sleep 0.05; done; cat /etc/live" >"$WORK/out-live" 2>&1 &
	LIVE=$!
	TEARDOWN_EXTRA='kill -KILL $LIVE 2>/dev/null; wait $LIVE 2>/dev/null || true'
	wait_for "$WORK/x/live-ready"
	live=$(sed -n 's|.*:/stepbox/\([0-9a-f]\{12\}\)$|\1|p' "/proc/$(pgrep -P $LIVE | head -n1)/cgroup" | head -n1)
	[ -n "$live" ]

	kill_runtime_leaving_container
	# nobody unmounted it: the overlay and its tmpfs are still on the host
	stepbox_mounts | grep -q " /run/stepbox/$dead/merged "
	stepbox_mounts | grep -q " /run/stepbox/$dead/layer "
	run ctr true
	assert_success
	assert_equal "$(stepbox_mounts | grep -c "/run/stepbox/$dead/")" 0
	[ ! -e "/run/stepbox/$dead" ]

	kill_runtime_leaving_container
	run ctr --cleanup
	assert_success
	assert_line "removed stale overlay /run/stepbox/$dead/merged"
	assert_line "removed stale layer /run/stepbox/$dead/layer"
	assert_line "removed stale state /run/stepbox/$dead"
	refute_output --partial "$live"
	assert_equal "$(stepbox_mounts | grep -c "/run/stepbox/$dead/")" 0

	# the live one's directories, mounts and writes came through
	assert_equal "$(cat "/run/stepbox/$live/layer/upper/etc/live")" alive
	stepbox_mounts | grep -q " /run/stepbox/$live/merged "
	go
	wait "$LIVE"
	assert_equal "$(cat "$WORK/out-live")" alive
	assert_equal "$(state_dirs)" ""
	assert_equal "$(stepbox_mounts)" ""
}

@test "overlay: --keep keeps the upper layer on disk and says where; the next run stacks it with --layer (docker commit)" {
	[ -e /var/lib/stepbox ] || TEARDOWN_EXTRA='rm -rf /var/lib/stepbox'
	run ctr --keep -- sh -c "$IN_ROOTFS echo committed > /etc/motd; rm /etc/group"
	assert_success
	assert_output --regexp "kept|changes are in /var/lib/stepbox/[0-9a-f]{12}/upper"
	kept=$(grep -o '/var/lib/stepbox/[0-9a-f]*/upper' <<<"$output")
	[ -n "$TEARDOWN_EXTRA" ] || TEARDOWN_EXTRA="rm -rf '${kept%/upper}'"
	# the layer: the changes and a whiteout, and no work directory
	assert_equal "$(cat "$kept/etc/motd")" committed
	assert_equal "$(stat -c '%F %t:%T' "$kept/etc/group")" "character special file 0:0"
	assert_equal "$(ls -A "${kept%/upper}")" upper
	assert_equal "$(state_dirs)" ""
	assert_equal "$(stepbox_mounts)" ""
	# a new container with it as a layer sees the changes, not the image
	run ctr --layer "$kept" -- sh -c 'cat /etc/motd; ls /etc/group 2>&1; cat /etc/stepbox-rootfs'
	assert_success
	assert_line --index 0 committed
	assert_line --index 1 --partial "/etc/group: No such file or directory"
	assert_line --index 2 "stepbox busybox rootfs"
}

@test "overlay: --layer stacks directories above the rootfs, the first given on top; a layer's whiteout hides what is below; layers are never written" {
	mkdir -p "$WORK/top/etc" "$WORK/mid/etc"
	echo top >"$WORK/top/etc/motd"
	echo mid >"$WORK/mid/etc/motd"
	echo only-top >"$WORK/top/only-top"
	echo only-mid >"$WORK/mid/only-mid"
	mknod "$WORK/mid/etc/hosts" c 0 0 # a whiteout: /etc/hosts is gone from here down
	# as an image's layers: the container's root owns them
	chown -R 100000:100000 "$WORK/top" "$WORK/mid"
	before=$(tree_sum "$WORK/top")$(tree_sum "$WORK/mid")
	run ctr --layer "$WORK/top" --layer "$WORK/mid" -- sh -c "$IN_ROOTFS"'cat /etc/motd /only-top /only-mid; ls /etc/hosts 2>&1; cat /etc/stepbox-rootfs; echo changed > /only-top; rm /only-mid /etc/motd'
	assert_success
	assert_line --index 0 top
	assert_line --index 1 only-top
	assert_line --index 2 only-mid
	assert_line --index 3 --partial "/etc/hosts: No such file or directory"
	assert_line --index 4 "stepbox busybox rootfs"
	run ctr --layer "$WORK/mid" --layer "$WORK/top" -- cat /etc/motd
	assert_output mid
	assert_equal "$(tree_sum "$WORK/top")$(tree_sum "$WORK/mid")" "$before"
	# a command that only a layer has is found there (127 when in none)
	printf '#!/bin/sh\necho from the layer\n' >"$WORK/top/hello"
	chmod 755 "$WORK/top/hello"
	run ctr --layer "$WORK/top" -- /hello
	assert_output "from the layer"
	run -127 ctr --layer "$WORK/mid" -- /hello
	assert_output --regexp "/hello: command not found in the rootfs [^ ]+ or its layers"
	# a missing layer: 125 before anything is made
	run "$STEP_BIN" -v --layer "$WORK/missing" -- true
	assert_equal "$status" 125
	assert_output --partial "--layer $WORK/missing: No such file or directory"
	refute_output --partial clone
}

@test "overlay: -v traces each operation: the parent mounts it (root), then unmounts and removes it" {
	run ctr -v true
	assert_success
	id=$(grep -o 'container [0-9a-f]\{12\}' <<<"$output" | cut -d' ' -f2)
	dir=/run/stepbox/$id
	assert_line "[parent] mkdir $dir/layer, $dir/merged = 0"
	assert_line "[parent] fsopen(\"tmpfs\"), fsconfig(mode=700), fsmount, move_mount onto $dir/layer = 0"
	assert_line "[parent] mkdirat($dir/layer, \"upper\", 0755), fchownat(100000:100000) = 0"
	assert_line "[parent] mkdirat($dir/layer, \"work\", 0700) = 0"
	assert_line --regexp '^\[parent\] fsopen\("overlay"\) = [0-9]+$'
	assert_line --regexp "^\[parent\] fsconfig\([0-9]+, FSCONFIG_SET_(FD, \"lowerdir\+\", [0-9]+ \($ROOTFS\)|STRING, \"lowerdir\", \"/proc/self/fd/[0-9]+\")\) = 0$"
	assert_line --regexp '^\[parent\] fsconfig\([0-9]+, FSCONFIG_CMD_CREATE\) = 0$'
	assert_line --regexp "^\[parent\] fsmount\([0-9]+\) = [0-9]+, move_mount onto $dir/merged = 0$"
	assert_line --regexp "^\[child\] open_tree\(\"$dir/merged\", OPEN_TREE_CLONE\|AT_RECURSIVE\)"
	assert_line "[parent] umount2(\"$dir/merged\", MNT_DETACH) = 0"
	assert_line "[parent] umount2(\"$dir/layer\", MNT_DETACH) = 0"
	assert_line "[parent] rmdir $dir/merged = 0"
	assert_line "[parent] rmdir $dir/layer = 0"
	refute_output --partial userxattr
}

@test "overlay: an upper layer on an overlayfs (as inside Docker) is refused with the reason" {
	# /var/lib, where --keep puts the upper, an overlay as in a container:
	# in a mount namespace of the test's own, the host's is untouched
	mkdir -p "$WORK/vl/lower" "$WORK/vl/upper" "$WORK/vl/work"
	run unshare -m --propagation private sh -c "mount -t overlay overlay -o lowerdir=$WORK/vl/lower,upperdir=$WORK/vl/upper,workdir=$WORK/vl/work /var/lib && exec timeout 60 $STEP_BIN --keep -- true"
	assert_equal "$status" 125
	assert_output --partial "Invalid argument"
	assert_output --partial "hint: the upper directory is itself on an overlayfs"
	# the run kept nothing (it failed) and left nothing
	assert_equal "$(ls -A "$WORK/vl/upper/stepbox")" ""
	assert_equal "$(state_dirs)" ""
	assert_equal "$(stepbox_mounts)" ""
}

@test "overlay: rootless: the child mounts it in its user namespace (userxattr); the lower is untouched; nothing is left" {
	user_rootfs
	before=$(tree_sum "$WORK/userfs")
	mounts=$(cat /proc/self/mountinfo)
	writes="$WRITES" checks="$CHECKS"
	# a tmpfs takes user.* xattrs from 6.6: before, overlayfs cannot mark
	# a directory opaque in a user namespace, and rm -r of one fails (EIO)
	if kernel_at_least 6.6; then
		writes="$writes; $DIR_WRITES" checks="$checks; $DIR_CHECKS"
	fi
	run as_user "$WORK/run" -v --rootfs "$WORK/userfs" -- sh -c "set -e; $writes; set +e; $checks"
	assert_success
	assert_line new
	assert_line more
	assert_line --partial "/etc/group: No such file or directory"
	assert_line /etc/hosts.moved
	! kernel_at_least 6.6 || assert_line fresh
	state="$XDG_RUNTIME_DIR/stepbox/[0-9a-f]{12}"
	assert_line --regexp "^\[parent\] mkdir $state/layer, $state/merged = 0$"
	assert_line --regexp "^\[child\] fsopen\(\"tmpfs\"\), fsconfig\(mode=700\), fsmount, move_mount onto $state/layer = 0$"
	assert_line --regexp '^\[child\] fsconfig\([0-9]+, FSCONFIG_SET_FLAG, "userxattr"\) = 0$'
	assert_line --regexp "^\[child\] fsmount\([0-9]+\) = [0-9]+, move_mount onto $state/merged = 0$"
	refute_line --regexp '^\[parent\] umount2' # nothing was mounted on the host
	assert_equal "$(tree_sum "$WORK/userfs")" "$before"
	assert_equal "$(cat /proc/self/mountinfo)" "$mounts"
	assert_equal "$(ls -A "$XDG_RUNTIME_DIR/stepbox")" .lock
}

@test "overlay: rootless on an image it does not own: a missing volume target cannot be made, and the error says why" {
	cp "$STEP_BIN" "$WORK/run"
	# build/rootfs is 100000's: /var and /var/tmp cannot be copied up
	run as_user "$WORK/run" "${WORK_VOLUME[@]}" -- true
	assert_equal "$status" 125
	assert_output --partial "inside the rootfs: Value too large for defined data type"
	assert_output --partial "overlayfs cannot copy it up"
	# a target the image has needs no copy-up
	mkdir -m 777 "$WORK/vol"
	run as_user "$WORK/run" -V "$WORK/vol:/mnt" -- touch /mnt/made
	assert_success
	[ -e "$WORK/vol/made" ]
}

@test "overlay: rootless: after kill -9 the next run tidies the state directory, never a live one's" {
	user_rootfs
	# setpriv, not as_user: $! is then the runtime (setpriv execs it)
	setpriv --reuid 65534 --regid 65534 --clear-groups "$WORK/run" "${WORK_VOLUME[@]}" --rootfs "$WORK/userfs" -- sh -c "touch $WORK/x/live-ready; while [ ! -e $WORK/x/go ]; do sleep 0.05; done" >"$WORK/out-live" 2>&1 &
	LIVE=$!
	TEARDOWN_EXTRA='kill -KILL $LIVE 2>/dev/null; wait $LIVE 2>/dev/null || true'
	wait_for "$WORK/x/live-ready"
	live=$(ls "$XDG_RUNTIME_DIR/stepbox")
	setpriv --reuid 65534 --regid 65534 --clear-groups "$WORK/run" --rootfs "$WORK/userfs" -- sleep 60 >"$WORK/out" 2>&1 &
	CTR_PID=$!
	wait_for_child
	for ((i = 0; i < 100; i++)); do
		[ "$(ls "$XDG_RUNTIME_DIR/stepbox" | wc -l)" -eq 2 ] && break
		sleep 0.05
	done
	dead=$(ls "$XDG_RUNTIME_DIR/stepbox" | grep -vx "$live")
	[ -n "$dead" ]
	kill -KILL "$CTR_PID"
	ctr_wait
	# left: the directories only (the mounts went with the container),
	# and from step10 the container's record
	left="layer lock merged"
	[ "$STEP_NUM" -lt 10 ] || left="$left state.json"
	assert_equal "$(ls -A "$XDG_RUNTIME_DIR/stepbox/$dead" | xargs)" "$left"
	run as_user "$WORK/run" --rootfs "$WORK/userfs" -- true
	assert_success
	assert_equal "$(ls "$XDG_RUNTIME_DIR/stepbox")" "$live"
	# and --cleanup works rootless too, for the user's own
	setpriv --reuid 65534 --regid 65534 --clear-groups "$WORK/run" --rootfs "$WORK/userfs" -- sleep 60 >"$WORK/out" 2>&1 &
	CTR_PID=$!
	wait_for_child
	sleep 0.5
	kill -KILL "$CTR_PID"
	ctr_wait
	run as_user "$WORK/run" --cleanup
	assert_success
	assert_output --partial "removed stale state $XDG_RUNTIME_DIR/stepbox/"
	refute_output --partial "$live"
	go
	wait "$LIVE"
	assert_equal "$(ls -A "$XDG_RUNTIME_DIR/stepbox")" .lock
}

@test "overlay: rootless: without a \$XDG_RUNTIME_DIR of its own the state goes to /tmp/stepbox-UID, which must be the user's" {
	user_rootfs
	# A /tmp of the test's own (sticky, writable by all, as a distribution
	# makes it), bound over /tmp in a mount namespace of the run's own: the
	# host's /tmp may be another user's to write or not at all, and
	# /tmp/stepbox-65534 may be there already.
	mkdir -m 1777 "$WORK/tmp"
	host_tmp=$(stat -c '%i %Y' /tmp/stepbox-65534 2>/dev/null || echo none)
	in_own_tmp() {
		unshare --mount --propagation private sh -c 'mount --bind "$1" /tmp && shift && exec "$@"' \
			in-own-tmp "$WORK/tmp" "$@"
	}
	# root's runtime directory is not the user's: it is passed over
	run in_own_tmp setpriv --reuid 65534 --regid 65534 --clear-groups \
		env XDG_RUNTIME_DIR="$WORK" "$WORK/run" -v --rootfs "$WORK/userfs" -- true
	assert_success
	assert_output --regexp "mkdir /tmp/stepbox-65534/[0-9a-f]{12}, flock"
	assert_equal "$(stat -c '%U %a' "$WORK/tmp/stepbox-65534")" "nobody 700"
	# one that someone else made first is refused
	rm -rf "$WORK/tmp/stepbox-65534"
	mkdir -m 777 "$WORK/tmp/stepbox-65534"
	run in_own_tmp setpriv --reuid 65534 --regid 65534 --clear-groups \
		env -u XDG_RUNTIME_DIR "$WORK/run" --rootfs "$WORK/userfs" -- true
	assert_equal "$status" 125
	assert_output --partial "/tmp/stepbox-65534 is not a directory of yours that only you may use"
	# and the host's /tmp was never touched
	assert_equal "$(stat -c '%i %Y' /tmp/stepbox-65534 2>/dev/null || echo none)" "$host_tmp"
}

@test "overlay: rootless --keep keeps the layer in \$XDG_DATA_HOME/stepbox" {
	user_rootfs
	mkdir -m 700 "$WORK/data"
	chown 65534:65534 "$WORK/data"
	run as_user env XDG_DATA_HOME="$WORK/data" "$WORK/run" --rootfs "$WORK/userfs" --keep -- sh -c 'echo mine > /etc/motd'
	assert_success
	kept=$(grep -o "$WORK/data/stepbox/[0-9a-f]*/upper" <<<"$output")
	[ -n "$kept" ]
	assert_equal "$(cat "$kept/etc/motd")" mine
	assert_equal "$(stat -c %u "$kept/etc/motd")" 65534
	assert_equal "$(ls -A "${kept%/upper}")" upper
}
