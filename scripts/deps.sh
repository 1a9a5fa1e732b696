#!/usr/bin/env bash
# deps.sh — install what one make target needs, and nothing more.
#
#   scripts/deps.sh demo   a compiler, make, libseccomp's headers (step10),
#                          a static busybox                 (make demo)
#   scripts/deps.sh test   plus the test and lint tools     (make test, make deps)
#   scripts/deps.sh vm     qemu, and a kernel for the VM    (make test-vm)
#   scripts/deps.sh bench  hyperfine, GNU time, and runc, crun and
#                          bubblewrap to compare with        (make bench)
#   scripts/deps.sh oci    podman and containerd, the clients that drive
#                          step10 as their runtime, runc to compare
#                          with, catatonit for --init        (make test-oci)
#   scripts/deps.sh --list WHAT   print the packages instead of installing
#
# Debian and Ubuntu (apt-get) and Fedora (dnf) by the names in
# /etc/os-release; elsewhere it prints what to install and fails. Only
# missing packages are installed, so a second run is instant. The VM boots
# the kernel already in /boot when there is a readable one: a kernel
# package is installed only on a machine that has none (a CI machine, a
# container), never over the host's own, since that touches the boot loader.
set -euo pipefail

list=no
if [ "${1:-}" = --list ]; then
	list=yes
	shift
fi
what=${1:-test}
case $what in
demo | test | vm | bench | oci) ;;
*)
	echo "deps: usage: scripts/deps.sh demo|test|vm|bench|oci" >&2
	exit 2
	;;
esac

# STEPBOX_OS_RELEASE, STEPBOX_BOOT and STEPBOX_MODULES: another os-release
# file, /boot and /lib/modules, for the tests.
os_release=${STEPBOX_OS_RELEASE:-/etc/os-release}
boot=${STEPBOX_BOOT:-/boot}
modules_dir=${STEPBOX_MODULES:-/lib/modules}
# shellcheck disable=SC1090
[ -r "$os_release" ] && . "$os_release"
family=unknown
case " ${ID:-} ${ID_LIKE:-} " in
*" debian "* | *" ubuntu "*) family=debian ;;
*" fedora "* | *" rhel "*) family=fedora ;;
esac

# A kernel image that qemu can boot, with its modules (overlay, veth, 9p).
have_vm_kernel() {
	local k
	for k in "$boot"/vmlinuz-*; do
		[ -r "$k" ] && [ -d "$modules_dir/${k#"$boot"/vmlinuz-}" ] && return 0
	done
	return 1
}

# The package list for $what on $family.
packages() {
	case $family in
	debian)
		echo gcc make libc6-dev libseccomp-dev libjson-c-dev busybox-static
		[ "$what" = demo ] && return
		if [ "$what" = bench ]; then
			echo hyperfine time runc crun bubblewrap
			return
		fi
		if [ "$what" = oci ]; then
			echo podman containerd jq tmux runc catatonit
			# tests/oci-cri.bats: a pod network, and a CRI client
			echo containernetworking-plugins python3-grpcio python3-protobuf protobuf-compiler
			return
		fi
		if [ "$what" = test ]; then
			echo libcmocka-dev bats bats-support bats-assert bats-file
			echo iproute2 util-linux procps psmisc strace tmux sudo jq
			echo clang-format clang-tidy cppcheck
			# make test-valgrind, and make fuzz (clang's libFuzzer)
			echo valgrind clang libclang-rt-dev
			return
		fi
		echo qemu-system-x86 cpio kmod xz-utils zstd
		# Debian's kernel is linux-image-amd64, Ubuntu's linux-image-generic.
		have_vm_kernel || case " ${ID:-} " in
		" ubuntu ") echo linux-image-generic ;;
		*) echo linux-image-amd64 ;;
		esac
		;;
	fedora)
		echo gcc make glibc-devel glibc-static libseccomp-devel libseccomp-static json-c-devel busybox
		[ "$what" = demo ] && return
		if [ "$what" = bench ]; then
			echo hyperfine time runc crun bubblewrap
			return
		fi
		if [ "$what" = oci ]; then
			echo podman containerd jq tmux runc catatonit
			# tests/oci-cri.bats: a pod network, and a CRI client
			echo containernetworking-plugins python3-grpcio python3-protobuf protobuf-compiler
			return
		fi
		if [ "$what" = test ]; then
			echo libcmocka-devel bats iproute util-linux procps-ng psmisc strace tmux sudo jq
			echo clang-tools-extra cppcheck
			echo valgrind clang compiler-rt
			return
		fi
		echo qemu-system-x86 cpio kmod xz zstd
		have_vm_kernel || echo kernel-core kernel-modules
		;;
	esac
}

installed() {
	case $family in
	debian)
		local status
		status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null || true)
		[ "${status:0:2}" = ii ]
		;;
	fedora) rpm -q "$1" >/dev/null 2>&1 ;;
	esac
}

if [ "$family" = unknown ]; then
	cat >&2 <<'MSG'
deps: not a Debian, Ubuntu or Fedora system; install these yourself:
  demo: a C compiler (gcc or clang), make, libseccomp and json-c with
        their headers and static libraries, the C library's static library (libc.a),
        a statically linked busybox
  test: cmocka, bats with bats-support, bats-assert and bats-file,
        iproute2, util-linux, procps, psmisc, strace, tmux, sudo,
        clang-format, clang-tidy, cppcheck, valgrind, clang with
        its libFuzzer runtime
  vm:   qemu-system-x86_64, cpio, kmod, xz, zstd, and a kernel image in
        /boot with its modules under /lib/modules
  bench: hyperfine, GNU time, runc, crun, bubblewrap
  oci:  podman, containerd, jq, tmux, runc, the CNI plugins, Python's
        grpcio and protobuf, protoc
MSG
	exit 1
fi
if [ "$family" = fedora ]; then
	echo "deps: on Fedora, bats-support, bats-assert and bats-file are not packaged:" \
		"clone them under /usr/lib/bats (see bats-core's docs)" >&2
fi

# Each list starts with what make demo needs; make test calls test and vm.
wanted=$(packages)
if [ "$list" = yes ]; then
	echo "$wanted" | xargs -n1
	exit 0
fi
missing=()
for p in $wanted; do
	installed "$p" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "deps ($what): all installed"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps ($what): missing ${missing[*]}; run as root (or with sudo) to install them" >&2
	exit 1
fi
echo "deps ($what): installing ${missing[*]}"
if [ "$family" = debian ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
	dnf install -y -q "${missing[@]}"
fi
echo "deps ($what): done"
