/*
 * cmd_check.c: `vnie check`, not built yet: says so and exits 2.
 */
#include <stdio.h>

#include "cmds.h"
#include "vnie.h"

int cmd_check(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "vnie check: not available in this build\n");
	return VNIE_EXIT_USAGE;
}
