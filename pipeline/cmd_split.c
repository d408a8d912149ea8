/*
 * cmd_split.c: `vnie split`, the sentence stage. Parses the options, builds
 * the splitter (sent.h) and runs it over the records of standard input
 * with the shared record loop; the splitting itself lives in sent.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "jsonl.h"
#include "sent.h"
#include "stage.h"

static const char usage[] =
	"usage: vnie split [--lines] [--max-length N] [--abbrev FILE]\n"
	"\n"
	"Add \"sentences\": [[start, end], ...] to each record of standard\n"
	"input (code points into \"text\", end exclusive), replacing any\n"
	"there. Sentences cover every non-space character once and never\n"
	"start or end with a space. ICU's sentence rules, corrected for\n"
	"Vietnamese news: abbreviations (TP., TS., v.v.), numbers (6.943,\n"
	"06.11.2022), a line without final punctuation is a sentence, a blank\n"
	"line always ends one. See docs/split.md.\n"
	"\n"
	"options:\n"
	"  --lines           one sentence per non-blank line (no ICU)\n"
	"  --max-length N    cut sentences longer than N code points at the\n"
	"                    last space before the limit, with a warning\n"
	"                    (default 2000; 0: never)\n"
	"  --abbrev FILE     abbreviation list (default: the data directory's\n"
	"                    rules/abbreviations.txt)\n"
	STAGE_JOBS_HELP
	STAGE_OPTS_HELP;

/*
 * split replaces "sentences" whatever they held, so stale ones (from before
 * the text was edited) must not get the record rejected: they are emptied
 * before the usual input check, in place to keep the key order.
 */
static int split_record(void *ctx, struct doc *d, struct vnie_error *err)
{
	json_t *r = d->root;

	if (json_object_get(r, "sentences") != NULL)
		json_object_set_new(r, "sentences", json_array());
	/* nothing else to check (and no code-point index to build) when the
	 * record holds no annotations */
	if ((json_object_get(r, "entities") != NULL ||
	     json_object_get(r, "relations") != NULL) && doc_check(d, err) < 0)
		return -1;
	return sent_stage(ctx, d, err);
}

enum { OPT_LINES = 0x100, OPT_MAX_LENGTH, OPT_ABBREV };

int cmd_split(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "lines", no_argument, NULL, OPT_LINES },
		{ "max-length", required_argument, NULL, OPT_MAX_LENGTH },
		{ "abbrev", required_argument, NULL, OPT_ABBREV },
		STAGE_JOBS_LONGOPT,
		STAGE_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct sent_opts o;
	struct stage st;
	struct sent *s;
	struct vnie_error err;
	int c, rc;

	sent_opts_init(&o);
	stage_init(&st, "split", split_record, NULL);
	st.check_input = 0; /* split_record checks, after emptying sentences */
	while ((c = getopt_long(argc, argv, "hj:", opts, NULL)) != -1) {
		switch (c) {
		case OPT_LINES:
			o.lines = 1;
			break;
		case OPT_MAX_LENGTH:
			if (stage_parse_size(optarg, &o.max_length) < 0)
				return stage_usage_error("split", "bad "
					"--max-length '%s'", optarg);
			break;
		case OPT_ABBREV:
			o.abbrev_path = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return jsonl_finish() < 0 ? stage_write_error() : 0;
		default:
			if (stage_opt_or_usage(&st, c, optarg) < 0)
				return VNIE_EXIT_USAGE;
		}
	}
	if (optind < argc)
		return stage_usage_error("split", "unexpected argument '%s' "
					 "(records come on standard input)",
					 argv[optind]);
	if ((s = sent_new(&o, &err)) == NULL) {
		fprintf(stderr, "vnie split: %s\n", err.msg);
		return VNIE_EXIT_USAGE;
	}
	st.ctx = s;
	st.quick = sent_quick;
	rc = stage_run(&st, stdin);
	sent_free(s);
	sent_thread_release();
	return rc;
}
