/* report.html: one self-contained page (inline CSS and SVG, no scripts, no external
 * resources) with a summary table, then per task a table of its metrics and charts: the
 * metrics with their standard errors, and for multiple choice how often each choice was
 * the answer and the prediction. Every text from data or definitions is escaped. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/run.h"

static void esc(sbuf *b, const char *s) { sb_html(b, s, strlen(s)); }

static void metric_cell(sbuf *b, const metric_value *m) {
    sb_printf(b, "<td class=n>%.4f", m->value);
    if (m->has_stderr) sb_printf(b, " <span class=se>&plusmn; %.4f</span>", m->stderr_);
    sb_puts(b, "</td>");
}

static void metric_name(sbuf *b, const metric_value *m) {
    esc(b, m->name);
    if (m->macro) sb_puts(b, " (macro)");
}

/* Horizontal bars on a 0..scale axis, with stderr whiskers. */
static void bars(sbuf *b, const metric_value *m, int n, double scale) {
    int h = 28 * n + 30;
    sb_printf(b, "<svg class=chart viewBox=\"0 0 520 %d\" width=520 height=%d role=img>", h, h);
    for (int i = 0; i <= 4; i++) {
        double x = 130 + 360.0 * i / 4;
        sb_printf(b, "<line x1=%.1f y1=4 x2=%.1f y2=%d class=grid /><text x=%.1f y=%d class=ax>%.3g</text>",
                  x, x, h - 22, x, h - 8, scale * i / 4);
    }
    for (int i = 0; i < n; i++) {
        double v = m[i].value / scale;
        if (!(v >= 0)) v = 0;
        if (v > 1) v = 1;
        int y = 8 + 28 * i;
        sb_printf(b, "<text x=124 y=%d class=lab>", y + 14);
        metric_name(b, &m[i]);
        sb_printf(b, "</text><rect x=130 y=%d width=%.1f height=18 class=bar />", y, 360 * v);
        if (m[i].has_stderr) {
            double lo = (m[i].value - m[i].stderr_) / scale, hi = (m[i].value + m[i].stderr_) / scale;
            lo = lo < 0 ? 0 : lo > 1 ? 1 : lo;
            hi = hi < 0 ? 0 : hi > 1 ? 1 : hi;
            sb_printf(b, "<line x1=%.1f y1=%d x2=%.1f y2=%d class=err />", 130 + 360 * lo, y + 9, 130 + 360 * hi, y + 9);
        }
        sb_printf(b, "<text x=%.1f y=%d class=val>%.4f</text>", 134 + 360 * v, y + 14, m[i].value);
    }
    sb_puts(b, "</svg>\n");
}

/* Gold and predicted counts per choice. */
static void choice_chart(sbuf *b, const task_run *tr) {
    int k = tr->t->n_choices;
    long *gold = calloc((size_t)k, sizeof *gold), *pred = calloc((size_t)k, sizeof *pred);
    if (!gold || !pred) {
        free(gold);
        free(pred);
        return;
    }
    long mx = 1;
    for (int i = 0; i < tr->n_eff; i++) {
        gold[tr->res[i].gold]++;
        pred[tr->res[i].pred]++;
    }
    for (int c = 0; c < k; c++) {
        if (gold[c] > mx) mx = gold[c];
        if (pred[c] > mx) mx = pred[c];
    }
    int h = 44 * k + 30;
    sb_printf(b, "<svg class=chart viewBox=\"0 0 520 %d\" width=520 height=%d role=img>", h, h);
    for (int c = 0; c < k; c++) {
        int y = 8 + 44 * c;
        sb_printf(b, "<text x=124 y=%d class=lab>choice %d</text>", y + 24, c);
        sb_printf(b, "<rect x=130 y=%d width=%.1f height=16 class=gold /><text x=%.1f y=%d class=val>%ld answer</text>",
                  y, 300.0 * gold[c] / mx, 134 + 300.0 * gold[c] / mx, y + 12, gold[c]);
        sb_printf(b, "<rect x=130 y=%d width=%.1f height=16 class=bar /><text x=%.1f y=%d class=val>%ld predicted</text>",
                  y + 18, 300.0 * pred[c] / mx, 134 + 300.0 * pred[c] / mx, y + 30, pred[c]);
    }
    sb_puts(b, "</svg>\n");
    free(gold);
    free(pred);
}

static const char CSS[] =
    "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:60em;color:#222;padding:0 1em}"
    "table{border-collapse:collapse;margin:.5em 0 1em}td,th{border-bottom:1px solid #ddd;padding:.25em .8em;text-align:left}"
    "td.n{font-variant-numeric:tabular-nums;text-align:right}.se{color:#777;font-size:.9em}"
    "svg.chart{display:block;margin:.5em 0 1.5em;font-size:12px}.grid{stroke:#eee}.ax{fill:#888;text-anchor:middle}"
    ".lab{text-anchor:end;fill:#333}.val{fill:#333}.bar{fill:#4a7bd0}.gold{fill:#e0a040}.err{stroke:#111;stroke-width:2}"
    "code{background:#f4f4f4;padding:0 .3em}h2{margin-top:1.6em;border-bottom:2px solid #4a7bd0}";

void run_write_report(const eval_run *r, sbuf *b) {
    sb_puts(b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>nuri eval: ");
    esc(b, r->model_name);
    sb_printf(b, "</title><style>%s</style></head><body>\n<h1>nuri eval</h1>\n<p>model <code>", CSS);
    esc(b, r->model_name);
    sb_printf(b, "</code> &middot; %d-shot &middot; ", r->p->num_fewshot);
    if (r->p->limit >= 0) sb_printf(b, "limit %lld documents per task", r->p->limit);
    else sb_puts(b, "every document");
    sb_printf(b, " &middot; context %d tokens &middot; nuri %s</p>\n", r->p->n_ctx, NURI_VERSION);
    sb_puts(b, "<h2>Summary</h2>\n<table><tr><th>task</th><th>documents</th><th>metric</th><th>value</th></tr>\n");
    for (int i = 0; i < r->n_groups; i++) {
        const group_run *g = &r->groups[i];
        for (int k = 0; k < g->n_metrics; k++) {
            sb_puts(b, "<tr><td><b>");
            esc(b, g->g->name);
            sb_printf(b, "</b></td><td class=n>%lld</td><td>", g->sample_len);
            metric_name(b, &g->metrics[k]);
            sb_puts(b, "</td>");
            metric_cell(b, &g->metrics[k]);
            sb_puts(b, "</tr>\n");
        }
    }
    for (int i = 0; i < r->n_tasks; i++) {
        const task_run *t = &r->tasks[i];
        for (int k = 0; k < t->n_metrics; k++) {
            sb_puts(b, "<tr><td><a href=\"#");
            esc(b, t->t->name);
            sb_puts(b, "\">");
            esc(b, t->t->name);
            sb_printf(b, "</a></td><td class=n>%d</td><td>", t->n_eff);
            metric_name(b, &t->metrics[k]);
            sb_puts(b, "</td>");
            metric_cell(b, &t->metrics[k]);
            sb_puts(b, "</tr>\n");
        }
    }
    sb_puts(b, "</table>\n");
    for (int i = 0; i < r->n_tasks; i++) {
        const task_run *t = &r->tasks[i];
        sb_puts(b, "<h2 id=\"");
        esc(b, t->t->name);
        sb_puts(b, "\">");
        esc(b, t->t->name);
        sb_printf(b, "</h2>\n<p>%d of %d documents from <code>", t->n_eff, t->docs.n);
        esc(b, strstr(t->t->test_path, "{text}") ? "--text" : t->t->test_path);
        sb_puts(b, "</code>");
        if (t->t->about) {
            sb_puts(b, ": ");
            esc(b, t->t->about);
        }
        sb_puts(b, "</p>\n<table><tr><th>metric</th><th>value &plusmn; stderr</th></tr>\n");
        for (int k = 0; k < t->n_metrics; k++) {
            sb_puts(b, "<tr><td>");
            metric_name(b, &t->metrics[k]);
            sb_puts(b, "</td>");
            metric_cell(b, &t->metrics[k]);
            sb_puts(b, "</tr>\n");
        }
        sb_puts(b, "</table>\n");
        double scale = 1;
        for (int k = 0; k < t->n_metrics; k++)
            if (t->metrics[k].value > scale) scale = pow(2, ceil(log2(t->metrics[k].value)));
        bars(b, t->metrics, t->n_metrics, scale);
        if (t->t->output == OUT_MC && t->n_eff > 0) choice_chart(b, t);
    }
    sb_puts(b, "</body></html>\n");
}
