/*
 * fuzz_gaz.c: libFuzzer target for the gazetteer loader and matcher. The
 * input is a gazetteer file, a NUL byte, then a text: the file is loaded
 * with gaz_load_mem (every problem reported, none fatal), the text
 * (raw bytes: gaz_match takes any) matched, and each hit must lie within
 * the text with start < end; gaz_stage on the text made valid UTF-8 must
 * give a record whose entities pass doc_check.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gaz.h"
#include "utf8.h"

#define MUST(c) do { if (!(c)) { fprintf(stderr, "fuzz_gaz: %s failed " \
	"at %s:%d\n", #c, __FILE__, __LINE__); abort(); } } while (0)

static void ignore(void *arg, const char *file, size_t line, size_t col,
		   const char *msg)
{
	(void)arg; (void)file; (void)line; (void)col; (void)msg;
}

struct hits {
	size_t n;
	size_t count;
};

static int on_hit(void *arg, const struct gaz_hit *h)
{
	struct hits *hs = arg;

	MUST(h->start < h->end && h->end <= hs->n);
	MUST(h->e != NULL && h->e->surface != NULL);
	hs->count++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *text;
	const char *nul = memchr(s, '\0', size);
	size_t fn, tn;
	struct gaz *g;
	struct hits hs;
	struct buf clean = BUF_INIT, line = BUF_INIT;
	struct vnie_error err;
	struct doc d, d2;

	if (nul == NULL)
		return 0;
	fn = (size_t)(nul - s);
	text = nul + 1;
	tn = size - fn - 1;
	g = gaz_new();
	gaz_load_mem(g, s, fn, "gazetteers/org.tsv", ignore, NULL);
	hs.n = tn;
	hs.count = 0;
	MUST(gaz_match(g, text, tn, on_hit, &hs) == 0);

	utf8_sanitize(text, tn, &clean, NULL, NULL);
	doc_new(&d, "f", clean.p ? clean.p : "", clean.n);
	MUST(gaz_stage(g, &d, &err) >= 0);
	doc_write(&d, &line);
	doc_release(&d);
	MUST(doc_parse(&d2, line.p, line.n - 1, 1, &err) == DOC_RECORD);
	MUST(doc_check(&d2, &err) == 0);
	doc_release(&d2);
	buf_release(&line);
	buf_release(&clean);
	gaz_free(g);
	return 0;
}
