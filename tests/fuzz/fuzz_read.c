/*
 * fuzz_read.c: libFuzzer target for `vnie read` on raw bytes, through
 * input_bytes() (pipeline/input.c), which read and run share. The first
 * byte picks --by file, line or para; the rest is the file. Every record
 * must serialise to one line of JSON with a string id and a text in valid
 * UTF-8 with no newline when split by line; --by file must give exactly
 * one record whose text is the sanitized file (BOM dropped); every
 * warning must name a byte offset where the file holds ill-formed UTF-8.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "input.h"
#include "utf8.h"

#define MUST(c) do { if (!(c)) { fprintf(stderr, "fuzz_read: %s failed " \
	"at %s:%d\n", #c, __FILE__, __LINE__); abort(); } } while (0)

struct seen {
	const unsigned char *file; /* the input file being read */
	size_t file_n;
	enum input_by by;
	size_t records;
	struct buf texts;          /* texts of the records, concatenated */
	struct buf line;
};

static int check_record(void *arg, struct doc *d)
{
	struct seen *sn = arg;
	const char *s, *t;
	json_error_t jerr;
	json_t *v, *w, *x;
	size_t i, off, n, tn;
	int32_t cp;

	buf_reset(&sn->line);
	doc_write(d, &sn->line);
	doc_release(d);
	s = sn->line.p;
	n = sn->line.n;
	MUST(n > 0 && s[n - 1] == '\n' && memchr(s, '\n', n) == s + n - 1);
	MUST(utf8_valid(s, n));
	v = json_loadb(s, n - 1, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES,
		       &jerr);
	MUST(v != NULL && json_is_object(v));
	MUST(json_is_string(json_object_get(v, "id")));
	MUST(json_is_string(json_object_get(v, "text")));
	t = json_string_value(json_object_get(v, "text"));
	tn = json_string_length(json_object_get(v, "text"));
	if (sn->by == INPUT_BY_LINE)
		MUST(memchr(t, '\n', tn) == NULL && tn > 0);
	if (sn->by != INPUT_BY_FILE)
		MUST(tn > 0);
	buf_add(&sn->texts, t, tn);
	w = json_object_get(v, "warnings");
	json_array_foreach(w, i, x) {
		if (sscanf(json_string_value(x), "read: invalid UTF-8 at byte "
			   "%zu", &off) != 1)
			continue;
		MUST(off < sn->file_n);
		utf8_decode(sn->file + off, sn->file_n - off, &cp);
		MUST(cp < 0);
	}
	json_decref(v);
	sn->records++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen sn;
	struct input in;
	struct buf want = BUF_INIT;
	size_t skip;

	if (size == 0)
		return 0;
	memset(&sn, 0, sizeof(sn));
	memset(&in, 0, sizeof(in));
	sn.by = data[0] % 3 == 0 ? INPUT_BY_FILE : data[0] % 3 == 1
		? INPUT_BY_LINE : INPUT_BY_PARA;
	sn.file = data + 1;
	sn.file_n = size - 1;
	in.by = sn.by;
	in.emit = check_record;
	in.arg = &sn;
	MUST(input_bytes(&in, "fuzz", (const char *)sn.file, sn.file_n) == 0);
	if (sn.by == INPUT_BY_FILE) {
		MUST(sn.records == 1);
		skip = sn.file_n >= 3 &&
		       memcmp(sn.file, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
		utf8_sanitize((const char *)sn.file + skip, sn.file_n - skip,
			      &want, NULL, NULL);
		MUST(want.n == sn.texts.n &&
		     memcmp(want.p ? want.p : "", sn.texts.p ? sn.texts.p : "",
			    want.n) == 0);
	}
	buf_release(&want);
	buf_release(&sn.texts);
	buf_release(&sn.line);
	return 0;
}
