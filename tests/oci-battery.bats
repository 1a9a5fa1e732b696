#!/usr/bin/env bats
# What podman and containerd users type, case by case, each checked by its
# effect (inside the container, and on the host where there is one to
# see), not by the exit code alone. Every case runs twice: with runc, the
# reference (where it is installed), and with step10 in its place, so
# that a difference between the two shows as a test that fails on one
# line and passes on the other. make test-oci runs it.
#
# A case is a function case_NAME; `with RUNTIME case_NAME` runs it with
# podman's and containerd's runtime set to runc or step10. The storage,
# the private containerd and the image are oci-clients.bash's.

load oci-clients

# the cgroup tree: v2 (one tree, the VM) or v1 (a hierarchy per controller)
V2=
[ ! -f /sys/fs/cgroup/cgroup.controllers ] || V2=1

# A counter the container writes to /data/n every 50 ms (renamed into
# place, so the host never reads half a number): it stops when the
# container is frozen.
TICKER='i=0; while :; do i=$((i+1)); echo $i >/data/n.new; mv /data/n.new /data/n; sleep 0.05; done'

setup() {
	VOL="$OCI_TEST/vol-$BATS_TEST_NUMBER"
	mkdir -p "$VOL"
}

teardown() {
	remove_containers
	rm -rf "$VOL"
}

# with NAME CASE: CASE with runc (skipped where it is not installed) or
# step10 as the runtime of podman and of containerd's shim
with() {
	case $1 in
	runc)
		RUNTIME=$(PATH=$PATH:/usr/sbin:/sbin command -v runc) || skip "runc is not installed"
		;;
	step10) RUNTIME=$STEP10 ;;
	esac
	"$2"
}

# detached NAME OPTIONS... IMAGE ARGS...: podman run -d; ID is then the
# container's id, PID its first process as the host sees it
detached() {
	local name=$1
	shift
	run pod run -d --name "$name" "${LIMITS[@]}" "$@"
	assert_success
	ID=$output
	PID=$(pod inspect -f '{{.State.Pid}}' "$name")
	[ "${PID:-0}" -gt 0 ]
}

# status_of PID FIELD: a field of /proc/PID/status
status_of() {
	awk -v f="$2:" '$1 == f { sub(/^[^\t ]+[\t ]+/, ""); print }' "/proc/$1/status"
}

# gone NAME: the container removed, and nothing of it left on the host
gone() {
	run pod rm -f -t 0 "$1"
	assert_success
	assert_clean
}

# wait_file FILE: until the container has written it (5 s at most)
wait_file() {
	for _ in $(seq 50); do
		[ ! -s "$1" ] || return 0
		sleep 0.1
	done
	echo "$1: never written" >&2
	return 1
}

# input TEXT ARGS...: pod ARGS with TEXT on its standard input
input() {
	local text=$1
	shift
	pod "$@" <<<"$text"
}

# cgroup_dir PID CONTROLLER: where PID's cgroup keeps CONTROLLER's files
cgroup_dir() {
	if [ -n "$V2" ]; then
		echo "/sys/fs/cgroup$(awk -F: '$1 == 0 { print $3 }' "/proc/$1/cgroup")"
	else
		echo "/sys/fs/cgroup/$2$(awk -F: -v c="$2" '$2 == c { print $3 }' "/proc/$1/cgroup")"
	fi
}

memory_limit() {
	if [ -n "$V2" ]; then
		cat "$(cgroup_dir "$1" memory)/memory.max"
	else
		cat "$(cgroup_dir "$1" memory)/memory.limit_in_bytes"
	fi
}

# freezer_state PID: frozen or thawed, as the kernel reports it
freezer_state() {
	if [ -n "$V2" ]; then
		if grep -qx 'frozen 1' "$(cgroup_dir "$1" freezer)/cgroup.events"; then
			echo frozen
		else
			echo thawed
		fi
	else
		tr '[:upper:]' '[:lower:]' <"$(cgroup_dir "$1" freezer)/freezer.state"
	fi
}

# advancing FILE / stalled FILE: whether the ticker's count moves
advancing() {
	local a b
	a=$(cat "$1")
	sleep 0.4
	b=$(cat "$1")
	[ "$b" -gt "$a" ] || { echo "counter stayed at $a" >&2 && return 1; }
}

stalled() {
	local a b
	a=$(cat "$1")
	sleep 0.5
	b=$(cat "$1")
	[ "$b" -eq "$a" ] || { echo "counter moved from $a to $b" >&2 && return 1; }
}

# --- podman run's options ---------------------------------------------------

case_env() {
	run pod run --rm "${LIMITS[@]}" -e GREETING=hello -e EMPTY= "$IMAGE" \
		sh -c 'echo "$GREETING"; env | grep -cx EMPTY='
	assert_success
	assert_output $'hello\n1'
	detached c1 -e GREETING=hello "$IMAGE" sleep 100
	run grep -zx GREETING=hello "/proc/$PID/environ"
	assert_success
	gone c1
}

case_workdir() {
	run pod run --rm "${LIMITS[@]}" -w /usr/local/bin "$IMAGE" sh -c 'pwd; ls'
	assert_success
	assert_output $'/usr/local/bin\nstepbox-probe'
	detached c1 -w /usr/local/bin "$IMAGE" sleep 100
	[ "$(stat -L -c %d:%i "/proc/$PID/cwd")" = "$(stat -L -c %d:%i "/proc/$PID/root/usr/local/bin")" ]
	gone c1
}

case_user() {
	run pod run --rm "${LIMITS[@]}" --user 65534:65534 "$IMAGE" sh -c 'id; touch /root/x'
	assert_failure
	assert_line 'uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)'
	assert_line --partial 'Permission denied'
	detached c1 --user 65534:65534 "$IMAGE" sleep 100
	[ "$(status_of "$PID" Uid)" = $'65534\t65534\t65534\t65534' ]
	[ "$(status_of "$PID" Gid)" = $'65534\t65534\t65534\t65534' ]
	gone c1
}

case_group_add() {
	run pod run --rm "${LIMITS[@]}" --user 65534:65534 --group-add 1234 "$IMAGE" id -G
	assert_success
	assert_output '65534 1234'
	detached c1 --user 65534:65534 --group-add 1234 "$IMAGE" sleep 100
	[ "$(status_of "$PID" Groups | tr ' ' '\n' | sort -n | xargs)" = '1234 65534' ]
	gone c1
}

case_read_only() {
	# the root read-only; /tmp, /var/tmp and /run writable tmpfs (podman's
	# --read-only-tmpfs, mounted with tmpcopyup)
	run pod run --rm "${LIMITS[@]}" --read-only "$IMAGE" \
		sh -c 'touch /etc/x; for d in /tmp /var/tmp /run; do echo ok >$d/f && cat $d/f; done'
	assert_success
	assert_line --partial '/etc/x: Read-only file system'
	[ "$(grep -cx ok <<<"$output")" -eq 3 ]
	detached c1 --read-only "$IMAGE" sleep 100
	run awk '$5 == "/" { print $6 }' "/proc/$PID/mountinfo"
	assert_output --regexp '^ro(,|$)'
	run awk '$5 == "/tmp" { print $9 }' "/proc/$PID/mountinfo"
	assert_output tmpfs
	gone c1
}

case_volume() {
	echo from-host >"$VOL/in"
	run pod run --rm "${LIMITS[@]}" -v "$VOL:/data" "$IMAGE" \
		sh -c 'cat /data/in; echo from-container >/data/out'
	assert_success
	assert_output from-host
	[ "$(cat "$VOL/out")" = from-container ]
	assert_clean
}

case_volume_ro() {
	echo from-host >"$VOL/in"
	run pod run --rm "${LIMITS[@]}" -v "$VOL:/data:ro" "$IMAGE" \
		sh -c 'cat /data/in; echo from-container >/data/out'
	assert_failure
	assert_line from-host
	assert_line --partial 'Read-only file system'
	[ ! -e "$VOL/out" ]
	assert_clean
}

case_tmpfs() {
	# tmpcopyup: the tmpfs starts with what the image had in /etc
	run pod run --rm "${LIMITS[@]}" --tmpfs /etc "$IMAGE" \
		sh -c 'grep " /etc " /proc/mounts | cut -d" " -f3; grep ^nobody: /etc/passwd; echo made >/etc/made && cat /etc/made'
	assert_success
	assert_output $'tmpfs\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\nmade'
	# what is written there is not in the container's layer
	detached c1 --tmpfs /etc "$IMAGE" sh -c 'echo made >/etc/made; exec sleep 100'
	wait_file "/proc/$PID/root/etc/made"
	[ ! -e "$(pod inspect -f '{{.GraphDriver.Data.UpperDir}}' c1)/etc/made" ]
	gone c1
}

case_mount_tmpfs() {
	run pod run --rm "${LIMITS[@]}" --mount type=tmpfs,destination=/scratch,tmpfs-size=1m "$IMAGE" \
		sh -c 'grep " /scratch " /proc/mounts; dd if=/dev/zero of=/scratch/f bs=64k count=32; ls -l /scratch/f'
	assert_success
	assert_line --regexp '^tmpfs /scratch tmpfs .*size=1024k'
	assert_line --partial 'No space left on device'
	assert_line --regexp ' 1048576 '
	assert_clean
}

case_cap_drop_all() {
	run pod run --rm "${LIMITS[@]}" --cap-drop ALL "$IMAGE" \
		sh -c 'grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb)" /proc/self/status | cut -f2 | sort -u; touch /tmp/f; chown 65534 /tmp/f'
	assert_failure
	assert_line --index 0 0000000000000000
	assert_line --index 1 --partial 'Operation not permitted'
	detached c1 --cap-drop ALL "$IMAGE" sleep 100
	[ "$(status_of "$PID" CapEff)" = 0000000000000000 ]
	[ "$(status_of "$PID" CapBnd)" = 0000000000000000 ]
	gone c1
}

case_cap_add() {
	# without it, root in the container cannot change a link
	run pod run --rm "${LIMITS[@]}" "$IMAGE" ip link set lo mtu 1280
	assert_failure
	assert_output --partial 'Operation not permitted'
	run pod run --rm "${LIMITS[@]}" --cap-add NET_ADMIN "$IMAGE" \
		sh -c 'ip link set lo mtu 1280 && ip -o link show lo'
	assert_success
	assert_output --partial 'mtu 1280'
	detached c1 --cap-add NET_ADMIN "$IMAGE" sleep 100
	(((0x$(status_of "$PID" CapEff) >> 12) & 1)) # CAP_NET_ADMIN
	gone c1
}

case_no_new_privileges() {
	run pod run --rm "${LIMITS[@]}" "$IMAGE" grep NoNewPrivs /proc/self/status
	assert_output $'NoNewPrivs:\t0'
	run pod run --rm "${LIMITS[@]}" --security-opt no-new-privileges "$IMAGE" grep NoNewPrivs /proc/self/status
	assert_success
	assert_output $'NoNewPrivs:\t1'
	detached c1 --security-opt no-new-privileges "$IMAGE" sleep 100
	[ "$(status_of "$PID" NoNewPrivs)" = 1 ]
	gone c1
}

case_seccomp_unconfined() {
	local filtered
	run pod run --rm "${LIMITS[@]}" "$IMAGE" sh -c 'grep ^Seccomp: /proc/self/status; stepbox-probe denied | grep ^add_key:'
	assert_line --index 0 $'Seccomp:\t2'
	filtered=${lines[1]}
	run pod run --rm "${LIMITS[@]}" --security-opt seccomp=unconfined "$IMAGE" \
		sh -c 'grep ^Seccomp: /proc/self/status; stepbox-probe denied | grep ^add_key:'
	assert_success
	assert_line --index 0 $'Seccomp:\t0'
	# the call reached the kernel, which answers otherwise than the filter
	assert_line --index 1 --regexp '^add_key: '
	[ "${lines[1]}" != "$filtered" ]
	detached c1 --security-opt seccomp=unconfined "$IMAGE" sleep 100
	[ "$(status_of "$PID" Seccomp)" = 0 ]
	gone c1
}

case_ulimit() {
	run pod run --rm "${LIMITS[@]}" --ulimit nofile=256:512 "$IMAGE" sh -c 'ulimit -Sn; ulimit -Hn'
	assert_success
	assert_output $'256\n512'
	detached c1 --ulimit nofile=256:512 "$IMAGE" sleep 100
	run grep '^Max open files' "/proc/$PID/limits"
	assert_output --regexp '^Max open files +256 +512 +files'
	gone c1
}

case_pids_limit() {
	run pod run --rm "${LIMITS[@]}" --pids-limit 20 "$IMAGE" stepbox-probe forkloop 50
	assert_success
	assert_output --regexp '^forked 1[0-9]: EAGAIN$'
	detached c1 --pids-limit 20 "$IMAGE" sleep 100
	[ "$(cat "$(cgroup_dir "$PID" pids)/pids.max")" = 20 ]
	gone c1
}

case_memory() {
	run pod run --rm "${LIMITS[@]}" --memory 64m "$IMAGE" \
		sh -c '{ stepbox-probe alloc 16; stepbox-probe alloc 200; echo "exit $?"; } 2>&1'
	assert_success
	# the shell says the kernel killed the second (the OOM killer); one
	# stream, so that its message comes in order
	assert_output $'allocated 16\nKilled\nexit 137'
	detached c1 --memory 64m "$IMAGE" sleep 100
	[ "$(memory_limit "$PID")" = 67108864 ]
	gone c1
}

case_shm_size() {
	run pod run --rm "${LIMITS[@]}" --shm-size 8m "$IMAGE" \
		sh -c 'grep " /dev/shm " /proc/mounts; dd if=/dev/zero of=/dev/shm/f bs=1M count=10; ls -l /dev/shm/f'
	assert_success
	assert_line --regexp '^[^ ]+ /dev/shm tmpfs .*size=8192k'
	assert_line --partial 'No space left on device'
	assert_line --regexp ' 8388608 '
	assert_clean
}

case_sysctl() {
	local msgmax keepalive
	msgmax=$(cat /proc/sys/kernel/msgmax)
	keepalive=$(cat /proc/sys/net/ipv4/tcp_keepalive_time)
	run pod run --rm "${LIMITS[@]}" --sysctl kernel.msgmax=4096 --sysctl net.ipv4.tcp_keepalive_time=600 "$IMAGE" \
		cat /proc/sys/kernel/msgmax /proc/sys/net/ipv4/tcp_keepalive_time
	assert_success
	assert_output $'4096\n600'
	# the container's IPC and network namespaces', not the host's
	[ "$(cat /proc/sys/kernel/msgmax)" = "$msgmax" ]
	[ "$(cat /proc/sys/net/ipv4/tcp_keepalive_time)" = "$keepalive" ]
	assert_clean
}

case_privileged() {
	local host_devs d
	host_devs=()
	for d in kmsg fuse loop-control; do
		[ ! -c "/dev/$d" ] || host_devs+=("$d")
	done
	run pod run --rm "${LIMITS[@]}" --privileged "$IMAGE" \
		sh -c 'grep -E "^(CapEff|Seccomp):" /proc/self/status; grep -E " /sys | /proc/sys " /proc/mounts | cut -d" " -f2,4; ls /dev; [ ! -c /dev/fuse ] || stepbox-probe open /dev/fuse'
	assert_success
	assert_line "CapEff:	$(status_of $$ CapEff)"
	assert_line $'Seccomp:\t0'
	assert_line --regexp '^/sys rw,'
	refute_line --regexp '^/proc/sys '
	for d in "${host_devs[@]}"; do
		assert_line "$d"
	done
	# a host device, opened past the devices cgroup
	[ ! -c /dev/fuse ] || assert_line opened
	detached c1 --privileged "$IMAGE" sleep 100
	[ -n "$V2" ] || [ "$(cat "$(cgroup_dir "$PID" devices)/devices.list")" = 'a *:* rwm' ]
	gone c1
}

case_device() {
	[ -c /dev/fuse ] || skip "no /dev/fuse on this host"
	run pod run --rm "${LIMITS[@]}" "$IMAGE" ls /dev/fuse
	assert_failure
	run pod run --rm "${LIMITS[@]}" --device /dev/fuse "$IMAGE" \
		sh -c 'stat -c "%t:%T %F" /dev/fuse; stepbox-probe open /dev/fuse'
	assert_success
	assert_output $'a:e5 character special file\nopened'
	detached c1 --device /dev/fuse "$IMAGE" sleep 100
	[ -n "$V2" ] || grep -qx 'c 10:229 rwm' "$(cgroup_dir "$PID" devices)/devices.list"
	gone c1
}

case_tty() {
	run pod run --rm "${LIMITS[@]}" "$IMAGE" tty
	assert_output 'not a tty'
	run pod run --rm "${LIMITS[@]}" -t "$IMAGE" sh -c 'tty; [ -t 0 ] && [ -t 1 ] && echo both'
	assert_success
	output=${output//$'\r'/}
	assert_output $'/dev/pts/0\nboth'
	assert_clean
}

case_interactive() {
	run input typed run --rm "${LIMITS[@]}" "$IMAGE" sh -c 'read -r l; echo "got $l"'
	assert_output 'got '
	run input typed run --rm "${LIMITS[@]}" -i "$IMAGE" sh -c 'read -r l; echo "got $l"'
	assert_success
	assert_output 'got typed'
	assert_clean
}

case_run_it() {
	local POD
	pod_options
	tmux new-session -d -s stepbox-oci -x 100 -y 30 \
		"${POD[*]} run -it --rm ${LIMITS[*]} $IMAGE sh; echo EXIT=\$?; sleep 30"
	wait_screen '/ # *$'
	tmux send-keys -t stepbox-oci 'tty; echo $((6 * 7))' Enter
	sleep 0.5
	tmux send-keys -t stepbox-oci 'exit 5' Enter
	wait_screen 'EXIT='
	run tmux capture-pane -p -t stepbox-oci
	assert_line '/dev/pts/0'
	assert_line 42
	assert_line 'EXIT=5'
	assert_clean
}

case_init() {
	local child
	run pod run --rm "${LIMITS[@]}" --init "$IMAGE" sh -c 'tr "\0" " " </proc/1/cmdline; echo; echo $$'
	assert_success
	assert_line --index 0 --regexp '^/run/podman-init -- sh -c '
	[ "${lines[1]}" -gt 1 ]
	detached c1 --init "$IMAGE" sleep 100
	[ "$(tr '\0' ' ' <"/proc/$PID/cmdline")" = '/run/podman-init -- sleep 100 ' ]
	for _ in $(seq 50); do
		child=$(cat "/proc/$PID/task/$PID/children")
		[ -z "$child" ] || break
		sleep 0.1
	done
	[ "$(cat "/proc/${child% }/comm")" = sleep ]
	# the init passes SIGTERM on to sleep, which a PID 1 sleep would not
	# see: stop ends it well before the 30 s after which it would kill
	# (a guest under emulation takes seconds for podman's own calls)
	SECONDS=0
	run pod stop -t 30 c1
	assert_success
	[ "$SECONDS" -lt 20 ]
	run pod inspect -f '{{.State.ExitCode}}' c1
	assert_output 143
	gone c1
}

# --- the container's life ---------------------------------------------------

case_run_d() {
	detached c1 -v "$VOL:/data" "$IMAGE" sh -c 'echo up >/data/up; exec sleep 100'
	assert_output --regexp '^[0-9a-f]{64}$'
	[ "$(pod inspect -f '{{.Id}}' c1)" = "$ID" ]
	wait_file "$VOL/up"
	[ "$(tr '\0' ' ' <"/proc/$PID/cmdline")" = 'sleep 100 ' ]
	[ "$(parent_of "$PID")" = conmon ]
	grep -q "libpod-$ID" "/proc/$PID/cgroup"
	run pod ps --format '{{.Names}} {{.Status}}'
	assert_output --regexp '^c1 Up '
	gone c1
}

case_exec_env() {
	detached c1 "$IMAGE" sleep 100
	run pod exec -e GREETING=hello c1 sh -c 'echo "$GREETING"'
	assert_success
	assert_output hello
	# the exec'd process's, not the container's
	run grep -z ^GREETING= "/proc/$PID/environ"
	assert_failure
	gone c1
}

case_exec_workdir() {
	detached c1 "$IMAGE" sleep 100
	run pod exec -w /etc c1 sh -c 'pwd; ls passwd'
	assert_success
	assert_output $'/etc\npasswd'
	gone c1
}

case_exec_user() {
	detached c1 "$IMAGE" sleep 100
	run pod exec --user 65534:65534 c1 sh -c 'id; grep ^CapEff: /proc/self/status; touch /root/x'
	assert_failure
	assert_line 'uid=65534(nobody) gid=65534(nogroup)'
	assert_line $'CapEff:\t0000000000000000'
	assert_line --partial 'Permission denied'
	gone c1
}

case_pause() {
	detached c1 -v "$VOL:/data" "$IMAGE" sh -c "$TICKER"
	wait_file "$VOL/n"
	advancing "$VOL/n"
	run pod pause c1
	assert_success
	[ "$(pod inspect -f '{{.State.Status}}' c1)" = paused ]
	[ "$(freezer_state "$PID")" = frozen ]
	stalled "$VOL/n"
	gone c1
}

case_unpause() {
	detached c1 -v "$VOL:/data" "$IMAGE" sh -c "$TICKER"
	wait_file "$VOL/n"
	run pod pause c1
	assert_success
	stalled "$VOL/n"
	run pod unpause c1
	assert_success
	[ "$(pod inspect -f '{{.State.Status}}' c1)" = running ]
	[ "$(freezer_state "$PID")" = thawed ]
	advancing "$VOL/n"
	gone c1
}

case_update_memory() {
	# no swap beside the memory (--memory-swap = --memory): podman's
	# default of as much swap again would let 100 MiB fit in 64 MiB of
	# memory where the host has swap (the VM's guest does)
	detached c1 --memory 64m --memory-swap 64m "$IMAGE" sleep 100
	run pod exec c1 stepbox-probe alloc 100
	[ "$status" -eq 137 ]
	run pod update --memory 128m --memory-swap 128m c1
	assert_success
	[ "$(memory_limit "$PID")" = 134217728 ]
	run pod exec c1 stepbox-probe alloc 100
	assert_success
	assert_output 'allocated 100'
	gone c1
}

case_kill_signal() {
	detached c1 -v "$VOL:/data" "$IMAGE" sh -c 'trap "echo USR1 >>/data/sig" USR1; trap "echo TERM >>/data/sig; exit 7" TERM; echo ready >/data/ready; while :; do sleep 0.1; done'
	wait_file "$VOL/ready"
	run pod kill -s USR1 c1
	assert_success
	wait_file "$VOL/sig"
	[ "$(pod inspect -f '{{.State.Status}}' c1)" = running ]
	run pod kill -s TERM c1
	assert_success
	run pod wait c1
	assert_output 7
	[ "$(cat "$VOL/sig")" = $'USR1\nTERM' ]
	gone c1
}

case_logs() {
	run pod run -d --name c1 "${LIMITS[@]}" "$IMAGE" sh -c 'echo to-stdout; echo to-stderr >&2'
	assert_success
	run pod wait c1
	assert_output 0
	run pod logs c1
	assert_success
	assert_line to-stdout
	assert_line to-stderr
	[ "${#lines[@]}" -eq 2 ]
	gone c1
}

case_stop() {
	detached c1 -v "$VOL:/data" "$IMAGE" sh -c 'trap "echo stopped >/data/stop; exit 0" TERM; echo ready >/data/ready; while :; do sleep 0.1; done'
	wait_file "$VOL/ready"
	SECONDS=0
	run pod stop -t 10 c1
	assert_success
	[ "$SECONDS" -lt 5 ]
	[ "$(cat "$VOL/stop")" = stopped ]
	run pod inspect -f '{{.State.Status}} {{.State.ExitCode}}' c1
	assert_output 'exited 0'
	! kill -0 "$PID" 2>/dev/null
	gone c1
}

case_restart() {
	local first
	detached c1 -v "$VOL:/data" "$IMAGE" sh -c 'echo started >>/data/starts; exec sleep 100'
	wait_file "$VOL/starts"
	first=$PID
	run pod restart -t 0 c1
	assert_success
	for _ in $(seq 50); do
		[ "$(wc -l <"$VOL/starts")" -lt 2 ] || break
		sleep 0.1
	done
	[ "$(wc -l <"$VOL/starts")" -eq 2 ]
	PID=$(pod inspect -f '{{.State.Pid}}' c1)
	[ "$PID" -gt 0 ] && [ "$PID" != "$first" ]
	[ "$(tr '\0' ' ' <"/proc/$PID/cmdline")" = 'sleep 100 ' ]
	! kill -0 "$first" 2>/dev/null
	[ "$(pod inspect -f '{{.State.Status}}' c1)" = running ]
	gone c1
}

case_top() {
	detached c1 "$IMAGE" sleep 100
	run pod top c1 pid hpid args
	assert_success
	assert_line --regexp "^1 +$PID +sleep 100 *$"
	gone c1
}

case_wait() {
	# long enough to be running when detached asks podman for its pid,
	# which under software emulation takes seconds
	detached c1 "$IMAGE" sh -c 'sleep 8; exit 9'
	run pod wait c1
	assert_output 9
	! kill -0 "$PID" 2>/dev/null
	[ "$(pod inspect -f '{{.State.Status}}' c1)" = exited ]
	gone c1
}

# --- containerd, through its shim -------------------------------------------

# ctr_run NAME CTR-OPTIONS... -- ARGS: ctr run -d with $RUNTIME; PID is
# then the task's first process
ctr_run() {
	local name=$1 opts=()
	shift
	while [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	run ctrd run -d --runc-binary "$RUNTIME" "${opts[@]}" "$IMAGE" "$name" "$@"
	assert_success
	PID=$(ctrd task ls | awk -v n="$name" '$1 == n { print $2 }')
	[ "${PID:-0}" -gt 0 ]
}

task_status() {
	ctrd task ls | awk -v n="$1" '$1 == n { print $3 }'
}

# ctr_gone NAME: the task killed and removed, nothing of it left
ctr_gone() {
	ctrd task resume "$1" >/dev/null 2>&1 || true
	run ctrd task kill -s KILL "$1"
	assert_success
	for _ in $(seq 50); do
		[ "$(task_status "$1")" = STOPPED ] && break
		sleep 0.1
	done
	run ctrd task rm "$1"
	assert_success
	run ctrd container rm "$1"
	assert_success
	assert_clean
}

case_ctr_pause() {
	ctr_run b1 --mount "type=bind,src=$VOL,dst=/data,options=rbind:rw" -- sh -c "$TICKER"
	wait_file "$VOL/n"
	advancing "$VOL/n"
	run ctrd task pause b1
	assert_success
	[ "$(task_status b1)" = PAUSED ]
	[ "$(freezer_state "$PID")" = frozen ]
	stalled "$VOL/n"
	ctr_gone b1
}

case_ctr_resume() {
	ctr_run b1 --mount "type=bind,src=$VOL,dst=/data,options=rbind:rw" -- sh -c "$TICKER"
	wait_file "$VOL/n"
	run ctrd task pause b1
	assert_success
	stalled "$VOL/n"
	run ctrd task resume b1
	assert_success
	[ "$(task_status b1)" = RUNNING ]
	[ "$(freezer_state "$PID")" = thawed ]
	advancing "$VOL/n"
	ctr_gone b1
}

# the task's processes, as the host's cgroup lists them
cgroup_procs() {
	sort -n "$(cgroup_dir "$1" pids)/cgroup.procs"
}

case_ctr_metrics() {
	ctr_run b1 --memory-limit 67108864 -- sh -c 'sleep 100 & exec sleep 101'
	for _ in $(seq 50); do
		[ "$(cgroup_procs "$PID" | wc -l)" -lt 2 ] || break
		sleep 0.1
	done
	run ctrd task metrics --format json b1
	assert_success
	# containerd's v1 and v2 metrics name them differently
	if [ -n "$V2" ]; then
		fields='.pids.current, .memory.usage_limit, .memory.usage, .cpu.usage_usec'
	else
		fields='.pids.current, .memory.usage.limit, .memory.usage.usage, .cpu.usage.total'
	fi
	run jq "$fields" <<<"$output"
	assert_success
	assert_line --index 0 2
	assert_line --index 1 67108864
	[ "${lines[2]}" -gt 0 ] && [ "${lines[3]}" -gt 0 ]
	[ "$(memory_limit "$PID")" = 67108864 ]
	ctr_gone b1
}

case_ctr_ps() {
	ctr_run b1 -- sh -c 'sleep 100 & exec sleep 101'
	for _ in $(seq 50); do
		[ "$(cgroup_procs "$PID" | wc -l)" -lt 2 ] || break
		sleep 0.1
	done
	run ctrd task ps b1
	assert_success
	assert_line --index 0 --regexp '^PID +INFO'
	[ "$(tail -n +2 <<<"$output" | awk '{ print $1 }' | sort -n)" = "$(cgroup_procs "$PID")" ]
	assert_line --regexp "^$PID "
	ctr_gone b1
}

# --- the cases, with each runtime -------------------------------------------

@test "run -e [runc]" { with runc case_env; }
@test "run -e [step10]" { with step10 case_env; }
@test "run -w [runc]" { with runc case_workdir; }
@test "run -w [step10]" { with step10 case_workdir; }
@test "run --user [runc]" { with runc case_user; }
@test "run --user [step10]" { with step10 case_user; }
@test "run --group-add [runc]" { with runc case_group_add; }
@test "run --group-add [step10]" { with step10 case_group_add; }
@test "run --read-only [runc]" { with runc case_read_only; }
@test "run --read-only [step10]" { with step10 case_read_only; }
@test "run -v [runc]" { with runc case_volume; }
@test "run -v [step10]" { with step10 case_volume; }
@test "run -v :ro [runc]" { with runc case_volume_ro; }
@test "run -v :ro [step10]" { with step10 case_volume_ro; }
@test "run --tmpfs [runc]" { with runc case_tmpfs; }
@test "run --tmpfs [step10]" { with step10 case_tmpfs; }
@test "run --mount type=tmpfs [runc]" { with runc case_mount_tmpfs; }
@test "run --mount type=tmpfs [step10]" { with step10 case_mount_tmpfs; }
@test "run --cap-drop ALL [runc]" { with runc case_cap_drop_all; }
@test "run --cap-drop ALL [step10]" { with step10 case_cap_drop_all; }
@test "run --cap-add [runc]" { with runc case_cap_add; }
@test "run --cap-add [step10]" { with step10 case_cap_add; }
@test "run --security-opt no-new-privileges [runc]" { with runc case_no_new_privileges; }
@test "run --security-opt no-new-privileges [step10]" { with step10 case_no_new_privileges; }
@test "run --security-opt seccomp=unconfined [runc]" { with runc case_seccomp_unconfined; }
@test "run --security-opt seccomp=unconfined [step10]" { with step10 case_seccomp_unconfined; }
@test "run --ulimit [runc]" { with runc case_ulimit; }
@test "run --ulimit [step10]" { with step10 case_ulimit; }
@test "run --pids-limit [runc]" { with runc case_pids_limit; }
@test "run --pids-limit [step10]" { with step10 case_pids_limit; }
@test "run --memory [runc]" { with runc case_memory; }
@test "run --memory [step10]" { with step10 case_memory; }
@test "run --shm-size [runc]" { with runc case_shm_size; }
@test "run --shm-size [step10]" { with step10 case_shm_size; }
@test "run --sysctl [runc]" { with runc case_sysctl; }
@test "run --sysctl [step10]" { with step10 case_sysctl; }
@test "run --privileged [runc]" { with runc case_privileged; }
@test "run --privileged [step10]" { with step10 case_privileged; }
@test "run --device [runc]" { with runc case_device; }
@test "run --device [step10]" { with step10 case_device; }
@test "run -t [runc]" { with runc case_tty; }
@test "run -t [step10]" { with step10 case_tty; }
@test "run -i [runc]" { with runc case_interactive; }
@test "run -i [step10]" { with step10 case_interactive; }
@test "run -it, typed into [runc]" { with runc case_run_it; }
@test "run -it, typed into [step10]" { with step10 case_run_it; }
@test "run --init [runc]" { with runc case_init; }
@test "run --init [step10]" { with step10 case_init; }
@test "run -d [runc]" { with runc case_run_d; }
@test "run -d [step10]" { with step10 case_run_d; }
@test "exec -e [runc]" { with runc case_exec_env; }
@test "exec -e [step10]" { with step10 case_exec_env; }
@test "exec -w [runc]" { with runc case_exec_workdir; }
@test "exec -w [step10]" { with step10 case_exec_workdir; }
@test "exec --user [runc]" { with runc case_exec_user; }
@test "exec --user [step10]" { with step10 case_exec_user; }
@test "pause [runc]" { with runc case_pause; }
@test "pause [step10]" { with step10 case_pause; }
@test "unpause [runc]" { with runc case_unpause; }
@test "unpause [step10]" { with step10 case_unpause; }
@test "update --memory [runc]" { with runc case_update_memory; }
@test "update --memory [step10]" { with step10 case_update_memory; }
@test "kill -s [runc]" { with runc case_kill_signal; }
@test "kill -s [step10]" { with step10 case_kill_signal; }
@test "logs [runc]" { with runc case_logs; }
@test "logs [step10]" { with step10 case_logs; }
@test "stop [runc]" { with runc case_stop; }
@test "stop [step10]" { with step10 case_stop; }
@test "restart [runc]" { with runc case_restart; }
@test "restart [step10]" { with step10 case_restart; }
@test "top [runc]" { with runc case_top; }
@test "top [step10]" { with step10 case_top; }
@test "wait [runc]" { with runc case_wait; }
@test "wait [step10]" { with step10 case_wait; }
@test "ctr task pause [runc]" { with runc case_ctr_pause; }
@test "ctr task pause [step10]" { with step10 case_ctr_pause; }
@test "ctr task resume [runc]" { with runc case_ctr_resume; }
@test "ctr task resume [step10]" { with step10 case_ctr_resume; }
@test "ctr task metrics [runc]" { with runc case_ctr_metrics; }
@test "ctr task metrics [step10]" { with step10 case_ctr_metrics; }
@test "ctr task ps [runc]" { with runc case_ctr_ps; }
@test "ctr task ps [step10]" { with step10 case_ctr_ps; }
