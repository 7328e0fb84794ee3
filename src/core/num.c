/* num.c - strict number parsers (num.h). */
#include "config.h"

#include "core/num.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

int num_parse_long(const char *s, long min, long max, long *out)
{
	char *end;

	/* strtol alone accepts " 12", "+12" and "12abc"; a person typing
	 * -w means a plain number, so anything else is refused. */
	if (!s || !*s || !(*s == '-' || (*s >= '0' && *s <= '9')))
		return -1;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int num_parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!s || !*s || !(*s >= '0' && *s <= '9'))
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int num_parse_double(const char *s, double min_excl, double max_incl,
		     double *out)
{
	char *end;

	if (!s || !*s || !((*s >= '0' && *s <= '9') || *s == '.'))
		return -1;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || !(v > min_excl) || v > max_incl)
		return -1;
	*out = v;
	return 0;
}
