/* Expected calibration error of multiple-choice answers: confidence is the softmax of the
 * choices' log-likelihoods at the chosen one; 10 equal-width bins over [0, 1]. */
#include <math.h>

#include "audit/internal.h"

double au_choice_confidence(const double *ll, int n, int chosen) {
    double mx = ll[0], sum = 0;
    for (int i = 1; i < n; i++)
        if (ll[i] > mx) mx = ll[i];
    for (int i = 0; i < n; i++) sum += exp(ll[i] - mx);
    return exp(ll[chosen] - mx) / sum;
}

void au_calib_add(au_calib *c, double conf, bool correct) {
    int b = (int)(conf * AU_CALIB_BINS);
    if (b >= AU_CALIB_BINS) b = AU_CALIB_BINS - 1; /* confidence 1 belongs to the last bin */
    if (b < 0) b = 0;
    c->n[b]++;
    c->conf[b] += conf;
    c->correct[b] += correct;
}

double au_calib_ece(const au_calib *c) {
    long long total = 0;
    for (int b = 0; b < AU_CALIB_BINS; b++) total += c->n[b];
    if (!total) return 0;
    double ece = 0;
    for (int b = 0; b < AU_CALIB_BINS; b++)
        if (c->n[b]) ece += fabs(c->correct[b] / c->n[b] - c->conf[b] / c->n[b]) * c->n[b] / (double)total;
    return ece;
}

cJSON *au_calib_json(const au_calib *c) {
    cJSON *o = cJSON_CreateObject(), *bins = cJSON_CreateArray();
    long long total = 0;
    for (int b = 0; b < AU_CALIB_BINS; b++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddNumberToObject(x, "lo", (double)b / AU_CALIB_BINS);
        cJSON_AddNumberToObject(x, "n", (double)c->n[b]);
        cJSON_AddNumberToObject(x, "mean_confidence", c->n[b] ? c->conf[b] / c->n[b] : 0);
        cJSON_AddNumberToObject(x, "accuracy", c->n[b] ? c->correct[b] / c->n[b] : 0);
        cJSON_AddItemToArray(bins, x);
        total += c->n[b];
    }
    cJSON_AddNumberToObject(o, "ece", au_calib_ece(c));
    cJSON_AddNumberToObject(o, "n", (double)total);
    cJSON_AddItemToObject(o, "bins", bins);
    return o;
}
