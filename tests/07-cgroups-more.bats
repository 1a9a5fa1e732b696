#!/usr/bin/env bats
# step07 and later: the cpuset, io (blkio), devices, net_cls and hugetlb
# controllers, enforced inside and checked from the host, on cgroup v2
# (make test-vm) and v1/hybrid. The container's cgroup is found from the host through
# its first process (/proc/PID/cgroup), whatever the runtime names it.

load helpers

# ctr_cg_dir CONTROLLER: the directory of the running container's cgroup
# in CONTROLLER's tree (v1), or in the one tree (v2). /proc/PID/cgroup
# has "0::/PATH" on v2 and "N:CONTROLLER[,OTHER]:/PATH" on v1.
ctr_cg_dir() {
	local pid path
	pid=$(ctr_pid1)
	if cgroup_v2; then
		path=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
		echo "/sys/fs/cgroup$path"
	else
		path=$(awk -F: -v c="$1" '{ n = split($2, a, ","); for (i = 1; i <= n; i++)
			if (a[i] == c) print $3 }' "/proc/$pid/cgroup")
		echo "/sys/fs/cgroup/$1$path"
	fi
}

# loop_setup: a 32 MiB loop device, a disk the tests may write to and
# throttle, in $LOOP (its major:minor in $LOOP_DEV); detached in teardown.
loop_setup() {
	truncate -s 32M "$WORK/disk.img"
	LOOP=$(losetup --find --show "$WORK/disk.img")
	TEARDOWN_EXTRA="losetup -d $LOOP"
	LOOP_DEV=$(($(stat -c '0x%t' "$LOOP"))):$(($(stat -c '0x%T' "$LOOP")))
}

# ms_of "N ops, MS ms": the MS.
# io_weight_available: does a new cgroup here get a weight file? Only an
# io scheduler that honours weights makes one (BFQ: *.bfq.weight; on v2
# also io.cost: io.weight). Tried on a cgroup of the test's own.
io_weight_available() {
	local dir found=1
	if cgroup_v2; then
		grep -qw io /sys/fs/cgroup/cgroup.subtree_control ||
			echo +io >/sys/fs/cgroup/cgroup.subtree_control
		dir=/sys/fs/cgroup/stepbox-test-io.$$
		mkdir "$dir"
		{ [ -e "$dir/io.bfq.weight" ] || [ -e "$dir/io.weight" ]; } && found=0
	else
		dir=/sys/fs/cgroup/blkio/stepbox-test-io.$$
		mkdir "$dir"
		{ [ -e "$dir/blkio.weight" ] || [ -e "$dir/blkio.bfq.weight" ]; } && found=0
	fi
	rmdir "$dir"
	return $found
}

ms_of() {
	sed -n 's/.*ops, \([0-9]*\) ms/\1/p' <<<"$1"
}

# gone ID: no cgroup of container ID in any hierarchy, and nothing of
# stepbox's in net_cls or hugetlb, which only these tests use (other runs
# may have cgroups of their own elsewhere meanwhile).
gone() {
	assert_equal "$(find /sys/fs/cgroup/ -maxdepth 4 -type d -name "$1")" ""
	assert_equal "$(find /sys/fs/cgroup/net_cls/ /sys/fs/cgroup/hugetlb/ -path '*stepbox*' 2>/dev/null)" ""
}

# refused_early ARGS...: the run is refused (125) and its -v trace shows
# no cgroup directory made: it stopped before anything was created.
refused_early() {
	run ctr -v "$@" -- touch "$WORK/x/ran"
	assert_equal "$status" 125
	refute_output --partial "mkdir /sys/fs/cgroup"
	[ ! -e "$WORK/x/ran" ]
}

# --- cpuset -----------------------------------------------------------

@test "cpuset: --cpuset-cpus 0: nproc and the affinity mask inside show one CPU; so does the host" {
	ctr_bg --cpuset-cpus 0 -- sh -c "{ command -v nproc >/dev/null && nproc || $PROBE cpus; } \
		>$WORK/x/nproc; $PROBE cpus >$WORK/x/cpus; \
		grep Cpus_allowed_list /proc/self/status >$WORK/x/mask; $(handshake)"
	wait_for "$WORK/x/ready"
	dir=$(ctr_cg_dir cpuset)
	assert_equal "$(cat "$dir/cpuset.cpus")" 0
	if cgroup_v2; then
		assert_equal "$(cat "$dir/cpuset.cpus.effective")" 0
	else
		assert_equal "$(cat "$dir/cpuset.effective_cpus")" 0
		# v1: the parent was filled in first, or nobody could join
		[ -n "$(cat "$(dirname "$dir")/cpuset.cpus")" ]
	fi
	run taskset -pc "$(ctr_pid1)"
	assert_output --regexp 'list: 0$'
	go
	ctr_wait
	assert_success
	assert_equal "$(cat "$WORK/x/nproc")" 1
	assert_equal "$(cat "$WORK/x/cpus")" 1
	assert_equal "$(cat "$WORK/x/mask")" "$(printf 'Cpus_allowed_list:\t0')"
}

@test "cpuset: --cpuset-cpus LAST puts the container on the last CPU, not the first" {
	last=$(($(nproc --all) - 1))
	[ "$last" -gt 0 ] || skip "one CPU only"
	run ctr --cpuset-cpus "$last" -- grep Cpus_allowed_list /proc/self/status
	assert_success
	assert_output "$(printf 'Cpus_allowed_list:\t%s' "$last")"
}

@test "cpuset: --cpuset-mems 0 alone sets the nodes; the CPUs come from the parent" {
	ctr_bg --cpuset-mems 0 -- sh -c "grep Mems_allowed_list /proc/self/status >$WORK/x/mems; $(handshake)"
	wait_for "$WORK/x/ready"
	dir=$(ctr_cg_dir cpuset)
	assert_equal "$(cat "$dir/cpuset.mems")" 0
	if ! cgroup_v2; then
		assert_equal "$(cat "$dir/cpuset.cpus")" "$(cat "$(dirname "$dir")/cpuset.cpus")"
	fi
	go
	ctr_wait
	assert_success
	assert_equal "$(cat "$WORK/x/mems")" "$(printf 'Mems_allowed_list:\t0')"
}

@test "cpuset: bad lists, and CPUs or nodes the host lacks, exit 125 and create no cgroup" {
	for args in "--cpuset-cpus 9-3" "--cpuset-cpus 1023" "--cpuset-cpus 0-1023" \
		"--cpuset-cpus 1024" "--cpuset-cpus x" "--cpuset-cpus 0," "--cpuset-cpus -1" \
		"--cpuset-cpus 0--1" "--cpuset-mems 1023" "--cpuset-mems 1-0"; do
		# shellcheck disable=SC2086
		run ctr $args -- touch "$WORK/x/ran"
		assert_equal "$status" 125
		assert_equal "${#lines[@]}" 2 # the error and the pointer to --help
	done
	run ctr --cpuset-cpus "" -- touch "$WORK/x/ran"
	assert_equal "$status" 125
	[ ! -e "$WORK/x/ran" ]
	assert_equal "$(find /sys/fs/cgroup -maxdepth 3 -path '*stepbox*')" ""
}

# --- io (v2) / blkio (v1) ---------------------------------------------

@test "io: direct I/O to a disk under --device-write-bps and --device-read-iops takes the time the limits imply; the counters show the bytes" {
	loop_setup
	ctr_bg --userns off --device "$LOOP:rw" --device-write-bps "$LOOP:1M" \
		--device-read-iops "$LOOP:20" -- sh -c "$PROBE dio-write $LOOP 3 1024 >$WORK/x/w; \
		$PROBE dio-read $LOOP 40 4 >$WORK/x/r; $(handshake)"
	wait_for "$WORK/x/ready" 30
	if cgroup_v2; then
		dir=$(ctr_cg_dir io)
		assert_equal "$(cat "$dir/io.max")" "$LOOP_DEV rbps=max wbps=1048576 riops=20 wiops=max"
		stat=$(grep "^$LOOP_DEV " "$dir/io.stat")
		wbytes=$(sed -n 's/.*wbytes=\([0-9]*\).*/\1/p' <<<"$stat")
		rios=$(sed -n 's/.*rios=\([0-9]*\).*/\1/p' <<<"$stat")
	else
		dir=$(ctr_cg_dir blkio)
		assert_equal "$(cat "$dir/blkio.throttle.write_bps_device")" "$LOOP_DEV 1048576"
		assert_equal "$(cat "$dir/blkio.throttle.read_iops_device")" "$LOOP_DEV 20"
		wbytes=$(awk -v d="$LOOP_DEV" '$1 == d && $2 == "Write" { print $3 }' \
			"$dir/blkio.throttle.io_service_bytes")
		rios=$(awk -v d="$LOOP_DEV" '$1 == d && $2 == "Read" { print $3 }' \
			"$dir/blkio.throttle.io_serviced")
	fi
	go
	ctr_wait
	assert_success
	echo "write: $(cat "$WORK/x/w") read: $(cat "$WORK/x/r") wbytes=$wbytes rios=$rios"
	# 3 MiB at 1 MiB/s is 3 s; 40 reads at 20 a second, 2 s. The first
	# slice of a throttled group may pass at once: allow for it.
	[ "$(ms_of "$(cat "$WORK/x/w")")" -ge 2000 ]
	[ "$(ms_of "$(cat "$WORK/x/r")")" -ge 1000 ]
	[ "$wbytes" -ge $((3 << 20)) ]
	[ "$rios" -ge 40 ]
}

@test "io: the same I/O without limits is fast (the limit, not the disk, made it slow)" {
	loop_setup
	run ctr --userns off --device "$LOOP:rw" -- "$PROBE" dio-write "$LOOP" 3 1024
	assert_success
	echo "$output"
	[ "$(ms_of "$output")" -lt 2000 ]
}

@test "io: --io-weight sets io.bfq.weight or io.weight (v2), blkio.weight or blkio.bfq.weight (v1)" {
	if ! io_weight_available; then
		# no scheduler here takes a weight (a virtio disk without BFQ)
		run ctr --io-weight 300 -- true
		assert_equal "$status" 125
		assert_output --partial "no io scheduler here takes a weight"
		assert_equal "$(find /sys/fs/cgroup -maxdepth 3 -path '*stepbox*')" ""
		return
	fi
	ctr_bg --io-weight 300 -- sh -c "$(handshake)"
	wait_for "$WORK/x/ready"
	if cgroup_v2; then
		dir=$(ctr_cg_dir io)
		file=$dir/io.bfq.weight
		[ -e "$file" ] || file=$dir/io.weight
	else
		dir=$(ctr_cg_dir blkio)
		file=$dir/blkio.weight
		[ -e "$file" ] || file=$dir/blkio.bfq.weight
	fi
	run cat "$file"
	assert_line --regexp '^(default )?300$'
	go
	ctr_wait
	assert_success
}

@test "io: bad io options exit 125 and create no cgroup" {
	loop_setup
	for args in "--io-weight 0" "--io-weight 1001" "--io-weight x" \
		"--device-write-bps /dev/null:1M" "--device-write-bps $LOOP" \
		"--device-write-bps :1M" "--device-write-bps $LOOP:0" "--device-write-bps $LOOP:1Q" \
		"--device-read-bps /nonexistent:1M" "--device-read-iops $LOOP:1M" \
		"--device-write-iops $LOOP:-1" "--device-read-bps dev/loop0:1M"; do
		# shellcheck disable=SC2086
		run ctr $args -- touch "$WORK/x/ran"
		assert_equal "$status" 125
		assert_equal "${#lines[@]}" 2
	done
	run ctr --device-write-bps /dev/null:1M true
	assert_output --partial "not a block device"
	[ ! -e "$WORK/x/ran" ]
	assert_equal "$(find /sys/fs/cgroup -maxdepth 3 -path '*stepbox*')" ""
}

# --- devices ----------------------------------------------------------

@test "devices: mknod of the host's disk works inside, opening it is EPERM; /dev/null still works" {
	loop_setup
	# --userns off: root inside is root, CAP_MKNOD is real and file
	# permissions let it open anything; only the device cgroup stands.
	ctr_bg --userns off -- sh -c "mknod $WORK/x/disk b ${LOOP_DEV%:*} ${LOOP_DEV#*:} \
		&& echo mknod-ok; $PROBE open $WORK/x/disk; $PROBE open $LOOP; \
		echo hi >/dev/null && echo null-ok; head -c 4 /dev/zero | wc -c; $(handshake)"
	wait_for "$WORK/x/ready"
	if cgroup_v2; then
		assert_equal "$("$PROBE" devprogs "$(ctr_cg_dir devices)")" 1
	else
		dir=$(ctr_cg_dir devices)
		assert_equal "$(sort "$dir/devices.list")" "$(printf '%s\n' 'b *:* m' 'c *:* m' \
			'c 1:3 rwm' 'c 1:5 rwm' 'c 1:7 rwm' 'c 1:8 rwm' 'c 1:9 rwm' 'c 136:* rwm' \
			'c 5:0 rwm' 'c 5:1 rwm' 'c 5:2 rwm' | sort)"
	fi
	go
	ctr_wait
	assert_success
	assert_line mknod-ok
	assert_line "stepbox-probe: open: Operation not permitted"
	refute_line opened
	assert_line null-ok
	assert_line 4
	# the host itself can still open it
	run "$PROBE" open "$LOOP"
	assert_output opened
}

@test "devices: --device PATH:r allows reading that device and nothing more" {
	loop_setup
	run ctr --userns off --device "$LOOP:r" -- sh -c "$PROBE open $LOOP; \
		echo x >$LOOP || echo write-refused; $PROBE dio-read $LOOP 1 4"
	assert_success
	assert_line opened
	assert_line write-refused
	assert_output --partial "Operation not permitted"
	assert_line --regexp '^1 ops'
	run ctr --userns off --device "$LOOP" -- sh -c "$PROBE dio-write $LOOP 1 4"
	assert_success
}

@test "devices: bad --device exits 125 and creates no cgroup" {
	for args in "--device /nonexistent" "--device /etc/passwd" "--device dev/null" \
		"--device /dev/null:rx" "--device /dev/null:rr" "--device /dev/null:"; do
		# shellcheck disable=SC2086
		run ctr $args -- touch "$WORK/x/ran"
		assert_equal "$status" 125
		assert_equal "${#lines[@]}" 2
	done
	[ ! -e "$WORK/x/ran" ]
	assert_equal "$(find /sys/fs/cgroup -maxdepth 3 -path '*stepbox*')" ""
}

# --- net_cls (v1) -------------------------------------------------------

@test "net_cls: --net-classid 0x100001 is the container's net_cls.classid (1048577) seen from the host; v2 refuses it" {
	if cgroup_v2; then
		run ctr --net-classid 0x100001 -- touch "$WORK/x/ran"
		assert_equal "$status" 125
		assert_equal "${#lines[@]}" 1
		assert_output --partial "cgroup v2 has no net_cls controller"
		assert_output --partial "socket cgroupv2"
		[ ! -e "$WORK/x/ran" ]
		refused_early --net-classid 0x100001 --pids 20
		return
	fi
	if [ "$(stat -f -c %T /sys/fs/cgroup/net_cls 2>/dev/null)" != cgroupfs ]; then
		# the host has no net_cls hierarchy: refused before anything is made
		run ctr --net-classid 0x100001 --pids 20 -- touch "$WORK/x/ran"
		assert_equal "$status" 125
		assert_line --index 0 --partial "cgroup v1 controller net_cls is not mounted at /sys/fs/cgroup/net_cls"
		refused_early --net-classid 0x100001 --pids 20
		# The host's cgroup mounts are not a test's to change (a v1
		# hierarchy mounted once lives on in the kernel, listed in every
		# /proc/PID/cgroup): the limit itself is checked where the tree is
		# mounted, as in make test-vm's v1 layout on a v2 host.
		return
	fi
	ctr_bg --net-classid 0x100001 -- sh -c "$(handshake)"
	wait_for "$WORK/x/ready"
	dir=$(ctr_cg_dir net_cls)
	[ -n "$dir" ] && [ "$dir" != /sys/fs/cgroup/net_cls/ ]
	assert_equal "$(cat "$dir/net_cls.classid")" 1048577
	grep -qx "$(ctr_pid1)" "$dir/cgroup.procs"
	id=$(ctr_id)
	go
	ctr_wait
	assert_success
	[ ! -e "$dir" ]
	gone "$id"
}

# --- hugetlb ------------------------------------------------------------

@test "hugetlb: --hugetlb 2M:4M is hugetlb.2MB.limit_in_bytes (v1) or hugetlb.2MB.max (v2) seen from the host" {
	[ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "no 2M huge pages on this machine"
	if cgroup_v2; then
		if ! grep -qw hugetlb /sys/fs/cgroup/cgroup.controllers; then
			run ctr --hugetlb 2M:4M -- touch "$WORK/x/ran"
			assert_equal "$status" 125
			assert_output --partial "controller hugetlb is not available"
			refused_early --hugetlb 2M:4M
			return
		fi
		knob=max
	else
		if [ "$(stat -f -c %T /sys/fs/cgroup/hugetlb 2>/dev/null)" != cgroupfs ]; then
			run ctr --hugetlb 2M:4M --pids 20 -- touch "$WORK/x/ran"
			assert_equal "$status" 125
			assert_line --index 0 --partial "cgroup v1 controller hugetlb is not mounted at /sys/fs/cgroup/hugetlb"
			refused_early --hugetlb 2M:4M --pids 20
			# not the test's to mount on the host (see net_cls above); on
			# v2, and in the VM's v1 layout, the limit is checked
			return
		fi
		knob=limit_in_bytes
	fi
	ctr_bg --hugetlb 2M:4M -- sh -c "$(handshake)"
	wait_for "$WORK/x/ready"
	dir=$(ctr_cg_dir hugetlb)
	assert_equal "$(cat "$dir/hugetlb.2MB.$knob")" 4194304
	# the reservation limit too, where the kernel has one (5.7+), as runc
	[ ! -e "$dir/hugetlb.2MB.rsvd.$knob" ] ||
		assert_equal "$(cat "$dir/hugetlb.2MB.rsvd.$knob")" 4194304
	# the other page sizes stay unlimited
	for other in "$dir"/hugetlb.*."$knob"; do
		case $other in */hugetlb.2MB.*) continue ;; esac
		run cat "$other"
		assert_output --regexp '^(max|9223372036854[0-9]*)$'
	done
	id=$(ctr_id)
	go
	ctr_wait
	assert_success
	[ ! -e "$dir" ]
	gone "$id"
}

@test "net_cls, hugetlb: bad values exit 125 with one line and leave nothing behind" {
	for args in "--net-classid garbage" "--net-classid 0x1ffffffff" "--net-classid 0" \
		"--net-classid 0x" "--net-classid -1" "--net-classid 0x10g" "--hugetlb 2M" \
		"--hugetlb x:4M" "--hugetlb 3M:6M" "--hugetlb 2M:3M" "--hugetlb 2M:-1" "--hugetlb :4M"; do
		# shellcheck disable=SC2086
		run ctr $args -- touch "$WORK/x/ran"
		assert_equal "$status" 125
		assert_equal "${#lines[@]}" 2 # the error and the pointer to --help
		# shellcheck disable=SC2086
		refused_early $args
	done
	# a page size this kernel does not have: refused before any cgroup
	if [ ! -e /sys/kernel/mm/hugepages/hugepages-4096kB ]; then
		run ctr --hugetlb 4M:8M -- touch "$WORK/x/ran"
		assert_equal "$status" 125
		assert_equal "${#lines[@]}" 1
		assert_output --partial "this kernel has no 4MB huge pages: /sys/kernel/mm/hugepages/hugepages-4096kB"
		refused_early --hugetlb 4M:8M --pids 20
	fi
}

# --- all of them -------------------------------------------------------

@test "without these options: no cpuset or io cgroup, but the default device list" {
	ctr_bg --pids 50 -- sh -c "$(handshake)"
	wait_for "$WORK/x/ready"
	pid=$(ctr_pid1)
	if cgroup_v2; then
		dir=$(ctr_cg_dir pids)
		run cat "$(dirname "$dir")/cgroup.subtree_control"
		refute_output --regexp '(^| )(cpuset|io)( |$)'
		assert_equal "$("$PROBE" devprogs "$dir")" 1
	else
		grep -Eq '^[0-9]+:cpuset:/$' "/proc/$pid/cgroup"
		grep -Eq '^[0-9]+:blkio:/$' "/proc/$pid/cgroup"
		grep -Eq '^[0-9]+:devices:/.+' "/proc/$pid/cgroup"
		refute [ "$(cat "$(ctr_cg_dir devices)/devices.list")" = "a *:* rwm" ]
	fi
	go
	ctr_wait
	assert_success
}

@test "nothing is left under /sys/fs/cgroup after a run with every option" {
	loop_setup
	weight=()
	io_weight_available && weight=(--io-weight 100)
	run ctr --userns off --cpuset-cpus 0 --cpuset-mems 0 "${weight[@]}" \
		--device-read-bps "$LOOP:10M" --device-write-bps "$LOOP:10M" \
		--device-read-iops "$LOOP:1000" --device-write-iops "$LOOP:1000" \
		--device "$LOOP:rw" -- true
	assert_success
	assert_equal "$(find /sys/fs/cgroup -maxdepth 3 -path '*stepbox*')" ""
}

@test "rootless: cpuset, io, device, net_cls and hugetlb options are refused with a reason" {
	cp "$STEP_BIN" "$WORK/run"
	for args in "--cpuset-cpus 0" "--cpuset-mems 0" "--io-weight 100" "--device /dev/null" \
		"--net-classid 0x100001" "--hugetlb 2M:4M"; do
		# shellcheck disable=SC2086
		run setpriv --reuid 65534 --regid 65534 --clear-groups "$WORK/run" $args true
		assert_equal "$status" 125
		assert_output --partial "need root"
	done
}
