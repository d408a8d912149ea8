/*
 * cmd_check.c: `vnie check`, validates the gazetteers (the defaults, or
 * those given with -g) and prints every problem as file:line:col: message
 * on standard error. Exit 2 if there was any, else 0 with a summary.
 * Rule files (-r) are not checked by this build yet.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cmds.h"
#include "gaz.h"
#include "jsonl.h"
#include "stage.h"

static const char usage[] =
	"usage: vnie check [-g FILE]... [-r FILE]...\n"
	"\n"
	"Check every default gazetteer (or the files given) and print each\n"
	"problem as FILE:LINE:COL: MESSAGE on standard error. Exits 2 if any\n"
	"was found, 0 otherwise.\n"
	"\n"
	"options:\n"
	"  -g, --gazetteer FILE  check FILE instead of the default gazetteers\n"
	"  -r, --rules FILE      check a rule file (not available yet)\n"
	"  -h, --help            show this help\n";

static void report(void *arg, const char *file, size_t line, size_t col,
		   const char *msg)
{
	++*(size_t *)arg;
	if (file == NULL)
		fprintf(stderr, "vnie check: %s\n", msg);
	else if (line == 0)
		fprintf(stderr, "%s: %s\n", file, msg);
	else
		fprintf(stderr, "%s:%zu:%zu: %s\n", file, line, col, msg);
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "gazetteer", required_argument, NULL, 'g' },
		{ "rules", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char **files = xcalloc((size_t)argc, sizeof(*files));
	size_t nfiles = 0, nrules = 0, problems = 0;
	struct gaz *g = NULL;
	int c, rc = VNIE_EXIT_OK;

	while ((c = getopt_long(argc, argv, "g:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'g':
			files[nfiles++] = optarg;
			break;
		case 'r':
			nrules++;
			break;
		case 'h':
			fputs(usage, stdout);
			rc = jsonl_finish() < 0 ? VNIE_EXIT_IO : 0;
			goto out;
		default:
			fprintf(stderr, "try 'vnie check --help'\n");
			rc = VNIE_EXIT_USAGE;
			goto out;
		}
	}
	if (optind < argc || nrules > 0) {
		rc = stage_usage_error("check", optind < argc ?
				       "unexpected argument '%s'" :
				       "checking rule files is not available "
				       "in this build%s", optind < argc ?
				       argv[optind] : "");
		goto out;
	}
	g = gaz_new();
	gaz_load_paths(g, files, nfiles, report, &problems);
	if (problems > 0) {
		fprintf(stderr, "vnie check: %zu problem%s\n", problems,
			problems == 1 ? "" : "s");
		rc = VNIE_EXIT_USAGE;
	} else {
		fprintf(stderr, "vnie check: %zu gazetteer entries in %zu "
			"class%s, no problems\n", gaz_nentries(g),
			gaz_nclasses(g), gaz_nclasses(g) == 1 ? "" : "es");
	}
out:
	gaz_free(g);
	free(files);
	return rc;
}
