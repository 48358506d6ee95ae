#include "serve/metrics.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const serve_route_names[ROUTE_COUNT] = {
    "/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/models", "/tokenize", "/detokenize",
    "/apply-template",      "/health",         "/metrics",       "/",          "other",
};

/* The statuses the server answers with; anything else counts as "other". */
static const int statuses[METRICS_N_STATUS] = {200, 204, 400, 401, 403, 404, 405, 408, 413, 415, 421, 429, 500, 503, 0};
static const double bounds[METRICS_N_BUCKETS] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                 1,     2.5,  5,     10,   30,  60,  120};

void serve_metrics_init(serve_metrics *m) {
    memset(m, 0, sizeof *m);
    pthread_mutex_init(&m->mu, NULL);
}

void serve_metrics_free(serve_metrics *m) {
    pthread_mutex_destroy(&m->mu);
}

static void observe(serve_histogram *h, double v) {
    int i = 0;
    while (i < METRICS_N_BUCKETS && v > bounds[i]) i++;
    h->count[i]++;
    h->sum += v;
    h->n++;
}

void serve_metrics_request(serve_metrics *m, serve_route r, int status, double seconds) {
    int s = 0;
    while (s < METRICS_N_STATUS - 1 && statuses[s] != status) s++;
    pthread_mutex_lock(&m->mu);
    m->requests[r][s]++;
    if (status == 503) m->rejected_busy++;
    observe(&m->duration[r], seconds);
    pthread_mutex_unlock(&m->mu);
}

void serve_metrics_generation(serve_metrics *m, int n_prompt, int n_generated, double ttft, double queue_wait,
                              bool cancelled) {
    pthread_mutex_lock(&m->mu);
    m->prompt_tokens += (uint64_t)(n_prompt > 0 ? n_prompt : 0);
    m->completion_tokens += (uint64_t)(n_generated > 0 ? n_generated : 0);
    if (cancelled) m->cancelled++;
    if (ttft >= 0) observe(&m->ttft, ttft);
    if (queue_wait >= 0) observe(&m->queue_wait, queue_wait);
    pthread_mutex_unlock(&m->mu);
}

typedef struct {
    char *p;
    size_t len, cap;
    bool oom;
} sbuf;

static void put(sbuf *b, const char *fmt, ...) {
    if (b->oom) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = true;
            return;
        }
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = (b->cap + (size_t)n + 1) * 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
}

static void histogram(sbuf *b, const char *name, const char *labels, const serve_histogram *h) {
    uint64_t acc = 0;
    for (int i = 0; i <= METRICS_N_BUCKETS; i++) {
        acc += h->count[i];
        if (i < METRICS_N_BUCKETS)
            put(b, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels, labels[0] ? "," : "", bounds[i],
                (unsigned long long)acc);
        else
            put(b, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, labels[0] ? "," : "", (unsigned long long)acc);
    }
    const char *o = labels[0] ? "{" : "", *c = labels[0] ? "}" : "";
    put(b, "%s_sum%s%s%s %.6f\n%s_count%s%s%s %llu\n", name, o, labels, c, h->sum, name, o, labels, c,
        (unsigned long long)h->n);
}

char *serve_metrics_text(serve_metrics *m, int queued, int busy, int slots, int connections) {
    sbuf b = {malloc(4096), 0, 4096, false};
    if (!b.p) return NULL;
    b.p[0] = 0;
    pthread_mutex_lock(&m->mu);
    put(&b, "# HELP nuri_requests_total HTTP requests answered, by route and status.\n"
            "# TYPE nuri_requests_total counter\n");
    for (int r = 0; r < ROUTE_COUNT; r++)
        for (int s = 0; s < METRICS_N_STATUS; s++)
            if (m->requests[r][s]) {
                if (statuses[s])
                    put(&b, "nuri_requests_total{route=\"%s\",status=\"%d\"} %llu\n", serve_route_names[r], statuses[s],
                        (unsigned long long)m->requests[r][s]);
                else
                    put(&b, "nuri_requests_total{route=\"%s\",status=\"other\"} %llu\n", serve_route_names[r],
                        (unsigned long long)m->requests[r][s]);
            }
    put(&b,
        "# HELP nuri_prompt_tokens_total Prompt tokens of finished generations.\n"
        "# TYPE nuri_prompt_tokens_total counter\nnuri_prompt_tokens_total %llu\n"
        "# HELP nuri_completion_tokens_total Tokens generated.\n"
        "# TYPE nuri_completion_tokens_total counter\nnuri_completion_tokens_total %llu\n"
        "# HELP nuri_requests_cancelled_total Generations stopped because the client went away.\n"
        "# TYPE nuri_requests_cancelled_total counter\nnuri_requests_cancelled_total %llu\n"
        "# HELP nuri_requests_rejected_busy_total Requests refused with 503 (queue full).\n"
        "# TYPE nuri_requests_rejected_busy_total counter\nnuri_requests_rejected_busy_total %llu\n",
        (unsigned long long)m->prompt_tokens, (unsigned long long)m->completion_tokens,
        (unsigned long long)m->cancelled, (unsigned long long)m->rejected_busy);
    put(&b, "# HELP nuri_request_duration_seconds Time from request arrival to its end, by route.\n"
            "# TYPE nuri_request_duration_seconds histogram\n");
    for (int r = 0; r < ROUTE_COUNT; r++) {
        if (!m->duration[r].n) continue;
        char labels[64];
        snprintf(labels, sizeof labels, "route=\"%s\"", serve_route_names[r]);
        histogram(&b, "nuri_request_duration_seconds", labels, &m->duration[r]);
    }
    put(&b, "# HELP nuri_time_to_first_token_seconds Time from arrival to the first generated token.\n"
            "# TYPE nuri_time_to_first_token_seconds histogram\n");
    histogram(&b, "nuri_time_to_first_token_seconds", "", &m->ttft);
    put(&b, "# HELP nuri_queue_wait_seconds Time a request waited for a free slot.\n"
            "# TYPE nuri_queue_wait_seconds histogram\n");
    histogram(&b, "nuri_queue_wait_seconds", "", &m->queue_wait);
    pthread_mutex_unlock(&m->mu);
    put(&b,
        "# HELP nuri_queue_depth Requests waiting for a slot or being handed to one.\n"
        "# TYPE nuri_queue_depth gauge\nnuri_queue_depth %d\n"
        "# HELP nuri_slots_busy Slots generating now.\n# TYPE nuri_slots_busy gauge\nnuri_slots_busy %d\n"
        "# HELP nuri_slots Slots in all.\n# TYPE nuri_slots gauge\nnuri_slots %d\n"
        "# HELP nuri_connections Open HTTP connections.\n# TYPE nuri_connections gauge\nnuri_connections %d\n",
        queued, busy, slots, connections);
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}
