/*
 * pool.h: an ordered parallel map. One thread submits items in order;
 * worker threads turn each into output bytes; a writer thread hands the
 * outputs to a sink in submission order. At most `window` items are in
 * flight, so memory stays bounded whatever the input's size.
 */
#ifndef VNIE_POOL_H
#define VNIE_POOL_H

#include <stddef.h>

#include "buf.h"

/* Process item into out and msg (its output and its messages, both
 * empty on entry). Called from worker threads. out is NULL once the sink
 * has failed: then only release the item. The result goes to the sink
 * with the output. */
typedef int (*pool_work_fn)(void *ctx, void *item, struct buf *out,
			    struct buf *msg);
/* Consume one output, its messages and its work's result, in order;
 * nonzero stops the pool. Writer thread. */
typedef int (*pool_sink_fn)(void *ctx, const struct buf *out,
			    const struct buf *msg, int result);

struct pool;

/* Start `workers` threads (at least 1) with `window` slots (>= workers). */
struct pool *pool_new(int workers, size_t window, pool_work_fn work,
		      pool_sink_fn sink, void *ctx);

/*
 * Submit the next item (the work function owns it from then on). Blocks
 * while the window is full. Returns nonzero once the sink has failed:
 * stop submitting then.
 */
int pool_submit(struct pool *p, void *item);

/* Wait for every item to be written, stop the threads, free the pool.
 * Returns the sink's first nonzero result, or 0. */
int pool_finish(struct pool *p);

#endif
