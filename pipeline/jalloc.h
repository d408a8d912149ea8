/*
 * jalloc.h: the allocator behind every jansson value: malloc with a small
 * per-thread cache of freed blocks, since records are built and freed as
 * trees of thousands of small blocks. Installed once, before any value is
 * made (doc.c does it at start-up); blocks stay valid malloc() blocks.
 */
#ifndef VNIE_JALLOC_H
#define VNIE_JALLOC_H

/* Make jansson allocate through the cache. Call before any json_t exists. */
void jalloc_install(void);

#endif
