/*
 * rules.c: running a loaded rule set over one record (rules.h). Phase by
 * phase: for each sentence, a shadow of its text in which every outermost
 * entity found so far is one private-use character (so {ORG} and @titles
 * are single symbols to PCRE2), every rule whose prefilter passes matched
 * over it, candidates collected; then conflicts resolved in the declared
 * order (docs/rules.md), suppressions applied, relations bound to
 * entities. After the last phase, the document-level step (acronyms
 * glossed inline, the document's place carried into bare level nouns),
 * and the record's "entities" and "relations" rewritten. What overlaps
 * a span or sits exactly at it is found through an index by position, so
 * that a document of hundreds of thousands of entities stays near linear.
 *
 * rules_quick() does the same from the record's line: the input entities
 * read into struct qent without jansson, the output line written from them
 * and the engine's entities, byte-identical to the usual path.
 *
 * The rule set is read-only here; everything a call needs (match data,
 * the shadow, candidates) is allocated per call, so threads may share one
 * rule set. Loading and compiling are rules_parse.c's part.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <utf8proc.h>

#include "jsonparse.h"
#include "rules_int.h"
#include "utf8.h"
#include "values.h"

/*
 * An input entity as rules_quick() read it from the input line, without
 * jansson: where its object is, and its strings unescaped.
 */
struct qent {
	size_t raw, rawn;      /* the object's bytes in the line */
	size_t cat, cend;      /* its "canonical" value's bytes, or 0, 0 */
	size_t idat, idn;      /* its "id" string's bytes, quotes included */
	size_t start, end;     /* code points */
	size_t textat, textn;  /* its "text" string's content bytes */
	int textesc;           /* that content has escapes */
	/* unescaped and NUL-terminated (pointers into the string buffer,
	 * set once it is all read); NULL: absent or not a string */
	const char *id, *type, *canonical, *cls, *source;
	size_t so[5];          /* the same as offsets + 1 while reading */
	int has_canon, has_value; /* the keys are there (of any type) */
};

/* An entity: from the input record, or made by a rule. */
struct ent {
	size_t start, end;     /* code points */
	size_t bs, be;         /* the same in bytes */
	int type;              /* RT_* */
	int cls;               /* class index for placeholders, 0 none */
	json_t *obj;           /* input entity (borrowed), or NULL */
	const struct qent *q;  /* input entity read by rules_quick(), or NULL */
	const struct rule *rule; /* the rule that made it, or NULL */
	int priority;
	size_t order;          /* input entities 0, rules their order + 1 */
	size_t phase;          /* phase that made it (input: 0) */
	char *canonical;       /* owned; NULL: none (input: from obj) */
	char *value;           /* owned or NULL */
	char *clsname;         /* owned or NULL */
	int canon_set;         /* canonical changed for an input entity */
	int value_set;         /* value added to an input entity */
	int removed;
	long replaced_by;      /* the entity that took its place, or -1 */
	long dup_of;           /* candidate: the entity it duplicates */
	int later;             /* candidate of a `later` action */
	size_t pi;             /* candidate: the piece its match was in */
	size_t seq;            /* candidate: the order it was made in */
};

/* A rule that a PCRE2 limit stopped in a piece. */
struct stop {
	const struct rule *ru;
	size_t pi, cs, ce;
	int rc;
};

struct sup {
	size_t start, end;
	int type;              /* -1 for all */
	const struct rule *rule;
};

struct prole {
	int role;
	unsigned types;
	size_t start, end;
	int set;               /* the group took part */
	int each;              /* one relation per nested entity */
};

struct prel {
	const struct rule *rule;
	size_t pi;             /* the piece its match was in */
	int rel;
	struct prole roles[RULES_MAX_ROLES];
	size_t nroles;
};

struct frel {
	const struct rule *rule; /* NULL: from the input */
	json_t *obj;           /* input relation (borrowed) or NULL */
	int rel;
	long args[RULES_MAX_ROLES]; /* entity indices, -1 absent */
};

/*
 * Where spans are: the text cut into buckets of 2^RULES_BUCKET_SHIFT code
 * points, each with the list of the spans that touch it, so that finding
 * what overlaps a span, or what is exactly at it, looks at a few spans
 * near it and not at every span of the record: a record of one very long
 * document (hundreds of thousands of entities) stays near linear. 64 code
 * points is a few words: most entities touch one bucket or two.
 */
#define RULES_BUCKET_SHIFT 6

struct bnode {
	size_t item;           /* entity or suppression index */
	size_t start;          /* its start (code points) */
	size_t next;           /* next node of the bucket + 1; 0 ends */
};

struct bidx {
	size_t *head;          /* per bucket: its first node + 1; 0 none */
	size_t nb, cap_head;
	struct bnode *node;
	size_t nn, cap_node;
};

/* A stretch of the shadow: text copied, or one entity's placeholder. */
struct seg {
	size_t off;            /* shadow byte offset */
	size_t byte;           /* text: byte offset in the record text */
	long ent;              /* entity index, or -1 for text */
};

/* A piece of text matched at once: a sentence, or part of a long one;
 * what is known of its text holds for every phase. */
struct piece {
	size_t cs, ce;         /* code points */
	size_t bs, be;         /* bytes */
	size_t lowoff, lowlen; /* its lower-cased text in lowall */
	int has_ee;            /* holds a byte 0xEE (-1 not known yet) */
	/* what is known of its shadow while its live entities stay as they
	 * are (the entities inside it: sort_live() tells of changes) */
	int clean;             /* types and classes hold */
	int has_shadow;        /* and the shadow is kept, sh_at .. */
	unsigned types;        /* entity types in its shadow */
	uint64_t classes;      /* classes in its shadow */
	size_t sh_at, sh_n;    /* the shadow's bytes in w->shadow, or */
	int sh_text;           /* the shadow is the text itself */
	size_t sg_at, sg_n;    /* its segments in w->segs */
};

struct work {
	const struct rules *r;
	struct doc *d;
	struct ent *e;         /* all entities, input first */
	size_t ne, cap_e;
	struct ent *c;         /* this phase's candidates */
	size_t nc, cap_c;
	struct sup *s;
	size_t ns;
	struct prel *pr;
	size_t npr;
	struct frel *fr;
	size_t nfr;
	size_t *sorted;        /* live entities by start, longest first */
	size_t nsorted;
	size_t nremoved;       /* entities removed so far */
	uint32_t *nlater;      /* per rule, the later actions it took in the
				* record (NULL until one) */
	struct ldone {
		const struct action *ac;
		size_t at, n;  /* the text it took: bytes of the record */
	} *ldone;              /* the later actions taken */
	size_t nldone;
	struct stop *stops;    /* rules stopped by a PCRE2 limit in this
				* phase, told at its end in the order of the
				* pieces */
	size_t nstops;
	size_t sorted_ne, sorted_rm; /* ne and nremoved when sorted was
				      * made, + 1 (0: never) */
	pcre2_match_data *md;
	pcre2_match_context *mc;
	struct buf shadow;     /* the shadows of pieces, one after another */
	const char *sh;        /* the subject: text itself or in shadow */
	size_t shn;
	struct seg *segs;      /* the segments of the shadows kept */
	size_t nsegs, cap_segs;
	const struct seg *sg;  /* the subject's segments */
	size_t nsg;
	struct seg seg1;       /* the one segment of a subject that is text */
	int pieces_ordered;    /* pieces in order, none overlapping: their
				* shadows are kept from phase to phase */
	size_t cs, ce;         /* the piece of text matched, code points */
	size_t bs, be;         /* the same in bytes */
	unsigned types_present;
	uint64_t classes_present;
	uint8_t *satall;       /* per piece of text and rule, the clauses of
				* the rule's prefilter that the literals of
				* the piece satisfy (a bit each; r->satstride
				* bytes a piece); kept across phases (a
				* literal absent from the text is absent from
				* every shadow of it) */
	uint64_t *pfall;       /* per piece, two bit sets of the rules
				* (r->pfwords words each): those whose
				* literals do not rule them out, and of those
				* the ones literals alone let run */
	struct piece *pieces;
	size_t npieces;
	struct piece *pc;      /* the current piece */
	struct buf lowall;     /* lower-cased pieces, for the scan */
	struct {
		struct buf b[2 * RULES_TMPL_SCRATCH];
	} targ;                /* lent to templates for their arguments */
	const char *id;
	/* code point -> byte and byte -> code point of the whole text, so
	 * that each translation is one load; NULL for a text longer than
	 * RULES_MAX_TABLE_TEXT (doc_byte and doc_cp then) */
	uint32_t *c2b, *b2c;
	size_t ncp;
	size_t *tmp;           /* scratch of the merge sort */
	size_t cap_tmp;
	size_t cap_sorted, cap_pieces, cap_satall, cap_pfall, cap_tab;
	size_t shadow_from;    /* the piece's first entity in sorted */
	struct bidx ex, sx;    /* entities and suppressions by position */
	size_t *hits;          /* what a bidx_query found */
	size_t nhits, cap_hits;
	size_t *relh;          /* hash set of the relations found (fr
				* indices + 1, 0 empty), for duplicates */
	size_t nrelh, cap_relh; /* its size this record, and allocated */
	/* rules_quick(): the record as read from its line, not parsed */
	const char *line;      /* the input line, or NULL (parsed record) */
	struct qent *qe;       /* its input entities */
	size_t nqe, cap_qe;
	size_t *qsent;         /* its sentences, pairs of code points */
	size_t nqsent, cap_qsent;
	size_t ents_at, ents_end; /* its "entities" value's bytes, or 0, 0 */
	size_t rec_end;        /* its closing brace */
	struct buf qstr;       /* unescaped strings of the entities */
	struct buf qtext;      /* the text, when it had escapes */
	size_t *qids;          /* hash set of entity ids (qe index + 1) */
	size_t cap_qids;
	struct buf *out;       /* where the output line goes */
	int bail;              /* the record needs a warning: the quick
				* path gives it to the usual one */
	size_t pi;             /* the piece being matched */
	uint64_t *runb;        /* per piece, the rules of the phase to run
				* there (run_phase) */
	size_t cap_runb;
	size_t *ord;           /* scratch of sort_by_piece */
	size_t cap_ord;
	struct work *keep;     /* the thread's buffers it borrows */
	size_t slot;           /* their number */
	size_t ns_before;      /* suppressions before the phase */
};

/*
 * The offset tables cost 8 bytes per byte of text: past this length of
 * text (far beyond any article), translations go through the document's
 * own sparse index instead, so memory stays bounded.
 */
#define RULES_MAX_TABLE_TEXT ((size_t)16 << 20)

/* Most records rules_quick_batch() matches together, and the text past
 * which a record's buffers are not kept for the next batch (but for the
 * first record's): news pages are a few kilobytes, so the other slots
 * keep little, however long a record came their way. */
#define RULES_BATCH_MAX 64
#define RULES_KEEP_TEXT ((size_t)32 << 10)

static void build_offsets(struct work *w)
{
	const unsigned char *p = (const unsigned char *)w->d->text;
	size_t n = w->d->len, i = 0, cp = 0;

	if (n > RULES_MAX_TABLE_TEXT) {
		w->c2b = w->b2c = NULL;
		w->ncp = doc_ncp(w->d);
		return;
	}
	uint32_t *c2b = w->c2b, *b2c = w->b2c;

	while (i < n) {
		size_t l;

		if (p[i] < 0x80) {
			c2b[cp] = (uint32_t)i;
			b2c[i] = (uint32_t)cp;
			i++;
			cp++;
			continue;
		}
		l = utf8_len(p[i]);
		if (l > n - i)
			l = n - i;
		c2b[cp] = (uint32_t)i;
		b2c[i] = (uint32_t)cp;
		for (size_t k = 1; k < l; k++)
			b2c[i + k] = (uint32_t)(cp + 1);
		i += l;
		cp++;
	}
	w->c2b[cp] = (uint32_t)n;
	w->b2c[n] = (uint32_t)cp;
	w->ncp = cp;
}

/* Byte offset of code point cp; code point of byte b (as doc_byte and
 * doc_cp). */
static inline size_t w_byte(const struct work *w, size_t cp)
{
	if (w->c2b == NULL)
		return doc_byte(w->d, cp);
	return cp >= w->ncp ? w->d->len : w->c2b[cp];
}

static inline size_t w_cp(const struct work *w, size_t b)
{
	if (w->b2c == NULL)
		return doc_cp(w->d, b);
	return b >= w->d->len ? w->ncp : w->b2c[b];
}

static void logf_(const struct work *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void logf_(const struct work *w, const char *fmt, ...)
{
	char msg[2048];
	int k;
	va_list ap;

	if (w->r->opts.log == NULL)
		return;
	k = snprintf(msg, sizeof(msg), "record '%s': ", w->id);
	va_start(ap, fmt);
	vsnprintf(msg + k, sizeof(msg) - (size_t)k, fmt, ap);
	va_end(ap);
	w->r->opts.log(msg);
}

#define TRACE(w, ...) \
	do { if ((w)->r->opts.trace) logf_((w), __VA_ARGS__); } while (0)

/* ---- entities ------------------------------------------------------------ */

static const char *type_name(const struct ent *x)
{
	if (x->type < RT_OTHER)
		return rules_type_names[x->type];
	if (x->q)
		return x->q->type;
	return json_string_value(json_object_get(x->obj, "type"));
}

/* Text of [s, e) code points, as (pointer, length). */
static const char *span_text(struct work *w, size_t s, size_t e, size_t *n)
{
	size_t bs = w_byte(w, s), be = w_byte(w, e);

	*n = be - bs;
	return w->d->text + bs;
}

static const char *ent_canon(struct work *w, const struct ent *x,
			     size_t *n)
{
	json_t *c;

	if (x->canonical) {
		*n = strlen(x->canonical);
		return x->canonical;
	}
	if (x->q && x->q->canonical) {
		*n = strlen(x->q->canonical);
		return x->q->canonical;
	}
	if (x->obj && (c = json_object_get(x->obj, "canonical")) &&
	    json_is_string(c)) {
		*n = json_string_length(c);
		return json_string_value(c);
	}
	return span_text(w, x->start, x->end, n);
}

/* An entity's class name ("provinces"), or NULL: a rule's class=, else the
 * input's "class". */
static const char *class_name(const struct ent *x)
{
	if (x->clsname)
		return x->clsname;
	if (x->q)
		return x->q->cls;
	if (x->obj)
		return json_string_value(json_object_get(x->obj, "class"));
	return NULL;
}

/* Is x's canonical form its own text? */
static int canon_is_text(struct work *w, const struct ent *x)
{
	size_t cn, tn;
	const char *c = ent_canon(w, x, &cn), *t = span_text(w, x->start,
							      x->end, &tn);

	return cn == tn && memcmp(c, t, tn) == 0;
}

static const char *source_of(const struct ent *x)
{
	if (x->rule)
		return x->rule->source;
	if (x->q && x->q->source)
		return x->q->source;
	if (x->obj) {
		const char *s = json_string_value(json_object_get(x->obj,
								  "source"));

		if (s)
			return s;
	}
	return "input";
}

static struct ent *push_ent(struct ent **v, size_t *n, size_t *cap)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	memset(&(*v)[*n], 0, sizeof(**v));
	(*v)[*n].replaced_by = -1;
	(*v)[*n].dup_of = -1;
	return &(*v)[(*n)++];
}

/* The class of an input entity: its "class", else the gazetteer file
 * named by its source ("gazetteers/titles.tsv:3" -> titles). */
static int input_class(const struct rules *r, const char *c, const char *s)
{
	const char *b, *dot;

	if (c)
		return rules_class_index(r, c, strlen(c));
	if (s == NULL || strncmp(s, "gazetteers/", 11) != 0)
		return 0;
	b = s + 11;
	dot = strstr(b, ".tsv");
	if (dot == NULL)
		return 0;
	return rules_class_index(r, b, (size_t)(dot - b));
}

static void index_last(struct work *w);

static void load_input(struct work *w)
{
	json_t *a = w->line ? NULL : doc_array(w->d, "entities", 0), *o;
	size_t i, s, e;

	for (i = 0; w->line && i < w->nqe; i++) {
		const struct qent *q = &w->qe[i];
		struct ent *x = push_ent(&w->e, &w->ne, &w->cap_e);

		x->start = q->start;
		x->end = q->end;
		x->bs = w_byte(w, q->start);
		x->be = w_byte(w, q->end);
		x->type = rules_type_index(q->type, strlen(q->type));
		if (x->type < 0)
			x->type = RT_OTHER;
		x->cls = input_class(w->r, q->cls, q->source);
		x->q = q;
		index_last(w);
	}
	json_array_foreach(a, i, o) {
		struct ent *x;
		const char *t = json_string_value(json_object_get(o, "type"));

		if (doc_span(o, &s, &e) < 0 || t == NULL)
			continue;
		x = push_ent(&w->e, &w->ne, &w->cap_e);
		x->start = s;
		x->end = e;
		x->bs = w_byte(w, s);
		x->be = w_byte(w, e);
		x->type = rules_type_index(t, strlen(t));
		if (x->type < 0)
			x->type = RT_OTHER;
		x->cls = input_class(w->r,
			json_string_value(json_object_get(o, "class")),
			json_string_value(json_object_get(o, "source")));
		x->obj = o;
		index_last(w);
	}
}

static int overlaps(size_t s1, size_t e1, size_t s2, size_t e2)
{
	return s1 < e2 && s2 < e1;
}

/* ---- spans by position ----------------------------------------------------- */

static void bidx_reset(struct bidx *ix, size_t ncp)
{
	size_t nb = (ncp >> RULES_BUCKET_SHIFT) + 1;

	if (nb > ix->cap_head) {
		free(ix->head);
		ix->cap_head = 2 * nb;
		ix->head = xmalloc(ix->cap_head * sizeof(*ix->head));
	}
	memset(ix->head, 0, nb * sizeof(*ix->head));
	ix->nb = nb;
	ix->nn = 0;
}

static void bidx_free(struct bidx *ix)
{
	free(ix->head);
	free(ix->node);
}

/* The bucket of code point cp; offsets past the text share the last. */
static inline size_t bucket(const struct bidx *ix, size_t cp)
{
	size_t b = cp >> RULES_BUCKET_SHIFT;

	return b < ix->nb ? b : ix->nb - 1;
}

/* Enter item [s, e) in every bucket it touches (an empty one: in the
 * bucket of s). */
static void bidx_add(struct bidx *ix, size_t item, size_t s, size_t e)
{
	size_t b = bucket(ix, s), last = bucket(ix, e > s ? e - 1 : s);

	for (; b <= last; b++) {
		if (ix->nn == ix->cap_node) {
			ix->cap_node = ix->cap_node ? 2 * ix->cap_node : 256;
			ix->node = xrealloc(ix->node,
					    ix->cap_node * sizeof(*ix->node));
		}
		ix->node[ix->nn] = (struct bnode){ item, s, ix->head[b] };
		ix->head[b] = ++ix->nn;
	}
}

/*
 * Every item that overlaps [s, e) or starts in [s, e], once each (and
 * maybe others: the caller tests), into w->hits in increasing order, so
 * that "the first item that ..." is the first hit that does. An item is
 * taken in the first bucket of the query it is entered in.
 */
static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

static void bidx_query(struct work *w, const struct bidx *ix, size_t s,
		       size_t e)
{
	size_t b0 = bucket(ix, s), b1 = bucket(ix, e), b, k, runs = 0;

	w->nhits = 0;
	for (b = b0; b <= b1; b++) {
		size_t from = w->nhits, i, j;

		for (k = ix->head[b]; k; k = ix->node[k - 1].next) {
			const struct bnode *nd = &ix->node[k - 1];
			size_t nbk = bucket(ix, nd->start);

			if ((nbk > b0 ? nbk : b0) != b)
				continue;
			if (w->nhits == w->cap_hits) {
				w->cap_hits = w->cap_hits ? 2 * w->cap_hits : 64;
				w->hits = xrealloc(w->hits, w->cap_hits *
						   sizeof(*w->hits));
			}
			w->hits[w->nhits++] = nd->item;
		}
		/* items are entered in increasing order, so a bucket lists
		 * them newest first: turned round, a run in order */
		for (i = from, j = w->nhits; i + 1 < j; i++, j--) {
			size_t t = w->hits[i];

			w->hits[i] = w->hits[j - 1];
			w->hits[j - 1] = t;
		}
		runs += w->nhits > from;
	}
	if (runs <= 1)
		return;
	if (w->nhits > 32) {
		qsort(w->hits, w->nhits, sizeof(*w->hits), cmp_size);
		return;
	}
	for (k = 1; k < w->nhits; k++) {
		size_t x = w->hits[k], j = k;

		for (; j > 0 && w->hits[j - 1] > x; j--)
			w->hits[j] = w->hits[j - 1];
		w->hits[j] = x;
	}
}

/* Enter the last entity added (its span now set) in the index. */
static void index_last(struct work *w)
{
	const struct ent *x = &w->e[w->ne - 1];

	bidx_add(&w->ex, w->ne - 1, x->start, x->end);
}

/* Live entity exactly at [s, e) accepting one of types (mask); -1. */
static long exact(struct work *w, size_t s, size_t e, unsigned types)
{
	bidx_query(w, &w->ex, s, s);
	for (size_t k = 0; k < w->nhits; k++) {
		const struct ent *x = &w->e[w->hits[k]];

		if (!x->removed && x->start == s && x->end == e &&
		    (types & (1u << x->type)))
			return (long)w->hits[k];
	}
	return -1;
}

/* The same over the live entities sorted at the phase's start (w->sorted),
 * by binary search: for lookups while matching, when no entity comes or
 * goes. */
/* The first index of w->sorted whose entity starts at s or after. */
static size_t sorted_from(const struct work *w, size_t s)
{
	size_t lo = 0, hi = w->nsorted;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (w->e[w->sorted[mid]].start < s)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static long exact_sorted(const struct work *w, size_t s, size_t e,
			 unsigned types)
{
	size_t lo = sorted_from(w, s);

	for (; lo < w->nsorted && w->e[w->sorted[lo]].start == s; lo++) {
		const struct ent *x = &w->e[w->sorted[lo]];

		if (x->end == e && !x->removed && (types & (1u << x->type)))
			return (long)w->sorted[lo];
	}
	return -1;
}

static void free_ent(struct ent *x)
{
	free(x->canonical);
	free(x->value);
	free(x->clsname);
}

/* ---- the shadow ------------------------------------------------------------- */

/* Entities by start, the longer first, then by index: a total order. */
static inline int ent_before(const struct work *w, size_t a, size_t b)
{
	const struct ent *x = &w->e[a], *y = &w->e[b];

	if (x->start != y->start)
		return x->start < y->start;
	if (x->end != y->end)
		return x->end > y->end;
	return a < b;
}

/*
 * Sort entity indices v[0..n) by ent_before: insertion sort over runs,
 * then merges through w->tmp. Entities mostly come in order already (the
 * input's, and the last phase's), so this is near linear and allocates
 * nothing once the scratch has grown.
 */
#define RULES_SORT_RUN 16
static void sort_ents(struct work *w, size_t *v, size_t n)
{
	size_t i, j, width, *a = v, *b;

	for (i = 0; i < n; i += RULES_SORT_RUN) {
		size_t end = i + RULES_SORT_RUN < n ? i + RULES_SORT_RUN : n;

		for (j = i + 1; j < end; j++) {
			size_t x = v[j], k = j;

			while (k > i && ent_before(w, x, v[k - 1])) {
				v[k] = v[k - 1];
				k--;
			}
			v[k] = x;
		}
	}
	if (n <= RULES_SORT_RUN)
		return;
	if (w->cap_tmp < n) {
		free(w->tmp);
		w->cap_tmp = 2 * n;
		w->tmp = xmalloc(w->cap_tmp * sizeof(*w->tmp));
	}
	b = w->tmp;
	for (width = RULES_SORT_RUN; width < n; width *= 2) {
		for (i = 0; i < n; i += 2 * width) {
			size_t mid = i + width < n ? i + width : n;
			size_t end = i + 2 * width < n ? i + 2 * width : n;
			size_t p = i, q = mid, o = i;

			if (mid == end || !ent_before(w, a[mid], a[mid - 1])) {
				memcpy(b + i, a + i, (end - i) * sizeof(*a));
				continue;
			}
			while (p < mid && q < end)
				b[o++] = ent_before(w, a[q], a[p]) ? a[q++] :
								     a[p++];
			while (p < mid)
				b[o++] = a[p++];
			while (q < end)
				b[o++] = a[q++];
		}
		{
			size_t *t = a;

			a = b;
			b = t;
		}
	}
	if (a != v)
		memcpy(v, a, n * sizeof(*v));
}

static void piece_changed(struct work *w, size_t s, size_t e);

/*
 * The live entities in order (w->sorted). Entities never move and are
 * never brought back once removed, so a list made before stays in order:
 * it loses its removed entities, and the entities made since, sorted, are
 * merged in.
 */
static void sort_live(struct work *w)
{
	size_t i, from = w->sorted_ne ? w->sorted_ne - 1 : 0, n = 0, nn = 0;
	size_t *v, p, q, o;
	/* before the first list no piece has kept anything */
	int tell = w->sorted_ne != 0;

	/* entities never move: the same ones live, the same order */
	if (w->sorted_ne == w->ne + 1 && w->sorted_rm == w->nremoved + 1)
		return;
	if (w->sorted_ne == 0)
		w->nsorted = 0;
	w->sorted_ne = w->ne + 1;
	w->sorted_rm = w->nremoved + 1;
	if (w->ne + 1 > w->cap_sorted) {
		w->cap_sorted = 2 * (w->ne + 1);
		w->sorted = xrealloc(w->sorted,
				     w->cap_sorted * sizeof(*w->sorted));
	}
	v = w->sorted;
	/* what comes and goes changes the shadow of its piece */
	for (i = 0; i < w->nsorted; i++)
		if (!w->e[v[i]].removed)
			v[n++] = v[i];
		else
			piece_changed(w, w->e[v[i]].start, w->e[v[i]].end);
	for (i = from; i < w->ne; i++)
		if (!w->e[i].removed && w->e[i].end > w->e[i].start) {
			v[n + nn++] = i;
			if (tell)
				piece_changed(w, w->e[i].start, w->e[i].end);
		}
	w->nsorted = n + nn;
	sort_ents(w, v + n, nn);
	if (n == 0 || nn == 0 || !ent_before(w, v[n], v[n - 1]))
		return;
	if (w->cap_tmp < n + nn) {
		free(w->tmp);
		w->cap_tmp = 2 * (n + nn);
		w->tmp = xmalloc(w->cap_tmp * sizeof(*w->tmp));
	}
	for (p = 0, q = n, o = 0; p < n && q < n + nn;)
		w->tmp[o++] = ent_before(w, v[q], v[p]) ? v[q++] : v[p++];
	while (p < n)
		w->tmp[o++] = v[p++];
	while (q < n + nn)
		w->tmp[o++] = v[q++];
	memcpy(v, w->tmp, o * sizeof(*v));
}

static void grow_segs(struct work *w)
{
	w->cap_segs = w->cap_segs ? w->cap_segs * 2 : 32;
	w->segs = xrealloc(w->segs, w->cap_segs * sizeof(*w->segs));
}

static inline void add_seg(struct work *w, size_t off, size_t byte, long ent)
{
	if (w->nsegs == w->cap_segs)
		grow_segs(w);
	w->segs[w->nsegs++] = (struct seg){ off, byte, ent };
}

/* Copy text bytes, replacing private-use characters of the placeholder
 * range (as 3-byte U+FFFD, so offsets do not move). */
static void copy_text(struct buf *b, const char *s, size_t n)
{
	size_t i = 0;
	const char *p;

	while (i < n && (p = memchr(s + i, 0xEE, n - i)) != NULL) {
		size_t k = (size_t)(p - s);
		int32_t cp;

		utf8_decode((const unsigned char *)s + k, n - k, &cp);
		buf_add(b, s + i, k - i);
		if (cp >= (int32_t)RULES_PUA && cp < (int32_t)RULES_PUA_END)
			buf_add(b, "\xEF\xBF\xBD", 3);
		else
			buf_add(b, s + k, 3);
		i = k + 3;
	}
	if (i < n)
		buf_add(b, s + i, n - i);
}

/*
 * Start on piece pi: what entity types and classes its shadow holds
 * (what the prefilter needs), without making the shadow itself, which
 * shadow_text() does when a rule is to run. *pos walks the sorted live
 * entities.
 */
static void shadow_masks(struct work *w, size_t pi, size_t *pos)
{
	struct piece *p = &w->pieces[pi];
	size_t cs = p->cs, ce = p->ce, last = cs, k;

	w->pc = p;
	w->cs = cs;
	w->ce = ce;
	w->bs = p->bs;
	w->be = p->be;
	w->nsg = 0;
	w->sh = NULL;
	w->shn = 0;
	while (*pos < w->nsorted && w->e[w->sorted[*pos]].start < cs)
		(*pos)++;
	w->shadow_from = *pos;
	if (p->clean) {
		w->types_present = p->types;
		w->classes_present = p->classes;
		return;
	}
	w->types_present = 0;
	w->classes_present = 0;
	for (k = *pos; k < w->nsorted; k++) {
		const struct ent *x = &w->e[w->sorted[k]];

		if (x->start >= ce)
			break;
		if (x->start < last || x->end > ce)
			continue;
		w->types_present |= 1u << x->type;
		if (x->cls)
			w->classes_present |= (uint64_t)1 << x->cls;
		last = x->end;
	}
	p->types = w->types_present;
	p->classes = w->classes_present;
	p->clean = w->pieces_ordered;
	p->has_shadow = 0;
}

/*
 * The piece that holds [s, e) whole, where pieces are in order: its
 * shadow and masks no longer hold once an entity there comes or goes.
 */
static void piece_changed(struct work *w, size_t s, size_t e)
{
	size_t lo = 0, hi = w->npieces;

	if (!w->pieces_ordered || e <= s)
		return;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (w->pieces[mid].cs <= s)
			lo = mid;
		else
			hi = mid;
	}
	if (lo < w->npieces && w->pieces[lo].cs <= s && e <= w->pieces[lo].ce)
		w->pieces[lo].clean = w->pieces[lo].has_shadow = 0;
}

/* Copy text bytes into the shadow: as they are, or through copy_text()
 * in a piece that holds the lead byte of a placeholder. */
static inline void shadow_copy(struct work *w, int ee, size_t from, size_t to)
{
	if (ee) {
		copy_text(&w->shadow, w->d->text + from, to - from);
	} else {
		memcpy(w->shadow.p + w->shadow.n, w->d->text + from, to - from);
		w->shadow.n += to - from;
	}
}

/*
 * The shadows kept in a record take at most this many times its text (and
 * this much at least): past it they are dropped and made again as needed,
 * so memory stays bounded whatever the phases change.
 */
#define RULES_SHADOW_KEEP 4
#define RULES_SHADOW_KEEP_MIN ((size_t)1 << 20)

/* Drop every shadow kept. */
static void shadows_drop(struct work *w)
{
	for (size_t i = 0; i < w->npieces; i++)
		w->pieces[i].has_shadow = 0;
	buf_reset(&w->shadow);
	w->nsegs = 0;
}

/* Make the shadow of the current piece (shadow_masks) the subject: the
 * one kept for it, or a new one, kept. */
static void shadow_text(struct work *w)
{
	size_t cs = w->cs, ce = w->ce, last = cs, lastb = w->bs, k, at, sg;
	struct piece *p = w->pc;
	int ee;

	if (p->has_shadow) {
		w->sh = p->sh_text ? w->d->text + w->bs :
				     w->shadow.p + p->sh_at;
		w->shn = p->sh_n;
		w->sg = p->sh_text ? &w->seg1 : w->segs + p->sg_at;
		w->nsg = p->sh_text ? 1 : p->sg_n;
		w->seg1 = (struct seg){ 0, w->bs, -1 };
		return;
	}
	if (p->has_ee < 0)
		p->has_ee = memchr(w->d->text + w->bs, 0xEE, w->be - w->bs) !=
			    NULL;
	ee = p->has_ee;
	p->has_shadow = p->clean;
	/* every entity has a type: none present, none to place */
	if (w->types_present == 0 && !ee) {
		w->seg1 = (struct seg){ 0, w->bs, -1 };
		w->sg = &w->seg1;
		w->nsg = 1;
		w->sh = w->d->text + w->bs;
		w->shn = w->be - w->bs;
		p->sh_text = 1;
		p->sh_n = w->shn;
		return;
	}
	/* a placeholder (3 bytes) stands for at least one byte of text */
	buf_grow(&w->shadow, 3 * (w->be - w->bs) + 4);
	at = w->shadow.n;
	sg = w->nsegs;
	for (k = w->shadow_from; k < w->nsorted; k++) {
		const struct ent *x = &w->e[w->sorted[k]];
		size_t xb;
		unsigned cp;
		char *o;

		if (x->start >= ce)
			break;
		if (x->start < last || x->end > ce)
			continue;
		xb = x->bs;
		add_seg(w, w->shadow.n - at, lastb, -1);
		shadow_copy(w, ee, lastb, xb);
		add_seg(w, w->shadow.n - at, xb, (long)w->sorted[k]);
		cp = RULES_PUA + (unsigned)x->type * RULES_PUA_STRIDE +
		     (unsigned)x->cls;
		o = w->shadow.p + w->shadow.n;
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		w->shadow.n += 3;
		last = x->end;
		lastb = x->be;
	}
	add_seg(w, w->shadow.n - at, lastb, -1);
	shadow_copy(w, ee, lastb, w->be);
	w->shadow.p[w->shadow.n] = '\0';
	w->sh = w->shadow.p + at;
	w->shn = w->shadow.n - at;
	w->sg = w->segs + sg;
	w->nsg = w->nsegs - sg;
	p->sh_text = 0;
	p->sh_at = at;
	p->sh_n = w->shn;
	p->sg_at = sg;
	p->sg_n = w->nsg;
	/* the NUL is no part of the next one */
	w->shadow.n++;
}

/* Make the plain text of the current piece the subject, for plain rules. */
static void plain_subject(struct work *w)
{
	w->seg1 = (struct seg){ 0, w->bs, -1 };
	w->sg = &w->seg1;
	w->nsg = 1;
	w->sh = w->d->text + w->bs;
	w->shn = w->be - w->bs;
}

/* Code point of shadow byte offset off. */
static inline size_t map_off(struct work *w, size_t off)
{
	size_t lo = 0, hi = w->nsg;
	const struct seg *g;

	if (off >= w->shn)
		return w->ce;
	/* the text itself */
	if (hi == 1)
		return w_cp(w, w->sg[0].byte + off);
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (w->sg[mid].off <= off)
			lo = mid;
		else
			hi = mid;
	}
	/* empty text segments share an offset with what follows */
	while (lo + 1 < w->nsg && w->sg[lo + 1].off == off)
		lo++;
	g = &w->sg[lo];
	if (g->ent >= 0)
		return w->e[g->ent].start;
	return w_cp(w, g->byte + (off - g->off));
}

/* ---- prefilter ------------------------------------------------------------------ */

/* The lower-cased text of piece p, into lowall. */
static void piece_lower(struct work *w, struct piece *p)
{
	p->lowoff = w->lowall.n;
	values_lower(w->d->text + p->bs, p->be - p->bs, &w->lowall);
	p->lowlen = w->lowall.n - p->lowoff;
}

/* Whether a rule that its literals do not rule out may match in the
 * current piece: every clause of its prefilter that no literal satisfies
 * (sat, the piece's bits for the rule) holds by an entity type or class
 * present. */
static inline int prefilter_ok(struct work *w, const struct rule_pf *pf,
			       unsigned sat)
{
	unsigned miss = pf->need & ~sat;

	if (miss == 0)
		return 1;
	do {
		unsigned k = (unsigned)__builtin_ctz(miss);

		if (!(w->types_present & pf->tmask[k]) &&
		    !(w->classes_present & pf->cmask[k]))
			return 0;
		miss &= miss - 1;
	} while (miss);
	return 1;
}

/* ---- one match --------------------------------------------------------------------- */

/* Groups whose spans a match keeps once mapped (actions, roles and
 * templates ask for the same groups again); the others are mapped at
 * each ask. */
#define RULES_SPAN_CACHE 64

struct m {
	struct work *w;
	const struct rule *ru;
	PCRE2_SIZE *ov;
	int npairs;
	size_t first_cand;     /* candidates made by this match start here */
	uint64_t have;         /* groups of span[] mapped for this match */
	size_t span[RULES_SPAN_CACHE][2]; /* their code points */
};

static int group_span(struct m *m, int g, size_t *s, size_t *e)
{
	if (g >= m->npairs || m->ov[2 * g] == PCRE2_UNSET)
		return 0;
	if (g < RULES_SPAN_CACHE && (m->have >> g & 1)) {
		*s = m->span[g][0];
		*e = m->span[g][1];
	} else {
		*s = map_off(m->w, m->ov[2 * g]);
		*e = map_off(m->w, m->ov[2 * g + 1]);
		if (g < RULES_SPAN_CACHE) {
			m->span[g][0] = *s;
			m->span[g][1] = *e;
			m->have |= (uint64_t)1 << g;
		}
	}
	return *e >= *s;
}

static int env_text(void *arg, int g, const char **s, size_t *n)
{
	struct m *m = arg;
	size_t a, b;

	if (!group_span(m, g, &a, &b))
		return 0;
	*s = span_text(m->w, a, b, n);
	return 1;
}

static int env_canon(void *arg, int g, const char **s, size_t *n)
{
	struct m *m = arg;
	struct work *w = m->w;
	size_t a, b, k;
	long x;

	if (!group_span(m, g, &a, &b))
		return 0;
	for (k = w->nc; k-- > m->first_cand;)
		if (w->c[k].start == a && w->c[k].end == b &&
		    w->c[k].canonical) {
			*s = w->c[k].canonical;
			*n = strlen(*s);
			return 1;
		}
	x = exact_sorted(w, a, b, (1u << RT_ORG) | (1u << RT_TITLE) |
			 (1u << RT_LOC));
	if (x < 0)
		x = exact_sorted(w, a, b, ~0u);
	if (x >= 0) {
		*s = ent_canon(w, &w->e[x], n);
		return 1;
	}
	*s = span_text(w, a, b, n);
	return 1;
}

static char *eval(struct m *m, const struct tmpl *t, int *failed)
{
	struct tmpl_env env = { m, m->w->targ.b, env_text, env_canon };
	struct buf b = BUF_INIT;

	*failed = 0;
	if (tmpl_eval(t, &env, &b) < 0 || b.n == 0) {
		*failed = 1;
		buf_release(&b);
		return NULL;
	}
	return b.p;
}

/* Most `later` actions one rule takes in one record (counted per rule,
 * so that the order rules run in does not matter). */
#define RULES_MAX_LATER 64

/*
 * A candidate entity of action ac at s..e (code points), taking canon and
 * value (either NULL). An ORG, TITLE or LOC without a canonical form takes
 * that of the entity found earlier with exactly its span, else its text.
 */
/*
 * The text of s..e as a canonical form, owned; in an ORG, the acronyms
 * the org_acronyms gazetteer found inside it written out, capitalised
 * (Đảng bộ Cơ quan LĐLĐ tỉnh -> Đảng bộ Cơ quan Liên đoàn Lao động tỉnh,
 * Ban Chấp hành CĐCS Công ty X -> Ban Chấp hành Công đoàn cơ sở Công ty
 * X), as the guidelines want acronyms expanded.
 */
static char *text_expanded(struct work *w, int type, size_t s, size_t e)
{
	struct buf b = BUF_INIT, up = BUF_INIT;
	size_t lo, at = s, n;
	const char *t;
	int any = 0;

	if (type == RT_ORG) {
		for (lo = sorted_from(w, s); lo < w->nsorted && w->e[w->sorted[lo]].start < e; lo++) {
			const struct ent *y = &w->e[w->sorted[lo]];
			const char *cls = class_name(y), *c;
			size_t cn;

			if (y->removed || y->type != RT_ORG || y->end > e ||
			    y->start < at || (y->start == s && y->end == e) ||
			    cls == NULL || strcmp(cls, "org_acronyms") != 0)
				continue;
			t = span_text(w, at, y->start, &n);
			buf_add(&b, t, n);
			c = ent_canon(w, y, &cn);
			buf_reset(&up);
			values_upperfirst(c, cn, &up);
			buf_add(&b, up.p, up.n);
			at = y->end;
			any = 1;
		}
	}
	t = span_text(w, at, e, &n);
	if (!any) {
		buf_release(&up);
		return xstrndup(t, n);
	}
	buf_add(&b, t, n);
	buf_release(&up);
	return b.p;
}

static void add_cand(struct m *m, const struct action *ac, size_t s,
		     size_t e, char *canon, char *value)
{
	struct work *w = m->w;
	const struct rule *ru = m->ru;
	struct ent *x = push_ent(&w->c, &w->nc, &w->cap_c);

	x->start = s;
	x->end = e;
	x->bs = w_byte(w, s);
	x->be = w_byte(w, e);
	x->type = ac->type;
	x->rule = ru;
	x->priority = ru->priority;
	x->order = ru->order + 1;
	x->phase = ru->phase;
	x->pi = w->pi;
	x->seq = w->nc - 1;
	x->canonical = canon;
	x->value = value;
	if (x->canonical == NULL &&
	    (x->type == RT_ORG || x->type == RT_TITLE || x->type == RT_LOC)) {
		size_t n;
		const char *c;
		long ex = exact_sorted(w, s, e, 1u << x->type);

		if (ex < 0)
			ex = exact_sorted(w, s, e, ~0u);
		if (ex >= 0) {
			c = ent_canon(w, &w->e[ex], &n);
			x->canonical = xstrndup(c, n);
		} else {
			x->canonical = text_expanded(w, x->type, s, e);
		}
	}
	if (ac->cls) {
		x->clsname = xstrdup(ac->cls);
		/* @class placeholders see rule entities by class too */
		x->cls = rules_class_index(w->r, ac->cls, strlen(ac->cls));
	}
}

/* Is the code point before (before != 0) or at byte i of s[0..n) a letter
 * (or, with digits, a digit)? */
static int word_char_at(const char *s, size_t n, size_t i, int before,
			int digits)
{
	int32_t cp;
	utf8proc_category_t c;

	if (before) {
		if (i == 0)
			return 0;
		while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
			i--;
		i--;
	}
	if (i >= n)
		return 0;
	utf8_decode((const unsigned char *)s + i, n - i, &cp);
	if (cp < 0)
		return 0;
	c = utf8proc_category(cp);
	return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
	       (digits && c >= UTF8PROC_CATEGORY_ND &&
		c <= UTF8PROC_CATEGORY_NO);
}

/*
 * later TYPE from GROUP: a candidate at every occurrence of the group's
 * text, as a whole word, from the end of the match to the end of the
 * record (an acronym glossed after its full name, used alone further
 * on). anywhere TYPE from GROUP: at every occurrence in the record but
 * those inside the match (a commune named with its level, xã Cốc Đán,
 * and by its name alone in a school's, Trường Mầm non Cốc Đán, before or
 * after). Each occurrence takes a copy of canon and value, which are
 * freed. At most RULES_MAX_LATER such actions per rule and record, so
 * that a text of many glosses stays linear.
 */
static void later(struct m *m, const struct action *ac, size_t s, size_t e,
		  char *canon, char *value)
{
	struct work *w = m->w;
	const char *text = w->d->text, *p;
	size_t n = w->d->len, ws = w_byte(w, s), wn = w_byte(w, e) - ws;
	size_t from, ms, me, mbs, mbe, k = 0;

	/* the action took this text before: the first gloss of an acronym
	 * holds for the rest of the record, and its candidates already
	 * cover every later occurrence */
	for (size_t i = 0; i < w->nldone; i++)
		if (w->ldone[i].ac == ac && w->ldone[i].n == wn &&
		    memcmp(text + w->ldone[i].at, text + ws, wn) == 0) {
			TRACE(w, "rule %s: '%.*s' at %zu-%zu taken before",
			      m->ru->name, (int)wn, text + ws, s, e);
			goto out;
		}
	if (w->nlater == NULL)
		w->nlater = xcalloc(w->r->nrules + 1, sizeof(*w->nlater));
	if (w->nlater[m->ru->order] >= RULES_MAX_LATER) {
		TRACE(w, "rule %s: more than %d later-mentions in the "
		      "record; %zu-%zu skipped", m->ru->name, RULES_MAX_LATER,
		      s, e);
		goto out;
	}
	w->nlater[m->ru->order]++;
	if ((w->nldone & (w->nldone - 1)) == 0)
		w->ldone = xrealloc(w->ldone, (w->nldone ? 2 * w->nldone : 4) *
				    sizeof(*w->ldone));
	w->ldone[w->nldone++] = (struct ldone){ ac, ws, wn };
	if (!group_span(m, 0, &ms, &me))
		goto out;
	mbs = w_byte(w, ms);
	mbe = w_byte(w, me);
	from = ac->kind == ACT_ANYWHERE ? 0 : mbe;
	for (p = text + from; wn > 0 && from < n &&
	     (p = memmem(p, n - (size_t)(p - text), text + ws, wn)) != NULL;
	     p++) {
		size_t at = (size_t)(p - text);

		if (at < mbe && at + wn > mbs)
			continue;
		if (word_char_at(text, n, at, 1, 1) ||
		    word_char_at(text, n, at + wn, 0, 1))
			continue;
		add_cand(m, ac, w_cp(w, at), w_cp(w, at + wn),
			 canon ? xstrdup(canon) : NULL,
			 value ? xstrdup(value) : NULL);
		w->c[w->nc - 1].later = 1;
		k++;
	}
	TRACE(w, "rule %s: '%.*s' at %zu-%zu again %zu times %s",
	      m->ru->name, (int)wn, text + ws, s, e, k,
	      ac->kind == ACT_ANYWHERE ? "in the record" : "later");
out:
	free(canon);
	free(value);
}

static void do_match(struct m *m)
{
	struct work *w = m->w;
	const struct rule *ru = m->ru;
	size_t s, e, a;
	int failed;

	m->first_cand = w->nc;
	if (w->r->opts.trace && group_span(m, 0, &s, &e)) {
		size_t n;
		const char *t = span_text(w, s, e, &n);

		logf_(w, "rule %s (%s) matched %zu-%zu '%.*s'", ru->name,
		      ru->source, s, e, (int)n, t);
	}
	for (a = 0; a < ru->nacts; a++) {
		const struct action *ac = &ru->acts[a];

		if (ac->kind == ACT_ENTITY || ac->kind == ACT_LATER ||
		    ac->kind == ACT_ANYWHERE) {
			char *canon = NULL, *value = NULL;

			if (!group_span(m, ac->group, &s, &e) || s == e)
				continue;
			if (ac->canonical) {
				canon = eval(m, ac->canonical, &failed);
				if (failed)
					TRACE(w, "rule %s: canonical of %zu-%zu "
					      "is empty or unreadable; default "
					      "used", ru->name, s, e);
			}
			if (ac->value) {
				value = eval(m, ac->value, &failed);
				if (failed)
					TRACE(w, "rule %s: value of %zu-%zu "
					      "cannot be read; left out",
					      ru->name, s, e);
			}
			if (ac->kind == ACT_ENTITY)
				add_cand(m, ac, s, e, canon, value);
			else
				later(m, ac, s, e, canon, value);
		} else if (ac->kind == ACT_SUPPRESS) {
			if (!group_span(m, ac->group, &s, &e))
				continue;
			if ((w->ns & (w->ns - 1)) == 0)
				w->s = xrealloc(w->s, (w->ns ? w->ns * 2 : 8) *
						sizeof(*w->s));
			w->s[w->ns++] = (struct sup){ s, e, ac->type, ru };
			bidx_add(&w->sx, w->ns - 1, s, e);
		} else {
			struct prel *p;

			if ((w->npr & (w->npr - 1)) == 0)
				w->pr = xrealloc(w->pr, (w->npr ? w->npr * 2 : 8) *
						 sizeof(*w->pr));
			p = &w->pr[w->npr++];
			memset(p, 0, sizeof(*p));
			p->rule = ru;
			p->pi = w->pi;
			p->rel = ac->rel;
			p->nroles = ac->nroles;
			for (size_t k = 0; k < ac->nroles; k++) {
				p->roles[k].role = ac->roles[k].role;
				p->roles[k].types = ac->roles[k].types;
				p->roles[k].each = ac->roles[k].each;
				p->roles[k].set = group_span(m,
					ac->roles[k].group, &p->roles[k].start,
					&p->roles[k].end);
			}
		}
	}
}

static int limit_error(int rc)
{
	return rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	       rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT;
}

static void match_rule(struct work *w, const struct rule *ru);

/*
 * Put v[0..m) (elements of size sz, each with its piece at offset off) in
 * the order of their pieces, stably: the order in which matching piece by
 * piece would have made them.
 */
static void sort_by_piece(struct work *w, void *v, size_t m, size_t sz,
			  size_t off)
{
	char *b = v, *tmp;
	size_t i, maxpi = 0, *cnt;
	int sorted = 1;

	for (i = 0; i < m; i++) {
		size_t pi = *(const size_t *)(b + i * sz + off);

		if (i > 0 && pi < *(const size_t *)(b + (i - 1) * sz + off))
			sorted = 0;
		if (pi > maxpi)
			maxpi = pi;
	}
	if (sorted)
		return;
	/* a counting sort: the counts, then the elements copied out */
	if (w->cap_ord < maxpi + 2) {
		w->cap_ord = 2 * (maxpi + 2);
		w->ord = xrealloc(w->ord, w->cap_ord * sizeof(*w->ord));
	}
	cnt = w->ord;
	memset(cnt, 0, (maxpi + 2) * sizeof(*cnt));
	for (i = 0; i < m; i++)
		cnt[*(const size_t *)(b + i * sz + off) + 1]++;
	for (i = 1; i <= maxpi + 1; i++)
		cnt[i] += cnt[i - 1];
	tmp = xmalloc(m * sz);
	for (i = 0; i < m; i++)
		memcpy(tmp + cnt[*(const size_t *)(b + i * sz + off)]++ * sz,
		       b + i * sz, sz);
	memcpy(b, tmp, m * sz);
	free(tmp);
}

/* Tell the rules the limits stopped (a warning in the record and a line
 * on the log), in the order of their pieces: the order matching piece by
 * piece meets them. */
static void tell_stops(struct work *w)
{
	sort_by_piece(w, w->stops, w->nstops, sizeof(*w->stops),
		      offsetof(struct stop, pi));
	for (size_t i = 0; i < w->nstops; i++) {
		const struct stop *s = &w->stops[i];
		PCRE2_UCHAR msg[128];

		pcre2_get_error_message(s->rc, msg, sizeof(msg));
		doc_warn(w->d, "rules: rule '%s' stopped in text %zu-%zu: %s",
			 s->ru->name, s->cs, s->ce, (char *)msg);
		logf_(w, "rule '%s' (%s) stopped in text %zu-%zu: %s%s",
		      s->ru->name, s->ru->source, s->cs, s->ce, (char *)msg,
		      limit_error(s->rc) ? "; its matches there are skipped" :
		      "");
	}
	w->nstops = 0;
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL +
	       (unsigned long long)ts.tv_nsec;
}

#define STAT(w, ru, field, n) \
	do { if ((w)->r->stats) atomic_fetch_add_explicit( \
		&(w)->r->stats[(ru)->order].field, (n), \
		memory_order_relaxed); } while (0)

static void run_rule(struct work *w, const struct rule *ru)
{
	unsigned long long t0;

	if (w->r->stats == NULL) {
		match_rule(w, ru);
		return;
	}
	t0 = now_ns();
	match_rule(w, ru);
	STAT(w, ru, runs, 1);
	STAT(w, ru, ns, now_ns() - t0);
}

static void match_rule(struct work *w, const struct rule *ru)
{
	PCRE2_SIZE start = 0;
	struct m m;
	int rc;

	while (start <= w->shn) {
		if (ru->jit)
			rc = pcre2_jit_match(ru->re, (PCRE2_SPTR)w->sh, w->shn,
					     start, 0, w->md, w->mc);
		else
			rc = pcre2_match(ru->re, (PCRE2_SPTR)w->sh, w->shn,
					 start, PCRE2_NO_UTF_CHECK, w->md,
					 w->mc);
		if (rc == PCRE2_ERROR_NOMATCH)
			return;
		if (rc < 0) {
			if (w->line) {
				/* the warning goes into the record: the
				 * usual path does this record again */
				w->bail = 1;
				return;
			}
			if ((w->nstops & (w->nstops - 1)) == 0)
				w->stops = xrealloc(w->stops, (w->nstops ?
						    2 * w->nstops : 4) *
						    sizeof(*w->stops));
			w->stops[w->nstops++] = (struct stop){ ru, w->pi,
							       w->cs, w->ce,
							       rc };
			/* with --trace the pieces go one by one: told now,
			 * among the trace's lines */
			if (w->r->opts.trace)
				tell_stops(w);
			return;
		}
		m.w = w;
		m.ru = ru;
		m.ov = pcre2_get_ovector_pointer(w->md);
		m.npairs = rc;
		m.first_cand = 0;
		m.have = 0;
		STAT(w, ru, matches, 1);
		do_match(&m);
		if (m.ov[1] > m.ov[0]) {
			start = m.ov[1];
		} else {
			if (m.ov[1] >= w->shn)
				return;
			start = m.ov[1] + utf8_len((unsigned char)w->sh[m.ov[1]]);
		}
	}
}

/* ---- conflicts ------------------------------------------------------------------------ */

/* Declared order: longer span, then higher priority, then earlier rule
 * (input entities first), then earlier start. < 0 if x goes first. */
static int rank(const struct ent *x, const struct ent *y)
{
	size_t lx = x->end - x->start, ly = y->end - y->start;

	if (lx != ly)
		return lx > ly ? -1 : 1;
	if (x->priority != y->priority)
		return x->priority > y->priority ? -1 : 1;
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return 0;
}

static const char *why(const struct ent *win, const struct ent *lose)
{
	if (win->end - win->start != lose->end - lose->start)
		return "longer span";
	if (win->priority != lose->priority)
		return "higher priority";
	return "earlier rule";
}

/* The declared order, then type; then, for candidates of one rule at
 * one span (found again by later matches), the order matching piece by
 * piece makes them in: their piece, then the order they were made. A
 * total order, so the result does not depend on the order rules ran in. */
static int cmp_cand(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;
	int r = rank(x, y);

	if (r)
		return r;
	if (x->type != y->type)
		return x->type - y->type;
	if (x->pi != y->pi)
		return x->pi < y->pi ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* May x and y overlap? Only a LOC inside an ORG (ANNOTATION.md). */
static int nest_ok(const struct ent *x, const struct ent *y)
{
	if (x->type == RT_LOC && y->type == RT_ORG)
		return x->start >= y->start && x->end <= y->end &&
		       x->end - x->start < y->end - y->start;
	if (x->type == RT_ORG && y->type == RT_LOC)
		return nest_ok(y, x);
	return 0;
}

static int suppressed(struct work *w, const struct ent *x,
		      const struct rule **by)
{
	bidx_query(w, &w->sx, x->start, x->end);
	for (size_t h = 0; h < w->nhits; h++) {
		size_t k = w->hits[h];

		if ((w->s[k].type < 0 || w->s[k].type == x->type) &&
		    overlaps(x->start, x->end, w->s[k].start, w->s[k].end)) {
			*by = w->s[k].rule;
			return 1;
		}
	}
	return 0;
}

static void trace_lost(struct work *w, const struct ent *c,
		       const struct ent *win, const char *reason)
{
	size_t n1, n2;
	const char *t1, *t2;

	if (!w->r->opts.trace)
		return;
	t1 = span_text(w, c->start, c->end, &n1);
	t2 = span_text(w, win->start, win->end, &n2);
	logf_(w, "%s %zu-%zu '%.*s' (%s) lost to %s %zu-%zu '%.*s' (%s): %s",
	      type_name(c), c->start, c->end, (int)n1, t1, source_of(c),
	      type_name(win), win->start, win->end, (int)n2, t2,
	      source_of(win), reason);
}

static void trace_suppressed(struct work *w, const struct ent *c,
			     const struct rule *by)
{
	size_t n;
	const char *t;

	if (!w->r->opts.trace)
		return;
	t = span_text(w, c->start, c->end, &n);
	logf_(w, "%s %zu-%zu '%.*s' (%s) suppressed by rule %s", type_name(c),
	      c->start, c->end, (int)n, t, source_of(c), by->name);
}

static void resolve(struct work *w, size_t ns_before)
{
	size_t i, k;
	const struct rule *by;

	/* suppressions made in this phase remove what was found before */
	for (k = ns_before; k < w->ns; k++) {
		bidx_query(w, &w->ex, w->s[k].start, w->s[k].end);
		for (size_t h = 0; h < w->nhits; h++) {
			struct ent *x = &w->e[w->hits[h]];

			if (x->removed || (w->s[k].type >= 0 &&
					   w->s[k].type != x->type) ||
			    !overlaps(x->start, x->end, w->s[k].start,
				      w->s[k].end))
				continue;
			x->removed = 1;
			w->nremoved++;
			trace_suppressed(w, x, w->s[k].rule);
		}
	}
	if (w->nc > 1)
		qsort(w->c, w->nc, sizeof(*w->c), cmp_cand);
	for (i = 0; i < w->nc; i++) {
		struct ent *c = &w->c[i];
		long dup, lost = -1;

		if (suppressed(w, c, &by)) {
			trace_suppressed(w, c, by);
			free_ent(c);
			continue;
		}
		/* what overlaps it holds what is exactly at it, in the same
		 * order (exact()): one query for both */
		bidx_query(w, &w->ex, c->start, c->end);
		dup = -1;
		for (size_t h = 0; h < w->nhits && dup < 0; h++) {
			const struct ent *x = &w->e[w->hits[h]];

			if (!x->removed && x->start == c->start &&
			    x->end == c->end && x->type == c->type)
				dup = (long)w->hits[h];
		}
		if (dup >= 0) {
			struct ent *x = &w->e[dup];

			/* the entity found before stays; a canonical or value
			 * it lacks is taken from the rule, and so is the
			 * expansion of an acronym whose canonical form is
			 * only its text */
			if (c->later && c->canonical &&
			    canon_is_text(w, x)) {
				free(x->canonical);
				x->canonical = c->canonical;
				c->canonical = NULL;
				x->canon_set = x->obj != NULL || x->q != NULL;
				TRACE(w, "%s %zu-%zu canonical '%s' from rule %s",
				      type_name(x), x->start, x->end,
				      x->canonical, c->rule->name);
			}
			if (c->canonical && x->canonical == NULL &&
			    !(x->obj && json_object_get(x->obj, "canonical")) &&
			    !(x->q && x->q->has_canon)) {
				x->canonical = c->canonical;
				c->canonical = NULL;
				x->canon_set = x->obj != NULL || x->q != NULL;
			}
			if (c->value && x->value == NULL &&
			    !(x->obj && json_object_get(x->obj, "value")) &&
			    !(x->q && x->q->has_value)) {
				x->value = c->value;
				c->value = NULL;
				x->value_set = x->obj != NULL || x->q != NULL;
			}
			trace_lost(w, c, x, "same span and type");
			STAT(w, c->rule, lost, 1);
			free_ent(c);
			continue;
		}
		for (size_t h = 0; h < w->nhits && lost < 0; h++) {
			struct ent *x = &w->e[w->hits[h]];

			k = w->hits[h];
			if (x->removed || !overlaps(c->start, c->end, x->start,
						    x->end) || nest_ok(c, x))
				continue;
			if (x->rule && x->phase == c->phase) {
				lost = (long)k;   /* ranked ahead already */
			} else if (x->type == c->type && c->start <= x->start &&
				   c->end >= x->end) {
				continue;         /* replaced below */
			} else if (rank(x, c) < 0) {
				lost = (long)k;
			}
		}
		if (lost >= 0) {
			const struct ent *x = &w->e[lost];

			trace_lost(w, c, x, x->rule && x->phase == c->phase ?
				   why(x, c) : why(x, c));
			free_ent(c);
			continue;
		}
		/* c wins: what it overlaps (outside the nesting) goes */
		for (size_t h = 0; h < w->nhits; h++) {
			struct ent *x = &w->e[w->hits[h]];

			if (x->removed || !overlaps(c->start, c->end, x->start,
						    x->end) || nest_ok(c, x))
				continue;
			x->removed = 1;
			w->nremoved++;
			if (x->type == c->type && c->start <= x->start &&
			    c->end >= x->end) {
				x->replaced_by = (long)w->ne;
				trace_lost(w, x, c, "contained in a later "
					   "entity of its type");
			} else {
				trace_lost(w, x, c, why(c, x));
			}
		}
		STAT(w, c->rule, kept, 1);
		*push_ent(&w->e, &w->ne, &w->cap_e) = *c;
		w->e[w->ne - 1].replaced_by = -1;
		index_last(w);
	}
	w->nc = 0;
}

/*
 * Input entities of one type that overlap (two gazetteer classes matching
 * "Đoàn Chủ tịch" and "Đoàn Chủ tịch Tổng LĐLĐ Việt Nam"): ANNOTATION.md
 * nests nothing but a LOC in an ORG, so the first in the declared order
 * stays, as it would among candidates.
 */
static void resolve_input(struct work *w)
{
	for (size_t i = 0; i < w->ne; i++) {
		bidx_query(w, &w->ex, w->e[i].start, w->e[i].end);
		for (size_t h = 0; h < w->nhits && !w->e[i].removed; h++) {
			size_t k = w->hits[h];
			struct ent *x = &w->e[i], *y = &w->e[k];

			if (k == i || y->removed || y->type != x->type ||
			    !overlaps(x->start, x->end, y->start, y->end) ||
			    rank(y, x) >= 0)
				continue;
			x->removed = 1;
			w->nremoved++;
			if (y->start <= x->start && y->end >= x->end)
				x->replaced_by = (long)k;
			trace_lost(w, x, y, why(y, x));
		}
	}
}

/* All the live entities of the role's types strictly inside [s, e), in
 * text order, into out[0..max); their number. */
static size_t nested_all(struct work *w, size_t s, size_t e, unsigned types,
			 long *out, size_t max)
{
	size_t n = 0;

	bidx_query(w, &w->ex, s, e);
	for (size_t h = 0; h < w->nhits && n < max; h++) {
		size_t i = w->hits[h], k;
		const struct ent *y = &w->e[i];

		if (y->removed || !(types & (1u << y->type)) ||
		    y->start < s || y->end > e || y->end - y->start >= e - s)
			continue;
		/* a few entities at most: insertion by start */
		for (k = n; k > 0 && w->e[out[k - 1]].start > y->start; k--)
			out[k] = out[k - 1];
		out[k] = (long)i;
		n++;
	}
	return n;
}

/* The one live entity of the role's types strictly inside [s, e); -1 if
 * none or several. */
static long nested_in(struct work *w, size_t s, size_t e, unsigned types)
{
	long xs[2];

	return nested_all(w, s, e, types, xs, 2) == 1 ? xs[0] : -1;
}

/* The live entity a role binds to, following replacements; -1. A group
 * over an entity of another type binds the role to the one entity of the
 * role's type nested in it (loc=o over the ORG "LĐLĐ tỉnh Lạng Sơn" is
 * its LOC "Lạng Sơn"); *nested (if not NULL) then says so. */
static long bind_role(struct work *w, const struct prole *ro, int *nested)
{
	long x = exact_sorted(w, ro->start, ro->end, ro->types);

	if (nested)
		*nested = 0;
	if (x >= 0)
		return x;
	bidx_query(w, &w->ex, ro->start, ro->start);
	for (size_t h = 0; h < w->nhits && x < 0; h++) {
		size_t i = w->hits[h];

		if (w->e[i].start == ro->start && w->e[i].end == ro->end &&
		    (ro->types & (1u << w->e[i].type)))
			x = (long)i;
	}
	if (x < 0 && exact(w, ro->start, ro->end, ~0u) >= 0) {
		if (nested)
			*nested = 1;
		return nested_in(w, ro->start, ro->end, ro->types);
	}
	if (x >= 0 && w->e[x].removed) {
		long live = exact(w, ro->start, ro->end, ro->types);

		if (live >= 0)
			return live;
	}
	while (x >= 0 && w->e[x].removed)
		x = w->e[x].replaced_by;
	if (x >= 0 && !(ro->types & (1u << w->e[x].type)))
		return -1;
	return x;
}

static size_t rel_hash(const struct frel *f)
{
	uint64_t h = (uint64_t)f->rel * 0x9E3779B97F4A7C15ull;

	for (size_t k = 0; k < RULES_MAX_ROLES; k++)
		h = (h ^ (uint64_t)(f->args[k] + 1)) * 0x100000001B3ull;
	return (size_t)(h ^ (h >> 29));
}

/* The slot of relation f in the set: where it is, or the empty slot
 * where it goes. */
static size_t *rel_slot(struct work *w, const struct frel *f)
{
	size_t mask = w->nrelh - 1, i = rel_hash(f) & mask;

	for (;; i = (i + 1) & mask) {
		const struct frel *g;

		if (w->relh[i] == 0)
			return &w->relh[i];
		g = &w->fr[w->relh[i] - 1];
		if (g->rel == f->rel &&
		    memcmp(g->args, f->args, sizeof(f->args)) == 0)
			return &w->relh[i];
	}
}

/* Make room in the set for one more relation (kept at most half full). */
static void rel_room(struct work *w)
{
	size_t n = w->nrelh ? w->nrelh : 64;

	while (2 * (w->nfr + 1) > n)
		n *= 2;
	if (n == w->nrelh)
		return;
	if (n > w->cap_relh) {
		free(w->relh);
		w->relh = xmalloc(n * sizeof(*w->relh));
		w->cap_relh = n;
	}
	w->nrelh = n;
	memset(w->relh, 0, n * sizeof(*w->relh));
	for (size_t k = 0; k < w->nfr; k++)
		*rel_slot(w, &w->fr[k]) = k + 1;
}

/* One relation from p, with its role of index each (SIZE_MAX: none)
 * bound to entity xe, found already. */
static void bind_one(struct work *w, const struct prel *p, size_t each,
		     long xe)
{
	const struct rel_schema *sc = &rules_relations[p->rel];
	struct frel f;
	unsigned have = 0;
	const char *miss = NULL;
	size_t k, *slot;

	f.rule = p->rule;
	f.obj = NULL;
	f.rel = p->rel;
	for (k = 0; k < RULES_MAX_ROLES; k++)
		f.args[k] = -1;
	for (k = 0; k < p->nroles; k++) {
		const struct prole *ro = &p->roles[k];
		long x = k == each ? xe : ro->set ? bind_role(w, ro, NULL) : -1;

		if (x >= 0) {
			f.args[ro->role] = x;
			have |= 1u << ro->role;
		} else if (sc->required & (1u << ro->role)) {
			miss = sc->roles[ro->role];
		} else if (ro->set) {
			TRACE(w, "relation %s from rule %s: optional "
			      "role '%s' at %zu-%zu resolves to no "
			      "entity; left out", sc->name,
			      p->rule->name, sc->roles[ro->role],
			      ro->start, ro->end);
		}
	}
	if (miss == NULL && sc->one_of && !(have & sc->one_of))
		miss = "holder";
	/* the two organisations of a pair must differ */
	if (miss == NULL && f.args[0] >= 0 && f.args[0] == f.args[1] &&
	    sc->types[0] == sc->types[1])
		miss = "org2 (the same entity as org)";
	if (miss) {
		TRACE(w, "relation %s from rule %s dropped: role '%s' "
		      "resolves to no entity", sc->name,
		      p->rule->name, miss);
		return;
	}
	rel_room(w);
	slot = rel_slot(w, &f);
	if (*slot) {
		TRACE(w, "relation %s from rule %s: duplicate of one "
		      "found before", sc->name, p->rule->name);
		return;
	}
	STAT(w, p->rule, rels, 1);
	if ((w->nfr & (w->nfr - 1)) == 0)
		w->fr = xrealloc(w->fr, (w->nfr ? w->nfr * 2 : 8) *
				 sizeof(*w->fr));
	w->fr[w->nfr++] = f;
	*slot = w->nfr;
}

/* Most entities a starred role takes from one entity nested in: far more
 * places than a name holds. */
#define RULES_MAX_EACH 16

static void bind_relations(struct work *w)
{
	if (w->npr > 0)
		sort_live(w);
	for (size_t i = 0; i < w->npr; i++) {
		const struct prel *p = &w->pr[i];
		long xs[RULES_MAX_EACH], x;
		size_t k, n = 0;
		int nested = 0;

		/* a starred role over an entity of another type binds each
		 * entity of its type nested in it, when there are several,
		 * and over a span that is no entity, each entity of its type
		 * inside the span */
		for (k = 0; k < p->nroles; k++)
			if (p->roles[k].each && p->roles[k].set)
				break;
		if (k == p->nroles) {
			bind_one(w, p, SIZE_MAX, -1);
			continue;
		}
		x = bind_role(w, &p->roles[k], &nested);
		if (x < 0 && (nested || exact(w, p->roles[k].start,
					      p->roles[k].end, ~0u) < 0))
			n = nested_all(w, p->roles[k].start, p->roles[k].end,
				       p->roles[k].types, xs, RULES_MAX_EACH);
		if (n == 0)
			bind_one(w, p, k, x);
		for (size_t j = 0; j < n; j++)
			bind_one(w, p, k, xs[j]);
	}
	w->npr = 0;
}

/* ---- the document-level step ------------------------------------------------------- */

/* Level nouns whose place a document may leave out after naming it. */
static const char *const levels[] = {
	"tỉnh", "thành phố", "thị xã", "huyện", "quận", "thị trấn", "xã",
	"phường", NULL
};

/* Longest acronym glossed in parentheses, in bytes. */
#define RULES_MAX_ACRONYM 32

/* Is s[0..n) an acronym: upper-case letters and digits, two letters or
 * more? */
static int is_acronym(const char *s, size_t n)
{
	size_t i = 0, k, upper = 0;
	int32_t cp;

	if (n < 2 || n > RULES_MAX_ACRONYM)
		return 0;
	while (i < n) {
		k = utf8_decode((const unsigned char *)s + i, n - i, &cp);
		if (cp < 0)
			return 0;
		if (utf8proc_category(cp) == UTF8PROC_CATEGORY_LU)
			upper++;
		else if (!(cp >= '0' && cp <= '9'))
			return 0;
		i += k;
	}
	return upper >= 2;
}

/* The words of full whose initials spell acr ("Liên đoàn Lao động" for
 * "LĐLĐ" in "Tổng Liên đoàn Lao động Việt Nam"); appended to out. */
static int expand_initials(const char *full, size_t fn, const char *acr,
			   size_t an, struct buf *out)
{
	size_t ws[64], we[64], nw = 0, i = 0, k;
	int32_t a[RULES_MAX_ACRONYM], cp;
	size_t na = 0;

	while (i < an && na < RULES_MAX_ACRONYM) {
		k = utf8_decode((const unsigned char *)acr + i, an - i, &cp);
		a[na++] = cp;
		i += k;
	}
	for (i = 0; i < fn && nw < 64;) {
		while (i < fn && full[i] == ' ')
			i++;
		if (i >= fn)
			break;
		ws[nw] = i;
		while (i < fn && full[i] != ' ')
			i++;
		we[nw++] = i;
	}
	for (size_t s = 0; s + na <= nw; s++) {
		for (k = 0; k < na; k++) {
			utf8_decode((const unsigned char *)full + ws[s + k],
				    fn - ws[s + k], &cp);
			if (cp < 0 || utf8proc_toupper(cp) != a[k])
				break;
		}
		if (k == na) {
			buf_add(out, full + ws[s], we[s + na - 1] - ws[s]);
			return 0;
		}
	}
	return -1;
}

/* Find word w in s (bounded by non-letters); byte offset or -1. */
static long find_word(const char *s, size_t n, const char *w, size_t wn)
{
	const char *p = s;

	while (wn && (p = memmem(p, n - (size_t)(p - s), w, wn)) != NULL) {
		size_t at = (size_t)(p - s);

		if (!word_char_at(s, n, at, 1, 0) &&
		    !word_char_at(s, n, at + wn, 0, 0))
			return (long)at;
		p++;
	}
	return -1;
}

static void set_canon(struct ent *x, struct buf *b)
{
	free(x->canonical);
	x->canonical = xstrndup(b->p ? b->p : "", b->n);
	x->canon_set = 1;
}

/* An acronym glossed inline, for acronyms(). */
struct gloss {
	size_t acr, acrn;      /* the acronym: bytes of the text */
	size_t full, fulln;    /* its expansion: bytes of the gloss buffer */
	size_t as;             /* the acronym's start (code points) */
	size_t glend;          /* where the gloss ends (code points) */
	size_t xstart;         /* its ORG's start */
	size_t a;              /* its acronym's number */
};

/* A trace line of acronyms(), told in the order of the glosses. */
struct gev {
	size_t g;              /* the gloss */
	size_t k;              /* 0: a removal, in order; 1 + the ORG */
	size_t seq;
	size_t off, n;         /* the line, in the event buffer */
};

static int cmp_gev(const void *a, const void *b)
{
	const struct gev *x = a, *y = b;

	if (x->g != y->g)
		return x->g < y->g ? -1 : 1;
	if (x->k != y->k)
		return x->k < y->k ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

struct gstate {
	struct gloss *g;
	size_t ng;
	size_t *acrs;          /* per distinct acronym: its first gloss */
	size_t nacrs;
	size_t *byacr;         /* the glosses by acronym, then in order */
	size_t *acr_at;        /* per acronym: its first in byacr, and one
				* past its last at acr_at[a + 1] */
	uint64_t *acr_bg;      /* per acronym: 64 bits of bigrams, so that
				* most acronyms need no search in an ORG */
	size_t *gone_at;       /* per entity: the gloss that removed it, or
				* SIZE_MAX */
	struct buf full;       /* the expansions */
	struct gev *ev;        /* with --trace */
	size_t nev;
	struct buf evtext;
};

static void gev_add(struct work *w, struct gstate *st, size_t g, size_t k,
		    const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void gev_add(struct work *w, struct gstate *st, size_t g, size_t k,
		    const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int n;

	if (!w->r->opts.trace || w->r->opts.log == NULL)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if ((st->nev & (st->nev + 1)) == 0 || st->nev == 0)
		st->ev = xrealloc(st->ev, (2 * st->nev + 2) * sizeof(*st->ev));
	st->ev[st->nev] = (struct gev){ g, k, st->nev, st->evtext.n,
					(size_t)n };
	st->nev++;
	buf_add(&st->evtext, line, (size_t)n);
}

static uint64_t bg64(const char *s, size_t n);

/*
 * The glosses of the document, in the order of their ORGs (by start):
 * each removes the entities that merely repeat the acronym right after
 * its ORG. Depends on the text and the entities, not on canonical forms.
 */
static void find_glosses(struct work *w, struct gstate *st)
{
	size_t i;

	sort_live(w);
	for (i = 0; i < w->nsorted; i++) {
		struct ent *x = &w->e[w->sorted[i]];
		size_t tn, bs, be, p, q, glend, as, ae, fe, a, f0;
		const char *t, *text = w->d->text, *lp, *rp;
		struct gloss *g;
		long dup;

		if (x->type != RT_ORG || x->removed)
			continue;
		t = span_text(w, x->start, x->end, &tn);
		bs = (size_t)(t - text);
		be = bs + tn;
		/* "Full Name (ACR)": inside the span, or right after it */
		lp = memchr(t, '(', tn);
		if (lp != NULL) {
			rp = memchr(lp, ')', tn - (size_t)(lp - t));
			if (rp == NULL)
				continue;
			p = (size_t)(lp - text);
			q = (size_t)(rp - text);
			glend = be;
		} else {
			p = be;
			while (p < w->d->len && text[p] == ' ')
				p++;
			if (p >= w->d->len || text[p] != '(')
				continue;
			rp = memchr(text + p, ')', w->d->len - p < 40 ?
				    w->d->len - p : 40);
			if (rp == NULL)
				continue;
			q = (size_t)(rp - text);
			glend = q + 1;
		}
		if (!is_acronym(text + p + 1, q - p - 1))
			continue;
		fe = p;
		while (fe > bs && text[fe - 1] == ' ')
			fe--;
		f0 = st->full.n;
		if (expand_initials(text + bs, fe - bs, text + p + 1,
				    q - p - 1, &st->full) < 0)
			continue;
		as = w_cp(w, p + 1);
		ae = w_cp(w, q);
		/* the gloss is not a second mention */
		if (glend > be) {
			while ((dup = exact(w, as, ae, ~0u)) >= 0) {
				w->e[dup].removed = 1;
				w->nremoved++;
				st->gone_at[dup] = st->ng;
				gev_add(w, st, st->ng, 0, "%s %zu-%zu removed: an "
					"acronym glossed after its full form",
					type_name(&w->e[dup]), as, ae);
			}
		}
		if ((st->ng & (st->ng + 1)) == 0 || st->ng == 0)
			st->g = xrealloc(st->g, (2 * st->ng + 2) *
					 sizeof(*st->g));
		g = &st->g[st->ng];
		*g = (struct gloss){ p + 1, q - p - 1, f0, st->full.n - f0,
				     as, w_cp(w, glend), x->start, 0 };
		/* the same acronym glossed before */
		for (a = 0; a < st->nacrs; a++) {
			const struct gloss *h = &st->g[st->acrs[a]];

			if (h->acrn == g->acrn &&
			    memcmp(text + h->acr, text + g->acr, g->acrn) == 0)
				break;
		}
		if (a == st->nacrs) {
			if ((st->nacrs & (st->nacrs + 1)) == 0 || st->nacrs == 0)
				st->acrs = xrealloc(st->acrs, (2 * st->nacrs + 2) *
						    sizeof(*st->acrs));
			st->acrs[st->nacrs++] = st->ng;
		}
		g->a = a;
		st->ng++;
	}
	/* each acronym's glosses, in order (a counting sort) */
	st->acr_at = xcalloc(st->nacrs + 1, sizeof(*st->acr_at));
	st->byacr = xmalloc((st->ng + 1) * sizeof(*st->byacr));
	st->acr_bg = xcalloc(st->nacrs + 1, sizeof(*st->acr_bg));
	for (i = 0; i < st->ng; i++)
		st->acr_at[st->g[i].a + 1]++;
	for (i = 0; i < st->nacrs; i++)
		st->acr_at[i + 1] += st->acr_at[i];
	for (i = 0; i < st->ng; i++)
		st->byacr[st->acr_at[st->g[i].a]++] = i;
	for (i = st->nacrs; i > 0; i--)
		st->acr_at[i] = st->acr_at[i - 1];
	st->acr_at[0] = 0;
	for (i = 0; i < st->nacrs; i++) {
		const struct gloss *h = &st->g[st->acrs[i]];

		st->acr_bg[i] = bg64(w->d->text + h->acr, h->acrn);
	}
}

/* 64 bits of the bigrams of s[0..n): a text whose bits do not cover a
 * word's does not hold the word. */
static uint64_t bg64(const char *s, size_t n)
{
	uint64_t m = 0;

	for (size_t i = 0; i + 1 < n; i++)
		m |= (uint64_t)1 << (rules_bigram((unsigned char)s[i],
						  (unsigned char)s[i + 1]) & 63);
	return m;
}

/*
 * The first gloss from gloss number `from` on that rewrites ORG y (of
 * index k) whose canonical form is c[0..cn): its acronym stands as a word
 * in c, it ends before y starts, and it came before y was removed;
 * SIZE_MAX if none.
 */
static size_t next_gloss(struct work *w, struct gstate *st, size_t k,
			 const char *c, size_t cn, size_t from)
{
	const struct ent *y = &w->e[k];
	size_t best = SIZE_MAX, end = st->gone_at[k];
	uint64_t have = bg64(c, cn);

	for (size_t a = 0; a < st->nacrs; a++) {
		const struct gloss *h = &st->g[st->acrs[a]];
		size_t lo = st->acr_at[a], hi = st->acr_at[a + 1];

		if ((st->acr_bg[a] & ~have) ||
		    find_word(c, cn, w->d->text + h->acr, h->acrn) < 0)
			continue;
		/* its first gloss from `from` on */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (st->byacr[mid] < from)
				lo = mid + 1;
			else
				hi = mid;
		}
		/* glosses are in the order of their ORGs' starts, and a gloss
		 * ends after its ORG starts: none past y's start applies */
		for (; lo < st->acr_at[a + 1]; lo++) {
			size_t j = st->byacr[lo];
			const struct gloss *g = &st->g[j];

			if (j >= best || j >= end || g->xstart > y->start)
				break;
			if (g->glend <= y->start) {
				best = j;
				break;
			}
		}
	}
	return best;
}

/*
 * Acronyms glossed inline: every ORG that starts after a gloss and whose
 * canonical form holds the acronym as a word gets the expansion instead;
 * glosses apply in order, each to the canonical form the earlier ones
 * left. Done ORG by ORG, each looking only at the glosses of the acronyms
 * it holds, so that a long document with many glosses stays linear.
 */
static void acronyms(struct work *w)
{
	struct gstate st;
	struct buf nc = BUF_INIT;
	size_t k;

	memset(&st, 0, sizeof(st));
	buf_init(&st.full);
	buf_init(&st.evtext);
	st.gone_at = xmalloc((w->ne + 1) * sizeof(*st.gone_at));
	for (k = 0; k < w->ne; k++)
		st.gone_at[k] = SIZE_MAX;
	find_glosses(w, &st);
	for (k = 0; k < w->ne && st.ng > 0; k++) {
		struct ent *y = &w->e[k];
		size_t j = 0;

		/* removed before this step: no gloss applies */
		if (y->type != RT_ORG ||
		    (y->removed && st.gone_at[k] == SIZE_MAX))
			continue;
		for (;;) {
			size_t cn, rest, an;
			const char *c = ent_canon(w, y, &cn), *text = w->d->text;
			const struct gloss *g;
			const char *full;
			long at;

			j = next_gloss(w, &st, k, c, cn, j);
			if (j == SIZE_MAX)
				break;
			g = &st.g[j];
			full = st.full.p + g->full;
			an = g->acrn;
			at = find_word(c, cn, text + g->acr, an);
			buf_reset(&nc);
			buf_add(&nc, c, (size_t)at);
			buf_add(&nc, full, g->fulln);
			rest = (size_t)at + an;
			/* "CĐVC Việt Nam" with CĐVC = "Công đoàn Viên chức
			 * Việt Nam": words the expansion already ends with */
			for (size_t e2 = cn; e2 > rest; e2--) {
				if (e2 < cn && c[e2] != ' ')
					continue;
				if (c[rest] == ' ' && e2 - rest <= g->fulln &&
				    memcmp(full + g->fulln - (e2 - rest - 1),
					   c + rest + 1, e2 - rest - 1) == 0 &&
				    g->fulln > e2 - rest - 1 &&
				    full[g->fulln - (e2 - rest - 1) - 1] == ' ') {
					rest = e2;
					break;
				}
			}
			buf_add(&nc, c + rest, cn - rest);
			gev_add(w, &st, j, 1 + k, "ORG %zu-%zu canonical '%.*s' "
				"from the acronym glossed at %zu", y->start,
				y->end, (int)nc.n, nc.p, g->as);
			set_canon(y, &nc);
			j++;
		}
	}
	if (st.nev > 1)
		qsort(st.ev, st.nev, sizeof(*st.ev), cmp_gev);
	for (k = 0; k < st.nev; k++)
		logf_(w, "%.*s", (int)st.ev[k].n, st.evtext.p + st.ev[k].off);
	free(st.g);
	free(st.acrs);
	free(st.acr_at);
	free(st.byacr);
	free(st.acr_bg);
	free(st.gone_at);
	free(st.ev);
	buf_release(&st.full);
	buf_release(&st.evtext);
	buf_release(&nc);
}

struct place {
	int level;
	const char *name;
	size_t n;
	size_t count;
	int foreign;           /* a neighbouring country's (class countries) */
};

/* How a canonical form stands to a directive's head: under it (its
 * words first, more words after where the head ends in " ..."), exactly
 * it, or before more words. */
enum { HEAD_UNDER, HEAD_EXACT, HEAD_BEFORE };

/* The first directive of v[0..nv) of mode (-1: any) whose head canonical
 * form c[0..cn) stands to as how says, or NULL. */
static const struct provhead *find_head(const struct provhead *v,
					size_t nv, int mode, const char *c,
					size_t cn, int how)
{
	for (size_t k = 0; k < nv; k++) {
		const struct provhead *ph = &v[k];

		if ((mode >= 0 && ph->mode != mode) || cn < ph->n ||
		    memcmp(c, ph->head, ph->n) != 0)
			continue;
		if (cn == ph->n ? how == HEAD_EXACT ||
				  (how == HEAD_UNDER && !ph->more)
				: how != HEAD_EXACT && c[ph->n] == ' ')
			return ph;
	}
	return NULL;
}

/* The organisation directive of mode whose head canonical form c is
 * under (a body: is exactly), or NULL. */
static const struct provhead *orgd_of(const struct rules *r, int mode,
				      const char *c, size_t cn)
{
	return find_head(r->orgd, r->norgd, mode, c, cn,
			 mode == ORGD_BODY ? HEAD_EXACT : HEAD_UNDER);
}

/* Is a the better place for the document: one of the country's over a
 * foreign one (an article about a province and its partner across the
 * border names both), then the one named more often, then the first. */
static int better_place(const struct place *a, const struct place *best)
{
	if (best == NULL)
		return 1;
	if (a->foreign != best->foreign)
		return !a->foreign;
	return a->count > best->count;
}

/* The spans of the LOCs of one gazetteer class, by start: for
 * in_spans() those of countries (foreign provinces), for the
 * document's province those of provinces. */
struct spans {
	size_t *span;          /* start, end pairs */
	size_t n;
};
static void class_spans(struct work *w, const char *cls, struct spans *f);
static int in_spans(const struct spans *f, const struct ent *x);

/* 1 if s[0..n) ends in a coordinator of levels: "," "/" or " và". */
static int ends_coordinated(const char *s, size_t n)
{
	while (n > 0 && s[n - 1] == ' ')
		n--;
	if (n > 0 && (s[n - 1] == ',' || s[n - 1] == '/'))
		return 1;
	return n >= 4 && memcmp(s + n - 4, " và", 4) == 0;
}

/*
 * Is the xã at byte i of low[0..n) (a lower-cased canonical form) no level:
 * that of xã hội, or of hợp tác xã, a cooperative (Liên minh Hợp tác xã
 * tỉnh has the level tỉnh)?
 */
static int not_level_xa(const char *low, size_t n, size_t i)
{
	static const char hoi[] = "xã hội", htx[] = "hợp tác xã";
	size_t hn = sizeof(htx) - 1, xn = strlen("xã");

	if (n - i >= sizeof(hoi) - 1 &&
	    memcmp(low + i, hoi, sizeof(hoi) - 1) == 0)
		return 1;
	return i + xn >= hn && memcmp(low + i + xn - hn, htx, hn) == 0;
}

/* Does s[0..n) end in the word "cấp" (LĐLĐ cấp huyện: the units of a
 * level, not one place)? */
static int ends_level_class(const char *s, size_t n)
{
	size_t k = strlen("cấp");

	while (n > 0 && s[n - 1] == ' ')
		n--;
	return n >= k && memcmp(s + n - k, "cấp", k) == 0 &&
	       (n == k || s[n - k - 1] == ' ');
}

static void places(struct work *w)
{
	struct place *pl = NULL, *best[16] = { NULL }, *abroad[16] = { NULL };
	size_t npl = 0, i, k;
	struct buf low = BUF_INIT, nc = BUF_INIT;
	struct spans fs;

	class_spans(w, "countries", &fs);
	sort_live(w);
	for (i = 0; i < w->nsorted; i++) {
		struct ent *x = &w->e[w->sorted[i]];
		size_t cn, ln, skip = 0;
		const char *c;
		int lv = -1;

		if (x->type != RT_LOC)
			continue;
		c = ent_canon(w, x, &cn);
		buf_reset(&low);
		values_lower(c, cn, &low);
		for (k = 0; levels[k]; k++) {
			ln = strlen(levels[k]);
			if (low.n > ln + 1 && memcmp(low.p, levels[k], ln) == 0 &&
			    low.p[ln] == ' ') {
				lv = (int)k;
				skip = ln + 1;
				break;
			}
		}
		if (lv < 0 && cn > 3 && memcmp(c, "TP", 2) == 0 &&
		    (c[2] == ' ' || c[2] == '.')) {
			lv = 1;
			skip = c[2] == '.' ? 3 : 2;
		}
		if (lv < 0)
			continue;
		while (skip < cn && c[skip] == ' ')
			skip++;
		if (skip >= cn)
			continue;
		for (k = 0; k < npl; k++)
			if (pl[k].level == lv && pl[k].n == cn - skip &&
			    memcmp(pl[k].name, c + skip, cn - skip) == 0)
				break;
		if (k == npl) {
			pl = xrealloc(pl, (npl + 1) * sizeof(*pl));
			pl[npl++] = (struct place){ lv, c + skip, cn - skip, 0,
						    in_spans(&fs, x) };
		}
		pl[k].count++;
	}
	for (k = 0; k < npl; k++) {
		if (better_place(&pl[k], best[pl[k].level]))
			best[pl[k].level] = &pl[k];
		if (pl[k].foreign && (abroad[pl[k].level] == NULL ||
				      pl[k].count > abroad[pl[k].level]->count))
			abroad[pl[k].level] = &pl[k];
	}
	for (i = 0; i < w->ne && npl > 0; i++) {
		struct ent *x = &w->e[i];
		struct place *const *bp = best;
		size_t cn, ln;
		const char *c;

		if (x->removed || (x->type != RT_ORG && x->type != RT_LOC))
			continue;
		c = ent_canon(w, x, &cn);
		/* a body of a foreign country's province (Liên hiệp Công
		 * đoàn tỉnh): its place is the foreign one, where named */
		if (x->type == RT_ORG && orgd_of(w->r, ORGD_ABROAD, c, cn))
			bp = abroad;
		buf_reset(&low);
		values_lower(c, cn, &low);
		for (k = 0; levels[k]; k++) {
			ln = strlen(levels[k]);
			if (bp[k] == NULL)
				continue;
			/* an ORG ending in the level noun, or a LOC that is
			 * the bare level noun (trên địa bàn tỉnh) */
			if (x->type == RT_ORG &&
			    (low.n <= ln ||
			     memcmp(low.p + low.n - ln, levels[k], ln) != 0 ||
			     low.p[low.n - ln - 1] != ' '))
				continue;
			/* not the last of coordinated levels (các huyện, thị
			 * xã, thành phố): many places, not the document's */
			if (x->type == RT_ORG && (ends_coordinated(low.p,
			    low.n - ln - 1) || ends_level_class(low.p,
			    low.n - ln - 1)))
				continue;
			/* not the xã of hợp tác xã (Liên minh Hợp tác xã) */
			if (x->type == RT_ORG && strcmp(levels[k], "xã") == 0 &&
			    not_level_xa(low.p, low.n, low.n - ln))
				continue;
			if (x->type == RT_LOC &&
			    (low.n != ln || memcmp(low.p, levels[k], ln) != 0))
				continue;
			buf_reset(&nc);
			if (x->type == RT_LOC)
				buf_add(&nc, low.p, low.n);
			else	/* a unit with its place is named: công đoàn
				 * phường -> Công đoàn phường Thành Đông */
				values_upperfirst(c, cn, &nc);
			buf_addc(&nc, ' ');
			buf_add(&nc, bp[k]->name, bp[k]->n);
			TRACE(w, "%s %zu-%zu canonical '%.*s': the "
			      "document's place", type_name(x), x->start, x->end,
			      (int)nc.n, nc.p);
			set_canon(x, &nc);
			break;
		}
	}
	free(pl);
	free(fs.span);
	buf_release(&low);
	buf_release(&nc);
}

/*
 * The byte offset in low[0..n) (a lower-cased canonical form) of the first
 * level noun that stands as a word (not_level_xa), or -1.
 */
static long level_pos(const char *low, size_t n)
{
	size_t i, k, ln;

	for (i = 0; i < n; i++) {
		if (i > 0 && low[i - 1] != ' ')
			continue;
		for (k = 0; levels[k]; k++) {
			ln = strlen(levels[k]);
			if (i + ln <= n && memcmp(low + i, levels[k], ln) == 0 &&
			    (i + ln == n || low[i + ln] == ' ') &&
			    !(strcmp(levels[k], "xã") == 0 &&
			      not_level_xa(low, n, i)))
				return (long)i;
		}
	}
	return -1;
}

/* Does the lower-cased low[0..n) end in the words "việt nam"? */
static int ends_viet_nam(const char *low, size_t n)
{
	size_t k = strlen("việt nam");

	return n >= k && memcmp(low + n - k, "việt nam", k) == 0 &&
	       (n == k || low[n - k - 1] == ' ');
}

/* The first of the NULL-ended list v that s[0..n) starts with and goes
 * on after, or NULL. */
static const char *opens_with(const char *const *v, const char *s, size_t n)
{
	for (; *v; v++)
		if (n > strlen(*v) && memcmp(s, *v, strlen(*v)) == 0)
			return *v;
	return NULL;
}

/*
 * A standing or executive committee shared by two organisations: in `Ban
 * Thường vụ LĐLĐ tỉnh và Hội LHPN tỉnh` the second is the Women's Union's
 * committee too, and its canonical form says so. Only a mass organisation
 * has such a committee (a Hội, the Youth Union, a labour federation), so
 * `Ban Thường vụ Tỉnh ủy và UBND tỉnh` shares nothing. 1 if y took x's
 * body.
 */
static int shared_body(struct work *w, const struct ent *x, struct ent *y)
{
	static const char *const bodies[] = { "Ban Thường vụ ",
					      "Ban Chấp hành ", NULL };
	static const char *const mass[] = { "Hội ", "Đoàn Thanh niên ",
					    "Liên đoàn Lao động ", NULL };
	size_t cn, yn, bn;
	const char *c, *yc, *body, *between = span_text(w, x->end, y->start,
						       &bn);
	struct buf nc = BUF_INIT;

	if (bn != strlen(" và ") || memcmp(between, " và ", bn) != 0)
		return 0;
	c = ent_canon(w, x, &cn);
	if ((body = opens_with(bodies, c, cn)) == NULL)
		return 0;
	yc = ent_canon(w, y, &yn);
	if (opens_with(mass, yc, yn) == NULL)
		return 0;
	buf_add(&nc, body, strlen(body));
	buf_add(&nc, yc, yn);
	TRACE(w, "ORG %zu-%zu canonical '%.*s': the committee shared with "
	      "the ORG at %zu", y->start, y->end, (int)nc.n, nc.p, x->start);
	set_canon(y, &nc);
	buf_release(&nc);
	return 1;
}

/* Does the canonical form c[0..n) end in a word of a proper name, a
 * capitalised word with lower-case letters (Báo Lao Động), rather than a
 * kind (Sở Nội vụ, Ủy ban nhân dân)? */
static int ends_in_name(const char *c, size_t n)
{
	size_t i = n, k;
	int32_t cp;

	while (i > 0 && c[i - 1] != ' ')
		i--;
	k = utf8_decode((const unsigned char *)c + i, n - i, &cp);
	if (cp < 0 || utf8proc_category(cp) != UTF8PROC_CATEGORY_LU)
		return 0;
	for (i += k; i < n; i += k) {
		k = utf8_decode((const unsigned char *)c + i, n - i, &cp);
		if (cp < 0)
			return 0;
		if (utf8proc_category(cp) == UTF8PROC_CATEGORY_LL)
			return 1;
	}
	return 0;
}

/*
 * Coordinations that share their qualifier: in `UBND và LĐLĐ thị xã` the
 * first conjunct, an ORG with no level or place of its own (no nested LOC,
 * no level noun in its canonical form, not ending in Việt Nam nor in a
 * proper name: Báo Lao Động và LĐLĐ tỉnh shares nothing), joined to
 * the second by "và" or a dash, takes the level and place the
 * second ORG's canonical form has: Ủy ban nhân dân thị xã. Runs before the
 * document's place is carried, which then completes both.
 */
static void coordinations(struct work *w)
{
	static const char *const seps[] = { " và ", " - ", " – ", NULL };
	struct buf low = BUF_INIT, nc = BUF_INIT;
	size_t i, j, k, cn, yn, bn;
	const char *c, *yc, *between;
	long p;

	sort_live(w);
	for (i = 0; i < w->nsorted; i++) {
		struct ent *x = &w->e[w->sorted[i]], *y = NULL;
		int nested = 0, sep = 0;

		if (x->type != RT_ORG)
			continue;
		for (j = i + 1; j < w->nsorted; j++) {
			struct ent *z = &w->e[w->sorted[j]];

			if (z->start < x->end) {
				nested |= z->type == RT_LOC && z->end <= x->end;
				continue;
			}
			if (z->type == RT_ORG)
				y = z;
			break;
		}
		if (y == NULL || shared_body(w, x, y) || nested)
			continue;
		between = span_text(w, x->end, y->start, &bn);
		for (k = 0; seps[k] && !sep; k++)
			sep = bn == strlen(seps[k]) &&
			      memcmp(between, seps[k], bn) == 0;
		if (!sep)
			continue;
		c = ent_canon(w, x, &cn);
		/* a body before its organisation after a dash (Ban Nữ công -
		 * LĐLĐ tỉnh) is that organisation's body */
		if (between[1] != 'v' && orgd_of(w->r, ORGD_BODY, c, cn)) {
			yc = ent_canon(w, y, &yn);
			buf_reset(&nc);
			buf_add(&nc, c, cn);
			buf_addc(&nc, ' ');
			buf_add(&nc, yc, yn);
			TRACE(w, "ORG %zu-%zu canonical '%.*s': a body of the "
			      "ORG at %zu", x->start, x->end, (int)nc.n, nc.p,
			      y->start);
			set_canon(x, &nc);
			continue;
		}
		buf_reset(&low);
		values_lower(c, cn, &low);
		/* a national body (CĐVC Việt Nam và LĐLĐ tỉnh) shares nothing */
		if (level_pos(low.p, low.n) >= 0 ||
		    ends_viet_nam(low.p, low.n) || ends_in_name(c, cn))
			continue;
		yc = ent_canon(w, y, &yn);
		buf_reset(&low);
		values_lower(yc, yn, &low);
		if (low.n != yn || (p = level_pos(low.p, low.n)) <= 0)
			continue;
		buf_reset(&nc);
		buf_add(&nc, c, cn);
		buf_addc(&nc, ' ');
		buf_add(&nc, yc + p, yn - (size_t)p);
		TRACE(w, "ORG %zu-%zu canonical '%.*s': the level shared with "
		      "the ORG at %zu", x->start, x->end, (int)nc.n, nc.p,
		      y->start);
		set_canon(x, &nc);
	}
	buf_release(&low);
	buf_release(&nc);
}

static int cmp_span(const void *a, const void *b)
{
	const size_t *x = a, *y = b;

	return x[0] != y[0] ? (x[0] < y[0] ? -1 : 1)
			    : (x[1] < y[1] ? -1 : x[1] > y[1]);
}

/* Every LOC of class cls, kept or not: a rule that took the place with
 * its level (tỉnh Attapeu, thành phố Hải Phòng) made a LOC of no class
 * around it. */
static void class_spans(struct work *w, const char *cls, struct spans *f)
{
	size_t i;

	f->n = 0;
	f->span = NULL;
	for (i = 0; i < w->ne; i++) {
		const char *c = class_name(&w->e[i]);

		if (w->e[i].type != RT_LOC || c == NULL || strcmp(c, cls) != 0)
			continue;
		f->span = xrealloc(f->span, 2 * (f->n + 1) * sizeof(*f->span));
		f->span[2 * f->n] = w->e[i].start;
		f->span[2 * f->n + 1] = w->e[i].end;
		f->n++;
	}
	if (f->n > 1)
		qsort(f->span, f->n, 2 * sizeof(*f->span), cmp_span);
}

/* Is x one of the spans of f, or around one? */
static int in_spans(const struct spans *f, const struct ent *x)
{
	size_t lo = 0, hi = f->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->span[2 * mid] < x->start)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < f->n && f->span[2 * lo] < x->end; lo++)
		if (f->span[2 * lo + 1] <= x->end)
			return 1;
	return 0;
}

/*
 * A head that takes a province's name alone, followed in the canonical
 * form by the name with its level (Tỉnh ủy tỉnh Nghệ An, made from
 * Tỉnh ủy and the LOC Nghệ An): drop the level noun. 1 if it did.
 */
static int name_after_level(struct work *w, struct ent *x,
			    const struct provhead *ph, const char *c, size_t cn)
{
	static const char *const lv[] = { " tỉnh ", " thành phố ", NULL };
	struct buf nc = BUF_INIT;
	size_t k, ln;

	for (k = 0; lv[k]; k++) {
		ln = strlen(lv[k]);
		if (cn > ph->n + ln && memcmp(c + ph->n, lv[k], ln) == 0)
			break;
	}
	if (lv[k] == NULL)
		return 0;
	buf_add(&nc, c, ph->n);
	buf_add(&nc, c + ph->n + ln - 1, cn - ph->n - ln + 1);
	TRACE(w, "ORG %zu-%zu canonical '%.*s': the name alone after %s (%s)",
	      x->start, x->end, (int)nc.n, nc.p, ph->head, ph->source);
	set_canon(x, &nc);
	buf_release(&nc);
	return 1;
}

/*
 * The document's province given to the bodies of a province that the text
 * names without a place (the `province` directives): the province named
 * most often (the first named, on a tie) by a LOC whose canonical form is
 * "tỉnh X", or a city of the provinces gazetteer ("thành phố Hải Phòng").
 * An ORG whose canonical form is a directive's head, or the head and more
 * words, and that has no LOC nested in it, no level noun in its canonical
 * form and does not end in Việt Nam, gets " tỉnh X" (level), " X" (name),
 * or " X" only where the province is a city (city-name). A document that
 * names no province gets nothing.
 */
static void province_bodies(struct work *w)
{
	const struct rules *r = w->r;
	struct place *pl = NULL, *best = NULL;
	size_t npl = 0, i, j, k, cn, skip;
	struct buf low = BUF_INIT, nc = BUF_INIT;
	const char *c, *cls;
	int city;
	struct spans fs, ps;

	if (r->nprov == 0)
		return;
	class_spans(w, "countries", &fs);
	class_spans(w, "provinces", &ps);
	sort_live(w);
	for (i = 0; i < w->nsorted; i++) {
		struct ent *x = &w->e[w->sorted[i]];

		if (x->type != RT_LOC)
			continue;
		c = ent_canon(w, x, &cn);
		cls = class_name(x);
		city = 0;
		if (cn > strlen("tỉnh ") && memcmp(c, "tỉnh ", strlen("tỉnh ")) == 0) {
			skip = strlen("tỉnh ");
		} else if (((cls && strcmp(cls, "provinces") == 0) ||
			    in_spans(&ps, x)) &&
			   cn > strlen("thành phố ") &&
			   memcmp(c, "thành phố ", strlen("thành phố ")) == 0) {
			skip = strlen("thành phố ");
			city = 1;
		} else {
			continue;
		}
		for (k = 0; k < npl; k++)
			if (pl[k].n == cn && memcmp(pl[k].name, c, cn) == 0)
				break;
		if (k == npl) {
			pl = xrealloc(pl, (npl + 1) * sizeof(*pl));
			/* level: the name's offset; name: the whole form */
			pl[npl++] = (struct place){ (int)skip | city << 8, c,
						    cn, 0, in_spans(&fs, x) };
		}
		pl[k].count++;
	}
	for (k = 0; k < npl; k++)
		if (better_place(&pl[k], best))
			best = &pl[k];
	for (i = 0; i < w->nsorted; i++) {
		struct ent *x = &w->e[w->sorted[i]];
		int nested = 0;
		const struct provhead *ph = NULL;

		if (x->type != RT_ORG)
			continue;
		c = ent_canon(w, x, &cn);
		ph = find_head(r->prov, r->nprov, -1, c, cn, HEAD_UNDER);
		if (ph == NULL)
			continue;
		/* Tỉnh ủy tỉnh Hà Giang, whether or not the document has
		 * a province */
		if (ph->mode != PROV_LEVEL && name_after_level(w, x, ph, c, cn))
			continue;
		if (best == NULL)
			continue;
		city = best->level >> 8;
		skip = (size_t)(best->level & 0xFF);
		if (ph->mode == PROV_CITY_NAME && !city)
			continue;
		for (j = i + 1; j < w->nsorted && !nested; j++) {
			const struct ent *z = &w->e[w->sorted[j]];

			if (z->start >= x->end)
				break;
			nested = z->type == RT_LOC && z->end <= x->end;
		}
		/* a level noun after the head (Tỉnh ủy is no place) */
		buf_reset(&low);
		values_lower(c + ph->n, cn - ph->n, &low);
		if (nested || level_pos(low.p, low.n) >= 0 ||
		    ends_viet_nam(low.p, low.n))
			continue;
		buf_reset(&nc);
		buf_add(&nc, c, cn);
		buf_addc(&nc, ' ');
		if (ph->mode == PROV_LEVEL)
			buf_add(&nc, best->name, best->n);
		else
			buf_add(&nc, best->name + skip, best->n - skip);
		TRACE(w, "ORG %zu-%zu canonical '%.*s': the document's province "
		      "(%s)", x->start, x->end, (int)nc.n, nc.p, ph->source);
		set_canon(x, &nc);
	}
	free(pl);
	free(fs.span);
	free(ps.span);
	buf_release(&low);
	buf_release(&nc);
}

/* Does the lower-cased low[0..n) end in a level noun (Liên đoàn Lao động
 * tỉnh: a place the document did not name)? */
static int ends_level_noun(const char *low, size_t n)
{
	for (size_t k = 0; levels[k]; k++) {
		size_t ln = strlen(levels[k]);

		if (n >= ln && memcmp(low + n - ln, levels[k], ln) == 0 &&
		    (n == ln || low[n - ln - 1] == ' ') &&
		    !(strcmp(levels[k], "xã") == 0 &&
		      not_level_xa(low, n, n - ln)))
			return 1;
	}
	return 0;
}

/* Does the lower-cased low[0..n) end in the whole word hai, các or 2 and
 * a space (the text before a body shared by two organisations)? */
static int counted_before(const char *low, size_t n)
{
	static const char *const words[] = { "hai ", "các ", "2 ", NULL };

	for (size_t k = 0; words[k]; k++) {
		size_t wn = strlen(words[k]);
		unsigned char b;

		if (n < wn || memcmp(low + n - wn, words[k], wn) != 0)
			continue;
		if (n == wn)
			return 1;
		/* an ASCII byte that is no letter or digit before it; a
		 * byte >= 0x80 ends a letter (khai, 12) */
		b = (unsigned char)low[n - wn - 1];
		return b < 0x80 && !(b >= 'a' && b <= 'z') &&
		       !(b >= '0' && b <= '9');
	}
	return 0;
}

/*
 * The bodies of two organisations named once: in `hai Ban Thường vụ LĐLĐ
 * tỉnh, Hội LHPN tỉnh` (or `các`, `2`; joined by a comma or và) the
 * second is the Ban Thường vụ of the Hội LHPN tỉnh too. Runs after the
 * places are carried, so that both are complete.
 */
static void shared_bodies(struct work *w)
{
	struct buf low = BUF_INIT, nc = BUF_INIT;
	const struct provhead *ph;
	size_t i, j, n, cn, yn;
	const char *c, *yc, *t;

	if (w->r->norgd == 0)
		return;
	sort_live(w);
	for (i = 0; i < w->nsorted; i++) {
		struct ent *x = &w->e[w->sorted[i]], *y = NULL;

		if (x->type != RT_ORG)
			continue;
		c = ent_canon(w, x, &cn);
		if ((ph = find_head(w->r->orgd, w->r->norgd, ORGD_BODY, c, cn,
				    HEAD_BEFORE)) == NULL)
			continue;
		/* six code points before it: the word and what precedes it */
		t = span_text(w, x->start >= 6 ? x->start - 6 : 0, x->start, &n);
		buf_reset(&low);
		values_lower(t, n, &low);
		if (!counted_before(low.p, low.n))
			continue;
		for (j = i + 1; j < w->nsorted; j++) {
			struct ent *z = &w->e[w->sorted[j]];

			if (z->start < x->end)
				continue;
			if (z->type == RT_ORG)
				y = z;
			break;
		}
		if (y == NULL)
			continue;
		t = span_text(w, x->end, y->start, &n);
		if (!((n == 2 && memcmp(t, ", ", 2) == 0) ||
		      (n == 5 && memcmp(t, " và ", 5) == 0)))
			continue;
		yc = ent_canon(w, y, &yn);
		/* not a body itself, or one of its own (Ban Thường vụ X) */
		if (find_head(w->r->orgd, w->r->norgd, ORGD_BODY, yc, yn,
			      HEAD_UNDER) != NULL)
			continue;
		buf_reset(&nc);
		buf_add(&nc, ph->head, ph->n);
		buf_addc(&nc, ' ');
		buf_add(&nc, yc, yn);
		TRACE(w, "ORG %zu-%zu canonical '%.*s': the body shared with the "
		      "ORG at %zu", y->start, y->end, (int)nc.n, nc.p, x->start);
		set_canon(y, &nc);
	}
	buf_release(&low);
	buf_release(&nc);
}

/* Does s[0..n) hold an upper-case letter (a name: Công đoàn cơ sở Công
 * ty X, not the bare kind Công đoàn cơ sở)? */
static int has_upper(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		int32_t c;
		utf8proc_ssize_t k = utf8proc_iterate(p + i,
					(utf8proc_ssize_t)(n - i), &c);

		if (k <= 0)
			return 0;
		if (utf8proc_category(c) == UTF8PROC_CATEGORY_LU)
			return 1;
		i += (size_t)k;
	}
	return 0;
}

/* An owner candidate of org_bodies(). */
struct owner {
	const char *name;
	size_t n;
	size_t count;
	size_t first;          /* its first mention (code points) */
	size_t ord;            /* that mention's place among the entities */
	int national;          /* ends in Việt Nam */
};

/* An owner's score, doubled: its mentions, two more for the first named;
 * a national body (ending in Việt Nam, named in every article about a
 * province's union) has no bonus and loses a tie. */
static size_t owner_score(const struct owner *o, size_t firstall)
{
	if (o->national)
		return 2 * o->count - 1;
	return 2 * (o->count + (o->first == firstall ? 2 : 0));
}

/* Owner mentions by name, then in the order of the entities. */
static int cmp_owner(const void *a, const void *b)
{
	const struct owner *x = a, *y = b;
	int c = memcmp(x->name, y->name, x->n < y->n ? x->n : y->n);

	if (c != 0)
		return c;
	if (x->n != y->n)
		return x->n < y->n ? -1 : 1;
	return (x->ord > y->ord) - (x->ord < y->ord);
}

/* ow[0..n) sorted by name and made one per name: its first mention, with
 * count the number of mentions; the number of names. */
static size_t group_owners(struct owner *ow, size_t n)
{
	size_t i, j, k;

	if (n > 1)
		qsort(ow, n, sizeof(*ow), cmp_owner);
	for (i = k = 0; i < n; i = j, k++) {
		for (j = i + 1; j < n && ow[j].n == ow[i].n &&
		     memcmp(ow[j].name, ow[i].name, ow[i].n) == 0; j++)
			;
		ow[k] = ow[i];         /* the first mention, by position */
		ow[k].count = j - i;
	}
	return k;
}

/*
 * 5. The bodies of the document's organisation: Ban Chấp hành, Ban Nữ
 * công named alone stand for the bodies of the organisation the article is
 * about (canonical Ban Chấp hành Công đoàn Viên chức tỉnh Nghệ An). That
 * organisation is the ORG under an `organisation owner` head, with a name
 * of its own (an upper-case letter after a `HEAD ...`, no bare level noun
 * at the end, no coordination) that the article names most often, the
 * first named counting two more (the headline's), a national body losing
 * a tie and getting no bonus, the earliest on a tie. An ORG
 * whose canonical form is an `organisation body` head exactly gets its
 * canonical form appended. A document with no such ORG gets nothing.
 */
static void org_bodies(struct work *w)
{
	const struct rules *r = w->r;
	struct owner *ow = NULL;
	size_t now = 0, cap = 0, i, k, cn, best = SIZE_MAX;
	size_t firstall = SIZE_MAX;
	struct buf low = BUF_INIT, nc = BUF_INIT;
	const struct provhead *ph;
	const char *c;

	if (r->norgd == 0)
		return;
	sort_live(w);
	/* every mention of a candidate, then one owner per name (sorted
	 * rather than searched, so that a record naming thousands of
	 * organisations stays n log n) */
	for (i = 0; i < w->nsorted; i++) {
		struct ent *x = &w->e[w->sorted[i]];

		if (x->type != RT_ORG)
			continue;
		c = ent_canon(w, x, &cn);
		if ((ph = orgd_of(r, ORGD_OWNER, c, cn)) == NULL ||
		    orgd_of(r, ORGD_BODY, c, cn) != NULL ||
		    (ph->more && !has_upper(c + ph->n, cn - ph->n)) ||
		    memchr(c, ',', cn) != NULL)
			continue;
		buf_reset(&low);
		values_lower(c, cn, &low);
		if (ends_level_noun(low.p, low.n) ||
		    ends_coordinated(c, cn))
			continue;
		if (now == cap) {
			cap = cap ? 2 * cap : 16;
			ow = xrealloc(ow, cap * sizeof(*ow));
		}
		ow[now++] = (struct owner){ c, cn, 1, x->start, i,
					    ends_viet_nam(low.p, low.n) };
		if (x->start < firstall)
			firstall = x->start;
	}
	now = group_owners(ow, now);
	for (k = 0; k < now; k++) {
		size_t sk = owner_score(&ow[k], firstall);

		if (best == SIZE_MAX || sk > owner_score(&ow[best], firstall) ||
		    (sk == owner_score(&ow[best], firstall) &&
		     ow[k].ord < ow[best].ord))
			best = k;
	}
	for (i = 0; best != SIZE_MAX && i < w->nsorted; i++) {
		struct ent *x = &w->e[w->sorted[i]];

		if (x->type != RT_ORG)
			continue;
		c = ent_canon(w, x, &cn);
		if ((ph = orgd_of(r, ORGD_BODY, c, cn)) == NULL)
			continue;
		buf_reset(&nc);
		buf_add(&nc, c, cn);
		buf_addc(&nc, ' ');
		/* a name after a body is written as one: Ban Chấp hành
		 * Công đoàn cơ sở xã X, whatever case the owner had */
		values_upperfirst(ow[best].name, ow[best].n, &nc);
		TRACE(w, "ORG %zu-%zu canonical '%.*s': the document's "
		      "organisation (%s)", x->start, x->end, (int)nc.n, nc.p,
		      ph->source);
		set_canon(x, &nc);
	}
	free(ow);
	buf_release(&low);
	buf_release(&nc);
}

/* Is the lower-cased kind k[0..kn) at i of low[0..n) as whole words, and
 * not the end of a longer kind (tổng công ty is no công ty)? */
static int kind_here(const struct rules *r, const char *low, size_t n,
		     size_t i, const char *k, size_t kn)
{
	if ((i > 0 && low[i - 1] != ' ') || (i + kn < n && low[i + kn] != ' '))
		return 0;
	for (size_t d = 0; d < r->norgd; d++) {
		const struct provhead *o = &r->orgd[d];

		if (o->mode == ORGD_KIND && o->n > kn && i >= o->n - kn &&
		    memcmp(o->klow + o->n - kn, k, kn) == 0 &&
		    memcmp(low + i - (o->n - kn), o->klow, o->n - kn) == 0)
			return 0;
	}
	return 1;
}

/* The first place of the kind k[0..kn) in low[0..n), as kind_here()
 * takes it; n if none. Only word starts are looked at: a few per name. */
static size_t kind_at(const struct rules *r, const char *low, size_t n,
		      const char *k, size_t kn)
{
	for (size_t i = 0; i + kn <= n; i++) {
		if (i == 0 || low[i - 1] == ' ') {
			if (low[i] == k[0] && memcmp(low + i, k, kn) == 0 &&
			    kind_here(r, low, n, i, k, kn))
				return i;
		}
		{
			const char *sp = memchr(low + i, ' ', n - i);

			if (sp == NULL)
				break;
			i = (size_t)(sp - low);
		}
	}
	return n;
}

/* An ORG of org_kinds(): its entity, canonical form and the same in lower
 * case (at lowall + lo, of the same length). */
struct kindorg {
	struct ent *x;
	const char *c;
	size_t cn, lo;
};

/*
 * 6. The company or hospital an article is about, named by its
 * kind alone: in an article about Công ty TNHH May Hoàng Phúc, `Ban Giám
 * đốc Công ty` and `CĐCS công ty` are its board and its union (canonical
 * `Ban Giám đốc Công ty TNHH May Hoàng Phúc`, `Công đoàn cơ sở Công ty
 * TNHH May Hoàng Phúc`). For each `organisation kind` word, the article's
 * one is the name from that word on, with an upper-case letter after it,
 * in the canonical forms of its ORGs (Công ty TNHH X in CĐCS Công ty TNHH
 * X too), named most often, the first named on a tie. An ORG whose
 * canonical form is a body's name and then the bare kind word gets that
 * name in its place. A longer kind is not the shorter it ends with
 * (Công đoàn Tổng công ty is not a Công ty's). Each ORG is lower-cased
 * once, for all kinds.
 */
static void org_kinds(struct work *w)
{
	const struct rules *r = w->r;
	struct owner *kv = NULL;    /* candidates: names from the kind on */
	struct kindorg *ko = NULL;
	size_t nk = 0, cap = 0, no = 0, d, i, k;
	struct buf low = BUF_INIT, nc = BUF_INIT;

	if (!r->has_kinds)
		return;
	sort_live(w);
	/* most documents name no body by a bare kind: nothing to do unless
	 * some ORG ends in a kind's last word (in lower case, as the kinds'
	 * last words are written whatever the case of the first) */
	for (i = 0, k = 0; i < w->nsorted && !k; i++) {
		const struct ent *x = &w->e[w->sorted[i]];
		size_t cn;
		const char *c;

		if (x->type != RT_ORG)
			continue;
		c = ent_canon(w, x, &cn);
		for (d = 0; d < r->norgd && !k; d++) {
			const struct provhead *ph = &r->orgd[d];
			const char *lw;
			size_t ln;

			if (ph->mode != ORGD_KIND)
				continue;
			lw = strrchr(ph->klow, ' ');
			lw = lw ? lw : ph->klow;
			ln = strlen(lw);
			k = cn >= ln && memcmp(c + cn - ln, lw, ln) == 0;
		}
	}
	if (!k)
		return;
	for (i = 0; i < w->nsorted; i++) {
		struct ent *x = &w->e[w->sorted[i]];
		size_t cn, at = low.n;
		const char *c;

		if (x->type != RT_ORG)
			continue;
		c = ent_canon(w, x, &cn);
		values_lower(c, cn, &low);
		if (low.n - at != cn) {
			low.n = at;
			continue;
		}
		if ((no & (no - 1)) == 0)
			ko = xrealloc(ko, (no ? 2 * no : 8) * sizeof(*ko));
		ko[no++] = (struct kindorg){ x, c, cn, at };
	}
	for (d = 0; d < r->norgd && no > 0; d++) {
		const struct provhead *ph = &r->orgd[d];
		size_t best = SIZE_MAX;

		if (ph->mode != ORGD_KIND)
			continue;
		nk = 0;
		for (i = 0; i < no; i++) {
			const struct kindorg *o = &ko[i];
			size_t at;

			if (o->x == NULL)
				continue;
			at = kind_at(r, low.p + o->lo, o->cn, ph->klow, ph->n);
			if (at == o->cn || at + ph->n + 1 >= o->cn ||
			    !has_upper(o->c + at + ph->n, o->cn - at - ph->n))
				continue;
			if (nk == cap) {
				cap = cap ? 2 * cap : 16;
				kv = xrealloc(kv, cap * sizeof(*kv));
			}
			kv[nk++] = (struct owner){ o->c + at, o->cn - at, 1, 0,
						   i, 0 };
		}
		if (nk == 0)
			continue;
		nk = group_owners(kv, nk);
		for (i = 0; i < nk; i++)
			if (best == SIZE_MAX || kv[i].count > kv[best].count ||
			    (kv[i].count == kv[best].count &&
			     kv[i].ord < kv[best].ord))
				best = i;
		for (i = 0; i < no; i++) {
			struct kindorg *o = &ko[i];
			size_t at = o->cn - ph->n;

			if (o->x == NULL || o->cn <= ph->n + 1 ||
			    memcmp(low.p + o->lo + at, ph->klow, ph->n) != 0 ||
			    !kind_here(r, low.p + o->lo, o->cn, at, ph->klow,
				       ph->n))
				continue;
			buf_reset(&nc);
			buf_add(&nc, o->c, at);
			buf_add(&nc, kv[best].name, kv[best].n);
			TRACE(w, "ORG %zu-%zu canonical '%.*s': the document's "
			      "%s (%s)", o->x->start, o->x->end, (int)nc.n,
			      nc.p, ph->head, ph->source);
			set_canon(o->x, &nc);
			/* its old canonical form is gone: done with it */
			o->x = NULL;
		}
	}
	free(kv);
	free(ko);
	buf_release(&low);
	buf_release(&nc);
}

/*
 * The abbreviations of the rule files written out in every ORG's canonical
 * form, as whole words (a byte before and after that is not an ASCII
 * letter or digit nor part of a letter beyond ASCII): Công ty TNHH May X
 * -> Công ty Trách nhiệm hữu hạn May X; an expansion of a dash alone
 * leaves the word out (LĐLĐ các huyện -> Liên đoàn Lao động huyện). Not
 * part of the document step: it needs nothing but the entity.
 */
static int word_byte(unsigned char c)
{
	return c >= 0x80 || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' &&
	       (c | 0x20) <= 'z');
}

static void abbreviations(struct work *w)
{
	const struct rules *r = w->r;
	struct buf b = BUF_INIT;

	if (r->nabbr == 0)
		return;
	for (size_t i = 0; i < w->ne; i++) {
		struct ent *x = &w->e[i];
		const char *c;
		size_t cn, at = 0, k, from, to, insn, changed = 0;

		if (x->removed || x->type != RT_ORG)
			continue;
		c = ent_canon(w, x, &cn);
		buf_reset(&b);
		for (k = 0; k < cn; k++) {
			const struct abbrev *ab = NULL;

			if (k > 0 && word_byte((unsigned char)c[k - 1]))
				continue;
			for (size_t a = 0; a < r->nabbr; a++)
				if (r->abbr[a].wn <= cn - k &&
				    memcmp(c + k, r->abbr[a].word,
					   r->abbr[a].wn) == 0 &&
				    (k + r->abbr[a].wn == cn ||
				     !word_byte((unsigned char)
						c[k + r->abbr[a].wn]))) {
					ab = &r->abbr[a];
					break;
				}
			if (ab == NULL)
				continue;
			/* a dash alone: the word left out, with the blank
			 * after it (or, at the end, the one before it) */
			from = k;
			to = k + ab->wn;
			insn = ab->en == 1 && ab->exp[0] == '-' ? 0 : ab->en;
			if (insn == 0 && to < cn && c[to] == ' ')
				to++;
			else if (insn == 0 && from > at && c[from - 1] == ' ')
				from--;
			TRACE(w, "abbreviation %s (%s) %s in the canonical form "
			      "of %zu-%zu", ab->word, ab->source, insn ?
			      "written out" : "left out", x->start, x->end);
			buf_add(&b, c + at, from - at);
			buf_add(&b, ab->exp, insn);
			at = to;
			k = at - 1;
			changed = 1;
		}
		if (!changed)
			continue;
		buf_add(&b, c + at, cn - at);
		set_canon(x, &b);
	}
	buf_release(&b);
}

static void doc_step(struct work *w)
{
	acronyms(w);
	coordinations(w);
	places(w);
	province_bodies(w);
	shared_bodies(w);
	org_bodies(w);
	org_kinds(w);
}

/* ---- writing the record -------------------------------------------------------------- */

/*
 * What this part writes is valid UTF-8 already (the record's text, cut at
 * code points; canonical forms and values made from it and from rule
 * files, which are checked when loaded; names of ours), so jansson's
 * _nocheck calls, which skip checking it again, give the same record.
 */

/* "T12", "R3": an id of kind c and number n (n >= 0). */
static void make_id(char *out, char c, long n)
{
	*out++ = c;
	out[buf_fmt_uint(out, n < 0 ? 0 : (unsigned long)n)] = '\0';
}

/* Point an input relation's arguments at the entities now standing for
 * them; 0 if one of them is gone. */
static int remap_input_rel(struct work *w, json_t *rel, json_t *ids,
			   const char **idof)
{
	json_t *args = json_object_get(rel, "args"), *v;
	const char *key;
	void *tmp;

	if (!json_is_object(args))
		return 0;
	json_object_foreach_safe(args, tmp, key, v) {
		json_t *ix = json_object_get(ids, json_string_value(v));
		long x = ix ? (long)json_integer_value(ix) : -1;

		while (x >= 0 && w->e[x].removed)
			x = w->e[x].replaced_by;
		if (x < 0 || idof[x] == NULL)
			return 0;
		json_object_set_new_nocheck(args, key, json_string_nocheck(idof[x]));
	}
	return 1;
}

/*
 * A relation all of whose arguments another of its type also has, with
 * more (meets A B beside meets A B on a date at a place, found by two
 * rules), says less about the same mentions: it goes. Relations of one
 * type that share their first two arguments are compared pairwise; input
 * relations are left as they are.
 */
static int cmp_subsume(const void *a, const void *b, void *arg)
{
	const struct frel *fr = arg;
	const struct frel *x = &fr[*(const size_t *)a];
	const struct frel *y = &fr[*(const size_t *)b];

	if (x->rel != y->rel)
		return x->rel < y->rel ? -1 : 1;
	for (int k = 0; k < 2; k++)
		if (x->args[k] != y->args[k])
			return x->args[k] < y->args[k] ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 :
	       *(const size_t *)a > *(const size_t *)b;
}

/* 1 if every argument of x is y's and y has one more. */
static int subsumed(const struct frel *x, const struct frel *y)
{
	int more = 0;

	for (size_t k = 0; k < RULES_MAX_ROLES; k++) {
		if (x->args[k] >= 0 && x->args[k] != y->args[k])
			return 0;
		more |= x->args[k] < 0 && y->args[k] >= 0;
	}
	return more;
}

static void subsume_relations(struct work *w)
{
	size_t *ix, n = 0, i, j, k, out;
	unsigned char *drop;

	if (w->nfr < 2)
		return;
	ix = xmalloc(w->nfr * sizeof(*ix));
	drop = xcalloc(w->nfr, 1);
	for (i = 0; i < w->nfr; i++)
		if (w->fr[i].rule != NULL)
			ix[n++] = i;
	qsort_r(ix, n, sizeof(*ix), cmp_subsume, w->fr);
	for (i = 0; i < n; i = j) {
		const struct frel *a = &w->fr[ix[i]];

		for (j = i + 1; j < n && w->fr[ix[j]].rel == a->rel &&
		     w->fr[ix[j]].args[0] == a->args[0] &&
		     w->fr[ix[j]].args[1] == a->args[1]; j++)
			;
		for (k = i; k < j; k++)
			for (size_t m = i; m < j && !drop[ix[k]]; m++)
				if (m != k && !drop[ix[m]] &&
				    subsumed(&w->fr[ix[k]], &w->fr[ix[m]])) {
					drop[ix[k]] = 1;
					TRACE(w, "relation %s from rule %s: "
					      "dropped, rule %s found it with "
					      "more arguments",
					      rules_relations[w->fr[ix[k]].rel].name,
					      w->fr[ix[k]].rule->name,
					      w->fr[ix[m]].rule->name);
				}
	}
	for (i = out = 0; i < w->nfr; i++)
		if (!drop[i])
			w->fr[out++] = w->fr[i];
	w->nfr = out;
	free(ix);
	free(drop);
}

static void write_out(struct work *w)
{
	json_t *old = doc_array(w->d, "entities", 0);
	json_t *oldrel = doc_array(w->d, "relations", 0);
	json_t *ents = json_array(), *rels = json_array(), *ids = NULL;
	/* ids borrowed from the entities' "id" strings, alive in ents */
	const char **idof = xcalloc(w->ne + 1, sizeof(*idof));
	size_t *order = xmalloc((w->ne + 1) * sizeof(*order)), n = 0, i;
	long next_t = old ? doc_next_id(old, 'T') : 1;
	long next_r = oldrel ? doc_next_id(oldrel, 'R') : 1;
	char idbuf[32];

	/* input relations name entities by id: a map, only for them */
	if (oldrel && json_array_size(oldrel) > 0)
		ids = json_object();
	for (i = 0; i < w->ne; i++) {
		if (ids && w->e[i].obj) {
			const char *id = json_string_value(
				json_object_get(w->e[i].obj, "id"));

			if (id)
				json_object_set_new_nocheck(ids, id,
						    json_integer((json_int_t)i));
		}
		if (!w->e[i].removed)
			order[n++] = i;
	}
	sort_ents(w, order, n);
	for (i = 0; i < n; i++) {
		struct ent *x = &w->e[order[i]];
		json_t *o;
		size_t tn;
		const char *t;

		if (x->obj) {
			o = json_incref(x->obj);
			if (x->canon_set)
				json_object_set_new_nocheck(o, "canonical",
						    json_string_nocheck(x->canonical));
			if (x->value_set)
				json_object_set_new_nocheck(o, "value",
						    json_string_nocheck(x->value));
			idof[order[i]] = json_string_value(
				json_object_get(o, "id"));
			json_array_append_new(ents, o);
			continue;
		}
		make_id(idbuf, 'T', next_t++);
		o = json_object();
		json_object_set_new_nocheck(o, "id", json_string_nocheck(idbuf));
		idof[order[i]] = json_string_value(json_object_get(o, "id"));
		json_object_set_new_nocheck(o, "type", json_string_nocheck(type_name(x)));
		json_object_set_new_nocheck(o, "start", json_integer((json_int_t)x->start));
		json_object_set_new_nocheck(o, "end", json_integer((json_int_t)x->end));
		t = span_text(w, x->start, x->end, &tn);
		json_object_set_new_nocheck(o, "text", json_stringn_nocheck(t, tn));
		if (x->canonical)
			json_object_set_new_nocheck(o, "canonical",
					    json_string_nocheck(x->canonical));
		if (x->value)
			json_object_set_new_nocheck(o, "value", json_string_nocheck(x->value));
		if (x->clsname)
			json_object_set_new_nocheck(o, "class", json_string_nocheck(x->clsname));
		json_object_set_new_nocheck(o, "source", json_string_nocheck(x->rule->source));
		json_array_append_new(ents, o);
	}
	/* input relations: kept, with arguments moved to replacements */
	if (oldrel) {
		json_t *r;

		json_array_foreach(oldrel, i, r) {
			json_t *copy = json_deep_copy(r);

			if (!remap_input_rel(w, copy, ids, idof)) {
				TRACE(w, "relation %s dropped: an argument "
				      "was removed",
				      json_string_value(json_object_get(r, "id")));
				json_decref(copy);
				continue;
			}
			json_array_append_new(rels, copy);
		}
	}
	for (i = 0; i < w->nfr; i++) {
		const struct frel *f = &w->fr[i];
		const struct rel_schema *sc = &rules_relations[f->rel];
		json_t *o = json_object(), *args = json_object();
		int ok = 1;

		for (size_t k = 0; k < RULES_MAX_ROLES; k++) {
			long x = f->args[k];

			while (x >= 0 && w->e[x].removed)
				x = w->e[x].replaced_by;
			if (f->args[k] >= 0 && x < 0)
				ok = 0;
			if (x >= 0)
				json_object_set_new_nocheck(args, sc->roles[k],
						    json_string_nocheck(idof[x]));
		}
		if (!ok) {
			TRACE(w, "relation %s from rule %s dropped: an "
			      "argument was removed later", sc->name,
			      f->rule->name);
			json_decref(o);
			json_decref(args);
			continue;
		}
		make_id(idbuf, 'R', next_r++);
		json_object_set_new_nocheck(o, "id", json_string_nocheck(idbuf));
		json_object_set_new_nocheck(o, "type", json_string_nocheck(sc->name));
		json_object_set_new_nocheck(o, "args", args);
		json_object_set_new_nocheck(o, "source", json_string_nocheck(f->rule->source));
		json_array_append_new(rels, o);
	}
	json_object_set_new_nocheck(w->d->root, "entities", ents);
	json_object_set_new_nocheck(w->d->root, "relations", rels);
	w->d->next_t = next_t;
	w->d->next_r = next_r;
	free(idof);
	free(order);
	json_decref(ids);
}

/* ---- the stage ------------------------------------------------------------------------- */

/* The prefilter bits of all pieces, the scans side by side in batches. */
static void scan_pieces(struct work *w)
{
	struct scan_job jobs[2 * RULES_SCAN_CHAINS];
	size_t low[2 * RULES_SCAN_CHAINS]; /* lower-cased: its piece + 1 */
	size_t nj = 0, i, k, nr = w->r->satstride;
	int wide = rules_has_wide_space(w->d->text, w->d->len);

	for (i = 0; i < w->npieces; i++) {
		struct piece *p = &w->pieces[i];
		uint8_t *set = w->satall + i * nr;

		memset(set, 0, nr);
		low[nj] = 0;
		jobs[nj++] = (struct scan_job){ w->r->scan_cs, w->d->text + p->bs,
						p->be - p->bs, set };
		if (w->r->any_ci) {
			piece_lower(w, p);
			low[nj] = i + 1;
			jobs[nj++] = (struct scan_job){ w->r->scan_ci, NULL,
							p->lowlen, set };
		}
		if (nj + 2 > 2 * RULES_SCAN_CHAINS || i + 1 == w->npieces) {
			/* the lower-cased texts now that lowall is done
			 * growing for them */
			for (k = 0; k < nj; k++)
				if (low[k])
					jobs[k].s = w->lowall.p +
						    w->pieces[low[k] - 1].lowoff;
			rules_scan_jobs(jobs, nj);
			nj = 0;
		}
	}
	for (i = 0; wide && i < w->npieces; i++) {
		rules_scan_spaced(w->r->scan_cs, w->satall + i * nr);
		if (w->r->any_ci)
			rules_scan_spaced(w->r->scan_ci, w->satall + i * nr);
	}
}

/* Bit j set if and only if byte j of x is not 0. */
static inline unsigned nonzero8(uint64_t x)
{
	const uint64_t lo7 = 0x7F7F7F7F7F7F7F7Fu;
	uint64_t t = ((((x & lo7) + lo7) | x) & ~lo7) >> 7;

	/* byte j's bit to bit 56 + j, no two products on one bit */
	return (unsigned)((t * 0x0102040810204080u) >> 56);
}

/*
 * Each piece's two bit sets of rules (w->pfall) from its clause bits,
 * eight rules at a time: a rule is ruled out if a clause only literals
 * satisfy misses, and passes at once if no clause misses.
 */
static void piece_masks(struct work *w)
{
	const struct rules *r = w->r;
	size_t nw = r->pfwords, i, g;

	for (i = 0; i < w->npieces; i++) {
		const uint8_t *sat = w->satall + i * r->satstride;
		uint64_t *feas = w->pfall + i * 2 * nw, *full = feas + nw;

		memset(feas, 0, 2 * nw * sizeof(*feas));
		for (g = 0; g < r->satstride; g += 8) {
			uint64_t st, nd, lo, miss;

			memcpy(&st, sat + g, 8);
			memcpy(&nd, r->needb + g, 8);
			memcpy(&lo, r->litonlyb + g, 8);
			miss = nd & ~st;
			feas[g >> 6] |= (uint64_t)(~nonzero8(miss & lo) & 0xFFu)
					<< (g & 63);
			full[g >> 6] |= (uint64_t)(~nonzero8(miss) & 0xFFu)
					<< (g & 63);
		}
	}
}

/* Pieces of a long sentence: cut at the last space before the limit
 * (a text with no space in the second half of the window is not cut). */
static size_t piece_end(struct work *w, size_t s, size_t e)
{
	size_t bs = w_byte(w, s), be = w_byte(w, e), cut;

	if (be - bs <= RULES_MAX_SENTENCE_BYTES)
		return e;
	cut = bs + RULES_MAX_SENTENCE_BYTES;
	while (cut > bs + RULES_MAX_SENTENCE_BYTES / 2 &&
	       w->d->text[cut] != ' ')
		cut--;
	if (w->d->text[cut] != ' ')
		return e;
	return w_cp(w, cut + 1);
}

/* Cut the text into pieces: its sentences, long ones cut further. */
static void make_pieces(struct work *w)
{
	json_t *sents = w->line ? NULL : doc_array(w->d, "sentences", 0), *sp;
	size_t nsent = sents ? json_array_size(sents) : 0, i, nl;

	if (w->line)
		nsent = w->nqsent;
	for (i = 0; i < (nsent ? nsent : 1); i++) {
		size_t s = 0, e = w->ncp, pe;

		if (nsent && w->line) {
			s = w->qsent[2 * i];
			e = w->qsent[2 * i + 1];
			if (e <= s)
				continue;
		} else if (nsent) {
			sp = json_array_get(sents, i);
			if (doc_span(sp, &s, &e) < 0 || e <= s)
				continue;
		}
		for (; s < e; s = pe) {
			struct piece *p;

			pe = piece_end(w, s, e);
			if (pe <= s)
				pe = e;
			if (w->npieces == w->cap_pieces) {
				w->cap_pieces = w->cap_pieces ?
						w->cap_pieces * 2 : 32;
				w->pieces = xrealloc(w->pieces, w->cap_pieces *
						     sizeof(*w->pieces));
			}
			p = &w->pieces[w->npieces++];
			p->cs = s;
			p->ce = pe;
			p->bs = w_byte(w, s);
			p->be = w_byte(w, pe);
			p->lowoff = 0;
			p->lowlen = 0;
			p->has_ee = -1;
			p->clean = p->has_shadow = 0;
		}
	}
	w->pieces_ordered = 1;
	for (i = 1; i < w->npieces; i++)
		if (w->pieces[i].cs < w->pieces[i - 1].ce)
			w->pieces_ordered = 0;
	nl = w->npieces * w->r->satstride + 1;
	if (nl > w->cap_satall) {
		free(w->satall);
		w->cap_satall = nl;
		w->satall = xmalloc(nl * sizeof(*w->satall));
	}
	nl = w->npieces * 2 * w->r->pfwords + 1;
	if (nl > w->cap_pfall) {
		free(w->pfall);
		w->cap_pfall = nl;
		w->pfall = xmalloc(nl * sizeof(*w->pfall));
	}
	/* every piece's prefilter bits now, for all the rules: from the
	 * literals sought as is in its text, those sought lower-cased in
	 * its lower-cased text */
	if (w->r->opts.no_prefilter) {
		/* every rule on every piece */
		memset(w->pfall, 0xFF, w->npieces * 2 * w->r->pfwords *
		       sizeof(*w->pfall));
	} else {
		scan_pieces(w);
		piece_masks(w);
	}
}

/* Words of a bit set of rules that a phase's masks are made for once. */
#define RULES_PHASE_WORDS 4

/* The bits of rules first .. first + n in word k of a bit set of rules. */
static inline uint64_t range_bits(size_t first, size_t n, size_t k)
{
	size_t lo = k * 64, a = first > lo ? first - lo : 0;
	size_t b = first + n - lo >= 64 ? 64 : first + n - lo;
	uint64_t hi = b == 64 ? ~(uint64_t)0 : ((uint64_t)1 << b) - 1;

	return hi & ~(((uint64_t)1 << a) - 1);
}

/* A piece's words in runb: the phase's rules over the shadow, then its
 * plain ones, one bit per rule. */
static size_t runb_words(const struct phase *ph)
{
	return 2 * ((ph->first + ph->n - 1) / 64 - ph->first / 64 + 1);
}

/* Which of them holds word k of the rules over the shadow (plain: over
 * the text). */
static size_t runb_word(const struct phase *ph, int plain, size_t k)
{
	return (size_t)plain * (runb_words(ph) / 2) + k - ph->first / 64;
}

/* Piece pi's subject for its rules over the shadow (plain: over the
 * text), as shadow_text() made it in this phase. */
static void set_subject(struct work *w, size_t pi, int plain)
{
	const struct piece *p = &w->pieces[pi];

	w->pi = pi;
	w->pc = &w->pieces[pi];
	w->cs = p->cs;
	w->ce = p->ce;
	w->bs = p->bs;
	w->be = p->be;
	if (plain || p->sh_text) {
		plain_subject(w);
		return;
	}
	w->sh = w->shadow.p + p->sh_at;
	w->shn = p->sh_n;
	w->sg = w->segs + p->sg_at;
	w->nsg = p->sg_n;
}


/*
 * Run the rules of one phase over every piece: those matched over the
 * shadow, then the plain ones over the text, in their order. A rule
 * whose literals rule it out in a piece costs nothing there: the rules
 * left are the bits of the piece's masks.
 *
 * First, piece by piece, which rules run there and the shadows they
 * need; then each rule over all its pieces in turn. Running one rule
 * over many pieces keeps its compiled code and the branches in it warm:
 * the matching takes less than half the time it took piece by piece,
 * with two hundred rules' code taking turns. What the matches make is
 * then put in the order of the pieces, so the record comes out as
 * matching piece by piece makes it. With --trace, pieces go one by one,
 * so that the log follows the text.
 */
static void phase_prepare(struct work *w, const struct phase *ph)
{
	const struct rules *r = w->r;
	size_t pos = 0, pi, nw = r->pfwords;
	size_t k0 = ph->first / 64, k1 = (ph->first + ph->n - 1) / 64, k;
	size_t pw = runb_words(ph);
	size_t keep = RULES_SHADOW_KEEP * w->d->len;
	/* the phase's rules over the shadow, then its plain ones, as bits
	 * of the words k0 .. k1 (a phase of up to RULES_PHASE_WORDS words
	 * has them made once) */
	uint64_t pm[2][RULES_PHASE_WORDS];
	int pre = k1 - k0 < RULES_PHASE_WORDS, by_piece = r->opts.trace;

	w->ns_before = w->ns;
	for (k = k0; pre && k <= k1; k++) {
		uint64_t rb = range_bits(ph->first, ph->n, k);

		pm[0][k - k0] = rb & ~r->plainw[k];
		pm[1][k - k0] = rb & r->plainw[k];
	}
	sort_live(w);
	/* the shadows this phase makes stay until its end */
	if (keep < RULES_SHADOW_KEEP_MIN)
		keep = RULES_SHADOW_KEEP_MIN;
	if (w->shadow.n > keep)
		shadows_drop(w);
	if (w->cap_runb < w->npieces * pw + 1) {
		w->cap_runb = 2 * (w->npieces * pw + 1);
		free(w->runb);
		w->runb = xmalloc(w->cap_runb * sizeof(*w->runb));
	}
	for (pi = 0; pi < w->npieces; pi++) {
		const uint8_t *sat = w->satall + pi * r->satstride;
		const uint64_t *feas = w->pfall + pi * 2 * nw, *full = feas + nw;
		const uint64_t *tok;
		uint64_t *run = w->runb + pi * pw, any = 0;

		shadow_masks(w, pi, &pos);
		/* every type, for every rule, without the prefilter */
		tok = r->typeok + (r->opts.no_prefilter ?
				   ((size_t)1 << RT_NTYPES) - 1 :
				   (size_t)w->types_present) * nw;
		for (int plain = 0; plain < 2; plain++) {
			for (k = k0; k <= k1; k++) {
				uint64_t m = feas[k] & tok[k] &
					     (pre ? pm[plain][k - k0] :
					     range_bits(ph->first, ph->n, k) &
					     (plain ? r->plainw[k] :
						      ~r->plainw[k]));
				uint64_t keepm = m;

				while (m) {
					size_t i = k * 64 +
						   (size_t)__builtin_ctzll(m);

					m &= m - 1;
					if (!(full[k] >> (i & 63) & 1) &&
					    !prefilter_ok(w, &r->pf[i], sat[i]))
						keepm &= ~((uint64_t)1 <<
							   (i & 63));
				}
				run[runb_word(ph, plain, k)] = keepm;
				if (!plain)
					any |= keepm;
			}
		}
		/* the shadow, made once for the first rule over it */
		if (any)
			shadow_text(w);
		if (!by_piece)
			continue;
		for (int plain = 0; plain < 2; plain++)
			for (k = k0; k <= k1; k++)
				for (uint64_t m = run[runb_word(ph, plain, k)];
				     m; m &= m - 1) {
					set_subject(w, pi, plain);
					run_rule(w, &r->rules[k * 64 + (size_t)
						 __builtin_ctzll(m)]);
				}
	}
}

/* The rules of word k of the phase (plain: those over the text) that run
 * on some piece of the record. */
static uint64_t phase_word(const struct work *w, const struct phase *ph,
			   int plain, size_t k)
{
	size_t pw = runb_words(ph), at = runb_word(ph, plain, k);
	uint64_t all = 0;

	if (w->r->opts.trace)
		return 0;   /* phase_prepare() ran them */
	for (size_t pi = 0; pi < w->npieces; pi++)
		all |= w->runb[pi * pw + at];
	return all;
}

/* Rule number k * 64 + b of the phase over each piece it runs on. */
static void phase_rule(struct work *w, const struct phase *ph, int plain,
		       size_t k, unsigned b)
{
	size_t pw = runb_words(ph), at = runb_word(ph, plain, k);
	const struct rule *ru = &w->r->rules[k * 64 + b];

	for (size_t pi = 0; pi < w->npieces && !w->bail; pi++)
		if (w->runb[pi * pw + at] >> b & 1) {
			set_subject(w, pi, plain);
			run_rule(w, ru);
		}
}

static void phase_finish(struct work *w)
{
	tell_stops(w);
	/* the candidates are put in order by resolve() */
	if (!w->r->opts.trace)
		sort_by_piece(w, w->pr, w->npr, sizeof(*w->pr),
			      offsetof(struct prel, pi));
	resolve(w, w->ns_before);
	bind_relations(w);
}

/*
 * The phases over the records w[0..m) whose live[] is set: in each phase,
 * each rule over every piece of every record in turn (phase_prepare()
 * says where each runs). A record a limit stopped goes the usual way
 * after the quick path: nothing more is done for it here.
 */
static void run_phases(struct work *w, int *live, size_t m)
{
	const struct rules *r = w[0].r;
	size_t i;

	for (size_t p = 0; p < r->nphases; p++) {
		const struct phase *ph = &r->phases[p];
		size_t k0, k1;

		if (ph->n == 0)
			continue;
		k0 = ph->first / 64;
		k1 = (ph->first + ph->n - 1) / 64;
		for (i = 0; i < m; i++)
			if (live[i])
				phase_prepare(&w[i], ph);
		for (int plain = 0; plain < 2; plain++)
			for (size_t k = k0; k <= k1; k++) {
				uint64_t all = 0;

				for (i = 0; i < m; i++)
					if (live[i])
						all |= phase_word(&w[i], ph,
								  plain, k);
				for (; all; all &= all - 1) {
					unsigned b = (unsigned)
						     __builtin_ctzll(all);

					for (i = 0; i < m; i++)
						if (live[i])
							phase_rule(&w[i], ph,
								   plain, k, b);
				}
			}
		for (i = 0; i < m; i++) {
			if (!live[i])
				continue;
			if (w[i].bail)
				live[i] = 0;
			else
				phase_finish(&w[i]);
		}
	}
}

/*
 * What one thread keeps from record to record: the buffers of struct
 * work (grown, never shrunk below what a record needed) and the PCRE2
 * match data and context, so that a record costs no allocation of them.
 * Freed when the thread ends (or by rules_thread_release).
 */
static pthread_key_t keep_key;
static pthread_once_t keep_once = PTHREAD_ONCE_INIT;
static int keep_key_ok;

/* A thread's keeps: one struct work's buffers per record of a batch
 * (rules_quick_batch), and one match data and context for them all. */
struct keeps {
	struct work *slot[RULES_BATCH_MAX];
	pcre2_match_data *md;
	pcre2_match_context *mc;
	uint64_t limits[3];  /* the context's limits as set */
};
static _Thread_local struct keeps *tl_keeps;

static void slot_free(struct work *k)
{
	if (k == NULL)
		return;
	free(k->e);
	free(k->c);
	free(k->sorted);
	free(k->segs);
	free(k->satall);
	free(k->pfall);
	free(k->pieces);
	free(k->c2b);
	free(k->b2c);
	free(k->tmp);
	bidx_free(&k->ex);
	bidx_free(&k->sx);
	free(k->hits);
	free(k->relh);
	free(k->qe);
	free(k->qsent);
	free(k->qids);
	free(k->runb);
	free(k->ord);
	buf_release(&k->qstr);
	buf_release(&k->qtext);
	buf_release(&k->lowall);
	buf_release(&k->shadow);
	for (size_t i = 0; i < 2 * RULES_TMPL_SCRATCH; i++)
		buf_release(&k->targ.b[i]);
	free(k);
}

static void keep_free(void *arg)
{
	struct keeps *ks = arg;

	if (ks == NULL)
		return;
	for (size_t i = 0; i < RULES_BATCH_MAX; i++)
		slot_free(ks->slot[i]);
	if (ks->md)
		pcre2_match_data_free(ks->md);
	if (ks->mc)
		pcre2_match_context_free(ks->mc);
	free(ks);
}

static void keep_make_key(void)
{
	keep_key_ok = pthread_key_create(&keep_key, keep_free) == 0;
}

void rules_thread_release(void)
{
	if (tl_keeps == NULL)
		return;
	pthread_once(&keep_once, keep_make_key);
	if (keep_key_ok)
		pthread_setspecific(keep_key, NULL);
	keep_free(tl_keeps);
	tl_keeps = NULL;
}

/* The offset tables, large enough for the record's text. */
static void take_tables(struct work *w)
{
	struct work *k = w->keep;
	size_t n = w->d->len + 1;

	if (w->d->len <= RULES_MAX_TABLE_TEXT && n > k->cap_tab) {
		free(k->c2b);
		free(k->b2c);
		k->c2b = xmalloc(n * sizeof(*k->c2b));
		k->b2c = xmalloc(n * sizeof(*k->b2c));
		k->cap_tab = n;
	}
	w->c2b = k->c2b;
	w->b2c = k->b2c;
}

/* The buffers of struct work a thread keeps from record to record: the
 * one list take_keep() and give_keep() hand over, field by field. */
#define KEEP_FIELDS(X) \
	X(e) X(cap_e) X(c) X(cap_c) X(sorted) X(cap_sorted) \
	X(segs) X(cap_segs) X(pieces) X(cap_pieces) X(satall) X(cap_satall) \
	X(pfall) X(cap_pfall) \
	X(tmp) X(cap_tmp) X(ex) X(sx) X(hits) X(cap_hits) X(relh) \
	X(cap_relh) X(shadow) X(lowall) X(qe) X(cap_qe) X(qsent) \
	X(cap_qsent) X(qids) X(cap_qids) X(qstr) X(qtext) X(targ) \
	X(runb) X(cap_runb) X(ord) X(cap_ord)

/* Lend w the buffers of this thread's keep number slot. */
static void take_keep(struct work *w, const struct rules *r, size_t slot)
{
	struct keeps *ks = tl_keeps;
	struct work *k;

	if (ks == NULL) {
		ks = tl_keeps = xcalloc(1, sizeof(*ks));
		pthread_once(&keep_once, keep_make_key);
		if (keep_key_ok)
			pthread_setspecific(keep_key, ks);
	}
	if ((k = ks->slot[slot]) == NULL) {
		k = ks->slot[slot] = xcalloc(1, sizeof(*k));
		buf_init(&k->shadow);
		buf_init(&k->lowall);
	}
	if (ks->md == NULL ||
	    pcre2_get_ovector_count(ks->md) != r->max_groups + 1) {
		if (ks->md)
			pcre2_match_data_free(ks->md);
		ks->md = pcre2_match_data_create(r->max_groups + 1, NULL);
	}
	if (ks->mc == NULL || ks->limits[0] != r->opts.match_limit ||
	    ks->limits[1] != r->opts.depth_limit ||
	    ks->limits[2] != r->opts.heap_limit_kb) {
		if (ks->mc == NULL)
			ks->mc = pcre2_match_context_create(NULL);
		pcre2_set_match_limit(ks->mc, (uint32_t)r->opts.match_limit);
		pcre2_set_depth_limit(ks->mc, (uint32_t)r->opts.depth_limit);
		pcre2_set_heap_limit(ks->mc, (uint32_t)r->opts.heap_limit_kb);
		ks->limits[0] = r->opts.match_limit;
		ks->limits[1] = r->opts.depth_limit;
		ks->limits[2] = r->opts.heap_limit_kb;
	}
	w->keep = k;
	w->slot = slot;
	take_tables(w);
#define TAKE(f) w->f = k->f;
	KEEP_FIELDS(TAKE)
#undef TAKE
	buf_reset(&w->shadow);
	buf_reset(&w->lowall);
	w->md = ks->md;
	w->mc = ks->mc;
}

/* Hand the buffers back. A slot other than the first gives up what a
 * long record made it grow to, so that a thread keeps at most one such
 * set, not one per slot. */
static void give_keep(struct work *w)
{
	struct work *k = w->keep;

#define GIVE(f) k->f = w->f;
	KEEP_FIELDS(GIVE)
#undef GIVE
	if (w->slot > 0 && w->d->len > RULES_KEEP_TEXT) {
		slot_free(k);
		tl_keeps->slot[w->slot] = NULL;
	}
}

/* The engine's work on a record whose text and input are in place:
 * before the phases, the phases, after them. */
static void work_begin(struct work *w)
{
	bidx_reset(&w->ex, w->ncp);
	bidx_reset(&w->sx, w->ncp);
	load_input(w);
	resolve_input(w);
	make_pieces(w);
}

static void work_end(struct work *w)
{
	if (!w->r->opts.no_doc_step)
		doc_step(w);
	abbreviations(w);
	subsume_relations(w);
}

static void run_work(struct work *w)
{
	int live = 1;

	work_begin(w);
	run_phases(w, &live, 1);
	if (live)
		work_end(w);
}

static void finish_work(struct work *w)
{
	free(w->nlater);
	free(w->ldone);
	free(w->stops);
	for (size_t i = 0; i < w->ne; i++)
		free_ent(&w->e[i]);
	/* a phase left unfinished (a record a limit stopped) */
	for (size_t i = 0; i < w->nc; i++)
		free_ent(&w->c[i]);
	w->nc = 0;
	free(w->s);
	free(w->pr);
	free(w->fr);
	give_keep(w);
}

int rules_stage(void *ctx, struct doc *d, struct vnie_error *err)
{
	const struct rules *r = ctx;
	struct work w;

	(void)err;
	memset(&w, 0, sizeof(w));
	w.r = r;
	w.d = d;
	w.id = doc_id(d);
	take_keep(&w, r, 0);
	if (d->len > RULES_MAX_TABLE_TEXT)
		w.c2b = w.b2c = NULL;
	build_offsets(&w);
	run_work(&w);
	write_out(&w);
	finish_work(&w);
	return 0;
}

/* ---- the quick path ------------------------------------------------------ */

#define KEY_IS JSONPARSE_KEY_IS

/* The content s[0..n) of a canonical string, unescaped if esc, with a NUL
 * after it, into w->qstr; its offset + 1. */
static size_t q_str(struct work *w, const char *s, size_t n, int esc)
{
	size_t at = w->qstr.n;

	buf_grow(&w->qstr, n + 1);
	if (esc)
		n = jsonparse_unescape(s, n, w->qstr.p + at);
	else
		memcpy(w->qstr.p + at, s, n);
	w->qstr.p[at + n] = '\0';
	w->qstr.n = at + n + 1;
	return at + 1;
}

enum { Q_ID, Q_TYPE, Q_CANON, Q_CLASS, Q_SOURCE };

/* One input entity object at *pp, into w->qe; -1 if it is not canonical
 * or lacks what doc_check() asks (the usual path then tells why). */
static int q_entity(struct work *w, const char **pp, const char *end)
{
	const char *q = *pp, *v;
	struct jsonparse_keys ks;
	struct qent *e;
	unsigned f, have = 0, seen = 0, bit;
	long long iv;
	int rc;

	if (q >= end || *q != '{')
		return -1;
	if (w->nqe == w->cap_qe) {
		w->cap_qe = w->cap_qe ? 2 * w->cap_qe : 64;
		w->qe = xrealloc(w->qe, w->cap_qe * sizeof(*w->qe));
	}
	e = &w->qe[w->nqe];
	memset(e, 0, sizeof(*e));
	e->raw = (size_t)(q - w->line);
	q++;
	ks.nk = 0;
	for (;;) {
		const char *k;
		size_t kn;

		/* the keys of entities told apart by a bit each, the
		 * others by comparing */
		if (jsonparse_canon_key(&q, end, NULL, &k, &kn) < 0)
			return -1;
		bit = KEY_IS(k, kn, "\"id\"") ? 1 : KEY_IS(k, kn, "\"type\"") ? 2
		      : KEY_IS(k, kn, "\"start\"") ? 4 : KEY_IS(k, kn, "\"end\"") ? 8
		      : KEY_IS(k, kn, "\"text\"") ? 16
		      : KEY_IS(k, kn, "\"canonical\"") ? 32
		      : KEY_IS(k, kn, "\"class\"") ? 64
		      : KEY_IS(k, kn, "\"source\"") ? 128
		      : KEY_IS(k, kn, "\"value\"") ? 256 : 0;
		if (bit != 0 ? (seen & bit) != 0
			     : jsonparse_keys_add(&ks, k, kn) < 0)
			return -1;
		seen |= bit;
		v = q;
		if (bit == 16) {
			/* compared with the text in quick_check(): valid
			 * UTF-8 if equal, and not used if not */
			if (jsonparse_canon_string_bytes(&q, end, &f) < 0 ||
			    (f & JSONPARSE_NUL))
				return -1;
			e->textat = (size_t)(v + 1 - w->line);
			e->textn = (size_t)(q - v) - 2;
			e->textesc = (f & JSONPARSE_ESC) != 0;
			have |= 16;
		} else if (bit == 4 || bit == 8) {
			if (jsonparse_canon_int(&q, end, &iv) < 0 || iv < 0)
				return -1;
			if (kn == 7) {
				e->start = (size_t)iv;
				have |= 1;
			} else {
				e->end = (size_t)iv;
				have |= 2;
			}
		} else if (v < end && *v == '"') {
			const char *c = v + 1;
			size_t cn;
			int esc;

			if (jsonparse_canon_string(&q, end, &f) < 0 ||
			    (f & JSONPARSE_NUL))
				return -1;
			cn = (size_t)(q - c) - 1;
			esc = (f & JSONPARSE_ESC) != 0;
			if (KEY_IS(k, kn, "\"id\"")) {
				e->idat = (size_t)(v - w->line);
				e->idn = (size_t)(q - v);
				e->so[Q_ID] = q_str(w, c, cn, esc);
				have |= 4;
			} else if (KEY_IS(k, kn, "\"type\"")) {
				e->so[Q_TYPE] = q_str(w, c, cn, esc);
				have |= 8;
			} else if (KEY_IS(k, kn, "\"text\"")) {
				e->textat = (size_t)(c - w->line);
				e->textn = cn;
				e->textesc = esc;
				have |= 16;
			} else if (KEY_IS(k, kn, "\"canonical\"")) {
				e->has_canon = 1;
				e->cat = (size_t)(v - w->line);
				e->cend = (size_t)(q - w->line);
				e->so[Q_CANON] = q_str(w, c, cn, esc);
			} else if (KEY_IS(k, kn, "\"class\"")) {
				e->so[Q_CLASS] = q_str(w, c, cn, esc);
			} else if (KEY_IS(k, kn, "\"source\"")) {
				e->so[Q_SOURCE] = q_str(w, c, cn, esc);
			} else if (KEY_IS(k, kn, "\"value\"")) {
				e->has_value = 1;
			}
		} else {
			if (KEY_IS(k, kn, "\"id\"") || KEY_IS(k, kn, "\"type\"") ||
			    KEY_IS(k, kn, "\"text\"") ||
			    jsonparse_canon_value(&q, end) < 0)
				return -1;
			if (KEY_IS(k, kn, "\"canonical\"")) {
				e->has_canon = 1;
				e->cat = (size_t)(v - w->line);
				e->cend = (size_t)(q - w->line);
			} else if (KEY_IS(k, kn, "\"value\"")) {
				e->has_value = 1;
			}
		}
		rc = jsonparse_canon_next(&q, end, '}');
		if (rc > 0)
			continue;
		if (rc < 0)
			return -1;
		break;
	}
	if (have != 31)
		return -1;
	e->rawn = (size_t)(q - w->line) - e->raw;
	w->nqe++;
	*pp = q;
	return 0;
}

/*
 * Read the record in line[0..n) for the quick path: canonical JSON (so
 * that what is not changed may be copied as it came), a string "text",
 * no "relations" (their arguments would need mapping) and nothing that
 * is not a record; the text into d, the rest into w. -1 to go the usual
 * way.
 */
static int quick_read(struct work *w, struct doc *d, size_t n)
{
	const char *line = w->line, *q = line + 1, *end = line + n, *v;
	struct jsonparse_keys ks;
	size_t idoff = 0, i, k;
	unsigned f;
	int have_text = 0, rc;

	if (n < 2 || line[0] != '{' || line[n - 1] != '}')
		return -1;
	ks.nk = 0;
	for (;;) {
		const char *key;
		size_t kn;

		if (jsonparse_canon_key(&q, end, &ks, &key, &kn) < 0)
			return -1;
		v = q;
		if (KEY_IS(key, kn, "\"text\"")) {
			if (jsonparse_canon_text(&q, end, &w->qtext, &d->text,
						 &d->len, &f) < 0)
				return -1;
			have_text = 1;
		} else if (KEY_IS(key, kn, "\"id\"")) {
			if (jsonparse_canon_string(&q, end, &f) < 0 ||
			    (f & JSONPARSE_NUL))
				return -1;
			idoff = q_str(w, v + 1, (size_t)(q - v) - 2,
				      (f & JSONPARSE_ESC) != 0);
		} else if (KEY_IS(key, kn, "\"error\"") ||
			   KEY_IS(key, kn, "\"relations\"")) {
			return -1;
		} else if (KEY_IS(key, kn, "\"entities\"")) {
			if (*q++ != '[')
				return -1;
			if (q < end && *q == ']') {
				q++;
			} else {
				do {
					if (q_entity(w, &q, end) < 0)
						return -1;
				} while ((rc = jsonparse_canon_next(&q, end,
								  ']')) > 0);
				if (rc < 0)
					return -1;
			}
			w->ents_at = (size_t)(v - line);
			w->ents_end = (size_t)(q - line);
		} else if (KEY_IS(key, kn, "\"sentences\"")) {
			if (jsonparse_canon_pairs(&q, end, &w->qsent,
						  &w->nqsent, &w->cap_qsent) < 0)
				return -1;
		} else if (jsonparse_canon_value(&q, end) < 0) {
			return -1;
		}
		rc = jsonparse_canon_next(&q, end, '}');
		if (rc > 0)
			continue;
		if (rc < 0 || q != end)
			return -1;
		break;
	}
	if (!have_text)
		return -1;
	w->rec_end = n - 1;
	w->id = idoff ? w->qstr.p + idoff - 1 : "";
	for (i = 0; i < w->nqe; i++) {
		struct qent *e = &w->qe[i];
		const char **to[5] = { &e->id, &e->type, &e->canonical,
				       &e->cls, &e->source };

		for (k = 0; k < 5; k++)
			*to[k] = e->so[k] ? w->qstr.p + e->so[k] - 1 : NULL;
	}
	return 0;
}

/* What doc_check() asks of the record read by quick_read(); -1 if it
 * would reject it. */
static int quick_check(struct work *w)
{
	struct buf tmp = BUF_INIT;
	size_t i, mask, h, bs, be;
	int rc = -1;

	for (i = 0; i < w->nqsent; i++)
		if (w->qsent[2 * i] > w->qsent[2 * i + 1] ||
		    w->qsent[2 * i + 1] > w->ncp)
			return -1;
	for (h = 16; h < 2 * w->nqe; h *= 2)
		;
	if (h > w->cap_qids) {
		free(w->qids);
		w->qids = xmalloc(h * sizeof(*w->qids));
		w->cap_qids = h;
	}
	memset(w->qids, 0, h * sizeof(*w->qids));
	mask = h - 1;
	for (i = 0; i < w->nqe; i++) {
		const struct qent *e = &w->qe[i];
		const char *id = w->line + e->idat, *t = w->line + e->textat;
		size_t tn = e->textn;
		uint64_t x = 1469598103934665603u;

		if (e->start > e->end || e->end > w->ncp)
			goto out;
		/* the same string is the same canonical bytes */
		for (size_t k = 0; k < e->idn; k++)
			x = (x ^ (unsigned char)id[k]) * 1099511628211u;
		for (h = x & mask; w->qids[h] != 0; h = (h + 1) & mask) {
			const struct qent *o = &w->qe[w->qids[h] - 1];

			if (o->idn == e->idn &&
			    memcmp(w->line + o->idat, id, e->idn) == 0)
				goto out;
		}
		w->qids[h] = i + 1;
		bs = w_byte(w, e->start);
		be = w_byte(w, e->end);
		if (e->textesc) {
			buf_reset(&tmp);
			buf_grow(&tmp, tn);
			tn = jsonparse_unescape(t, tn, tmp.p);
			t = tmp.p;
		}
		if (tn != be - bs || memcmp(t, w->d->text + bs, tn) != 0)
			goto out;
	}
	rc = 0;
out:
	buf_release(&tmp);
	return rc;
}

/* A string literal's bytes, its length known when compiled. */
#define q_lit(out, lit) buf_add((out), "" lit, sizeof(lit) - 1)

static void q_string(struct buf *out, const char *s)
{
	json_write_string(s, strlen(s), out);
}

/*
 * write_out() for the quick path: the output line written straight from
 * the input line and the engine's entities, byte-identical to what
 * write_out() and json_write() make of the parsed record. The record's
 * keys stay in their order and unchanged ones are copied; "entities" is
 * rewritten in its place (or added at the end), then "relations" added.
 */
static void write_quick(struct work *w)
{
	struct buf *out = w->out;
	const char *line = w->line;
	/* for relations: the id number of each new entity, -1 for input */
	long *tnum = xmalloc((w->ne + 1) * sizeof(*tnum));
	size_t *order = xmalloc((w->ne + 1) * sizeof(*order)), n = 0, i, tn;
	long next_t = 1, next_r = 1;
	const char *t;

	if (w->ents_end > 0)
		for (i = 0; i < w->nqe; i++)
			next_t = doc_id_next(w->qe[i].id, 'T', next_t);
	/* the live entities in order: the list the phases kept, if it holds
	 * them all (it leaves out empty ones) */
	for (i = 0; i < w->ne; i++)
		if (!w->e[i].removed)
			order[n++] = i;
	sort_live(w);
	if (w->nsorted == n)
		memcpy(order, w->sorted, n * sizeof(*order));
	else
		sort_ents(w, order, n);
	if (w->ents_end > 0) {
		buf_add(out, line, w->ents_at);
		buf_addc(out, '[');
	} else {
		buf_add(out, line, w->rec_end);
		q_lit(out, ",\"entities\":[");
	}
	for (i = 0; i < n; i++) {
		struct ent *x = &w->e[order[i]];
		const struct qent *q = x->q;

		if (i > 0)
			buf_addc(out, ',');
		if (q != NULL) {
			size_t a = q->raw, b = q->raw + q->rawn - 1;

			tnum[order[i]] = -1;
			if (!(x->canon_set && x->canonical) &&
			    !(x->value_set && x->value)) {
				buf_add(out, line + a, q->rawn);
				continue;
			}
			/* a key set anew keeps its place; a new key goes
			 * last */
			if (x->canon_set && x->canonical && q->has_canon) {
				buf_add(out, line + a, q->cat - a);
				q_string(out, x->canonical);
				a = q->cend;
			}
			buf_add(out, line + a, b - a);
			if (x->canon_set && x->canonical && !q->has_canon) {
				q_lit(out, ",\"canonical\":");
				q_string(out, x->canonical);
			}
			if (x->value_set && x->value) {
				q_lit(out, ",\"value\":");
				q_string(out, x->value);
			}
			buf_addc(out, '}');
			continue;
		}
		tnum[order[i]] = next_t;
		q_lit(out, "{\"id\":\"T");
		buf_add_uint(out, (size_t)next_t++);
		q_lit(out, "\",\"type\":");
		q_string(out, type_name(x));
		q_lit(out, ",\"start\":");
		buf_add_uint(out, x->start);
		q_lit(out, ",\"end\":");
		buf_add_uint(out, x->end);
		q_lit(out, ",\"text\":");
		t = span_text(w, x->start, x->end, &tn);
		json_write_string(t, tn, out);
		if (x->canonical) {
			q_lit(out, ",\"canonical\":");
			q_string(out, x->canonical);
		}
		if (x->value) {
			q_lit(out, ",\"value\":");
			q_string(out, x->value);
		}
		if (x->clsname) {
			q_lit(out, ",\"class\":");
			q_string(out, x->clsname);
		}
		q_lit(out, ",\"source\":");
		buf_add(out, x->rule->source_json, x->rule->source_jn);
		buf_addc(out, '}');
	}
	buf_addc(out, ']');
	if (w->ents_end > 0)
		buf_add(out, line + w->ents_end, w->rec_end - w->ents_end);
	q_lit(out, ",\"relations\":[");
	for (i = 0; i < w->nfr; i++) {
		const struct frel *f = &w->fr[i];
		const struct rel_schema *sc = &rules_relations[f->rel];
		long arg[RULES_MAX_ROLES];
		size_t k, nargs = 0;
		int ok = 1;

		for (k = 0; k < RULES_MAX_ROLES; k++) {
			long x = f->args[k];

			while (x >= 0 && w->e[x].removed)
				x = w->e[x].replaced_by;
			if (f->args[k] >= 0 && x < 0)
				ok = 0;
			arg[k] = x;
		}
		if (!ok)
			continue;
		if (next_r > 1)
			buf_addc(out, ',');
		q_lit(out, "{\"id\":\"R");
		buf_add_uint(out, (size_t)next_r++);
		q_lit(out, "\",\"type\":");
		q_string(out, sc->name);
		q_lit(out, ",\"args\":{");
		for (k = 0; k < RULES_MAX_ROLES; k++) {
			long x = arg[k];

			if (x < 0)
				continue;
			if (nargs++ > 0)
				buf_addc(out, ',');
			q_string(out, sc->roles[k]);
			buf_addc(out, ':');
			if (tnum[x] < 0) {
				q_string(out, w->e[x].q->id);
			} else {
				q_lit(out, "\"T");
				buf_add_uint(out, (size_t)tnum[x]);
				buf_addc(out, '"');
			}
		}
		q_lit(out, "},\"source\":");
		buf_add(out, f->rule->source_json, f->rule->source_jn);
		buf_addc(out, '}');
	}
	q_lit(out, "]}");
	free(tnum);
	free(order);
}

/* Set up w and d for the quick path of line[0..n) with keep slot `slot`;
 * 0 if the record can take it. */
static int quick_begin(struct work *w, struct doc *d, const struct rules *r,
		       const char *line, size_t n, struct buf *out,
		       size_t slot)
{
	memset(d, 0, sizeof(*d));
	d->next_t = d->next_r = -1;
	memset(w, 0, sizeof(*w));
	w->r = r;
	w->d = d;
	w->line = line;
	w->out = out;
	take_keep(w, r, slot);
	buf_reset(&w->qstr);
	if (quick_read(w, d, n) < 0)
		return -1;
	take_tables(w);
	if (d->len > RULES_MAX_TABLE_TEXT)
		w->c2b = w->b2c = NULL;
	build_offsets(w);
	if (quick_check(w) < 0)
		return -1;
	return 0;
}

int rules_quick(void *ctx, const char *line, size_t n, struct buf *out)
{
	struct work w;
	struct doc d;
	int ok = 0;

	if (quick_begin(&w, &d, ctx, line, n, out, 0) < 0)
		goto out;
	run_work(&w);
	if (w.bail)
		goto out;
	write_quick(&w);
	ok = 1;
out:
	finish_work(&w);
	doc_release(&d);
	return ok;
}

/*
 * Several records at once: each phase runs over all of them, and each
 * rule of the phase over every piece of every record in turn, which
 * keeps the rule's compiled code and branches warm (run_phases()).
 */
void rules_quick_batch(void *ctx, size_t n, const char *const *lines,
		       const size_t *lens, struct buf *outs, int *ok)
{
	const struct rules *r = ctx;
	struct work *w;
	struct doc *d;
	int *live;
	size_t from, i;

	if (r->opts.trace || r->stats) {
		for (i = 0; i < n; i++)
			ok[i] = rules_quick(ctx, lines[i], lens[i], &outs[i]);
		return;
	}
	w = xmalloc(RULES_BATCH_MAX * sizeof(*w));
	d = xmalloc(RULES_BATCH_MAX * sizeof(*d));
	live = xmalloc(RULES_BATCH_MAX * sizeof(*live));
	for (from = 0; from < n; from += RULES_BATCH_MAX) {
		size_t m = n - from < RULES_BATCH_MAX ? n - from :
			   RULES_BATCH_MAX, big = 0;

		/* the longest record takes the first slot, whose buffers
		 * stay however long it is (give_keep()) */
		for (i = 1; i < m; i++)
			if (lens[from + i] > lens[from + big])
				big = i;
		for (i = 0; i < m; i++) {
			ok[from + i] = 0;
			live[i] = quick_begin(&w[i], &d[i], r, lines[from + i],
					      lens[from + i], &outs[from + i],
					      i == big ? 0 : i < big ? i + 1 :
					      i) == 0;
			if (live[i])
				work_begin(&w[i]);
		}
		run_phases(w, live, m);
		for (i = 0; i < m; i++) {
			if (live[i]) {
				work_end(&w[i]);
				write_quick(&w[i]);
				ok[from + i] = 1;
			}
			finish_work(&w[i]);
			doc_release(&d[i]);
		}
	}
	free(w);
	free(d);
	free(live);
}

/* ---- --stats ------------------------------------------------------------------------------ */

static _Thread_local const struct rules *tl_stats_r;

static int cmp_cost(const void *a, const void *b)
{
	const struct rule_stats *s = tl_stats_r->stats;
	unsigned long long x = s[*(const size_t *)a].ns;
	unsigned long long y = s[*(const size_t *)b].ns;

	if (x != y)
		return x > y ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

void rules_report_stats(const struct rules *r, void (*log)(const char *))
{
	size_t *order, i;
	char line[512];

	if (r->stats == NULL || log == NULL || r->nrules == 0)
		return;
	order = xmalloc(r->nrules * sizeof(*order));
	for (i = 0; i < r->nrules; i++)
		order[i] = i;
	tl_stats_r = r;
	qsort(order, r->nrules, sizeof(*order), cmp_cost);
	for (i = 0; i < r->nrules; i++) {
		const struct rule *ru = &r->rules[order[i]];
		const struct rule_stats *s = &r->stats[order[i]];

		snprintf(line, sizeof(line), "stats: %s (%s): %.1f ms, ran on "
			 "%llu sentences, %llu matches, %llu entities kept, "
			 "%llu lost, %llu relations", ru->name, ru->source,
			 (double)s->ns / 1e6, (unsigned long long)s->runs,
			 (unsigned long long)s->matches,
			 (unsigned long long)s->kept,
			 (unsigned long long)s->lost,
			 (unsigned long long)s->rels);
		log(line);
	}
	free(order);
}
