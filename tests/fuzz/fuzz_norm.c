/*
 * fuzz_norm.c: libFuzzer target for normalize: norm_text with options
 * picked by the first byte, on the rest made valid UTF-8. It asserts that
 * the output is valid UTF-8, that the offset map stays within the raw
 * text and never goes backwards, that it maps the text's end to the raw
 * end and survives offmap_to_json/from_json, that normalising the output
 * again changes nothing (one placement per syllable), and that the tone
 * placement function keeps text valid in both styles.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "norm.h"
#include "utf8.h"

#define MUST(c) do { if (!(c)) { fprintf(stderr, "fuzz_norm: %s failed " \
	"at %s:%d\n", #c, __FILE__, __LINE__); abort(); } } while (0)

static void check_map(const struct offmap *m, size_t tlen, size_t rlen)
{
	struct offmap back;
	struct vnie_error err;
	size_t t, r, prev = 0;
	json_t *j;

	for (t = 0; t <= tlen; t++) {
		r = offmap_to_raw(m, t);
		MUST(r <= rlen && r >= prev);
		prev = r;
	}
	MUST(offmap_to_raw(m, tlen) == rlen);
	prev = 0;
	for (r = 0; r <= rlen; r++) {
		t = offmap_to_text(m, r);
		MUST(t <= tlen && t >= prev);
		prev = t;
	}
	j = offmap_to_json(m);
	MUST(offmap_from_json(&back, j, tlen, rlen, &err) == 0);
	for (t = 0; t <= tlen; t++)
		MUST(offmap_to_raw(&back, t) == offmap_to_raw(m, t));
	offmap_release(&back);
	json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct norm_opts o;
	struct buf in = BUF_INIT, out = BUF_INIT, again = BUF_INIT;
	struct buf tone = BUF_INIT;
	struct offmap m, m2;
	unsigned f;
	int r;

	if (size == 0)
		return 0;
	f = data[0];
	utf8_sanitize((const char *)data + 1, size - 1, &in, NULL, NULL);
	norm_opts_init(&o);
	o.style = f & 1 ? NORM_TONE_NEW : NORM_TONE_OLD;
	o.nfc = !(f & 2);
	o.tone = !(f & 4);
	o.spaces = !(f & 8);
	o.zero_width = !(f & 16);
	o.newlines = !(f & 32);
	o.dstroke = !(f & 64);
	offmap_init(&m);
	r = norm_text(&o, in.p ? in.p : "", in.n, &out, &m, NULL, NULL);
	MUST(r == 0 || r == 1);
	if (r == 1) {
		MUST(utf8_valid(out.p ? out.p : "", out.n));
		check_map(&m, utf8_count(out.p, out.n),
			  utf8_count(in.p, in.n));
		/* a second run finds nothing to do when every step is on */
		if ((f & 126) == 0) {
			offmap_init(&m2);
			r = norm_text(&o, out.p ? out.p : "", out.n, &again,
				      &m2, NULL, NULL);
			if (r != 0)
				fprintf(stderr, "not idempotent: '%.*s' -> "
					"'%.*s'\n", (int)out.n, out.p,
					(int)again.n, again.p);
			MUST(r == 0);
			offmap_release(&m2);
		}
	}
	offmap_release(&m);
	norm_tone_text(in.p ? in.p : "", in.n, o.style, &tone);
	MUST(utf8_valid(tone.p ? tone.p : "", tone.n));
	buf_release(&in);
	buf_release(&out);
	buf_release(&again);
	buf_release(&tone);
	return 0;
}
