#!/bin/sh
# e2e_locks.sh - deadlocks, run by the real binary: the runtime's
# wait-for graph finds the cycle of `deadlock`, `relock` and (when it
# happens) `philosophers` in every run, within a second, prints it, stops
# the run cleanly (exit 0, deadlock=1, the tasks of the cycle failed);
# `relock-reentrant` and `philosophers-ordered` never deadlock; processes
# do not share locks, and sequential code cannot deadlock on two.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

# found WHAT: the run ended at once, cleanly, with its cycle printed.
found() {
	checks=$((checks + 1))
	[ "$status" -eq 0 ] && [ "$(field deadlock)" = 1 ] &&
		grep -q '^deadlock: task [0-9]* holds L[0-9]* and waits for ' "$TMP/out" &&
		in_range "$(field wall_s)" 0 1 ||
		fail "$1: exit $status, $(grep -E '^(deadlock|summary):' "$TMP/out")"
}

# never WHAT: the run completed every task, no deadlock.
never() {
	checks=$((checks + 1))
	[ "$status" -eq 0 ] && [ "$(field deadlock)" = 0 ] &&
		[ "$(field ok)" = "$(field tasks)" ] && ! grep -q '^deadlock:' "$TMP/out" ||
		fail "$1: exit $status, $(grep -E '^(deadlock|summary):' "$TMP/out")"
}

# deadlock and relock: found in 20 of 20 runs, threads and async.
for m in threads async; do
	for i in $(seq 1 20); do
		run_conviz run -s deadlock -m "$m" --headless
		found "deadlock $m run $i"
		summary_has ok=0 failed=2
	done
	grep -Eq '^deadlock: task (0|1) holds L(0|1) and waits for L(1|0); task (1|0) holds L(1|0) and waits for L(0|1): found and stopped$' "$TMP/out" ||
		fail "deadlock $m: the cycle reads $(grep '^deadlock:' "$TMP/out")"
	grep -q '^errors: 2 x deadlock: gave up$' "$TMP/out" ||
		fail "deadlock $m: the tasks do not say why they failed: $(grep errors "$TMP/out")"
	pass "deadlock $m: found, printed and stopped in 20 of 20 runs"
done
for m in sync threads async procs; do
	for i in $(seq 1 20); do
		run_conviz run -s relock -m "$m" --headless
		found "relock $m run $i"
	done
	grep -Eq '^deadlock: task [0-9] holds L0 and waits for it again: found and stopped$' "$TMP/out" ||
		fail "relock $m: the cycle reads $(grep '^deadlock:' "$TMP/out")"
	pass "relock $m: a task waiting for itself found in 20 of 20 runs"
done

# The reentrant lock and the ordered forks: never, 20 runs each.
for m in sync threads async procs; do
	for i in $(seq 1 20); do
		run_conviz run -s relock-reentrant -m "$m" --headless
		never "relock-reentrant $m run $i"
	done
	pass "relock-reentrant $m: completes in 20 of 20 runs"
done
for m in threads async; do
	for i in $(seq 1 20); do
		run_conviz run -s philosophers-ordered -m "$m" --seed "$i" --headless
		never "philosophers-ordered $m seed $i"
		summary_has ok=5
	done
	pass "philosophers-ordered $m: 5 x 20 meals in 20 of 20 runs"
done

# The philosophers deadlock in some runs: each run either completes or
# ends with a cycle of all five, found and stopped.
for m in threads async; do
	dead=0
	for i in $(seq 1 20); do
		run_conviz run -s philosophers -m "$m" --seed "$i" --headless
		if [ "$(field deadlock)" = 1 ]; then
			found "philosophers $m seed $i"
			[ "$(grep '^deadlock:' "$TMP/out" | grep -o 'holds' | wc -l)" -eq 5 ] ||
				fail "philosophers $m seed $i: not a cycle of five: $(grep '^deadlock:' "$TMP/out")"
			dead=$((dead + 1))
		else
			never "philosophers $m seed $i"
		fi
	done
	echo "philosophers $m: deadlocked in $dead of 20 runs, each found"
done

# Sequential code takes the two locks one task after the other; worker
# processes each have their own locks: neither can deadlock here.
for m in sync procs; do
	run_conviz run -s deadlock -m "$m" --headless
	never "deadlock $m"
done
pass "deadlock under sync and procs: no cycle can form (one task at a time; no shared locks)"

# Bad input: too few or too many philosophers, too few deadlock tasks.
printf 'name = p\ntitle = t\nworkload = philosophers\ntasks = 65\narg = 1\n' >"$TMP/bad.scn"
run_conviz run -s "$TMP/bad.scn" --headless
expect_status 2 "65 philosophers"
expect_err "^conviz: .*bad.scn:4: tasks out of range: use 2\.\.64 for workload philosophers" "65 philosophers"
printf 'name = d\ntitle = t\nworkload = deadlock\ntasks = 1\narg = 1\n' >"$TMP/bad.scn"
run_conviz run -s "$TMP/bad.scn" --headless
expect_status 2 "deadlock with one task"
run_conviz run -s relock --url-file /dev/null --headless
expect_status 2 "relock --url-file"
expect_err "^conviz: --url-file works only with I/O scenarios .* and 'relock' GETs nothing" "relock --url-file"

finish
