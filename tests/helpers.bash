# helpers.bash — loaded by every .bats file (tests/run sets STEP).
#
# In steps 01-07 the container runs the host's own programs and sees the
# host's files, except /proc (03), /tmp (04: a private tmpfs) and /sys
# (05). So files that the test and the container exchange live in $WORK,
# under /var/tmp, never under /tmp. From step08 the container sees only
# its rootfs (busybox: build/rootfs): ctr and ctr_bg bring $WORK in as a
# volume at the same path ($WORK_VOLUME), which the runtime creates in
# the rootfs and teardown removes again.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
: "${STEP:?tests/run sets STEP to the step directory under test}"
# STEP_BIN from the environment: another build of the step (make
# check-exercise tests a participant's work area with it); STEP_BUILD: a
# tree of other builds of every step (make test-asan: build/asan).
STEP_BIN=${STEP_BIN:-"${STEP_BUILD:-$REPO}/$STEP/run"}
STEP_NUM=$((10#${STEP:4:2}))
BUILT_PROBE="$REPO/build/probe/stepbox-probe"
# STEP_ROOTFS: the rootfs that build has compiled in, when not build/rootfs
# (check-exercise gives a participant's build a copy of its own).
ROOTFS=${STEP_ROOTFS:-"$REPO/build/rootfs"}
# From step10 the container's root has docker's default capabilities and
# a seccomp filter: it may not mount, or set its hostname. A test of an
# earlier mechanism that does so inside gives it CAP_SYS_ADMIN back with
# "${ADMIN[@]}", which lifts the filter's mount rules too, as docker's
# --cap-add SYS_ADMIN does.
ADMIN=()
[ "$STEP_NUM" -lt 10 ] || ADMIN=(--cap-add SYS_ADMIN)
# Docker's masked and read-only paths (step10: masks.c), each a mount of
# its own inside where this kernel has it.
MASKED="/proc/acpi /proc/asound /proc/interrupts /proc/kcore /proc/keys /proc/latency_stats /proc/sched_debug /proc/scsi /proc/timer_list /proc/timer_stats /sys/devices/virtual/powercap /sys/firmware"
READONLY="/proc/bus /proc/fs /proc/irq /proc/sys /proc/sysrq-trigger"

# $IN_ROOTFS: a test whose container writes or deletes under / (steps
# 08-10) starts its shell with this, so that a runtime that did not enter
# the rootfs (a half-done exercise, a broken build) stops there instead
# of deleting the host's own /etc/group. Only the rootfs has this file.
IN_ROOTFS='[ -e /etc/stepbox-rootfs ] || { echo "refusing: not inside the stepbox rootfs" >&2; exit 99; }; '

# harden_mounts: the mount points step10's masks add, on this kernel (none
# before step10).
harden_mounts() {
	local path
	[ "$STEP_NUM" -ge 10 ] || return 0
	for path in $MASKED $READONLY; do
		[ ! -e "$path" ] || echo "$path"
	done
}

setup() {
	WORK=$(mktemp -d /var/tmp/stepbox-test.XXXXXX)
	# Readable, and a subdirectory writable, by the container's root,
	# which from step06 on is uid 100000 on the host.
	chmod 755 "$WORK"
	mkdir -m 1777 "$WORK/x"
	# The probe runs inside containers: copy it out of the checkout,
	# which may itself live under /tmp, hidden there from step04 on.
	PROBE="$WORK/stepbox-probe"
	cp "$BUILT_PROBE" "$PROBE"
	CTR_PID=
	WORK_VOLUME=()
	[ "$STEP_NUM" -lt 8 ] || WORK_VOLUME=(-V "$WORK:$WORK")
	# A login session has a $XDG_RUNTIME_DIR of its own (/run/user/UID);
	# the tests' ordinary user (as_user) gets one here, where rootless
	# runs keep their state from step09 on, gone with $WORK.
	mkdir -m 700 "$WORK/user-run"
	chown 65534:65534 "$WORK/user-run"
	export XDG_RUNTIME_DIR="$WORK/user-run"
}

teardown() {
	if [ -n "$CTR_PID" ] && kill -0 "$CTR_PID" 2>/dev/null; then
		kill -KILL "$CTR_PID" 2>/dev/null
		wait "$CTR_PID" 2>/dev/null || true
	fi
	[ -z "${TEARDOWN_EXTRA:-}" ] || eval "$TEARDOWN_EXTRA"
	# Whatever is still mounted below $WORK (a test's bind of "/" whose
	# umount failed) is detached first, and rm stays on $WORK's own file
	# system: walking into a bind of "/" would delete the host's files.
	awk -v w="$WORK/" 'index($5, w) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
		while read -r m; do umount -l "$m"; done
	rm -rf --one-file-system "$WORK"
	# the volume's target the runtime made in the rootfs (step08 on)
	[ ! -d "$ROOTFS$WORK" ] || rmdir "$ROOTFS$WORK"
}

# ctr ARGS...: run the step under test (use as `run ctr ...`).
ctr() {
	timeout 60 "$STEP_BIN" "${WORK_VOLUME[@]}" "$@"
}

# ctr_bg ARGS...: start the step in the background, output in $WORK/out;
# CTR_PID is the runtime's pid.
ctr_bg() {
	"$STEP_BIN" "${WORK_VOLUME[@]}" "$@" >"$WORK/out" 2>&1 &
	CTR_PID=$!
}

# host_traces: what a run can leave on the host (cgroups, mounts under
# /run/stepbox, state, links), in one text to compare before and after;
# empty on a clean host.
host_traces() {
	find /sys/fs/cgroup -maxdepth 3 -path '*stepbox*' -type d 2>/dev/null | sort
	awk '$5 ~ "^/run/stepbox/" { print $5 }' /proc/self/mountinfo
	ls -A /run/stepbox 2>/dev/null | grep -vx '.lock' || true
	ip -o link show | awk -F': ' '$2 ~ /^stepbox/ { print $2 }'
}

# running PID: PID exists and is not a zombie.
running() {
	[ -r "/proc/$1/stat" ] && [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

# ctr_wait: wait (30 s at most) for the background runtime; sets
# $status and $output. A runtime that does not end is killed: status 137.
ctr_wait() {
	local i
	for ((i = 0; i < 600; i++)); do
		running "$CTR_PID" || break
		sleep 0.05
	done
	running "$CTR_PID" && kill -KILL "$CTR_PID"
	status=0
	wait "$CTR_PID" || status=$?
	output=$(cat "$WORK/out")
	mapfile -t lines <<<"$output"
	CTR_PID=
}

# wait_for PATH [SECONDS]: until PATH exists (default 10 s).
wait_for() {
	local i
	for ((i = 0; i < ${2:-10} * 20; i++)); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	echo "timed out waiting for $1" >&2
	return 1
}

# handshake: the shell snippet a container runs to say it is ready
# ($WORK/x/ready) and then wait for the host's go ($WORK/x/go).
handshake() {
	printf 'touch %s/x/ready; while [ ! -e %s/x/go ]; do sleep 0.05; done' "$WORK" "$WORK"
}

# go: the host's side of the handshake.
go() {
	touch "$WORK/x/go"
}

# ctr_pid1: the host pid of the container's first process.
ctr_pid1() {
	pgrep -P "$CTR_PID" | head -n1
}

# wait_for_child: until the background runtime has its child.
wait_for_child() {
	local i
	for ((i = 0; i < 200; i++)); do
		[ -n "$(pgrep -P "$CTR_PID")" ] && return 0
		sleep 0.05
	done
	echo "the runtime $CTR_PID started no child" >&2
	return 1
}

# until_gone PID [SECONDS]: wait until PID no longer exists.
until_gone() {
	local i
	for ((i = 0; i < ${2:-5} * 20; i++)); do
		running "$1" || return 0
		sleep 0.05
	done
	return 1
}

cgroup_v2() {
	[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]
}

# as_user CMD...: run CMD as uid/gid 65534 with no supplementary groups.
as_user() {
	setpriv --reuid 65534 --regid 65534 --clear-groups "$@"
}

# user_rootfs: a copy of the rootfs that belongs to uid 65534, in
# $WORK/userfs, and of the runtime in $WORK/run, for rootless runs. From
# step09 a rootless run cannot copy a directory up into its overlay
# layer when its user namespace does not map the owner (build/rootfs is
# 100000's): the kernel refuses (EOVERFLOW), so a volume's missing target
# cannot be made in such an image.
user_rootfs() {
	cp -a "$ROOTFS" "$WORK/userfs"
	chown -R -h 65534:65534 "$WORK/userfs"
	cp "$STEP_BIN" "$WORK/run"
}

# ctr_id: the running container's ID (step07 on, as root), as its first
# process's cgroup path on the host names it (stepbox/<id>).
ctr_id() {
	sed -n 's|.*:/stepbox/\([0-9a-f]\{12\}\)$|\1|p' "/proc/$(ctr_pid1)/cgroup" | head -n1
}

# The state directories of live or left-over containers (root's).
state_dirs() {
	find /run/stepbox -mindepth 1 -maxdepth 1 -type d 2>/dev/null | sort
}

# kill_runtime_leaving_container ARGS...: start a container, kill -9 its
# runtime (so nobody cleans up); $dead is the container's ID.
kill_runtime_leaving_container() {
	local i
	ctr_bg "$@" -- sleep 60
	wait_for_child
	for ((i = 0; i < 100; i++)); do
		[ -n "$(ctr_id)" ] && break
		sleep 0.05
	done
	dead=$(ctr_id)
	[ -n "$dead" ]
	kill -KILL "$CTR_PID"
	ctr_wait
}
