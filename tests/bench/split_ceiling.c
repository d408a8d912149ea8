/*
 * split_ceiling.c: the library ceiling beside `vnie split`. Reads a file of
 * records, takes their texts (untimed), then times over the same texts:
 * ICU's sentence iterator alone on a UTF-8 UText, the same after a UTF-16
 * conversion, and sent_split() (the split module without JSON). Prints one
 * line per measure: "name MB/s", MB = 10^6 bytes of text per second of CPU
 * time (the machine is shared, so wall time would measure the neighbours
 * too). Built and run by
 * tests/bench/split.sh; not part of vnie.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <unicode/ubrk.h>
#include <unicode/ustring.h>
#include <unicode/utext.h>

#include "sent.h"

struct text {
	char *s;
	size_t n;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	FILE *fp;
	char *line = NULL;
	size_t cap = 0, nt = 0, tcap = 0, total = 0, count = 0;
	ssize_t got;
	struct text *t = NULL;
	UErrorCode st = U_ZERO_ERROR;
	UBreakIterator *bi;
	UChar *u = NULL;
	int32_t ucap = 0;
	double t0, best;
	struct sent_opts o;
	struct sent *sp;
	struct vnie_error err;

	if (argc != 3 || (fp = fopen(argv[1], "r")) == NULL) {
		fprintf(stderr, "usage: split_ceiling RECORDS.jsonl ABBREVS\n");
		return 2;
	}
	while ((got = getline(&line, &cap, fp)) > 0) {
		json_t *r = json_loadb(line, (size_t)got, JSON_ALLOW_NUL, NULL);
		json_t *x = r ? json_object_get(r, "text") : NULL;

		if (x != NULL && json_is_string(x)) {
			if (nt == tcap) {
				tcap = tcap ? 2 * tcap : 1024;
				t = realloc(t, tcap * sizeof(*t));
			}
			t[nt].n = json_string_length(x);
			t[nt].s = malloc(t[nt].n + 1);
			memcpy(t[nt].s, json_string_value(x), t[nt].n);
			total += t[nt].n;
			nt++;
		}
		json_decref(r);
	}
	fclose(fp);
	bi = ubrk_open(UBRK_SENTENCE, "vi", NULL, 0, &st);

	/* each measure: best of 2 runs */
	best = 1e9;
	for (int run = 0; run < 2; run++) {
		t0 = now();
		for (size_t i = 0; i < nt; i++) {
			UText ut = UTEXT_INITIALIZER;

			utext_openUTF8(&ut, t[i].s, (int64_t)t[i].n, &st);
			ubrk_setUText(bi, &ut, &st);
			while (ubrk_next(bi) != UBRK_DONE)
				count++;
			utext_close(&ut);
		}
		if (now() - t0 < best)
			best = now() - t0;
	}
	printf("icu-utf8 %.1f\n", total / best / 1e6);

	best = 1e9;
	for (int run = 0; run < 2; run++) {
		t0 = now();
		for (size_t i = 0; i < nt; i++) {
			int32_t ulen;

			if ((int32_t)t[i].n + 1 > ucap) {
				ucap = (int32_t)t[i].n + 1;
				u = realloc(u, (size_t)ucap * sizeof(UChar));
			}
			u_strFromUTF8(u, ucap, &ulen, t[i].s, (int32_t)t[i].n,
				      &st);
			ubrk_setText(bi, u, ulen, &st);
			while (ubrk_next(bi) != UBRK_DONE)
				count++;
		}
		if (now() - t0 < best)
			best = now() - t0;
	}
	printf("icu-utf16 %.1f\n", total / best / 1e6);
	if (U_FAILURE(st)) {
		fprintf(stderr, "ICU: %s\n", u_errorName(st));
		return 1;
	}

	sent_opts_init(&o);
	o.abbrev_path = argv[2];
	if ((sp = sent_new(&o, &err)) == NULL) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	best = 1e9;
	for (int run = 0; run < 2; run++) {
		t0 = now();
		for (size_t i = 0; i < nt; i++) {
			size_t *p, np, ncut;

			if (sent_split(sp, t[i].s, t[i].n, &p, &np, &ncut,
				       &err) < 0) {
				fprintf(stderr, "%s\n", err.msg);
				return 1;
			}
			count += np;
			free(p);
		}
		if (now() - t0 < best)
			best = now() - t0;
	}
	printf("sent_split %.1f\n", total / best / 1e6);
	fprintf(stderr, "%zu texts, %zu bytes of text (%zu boundaries)\n", nt,
		total, count);
	sent_free(sp);
	sent_thread_release();
	ubrk_close(bi);
	for (size_t i = 0; i < nt; i++)
		free(t[i].s);
	free(t);
	free(u);
	free(line);
	return 0;
}
