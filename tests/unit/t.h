/*
 * t.h: the smallest test harness: each CHECK prints "ok - name" or
 * "not ok - name: expression" and the binary exits 1 if any failed.
 */
#ifndef VNIE_T_H
#define VNIE_T_H

#include <stdio.h>
#include <string.h>

static int t_failed;

#define CHECK(name, cond)                                                  \
	do {                                                               \
		if (cond) {                                                \
			printf("ok - %s\n", (name));                       \
		} else {                                                   \
			printf("not ok - %s: %s (%s:%d)\n", (name), #cond, \
			       __FILE__, __LINE__);                        \
			t_failed = 1;                                      \
		}                                                          \
	} while (0)

/* Compare a (pointer, length) result with a C string. */
#define CHECK_STR(name, s, n, want)                                        \
	do {                                                               \
		size_t t_n = (n);                                          \
		const char *t_w = (want);                                  \
		if (t_n == strlen(t_w) && memcmp((s), t_w, t_n) == 0) {     \
			printf("ok - %s\n", (name));                       \
		} else {                                                   \
			printf("not ok - %s: got '%.*s', want '%s' "        \
			       "(%s:%d)\n", (name), (int)t_n, (s), t_w,     \
			       __FILE__, __LINE__);                        \
			t_failed = 1;                                      \
		}                                                          \
	} while (0)

#define T_DONE() return t_failed

#endif
