#!/bin/sh
# e2e_export.sh - a run taken out of conviz, read back by real tools: the
# Chrome trace by python3's json.tool and jq (its events against the run's
# summary: the event count, per-lane times within 1% of the CSV's), the
# SVG by xmllint and rendered by rsvg-convert, the CSV's per-lane totals
# against the run's wall time; a comparison in one trace and one SVG;
# bad paths refused before anything runs, a full disk said after; the
# TUI's p key and --trace in the TUI.
#
# Environment (set by make check): CONVIZ, CONVIZ_DATADIR, TESTS_SRCDIR.
set -u
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

for tool in python3 jq xmllint rsvg-convert awk; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "SKIP: $tool is not installed (./quickstart.sh installs it)"
		exit 77
	}
done
D=$TMP

# near A B PCT: 0 when A and B differ by at most PCT per cent of B.
near() {
	awk -v a="$1" -v b="$2" -v p="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= b * p / 100 + 1e-9) }'
}

# --- one run, three files -------------------------------------------------
run_conviz run -s bank-unsafe -m threads -w 4 --headless \
	--trace "$D/b.json" --svg "$D/b.svg" --csv "$D/b.csv"
expect_status 0 "bank-unsafe with --trace --svg --csv"
python3 -m json.tool "$D/b.json" >/dev/null 2>&1 || fail "json.tool cannot read the trace"
pass "the trace is JSON (python3 -m json.tool)"
events=$(field events)
[ "$(jq '.conviz.runs[0].events | length' "$D/b.json")" = "$events" ] ||
	fail "the trace keeps $(jq '.conviz.runs[0].events | length' "$D/b.json") events, the summary says events=$events"
[ "$(jq '[.traceEvents[] | select(.ph == "M" and .name == "thread_name")] | length' "$D/b.json")" -ge 4 ] ||
	fail "fewer than 4 named tracks"
jq -e '[.traceEvents[] | select(.ph == "M" and .name == "process_name")][0].args.name | test("bank-unsafe \\(threads, 4 workers, GIL on\\)")' "$D/b.json" >/dev/null ||
	fail "the process is not named after the scenario and model"
pass "its events match the summary (events=$events), its process and tracks are named"
# A race: how many updates were lost depends on the schedule (under the
# sanitizers the threads may take turns and lose none).
if [ "$(field lost_updates)" -gt 0 ]; then
	[ "$(jq '[.traceEvents[] | select(.ph == "i" and .name == "lost-update")] | length' "$D/b.json")" -gt 0 ] ||
		fail "no lost-update instant in the trace of a run that lost updates"
	pass "the lost updates are instant events"
fi

# Per lane: the trace's state time (its X events) against the CSV's time
# in the same states, within 1%; and the CSV's lanes last the whole run.
wall=$(field wall_s)
for lane in 0 1 2 3; do
	tr=$(jq "[.traceEvents[] | select(.ph == \"X\" and .cat == \"state\" and .pid == 1 and .tid == $((lane + 1))) | .dur] | add / 1e6" "$D/b.json")
	cs=$(awk -F, -v l="w$lane" '$2 == l && $4 != "idle" && $4 != "done" && $5 != $6 { s += $6 - $5 } END { printf "%.9f", s }' "$D/b.csv")
	near "$tr" "$cs" 1 || fail "lane w$lane: the trace's states last $tr s, the CSV's $cs s"
	all=$(awk -F, -v l="w$lane" '$2 == l && $5 != $6 { s += $6 - $5 } END { printf "%.9f", s }' "$D/b.csv")
	near "$all" "$wall" 1 || fail "lane w$lane: the CSV covers $all s of a $wall s run"
done
pass "per lane, the trace and the CSV agree within 1%, and the CSV covers the run"
head -n 1 "$D/b.csv" | grep -q '^run,lane,task,state,start_s,end_s' || fail "the CSV has no header"
grep -q ',read,' "$D/b.csv" || fail "no marker rows in the CSV"
pass "the CSV has its header and marker rows"
xmllint --noout "$D/b.svg" 2>"$D/xml.err" || fail "xmllint: $(cat "$D/xml.err")"
rsvg-convert -o "$D/b.png" "$D/b.svg" 2>"$D/rsvg.err" || fail "rsvg-convert: $(cat "$D/rsvg.err")"
[ -s "$D/b.png" ] || fail "rsvg-convert made an empty PNG"
grep -q '<text[^>]*>bank-unsafe' "$D/b.svg" || fail "the SVG's title is not text"
grep -q '<pattern' "$D/b.svg" || fail "the SVG has no patterns (black and white)"
pass "the SVG is XML (xmllint), renders (rsvg-convert), titled as text, patterned"

# --- async: a track per task, its states bare -----------------------------
run_conviz run -s httpbin -m async --headless --trace "$D/a.json"
expect_status 0 "httpbin async --trace"
tasks=$(field tasks)
[ "$(jq '[.traceEvents[] | select(.ph == "M" and .name == "thread_name" and .tid >= 100000)] | length' "$D/a.json")" = "$tasks" ] ||
	fail "the async trace has not $tasks task tracks"
[ "$(jq '[.traceEvents[] | select(.ph == "X" and .tid >= 100000 and (has("args") or has("cat")))] | length' "$D/a.json")" = 0 ] ||
	fail "a task track's state carries args or a category"
# The loop's one thread computes for one task at a time: the tasks' cpu
# is the worker's (their waits overlap, and are theirs alone).
wk=$(jq '[.traceEvents[] | select(.ph == "X" and .cat == "state" and .tid == 1 and .name == "cpu") | .dur] | add' "$D/a.json")
tk=$(jq '[.traceEvents[] | select(.ph == "X" and .tid >= 100000 and .name == "cpu") | .dur] | add' "$D/a.json")
near "$tk" "$wk" 1 || fail "the task tracks compute for $tk us, the worker for $wk us"
pass "async: a track per task ($tasks), its states bare, their cpu the worker's"

# --- a comparison in one trace and one SVG --------------------------------
run_conviz compare -s bank-unsafe --trace "$D/c.json" --svg "$D/c.svg"
expect_status 0 "compare with --trace --svg"
runs=$(grep -c '^summary:' "$TMP/out")
[ "$(jq '.conviz.runs | length' "$D/c.json")" = "$runs" ] || fail "the comparison's trace has not $runs runs"
[ "$(jq '[.traceEvents[] | select(.ph == "M" and .name == "process_name")] | length' "$D/c.json")" = "$runs" ] ||
	fail "not one process per model"
xmllint --noout "$D/c.svg" && rsvg-convert -o "$D/c.png" "$D/c.svg" || fail "the comparison's SVG"
[ "$(grep -c '<text[^>]*>bank-unsafe' "$D/c.svg")" = "$runs" ] || fail "the SVG does not title its $runs runs"
pass "compare: one trace with a process per model ($runs), one SVG with the runs stacked"

# --- bad paths --------------------------------------------------------------
run_conviz run -s fib --scale 0.05 --headless --trace "$D/nope/x.json"
expect_status 2 "a missing directory"
expect_err "^conviz: cannot write --trace $D/nope/x.json: its directory $D/nope is missing or not writable: check the path$" "the message"
run_conviz run -s fib --scale 0.05 --headless --svg "$D"
expect_status 2 "a directory"
expect_err "^conviz: --svg $D is a directory: give a file name in it$" "the message"
run_conviz run -s fib --scale 0.05 --headless --trace "$D/t" --csv "$D/t"
expect_status 2 "one file twice"
expect_err "^conviz: --trace and --csv name the same file: give each its own$" "the message"
run_conviz run -s fib --scale 0.05 --headless --csv ""
expect_status 2 "an empty name"
expect_err "^conviz: empty file name for --csv: give a path$" "the message"
run_conviz list --trace "$D/x.json"
expect_status 2 "list takes no --trace"
pass "bad paths are refused before the run, exit 2"
run_conviz run -s fib --scale 0.05 --headless --trace /dev/full
expect_status 1 "a full disk"
expect_err "^conviz: cannot write /dev/full: No space left on device: free some disk space or write elsewhere$" "the message"
[ -c /dev/full ] || fail "/dev/full is not a device any more"
pass "a full disk: said, exit 1, /dev/full left a device"
printf 'old\n' >"$D/keep.csv"
run_conviz run -s fib --scale 0.05 --headless --csv "$D/keep.csv"
expect_status 0 "over an existing file"
head -n 1 "$D/keep.csv" | grep -q '^run,lane' || fail "the existing file is not replaced whole"
ls "$D" | grep -q 'keep.csv.' && fail "a temporary file is left: $(ls "$D")"
pass "an existing file is replaced whole, no temporary file left"

# --- conviz replay: the same report, nothing run ---------------------------
# The run above, played back headless: its diagram and summary: line as
# it printed them (the embedded server's address aside: nothing serves).
# A --url-file run's title counts the file's URLs, replayed too (a closed
# port: the GETs fail at once, and the report says so both times).
printf 'http://127.0.0.1:1/a\nhttp://127.0.0.1:1/b\n' >"$D/u.txt"
for spec in "bank-unsafe -m threads -w 4" "httpbin -m async" "fib --scale 0.3 -m procs -w 2" \
	"httpbin -m async --url-file $D/u.txt"; do
	# shellcheck disable=SC2086
	run_conviz run -s $spec --headless --trace "$D/r.json"
	expect_status 0 "run $spec --trace"
	grep -v '^server: ' "$TMP/out" >"$D/r.orig"
	run_conviz replay "$D/r.json" --headless
	expect_status 0 "replay of $spec"
	diff "$D/r.orig" "$TMP/out" >"$D/r.diff" ||
		fail "replay of $spec differs from the run: $(cat "$D/r.diff")"
done
grep -q "GETs of the 2 URLs in $D/u.txt" "$TMP/out" || fail "the --url-file run's replay has not its title"
pass "conviz replay prints the run's own diagram and summary: line (a --url-file run's title too)"
run_conviz replay "$D/c.json"
expect_status 0 "replay of a comparison"
[ "$(grep -c '^summary:' "$TMP/out")" = "$runs" ] || fail "the comparison's replay has not $runs summaries"
run_conviz replay "$D/r.json" --svg "$D/r.svg"
expect_status 0 "replay --svg"
xmllint --noout "$D/r.svg" || fail "replay --svg: not XML"
pass "a comparison replays as its runs; a replay exports too"

# Bad traces: exit 2, one line that says what is wrong.
run_conviz replay "$D/none.json"
expect_status 2 "a missing trace"
printf '{"traceEvents":[{"ph":"X","ts":1,"dur":2,"pid":1,"tid":1,"name":"x"}]}\n' >"$D/foreign.json"
run_conviz replay "$D/foreign.json"
expect_status 2 "another program's trace"
grep -q 'not a conviz trace' "$TMP/err" || fail "another program's trace: $(cat "$TMP/err")"
head -c 3000 "$D/b.json" >"$D/cut.json"
run_conviz replay "$D/cut.json"
expect_status 2 "a trace cut short"
printf 'not json\n' >"$D/text.json"
run_conviz replay "$D/text.json"
expect_status 2 "not JSON"
grep -q 'line 1' "$TMP/err" || fail "not JSON: no line in $(cat "$TMP/err")"
run_conviz replay "$D"
expect_status 2 "a directory"
run_conviz replay
expect_status 2 "no file"
run_conviz replay "$D/b.json" "$D/b.json"
expect_status 2 "two files"
for f in none foreign cut text; do
	[ "$(wc -l <"$TMP/err")" -le 1 ] || fail "replay $f: more than one line"
done
pass "bad traces: a clear conviz: line, exit 2"

# --- the TUI: p, and --trace of its first run ------------------------------
if command -v tmux >/dev/null 2>&1; then
	unset TMUX TMUX_PANE
	SOCK="conviz-export-$$"
	trap 'tmx kill-server >/dev/null 2>&1; rm -rf "$TMP"' EXIT
	mkdir "$D/tui"
	tmx new-session -d -s cv -x 120 -y 30 \
		"cd $(quote "$D/tui") && env LC_ALL=C.UTF-8 TERM=tmux-256color CONVIZ_DATADIR=$(quote "$CONVIZ_DATADIR") $(quote "$CONVIZ") -s bank-unsafe -m threads -w 4 --trace first.json; sleep 600" ||
		fail "tmux cannot start"
	wait_for 'wrote first.json' 150 || fail "--trace in the TUI: no 'wrote first.json'"
	python3 -m json.tool "$D/tui/first.json" >/dev/null || fail "the TUI's trace is not JSON"
	pass "--trace in the TUI writes the first run once it is over, and says so"
	tmx send-keys -t cv p
	wait_for 'wrote conviz-bank-unsafe-threads-[0-9]+-[0-9]+\.\{json' 50 ||
		fail "p: the header does not say what it wrote"
	for ext in json svg csv; do
		ls "$D/tui"/conviz-bank-unsafe-threads-*."$ext" >/dev/null 2>&1 || fail "p: no .$ext"
	done
	xmllint --noout "$D"/tui/conviz-bank-unsafe-threads-*.svg || fail "p: the SVG"
	pass "p writes the run on screen as .json, .svg and .csv, and says where"
	tmx kill-server >/dev/null 2>&1
	sleep 0.2
	tmx new-session -d -s cv -x 120 -y 30 \
		"env LC_ALL=C.UTF-8 TERM=tmux-256color $(quote "$CONVIZ") replay $(quote "$D/b.json"); sleep 600" ||
		fail "tmux cannot start"
	wait_for 'replay of .*b\.json: nothing runs' 50 || fail "replay: the TUI does not say it replays"
	wait_for '^w0 ' 50 || fail "replay: no lanes"
	# It plays at x1, or slower so that it lasts 3 s: bank-unsafe, under
	# a second here (slower under valgrind), at x0.5 or below.
	wait_for 'REPLAY x' 50 || fail "replay: the header says no REPLAY"
	speed=$(screen | sed -n 's/.*REPLAY x\([0-9.]*\).*/\1/p' | head -n 1)
	case $speed in 1 | 0.5 | 0.2 | 0.1) ;; *) fail "replay: plays at x$speed, not x1 or slower" ;; esac
	awk -v w="$wall" -v s="$speed" 'BEGIN { exit !(s == 0.1 || w / s >= 2.5) }' ||
		fail "replay: a $wall s run plays at x$speed, over in under 3 s"
	awk -v w="$wall" -v s="$speed" 'BEGIN { exit !(w < 3.5 || s == 1) }' ||
		fail "replay: a $wall s run plays slowed down at x$speed"
	wait_for 'PAUSED  done$' 100 || fail "replay: the play does not end paused"
	tmx send-keys -t cv r
	wait_for 'a replay of .* runs nothing' 50 || fail "replay: r does not say a replay runs nothing"
	tmx send-keys -t cv Home
	wait_for 'cursor at 0.000 ms' 50 || fail "replay: Home"
	tmx send-keys -t cv ']'
	wait_for 'REPLAY x2' 50 || fail "replay: ] does not replay"
	pass "conviz replay plays the run in the TUI (a $wall s run at x$speed), explore keys work, r runs nothing"
fi
finish
