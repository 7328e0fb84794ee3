#!/bin/sh
# e2e_tui.sh - drives the real TUI inside tmux, on a private tmux server.
#
# Each case types a command into an interactive shell in a tmux pane; the
# command runs conviz through a small runner that records `stty -g` before
# and after, conviz's pid and its exit status. Checks look at what the pane
# shows (capture-pane), polling every 0.1 s up to generous limits: timing
# is never asserted exactly, so the test holds on a loaded 2-core machine.
#
# Environment (set by make check): CONVIZ (the binary), CONVIZ_DATADIR,
# TESTS_SRCDIR. Exit 77 (skip) when tmux is missing.
set -u

if ! command -v tmux >/dev/null 2>&1; then
	echo "SKIP: tmux is not installed"
	exit 77
fi
# The pane's helpers (tmx, screen, wait_for, wait_gone, wait_file, quote) come from
# lib.sh; pass, fail and finish are this test's own (below), with other
# meanings than lib.sh's.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"
SLOW="$TESTS_SRCDIR/data/tui/slow.scn"
# Full names, or brief ones where the row is too narrow for them (at 100
# columns in the C locale, where the scroll key is spelled Up/Dn).
# The first row of the key bar (the explore keys, Space to Tab, and ? and
# q follow on the second: keys_complete checks them all).
KEYBAR='r (Rerun|Run) +m Model +s (Scenario|Scen) +\+/- (Workers|Wkrs) +g GIL +v View +x Kill +c (Compare|Cmp) +w Sweep +e Card'
LEGEND='cpu .*ready'

unset TMUX TMUX_PANE
SOCK="conviz-test-$$"
WORK=$TMP
cleanup() {
	tmx kill-server >/dev/null 2>&1
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$SOCK"
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# Not lib.sh's pass and fail: each passing check is numbered, and
# failing stops the test (later steps depend on the earlier ones) and
# shows the pane.
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

# The header's "tasks DONE/TOTAL": DONE.
tasks_done() {
	screen | sed -n 's/.* tasks \([0-9][0-9]*\)\/[0-9][0-9]*.*/\1/p' | head -n 1
}

# header FIELD: the word after "FIELD " on the header's second row.
header() {
	screen | sed -n "2s/.*$1 \\([^ ]*\\).*/\\1/p"
}

# The scenario name on the header's first row.
scenario_shown() {
	screen | sed -n '1s/^conviz \([^ ]*\) .*/\1/p'
}

model_shown() {
	header model
}

# wait_changed FUNC OLD: until FUNC prints something other than OLD (10 s).
wait_changed() {
	n=100
	while [ "$n" -gt 0 ]; do
		now=$($1)
		[ -n "$now" ] && [ "$now" != "$2" ] && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# legend_ascii: 0 when the legend row is plain ASCII.
legend_ascii() {
	screen | grep -E -- "$LEGEND" | LC_ALL=C grep -q '[^ -~]' && return 1
	return 0
}

# keys_complete: the key bar (the last two rows) shows every key, with
# its full or brief name, or says "? more" (and "q Quit").
keys_complete() {
	bar=$(screen | tail -n 2 | tr '\n' ' ')
	printf '%s\n' "$bar" | grep -q '? more' && return 0
	for k in 'r (Rerun|Run)' 'm Model' 's (Scenario|Scen)' \
		'\+/- (Workers|Wkrs)' 'g GIL' 'v View' 'x Kill' 'c (Compare|Cmp)' 'w Sweep' 'e Card' \
		'p Save' 'Space Pause' '(←→|Lt/Rt) Step' 'i/o Zoom' 'Tab Lane' \
		'(↑↓|Up/Dn) Scroll' \
		'\? Help' 'q Quit'; do
		printf '%s\n' "$bar" | grep -Eq -- "$k" || return 1
	done
}

# The runner: conviz runs in the foreground of the pane's terminal, as a
# person would run it, between two `stty -g`. It ignores Ctrl-C itself so
# it can record the exit status after conviz handled it.
cat >"$WORK/run.sh" <<EOF
trap : INT
d=\$1 tag=\$2
shift 2
ulimit -c 0
${CONVIZ_DATADIR:+CONVIZ_DATADIR=$(quote "$CONVIZ_DATADIR"); export CONVIZ_DATADIR}
stty -g >"\$d/\$tag.before"
sh -c 'echo \$\$ >"\$0"; exec "\$@"' "\$d/\$tag.pid" $(quote "$CONVIZ") "\$@"
status=\$?
stty -g >"\$d/\$tag.after"
echo "EXIT=\$status" >"\$d/\$tag.exit"
EOF

# start TAG LOCALE ARGS...: clears the pane, types the command into the
# shell (conviz in locale LOCALE) and waits until conviz has drawn its
# lanes, legend and key bar.
start() {
	tag=$1
	loc=$2
	shift 2
	# A tag's files tell one run's end: a second run under the same tag
	# would find the first's and race it.
	[ ! -e "$WORK/$tag.pid" ] || fail "$tag: a tag used twice in this test"
	line="clear; LC_ALL=$loc sh $(quote "$WORK/run.sh") $(quote "$WORK") $tag"
	for a in "$@"; do
		line="$line $(quote "$a")"
	done
	tmx send-keys -t cv -l "$line"
	tmx send-keys -t cv Enter
	wait_file "$WORK/$tag.pid" 100 || fail "$tag: conviz did not start"
	t0=$(date +%s)
	# READY: what the first screen shows (conviz compare: no lane w0).
	wait_for "${READY:-^([wt]0|[0-9]+) +[^ ]}" 50 || fail "$tag: lane w0 (or t0, or a pid) not drawn within 5 s"
	screen | grep -Eq -- "$LEGEND" || fail "$tag: legend not drawn"
	[ -n "${READY:-}" ] || keys_complete || fail "$tag: key bar not drawn"
	pass "$tag: lanes, legend and key bar drawn ($(($(date +%s) - t0)) s)"
}

# finish TAG STATUS (not lib.sh's finish): conviz exited with STATUS, the terminal modes are as
# before, and the shell in the pane echoes and runs a typed command.
finish() {
	tag=$1
	wait_file "$WORK/$tag.exit" 150 || fail "$tag: conviz did not exit"
	[ "$(cat "$WORK/$tag.exit")" = "EXIT=$2" ] ||
		fail "$tag: $(cat "$WORK/$tag.exit"), expected EXIT=$2"
	pass "$tag: exit status $2"
	cmp -s "$WORK/$tag.before" "$WORK/$tag.after" ||
		fail "$tag: stty -g differs: $(cat "$WORK/$tag.before") vs $(cat "$WORK/$tag.after")"
	pass "$tag: terminal modes restored (stty -g identical)"
	tmx send-keys -t cv -l "echo ALIVE-$tag-\$((6*7))"
	tmx send-keys -t cv Enter
	wait_for "ALIVE-$tag-42" 50 || fail "$tag: the shell does not answer"
	screen | grep -Fq "echo ALIVE-$tag-\$((6*7))" ||
		fail "$tag: typed text is not echoed"
	pass "$tag: the terminal is usable afterwards"
}

# key K ERE WHAT: presses K and waits for the screen to show ERE.
key() {
	tmx send-keys -t cv -l "$1"
	wait_for "$2" 100 || fail "key $1: $3"
	pass "key $1: $3"
}

alive() {
	kill -0 "$(cat "$WORK/$1.pid")" 2>/dev/null || fail "$1: conviz died"
}

# The list s or m opens: its heading on the box's top border.
LIST='(-|─) (Scenario|Model) (-|─)'

# The name on the list's selected row: the one whose reverse video (SGR
# 7) starts right after the box's left border (the key bar is reverse
# too, but has no border; an axis label after the right border must not
# pass for a name).
selected() {
	tmx capture-pane -e -p -t cv |
		sed -n "s/^.*\(|\|│\)$(printf '\033')\\[\([0-9]*;\)*7m//p" |
		sed "s/$(printf '\033')\\[[0-9;]*m//g; s/●/*/g" |
		sed -n 's/^ [* ] \([a-z0-9_-][a-z0-9_-]*\) .*/\1/p' | head -n 1
}

# pick KEY NAME: opens the list of key KEY (s or m), selects NAME by
# pressing its first letter and chooses it with Enter.
pick() {
	tmx send-keys -t cv -l "$1"
	wait_for "$LIST" 50 || fail "key $1: no list"
	n=0
	while [ "$(selected)" != "$2" ]; do
		[ "$n" -lt 10 ] || fail "key $1: $2 cannot be selected"
		old=$(selected)
		tmx send-keys -t cv -l "$(printf %.1s "$2")"
		wait_changed selected "$old" || fail "key $1: selection stays $old"
		n=$((n + 1))
	done
	tmx send-keys -t cv Enter
	wait_gone "$LIST" 50 || fail "key $1: Enter does not close the list"
}

# The phase at the end of the header's first row; the wall time.
phase_shown() {
	screen | sed -n '1s/.* \([a-z]*\)$/\1/p'
}
wall_shown() {
	screen | sed -n 's/.* wall \([0-9.]*\) s.*/\1/p' | head -n 1
}

# --- the pane: an interactive shell in a 100x30 window --------------------
tmx new-session -d -s cv -x 100 -y 30 "env PS1='READY> ' ENV= sh -i" ||
	fail "tmux cannot start a session"
tmx set-option -g window-size manual >/dev/null 2>&1
wait_for '^READY>' 100 || fail "no shell prompt in the pane"

# --- a live run, resizes, keys, and q ------------------------------------
UTF8=$(locale -a 2>/dev/null | grep -iE '^c\.utf-?8$' | head -n 1)
start main "${UTF8:-C}" run -s "$SLOW" -m threads -w 2
wait_for '^w1 +[^ ]' 50 || fail "main: lane w1 not drawn"
pass "main: one lane per worker"
screen | grep -Eq '^model threads +workers 2 +cores [0-9]+ +GIL on +view worker +elapsed [0-9.]+ s' ||
	fail "main: header row shows model, workers, cores, GIL, view, elapsed"
screen | grep -Eq '^conviz tui-slow - fib\(32\) x1000' ||
	fail "main: header shows scenario and title"
screen | grep -Eq '^\[[=> ]+\] tasks [0-9]+/1000' ||
	fail "main: progress bar and tasks done/total"
screen | grep -Eq '^ +0s +[0-9.]+s +[0-9.]+s' || fail "main: time axis labelled"
if [ -n "$UTF8" ]; then
	legend_ascii && fail "main: no block glyphs in $UTF8"
	pass "main: block glyphs in $UTF8"
fi
pass "main: header, progress and time axis drawn"
n1=$(tasks_done)
n=100
while [ "$n" -gt 0 ]; do
	n2=$(tasks_done)
	[ "${n2:-0}" -gt "${n1:-0}" ] && break
	sleep 0.1
	n=$((n - 1))
done
[ "${n2:-0}" -gt "${n1:-0}" ] || fail "main: tasks done stays at $n1"
pass "main: the run proceeds live (tasks done $n1 -> $n2)"

tmx resize-window -t cv -x 50 -y 15 || fail "tmux cannot resize"
wait_for '^threads +w=2/[0-9]+ +GIL on' 50 || fail "main: no redraw at 50x15"
screen | grep -Eq -- '\? (Help|more) +q Quit' || fail "main: 50x15 key bar"
alive main
pass "main: redrawn at 50x15"
tmx resize-window -t cv -x 30 -y 8
wait_for 'terminal too small: 30x8' 50 || fail "main: no too-small message"
alive main
pass "main: 30x8 says the terminal is too small"
tmx resize-window -t cv -x 100 -y 30
wait_for "$KEYBAR" 50 || fail "main: no redraw at 100x30"
wait_for '^model threads +workers 2' 50 || fail "main: header after resize"
alive main
pass "main: redrawn at 100x30"

key + '^model threads +workers 3 ' "workers 2 -> 3"
wait_for '^w2 +[^ ]' 100 || fail "key +: no third lane"
pass "key +: the new run has three lanes"
key g '^model threads +workers 3 +cores [0-9]+ +GIL off' "GIL on -> off"
pick m sync
wait_for '^model sync ' 50 || fail "key m: model stays threads"
pass "key m: model threads -> sync, picked from the list"
pick s fib
wait_changed scenario_shown tui-slow || fail "key s: scenario stays tui-slow"
pass "key s: scenario tui-slow -> $(scenario_shown), picked from the list"
key '?' 'conviz help' "help overlay opens"
screen | grep -q 'Lesson' || fail "help: no lesson"
tmx send-keys -t cv End # the colours come last
wait_for 'gil-wait +waiting for the GIL' 50 || fail "help: no colours"
tmx send-keys -t cv -l x
n=50
while [ "$n" -gt 0 ] && screen | grep -q 'conviz help'; do
	sleep 0.1
	n=$((n - 1))
done
screen | grep -q 'conviz help' && fail "help: a key does not close it"
alive main
pass "help: any key closes it"
tmx send-keys -t cv -l q
finish main 0

# --- speedup over the last sync run --------------------------------------
start base C run -s fib -m threads -w 2 --scale 0.1
wait_for 'run sync for a baseline' 150 || fail "base: no baseline hint"
pass "base: 'run sync for a baseline' before any sync run"
pick m sync
wait_for '^model sync ' 50 || fail "base: m does not pick sync"
wait_for 'speedup 1\.00x over sync' 150 || fail "base: sync run shows no speedup"
pass "base: a sync run is its own baseline"
pick m threads
wait_for '^model threads ' 50 || fail "base: m does not pick threads"
wait_for 'wall [0-9.]+ s .*speedup [0-9.]+x over sync' 150 ||
	fail "base: threads run shows no speedup"
pass "base: threads show wall time and speedup over sync"
# The recent runs, newest first: threads, sync, and the first threads
# run, each with its speed-up over the sync run.
wait_for '^recent runs +workers +gil +wall_s +speedup' 50 || fail "base: no table of recent runs"
recent=$(screen | sed -n '/^recent runs/,$p' | sed -n '2,4p' | awk '{ print $1 ":" $2 ":" $3 ":" $5 }' | tr '\n' ' ')
case "$recent" in
"threads:2:on:"[0-9]*x" sync:1:on:1.00x threads:2:on:"[0-9]*x" ") ;;
*) fail "base: the recent runs are $recent" ;;
esac
pass "base: the recent runs, newest first, with their speed-ups: $recent"
tmx send-keys -t cv -l q
finish base 0

# --- e: the lesson card beside the lanes, following m -------------------
# card NAME: the start of the heading of data/explain/NAME.txt, as the
# panel shows it (the heading may wrap in a 33-column panel).
card() {
	head -n 1 "$CONVIZ_DATADIR/explain/$1.txt" | cut -c 1-16
}
start lesson C run -s sites -m threads
screen | grep -Fq "$(card sites)" && fail "lesson: a card before e"
key e "$(card sites)" "the scenario's card"
wait_for "$(card sites.threads)" 50 || fail "lesson: no threads card"
wait_for "^w0 .*[|│] $(card sites)" 50 || fail "lesson: the card is not beside the lanes"
screen | grep -q 'Scaled run' && fail "lesson: a scale note on a run at scale 1"
pass "lesson: the scenario's and the model's cards beside the lanes"
pick m async
wait_for "$(card sites.async)" 50 || fail "lesson: the card does not follow m"
wait_gone "$(card sites.threads)" 50 || fail "lesson: the threads card stays"
pass "lesson: the card follows the model"
tmx resize-window -t cv -x 60 -y 24
wait_for 'e: back to the lanes' 50 || fail "lesson: at 60 columns the card does not take the lanes' place"
pass "lesson: at 60 columns the card takes the middle"
tmx resize-window -t cv -x 100 -y 30
key e '^t0 ' "the lanes come back"
screen | grep -Fq "$(card sites)" && fail "lesson: e does not hide the card"
pass "lesson: e hides the card"
tmx send-keys -t cv -l q
finish lesson 0

# A --scale that changes the work: the card says its figures are the
# tutorial's, beside the lanes and in the help.
start scaled C run -s fib --scale 0.05 -m threads
key e 'Scaled run \(--scale 0\.05\)' "the card starts with the scale note"
wait_for 'This run: fib\([0-9]+\) x20\.' 50 || fail "scaled: the note does not name this run's work"
wait_for "$(card fib)" 50 || fail "scaled: the card is gone"
tmx send-keys -t cv -l e
wait_gone 'Scaled run' 50 || fail "scaled: e does not hide the note"
key '?' 'Scaled run \(--scale 0\.05\)' "the help has the scale note too"
tmx send-keys -t cv -l q # closes the help
wait_gone 'conviz help' 50 || fail "scaled: the help stays"
tmx send-keys -t cv -l q
finish scaled 0

# --- c: every model in turn on one time axis, then a table and a verdict -
# cmp.scn: 10 GETs, so the four runs take about two seconds in all.
# lane_len MODEL: how far the first lane of MODEL's run reaches.
lane_len() {
	screen | grep -E "^$1 +[^ 0-9]" | head -n 1 | cut -c 18- | sed 's/ *$//' | wc -c
}
start cmp C run -s "$TESTS_SRCDIR/data/tui/cmp.scn" -m threads
key c 'compare: [0-9]/4 runs' "c starts the comparison"
wait_for 'compare: 4/4 runs' 300 || fail "cmp: the comparison does not end"
for m in sync threads async procs; do
	screen | grep -Eq "^$m +[0-9]+ +on +[0-9.]+ +[0-9.]+ +[0-9.]+x +[0-9]+x +#+" ||
		fail "cmp: no table row for $m"
	screen | grep -Eq "^$m +[^ 0-9]" || fail "cmp: no lanes labelled $m"
done
pass "cmp: four runs labelled on one axis, then a row each in the table"
screen | grep -Eq '^Verdict: (async|threads) won, [0-9.]+x faster than sync: the tasks mostly wait' ||
	fail "cmp: no verdict under the table"
pass "cmp: the verdict from the figures"
s_len=$(lane_len sync)
a_len=$(lane_len async)
[ "$s_len" -gt $((a_len * 2)) ] || fail "cmp: sync's lane ($s_len) is not much longer than async's ($a_len) on the shared axis"
pass "cmp: one time axis: sync's lane reaches $s_len columns, async's $a_len"
screen | grep -Eq 'r (Run again|Again) +c (Compare|Cmp) +w Sweep +Esc Close' ||
	fail "cmp: the key bar does not say r, c, w and Esc"
key e 'After the comparison' "the card starts with the verdict"
key e 'Verdict: ' "e gives the table back its verdict"
tmx send-keys -t cv -l m
wait_for 'Esc closes the comparison' 50 || fail "cmp: m does not say how to leave"
pass "cmp: m waits, saying Esc closes the comparison"
key r 'compare: [0-3]/4 runs' "r runs the comparison again"
wait_for 'compare: 4/4 runs' 300 || fail "cmp: the second comparison does not end"
tmx send-keys -t cv Escape
wait_gone 'compare: ' 50 || fail "cmp: Esc does not close the comparison"
wait_for '^w0 +[^ ]' 50 || fail "cmp: no lanes after Esc"
wait_for '^model threads +workers 5 ' 50 || fail "cmp: Esc does not bring threads back"
pass "cmp: Esc brings back the run of before"
tmx send-keys -t cv -l q
finish cmp 0

# --- conviz compare on a terminal: the TUI's comparison, and its sweep --
READY='compare: [0-9]+/4 runs' start cmpcli C compare -s "$TESTS_SRCDIR/data/tui/cmp.scn"
wait_for 'compare: 4/4 runs' 300 || fail "cmpcli: the comparison does not end"
screen | grep -Eq '^procs +2 +on +[0-9.]+ ' || fail "cmpcli: no table row for procs"
pass "cmpcli: conviz compare on a terminal shows the comparison in the TUI"
tmx send-keys -t cv -l q
finish cmpcli 0
READY='sweep: [0-9]+/3 runs' start sweepcli C compare -s "$TESTS_SRCDIR/data/tui/sweep.scn" -m threads --sweep 2..4
wait_for 'sweep: 3/3 runs' 300 || fail "sweepcli: the sweep does not end"
n=$(screen | grep -cE '^ +[234]  #+ +[0-9.]+ +[0-9.]+x$')
[ "$n" = 3 ] || fail "sweepcli: $n rows in the chart, not 3 (2, 3 and 4 workers)"
screen | grep -Eq '^Verdict: .*2 workers' || fail "sweepcli: the verdict is not over 2 workers"
pass "sweepcli: --sweep 2..4 on a terminal: 3 rows charted, the verdict over 2 workers"
tmx send-keys -t cv -l q
finish sweepcli 0

# --- w: the workers swept, a chart of wall time against workers --------
# sweep.scn: 20 downloads; 16 runs from 1 to 16 threads, 5 s in all.
# bar N: the length of the bar of N workers.
bar() {
	screen | sed -n "s/^ *$1  \(#*\) .*/\1/p" | head -n 1 | tr -d '\n' | wc -c
}
start sweep C run -s "$TESTS_SRCDIR/data/tui/sweep.scn" -m sync
tmx send-keys -t cv -l w
wait_for 'w sweeps the workers of a pool' 50 || fail "sweep: w under sync does not say why not"
pass "sweep: w under sync says to pick threads or procs"
pick m threads
wait_for '^model threads ' 50 || fail "sweep: m does not pick threads"
key w 'sweep: [0-9]+/16 runs' "w sweeps 1..16 threads"
wait_for 'sweep: 16/16 runs' 300 || fail "sweep: the sweep does not end"
screen | grep -Eq '^workers +wall time +wall_s +speedup' || fail "sweep: no chart heading"
n=$(screen | grep -cE '^ +[0-9]+  #+ +[0-9.]+ +[0-9.]+x$')
[ "$n" = 16 ] || fail "sweep: $n rows in the chart, not 16"
b1=$(bar 1)
b16=$(bar 16)
[ "$b1" -gt $((b16 * 4)) ] || fail "sweep: the bar of 1 worker ($b1) is not 4 times 16 workers' ($b16)"
pass "sweep: 16 rows charted, 1 worker's bar $b1 columns, 16 workers' $b16"
screen | grep -Eq '^Verdict: fastest with [0-9]+ workers' || fail "sweep: no verdict"
pass "sweep: a verdict"
tmx send-keys -t cv Escape
wait_gone 'sweep: ' 50 || fail "sweep: Esc does not close it"
wait_for '^w0 +[^ ]' 50 || fail "sweep: no lanes after Esc"
pass "sweep: Esc brings back the lanes"
tmx send-keys -t cv -l q
finish sweep 0

# --- Ctrl-C ---------------------------------------------------------------
start int C run -s "$SLOW" -m threads -w 2
tmx send-keys -t cv C-c
finish int 130

# --- SIGTERM; ASCII glyphs in the C locale ---------------------------------
start term C run -s "$SLOW" -m threads -w 2
legend_ascii || fail "term: legend not ASCII in the C locale"
pass "term: ASCII glyphs in the C locale"
kill -TERM "$(cat "$WORK/term.pid")"
finish term 143

# --- Ctrl-Z, then fg ------------------------------------------------------
# Typed straight into the interactive shell, without the runner: a runner
# in the same job would stop at once and let the shell print its prompt
# before conviz has given the screen back.
shell() {
	tmx send-keys -t cv -l "$1"
	tmx send-keys -t cv Enter
}
shell "stty -g >$(quote "$WORK/tstp.before")"
wait_file "$WORK/tstp.before" 50 || fail "tstp: stty in the shell"
shell "clear; ${CONVIZ_DATADIR:+CONVIZ_DATADIR=$(quote "$CONVIZ_DATADIR") }LC_ALL=C sh -c 'echo \$\$ >\"\$0\"; exec \"\$@\"' $(quote "$WORK/tstp.pid") $(quote "$CONVIZ") run -s $(quote "$SLOW") -m threads -w 2"
wait_file "$WORK/tstp.pid" 100 || fail "tstp: conviz did not start"
wait_for "$KEYBAR" 50 || fail "tstp: key bar not drawn"
tmx send-keys -t cv C-z
wait_for '^READY>' 50 || fail "tstp: Ctrl-Z does not give the shell back"
shell "stty -g >$(quote "$WORK/tstp.mid")"
wait_file "$WORK/tstp.mid" 50 || fail "tstp: stty in the shell"
cmp -s "$WORK/tstp.before" "$WORK/tstp.mid" ||
	fail "tstp: terminal not restored while stopped"
pass "tstp: Ctrl-Z stops conviz and restores the terminal"
shell fg
wait_for "$KEYBAR" 50 || fail "tstp: no redraw after fg"
alive tstp
pass "tstp: fg redraws the TUI"
tmx send-keys -t cv -l q
# Type nothing until conviz is gone: it would read the keys itself.
n=150
while [ "$n" -gt 0 ] && kill -0 "$(cat "$WORK/tstp.pid")" 2>/dev/null; do
	sleep 0.1
	n=$((n - 1))
done
shell "echo EXIT=\$? >$(quote "$WORK/tstp.exit.tmp"); stty -g >$(quote "$WORK/tstp.after"); mv $(quote "$WORK/tstp.exit.tmp") $(quote "$WORK/tstp.exit")"
finish tstp 0

# --- procs: lanes labelled with pids; x kills a worker, the run goes on ---
start procs "${UTF8:-C}" run -s fib -m procs -w 2 --scale 2
wait_for '^[0-9]+ +[^ ]' 50 || fail "procs: no lane labelled with a pid"
pids=$(screen | sed -n 's/^\([0-9][0-9]*\) .*/\1/p' | head -n 2)
for p in $pids; do
	ppid=$(sed -n 's/^PPid:[[:space:]]*//p' "/proc/$p/status" 2>/dev/null)
	[ -n "$ppid" ] && [ "$ppid" != "$(cat "$WORK/procs.pid")" ] ||
		[ -n "$ppid" ] || fail "procs: lane label $p is no running process"
done
pass "procs: lanes labelled with the workers' pids ($(echo $pids))"
screen | grep -q '^model procs (forkserver)  workers 2 ' ||
	fail "procs: the header at 100 columns does not say how workers start"
tmx send-keys -t cv -l x
wait_for 'killed worker [01] \(pid [0-9]+\)' 50 || fail "procs: x shows no note"
wait_for '^conviz fib .* done$' 300 || fail "procs: the run does not finish after a kill"
screen | grep -Eq 'tasks 20/20 +1 failed' || fail "procs: the header does not count 1 failed"
screen | grep -Eq 'errors: 1 x worker [01] killed by SIGKILL' ||
	fail "procs: no errors line for the killed worker"
pass "procs: x kills a worker; its task failed and the run finished"
for p in $pids; do
	kill -0 "$p" 2>/dev/null && fail "procs: worker $p still runs after the run"
done
pass "procs: no worker process left after the run"
tmx send-keys -t cv -l x
wait_for 'no run is going on' 50 || fail "procs: x after the run says nothing"
pass "procs: x with no run going on says so"
tmx send-keys -t cv -l q
finish procs 0

# A forked worker that crashes has none of the TUI's handlers: it dies
# quietly (no "crashed" line, the terminal untouched), and the run goes on.
# The signal must find the worker computing a task: one between two tasks
# (on a loaded machine the pool may keep it waiting) fails none, so the
# case is tried up to three times.
for try in 1 2 3; do
	start "crash$try" "${UTF8:-C}" run -s fib -m procs -w 2 --scale 2 --start fork
	wait_for '^[0-9]+ +[^ ]' 50 || fail "crash: no lane labelled with a pid"
	victim=$(screen | sed -n 's/^\([0-9][0-9]*\) .*/\1/p' | head -n 1)
	kill -SEGV "$victim" || fail "crash: worker $victim is not there to crash"
	wait_for '^conviz fib .* done$' 300 || fail "crash: the run does not finish"
	screen | grep -q 'crashed' && fail "crash: the worker ran the TUI's crash handler"
	alive "crash$try"
	failed=0
	screen | grep -Eq 'errors: 1 x worker [01] killed by SIGSEGV' || failed=1
	tmx send-keys -t cv -l q
	finish "crash$try" 0
	[ "$failed" = 0 ] && break
	[ "$try" -lt 3 ] || fail "crash: no errors line for the crashed worker, three times"
done
pass "crash: a worker's SIGSEGV fails its task, the TUI goes on untouched"

# --- an I/O run: the embedded server, the names, and errors ---------------
start io "${UTF8:-C}" run -s pokemon -m threads -w 5
wait_for '^\[[=> ]+\] tasks 20/20' 100 || fail "io: pokemon does not finish"
wait_for '^results: Bulbasaur, Ivysaur, Venusaur, Charmander' 50 ||
	fail "io: no results line with the pokedex names"
pass "io: pokemon shows the names it read"
screen | grep -Eq '^w0 +[^ ]*(░|\.)' || fail "io: lane w0 is not waiting on I/O"
pass "io: the lanes show I/O"
printf 'http://127.0.0.1:1/refused\n' >"$WORK/closed.txt"
tmx send-keys -t cv -l q
finish io 0
start ioerr "${UTF8:-C}" run -s sites -m threads -w 4 --url-file "$WORK/closed.txt"
wait_for 'tasks 160/160 +160 failed' 100 ||
	fail "ioerr: the header does not count 160 failed tasks"
wait_for '^errors: 160 x connection refused' 50 ||
	fail "ioerr: no errors line"
pass "ioerr: failed requests counted and explained"
screen | grep -Eq '^w0 .*!' || fail "ioerr: no error marker on lane w0"
pass "ioerr: error markers on the lanes"
tmx send-keys -t cv -l q
finish ioerr 0

# --- q answers at once: while the answers are checked, and while a
# transfer is in flight --------------------------------------------------
# quit_within TAG TENTHS: presses q; conviz must exit 0 within TENTHS/10 s
# (polled every 0.05 s); prints how long it took.
quit_within() {
	t0=$(date +%s%N)
	tmx send-keys -t cv -l q
	n=$(($2 * 2))
	while [ "$n" -gt 0 ] && [ ! -s "$WORK/$1.exit" ]; do
		sleep 0.05
		n=$((n - 1))
	done
	ms=$((($(date +%s%N) - t0) / 1000000))
	[ -s "$WORK/$1.exit" ] || fail "$1: q took more than $(($2 * 100)) ms"
	pass "$1: q quit in $ms ms"
	finish "$1" 0
}
# Two sieves up to ~10^7 take a moment; checking their answers (pi(n) by
# trial division) takes seconds, on the run's thread: the UI must not wait.
start check C run -s "$TESTS_SRCDIR/data/tui/bigcheck.scn" -m threads -w 2
wait_for 'tasks 2/2' 300 || fail "check: the two sieves do not finish"
sleep 0.3
screen | grep -q ' running' || fail "check: the answers were checked at once (the test needs a long check)"
pass "check: the run is checking its answers"
quit_within check 10
# A request the server answers in 10 s: q abandons it.
printf '/delay/10000\n' >"$WORK/delay.txt"
start delay C run -s httpbin -m threads -w 2 --url-file "$WORK/delay.txt"
sleep 0.5
quit_within delay 10
# The same under async: the loop abandons its 100 transfers in flight.
start delayasync C run -s httpbin -m async --url-file "$WORK/delay.txt"
sleep 0.5
quit_within delayasync 10

# --- issue 10: an 80x24 screen holds everything, and so do smaller ones --
# Sizes a classroom meets: the common terminal (80x24), a split pane
# (60x20, 50x16) and the documented minimum (40x10). At each: a lane is
# drawn, the key bar shows every key (on one or two rows, full or brief
# names) or says "? more", and the help shows the lesson whole, scrolled
# if it must be, never cut mid-word.
LESSON='CPU-bound: under the GIL threads take turns and do not speed this up; try g (GIL off) or more cores.'

# close_help: any key closes the help; waits until it is gone (5 s).
close_help() {
	tmx send-keys -t cv -l x
	n=50
	while [ "$n" -gt 0 ] && screen | grep -q 'conviz help'; do
		sleep 0.1
		n=$((n - 1))
	done
}

# help_rows: the rows of text inside the help's frame, blank and footer
# left out.
help_rows() {
	screen | sed -n 's/^[^│]*│ \(.*\) │[^│]*$/\1/p' | sed '$d' | sed '$d'
}

# help_text: the whole help, read page by page (Down scrolls one row;
# the row that comes in is the last one), joined into one line.
help_text() {
	help_rows >"$WORK/help.rows"
	n=250 # rows; the lesson card makes the help long on a small screen
	while screen | grep -q '▼ more' && [ "$n" -gt 0 ]; do
		before=$(help_rows | head -n 1)
		tmx send-keys -t cv Down
		m=30
		while [ "$(help_rows | head -n 1)" = "$before" ] && [ "$m" -gt 0 ]; do
			sleep 0.1
			m=$((m - 1))
		done
		help_rows | tail -n 1 >>"$WORK/help.rows"
		n=$((n - 1))
	done
	sed 's/ *$//' "$WORK/help.rows" | tr '\n' ' ' | tr -s ' '
}

# fib at its own scale: tasks short enough that q ends the run at once
# even under a sanitizer (a task longer than the exit wait is left
# running, which TSan reports as a thread leak).
start sizes "${UTF8:-C}" run -s fib -m threads -w 2
for size in 80x24 60x20 50x16 40x10; do
	tmx resize-window -t cv -x "${size%x*}" -y "${size#*x}" ||
		fail "tmux cannot resize to $size"
	n=50
	while [ "$n" -gt 0 ] && ! keys_complete; do
		sleep 0.1
		n=$((n - 1))
	done
	keys_complete || fail "$size: a key is missing from the key bar"
	pass "$size: the key bar shows every key"
	wait_for '^w0 +[^ ]' 50 || fail "$size: no lane drawn"
	pass "$size: a lane is drawn"
	[ -z "$UTF8" ] && continue
	tmx send-keys -t cv -l '?'
	wait_for 'conviz help' 50 || fail "$size: the help does not open"
	help=$(help_text)
	case "$help" in
	*"Lesson $LESSON"*) ;;
	*) fail "$size: the lesson is not whole in the help: $help" ;;
	esac
	case "$help" in
	*"gil-wait waiting for the GIL (one thread computes at a time)"*) ;;
	*) fail "$size: a colour line is cut in the help: $help" ;;
	esac
	pass "$size: the help shows the lesson and colours whole"
	close_help
done
tmx resize-window -t cv -x 80 -y 24
tmx send-keys -t cv -l '?'
wait_for 'conviz help' 50 || fail "80x24: the help does not open"
case "$(help_rows | tr '\n' ' ' | tr -s ' ')" in
*"Lesson $LESSON"*) pass "80x24: the lesson shows without scrolling" ;;
*) fail "80x24: the lesson needs scrolling" ;;
esac
close_help
# The legend: only what fib can draw under threads with the GIL.
legend=$(screen | tail -n 3 | head -n 2 | tr '\n' ' ')
case "$legend" in
*cpu*ready*gil-wait*) ;;
*) fail "legend: fib under threads lacks cpu, ready or gil-wait: $legend" ;;
esac
case "$legend" in
*lock-wait* | *lost-update* | *" io "*) fail "legend: fib shows states it cannot draw: $legend" ;;
esac
pass "legend: only the states fib can draw"
screen | grep -q 'stalls' && fail "header: 'stalls 0' shown"
pass "header: no stall count while there is none"
tmx send-keys -t cv -l q
finish sizes 0

# A 40x10 screen with five lanes: one lane and which of how many ("lane
# 1 of 5" under it, or " 1/5" at its end when it has the only row).
tmx resize-window -t cv -x 40 -y 10
start tiny C run -s "$SLOW" -m threads -w 5
wait_for '^w0 +[^ ]' 50 || fail "tiny: no lane at 40x10"
wait_for '(^w0 .* 1/5 *$|^ +lane 1 of 5)' 50 ||
	fail "tiny: the lanes left out are not counted"
tmx send-keys -t cv Down
wait_for '^w1 ' 50 || fail "tiny: Down does not scroll to lane w1"
screen | grep -Eq '(^w1 .* 2/5 *$|^ +lane 2 of 5)' || fail "tiny: not 'lane 2 of 5'"
pass "tiny: one lane and which of 5 at 40x10; Down scrolls"
tmx send-keys -t cv -l q
finish tiny 0

# After a short run the axis fits the run: lane w0 reaches the right end,
# and the labels are round milliseconds.
tmx resize-window -t cv -x 80 -y 24
start fit C run -s fib --scale 0.2 -m threads -w 2
wait_for ' done$' 150 || fail "fit: the run does not finish"
wait_for '^ +0ms +[0-9]+ms' 50 || fail "fit: the axis is not in milliseconds"
w=$(screen | sed -n 's/ *$//; /^w[01] /p' | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }')
[ "$w" -ge 74 ] || fail "fit: the lanes end at column $w of 80"
pass "fit: the finished run fills the width (the lanes end at $w)"
tmx send-keys -t cv -l q
finish fit 0

# Results that do not fit end with how many more, never mid-answer.
for size in 80x24 60x20; do
	tmx resize-window -t cv -x "${size%x*}" -y "${size#*x}"
	start "res$size" C run -s pokemon -m threads -w 5
	wait_for '^results: Bulbasaur' 150 || fail "res$size: no results"
	res=$(screen | sed -n '/^results:/,/^$/p' | tr '\n' ' ' | sed 's/ *$//')
	case "$res" in
	*", ... ("[0-9]*" more)") ;;
	*) fail "res$size: the results do not end in '... (N more)': $res" ;;
	esac
	pass "res$size: results end with how many more"
	tmx send-keys -t cv -l q
	finish "res$size" 0
done

# The header names the URL file in force, not the scenario's own URLs.
tmx resize-window -t cv -x 100 -y 30
printf '/sites/dice.html\n' >"$WORK/urls.txt"
start urlfile C run -s sites -m threads -w 4 --url-file "$WORK/urls.txt"
wait_for '^conviz sites - 160 GETs of the 1 URL in .*urls\.txt' 50 ||
	fail "urlfile: the header does not name the URL file"
pass "urlfile: the header names the URL file"
tmx send-keys -t cv -l q
finish urlfile 0

# --- issue 11: async from the list -------------------------------------
# m, async, Enter: sites runs on one thread's event loop, one lane per
# task (async's own view), 160 of 160, far sooner than sync's 14 s.
tmx resize-window -t cv -x 100 -y 30
start asyncpick "${UTF8:-C}" run -s sites -m threads -w 5
wait_for ' done$' 150 || fail "asyncpick: the threads run does not finish"
pick m async
wait_for '^model async +workers 1 ' 50 || fail "asyncpick: the model is not async"
[ "$(header view)" = task ] || fail "asyncpick: async does not show the task view"
wait_for '^\[[=> ]+\] tasks 160/160' 100 || fail "asyncpick: sites under async does not finish"
wait_for ' done$' 50 || fail "asyncpick: the async run does not end"
screen | grep -q '^t0 ' || fail "asyncpick: no task lane t0"
wait_for 'lanes 1[^0-9 ]+[0-9]+ of 160' 50 || fail "asyncpick: no 'lanes 1-N of 160'"
pass "asyncpick: m picks async; 160 task lanes, wall $(wall_shown) s"
tmx send-keys -t cv -l q
finish asyncpick 0

# --- issue 11: task view and scrolling -----------------------------------
# v shows one lane per task (t0..) and back; 20 tasks at 80x24 do not all
# fit, so the lane area says which lanes it shows and PgDn, PgUp and Down
# move it (Home and End move in time: tests/e2e_explore.sh).
tmx resize-window -t cv -x 80 -y 24
start tasks "${UTF8:-C}" run -s fib --scale 0.1 -m threads -w 2
wait_for ' done$' 150 || fail "tasks: the run does not finish"
[ "$(header view)" = worker ] || fail "tasks: the header does not say 'view worker'"
tmx send-keys -t cv -l v
wait_for '^t0 ' 50 || fail "tasks: v shows no task lane t0"
[ "$(header view)" = task ] || fail "tasks: the header does not say 'view task'"
screen | grep -q '^w0 ' && fail "tasks: worker lanes still shown"
pass "tasks: v shows one lane per task; the header says 'view task'"
RANGE='lanes [0-9]+[^0-9 ]+[0-9]+ of 20'
wait_for 'lanes 1[^0-9 ]+[0-9]+ of 20' 50 || fail "tasks: no 'lanes 1-N of 20'"
pass "tasks: $(screen | grep -Eo "$RANGE")"
tmx send-keys -t cv NPage
wait_for 'lanes [0-9]+[^0-9 ]+20 of 20' 50 || fail "tasks: PgDn does not reach lane 20"
screen | grep -q '^t19 ' || fail "tasks: t19 not shown after PgDn"
screen | grep -q '^t0 ' && fail "tasks: t0 still shown after PgDn"
pass "tasks: PgDn shows the last lanes ($(screen | grep -Eo "$RANGE"))"
tmx send-keys -t cv PPage
wait_for 'lanes 1[^0-9 ]+[0-9]+ of 20' 50 || fail "tasks: PgUp does not go back"
tmx send-keys -t cv Down
wait_for 'lanes 2[^0-9 ]+[0-9]+ of 20' 50 || fail "tasks: Down does not scroll"
screen | grep -q '^t1 ' || fail "tasks: t1 not first after Down"
tmx send-keys -t cv NPage
wait_for 'lanes [0-9]+[^0-9 ]+20 of 20' 50 || fail "tasks: PgDn does not reach lane 20"
pass "tasks: PgUp, Down and PgDn scroll the lanes"
tmx send-keys -t cv -l v
wait_for '^w0 ' 50 || fail "tasks: v does not go back to worker lanes"
screen | grep -Eq "$RANGE" && fail "tasks: 2 worker lanes said to scroll"
pass "tasks: v again shows the two workers"
tmx send-keys -t cv -l q
finish tasks 0

# Headless: --view task draws one ASCII lane per task, t0..t19.
"$CONVIZ" run -s fib --scale 0.1 -m threads -w 2 --headless --view task >"$WORK/view.out" 2>&1 ||
	fail "view: the headless run fails: $(cat "$WORK/view.out")"
[ "$(grep -Ec '^t[0-9]+ +\|' "$WORK/view.out")" = 20 ] ||
	fail "view: not 20 task lanes: $(cat "$WORK/view.out")"
grep -q '^w0 ' "$WORK/view.out" && fail "view: worker lanes in the task view"
grep -q 'view=task$' "$WORK/view.out" || fail "view: the first line does not say view=task"
pass "view: --view task draws t0..t19 headless"
"$CONVIZ" run --view bogus --headless >"$WORK/view.out" 2>&1
[ $? = 2 ] || fail "view: --view bogus does not exit 2"
grep -q "^conviz: bad view 'bogus': use worker or task$" "$WORK/view.out" ||
	fail "view: --view bogus says: $(cat "$WORK/view.out")"
pass "view: --view bogus exits 2 and says so"

# --- a crash (SIGSEGV) restores the terminal and says so -----------------
start segv C run -s "$SLOW" -m threads -w 2
kill -SEGV "$(cat "$WORK/segv.pid")"
finish segv 139
screen | grep -q 'conviz: crashed (SIGSEGV)' || fail "segv: no crash message"
pass "segv: crash message on stderr"

# --- issue 10: the picker ------------------------------------------------
# s and m open a list to pick from instead of cycling. In the C locale:
# the box is drawn with +-| and the current item is marked *.
NAMES=$("$CONVIZ" list | sed -n '/^Scenarios/,/^$/s/^  \([a-z0-9_-][a-z0-9_-]*\)\( .*\)\{0,1\}$/\1/p')
[ -n "$NAMES" ] || fail "pick: conviz list shows no scenario"
TWO_BELOW=$(printf '%s\n' $NAMES | sed -n '/^fib$/{n;n;p;}')
[ -n "$TWO_BELOW" ] || fail "pick: no scenario two below fib in: $NAMES"
tmx resize-window -t cv -x 80 -y 24 || fail "tmux cannot resize"
start pick C run -s fib -m threads -w 2 --scale 0.3
wait_for '^conviz fib .* done$' 150 || fail "pick: the first run does not finish"
wall=$(wall_shown)
status=$(screen | sed -n 2,3p)

# m, then Esc: nothing changes, the finished run stays as it was.
tmx send-keys -t cv -l m
wait_for "$LIST" 50 || fail "pick: m opens no list"
for m in sync threads async procs; do
	screen | grep -Eq "\| [* ] $m +[a-z]" || fail "pick: model $m not listed"
done
screen | grep -Eq '\| \* threads +a pool of threads' ||
	fail "pick: threads not marked as the current model"
[ "$(selected)" = threads ] || fail "pick: the selection starts on $(selected)"
pass "pick: m lists every model, threads marked and selected"
tmx send-keys -t cv Escape
wait_gone "$LIST" 50 || fail "pick: Esc does not close the list"
[ "$(model_shown)" = threads ] || fail "pick: Esc changed the model"
# A new run would show "running" (or "stopping") for a while and then
# other times.
[ "$(phase_shown)" = done ] && [ "$(screen | sed -n 2,3p)" = "$status" ] ||
	fail "pick: Esc restarted the run (phase $(phase_shown), wall $(wall_shown), was $wall)"
pass "pick: Esc closes the list, model and run unchanged (wall $wall s)"

# s: every scenario of `conviz list`, the current one marked; q closes.
tmx send-keys -t cv -l s
wait_for "$LIST" 50 || fail "pick: s opens no list"
screen | grep -Eq '\| \* fib +fib\(' || fail "pick: fib not marked as current"
[ "$(selected)" = fib ] || fail "pick: the selection starts on $(selected)"
# More scenarios than 24 rows hold: what one page shows, then the next.
pages=$(screen)
tmx send-keys -t cv PgDn
sleep 0.3
pages="$pages
$(screen)"
for sc in $NAMES; do
	echo "$pages" | grep -Eq "\| [* ] $sc +[^ ]" || fail "pick: scenario $sc not listed"
done
pass "pick: s lists every scenario ($(echo $NAMES)) over two pages, fib marked and selected"
tmx send-keys -t cv -l q
wait_gone "$LIST" 50 || fail "pick: q does not close the list"
sleep 0.5
alive pick
[ "$(scenario_shown)" = fib ] && [ "$(phase_shown)" = done ] ||
	fail "pick: q in the list changed the run"
pass "pick: q closes the list and does not quit"

# Every model of this version can be chosen: procs is not dimmed.
tmx send-keys -t cv -l m
wait_for "$LIST" 50 || fail "pick: m opens no list"
tmx capture-pane -e -p -t cv | grep ' procs ' |
	grep -Eq "$(printf '\033')\\[([0-9]+;)*2(;[0-9]+)*m +procs" &&
	fail "pick: procs is dimmed"
tmx send-keys -t cv -l p
wait_changed selected threads || fail "pick: p does not select procs"
[ "$(selected)" = procs ] || fail "pick: p selects $(selected)"
pass "pick: procs is listed as a model that can be chosen"

# Up to sync, Enter: the model changes and the run starts again.
tmx send-keys -t cv Up
wait_changed selected procs || fail "pick: Up does not move"
tmx send-keys -t cv Up
wait_changed selected async || fail "pick: Up does not move"
tmx send-keys -t cv Up
wait_changed selected threads || fail "pick: Up does not move"
[ "$(selected)" = sync ] || fail "pick: Up x3 from procs selects $(selected)"
tmx send-keys -t cv Enter
wait_gone "$LIST" 50 || fail "pick: Enter does not close the list"
wait_for '^model sync ' 50 || fail "pick: Enter on sync does not switch"
wait_for '^conviz fib .* done$' 300 || fail "pick: the sync run does not finish"
wait_for 'speedup 1\.00x' 50 || fail "pick: no sync run happened"
pass "pick: m, Up, Enter switches to sync and runs it"

# Down twice from the current scenario, Enter: that one runs, and keeps
# running while the list is open again.
tmx send-keys -t cv -l s
wait_for "$LIST" 50 || fail "pick: s opens no list"
tmx send-keys -t cv Down
wait_changed selected fib || fail "pick: Down does not move"
old=$(selected)
tmx send-keys -t cv Down
wait_changed selected "$old" || fail "pick: Down does not move"
[ "$(selected)" = "$TWO_BELOW" ] || fail "pick: Down Down selects $(selected)"
tmx send-keys -t cv Enter
wait_gone "$LIST" 50 || fail "pick: Enter does not close the list"
wait_for "^conviz $TWO_BELOW - " 50 || fail "pick: header does not show $TWO_BELOW"
wait_for "^conviz $TWO_BELOW .* running$" 100 || fail "pick: $TWO_BELOW does not run"
pass "pick: Down Down Enter runs $TWO_BELOW"
tmx send-keys -t cv -l s
wait_for "$LIST" 50 || fail "pick: s opens no list while running"
[ "$(selected)" = "$TWO_BELOW" ] || fail "pick: the selection starts on $(selected)"
n1=$(tasks_done)
wait_changed tasks_done "$n1" || fail "pick: the run stops while the list is open"
pass "pick: the run goes on behind the list (tasks $n1 -> $(tasks_done))"

# 40x10, the list open: redrawn, scrolls, and Enter works.
tmx resize-window -t cv -x 40 -y 10 || fail "tmux cannot resize"
wait_for 'more below' 50 || fail "pick: at 40x10 no 'more below'"
screen | grep -Eq "\| \* $TWO_BELOW " || fail "pick: at 40x10 the selection is not shown"
pass "pick: at 40x10 the list shows the selection and 'more below'"
LAST=$(printf '%s\n' $NAMES | tail -n 1)
tmx send-keys -t cv End
wait_changed selected "$TWO_BELOW" || fail "pick: End does not move"
[ "$(selected)" = "$LAST" ] || fail "pick: End selects $(selected)"
wait_for 'more above' 50 || fail "pick: at 40x10 no 'more above' after End"
screen | grep -q 'more below' && fail "pick: 'more below' at the end of the list"
pass "pick: End scrolls to $LAST, 'more above' shown"
tmx send-keys -t cv Enter
wait_gone "$LIST" 50 || fail "pick: Enter does not close the list at 40x10"
wait_for "^conviz $LAST " 50 || fail "pick: header does not show $LAST"
pass "pick: Enter at 40x10 runs $LAST"
tmx resize-window -t cv -x 100 -y 30
tmx send-keys -t cv -l q
finish pick 0

# --- issue 13: the race lab's panel under the lanes ---------------------------
# Without a lock, under threads: the sum is off for good, in red, and the
# panel says who overwrote whom. The row's sum is what the summary says.
tmx resize-window -t cv -x 100 -y 30
start bank C run -s bank-unsafe -m threads --seed 3
wait_for '^conviz bank-unsafe .* done$' 100 || fail "bank: the run does not finish"
# (Lost updates may cancel out: the sum is then right by chance.)
wait_for '^banks( [0-9]+){5}  sum [0-9]+  must stay 5000  (BROKEN: [-+][0-9]+|ok, by chance: updates were lost)$' 20 ||
	fail "bank: no broken invariant under the lanes"
row=$(screen | grep '^banks ')
sum=$(echo "$row" | sed 's/.*  sum \([0-9]*\) .*/\1/')
[ -n "$sum" ] || fail "bank: no sum shown in $row"
screen | grep -Eq "^X [0-9]+ lost updates?, -?[0-9]+ in all; last: task [0-9]+ overwrote task [0-9]+'s (deposit to|withdrawal from) bank [0-4]" ||
	fail "bank: no lost-update line"
# Exact: what was lost is what the sum misses.
lost=$(screen | sed -n 's/^X [0-9]* lost updates*, \(-*[0-9]*\) in all.*/\1/p')
[ $((sum + lost)) -eq 5000 ] || fail "bank: sum $sum + lost $lost is not 5000"
tmx capture-pane -e -p -t cv | grep -E 'BROKEN|by chance' | grep -q "$(printf '\033')\\[1m$(printf '\033')\\[31m" ||
	fail "bank: the broken invariant is not red"
pass "bank: $row, in red; the lost updates named"
tmx send-keys -t cv -l q
finish bank 0

# With the lock, under async: nothing lost, and the moments the sum was
# off between a transfer's two updates (the invalid state) counted.
start safe C run -s bank-safe -m async
wait_for '^conviz bank-safe .* done$' 100 || fail "safe: the run does not finish"
wait_for '^banks( [0-9]+){5}  sum 5000  must stay 5000  ok$' 20 || fail "safe: the sum is not 5000"
screen | grep -Eq "^no update lost; the sum was off 20 times" ||
	fail "safe: the invalid states are not counted"
screen | grep -q '^L0 free$' || fail "safe: no row for the lock"
pass "safe: 5000, nothing lost, the sum off 20 times between updates, L0 free"
tmx send-keys -t cv -l q
finish safe 0

# Worker processes: the values here never move, and the panel says why.
start bankprocs C run -s bank-unsafe -m procs
wait_for '^conviz bank-unsafe .* done$' 100 || fail "bankprocs: the run does not finish"
wait_for '^banks 1000 1000 1000 1000 1000  sum 5000 here, as at the start$' 20 ||
	fail "bankprocs: the values here moved"
screen | grep -q '^each worker process changes its own copy of the values: processes share no memory' ||
	fail "bankprocs: no 'processes share no memory' lesson"
pass "bankprocs: the lesson that processes share no memory"
tmx send-keys -t cv -l q
finish bankprocs 0

# A deadlock: found, the cycle printed, each lock as it was at that
# moment; the help explains the panel; q restores the terminal.
start dl C run -s deadlock -m threads
wait_for '^conviz deadlock .* done$' 100 || fail "dl: the run does not end"
wait_for '^DEADLOCK, found and stopped: task [01] holds L[01] and waits for L[01];' 20 ||
	fail "dl: no cycle drawn"
screen | grep -q '^L0 held by task 0 (w[01]); waiting: task 1$' &&
	screen | grep -q '^L1 held by task 1 (w[01]); waiting: task 0$' ||
	fail "dl: the locks are not shown as the deadlock left them"
screen | grep -q '2 failed' || fail "dl: the two tasks of the cycle did not fail"
pass "dl: the cycle drawn, L0 and L1 each held and waited for"
tmx send-keys -t cv -l '?'
wait_for 'conviz help' 50 || fail "dl: ? opens no help"
tmx send-keys -t cv End
wait_for 'Under the lanes' 50 || fail "dl: the help does not explain the panel"
screen | grep -q 'deadlock' || fail "dl: the help does not say what a deadlock is"
pass "dl: the help explains the panel"
tmx send-keys -t cv Escape
tmx send-keys -t cv -l q
finish dl 0

echo "all $checks checks passed"
