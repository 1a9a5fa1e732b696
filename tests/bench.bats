#!/usr/bin/env bats
# make bench (scripts/bench.sh): a short run measures what it says, side
# by side, writes its tables and plot, and leaves the host as it was.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
STEP10=$(ls "$REPO"/step10-*/run)

setup() {
	WORK=$(mktemp -d /var/tmp/stepbox-benchtest.XXXXXX)
}

teardown() {
	rm -rf "$WORK"
}

# What a run could leave on the host: cgroups, state, mounts, processes.
host_traces() {
	ls -d /sys/fs/cgroup/*/bench-* /sys/fs/cgroup/*/stepbox/* /sys/fs/cgroup/stepbox/* 2>/dev/null
	ls /run/stepbox 2>/dev/null
	ls -d /var/tmp/stepbox-bench.* 2>/dev/null
	wc -l </proc/self/mountinfo
	pgrep -f 'sleep 3600' || true
}

# csv_value FILE LABEL COLUMN: that column of LABEL's line.
csv_value() {
	awk -F, -v l="$2" -v c="$3" '$1 == l { print $c }' "$1"
}

@test "bench: a short run times every step, runc, crun and bwrap side by side, and leaves nothing" {
	before=$(host_traces)
	run "$REPO/scripts/bench.sh" --runs 3 --warmup 1 --cold-runs 2 --out "$WORK/out"
	assert_success
	out=$WORK/out
	# start: each step, then the runtimes it is compared with
	for s in "$REPO"/step??-*/; do
		s=$(basename "$s")
		median=$(csv_value "$out/start.csv" "$s" 4)
		[ -n "$median" ] || fail "no start-up figure for $s"
		awk -v m="$median" 'BEGIN { exit !(m > 0.0002 && m < 1) }' || fail "$s: median $median s"
	done
	for label in "runc run" "crun run" "bwrap --unshare-all"; do
		[ -n "$(csv_value "$out/start.csv" "$label" 4)" ] || fail "no figure for $label: $(cat "$out/notes.txt")"
	done
	# cold: step10 and the two OCI runtimes, after the quiet spell
	assert_equal "$(cut -d, -f1 "$out/cold.csv" | tail -n +2 | xargs -d '\n' | sed 's/ /_/g')" \
		"$(basename "$(dirname "$STEP10")")_runc_run_crun_run"
	assert_equal "$(cut -d, -f1 "$out/exec.csv" | tail -n +2 | xargs -d '\n')" "step10 exec runc exec crun exec"
	# RSS: a figure in KiB for each start-up command
	assert_equal "$(tail -n +2 "$out/rss.csv" | wc -l)" "$(tail -n +2 "$out/start.csv" | wc -l)"
	run awk -F, 'NR > 1 && !($2 > 500 && $2 < 200000)' "$out/rss.csv"
	assert_output ""
	# phases of step10's trace and each namespace at clone
	for phase in "clone: seven new namespaces" "cgroup: create and set the limits" "seccomp filter" \
		"pivot_root" "teardown: unmount and remove cgroups and state"; do
		[ -n "$(csv_value "$out/phases.csv" "$phase" 2)" ] || fail "no phase '$phase'"
	done
	[ -n "$(csv_value "$out/clone.csv" CLONE_NEWNET 2)" ]
	# the report: tables with the ratio to step10, the plot with a bar each
	run cat "$out/results.md"
	assert_line --index 0 --regexp "^One run of \`make bench\` on one machine, [0-9-]{10}: [0-9]+ CPUs"
	assert_line --index 1 --regexp "^Linux $(uname -r), cgroup v[12].*; 3 runs after 1 to warm up\.$"
	assert_output --partial "ratio to step10-exec"
	assert_output --regexp '\| runc run \| [0-9.]+ ms \| [0-9.]+ – [0-9.]+ ms \| [0-9.]+× \|'
	assert_output --partial "| crun exec |"
	assert_equal "$(grep -c '<rect x=' "$out/start.svg")" "$(tail -n +2 "$out/start.csv" | wc -l)"
	assert_equal "$(host_traces)" "$before"
}

@test "bench: a runtime that refuses the host is left out with its reason" {
	mkdir "$WORK/bin"
	printf '#!/bin/sh\necho "crun: this host is not for me" >&2\nexit 1\n' >"$WORK/bin/crun"
	chmod +x "$WORK/bin/crun"
	before=$(host_traces)
	PATH="$WORK/bin:$PATH" run "$REPO/scripts/bench.sh" --runs 2 --warmup 0 --cold-runs 2 --out "$WORK/out"
	assert_success
	assert_output --partial "crun: refuses this host, left out: crun: this host is not for me"
	[ -z "$(csv_value "$WORK/out/start.csv" "crun run" 4)" ]
	[ -n "$(csv_value "$WORK/out/start.csv" "runc run" 4)" ]
	grep -q "crun: refuses this host" "$WORK/out/results.md"
	assert_equal "$(host_traces)" "$before"
}

@test "bench: bad options are a usage error, and nothing is measured" {
	for args in "--runs x" "--runs 1" "--warmup" "--bogus" "--cold-runs -3"; do
		# shellcheck disable=SC2086
		run "$REPO/scripts/bench.sh" $args --out "$WORK/out"
		assert_equal "$status" 2
		assert_output --partial "usage: scripts/bench.sh"
		[ ! -e "$WORK/out" ]
	done
}

@test "bench: the trace's clock: STEPBOX_TRACE_TIME=1 stamps parent and child lines on one clock" {
	run env STEPBOX_TRACE_TIME=1 "$STEP10" -v -- /bin/true
	assert_success
	# every trace line stamped, the stamps never go back, the child's among them
	run awk '/^ *[0-9]+\.[0-9][0-9][0-9] \[(parent|child|init)\] / { if ($1 + 0 < last) bad = 1; last = $1 + 0; n++; next }
		/\[(parent|child)\]/ { bad = 1 } END { print n, bad + 0 }' <<<"$output"
	assert_output --regexp '^[0-9]+ 0$'
	[ "${output% *}" -gt 20 ]
	run env STEPBOX_TRACE_TIME=1 "$STEP10" -v -- /bin/true
	assert_output --regexp '[0-9]\.[0-9]{3} \[child\] execve'
	# without it, the trace is the lessons' trace
	run "$STEP10" -v -- /bin/true
	assert_line --regexp '^\[parent\] waitpid'
}

@test "bench-phases: each line costs the time since the line before; medians over the runs" {
	cat >"$WORK/trace.txt" <<'EOF'
1 0.100 [parent] mkdir /run/stepbox/aaaaaaaaaaaa, flock = 0
1 0.400 [parent] mkdir /sys/fs/cgroup/memory/stepbox = 0
1 1.400 [parent] clone(CLONE_NEWUSER) = 10
1 1.500 [child] seccomp_load(EPERM: mount,pivot_root) = 0
1 2.500 [parent] waitpid(10) = exit code 0
1 3.000 [parent] rmdir /run/stepbox/aaaaaaaaaaaa = 0
2 0.300 [parent] mkdir /run/stepbox/bbbbbbbbbbbb, flock = 0
2 0.500 [parent] mkdir /sys/fs/cgroup/memory/stepbox = 0
2 2.500 [parent] clone(CLONE_NEWUSER) = 11
2 2.700 [child] seccomp_load(EPERM: mount,pivot_root) = 0
2 3.700 [parent] waitpid(11) = exit code 0
2 4.100 [parent] rmdir /run/stepbox/bbbbbbbbbbbb = 0
3 0.200 [parent] mkdir /run/stepbox/cccccccccccc, flock = 0
3 0.400 [parent] mkdir /sys/fs/cgroup/memory/stepbox = 0
3 1.900 [parent] clone(CLONE_NEWUSER) = 12
3 2.200 [child] seccomp_load(EPERM: mount,pivot_root) = 0
3 3.200 [parent] waitpid(12) = exit code 0
3 3.500 [parent] rmdir /run/stepbox/cccccccccccc = 0
EOF
	run "$REPO/scripts/bench-phases.awk" "$WORK/trace.txt"
	assert_success
	assert_output "phase,median_ms
state directory and lock,0.200
cgroup: create and set the limits,0.200
clone: seven new namespaces,1.500
seccomp filter,0.200
execve and the command until it exits,1.000
teardown: unmount and remove cgroups and state,0.400
whole run (-v),3.500"
}

@test "bench-report: a missing result file is an error that names it" {
	run "$REPO/scripts/bench-report.sh" "$WORK"
	assert_failure
	assert_output --partial "$WORK/machine.txt is missing"
}
