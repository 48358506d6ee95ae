/* Placeholder until the subcommand lands; replaced by its real implementation. */
#include <stdio.h>

#include "commands.h"

int cmd_template(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "nuri template: not implemented yet\n");
    return 1;
}
