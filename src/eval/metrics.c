#include "eval/metrics.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "eval/pystr.h"
#include "eval/sbuf.h"

double metric_mean(const double *x, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i++) s += x[i];
    return n ? s / (double)n : 0;
}

double metric_mean_stderr(const double *x, size_t n) {
    double mu = metric_mean(x, n), ss = 0;
    for (size_t i = 0; i < n; i++) ss += (x[i] - mu) * (x[i] - mu);
    return sqrt(ss / (double)(n - 1)) / sqrt((double)n);
}

double metric_macro_f1(const int *gold, const int *pred, size_t n) {
    int lo = 0, hi = -1;
    for (size_t i = 0; i < n; i++) {
        int a = gold[i] < pred[i] ? gold[i] : pred[i], b = gold[i] > pred[i] ? gold[i] : pred[i];
        if (i == 0 || a < lo) lo = a;
        if (i == 0 || b > hi) hi = b;
    }
    double sum = 0;
    int labels = 0;
    for (int l = lo; l <= hi; l++) {
        long tp = 0, fp = 0, fn = 0;
        for (size_t i = 0; i < n; i++) {
            tp += gold[i] == l && pred[i] == l;
            fp += gold[i] != l && pred[i] == l;
            fn += gold[i] == l && pred[i] != l;
        }
        if (tp + fp + fn == 0) continue; /* a label neither side uses */
        sum += 2.0 * (double)tp / (double)(2 * tp + fp + fn);
        labels++;
    }
    return labels ? sum / labels : 0;
}

double metric_pooled_stderr(const double *se, const double *sizes, size_t k) {
    double num = 0, total = 0;
    for (size_t i = 0; i < k; i++) {
        num += (sizes[i] - 1) * se[i] * se[i] * sizes[i];
        total += sizes[i];
    }
    return sqrt(num / (total - (double)k) / total);
}

double metric_unweighted_stderr(const double *se, size_t k) {
    double s = 0;
    for (size_t i = 0; i < k; i++) s += se[i] * se[i];
    return sqrt(s) / (double)k;
}

/* ---- KorQuAD ---- */

static bool removed_symbol(uint32_t c) {
    switch (c) {
    case '\'': case '"': case '<': case '>': case '(': case ')':
    case 0x300A: case 0x300B: /* 《 》 */
    case 0x3008: case 0x3009: /* 〈 〉 */
    case 0x2018: case 0x2019: /* ‘ ’ */
        return true;
    default:
        return false;
    }
}

static bool ascii_punct(uint32_t c) {
    return c < 128 && strchr("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", (int)c) && c != 0;
}

static void put_cp(sbuf *b, uint32_t c) {
    uint8_t tmp[4];
    utf8proc_ssize_t n = utf8proc_encode_char((utf8proc_int32_t)c, tmp);
    sb_put(b, (const char *)tmp, (size_t)n);
}

char *korquad_normalize(const char *s) {
    sbuf b = {0};
    size_t len = strlen(s), adv;
    bool pending_space = false, any = false;
    for (size_t i = 0; i < len; i += adv) {
        uint32_t c = py_next_cp(s + i, len - i, &adv);
        if (removed_symbol(c)) c = ' ';
        /* Python's lower(): İ is the one letter whose lowercase is two characters. */
        uint32_t lc[2] = {c, 0};
        int nl = 1;
        if (c == 0x130) {
            lc[0] = 'i';
            lc[1] = 0x307;
            nl = 2;
        } else {
            lc[0] = (uint32_t)utf8proc_tolower((utf8proc_int32_t)c);
        }
        for (int k = 0; k < nl; k++) {
            uint32_t x = lc[k];
            if (ascii_punct(x)) continue;
            if (py_isspace(x)) {
                pending_space = any;
                continue;
            }
            if (pending_space) sb_put(&b, " ", 1);
            pending_space = false;
            put_cp(&b, x);
            any = true;
        }
    }
    sb_cstr(&b);
    if (b.oom) {
        sb_free(&b);
        return NULL;
    }
    return b.data;
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The normalized text's characters without spaces, sorted. */
static uint32_t *chars_of(const char *norm, size_t *n) {
    size_t len = strlen(norm), adv, k = 0;
    uint32_t *v = malloc((len + 1) * sizeof *v);
    if (!v) return NULL;
    for (size_t i = 0; i < len; i += adv) {
        uint32_t c = py_next_cp(norm + i, len - i, &adv);
        if (c != ' ') v[k++] = c;
    }
    qsort(v, k, sizeof *v, cmp_u32);
    *n = k;
    return v;
}

static double f1_one(const char *pn, const char *gn) {
    size_t np = 0, ng = 0;
    uint32_t *p = chars_of(pn, &np), *g = chars_of(gn, &ng);
    double f1 = 0;
    if (p && g) {
        size_t i = 0, j = 0, same = 0;
        while (i < np && j < ng) {
            if (p[i] == g[j]) { same++; i++; j++; }
            else if (p[i] < g[j]) i++;
            else j++;
        }
        if (same) {
            double pr = (double)same / (double)np, rc = (double)same / (double)ng;
            f1 = 2 * pr * rc / (pr + rc);
        }
    }
    free(p);
    free(g);
    return f1;
}

double korquad_em(const char *pred, const char *const *answers, int n) {
    char *pn = korquad_normalize(pred);
    double best = 0;
    for (int i = 0; pn && i < n; i++) {
        char *gn = korquad_normalize(answers[i]);
        if (gn && !strcmp(pn, gn)) best = 1;
        free(gn);
    }
    free(pn);
    return best;
}

double korquad_f1(const char *pred, const char *const *answers, int n) {
    char *pn = korquad_normalize(pred);
    double best = 0;
    for (int i = 0; pn && i < n; i++) {
        char *gn = korquad_normalize(answers[i]);
        if (gn) {
            double f = f1_one(pn, gn);
            if (f > best) best = f;
        }
        free(gn);
    }
    free(pn);
    return best;
}
