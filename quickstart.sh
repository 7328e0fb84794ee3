#!/bin/sh
# quickstart.sh - from a clean clone to a running conviz, on Debian.
#
#   ./quickstart.sh run [ARGS]   install what is missing, build, start the TUI
#   ./quickstart.sh test         install what is missing, build, run every test
#   ./quickstart.sh gates        the same, plus the quality gates' tools, then
#                                `make gates` (sanitizers, valgrind, fuzzing,
#                                format, complexity, cppcheck; see .ci/gates.sh)
#
# Work already done is not redone: packages present are not reinstalled,
# autoreconf runs only when configure is missing or older than configure.ac
# or Makefile.am, configure only when Makefile is missing or stale, and make
# rebuilds only what changed. Extra configure flags: $CONVIZ_CONFIGURE_FLAGS.
set -eu

cd "$(dirname "$0")"

# Debian packages the build and the tests need.
PACKAGES="autoconf automake make gcc pkg-config libncurses-dev \
libcurl4-openssl-dev libjansson-dev check tmux curl wget netcat-openbsd \
python3 jq libxml2-utils librsvg2-bin"
# What the quality gates need on top (./quickstart.sh gates).
GATE_PACKAGES="git clang libclang-rt-dev valgrind cppcheck clang-format pmccabe"

say() { printf 'quickstart: %s\n' "$*"; }
die() { printf 'conviz: quickstart: %s\n' "$*" >&2; exit 1; }

missing_packages() {
	missing=""
	for p in $PACKAGES; do
		if command -v dpkg-query >/dev/null 2>&1; then
			st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
			case "$st" in
			*" installed") continue ;;
			esac
		fi
		missing="$missing $p"
	done
	echo "$missing"
}

install_deps() {
	if ! command -v dpkg-query >/dev/null 2>&1; then
		say "not a Debian system: make sure these are installed: $PACKAGES"
		return 0
	fi
	missing=$(missing_packages)
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		die "missing packages:$missing: run 'sudo apt-get update && sudo apt-get install -y$missing', then run this again"
	fi
	command -v apt-get >/dev/null 2>&1 ||
		die "missing packages:$missing: install them with your package manager"
	say "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq || die "apt-get update failed: check the network or the package mirrors"
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
		die "apt-get install failed:$missing: install them by hand"
}

newer() { # is $1 missing or older than any of the rest?
	target=$1
	shift
	[ -e "$target" ] || return 0
	for f in "$@"; do
		[ "$f" -nt "$target" ] && return 0
	done
	return 1
}

build() {
	if newer configure configure.ac Makefile.am; then
		say "autoreconf -fi"
		autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
	fi
	if newer Makefile configure Makefile.am; then
		say "./configure ${CONVIZ_CONFIGURE_FLAGS:-}"
		# shellcheck disable=SC2086
		./configure -q ${CONVIZ_CONFIGURE_FLAGS:-}
	fi
	say "make"
	make -s -j"$(nproc 2>/dev/null || echo 2)"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
run)
	install_deps
	build
	exec ./conviz "$@"
	;;
gates)
	PACKAGES="$PACKAGES $GATE_PACKAGES"
	install_deps
	build
	say "make gates"
	make -s gates
	;;
test)
	install_deps
	build
	say "make check"
	if ! make -s check; then
		for log in tests/*.log; do
			[ -f "$log" ] || continue
			grep -qE '^:test-result: (FAIL|ERROR)' "${log%.log}.trs" 2>/dev/null || continue
			printf '\n===== %s =====\n' "$log"
			tail -n 60 "$log"
		done
		die "tests failed: see the logs above and tests/*.log"
	fi
	;;
*)
	echo "usage: ./quickstart.sh run [ARGS] | ./quickstart.sh test | ./quickstart.sh gates" >&2
	exit 2
	;;
esac
