/*
 * cmd_rules.c: `vnie rules`, the rule stage. Parses options, loads the
 * rule set (the default one, or the -r files), refuses to start on any
 * error in it, and hands each record to rules_stage() through the shared
 * record loop. The engine itself is rules.c.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "data.h"
#include "jsonl.h"
#include "rules.h"
#include "stage.h"

static const char usage[] =
	"usage: vnie rules [-r FILE]... [-g FILE]... [--trace] [options]\n"
	"\n"
	"Run rule files over document records: PCRE2 patterns over each\n"
	"sentence, with macros, word lists, references to entities already\n"
	"found ({ORG}, @titles) and actions that add entities, relations or\n"
	"suppress what was found. Adds \"entities\" and \"relations\".\n"
	"The language is described in docs/rules.md.\n"
	"\n"
	"options:\n"
	"  -r, --rules FILE      a rule file (repeatable; each is a phase, in\n"
	"                        the order given); default: every *.rules of\n"
	"                        the data folder's rules/ not starting with _\n"
	"  -g, --gazetteer FILE  a gazetteer file (repeatable): its name is a\n"
	"                        class for @class and it serves word lists of\n"
	"                        the same file name; default: gazetteers/\n"
	"  --trace               log to stderr which rule matched where, what\n"
	"                        lost a conflict and why\n"
	"  --stats               at the end, one line per rule on stderr, the\n"
	"                        costliest first: time, sentences, matches,\n"
	"                        entities kept and lost, relations\n"
	"  --match-limit N       PCRE2 match limit per match (default 1000000)\n"
	"  --depth-limit N       PCRE2 depth limit per match (default 10000)\n"
	"  --heap-limit KB       PCRE2 heap limit per match (default 20000)\n"
	"  --no-doc-step         skip the document-level step (acronyms,\n"
	"                        the document's place)\n"
	"  --no-prefilter        run every rule on every sentence, without\n"
	"                        start hints (slower; the output must not\n"
	"                        change)\n"
	STAGE_JOBS_HELP
	STAGE_OPTS_HELP;

enum {
	OPT_TRACE = 0x2000, OPT_MATCH, OPT_DEPTH, OPT_HEAP, OPT_NODOC,
	OPT_NOPRE, OPT_STATS
};

static void log_line(const char *msg)
{
	stage_message("vnie rules: %s", msg);
}

static int parse_ulong(const char *s, unsigned long *out)
{
	size_t v;

	if (stage_parse_size(s, &v) < 0 || v == 0 || v > 0xFFFFFFFFUL)
		return -1;
	*out = (unsigned long)v;
	return 0;
}

int cmd_rules(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rules", required_argument, NULL, 'r' },
		{ "gazetteer", required_argument, NULL, 'g' },
		{ "trace", no_argument, NULL, OPT_TRACE },
		{ "match-limit", required_argument, NULL, OPT_MATCH },
		{ "depth-limit", required_argument, NULL, OPT_DEPTH },
		{ "heap-limit", required_argument, NULL, OPT_HEAP },
		{ "no-doc-step", no_argument, NULL, OPT_NODOC },
		{ "no-prefilter", no_argument, NULL, OPT_NOPRE },
		{ "stats", no_argument, NULL, OPT_STATS },
		STAGE_JOBS_LONGOPT,
		STAGE_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct rules_opts ro;
	struct stage st;
	struct rules *r = NULL;
	const char **files = NULL, **gaz = NULL;
	char **deffiles = NULL, *gazdir = NULL;
	size_t nfiles = 0, ngaz = 0, ndef = 0;
	int c, rc;

	/* Each record allocates and frees the same few hundred kilobytes;
	 * without this glibc hands them back to the kernel after every
	 * record (brk down, brk up), measured at 5% of the stage's time. */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_TOP_PAD, 16 << 20);
	rules_opts_init(&ro);
	ro.log = log_line;
	stage_init(&st, "rules", rules_stage, NULL);
	while ((c = getopt_long(argc, argv, "r:g:hj:", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			files = xrealloc(files, (nfiles + 1) * sizeof(*files));
			files[nfiles++] = optarg;
			break;
		case 'g':
			gaz = xrealloc(gaz, (ngaz + 1) * sizeof(*gaz));
			gaz[ngaz++] = optarg;
			break;
		case OPT_TRACE:
			ro.trace = 1;
			break;
		case OPT_NODOC:
			ro.no_doc_step = 1;
			break;
		case OPT_NOPRE:
			ro.no_prefilter = 1;
			break;
		case OPT_STATS:
			ro.stats = 1;
			break;
		case OPT_MATCH:
		case OPT_DEPTH:
		case OPT_HEAP:
			if (parse_ulong(optarg, c == OPT_MATCH ? &ro.match_limit :
					c == OPT_DEPTH ? &ro.depth_limit :
					&ro.heap_limit_kb) < 0) {
				rc = stage_usage_error("rules", "bad %s '%s'",
					c == OPT_MATCH ? "--match-limit" :
					c == OPT_DEPTH ? "--depth-limit" :
					"--heap-limit", optarg);
				goto out;
			}
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
		rc = stage_usage_error("rules", "unexpected argument '%s'",
				       argv[optind]);
		goto out;
	}
	if (nfiles == 0) {
		ndef = rules_default_files(&deffiles);
		if (ndef == 0) {
			fprintf(stderr, "vnie rules: no rule files: give -r "
				"FILE or set VNIE_DATA\n");
			rc = VNIE_EXIT_USAGE;
			goto out;
		}
	}
	ro.gaz_files = gaz;
	ro.ngaz = ngaz;
	if (ngaz == 0)
		ro.gaz_dir = gazdir = data_path("gazetteers");
	r = rules_load(nfiles ? files : (const char **)deffiles,
		       nfiles ? nfiles : ndef, &ro, vnie_report, NULL);
	if (r == NULL) {
		rc = VNIE_EXIT_USAGE;
		goto out;
	}
	st.ctx = r;
	/* records read and written without jansson values where they can
	 * be; --trace and --stats log per record, so they take the usual
	 * path throughout and their logs keep one order */
	if (!ro.trace && !ro.stats) {
		st.quick = rules_quick;
		st.quick_batch = rules_quick_batch;
	}
	/* --trace follows one record after another: one thread */
	if (ro.trace)
		st.jobs = 1;
	rc = stage_run(&st, stdin);
	rules_thread_release();
	rules_report_stats(r, log_line);
out:
	rules_free(r);
	rules_files_free(deffiles, ndef);
	free(files);
	free(gaz);
	free(gazdir);
	return rc;
}
