#!/usr/bin/env bats
# make exercise / check-exercise (scripts/exercise.sh): each step's lesson
# as an exercise, the core (the default) or all of it (FULL=1). For every
# step: the work area builds; the full one is the previous step's code
# plus TODOs, the core the step's own code but for a few function bodies;
# each fails a test of its step that the real step passes (the core: each
# blank alone); regenerating keeps a participant's edits; the hints and
# the blanks cannot drift from the code. Needs root (the step's tests run
# containers).

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)

setup() {
	T=$(mktemp -d /var/tmp/stepbox-exercise.XXXXXX)
	export WORKSHOP=$T/ws
}

teardown() {
	rm -rf "$T"
}

# build NN: the work area of step NN, built into $WORKSHOP/stepNN-*/run.
build() {
	local dir step libs=()
	run "$REPO/scripts/exercise.sh" "$1"
	assert_success
	assert_output --regexp "^exercise: $T/ws/step$1-[a-z]+: [0-9]+ things to do"
	dir=$(echo "$WORKSHOP"/step"$1"-*)
	step=${dir##*/}
	[ "$step" != step10-exec ] || libs=(-lseccomp -ljson-c)
	# -Wno-error=...: the Makefile's EX_WARN, as make check-exercise builds
	cc -std=gnu11 -Wall -Wextra -Werror -Wno-error=unused-function -Wno-error=unused-const-variable \
		-I"$REPO/common" -DSTEPBOX_ROOTFS="\"$REPO/build/rootfs\"" -o "$dir/run" "$dir"/*.c \
		"$REPO"/common/*.c -lm "${libs[@]}"
}

# first_test NN: "FILE:TITLE", the test of step NN that its exercise must
# fail and the step pass: the first of its own file that step NN-1 cannot
# pass.
first_test() {
	case $1 in
	02) echo "02-ipc.bats:ipc: a queue the host has is invisible inside" ;;
	03) echo "03-pid.bats:pid: the command is PID 1 inside" ;;
	04) echo "04-mount.bats:mount: /tmp inside is a private tmpfs" ;;
	05) echo "05-net.bats:net: inside, the only interface is lo, and it is up" ;;
	06) echo "06-user.bats:user: inside, id is 0:0" ;;
	07) echo "07-cgroups.bats:cgroups: a process under --memory runs to the end" ;;
	08) echo "08-rootfs.bats:rootfs: / is the busybox tree" ;;
	# (read-only: step08's code would write into build/rootfs)
	09) echo "09-overlay.bats:overlay: -v traces each operation" ;;
	10) echo "10-exec.bats:exec: -d prints the ID" ;;
	*) return 1 ;;
	esac
}

@test "exercise: every lesson's changes have a hint, and every hint a change" {
	run "$REPO/scripts/exercise.sh" --check
	assert_success
	assert_output --partial "every change of steps 02 03 04 05 06 07 08 09 10 has a hint"
}

@test "exercise: a hint with no change, or a change with no hint, fails the check" {
	cp -r "$REPO/scripts" "$REPO/step04-mount" "$REPO/step05-net" "$T/"
	rm -f "$T"/step0*/run
	sed -i '/^options.c:parse_net_mode /d' "$T/step05-net/HINTS"
	echo "main.c:no_such_function Is this still here?" >>"$T/step05-net/HINTS"
	run "$T/scripts/exercise.sh" --check 05
	assert_failure
	assert_line "exercise: step05-net/HINTS has no hint for options.c:parse_net_mode (a change of the lesson)"
	assert_line "exercise: step05-net/HINTS: main.c:no_such_function is no change of the lesson any more"
	# and no work area is made from hints that do not match
	run env WORKSHOP="$T/ws" "$T/scripts/exercise.sh" 05
	assert_failure 2
	[ ! -e "$T/ws" ]
}

@test "exercise: FULL=1, for every step, the work area is the step before plus TODOs, and builds" {
	local nn dir prev f
	export FULL=1
	for nn in 02 03 04 05 06 07 08 09 10; do
		build "$nn"
		dir=$(echo "$WORKSHOP"/step"$nn"-*)
		prev=$(echo "$REPO"/step"$(printf %02d $((10#$nn - 1)))"-*)
		grep -q "TODO(step$nn) 1/" "$dir"/*.[ch]
		for f in "$dir"/*.c "$dir"/*.h; do
			[ -e "$f" ] || continue
			f=${f##*/}
			if [ -e "$prev/$f" ]; then
				# without its TODO lines, the file is the previous step's
				diff <(grep -v "^/\* TODO(step$nn) " "$dir/$f") "$prev/$f"
			else
				# a header new in the step is given as it is
				[[ $f == *.h ]]
				cmp "$dir/$f" "$(dirname "$prev")/${dir##*/}/$f"
			fi
		done
		# each new .c file of the step is in TODO.md, to be written
		for f in $(cd "${dir/$WORKSHOP/$REPO}" && ls -- *.c); do
			[ -e "$prev/$f" ] || grep -q "^- \[ \] \`$f\`: " "$dir/TODO.md"
		done
	done
}

@test "exercise: FULL=1, for every step, the work area fails a test of its step that the step passes" {
	local nn file title dir step t
	export FULL=1
	for nn in 02 03 04 05 06 07 08 09 10; do
		build "$nn"
		dir=$(echo "$WORKSHOP"/step"$nn"-*)
		step=${dir##*/}
		t=$(first_test "$nn")
		file=${t%%:*} title=${t#*:}
		[ -n "$title" ] && [ -f "$REPO/tests/$file" ]
		run env STEP="$step" STEP_BIN="$dir/run" bats -f "^$title" "$REPO/tests/$file"
		assert_failure
		assert_output --partial "not ok 1 $title"
		run env STEP="$step" bats -f "^$title" "$REPO/tests/$file"
		assert_success
		assert_output --partial "ok 1 $title"
	done
}

@test "exercise: the core of every step is the step's own code but for each blank's body, and builds" {
	local nn dir step n key nbody title f total
	for nn in 02 03 04 05 06 07 08 09 10; do
		build "$nn"
		dir=$(echo "$WORKSHOP"/step"$nn"-*)
		step=${dir##*/}
		grep -q "the core" "$dir/TODO.md"
		total=$(grep -c '^- \[ \] ' "$dir/TODO.md")
		[ "$total" -ge 1 ]
		# each blank alone: what differs from the step is that function's
		# body (its lines gone) for the TODO, a (void) per parameter and the die
		n=0
		while read -r f key nbody title; do
			n=$((n + 1))
			rm -rf "$T/one"
			CORE_ONLY=$n WORKSHOP="$T/one" "$REPO/scripts/exercise.sh" "$nn" >/dev/null
			run diff "$T/one/$step/$f" "$REPO/$step/$f"
			assert_failure 1
			assert_equal "$(grep -c '^> ' <<<"$output")" "$nbody"
			grep '^< ' <<<"$output" | grep -vE "^< 	(/\* TODO\(step$nn\) $n/$total: .* \*/|\(void\)[A-Za-z0-9_]+;|die\(\"$key: not written yet \(the TODO above it\)\"\);)\$" &&
				return 1
			for other in "$T/one/$step"/*; do
				[ "${other##*/}" = "$f" ] || [ "${other##*/}" = TODO.md ] || cmp "$other" "$REPO/$step/${other##*/}"
			done
		done < <("$REPO/scripts/exercise.sh" --core "$nn")
		[ "$n" = "$total" ]
	done
}

@test "exercise: each core blank alone fails the test CORE names for it, which the step passes" {
	local nn n f key nbody test dir step file title
	for nn in 02 03 04 05 06 07 08 09 10; do
		n=0
		while read -r f key nbody test; do
			n=$((n + 1))
			rm -rf "$WORKSHOP"
			CORE_ONLY=$n build "$nn"
			dir=$(echo "$WORKSHOP"/step"$nn"-*)
			step=${dir##*/}
			file=${test%%:*} title=${test#*:}
			run env STEP="$step" STEP_BIN="$dir/run" bats -f "^$title" "$REPO/tests/$file"
			assert_failure
			assert_output --partial "not ok 1 $title"
			run env STEP="$step" bats -f "^$title" "$REPO/tests/$file"
			assert_success
			assert_output --partial "ok 1 $title"
		done < <("$REPO/scripts/exercise.sh" --core "$nn")
	done
}

@test "exercise: a core blank that is no function of the step, has no test, or makes the core too long fails the check" {
	cp -r "$REPO/scripts" "$REPO/tests" "$REPO/step04-mount" "$REPO/step05-net" "$T/"
	rm -f "$T"/step0*/run
	printf 'network.c:no_such_function\t05-net.bats:net: inside, the only interface is lo\tWhat?\n' >>"$T/step05-net/CORE"
	printf 'network.c:setup_network\t05-net.bats:net: no such test\tWhat?\n' >>"$T/step05-net/CORE"
	run "$T/scripts/exercise.sh" --check 05
	assert_failure
	assert_line "exercise: step05-net/CORE: network.c:no_such_function is no function of step05-net/network.c"
	assert_line "exercise: step05-net/CORE: network.c:setup_network: no test \"net: no such test\" in tests/05-net.bats"
	# and no work area is made from blanks that do not match
	run env WORKSHOP="$T/ws" "$T/scripts/exercise.sh" 05
	assert_failure 2
	[ ! -e "$T/ws" ]
	# the whole of parse_args is more than a core
	sed -i '/no_such\|no such test/d' "$T/step05-net/CORE"
	printf 'options.c:parse_args\t05-net.bats:net: inside, the only interface is lo\tAll of it?\n' >>"$T/step05-net/CORE"
	run "$T/scripts/exercise.sh" --check 05
	assert_failure
	assert_line --regexp "^exercise: step05-net/CORE: [0-9]+ lines to write, more than 80: not a core$"
}

@test "exercise: making it again keeps a participant's edits, unless FORCE=1" {
	export FULL=1
	run "$REPO/scripts/exercise.sh" 05
	assert_success
	run "$REPO/scripts/exercise.sh" 05
	assert_success
	assert_output "exercise: $T/ws/step05-net is up to date"
	echo "/* mine */" >>"$T/ws/step05-net/main.c"
	: >"$T/ws/step05-net/veth.c"
	run "$REPO/scripts/exercise.sh" 05
	assert_failure 1
	assert_output --partial "has changes of yours: kept. FORCE=1"
	grep -q '/\* mine \*/' "$T/ws/step05-net/main.c"
	[ -e "$T/ws/step05-net/veth.c" ]
	run env FORCE=1 "$REPO/scripts/exercise.sh" 05
	assert_success
	assert_line "exercise: your $T/ws/step05-net is now $T/ws/step05-net.bak"
	! grep -q '/\* mine \*/' "$T/ws/step05-net/main.c"
	[ ! -e "$T/ws/step05-net/veth.c" ]
	grep -q '/\* mine \*/' "$T/ws/step05-net.bak/main.c"
}

@test "exercise: a bad STEP is one line and exit 2, and makes nothing" {
	for s in 5x 01 11 ""; do
		run "$REPO/scripts/exercise.sh" $s
		if [ -z "$s" ]; then
			assert_success # the help
			assert_output --partial "make exercise STEP=05"
			continue
		fi
		assert_failure 2
		assert_equal "${#lines[@]}" 1
	done
	[ ! -e "$T/ws" ]
}

@test "check-exercise: builds the work area and runs the step's tests on it" {
	make -s -C "$REPO" exercise STEP=02 WORKSHOP="$T/ws" >/dev/null
	# tests/run starts a bats of its own: as a participant types it, with
	# a PATH that leads to /usr/bin/bats, not this bats's own libexec
	local path
	path=$(tr : '\n' <<<"$PATH" | grep -v bats-core | paste -sd:)
	run env -i PATH="$path" HOME="$HOME" make -s -C "$REPO" check-exercise STEP=02 WORKSHOP="$T/ws"
	assert_failure
	# it ran on a copy of the rootfs, and removed it
	[ ! -e "$REPO/build/exercise-rootfs" ]
	assert_output --partial "not ok"
	assert_line --regexp '^[0-9]+ passed, [1-9][0-9]* failed'
	# and the tests leave the host as they found it, even on a runtime
	# without the step's namespace
	assert_line "ok - the host is as the suite found it"
	run make -s -C "$REPO" check-exercise STEP=03 WORKSHOP="$T/ws"
	assert_failure
	assert_output --partial "no work area for STEP=03"
}
