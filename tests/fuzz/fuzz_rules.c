/*
 * fuzz_rules.c: libFuzzer target for the rule-file parser and compiler.
 * The input is a rule file (written to a private temporary file, since
 * rules_load reads paths); errors are reported, never fatal. A rule set
 * that loads is run over a few sentences with entities already found,
 * with small PCRE2 limits, and every record it gives must pass doc_check.
 * Gazetteer classes (@class) come from $VNIE_DATA/gazetteers when set.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data.h"
#include "rules.h"

#define MUST(c) do { if (!(c)) { fprintf(stderr, "fuzz_rules: %s failed " \
	"at %s:%d\n", #c, __FILE__, __LINE__); abort(); } } while (0)

static char path[256];
static char *gazdir;

static const char *const docs[] = {
	("{\"id\":\"a\",\"text\":\"Ông Nguyễn Văn An, Chủ tịch UBND tỉnh Lạng Sơn, "
	"ngày 5/3/2022 đã ký Quyết định số 12/QĐ-UBND.\",\"sentences\":[[0,93]],"
	"\"entities\":[{\"id\":\"T1\",\"type\":\"LOC\",\"start\":38,\"end\":46,"
	"\"text\":\"Lạng Sơn\"}]}"),
	("{\"id\":\"b\",\"text\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa! "
	 "Hà Nội và TP. Hồ Chí Minh.\"}"),
	"{\"id\":\"c\",\"text\":\"\"}",
};

static void ignore(void *arg, const char *file, size_t line, size_t col,
		   const char *msg)
{
	(void)arg; (void)file; (void)line; (void)col; (void)msg;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	snprintf(path, sizeof(path), "/tmp/fuzz_rules.%ld.rules",
		 (long)getpid());
	gazdir = data_path("gazetteers");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *files[1] = { path };
	struct rules_opts o;
	struct rules *r;
	struct vnie_error err;
	struct buf line = BUF_INIT;
	struct doc d, d2;
	size_t i;
	FILE *fp = fopen(path, "wb");

	MUST(fp != NULL);
	MUST(fwrite(data, 1, size, fp) == size);
	fclose(fp);
	rules_opts_init(&o);
	o.gaz_dir = gazdir;
	o.match_limit = 10000;
	o.depth_limit = 1000;
	o.heap_limit_kb = 1000;
	r = rules_load(files, 1, &o, ignore, NULL);
	if (r == NULL)
		return 0;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		MUST(doc_parse(&d, docs[i], strlen(docs[i]), 1, &err) ==
		     DOC_RECORD);
		if (rules_stage(r, &d, &err) == 0) {
			buf_reset(&line);
			doc_write(&d, &line);
			MUST(doc_parse(&d2, line.p, line.n - 1, 1, &err) ==
			     DOC_RECORD);
			if (doc_check(&d2, &err) != 0) {
				fprintf(stderr, "%s\n%s", err.msg, line.p);
				MUST(0);
			}
			doc_release(&d2);
		}
		doc_release(&d);
	}
	buf_release(&line);
	rules_free(r);
	return 0;
}
