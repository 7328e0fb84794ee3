#!/bin/sh
# e2e_race.sh - the race lab's counter, run by the real binary: x = x + 1
# without a lock loses increments when two workers really run at once,
# and the summary accounts for every one (final_sum + lost_amount =
# expected_sum, exactly); a lock or one atomic add never loses one; under
# the GIL with no gap the load and the store are never split; processes
# each change their own copy.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

# exact: the lost amounts add up to what the invariant misses.
exact() { # WHAT
	checks=$((checks + 1))
	e=$(field expected_sum)
	f=$(field final_sum)
	l=$(field lost_amount)
	[ -n "$e" ] && [ -n "$f" ] && [ -n "$l" ] && [ $((f + l)) -eq "$e" ] ||
		fail "$1: final_sum $f + lost_amount $l is not expected_sum $e: $(grep summary: "$TMP/out")"
}

# Unsafe, 2 workers, no GIL: both cores race. Twenty runs; every one
# exact, and (two cores free) most of them lose increments. The shipped
# scenario is short (10 ms, so its markers fit the display's ring); ten
# times its increments make sure the two workers overlap.
sed 's/^arg = .*/arg = 50000/' "$CONVIZ_DATADIR/scenarios/counter-unsafe.scn" >"$TMP/long.scn"
run_conviz run -s counter-unsafe -m threads -w 2 --no-gil --headless
expect_status 0 "counter-unsafe"
summary_has expected_sum=20000 ok=4 wrong=0
exact "counter-unsafe"
losing=0
for i in $(seq 1 20); do
	run_conviz run -s "$TMP/long.scn" -m threads -w 2 --no-gil --headless
	expect_status 0 "counter-unsafe x10 run $i"
	summary_has expected_sum=200000 ok=4 wrong=0
	exact "counter-unsafe x10 run $i"
	[ "$(field lost_updates)" -gt 0 ] && losing=$((losing + 1))
done
echo "counter-unsafe -w 2 --no-gil: updates lost in $losing of 20 runs"
if [ "${CONVIZ_TIMING_TESTS:-1}" != 0 ] && [ "$(nproc 2>/dev/null || echo 1)" -ge 2 ]; then
	checks=$((checks + 1))
	[ "$losing" -ge 15 ] && pass "counter-unsafe: increments lost in $losing of 20 runs" ||
		fail "counter-unsafe: increments lost in only $losing of 20 runs (two workers, no GIL, two cores)"
fi
grep -q 'X' "$TMP/out" || [ "$(field lost_updates)" = 0 ] ||
	fail "counter-unsafe: lost updates counted but no X drawn"

# A lock, or one atomic add: never, in twenty runs each.
for s in counter-locked counter-atomic; do
	for i in $(seq 1 20); do
		run_conviz run -s "$s" -m threads -w 2 --no-gil --headless
		expect_status 0 "$s run $i"
		summary_has expected_sum=20000 final_sum=20000 lost_updates=0 lost_amount=0
	done
	pass "$s: 20000 in 20 of 20 runs, nothing lost"
done

# Under the GIL with no gap, a thread is switched only at the loop's
# back-edge, never between its load and its store (CPython 3.10+).
run_conviz run -s counter-unsafe -m threads -w 2 --gil --headless
summary_has final_sum=20000 lost_updates=0
exact "counter-unsafe under the GIL"

# A gap between load and store, with ticks in it: under the GIL the
# hand-overs land inside it too, and increments go missing.
cat >"$TMP/gap.scn" <<EOS
name = counter-gap
title = x = x + 1 (load, add, store), 2000 times in each of 2 tasks
workload = counter
tasks = 2
arg = 2000
gap = 20000
EOS
run_conviz run -s "$TMP/gap.scn" -m threads -w 2 --gil --headless
expect_status 0 "counter with a gap"
exact "counter with a gap under the GIL"
echo "counter, gap 20000, GIL: lost_updates=$(field lost_updates)"

# sync and async: one task at a time between awaits: nothing lost.
for m in sync async; do
	run_conviz run -s counter-unsafe -m "$m" --no-gil --headless
	summary_has final_sum=20000 lost_updates=0
done
pass "counter-unsafe under sync and async: nothing lost (no await between load and store)"

# Processes share no memory: each worker changes its own x, and this
# process's never moves.
run_conviz run -s counter-unsafe -m procs -w 2 --no-gil --headless
expect_status 0 "counter-unsafe procs"
summary_has ok=4 expected_sum=20000 final_sum=0 lost_updates=0
pass "counter-unsafe under procs: the parent's x stays 0 (processes share no memory)"

# Bad input: gap outside race workloads, a gap out of range.
printf 'name = g\ntitle = t\nworkload = fib\ntasks = 2\narg = 3\ngap = 5\n' >"$TMP/bad.scn"
run_conviz run -s "$TMP/bad.scn" --headless
expect_status 2 "gap on fib"
expect_err "^conviz: .*bad.scn:6: gap is for the race workloads only, not fib" "gap on fib"

finish
