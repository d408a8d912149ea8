/*
 * gaz.h: gazetteers. Loads TSV word lists (one file per class, format in
 * docs/gazetteers.md) into one matcher, compiled once at start-up, and
 * finds their entries in text: longest-leftmost per class, on syllable
 * boundaries, case-insensitive by Unicode case folding, insensitive to
 * where a syllable carries its tone mark (hoà = hòa) and to runs of spaces,
 * optionally (per file) insensitive to all diacritics.
 *
 * Loading reports every problem of a file through a callback and never
 * prints; `vnie check` and `vnie gazetteer` decide what to do with them.
 * After loading, a struct gaz is read-only: gaz_match() and gaz_stage()
 * may run on it from several threads at once.
 */
#ifndef VNIE_GAZ_H
#define VNIE_GAZ_H

#include <stddef.h>

#include "doc.h"
#include "vnie.h"

/*
 * Longest line of a gazetteer file, in bytes. Real lines are short; a
 * longer one is a broken file (a missing newline), reported, not loaded.
 */
#define GAZ_MAX_LINE ((size_t)4096)

/*
 * Longest folded key of one syllable (or other token), in bytes. No
 * Vietnamese syllable or acronym comes near it; a longer run of letters in
 * text cannot match any entry, so the scanner stops folding it there
 * instead of growing a buffer for it.
 */
#define GAZ_MAX_KEY 128

struct gaz;

struct gaz_attr {
	const char *key;    /* [a-z][a-z0-9_]* */
	const char *value;  /* as written, may hold spaces */
};

/* One data line of a gazetteer; owned by the struct gaz. */
struct gaz_entry {
	const char *surface;    /* surface form as written in the file */
	const char *type;       /* ORG, LOC, ... or "-" for a word list */
	const char *canonical;  /* canonical form */
	const char *cls;        /* class: the file name without .tsv */
	const char *source;     /* "<display name>:<line>" */
	const struct gaz_attr *attrs; /* key=value columns, in file order */
	size_t nattrs;
	size_t line;            /* line number in its file */
	unsigned cls_id;        /* index of the class, 0..gaz_nclasses()-1 */
};

/* A match: bytes [start, end) of the text given to gaz_match(). */
struct gaz_hit {
	size_t start, end;
	const struct gaz_entry *e;
};

/* Return nonzero to stop the scan; gaz_match() then returns that value. */
typedef int (*gaz_hit_fn)(void *arg, const struct gaz_hit *h);

/*
 * Receives each problem found while loading. file is the display name
 * (NULL when the problem is not about one file); line and col count from
 * 1, and are 0 when they do not apply; col counts code points.
 */
typedef void (*gaz_report_fn)(void *arg, const char *file, size_t line,
			      size_t col, const char *msg);

struct gaz *gaz_new(void);
void gaz_free(struct gaz *g);

/*
 * Load the gazetteer file at path; display_name names it in messages and
 * in "source" ("gazetteers/titles.tsv"), and its base name without .tsv
 * is the class. Every problem of the file is reported; lines without one
 * are loaded. Returns 0 when there was none, -1 otherwise.
 */
int gaz_load_file(struct gaz *g, const char *path, const char *display_name,
		  gaz_report_fn report, void *arg);

/* The same over the contents s[0..n) of a file (for tests). */
int gaz_load_mem(struct gaz *g, const char *s, size_t n,
		 const char *display_name, gaz_report_fn report, void *arg);

/*
 * Load the files given, or when n == 0 every *.tsv of the default
 * gazetteers/ folder (data.h) in name order, shown as "gazetteers/NAME".
 * Returns 0, or -1 after reporting at least one problem.
 */
int gaz_load_paths(struct gaz *g, char *const *paths, size_t n,
		   gaz_report_fn report, void *arg);

/* Number of entries loaded, and of classes. */
size_t gaz_nentries(const struct gaz *g);
size_t gaz_nclasses(const struct gaz *g);
const char *gaz_class_name(const struct gaz *g, size_t i);

/* Entry i (0 <= i < gaz_nentries()) in load order, e.g. to list a class. */
const struct gaz_entry *gaz_entry(const struct gaz *g, size_t i);

/*
 * Restrict matching to the classes selected: the first call disables all
 * others, later calls add one more. -1 if no class has that name.
 */
int gaz_select_class(struct gaz *g, const char *name);

/*
 * Find every entry of the enabled classes in s[0..n): for each class,
 * longest-leftmost matches that do not overlap each other (matches of
 * different classes may overlap), reported in order of start, then of
 * class. Word-list entries (type "-") are reported too. s need not be
 * valid UTF-8 (an ill-formed byte is a punctuation token). Returns 0, or
 * the first nonzero value fn returned.
 */
int gaz_match(const struct gaz *g, const char *s, size_t n, gaz_hit_fn fn,
	      void *arg);

/*
 * The gazetteer stage: adds an entity for each match of an entry that has
 * an entity type, never across a sentence boundary when the record has
 * "sentences". ctx is a const struct gaz. Thread-safe.
 */
int gaz_stage(void *ctx, struct doc *d, struct vnie_error *err);

/*
 * The stage's quick path for `vnie gazetteer` (struct stage.quick): the
 * output line for line[0..n) written straight from the matches, with no
 * entity objects built, byte for byte what gaz_stage() and doc_write()
 * give. Returns 0 and writes nothing for a line it leaves to them: one
 * that is not a good record, or already has entities.
 */
int gaz_quick(void *ctx, const char *line, size_t n, struct buf *out);

#endif
