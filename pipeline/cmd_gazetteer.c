/*
 * cmd_gazetteer.c: `vnie gazetteer`, the gazetteer stage: loads the default
 * gazetteers (or those given with -g), optionally keeps only some classes,
 * and adds an entity for every match to each record (gaz.h does the work).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "gaz.h"
#include "jsonl.h"
#include "stage.h"

static const char usage[] =
	"usage: vnie gazetteer [-g FILE]... [--class NAME]... [options]\n"
	"\n"
	"Read document records on standard input and add an entity for every\n"
	"gazetteer entry found in the text: longest-leftmost per class, on\n"
	"syllable boundaries, ignoring case, tone-mark placement and runs of\n"
	"spaces, never across a sentence boundary when the record has\n"
	"\"sentences\". Each entity carries canonical, class, the entry's\n"
	"attributes and source (file:line). Format: docs/gazetteers.md.\n"
	"\n"
	"options:\n"
	"  -g, --gazetteer FILE\n"
	"                    use FILE instead of the default gazetteers\n"
	"                    (repeatable; the class is FILE's base name)\n"
	"  --class NAME      only match class NAME (repeatable)\n"
	STAGE_JOBS_HELP
	STAGE_OPTS_HELP;

enum { OPT_CLASS = 0x2000 };

int cmd_gazetteer(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "gazetteer", required_argument, NULL, 'g' },
		{ "class", required_argument, NULL, OPT_CLASS },
		STAGE_JOBS_LONGOPT,
		STAGE_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct stage st;
	struct gaz *g = NULL;
	char **files = xcalloc((size_t)argc, sizeof(*files));
	char **classes = xcalloc((size_t)argc, sizeof(*classes));
	size_t nfiles = 0, nclasses = 0, i;
	int c, rc;

	stage_init(&st, "gazetteer", gaz_stage, NULL);
	while ((c = getopt_long(argc, argv, "g:hj:", opts, NULL)) != -1) {
		switch (c) {
		case 'g':
			files[nfiles++] = optarg;
			break;
		case OPT_CLASS:
			classes[nclasses++] = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			rc = jsonl_finish() < 0 ? VNIE_EXIT_IO : 0;
			goto out;
		default:
			if (stage_opt_or_usage(&st, c, optarg) > 0)
				break;
			rc = VNIE_EXIT_USAGE;
			goto out;
		}
	}
	if (optind < argc) {
		rc = stage_usage_error("gazetteer", "unexpected argument '%s' "
				       "(records are read from standard input)",
				       argv[optind]);
		goto out;
	}
	g = gaz_new();
	if (gaz_load_paths(g, files, nfiles, vnie_report, NULL) < 0) {
		rc = VNIE_EXIT_USAGE;
		goto out;
	}
	for (i = 0; i < nclasses; i++) {
		if (gaz_select_class(g, classes[i]) < 0) {
			struct buf known = BUF_INIT;

			for (size_t k = 0; k < gaz_nclasses(g); k++)
				buf_printf(&known, "%s%s", k ? ", " : "",
					   gaz_class_name(g, k));
			rc = stage_usage_error("gazetteer", "no gazetteer class "
					       "'%s' (classes: %s)", classes[i],
					       known.p ? known.p : "none");
			buf_release(&known);
			goto out;
		}
	}
	st.ctx = g;
	st.quick = gaz_quick;
	rc = stage_run(&st, stdin);
out:
	gaz_free(g);
	free(files);
	free(classes);
	return rc;
}
