#!/usr/bin/env bash
# bench-report.sh — the tables and the plot of one `make bench` run.
#
#   scripts/bench-report.sh DIR
#
# Reads DIR's start.csv, cold.csv, exec.csv (hyperfine's: seconds), rss.csv,
# phases.csv, clone.csv and notes.txt (scripts/bench.sh writes them all);
# writes DIR/results.md (Markdown tables, the machine and the date, as the
# README shows them) and DIR/start.svg (start-up time per step and per
# runtime: the median as a bar, the fastest and slowest run as a line).
set -euo pipefail

dir=${1:?usage: scripts/bench-report.sh DIR}
for f in start.csv cold.csv exec.csv rss.csv phases.csv clone.csv; do
	[ -r "$dir/$f" ] || {
		echo "bench-report: $dir/$f is missing (scripts/bench.sh writes it)" >&2
		exit 1
	}
done

# hyperfine's CSV: command,mean,stddev,median,user,system,min,max (seconds).
# table FILE BASE-LABEL: a Markdown table in ms, with each median's ratio
# to BASE-LABEL's.
table() {
	awk -F, -v base="$2" '
		NR == 1 { next }
		{ label[++n] = $1; med[n] = $4 * 1000; lo[n] = $7 * 1000; hi[n] = $8 * 1000
		  if ($1 == base) b = $4 * 1000 }
		END {
			print "| | median | min – max | ratio to " base " |"
			print "|---|---:|---:|---:|"
			for (i = 1; i <= n; i++)
				printf "| %s | %.2f ms | %.2f – %.2f ms | %s |\n", label[i], med[i], lo[i], hi[i],
					(b > 0 ? sprintf("%.2f×", med[i] / b) : "–")
		}' "$1"
}

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
cgroup=$(stat -f -c %T /sys/fs/cgroup 2>/dev/null || true)
case $cgroup in
cgroup2fs) cgroup="v2" ;;
tmpfs) cgroup="v1" ;;
esac
[ "${STEPBOX_BENCH_INNER:-}" != hybrid ] || cgroup="v1 (hybrid: an empty cgroup2 beside the v1 controllers)"
step10=$(awk -F, 'NR > 1 && $1 ~ /^step10-/ { print $1 }' "$dir/start.csv")
{
	echo "One run of \`make bench\` on one machine, $(date -u +%Y-%m-%d): $(nproc) CPUs ($cpu),"
	echo "Linux $(uname -r), cgroup $cgroup; hyperfine $(hyperfine --version | awk '{ print $2 }')."
	echo
	echo "**Start, run /bin/true, tear down** (warm):"
	echo
	table "$dir/start.csv" "$step10"
	echo
	echo "**Cold** (200 ms of quiet before each run):"
	echo
	table "$dir/cold.csv" "$step10"
	echo
	echo "**exec /bin/true into a running container:**"
	echo
	table "$dir/exec.csv" "step10 exec"
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

# The plot: one row per command of start.csv.
awk -F, '
	NR == 1 { next }
	{ label[++n] = $1; med[n] = $4 * 1000; lo[n] = $7 * 1000; hi[n] = $8 * 1000
	  if (med[n] > top) top = med[n] }
	END {
		# the scale: up to twice the slowest median, whiskers clipped there
		top *= 2; left = 190; width = 520; row = 24; h = n * row + 60
		printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n", left + width + 30, h
		printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
		printf "<text x=\"10\" y=\"18\" font-size=\"14\">Start, run /bin/true, tear down: median, and fastest to slowest run (ms)</text>\n"
		for (i = 1; i <= n; i++) {
			y = 30 + (i - 1) * row
			w = med[i] / top * width
			color = label[i] ~ /^step/ ? "#4878a8" : "#c07030"
			printf "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", left - 8, y + 15, label[i]
			printf "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"16\" fill=\"%s\"/>\n", left, y + 3, w, color
			x1 = left + lo[i] / top * width; x2 = left + (hi[i] < top ? hi[i] : top) / top * width
			printf "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\"/>\n", x1, y + 11, x2, y + 11
			printf "<text x=\"%.1f\" y=\"%d\" font-size=\"11\">%.2f</text>\n", left + w + 4, y + 8, med[i]
		}
		y = 30 + n * row + 4
		printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", left, y, left + width, y
		for (t = 0; t <= top; t += (top > 20 ? 5 : (top > 8 ? 2 : 1))) {
			x = left + t / top * width
			printf "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\"/>\n", x, y, x, y + 4
			printf "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"11\">%d</text>\n", x, y + 16, t
		}
		print "</svg>"
	}' "$dir/start.csv" >"$dir/start.svg"
echo "bench-report: $dir/results.md, $dir/start.svg" >&2
