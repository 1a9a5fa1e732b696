#!/usr/bin/env bats
# scripts/deps.sh: each make target gets only what it needs, by the
# distribution's own names, and the VM's kernel only where none is there.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

DEPS="$BATS_TEST_DIRNAME/../scripts/deps.sh"

setup() {
	FIX=$(mktemp -d)
	mkdir "$FIX/boot" "$FIX/modules"
}

teardown() {
	rm -rf "$FIX"
}

os() {
	printf 'ID=%s\nID_LIKE="%s"\n' "$1" "${2:-}" >"$FIX/os-release"
}

list() {
	STEPBOX_OS_RELEASE="$FIX/os-release" STEPBOX_BOOT="$FIX/boot" STEPBOX_MODULES="$FIX/modules" \
		"$DEPS" --list "$@"
}

@test "deps: make demo needs a compiler, make, static libc, libseccomp and json-c (step10), busybox, nothing else" {
	os debian
	run list demo
	assert_success
	assert_equal "$(echo $output)" "gcc make libc6-dev libseccomp-dev libjson-c-dev busybox-static"
	os fedora
	run --separate-stderr list demo
	assert_success
	assert_equal "$(echo $output)" "gcc make glibc-devel glibc-static libseccomp-devel libseccomp-static json-c-devel busybox"
}

@test "deps: make test adds the test tools, not qemu or a kernel" {
	os debian
	run list test
	assert_success
	assert_line bats-assert
	assert_line libcmocka-dev
	refute_line --regexp 'qemu|linux-image'
}

@test "deps: the VM's kernel is installed only where /boot has none" {
	os debian
	run list vm
	assert_line qemu-system-x86
	assert_line linux-image-amd64
	# a kernel image without its modules cannot load overlay or 9p
	touch "$FIX/boot/vmlinuz-6.1.0-99-amd64"
	run list vm
	assert_line linux-image-amd64
	# a kernel and its modules: the host's own is booted, nothing installed
	mkdir "$FIX/modules/6.1.0-99-amd64"
	run list vm
	assert_line qemu-system-x86
	refute_line --regexp 'linux-image'
}

@test "deps: Ubuntu's kernel package, and Fedora's names" {
	os ubuntu debian
	run list vm
	assert_line linux-image-generic
	os fedora
	run list test
	assert_line libcmocka-devel
	assert_line busybox
	# the steps are linked statically (Makefile: STATIC)
	assert_line glibc-static
	assert_line libseccomp-static
	# json-c has no static package there: step10 links it dynamically
	# (Makefile: DYNAMIC_STEPS; tests/make.bats builds it that way)
	assert_line json-c-devel
	refute_line --regexp 'json-c-static'
	run list vm
	assert_line kernel-core
}

@test "deps: elsewhere, the list to install by hand and a failure" {
	os arch
	run list test
	assert_failure
	assert_output --partial "install these yourself"
}

@test "deps: the OCI clients come with their own target only" {
	os debian
	run list oci
	assert_line podman
	assert_line containerd
	assert_line runc
	assert_line catatonit
	assert_line python3-grpcio
	assert_line protobuf-compiler
	run list test
	refute_line podman
	refute_line containerd
	assert_line libjson-c-dev
}

@test "deps: a bad target is a usage error" {
	run "$DEPS" bogus
	assert_equal "$status" 2
	assert_output --partial usage
}
