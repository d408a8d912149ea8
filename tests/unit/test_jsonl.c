/*
 * test_jsonl.c: the line reader: lines that cross buffer refills, CRLF,
 * no final newline, empty lines, NUL inside a line, lines longer than
 * --max-line (reported with their full length, cut to what an error
 * record keeps, and the next line read correctly), and line numbers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jsonl.h"
#include "t.h"
#include "vnie.h"

#define MiB ((size_t)1 << 20)

struct got {
	char *s[16];    /* the lines, copied */
	size_t n[16];
	size_t toolong[16];
	unsigned long lineno[16];
	size_t count;
};

static void got_free(struct got *g)
{
	for (size_t i = 0; i < g->count && i < 16; i++)
		free(g->s[i]);
}

/* Read all of s[0..n) through a reader with the given cap. */
static void read_all(const char *s, size_t n, size_t max_line, struct got *g)
{
	struct jsonl_reader r;
	const char *line;
	size_t len, toolong;
	FILE *fp = tmpfile();

	memset(g, 0, sizeof(*g));
	fwrite(s, 1, n, fp);
	rewind(fp);
	jsonl_reader_init(&r, fp, max_line);
	while (jsonl_next(&r, &line, &len, &toolong)) {
		if (g->count < 16) {
			g->s[g->count] = xstrndup(line, len);
			g->n[g->count] = len;
			g->toolong[g->count] = toolong;
			g->lineno[g->count] = r.line;
		}
		g->count++;
	}
	if (r.ioerr)
		g->count = 999;
	jsonl_reader_release(&r);
	fclose(fp);
}

#define LIT(s) s, sizeof(s) - 1

static void test_small(void)
{
	struct got g;

	read_all(LIT(""), 100, &g);
	CHECK("empty input: no lines", g.count == 0);
	got_free(&g);

	read_all(LIT("a\nbc\n"), 100, &g);
	CHECK("two lines", g.count == 2);
	CHECK_STR("line 1", g.s[0], g.n[0], "a");
	CHECK_STR("line 2", g.s[1], g.n[1], "bc");
	CHECK("line numbers", g.lineno[0] == 1 && g.lineno[1] == 2);
	got_free(&g);

	read_all(LIT("a\nlast"), 100, &g);
	CHECK("no final newline: last line read", g.count == 2);
	CHECK_STR("no final newline: text", g.s[1], g.n[1], "last");
	got_free(&g);

	read_all(LIT("a\r\nb\r\n"), 100, &g);
	CHECK("crlf: two lines", g.count == 2);
	CHECK_STR("crlf: CR dropped 1", g.s[0], g.n[0], "a");
	CHECK_STR("crlf: CR dropped 2", g.s[1], g.n[1], "b");
	got_free(&g);

	read_all(LIT("a\r\r\nb\r"), 100, &g);
	CHECK("crlf: only the last CR dropped", g.count == 2 && g.n[0] == 2 &&
	      g.s[0][1] == '\r');
	CHECK_STR("crlf: CR at end of input dropped", g.s[1], g.n[1], "b");
	got_free(&g);

	read_all(LIT("\n\n\nx\n"), 100, &g);
	CHECK("empty lines are lines", g.count == 4 && g.n[0] == 0 &&
	      g.n[1] == 0 && g.n[2] == 0 && g.lineno[3] == 4);
	got_free(&g);

	read_all(LIT("\n"), 100, &g);
	CHECK("one empty line", g.count == 1 && g.n[0] == 0);
	got_free(&g);

	read_all(LIT("a\0b\nc"), 100, &g);
	CHECK("NUL inside a line kept", g.count == 2 && g.n[0] == 3 &&
	      memcmp(g.s[0], "a\0b", 3) == 0);
	got_free(&g);

	read_all(LIT("0123456789\n0123456789A\nok\n"), 10, &g);
	CHECK("line of exactly max_line is whole", g.count == 3 &&
	      g.toolong[0] == 0 && g.n[0] == 10);
	CHECK("line of max_line+1 is too long", g.toolong[1] == 11 &&
	      g.n[1] == 11);
	CHECK_STR("line after the long one", g.s[2], g.n[2], "ok");
	CHECK("line number after the long one", g.lineno[2] == 3);
	got_free(&g);

	read_all(LIT("0123456789\r\n"), 10, &g);
	/* the cap is on bytes read, so the CR of a CRLF line counts */
	CHECK("CR counts toward max_line", g.count == 1 &&
	      g.toolong[0] == 11 && g.n[0] == 11);
	got_free(&g);
}

/* Lines crossing the 1 MiB read buffer, a 2.5 MiB line returned whole,
 * and a 3 MiB line over the cap. */
static void test_big(void)
{
	struct buf b = BUF_INIT;
	struct got g;
	size_t i, big = 5 * MiB / 2, huge = 3 * MiB;
	int ok;

	/* line 1: 1 MiB - 3 bytes, so line 2 starts just before the end of
	 * the first buffer and crosses it */
	for (i = 0; i < MiB - 3; i++)
		buf_addc(&b, 'a');
	buf_add(&b, "\nbcdefgh\n", 9);
	for (i = 0; i < big; i++)
		buf_addc(&b, (char)('0' + i % 10));
	buf_addc(&b, '\n');
	for (i = 0; i < huge; i++)
		buf_addc(&b, 'h');
	buf_add(&b, "\r\nafter\nend", 11);

	read_all(b.p, b.n, 4 * MiB, &g);
	CHECK("big: six lines", g.count == 6);
	CHECK("big: first line whole", g.n[0] == MiB - 3 && g.toolong[0] == 0);
	CHECK_STR("big: line across the refill", g.s[1], g.n[1], "bcdefgh");
	ok = g.n[2] == big && g.toolong[2] == 0;
	for (i = 0; ok && i < big; i++)
		ok = g.s[2][i] == (char)('0' + i % 10);
	CHECK("big: 2.5 MiB line returned whole and intact", ok);
	CHECK("big: 3 MiB line under a 4 MiB cap, CR dropped",
	      g.n[3] == huge && g.toolong[3] == 0);
	CHECK_STR("big: line after", g.s[4], g.n[4], "after");
	CHECK_STR("big: last line without newline", g.s[5], g.n[5], "end");
	got_free(&g);

	read_all(b.p, b.n, MiB, &g);
	CHECK("cap 1M: six lines", g.count == 6);
	CHECK("cap 1M: 2.5 MiB line too long with its length",
	      g.toolong[2] == big && g.n[2] == VNIE_ERROR_INPUT_MAX);
	CHECK("cap 1M: the kept part is the start of the line",
	      memcmp(g.s[2], "0123456789", 10) == 0);
	CHECK("cap 1M: 3 MiB line too long, length counts its CR",
	      g.toolong[3] == huge + 1);
	CHECK_STR("cap 1M: the line after is read correctly", g.s[4], g.n[4],
		  "after");
	CHECK("cap 1M: line numbers go on", g.lineno[4] == 5 &&
	      g.lineno[5] == 6);
	got_free(&g);

	read_all(b.p, b.n, 100, &g);
	CHECK("cap 100: every long line reported", g.count == 6 &&
	      g.toolong[0] == MiB - 3 && g.toolong[1] == 0 &&
	      g.toolong[2] == big && g.toolong[4] == 0);
	CHECK_STR("cap 100: short line between long ones", g.s[1], g.n[1],
		  "bcdefgh");
	got_free(&g);
	buf_release(&b);
}

int main(void)
{
	test_small();
	test_big();
	T_DONE();
}
