/*
 * rules_scan.c: which of the prefilter's literals a piece of text holds,
 * all of them in one pass (rules_int.h). The literals of one kind (sought
 * as is, or in the lower-cased text) make an Aho-Corasick automaton,
 * built once when the rules load: a table of transitions over classes of
 * bytes (the bytes no literal holds are one class), each state knowing
 * the literals that end there. Scanning is one table load per byte, and a
 * state that ends literals sets their marks: the bits that the literals
 * map to in a byte array (a literal's own bit of a literal set, or the
 * clauses of the rules it satisfies), merged per state when the automaton
 * is built. Exact: a literal's marks are set if and only if it occurs in
 * the text.
 */
#include <stdlib.h>
#include <string.h>

#include "rules_int.h"

/* The ASCII white space of PCRE2's \s; the others are told apart by
 * rules_scan_spaced(). */
static const char ascii_ws[] = " \t\n\v\f\r";

/* States that 16-bit transitions can name; a larger automaton has 32-bit
 * ones. */
#define SCAN_MAX16 0x10000u

struct lit_scan {
	unsigned char cls[256];  /* byte -> class; 0: in no literal */
	size_t ncls;
	size_t nstates;
	unsigned shift;          /* a state's row is state << shift */
	/* transitions: the target state; 16 bits when the states fit, else
	 * 32. States are numbered breadth first, so that the rows text
	 * visits most (the root's and its children's) are together in few
	 * cache lines. */
	uint16_t *next16;
	uint32_t *next32;
	uint32_t *out_at;        /* per state: its marks are oe[k] for k
				  * in out_at[s] .. out_at[s + 1) */
	uint32_t *oe;            /* a mark: byte index << 8 | its bits */
	/* the same marks eight bytes at a time, as the scan sets them: the
	 * bytes 8 * ow[k] .. + 8 OR om[k] (its bytes in memory order), k
	 * in ow_at[s] .. ow_at[s + 1) */
	uint32_t *ow_at, *ow;
	uint64_t *om;
	size_t nout;             /* states that set marks: 0 .. nout */
	uint32_t root;           /* the state a scan starts in */
	uint32_t *empty;         /* the marks of empty literals: always */
	size_t nempty;
	uint32_t *spaced;        /* the marks of literals with a blank */
	size_t nspaced;
};

/* The automaton while it is built. */
struct build {
	uint32_t *go;            /* nstates * ncls, UINT32_MAX: none */
	size_t nstates, cap;
	size_t ncls;
	uint32_t **own;          /* per state: literals ending here */
	size_t *nown;
	uint8_t *last;           /* per state: the class of its last byte */
};

static uint32_t new_state(struct build *b)
{
	if (b->nstates == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 64;
		b->go = xrealloc(b->go, b->cap * b->ncls * sizeof(*b->go));
		b->own = xrealloc(b->own, b->cap * sizeof(*b->own));
		b->nown = xrealloc(b->nown, b->cap * sizeof(*b->nown));
		b->last = xrealloc(b->last, b->cap * sizeof(*b->last));
	}
	b->last[b->nstates] = 0;
	memset(b->go + b->nstates * b->ncls, 0xFF, b->ncls * sizeof(*b->go));
	b->own[b->nstates] = NULL;
	b->nown[b->nstates] = 0;
	return (uint32_t)b->nstates++;
}

/*
 * The final tables: states breadth first (the root, then queue[0..nq)),
 * rows of a power of two, the literals of each state in the new order.
 */
static void renumber(struct lit_scan *sc, struct build *b,
		     const uint32_t *queue, size_t nq)
{
	size_t n = b->nstates, i, c, stride;
	uint32_t *rank = xmalloc(n * sizeof(*rank)), *old = xmalloc(n *
								    sizeof(*old));
	uint32_t *oat = sc->out_at, *nat = xmalloc((n + 1) * sizeof(*nat));
	uint32_t *ne = xmalloc((oat[n] + 1) * sizeof(*ne));
	size_t no = 0;

	/* the states that set marks first, so that a scan looks for its
	 * visited ones among the first nout; each part breadth first */
	sc->nout = 0;
	for (i = 0; i <= nq; i++) {
		uint32_t o = i ? queue[i - 1] : 0;

		if (oat[o + 1] > oat[o])
			old[sc->nout++] = o;
	}
	for (i = 0, c = sc->nout; i <= nq; i++) {
		uint32_t o = i ? queue[i - 1] : 0;

		if (oat[o + 1] == oat[o])
			old[c++] = o;
	}
	for (i = 0; i < n; i++)
		rank[old[i]] = (uint32_t)i;
	sc->root = rank[0];
	sc->shift = 0;
	while (((size_t)1 << sc->shift) < b->ncls)
		sc->shift++;
	stride = (size_t)1 << sc->shift;
	if (n <= SCAN_MAX16)
		sc->next16 = xcalloc(n * stride, sizeof(*sc->next16));
	else
		sc->next32 = xcalloc(n * stride, sizeof(*sc->next32));
	for (i = 0; i < n; i++) {
		uint32_t o = old[i];

		nat[i] = (uint32_t)no;
		for (uint32_t a = oat[o]; a < oat[o + 1]; a++)
			ne[no++] = sc->oe[a];
		for (c = 0; c < b->ncls; c++) {
			uint32_t t = b->go[o * b->ncls + c];

			if (sc->next16)
				sc->next16[i * stride + c] = (uint16_t)rank[t];
			else
				sc->next32[i * stride + c] = rank[t];
		}
	}
	nat[n] = (uint32_t)no;
	free(sc->out_at);
	free(sc->oe);
	sc->out_at = nat;
	sc->oe = ne;
	free(rank);
	free(old);
}

/* Each state's marks merged eight bytes at a time (ow_at, ow, om). */
static void word_marks(struct lit_scan *sc)
{
	size_t n = sc->nstates, i, nw = 0;

	sc->ow_at = xmalloc((n + 1) * sizeof(*sc->ow_at));
	sc->ow = xmalloc((sc->out_at[n] + 1) * sizeof(*sc->ow));
	sc->om = xmalloc((sc->out_at[n] + 1) * sizeof(*sc->om));
	for (i = 0; i < n; i++) {
		size_t first = nw;

		sc->ow_at[i] = (uint32_t)nw;
		for (uint32_t a = sc->out_at[i]; a < sc->out_at[i + 1]; a++) {
			uint32_t byte = sc->oe[a] >> 8, wd = byte / 8;
			uint8_t m[8];
			size_t j;

			for (j = first; j < nw && sc->ow[j] != wd; j++)
				;
			if (j == nw) {
				sc->ow[nw] = wd;
				sc->om[nw++] = 0;
			}
			memcpy(m, &sc->om[j], 8);
			m[byte % 8] |= (uint8_t)sc->oe[a];
			memcpy(&sc->om[j], m, 8);
		}
	}
	sc->ow_at[n] = (uint32_t)nw;
}

/* Add the marks of literal i to v[first .. *n), merging those of one
 * byte. */
static void add_marks(uint32_t *v, size_t first, size_t *n, const uint32_t *at,
		      const uint32_t *marks, uint32_t i)
{
	uint32_t one = (i >> 3) << 8 | 1u << (i & 7);
	const uint32_t *m = marks ? marks + at[i] : &one;
	size_t nm = marks ? at[i + 1] - at[i] : 1;

	for (size_t k = 0; k < nm; k++) {
		size_t j;

		for (j = first; j < *n && v[j] >> 8 != m[k] >> 8; j++)
			;
		if (j == *n)
			v[(*n)++] = m[k];
		else
			v[j] |= m[k];
	}
}

struct lit_scan *rules_scan_build(const struct lit *lits, size_t nlits,
				  int ci, const uint32_t *at,
				  const uint32_t *marks)
{
	struct lit_scan *sc = xcalloc(1, sizeof(*sc));
	struct build b;
	uint32_t *fail, *queue, *cnt, *out_at, *outs;
	size_t i, k, c, qh = 0, qt = 0, nouts = 0, nmarks = 0;

	memset(&b, 0, sizeof(b));
	/* classes: one per byte some literal holds */
	for (i = 0; i < nlits; i++) {
		if (lits[i].ci != ci)
			continue;
		for (k = 0; k < lits[i].n; k++)
			sc->cls[(unsigned char)lits[i].s[k]] = 1;
	}
	sc->ncls = 1;
	for (c = 0; c < 256; c++)
		if (sc->cls[c])
			sc->cls[c] = (unsigned char)sc->ncls++;
	/* every ASCII white space byte reads as the blank of the literals
	 * (made from \s, \s+ or a space: rules_parse.c) */
	if (sc->cls[' '])
		for (k = 0; k < sizeof(ascii_ws) - 1; k++)
			sc->cls[(unsigned char)ascii_ws[k]] = sc->cls[' '];
	b.ncls = sc->ncls;
	new_state(&b);
	/* the trie */
	for (i = 0; i < nlits; i++) {
		uint32_t s = 0;

		if (lits[i].ci != ci)
			continue;
		if (lits[i].n == 0) {
			size_t nm = marks ? at[i + 1] - at[i] : 1;

			sc->empty = xrealloc(sc->empty, (sc->nempty + nm) *
					     sizeof(*sc->empty));
			add_marks(sc->empty, 0, &sc->nempty, at, marks,
				  (uint32_t)i);
			continue;
		}
		if (memchr(lits[i].s, ' ', lits[i].n) != NULL) {
			size_t nm = marks ? at[i + 1] - at[i] : 1;

			sc->spaced = xrealloc(sc->spaced, (sc->nspaced + nm) *
					      sizeof(*sc->spaced));
			add_marks(sc->spaced, 0, &sc->nspaced, at, marks,
				  (uint32_t)i);
		}
		for (k = 0; k < lits[i].n; k++) {
			size_t x = sc->cls[(unsigned char)lits[i].s[k]];
			uint32_t t = b.go[s * b.ncls + x];

			if (t == UINT32_MAX) {
				if (b.nstates + 1 >= UINT32_MAX)
					VNIE_BUG("prefilter automaton too large");
				t = new_state(&b);
				b.go[s * b.ncls + x] = t;
				b.last[t] = (uint8_t)x;
			}
			s = t;
		}
		b.own[s] = xrealloc(b.own[s], (b.nown[s] + 1) *
				    sizeof(**b.own));
		b.own[s][b.nown[s]++] = (uint32_t)i;
	}
	/* failure links breadth first; transitions completed into a DFA */
	fail = xcalloc(b.nstates, sizeof(*fail));
	queue = xmalloc(b.nstates * sizeof(*queue));
	for (c = 0; c < b.ncls; c++) {
		uint32_t t = b.go[c];

		if (t == UINT32_MAX || c == 0) {
			b.go[c] = 0;
		} else {
			fail[t] = 0;
			queue[qt++] = t;
		}
	}
	while (qh < qt) {
		uint32_t s = queue[qh++];

		for (c = 0; c < b.ncls; c++) {
			uint32_t t = b.go[s * b.ncls + c];

			if (c == 0) {
				b.go[s * b.ncls + c] = 0;
			} else if (t == UINT32_MAX) {
				b.go[s * b.ncls + c] = b.go[fail[s] * b.ncls + c];
			} else {
				fail[t] = b.go[fail[s] * b.ncls + c];
				queue[qt++] = t;
			}
		}
	}
	/* a run of blanks reads as one: a state the blank led to stays on
	 * the next (no literal may hold two blanks in a row: flush_lit() in
	 * rules_parse.c makes every run of white space one blank) */
	if (sc->cls[' '])
		for (i = 1; i < b.nstates; i++)
			if (b.last[i] == sc->cls[' '])
				b.go[i * b.ncls + sc->cls[' ']] = (uint32_t)i;
	/* each state's literals: its own and its failure chain's (states
	 * in breadth-first order, so a failure target is done first) */
	cnt = xcalloc(b.nstates + 1, sizeof(*cnt));
	for (i = 0; i < qt; i++) {
		uint32_t s = queue[i];

		cnt[s] = (uint32_t)b.nown[s] + cnt[fail[s]];
	}
	out_at = xmalloc((b.nstates + 1) * sizeof(*out_at));
	for (i = 0; i < b.nstates; i++) {
		out_at[i] = (uint32_t)nouts;
		nouts += cnt[i];
	}
	out_at[b.nstates] = (uint32_t)nouts;
	outs = xmalloc((nouts + 1) * sizeof(*outs));
	for (i = 0; i < qt; i++) {
		uint32_t s = queue[i], o = out_at[s];

		if (b.nown[s])
			memcpy(outs + o, b.own[s], b.nown[s] * sizeof(*outs));
		memcpy(outs + o + b.nown[s], outs + out_at[fail[s]],
		       cnt[fail[s]] * sizeof(*outs));
	}
	/* the same as marks, merged per byte */
	for (k = 0; k < nouts; k++)
		nmarks += marks ? at[outs[k] + 1] - at[outs[k]] : 1;
	sc->out_at = xmalloc((b.nstates + 1) * sizeof(*sc->out_at));
	sc->oe = xmalloc((nmarks + 1) * sizeof(*sc->oe));
	nmarks = 0;
	for (i = 0; i < b.nstates; i++) {
		size_t first = nmarks;

		sc->out_at[i] = (uint32_t)nmarks;
		for (k = out_at[i]; k < out_at[i + 1]; k++)
			add_marks(sc->oe, first, &nmarks, at, marks, outs[k]);
	}
	sc->out_at[b.nstates] = (uint32_t)nmarks;
	free(out_at);
	free(outs);
	sc->nstates = b.nstates;
	renumber(sc, &b, queue, qt);
	word_marks(sc);
	free(b.go);
	for (i = 0; i < b.nstates; i++)
		free(b.own[i]);
	free(b.own);
	free(b.nown);
	free(b.last);
	free(fail);
	free(queue);
	free(cnt);
	return sc;
}

void rules_scan_free(struct lit_scan *sc)
{
	if (sc == NULL)
		return;
	free(sc->next16);
	free(sc->next32);
	free(sc->out_at);
	free(sc->oe);
	free(sc->ow_at);
	free(sc->ow);
	free(sc->om);
	free(sc->empty);
	free(sc->spaced);
	free(sc);
}

/*
 * A scan notes the states it enters that set marks (numbered first, below
 * nout) in a list, without a test per byte of text: whether a byte ends
 * a literal (a comma, "ng") is too irregular to predict, so the store is
 * unconditional and only the count moves by the comparison. Their marks
 * are set after each block of SCAN_BLOCK bytes: the work is in proportion
 * to the text, not to the automaton (marking every state visited and
 * sweeping all nout of them after cost more than the scan itself for a
 * sentence: nout is in the thousands).
 */
#define SCAN_BLOCK 256

static void set_hits(const struct lit_scan *sc, const uint32_t *hit,
		     size_t nhit, uint8_t *set)
{
	for (size_t h = 0; h < nhit; h++)
		for (uint32_t a = sc->ow_at[hit[h]]; a < sc->ow_at[hit[h] + 1];
		     a++) {
			uint8_t *at = set + (size_t)sc->ow[a] * 8;
			uint64_t x;

			memcpy(&x, at, 8);
			x |= sc->om[a];
			memcpy(at, &x, 8);
		}
}

/* s[i0 .. i1) from state st, its hits noted and set. */
static uint32_t scan_part(const struct lit_scan *sc, const unsigned char *p,
			  size_t i0, size_t i1, uint32_t st, uint8_t *set)
{
	uint32_t hit[SCAN_BLOCK], nout = (uint32_t)sc->nout;
	unsigned shift = sc->shift;

	while (i0 < i1) {
		size_t e = i1 - i0 > SCAN_BLOCK ? i0 + SCAN_BLOCK : i1, nh = 0;

		for (; i0 < e; i0++) {
			if (sc->next16)
				st = sc->next16[(st << shift) + sc->cls[p[i0]]];
			else
				st = sc->next32[((size_t)st << shift) +
						sc->cls[p[i0]]];
			hit[nh] = st;
			nh += st < nout;
		}
		set_hits(sc, hit, nh, set);
	}
	return st;
}

void rules_scan(const struct lit_scan *sc, const char *s, size_t n,
		uint8_t *set)
{
	for (size_t i = 0; i < sc->nempty; i++)
		set[sc->empty[i] >> 8] |= (uint8_t)sc->empty[i];
	scan_part(sc, (const unsigned char *)s, 0, n, sc->root, set);
}

/* One step of chain k over byte i. */
#define STEP(k)                                                              \
	do {                                                                 \
		st[k] = j[k].sc->next16[(st[k] << j[k].sc->shift) +          \
					j[k].sc->cls[p[k][i]]];              \
		hit[k][nh[k]] = st[k];                                       \
		nh[k] += st[k] < nout[k];                                    \
	} while (0)

/* The same where chains 0 and 2 run automaton a, 1 and 3 automaton b, of
 * one row width (the usual batch: a piece as written, the same lower-
 * cased, the next piece likewise): fewer tables to keep at hand. */
#define STEP2(k, nx, cl)                                                     \
	do {                                                                 \
		st[k] = nx[(st[k] << sh) + cl[p[k][i]]];                     \
		hit[k][nh[k]] = st[k];                                       \
		nh[k] += st[k] < nout[k];                                    \
	} while (0)

void rules_scan_jobs(const struct scan_job *jobs, size_t njobs)
{
	for (size_t g = 0; g < njobs; g += RULES_SCAN_CHAINS) {
		struct scan_job j[RULES_SCAN_CHAINS];
		size_t k, m = njobs - g < RULES_SCAN_CHAINS ?
			      njobs - g : RULES_SCAN_CHAINS, i, i0, n;
		const unsigned char *p[RULES_SCAN_CHAINS];
		uint32_t st[RULES_SCAN_CHAINS], nout[RULES_SCAN_CHAINS];
		uint32_t hit[RULES_SCAN_CHAINS][SCAN_BLOCK];
		size_t nh[RULES_SCAN_CHAINS];
		int fast = 1;

		/* a short last group: empty scans in the free places */
		for (k = 0; k < RULES_SCAN_CHAINS; k++) {
			j[k] = jobs[g + (k < m ? k : 0)];
			if (k >= m)
				j[k].n = 0;
		}
		for (k = 0; k < m; k++)
			fast &= j[k].sc->next16 != NULL &&
				j[k].sc->nempty == 0;
		if (!fast) {
			for (k = 0; k < m; k++)
				rules_scan(j[k].sc, j[k].s, j[k].n, j[k].set);
			continue;
		}
		n = SIZE_MAX;
		for (k = 0; k < RULES_SCAN_CHAINS; k++) {
			p[k] = (const unsigned char *)j[k].s;
			st[k] = j[k].sc->root;
			nout[k] = (uint32_t)j[k].sc->nout;
			if (j[k].n < n)
				n = j[k].n;
		}
		/* independent chains of loads side by side: each waits on
		 * its own last load only */
		for (i0 = 0; i0 < n; i0 = i) {
			size_t e = n - i0 > SCAN_BLOCK ? i0 + SCAN_BLOCK : n;

			for (k = 0; k < RULES_SCAN_CHAINS; k++)
				nh[k] = 0;
			if (j[0].sc == j[2].sc && j[1].sc == j[3].sc &&
			    j[0].sc->shift == j[1].sc->shift) {
				const uint16_t *na = j[0].sc->next16,
					       *nb = j[1].sc->next16;
				const unsigned char *ca = j[0].sc->cls,
						    *cb = j[1].sc->cls;
				const unsigned sh = j[0].sc->shift;

				for (i = i0; i < e; i++) {
					STEP2(0, na, ca);
					STEP2(1, nb, cb);
					STEP2(2, na, ca);
					STEP2(3, nb, cb);
				}
			} else {
				for (i = i0; i < e; i++) {
					STEP(0);
					STEP(1);
					STEP(2);
					STEP(3);
				}
			}
			for (k = 0; k < m; k++)
				set_hits(j[k].sc, hit[k], nh[k], j[k].set);
		}
		for (k = 0; k < m; k++)
			scan_part(j[k].sc, p[k], n, j[k].n, st[k], j[k].set);
	}
}

/*
 * PCRE2's \s matches white space beyond ASCII too (U+0085, U+00A0,
 * U+1680, U+180E, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F,
 * U+3000), which the scan does not read as a blank: does s[0..n) hold
 * any? (`vnie normalize` makes most of them a space.)
 */
int rules_has_wide_space(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n;

	for (; p < e; p++) {
		if (*p < 0xC2 || *p > 0xE3)
			continue;
		if (p[0] == 0xC2 && p + 1 < e && (p[1] == 0x85 || p[1] == 0xA0))
			return 1;
		if (p + 2 >= e)
			continue;
		if ((p[0] == 0xE1 && p[1] == 0x9A && p[2] == 0x80) ||
		    (p[0] == 0xE1 && p[1] == 0xA0 && p[2] == 0x8E) ||
		    (p[0] == 0xE2 && p[1] == 0x80 && (p[2] <= 0x8A ||
		     p[2] == 0xA8 || p[2] == 0xA9 || p[2] == 0xAF)) ||
		    (p[0] == 0xE2 && p[1] == 0x81 && p[2] == 0x9F) ||
		    (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80))
			return 1;
	}
	return 0;
}

void rules_scan_spaced(const struct lit_scan *sc, uint8_t *set)
{
	if (sc == NULL)
		return;
	for (size_t i = 0; i < sc->nspaced; i++)
		set[sc->spaced[i] >> 8] |= (uint8_t)sc->spaced[i];
}
