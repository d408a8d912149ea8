/*
 * util.c: error messages and allocation helpers shared by every module.
 * Nothing here knows about records or stages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vnie.h"

const char *vnie_progname = "vnie";

void vnie_err(struct vnie_error *e, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

void vnie_warn(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", vnie_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void vnie_bug(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: BUG at %s:%d: ", vnie_progname, file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void vnie_report(void *arg, const char *file, size_t line, size_t col,
		 const char *msg)
{
	(void)arg;
	if (file == NULL)
		fprintf(stderr, "%s: %s\n", vnie_progname, msg);
	else if (line == 0)
		fprintf(stderr, "%s: %s: %s\n", vnie_progname, file, msg);
	else if (col == 0)
		fprintf(stderr, "%s: %s:%zu: %s\n", vnie_progname, file, line,
			msg);
	else
		fprintf(stderr, "%s: %s:%zu:%zu: %s\n", vnie_progname, file,
			line, col, msg);
}

static void oom(size_t n)
{
	fprintf(stderr, "%s: out of memory allocating %zu bytes\n",
		vnie_progname, n);
	exit(VNIE_EXIT_IO);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom(n);
	return p;
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);

	if (p == NULL)
		oom(n * m);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		oom(n);
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}
