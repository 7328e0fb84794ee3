/* ev.c - names and glyphs of event kinds. */
#include "config.h"

#include <stddef.h>

#include "core/ev.h"

static const char *const kind_names[EV_KIND_COUNT] = {
	[EV_IDLE] = "idle",
	[EV_STARTUP] = "startup",
	[EV_CPU] = "cpu",
	[EV_IO] = "io",
	[EV_LOCK_WAIT] = "lock-wait",
	[EV_GIL_WAIT] = "gil-wait",
	[EV_DONE] = "done",
	[EV_READY] = "ready",
	[EV_STALL] = "stall",
	[EV_READ] = "read",
	[EV_WRITE] = "write",
	[EV_LOST_UPDATE] = "lost-update",
	[EV_ERROR] = "error",
	[EV_ACQUIRE] = "acquire",
	[EV_RELEASE] = "release",
	[EV_DEADLOCK] = "deadlock",
};

/* Each state has its own density of shading, so a monochrome projector (or
 * a colour-blind student) still tells running from waiting. Idle and done
 * stay blank: nothing happens there. */
static const char *const glyph_utf8[EV_STATE_COUNT] = {
	[EV_IDLE] = " ",
	[EV_STARTUP] = "\u00b7",   /* · */
	[EV_CPU] = "\u2588",	   /* █ */
	[EV_IO] = "\u2591",	   /* ░ */
	[EV_LOCK_WAIT] = "\u2592", /* ▒ */
	[EV_GIL_WAIT] = "\u2593",  /* ▓ */
	[EV_DONE] = " ",
	[EV_READY] = "\u2584", /* ▄: wants to compute, has no core */
	[EV_STALL] = "\u2580", /* ▀: held up by the display */
};

static const char *const glyph_ascii[EV_STATE_COUNT] = {
	[EV_IDLE] = " ", [EV_STARTUP] = "-",   [EV_CPU] = "#",
	[EV_IO] = ".",	 [EV_LOCK_WAIT] = "=", [EV_GIL_WAIT] = ":",
	[EV_DONE] = " ", [EV_READY] = "_",     [EV_STALL] = "^",
};

const char *ev_kind_name(unsigned kind)
{
	if (kind >= EV_KIND_COUNT || kind_names[kind] == NULL)
		return "?";
	return kind_names[kind];
}

const char *ev_state_glyph(unsigned kind, int utf8)
{
	if (!ev_is_state(kind))
		return "?";
	return utf8 ? glyph_utf8[kind] : glyph_ascii[kind];
}
