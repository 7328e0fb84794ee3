/* num.h - strict number parsers, for every text a person writes numbers
 * in: the command line, scenario files, the latency profile, the pokedex
 * paths of the embedded server's pages.
 *
 * A number is the whole string, with no blanks, no sign the format does
 * not allow, no trailing text, and in range: strtol alone accepts " 12",
 * "+12" and "12abc", which a person writing a number never means. Pure
 * functions: any thread, no allocation, *out untouched on failure.
 */
#ifndef CONVIZ_NUM_H
#define CONVIZ_NUM_H

#include <stdint.h>

/* A decimal integer, optionally negative, min <= value <= max. 0, or -1
 * (NULL, empty, not a number, trailing text, out of range). */
int num_parse_long(const char *s, long min, long max, long *out);

/* A decimal integer 0..UINT64_MAX, no sign. 0 or -1. */
int num_parse_u64(const char *s, uint64_t *out);

/* A finite number as strtod reads it, starting with a digit or '.',
 * min_excl < value <= max_incl. 0 or -1. */
int num_parse_double(const char *s, double min_excl, double max_incl,
		     double *out);

#endif
