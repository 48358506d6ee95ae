/* Placeholder until the subcommand lands; replaced by its real implementation. */
#include <stdio.h>

#include "commands.h"

int cmd_inspect(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "nuri inspect: not implemented yet\n");
    return 1;
}
