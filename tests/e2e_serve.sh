#!/bin/sh
# e2e_serve.sh - `conviz serve`, the real binary: it prints its URL, serves
# (checked with curl when curl is installed), logs one line per request,
# warns when reachable from other machines, and stops on SIGINT or
# SIGTERM with exit status 0.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

# start_serve NAME ARGS...: starts `conviz serve ARGS` in the background,
# output in $TMP/NAME.out and $TMP/NAME.err; sets $pid and $url (empty if
# no URL was printed within 5 s).
start_serve() {
	name=$1
	shift
	"$CONVIZ" serve "$@" </dev/null >"$TMP/$name.out" 2>"$TMP/$name.err" &
	pid=$!
	url=
	n=0
	while [ -z "$url" ] && [ "$n" -lt 50 ] && kill -0 "$pid" 2>/dev/null; do
		sleep 0.1
		url=$(sed -n 's/^conviz: serving \(http:[^ ]*\) .*/\1/p' \
			"$TMP/$name.out")
		n=$((n + 1))
	done
}

# stop_serve SIGNAL DESCRIPTION: sends SIGNAL to $pid; it must exit 0
# within 2 s.
stop_serve() {
	checks=$((checks + 1))
	kill "-$1" "$pid"
	n=0
	while kill -0 "$pid" 2>/dev/null && [ "$n" -lt 20 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		fail "$2: still running 2 s after SIG$1"
		kill -9 "$pid"
	fi
	status=0
	wait "$pid" || status=$?
	expect_status 0 "$2"
}

start_serve main --port 0
checks=$((checks + 1))
case $url in
http://127.0.0.1:[1-9]*) pass "serve prints its URL: $url" ;;
*)
	fail "serve prints 'conviz: serving http://127.0.0.1:PORT': $(head -c 400 "$TMP/main.out" "$TMP/main.err")"
	kill -9 "$pid" 2>/dev/null
	finish
	;;
esac

if command -v curl >/dev/null 2>&1; then
	checks=$((checks + 1))
	got=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' \
		"$url/sites/dice.html")
	[ "$got" = "200 276" ] && pass "GET /sites/dice.html: $got" ||
		fail "GET /sites/dice.html: '$got', expected '200 276'"
	checks=$((checks + 1))
	got=$(curl -s "$url/ip")
	[ "$got" = '{"origin": "127.0.0.1"}' ] && pass "GET /ip: $got" ||
		fail "GET /ip: '$got'"
	checks=$((checks + 1))
	got=$(curl -s -o /dev/null -w '%{http_code}' --path-as-is \
		"$url/../latency.conf")
	[ "$got" = 404 ] && pass "GET /../latency.conf: $got" ||
		fail "GET /../latency.conf: $got, expected 404"
	checks=$((checks + 1))
	if grep -Eq '^[0-9T:.-]+Z 127\.0\.0\.1 "GET /sites/dice\.html HTTP/1\.1" 200 276 [0-9]+ms$' \
		"$TMP/main.out"; then
		pass "one log line per request"
	else
		fail "log line: $(head -c 400 "$TMP/main.out")"
	fi
else
	echo "skip: HTTP checks (no curl command)"
fi
stop_serve INT "serve stops on SIGINT"

# Reachable from other machines: a warning on stderr, serving all the same.
start_serve wide --port 0 --bind 0.0.0.0
checks=$((checks + 1))
if [ -n "$url" ] && grep -q 'reachable from other machines' "$TMP/wide.err"; then
	pass "--bind 0.0.0.0 warns: $(cat "$TMP/wide.err")"
else
	fail "--bind 0.0.0.0: url '$url', stderr '$(head -c 400 "$TMP/wide.err")'"
fi
stop_serve TERM "serve stops on SIGTERM"

# A port in use cannot be served: exit 1 with a message.
start_serve first --port 0
port=${url##*:}
run_conviz serve --port "$port"
expect_status 1 "serve on a port in use"
expect_err "^conviz: port $port of 127.0.0.1 is in use" "serve on a port in use"
stop_serve INT "first server stops"
finish
