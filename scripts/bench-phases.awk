#!/usr/bin/awk -f
# bench-phases.awk — step10's timed -v trace, cut into phases.
#
# Input (scripts/bench.sh): "RUN MS [role] text" per trace line, from runs
# with STEPBOX_TRACE_TIME=1. A line is printed when its work is done, so
# the time since the line before is the cost of that line's work; each
# line belongs to the phase its words name. Output: CSV of each phase's
# median over the runs, in milliseconds, in the order a run meets them,
# and the median of the whole run (the last line's time). The execve phase
# ends when the parent's waitpid returns: the command, its exit, and the
# end of the namespaces it was the last member of.
#
#   scripts/bench-phases.awk build/bench/DATE/trace.txt

function phase(role, text) {
	if (after_wait) return "teardown: unmount and remove cgroups and state"
	if (text ~ /^waitpid/) { after_wait = 1; return "execve and the command until it exits" }
	if (text ~ /^(close_range|execve)/) return "execve and the command until it exits"
	if (text ~ /cgroup\.procs/) return "cgroup: move the child in"
	if (text ~ /^(mkdir|write|rmdir) \/sys\/fs\/cgroup/ || text ~ /^statfs\("\/sys\/fs\/cgroup/)
		return "cgroup: create and set the limits"
	if (text ~ /^seccomp/) return "seccomp filter"
	if (text ~ /^clone/) return "clone: seven new namespaces"
	if (text ~ /(uid_map|gid_map|setgroups)/ || text ~ /^setresgid/) return "user namespace: id maps"
	if (text ~ /\/layer|\/merged|"overlay"|^fsconfig\(|^fsmount\(/ && role == "[parent]")
		return "overlay: a tmpfs layer and the mount"
	if (text ~ /^(sethostname|ioctl|unshare\(CLONE_NEWCGROUP)/) return "hostname and loopback and cgroup namespace"
	if (text ~ /\(masked\)|MOUNT_ATTR_RDONLY\), move_mount onto itself|not in this kernel/)
		return "masked and read-only paths"
	if (text ~ /pivot_root|old root|^chdir\("\/"\)/) return "pivot_root"
	if (text ~ /^(prctl|capset)/) return "capabilities and no_new_privs"
	if (role == "[child]") return "mounts: rootfs and /proc /dev /sys /tmp"
	return "state directory and lock"
}

function median(list,    n, a, i, j, v) {
	n = split(list, a, " ")
	for (i = 2; i <= n; i++) {
		v = a[i] + 0
		for (j = i - 1; j >= 1 && a[j] + 0 > v; j--) a[j + 1] = a[j]
		a[j + 1] = v
	}
	return n ? a[int((n + 1) / 2)] : 0
}

{
	run = $1; t = $2 + 0; role = $3
	text = $0
	sub(/^[^ ]+ +[^ ]+ +[^ ]+ /, "", text)
	if (run != cur) {
		if (cur != "") finish()
		cur = run; prev = 0; after_wait = 0; delete sum
	}
	p = phase(role, text)
	if (!(p in order)) { order[p] = ++nphases; names[nphases] = p }
	sum[p] += t - prev
	prev = t
}

function finish(    i) {
	for (i = 1; i <= nphases; i++) costs[i] = costs[i] " " (sum[names[i]] + 0)
	totals = totals " " prev
}

END {
	if (cur != "") finish()
	print "phase,median_ms"
	for (i = 1; i <= nphases; i++) printf "%s,%.3f\n", names[i], median(costs[i])
	printf "whole run (-v),%.3f\n", median(totals)
}
