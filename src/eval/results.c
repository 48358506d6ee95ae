/* Task and group metrics, and results.json in lm-evaluation-harness's layout (v0.4):
 * results, groups, group_subtasks, configs, versions, n-shot, higher_is_better,
 * n-samples, config, plus a "nuri" block. Nothing in it depends on time or on -t, so a
 * resumed run writes the same bytes as an uninterrupted one. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/jsonw.h"
#include "eval/metrics.h"
#include "eval/run.h"

static void set(metric_value *m, const char *name, double v, bool hib) {
    memset(m, 0, sizeof *m);
    m->name = name;
    m->value = v;
    m->higher_is_better = hib;
}

static void task_metrics(task_run *tr) {
    const task_def *t = tr->t;
    int n = tr->n_eff;
    double *x = calloc((size_t)n + 1, sizeof *x);
    int *g = calloc((size_t)n + 1, sizeof *g), *pr = calloc((size_t)n + 1, sizeof *pr);
    tr->n_metrics = 0;
    if (!x || !g || !pr) goto done;
    double sum_ll = 0, sum_w = 0, sum_b = 0, sum_t = 0;
    for (int i = 0; i < n; i++) {
        sum_ll += tr->res[i].ll;
        sum_w += (double)tr->res[i].n_words;
        sum_b += (double)tr->res[i].n_bytes;
        sum_t += (double)tr->res[i].n_tokens;
    }
    for (int k = 0; k < t->n_metrics && tr->n_metrics < MAX_METRICS; k++) {
        const char *name = t->metrics[k];
        metric_value *m = &tr->metrics[tr->n_metrics++];
        bool mean_of_x = true;
        if (t->output == OUT_MC && !strcmp(name, "f1")) {
            for (int i = 0; i < n; i++) {
                g[i] = tr->res[i].gold;
                pr[i] = tr->res[i].pred;
            }
            set(m, name, metric_macro_f1(g, pr, (size_t)n), true);
            continue; /* a custom aggregation: lm-eval writes "N/A" for its stderr */
        } else if (t->output == OUT_MC) {
            bool norm = !strcmp(name, "acc_norm");
            for (int i = 0; i < n; i++)
                x[i] = (norm ? tr->res[i].pred_norm : tr->res[i].pred) == tr->res[i].gold ? 1.0 : 0.0;
        } else if (t->output == OUT_GEN) {
            bool em = !strcmp(name, "exact_match");
            for (int i = 0; i < n; i++) x[i] = em ? tr->res[i].em : tr->res[i].f1;
        } else {
            mean_of_x = false;
            double v = !strcmp(name, "word_perplexity")   ? exp(-sum_ll / sum_w)
                       : !strcmp(name, "byte_perplexity") ? exp(-sum_ll / sum_b)
                       : !strcmp(name, "bits_per_byte")   ? -sum_ll / sum_b / log(2.0)
                                                          : exp(-sum_ll / sum_t);
            set(m, name, v, false);
        }
        if (mean_of_x) {
            set(m, name, metric_mean(x, (size_t)n), true);
            if (n > 1) {
                m->stderr_ = metric_mean_stderr(x, (size_t)n);
                m->has_stderr = true;
            }
        }
    }
done:
    free(x);
    free(g);
    free(pr);
}

static const metric_value *find_metric(const task_run *tr, const char *name) {
    for (int i = 0; i < tr->n_metrics; i++)
        if (!strcmp(tr->metrics[i].name, name)) return &tr->metrics[i];
    return NULL;
}

/* The run's entry for task index ti of the task database, or NULL. */
static const task_run *run_of(const eval_run *r, int ti) {
    for (int j = 0; j < r->n_tasks; j++)
        if (r->tasks[j].t == &r->db->tasks[ti]) return &r->tasks[j];
    return NULL;
}

/* lm-eval's Group.aggregate: the size-weighted mean over leaf tasks with the metric and
 * the pooled stderr when every leaf has one; nuri adds NAME_macro, the plain mean. */
static void group_metrics(const eval_run *r, group_run *gr) {
    const group_def *g = gr->g;
    gr->n_metrics = 0;
    gr->sample_len = 0;
    double v[512], se[512], sz[512];
    for (int i = 0; i < g->n_leaves; i++) {
        const task_run *tr = run_of(r, g->leaves[i]);
        if (tr) gr->sample_len += tr->n_eff;
    }
    for (int k = 0; k < g->n_metrics && gr->n_metrics + 2 <= 2 * MAX_METRICS; k++) {
        int n = 0;
        bool all_se = true;
        bool hib = true;
        for (int i = 0; i < g->n_leaves && n < 512; i++) {
            const task_run *tr = run_of(r, g->leaves[i]);
            const metric_value *m = tr ? find_metric(tr, g->metrics[k]) : NULL;
            if (!m) continue;
            v[n] = m->value;
            se[n] = m->stderr_;
            sz[n] = tr->n_eff;
            all_se = all_se && m->has_stderr;
            hib = m->higher_is_better;
            n++;
        }
        if (!n) continue;
        double num = 0, den = 0, plain = 0;
        for (int i = 0; i < n; i++) {
            num += v[i] * sz[i];
            den += sz[i];
            plain += v[i];
        }
        metric_value *m = &gr->metrics[gr->n_metrics++];
        set(m, g->metrics[k], num / den, hib);
        m->count = (long long)den;
        if (all_se && den > n) {
            m->stderr_ = metric_pooled_stderr(se, sz, (size_t)n);
            m->has_stderr = true;
        }
        if (g->macro) {
            metric_value *mm = &gr->metrics[gr->n_metrics++];
            set(mm, g->metrics[k], plain / n, hib);
            mm->macro = true;
            if (all_se) {
                mm->stderr_ = metric_unweighted_stderr(se, (size_t)n);
                mm->has_stderr = true;
            }
        }
    }
}

void run_compute_metrics(eval_run *r) {
    for (int i = 0; i < r->n_tasks; i++) task_metrics(&r->tasks[i]);
    for (int i = 0; i < r->n_groups; i++) group_metrics(r, &r->groups[i]);
}

static void metric_keys(jsonw *w, const metric_value *m, int n) {
    char key[96];
    for (int i = 0; i < n; i++) {
        snprintf(key, sizeof key, "%s%s,none", m[i].name, m[i].macro ? "_macro" : "");
        jw_key(w, key);
        jw_num(w, m[i].value);
        snprintf(key, sizeof key, "%s%s_stderr,none", m[i].name, m[i].macro ? "_macro" : "");
        jw_key(w, key);
        if (m[i].has_stderr) jw_num(w, m[i].stderr_);
        else jw_str(w, "N/A");
    }
}

static void task_entry(jsonw *w, const task_run *tr) {
    jw_key(w, tr->t->name);
    jw_obj(w);
    jw_key(w, "name");
    jw_str(w, tr->t->name);
    jw_key(w, "alias");
    jw_str(w, tr->t->name);
    jw_key(w, "sample_len");
    jw_int(w, tr->n_eff);
    metric_keys(w, tr->metrics, tr->n_metrics);
    jw_end(w, '}');
}

static void group_entry(jsonw *w, const group_run *gr) {
    jw_key(w, gr->g->name);
    jw_obj(w);
    jw_key(w, "name");
    jw_str(w, gr->g->name);
    jw_key(w, "alias");
    jw_str(w, gr->g->name);
    jw_key(w, "sample_len");
    jw_int(w, gr->sample_len);
    metric_keys(w, gr->metrics, gr->n_metrics);
    jw_key(w, "sample_count");
    jw_obj(w);
    for (int i = 0; i < gr->n_metrics; i++) {
        if (gr->metrics[i].macro) continue;
        char key[96];
        snprintf(key, sizeof key, "%s,none", gr->metrics[i].name);
        jw_key(w, key);
        jw_int(w, gr->metrics[i].count);
    }
    jw_end(w, '}');
    jw_end(w, '}');
}

static const char *aggregation(const task_def *t, const char *metric) {
    if (t->output == OUT_MC && !strcmp(metric, "f1")) return "macro_f1_score";
    if (!strcmp(metric, "bits_per_byte")) return "bits_per_byte";
    if (strstr(metric, "perplexity")) return "weighted_perplexity";
    return "mean";
}

static void str_array(jsonw *w, char **v, int n) {
    jw_arr(w);
    for (int i = 0; i < n; i++) jw_str(w, v[i]);
    jw_end(w, ']');
}

static void config_entry(jsonw *w, const eval_run *r, const task_run *tr) {
    static const char *const types[] = {"multiple_choice", "generate_until", "loglikelihood_rolling"};
    const task_def *t = tr->t;
    jw_key(w, t->name);
    jw_obj(w);
    jw_key(w, "task");
    jw_str(w, t->name);
    jw_key(w, "tag");
    jw_str(w, t->family);
    jw_key(w, "dataset_path");
    if (t->dataset_path) jw_str(w, t->dataset_path); else jw_null(w);
    jw_key(w, "dataset_name");
    if (t->dataset_name) jw_str(w, t->dataset_name); else jw_null(w);
    jw_key(w, "data_files");
    jw_obj(w);
    jw_key(w, "test");
    jw_str(w, strstr(t->test_path, "{text}") ? "--text" : t->test_path);
    if (t->fewshot_path) {
        jw_key(w, "fewshot");
        jw_str(w, t->fewshot_path);
    }
    jw_end(w, '}');
    jw_key(w, "test_split");
    jw_str(w, "test");
    jw_key(w, "fewshot_split");
    if (t->fewshot_path) jw_str(w, "fewshot"); else jw_null(w);
    jw_key(w, "output_type");
    jw_str(w, types[t->output]);
    if (t->doc_to_text) {
        jw_key(w, "doc_to_text");
        jw_str(w, t->doc_to_text);
    }
    if (t->output == OUT_MC) {
        jw_key(w, "doc_to_target");
        jw_str(w, t->fields[t->gold].name);
        jw_key(w, "doc_to_choice");
        str_array(w, t->choices, t->n_choices);
    }
    jw_key(w, "target_delimiter");
    jw_str(w, t->target_delim);
    jw_key(w, "fewshot_delimiter");
    jw_str(w, t->fewshot_delim);
    jw_key(w, "num_fewshot");
    jw_int(w, r->p->num_fewshot);
    jw_key(w, "metric_list");
    jw_arr(w);
    for (int i = 0; i < t->n_metrics; i++) {
        jw_obj(w);
        jw_key(w, "metric");
        jw_str(w, t->metrics[i]);
        jw_key(w, "aggregation");
        jw_str(w, aggregation(t, t->metrics[i]));
        jw_key(w, "higher_is_better");
        jw_bool(w, t->output != OUT_ROLLING);
        jw_end(w, '}');
    }
    jw_end(w, ']');
    if (t->output == OUT_GEN) {
        jw_key(w, "generation_kwargs");
        jw_obj(w);
        jw_key(w, "until");
        str_array(w, t->until, t->n_until);
        jw_key(w, "max_gen_toks");
        jw_int(w, t->max_gen_toks);
        jw_key(w, "do_sample");
        jw_bool(w, false);
        jw_end(w, '}');
    }
    jw_key(w, "metadata");
    jw_obj(w);
    jw_key(w, "version");
    jw_num(w, t->version);
    jw_end(w, '}');
    jw_end(w, '}');
}

/* Names of tasks and groups in sorted order, for the dictionaries lm-eval sorts. */
typedef struct {
    const char *name;
    int task; /* index into r->tasks, or -1 */
    int group;
} entry;

static int cmp_entry(const void *a, const void *b) {
    return strcmp(((const entry *)a)->name, ((const entry *)b)->name);
}

static bool in_groups(const eval_run *r, const char *task) {
    for (int i = 0; i < r->n_groups; i++)
        for (int m = 0; m < r->groups[i].g->n_members; m++)
            if (!strcmp(r->groups[i].g->members[m], task)) return true;
    return false;
}

void run_write_results(const eval_run *r, sbuf *out) {
    int n = r->n_tasks + r->n_groups;
    entry *e = calloc((size_t)n + 1, sizeof *e);
    if (!e) {
        out->oom = true;
        return;
    }
    for (int i = 0; i < r->n_tasks; i++) e[i] = (entry){r->tasks[i].t->name, i, -1};
    for (int i = 0; i < r->n_groups; i++) e[r->n_tasks + i] = (entry){r->groups[i].g->name, -1, i};
    qsort(e, (size_t)n, sizeof *e, cmp_entry);
    jsonw w;
    jw_init(&w, out);
    jw_obj(&w);
    jw_key(&w, "results");
    jw_obj(&w);
    for (int i = 0; i < r->n_tasks; i++) task_entry(&w, &r->tasks[i]);
    for (int i = 0; i < r->n_groups; i++) group_entry(&w, &r->groups[i]);
    jw_end(&w, '}');
    if (r->n_groups) {
        jw_key(&w, "groups");
        jw_obj(&w);
        for (int i = 0; i < r->n_groups; i++) group_entry(&w, &r->groups[i]);
        jw_end(&w, '}');
    }
    jw_key(&w, "group_subtasks");
    jw_obj(&w);
    for (int i = 0; i < r->n_groups; i++) {
        const group_def *g = r->groups[i].g;
        jw_key(&w, g->name);
        jw_arr(&w);
        for (int m = 0; m < g->n_members; m++) {
            int ti = taskdb_find_task(r->db, g->members[m]);
            bool here = ti >= 0 ? run_of(r, ti) != NULL : false;
            for (int k = 0; !here && k < r->n_groups; k++) here = !strcmp(r->groups[k].g->name, g->members[m]);
            if (here) jw_str(&w, g->members[m]);
        }
        jw_end(&w, ']');
    }
    for (int i = 0; i < r->n_tasks; i++) {
        if (in_groups(r, r->tasks[i].t->name)) continue;
        jw_key(&w, r->tasks[i].t->name);
        jw_arr(&w);
        jw_end(&w, ']');
    }
    jw_end(&w, '}');
    jw_key(&w, "configs");
    jw_obj(&w);
    for (int i = 0; i < n; i++)
        if (e[i].task >= 0) config_entry(&w, r, &r->tasks[e[i].task]);
    jw_end(&w, '}');
    jw_key(&w, "versions");
    jw_obj(&w);
    for (int i = 0; i < n; i++) {
        jw_key(&w, e[i].name);
        jw_num(&w, e[i].task >= 0 ? r->tasks[e[i].task].t->version : r->groups[e[i].group].g->version);
    }
    jw_end(&w, '}');
    jw_key(&w, "n-shot");
    jw_obj(&w);
    for (int i = 0; i < n; i++) {
        jw_key(&w, e[i].name);
        jw_int(&w, r->p->num_fewshot);
    }
    jw_end(&w, '}');
    jw_key(&w, "higher_is_better");
    jw_obj(&w);
    for (int i = 0; i < n; i++) {
        jw_key(&w, e[i].name);
        jw_obj(&w);
        const metric_value *m = e[i].task >= 0 ? r->tasks[e[i].task].metrics : r->groups[e[i].group].metrics;
        int nm = e[i].task >= 0 ? r->tasks[e[i].task].n_metrics : r->groups[e[i].group].n_metrics;
        for (int k = 0; k < nm; k++) {
            char key[96];
            snprintf(key, sizeof key, "%s%s", m[k].name, m[k].macro ? "_macro" : "");
            jw_key(&w, key);
            jw_bool(&w, m[k].higher_is_better);
        }
        jw_end(&w, '}');
    }
    jw_end(&w, '}');
    jw_key(&w, "n-samples");
    jw_obj(&w);
    for (int i = 0; i < r->n_tasks; i++) {
        jw_key(&w, r->tasks[i].t->name);
        jw_obj(&w);
        jw_key(&w, "original");
        jw_int(&w, r->tasks[i].docs.n);
        jw_key(&w, "effective");
        jw_int(&w, r->tasks[i].n_eff);
        jw_end(&w, '}');
    }
    jw_end(&w, '}');
    jw_key(&w, "config");
    jw_obj(&w);
    jw_key(&w, "model");
    jw_str(&w, "nuri");
    jw_key(&w, "model_args");
    jw_str(&w, r->model_name);
    jw_key(&w, "batch_size");
    jw_int(&w, 1);
    jw_key(&w, "device");
    jw_str(&w, "cpu");
    jw_key(&w, "limit");
    if (r->p->limit >= 0) jw_int(&w, r->p->limit); else jw_null(&w);
    jw_key(&w, "bootstrap_iters");
    jw_int(&w, 100000);
    jw_key(&w, "gen_kwargs");
    jw_null(&w);
    jw_key(&w, "random_seed");
    jw_int(&w, (long long)r->p->seed);
    jw_key(&w, "fewshot_seed");
    jw_int(&w, (long long)r->p->seed);
    jw_end(&w, '}');
    jw_key(&w, "nuri");
    jw_obj(&w);
    jw_key(&w, "version");
    jw_str(&w, NURI_VERSION);
    jw_key(&w, "model_file");
    jw_str(&w, r->model_name);
    jw_key(&w, "model_size");
    jw_int(&w, (long long)r->model_size);
    char hex[32];
    snprintf(hex, sizeof hex, "%016llx", r->model_hash);
    jw_key(&w, "model_hash");
    jw_str(&w, hex);
    jw_key(&w, "n_ctx");
    jw_int(&w, r->p->n_ctx);
    jw_key(&w, "fewshot_selection");
    jw_str(&w, "the first num_fewshot documents of each task's few-shot split");
    jw_end(&w, '}');
    jw_end(&w, '}');
    sb_put(out, "\n", 1);
    free(e);
}
