#!/usr/bin/env bash
# soak.sh [RUNS] — run step 10 with every mechanism on, RUNS times one
# after another (default $SOAK_RUNS or 1000: `make soak`), then check that
# the host is as it was: mounts, cgroups, /run/stepbox, network links,
# this shell's open fds, and (within 32 MiB) the kernel's own memory. A
# runtime that leaks one mount or cgroup per run shows here after a few
# runs.
#
#   sudo scripts/soak.sh 1000       # about a minute here
#   STEP_BIN=./my/run scripts/soak.sh 50
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-${SOAK_RUNS:-1000}}
bin=${STEP_BIN:-$repo/step10-exec/run}
[[ $runs =~ ^[1-9][0-9]*$ ]] || {
	echo "soak: RUNS is a number of runs, not '$runs'" >&2
	exit 2
}
[ "$(id -u)" -eq 0 ] || {
	echo "soak: the runs use cgroup limits and a veth pair: run as root" >&2
	exit 2
}
[ -x "$bin" ] || {
	echo "soak: $bin is not built (make step10)" >&2
	exit 2
}

# What a run could leave behind, one line each.
host_state() {
	echo "mounts $(wc -l </proc/self/mountinfo)"
	echo "cgroups $(find /sys/fs/cgroup -maxdepth 3 -path '*stepbox*' -type d 2>/dev/null | wc -l)"
	echo "state $(ls -A /run/stepbox 2>/dev/null | grep -vcx '.lock')"
	echo "links $(ip -o link show | wc -l)"
	echo "fds $(ls /proc/$$/fd | wc -l)"
}

# The kernel's own memory, in KiB: unreclaimable slab (namespaces, mounts,
# cgroups, net devices), task stacks and per-cpu data. A run's process
# ends, so what a run can leak lives here; MemAvailable would also count
# what other programs on the host take meanwhile (make test's VM lane
# grows its guests beside this).
kernel_memory() {
	awk '$1 ~ /^(SUnreclaim|KernelStack|Percpu):$/ { kib += $2 } END { print kib }' /proc/meminfo
}

# One run first, so that what the first run makes for good (the shared
# stepbox/ cgroup parents on v2, /run/stepbox itself) is in "before".
"$bin" --memory 64M --pids 64 --net veth -- true || {
	echo "soak: the first run failed" >&2
	exit 1
}
before=$(host_state)
mem_before=$(kernel_memory)
start=$(date +%s.%N)
for ((i = 1; i <= runs; i++)); do
	if ! out=$("$bin" --memory 64M --pids 64 --net veth -- sh -c 'echo $$ > /dev/null' 2>&1); then
		echo "soak: run $i of $runs failed: $out" >&2
		exit 1
	fi
done
end=$(date +%s.%N)
after=$(host_state)
mem_after=$(kernel_memory)
if [ "$before" != "$after" ]; then
	echo "soak: after $runs runs the host is not as it was:" >&2
	diff <(echo "$before") <(echo "$after") | sed 's/^/  /' >&2
	exit 1
fi
if [ $((mem_after - mem_before)) -gt 32768 ]; then
	echo "soak: the kernel's own memory (unreclaimable slab, stacks, per-cpu) grew by $(((mem_after - mem_before) / 1024)) MiB over $runs runs" >&2
	exit 1
fi
awk -v n="$runs" -v s="$start" -v e="$end" 'BEGIN {
	printf "soak: %d runs in %.1f s (%.1f ms each), host unchanged\n", n, e - s, (e - s) * 1000 / n
}'
