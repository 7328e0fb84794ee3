#!/bin/sh
# fuzz/run.sh - builds the libFuzzer targets with clang and runs them:
# first every kept crash input of fuzz/regressions/, then the seed corpora,
# then each target for $FUZZ_SECONDS from a copy of its corpus.
#
# The library code is compiled here by clang with the sanitizers; the
# autotools build (gcc) is not touched, and nothing is written into the
# source tree except a new crash input into fuzz/regressions/.
#
# Environment:
#   FUZZ_SECONDS   seconds of fuzzing per target (default 60); 0 builds and
#                  replays only (reproducing a kept crash)
#   FUZZ_BUILD     build directory, kept (default: a temporary one, removed
#                  at the end); the corpus copies in it grow run after run
#   FUZZ_CC        the clang to use (default: clang)
#   FUZZ_CONFIG_H  config.h of a configured tree (default: the source
#                  tree's if there is one, else a minimal one)
#   FUZZ_TARGETS   which targets (default: "scenario cli http urlfile trace")
#
# Exit status: 0 nothing found; 1 a crash (its input kept in
# fuzz/regressions/), a kept input that still crashes (its target is then
# not fuzzed, the others are), or a build failure; 77 clang or its
# libFuzzer runtime is missing (automake's "skipped").
#
# A new input worth keeping as a seed, from a kept FUZZ_BUILD:
#   $FUZZ_BUILD/fuzz_scenario -merge=1 fuzz/corpus/scenario \
#       $FUZZ_BUILD/corpus/scenario
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
fuzz=$top/fuzz
seconds=${FUZZ_SECONDS:-60}
cc=${FUZZ_CC:-clang}
targets=${FUZZ_TARGETS:-"scenario cli http urlfile trace"}
found=0
broken=""

say() {
	printf 'fuzz: %s\n' "$*"
}

skip() {
	say "SKIP: $*"
	exit 77
}

die() {
	say "ERROR: $*" >&2
	exit 1
}

# The longest input each target gets: scenario goes past the 64 KiB file
# limit of scenario_load; http goes past the 8 KiB head limit of the
# request parser; urlfile goes past 10000 one-byte URLs (the count limit)
# and a few 4 KiB lines (the line limit), not up to the 1 MiB file limit
# (urllist_load's, tested by check_urllist); trace goes a little past its
# biggest seed (a whole run of 20 tasks, some 20 KiB), far from the 256
# MiB file limit (replay_load's, tested by check_replay); a command line
# of 4 KiB is already absurd.
max_len() {
	case $1 in
	scenario) echo 70000 ;;
	http) echo 9000 ;;
	urlfile) echo 24000 ;;
	trace) echo 65536 ;;
	*) echo 4096 ;;
	esac
}

case $seconds in
'' | *[!0-9]*) die "FUZZ_SECONDS must be a whole number of seconds, not '$seconds'" ;;
esac

command -v "$cc" >/dev/null 2>&1 ||
	skip "no '$cc': install clang and its libFuzzer runtime (Debian: apt-get install clang libclang-rt-14-dev), or set FUZZ_CC"

if [ -n "${FUZZ_BUILD:-}" ]; then
	mkdir -p "$FUZZ_BUILD"
	build=$(cd "$FUZZ_BUILD" && pwd)
else
	build=$(mktemp -d "${TMPDIR:-/tmp}/conviz-fuzz.XXXXXX")
	trap 'rm -rf "$build"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
fi

# Common flags: -O1 -g for fast runs with usable stacks; undefined
# behaviour aborts instead of printing and going on, so libFuzzer keeps the
# input. PKGDATADIR is required by datadir.c but never used by a target.
compile() {
	"$cc" -std=gnu11 -g -O1 -fno-omit-frame-pointer -pthread \
		-fno-sanitize-recover=undefined \
		-I"$build/include" -I"$top/src" \
		-DPKGDATADIR='"/nonexistent/conviz-fuzz"' "$@"
}

# clang alone is not enough: -fsanitize=fuzzer needs the compiler-rt
# runtime, a separate package on Debian. Try it on a trivial target.
probe() {
	cat >"$build/probe.c" <<'EOF'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)data;
	(void)size;
	return 0;
}
EOF
	if ! "$cc" -fsanitize=fuzzer,address,undefined "$build/probe.c" \
		-o "$build/probe" >"$build/probe.log" 2>&1 ||
		! "$build/probe" -runs=1 >>"$build/probe.log" 2>&1; then
		sed 's/^/  /' "$build/probe.log"
		skip "'$cc -fsanitize=fuzzer,address,undefined' does not work: install the libFuzzer runtime (Debian: apt-get install libclang-rt-14-dev, matching 'clang --version')"
	fi
}

# A configured tree's config.h if there is one; otherwise the little the
# sources need from it (AC_USE_SYSTEM_EXTENSIONS and the version).
write_config_h() {
	mkdir -p "$build/include"
	config=${FUZZ_CONFIG_H:-}
	if [ -z "$config" ] && [ -f "$top/config.h" ]; then
		config=$top/config.h
	fi
	if [ -n "$config" ]; then
		cp "$config" "$build/include/config.h"
		return
	fi
	version=$(sed -n 's/^AC_INIT(\[[^]]*\], *\[\([^]]*\)\].*/\1/p' \
		"$top/configure.ac")
	cat >"$build/include/config.h" <<EOF
/* Written by fuzz/run.sh for a tree that was not configured. */
#ifndef _GNU_SOURCE
# define _GNU_SOURCE 1
#endif
#define PACKAGE "conviz"
#define PACKAGE_VERSION "${version:-0}"
#define VERSION PACKAGE_VERSION
EOF
}

# Everything but main and the UI (src/ui/), into an archive so each target
# links only the objects it needs. Objects are named folder_file.o: two
# folders may hold files of the same name (server/http.c, work/http.c).
build_library() {
	# The trace reader (src/app/replay.c) parses with jansson.
	jansson_cflags=$(pkg-config --cflags jansson 2>/dev/null) ||
		jansson_cflags=
	rm -rf "$build/obj"
	mkdir -p "$build/obj"
	for src in "$top"/src/*/*.c; do
		rel=${src#"$top"/src/}
		case $rel in
		ui/*) continue ;;
		esac
		obj=$build/obj/$(echo "${rel%.c}" | tr / _).o
		# shellcheck disable=SC2086 # jansson_cflags is a list of flags
		compile -fsanitize=fuzzer-no-link,address,undefined \
			$jansson_cflags -c "$src" -o "$obj" ||
			die "clang cannot compile src/$rel (see above)"
	done
	rm -f "$build/libconviz-fuzz.a"
	ar rcs "$build/libconviz-fuzz.a" "$build"/obj/*.o ||
		die "cannot make the library archive"
}

build_targets() {
	# The runtime's HTTP client (src/rt/rt_http.c) is in the archive too.
	curl_libs=$(pkg-config --libs libcurl 2>/dev/null) || curl_libs=-lcurl
	# ... and the trace reader's jansson (any target may pull it in).
	jansson_libs=$(pkg-config --libs jansson 2>/dev/null) ||
		jansson_libs=-ljansson
	for t in $targets; do
		# shellcheck disable=SC2086 # lists of flags
		compile -Wall -Wextra -fsanitize=fuzzer,address,undefined \
			"$fuzz/fuzz_$t.c" "$build/libconviz-fuzz.a" $curl_libs \
			$jansson_libs -lm -o "$build/fuzz_$t" ||
			die "cannot build fuzz/fuzz_$t.c (see above)"
	done
}

# Flags of every run: a stuck or greedy input is a finding too. Artifacts
# go to the build dir unless the caller says where (libFuzzer's default is
# the current directory, maybe the source tree).
run_target() {
	t=$1
	shift
	mkdir -p "$build/artifacts/replay"
	"$build/fuzz_$t" -timeout=10 -rss_limit_mb=2048 -error_exitcode=1 \
		-max_len="$(max_len "$t")" \
		-artifact_prefix="$build/artifacts/replay/" "$@"
}

# From the sanitizer's or our own report, a few words for a file name.
crash_reason() {
	log=$1
	reason=$(sed -n 's/.*broken promise: \([a-z0-9-]*\).*/promise-\1/p' \
		"$log" | head -n 1)
	[ -n "$reason" ] || reason=$(sed -n \
		's/^SUMMARY: UndefinedBehaviorSanitizer: [a-z-]* \([^ ]*\/\)\{0,1\}\([^/ ]*\).*/ub-\2/p' \
		"$log" | head -n 1)
	[ -n "$reason" ] || reason=$(sed -n \
		's/.*ERROR: LeakSanitizer: .*/memory-leak/p' "$log" | head -n 1)
	[ -n "$reason" ] || reason=$(sed -n \
		's/^SUMMARY: [A-Za-z]*Sanitizer: \([a-z][a-z-]*\) .* in \([A-Za-z0-9_]*\)$/\1-\2/p' \
		"$log" | head -n 1)
	[ -n "$reason" ] || reason=$(sed -n \
		's/^SUMMARY: [A-Za-z]*Sanitizer: \([a-z][a-z-]*\).*/\1/p' \
		"$log" | head -n 1)
	[ -n "$reason" ] || reason=$(sed -n \
		's/.*ERROR: libFuzzer: \([a-z-]*\).*/\1/p' "$log" | head -n 1)
	[ -n "$reason" ] || reason=unknown
	# ub-cli.c:42:7 -> ub-cli.c-42
	printf '%s\n' "$reason" | sed -e 's/:\([0-9]*\).*/-\1/' \
		-e 's/[^A-Za-z0-9.-]/-/g'
}

# Prints the report, from the first line of the error on.
show_report() {
	sed -n '/ERROR: \|runtime error: \|broken promise: \|==ERROR\|deadly signal/,$p' \
		"$1" | head -n 120
}

# Replays every kept crash input with the target its name starts with (or
# every target). Targets with an input that still fails go into $broken.
replay_regressions() {
	for f in "$fuzz"/regressions/*; do
		[ -f "$f" ] || continue
		name=$(basename "$f")
		case $name in
		README*) continue ;;
		scenario-*) which=scenario ;;
		cli-*) which=cli ;;
		http-*) which=http ;;
		urlfile-*) which=urlfile ;;
		trace-*) which=trace ;;
		*) which=$targets ;;
		esac
		for t in $which; do
			case " $targets " in
			*" $t "*) ;;
			*) continue ;; # not asked for (FUZZ_TARGETS)
			esac
			if ! run_target "$t" "$f" >"$build/replay.log" 2>&1; then
				show_report "$build/replay.log"
				say "FAIL: fuzz/regressions/$name still fails fuzz_$t"
				case " $broken " in
				*" $t "*) ;;
				*) broken="$broken $t" ;;
				esac
			fi
		done
	done
}

# Copies the seeds next to what earlier runs in this FUZZ_BUILD found, and
# runs each input once (this also checks the dictionary).
replay_corpus() {
	t=$1
	mkdir -p "$build/corpus/$t"
	cp "$fuzz/corpus/$t"/* "$build/corpus/$t/"
	if ! run_target "$t" -runs=0 -dict="$fuzz/$t.dict" \
		"$build/corpus/$t" >"$build/replay-$t.log" 2>&1; then
		show_report "$build/replay-$t.log"
		say "FAIL: an input of fuzz/corpus/$t fails fuzz_$t"
		return 1
	fi
	n=0
	for f in "$build/corpus/$t"/*; do
		n=$((n + 1))
	done
	say "corpus $t: $n inputs replayed cleanly"
}

summarize() {
	t=$1
	log=$2
	grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)' "$log" | sed "s/^/fuzz: $t: /"
	grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' \
		"$log" | sed "s/^/fuzz: $t: /"
}

# Keeps the crashing input as fuzz/regressions/TARGET-KIND-REASON-HASH and
# says what to do with it.
keep_crash() {
	t=$1
	log=$2
	art=
	for f in "$build/artifacts/$t"/crash-* "$build/artifacts/$t"/leak-* \
		"$build/artifacts/$t"/timeout-* "$build/artifacts/$t"/oom-*; do
		if [ -f "$f" ]; then
			art=$f
			break
		fi
	done
	show_report "$log"
	if [ -z "$art" ]; then
		say "FAIL: fuzz_$t stopped without a crash input; its log ends:"
		tail -n 20 "$log"
		return
	fi
	base=$(basename "$art")
	kind=${base%%-*}
	hash=$(printf '%s\n' "${base#*-}" | cut -c1-12)
	keep=$t-$kind-$(crash_reason "$log")-$hash
	mkdir -p "$fuzz/regressions"
	cp "$art" "$fuzz/regressions/$keep"
	cat <<EOF
fuzz: FOUND: fuzz_$t: $kind, input kept as fuzz/regressions/$keep
fuzz: what to do:
fuzz:   1. reproduce (builds into a kept dir, replays fuzz/regressions/):
fuzz:        FUZZ_BUILD=/tmp/conviz-fuzz FUZZ_SECONDS=0 fuzz/run.sh
fuzz:        /tmp/conviz-fuzz/fuzz_$t fuzz/regressions/$keep
fuzz:   2. optionally shrink it (then keep the smaller file instead):
fuzz:        /tmp/conviz-fuzz/fuzz_$t -minimize_crash=1 -runs=100000 \\
fuzz:          -exact_artifact_path=fuzz/regressions/$keep.min fuzz/regressions/$keep
fuzz:   3. fix the bug in src/ (the stack above says where), add a unit
fuzz:      test for it, and commit the fix with fuzz/regressions/$keep:
fuzz:      every run replays it first, so the bug cannot come back.
EOF
}

fuzz_target() {
	t=$1
	rm -rf "$build/artifacts/$t"
	mkdir -p "$build/artifacts/$t"
	say "fuzzing $t for ${seconds}s"
	rc=0
	run_target "$t" -max_total_time="$seconds" -dict="$fuzz/$t.dict" \
		-print_final_stats=1 -artifact_prefix="$build/artifacts/$t/" \
		"$build/corpus/$t" >"$build/fuzz-$t.log" 2>&1 || rc=$?
	summarize "$t" "$build/fuzz-$t.log"
	if [ "$rc" -ne 0 ]; then
		keep_crash "$t" "$build/fuzz-$t.log"
		found=1
	fi
}

probe
write_config_h
say "building with $("$cc" --version | head -n 1) in $build"
build_library
build_targets
replay_regressions
for t in $targets; do
	replay_corpus "$t" || die "fix the bug the seed shows (see above)"
done
# A target whose kept input still fails would only find that bug again
# (and keep a copy of it): fuzz the others, and fail.
for t in $targets; do
	if [ "$seconds" -eq 0 ]; then
		break
	fi
	case " $broken " in
	*" $t "*) say "not fuzzing $t: fix the bug of its kept input first" ;;
	*) fuzz_target "$t" ;;
	esac
done
if [ -n "$broken" ]; then
	say "FAIL: kept inputs in fuzz/regressions/ still fail (target:$broken); fix the bugs they show (see above)"
	exit 1
fi
if [ "$found" -ne 0 ]; then
	say "FAIL: the fuzzers found bugs (see above); inputs kept in fuzz/regressions/"
	exit 1
fi
if [ "$seconds" -eq 0 ]; then
	say "OK: FUZZ_SECONDS=0: built and replayed only"
else
	say "OK: nothing found in ${seconds}s per target"
fi
