/*
 * test_corpus.c: checks the project's gold corpus (corpus/gold.jsonl beside
 * corpus/NNN_slug.txt) against the record contract and the annotation
 * guidelines' mechanical rules, so that an edit by hand that breaks an offset
 * or a relation is caught before eval reports nonsense.
 *
 * Per record: the ten entity types, text[start:end] == text (code points),
 * canonical on ORG/TITLE/LOC and value on DATE/PERIOD/QUANTITY, nesting only
 * of a LOC inside an ORG, every entity and relation inside one sentence,
 * relation roles naming entities of the right type; sentences sorted, without
 * outer whitespace, covering every non-space character once.
 *
 * Texts: `$VNIE read | $VNIE normalize` over the corpus files must give the
 * gold texts (read alone gives them for all but the one or two documents
 * that are deliberately not normalised: corpus/README.md names them), and
 * `... | $VNIE split` the sentence boundaries marked by hand. It does not
 * judge whether a span is the right annotation: that is what reading
 * ANNOTATION.md is for.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <utf8proc.h>

#include "buf.h"
#include "t.h"
#include "utf8.h"

/* Gold records are a few kilobytes; a line past this is not ours. */
#define CORPUS_MAX_LINE (4 * 1024 * 1024)
/* Documents in the corpus; the test fails loudly past this. */
#define CORPUS_MAX_DOCS 1000

struct gold {
	char *id;
	json_t *rec;      /* owned */
};

static struct gold golds[CORPUS_MAX_DOCS];
static size_t ngold;
static char msg[512];

static const char *const ent_types[] = {
	"ORG", "PERSON", "TITLE", "LOC", "DATE", "PERIOD", "DOCUMENT",
	"EVENT", "MOVEMENT", "QUANTITY", NULL
};

static int in_list(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

static int is_space_cp(int32_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	       c == 0xA0 || c == 0x2028 || c == 0x2029;
}

/* The code points of a text, and the byte offset of each (plus one). */
struct cps {
	int32_t *c;
	size_t *b;
	size_t n;
};

static void cps_init(struct cps *p, const char *s, size_t n)
{
	size_t i = 0;

	p->c = malloc((n + 1) * sizeof *p->c);
	p->b = malloc((n + 1) * sizeof *p->b);
	p->n = 0;
	while (i < n) {
		int32_t c;
		size_t k = utf8_decode((const unsigned char *)s + i, n - i, &c);
		p->b[p->n] = i;
		p->c[p->n++] = c;
		i += k;
	}
	p->b[p->n] = n;
}

static void cps_release(struct cps *p)
{
	free(p->c);
	free(p->b);
}

static const char *str_of(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Index of the sentence that holds [s, e), or -1. */
static long sentence_of(json_t *sents, json_int_t s, json_int_t e)
{
	size_t i;
	json_t *v;

	json_array_foreach(sents, i, v) {
		if (json_integer_value(json_array_get(v, 0)) <= s &&
		    e <= json_integer_value(json_array_get(v, 1)))
			return (long)i;
	}
	return -1;
}

static json_t *entity_by_id(json_t *ents, const char *id)
{
	size_t i;
	json_t *e;

	json_array_foreach(ents, i, e) {
		const char *x = str_of(e, "id");
		if (x != NULL && strcmp(x, id) == 0)
			return e;
	}
	return NULL;
}

/* 0 if the record holds; else msg says the first problem. */
static int check_record(json_t *r)
{
	const char *id = str_of(r, "id"), *text = str_of(r, "text");
	json_t *sents = json_object_get(r, "sentences");
	json_t *ents = json_object_get(r, "entities");
	json_t *rels = json_object_get(r, "relations");
	struct cps p;
	char *seen = NULL;
	size_t i, j, tn;
	json_t *v, *w;
	json_int_t prev = 0;
	int rc = -1;

	if (id == NULL || text == NULL || !json_is_array(sents) ||
	    !json_is_array(ents) || !json_is_array(rels)) {
		snprintf(msg, sizeof msg, "record without id, text, "
			 "sentences, entities or relations");
		return -1;
	}
	tn = json_string_length(json_object_get(r, "text"));
	cps_init(&p, text, tn);
	seen = calloc(p.n + 1, 1);

	json_array_foreach(sents, i, v) {
		json_int_t s = json_integer_value(json_array_get(v, 0));
		json_int_t e = json_integer_value(json_array_get(v, 1));
		if (json_array_size(v) != 2 || s < prev || e <= s ||
		    (size_t)e > p.n) {
			snprintf(msg, sizeof msg, "%s: sentence %zu [%lld, %lld) "
				 "out of order or range", id, i, (long long)s,
				 (long long)e);
			goto out;
		}
		if (is_space_cp(p.c[s]) || is_space_cp(p.c[e - 1])) {
			snprintf(msg, sizeof msg, "%s: sentence %zu has outer "
				 "whitespace", id, i);
			goto out;
		}
		memset(seen + s, 1, (size_t)(e - s));
		prev = e;
	}
	for (i = 0; i < p.n; i++)
		if (!seen[i] && !is_space_cp(p.c[i])) {
			snprintf(msg, sizeof msg, "%s: code point %zu is in no "
				 "sentence", id, i);
			goto out;
		}

	json_array_foreach(ents, i, v) {
		const char *eid = str_of(v, "id"), *type = str_of(v, "type");
		const char *et = str_of(v, "text");
		json_int_t s = json_integer_value(json_object_get(v, "start"));
		json_int_t e = json_integer_value(json_object_get(v, "end"));
		int wants_canon, wants_value;

		if (eid == NULL || type == NULL || et == NULL ||
		    !in_list(type, ent_types) || s < 0 || e <= s ||
		    (size_t)e > p.n || str_of(v, "source") == NULL) {
			snprintf(msg, sizeof msg, "%s: entity %zu malformed",
				 id, i);
			goto out;
		}
		if (p.b[e] - p.b[s] != strlen(et) ||
		    memcmp(text + p.b[s], et, p.b[e] - p.b[s]) != 0) {
			snprintf(msg, sizeof msg, "%s: %s text %s is not "
				 "text[%lld:%lld]", id, eid, et, (long long)s,
				 (long long)e);
			goto out;
		}
		wants_canon = !strcmp(type, "ORG") || !strcmp(type, "TITLE") ||
			      !strcmp(type, "LOC");
		wants_value = !strcmp(type, "DATE") ||
			      !strcmp(type, "PERIOD") ||
			      !strcmp(type, "QUANTITY");
		if ((wants_canon && str_of(v, "canonical") == NULL) ||
		    (wants_value && str_of(v, "value") == NULL)) {
			snprintf(msg, sizeof msg, "%s: %s lacks canonical or "
				 "value", id, eid);
			goto out;
		}
		if (sentence_of(sents, s, e) < 0) {
			snprintf(msg, sizeof msg, "%s: %s crosses a sentence "
				 "boundary", id, eid);
			goto out;
		}
		if (entity_by_id(ents, eid) != v) {
			snprintf(msg, sizeof msg, "%s: duplicate id %s", id,
				 eid);
			goto out;
		}
		json_array_foreach(ents, j, w) {
			json_int_t s2, e2;
			if (j == i)
				continue;
			s2 = json_integer_value(json_object_get(w, "start"));
			e2 = json_integer_value(json_object_get(w, "end"));
			if (s2 >= e || s >= e2)
				continue;
			if (s <= s2 && e2 <= e && !(s == s2 && e == e2) &&
			    !strcmp(type, "ORG") &&
			    !strcmp(str_of(w, "type"), "LOC"))
				continue;
			if (s2 <= s && e <= e2 && !(s == s2 && e == e2) &&
			    !strcmp(type, "LOC") &&
			    !strcmp(str_of(w, "type"), "ORG"))
				continue;
			snprintf(msg, sizeof msg, "%s: %s overlaps %s other "
				 "than a LOC inside an ORG", id, eid,
				 str_of(w, "id"));
			goto out;
		}
	}

	json_array_foreach(rels, i, v) {
		static const char *const roles[][2] = {
			{ "person", "PERSON" }, { "title", "TITLE" },
			{ "org", "ORG" }, { "org2", "ORG" },
			{ "document", "DOCUMENT" }, { "period", "PERIOD" },
			{ "date", "DATE" }, { "loc", "LOC" },
			{ "quantity", "QUANTITY" }
		};
		static const char *const rel_types[] = {
			"holds_position", "cooperates_with", "meets",
			"located_in", "has_quantity", NULL
		};
		const char *type = str_of(v, "type"), *role;
		json_t *args = json_object_get(v, "args"), *a;
		long sent = -2;

		if (type == NULL || !in_list(type, rel_types) ||
		    !json_is_object(args)) {
			snprintf(msg, sizeof msg, "%s: relation %zu malformed",
				 id, i);
			goto out;
		}
		json_object_foreach(args, role, a) {
			json_t *e = entity_by_id(ents, json_string_value(a) ?
						 json_string_value(a) : "");
			const char *want = NULL;
			long s;
			for (j = 0; j < sizeof roles / sizeof roles[0]; j++)
				if (!strcmp(roles[j][0], role))
					want = roles[j][1];
			if (e == NULL || want == NULL ||
			    strcmp(str_of(e, "type"), want) != 0) {
				snprintf(msg, sizeof msg, "%s: %s role %s names "
					 "no %s", id, str_of(v, "id"), role,
					 want ? want : "known role");
				goto out;
			}
			s = sentence_of(sents,
				json_integer_value(json_object_get(e, "start")),
				json_integer_value(json_object_get(e, "end")));
			if (sent != -2 && s != sent) {
				snprintf(msg, sizeof msg, "%s: %s spans "
					 "sentences", id, str_of(v, "id"));
				goto out;
			}
			sent = s;
		}
	}
	rc = 0;
out:
	free(seen);
	cps_release(&p);
	return rc;
}

/*
 * The normalisation the corpus relies on, reduced to what its files hold:
 * NBSP to space, NFC, and the new-style tone placement of open syllables
 * (oà, oé, uỷ ...) moved to the traditional one (òa, óe, ủy). Enough to
 * tie a deliberately raw file to its gold text; `vnie normalize` is the
 * real thing.
 */
static struct gold *gold_by_id(const char *id)
{
	for (size_t i = 0; i < ngold; i++)
		if (strcmp(golds[i].id, id) == 0)
			return &golds[i];
	return NULL;
}

/*
 * Run cmd and compare each record's text with the gold text of its id.
 * With exact, a differing text is an error; without, it is counted in
 * *nraw. With sents, the "sentences" must equal the gold's too. Returns
 * the number of records compared, or -1 (msg says why).
 */
static long compare_cmd(const char *cmd, int exact, int sents, size_t *nraw)
{
	FILE *f = popen(cmd, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long n = 0;
	int bad = 0;

	*nraw = 0;
	if (f == NULL) {
		snprintf(msg, sizeof msg, "cannot run %s", cmd);
		return -1;
	}
	while ((len = getline(&line, &cap, f)) > 0 && !bad) {
		json_error_t jerr;
		json_t *r = json_loadb(line, (size_t)len, JSON_ALLOW_NUL, &jerr);
		const char *id = r ? str_of(r, "id") : NULL;
		struct gold *g = id ? gold_by_id(id) : NULL;
		json_t *gt = g ? json_object_get(g->rec, "text") : NULL;
		json_t *rt = r ? json_object_get(r, "text") : NULL;

		if (g == NULL || rt == NULL) {
			snprintf(msg, sizeof msg, "%s: record %s has no gold "
				 "document", cmd, id ? id : "(no id)");
			bad = 1;
		} else if (json_string_length(rt) != json_string_length(gt) ||
			   memcmp(json_string_value(rt), json_string_value(gt),
				  json_string_length(gt)) != 0) {
			if (exact) {
				snprintf(msg, sizeof msg, "%s: text of %s "
					 "differs from gold", cmd, id);
				bad = 1;
			}
			(*nraw)++;
		} else if (sents && !json_equal(json_object_get(r, "sentences"),
				json_object_get(g->rec, "sentences"))) {
			snprintf(msg, sizeof msg, "%s: sentences of %s differ "
				 "from the hand-marked gold", cmd, id);
			bad = 1;
		}
		n++;
		json_decref(r);
	}
	free(line);
	if (pclose(f) != 0 && !bad) {
		snprintf(msg, sizeof msg, "%s failed", cmd);
		bad = 1;
	}
	return bad ? -1 : n;
}

int main(void)
{
	const char *dir = getenv("VNIE_CORPUS");
	const char *vnie = getenv("VNIE");
	char path[1024], cmd[2048];
	FILE *f;
	char *line = NULL;
	size_t cap = 0, nraw, i;
	ssize_t len;
	long n;
	int ok = 1, bad_rec = 0;

	if (dir == NULL)
		dir = "corpus";
	if (vnie == NULL)
		vnie = "./vnie";
	snprintf(path, sizeof path, "%s/gold.jsonl", dir);
	f = fopen(path, "r");
	CHECK("corpus: gold.jsonl opens", f != NULL);
	if (f == NULL)
		T_DONE();
	while ((len = getline(&line, &cap, f)) > 0) {
		json_error_t jerr;
		json_t *r;
		if (len > CORPUS_MAX_LINE || ngold == CORPUS_MAX_DOCS) {
			ok = 0;
			break;
		}
		r = json_loadb(line, (size_t)len, JSON_REJECT_DUPLICATES |
			       JSON_ALLOW_NUL, &jerr);
		if (r == NULL || str_of(r, "id") == NULL) {
			printf("# line %zu: %s\n", ngold + 1,
			       r ? "no id" : jerr.text);
			ok = 0;
			json_decref(r);
			continue;
		}
		golds[ngold].id = strdup(str_of(r, "id"));
		golds[ngold++].rec = r;
	}
	free(line);
	fclose(f);
	CHECK("corpus: gold.jsonl parses", ok);
	CHECK("corpus: at least 12 documents", ngold >= 12);

	for (i = 0; i < ngold; i++)
		if (check_record(golds[i].rec) < 0) {
			printf("# %s\n", msg);
			bad_rec = 1;
		}
	CHECK("corpus: records follow the contract and guidelines", !bad_rec);

	/* The shell expands the glob; file names are ours (no quoting). */
	snprintf(cmd, sizeof cmd, "'%s' read %s/*.txt", vnie, dir);
	n = compare_cmd(cmd, 0, 0, &nraw);
	if (n < 0)
		printf("# %s\n", msg);
	CHECK("corpus: read gives one record per gold document",
	      n == (long)ngold);
	CHECK("corpus: a few documents exercise normalisation",
	      n < 0 || (nraw >= 1 && nraw <= 2));

	snprintf(cmd, sizeof cmd, "'%s' read %s/*.txt | '%s' normalize",
		 vnie, dir, vnie);
	n = compare_cmd(cmd, 1, 0, &nraw);
	if (n < 0)
		printf("# %s\n", msg);
	CHECK("corpus: read | normalize gives the gold texts", n == (long)ngold);

	snprintf(cmd, sizeof cmd, "'%s' read %s/*.txt | '%s' normalize | "
		 "'%s' split", vnie, dir, vnie, vnie);
	n = compare_cmd(cmd, 1, 1, &nraw);
	if (n < 0)
		printf("# %s\n", msg);
	CHECK("corpus: split gives the hand-marked sentence boundaries",
	      n == (long)ngold);

	for (i = 0; i < ngold; i++) {
		free(golds[i].id);
		json_decref(golds[i].rec);
	}
	T_DONE();
}
