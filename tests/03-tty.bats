#!/usr/bin/env bats
# step03 and later: the container's own terminal (a pty). Driven through
# tmux as a person would drive it: keys in (send-keys), the screen out
# (capture-pane), in a window of a fixed size. The host's side is checked
# too: the user's terminal settings before and after, the exit status the
# user's shell sees, and no runtime or container left running.

load helpers

PROMPT='ctr> '

# What names the terminal on fd 0, as the command sees it. From step08 the
# user's terminal has no name in the container's own /dev/pts (tty says
# "not a tty"), but fd 0 is still it, and /proc/self/fd/0 names it.
TTY_NAME='tty'
[ "$STEP_NUM" -lt 8 ] || TTY_NAME='test -t 0 && readlink /proc/self/fd/0'

# tty_start [OPTIONS...]: a tmux server of this test's own, with one 80x24
# window whose shell script records the terminal's settings, runs the step
# with OPTIONS, then records its exit status and the settings again.
# CTR_PID is the runtime's pid (helpers' teardown kills it if need be).
tty_start() {
	PROMPTS=0
	TTY_RUNS=$((${TTY_RUNS:-0} + 1))
	# its socket in $WORK, which teardown removes
	TMUX_SOCKET="$WORK/tmux-$TTY_RUNS"
	TEARDOWN_EXTRA="tmux -S $TMUX_SOCKET kill-server 2>/dev/null || true; ${TEARDOWN_EXTRA:-}"
	rm -f "$WORK/session.pid" "$WORK/rc" "$WORK/stty.before" "$WORK/stty.after"
	{
		echo '#!/bin/bash'
		echo "stty -a > $WORK/stty.before"
		# each file whole when it appears (written, then renamed): a
		# reader that waits for the name must not read it half-written
		echo "echo \$\$ > $WORK/session.pid.new && mv $WORK/session.pid.new $WORK/session.pid"
		printf 'PS1=%q %q' "$PROMPT" "${TTY_RUN:-$STEP_BIN}"
		for arg in "$@"; do printf ' %q' "$arg"; done
		echo
		# the terminal's settings first: the tests read them once rc exists
		echo "rc=\$?"
		echo "stty -a > $WORK/stty.after"
		echo "echo \$rc > $WORK/rc.new && mv $WORK/rc.new $WORK/rc"
		echo 'echo "[the runtime has exited]"'
		echo 'exec sleep 600'
	} >"$WORK/session"
	chmod 755 "$WORK/session"
	tmux -S "$TMUX_SOCKET" -f /dev/null new-session -d -s t -x 80 -y 24 "$WORK/session"
	wait_for "$WORK/session.pid"
	CTR_PID=
	local i p comm
	for ((i = 0; i < 200; i++)); do
		# the session's child, but not the mv that has just put
		# session.pid in place and may not have exited yet. Either may
		# be gone between pgrep and the read (a run that exits at once
		# is one): a read that fails is no child, not a failed test.
		for p in $(pgrep -P "$(cat "$WORK/session.pid")"); do
			comm=$(cat "/proc/$p/comm" 2>/dev/null) || continue
			[ "$comm" = mv ] || CTR_PID=$p
		done
		[ -n "$CTR_PID" ] && break
		[ -e "$WORK/rc" ] && return 0 # it has been and gone
		sleep 0.05
	done
	[ -n "$CTR_PID" ]
}

screen() {
	tmux -S "$TMUX_SOCKET" capture-pane -p -t t
}

# prompts: how many prompts the window has shown (its history too).
prompts() {
	tmux -S "$TMUX_SOCKET" capture-pane -p -S - -t t | grep -c "^${PROMPT% }" || true
}

# type_line TEXT: type TEXT and Enter, as keys. PROMPTS is the count of
# prompts before, so that wait_prompt waits for the next one, not the
# one the line was typed after (the keys may not be on the screen yet).
type_line() {
	PROMPTS=$(prompts)
	tmux -S "$TMUX_SOCKET" send-keys -t t -l "$1"
	tmux -S "$TMUX_SOCKET" send-keys -t t Enter
}

# press KEY: one key, in tmux's names (C-c, C-z).
press() {
	PROMPTS=$(prompts)
	tmux -S "$TMUX_SOCKET" send-keys -t t "$1"
}

# wait_screen REGEX [SECONDS]: until a line on the screen matches.
wait_screen() {
	local i
	for ((i = 0; i < ${2:-10} * 20; i++)); do
		screen | grep -qE -- "$1" && return 0
		sleep 0.05
	done
	echo "timed out waiting for /$1/ on the screen:" >&2
	screen >&2
	return 1
}

# wait_prompt: until the container's shell waits for input again: a
# prompt newer than the last line typed (type_line), and it is the
# screen's last non-empty line.
wait_prompt() {
	local i last
	for ((i = 0; i < 200; i++)); do
		last=$(screen | grep -v '^$' | tail -n1)
		if [ "$last" = "${PROMPT% }" ] || [ "$last" = "$PROMPT" ]; then
			[ "$(prompts)" -gt "${PROMPTS:-0}" ] && return 0
		fi
		sleep 0.05
	done
	echo "timed out waiting for the prompt; the screen:" >&2
	screen >&2
	return 1
}

# tty_done [SECONDS]: until the runtime has exited; TTY_RC is the status
# the user's shell saw. Then the host's side: the runtime is gone and the
# terminal's settings are what they were.
tty_done() {
	wait_for "$WORK/rc" "${1:-10}"
	TTY_RC=$(cat "$WORK/rc")
	[ -z "$CTR_PID" ] || until_gone "$CTR_PID"
	diff -u "$WORK/stty.before" "$WORK/stty.after"
}

# eventually COMMAND...: true within 2 s.
eventually() {
	local i
	for ((i = 0; i < 40; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}

stat_field() {
	awk -v n="$2" '{ print $n }' /proc/"$1"/stat
}

foreground() {
	[ "$(stat_field "$1" 8)" = "$(stat_field "$1" 5)" ]
}

state_is() {
	[ "$(stat_field "$1" 3)" = "$2" ]
}

# the host pid of a process in the container whose parent is PPID
# and whose command is COMM.
child_named() {
	local pid
	for pid in $(pgrep -P "$1"); do
		[ "$(cat /proc/"$pid"/comm 2>/dev/null)" = "$2" ] && echo "$pid"
	done
	return 0
}

@test "tty: --help lists -t/--tty and --no-tty" {
	run ctr --help
	assert_success
	assert_output --partial "-t, --tty"
	assert_output --partial "--no-tty"
}

@test "tty: 'exit' leaves the shell with 0, without the 'Cannot set tty process group' error" {
	tty_start
	wait_prompt
	type_line 'echo $$ $(tty)'
	wait_screen '^1 /dev/pts/[0-9]+$'
	type_line exit
	tty_done
	assert_equal "$TTY_RC" 0
	wait_screen 'the runtime has exited'
	run screen
	refute_output --partial "Cannot set tty process group"
	refute_output --partial "No such process"
}

@test "tty: 'exit 3' is 3 for the user's shell, and no error line" {
	tty_start
	wait_prompt
	type_line 'exit 3'
	tty_done
	assert_equal "$TTY_RC" 3
	wait_screen 'the runtime has exited'
	run screen
	refute_output --partial "/bin/sh:"
	refute_output --partial "step"
}

@test "tty: Ctrl-C stops a foreground sleep, not the shell" {
	tty_start
	wait_prompt
	shell=$(ctr_pid1)
	type_line 'sleep 30'
	for ((i = 0; i < 100; i++)); do
		sleeper=$(child_named "$shell" sleep)
		[ -n "$sleeper" ] && break
		sleep 0.05
	done
	[ -n "$sleeper" ]
	press C-c
	until_gone "$sleeper" 2
	# the shell is still there, and answers
	type_line 'echo answer=$((6 * 7))'
	wait_screen '^answer=42$'
	kill -0 "$shell"
	type_line exit
	tty_done
	assert_equal "$TTY_RC" 0
}

@test "tty: job control: sleep &, jobs, fg, Ctrl-Z, bg, kill %1" {
	tty_start
	wait_prompt
	shell=$(ctr_pid1)
	type_line 'sleep 30 &'
	wait_prompt
	type_line jobs
	wait_screen '^\[1\] ?\+ +Running +sleep 30$'
	type_line fg
	wait_screen '^sleep 30$'
	sleeper=$(child_named "$shell" sleep)
	[ -n "$sleeper" ]
	# in the foreground its group is the terminal's foreground group
	eventually foreground "$sleeper"
	press C-z
	wait_screen '\[1\] ?\+ +Stopped +sleep 30$'
	eventually state_is "$sleeper" T
	! foreground "$sleeper"
	type_line bg
	wait_prompt
	eventually state_is "$sleeper" S
	type_line 'kill %1'
	until_gone "$sleeper" 2
	type_line jobs
	wait_screen '^\[1\] ?\+ +Terminated +sleep 30$'
	type_line exit
	tty_done
	assert_equal "$TTY_RC" 0
}

@test "tty: a resize of the window shows in 'stty size' inside" {
	tty_start
	wait_prompt
	type_line 'stty size'
	wait_screen '^24 80$'
	tmux -S "$TMUX_SOCKET" resize-window -t t -x 100 -y 30
	type_line 'stty size'
	wait_screen '^30 100$'
	type_line exit
	wait_for "$WORK/rc"
	assert_equal "$(cat "$WORK/rc")" 0
	[ -z "$CTR_PID" ] || until_gone "$CTR_PID"
	# the host's settings are the same but for the new size
	diff <(sed 1d "$WORK/stty.before") <(sed 1d "$WORK/stty.after")
	grep -q 'rows 30; columns 100;' "$WORK/stty.after"
}

@test "tty: SIGTERM to the runtime (--init passes it on): exit 143, the user's terminal as it was" {
	tty_start --init -- sleep 30
	wait_for_child
	sleep 0.3
	kill -TERM "$CTR_PID"
	tty_done
	assert_equal "$TTY_RC" 143
}

@test "tty: a signal that kills the runtime itself: the user's terminal as it was, the container gone" {
	tty_start -- sleep 30
	wait_for_child
	pid1=$(ctr_pid1)
	sleep 0.3
	# SIGALRM is not forwarded: its default action ends the runtime
	kill -ALRM "$CTR_PID"
	tty_done
	assert_equal "$TTY_RC" $((128 + 14))
	until_gone "$pid1"
}

@test "tty: --no-tty keeps the user's terminal, a pty is the default" {
	tty_start --no-tty -- sh -c "$TTY_NAME; exit 5"
	tty_done
	assert_equal "$TTY_RC" 5
	outer=$(screen | grep -m1 '^/dev/pts/')
	assert_equal "$outer" "$(tmux -S "$TMUX_SOCKET" display -p '#{pane_tty}')"
	tty_start -- sh -c 'tty; exit 6'
	tty_done
	assert_equal "$TTY_RC" 6
	inner=$(screen | grep -m1 '^/dev/pts/')
	[ -n "$outer" ] && [ -n "$inner" ]
	if [ "$STEP_NUM" -lt 8 ]; then
		[ "$outer" != "$inner" ]
	else
		# the container's own devpts, numbered from 0 whatever the
		# window's number is (which may be 0 as well)
		assert_equal "$inner" /dev/pts/0
	fi
}

@test "tty: started in the background (&), it takes no pty and is not stopped by the terminal" {
	# what a participant types at an interactive shell: run ... &. A
	# background job that puts the terminal in raw mode gets SIGTTOU and
	# stops; the runtime must leave the terminal alone there.
	printf '#!/bin/sh\nexec bash --norc --noprofile -i\n' >"$WORK/ibash"
	chmod 755 "$WORK/ibash"
	TTY_RUN="$WORK/ibash" tty_start
	wait_prompt
	type_line "$STEP_BIN -- sh -c '$TTY_NAME; echo bg-done' & wait \$!; echo bg-rc=\$?"
	wait_screen '^bg-rc=[0-9]+$' 10
	screen | grep -qx bg-done
	screen | grep -qx bg-rc=0
	# no pty of its own: the terminal it saw is the window's own
	[ "$(screen | grep '^/dev/pts/')" = "$(tmux -S "$TMUX_SOCKET" display -p '#{pane_tty}')" ]
	type_line exit
	tty_done
	assert_equal "$TTY_RC" 0
}

@test "tty: -t with a pipe for stdin: the shell reads it through its terminal, EOF ends it" {
	run ctr -t -- sh -c 'tty; read line; echo "got $line"' <<<hello
	assert_success
	assert_line --regexp '^/dev/pts/[0-9]+'
	assert_output --partial "got hello"
	# at the end of the input the terminal gets ^D: cat sees EOF
	run timeout -s KILL 10 "$STEP_BIN" -t -- cat </dev/null
	assert_success
}

@test "tty: what the container wrote just before it exited is all relayed" {
	ctr_bg -t -- sh -c "$(handshake); head -c 8000 /dev/zero | tr '\\0' x; echo; echo END"
	wait_for "$WORK/x/ready"
	pid1=$(ctr_pid1)
	# the runtime stopped, the container writes more than one read(2)
	# of the relay takes (not more than the pty holds) and exits: when the
	# runtime goes on, the output and the exit are there at once
	kill -STOP "$CTR_PID"
	go
	until_gone "$pid1"
	kill -CONT "$CTR_PID"
	ctr_wait
	assert_success
	assert_equal "$(tr -cd x <"$WORK/out" | wc -c)" 8000
	assert_output --partial END
}

@test "tty: without a terminal (pipes, as here) nothing changes" {
	run ctr -- sh -c 'tty; exit 0'
	assert_success
	assert_output "not a tty"
}

@test "tty: -v traces the terminal's kernel operations in both processes" {
	run ctr -v -t -- true </dev/null
	assert_success
	if [ "$STEP_NUM" -lt 8 ]; then
		assert_line --regexp '^\[parent\] posix_openpt\(O_RDWR\|O_NOCTTY\) = [0-9]+'
		assert_line --regexp '^\[parent\] grantpt\([0-9]+\), unlockpt\([0-9]+\), ptsname\([0-9]+\) = "/dev/pts/[0-9]+"'
	else
		# from step08 the child makes it in the container's own devpts
		# and sends the master over the console socket
		assert_line --regexp '^\[child\] open\("/dev/ptmx"\) = [0-9]+, unlockpt, ptsname = "/dev/pts/0"'
		assert_line --regexp '^\[parent\] recvmsg\(console socket\) = SCM_RIGHTS \[[0-9]+ \(master\), [0-9]+ \(slave\)\]'
	fi
	assert_line --regexp '^\[child\] setsid\(\) = 1'
	assert_line --regexp '^\[child\] ioctl\([0-9]+, TIOCSCTTY\) = 0'
}

@test "tty: rootless, from step06: the shell's terminal works for an ordinary user" {
	[ "$STEP_NUM" -ge 6 ] || skip "rootless containers start in step06"
	cp "$STEP_BIN" "$WORK/run"
	TTY_RUN=setpriv tty_start --reuid 65534 --regid 65534 --clear-groups "$WORK/run"
	# CTR_PID is setpriv, which execs the runtime: the same process
	wait_prompt
	type_line 'id -u; tty'
	wait_screen '^/dev/pts/[0-9]+$'
	type_line 'exit 4'
	tty_done
	assert_equal "$TTY_RC" 4
}

@test "tty: 'make demo' (the newest step, -v) exits 0 after 'exit'" {
	newest=$(cd "$REPO" && ls -d step[0-9][0-9]-* | tail -n1)
	[ "$STEP" = "$newest" ] || skip "make demo runs $newest"
	TTY_RUN=make tty_start -C "$REPO" --no-print-directory demo
	wait_prompt
	type_line exit
	tty_done 120
	assert_equal "$TTY_RC" 0
	run screen
	refute_output --partial "Error"
	refute_output --partial "Cannot set tty process group"
}
