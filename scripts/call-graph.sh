#!/usr/bin/env bash
# call-graph.sh — which file of a step calls into which: "caller callee"
# per line, from the symbols each object file defines and uses (nm).
#
#   scripts/call-graph.sh step10-exec           the edges
#   scripts/call-graph.sh --check step10-exec   ... and fail on a circle, on
#                                               any call into main.c, or on a
#                                               file whose opening comment does
#                                               not name a file that calls it,
#                                               or the step that brought it
#                                               ("Brought by stepNN": the first
#                                               step that has the file)
#
# DESIGN.md's layout asks that main.c be the story and the files it calls
# never call back into it: a step reads top down, from main.c to the
# mechanisms, and each mechanism file can be read without main.c open.
set -euo pipefail

check=false
if [ "${1:-}" = --check ]; then
	check=true
	shift
fi
[ $# -ge 1 ] || {
	echo "usage: $0 [--check] STEPDIR..." >&2
	exit 2
}
repo=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

for step in "$@"; do
	step=${step%/}
	dir=$step
	[ -d "$dir" ] || dir=$repo/$step
	[ -d "$dir" ] || {
		echo "call-graph: $step: no such step" >&2
		exit 2
	}
	step=$(basename "$step")
	mkdir -p "$tmp/$step"
	for c in "$dir"/*.c; do
		o="$tmp/$step/$(basename "${c%.c}").o"
		${CC:-cc} -std=gnu11 -I"$repo/common" -DSTEPBOX_ROOTFS='"/"' -c "$c" -o "$o"
	done
	# "symbol file" for what each object defines, and for what it uses
	for o in "$tmp/$step"/*.o; do
		nm --defined-only -g "$o" | awk -v f="$(basename "${o%.o}").c" 'NF == 3 { print $3, f }'
	done | sort >"$tmp/$step.defs"
	for o in "$tmp/$step"/*.o; do
		nm -u "$o" | awk -v f="$(basename "${o%.o}").c" '{ print $2, f }'
	done | sort >"$tmp/$step.uses"
	join "$tmp/$step.defs" "$tmp/$step.uses" | awk '$2 != $3 { print $3, $2 }' | sort -u >"$tmp/$step.edges"
	if ! $check; then
		sed "s|^|$step: |" "$tmp/$step.edges"
		continue
	fi
	while read -r caller callee; do
		if [ "$callee" = main.c ]; then
			echo "call-graph: $step: $caller calls into main.c" >&2
			status=1
		elif ! awk 'NR == 1, /\*\// { print }' "$dir/$callee" | grep -qF "$caller"; then
			echo "call-graph: $step: $callee's opening comment does not say that $caller calls it" >&2
			status=1
		fi
	done <"$tmp/$step.edges"
	# and which step brought each file: the first that has it
	parent=$(dirname "$dir")
	for c in "$dir"/*.c; do
		f=$(basename "$c")
		[ "$f" = main.c ] && continue
		brought=$(awk 'NR == 1, /\*\// { print }' "$c" | grep -oE 'Brought by step[0-9]{2}' | head -n1 || true)
		brought=${brought#Brought by }
		if [ -z "$brought" ]; then
			echo "call-graph: $step: $f's opening comment does not say which step brought it (\"Brought by stepNN\")" >&2
			status=1
			continue
		fi
		for other in "$parent"/step[0-9][0-9]-*/; do
			other=$(basename "$other")
			[[ $other < "$brought" ]] || break
			if [ -e "$parent/$other/$f" ]; then
				echo "call-graph: $step: $f says $brought brought it, but $other has it already" >&2
				status=1
				break
			fi
		done
		for claimed in "$parent/$brought"-*/; do
			if [ -d "$claimed" ] && [ ! -e "$claimed/$f" ]; then
				echo "call-graph: $step: $f says $brought brought it, but $(basename "$claimed") has no $f" >&2
				status=1
			fi
		done
	done
	if ! (cd "$tmp" && tsort "$step.edges" >/dev/null 2>"$step.loop"); then
		echo "call-graph: $step: the calls between files go round in a circle:" >&2
		grep -v 'input contains a loop' "$tmp/$step.loop" | sed 's/^tsort: /  /' | sort -u >&2
		status=1
	fi
done
$check && [ $status -eq 0 ] && echo "call-graph: $# steps: no circle between files, nothing calls into main.c, each file names its callers and the step that brought it"
exit $status
