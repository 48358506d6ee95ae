/* Metrics and standard errors as lm-evaluation-harness computes them (api/metrics.py),
 * and the official KorQuAD 1.0 exact match and character F1. */
#ifndef NURI_EVAL_METRICS_H
#define NURI_EVAL_METRICS_H

#include <stdbool.h>
#include <stddef.h>

double metric_mean(const double *x, size_t n);
/* sample_stddev / sqrt(n): lm-eval's mean_stderr (n - 1 in the variance). n >= 2. */
double metric_mean_stderr(const double *x, size_t n);
/* sklearn.metrics.f1_score(gold, pred, average="macro"): the mean over the labels that
 * occur in gold or pred of 2tp / (2tp + fp + fn). */
double metric_macro_f1(const int *gold, const int *pred, size_t n);
/* Group standard errors: pooled_sample_stderr (size-weighted mean) and the stderr of
 * the unweighted mean over k subtasks, sqrt(sum se^2) / k. */
double metric_pooled_stderr(const double *se, const double *sizes, size_t k);
double metric_unweighted_stderr(const double *se, size_t k);

/* KorQuAD 1.0 (evaluate-v1.0.py): normalize_answer, then exact match of the normalized
 * strings and F1 over their characters (spaces dropped), maximized over the answers. */
char *korquad_normalize(const char *s);
double korquad_em(const char *pred, const char *const *answers, int n);
double korquad_f1(const char *pred, const char *const *answers, int n);

#endif
