/*
 * test_offmap.c: the text <-> raw offset map: identity, deletions (a
 * zero-width space removed), replacements of different lengths, text that
 * maps onto one raw point; to_raw and to_text monotone, within the texts,
 * inverse of each other on spans that did not change; to_text(r) the
 * first t with to_raw(t) >= r; and offmap_from_json's rejections.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "offmap.h"
#include "t.h"

/* Load "offsets" JSON; -1 on error with the message in err. */
static int load(struct offmap *m, const char *json, size_t tlen, size_t rlen,
		struct vnie_error *err)
{
	json_error_t jerr;
	json_t *a = json ? json_loads(json, 0, &jerr) : NULL;
	int r;

	err->msg[0] = '\0';
	r = offmap_from_json(m, a, tlen, rlen, err);
	json_decref(a);
	return r;
}

/* Monotone, bounded, first-t property, and inverse on unchanged spans. */
static int props(const struct offmap *m, size_t tlen, size_t rlen)
{
	size_t t, r, prev = 0, first, k;
	int ok = 1;

	for (t = 0; t <= tlen; t++) {
		r = offmap_to_raw(m, t);
		ok &= r <= rlen && r >= prev;
		prev = r;
	}
	ok &= offmap_to_raw(m, tlen) == rlen;
	prev = 0;
	for (r = 0; r <= rlen; r++) {
		t = offmap_to_text(m, r);
		ok &= t <= tlen && t >= prev;
		prev = t;
		for (first = 0; first <= tlen; first++)
			if (offmap_to_raw(m, first) >= r)
				break;
		ok &= first > tlen || t == first;
	}
	/* inside a segment (between breakpoints, both sides advancing one
	 * for one) the maps are inverse */
	for (k = 0; k < m->n || (m->n == 0 && k == 0); k++) {
		size_t t0 = m->n ? m->t[k] : 0, r0 = m->n ? m->r[k] : 0;
		size_t t1 = k + 1 < m->n ? m->t[k + 1] : tlen;
		size_t r1 = k + 1 < m->n ? m->r[k + 1] : rlen;

		for (t = t0; t + 1 <= t1 && r0 + (t - t0) + 1 <= r1; t++) {
			r = offmap_to_raw(m, t);
			ok &= r == r0 + (t - t0);
			/* unless text before t maps onto the same raw point */
			if (t == 0 || offmap_to_raw(m, t - 1) < r)
				ok &= offmap_to_text(m, r) == t;
		}
	}
	return ok;
}

static void test_maps(void)
{
	struct vnie_error err;
	struct offmap m;
	json_t *j;
	char *s;

	CHECK("identity: no offsets", load(&m, NULL, 5, 5, &err) == 0 &&
	      m.n == 0 && offmap_to_raw(&m, 3) == 3 &&
	      offmap_to_text(&m, 4) == 4 && props(&m, 5, 5));
	offmap_release(&m);

	CHECK("empty array: loads as [[0,0]]",
	      load(&m, "[]", 4, 2, &err) == 0 && m.n == 1 &&
	      offmap_to_raw(&m, 3) == 2 && offmap_to_text(&m, 2) == 2 &&
	      props(&m, 4, 2));
	offmap_release(&m);

	/* found by fuzz_offmap: raw of length 0 did not clamp */
	CHECK("raw of length 0: to_raw clamps",
	      load(&m, "[[0,0]]", 5, 0, &err) == 0 &&
	      offmap_to_raw(&m, 3) == 0 && props(&m, 5, 0));
	offmap_release(&m);

	/* raw "\u00ADab" -> text "ab": the first breakpoint is [0,1] */
	CHECK("leading deletion: loads", load(&m, "[[0,1]]", 2, 3, &err) == 0);
	CHECK("leading deletion: to_raw", offmap_to_raw(&m, 0) == 1 &&
	      offmap_to_raw(&m, 2) == 3);
	CHECK("leading deletion: to_text", offmap_to_text(&m, 0) == 0 &&
	      offmap_to_text(&m, 1) == 0 && offmap_to_text(&m, 2) == 1);
	CHECK("leading deletion: properties", props(&m, 2, 3));
	offmap_release(&m);

	/* raw "a\u200Bbc" -> text "abc": breakpoints [0,0], [1,2] */
	CHECK("deletion: loads", load(&m, "[[0,0],[1,2]]", 3, 4, &err) == 0);
	CHECK("deletion: to_raw", offmap_to_raw(&m, 0) == 0 &&
	      offmap_to_raw(&m, 1) == 2 && offmap_to_raw(&m, 2) == 3 &&
	      offmap_to_raw(&m, 3) == 4);
	CHECK("deletion: to_text", offmap_to_text(&m, 0) == 0 &&
	      offmap_to_text(&m, 1) == 1 && offmap_to_text(&m, 2) == 1 &&
	      offmap_to_text(&m, 3) == 2 && offmap_to_text(&m, 4) == 3);
	CHECK("deletion: properties", props(&m, 3, 4));
	offmap_release(&m);

	/* raw "ab" -> text "aXYb" (text grows: X, Y map onto raw 1) */
	CHECK("insertion: loads", load(&m, "[[0,0],[3,1]]", 4, 2, &err) == 0);
	CHECK("insertion: to_raw clamps inside the inserted span",
	      offmap_to_raw(&m, 1) == 1 && offmap_to_raw(&m, 2) == 1 &&
	      offmap_to_raw(&m, 3) == 1 && offmap_to_raw(&m, 4) == 2);
	CHECK("insertion: to_text gives the first text offset",
	      offmap_to_text(&m, 1) == 1 && offmap_to_text(&m, 2) == 4);
	CHECK("insertion: properties", props(&m, 4, 2));
	offmap_release(&m);

	/* "Hoa\u0300 bi\u0300nh\r\n..." style: two decomposed marks
	 * composed (raw 2 code points -> text 1), CR dropped */
	CHECK("mixed: loads", load(&m, "[[0,0],[3,3],[4,5],[7,8],[8,10],"
				   "[11,14],[12,16]]", 20, 24, &err) == 0);
	CHECK("mixed: properties", props(&m, 20, 24));
	j = offmap_to_json(&m);
	s = json_dumps(j, JSON_COMPACT);
	CHECK_STR("mixed: to_json gives the breakpoints back", s, strlen(s),
		  "[[0,0],[3,3],[4,5],[7,8],[8,10],[11,14],[12,16]]");
	free(s);
	json_decref(j);
	offmap_release(&m);

	/* built with offmap_add, same raw offset for two text points */
	offmap_init(&m);
	offmap_add(&m, 0, 0);
	offmap_add(&m, 2, 2);
	offmap_add(&m, 2, 5);
	offmap_add(&m, 4, 7);
	m.tlen = 6;
	m.rlen = 9;
	CHECK("add: same t twice keeps the later raw", m.n == 3 &&
	      m.r[1] == 5);
	CHECK("add: properties", props(&m, 6, 9));
	offmap_release(&m);
}

static void test_reject(void)
{
	static const struct {
		const char *name, *json, *msg;
	} cases[] = {
		{ "not an array", "{}", "\"offsets\" is not an array" },
		{ "not starting at text 0", "[[1,1]]",
		  "offsets[0] = [1, 1] does not start at text offset 0" },
		{ "not a pair", "[[0,0],[1]]",
		  "offsets[1] is not a pair of offsets" },
		{ "a triple", "[[0,0],[1,2,3]]",
		  "offsets[1] is not a pair of offsets" },
		{ "negative", "[[0,0],[1,-2]]",
		  "offsets[1] is not a pair of offsets" },
		{ "strings", "[[0,0],[\"1\",2]]",
		  "offsets[1] is not a pair of offsets" },
		{ "reals", "[[0,0],[1.5,2]]",
		  "offsets[1] is not a pair of offsets" },
		{ "number", "[[0,0],3]",
		  "offsets[1] is not a pair of offsets" },
		{ "t repeated", "[[0,0],[2,2],[2,3]]",
		  "offsets[2] = [2, 3] is out of order or outside the text" },
		{ "t backwards", "[[0,0],[3,3],[2,4]]",
		  "offsets[2] = [2, 4] is out of order or outside the text" },
		{ "r backwards", "[[0,0],[2,3],[3,2]]",
		  "offsets[2] = [3, 2] is out of order or outside the text" },
		{ "t past text", "[[0,0],[11,2]]",
		  "offsets[1] = [11, 2] is out of order or outside the text" },
		{ "r past raw", "[[0,0],[2,13]]",
		  "offsets[1] = [2, 13] is out of order or outside the text" },
	};
	struct vnie_error err;
	struct offmap m;
	char name[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(name, sizeof(name), "from_json rejects %s",
			 cases[i].name);
		CHECK(name, load(&m, cases[i].json, 10, 12, &err) == -1 &&
		      m.n == 0 && m.t == NULL);
		snprintf(name, sizeof(name), "from_json message for %s",
			 cases[i].name);
		CHECK_STR(name, err.msg, strlen(err.msg), cases[i].msg);
	}
}

int main(void)
{
	test_maps();
	test_reject();
	T_DONE();
}
