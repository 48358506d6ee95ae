/* Source specs to files: "FORMAT:PATH" or "PATH"; directories recursively, in byte order
 * of the paths (so a run does not depend on the directory listing order). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "datapipe/internal.h"

static const char *const format_names[] = {"auto", "lines", "paragraphs", "wrapped", "markdown", "csv", "tsv"};
static const char *const drop_names[NURI_DROP_REASON_COUNT] = {"empty", "too_short", "not_korean",
                                                               "duplicate", "near_duplicate", "excluded"};

const char *nuri_data_format_name(nuri_data_format f) {
    return (unsigned)f < sizeof format_names / sizeof format_names[0] ? format_names[f] : NULL;
}

int nuri_data_format_from_name(const char *name, size_t len) {
    for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++)
        if (strlen(format_names[i]) == len && !memcmp(format_names[i], name, len)) return (int)i;
    return -1;
}

const char *nuri_drop_reason_name(nuri_drop_reason r) {
    return (unsigned)r < NURI_DROP_REASON_COUNT ? drop_names[r] : NULL;
}

static nuri_data_format by_extension(const char *path) {
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash)) return NURI_DATA_LINES;
    if (!strcmp(dot, ".csv")) return NURI_DATA_CSV;
    if (!strcmp(dot, ".tsv")) return NURI_DATA_TSV;
    if (!strcmp(dot, ".md")) return NURI_DATA_MARKDOWN;
    return NURI_DATA_LINES;
}

static bool push(dp_files *f, const char *path, nuri_data_format fmt) {
    if (f->n == f->cap) {
        size_t c = f->cap ? f->cap * 2 : 16;
        dp_file *v = realloc(f->v, c * sizeof *v);
        if (!v) return false;
        f->v = v;
        f->cap = c;
    }
    char *p = strdup(path);
    if (!p) return false;
    f->v[f->n++] = (dp_file){p, fmt == NURI_DATA_AUTO ? by_extension(path) : fmt};
    return true;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static nuri_status walk(const char *path, nuri_data_format fmt, dp_files *out, int depth, nuri_error *err) {
    struct stat st;
    if (stat(path, &st) != 0) return nuri_fail(err, NURI_ERR_IO, "%s: %s", path, strerror(errno));
    if (S_ISREG(st.st_mode)) {
        return push(out, path, fmt) ? NURI_OK : nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    }
    if (!S_ISDIR(st.st_mode)) return nuri_fail(err, NURI_ERR_IO, "%s: not a file or directory", path);
    if (depth > 32) return nuri_fail(err, NURI_ERR_IO, "%s: directories nested too deep", path);
    DIR *d = opendir(path);
    if (!d) return nuri_fail(err, NURI_ERR_IO, "%s: %s", path, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    nuri_status rc = NURI_OK;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) {
                rc = nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
                break;
            }
            names = nn;
        }
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        if (!names[n]) {
            rc = nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
            break;
        }
        snprintf(names[n], len, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", e->d_name);
        n++;
    }
    closedir(d);
    if (!rc) qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; !rc && i < n; i++) {
        struct stat es;
        if (stat(names[i], &es) != 0) continue; /* vanished or a dangling link */
        if (S_ISREG(es.st_mode) || S_ISDIR(es.st_mode)) rc = walk(names[i], fmt, out, depth + 1, err);
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    return rc;
}

nuri_status dp_expand_sources(const char *const *specs, size_t n, dp_files *out, nuri_error *err) {
    for (size_t i = 0; i < n; i++) {
        const char *spec = specs[i], *path = spec;
        nuri_data_format fmt = NURI_DATA_AUTO;
        const char *colon = strchr(spec, ':');
        if (colon) {
            int f = nuri_data_format_from_name(spec, (size_t)(colon - spec));
            if (f >= 0) {
                fmt = (nuri_data_format)f;
                path = colon + 1;
            }
        }
        if (!*path) return nuri_fail(err, NURI_ERR_INVALID_ARG, "'%s': no path", spec);
        size_t before = out->n;
        nuri_status st = walk(path, fmt, out, 0, err);
        if (st) return st;
        if (out->n == before) return nuri_fail(err, NURI_ERR_INVALID_ARG, "%s: no files in this directory", path);
    }
    return NURI_OK;
}

void dp_files_free(dp_files *f) {
    for (size_t i = 0; i < f->n; i++) free(f->v[i].path);
    free(f->v);
    memset(f, 0, sizeof *f);
}
