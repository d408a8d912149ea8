/*
 * test_doc.c: the record module: what doc_parse accepts and rejects (with
 * which message), that unknown fields and their order survive a write,
 * that NUL inside text survives, that error records pass through, what
 * doc_check says of bad sentences, entities and relations, and how new
 * entity and relation ids are numbered after existing ones.
 */
#include <stdio.h>
#include <string.h>

#include "doc.h"
#include "t.h"

#define S(lit) lit, sizeof(lit) - 1

/* doc_parse on a C literal; returns the kind, message in err. */
static int parse(struct doc *d, const char *s, size_t n,
		 struct vnie_error *err)
{
	err->msg[0] = '\0';
	return doc_parse(d, s, n, 7, err);
}

static void test_parse_bad(void)
{
	static const struct {
		const char *name, *line, *msg;
	} cases[] = {
		{ "not json", "hello", "invalid JSON at column 5: "
		  "'[' or '{' expected near 'hello'" },
		{ "empty line", "", "invalid JSON at column 0: "
		  "'[' or '{' expected near end of file" },
		{ "array", "[1,2]", "not a JSON object" },
		/* jansson refuses a scalar at top level before we can */
		{ "string", "\"text\"", "invalid JSON at column 6: "
		  "'[' or '{' expected near '\"text\"'" },
		{ "number", "42", "invalid JSON at column 2: "
		  "'[' or '{' expected near '42'" },
		{ "null", "null", "invalid JSON at column 4: "
		  "'[' or '{' expected near 'null'" },
		{ "no text", "{\"id\":\"a\"}", "no \"text\" field" },
		{ "text number", "{\"text\":5}", "\"text\" is not a string" },
		{ "text null", "{\"text\":null}", "\"text\" is not a string" },
		{ "text array", "{\"text\":[\"a\"]}",
		  "\"text\" is not a string" },
		{ "id number", "{\"id\":1,\"text\":\"a\"}",
		  "\"id\" is not a string" },
		{ "duplicate text", "{\"text\":\"a\",\"text\":\"b\"}",
		  "invalid JSON at column 18: duplicate object key near "
		  "'\"text\"'" },
		{ "duplicate other key", "{\"text\":\"a\",\"x\":1,\"x\":2}",
		  "invalid JSON at column 21: duplicate object key near "
		  "'\"x\"'" },
		{ "trailing garbage", "{\"text\":\"a\"} x",
		  "invalid JSON at column 14: end of file expected near 'x'" },
		{ "lone surrogate escape", "{\"text\":\"\\ud800\"}",
		  "invalid JSON at column 16: invalid Unicode '\\uD800' near "
		  "'\"\\ud800\"'" },
		{ "invalid utf-8", "{\"text\":\"\xC0\xAF\"}",
		  "invalid JSON at column 9: unable to decode byte 0xc0 near "
		  "'\"'" },
	};
	struct vnie_error err;
	struct doc d;
	char name[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = parse(&d, cases[i].line, strlen(cases[i].line), &err);

		snprintf(name, sizeof(name), "parse rejects %s", cases[i].name);
		CHECK(name, r == DOC_BAD);
		snprintf(name, sizeof(name), "parse message for %s",
			 cases[i].name);
		CHECK_STR(name, err.msg, strlen(err.msg), cases[i].msg);
	}
}

static void test_parse_odd(void)
{
	struct vnie_error err;
	struct doc d;
	struct buf out = BUF_INIT;
	char deep[40000];
	size_t i, n = 0;

	/* 5,000 levels of nesting: refused by the parser, not a crash */
	for (i = 0; i < 5000; i++)
		deep[n++] = '[';
	for (i = 0; i < 5000; i++)
		deep[n++] = ']';
	CHECK("parse: 5000 nested arrays rejected",
	      parse(&d, deep, n, &err) == DOC_BAD &&
	      strstr(err.msg, "maximum parsing depth") != NULL);
	n = 0;
	memcpy(deep, "{\"text\":\"a\",\"x\":", 16);
	n = 16;
	for (i = 0; i < 5000; i++)
		deep[n++] = '{', deep[n++] = '"', deep[n++] = 'k',
		deep[n++] = '"', deep[n++] = ':';
	deep[n++] = '1';
	for (i = 0; i <= 5000; i++)
		deep[n++] = '}';
	CHECK("parse: 5000 nested objects inside a record rejected",
	      parse(&d, deep, n, &err) == DOC_BAD);

	/* a huge number is a JSON error, not a crash or an infinity */
	CHECK("parse: 1e999999 rejected",
	      parse(&d, S("{\"text\":\"a\",\"n\":1e999999}"), &err) ==
	      DOC_BAD && strstr(err.msg, "real number overflow") != NULL);
	CHECK("parse: huge integer rejected",
	      parse(&d, S("{\"text\":\"a\",\"n\":99999999999999999999}"),
		    &err) == DOC_BAD &&
	      strstr(err.msg, "too big integer") != NULL);

	/* integers of 18, 19 digits and the int64 extremes round-trip (the
	 * fast reader overflowed on the 19th digit before handing over) */
	CHECK("parse: 19-digit integers kept",
	      parse(&d, S("{\"text\":\"a\",\"n\":[999999999999999999,"
			  "1000000000000000000,9223372036854775807,"
			  "-9223372036854775808]}"), &err) == DOC_RECORD);
	doc_write(&d, &out);
	CHECK_STR("write: 19-digit integers unchanged", out.p, out.n,
		  "{\"text\":\"a\",\"n\":[999999999999999999,"
		  "1000000000000000000,9223372036854775807,"
		  "-9223372036854775808]}\n");
	doc_release(&d);
	buf_reset(&out);

	/* NUL in text: length kept, written back as \u0000 */
	CHECK("parse: NUL inside text accepted",
	      parse(&d, S("{\"text\":\"a\\u0000b\"}"), &err) == DOC_RECORD);
	CHECK("parse: NUL text has 3 bytes", d.len == 3 && d.text[1] == '\0');
	CHECK("parse: NUL text has 3 code points", doc_ncp(&d) == 3);
	doc_write(&d, &out);
	CHECK_STR("write keeps NUL as \\u0000", out.p, out.n,
		  "{\"text\":\"a\\u0000b\"}\n");
	doc_release(&d);
	buf_release(&out);

	/* a record with no id is fine; doc_id gives "" */
	CHECK("parse: no id accepted",
	      parse(&d, S("{\"text\":\"\"}"), &err) == DOC_RECORD &&
	      strcmp(doc_id(&d), "") == 0 && doc_ncp(&d) == 0);
	doc_release(&d);
}

static void test_roundtrip(void)
{
	static const char line[] =
		"{\"zeta\":[1,{\"b\":2,\"a\":1}],\"id\":\"x\",\"text\":"
		"\"Hà Nội \\\"và\\\" \\\\ \\t\",\"alpha\":null,\"m\":-0.5,"
		"\"u\":\"\\u001f\"}";
	struct vnie_error err;
	struct doc d;
	struct buf out = BUF_INIT;

	CHECK("roundtrip parse", parse(&d, S(line), &err) == DOC_RECORD);
	doc_write(&d, &out);
	CHECK_STR("unknown fields and key order kept", out.p, out.n,
		  "{\"zeta\":[1,{\"b\":2,\"a\":1}],\"id\":\"x\",\"text\":"
		  "\"Hà Nội \\\"và\\\" \\\\ \\t\",\"alpha\":null,"
		  "\"m\":-0.5,\"u\":\"\\u001F\"}\n");
	doc_release(&d);
	buf_release(&out);

	CHECK("error record passes",
	      parse(&d, S("{\"error\":{\"stage\":\"split\",\"line\":3,"
			  "\"message\":\"x\"},\"input\":\"y\"}"), &err) ==
	      DOC_PASS);
	CHECK("any object with error passes, even without text",
	      parse(&d, S("{\"error\":1}"), &err) == DOC_PASS);
}

static void test_write_error(void)
{
	struct buf out = BUF_INIT;
	char big[VNIE_ERROR_INPUT_MAX + 100];

	doc_write_error(&out, "split", 17, "invalid JSON: x",
			"not \xFF json\0!", 12);
	CHECK_STR("error record: fields, input sanitized, NUL kept", out.p,
		  out.n, "{\"error\":{\"stage\":\"split\",\"line\":17,"
		  "\"message\":\"invalid JSON: x\"},\"input\":\"not \xEF\xBF\xBD"
		  " json\\u0000!\"}\n");
	buf_reset(&out);
	memset(big, 'a', sizeof(big));
	/* cut inside a 3-byte character: the cut is replaced, still valid */
	memcpy(big + VNIE_ERROR_INPUT_MAX - 1, "\xE1\xBB\x87", 3);
	doc_write_error(&out, "rules", 1, "too long", big, sizeof(big));
	CHECK("error record: input cut at VNIE_ERROR_INPUT_MAX",
	      out.n < VNIE_ERROR_INPUT_MAX + 200 &&
	      utf8_valid(out.p, out.n));
	CHECK("error record: cut character replaced",
	      memmem(out.p, out.n, "a\xEF\xBF\xBD\"}", 6) != NULL);
	buf_release(&out);
}

/* Parse line and run doc_check; returns its result, message in err. */
static int check(const char *line, struct vnie_error *err)
{
	struct doc d;
	int r;

	if (doc_parse(&d, line, strlen(line), 1, err) != DOC_RECORD)
		return -2;
	err->msg[0] = '\0';
	r = doc_check(&d, err);
	doc_release(&d);
	return r;
}

static void test_check(void)
{
	static const struct {
		const char *name, *line, *msg;
	} cases[] = {
		{ "sentences not array", "{\"text\":\"abc\",\"sentences\":{}}",
		  "\"sentences\" is not an array" },
		{ "sentence past end", "{\"text\":\"abc\",\"sentences\":[[0,4]]}",
		  "sentence 0 is not a pair of offsets within the text (0-3)" },
		{ "sentence reversed", "{\"text\":\"abc\",\"sentences\":"
		  "[[0,1],[2,1]]}",
		  "sentence 1 is not a pair of offsets within the text (0-3)" },
		{ "sentence negative", "{\"text\":\"abc\",\"sentences\":[[-1,1]]}",
		  "sentence 0 is not a pair of offsets within the text (0-3)" },
		{ "sentence strings", "{\"text\":\"abc\",\"sentences\":"
		  "[[\"0\",\"1\"]]}",
		  "sentence 0 is not a pair of offsets within the text (0-3)" },
		{ "sentence triple", "{\"text\":\"abc\",\"sentences\":[[0,1,2]]}",
		  "sentence 0 is not a pair of offsets within the text (0-3)" },
		{ "sentence float", "{\"text\":\"abc\",\"sentences\":[[0,1.0]]}",
		  "sentence 0 is not a pair of offsets within the text (0-3)" },
		{ "sentence huge", "{\"text\":\"abc\",\"sentences\":"
		  "[[0,9223372036854775807]]}",
		  "sentence 0 is not a pair of offsets within the text (0-3)" },
		{ "entities not array", "{\"text\":\"abc\",\"entities\":5}",
		  "\"entities\" is not an array" },
		{ "entity not object", "{\"text\":\"abc\",\"entities\":[[0,1]]}",
		  "entity 0 has no valid start/end within the text (0-3)" },
		{ "entity end past text", "{\"text\":\"Hà\",\"entities\":[{\"id\":"
		  "\"T1\",\"type\":\"X\",\"start\":0,\"end\":3,\"text\":\"Hà\"}]}",
		  "entity 0 has no valid start/end within the text (0-2)" },
		{ "entity start string", "{\"text\":\"abc\",\"entities\":[{\"id\":"
		  "\"T1\",\"type\":\"X\",\"start\":\"0\",\"end\":1,"
		  "\"text\":\"a\"}]}",
		  "entity 0 has no valid start/end within the text (0-3)" },
		{ "entity no type", "{\"text\":\"abc\",\"entities\":[{\"id\":"
		  "\"T1\",\"start\":0,\"end\":1,\"text\":\"a\"}]}",
		  "entity 0 has no string type" },
		{ "entity no id", "{\"text\":\"abc\",\"entities\":[{\"type\":"
		  "\"X\",\"start\":0,\"end\":1,\"text\":\"a\"}]}",
		  "entity 0 has a missing or duplicate id" },
		{ "entity duplicate id", "{\"text\":\"abc\",\"entities\":["
		  "{\"id\":\"T1\",\"type\":\"X\",\"start\":0,\"end\":1,"
		  "\"text\":\"a\"},{\"id\":\"T1\",\"type\":\"X\",\"start\":1,"
		  "\"end\":2,\"text\":\"b\"}]}",
		  "entity 1 has a missing or duplicate id" },
		{ "entity text differs (code points, not bytes)",
		  "{\"text\":\"Hà Nội\",\"entities\":[{\"id\":\"T1\",\"type\":"
		  "\"LOC\",\"start\":3,\"end\":6,\"text\":\"Nộ\"}]}",
		  "entity T1: text does not match the span 3-6" },
		{ "entity text missing", "{\"text\":\"abc\",\"entities\":[{\"id\":"
		  "\"T1\",\"type\":\"X\",\"start\":0,\"end\":1}]}",
		  "entity T1: text does not match the span 0-1" },
		{ "relations not array", "{\"text\":\"abc\",\"relations\":{}}",
		  "\"relations\" is not an array" },
		{ "relation no args", "{\"text\":\"abc\",\"relations\":[{\"id\":"
		  "\"R1\",\"type\":\"r\"}]}",
		  "relation 0 has no type or args" },
		{ "relation not object", "{\"text\":\"abc\",\"relations\":[1]}",
		  "relation 0 has no type or args" },
		{ "relation dangling arg", "{\"text\":\"abc\",\"entities\":[{"
		  "\"id\":\"T1\",\"type\":\"X\",\"start\":0,\"end\":1,"
		  "\"text\":\"a\"}],\"relations\":[{\"id\":\"R1\",\"type\":\"r\","
		  "\"args\":{\"a\":\"T1\",\"b\":\"T2\"}}]}",
		  "relation 0: role 'b' names no entity" },
		{ "relation arg not string", "{\"text\":\"abc\",\"relations\":[{"
		  "\"type\":\"r\",\"args\":{\"a\":1}}]}",
		  "relation 0: role 'a' names no entity" },
	};
	struct vnie_error err;
	char name[160];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = check(cases[i].line, &err);

		snprintf(name, sizeof(name), "check rejects %s", cases[i].name);
		CHECK(name, r == -1);
		snprintf(name, sizeof(name), "check message for %s",
			 cases[i].name);
		CHECK_STR(name, err.msg, strlen(err.msg), cases[i].msg);
	}
	CHECK("check accepts a full record", check(
	      "{\"text\":\"Ông Nguyễn Văn A\",\"sentences\":[[0,16]],"
	      "\"entities\":[{\"id\":\"T1\",\"type\":\"PERSON\",\"start\":4,"
	      "\"end\":16,\"text\":\"Nguyễn Văn A\"},{\"id\":\"T2\",\"type\":"
	      "\"E\",\"start\":16,\"end\":16,\"text\":\"\"}],\"relations\":"
	      "[{\"id\":\"R1\",\"type\":\"r\",\"args\":{\"p\":\"T1\"}}]}",
	      &err) == 0);
	CHECK("check accepts an entity over NUL", check(
	      "{\"text\":\"a\\u0000b\",\"entities\":[{\"id\":\"T1\",\"type\":"
	      "\"X\",\"start\":1,\"end\":3,\"text\":\"\\u0000b\"}]}", &err) == 0);
}

static void test_ids(void)
{
	static const char line[] =
		"{\"text\":\"Hà Nội và Huế\",\"entities\":["
		"{\"id\":\"T3\",\"type\":\"LOC\",\"start\":0,\"end\":6,"
		"\"text\":\"Hà Nội\"},"
		"{\"id\":\"T99999999999999999999\",\"type\":\"X\",\"start\":0,"
		"\"end\":1,\"text\":\"H\"},"
		"{\"id\":\"X9\",\"type\":\"X\",\"start\":0,\"end\":1,"
		"\"text\":\"H\"}],"
		"\"relations\":[{\"id\":\"R7\",\"type\":\"r\",\"args\":{}}]}";
	struct vnie_error err;
	struct doc d;
	json_t *e, *r;

	CHECK("ids: parse", parse(&d, S(line), &err) == DOC_RECORD &&
	      doc_check(&d, &err) == 0);
	e = doc_add_entity(&d, "LOC", 10, 13, "gazetteers/places.tsv:4");
	CHECK_STR("ids: next entity id after T3", json_string_value(
		  json_object_get(e, "id")), 2, "T4");
	CHECK_STR("ids: entity text cut by code points", json_string_value(
		  json_object_get(e, "text")), 5, "Huế");
	e = doc_add_entity(&d, "LOC", 0, 0, NULL);
	CHECK_STR("ids: then T5", json_string_value(json_object_get(e, "id")),
		  2, "T5");
	CHECK("ids: empty entity has empty text",
	      json_string_length(json_object_get(e, "text")) == 0);
	r = doc_add_relation(&d, "located_in", NULL);
	CHECK_STR("ids: next relation id after R7", json_string_value(
		  json_object_get(r, "id")), 2, "R8");
	json_object_set_new(json_object_get(r, "args"), "a", json_string("T4"));
	CHECK("ids: record still checks", doc_check(&d, &err) == 0);
	doc_release(&d);

	CHECK("ids: first entity of a bare record is T1",
	      parse(&d, S("{\"text\":\"ab\"}"), &err) == DOC_RECORD);
	e = doc_add_entity(&d, "X", 0, 2, NULL);
	CHECK_STR("ids: T1", json_string_value(json_object_get(e, "id")), 2,
		  "T1");
	doc_release(&d);
}

static void test_warn_set_text(void)
{
	struct doc d;
	struct buf out = BUF_INIT;

	doc_new(&d, "f#1", "a\0b", 3);
	doc_warn(&d, "read: invalid UTF-8 at byte %d replaced by U+FFFD", 4);
	doc_set_text(&d, "Hà", 3);
	CHECK("set_text: code points", doc_ncp(&d) == 2 &&
	      doc_byte(&d, 1) == 1 && doc_byte(&d, 2) == 3 &&
	      doc_cp(&d, 3) == 2);
	doc_write(&d, &out);
	CHECK_STR("new + warn + set_text", out.p, out.n,
		  "{\"id\":\"f#1\",\"text\":\"Hà\",\"warnings\":[\"read: "
		  "invalid UTF-8 at byte 4 replaced by U+FFFD\"]}\n");
	doc_release(&d);
	buf_release(&out);
}

int main(void)
{
	test_parse_bad();
	test_parse_odd();
	test_roundtrip();
	test_write_error();
	test_check();
	test_ids();
	test_warn_set_text();
	T_DONE();
}
