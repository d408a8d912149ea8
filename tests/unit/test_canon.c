/*
 * test_canon.c: the canonical JSON reader of jsonparse.h, which the
 * stages' quick paths trust to copy input as it came: whatever it accepts
 * must be exactly what jansson reads and json_write() writes back, and
 * what json_write() writes it must accept. Also utf8_valid() against
 * utf8_decode(), which defines valid UTF-8 here.
 */
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "jsonparse.h"
#include "t.h"
#include "utf8.h"

/* Does s scan as one canonical value, to its end? */
static int canon(const char *s, size_t n)
{
	const char *p = s;

	return jsonparse_canon_value(&p, s + n) == 0 && p == s + n;
}

/* If s scans as canonical, jansson must read it and json_write() give s
 * back. */
static int faithful(const char *s, size_t n)
{
	json_error_t e;
	json_t *v;
	struct buf b = BUF_INIT;
	int ok;

	if (!canon(s, n))
		return 1;
	v = json_loadb(s, n, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL |
		       JSON_DECODE_ANY, &e);
	if (v == NULL)
		return 0;
	json_write(v, &b);
	ok = b.n == n && memcmp(b.p, s, n) == 0;
	json_decref(v);
	buf_release(&b);
	return ok;
}

static unsigned long rnd = 12345;

static unsigned rand_u(unsigned m)
{
	rnd = rnd * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)(rnd >> 33) % m;
}

static json_t *random_value(int depth)
{
	static const char *const pieces[] = {
		"a", "Hà Nội", "\"", "\\", "/", "\n", "\t", "\x01", "\x1f",
		"\x7f", "\xe2\x80\xa8", "\xf0\x9f\x98\x80", "đ", " ", "\0"
	};
	char s[64];
	size_t n = 0, k;
	json_t *v;

	switch (depth > 2 ? rand_u(4) : rand_u(6)) {
	case 0:
		for (k = rand_u(6); k > 0; k--) {
			const char *p = pieces[rand_u(15)];
			size_t l = p[0] ? strlen(p) : 1;

			memcpy(s + n, p, l);
			n += l;
		}
		return json_stringn(s, n);
	case 1:
		return json_integer((json_int_t)rand_u(2000000) - 1000000);
	case 2:
		return rand_u(2) ? json_true() : json_null();
	case 3:
		return json_false();
	case 4:
		v = json_array();
		for (k = rand_u(4); k > 0; k--)
			json_array_append_new(v, random_value(depth + 1));
		return v;
	default:
		v = json_object();
		for (k = rand_u(4); k > 0; k--) {
			snprintf(s, sizeof(s), "k%u", rand_u(6));
			json_object_set_new(v, s, random_value(depth + 1));
		}
		return v;
	}
}

int main(void)
{
	static const char *const no[] = {
		"{\"a\": 1}", " {}", "{\"a\":1,\"a\":2}", "\"\\/\"", "-0",
		"01", "1.5", "1e3", "\"\\u00e9\"", "\"\\u001f\"", "\"\\u0008\"",
		"\"\\u000A\"", "\"\xc3\"", "\"\xed\xa0\x80\"", "[1,]", "{\"a\":}",
		"1234567890123456789", "\"a", "tru", "{\"\\u0000\":1}",
	};
	static const char *const yes[] = {
		"{}", "[]", "\"\"", "0", "-5", "123456789012345678", "true",
		"{\"a\":[1,{\"b\":null}],\"c\":\"\\u001F\\\"\\\\\\n\"}",
		"\"\\u0000x\"", "\"Hà Nội\xe2\x80\xa8\x7f\"",
	};
	struct buf b = BUF_INIT;
	size_t i, k;
	int all;
	char name[64];

	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		snprintf(name, sizeof(name), "not canonical %zu", i);
		CHECK(name, !canon(no[i], strlen(no[i])));
	}
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		snprintf(name, sizeof(name), "canonical %zu", i);
		CHECK(name, canon(yes[i], strlen(yes[i])) &&
		      faithful(yes[i], strlen(yes[i])));
	}
	/* json_write()'s output is canonical; mutated, what still scans as
	 * canonical is still exactly jansson's reading */
	all = 1;
	for (i = 0; i < 3000; i++) {
		json_t *v = random_value(0);

		buf_reset(&b);
		json_write(v, &b);
		json_decref(v);
		if (!canon(b.p, b.n) || !faithful(b.p, b.n))
			all = 0;
		for (k = 0; k < 8 && b.n > 0; k++) {
			static const char subst[] = "\"\\,:{}[]u0-1 \x80\xc3/";
			char *m = malloc(b.n);

			memcpy(m, b.p, b.n);
			m[rand_u((unsigned)b.n)] = subst[rand_u(sizeof(subst) - 1)];
			if (!faithful(m, b.n))
				all = 0;
			free(m);
		}
	}
	CHECK("written values scan as canonical, mutations stay faithful", all);

	/* unescaping gives jansson's string */
	{
		const char *s = "\"a\\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u0000z\"";
		json_t *v = json_loadb(s, strlen(s), JSON_ALLOW_NUL |
				       JSON_DECODE_ANY, NULL);
		char out[64];
		size_t n = jsonparse_unescape(s + 1, strlen(s) - 2, out);

		CHECK("unescape", v != NULL && n == json_string_length(v) &&
		      memcmp(out, json_string_value(v), n) == 0);
		json_decref(v);
	}

	/* utf8_valid() agrees with decoding */
	all = 1;
	for (i = 0; i < 200000; i++) {
		static const unsigned char pool[] = {
			0x41, 0x20, 0xC2, 0xDF, 0xC0, 0xC1, 0xE0, 0xA0, 0x9F,
			0xED, 0xEF, 0xF0, 0x90, 0x8F, 0xF4, 0xF5, 0xFF, 0x80,
			0xBF, 0xE1, 0xC3, 0xA1, 0xBB, 0x00
		};
		unsigned char s[24];
		size_t n = rand_u(24), j = 0;
		int32_t cp;
		int want = 1;

		for (k = 0; k < n; k++)
			s[k] = pool[rand_u(sizeof(pool))];
		while (j < n) {
			j += utf8_decode(s + j, n - j, &cp);
			if (cp < 0)
				want = 0;
		}
		if (utf8_valid((const char *)s, n) != want)
			all = 0;
	}
	CHECK("utf8_valid agrees with utf8_decode", all);
	buf_release(&b);
	T_DONE();
}
