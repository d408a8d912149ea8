/*
 * chain.c: building the stage chain of `vnie run` (chain.h).
 */
#include <stdlib.h>
#include <string.h>

#include "chain.h"

void chain_opts_init(struct chain_opts *o)
{
	memset(o, 0, sizeof(*o));
}

static void push(const char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = s;
}

int chain_opt(struct chain_opts *o, int c, const char *arg)
{
	switch (c) {
	case 'r':
		push(&o->rules, &o->nrules, arg);
		return 1;
	case 'g':
		push(&o->gaz, &o->ngaz, arg);
		return 1;
	default:
		return 0;
	}
}

static void add(struct chain *c, const struct stage *common,
		const char *name, stage_fn fn, void *ctx,
		void (*release)(void *))
{
	struct stage *s = &c->st[c->n];

	stage_init(s, name, fn, ctx);
	s->max_line = common->max_line;
	s->strict = common->strict;
	c->release[c->n] = release;
	c->n++;
}

int chain_build(struct chain *c, struct chain_opts *o,
		const struct stage *common)
{
	memset(c, 0, sizeof(*c));
	add(c, common, "normalize", NULL, NULL, NULL);
	return 0;
}

void chain_release(struct chain *c)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->release[i] != NULL)
			c->release[i](c->st[i].ctx);
	c->n = 0;
}
