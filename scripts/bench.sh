#!/usr/bin/env bash
# bench.sh — what a container costs: each step, runc, crun and bubblewrap
# side by side, in one run, on the same busybox rootfs (make bench).
#
#   scripts/bench.sh [--runs N] [--warmup N] [--cold-runs N] [--out DIR]
#
# Measures, with hyperfine (warm-up, N runs, median and spread):
#   start    start a container, run /bin/true in it, tear it down: every
#            step with its defaults (07-10 also with memory, pids and CPU
#            limits), runc and crun on an OCI bundle of the same rootfs with
#            the same namespaces, limits, capabilities, masks and seccomp
#            rules, and `bwrap --unshare-all` (no cgroup, no overlay, no
#            seccomp: it does less)
#   cold     the same for step10, runc and crun after 200 ms of quiet: the
#            first move of a process into a cgroup then waits for an RCU
#            grace period
#   exec     `run exec NAME /bin/true` into a running container, against
#            `runc exec` and `crun exec`
#   rss      the peak RSS of each runtime (GNU time: the largest process
#            it waited for, the runtime or the container's /bin/true)
#   phases   what each phase of step10 costs: its -v trace with
#            STEPBOX_TRACE_TIME=1, median of each line's time over the runs
#   clone    what each namespace costs at clone(2) (build/bench/nsclone)
# and writes, under OUT (default build/bench/DATE, git-ignored):
# machine.txt (what was measured where), start, cold and exec as
# hyperfine's .json and .csv, rss.csv, phases.csv, clone.csv, and from
# them (scripts/bench-report.sh) results.md, the tables the README shows,
# and start.svg, start-up time per step: the plot. A runtime that is missing or refuses this host
# is left out with the reason; that is never an error.
#
# crun 1.8 refuses a hybrid cgroup host (v1 controllers and an empty
# cgroup2 at /sys/fs/cgroup/unified). On such a host the whole measurement
# runs in a mount namespace of its own with a tmpfs over unified: the
# v1 hierarchies, which every runtime here uses, are the same.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
ROOTFS=${ROOTFS:-$REPO/build/rootfs}
NSCLONE=${NSCLONE:-$REPO/build/bench/nsclone}
runs=100
warmup=10
cold_runs=20
out=
usage() {
	echo "usage: scripts/bench.sh [--runs N] [--warmup N] [--cold-runs N] [--out DIR]" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--runs | --warmup | --cold-runs | --out)
		[ $# -ge 2 ] || usage
		case $1 in
		--out) out=$2 ;;
		*)
			case $2 in
			'' | *[!0-9]*)
				echo "bench: $1 wants a whole number, not '$2'" >&2
				usage
				;;
			esac
			case $1 in
			--runs) runs=$2 ;;
			--warmup) warmup=$2 ;;
			--cold-runs) cold_runs=$2 ;;
			esac
			;;
		esac
		shift 2
		;;
	-h | --help)
		sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "bench: unknown option '$1'" >&2
		usage
		;;
	esac
done
[ "$runs" -ge 2 ] || {
	echo "bench: --runs must be at least 2" >&2
	usage
}

die() {
	echo "bench: $*" >&2
	exit 1
}
[ "$(id -u)" -eq 0 ] || die "run it as root (the runtimes compared here need it): sudo make bench"
command -v hyperfine >/dev/null || die "hyperfine is missing: make deps-bench installs it"
[ -x /usr/bin/time ] || die "GNU time (/usr/bin/time) is missing: make deps-bench installs it"
[ -x "$ROOTFS/bin/busybox" ] || die "no rootfs at $ROOTFS: make rootfs"
[ -x "$NSCLONE" ] || die "no $NSCLONE: make bench builds it"
for n in 01 02 03 04 05 06 07 08 09 10; do
	ls "$REPO"/step"$n"-*/run >/dev/null 2>&1 || die "step$n is not built: make all"
done

# On a hybrid host, once: the same script again in a mount namespace of its
# own with a tmpfs over unified, for crun (see above).
if [ -z "${STEPBOX_BENCH_INNER:-}" ] &&
	[ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = tmpfs ] &&
	[ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
	export STEPBOX_BENCH_INNER=hybrid
	exec unshare -m --propagation private -- sh -c \
		'mount -t tmpfs stepbox-bench /sys/fs/cgroup/unified && exec "$@"' \
		sh "$0" --runs "$runs" --warmup "$warmup" --cold-runs "$cold_runs" ${out:+--out "$out"}
fi

out=${out:-$REPO/build/bench/$(date -u +%Y-%m-%dT%H%M%SZ)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d /var/tmp/stepbox-bench.XXXXXX)
names=()
cleanup() {
	local n
	for n in "${names[@]}"; do
		case $n in
		runc:* | crun:*)
			"${n%%:*}" --root "$work/${n%%:*}-state" delete -f "${n#*:}" >/dev/null 2>&1 || true
			# what a failed create leaves (crun 1.8: the memory cgroup)
			rmdir /sys/fs/cgroup/*/"${n#*:}" 2>/dev/null || true
			;;
		*) "$step10" rm -f "$n" >/dev/null 2>&1 || true ;;
		esac
	done
	rm -rf --one-file-system "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step10=$(ls "$REPO"/step10-*/run)
limits=(--memory 64M --pids 100 --cpus 1)
note() { echo "$*" >>"$out/notes.txt"; echo "bench: $*" >&2; }
: >"$out/notes.txt"
[ -z "${STEPBOX_BENCH_INNER:-}" ] ||
	note "hybrid cgroup host: measured in a mount namespace with a tmpfs over /sys/fs/cgroup/unified (crun 1.8 refuses hybrid); the v1 controllers are the host's"

# What was measured where, for the report.
cgroup=$(stat -f -c %T /sys/fs/cgroup)
case $cgroup in
cgroup2fs) cgroup=v2 ;;
*) cgroup=v1 ;;
esac
[ "${STEPBOX_BENCH_INNER:-}" != hybrid ] || cgroup="v1 (hybrid: an empty cgroup2 beside the v1 controllers)"
cat >"$out/machine.txt" <<EOF
One run of \`make bench\` on one machine, $(date -u +%Y-%m-%d): $(nproc) CPUs ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)),
Linux $(uname -r), cgroup $cgroup; hyperfine $(hyperfine --version | awk '{ print $2 }'); $runs runs after $warmup to warm up.
EOF

# --- an OCI bundle of the same rootfs, doing what step10 does --------------

# The calls step10's seccomp filter refuses (step10-*/seccomp.c), and
# docker's fourteen capabilities (step10-*/caps.c).
denied='"kexec_load","kexec_file_load","init_module","finit_module","delete_module","bpf","perf_event_open","open_by_handle_at","keyctl","add_key","request_key","unshare","setns","mount","umount2","pivot_root","fsopen","fsconfig","fsmount","fspick","move_mount","open_tree","mount_setattr","reboot","swapon","swapoff","acct","settimeofday","clock_settime","io_uring_setup","io_uring_enter","io_uring_register"'
caps='"CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FOWNER","CAP_FSETID","CAP_KILL","CAP_SETGID","CAP_SETUID","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_NET_RAW","CAP_SYS_CHROOT","CAP_MKNOD","CAP_AUDIT_WRITE","CAP_SETFCAP"'

# bundle DIR ARGS-JSON: config.json for a container running ARGS.
bundle() {
	local clone_rules='' flag
	for flag in 131072 67108864 134217728 268435456 536870912 1073741824 33554432; do
		# CLONE_NEWNS, UTS, IPC, USER, PID, NET, CGROUP: as step10 does
		clone_rules+=",{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1,\"args\":[{\"index\":0,\"value\":$flag,\"valueTwo\":$flag,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}"
	done
	mkdir -p "$1"
	cat >"$1/config.json" <<JSON
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false, "user": {"uid": 0, "gid": 0}, "args": $2,
    "env": ["PATH=/bin:/sbin:/usr/bin:/usr/sbin"], "cwd": "/",
    "capabilities": {"bounding": [$caps], "effective": [$caps], "permitted": [$caps]},
    "noNewPrivileges": true
  },
  "root": {"path": "$ROOTFS", "readonly": true},
  "hostname": "stepbox",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc", "options": ["nosuid", "noexec", "nodev"]},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
    {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
    {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
    {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "mode=1777"]}
  ],
  "linux": {
    "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
    "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
    "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"},
                   {"type": "mount"}, {"type": "user"}, {"type": "cgroup"}],
    "resources": {
      "devices": [{"allow": false, "access": "rwm"}],
      "memory": {"limit": 67108864, "swap": 67108864},
      "cpu": {"quota": 100000, "period": 100000},
      "pids": {"limit": 100}
    },
    "maskedPaths": ["/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore", "/proc/keys",
                    "/proc/latency_stats", "/proc/sched_debug", "/proc/scsi", "/proc/timer_list",
                    "/proc/timer_stats", "/sys/devices/virtual/powercap", "/sys/firmware"],
    "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
    "seccomp": {
      "defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
      "syscalls": [{"names": [$denied], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
                   {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}$clone_rules]
    }
  }
}
JSON
}
bundle "$work/true" '["/bin/true"]'
bundle "$work/sleep" '["/bin/sleep", "3600"]'

# usable NAME: RUNTIME runs the bundle here (else a note says why not).
usable() {
	local err
	if ! command -v "$1" >/dev/null; then
		note "$1: not installed, left out (make deps-bench installs it)"
		return 1
	fi
	names+=("$1:bench-$1-$$")
	if ! err=$("$1" --root "$work/$1-state" run --bundle "$work/true" "bench-$1-$$" 2>&1 </dev/null); then
		note "$1: refuses this host, left out: $(echo "$err" | tail -n 1)"
		return 1
	fi
}
bwrap_cmd=(bwrap --unshare-all --bind "$ROOTFS" / --proc /proc --dev /dev --tmpfs /tmp /bin/true)
usable_bwrap() {
	local err
	if ! command -v bwrap >/dev/null; then
		note "bwrap: not installed, left out (make deps-bench installs it)"
		return 1
	fi
	if ! err=$("${bwrap_cmd[@]}" 2>&1); then
		note "bwrap: refuses this host, left out: $(echo "$err" | tail -n 1)"
		return 1
	fi
}

# --- start: every step, then the others -----------------------------------

cmds=() labels=()
add() {
	labels+=("$1")
	shift
	local q
	printf -v q '%q ' "$@"
	cmds+=("${q% }")
}
for d in "$REPO"/step??-*/; do
	d=${d%/}
	s=$(basename "$d")
	n=${s:4:2}
	if [ "$((10#$n))" -ge 7 ]; then
		add "$s" "$d/run" "${limits[@]}" -- /bin/true
	else
		add "$s" "$d/run" -- /bin/true
	fi
done
others=()
for rt in runc crun; do
	if usable $rt; then
		add "$rt run" "$rt" --root "$work/$rt-state" run --bundle "$work/true" "bench-$rt-$$"
		others+=("$rt")
	fi
done
if usable_bwrap; then
	add "bwrap --unshare-all" "${bwrap_cmd[@]}"
	others+=(bwrap)
fi

# hyperfine NAME ARGS...: the commands in cmds/labels into NAME.csv/.json.
hyper() {
	local name=$1 i args=()
	shift
	for i in "${!cmds[@]}"; do
		args+=(-n "${labels[$i]}" "${cmds[$i]}")
	done
	hyperfine -N --style basic "$@" --export-csv "$out/$name.csv" --export-json "$out/$name.json" \
		"${args[@]}" >"$out/$name.log" 2>&1 || {
		tail -n 20 "$out/$name.log" >&2
		die "hyperfine failed; its output is in $out/$name.log"
	}
}
echo "bench: start-up, ${#cmds[@]} commands x $runs runs ..." >&2
hyper start --warmup "$warmup" --runs "$runs"

# --- cold: after 200 ms of quiet --------------------------------------------
start_cmds=("${cmds[@]}") start_labels=("${labels[@]}")
cmds=() labels=()
for i in "${!start_labels[@]}"; do
	case ${start_labels[$i]} in
	step10-* | "runc run" | "crun run")
		labels+=("${start_labels[$i]}")
		cmds+=("${start_cmds[$i]}")
		;;
	esac
done
echo "bench: cold start-up, ${#cmds[@]} commands x $cold_runs runs ..." >&2
hyper cold --runs "$cold_runs" --prepare "sleep 0.2"

# --- exec into a running container -----------------------------------------
cmds=() labels=()
ctr=bench-exec-$$
"$step10" run -d --name "$ctr" "${limits[@]}" -- sleep 3600 >/dev/null
names+=("$ctr")
add "step10 exec" "$step10" exec "$ctr" /bin/true
for rt in "${others[@]}"; do
	[ "$rt" != bwrap ] || continue
	# each runtime's own ID: the default cgroup path is the ID
	# (its output to a file: the container keeps what it is given open)
	"$rt" --root "$work/$rt-state" run -d --bundle "$work/sleep" "$ctr-$rt" </dev/null >/dev/null 2>"$work/$rt.err" ||
		die "$rt run -d of the sleeping container failed: $(tail -n 1 "$work/$rt.err")"
	names+=("$rt:$ctr-$rt")
	add "$rt exec" "$rt" --root "$work/$rt-state" exec "$ctr-$rt" /bin/true
done
echo "bench: exec, ${#cmds[@]} commands x $runs runs ..." >&2
hyper exec --warmup "$warmup" --runs "$runs"

# --- peak RSS ---------------------------------------------------------------
echo "label,max_rss_kib" >"$out/rss.csv"
for i in "${!start_labels[@]}"; do
	best=0
	for _ in 1 2 3 4 5; do
		kib=$(/usr/bin/time -f %M sh -c "exec ${start_cmds[$i]} >/dev/null 2>&1" 2>&1 >/dev/null | tail -n 1)
		[ "$kib" -le "$best" ] || best=$kib
	done
	echo "${start_labels[$i]},$best" >>"$out/rss.csv"
done

# --- phases of step10, from its timed -v trace ----------------------------
echo "bench: step10's phases from its -v trace, $runs runs ..." >&2
for ((i = 1; i <= runs; i++)); do
	STEPBOX_TRACE_TIME=1 "$step10" -v "${limits[@]}" -- /bin/true 2>&1 >/dev/null |
		sed -n "s/^ *\([0-9][0-9.]*\) /$i \1 /p"
done >"$out/trace.txt"
"$REPO/scripts/bench-phases.awk" "$out/trace.txt" >"$out/phases.csv"

# --- each namespace at clone(2) ---------------------------------------------
"$NSCLONE" "$runs" >"$out/clone.csv"

"$REPO/scripts/bench-report.sh" "$out"
echo "bench: results in $out" >&2
