#!/bin/sh
# e2e_cli.sh - the command line of the real binary: help, version, list,
# and bad input (exit 2 with one "conviz: what: what to do" line).
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"
D="$TESTS_SRCDIR/data/scenarios"

run_conviz --help
expect_status 0 "--help"
grep -q 'Usage: conviz' "$TMP/out" || fail "--help prints the usage"
grep -q -- '--no-gil' "$TMP/out" || fail "--help names --no-gil"
# --help says which options each command takes: run's, serve's, none for
# list.
sed -n '/^Run options/,/^$/p' "$TMP/out" >"$TMP/run.opts"
sed -n '/^Serve options/,/^$/p' "$TMP/out" >"$TMP/serve.opts"
for o in --scenario --model --workers --no-gil --seed --scale --headless --url-file; do
	grep -q -- "$o" "$TMP/run.opts" || fail "--help: $o is not among the run options"
done
for o in --port --bind --seed; do
	grep -q -- "$o" "$TMP/serve.opts" || fail "--help: $o is not among the serve options"
done
grep -Eq -- '--(port|bind)' "$TMP/run.opts" && fail "--help: a serve option among the run options"
grep -q 'conviz list .*(no options)' "$TMP/out" || fail "--help: list takes no options"

run_conviz --version
expect_status 0 "--version"
grep -Eq '^conviz [0-9]+\.[0-9]+\.[0-9]+$' "$TMP/out" || fail "--version prints 'conviz X.Y.Z'"

run_conviz list
expect_status 0 "list"
for s in fib sumsq primes math; do
	grep -Eq "^  $s " "$TMP/out" || fail "list names scenario $s"
done
for m in sync threads async procs; do
	grep -Eq "^  $m " "$TMP/out" || fail "list names model $m"
done
grep -q "not yet available" "$TMP/out" && fail "list still says a model is not yet available"
# The race lab's scenarios; a name too long for its column gets a line of
# its own, and nothing passes 80 columns.
for s in bank-unsafe bank-safe counter-unsafe deadlock relock relock-reentrant philosophers philosophers-ordered; do
	grep -Eq "^  $s( |\$)" "$TMP/out" || fail "list names scenario $s"
done
grep -q '^  philosophers-ordered$' "$TMP/out" || fail "list: a long name is not on a line of its own"
awk 'length > 80 { bad = 1 } END { exit bad }' "$TMP/out" || fail "list: a line passes 80 columns: $(awk 'length > 80' "$TMP/out")"

# Bad input: each row must exit 2 with a one-line conviz: message.
bad() { # DESCRIPTION REGEX ARGS...
	desc=$1
	re=$2
	shift 2
	run_conviz "$@"
	expect_status 2 "$desc"
	expect_err "^conviz: .*$re" "$desc"
}
bad "unknown flag" "unknown option '--frobnicate'" run --frobnicate
bad "unknown short flag" "unknown option '-x'" -x
bad "missing value" "option '-w' needs a value" run -w
bad "-w 0" "bad number of workers '0'" run -w 0
bad "-w -3" "bad number of workers '-3'" run -w -3
bad "-w 1e9" "bad number of workers '1e9'" run -w 1e9
bad "-w abc" "bad number of workers 'abc'" run -w abc
bad "-w 100000" "bad number of workers '100000'" run -w 100000
bad "-w ' 4'" "bad number of workers ' 4'" run -w ' 4'
bad "--workers=" "bad number of workers ''" run --workers=
bad "--scale 0" "bad scale '0'" run --scale 0
bad "--scale abc" "bad scale 'abc'" run --scale abc
bad "--scale nan" "bad scale 'nan'" run --scale nan
bad "--seed -1" "bad seed '-1'" run --seed -1
bad "unknown scenario" "unknown scenario 'nope'" run -s nope
bad "scenario with dots" "unknown scenario '..'" run -s ..
bad "unknown model" "unknown model 'fibers'" run -m fibers
bad "--limit 0" "bad limit '0'" run -m async --limit 0
bad "--limit without async" "--limit caps the connections of the async model, and the model is threads" run -s sites --limit 5
bad "--view bogus" "bad view 'bogus': use worker or task" run --view bogus
bad "--start bogus" "unknown start method 'vfork': use forkserver, fork or spawn" run -m procs --start vfork
bad "--chunk 0" "bad chunk '0': use a whole number of tasks from 1 to 100000" run -m procs --chunk 0
bad "--chunk huge" "bad chunk '99999999999'" run -m procs --chunk 99999999999
bad "--chunk without procs" "--chunk is for the worker processes of the procs model, and the model is threads: add -m procs" run --chunk 5
bad "--start without procs" "--start is for the worker processes of the procs model, and the model is async" run -m async --start fork
bad "-w beyond the machine" "-w 300 asks for 300 worker processes, and this machine allows [0-9]+: use -w 1 to" run -m procs -w 300
# Under a process limit of 8 (prlimit, from util-linux, when it is here):
# half of it is what procs may take.
if command -v prlimit >/dev/null 2>&1; then
	prlimit --nproc=8 "$CONVIZ" run -m procs -w 5 --headless >"$TMP/out" 2>"$TMP/err"
	[ $? = 2 ] && grep -q "machine allows 4" "$TMP/err" ||
		fail "-w beyond the process limit (nproc 8) is refused: $(cat "$TMP/err")"
fi
bad "unknown command" "unknown command 'jump': use run, compare, list, serve or replay \\(see conviz --help\\)$" jump
bad "stray argument" "unexpected argument 'extra'" run extra
bad "--bind outside serve" "--bind does not belong to 'conviz run': leave it out \\(see conviz --help\\)$" run --bind 127.0.0.1
bad "bad port" "bad port '70000'" serve --port 70000
bad "bad port word" "bad port 'http'" serve --port http
bad "bind to a name" "'example.invalid' is not an IPv4 or IPv6 address" serve --bind example.invalid
bad "--url-file on a CPU scenario" "works only with I/O scenarios" run -s fib --url-file /dev/null
bad "missing scenario file" "cannot open scenario file '/nonexistent/x.scn'" run -s /nonexistent/x.scn
bad "scenario is a directory" "is a directory" run -s "$D/"

# Scenario files: each error names file:line and what is wrong.
bad "empty scenario file" "empty.scn: empty scenario" run -s "$D/empty.scn"
bad "truncated scenario file" "truncated.scn: missing key arg" run -s "$D/truncated.scn"
bad "binary scenario file" "binary.scn: binary data" run -s "$D/binary.scn"
bad "duplicate key" "dup.scn:5: duplicate key tasks" run -s "$D/dup.scn"
bad "unknown key" "unknown.scn:3: unknown key colour" run -s "$D/unknown.scn"
bad "out-of-range number" "range.scn:5: tasks must be a whole number" run -s "$D/range.scn"
bad "arg out of range" "argrange.scn:5: arg out of range" run -s "$D/argrange.scn"
bad "unknown workload" "workload.scn:3: unknown workload sleepsort" run -s "$D/workload.scn"
bad "no equals sign" "noeq.scn:2: expected 'key = value'" run -s "$D/noeq.scn"
head -c 1048576 /dev/zero | tr '\0' 'a' >"$TMP/long.scn"
bad "1 MB line" "long.scn' is too large" run -s "$TMP/long.scn"
{ printf 'name = x\ntitle = '; head -c 2000 /dev/zero | tr '\0' 'a'; printf '\n'; } >"$TMP/line.scn"
bad "over-long line" "line.scn:2: line too long" run -s "$TMP/line.scn"

# A good scenario file given by path runs.
run_conviz run -s "$D/tiny.scn" --headless
expect_status 0 "scenario given by path"
[ "$(field scenario)" = tiny ] || fail "the path's scenario ran: $(grep summary "$TMP/out")"

# `list` says the work each scenario really runs at its own scale.
run_conviz list
grep -q '^  fib  *fib(35) x60 (3 per task), naive recursion (CPU-bound)$' "$TMP/out" ||
	fail "list: fib runs fib(35) 3 times a task at scale 3"
grep -q '^  *tutorial: fib(35) x20, scale 3$' "$TMP/out" || fail "list: fib names the tutorial's work and the scale"
grep -q '^  sumsq  *sum of i\*i for i < 150,000,000+30x, 20 tasks (CPU-bound)$' "$TMP/out" ||
	fail "list: sumsq sums up to 150,000,000+30x at scale 30"
grep -q '^  math  *2,000,000 rounds of powers, 20 tasks (CPU-bound)$' "$TMP/out" ||
	fail "list: math at scale 1 is the tutorial's work"
grep -q '^  sites  *160 downloads of 2 pages (I/O-bound)$' "$TMP/out" || fail "list: sites keeps its title"

# README's example scenario file is a real one: it loads and runs (at a
# small scale, to keep the test short) with every answer right.
README="$TESTS_SRCDIR/../README.md"
awk '/For example `data\/scenarios\/fib-watch.scn`/ { on = 1; next }
	on && /^```/ { if (in_block) exit; in_block = 1; next }
	in_block { print }' "$README" >"$TMP/example.scn"
grep -q '^name = fib-watch$' "$TMP/example.scn" || fail "README: no example scenario found"
run_conviz run -s "$TMP/example.scn" -m threads --scale 0.01 --headless
expect_status 0 "README's example scenario"
summary_has tasks=16 ok=16 wrong=0

# Too few open files for the GETs asked at once: said before anything
# starts (each GET in flight is a socket here and one in the server).
printf 'name = many\ntitle = t\nworkload = http\ntasks = 3000\nurls = /ip\n' >"$TMP/many.scn"
(
	ulimit -n 1000 2>/dev/null || exit 0
	run_conviz run -s "$TMP/many.scn" -m async --limit 3000 --headless
	expect_status 2 "3000 GETs at once with 1000 open files"
	expect_err "^conviz: 3000 GETs at once need about 6256 open files, and this process may open 1000: raise the limit \\(ulimit -n 6256\\) or ask for fewer at once" "3000 GETs at once with 1000 open files"
) || exit 1

# The man page renders without a warning (a bad escape such as \(u258F
# prints garbage). Skipped where groff is not installed.
if command -v groff >/dev/null 2>&1; then
	checks=$((checks + 1))
	LC_ALL=C.UTF-8 groff -ww -man -Tutf8 -z "$TESTS_SRCDIR/../man/conviz.1" >"$TMP/groff" 2>&1
	if [ -s "$TMP/groff" ]; then
		fail "man page: $(head -n 3 "$TMP/groff")"
	else
		pass "man page renders without warnings"
	fi
fi

finish
