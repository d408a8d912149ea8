/*
 * chain.h: the stages `vnie run` applies to each record, in order
 * (normalize, split, gazetteer, rules), built from the same modules and
 * options as the single-stage commands.
 */
#ifndef VNIE_CHAIN_H
#define VNIE_CHAIN_H

#include "stage.h"

#define CHAIN_MAX 8

struct chain_opts {
	const char **rules;   /* -r FILE..., or NULL for the defaults */
	size_t nrules;
	const char **gaz;     /* -g FILE..., or NULL for the defaults */
	size_t ngaz;
};

struct chain {
	struct stage st[CHAIN_MAX]; /* the stages, in order */
	size_t n;
	void (*release[CHAIN_MAX])(void *ctx); /* frees each stage's ctx */
};

#define CHAIN_LONGOPTS                                                   \
	{ "rules", required_argument, NULL, 'r' },                       \
	{ "gazetteer", required_argument, NULL, 'g' }

#define CHAIN_OPTS_HELP                                                  \
	"  -r, --rules FILE    rule file (repeatable; replaces the defaults)\n" \
	"  -g, --gazetteer FILE gazetteer (repeatable; replaces the defaults)\n"

void chain_opts_init(struct chain_opts *o);
/* 1 if c was a chain option, 0 if not, -1 after a usage error. */
int chain_opt(struct chain_opts *o, int c, const char *arg);
/* Build the stages; -1 after printing why (an invalid rule file...). The
 * common options (--max-line, --strict) are copied from `common`. */
int chain_build(struct chain *c, struct chain_opts *o,
		const struct stage *common);
void chain_release(struct chain *c);

#endif
