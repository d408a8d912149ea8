/*
 * cmd_rules.c: `vnie rules`, not built yet: says so and exits 2.
 */
#include <stdio.h>

#include "cmds.h"
#include "vnie.h"

int cmd_rules(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "vnie rules: not available in this build\n");
	return VNIE_EXIT_USAGE;
}
