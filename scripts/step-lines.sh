#!/usr/bin/env bash
# step-lines.sh — the README's "lines" column: for each step, the
# non-blank lines that `make diff STEP=NN` adds (for step 01, the
# non-blank lines of its code). Blank lines are left out so that the
# figure is code and comments, not layout. tests/make.bats checks that
# the README's table says what this prints.
#
#   scripts/step-lines.sh        "NN LINES" for every step
set -euo pipefail
cd "$(dirname "$0")/.."

prev=
for step in step[0-9][0-9]-*/; do
	step=${step%/}
	if [ -z "$prev" ]; then
		n=$(cat "$step"/*.c "$step"/*.h 2>/dev/null | grep -c '[^[:space:]]' || true)
	else
		n=$(diff -ruN -x run -x README.md -x HINTS -x CORE "$prev" "$step" |
			grep -E '^\+' | grep -vE '^\+\+\+ ' | grep -c '^+.*[^[:space:]]' || true)
	fi
	echo "${step:4:2} $n"
	prev=$step
done
