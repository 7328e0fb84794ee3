/* rt_http.h - the libcurl side of rt_http_get, for the runtimes that do
 * the transfers themselves (the async loop drives them on its own multi
 * handle). Workloads never include this: they call rt_http_get (rt.h).
 *
 * A GET is: an easy handle from rt_http_easy_new (options set once, kept
 * across requests: connections are reused), rt_http_prepare before each
 * transfer, and rt_http_finish with libcurl's result once it has ended,
 * which gives rt_http_get's return value and fills reply. The handle's
 * thread only.
 */
#ifndef CONVIZ_RT_HTTP_H
#define CONVIZ_RT_HTTP_H

#include <curl/curl.h>

#include "rt/rt.h"

/* A new easy handle set up as every conviz GET is (timeouts, redirects,
 * compression, no proxy for loopback, the body counted into the reply
 * given to rt_http_prepare). NULL when out of memory. */
CURL *rt_http_easy_new(void);

/* Points c at url, its body at reply (emptied), with reply's time limit. */
void rt_http_prepare(CURL *c, const char *url, struct rt_http *reply);

/* What the transfer's result rc means for rt_http_get: 0, the HTTP status
 * (>= 400), or minus libcurl's error code; reply's status and error are
 * filled. */
int rt_http_finish(CURL *c, CURLcode rc, struct rt_http *reply);

#endif
