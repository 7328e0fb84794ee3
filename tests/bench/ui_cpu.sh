#!/bin/sh
# ui_cpu.sh - what the TUI costs while a run is live: the CPU time of the
# UI thread (the main thread: it drains the ring and draws, the run and
# the embedded server have threads of their own), in per cent of one
# core, over a few seconds of a 32-thread run shown in the real TUI in a
# 120x40 tmux pane. Prints name=value figures:
#   ui_cpu_pct_live=      an I/O-bound run (tests/data/bench/live-io.scn,
#                         -m threads -w 32): 3,200 GETs, ~9 s (goal: 5)
#   ui_cpu_pct_live_cpu=  a CPU-bound one (tests/data/tui/slow.scn, fib,
#                         -m threads -w 32, the GIL on): 32 threads that
#                         take turns, many events
# Each window must end with the run still going (the pane's "tasks D/T"
# with D < T); else the figure would count idle frames, and the script
# fails. Linux only (/proc); skipped (exit 0, no figure) without tmux.
#
# Environment (set by make bench): CONVIZ (the binary), CONVIZ_DATADIR,
# TESTS_SRCDIR. UI_CPU_SECONDS: the window (default 3).
set -u

if ! command -v tmux >/dev/null 2>&1; then
	echo "ui_cpu: SKIP: tmux is not installed" >&2
	exit 0
fi
: "${CONVIZ:?CONVIZ must name the conviz binary}"
: "${TESTS_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
SECONDS_WINDOW=${UI_CPU_SECONDS:-3}

unset TMUX TMUX_PANE
SOCK="conviz-bench-$$"
tmx() { tmux -u -L "$SOCK" -f /dev/null "$@"; }
cleanup() {
	tmx kill-server >/dev/null 2>&1
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$SOCK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

die() {
	echo "ui_cpu: $*" >&2
	exit 1
}

screen() { tmx capture-pane -p -t cv; }

# quote ARG: ARG in single quotes, for the shell in the pane.
quote() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# The header's "tasks D/T": D (tasks_done) and T (tasks_total), or 0
# while there is no header.
tasks_field() {
	field=$(screen |
		sed -n "s/.* tasks \([0-9][0-9]*\)\/\([0-9][0-9]*\).*/\\$1/p" |
		head -n 1)
	echo "${field:-0}"
}
tasks_done() { tasks_field 1; }
tasks_total() { tasks_field 2; }

# Until the run has done a task (its lanes are on screen and growing);
# 10 s at most.
wait_started() {
	n=100
	while [ "$n" -gt 0 ]; do
		[ "$(tasks_done)" -gt 0 ] && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# Nanoseconds thread TID of process PID has run: schedstat's first field
# when the kernel keeps it, else utime + stime from stat (clock ticks).
thread_ns() {
	if [ -r "/proc/$1/task/$2/schedstat" ]; then
		cut -d ' ' -f 1 "/proc/$1/task/$2/schedstat"
		return
	fi
	sed 's/^.*) //' "/proc/$1/task/$2/stat" |
		awk -v hz="$(getconf CLK_TCK)" '{ printf "%.0f\n", ($12 + $13) * 1e9 / hz }'
}

# Seconds since boot, to the hundredth.
uptime_s() { cut -d ' ' -f 1 /proc/uptime; }

# measure NAME ARGS...: runs conviz ARGS in a fresh pane and prints
# NAME=the UI thread's CPU per cent over the window.
measure() {
	name=$1
	shift
	cmd="exec env LC_ALL=C.UTF-8"
	[ -z "${CONVIZ_DATADIR:-}" ] ||
		cmd="$cmd CONVIZ_DATADIR=$(quote "$CONVIZ_DATADIR")"
	cmd="$cmd $(quote "$CONVIZ")"
	for a in "$@"; do
		cmd="$cmd $(quote "$a")"
	done
	tmx new-session -d -s cv -x 120 -y 40 "$cmd" ||
		die "cannot start tmux"
	pid=$(tmx display-message -p -t cv '#{pane_pid}')
	if [ -z "$pid" ] || [ ! -d "/proc/$pid" ]; then
		die "$name: conviz did not start"
	fi
	wait_started || die "$name: the run did not start within 10 s: $(screen | head -n 3)"
	sleep 0.5 # past the first frames and the server's start
	c0=$(thread_ns "$pid" "$pid")
	t0=$(uptime_s)
	sleep "$SECONDS_WINDOW"
	c1=$(thread_ns "$pid" "$pid")
	t1=$(uptime_s)
	kill -0 "$pid" 2>/dev/null || die "$name: conviz died: $(screen | tail -n 3)"
	done_n=$(tasks_done)
	total_n=$(tasks_total)
	if [ "$done_n" -ge "$total_n" ]; then
		die "$name: the run ended within the window (tasks $done_n/$total_n): use a longer one"
	fi
	awk -v c="$((c1 - c0))" -v t0="$t0" -v t1="$t1" -v n="$name" \
		'BEGIN { printf "%s=%.2f\n", n, c / 1e9 / (t1 - t0) * 100 }'
	tmx kill-session -t cv >/dev/null 2>&1
	# The session's end sends conviz SIGHUP: let it go before the next.
	n=50
	while [ "$n" -gt 0 ] && kill -0 "$pid" 2>/dev/null; do
		sleep 0.1
		n=$((n - 1))
	done
}

measure ui_cpu_pct_live -s "$TESTS_SRCDIR/data/bench/live-io.scn" \
	-m threads -w 32
measure ui_cpu_pct_live_cpu -s "$TESTS_SRCDIR/data/tui/slow.scn" \
	-m threads -w 32
