/* Task-family files: JSON read with cJSON, merged with the file's defaults, checked. */
#include "eval/task.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"

static char *dupstr(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static uint64_t fnv1a(const char *s) {
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void free_strs(char **v, int n) {
    for (int i = 0; v && i < n; i++) free(v[i]);
    free(v);
}

static void task_free(task_def *t) {
    free(t->name);
    free(t->family);
    free(t->about);
    free(t->test_path);
    free(t->fewshot_path);
    free(t->dataset_path);
    free(t->dataset_name);
    for (int i = 0; i < t->n_fields; i++) {
        free(t->fields[i].name);
        free(t->fields[i].column);
        free_strs(t->fields[i].map_from, t->fields[i].n_map);
        free_strs(t->fields[i].map_to, t->fields[i].n_map);
    }
    free(t->fields);
    free(t->doc_to_text);
    free_strs(t->choices, t->n_choices);
    free(t->target_delim);
    free(t->fewshot_delim);
    free_strs(t->until, t->n_until);
    free_strs(t->metrics, t->n_metrics);
}

static void group_free(group_def *g) {
    free(g->name);
    free(g->family);
    free(g->about);
    free_strs(g->members, g->n_members);
    free(g->leaves);
    free_strs(g->metrics, g->n_metrics);
}

void nuri_taskdb_free(nuri_taskdb *db) {
    if (!db) return;
    for (int i = 0; i < db->n_tasks; i++) task_free(&db->tasks[i]);
    for (int i = 0; i < db->n_groups; i++) group_free(&db->groups[i]);
    free(db->tasks);
    free(db->groups);
    free(db);
}

int taskdb_find_task(const nuri_taskdb *db, const char *name) {
    for (int i = 0; i < db->n_tasks; i++)
        if (!strcmp(db->tasks[i].name, name)) return i;
    return -1;
}

int taskdb_find_group(const nuri_taskdb *db, const char *name) {
    for (int i = 0; i < db->n_groups; i++)
        if (!strcmp(db->groups[i].name, name)) return i;
    return -1;
}

bool task_has_metric(const task_def *t, const char *metric) {
    for (int i = 0; i < t->n_metrics; i++)
        if (!strcmp(t->metrics[i], metric)) return true;
    return false;
}

/* ---- reading one definition ---- */

typedef struct {
    const char *file, *what; /* for messages: the file and "task NAME" */
    nuri_error *err;
} where;

static nuri_status bad(const where *w, const char *fmt, const char *a, const char *b) {
    char msg[300];
    snprintf(msg, sizeof msg, fmt, a, b);
    return nuri_fail(w->err, NURI_ERR_FORMAT, "%s: %s: %s", w->file, w->what, msg);
}

static const cJSON *get(const cJSON *o, const char *k) {
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* Optional string key; *out stays NULL when absent. */
static nuri_status get_str(const where *w, const cJSON *o, const char *k, bool required,
                           char **out) {
    const cJSON *v = get(o, k);
    *out = NULL;
    if (!v) return required ? bad(w, "'%s' is missing", k, "") : NURI_OK;
    if (!cJSON_IsString(v)) return bad(w, "'%s' must be a string", k, "");
    if (!(*out = dupstr(v->valuestring))) return nuri_fail(w->err, NURI_ERR_NOMEM, "out of memory");
    return NURI_OK;
}

static nuri_status get_strs(const where *w, const cJSON *o, const char *k, char ***out, int *n) {
    const cJSON *v = get(o, k);
    *out = NULL;
    *n = 0;
    if (!v) return NURI_OK;
    if (!cJSON_IsArray(v)) return bad(w, "'%s' must be an array of strings", k, "");
    int m = cJSON_GetArraySize(v);
    char **a = calloc((size_t)m + 1, sizeof *a);
    if (!a) return nuri_fail(w->err, NURI_ERR_NOMEM, "out of memory");
    int i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, v) {
        if (!cJSON_IsString(e) || !(a[i] = dupstr(e->valuestring))) {
            free_strs(a, i);
            return bad(w, "'%s' must be an array of strings", k, "");
        }
        i++;
    }
    *out = a;
    *n = m;
    return NURI_OK;
}

/* Replaces {name} in a path with vars' strings; {text} is left for the run. */
static nuri_status subst_path(const where *w, const char *in, const cJSON *vars, char **out) {
    char buf[1024];
    size_t o = 0;
    for (const char *p = in; *p;) {
        if (*p == '{') {
            const char *e = strchr(p, '}');
            if (!e) return bad(w, "unbalanced '{' in path '%s'", in, "");
            char key[128];
            size_t kl = (size_t)(e - p - 1);
            if (kl >= sizeof key) return bad(w, "path '%s' has a long variable", in, "");
            memcpy(key, p + 1, kl);
            key[kl] = 0;
            const cJSON *v = vars ? get(vars, key) : NULL;
            const char *rep = NULL;
            if (v && cJSON_IsString(v)) rep = v->valuestring;
            else if (!strcmp(key, "text")) rep = "{text}";
            else return bad(w, "path '%s' names an unknown variable '%s'", in, key);
            size_t rl = strlen(rep);
            if (o + rl >= sizeof buf) return bad(w, "path '%s' is too long", in, "");
            memcpy(buf + o, rep, rl);
            o += rl;
            p = e + 1;
        } else {
            if (o + 1 >= sizeof buf) return bad(w, "path '%s' is too long", in, "");
            buf[o++] = *p++;
        }
    }
    buf[o] = 0;
    if (!(*out = dupstr(buf))) return nuri_fail(w->err, NURI_ERR_NOMEM, "out of memory");
    return NURI_OK;
}

static int field_index(const task_def *t, const char *name, size_t len) {
    for (int i = 0; i < t->n_fields; i++)
        if (strlen(t->fields[i].name) == len && !strncmp(t->fields[i].name, name, len)) return i;
    return -1;
}

/* Every {name} must be a field; {{ and }} are literal braces. */
static nuri_status check_template(const where *w, const task_def *t, const char *key,
                                  const char *s) {
    for (const char *p = s; *p; p++) {
        if (p[0] == '{' && p[1] == '{') { p++; continue; }
        if (p[0] == '}' && p[1] == '}') { p++; continue; }
        if (*p == '}') return bad(w, "'%s': a lone '}' (write }} for a brace)", key, "");
        if (*p != '{') continue;
        const char *e = strchr(p, '}');
        if (!e) return bad(w, "'%s': unbalanced '{' (write {{ for a brace)", key, "");
        if (field_index(t, p + 1, (size_t)(e - p - 1)) < 0) {
            char name[128];
            snprintf(name, sizeof name, "%.*s", (int)(e - p - 1), p + 1);
            return bad(w, "'%s' uses {%s}, which is not a field", key, name);
        }
        p = e;
    }
    return NURI_OK;
}

static nuri_status add_field(task_def *t, const char *name, const char *column) {
    field_spec *f = realloc(t->fields, ((size_t)t->n_fields + 1) * sizeof *f);
    if (!f) return NURI_ERR_NOMEM;
    t->fields = f;
    f = &t->fields[t->n_fields];
    memset(f, 0, sizeof *f);
    f->name = dupstr(name);
    f->column = dupstr(column);
    t->n_fields++;
    return f->name && f->column ? NURI_OK : NURI_ERR_NOMEM;
}

static nuri_status parse_fields(const where *w, const cJSON *o, task_def *t) {
    if (t->format == FMT_SQUAD || t->format == FMT_TEXT) {
        if (get(o, "fields")) return bad(w, "'fields' is fixed for the %s format", t->format == FMT_SQUAD ? "squad" : "text", "");
        const char *names[] = {"context", "question", "id"};
        int n = t->format == FMT_SQUAD ? 3 : 0;
        for (int i = 0; i < n; i++)
            if (add_field(t, names[i], names[i])) return nuri_fail(w->err, NURI_ERR_NOMEM, "out of memory");
        if (t->format == FMT_TEXT && add_field(t, "text", "text"))
            return nuri_fail(w->err, NURI_ERR_NOMEM, "out of memory");
        return NURI_OK;
    }
    const cJSON *fs = get(o, "fields");
    if (!cJSON_IsObject(fs)) return bad(w, "'fields' must be an object of field: column", "", "");
    const cJSON *f;
    cJSON_ArrayForEach(f, fs) {
        const char *col = cJSON_IsString(f) ? f->valuestring : NULL;
        const cJSON *c = cJSON_IsObject(f) ? get(f, "column") : NULL;
        if (c) col = cJSON_IsString(c) ? c->valuestring : NULL;
        if (!col) return bad(w, "field '%s' needs a column name", f->string, "");
        if (field_index(t, f->string, strlen(f->string)) >= 0)
            return bad(w, "field '%s' is defined twice", f->string, "");
        if (add_field(t, f->string, col)) return nuri_fail(w->err, NURI_ERR_NOMEM, "out of memory");
        if (!cJSON_IsObject(f)) continue;
        field_spec *fd = &t->fields[t->n_fields - 1];
        const cJSON *k;
        cJSON_ArrayForEach(k, f) {
            const char *kn = k->string;
            if (!strcmp(kn, "column")) continue;
            if (!strcmp(kn, "strip") || !strcmp(kn, "ignore_case") || !strcmp(kn, "int")) {
                if (!cJSON_IsBool(k)) return bad(w, "field '%s': '%s' must be true or false", f->string, kn);
                bool v = cJSON_IsTrue(k);
                if (!strcmp(kn, "strip")) fd->strip = v;
                else if (!strcmp(kn, "ignore_case")) fd->ignore_case = v;
                else fd->is_int = v;
            } else if (!strcmp(kn, "add")) {
                if (!cJSON_IsNumber(k) || k->valuedouble != (double)(long)k->valuedouble)
                    return bad(w, "field '%s': 'add' must be an integer", f->string, "");
                fd->add = (long)k->valuedouble;
            } else if (!strcmp(kn, "map")) {
                if (!cJSON_IsObject(k)) return bad(w, "field '%s': 'map' must be an object of strings", f->string, "");
                int m = cJSON_GetArraySize(k);
                fd->map_from = calloc((size_t)m + 1, sizeof(char *));
                fd->map_to = calloc((size_t)m + 1, sizeof(char *));
                if (!fd->map_from || !fd->map_to) return nuri_fail(w->err, NURI_ERR_NOMEM, "out of memory");
                const cJSON *e;
                cJSON_ArrayForEach(e, k) {
                    if (!cJSON_IsString(e)) return bad(w, "field '%s': 'map' values must be strings", f->string, "");
                    fd->map_from[fd->n_map] = dupstr(e->string);
                    fd->map_to[fd->n_map] = dupstr(e->valuestring);
                    fd->n_map++;
                }
            } else {
                return bad(w, "field '%s': unknown key '%s'", f->string, kn);
            }
        }
        if (fd->add && !fd->is_int) return bad(w, "field '%s': 'add' needs \"int\": true", f->string, "");
    }
    return NURI_OK;
}

static const char *const TASK_KEYS[] = {
    "task", "about", "output_type", "format", "quoting", "test", "fewshot", "dataset_path",
    "dataset_name", "vars", "fields", "doc_to_text", "doc_to_choice", "gold",
    "target_delimiter", "fewshot_delimiter", "until", "max_gen_toks", "metrics", "version",
    NULL};

static const char *const MC_METRICS[] = {"acc", "acc_norm", "f1", NULL};
static const char *const GEN_METRICS[] = {"exact_match", "f1", NULL};
static const char *const ROLL_METRICS[] = {"word_perplexity", "byte_perplexity", "bits_per_byte",
                                           "token_perplexity", NULL};

static bool in_list(const char *const *l, const char *s) {
    for (; *l; l++)
        if (!strcmp(*l, s)) return true;
    return false;
}

static nuri_status parse_task(const where *w0, const cJSON *o, const char *family, task_def *t) {
    where w = *w0;
    memset(t, 0, sizeof *t);
    nuri_status st;
    const cJSON *k;
    cJSON_ArrayForEach(k, o)
        if (!in_list(TASK_KEYS, k->string)) return bad(&w, "unknown key '%s'", k->string, "");
    if ((st = get_str(&w, o, "task", true, &t->name))) return st;
    char what[200];
    snprintf(what, sizeof what, "task %s", t->name);
    w.what = what;
    t->family = dupstr(family);
    char *s = NULL;
    if ((st = get_str(&w, o, "output_type", true, &s))) return st;
    if (!strcmp(s, "multiple_choice")) t->output = OUT_MC;
    else if (!strcmp(s, "generate_until")) t->output = OUT_GEN;
    else if (!strcmp(s, "loglikelihood_rolling")) t->output = OUT_ROLLING;
    else st = bad(&w, "unknown output_type '%s'", s, "");
    free(s);
    if (st) return st;
    if ((st = get_str(&w, o, "format", true, &s))) return st;
    if (!strcmp(s, "tsv")) t->format = FMT_TSV;
    else if (!strcmp(s, "csv")) t->format = FMT_CSV;
    else if (!strcmp(s, "squad")) t->format = FMT_SQUAD;
    else if (!strcmp(s, "text")) t->format = FMT_TEXT;
    else st = bad(&w, "unknown format '%s' (tsv, csv, squad, text)", s, "");
    free(s);
    if (st) return st;
    const cJSON *q = get(o, "quoting");
    t->quoting = true;
    if (q) {
        if (!cJSON_IsBool(q)) return bad(&w, "'quoting' must be true or false", "", "");
        t->quoting = cJSON_IsTrue(q);
    }
    const cJSON *vars = get(o, "vars");
    if (vars && !cJSON_IsObject(vars)) return bad(&w, "'vars' must be an object of strings", "", "");
    if ((st = get_str(&w, o, "test", true, &s))) return st;
    st = subst_path(&w, s, vars, &t->test_path);
    free(s);
    if (st) return st;
    if ((st = get_str(&w, o, "fewshot", false, &s))) return st;
    if (s) {
        st = subst_path(&w, s, vars, &t->fewshot_path);
        free(s);
        if (st) return st;
    }
    if ((st = get_str(&w, o, "about", false, &t->about)) ||
        (st = get_str(&w, o, "dataset_path", false, &t->dataset_path)) ||
        (st = get_str(&w, o, "dataset_name", false, &t->dataset_name)) ||
        (st = get_str(&w, o, "doc_to_text", t->output != OUT_ROLLING, &t->doc_to_text)) ||
        (st = get_str(&w, o, "target_delimiter", false, &t->target_delim)) ||
        (st = get_str(&w, o, "fewshot_delimiter", false, &t->fewshot_delim)))
        return st;
    if (!t->target_delim) t->target_delim = dupstr(" ");
    if (!t->fewshot_delim) t->fewshot_delim = dupstr("\n\n");
    if ((st = parse_fields(&w, o, t))) return st;
    if (t->doc_to_text && (st = check_template(&w, t, "doc_to_text", t->doc_to_text))) return st;
    if ((st = get_strs(&w, o, "doc_to_choice", &t->choices, &t->n_choices))) return st;
    for (int i = 0; i < t->n_choices; i++)
        if ((st = check_template(&w, t, "doc_to_choice", t->choices[i]))) return st;
    t->gold = -1;
    if (t->output == OUT_MC) {
        if (t->n_choices < 2) return bad(&w, "'doc_to_choice' needs at least two choices", "", "");
        if ((st = get_str(&w, o, "gold", true, &s))) return st;
        t->gold = field_index(t, s, strlen(s));
        if (t->gold < 0) st = bad(&w, "'gold' names '%s', which is not a field", s, "");
        else if (!t->fields[t->gold].is_int) st = bad(&w, "'gold' field '%s' must be an int field", s, "");
        free(s);
        if (st) return st;
    } else if (get(o, "doc_to_choice") || get(o, "gold")) {
        return bad(&w, "'doc_to_choice' and 'gold' belong to multiple_choice tasks", "", "");
    }
    if ((st = get_strs(&w, o, "until", &t->until, &t->n_until))) return st;
    const cJSON *mg = get(o, "max_gen_toks");
    t->max_gen_toks = 256; /* lm-eval's default */
    if (mg) {
        if (!cJSON_IsNumber(mg) || mg->valuedouble < 1 || mg->valuedouble > 4096)
            return bad(&w, "'max_gen_toks' must be a number in 1..4096", "", "");
        t->max_gen_toks = (int)mg->valuedouble;
    }
    if ((st = get_strs(&w, o, "metrics", &t->metrics, &t->n_metrics))) return st;
    if (t->n_metrics == 0) return bad(&w, "'metrics' must name at least one metric", "", "");
    const char *const *allowed = t->output == OUT_MC ? MC_METRICS : t->output == OUT_GEN ? GEN_METRICS : ROLL_METRICS;
    for (int i = 0; i < t->n_metrics; i++)
        if (!in_list(allowed, t->metrics[i])) return bad(&w, "metric '%s' does not apply to this output_type", t->metrics[i], "");
    const cJSON *v = get(o, "version");
    if (v && !cJSON_IsNumber(v)) return bad(&w, "'version' must be a number", "", "");
    t->version = v ? v->valuedouble : 0;
    if (t->format == FMT_SQUAD && t->output != OUT_GEN) return bad(&w, "the squad format is for generate_until tasks", "", "");
    if ((t->format == FMT_TEXT) != (t->output == OUT_ROLLING))
        return bad(&w, "the text format and loglikelihood_rolling go together", "", "");
    char *canon = cJSON_PrintUnformatted(o);
    if (!canon) return nuri_fail(w.err, NURI_ERR_NOMEM, "out of memory");
    t->def_hash = fnv1a(canon);
    free(canon);
    return NURI_OK;
}

static nuri_status parse_group(const where *w0, const cJSON *o, const char *family, group_def *g) {
    where w = *w0;
    memset(g, 0, sizeof *g);
    nuri_status st;
    const cJSON *k;
    static const char *const keys[] = {"group", "about", "tasks", "metrics", "macro", "version", NULL};
    cJSON_ArrayForEach(k, o)
        if (!in_list(keys, k->string)) return bad(&w, "unknown key '%s' in a group", k->string, "");
    if ((st = get_str(&w, o, "group", true, &g->name))) return st;
    char what[200];
    snprintf(what, sizeof what, "group %s", g->name);
    w.what = what;
    g->family = dupstr(family);
    if ((st = get_str(&w, o, "about", false, &g->about)) ||
        (st = get_strs(&w, o, "tasks", &g->members, &g->n_members)) ||
        (st = get_strs(&w, o, "metrics", &g->metrics, &g->n_metrics)))
        return st;
    if (g->n_members == 0) return bad(&w, "'tasks' must name at least one task", "", "");
    const cJSON *m = get(o, "macro");
    if (m && !cJSON_IsBool(m)) return bad(&w, "'macro' must be true or false", "", "");
    g->macro = m && cJSON_IsTrue(m);
    const cJSON *v = get(o, "version");
    if (v && !cJSON_IsNumber(v)) return bad(&w, "'version' must be a number", "", "");
    g->version = v ? v->valuedouble : 0;
    return NURI_OK;
}

static nuri_status load_file(nuri_taskdb *db, const char *path, const char *family, nuri_error *err) {
    char *text;
    size_t len;
    nuri_status st = nuri_read_file(path, &text, &len, err);
    if (st) return st;
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root) {
        long line = 1;
        for (const char *p = text; end && p < end; p++) line += *p == '\n';
        free(text);
        return nuri_fail(err, NURI_ERR_FORMAT, "%s:%ld: not valid JSON", path, line);
    }
    free(text);
    where w = {path, "top level", err};
    const cJSON *defaults = get(root, "defaults");
    const cJSON *tasks = get(root, "tasks"), *groups = get(root, "groups");
    const cJSON *fam = get(root, "family");
    const cJSON *k;
    static const char *const keys[] = {"family", "about", "defaults", "tasks", "groups", NULL};
    st = NURI_OK;
    cJSON_ArrayForEach(k, root)
        if (!st && !in_list(keys, k->string)) st = bad(&w, "unknown key '%s'", k->string, "");
    if (!st && fam && !cJSON_IsString(fam)) st = bad(&w, "'family' must be a string", "", "");
    if (!st && defaults && !cJSON_IsObject(defaults)) st = bad(&w, "'defaults' must be an object", "", "");
    if (!st && !cJSON_IsArray(tasks)) st = bad(&w, "'tasks' must be an array", "", "");
    if (!st && groups && !cJSON_IsArray(groups)) st = bad(&w, "'groups' must be an array", "", "");
    if (st) {
        cJSON_Delete(root);
        return st;
    }
    if (fam) family = fam->valuestring;
    const cJSON *to;
    cJSON_ArrayForEach(to, tasks) {
        if (!cJSON_IsObject(to)) { st = bad(&w, "every entry of 'tasks' must be an object", "", ""); break; }
        cJSON *merged = defaults ? cJSON_Duplicate(defaults, 1) : cJSON_CreateObject();
        const cJSON *kv;
        cJSON_ArrayForEach(kv, to) {
            cJSON *dup = cJSON_Duplicate(kv, 1);
            if (cJSON_GetObjectItemCaseSensitive(merged, kv->string))
                cJSON_ReplaceItemInObjectCaseSensitive(merged, kv->string, dup);
            else
                cJSON_AddItemToObject(merged, kv->string, dup);
        }
        task_def *nt = realloc(db->tasks, ((size_t)db->n_tasks + 1) * sizeof *nt);
        if (!nt) { cJSON_Delete(merged); st = nuri_fail(err, NURI_ERR_NOMEM, "out of memory"); break; }
        db->tasks = nt;
        st = parse_task(&w, merged, family, &db->tasks[db->n_tasks]);
        db->n_tasks++; /* counted even when half-built, so it is freed */
        cJSON_Delete(merged);
        if (st) break;
    }
    const cJSON *go;
    if (!st) cJSON_ArrayForEach(go, groups) {
        if (!cJSON_IsObject(go)) { st = bad(&w, "every entry of 'groups' must be an object", "", ""); break; }
        group_def *ng = realloc(db->groups, ((size_t)db->n_groups + 1) * sizeof *ng);
        if (!ng) { st = nuri_fail(err, NURI_ERR_NOMEM, "out of memory"); break; }
        db->groups = ng;
        st = parse_group(&w, go, family, &db->groups[db->n_groups]);
        db->n_groups++;
        if (st) break;
    }
    cJSON_Delete(root);
    return st;
}

/* Leaf tasks of group gi, following member groups; a cycle is an error. */
static nuri_status resolve(nuri_taskdb *db, int gi, int depth, int **leaves, int *n, nuri_error *err) {
    group_def *g = &db->groups[gi];
    if (depth > 16) return nuri_fail(err, NURI_ERR_FORMAT, "group %s: groups nest too deep (a cycle?)", g->name);
    for (int i = 0; i < g->n_members; i++) {
        int ti = taskdb_find_task(db, g->members[i]);
        if (ti >= 0) {
            int *l = realloc(*leaves, ((size_t)*n + 1) * sizeof *l);
            if (!l) return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
            *leaves = l;
            l[(*n)++] = ti;
            continue;
        }
        int sub = taskdb_find_group(db, g->members[i]);
        if (sub < 0)
            return nuri_fail(err, NURI_ERR_FORMAT, "%s.json: group %s: member '%s' is no task or group",
                             g->family, g->name, g->members[i]);
        nuri_status st = resolve(db, sub, depth + 1, leaves, n, err);
        if (st) return st;
    }
    return NURI_OK;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

nuri_status nuri_taskdb_load(const char *dir, nuri_taskdb **out, nuri_error *err) {
    *out = NULL;
    DIR *d = opendir(dir);
    if (!d) return nuri_fail(err, NURI_ERR_IO, "%s: cannot open the task directory", dir);
    char **names = NULL;
    int n = 0;
    struct dirent *e;
    nuri_status st = NURI_OK;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 6 || strcmp(e->d_name + l - 5, ".json") || e->d_name[0] == '.') continue;
        char **nn = realloc(names, ((size_t)n + 1) * sizeof *nn);
        if (!nn || !(nn[n] = dupstr(e->d_name))) {
            names = nn ? nn : names;
            st = nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
            break;
        }
        names = nn;
        n++;
    }
    closedir(d);
    nuri_taskdb *db = calloc(1, sizeof *db);
    if (!db && !st) st = nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    if (names) qsort(names, (size_t)n, sizeof *names, cmp_str);
    for (int i = 0; !st && i < n; i++) {
        char path[4096], family[256];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        snprintf(family, sizeof family, "%.*s", (int)(strlen(names[i]) - 5), names[i]);
        st = load_file(db, path, family, err);
    }
    free_strs(names, n);
    if (!st && db->n_tasks == 0) st = nuri_fail(err, NURI_ERR_NOT_FOUND, "%s: no task definitions (*.json)", dir);
    /* Names are unique across tasks and groups. */
    for (int i = 0; !st && i < db->n_tasks; i++)
        for (int j = 0; !st && j < i; j++)
            if (!strcmp(db->tasks[i].name, db->tasks[j].name))
                st = nuri_fail(err, NURI_ERR_FORMAT, "task %s is defined twice (%s.json, %s.json)",
                               db->tasks[i].name, db->tasks[j].family, db->tasks[i].family);
    for (int i = 0; !st && i < db->n_groups; i++) {
        if (taskdb_find_task(db, db->groups[i].name) >= 0 || taskdb_find_group(db, db->groups[i].name) != i)
            st = nuri_fail(err, NURI_ERR_FORMAT, "%s.json: the name %s is used twice", db->groups[i].family,
                           db->groups[i].name);
        if (!st) st = resolve(db, i, 0, &db->groups[i].leaves, &db->groups[i].n_leaves, err);
    }
    if (st) {
        nuri_taskdb_free(db);
        return st;
    }
    *out = db;
    return NURI_OK;
}

int nuri_taskdb_count(const nuri_taskdb *db) { return db->n_tasks + db->n_groups; }

void nuri_taskdb_info(const nuri_taskdb *db, int i, nuri_task_info *out) {
    static const char *const kinds[] = {"multiple_choice", "generate_until", "loglikelihood_rolling"};
    memset(out, 0, sizeof *out);
    if (i < 0 || i >= nuri_taskdb_count(db)) return;
    if (i < db->n_tasks) {
        const task_def *t = &db->tasks[i];
        out->name = t->name;
        out->family = t->family;
        out->kind = kinds[t->output];
        out->source = strstr(t->test_path, "{text}") ? "--text FILE" : t->test_path;
        out->about = t->about ? t->about : "";
    } else {
        const group_def *g = &db->groups[i - db->n_tasks];
        out->name = g->name;
        out->family = g->family;
        out->is_group = true;
        out->n_members = g->n_leaves;
        out->kind = "group";
        out->source = "";
        out->about = g->about ? g->about : "";
    }
}
