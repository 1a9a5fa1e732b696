#!/usr/bin/env bats
# step10 and later: hardening. The container's root keeps docker's
# default capabilities only, has no_new_privs, runs under a seccomp filter
# that refuses docker's list of system calls, sees /proc and /sys with
# the machine-wide files masked or read-only, and gets the --ulimit
# limits; nothing the runtime opened reaches it. Each claim is checked
# with a user namespace (the default) and, where it differs, without.

load helpers

# Docker's default set (moby daemon/pkg/oci/caps/defaults.go).
DOCKER_CAPS="CHOWN DAC_OVERRIDE FSETID FOWNER MKNOD NET_RAW SETGID SETUID SETFCAP SETPCAP NET_BIND_SERVICE SYS_CHROOT KILL AUDIT_WRITE"

# cap_number NAME: the capability's bit, from the kernel's own header
# (`#define CAP_CHOWN 0`), so that no mask below is a number by hand.
cap_number() {
	awk -v name="CAP_$1" '$1 == "#define" && $2 == name { print $3 }' /usr/include/linux/capability.h
}

# cap_mask NAME...: the set as /proc/PID/status prints it, 16 hex digits.
cap_mask() {
	local mask=0 name bit
	for name in "$@"; do
		bit=$(cap_number "$name")
		[ -n "$bit" ] || return 1
		mask=$((mask | 1 << bit))
	done
	printf '%016x\n' "$mask"
}

# all_caps_mask: every capability this kernel has (0..cap_last_cap).
all_caps_mask() {
	printf '%016x\n' $(((1 << ($(cat /proc/sys/kernel/cap_last_cap) + 1)) - 1))
}

# caps_lines MASK: the five Cap lines a process with bounding, permitted
# and effective MASK and no inheritable or ambient ones shows.
caps_lines() {
	printf 'CapInh:\t%016x\nCapPrm:\t%s\nCapEff:\t%s\nCapBnd:\t%s\nCapAmb:\t%016x\n' 0 "$1" "$1" "$1" 0
}

# The system calls the filter refuses, in the order `stepbox-probe denied` tries them.
DENIED="kexec_load kexec_file_load init_module finit_module delete_module bpf perf_event_open open_by_handle_at keyctl add_key request_key unshare setns mount umount2 pivot_root fsopen fsconfig fsmount fspick move_mount open_tree mount_setattr reboot swapon swapoff acct settimeofday clock_settime io_uring_setup io_uring_enter io_uring_register"
CLONE_FLAGS="CLONE_NEWNS CLONE_NEWUTS CLONE_NEWIPC CLONE_NEWUSER CLONE_NEWPID CLONE_NEWNET CLONE_NEWCGROUP"

# host_side_state: what a container must not change on the host.
host_side_state() {
	awk '{ $1 = $2 = ""; print }' /proc/self/mountinfo | sort
	hostname
	ls /run/stepbox 2>/dev/null
	find /sys/fs/cgroup -maxdepth 3 -name 'stepbox*' 2>/dev/null | sort
}

@test "harden: root inside keeps docker's 14 capabilities, in bounding, permitted and effective; none inheritable or ambient" {
	expected=$(caps_lines "$(cap_mask $DOCKER_CAPS)")
	for userns in on off; do
		run ctr --userns $userns -- grep ^Cap /proc/self/status
		assert_success
		assert_output "$expected"
	done
	# -v names them, and how many were dropped from the bounding set
	run ctr -v true
	assert_output --partial "capset(permitted=effective=CAP_CHOWN,CAP_DAC_OVERRIDE,CAP_FOWNER,CAP_FSETID,CAP_KILL,CAP_SETGID,CAP_SETUID,CAP_SETPCAP,CAP_NET_BIND_SERVICE,CAP_NET_RAW,CAP_SYS_CHROOT,CAP_MKNOD,CAP_AUDIT_WRITE,CAP_SETFCAP, inheritable=none) = 0"
	assert_line --regexp '^\[child\] prctl\(PR_CAPBSET_DROP\) for [0-9]+ capabilities = 0$'
	# and it binds: without CAP_SYS_ADMIN no mount, no sethostname
	run ctr sh -c 'mount -t tmpfs t /mnt 2>&1; hostname other 2>&1; hostname'
	assert_line --index 0 --partial "permission denied"
	assert_line --index 1 --partial "Operation not permitted"
	assert_line --index 2 stepbox
}

@test "harden: --cap-add and --cap-drop change the set: any case, with or without CAP_, and ALL" {
	run ctr --cap-add net_admin --cap-drop CAP_CHOWN --cap-drop Mknod -- grep ^Cap /proc/self/status
	assert_success
	assert_output "$(caps_lines "$(cap_mask $(echo $DOCKER_CAPS NET_ADMIN | xargs -n1 | grep -vx -e CHOWN -e MKNOD))")"
	run ctr --cap-drop ALL -- grep ^Cap /proc/self/status
	assert_output "$(caps_lines 0000000000000000)"
	run ctr --cap-drop all --cap-add kill -- grep ^Cap /proc/self/status
	assert_output "$(caps_lines "$(cap_mask KILL)")"
	# ALL: every capability the kernel has (in a user namespace root
	# holds them all, over what the namespace owns); an add beats a drop
	run ctr --cap-add ALL -- grep ^Cap /proc/self/status
	assert_output "$(caps_lines "$(all_caps_mask)")"
	run ctr --cap-add ALL --cap-drop SYS_ADMIN -- grep ^CapBnd /proc/self/status
	assert_output "$(printf 'CapBnd:\t%016x' $((0x$(all_caps_mask) & ~(1 << $(cap_number SYS_ADMIN)))))"
	run ctr --cap-drop KILL --cap-add KILL -- grep ^CapEff /proc/self/status
	assert_output "CapEff:	$(cap_mask $DOCKER_CAPS)"
	# and they act: without CAP_CHOWN, chown fails; with CAP_SYS_ADMIN, mount works
	run ctr --cap-drop CHOWN -- sh -c 'touch /tmp/f; chown 1 /tmp/f 2>&1'
	assert_output --partial "Operation not permitted"
	run ctr --cap-add SYS_ADMIN -- sh -c 'mount -t tmpfs t /mnt && stat -f -c %T /mnt'
	assert_success
	assert_output tmpfs
}

@test "harden: an unknown capability is 125, one line and a pointer to --help, before anything is made" {
	before=$(host_side_state)
	for args in "--cap-add BOGUS" "--cap-drop CAP_NOPE" "--cap-add CAP_" "--cap-add ="; do
		run ctr -v $args -- touch "$WORK/x/ran"
		assert_equal "$status" 125
		assert_equal "${#lines[@]}" 2
		assert_line --index 0 --regexp "^$STEP: --cap-(add|drop): '.*' is not a capability \(a name from capabilities\(7\), with or without CAP_, in any case, e\.g\. NET_ADMIN; or ALL\)$"
		assert_line --index 1 "Try '$STEP/run --help' for more information."
	done
	run ctr --cap-add
	assert_equal "$status" 125
	assert_line --index 0 "$STEP: option '--cap-add' needs a value"
	[ ! -e "$WORK/x/ran" ]
	assert_equal "$(host_side_state)" "$before"
}

@test "harden: a capability the runtime itself lacks cannot be given (without a user namespace): 125" {
	# setpriv drops CAP_SYS_TIME from the runtime's bounding set, so
	# root runs it without: the container's root cannot have it either
	run setpriv --bounding-set -sys_time "$STEP_BIN" "${WORK_VOLUME[@]}" --userns off --cap-add SYS_TIME -- touch "$WORK/x/ran"
	assert_equal "$status" 125
	assert_output --partial "cannot give the container CAP_SYS_TIME: the runtime does not hold it itself"
	[ ! -e "$WORK/x/ran" ]
	# in a user namespace the capabilities are the namespace's: its root has them all
	run setpriv --bounding-set -sys_time "$STEP_BIN" "${WORK_VOLUME[@]}" --cap-add SYS_TIME -- grep ^CapEff /proc/self/status
	assert_success
	assert_output "CapEff:	$(cap_mask $DOCKER_CAPS SYS_TIME)"
}

@test "harden: a seccomp filter around the runtime that fails PR_CAPBSET_READ stops it: 125, nothing run, rather than a bounding set read as empty and dropped from nothing" {
	before=$(host_side_state)
	# the filter the probe installs answers prctl(PR_CAPBSET_READ) with
	# EINVAL; read bit by bit until EINVAL, the bounding set would end at
	# capability -1 and the container keep every one the runtime has
	for userns in off on; do
		run "$PROBE" capbset-einval "$STEP_BIN" "${WORK_VOLUME[@]}" --userns "$userns" -- touch "$WORK/x/ran"
		assert_equal "$status" 125
		assert_output --partial "prctl(PR_CAPBSET_READ, 0): Invalid argument, though the kernel knows capability 0 (a seccomp filter around this runtime answering EINVAL for prctl?)"
		[ ! -e "$WORK/x/ran" ]
	done
	assert_equal "$(host_side_state)" "$before"
}

@test "harden: no_new_privs is on and the seccomp filter loaded, in the command and in --init's PID 1" {
	for userns in on off; do
		run ctr --userns $userns --init -- sh -c 'grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status /proc/1/status'
		assert_success
		assert_output "$(printf '/proc/self/status:NoNewPrivs:\t1\n/proc/self/status:Seccomp:\t2\n/proc/1/status:NoNewPrivs:\t1\n/proc/1/status:Seccomp:\t2')"
	done
	# from the host: the container's first process, while it runs
	ctr_bg sh -c "$(handshake)"
	wait_for "$WORK/x/ready"
	seen=$(grep -E '^(NoNewPrivs|Seccomp):' /proc/"$(ctr_pid1)"/status)
	go
	ctr_wait
	assert_success
	assert_equal "$seen" "$(printf 'NoNewPrivs:\t1\nSeccomp:\t2')"
}

@test "harden: each system call docker denies fails with EPERM inside (clone3: ENOSYS); the probe's calls are harmless outside" {
	expected=$(for c in $DENIED; do echo "$c: EPERM"; done
		echo "clone3: ENOSYS"
		for f in $CLONE_FLAGS; do echo "clone($f): EPERM"; done)
	for userns in on off; do
		run ctr --userns $userns -- "$PROBE" denied
		assert_success
		assert_output "$expected"
	done
	# On the host, with no filter, the same calls fail for their own
	# reasons or do nothing: unshare(0) succeeds, setns(-1) is EBADF.
	run "$PROBE" denied
	assert_success
	assert_line "unshare: success"
	assert_line "setns: EBADF"
	assert_line "request_key: ENOKEY"
	assert_line "clone3: EINVAL"
	# -v: the filter is loaded last, right before the command
	run ctr -v true
	assert_success
	assert_line --regexp '^\[child\] seccomp_load\(default allow; EPERM: kexec_load,.*,clock_settime,io_uring_setup,io_uring_enter,io_uring_register; clone\(CLONE_NEW\*\): EPERM, clone3: ENOSYS; other architectures: kill\) = 0$'
	# (the child's lines only: the parent writes the container's record
	# when close_range closes the child's end of the exec pipe)
	child=$(grep '^\[child\]' <<<"$output")
	seccomp_line=$(grep -n '\] seccomp_load(' <<<"$child" | cut -d: -f1)
	exec_line=$(grep -n '\] execve("true" found in \$PATH)' <<<"$child" | cut -d: -f1)
	assert_equal "$((exec_line - seccomp_line))" 2 # only close_range between them
}

@test "harden: --cap-add SYS_ADMIN lifts the filter's mount and namespace rules, as docker's profile; pivot_root, kexec, keyctl stay refused" {
	run ctr --cap-add SYS_ADMIN -- "$PROBE" denied
	assert_success
	assert_line "unshare: success"
	assert_line "setns: EBADF"
	assert_line "mount: ENOENT"
	assert_line "clone3: EINVAL"
	assert_line "clone(CLONE_NEWUSER): success"
	assert_line "pivot_root: EPERM"
	assert_line "kexec_load: EPERM"
	assert_line "keyctl: EPERM"
	assert_line "swapon: EPERM"
	# CAP_SYS_TIME lifts the clock's: settimeofday(NULL, NULL) sets nothing,
	# and in a user namespace the kernel still says no (the host's clock)
	run ctr --cap-add SYS_TIME -- "$PROBE" denied
	assert_line "settimeofday: EPERM"
	assert_line "clock_settime: EFAULT"
}

@test "harden: an i386 system call (int 0x80) from the container kills it: the filter's rules are for x86_64 only" {
	[ "$(uname -m)" = x86_64 ] || skip "an x86_64 test"
	run "$PROBE" int80
	[ "$status" -eq 0 ] || skip "this kernel has no 32-bit system call entry (IA32_EMULATION)"
	assert_output --regexp '^[0-9]+$'
	run ctr "$PROBE" int80
	assert_equal "$status" $((128 + 31)) # SIGSYS
	refute_output --regexp '^[0-9]+$'
}

@test "harden: /proc/sys and the other read-only paths refuse writes; the hostname stays, inside and on the host" {
	host=$(hostname)
	for userns in on off; do
		run ctr --userns $userns --hostname inside -- sh -c "$IN_ROOTFS"'echo changed > /proc/sys/kernel/hostname; hostname; grep -E " /proc/(sys|bus|fs|irq|sysrq-trigger) " /proc/self/mountinfo | cut -d" " -f5,6'
		assert_success
		assert_line --index 0 --partial "/proc/sys/kernel/hostname: Read-only file system"
		assert_line --index 1 inside
		for path in $READONLY; do
			if [ -e "$path" ]; then
				assert_line --regexp "^$path ro,nosuid,nodev,noexec"
			else
				refute_line --partial "$path "
			fi
		done
		assert_equal "$(hostname)" "$host"
	done
}

@test "harden: writing /proc/sysrq-trigger fails, and nothing reaches the host's" {
	[ -e /proc/sysrq-trigger ] || skip "this kernel has no /proc/sysrq-trigger (CONFIG_MAGIC_SYSRQ)"
	# 'h' only prints help to the kernel log, where we count it
	helps=$(dmesg | grep -c 'sysrq: HELP' || true)
	run ctr --userns off -- sh -c "$IN_ROOTFS"'echo h > /proc/sysrq-trigger'
	assert_failure
	assert_output --partial "Read-only file system"
	# in a user namespace the file's owner is nobody, too
	run ctr -- sh -c "$IN_ROOTFS"'echo h > /proc/sysrq-trigger'
	assert_failure
	assert_equal "$(dmesg | grep -c 'sysrq: HELP' || true)" "$helps"
}

@test "harden: masked paths read as nothing: /dev/null over files, an empty read-only tmpfs over directories" {
	before=$(host_side_state)
	for userns in on off; do
		run ctr --userns $userns -- sh -c "for p in $MASKED; do if [ -d \$p ]; then echo \$p dir \$(ls -A \$p | wc -l) \$(stat -f -c %T \$p); touch \$p/x 2>/dev/null && echo \$p writable; elif [ -e \$p ]; then echo \$p file \$(stat -c %t:%T \$p) \$(wc -c < \$p); else echo \$p none; fi; done; true"
		assert_success
		for path in $MASKED; do
			if [ -d "$path" ]; then
				assert_line "$path dir 0 tmpfs"
				refute_line "$path writable"
			elif [ -e "$path" ]; then
				assert_line "$path file 1:3 0"
			else
				assert_line "$path none"
			fi
		done
	done
	# the host's files are as they were
	[ ! -e /proc/kcore ] || [ "$(stat -c %s /proc/kcore)" -gt 0 ]
	[ ! -d /sys/firmware ] || [ "$(stat -f -c %T /sys/firmware)" = sysfs ]
	assert_equal "$(host_side_state)" "$before"
}

@test "harden: mknod of a block device fails in a user namespace and without CAP_MKNOD" {
	run ctr sh -c 'mknod /tmp/disk b 7 0 2>&1; echo "in /tmp: $(ls /tmp)"'
	assert_line --index 0 "mknod: /tmp/disk: Operation not permitted"
	assert_line --index 1 "in /tmp: "
	run ctr --userns off --cap-drop MKNOD -- sh -c 'mknod /tmp/disk b 7 0 2>&1; echo "in /tmp: $(ls /tmp)"'
	assert_line --index 0 "mknod: /tmp/disk: Operation not permitted"
	assert_line --index 1 "in /tmp: "
	# with CAP_MKNOD as real root it is made (docker keeps CAP_MKNOD);
	# the device cgroup then refuses to open it (07-cgroups-more)
	run ctr --userns off -- sh -c 'mknod /tmp/disk b 7 0 && ls /tmp'
	assert_success
	assert_output disk
}

@test "harden: the host's processes cannot be signalled: a host pid is no pid inside, and kill -1 reaches only the container" {
	sleep 600 &
	host_pid=$!
	TEARDOWN_EXTRA="kill $host_pid 2>/dev/null; wait $host_pid 2>/dev/null || true"
	for userns in on off; do
		run ctr --userns $userns -- sh -c "kill -KILL $host_pid 2>&1; echo \$?; sleep 60 & kill -KILL -1; wait; echo waited"
		assert_success
		assert_line --index 0 --partial "No such process"
		assert_line --index 1 1
		assert_line --index 2 waited # kill -1 killed the container's own sleep
		kill -0 "$host_pid"
	done
}

@test "harden: no fd the runtime opened reaches the command or --init's PID 1 (seen from the host)" {
	ctr_bg --init -- sh -c "$(handshake)"
	wait_for "$WORK/x/ready"
	init=$(ctr_pid1)
	shell=$(pgrep -P "$init" | head -n1)
	init_fds=$(ls -l /proc/"$init"/fd | awk 'NR > 1 { print $9, $11 }')
	shell_fds=$(ls /proc/"$shell"/fd | sort -n | xargs)
	runtime_fds=$(stat -L -c '%d:%i %n' /proc/"$CTR_PID"/fd/* 2>/dev/null || true)
	runtime_links=$(ls -l /proc/"$CTR_PID"/fd | awk 'NR > 1 { print $11 }')
	go
	ctr_wait
	assert_success
	# the runtime holds the rootfs (the same inode; its path may read
	# differently, as in the VM's share) and its lock in /run/stepbox
	grep -q "^$(stat -c '%d:%i' "$ROOTFS") " <<<"$runtime_fds"
	grep -q '^/run/stepbox/' <<<"$runtime_links"
	# none of which its init has: 0-2 and its own signalfd
	assert_equal "$(awk '$1 > 2 { print $2 }' <<<"$init_fds")" "anon_inode:[signalfd]"
	assert_equal "$shell_fds" "0 1 2"
}

@test "harden: --ulimit sets soft and hard limits, seen in /proc/self/limits; one value sets both" {
	run ctr --ulimit nofile=256:512 --ulimit nproc=1000 --ulimit core=0 -- sh -c 'grep -E "^Max (open files|processes|core file size)" /proc/self/limits; ulimit -n; ulimit -n 1024 2>&1 || echo refused'
	assert_success
	assert_line --regexp '^Max core file size +0 +0 +bytes'
	assert_line --regexp '^Max processes +1000 +1000 +processes'
	assert_line --regexp '^Max open files +256 +512 +files'
	assert_line 256
	assert_line refused # above the hard limit, without CAP_SYS_RESOURCE
	# the last --ulimit for a name wins; --init's children get it too
	run ctr --init --ulimit nofile=100 --ulimit nofile=200:300 -- sh -c 'ulimit -n; ulimit -Hn'
	assert_success
	assert_equal "$(echo $output)" "200 300"
	run ctr -v --ulimit stack=unlimited:unlimited -- true
	assert_success
	assert_line '[child] setrlimit(RLIMIT_STACK, soft unlimited, hard unlimited) = 0'
}

@test "harden: a bad --ulimit is 125, one line, before anything is made" {
	before=$(host_side_state)
	hard=$(ulimit -Hn)
	for spec in bogus=1 nofile nofile= nofile=abc nofile=-1 nofile=10:5 nofile=1:2:3 NOFILE=1 "nofile=$((hard + 1))"; do
		run ctr -v --ulimit "$spec" -- touch "$WORK/x/ran"
		assert_equal "$status" 125
		assert_equal "${#lines[@]}" 2
		assert_line --index 0 --partial "$STEP: --ulimit"
		refute_output --partial clone
	done
	# raising the hard limit: in a user namespace never
	run ctr --ulimit "nofile=$((hard + 1))" -- true
	assert_line --index 0 "$STEP: --ulimit nofile: the hard limit here is $hard; raising it to $((hard + 1)) needs CAP_SYS_RESOURCE in the host's user namespace, which root in a user namespace never has (--userns off, as a root that has it) (a limit can be lowered, and its soft limit raised up to the hard one)"
	# without one, only by a root that has CAP_SYS_RESOURCE
	run setpriv --bounding-set -sys_resource "$STEP_BIN" --userns off --ulimit "nofile=$((hard + 1))" -- true
	assert_equal "$status" 125
	assert_output --partial "which this root lacks"
	eff=$(awk '/^CapEff/ { print $2 }' /proc/self/status)
	if (((0x$eff >> $(cap_number SYS_RESOURCE)) & 1)); then
		run ctr --userns off --ulimit "nofile=$((hard + 1))" -- sh -c 'ulimit -Hn'
		assert_success
		assert_output "$((hard + 1))"
	fi
	[ ! -e "$WORK/x/ran" ]
	assert_equal "$(host_side_state)" "$before"
}

@test "harden: rootless, the same: docker's capabilities (of the user namespace), no_new_privs, the filter, the masks" {
	cp -a "$ROOTFS" "$WORK/userfs"
	chown -R -h 65534:65534 "$WORK/userfs"
	cp "$STEP_BIN" "$WORK/run"
	run setpriv --reuid 65534 --regid 65534 --clear-groups "$WORK/run" --rootfs "$WORK/userfs" -- sh -c 'grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status; /usr/local/bin/stepbox-probe denied | grep -c EPERM; echo x > /proc/sys/kernel/hostname'
	assert_equal "$status" 1
	assert_line --index 0 "CapEff:	$(cap_mask $DOCKER_CAPS)"
	assert_line --index 1 "NoNewPrivs:	1"
	assert_line --index 2 "Seccomp:	2"
	assert_line --index 3 $(($(wc -w <<<"$DENIED $CLONE_FLAGS")))
	assert_line --index 4 --partial "Read-only file system"
}

@test "harden: -v shows the order: masks before pivot_root; then rlimits, capabilities, no_new_privs, seccomp, exec" {
	run ctr -v --ulimit nofile=512 -- true
	assert_success
	order=$(awk '
		/\] open_tree\("\/proc\/sys",/ { print "read-only" }
		/\(masked\) = 0$/ && !masked++ { print "masked" }
		/\] fchdir\(rootfs\), pivot_root/ { print "pivot_root" }
		/\] setrlimit\(/ { print "setrlimit" }
		/\] prctl\(PR_CAPBSET_DROP\)/ { print "bounding" }
		/\] capset\(/ { print "capset" }
		/\] prctl\(PR_SET_NO_NEW_PRIVS/ { print "no_new_privs" }
		/\] seccomp_load\(/ { print "seccomp" }
		/\] execve\(/ { print "execve" }' <<<"$output" | xargs)
	assert_equal "$order" "read-only masked pivot_root setrlimit bounding capset no_new_privs seccomp execve"
}
