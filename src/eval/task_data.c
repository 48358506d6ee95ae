/* Documents of a task: rows of a TSV/CSV file turned into named fields, questions of a
 * SQuAD-layout JSON file, or one text file; and the prompts rendered from them. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "eval/dsv.h"
#include "eval/pystr.h"
#include "eval/sbuf.h"
#include "eval/task.h"

static char *dupn(const char *s, size_t n) {
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

void doc_set_free(doc_set *d) {
    for (int i = 0; d->docs && i < d->n; i++) {
        task_doc *doc = &d->docs[i];
        for (int j = 0; doc->vals && doc->vals[j]; j++) free(doc->vals[j]);
        free(doc->vals);
        for (int j = 0; j < doc->n_answers; j++) free(doc->answers[j]);
        free(doc->answers);
    }
    free(d->docs);
    free(d->path);
    memset(d, 0, sizeof *d);
}

static bool ascii_ieq(const char *a, const char *b) {
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
        char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
        if (x != y) return false;
    }
    return *a == *b;
}

/* A cell through strip / map / int. *out is malloc'd. */
static nuri_status transform(const field_spec *f, const char *path, long line, const char *cell,
                             char **out, nuri_error *err) {
    size_t len = strlen(cell), off = 0;
    if (f->strip) {
        off = py_lstrip_off(cell, len);
        len = py_rstrip_len(cell + off, len - off);
    }
    char *v = dupn(cell + off, len);
    if (!v) return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    if (f->n_map) {
        int hit = -1;
        for (int i = 0; i < f->n_map && hit < 0; i++)
            if (f->ignore_case ? ascii_ieq(v, f->map_from[i]) : !strcmp(v, f->map_from[i])) hit = i;
        if (hit < 0) {
            sbuf want = {0};
            for (int i = 0; i < f->n_map; i++) sb_printf(&want, "%s'%s'", i ? ", " : "", f->map_from[i]);
            nuri_status st = nuri_fail(err, NURI_ERR_FORMAT, "%s:%ld: column %s: unexpected value '%.60s' (expected %s%s)",
                                       path, line, f->column, v, want.data ? want.data : "",
                                       f->ignore_case ? " in any case" : "");
            sb_free(&want);
            free(v);
            return st;
        }
        free(v);
        if (!(v = dupn(f->map_to[hit], strlen(f->map_to[hit])))) return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    }
    if (f->is_int) {
        const char *p = v;
        if (*p == '-' || *p == '+') p++;
        bool ok = *p != 0 && strlen(p) <= 12;
        for (const char *q = p; ok && *q; q++) ok = *q >= '0' && *q <= '9';
        if (!ok) {
            nuri_status st = nuri_fail(err, NURI_ERR_FORMAT, "%s:%ld: column %s: '%.60s' is not an integer",
                                       path, line, f->column, v);
            free(v);
            return st;
        }
        long x = strtol(v, NULL, 10) + f->add;
        free(v);
        char tmp[32];
        snprintf(tmp, sizeof tmp, "%ld", x);
        if (!(v = dupn(tmp, strlen(tmp)))) return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    }
    *out = v;
    return NURI_OK;
}

static nuri_status check_gold(const task_def *t, const char *path, task_doc *doc, nuri_error *err) {
    if (t->output != OUT_MC) return NURI_OK;
    long g = strtol(doc->vals[t->gold], NULL, 10);
    if (g < 0 || g >= t->n_choices)
        return nuri_fail(err, NURI_ERR_FORMAT, "%s:%ld: the answer (%s = %ld) is outside the %d choices",
                         path, doc->line, t->fields[t->gold].name, g, t->n_choices);
    doc->gold = (int)g;
    return NURI_OK;
}

static nuri_status load_table(const task_def *t, const char *path, doc_set *out, nuri_error *err) {
    dsv_table tab;
    nuri_status st = dsv_read(path, t->format == FMT_CSV ? ',' : '\t', t->quoting, &tab, err);
    if (st) return st;
    int *cols = calloc((size_t)t->n_fields, sizeof *cols);
    out->docs = calloc((size_t)tab.n_rows + 1, sizeof *out->docs);
    if (!cols || !out->docs) {
        st = nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (int f = 0; f < t->n_fields; f++) {
        cols[f] = dsv_col(&tab, t->fields[f].column);
        if (cols[f] < 0) {
            sbuf h = {0};
            for (int c = 0; c < tab.n_cols; c++) sb_printf(&h, "%s%s", c ? ", " : "", tab.header[c]);
            st = nuri_fail(err, NURI_ERR_FORMAT, "%s:1: no column '%s' (the header has: %.300s)", path,
                           t->fields[f].column, h.data ? h.data : "");
            sb_free(&h);
            goto done;
        }
    }
    for (int r = 0; r < tab.n_rows; r++) {
        task_doc *doc = &out->docs[out->n++];
        doc->line = tab.lines[r];
        doc->vals = calloc((size_t)t->n_fields + 1, sizeof *doc->vals);
        if (!doc->vals) {
            st = nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
            goto done;
        }
        for (int f = 0; f < t->n_fields; f++)
            if ((st = transform(&t->fields[f], path, doc->line, dsv_cell(&tab, r, cols[f]), &doc->vals[f], err)))
                goto done;
        if ((st = check_gold(t, path, doc, err))) goto done;
    }
done:
    free(cols);
    dsv_free(&tab);
    return st;
}

static const char *json_str(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static nuri_status load_squad(const task_def *t, const char *path, doc_set *out, nuri_error *err) {
    char *text;
    size_t len;
    nuri_status st = nuri_read_file(path, &text, &len, err);
    if (st) return st;
    cJSON *root = cJSON_ParseWithLength(text, len);
    free(text);
    if (!root) return nuri_fail(err, NURI_ERR_FORMAT, "%s: not valid JSON", path);
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
    if (!cJSON_IsArray(data)) {
        cJSON_Delete(root);
        return nuri_fail(err, NURI_ERR_FORMAT, "%s: no 'data' array (SQuAD layout)", path);
    }
    int cap = 0, ai = 0;
    const cJSON *art;
    cJSON_ArrayForEach(art, data) {
        const cJSON *paras = cJSON_GetObjectItemCaseSensitive(art, "paragraphs"), *p;
        int pi = 0;
        if (!cJSON_IsArray(paras)) {
            st = nuri_fail(err, NURI_ERR_FORMAT, "%s: data[%d]: no 'paragraphs' array", path, ai);
            break;
        }
        cJSON_ArrayForEach(p, paras) {
            const char *ctx = json_str(p, "context");
            const cJSON *qas = cJSON_GetObjectItemCaseSensitive(p, "qas"), *q;
            if (!ctx || !cJSON_IsArray(qas)) {
                st = nuri_fail(err, NURI_ERR_FORMAT, "%s: data[%d].paragraphs[%d]: needs 'context' and 'qas'", path, ai, pi);
                break;
            }
            int qi = 0;
            cJSON_ArrayForEach(q, qas) {
                const char *question = json_str(q, "question"), *id = json_str(q, "id");
                const cJSON *ans = cJSON_GetObjectItemCaseSensitive(q, "answers"), *a;
                if (!question || !id || !cJSON_IsArray(ans) || cJSON_GetArraySize(ans) == 0) {
                    st = nuri_fail(err, NURI_ERR_FORMAT,
                                   "%s: data[%d].paragraphs[%d].qas[%d]: needs 'question', 'id' and a non-empty 'answers'",
                                   path, ai, pi, qi);
                    break;
                }
                if (out->n == cap) {
                    cap = cap ? cap * 2 : 1024;
                    task_doc *nd = realloc(out->docs, (size_t)cap * sizeof *nd);
                    if (!nd) { st = nuri_fail(err, NURI_ERR_NOMEM, "out of memory"); break; }
                    out->docs = nd;
                }
                task_doc *doc = &out->docs[out->n++];
                memset(doc, 0, sizeof *doc);
                doc->vals = calloc(4, sizeof *doc->vals);
                doc->answers = calloc((size_t)cJSON_GetArraySize(ans), sizeof *doc->answers);
                if (!doc->vals || !doc->answers) { st = nuri_fail(err, NURI_ERR_NOMEM, "out of memory"); break; }
                doc->vals[0] = dupn(ctx, strlen(ctx));
                doc->vals[1] = dupn(question, strlen(question));
                doc->vals[2] = dupn(id, strlen(id));
                cJSON_ArrayForEach(a, ans) {
                    const char *at = json_str(a, "text");
                    if (!at) {
                        st = nuri_fail(err, NURI_ERR_FORMAT, "%s: question %s: an answer without 'text'", path, id);
                        break;
                    }
                    doc->answers[doc->n_answers++] = dupn(at, strlen(at));
                }
                if (st) break;
                qi++;
            }
            if (st) break;
            pi++;
        }
        if (st) break;
        ai++;
    }
    cJSON_Delete(root);
    (void)t;
    return st;
}

static nuri_status load_text(const char *path, doc_set *out, nuri_error *err) {
    char *text;
    size_t len, bad;
    nuri_status st = nuri_read_file(path, &text, &len, err);
    if (st) return st;
    if (!nuri_utf8_valid(text, len, &bad)) {
        long line = 1;
        for (size_t i = 0; i < bad; i++) line += text[i] == '\n';
        free(text);
        return nuri_fail(err, NURI_ERR_FORMAT, "%s:%ld: invalid UTF-8", path, line);
    }
    if (len == 0 || strlen(text) != len) {
        free(text);
        return nuri_fail(err, NURI_ERR_FORMAT, "%s: %s", path, len ? "contains a NUL byte" : "is empty");
    }
    out->docs = calloc(1, sizeof *out->docs);
    if (!out->docs || !(out->docs[0].vals = calloc(2, sizeof(char *)))) {
        free(text);
        return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    }
    out->n = 1;
    out->docs[0].line = 1;
    out->docs[0].vals[0] = text;
    return NURI_OK;
}

nuri_status task_load_docs(const task_def *t, const char *data_dir, const char *text_file,
                           bool fewshot, doc_set *out, nuri_error *err) {
    memset(out, 0, sizeof *out);
    const char *rel = fewshot ? t->fewshot_path : t->test_path;
    if (!rel) return nuri_fail(err, NURI_ERR_INVALID_ARG, "task %s has no few-shot split", t->name);
    char path[4096];
    if (strstr(rel, "{text}")) {
        if (!text_file)
            return nuri_fail(err, NURI_ERR_INVALID_ARG, "task %s needs --text FILE", t->name);
        snprintf(path, sizeof path, "%s", text_file);
    } else if (rel[0] == '/') {
        snprintf(path, sizeof path, "%s", rel);
    } else {
        snprintf(path, sizeof path, "%s/%s", data_dir, rel);
    }
    if (!(out->path = dupn(path, strlen(path)))) return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    nuri_status st;
    switch (t->format) {
    case FMT_TSV:
    case FMT_CSV: st = load_table(t, path, out, err); break;
    case FMT_SQUAD: st = load_squad(t, path, out, err); break;
    default: st = load_text(path, out, err); break;
    }
    if (!st && out->n == 0) st = nuri_fail(err, NURI_ERR_FORMAT, "%s: no documents", path);
    if (st) doc_set_free(out);
    return st;
}

char *task_render(const task_def *t, const char *tmpl, const task_doc *doc) {
    sbuf b = {0};
    for (const char *p = tmpl; *p; p++) {
        if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
            sb_put(&b, p, 1);
            p++;
        } else if (*p == '{') {
            const char *e = strchr(p, '}');
            for (int f = 0; f < t->n_fields; f++)
                if (strlen(t->fields[f].name) == (size_t)(e - p - 1) && !strncmp(t->fields[f].name, p + 1, (size_t)(e - p - 1)))
                    sb_puts(&b, doc->vals[f]);
            p = e;
        } else {
            sb_put(&b, p, 1);
        }
    }
    if (b.oom) {
        sb_free(&b);
        return NULL;
    }
    sb_cstr(&b);
    return b.data;
}

char *task_context(const task_def *t, const task_doc *doc, const doc_set *fewshot, int k) {
    sbuf b = {0};
    for (int i = 0; i < k && fewshot && i < fewshot->n; i++) {
        const task_doc *ex = &fewshot->docs[i];
        char *q = task_render(t, t->doc_to_text, ex);
        char *a = t->output == OUT_MC ? task_render(t, t->choices[ex->gold], ex) : NULL;
        if (!q || (t->output == OUT_MC && !a)) b.oom = true;
        else {
            sb_puts(&b, q);
            sb_puts(&b, t->target_delim);
            if (a) sb_puts(&b, a);
            sb_puts(&b, t->fewshot_delim);
        }
        free(q);
        free(a);
    }
    char *q = task_render(t, t->doc_to_text, doc);
    if (!q) b.oom = true;
    else sb_puts(&b, q);
    free(q);
    if (b.oom) {
        sb_free(&b);
        return NULL;
    }
    sb_cstr(&b);
    return b.data;
}
