#include "serve/sched.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    serve_sched *s;
    int idx;
    nuri_ctx *ctx;
    pthread_t thread;
    bool started, busy;
    serve_job *job; /* the job running, while busy (under the scheduler's lock) */
    int32_t *seq; /* the tokens whose first nuri_ctx_n_past() entries are cached */
    size_t seq_len, seq_cap;
} slot;

struct serve_sched {
    const nuri_model *model;
    const nuri_tokenizer *tok;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* slots wait here for jobs */
    serve_job **queue; /* ring buffer */
    int qcap, qhead, qlen; /* qcap: room for every free slot's job plus the waiting ones */
    int queue_max;         /* jobs that may wait for a slot */
    slot *slots;
    int n_slots, n_ctx;
    bool stopping;
    int32_t *mock; /* test aid: the reply's tokens */
    size_t n_mock;
    bool mock_space; /* the tokens decode with a space the reply does not have */
    int mock_delay_ms;
};

serve_job *serve_job_new(serve_job_kind kind) {
    serve_job *j = calloc(1, sizeof *j);
    if (!j) return NULL;
    j->kind = kind;
    j->refs = 1;
    j->finish = "stop";
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->cv, NULL);
    serve_textbuf_init(&j->text, j->stop, 0);
    return j;
}

void serve_job_release(serve_job *j) {
    if (!j) return;
    pthread_mutex_lock(&j->mu);
    int left = --j->refs;
    pthread_mutex_unlock(&j->mu);
    if (left) return;
    free(j->prompt);
    for (int i = 0; i < j->n_stop; i++) free(j->stop[i]);
    for (size_t i = 0; i < j->n_inputs; i++) free(j->inputs[i]);
    free(j->inputs);
    free(j->n_input);
    free(j->embd);
    serve_textbuf_free(&j->text);
    pthread_cond_destroy(&j->cv);
    pthread_mutex_destroy(&j->mu);
    free(j);
}

void serve_job_cancel(serve_job *j) {
    pthread_mutex_lock(&j->mu);
    j->cancel = 1;
    pthread_cond_broadcast(&j->cv);
    pthread_mutex_unlock(&j->mu);
}

static void job_fail(serve_job *j, const char *msg) {
    pthread_mutex_lock(&j->mu);
    j->failed = true;
    snprintf(j->error, sizeof j->error, "%s", msg);
    pthread_mutex_unlock(&j->mu);
}

/* ---- generation ---- */

typedef struct {
    serve_job *job;
    slot *sl;
    int32_t *ids; /* generated ids, for the slot's cached sequence */
    size_t n_ids, cap;
} gen_state;

static bool on_token(void *user, int32_t id, const char *text, size_t len) {
    gen_state *g = user;
    if (id >= 0) {
        if (g->n_ids == g->cap) {
            size_t cap = g->cap ? g->cap * 2 : 256;
            int32_t *n = realloc(g->ids, cap * sizeof *n);
            if (!n) return false;
            g->ids = n;
            g->cap = cap;
        }
        g->ids[g->n_ids++] = id;
    }
    serve_job *j = g->job;
    pthread_mutex_lock(&j->mu);
    if (!j->t_first) j->t_first = nuri_now_ms();
    if (id >= 0) j->n_generated++;
    bool ok = serve_textbuf_push(&j->text, text, len);
    bool go_on = ok && !j->text.stopped && !j->cancel;
    pthread_cond_broadcast(&j->cv);
    pthread_mutex_unlock(&j->mu);
    if (!ok) job_fail(j, "out of memory");
    return go_on;
}

static size_t common_prefix(const slot *sl, const int32_t *ids, size_t n) {
    size_t past = (size_t)nuri_ctx_n_past(sl->ctx), k = 0;
    while (k < past && k < sl->seq_len && k < n && sl->seq[k] == ids[k]) k++;
    return k;
}

static bool penalties_on(const nuri_sampler_params *p) {
    return p->repeat_last_n > 0 &&
           (p->repeat_penalty != 1.0f || p->presence_penalty != 0.0f || p->frequency_penalty != 0.0f);
}

static void remember(slot *sl, const int32_t *a, size_t na, const int32_t *b, size_t nb) {
    size_t n = na + nb, past = (size_t)nuri_ctx_n_past(sl->ctx);
    if (n > past) n = past;
    if (n > sl->seq_cap) {
        int32_t *s = realloc(sl->seq, n * sizeof *s);
        if (!s) {
            sl->seq_len = 0;
            return;
        }
        sl->seq = s;
        sl->seq_cap = n;
    }
    size_t from_a = na < n ? na : n;
    if (from_a) memcpy(sl->seq, a, from_a * sizeof *a);
    if (n > from_a) memcpy(sl->seq + from_a, b, (n - from_a) * sizeof *b);
    sl->seq_len = n;
}

static void run_model(slot *sl, serve_job *j, gen_state *g, nuri_gen_result *res) {
    size_t keep = j->cache_prompt ? common_prefix(sl, j->prompt, j->n_prompt) : 0;
    if (keep == j->n_prompt) keep--; /* at least one token is decoded, for logits */
    /* The penalty window must see the same tokens as without the cache. */
    if (penalties_on(&j->sampling)) {
        size_t w = (size_t)j->sampling.repeat_last_n;
        keep = j->n_prompt > w ? (keep < j->n_prompt - w ? keep : j->n_prompt - w) : 0;
    }
    nuri_ctx_truncate(sl->ctx, (int)keep);
    nuri_gen_params gp = nuri_gen_default_params();
    gp.n_predict = j->n_predict;
    gp.sampling = j->sampling;
    gp.on_token = on_token;
    gp.user = g;
    gp.cancel = &j->cancel;
    nuri_error err;
    if (nuri_generate(sl->ctx, sl->s->tok, j->prompt + keep, j->n_prompt - keep, &gp, res, &err)) {
        job_fail(j, err.msg);
        sl->seq_len = 0;
        nuri_ctx_truncate(sl->ctx, 0);
        return;
    }
    remember(sl, j->prompt, j->n_prompt, g->ids, g->n_ids);
}

/* The test aid: the fixed reply's tokens, one per mock_delay_ms, through the same text
 * path as a real generation. */
static void run_mock(serve_sched *s, serve_job *j, gen_state *g, nuri_gen_result *res) {
    nuri_detok *d = NULL;
    nuri_error err;
    if (nuri_detok_new(s->tok, false, &d, &err)) {
        job_fail(j, err.msg);
        return;
    }
    res->stop = NURI_STOP_EOG;
    /* SentencePiece adds a space in front when tokenizing; the reply is the text as given. */
    bool strip = s->mock_space;
    for (size_t i = 0; i < s->n_mock; i++) {
        if ((int)i == j->n_predict) {
            res->stop = NURI_STOP_LENGTH;
            break;
        }
        if (j->cancel) {
            res->stop = NURI_STOP_CALLER;
            break;
        }
        if (s->mock_delay_ms > 0) {
            struct timespec ts = {s->mock_delay_ms / 1000, (long)(s->mock_delay_ms % 1000) * 1000000L};
            nanosleep(&ts, NULL);
        }
        const char *text;
        size_t len;
        if (nuri_detok_push(d, s->mock[i], &text, &len, &err)) {
            job_fail(j, err.msg);
            break;
        }
        if (strip && len) {
            strip = false;
            if (text[0] == ' ') {
                text++;
                len--;
            }
        }
        if (!on_token(g, s->mock[i], text, len)) {
            res->stop = NURI_STOP_CALLER;
            break;
        }
    }
    if (res->stop == NURI_STOP_EOG || res->stop == NURI_STOP_LENGTH) {
        const char *rest;
        size_t rlen;
        nuri_detok_flush(d, &rest, &rlen);
        if (rlen) on_token(g, -1, rest, rlen);
    }
    res->n_generated = j->n_generated;
    nuri_detok_free(d);
}

static void run_generate(slot *sl, serve_job *j) {
    gen_state g = {j, sl, NULL, 0, 0};
    nuri_gen_result res = {0};
    if (sl->s->mock) run_mock(sl->s, j, &g, &res);
    else run_model(sl, j, &g, &res);
    free(g.ids);
    pthread_mutex_lock(&j->mu);
    if (!j->text.stopped) serve_textbuf_finish(&j->text);
    j->finish = j->text.stopped || res.stop == NURI_STOP_EOG ? "stop"
                : res.stop == NURI_STOP_CALLER            ? "stop"
                                                          : "length";
    pthread_mutex_unlock(&j->mu);
}

/* ---- embeddings ---- */

static void run_embed(slot *sl, serve_job *j) {
    const int n_embd = nuri_model_n_embd(sl->s->model);
    float *out = calloc(j->n_inputs * (size_t)n_embd, sizeof(float)), *hidden = NULL;
    size_t hidden_cap = 0;
    bool oom = !out;
    sl->seq_len = 0; /* the cache no longer holds a prompt worth reusing */
    for (size_t i = 0; out && i < j->n_inputs && !j->cancel; i++) {
        size_t n = j->n_input[i];
        if (n > hidden_cap) {
            free(hidden);
            hidden_cap = n;
            if (!(hidden = malloc(n * (size_t)n_embd * sizeof(float)))) {
                oom = true;
                break;
            }
        }
        nuri_ctx_truncate(sl->ctx, 0);
        nuri_batch b = {j->inputs[i], (int)n, NULL, false, hidden};
        nuri_error err;
        if (nuri_decode(sl->ctx, &b, &err)) {
            job_fail(j, err.msg);
            break;
        }
        /* mean over tokens, then unit length */
        float *e = out + i * (size_t)n_embd;
        for (size_t t = 0; t < n; t++)
            for (int k = 0; k < n_embd; k++) e[k] += hidden[t * (size_t)n_embd + (size_t)k];
        double norm = 0;
        for (int k = 0; k < n_embd; k++) {
            e[k] /= (float)n;
            norm += (double)e[k] * e[k];
        }
        norm = sqrt(norm);
        if (norm > 0)
            for (int k = 0; k < n_embd; k++) e[k] = (float)(e[k] / norm);
    }
    if (oom) job_fail(j, "out of memory");
    free(hidden);
    nuri_ctx_truncate(sl->ctx, 0);
    pthread_mutex_lock(&j->mu);
    j->embd = out;
    j->n_embd = n_embd;
    pthread_mutex_unlock(&j->mu);
}

/* ---- slots ---- */

/* The free slot that should take job j: the longest cached prefix, then the lowest index. */
static int best_slot(const serve_sched *s, const serve_job *j) {
    int best = -1;
    size_t best_k = 0;
    for (int i = 0; i < s->n_slots; i++) {
        const slot *sl = &s->slots[i];
        if (sl->busy) continue;
        size_t k = j->kind == JOB_GENERATE ? common_prefix(sl, j->prompt, j->n_prompt) : 0;
        if (best < 0 || k > best_k) {
            best = i;
            best_k = k;
        }
    }
    return best;
}

static void *slot_main(void *arg) {
    slot *sl = arg;
    serve_sched *s = sl->s;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (!s->stopping && !(s->qlen > 0 && best_slot(s, s->queue[s->qhead]) == sl->idx))
            pthread_cond_wait(&s->cv, &s->mu);
        if (s->stopping) break;
        serve_job *j = s->queue[s->qhead];
        s->qhead = (s->qhead + 1) % s->qcap;
        s->qlen--;
        sl->busy = true;
        sl->job = j;
        pthread_mutex_unlock(&s->mu);

        pthread_mutex_lock(&j->mu);
        bool skip = j->cancel;
        j->state = JOB_RUNNING;
        j->t_start = nuri_now_ms();
        pthread_mutex_unlock(&j->mu);
        if (!skip) {
            if (j->kind == JOB_GENERATE) run_generate(sl, j);
            else run_embed(sl, j);
        }
        pthread_mutex_lock(&j->mu);
        j->state = JOB_DONE;
        j->t_done = nuri_now_ms();
        pthread_cond_broadcast(&j->cv);
        pthread_mutex_unlock(&j->mu);

        pthread_mutex_lock(&s->mu);
        sl->busy = false;
        sl->job = NULL;
        pthread_cond_broadcast(&s->cv); /* this slot may now be the best for the head */
        pthread_mutex_unlock(&s->mu);
        serve_job_release(j);
        pthread_mutex_lock(&s->mu);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

nuri_status serve_sched_new(const nuri_model *m, const nuri_tokenizer *tok, const serve_sched_params *p,
                            serve_sched **out, nuri_error *err) {
    *out = NULL;
    if (p->n_slots < 1 || p->queue_cap < 0)
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "serve: %d slots, queue of %d", p->n_slots, p->queue_cap);
    serve_sched *s = calloc(1, sizeof *s);
    if (!s) return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    s->model = m;
    s->tok = tok;
    s->n_slots = p->n_slots;
    s->queue_max = p->queue_cap;
    s->qcap = p->queue_cap + p->n_slots;
    s->mock_delay_ms = p->mock_delay_ms;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    nuri_status st = NURI_OK;
    s->queue = calloc((size_t)s->qcap, sizeof *s->queue);
    s->slots = calloc((size_t)s->n_slots, sizeof *s->slots);
    if (!s->queue || !s->slots) {
        st = nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
        goto fail;
    }
    if (p->mock_reply) {
        size_t n = 0;
        if ((st = nuri_tokenize(tok, p->mock_reply, strlen(p->mock_reply), false, false, &s->mock, &n, err))) goto fail;
        if (n == 0) {
            st = nuri_fail(err, NURI_ERR_INVALID_ARG, "serve: the mock reply is empty");
            goto fail;
        }
        s->n_mock = n;
        s->mock_space = nuri_tokenizer_kind(tok) == NURI_TOK_SPM && p->mock_reply[0] != ' ';
    }
    nuri_ctx_params cp = nuri_ctx_default_params();
    cp.n_threads = p->n_threads;
    cp.n_ctx = p->n_ctx;
    cp.kv_f32 = p->kv_f32;
    for (int i = 0; i < s->n_slots; i++) {
        s->slots[i].s = s;
        s->slots[i].idx = i;
        if ((st = nuri_ctx_new(m, &cp, &s->slots[i].ctx, err))) goto fail;
    }
    s->n_ctx = nuri_ctx_n_ctx(s->slots[0].ctx);
    for (int i = 0; i < s->n_slots; i++) {
        if (pthread_create(&s->slots[i].thread, NULL, slot_main, &s->slots[i])) {
            st = nuri_fail(err, NURI_ERR_NOMEM, "serve: cannot start slot thread %d", i);
            goto fail;
        }
        s->slots[i].started = true;
    }
    *out = s;
    return NURI_OK;
fail:
    serve_sched_free(s);
    return st;
}

void serve_sched_free(serve_sched *s) {
    if (!s) return;
    pthread_mutex_lock(&s->mu);
    s->stopping = true;
    /* queued jobs end now; running ones stop at their next token */
    while (s->qlen > 0) {
        serve_job *j = s->queue[s->qhead];
        s->qhead = (s->qhead + 1) % s->qcap;
        s->qlen--;
        pthread_mutex_lock(&j->mu);
        j->cancel = 1;
        j->failed = true;
        snprintf(j->error, sizeof j->error, "the server is shutting down");
        j->state = JOB_DONE;
        pthread_cond_broadcast(&j->cv);
        pthread_mutex_unlock(&j->mu);
        serve_job_release(j);
    }
    for (int i = 0; s->slots && i < s->n_slots; i++)
        if (s->slots[i].job) serve_job_cancel(s->slots[i].job);
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    for (int i = 0; s->slots && i < s->n_slots; i++) {
        if (s->slots[i].started) pthread_join(s->slots[i].thread, NULL);
        nuri_ctx_free(s->slots[i].ctx);
        free(s->slots[i].seq);
    }
    free(s->slots);
    free(s->queue);
    free(s->mock);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

int serve_sched_n_ctx(const serve_sched *s) {
    return s->n_ctx;
}

bool serve_sched_submit(serve_sched *s, serve_job *j) {
    pthread_mutex_lock(&s->mu);
    /* Queued jobs beyond the free slots are the ones that wait. */
    int free_slots = 0;
    for (int i = 0; i < s->n_slots; i++) free_slots += !s->slots[i].busy;
    if (s->stopping || s->qlen + 1 > s->queue_max + free_slots) {
        pthread_mutex_unlock(&s->mu);
        return false;
    }
    pthread_mutex_lock(&j->mu);
    j->refs++;
    j->state = JOB_QUEUED;
    j->t_submit = nuri_now_ms();
    pthread_mutex_unlock(&j->mu);
    s->queue[(s->qhead + s->qlen) % s->qcap] = j;
    s->qlen++;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    return true;
}

void serve_sched_stats(serve_sched *s, int *queued, int *busy, int *slots) {
    pthread_mutex_lock(&s->mu);
    int b = 0;
    for (int i = 0; i < s->n_slots; i++) b += s->slots[i].busy;
    *queued = s->qlen;
    *busy = b;
    *slots = s->n_slots;
    pthread_mutex_unlock(&s->mu);
}
