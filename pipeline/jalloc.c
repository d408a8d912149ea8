/*
 * jalloc.c: the allocator jansson uses (jalloc.h): a small per-thread
 * cache of freed blocks in front of malloc.
 *
 * A record is a tree of jansson values, thousands of small blocks for one
 * with many entities, all allocated while it is read and worked on and all
 * freed when it is written. With glibc's malloc those blocks overflow its
 * per-thread cache (7 blocks a size) into arena bins: every allocation and
 * free goes through the arena, with atomic operations once there are
 * threads, and each record's first large allocation merges the previous
 * record's thousands of freed blocks back together; together a third of
 * the time of a stage that only reads and writes records. Here a freed
 * small block goes on a list of its size in the thread that frees it, and
 * the next allocation of that size takes it back.
 *
 * Every block handed out is a malloc() block, so anything jansson returns
 * for the caller to free() (json_dumps) may still be freed with free().
 * The size of a freed block comes from malloc_usable_size(): glibc's
 * blocks have usable sizes of 16k - 8 bytes, which is what the lists hold.
 */
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>

#include <jansson.h>

#include "jalloc.h"

/* Blocks of usable size 16c - 8 for c below this are cached (up to 248
 * bytes: every jansson value, object slot and short string). */
#define JALLOC_CLASSES 16

/*
 * Freed bytes a thread keeps for reuse at most: enough for the values of
 * a record with thousands of entities, small against the memory budget;
 * past it blocks go back to malloc.
 */
#define JALLOC_CACHE_BYTES ((size_t)4 << 20)

struct jcache {
	void *head[JALLOC_CLASSES]; /* free blocks, linked through their
				       first word */
	size_t bytes;               /* their total size */
	int registered;             /* the thread-exit flush is set up */
};

static _Thread_local struct jcache jc;
static pthread_key_t jc_key;
static pthread_once_t jc_once = PTHREAD_ONCE_INIT;

static void flush(struct jcache *c)
{
	for (int k = 0; k < JALLOC_CLASSES; k++)
		while (c->head[k] != NULL) {
			void *p = c->head[k];

			c->head[k] = *(void **)p;
			free(p);
		}
	c->bytes = 0;
}

/* At a thread's exit, its cached blocks go back to malloc. */
static void on_thread_exit(void *arg)
{
	flush(arg);
}

/* At the process's exit, the exiting thread's. */
static void on_exit_flush(void)
{
	flush(&jc);
}

static void make_key(void)
{
	pthread_key_create(&jc_key, on_thread_exit);
	atexit(on_exit_flush);
}

static void *jalloc_malloc(size_t n)
{
	size_t k;
	void *p;

	if (n > 16 * (JALLOC_CLASSES - 1) - 8)
		return malloc(n);
	k = (n + 8 + 15) >> 4;
	if (k < 2)
		k = 2; /* glibc's smallest block holds 24 bytes */
	if ((p = jc.head[k]) != NULL) {
		jc.head[k] = *(void **)p;
		jc.bytes -= 16 * k;
		return p;
	}
	return malloc(16 * k - 8);
}

static void jalloc_free(void *p)
{
	size_t u, k;

	if (p == NULL)
		return;
	u = malloc_usable_size(p);
	k = (u + 8) >> 4;
	if (k >= JALLOC_CLASSES || ((u + 8) & 15) != 0 ||
	    jc.bytes + 16 * k > JALLOC_CACHE_BYTES) {
		free(p);
		return;
	}
	if (!jc.registered) {
		pthread_once(&jc_once, make_key);
		pthread_setspecific(jc_key, &jc);
		jc.registered = 1;
	}
	*(void **)p = jc.head[k];
	jc.head[k] = p;
	jc.bytes += 16 * k;
}

void jalloc_install(void)
{
#if defined(__SANITIZE_ADDRESS__)
	/* AddressSanitizer should see every free, to catch a use after it */
	(void)jalloc_malloc;
	(void)jalloc_free;
#else
	json_set_alloc_funcs(jalloc_malloc, jalloc_free);
#endif
}
