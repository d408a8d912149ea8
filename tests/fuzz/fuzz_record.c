/*
 * fuzz_record.c: libFuzzer target for the record path every stage shares:
 * the line reader (jsonl), doc_parse, doc_check, doc_write and the stage
 * loop's stage_line, on arbitrary bytes. It asserts the guarantees of
 * docs/robustness.md rather than only looking for crashes: one output line
 * per input line, every output line a JSON object in valid UTF-8, a record
 * written and read back keeps its text, and an entity added to a record
 * that passed doc_check passes it again.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "jsonl.h"
#include "stage.h"
#include "utf8.h"

/* A small --max-line so that the too-long path is reached by short inputs. */
#define FUZZ_MAX_LINE 200

#define MUST(c) do { if (!(c)) { fprintf(stderr, "fuzz_record: %s failed " \
	"at %s:%d\n", #c, __FILE__, __LINE__); abort(); } } while (0)

/* Each line of out[0..n) is a JSON object in valid UTF-8; returns lines. */
static size_t check_lines(const char *s, size_t n)
{
	size_t lines = 0;

	MUST(n == 0 || s[n - 1] == '\n');
	MUST(utf8_valid(s, n));
	while (n > 0) {
		const char *nl = memchr(s, '\n', n);
		size_t len = (size_t)(nl - s);
		json_error_t jerr;
		json_t *v = json_loadb(s, len, JSON_ALLOW_NUL, &jerr);

		MUST(v != NULL && json_is_object(v));
		json_decref(v);
		lines++;
		n -= len + 1;
		s = nl + 1;
	}
	return lines;
}

static void one_record(const char *s, size_t n)
{
	struct vnie_error err;
	struct doc d, d2;
	struct buf out = BUF_INIT, out2 = BUF_INIT;
	size_t ncp;

	if (doc_parse(&d, s, n, 1, &err) != DOC_RECORD)
		return;
	ncp = doc_ncp(&d);
	MUST(ncp == utf8_count(d.text, d.len));
	doc_write(&d, &out);
	MUST(check_lines(out.p, out.n) == 1);
	MUST(doc_parse(&d2, out.p, out.n - 1, 1, &err) == DOC_RECORD);
	MUST(d2.len == d.len && memcmp(d2.text, d.text, d.len) == 0);
	doc_write(&d2, &out2);
	MUST(out2.n == out.n && memcmp(out2.p, out.p, out.n) == 0);
	doc_release(&d2);
	if (doc_check(&d, &err) == 0) {
		json_t *e = doc_add_entity(&d, "X", ncp / 3, ncp / 2, NULL);
		json_t *r = doc_add_relation(&d, "rel", "fuzz");

		json_object_set(json_object_get(r, "args"), "a",
				json_object_get(e, "id"));
		MUST(doc_check(&d, &err) == 0);
	}
	doc_release(&d);
	buf_release(&out);
	buf_release(&out2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct stage st;
	struct jsonl_reader r;
	struct buf out = BUF_INIT;
	const char *line;
	size_t n, toolong, want = 0, i;
	FILE *fp;

	one_record(s, size);

	/* The stage loop over the same bytes read as lines. */
	for (i = 0; i < size; i++)
		want += s[i] == '\n';
	if (size > 0 && s[size - 1] != '\n')
		want++;
	if (size == 0)
		return 0;
	fp = fmemopen((void *)data, size, "rb");
	MUST(fp != NULL);
	stage_init(&st, "fuzz", NULL, NULL);
	st.max_line = FUZZ_MAX_LINE;
	jsonl_reader_init(&r, fp, st.max_line);
	while (jsonl_next(&r, &line, &n, &toolong))
		stage_line(&st, 1, line, n, toolong, r.line, &out);
	MUST(r.line == want);
	MUST(check_lines(out.p, out.n) == want);
	jsonl_reader_release(&r);
	fclose(fp);
	buf_release(&out);
	return 0;
}
