/*
 * chain.c: building the stage chain of `vnie run` (chain.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "data.h"
#include "gaz.h"
#include "rules.h"

void chain_opts_init(struct chain_opts *o)
{
	memset(o, 0, sizeof(*o));
	norm_opts_init(&o->norm);
	sent_opts_init(&o->sent);
}

static void push(const char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = s;
}

int chain_opt(struct chain_opts *o, int c, const char *arg)
{
	switch (c) {
	case CHAIN_OPT_TONE:
		if (norm_parse_style(arg, &o->norm.style) < 0) {
			stage_usage_error("run", "--tone takes old or new, "
					  "not '%s'", arg);
			return -1;
		}
		return 1;
	case CHAIN_OPT_MAX_LENGTH:
		if (stage_parse_size(arg, &o->sent.max_length) < 0) {
			stage_usage_error("run", "bad --max-length '%s'", arg);
			return -1;
		}
		return 1;
	case CHAIN_OPT_ABBREV:
		o->sent.abbrev_path = arg;
		return 1;
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

static void free_sent(void *ctx)
{
	sent_free(ctx);
}

static void free_gaz(void *ctx)
{
	gaz_free(ctx);
}

static void free_rules(void *ctx)
{
	rules_free(ctx);
}

static void log_rules(const char *msg)
{
	stage_message("vnie run: rules: %s", msg);
}


int chain_build(struct chain *c, struct chain_opts *o,
		const struct stage *common)
{
	struct vnie_error err;
	void *ctx;

	memset(c, 0, sizeof(*c));
	add(c, common, "normalize", norm_stage, &o->norm, NULL);
	/* as in cmd_normalize: records with annotations are refused whole */
	c->st[c->n - 1].check_input = 0;
	c->st[c->n - 1].quick = norm_quick;

	if ((ctx = sent_new(&o->sent, &err)) == NULL) {
		fprintf(stderr, "vnie run: %s\n", err.msg);
		goto fail;
	}
	add(c, common, "split", sent_stage, ctx, free_sent);
	/* normalize let through only records without annotations */
	c->st[c->n - 1].check_input = 0;
	c->st[c->n - 1].quick = sent_quick;

	ctx = gaz_new();
	add(c, common, "gazetteer", gaz_stage, ctx, free_gaz);
	/* no input check from here on: normalize refused any record that
	 * came with annotations, so the sentences are split's own, well
	 * formed by construction */
	c->st[c->n - 1].check_input = 0;
	c->st[c->n - 1].quick = gaz_quick;
	if (gaz_load_paths(ctx, (char *const *)o->gaz, o->ngaz, vnie_report,
			   NULL) < 0)
		goto fail;

	/* as in cmd_rules: the default rule set unless -r is given */
	{
		struct rules_opts ro;
		char **def = NULL, *gazdir = NULL;
		size_t ndef = 0;

		rules_opts_init(&ro);
		ro.log = log_rules;
		ro.gaz_files = o->gaz;
		ro.ngaz = o->ngaz;
		if (o->ngaz == 0)
			ro.gaz_dir = gazdir = data_path("gazetteers");
		if (o->nrules == 0 && (ndef = rules_default_files(&def)) == 0) {
			fprintf(stderr, "vnie run: no rule files: give -r FILE "
				"or set VNIE_DATA\n");
			free(gazdir);
			goto fail;
		}
		ctx = rules_load(o->nrules ? o->rules : (const char **)def,
				 o->nrules ? o->nrules : ndef, &ro, vnie_report,
				 NULL);
		rules_files_free(def, ndef);
		free(gazdir);
		if (ctx == NULL)
			goto fail;
		add(c, common, "rules", rules_stage, ctx, free_rules);
		/* and the entities the gazetteer's: checking them again
		 * (a hash of their ids, each text compared with its span)
		 * would find nothing */
		c->st[c->n - 1].check_input = 0;
		c->st[c->n - 1].quick = rules_quick;
		c->st[c->n - 1].quick_batch = rules_quick_batch;
	}
	return 0;
fail:
	chain_release(c);
	return -1;
}

void chain_release(struct chain *c)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->release[i] != NULL)
			c->release[i](c->st[i].ctx);
	c->n = 0;
}
