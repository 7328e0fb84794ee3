#!/bin/sh
# .ci/gates.sh - the quality gates of conviz, each a build or a check of its
# own on a private copy of the source tree (the tree itself is never
# configured differently or written to). `make gates` runs them all; CI
# (.ci/run) does too. Each gate prints its time; any failure fails the lot.
#
#   .ci/gates.sh [asan|tsan|valgrind|fuzz|format|complexity|cppcheck|all]
#
# Gates, and what makes them fail:
#   asan        build with AddressSanitizer + UndefinedBehaviorSanitizer
#               (halt on the first error, leaks included), run make check
#               (timing ratios are skipped under sanitizers: they distort
#               time; the plain `make check` asserts them)
#   tsan        build with ThreadSanitizer, run make check; the only allowed
#               reports are named in tests/tsan.supp, each with its reason
#   valgrind    the Check suite under memcheck, --leak-check=full: definite
#               leaks and any error fail (Check's fork mode: children too,
#               and the procs model's forked workers); then the procs suite
#               again with --trace-children=yes, so workers started by
#               spawn (conviz run again) are checked as well (a worker with
#               an error exits 42: its task fails, and so does the test);
#               --fair-sched=yes, else valgrind's one-thread-at-a-time
#               scheduler can starve a thread of the GIL tests for seconds
#   fuzz        every libFuzzer target for $FUZZ_SECONDS (default 60) each,
#               regression inputs first (fuzz/run.sh)
#   format      clang-format (.clang-format) would change nothing
#   complexity  pmccabe: no function above CCN_MAX (15) or LINES_MAX (80)
#   cppcheck    cppcheck --enable=warning,portability,performance: clean
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
CCN_MAX=${CCN_MAX:-15}
LINES_MAX=${LINES_MAX:-80}
jobs=$(nproc 2>/dev/null || echo 2)
failed=""

say() { printf '\n=== gate %s ===\n' "$*"; }

# A fresh copy of the tracked (and new, not ignored) files, configured with
# the given flags and built. Prints the copy's path.
copy_tree() {
	dir=$(mktemp -d "${TMPDIR:-/tmp}/conviz-gate.XXXXXX")
	(cd "$top" && git ls-files -co --exclude-standard | tar cf - -T -) |
		(cd "$dir" && tar xf -)
	echo "$dir"
}

build_copy() { # DIR CONFIGURE-ARGS...
	dir=$1
	shift
	(cd "$dir" && autoreconf -fi >/dev/null 2>&1 &&
		./configure -q "$@" && make -s -j"$jobs" >/dev/null)
}

gate_asan() {
	dir=$(copy_tree)
	build_copy "$dir" CC=gcc --enable-werror \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
		LDFLAGS="-fsanitize=address,undefined"
	(cd "$dir" &&
		CONVIZ_TIMING_TESTS=0 \
		ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=0 \
		LSAN_OPTIONS=suppressions="$top/tests/lsan.supp":print_suppressions=0 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		make -s check) || { tail_logs "$dir"; return 1; }
	rm -rf "$dir"
}

gate_tsan() {
	dir=$(copy_tree)
	build_copy "$dir" CC=clang --enable-werror \
		CFLAGS="-O1 -g -fsanitize=thread" LDFLAGS="-fsanitize=thread"
	(cd "$dir" &&
		CONVIZ_TIMING_TESTS=0 \
		TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 suppressions=$top/tests/tsan.supp" \
		make -s check) || { tail_logs "$dir"; return 1; }
	rm -rf "$dir"
}

gate_valgrind() {
	dir=$(copy_tree)
	build_copy "$dir" CFLAGS="-O1 -g"
	# Only definite leaks are shown: a worker forked from a thread keeps
	# the other threads' stacks and TLS, which memcheck calls "possibly
	# lost" once per worker.
	vg="valgrind -q --fair-sched=yes --leak-check=full"
	vg="$vg --errors-for-leak-kinds=definite --show-leak-kinds=definite"
	vg="$vg --error-exitcode=42"
	# Memcheck runs code some 20 to 50 times slower: the test cases'
	# timeouts (set for a native run) are stretched to match, so a
	# loaded machine does not fail the gate (the procs kill test, 20
	# runs that each start worker processes under memcheck, took 120 s
	# once).
	(cd "$dir" && make -s tests/check_conviz >/dev/null &&
		CK_TIMEOUT_MULTIPLIER=4 CONVIZ_TIMING_TESTS=0 \
			CONVIZ_DATADIR="$dir/data" $vg tests/check_conviz &&
		CK_TIMEOUT_MULTIPLIER=4 CONVIZ_TIMING_TESTS=0 \
			CONVIZ_DATADIR="$dir/data" CK_RUN_SUITE=procs \
			$vg --trace-children=yes tests/check_conviz) || return 1
	rm -rf "$dir"
}

gate_fuzz() {
	rc=0
	FUZZ_SECONDS=${FUZZ_SECONDS:-60} "$top/fuzz/run.sh" || rc=$?
	[ "$rc" -eq 77 ] && { echo "fuzz: skipped (no clang libFuzzer): install clang and libclang-rt-14-dev"; return 1; }
	return "$rc"
}

c_files() {
	(cd "$top" && git ls-files -co --exclude-standard -- '*.c' '*.h')
}

gate_format() {
	bad=""
	for f in $(c_files); do
		clang-format --style=file "$top/$f" | cmp -s - "$top/$f" || bad="$bad $f"
	done
	[ -z "$bad" ] && return 0
	echo "not formatted:$bad"
	echo "fix: clang-format -i$bad"
	return 1
}

gate_complexity() {
	# pmccabe columns: modified CCN, CCN, statements, first line, lines,
	# file(line): function
	out=$(cd "$top" && c_files | grep '\.c$' | xargs pmccabe -v 2>/dev/null |
		awk -v ccn="$CCN_MAX" -v len="$LINES_MAX" \
			'NF >= 6 && $1 ~ /^[0-9]+$/ && ($2 > ccn || $5 > len)')
	[ -z "$out" ] && return 0
	echo "functions above CCN $CCN_MAX or $LINES_MAX lines (split them):"
	echo "$out"
	return 1
}

gate_cppcheck() {
	(cd "$top" && cppcheck -q --error-exitcode=1 --inline-suppr \
		--enable=warning,portability,performance --std=c11 \
		-D__GNUC__ -DPKGDATADIR='"/usr/share/conviz"' -Isrc \
		--suppress=missingIncludeSystem \
		src tests fuzz)
}

tail_logs() {
	for log in "$1"/tests/*.log; do
		grep -qE '^:test-result: (FAIL|ERROR)' "${log%.log}.trs" 2>/dev/null || continue
		printf -- '--- %s (kept for a look)\n' "$log"
		grep -E -A 8 '^(FAIL|XPASS)' "$log" | head -n 80
		tail -n 15 "$log"
	done
}

run_gate() {
	say "$1"
	t0=$(date +%s)
	if "gate_$1"; then
		echo "gate $1: ok ($(($(date +%s) - t0)) s)"
	else
		echo "gate $1: FAILED ($(($(date +%s) - t0)) s)"
		failed="$failed $1"
	fi
}

what=${1:-all}
case "$what" in
all) gates="format complexity cppcheck asan tsan valgrind fuzz" ;;
asan | tsan | valgrind | fuzz | format | complexity | cppcheck) gates=$what ;;
*)
	echo "usage: .ci/gates.sh [asan|tsan|valgrind|fuzz|format|complexity|cppcheck|all]" >&2
	exit 2
	;;
esac
for g in $gates; do
	run_gate "$g"
done
if [ -n "$failed" ]; then
	echo "gates failed:$failed"
	exit 1
fi
echo "all gates passed: $gates"
