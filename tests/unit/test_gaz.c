/*
 * test_gaz.c: the gazetteer matcher and loader (gaz.h) over small
 * in-memory gazetteers: syllable boundaries, case and tone-mark folding,
 * spaces, longest-leftmost, overlaps within and across classes, word lists,
 * accents=ignore, sentence boundaries in the stage, and load errors.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gaz.h"
#include "t.h"

/* Hits as "start-end canonical class;" with byte offsets. */
static int collect(void *arg, const struct gaz_hit *h)
{
	buf_printf(arg, "%zu-%zu %s %s;", h->start, h->end, h->e->canonical,
		   h->e->cls);
	return 0;
}

static struct buf hits;

static const char *run(const struct gaz *g, const char *text)
{
	buf_reset(&hits);
	gaz_match(g, text, strlen(text), collect, &hits);
	return hits.p ? hits.p : "";
}

#define MATCH(name, g, text, want) \
	CHECK_STR(name, run(g, text), strlen(run(g, text)), want)

/* Load problems as "line:col: message|". */
static void report(void *arg, const char *file, size_t line, size_t col,
		   const char *msg)
{
	(void)file;
	buf_printf(arg, "%zu:%zu: %s|", line, col, msg);
}

static struct gaz *load(const char *name, const char *tsv)
{
	struct gaz *g = gaz_new();
	struct buf errs = BUF_INIT;

	if (gaz_load_mem(g, tsv, strlen(tsv), name, report, &errs) < 0)
		printf("# unexpected load errors in %s: %s\n", name, errs.p);
	buf_release(&errs);
	return g;
}

static const char org[] =
	"# organisations\n"
	"LĐLĐ\tORG\tLiên đoàn Lao động\texpand=Liên đoàn Lao động\n"
	"Hội LHPN\tORG\tHội Liên hiệp Phụ nữ\n"
	"Ban Thường vụ\tORG\tBan Thường vụ\n"
	"Ban Thường vụ Tỉnh ủy\tORG\tBan Thường vụ Tỉnh ủy\n"
	"Tổng LĐLĐ Việt Nam\tORG\tTổng Liên đoàn Lao động Việt Nam\n"
	"Ủy ban nhân dân\tORG\tỦy ban nhân dân\n"
	"a b\tORG\tAB\n"
	"b c\tORG\tBC\n"
	"x y z\tORG\tXYZ\n"
	"x\tORG\tX\n"
	"đảng\tORG\tĐảng Cộng sản Việt Nam\n"
	"đảng viên\t-\tđảng viên\n";

static const char loc[] =
	"Hòa Bình\tLOC\ttỉnh Hòa Bình\tlevel=province\tcode=17\n"
	"Hà Nội\tLOC\tthành phố Hà Nội\n"
	"Đà Nẵng\tLOC\tthành phố Đà Nẵng\n"
	"Việt Nam\tLOC\tViệt Nam\n"
	"TP. HCM\tLOC\tthành phố Hồ Chí Minh\n"
	"Thủy Nguyên\tLOC\tThủy Nguyên\n"
	"Bà Rịa - Vũng Tàu\tLOC\ttỉnh Bà Rịa - Vũng Tàu\n";

static void test_match(void)
{
	struct gaz *g = gaz_new();

	gaz_load_mem(g, org, strlen(org), "t/org.tsv", NULL, NULL);
	gaz_load_mem(g, loc, strlen(loc), "t/loc.tsv", NULL, NULL);
	CHECK("two classes loaded", gaz_nclasses(g) == 2);
	CHECK("entries in load order", gaz_nentries(g) == 19 &&
	      strcmp(gaz_entry(g, 0)->surface, "LĐLĐ") == 0 &&
	      strcmp(gaz_entry(g, 0)->attrs[0].key, "expand") == 0 &&
	      strcmp(gaz_entry(g, 12)->cls, "loc") == 0 &&
	      gaz_entry(g, 19) == NULL);
	CHECK("class names", strcmp(gaz_class_name(g, 0), "org") == 0 &&
	      strcmp(gaz_class_name(g, 1), "loc") == 0);

	/* boundaries */
	MATCH("whole word", g, "LĐLĐ", "0-6 Liên đoàn Lao động org;");
	MATCH("not inside a longer word", g, "LĐLĐX", "");
	MATCH("not at the end of a word", g, "xLĐLĐ", "");
	MATCH("digits are part of a word", g, "LĐLĐ1 1LĐLĐ", "");
	MATCH("punctuation is a boundary", g, "(LĐLĐ),",
	      "1-7 Liên đoàn Lao động org;");
	MATCH("syllables must be separate", g, "Hànội", "");
	MATCH("prefix of an entry only", g, "Ban Thường", "");

	/* folding */
	MATCH("upper case", g, "ĐÀ NẴNG", "0-11 thành phố Đà Nẵng loc;");
	MATCH("upper case acronym phrase", g, "HỘI LHPN",
	      "0-10 Hội Liên hiệp Phụ nữ org;");
	MATCH("tone on o", g, "Hòa Bình", "0-10 tỉnh Hòa Bình loc;");
	MATCH("tone on a", g, "Hoà Bình", "0-10 tỉnh Hòa Bình loc;");
	MATCH("tone on y", g, "Thuỷ Nguyên", "0-14 Thủy Nguyên loc;");
	MATCH("decomposed tone", g, "Hoa\xCC\x80 Bi\xCC\x80nh",
	      "0-12 tỉnh Hòa Bình loc;");
	MATCH("decomposed circumflex, marks out of order", g,
	      "Vie\xCC\x82\xCC\xA3t Nam", "0-12 Việt Nam loc;");
	MATCH("Ð (U+00D0) read as Đ", g, "\xC3\x90à Nẵng",
	      "0-11 thành phố Đà Nẵng loc;");
	MATCH("Uỷ and Ủy", g, "Uỷ ban nhân dân",
	      "0-19 Ủy ban nhân dân org;");
	MATCH("tone is not optional", g, "Hoa Binh", "");

	/* spaces */
	MATCH("runs of spaces", g, "Hà   Nội", "0-11 thành phố Hà Nội loc;");
	MATCH("NBSP and tab", g, "Hà\xC2\xA0\tNội",
	      "0-11 thành phố Hà Nội loc;");
	MATCH("zero-width space is ignored", g, "Hà \xE2\x80\x8BNội",
	      "0-12 thành phố Hà Nội loc;");
	MATCH("dot with or without space", g, "TP.HCM TP. HCM",
	      "0-6 thành phố Hồ Chí Minh loc;7-14 thành phố Hồ Chí Minh loc;");
	MATCH("en dash for hyphen", g, "Bà Rịa – Vũng Tàu",
	      "0-24 tỉnh Bà Rịa - Vũng Tàu loc;");
	MATCH("hyphen without spaces", g, "Bà Rịa-Vũng Tàu",
	      "0-20 tỉnh Bà Rịa - Vũng Tàu loc;");

	/* longest-leftmost, overlaps */
	MATCH("longest wins", g, "Ban Thường vụ Tỉnh ủy",
	      "0-30 Ban Thường vụ Tỉnh ủy org;");
	MATCH("leftmost wins in a class", g, "a b c", "0-3 AB org;");
	MATCH("next match after the first", g, "a b b c",
	      "0-3 AB org;4-7 BC org;");
	MATCH("falls back to a shorter entry", g, "x y w", "0-1 X org;");
	MATCH("longer entry", g, "x y z", "0-5 XYZ org;");
	MATCH("classes overlap", g, "Tổng LĐLĐ Việt Nam",
	      "0-24 Tổng Liên đoàn Lao động Việt Nam org;"
	      "14-24 Việt Nam loc;");
	MATCH("a word list entry hides a shorter one", g, "đảng viên",
	      "0-13 đảng viên org;");
	MATCH("ill-formed bytes", g, "\xFF LĐLĐ \xC3", "2-8 Liên đoàn Lao "
	      "động org;");
	MATCH("empty text", g, "", "");
	{
		char longw[400];

		memset(longw, 'a', 300);
		memcpy(longw + 300, " LĐLĐ", sizeof(" LĐLĐ"));
		MATCH("a word past GAZ_MAX_KEY", g, longw,
		      "301-307 Liên đoàn Lao động org;");
	}

	/* class selection */
	CHECK("unknown class", gaz_select_class(g, "nope") < 0);
	CHECK("select class", gaz_select_class(g, "loc") == 0);
	MATCH("only selected classes", g, "Tổng LĐLĐ Việt Nam",
	      "14-24 Việt Nam loc;");
	gaz_free(g);
}

static void test_accents(void)
{
	static const char plain[] =
		"#@ accents=ignore\n"
		"Liên đoàn Lao động\tORG\tLiên đoàn Lao động\n";
	struct gaz *g = load("t/plain.tsv", plain);

	MATCH("accents ignored", g, "Lien doan Lao dong",
	      "0-18 Liên đoàn Lao động plain;");
	MATCH("accents kept still match", g, "LIÊN ĐOÀN LAO ĐỘNG",
	      "0-24 Liên đoàn Lao động plain;");
	MATCH("other accents too", g, "Liến đoản Lào đông",
	      "0-26 Liên đoàn Lao động plain;");
	gaz_free(g);
}

static void test_errors(void)
{
	static const char bad[] =
		"# header\n"
		"x\tFOO\tX\n"
		"\tORG\tX\n"
		"y\tORG\n"
		"z\tORG\t \n"
		"w\tORG\tW\tbad\n"
		"v\tORG\tV\tk=1\tk=2\n"
		"u\tORG\tU\ttype=ORG\n"
		"Hòa Bình\tLOC\tA\n"
		"hoà bình\tLOC\tB\n"
		"t\t\xFF\tT\n"
		"#@ accents=ignore\n";
	struct gaz *g = gaz_new();
	struct buf errs = BUF_INIT;
	int rc = gaz_load_mem(g, bad, sizeof(bad) - 1, "bad.tsv", report,
			      &errs);

	CHECK("errors make load fail", rc < 0);
	CHECK_STR("every error reported", errs.p, errs.n,
		  "2:3: unknown entity type 'FOO'|"
		  "3:1: empty surface form|"
		  "4:1: expected at least 3 tab-separated columns (surface, "
		  "type, canonical), found 2|"
		  "5:7: empty canonical form|"
		  "6:9: bad attribute 'bad' (expected key=value, key in "
		  "[a-z0-9_])|"
		  "7:13: duplicate attribute 'k'|"
		  "8:9: attribute 'type' is a reserved entity field|"
		  "10:1: 'hoà bình' has canonical form 'B' here but 'A' at "
		  "bad.tsv:9|"
		  "11:3: invalid UTF-8|"
		  "12:4: directive after the first data line|");
	CHECK("good lines still load", gaz_nentries(g) == 1);
	{
		char longl[300];

		memset(longl, 'x', 200);
		memcpy(longl + 200, "\tORG\tX\n", sizeof("\tORG\tX\n"));
		buf_reset(&errs);
		gaz_load_mem(g, longl, strlen(longl), "long.tsv", report,
			     &errs);
		CHECK_STR("word too long", errs.p, errs.n,
			  "1:1: word longer than 128 bytes|");
		buf_reset(&errs);
		gaz_load_mem(g, "ab\tORG\tA\0B\n", 10, "nul.tsv", report,
			     &errs);
		CHECK_STR("NUL byte", errs.p, errs.n, "1:9: NUL byte|");
	}
	gaz_free(g);
	buf_release(&errs);
}

/* The stage over one JSON record; returns the entities' "text-canonical". */
static void stage_case(const char *name, const struct gaz *g,
		       const char *json, const char *want)
{
	struct doc d;
	struct vnie_error err;
	struct buf got = BUF_INIT;
	json_t *a, *e;
	size_t i;

	if (doc_parse(&d, json, strlen(json), 1, &err) != DOC_RECORD) {
		CHECK(name, 0);
		return;
	}
	gaz_stage((void *)g, &d, &err);
	a = doc_array(&d, "entities", 0);
	json_array_foreach(a, i, e) {
		buf_printf(&got, "%s %s %lld-%lld;",
			   json_string_value(json_object_get(e, "text")),
			   json_string_value(json_object_get(e, "source")),
			   (long long)json_integer_value(json_object_get(e, "start")),
			   (long long)json_integer_value(json_object_get(e, "end")));
	}
	CHECK_STR(name, got.p ? got.p : "", got.n, want);
	buf_release(&got);
	doc_release(&d);
}

static void test_stage(void)
{
	struct gaz *g = gaz_new();

	gaz_load_mem(g, org, strlen(org), "t/org.tsv", NULL, NULL);
	gaz_load_mem(g, loc, strlen(loc), "t/loc.tsv", NULL, NULL);
	stage_case("code point offsets", g, "{\"text\":\"Ở Hà Nội\"}",
		   "Hà Nội t/loc.tsv:2 2-8;");
	stage_case("no match across sentences", g,
		   "{\"text\":\"Hà Nội\",\"sentences\":[[0,2],[3,6]]}", "");
	stage_case("match inside a sentence", g,
		   "{\"text\":\"Hà Nội. Hà Nội\",\"sentences\":[[0,7],[8,14]]}",
		   "Hà Nội t/loc.tsv:2 0-6;Hà Nội t/loc.tsv:2 8-14;");
	stage_case("word lists are not emitted", g,
		   "{\"text\":\"đảng viên và Đảng\"}",
		   "Đảng t/org.tsv:12 13-17;");
	stage_case("ids follow existing entities", g,
		   "{\"text\":\"Đà Nẵng\",\"entities\":[{\"id\":\"T4\","
		   "\"type\":\"LOC\",\"start\":0,\"end\":2,\"text\":\"Đà\",\"source\":\"-\"}]}",
		   "Đà - 0-2;Đà Nẵng t/loc.tsv:3 0-7;");
	gaz_free(g);
}

/*
 * The quick path of `vnie gazetteer` writes, for every line it takes, the
 * bytes that parsing, the stage and doc_write() give, and leaves the rest.
 */
static void quick_case(const char *name, const struct gaz *g,
		       const char *json, int taken)
{
	struct doc d;
	struct vnie_error err;
	struct buf slow = BUF_INIT, fast = BUF_INIT;
	int ok, took;

	took = gaz_quick((void *)g, json, strlen(json), &fast);
	if (doc_parse(&d, json, strlen(json), 1, &err) == DOC_RECORD) {
		if (doc_check(&d, &err) == 0) {
			gaz_stage((void *)g, &d, &err);
			json_write(d.root, &slow);
		}
		doc_release(&d);
	}
	ok = took == taken && (!took || (slow.n == fast.n &&
					 memcmp(slow.p, fast.p, slow.n) == 0));
	if (!ok)
		printf("# slow: %.*s\n# fast: %.*s\n", (int)slow.n,
		       slow.p ? slow.p : "", (int)fast.n, fast.p ? fast.p : "");
	CHECK(name, ok);
	buf_release(&slow);
	buf_release(&fast);
}

static void test_quick(void)
{
	struct gaz *g = gaz_new();
	static const char esc[] =
		"Quảng \"Trị\"\tLOC\ttỉnh \"Quảng Trị\"\tnote=a\\b \"c\"\n";

	gaz_load_mem(g, org, strlen(org), "t/org.tsv", NULL, NULL);
	gaz_load_mem(g, loc, strlen(loc), "t/loc.tsv", NULL, NULL);
	gaz_load_mem(g, esc, strlen(esc), "t/esc.tsv", NULL, NULL);
	quick_case("quick: entities with attributes", g,
		   "{\"id\":\"a\",\"text\":\"Ở Hòa Bình và Hà Nội, LĐLĐ\"}", 1);
	quick_case("quick: no match", g, "{\"text\":\"không có gì\"}", 1);
	quick_case("quick: sentences and other fields kept", g,
		   "{\"id\":\"b\",\"text\":\"Hà Nội. Hà Nội\",\"x\":[1,{\"y\":null}],"
		   "\"sentences\":[[0,7],[8,14]],\"z\":\"\\u00e9\\n\"}", 1);
	quick_case("quick: escapes in entries and text", g,
		   "{\"text\":\"Quảng \\\"Trị\\\"\\tđảng viên và Đảng\"}", 1);
	quick_case("quick: existing entities are left to the stage", g,
		   "{\"text\":\"Đà Nẵng\",\"entities\":[]}", 0);
	quick_case("quick: a bad record is left to the stage", g,
		   "{\"text\":\"Hà Nội\",\"sentences\":[[0,99]]}", 0);
	quick_case("quick: an error record is left to the stage", g,
		   "{\"error\":{},\"input\":\"x\"}", 0);
	quick_case("quick: not JSON", g, "{\"text\":", 0);
	gaz_free(g);
}

/* Several threads matching with one struct gaz, as `vnie run` does. */
struct worker {
	const struct gaz *g;
	int bad;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct buf b = BUF_INIT;
	static const char text[] = "Ban Thường vụ Tỉnh ủy và Tổng LĐLĐ "
				   "Việt Nam ở Hà Nội";

	for (int i = 0; i < 2000; i++) {
		buf_reset(&b);
		gaz_match(w->g, text, sizeof(text) - 1, collect, &b);
		if (b.n == 0 || strcmp(b.p, "0-30 Ban Thường vụ Tỉnh ủy org;"
				   "35-59 Tổng Liên đoàn Lao động Việt Nam org;"
				   "49-59 Việt Nam loc;64-73 thành phố Hà Nội "
				   "loc;") != 0)
			w->bad++;
	}
	buf_release(&b);
	return NULL;
}

static void test_threads(void)
{
	struct gaz *g = gaz_new();
	struct worker w[4];
	pthread_t th[4];
	int bad = 0;

	gaz_load_mem(g, org, strlen(org), "t/org.tsv", NULL, NULL);
	gaz_load_mem(g, loc, strlen(loc), "t/loc.tsv", NULL, NULL);
	for (int i = 0; i < 4; i++) {
		w[i].g = g;
		w[i].bad = 0;
		pthread_create(&th[i], NULL, work, &w[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		bad += w[i].bad;
	}
	CHECK("four threads share one gazetteer", bad == 0);
	gaz_free(g);
}

int main(void)
{
	test_match();
	test_accents();
	test_errors();
	test_stage();
	test_quick();
	test_threads();
	buf_release(&hits);
	T_DONE();
}
