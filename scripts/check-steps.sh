#!/usr/bin/env bash
# check-steps.sh — keep the steps cumulative (DESIGN.md, "Cumulative steps").
#
# For each pair of consecutive steps N-1, N: every function that step N-1
# defines must appear in step N unchanged, unless step N's README.md names
# it on its line "Changed from stepNN-1: `fn`, `fn`". A function the line
# names that did not change is an error too, so the lesson stays true.
#
#   scripts/check-steps.sh step01-uts step02-ipc ...   (make check-steps)
set -euo pipefail

# Print "name checksum" for each top-level function definition in the
# given C files: a line at column 0 that opens a definition (has "(", no
# ";"), through the next line that is a lone "}". Two static functions of
# one name in two files are told apart by the file: "name@file.c".
functions() {
	awk '
	!body && /^[A-Za-z_][A-Za-z0-9_ \t\*]*\(/ && !/;[ \t]*$/ {
		name = $0
		sub(/\(.*/, "", name)
		n = split(name, words, /[ \t\*]+/)
		name = words[n]
		file = FILENAME
		sub(/.*\//, "", file)
		if (seen[name]++) name = name "@" file
		body = 1
		text = ""
	}
	body { text = text $0 "\n" }
	body && /^}$/ {
		cmd = "cksum"
		printf "%s", text | cmd
		close(cmd)
		body = 0
		printf "%s\n", name
	}' "$@" | paste -d' ' - - | awk '{ print $3, $1 }' | sort
}

# The function names listed on README's "Changed from" line.
listed_changes() {
	local readme=$1
	grep -m1 -E '^Changed from step[0-9]{2}' "$readme" 2>/dev/null |
		grep -oE '`[A-Za-z_][A-Za-z0-9_]*`' | tr -d '`' | sort -u || true
}

status=0
fail() {
	echo "check-steps: $*" >&2
	status=1
}

prev=""
for step in "$@"; do
	[ -f "$step/README.md" ] || fail "$step: no README.md (the lesson)"
	if [ -n "$prev" ]; then
		if ! grep -qE "^Changed from ${prev%%-*}" "$step/README.md" 2>/dev/null; then
			fail "$step/README.md: no line 'Changed from ${prev%%-*}: \`fn\`, ...'"
		fi
		changed=$(join -a1 <(functions "$prev"/*.c) <(functions "$step"/*.c) |
			awk 'NF == 2 || $2 != $3 { print $1 }' | sort -u)
		listed=$(listed_changes "$step/README.md")
		for fn in $(comm -23 <(echo "$changed") <(echo "$listed")); do
			fail "$step: $fn() differs from $prev but README.md's 'Changed from' line does not name it"
		done
		for fn in $(comm -13 <(echo "$changed") <(echo "$listed")); do
			fail "$step: README.md names $fn() as changed, but it is the same as in $prev"
		done
	fi
	prev=$step
done
[ $status -eq 0 ] && echo "check-steps: $# steps, every change between neighbours is named in its lesson"
exit $status
