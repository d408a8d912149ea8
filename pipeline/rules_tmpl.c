/*
 * rules_tmpl.c: the templates of canonical= and value=: literal text with
 * $group, $group.canonical and calls of date(), int(), period(),
 * upperfirst(), lower() and nolevel() (docs/rules.md). Parsed once at load time into
 * a small tree; evaluated per match against the groups of that match.
 */
#include <stdlib.h>
#include <string.h>

#include "rules_int.h"
#include "values.h"

static const struct {
	const char *name;
	int minargs, maxargs;
} fns[TF_N] = {
	[TF_DATE] = { "date", 1, 1 },
	[TF_INT] = { "int", 1, 1 },
	[TF_PERIOD] = { "period", 1, 2 },
	[TF_UPPERFIRST] = { "upperfirst", 1, 1 },
	[TF_LOWER] = { "lower", 1, 1 },
	[TF_NOLEVEL] = { "nolevel", 1, 1 },
};

/* The administrative level nouns nolevel() drops from the front of a
 * place's canonical form ("tỉnh Kon Tum" -> "Kon Tum"), longest first. */
static const char *const level_words[] = {
	"thành phố ", "thị trấn ", "thị xã ", "tỉnh ", "huyện ", "quận ",
	"phường ", "xã ",
};

static void nolevel(const char *s, size_t n, struct buf *out)
{
	for (size_t i = 0; i < sizeof(level_words) / sizeof(*level_words); i++) {
		size_t k = strlen(level_words[i]);

		if (n > k && memcmp(s, level_words[i], k) == 0) {
			s += k;
			n -= k;
			break;
		}
	}
	buf_add(out, s, n);
}

static int is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

static struct tnode *add_node(struct tmpl *t)
{
	t->nodes = xrealloc(t->nodes, (t->n + 1) * sizeof(*t->nodes));
	memset(&t->nodes[t->n], 0, sizeof(t->nodes[0]));
	return &t->nodes[t->n++];
}

static void add_lit(struct tmpl *t, const char *s, size_t n)
{
	struct tnode *nd;

	if (n == 0)
		return;
	if (t->n > 0 && t->nodes[t->n - 1].kind == TN_LIT) {
		nd = &t->nodes[t->n - 1];
		nd->lit = xrealloc(nd->lit, nd->litn + n + 1);
		memcpy(nd->lit + nd->litn, s, n);
		nd->litn += n;
		nd->lit[nd->litn] = '\0';
		return;
	}
	nd = add_node(t);
	nd->kind = TN_LIT;
	nd->lit = xstrndup(s, n);
	nd->litn = n;
}

static void release(struct tmpl *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->nodes[i].lit);
		for (size_t k = 0; k < t->nodes[i].nargs; k++)
			release(&t->nodes[i].args[k]);
		free(t->nodes[i].args);
	}
	free(t->nodes);
	t->nodes = NULL;
	t->n = 0;
}

void tmpl_free(struct tmpl *t)
{
	if (t == NULL)
		return;
	release(t);
	free(t);
}

static int parse_into(struct tmpl *t, const char *s, size_t n, size_t base,
		      const pcre2_code *re, struct vnie_error *err,
		      size_t *errat);

/* A call fname(args) at s[i..]: returns the byte after ')' or 0. */
static size_t parse_call(struct tmpl *t, int fn, const char *s, size_t n,
			 size_t i, size_t base, const pcre2_code *re,
			 struct vnie_error *err, size_t *errat)
{
	size_t start = i, argstart, depth = 0, j;
	struct tnode *nd = add_node(t);

	nd->kind = TN_CALL;
	nd->fn = fn;
	argstart = i;
	for (j = i; j < n; j++) {
		if (s[j] == '(') {
			depth++;
		} else if ((s[j] == ',' && depth == 0) ||
			   (s[j] == ')' && depth == 0)) {
			size_t a = argstart, e = j;

			while (a < e && (s[a] == ' ' || s[a] == '\t'))
				a++;
			while (e > a && (s[e - 1] == ' ' || s[e - 1] == '\t'))
				e--;
			nd->args = xrealloc(nd->args, (nd->nargs + 1) *
					    sizeof(*nd->args));
			memset(&nd->args[nd->nargs], 0, sizeof(*nd->args));
			if (parse_into(&nd->args[nd->nargs++], s + a, e - a,
				       base + a, re, err, errat) < 0)
				return 0;
			argstart = j + 1;
			if (s[j] == ')')
				break;
		} else if (s[j] == ')') {
			depth--;
		}
	}
	if (j >= n) {
		vnie_err(err, "unterminated call of %s()", fns[fn].name);
		*errat = base + start;
		return 0;
	}
	if (nd->nargs < (size_t)fns[fn].minargs ||
	    nd->nargs > (size_t)fns[fn].maxargs) {
		vnie_err(err, "%s() takes %d%s argument%s, not %zu",
			 fns[fn].name, fns[fn].minargs,
			 fns[fn].maxargs > fns[fn].minargs ? " or 2" : "",
			 fns[fn].maxargs > 1 ? "s" : "", nd->nargs);
		*errat = base + start;
		return 0;
	}
	return j + 1;
}

static int parse_into(struct tmpl *t, const char *s, size_t n, size_t base,
		      const pcre2_code *re, struct vnie_error *err,
		      size_t *errat)
{
	size_t i = 0, lit = 0, j;
	int fn, g;

	while (i < n) {
		if (s[i] == '$') {
			add_lit(t, s + lit, i - lit);
			if (i + 1 < n && s[i + 1] == '$') {
				add_lit(t, "$", 1);
				i += 2;
				lit = i;
				continue;
			}
			j = i + 1;
			while (j < n && is_ident(s[j]))
				j++;
			g = rules_group_number(re, s + i + 1, j - i - 1);
			if (g < 0) {
				vnie_err(err, "unknown group '%.*s'",
					 (int)(j - i - 1), s + i + 1);
				*errat = base + i;
				return -1;
			}
			{
				struct tnode *nd = add_node(t);

				nd->kind = TN_GROUP;
				nd->group = g;
				if (j + 10 <= n &&
				    memcmp(s + j, ".canonical", 10) == 0) {
					nd->kind = TN_CANON;
					j += 10;
				} else if (j + 5 <= n &&
					   memcmp(s + j, ".text", 5) == 0) {
					j += 5;
				}
			}
			i = lit = j;
			continue;
		}
		fn = -1;
		if (i == 0 || !is_ident(s[i - 1])) {
			for (int k = 0; k < TF_N; k++) {
				size_t fl = strlen(fns[k].name);

				if (i + fl < n && memcmp(s + i, fns[k].name,
							 fl) == 0 &&
				    s[i + fl] == '(') {
					fn = k;
					break;
				}
			}
		}
		if (fn >= 0) {
			add_lit(t, s + lit, i - lit);
			j = parse_call(t, fn, s, n, i + strlen(fns[fn].name) + 1,
				       base, re, err, errat);
			if (j == 0)
				return -1;
			i = lit = j;
			continue;
		}
		i++;
	}
	add_lit(t, s + lit, n - lit);
	return 0;
}

struct tmpl *tmpl_parse(const char *s, size_t n, const pcre2_code *re,
			struct vnie_error *err, size_t *errat)
{
	struct tmpl *t = xcalloc(1, sizeof(*t));

	*errat = 0;
	if (parse_into(t, s, n, 0, re, err, errat) < 0) {
		tmpl_free(t);
		return NULL;
	}
	return t;
}

static int eval_at(const struct tmpl *t, const struct tmpl_env *env,
		   struct buf *out, size_t depth);

/* The result with runs of spaces made one and none at either end, so that
 * a group that did not take part leaves no gap ("$u $b.canonical" without
 * u). From start: what out held before is left as it was. */
static void squeeze_spaces(struct buf *out, size_t start)
{
	size_t i, k = start;

	for (i = start; i < out->n; i++)
		if (out->p[i] != ' ' || (k > start && out->p[k - 1] != ' '))
			out->p[k++] = out->p[i];
	if (k > start && out->p[k - 1] == ' ')
		k--;
	out->n = k;
	if (out->p)
		out->p[k] = '\0';
}

/* A place written twice at the end made once: "$b.canonical $loc" where
 * b's canonical form already ends in that place (Tổng Liên đoàn Lao động
 * (LĐLĐ) Việt Nam: "Tổng Liên đoàn Lao động Việt Nam Việt Nam"). Up to
 * four words are compared, whole words only. */
static void drop_repeated_tail(struct buf *out, size_t start)
{
	size_t sp[9], ns = 0, i, a, b, len;
	int k;

	for (i = out->n; i > start && ns < 9; i--)
		if (out->p[i - 1] == ' ')
			sp[ns++] = i - 1;
	for (k = 4; k >= 1; k--) {
		if ((size_t)(2 * k) > ns + 1)
			continue;
		/* the last k words start after sp[k-1]; the k before them
		 * start after sp[2k-1], or at start */
		b = sp[k - 1] + 1;
		a = (size_t)(2 * k) <= ns ? sp[2 * k - 1] + 1 : start;
		len = out->n - b;
		if (b - 1 - a == len && memcmp(out->p + a, out->p + b, len) == 0) {
			out->n = b - 1;
			out->p[out->n] = '\0';
			return;
		}
	}
}

int tmpl_eval(const struct tmpl *t, const struct tmpl_env *env,
	      struct buf *out)
{
	size_t start = out->n;
	int rc = eval_at(t, env, out, 0);

	if (rc >= 0) {
		squeeze_spaces(out, start);
		drop_repeated_tail(out, start);
	}
	return rc;
}

/* tmpl_eval() at a level of nesting: the arguments of its calls go into
 * the lent buffers of that level where there are some. */
static int eval_at(const struct tmpl *t, const struct tmpl_env *env,
		   struct buf *out, size_t depth)
{
	struct buf own[2] = { BUF_INIT, BUF_INIT }, *a = &own[0], *b = &own[1];
	const char *s;
	size_t n, i;
	int rc = 0;

	if (env->scratch && depth < RULES_TMPL_SCRATCH) {
		a = &env->scratch[2 * depth];
		b = &env->scratch[2 * depth + 1];
	}
	for (i = 0; i < t->n && rc == 0; i++) {
		const struct tnode *nd = &t->nodes[i];

		switch (nd->kind) {
		case TN_LIT:
			buf_add(out, nd->lit, nd->litn);
			break;
		case TN_GROUP:
			if (env->text(env->arg, nd->group, &s, &n))
				buf_add(out, s, n);
			break;
		case TN_CANON:
			if (env->canon(env->arg, nd->group, &s, &n))
				buf_add(out, s, n);
			break;
		case TN_CALL:
			buf_reset(a);
			buf_reset(b);
			if (eval_at(&nd->args[0], env, a, depth + 1) < 0 ||
			    (nd->nargs > 1 &&
			     eval_at(&nd->args[1], env, b, depth + 1) < 0)) {
				rc = -1;
				break;
			}
			switch (nd->fn) {
			case TF_DATE:
				rc = values_date(a->p, a->n, out);
				break;
			case TF_INT:
				rc = values_int(a->p, a->n, out);
				break;
			case TF_PERIOD:
				rc = values_period(a->p, a->n,
						   nd->nargs > 1 ? (b->p ? b->p : "") : NULL,
						   b->n, out);
				break;
			case TF_UPPERFIRST:
				values_upperfirst(a->p, a->n, out);
				break;
			case TF_NOLEVEL:
				nolevel(a->p ? a->p : "", a->n, out);
				break;
			default:
				values_lower(a->p, a->n, out);
				break;
			}
			break;
		}
	}
	buf_release(&own[0]);
	buf_release(&own[1]);
	return rc;
}
