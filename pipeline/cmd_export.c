/*
 * cmd_export.c: `vnie export -f FORMAT`, records on stdin to entities or
 * relations as JSON lines, TSV, CoNLL, brat standoff files or one HTML
 * page (the formats are export*.c). Error records and lines that cannot be
 * read are not exported: each is reported on stderr with its line, the
 * HTML page shows them as such, and the exit status is 1. Notes about
 * what a format cannot hold (an entity crossing others in CoNLL) go to
 * stderr without changing the exit status.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmds.h"
#include "export.h"
#include "jsonl.h"
#include "stage.h"

enum fmt { F_ENTITIES, F_RELATIONS, F_TSV, F_CONLL, F_BRAT, F_HTML };

static const char *const fmt_names[] = {
	"entities", "relations", "tsv", "conll", "brat", "html", NULL
};

/*
 * Longest brat file name made from a record id, in bytes, below the 255 of
 * common file systems with room for a "-LINE" suffix and the extension.
 */
#define EXPORT_NAME_MAX 200

struct exporter {
	enum fmt fmt;
	int raw;              /* --offsets raw */
	int no_nested;        /* --no-nested */
	const char *dir;      /* -o, for brat */
	struct buf out;       /* what goes to stdout */
	struct buf body;      /* HTML sections so far */
	json_t *types;        /* types met (brat, HTML) */
	json_t *names;        /* brat file names used */
	size_t ndocs, nerrors;
};

static int write_file(const char *dir, const char *name, const char *ext,
		      const struct buf *b)
{
	char path[4096];
	FILE *fp;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/%s%s", dir, name, ext);
	fp = fopen(path, "wb");
	if (fp == NULL) {
		fprintf(stderr, "vnie export: cannot write '%s': %s\n", path,
			strerror(errno));
		return -1;
	}
	if ((b->n && fwrite(b->p, 1, b->n, fp) != b->n) || fflush(fp))
		rc = -1;
	if (fclose(fp) != 0)
		rc = -1;
	if (rc < 0)
		fprintf(stderr, "vnie export: cannot write '%s': %s\n", path,
			strerror(errno));
	return rc;
}

/* A file name for a record: its id with '/', control characters and a
 * leading '.' made '_', cut to EXPORT_NAME_MAX bytes on a character
 * boundary, made unique with "-LINE". */
static void brat_name(struct exporter *ex, struct doc *d, char *name,
		      size_t cap)
{
	json_t *id = json_object_get(d->root, "id");
	const char *s = json_string_value(id);
	size_t n = id ? json_string_length(id) : 0, i, k = 0;

	if (n > EXPORT_NAME_MAX) {
		n = EXPORT_NAME_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	for (i = 0; i < n && k + 1 < cap; i++) {
		unsigned char c = (unsigned char)s[i];

		name[k++] = c < ' ' || c == '/' || c == '\\' || c == 0x7F ||
			    (i == 0 && c == '.') ? '_' : (char)c;
	}
	name[k] = '\0';
	if (k == 0 || json_object_get(ex->names, name) != NULL)
		snprintf(name + k, cap - k, "%sline%lu", k ? "-" : "",
			 d->line);
	json_object_set_new(ex->names, name, json_true());
}

static void report(unsigned long line, const char *id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void report(unsigned long line, const char *id, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vnie export: line %lu: ", line);
	if (id)
		fprintf(stderr, "record '%s': ", id);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Print each line of warn as a note about the record. */
static void notes(unsigned long line, const char *id, struct buf *warn)
{
	const char *p = warn->p, *nl;

	while (p && p < warn->p + warn->n) {
		nl = memchr(p, '\n', (size_t)(warn->p + warn->n - p));
		if (nl == NULL)
			nl = warn->p + warn->n;
		report(line, id, "%.*s", (int)(nl - p), p);
		p = nl + 1;
	}
}

/* Export one good record; -1 on a write error (already reported). */
static int one(struct exporter *ex, struct export_doc *x)
{
	struct buf warn = BUF_INIT, txt = BUF_INIT, ann = BUF_INIT;
	char name[EXPORT_NAME_MAX + 64];
	int rc = 0;

	ex->ndocs++;
	switch (ex->fmt) {
	case F_ENTITIES: export_entities(x, &ex->out); break;
	case F_RELATIONS: export_relations(x, &ex->out); break;
	case F_TSV: export_tsv(x, &ex->out); break;
	case F_CONLL: export_conll(x, ex->no_nested, &ex->out, &warn); break;
	case F_HTML: export_html_doc(x, ex->ndocs, ex->types, &ex->body);
		break;
	case F_BRAT:
		export_brat(x, &txt, &ann, ex->types, &warn);
		brat_name(ex, x->d, name, sizeof(name));
		if (write_file(ex->dir, name, ".txt", &txt) < 0 ||
		    write_file(ex->dir, name, ".ann", &ann) < 0)
			rc = -1;
		break;
	}
	notes(x->d->line, x->id, &warn);
	buf_release(&warn);
	buf_release(&txt);
	buf_release(&ann);
	return rc;
}

/* An error record on input: say so, and show it in the HTML page. */
static void error_record(struct exporter *ex, unsigned long line,
			 const char *s, size_t n)
{
	json_t *r = json_loadb(s, n, JSON_ALLOW_NUL, NULL);
	json_t *e = json_object_get(r, "error");
	const char *stage = json_string_value(json_object_get(e, "stage"));
	const char *msg = json_string_value(json_object_get(e, "message"));
	json_t *in = json_object_get(r, "input");
	char full[1200];

	snprintf(full, sizeof(full), "error record from %s (its line %lld): "
		 "%s", stage ? stage : "?", (long long)json_integer_value(
		 json_object_get(e, "line")), msg ? msg : "?");
	report(line, NULL, "%s", full);
	if (ex->fmt == F_HTML)
		export_html_error(line, full, json_is_string(in) ?
				  json_string_value(in) : "",
				  json_string_length(in), &ex->body);
	json_decref(r);
}

static int flush_out(struct exporter *ex)
{
	int rc = jsonl_write(ex->out.p, ex->out.n);

	buf_reset(&ex->out);
	return rc;
}

static int run(struct exporter *ex, struct stage *st)
{
	struct jsonl_reader r;
	struct vnie_error err;
	struct export_doc x;
	struct doc d;
	const char *line;
	size_t n, toolong;
	int rc = VNIE_EXIT_OK, bad;

	jsonl_reader_init(&r, stdin, st->max_line);
	if (ex->fmt == F_TSV)
		export_tsv_header(&ex->out);
	while (jsonl_next(&r, &line, &n, &toolong)) {
		bad = 1;
		if (toolong) {
			snprintf(err.msg, sizeof(err.msg), "line of %zu bytes "
				 "is longer than --max-line %zu", toolong,
				 st->max_line);
			report(r.line, NULL, "%s", err.msg);
			if (ex->fmt == F_HTML)
				export_html_error(r.line, err.msg, line, n,
						  &ex->body);
		} else {
			switch (doc_parse(&d, line, n, r.line, &err)) {
			case DOC_PASS:
				error_record(ex, r.line, line, n);
				break;
			case DOC_BAD:
				report(r.line, NULL, "%s", err.msg);
				if (ex->fmt == F_HTML)
					export_html_error(r.line, err.msg,
							  line, n, &ex->body);
				break;
			default:
				if (doc_check(&d, &err) < 0 ||
				    export_doc_load(&x, &d, ex->raw,
						    &err) < 0) {
					report(r.line, doc_id(&d), "%s",
					       err.msg);
					if (ex->fmt == F_HTML)
						export_html_error(r.line,
							err.msg, line, n,
							&ex->body);
				} else {
					bad = 0;
					if (one(ex, &x) < 0)
						rc = VNIE_EXIT_IO;
					export_doc_release(&x);
				}
				doc_release(&d);
			}
		}
		if (bad) {
			ex->nerrors++;
			if (rc == VNIE_EXIT_OK)
				rc = VNIE_EXIT_RECORDS;
		}
		if (ex->out.n > (1 << 16) && flush_out(ex) < 0)
			rc = stage_write_error();
		if (rc == VNIE_EXIT_IO || (bad && st->strict))
			break;
	}
	if (r.ioerr) {
		fprintf(stderr, "vnie export: read error: %s\n",
			strerror(r.ioerr));
		rc = VNIE_EXIT_IO;
	}
	jsonl_reader_release(&r);
	return rc;
}

static const char usage[] =
	"usage: vnie export -f FORMAT [-o DIR] [--offsets raw] [--no-nested]\n"
	"\n"
	"Export the records read on standard input. FORMAT is one of:\n"
	"  entities   one JSON line per entity: doc_id, id, sentence, type,\n"
	"             start, end, text, canonical, value, source, context\n"
	"  relations  one JSON line per relation with its arguments' id,\n"
	"             type, span and text\n"
	"  tsv        one line per entity under a header row; tab, line feed,\n"
	"             carriage return and backslash escaped as \\t \\n \\r \\\\\n"
	"  conll      one syllable token per line: TOKEN START END TAG TAG2\n"
	"             (BIO; TAG2 holds nested entities), a blank line after\n"
	"             each sentence, '# doc_id = ID' before each document\n"
	"  brat       ID.txt and ID.ann per document and annotation.conf, into\n"
	"             the folder given by -o\n"
	"  html       one self-contained page on standard output\n"
	"Error records on input are reported on stderr and not exported (exit\n"
	"status 1). See docs/export.md.\n"
	"\n"
	"options:\n"
	"  -f, --format FORMAT  the format (required)\n"
	"  -o, --output DIR     folder for brat files (created if missing)\n"
	"  --offsets raw        offsets (and brat/HTML text) into \"raw\",\n"
	"                       the original text, through \"offsets\"\n"
	"  --offsets text       offsets into \"text\" (default)\n"
	"  --no-nested          CoNLL: leave out nested entities (TAG2)\n"
	STAGE_OPTS_HELP;

enum { OPT_OFFSETS = 0x2000, OPT_NO_NESTED };

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "offsets", required_argument, NULL, OPT_OFFSETS },
		{ "no-nested", no_argument, NULL, OPT_NO_NESTED },
		STAGE_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct exporter ex;
	struct stage st;
	struct buf conf = BUF_INIT;
	int c, k, rc, have_fmt = 0;

	memset(&ex, 0, sizeof(ex));
	stage_init(&st, "export", NULL, NULL);
	while ((c = getopt_long(argc, argv, "f:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			for (k = 0; fmt_names[k]; k++)
				if (strcmp(optarg, fmt_names[k]) == 0)
					break;
			if (fmt_names[k] == NULL)
				return stage_usage_error("export", "unknown "
					"format '%s' (entities, relations, tsv,"
					" conll, brat, html)", optarg);
			ex.fmt = (enum fmt)k;
			have_fmt = 1;
			break;
		case 'o':
			ex.dir = optarg;
			break;
		case OPT_OFFSETS:
			if (strcmp(optarg, "raw") == 0)
				ex.raw = 1;
			else if (strcmp(optarg, "text") == 0)
				ex.raw = 0;
			else
				return stage_usage_error("export", "--offsets "
					"takes raw or text, not '%s'", optarg);
			break;
		case OPT_NO_NESTED:
			ex.no_nested = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return jsonl_finish() < 0 ? VNIE_EXIT_IO : 0;
		default:
			if (stage_opt_or_usage(&st, c, optarg) < 0)
				return VNIE_EXIT_USAGE;
		}
	}
	if (optind < argc)
		return stage_usage_error("export", "unexpected argument '%s' "
					 "(records are read on standard input)",
					 argv[optind]);
	if (!have_fmt)
		return stage_usage_error("export", "-f FORMAT is required");
	if (ex.fmt == F_BRAT && ex.dir == NULL)
		return stage_usage_error("export", "brat needs -o DIR");
	if (ex.fmt != F_BRAT && ex.dir != NULL)
		return stage_usage_error("export", "-o is for brat only; "
					 "other formats go to standard output");
	if (ex.no_nested && ex.fmt != F_CONLL)
		return stage_usage_error("export", "--no-nested is for conll "
					 "only");
	if (ex.dir != NULL && mkdir(ex.dir, 0777) < 0 && errno != EEXIST) {
		fprintf(stderr, "vnie export: cannot create '%s': %s\n",
			ex.dir, strerror(errno));
		return VNIE_EXIT_IO;
	}
	ex.types = json_object();
	ex.names = json_object();
	rc = run(&ex, &st);
	if (rc != VNIE_EXIT_IO && ex.fmt == F_HTML)
		export_html_page(ex.types, &ex.body, ex.ndocs, ex.nerrors,
				 &ex.out);
	if (rc != VNIE_EXIT_IO && ex.fmt == F_BRAT) {
		export_brat_conf(ex.types, &conf);
		if (write_file(ex.dir, "annotation", ".conf", &conf) < 0)
			rc = VNIE_EXIT_IO;
	}
	if (flush_out(&ex) < 0)
		rc = stage_write_error();
	buf_release(&ex.out);
	buf_release(&ex.body);
	buf_release(&conf);
	json_decref(ex.types);
	json_decref(ex.names);
	if (jsonl_finish() < 0 && rc != VNIE_EXIT_IO)
		rc = stage_write_error();
	return rc;
}
