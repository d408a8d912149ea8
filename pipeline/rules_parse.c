/*
 * rules_parse.c: loading a rule set (rules.h, docs/rules.md). Reads the
 * rule files and their includes, collects macros, word lists and rules,
 * then expands each rule's pattern ({MACRO}, {LIST}, {TYPE}, @class),
 * checks it, compiles it with PCRE2 (UTF, UCP, JIT), parses its actions
 * and derives its prefilter (literals and entity types that every match
 * needs). Every error is reported with the file, line and column it comes
 * from, mapped back through macro expansion; loading goes on after an
 * error so that one run shows them all. Running rules is rules.c's part.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "data.h"
#include "doc.h"
#include "rules_int.h"
#include "utf8.h"
#include "values.h"

const char *const rules_type_names[RT_OTHER] = {
	"ORG", "PERSON", "TITLE", "LOC", "DATE", "PERIOD", "DOCUMENT",
	"EVENT", "MOVEMENT", "QUANTITY"
};

#define TB(t) (1u << (t))
const struct rel_schema rules_relations[] = {
	{ "holds_position", { "person", "title", "org" },
	  { TB(RT_PERSON), TB(RT_TITLE), TB(RT_ORG) }, 0x3, 0 },
	{ "cooperates_with", { "org", "org2", "document", "period" },
	  { TB(RT_ORG), TB(RT_ORG), TB(RT_DOCUMENT), TB(RT_PERIOD) }, 0x3, 0 },
	{ "meets", { "org", "org2", "date", "loc" },
	  { TB(RT_ORG), TB(RT_ORG), TB(RT_DATE), TB(RT_LOC) }, 0x3, 0 },
	{ "located_in", { "org", "loc" }, { TB(RT_ORG), TB(RT_LOC) }, 0x3, 0 },
	{ "has_quantity", { "org", "loc", "quantity" },
	  { TB(RT_ORG), TB(RT_LOC), TB(RT_QUANTITY) }, 0x4, 0x3 },
};
const size_t rules_nrelations = sizeof(rules_relations) /
				 sizeof(rules_relations[0]);

int rules_type_index(const char *s, size_t n)
{
	for (int t = 0; t < RT_OTHER; t++)
		if (strlen(rules_type_names[t]) == n &&
		    memcmp(rules_type_names[t], s, n) == 0)
			return t;
	return -1;
}

int rules_class_index(const struct rules *r, const char *s, size_t n)
{
	for (size_t i = 0; i < r->nclasses; i++)
		if (strlen(r->classes[i]) == n &&
		    memcmp(r->classes[i], s, n) == 0)
			return (int)i + 1;
	return 0;
}

/* Where a piece of rule text comes from. */
struct origin {
	const char *file;   /* display path */
	size_t line;        /* from 1 */
	const char *ltext;  /* the line's first byte */
	size_t off;         /* byte offset in the line */
};

/* A stretch of source text with its origin. */
struct piece {
	const char *s;
	size_t n;
	struct origin o;
};

struct macro {
	char *name;
	struct piece body;
	int busy;           /* being expanded: a use of itself is a cycle */
};

struct wlist {
	char *name;
	char *pat;          /* "w1|w2|..." escaped, longest first; owned */
	size_t n;
	struct origin o;
};

struct prule {
	char *name;
	struct origin o;    /* the "rule" line */
	int priority;
	size_t phase;
	struct piece *pat;  /* match and match+ lines */
	size_t npat;
	struct piece *acts; /* action lines, parsed after compiling */
	size_t nacts;
};

struct lerr {
	size_t fileorder, seq, line, col;
	char *file, *msg;
};

struct loader {
	struct lerr *errs;
	struct rules *r;
	rules_report_fn report;
	void *arg;
	size_t nerr;
	char **bufs;        /* file contents and display names, owned */
	size_t nbufs;
	char **seen;        /* real paths already read */
	size_t nseen;
	struct macro *macros;
	size_t nmacros;
	struct wlist *lists;
	size_t nlists;
	struct prule *prules;
	size_t nprules;
	struct prule *cur;  /* the rule being read, or NULL */
	int skipping;       /* after a bad "rule" line: ignore its body */
	char **known;       /* gazetteer classes that exist, or NULL */
	size_t nknown;
	int classes_known;
	size_t *lith;       /* prefilter literals by hash: id + 1, 0 empty */
	size_t lithcap;     /* slots (a power of two), or 0 */
	size_t litcap;      /* room in r->lits */
};

static void keep(struct loader *L, char *p)
{
	L->bufs = xrealloc(L->bufs, (L->nbufs + 1) * sizeof(*L->bufs));
	L->bufs[L->nbufs++] = p;
}

static void errorf(struct loader *L, const struct origin *o,
		   const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Errors are kept and reported at the end in file and line order,
 * whatever the pass that found them. */
static void errorf(struct loader *L, const struct origin *o,
		   const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	struct lerr *e;
	size_t k;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	L->errs = xrealloc(L->errs, (L->nerr + 1) * sizeof(*L->errs));
	e = &L->errs[L->nerr];
	for (k = 0; k < L->nerr; k++)
		if (strcmp(L->errs[k].file, o->file) == 0)
			break;
	e->fileorder = k < L->nerr ? L->errs[k].fileorder : L->nerr;
	e->seq = (size_t)L->nerr;
	e->file = xstrdup(o->file);
	e->line = o->line;
	e->col = o->ltext ? utf8_count(o->ltext, o->off) + 1 : 0;
	e->msg = xstrdup(msg);
	L->nerr++;
}

static int cmp_err(const void *a, const void *b)
{
	const struct lerr *x = a, *y = b;

	if (x->fileorder != y->fileorder)
		return x->fileorder < y->fileorder ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : 1;
}

static struct origin at(const struct origin *o, size_t delta)
{
	struct origin x = *o;

	x.off += delta;
	return x;
}

/* ---- reading files ------------------------------------------------- */

static char *slurp(const char *path, size_t *n)
{
	FILE *fp = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char tmp[1 << 14];
	size_t got;

	if (fp == NULL)
		return NULL;
	while ((got = fread(tmp, 1, sizeof(tmp), fp)) > 0)
		buf_add(&b, tmp, got);
	if (ferror(fp)) {
		fclose(fp);
		buf_release(&b);
		return NULL;
	}
	fclose(fp);
	buf_addc(&b, '\0');
	*n = b.n - 1;
	return b.p;
}

static char *dir_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? xstrndup(path, (size_t)(s - path)) : xstrdup("");
}

static char *join(const char *dir, const char *name)
{
	struct buf b = BUF_INIT;

	if (name[0] == '/' || dir[0] == '\0')
		return xstrdup(name);
	buf_printf(&b, "%s/%s", dir, name);
	return b.p;
}

static const char *base_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* What a rule file is called in messages and sources: "rules/x.rules"
 * for a file in a folder named rules, else the path as given. */
static char *display_of(const char *path)
{
	char *dir = dir_of(path), *d;
	const char *pb = base_of(dir);

	if (strcmp(pb, "rules") == 0) {
		d = join("rules", base_of(path));
	} else {
		d = xstrdup(path);
	}
	free(dir);
	return d;
}

/* ---- lexing patterns ---------------------------------------------- */

enum {
	LX_CHAR, LX_ESC, LX_CLASS, LX_BADCLASS, LX_QUOTE, LX_COMMENT,
	LX_OPEN, LX_CLOSE, LX_REF, LX_AT
};

static int is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* End of an escape starting at s[i] == '\\'. */
static size_t lex_escape(const char *s, size_t n, size_t i)
{
	char c;

	if (i + 1 >= n)
		return n;
	c = s[i + 1];
	if (strchr("pPxoNgk", c) && i + 2 < n && s[i + 2] == '{') {
		const char *e = memchr(s + i + 2, '}', n - i - 2);

		return e ? (size_t)(e - s) + 1 : n;
	}
	if (c == 'c' && i + 2 < n)
		return i + 3;
	return i + 1 + utf8_len((unsigned char)c);
}

/* The token at s[i]; returns its end and sets *kind. */
static size_t lex(const char *s, size_t n, size_t i, int *kind)
{
	size_t j;

	switch (s[i]) {
	case '\\':
		if (i + 1 < n && s[i + 1] == 'Q') {
			*kind = LX_QUOTE;
			for (j = i + 2; j + 1 < n; j++)
				if (s[j] == '\\' && s[j + 1] == 'E')
					return j + 2;
			return n;
		}
		*kind = LX_ESC;
		return lex_escape(s, n, i);
	case '[':
		j = i + 1;
		if (j < n && s[j] == '^')
			j++;
		if (j < n && s[j] == ']')
			j++;
		while (j < n) {
			if (s[j] == '\\') {
				j = lex_escape(s, n, j);
			} else if (s[j] == '[' && j + 1 < n && s[j + 1] == ':') {
				const char *e = j + 2 < n ?
					memmem(s + j + 2, n - j - 2, ":]", 2) :
					NULL;

				j = e ? (size_t)(e - s) + 2 : j + 1;
			} else if (s[j] == ']') {
				*kind = LX_CLASS;
				return j + 1;
			} else {
				j++;
			}
		}
		*kind = LX_BADCLASS;
		return n;
	case '(':
		if (i + 2 < n && s[i + 1] == '?' && s[i + 2] == '#') {
			const char *e = memchr(s + i, ')', n - i);

			*kind = LX_COMMENT;
			return e ? (size_t)(e - s) + 1 : n;
		}
		*kind = LX_OPEN;
		return i + 1;
	case ')':
		*kind = LX_CLOSE;
		return i + 1;
	case '{':
		j = i + 1;
		if (j < n && is_alpha(s[j])) {
			while (j < n && is_word(s[j]))
				j++;
			if (j < n && s[j] == '}') {
				*kind = LX_REF;
				return j + 1;
			}
		}
		break;
	case '@':
		j = i + 1;
		if (j < n && is_alpha(s[j])) {
			while (j < n && is_word(s[j]))
				j++;
			*kind = LX_AT;
			return j;
		}
		break;
	default:
		break;
	}
	*kind = LX_CHAR;
	j = i + utf8_len((unsigned char)s[i]);
	return j > n ? n : j;
}

/* ---- expansion ------------------------------------------------------ */

struct run {
	size_t at;          /* offset in the expanded pattern */
	struct origin o;
	int lit;            /* copied byte for byte from o */
};

struct phpos {
	size_t at;          /* offset of the placeholder's '[' */
	int kind;           /* AT_TYPE or AT_CLASS */
	int id;
};

struct exp {
	struct buf out;
	struct run *runs;
	size_t nruns;
	struct phpos *ph;
	size_t nph;
};

static void add_run(struct exp *x, const struct origin *o, int lit)
{
	x->runs = xrealloc(x->runs, (x->nruns + 1) * sizeof(*x->runs));
	x->runs[x->nruns++] = (struct run){ x->out.n, *o, lit };
}

static struct origin origin_of(const struct exp *x, size_t off)
{
	struct origin o = { "?", 0, NULL, 0 };
	size_t i;

	for (i = x->nruns; i-- > 0;)
		if (x->runs[i].at <= off) {
			o = x->runs[i].o;
			if (x->runs[i].lit)
				o.off += off - x->runs[i].at;
			break;
		}
	return o;
}

static struct macro *find_macro(struct loader *L, const char *s, size_t n)
{
	for (size_t i = 0; i < L->nmacros; i++)
		if (strlen(L->macros[i].name) == n &&
		    memcmp(L->macros[i].name, s, n) == 0)
			return &L->macros[i];
	return NULL;
}

static struct wlist *find_list(struct loader *L, const char *s, size_t n)
{
	for (size_t i = 0; i < L->nlists; i++)
		if (strlen(L->lists[i].name) == n &&
		    memcmp(L->lists[i].name, s, n) == 0)
			return &L->lists[i];
	return NULL;
}

static int class_known(struct loader *L, const char *s, size_t n)
{
	if (!L->classes_known)
		return 1;
	for (size_t i = 0; i < L->nknown; i++)
		if (strlen(L->known[i]) == n && memcmp(L->known[i], s, n) == 0)
			return 1;
	return 0;
}

static int intern_class(struct loader *L, const char *s, size_t n,
			const struct origin *o)
{
	struct rules *r = L->r;
	int k = rules_class_index(r, s, n);

	if (k > 0)
		return k;
	if (r->nclasses >= RULES_MAX_CLASSES) {
		errorf(L, o, "too many gazetteer classes (at most %d)",
		       RULES_MAX_CLASSES);
		return 0;
	}
	r->classes = xrealloc(r->classes, (r->nclasses + 1) *
			      sizeof(*r->classes));
	r->classes[r->nclasses++] = xstrndup(s, n);
	return (int)r->nclasses;
}

static void add_placeholder(struct exp *x, int kind, int id)
{
	x->ph = xrealloc(x->ph, (x->nph + 1) * sizeof(*x->ph));
	x->ph[x->nph++] = (struct phpos){ x->out.n, kind, id };
	if (kind == AT_TYPE) {
		unsigned lo = RULES_PUA + (unsigned)id * RULES_PUA_STRIDE;

		buf_printf(&x->out, "[\\x{%X}-\\x{%X}]", lo,
			   lo + RULES_PUA_STRIDE - 1);
		return;
	}
	buf_addc(&x->out, '[');
	for (unsigned t = 0; t < RT_NTYPES; t++)
		buf_printf(&x->out, "\\x{%X}",
			   RULES_PUA + t * RULES_PUA_STRIDE + (unsigned)id);
	buf_addc(&x->out, ']');
}

static int expand(struct loader *L, struct exp *x, const struct piece *p,
		  int depth)
{
	size_t i = 0, j, copied = 0;
	int kind, rc = 0;

	if (depth > RULES_MAX_MACRO_DEPTH) {
		errorf(L, &p->o, "macros nested more than %d deep",
		       RULES_MAX_MACRO_DEPTH);
		return -1;
	}
	while (i < p->n) {
		j = lex(p->s, p->n, i, &kind);
		if (kind == LX_REF || kind == LX_AT) {
			const char *nm = p->s + i + 1;
			size_t nn = kind == LX_REF ? j - i - 2 : j - i - 1;
			struct origin o = at(&p->o, i);
			struct macro *m;
			struct wlist *w;
			int t;

			if (i > copied) {
				struct origin c = at(&p->o, copied);

				add_run(x, &c, 1);
				buf_add(&x->out, p->s + copied, i - copied);
			}
			add_run(x, &o, 0);
			if (kind == LX_AT) {
				if (!class_known(L, nm, nn)) {
					errorf(L, &o, "unknown gazetteer class "
					       "'@%.*s'", (int)nn, nm);
					rc = -1;
				} else {
					add_placeholder(x, AT_CLASS,
						intern_class(L, nm, nn, &o));
				}
			} else if ((m = find_macro(L, nm, nn)) != NULL) {
				if (m->busy) {
					errorf(L, &o, "macro '%s' uses itself",
					       m->name);
					rc = -1;
				} else {
					m->busy = 1;
					buf_adds(&x->out, "(?:");
					if (expand(L, x, &m->body, depth + 1) < 0)
						rc = -1;
					add_run(x, &o, 0);
					buf_addc(&x->out, ')');
					m->busy = 0;
				}
			} else if ((w = find_list(L, nm, nn)) != NULL) {
				buf_adds(&x->out, "(?i:");
				buf_add(&x->out, w->pat, w->n);
				buf_addc(&x->out, ')');
			} else if ((t = rules_type_index(nm, nn)) >= 0) {
				add_placeholder(x, AT_TYPE, t);
			} else {
				errorf(L, &o, "unknown macro '{%.*s}'",
				       (int)nn, nm);
				rc = -1;
			}
			copied = j;
		}
		i = j;
	}
	if (p->n > copied) {
		struct origin c = at(&p->o, copied);

		add_run(x, &c, 1);
		buf_add(&x->out, p->s + copied, p->n - copied);
	}
	return rc;
}

/* Parentheses and brackets balance, reported where the opener is. */
static int check_balance(struct loader *L, const struct exp *x)
{
	const char *s = x->out.p;
	size_t n = x->out.n, i = 0, j, *stack = NULL, depth = 0;
	int kind, rc = 0;

	while (i < n && rc == 0) {
		j = lex(s, n, i, &kind);
		if (kind == LX_OPEN) {
			stack = xrealloc(stack, (depth + 1) * sizeof(*stack));
			stack[depth++] = i;
		} else if (kind == LX_CLOSE) {
			if (depth == 0) {
				struct origin o = origin_of(x, i);

				errorf(L, &o, "unmatched ')'");
				rc = -1;
			} else {
				depth--;
			}
		} else if (kind == LX_BADCLASS) {
			struct origin o = origin_of(x, i);

			errorf(L, &o, "missing terminating ']' for character "
			       "class");
			rc = -1;
		}
		i = j;
	}
	if (rc == 0 && depth > 0) {
		struct origin o = origin_of(x, stack[depth - 1]);

		errorf(L, &o, "unterminated group '('");
		rc = -1;
	}
	free(stack);
	return rc;
}

/* ---- prefilter: what every match needs -------------------------------- */

struct reqset {
	struct clause c[RULES_MAX_CLAUSES];
	size_t n;
};

struct px {
	struct loader *L;
	const struct exp *x;
	const char *s;
	size_t n, i;
	int giveup;         /* syntax the extractor does not follow */
};

/*
 * The id of a prefilter literal, a new one for a literal not seen yet (ids
 * in order of first use). The default rules hold thousands of literals
 * and ask for one tens of thousands of times: a hash table of ids, not a
 * walk over the list.
 */
#define RULES_LIT_HASH_MIN 1024   /* first table size; doubled at half full */

static size_t lit_hash(const char *s, size_t n, int ci)
{
	size_t h = 14695981039346656037ULL ^ (size_t)(ci != 0);

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static void lit_rehash(struct loader *L, size_t cap)
{
	const struct rules *r = L->r;

	free(L->lith);
	L->lith = xcalloc(cap, sizeof(*L->lith));
	L->lithcap = cap;
	for (size_t i = 0; i < r->nlits; i++) {
		size_t j = lit_hash(r->lits[i].s, r->lits[i].n, r->lits[i].ci) &
			   (cap - 1);

		while (L->lith[j] != 0)
			j = (j + 1) & (cap - 1);
		L->lith[j] = i + 1;
	}
}

static int lit_index(struct loader *L, const char *s, size_t n, int ci)
{
	struct rules *r = L->r;
	size_t j;

	if (2 * (r->nlits + 1) > L->lithcap)
		lit_rehash(L, L->lithcap ? 2 * L->lithcap : RULES_LIT_HASH_MIN);
	j = lit_hash(s, n, ci) & (L->lithcap - 1);
	for (; L->lith[j] != 0; j = (j + 1) & (L->lithcap - 1)) {
		const struct lit *t = &r->lits[L->lith[j] - 1];

		if (t->n == n && t->ci == ci && memcmp(t->s, s, n) == 0)
			return (int)(L->lith[j] - 1);
	}
	if (r->nlits == L->litcap) {
		L->litcap = L->litcap ? 2 * L->litcap : 64;
		r->lits = xrealloc(r->lits, L->litcap * sizeof(*r->lits));
	}
	r->lits[r->nlits] = (struct lit){ xstrndup(s, n), n, ci };
	L->lith[j] = ++r->nlits;
	return (int)(r->nlits - 1);
}

/* How much a clause narrows the search: entity atoms are cheap and
 * exact, long literals rare; a clause of many alternatives is weaker. */
static long clause_score(const struct px *P, const struct clause *c)
{
	long best = 1L << 20;

	for (size_t k = 0; k < c->n; k++) {
		long v;

		if (c->a[k].kind == AT_TYPE || c->a[k].kind == AT_CLASS)
			v = 1000;
		else if (c->a[k].kind == AT_DIGIT)
			v = 15;
		else
			v = (long)P->L->r->lits[c->a[k].id].n * 10 -
			    (c->a[k].kind == AT_LITCI ? 5 : 0);
		if (v < best)
			best = v;
	}
	return best - (long)c->n;
}

static void set_add(const struct px *P, struct reqset *rs,
		    const struct clause *c)
{
	size_t k, worst = 0;

	if (c->n == 0)
		return;
	if (rs->n < RULES_MAX_CLAUSES) {
		rs->c[rs->n++] = *c;
		return;
	}
	for (k = 1; k < rs->n; k++)
		if (clause_score(P, &rs->c[k]) < clause_score(P, &rs->c[worst]))
			worst = k;
	if (clause_score(P, c) > clause_score(P, &rs->c[worst]))
		rs->c[worst] = *c;
}

static void flush_lit(struct px *P, struct reqset *rs, struct buf *run,
		      int ci)
{
	struct clause c = { .n = 1 };
	struct buf low = BUF_INIT;
	size_t a = 0;

	/* any ASCII white space is the scan's one blank, and a run of it
	 * one blank (rules_scan.c); blanks only between words: one at an
	 * end would tell little and make every state that ends in one set
	 * marks */
	for (size_t i = 0, o = 0; i <= run->n; i++) {
		if (i == run->n) {
			run->n = o;
			break;
		}
		if (run->p[i] != '\0' &&
		    strchr(" \t\n\v\f\r", run->p[i]) != NULL) {
			if (o > 0 && run->p[o - 1] == ' ')
				continue;
			run->p[o++] = ' ';
		} else {
			run->p[o++] = run->p[i];
		}
	}
	while (a < run->n && run->p[a] == ' ')
		a++;
	while (run->n > a && run->p[run->n - 1] == ' ')
		run->n--;
	if (a > 0) {
		memmove(run->p, run->p + a, run->n - a);
		run->n -= a;
	}
	if (run->n == 0)
		return;
	if (ci) {
		values_lower(run->p, run->n, &low);
		c.a[0].kind = AT_LITCI;
		c.a[0].id = lit_index(P->L, low.p, low.n, 1);
		P->L->r->any_ci = 1;
		buf_release(&low);
	} else {
		c.a[0].kind = AT_LIT;
		c.a[0].id = lit_index(P->L, run->p, run->n, 0);
	}
	set_add(P, rs, &c);
	buf_reset(run);
}

/* Minimum count of a quantifier at P->i (consumed), 1 when none. */
static long quantifier(struct px *P)
{
	const char *s = P->s;
	size_t n = P->n, i = P->i, j;
	long min = 1;

	if (i >= n)
		return 1;
	if (s[i] == '?' || s[i] == '*') {
		min = 0;
		i++;
	} else if (s[i] == '+') {
		i++;
	} else if (s[i] == '{') {
		j = i + 1;
		min = 0;
		if (j >= n || s[j] < '0' || s[j] > '9')
			return 1;
		while (j < n && s[j] >= '0' && s[j] <= '9')
			min = min * 10 + (s[j++] - '0');
		if (j < n && s[j] == ',') {
			j++;
			while (j < n && s[j] >= '0' && s[j] <= '9')
				j++;
		}
		if (j >= n || s[j] != '}')
			return 1;
		i = j + 1;
	} else {
		return 1;
	}
	if (i < n && (s[i] == '?' || s[i] == '+'))
		i++;
	P->i = i;
	return min;
}

static struct reqset parse_alt(struct px *P, int ci);

/* A class of a few plain characters ([”"»], [Đđ]) as a clause of
 * one-character literals; nothing for ranges, negations, escapes of
 * letters or more than RULES_MAX_CLASS_CHARS characters. */
#define RULES_MAX_CLASS_CHARS 8

static void class_chars(struct px *P, const char *s, size_t n, int ci,
			struct clause *cl)
{
	size_t i = 1, k;
	struct buf one = BUF_INIT;
	struct clause c = { .n = 0 };

	if (n < 3 || s[1] == '^')
		return;
	while (i < n - 1) {
		const char *cp = s + i;
		size_t len = utf8_len((unsigned char)s[i]);

		if (s[i] == '\\') {
			if (i + 1 >= n - 1 || is_word(s[i + 1]) ||
			    (unsigned char)s[i + 1] >= 0x80)
				goto out;
			cp = s + i + 1;
			len = 1;
			i++;
		} else if (s[i] == '[' || (s[i] == '-' && i > 1 &&
					   i + 1 < n - 1)) {
			goto out;
		}
		if (c.n == RULES_MAX_CLASS_CHARS)
			goto out;
		buf_reset(&one);
		if (ci)
			values_lower(cp, len, &one);
		else
			buf_add(&one, cp, len);
		c.a[c.n].kind = ci ? AT_LITCI : AT_LIT;
		c.a[c.n].id = lit_index(P->L, one.p, one.n, ci);
		if (ci)
			P->L->r->any_ci = 1;
		for (k = 0; k < c.n; k++)
			if (c.a[k].id == c.a[c.n].id && c.a[k].kind == c.a[c.n].kind)
				break;
		if (k == c.n)
			c.n++;
		i += len;
	}
	*cl = c;
out:
	buf_release(&one);
}

/* Best clause of a set, or NULL. */
static const struct clause *best_clause(const struct px *P,
					const struct reqset *rs)
{
	const struct clause *b = NULL;

	for (size_t k = 0; k < rs->n; k++)
		if (b == NULL || clause_score(P, &rs->c[k]) >
				 clause_score(P, b))
			b = &rs->c[k];
	return b;
}

/* Read "(?flags)" or "(?flags:" at P->i (after "(?"): returns 1 for a
 * flag setting alone, 2 for a group with flags, 0 if not flags. */
static int read_flags(struct px *P, int *ci)
{
	size_t j = P->i;
	int on = 1, v = *ci;

	while (j < P->n && strchr("imnsxJU-^", P->s[j])) {
		if (P->s[j] == '-')
			on = 0;
		else if (P->s[j] == '^')
			v = 0;
		else if (P->s[j] == 'i')
			v = on;
		else if (P->s[j] == 'x')
			P->giveup = 1;
		j++;
	}
	if (j < P->n && (P->s[j] == ')' || P->s[j] == ':')) {
		*ci = v;
		P->i = j + 1;
		return P->s[j] == ')' ? 1 : 2;
	}
	return 0;
}

static struct reqset parse_seq(struct px *P, int ci)
{
	struct reqset rs = { .n = 0 };
	struct buf run = BUF_INIT;
	int kind;

	while (P->i < P->n && !P->giveup) {
		size_t i = P->i, j;
		char c = P->s[i];
		long min;

		if (c == '|' || c == ')')
			break;
		j = lex(P->s, P->n, i, &kind);
		if (kind == LX_OPEN) {
			struct reqset sub;
			int zero = 0, gci = ci, f;

			P->i = i + 1;
			if (P->i < P->n && P->s[P->i] == '*') {
				P->giveup = 1;
				break;
			}
			if (P->i < P->n && P->s[P->i] == '?') {
				const char *q = P->s + P->i + 1;
				size_t left = P->n - P->i - 1;

				P->i++;
				if (left >= 1 && (q[0] == ':' || q[0] == '|' ||
						  q[0] == '>')) {
					P->i++;
				} else if (left >= 1 && (q[0] == '=' ||
							 q[0] == '!')) {
					/* what a positive lookaround needs
					 * is needed too */
					zero = q[0] == '!';
					P->i++;
				} else if (left >= 2 && q[0] == '<' &&
					   (q[1] == '=' || q[1] == '!')) {
					zero = q[1] == '!';
					P->i += 2;
				} else if (left >= 8 &&
					   memcmp(q, "(DEFINE)", 8) == 0) {
					/* definitions for subroutine calls
					 * match nothing where they stand */
					zero = 1;
					P->i += 8;
				} else if (left >= 1 && q[0] == '&') {
					/* a subroutine call: what it matches
					 * is not known here, so nothing is
					 * required of it */
					const char *e = memchr(q, ')', left);

					if (e == NULL) {
						P->giveup = 1;
						break;
					}
					flush_lit(P, &rs, &run, ci);
					P->i = (size_t)(e - P->s) + 1;
					(void)quantifier(P);
					continue;
				} else if (left >= 1 && (q[0] == '<' ||
							 q[0] == '\'' ||
							 q[0] == 'P')) {
					const char *e = memchr(q, q[0] == '\'' ?
							       '\'' : '>',
							       left);

					if (q[0] == 'P' && (left < 2 ||
							    q[1] != '<')) {
						P->giveup = 1;
						break;
					}
					if (e == NULL) {
						P->giveup = 1;
						break;
					}
					P->i = (size_t)(e - P->s) + 1;
				} else if ((f = read_flags(P, &gci)) == 1) {
					flush_lit(P, &rs, &run, ci);
					ci = gci;
					continue;
				} else if (f == 0) {
					P->giveup = 1;
					break;
				}
			}
			flush_lit(P, &rs, &run, ci);
			sub = parse_alt(P, gci);
			if (P->i >= P->n || P->s[P->i] != ')') {
				P->giveup = 1;
				break;
			}
			P->i++;
			min = quantifier(P);
			if (!zero && min > 0)
				for (size_t k = 0; k < sub.n; k++)
					set_add(P, &rs, &sub.c[k]);
			continue;
		}
		P->i = j;
		if (kind == LX_COMMENT)
			continue;
		if (kind == LX_CLASS) {
			struct clause cl = { .n = 0 };

			for (size_t k = 0; k < P->x->nph; k++)
				if (P->x->ph[k].at == i) {
					cl.n = 1;
					cl.a[0].kind = P->x->ph[k].kind;
					cl.a[0].id = P->x->ph[k].id;
				}
			flush_lit(P, &rs, &run, ci);
			if (cl.n == 0)
				class_chars(P, P->s + i, j - i, ci, &cl);
			if (quantifier(P) > 0)
				set_add(P, &rs, &cl);
			continue;
		}
		if ((kind == LX_CHAR && !strchr(".^$*+?", c)) ||
		    (kind == LX_ESC && j == i + 2 && !is_word(P->s[i + 1]) &&
		     (unsigned char)P->s[i + 1] < 0x80)) {
			const char *lp = kind == LX_ESC ? P->s + i + 1 : P->s + i;
			size_t ln = kind == LX_ESC ? 1 : j - i;

			min = quantifier(P);
			if (min == 0) {
				flush_lit(P, &rs, &run, ci);
			} else {
				buf_add(&run, lp, ln);
				/* a repeated blank is still one blank to
				 * the scan */
				if (P->i != j && !(ln == 1 && lp[0] == ' '))
					flush_lit(P, &rs, &run, ci);
			}
			continue;
		}
		/* \s, \s+: a blank in the literal, which the scan finds for
		 * any run of white space (rules_scan.c) */
		if (kind == LX_ESC && j == i + 2 && P->s[i + 1] == 's') {
			if (quantifier(P) == 0)
				flush_lit(P, &rs, &run, ci);
			else if (run.n == 0 || run.p[run.n - 1] != ' ')
				buf_addc(&run, ' ');
			continue;
		}
		/* anything else matches no literal we can name; \d needs a
		 * digit */
		flush_lit(P, &rs, &run, ci);
		if (quantifier(P) > 0 && kind == LX_ESC && j == i + 2 &&
		    P->s[i + 1] == 'd') {
			struct clause cl = { .n = 1 };

			cl.a[0].kind = AT_DIGIT;
			set_add(P, &rs, &cl);
		}
	}
	flush_lit(P, &rs, &run, ci);
	buf_release(&run);
	return rs;
}

static struct reqset parse_alt(struct px *P, int ci)
{
	struct reqset first = parse_seq(P, ci), out = { .n = 0 };
	struct clause u;
	const struct clause *b;
	int any_empty;

	if (P->i >= P->n || P->s[P->i] != '|')
		return first;
	b = best_clause(P, &first);
	any_empty = b == NULL;
	u.n = 0;
	if (b)
		u = *b;
	while (P->i < P->n && P->s[P->i] == '|' && !P->giveup) {
		struct reqset br;

		P->i++;
		br = parse_seq(P, ci);
		b = best_clause(P, &br);
		if (b == NULL || u.n + b->n > RULES_MAX_ATOMS) {
			any_empty = 1;
			continue;
		}
		for (size_t k = 0; k < b->n; k++)
			u.a[u.n++] = b->a[k];
	}
	if (!any_empty)
		set_add(P, &out, &u);
	return out;
}

void rules_clause_fold(struct clause *c)
{
	struct atom lits[RULES_MAX_ATOMS];
	size_t nl = 0, n = 0;

	c->tmask = 0;
	c->cmask = 0;
	c->digit = 0;
	for (size_t i = 0; i < c->n; i++) {
		const struct atom *a = &c->a[i];

		if (a->kind == AT_TYPE)
			c->tmask |= 1u << a->id;
		else if (a->kind == AT_CLASS)
			c->cmask |= (uint64_t)1 << a->id;
		else if (a->kind == AT_DIGIT)
			c->digit = 1;
		else {
			lits[nl++] = *a;
			continue;
		}
		c->a[n++] = *a;
	}
	c->lit0 = n;
	for (size_t i = 0; i < nl; i++)
		c->a[n++] = lits[i];
}

static void prefilter(struct loader *L, struct rule *ru, const struct exp *x)
{
	struct px P = { L, x, x->out.p, x->out.n, 0, 0 };
	struct reqset rs = parse_alt(&P, 0);

	if (P.giveup || P.i != P.n)
		return;
	/* entity atoms cost a bit test, literals a search: test them first */
	for (size_t k = 0; k < rs.n; k++) {
		struct clause *c = &rs.c[k];

		for (size_t i = 1; i < c->n; i++)
			for (size_t j = i; j > 0 && c->a[j].kind >= AT_TYPE &&
			     c->a[j - 1].kind < AT_TYPE; j--) {
				struct atom t = c->a[j];

				c->a[j] = c->a[j - 1];
				c->a[j - 1] = t;
			}
	}
	for (size_t k = 0; k < rs.n; k++)
		if (rs.c[k].n > 0 && rs.c[k].a[rs.c[k].n - 1].kind >= AT_TYPE)
			ru->req[ru->nreq++] = rs.c[k];
	for (size_t k = 0; k < rs.n; k++)
		if (!(rs.c[k].n > 0 && rs.c[k].a[rs.c[k].n - 1].kind >= AT_TYPE))
			ru->req[ru->nreq++] = rs.c[k];
	for (size_t k = 0; k < ru->nreq; k++)
		rules_clause_fold(&ru->req[k]);
}

/*
 * The prefilters folded for the run (struct rule_pf), and the marks the
 * literal scans set: for each literal, the clauses it satisfies. A digit
 * atom is the ten literals "0" .. "9" sought as written, so that the
 * scan finds it too.
 */
static void fold_prefilters(struct loader *L)
{
	struct rules *r = L->r;
	size_t i, k, j, d;
	int digit[10] = { 0 }, any_digit = 0;

	if (r->nrules >= (size_t)1 << 24)
		VNIE_BUG("too many rules for a mark");
	for (i = 0; i < r->nrules; i++)
		for (k = 0; k < r->rules[i].nreq; k++)
			any_digit |= r->rules[i].req[k].digit;
	for (d = 0; any_digit && d < 10; d++) {
		char c = (char)('0' + d);

		digit[d] = lit_index(L, &c, 1, 0);
	}
	r->pf = xcalloc(r->nrules + 1, sizeof(*r->pf));
	r->satstride = (r->nrules + 7) & ~(size_t)7;
	r->pfwords = (r->nrules + 63) / 64;
	r->needb = xcalloc(r->satstride + 8, 1);
	r->litonlyb = xcalloc(r->satstride + 8, 1);
	r->plainw = xcalloc(r->pfwords + 1, sizeof(*r->plainw));
	r->mark_at = xcalloc(r->nlits + 2, sizeof(*r->mark_at));
	for (i = 0; i < r->nrules; i++) {
		const struct rule *ru = &r->rules[i];
		struct rule_pf *pf = &r->pf[i];

		for (k = 0; k < ru->nreq; k++) {
			const struct clause *c = &ru->req[k];

			pf->need |= (uint8_t)(1u << k);
			pf->tmask[k] = c->tmask;
			pf->cmask[k] = c->cmask;
			if (c->tmask || c->cmask)
				pf->other |= (uint8_t)(1u << k);
			for (j = c->lit0; j < c->n; j++)
				r->mark_at[c->a[j].id + 2]++;
			for (d = 0; c->digit && d < 10; d++)
				r->mark_at[digit[d] + 2]++;
		}
		r->needb[i] = pf->need;
		r->litonlyb[i] = (uint8_t)(pf->need & ~pf->other);
		if (ru->plain)
			r->plainw[i >> 6] |= (uint64_t)1 << (i & 63);
	}
	r->typeok = xcalloc(((size_t)1 << RT_NTYPES) * r->pfwords + 1,
			    sizeof(*r->typeok));
	for (size_t t = 0; t < (size_t)1 << RT_NTYPES; t++)
		for (i = 0; i < r->nrules; i++) {
			const struct rule *ru = &r->rules[i];
			int ok = 1;

			for (k = 0; k < ru->nreq && ok; k++) {
				const struct clause *c = &ru->req[k];

				if (c->tmask && !c->cmask && !c->digit &&
				    c->lit0 == c->n && !(c->tmask & t))
					ok = 0;
			}
			if (ok)
				r->typeok[t * r->pfwords + i / 64] |=
					(uint64_t)1 << (i % 64);
		}
	/* counts at + 2, starts at + 1, then filled at + 1: the ends */
	for (i = 0; i < r->nlits; i++)
		r->mark_at[i + 2] += r->mark_at[i + 1];
	r->marks = xmalloc((r->mark_at[r->nlits + 1] + 1) * sizeof(*r->marks));
	for (i = 0; i < r->nrules; i++) {
		const struct rule *ru = &r->rules[i];

		for (k = 0; k < ru->nreq; k++) {
			const struct clause *c = &ru->req[k];
			uint32_t m = (uint32_t)i << 8 | 1u << k;

			for (j = c->lit0; j < c->n; j++)
				r->marks[r->mark_at[c->a[j].id + 1]++] = m;
			for (d = 0; c->digit && d < 10; d++)
				r->marks[r->mark_at[digit[d] + 1]++] = m;
		}
	}
}

/* ---- actions ------------------------------------------------------------ */

static size_t skip_ws(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

static size_t word_end(const char *s, size_t n, size_t i)
{
	while (i < n && s[i] != ' ' && s[i] != '\t')
		i++;
	return i;
}

int rules_group_number(const pcre2_code *re, const char *s, size_t n)
{
	char name[128];
	uint32_t cap = 0;
	int num = 0;

	if (n == 0 || n >= sizeof(name))
		return -1;
	if (s[0] >= '0' && s[0] <= '9') {
		for (size_t i = 0; i < n; i++) {
			if (s[i] < '0' || s[i] > '9' || num > 9999)
				return -1;
			num = num * 10 + (s[i] - '0');
		}
		pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &cap);
		return (uint32_t)num <= cap ? num : -1;
	}
	memcpy(name, s, n);
	name[n] = '\0';
	num = pcre2_substring_number_from_name(re, (PCRE2_SPTR)name);
	return num > 0 ? num : -1;
}

static const char *const opt_keys[] = { "canonical=", "value=", "class=" };

/* Where the next " key=" option starts after i, or n. */
static size_t next_opt(const char *s, size_t n, size_t i)
{
	for (; i < n; i++) {
		if (s[i] != ' ' && s[i] != '\t')
			continue;
		for (size_t k = 0; k < 3; k++) {
			size_t kl = strlen(opt_keys[k]), j = skip_ws(s, n, i);

			if (j + kl <= n && memcmp(s + j, opt_keys[k], kl) == 0)
				return i;
		}
	}
	return n;
}

static int parse_entity(struct loader *L, struct rule *ru, struct action *a,
			const struct piece *p, size_t i)
{
	const char *s = p->s;
	size_t n = p->n, j;
	struct origin o;

	i = skip_ws(s, n, i);
	j = word_end(s, n, i);
	o = at(&p->o, i);
	if ((a->type = rules_type_index(s + i, j - i)) < 0) {
		errorf(L, &o, "unknown entity type '%.*s'", (int)(j - i), s + i);
		return -1;
	}
	i = skip_ws(s, n, j);
	j = word_end(s, n, i);
	if (j - i != 4 || memcmp(s + i, "from", 4) != 0) {
		o = at(&p->o, i);
		errorf(L, &o, "expected 'from GROUP' after the entity type");
		return -1;
	}
	i = skip_ws(s, n, j);
	j = word_end(s, n, i);
	o = at(&p->o, i);
	if ((a->group = rules_group_number(ru->re, s + i, j - i)) < 0) {
		errorf(L, &o, "unknown group '%.*s'", (int)(j - i), s + i);
		return -1;
	}
	for (i = skip_ws(s, n, j); i < n; i = skip_ws(s, n, j)) {
		size_t k, kl = 0, vs, ve;
		struct tmpl **slot = NULL;

		o = at(&p->o, i);
		for (k = 0; k < 3; k++) {
			kl = strlen(opt_keys[k]);
			if (i + kl <= n && memcmp(s + i, opt_keys[k], kl) == 0)
				break;
		}
		if (k == 3) {
			errorf(L, &o, "expected canonical=, value= or class=, "
			       "not '%.*s'", (int)(word_end(s, n, i) - i),
			       s + i);
			return -1;
		}
		vs = i + kl;
		if (vs < n && s[vs] == '"') {
			const char *q = memchr(s + vs + 1, '"', n - vs - 1);

			if (q == NULL) {
				errorf(L, &o, "unterminated quoted template");
				return -1;
			}
			ve = (size_t)(q - s);
			vs++;
			j = ve + 1;
		} else {
			ve = j = next_opt(s, n, vs);
			while (ve > vs && (s[ve - 1] == ' ' || s[ve - 1] == '\t'))
				ve--;
		}
		if (k == 2) {
			if (ve == vs) {
				errorf(L, &o, "class= needs a NAME");
				return -1;
			}
			free(a->cls);
			a->cls = xstrndup(s + vs, ve - vs);
			continue;
		}
		slot = k == 0 ? &a->canonical : &a->value;
		{
			struct vnie_error e;
			size_t errat;

			tmpl_free(*slot);
			*slot = tmpl_parse(s + vs, ve - vs, ru->re, &e, &errat);
			if (*slot == NULL) {
				o = at(&p->o, vs + errat);
				errorf(L, &o, "%s", e.msg);
				return -1;
			}
		}
	}
	return 0;
}

static int parse_relation(struct loader *L, struct rule *ru,
			  struct action *a, const struct piece *p, size_t i)
{
	const char *s = p->s;
	size_t n = p->n, j, k;
	struct origin o;
	const struct rel_schema *sc;
	unsigned have = 0;
	int starred = 0;

	i = skip_ws(s, n, i);
	j = word_end(s, n, i);
	o = at(&p->o, i);
	for (k = 0; k < rules_nrelations; k++)
		if (strlen(rules_relations[k].name) == j - i &&
		    memcmp(rules_relations[k].name, s + i, j - i) == 0)
			break;
	if (k == rules_nrelations) {
		errorf(L, &o, "unknown relation type '%.*s'", (int)(j - i),
		       s + i);
		return -1;
	}
	a->rel = (int)k;
	sc = &rules_relations[k];
	for (i = skip_ws(s, n, j); i < n; i = skip_ws(s, n, j)) {
		const char *eq, *colon;
		size_t r, ge;
		struct role *ro;

		j = word_end(s, n, i);
		o = at(&p->o, i);
		eq = memchr(s + i, '=', j - i);
		if (eq == NULL) {
			errorf(L, &o, "expected ROLE=GROUP, not '%.*s'",
			       (int)(j - i), s + i);
			return -1;
		}
		for (r = 0; r < RULES_MAX_ROLES && sc->roles[r]; r++)
			if (strlen(sc->roles[r]) == (size_t)(eq - s - i) &&
			    memcmp(sc->roles[r], s + i, (size_t)(eq - s - i)) == 0)
				break;
		if (r == RULES_MAX_ROLES || sc->roles[r] == NULL) {
			errorf(L, &o, "unknown role '%.*s' for relation '%s'",
			       (int)(eq - s - i), s + i, sc->name);
			return -1;
		}
		if (a->nroles == RULES_MAX_ROLES || (have & (1u << r))) {
			errorf(L, &o, "role '%s' given twice", sc->roles[r]);
			return -1;
		}
		have |= 1u << r;
		ro = &a->roles[a->nroles++];
		ro->role = (int)r;
		ro->types = sc->types[r];
		ro->each = 0;
		colon = memchr(eq, ':', (size_t)(s + j - eq));
		ge = colon ? (size_t)(colon - s) : j;
		if (colon) {
			int t = rules_type_index(colon + 1,
						 (size_t)(s + j - colon - 1));

			if (t < 0) {
				o = at(&p->o, (size_t)(colon + 1 - s));
				errorf(L, &o, "unknown entity type '%.*s' in "
				       "role '%s'", (int)(s + j - colon - 1),
				       colon + 1, sc->roles[r]);
				return -1;
			}
			ro->types = 1u << t;
		}
		if (ge > (size_t)(eq + 1 - s) && s[ge - 1] == '*') {
			if (starred) {
				o = at(&p->o, ge - 1);
				errorf(L, &o, "only one role of a relation may "
				       "take each nested entity ('*')");
				return -1;
			}
			starred = 1;
			ro->each = 1;
			ge--;
		}
		ro->group = rules_group_number(ru->re, eq + 1, (size_t)(s + ge - eq - 1));
		if (ro->group < 0) {
			o = at(&p->o, (size_t)(eq + 1 - s));
			errorf(L, &o, "unknown group '%.*s'",
			       (int)(s + ge - eq - 1), eq + 1);
			return -1;
		}
	}
	for (k = 0; k < RULES_MAX_ROLES && sc->roles[k]; k++)
		if ((sc->required & (1u << k)) && !(have & (1u << k))) {
			o = at(&p->o, 0);
			errorf(L, &o, "relation '%s' needs role '%s'",
			       sc->name, sc->roles[k]);
			return -1;
		}
	if (sc->one_of && !(have & sc->one_of)) {
		o = at(&p->o, 0);
		errorf(L, &o, "relation '%s' needs one of its holder roles",
		       sc->name);
		return -1;
	}
	return 0;
}

static int parse_suppress(struct loader *L, struct rule *ru,
			  struct action *a, const struct piece *p, size_t i)
{
	const char *s = p->s;
	size_t n = p->n, j;
	struct origin o;

	i = skip_ws(s, n, i);
	j = word_end(s, n, i);
	o = at(&p->o, i);
	if (j - i == 1 && s[i] == '*') {
		a->type = -1;
	} else if ((a->type = rules_type_index(s + i, j - i)) < 0) {
		errorf(L, &o, "unknown entity type '%.*s'", (int)(j - i), s + i);
		return -1;
	}
	i = skip_ws(s, n, j);
	j = word_end(s, n, i);
	o = at(&p->o, i);
	if ((a->group = rules_group_number(ru->re, s + i, j - i)) < 0) {
		errorf(L, &o, "unknown group '%.*s'", (int)(j - i), s + i);
		return -1;
	}
	if (skip_ws(s, n, j) < n) {
		o = at(&p->o, skip_ws(s, n, j));
		errorf(L, &o, "unexpected text after the group");
		return -1;
	}
	return 0;
}

/* ---- start hint ------------------------------------------------------------ */

/*
 * A pattern that opens with lookbehinds ((?<![\p{L}])(?<!phố\s)...) makes
 * PCRE2 evaluate them at every position of the sentence before anything
 * cheap. When the rest of the pattern must start with a plain item (a
 * character, a class, an escape, or a lookahead without groups), a copy of
 * that item as a lookahead in front says the same and fails fast:
 * (?=\p{Lu})(?<![\p{L}])... . Zero-width and without groups, the hint
 * changes neither the matches nor the group numbers. NULL when no hint.
 */
static size_t group_end(const char *s, size_t n, size_t i)
{
	size_t depth = 0, j = i, k;
	int kind;

	while (j < n) {
		k = lex(s, n, j, &kind);
		if (kind == LX_OPEN) {
			depth++;
		} else if (kind == LX_CLOSE) {
			if (depth == 0)
				return 0;
			if (--depth == 0)
				return k;
		} else if (kind == LX_BADCLASS) {
			return 0;
		}
		j = k;
	}
	return 0;
}

/* Longest start hint made: past it, a word list's first letters. */
#define RULES_MAX_HINT 512

/*
 * Append to h an item that every match of s[a..b) starts with: its first
 * plain item, zero-width assertions skipped (a positive lookahead without
 * groups is taken whole), an alternation of such items for a group with
 * branches. 0, or -1 (h as it was) when there is none to name.
 */
static int first_item(const char *s, size_t a, size_t b, struct buf *h,
		      int depth)
{
	struct px P = { NULL, NULL, s, b, 0, 0 };
	size_t q = a, e, j, c, mark = h->n;
	int kind;

	if (depth > RULES_MAX_MACRO_DEPTH || h->n > RULES_MAX_HINT)
		return -1;
	while (q < b) {
		if (s[q] == '(') {
			size_t bs, k, d = 0;
			int nb = 0;

			if ((e = group_end(s, b, q)) == 0 || q + 2 >= b)
				return -1;
			if (s[q + 1] == '?' && (s[q + 2] == '=' || s[q + 2] == '!' ||
			    (s[q + 2] == '<' && q + 3 < b &&
			     (s[q + 3] == '=' || s[q + 3] == '!')))) {
				if (s[q + 2] == '=' &&
				    memchr(s + q + 1, '(', e - q - 1) == NULL) {
					buf_add(h, s + q, e - q);
					return 0;
				}
				q = e;   /* zero-width: the next item starts too */
				if (q < b && strchr("?*+{", s[q]))
					return -1;
				continue;
			}
			if (s[q + 1] != '?') {
				c = q + 1;
			} else if (s[q + 2] == ':' || s[q + 2] == '>') {
				c = q + 3;
			} else if (s[q + 2] == '<' || s[q + 2] == 'P' ||
				   s[q + 2] == '\'') {
				const char *gt = memchr(s + q + 3,
							s[q + 2] == '\'' ? '\'' :
							'>', e - q - 3);

				if (gt == NULL)
					return -1;
				c = (size_t)(gt - s) + 1;
			} else {
				return -1;   /* flags, conditions, recursion */
			}
			P.i = e;
			if (quantifier(&P) == 0)
				return -1;
			buf_adds(h, "(?:");
			for (bs = k = c; k <= e - 1;) {
				if (k == e - 1 || (s[k] == '|' && d == 0)) {
					if (nb++)
						buf_addc(h, '|');
					if (first_item(s, bs, k, h, depth + 1) < 0) {
						h->n = mark;
						return -1;
					}
					bs = k + 1;
					if (k == e - 1)
						break;
					k++;
					continue;
				}
				j = lex(s, e - 1, k, &kind);
				if (kind == LX_OPEN)
					d++;
				else if (kind == LX_CLOSE)
					d--;
				k = j;
			}
			buf_addc(h, ')');
			return 0;
		}
		j = lex(s, b, q, &kind);
		if (kind == LX_COMMENT ||
		    (kind == LX_ESC && (s[q + 1] == 'b' || s[q + 1] == 'B'))) {
			q = j;
			continue;
		}
		if (kind == LX_ESC) {
			char ch = q + 1 < b ? s[q + 1] : '\0';

			if ((ch >= '0' && ch <= '9') || strchr("gkKQEAzZG", ch))
				return -1;
		} else if (kind == LX_CHAR) {
			if (strchr("|)?*+{^$", s[q]))
				return -1;
		} else if (kind != LX_CLASS) {
			return -1;
		}
		P.i = j;
		if (quantifier(&P) == 0)
			return -1;
		buf_add(h, s + q, j - q);
		return 0;
	}
	return -1;   /* an empty sequence matches anywhere */
}

static char *start_hint(const char *s, size_t n, size_t *outn)
{
	struct buf b = BUF_INIT;

	if (!(n > 3 && s[0] == '(' && s[1] == '?' && s[2] == '<' &&
	      (s[3] == '!' || s[3] == '=')))
		return NULL;
	buf_adds(&b, "(?=");
	if (first_item(s, 0, n, &b, 0) < 0 || b.n > RULES_MAX_HINT) {
		buf_release(&b);
		return NULL;
	}
	buf_addc(&b, ')');
	buf_add(&b, s, n);
	*outn = b.n;
	return b.p;
}

/* ---- compiling a rule ----------------------------------------------------- */

static void compile_rule(struct loader *L, struct prule *pr)
{
	struct rules *r = L->r;
	struct rule *ru;
	struct exp x = { BUF_INIT, NULL, 0, NULL, 0 };
	int errcode, bad = 0;
	PCRE2_SIZE erroff;
	struct buf src = BUF_INIT;

	if (pr->npat == 0) {
		errorf(L, &pr->o, "rule '%s' has no match line", pr->name);
		return;
	}
	if (pr->nacts == 0) {
		errorf(L, &pr->o, "rule '%s' has no entity, relation or "
		       "suppress line", pr->name);
		return;
	}
	for (size_t k = 0; k < pr->npat; k++)
		if (expand(L, &x, &pr->pat[k], 0) < 0)
			bad = 1;
	if (bad || check_balance(L, &x) < 0)
		goto out;
	r->rules = xrealloc(r->rules, (r->nrules + 1) * sizeof(*r->rules));
	ru = &r->rules[r->nrules];
	memset(ru, 0, sizeof(*ru));
	/* With a start hint, the pattern is compiled once, hint in front: the
	 * hint is checked alone (it is small) to hold no group, so that group
	 * numbers stay those of the rule. Without one, or when that fails,
	 * the rule as written is compiled, and its errors reported. */
	if (!r->opts.no_prefilter) {
		size_t hn;
		char *h = start_hint(x.out.p, x.out.n, &hn);

		if (h != NULL) {
			pcre2_code *ho = pcre2_compile((PCRE2_SPTR)h, hn - x.out.n,
						       PCRE2_UTF | PCRE2_UCP,
						       &errcode, &erroff, NULL);
			uint32_t hc = 1;

			if (ho != NULL)
				pcre2_pattern_info(ho, PCRE2_INFO_CAPTURECOUNT,
						   &hc);
			pcre2_code_free(ho);
			if (hc == 0)
				ru->re = pcre2_compile((PCRE2_SPTR)h, hn,
						       PCRE2_UTF | PCRE2_UCP,
						       &errcode, &erroff, NULL);
			free(h);
		}
	}
	if (ru->re == NULL)
		ru->re = pcre2_compile((PCRE2_SPTR)(x.out.p ? x.out.p : ""),
				       x.out.n, PCRE2_UTF | PCRE2_UCP, &errcode,
				       &erroff, NULL);
	if (ru->re == NULL) {
		PCRE2_UCHAR msg[256];
		struct origin o = origin_of(&x, erroff);

		pcre2_get_error_message(errcode, msg, sizeof(msg));
		errorf(L, &o, "%s", (char *)msg);
		goto out;
	}
	ru->jit = pcre2_jit_compile(ru->re, PCRE2_JIT_COMPLETE) == 0;
	pcre2_pattern_info(ru->re, PCRE2_INFO_CAPTURECOUNT, &ru->ngroups);
	ru->name = xstrdup(pr->name);
	buf_printf(&src, "%s:%zu", pr->o.file, pr->o.line);
	ru->source = src.p;
	buf_init(&src);
	/* as the output's "source" fields write it, once */
	json_write_string(ru->source, strlen(ru->source), &src);
	ru->source_json = src.p;
	ru->source_jn = src.n;
	buf_init(&src);
	ru->priority = pr->priority;
	ru->order = r->nrules;
	ru->phase = pr->phase;
	r->nrules++;
	if (ru->ngroups > r->max_groups)
		r->max_groups = ru->ngroups;
	ru->acts = xcalloc(pr->nacts, sizeof(*ru->acts));
	for (size_t k = 0; k < pr->nacts; k++) {
		const struct piece *p = &pr->acts[k];
		struct action *a = &ru->acts[ru->nacts++];
		size_t j = word_end(p->s, p->n, 0);

		if (j == 6 && memcmp(p->s, "entity", 6) == 0) {
			a->kind = ACT_ENTITY;
			parse_entity(L, ru, a, p, j);
		} else if (j == 5 && memcmp(p->s, "later", 5) == 0) {
			a->kind = ACT_LATER;
			parse_entity(L, ru, a, p, j);
		} else if (j == 8 && memcmp(p->s, "anywhere", 8) == 0) {
			a->kind = ACT_ANYWHERE;
			parse_entity(L, ru, a, p, j);
		} else if (j == 8 && memcmp(p->s, "relation", 8) == 0) {
			a->kind = ACT_RELATION;
			parse_relation(L, ru, a, p, j);
		} else {
			a->kind = ACT_SUPPRESS;
			parse_suppress(L, ru, a, p, j);
		}
	}
	/* a suppress-only rule with no placeholder names text that earlier
	 * entities may hide in the shadow ("CTV" found as a PERSON) */
	ru->plain = x.nph == 0;
	for (size_t k = 0; k < ru->nacts; k++)
		if (ru->acts[k].kind != ACT_SUPPRESS)
			ru->plain = 0;
	prefilter(L, ru, &x);
out:
	buf_release(&src);
	buf_release(&x.out);
	free(x.runs);
	free(x.ph);
}

/* ---- word lists ------------------------------------------------------------- */

static int cmp_len_desc(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	size_t xn = strlen(x), yn = strlen(y);

	if (xn != yn)
		return xn > yn ? -1 : 1;
	return strcmp(x, y);
}

/*
 * A word list as a trie: "Nguyễn|Ngô|Ngọ" becomes "Ng(?:uyễn|ô|ọ)", so
 * PCRE2 tests a letter once where the flat alternation tests it once per
 * word (a list of two hundred surnames tried at every capital letter was
 * the costliest part of several rules).
 *
 * The trie says the same as the flat list, longest first: words that
 * match at one place in a text are prefixes of one another, and the trie
 * tries the longer continuation before ending a word (the empty branch
 * comes last). That holds when no two branches of a node can match one
 * letter: the list is inside (?i:...), so two letters of one node that
 * are the same letter in another case make the flat list be kept.
 */
struct trie_node {
	const char *unit;   /* the letter, escaped as in the pattern */
	size_t ulen;
	int32_t cp;
	int end;            /* a word ends here */
	size_t first, next; /* first child, next sibling; 0 for none */
};

struct trie {
	struct trie_node *v;
	size_t n, cap;
};

/* Longest word list held as a trie; a longer list stays flat. */
#define RULES_MAX_TRIE_NODES 100000

static size_t trie_node(struct trie *t)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 256;
		t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
	}
	memset(&t->v[t->n], 0, sizeof(t->v[t->n]));
	return t->n++;
}

/* Add an escaped word; -1 if it cannot be held (ill-formed, too big). */
static int trie_add(struct trie *t, const char *w, size_t n)
{
	size_t at = 0, i = 0;

	while (i < n) {
		size_t ul, k, last = 0;
		int32_t cp;

		if (w[i] == '\\' && i + 1 < n) {
			ul = 2;
			cp = (unsigned char)w[i + 1];
		} else {
			ul = utf8_decode((const unsigned char *)w + i, n - i,
					 &cp);
			if (cp < 0)
				return -1;
		}
		for (k = t->v[at].first; k; k = t->v[k].next) {
			last = k;
			if (t->v[k].ulen == ul &&
			    memcmp(t->v[k].unit, w + i, ul) == 0)
				break;
		}
		if (k == 0) {
			if (t->n >= RULES_MAX_TRIE_NODES)
				return -1;
			k = trie_node(t);
			t->v[k].unit = w + i;
			t->v[k].ulen = ul;
			t->v[k].cp = cp;
			if (last)
				t->v[last].next = k;
			else
				t->v[at].first = k;
		}
		at = k;
		i += ul;
	}
	t->v[at].end = 1;
	return 0;
}

static int same_letter(int32_t a, int32_t b)
{
	return a == b || utf8proc_tolower(a) == utf8proc_tolower(b) ||
	       utf8proc_toupper(a) == utf8proc_toupper(b) ||
	       utf8proc_tolower(a) == b || utf8proc_toupper(a) == b ||
	       utf8proc_tolower(b) == a || utf8proc_toupper(b) == a;
}

/* 0 if no node has two children that may match one letter. */
static int trie_ambiguous(const struct trie *t)
{
	for (size_t i = 0; i < t->n; i++)
		for (size_t a = t->v[i].first; a; a = t->v[a].next)
			for (size_t b = t->v[a].next; b; b = t->v[b].next)
				if (same_letter(t->v[a].cp, t->v[b].cp))
					return 1;
	return 0;
}

static void trie_emit(const struct trie *t, size_t at, struct buf *out)
{
	const struct trie_node *x = &t->v[at];
	size_t k;

	if (x->first == 0)
		return;
	if (t->v[x->first].next == 0 && !x->end) {
		buf_add(out, t->v[x->first].unit, t->v[x->first].ulen);
		trie_emit(t, x->first, out);
		return;
	}
	buf_adds(out, "(?:");
	for (k = x->first; k; k = t->v[k].next) {
		if (k != x->first)
			buf_addc(out, '|');
		buf_add(out, t->v[k].unit, t->v[k].ulen);
		trie_emit(t, k, out);
	}
	if (x->end)
		buf_addc(out, '|');
	buf_addc(out, ')');
}

/* The flat alternation pat (escaped words joined by '|', no empty word)
 * as a trie, in out; -1 to keep it flat. */
static int list_trie(const char *pat, size_t n, struct buf *out)
{
	struct trie t = { NULL, 0, 0 };
	size_t i = 0, j;
	int rc = 0;

	trie_node(&t);
	while (i < n && rc == 0) {
		for (j = i; j < n && pat[j] != '|'; j++)
			if (pat[j] == '\\')
				j++;
		if (j > n)
			j = n;
		if (j == i)
			rc = -1;
		else
			rc = trie_add(&t, pat + i, j - i);
		i = j + 1;
	}
	if (rc == 0 && trie_ambiguous(&t))
		rc = -1;
	if (rc == 0) {
		/* the root is no word's end: an empty word is not held */
		trie_emit(&t, 0, out);
		if (t.v[0].first && t.v[t.v[0].first].next && out->n &&
		    out->p[0] != '(')
			rc = -1;
	}
	free(t.v);
	return rc;
}

static char *find_list_file(struct loader *L, const char *rulefile,
			    const char *rel)
{
	const struct rules_opts *o = &L->r->opts;
	char *dir = dir_of(rulefile), *cand[3], *p = NULL;
	FILE *fp;
	size_t k;

	for (k = 0; k < o->ngaz; k++)
		if (strcmp(base_of(o->gaz_files[k]), base_of(rel)) == 0) {
			free(dir);
			return xstrdup(o->gaz_files[k]);
		}
	cand[0] = join(dir, rel);
	if (dir[0] != '\0') {
		char *up = join(dir, "..");

		cand[1] = join(up, rel);
		free(up);
	} else {
		cand[1] = join("..", rel);
	}
	cand[2] = o->gaz_dir ? join(o->gaz_dir, base_of(rel)) : NULL;
	for (k = 0; k < 3; k++) {
		if (p == NULL && cand[k] && (fp = fopen(cand[k], "rb"))) {
			fclose(fp);
			p = cand[k];
			continue;
		}
		free(cand[k]);
	}
	free(dir);
	return p ? p : xstrdup(rel);
}

static void define_list(struct loader *L, const char *realfile,
			const char *name, size_t nn, const char *rel,
			size_t rn, const struct origin *o)
{
	char *relz = xstrndup(rel, rn), *path, *data, **words = NULL;
	size_t n, nw = 0, i, j;
	struct buf pat = BUF_INIT;
	struct wlist *w;

	path = find_list_file(L, realfile, relz);
	data = slurp(path, &n);
	if (data == NULL) {
		errorf(L, o, "cannot read word list '%s': %s", relz,
		       strerror(errno));
		goto out;
	}
	for (i = 0; i < n; i = j + 1) {
		const char *nl = memchr(data + i, '\n', n - i);
		size_t e, t;

		j = nl ? (size_t)(nl - data) : n;
		if (j == i || data[i] == '#')
			continue;
		for (t = i; t < j && data[t] != '\t'; t++)
			;
		e = t;
		while (e > i && (data[e - 1] == ' ' || data[e - 1] == '\r'))
			e--;
		while (i < e && data[i] == ' ')
			i++;
		if (e == i)
			continue;
		words = xrealloc(words, (nw + 1) * sizeof(*words));
		words[nw++] = xstrndup(data + i, e - i);
	}
	if (nw > 1)
		qsort(words, nw, sizeof(*words), cmp_len_desc);
	for (i = 0; i < nw; i++) {
		if (i > 0 && strcmp(words[i], words[i - 1]) == 0)
			continue;
		if (pat.n)
			buf_addc(&pat, '|');
		for (const char *c = words[i]; *c; c++) {
			if (strchr("\\^$.|?*+()[]{}#@", *c))
				buf_addc(&pat, '\\');
			buf_addc(&pat, *c);
		}
	}
	if (nw == 0) {
		buf_adds(&pat, "(*FAIL)");
	} else {
		struct buf tr = BUF_INIT;

		if (list_trie(pat.p, pat.n, &tr) == 0) {
			buf_release(&pat);
			pat = tr;
		} else {
			buf_release(&tr);
		}
	}
	L->lists = xrealloc(L->lists, (L->nlists + 1) * sizeof(*L->lists));
	w = &L->lists[L->nlists++];
	w->name = xstrndup(name, nn);
	w->n = pat.n;
	w->pat = pat.p;
	w->o = *o;
out:
	for (i = 0; i < nw; i++)
		free(words[i]);
	free(words);
	free(data);
	free(path);
	free(relz);
}

/* ---- reading rule files ------------------------------------------------------- */

static void finish_rule(struct loader *L)
{
	L->cur = NULL;
	L->skipping = 0;
}

static void add_piece(struct piece **v, size_t *n, const char *s,
		      size_t len, const struct origin *o)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = (struct piece){ s, len, *o };
}

/* Length of a line without its comment and trailing blanks. */
static size_t strip_comment(const char *s, size_t n)
{
	size_t i, bs = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '\\') {
			bs++;
			continue;
		}
		if (s[i] == '#' && bs % 2 == 0)
			break;
		bs = 0;
	}
	n = i;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
			 s[n - 1] == '\r')) {
		/* keep an escaped blank: "\ " */
		size_t k = n - 1, b = 0;

		while (k > 0 && s[k - 1] == '\\') {
			b++;
			k--;
		}
		if (b % 2 == 1)
			break;
		n--;
	}
	return n;
}

static int is_name(const char *s, size_t n)
{
	if (n == 0 || !is_alpha(s[0]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_word(s[i]) && s[i] != '-')
			return 0;
	return 1;
}

static void read_file(struct loader *L, const char *path, const char *disp,
		      size_t phase, int depth, const struct origin *from);


/*
 * A directive that names a head of canonical forms: `WORD MODE HEAD
 * [...]` from s[i..n) (i after WORD), appended to *v in file order. MODE
 * is one of modes (its index is the entry's mode); whole, a mode whose
 * head must be a whole canonical form, without " ...". Errors go to o.
 */
static void head_directive(struct loader *L, const char *s, size_t n,
			   size_t i, const char *const *modes,
			   struct provhead **v, size_t *nv, int whole,
			   const char *usage, const struct origin *o,
			   const struct origin *lo)
{
	size_t j = word_end(s, n, i), m, h, e, k;
	struct provhead *ph;
	struct buf src = BUF_INIT;
	int more;

	for (m = 0; modes[m]; m++)
		if (j - i == strlen(modes[m]) &&
		    memcmp(s + i, modes[m], j - i) == 0)
			break;
	h = skip_ws(s, n, j);
	if (modes[m] == NULL || h >= n) {
		errorf(L, o, "%s", usage);
		return;
	}
	more = n - h >= 3 && memcmp(s + n - 3, "...", 3) == 0 &&
	       (n - h == 3 || s[n - 4] == ' ' || s[n - 4] == '\t');
	if (more && (int)m == whole) {
		errorf(L, o, "a %s is a whole canonical form, without ' ...'",
		       modes[m]);
		return;
	}
	e = more ? n - 3 : n;
	while (e > h && (s[e - 1] == ' ' || s[e - 1] == '\t'))
		e--;
	for (k = h; k < e; k++)
		if (s[k] == '\t' || (s[k] == ' ' && k + 1 < e && s[k + 1] == ' '))
			break;
	if (e == h || k < e) {
		struct origin oh = *o;

		oh.off += h - i;
		errorf(L, &oh, "expected HEAD, words parted by one space%s",
		       more ? ", before ' ...'" : "");
		return;
	}
	*v = xrealloc(*v, (*nv + 1) * sizeof(**v));
	ph = &(*v)[(*nv)++];
	ph->more = more;
	ph->klow = NULL;
	ph->n = e - h;
	ph->head = xstrndup(s + h, ph->n);
	ph->mode = (int)m;
	buf_printf(&src, "%s:%zu", lo->file, lo->line);
	ph->source = src.p;
}
static void directive(struct loader *L, const char *path, const char *disp,
		      size_t phase, int depth, const char *s, size_t n,
		      const struct origin *lo)
{
	size_t k = word_end(s, n, 0), i = skip_ws(s, n, k), j;
	struct origin o = at(lo, i);

#define KW(w) (k == sizeof(w) - 1 && memcmp(s, w, k) == 0)
	if (KW("include")) {
		char *name, *rp, *dp, *dd, *rd;

		finish_rule(L);
		j = n;
		if (i < n && s[i] == '"') {
			const char *q = memchr(s + i + 1, '"', n - i - 1);

			if (q == NULL) {
				errorf(L, &o, "unterminated file name");
				return;
			}
			name = xstrndup(s + i + 1, (size_t)(q - s - i - 1));
		} else {
			name = xstrndup(s + i, j - i);
		}
		rd = dir_of(path);
		dd = dir_of(disp);
		rp = join(rd, name);
		dp = join(dd, name);
		keep(L, dp);
		read_file(L, rp, dp, phase, depth + 1, &o);
		free(rp);
		free(rd);
		free(dd);
		free(name);
		return;
	}
	if (KW("define") || KW("list")) {
		size_t ne, eq;

		finish_rule(L);
		ne = i;
		while (ne < n && is_word(s[ne]))
			ne++;
		eq = skip_ws(s, n, ne);
		if (ne == i || !is_alpha(s[i]) || eq >= n || s[eq] != '=') {
			errorf(L, &o, "expected %s NAME = ...",
			       KW("define") ? "define" : "list");
			return;
		}
		j = skip_ws(s, n, eq + 1);
		if (KW("list")) {
			struct origin vo = at(lo, j);

			if (find_macro(L, s + i, ne - i) ||
			    find_list(L, s + i, ne - i)) {
				errorf(L, &o, "'%.*s' is already defined",
				       (int)(ne - i), s + i);
				return;
			}
			define_list(L, path, s + i, ne - i, s + j, n - j, &vo);
			return;
		}
		{
			struct macro *m = find_macro(L, s + i, ne - i);

			if (m != NULL) {
				if (m->body.n != n - j ||
				    memcmp(m->body.s, s + j, n - j) != 0)
					errorf(L, &o, "macro '%s' is already "
					       "defined at %s:%zu", m->name,
					       m->body.o.file, m->body.o.line);
				return;
			}
			if (find_list(L, s + i, ne - i)) {
				errorf(L, &o, "'%.*s' is already defined",
				       (int)(ne - i), s + i);
				return;
			}
			{
				struct exp x = { BUF_INIT, NULL, 0, NULL, 0 };
				struct origin bo = at(lo, j);

				add_run(&x, &bo, 1);
				buf_add(&x.out, s + j, n - j);
				check_balance(L, &x);
				buf_release(&x.out);
				free(x.runs);
			}
			L->macros = xrealloc(L->macros, (L->nmacros + 1) *
					     sizeof(*L->macros));
			m = &L->macros[L->nmacros++];
			m->name = xstrndup(s + i, ne - i);
			m->body = (struct piece){ s + j, n - j, at(lo, j) };
			m->busy = 0;
		}
		return;
	}
	if (KW("province")) {
		static const char *const modes[] = { "level", "name",
						     "city-name", NULL };

		finish_rule(L);
		head_directive(L, s, n, i, modes, &L->r->prov, &L->r->nprov,
			       -1, "expected province level|name|city-name "
			       "HEAD", &o, lo);
		return;
	}
	if (KW("organisation")) {
		/* in the order of ORGD_* */
		static const char *const modes[] = { "owner", "body", "abroad",
						     "kind", NULL };
		size_t before = L->r->norgd;

		finish_rule(L);
		head_directive(L, s, n, i, modes, &L->r->orgd, &L->r->norgd,
			       ORGD_BODY, "expected organisation "
			       "owner|body|abroad|kind HEAD", &o, lo);
		if (L->r->norgd > before &&
		    L->r->orgd[before].mode == ORGD_KIND) {
			struct provhead *ph = &L->r->orgd[before];
			struct buf lw = BUF_INIT;

			values_lower(ph->head, ph->n, &lw);
			if (ph->more || lw.n != ph->n) {
				errorf(L, &o, ph->more ? "a kind is whole "
				       "words, without ' ...'" : "a kind "
				       "must keep its length in lower case");
				free(ph->head);
				free(ph->source);
				buf_release(&lw);
				L->r->norgd = before;
				return;
			}
			ph->klow = xstrndup(lw.p, lw.n);
			buf_release(&lw);
			L->r->has_kinds = 1;
		}
		return;
	}
	if (KW("abbreviation")) {
		size_t e = n, x;
		struct abbrev *ab;
		struct buf src = BUF_INIT;

		finish_rule(L);
		j = word_end(s, n, i);
		x = skip_ws(s, n, j);
		while (e > x && (s[e - 1] == ' ' || s[e - 1] == '\t'))
			e--;
		if (j == i || x >= e) {
			errorf(L, &o, "expected abbreviation WORD EXPANSION");
			return;
		}
		for (size_t a = 0; a < L->r->nabbr; a++)
			if (L->r->abbr[a].wn == j - i &&
			    memcmp(L->r->abbr[a].word, s + i, j - i) == 0) {
				errorf(L, &o, "abbreviation '%.*s' is already "
				       "defined at %s", (int)(j - i), s + i,
				       L->r->abbr[a].source);
				return;
			}
		L->r->abbr = xrealloc(L->r->abbr, (L->r->nabbr + 1) *
				      sizeof(*L->r->abbr));
		ab = &L->r->abbr[L->r->nabbr++];
		ab->word = xstrndup(s + i, j - i);
		ab->wn = j - i;
		ab->exp = xstrndup(s + x, e - x);
		ab->en = e - x;
		buf_printf(&src, "%s:%zu", lo->file, lo->line);
		ab->source = src.p;
		return;
	}
	if (KW("rule")) {
		struct prule *pr;

		j = word_end(s, n, i);
		if (!is_name(s + i, j - i) || skip_ws(s, n, j) != n) {
			errorf(L, &o, "expected rule NAME");
			L->cur = NULL;
			L->skipping = 1;
			return;
		}
		for (size_t r = 0; r < L->nprules; r++)
			if (strlen(L->prules[r].name) == j - i &&
			    memcmp(L->prules[r].name, s + i, j - i) == 0) {
				errorf(L, &o, "duplicate rule name '%.*s' "
				       "(first at %s:%zu)", (int)(j - i),
				       s + i, L->prules[r].o.file,
				       L->prules[r].o.line);
				L->cur = NULL;
				L->skipping = 1;
				return;
			}
		L->prules = xrealloc(L->prules, (L->nprules + 1) *
				     sizeof(*L->prules));
		pr = &L->prules[L->nprules++];
		memset(pr, 0, sizeof(*pr));
		pr->name = xstrndup(s + i, j - i);
		pr->o = *lo;
		pr->phase = phase;
		L->cur = pr;
		L->skipping = 0;
		return;
	}
	if (KW("priority") || KW("match") || KW("match+") || KW("entity") ||
	    KW("relation") || KW("suppress") || KW("later") ||
	    KW("anywhere")) {
		struct prule *pr;

		if (L->nprules == 0 || L->cur == NULL) {
			struct origin z = at(lo, 0);

			if (L->skipping)
				return;
			errorf(L, &z, "'%.*s' outside a rule", (int)k, s);
			return;
		}
		pr = L->cur;
		if (KW("priority")) {
			char *end;
			char tmp[32];
			long v;

			j = n - i < sizeof(tmp) - 1 ? n - i : sizeof(tmp) - 1;
			memcpy(tmp, s + i, j);
			tmp[j] = '\0';
			v = strtol(tmp, &end, 10);
			if (j == 0 || *end != '\0' || v < -1000000 ||
			    v > 1000000) {
				errorf(L, &o, "priority must be an integer");
				return;
			}
			pr->priority = (int)v;
		} else if (KW("match")) {
			if (pr->npat > 0) {
				errorf(L, &o, "rule '%s' has a second match "
				       "line (continue with match+)",
				       pr->name);
				return;
			}
			add_piece(&pr->pat, &pr->npat, s + i, n - i, &o);
		} else if (KW("match+")) {
			if (pr->npat == 0) {
				errorf(L, &o, "match+ before match");
				return;
			}
			add_piece(&pr->pat, &pr->npat, s + i, n - i, &o);
		} else {
			struct origin z = at(lo, 0);

			add_piece(&pr->acts, &pr->nacts, s, n, &z);
		}
		return;
	}
	{
		struct origin z = at(lo, 0);

		errorf(L, &z, "unknown directive '%.*s'", (int)k, s);
	}
#undef KW
}

static void read_file(struct loader *L, const char *path, const char *disp,
		      size_t phase, int depth, const struct origin *from)
{
	char *data, *real;
	size_t n, i, j, line = 0;

	if (depth > RULES_MAX_INCLUDE_DEPTH) {
		errorf(L, from, "includes nested more than %d deep",
		       RULES_MAX_INCLUDE_DEPTH);
		return;
	}
	real = realpath(path, NULL);
	if (real != NULL) {
		for (size_t k = 0; k < L->nseen; k++)
			if (strcmp(L->seen[k], real) == 0) {
				free(real);
				return;   /* read once: a second include is a no-op */
			}
		L->seen = xrealloc(L->seen, (L->nseen + 1) * sizeof(*L->seen));
		L->seen[L->nseen++] = real;
	}
	data = slurp(path, &n);
	if (data == NULL) {
		if (from) {
			errorf(L, from, "cannot read '%s': %s", disp,
			       strerror(errno));
		} else {
			struct origin o = { disp, 0, NULL, 0 };

			errorf(L, &o, "cannot read rule file: %s",
			       strerror(errno));
		}
		return;
	}
	keep(L, data);
	if (!utf8_valid(data, n)) {
		struct origin o = { disp, 0, NULL, 0 };

		errorf(L, &o, "not valid UTF-8");
		return;
	}
	L->cur = NULL;
	for (i = 0; i < n; i = j + 1) {
		const char *nl = memchr(data + i, '\n', n - i);
		size_t len, b;
		struct origin lo;

		j = nl ? (size_t)(nl - data) : n;
		line++;
		len = strip_comment(data + i, j - i);
		b = skip_ws(data + i, len, 0);
		if (b == len)
			continue;
		lo = (struct origin){ disp, line, data + i, b };
		directive(L, path, disp, phase, depth, data + i + b, len - b,
			  &lo);
		if (nl == NULL)
			break;
	}
	L->cur = NULL;
}

/* ---- the rule set ---------------------------------------------------------------- */

void rules_opts_init(struct rules_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->match_limit = RULES_MATCH_LIMIT_DEFAULT;
	o->depth_limit = RULES_DEPTH_LIMIT_DEFAULT;
	o->heap_limit_kb = RULES_HEAP_LIMIT_KB_DEFAULT;
}

static void known_classes(struct loader *L)
{
	const struct rules_opts *o = &L->r->opts;
	struct dirent *de;
	DIR *dp;

	for (size_t k = 0; k < o->ngaz; k++) {
		const char *b = base_of(o->gaz_files[k]);
		size_t bl = strlen(b);

		if (bl > 4 && strcmp(b + bl - 4, ".tsv") == 0)
			bl -= 4;
		L->known = xrealloc(L->known, (L->nknown + 1) *
				    sizeof(*L->known));
		L->known[L->nknown++] = xstrndup(b, bl);
		L->classes_known = 1;
	}
	if (o->ngaz > 0 || o->gaz_dir == NULL ||
	    (dp = opendir(o->gaz_dir)) == NULL)
		return;
	L->classes_known = 1;
	while ((de = readdir(dp)) != NULL) {
		size_t bl = strlen(de->d_name);

		if (bl > 4 && strcmp(de->d_name + bl - 4, ".tsv") == 0) {
			L->known = xrealloc(L->known, (L->nknown + 1) *
					    sizeof(*L->known));
			L->known[L->nknown++] = xstrndup(de->d_name, bl - 4);
		}
	}
	closedir(dp);
}

/*
 * The classes that actions give (`entity QUANTITY from q class=people`)
 * are known too, wherever the rule that gives one stands: a later phase
 * can name them as @people.
 */
static void rule_classes(struct loader *L)
{
	if (!L->classes_known)
		return;
	for (size_t k = 0; k < L->nprules; k++)
		for (size_t a = 0; a < L->prules[k].nacts; a++) {
			const struct piece *p = &L->prules[k].acts[a];
			const char *s = p->s, *e = s + p->n, *c, *b, *t;
			int quoted = 0;

			/* the options as parse_entity() reads them: class=
			 * after a blank, its value quoted or to the next
			 * blank; not inside a quoted template */
			for (c = s; c < e; c++) {
				if (*c == '"') {
					quoted = !quoted;
					continue;
				}
				if (quoted || c == s ||
				    (c[-1] != ' ' && c[-1] != '\t') ||
				    (size_t)(e - c) < strlen("class=") ||
				    memcmp(c, "class=", strlen("class=")) != 0)
					continue;
				b = c + strlen("class=");
				if (b < e && *b == '"') {
					b++;
					t = memchr(b, '"', (size_t)(e - b));
					if (t == NULL)
						t = e;
				} else {
					for (t = b; t < e && *t != ' ' &&
					     *t != '\t' && *t != '\n' &&
					     *t != '\r'; t++)
						;
				}
				if (t > b && !class_known(L, b, (size_t)(t - b))) {
					L->known = xrealloc(L->known,
							    (L->nknown + 1) *
							    sizeof(*L->known));
					L->known[L->nknown++] =
						xstrndup(b, (size_t)(t - b));
				}
				c = t;
				if (c >= e)
					break;
			}
		}
}

struct rules *rules_load(const char **files, size_t nfiles,
			 const struct rules_opts *opts, rules_report_fn report,
			 void *arg)
{
	struct loader L;
	struct rules *r = xcalloc(1, sizeof(*r));
	size_t k;

	memset(&L, 0, sizeof(L));
	L.r = r;
	L.report = report;
	L.arg = arg;
	r->opts = *opts;
	known_classes(&L);
	r->phases = xcalloc(nfiles ? nfiles : 1, sizeof(*r->phases));
	for (k = 0; k < nfiles; k++) {
		char *disp = display_of(files[k]);

		keep(&L, disp);
		r->phases[r->nphases].name = xstrdup(disp);
		r->nphases++;
		read_file(&L, files[k], disp, k, 0, NULL);
	}
	rule_classes(&L);
	for (k = 0; k < L.nprules; k++) {
		size_t before = r->nrules;

		compile_rule(&L, &L.prules[k]);
		(void)before;
	}
	for (k = 0; k < r->nphases; k++) {
		size_t i;

		r->phases[k].first = r->nrules;
		r->phases[k].n = 0;
		for (i = 0; i < r->nrules; i++)
			if (r->rules[i].phase == k) {
				if (r->phases[k].n == 0)
					r->phases[k].first = i;
				r->phases[k].n++;
			}
	}
	for (k = 0; k < L.nprules; k++) {
		free(L.prules[k].name);
		free(L.prules[k].pat);
		free(L.prules[k].acts);
	}
	free(L.prules);
	for (k = 0; k < L.nmacros; k++)
		free(L.macros[k].name);
	free(L.macros);
	for (k = 0; k < L.nlists; k++) {
		free(L.lists[k].name);
		free(L.lists[k].pat);
	}
	free(L.lists);
	for (k = 0; k < L.nseen; k++)
		free(L.seen[k]);
	free(L.seen);
	for (k = 0; k < L.nknown; k++)
		free(L.known[k]);
	free(L.known);
	if (L.nerr == 0)
		fold_prefilters(&L);
	free(L.lith);
	for (k = 0; k < L.nbufs; k++)
		free(L.bufs[k]);
	free(L.bufs);
	if (L.nerr > 0)
		qsort(L.errs, L.nerr, sizeof(*L.errs), cmp_err);
	for (k = 0; k < L.nerr; k++) {
		if (report)
			report(arg, L.errs[k].file, L.errs[k].line,
			       L.errs[k].col, L.errs[k].msg);
		free(L.errs[k].file);
		free(L.errs[k].msg);
	}
	free(L.errs);
	if (L.nerr > 0) {
		rules_free(r);
		return NULL;
	}
	if (r->opts.stats)
		r->stats = xcalloc(r->nrules + 1, sizeof(*r->stats));
	r->scan_cs = rules_scan_build(r->lits, r->nlits, 0, r->mark_at,
				      r->marks);
	r->scan_ci = rules_scan_build(r->lits, r->nlits, 1, r->mark_at,
				      r->marks);
	return r;
}

void rules_free(struct rules *r)
{
	size_t k, a;

	if (r == NULL)
		return;
	for (k = 0; k < r->nrules; k++) {
		struct rule *ru = &r->rules[k];

		free(ru->name);
		free(ru->source);
		free(ru->source_json);
		pcre2_code_free(ru->re);
		for (a = 0; a < ru->nacts; a++) {
			tmpl_free(ru->acts[a].canonical);
			tmpl_free(ru->acts[a].value);
			free(ru->acts[a].cls);
		}
		free(ru->acts);
	}
	free(r->rules);
	free(r->stats);
	for (k = 0; k < r->nphases; k++)
		free(r->phases[k].name);
	free(r->phases);
	for (k = 0; k < r->nclasses; k++)
		free(r->classes[k]);
	free(r->classes);
	for (k = 0; k < r->nprov; k++) {
		free(r->prov[k].head);
		free(r->prov[k].source);
	}
	free(r->prov);
	for (k = 0; k < r->norgd; k++) {
		free(r->orgd[k].head);
		free(r->orgd[k].source);
		free(r->orgd[k].klow);
	}
	free(r->orgd);
	for (k = 0; k < r->nabbr; k++) {
		free(r->abbr[k].word);
		free(r->abbr[k].exp);
		free(r->abbr[k].source);
	}
	free(r->abbr);
	for (k = 0; k < r->nlits; k++)
		free(r->lits[k].s);
	free(r->pf);
	free(r->needb);
	free(r->litonlyb);
	free(r->plainw);
	free(r->typeok);
	free(r->mark_at);
	free(r->marks);
	rules_scan_free(r->scan_cs);
	rules_scan_free(r->scan_ci);
	free(r->lits);
	free(r);
}

size_t rules_count(const struct rules *r)
{
	return r->nrules;
}

size_t rules_phases(const struct rules *r)
{
	return r->nphases;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

size_t rules_default_files(char ***files)
{
	char *dir = data_path("rules");
	struct dirent *de;
	DIR *dp;
	char **v = NULL;
	size_t n = 0;

	*files = NULL;
	if (dir == NULL)
		return 0;
	if ((dp = opendir(dir)) == NULL) {
		free(dir);
		return 0;
	}
	while ((de = readdir(dp)) != NULL) {
		size_t l = strlen(de->d_name);

		if (de->d_name[0] == '_' || de->d_name[0] == '.' || l < 7 ||
		    strcmp(de->d_name + l - 6, ".rules") != 0)
			continue;
		v = xrealloc(v, (n + 1) * sizeof(*v));
		v[n++] = join(dir, de->d_name);
	}
	closedir(dp);
	free(dir);
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_str);
	*files = v;
	return n;
}

void rules_files_free(char **files, size_t n)
{
	for (size_t k = 0; k < n; k++)
		free(files[k]);
	free(files);
}
