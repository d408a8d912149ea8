/*
 * vnie.h: what every module and command of vnie shares: the exit codes, the
 * error structure that modules fill instead of printing, limits that are
 * common to several stages, and a few allocation helpers that abort on
 * out-of-memory (a filter that cannot allocate a few bytes cannot go on and
 * must not emit half a record).
 */
#ifndef VNIE_H
#define VNIE_H

#include <stddef.h>
#include <stdarg.h>

#define VNIE_VERSION "0.1.0"

/* Exit codes, documented in `vnie --help`. */
enum {
	VNIE_EXIT_OK = 0,      /* every record processed */
	VNIE_EXIT_RECORDS = 1, /* some records rejected; the stream went on */
	VNIE_EXIT_USAGE = 2,   /* usage error, invalid rule or gazetteer file */
	VNIE_EXIT_IO = 3       /* read or write error */
};

/*
 * Longest input line a stage reads, in bytes. A longer line becomes an error
 * record (its first VNIE_ERROR_INPUT_MAX bytes kept) so that one runaway line
 * cannot take the machine's memory; --max-line changes it.
 */
#define VNIE_MAX_LINE_DEFAULT ((size_t)64 << 20)

/* How much of a rejected line an error record keeps in "input". */
#define VNIE_ERROR_INPUT_MAX ((size_t)64 << 10)

/* A message from a module to the command that called it. */
struct vnie_error {
	char msg[1024];
};

void vnie_err(struct vnie_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The name of the running program and stage, for diagnostics: "vnie split". */
extern const char *vnie_progname;

/* Print "vnie STAGE: message" to stderr. */
void vnie_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Print a problem found in a rule or gazetteer file as
 * "vnie STAGE: file:line:col: message" (line and col left out when 0; just
 * the message when file is NULL). Fits the report callbacks of gaz.h and
 * rules.h; arg is unused.
 */
void vnie_report(void *arg, const char *file, size_t line, size_t col,
		 const char *msg);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrndup(const char *s, size_t n);
char *xstrdup(const char *s);

/* Our own impossible states: abort with file and line. */
#define VNIE_BUG(...) vnie_bug(__FILE__, __LINE__, __VA_ARGS__)
void vnie_bug(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));

#endif
