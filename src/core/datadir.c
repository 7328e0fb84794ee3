/* datadir.c - finding the data directory (datadir.h). */
#include "config.h"

#include "core/datadir.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/msg.h"

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *datadir_path(void)
{
	static char dir[PATH_MAX];
	const char *env = getenv("CONVIZ_DATADIR");

	if (env && *env)
		return env;
	/* A build tree: the binary sits beside data/. */
	ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 32);
	if (n > 0) {
		dir[n] = '\0';
		char *slash = strrchr(dir, '/');
		if (slash) {
			memcpy(slash, "/data", 6);
			char probe[PATH_MAX + 16];
			msg_fmt(probe, sizeof probe, "%s/scenarios", dir);
			if (is_dir(probe))
				return dir;
		}
	}
	return PKGDATADIR "/data";
}
