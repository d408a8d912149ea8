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

/* A transition's flag for a target that ends literals. */
#define SCAN_OUT16 0x8000u
#define SCAN_OUT32 0x80000000u

/* States a side-by-side scan marks on the stack (a bit each); a larger
 * automaton is scanned alone, its marks on the heap. */
#define SCAN_SEEN_STATES 16384

struct lit_scan {
	unsigned char cls[256];  /* byte -> class; 0: in no literal */
	size_t ncls;
	size_t nstates;
	unsigned shift;          /* a state's row is state << shift */
	/* transitions: the target state, with the top bit set when it ends
	 * literals; 16 bits when the states fit, else 32. States are
	 * numbered breadth first, so that the rows text visits most (the
	 * root's and its children's) are together in few cache lines. */
	uint16_t *next16;
	uint32_t *next32;
	uint32_t *out_at;        /* per state: its marks are oe[k] for k
				  * in out_at[s] .. out_at[s + 1) */
	uint32_t *oe;            /* a mark: byte index << 8 | its bits */
	uint64_t *hasout;        /* per state, a bit: it sets marks */
	uint32_t *empty;         /* the marks of empty literals: always */
	size_t nempty;
};

/* The automaton while it is built. */
struct build {
	uint32_t *go;            /* nstates * ncls, UINT32_MAX: none */
	size_t nstates, cap;
	size_t ncls;
	uint32_t **own;          /* per state: literals ending here */
	size_t *nown;
};

static uint32_t new_state(struct build *b)
{
	if (b->nstates == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 64;
		b->go = xrealloc(b->go, b->cap * b->ncls * sizeof(*b->go));
		b->own = xrealloc(b->own, b->cap * sizeof(*b->own));
		b->nown = xrealloc(b->nown, b->cap * sizeof(*b->nown));
	}
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

	old[0] = 0;
	for (i = 0; i < nq; i++)
		old[i + 1] = queue[i];
	for (i = 0; i < n; i++)
		rank[old[i]] = (uint32_t)i;
	sc->shift = 0;
	while (((size_t)1 << sc->shift) < b->ncls)
		sc->shift++;
	stride = (size_t)1 << sc->shift;
	if (n < SCAN_OUT16)
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
			int out = oat[t + 1] > oat[t];

			if (sc->next16)
				sc->next16[i * stride + c] = (uint16_t)(rank[t] |
					(out ? SCAN_OUT16 : 0));
			else
				sc->next32[i * stride + c] = rank[t] |
					(out ? SCAN_OUT32 : 0);
		}
	}
	nat[n] = (uint32_t)no;
	sc->hasout = xcalloc((n + 63) / 64, sizeof(*sc->hasout));
	for (i = 0; i < n; i++)
		if (nat[i + 1] > nat[i])
			sc->hasout[i >> 6] |= (uint64_t)1 << (i & 63);
	free(sc->out_at);
	free(sc->oe);
	sc->out_at = nat;
	sc->oe = ne;
	free(rank);
	free(old);
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
		for (k = 0; k < lits[i].n; k++) {
			size_t x = sc->cls[(unsigned char)lits[i].s[k]];
			uint32_t t = b.go[s * b.ncls + x];

			if (t == UINT32_MAX) {
				if (b.nstates + 1 >= SCAN_OUT32)
					VNIE_BUG("prefilter automaton too large");
				t = new_state(&b);
				b.go[s * b.ncls + x] = t;
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
	free(b.go);
	for (i = 0; i < b.nstates; i++)
		free(b.own[i]);
	free(b.own);
	free(b.nown);
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
	free(sc->empty);
	free(sc->hasout);
	free(sc);
}

/*
 * A scan marks every state it visits in a bitset, without a test per byte
 * (whether a state ends literals is too irregular to predict: commas,
 * "ng"); the literals of the visited states that end some are set after.
 */
static void scan_visited(const struct lit_scan *sc, const uint64_t *vis,
			 uint8_t *set)
{
	for (size_t k = 0; k < (sc->nstates + 63) / 64; k++) {
		uint64_t m = vis[k] & sc->hasout[k];

		while (m) {
			uint32_t st = (uint32_t)(k * 64 +
						 (size_t)__builtin_ctzll(m));

			m &= m - 1;
			for (uint32_t a = sc->out_at[st]; a < sc->out_at[st + 1];
			     a++)
				set[sc->oe[a] >> 8] |= (uint8_t)sc->oe[a];
		}
	}
}

void rules_scan(const struct lit_scan *sc, const char *s, size_t n,
		uint8_t *set)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned shift = sc->shift;
	uint64_t *vis = xcalloc((sc->nstates + 63) / 64, sizeof(*vis));
	uint32_t st = 0;
	size_t i;

	for (i = 0; i < sc->nempty; i++)
		set[sc->empty[i] >> 8] |= (uint8_t)sc->empty[i];
	for (i = 0; i < n; i++) {
		if (sc->next16)
			st = sc->next16[(st << shift) + sc->cls[p[i]]] &
			     ~SCAN_OUT16;
		else
			st = sc->next32[((size_t)st << shift) + sc->cls[p[i]]] &
			     ~SCAN_OUT32;
		vis[st >> 6] |= (uint64_t)1 << (st & 63);
	}
	scan_visited(sc, vis, set);
	free(vis);
}

/* One step of chain k over byte i. */
#define STEP(k)                                                              \
	do {                                                                 \
		st[k] = j[k].sc->next16[(st[k] << j[k].sc->shift) +          \
					j[k].sc->cls[p[k][i]]] & ~SCAN_OUT16;\
		vis[k][st[k] >> 6] |= (uint64_t)1 << (st[k] & 63);           \
	} while (0)

void rules_scan_jobs(const struct scan_job *jobs, size_t njobs)
{
	uint64_t vis[RULES_SCAN_CHAINS][SCAN_SEEN_STATES / 64];

	for (size_t g = 0; g < njobs; g += RULES_SCAN_CHAINS) {
		struct scan_job j[RULES_SCAN_CHAINS];
		size_t k, m = njobs - g < RULES_SCAN_CHAINS ?
			      njobs - g : RULES_SCAN_CHAINS, i, n;
		const unsigned char *p[RULES_SCAN_CHAINS];
		uint32_t st[RULES_SCAN_CHAINS];
		int fast = 1;

		/* a short last group: empty scans in the free places */
		for (k = 0; k < RULES_SCAN_CHAINS; k++) {
			j[k] = jobs[g + (k < m ? k : 0)];
			if (k >= m)
				j[k].n = 0;
		}
		for (k = 0; k < m; k++)
			fast &= j[k].sc->next16 != NULL &&
				j[k].sc->nstates <= SCAN_SEEN_STATES &&
				j[k].sc->nempty == 0;
		if (!fast) {
			for (k = 0; k < m; k++)
				rules_scan(j[k].sc, j[k].s, j[k].n, j[k].set);
			continue;
		}
		n = SIZE_MAX;
		for (k = 0; k < RULES_SCAN_CHAINS; k++) {
			memset(vis[k], 0, (j[k].sc->nstates + 63) / 64 *
			       sizeof(vis[k][0]));
			p[k] = (const unsigned char *)j[k].s;
			st[k] = 0;
			if (j[k].n < n)
				n = j[k].n;
		}
		/* independent chains of loads side by side: each waits on
		 * its own last load only */
		for (i = 0; i < n; i++) {
			STEP(0);
			STEP(1);
			STEP(2);
			STEP(3);
		}
		for (k = 0; k < m; k++) {
			for (i = n; i < j[k].n; i++)
				STEP(k);
			scan_visited(j[k].sc, vis[k], j[k].set);
		}
	}
}
