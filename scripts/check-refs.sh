#!/usr/bin/env bash
# check-refs.sh — do the lessons' runc/crun/containerd references exist?
#
#   scripts/check-refs.sh SRC_DIR[@REV]... [-- LESSON.md...]
#
# A maintainer's tool, not part of `make test`: it needs the runtimes'
# sources, which CI does not fetch. Give it their git checkouts (or bare
# git directories), e.g.
#
#   git clone https://github.com/opencontainers/runc /tmp/runc
#   git clone https://github.com/containers/crun /tmp/crun
#   git clone https://github.com/opencontainers/cgroups /tmp/cgroups
#   git clone https://github.com/containerd/containerd /tmp/containerd
#   git clone https://github.com/containers/bubblewrap /tmp/bubblewrap
#   scripts/check-refs.sh /tmp/runc@v1.5.1 /tmp/crun@1.29.1 /tmp/cgroups@v0.0.6 \
#       /tmp/containerd@v2.3.4 /tmp/bubblewrap
#
# (the versions the lessons name; without @REV, the checkout's HEAD).
# What it reads: every README.md of the project (or the lessons named
# after --), a paragraph (or a table row) at a time. Each backquoted
# function there (`setupUser()`, `(*linuxStandardInit).Init()`) must be
# defined, at the revision given, in one of the files named so far in
# its section (`libcontainer/init_linux.go`, a bare `container.c`, or a
# package such as `internal/pathrs`); until a section names a file of
# theirs, its functions are not checked (they are the project's own), nor
# is a name with a manual page in section 2 or 3 (`setsid()`: the C
# library's). A path whose top directory is in a source but which is
# not is reported too.
# Prints what it could not find and the number checked; exits 1 if any.
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
srcs=() lessons=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	srcs+=("$1")
	shift
done
[ "${1:-}" = -- ] && shift
lessons=("$@")
if [ ${#srcs[@]} -eq 0 ]; then
	echo "usage: scripts/check-refs.sh SRC_DIR... [-- LESSON.md...] (a git checkout of runc, crun, ...)" >&2
	exit 2
fi
[ ${#lessons[@]} -gt 0 ] || lessons=("$repo"/README.md "$repo"/step*/README.md)

# Each source's file list, once: "SRC<TAB>path".
index=$(mktemp)
trap 'rm -f "$index"' EXIT
for s in "${srcs[@]}"; do
	dir=${s%@*} rev=HEAD
	[[ $s == *@* ]] && rev=${s##*@}
	if ! git -C "$dir" rev-parse --verify -q "$rev^{commit}" >/dev/null 2>&1; then
		echo "check-refs: $dir has no revision $rev (a git checkout, and DIR@TAG to pick one)" >&2
		exit 2
	fi
	git -C "$dir" ls-tree -r --name-only "$rev" | sed "s|^|$dir@$rev\t|" >>"$index"
done

# find_files NAME: every "SRC<TAB>path" NAME may be: a path, the end of
# one (a bare file name), or with a trailing / a package's .go/.c files.
find_files() {
	awk -F'\t' -v n="$1" '
		n ~ /\/$/ { if (index($2, n) == 1 && $2 ~ /\.(go|c)$/ && $2 !~ /_test\.go$/) print; next }
		$2 == n || substr($2, length($2) - length(n)) == "/" n
	' "$index"
}

# defined DIR@REV PATH FUNC: FUNC is "name()" or "(*T).name()" / "(T).name()".
defined() {
	local text recv name
	text=$(git -C "${1%@*}" show "${1##*@}:$2" 2>/dev/null) || return 1
	name=${3%()}
	if [[ $name == \(*\).* ]]; then
		recv=${name%%).*}
		recv=${recv#(}
		recv=${recv#\*}
		name=${name#*).}
		grep -qE "^func \([a-zA-Z_]+ \*?$recv(\[[^]]*\])?\) $name\(" <<<"$text"
		return
	fi
	case $2 in
	*.go) grep -qE "^func (\([^)]*\) )?$name\(" <<<"$text" ;;
	*) grep -qE "^([A-Za-z_][A-Za-z0-9_ *]*[ *])?$name ?\(" <<<"$text" ;;
	esac
}

# units LESSON: one line per paragraph, list item or table row, as
# "LINE_NUMBER<TAB>text"; a heading is "LINE_NUMBER<TAB>#".
units() {
	awk '
		function flush() { if (text != "") print first "\t" text; text = "" }
		/^```/ { flush(); code = !code; next }
		code { next }
		/^[[:space:]]*$/ { flush(); next }
		/^#/ { flush(); print NR "\t#"; next }
		/^\|/ { flush(); print NR "\t" $0; next }
		/^[[:space:]]*([-*]|[0-9]+\.) / { flush() }
		{ if (text == "") first = NR; text = text " " $0 }
		END { flush() }
	' "$1"
}

checked=0 missing=0
for lesson in "${lessons[@]}"; do
	own=$(dirname "$lesson")
	files=()
	while IFS=$'\t' read -r n unit; do
		# The files named so far in this section ("... in
		# rootfs_linux.go unless named" holds for the paragraphs after it):
		# each "SRC<TAB>path" a name may mean.
		[ "$unit" = "#" ] && files=()
		[[ $unit == *\`*\`* ]] || continue
		funcs=()
		while IFS= read -r tok; do
			tok=${tok#\`}
			tok=${tok%\`}
			if [[ $tok =~ ^[A-Za-z0-9_./-]+\.(go|c|h)$ ]]; then
				# the project's own file (cgroup.c in step07's lesson)
				[ -e "$own/$tok" ] || [ -e "$repo/common/$tok" ] && continue
				hits=$(find_files "$tok")
				if [ -n "$hits" ]; then
					mapfile -t -O ${#files[@]} files <<<"$hits"
				elif [[ $tok == */* ]] && [ ! -e "$repo/$tok" ] &&
					[ -n "$(find_files "${tok%%/*}/" | head -n1)" ]; then
					echo "${lesson#"$repo"/}:$n: no file $tok in the sources given"
					missing=$((missing + 1))
				fi
			elif [[ $tok =~ ^[a-z_]+(/[a-z0-9_]+)+$ ]] && hits=$(find_files "$tok/") && [ -n "$hits" ]; then
				mapfile -t -O ${#files[@]} files <<<"$hits" # a package: its files
			elif [[ $tok =~ ^(\(\*?[A-Za-z_]+\)\.)?[A-Za-z_][A-Za-z0-9_]*\(\)$ ]]; then
				funcs+=("$tok")
			fi
		done < <(grep -oE '`[^`]+`' <<<"$unit")
		[ ${#files[@]} -gt 0 ] || continue
		for f in "${funcs[@]}"; do
			man -w 2 "${f%()}" >/dev/null 2>&1 || man -w 3 "${f%()}" >/dev/null 2>&1 && continue
			checked=$((checked + 1))
			found=0
			for hit in "${files[@]}"; do
				if defined "${hit%%$'\t'*}" "${hit#*$'\t'}" "$f"; then
					found=1
					break
				fi
			done
			if [ $found = 0 ]; then
				echo "${lesson#"$repo"/}:$n: $f is in none of the files named (${files[0]#*$'\t'} ...)"
				missing=$((missing + 1))
			fi
		done
	done < <(units "$lesson")
done
echo "check-refs: $checked references checked, $missing not found"
[ "$missing" -eq 0 ]
