/*
 * stage.c: the shared record loop of stage.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "batch.h"
#include "jsonl.h"
#include "stage.h"

void stage_init(struct stage *st, const char *name, stage_fn fn, void *ctx)
{
	memset(st, 0, sizeof(*st));
	st->name = name;
	st->fn = fn;
	st->ctx = ctx;
	st->max_line = VNIE_MAX_LINE_DEFAULT;
	st->check_input = 1;
}

int stage_parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	default: break;
	}
	if (*end != '\0')
		return -1;
	*out = (size_t)v;
	return 0;
}

int stage_usage_error(const char *name, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vnie %s: ", name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\ntry 'vnie %s --help'\n", name);
	return VNIE_EXIT_USAGE;
}

int stage_opt(struct stage *st, int c, const char *arg)
{
	switch (c) {
	case STAGE_OPT_MAX_LINE:
		if (stage_parse_size(arg, &st->max_line) < 0 ||
		    st->max_line == 0) {
			stage_usage_error(st->name, "bad --max-line '%s'", arg);
			return -1;
		}
		return 1;
	case STAGE_OPT_STRICT:
		st->strict = 1;
		return 1;
	case 'j': {
		char *end;
		long v;

		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || end == arg || *end != '\0' || v < 1 ||
		    v > STAGE_MAX_JOBS) {
			stage_usage_error(st->name, "-j takes a number from 1 "
					  "to %d, not '%s'", STAGE_MAX_JOBS,
					  arg);
			return -1;
		}
		st->jobs = (int)v;
		return 1;
	}
	default:
		return 0;
	}
}

int stage_opt_or_usage(struct stage *st, int c, const char *arg)
{
	int r = stage_opt(st, c, arg);

	if (r == 0)
		fprintf(stderr, "try 'vnie %s --help'\n", st->name);
	return r == 1 ? 1 : -1;
}

static _Thread_local struct buf *held;

void stage_hold_messages(struct buf *b)
{
	held = b;
}

void stage_message(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (held != NULL) {
		char tmp[1024];
		int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);

		if (n > 0 && (size_t)n < sizeof(tmp)) {
			buf_add(held, tmp, (size_t)n);
		} else if (n > 0) {
			va_end(ap);
			va_start(ap, fmt);
			buf_grow(held, (size_t)n + 1);
			vsnprintf(held->p + held->n, (size_t)n + 1, fmt, ap);
			held->n += (size_t)n;
		}
		buf_addc(held, '\n');
	} else {
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}

static void reject(struct stage *st, unsigned long lineno, const char *msg,
		   const char *line, size_t n, struct buf *out)
{
	stage_message("vnie %s: line %lu: %s", st->name, lineno, msg);
	doc_write_error(out, st->name, lineno, msg, line, n);
}

int stage_chain(struct stage *st, size_t n, struct doc *d,
		unsigned long lineno, const char *line, size_t len,
		struct buf *out)
{
	struct vnie_error err;
	struct buf in = BUF_INIT;
	char full[sizeof(err.msg) + 64];
	size_t k;
	int r = 0, same = 1;

	for (k = 0; k < n; k++) {
		if ((st[k].check_input && doc_check(d, &err) < 0) ||
		    (st[k].fn != NULL && (r = st[k].fn(st[k].ctx, d, &err)) < 0))
			break;
		if (r != STAGE_UNCHANGED)
			same = 0;
	}
	if (k == n) {
		/* a record no stage changed goes out as it came, as the
		 * single stages write it */
		if (same && line != NULL) {
			buf_add(out, line, len);
			buf_addc(out, '\n');
		} else {
			doc_write(d, out);
		}
		doc_release(d);
		return 0;
	}
	snprintf(full, sizeof(full), "record '%s': %s", doc_id(d), err.msg);
	if (k > 0 || line == NULL) {
		json_write(d->root, &in);
		line = in.p;
		len = in.n;
	}
	reject(&st[k], lineno, full, line, len, out);
	buf_release(&in);
	doc_release(d);
	return 1;
}

size_t stage_quick_prefix(struct stage *st, size_t nst, const char **cur,
			  size_t *curn, struct buf tmp[2], struct buf *out)
{
	size_t k;

	/* Stages with a quick path take the line in turn, each one's output
	 * line the next one's input, as in a pipe of single stages. A quick
	 * path writes only lines the usual way would write. */
	for (k = 0; k < nst && st[k].quick != NULL; k++) {
		struct buf *o = k == nst - 1 && out != NULL ? out : &tmp[k & 1];
		size_t n0;

		if (o != out)
			buf_reset(o);
		n0 = o->n;
		if (!st[k].quick(st[k].ctx, *cur, *curn, o))
			break;
		*cur = o->p + n0;
		*curn = o->n - n0;
	}
	return k;
}

int stage_line(struct stage *st, size_t nst, const char *line, size_t n,
	       size_t toolong, unsigned long lineno, struct buf *out)
{
	struct vnie_error err;
	struct doc d;
	struct buf tmp[2] = { BUF_INIT, BUF_INIT };
	const char *cur = line;
	size_t curn = n, k;
	char msg[128];
	int rc;

	if (toolong) {
		snprintf(msg, sizeof(msg),
			 "line of %zu bytes is longer than --max-line %zu",
			 toolong, st->max_line);
		reject(st, lineno, msg, line, n, out);
		return 1;
	}
	/* from the first stage that declines its quick path, the record is
	 * parsed and goes the usual way */
	k = stage_quick_prefix(st, nst, &cur, &curn, tmp, out);
	if (k == nst) {
		buf_addc(out, '\n');
		rc = 0;
		goto out;
	}
	switch (doc_parse(&d, cur, curn, lineno, &err)) {
	case DOC_PASS:
		buf_add(out, cur, curn);
		buf_addc(out, '\n');
		rc = 0;
		goto out;
	case DOC_BAD:
		reject(&st[k], lineno, err.msg, cur, curn, out);
		rc = 1;
		goto out;
	default:
		break;
	}
	rc = stage_chain(st + k, nst - k, &d, lineno, cur, curn, out);
out:
	buf_release(&tmp[0]);
	buf_release(&tmp[1]);
	return rc;
}

int stage_write_error(void)
{
	fprintf(stderr, "%s: write error: %s\n", vnie_progname,
		strerror(errno));
	return VNIE_EXIT_IO;
}

int stage_jobs(const struct stage *st)
{
	long n;

	if (st->jobs > 0)
		return st->jobs;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		return 1;
	return n > STAGE_MAX_JOBS ? STAGE_MAX_JOBS : (int)n;
}

static int put_stdout(void *arg, const char *p, size_t n)
{
	(void)arg;
	return jsonl_write(p, n) < 0;
}

int stage_run(struct stage *st, FILE *fp)
{
	struct jsonl_reader r;
	struct batcher *b;
	const char *line;
	size_t n, toolong;
	unsigned long rejected;
	int rc = VNIE_EXIT_OK;

	b = batcher_new(st, 1, stage_jobs(st), st->strict, put_stdout, NULL);
	jsonl_reader_init(&r, fp, st->max_line);
	while (jsonl_next(&r, &line, &n, &toolong))
		if (batcher_line(b, line, n, toolong, r.line) != 0)
			break; /* a write failed, or --strict stopped */
	if (batcher_finish(b, &rejected) < 0) {
		rc = stage_write_error();
		goto out;
	}
	if (rejected > 0)
		rc = VNIE_EXIT_RECORDS;
	if (r.ioerr) {
		fprintf(stderr, "vnie %s: read error: %s\n", st->name,
			strerror(r.ioerr));
		rc = VNIE_EXIT_IO;
	}
	if (jsonl_finish() < 0)
		rc = stage_write_error();
out:
	jsonl_reader_release(&r);
	return rc;
}
