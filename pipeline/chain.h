/*
 * chain.h: the stages `vnie run` applies to each record, in order
 * (normalize, split, gazetteer, rules), built from the same modules and
 * options as the single-stage commands.
 */
#ifndef VNIE_CHAIN_H
#define VNIE_CHAIN_H

#include "norm.h"
#include "sent.h"
#include "stage.h"

#define CHAIN_MAX 8

struct chain_opts {
	struct norm_opts norm; /* --tone */
	struct sent_opts sent; /* --max-length, --abbrev */
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

enum { CHAIN_OPT_TONE = 0x3000, CHAIN_OPT_MAX_LENGTH, CHAIN_OPT_ABBREV };

#define CHAIN_LONGOPTS                                                   \
	{ "tone", required_argument, NULL, CHAIN_OPT_TONE },             \
	{ "max-length", required_argument, NULL, CHAIN_OPT_MAX_LENGTH }, \
	{ "abbrev", required_argument, NULL, CHAIN_OPT_ABBREV },         \
	{ "rules", required_argument, NULL, 'r' },                       \
	{ "gazetteer", required_argument, NULL, 'g' }

#define CHAIN_OPTS_HELP                                                  \
	"  --tone old|new      tone-mark placement (as for 'vnie normalize')\n" \
	"  --max-length N, --abbrev FILE  as for 'vnie split'\n"          \
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
