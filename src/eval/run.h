/* What a run keeps per task while it scores, and what results.json and report.html are
 * written from. Shared by run.c, results.c and report.c. */
#ifndef NURI_EVAL_RUN_H
#define NURI_EVAL_RUN_H

#include "eval/sbuf.h"
#include "eval/task.h"

typedef struct {
    int gold, pred, pred_norm; /* multiple choice */
    double *lls;               /* per choice */
    double em, f1;             /* generation */
    double ll;                 /* rolling */
    long long n_tokens, n_bytes, n_words;
} doc_result;

/* One metric of a task or group as results.json reports it. */
typedef struct {
    const char *name;
    double value, stderr_;
    bool has_stderr;
    bool higher_is_better;
    bool macro; /* a group's unweighted mean: written as NAME_macro */
    long long count; /* groups: documents behind the value */
} metric_value;

#define MAX_METRICS 8

typedef struct {
    const task_def *t;
    doc_set docs, fewshot;
    int n_eff;          /* documents scored: the first n_eff of docs */
    int n_done, n_resumed;
    doc_result *res;
    int n_metrics;
    metric_value metrics[MAX_METRICS];
} task_run;

typedef struct {
    const group_def *g;
    int n_metrics;
    metric_value metrics[2 * MAX_METRICS];
    long long sample_len;
} group_run;

typedef struct {
    const nuri_eval_params *p;
    const nuri_taskdb *db;
    task_run *tasks;
    int n_tasks;
    group_run *groups;
    int n_groups;
    const char *model_name; /* file name of the model */
    unsigned long long model_size, model_hash;
} eval_run;

/* Fills every task's and group's metrics from the per-document results. */
void run_compute_metrics(eval_run *r);
/* results.json in lm-evaluation-harness's layout. */
void run_write_results(const eval_run *r, sbuf *out);
/* A self-contained report.html. */
void run_write_report(const eval_run *r, sbuf *out);

#endif
