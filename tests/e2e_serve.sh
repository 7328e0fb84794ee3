#!/bin/sh
# e2e_serve.sh - `conviz serve`, the real binary: it prints its URL, serves
# the right bytes and statuses to curl (keep-alive too) and wget, answers
# malformed requests sent raw with nc with the right status and goes on
# serving, logs one line per request, warns when reachable from other
# machines, and stops on SIGINT or SIGTERM with exit status 0. A client
# tool that is missing skips its checks ("skip: ..."); ./quickstart.sh
# test installs curl, wget and netcat-openbsd.
# shellcheck source=tests/lib.sh
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

WWW=${CONVIZ_DATADIR:-$TESTS_SRCDIR/../data}/www

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

# have TOOL: TOOL is installed; if not, says which checks are skipped.
have() {
	command -v "$1" >/dev/null 2>&1 && return 0
	echo "skip: $2 (no $1 command)"
	return 1
}

# now: seconds since the epoch, with decimals.
now() {
	date +%s.%N
}

# expect_eq GOT WANT DESCRIPTION: one check, GOT is exactly WANT.
expect_eq() {
	checks=$((checks + 1))
	if [ "$1" = "$2" ]; then
		pass "$3: $1"
	else
		fail "$3: got '$1', expected '$2'"
	fi
}

# expect_same FILE WANT_FILE DESCRIPTION: one check, the same bytes.
expect_same() {
	checks=$((checks + 1))
	if cmp -s "$1" "$2"; then
		pass "$3: the bytes of ${2#"$WWW"/}"
	else
		fail "$3: $(wc -c <"$1") bytes, not those of $2 ($(wc -c <"$2") bytes)"
	fi
}

# http ARGS...: curl, quiet, never through a proxy, never hanging.
http() {
	curl -s --noproxy '*' --max-time 15 "$@"
}

# get_page PATH SIZE: GET PATH is 200 with SIZE bytes, those of $WWW/PATH.
get_page() {
	got=$(http -o "$TMP/body" -w '%{http_code} %{size_download}' "$url$1")
	expect_eq "$got" "200 $2" "GET $1"
	expect_same "$TMP/body" "$WWW$1" "GET $1"
}

# still_serving WHAT: a normal request after WHAT is answered.
still_serving() {
	command -v curl >/dev/null 2>&1 || return 0
	got=$(http -o /dev/null -w '%{http_code} %{size_download}' \
		"$url/bytes/16")
	expect_eq "$got" "200 16" "GET /bytes/16 after $1"
}

# raw NAME DESCRIPTION STATUS_LINE: sends the bytes of $TMP/NAME.req on a
# connection of its own; the answer ($TMP/NAME.resp) starts with
# STATUS_LINE, and the server goes on serving. nc returns as soon as the
# server closes the connection (every error does, 405 too); -w 5 bounds
# a server that would not.
raw() {
	nc -w 5 127.0.0.1 "$port" <"$TMP/$1.req" >"$TMP/$1.resp" 2>/dev/null
	got=$(head -n 1 "$TMP/$1.resp" | tr -d '\r')
	expect_eq "$got" "$3" "$2"
	still_serving "$2"
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
port=${url##*:}
checks=$((checks + 1))
if grep -Eq "^  $url/sites/jython\.html +10966 bytes, 89 ms\$" "$TMP/main.out" &&
	grep -Eq "^  $url/pokedex/1 +\.\.\. /pokedex/151" "$TMP/main.out" &&
	grep -Eq "^  $url/ip +" "$TMP/main.out" &&
	grep -Eq "^  $url/delay/MS +" "$TMP/main.out"; then
	pass "serve prints the URL of every route"
else
	fail "routes: $(head -c 600 "$TMP/main.out")"
fi

# A request begun and never finished: 408 once the request timeout
# (SERVER_REQUEST_TIMEOUT_MS, 10 s; `conviz serve` has no option to shorten
# it) has passed. It waits in the background while the other checks run.
job408=
if have nc "raw requests (HEAD, a small body, 400, 405, 408, 413, 414, 431, 501, 505)"; then
	t408=$(now)
	{
		printf 'GET /ip HTTP/1.1\r\nHost: 127.0.0.1\r\n' |
			nc -w 20 127.0.0.1 "$port" >"$TMP/408.resp" 2>/dev/null
		now >"$TMP/408.end"
	} &
	job408=$!
fi

if have curl "curl checks"; then
	get_page /sites/jython.html 10966
	get_page /sites/dice.html 276
	for n in 1 25; do
		name=$(sed -n "${n}p" "$WWW/pokedex.txt")
		[ -n "$name" ] || fail "$WWW/pokedex.txt has no line $n"
		code=$(http -o "$TMP/body" -w '%{http_code}' "$url/pokedex/$n")
		h1=$(sed -n 's:.*<h1>\(.*\)</h1>.*:\1:p' "$TMP/body")
		expect_eq "$code $h1" "200 $name" "GET /pokedex/$n: status, <h1>"
	done
	for p in /pokedex/152 /pokedex/0 /sites/missing.html; do
		got=$(http -o /dev/null -w '%{http_code}' "$url$p")
		expect_eq "$got" 404 "GET $p"
	done
	code=$(http -o "$TMP/body" -w '%{http_code}' "$url/ip")
	expect_eq "$code $(cat "$TMP/body")" '200 {"origin": "127.0.0.1"}' \
		"GET /ip"
	got=$(http -o /dev/null -w '%{http_code} %{size_download}' \
		"$url/status/418")
	expect_eq "$got" "418 0" "GET /status/418"
	got=$(http -o "$TMP/body" -w '%{http_code} %{size_download}' \
		"$url/bytes/1000")
	expect_eq "$got $(wc -c <"$TMP/body")" "200 1000 1000" "GET /bytes/1000"
	# A lower bound only: a loaded machine may answer late, never early.
	got=$(http -o /dev/null -w '%{http_code} %{time_total}' "$url/delay/200")
	checks=$((checks + 1))
	if [ "${got%% *}" = 200 ] && in_range "${got#* }" 0.18 1000; then
		pass "GET /delay/200 waits: $got s"
	else
		fail "GET /delay/200: '$got', expected 200 after >= 0.18 s"
	fi
	got=$(http -I -o "$TMP/head" -w '%{http_code} %{size_download}' \
		"$url/sites/jython.html")
	cl=$(tr -d '\r' <"$TMP/head" | sed -n 's/^[Cc]ontent-[Ll]ength: //p')
	expect_eq "$got $cl" "200 0 10966" "HEAD /sites/jython.html: status, body bytes, Content-Length"
	got=$(http -d x -D "$TMP/head" -o /dev/null -w '%{http_code}' "$url/ip")
	allow=$(tr -d '\r' <"$TMP/head" | sed -n 's/^[Aa]llow: //p')
	expect_eq "$got $allow" "405 GET, HEAD" "POST /ip: status, Allow"
	got=$(http -o /dev/null -w '%{http_code}' --path-as-is \
		"$url/../latency.conf")
	expect_eq "$got" 404 "GET /../latency.conf"
	checks=$((checks + 1))
	if grep -Eq '^[0-9T:.-]+Z 127\.0\.0\.1 "GET /sites/dice\.html HTTP/1\.1" 200 276 [0-9]+ms$' \
		"$TMP/main.out"; then
		pass "one log line per request"
	else
		fail "log line: $(head -c 400 "$TMP/main.out")"
	fi

	# Keep-alive: one curl, five URLs, one connection (a 404 keeps it
	# open too); num_connects is 0 for a reused connection.
	got=$(http --http1.1 -v \
		-w '%{http_code} %{size_download} %{num_connects}\n' \
		-o "$TMP/k1" "$url/sites/dice.html" \
		-o "$TMP/k2" "$url/pokedex/152" \
		-o "$TMP/k3" "$url/sites/jython.html" \
		-o "$TMP/k4" "$url/status/418" \
		-o "$TMP/k5" "$url/bytes/1000" 2>"$TMP/keep.err")
	want="200 276 1
404 14 0
200 10966 0
418 0 0
200 1000 0"
	expect_eq "$(echo "$got" | tr '\n' ,)" "$(echo "$want" | tr '\n' ,)" \
		"keep-alive: status, bytes, new connections of each request"
	expect_same "$TMP/k1" "$WWW/sites/dice.html" "keep-alive GET 1"
	expect_same "$TMP/k3" "$WWW/sites/jython.html" "keep-alive GET 3"
	got=$(grep -c 'Re-using existing connection' "$TMP/keep.err")
	expect_eq "$got" 4 "keep-alive: curl -v re-uses the connection"
fi

if have wget "wget checks"; then
	status=0
	wget -q --no-proxy --tries=1 --timeout=15 -O "$TMP/w1" \
		"$url/sites/dice.html" || status=$?
	expect_eq "$status" 0 "wget -q /sites/dice.html: exit status"
	expect_same "$TMP/w1" "$WWW/sites/dice.html" "wget -q /sites/dice.html"
	status=0
	wget --server-response --no-proxy --tries=1 --timeout=15 \
		-O "$TMP/w2" "$url/sites/jython.html" 2>"$TMP/w2.err" || status=$?
	line=$(sed -n 's/^ *\(HTTP\/[0-9.]* [0-9][0-9][0-9] .*\)/\1/p' \
		"$TMP/w2.err" | tr -d '\r' | head -n 1)
	expect_eq "$status $line" "0 HTTP/1.1 200 OK" \
		"wget --server-response /sites/jython.html"
	expect_same "$TMP/w2" "$WWW/sites/jython.html" \
		"wget --server-response /sites/jython.html"
	status=0
	wget --server-response --no-proxy --tries=1 --timeout=15 \
		-O "$TMP/w3" "$url/sites/missing.html" 2>"$TMP/w3.err" || status=$?
	line=$(sed -n 's/^ *\(HTTP\/[0-9.]* [0-9][0-9][0-9] .*\)/\1/p' \
		"$TMP/w3.err" | tr -d '\r' | head -n 1)
	# wget exits 8 when the server answers with an error.
	expect_eq "$status $line" "8 HTTP/1.1 404 Not Found" \
		"wget --server-response /sites/missing.html"
fi

if [ -n "$job408" ]; then
	# HEAD: the head of a GET, Content-Length included, and no body.
	printf 'HEAD /sites/dice.html HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >"$TMP/head.req"
	nc -w 5 127.0.0.1 "$port" <"$TMP/head.req" >"$TMP/head.resp" 2>/dev/null
	tr -d '\r' <"$TMP/head.resp" >"$TMP/head.txt"
	line=$(head -n 1 "$TMP/head.txt")
	cl=$(sed -n 's/^[Cc]ontent-[Ll]ength: //p' "$TMP/head.txt")
	after=$(sed '1,/^$/d' "$TMP/head.txt" | wc -c | tr -d ' ')
	expect_eq "$line|$cl|$after" "HTTP/1.1 200 OK|276|0" \
		"raw HEAD /sites/dice.html: status line|Content-Length|bytes after the head"

	# A small body is read and dropped, and the next request on the
	# connection is answered.
	printf 'GET /status/200 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhelloGET /status/204 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >"$TMP/pipe.req"
	nc -w 5 127.0.0.1 "$port" <"$TMP/pipe.req" >"$TMP/pipe.resp" 2>/dev/null
	got=$(tr -d '\r' <"$TMP/pipe.resp" | grep '^HTTP/' | tr '\n' '|')
	expect_eq "$got" "HTTP/1.1 200 OK|HTTP/1.1 204 No Content|" \
		"a body of 5 bytes, then a second request on the connection"

	printf 'this is not http\r\n\r\n' >"$TMP/garbage.req"
	raw garbage "a garbage request line" "HTTP/1.1 400 Bad Request"
	printf 'GET / HTTP/1.1\r\n\r\n' >"$TMP/nohost.req"
	raw nohost "HTTP/1.1 without Host" "HTTP/1.1 400 Bad Request"
	printf 'GET / HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n' >"$TMP/http2.req"
	raw http2 "HTTP/2.0" "HTTP/1.1 505 HTTP Version Not Supported"
	printf 'GET / HTTP/3.0\r\nHost: 127.0.0.1\r\n\r\n' >"$TMP/http3.req"
	raw http3 "HTTP/3.0" "HTTP/1.1 505 HTTP Version Not Supported"
	# A target over HTTP_TARGET_MAX (2048): 414; a request line not
	# complete within HTTP_HEAD_MAX (8192): 414 too.
	long=$(printf '%3000s' '' | tr ' ' a)
	printf 'GET /%s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' "$long" >"$TMP/t3000.req"
	raw t3000 "a 3000-byte target" "HTTP/1.1 414 URI Too Long"
	long=$(printf '%9000s' '' | tr ' ' a)
	printf 'GET /%s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' "$long" >"$TMP/t9000.req"
	raw t9000 "a 9000-byte target" "HTTP/1.1 414 URI Too Long"
	# A short request line, then a head over HTTP_HEAD_MAX, or more than
	# HTTP_HEADERS_MAX (64) fields: 431.
	printf 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: %s\r\n\r\n' "$long" >"$TMP/h9000.req"
	raw h9000 "a 9000-byte header" "HTTP/1.1 431 Request Header Fields Too Large"
	{
		printf 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n'
		n=1
		while [ "$n" -le 64 ]; do
			printf 'X-F%d: %d\r\n' "$n" "$n"
			n=$((n + 1))
		done
		printf '\r\n'
	} >"$TMP/h65.req"
	raw h65 "65 header fields" "HTTP/1.1 431 Request Header Fields Too Large"
	printf 'POST /ip HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' >"$TMP/chunked.req"
	raw chunked "Transfer-Encoding: chunked" "HTTP/1.1 501 Not Implemented"
	# A client that shuts its side down right after its request (nc -N)
	# gets the answer and then the end of the connection at once, not
	# after the 30 s idle timeout. Keep-alive requests: nothing else
	# would close them.
	for i in 1 2 3 4 5; do
		t0=$(now)
		printf 'GET /status/200 HTTP/1.1\r\nHost: x\r\n\r\n' |
			nc -N -w 5 127.0.0.1 "$port" >"$TMP/halfclose.resp" 2>/dev/null
		t1=$(now)
		expect_eq "$(head -n 1 "$TMP/halfclose.resp" | tr -d '\r')" \
			"HTTP/1.1 200 OK" "half-closed client $i: answered"
		checks=$((checks + 1))
		if awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 2) }'; then
			pass "half-closed client $i: connection closed at once"
		else
			fail "half-closed client $i: connection open for $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }') s"
		fi
	done
	printf 'POST /ip HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 65537\r\n\r\n' >"$TMP/big.req"
	raw big "Content-Length: 65537" "HTTP/1.1 413 Content Too Large"
	printf 'DELETE /ip HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' >"$TMP/delete.req"
	raw delete "DELETE" "HTTP/1.1 405 Method Not Allowed"

	wait "$job408"
	got=$(head -n 1 "$TMP/408.resp" | tr -d '\r')
	took=$(awk -v a="$t408" -v b="$(cat "$TMP/408.end")" \
		'BEGIN { printf "%.1f\n", b - a }')
	checks=$((checks + 1))
	if [ "$got" = "HTTP/1.1 408 Request Timeout" ] &&
		in_range "$took" 9.5 1000; then
		pass "a request left incomplete: $got after $took s"
	else
		fail "a request left incomplete: '$got' after $took s, expected 'HTTP/1.1 408 Request Timeout' after >= 9.5 s"
	fi
	still_serving "the 408"
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

# served NAME: the URLs serve printed, one a line: "serving URL", then
# "also serving URL".
served() {
	sed -n 's/^conviz: \(also \)\{0,1\}serving \(http:[^ ]*\).*/\2/p' \
		"$TMP/$1.out"
}

# The machine's IPv4 addresses, as `ip -4 addr` (or `hostname -I`) sees
# them, 127.0.0.1 among them; empty when neither tool is here.
ipv4_addrs() {
	if command -v ip >/dev/null 2>&1; then
		ip -4 -o addr show up | awk '{ sub("/.*", "", $4); print $4 }'
	elif command -v hostname >/dev/null 2>&1 && hostname -I >/dev/null 2>&1; then
		echo 127.0.0.1
		hostname -I | tr ' ' '\n' | grep -E '^[0-9]+(\.[0-9]+){3}$'
	fi
}

# answers NAME WHAT: each URL serve printed answers GET /ip.
answers() {
	have curl "GET of each URL of $2" || return 0
	for u in $(served "$1"); do
		got=$(http -g -o /dev/null -w '%{http_code}' "$u/ip")
		expect_eq "$got" 200 "$2: GET $u/ip"
	done
}

# --bind 0.0.0.0: one URL for each IPv4 address of the machine, the class's
# first, 127.0.0.1 last and marked; the routes on the first.
port=${url##*:}
addrs=$(ipv4_addrs)
served wide >"$TMP/wide.urls"
n=$(wc -l <"$TMP/wide.urls")
checks=$((checks + 1))
if [ "$(tail -n 1 "$TMP/wide.urls")" = "http://127.0.0.1:$port" ] && {
	[ "$n" -eq 1 ] ||
		grep -q "^conviz: also serving http://127\.0\.0\.1:$port (this machine only)\$" "$TMP/wide.out"
}; then
	pass "--bind 0.0.0.0: 127.0.0.1 last: $(tr '\n' ' ' <"$TMP/wide.urls")"
else
	fail "--bind 0.0.0.0: 127.0.0.1 is not last and marked: $(head -c 600 "$TMP/wide.out")"
fi
if [ -n "$addrs" ]; then
	for a in $addrs; do
		checks=$((checks + 1))
		if grep -qxF "http://$a:$port" "$TMP/wide.urls"; then
			pass "--bind 0.0.0.0: a URL for $a"
		else
			fail "--bind 0.0.0.0: no URL for $a: $(tr '\n' ' ' <"$TMP/wide.urls")"
		fi
	done
	checks=$((checks + 1))
	extra=$(for u in $(cat "$TMP/wide.urls"); do
		h=${u#http://}
		echo "$addrs" | grep -qxF "${h%:*}" || echo "$u"
	done)
	if [ -z "$extra" ]; then
		pass "--bind 0.0.0.0: no URL for an address the machine lacks"
	else
		fail "--bind 0.0.0.0: URLs for addresses not in 'ip -4 addr': $extra"
	fi
else
	echo "skip: the machine's IPv4 addresses (no ip, no hostname -I)"
fi
first=$(head -n 1 "$TMP/wide.urls")
checks=$((checks + 1))
if grep -Eq "^  $first/sites/dice\.html +276 bytes" "$TMP/wide.out"; then
	pass "--bind 0.0.0.0: the routes on $first"
else
	fail "--bind 0.0.0.0: routes not on $first: $(head -c 600 "$TMP/wide.out")"
fi
answers wide "--bind 0.0.0.0"
stop_serve TERM "serve stops on SIGTERM"

# --bind one address of the machine (not loopback): that URL alone.
other=$(echo "$addrs" | grep -v '^127\.' | head -n 1)
if [ -n "$other" ]; then
	start_serve one --port 0 --bind "$other"
	expect_eq "$(served one | tr '\n' ' ')" "http://$other:${url##*:} " \
		"--bind $other: its URL alone"
	answers one "--bind $other"
	stop_serve INT "serve --bind $other stops"
fi

# --bind :: (where there is IPv6): [::1] among the URLs, loopback last,
# each answering (IPv4 ones too: the socket takes both).
start_serve v6 --port 0 --bind ::
if [ -n "$url" ]; then
	served v6 >"$TMP/v6.urls"
	checks=$((checks + 1))
	case $(tail -n 1 "$TMP/v6.urls") in
	"http://[::1]:${url##*:}" | "http://127.0.0.1:${url##*:}") lo=1 ;;
	*) lo= ;;
	esac
	if [ -n "$lo" ] && grep -qxF "http://[::1]:${url##*:}" "$TMP/v6.urls"; then
		pass "--bind ::: [::1] among the URLs, loopback last: $(tr '\n' ' ' <"$TMP/v6.urls")"
	else
		fail "--bind ::: no [::1], or loopback not last: $(head -c 600 "$TMP/v6.out")"
	fi
	answers v6 "--bind ::"
	stop_serve INT "serve --bind :: stops"
else
	echo "skip: --bind :: (no IPv6 here: $(head -c 200 "$TMP/v6.err"))"
	wait "$pid" 2>/dev/null
fi

# A port in use cannot be served: exit 1 with a message.
start_serve first --port 0
port=${url##*:}
run_conviz serve --port "$port"
expect_status 1 "serve on a port in use"
expect_err "^conviz: port $port of 127.0.0.1 is in use" "serve on a port in use"
stop_serve INT "first server stops"
finish
