/*
 * cmd_read.c: `vnie read`, files, folders or stdin to document records.
 * One record per file (default), per line, or per blank-line-separated
 * block. Bytes that are not UTF-8 become U+FFFD, each noted in "warnings"
 * with its byte offset in the file; a leading BOM is dropped. The text is
 * otherwise kept as it is: normalize is the stage that changes it.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmds.h"
#include "doc.h"
#include "jsonl.h"
#include "stage.h"

/* Replacements noted one by one in a record's warnings; past this many a
 * binary file would bloat its record, so the rest are counted in one line. */
#define READ_MAX_WARNINGS 100

enum by { BY_FILE, BY_LINE, BY_PARA };

struct reader {
	enum by by;
	int rc;
	struct buf out;
};

struct badlist {
	size_t base;     /* byte offset of the piece in its file */
	size_t n;        /* replacements so far */
	struct doc *d;
};

static void note_bad(size_t off, void *arg)
{
	struct badlist *b = arg;

	b->n++;
	if (b->n <= READ_MAX_WARNINGS)
		doc_warn(b->d, "read: invalid UTF-8 at byte %zu replaced by "
			 "U+FFFD", b->base + off);
}

/* Emit one record for bytes s[0..n), found at byte base of its file. */
static int emit(struct reader *rd, const char *id, const char *s, size_t n,
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
		if (bl.n > READ_MAX_WARNINGS)
			doc_warn(&d, "read: %zu more invalid UTF-8 sequences "
				 "replaced by U+FFFD",
				 bl.n - READ_MAX_WARNINGS);
		buf_release(&clean);
	}
	buf_reset(&rd->out);
	doc_write(&d, &rd->out);
	doc_release(&d);
	if (jsonl_write(rd->out.p, rd->out.n) < 0)
		return -1;
	return 0;
}

static int is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

/* Split the contents of one file into records as rd->by says. */
static int emit_file(struct reader *rd, const char *id, const char *s,
		     size_t n)
{
	size_t base = 0, i, j, lineno = 0, block = 0, bstart = 0, bend = 0;
	int inblock = 0;
	char sub[4096];

	if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		base = 3;
	if (rd->by == BY_FILE)
		return emit(rd, id, s + base, n - base, base);
	for (i = base; i <= n; i = j + 1) {
		const char *nl = i < n ? memchr(s + i, '\n', n - i) : NULL;
		size_t e;

		j = nl ? (size_t)(nl - s) : n;
		if (i == n && nl == NULL && !inblock)
			break;
		lineno++;
		e = j;
		if (e > i && s[e - 1] == '\r')
			e--;
		if (rd->by == BY_LINE) {
			if (!is_blank(s + i, e - i)) {
				snprintf(sub, sizeof(sub), "%s#%zu", id, lineno);
				if (emit(rd, sub, s + i, e - i, i) < 0)
					return -1;
			}
		} else if (!is_blank(s + i, e - i)) {
			if (!inblock) {
				bstart = i;
				inblock = 1;
			}
			bend = e;
		} else if (inblock) {
			snprintf(sub, sizeof(sub), "%s#%zu", id, ++block);
			if (emit(rd, sub, s + bstart, bend - bstart, bstart) < 0)
				return -1;
			inblock = 0;
		}
		if (nl == NULL)
			break;
	}
	if (inblock) {
		snprintf(sub, sizeof(sub), "%s#%zu", id, ++block);
		if (emit(rd, sub, s + bstart, bend - bstart, bstart) < 0)
			return -1;
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
	const char *slash = strrchr(rel, '/'), *dot;
	size_t n = strlen(rel);

	dot = strrchr(rel, '.');
	if (dot != NULL && (slash == NULL || dot > slash) && dot != rel &&
	    !(slash != NULL && dot == slash + 1))
		n = (size_t)(dot - rel);
	snprintf(id, cap, "%.*s", (int)n, rel);
}

static int read_one(struct reader *rd, const char *path, const char *rel)
{
	struct buf b = BUF_INIT;
	FILE *fp;
	char id[4096];
	int rc = 0;

	if (strcmp(path, "-") == 0) {
		fp = stdin;
	} else if ((fp = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "vnie read: cannot open '%s': %s\n", path,
			strerror(errno));
		rd->rc = VNIE_EXIT_RECORDS;
		return 0;
	}
	if (slurp(fp, &b) < 0) {
		fprintf(stderr, "vnie read: cannot read '%s': %s\n", path,
			strerror(errno));
		rd->rc = VNIE_EXIT_RECORDS;
	} else {
		make_id(id, sizeof(id), rel);
		rc = emit_file(rd, id, b.p ? b.p : "", b.n);
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

/* Read a folder recursively, entries in byte order of their names. */
static int read_dir(struct reader *rd, const char *path, const char *rel)
{
	struct dirent **ents;
	struct stat st;
	int n, i, rc = 0;

	n = scandir(path, &ents, NULL, cmp_names);
	if (n < 0) {
		fprintf(stderr, "vnie read: cannot open '%s': %s\n", path,
			strerror(errno));
		rd->rc = VNIE_EXIT_RECORDS;
		return 0;
	}
	for (i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		char p[4096], r[4096];

		if (rc == 0 && nm[0] != '.') {
			snprintf(p, sizeof(p), "%s/%s", path, nm);
			snprintf(r, sizeof(r), "%s%s%s", rel, *rel ? "/" : "",
				 nm);
			if (stat(p, &st) < 0) {
				fprintf(stderr, "vnie read: cannot open '%s': "
					"%s\n", p, strerror(errno));
				rd->rc = VNIE_EXIT_RECORDS;
			} else if (S_ISDIR(st.st_mode)) {
				rc = read_dir(rd, p, r);
			} else if (S_ISREG(st.st_mode)) {
				rc = read_one(rd, p, r);
			}
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

static int read_path(struct reader *rd, const char *path)
{
	struct stat st;
	const char *base;

	if (strcmp(path, "-") == 0)
		return read_one(rd, "-", "stdin");
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return read_dir(rd, path, "");
	base = strrchr(path, '/');
	return read_one(rd, path, base ? base + 1 : path);
}

static const char usage[] =
	"usage: vnie read [--by file|line|para] [PATH...]\n"
	"\n"
	"Turn files into document records, one JSON object per line:\n"
	"{\"id\": ..., \"text\": ...}. PATH may be a file, a folder (read\n"
	"recursively, in sorted order, skipping names that start with '.') or\n"
	"'-' for standard input, which is also the default. The id is the\n"
	"file's path under the folder given, without its extension; with\n"
	"--by line or para, '#N' is added (N = line or block number).\n"
	"Bytes that are not UTF-8 are replaced by U+FFFD and noted in\n"
	"\"warnings\"; a byte-order mark is dropped.\n"
	"\n"
	"options:\n"
	"  --by file   one record per file (default)\n"
	"  --by line   one record per non-blank line\n"
	"  --by para   one record per block of lines between blank lines\n"
	"  -h, --help  show this help\n";

int cmd_read(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "by", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct reader rd = { BY_FILE, VNIE_EXIT_OK, BUF_INIT };
	int c, i, rc = 0;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (strcmp(optarg, "file") == 0)
				rd.by = BY_FILE;
			else if (strcmp(optarg, "line") == 0)
				rd.by = BY_LINE;
			else if (strcmp(optarg, "para") == 0)
				rd.by = BY_PARA;
			else
				return stage_usage_error("read", "--by takes "
					"file, line or para, not '%s'", optarg);
			break;
		case 'h':
			fputs(usage, stdout);
			return jsonl_finish() < 0 ? VNIE_EXIT_IO : 0;
		default:
			fprintf(stderr, "try 'vnie read --help'\n");
			return VNIE_EXIT_USAGE;
		}
	}
	if (optind == argc)
		rc = read_path(&rd, "-");
	for (i = optind; i < argc && rc == 0; i++)
		rc = read_path(&rd, argv[i]);
	buf_release(&rd.out);
	if (rc < 0 || jsonl_finish() < 0)
		return stage_write_error();
	return rd.rc;
}
