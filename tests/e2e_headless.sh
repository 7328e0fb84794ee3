#!/bin/sh
# e2e_headless.sh - real headless runs of the real binary: the diagram, the
# summary line, correct results, and the lessons' speed ratios (generous
# bounds; precise goals live in `make bench`).
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

# The diagram and the summary line, fields in the DESIGN.md order.
run_conviz run -s fib -m threads -w 2 --no-gil --scale 0.2 --headless
expect_status 0 "fib threads headless"
grep -Eq '^summary: scenario=fib model=threads workers=2 gil=off tasks=20 ok=20 failed=0 wall_s=[0-9.]+ cpu_s=[0-9.]+ events=[0-9]+ dropped=0 stalls=[0-9]+ stall_s=[0-9.]+ ready_s=[0-9.]+ wrong=0$' "$TMP/out" ||
	fail "summary line shape: $(grep summary: "$TMP/out")"
[ "$(grep -c '^summary: ' "$TMP/out")" -eq 1 ] || fail "exactly one summary line"
grep -Eq '^w0 +\|[#:._^ -]+\|' "$TMP/out" || fail "lane w0 drawn"
grep -Eq '^w1 +\|[#:._^ -]+\|' "$TMP/out" || fail "lane w1 drawn"
grep -q '#' "$TMP/out" || fail "cpu glyph drawn"
grep -q 'cpu' "$TMP/out" || fail "legend drawn"
[ -s "$TMP/err" ] && fail "nothing on stderr: $(head -c 300 "$TMP/err")"

# stdout not a terminal implies headless (here: a file).
run_conviz run -s fib -m sync --scale 0.1
expect_status 0 "headless implied when stdout is not a terminal"
summary_has model=sync workers=1 gil=on ok=20

# Every scenario's results are right (the summary says wrong=N if not).
for s in fib sumsq primes math; do
	run_conviz run -s "$s" -m threads -w 3 --scale 0.05 --headless
	expect_status 0 "$s runs"
	[ "$(field wrong)" = 0 ] || fail "$s: wrong results: $(grep summary: "$TMP/out")"
	[ "$(field ok)" = "$(field tasks)" ] || fail "$s: every task ok"
done

# primes: 15,000 tasks, every event delivered.
run_conviz run -s primes -m threads --scale 1 --headless
expect_status 0 "primes threads"
summary_has tasks=15000 ok=15000 failed=0 dropped=0
[ "$(field events)" -ge 15000 ] || fail "primes: at least one event per task, got $(field events)"

# The CPU lesson, part 1: what a busy machine cannot blur, judged on
# every run. CPU time and ready time are the threads' own: under the GIL
# one thread at a time wants a core (CPU + ready time is about the wall
# time); without it both do, all the time (about twice the wall time),
# however many cores the machine has free at that moment.
wall() { field wall_s; }
busy_per_wall() { # (cpu_s + ready_s) / wall_s of the summary in $TMP/out
	awk -v c="$(field cpu_s)" -v r="$(field ready_s)" -v w="$(field wall_s)" \
		'BEGIN { if (w <= 0) print 0; else printf "%.3f\n", (c + r) / w }'
}
run_conviz run -s fib -m threads -w 2 --gil --scale 0.5 --headless
expect_status 0 "fib threads under the GIL"
gil_busy=$(busy_per_wall)
gil_cpu=$(ratio "$(field cpu_s)" "$(wall)")
in_range "$gil_busy" 0 1.3 && in_range "$gil_cpu" 0 1.3 ||
	fail "under the GIL one thread computes at a time: (cpu+ready)/wall = $gil_busy, cpu/wall = $gil_cpu, both must be <= 1.3: $(grep summary: "$TMP/out")"
run_conviz run -s fib -m threads -w 2 --no-gil --scale 0.5 --headless
expect_status 0 "fib threads without the GIL"
nogil_busy=$(busy_per_wall)
in_range "$nogil_busy" 1.6 2.4 ||
	fail "without the GIL both threads compute or wait for a core all the time: (cpu+ready)/wall = $nogil_busy, expected 1.6 to 2.4: $(grep summary: "$TMP/out")"
echo "fib: (cpu+ready)/wall under the GIL $gil_busy, without it $nogil_busy"

# Part 2: the speed-ups and the ready time, which need two free cores.
# Timing on a shared machine is noisy, so the lesson must hold in one of
# five attempts, and an attempt counts only if the machine really gave two
# cores at that moment: two sync runs side by side must go at least 1.6
# times the pace of one (else some other program holds a core, and no code
# could scale). When no attempt could be judged the test fails, saying so:
# a test that never judges is no test. Sanitizer builds distort time and
# set CONVIZ_TIMING_TESTS=0.
sync_wall() {
	"$CONVIZ" run -s fib -m sync --scale 1 --headless </dev/null 2>/dev/null |
		sed -n 's/^summary: .* wall_s=\([0-9.]*\) .*/\1/p'
}
# Prints how many runs' worth of work two parallel runs do per run-time.
machine_cores() {
	one=$(sync_wall)
	t0=$(date +%s%N)
	sync_wall >/dev/null &
	sync_wall >/dev/null
	wait
	both=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
	ratio "$(awk -v x="$one" 'BEGIN { print 2 * x }')" "$both"
}
ready_share() { # ready_s / (cpu_s + ready_s): the workers' busy time ready
	awk -v c="$(field cpu_s)" -v r="$(field ready_s)" \
		'BEGIN { if (c + r <= 0) print 0; else printf "%.3f\n", r / (c + r) }'
}
lesson_attempt() {
	run_conviz run -s fib -m sync --scale 1 --headless
	sync_s=$(wall)
	run_conviz run -s fib -m threads -w 2 --no-gil --scale 1 --headless
	nogil_s=$(wall)
	ready2=$(ready_share)
	run_conviz run -s fib -m threads -w 2 --gil --scale 1 --headless
	gil_s=$(wall)
	[ "$(field gil)" = on ] || fail "--gil turns the GIL on"
	# Four computing threads on two cores: each is ready (runnable, no
	# core) about half of its busy time.
	run_conviz run -s fib -m threads -w 4 --no-gil --scale 1 --headless
	ready4=$(ready_share)
	# Two processes, each with its own GIL: both cores compute, GIL on.
	run_conviz run -s fib -m procs -w 2 --gil --scale 1 --headless
	procs_s=$(wall)
	procs_cpu=$(field cpu_s)
	speedup=$(ratio "$sync_s" "$nogil_s")
	gil_ratio=$(ratio "$sync_s" "$gil_s")
	procs_ratio=$(ratio "$sync_s" "$procs_s")
	echo "fib: sync ${sync_s}s, threads no-gil ${nogil_s}s (x$speedup), threads gil ${gil_s}s (x$gil_ratio), procs gil ${procs_s}s (x$procs_ratio, cpu ${procs_cpu}s); ready share: 2 threads $ready2, 4 threads $ready4"
	# Ready time: four threads wait for a core far more than two. Measured
	# as a difference, not as "two threads are never ready": a virtual
	# machine can lend a core away in the middle of an attempt (2 threads
	# 0.32 and 4 threads 0.59 seen on such a CI machine, 0.01 and 0.49 on
	# a quiet one); a ready time that is not measured (0 and 0) or not
	# told apart (alike for 2 and 4) still fails.
	# Processes: 2 cores whatever the GIL (make bench measures ~1.95x),
	# and cpu_s counts the workers' CPU (about the wall time of sync).
	in_range "$speedup" 1.25 3 && in_range "$gil_ratio" 0.6 1.4 &&
		in_range "$procs_ratio" 1.25 3 &&
		in_range "$(ratio "$procs_cpu" "$sync_s")" 0.6 2 &&
		in_range "$ready4" 0.3 0.8 &&
		awk -v a="$ready2" -v b="$ready4" 'BEGIN { exit !(b - a >= 0.15) }'
}
if [ "${CONVIZ_TIMING_TESTS:-1}" = 0 ]; then
	echo "skip: timing ratios (CONVIZ_TIMING_TESTS=0)"
elif [ "$(nproc 2>/dev/null || echo 1)" -lt 2 ]; then
	echo "skip: one core, no parallel speed-up to see"
else
	ok=0
	measured=0
	for attempt in 1 2 3 4 5; do
		cores=$(machine_cores)
		if ! in_range "$cores" 1.6 9; then
			echo "attempt $attempt: the machine gave x$cores for two runs side by side: busy, not counted"
			continue
		fi
		measured=1
		if lesson_attempt; then
			ok=1
			break
		fi
	done
	if [ "$measured" = 0 ]; then
		fail "the CPU lesson could not be judged: in 5 attempts the machine never gave two free cores (two sync runs side by side never went 1.6x the pace of one); run the tests on an idle machine"
	elif [ "$ok" = 0 ]; then
		fail "the CPU lesson: threads without the GIL and processes with it use 2 cores (x1.25 or more), threads under it are no faster than sync (x0.6 to x1.4), 4 threads on 2 cores are ready 30% to 80% of their busy time, at least 15 points more than 2 threads"
	fi
fi

# --chunk: primes' tasks at the tutorial's size (scale 1, ~10 us each)
# handed out one at a time leave the workers waiting for the next one
# (blank cells in the diagram); 500 at a time, they compute all along.
blank_share() { # the share of blank cells on lanes w0 and w1
	awk '/^w[01] \|/ { row = substr($0, index($0, "|") + 1); sub(/\|$/, "", row)
		n += length(row); b += gsub(/ /, "", row) }
		END { printf "%.2f\n", n ? b / n : 0 }' "$TMP/out"
}
run_conviz run -s primes -m procs -w 2 --scale 1 --chunk 1 --headless
expect_status 0 "primes procs --chunk 1"
grep -q 'tasks=15000 ok=15000 failed=0' "$TMP/out" || fail "primes --chunk 1: not every task right"
one_s=$(wall)
one_blank=$(blank_share)
run_conviz run -s primes -m procs -w 2 --scale 1 --chunk 500 --headless
expect_status 0 "primes procs --chunk 500"
grep -q 'tasks=15000 ok=15000 failed=0' "$TMP/out" || fail "primes --chunk 500: not every task right"
head -n 1 "$TMP/out" | grep -q '| model=procs workers=2 gil=on view=worker start=forkserver chunk=500$' ||
	fail "primes --chunk 500: the title does not say how the workers start: $(head -n 1 "$TMP/out")"
many_blank=$(blank_share)
echo "primes --chunk 1: ${one_s}s, $one_blank of the lanes blank; --chunk 500: $(wall)s, $many_blank blank"
if [ "${CONVIZ_TIMING_TESTS:-1}" = 0 ]; then
	echo "skip: --chunk's diagrams (CONVIZ_TIMING_TESTS=0)"
else
	checks=$((checks + 1))
	in_range "$one_blank" 0.5 1 && in_range "$many_blank" 0 0.3 &&
		in_range "$(ratio "$one_s" "$(wall)")" 1.5 100 &&
		pass "primes: --chunk 1 leaves the workers waiting, --chunk 500 does not" ||
		fail "primes: blank share ${one_blank} at --chunk 1 (0.5 or more) and ${many_blank} at 500 (0.3 or less), ${one_s}s against $(wall)s (1.5x or more)"
fi

# The title line says the work really run, not the tutorial's alone.
run_conviz run -s fib --scale 0.1 --headless
expect_status 0 "fib at scale 0.1"
grep -q '^conviz: fib(30) x20, naive recursion (CPU-bound); tutorial: fib(35) x20, scale 0.1 | model=' "$TMP/out" ||
	fail "fib --scale 0.1 is titled fib(30): $(head -n 1 "$TMP/out")"
grep -q '^results: 20 x 832040$' "$TMP/out" || fail "fib --scale 0.1 computes fib(30) = 832040"
run_conviz run -s sumsq --headless --scale 0.02
expect_status 0 "sumsq at scale 0.02"
grep -q '^conviz: sum of i\*i for i < 100,000, 20 tasks (CPU-bound); tutorial: i < 5,000,000+x, scale 0.02 | ' "$TMP/out" ||
	fail "sumsq --scale 0.02 states its upper bound, 100,000: $(head -n 1 "$TMP/out")"
grep -q '^results: 20 x 333328333350000$' "$TMP/out" || fail "sumsq --scale 0.02 sums i*i for i < 100000"

finish
