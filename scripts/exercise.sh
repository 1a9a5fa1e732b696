#!/usr/bin/env bash
# exercise.sh — a step's lesson as an exercise: the previous step's code,
# with a TODO where the lesson adds code.
#
#   scripts/exercise.sh STEP           make workshop/stepNN-name/ (make exercise STEP=05)
#   FORCE=1 scripts/exercise.sh STEP   ... replacing one that has your edits (kept in a .bak)
#   scripts/exercise.sh --check [STEP...]
#                                      every change of each lesson has a hint, every
#                                      hint a change (make lint runs it)
#   scripts/exercise.sh --keys STEP    each change of the lesson, its key and hint
#
# WORKSHOP=DIR puts the work areas in DIR instead of workshop/.
#
# Where the hints come from: stepNN-name/HINTS, next to the solution.
# Each line is "FILE:FUNCTION QUESTION": FUNCTION is the function of
# FILE (in step NN) that a change falls in, or "top" for a change outside
# any function (an #include, a field, a table), or "file" for a file that
# is new in step NN. `diff -U0` of step NN-1 and NN gives the changes; a
# change with no hint, or a hint with no change, fails --check, so the
# hints cannot drift from the code they hint at.
#
# What the work area holds: for each .c/.h file step NN shares with step
# NN-1, step NN-1's version with a line
#     /* TODO(step05) 3/7: <the hint> */
# before each place the lesson changes; the headers that are new in step
# NN as they are (the interface to write against); and TODO.md, the list
# of the TODOs and of the new .c files to write, each with its hint. It
# builds as it is (it is step NN-1's program), and step NN's tests fail
# on it until the TODOs are done: `make check-exercise STEP=05`.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

die() {
	echo "exercise: $*" >&2
	exit 2
}

# step_dir NN: stepNN-name, or nothing.
step_dir() {
	local d
	for d in step"$(printf %02d "$((10#$1))")"-*/; do
		[ -d "$d" ] && echo "${d%/}" && return
	done
	return 0
}

# hunks OLD NEW: "old_start old_count new_start new_count", one per change.
hunks() {
	diff -U0 "$1" "$2" | awk '/^@@ / {
		split(substr($2, 2), o, ","); split(substr($3, 2), n, ",")
		print o[1], (2 in o) ? o[2] : 1, n[1], (2 in n) ? n[2] : 1
	}'
}

# function_at FILE LINE COUNT: the function that lines LINE.. LINE+COUNT-1
# of FILE change: the one they are in; else the first one they add (a new
# function, after its comment); else "top".
function_at() {
	awk -v L="$2" -v N="$3" '
		function header(l) { return l ~ /^[A-Za-z_][A-Za-z0-9_ *]*\(/ && l !~ /;[ \t]*$/ }
		function name(l, n) {
			match(l, /[A-Za-z_][A-Za-z0-9_]*[ \t]*\(/)
			n = substr(l, RSTART, RLENGTH); sub(/[ \t]*\($/, "", n); return n
		}
		NR <= L + N { a[NR] = $0 } END {
		for (j = L; j >= 1; j--) {
			l = a[j]
			if (l ~ /^}/ && j < L) break
			if (l ~ /^(struct|union|enum)[^;(]*\{[ \t]*$/ || l ~ /^[A-Za-z_][^(]*= *\{/) break
			if (header(l)) { print name(l); exit }
		}
		for (j = L; j < L + N; j++) if (header(a[j])) { print name(a[j]); exit }
		print "top"
	}' "$1"
}

# changes NN: "FILE KEY OLD_LINE" for each change of step NN's lesson (OLD_LINE:
# the line of step NN-1's FILE before which its TODO goes), and "FILE file 0"
# for each .c file new in step NN.
changes() {
	local step prev f os oc ns nc at
	step=$(step_dir "$1")
	prev=$(step_dir "$((10#$1 - 1))")
	for f in $(cd "$step" && ls -- *.c *.h 2>/dev/null); do
		if [ ! -e "$prev/$f" ]; then
			[[ $f == *.c ]] && echo "$f file 0"
			continue
		fi
		# One TODO for a run of changes in the same function.
		while read -r os oc ns nc; do
			at=$ns
			[ "$nc" -gt 0 ] || at=$((ns + 1))
			[ "$oc" -gt 0 ] || os=$((os + 1))
			echo "$f $f:$(function_at "$step/$f" "$at" "$nc") $os"
		done < <(hunks "$prev/$f" "$step/$f") | awk '$2 != last { print } { last = $2 }'
	done
}

# hint NN KEY: the hint for KEY in step NN's HINTS, or nothing.
hint() {
	local file
	file="$(step_dir "$1")/HINTS"
	[ -f "$file" ] || return 0
	awk -v k="$2" '$1 == k { sub(/^[^ ]+ +/, ""); print; exit }' "$file"
}

check() {
	local nn=$1 step keys bad=0 k
	step=$(step_dir "$nn")
	keys=$(changes "$nn" | awk '{ print ($2 == "file") ? $1 ":file" : $2 }' | sort -u)
	while read -r k; do
		[ -n "$(hint "$nn" "$k")" ] || {
			echo "exercise: $step/HINTS has no hint for $k (a change of the lesson)" >&2
			bad=1
		}
	done <<<"$keys"
	if [ -f "$step/HINTS" ]; then
		while read -r k _; do
			[ -z "$k" ] || [[ $k == \#* ]] && continue
			grep -qxF "$k" <<<"$keys" || {
				echo "exercise: $step/HINTS: $k is no change of the lesson any more" >&2
				bad=1
			}
		done <"$step/HINTS"
	fi
	return $bad
}

# generate NN DIR: the work area of step NN, made in DIR.
generate() {
	local nn=$1 out=$2 step prev f key line n=0 total tag h
	step=$(step_dir "$nn")
	prev=$(step_dir "$((10#$nn - 1))")
	tag="step$(printf %02d "$((10#$nn))")"
	mkdir -p "$out"
	local list
	list=$(changes "$nn")
	total=$(grep -vc ' file 0$' <<<"$list" || true)
	{
		echo "# Exercise: $step"
		echo
		echo "This is $prev's code. Make it $step: read $step/README.md,"
		echo "then do each TODO below (they are in the code too, as"
		echo "\`/* TODO($tag) N/$total: ... */\`), and write the new files."
		echo "\`make check-exercise STEP=$(printf %02d "$((10#$nn))")\` builds this folder and runs"
		echo "$step's tests against it. \`make diff STEP=$(printf %02d "$((10#$nn))")\` is the answer."
		echo
		echo "## TODO"
		echo
	} >"$out/TODO.md"
	for f in $(cd "$prev" && ls -- *.c *.h 2>/dev/null); do
		[ -e "$step/$f" ] || continue # gone in this step: not part of the work
		cp "$prev/$f" "$out/$f"
	done
	for f in $(cd "$step" && ls -- *.h 2>/dev/null); do
		[ -e "$prev/$f" ] || cp "$step/$f" "$out/$f"
	done
	# Insert from the bottom of each file up, so that line numbers hold.
	while read -r f key line; do
		[ "$key" = file ] && continue
		n=$((n + 1))
		h=$(hint "$nn" "$key")
		printf '%s %s %s\t%s\n' "$f" "$line" "$n" "$h"
		printf -- '- [ ] %d/%d `%s`, in `%s`: %s\n' "$n" "$total" "$f" "${key#*:}" "$h" >>"$out/TODO.md"
	done <<<"$list" | sort -k1,1 -k2,2nr -k3,3nr | while IFS=$'\t' read -r pos h; do
		read -r f line n <<<"$pos"
		# Never inside a comment: after its end instead.
		awk -v at="$line" -v text="/* TODO($tag) $n/$total: $h */" '
			NR >= at && !done && !incomment { print text; done = 1 }
			{
				print; l = $0
				while (l != "") {
					if (incomment) {
						i = index(l, "*/"); if (!i) break
						incomment = 0; l = substr(l, i + 2)
					} else {
						i = index(l, "/*"); if (!i) break
						incomment = 1; l = substr(l, i + 2)
					}
				}
			}
			END { if (!done) print text }
		' "$out/$f" >"$out/$f.new"
		mv "$out/$f.new" "$out/$f"
	done
	if grep -q ' file 0$' <<<"$list"; then
		{
			echo
			echo "## New files to write"
			echo
			echo "Their headers are here already: what the rest of the code calls."
			echo
			while read -r f key _; do
				[ "$key" = file ] || continue
				printf -- '- [ ] `%s`: %s\n' "$f" "$(hint "$nn" "$f:file")"
			done <<<"$list"
		} >>"$out/TODO.md"
	fi
}

case ${1:-} in
--check)
	shift
	steps=("$@")
	if [ ${#steps[@]} -eq 0 ]; then
		for d in step[0-9][0-9]-*/; do
			[ "${d:4:2}" = 01 ] || steps+=("${d:4:2}")
		done
	fi
	bad=0
	for nn in "${steps[@]}"; do check "$nn" || bad=1; done
	[ $bad = 0 ] && echo "exercise: every change of steps ${steps[*]} has a hint, every hint a change"
	exit $bad
	;;
--keys)
	[ -n "$(step_dir "${2:-x}")" ] || die "--keys STEP: a step number, 02 to 10"
	changes "$2" | while read -r f key line; do
		[ "$key" = file ] && key=$f:file
		printf '%-40s %s\n' "$key" "$(hint "$2" "$key")"
	done | uniq
	exit 0
	;;
'' | -h | --help)
	sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit 0
	;;
esac

nn=$1
[[ $nn =~ ^[0-9]{1,2}$ ]] || die "STEP is a step number (make exercise STEP=05), not '$nn'"
step=$(step_dir "$nn")
[ -n "$step" ] || die "there is no step $nn"
[ "$((10#$nn))" -gt 1 ] || die "step 01 is where everyone starts: there is no step before it to start from"
check "$nn" >/dev/null 2>&1 || { check "$nn" || true; die "$step/HINTS does not match the lesson: fix it first"; }
workshop=${WORKSHOP:-workshop}
dest=$workshop/$step
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
generate "$nn" "$tmp/$step"
if [ -d "$dest" ]; then
	# Compare without the binary a build leaves there.
	if diff -rq -x run "$tmp/$step" "$dest" >/dev/null; then
		echo "exercise: $dest is up to date"
		exit 0
	fi
	if [ "${FORCE:-0}" != 1 ]; then
		echo "exercise: $dest has changes of yours: kept. FORCE=1 makes it anew (yours go to $dest.bak)" >&2
		exit 1
	fi
	rm -rf "$dest.bak"
	mv "$dest" "$dest.bak"
	echo "exercise: your $dest is now $dest.bak"
fi
mkdir -p "$workshop"
mv "$tmp/$step" "$dest"
echo "exercise: $dest: $(grep -c '^- \[ \]' "$dest/TODO.md") things to do, listed in $dest/TODO.md"
