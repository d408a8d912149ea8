/*
 * eval.c: scoring predicted records against gold records (eval.h).
 *
 * Matching is done per pair of records, in the text both sides share:
 * entities one to one for strict matches (same type, start and end), and
 * by any shared code point for overlap scores; relations one to one, a
 * predicted relation matching a gold one of the same type when every role
 * of the gold relation is filled in the prediction by an entity of the same
 * type and span. Roles present only in the prediction are not looked at
 * (optional roles such as [date] may be added without penalty), and roles
 * named R and R2 (org, org2) form an unordered pair: the prediction may
 * give them the other way round. Pairwise comparison is quadratic in the
 * annotations of one record, which is a few hundred in a news article.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "offmap.h"
#include "utf8.h"

struct ent {
	const char *id, *type, *source; /* borrowed from the record */
	const char *text;               /* borrowed; "" if none */
	json_t *canon, *value;          /* borrowed, NULL if absent */
	size_t s, e;                    /* span in the compared text */
	int hit;                        /* strictly matched */
	int near;                       /* overlaps one of its type */
	size_t mate;                    /* gold, hit: the prediction's index */
	int canon_bad, value_bad;       /* gold, hit: the prediction differs */
};

struct arg {
	const char *role;               /* borrowed */
	size_t ent;                     /* index in the side's entities */
};

struct rel {
	const char *id, *type, *source; /* borrowed */
	struct arg *args;               /* owned */
	size_t nargs;
	int hit;
};

struct side {
	struct doc *d;
	int via_raw;                    /* spans mapped to raw */
	struct offmap m;
	size_t rlen;                    /* length of raw, code points */
	struct ent *ents;
	size_t nents;
	struct rel *rels;
	size_t nrels;
	size_t *sent;                   /* sentence pairs, compared text */
	size_t nsent;
};

/* The text both sides of a pair are compared in. */
struct ctext {
	const char *s;
	size_t n;
	struct utf8_idx idx;
};

void eval_init(struct eval *ev, int keep_items)
{
	memset(ev, 0, sizeof(*ev));
	ev->src_index = json_object();
	ev->keep_items = keep_items;
}

static void item_free(struct eval_item *it)
{
	free(it->type);
	free(it->doc_id);
	free(it->ann_id);
	free(it->shown);
	free(it->source);
	free(it->gold);
	free(it->pred);
}

void eval_release(struct eval *ev)
{
	size_t i;

	for (i = 0; i < ev->nents; i++)
		free(ev->ents[i].type);
	for (i = 0; i < ev->nrels; i++)
		free(ev->rels[i].type);
	for (i = 0; i < ev->nsrcs; i++)
		free(ev->srcs[i].source);
	for (i = 0; i < ev->nitems; i++)
		item_free(&ev->items[i]);
	free(ev->ents);
	free(ev->rels);
	free(ev->srcs);
	free(ev->items);
	json_decref(ev->src_index);
	memset(ev, 0, sizeof(*ev));
}

static const char *str_of(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int cmp_by_type_start(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;
	int c = strcmp(x->type, y->type);

	if (c != 0)
		return c;
	return x->s < y->s ? -1 : x->s > y->s ? 1 : 0;
}

int eval_check(struct doc *d, int gold, struct vnie_error *err)
{
	json_t *a, *x;
	struct ent *v;
	size_t i, n, s, e;
	int rc = -1;

	if (doc_check(d, err) < 0)
		return -1;
	if (!gold)
		return 0;
	a = json_object_get(d->root, "entities");
	n = json_array_size(a);
	v = xcalloc(n ? n : 1, sizeof(*v));
	json_array_foreach(a, i, x) {
		doc_span(x, &s, &e);
		v[i].id = str_of(x, "id");
		v[i].type = str_of(x, "type");
		v[i].s = s;
		v[i].e = e;
	}
	qsort(v, n, sizeof(*v), cmp_by_type_start);
	for (i = 1; i < n; i++) {
		if (strcmp(v[i].type, v[i - 1].type) != 0 ||
		    v[i].s >= v[i - 1].e)
			continue;
		vnie_err(err, "entities %s (%zu-%zu) and %s (%zu-%zu) of type "
			 "%s overlap", v[i - 1].id, v[i - 1].s, v[i - 1].e,
			 v[i].id, v[i].s, v[i].e, v[i].type);
		goto out;
	}
	rc = 0;
out:
	free(v);
	return rc;
}

/* Map a span of the side's text to the compared text. */
static void map_span(const struct side *sd, size_t *s, size_t *e)
{
	if (!sd->via_raw)
		return;
	*s = offmap_to_raw(&sd->m, *s);
	*e = offmap_to_raw(&sd->m, *e);
	/* never past the end of raw, whatever "offsets" says */
	if (*s > sd->rlen)
		*s = sd->rlen;
	if (*e > sd->rlen)
		*e = sd->rlen;
}

static void side_release(struct side *sd)
{
	size_t i;

	for (i = 0; i < sd->nrels; i++)
		free(sd->rels[i].args);
	free(sd->ents);
	free(sd->rels);
	free(sd->sent);
	offmap_release(&sd->m);
}

/* Read a checked record's annotations into sd, mapped to the compared
 * text. Relation arguments were checked to name entities by doc_check. */
static int side_load(struct side *sd, struct doc *d, int via_raw,
		     struct vnie_error *err)
{
	json_t *a, *x, *args, *v;
	const char *role, *raw;
	size_t i, j, k, s, e;

	memset(sd, 0, sizeof(*sd));
	sd->d = d;
	sd->via_raw = via_raw;
	offmap_init(&sd->m);
	if (via_raw) {
		x = json_object_get(d->root, "raw");
		raw = json_string_value(x);
		sd->rlen = utf8_count(raw, json_string_length(x));
		if (offmap_from_json(&sd->m, json_object_get(d->root,
							     "offsets"),
				     doc_ncp(d), sd->rlen, err) < 0)
			return -1;
		if (sd->m.n == 0 && sd->rlen != doc_ncp(d)) {
			vnie_err(err, "\"raw\" and \"text\" differ in length "
				 "and there are no \"offsets\"");
			return -1;
		}
	}
	a = json_object_get(d->root, "entities");
	sd->nents = json_array_size(a);
	sd->ents = xcalloc(sd->nents ? sd->nents : 1, sizeof(*sd->ents));
	json_array_foreach(a, i, x) {
		struct ent *t = &sd->ents[i];

		doc_span(x, &s, &e);
		map_span(sd, &s, &e);
		t->id = str_of(x, "id");
		t->type = str_of(x, "type");
		t->source = str_of(x, "source");
		t->text = str_of(x, "text");
		if (t->text == NULL)
			t->text = "";
		/* only a string is a canonical form; null or anything
		 * else counts as none */
		t->canon = json_object_get(x, "canonical");
		if (!json_is_string(t->canon))
			t->canon = NULL;
		t->value = json_object_get(x, "value");
		if (json_is_null(t->value))
			t->value = NULL;
		t->s = s;
		t->e = e;
	}
	a = json_object_get(d->root, "relations");
	sd->nrels = json_array_size(a);
	sd->rels = xcalloc(sd->nrels ? sd->nrels : 1, sizeof(*sd->rels));
	json_array_foreach(a, i, x) {
		struct rel *r = &sd->rels[i];

		r->id = str_of(x, "id");
		r->type = str_of(x, "type");
		r->source = str_of(x, "source");
		args = json_object_get(x, "args");
		r->args = xcalloc(json_object_size(args) + 1,
				  sizeof(*r->args));
		json_object_foreach(args, role, v) {
			for (k = 0; k < sd->nents; k++)
				if (strcmp(sd->ents[k].id,
					   json_string_value(v)) == 0)
					break;
			if (k == sd->nents)
				VNIE_BUG("checked relation names no entity");
			r->args[r->nargs].role = role;
			r->args[r->nargs++].ent = k;
		}
	}
	a = json_object_get(d->root, "sentences");
	sd->nsent = json_array_size(a);
	sd->sent = xcalloc(2 * sd->nsent + 1, sizeof(*sd->sent));
	j = 0;
	json_array_foreach(a, i, x) {
		doc_span(x, &s, &e);
		map_span(sd, &s, &e);
		sd->sent[j++] = s;
		sd->sent[j++] = e;
	}
	return 0;
}

static int str_eq(json_t *a, const char *s, size_t n)
{
	return json_is_string(a) && json_string_length(a) == n &&
	       memcmp(json_string_value(a), s, n) == 0;
}

/*
 * Decide how the two records line up: set *graw / *praw when that side's
 * spans go through its offsets to its raw, and the compared text.
 */
static int align(struct doc *g, struct doc *p, int *graw, int *praw,
		 struct ctext *ct, struct vnie_error *err)
{
	json_t *gr = json_object_get(g->root, "raw");
	json_t *pr = p ? json_object_get(p->root, "raw") : NULL;

	*graw = *praw = 0;
	ct->s = g->text;
	ct->n = g->len;
	if (p == NULL || (p->len == g->len &&
			  memcmp(p->text, g->text, g->len) == 0))
		return 0;
	if (str_eq(gr, p->text, p->len)) {
		*graw = 1;
		ct->s = p->text;
		ct->n = p->len;
		return 0;
	}
	if (str_eq(pr, g->text, g->len))
		return *praw = 1, 0;
	if (json_is_string(gr) && str_eq(pr, json_string_value(gr),
					  json_string_length(gr))) {
		*graw = *praw = 1;
		ct->s = json_string_value(gr);
		ct->n = json_string_length(gr);
		return 0;
	}
	vnie_err(err, "gold and predicted texts differ and cannot be aligned "
		 "through \"raw\" and \"offsets\"");
	return -1;
}

static struct eval_stats *stats_for(struct eval_stats **v, size_t *n,
				    const char *type)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*v)[i].type, type) == 0)
			return &(*v)[i];
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	memset(&(*v)[*n], 0, sizeof(**v));
	(*v)[*n].type = xstrdup(type);
	return &(*v)[(*n)++];
}

static void count_source(struct eval *ev, const char *source, int ok)
{
	json_t *k;
	size_t i;

	if (source == NULL)
		source = "(none)";
	k = json_object_get(ev->src_index, source);
	if (k == NULL) {
		if (ev->nsrcs == ev->capsrcs) {
			ev->capsrcs = ev->capsrcs ? 2 * ev->capsrcs : 64;
			ev->srcs = xrealloc(ev->srcs,
					    ev->capsrcs * sizeof(*ev->srcs));
		}
		i = ev->nsrcs++;
		ev->srcs[i].source = xstrdup(source);
		ev->srcs[i].ok = ev->srcs[i].bad = 0;
		json_object_set_new(ev->src_index, source,
				    json_integer((json_int_t)i));
	} else {
		i = (size_t)json_integer_value(k);
	}
	if (ok)
		ev->srcs[i].ok++;
	else
		ev->srcs[i].bad++;
}

/* Append s[0..n) with line breaks and tabs shown as spaces. */
static void add_flat(struct buf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf_addc(b, s[i] == '\n' || s[i] == '\r' || s[i] == '\t'
			 ? ' ' : s[i]);
}

/* The context of [s, e) with the span marked [[...]]. */
static char *context(struct ctext *ct, const struct side *sd,
		     const struct side *other, size_t s, size_t e)
{
	struct buf b = BUF_INIT;
	size_t a = s, z = e, i, bs, be, bz, ba;
	const struct side *sides[2] = { sd, other };
	int found = 0, k;

	for (k = 0; k < 2 && !found; k++) {
		if (sides[k] == NULL)
			continue;
		for (i = 0; i < sides[k]->nsent; i++) {
			size_t ss = sides[k]->sent[2 * i];
			size_t se = sides[k]->sent[2 * i + 1];

			if (ss <= s && s < se && e <= se &&
			    se - ss <= EVAL_SENTENCE_MAX_CP) {
				a = ss;
				z = se;
				found = 1;
				break;
			}
		}
	}
	ba = utf8_idx_byte(&ct->idx, a);
	bz = utf8_idx_byte(&ct->idx, z);
	if (!found) {
		size_t lim = s > EVAL_WINDOW_CP ? s - EVAL_WINDOW_CP : 0;

		while (a > lim) {
			size_t pb = utf8_idx_byte(&ct->idx, a - 1);

			if (ct->s[pb] == '\n')
				break;
			a--;
		}
		lim = e + EVAL_WINDOW_CP < ct->idx.ncp ? e + EVAL_WINDOW_CP
						       : ct->idx.ncp;
		while (z < lim && ct->s[utf8_idx_byte(&ct->idx, z)] != '\n')
			z++;
		ba = utf8_idx_byte(&ct->idx, a);
		bz = utf8_idx_byte(&ct->idx, z);
	}
	bs = utf8_idx_byte(&ct->idx, s);
	be = utf8_idx_byte(&ct->idx, e);
	add_flat(&b, ct->s + ba, bs - ba);
	buf_adds(&b, "[[");
	add_flat(&b, ct->s + bs, be - bs);
	buf_adds(&b, "]]");
	add_flat(&b, ct->s + be, bz - be);
	return b.p ? b.p : xstrdup("");
}

static struct eval_item *new_item(struct eval *ev, int kind, int is_rel,
				  const char *type, const char *doc_id,
				  const char *ann_id, const char *source)
{
	struct eval_item *it;

	if (ev->nitems == ev->capitems) {
		ev->capitems = ev->capitems ? 2 * ev->capitems : 64;
		ev->items = xrealloc(ev->items,
				     ev->capitems * sizeof(*ev->items));
	}
	it = &ev->items[ev->nitems++];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->is_rel = is_rel;
	it->type = xstrdup(type);
	it->doc_id = xstrdup(doc_id);
	it->ann_id = xstrdup(ann_id ? ann_id : "");
	it->source = source ? xstrdup(source) : NULL;
	return it;
}

static int same_ent(const struct ent *a, const struct ent *b)
{
	return a->s == b->s && a->e == b->e && strcmp(a->type, b->type) == 0;
}

/* An entity's canonical form: its "canonical" string (side_load() keeps
 * only a string), else its text (a record may leave out a canonical form
 * that is the text itself). */
static const char *canon_of(const struct ent *t)
{
	return t->canon != NULL ? json_string_value(t->canon) : t->text;
}

/* A value as text, owned, or NULL when absent: a string as it is, a
 * number in decimal (so that "381" and 381 agree), anything else as
 * compact JSON. */
static char *value_text(json_t *v)
{
	char tmp[64];

	if (v == NULL)
		return NULL;
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v)) {
		snprintf(tmp, sizeof(tmp), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
		return xstrdup(tmp);
	}
	if (json_is_real(v)) {
		/* the shortest form that reads back the same: 0.1, not
		 * 0.10000000000000001 */
		for (int prec = 15; prec <= 17; prec++) {
			snprintf(tmp, sizeof(tmp), "%.*g", prec,
				 json_real_value(v));
			if (strtod(tmp, NULL) == json_real_value(v))
				break;
		}
		return xstrdup(tmp);
	}
	return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

/* Compare the canonical form and value of a strict match; count them on
 * the type's row and overall. */
static void agree(struct eval *ev, struct eval_stats *st, struct ent *ge,
		  const struct ent *pe)
{
	char *gv, *pv;

	if (ge->canon != NULL) {
		st->ncanon++;
		ev->ent_all.ncanon++;
		if (strcmp(canon_of(ge), canon_of(pe)) == 0) {
			st->canon_ok++;
			ev->ent_all.canon_ok++;
		} else {
			ge->canon_bad = 1;
		}
	}
	if (ge->value != NULL) {
		gv = value_text(ge->value);
		pv = value_text(pe->value);
		st->nvalue++;
		ev->ent_all.nvalue++;
		if (pv != NULL && strcmp(gv, pv) == 0) {
			st->value_ok++;
			ev->ent_all.value_ok++;
		} else {
			ge->value_bad = 1;
		}
		free(gv);
		free(pv);
	}
}

static void match_entities(struct eval *ev, struct side *g, struct side *p)
{
	size_t i, j;
	struct eval_stats *st;

	for (i = 0; i < g->nents; i++) {
		st = stats_for(&ev->ents, &ev->nents, g->ents[i].type);
		st->ngold++;
		ev->ent_all.ngold++;
	}
	for (j = 0; p && j < p->nents; j++) {
		struct ent *pe = &p->ents[j];

		st = stats_for(&ev->ents, &ev->nents, pe->type);
		st->npred++;
		ev->ent_all.npred++;
		for (i = 0; i < g->nents && !pe->hit; i++) {
			if (!g->ents[i].hit && same_ent(&g->ents[i], pe)) {
				g->ents[i].hit = pe->hit = 1;
				g->ents[i].mate = j;
				st->tp++;
				ev->ent_all.tp++;
				agree(ev, st, &g->ents[i], pe);
			}
		}
		for (i = 0; i < g->nents; i++) {
			struct ent *ge = &g->ents[i];

			if (strcmp(ge->type, pe->type) != 0)
				continue;
			/* empty spans overlap only an identical span */
			if ((ge->s < pe->e && pe->s < ge->e) ||
			    (ge->s == pe->s && ge->e == pe->e)) {
				if (!pe->near) {
					st->ov_pred++;
					ev->ent_all.ov_pred++;
				}
				if (!ge->near) {
					st->ov_gold++;
					ev->ent_all.ov_gold++;
				}
				pe->near = ge->near = 1;
			}
		}
		count_source(ev, pe->source, pe->hit);
	}
}

/* The entity filling role in r, or NULL; with swap, roles R and R2 of a
 * pair present in gold relation g are looked up under each other. */
static const struct ent *role_ent(const struct side *sd, const struct rel *r,
				  const char *role, const struct rel *g,
				  int swap)
{
	char alt[256];
	size_t n = strlen(role), i, k;
	const char *want = role;

	if (swap && n + 2 <= sizeof(alt)) {
		if (n > 1 && role[n - 1] == '2')
			snprintf(alt, sizeof(alt), "%.*s", (int)(n - 1), role);
		else
			snprintf(alt, sizeof(alt), "%s2", role);
		for (k = 0; k < g->nargs; k++)
			if (strcmp(g->args[k].role, alt) == 0)
				want = alt;
	}
	for (i = 0; i < r->nargs; i++)
		if (strcmp(r->args[i].role, want) == 0)
			return &sd->ents[r->args[i].ent];
	return NULL;
}

static int rel_matches(const struct side *g, const struct rel *gr,
		       const struct side *p, const struct rel *pr)
{
	size_t i;
	int swap, ok;

	if (strcmp(gr->type, pr->type) != 0)
		return 0;
	for (swap = 0; swap < 2; swap++) {
		ok = 1;
		for (i = 0; i < gr->nargs && ok; i++) {
			const struct ent *pe = role_ent(p, pr, gr->args[i].role,
							gr, swap);

			ok = pe != NULL && same_ent(pe,
						    &g->ents[gr->args[i].ent]);
		}
		if (ok)
			return 1;
	}
	return 0;
}

static char *rel_shown(struct ctext *ct, const struct side *sd,
		       const struct rel *r)
{
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < r->nargs; i++) {
		const struct ent *t = &sd->ents[r->args[i].ent];
		size_t bs = utf8_idx_byte(&ct->idx, t->s);
		size_t be = utf8_idx_byte(&ct->idx, t->e);

		buf_printf(&b, "%s%s=[", i ? " " : "", r->args[i].role);
		add_flat(&b, ct->s + bs, be - bs);
		buf_printf(&b, "] (%s %zu-%zu)", t->type, t->s, t->e);
	}
	return b.p ? b.p : xstrdup("");
}

static void match_relations(struct eval *ev, struct side *g, struct side *p)
{
	size_t i, j;
	struct eval_stats *st;

	for (i = 0; i < g->nrels; i++) {
		st = stats_for(&ev->rels, &ev->nrels, g->rels[i].type);
		st->ngold++;
		ev->rel_all.ngold++;
	}
	for (j = 0; p && j < p->nrels; j++) {
		struct rel *pr = &p->rels[j];

		st = stats_for(&ev->rels, &ev->nrels, pr->type);
		st->npred++;
		ev->rel_all.npred++;
		for (i = 0; i < g->nrels && !pr->hit; i++) {
			if (!g->rels[i].hit && rel_matches(g, &g->rels[i], p,
							   pr)) {
				g->rels[i].hit = pr->hit = 1;
				st->tp++;
				ev->rel_all.tp++;
			}
		}
		count_source(ev, pr->source, pr->hit);
	}
	/* relations have no overlap score: it equals the strict one */
	for (i = 0; i < ev->nrels; i++) {
		ev->rels[i].ov_pred = ev->rels[i].ov_gold = ev->rels[i].tp;
	}
	ev->rel_all.ov_pred = ev->rel_all.ov_gold = ev->rel_all.tp;
}

/* The items of a strict match whose canonical form or value differs: t is
 * the gold entity, its prediction other->ents[t->mate]. */
static void disagreements(struct eval *ev, struct ctext *ct,
			  struct side *sd, struct side *other,
			  const struct ent *t, unsigned long line)
{
	const struct ent *pe = &other->ents[t->mate];
	struct eval_item *it;
	int k;

	for (k = 0; k < 2; k++) {
		if (!(k == 0 ? t->canon_bad : t->value_bad))
			continue;
		it = new_item(ev, k == 0 ? EVAL_CANON : EVAL_VALUE, 0,
			      t->type, doc_id(sd->d), t->id, pe->source);
		it->line = line;
		it->start = t->s;
		it->end = t->e;
		it->shown = context(ct, sd, other, t->s, t->e);
		if (k == 0) {
			it->gold = xstrdup(canon_of(t));
			it->pred = xstrdup(canon_of(pe));
		} else {
			it->gold = value_text(t->value);
			it->pred = value_text(pe->value);
		}
	}
}

static void list_items(struct eval *ev, struct ctext *ct, struct side *sd,
		       struct side *other, int kind, unsigned long line)
{
	const char *id = doc_id(sd->d);
	struct eval_item *it;
	size_t i;

	for (i = 0; i < sd->nents; i++) {
		struct ent *t = &sd->ents[i];

		if (t->hit && kind == EVAL_MISS && other != NULL)
			disagreements(ev, ct, sd, other, t, line);
		if (t->hit)
			continue;
		it = new_item(ev, kind, 0, t->type, id, t->id,
			      kind == EVAL_FALSE ? t->source : NULL);
		it->near = t->near;
		it->line = line;
		it->start = t->s;
		it->end = t->e;
		it->shown = context(ct, sd, other, t->s, t->e);
	}
	for (i = 0; i < sd->nrels; i++) {
		struct rel *r = &sd->rels[i];

		if (r->hit)
			continue;
		it = new_item(ev, kind, 1, r->type, id, r->id,
			      kind == EVAL_FALSE ? r->source : NULL);
		it->shown = rel_shown(ct, sd, r);
		it->line = line;
	}
}

int eval_pair(struct eval *ev, struct doc *gold, struct doc *pred,
	      struct vnie_error *err)
{
	struct side g, p;
	struct ctext ct;
	int graw, praw, rc = -1, havep = 0;

	if (align(gold, pred, &graw, &praw, &ct, err) < 0)
		return -1;
	if (side_load(&g, gold, graw, err) < 0) {
		side_release(&g);
		return -1;
	}
	if (pred != NULL) {
		havep = 1;
		if (side_load(&p, pred, praw, err) < 0)
			goto out;
	}
	utf8_idx_init(&ct.idx, ct.s, ct.n);
	match_entities(ev, &g, havep ? &p : NULL);
	match_relations(ev, &g, havep ? &p : NULL);
	if (ev->keep_items) {
		list_items(ev, &ct, &g, havep ? &p : NULL, EVAL_MISS,
			   gold->line);
		if (havep)
			list_items(ev, &ct, &p, &g, EVAL_FALSE, gold->line);
	}
	utf8_idx_release(&ct.idx);
	ev->docs++;
	rc = 0;
out:
	side_release(&g);
	if (havep)
		side_release(&p);
	return rc;
}

static int cmp_stats(const void *a, const void *b)
{
	return strcmp(((const struct eval_stats *)a)->type,
		      ((const struct eval_stats *)b)->type);
}

static double src_precision(const struct eval_source *s)
{
	return s->ok + s->bad ? (double)s->ok / (double)(s->ok + s->bad) : 1;
}

static int cmp_srcs(const void *a, const void *b)
{
	const struct eval_source *x = a, *y = b;
	double px = src_precision(x), py = src_precision(y);

	if (x->bad != y->bad)
		return x->bad > y->bad ? -1 : 1;
	if (px != py)
		return px < py ? -1 : 1;
	return strcmp(x->source, y->source);
}

/* Items by kind of annotation, type, miss before false, gold line, then
 * input order: a and b index ev->items, so ties fall back on the index. */
static int cmp_items(const void *a, const void *b, void *arg)
{
	const struct eval *ev = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	const struct eval_item *x = &ev->items[i], *y = &ev->items[j];
	int c;

	if (x->is_rel != y->is_rel)
		return x->is_rel - y->is_rel;
	if ((c = strcmp(x->type, y->type)) != 0)
		return c;
	if (x->kind != y->kind)
		return x->kind - y->kind;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return i < j ? -1 : i > j;
}

void eval_finish(struct eval *ev)
{
	if (ev->nents > 0)
		qsort(ev->ents, ev->nents, sizeof(*ev->ents), cmp_stats);
	if (ev->nrels > 0)
		qsort(ev->rels, ev->nrels, sizeof(*ev->rels), cmp_stats);
	if (ev->nsrcs > 0)
		qsort(ev->srcs, ev->nsrcs, sizeof(*ev->srcs), cmp_srcs);
	if (ev->nitems > 0) {
		struct eval_item *tmp;
		size_t i, *order = xmalloc(ev->nitems * sizeof(*order));

		for (i = 0; i < ev->nitems; i++)
			order[i] = i;
		qsort_r(order, ev->nitems, sizeof(*order), cmp_items, ev);
		tmp = xmalloc(ev->nitems * sizeof(*tmp));
		for (i = 0; i < ev->nitems; i++)
			tmp[i] = ev->items[order[i]];
		memcpy(ev->items, tmp, ev->nitems * sizeof(*tmp));
		free(tmp);
		free(order);
	}
}

/*
 * With nothing predicted, precision is 1 if there was nothing to find and
 * 0 otherwise; recall likewise with nothing to find. So a perfect run on
 * a type (or a corpus) with no annotations scores 1, not 0/0.
 */
double eval_precision(const struct eval_stats *s, int overlap)
{
	size_t tp = overlap ? s->ov_pred : s->tp;

	if (s->npred == 0)
		return s->ngold == 0 ? 1.0 : 0.0;
	return (double)tp / (double)s->npred;
}

double eval_recall(const struct eval_stats *s, int overlap)
{
	size_t tp = overlap ? s->ov_gold : s->tp;

	if (s->ngold == 0)
		return s->npred == 0 ? 1.0 : 0.0;
	return (double)tp / (double)s->ngold;
}

double eval_f1(const struct eval_stats *s, int overlap)
{
	double p = eval_precision(s, overlap), r = eval_recall(s, overlap);

	return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
}

/* Scores rounded to 4 places, so JSON output is stable across libcs. */
static json_t *score(double x)
{
	return json_real((double)(long)(x * 10000 + 0.5) / 10000);
}

/* How many strict matches the gold gives a canonical form or value, and
 * how many the prediction agrees with. */
static json_t *agree_json(size_t n, size_t ok)
{
	return json_pack("{s:I,s:I,s:o}", "compared", (json_int_t)n,
			 "same", (json_int_t)ok, "accuracy",
			 score(n ? (double)ok / (double)n : 1.0));
}

static json_t *stats_json(const struct eval_stats *s, int with_overlap)
{
	json_t *o = json_object(), *st = json_object();

	json_object_set_new(o, "gold", json_integer((json_int_t)s->ngold));
	json_object_set_new(o, "pred", json_integer((json_int_t)s->npred));
	json_object_set_new(st, "tp", json_integer((json_int_t)s->tp));
	json_object_set_new(st, "precision", score(eval_precision(s, 0)));
	json_object_set_new(st, "recall", score(eval_recall(s, 0)));
	json_object_set_new(st, "f1", score(eval_f1(s, 0)));
	json_object_set_new(o, "strict", st);
	if (with_overlap) {
		st = json_object();
		json_object_set_new(st, "pred_overlapping",
				    json_integer((json_int_t)s->ov_pred));
		json_object_set_new(st, "gold_overlapped",
				    json_integer((json_int_t)s->ov_gold));
		json_object_set_new(st, "precision",
				    score(eval_precision(s, 1)));
		json_object_set_new(st, "recall", score(eval_recall(s, 1)));
		json_object_set_new(st, "f1", score(eval_f1(s, 1)));
		json_object_set_new(o, "overlap", st);
		json_object_set_new(o, "canonical",
				    agree_json(s->ncanon, s->canon_ok));
		json_object_set_new(o, "value",
				    agree_json(s->nvalue, s->value_ok));
	}
	return o;
}

static json_t *group_json(const struct eval_stats *all,
			  const struct eval_stats *v, size_t n, int ov)
{
	json_t *o = json_object(), *types = json_object();
	size_t i;

	json_object_set_new(o, "overall", stats_json(all, ov));
	for (i = 0; i < n; i++)
		json_object_set_new(types, v[i].type, stats_json(&v[i], ov));
	json_object_set_new(o, "types", types);
	return o;
}

static const char *const kind_name[] = { "miss", "false", "canonical",
					  "value" };

json_t *eval_to_json(const struct eval *ev)
{
	json_t *o = json_object(), *a = json_array(), *x;
	size_t i;

	json_object_set_new(o, "documents", json_integer((json_int_t)ev->docs));
	json_object_set_new(o, "entities", group_json(&ev->ent_all, ev->ents,
						      ev->nents, 1));
	json_object_set_new(o, "relations", group_json(&ev->rel_all, ev->rels,
						       ev->nrels, 0));
	for (i = 0; i < ev->nsrcs; i++) {
		const struct eval_source *s = &ev->srcs[i];

		json_array_append_new(a, json_pack("{s:s,s:I,s:I,s:o}",
			"source", s->source, "true", (json_int_t)s->ok,
			"false", (json_int_t)s->bad,
			"precision", score(src_precision(s))));
	}
	json_object_set_new(o, "sources", a);
	if (ev->keep_items) {
		a = json_array();
		for (i = 0; i < ev->nitems; i++) {
			const struct eval_item *it = &ev->items[i];

			x = json_object();
			json_object_set_new(x, "kind", json_string(
				kind_name[it->kind]));
			json_object_set_new(x, "what", json_string(
				it->is_rel ? "relation" : "entity"));
			json_object_set_new(x, "type", json_string(it->type));
			json_object_set_new(x, "doc", json_string(it->doc_id));
			json_object_set_new(x, "id", json_string(it->ann_id));
			if (!it->is_rel) {
				json_object_set_new(x, "start", json_integer(
					(json_int_t)it->start));
				json_object_set_new(x, "end", json_integer(
					(json_int_t)it->end));
				if (it->kind < EVAL_CANON)
					json_object_set_new(x, "overlaps",
						json_boolean(it->near));
				json_object_set_new(x, "context",
						    json_string(it->shown));
			} else {
				json_object_set_new(x, "args",
						    json_string(it->shown));
			}
			if (it->kind >= EVAL_CANON) {
				json_object_set_new(x, "gold", it->gold ?
					json_string(it->gold) : json_null());
				json_object_set_new(x, "pred", it->pred ?
					json_string(it->pred) : json_null());
			}
			if (it->source)
				json_object_set_new(x, "source",
						    json_string(it->source));
			json_array_append_new(a, x);
		}
		json_object_set_new(o, "errors", a);
	}
	return o;
}

static void row(struct buf *b, const char *name, const struct eval_stats *s,
		int ov)
{
	buf_printf(b, "%-16s %6zu %6zu %6zu  %6.4f %6.4f %6.4f", name,
		   s->ngold, s->npred, s->tp, eval_precision(s, 0),
		   eval_recall(s, 0), eval_f1(s, 0));
	if (ov)
		buf_printf(b, "  %6.4f %6.4f %6.4f", eval_precision(s, 1),
			   eval_recall(s, 1), eval_f1(s, 1));
	buf_addc(b, '\n');
}

static void group_table(struct buf *b, const char *title,
			const struct eval_stats *all,
			const struct eval_stats *v, size_t n, int ov)
{
	size_t i;

	buf_printf(b, "%-16s %6s %6s %6s  %6s %6s %6s", title, "gold", "pred",
		   "tp", "P", "R", "F1");
	if (ov)
		buf_printf(b, "  %6s %6s %6s", "P~", "R~", "F1~");
	buf_addc(b, '\n');
	for (i = 0; i < n; i++)
		row(b, v[i].type, &v[i], ov);
	row(b, "overall", all, ov);
}

/* s in double quotes, or (none) */
static void quoted(struct buf *b, const char *s)
{
	if (s == NULL) {
		buf_adds(b, "(none)");
		return;
	}
	buf_addc(b, '"');
	add_flat(b, s, strlen(s));
	buf_addc(b, '"');
}

static void agree_cells(struct buf *b, size_t n, size_t ok)
{
	buf_printf(b, "  %9zu %6zu ", n, ok);
	if (n)
		buf_printf(b, "%6.4f", (double)ok / (double)n);
	else
		buf_printf(b, "%6s", "-");
}

/* Canonical forms and values of the strict matches: the types whose gold
 * gives any, then overall. */
static void agree_table(struct buf *b, const struct eval *ev)
{
	size_t i;

	buf_printf(b, "%-16s  %9s %6s %6s  %9s %6s %6s\n", "agreement",
		   "canonical", "same", "acc", "value", "same", "acc");
	for (i = 0; i <= ev->nents; i++) {
		const struct eval_stats *s = i < ev->nents ? &ev->ents[i]
							   : &ev->ent_all;

		if (i < ev->nents && s->ncanon == 0 && s->nvalue == 0)
			continue;
		buf_printf(b, "%-16s", i < ev->nents ? s->type : "overall");
		agree_cells(b, s->ncanon, s->canon_ok);
		agree_cells(b, s->nvalue, s->value_ok);
		buf_addc(b, '\n');
	}
	buf_adds(b, "(of the strict matches whose gold gives a canonical "
		 "form or a value,\n how many give the same)\n\n");
}

void eval_table(const struct eval *ev, int with_items, struct buf *b)
{
	size_t i;
	const char *last_type = NULL;
	int last_rel = -1;

	buf_printf(b, "documents scored: %zu\n\n", ev->docs);
	group_table(b, "entity", &ev->ent_all, ev->ents, ev->nents, 1);
	buf_adds(b, "(P R F1: strict, same type and span; P~ R~ F1~: same "
		 "type, overlapping span)\n\n");
	agree_table(b, ev);
	group_table(b, "relation", &ev->rel_all, ev->rels, ev->nrels, 0);
	buf_printf(b, "\n%6s %6s %6s  %s\n", "true", "false", "P", "source");
	for (i = 0; i < ev->nsrcs; i++)
		buf_printf(b, "%6zu %6zu %6.4f  %s\n", ev->srcs[i].ok,
			   ev->srcs[i].bad, src_precision(&ev->srcs[i]),
			   ev->srcs[i].source);
	if (!with_items)
		return;
	for (i = 0; i < ev->nitems; i++) {
		const struct eval_item *it = &ev->items[i];

		if (last_type == NULL || strcmp(last_type, it->type) != 0 ||
		    last_rel != it->is_rel)
			buf_printf(b, "\n== %s %s ==\n",
				   it->is_rel ? "relation" : "entity",
				   it->type);
		last_type = it->type;
		last_rel = it->is_rel;
		buf_printf(b, "%s%s %s %s", it->kind == EVAL_MISS ? "miss "
			   : it->kind == EVAL_FALSE ? "false" : it->kind ==
			   EVAL_CANON ? "canon" : "value", it->near ? "~" : " ",
			   it->doc_id, it->ann_id);
		if (!it->is_rel)
			buf_printf(b, " %zu-%zu", it->start, it->end);
		buf_printf(b, ": %s", it->shown);
		if (it->kind >= EVAL_CANON) {
			buf_adds(b, "  gold ");
			quoted(b, it->gold);
			buf_adds(b, " pred ");
			quoted(b, it->pred);
		}
		if (it->source)
			buf_printf(b, "  <%s>", it->source);
		buf_addc(b, '\n');
	}
}
