/* Licenses from PROVENANCE.md tables: rows "| file | source | license | note |", where
 * file is a path relative to the table's directory or a glob pattern with '*'.
 * A source's table is the explicit one or the first PROVENANCE.md found in its directory
 * or a parent directory. */
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "datapipe/internal.h"

typedef struct {
    char *dir;  /* the table's directory (real path), files are relative to it */
    char *path; /* the table itself */
    char **file, **license;
    size_t n;
} dp_table;

struct dp_provenance {
    char *explicit_path;
    dp_table *tables;
    size_t n;
};

dp_provenance *dp_provenance_new(const char *explicit_path) {
    dp_provenance *p = calloc(1, sizeof *p);
    if (p && explicit_path && !(p->explicit_path = strdup(explicit_path))) {
        free(p);
        return NULL;
    }
    return p;
}

void dp_provenance_free(dp_provenance *p) {
    if (!p) return;
    for (size_t i = 0; i < p->n; i++) {
        dp_table *t = &p->tables[i];
        for (size_t k = 0; k < t->n; k++) {
            free(t->file[k]);
            free(t->license[k]);
        }
        free(t->file);
        free(t->license);
        free(t->dir);
        free(t->path);
    }
    free(p->tables);
    free(p->explicit_path);
    free(p);
}

static char *trimmed(const char *s, size_t n) {
    while (n && (*s == ' ' || *s == '\t')) s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    char *r = malloc(n + 1);
    if (r) {
        memcpy(r, s, n);
        r[n] = 0;
    }
    return r;
}

/* Parses the table rows of a PROVENANCE.md; unreadable files give an empty table. */
static void parse(dp_table *t, const char *path) {
    char *text = NULL;
    size_t size = 0;
    nuri_error err;
    if (nuri_read_file(path, &text, &size, &err) != NURI_OK) return;
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = 0;
        /* cells between '|'; the header and the --- separator row are not files */
        if (line[0] == '|') {
            char *cell[4];
            size_t len[4], k = 0;
            char *p = line + 1;
            while (k < 4) {
                char *bar = strchr(p, '|');
                if (!bar) break;
                cell[k] = p;
                len[k] = (size_t)(bar - p);
                k++;
                p = bar + 1;
            }
            if (k >= 3) {
                char *file = trimmed(cell[0], len[0]), *lic = trimmed(cell[2], len[2]);
                bool header = !file || !lic || !strcmp(file, "file") || file[0] == '-' || !file[0];
                char **nf = header ? NULL : realloc(t->file, (t->n + 1) * sizeof *nf);
                if (nf) t->file = nf;
                char **nl2 = header || !nf ? NULL : realloc(t->license, (t->n + 1) * sizeof *nl2);
                if (nl2) {
                    t->license = nl2;
                    t->file[t->n] = file;
                    t->license[t->n] = lic;
                    t->n++;
                } else {
                    free(file);
                    free(lic);
                }
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    free(text);
}

static dp_table *table_for(dp_provenance *p, const char *table_path) {
    char real[PATH_MAX];
    if (!realpath(table_path, real)) return NULL;
    for (size_t i = 0; i < p->n; i++)
        if (!strcmp(p->tables[i].path, real)) return &p->tables[i];
    dp_table *nt = realloc(p->tables, (p->n + 1) * sizeof *nt);
    if (!nt) return NULL;
    p->tables = nt;
    dp_table *t = &p->tables[p->n];
    memset(t, 0, sizeof *t);
    t->path = strdup(real);
    char *slash = strrchr(real, '/');
    if (slash) *slash = 0;
    t->dir = strdup(slash == real ? "/" : real);
    if (!t->path || !t->dir) {
        free(t->path);
        free(t->dir);
        return NULL;
    }
    p->n++;
    parse(t, t->path);
    return t;
}

char *dp_provenance_license(dp_provenance *p, const char *path, const char **table) {
    *table = NULL;
    char real[PATH_MAX];
    if (!realpath(path, real)) return NULL;
    dp_table *t = NULL;
    if (p->explicit_path) {
        t = table_for(p, p->explicit_path);
    } else {
        char dir[PATH_MAX], cand[PATH_MAX + 16];
        snprintf(dir, sizeof dir, "%s", real);
        for (;;) {
            char *slash = strrchr(dir, '/');
            if (!slash) break;
            *slash = 0;
            snprintf(cand, sizeof cand, "%s/PROVENANCE.md", dir[0] ? dir : "");
            FILE *f = fopen(cand, "r");
            if (f) {
                fclose(f);
                t = table_for(p, cand);
                break;
            }
            if (!dir[0]) break;
        }
    }
    if (!t) return NULL;
    *table = t->path;
    size_t dl = strlen(t->dir);
    const char *rel = real;
    if (!strncmp(real, t->dir, dl) && real[dl] == '/') rel = real + dl + 1;
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->file[i], rel) || fnmatch(t->file[i], rel, FNM_PATHNAME) == 0) return strdup(t->license[i]);
    return NULL;
}
