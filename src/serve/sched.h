/* The scheduler: n slots, each a worker thread with its own context over the shared
 * model, and a bounded FIFO of jobs waiting for a slot. A free slot takes the oldest job;
 * when several slots are free, the one whose cache shares the longest prefix with the
 * job's prompt takes it (a chat's next turn lands where its history is cached).
 *
 * A job is shared by the connection that submitted it and the slot that runs it, each
 * holding a reference. The connection reads the text as it grows (streaming) or waits
 * for the end; it cancels the job when its client goes away, and the slot then stops at
 * the next token. */
#ifndef NURI_SERVE_SCHED_H
#define NURI_SERVE_SCHED_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "nuri/generate.h"
#include "serve/textbuf.h"

typedef enum { JOB_GENERATE, JOB_EMBED } serve_job_kind;
typedef enum { JOB_QUEUED, JOB_RUNNING, JOB_DONE } serve_job_state;

typedef struct serve_job {
    /* Set before submit, then read-only. */
    serve_job_kind kind;
    int32_t *prompt; /* generate: owned */
    size_t n_prompt;
    int n_predict;
    nuri_sampler_params sampling;
    /* Reuse the slot's cached prefix. Off, the whole prompt is decoded as one batch, so
     * the same request gives the same logits whatever ran before it. */
    bool cache_prompt;
    char *stop[4]; /* owned */
    int n_stop;
    int32_t **inputs; /* embed: owned, n_inputs token arrays */
    size_t *n_input, n_inputs;

    pthread_mutex_t mu;
    pthread_cond_t cv; /* signalled on new text and on completion */
    int refs;
    volatile sig_atomic_t cancel; /* also polled by the generation loop */
    serve_job_state state;
    serve_textbuf text;     /* generate: what the client may see */
    int n_generated;
    const char *finish;     /* "stop" or "length" */
    bool failed;
    char error[600];
    float *embd;            /* embed: n_inputs x n_embd, L2-normalized */
    int n_embd;
    double t_submit, t_start, t_first, t_done; /* nuri_now_ms() */
} serve_job;

/* A new job with one reference (the caller's). NULL when out of memory. */
serve_job *serve_job_new(serve_job_kind kind);
void serve_job_release(serve_job *j);
/* Asks the job to stop (safe from any thread, at any state). */
void serve_job_cancel(serve_job *j);

typedef struct serve_sched serve_sched;

typedef struct {
    int n_slots, n_threads, n_ctx;
    bool kv_f32;
    int queue_cap;
    const char *mock_reply; /* test aid, see nuri_serve_params */
    int mock_delay_ms;
} serve_sched_params;

nuri_status serve_sched_new(const nuri_model *m, const nuri_tokenizer *tok, const serve_sched_params *p,
                            serve_sched **out, nuri_error *err);
/* Cancels queued and running jobs, joins the slots, frees. */
void serve_sched_free(serve_sched *s);
int serve_sched_n_ctx(const serve_sched *s);
/* Queues the job (taking a reference of its own). false: the queue is full. */
bool serve_sched_submit(serve_sched *s, serve_job *j);
void serve_sched_stats(serve_sched *s, int *queued, int *busy, int *slots);

#endif
