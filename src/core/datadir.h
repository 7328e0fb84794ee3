/* datadir.h - where conviz's data lives: scenarios/, www/ (the embedded
 * server's pages and latency profile), explain/.
 *
 * Not the business of any one reader: the scenario loader, the server and
 * the TUI's scenario list all start from here.
 */
#ifndef CONVIZ_DATADIR_H
#define CONVIZ_DATADIR_H

#include <stddef.h>

/* The data directory: $CONVIZ_DATADIR, else "data" beside the executable
 * (a build tree), else the installed pkgdatadir. Never NULL; valid for the
 * life of the process. One thread at a time: without $CONVIZ_DATADIR each
 * call writes the path (the same bytes) into one static buffer. */
const char *datadir_path(void);

/* The installed data directory, compiled in: configure's
 * $datadir/conviz/data (config.h's PKGDATADIR). Any thread. */
const char *datadir_installed(void);

/* Is there a data directory? 0 when datadir_path() holds scenarios/ (err
 * untouched); else -1 with "what went wrong: what to do" in err, naming
 * where conviz looked ($CONVIZ_DATADIR when set, else the installed
 * directory and data/ beside the executable) and that CONVIZ_DATADIR can
 * point at one. Same thread rule as datadir_path. */
int datadir_check(char *err, size_t errlen);

#endif
