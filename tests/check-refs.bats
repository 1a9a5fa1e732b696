#!/usr/bin/env bats
# scripts/check-refs.sh, the maintainer's check of the lessons' runc and
# crun references, against a made-up runtime source and lesson.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)

setup() {
	T=$(mktemp -d)
	git init -q "$T/rt"
	mkdir -p "$T/rt/libcontainer" "$T/rt/src"
	printf 'package libcontainer\n\nfunc setupUser() error {\n\treturn nil\n}\n\nfunc (l *linuxStandardInit) Init() error {\n\treturn nil\n}\n' >"$T/rt/libcontainer/init_linux.go"
	printf 'int\nlibcrun_set_caps (int x)\n{\n  return x;\n}\n' >"$T/rt/src/linux.c"
	git -C "$T/rt" add -A
	git -C "$T/rt" -c user.name=t -c user.email=t@t commit -qm one
	git -C "$T/rt" tag v1
	# after v1, setupUser is renamed
	sed -i 's/setupUser/setupUsers/' "$T/rt/libcontainer/init_linux.go"
	git -C "$T/rt" -c user.name=t -c user.email=t@t commit -qam two
}

teardown() {
	rm -rf "$T"
}

lesson() {
	printf '%s\n' "$@" >"$T/lesson.md"
}

@test "check-refs: functions found in the files their paragraph names pass" {
	lesson '# In runc' '' 'runc `libcontainer/init_linux.go` `setupUser()`, `(*linuxStandardInit).Init()`;' \
		'crun `linux.c` `libcrun_set_caps()`.'
	run "$REPO/scripts/check-refs.sh" "$T/rt@v1" -- "$T/lesson.md"
	assert_success
	assert_output "check-refs: 3 references checked, 0 not found"
}

@test "check-refs: a function renamed since, a wrong receiver and a missing file are reported" {
	lesson '# In runc' '' '- `libcontainer/init_linux.go`: `setupUser()`' \
		'- `(*linuxSetnsInit).Init()`' '- `libcontainer/gone.go` `x()`'
	run "$REPO/scripts/check-refs.sh" "$T/rt" -- "$T/lesson.md"
	assert_failure
	assert_line --partial 'lesson.md:3: setupUser() is in none of the files named'
	assert_line --partial 'lesson.md:4: (*linuxSetnsInit).Init() is in none of the files named'
	assert_line --partial 'lesson.md:5: no file libcontainer/gone.go'
}

@test "check-refs: a source that is not a git checkout, or no source: exit 2" {
	run "$REPO/scripts/check-refs.sh" "$T"
	assert_failure 2
	assert_output --partial "has no revision HEAD"
	run "$REPO/scripts/check-refs.sh"
	assert_failure 2
	assert_output --partial "usage:"
}
