#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nuri/tensor.h"

void cli_error(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "nuri %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

bool cli_int(const char *cmd, const char *flag, const char *s, long long lo, long long hi,
             long long *out) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end) {
        cli_error(cmd, "%s: '%s' is not an integer", flag, s);
        return false;
    }
    if (v < lo || v > hi) {
        cli_error(cmd, "%s: %lld is outside [%lld, %lld]", flag, v, lo, hi);
        return false;
    }
    *out = v;
    return true;
}

bool cli_float(const char *cmd, const char *flag, const char *s, double lo, double hi,
               double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || isnan(v)) {
        cli_error(cmd, "%s: '%s' is not a number", flag, s);
        return false;
    }
    if (v < lo || v > hi) {
        cli_error(cmd, "%s: %g is outside [%g, %g]", flag, v, lo, hi);
        return false;
    }
    *out = v;
    return true;
}

bool cli_ids(const char *cmd, const char *flag, const char *s, int32_t **ids, size_t *n) {
    size_t cap = 16, len = 0;
    int32_t *v = malloc(cap * sizeof *v);
    if (!v) {
        cli_error(cmd, "out of memory");
        return false;
    }
    const char *p = s;
    while (*p) {
        char *end;
        errno = 0;
        long long x = strtoll(p, &end, 10);
        if (errno || end == p || x < 0 || x > INT32_MAX || (*end && *end != ',')) {
            cli_error(cmd, "%s: '%s' is not a comma-separated list of token ids", flag, s);
            free(v);
            return false;
        }
        if (len == cap) {
            int32_t *nv = realloc(v, (cap *= 2) * sizeof *v);
            if (!nv) {
                free(v);
                cli_error(cmd, "out of memory");
                return false;
            }
            v = nv;
        }
        v[len++] = (int32_t)x;
        p = *end ? end + 1 : end;
    }
    if (len == 0) {
        cli_error(cmd, "%s: empty token list", flag);
        free(v);
        return false;
    }
    *ids = v;
    *n = len;
    return true;
}

const char *cli_value(const char *cmd, int argc, char **argv, int *i) {
    if (*i + 1 >= argc) {
        cli_error(cmd, "%s needs a value", argv[*i]);
        return NULL;
    }
    return argv[++*i];
}

bool cli_isa(const char *cmd, const char *s, int *isa) {
    if (!strcmp(s, "scalar")) *isa = NURI_ISA_SCALAR;
    else if (!strcmp(s, "avx2")) *isa = NURI_ISA_AVX2;
    else if (!strcmp(s, "avx512")) *isa = NURI_ISA_AVX512;
    else {
        cli_error(cmd, "--isa: '%s' is not scalar, avx2 or avx512", s);
        return false;
    }
    return true;
}

char *cli_read_stdin(size_t *len) {
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n + 1 >= cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) break;
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, stdin);
        n += got;
        if (got == 0) {
            if (ferror(stdin)) break;
            buf[n] = 0;
            *len = n;
            return buf;
        }
    }
    free(buf);
    return NULL;
}
