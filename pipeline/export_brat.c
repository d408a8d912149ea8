/*
 * export_brat.c: a record as a brat standoff pair (export.h).
 *
 * The .txt is the exported text as is; offsets in the .ann count its code
 * points (brat reads the file as text, not bytes). Entities are numbered
 * T1, T2, ... in record order; one whose span holds a line break becomes a
 * discontinuous annotation with one fragment per line, as brat wants.
 * brat relations are binary, so an n-ary relation is written as one brat
 * relation per role after the first, the first role as Arg1 and the other
 * as Arg2, all with the relation's type (holds_position{person, title,
 * org} gives holds_position Arg1:person Arg2:title and holds_position
 * Arg1:person Arg2:org). AnnotatorNotes keep what brat has no place for:
 * an entity's canonical form, value and source, and for each binary
 * relation the record's relation id and the two roles.
 */
#include <string.h>

#include "export.h"

/* Append s[0..n) with tabs and line breaks made spaces (a .ann field). */
static void flat(struct buf *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf_addc(out, s[i] == '\t' || s[i] == '\n' || s[i] == '\r'
			 ? ' ' : s[i]);
}

static void flat_json(struct buf *out, json_t *v)
{
	struct buf tmp = BUF_INIT;

	if (json_is_string(v)) {
		flat(out, json_string_value(v), json_string_length(v));
		return;
	}
	json_write(v, &tmp);
	flat(out, tmp.p, tmp.n);
	buf_release(&tmp);
}

/* brat type names: no white space; anything else is kept. */
static void type_name(struct buf *out, const char *t)
{
	for (; *t; t++)
		buf_addc(out, (unsigned char)*t <= ' ' ? '_' : *t);
}

static void set_add(json_t *types, const char *group, const char *name)
{
	json_t *g = json_object_get(types, group);

	if (g == NULL) {
		g = json_object();
		json_object_set_new(types, group, g);
	}
	json_object_set_new(g, name, json_true());
}

/* Fragments of [s, e): one per line, with its text joined by spaces. */
static void fragments(const struct export_doc *x, size_t s, size_t e,
		      struct buf *out, struct buf *text)
{
	size_t p, from = s, bs, n = 0;

	for (p = s; p <= e; p++) {
		if (p < e && x->text[export_byte(x, p)] != '\n')
			continue;
		if (p > from || (n == 0 && p == e)) {
			bs = export_byte(x, from);
			buf_printf(out, "%s%zu %zu", n ? ";" : "", from, p);
			if (n)
				buf_addc(text, ' ');
			flat(text, x->text + bs, export_byte(x, p) - bs);
			n++;
		}
		from = p + 1;
	}
}

void export_brat(struct export_doc *x, struct buf *txt, struct buf *ann,
		 json_t *types, struct buf *warn)
{
	struct buf text = BUF_INIT;
	size_t i, k, j, nr = 0, nn = 0;
	json_t *r, *args, *v, *note;
	const char *role, *first;
	size_t a1;

	buf_add(txt, x->text, x->len);
	for (i = 0; i < x->nents; i++) {
		struct export_ent *t = &x->ents[i];
		static const char *const keys[] = { "canonical", "value",
						    "source" };

		buf_reset(&text);
		buf_printf(ann, "T%zu\t", i + 1);
		type_name(ann, t->type);
		buf_addc(ann, ' ');
		fragments(x, t->s, t->e, ann, &text);
		buf_addc(ann, '\t');
		buf_add(ann, text.p, text.n);
		buf_addc(ann, '\n');
		set_add(types, "entities", t->type);
		for (k = 0, j = 0; k < 3; k++) {
			note = json_object_get(t->obj, keys[k]);
			if (note == NULL || json_is_null(note))
				continue;
			if (j++ == 0)
				buf_printf(ann, "#%zu\tAnnotatorNotes T%zu\t",
					   ++nn, i + 1);
			else
				buf_adds(ann, "; ");
			buf_printf(ann, "%s: ", keys[k]);
			flat_json(ann, note);
		}
		if (j)
			buf_addc(ann, '\n');
	}
	json_array_foreach(x->rels, i, r) {
		const char *type = json_string_value(json_object_get(r, "type"));

		args = json_object_get(r, "args");
		first = NULL;
		a1 = 0;
		if (json_object_size(args) < 2) {
			buf_printf(warn, "relation %s has fewer than two "
				   "arguments and is left out of brat\n",
				   json_string_value(json_object_get(r, "id")));
			continue;
		}
		json_object_foreach(args, role, v) {
			k = export_ent_find(x, json_string_value(v));
			if (k == (size_t)-1)
				continue; /* doc_check rules this out */
			if (first == NULL) {
				first = role;
				a1 = k;
				continue;
			}
			buf_printf(ann, "R%zu\t", ++nr);
			type_name(ann, type);
			buf_printf(ann, " Arg1:T%zu Arg2:T%zu\n", a1 + 1,
				   k + 1);
			buf_printf(ann, "#%zu\tAnnotatorNotes R%zu\t", ++nn,
				   nr);
			flat_json(ann, json_object_get(r, "id"));
			buf_printf(ann, " %s-%s\n", first, role);
		}
		set_add(types, "relations", type);
	}
	buf_release(&text);
}

void export_brat_conf(json_t *types, struct buf *out)
{
	const char *name;
	json_t *v;

	buf_adds(out, "# brat configuration for the types of this export\n"
		 "[entities]\n");
	json_object_foreach(json_object_get(types, "entities"), name, v)
		type_name(out, name), buf_addc(out, '\n');
	buf_adds(out, "\n[relations]\n");
	json_object_foreach(json_object_get(types, "relations"), name, v) {
		type_name(out, name);
		buf_adds(out, "\tArg1:<ENTITY>, Arg2:<ENTITY>\n");
	}
	buf_adds(out, "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, "
		 "<OVL-TYPE>:<ANY>\n\n[events]\n\n[attributes]\n");
}
