/*
 * data.c: finding the default rules and gazetteers (data.h).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data.h"
#include "vnie.h"

#ifndef VNIE_DATADIR
#define VNIE_DATADIR "/usr/local/share/vnie"
#endif

/* A data directory holds rules/ or gazetteers/ (or both). */
static int has_rules(const char *dir)
{
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s/rules", dir);
	if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
		return 1;
	snprintf(p, sizeof(p), "%s/gazetteers", dir);
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *data_dir(void)
{
	static char dir[PATH_MAX];
	static int done;
	const char *env;
	char exe[PATH_MAX], *slash;
	ssize_t n;

	if (done)
		return dir[0] ? dir : NULL;
	done = 1;
	env = getenv("VNIE_DATA");
	if (env != NULL && env[0] != '\0') {
		snprintf(dir, sizeof(dir), "%s", env);
		return dir;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		/* the binary's directory, then its parent (build-asan/vnie) */
		for (int up = 0; up < 2; up++) {
			slash = strrchr(exe, '/');
			if (slash == NULL)
				break;
			*slash = '\0';
			if (has_rules(exe)) {
				snprintf(dir, sizeof(dir), "%s", exe);
				return dir;
			}
		}
	}
	if (has_rules(VNIE_DATADIR)) {
		snprintf(dir, sizeof(dir), "%s", VNIE_DATADIR);
		return dir;
	}
	return NULL;
}

char *data_path(const char *rel)
{
	const char *d = data_dir();
	char *p;
	size_t n;

	if (d == NULL)
		return NULL;
	n = strlen(d) + strlen(rel) + 2;
	p = xmalloc(n);
	snprintf(p, n, "%s/%s", d, rel);
	return p;
}
