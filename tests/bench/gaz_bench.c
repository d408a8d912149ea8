/*
 * gaz_bench.c: times the gazetteer matcher alone (gaz_match over plain
 * text, no JSON), for tests/bench/gazetteer.sh. Loads the default
 * gazetteers or those given with -g, reads TEXTFILE whole, and matches
 * each line as one text, as the stage matches each record. Prints one
 * line: "load_s=... bytes=... hits=... match_s=... mb_s=..." (seconds of
 * CPU time; MB/s of text per CPU second).
 *
 * usage: gaz_bench [-g FILE]... TEXTFILE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gaz.h"

/* CPU time of the process: on a shared machine, wall time measures the
 * neighbours as much as the code. */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int count(void *arg, const struct gaz_hit *h)
{
	(void)h;
	++*(size_t *)arg;
	return 0;
}

static void report(void *arg, const char *file, size_t line, size_t col,
		   const char *msg)
{
	(void)arg;
	fprintf(stderr, "%s:%zu:%zu: %s\n", file ? file : "-", line, col, msg);
}

int main(int argc, char **argv)
{
	char **files = calloc((size_t)argc, sizeof(*files));
	size_t nfiles = 0, hits = 0, n = 0, cap = 1 << 20, got, i, j;
	const char *path = NULL;
	struct gaz *g;
	double t0, t1, t2;
	char *text;
	FILE *fp;
	int a;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "-g") == 0 && a + 1 < argc)
			files[nfiles++] = argv[++a];
		else
			path = argv[a];
	}
	if (path == NULL || (fp = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "usage: gaz_bench [-g FILE]... TEXTFILE\n");
		return 2;
	}
	text = xmalloc(cap);
	while ((got = fread(text + n, 1, cap - n, fp)) > 0) {
		n += got;
		if (n == cap)
			text = xrealloc(text, cap *= 2);
	}
	fclose(fp);
	t0 = now();
	g = gaz_new();
	if (gaz_load_paths(g, files, nfiles, report, NULL) < 0)
		return 2;
	t1 = now();
	for (i = 0; i < n; i = j + 1) {
		const char *nl = memchr(text + i, '\n', n - i);

		j = nl ? (size_t)(nl - text) : n;
		gaz_match(g, text + i, j - i, count, &hits);
	}
	t2 = now();
	printf("load_s=%.3f entries=%zu bytes=%zu hits=%zu match_s=%.3f "
	       "mb_s=%.1f\n", t1 - t0, gaz_nentries(g), n, hits, t2 - t1,
	       (double)n / 1e6 / (t2 - t1));
	gaz_free(g);
	free(text);
	free(files);
	return 0;
}
