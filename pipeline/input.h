/*
 * input.h: files, folders or standard input to document records, shared by
 * `vnie read` and `vnie run`. One record per file, per non-blank line, or
 * per blank-line-separated block; ids from the file path; bytes that are
 * not UTF-8 replaced by U+FFFD with a warning naming their byte offset; a
 * leading BOM dropped. The module hands each record to a callback and
 * reports unreadable files through another; it never prints.
 */
#ifndef VNIE_INPUT_H
#define VNIE_INPUT_H

#include "doc.h"

enum input_by { INPUT_BY_FILE, INPUT_BY_LINE, INPUT_BY_PARA };

struct input {
	enum input_by by;
	/* Takes the record (the callee releases it); nonzero stops input. */
	int (*emit)(void *arg, struct doc *d);
	/* A file or folder that could not be read: path and strerror. */
	void (*report)(void *arg, const char *path, const char *why);
	void *arg;
	const char *ext; /* in folders, read only names ending in "." ext;
			    NULL or "" reads every file */
	int failed;   /* set when report was called */
};

/*
 * Read PATH ("-" for standard input, a file, or a folder recursively in
 * byte order of names, skipping names that start with '.' and, when
 * in->ext is set, files without that extension). Returns 0, or the nonzero
 * value emit returned.
 */
int input_path(struct input *in, const char *path);

/* Records of the bytes s[0..n) of one file whose id is id. */
int input_bytes(struct input *in, const char *id, const char *s, size_t n);

#endif
