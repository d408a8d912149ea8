/*
 * cmd_check.c: `vnie check`, compile every rule file and report what is
 * wrong as file:line:col: message, without reading any record. Exit 0
 * when all is well, 2 when anything is not. The checks themselves are the
 * loaders' (rules_load); this file only finds the files and prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "data.h"
#include "jsonl.h"
#include "rules.h"
#include "stage.h"

static const char usage[] =
	"usage: vnie check [-r FILE]... [-g FILE]...\n"
	"\n"
	"Compile the rule files (default: every *.rules of the data folder's\n"
	"rules/ not starting with _, with what they include) against the\n"
	"gazetteers (default: the data folder's gazetteers/) and report every\n"
	"error as FILE:LINE:COL: MESSAGE on stderr. Exit 0 when all is well,\n"
	"2 when any file has an error.\n"
	"\n"
	"options:\n"
	"  -r, --rules FILE      a rule file to check (repeatable)\n"
	"  -g, --gazetteer FILE  a gazetteer file (repeatable)\n"
	"  -h, --help            show this help\n";

static void report(void *arg, const char *file, size_t line, size_t col,
		   const char *msg)
{
	int *nerr = arg;

	(*nerr)++;
	if (line == 0)
		fprintf(stderr, "vnie check: %s: %s\n", file, msg);
	else if (col == 0)
		fprintf(stderr, "vnie check: %s:%zu: %s\n", file, line, msg);
	else
		fprintf(stderr, "vnie check: %s:%zu:%zu: %s\n", file, line,
			col, msg);
}

/* Compile the rule set; the number of errors found. */
static int check_rules(const char **files, size_t nfiles, const char **gaz,
		       size_t ngaz)
{
	struct rules_opts ro;
	struct rules *r;
	char **def = NULL, *gazdir = NULL;
	size_t ndef = 0;
	int nerr = 0;

	rules_opts_init(&ro);
	ro.gaz_files = gaz;
	ro.ngaz = ngaz;
	if (ngaz == 0)
		ro.gaz_dir = gazdir = data_path("gazetteers");
	if (nfiles == 0) {
		ndef = rules_default_files(&def);
		if (ndef == 0) {
			fprintf(stderr, "vnie check: no rule files found\n");
			free(gazdir);
			return 1;
		}
	}
	r = rules_load(nfiles ? files : (const char **)def,
		       nfiles ? nfiles : ndef, &ro, report, &nerr);
	if (r == NULL && nerr == 0)
		nerr = 1;
	rules_free(r);
	rules_files_free(def, ndef);
	free(gazdir);
	return nerr;
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rules", required_argument, NULL, 'r' },
		{ "gazetteer", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char **files = NULL, **gaz = NULL;
	size_t nfiles = 0, ngaz = 0;
	int c, nerr = 0, rc;

	while ((c = getopt_long(argc, argv, "r:g:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			files = xrealloc(files, (nfiles + 1) * sizeof(*files));
			files[nfiles++] = optarg;
			break;
		case 'g':
			gaz = xrealloc(gaz, (ngaz + 1) * sizeof(*gaz));
			gaz[ngaz++] = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			free(files);
			free(gaz);
			return jsonl_finish() < 0 ? VNIE_EXIT_IO : 0;
		default:
			fprintf(stderr, "try 'vnie check --help'\n");
			free(files);
			free(gaz);
			return VNIE_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		free(files);
		free(gaz);
		return stage_usage_error("check", "unexpected argument '%s'",
					 argv[optind]);
	}
	nerr += check_rules(files, nfiles, gaz, ngaz);
	rc = nerr ? VNIE_EXIT_USAGE : VNIE_EXIT_OK;
	free(files);
	free(gaz);
	return rc;
}
