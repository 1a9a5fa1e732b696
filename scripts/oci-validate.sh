#!/usr/bin/env bash
# oci-validate.sh — the runtime-spec's own validation suite
# (opencontainers/runtime-tools, validation/*) against an OCI runtime:
# builds the suite's test programs from a runtime-tools checkout (once,
# cached in build/oci-validate/), runs each against the runtime, as
# root, with a timeout, and prints a line per test (assertions passed of
# those run) and the totals. --compare runs two runtimes and prints where
# they differ. Not in `make test`: the source is not in this repository
# and CI has no network to get it. Needs Go (Debian's golang-go) and, for
# --edit-config, jq; the build uses the checkout's vendored modules only
# (checked with runtime-tools 0105384 and Debian 12's Go 1.19: about 20 s
# to build, a minute to run against runc here).
#
#   make validate-oci RUNTIME_TOOLS_SRC=/src/runtime-tools      # step 10
#   sudo RUNTIME_TOOLS_SRC=/src/runtime-tools scripts/oci-validate.sh /usr/sbin/runc
#   sudo scripts/oci-validate.sh --src /src/runtime-tools --compare /usr/sbin/runc step10-exec/run
#   ... -t 'hooks|process_.*' -v --edit-config 'del(.hooks)' step10-exec/run
#
# -t REGEX: only the tests (validation/NAME) it matches; -v: for each test
# that fails, its first reason (the assertion, or the runtime's error);
# --timeout S a test (120); --edit-config JQ-FILTER (or
# --edit-config-file FILE): change each config.json before create, to see
# past a refusal (with --compare, B's only: A is the reference); -h:
# this text.
#
# Each runtime runs with a state directory of its own (--root, removed at
# the end) and the bundles in the run's directory; the host's mounts,
# cgroups, network links and processes are compared before and after, and
# what a runtime left (a container, a cgroup) is reported, then removed.
# Logs: build/oci-validate/runs/DATE-NAME/ (TEST.tap, TEST.err; calls.log:
# every runtime call, its exit status and error; configs/: each
# config.json as the runtime got it; left.log: what each test left).
set -euo pipefail

self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
repo=$(dirname "$(dirname "$self")")
out=$repo/build/oci-validate
src=${RUNTIME_TOOLS_SRC:-}
timeout_s=${OCI_VALIDATE_TIMEOUT:-120}
filter=
verbose=false
edit=
compare=false

usage() {
	sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit 0
}

die() {
	echo "oci-validate: $*" >&2
	exit 2
}

# One test, in a mount namespace of its own (run_suite has unshare run
# this script again with --one): a runtime told to make no mount
# namespace mounts the container's /proc, /dev and /sys in its caller's,
# and a shared rootfsPropagation sends mounts back to it; there they die
# with the test instead of staying on the host. BASE.mounts: what the
# test left mounted in that namespace.
run_one() {
	local prog=$1 base=$2 rc=0
	awk '{ print $5 }' /proc/self/mountinfo | sort -u >"$base.mounts-before"
	timeout -k 10 "$timeout_s" "$prog" >"$base.tap" 2>"$base.err" </dev/null || rc=$?
	awk '{ print $5 }' /proc/self/mountinfo | sort -u | comm -13 "$base.mounts-before" - >"$base.mounts"
	rm -f "$base.mounts-before"
	exit "$rc"
}
if [ "${1:-}" = --one ]; then
	timeout_s=$2
	shift 2
	run_one "$@"
fi

while [ $# -gt 0 ]; do
	case $1 in
	--src) src=${2:?--src DIR}; shift 2 ;;
	-t | --tests) filter=${2:?-t REGEX}; shift 2 ;;
	--timeout) timeout_s=${2:?--timeout SECONDS}; shift 2 ;;
	--edit-config) edit=${2:?--edit-config JQ-FILTER}; shift 2 ;;
	--edit-config-file) edit=$(cat "${2:?--edit-config-file FILE}") || die "cannot read $2"; shift 2 ;;
	-v | --verbose) verbose=true; shift ;;
	--compare) compare=true; shift ;;
	-h | --help) usage ;;
	-*) die "unknown option $1 (--help)" ;;
	*) break ;;
	esac
done
if $compare; then
	[ $# -eq 2 ] || die "--compare takes two runtimes, A and B"
else
	[ $# -eq 1 ] || die "one runtime (a path), or --compare A B (--help)"
fi
[ "$(id -u)" -eq 0 ] || die "the suite makes namespaces, cgroups and mounts: run as root"
[ -n "$src" ] || die "no runtime-tools checkout: RUNTIME_TOOLS_SRC=DIR or --src DIR (git clone https://github.com/opencontainers/runtime-tools)"
[ -f "$src/validation/util/test.go" ] || die "$src is not a runtime-tools checkout (no validation/util/test.go)"
[ -d "$src/vendor" ] || die "$src has no vendor/ directory: the build uses the vendored modules, without network"
[[ $timeout_s =~ ^[1-9][0-9]*$ ]] || die "--timeout is seconds, not '$timeout_s'"
command -v go >/dev/null || die "go is not installed (apt-get install golang-go)"
if [ -n "$edit" ]; then
	command -v jq >/dev/null || die "--edit-config needs jq (apt-get install jq)"
	jq -n "try ($edit) catch null" >/dev/null 2>&1 || die "--edit-config: jq cannot compile '$edit'"
fi
src=$(cd "$src" && pwd)
runtimes=()
for r in "$@"; do
	p=$(command -v "$r" 2>/dev/null) || die "runtime $r: not found"
	[ -x "$p" ] || die "runtime $p: not executable"
	runtimes+=("$(cd "$(dirname "$p")" && pwd)/$(basename "$p")")
done

# --- build: the suite's programs, once per source ----------------------

# What the binaries are built from: every Go file, go.mod and the vendor
# list of the checkout, and the compiler.
source_hash() {
	{
		go version
		(cd "$src" && find . -type f \( -name '*.go' -o -name go.mod -o -name modules.txt \) -print0 |
			sort -z | xargs -0 sha256sum)
	} | sha256sum | cut -d' ' -f1
}

build_suite() {
	local hash
	hash=$(source_hash)
	if [ -f "$out/built" ] && [ "$(cat "$out/built")" = "$hash" ]; then
		return 0
	fi
	echo "oci-validate: building the validation programs from $src (once)" >&2
	rm -rf "${out:?}/bin" "$out/built"
	mkdir -p "$out/bin/validation" "$out/go"
	local t0=$SECONDS
	# No network: the vendored modules only; the Go cache in build/.
	(
		cd "$src"
		export GOFLAGS=-mod=vendor GOPROXY=off GOTOOLCHAIN=local
		export GOPATH=$out/go GOCACHE=$out/go/cache
		# runtimetest runs inside the containers' busybox rootfs: static.
		CGO_ENABLED=0 go build -tags 'netgo osusergo' -o "$out/bin/runtimetest" ./cmd/runtimetest
		go build -o "$out/bin/validation/" ./validation/...
	) || die "go build failed in $src (see above)"
	# The tests look for these two in their working directory.
	cp "$src/rootfs-$(go env GOARCH).tar.gz" "$out/bin/"
	echo "$hash" >"$out/built"
	echo "oci-validate: built $(find "$out/bin/validation" -type f | wc -l) programs in $((SECONDS - t0))s" >&2
}

# --- the host before and after ------------------------------------------

# One line per thing a run could leave: mount points, cgroup directories,
# network links, and processes of the suite (its runtimetest, the
# `unshare ... sleep 10000` of the namespace tests, anything run from
# the run's directory; zombies are pid 1's to reap).
host_traces() {
	awk '{ print "mount " $5 }' /proc/self/mountinfo | sort -u
	cgroup_dirs | sed 's/^/cgroup /'
	ip -o link show 2>/dev/null | awk -F': ' '{ print "link " $2 }' | sort
	ps -eo pid=,args= | grep -E "runtimetest|sleep 10000|$run_dir" | grep -v -E "grep -E|ps -eo|<defunct>" |
		sed 's/^ */process /' | sort || true
}

cgroup_dirs() {
	find /sys/fs/cgroup -mindepth 1 -type d 2>/dev/null | sort
}

# What a test left in the runtime's state directory: delete it (the
# runtime's own delete --force). Prints how many.
delete_containers() {
	local rt=$1 id n=0
	for id in "$state"/*; do
		[ -d "$id" ] || continue
		echo "${test:-?}: container $(basename "$id") left in --root, deleted" >>"$run_dir/left.log"
		timeout 30 "$rt" --root "$state" delete --force "$(basename "$id")" >/dev/null 2>&1 || true
		n=$((n + 1))
	done
	echo "$n"
}

# New cgroup directories since BEFORE that are the suite's (its
# cgroupsPaths /cgrouptest and testdir/cgrouptest/container, or named for
# a container of TEST): rmdir them, deepest first. A runtime removes the
# leaf of a nested cgroupsPath; the parents it made stay. Others are only
# counted: they may be another process's. Prints "REMOVED KEPT".
remove_new_cgroups() {
	local before=$1 test=$2 d ids removed=0 kept=0
	ids=$(sed -n -E "s/^$test: create .* ([^ ]+) -> [0-9]+\$/\\1/p" "$run_dir/calls.log" | sort -u | paste -sd'|')
	while read -r d; do
		if [[ $d =~ /(cgrouptest|testdir|${ids:-cgrouptest})(/|$) ]] && rmdir "$d" 2>/dev/null; then
			removed=$((removed + 1))
			echo "$test: removed cgroup $d" >>"$run_dir/left.log"
		else
			kept=$((kept + 1))
			echo "$test: new cgroup $d (not the suite's?), kept" >>"$run_dir/left.log"
		fi
	done < <(comm -13 "$before" <(cgroup_dirs) | sort -r)
	echo "$removed $kept"
}

# --- one run --------------------------------------------------------------

# The runtime as the suite calls it: with our --root, every call logged,
# and with --edit-config, the bundle's config.json changed before create.
write_wrapper() {
	local rt=$1
	cat >"$run_dir/runtime" <<EOF
#!/usr/bin/env bash
# $rt, as oci-validate.sh gives it to the suite
rt='$rt' state='$state' log='$run_dir/calls.log' configs='$run_dir/configs'
edit=$(printf %q "$edit")
EOF
	cat >>"$run_dir/runtime" <<'EOF'
if [ "${1:-}" = create ]; then
	bundle=.
	prev=
	for a in "$@"; do
		[ "$prev" = --bundle ] && bundle=$a
		prev=$a
	done
	if [ -n "$edit" ]; then
		if jq "$edit" "$bundle/config.json" >"$bundle/config.json.edit"; then
			mv "$bundle/config.json.edit" "$bundle/config.json"
		else
			echo "${OCI_VALIDATE_TEST:-?}: --edit-config failed on $bundle/config.json" >>"$log"
		fi
	fi
	# the config the runtime got, CONFIGS/TEST.ID.json (the bundle goes)
	cp "$bundle/config.json" "$configs/${OCI_VALIDATE_TEST:-?}.${*: -1}.json" 2>/dev/null || true
fi
rc=0
if [ "${1:-}" = create ] || [ "${1:-}" = run ]; then
	# The container inherits this stderr (the suite reads it): leave it,
	# and on failure log what the runtime added to it.
	err=$(readlink /proc/$$/fd/2 || true)
	size=0
	[ -f "$err" ] && size=$(stat -c %s "$err")
	"$rt" --root "$state" "$@" || rc=$?
	echo "${OCI_VALIDATE_TEST:-?}: $* -> $rc" >>"$log"
	if [ "$rc" -ne 0 ] && [ -f "$err" ]; then
		tail -c +$((size + 1)) "$err" | head -c 2000 | sed 's/^/    /' >>"$log"
	fi
else
	out=$(mktemp)
	"$rt" --root "$state" "$@" 2>"$out" || rc=$?
	echo "${OCI_VALIDATE_TEST:-?}: $* -> $rc" >>"$log"
	head -c 2000 "$out" | sed 's/^/    /' >>"$log"
	cat "$out" >&2
	rm -f "$out"
fi
exit "$rc"
EOF
	chmod 755 "$run_dir/runtime"
}

# TAP of one test -> "PASSED FAILED SKIPPED" (top-level lines only: the
# YAML under a line, runtimetest's own TAP included, is indented). The
# suite reports some failures as a YAML block with an "error" and no
# assertion before it (e.g. a hook not run): each is one failure. An
# assertion's name may go on over lines ("Refer to: ...").
tap_counts() {
	awk '
		/^ok / { if (tolower($0) ~ /# skip/) s++; else p++; last = "a"; next }
		/^not ok / { f++; last = "a"; next }
		/^  ---/ { orphan = (last != "a"); inyaml = 1; next }
		/^  \.\.\./ { inyaml = 0; last = "y"; next }
		inyaml && orphan && /^ *"error": "./ { f++; orphan = 0; next }
		inyaml { next }
		/^TAP version/ { last = "h" }
		END { printf "%d %d %d\n", p, f, s }' "$1"
}

# The first reason a test gave: its first failed assertion, or the
# suite's error, or the first line it wrote to stderr.
first_reason() {
	local base=$1 r
	r=$(grep -m1 '^not ok' "$base.tap" || true)
	[ -n "$r" ] || r=$(grep -m1 -E '^ *"error": "[^"]' "$base.tap" | sed -E 's/^ *"error": //' || true)
	[ -n "$r" ] || r=$(grep -v -E '^$|failed to (create|start) the container' "$base.err" | head -n1 || true)
	# and what the runtime said (calls.log) where create or start failed
	# (some tests want that: their reason is then the assertion's)
	local said
	said=$(awk -v t="$(basename "$base"): " '
		index($0, t) == 1 && $0 ~ / (create|start) .*-> [1-9][0-9]*$/ { found = 1; next }
		found && /^    / { sub(/^ +/, ""); print; exit }
		found { found = 0 }' "$(dirname "$base")/calls.log")
	[ -z "$said" ] || [[ $r == *"$said"* ]] || r+=" <- $said"
	printf '%s' "${r:0:240}"
}

# run_suite RUNTIME NAME: every test; sets run_dir; results in
# $run_dir/results (TEST PASSED FAILED SKIPPED STATUS).
run_suite() {
	local rt=$1 name=$2 t test rc p f s status line n cg left
	run_dir=$out/runs/$(date -u +%Y%m%dT%H%M%S)-$name
	mkdir -p "$run_dir/tmp" "$run_dir/configs"
	: >"$run_dir/calls.log"
	# Short: runtimes put sockets under --root (sun_path is 108 bytes).
	state=$(mktemp -d /run/ocival.XXXXXX)
	chmod 700 "$state"
	write_wrapper "$rt"
	# Interrupted: still delete the containers and the state directory.
	trap 'delete_containers "$rt" >/dev/null; rm -rf --one-file-system "$state"' EXIT
	trap 'exit 130' INT TERM
	: >"$run_dir/results"
	host_traces >"$run_dir/host.before"
	echo "=== $rt ($(basename "$run_dir"), timeout ${timeout_s}s a test${edit:+, config.json edited})"
	local t0=$SECONDS
	for t in "$out"/bin/validation/*; do
		test=$(basename "$t")
		[ -z "$filter" ] || [[ $test =~ ^($filter)$ ]] || continue
		cgroup_dirs >"$run_dir/cgroups.before"
		rc=0
		# cwd: the suite's rootfs tarball and runtimetest; TMPDIR: the
		# bundles; timeout kills the test's whole process group.
		(cd "$out/bin" && OCI_VALIDATE_TEST=$test RUNTIME=$run_dir/runtime TMPDIR=$run_dir/tmp \
			unshare --mount --propagation slave "$self" --one "$timeout_s" "$t" "$run_dir/$test") || rc=$?
		read -r p f s < <(tap_counts "$run_dir/$test.tap")
		left=
		n=$(delete_containers "$rt")
		[ "$n" -eq 0 ] || left+=" $n container(s)"
		read -r cg n < <(remove_new_cgroups "$run_dir/cgroups.before" "$test")
		[ "$cg" -eq 0 ] || left+=" $cg cgroup(s)"
		[ "$n" -eq 0 ] || left+=" $n other new cgroup(s)"
		sed "s/^/$test: mount left in its namespace: /" "$run_dir/$test.mounts" >>"$run_dir/left.log"
		n=$(wc -l <"$run_dir/$test.mounts")
		[ "$n" -eq 0 ] || left+=" $n mount(s) in its caller's namespace"
		rm -rf --one-file-system "${run_dir:?}/tmp/"*
		status=ok
		if [ $((p + f + s)) -eq 0 ]; then
			# e.g. runtimetest's TAP is the container's stdout: none came
			status=no-assertions
		fi
		if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
			status=TIMEOUT
		elif [ "$rc" -ne 0 ]; then
			status="exit-$rc"
		elif [ "$f" -ne 0 ]; then
			status=failed
		fi
		echo "$test $p $f $s $status" >>"$run_dir/results"
		line=$(printf '  %-36s %4d/%-4d' "$test" "$p" "$((p + f))")
		[ "$s" -eq 0 ] || line+=" ($s skipped)"
		[ "$status" = ok ] || line+="  $status"
		[ -z "$left" ] || line+="  left:$left"
		echo "$line"
		if $verbose && [ "$status" != ok ]; then
			echo "      $(first_reason "$run_dir/$test")"
		fi
	done
	rmdir "$state" 2>/dev/null || { echo "  left: files in --root $state (removing)"; rm -rf --one-file-system "$state"; }
	trap - EXIT INT TERM
	rmdir "$run_dir/tmp" 2>/dev/null || echo "  left: $run_dir/tmp not empty (a mount?)"
	rm -f "$run_dir/cgroups.before"
	host_traces >"$run_dir/host.after"
	if ! diff -q "$run_dir/host.before" "$run_dir/host.after" >/dev/null; then
		echo "  the host changed during the run (by this run, or by another process):"
		comm -13 "$run_dir/host.before" "$run_dir/host.after" | sed 's/^/    new: /'
		comm -23 "$run_dir/host.before" "$run_dir/host.after" | sed 's/^/    gone: /'
	fi
	awk -v secs=$((SECONDS - t0)) '
		{ p += $2; n += $2 + $3; if ($5 == "ok") ok++; tests++ }
		END { printf "  total: %d/%d assertions passed; %d/%d tests without a failure; %ds\n", p, n, ok, tests, secs }' \
		"$run_dir/results"
}

# The assertions of a TAP file that are KIND (ok, not ok, skip), one a
# line, numbers (random paths, ids) made N so that two runs compare.
assertions() {
	local kind=$1 file=$2
	awk -v kind="$kind" '
		/^ok / { k = (tolower($0) ~ /# skip/) ? "skip" : "ok" }
		/^not ok / { k = "not ok" }
		/^(ok|not ok) / {
			if (k != kind) next
			sub(/^(not )?ok [0-9]+ *-? */, ""); sub(/ *# [Ss][Kk][Ii][Pp].*/, "")
			gsub(/[0-9]+/, "N"); print }' "$file" | sort -u
}

# Where B does worse or better than A: the counts; what A passed and B
# failed, and how many of A's B skipped or never got to; B's first reason.
compare_runs() {
	local a=$1 b=$2 test pa fa pb fb sa sb gone failed skipped n
	echo "=== where they differ (A = ${runtimes[0]}, B = ${runtimes[1]}${edit:+, config.json of B edited})"
	while read -r test pa fa _ sa; do
		read -r _ pb fb _ sb < <(grep "^$test " "$b/results") || continue
		[ "$pa $fa $sa" != "$pb $fb $sb" ] || continue
		printf '  %-36s A %d/%d %s   B %d/%d %s\n' "$test" "$pa" "$((pa + fa))" "$sa" "$pb" "$((pb + fb))" "$sb"
		gone=$(comm -23 <(assertions ok "$a/$test.tap") <(assertions ok "$b/$test.tap"))
		failed=$(comm -12 <(printf '%s\n' "$gone") <(assertions 'not ok' "$b/$test.tap") | grep . || true)
		skipped=$(comm -12 <(printf '%s\n' "$gone") <(assertions skip "$b/$test.tap") | grep -c . || true)
		if [ -n "$failed" ]; then
			head -n 8 <<<"$failed" | sed 's/^/      ok in A, not ok in B: /'
			[ "$(wc -l <<<"$failed")" -le 8 ] || echo "      ... and $(($(wc -l <<<"$failed") - 8)) more"
		fi
		[ "$skipped" -eq 0 ] || echo "      $skipped ok in A, skipped in B"
		n=$(($(grep -c . <<<"$gone" || true) - $(grep -c . <<<"$failed" || true) - skipped))
		[ "$n" -le 0 ] || echo "      $n ok in A, not reached in B"
		[ "$sb" = ok ] || echo "      B: $(first_reason "$b/$test")"
	done <"$a/results"
}

build_suite
if $compare; then
	# A is the reference: as the suite makes it, whatever --edit-config
	edit_b=$edit
	edit=
	run_suite "${runtimes[0]}" A-"$(basename "${runtimes[0]}")"
	dir_a=$run_dir
	edit=$edit_b
	run_suite "${runtimes[1]}" B-"$(basename "${runtimes[1]}")"
	compare_runs "$dir_a" "$run_dir"
else
	run_suite "${runtimes[0]}" "$(basename "$(dirname "${runtimes[0]}")")-$(basename "${runtimes[0]}")"
fi
