/* A run: resolve the task names, read and check every data file, then score document by
 * document, appending each result to samples_TASK.jsonl (fsync'd, so an interrupted run
 * loses at most the document in flight), and finally write results.json and report.html
 * from everything in the samples files. A rerun with the same output directory checks
 * that the model and the task definitions are the same, re-renders each stored
 * document's prompt to confirm it, and only scores what is missing. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.h"
#include "eval/metrics.h"
#include "eval/pystr.h"
#include "eval/run.h"
#include "nuri/generate.h"

static char *dupstr(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* ---- which tasks ---- */

static bool has_int(const int *v, int n, int x) {
    for (int i = 0; i < n; i++)
        if (v[i] == x) return true;
    return false;
}

static void add_group_tree(const nuri_taskdb *db, int gi, int *groups, int *ng) {
    if (has_int(groups, *ng, gi)) return;
    groups[(*ng)++] = gi;
    const group_def *g = &db->groups[gi];
    for (int i = 0; i < g->n_members; i++) {
        int sub = taskdb_find_group(db, g->members[i]);
        if (sub >= 0) add_group_tree(db, sub, groups, ng);
    }
}

static nuri_status select_tasks(const nuri_taskdb *db, const char *list, int *tasks, int *nt,
                                int *groups, int *ng, nuri_error *err) {
    *nt = *ng = 0;
    char *copy = dupstr(list);
    if (!copy) return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    nuri_status st = NURI_OK;
    char *save = NULL;
    for (char *name = strtok_r(copy, ",", &save); name && !st; name = strtok_r(NULL, ",", &save)) {
        while (*name == ' ') name++;
        size_t l = strlen(name);
        while (l && name[l - 1] == ' ') name[--l] = 0;
        if (!l) continue;
        int ti = taskdb_find_task(db, name), gi = taskdb_find_group(db, name);
        if (ti >= 0) {
            if (!has_int(tasks, *nt, ti)) tasks[(*nt)++] = ti;
        } else if (gi >= 0) {
            add_group_tree(db, gi, groups, ng);
            for (int i = 0; i < db->groups[gi].n_leaves; i++)
                if (!has_int(tasks, *nt, db->groups[gi].leaves[i])) tasks[(*nt)++] = db->groups[gi].leaves[i];
        } else {
            st = nuri_fail(err, NURI_ERR_NOT_FOUND, "unknown task '%s' (nuri eval --list shows them)", name);
        }
    }
    free(copy);
    if (!st && *nt == 0) st = nuri_fail(err, NURI_ERR_INVALID_ARG, "no task given (--tasks T1,T2,...)");
    return st;
}

/* ---- files ---- */

static nuri_status make_dirs(const char *dir, nuri_error *err) {
    char path[4096];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1;; p++) {
        if (*p == '/' || *p == 0) {
            char c = *p;
            *p = 0;
            if (mkdir(path, 0777) && errno != EEXIST)
                return nuri_fail(err, NURI_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
            *p = c;
            if (!c) break;
        }
    }
    struct stat st;
    if (stat(dir, &st) || !S_ISDIR(st.st_mode)) return nuri_fail(err, NURI_ERR_IO, "%s: not a directory", dir);
    return NURI_OK;
}

static nuri_status write_atomic(const char *dir, const char *name, const sbuf *b, nuri_error *err) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (b->oom) return nuri_fail(err, NURI_ERR_NOMEM, "%s: out of memory", path);
    nuri_atomic_file af;
    nuri_status st = nuri_atomic_open(&af, path, err);
    if (st) return st;
    if (fwrite(b->data, 1, b->len, af.f) != b->len) {
        nuri_atomic_abort(&af);
        return nuri_fail(err, NURI_ERR_IO, "%s: write failed", path);
    }
    st = nuri_atomic_commit(&af, err);
    nuri_atomic_abort(&af);
    return st;
}

static uint64_t hash_bytes(const unsigned char *p, size_t n) {
    uint64_t h = 1469598103934665603ull;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 1099511628211ull;
    }
    for (; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

/* The state file: what the samples in this directory were computed with. */
static nuri_status check_state(eval_run *r, nuri_error *err) {
    const nuri_eval_params *p = r->p;
    char path[4096];
    snprintf(path, sizeof path, "%s/run.json", p->output_dir);
    cJSON *old = NULL;
    struct stat sbuf_;
    if (stat(path, &sbuf_) == 0) {
        char *text;
        size_t len;
        nuri_status st = nuri_read_file(path, &text, &len, err);
        if (st) return st;
        old = cJSON_ParseWithLength(text, len);
        free(text);
        if (!old) return nuri_fail(err, NURI_ERR_FORMAT, "%s: not valid JSON; remove the directory or use another --output", path);
    }
    char hex[32];
    snprintf(hex, sizeof hex, "%016llx", r->model_hash);
    nuri_status st = NURI_OK;
    if (old) {
        const cJSON *mh = cJSON_GetObjectItemCaseSensitive(old, "model_hash");
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(old, "num_fewshot");
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(old, "n_ctx");
        const char *what = NULL;
        if (!cJSON_IsString(mh) || strcmp(mh->valuestring, hex)) what = "the model differs";
        else if (!cJSON_IsNumber(k) || (int)k->valuedouble != p->num_fewshot) what = "--num-fewshot differs";
        else if (!cJSON_IsNumber(c) || (int)c->valuedouble != p->n_ctx) what = "the context size differs";
        const cJSON *defs = cJSON_GetObjectItemCaseSensitive(old, "tasks");
        for (int i = 0; !what && i < r->n_tasks; i++) {
            const cJSON *d = cJSON_GetObjectItemCaseSensitive(defs, r->tasks[i].t->name);
            char th[32];
            snprintf(th, sizeof th, "%016llx", (unsigned long long)r->tasks[i].t->def_hash);
            if (d && (!cJSON_IsString(d) || strcmp(d->valuestring, th))) what = "a task definition changed";
        }
        if (what)
            st = nuri_fail(err, NURI_ERR_INVALID_ARG, "%s holds an earlier run that cannot be resumed (%s); use another --output",
                           p->output_dir, what);
    }
    if (!st) {
        cJSON *now = old ? old : cJSON_CreateObject();
        cJSON *defs = cJSON_GetObjectItemCaseSensitive(now, "tasks");
        if (!defs) cJSON_AddItemToObject(now, "tasks", defs = cJSON_CreateObject());
        if (!old) {
            cJSON_AddStringToObject(now, "model_hash", hex);
            cJSON_AddStringToObject(now, "model", r->model_name);
            cJSON_AddNumberToObject(now, "num_fewshot", p->num_fewshot);
            cJSON_AddNumberToObject(now, "n_ctx", p->n_ctx);
        }
        for (int i = 0; i < r->n_tasks; i++) {
            if (cJSON_GetObjectItemCaseSensitive(defs, r->tasks[i].t->name)) continue;
            char th[32];
            snprintf(th, sizeof th, "%016llx", (unsigned long long)r->tasks[i].t->def_hash);
            cJSON_AddStringToObject(defs, r->tasks[i].t->name, th);
        }
        char *text = cJSON_Print(now);
        sbuf b = {0};
        if (text) sb_puts(&b, text);
        sb_put(&b, "\n", 1);
        free(text);
        st = write_atomic(p->output_dir, "run.json", &b, err);
        sb_free(&b);
        if (!old) cJSON_Delete(now);
    }
    cJSON_Delete(old);
    return st;
}

/* ---- one document ---- */

typedef struct {
    char *prompt;
    char **conts;  /* multiple choice: target delimiter + choice */
    int n;
} rendered;

static void rendered_free(rendered *x) {
    free(x->prompt);
    for (int i = 0; i < x->n; i++) free(x->conts[i]);
    free(x->conts);
    memset(x, 0, sizeof *x);
}

static nuri_status render_doc(const task_run *tr, int k, int i, rendered *x, nuri_error *err) {
    const task_def *t = tr->t;
    const task_doc *doc = &tr->docs.docs[i];
    memset(x, 0, sizeof *x);
    if (t->output == OUT_ROLLING) return NURI_OK;
    x->prompt = task_context(t, doc, &tr->fewshot, k);
    if (!x->prompt) return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    if (t->output != OUT_MC) return NURI_OK;
    x->conts = calloc((size_t)t->n_choices, sizeof *x->conts);
    if (!x->conts) return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    for (int c = 0; c < t->n_choices; c++) {
        char *ch = task_render(t, t->choices[c], doc);
        sbuf b = {0};
        sb_puts(&b, t->target_delim);
        if (ch) sb_puts(&b, ch);
        free(ch);
        x->n++;
        if (!ch || b.oom) {
            sb_free(&b);
            return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
        }
        x->conts[c] = b.data;
    }
    return NURI_OK;
}

static long long count_words(const char *s, size_t len) {
    long long n = 1;
    size_t adv;
    bool in_space = false;
    for (size_t i = 0; i < len; i += adv) {
        bool sp = py_isspace(py_next_cp(s + i, len - i, &adv));
        if (sp && !in_space) n++;
        in_space = sp;
    }
    return n;
}

/* The per-document numbers metrics need that depend only on the document. */
static void doc_statics(const task_run *tr, int i, doc_result *res) {
    const task_def *t = tr->t;
    const task_doc *doc = &tr->docs.docs[i];
    if (t->output == OUT_MC) res->gold = doc->gold;
    if (t->output == OUT_ROLLING) {
        size_t len = strlen(doc->vals[0]);
        res->n_bytes = (long long)len;
        res->n_words = count_words(doc->vals[0], len);
    }
}

static int argmax_d(const double *v, int n) {
    int a = 0;
    for (int i = 1; i < n; i++)
        if (v[i] > v[a]) a = i;
    return a;
}

/* pred_norm: argmax of ll / len(choice) in characters, the choice without delimiter. */
static int pred_norm(const task_run *tr, int i, const double *lls) {
    const task_def *t = tr->t;
    double best = 0;
    int a = -1;
    for (int c = 0; c < t->n_choices; c++) {
        char *ch = task_render(t, t->choices[c], &tr->docs.docs[i]);
        double len = ch ? (double)py_len(ch, strlen(ch)) : 0;
        free(ch);
        double v = lls[c] / len;
        if (a < 0 || v > best) {
            best = v;
            a = c;
        }
    }
    return a;
}

static uint64_t text_hash(const char *s) { return hash_bytes((const unsigned char *)s, strlen(s)); }

static nuri_status score_doc(nuri_scorer *sc, task_run *tr, int i, const rendered *x, sbuf *line,
                             long long *requests, nuri_error *err) {
    const task_def *t = tr->t;
    doc_result *res = &tr->res[i];
    doc_statics(tr, i, res);
    nuri_status st = NURI_OK;
    sb_printf(line, "{\"doc_id\":%d", i);
    if (t->output == OUT_MC) {
        nuri_ll *ll = calloc((size_t)x->n, sizeof *ll);
        res->lls = calloc((size_t)x->n, sizeof *res->lls);
        if (!ll || !res->lls) {
            free(ll);
            return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
        }
        st = nuri_score_choices(sc, x->prompt, (const char *const *)x->conts, x->n, ll, err);
        if (!st) {
            for (int c = 0; c < x->n; c++) res->lls[c] = ll[c].ll;
            res->pred = argmax_d(res->lls, x->n);
            res->pred_norm = pred_norm(tr, i, res->lls);
            sb_puts(line, ",\"prompt\":");
            sb_json_str(line, x->prompt, strlen(x->prompt));
            sb_puts(line, ",\"choices\":[");
            for (int c = 0; c < x->n; c++) {
                sb_puts(line, c ? ",{\"text\":" : "{\"text\":");
                sb_json_str(line, x->conts[c], strlen(x->conts[c]));
                sb_printf(line, ",\"n_tokens\":%d,\"ll\":", ll[c].n_tokens);
                sb_json_num(line, ll[c].ll);
                sb_printf(line, ",\"is_greedy\":%s}", ll[c].is_greedy ? "true" : "false");
            }
            sb_printf(line, "],\"pred\":%d,\"gold\":%d", res->pred, res->gold);
            if (task_has_metric(t, "acc_norm")) sb_printf(line, ",\"pred_norm\":%d", res->pred_norm);
            *requests += x->n;
        }
        free(ll);
    } else if (t->output == OUT_GEN) {
        char *text = NULL;
        int ng = 0;
        st = nuri_generate_until(sc, x->prompt, (const char *const *)t->until, t->n_until, t->max_gen_toks,
                                 &text, &ng, err);
        if (!st) {
            const task_doc *doc = &tr->docs.docs[i];
            res->em = korquad_em(text, (const char *const *)doc->answers, doc->n_answers);
            res->f1 = korquad_f1(text, (const char *const *)doc->answers, doc->n_answers);
            res->n_tokens = ng;
            sb_puts(line, ",\"prompt\":");
            sb_json_str(line, x->prompt, strlen(x->prompt));
            sb_puts(line, ",\"id\":");
            sb_json_str(line, doc->vals[2], strlen(doc->vals[2]));
            sb_puts(line, ",\"generated\":");
            sb_json_str(line, text, strlen(text));
            sb_printf(line, ",\"n_tokens\":%d,\"answers\":[", ng);
            for (int a = 0; a < doc->n_answers; a++) {
                if (a) sb_put(line, ",", 1);
                sb_json_str(line, doc->answers[a], strlen(doc->answers[a]));
            }
            sb_puts(line, "],\"exact_match\":");
            sb_json_num(line, res->em);
            sb_puts(line, ",\"f1\":");
            sb_json_num(line, res->f1);
            *requests += 1;
        }
        free(text);
    } else {
        const char *text = tr->docs.docs[i].vals[0];
        nuri_rolling roll;
        st = nuri_score_rolling(sc, text, strlen(text), &roll, err);
        if (!st) {
            res->ll = roll.ll;
            res->n_tokens = roll.n_tokens;
            sb_printf(line, ",\"text_hash\":\"%016llx\",\"n_bytes\":%lld,\"n_words\":%lld,\"n_tokens\":%lld,"
                            "\"n_windows\":%lld,\"ll\":",
                      (unsigned long long)text_hash(text), res->n_bytes, res->n_words, roll.n_tokens,
                      roll.n_windows);
            sb_json_num(line, roll.ll);
            *requests += roll.n_windows;
        }
    }
    sb_puts(line, "}\n");
    return st;
}

/* ---- resuming ---- */

static double num(const cJSON *o, const char *k, bool *ok) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!cJSON_IsNumber(v)) {
        *ok = false;
        return 0;
    }
    return v->valuedouble;
}

static const char *str(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Reads a stored line back into tr->res[i]; false when it does not match document i. */
static bool take_line(task_run *tr, int i, const cJSON *o, const rendered *x) {
    const task_def *t = tr->t;
    doc_result *res = &tr->res[i];
    bool ok = true;
    if ((int)num(o, "doc_id", &ok) != i || !ok) return false;
    doc_statics(tr, i, res);
    if (t->output == OUT_MC) {
        const char *pr = str(o, "prompt");
        const cJSON *ch = cJSON_GetObjectItemCaseSensitive(o, "choices");
        if (!pr || strcmp(pr, x->prompt) || !cJSON_IsArray(ch) || cJSON_GetArraySize(ch) != x->n) return false;
        res->lls = calloc((size_t)x->n, sizeof *res->lls);
        if (!res->lls) return false;
        int c = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, ch) {
            const char *tx = str(e, "text");
            if (!tx || strcmp(tx, x->conts[c])) return false;
            res->lls[c++] = num(e, "ll", &ok);
        }
        res->pred = argmax_d(res->lls, x->n);
        res->pred_norm = pred_norm(tr, i, res->lls);
        return ok;
    }
    if (t->output == OUT_GEN) {
        const char *pr = str(o, "prompt");
        if (!pr || strcmp(pr, x->prompt)) return false;
        res->em = num(o, "exact_match", &ok);
        res->f1 = num(o, "f1", &ok);
        res->n_tokens = (long long)num(o, "n_tokens", &ok);
        return ok;
    }
    char hx[32];
    snprintf(hx, sizeof hx, "%016llx", (unsigned long long)text_hash(tr->docs.docs[i].vals[0]));
    const char *h = str(o, "text_hash");
    if (!h || strcmp(h, hx)) return false;
    res->ll = num(o, "ll", &ok);
    res->n_tokens = (long long)num(o, "n_tokens", &ok);
    return ok;
}

static nuri_status resume_task(const nuri_eval_params *p, task_run *tr, const char *path,
                               nuri_error *err) {
    struct stat sst;
    if (stat(path, &sst)) return NURI_OK;
    char *text;
    size_t len;
    nuri_status st = nuri_read_file(path, &text, &len, err);
    if (st) return st;
    size_t off = 0;
    long line = 1;
    while (off < len && tr->n_done < tr->n_eff) {
        char *nl = memchr(text + off, '\n', len - off);
        if (!nl) {
            /* A line cut short by a crash: drop it, it is scored again. */
            if (truncate(path, (off_t)off))
                st = nuri_fail(err, NURI_ERR_IO, "%s: cannot cut the unfinished last line: %s", path, strerror(errno));
            break;
        }
        cJSON *o = cJSON_ParseWithLength(text + off, (size_t)(nl - text - off));
        rendered x;
        int i = tr->n_done;
        st = render_doc(tr, p->num_fewshot, i, &x, err);
        bool ok = !st && o && take_line(tr, i, o, &x);
        rendered_free(&x);
        cJSON_Delete(o);
        if (st) break;
        if (!ok) {
            st = nuri_fail(err, NURI_ERR_FORMAT,
                           "%s:%ld: does not match document %d of %s as this run renders it; use another --output",
                           path, line, i, tr->t->name);
            break;
        }
        tr->n_done++;
        tr->n_resumed++;
        off = (size_t)(nl - text) + 1;
        line++;
    }
    free(text);
    return st;
}

/* ---- the run ---- */

static void free_run(eval_run *r) {
    for (int i = 0; r->tasks && i < r->n_tasks; i++) {
        task_run *tr = &r->tasks[i];
        for (int d = 0; tr->res && d < tr->docs.n; d++) free(tr->res[d].lls);
        free(tr->res);
        doc_set_free(&tr->docs);
        doc_set_free(&tr->fewshot);
    }
    free(r->tasks);
    free(r->groups);
}

static nuri_status model_identity(eval_run *r, nuri_error *err) {
    const char *path = r->p->model_path ? r->p->model_path : "";
    const char *slash = strrchr(path, '/');
    r->model_name = slash ? slash + 1 : path;
    if (!*path) return NURI_OK;
    nuri_mapping m;
    nuri_status st = nuri_map_file(path, &m, err);
    if (st) return st;
    r->model_size = m.size;
    r->model_hash = hash_bytes(m.data, m.size);
    nuri_unmap_file(&m);
    return NURI_OK;
}

nuri_status nuri_eval_run(nuri_scorer *sc, const nuri_taskdb *db, const nuri_eval_params *p,
                          nuri_eval_summary *summary, nuri_error *err) {
    eval_run r = {0};
    r.p = p;
    r.db = db;
    if (summary) memset(summary, 0, sizeof *summary);
    int *tidx = calloc((size_t)db->n_tasks + 1, sizeof *tidx);
    int *gidx = calloc((size_t)db->n_groups + 1, sizeof *gidx);
    int nt = 0, ng = 0;
    nuri_status st = !tidx || !gidx ? nuri_fail(err, NURI_ERR_NOMEM, "out of memory")
                                    : select_tasks(db, p->tasks ? p->tasks : "", tidx, &nt, gidx, &ng, err);
    if (!st && (!p->output_dir || !*p->output_dir))
        st = nuri_fail(err, NURI_ERR_INVALID_ARG, "no output directory (--output DIR)");
    if (!st && p->num_fewshot < 0) st = nuri_fail(err, NURI_ERR_INVALID_ARG, "--num-fewshot must be >= 0");
    if (!st) {
        r.tasks = calloc((size_t)nt, sizeof *r.tasks);
        r.groups = calloc((size_t)ng + 1, sizeof *r.groups);
        if (!r.tasks || !r.groups) st = nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    }
    /* Every data file first: a bad row stops the run before any scoring. */
    for (int i = 0; !st && i < nt; i++) {
        task_run *tr = &r.tasks[i];
        tr->t = &db->tasks[tidx[i]];
        r.n_tasks++;
        st = task_load_docs(tr->t, p->data_dir, p->text_file, false, &tr->docs, err);
        if (!st && p->num_fewshot > 0) {
            if (!tr->t->fewshot_path)
                st = nuri_fail(err, NURI_ERR_INVALID_ARG, "task %s has no few-shot split (use --num-fewshot 0)", tr->t->name);
            else
                st = task_load_docs(tr->t, p->data_dir, p->text_file, true, &tr->fewshot, err);
            if (!st && tr->fewshot.n < p->num_fewshot)
                st = nuri_fail(err, NURI_ERR_INVALID_ARG, "task %s: --num-fewshot %d but %s has %d documents",
                               tr->t->name, p->num_fewshot, tr->fewshot.path, tr->fewshot.n);
        }
        if (!st) {
            tr->n_eff = p->limit >= 0 && p->limit < tr->docs.n ? (int)p->limit : tr->docs.n;
            tr->res = calloc((size_t)tr->docs.n, sizeof *tr->res);
            if (!tr->res) st = nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
        }
    }
    for (int i = 0; !st && i < ng; i++) r.groups[r.n_groups++].g = &db->groups[gidx[i]];
    if (!st) st = model_identity(&r, err);
    if (!st) st = make_dirs(p->output_dir, err);
    if (!st) st = check_state(&r, err);
    long long total = 0, done = 0, requests = 0;
    for (int i = 0; !st && i < r.n_tasks; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/samples_%s.jsonl", p->output_dir, r.tasks[i].t->name);
        st = resume_task(p, &r.tasks[i], path, err);
        total += r.tasks[i].n_eff;
        done += r.tasks[i].n_done;
        if (summary) summary->docs_resumed += r.tasks[i].n_resumed;
    }
    long long resumed = done;
    double t0 = nuri_now_ms();
    for (int i = 0; !st && i < r.n_tasks; i++) {
        task_run *tr = &r.tasks[i];
        if (tr->n_done >= tr->n_eff) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/samples_%s.jsonl", p->output_dir, tr->t->name);
        int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
        if (fd < 0) {
            st = nuri_fail(err, NURI_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
            break;
        }
        while (!st && tr->n_done < tr->n_eff) {
            if (p->cancel && *p->cancel) {
                st = nuri_fail(err, NURI_ERR_INTERRUPTED, "interrupted");
                break;
            }
            rendered x;
            sbuf line = {0};
            int d = tr->n_done;
            st = render_doc(tr, p->num_fewshot, d, &x, err);
            if (!st) st = score_doc(sc, tr, d, &x, &line, &requests, err);
            if (st) nuri_error_prefix(err, "%s document %d: ", tr->t->name, d);
            if (!st && line.oom) st = nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
            if (!st && (write(fd, line.data, line.len) != (ssize_t)line.len || fdatasync(fd)))
                st = nuri_fail(err, NURI_ERR_IO, "%s: write failed: %s", path, strerror(errno));
            rendered_free(&x);
            sb_free(&line);
            if (st) break;
            tr->n_done++;
            done++;
            if (p->progress) {
                nuri_eval_progress pr = {tr->t->name, i, r.n_tasks, done, total, resumed, requests,
                                         (nuri_now_ms() - t0) / 1e3};
                p->progress(p->user, &pr);
            }
        }
        close(fd);
    }
    if (summary) {
        summary->docs_scored = done - resumed;
        summary->requests = requests;
        summary->seconds = (nuri_now_ms() - t0) / 1e3;
    }
    if (!st) {
        run_compute_metrics(&r);
        sbuf b = {0};
        run_write_results(&r, &b);
        st = write_atomic(p->output_dir, "results.json", &b, err);
        sb_free(&b);
        if (!st) {
            run_write_report(&r, &b);
            st = write_atomic(p->output_dir, "report.html", &b, err);
            sb_free(&b);
        }
    }
    free_run(&r);
    free(tidx);
    free(gidx);
    return st;
}
