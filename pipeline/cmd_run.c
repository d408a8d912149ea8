/*
 * cmd_run.c: `vnie run`, the whole chain (read, normalize, split,
 * gazetteer, rules) in one process over several worker threads, records
 * written in input order. Each record goes through the same stage
 * functions as the single-stage commands, parsed once and serialised once,
 * so the output is byte-identical to the piped chain with the same options.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chain.h"
#include "cmds.h"
#include "input.h"
#include "jsonl.h"
#include "batch.h"
#include "stage.h"

struct run {
	struct chain chain;
	struct batcher *b;
	unsigned long nrec;
	int progress;
	size_t done_bytes;    /* bytes written so far (writer thread only) */
	unsigned long done_docs;
	struct timespec t0, last;
};

static double secs(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e9;
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
static int put(void *arg, const char *p, size_t n)
{
	struct run *r = arg;
	const char *q, *end;

	if (jsonl_write(p, n) < 0)
		return 1;
	if (r->progress) {
		/* a record is one line: JSON escapes newlines inside it */
		for (q = p, end = p + n;
		     (q = memchr(q, '\n', (size_t)(end - q))) != NULL; q++)
			r->done_docs++;
		r->done_bytes += n;
		show_progress(r, 0);
	}
	return 0;
}

static int submit_doc(void *arg, struct doc *d)
{
	struct run *r = arg;

	return batcher_doc(r->b, d, ++r->nrec);
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
	while (jsonl_next(&rd, &line, &n, &toolong))
		if (batcher_line(r->b, line, n, toolong, rd.line) != 0)
			break; /* a write failed, or --strict stopped */
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
		STAGE_JOBS_LONGOPT,
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
	int c, i, rc = 0, records = 0, h, status, write_errno;
	unsigned long rejected;
	enum input_by by = INPUT_BY_FILE;
	const char *ext = "txt";

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
	if (optind == argc || (optind + 1 == argc &&
			       strcmp(argv[optind], "-") == 0))
		records = 1;
	if (chain_build(&r.chain, &co, &common) < 0)
		return VNIE_EXIT_USAGE;
	clock_gettime(CLOCK_MONOTONIC, &r.t0);
	r.last = r.t0;
	r.b = batcher_new(r.chain.st, r.chain.n, stage_jobs(&common),
			  common.strict, put, &r);
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
	status = batcher_finish(r.b, &rejected);
	write_errno = errno;
	if (r.progress)
		show_progress(&r, 1);
	chain_release(&r.chain);
	if (status != 0) {
		errno = write_errno;
		return stage_write_error();
	}
	if (jsonl_finish() < 0)
		return stage_write_error();
	if (rc < 0)
		return VNIE_EXIT_IO;
	if (rejected > 0 || (!records && in.failed))
		return VNIE_EXIT_RECORDS;
	return VNIE_EXIT_OK;
}
