/*
 * test_eval.c: the matching logic of eval.c on small hand-made records:
 * strict and overlap entity matches, relations through their arguments
 * (optional roles, the org/org2 pair), per-source counts and their order,
 * record checks and alignment through raw/offsets.
 */
#include <math.h>

#include "eval.h"
#include "t.h"

static int load_as(struct doc *d, const char *json, int gold)
{
	struct vnie_error err;

	if (doc_parse(d, json, strlen(json), 1, &err) != DOC_RECORD) {
		printf("# %s\n", err.msg);
		return -1;
	}
	return eval_check(d, gold, &err);
}

static int load(struct doc *d, const char *json)
{
	return load_as(d, json, 1);
}

static int near(double a, double b)
{
	return fabs(a - b) < 1e-9;
}

/* "Ông Lê Văn An làm việc tại UBND tỉnh Hà Tĩnh." (hand-made) */
#define TEXT "Ông Lê Văn An làm việc tại UBND tỉnh Hà Tĩnh."

static void test_entities(void)
{
	struct eval ev;
	struct doc g, p;
	struct vnie_error err;

	CHECK("gold loads", load(&g, "{\"id\":\"a\",\"text\":\"" TEXT "\","
	      "\"entities\":["
	      "{\"id\":\"T1\",\"type\":\"PERSON\",\"start\":4,\"end\":13,"
	      "\"text\":\"Lê Văn An\"},"
	      "{\"id\":\"T2\",\"type\":\"ORG\",\"start\":27,\"end\":44,"
	      "\"text\":\"UBND tỉnh Hà Tĩnh\"},"
	      "{\"id\":\"T3\",\"type\":\"LOC\",\"start\":37,\"end\":44,"
	      "\"text\":\"Hà Tĩnh\"}]}") == 0);
	CHECK("pred loads", load(&p, "{\"id\":\"a\",\"text\":\"" TEXT "\","
	      "\"entities\":["
	      "{\"id\":\"T1\",\"type\":\"PERSON\",\"start\":4,\"end\":13,"
	      "\"text\":\"Lê Văn An\",\"source\":\"r:1\"},"
	      "{\"id\":\"T2\",\"type\":\"ORG\",\"start\":27,\"end\":36,"
	      "\"text\":\"UBND tỉnh\",\"source\":\"r:2\"},"
	      "{\"id\":\"T3\",\"type\":\"PERSON\",\"start\":0,\"end\":3,"
	      "\"text\":\"Ông\",\"source\":\"r:1\"},"
	      "{\"id\":\"T4\",\"type\":\"LOC\",\"start\":37,\"end\":44,"
	      "\"text\":\"Hà Tĩnh\",\"source\":\"g:7\"}]}") == 0);
	eval_init(&ev, 1);
	CHECK("pair scores", eval_pair(&ev, &g, &p, &err) == 0);
	eval_finish(&ev);
	CHECK("overall gold", ev.ent_all.ngold == 3);
	CHECK("overall pred", ev.ent_all.npred == 4);
	CHECK("overall strict tp", ev.ent_all.tp == 2);
	CHECK("strict precision", near(eval_precision(&ev.ent_all, 0), 0.5));
	CHECK("strict recall", near(eval_recall(&ev.ent_all, 0), 2.0 / 3));
	CHECK("overlap: ORG counts", ev.ent_all.ov_pred == 3 &&
	      ev.ent_all.ov_gold == 3);
	CHECK("overlap recall 1", near(eval_recall(&ev.ent_all, 1), 1.0));
	CHECK("types sorted", ev.nents == 3 && strcmp(ev.ents[0].type, "LOC")
	      == 0 && strcmp(ev.ents[2].type, "PERSON") == 0);
	CHECK("ORG row", ev.ents[1].tp == 0 && ev.ents[1].ov_pred == 1 &&
	      eval_f1(&ev.ents[1], 0) == 0.0 &&
	      near(eval_f1(&ev.ents[1], 1), 1.0));
	/* r:1 has 1 true, 1 false; r:2 0 true 1 false: r:2 is worst
	 * (same false count, lower precision), g:7 last */
	CHECK("sources", ev.nsrcs == 3);
	CHECK("worst source first", strcmp(ev.srcs[0].source, "r:2") == 0 &&
	      ev.srcs[0].bad == 1 && ev.srcs[0].ok == 0);
	CHECK("then r:1", strcmp(ev.srcs[1].source, "r:1") == 0 &&
	      ev.srcs[1].ok == 1 && ev.srcs[1].bad == 1);
	CHECK("best last", strcmp(ev.srcs[2].source, "g:7") == 0);
	/* items: ORG miss, ORG false, PERSON false, in type order */
	CHECK("items", ev.nitems == 3);
	CHECK("item 1 is ORG miss", ev.nitems == 3 &&
	      ev.items[0].kind == EVAL_MISS &&
	      strcmp(ev.items[0].type, "ORG") == 0 && ev.items[0].near);
	CHECK("item 1 marks span", ev.nitems == 3 &&
	      strstr(ev.items[0].shown, "tại [[UBND tỉnh Hà Tĩnh]].") != NULL);
	CHECK("item 3 is PERSON false", ev.nitems == 3 &&
	      ev.items[2].kind == EVAL_FALSE && !ev.items[2].near &&
	      strcmp(ev.items[2].source, "r:1") == 0);
	eval_release(&ev);
	doc_release(&g);
	doc_release(&p);
}

static void test_gold_vs_itself(void)
{
	struct eval ev;
	struct doc g;
	struct vnie_error err;

	load(&g, "{\"id\":\"a\",\"text\":\"" TEXT "\",\"entities\":["
	     "{\"id\":\"T1\",\"type\":\"PERSON\",\"start\":4,\"end\":13,"
	     "\"text\":\"Lê Văn An\"}]}");
	eval_init(&ev, 0);
	eval_pair(&ev, &g, &g, &err);
	eval_finish(&ev);
	CHECK("self: entity F1 1", near(eval_f1(&ev.ent_all, 0), 1.0) &&
	      near(eval_f1(&ev.ent_all, 1), 1.0));
	CHECK("self: no relations scores 1", near(eval_f1(&ev.rel_all, 0),
						  1.0));
	eval_release(&ev);
	eval_init(&ev, 0);
	eval_pair(&ev, &g, NULL, &err);
	CHECK("no prediction: all missed", ev.ent_all.ngold == 1 &&
	      ev.ent_all.tp == 0 && eval_f1(&ev.ent_all, 0) == 0.0);
	eval_release(&ev);
	doc_release(&g);
}

/* "Hội LHPN và LĐLĐ ký kết." holds ORG 0-8, ORG 12-16, and a relation. */
#define RTEXT "Hội LHPN và LĐLĐ ký kết ngày 5/3."
#define RENTS "{\"id\":\"T1\",\"type\":\"ORG\",\"start\":0,\"end\":8," \
	"\"text\":\"Hội LHPN\"},{\"id\":\"T2\",\"type\":\"ORG\"," \
	"\"start\":12,\"end\":16,\"text\":\"LĐLĐ\"},{\"id\":\"T3\"," \
	"\"type\":\"DATE\",\"start\":24,\"end\":32,\"text\":\"ngày 5/3\"}"

static size_t rel_tp(const char *gargs, const char *pargs)
{
	char gj[1024], pj[1024];
	struct eval ev;
	struct doc g, p;
	struct vnie_error err;
	size_t tp;

	snprintf(gj, sizeof(gj), "{\"id\":\"r\",\"text\":\"" RTEXT "\","
		 "\"entities\":[" RENTS "],\"relations\":[{\"id\":\"R1\","
		 "\"type\":\"meets\",\"args\":%s}]}", gargs);
	snprintf(pj, sizeof(pj), "{\"id\":\"r\",\"text\":\"" RTEXT "\","
		 "\"entities\":[" RENTS "],\"relations\":[{\"id\":\"R1\","
		 "\"type\":\"meets\",\"args\":%s,\"source\":\"m:1\"}]}",
		 pargs);
	if (load(&g, gj) < 0 || load(&p, pj) < 0)
		return 99;
	eval_init(&ev, 0);
	eval_pair(&ev, &g, &p, &err);
	tp = ev.rel_all.tp;
	eval_release(&ev);
	doc_release(&g);
	doc_release(&p);
	return tp;
}

static void test_relations(void)
{
	CHECK("relation: same args", rel_tp("{\"org\":\"T1\",\"org2\":\"T2\"}",
		"{\"org\":\"T1\",\"org2\":\"T2\"}") == 1);
	CHECK("relation: org/org2 swapped", rel_tp(
		"{\"org\":\"T1\",\"org2\":\"T2\"}",
		"{\"org\":\"T2\",\"org2\":\"T1\"}") == 1);
	CHECK("relation: extra optional role in pred", rel_tp(
		"{\"org\":\"T1\",\"org2\":\"T2\"}",
		"{\"org\":\"T1\",\"org2\":\"T2\",\"date\":\"T3\"}") == 1);
	CHECK("relation: gold role missing in pred", rel_tp(
		"{\"org\":\"T1\",\"org2\":\"T2\",\"date\":\"T3\"}",
		"{\"org\":\"T1\",\"org2\":\"T2\"}") == 0);
	CHECK("relation: wrong argument", rel_tp(
		"{\"org\":\"T1\",\"org2\":\"T2\"}",
		"{\"org\":\"T1\",\"org2\":\"T1\"}") == 0);
	CHECK("relation: role under another name", rel_tp(
		"{\"org\":\"T1\",\"date\":\"T3\"}",
		"{\"org\":\"T1\",\"when\":\"T3\"}") == 0);
}

static void test_checks_and_alignment(void)
{
	struct eval ev;
	struct doc g, p;
	struct vnie_error err;

#define OVERLAPPING "{\"id\":\"x\",\"text\":\"abcdef\",\"entities\":[" \
	"{\"id\":\"T1\",\"type\":\"ORG\",\"start\":0,\"end\":4," \
	"\"text\":\"abcd\"},{\"id\":\"T2\",\"type\":\"ORG\"," \
	"\"start\":2,\"end\":6,\"text\":\"cdef\"}]}"
	CHECK("same-type overlap rejected in gold", load(&g, OVERLAPPING) < 0);
	doc_release(&g);
	CHECK("same-type overlap scored in pred",
	      load_as(&g, OVERLAPPING, 0) == 0);
	doc_release(&g);
	CHECK("nesting of other types allowed", load(&g, "{\"id\":\"x\","
	      "\"text\":\"abcdef\",\"entities\":["
	      "{\"id\":\"T1\",\"type\":\"ORG\",\"start\":0,\"end\":4,"
	      "\"text\":\"abcd\"},{\"id\":\"T2\",\"type\":\"LOC\","
	      "\"start\":2,\"end\":4,\"text\":\"cd\"}]}") == 0);
	doc_release(&g);
	/* pred normalised "hoà" (4 code points, decomposed) to "hòa" (3):
	 * its raw is gold's text, and its spans map back through offsets */
	CHECK("gold raw side loads", load(&g, "{\"id\":\"n\",\"text\":"
	      "\"xa hoa\\u0300 Bình\",\"entities\":[{\"id\":\"T1\","
	      "\"type\":\"LOC\",\"start\":8,\"end\":12,\"text\":\"Bình\"}]}")
	      == 0);
	CHECK("pred normalised loads", load(&p, "{\"id\":\"n\",\"text\":"
	      "\"xa hòa Bình\",\"raw\":\"xa hoa\\u0300 Bình\",\"offsets\":"
	      "[[0,0],[5,5],[6,7]],\"entities\":[{\"id\":\"T1\",\"type\":"
	      "\"LOC\",\"start\":7,\"end\":11,\"text\":\"Bình\"}]}") == 0);
	eval_init(&ev, 0);
	CHECK("aligned through raw", eval_pair(&ev, &g, &p, &err) == 0);
	CHECK("aligned span matches", ev.ent_all.tp == 1);
	CHECK("and the other way", eval_pair(&ev, &p, &g, &err) == 0 &&
	      ev.ent_all.tp == 2);
	eval_release(&ev);
	doc_release(&p);
	load(&p, "{\"id\":\"n\",\"text\":\"something else\"}");
	eval_init(&ev, 0);
	CHECK("unalignable texts fail", eval_pair(&ev, &g, &p, &err) < 0 &&
	      strstr(err.msg, "cannot be aligned") != NULL &&
	      ev.ent_all.ngold == 0);
	eval_release(&ev);
	doc_release(&p);
	doc_release(&g);
}

/* Canonical forms and values of strict matches: an absent canonical form
 * is the text, "381" and 381 agree, an absent value disagrees; only gold
 * entities that give one are compared, and misses are not. */
static void test_agreement(void)
{
	struct eval ev;
	struct doc g, p;
	struct vnie_error err;
	size_t i, canon = 0, value = 0;

	CHECK("agreement: gold loads", load(&g, "{\"id\":\"a\",\"text\":\""
	      TEXT "\",\"entities\":["
	      "{\"id\":\"T1\",\"type\":\"PERSON\",\"start\":4,\"end\":13,"
	      "\"text\":\"Lê Văn An\"},"
	      "{\"id\":\"T2\",\"type\":\"ORG\",\"start\":27,\"end\":44,"
	      "\"text\":\"UBND tỉnh Hà Tĩnh\",\"canonical\":"
	      "\"Ủy ban nhân dân tỉnh Hà Tĩnh\"},"
	      "{\"id\":\"T3\",\"type\":\"LOC\",\"start\":37,\"end\":44,"
	      "\"text\":\"Hà Tĩnh\",\"canonical\":\"Hà Tĩnh\"},"
	      "{\"id\":\"T4\",\"type\":\"QUANTITY\",\"start\":0,\"end\":3,"
	      "\"text\":\"Ông\",\"value\":\"381\"},"
	      "{\"id\":\"T5\",\"type\":\"DATE\",\"start\":14,\"end\":17,"
	      "\"text\":\"làm\",\"value\":\"2020\"},"
	      "{\"id\":\"T6\",\"type\":\"ORG\",\"start\":18,\"end\":22,"
	      "\"text\":\"việc\",\"canonical\":\"X\"}]}") == 0);
	CHECK("agreement: pred loads", load_as(&p, "{\"id\":\"a\",\"text\":\""
	      TEXT "\",\"entities\":["
	      "{\"id\":\"T1\",\"type\":\"PERSON\",\"start\":4,\"end\":13,"
	      "\"text\":\"Lê Văn An\",\"canonical\":\"An\"},"
	      "{\"id\":\"T2\",\"type\":\"ORG\",\"start\":27,\"end\":44,"
	      "\"text\":\"UBND tỉnh Hà Tĩnh\",\"canonical\":"
	      "\"Ủy ban nhân dân tỉnh\"},"
	      "{\"id\":\"T3\",\"type\":\"LOC\",\"start\":37,\"end\":44,"
	      "\"text\":\"Hà Tĩnh\"},"
	      "{\"id\":\"T4\",\"type\":\"QUANTITY\",\"start\":0,\"end\":3,"
	      "\"text\":\"Ông\",\"value\":381},"
	      "{\"id\":\"T5\",\"type\":\"DATE\",\"start\":14,\"end\":17,"
	      "\"text\":\"làm\"}]}", 0) == 0);
	eval_init(&ev, 1);
	CHECK("agreement: pair scores", eval_pair(&ev, &g, &p, &err) == 0);
	eval_finish(&ev);
	/* compared: T2 (differs), T3 (text "Hà Tĩnh" = gold); not T1 (gold
	 * has none) nor T6 (missed) */
	CHECK("agreement: canonical compared", ev.ent_all.ncanon == 2);
	CHECK("agreement: canonical same", ev.ent_all.canon_ok == 1);
	CHECK("agreement: values compared", ev.ent_all.nvalue == 2);
	CHECK("agreement: \"381\" is 381, none differs",
	      ev.ent_all.value_ok == 1);
	for (i = 0; i < ev.nitems; i++) {
		const struct eval_item *it = &ev.items[i];

		if (it->kind == EVAL_CANON)
			canon += strcmp(it->ann_id, "T2") == 0 &&
				 strcmp(it->pred, "Ủy ban nhân dân tỉnh") == 0;
		if (it->kind == EVAL_VALUE)
			value += strcmp(it->ann_id, "T5") == 0 &&
				 strcmp(it->gold, "2020") == 0 &&
				 it->pred == NULL;
	}
	CHECK("agreement: items list T2's form, T5's missing value",
	      canon == 1 && value == 1);
	eval_release(&ev);
	doc_release(&g);
	doc_release(&p);
}

int main(void)
{
	test_entities();
	test_agreement();
	test_gold_vs_itself();
	test_relations();
	test_checks_and_alignment();
	T_DONE();
}
