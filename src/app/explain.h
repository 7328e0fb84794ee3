/* explain.h - the lesson cards: data/explain/, plain text a teacher can
 * edit without touching C.
 *
 * A scenario's card is data/explain/SCENARIO.txt; where a model changes
 * the story, SCENARIO.MODEL.txt adds to it (MODEL: sync, threads, async,
 * procs, or threads-nogil for threads without the GIL). A card file's
 * first line is its heading; then paragraphs separated by blank lines,
 * whose lines are joined with single spaces, so the reader re-wraps them
 * to any width. Valid UTF-8, at most 16 KiB.
 */
#ifndef CONVIZ_EXPLAIN_H
#define CONVIZ_EXPLAIN_H

#include <stddef.h>

#define EXPLAIN_HEADING_MAX 128
#define EXPLAIN_BODY_MAX 4096

/* One card file: its heading and its paragraphs, npar strings one after
 * the other in body (each ends with its NUL; explain_par finds them). An
 * empty heading: no such card. */
struct explain_part {
	char heading[EXPLAIN_HEADING_MAX];
	char body[EXPLAIN_BODY_MAX];
	int npar;
};

/* What the lesson panel shows for a scenario under a model. */
struct explain {
	struct explain_part scenario; /* always there once loaded */
	struct explain_part model;    /* heading "": the model adds nothing */
};

/* Parses a card's text (`len` bytes, need not be NUL-terminated; `file`
 * for messages). 0, or -1 with "FILE: what is wrong" in err: empty, not
 * UTF-8 text, a heading or body too long. Any thread. */
int explain_parse(const char *text, size_t len, const char *file,
		  struct explain_part *out, char *err, size_t errlen);

/* Paragraph i (0 <= i < p->npar) of a card. */
const char *explain_par(const struct explain_part *p, int i);

/* Loads the cards of `scenario` under `model` (a model's name; threads
 * with gil 0 reads threads-nogil). 0, or -1 with "what went wrong: what
 * to do" in err when the scenario has no card or a card cannot be read.
 * A missing model card is no error. One thread at a time (datadir.h). */
int explain_load(const char *scenario, const char *model, int gil,
		 struct explain *out, char *err, size_t errlen);

#endif
