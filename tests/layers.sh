#!/bin/sh
# tests/layers.sh - the layering rule of src/ (README "How it is built",
# and the top of each folder's main header), checked on the #include
# lines of every .c and .h under src/:
#
#   core  <-  rt, server  <-  models, work  <-  app  <-  ui  <-  main.c
#
# - A folder includes only its own headers and those of the folders below
#   it. Folders on the same level are siblings and do not include each
#   other: rt and server; models and work. (work may use server's pages,
#   which is below it.)
# - No include cycle between modules, within a folder or across: a module
#   is a .c and its .h (src/app/run.c and src/app/run.h are app/run), and
#   a module that includes another's header depends on it.
# - Every #include "..." names its header by folder ("core/evring.h")
#   and the header exists; config.h comes first in every .c and never in
#   a header; only ui/ includes curses.
# - Each folder's main header says what the folder may include.
#
# Usage: tests/layers.sh [SRC_DIR] (default: the src/ beside tests/). Run
# by make check. Exit 0 when every rule holds, else 1 with one line per
# violation, saying the file, the include and the fix.
set -u

src=${1:-${TESTS_SRCDIR:-$(dirname "$0")}/../src}
[ -d "$src/core" ] || {
	echo "layers: no src/ tree at '$src': give its path"
	exit 2
}

# rank FOLDER: its level (lower is further down), or -1 when unknown.
# "." is src/ itself, where main.c lives.
rank() {
	case $1 in
	core) echo 0 ;;
	rt | server) echo 1 ;;
	models | work) echo 2 ;;
	app) echo 3 ;;
	ui) echo 4 ;;
	.) echo 5 ;;
	*) echo -1 ;;
	esac
}

# The main header of each folder: it opens with what the folder is and
# what it may include.
MAIN_HEADERS="core/ev.h rt/rt.h server/server.h models/model.h work/work.h
app/app.h ui/ui.h"

bad=0
violation() {
	printf 'layers: %s\n' "$*"
	bad=$((bad + 1))
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/conviz-layers.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

folder_of() { # PATH (relative to src/): its folder, "." for src/ itself
	case $1 in
	*/*) echo "${1%%/*}" ;;
	*) echo . ;;
	esac
}

# Every source file, relative to src/, sorted (build products ignored).
(cd "$src" && find . -name '*.[ch]' -type f | sed 's|^\./||' | sort) \
	>"$tmp/files"

# FILE LINE KIND NAME for every include: KIND is q ("...") or s (<...>).
while read -r f; do
	sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*\(["<]\)\([^">]*\)[">].*/\1 \2/p' \
		"$src/$f" | awk -v f="$f" '{ print f, NR, ($1 == "\"" ? "q" : "s"), $2 }'
done <"$tmp/files" >"$tmp/includes"

: >"$tmp/edges"
while read -r f n kind inc; do
	from=$(folder_of "$f")
	if [ "$(rank "$from")" -lt 0 ]; then
		violation "$f: folder '$from' is not a layer: add it to tests/layers.sh and README \"How it is built\""
		continue
	fi
	if [ "$kind" = s ]; then
		case $inc in
		curses.h | ncurses.h | ncursesw/*)
			[ "$from" = ui ] ||
				violation "$f: includes <$inc>: only ui/ calls curses" ;;
		esac
		continue
	fi
	case $inc in
	config.h)
		case $f in
		*.h) violation "$f: includes config.h: a header never does (STYLE.md 4)" ;;
		*) [ "$n" -eq 1 ] ||
			violation "$f: config.h is include number $n: it comes first" ;;
		esac
		continue
		;;
	*/*) ;;
	*)
		hint=
		for c in "$src"/*/"$inc"; do
			[ -f "$c" ] && hint=${c#"$src"/} && break
		done
		violation "$f: #include \"$inc\": name the folder (\"${hint:-FOLDER/$inc}\")"
		continue
		;;
	esac
	if [ ! -f "$src/$inc" ]; then
		violation "$f: #include \"$inc\": no such header under src/"
		continue
	fi
	to=$(folder_of "$inc")
	rf=$(rank "$from")
	rt=$(rank "$to")
	if [ "$from" != "$to" ] && [ "$rt" -ge "$rf" ]; then
		if [ "$rt" -eq "$rf" ]; then
			why="a sibling of $from/"
		else
			why="above $from/"
		fi
		violation "$f: #include \"$inc\": $to/ is $why; a folder includes only its own and lower folders' headers (core <- rt, server <- models, work <- app <- ui <- main.c)"
	fi
	echo "${f%.*} ${inc%.*}" >>"$tmp/edges"
done <"$tmp/includes"

# config.h must be included by every .c, first.
while read -r f; do
	case $f in
	*.c) grep -q "^$f 1 q config.h\$" "$tmp/includes" ||
		violation "$f: does not include config.h first" ;;
	esac
done <"$tmp/files"

# Cycles between modules: tsort finds them, and names the modules of
# each loop after a "input contains a loop" line, one a line, in order.
if ! tsort "$tmp/edges" >/dev/null 2>"$tmp/tsort"; then
	awk '/input contains a loop/ {
		if (n) print chain " -> " first
		n = 0
		next
	}
	{
		sub(/^tsort: /, "")
		chain = n ? chain " -> " $0 : $0
		if (!n++)
			first = $0
	}
	END { if (n) print chain " -> " first }' "$tmp/tsort" >"$tmp/loops"
	[ -s "$tmp/loops" ] || cat "$tmp/tsort" >"$tmp/loops"
	while read -r loop; do
		violation "include cycle between modules: $loop: break it at its cause (move what both need below them)"
	done <"$tmp/loops"
fi

for h in $MAIN_HEADERS; do
	if [ ! -f "$src/$h" ]; then
		violation "$h: the main header of $(folder_of "$h")/ is missing: update MAIN_HEADERS in tests/layers.sh"
	elif ! sed -n '1,40p' "$src/$h" | grep -q 'May include:'; then
		violation "$h: its opening comment does not say what $(folder_of "$h")/ may include (\"May include: ...\")"
	fi
done

nfiles=$(wc -l <"$tmp/files")
nedges=$(wc -l <"$tmp/edges")
if [ "$bad" -gt 0 ]; then
	echo "layers: $bad violation(s) in $nfiles files"
	exit 1
fi
echo "layers: ok: $nfiles files, $nedges includes between modules, no layer crossed, no cycle"
exit 0
