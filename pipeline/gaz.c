/*
 * gaz.c: gazetteer files and the matcher over them (gaz.h).
 *
 * Text is cut into tokens: a word token is a maximal run of letters, marks
 * and digits; every other printing character is a token of its own; spaces
 * of any kind separate tokens and are otherwise ignored. A token's key is
 * its Unicode case folding, decomposed (NFD), with the tone marks taken
 * out and appended at the end of the key, so "Hoà", "Hòa" and "HÒA" share
 * a key and "LĐLĐX" is one token that never matches "LĐLĐ". Files with
 * `#@ accents=ignore` use a second key with every mark removed (đ as d).
 *
 * Entries are paths in a trie whose edges are token ids (one trie per key
 * kind), built while loading and read-only afterwards, so matching costs
 * one hash probe per token of text plus one per step of a walk.
 *
 * Why a hand-written trie: Debian packages no library that fits. PCRE2
 * cannot compile an alternation of thousands of entries; Hyperscan's
 * caseless mode is ASCII-only and it builds only for x86; Aho-Corasick
 * libraries match bytes, not folded syllables with movable tone marks.
 *
 * What it does not do: normalise text (keys are NFD, so decomposed input
 * matches, but two non-tone marks in an odd order on one letter do not),
 * look at context (acronyms, qualifiers and nesting are for the rules), or
 * decide between classes: every class is matched on its own.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <utf8proc.h>

#include "data.h"
#include "gaz.h"
#include "jsonparse.h"
#include "utf8.h"

/* ---- folding ---------------------------------------------------------- */

enum { K_SPACE, K_WORD, K_PUNCT, K_IGNORE };

/* How one code point folds. */
struct fold {
	unsigned char kind;  /* K_* */
	unsigned char tone;  /* 0 none, 1..5 the tone mark it carries */
	unsigned char n, pn; /* bytes used in f and p */
	char f[12];          /* case-folded NFD without tone marks */
	char p[12];          /* the same without any mark (accents=ignore) */
	char pad[4];         /* to 32 bytes: the table is indexed by shifts */
};

/* ASCII folded: the lower-case byte of a letter or digit, else 0 for a
 * space, 1 for anything else; built with fold_tab. */
static unsigned char ascii_fold[128];

/*
 * Code points below this are folded once into a table: Latin, Vietnamese
 * (U+1EA0..U+1EF9), combining marks and general punctuation (quotes,
 * dashes). Others are folded on the fly, slower but the same.
 */
#define FOLD_TABLE 0x2100

static struct fold fold_tab[FOLD_TABLE];
static pthread_once_t fold_once = PTHREAD_ONCE_INIT;

/* The five Vietnamese tone marks as combining characters. */
static int tone_of(int32_t c)
{
	switch (c) {
	case 0x300: return 1; /* huyền */
	case 0x301: return 2; /* sắc */
	case 0x303: return 3; /* ngã */
	case 0x309: return 4; /* hỏi */
	case 0x323: return 5; /* nặng */
	default: return 0;
	}
}

static void put_cp(char *dst, unsigned char *n, int32_t c)
{
	utf8proc_uint8_t tmp[4];
	utf8proc_ssize_t k = utf8proc_encode_char(c, tmp);

	if (k > 0 && *n + k <= 12) {
		memcpy(dst + *n, tmp, (size_t)k);
		*n += (unsigned char)k;
	}
}

static void fold_compute(int32_t cp, struct fold *fc)
{
	utf8proc_int32_t d[16];
	utf8proc_ssize_t k, i;
	int last = 0;

	memset(fc, 0, sizeof(*fc));
	if (cp < 0 || cp > 0x10FFFF) {
		fc->kind = K_PUNCT;
		put_cp(fc->f, &fc->n, 0xFFFD);
		put_cp(fc->p, &fc->pn, 0xFFFD);
		return;
	}
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_ZS: case UTF8PROC_CATEGORY_ZL:
	case UTF8PROC_CATEGORY_ZP: case UTF8PROC_CATEGORY_CC:
		fc->kind = K_SPACE;
		return;
	case UTF8PROC_CATEGORY_CF:
		fc->kind = K_IGNORE; /* zero-width characters, soft hyphen */
		return;
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
	case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL:
	case UTF8PROC_CATEGORY_NO:
		fc->kind = K_WORD;
		break;
	default:
		fc->kind = K_PUNCT;
		if ((cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212)
			cp = '-'; /* hyphens and dashes are one token */
		put_cp(fc->f, &fc->n, cp);
		put_cp(fc->p, &fc->pn, cp);
		return;
	}
	if (cp == 0xD0 || cp == 0xF0)
		cp = 0x111; /* Ð, ð: read as đ, as normalize does */
	k = utf8proc_decompose_char(cp, d, 16,
				    UTF8PROC_CASEFOLD | UTF8PROC_DECOMPOSE,
				    &last);
	if (k < 0 || k > 16) {
		put_cp(fc->f, &fc->n, cp);
		put_cp(fc->p, &fc->pn, cp);
		return;
	}
	for (i = 0; i < k; i++) {
		int t = tone_of(d[i]);

		if (t) {
			if (!fc->tone)
				fc->tone = (unsigned char)t;
			continue;
		}
		put_cp(fc->f, &fc->n, d[i]);
		if (utf8proc_category(d[i]) == UTF8PROC_CATEGORY_MN)
			continue;
		put_cp(fc->p, &fc->pn, d[i] == 0x111 ? 'd' : d[i]);
	}
}

static void fold_init(void)
{
	for (int32_t c = 0; c < FOLD_TABLE; c++)
		fold_compute(c, &fold_tab[c]);
	for (int c = 0; c < 128; c++)
		ascii_fold[c] = fold_tab[c].kind == K_WORD ?
				(unsigned char)fold_tab[c].f[0] :
				fold_tab[c].kind == K_SPACE ? 0 : 1;
}

/* Decode one code point; the common 1-3 byte forms inline. */
static inline size_t decode(const unsigned char *s, size_t n, int32_t *cp)
{
	unsigned c = s[0];

	if (c < 0x80) {
		*cp = (int32_t)c;
		return 1;
	}
	if (c >= 0xC2 && c < 0xE0 && n >= 2 && (s[1] & 0xC0) == 0x80) {
		*cp = (int32_t)(((c & 0x1F) << 6) | (s[1] & 0x3F));
		return 2;
	}
	if (c >= 0xE1 && c < 0xED && n >= 3 && (s[1] & 0xC0) == 0x80 &&
	    (s[2] & 0xC0) == 0x80) {
		*cp = (int32_t)(((c & 0x0F) << 12) | ((s[1] & 0x3F) << 6) |
				(s[2] & 0x3F));
		return 3;
	}
	return utf8_decode(s, n, cp);
}

/*
 * Hash of key p[0..n), read 8 bytes at a time: the bytes p[n..n+8) are
 * overwritten with zeros first (the key buffers have room for them).
 */
static inline uint32_t hash_key(char *p, size_t n)
{
	uint64_t h = 0x9E3779B97F4A7C15u ^ n, w;
	size_t i;

	memset(p + n, 0, 8);
	for (i = 0; i < n; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdu;
		h ^= h >> 32;
	}
	return (uint32_t)h;
}

/* Tone marks kept per token; a token with more is an odd word anyway. */
#define SCAN_MAX_TONES 8

/* A scanner over text, yielding one token and its keys at a time. */
struct scan {
	const unsigned char *s;
	size_t n, i;
	int want_plain;           /* also build pkey */
	size_t start, end;        /* bytes of the current token */
	size_t klen, plen;        /* key lengths; past GAZ_MAX_KEY: too long */
	uint32_t khash, phash;    /* their hashes, when not too long */
	/* room for one more character's 12 bytes past GAZ_MAX_KEY, the
	 * tones and 8 bytes of zero padding that hashing reads */
	char key[GAZ_MAX_KEY + 48];
	char pkey[GAZ_MAX_KEY + 48];
};

static void scan_init(struct scan *sc, const char *s, size_t n,
		      int want_plain)
{
	sc->s = (const unsigned char *)s;
	sc->n = n;
	sc->i = 0;
	sc->want_plain = want_plain;
}

/*
 * Next token into sc; 0 at the end of the text. The hot loop of matching:
 * lengths live in locals (stores into the key buffers could alias sc's
 * fields), and ASCII letters and digits, most of the bytes of Vietnamese
 * text, take a short path.
 */
static inline __attribute__((always_inline)) int scan_next(struct scan *sc)
{
	const unsigned char *s = sc->s;
	size_t n = sc->n, i = sc->i, len, klen = 0, plen = 0, start = 0;
	char *key = sc->key, *pkey = sc->pkey;
	const int want_plain = sc->want_plain;
	unsigned char tones[SCAN_MAX_TONES];
	size_t ntones = 0;
	const struct fold *fc;
	struct fold tmp;
	int32_t cp;
	int in = 0;

	while (i < n) {
		unsigned c = s[i], a;

		if (c < 0x80) {
			a = ascii_fold[c];
			if (a > 1) {
				if (!in) {
					in = 1;
					start = i;
				}
				/* the rest of an ASCII run at once; a key
				 * stops growing one byte past GAZ_MAX_KEY */
				if (!want_plain) {
					do {
						key[klen] = (char)a;
						klen += klen <= GAZ_MAX_KEY;
					} while (++i < n && s[i] < 0x80 &&
						 (a = ascii_fold[s[i]]) > 1);
					continue;
				}
				do {
					key[klen] = pkey[plen] = (char)a;
					klen += klen <= GAZ_MAX_KEY;
					plen += plen <= GAZ_MAX_KEY;
				} while (++i < n && s[i] < 0x80 &&
					 (a = ascii_fold[s[i]]) > 1);
				continue;
			}
			if (a == 0) {
				if (in)
					goto done;
				i++;
				continue;
			}
			fc = &fold_tab[c];
			len = 1;
		} else {
			len = decode(s + i, n - i, &cp);
			if (cp >= 0 && cp < FOLD_TABLE) {
				fc = &fold_tab[cp];
			} else {
				fold_compute(cp, &tmp);
				fc = &tmp;
			}
		}
		if (fc->kind == K_SPACE) {
			if (in)
				goto done;
			i += len;
			continue;
		} else if (fc->kind == K_IGNORE) {
			i += len;
			continue;
		} else if (fc->kind == K_PUNCT) {
			if (in)
				goto done;
			sc->start = i;
			sc->end = sc->i = i + len;
			memcpy(key, fc->f, sizeof(fc->f));
			klen = fc->n;
			memcpy(pkey, fc->p, sizeof(fc->p));
			plen = fc->pn;
			goto hash;
		} else {
			if (!in) {
				in = 1;
				start = i;
			}
			/* fixed-size copies: cheaper than exact ones */
			if (klen <= GAZ_MAX_KEY) {
				memcpy(key + klen, fc->f, sizeof(fc->f));
				klen += fc->n;
			}
			if (want_plain && plen <= GAZ_MAX_KEY) {
				memcpy(pkey + plen, fc->p, sizeof(fc->p));
				plen += fc->pn;
			}
			if (fc->tone && ntones < SCAN_MAX_TONES)
				tones[ntones++] = fc->tone;
			i += len;
			continue;
		}
	}
	if (!in) {
		sc->i = i;
		return 0;
	}
done:
	sc->start = start;
	sc->end = sc->i = i;
	if (klen <= GAZ_MAX_KEY) {
		memcpy(key + klen, tones, sizeof(tones));
		klen += ntones;
	}
hash:
	sc->klen = klen;
	sc->plen = plen;
	if (klen <= GAZ_MAX_KEY)
		sc->khash = hash_key(key, klen);
	if (want_plain && plen <= GAZ_MAX_KEY)
		sc->phash = hash_key(pkey, plen);
	return 1;
}

/* ---- the trie --------------------------------------------------------- */

static inline size_t hash_edge(uint64_t k)
{
	k ^= k >> 31;
	k *= 0x9E3779B97F4A7C15u;
	k ^= k >> 29;
	return (size_t)k;
}

/*
 * Token keys are interned to ids 1..nkeys; edges (node, token id) -> child
 * live in one open-addressing table; node 0 is the root, whose children
 * are also kept in an array by key id. Tables are kept at most half full,
 * and a slot holds all a probe needs, so a probe costs one cache miss.
 */
struct kslot {
	uint32_t id;         /* key id, 0 = empty */
	uint32_t hash;       /* hash of the key */
};

struct eslot {
	uint64_t key;        /* node << 32 | token id, 0 = empty */
	uint32_t child;
};

struct trie {
	struct kslot *ks;
	size_t kmask;        /* slots - 1 */
	size_t *koff;        /* koff[id-1]: offset of the key's bytes in kb,
				zero-padded to a multiple of 8 bytes */
	uint32_t *klen;      /* its length */
	uint32_t *root;      /* root[id-1]: child of the root by key id, or 0 */
	size_t nkeys, capkeys;
	struct buf kb;       /* key bytes */
	struct eslot *es;
	size_t emask, nedges;
	int32_t *out;        /* out[node]: first entry ending here, or -1 */
	size_t nnodes, capnodes;
};

static void trie_init(struct trie *t)
{
	memset(t, 0, sizeof(*t));
	t->kmask = 255;
	t->ks = xcalloc(t->kmask + 1, sizeof(*t->ks));
	t->emask = 255;
	t->es = xcalloc(t->emask + 1, sizeof(*t->es));
	t->capnodes = 256;
	t->out = xmalloc(t->capnodes * sizeof(*t->out));
	t->out[0] = -1;
	t->nnodes = 1;
}

static void trie_release(struct trie *t)
{
	free(t->ks);
	free(t->koff);
	free(t->klen);
	free(t->root);
	buf_release(&t->kb);
	free(t->es);
	free(t->out);
}

/* Equal keys of n bytes, both zero-padded to a multiple of 8 bytes. */
static inline int key_eq(const char *a, const char *b, size_t n)
{
	uint64_t x, y;

	for (size_t i = 0; i < n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			return 0;
	}
	return 1;
}

/*
 * The id of key k[0..n) of hash h, or 0 when no entry uses it. k must be
 * followed by zeros up to a multiple of 8 bytes, as hash_key() leaves it.
 */
static inline uint32_t trie_key(const struct trie *t, const char *k,
				size_t n, uint32_t h)
{
	size_t i = h & t->kmask;
	uint32_t id;

	while ((id = t->ks[i].id) != 0) {
		if (t->ks[i].hash == h && t->klen[id - 1] == n &&
		    key_eq(t->kb.p + t->koff[id - 1], k, n))
			return id;
		i = (i + 1) & t->kmask;
	}
	return 0;
}

static uint32_t trie_intern(struct trie *t, const char *k, size_t n,
			    uint32_t h)
{
	uint32_t id = trie_key(t, k, n, h);
	size_t i;

	if (id != 0)
		return id;
	if (2 * (t->nkeys + 1) > t->kmask + 1) {
		size_t nm = 2 * (t->kmask + 1) - 1, j;
		struct kslot *ns = xcalloc(nm + 1, sizeof(*ns));

		for (j = 0; j <= t->kmask; j++) {
			if (t->ks[j].id == 0)
				continue;
			i = t->ks[j].hash & nm;
			while (ns[i].id != 0)
				i = (i + 1) & nm;
			ns[i] = t->ks[j];
		}
		free(t->ks);
		t->ks = ns;
		t->kmask = nm;
	}
	if (t->nkeys == t->capkeys) {
		t->capkeys = t->capkeys ? 2 * t->capkeys : 256;
		t->koff = xrealloc(t->koff, t->capkeys * sizeof(*t->koff));
		t->klen = xrealloc(t->klen, t->capkeys * sizeof(*t->klen));
		t->root = xrealloc(t->root, t->capkeys * sizeof(*t->root));
	}
	t->koff[t->nkeys] = t->kb.n;
	t->klen[t->nkeys] = (uint32_t)n;
	t->root[t->nkeys] = 0;
	buf_add(&t->kb, k, n);
	buf_add(&t->kb, "\0\0\0\0\0\0\0", (8 - n % 8) % 8); /* key_eq() */
	id = (uint32_t)++t->nkeys;
	i = h & t->kmask;
	while (t->ks[i].id != 0)
		i = (i + 1) & t->kmask;
	t->ks[i].id = id;
	t->ks[i].hash = h;
	return id;
}

/*
 * Grow the tables to hold n more keys and edges without rehashing: a file
 * of L lines is reserved for 4L of each at once, which saves the rehashes
 * and their cache misses while a large gazetteer loads.
 */
static void trie_reserve(struct trie *t, size_t n)
{
	size_t want = 2 * (t->nkeys + n), m, i, j;

	for (m = t->kmask + 1; m < want; m *= 2)
		;
	if (m > t->kmask + 1) {
		struct kslot *ns = xcalloc(m, sizeof(*ns));

		for (j = 0; j <= t->kmask; j++) {
			if (t->ks[j].id == 0)
				continue;
			i = t->ks[j].hash & (m - 1);
			while (ns[i].id != 0)
				i = (i + 1) & (m - 1);
			ns[i] = t->ks[j];
		}
		free(t->ks);
		t->ks = ns;
		t->kmask = m - 1;
	}
	want = 2 * (t->nedges + n);
	for (m = t->emask + 1; m < want; m *= 2)
		;
	if (m > t->emask + 1) {
		struct eslot *ns = xcalloc(m, sizeof(*ns));

		for (j = 0; j <= t->emask; j++) {
			if (t->es[j].key == 0)
				continue;
			i = hash_edge(t->es[j].key) & (m - 1);
			while (ns[i].key != 0)
				i = (i + 1) & (m - 1);
			ns[i] = t->es[j];
		}
		free(t->es);
		t->es = ns;
		t->emask = m - 1;
	}
}

/* The child of node by token id tid, or 0. */
static inline uint32_t trie_child(const struct trie *t, uint32_t node,
				  uint32_t tid)
{
	uint64_t k = ((uint64_t)node << 32) | tid, e;
	size_t i;

	if (node == 0)
		return t->root[tid - 1];
	i = hash_edge(k) & t->emask;
	while ((e = t->es[i].key) != 0) {
		if (e == k)
			return t->es[i].child;
		i = (i + 1) & t->emask;
	}
	return 0;
}

static uint32_t trie_add_child(struct trie *t, uint32_t node, uint32_t tid)
{
	uint32_t c = trie_child(t, node, tid);
	uint64_t k = ((uint64_t)node << 32) | tid;
	size_t i;

	if (c != 0)
		return c;
	if (t->nnodes == t->capnodes) {
		t->capnodes *= 2;
		t->out = xrealloc(t->out, t->capnodes * sizeof(*t->out));
	}
	c = (uint32_t)t->nnodes++;
	t->out[c] = -1;
	if (node == 0) {
		t->root[tid - 1] = c;
		return c;
	}
	if (2 * (t->nedges + 1) > t->emask + 1) {
		size_t nm = 2 * (t->emask + 1) - 1, j;
		struct eslot *ns = xcalloc(nm + 1, sizeof(*ns));

		for (j = 0; j <= t->emask; j++) {
			if (t->es[j].key == 0)
				continue;
			i = hash_edge(t->es[j].key) & nm;
			while (ns[i].key != 0)
				i = (i + 1) & nm;
			ns[i] = t->es[j];
		}
		free(t->es);
		t->es = ns;
		t->emask = nm;
	}
	i = hash_edge(k) & t->emask;
	while (t->es[i].key != 0)
		i = (i + 1) & t->emask;
	t->es[i].key = k;
	t->es[i].child = c;
	t->nedges++;
	return c;
}

/* ---- the gazetteer ---------------------------------------------------- */

/* Strings and attribute arrays live in blocks of this size, freed at once. */
#define ARENA_BLOCK ((size_t)64 << 10)

struct arena {
	char **blocks;
	size_t nblocks;
	char *cur;
	size_t left;
};

static void *arena_alloc(struct arena *a, size_t n)
{
	void *p;

	n = (n + 7) & ~(size_t)7;
	if (n > a->left) {
		size_t sz = n > ARENA_BLOCK ? n : ARENA_BLOCK;

		a->blocks = xrealloc(a->blocks,
				     (a->nblocks + 1) * sizeof(*a->blocks));
		a->cur = a->blocks[a->nblocks++] = xmalloc(sz);
		a->left = sz;
	}
	p = a->cur;
	a->cur += n;
	a->left -= n;
	return p;
}

static char *arena_str(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/*
 * Entries up to this many keep their entity fields (type, canonical,
 * class, source, attribute values) as ready JSON strings, shared by every
 * entity made from them (jansson counts references atomically, so threads
 * may share them): that saves two allocations and a copy per field per
 * match. About 400 bytes an entry, so a very large gazetteer keeps memory
 * bounded: entries past this build their strings per match.
 */
#define GAZ_SHARED_MAX 20000

enum { V_TYPE, V_CANONICAL, V_CLASS, V_SOURCE, V_FIXED };

struct ent {
	struct gaz_entry pub;
	int32_t next;         /* next entry ending at the same node, or -1 */
	json_t *val[V_FIXED]; /* the shared strings, or NULLs */
	json_t **attrval;     /* attrs' values, NULL where attrs' key is */
	/* the entity's JSON as gaz_quick() writes it, around the parts
	 * that vary from hit to hit: after the id's number,
	 * `","type":"LOC","start":`; after the text, `,"canonical":...,
	 * "class":...,<attributes>,"source":...}` */
	const char *head, *tail;
	size_t headn, tailn;
};

struct gaz {
	struct trie t[2];     /* keys with accents, keys without */
	struct ent *ents;
	size_t nents, capents;
	char **cls;           /* class names */
	size_t ncls;
	unsigned char *on;    /* on[class]: matched */
	int selected;         /* gaz_select_class() was called */
	struct arena ar;
};

struct gaz *gaz_new(void)
{
	struct gaz *g = xcalloc(1, sizeof(*g));

	pthread_once(&fold_once, fold_init);
	trie_init(&g->t[0]);
	trie_init(&g->t[1]);
	return g;
}

void gaz_free(struct gaz *g)
{
	size_t i;

	if (g == NULL)
		return;
	trie_release(&g->t[0]);
	trie_release(&g->t[1]);
	for (i = 0; i < g->nents; i++) {
		struct ent *e = &g->ents[i];

		for (size_t k = 0; k < V_FIXED; k++)
			json_decref(e->val[k]);
		if (e->attrval != NULL) {
			for (size_t k = 0; k < e->pub.nattrs; k++)
				json_decref(e->attrval[k]);
			free(e->attrval);
		}
	}
	free(g->ents);
	for (i = 0; i < g->ncls; i++)
		free(g->cls[i]);
	free(g->cls);
	free(g->on);
	for (i = 0; i < g->ar.nblocks; i++)
		free(g->ar.blocks[i]);
	free(g->ar.blocks);
	free(g);
}

size_t gaz_nentries(const struct gaz *g)
{
	return g->nents;
}

size_t gaz_nclasses(const struct gaz *g)
{
	return g->ncls;
}

const char *gaz_class_name(const struct gaz *g, size_t i)
{
	return i < g->ncls ? g->cls[i] : NULL;
}

const struct gaz_entry *gaz_entry(const struct gaz *g, size_t i)
{
	return i < g->nents ? &g->ents[i].pub : NULL;
}

int gaz_select_class(struct gaz *g, const char *name)
{
	size_t i;

	for (i = 0; i < g->ncls; i++)
		if (strcmp(g->cls[i], name) == 0)
			break;
	if (i == g->ncls)
		return -1;
	if (!g->selected)
		memset(g->on, 0, g->ncls);
	g->selected = 1;
	g->on[i] = 1;
	return 0;
}

static unsigned class_id(struct gaz *g, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < g->ncls; i++)
		if (strlen(g->cls[i]) == n && memcmp(g->cls[i], name, n) == 0)
			return (unsigned)i;
	g->cls = xrealloc(g->cls, (g->ncls + 1) * sizeof(*g->cls));
	g->on = xrealloc(g->on, g->ncls + 1);
	g->cls[g->ncls] = xstrndup(name, n);
	g->on[g->ncls] = !g->selected;
	return (unsigned)g->ncls++;
}

/* The entity types of ANNOTATION.md, and "-" for a word list. */
static const char *const types[] = {
	"ORG", "PERSON", "TITLE", "LOC", "DATE", "PERIOD", "DOCUMENT",
	"EVENT", "MOVEMENT", "QUANTITY", "-", NULL
};

/* Entity fields an attribute may not overwrite. */
static const char *const reserved[] = {
	"id", "type", "start", "end", "text", "canonical", "class", "source",
	NULL
};

static int in_list(const char *const *list, const char *s, size_t n)
{
	for (; *list != NULL; list++)
		if (strlen(*list) == n && memcmp(*list, s, n) == 0)
			return 1;
	return 0;
}

/* State of one file being loaded. */
struct loader {
	struct gaz *g;
	const char *name;     /* display name */
	gaz_report_fn report;
	void *arg;
	size_t line;
	const char *ls;       /* the current line */
	int nerr;
	int accents_ignore;   /* #@ accents=ignore */
	int had_data;         /* a data line was seen */
	unsigned cls;
};

static void lerr(struct loader *L, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Report a problem at byte at of the current line (NULL: no column). */
static void lerr(struct loader *L, const char *at, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	size_t col = at ? utf8_count(L->ls, (size_t)(at - L->ls)) + 1 : 0;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	L->nerr++;
	if (L->report != NULL)
		L->report(L->arg, L->name, L->line, col, msg);
}

/* Quote at most this many bytes of a field in a message. */
#define QUOTE_MAX 60

static int quote_len(const char *s, size_t n)
{
	size_t k = n < QUOTE_MAX ? n : QUOTE_MAX;

	while (k < n && k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
		k--; /* do not cut a character */
	return (int)k;
}

static void directive(struct loader *L, const char *s, size_t n)
{
	size_t i = 0, j, eq;

	while (i < n) {
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i == n)
			break;
		for (j = i; j < n && s[j] != ' ' && s[j] != '\t'; j++)
			;
		for (eq = i; eq < j && s[eq] != '='; eq++)
			;
		if (L->had_data) {
			lerr(L, s + i, "directive after the first data line");
		} else if (eq == j) {
			lerr(L, s + i, "bad directive '%.*s' (expected "
			     "key=value)", quote_len(s + i, j - i), s + i);
		} else if (eq - i == 7 && memcmp(s + i, "accents", 7) == 0) {
			if (j - eq - 1 == 6 && memcmp(s + eq + 1, "ignore", 6) == 0)
				L->accents_ignore = 1;
			else if (j - eq - 1 == 4 &&
				 memcmp(s + eq + 1, "keep", 4) == 0)
				L->accents_ignore = 0;
			else
				lerr(L, s + eq + 1, "accents takes ignore or "
				     "keep, not '%.*s'",
				     quote_len(s + eq + 1, j - eq - 1),
				     s + eq + 1);
		} else {
			lerr(L, s + i, "unknown directive '%.*s'",
			     quote_len(s + i, eq - i), s + i);
		}
		i = j;
	}
}

/* The longest surface form, in tokens: bounds the trie's depth. */
#define GAZ_MAX_TOKENS 64

/* The fixed parts of an entry's entity as JSON (struct ent's head and
 * tail): written once here rather than at every hit. Keys are
 * [a-z][a-z0-9_]*, nothing to escape. */
static void entity_json(struct gaz *g, struct ent *e)
{
	const struct gaz_entry *p = &e->pub;
	struct buf b = BUF_INIT;
	size_t i;

	buf_adds(&b, "\",\"type\":");
	json_write_string(p->type, strlen(p->type), &b);
	buf_adds(&b, ",\"start\":");
	e->headn = b.n;
	e->head = arena_str(&g->ar, b.p, b.n);
	buf_reset(&b);
	buf_adds(&b, ",\"canonical\":");
	json_write_string(p->canonical, strlen(p->canonical), &b);
	buf_adds(&b, ",\"class\":");
	json_write_string(p->cls, strlen(p->cls), &b);
	for (i = 0; i < p->nattrs; i++)
		if (p->attrs[i].key != NULL) {
			buf_addc(&b, ',');
			buf_addc(&b, '"');
			buf_adds(&b, p->attrs[i].key);
			buf_adds(&b, "\":");
			json_write_string(p->attrs[i].value,
					  strlen(p->attrs[i].value), &b);
		}
	buf_adds(&b, ",\"source\":");
	json_write_string(p->source, strlen(p->source), &b);
	buf_addc(&b, '}');
	e->tailn = b.n;
	e->tail = arena_str(&g->ar, b.p, b.n);
	buf_release(&b);
}

static void data_line(struct loader *L, const char *s, size_t n)
{
	struct gaz *g = L->g;
	const char *f[3 + 64];
	size_t fl[3 + 64], nf = 0, i, j, k, nerr = (size_t)L->nerr;
	struct trie *t = &g->t[L->accents_ignore];
	struct gaz_attr *attrs = NULL;
	struct scan sc;
	uint32_t node = 0, ids[GAZ_MAX_TOKENS];
	size_t ntok = 0;
	struct ent *e;
	int32_t x;
	char src[1024];

	L->had_data = 1;
	for (i = 0; i <= n; i = j + 1) {
		for (j = i; j < n && s[j] != '\t'; j++)
			;
		if (nf == sizeof(f) / sizeof(f[0])) {
			lerr(L, s + i, "too many columns (at most %zu)", nf);
			return;
		}
		f[nf] = s + i;
		fl[nf++] = j - i;
	}
	if (nf < 3) {
		lerr(L, s, "expected at least 3 tab-separated columns "
		     "(surface, type, canonical), found %zu", nf);
		return;
	}
	if (!in_list(types, f[1], fl[1]))
		lerr(L, f[1], "unknown entity type '%.*s'",
		     quote_len(f[1], fl[1]), f[1]);
	for (k = 0; k < fl[2] && (f[2][k] == ' '); k++)
		;
	if (k == fl[2])
		lerr(L, f[2], "empty canonical form");
	if (nf > 3)
		attrs = arena_alloc(&g->ar, (nf - 3) * sizeof(*attrs));
	for (i = 3; i < nf; i++) {
		const char *a = f[i], *eq = memchr(a, '=', fl[i]);
		size_t kl = eq ? (size_t)(eq - a) : 0;
		int ok = eq != NULL && kl > 0 && a[0] >= 'a' && a[0] <= 'z' &&
			 eq + 1 < a + fl[i];

		for (k = 1; ok && k < kl; k++)
			ok = (a[k] >= 'a' && a[k] <= 'z') ||
			     (a[k] >= '0' && a[k] <= '9') || a[k] == '_';
		if (!ok) {
			lerr(L, a, "bad attribute '%.*s' (expected key=value, "
			     "key in [a-z0-9_])", quote_len(a, fl[i]), a);
			continue;
		}
		if (in_list(reserved, a, kl)) {
			lerr(L, a, "attribute '%.*s' is a reserved entity "
			     "field", (int)kl, a);
			continue;
		}
		for (k = 3; k < i; k++)
			if (fl[k] > kl && f[k][kl] == '=' &&
			    memcmp(f[k], a, kl) == 0)
				break;
		if (k < i) {
			lerr(L, a, "duplicate attribute '%.*s'", (int)kl, a);
			continue;
		}
		attrs[i - 3].key = arena_str(&g->ar, a, kl);
		attrs[i - 3].value = arena_str(&g->ar, eq + 1,
					       fl[i] - kl - 1);
	}
	scan_init(&sc, f[0], fl[0], 0);
	while (scan_next(&sc)) {
		if (sc.klen > GAZ_MAX_KEY) {
			lerr(L, f[0] + sc.start, "word longer than %d bytes",
			     GAZ_MAX_KEY);
			return;
		}
		if (ntok == GAZ_MAX_TOKENS) {
			lerr(L, f[0], "surface form longer than %d words",
			     GAZ_MAX_TOKENS);
			return;
		}
		ntok++;
	}
	if (ntok == 0) {
		lerr(L, s, "empty surface form");
		return;
	}
	if ((size_t)L->nerr > nerr)
		return;
	/* Intern only now that the line is known to be good. */
	scan_init(&sc, f[0], fl[0], L->accents_ignore);
	for (k = 0; scan_next(&sc); k++) {
		ids[k] = L->accents_ignore ?
			 trie_intern(t, sc.pkey, sc.plen, sc.phash) :
			 trie_intern(t, sc.key, sc.klen, sc.khash);
		node = trie_add_child(t, node, ids[k]);
	}
	for (x = t->out[node]; x >= 0; x = g->ents[x].next) {
		const struct gaz_entry *o = &g->ents[x].pub;

		if (o->cls_id != L->cls)
			continue;
		if (strlen(o->canonical) != fl[2] ||
		    memcmp(o->canonical, f[2], fl[2]) != 0) {
			lerr(L, s, "'%.*s' has canonical form '%.*s' here but "
			     "'%s' at %s", quote_len(f[0], fl[0]), f[0],
			     quote_len(f[2], fl[2]), f[2], o->canonical,
			     o->source);
		} else if (strlen(o->type) != fl[1] ||
			   memcmp(o->type, f[1], fl[1]) != 0) {
			lerr(L, s, "'%.*s' has type %.*s here but %s at %s",
			     quote_len(f[0], fl[0]), f[0], (int)fl[1], f[1],
			     o->type, o->source);
		}
		return; /* a repeated line: the first one stands */
	}
	if (g->nents == g->capents) {
		g->capents = g->capents ? 2 * g->capents : 256;
		g->ents = xrealloc(g->ents, g->capents * sizeof(*g->ents));
	}
	e = &g->ents[g->nents];
	e->pub.surface = arena_str(&g->ar, f[0], fl[0]);
	e->pub.type = arena_str(&g->ar, f[1], fl[1]);
	e->pub.canonical = arena_str(&g->ar, f[2], fl[2]);
	e->pub.cls = g->cls[L->cls];
	snprintf(src, sizeof(src), "%s:%zu", L->name, L->line);
	e->pub.source = arena_str(&g->ar, src, strlen(src));
	e->pub.attrs = attrs;
	e->pub.nattrs = nf - 3;
	e->pub.line = L->line;
	e->pub.cls_id = L->cls;
	e->next = -1;
	/* append, so that entries of a node stay in load order */
	if (t->out[node] < 0) {
		t->out[node] = (int32_t)g->nents;
	} else {
		for (x = t->out[node]; g->ents[x].next >= 0; x = g->ents[x].next)
			;
		g->ents[x].next = (int32_t)g->nents;
	}
	memset(e->val, 0, sizeof(e->val));
	e->attrval = NULL;
	entity_json(g, e);
	if (g->nents < GAZ_SHARED_MAX) {
		e->val[V_TYPE] = json_string_nocheck(e->pub.type);
		e->val[V_CANONICAL] = json_string_nocheck(e->pub.canonical);
		e->val[V_CLASS] = json_string_nocheck(e->pub.cls);
		e->val[V_SOURCE] = json_string_nocheck(e->pub.source);
		if (e->pub.nattrs > 0)
			e->attrval = xcalloc(e->pub.nattrs, sizeof(json_t *));
		for (i = 0; i < e->pub.nattrs; i++)
			if (attrs[i].key != NULL)
				e->attrval[i] =
					json_string_nocheck(attrs[i].value);
	}
	g->nents++;
}

int gaz_load_mem(struct gaz *g, const char *s, size_t n,
		 const char *display_name, gaz_report_fn report, void *arg)
{
	struct loader L;
	const char *base = strrchr(display_name, '/');
	size_t bl, i, j, e;

	memset(&L, 0, sizeof(L));
	L.g = g;
	L.name = display_name;
	L.report = report;
	L.arg = arg;
	base = base ? base + 1 : display_name;
	bl = strlen(base);
	if (bl > 4 && strcmp(base + bl - 4, ".tsv") == 0)
		bl -= 4;
	L.cls = class_id(g, base, bl);
	for (i = 0, j = 0; i < n; i++) /* lines, to reserve room */
		j += s[i] == '\n';
	if (j > 1000) {
		trie_reserve(&g->t[0], 4 * j);
		if (g->nents + j > g->capents) {
			g->capents = g->nents + j;
			g->ents = xrealloc(g->ents,
					   g->capents * sizeof(*g->ents));
		}
	}
	if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
		s += 3; /* a byte-order mark */
		n -= 3;
	}
	for (i = 0; i < n; i = j + 1) {
		const char *nl = memchr(s + i, '\n', n - i), *nul;

		j = nl ? (size_t)(nl - s) : n;
		e = j;
		if (e > i && s[e - 1] == '\r')
			e--;
		L.line++;
		L.ls = s + i;
		if (e - i > GAZ_MAX_LINE) {
			lerr(&L, NULL, "line longer than %zu bytes",
			     GAZ_MAX_LINE);
			continue;
		}
		if (!utf8_valid(s + i, e - i)) {
			size_t k = i, len;
			int32_t cp;

			while (k < e) {
				len = utf8_decode((const unsigned char *)s + k,
						  e - k, &cp);
				if (cp < 0)
					break;
				k += len;
			}
			lerr(&L, s + k, "invalid UTF-8");
			continue;
		}
		if ((nul = memchr(s + i, '\0', e - i)) != NULL) {
			/* entries are C strings once loaded */
			lerr(&L, nul, "NUL byte");
			continue;
		}
		if (e - i >= 2 && s[i] == '#' && s[i + 1] == '@')
			directive(&L, s + i + 2, e - i - 2);
		else if (e > i && s[i] == '#')
			continue;
		else if (e > i)
			data_line(&L, s + i, e - i);
	}
	return L.nerr ? -1 : 0;
}

int gaz_load_file(struct gaz *g, const char *path, const char *display_name,
		  gaz_report_fn report, void *arg)
{
	struct buf b = BUF_INIT;
	char tmp[1 << 16], msg[512];
	struct stat st;
	size_t got;
	FILE *fp = fopen(path, "rb");
	int rc;

	if (fp == NULL) {
		snprintf(msg, sizeof(msg), "cannot open: %s", strerror(errno));
		if (report != NULL)
			report(arg, display_name, 0, 0, msg);
		return -1;
	}
	if (fstat(fileno(fp), &st) == 0 && st.st_size > 0)
		buf_grow(&b, (size_t)st.st_size + 1);
	while ((got = fread(tmp, 1, sizeof(tmp), fp)) > 0)
		buf_add(&b, tmp, got);
	if (ferror(fp)) {
		snprintf(msg, sizeof(msg), "cannot read: %s", strerror(errno));
		if (report != NULL)
			report(arg, display_name, 0, 0, msg);
		rc = -1;
	} else {
		rc = gaz_load_mem(g, b.p ? b.p : "", b.n, display_name,
				  report, arg);
	}
	fclose(fp);
	buf_release(&b);
	return rc;
}

static int is_tsv(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 4 &&
	       strcmp(d->d_name + n - 4, ".tsv") == 0;
}

static int cmp_names(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int gaz_load_paths(struct gaz *g, char *const *paths, size_t n,
		   gaz_report_fn report, void *arg)
{
	struct dirent **ents;
	char *dir;
	int k, i, rc = 0;
	size_t j;

	for (j = 0; j < n; j++)
		if (gaz_load_file(g, paths[j], paths[j], report, arg) < 0)
			rc = -1;
	if (n > 0)
		return rc;
	dir = data_path("gazetteers");
	k = dir ? scandir(dir, &ents, is_tsv, cmp_names) : -1;
	if (k <= 0) {
		if (report != NULL)
			report(arg, NULL, 0, 0, "no default gazetteers found "
			       "(set VNIE_DATA or give -g FILE)");
		if (k == 0)
			free(ents);
		free(dir);
		return -1;
	}
	for (i = 0; i < k; i++) {
		size_t pl = strlen(dir) + strlen(ents[i]->d_name) + 2;
		size_t dl = strlen(ents[i]->d_name) + sizeof("gazetteers/");
		char *p = xmalloc(pl), *dn = xmalloc(dl);

		snprintf(p, pl, "%s/%s", dir, ents[i]->d_name);
		snprintf(dn, dl, "gazetteers/%s", ents[i]->d_name);
		if (gaz_load_file(g, p, dn, report, arg) < 0)
			rc = -1;
		free(p);
		free(dn);
		free(ents[i]);
	}
	free(ents);
	free(dir);
	return rc;
}

/* ---- matching --------------------------------------------------------- */

/* A token of the text whose key some entry uses. */
struct tok {
	size_t start, end;   /* bytes */
	size_t seq;          /* position among all tokens: walks need seq+1 */
	uint32_t id[2];      /* key ids in each trie, 0 if none */
};

/* Per-call scratch, so that a struct gaz stays read-only. */
/*
 * Scratch kept on the stack up to these sizes (a short text, a usual set
 * of classes), so that matching a short text allocates nothing.
 */
#define SCRATCH_TOKENS 128
#define SCRATCH_CLASSES 32

struct cls_state {
	const struct gaz_entry *best; /* longest entry so far, this start */
	size_t best_j;                /* index of its last token */
	size_t last_end;              /* end of the class's last match */
};

struct scratch {
	struct tok *tok;              /* tok0 or allocated */
	size_t cap;
	struct cls_state *cs;         /* cs0 or allocated */
	unsigned *touched;            /* classes with a best, this start */
	struct tok tok0[SCRATCH_TOKENS];
	struct cls_state cs0[SCRATCH_CLASSES];
	unsigned touched0[SCRATCH_CLASSES];
};

static void scratch_init(struct scratch *x, const struct gaz *g)
{
	x->tok = x->tok0;
	x->cap = SCRATCH_TOKENS;
	if (g->ncls <= SCRATCH_CLASSES) {
		x->cs = x->cs0;
		x->touched = x->touched0;
	} else {
		x->cs = xmalloc(g->ncls * sizeof(*x->cs));
		x->touched = xmalloc(g->ncls * sizeof(*x->touched));
	}
	memset(x->cs, 0, g->ncls * sizeof(*x->cs));
}

static void scratch_release(struct scratch *x)
{
	if (x->tok != x->tok0)
		free(x->tok);
	if (x->cs != x->cs0) {
		free(x->cs);
		free(x->touched);
	}
}

static int match(const struct gaz *g, struct scratch *x, const char *s,
		 size_t n, gaz_hit_fn fn, void *arg)
{
	int plain = g->t[1].nkeys > 0, rc = 0;
	size_t ntok = 0, seq = 0, i, j, nt, a, b;
	struct scan sc;
	struct gaz_hit h;

	if (g->nents == 0)
		return 0;
	for (i = 0; i < g->ncls; i++)
		x->cs[i].last_end = 0;
	scan_init(&sc, s, n, plain);
	while (scan_next(&sc)) {
		uint32_t id0 = sc.klen <= GAZ_MAX_KEY ?
			       trie_key(&g->t[0], sc.key, sc.klen, sc.khash) : 0;
		uint32_t id1 = plain && sc.plen <= GAZ_MAX_KEY ?
			       trie_key(&g->t[1], sc.pkey, sc.plen, sc.phash) :
			       0;

		seq++;
		if (id0 == 0 && id1 == 0)
			continue;
		if (ntok == x->cap) {
			struct tok *grown = xmalloc(2 * x->cap * sizeof(*grown));

			memcpy(grown, x->tok, ntok * sizeof(*grown));
			if (x->tok != x->tok0)
				free(x->tok);
			x->tok = grown;
			x->cap *= 2;
		}
		x->tok[ntok].start = sc.start;
		x->tok[ntok].end = sc.end;
		x->tok[ntok].seq = seq;
		x->tok[ntok].id[0] = id0;
		x->tok[ntok].id[1] = id1;
		ntok++;
	}
	for (i = 0; i < ntok; i++) {
		nt = 0;
		for (int k = 0; k < 2; k++) {
			const struct trie *t = &g->t[k];
			uint32_t node = x->tok[i].id[k] ?
					trie_child(t, 0, x->tok[i].id[k]) : 0;

			for (j = i; node != 0;) {
				for (int32_t e = t->out[node]; e >= 0;
				     e = g->ents[e].next) {
					unsigned c = g->ents[e].pub.cls_id;

					if (!g->on[c])
						continue;
					if (x->cs[c].best == NULL)
						x->touched[nt++] = c;
					x->cs[c].best = &g->ents[e].pub;
					x->cs[c].best_j = j;
				}
				if (j + 1 == ntok ||
				    x->tok[j + 1].seq != x->tok[j].seq + 1 ||
				    x->tok[j + 1].id[k] == 0)
					break;
				j++;
				node = trie_child(t, node, x->tok[j].id[k]);
			}
		}
		/* classes in id order, so that output is deterministic */
		for (a = 1; a < nt; a++)
			for (b = a; b > 0 && x->touched[b - 1] > x->touched[b];
			     b--) {
				unsigned tmp = x->touched[b];

				x->touched[b] = x->touched[b - 1];
				x->touched[b - 1] = tmp;
			}
		for (a = 0; a < nt; a++) {
			unsigned c = x->touched[a];

			h.e = x->cs[c].best;
			x->cs[c].best = NULL;
			if (rc != 0 || x->tok[i].start < x->cs[c].last_end)
				continue;
			h.start = x->tok[i].start;
			h.end = x->tok[x->cs[c].best_j].end;
			x->cs[c].last_end = h.end;
			rc = fn(arg, &h);
		}
		if (rc != 0)
			break;
	}
	return rc;
}

int gaz_match(const struct gaz *g, const char *s, size_t n, gaz_hit_fn fn,
	      void *arg)
{
	struct scratch x;
	int rc;

	scratch_init(&x, g);
	rc = match(g, &x, s, n, fn, arg);
	scratch_release(&x);
	return rc;
}

/* ---- the stage -------------------------------------------------------- */

struct emit {
	struct doc *d;
	size_t base;      /* byte offset of the segment in the text */
	struct buf *out;  /* gaz_quick(): the record being written */
	long next_t;      /* gaz_quick(): the next entity number */
};

/* "<c><n>" into buf (room for 24 bytes), as snprintf's "%c%ld" (n >= 0). */
static size_t fmt_id(char *buf, char c, long n)
{
	buf[0] = c;
	return buf_fmt_uint(buf + 1, (unsigned long)n) + 1;
}

/* The shared string v with one more reference, or a new string of s. */
static json_t *field(json_t *v, const char *s)
{
	return v != NULL ? json_incref(v) : json_string_nocheck(s);
}

/*
 * Add the hit's entity as doc_add_entity() would, then canonical, class,
 * attributes and source, with the entry's shared strings where it has
 * them (its text, valid UTF-8 cut on character boundaries, unchecked).
 */
static int emit_hit(void *arg, const struct gaz_hit *h)
{
	struct emit *em = arg;
	struct doc *d = em->d;
	const struct gaz_entry *e = h->e;
	const struct ent *en = (const struct ent *)(const void *)e;
	size_t bs = em->base + h->start, be = em->base + h->end, i;
	json_t *a, *o;
	char id[32];
	size_t len;

	if (e->type[0] == '-')
		return 0;
	a = doc_array(d, "entities", 1);
	if (d->next_t < 0)
		d->next_t = doc_next_id(a, 'T');
	len = fmt_id(id, 'T', d->next_t++);
	o = json_object();
	json_object_set_new_nocheck(o, "id", json_stringn_nocheck(id, len));
	json_object_set_new_nocheck(o, "type", field(en->val[V_TYPE], e->type));
	json_object_set_new_nocheck(o, "start",
				    json_integer((json_int_t)doc_cp(d, bs)));
	json_object_set_new_nocheck(o, "end",
				    json_integer((json_int_t)doc_cp(d, be)));
	json_object_set_new_nocheck(o, "text",
				    json_stringn_nocheck(d->text + bs, be - bs));
	json_object_set_new_nocheck(o, "canonical",
				    field(en->val[V_CANONICAL], e->canonical));
	json_object_set_new_nocheck(o, "class", field(en->val[V_CLASS], e->cls));
	for (i = 0; i < e->nattrs; i++)
		if (e->attrs[i].key != NULL)
			json_object_set_new_nocheck(o, e->attrs[i].key,
				field(en->attrval ? en->attrval[i] : NULL,
				      e->attrs[i].value));
	json_object_set_new_nocheck(o, "source",
				    field(en->val[V_SOURCE], e->source));
	json_array_append_new(a, o);
	return 0;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Match every segment of d's text between sentence starts and ends (bytes),
 * reporting hits to fn with em->base set to the segment's offset.
 */
static void match_segments(const struct gaz *g, struct doc *d, gaz_hit_fn fn,
			   struct emit *em, const size_t *pairs, size_t npairs)
{
	json_t *sents = pairs ? NULL : doc_array(d, "sentences", 0), *v;
	struct scratch x;
	size_t *cut, ncut = 0, i, s, e;

	scratch_init(&x, g);
	/* Cut the text at every sentence start and end (bytes): sentences
	 * given as pairs (code points) or as the record's array. */
	if (pairs == NULL)
		npairs = json_array_size(sents);
	cut = xmalloc((2 * npairs + 2) * sizeof(*cut));
	cut[ncut++] = 0;
	cut[ncut++] = d->len;
	for (i = 0; pairs != NULL && i < npairs; i++) {
		cut[ncut++] = doc_byte(d, pairs[2 * i]);
		cut[ncut++] = doc_byte(d, pairs[2 * i + 1]);
	}
	json_array_foreach(sents, i, v) {
		if (doc_span(v, &s, &e) < 0)
			continue; /* doc_check() has vetted them */
		cut[ncut++] = doc_byte(d, s);
		cut[ncut++] = doc_byte(d, e);
	}
	qsort(cut, ncut, sizeof(*cut), cmp_size);
	for (i = 0; i + 1 < ncut; i++) {
		if (cut[i + 1] == cut[i])
			continue;
		em->base = cut[i];
		match(g, &x, d->text + cut[i], cut[i + 1] - cut[i], fn, em);
	}
	free(cut);
	scratch_release(&x);
}

int gaz_stage(void *ctx, struct doc *d, struct vnie_error *err)
{
	const struct gaz *g = ctx;
	struct emit em = { d, 0, NULL, 0 };

	(void)err;
	if (g->nents == 0)
		return 0;
	match_segments(g, d, emit_hit, &em, NULL, 0);
	return 0;
}

static void put_lit(struct buf *out, const char *lit)
{
	buf_add(out, lit, strlen(lit));
}

/*
 * The hit as the entity object emit_hit() would have made, serialised as
 * json_write() would write it, appended to the record's text being built.
 * Its keys need no escaping, so they are written as they are.
 */
static int write_hit(void *arg, const struct gaz_hit *h)
{
	struct emit *em = arg;
	const struct gaz_entry *e = h->e;
	const struct ent *en = (const struct ent *)(const void *)e;
	struct buf *out = em->out;
	size_t bs = em->base + h->start, be = em->base + h->end;

	if (e->type[0] == '-')
		return 0;
	/* the record's closing brace gives way to the entities array */
	if (em->next_t == 1) {
		out->n--;
		put_lit(out, ",\"entities\":[{\"id\":\"T");
	} else {
		put_lit(out, ",{\"id\":\"T");
	}
	buf_add_uint(out, (size_t)em->next_t++);
	buf_add(out, en->head, en->headn);
	buf_add_uint(out, doc_cp(em->d, bs));
	put_lit(out, ",\"end\":");
	buf_add_uint(out, doc_cp(em->d, be));
	put_lit(out, ",\"text\":");
	json_write_string(em->d->text + bs, be - bs, out);
	buf_add(out, en->tail, en->tailn);
	return 0;
}

int gaz_quick(void *ctx, const char *line, size_t n, struct buf *out)
{
	const struct gaz *g = ctx;
	struct vnie_error err;
	struct doc d;
	struct emit em;
	struct doc_quick dq = DOC_QUICK_INIT;
	size_t n0 = out->n, i, ncp;
	int rc;

	/* a record without entities, as written: copied, hits appended */
	memset(&d, 0, sizeof(d));
	d.next_t = d.next_r = -1;
	rc = doc_quick_read(&dq, line, n);
	if (rc == 0) {
		d.text = dq.text;
		d.len = dq.len;
		ncp = doc_ncp(&d);
		for (i = 0; i < dq.npairs; i++)
			if (dq.pairs[2 * i] > dq.pairs[2 * i + 1] ||
			    dq.pairs[2 * i + 1] > ncp)
				rc = -1; /* doc_check() says why */
	}
	if (rc == 0) {
		buf_add(out, line, n);
		if (g->nents > 0) {
			em.d = &d;
			em.base = 0;
			em.out = out;
			em.next_t = 1;
			/* no sentences: the text is one segment, as in
			 * match_segments() over an empty array */
			match_segments(g, &d, write_hit, &em,
				       dq.pairs ? dq.pairs : &n0, dq.npairs);
			if (em.next_t > 1)
				buf_add(out, "]}", 2);
		}
	}
	doc_release(&d);
	doc_quick_release(&dq);
	if (rc == 0)
		return 1;

	if (doc_parse(&d, line, n, 0, &err) != DOC_RECORD)
		return 0;
	/* entities already there: ids go on from theirs, the usual way */
	if (json_object_get(d.root, "entities") != NULL ||
	    doc_check(&d, &err) < 0) {
		doc_release(&d);
		return 0;
	}
	json_write(d.root, out);
	if (g->nents > 0 && out->n > n0 && out->p[out->n - 1] == '}') {
		em.d = &d;
		em.base = 0;
		em.out = out;
		em.next_t = 1;
		match_segments(g, &d, write_hit, &em, NULL, 0);
		if (em.next_t > 1)
			buf_add(out, "]}", 2);
	}
	doc_release(&d);
	return 1;
}
