/*
 * cmd_eval.c: `vnie eval GOLD PRED`, scores predicted records against gold
 * records (the scoring itself is eval.c). Reads both files whole, pairs
 * records by id (or by line with --by-order), reports every line or record
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

/* One input line: a record ready to score, or a rejected line. */
struct entry {
	struct doc d;
	unsigned long line;
	int ok;          /* parsed and checked */
	int used;        /* paired with a record of the other file */
};

struct input {
	const char *path;
	struct entry *v;
	size_t n, cap;
	json_t *ids;     /* id -> index in v, good records only */
	json_t *bad;     /* id -> line, records rejected by their checks */
	int by_order;    /* ids need not be unique */
};

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
	in->ids = json_object();
	in->bad = json_object();
	fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (fp == NULL) {
		fprintf(stderr, "vnie eval: cannot open '%s': %s\n", path,
			strerror(errno));
		return -1;
	}
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
			if (eval_check(&e->d, &err) < 0) {
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
		  struct input *pi, struct entry *p)
{
	struct vnie_error err;
	json_t *rej = json_object_get(pi->bad, doc_id(&g->d));

	if (p == NULL && rej != NULL)
		report(gi->path, g->line, "record '%s': its prediction (%s:%lld)"
		       " was rejected: its annotations count as misses",
		       doc_id(&g->d), pi->path, (long long)
		       json_integer_value(rej));
	else if (p == NULL)
		report(gi->path, g->line, "record '%s' has no prediction in "
		       "%s: its annotations count as misses", doc_id(&g->d),
		       pi->path);
	if (eval_pair(ev, &g->d, p ? &p->d : NULL, &err) < 0)
		report(p ? pi->path : gi->path, p ? p->line : g->line,
		       "record '%s': %s", doc_id(&g->d), err.msg);
}

/*
 * Pair by id. A gold record whose prediction is missing or was rejected
 * counts as all misses; a prediction whose gold record was rejected is
 * not scored (the gold is not usable) and not reported twice.
 */
static void pair_by_id(struct eval *ev, struct input *gi, struct input *pi)
{
	size_t i;
	json_t *k;

	for (i = 0; i < gi->n; i++) {
		struct entry *g = &gi->v[i], *p = NULL;

		if (!g->ok)
			continue;
		k = json_object_get(pi->ids, doc_id(&g->d));
		if (k != NULL) {
			p = &pi->v[json_integer_value(k)];
			p->used = 1;
		}
		score(ev, gi, g, pi, p);
	}
	for (i = 0; i < pi->n; i++)
		if (pi->v[i].ok && !pi->v[i].used &&
		    !json_object_get(gi->bad, doc_id(&pi->v[i].d)))
			report(pi->path, pi->v[i].line, "record '%s' is not "
			       "in %s", doc_id(&pi->v[i].d), gi->path);
}

static void pair_by_order(struct eval *ev, struct input *gi,
			  struct input *pi)
{
	size_t i;

	for (i = 0; i < gi->n || i < pi->n; i++) {
		if (i >= pi->n) {
			if (gi->v[i].ok)
				score(ev, gi, &gi->v[i], pi, NULL);
		} else if (i >= gi->n) {
			report(pi->path, pi->v[i].line, "no gold record on "
			       "this line of %s", gi->path);
		} else if (gi->v[i].ok && pi->v[i].ok) {
			score(ev, gi, &gi->v[i], pi, &pi->v[i]);
		} else if (gi->v[i].ok) {
			report(gi->path, gi->v[i].line, "record '%s': its "
			       "prediction (%s:%lu) was rejected: its "
			       "annotations count as misses",
			       doc_id(&gi->v[i].d), pi->path, pi->v[i].line);
			eval_pair(ev, &gi->v[i].d, NULL, NULL);
		}
	}
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
	"character); per relation type (same type and, for every role of the\n"
	"gold relation, an argument of the same type and span); and true and\n"
	"false hits per \"source\", worst first. Records are paired by id.\n"
	"Texts that differ by normalisation are aligned through \"raw\" and\n"
	"\"offsets\". See docs/eval.md.\n"
	"\n"
	"options:\n"
	"  --by-order         pair records by line instead of by id\n"
	"  --errors           list each miss and false hit with its context\n"
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
	struct input gi, pi;
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
	memset(&pi, 0, sizeof(pi));
	gi.by_order = pi.by_order = by_order;
	if (load(&gi, argv[optind], st.max_line) < 0 ||
	    load(&pi, argv[optind + 1], st.max_line) < 0) {
		input_release(&gi);
		input_release(&pi);
		return VNIE_EXIT_IO;
	}
	eval_init(&ev, errors);
	if (by_order)
		pair_by_order(&ev, &gi, &pi);
	else
		pair_by_id(&ev, &gi, &pi);
	eval_finish(&ev);
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
	input_release(&pi);
	buf_release(&out);
	if (rc != VNIE_EXIT_IO && jsonl_finish() < 0)
		rc = stage_write_error();
	return rc;
}
