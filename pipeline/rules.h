/*
 * rules.h: the rule engine. Loads rule files (the language of
 * docs/rules.md: macros, word lists, includes, rules with a PCRE2 pattern
 * and entity, relation and suppress actions), compiles them once, and runs
 * them over document records phase by phase. Loading reports every error
 * through a callback as file, line, column and message; the stage function
 * is thread-safe over a loaded rule set, which is read-only once built.
 * The module never prints: trace lines and limit warnings go to the log
 * callback of rules_opts.
 */
#ifndef VNIE_RULES_H
#define VNIE_RULES_H

#include <stddef.h>

#include "doc.h"
#include "vnie.h"

/*
 * PCRE2 limits on every match, so that one pathological rule costs
 * milliseconds, not minutes. A pattern that needs more than a million
 * backtracking steps on one sentence is broken, not thorough (the default
 * rules need a few thousand at most); depth and heap bound the interpreter
 * when JIT is unavailable (JIT's own stack is bounded by its size).
 */
#define RULES_MATCH_LIMIT_DEFAULT 1000000UL
#define RULES_DEPTH_LIMIT_DEFAULT 10000UL
#define RULES_HEAP_LIMIT_KB_DEFAULT 20000UL

/* Include nesting depth: deeper is an include cycle gone unnoticed. */
#define RULES_MAX_INCLUDE_DEPTH 16

/* Macro nesting depth: deeper is a macro that uses itself. */
#define RULES_MAX_MACRO_DEPTH 32

/* Gazetteer classes a rule set may name with @class: each one takes a
 * slice of the private-use characters of the sentence shadow. */
#define RULES_MAX_CLASSES 63

/* Sentences longer than this (bytes) are matched in pieces of this size
 * cut at a space: a runaway "sentence" (a table, a list without
 * punctuation) must not cost quadratic time in every rule. */
#define RULES_MAX_SENTENCE_BYTES ((size_t)64 << 10)

typedef void (*rules_report_fn)(void *arg, const char *file, size_t line,
				size_t col, const char *msg);

struct rules_opts {
	const char **gaz_files;   /* -g files: word lists and @classes */
	size_t ngaz;
	const char *gaz_dir;      /* else the folder of gazetteers, or NULL */
	unsigned long match_limit;   /* PCRE2 match limit per match */
	unsigned long depth_limit;   /* PCRE2 depth limit per match */
	unsigned long heap_limit_kb; /* PCRE2 heap limit per match, KiB */
	int trace;                   /* log which rule matched, what lost */
	int stats;                   /* count and time each rule */
	int no_doc_step;             /* skip the document-level step */
	int no_prefilter;            /* run every rule on every sentence,
					without start hints (to test that
					they change nothing) */
	void (*log)(const char *msg);/* trace and warnings; thread-safe */
};

/* The defaults above, no gazetteers, no trace, log to nowhere. */
void rules_opts_init(struct rules_opts *o);

/*
 * Load and compile the rule files, in the order given (each is a phase).
 * Every error is reported through report(arg, file, line, col, msg), and
 * then NULL is returned; otherwise the caller owns the result and frees it
 * with rules_free(). opts is copied.
 */
struct rules *rules_load(const char **files, size_t nfiles,
			 const struct rules_opts *opts, rules_report_fn report,
			 void *arg);

void rules_free(struct rules *r);

/*
 * With opts.stats: one log line per rule, the costliest first: time spent
 * matching, sentences it ran on, matches, entities kept and lost,
 * relations added.
 */
void rules_report_stats(const struct rules *r, void (*log)(const char *));

/* Rules and phases in a loaded set, for messages. */
size_t rules_count(const struct rules *r);
size_t rules_phases(const struct rules *r);

/*
 * The default rule set: every "*.rules" of data_path("rules") whose name
 * does not start with '_', sorted by name. Returns the number of files (0
 * when there is no data folder or no rule file) and a malloc'd array of
 * malloc'd paths in *files; free with rules_files_free().
 */
size_t rules_default_files(char ***files);
void rules_files_free(char **files, size_t n);

/*
 * The stage: run every phase over the record, then the document-level
 * step; adds "entities" and "relations". ctx is a struct rules. 0, or -1
 * with err (never for a well-formed record).
 */
int rules_stage(void *ctx, struct doc *d, struct vnie_error *err);

/*
 * The stage's quick path (struct stage's quick): the record read from
 * its line without jansson and the output line written straight to out,
 * byte-identical to parsing it, rules_stage() and json_write(). Returns
 * 1 when it wrote the line, 0 (out left alone) for a record it leaves to
 * the usual path: one not in json_write()'s own form, with "relations",
 * that doc_check() would reject, or that a rule stopped in (a warning).
 * Not for --trace or --stats, whose logs would differ in order.
 */
int rules_quick(void *ctx, const char *line, size_t n, struct buf *out);

/*
 * rules_quick() for lines[0..n) at once (struct stage's quick_batch):
 * ok[i] = 1 when the output line of lines[i] was appended to outs[i],
 * else 0 (outs[i] left alone). The same lines as one call each, faster:
 * a rule runs over the sentences of all the records in turn.
 */
void rules_quick_batch(void *ctx, size_t n, const char *const *lines,
		       const size_t *lens, struct buf *outs, int *ok);

/*
 * rules_stage keeps its buffers and PCRE2 match data per thread, from one
 * record to the next; they are freed when the thread ends, or now by this
 * call (a thread that goes on living without running the stage again).
 */
void rules_thread_release(void);

#endif
