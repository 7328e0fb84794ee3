#!/bin/sh
# e2e_explore.sh - time travel in the real TUI, inside tmux: pause, step
# left and right, Home, End, a slow-motion replay, zoom in and out, pan,
# lanes that scroll and lanes that grow tall, a lane selected and a task
# picked in its panel, the mouse, and resizes while paused, zoomed or
# replaying. Every check reads what the pane shows (capture-pane): the
# cursor's time on the explore row, the panels' values, the header.
#
# Timing is never asserted exactly: checks poll for up to seconds, and a
# replay is only asked to move forward.
#
# Environment (set by make check): CONVIZ, CONVIZ_DATADIR, TESTS_SRCDIR.
# Exit 77 (skip) when tmux is missing.
set -u

if ! command -v tmux >/dev/null 2>&1; then
	echo "SKIP: tmux is not installed"
	exit 77
fi
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"
SCN="$TESTS_SRCDIR/data/tui/explore.scn"

unset TMUX TMUX_PANE
SOCK="conviz-explore-$$"
cleanup() {
	tmx kill-server >/dev/null 2>&1
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$SOCK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

checks=0
pass() {
	checks=$((checks + 1))
	printf 'ok %d - %s\n' "$checks" "$*"
}
fail() {
	printf 'FAIL: %s\n--- the pane shows:\n' "$*"
	screen
	exit 1
}

# The cursor's time on the explore row, in milliseconds ("" when there is
# no cursor).
cursor_ms() {
	screen | sed -n 's/.*cursor at \([0-9.]*\) \(m*s\).*/\1 \2/p' |
		head -n 1 | awk '{ if ($2 == "s") print $1 * 1000; else if ($2 == "ms") print $1 }'
}

# lt A B: 0 when number A < number B.
lt() {
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'
}

# near A B D: 0 when |A - B| <= D.
near() {
	awk -v a="$1" -v b="$2" -v d="$3" 'BEGIN { x = a - b; if (x < 0) x = -x; exit !(x <= d) }'
}

# press KEY...: sends tmux key names (Left, Home, Tab...) or text.
press() {
	tmx send-keys -t cv "$@"
}

# moved OLD: waits until the cursor is somewhere other than OLD (5 s).
moved() {
	n=50
	while [ "$n" -gt 0 ]; do
		now=$(cursor_ms)
		[ -n "$now" ] && [ "$now" != "$1" ] && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# screen_becomes OP TEXT: until the whole pane OP (= or !=) TEXT, 3 s at
# most. Returns 1 on timeout.
screen_becomes() {
	k=0
	until [ "$(screen)" "$1" "$2" ]; do
		[ "$k" -lt 30 ] || return 1
		sleep 0.1
		k=$((k + 1))
	done
}

# The task picked in the lane's panel: "tN START UNIT" ("t3 93.2 ms").
picked() {
	screen | sed -n 's/^> \(t[0-9]*\) *\([0-9.]*\)\([mun]*s\) .*/\1 \2 \3/p'
}

# The zoom the explore row shows ("x4"), or "".
zoom_shown() {
	screen | sed -n 's/.* zoom \(x[0-9]*\) .*/\1/p' | head -n 1
}

# unzoomed: waits until the explore row shows no zoom (3 s).
unzoomed() {
	n=30
	while [ -n "$(zoom_shown)" ]; do
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
		n=$((n - 1))
	done
}

# A mouse press (X10 encoding, which tmux's terminal type announces) of
# button code B at column X, row Y (both from 0): a click is 0, the wheel
# up 64, down 65.
mouse() {
	m_b=$(printf "\\$(printf %o $(($1 + 32)))")
	m_x=$(printf "\\$(printf %o $(($2 + 33)))")
	m_y=$(printf "\\$(printf %o $(($3 + 33)))")
	tmx send-keys -t cv -l "$(printf '\033[M')$m_b$m_x$m_y"
	# A real mouse lets go of a button: the release (code 3) follows.
	[ "$1" -ge 64 ] || tmx send-keys -t cv -l "$(printf '\033[M#')$m_x$m_y"
}

# The row (from 0) the pane shows a line matching ERE on, or "".
row_of() {
	screen | grep -n -E -m 1 -- "$1" | cut -d: -f1 | awk '{ print $1 - 1 }'
}

# start ARGS...: conviz in a fresh 100x30 pane, until its run is done.
start() {
	tmx kill-server >/dev/null 2>&1
	# The old server may take a moment to let go of its socket.
	k=0
	until tmx new-session -d -s cv -x 100 -y 30 \
		"env LC_ALL=C.UTF-8 TERM=tmux-256color CONVIZ_DATADIR=$(quote "$CONVIZ_DATADIR") $(quote "$CONVIZ") $*; sleep 600" 2>/dev/null; do
		[ "$k" -lt 50 ] || fail "tmux cannot start a session"
		sleep 0.1
		k=$((k + 1))
	done
	wait_for ' done$' 150 || fail "the run is not done within 15 s"
}

# --- pause, step, Home, End --------------------------------------------
start -s "$(quote "$SCN")" -m threads -w 2
screen | grep -q 'LIVE' && fail "a finished run says LIVE"
press Space
wait_for 'PAUSED  done$' 30 || fail "Space: no PAUSED in the header"
wait_for 'cursor at' 30 || fail "Space: no explore row"
end=$(cursor_ms)
[ -n "$end" ] || fail "Space: no cursor time"
pass "Space pauses: PAUSED, the cursor at the end ($end ms)"
press Left
moved "$end" || fail "Left: the cursor stays at $end"
c1=$(cursor_ms)
lt "$c1" "$end" || fail "Left: the cursor went from $end to $c1"
press Left
moved "$c1" || fail "Left again: the cursor stays"
c2=$(cursor_ms)
lt "$c2" "$c1" || fail "Left again: from $c1 to $c2"
pass "Left steps back to the previous event: $end, $c1, $c2 ms"
press Right
moved "$c2" || fail "Right: the cursor stays"
[ "$(cursor_ms)" = "$c1" ] || fail "Right: the cursor is at $(cursor_ms), not back at $c1"
pass "Right steps forward to the next event: back at $c1 ms"
press Home
wait_for 'cursor at 0.000 ms' 30 || fail "Home: the cursor is not at 0"
pass "Home rewinds to the start"
# From the start, step until a lane's panel says it waits on I/O for a
# GET: the request in flight.
steps=0
until screen | grep -Eq ' io +t[0-9]+ ' &&
	screen | grep -Eq 'GET http://127.0.0.1:[0-9]+/sites'; do
	[ "$steps" -lt 40 ] || fail "40 steps from the start, and no lane waits on a GET"
	old=$(cursor_ms)
	press Right
	moved "$old" || fail "Right from $old: the cursor stays"
	steps=$((steps + 1))
done
pass "the cursor's panel: a lane in io, its task, the GET in flight ($steps steps)"
screen | grep -Eq '(io|startup|cpu|idle|ready|gil-wait) +t[0-9]+ +[0-9.]+(ns|us|ms|s)' ||
	fail "the cursor's panel gives no state, task and duration"
pass "the cursor's panel: state, task and how long"
press End
wait_gone 'PAUSED' 30 || fail "End: still PAUSED"
screen | grep -q 'cursor at' && fail "End: the explore row stays"
pass "End returns to live: no cursor, no PAUSED"

# --- zoom and pan ---------------------------------------------------------
press Space
wait_for 'PAUSED' 30 || fail "Space: not paused"
press i
wait_for ' zoom x2 ' 30 || fail "i: no zoom x2"
press i
wait_for ' zoom x4 ' 30 || fail "i again: no zoom x4"
pass "i zooms in: x2, x4"
# Zoomed, the axis starts after 0 when the cursor is at the end.
axis=$(screen | grep -E '^ +[0-9.]+m?s ' | head -n 1)
printf '%s\n' "$axis" | grep -Eq '^ +0m?s ' && fail "zoomed at the end, the axis still starts at 0: $axis"
pass "the zoomed axis shows the end of the run: $(printf '%s' "$axis" | tr -s ' ')"
before=$axis
press '<'
k=0
while [ "$(screen | grep -E '^ +[0-9.]+m?s ' | head -n 1)" = "$before" ]; do
	[ "$k" -lt 30 ] || fail "<: the axis does not move"
	sleep 0.1
	k=$((k + 1))
done
pass "< pans earlier"
press o
wait_for ' zoom x2 ' 30 || fail "o: not back to x2"
press o
unzoomed || fail "o again: still zoomed $(zoom_shown)"
pass "o zooms out: x2, then the whole run"

# --- resizes keep the cursor and the view -------------------------------
press i
wait_for ' zoom x2 ' 30 || fail "i: no zoom x2"
c=$(cursor_ms)
tmx resize-window -t cv -x 80 -y 24
sleep 0.5
tmx resize-window -t cv -x 150 -y 45
wait_for 'PAUSED' 30 || fail "resize: not paused any more"
[ "$(cursor_ms)" = "$c" ] || fail "resize: the cursor moved from $c to $(cursor_ms)"
[ "$(zoom_shown)" = x2 ] || fail "resize: the zoom is $(zoom_shown), not x2"
pass "resizing while paused and zoomed keeps the cursor ($c ms) and the zoom"
tmx resize-window -t cv -x 100 -y 30
press End

# --- replay in slow motion ------------------------------------------------
press Home
wait_for 'cursor at 0.000 ms' 30 || fail "Home: the cursor is not at 0"
press '['
wait_for 'REPLAY x0.5' 30 || fail "[: no REPLAY x0.5"
press '['
wait_for 'REPLAY x0.2' 30 || fail "[ again: no REPLAY x0.2"
press '['
wait_for 'REPLAY x0.1' 30 || fail "[ again: no REPLAY x0.1"
a=$(cursor_ms)
sleep 1
b=$(cursor_ms)
lt "$a" "$b" || fail "the replay does not move: $a then $b ms"
lt "$b" "$end" || fail "at x0.1 the replay is over within a second: $b ms"
pass "[ replays in slow motion: x0.5, x0.2, x0.1; the cursor moves ($a, $b ms)"
# A resize storm while it replays: the screen stays whole.
for sz in 60x20 120x40 70x22 100x30 90x25 100x30; do
	tmx resize-window -t cv -x "${sz%x*}" -y "${sz#*x}"
	sleep 0.05
done
# Redrawn at the last size: the key bar on the pane's last row.
k=0
until screen | tail -n 1 | grep -q 'q Quit'; do
	[ "$k" -lt 30 ] || fail "resize storm: the key bar is not on the last row"
	sleep 0.1
	k=$((k + 1))
done
wait_for 'REPLAY x0.1' 30 || fail "resize storm: the replay's header is gone"
screen | head -n 1 | grep -q '^conviz tui-explore' || fail "resize storm: the title row is gone"
wait_for '^w1 ' 30 || fail "resize storm: the lanes are gone"
c=$(cursor_ms)
moved "$c" || fail "resize storm: the replay stopped at $c"
pass "a resize storm during the replay leaves a whole screen, and it goes on"
press ']'
wait_for 'REPLAY x0.2' 30 || fail "]: not x0.2"
press Space
wait_for 'PAUSED' 30 || fail "Space: the replay does not stop"
c=$(cursor_ms)
sleep 0.5
[ "$(cursor_ms)" = "$c" ] || fail "stopped, the cursor still moves"
pass "] speeds it up, Space stops it where it is ($c ms)"
press ']' ']' ']' ']' ']'
# The screen was already PAUSED before the keys: under the sanitizers the
# keys may not be read yet, so wait for both the end and the pause.
k=0
until screen | grep -q 'PAUSED  done$' && [ "$(cursor_ms)" = "$end" ]; do
	[ "$k" -lt 150 ] || fail "a fast replay does not end paused at the end $end: $(cursor_ms)"
	sleep 0.1
	k=$((k + 1))
done
pass "a fast replay runs to the end and stops there"

# --- tall lanes, a lane selected, a task picked ----------------------------
press End
wait_gone 'PAUSED' 30 || fail "End: still paused"
r0=$(row_of '^w0 ')
r1=$(row_of '^w1 ')
[ -n "$r0" ] && [ -n "$r1" ] || fail "no lanes w0 and w1"
[ $((r1 - r0)) -ge 2 ] || fail "two lanes on a tall screen take a row each ($r0, $r1)"
pass "two lanes on 30 rows are tall: w0 on row $r0, w1 on row $r1"
press Tab
wait_for '^w0: [0-9]+ tasks' 30 || fail "Tab: no panel of w0's tasks"
screen | grep -Eq 'task +start +end +cpu +io' || fail "Tab: the panel has no columns"
screen | grep -Eq '^> t[0-9]+ ' || fail "Tab: no task picked"
pass "Tab selects w0: its tasks, start, end, time in each state"
press Tab
wait_for '^w1: [0-9]+ tasks' 30 || fail "Tab again: not w1"
first=$(picked)
[ -n "$first" ] || fail "Tab: no task picked on w1"
press Down
k=0
while [ "$(picked)" = "$first" ]; do
	[ "$k" -lt 30 ] || fail "Down: the pick stays on $first"
	sleep 0.1
	k=$((k + 1))
done
set -- $(picked)
case $3 in
s) want=$(awk -v a="$2" 'BEGIN { print a * 1000 }') ;;
us) want=$(awk -v a="$2" 'BEGIN { print a / 1000 }') ;;
ns) want=$(awk -v a="$2" 'BEGIN { print a / 1000000 }') ;;
*) want=$2 ;;
esac
press Enter
wait_for 'cursor at' 30 || fail "Enter: no cursor"
near "$(cursor_ms)" "$want" 0.1 || fail "Enter: the cursor at $(cursor_ms) ms, the task $1 starts at $want ms"
pass "Enter puts the cursor at the picked task's start ($1, $want ms)"
press Escape
wait_gone '^w1: [0-9]+ tasks' 30 || fail "Esc: the panel stays"
pass "Esc closes the lane's panel"

# --- the mouse ------------------------------------------------------------
press End
wait_gone 'PAUSED' 30 || fail "End: still paused"
y=$(row_of '^w1 ')
mouse 0 20 "$y"
wait_for '^w1: [0-9]+ tasks' 30 || fail "a click on w1 does not select it"
pass "a click on lane w1 selects it"
press Escape
wait_gone '^w1: [0-9]+ tasks' 30 || fail "Esc: the panel stays"
axis=$(row_of '^ +┬─')
[ -n "$axis" ] || fail "no axis row"
mouse 0 40 "$axis"
wait_for 'cursor at' 30 || fail "a click on the axis puts no cursor"
c=$(cursor_ms)
lt 0 "$c" && lt "$c" "$end" || fail "a click in the middle of the axis: cursor at $c ms of $end"
pass "a click on the axis puts the cursor there ($c ms)"
mouse 64 40 "$y"
wait_for ' zoom x2 ' 30 || fail "the wheel up does not zoom in"
mouse 65 40 "$y"
unzoomed || fail "the wheel down does not zoom out"
pass "the wheel zooms in and out"
# On the help the wheel scrolls it, and back; a key closes it.
press '?'
wait_for 'conviz help' 30 || fail "?: no help"
sleep 0.3
before=$(screen)
mouse 65 40 10
screen_becomes != "$before" || fail "the wheel down does not scroll the help"
screen | grep -q 'conviz help' || fail "the wheel closed the help"
mouse 64 40 10
screen_becomes = "$before" || fail "the wheel up does not scroll the help back"
press Escape
wait_gone 'conviz help' 30 || fail "Esc does not close the help"
pass "on the help the wheel scrolls it down and back up"

# --- --no-mouse leaves the mouse alone ------------------------------------
start -s "$(quote "$SCN")" -m threads -w 2 --no-mouse
y=$(row_of '^w1 ')
mouse 0 20 "$y"
sleep 0.5
screen | grep -Eq '^w1: [0-9]+ tasks' && fail "--no-mouse: a click still selects"
pass "--no-mouse: a click selects nothing"

# --- lanes that outnumber the rows scroll ---------------------------------
start -s "$(quote "$TESTS_SRCDIR/data/tui/sweep.scn")" -m threads -w 2 --view task
tmx resize-window -t cv -x 100 -y 20
wait_for 'lanes 1.[0-9]+ of 20' 30 || fail "20 task lanes: no 'lanes 1-N of 20'"
press Down
wait_for 'lanes 2.[0-9]+ of 20' 30 || fail "Down does not scroll the lanes"
press PageDown
wait_gone 'lanes 2.[0-9]+ of 20' 50 || fail "PgDn does not scroll a page"
wait_for 'lanes [0-9]+.[0-9]+ of 20' 30 || fail "PgDn: the range is gone"
pass "lanes that outnumber the rows scroll: Down, PgDn"

echo "1..$checks"
