/*
 * input.c: the file reader of input.h. The text is kept as it is (CRLF and
 * all, in --by file mode): normalize is the stage that changes text.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "input.h"

/* Replacements noted one by one in a record's warnings; past this many a
 * binary file would bloat its record, so the rest are counted in one line. */
#define INPUT_MAX_WARNINGS 100

struct badlist {
	size_t base;     /* byte offset of the piece in its file */
	size_t n;        /* replacements so far */
	struct doc *d;
};

static void note_bad(size_t off, void *arg)
{
	struct badlist *b = arg;

	b->n++;
	if (b->n <= INPUT_MAX_WARNINGS)
		doc_warn(b->d, "read: invalid UTF-8 at byte %zu replaced by "
			 "U+FFFD", b->base + off);
}

/* Emit one record for bytes s[0..n), found at byte base of its file. */
static int emit(struct input *in, const char *id, const char *s, size_t n,
		size_t base)
{
	struct doc d;
	struct buf clean = BUF_INIT;
	struct badlist bl = { base, 0, NULL };

	if (utf8_valid(s, n)) {
		doc_new(&d, id, s, n);
	} else {
		doc_new(&d, id, "", 0);
		bl.d = &d;
		utf8_sanitize(s, n, &clean, note_bad, &bl);
		doc_set_text(&d, clean.p, clean.n);
		if (bl.n > INPUT_MAX_WARNINGS)
			doc_warn(&d, "read: %zu more invalid UTF-8 sequences "
				 "replaced by U+FFFD",
				 bl.n - INPUT_MAX_WARNINGS);
		buf_release(&clean);
	}
	return in->emit(in->arg, &d);
}

static int is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

int input_bytes(struct input *in, const char *id, const char *s, size_t n)
{
	size_t base = 0, i, j, lineno = 0, block = 0, bstart = 0, bend = 0;
	int inblock = 0, rc;
	char sub[4096];

	if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		base = 3;
	if (in->by == INPUT_BY_FILE)
		return emit(in, id, s + base, n - base, base);
	for (i = base; i < n; i = j + 1) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t e;

		j = nl ? (size_t)(nl - s) : n;
		lineno++;
		e = j;
		if (e > i && s[e - 1] == '\r')
			e--;
		if (in->by == INPUT_BY_LINE) {
			if (!is_blank(s + i, e - i)) {
				snprintf(sub, sizeof(sub), "%s#%zu", id, lineno);
				if ((rc = emit(in, sub, s + i, e - i, i)) != 0)
					return rc;
			}
		} else if (!is_blank(s + i, e - i)) {
			if (!inblock) {
				bstart = i;
				inblock = 1;
			}
			bend = e;
		} else if (inblock) {
			snprintf(sub, sizeof(sub), "%s#%zu", id, ++block);
			rc = emit(in, sub, s + bstart, bend - bstart, bstart);
			if (rc != 0)
				return rc;
			inblock = 0;
		}
	}
	if (inblock) {
		snprintf(sub, sizeof(sub), "%s#%zu", id, ++block);
		return emit(in, sub, s + bstart, bend - bstart, bstart);
	}
	return 0;
}

static int slurp(FILE *fp, struct buf *b)
{
	char tmp[1 << 16];
	size_t got;

	while ((got = fread(tmp, 1, sizeof(tmp), fp)) > 0)
		buf_add(b, tmp, got);
	return ferror(fp) ? -1 : 0;
}

/* The id of a file: its path under the folder given, without extension. */
static void make_id(char *id, size_t cap, const char *rel)
{
	const char *slash = strrchr(rel, '/'), *dot = strrchr(rel, '.');
	const char *name = slash ? slash + 1 : rel;
	size_t n = strlen(rel);

	if (dot != NULL && dot > name)
		n = (size_t)(dot - rel);
	snprintf(id, cap, "%.*s", (int)n, rel);
}

static void fail(struct input *in, const char *path, int err)
{
	in->failed = 1;
	if (in->report != NULL)
		in->report(in->arg, path, strerror(err));
}

static int read_one(struct input *in, const char *path, const char *rel)
{
	struct buf b = BUF_INIT;
	FILE *fp;
	char id[4096];
	int rc = 0;

	if (strcmp(path, "-") == 0) {
		fp = stdin;
	} else if ((fp = fopen(path, "rb")) == NULL) {
		fail(in, path, errno);
		return 0;
	}
	if (slurp(fp, &b) < 0) {
		fail(in, path, errno);
	} else {
		make_id(id, sizeof(id), rel);
		rc = input_bytes(in, id, b.p ? b.p : "", b.n);
	}
	if (fp != stdin)
		fclose(fp);
	buf_release(&b);
	return rc;
}

static int cmp_names(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int wanted(const struct input *in, const char *name)
{
	size_t n = strlen(name), e;

	if (in->ext == NULL || in->ext[0] == '\0')
		return 1;
	e = strlen(in->ext);
	return n > e + 1 && name[n - e - 1] == '.' &&
	       strcmp(name + n - e, in->ext) == 0;
}

static int read_dir(struct input *in, const char *path, const char *rel)
{
	struct dirent **ents;
	struct stat st;
	int n, i, rc = 0;

	n = scandir(path, &ents, NULL, cmp_names);
	if (n < 0) {
		fail(in, path, errno);
		return 0;
	}
	for (i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		char p[4096], r[4096];

		if (rc == 0 && nm[0] != '.') {
			snprintf(p, sizeof(p), "%s/%s", path, nm);
			snprintf(r, sizeof(r), "%s%s%s", rel, *rel ? "/" : "",
				 nm);
			if (stat(p, &st) < 0)
				fail(in, p, errno);
			else if (S_ISDIR(st.st_mode))
				rc = read_dir(in, p, r);
			else if (S_ISREG(st.st_mode) && wanted(in, nm))
				rc = read_one(in, p, r);
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

int input_path(struct input *in, const char *path)
{
	struct stat st;
	const char *base;

	if (strcmp(path, "-") == 0)
		return read_one(in, "-", "stdin");
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return read_dir(in, path, "");
	base = strrchr(path, '/');
	return read_one(in, path, base ? base + 1 : path);
}
