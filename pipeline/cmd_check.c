/*
 * cmd_check.c: `vnie check`, validates the gazetteers and the rule files
 * (the defaults, or those given with -g and -r) and prints every problem
 * as file:line:col: message on standard error. Exit 2 if there was any,
 * else 0 with a summary. The checks are the loaders' own (gaz_load_paths,
 * rules_load): what `vnie gazetteer` and `vnie rules` refuse, this finds.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cmds.h"
#include "data.h"
#include "gaz.h"
#include "jsonl.h"
#include "rules.h"
#include "stage.h"

static const char usage[] =
	"usage: vnie check [-g FILE]... [-r FILE]...\n"
	"\n"
	"Check the gazetteers and the rule files and print each problem as\n"
	"FILE:LINE:COL: MESSAGE on standard error. With no option, every\n"
	"default gazetteer and rule file is checked; with -g only, just those\n"
	"gazetteers; with -r only, just those rule files (against the default\n"
	"gazetteers). Exits 2 if any problem was found, 0 otherwise.\n"
	"\n"
	"options:\n"
	"  -g, --gazetteer FILE  check FILE instead of the default gazetteers\n"
	"  -r, --rules FILE      check FILE instead of the default rule files\n"
	"  -h, --help            show this help\n";

static void report(void *arg, const char *file, size_t line, size_t col,
		   const char *msg)
{
	++*(size_t *)arg;
	if (file == NULL)
		fprintf(stderr, "vnie check: %s\n", msg);
	else if (line == 0)
		fprintf(stderr, "%s: %s\n", file, msg);
	else if (col == 0)
		fprintf(stderr, "%s:%zu: %s\n", file, line, msg);
	else
		fprintf(stderr, "%s:%zu:%zu: %s\n", file, line, col, msg);
}

/*
 * Compile the rule files (the defaults when n == 0) with the gazetteer
 * files for @class names; counts problems in *problems. Returns the
 * number of rules, and their files in *nfiles.
 */
static size_t check_rules(char **rfiles, size_t n, char **gfiles,
			  size_t ngaz, size_t *nfiles, size_t *problems)
{
	struct rules_opts ro;
	struct rules *r;
	char **def = NULL, *gazdir = NULL;
	size_t ndef = 0, nrules = 0;

	rules_opts_init(&ro);
	ro.gaz_files = (const char **)gfiles;
	ro.ngaz = ngaz;
	if (ngaz == 0)
		ro.gaz_dir = gazdir = data_path("gazetteers");
	if (n == 0)
		ndef = rules_default_files(&def);
	*nfiles = n ? n : ndef;
	r = rules_load((const char **)(n ? rfiles : def), *nfiles, &ro,
		       report, problems);
	if (r != NULL)
		nrules = rules_count(r);
	rules_free(r);
	rules_files_free(def, ndef);
	free(gazdir);
	return nrules;
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
	char **rfiles = xcalloc((size_t)argc, sizeof(*rfiles));
	size_t nfiles = 0, nrules = 0, problems = 0, nr = 0, nrf = 0;
	struct gaz *g = NULL;
	char **def = NULL;
	size_t ndef = 0;
	int c, rc = VNIE_EXIT_OK, do_gaz, do_rules;

	while ((c = getopt_long(argc, argv, "g:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'g':
			files[nfiles++] = optarg;
			break;
		case 'r':
			rfiles[nrules++] = optarg;
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
	if (optind < argc) {
		rc = stage_usage_error("check", "unexpected argument '%s'",
				       argv[optind]);
		goto out;
	}
	/* check what is named; with nothing named, every default */
	do_gaz = nfiles > 0 || nrules == 0;
	ndef = nrules == 0 && nfiles == 0 ? rules_default_files(&def) : 0;
	do_rules = nrules > 0 || ndef > 0;
	if (do_gaz) {
		g = gaz_new();
		gaz_load_paths(g, files, nfiles, report, &problems);
	}
	if (do_rules)
		nr = check_rules(rfiles, nrules, files, nfiles, &nrf,
				 &problems);
	if (problems > 0) {
		fprintf(stderr, "vnie check: %zu problem%s\n", problems,
			problems == 1 ? "" : "s");
		rc = VNIE_EXIT_USAGE;
	} else {
		if (do_gaz)
			fprintf(stderr, "vnie check: %zu gazetteer entries in "
				"%zu class%s, no problems\n", gaz_nentries(g),
				gaz_nclasses(g),
				gaz_nclasses(g) == 1 ? "" : "es");
		if (do_rules)
			fprintf(stderr, "vnie check: %zu rules in %zu rule "
				"file%s, no problems\n", nr, nrf,
				nrf == 1 ? "" : "s");
	}
out:
	gaz_free(g);
	rules_files_free(def, ndef);
	free(files);
	free(rfiles);
	return rc;
}
