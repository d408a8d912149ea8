/*
 * rules_int.h: what the parts of the rule engine share and nothing else
 * includes: the compiled rule set (rules_parse.c builds it, rules.c runs
 * it) and templates (rules_tmpl.c). Not an interface: see rules.h.
 */
#ifndef VNIE_RULES_INT_H
#define VNIE_RULES_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdint.h>

#include "buf.h"
#include "rules.h"

/* Entity types of ANNOTATION.md; RT_OTHER stands for any other type an
 * earlier stage may have produced. */
enum {
	RT_ORG, RT_PERSON, RT_TITLE, RT_LOC, RT_DATE, RT_PERIOD, RT_DOCUMENT,
	RT_EVENT, RT_MOVEMENT, RT_QUANTITY, RT_OTHER, RT_NTYPES
};
extern const char *const rules_type_names[RT_OTHER];
int rules_type_index(const char *s, size_t n); /* -1 if unknown */

/*
 * The shadow's placeholders: entity (type t, class c) is the private-use
 * character RULES_PUA + t * RULES_PUA_STRIDE + c, where c is 0 for no
 * class (or one no rule names) and 1..RULES_MAX_CLASSES otherwise.
 */
#define RULES_PUA 0xE000u
#define RULES_PUA_STRIDE 64u
#define RULES_PUA_END (RULES_PUA + RT_NTYPES * RULES_PUA_STRIDE)

/* Relation types and their roles. */
#define RULES_MAX_ROLES 4
struct rel_schema {
	const char *name;
	const char *roles[RULES_MAX_ROLES];
	unsigned types[RULES_MAX_ROLES];  /* bit mask of entity types */
	unsigned required;                /* bit mask of required roles */
	unsigned one_of;                  /* at least one of these roles */
};
extern const struct rel_schema rules_relations[];
extern const size_t rules_nrelations;

/* A template: literal text, $group, $group.canonical, function calls. */
enum { TN_LIT, TN_GROUP, TN_CANON, TN_CALL };
enum { TF_DATE, TF_INT, TF_PERIOD, TF_UPPERFIRST, TF_LOWER, TF_NOLEVEL,
       TF_N };
struct tmpl;
struct tnode {
	int kind;            /* TN_* */
	char *lit;           /* TN_LIT: the text, owned */
	size_t litn;
	int group;           /* TN_GROUP, TN_CANON: group number */
	int fn;              /* TN_CALL: TF_* */
	struct tmpl *args;   /* TN_CALL: nargs templates, owned */
	size_t nargs;
};
struct tmpl {
	struct tnode *nodes;
	size_t n;
};

/* Evaluation needs the text of a group and the canonical of the entity
 * exactly at a group; rules.c provides both, and may lend buffers for the
 * arguments of function calls (two per level of nesting, kept from call
 * to call; deeper calls allocate their own). */
#define RULES_TMPL_SCRATCH 4
struct tmpl_env {
	void *arg;
	struct buf *scratch;  /* 2 * RULES_TMPL_SCRATCH buffers, or NULL */
	/* group's text; 0 if the group did not take part */
	int (*text)(void *arg, int group, const char **s, size_t *n);
	/* canonical of the entity exactly at the group, else its text */
	int (*canon)(void *arg, int group, const char **s, size_t *n);
};

/*
 * Parse a template from s[0..n); group names are looked up in re.
 * Returns NULL with err and *errat (byte offset in s) on error.
 */
struct tmpl *tmpl_parse(const char *s, size_t n, const pcre2_code *re,
			struct vnie_error *err, size_t *errat);
void tmpl_free(struct tmpl *t);
/* Append the template's value; -1 if a function could not read its
 * argument (the field is then left out). */
int tmpl_eval(const struct tmpl *t, const struct tmpl_env *env,
	      struct buf *out);

/* What a rule does with a match. */
enum { ACT_ENTITY, ACT_RELATION, ACT_SUPPRESS, ACT_LATER, ACT_ANYWHERE };
struct role {
	int role;           /* index in the schema's roles */
	int group;          /* group number */
	unsigned types;     /* entity types it accepts (mask) */
	int each;           /* GROUP*: one relation per nested entity */
};
struct action {
	int kind;           /* ACT_* */
	int type;           /* entity type; -1 for '*' (suppress) */
	int group;          /* entity/suppress: the span's group */
	struct tmpl *canonical, *value;  /* owned, or NULL */
	char *cls;          /* class=NAME, owned, or NULL */
	int rel;            /* relation: index in rules_relations */
	struct role roles[RULES_MAX_ROLES];
	size_t nroles;
};

/*
 * A required atom of a rule's prefilter: a literal the shadow must hold
 * (case-sensitive or, for (?i) parts, on the lower-cased shadow), an
 * ASCII digit, or an entity type or class that must be present.
 */
enum { AT_LIT, AT_LITCI, AT_DIGIT, AT_TYPE, AT_CLASS };
struct atom {
	int kind;
	int id;            /* literal index, type or class */
};
#define RULES_MAX_ATOMS 48   /* alternatives in one clause */
#define RULES_MAX_CLAUSES 4  /* clauses kept per rule */
struct clause {
	struct atom a[RULES_MAX_ATOMS];
	size_t n;
	/* the same atoms, folded for one test each (rules_clause_fold):
	 * entity types and classes as masks, digits as a flag, and the
	 * literals, which a[lit0 .. n) holds */
	unsigned tmask;
	uint64_t cmask;
	int digit;
	size_t lit0;
};

void rules_clause_fold(struct clause *c);

/*
 * A rule's prefilter as the run tests it, clause k of its req[] being
 * bit k: the scan of a piece sets the bits of the clauses its literals
 * (a digit being ten literals) satisfy (struct rules' marks), and a
 * clause left is tested on its entity types and classes. Kept apart
 * from struct rule so that a test reads a few bytes.
 */
struct rule_pf {
	uint8_t need;        /* all its clauses */
	uint8_t other;       /* clauses with an entity type or class atom */
	unsigned tmask[RULES_MAX_CLAUSES];
	uint64_t cmask[RULES_MAX_CLAUSES];
};

struct rule {
	char *name;          /* owned */
	char *source;        /* "rules/x.rules:12", owned */
	char *source_json;   /* the same as a JSON string, owned */
	size_t source_jn;
	int priority;
	size_t order;        /* position in the whole rule set */
	size_t phase;
	pcre2_code *re;      /* owned */
	int jit;             /* JIT-compiled */
	int plain;           /* matched over the text, not the shadow */
	uint32_t ngroups;    /* capture groups */
	struct action *acts; /* owned */
	size_t nacts;
	struct clause req[RULES_MAX_CLAUSES]; /* all must hold, else skip */
	size_t nreq;
};

struct lit {
	char *s;    /* owned; lower-cased for AT_LITCI */
	size_t n;
	int ci;     /* sought in the lower-cased text (AT_LITCI) */
};

/* The hash of a bigram, for quick tests that a text cannot hold a word. */
static inline unsigned rules_bigram(unsigned char a, unsigned char b)
{
	return (((unsigned)a * 0x9Fu) ^ ((unsigned)b * 0x3Bu) ^
		((unsigned)a >> 3)) & 4095u;
}

/*
 * All the literals of one kind (ci: those sought in the lower-cased text)
 * at once, rules_scan.c: rules_scan() sets the marks of every literal of
 * that kind that occurs in s[0..n) in the byte array set. Literal i's
 * marks are marks[at[i] .. at[i + 1]), each a byte index << 8 | the bits
 * to set there; with marks NULL, its one mark is bit i of a literal set.
 * set is written eight bytes at a time: it has room for whole words of
 * eight bytes around every byte a mark names.
 */
struct lit_scan;
struct lit_scan *rules_scan_build(const struct lit *lits, size_t nlits,
				  int ci, const uint32_t *at,
				  const uint32_t *marks);
void rules_scan_free(struct lit_scan *sc);
/* Literals hold a blank for \s, \s+ or a space, and a scan reads a run
 * of ASCII white space as one blank. A text with white space beyond ASCII
 * (rules_has_wide_space()) may match \s where the scan sees no blank:
 * rules_scan_spaced() sets the marks of every literal with a blank. */
int rules_has_wide_space(const char *s, size_t n);
void rules_scan_spaced(const struct lit_scan *sc, uint8_t *set);
void rules_scan(const struct lit_scan *sc, const char *s, size_t n,
		uint8_t *set);
/* Scans to do, RULES_SCAN_CHAINS at a time side by side (the walks do
 * not wait on each other, so the table loads overlap). */
#define RULES_SCAN_CHAINS 4
struct scan_job {
	const struct lit_scan *sc;
	const char *s;
	size_t n;
	uint8_t *set;
};
void rules_scan_jobs(const struct scan_job *jobs, size_t njobs);

struct phase {
	char *name;          /* display path of the file, owned */
	size_t first, n;     /* its rules: rules[first .. first + n) */
};

/* What --stats counts per rule; updated by every thread at once. */
struct rule_stats {
	_Atomic unsigned long long runs;    /* pieces of text it ran on */
	_Atomic unsigned long long matches;
	_Atomic unsigned long long kept;    /* entities accepted */
	_Atomic unsigned long long lost;    /* entities dropped */
	_Atomic unsigned long long rels;    /* relations added */
	_Atomic unsigned long long ns;      /* time matching */
};

/*
 * A body of a province that articles name without its place (Sở Nội vụ,
 * Tỉnh ủy): the document-level step appends the document's province to
 * an ORG whose canonical form is head, or head and more words, and names
 * no place (the `province` directive, docs/rules.md).
 */
enum { PROV_LEVEL, PROV_NAME, PROV_CITY_NAME };

/*
 * The document's organisation (the `organisation` directive): an ORG under
 * an owner head may be it; an ORG whose canonical form is a body head
 * exactly (Ban Chấp hành) gets it appended; an ORG under an abroad head
 * (Liên hiệp Công đoàn tỉnh) takes a foreign place of its level first; an
 * ORG that ends in a bare kind head (CĐCS công ty) takes the name of that
 * kind the document gives most (Công ty TNHH X).
 */
enum { ORGD_OWNER, ORGD_BODY, ORGD_ABROAD, ORGD_KIND };
struct provhead {
	char *head;          /* owned */
	size_t n;
	int more;            /* "HEAD ...": more words must follow */
	int mode;            /* PROV_*: "tỉnh Nghệ An", "Nghệ An", or the
			      * name only where the province is a city */
	char *source;        /* owned: "rules/x.rules:3", for --trace */
	char *klow;          /* owned: an organisation kind's head in lower
			      * case (same length), else NULL */
};

/* An abbreviation written out in the canonical forms of ORGs: `abbreviation
 * WORD EXPANSION` (TNHH -> Trách nhiệm hữu hạn). */
struct abbrev {
	char *word, *exp;    /* owned */
	size_t wn, en;
	char *source;        /* owned: "rules/x.rules:3", for --trace */
};

struct rules {
	struct rules_opts opts;
	struct rule_stats *stats; /* per rule, with opts.stats; else NULL */
	struct rule *rules;
	size_t nrules;
	struct phase *phases;
	size_t nphases;
	char **classes;      /* class names named by @class: index + 1 */
	size_t nclasses;
	struct lit *lits;    /* prefilter literals, deduplicated */
	size_t nlits;
	struct rule_pf *pf;  /* per rule, its prefilter */
	/* the same for eight rules at a time: per rule a byte of its
	 * clauses (need) and of those only literals satisfy (litonly),
	 * satstride bytes (nrules rounded up to 8, the rest 0); and a
	 * bit set of the plain rules, pfwords words */
	uint8_t *needb, *litonlyb;
	size_t satstride, pfwords;
	uint64_t *plainw;
	/* per set T of entity types present (a bit each, 1 << RT_NTYPES
	 * sets), the rules whose clauses of entity types alone T satisfies:
	 * pfwords words from typeok + T * pfwords */
	uint64_t *typeok;
	/* the clauses each literal satisfies, as marks of rules_scan():
	 * literal i's are marks[mark_at[i] .. mark_at[i + 1]), each the
	 * rule's index << 8 | the clause's bit */
	uint32_t *mark_at, *marks;
	struct lit_scan *scan_cs, *scan_ci; /* the literals of each kind */
	struct provhead *prov; /* the province directives, in file order */
	size_t nprov;
	struct provhead *orgd; /* the organisation directives (mode ORGD_*) */
	size_t norgd;
	int has_kinds;        /* some organisation kind directive */
	struct abbrev *abbr;  /* the abbreviation directives, in file order */
	size_t nabbr;
	uint32_t max_groups; /* most capture groups of any rule */
	int any_ci;          /* some rule has a case-insensitive literal */
};

int rules_class_index(const struct rules *r, const char *s, size_t n);

/* The number of the capture group named (or numbered) s[0..n) in re, or
 * -1 if there is none. */
int rules_group_number(const pcre2_code *re, const char *s, size_t n);

#endif
