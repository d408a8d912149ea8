/*
 * buf.h: a growable byte buffer. Bytes travel as (pointer, length); the
 * buffer keeps a NUL after its contents for convenience only, never as the
 * end of the data (text may hold NUL).
 */
#ifndef VNIE_BUF_H
#define VNIE_BUF_H

#include <stddef.h>

struct buf {
	char *p;    /* contents, NUL-terminated, owned */
	size_t n;   /* bytes used */
	size_t cap; /* bytes allocated */
};

#define BUF_INIT { NULL, 0, 0 }

void buf_init(struct buf *b);
void buf_release(struct buf *b);
void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_addc(struct buf *b, char c);
void buf_adds(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_add_cp(struct buf *b, unsigned cp); /* append a code point as UTF-8 */
/* The decimal digits of v into out (room for 20 bytes, no NUL); their
 * number. Faster than snprintf, which was much of the JSON writers' cost. */
size_t buf_fmt_uint(char *out, unsigned long long v);
void buf_add_uint(struct buf *b, unsigned long long v); /* in decimal */
void buf_reset(struct buf *b);

#endif
