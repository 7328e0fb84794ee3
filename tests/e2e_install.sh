#!/bin/sh
# e2e_install.sh - `./configure --prefix=DIR && make install` gives a conviz
# that finds its data in DIR, run from anywhere without CONVIZ_DATADIR; and
# configuring the same build directory again with another prefix, then
# `make install`, gives a binary that finds the new prefix's data (the
# path is in config.h, so the reconfigure rebuilds what reads it; it was a
# -D on the compiler's command line, which changed nothing make looks at).
#
# The build is a VPATH one in a temporary directory, so a read-only source
# tree (make distcheck) is never written to. A source tree configured in
# place refuses VPATH builds: then its `make distdir` gives a clean copy to
# build from. A prefix's data is moved away once to read, in the message
# of a binary that finds none, the path that was compiled in.
#
# Environment (set by make check): TESTS_SRCDIR; CONVIZ_DATADIR is unset
# here. Slow: two builds (about a minute each on two cores). Exit 77
# (skip) when there is no configure script to build with.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"
trap 'exit 1' INT TERM HUP
unset CONVIZ_DATADIR
# Our own make, not a job of the `make check` that runs us.
unset MAKEFLAGS MFLAGS MAKELEVEL

SRC=$(cd "$TESTS_SRCDIR/.." && pwd)
if [ ! -x "$SRC/configure" ]; then
	echo "SKIP: no configure script in $SRC (run autoreconf -fi there)"
	exit 77
fi
LOG="$TMP/build.log"
if [ -f "$SRC/config.status" ]; then
	make -s -C "$SRC" distdir distdir="$TMP/src" >"$LOG" 2>&1 || {
		tail -n 20 "$LOG"
		fail "make distdir in $SRC"
		finish
	}
	SRC="$TMP/src"
fi
B="$TMP/build"
mkdir "$B" || exit 1

# install PREFIX: configures $B for PREFIX and installs there.
install_to() {
	checks=$((checks + 1))
	if (cd "$B" && "$SRC/configure" -q --prefix="$1" CFLAGS=-O0 &&
		make -s -j2 install) >"$LOG" 2>&1; then
		pass "configure --prefix=$1 && make install"
		return 0
	fi
	tail -n 20 "$LOG"
	fail "configure --prefix=$1 && make install"
	return 1
}

# in_root ARGS...: the installed binary ARGS[0] run from /, not from the
# build tree; sets $status, stdout in $TMP/out, stderr in $TMP/err.
in_root() {
	checks=$((checks + 1))
	status=0
	(cd / && exec "$@") </dev/null >"$TMP/out" 2>"$TMP/err" || status=$?
}

# shown PATH: PATH as conviz's messages quote it (msg_quote_path: a path
# over 64 bytes keeps its last 61, after "...").
shown() {
	if [ "${#1}" -le 64 ]; then
		printf '%s' "$1"
	else
		printf '...%s' "$(printf '%s' "$1" | tail -c 61)"
	fi
}

# works PREFIX: the binary installed in PREFIX lists, runs a CPU scenario
# and an I/O one (the embedded server's pages and latency profile).
works() {
	cv="$1/bin/conviz"
	in_root "$cv" list
	expect_status 0 "$cv list"
	# Every scenario of the source tree is installed (a data file left
	# out of Makefile.am's list would only show in make distcheck).
	for f in "$TESTS_SRCDIR"/../data/scenarios/*.scn; do
		n=$(basename "$f" .scn)
		grep -Eq "^  $n( |\$)" "$TMP/out" ||
			fail "$cv list lacks scenario $n (is it in Makefile.am?): $(head -c 300 "$TMP/out")"
	done
	in_root "$cv" run -s fib --scale 0.05 --headless
	expect_status 0 "$cv run -s fib --scale 0.05 --headless"
	summary_has scenario=fib failed=0
	in_root "$cv" run -s pokemon -w 20 --headless
	expect_status 0 "$cv run -s pokemon -w 20 --headless"
	summary_has scenario=pokemon ok=20
}

# looks_in PREFIX: with PREFIX's data moved away, its binary says it has
# no data directory and names PREFIX/share/conviz/data, which is where it
# looks (not another prefix, not /usr/local).
looks_in() {
	d="$1/share/conviz/data"
	mv "$d" "$d.away" || { fail "cannot move $d"; return; }
	in_root "$1/bin/conviz" list
	mv "$d.away" "$d"
	expect_status 2 "$1/bin/conviz list without its data"
	expect_err "^conviz: no data directory: neither '$(shown "$d")' \(installed\) nor '$(shown "$1/bin/data")' \(beside the program\) has scenarios/: .*CONVIZ_DATADIR" \
		"$1/bin/conviz names its installed data directory"
}

if install_to "$TMP/p"; then
	works "$TMP/p"
	looks_in "$TMP/p"
fi

# The bug: the same build directory, configured again for another prefix.
# The first prefix goes, so a binary still looking there cannot pass.
if install_to "$TMP/q"; then
	rm -rf "$TMP/p"
	works "$TMP/q"
	looks_in "$TMP/q"
fi
finish
