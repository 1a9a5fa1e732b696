#!/usr/bin/env bash
# bench-report.sh — the tables and the plot of one `make bench` run.
#
#   scripts/bench-report.sh DIR
#
# Reads DIR's machine.txt, start.json, cold.json, exec.json (hyperfine's),
# rss.csv, phases.csv, clone.csv and notes.txt (scripts/bench.sh writes
# them all);
# writes DIR/results.md (Markdown tables, the machine and the date, as the
# README shows them) and DIR/start.svg (start-up time per step and per
# runtime: the median as a bar, the 10th to 90th percentile as a line).
set -euo pipefail

dir=${1:?usage: scripts/bench-report.sh DIR}
for f in machine.txt start.json cold.json exec.json rss.csv phases.csv clone.csv; do
	[ -r "$dir/$f" ] || {
		echo "bench-report: $dir/$f is missing (scripts/bench.sh writes it)" >&2
		exit 1
	}
done

# spread FILE.json: "label,median,p10,p90" (ms) for each command, from the
# times of every run in hyperfine's JSON (the 10th and 90th percentiles:
# a spread that one stray slow run does not stretch, as min-max would).
spread() {
	awk '
		function flush(    i, j, v, n) {
			n = nt
			for (i = 2; i <= n; i++) {
				v = t[i]
				for (j = i - 1; j >= 1 && t[j] > v; j--) t[j + 1] = t[j]
				t[j + 1] = v
			}
			printf "%s,%.3f,%.3f,%.3f\n", label, t[int((n + 1) / 2)] * 1000,
				t[int(n * 0.1) + 1] * 1000, t[n - int(n * 0.1)] * 1000
		}
		/"command":/ { sub(/^[^:]*: *"/, ""); sub(/",?$/, ""); label = $0 }
		/"times": \[/ { in_times = 1; nt = 0; next }
		in_times && /\]/ { in_times = 0; flush(); next }
		in_times { v = $0; gsub(/[ ,]/, "", v); t[++nt] = v + 0 }
	' "$1"
}

# table FILE.json BASE-LABEL: a Markdown table in ms, with each median's
# ratio to BASE-LABEL's.
table() {
	spread "$1" | awk -F, -v base="$2" '
		{ label[++n] = $1; med[n] = $2; lo[n] = $3; hi[n] = $4; if ($1 == base) b = $2 }
		END {
			print "| | median | p10 – p90 | ratio to " base " |"
			print "|---|---:|---:|---:|"
			for (i = 1; i <= n; i++)
				printf "| %s | %.2f ms | %.2f – %.2f ms | %s |\n", label[i], med[i], lo[i], hi[i],
					(b > 0 ? sprintf("%.2f×", med[i] / b) : "–")
		}'
}

step10=$(spread "$dir/start.json" | awk -F, '$1 ~ /^step10-/ { print $1 }')
{
	cat "$dir/machine.txt"
	echo
	echo "**Start, run /bin/true, tear down** (warm):"
	echo
	table "$dir/start.json" "$step10"
	echo
	echo "**Cold** (200 ms of quiet before each run):"
	echo
	table "$dir/cold.json" "$step10"
	echo
	echo "**exec /bin/true into a running container:**"
	echo
	table "$dir/exec.json" "step10 exec"
	echo
	echo "**Peak RSS** (the largest process each waited for, KiB):"
	echo
	echo "| | KiB |"
	echo "|---|---:|"
	awk -F, 'NR > 1 { printf "| %s | %d |\n", $1, $2 }' "$dir/rss.csv"
	echo
	echo "**Where step10's time goes** (its -v trace with STEPBOX_TRACE_TIME=1, median per phase):"
	echo
	echo "| phase | ms |"
	echo "|---|---:|"
	awk -F, 'NR > 1 { printf "| %s | %.3f |\n", $1, $2 }' "$dir/phases.csv"
	echo
	echo "**Each namespace at clone(2)** (clone + exit + wait, build/bench/nsclone):"
	echo
	echo "| flag | median µs | fastest µs |"
	echo "|---|---:|---:|"
	awk -F, 'NR > 1 { printf "| %s | %.0f | %.0f |\n", $1, $2, $3 }' "$dir/clone.csv"
	if [ -s "$dir/notes.txt" ]; then
		echo
		sed 's/^/- /' "$dir/notes.txt"
	fi
} >"$dir/results.md"

# The plot: one row per command of start.json.
spread "$dir/start.json" | awk -F, '
	{ label[++n] = $1; med[n] = $2; lo[n] = $3; hi[n] = $4
	  if (hi[n] > top) top = hi[n] }
	END {
		top *= 1.1; left = 190; width = 520; row = 24; h = n * row + 60
		printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n", left + width + 30, h
		printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
		printf "<text x=\"10\" y=\"18\" font-size=\"14\">Start, run /bin/true, tear down (ms): median, and 10th to 90th percentile</text>\n"
		for (i = 1; i <= n; i++) {
			y = 30 + (i - 1) * row
			w = med[i] / top * width
			color = label[i] ~ /^step/ ? "#4878a8" : "#c07030"
			printf "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", left - 8, y + 15, label[i]
			printf "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"16\" fill=\"%s\"/>\n", left, y + 3, w, color
			x1 = left + lo[i] / top * width; x2 = left + (hi[i] < top ? hi[i] : top) / top * width
			printf "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\"/>\n", x1, y + 11, x2, y + 11
			printf "<text x=\"%.1f\" y=\"%d\" font-size=\"11\">%.2f</text>\n", (x2 > left + w ? x2 : left + w) + 4, y + 15, med[i]
		}
		y = 30 + n * row + 4
		printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", left, y, left + width, y
		# about eight ticks, at 1, 2 or 5 times a power of ten
		for (step = 0.1; top / step > 10; ) {
			if (top / (step * 2) <= 10) { step *= 2; break }
			if (top / (step * 5) <= 10) { step *= 5; break }
			step *= 10
		}
		for (t = 0; t <= top; t += step) {
			x = left + t / top * width
			printf "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\"/>\n", x, y, x, y + 4
			printf "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"11\">%g</text>\n", x, y + 16, t
		}
		print "</svg>"
	}' >"$dir/start.svg"
echo "bench-report: $dir/results.md, $dir/start.svg" >&2
