/* datadir.h - where conviz's data lives: scenarios/, www/ (the embedded
 * server's pages and latency profile), explain/.
 *
 * Not the business of any one reader: the scenario loader, the server and
 * the TUI's scenario list all start from here.
 */
#ifndef CONVIZ_DATADIR_H
#define CONVIZ_DATADIR_H

/* The data directory: $CONVIZ_DATADIR, else "data" beside the executable
 * (a build tree), else the installed pkgdatadir. Never NULL; valid for the
 * life of the process. One thread at a time: without $CONVIZ_DATADIR each
 * call writes the path (the same bytes) into one static buffer. */
const char *datadir_path(void);

#endif
