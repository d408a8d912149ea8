/*
 * test_json.c: json_write() must give the same bytes as jansson's own
 * compact dump, for every kind of value and every byte that needs escaping,
 * since records that pass through a stage unchanged are compared byte for
 * byte with their input; and jsonparse_object() must read exactly what
 * jansson reads, or give up (checked on hand-picked and on randomly
 * mutated lines).
 */
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "jsonparse.h"
#include "t.h"

static int same(json_t *v)
{
	struct buf b = BUF_INIT;
	char *ref = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	int ok;

	json_write(v, &b);
	ok = ref != NULL && strlen(ref) == b.n && memcmp(ref, b.p, b.n) == 0;
	if (!ok)
		printf("# jansson: %s\n# ours:    %.*s\n", ref, (int)b.n, b.p);
	free(ref);
	buf_release(&b);
	return ok;
}

int main(void)
{
	static const char *lines[] = {
		"{}",
		"[]",
		"{\"a\":[],\"b\":{},\"c\":null,\"d\":true,\"e\":false}",
		"{\"id\":\"x\",\"text\":\"Hà Nội \\\"quote\\\" back\\\\slash /slash\"}",
		"{\"t\":\"\\u0000\\u0001\\u001f\\b\\f\\n\\r\\t\\u007f\"}",
		"{\"t\":\"\\u2028\\u2029\\ud83d\\ude00 emoji\"}",
		"[1,-1,0,9223372036854775807,-9223372036854775808]",
		"[1.5,0.1,1e300,-2.5e-10,3.0]",
		"{\"nested\":{\"a\":[{\"b\":[[],[{}]]}]}}",
		"{\"z\":1,\"a\":2,\"m\":3}",
	};
	char name[64];
	size_t i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		json_error_t e;
		json_t *v = json_loads(lines[i], JSON_ALLOW_NUL, &e);

		snprintf(name, sizeof(name), "json_write matches jansson %zu", i);
		CHECK(name, v != NULL && same(v));
		json_decref(v);
	}
	/* every single byte value inside a string */
	{
		json_t *a = json_array();
		char s[2];
		int c, ok = 1;

		for (c = 0; c < 0x80; c++) {
			s[0] = (char)c;
			json_array_append_new(a, json_stringn(s, 1));
		}
		ok = same(a);
		CHECK("json_write escapes every ASCII byte as jansson does", ok);
		json_decref(a);
	}
	/* every ASCII byte at every place of a longer string, among letters
	 * and multi-byte characters: the escape scan reads 8 bytes at once */
	{
		static const char fill[] = "a\xc3\xa9" "b\xe1\xba\xa1" "cd ~\x7f"
					   "\xc3\xa0xyz{}";
		json_t *a = json_array();
		char s[sizeof(fill)];
		int c, ok;
		size_t at, n = sizeof(fill) - 1;

		for (c = 0; c < 0x80; c++)
			for (at = 0; at < n; at++) {
				memcpy(s, fill, n);
				if (((unsigned char)s[at] & 0xC0) == 0x80)
					continue; /* keep the UTF-8 valid */
				if ((unsigned char)s[at] >= 0xC0)
					continue;
				s[at] = (char)c;
				json_array_append_new(a, json_stringn(s, n));
			}
		ok = same(a);
		CHECK("json_write escapes any byte anywhere in a long string",
		      ok);
		json_decref(a);
	}
	/* the fast reader agrees with jansson or gives up */
	{
		static const char *probe[] = {
			"{\"id\":\"a\",\"text\":\"x\\u00e0\\ud83d\\ude00\\/\"}",
			"{\"a\":1,\"a\":2}", "{\"a\":01}", "{\"a\":-0}",
			"{\"a\":1.5}", "{\"a\":123456789012345678901}",
			"{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00x\"}",
			"{\"a\":\"\xff\"}", "{\"a\":\"\xc0\xaf\"}",
			"{\"a\":[1,2,]}", "{\"a\":tru}", "{\"a\" : [ true , null ] } ",
			"{\"a\":\"tab\there\"}", "[1]", "\"s\"", "{} x", "{",
			"{\"a\":{\"b\":{\"c\":[[],{}]}}}", " {\"a\":\"\\u0000\"}\r",
			/* escaped keys, held while an escaped value is read */
			"{\"k\\u00e9\":\"v\\n\",\"k\\u00e9\":1}",
			"{\"k\\u00e9\":\"v\\n\\\"\",\"k\\t\":\"\\u1ea1\"}",
			"{\"\\u0041aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\""
			":\"\\\"x\",\"b\":[\"\\/\"]}",
		};
		size_t k, m, bad = 0, agree = 0, fast = 0;
		unsigned seed = 12345;

		for (k = 0; k < sizeof(probe) / sizeof(probe[0]) + 20000; k++) {
			char line[256];
			size_t n;
			json_t *a, *b;
			json_error_t e;

			if (k < sizeof(probe) / sizeof(probe[0])) {
				n = strlen(probe[k]);
				memcpy(line, probe[k], n);
			} else {
				const char *src = probe[k % 3 == 0 ? 0 : k % 20];
				n = strlen(src);
				memcpy(line, src, n);
				for (m = 0; m < 1 + k % 3; m++) {
					seed = seed * 1103515245 + 12345;
					line[(seed >> 8) % n] = (char)(seed >> 20);
				}
			}
			a = jsonparse_object(line, n);
			b = json_loadb(line, n, JSON_REJECT_DUPLICATES |
				       JSON_ALLOW_NUL, &e);
			if (a != NULL) {
				fast++;
				if (b == NULL || !json_equal(a, b)) {
					printf("# disagree on '%.*s'\n", (int)n,
					       line);
					bad++;
				} else {
					agree++;
				}
			}
			json_decref(a);
			json_decref(b);
		}
		printf("# fast reader took %zu of the lines\n", fast);
		CHECK("jsonparse reads only what jansson reads, the same way",
		      bad == 0 && agree > 100);
	}
	T_DONE();
}
