/*
 * jsonparse.h: a fast path for reading one JSON object into jansson values.
 * It accepts only what it can read exactly as jansson would (valid UTF-8,
 * integers that fit, no reals, no duplicate keys, nesting within jansson's
 * limit) and gives up on anything else, so that the caller falls back to
 * json_loadb() for the same result or for jansson's own error message.
 */
#ifndef VNIE_JSONPARSE_H
#define VNIE_JSONPARSE_H

#include <stddef.h>
#include <jansson.h>

/* The object in s[0..n), a new reference; NULL when the fast path gives up. */
json_t *jsonparse_object(const char *s, size_t n);

#endif
