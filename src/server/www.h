/* www.h - what the embedded server answers: pages loaded once from
 * data/www and held in memory, and a few computed routes.
 *
 * www_load reads the directory once. After that nothing touches the
 * filesystem: a request path is looked up in the table below and matched
 * against the computed routes, nothing else, so "../" or an encoded trick
 * can only miss (404). Paths are compared byte for byte, after the server
 * has decoded the percent-escapes and cut the query off.
 *
 * Routes (GET and HEAD; the server answers other methods with 405):
 *   /REL          a file of the directory whose path REL is made of
 *                 [A-Za-z0-9._-] components (none starting with '.') and
 *                 ends in .html .htm .css .js .json .txt .svg or .xml;
 *                 "/" and "/DIR/" serve index.html of that directory.
 *                 Other files (latency.conf, ...) are never served.
 *   /pokedex/N    N = 1..151, no leading zero: an HTML page whose <h1> is
 *                 the name on line N of pokedex.txt (required, exactly
 *                 151 names, one per line); any other N is 404
 *   /ip           {"origin": "PEER"}: the client's address, as httpbin
 *   /delay/MS     MS = 0..WWW_DELAY_MAX_MS: answers MS ms later (on top
 *                 of the route's latency profile)
 *   /status/CODE  CODE = 200..599: an empty answer with that status
 *   /bytes/N      N = 0..WWW_BYTES_MAX: N bytes of seeded random data
 * For /delay, /status and /bytes a number out of range is 400; a word
 * where the number goes, or a leading zero, is 404.
 */
#ifndef CONVIZ_WWW_H
#define CONVIZ_WWW_H

#include <stddef.h>
#include <stdint.h>

#define WWW_POKEDEX_COUNT 151
#define WWW_DELAY_MAX_MS 10000
#define WWW_BYTES_MAX (1024 * 1024)
/* Loading limits: a page, all pages, files, directory depth. */
#define WWW_FILE_MAX (4 * 1024 * 1024)
#define WWW_TOTAL_MAX (64 * 1024 * 1024)
#define WWW_PAGES_MAX 4096
#define WWW_DEPTH_MAX 8
/* Room for a computed body (/ip, /delay, an error page). */
#define WWW_TEXT_MAX 128

struct www;

/* What to answer. body points into the table, the random block, or
 * text[] of this very struct: use it where www_route wrote it (do not
 * copy the struct and keep the copy's body). */
struct www_reply {
	int status;
	const char *type; /* Content-Type; NULL for none */
	const char *body;
	size_t len;
	int64_t delay_ns; /* extra wait asked by /delay/MS */
	char text[WWW_TEXT_MAX];
};

/* Loads every page of dir (see above) and makes the pokedex pages.
 * `seed` makes the /bytes data. Returns NULL with "what went wrong: what
 * to do" in err (pokedex.txt errors say "FILE:LINE: what"). */
struct www *www_load(const char *dir, uint64_t seed, char *err, size_t errlen);

void www_free(struct www *w);

/* Number of pages in the table (files and pokedex pages). */
size_t www_count(const struct www *w);

/* The path of page i (0..www_count-1), in the table's order, and its
 * body's length in *len; NULL past the end. */
const char *www_page(const struct www *w, size_t i, size_t *len);

/* Fills *out with the answer for a decoded path (not NUL-terminated;
 * empty means "/"). `peer` is the client's address for /ip. Never
 * fails: an unknown path is a 404 reply. Any thread: the table is
 * read-only once loaded. */
void www_route(const struct www *w, const char *path, size_t len,
	       const char *peer, struct www_reply *out);

/* The name of pokemon number n (1..WWW_POKEDEX_COUNT) as pokedex.txt
 * spells it (not HTML-escaped), or NULL. Any thread. */
const char *www_pokemon(const struct www *w, long n);

/* Fills *out with a short text/plain body for an error status ("404 Not
 * Found\n"). */
void www_error(int status, struct www_reply *out);

#endif
