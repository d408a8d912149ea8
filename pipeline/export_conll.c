/*
 * export_conll.c: a record as CoNLL-style BIO columns (export.h).
 *
 * Tokens are syllables: the text is split on white space, punctuation at
 * the edges of a piece is split off one character per token ("(LĐLĐ),"
 * gives "(", "LĐLĐ", ")", ","), punctuation inside a piece stays ("6.943",
 * "4/11", "QĐ-TLĐ"), and a token is also cut wherever an entity starts or
 * ends, so every exported entity is a whole number of tokens and the spans
 * read back from the tags are exactly the record's. Sentences come from
 * "sentences" (text they leave out forms segments of its own) or, without
 * them, from lines. The first tag column holds the outermost entities, the
 * second those nested in them (the LOC inside an ORG).
 */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "export.h"

struct span {
	size_t s, e;      /* code points */
	size_t i;         /* index in the view's entities */
};

struct layer {
	struct span *v;
	size_t n, at;     /* entries; first one not yet passed */
};

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->s != y->s)
		return x->s < y->s ? -1 : 1;
	if (x->e != y->e)
		return x->e > y->e ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int is_space(int32_t c)
{
	utf8proc_category_t k;

	if (c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
	    c == 0x85)
		return 1;
	k = utf8proc_category(c);
	return k == UTF8PROC_CATEGORY_ZS || k == UTF8PROC_CATEGORY_ZL ||
	       k == UTF8PROC_CATEGORY_ZP;
}

static int is_punct(int32_t c)
{
	utf8proc_category_t k = utf8proc_category(c);

	return k >= UTF8PROC_CATEGORY_PC && k <= UTF8PROC_CATEGORY_PO;
}

struct conll {
	struct export_doc *x;
	int32_t *cp;          /* the text decoded, one per code point */
	unsigned char *mark;  /* 1 where an exported entity starts or ends */
	struct layer l[2];
	int cols;             /* tag columns: 1 or 2 */
	struct buf *out;
	size_t ntok;          /* tokens written in the current segment */
};

static void tag(struct conll *c, struct layer *l, size_t ts)
{
	struct export_ent *t;

	while (l->at < l->n && l->v[l->at].e <= ts)
		l->at++;
	if (l->at == l->n || l->v[l->at].s > ts) {
		buf_adds(c->out, "\tO");
		return;
	}
	t = &c->x->ents[l->v[l->at].i];
	buf_printf(c->out, "\t%s-", l->v[l->at].s == ts ? "B" : "I");
	buf_add(c->out, t->type, json_string_length(json_object_get(t->obj,
								     "type")));
}

static void token(struct conll *c, size_t ts, size_t te)
{
	size_t bs = export_byte(c->x, ts), be = export_byte(c->x, te);
	int k;

	buf_add(c->out, c->x->text + bs, be - bs);
	buf_printf(c->out, "\t%zu\t%zu", ts, te);
	for (k = 0; k < c->cols; k++)
		tag(c, &c->l[k], ts);
	buf_addc(c->out, '\n');
	c->ntok++;
}

/* A token candidate, cut at entity boundaries inside it. */
static void piece(struct conll *c, size_t ts, size_t te)
{
	size_t p, from = ts;

	for (p = ts + 1; p < te; p++) {
		if (c->mark[p]) {
			token(c, from, p);
			from = p;
		}
	}
	if (from < te)
		token(c, from, te);
}

static void segment(struct conll *c, size_t a, size_t z)
{
	size_t i = a, cs, ce, l, r;

	c->ntok = 0;
	while (i < z) {
		if (is_space(c->cp[i])) {
			i++;
			continue;
		}
		cs = i;
		while (i < z && !is_space(c->cp[i]))
			i++;
		ce = i;
		for (l = cs; l < ce && is_punct(c->cp[l]); l++)
			piece(c, l, l + 1);
		for (r = ce; r > l && is_punct(c->cp[r - 1]); r--)
			;
		if (l < r)
			piece(c, l, r);
		for (; r < ce && r >= l; r++)
			piece(c, r, r + 1);
	}
	if (c->ntok > 0)
		buf_addc(c->out, '\n');
}

static int cmp_pair(const void *a, const void *b)
{
	const size_t *x = a, *y = b;

	return x[0] != y[0] ? (x[0] < y[0] ? -1 : 1)
			    : (x[1] < y[1] ? -1 : x[1] > y[1]);
}

void export_conll(struct export_doc *x, int no_nested, struct buf *out,
		  struct buf *warn)
{
	struct conll c;
	struct span *all;
	size_t n = x->nents, ncp = x->idx.ncp, i, k, b, pos;
	size_t last[2] = { 0, 0 };
	size_t *sent;
	json_t *id = json_object_get(x->d->root, "id");

	memset(&c, 0, sizeof(c));
	c.x = x;
	c.out = out;
	c.cols = no_nested ? 1 : 2;
	c.cp = xcalloc(ncp + 1, sizeof(*c.cp));
	c.mark = xcalloc(ncp + 1, 1);
	for (b = 0, k = 0; b < x->len && k < ncp; k++)
		b += utf8_decode((const unsigned char *)x->text + b,
				 x->len - b, &c.cp[k]);
	all = xcalloc(n + 1, sizeof(*all));
	for (i = 0; i < n; i++) {
		all[i].s = x->ents[i].s;
		all[i].e = x->ents[i].e;
		all[i].i = i;
	}
	qsort(all, n, sizeof(*all), cmp_span);
	for (k = 0; k < 2; k++)
		c.l[k].v = xcalloc(n + 1, sizeof(struct span));
	for (i = 0; i < n; i++) {
		struct span *sp = &all[i];
		int lay = -1;

		if (sp->s == sp->e)
			lay = -1;
		else if (sp->s >= last[0] || c.l[0].n == 0)
			lay = 0;
		else if (!no_nested && (sp->s >= last[1] || c.l[1].n == 0))
			lay = 1;
		if (lay < 0) {
			/* nested ones are dropped on request, quietly */
			if (!(no_nested && sp->s < sp->e && sp->e <= last[0]))
				buf_printf(warn, "entity %s (%s %zu-%zu) "
					   "overlaps others or is empty and "
					   "is left out\n", x->ents[sp->i].id,
					   x->ents[sp->i].type, sp->s, sp->e);
			continue;
		}
		c.l[lay].v[c.l[lay].n++] = *sp;
		last[lay] = sp->e;
		c.mark[sp->s] = c.mark[sp->e] = 1;
	}
	buf_adds(out, "# doc_id = ");
	for (i = 0; id && i < json_string_length(id); i++) {
		char ch = json_string_value(id)[i];

		buf_addc(out, ch == '\n' || ch == '\r' ? ' ' : ch);
	}
	buf_addc(out, '\n');
	if (x->nsent > 0) {
		sent = xmalloc(2 * x->nsent * sizeof(*sent));
		memcpy(sent, x->sent, 2 * x->nsent * sizeof(*sent));
		qsort(sent, x->nsent, 2 * sizeof(*sent), cmp_pair);
		pos = 0;
		for (i = 0; i < x->nsent; i++) {
			size_t s = sent[2 * i], e = sent[2 * i + 1];

			if (s > pos)
				segment(&c, pos, s);
			if (s < pos)
				s = pos;
			if (s < e)
				segment(&c, s, e);
			if (e > pos)
				pos = e;
		}
		segment(&c, pos, ncp);
		free(sent);
	} else {
		for (pos = 0, i = 0; i <= ncp; i++) {
			if (i == ncp || c.cp[i] == '\n') {
				segment(&c, pos, i);
				pos = i + 1;
			}
		}
	}
	for (k = 0; k < 2; k++)
		free(c.l[k].v);
	free(all);
	free(c.cp);
	free(c.mark);
}
