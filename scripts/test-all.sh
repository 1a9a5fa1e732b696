#!/usr/bin/env bash
# test-all.sh — every test stage, each to the end, and one report (make test).
#
#   scripts/test-all.sh            every stage
#   scripts/test-all.sh STAGE...   only these (names as in the report)
#
# A newcomer's first `make test` should show the whole picture: a red
# stage does not stop the others. Each stage is an ordinary make target
# (make test-bats, make test-vm, ...), its output kept whole in
# build/test-logs/STAGE.log; at the end one line per stage says ok or
# FAIL, its time, its count of tests and, for a failure, the first test
# that failed. The exit status is non-zero if any stage failed.
#
# Two lanes run side by side, since a 2-core machine has a core to spare
# for each: the host lane (unit tests to lessons) and the VM lane (the
# same suites on the other cgroup layout, under qemu's software
# emulation, which is the long pole). Nothing in the VM touches the
# host's mounts, cgroups or links, so the host suites' "host as found"
# checks hold while it runs. The host lane's output goes to the terminal
# as it runs; the VM lane's to its logs, shown for a stage that fails.
#
# The script and bats suites run under scripts/hostile-env.sh: no stdin,
# no tty, no HOME or TERM, a German LANG, no /lib/modules, a /tmp only
# root may write. What passes there passes on any fresh machine.
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo" || exit 1
# TEST_LOGS and HOSTILE_ENV: another log directory and wrapper (for
# tests/test-all.bats, which runs this with a make of its own).
logs=${TEST_LOGS:-$repo/build/test-logs}
hostile=${HOSTILE_ENV:-$repo/scripts/hostile-env.sh}

# name | make target | lane | how: plain or hostile
# In the VM lane, stages of one group (vm:1) run side by side: the
# suite's two guests, the clients' and the lessons' guests, four at once,
# niced, taking what the host lane leaves. Under software emulation the
# lane is bound by the CPU, so what matters is that no core idles: run
# one group after another and the last guest of each runs alone at the
# end while the other core waits (the clients' guest took 25 minutes,
# the lessons' 10, on a slow CI machine).
stages=(
	"unit|test-unit|host|plain"
	"sanitize|test-sanitize|host|plain"
	"valgrind|test-valgrind|host|plain"
	"scripts|test-scripts|host|hostile"
	"fuzz|fuzz FUZZ_SECONDS=5|host|plain"
	"bats|test-bats|host|hostile"
	"oci|test-oci|host|plain"
	"asan|test-asan|host|plain"
	"lessons|check-lessons|host|plain"
	"vm|test-vm|vm:1|plain"
	"oci-vm|test-oci-vm|vm:1|plain"
	"lessons-vm|check-lessons-vm|vm:1|plain"
)

only=("$@")
wanted() {
	[ ${#only[@]} -eq 0 ] && return 0
	local o
	for o in "${only[@]}"; do [ "$o" = "$1" ] && return 0; done
	return 1
}
for o in "${only[@]}"; do
	grep -q "^$o|" < <(printf '%s\n' "${stages[@]}") || {
		echo "test-all: no stage '$o'; the stages: $(printf '%s\n' "${stages[@]}" | cut -d'|' -f1 | xargs)" >&2
		exit 2
	}
done

rm -rf "$logs"
mkdir -p "$logs"

# run_stage NAME TARGET HOW [tee]: the stage's make target, its log, and
# a result file NAME.result: "rc seconds".
run_stage() {
	local name=$1 target=$2 how=$3 show=${4:-} start rc
	local -a cmd
	read -r -a cmd <<<"make --no-print-directory $target"
	[ "$how" = hostile ] && cmd=("$hostile" "${cmd[@]}")
	start=$(date +%s)
	echo "=== test-all: $name (make $target$([ "$how" = hostile ] && echo ', hostile environment'))"
	if [ "$show" = tee ]; then
		"${cmd[@]}" </dev/null 2>&1 | tee "$logs/$name.log"
		rc=${PIPESTATUS[0]}
	else
		"${cmd[@]}" </dev/null >"$logs/$name.log" 2>&1
		rc=$?
	fi
	echo "$rc $(($(date +%s) - start))" >"$logs/$name.result"
	echo "=== test-all: $name: exit $rc in $(($(date +%s) - start)) s"
}

# lane LANE SHOW: the lane's stages in order, one at a time; only the
# stages of a numbered group (LANE:N) run side by side.
lane() {
	local lane=$1 show=$2 s name target l how group
	local -a groups pids
	for s in "${stages[@]}"; do
		IFS='|' read -r name target l how <<<"$s"
		[ "${l%%:*}" = "$lane" ] && wanted "$name" || continue
		if [[ $l == *:* ]]; then
			[[ " ${groups[*]} " == *" $l "* ]] || groups+=("$l")
		else
			groups+=("=$name")
		fi
	done
	for group in "${groups[@]}"; do
		pids=()
		for s in "${stages[@]}"; do
			IFS='|' read -r name target l how <<<"$s"
			[ "$l" = "$group" ] || [ "=$name" = "$group" ] || continue
			wanted "$name" || continue
			run_stage "$name" "$target" "$how" "$show" &
			pids+=($!)
		done
		for p in "${pids[@]}"; do wait "$p"; done
	done
}

t0=$(date +%s)
# What both lanes need, built once before they start, so that two makes
# never build the same file at once.
echo "=== test-all: building the steps, the rootfs and the test programs"
if ! make --no-print-directory all rootfs probe breakout build/bench/nsclone >"$logs/build.log" 2>&1; then
	cat "$logs/build.log"
	echo "test-all: the build failed; no stage can run" >&2
	exit 1
fi

# Four guests share two cores with the host lane, each slower than alone:
# a guest's time limit (scripts/vm-test.sh, 40 minutes by default) is
# 75 minutes here, within CI's 90.
VM_TIMEOUT=${VM_TIMEOUT:-4500} lane vm quiet >"$logs/vm-lane.log" 2>&1 &
vm_lane=$!
lane host tee
host_end=$(date +%s)
wait "$vm_lane"
t1=$(date +%s)

# --- the report ------------------------------------------------------------

# count LOG: "P passed, F failed, S skipped" from the runner's own
# closing line where it has one, else bats' TAP lines, else cmocka's.
count() {
	local log=$1 line p f s
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1)
	if [ -n "$line" ]; then
		echo "$line"
		return
	fi
	p=$(grep -cE '^ok [0-9]+' "$log")
	s=$(grep -cE '^ok [0-9]+ .*# skip' "$log")
	f=$(grep -cE '^not ok [0-9]+' "$log")
	if [ $((p + f)) -eq 0 ]; then
		p=$(grep -E '^\[  PASSED  \] [0-9]+ test' "$log" | awk '{ n += $4 } END { print n + 0 }')
		f=$(grep -E '^\[  FAILED  \] [0-9]+ test' "$log" | awk '{ n += $4 } END { print n + 0 }')
		s=0
	fi
	echo "$((p - s)) passed, $f failed, $s skipped"
}

# first_failure LOG: the first failing test, or the last error line.
first_failure() {
	local log=$1 l
	l=$(grep -m1 -E '^not ok ([0-9]+|-)|^\[  FAILED  \] [a-z_]|^FAIL' "$log")
	[ -n "$l" ] || l=$(grep -v '^\s*$' "$log" | grep -iE 'error|fail|differ' | tail -n1)
	[ -n "$l" ] || l=$(grep -v '^\s*$' "$log" | tail -n1)
	echo "${l:0:150}"
}

mmss() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

failed=0 total_p=0 total_f=0 total_s=0
report=()
for s in "${stages[@]}"; do
	IFS='|' read -r name target l how <<<"$s"
	wanted "$name" || continue
	if [ ! -f "$logs/$name.result" ]; then
		report+=("$(printf '  %-4s  %-10s  %7s  %s' FAIL "$name" - "did not run (see $logs/vm-lane.log)")")
		failed=$((failed + 1))
		continue
	fi
	read -r rc secs <"$logs/$name.result"
	c=$(count "$logs/$name.log")
	read -r p _ f _ sk _ <<<"${c//,/}"
	total_p=$((total_p + p)) total_f=$((total_f + f)) total_s=$((total_s + ${sk:-0}))
	if [ "$rc" -eq 0 ]; then
		report+=("$(printf '  %-4s  %-10s  %7s  %s' ok "$name" "$(mmss "$secs")" "$c")")
	else
		failed=$((failed + 1))
		[ "$f" -gt 0 ] || total_f=$((total_f + 1))
		report+=("$(printf '  %-4s  %-10s  %7s  %s; first: %s' FAIL "$name" "$(mmss "$secs")" "$c" "$(first_failure "$logs/$name.log")")")
		# the VM lane's output was not shown as it ran
		if [ "${l%%:*}" = vm ]; then
			echo "=== test-all: $name failed; the end of its log ($logs/$name.log):"
			tail -n 40 "$logs/$name.log"
		fi
	fi
done

echo
echo "=== make test: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(mmss $((t1 - t0))) in all" \
	"(host lane $(mmss $((host_end - t0))), VM lane alongside); logs in $logs/"
printf '%s\n' "${report[@]}"
echo "stages: $(( ${#report[@]} - failed )) passed, $failed failed"
echo "tests: $total_p passed, $total_f failed, $total_s skipped"
[ "$failed" -eq 0 ]
