/*
 * stage.h: the loop shared by every record-to-record stage (normalize,
 * split, gazetteer, rules): read a line, parse it, hand the record to the
 * stage's function, write the result, and turn every line that cannot be
 * read into an error record in its place. One line in, one line out.
 *
 * Also the options every stage takes (--help, --max-line, --strict) and
 * the usage-error convention (message, hint, exit 2).
 */
#ifndef VNIE_STAGE_H
#define VNIE_STAGE_H

#include <getopt.h>
#include <stdio.h>

#include "doc.h"

/*
 * A stage's work on one record: 0 when done, STAGE_UNCHANGED when it left
 * the record as it was (the input line may then be written as it came,
 * saving its serialisation), -1 to reject the record with err (it becomes
 * an error record). It must not print or exit, and when it rejects a
 * record it must leave it unchanged (check first, then change): `vnie run`
 * writes the record as the failing stage received it.
 */
#define STAGE_UNCHANGED 1
typedef int (*stage_fn)(void *ctx, struct doc *d, struct vnie_error *err);

struct stage {
	const char *name;  /* "split": for messages and error records */
	stage_fn fn;       /* the work */
	void *ctx;         /* its state */
	size_t max_line;   /* --max-line */
	int strict;        /* --strict: the first bad record is fatal */
	int check_input;   /* run doc_check() on each record before fn */
	int jobs;          /* -j: worker threads; 0: the number of cores */
	/* optional: a way around parsing for lines it can handle: appends
	 * the output line (without '\n') to out and returns 1, exactly as
	 * parsing and fn would have; or returns 0 and leaves out alone */
	int (*quick)(void *ctx, const char *line, size_t n, struct buf *out);
	/* optional, with quick: quick for n lines at once, each output line
	 * appended to outs[i] with ok[i] = 1, or ok[i] = 0 (outs[i] alone);
	 * the batcher gives its batches to the last stage's */
	void (*quick_batch)(void *ctx, size_t n, const char *const *lines,
			    const size_t *lens, struct buf *outs, int *ok);
};

enum { STAGE_OPT_MAX_LINE = 0x1000, STAGE_OPT_STRICT };

#define STAGE_LONGOPTS                                                   \
	{ "help", no_argument, NULL, 'h' },                              \
	{ "max-line", required_argument, NULL, STAGE_OPT_MAX_LINE },     \
	{ "strict", no_argument, NULL, STAGE_OPT_STRICT }

/* -j, --jobs N: for the commands that take it (a record-to-record stage,
 * `vnie run`): add STAGE_JOBS_LONGOPT and "j:" to getopt's options. */
#define STAGE_JOBS_LONGOPT { "jobs", required_argument, NULL, 'j' }

/* Most worker threads -j takes. */
#define STAGE_MAX_JOBS 256

#define STAGE_JOBS_HELP                                                  \
	"  -j, --jobs N      worker threads (default: the number of cores);\n" \
	"                    records come out in input order either way\n"

#define STAGE_OPTS_HELP                                                  \
	"  --max-line BYTES  longest input line read (default 64M); longer\n" \
	"                    lines become error records\n"               \
	"  --strict          stop at the first bad record (exit 1)\n"    \
	"  -h, --help        show this help\n"

void stage_init(struct stage *st, const char *name, stage_fn fn, void *ctx);

/*
 * Handle an option common to all stages. Returns 1 if c was one, 0 if not,
 * -1 after printing a usage error for a bad value.
 */
int stage_opt(struct stage *st, int c, const char *arg);

/*
 * For a command's `default:` option branch: 1 if c was a common stage
 * option (handled), else -1 after reporting the usage error with the
 * --help hint (getopt has already named an unknown option).
 */
int stage_opt_or_usage(struct stage *st, int c, const char *arg);

/* Parse a size such as 64M, 1k, 1000. -1 if malformed. */
int stage_parse_size(const char *s, size_t *out);

/* Print "vnie NAME: msg" and the --help hint; returns VNIE_EXIT_USAGE. */
int stage_usage_error(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The number of worker threads -j asks for: st->jobs, or the cores. */
int stage_jobs(const struct stage *st);

/*
 * Run the stage over fp to stdout, on stage_jobs() threads; returns the
 * exit code: 0, 1 if any record was rejected, 3 on a read or write error
 * (after a message).
 */
int stage_run(struct stage *st, FILE *fp);

/*
 * Process one input line through stages st[0..nst) the way stage_run does
 * (a line that is not a record is rejected by the first stage), appending
 * exactly one output line to out. Returns 0 for a good record, 1 for a
 * rejected one (the reason goes to stderr). `vnie run` calls it from its
 * worker threads.
 */
int stage_line(struct stage *st, size_t nst, const char *line, size_t n,
	       size_t toolong, unsigned long lineno, struct buf *out);

/*
 * The quick paths of st[0..nst) over the line at *cur (*curn bytes) in
 * turn, each one's output the next one's input, until one declines;
 * returns how many took it, *cur and *curn then being the last one's
 * output: in tmp[0] or tmp[1] (reset here as needed), or appended to out
 * for the last stage if out is not NULL.
 */
size_t stage_quick_prefix(struct stage *st, size_t nst, const char **cur,
			  size_t *curn, struct buf tmp[2], struct buf *out);

/*
 * Apply stages st[0..n) in turn to the parsed record d (which this
 * releases) and append exactly one output line to out: the record, or an
 * error record from the first stage that rejected it, holding the record
 * as that stage received it (line[0..len) for the first stage when given,
 * else the record serialised). Returns 0, or 1 if rejected.
 */
int stage_chain(struct stage *st, size_t n, struct doc *d,
		unsigned long lineno, const char *line, size_t len,
		struct buf *out);

/*
 * A message about a record, as a line on standard error. In a worker
 * thread of a batcher it is held and written with the record's output,
 * so that messages come in input order whatever the threads.
 */
void stage_message(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* For batch.c: hold this thread's messages in b from now on (NULL: stop). */
void stage_hold_messages(struct buf *b);

/* Report a write error on stdout and return VNIE_EXIT_IO. */
int stage_write_error(void);

#endif
