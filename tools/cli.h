/* Small helpers shared by the subcommands: strict number parsing and error printing. */
#ifndef NURI_CLI_H
#define NURI_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Print "nuri CMD: message" to stderr (one line). */
void cli_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Parse a whole string as an integer / float in [lo, hi]; on failure prints
 * "nuri CMD: FLAG: ..." and returns false. */
bool cli_int(const char *cmd, const char *flag, const char *s, long long lo, long long hi,
             long long *out);
bool cli_float(const char *cmd, const char *flag, const char *s, double lo, double hi,
               double *out);
/* Parse "1,2,3" into a malloc'd array of token ids (each >= 0). */
bool cli_ids(const char *cmd, const char *flag, const char *s, int32_t **ids, size_t *n);
/* All of standard input, NUL-terminated (malloc'd; *len excludes the NUL); NULL on a read
 * error or out of memory. */
char *cli_read_stdin(size_t *len);
/* Parse an ISA name (scalar, avx2, avx512) into a nuri_isa; prints the error. */
bool cli_isa(const char *cmd, const char *s, int *isa);
/* The value after argv[*i] for flag, advancing *i; prints an error when missing. */
const char *cli_value(const char *cmd, int argc, char **argv, int *i);

#endif
