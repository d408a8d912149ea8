/*
 * fuzz_read.c: libFuzzer target for `vnie read` on raw bytes. The first
 * byte picks --by file, line or para; the rest is the file. cmd_read.c is
 * compiled into this target with its writer replaced by a checker, so the
 * real splitting code runs: every record must be one line of JSON with a
 * string id and a valid UTF-8 text, --by file must give exactly one record
 * whose text is the sanitized file (BOM dropped), and every warning must
 * name a byte offset where the file really holds ill-formed UTF-8.
 */
#define jsonl_write fuzz_read_sink
#include "../../pipeline/cmd_read.c"

#include <stdint.h>

#define MUST(c) do { if (!(c)) { fprintf(stderr, "fuzz_read: %s failed " \
	"at %s:%d\n", #c, __FILE__, __LINE__); abort(); } } while (0)

static const unsigned char *file;  /* the input file being read */
static size_t file_n;
static size_t records;
static struct buf texts;           /* texts of the records, concatenated */

int fuzz_read_sink(const void *p, size_t n)
{
	const char *s = p, *t;
	json_error_t jerr;
	json_t *v, *w, *x;
	size_t i, off;
	int32_t cp;

	MUST(n > 0 && s[n - 1] == '\n' && memchr(s, '\n', n) == s + n - 1);
	MUST(utf8_valid(s, n));
	v = json_loadb(s, n - 1, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES,
		       &jerr);
	MUST(v != NULL && json_is_object(v));
	MUST(json_is_string(json_object_get(v, "id")));
	MUST(json_is_string(json_object_get(v, "text")));
	t = json_string_value(json_object_get(v, "text"));
	buf_add(&texts, t, json_string_length(json_object_get(v, "text")));
	w = json_object_get(v, "warnings");
	json_array_foreach(w, i, x) {
		if (sscanf(json_string_value(x), "read: invalid UTF-8 at byte "
			   "%zu", &off) != 1)
			continue;
		MUST(off < file_n);
		utf8_decode(file + off, file_n - off, &cp);
		MUST(cp < 0);
	}
	json_decref(v);
	records++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader rd = { BY_FILE, VNIE_EXIT_OK, BUF_INIT };
	struct buf want = BUF_INIT;
	size_t skip;

	if (size == 0)
		return 0;
	rd.by = data[0] % 3 == 0 ? BY_FILE : data[0] % 3 == 1 ? BY_LINE
							      : BY_PARA;
	file = data + 1;
	file_n = size - 1;
	records = 0;
	buf_reset(&texts);
	MUST(emit_file(&rd, "fuzz", (const char *)file, file_n) == 0);
	if (rd.by == BY_FILE) {
		MUST(records == 1);
		skip = file_n >= 3 && memcmp(file, "\xEF\xBB\xBF", 3) == 0
			? 3 : 0;
		utf8_sanitize((const char *)file + skip, file_n - skip, &want,
			      NULL, NULL);
		MUST(want.n == texts.n &&
		     memcmp(want.p ? want.p : "", texts.p ? texts.p : "",
			    want.n) == 0);
	} else {
		/* no record of a split file is blank or holds a newline */
		MUST(memchr(texts.p ? texts.p : "", '\n', texts.n) == NULL ||
		     rd.by == BY_PARA);
	}
	buf_release(&want);
	buf_release(&rd.out);
	return 0;
}
