/*
 * data.h: where the default rules and gazetteers are. In order: $VNIE_DATA;
 * the directory of the running binary when it holds rules/ or gazetteers/
 * (a build tree);
 * the installed data directory VNIE_DATADIR (set by the Makefile from
 * PREFIX). Options (-r, -g) override the defaults entirely.
 */
#ifndef VNIE_DATA_H
#define VNIE_DATA_H

/* The data directory (holding rules/ and gazetteers/), or NULL if none. */
const char *data_dir(void);

/*
 * path of a file of the data directory: data_path("rules/default.rules").
 * Returns a malloc'd string, or NULL when there is no data directory.
 */
char *data_path(const char *rel);

#endif
