#!/bin/sh
# vm-guest.sh — PID 1 of the cgroup test VM, after switch_root.
#
# scripts/vm-test.sh boots a busybox initramfs that mounts this machine's
# / over 9p (read-only) and switch_roots into it, so the tests see the
# host's own bash, bats and built steps with a real root mount (pivot_root
# and user namespaces both refuse to work from a chroot or the initramfs).
# Here: the kernel filesystems, the cgroup layout asked for (v2: cgroup2
# alone on /sys/fs/cgroup; v1: a tree per controller), tmpfs
# wherever the tests write, the results share, then the tests.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# devtmpfs has the device nodes but not the links udev would add.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mkdir -p /dev/pts /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t devpts devpts /dev/pts
# shellcheck disable=SC1090
. "$1"
# The layout the host does not have (vm-test.sh chose it): cgroup2 alone,
# or the v1 controllers each in a tree of its own under a tmpfs.
if [ "$VM_CGROUP" = v1 ]; then
	mount -t tmpfs -o mode=755 cgroup /sys/fs/cgroup
	for c in cpuset cpu,cpuacct blkio memory devices freezer pids net_cls,net_prio hugetlb; do
		mkdir "/sys/fs/cgroup/$c"
		mount -t cgroup -o "$c" cgroup "/sys/fs/cgroup/$c"
	done
	ln -s cpu,cpuacct /sys/fs/cgroup/cpu
	ln -s cpu,cpuacct /sys/fs/cgroup/cpuacct
	ln -s net_cls,net_prio /sys/fs/cgroup/net_cls
	ln -s net_cls,net_prio /sys/fs/cgroup/net_prio
	layout="v1: $(ls /sys/fs/cgroup | tr '\n' ' ')"
else
	mount -t cgroup2 cgroup2 /sys/fs/cgroup
	layout="cgroup2 controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
fi
# The checkout may live under /tmp or /var/tmp, which get a tmpfs below:
# bind it to /run/stepbox-repo first and work from there.
mount -t tmpfs -o mode=755 tmpfs /run
# From step08 the container's root writes its rootfs (build/rootfs), and
# the share is read-only: a copy on the tmpfs, bound over it, owners kept.
if [ -d "$REPO/build/rootfs" ]; then
	mkdir /run/stepbox-rootfs
	cp -a "$REPO/build/rootfs/." /run/stepbox-rootfs/
	mount --bind /run/stepbox-rootfs "$REPO/build/rootfs"
fi
mkdir /run/stepbox-repo
mount --rbind "$REPO" /run/stepbox-repo
ORIG_REPO=$REPO REPO=/run/stepbox-repo
for d in /tmp /var/tmp /root; do mount -t tmpfs -o mode=1777 tmpfs "$d"; done
# step09's --keep writes /var/lib/stepbox, as a host's /var/lib is written:
# a tmpfs there, with what the share has in /var/lib bound back (dpkg's
# status among them: deps.sh asks it what is installed).
mkdir /run/varlib
mount --bind /var/lib /run/varlib
mount -t tmpfs -o mode=755 tmpfs /var/lib
# Not CNI's: a pod network's plugins write their results there
# (tests/oci-cri.bats), and the guest's pods are not the host's.
for d in /run/varlib/*/; do
	d=${d%/}
	mkdir "/var/lib/${d##*/}"
	[ "${d##*/}" = cni ] || mount --bind "$d" "/var/lib/${d##*/}"
done
# The steps have the default rootfs's path compiled in (make's ROOTFS):
# where the checkout is under one of those, put the rootfs back there.
case $ORIG_REPO in
/tmp/* | /var/tmp/* | /root/*)
	if [ -d /run/stepbox-rootfs ]; then
		mkdir -p "$ORIG_REPO/build/rootfs"
		mount --bind /run/stepbox-rootfs "$ORIG_REPO/build/rootfs"
	fi
	;;
esac
mount -t 9p -o trans=virtio,version=9p2000.L results /mnt
ip link set lo up
mkswap /dev/vda >/dev/null && swapon /dev/vda
{
	echo "guest: kernel $(cat /proc/sys/kernel/osrelease), $layout, swap: $(awk 'NR > 1 { print $1, $3 "k" }' /proc/swaps)"
	cd "$REPO" && env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb \
		STEPS="$STEPS" STEPBOX_VM=1 /bin/bash -c "$VM_CMD"
	echo $? >/mnt/rc
} >/mnt/log 2>&1
sync
/bin/busybox poweroff -f
echo o >/proc/sysrq-trigger
