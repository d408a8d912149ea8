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
#include <stdint.h>
#include <jansson.h>

/*
 * Nonzero if a byte of the 8-byte word w is below 0x20, '"' or '\\': the
 * bytes that end a run of plain string content in JSON, read or written
 * (the "has a byte less than n" and "has a zero byte" tests of Bit
 * Twiddling Hacks, exact as yes/no answers).
 */
static inline int json_word_special(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
	uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');

	return ((((w - ones * 0x20) & ~w) | ((q - ones) & ~q) |
		 ((b - ones) & ~b)) & high) != 0;
}

/* The object in s[0..n), a new reference; NULL when the fast path gives up. */
json_t *jsonparse_object(const char *s, size_t n);

#endif
