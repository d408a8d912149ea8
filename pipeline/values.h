/*
 * values.h: reading Vietnamese dates, numbers and year spans into the
 * normalised values of ANNOTATION.md (ISO dates with XXXX for an unstated
 * year, integers, "2021/2028" periods). These are the functions that rule
 * templates call as date(), int() and period(); they only parse, they
 * never look at records.
 */
#ifndef VNIE_VALUES_H
#define VNIE_VALUES_H

#include <stddef.h>

#include "buf.h"

/*
 * Append the ISO value of a date mention s[0..n) to out: "24/01/2018" ->
 * "2018-01-24", "ngày 4/11" -> "XXXX-11-04", "tháng 9/2020" -> "2020-09",
 * "năm 2017" -> "2017", "Thứ năm, 25 Tháng 1 2018" -> "2018-01-25".
 * Returns 0, or -1 (out unchanged) when no date can be read.
 */
int values_date(const char *s, size_t n, struct buf *out);

/*
 * Append the integer that s[0..n) states: digits with '.' as thousands
 * separator and ',' as decimal comma ("6.943", "1,5 triệu"), scale words
 * (trăm, nghìn/ngàn, triệu, tỷ/tỉ) and number words ("hai", "mười lăm").
 * Returns 0, or -1 (out unchanged) when there is no number.
 */
int values_int(const char *s, size_t n, struct buf *out);

/*
 * Append "Y1/Y2" for the first year (four digits) of a[0..an) and the
 * first of b[0..bn); with b == NULL the first two years of a. A single
 * year gives just that year. Returns 0, or -1 when a has no year.
 */
int values_period(const char *a, size_t an, const char *b, size_t bn,
		  struct buf *out);

/* Append s[0..n) lower-cased, or with its first character upper-cased. */
void values_lower(const char *s, size_t n, struct buf *out);
void values_upperfirst(const char *s, size_t n, struct buf *out);

#endif
