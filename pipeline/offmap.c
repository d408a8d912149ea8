/*
 * offmap.c: text <-> raw offset maps (offmap.h). Lookups are binary
 * searches over the breakpoints.
 */
#include <stdlib.h>

#include "offmap.h"

void offmap_init(struct offmap *m)
{
	m->t = m->r = NULL;
	m->n = m->cap = 0;
	m->tlen = m->rlen = 0;
}

void offmap_release(struct offmap *m)
{
	free(m->t);
	free(m->r);
	offmap_init(m);
}

void offmap_add(struct offmap *m, size_t t, size_t r)
{
	if (m->n > 0 && (t < m->t[m->n - 1] || r < m->r[m->n - 1]))
		VNIE_BUG("offmap breakpoint %zu,%zu goes backwards", t, r);
	if (m->n > 0 && t == m->t[m->n - 1]) {
		m->r[m->n - 1] = r; /* same text point: the later raw wins */
		return;
	}
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 16;
		m->t = xrealloc(m->t, m->cap * sizeof(*m->t));
		m->r = xrealloc(m->r, m->cap * sizeof(*m->r));
	}
	m->t[m->n] = t;
	m->r[m->n] = r;
	m->n++;
	if (t > m->tlen)
		m->tlen = t;
	if (r > m->rlen)
		m->rlen = r;
}

int offmap_from_json(struct offmap *m, json_t *offsets, size_t tlen,
		     size_t rlen, struct vnie_error *err)
{
	size_t i, t, r;
	json_t *p;

	offmap_init(m);
	m->tlen = tlen;
	m->rlen = rlen;
	if (offsets == NULL)
		return 0;
	if (!json_is_array(offsets)) {
		vnie_err(err, "\"offsets\" is not an array");
		return -1;
	}
	/* [] (what an identity map writes) is [[0, 0]], so that offsets
	 * are clamped to the lengths given */
	if (json_array_size(offsets) == 0)
		offmap_add(m, 0, 0);
	json_array_foreach(offsets, i, p) {
		json_t *a = json_array_get(p, 0), *b = json_array_get(p, 1);

		if (!json_is_array(p) || json_array_size(p) != 2 ||
		    !json_is_integer(a) || !json_is_integer(b) ||
		    json_integer_value(a) < 0 || json_integer_value(b) < 0) {
			vnie_err(err, "offsets[%zu] is not a pair of offsets",
				 i);
			goto bad;
		}
		t = (size_t)json_integer_value(a);
		r = (size_t)json_integer_value(b);
		if (i == 0 && t != 0) {
			vnie_err(err, "offsets[0] = [%zu, %zu] does not start "
				 "at text offset 0", t, r);
			goto bad;
		}
		if (t > tlen || r > rlen ||
		    (m->n > 0 && (t <= m->t[m->n - 1] || r < m->r[m->n - 1]))) {
			vnie_err(err, "offsets[%zu] = [%zu, %zu] is out of "
				 "order or outside the text", i, t, r);
			goto bad;
		}
		offmap_add(m, t, r);
	}
	m->tlen = tlen;
	m->rlen = rlen;
	return 0;
bad:
	offmap_release(m);
	return -1;
}

json_t *offmap_to_json(const struct offmap *m)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < m->n; i++)
		json_array_append_new(a, json_pack("[II]",
			(json_int_t)m->t[i], (json_int_t)m->r[i]));
	return a;
}

/* The last k with key[k] <= x, or (size_t)-1 if none. */
static size_t last_le(const size_t *key, size_t n, size_t x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (key[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo == 0 ? (size_t)-1 : lo - 1;
}

size_t offmap_to_raw(const struct offmap *m, size_t t)
{
	size_t k, r;

	if (m->n == 0)
		return t;
	k = last_le(m->t, m->n, t);
	if (k == (size_t)-1)
		return t;
	r = m->r[k] + (t - m->t[k]);
	if (k + 1 < m->n && r > m->r[k + 1])
		r = m->r[k + 1];
	if (r > m->rlen)
		r = m->rlen;
	return r;
}

size_t offmap_to_text(const struct offmap *m, size_t r)
{
	size_t lo = 0, hi, mid;

	if (m->n == 0)
		return r;
	/*
	 * to_raw is monotone, so the first t with to_raw(t) >= r is found by
	 * bisection over [0, tlen]. Walking back from the breakpoint at or
	 * before r instead would skip text that maps onto one raw point (an
	 * insertion) and land past its start.
	 */
	hi = m->tlen;
	if (offmap_to_raw(m, hi) < r)
		return hi;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (offmap_to_raw(m, mid) >= r)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}
