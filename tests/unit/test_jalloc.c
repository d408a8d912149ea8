/*
 * test_jalloc.c: jansson's values live in blocks recycled per thread
 * (jalloc.c): values made and freed over and over, in several threads,
 * one thread freeing what another made, keep their contents; what jansson
 * hands back to be free()d still may be.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jalloc.h"
#include "t.h"

/* A value with strings of every length up to past the cached sizes. */
static json_t *make(int seed)
{
	json_t *o = json_object(), *a = json_array();
	char s[320];

	for (int n = 0; n < 300; n += 7) {
		memset(s, 'a' + (seed + n) % 26, (size_t)n);
		json_array_append_new(a, json_stringn(s, (size_t)n));
		json_array_append_new(a, json_integer(seed * 1000 + n));
	}
	json_object_set_new(o, "id", json_integer(seed));
	json_object_set_new(o, "a", a);
	return o;
}

static int good(json_t *o, int seed)
{
	json_t *want = make(seed);
	int ok = json_equal(o, want);

	json_decref(want);
	return ok;
}

struct hand {
	json_t *v[64];    /* made by one thread, freed by the next */
	int seed;
	int bad;
};

static void *work(void *arg)
{
	struct hand *h = arg;

	for (int round = 0; round < 20; round++) {
		for (int i = 0; i < 64; i++) {
			if (h->v[i] != NULL) {
				h->bad += !good(h->v[i], h->seed + i);
				json_decref(h->v[i]);
			}
			h->v[i] = make(h->seed + i);
		}
	}
	return NULL;
}

int main(void)
{
	struct hand h[2];
	pthread_t t[2];
	char *dump;
	int bad = 0;

	/* as doc.c does at start-up (this binary may not link doc.o) */
	jalloc_install();
	memset(h, 0, sizeof(h));
	h[0].seed = 1;
	h[1].seed = 7;
	for (int k = 0; k < 2; k++)
		pthread_create(&t[k], NULL, work, &h[k]);
	for (int k = 0; k < 2; k++)
		pthread_join(t[k], NULL);
	/* swap: each thread now frees the other's values */
	for (int i = 0; i < 64; i++) {
		json_t *x = h[0].v[i];

		h[0].v[i] = h[1].v[i];
		h[1].v[i] = x;
	}
	h[0].seed = 7;
	h[1].seed = 1;
	for (int k = 0; k < 2; k++)
		pthread_create(&t[k], NULL, work, &h[k]);
	for (int k = 0; k < 2; k++)
		pthread_join(t[k], NULL);
	for (int k = 0; k < 2; k++) {
		bad += h[k].bad;
		for (int i = 0; i < 64; i++) {
			bad += !good(h[k].v[i], h[k].seed + i);
			json_decref(h[k].v[i]);
		}
	}
	CHECK("values made and freed across threads keep their contents",
	      bad == 0);
	{
		json_t *v = json_pack("{s:[i,s]}", "k", 1, "v");

		dump = json_dumps(v, JSON_COMPACT);
		CHECK("json_dumps gives a block free() takes",
		      dump != NULL && strcmp(dump, "{\"k\":[1,\"v\"]}") == 0);
		free(dump);
		json_decref(v);
	}
	T_DONE();
}
