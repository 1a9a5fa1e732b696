#!/usr/bin/env bash
# exercise.sh — a step's lesson as an exercise. By default the core: the
# step's own code with the bodies of a few functions, the ones that are
# the lesson, left to write. FULL=1: the whole lesson, the previous
# step's code with a TODO where the lesson adds code.
#
#   scripts/exercise.sh STEP           make workshop/stepNN-name/, the core (make exercise STEP=05)
#   FULL=1 scripts/exercise.sh STEP    ... the whole lesson (make exercise STEP=05 FULL=1)
#   FORCE=1 scripts/exercise.sh STEP   ... replacing one that has your edits (kept in a .bak)
#   scripts/exercise.sh --check [STEP...]
#                                      every change of each lesson has a hint, every
#                                      hint a change; every core blank is a function of
#                                      the step, with a test (make lint runs it)
#   scripts/exercise.sh --keys STEP    each change of the lesson, its key and hint
#   scripts/exercise.sh --core STEP    the core's blanks: FILE FUNCTION LINES TEST
#
# The core's blanks come from stepNN-name/CORE, a line each: FILE:FUNCTION,
# a tab, TESTFILE:TITLE (a test of tests/ that fails while the function is
# not written), a tab, the question. In the work area each such function
# keeps its signature; its body is the question as a TODO and a die(), so
# that the area builds and says which blank a run reached. The rest is the
# step's code as it is. At most CORE_MAX lines of body to write.
# CORE_ONLY=N leaves only the Nth blank (tests/exercise.bats: each blank
# alone must fail its test).
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

CORE_MAX=80

# core_entries NN: "FILE FUNCTION<TAB>TEST<TAB>QUESTION" for each line of
# step NN's CORE.
core_entries() {
	local file
	file="$(step_dir "$1")/CORE"
	[ -f "$file" ] || return 0
	awk -F '\t' '!/^#/ && NF >= 3 { split($1, k, ":"); print k[1] " " k[2] "\t" $2 "\t" $3 }' "$file"
}

# body_lines FILE FUNCTION: the lines of FUNCTION's body in FILE (between
# its braces), or nothing when FILE defines no FUNCTION.
body_lines() {
	awk -v fn="$2" '
		function is_header(l) { return l ~ ("^[A-Za-z_][A-Za-z0-9_ *]*[ *]" fn "\\(") || l ~ ("^" fn "\\(") }
		state == 0 && is_header($0) && $0 !~ /;[ \t]*$/ { state = 1; next }
		state == 1 && /;[ \t]*$/ { state = 0; next }
		state == 1 && /^\{/ { state = 2; n = 0; next }
		state == 2 && /^\}/ { print n; exit }
		state == 2 { n++ }
	' "$1"
}

# blank FILE FUNCTION TEXT: FILE with FUNCTION's body replaced by TEXT (a
# comment), a (void) for each parameter, and a die() that names the blank.
blank() {
	awk -v fn="$2" -v text="$3" '
		function is_header(l) { return l ~ ("^[A-Za-z_][A-Za-z0-9_ *]*[ *]" fn "\\(") || l ~ ("^" fn "\\(") }
		# the names of the parameters in SIG, the text from the name on
		function params(sig,   i, c, depth, start, inner, list, n, p, out) {
			i = index(sig, fn "(") + length(fn) + 1
			depth = 1; inner = ""
			for (; i <= length(sig) && depth > 0; i++) {
				c = substr(sig, i, 1)
				if (c == "(") depth++
				if (c == ")") depth--
				if (depth == 1 && c == ",") c = "\001"
				if (depth > 0) inner = inner c
			}
			n = split(inner, list, "\001"); out = ""
			for (i = 1; i <= n; i++) {
				p = list[i]
				gsub(/\[[^]]*\]/, "", p); sub(/[ \t]+$/, "", p)
				if (p ~ /^[ \t]*(void)?[ \t]*$/ || p ~ /\.\.\./) continue
				if (match(p, /\([ \t]*\*[ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*\)/)) {
					p = substr(p, RSTART, RLENGTH); gsub(/[() \t*]/, "", p)
				} else if (match(p, /[A-Za-z_][A-Za-z0-9_]*$/)) {
					p = substr(p, RSTART, RLENGTH)
				}
				out = out "\t(void)" p ";\n"
			}
			return out
		}
		state == 0 && is_header($0) && $0 !~ /;[ \t]*$/ { state = 1; sig = $0; print; next }
		state == 1 && /;[ \t]*$/ { state = 0; print; next }
		state == 1 && /^\{/ {
			print
			print "\t/* " text " */"
			printf "%s", params(sig)
			printf "\tdie(\"%s: not written yet (the TODO above it)\");\n", fn
			state = 2; next
		}
		state == 1 { sig = sig " " $0; print; next }
		state == 2 && /^\}/ { print; state = 3; next }
		state == 2 { next }
		{ print }
	' "$1"
}

check_core() {
	local nn=$1 step bad=0 total=0 key test q f fn n title tfile
	step=$(step_dir "$nn")
	[ -f "$step/CORE" ] || {
		echo "exercise: $step has no CORE: the core exercise's blanks" >&2
		return 1
	}
	while IFS=$'\t' read -r key test q; do
		f=${key% *} fn=${key#* }
		n=$(body_lines "$step/$f" "$fn" 2>/dev/null || true)
		if [ -z "$n" ]; then
			echo "exercise: $step/CORE: $f:$fn is no function of $step/$f" >&2
			bad=1
			continue
		fi
		total=$((total + n))
		tfile=${test%%:*} title=${test#*:}
		if [ ! -f "tests/$tfile" ] || ! grep -qF "@test \"$title" "tests/$tfile"; then
			echo "exercise: $step/CORE: $f:$fn: no test \"$title\" in tests/$tfile" >&2
			bad=1
		fi
		[ -n "$q" ] || {
			echo "exercise: $step/CORE: $f:$fn has no question" >&2
			bad=1
		}
	done < <(core_entries "$nn")
	if [ "$total" -gt "$CORE_MAX" ]; then
		echo "exercise: $step/CORE: $total lines to write, more than $CORE_MAX: not a core" >&2
		bad=1
	fi
	return $bad
}

# generate_core NN DIR: the core work area of step NN, made in DIR.
generate_core() {
	local nn=$1 out=$2 step tag total n=0 key test q f fn lines
	step=$(step_dir "$nn")
	tag="step$(printf %02d "$((10#$nn))")"
	mkdir -p "$out"
	for f in $(cd "$step" && ls -- *.c *.h 2>/dev/null); do
		cp "$step/$f" "$out/$f"
	done
	total=$(core_entries "$nn" | grep -c . || true)
	{
		echo "# Exercise: $step, the core"
		echo
		echo "This is $step's own code, but for $total functions whose bodies are"
		echo "the lesson: write them. Each is marked \`/* TODO($tag) N/$total: ... */\`"
		echo "in the code, and dies until it is written. Read $step/README.md"
		echo "first. \`make check-exercise STEP=$(printf %02d "$((10#$nn))")\` builds this folder and runs"
		echo "$step's tests, and every earlier step's, against it. The answer is"
		echo "$step/ itself. \`make exercise STEP=$(printf %02d "$((10#$nn))") FULL=1\` gives the whole lesson"
		echo "to write instead: the step before, with a TODO where this one changes it."
		echo "Until they are written, the compiler warns of what only they use."
		echo
		echo "## TODO"
		echo
	} >"$out/TODO.md"
	while IFS=$'\t' read -r key test q; do
		f=${key% *} fn=${key#* }
		n=$((n + 1))
		[ -z "${CORE_ONLY:-}" ] || [ "$CORE_ONLY" = "$n" ] || continue
		lines=$(body_lines "$step/$f" "$fn")
		blank "$out/$f" "$fn" "TODO($tag) $n/$total: $q" >"$out/$f.new"
		mv "$out/$f.new" "$out/$f"
		printf -- '- [ ] %d/%d `%s`, `%s` (%d lines in %s): %s\n' "$n" "$total" "$f" "$fn" \
			"$lines" "$step" "$q" >>"$out/TODO.md"
	done < <(core_entries "$nn")
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
	for nn in "${steps[@]}"; do
		check "$nn" || bad=1
		check_core "$nn" || bad=1
	done
	[ $bad = 0 ] && echo "exercise: every change of steps ${steps[*]} has a hint, every hint a change; every core blank a function with a test"
	exit $bad
	;;
--core)
	[ -n "$(step_dir "${2:-x}")" ] || die "--core STEP: a step number, 02 to 10"
	core_entries "$2" | while IFS=$'\t' read -r key test q; do
		printf '%s %s %s\n' "$key" "$(body_lines "$(step_dir "$2")/${key% *}" "${key#* }")" "$test"
	done
	exit 0
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
workshop=${WORKSHOP:-workshop}
dest=$workshop/$step
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ "${FULL:-0}" = 1 ]; then
	check "$nn" >/dev/null 2>&1 || { check "$nn" || true; die "$step/HINTS does not match the lesson: fix it first"; }
	generate "$nn" "$tmp/$step"
else
	check_core "$nn" >/dev/null 2>&1 || { check_core "$nn" || true; die "$step/CORE does not match the code: fix it first"; }
	generate_core "$nn" "$tmp/$step"
fi
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
