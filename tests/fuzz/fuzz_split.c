/*
 * fuzz_split.c: libFuzzer target for sentence splitting: sent_split on
 * arbitrary text (made valid UTF-8), with the default abbreviation file,
 * a small --max-length, and --lines picked by the first byte. Sentences
 * must be in order, not overlap, lie within the text, start and end on
 * character boundaries, and respect the length cap; sent_stage on the same
 * text must give a record that passes doc_check.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sent.h"
#include "utf8.h"

#define MUST(c) do { if (!(c)) { fprintf(stderr, "fuzz_split: %s failed " \
	"at %s:%d\n", #c, __FILE__, __LINE__); abort(); } } while (0)

#define FUZZ_MAX_LENGTH 40

static struct sent *splitters[2];

static const char abbrev[] = "TP.\nTS.\nv.v.\nThS.\nPGS.\nNxb.\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sent_opts o;
	struct vnie_error err;
	int i;

	for (i = 0; i < 2; i++) {
		sent_opts_init(&o);
		o.lines = i;
		o.max_length = FUZZ_MAX_LENGTH;
		o.abbrev_data = abbrev;
		o.abbrev_len = sizeof(abbrev) - 1;
		splitters[i] = sent_new(&o, &err);
		if (splitters[i] == NULL) {
			fprintf(stderr, "fuzz_split: %s\n", err.msg);
			abort();
		}
	}
	return 0;
}

static int boundary(const char *s, size_t n, size_t b)
{
	return b == 0 || b == n || ((unsigned char)s[b] & 0xC0) != 0x80;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf in = BUF_INIT, line = BUF_INIT;
	struct vnie_error err;
	struct sent *sp;
	size_t *b = NULL, nb = 0, ncut = 0, i, prev = 0;
	struct doc d, d2;
	const char *s;

	if (size == 0)
		return 0;
	sp = splitters[data[0] & 1];
	utf8_sanitize((const char *)data + 1, size - 1, &in, NULL, NULL);
	s = in.p ? in.p : "";
	MUST(sent_split(sp, s, in.n, &b, &nb, &ncut, &err) == 0);
	for (i = 0; i < nb; i++) {
		size_t st = b[2 * i], en = b[2 * i + 1];

		MUST(st >= prev && st < en && en <= in.n);
		MUST(boundary(s, in.n, st) && boundary(s, in.n, en));
		MUST(utf8_count(s + st, en - st) <= FUZZ_MAX_LENGTH);
		prev = en;
	}
	free(b);

	doc_new(&d, "f", s, in.n);
	MUST(sent_stage(sp, &d, &err) == 0 || err.msg[0] != '\0');
	doc_write(&d, &line);
	doc_release(&d);
	MUST(doc_parse(&d2, line.p, line.n - 1, 1, &err) == DOC_RECORD);
	MUST(doc_check(&d2, &err) == 0);
	doc_release(&d2);
	buf_release(&line);
	buf_release(&in);
	return 0;
}
