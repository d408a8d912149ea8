/*
 * batch.c: the batcher of batch.h. Records go to the workers in batches,
 * not one by one: each hand-off costs a lock and a thread wake-up (a
 * futex call), a noticeable share of the time on short records.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "pool.h"
#include "vnie.h"

/*
 * Batches in flight per worker thread: enough to keep every worker busy
 * while the writer waits for a slow batch, few enough that memory stays
 * bounded by a handful of batches per thread.
 */
#define BATCH_WINDOW_PER_JOB 4

/*
 * A batch closes at BATCH_RECORDS records or BATCH_BYTES bytes of input,
 * whichever comes first, so a slow record holds back the output of few
 * others, and memory stays bounded by the window times the batch size
 * (plus one record larger than that).
 */
#define BATCH_RECORDS 32
#define BATCH_BYTES ((size_t)256 << 10)

/* The work function's result for a batch that ended at a rejected record
 * under --strict: the writer stops after its output. */
#define BATCH_STOP 1

/* One record of a batch: a parsed document, or an input line. */
struct entry {
	struct doc d;         /* a parsed record (when !is_line) */
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

struct batcher {
	struct stage *st;
	size_t nst;
	int strict;
	batch_put_fn put;
	void *arg;
	struct pool *pool;    /* NULL with one job: records run inline */
	struct batch *cur;    /* the batch being filled */
	atomic_ulong rejected;
	int write_errno;      /* errno of the failed write, if any */
	int write_failed;
	int stopped;          /* --strict met a rejected record */
	struct buf out;       /* output of a record run inline */
};

static void batch_free(struct batch *b)
{
	free(b->v);
	buf_release(&b->lines);
	free(b);
}

/* Run one record, appending its one output line. 1 if rejected. */
static int run_entry(struct batcher *bt, const char *line, struct entry *e,
		     struct buf *out)
{
	int bad;

	if (e->is_line)
		bad = stage_line(bt->st, bt->nst, line, e->len, e->toolong,
				 e->lineno, out);
	else
		bad = stage_chain(bt->st, bt->nst, &e->d, e->lineno, NULL, 0,
				  out);
	if (bad)
		atomic_fetch_add(&bt->rejected, 1);
	return bad;
}

/*
 * A batch through a chain whose last stage takes lines in batches: each
 * record through the quick paths of the stages before it, then the last
 * stage over all the lines that came through, then the records left (a
 * parsed record is written as its line first, which is what the stage
 * after `vnie read` gets in a pipe) the usual way, in order. Outputs go
 * out in input order, and under --strict only up to the first rejected
 * record, as one by one.
 */
static int work_batched(struct batcher *bt, struct batch *b, struct buf *out)
{
	struct stage *last = &bt->st[bt->nst - 1];
	size_t n = b->n, i, k, m = 0;
	struct buf *o = xcalloc(n + 1, sizeof(*o));
	struct buf *mid = xcalloc(n + 1, sizeof(*mid));
	struct buf tmp[2] = { BUF_INIT, BUF_INIT }, line = BUF_INIT;
	const char **lp = xmalloc((n + 1) * sizeof(*lp));
	size_t *ln = xmalloc((n + 1) * sizeof(*ln)), *at = xmalloc((n + 1) *
							       sizeof(*at));
	int *ok = xcalloc(n + 1, sizeof(*ok)), *done = xcalloc(n + 1,
							       sizeof(*done));
	int result = 0;

	for (i = 0; i < n; i++) {
		struct entry *e = &b->v[i];
		const char *cur;
		size_t curn;

		if (!e->is_line) {
			/* the record as `vnie read` writes it */
			buf_reset(&line);
			doc_write(&e->d, &line);
			doc_release(&e->d);
			e->is_line = 1;
			e->off = b->lines.n;
			e->len = line.n - 1;
			buf_add(&b->lines, line.p, e->len);
		}
		if (e->toolong)
			continue;
		cur = b->lines.p + e->off;
		curn = e->len;
		if (stage_quick_prefix(bt->st, bt->nst - 1, &cur, &curn, tmp,
				       NULL) + 1 < bt->nst)
			continue;
		/* kept apart: tmp serves the next record */
		if (bt->nst > 1) {
			buf_add(&mid[i], cur, curn);
			cur = mid[i].p;
		}
		lp[m] = cur;
		ln[m] = curn;
		at[m++] = i;
	}
	buf_release(&tmp[0]);
	buf_release(&tmp[1]);
	buf_release(&line);
	/* pointers into b->lines are taken now that it has stopped growing */
	for (k = 0; k < m && bt->nst == 1; k++)
		lp[k] = b->lines.p + b->v[at[k]].off;
	{
		struct buf *ko = xcalloc(m + 1, sizeof(*ko));

		last->quick_batch(last->ctx, m, lp, ln, ko, ok);
		for (k = 0; k < m; k++) {
			if (ok[k]) {
				o[at[k]] = ko[k];
				buf_addc(&o[at[k]], '\n');
				done[at[k]] = 1;
			} else {
				buf_release(&ko[k]);
			}
		}
		free(ko);
	}
	for (i = 0; i < n; i++) {
		int bad = 0;

		if (!done[i])
			bad = run_entry(bt, b->lines.p + b->v[i].off, &b->v[i],
					&o[i]);
		buf_add(out, o[i].p, o[i].n);
		if (bad && bt->strict) {
			result = BATCH_STOP;
			break;
		}
	}
	for (i = 0; i < n; i++) {
		buf_release(&o[i]);
		buf_release(&mid[i]);
	}
	free(o);
	free(mid);
	free(lp);
	free(ln);
	free(at);
	free(ok);
	free(done);
	return result;
}

static int work(void *ctx, void *p, struct buf *out, struct buf *msg)
{
	struct batcher *bt = ctx;
	struct batch *b = p;
	int result = 0;

	stage_hold_messages(msg);
	if (out != NULL && bt->st[bt->nst - 1].quick_batch != NULL) {
		result = work_batched(bt, b, out);
		stage_hold_messages(NULL);
		batch_free(b);
		return result;
	}
	for (size_t i = 0; i < b->n; i++) {
		struct entry *e = &b->v[i];

		if (out != NULL && result == 0) {
			if (run_entry(bt, b->lines.p + e->off, e, out) &&
			    bt->strict)
				result = BATCH_STOP;
		} else if (!e->is_line) {
			doc_release(&e->d);
		}
	}
	stage_hold_messages(NULL);
	batch_free(b);
	return result;
}

static int write_out(struct batcher *bt, const struct buf *out)
{
	if (bt->put(bt->arg, out->p, out->n) != 0) {
		bt->write_errno = errno;
		bt->write_failed = 1;
		return 1;
	}
	return 0;
}

static int sink(void *ctx, const struct buf *out, const struct buf *msg,
		int result)
{
	struct batcher *bt = ctx;

	if (msg->n > 0)
		fwrite(msg->p, 1, msg->n, stderr);
	if (write_out(bt, out))
		return 1;
	if (result == BATCH_STOP) {
		bt->stopped = 1;
		return 1;
	}
	return 0;
}

struct batcher *batcher_new(struct stage *st, size_t nst, int jobs,
			    int strict, batch_put_fn put, void *arg)
{
	struct batcher *bt = xcalloc(1, sizeof(*bt));

	bt->st = st;
	bt->nst = nst;
	bt->strict = strict;
	bt->put = put;
	bt->arg = arg;
	atomic_init(&bt->rejected, 0);
	if (jobs > 1)
		bt->pool = pool_new(jobs, (size_t)jobs * BATCH_WINDOW_PER_JOB,
				    work, sink, bt);
	return bt;
}

/* Hand the batch being filled to the workers, or with one job run it
 * here and write its output. Nonzero: stop reading. */
static int flush_batch(struct batcher *bt)
{
	struct batch *b = bt->cur;
	struct buf msg = BUF_INIT;
	int rc;

	bt->cur = NULL;
	if (b == NULL)
		return 0;
	if (b->n == 0) {
		batch_free(b);
		return 0;
	}
	if (bt->pool != NULL)
		return pool_submit(bt->pool, b);
	buf_reset(&bt->out);
	rc = sink(bt, &bt->out, &msg, work(bt, b, &bt->out, &msg));
	buf_release(&msg);
	return rc;
}

/* Take the next record (line: its input line, or NULL for e->d).
 * Nonzero: stop reading. */
static int take(struct batcher *bt, struct entry *e, const char *line)
{
	struct batch *b;

	if (bt->pool == NULL && bt->st[bt->nst - 1].quick_batch == NULL) {
		int bad;

		buf_reset(&bt->out);
		bad = run_entry(bt, line, e, &bt->out);
		if (write_out(bt, &bt->out))
			return 1;
		if (bad && bt->strict) {
			bt->stopped = 1;
			return 1;
		}
		return 0;
	}
	if ((b = bt->cur) == NULL)
		b = bt->cur = xcalloc(1, sizeof(*b));
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : BATCH_RECORDS;
		b->v = xrealloc(b->v, b->cap * sizeof(*b->v));
	}
	if (e->is_line) {
		e->off = b->lines.n;
		buf_add(&b->lines, line, e->len);
	}
	b->v[b->n++] = *e;
	if (b->n >= BATCH_RECORDS || b->lines.n >= BATCH_BYTES ||
	    (!e->is_line && e->d.len >= BATCH_BYTES))
		return flush_batch(bt);
	return 0;
}

int batcher_line(struct batcher *bt, const char *line, size_t n,
		 size_t toolong, unsigned long lineno)
{
	struct entry e;

	memset(&e, 0, sizeof(e));
	e.is_line = 1;
	e.len = n;
	e.toolong = toolong;
	e.lineno = lineno;
	return take(bt, &e, line);
}

int batcher_doc(struct batcher *bt, struct doc *d, unsigned long lineno)
{
	struct entry e;

	memset(&e, 0, sizeof(e));
	e.d = *d;
	e.lineno = lineno;
	return take(bt, &e, NULL);
}

int batcher_finish(struct batcher *bt, unsigned long *rejected)
{
	int rc = 0;

	if (bt->pool != NULL) {
		/* the last batch; released unrun after a failure */
		flush_batch(bt);
		pool_finish(bt->pool);
	} else if (!bt->write_failed && !bt->stopped) {
		flush_batch(bt);
	} else if (bt->cur != NULL) {
		work(bt, bt->cur, NULL, NULL);
		bt->cur = NULL;
	}
	if (bt->write_failed) {
		errno = bt->write_errno;
		rc = -1;
	}
	if (rejected != NULL)
		*rejected = atomic_load(&bt->rejected);
	buf_release(&bt->out);
	free(bt);
	return rc;
}
