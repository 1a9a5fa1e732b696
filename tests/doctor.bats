#!/usr/bin/env bats
# scripts/doctor.sh (make doctor) on made-up hosts: each test builds the
# /proc, /sys and /etc that doctor reads in a directory and points
# STEPBOX_DOCTOR_ROOT at it. The host starts as a good pure-v2 machine
# (host_v2); a test then changes what it is about. Run: make test-doctor.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

DOCTOR="$BATS_TEST_DIRNAME/../scripts/doctor.sh"
FAKE_ROOTFS=/srv/stepbox/build/rootfs

setup() {
	FIX=$(mktemp -d)
	AS_UID=0
	host_v2
}

teardown() {
	rm -rf "$FIX"
}

# put PATH TEXT...: FIX/PATH holds TEXT, one argument a line.
put() {
	local path=$FIX/$1
	shift
	mkdir -p "$(dirname "$path")"
	printf '%s\n' "$@" >"$path"
}

# mountinfo LINE...: "MOUNTPOINT FSTYPE SUPER_OPTIONS [MOUNT_OPTIONS]"
# each, written as /proc/self/mountinfo has them.
mountinfo() {
	local id=20 mp type sopts mopts
	: >"$FIX/proc/self/mountinfo"
	for line in "$@"; do
		read -r mp type sopts mopts <<<"$line"
		echo "$id 1 0:$id / $mp ${mopts:-rw,relatime} shared:$id - $type $type $sopts" >>"$FIX/proc/self/mountinfo"
		id=$((id + 1))
	done
}

# A Debian 12 machine, cgroup v2 with every controller, user namespaces
# on, overlayfs, a static busybox, sudo and a built rootfs.
host_v2() {
	put etc/os-release 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"' ID=debian
	put proc/sys/kernel/osrelease 6.1.0-18-amd64
	put proc/self/status "Name:	bash" "CapEff:	000001ffffffffff" "Seccomp:	0"
	put proc/self/uid_map "         0          0 4294967295"
	for ns in uts ipc pid mnt net user cgroup time; do put "proc/self/ns/$ns" ""; done
	put proc/self/cgroup "0::/user.slice/user-1000.slice/session-2.scope"
	put proc/1/cgroup "0::/init.scope"
	put proc/1/environ ""
	put proc/sys/user/max_user_namespaces 63459
	put proc/filesystems "nodev	sysfs" "nodev	cgroup2" "nodev	overlay" "	ext4"
	mkdir -p "$FIX/proc/self"
	mountinfo "/ ext4 rw,errors=remount-ro" "/proc proc rw" "/sys sysfs rw" \
		"/sys/fs/cgroup cgroup2 rw,nsdelegate,memory_recursiveprot rw,nosuid,nodev,noexec,relatime"
	put sys/fs/cgroup/cgroup.controllers "cpuset cpu io memory hugetlb pids rdma misc"
	put sys/fs/cgroup/cgroup.subtree_control "cpuset cpu io memory pids"
	put sys/fs/cgroup/cgroup.procs 1 2 3
	put usr/bin/busybox "ELF, statically linked"
	put usr/bin/sudo "sudo"
	chmod +x "$FIX/usr/bin/busybox" "$FIX/usr/bin/sudo"
	put "$FAKE_ROOTFS/bin/busybox" "ELF, statically linked"
	chmod +x "$FIX/$FAKE_ROOTFS/bin/busybox"
}

# The v1 hierarchies, each at /sys/fs/cgroup/NAME (cpu and cpuacct
# together, as systemd mounts them).
v1_mounts() {
	local lines=("/ ext4 rw" "/sys sysfs rw" "/sys/fs/cgroup tmpfs rw,mode=755 ro,nosuid,nodev,noexec")
	for c in "$@"; do
		case $c in
		cpu | cpuacct) ;;
		*) lines+=("/sys/fs/cgroup/$c cgroup rw,$c") ;;
		esac
		mkdir -p "$FIX/sys/fs/cgroup/$c"
	done
	lines+=("/sys/fs/cgroup/cpu,cpuacct cgroup rw,cpu,cpuacct")
	mountinfo "${lines[@]}" ${UNIFIED:+"/sys/fs/cgroup/unified cgroup2 rw,nsdelegate"}
	rm -f "$FIX"/sys/fs/cgroup/cgroup.*
}

doctor() {
	STEPBOX_DOCTOR_ROOT=$FIX STEPBOX_DOCTOR_UID=$AS_UID ROOTFS=$FAKE_ROOTFS "$DOCTOR" "$@"
}

# No line but the well-formed ones.
assert_well_formed() {
	local line
	for line in "${lines[@]}"; do
		[[ $line =~ ^(ok|warn|fail)\ +\[[0-9]{2}(-[0-9]{2})?(,[0-9]{2}(-[0-9]{2})?)*\]\ +[^\ ] ]] ||
			[[ $line =~ ^doctor:\  ]] || fail "not a finding: $line"
	done
}

@test "doctor: a pure v2 host with every controller: all ok, exit 0" {
	run doctor
	assert_success
	assert_well_formed
	refute_line --regexp '^(warn|fail)'
	assert_line --regexp '^ok +\[07\] +cgroup v2 .*available: cpuset cpu io memory hugetlb pids rdma misc; delegated to children: cpuset cpu io memory pids'
	assert_line --regexp '^ok +\[07\] +kernel 6.1 >= 5.7: clone3 CLONE_INTO_CGROUP'
	assert_line --regexp '^ok +\[07\] +kernel 6.1 >= 5.14: cgroup.kill'
	assert_line --regexp '^ok +\[06-10\] +user namespaces allowed'
	assert_line --regexp '^ok +\[01-10\] +uid 0 with CAP_SYS_ADMIN'
	assert_equal "${lines[-1]}" "doctor: 11 ok, 0 warn, 0 fail: every step can run here"
}

@test "doctor: v2 without the memory controller: step07's --memory fails" {
	put sys/fs/cgroup/cgroup.controllers "cpuset cpu io pids"
	run doctor
	assert_failure 1
	assert_line --regexp '^fail +\[07\] +cgroup v2, but this tree lacks memory .*--memory fail'
	assert_line --partial "not everything works here in steps 07"
}

@test "doctor: a hybrid host: v1 controllers, an empty cgroup2 at unified" {
	UNIFIED=yes v1_mounts memory cpu cpuacct pids freezer cpuset blkio devices
	run doctor
	assert_success
	assert_well_formed
	assert_line --regexp '^ok +\[07\] +cgroup hybrid \(v1 controllers; the cgroup2 at /sys/fs/cgroup/unified holds none, step07 uses v1\); controllers mounted: memory cpu cpuacct pids freezer cpuset blkio devices$'
	assert_line --regexp '^ok +\[07\] +cgroup hybrid: step07 starts the child with clone and moves it in'
	refute_line --partial "CLONE_INTO_CGROUP starts"
}

@test "doctor: a v1 host; without the devices hierarchy step07 cannot run" {
	v1_mounts memory cpu cpuacct pids freezer cpuset blkio devices
	run doctor
	assert_success
	assert_line --regexp '^ok +\[07\] +cgroup v1; controllers mounted: memory cpu cpuacct pids freezer cpuset blkio devices$'

	v1_mounts memory cpu cpuacct pids cpuset blkio devices
	run doctor
	assert_success
	assert_line --regexp '^warn +\[07\] +cgroup v1; no freezer hierarchy'

	v1_mounts memory cpu cpuacct pids freezer cpuset blkio
	run doctor
	assert_failure 1
	assert_line --regexp '^fail +\[07\] +cgroup v1; not mounted: devices: the device allow list \(every run\) fail  fix: sudo mkdir /sys/fs/cgroup/devices && sudo mount -t cgroup -o devices'

	# The tmpfs that holds them is read-only on systemd hosts: fine. A
	# read-only hierarchy is not.
	v1_mounts memory cpu cpuacct pids freezer cpuset blkio devices
	sed -i 's#/sys/fs/cgroup/memory rw,relatime#/sys/fs/cgroup/memory ro,relatime#' "$FIX/proc/self/mountinfo"
	run doctor
	assert_failure 1
	assert_line --regexp '^fail +\[07\] +/sys/fs/cgroup/memory mounted read-only'
}

@test "doctor: user.max_user_namespaces 0 stops steps 06-10, even as root" {
	put proc/sys/user/max_user_namespaces 0
	run doctor
	assert_failure 1
	assert_line --regexp '^fail +\[06-10\] +user.max_user_namespaces is 0: .*  fix: sudo sysctl -w user.max_user_namespaces=15000$'
	assert_equal "${lines[-1]}" "doctor: 10 ok, 0 warn, 1 fail: not everything works here in steps 06 07 08 09 10"
}

@test "doctor: kernel.unprivileged_userns_clone 0 (Debian) stops rootless runs" {
	put proc/sys/kernel/unprivileged_userns_clone 0
	run doctor
	assert_failure 1
	assert_line --regexp '^fail +\[06-10\] +kernel.unprivileged_userns_clone is 0 .*  fix: sudo sysctl -w kernel.unprivileged_userns_clone=1$'
	put proc/sys/kernel/unprivileged_userns_clone 1
	run doctor
	assert_success
}

@test "doctor: Ubuntu's apparmor_restrict_unprivileged_userns 1 stops rootless runs" {
	put etc/os-release ID=ubuntu ID_LIKE=debian
	put proc/sys/kernel/apparmor_restrict_unprivileged_userns 1
	run doctor
	assert_failure 1
	assert_line --regexp '^fail +\[06-10\] +kernel.apparmor_restrict_unprivileged_userns is 1 .*  fix: sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0$'
}

@test "doctor: in an unprivileged docker container: no CAP_SYS_ADMIN, seccomp, AppArmor, read-only cgroups" {
	put .dockerenv ""
	put proc/self/status "CapEff:	00000000a80425fb" "Seccomp:	2"
	put proc/self/attr/current "docker-default (enforce)"
	put proc/1/cgroup "0::/"
	put proc/self/cgroup "0::/"
	put sys/fs/cgroup/cgroup.type domain
	put sys/fs/cgroup/cgroup.subtree_control ""
	mountinfo "/ overlay rw,lowerdir=/l,upperdir=/u,workdir=/w" "/proc proc rw" "/sys sysfs ro ro" \
		"/sys/fs/cgroup cgroup2 rw ro,nosuid,nodev,noexec,relatime"
	run doctor
	assert_failure 1
	assert_well_formed
	assert_line --regexp '^fail +\[01-10\] +uid 0 without CAP_SYS_ADMIN \(CapEff 00000000a80425fb\).*  fix: docker run --privileged'
	assert_line --regexp '^warn +\[01-10\] +inside a container: /.dockerenv \(docker\); a cgroup namespace .*/ is overlayfs'
	assert_line --regexp '^warn +\[01-10\] +a seccomp filter is on \(Seccomp: 2\)'
	assert_line --regexp '^fail +\[03-10\] +AppArmor profile docker-default \(enforce\)'
	assert_line --regexp '^fail +\[07\] +/sys/fs/cgroup mounted read-only'
	assert_line --regexp '^fail +\[07\] +/sys/fs/cgroup is not the host.s root cgroup and holds 3 processes: .*EBUSY'
	assert_line --partial "not everything works here in steps 01 02 03 04 05 06 07 08 09 10"
}

@test "doctor: in a privileged container with a cgroup namespace: only step07's EBUSY" {
	put .dockerenv ""
	put proc/self/cgroup "0::/"
	put sys/fs/cgroup/cgroup.type domain
	put sys/fs/cgroup/cgroup.subtree_control ""
	run doctor
	assert_failure 1
	assert_line --regexp '^warn +\[01-10\] +inside a container: /.dockerenv \(docker\); a cgroup namespace'
	assert_line --regexp "^fail +\[07\] +/sys/fs/cgroup is not the host.s root cgroup .*  fix: sudo sh -c 'mkdir /sys/fs/cgroup/init"
	assert_equal "${lines[-1]}" "doctor: 11 ok, 1 warn, 1 fail: not everything works here in steps 07"
	# Once the processes have moved to a child, its root may delegate.
	put sys/fs/cgroup/cgroup.procs ""
	run doctor
	assert_success
}

@test "doctor: a container told by container= (podman, nspawn) or /proc/1/cgroup" {
	printf 'PATH=/bin\0container=podman\0' >"$FIX/proc/1/environ"
	run doctor
	assert_success
	assert_line --regexp '^warn +\[01-10\] +inside a container: container=podman in /proc/1/environ'
	put proc/1/environ ""
	put proc/1/cgroup "12:pids:/docker/0123abcd" "0::/docker/0123abcd"
	run doctor
	assert_line --regexp '^warn +\[01-10\] +inside a container: /proc/1/cgroup: 12:pids:/docker/0123abcd'
}

@test "doctor: WSL 2 warns; a checkout on a Windows drive stops 08-10; WSL 1 stops everything" {
	put proc/sys/kernel/osrelease 5.15.153.1-microsoft-standard-WSL2
	run doctor
	assert_success
	assert_line --regexp '^warn +\[01-10\] +WSL 2 \(kernel 5.15.153.1-microsoft-standard-WSL2\)'

	mountinfo "/ ext4 rw" "/mnt/c 9p rw,aname=drvfs" "/sys/fs/cgroup cgroup2 rw"
	FAKE_ROOTFS=/mnt/c/Users/me/stepbox/build/rootfs run doctor
	assert_failure 1
	assert_line --regexp '^fail +\[08-10\] +the rootfs /mnt/c/Users/me/stepbox/build/rootfs is on 9p'

	put proc/sys/kernel/osrelease 4.4.0-19041-Microsoft
	run doctor
	assert_failure 1
	assert_line --regexp '^fail +\[01-10\] +WSL 1 .*  fix: wsl --set-version <distribution> 2'
}

@test "doctor: kernel 5.4: --volume breaks and 08-10 cannot run; nothing more is said of 08-10" {
	put proc/sys/kernel/osrelease 5.4.0-150-generic
	run doctor
	assert_failure 1
	assert_well_formed
	assert_line --regexp '^warn +\[01-10\] +kernel 5.4 < 5.9: no close_range'
	assert_line --regexp '^fail +\[04-10\] +kernel 5.4 < 5.12: no mount_setattr, so --volume fails'
	assert_line --regexp '^warn +\[07\] +kernel 5.4 < 5.7: no clone3 CLONE_INTO_CGROUP'
	assert_line --regexp '^warn +\[07\] +kernel 5.4 < 5.14: no cgroup.kill'
	assert_line --regexp '^fail +\[04-10\] +kernel 5.4 < 5.12: .* and 08-10 cannot run at all'
	# what 08-10 would do without openat2, pidfd_open or userxattr is moot:
	# they cannot run here
	refute_line --regexp 'openat2|pidfd_open|userxattr|inside a user namespace'
	assert_equal "${lines[-1]}" "doctor: 7 ok, 3 warn, 1 fail: not everything works here in steps 04 05 06 07 08 09 10"

	# 4.19: no open_tree either.
	put proc/sys/kernel/osrelease 4.19.0-26-amd64
	run doctor
	assert_line --regexp '^fail +\[04-10\] +kernel 4.19 < 5.2: no open_tree'
	refute_line --regexp 'pidfd_open'
}

@test "doctor: each feature from its first kernel on: 5.12 has mount_setattr, 5.14 cgroup.kill" {
	put proc/sys/kernel/osrelease 5.11.0-1-amd64
	run doctor
	assert_line --regexp '^fail +\[04-10\] +kernel 5.11 < 5.12: no mount_setattr'
	put proc/sys/kernel/osrelease 5.12.0-1-amd64
	run doctor
	assert_line --regexp '^ok +\[04-10\] +kernel 5.12 >= 5.12: open_tree, move_mount'
	assert_line --regexp '^warn +\[07\] +kernel 5.12 < 5.14: no cgroup.kill'
	put proc/sys/kernel/osrelease 5.14.21-150400.24.11-default
	run doctor
	assert_success
	refute_line --regexp '^(warn|fail)'
}

@test "doctor: root without CAP_SYS_ADMIN alone (every other capability) cannot run a step" {
	put proc/self/status "CapEff:	000001ffffdfffff" "Seccomp:	0"
	run doctor
	assert_failure 1
	assert_line --regexp '^fail +\[01-10\] +uid 0 without CAP_SYS_ADMIN \(CapEff 000001ffffdfffff\)'
	put proc/self/status "CapEff:	0000000000200000" "Seccomp:	0"
	run doctor
	assert_success
}

@test "doctor: no cgroup namespace or user namespace in the kernel" {
	rm "$FIX/proc/self/ns/user" "$FIX/proc/self/ns/cgroup"
	run doctor
	assert_failure 1
	assert_line --regexp '^fail +\[06-10\] +no user cgroup namespace in this kernel'
	refute_line --partial "user namespaces allowed"
}

@test "doctor: no overlayfs, unless as a module" {
	put proc/filesystems "nodev	sysfs" "	ext4"
	run doctor
	assert_failure 1
	assert_line --regexp '^fail +\[09-10\] +no overlayfs'
	put lib/modules/6.1.0-18-amd64/kernel/fs/overlayfs/overlay.ko.xz ""
	run doctor
	assert_success
	assert_line --regexp '^ok +\[09-10\] +overlayfs is a module'
}

@test "doctor: busybox missing or dynamic stops 08-10; a missing rootfs is built by make rootfs" {
	rm -r "${FIX:?}/$FAKE_ROOTFS"
	run doctor
	assert_success
	assert_line --regexp '^warn +\[08-10\] +no rootfs at /srv/stepbox/build/rootfs yet .*  fix: make rootfs$'

	put usr/bin/busybox "ELF, interpreter /lib64/ld-linux-x86-64.so.2"
	run doctor
	assert_failure 1
	assert_line --regexp '^fail +\[08-10\] +/usr/bin/busybox is dynamically linked.*  fix: sudo apt-get install busybox-static$'

	rm "$FIX/usr/bin/busybox"
	put etc/os-release ID=fedora
	run doctor
	assert_failure 1
	assert_line --regexp '^fail +\[08-10\] +no busybox: .*  fix: sudo dnf install busybox$'
	assert_equal "${lines[-1]}" "doctor: 9 ok, 1 warn, 1 fail: not everything works here in steps 08 09 10"

	# BUSYBOX names another, as for make rootfs.
	put opt/bb/busybox "ELF, statically linked"
	BUSYBOX=/opt/bb/busybox run doctor
	assert_line --regexp '^ok +\[08-10\] +a static busybox at /opt/bb/busybox$'
	BUSYBOX=/opt/none/busybox run doctor
	assert_line --regexp '^fail +\[08-10\] +no busybox at /opt/none/busybox: '
}

@test "doctor: not root: a warning that 01-05 need sudo, and how without it" {
	AS_UID=1000
	run doctor
	assert_success
	assert_line --regexp '^warn +\[01-07\] +uid 1000, not root: steps 01-05 need root.*  fix: sudo ./step03-pid/run'
	rm "$FIX/usr/bin/sudo"
	run doctor
	assert_line --regexp "fix: su -c './step03-pid/run' \(no sudo here; as root: sudo apt-get install sudo\)"
}

@test "doctor: root in a user namespace whose map lacks the default map-base" {
	put proc/self/uid_map "         0       1000          1" "         1     100000      65536"
	run doctor
	assert_failure 1
	assert_line --regexp '^fail +\[06-10\] +uid 0 in a user namespace whose uid_map .* lacks 100000-165535'
	# 131072 ids: 100000 is in, 165535 is not.
	put proc/self/uid_map "         0     100000     131072"
	run doctor
	assert_failure 1
	assert_line --regexp '^fail +\[06-10\] +uid 0 in a user namespace whose uid_map'
	put proc/self/uid_map "         0     100000    1000000"
	run doctor
	assert_success
	assert_line --regexp '^warn +\[06-10\] +uid 0 in a user namespace \(uid_map: 0 100000 1000000\)'
}

@test "doctor: it only reads: the fixture tree is as it was" {
	put proc/sys/kernel/osrelease 5.4.0-150-generic
	before=$(cd "$FIX" && find . -printf '%p %s %m %T@\n' | sort)
	run doctor
	after=$(cd "$FIX" && find . -printf '%p %s %m %T@\n' | sort)
	assert_equal "$after" "$before"
}

@test "doctor: -h says what it shows; anything else is a usage error" {
	run doctor -h
	assert_success
	assert_line --partial "before a workshop"
	assert_line --partial "STEPBOX_DOCTOR_ROOT"
	run doctor --bogus
	assert_failure 2
	assert_output --partial usage
}

@test "doctor: on this machine it runs, says ok/warn/fail, exits 0 or 1 to match" {
	run "$DOCTOR"
	assert_well_formed
	assert_line --regexp '^(ok|warn|fail) +\[07\] +(cgroup (v1|v2|hybrid)|no cgroup filesystem)'
	assert_line --regexp '^(ok|warn|fail) +\[01-10\] +kernel [0-9]+\.[0-9]+ '
	assert_line --regexp '^doctor: [0-9]+ ok, [0-9]+ warn, [0-9]+ fail: '
	if printf '%s\n' "${lines[@]}" | grep -q '^fail '; then
		assert_equal "$status" 1
	else
		assert_equal "$status" 0
	fi
}
