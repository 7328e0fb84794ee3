/* datadir.c - finding the data directory (datadir.h). */
#include "config.h"

#include "core/datadir.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/msg.h"

/* Where `make install` put the data: configure's $datadir/conviz (in
 * config.h, so configuring another --prefix rebuilds this file). */
#define DATADIR_INSTALLED PKGDATADIR "/data"

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A data directory is one that holds scenarios/. */
static int has_scenarios(const char *dir)
{
	char probe[PATH_MAX + 16];

	msg_fmt(probe, sizeof probe, "%s/scenarios", dir);
	return is_dir(probe);
}

/* "data" beside the executable (a build tree) into dir, whether it
 * exists or not; 0, or -1 when the executable's path is unknown. */
static int beside_exe(char *dir, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", dir, size - 8);
	char *slash;

	if (n <= 0)
		return -1;
	dir[n] = '\0';
	slash = strrchr(dir, '/');
	if (!slash)
		return -1;
	memcpy(slash, "/data", 6);
	return 0;
}

const char *datadir_path(void)
{
	static char dir[PATH_MAX];
	const char *env = getenv("CONVIZ_DATADIR");

	if (env && *env)
		return env;
	if (beside_exe(dir, sizeof dir) == 0 && has_scenarios(dir))
		return dir;
	return DATADIR_INSTALLED;
}

const char *datadir_installed(void)
{
	return DATADIR_INSTALLED;
}

int datadir_check(char *err, size_t errlen)
{
	struct msg_quote q1, q2;
	char exe[PATH_MAX];
	const char *env = getenv("CONVIZ_DATADIR");
	const char *todo = "point CONVIZ_DATADIR at a directory that holds "
			   "scenarios/ and www/";

	if (has_scenarios(datadir_path()))
		return 0;
	if (env && *env) {
		msg_fmt(err, errlen,
			"no data directory: CONVIZ_DATADIR is '%s', which has "
			"no scenarios/ (the installed one is '%s'): %s, or "
			"unset it",
			msg_quote_path(env, &q1),
			msg_quote_path(DATADIR_INSTALLED, &q2), todo);
		return -1;
	}
	if (beside_exe(exe, sizeof exe) < 0)
		msg_fmt(exe, sizeof exe, "(unknown)/data");
	msg_fmt(err, errlen,
		"no data directory: neither '%s' (installed) nor '%s' (beside "
		"the program) has scenarios/: install conviz with 'make "
		"install', or %s",
		msg_quote_path(DATADIR_INSTALLED, &q1),
		msg_quote_path(exe, &q2), todo);
	return -1;
}
