/*
 * batch.h: records through a chain of stages on several threads, their
 * output in input order. The reading thread takes records one by one
 * into batches; with one job a batch runs in that thread (and one by one
 * when the last stage takes no batches), with more they go to the
 * workers of a pool (pool.h), and a writer thread hands each batch's
 * output on in order. A last stage with a quick_batch (the rules) gets
 * each batch whole. Used by `vnie run` and by every record-to-record
 * stage's -j.
 */
#ifndef VNIE_BATCH_H
#define VNIE_BATCH_H

#include "doc.h"
#include "stage.h"

/* Write out n bytes of output lines (whole lines). Nonzero on a write
 * error, with errno set: no output is given after that. */
typedef int (*batch_put_fn)(void *arg, const char *p, size_t n);

struct batcher;

/*
 * Stages st[0..nst) over `jobs` threads (1: in the calling thread). With
 * strict, the output ends after the first rejected record, as with one
 * job.
 */
struct batcher *batcher_new(struct stage *st, size_t nst, int jobs,
			    int strict, batch_put_fn put, void *arg);

/*
 * The next record: an input line (as for stage_line) or a parsed
 * document (as for stage_chain; the batcher takes it over). Nonzero: stop
 * reading (a write failed, or --strict met a rejected record).
 */
int batcher_line(struct batcher *b, const char *line, size_t n,
		 size_t toolong, unsigned long lineno);
int batcher_doc(struct batcher *b, struct doc *d, unsigned long lineno);

/*
 * Wait for every record's output and free the batcher. Returns 0, or -1
 * if a write failed (errno as the failing write left it). *rejected gets
 * the number of rejected records.
 */
int batcher_finish(struct batcher *b, unsigned long *rejected);

#endif
