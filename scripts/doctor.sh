#!/usr/bin/env bash
# doctor.sh — before a workshop: what of stepbox will and will not work here.
#
#   make doctor                or: scripts/doctor.sh
#
# It only reads (/proc, /sys, /etc/os-release, the rootfs), as root or as
# an ordinary user, without sudo, and changes nothing. One line a finding:
#
#   ok|warn|fail  [STEPS]  what was found  [fix: a command]
#
# fail: a step, or an option its lesson teaches, will not work here (as
# the lessons run it: with sudo, and step06 on also rootless). warn: it
# works, but not as the lesson shows it (a fallback, a caveat). The last
# line sums up. Exit status 0 when every step can run, 1 when some cannot,
# 2 on a usage error.
#
# What each step needs of the kernel (and what it does without):
#   01-07  a namespace each: uts, ipc, pid, mnt, net, user, cgroup
#   01-10  close_range (5.9)                  else closes /proc/self/fd's list
#   04-10  open_tree, move_mount (5.2), mount_setattr (5.12): --volume;
#          08-10 on every run (bind_rootfs), so below 5.12 not at all
#   06-10  user namespaces, also for an ordinary user (three sysctls)
#   07     clone3 CLONE_INTO_CGROUP (5.7, v2)  else moves the child in
#   07     cgroup.kill (5.14, v2)              else freeze, kill, thaw
#   09-10  overlayfs (rootless: mounted in a user namespace, userxattr 5.11)
# Below 5.12, where 08-10 cannot run at all, nothing more is said of
# them: their code for older kernels (openat2 5.6, else a walk in user
# space; pidfd_open 5.3; userxattr 5.11) is there to read, and no run
# reaches it on a kernel that lacks those calls.
#
# For the tests, STEPBOX_DOCTOR_ROOT=DIR reads every file (/proc, /sys,
# /etc, /.dockerenv, the rootfs, the commands busybox and sudo) under DIR
# instead of /, and STEPBOX_DOCTOR_UID=N stands for `id -u`. The kernel
# version is DIR/proc/sys/kernel/osrelease. ROOTFS names the root
# filesystem (default: build/rootfs in this checkout) and BUSYBOX the
# busybox to build it from, as for make rootfs.
set -uo pipefail

case ${1:-} in
"") ;;
-h | --help)
	sed -n '2,/^set -uo/{/^set -uo/d;s/^# \{0,1\}//;p}' "$0"
	exit 0
	;;
*)
	echo "doctor: usage: scripts/doctor.sh [-h]" >&2
	exit 2
	;;
esac

R=${STEPBOX_DOCTOR_ROOT:-}
R=${R%/}
uid=${STEPBOX_DOCTOR_UID:-$(id -u)}
repo=$(cd "$(dirname "$0")/.." && pwd)
rootfs=${ROOTFS:-build/rootfs}
case $rootfs in /*) ;; *) rootfs=$repo/$rootfs ;; esac

# --- reading the machine (all of it through $R) -------------------------

# rd PATH: the file's first line, or nothing.
rd() {
	local line=
	[ -r "$R$1" ] && IFS= read -r line 2>/dev/null <"$R$1"
	printf '%s' "$line"
}

# find_cmd NAME: where NAME is, as the shell would find it.
find_cmd() {
	local d
	if [ -z "$R" ]; then
		command -v "$1"
		return
	fi
	for d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
		[ -x "$R$d/$1" ] && echo "$d/$1" && return 0
	done
	return 1
}

# mounts: "MOUNTPOINT FSTYPE MOUNT_OPTIONS SUPER_OPTIONS", one a mount,
# in /proc/self/mountinfo's order (a later mount hides an earlier one).
mounts() {
	awk '{ for (i = 7; i <= NF && $i != "-"; i++) ; print $5, $(i + 1), $6, $(i + 3) }' \
		"$R/proc/self/mountinfo" 2>/dev/null
}

# mount_at PATH: the mount line at exactly PATH, if any.
mount_at() {
	mounts | awk -v p="$1" '$1 == p { m = $0 } END { if (m != "") print m }'
}

# fstype_of PATH: the type of the filesystem PATH lies on.
fstype_of() {
	mounts | awk -v p="$1" '
		{ mp = $1; if (p == mp || mp == "/" || index(p, mp "/") == 1)
			if (length(mp) >= best) { best = length(mp); t = $2 } }
		END { print t }'
}

# has_word LIST WORD
has_word() {
	case " $1 " in *" $2 "*) return 0 ;; esac
	return 1
}

# --- findings ------------------------------------------------------------

n_ok=0 n_warn=0 n_fail=0
declare -A broken=()

# finding ok|warn|fail STEPS WHAT [FIX]. STEPS: "07", "06-10", "01-05,07".
finding() {
	local status=$1 steps=$2 what=$3 fix=${4:-} r a b i
	printf '%-4s  %-7s  %s' "$status" "[$steps]" "$what"
	[ -z "$fix" ] || printf '  fix: %s' "$fix"
	printf '\n'
	case $status in
	ok) n_ok=$((n_ok + 1)) ;;
	warn) n_warn=$((n_warn + 1)) ;;
	fail)
		n_fail=$((n_fail + 1))
		for r in ${steps//,/ }; do
			a=${r%-*} b=${r#*-}
			for ((i = 10#$a; i <= 10#$b; i++)); do broken[$i]=1; done
		done
		;;
	esac
}

# --- the facts everything below depends on --------------------------------

os_id=$(sed -n 's/^ID=//p' "$R/etc/os-release" 2>/dev/null | tr -d '"')
os_like=$(sed -n 's/^ID_LIKE=//p' "$R/etc/os-release" 2>/dev/null | tr -d '"')
release=$(rd /proc/sys/kernel/osrelease)
kmaj=0 kmin=0
if [[ $release =~ ^([0-9]+)\.([0-9]+) ]]; then
	kmaj=${BASH_REMATCH[1]} kmin=${BASH_REMATCH[2]}
fi
kernel=$((kmaj * 1000 + kmin))
# kernel_at_least 5.12
kernel_at_least() {
	[ "$kernel" -ge $((${1%.*} * 1000 + ${1#*.})) ]
}

case " $os_id $os_like " in
*" debian "* | *" ubuntu "*) install="sudo apt-get install" busybox_pkg=busybox-static ;;
*" fedora "* | *" rhel "*) install="sudo dnf install" busybox_pkg=busybox ;;
*) install="install" busybox_pkg="a statically linked busybox" ;;
esac
newer_kernel="boot a kernel >= 5.14 (Debian 12, Ubuntu 22.04, Fedora 35 or later)"

# --- who we are -------------------------------------------------------------

cap_eff=$(sed -n 's/^CapEff:[[:space:]]*//p' "$R/proc/self/status" 2>/dev/null)
if [ "$uid" -ne 0 ]; then
	if find_cmd sudo >/dev/null; then
		fix="sudo ./step03-pid/run (sudo for each step)"
	else
		fix="su -c './step03-pid/run' (no sudo here; as root: $install sudo)"
	fi
	finding warn 01-07 "uid $uid, not root: steps 01-05 need root, and so do 06-07's --net veth, --map-base and cgroup limits (06-10 also run rootless)" "$fix"
elif [ -n "$cap_eff" ] && ! (((16#$cap_eff >> 21) & 1)); then
	finding fail 01-10 "uid 0 without CAP_SYS_ADMIN (CapEff $cap_eff): no namespace, mount or cgroup can be made; a container without --privileged" \
		"docker run --privileged ... (or run the workshop in a VM)"
else
	finding ok 01-10 "uid 0 with CAP_SYS_ADMIN: the steps can make namespaces, mounts and cgroups"
fi

# Root in a user namespace (rootless podman, an unprivileged LXC): the
# steps' default map puts the container's root at 100000 (65536 ids),
# which must lie inside the map we were given.
uid_map=$(cat "$R/proc/self/uid_map" 2>/dev/null)
if [ "$uid" -eq 0 ] && [ -n "$uid_map" ] && ! grep -qE '^ *0 +0 +4294967295 *$' <<<"$uid_map"; then
	if awk '$1 <= 100000 && $1 + $3 >= 165536 { found = 1 } END { exit !found }' <<<"$uid_map"; then
		finding warn 06-10 "uid 0 in a user namespace (uid_map: $(echo "$uid_map" | head -n1 | xargs)): root here is not the host's root; cgroup limits (07) need a cgroup delegated to it"
	else
		finding fail 06-10 "uid 0 in a user namespace whose uid_map ($(echo "$uid_map" | xargs)) lacks 100000-165535: the steps' default --map-base 100000 --map-size 65536 cannot be written" \
			"./step06-user/run --map-base N --map-size M with ids inside the map (or run the workshop in a VM)"
	fi
fi

# --- where we run: WSL, a container -----------------------------------------

case $release in
*[Mm]icrosoft*WSL2* | *microsoft-standard*)
	finding warn 01-10 "WSL 2 (kernel $release): a real Linux kernel in a VM; WSL sets up cgroups (often hybrid, v1 beside cgroup2 at /sys/fs/cgroup/unified, unless systemd=true in /etc/wsl.conf), and Windows drives (/mnt/c, 9p) have no Unix owners: keep the checkout in your Linux home" \
		"printf '[boot]\\nsystemd=true\\n' | sudo tee -a /etc/wsl.conf, then wsl --shutdown (in Windows)"
	;;
*Microsoft*)
	finding fail 01-10 "WSL 1 (kernel $release): Windows translates Linux's system calls and has no namespaces, cgroups or overlayfs" \
		"wsl --set-version <distribution> 2 (in Windows)"
	;;
esac

# A checkout on a Windows drive or a shared folder: no Unix owners, so
# the rootfs cannot belong to the container's root, and overlayfs will
# not use it as a layer.
case $(fstype_of "$rootfs") in
9p | v9fs | drvfs | vboxsf | cifs | smb3)
	finding fail 08-10 "the rootfs $rootfs is on $(fstype_of "$rootfs") (a Windows drive or a shared folder): no Unix owners, no overlay layers" \
		"git clone the project into your Linux home (cd ~ && git clone ...) and run make there"
	;;
esac

evidence=()
[ -e "$R/.dockerenv" ] && evidence+=("/.dockerenv (docker)")
[ -e "$R/run/.containerenv" ] && evidence+=("/run/.containerenv (podman)")
container_var=$(tr '\0' '\n' 2>/dev/null <"$R/proc/1/environ" | sed -n 's/^container=//p')
[ -n "$container_var" ] && evidence+=("container=$container_var in /proc/1/environ")
pid1_cgroup=$(grep -m1 -E '/(docker|lxc|kubepods|libpod|containerd|actions_job)' "$R/proc/1/cgroup" 2>/dev/null)
[ -n "$pid1_cgroup" ] && evidence+=("/proc/1/cgroup: $pid1_cgroup")

# The cgroup layout, as step07 sees it (by the filesystem mounted at
# /sys/fs/cgroup; step07 asks statfs, we read mountinfo).
cg_mount=$(mount_at /sys/fs/cgroup)
read -r _ cg_type cg_opts _ <<<"$cg_mount"
cg_type=${cg_type:-}
cg_opts=${cg_opts:-}
if [ "$cg_type" = cgroup2 ]; then
	layout=v2
elif [ "$(mount_at /sys/fs/cgroup/unified | awk '{ print $2 }')" = cgroup2 ]; then
	layout=hybrid
else
	layout=v1
fi

# v2: a /sys/fs/cgroup that has cgroup.type is not the host's root
# cgroup (the root has none): a cgroup namespace or a delegated tree.
cgns_root=no
if [ "$layout" = v2 ] && [ -e "$R/sys/fs/cgroup/cgroup.type" ] &&
	[ "$(rd /proc/self/cgroup)" = "0::/" ]; then
	cgns_root=yes
	evidence+=("a cgroup namespace (/proc/self/cgroup is 0::/, and its root is not the host's)")
fi

if [ ${#evidence[@]} -gt 0 ]; then
	what="inside a container: $(printf '%s; ' "${evidence[@]}")"
	what="${what%; }. The steps need it started --privileged (CAP_SYS_ADMIN, no seccomp or AppArmor filter) and, for 07, with a cgroup tree of its own"
	[ "$(fstype_of /)" = overlay ] && what="$what; / is overlayfs, so an overlay upper dir must not be on it (09 keeps it on a tmpfs)"
	finding warn 01-10 "$what" "docker run --privileged --cgroupns=private ... (or run the workshop in a VM)"
fi

# What a container's confinement refuses.
seccomp=$(sed -n 's/^Seccomp:[[:space:]]*//p' "$R/proc/self/status" 2>/dev/null)
if [ "${seccomp:-0}" != 0 ]; then
	finding warn 01-10 "a seccomp filter is on (Seccomp: $seccomp): it may refuse clone, unshare, mount, clone3 or open_tree (docker's default profile: EPERM, or ENOSYS for clone3)" \
		"docker run --security-opt seccomp=unconfined ... (or --privileged)"
fi
label=$(rd /proc/self/attr/apparmor/current)
[ -n "$label" ] || label=$(rd /proc/self/attr/current)
case $label in
*docker-default* | *containers-default*)
	finding fail 03-10 "AppArmor profile $label: it denies mount, so /proc (03), /tmp and volumes (04) and the rootfs (08) fail with EACCES" \
		"docker run --security-opt apparmor=unconfined ... (or --privileged)"
	;;
*"(enforce)"* | *container_t*)
	finding warn 03-10 "confined by the security module's label $label: it may deny mount or namespace calls" \
		"run from an unconfined shell (a login shell on the host)"
	;;
esac

# --- the kernel ------------------------------------------------------------

if [ "$kernel" -eq 0 ]; then
	finding warn 01-10 "kernel version unknown (/proc/sys/kernel/osrelease: '$release'): the features below assume the worst"
fi
kv="kernel $kmaj.$kmin"

missing=() first=11
ns_step=(uts:1 ipc:2 pid:3 mnt:4 net:5 user:6 cgroup:7)
for entry in "${ns_step[@]}"; do
	ns=${entry%:*} step=${entry#*:}
	if [ ! -e "$R/proc/self/ns/$ns" ]; then
		missing+=("$ns")
		[ "$step" -lt "$first" ] && first=$step
	fi
done
if [ ${#missing[@]} -eq 0 ]; then
	finding ok 01-07 "namespaces: uts ipc pid mnt net user cgroup (/proc/self/ns)"
else
	finding fail "$(printf '%02d' "$first")-10" "no ${missing[*]} namespace in this kernel (/proc/self/ns): CONFIG_${missing[0]^^}_NS is off" \
		"boot a distribution kernel (Debian's, Ubuntu's and Fedora's have every namespace)"
fi

if kernel_at_least 5.9; then
	finding ok 01-10 "$kv >= 5.9: close_range closes the runtime's fds before the command runs"
else
	finding warn 01-10 "$kv < 5.9: no close_range; the steps close each fd listed in /proc/self/fd instead (same result, the -v trace differs)" "$newer_kernel"
fi

if kernel_at_least 5.12; then
	finding ok 04-10 "$kv >= 5.12: open_tree, move_mount (5.2) and mount_setattr (5.12) for --volume and (08-10) the rootfs"
elif kernel_at_least 5.2; then
	finding fail 04-10 "$kv < 5.12: no mount_setattr, so --volume fails (ENOSYS): it sets :ro and propagation on the copy before attaching it; and 08-10 cannot run at all, since every run makes the rootfs a mount of its own the same way" "$newer_kernel"
else
	finding fail 04-10 "$kv < 5.2: no open_tree, move_mount or fsopen: --volume (04) and the rootfs mounts (08) fail" "$newer_kernel"
fi


# --- user namespaces (06 on: the default, also as root) ---------------------

max_userns=$(rd /proc/sys/user/max_user_namespaces)
userns_clone=$(rd /proc/sys/kernel/unprivileged_userns_clone)
apparmor_userns=$(rd /proc/sys/kernel/apparmor_restrict_unprivileged_userns)
if [ ! -e "$R/proc/self/ns/user" ]; then
	: # said above, with the namespaces
elif [ "$max_userns" = 0 ]; then
	finding fail 06-10 "user.max_user_namespaces is 0: no user namespace can be made, not even by root (06 on make one by default)" \
		"sudo sysctl -w user.max_user_namespaces=15000"
elif [ "$userns_clone" = 0 ]; then
	finding fail 06-10 "kernel.unprivileged_userns_clone is 0 (Debian's switch): only root may make a user namespace, so rootless runs fail with EPERM" \
		"sudo sysctl -w kernel.unprivileged_userns_clone=1"
elif [ "$apparmor_userns" = 1 ]; then
	finding fail 06-10 "kernel.apparmor_restrict_unprivileged_userns is 1 (Ubuntu 23.10 on): a rootless run gets no capabilities in its user namespace, so its maps and mounts fail with EPERM" \
		"sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0"
else
	finding ok 06-10 "user namespaces allowed, also to ordinary users (user.max_user_namespaces ${max_userns:-unset}, no sysctl forbids them)"
fi

# --- cgroups (07) ---------------------------------------------------------

# What step07 needs of each controller: its options.
declare -A needs=(
	[memory]="--memory" [cpu]="--cpus, --cpu-weight" [pids]="--pids"
	[cpuset]="--cpuset-cpus" [io]="--device-write-bps" [blkio]="--device-write-bps"
	[devices]="the device allow list (every run)" [freezer]="freezing before kill"
)

if [ -z "$cg_mount" ] && [ "$layout" = v1 ] && ! mounts | awk '$2 == "cgroup" { f = 1 } END { exit !f }'; then
	finding fail 07 "no cgroup filesystem at /sys/fs/cgroup: step07 has nowhere to put its limits" \
		"sudo mount -t cgroup2 none /sys/fs/cgroup"
elif [ "$layout" = v2 ]; then
	available=$(rd /sys/fs/cgroup/cgroup.controllers)
	enabled=$(rd /sys/fs/cgroup/cgroup.subtree_control)
	lack=() opts=()
	for c in memory cpu pids cpuset io; do
		has_word "$available" "$c" || {
			lack+=("$c")
			opts+=("${needs[$c]}")
		}
	done
	if [ ${#lack[@]} -eq 0 ]; then
		finding ok 07 "cgroup v2 (cgroup2 at /sys/fs/cgroup); controllers available: $available; delegated to children: ${enabled:-none yet (step07 enables what it needs, as root)}"
	else
		finding fail 07 "cgroup v2, but this tree lacks ${lack[*]} (cgroup.controllers: ${available:-empty}): $(printf '%s; ' "${opts[@]}" | sed 's/; $//') fail" \
			"give this tree the controllers (a container: docker run --cgroupns=private; a host: they are in the kernel's cgroup_no_v1=/cgroup_disable= options?)"
	fi
	procs=$(grep -c . "$R/sys/fs/cgroup/cgroup.procs" 2>/dev/null)
	if [ "$cgns_root" = yes ] && [ "${procs:-0}" -gt 0 ] && [ -z "$enabled" ]; then
		finding fail 07 "/sys/fs/cgroup is not the host's root cgroup and holds $procs processes: v2 lets a cgroup with members give no controller to its children, so step07's write to cgroup.subtree_control fails (EBUSY)" \
			"sudo sh -c 'mkdir /sys/fs/cgroup/init && xargs -n1 < /sys/fs/cgroup/cgroup.procs > /sys/fs/cgroup/init/cgroup.procs'"
	fi
else
	mounted=() lack=() opts=()
	for c in memory cpu cpuacct pids freezer cpuset blkio devices; do
		if mounts | awk -v c="$c" '$2 == "cgroup" && index($1, "/sys/fs/cgroup/") == 1 && ("," $4 ",") ~ ("," c ",") { f = 1 } END { exit !f }' &&
			[ -e "$R/sys/fs/cgroup/$c" ]; then
			mounted+=("$c")
		elif [ "$c" != cpuacct ]; then
			lack+=("$c")
			opts+=("${needs[$c]}")
		fi
	done
	where="cgroup v1"
	[ "$layout" = hybrid ] && where="cgroup hybrid (v1 controllers; the cgroup2 at /sys/fs/cgroup/unified holds none, step07 uses v1)"
	if [ ${#lack[@]} -eq 0 ]; then
		finding ok 07 "$where; controllers mounted: ${mounted[*]}"
	elif [ ${#lack[@]} -eq 1 ] && [ "${lack[0]}" = freezer ]; then
		finding warn 07 "$where; no freezer hierarchy: step07 kills what is left without freezing it first (a forking process may escape one round)" \
			"sudo mkdir /sys/fs/cgroup/freezer && sudo mount -t cgroup -o freezer cgroup /sys/fs/cgroup/freezer"
	else
		finding fail 07 "$where; not mounted: ${lack[*]}: $(printf '%s; ' "${opts[@]}" | sed 's/; $//') fail" \
			"sudo mkdir /sys/fs/cgroup/${lack[0]} && sudo mount -t cgroup -o ${lack[0]} cgroup /sys/fs/cgroup/${lack[0]}"
	fi
fi
# Read-only: the cgroup2 mount on v2; on v1 the controllers' own mounts
# (systemd mounts the tmpfs that holds them read-only, and that is fine).
if [ "$layout" = v2 ] && [[ ,$cg_opts, == *,ro,* ]]; then
	ro_cgroups=/sys/fs/cgroup
else
	ro_cgroups=$(mounts | awk '$2 == "cgroup" && index($1, "/sys/fs/cgroup/") == 1 && ("," $3 ",") ~ /,ro,/ { printf "%s ", $1 }')
fi
if [ -n "$ro_cgroups" ]; then
	finding fail 07 "${ro_cgroups% } mounted read-only (a container without --privileged): step07 cannot make its cgroup" \
		"docker run --privileged --cgroupns=private ..."
fi

if [ "$layout" != v2 ]; then
	finding ok 07 "cgroup $layout: step07 starts the child with clone and moves it in, and kills by freezing (clone3 CLONE_INTO_CGROUP and cgroup.kill are v2's)"
else
	if kernel_at_least 5.7; then
		finding ok 07 "$kv >= 5.7: clone3 CLONE_INTO_CGROUP starts the child inside its cgroup"
	else
		finding warn 07 "$kv < 5.7: no clone3 CLONE_INTO_CGROUP; step07 clones, then moves the child into its cgroup (a few ms slower)" "$newer_kernel"
	fi
	if kernel_at_least 5.14; then
		finding ok 07 "$kv >= 5.14: cgroup.kill ends what is left in the cgroup at once"
	else
		finding warn 07 "$kv < 5.14: no cgroup.kill; step07 freezes the cgroup, kills each member, thaws it" "$newer_kernel"
	fi
fi

# --- overlayfs (09) -----------------------------------------------------------

if grep -qw overlay "$R/proc/filesystems" 2>/dev/null; then
	finding ok 09-10 "overlayfs is in the kernel (/proc/filesystems)"
elif compgen -G "$R/lib/modules/$release/kernel/fs/overlayfs/overlay.ko*" >/dev/null; then
	finding ok 09-10 "overlayfs is a module, loaded at the first overlay mount (/lib/modules/$release)"
else
	finding fail 09-10 "no overlayfs: not in /proc/filesystems, no module in /lib/modules/$release" \
		"sudo modprobe overlay (or boot a kernel with CONFIG_OVERLAY_FS)"
fi

# --- busybox and the rootfs (08 on) -------------------------------------------

busybox=${BUSYBOX:-$(find_cmd busybox)} # BUSYBOX: as for scripts/mkrootfs.sh
if [ -z "$busybox" ] || [ ! -e "$R$busybox" ]; then
	finding fail 08-10 "no busybox${busybox:+ at $busybox}: make rootfs builds the steps' root filesystem from a static busybox" \
		"$install $busybox_pkg"
elif od -An -c -N 4096 "$R$busybox" 2>/dev/null | tr -d ' \n' | grep -q ld-linux; then
	# (as scripts/mkrootfs.sh tells: the interpreter's name is near the start)
	finding fail 08-10 "$busybox is dynamically linked: inside the rootfs it would find no libraries" \
		"$install $busybox_pkg"
else
	finding ok 08-10 "a static busybox at $busybox"
fi
if [ -x "$R$rootfs/bin/busybox" ] || [ -L "$R$rootfs/bin/busybox" ]; then
	finding ok 08-10 "the rootfs is built ($rootfs)"
else
	finding warn 08-10 "no rootfs at $rootfs yet (steps 08-10 and the tests need it)" "make rootfs"
fi

# --- the sum -----------------------------------------------------------------

if [ "$n_fail" -eq 0 ]; then
	echo "doctor: $n_ok ok, $n_warn warn, 0 fail: every step can run here"
	exit 0
fi
list=
for ((i = 1; i <= 10; i++)); do
	[ -n "${broken[$i]:-}" ] && list="$list $(printf '%02d' "$i")"
done
echo "doctor: $n_ok ok, $n_warn warn, $n_fail fail: not everything works here in steps$list"
exit 1
