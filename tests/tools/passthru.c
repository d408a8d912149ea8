/*
 * passthru.c: the shared record loop (stage_run) with no stage function,
 * for the hostile-input tests: every line goes through jsonl_next,
 * doc_parse, doc_check and doc_write exactly as in a real stage, so the
 * loop's guarantees can be tested before and apart from any stage.
 * Usage: passthru [--max-line BYTES] [--strict] < records
 */
#include <stdio.h>

#include "jsonl.h"
#include "stage.h"
#include "vnie.h"

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		STAGE_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct stage st;
	int c, r;

	vnie_progname = "vnie passthru";
	jsonl_setup();
	stage_init(&st, "passthru", NULL, NULL);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		r = stage_opt(&st, c, optarg);
		if (r < 0)
			return VNIE_EXIT_USAGE;
		if (r == 0)
			return stage_usage_error("passthru", "bad option");
	}
	if (optind != argc)
		return stage_usage_error("passthru", "no arguments expected");
	return stage_run(&st, stdin);
}
