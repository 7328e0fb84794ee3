#!/bin/sh
# e2e_race.sh - the race lab's counter and bank, run by the real binary:
# x = x + 1 without a lock loses increments when two workers really run
# at once, and the summary accounts for every one (final_sum +
# lost_amount = expected_sum, exactly); a lock or one atomic add never
# loses one; under the GIL with no gap the load and the store are never
# split; processes each change their own copy. The bank loses money
# without its lock under threads and async, never with it, and its
# timings tell the tutorials' story.
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

# --- the bank (the tutorials' transfers) -----------------------------------

# Without a lock, under threads: money goes missing in at least 9 of 10
# seeds, and every run accounts for each unit exactly.
broken=0
for seed in $(seq 1 10); do
	run_conviz run -s bank-unsafe -m threads --seed "$seed" --headless
	expect_status 0 "bank-unsafe threads seed $seed" >/dev/null
	summary_has tasks=20 ok=20 wrong=0 expected_sum=5000
	exact "bank-unsafe threads seed $seed"
	[ "$(field final_sum)" != 5000 ] && [ "$(field lost_updates)" -gt 0 ] &&
		broken=$((broken + 1))
done
checks=$((checks + 1))
[ "$broken" -ge 9 ] && pass "bank-unsafe threads: the sum broken in $broken of 10 seeds" ||
	fail "bank-unsafe threads: the sum broken in only $broken of 10 seeds"
grep -q '^invariant: BROKEN: sum = ' "$TMP/out" || [ "$(field final_sum)" = 5000 ] ||
	fail "bank-unsafe: no 'invariant: BROKEN' line: $(grep invariant "$TMP/out")"

# Under async, at the awaits: most seeds.
broken=0
for seed in $(seq 1 10); do
	run_conviz run -s bank-unsafe -m async --seed "$seed" --headless
	summary_has tasks=20 ok=20 wrong=0
	exact "bank-unsafe async seed $seed"
	[ "$(field final_sum)" != 5000 ] && broken=$((broken + 1))
done
checks=$((checks + 1))
[ "$broken" -ge 6 ] && pass "bank-unsafe async: the sum broken in $broken of 10 seeds" ||
	fail "bank-unsafe async: the sum broken in only $broken of 10 seeds"

# A seed makes the transfers repeatable; another seed, other transfers.
run_conviz run -s bank-unsafe -m sync --seed 7 --headless
grep '^results:' "$TMP/out" >"$TMP/seed7a"
run_conviz run -s bank-unsafe -m threads --seed 7 --headless
grep '^results:' "$TMP/out" >"$TMP/seed7b"
run_conviz run -s bank-unsafe -m threads --seed 8 --headless
grep '^results:' "$TMP/out" >"$TMP/seed8"
checks=$((checks + 1))
cmp -s "$TMP/seed7a" "$TMP/seed7b" && ! cmp -s "$TMP/seed7a" "$TMP/seed8" &&
	pass "bank: --seed 7 gives the same transfers under sync and threads, --seed 8 others" ||
	fail "bank: the transfers do not follow the seed: $(cat "$TMP/seed7a" "$TMP/seed7b" "$TMP/seed8")"

# With the lock: 5000 and nothing lost, 20 of 20 runs under every model.
# sync and procs run a 4-transfer copy (a sync run of 20 lasts 2 s).
sed 's/^tasks = .*/tasks = 4/' "$CONVIZ_DATADIR/scenarios/bank-safe.scn" >"$TMP/bank4.scn"
for m in threads async sync procs; do
	s=bank-safe
	case $m in sync | procs) s="$TMP/bank4.scn" ;; esac
	for seed in $(seq 1 20); do
		run_conviz run -s "$s" -m "$m" --seed "$seed" --headless
		summary_has expected_sum=5000 final_sum=5000 lost_updates=0 lost_amount=0 deadlock=0 wrong=0
	done
	pass "bank-safe $m: 5000 and nothing lost in 20 of 20 runs"
done

# Timing truth (LESSONS.md): sync ~2 s (twenty 0.1 s verifications);
# threads and async far faster; the lock costs async some speed, and
# the summary shows the wait. Generous ratios: the goals are in make bench.
run_conviz run -s bank-unsafe -m sync --headless
sync_s=$(field wall_s)
run_conviz run -s bank-unsafe -m threads --headless
threads_s=$(field wall_s)
run_conviz run -s bank-unsafe -m async --headless
async_s=$(field wall_s)
run_conviz run -s bank-safe -m async --headless
safe_s=$(field wall_s)
wait_s=$(field lock_wait_s)
echo "bank: sync ${sync_s}s, threads ${threads_s}s (x$(ratio "$sync_s" "$threads_s")), async ${async_s}s (x$(ratio "$sync_s" "$async_s")), async with the lock ${safe_s}s, lock_wait_s=$wait_s"
checks=$((checks + 1))
if in_range "$sync_s" 1.9 4 && in_range "$(ratio "$sync_s" "$threads_s")" 3.5 100 &&
	in_range "$(ratio "$sync_s" "$async_s")" 5 1000 &&
	in_range "$(ratio "$safe_s" "$async_s")" 1.05 100 && in_range "$wait_s" 0.001 100; then
	pass "bank: sync ~2 s; threads and async far faster; the lock costs time and shows its wait"
else
	fail "bank: the timings do not tell the lesson"
fi

# Bad input: gap outside race workloads, a gap out of range.
printf 'name = g\ntitle = t\nworkload = fib\ntasks = 2\narg = 3\ngap = 5\n' >"$TMP/bad.scn"
run_conviz run -s "$TMP/bad.scn" --headless
expect_status 2 "gap on fib"
expect_err "^conviz: .*bad.scn:6: gap is for the race workloads only, not fib" "gap on fib"

# The bank: one bank, too many, a scale (its waits are the tutorial's).
printf 'name = b\ntitle = t\nworkload = bank\ntasks = 2\narg = 1\n' >"$TMP/bad.scn"
run_conviz run -s "$TMP/bad.scn" --headless
expect_status 2 "bank with one bank"
expect_err "^conviz: .*bad.scn:5: arg out of range: use 2\.\.64 for workload bank" "bank with one bank"
printf 'name = b\ntitle = t\nworkload = bank\ntasks = 2\narg = 65\n' >"$TMP/bad.scn"
run_conviz run -s "$TMP/bad.scn" --headless
expect_status 2 "bank with 65 banks"
printf 'name = b\ntitle = t\nworkload = bank\ntasks = 2\narg = 5\nscale = 2\n' >"$TMP/bad.scn"
run_conviz run -s "$TMP/bad.scn" --headless
expect_status 2 "bank with a scale"
expect_err "^conviz: .*bad.scn:6: scale multiplies CPU work, and there is none in bank" "bank with a scale"
run_conviz run -s bank-safe --scale 2 --headless
expect_status 2 "bank-safe --scale 2"
expect_err "^conviz: --scale multiplies CPU work, and 'bank-safe' has none to multiply" "bank-safe --scale 2"

finish
