/*
 * fuzz_offmap.c: libFuzzer target for the text <-> raw offset map. Even
 * first byte: the input builds a map from byte pairs (lengths up to 63);
 * odd: the rest is parsed as JSON and handed to offmap_from_json as the
 * "offsets" array. For every map accepted it asserts that to_raw and
 * to_text stay within the texts and never go backwards, that to_text(r)
 * is the first t with to_raw(t) >= r, and that the map survives a trip
 * through offmap_to_json.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "offmap.h"

#define MUST(c) do { if (!(c)) { fprintf(stderr, "fuzz_offmap: %s failed " \
	"at %s:%d\n", #c, __FILE__, __LINE__); abort(); } } while (0)

static void check_map(const struct offmap *m, size_t tlen, size_t rlen)
{
	struct offmap m2;
	struct vnie_error err;
	json_t *j;
	size_t t, r, prev = 0, first;

	for (t = 0; t <= tlen; t++) {
		r = offmap_to_raw(m, t);
		MUST(r <= rlen);
		MUST(r >= prev);
		prev = r;
	}
	prev = 0;
	for (r = 0; r <= rlen; r++) {
		t = offmap_to_text(m, r);
		MUST(t <= tlen);
		MUST(t >= prev);
		prev = t;
		for (first = 0; first <= tlen; first++)
			if (offmap_to_raw(m, first) >= r)
				break;
		if (first <= tlen)
			MUST(t == first);
	}
	j = offmap_to_json(m);
	MUST(offmap_from_json(&m2, j, tlen, rlen, &err) == 0);
	for (t = 0; t <= tlen; t++)
		MUST(offmap_to_raw(&m2, t) == offmap_to_raw(m, t));
	offmap_release(&m2);
	json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct offmap m;
	struct vnie_error err;
	json_t *a;
	json_error_t jerr;
	size_t tlen, rlen, i;

	if (size < 3)
		return 0;
	tlen = data[1] % 64;
	rlen = data[2] % 64;
	if (data[0] & 1) {
		a = json_loadb((const char *)data + 3, size - 3, 0, &jerr);
		if (a == NULL)
			return 0;
	} else {
		a = json_array();
		json_array_append_new(a, json_pack("[ii]", 0, 0));
		for (i = 3; i + 1 < size; i += 2)
			json_array_append_new(a, json_pack("[ii]",
				(int)(data[i] % 66), (int)(data[i + 1] % 66)));
	}
	if (offmap_from_json(&m, a, tlen, rlen, &err) == 0) {
		check_map(&m, tlen, rlen);
		offmap_release(&m);
	}
	json_decref(a);
	return 0;
}
