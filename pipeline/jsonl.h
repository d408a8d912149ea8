/*
 * jsonl.h: reading input line by line with a cap on line length, and
 * writing output lines with the error policy of STYLE.md (EPIPE dies
 * quietly by SIGPIPE, any other write error is reported by the command).
 * Knows nothing about JSON itself: lines are bytes.
 */
#ifndef VNIE_JSONL_H
#define VNIE_JSONL_H

#include <stdio.h>
#include <stddef.h>

struct jsonl_reader {
	FILE *fp;           /* input, borrowed */
	char *buf;          /* read buffer, owned */
	size_t cap;         /* bytes allocated in buf */
	size_t beg, end;    /* unread bytes are buf[beg..end) */
	int eof;            /* no more input in fp */
	int ioerr;          /* errno of a read error, or 0 */
	size_t max_line;    /* longest line returned whole */
	unsigned long line; /* number of the last line returned, from 1 */
	char *big;          /* a line assembled across refills, owned */
	size_t bigcap;
};

void jsonl_reader_init(struct jsonl_reader *r, FILE *fp, size_t max_line);
void jsonl_reader_release(struct jsonl_reader *r);

/*
 * Next line without its '\n' (and without a '\r' before it). Returns 1 and
 * sets *s, *n (valid until the next call) or 0 at end of input or on a read
 * error (then r->ioerr is set). A line longer than max_line is consumed
 * whole but only its first VNIE_ERROR_INPUT_MAX bytes are returned, and
 * *toolong is set to its full length; otherwise *toolong is 0.
 */
int jsonl_next(struct jsonl_reader *r, const char **s, size_t *n,
	       size_t *toolong);

/*
 * Write n bytes to stdout. On EPIPE the process dies by SIGPIPE (quietly,
 * like any filter); on any other error returns -1 with errno set.
 */
int jsonl_write(const void *p, size_t n);
/* Flush and close stdout; -1 with errno set on failure. */
int jsonl_finish(void);
/* SIGPIPE back to its default action and a large stdout buffer. */
void jsonl_setup(void);

#endif
