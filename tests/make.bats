#!/usr/bin/env bats
# Makefile targets for readers: make diff shows one lesson's code.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)

@test "make diff STEP=02: step01 -> step02, the code only" {
	run make -s --no-print-directory -C "$REPO" diff STEP=02
	assert_success
	assert_line --index 0 "diff -ruN -x run -x README.md -x HINTS -x CORE step01-uts/main.c step02-ipc/main.c"
	assert_output --partial "+#define STEP_NAME \"step02-ipc\""
	refute_output --partial "README.md"$'\n'"---"
}

@test "make diff STEP=07 shows the new files of the lesson (cgroup.c)" {
	run make -s --no-print-directory -C "$REPO" diff STEP=07
	assert_success
	assert_output --partial "+++ step07-cgroups/cgroup.c"
}

@test "make diff without a step after the first is a usage error" {
	for step in 01 x ""; do
		run make -s --no-print-directory -C "$REPO" diff STEP="$step"
		assert_failure
		assert_output --partial "STEP=NN names a step after the first"
	done
}

# A compiler that finds no libjson-c.a, as on Fedora (json-c-devel has
# only the shared library): -print-file-name then answers the bare name.
fake_cc_without_static_jsonc() {
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	cat >"$BATS_TEST_TMPDIR/bin/cc" <<'CC'
#!/bin/sh
case "$1" in
-print-file-name=*) echo "${1#-print-file-name=}"; exit 0 ;;
esac
exec /usr/bin/cc "$@"
CC
	chmod +x "$BATS_TEST_TMPDIR/bin/cc"
}

@test "make: step10 links json-c statically where libjson-c.a exists (Debian), dynamically where not (Fedora)" {
	# Debian: libjson-c-dev has the archive, every step is static
	run make -s --no-print-directory -C "$REPO" -n -B step10-exec/run step09-overlay/run
	assert_success
	assert_line --regexp '^cc .* -o step10-exec/run .* -static .*-ljson-c'
	assert_line --regexp '^cc .* -o step09-overlay/run .* -static '
	# Fedora: no archive; step10 alone is linked dynamically
	fake_cc_without_static_jsonc
	run make -s --no-print-directory -C "$REPO" -n -B CC="$BATS_TEST_TMPDIR/bin/cc" step10-exec/run step09-overlay/run
	assert_success
	assert_line --regexp '-o step10-exec/run .*-ljson-c'
	refute_line --regexp '-o step10-exec/run .* -static '
	assert_line --regexp '-o step09-overlay/run .* -static '
	# and that very link line works: run as make printed it, into a file
	# of the test's own
	line=$(grep -- '-o step10-exec/run ' <<<"$output")
	line=${line/-o step10-exec\/run /-o $BATS_TEST_TMPDIR/run10 }
	run bash -c "cd '$REPO' && $line"
	assert_success
	run readelf -d "$BATS_TEST_TMPDIR/run10"
	assert_output --regexp 'NEEDED.*libjson-c'
	run "$BATS_TEST_TMPDIR/run10" --help
	assert_success
	run "$BATS_TEST_TMPDIR/run10" --help
	assert_success
	assert_output --partial "Usage"
}

@test "README: the steps table's 'lines' column is what scripts/step-lines.sh counts" {
	run "$REPO/scripts/step-lines.sh"
	assert_success
	expected=$output
	# | NN | interfaces | LINES | runc | crun |
	actual=$(awk -F' [|] ' '/^[|] [0-9][0-9] [|]/ && $3 ~ /^[0-9]+$/ { sub(/^[|] /, "", $1); print $1, $3 }' "$REPO/README.md")
	assert_equal "$actual" "$expected"
	[ "$(wc -l <<<"$actual")" -eq "$(ls -d "$REPO"/step[0-9][0-9]-*/ | wc -l)" ]
}

@test "call-graph: no step's files call each other in a circle, or back into main.c" {
	run "$REPO/scripts/call-graph.sh" --check "$REPO"/step[0-9][0-9]-*/
	assert_success
	assert_output --regexp "^call-graph: 10 steps: no circle"
	# step10 as it is: main.c calls exec.c, exec.c calls relay.c, and
	# nothing calls main.c
	run "$REPO/scripts/call-graph.sh" step10-exec
	assert_success
	assert_line "step10-exec: main.c exec.c"
	assert_line "step10-exec: exec.c relay.c"
	refute_output --regexp ' main\.c$'
}

@test "call-graph: a file whose opening comment does not name a caller fails the check" {
	cp -r "$REPO/step05-net" "$BATS_TEST_TMPDIR/step05-net"
	cd "$BATS_TEST_TMPDIR"
	mkdir -p scripts common
	cp "$REPO/scripts/call-graph.sh" scripts/
	cp "$REPO"/common/*.h common/
	run scripts/call-graph.sh --check step05-net
	assert_success
	sed -i 's/; called by network.c (setup_veth, remove_veth)\.$/; called to make the pair./' step05-net/veth.c
	run scripts/call-graph.sh --check step05-net
	assert_failure
	assert_line "call-graph: step05-net: veth.c's opening comment does not say that network.c calls it"
}

@test "call-graph: a file whose opening comment does not name the step that brought it, or names the wrong one, fails the check" {
	cp -r "$REPO/step04-mount" "$REPO/step05-net" "$BATS_TEST_TMPDIR/"
	cd "$BATS_TEST_TMPDIR"
	mkdir -p scripts common
	cp "$REPO/scripts/call-graph.sh" scripts/
	cp "$REPO"/common/*.h common/
	run scripts/call-graph.sh --check step04-mount step05-net
	assert_success
	# step04 has mounts.c already
	sed -i 's/Brought by step03/Brought by step05/' step05-net/mounts.c
	# and step04 has no veth.c
	sed -i 's/Brought by step05/Brought by step04/' step05-net/veth.c
	sed -i 's/Brought by step01/Brought by nobody/' step05-net/relay.c
	run scripts/call-graph.sh --check step04-mount step05-net
	assert_failure
	assert_line "call-graph: step05-net: mounts.c says step05 brought it, but step04-mount has it already"
	assert_line "call-graph: step05-net: veth.c says step04 brought it, but step04-mount has no veth.c"
	assert_line "call-graph: step05-net: relay.c's opening comment does not say which step brought it (\"Brought by stepNN\")"
}

@test "call-graph: a call back into main.c, or a circle, fails the check" {
	# a copy of step03 whose terminal.c calls a function of main.c
	cp -r "$REPO/step03-pid" "$BATS_TEST_TMPDIR/step03-pid"
	cd "$BATS_TEST_TMPDIR"
	mkdir -p scripts common
	cp "$REPO/scripts/call-graph.sh" scripts/
	cp "$REPO"/common/*.h common/
	sed -i 's/^static void set_hostname(/void set_hostname(/' step03-pid/main.c
	printf 'void set_hostname(const char *name);\nvoid call_back(void) { set_hostname("x"); }\n' >>step03-pid/terminal.c
	run scripts/call-graph.sh --check step03-pid
	assert_failure
	assert_line "call-graph: step03-pid: terminal.c calls into main.c"
	assert_output --partial "go round in a circle"
}
