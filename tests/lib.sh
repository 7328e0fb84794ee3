# tests/lib.sh - shared helpers for the end-to-end tests (sourced).
# Environment (set by make check): CONVIZ, CONVIZ_DATADIR, TESTS_SRCDIR.
# Sourcing it makes $TMP, a private directory removed on exit (a test
# that sets its own EXIT trap removes it there).
set -u
: "${CONVIZ:?CONVIZ must name the conviz binary}"
: "${TESTS_SRCDIR:=$(dirname "$0")}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/conviz-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
failures=0
checks=0

fail() {
	printf 'FAIL: %s\n' "$*"
	failures=$((failures + 1))
}

pass() {
	printf 'ok: %s\n' "$*"
}

# run_conviz ARGS...: runs the binary with stdin from /dev/null; sets
# $status and leaves stdout in $TMP/out and stderr in $TMP/err.
run_conviz() {
	checks=$((checks + 1))
	status=0
	"$CONVIZ" "$@" </dev/null >"$TMP/out" 2>"$TMP/err" || status=$?
}

# field NAME: the value of NAME=... on the summary: line of $TMP/out.
field() {
	grep '^summary: ' "$TMP/out" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1
}

# summary_has KEY=VALUE...: each field of the summary: line has that value.
summary_has() {
	for kv in "$@"; do
		v=$(field "${kv%%=*}")
		[ "$v" = "${kv#*=}" ] || fail "summary ${kv%%=*}=$v, expected ${kv#*=}: $(grep summary: "$TMP/out")"
	done
}

# expect_status N DESCRIPTION
expect_status() {
	if [ "$status" -eq "$1" ]; then
		pass "$2 (exit $status)"
	else
		fail "$2: exit $status, expected $1; stderr: $(head -c 400 "$TMP/err")"
	fi
}

# expect_err REGEX DESCRIPTION: stderr is one line matching REGEX.
expect_err() {
	lines=$(wc -l <"$TMP/err")
	if [ "$lines" -eq 1 ] && grep -Eq "$1" "$TMP/err"; then
		pass "$2: $(cat "$TMP/err")"
	else
		fail "$2: stderr '$(head -c 400 "$TMP/err")' does not match '$1'"
	fi
}

# ratio A B: A / B with 3 decimals.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) print 0; else printf "%.3f\n", a / b }'
}

# in_range X LO HI: LO <= X <= HI (decimals).
in_range() {
	awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x >= lo && x <= hi) }'
}

finish() {
	if [ "$failures" -gt 0 ]; then
		printf '%d of %d checks failed\n' "$failures" "$checks"
		exit 1
	fi
	printf 'all %d checks passed\n' "$checks"
	exit 0
}

# --- a pane in tmux (tests/e2e_tui.sh, tests/e2e_badinput.sh) --------------
# The test sets SOCK, the name of its private tmux server (tmux -L), and
# makes a session called cv; it kills that server in its EXIT trap.

# tmx ARGS...: tmux on the private server. -u: the client takes the
# pane's text as UTF-8, whatever our locale.
tmx() { tmux -u -L "$SOCK" -f /dev/null "$@"; }

# What the pane shows now.
screen() { tmx capture-pane -p -t cv; }

# wait_for ERE [TENTHS]: until the pane shows a line matching ERE (default
# limit 10 s). Returns 1 on timeout.
wait_for() {
	n=${2:-100}
	while [ "$n" -gt 0 ]; do
		screen | grep -Eq -- "$1" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# wait_gone ERE [TENTHS]: until no line of the pane matches ERE (default
# limit 10 s). Returns 1 on timeout.
wait_gone() {
	n=${2:-100}
	while [ "$n" -gt 0 ]; do
		screen | grep -Eq -- "$1" || return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# wait_file FILE [TENTHS]: until FILE exists and is not empty (default
# limit 10 s). Returns 1 on timeout.
wait_file() {
	n=${2:-100}
	while [ "$n" -gt 0 ]; do
		[ -s "$1" ] && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# quote ARG: ARG in single quotes, for the shell in the pane.
quote() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}
