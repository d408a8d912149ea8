/*
 * jsonl.c: the line reader and writer of jsonl.h. The reader scans a
 * buffer with memchr and hands out lines in place; only lines longer than
 * the buffer are copied.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonl.h"
#include "vnie.h"

#define READ_CHUNK ((size_t)1 << 20)

void jsonl_reader_init(struct jsonl_reader *r, FILE *fp, size_t max_line)
{
	memset(r, 0, sizeof(*r));
	r->fp = fp;
	r->cap = READ_CHUNK;
	r->buf = xmalloc(r->cap);
	r->max_line = max_line;
}

void jsonl_reader_release(struct jsonl_reader *r)
{
	free(r->buf);
	free(r->big);
	r->buf = r->big = NULL;
}

/* Move unread bytes to the front and read more. 0 if nothing was added. */
static size_t refill(struct jsonl_reader *r)
{
	size_t got;

	if (r->eof)
		return 0;
	if (r->beg > 0) {
		memmove(r->buf, r->buf + r->beg, r->end - r->beg);
		r->end -= r->beg;
		r->beg = 0;
	}
	if (r->end == r->cap)
		return 0;
	got = fread(r->buf + r->end, 1, r->cap - r->end, r->fp);
	if (got == 0) {
		if (ferror(r->fp))
			r->ioerr = errno ? errno : EIO;
		r->eof = 1;
	}
	r->end += got;
	return got;
}

static void big_add(struct jsonl_reader *r, size_t *bn, const char *p,
		    size_t n, size_t keep)
{
	if (*bn >= keep)
		return;
	if (n > keep - *bn)
		n = keep - *bn;
	if (*bn + n > r->bigcap) {
		r->bigcap = *bn + n + READ_CHUNK;
		r->big = xrealloc(r->big, r->bigcap);
	}
	memcpy(r->big + *bn, p, n);
	*bn += n;
}

int jsonl_next(struct jsonl_reader *r, const char **s, size_t *n,
	       size_t *toolong)
{
	size_t total = 0, bn = 0, keep;
	char *nl;
	int spilled = 0;

	*toolong = 0;
	keep = r->max_line < VNIE_ERROR_INPUT_MAX ? VNIE_ERROR_INPUT_MAX
						 : r->max_line;
	for (;;) {
		nl = memchr(r->buf + r->beg, '\n', r->end - r->beg);
		if (nl != NULL || (r->eof && r->end > r->beg) ||
		    (r->eof && spilled)) {
			size_t len = nl ? (size_t)(nl - (r->buf + r->beg))
					: r->end - r->beg;
			const char *p = r->buf + r->beg;

			r->beg += len + (nl != NULL);
			total += len;
			r->line++;
			if (!spilled) {
				*s = p;
				*n = len;
			} else {
				big_add(r, &bn, p, len, keep);
				*s = r->big;
				*n = bn;
			}
			if (total > r->max_line) {
				*toolong = total;
				if (*n > VNIE_ERROR_INPUT_MAX)
					*n = VNIE_ERROR_INPUT_MAX;
			} else if (*n > 0 && (*s)[*n - 1] == '\r') {
				(*n)--;
			}
			return 1;
		}
		if (r->eof)
			return 0;
		/* No newline in the buffer: keep what we have, read on. */
		if (r->beg == 0 && r->end == r->cap) {
			big_add(r, &bn, r->buf, r->end, keep);
			total += r->end;
			r->beg = r->end;
			spilled = 1;
		}
		if (refill(r) == 0 && !r->eof)
			continue;
	}
}

/*
 * Output buffer. Records are written to the kernel only whole: a record
 * that does not fit in what is left of the buffer flushes the buffer
 * first, and a record larger than the buffer is written and flushed at
 * once. So stdout never holds part of a record unless a write(2) is under
 * way, and a SIGTERM, SIGINT or SIGHUP that arrives during one waits for it
 * to end (see on_signal).
 */
#define OUT_BUF ((size_t)1 << 16)

static char obuf[OUT_BUF];
static atomic_int writing;  /* inside fwrite/fflush of records */
static atomic_int pending;  /* a signal that came meanwhile */

/*
 * A terminating signal: die by it at once unless a write is under way;
 * then note it, and jsonl_write dies by it when the record is out. What
 * is buffered but not written is lost, as with any killed filter, but
 * nothing written is part of a record.
 *
 * The signal may reach another thread than the one writing (the writer
 * of a batcher, batch.h). Each side stores its flag, then reads the
 * other's (sequentially consistent atomics, lock-free, so safe in a
 * handler): at least one of them sees the other. Either the handler sees
 * the write and leaves the death to it, or the writer sees the signal
 * before it writes anything and dies by it at once.
 */
static void on_signal(int sig)
{
	atomic_store(&pending, sig);
	if (atomic_load(&writing))
		return;
	signal(sig, SIG_DFL);
	raise(sig);
}

static void die_if_pending(void)
{
	int sig = atomic_load(&pending);

	if (sig) {
		signal(sig, SIG_DFL);
		raise(sig);
	}
}

void jsonl_setup(void)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	struct sigaction sa, old;
	size_t i;

	signal(SIGPIPE, SIG_DFL);
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		/* a signal the caller ignores (nohup, a background job) stays
		 * ignored */
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
	}
}

static void die_on_epipe(void)
{
	if (errno == EPIPE) {
		signal(SIGPIPE, SIG_DFL);
		raise(SIGPIPE);
		_exit(VNIE_EXIT_IO); /* SIGPIPE blocked by the caller */
	}
}

int jsonl_write(const void *p, size_t n)
{
	int rc = 0;

	if (n == 0)
		return 0;
	atomic_store(&writing, 1);
	die_if_pending();
	if (n > OUT_BUF - __fpending(stdout) && fflush(stdout) != 0)
		rc = -1;
	if (rc == 0 && fwrite(p, 1, n, stdout) != n)
		rc = -1;
	/* stdio writes a large record partly and keeps its tail: flush it */
	if (rc == 0 && n >= OUT_BUF && fflush(stdout) != 0)
		rc = -1;
	atomic_store(&writing, 0);
	if (rc < 0)
		die_on_epipe();
	die_if_pending();
	return rc;
}

int jsonl_finish(void)
{
	int rc = 0;

	atomic_store(&writing, 1);
	die_if_pending();
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno == 0)
			errno = EIO;
		rc = -1;
	}
	atomic_store(&writing, 0);
	if (rc < 0) {
		die_on_epipe();
		return -1;
	}
	die_if_pending();
	if (fclose(stdout) != 0) {
		die_on_epipe();
		return -1;
	}
	return 0;
}
