#!/usr/bin/env bash
# deps.sh — install what building and testing stepbox needs (make deps).
#
# On Debian and Ubuntu it installs, with apt-get, only the packages that
# are missing, so a second run is instant. Elsewhere it prints what to
# install and fails.
set -euo pipefail

# build, unit tests, lint, the bats suite (tmux: the terminal tests), the
# rootfs, the cgroup v2 VM
packages=(
	gcc make libc6-dev
	libcmocka-dev
	bats bats-support bats-assert bats-file tmux
	busybox-static
	iproute2 util-linux procps psmisc strace sudo
	clang-format clang-tidy cppcheck
	qemu-system-x86 linux-image-amd64 cpio kmod
)

if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
	cat >&2 <<'MSG'
deps: this is not a Debian/Ubuntu system; install these yourself:
  a C compiler (gcc or clang), make, cmocka (Fedora: libcmocka-devel;
  Arch: cmocka), bats with bats-support, bats-assert and bats-file,
  a statically linked busybox (Fedora: busybox; Arch: busybox),
  iproute2, util-linux, procps, psmisc, clang-tools (clang-format,
  clang-tidy), cppcheck, and for make test-vm: qemu-system-x86_64, a
  distribution kernel in /boot with its modules, cpio and kmod.
MSG
	exit 1
fi

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	[ "${status:0:2}" = "ii" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#packages[@]} packages are installed"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing ${missing[*]}; run as root (sudo make deps) to install them" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
