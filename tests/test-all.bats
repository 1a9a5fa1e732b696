#!/usr/bin/env bats
# scripts/test-all.sh (make test): every stage runs to its end, a failing
# one does not stop the others, and the report names each stage's result
# and first failure. Run with a make of the test's own that only records
# what it was asked and answers as told.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)

setup() {
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	# FAIL_TARGETS: the make targets that fail, with a TAP failure line
	cat >"$BATS_TEST_TMPDIR/bin/make" <<'MAKE'
#!/bin/sh
echo "$*" >>"$ORDER"
echo "start $*" >>"$SPANS"
sleep 0.2
echo "end $*" >>"$SPANS"
for t in $FAIL_TARGETS; do
	case " $* " in
	*" $t "*)
		echo "ok 1 fine"
		echo "not ok 2 $t: the thing broke"
		echo "1 passed, 1 failed"
		exit 1
		;;
	esac
done
echo "ok 1 fine"
echo "1 passed, 0 failed"
MAKE
	chmod +x "$BATS_TEST_TMPDIR/bin/make"
	export ORDER=$BATS_TEST_TMPDIR/order SPANS=$BATS_TEST_TMPDIR/spans
}

test_all() {
	PATH="$BATS_TEST_TMPDIR/bin:$PATH" TEST_LOGS="$BATS_TEST_TMPDIR/logs" HOSTILE_ENV=env \
		"$REPO/scripts/test-all.sh" "$@"
}

@test "test-all: every stage runs once, a stage's line each, 0 when all pass" {
	run test_all
	assert_success
	for stage in unit sanitize valgrind scripts fuzz bats oci asan lessons vm oci-vm lessons-vm; do
		assert_line --regexp "^  ok +$stage +[0-9]+m[0-9]{2}s +1 passed, 0 failed"
	done
	assert_line "stages: 12 passed, 0 failed"
	assert_line "tests: 12 passed, 0 failed, 0 skipped"
	# the build first, then each target once
	assert_equal "$(head -n1 "$ORDER")" "--no-print-directory all rootfs probe breakout build/bench/nsclone"
	assert_equal "$(grep -c . "$ORDER")" 13
	assert_equal "$(grep -c -- '--no-print-directory test-bats$' "$ORDER")" 1
}

@test "test-all: a failing stage does not stop the rest; each failure is named; non-zero at the end" {
	FAIL_TARGETS="test-unit test-bats check-lessons-vm" run test_all
	assert_failure
	assert_line --regexp '^  FAIL +unit .*1 passed, 1 failed; first: not ok 2 test-unit: the thing broke'
	assert_line --regexp '^  FAIL +bats .*first: not ok 2 test-bats: the thing broke'
	assert_line --regexp '^  FAIL +lessons-vm .*first: not ok 2 check-lessons-vm: the thing broke'
	assert_line --regexp '^  ok +asan '
	assert_line --regexp '^  ok +vm '
	assert_line "stages: 9 passed, 3 failed"
	assert_line "tests: 12 passed, 3 failed, 0 skipped"
	# every stage after the first failure still ran
	run grep -c . "$ORDER"
	assert_output 13
}

@test "test-all: host stages one at a time, in the README's order" {
	run test_all
	assert_success
	run grep -vE 'test-vm|test-oci-vm|check-lessons-vm|all rootfs' "$ORDER"
	assert_output "--no-print-directory test-unit
--no-print-directory test-sanitize
--no-print-directory test-valgrind
--no-print-directory test-scripts
--no-print-directory fuzz FUZZ_SECONDS=5
--no-print-directory test-bats
--no-print-directory test-oci
--no-print-directory test-asan
--no-print-directory check-lessons"
	# and none of them began before the one before it ended
	run bash -c "grep -vE 'test-vm|test-oci-vm|check-lessons-vm|all rootfs' '$SPANS' | paste - - |
		awk '\$1 != \"start\" || \$NF == \"\" { bad = 1 } { sub(/^start /, \"\", \$0) } END { exit bad }'"
	assert_success
	run bash -c "grep -vE 'test-vm|test-oci-vm|check-lessons-vm|all rootfs' '$SPANS' | paste - - | grep -vc '^start \(.*\)	end \1\$'"
	assert_output 0
}

@test "test-all: named stages only; an unknown one is a usage error" {
	run test_all bats vm
	assert_success
	assert_equal "$(grep -c . "$ORDER")" 3
	assert_line "stages: 2 passed, 0 failed"
	run test_all nosuch
	assert_equal "$status" 2
	assert_output --partial "no stage 'nosuch'"
}
