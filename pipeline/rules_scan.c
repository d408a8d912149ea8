/*
 * rules_scan.c: which of the prefilter's literals a piece of text holds,
 * all of them in one pass (rules_int.h). The literals of one kind (sought
 * as is, or in the lower-cased text) make an Aho-Corasick automaton,
 * built once when the rules load: a table of transitions over classes of
 * bytes (the bytes no literal holds are one class), each state knowing
 * the literals that end there. Scanning is one table load per byte, and a
 * state that ends literals sets their bits. Exact: a literal's bit is set
 * if and only if it occurs in the text.
 */
#include <stdlib.h>
#include <string.h>

#include "rules_int.h"

/* A transition is the target's row with this bit for a state that ends
 * literals; rows must fit below it. */
#define SCAN_OUT 0x80000000u

/* States whose literals a scan remembers having set (a bit each, on the
 * stack), so that a frequent one (a comma, "và") costs one test after the
 * first time; a larger automaton sets them again each time. */
#define SCAN_SEEN_STATES 16384

struct lit_scan {
	unsigned char cls[256];  /* byte -> class; 0: in no literal */
	size_t ncls;
	size_t nstates;
	uint32_t *next;          /* nstates * ncls transitions, each the
				  * target's row (state * ncls), with
				  * SCAN_OUT set when the target ends
				  * literals */
	uint32_t *out_at;        /* per state: its literals are the bits
				  * ow[k] & om[k] of a literal set for k in
				  * out_at[s] .. out_at[s + 1) */
	uint32_t *ow;
	uint64_t *om;
	uint32_t *empty_ids;     /* empty literals: always present */
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

struct lit_scan *rules_scan_build(const struct lit *lits, size_t nlits,
				  int ci)
{
	struct lit_scan *sc = xcalloc(1, sizeof(*sc));
	struct build b;
	uint32_t *fail, *queue, *cnt, *out_at, *outs;
	size_t i, k, c, qh = 0, qt = 0, nouts = 0;

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
			sc->empty_ids = xrealloc(sc->empty_ids, (sc->nempty + 1) *
						 sizeof(*sc->empty_ids));
			sc->empty_ids[sc->nempty++] = (uint32_t)i;
			continue;
		}
		for (k = 0; k < lits[i].n; k++) {
			size_t x = sc->cls[(unsigned char)lits[i].s[k]];
			uint32_t t = b.go[s * b.ncls + x];

			if (t == UINT32_MAX) {
				if ((b.nstates + 1) * b.ncls >= SCAN_OUT)
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
		uint32_t s = queue[i], at = out_at[s];

		memcpy(outs + at, b.own[s], b.nown[s] * sizeof(*outs));
		memcpy(outs + at + b.nown[s], outs + out_at[fail[s]],
		       cnt[fail[s]] * sizeof(*outs));
	}
	/* the same as words and masks of a literal set */
	sc->out_at = xmalloc((b.nstates + 1) * sizeof(*sc->out_at));
	sc->ow = xmalloc((nouts + 1) * sizeof(*sc->ow));
	sc->om = xmalloc((nouts + 1) * sizeof(*sc->om));
	nouts = 0;
	for (i = 0; i < b.nstates; i++) {
		size_t first = nouts;

		sc->out_at[i] = (uint32_t)nouts;
		for (k = out_at[i]; k < out_at[i + 1]; k++) {
			uint32_t wd = outs[k] >> 6;
			size_t j;

			for (j = first; j < nouts && sc->ow[j] != wd; j++)
				;
			if (j == nouts) {
				sc->ow[nouts] = wd;
				sc->om[nouts++] = 0;
			}
			sc->om[j] |= (uint64_t)1 << (outs[k] & 63);
		}
	}
	sc->out_at[b.nstates] = (uint32_t)nouts;
	free(out_at);
	free(outs);
	sc->nstates = b.nstates;
	sc->next = b.go;
	for (i = 0; i < b.nstates * b.ncls; i++) {
		uint32_t t = b.go[i];

		b.go[i] = (uint32_t)(t * b.ncls) |
			  (sc->out_at[t + 1] > sc->out_at[t] ? SCAN_OUT : 0);
	}
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
	free(sc->next);
	free(sc->out_at);
	free(sc->ow);
	free(sc->om);
	free(sc->empty_ids);
	free(sc);
}

void rules_scan(const struct lit_scan *sc, const char *s, size_t n,
		uint64_t *set)
{
	const unsigned char *p = (const unsigned char *)s;
	const uint32_t *next = sc->next, *out_at = sc->out_at;
	size_t ncls = sc->ncls, i;
	uint32_t st = 0;
	uint64_t seen[SCAN_SEEN_STATES / 64];
	int dedup = sc->nstates <= SCAN_SEEN_STATES;

	if (dedup)
		memset(seen, 0, (sc->nstates + 63) / 64 * sizeof(*seen));
	for (i = 0; i < sc->nempty; i++)
		set[sc->empty_ids[i] >> 6] |= (uint64_t)1 << (sc->empty_ids[i] & 63);
	for (i = 0; i < n; i++) {
		st = next[st + sc->cls[p[i]]];
		if (st & SCAN_OUT) {
			uint32_t s1 = (st & ~SCAN_OUT) / (uint32_t)ncls;

			st &= ~SCAN_OUT;
			if (dedup) {
				if (seen[s1 >> 6] & ((uint64_t)1 << (s1 & 63)))
					continue;
				seen[s1 >> 6] |= (uint64_t)1 << (s1 & 63);
			}
			for (uint32_t a = out_at[s1]; a < out_at[s1 + 1]; a++)
				set[sc->ow[a]] |= sc->om[a];
		}
	}
}
