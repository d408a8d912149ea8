/*
 * cmd_run.c: `vnie run`, the whole chain (read, normalize, split,
 * gazetteer, rules) in one process over several worker threads, records
 * written in input order. Each record goes through the same stage
 * functions as the single-stage commands, parsed once and serialised once,
 * so the output is byte-identical to the piped chain with the same options.
 */
#include <errno.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chain.h"
#include "cmds.h"
#include "input.h"
#include "jsonl.h"
#include "pool.h"
#include "stage.h"

/*
 * Batches in flight per worker thread: enough to keep every worker busy
 * while the writer waits for a slow batch, few enough that memory stays
 * bounded by a handful of batches per thread.
 */
#define RUN_WINDOW_PER_JOB 4

/*
 * Records go to the workers in batches, not one by one: each hand-off
 * costs a lock and a thread wake-up (a futex call), a noticeable share of
 * the time on short records. A batch closes at RUN_BATCH_RECORDS records
 * or RUN_BATCH_BYTES bytes of input, whichever comes first, so a slow
 * record holds back the output of few others, and memory stays bounded by
 * the window times the batch size (plus one record larger than that).
 */
#define RUN_BATCH_RECORDS 16
#define RUN_BATCH_BYTES ((size_t)64 << 10)

/* One record of a batch: a parsed document, or an input line. */
struct entry {
	struct doc d;         /* a record read from files (when !is_line) */
	size_t off, len;      /* or the input line lines[off..off+len) */
	size_t toolong;
	unsigned long lineno;
	int is_line;
};

struct batch {
	struct entry *v;
	size_t n, cap;
	struct buf lines;     /* the batch's input lines, back to back */
};

struct run {
	struct chain chain;
	struct pool *pool;    /* NULL with one job: records run inline */
	struct batch *cur;    /* the batch being filled */
	unsigned long nrec;
	atomic_int rejected;
	int progress;
	size_t done_bytes;    /* bytes written so far (writer thread only) */
	unsigned long done_docs;
	struct timespec t0, last;
	int write_errno;
	int write_failed;     /* a write failed (inline runs) */
	struct buf out;       /* output of a record run inline */
};

static double secs(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void batch_free(struct batch *b)
{
	free(b->v);
	buf_release(&b->lines);
	free(b);
}

/* Run one record through the chain, appending its one output line. */
static void run_entry(struct run *r, const char *line, struct entry *e,
		      struct buf *out)
{
	int bad;

	if (e->is_line)
		bad = stage_line(r->chain.st, r->chain.n, line, e->len,
				 e->toolong, e->lineno, out);
	else
		bad = stage_chain(r->chain.st, r->chain.n, &e->d, e->lineno,
				  NULL, 0, out);
	if (bad)
		atomic_fetch_add(&r->rejected, 1);
}

static void work(void *ctx, void *p, struct buf *out)
{
	struct run *r = ctx;
	struct batch *b = p;

	for (size_t i = 0; i < b->n; i++) {
		struct entry *e = &b->v[i];

		if (out != NULL)
			run_entry(r, b->lines.p + e->off, e, out);
		else if (!e->is_line)
			doc_release(&e->d);
	}
	batch_free(b);
}

static void show_progress(struct run *r, int final)
{
	struct timespec now;
	double el;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!final && secs(&r->last, &now) < 0.5)
		return;
	r->last = now;
	el = secs(&r->t0, &now);
	fprintf(stderr, "\rvnie run: %lu documents, %.1f MB, %.1f MB/s, %.0f s ",
		r->done_docs, (double)r->done_bytes / 1e6,
		el > 0 ? (double)r->done_bytes / 1e6 / el : 0.0, el);
	if (final)
		fputc('\n', stderr);
}

/* Write the output of one or more records. Nonzero on a write error. */
static int put(struct run *r, const struct buf *out)
{
	const char *p, *end;

	if (jsonl_write(out->p, out->n) < 0) {
		r->write_errno = errno;
		r->write_failed = 1;
		return 1;
	}
	if (r->progress) {
		/* a record is one line: JSON escapes newlines inside it */
		for (p = out->p, end = p + out->n;
		     (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
			r->done_docs++;
		r->done_bytes += out->n;
		show_progress(r, 0);
	}
	return 0;
}

static int sink(void *ctx, const struct buf *out)
{
	return put(ctx, out);
}

/* Hand the batch being filled to the workers. */
static int flush_batch(struct run *r)
{
	struct batch *b = r->cur;

	r->cur = NULL;
	if (b == NULL)
		return 0;
	if (b->n == 0) {
		batch_free(b);
		return 0;
	}
	return pool_submit(r->pool, b);
}

/*
 * Take the next record (line: its input line, or NULL for e->d). With one
 * job it runs at once, with no thread and no hand-off; otherwise it joins
 * the current batch, handed over when full. Nonzero: stop reading.
 */
static int take(struct run *r, struct entry *e, const char *line)
{
	struct batch *b;

	if (r->pool == NULL) {
		buf_reset(&r->out);
		run_entry(r, line, e, &r->out);
		return put(r, &r->out);
	}
	if ((b = r->cur) == NULL)
		b = r->cur = xcalloc(1, sizeof(*b));
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 16;
		b->v = xrealloc(b->v, b->cap * sizeof(*b->v));
	}
	if (e->is_line) {
		e->off = b->lines.n;
		buf_add(&b->lines, line, e->len);
	}
	b->v[b->n++] = *e;
	if (b->n >= RUN_BATCH_RECORDS || b->lines.n >= RUN_BATCH_BYTES ||
	    (!e->is_line && e->d.len >= RUN_BATCH_BYTES))
		return flush_batch(r);
	return 0;
}

static int submit_doc(void *arg, struct doc *d)
{
	struct run *r = arg;
	struct entry e;

	memset(&e, 0, sizeof(e));
	e.d = *d;
	e.lineno = ++r->nrec;
	return take(r, &e, NULL);
}

static void report(void *arg, const char *path, const char *why)
{
	(void)arg;
	fprintf(stderr, "vnie run: cannot read '%s': %s\n", path, why);
}

static int submit_records(struct run *r, size_t max_line)
{
	struct jsonl_reader rd;
	const char *line;
	size_t n, toolong;
	int rc = 0;

	jsonl_reader_init(&rd, stdin, max_line);
	while (rc == 0 && jsonl_next(&rd, &line, &n, &toolong)) {
		struct entry e;

		memset(&e, 0, sizeof(e));
		e.is_line = 1;
		e.len = n;
		e.toolong = toolong;
		e.lineno = rd.line;
		rc = take(r, &e, line);
	}
	if (rd.ioerr) {
		fprintf(stderr, "vnie run: read error: %s\n",
			strerror(rd.ioerr));
		rc = -1;
	}
	jsonl_reader_release(&rd);
	return rc;
}

static const char usage[] =
	"usage: vnie run [options] [PATH...]\n"
	"\n"
	"Run read, normalize, split, gazetteer and rules in one process, with\n"
	"the default rules and gazetteers, over several threads; records come\n"
	"out in input order, byte-identical to the piped chain\n"
	"  vnie read PATH | vnie normalize | vnie split | vnie gazetteer | vnie rules\n"
	"PATH as for 'vnie read'. With no PATH, or with '-' or --records, the\n"
	"input is document records on standard input (as from 'vnie read').\n"
	"\n"
	"options:\n"
	"  -j, --jobs N        worker threads (default: the number of cores)\n"
	"  --records           read records from standard input\n"
	"  --by file|line|para, --ext EXT  as for 'vnie read'\n"
	"  --progress          documents, MB, MB/s and time on standard error\n"
	"                      (default when standard error is a terminal)\n"
	"  --no-progress       no progress line\n"
	CHAIN_OPTS_HELP
	STAGE_OPTS_HELP;

enum { OPT_RECORDS = 0x2000, OPT_BY, OPT_EXT, OPT_PROGRESS, OPT_NO_PROGRESS };

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "jobs", required_argument, NULL, 'j' },
		{ "records", no_argument, NULL, OPT_RECORDS },
		{ "by", required_argument, NULL, OPT_BY },
		{ "ext", required_argument, NULL, OPT_EXT },
		{ "progress", no_argument, NULL, OPT_PROGRESS },
		{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
		CHAIN_LONGOPTS,
		STAGE_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct run r;
	struct stage common;
	struct chain_opts co;
	struct input in;
	long jobs = sysconf(_SC_NPROCESSORS_ONLN);
	int c, i, rc = 0, records = 0, h, status;
	enum input_by by = INPUT_BY_FILE;
	const char *ext = "txt";
	char *end;

	memset(&r, 0, sizeof(r));
	r.progress = isatty(2);
	stage_init(&common, "run", NULL, NULL);
	/* As in vnie rules: every record allocates and frees the same few
	 * hundred kilobytes; without this glibc hands them back to the
	 * kernel after each record and faults them in again. */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_TOP_PAD, 16 << 20);
	chain_opts_init(&co);
	while ((c = getopt_long(argc, argv, "hj:r:g:", opts, NULL)) != -1) {
		if ((h = stage_opt(&common, c, optarg)) != 0) {
			if (h < 0)
				return VNIE_EXIT_USAGE;
			continue;
		}
		if ((h = chain_opt(&co, c, optarg)) != 0) {
			if (h < 0)
				return VNIE_EXIT_USAGE;
			continue;
		}
		switch (c) {
		case 'j':
			jobs = strtol(optarg, &end, 10);
			if (*end != '\0' || jobs < 1 || jobs > 256)
				return stage_usage_error("run", "-j takes a "
					"number from 1 to 256, not '%s'", optarg);
			break;
		case OPT_RECORDS:
			records = 1;
			break;
		case OPT_BY:
			if (input_parse_by(optarg, &by) < 0)
				return stage_usage_error("run", "--by takes "
					"file, line or para, not '%s'", optarg);
			break;
		case OPT_EXT:
			ext = optarg;
			break;
		case OPT_PROGRESS:
			r.progress = 1;
			break;
		case OPT_NO_PROGRESS:
			r.progress = 0;
			break;
		case 'h':
			fputs(usage, stdout);
			return jsonl_finish() < 0 ? VNIE_EXIT_IO : 0;
		default:
			fprintf(stderr, "try 'vnie run --help'\n");
			return VNIE_EXIT_USAGE;
		}
	}
	if (jobs < 1)
		jobs = 1;
	if (optind == argc || (optind + 1 == argc &&
			       strcmp(argv[optind], "-") == 0))
		records = 1;
	if (chain_build(&r.chain, &co, &common) < 0)
		return VNIE_EXIT_USAGE;
	clock_gettime(CLOCK_MONOTONIC, &r.t0);
	r.last = r.t0;
	/* one job runs each record inline: no thread to hand it to */
	if (jobs > 1)
		r.pool = pool_new((int)jobs, (size_t)jobs * RUN_WINDOW_PER_JOB,
				  work, sink, &r);
	if (records) {
		rc = submit_records(&r, common.max_line);
	} else {
		memset(&in, 0, sizeof(in));
		in.by = by;
		in.ext = ext;
		in.emit = submit_doc;
		in.report = report;
		in.arg = &r;
		for (i = optind; i < argc && rc == 0; i++)
			rc = input_path(&in, argv[i]);
	}
	if (r.pool != NULL) {
		flush_batch(&r); /* the last one; released unrun on failure */
		status = pool_finish(r.pool);
	} else {
		status = r.write_failed;
	}
	buf_release(&r.out);
	if (r.progress)
		show_progress(&r, 1);
	chain_release(&r.chain);
	if (status != 0) {
		errno = r.write_errno;
		return stage_write_error();
	}
	if (jsonl_finish() < 0)
		return stage_write_error();
	if (rc < 0)
		return VNIE_EXIT_IO;
	if (atomic_load(&r.rejected) > 0 || (!records && in.failed))
		return VNIE_EXIT_RECORDS;
	return VNIE_EXIT_OK;
}
