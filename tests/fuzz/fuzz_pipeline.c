/*
 * fuzz_pipeline.c: libFuzzer target for the whole chain on one record:
 * read's UTF-8 repair, then normalize, split, gazetteer and rules with the
 * default data ($VNIE_DATA must point at a tree holding rules/ and
 * gazetteers/), through stage_chain as `vnie run` applies it. Exactly one
 * output line must come out, a JSON object in valid UTF-8: an error record,
 * or a record that passes doc_check with offsets inside "raw" as well.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "gaz.h"
#include "input.h"
#include "norm.h"
#include "offmap.h"
#include "rules.h"
#include "sent.h"
#include "stage.h"

#define MUST(c) do { if (!(c)) { fprintf(stderr, "fuzz_pipeline: %s " \
	"failed at %s:%d\n", #c, __FILE__, __LINE__); abort(); } } while (0)

static struct norm_opts nopts;
static struct stage st[4];

static void report(void *arg, const char *file, size_t line, size_t col,
		   const char *msg)
{
	(void)arg;
	fprintf(stderr, "fuzz_pipeline: %s:%zu:%zu: %s\n", file ? file : "",
		line, col, msg);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sent_opts so;
	struct rules_opts ro;
	struct vnie_error err;
	struct sent *sp;
	struct gaz *g;
	struct rules *r;
	char **files;
	size_t nfiles;

	norm_opts_init(&nopts);
	sent_opts_init(&so);
	if ((sp = sent_new(&so, &err)) == NULL) {
		fprintf(stderr, "fuzz_pipeline: %s (set VNIE_DATA)\n", err.msg);
		abort();
	}
	g = gaz_new();
	if (gaz_load_paths(g, NULL, 0, report, NULL) < 0 ||
	    gaz_nentries(g) == 0) {
		fprintf(stderr, "fuzz_pipeline: no gazetteers (set VNIE_DATA)\n");
		abort();
	}
	nfiles = rules_default_files(&files);
	rules_opts_init(&ro);
	ro.gaz_dir = data_path("gazetteers");
	r = rules_load((const char **)files, nfiles, &ro, report, NULL);
	rules_files_free(files, nfiles);
	if (nfiles == 0 || r == NULL) {
		fprintf(stderr, "fuzz_pipeline: no rules (set VNIE_DATA)\n");
		abort();
	}
	stage_init(&st[0], "normalize", norm_stage, &nopts);
	stage_init(&st[1], "split", sent_stage, sp);
	stage_init(&st[2], "gazetteer", gaz_stage, g);
	stage_init(&st[3], "rules", rules_stage, r);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out = BUF_INIT;
	struct vnie_error err;
	struct doc d;
	struct offmap m;
	json_t *e, *raw;
	size_t i, s, en, rn;

	{
		struct buf clean = BUF_INIT;

		utf8_sanitize((const char *)data, size, &clean, NULL, NULL);
		doc_new(&d, "f", clean.p ? clean.p : "", clean.n);
		buf_release(&clean);
	}
	stage_chain(st, 4, &d, 1, NULL, 0, &out);
	MUST(out.n > 0 && out.p[out.n - 1] == '\n' &&
	     memchr(out.p, '\n', out.n) == out.p + out.n - 1);
	MUST(utf8_valid(out.p, out.n));
	MUST(doc_parse(&d, out.p, out.n - 1, 1, &err) != DOC_BAD);
	if (d.root != NULL) {
		MUST(doc_check(&d, &err) == 0);
		raw = json_object_get(d.root, "raw");
		if (raw != NULL) {
			rn = utf8_count(json_string_value(raw),
					json_string_length(raw));
			MUST(offmap_from_json(&m, json_object_get(d.root,
				"offsets"), doc_ncp(&d), rn, &err) == 0);
			json_array_foreach(json_object_get(d.root, "entities"),
					   i, e) {
				MUST(doc_span(e, &s, &en) == 0);
				MUST(offmap_to_raw(&m, s) <=
				     offmap_to_raw(&m, en));
				MUST(offmap_to_raw(&m, en) <= rn);
			}
			offmap_release(&m);
		}
		doc_release(&d);
	}
	buf_release(&out);
	return 0;
}
