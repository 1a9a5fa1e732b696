#!/usr/bin/env bash
# mkrootfs.sh DIR [PROBE [BREAKOUT]] — a busybox root filesystem, built offline.
#
# From the distribution's statically linked busybox (Debian/Ubuntu:
# busybox-static): the binary, a link for each applet, a minimal /etc and
# the empty mount points a container needs, and /etc/stepbox-rootfs, a
# marker by which the tests know they are in it. PROBE, the tests' static
# helper, goes to /usr/local/bin when given; BREAKOUT, step08's chroot
# escape, to /bin/breakout. Built beside DIR and renamed into place, so
# an interrupted build never leaves half a rootfs.
#
# Who owns it: the container's root must be able to write its own root
# filesystem, and a file whose owner the user namespace does not map
# shows inside as nobody's (65534), read-only to root there. Built as
# root, the tree goes to ROOTFS_OWNER, default 100000:100000, the host ids
# of the container's root with the default map (step06's --map-base).
# Built by anyone else, it is theirs, which is their container's root
# when they run it rootless (make rootfs-user).
set -euo pipefail

dir=${1:?usage: mkrootfs.sh DIR [PROBE [BREAKOUT]]}
probe=${2:-}
breakout=${3:-}
owner=${ROOTFS_OWNER:-100000:100000}
busybox=${BUSYBOX:-$(command -v busybox || true)}

die() {
	echo "mkrootfs: $*" >&2
	exit 1
}

[ -n "$busybox" ] && [ -x "$busybox" ] || die "no busybox found: install busybox-static (make deps)"
# A dynamically linked busybox would need its libraries inside the rootfs.
if od -An -c -N 4096 "$busybox" | tr -d ' \n' | grep -q 'ld-linux'; then
	die "$busybox is dynamically linked: install busybox-static"
fi

tmp="$dir.tmp.$$"
trap 'rm -rf "$tmp"' EXIT
rm -rf "$tmp"
mkdir -p "$tmp"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,etc,proc,sys,dev,tmp,root,mnt,run,var/tmp}
chmod 1777 "$tmp/tmp" "$tmp/var/tmp"
chmod 700 "$tmp/root"
cp "$busybox" "$tmp/bin/busybox"
for applet in $("$tmp/bin/busybox" --list-full); do
	[ "$applet" = bin/busybox ] && continue
	[ -e "$tmp/$applet" ] || ln -s /bin/busybox "$tmp/$applet"
done

cat >"$tmp/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >"$tmp/etc/group" <<'GROUP'
root:x:0:
nogroup:x:65534:
GROUP
cat >"$tmp/etc/hosts" <<'HOSTS'
127.0.0.1	localhost
::1	localhost
HOSTS
echo stepbox >"$tmp/etc/hostname"
echo "stepbox busybox rootfs" >"$tmp/etc/stepbox-rootfs"
[ -n "$probe" ] && install -m 755 "$probe" "$tmp/usr/local/bin/stepbox-probe"
[ -n "$breakout" ] && install -m 755 "$breakout" "$tmp/bin/breakout"
if [ "$(id -u)" -eq 0 ]; then
	chown -R -h "$owner" "$tmp"
fi

rm -rf "$dir"
mv "$tmp" "$dir"
trap - EXIT
echo "mkrootfs: $dir ($(find "$dir" -type l | wc -l) applets)"
