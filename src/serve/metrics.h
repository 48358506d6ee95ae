/* Counters and latency histograms of the server, written as Prometheus text. Routes and
 * status codes come from fixed lists, so the number of series is bounded whatever
 * clients send. */
#ifndef NURI_SERVE_METRICS_H
#define NURI_SERVE_METRICS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum {
    ROUTE_CHAT,
    ROUTE_COMPLETIONS,
    ROUTE_EMBEDDINGS,
    ROUTE_MODELS,
    ROUTE_TOKENIZE,
    ROUTE_DETOKENIZE,
    ROUTE_TEMPLATE,
    ROUTE_HEALTH,
    ROUTE_METRICS,
    ROUTE_PAGE,
    ROUTE_OTHER,
    ROUTE_COUNT
} serve_route;

extern const char *const serve_route_names[ROUTE_COUNT];

#define METRICS_N_STATUS 15
#define METRICS_N_BUCKETS 14

typedef struct {
    uint64_t count[METRICS_N_BUCKETS + 1]; /* the last one is +Inf */
    double sum;
    uint64_t n;
} serve_histogram;

typedef struct {
    pthread_mutex_t mu;
    uint64_t requests[ROUTE_COUNT][METRICS_N_STATUS];
    uint64_t prompt_tokens, completion_tokens, cancelled, rejected_busy;
    serve_histogram duration[ROUTE_COUNT];
    serve_histogram ttft, queue_wait;
} serve_metrics;

void serve_metrics_init(serve_metrics *m);
void serve_metrics_free(serve_metrics *m);
/* One finished request: route, HTTP status, seconds from arrival to the end. */
void serve_metrics_request(serve_metrics *m, serve_route r, int status, double seconds);
/* A finished generation: tokens in and out, time to first token and queue wait in s
 * (negative: not measured), and whether the client went away before the end. */
void serve_metrics_generation(serve_metrics *m, int n_prompt, int n_generated, double ttft, double queue_wait,
                              bool cancelled);
/* The exposition text (malloc'd), with the gauges given. */
char *serve_metrics_text(serve_metrics *m, int queued, int busy, int slots, int connections);

#endif
