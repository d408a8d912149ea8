/*
 * test_rules.c: unit tests of the rule engine: the value functions of
 * templates, the rule parser's error messages and positions, and conflict
 * resolution between candidates, the prefilter's literal scan against a
 * plain search. Rule files are written to a temporary
 * folder; nothing here needs the data folder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <utf8proc.h>

#include "doc.h"
#include "rules.h"
#include "rules_int.h"
#include "t.h"
#include "utf8.h"
#include "values.h"

static char dir[] = "/tmp/vnie-test-rules-XXXXXX";

static const char *write_file(const char *name, const char *text)
{
	static char path[8][512];
	static int k;
	char *p = path[k++ % 8];
	FILE *fp;

	snprintf(p, 512, "%s/%s", dir, name);
	fp = fopen(p, "w");
	fputs(text, fp);
	fclose(fp);
	return p;
}

static char errs[8192];

static void report(void *arg, const char *file, size_t line, size_t col,
		   const char *msg)
{
	const char *b = strrchr(file, '/');
	size_t n = strlen(errs);

	(void)arg;
	snprintf(errs + n, sizeof(errs) - n, "%s:%zu:%zu: %s\n",
		 b ? b + 1 : file, line, col, msg);
}

static struct rules *load(const char *name, const char *text)
{
	const char *f = write_file(name, text);
	struct rules_opts o;

	rules_opts_init(&o);
	errs[0] = '\0';
	return rules_load(&f, 1, &o, report, NULL);
}

static void value(const char *name, int (*fn)(const char *, size_t,
					     struct buf *),
		  const char *in, const char *want)
{
	struct buf b = BUF_INIT;
	int rc = fn(in, strlen(in), &b);

	if (want == NULL)
		CHECK(name, rc < 0);
	else
		CHECK_STR(name, b.p ? b.p : "", b.n, want);
	buf_release(&b);
}

static unsigned next_rand(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 16;
}

/* values_lower() against the plain way (decode, utf8proc_tolower,
 * encode; ill-formed bytes as they are) over random texts: ASCII runs
 * longer and shorter than eight bytes, letters of both cases, forms that
 * change length, stray bytes. */
static void test_lower_random(void)
{
	static const char *const parts[] = {
		"A", "b", "Z", "@", "[", "`", "{", " ", "0", "ABCDEFGHIJ",
		"xyzXYZ@[`{", "\xC4\x90", "\xC3\x80", "\xE1\xBA\xA0",
		"\xE1\xBB\xB9", "\xC8\xBA", "\xC4\xB0", "\xE2\x84\xAA",
		"\xF0\x90\x90\x80", "\xFF", "\xE1\xBA", "\xC3", "\x80",
		"\xCE\xA9", "\xD0\x96", "Nguy\xE1\xBB\x85n V\xC4\x82N"
	};
	unsigned seed = 777;
	size_t r, bad = 0;
	struct buf got = BUF_INIT, want = BUF_INIT;

	for (r = 0; r < 2000; r++) {
		char text[400];
		size_t len = 0, n = next_rand(&seed) % 40, i = 0;

		while (n--) {
			const char *a = parts[next_rand(&seed) %
					      (sizeof(parts) / sizeof(parts[0]))];

			memcpy(text + len, a, strlen(a));
			len += strlen(a);
		}
		buf_reset(&want);
		while (i < len) {
			int32_t cp;
			size_t k = utf8_decode((const unsigned char *)text + i,
					       len - i, &cp);

			if (cp < 0)
				buf_add(&want, text + i, k);
			else
				buf_add_cp(&want,
					   (unsigned)utf8proc_tolower(cp));
			i += k;
		}
		/* after some bytes already in the buffer */
		buf_reset(&got);
		buf_add(&got, "x", r % 2);
		values_lower(text, len, &got);
		bad += got.n != want.n + r % 2 ||
		       memcmp(got.p + r % 2, want.p, want.n) != 0 ||
		       got.p[got.n] != '\0';
	}
	CHECK("lower: random texts as utf8proc", bad == 0);
	buf_release(&got);
	buf_release(&want);
}

static void test_values(void)
{
	struct buf b = BUF_INIT;

	value("date d/m/y", values_date, "24/01/2018", "2018-01-24");
	value("date ngày d/m", values_date, "ngày 4/11", "XXXX-11-04");
	value("date Ngày d/m", values_date, "Ngày 4/11", "XXXX-11-04");
	value("date tháng m/y", values_date, "tháng 9/2020", "2020-09");
	value("date năm y", values_date, "năm 2017", "2017");
	value("date dotted", values_date, "06.11.2022", "2022-11-06");
	value("date weekday", values_date, "Thứ năm, 25 Tháng 1 2018",
	      "2018-01-25");
	value("date Chủ nhật", values_date, "Chủ nhật, 06.11.2022",
	      "2022-11-06");
	value("date words", values_date, "ngày 2 tháng 7 năm 2021",
	      "2021-07-02");
	value("date bad month", values_date, "32/13/2020", NULL);
	value("date none", values_date, "hôm nay", NULL);
	value("int thousands", values_int, "6.943 đoàn viên", "6943");
	value("int decimal comma", values_int, "1,5 triệu", "1500000");
	value("int nghìn", values_int, "gần 45 nghìn đoàn viên", "45000");
	value("int word", values_int, "hai bên", "2");
	value("int mười", values_int, "mười", "10");
	value("int hai mươi lăm", values_int, "hai mươi lăm", "25");
	value("int một trăm", values_int, "một trăm linh năm", "105");
	value("int plain", values_int, "381 lượt xem", "381");
	value("int none", values_int, "đoàn viên", NULL);
	values_period("giai đoạn 2021 – 2028", strlen("giai đoạn 2021 – 2028"),
		      NULL, 0, &b);
	CHECK_STR("period one arg", b.p, b.n, "2021/2028");
	buf_reset(&b);
	values_period("2018", 4, "2023", 4, &b);
	CHECK_STR("period two args", b.p, b.n, "2018/2023");
	buf_reset(&b);
	values_upperfirst("ủy viên", strlen("ủy viên"), &b);
	CHECK_STR("upperfirst", b.p, b.n, "Ủy viên");
	buf_reset(&b);
	values_lower("Phó CHỦ TỊCH", strlen("Phó CHỦ TỊCH"), &b);
	CHECK_STR("lower", b.p, b.n, "phó chủ tịch");
	buf_reset(&b);
	/* the table's forms and the rest: Ă Đ Ẫ Ω Ж, U+0130 and the Kelvin
	 * sign lower to ASCII, U+023A to three bytes, a stray byte as is */
	values_lower("\xC4\x82\xC4\x90\xE1\xBA\xAA\xCE\xA9\xD0\x96 "
		     "\xC4\xB0\xE2\x84\xAA \xC8\xBA \xFF\xE1\xBA", 24, &b);
	CHECK_STR("lower: forms", b.p, b.n,
		  "\xC4\x83\xC4\x91\xE1\xBA\xAB\xCF\x89\xD0\xB6 ik "
		  "\xE2\xB1\xA5 \xFF\xE1\xBA");
	buf_release(&b);
	test_lower_random();
}

static void test_parser(void)
{
	struct rules *r;

	r = load("empty.rules", "");
	CHECK("empty file loads", r != NULL && rules_count(r) == 0);
	rules_free(r);

	r = load("ok.rules", "# comment\n"
		 "define N = \\p{Lu}\\p{Ll}+ # trailing comment\n"
		 "rule a\n  priority 3\n  match (?<x>{N})\\#\n"
		 "  match+ (?<y>\\d+)\n  entity PERSON from x\n"
		 "  entity QUANTITY from y value=int($y)\n");
	CHECK("rule with macro, match+ and \\# loads", r != NULL &&
	      rules_count(r) == 1);
	rules_free(r);

	r = load("bad1.rules", "rule a\n  match (?<x>ab\n  entity ORG from x\n");
	CHECK("unterminated group fails", r == NULL);
	CHECK("unterminated group position",
	      strcmp(errs, "bad1.rules:2:9: unterminated group '('\n") == 0);

	r = load("bad2.rules", "rule a\n  match x{NOPE}\n  entity ORG from 0\n");
	CHECK("unknown macro", r == NULL &&
	      strcmp(errs, "bad2.rules:2:10: unknown macro '{NOPE}'\n") == 0);

	r = load("bad3.rules", "rule a\n  match (?<x>a)\n  entity ORG from x\n"
		 "rule a\n  match b\n  entity ORG from 0\n");
	CHECK("duplicate rule name", r == NULL && strstr(errs,
	      "bad3.rules:4:6: duplicate rule name 'a'") != NULL);

	r = load("bad4.rules", "rule a\n  match (?<p>a)(?<t>b)\n"
		 "  relation holds_position person=p title=t:BOSS\n");
	CHECK("unknown type in role", r == NULL && strcmp(errs,
	      "bad4.rules:3:44: unknown entity type 'BOSS' in role "
	      "'title'\n") == 0);

	r = load("bad5.rules", "rule a\n  match (?<x>a)\n  entity THING from x\n");
	CHECK("unknown entity type", r == NULL && strcmp(errs,
	      "bad5.rules:3:10: unknown entity type 'THING'\n") == 0);

	r = load("bad6.rules", "define M = a)\nrule a\n  match {M}\n"
		 "  entity ORG from 0\n");
	CHECK("error inside a macro is reported in the macro", r == NULL &&
	      strstr(errs, "bad6.rules:1:13: unmatched ')'") != NULL);

	r = load("bad7.rules", "rule a\n  match a{2,1}\n  entity ORG from 0\n");
	CHECK("pcre2 message with its column", r == NULL && strcmp(errs,
	      "bad7.rules:2:14: numbers out of order in {} quantifier\n") == 0);

	r = load("bad8.rules", "rule a\n  match (?<x>a)\n"
		 "  relation likes person=x\n");
	CHECK("unknown relation type", r == NULL && strcmp(errs,
	      "bad8.rules:3:12: unknown relation type 'likes'\n") == 0);

	r = load("bad9.rules", "rule a\n  match (?<x>a)\n"
		 "  entity DATE from x value=date($y)\n");
	CHECK("unknown group in template", r == NULL && strcmp(errs,
	      "bad9.rules:3:33: unknown group 'y'\n") == 0);

	write_file("_inc.rules", "define W = wo\n");
	r = load("inc.rules", "include \"_inc.rules\"\nrule a\n"
		 "  match (?<x>{W}rd)\n  entity ORG from x\n");
	CHECK("include", r != NULL);
	rules_free(r);

	r = load("bad10.rules", "define A = x{B}\ndefine B = y{A}\n"
		 "rule a\n  match {A}\n  entity ORG from 0\n");
	CHECK("recursive macro", r == NULL && strstr(errs, "uses itself"));
}

/* Run a rule file over a text with given entities; the output record. */
static char *run(const char *rules, const char *record)
{
	const char *f = write_file("run.rules", rules);
	struct rules_opts o;
	struct rules *r;
	struct vnie_error err;
	struct doc d;
	struct buf out = BUF_INIT;

	rules_opts_init(&o);
	errs[0] = '\0';
	r = rules_load(&f, 1, &o, report, NULL);
	if (r == NULL) {
		printf("# %s", errs);
		return xstrdup("load failed");
	}
	if (doc_parse(&d, record, strlen(record), 1, &err) != DOC_RECORD) {
		rules_free(r);
		return xstrdup("bad record");
	}
	rules_stage(r, &d, &err);
	doc_write(&d, &out);
	doc_release(&d);
	rules_free(r);
	return out.p;
}

/* A group that did not take part leaves no gap in a canonical form. */
static void test_template_spaces(void)
{
	char *o;

	o = run("rule a\n  match (?<o>(?:(?<u>Công đoàn) )?Agribank  chi nhánh)\n"
		"  entity ORG from o canonical=upperfirst($u) Ngân hàng  $o\n",
		"{\"text\":\"Agribank  chi nhánh và Công đoàn Agribank  chi nhánh\"}");
	CHECK("no leading space for a group left out",
	      strstr(o, "\"canonical\":\"Ngân hàng Agribank chi nhánh\""));
	CHECK("one space between parts, runs squeezed",
	      strstr(o, "\"canonical\":\"Công đoàn Ngân hàng Công đoàn "
		     "Agribank chi nhánh\""));
	free(o);

	/* a place the group's canonical form already ends in, added again */
	o = run("rule a\n  match (?<o>(?<b>Tổng Liên đoàn) \\(TLĐ\\) "
		"(?<l>Việt Nam))\n"
		"  entity ORG from o canonical=$b Lao động Việt Nam $l\n"
		"rule b\n  match (?<o>Hà Nội (?<l>Hà Nội Mới))\n"
		"  entity ORG from o canonical=$o $l\n",
		"{\"text\":\"Tổng Liên đoàn (TLĐ) Việt Nam; Hà Nội Hà Nội Mới\"}");
	CHECK("a place written twice at the end is written once",
	      strstr(o, "\"canonical\":\"Tổng Liên đoàn Lao động Việt "
		     "Nam\""));
	CHECK("only the tail written twice is dropped, not words before it",
	      strstr(o, "\"canonical\":\"Hà Nội Hà Nội Mới Hà Nội Mới\"") ==
	      NULL && strstr(o, "\"canonical\":\"Hà Nội Hà Nội Mới\""));
	free(o);
}

/* A body joined to an organisation of a level takes the level; a name of
 * its own does not. */
static void test_shared_level(void)
{
	char *o;

	o = run("rule a\n  match (?<o>Báo Lao Động|Sở Nội vụ)\n"
		"  entity ORG from o\n"
		"rule b\n  match (?<o>LĐLĐ tỉnh Quảng Trị)\n"
		"  entity ORG from o canonical=Liên đoàn Lao động tỉnh Quảng Trị\n",
		"{\"text\":\"Sở Nội vụ và LĐLĐ tỉnh Quảng Trị; Báo Lao Động và "
		"LĐLĐ tỉnh Quảng Trị\"}");
	CHECK("a body shares the level of the organisation after và",
	      strstr(o, "\"canonical\":\"Sở Nội vụ tỉnh Quảng Trị\""));
	CHECK("a name ending in a proper name shares nothing",
	      strstr(o, "\"canonical\":\"Báo Lao Động tỉnh") == NULL);
	free(o);
}

static void test_conflicts(void)
{
	char *o;

	/* longest span wins over priority */
	o = run("rule short\n  priority 50\n  match (?<x>Lê Văn)\n"
		"  entity PERSON from x\n"
		"rule long\n  match (?<x>Lê Văn Hòa)\n  entity PERSON from x\n",
		"{\"text\":\"ông Lê Văn Hòa\"}");
	CHECK("longest span wins", strstr(o, "\"text\":\"Lê Văn Hòa\"") &&
	      !strstr(o, "\"text\":\"Lê Văn\""));
	free(o);

	/* same span: priority, then earlier rule */
	o = run("rule a\n  match (?<x>Hòa)\n  entity PERSON from x\n"
		"rule b\n  priority 5\n  match (?<x>Hòa)\n  entity LOC from x\n",
		"{\"text\":\"Hòa\"}");
	CHECK("priority breaks a tie", strstr(o, "\"type\":\"LOC\"") &&
	      !strstr(o, "\"type\":\"PERSON\""));
	free(o);
	o = run("rule a\n  match (?<x>Hòa)\n  entity PERSON from x\n"
		"rule b\n  match (?<x>Hòa)\n  entity LOC from x\n",
		"{\"text\":\"Hòa\"}");
	CHECK("earlier rule breaks a tie", strstr(o, "\"type\":\"PERSON\"") &&
	      !strstr(o, "\"type\":\"LOC\""));
	free(o);

	/* a LOC may nest in an ORG */
	o = run("rule org\n  match (?<x>UBND tỉnh (?<l>Lạng Sơn))\n"
		"  entity ORG from x\n  entity LOC from l\n",
		"{\"text\":\"UBND tỉnh Lạng Sơn\"}");
	CHECK("LOC nests in ORG", strstr(o, "\"type\":\"ORG\"") &&
	      strstr(o, "\"type\":\"LOC\""));
	free(o);

	/* a later phase's longer entity of the same type replaces the
	 * input one, and relations follow it */
	o = run("rule wider\n  match (?<x>{ORG} tỉnh)\n  entity ORG from x\n",
		"{\"text\":\"LĐLĐ tỉnh\",\"entities\":[{\"id\":\"T1\","
		"\"type\":\"ORG\",\"start\":0,\"end\":4,\"text\":\"LĐLĐ\"}]}");
	CHECK("replacement by a containing entity",
	      strstr(o, "\"text\":\"LĐLĐ tỉnh\"") &&
	      !strstr(o, "\"id\":\"T1\""));
	free(o);

	/* a subroutine call and its definitions require nothing of the
	 * text: the prefilter lets the rule run where the defined words are
	 * absent, and the call matches what the definition does */
	o = run("rule sub\n  match (?<x>Công ty \\p{Lu}\\p{Ll}+\\b)(?!\\s+(?&stop)\\b)"
		"(?(DEFINE)(?<stop>thanh|tạm))\n  entity ORG from x\n",
		"{\"text\":\"Công ty Minh vừa mở\"}");
	CHECK("subroutine definitions required of no text",
	      strstr(o, "\"text\":\"Công ty Minh\"") != NULL);
	free(o);
	o = run("rule sub\n  match (?<x>Công ty \\p{Lu}\\p{Ll}+\\b)(?!\\s+(?&stop)\\b)"
		"(?(DEFINE)(?<stop>thanh|tạm))\n  entity ORG from x\n",
		"{\"text\":\"Công ty Minh tạm dừng\"}");
	CHECK("subroutine call matches its definition",
	      strstr(o, "\"type\":\"ORG\"") == NULL);
	free(o);

	/* suppress removes what was found and blocks candidates */
	o = run("rule p\n  match (?<x>\\p{Lu}+)\n  entity PERSON from x\n"
		"rule s\n  match (?<x>CTV)\n  suppress PERSON x\n",
		"{\"text\":\"CTV\",\"entities\":[{\"id\":\"T1\","
		"\"type\":\"PERSON\",\"start\":0,\"end\":3,\"text\":\"CTV\"}]}");
	CHECK("suppress", !strstr(o, "PERSON"));
	free(o);

	/* relation roles must resolve, optional ones may be left out */
	o = run("rule r\n  match (?<t>{TITLE}) (?<p>\\p{Lu}\\p{Ll}+)(?: (?<o>{ORG}))?\n"
		"  entity PERSON from p\n"
		"  relation holds_position person=p title=t org=o\n",
		"{\"text\":\"Chủ tịch Hòa\",\"entities\":[{\"id\":\"T1\","
		"\"type\":\"TITLE\",\"start\":0,\"end\":8,\"text\":\"Chủ tịch\"}]}");
	CHECK("relation with optional role left out",
	      strstr(o, "\"args\":{\"person\":\"T2\",\"title\":\"T1\"}"));
	free(o);
}

/* The literal scan finds exactly the literals a plain search finds in the
 * text with each run of white space made one blank: over random texts of
 * the literals' own bytes (overlaps, prefixes, suffixes, multi-byte
 * letters, blanks, tabs and line feeds), one at a time and side by side,
 * in both kinds;
 * each literal's own bit of a literal set, or marks given for it (several
 * literals sharing a byte, one literal marking several bytes). */
static void test_scan(void)
{
	static const char *const words[] = {
		"nh", "ng", "nghiệp", "hiệp", "Đ", "đ", "ại", "Đại", ",", "và",
		"a", "aa", "aaa", "tỉnh", "thành", "TP", "ành", "\xE1\xBA",
		"20", "19", "(", ")", "chương trình", "trình", "", "a a",
		"ng ng", " a"
	};
	enum { NW = sizeof(words) / sizeof(words[0]), NB = 8 };
	size_t i, k, bad = 0, r, mode;
	struct lit lits[NW];
	uint32_t at[NW + 1], marks[2 * NW];
	const char *alpha[] = { "n", "h", "g", "i", "ệ", "p", "Đ", "đ", "ạ",
				"à", "a", ",", " ", "t", "ỉ", "T", "P", "2",
				"0", "1", "9", "(", ")", "\xE1", "\xBA", "c",
				"ư", "ơ", "r", "v", "x", " ", " ", "\t",
				"\n" };
	unsigned seed = 12345;

	/* literal i: none (every seventh), one mark, or two */
	for (i = 0, k = 0; i < NW; i++) {
		at[i] = (uint32_t)k;
		if (i % 7 == 3)
			continue;
		marks[k++] = (uint32_t)(i % 5) << 8 | 1u << (i % 3);
		if (i % 2)
			marks[k++] = 7u << 8 | 1u << (i % 8);
	}
	at[NW] = (uint32_t)k;
	for (i = 0; i < NW; i++)
		lits[i] = (struct lit){ (char *)words[i], strlen(words[i]),
					(int)(i % 3 == 0) };
	for (mode = 0; mode < 2; mode++) {
		struct lit_scan *sc[2];

		sc[0] = rules_scan_build(lits, NW, 0, mode ? at : NULL,
					 mode ? marks : NULL);
		sc[1] = rules_scan_build(lits, NW, 1, mode ? at : NULL,
					 mode ? marks : NULL);
		for (r = 0; r < 400; r++) {
			/* texts of up to 31 pieces, and every seventh round
			 * of up to 599, past the scan's blocks of 256
			 * bytes */
			char text[4][1800], flat[1800];
			uint8_t one[4][NB] = { { 0 } }, jobs_set[4][NB] = { { 0 } };
			uint8_t want[4][NB] = { { 0 } };
			struct scan_job jobs[4];

			for (k = 0; k < 4; k++) {
				size_t len = 0, n;

				n = next_rand(&seed) % (r % 7 ? 32 : 600);
				while (n--) {
					const char *a = alpha[next_rand(&seed) %
						(sizeof(alpha) / sizeof(alpha[0]))];

					memcpy(text[k] + len, a, strlen(a));
					len += strlen(a);
				}
				/* the text as the scan reads it */
				for (i = 0, n = 0; i < len; i++) {
					int ws = strchr(" \t\n", text[k][i]) &&
						 text[k][i] != '\0';

					if (ws && n > 0 && flat[n - 1] == ' ')
						continue;
					flat[n++] = ws ? ' ' : text[k][i];
				}
				for (i = 0; i < NW; i++) {
					if (lits[i].ci != (int)(k & 1) ||
					    !(lits[i].n == 0 ||
					      (lits[i].n <= n &&
					       memmem(flat, n, lits[i].s,
						      lits[i].n))))
						continue;
					if (!mode)
						want[k][i >> 3] |=
							(uint8_t)(1u << (i & 7));
					else
						for (size_t m = at[i];
						     m < at[i + 1]; m++)
							want[k][marks[m] >> 8] |=
								(uint8_t)marks[m];
				}
				rules_scan(sc[k & 1], text[k], len, one[k]);
				jobs[k] = (struct scan_job){ sc[k & 1], text[k],
							     len, jobs_set[k] };
			}
			rules_scan_jobs(jobs, r % 4 + 1);
			for (k = 0; k < 4; k++) {
				bad += memcmp(one[k], want[k], NB) != 0;
				if (k <= r % 4)
					bad += memcmp(jobs_set[k], want[k],
						      NB) != 0;
			}
		}
		rules_scan_free(sc[0]);
		rules_scan_free(sc[1]);
	}
	CHECK("literal scan finds what a search finds", bad == 0);

	/* white space: any run of blanks, tabs and line feeds is the
	 * literals' one blank; none, or a blank elsewhere, is not */
	{
		static const struct { const char *text; int found; } ws[] = {
			{ "Công ty", 1 }, { "Công  ty", 1 },
			{ "Công\n\t ty", 1 }, { "x Công \r\n ty x", 1 },
			{ "Côngty", 0 }, { "Công t y", 0 }, { "Công", 0 },
		};
		struct lit one_lit = { (char *)"Công ty", strlen("Công ty"), 0 };
		struct lit_scan *sc = rules_scan_build(&one_lit, 1, 0, NULL,
						       NULL);

		for (i = 0, bad = 0; i < sizeof(ws) / sizeof(ws[0]); i++) {
			uint8_t set[NB] = { 0 };

			rules_scan(sc, ws[i].text, strlen(ws[i].text), set);
			bad += (set[0] & 1) != ws[i].found;
		}
		CHECK("a run of white space is one blank", bad == 0);
		CHECK("wide spaces are told", rules_has_wide_space(
			"Công\xC2\xA0ty", 8) && rules_has_wide_space(
			"a\xE2\x80\x89" "b", 5) && !rules_has_wide_space(
			"Công ty Đại học", strlen("Công ty Đại học")));
		rules_scan_free(sc);
	}
}

int main(void)
{
	char cmd[600];

	if (mkdtemp(dir) == NULL)
		return 1;
	test_values();
	test_parser();
	test_template_spaces();
	test_shared_level();
	test_conflicts();
	test_scan();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	T_DONE();
}
