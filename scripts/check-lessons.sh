#!/usr/bin/env bash
# check-lessons.sh — run every lesson's commands and compare with its transcript.
#
#   scripts/check-lessons.sh [STEP...]        the host's blocks (make check-lessons)
#   scripts/check-lessons.sh --vm [STEP...]   the v2 blocks, in the cgroup v2 VM
#                                             (make check-lessons-vm)
#
# What it reads: in each stepNN-*/README.md, every fenced ```console
# block, whatever its section, indented too (an exercise's, in a list
# item; the indent is not part of its lines): a transcript a reader is shown is a
# transcript that is run (a ```sh block is an illustration: code, or
# commands that need an edit first). In a block, a line
# "$ COMMAND" (or "# COMMAND", in a root shell) is a command (a trailing
# "\" continues it on the next line); the lines after it, up to the next
# prompt, are what it prints. A block's
# info string may add one tag after "console":
#   v2      only where /sys/fs/cgroup is cgroup2 (on a v1 host: in the VM)
#   v1      only on a cgroup v1 or hybrid host
#   user    run as an unprivileged user (uid 65534), without sudo: rootless,
#           with a $XDG_RUNTIME_DIR of its own as a login session has
#   manual  not run: it needs someone typing (a shell, ^C, two terminals)
#   ia32    only where the kernel has i386 system calls (the probe's
#           int80 works on the host: CONFIG_IA32_EMULATION)
#   oci     on the host only (podman and containerd are not in the VM's
#           chroot setup): podman must be installed (make deps-oci)
# and "exercise" before one of these (or alone) marks an exercise's
# commands, whose answers the lesson leaves out ("..."): each command
# line must also exit 0, so an exercise that cannot work as written fails.
# Untagged blocks run everywhere: on the host, and in the VM with --vm.
#
# How it runs them: each block is one bash script (so "&" and "$!" carry
# from one command to the next, as in the reader's shell), run from the
# top of the checkout as root, under a pseudo-terminal (script(1)) and
# with job control on (set -m: a "&" job is a background job of the
# terminal, as in an interactive shell). `sudo` is a shell function that
# runs its command directly: we are root already, and Debian's sudo
# (Defaults use_pty) relays the terminal through a pty of its own, which
# hung a CI run for 120 s on `sudo mkdir` (sudo-project/sudo#237 is the
# same family of use_pty races). The
# shell's own job notices ("[1] 1234", "[1]+ Done ...") are not compared,
# except the one "wait" prints for a job killed by a signal, which an
# interactive shell prints as "[1]+  Killed   COMMAND".
#
# How it compares: per command, the expected lines must match the output
# in order. "..." on a line of its own matches any number of lines. Both
# sides are normalised first:
#   - text after two spaces and "# " on an expected line is a comment;
#   - runs of blanks become one space, leading and trailing blanks go;
#   - a 12-digit hex word (a container id) becomes <id>, and 0x with hex
#     digits (an IPC key) 0xN;
#   - on a line that is not a number alone, every run of digits becomes N
#     (pids, sizes, times, inode numbers); a line that is only a number
#     (an exit status, a count) must match exactly;
#   - a line that is exactly this machine's host name becomes "vm" (the
#     transcripts were made on a host called vm).
# Then: exit status 1 if any command's output differs or the host is not
# left as it was (mounts, links, IPC objects, cgroups, /run/stepbox, the
# lesson's files under /var/tmp, processes named "run").
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo" || exit 1

vm=0
if [ "${1:-}" = --vm ]; then
	vm=1
	shift
fi
steps=("$@")
if [ ${#steps[@]} -eq 0 ]; then
	for d in step[0-9][0-9]-*/; do steps+=("${d%/}"); done
fi

[ "$(id -u)" -eq 0 ] || {
	echo "check-lessons: the lessons' commands need root: run as root" >&2
	exit 1
}

if [ "$vm" -eq 1 ]; then
	# Boot the VM and run this script there (STEPBOX_VM=1 inside).
	VM_CMD="scripts/check-lessons.sh ${steps[*]}" exec scripts/vm-test.sh
fi

for t in script; do
	command -v "$t" >/dev/null || {
		echo "check-lessons: $t is missing (make deps)" >&2
		exit 1
	}
done

# The VM's kernel has no host name ("(none)"); the lessons print it and
# sudo (when a reader types it there) resolves it: give it this machine's.
if [ -n "${STEPBOX_VM:-}" ] && [ "$(hostname)" = "(none)" ] && [ -s /etc/hostname ]; then
	hostname "$(cat /etc/hostname)"
fi
if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then layout=v2; else layout=v1; fi
host=$(hostname)

# What the lessons must leave as they found it.
host_state() {
	echo "== mounts"
	# (ip netns mounts /run/netns once, for good: iproute2's, not ours)
	awk '$5 != "/run/netns" { $1 = $2 = ""; print }' /proc/self/mountinfo | sort
	echo "== hostname"
	hostname
	echo "== SysV IPC"
	tail -q -n +2 /proc/sysvipc/msg /proc/sysvipc/shm /proc/sysvipc/sem | awk '{ print $1, $2 }' | sort
	echo "== links"
	ip -o link show | awk -F': ' '{ print $2 }' | sort
	echo "== network namespaces"
	ip netns list 2>/dev/null | sort
	echo "== stepbox cgroups"
	find /sys/fs/cgroup -maxdepth 3 -name 'stepbox*' 2>/dev/null | sort
	echo "== stepbox state"
	ls /run/stepbox 2>/dev/null
	echo "== /var/tmp"
	find /var/tmp -mindepth 1 -maxdepth 1 ! -name 'stepbox-test.*' -printf '%f\n' | sort
	echo "== loop devices"
	losetup -a 2>/dev/null | sort
	# A runtime left running is a leak; a zombie is not: a -d monitor
	# that has exited is reparented to PID 1, which reaps when it gets
	# to it (seconds, under some inits).
	echo "== runtimes"
	ps -eo pid=,stat=,comm= | awk '$3 == "run" && $2 !~ /^Z/ { print $1 }' | sort
}

# extract README: one record per line, "B tags", "C command", "E line".
extract() {
	awk '
	# a block may be indented, in a list item (an exercise): its lines
	# lose the fence'"'"'s indent
	!inb && /^ *```console/ {
		inb = 1; tags = $0; sub(/^ *```console[ ]*/, "", tags)
		indent = $0; sub(/```.*/, "", indent); n = length(indent)
		print "B " tags; cont = 0; next
	}
	inb && /^ *```/ { inb = 0; next }
	inb {
		line = $0
		if (n && substr(line, 1, n) ~ /^ *$/) line = substr(line, n + 1)
		if (cont) { printf "%s\n", line; cont = (line ~ /\\$/); next }
		if (line ~ /^[$#] /) {
			cmd = substr(line, 3)
			if (cmd ~ /\\$/) { printf "C %s\n", cmd; cont = 1 } else print "C " cmd
			next
		}
		print "E " line
	}' "$1"
}

normalise() {
	sed -E \
		-e 's/\r//g' -e 's/\^[@D]//g' -e 's/[[:space:]]+/ /g' -e 's/^ //' -e 's/ $//' \
		-e 's/(^|[^0-9a-z])[0-9a-f]{12}([^0-9a-z]|$)/\1<id>\2/g' \
		-e 's/0x[0-9a-f]+/0xN/g' \
		-e '/^[0-9]+$/!s/[0-9]+/N/g'
}

# matches EXPECTED ACTUAL: the expected lines, "..." a wildcard, match
# the actual lines in order (both files normalised).
matches() {
	awk -v EF="$1" '
	BEGIN { n = 0; while ((getline l < EF) > 0) e[++n] = l }
	{ a[++m] = $0 }
	END {
		m += 0  # dp[i,j]: e[1..i] matches a[1..j]
		dp[0, 0] = 1
		for (j = 1; j <= m; j++) dp[0, j] = 0
		for (i = 1; i <= n; i++) {
			dp[i, 0] = (e[i] == "..." && dp[i - 1, 0])
			for (j = 1; j <= m; j++) {
				if (e[i] == "...") dp[i, j] = dp[i - 1, j] || dp[i, j - 1]
				else dp[i, j] = (e[i] == a[j]) && dp[i - 1, j - 1]
			}
		}
		exit(dp[n, m] ? 0 : 1)
	}' "$2"
}

tmp=$(mktemp -d /tmp/stepbox-lessons.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
before=$(host_state)
pass=0 fail=0 skip=0

run_block() { # STEP N TAGS: the block's records are in $tmp/block
	local step=$1 n=$2 tags=$3 i=0 k rec
	local gen=$tmp/gen.sh out=$tmp/out strict=0 rc
	if [ "${tags%% *}" = exercise ]; then
		strict=1
		tags=${tags#exercise}
		tags=${tags# }
	fi
	case $tags in
	manual) skip=$((skip + 1)); return ;;
	v1 | v2) if [ "$tags" != "$layout" ]; then skip=$((skip + 1)); return; fi ;;
	ia32)
		if ! "$repo/build/probe/stepbox-probe" int80 >/dev/null 2>&1; then
			skip=$((skip + 1))
			return
		fi
		;;
	oci)
		if [ -n "${STEPBOX_VM:-}" ]; then skip=$((skip + 1)); return; fi
		if ! command -v podman >/dev/null; then
			echo "not ok - $step block $n: podman is missing (make deps-oci)"
			fail=$((fail + 1))
			return
		fi
		;;
	"" | user) ;;
	*) echo "not ok - $step block $n: unknown tag '$tags'"; fail=$((fail + 1)); return ;;
	esac
	{
		echo "cd '$repo' || exit 1"
		echo 'set -m'
		echo "exec 2>'$tmp/shell.err'"
		echo 'sudo() { "$@"; }'
		echo '{ :'
	} >"$gen"
	rm -f "$tmp"/exp.* "$tmp"/cmd.*
	while IFS= read -r rec; do
		case $rec in
		"C "*)
			i=$((i + 1))
			printf '%s\n' "${rec#C }" >"$tmp/cmd.$i"
			: >"$tmp/exp.$i"
			printf '} 2>&1\necho "@@@ rc $?"\necho "@@@ %d"\n{\n%s\n' "$i" "${rec#C }" >>"$gen"
			;;
		"E "*)
			[ "$i" -gt 0 ] && printf '%s\n' "${rec#E }" | sed -E 's/  +# .*$//' >>"$tmp/exp.$i"
			;;
		*) # a continued command line
			printf '%s\n' "$rec" >>"$tmp/cmd.$i"
			printf '%s\n' "$rec" >>"$gen"
			;;
		esac
	done <"$tmp/block"
	printf '} 2>&1\necho "@@@ rc $?"\necho "@@@ end"\n' >>"$gen"
	# A terminal, as the reader has; stdin at its end, so a shell that
	# waits for input ends instead.
	local shell="bash $gen"
	if [ "$tags" = user ]; then
		chmod 755 "$tmp"
		chmod 644 "$gen"
		: >"$tmp/shell.err"
		chmod 666 "$tmp/shell.err"
		# A login session's $XDG_RUNTIME_DIR, where rootless runs keep
		# their state from step09 on (else /tmp/stepbox-65534 would stay).
		mkdir -p -m 700 "$tmp/user-run"
		chown 65534:65534 "$tmp/user-run"
		shell="setpriv --reuid=65534 --regid=65534 --clear-groups env XDG_RUNTIME_DIR=$tmp/user-run $shell"
	fi
	timeout 120 script -qec "$shell" /dev/null </dev/null >"$out" 2>&1
	# The notice "wait" gives for a killed job, as an interactive shell
	# prints it ("[1]+  Killed  CMD").
	tr -d '\r\000' <"$out" | awk -v H="$host" '$0 == H { $0 = "vm" } { print }' |
		sed -E -e 's/\^[@D]//g' -e 's/^.*gen\.sh: line [0-9]+: +[0-9]+ /[1]+  /' >"$out.n"
	local ok=1
	for ((k = 1; k <= i; k++)); do
		awk -v k="$k" '
			/^@@@ / { on = ($2 == k); next }
			on' "$out.n" | normalise >"$tmp/act.$k"
		grep -q "^@@@ $k\$" "$out.n" || echo "(the command never ran: the block stopped before it)" >"$tmp/act.$k"
		normalise <"$tmp/exp.$k" >"$tmp/exp.$k.n"
		if ! matches "$tmp/exp.$k.n" "$tmp/act.$k"; then
			ok=0
			echo "not ok - $step block $n, command $k:"
			sed 's/^/#   $ /' "$tmp/cmd.$k"
			echo "#   expected (normalised):"
			sed 's/^/#     /' "$tmp/exp.$k.n"
			echo "#   got:"
			sed 's/^/#     /' "$tmp/act.$k"
		fi
		# the status of command k: the rc line after its output (the
		# first is the block's opening ':')
		rc=$(awk -v k="$k" '/^@@@ rc / && ++n == k + 1 { print $3 }' "$out.n")
		if [ "$strict" -eq 1 ] && [ "$rc" != 0 ]; then
			ok=0
			echo "not ok - $step block $n, command $k exited with status ${rc:-(none)}:"
			sed 's/^/#   $ /' "$tmp/cmd.$k"
			sed 's/^/#     /' "$tmp/act.$k"
		fi
	done
	grep -q '^@@@ end$' "$out.n" || {
		ok=0
		echo "not ok - $step block $n did not finish (120 s)"
	}
	if [ "$ok" -eq 1 ]; then
		echo "ok - $step block $n ($i commands)"
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
}

for step in "${steps[@]}"; do
	[ -f "$step/README.md" ] || { echo "check-lessons: no $step/README.md" >&2; exit 1; }
	[ -x "$step/run" ] || { echo "check-lessons: $step/run is not built (make all)" >&2; exit 1; }
	n=0
	tags=
	: >"$tmp/block"
	while IFS= read -r rec; do
		if [ "${rec:0:2}" = "B " ] || [ "$rec" = B ]; then
			[ "$n" -gt 0 ] && run_block "$step" "$n" "$tags"
			n=$((n + 1))
			tags=${rec#B}
			tags=${tags# }
			: >"$tmp/block"
		else
			printf '%s\n' "$rec" >>"$tmp/block"
		fi
	done < <(extract "$step/README.md")
	[ "$n" -gt 0 ] && run_block "$step" "$n" "$tags"
done

# A monitor lets go of its container's lock a moment before it exits:
# give what is ending a few seconds.
for _ in 1 2 3 4 5 6 7 8 9 10; do
	after=$(host_state)
	[ "$before" != "$after" ] || break
	sleep 0.5
done
if [ "$before" = "$after" ]; then
	echo "ok - the lessons left the host as they found it"
	pass=$((pass + 1))
else
	echo "not ok - the lessons left the host changed:"
	diff <(echo "$before") <(echo "$after") | sed 's/^/#   /'
	fail=$((fail + 1))
fi
echo "$pass passed, $fail failed, $skip skipped (cgroup $layout)"
[ "$fail" -eq 0 ]
