/*
 * pool.c: the ordered parallel map of pool.h, on POSIX threads: a ring of
 * `window` slots indexed by sequence number, one mutex, three condition
 * variables (a slot freed, work queued, a slot done).
 */
#include <pthread.h>
#include <stdlib.h>

#include "pool.h"
#include "vnie.h"

enum { SLOT_FREE, SLOT_QUEUED, SLOT_DONE };

struct slot {
	void *item;      /* input, owned by the work function once taken */
	struct buf out;  /* its output, reused from item to item */
	struct buf msg;  /* its messages, likewise */
	int result;      /* what the work function returned */
	int state;
};

struct pool {
	pthread_mutex_t m;
	pthread_cond_t freed, queued, done;
	struct slot *slots;
	size_t window;
	unsigned long submitted; /* next sequence number to submit */
	unsigned long taken;     /* next to give to a worker */
	unsigned long written;   /* next to write */
	int closing;             /* no more submissions */
	int failed;              /* the sink's first nonzero result */
	pool_work_fn work;
	pool_sink_fn sink;
	void *ctx;
	pthread_t *threads;
	int nthreads;
	pthread_t writer;
};

static void *worker_main(void *arg)
{
	struct pool *p = arg;
	struct slot *s;
	unsigned long seq;
	int failed;

	pthread_mutex_lock(&p->m);
	for (;;) {
		while (p->taken == p->submitted && !p->closing)
			pthread_cond_wait(&p->queued, &p->m);
		if (p->taken == p->submitted)
			break;
		seq = p->taken++;
		s = &p->slots[seq % p->window];
		failed = p->failed;
		pthread_mutex_unlock(&p->m);
		buf_reset(&s->out);
		buf_reset(&s->msg);
		s->result = p->work(p->ctx, s->item, failed ? NULL : &s->out,
				    &s->msg);
		pthread_mutex_lock(&p->m);
		s->state = SLOT_DONE;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->m);
	return NULL;
}

static void *writer_main(void *arg)
{
	struct pool *p = arg;
	struct slot *s;
	int rc;

	pthread_mutex_lock(&p->m);
	for (;;) {
		s = &p->slots[p->written % p->window];
		while (!(p->written < p->submitted && s->state == SLOT_DONE)) {
			if (p->closing && p->written == p->submitted)
				goto out;
			pthread_cond_wait(&p->done, &p->m);
		}
		pthread_mutex_unlock(&p->m);
		rc = p->failed ? 0 : p->sink(p->ctx, &s->out, &s->msg,
						   s->result);
		pthread_mutex_lock(&p->m);
		if (rc != 0 && !p->failed)
			p->failed = rc;
		s->state = SLOT_FREE;
		p->written++;
		pthread_cond_broadcast(&p->freed);
	}
out:
	pthread_mutex_unlock(&p->m);
	return NULL;
}

struct pool *pool_new(int workers, size_t window, pool_work_fn work,
		      pool_sink_fn sink, void *ctx)
{
	struct pool *p = xcalloc(1, sizeof(*p));
	int i;

	if (workers < 1)
		workers = 1;
	if (window < (size_t)workers)
		window = (size_t)workers;
	pthread_mutex_init(&p->m, NULL);
	pthread_cond_init(&p->freed, NULL);
	pthread_cond_init(&p->queued, NULL);
	pthread_cond_init(&p->done, NULL);
	p->slots = xcalloc(window, sizeof(*p->slots));
	p->window = window;
	p->work = work;
	p->sink = sink;
	p->ctx = ctx;
	p->threads = xcalloc((size_t)workers, sizeof(*p->threads));
	for (i = 0; i < workers; i++) {
		if (pthread_create(&p->threads[i], NULL, worker_main, p) != 0)
			VNIE_BUG("cannot start a worker thread");
		p->nthreads++;
	}
	if (pthread_create(&p->writer, NULL, writer_main, p) != 0)
		VNIE_BUG("cannot start the writer thread");
	return p;
}

int pool_submit(struct pool *p, void *item)
{
	struct slot *s;
	int failed;

	pthread_mutex_lock(&p->m);
	while (p->submitted - p->written >= p->window)
		pthread_cond_wait(&p->freed, &p->m);
	s = &p->slots[p->submitted % p->window];
	s->item = item;
	s->state = SLOT_QUEUED;
	p->submitted++;
	failed = p->failed;
	pthread_cond_signal(&p->queued);
	pthread_mutex_unlock(&p->m);
	return failed;
}

int pool_finish(struct pool *p)
{
	int i, rc;
	size_t k;

	pthread_mutex_lock(&p->m);
	p->closing = 1;
	pthread_cond_broadcast(&p->queued);
	pthread_cond_broadcast(&p->done);
	pthread_mutex_unlock(&p->m);
	for (i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	pthread_join(p->writer, NULL);
	rc = p->failed;
	for (k = 0; k < p->window; k++) {
		buf_release(&p->slots[k].out);
		buf_release(&p->slots[k].msg);
	}
	free(p->slots);
	free(p->threads);
	pthread_mutex_destroy(&p->m);
	pthread_cond_destroy(&p->freed);
	pthread_cond_destroy(&p->queued);
	pthread_cond_destroy(&p->done);
	free(p);
	return rc;
}
