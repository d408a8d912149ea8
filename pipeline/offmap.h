/*
 * offmap.h: the map between offsets into a record's normalised "text" and
 * offsets into its original "raw", stored in the record as "offsets":
 * [[t0, r0], [t1, r1], ...], breakpoints sorted by t (and by r), the first
 * at t0 = 0 (r0 > 0 when characters were removed at the start; [] reads
 * as [[0, 0]]). Between breakpoints the map advances one for one:
 *
 *     raw(t) = r_k + (t - t_k)   for the last k with t_k <= t,
 *
 * clamped so it never passes r_{k+1} (a span of text that replaced a
 * shorter raw span maps onto that span's end). A record without "offsets"
 * has the identity map. All offsets are code points.
 */
#ifndef VNIE_OFFMAP_H
#define VNIE_OFFMAP_H

#include <stddef.h>
#include <jansson.h>

#include "vnie.h"

struct offmap {
	size_t *t;     /* breakpoints in text, owned */
	size_t *r;     /* the raw offset of each, owned */
	size_t n;      /* number of breakpoints; 0 means identity */
	size_t cap;
	size_t tlen;   /* length of text (code points) */
	size_t rlen;   /* length of raw (code points) */
};

void offmap_init(struct offmap *m);
void offmap_release(struct offmap *m);

/* Append a breakpoint; t and r must not decrease. */
void offmap_add(struct offmap *m, size_t t, size_t r);

/*
 * Read "offsets" of a record whose text and raw have the given lengths.
 * offsets == NULL gives the identity map. -1 with err if the array is
 * malformed, not sorted, does not start at text offset 0, or points
 * outside the texts. Offsets that to_raw/to_text give stay within the
 * lengths given.
 */
int offmap_from_json(struct offmap *m, json_t *offsets, size_t tlen,
		     size_t rlen, struct vnie_error *err);

/* The "offsets" array for this map (a new reference). */
json_t *offmap_to_json(const struct offmap *m);

/* Raw offset of text offset t (t <= tlen). */
size_t offmap_to_raw(const struct offmap *m, size_t t);

/* Text offset of raw offset r: the first t whose raw(t) >= r. */
size_t offmap_to_text(const struct offmap *m, size_t r);

#endif
