/*
 * cmd_eval.c: `vnie eval GOLD PRED`, scores predicted records against gold
 * records (the scoring itself is eval.c). Holds the gold records in
 * memory and streams the predictions past them, pairing records by id (or
 * by line with --by-order); reports every line or record
 * it cannot score on stderr as FILE:LINE: message and goes on, then prints
 * a table or JSON on stdout. Exit status: 0; 1 when a record was rejected,
 * a gold record had no prediction, or a --min-f1/--min-rel-f1 floor was
 * not reached; 2 on a usage error; 3 when a file cannot be read.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "eval.h"
#include "jsonl.h"
#include "stage.h"

/* One gold line: a record ready to score, or a rejected line. */
struct entry {
	struct doc d;
	unsigned long line;
	int ok;                /* parsed and checked */
	int used;              /* scored against a prediction */
	unsigned long pbad;    /* --by-order: its prediction's line, rejected */
};

struct input {
	const char *path;
	struct entry *v;
	size_t n, cap;
	json_t *ids;     /* id -> index in v, good records only */
	json_t *bad;     /* id -> line, records rejected by their checks */
	int by_order;    /* ids need not be unique */
};

/* Open a file argument ('-' is standard input); NULL after a message. */
static FILE *open_input(const char *path)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");

	if (fp == NULL)
		fprintf(stderr, "vnie eval: cannot open '%s': %s\n", path,
			strerror(errno));
	return fp;
}

static int rc_records;

static void report(const char *path, unsigned long line, const char *fmt,
		   ...) __attribute__((format(printf, 3, 4)));

static void report(const char *path, unsigned long line, const char *fmt,
		   ...)
{
	va_list ap;

	fprintf(stderr, "vnie eval: %s:%lu: ", path, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	rc_records = VNIE_EXIT_RECORDS;
}

/* Read the gold file whole. */
static int load(struct input *in, const char *path, size_t max_line)
{
	struct jsonl_reader r;
	struct vnie_error err;
	struct entry *e;
	const char *line, *id;
	size_t n, toolong;
	FILE *fp;
	json_t *prev;

	in->path = path;
	if ((fp = open_input(path)) == NULL)
		return -1;
	jsonl_reader_init(&r, fp, max_line);
	while (jsonl_next(&r, &line, &n, &toolong)) {
		if (in->n == in->cap) {
			in->cap = in->cap ? 2 * in->cap : 64;
			in->v = xrealloc(in->v, in->cap * sizeof(*in->v));
		}
		e = &in->v[in->n];
		memset(e, 0, sizeof(*e));
		e->line = r.line;
		if (toolong) {
			report(path, r.line, "line of %zu bytes is longer than "
			       "--max-line %zu", toolong, max_line);
			in->n++;
			continue;
		}
		switch (doc_parse(&e->d, line, n, r.line, &err)) {
		case DOC_PASS:
			report(path, r.line, "error record: %.*s", (int)(n <
			       200 ? n : 200), line);
			break;
		case DOC_BAD:
			report(path, r.line, "%s", err.msg);
			break;
		default:
			id = doc_id(&e->d);
			if (eval_check(&e->d, 1, &err) < 0) {
				report(path, r.line, "record '%s': %s", id,
				       err.msg);
				json_object_set_new(in->bad, id, json_integer(
					(json_int_t)r.line));
			} else if (!in->by_order &&
				   (prev = json_object_get(in->ids, id))) {
				report(path, r.line, "record '%s': id already "
				       "used on line %lu", id, in->v[
				       json_integer_value(prev)].line);
			} else {
				e->ok = 1;
				json_object_set_new(in->ids, id, json_integer(
					(json_int_t)in->n));
			}
			if (!e->ok)
				doc_release(&e->d);
			break;
		}
		in->n++;
	}
	jsonl_reader_release(&r);
	if (r.ioerr) {
		fprintf(stderr, "vnie eval: cannot read '%s': %s\n", path,
			strerror(r.ioerr));
		if (fp != stdin)
			fclose(fp);
		return -1;
	}
	if (fp != stdin)
		fclose(fp);
	return 0;
}

static void input_release(struct input *in)
{
	size_t i;

	for (i = 0; i < in->n; i++)
		if (in->v[i].ok)
			doc_release(&in->v[i].d);
	free(in->v);
	json_decref(in->ids);
	json_decref(in->bad);
}

static void score(struct eval *ev, struct input *gi, struct entry *g,
		  const char *ppath, struct doc *p)
{
	struct vnie_error err;

	g->used = 1;
	if (eval_pair(ev, &g->d, p, &err) < 0) {
		report(ppath, p->line, "record '%s': %s: its annotations "
		       "count as misses", doc_id(&g->d), err.msg);
		eval_pair(ev, &g->d, NULL, NULL);
	}
}

/* The gold record a good prediction on pred line number k goes with, or
 * NULL (after a message when that is an error). */
static struct entry *gold_for(struct input *gi, struct doc *p, size_t k,
			      const char *ppath)
{
	const char *id = doc_id(p);
	struct entry *g;
	json_t *i;

	if (gi->by_order) {
		if (k >= gi->n) {
			report(ppath, p->line, "no gold record on this line "
			       "of %s", gi->path);
			return NULL;
		}
		return gi->v[k].ok ? &gi->v[k] : NULL;
	}
	if ((i = json_object_get(gi->ids, id)) == NULL) {
		/* a gold record that was rejected: reported already */
		if (json_object_get(gi->bad, id) == NULL)
			report(ppath, p->line, "record '%s' is not in %s", id,
			       gi->path);
		return NULL;
	}
	g = &gi->v[json_integer_value(i)];
	if (g->used) {
		report(ppath, p->line, "record '%s': a second prediction for "
		       "it; only the first is scored", id);
		return NULL;
	}
	return g;
}

/* Note that the prediction for gold line k (by order) or id was
 * rejected, so that the gold record's misses say why. */
static void pred_rejected(struct input *gi, json_t *pbad, size_t k,
			  const char *id, unsigned long line)
{
	if (gi->by_order && k < gi->n)
		gi->v[k].pbad = line;
	else if (!gi->by_order && id != NULL)
		json_object_set_new(pbad, id, json_integer((json_int_t)line));
}

/*
 * Score each prediction as it is read. A gold record whose prediction is
 * missing, was rejected or cannot be aligned counts as all misses; a
 * prediction whose gold record was rejected is not scored (the gold is not
 * usable) and not reported twice.
 */
static int stream_pred(struct eval *ev, struct input *gi, const char *path,
		       size_t max_line)
{
	struct jsonl_reader r;
	struct vnie_error err;
	struct entry *g;
	struct doc p;
	const char *line;
	size_t n, toolong, k;
	FILE *fp;
	json_t *pbad = json_object(), *rej;
	int rc = 0;

	if ((fp = open_input(path)) == NULL) {
		json_decref(pbad);
		return -1;
	}
	jsonl_reader_init(&r, fp, max_line);
	for (k = 0; jsonl_next(&r, &line, &n, &toolong); k++) {
		if (toolong) {
			report(path, r.line, "line of %zu bytes is longer than "
			       "--max-line %zu", toolong, max_line);
			pred_rejected(gi, pbad, k, NULL, r.line);
			continue;
		}
		switch (doc_parse(&p, line, n, r.line, &err)) {
		case DOC_PASS:
			report(path, r.line, "error record: %.*s", (int)(n <
			       200 ? n : 200), line);
			pred_rejected(gi, pbad, k, NULL, r.line);
			break;
		case DOC_BAD:
			report(path, r.line, "%s", err.msg);
			pred_rejected(gi, pbad, k, NULL, r.line);
			break;
		default:
			if (eval_check(&p, 0, &err) < 0) {
				report(path, r.line, "record '%s': %s",
				       doc_id(&p), err.msg);
				pred_rejected(gi, pbad, k, doc_id(&p), r.line);
			} else if ((g = gold_for(gi, &p, k, path)) != NULL) {
				score(ev, gi, g, path, &p);
			}
			doc_release(&p);
			break;
		}
	}
	if (r.ioerr) {
		fprintf(stderr, "vnie eval: cannot read '%s': %s\n", path,
			strerror(r.ioerr));
		rc = -1;
	}
	jsonl_reader_release(&r);
	if (fp != stdin)
		fclose(fp);
	for (k = 0; rc == 0 && k < gi->n; k++) {
		g = &gi->v[k];
		if (!g->ok || g->used)
			continue;
		rej = json_object_get(pbad, doc_id(&g->d));
		if (g->pbad || (!gi->by_order && rej))
			report(gi->path, g->line, "record '%s': its prediction "
			       "(%s:%lld) was rejected: its annotations count "
			       "as misses", doc_id(&g->d), path, g->pbad ?
			       (long long)g->pbad : (long long)
			       json_integer_value(rej));
		else
			report(gi->path, g->line, "record '%s' has no "
			       "prediction in %s: its annotations count as "
			       "misses", doc_id(&g->d), path);
		eval_pair(ev, &g->d, NULL, NULL);
	}
	json_decref(pbad);
	return rc;
}

static int parse_floor(const char *opt, const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (errno || end == s || *end != '\0' || *out < 0 || *out > 1)
		return stage_usage_error("eval", "%s takes a number from 0 to "
					 "1, not '%s'", opt, s);
	return 0;
}

static const char usage[] =
	"usage: vnie eval [options] GOLD PRED\n"
	"\n"
	"Score the records of PRED against those of GOLD (files of JSON lines;\n"
	"'-' for standard input): precision, recall and F1 per entity type,\n"
	"strict (same type and span) and overlap (same type, spans sharing a\n"
	"character), and of the strict matches how many have the gold's\n"
	"canonical form and value; per relation type (same type and, for\n"
	"every role of the gold relation, an argument of the same type and\n"
	"span); and true and false hits per \"source\", worst first. Records\n"
	"are paired by id.\n"
	"Texts that differ by normalisation are aligned through \"raw\" and\n"
	"\"offsets\". See docs/eval.md.\n"
	"\n"
	"options:\n"
	"  --by-order         pair records by line instead of by id\n"
	"  --errors           list each miss, false hit and differing canonical\n"
	"                     form or value with its context\n"
	"  --format FMT       table (default) or json\n"
	"  --min-f1 X         exit 1 when overall strict entity F1 < X\n"
	"  --min-rel-f1 X     exit 1 when overall relation F1 < X\n"
	"  --max-line BYTES   longest input line read (default 64M)\n"
	"  -h, --help         show this help\n";

enum { OPT_BY_ORDER = 0x2000, OPT_ERRORS, OPT_FORMAT, OPT_MIN_F1,
       OPT_MIN_REL_F1 };

int cmd_eval(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "by-order", no_argument, NULL, OPT_BY_ORDER },
		{ "errors", no_argument, NULL, OPT_ERRORS },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "min-f1", required_argument, NULL, OPT_MIN_F1 },
		{ "min-rel-f1", required_argument, NULL, OPT_MIN_REL_F1 },
		STAGE_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct stage st;
	struct input gi;
	struct eval ev;
	struct buf out = BUF_INIT;
	double min_f1 = -1, min_rel_f1 = -1, f;
	int c, by_order = 0, errors = 0, json = 0, rc;

	stage_init(&st, "eval", NULL, NULL);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_BY_ORDER:
			by_order = 1;
			break;
		case OPT_ERRORS:
			errors = 1;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "json") == 0)
				json = 1;
			else if (strcmp(optarg, "table") == 0)
				json = 0;
			else
				return stage_usage_error("eval", "--format "
					"takes table or json, not '%s'",
					optarg);
			break;
		case OPT_MIN_F1:
			if (parse_floor("--min-f1", optarg, &min_f1))
				return VNIE_EXIT_USAGE;
			break;
		case OPT_MIN_REL_F1:
			if (parse_floor("--min-rel-f1", optarg, &min_rel_f1))
				return VNIE_EXIT_USAGE;
			break;
		case 'h':
			fputs(usage, stdout);
			return jsonl_finish() < 0 ? VNIE_EXIT_IO : 0;
		default:
			rc = stage_opt(&st, c, optarg);
			if (rc < 0)
				return VNIE_EXIT_USAGE;
			if (rc == 0 || c == STAGE_OPT_STRICT) {
				fprintf(stderr, "try 'vnie eval --help'\n");
				return VNIE_EXIT_USAGE;
			}
		}
	}
	if (argc - optind != 2)
		return stage_usage_error("eval", "expected two files, GOLD and "
					 "PRED");
	if (strcmp(argv[optind], "-") == 0 && strcmp(argv[optind + 1], "-")
	    == 0)
		return stage_usage_error("eval", "only one of GOLD and PRED "
					 "can be standard input");
	memset(&gi, 0, sizeof(gi));
	gi.by_order = by_order;
	gi.ids = json_object();
	gi.bad = json_object();
	eval_init(&ev, errors);
	if (load(&gi, argv[optind], st.max_line) < 0 ||
	    stream_pred(&ev, &gi, argv[optind + 1], st.max_line) < 0) {
		eval_release(&ev);
		input_release(&gi);
		return VNIE_EXIT_IO;
	}
	eval_finish(&ev);
	if (ev.docs == 0) {
		fprintf(stderr, "vnie eval: %s: no record could be scored\n",
			gi.path);
		rc_records = VNIE_EXIT_RECORDS;
	}
	rc = rc_records;
	if (json) {
		json_t *o = eval_to_json(&ev);

		json_write(o, &out);
		buf_addc(&out, '\n');
		json_decref(o);
	} else {
		eval_table(&ev, errors, &out);
	}
	if (jsonl_write(out.p, out.n) < 0)
		rc = stage_write_error();
	if (rc != VNIE_EXIT_IO && min_f1 >= 0 &&
	    (f = eval_f1(&ev.ent_all, 0)) < min_f1) {
		fprintf(stderr, "vnie eval: entity F1 %.4f is below --min-f1 "
			"%g\n", f, min_f1);
		rc = VNIE_EXIT_RECORDS;
	}
	if (rc != VNIE_EXIT_IO && min_rel_f1 >= 0 &&
	    (f = eval_f1(&ev.rel_all, 0)) < min_rel_f1) {
		fprintf(stderr, "vnie eval: relation F1 %.4f is below "
			"--min-rel-f1 %g\n", f, min_rel_f1);
		rc = VNIE_EXIT_RECORDS;
	}
	eval_release(&ev);
	input_release(&gi);
	buf_release(&out);
	if (rc != VNIE_EXIT_IO && jsonl_finish() < 0)
		rc = stage_write_error();
	return rc;
}
