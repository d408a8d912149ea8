/*
 * export_html.c: records as one self-contained HTML page (export.h): the
 * style is inline, there are no scripts, fonts or images, so the page
 * works offline and can be mailed. Each document is a <section> with its
 * text, where every entity is a <span class="e t-TYPE"> (nested entities
 * nest), and a list of its relations whose arguments link to the entities'
 * anchors. Error records get a section of their own. Everything taken from
 * the records is escaped. Where two entities cross (neither holds the
 * other), the later one is shown from the end of the earlier one.
 */
#include <stdlib.h>
#include <string.h>

#include "export.h"

/* Colours of the ANNOTATION.md types; other types take one by hash. */
static const struct {
	const char *type;
	const char *bg;
} colours[] = {
	{ "ORG", "#bfdbfe" }, { "PERSON", "#fecaca" }, { "TITLE", "#fde68a" },
	{ "LOC", "#bbf7d0" }, { "DATE", "#e9d5ff" }, { "PERIOD", "#f5d0fe" },
	{ "DOCUMENT", "#fed7aa" }, { "EVENT", "#a5f3fc" },
	{ "MOVEMENT", "#d9f99d" }, { "QUANTITY", "#e5e7eb" },
};
#define NCOLOURS (sizeof(colours) / sizeof(colours[0]))

static const char *colour(const char *type)
{
	unsigned h = 5381;
	size_t i;

	for (i = 0; i < NCOLOURS; i++)
		if (strcmp(colours[i].type, type) == 0)
			return colours[i].bg;
	for (; *type; type++)
		h = h * 33 + (unsigned char)*type;
	return colours[h % NCOLOURS].bg;
}

void export_html_escape(struct buf *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': buf_adds(out, "&amp;"); break;
		case '<': buf_adds(out, "&lt;"); break;
		case '>': buf_adds(out, "&gt;"); break;
		case '"': buf_adds(out, "&quot;"); break;
		case '\'': buf_adds(out, "&#39;"); break;
		case '\0': buf_adds(out, "&#xFFFD;"); break;
		default: buf_addc(out, s[i]);
		}
	}
}

static void esc(struct buf *out, const char *s)
{
	export_html_escape(out, s, strlen(s));
}

static void esc_json(struct buf *out, json_t *v)
{
	struct buf tmp = BUF_INIT;

	if (json_is_string(v)) {
		export_html_escape(out, json_string_value(v),
				   json_string_length(v));
		return;
	}
	json_write(v, &tmp);
	export_html_escape(out, tmp.p, tmp.n);
	buf_release(&tmp);
}

/* A name as part of a CSS class or an anchor: letters, digits, '-' and
 * '_' kept, others '_'. */
static void css_part(struct buf *out, const char *t)
{
	for (; *t; t++) {
		char c = *t;

		buf_addc(out, (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || c == '-' || c == '_'
			 ? c : '_');
	}
}

static void css_name(struct buf *out, const char *t)
{
	buf_adds(out, "t-");
	css_part(out, t);
}

/* The anchor of entity or relation id in document n. */
static void anchor(struct buf *out, size_t n, const char *id)
{
	buf_printf(out, "d%zu-", n);
	css_part(out, id);
}

struct html {
	struct export_doc *x;
	struct buf *out;
	size_t n;          /* document number */
	size_t *order;     /* entities by start, longest first */
};

static int cmp_order(const void *a, const void *b, void *arg)
{
	const struct export_doc *d = arg;
	const struct export_ent *x = &d->ents[*(const size_t *)a];
	const struct export_ent *y = &d->ents[*(const size_t *)b];

	if (x->s != y->s)
		return x->s < y->s ? -1 : 1;
	if (x->e != y->e)
		return x->e > y->e ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

static void text(struct html *h, size_t s, size_t e)
{
	size_t bs, be;

	if (e <= s)
		return;
	bs = export_byte(h->x, s);
	be = export_byte(h->x, e);
	export_html_escape(h->out, h->x->text + bs, be - bs);
}

static void open_ent(struct html *h, const struct export_ent *t)
{
	static const char *const keys[] = { "canonical", "value", "source" };
	json_t *v;
	size_t k;

	buf_adds(h->out, "<span class=\"e ");
	css_name(h->out, t->type);
	buf_adds(h->out, "\" id=\"");
	anchor(h->out, h->n, t->id);
	buf_adds(h->out, "\" data-type=\"");
	esc(h->out, t->type);
	buf_adds(h->out, "\" title=\"");
	esc(h->out, t->type);
	buf_adds(h->out, " ");
	esc(h->out, t->id);
	buf_printf(h->out, " %zu-%zu", t->s, t->e);
	for (k = 0; k < 3; k++) {
		v = json_object_get(t->obj, keys[k]);
		if (v == NULL || json_is_null(v))
			continue;
		buf_printf(h->out, "&#10;%s: ", keys[k]);
		esc_json(h->out, v);
	}
	buf_adds(h->out, "\">");
}

/* Emit [from, to) with the entities of order[i..] that start before to
 * nested inside; returns the index of the first entity not emitted. */
static size_t range(struct html *h, size_t i, size_t from, size_t to)
{
	size_t pos = from, s, e;

	while (i < h->x->nents && h->x->ents[h->order[i]].s < to) {
		const struct export_ent *t = &h->x->ents[h->order[i]];

		s = t->s < pos ? pos : t->s;
		e = t->e < to ? t->e : to;
		if (e < s)
			e = s;
		text(h, pos, s);
		open_ent(h, t);
		i = range(h, i + 1, s, e);
		buf_adds(h->out, "</span>");
		pos = e;
	}
	text(h, pos, to);
	return i;
}

void export_html_doc(struct export_doc *x, size_t n, json_t *types,
		     struct buf *out)
{
	struct html h = { x, out, n, NULL };
	json_t *r, *args, *v;
	const char *role;
	size_t i, k;

	h.order = xmalloc((x->nents + 1) * sizeof(*h.order));
	for (i = 0; i < x->nents; i++) {
		h.order[i] = i;
		json_object_set_new(types, x->ents[i].type, json_true());
	}
	qsort_r(h.order, x->nents, sizeof(*h.order), cmp_order, x);
	buf_printf(out, "<section class=\"doc\" id=\"d%zu\">\n<h2>", n);
	esc_json(out, json_object_get(x->d->root, "id"));
	buf_printf(out, " <small>%zu entities, %zu relations</small></h2>\n"
		   "<div class=\"text\">", x->nents, json_array_size(x->rels));
	range(&h, 0, 0, x->idx.ncp);
	buf_adds(out, "</div>\n");
	if (json_array_size(x->rels) > 0)
		buf_adds(out, "<ol class=\"rels\">\n");
	json_array_foreach(x->rels, i, r) {
		const char *id = json_string_value(json_object_get(r, "id"));

		buf_adds(out, "<li id=\"");
		anchor(out, n, id ? id : "");
		buf_adds(out, "\"><b>");
		esc_json(out, json_object_get(r, "type"));
		buf_adds(out, "</b>");
		args = json_object_get(r, "args");
		json_object_foreach(args, role, v) {
			k = export_ent_find(x, json_string_value(v));
			if (k == (size_t)-1)
				continue; /* doc_check rules this out */
			buf_adds(out, " <span class=\"role\">");
			esc(out, role);
			buf_adds(out, "</span> <a class=\"arg ");
			css_name(out, x->ents[k].type);
			buf_adds(out, "\" href=\"#");
			anchor(out, n, x->ents[k].id);
			buf_adds(out, "\">");
			text(&h, x->ents[k].s, x->ents[k].e);
			buf_adds(out, "</a>");
		}
		if ((v = json_object_get(r, "source")) != NULL) {
			buf_adds(out, " <span class=\"src\">");
			esc_json(out, v);
			buf_adds(out, "</span>");
		}
		buf_adds(out, "</li>\n");
	}
	if (json_array_size(x->rels) > 0)
		buf_adds(out, "</ol>\n");
	buf_adds(out, "</section>\n");
	free(h.order);
}

void export_html_error(unsigned long line, const char *message,
		       const char *input, size_t n, struct buf *out)
{
	buf_printf(out, "<section class=\"doc error\" id=\"line%lu\">\n"
		   "<h2>error record, input line %lu</h2>\n<p>", line, line);
	esc(out, message);
	buf_adds(out, "</p>\n<pre>");
	export_html_escape(out, input, n);
	buf_adds(out, "</pre>\n</section>\n");
}

static const char style[] =
	"body{font:16px/1.7 system-ui,sans-serif;margin:1em auto;"
	"max-width:70em;padding:0 1em;color:#111}\n"
	"h1{font-size:1.4em}h2{font-size:1.1em;border-bottom:1px solid #ccc}\n"
	"h2 small{font-weight:normal;color:#666}\n"
	".legend{position:sticky;top:0;background:#fff;padding:.4em 0;"
	"border-bottom:1px solid #ddd}\n"
	".legend .e{margin-right:.5em}\n"
	".text{white-space:pre-wrap}\n"
	".e{border-radius:3px;padding:1px 0;box-shadow:0 0 0 1px #0002}\n"
	".e .e{box-shadow:0 0 0 1px #0006;padding:0 1px}\n"
	".e::after{content:attr(data-type);font-size:.6em;vertical-align:sub;"
	"color:#444;margin-left:2px}\n"
	".legend .e::after{content:none}\n"
	".e:target,li:target{outline:3px solid #f59e0b}\n"
	".rels{font-size:.9em}.role{color:#666;font-style:italic}\n"
	".arg{color:inherit;text-decoration:none;border-radius:3px;"
	"padding:0 2px}\n"
	".src{color:#888;font-size:.85em}\n"
	".error{background:#fef2f2;border:1px solid #fca5a5;padding:.5em}\n"
	".error pre{white-space:pre-wrap;word-break:break-all}\n";

void export_html_page(json_t *types, const struct buf *body, size_t ndocs,
		      size_t nerrors, struct buf *out)
{
	const char *t;
	json_t *v;

	buf_adds(out, "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n"
		 "<meta charset=\"utf-8\">\n"
		 "<meta name=\"viewport\" content=\"width=device-width\">\n"
		 "<title>vnie export</title>\n<style>\n");
	buf_adds(out, style);
	json_object_foreach(types, t, v) {
		buf_adds(out, ".");
		css_name(out, t);
		buf_printf(out, "{background:%s}\n", colour(t));
	}
	buf_printf(out, "</style>\n</head>\n<body>\n<h1>vnie export: %zu "
		   "documents", ndocs);
	if (nerrors)
		buf_printf(out, ", %zu error records", nerrors);
	buf_adds(out, "</h1>\n<div class=\"legend\">");
	json_object_foreach(types, t, v) {
		buf_adds(out, "<span class=\"e ");
		css_name(out, t);
		buf_adds(out, "\">");
		esc(out, t);
		buf_adds(out, "</span>");
	}
	buf_adds(out, "</div>\n");
	if (body->n)
		buf_add(out, body->p, body->n);
	buf_adds(out, "</body>\n</html>\n");
}
