/*
 * invariants.c: checks the guarantees every vnie stage gives on its
 * output, for the golden tests: `invariants N < output` asserts that the
 * output has exactly N lines, each ending in a newline; that every line is
 * a JSON object in valid UTF-8; that an error record has the form
 * {"error": {"stage": "...", "line": L, "message": "..."}, "input": "..."}
 * with L its own line number (stages keep one line in, one line out); and
 * that every other line is a document (doc_parse) whose sentences, entities
 * and relations pass doc_check: offsets within the text, each entity's
 * text equal to its span in code points, relation arguments naming
 * entities. On success it copies the output to stdout and exits 0; on the
 * first violation it prints "invariants: line L: what" on stderr, nothing
 * on stdout, and exits 1. It does not judge whether the annotations are
 * right, only whether they are consistent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "doc.h"
#include "utf8.h"

static int fail(unsigned long line, const char *what)
{
	fprintf(stderr, "invariants: line %lu: %s\n", line, what);
	return 1;
}

/* The error record at line `line`: 0 if well formed. */
static int check_error(json_t *root, unsigned long line, char *why,
		       size_t cap)
{
	json_t *e = json_object_get(root, "error");
	json_t *stage = json_object_get(e, "stage");
	json_t *ln = json_object_get(e, "line");
	json_t *msg = json_object_get(e, "message");

	if (!json_is_object(e) || !json_is_string(stage) ||
	    !json_is_integer(ln) || !json_is_string(msg) ||
	    !json_is_string(json_object_get(root, "input"))) {
		snprintf(why, cap, "malformed error record");
		return -1;
	}
	if (json_integer_value(ln) != (json_int_t)line) {
		snprintf(why, cap, "error record says line %lld",
			 (long long)json_integer_value(ln));
		return -1;
	}
	if (json_string_length(msg) == 0) {
		snprintf(why, cap, "error record with an empty message");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct buf in = BUF_INIT;
	char tmp[1 << 16], why[1200], *end;
	size_t got, off = 0;
	unsigned long want, line = 0;
	int rc = 0;

	if (argc != 2 || (want = strtoul(argv[1], &end, 10), *end != '\0')) {
		fprintf(stderr, "usage: invariants N < output\n");
		return 2;
	}
	while ((got = fread(tmp, 1, sizeof(tmp), stdin)) > 0)
		buf_add(&in, tmp, got);
	if (ferror(stdin)) {
		perror("invariants: read error");
		return 2;
	}
	if (in.n > 0 && in.p[in.n - 1] != '\n') {
		rc = fail(0, "output does not end in a newline");
		goto out;
	}
	if (!utf8_valid(in.p ? in.p : "", in.n)) {
		rc = fail(0, "output is not valid UTF-8");
		goto out;
	}
	while (off < in.n) {
		char *nl = memchr(in.p + off, '\n', in.n - off);
		size_t n = (size_t)(nl - (in.p + off));
		struct vnie_error err;
		json_error_t jerr;
		struct doc d;
		json_t *root;

		line++;
		root = json_loadb(in.p + off, n,
				  JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
				  &jerr);
		if (root == NULL || !json_is_object(root)) {
			snprintf(why, sizeof(why), "not a JSON object: %s",
				 root ? "" : jerr.text);
			json_decref(root);
			rc = fail(line, why);
			goto out;
		}
		if (json_object_get(root, "error") != NULL) {
			if (check_error(root, line, why, sizeof(why)) < 0) {
				json_decref(root);
				rc = fail(line, why);
				goto out;
			}
		} else if (doc_parse(&d, in.p + off, n, line, &err) !=
			   DOC_RECORD) {
			json_decref(root);
			rc = fail(line, err.msg);
			goto out;
		} else {
			if (doc_check(&d, &err) < 0) {
				doc_release(&d);
				json_decref(root);
				rc = fail(line, err.msg);
				goto out;
			}
			doc_release(&d);
		}
		json_decref(root);
		off += n + 1;
	}
	if (line != want) {
		snprintf(why, sizeof(why), "%lu lines, expected %lu", line,
			 want);
		rc = fail(line, why);
		goto out;
	}
	if (in.n && fwrite(in.p, 1, in.n, stdout) != in.n)
		rc = 2;
out:
	buf_release(&in);
	if (fclose(stdout) != 0)
		rc = 2;
	return rc;
}
