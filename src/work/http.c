/* http.c - the I/O-bound workloads of the seeds: GET a URL (sites,
 * httpbin), and GET a pokedex page and read the name in its <h1>
 * (pokemon). They call rt_http_get and never know whether a thread
 * blocks in it or a coroutine yields (the seeds' `requests` vs
 * `aiohttp`). Their `expect` asks the embedded server's own page table
 * what the answer must be, so bytes and names that came over the wire
 * are checked against what was served.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/msg.h"
#include "core/num.h"
#include "core/urllist.h"
#include "rt/rt.h"
#include "rt/task.h"
#include "server/www.h"
#include "work/work.h"

/* Room for a URL made from a template (base + path + numbers). */
#define URL_BUF (URLLIST_URL_MAX + 128)
/* A pokedex page is about 500 bytes; a real one can be far larger, and
 * its <h1> comes early. */
#define PAGE_KEEP (256 * 1024)

/* Writes why the task failed into res and returns code. */
static int failed(struct task_result *res, int code, const char *why)
{
	msg_fmt(res->text, sizeof res->text, "%s", why);
	return code;
}

/* The URL of task `task`: template number task % count, "{n}" = arg +
 * task, paths on the embedded server. */
static int task_url(const struct work_input *in, uint32_t task,
		    const char *base, char *url, size_t len)
{
	const char *tmpl = in->urls->urls[task % in->urls->count];

	return urllist_expand(tmpl, in->sc->arg + (long)task, base, url, len);
}

/* GETs the task's URL, keeping up to `cap` bytes of the body in `body`.
 * Fills bytes (ivalue) and status (ihigh) of res; on failure, why. */
static int get(struct rt *rt, const struct work_input *in, uint32_t task,
	       struct task_result *res, struct rt_http *reply)
{
	char url[URL_BUF];
	int rc;

	if (task_url(in, task, in->base, url, sizeof url) < 0)
		return failed(res, WORK_ERR_URL, "URL too long");
	rc = in->sc->blocking ? rt_http_get_blocking(rt, url, reply)
			      : rt_http_get(rt, url, reply);
	res->ivalue = (int64_t)reply->bytes;
	res->ihigh = reply->status;
	if (rc != 0)
		return failed(res, rc, reply->error);
	return 0;
}

/* The answer the embedded server gives to the task's path: bytes and
 * status. -1 if the task's URL is not on the embedded server, or has a
 * query or an escape (the server's table is looked up by decoded path). */
static int served(const struct work_input *in, uint32_t task,
		  struct task_result *want, struct www_reply *reply)
{
	char path[URL_BUF];

	memset(want, 0, sizeof *want);
	if (!in->www || in->urls->urls[task % in->urls->count][0] != '/')
		return -1;
	if (task_url(in, task, "", path, sizeof path) < 0 ||
	    strpbrk(path, "?#%") != NULL)
		return -1;
	/* The client connects from loopback: /ip answers that. */
	www_route(in->www, path, strlen(path), "127.0.0.1", reply);
	want->ivalue = (int64_t)reply->len;
	want->ihigh = reply->status;
	return 0;
}

/* What a task GETs: its URL, on the embedded server's address. */
static void http_what(const struct work_input *in, uint32_t task, char *buf,
		      size_t len)
{
	char url[URL_BUF];

	if (task_url(in, task, in->base, url, sizeof url) < 0)
		msg_fmt(buf, len, "GET (URL too long)");
	else
		msg_fmt(buf, len, "GET %s", url);
}

/* ---- http: GET one URL, count the bytes -------------------------------- */

static int http_run(struct rt *rt, const struct work_input *in, uint32_t task,
		    struct task_result *res)
{
	struct rt_http reply = { 0 };

	return get(rt, in, task, res, &reply);
}

static int http_expect(const struct work_input *in, uint32_t task,
		       struct task_result *want)
{
	struct www_reply reply;

	return served(in, task, want, &reply);
}

static void http_format(const struct task_result *res, char *buf, size_t len)
{
	if (res->status == TASK_FAILED)
		msg_fmt(buf, len, "%s", res->text);
	else
		msg_fmt(buf, len, "%lld bytes", (long long)res->ivalue);
}

const struct work_ops work_http = {
	.name = "http",
	.arg_min = 0,
	.arg_max = 1000000000L,
	.run = http_run,
	.expect = http_expect,
	.format = http_format,
	.what = http_what,
	.io = 1,
	.kinds = EV_BIT(EV_IO) | EV_BIT(EV_ERROR),
};

/* ---- pokemon: GET a pokedex page, read the <h1> ------------------------ */

/* The entity at s (after '&'), decoded into *c; its length, or 0. */
static size_t entity(const char *s, size_t n, char *c)
{
	static const struct {
		const char *name;
		char c;
	} named[] = { { "amp;", '&' },	{ "lt;", '<' },	  { "gt;", '>' },
		      { "quot;", '"' }, { "#39;", '\'' }, { "apos;", '\'' } };

	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
		size_t k = strlen(named[i].name);
		if (k <= n && memcmp(s, named[i].name, k) == 0) {
			*c = named[i].c;
			return k;
		}
	}
	return 0;
}

/* Copies the text of [s, s+n) into out (size outlen), decoding the
 * common entities, dropping tags, squeezing blanks and trimming. */
static void h1_text(const char *s, size_t n, char *out, size_t outlen)
{
	size_t o = 0;
	int blank = 1, in_tag = 0;

	for (size_t i = 0; i < n && o + 1 < outlen; i++) {
		char c = s[i];
		if (in_tag || c == '<') {
			in_tag = c != '>';
			continue;
		}
		if (c == '&')
			i += entity(s + i + 1, n - i - 1, &c);
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			if (!blank)
				out[o++] = ' ';
			blank = 1;
			continue;
		}
		out[o++] = c;
		blank = 0;
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
}

/* Finds "<h1" (any case, any attributes) ... "</h1>" in the page and
 * writes its text. 0, or -1 if there is none. */
static int find_h1(const char *page, size_t len, char *out, size_t outlen)
{
	for (size_t i = 0; i + 4 <= len; i++) {
		if (page[i] != '<' || (page[i + 1] | 0x20) != 'h' ||
		    page[i + 2] != '1' ||
		    (page[i + 3] != '>' && page[i + 3] != ' '))
			continue;
		const char *open = memchr(page + i, '>', len - i);
		if (!open)
			return -1;
		size_t start = (size_t)(open + 1 - page);
		for (size_t j = start; j + 5 <= len; j++) {
			if (page[j] == '<' && page[j + 1] == '/' &&
			    (page[j + 2] | 0x20) == 'h' && page[j + 3] == '1') {
				h1_text(page + start, j - start, out, outlen);
				return out[0] ? 0 : -1;
			}
		}
		return -1;
	}
	return -1;
}

static int pokemon_run(struct rt *rt, const struct work_input *in,
		       uint32_t task, struct task_result *res)
{
	struct rt_http reply = { .cap = PAGE_KEEP };
	int rc;

	reply.body = xmalloc(PAGE_KEEP);
	rc = get(rt, in, task, res, &reply);
	/* Reading the page is the task's (small) CPU part. */
	if (rc == 0 &&
	    find_h1(reply.body, reply.kept, res->text, sizeof res->text) < 0)
		rc = failed(res, WORK_ERR_PARSE, "no <h1> in the page");
	free(reply.body);
	return rc;
}

static int pokemon_expect(const struct work_input *in, uint32_t task,
			  struct task_result *want)
{
	struct www_reply reply;
	char path[URL_BUF];
	const char *name;
	long n;

	if (served(in, task, want, &reply) < 0)
		return -1;
	task_url(in, task, "", path, sizeof path);
	if (strncmp(path, "/pokedex/", 9) != 0 ||
	    num_parse_long(path + 9, 1, WWW_POKEDEX_COUNT, &n) < 0)
		return -1;
	name = www_pokemon(in->www, n);
	msg_fmt(want->text, sizeof want->text, "%s", name ? name : "");
	return 0;
}

static void pokemon_format(const struct task_result *res, char *buf, size_t len)
{
	msg_fmt(buf, len, "%s", res->text);
}

const struct work_ops work_pokemon = {
	.name = "pokemon",
	.arg_min = 0,
	.arg_max = 1000000000L,
	.run = pokemon_run,
	.expect = pokemon_expect,
	.format = pokemon_format,
	.what = http_what,
	.io = 1,
	.kinds = EV_BIT(EV_IO) | EV_BIT(EV_ERROR),
};
