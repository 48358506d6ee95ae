/* /v1/chat/completions and /v1/completions: the prompt is rendered and tokenized on the
 * connection's thread (so a bad request is answered before it takes a place in the
 * queue), then a slot generates while the connection waits for the end or streams the
 * text as server-sent events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "serve/server_impl.h"

typedef struct {
    nuri_server *srv;
    serve_job *job;
    bool chat, include_usage, done;
    char id[64];
    long long created;
    int n_prompt, fd;
    size_t sent; /* bytes of the job's visible text already sent */
    bool role_sent;
    double last_sent; /* nuri_now_ms() of the last event */
    char *wire;  /* the event being sent */
    size_t wire_len, wire_off;
} stream_state;

static cJSON *usage_json(int n_prompt, int n_gen) {
    cJSON *u = cJSON_CreateObject();
    cJSON_AddNumberToObject(u, "prompt_tokens", n_prompt);
    cJSON_AddNumberToObject(u, "completion_tokens", n_gen);
    cJSON_AddNumberToObject(u, "total_tokens", n_prompt + n_gen);
    return u;
}

static cJSON *envelope(const char *id, const char *object, long long created, const char *model) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", id);
    cJSON_AddStringToObject(o, "object", object);
    cJSON_AddNumberToObject(o, "created", (double)created);
    cJSON_AddStringToObject(o, "model", model);
    cJSON_AddStringToObject(o, "system_fingerprint", "nuri-" NURI_VERSION);
    return o;
}

/* One streamed chunk: delta text (or role) and finish reason (NULL while going on). */
static cJSON *chunk(const stream_state *st, const char *text, const char *role, const char *finish) {
    cJSON *o = envelope(st->id, st->chat ? "chat.completion.chunk" : "text_completion", st->created,
                        st->srv->model_id);
    cJSON *choice = cJSON_CreateObject();
    cJSON_AddNumberToObject(choice, "index", 0);
    if (st->chat) {
        cJSON *d = cJSON_AddObjectToObject(choice, "delta");
        if (role) cJSON_AddStringToObject(d, "role", role);
        if (text) cJSON_AddStringToObject(d, "content", text);
    } else {
        cJSON_AddStringToObject(choice, "text", text ? text : "");
    }
    cJSON_AddNullToObject(choice, "logprobs");
    if (finish) cJSON_AddStringToObject(choice, "finish_reason", finish);
    else cJSON_AddNullToObject(choice, "finish_reason");
    cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "choices"), choice);
    if (st->include_usage) cJSON_AddNullToObject(o, "usage");
    return o;
}

/* Appends "data: JSON\n\n" for o (consumed) to the wire buffer. */
static bool emit(stream_state *st, cJSON *o) {
    char *s = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    if (!s) return false;
    size_t n = strlen(s);
    char *w = realloc(st->wire, st->wire_len + n + 9);
    if (!w) {
        free(s);
        return false;
    }
    st->wire = w;
    memcpy(w + st->wire_len, "data: ", 6);
    memcpy(w + st->wire_len + 6, s, n);
    memcpy(w + st->wire_len + 6 + n, "\n\n", 3);
    st->wire_len += n + 8;
    st->last_sent = nuri_now_ms();
    free(s);
    return true;
}

/* An SSE comment, which clients ignore: sent while a request waits in the queue or
 * decodes a long prompt, so the connection is not closed as idle meanwhile. */
static bool keep_alive(stream_state *st) {
    static const char ka[] = ": keep-alive\n\n";
    char *w = realloc(st->wire, st->wire_len + sizeof ka);
    if (!w) return false;
    st->wire = w;
    memcpy(w + st->wire_len, ka, sizeof ka);
    st->wire_len += sizeof ka - 1;
    return true;
}

/* Fills the wire buffer with the next event(s), waiting for text. false: stop the
 * stream with an error (client gone, server stopping, out of memory). */
static bool next_events(stream_state *st) {
    serve_job *j = st->job;
    const double idle_ms = st->srv->p.timeout_s * 1000.0 / 3 < 15000 ? st->srv->p.timeout_s * 1000.0 / 3 : 15000;
    st->last_sent = st->last_sent ? st->last_sent : nuri_now_ms();
    if (st->chat && !st->role_sent) {
        st->role_sent = true;
        return emit(st, chunk(st, "", "assistant", NULL));
    }
    pthread_mutex_lock(&j->mu);
    for (;;) {
        if (j->text.visible > st->sent) {
            size_t n = j->text.visible - st->sent;
            char *delta = malloc(n + 1);
            if (!delta) break;
            memcpy(delta, j->text.buf + st->sent, n);
            delta[n] = 0;
            st->sent = j->text.visible;
            pthread_mutex_unlock(&j->mu);
            bool ok = emit(st, chunk(st, delta, NULL, NULL));
            free(delta);
            return ok;
        }
        if (j->state == JOB_DONE) {
            bool failed = j->failed;
            char error[600];
            memcpy(error, j->error, sizeof error);
            const char *finish = j->finish;
            int n_gen = j->n_generated;
            pthread_mutex_unlock(&j->mu);
            st->done = true;
            if (failed) {
                serve_error e = {0};
                serve_error_set(&e, 500, NULL, "generation_failed", "%s", error);
                char *s = serve_error_json(&e);
                cJSON *o = s ? cJSON_Parse(s) : NULL;
                free(s);
                return emit(st, o);
            }
            if (!emit(st, chunk(st, NULL, NULL, finish))) return false;
            if (st->include_usage) {
                cJSON *o = envelope(st->id, st->chat ? "chat.completion.chunk" : "text_completion", st->created,
                                    st->srv->model_id);
                cJSON_AddArrayToObject(o, "choices");
                cJSON_AddItemToObject(o, "usage", usage_json(st->n_prompt, n_gen));
                if (!emit(st, o)) return false;
            }
            char *w = realloc(st->wire, st->wire_len + 15);
            if (!w) return false;
            st->wire = w;
            memcpy(w + st->wire_len, "data: [DONE]\n\n", 14);
            st->wire_len += 14;
            return true;
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&j->cv, &j->mu, &ts);
        if (j->state != JOB_DONE && j->text.visible == st->sent) {
            if (serve_client_gone(st->fd) || atomic_load(&st->srv->stopping)) break;
            if (nuri_now_ms() - st->last_sent > idle_ms) {
                pthread_mutex_unlock(&j->mu);
                st->last_sent = nuri_now_ms();
                return keep_alive(st);
            }
        }
    }
    j->cancel = 1;
    pthread_mutex_unlock(&j->mu);
    return false;
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max) {
    stream_state *st = cls;
    (void)pos;
    for (;;) {
        if (st->wire_off < st->wire_len) {
            size_t n = st->wire_len - st->wire_off < max ? st->wire_len - st->wire_off : max;
            memcpy(buf, st->wire + st->wire_off, n);
            st->wire_off += n;
            return (ssize_t)n;
        }
        st->wire_len = st->wire_off = 0;
        if (st->done) return MHD_CONTENT_READER_END_OF_STREAM;
        if (!next_events(st)) return MHD_CONTENT_READER_END_WITH_ERROR;
    }
}

static void stream_free(void *cls) {
    stream_state *st = cls;
    serve_job_cancel(st->job); /* no-op when it has ended */
    serve_job_release(st->job);
    free(st->wire);
    free(st);
}

static enum MHD_Result start_stream(struct MHD_Connection *c, serve_req *r, bool chat, bool include_usage,
                                    const char *id, long long created) {
    stream_state *st = calloc(1, sizeof *st);
    if (!st) return MHD_NO;
    st->srv = r->srv;
    st->job = r->job;
    pthread_mutex_lock(&r->job->mu);
    r->job->refs++;
    pthread_mutex_unlock(&r->job->mu);
    st->chat = chat;
    st->include_usage = include_usage;
    snprintf(st->id, sizeof st->id, "%s", id);
    st->created = created;
    st->n_prompt = r->n_prompt;
    st->fd = r->fd;
    struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, stream_read, st, stream_free);
    if (!resp) {
        stream_free(st);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", "text/event-stream; charset=utf-8");
    serve_add_common_headers(r->srv, resp);
    MHD_add_response_header(resp, "X-Accel-Buffering", "no");
    r->status = 200;
    enum MHD_Result ret = MHD_queue_response(c, 200, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result finish_plain(struct MHD_Connection *c, serve_req *r, bool chat, const char *id,
                                    long long created) {
    serve_job *j = r->job;
    if (!serve_wait_job(r, j)) {
        r->status = 499; /* nginx's "client closed request": nothing is sent */
        return MHD_NO;
    }
    if (j->failed) {
        serve_error e = {0};
        serve_error_set(&e, 500, NULL, "generation_failed", "%s", j->error);
        return serve_reply_error(c, r, &e);
    }
    nuri_server *s = r->srv;
    cJSON *o = envelope(id, chat ? "chat.completion" : "text_completion", created, s->model_id);
    cJSON *choice = cJSON_CreateObject();
    cJSON_AddNumberToObject(choice, "index", 0);
    if (chat) {
        cJSON *m = cJSON_AddObjectToObject(choice, "message");
        cJSON_AddStringToObject(m, "role", "assistant");
        cJSON_AddStringToObject(m, "content", j->text.buf ? j->text.buf : "");
    } else {
        cJSON_AddStringToObject(choice, "text", j->text.buf ? j->text.buf : "");
    }
    cJSON_AddNullToObject(choice, "logprobs");
    cJSON_AddStringToObject(choice, "finish_reason", j->finish);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "choices"), choice);
    cJSON_AddItemToObject(o, "usage", usage_json(r->n_prompt, j->n_generated));
    return serve_reply_json(c, r, 200, o);
}

/* Checks the prompt against the limits, queues the job and answers. Takes ids. */
static enum MHD_Result generate(struct MHD_Connection *c, serve_req *r, serve_gen_request *q, int32_t *ids, size_t n,
                                bool chat) {
    nuri_server *s = r->srv;
    serve_error e = {0};
    const char *pparam = chat ? "messages" : "prompt";
    int n_predict = q->max_tokens > 0 ? q->max_tokens : (s->p.n_predict < s->max_tokens ? s->p.n_predict : s->max_tokens);
    if (n == 0) {
        serve_error_set(&e, 400, pparam, "empty_prompt", "the prompt is empty");
    } else if (n > (size_t)s->max_prompt) {
        serve_error_set(&e, 400, pparam, "context_length_exceeded", "the prompt has %zu tokens; at most %d are allowed",
                        n, s->max_prompt);
    } else if (n + (size_t)n_predict > (size_t)s->n_ctx) {
        if (q->max_tokens > 0 || n >= (size_t)s->n_ctx)
            serve_error_set(&e, 400, q->max_tokens > 0 ? "max_tokens" : pparam, "context_length_exceeded",
                            "this model's context is %d tokens; the request asks for %zu (%zu in the prompt, %d to "
                            "generate)",
                            s->n_ctx, n + (size_t)n_predict, n, n_predict);
        else
            n_predict = s->n_ctx - (int)n; /* no max_tokens: as much as fits */
    }
    if (e.status) {
        free(ids);
        return serve_reply_error(c, r, &e);
    }
    serve_job *j = serve_job_new(JOB_GENERATE);
    if (!j) {
        free(ids);
        return MHD_NO;
    }
    j->prompt = ids;
    j->n_prompt = n;
    j->n_predict = n_predict;
    j->sampling = q->sampling;
    j->cache_prompt = q->cache_prompt;
    if (q->random_seed) j->sampling.seed = s->p.fixed_seed ? s->p.sampling.seed : serve_random_seed();
    for (int i = 0; i < q->n_stop; i++) j->stop[i] = q->stop[i];
    j->n_stop = q->n_stop;
    q->n_stop = 0; /* now the job's */
    serve_textbuf_init(&j->text, j->stop, j->n_stop);
    if (!serve_sched_submit(s->sched, j)) {
        serve_job_release(j);
        serve_error_set(&e, 503, NULL, "server_busy", "all %d slots are busy and %d requests are waiting; retry later",
                        s->p.n_parallel, s->p.queue_size);
        return serve_reply_error(c, r, &e);
    }
    r->job = j;
    r->n_prompt = (int)n;
    char id[40];
    serve_random_hex(id, 24);
    char full[64];
    snprintf(full, sizeof full, "%s%s", chat ? "chatcmpl-" : "cmpl-", id);
    long long created = (long long)time(NULL);
    if (q->stream) return start_stream(c, r, chat, q->include_usage, full, created);
    return finish_plain(c, r, chat, full, created);
}

static serve_limits limits(const nuri_server *s) {
    serve_limits l = {s->max_tokens, s->p.sampling};
    return l;
}

enum MHD_Result serve_route_chat(struct MHD_Connection *c, serve_req *r, const cJSON *body) {
    nuri_server *s = r->srv;
    serve_error e = {0};
    serve_limits lim = limits(s);
    serve_gen_request q;
    if (!serve_parse_chat(body, &lim, &q, &e)) return serve_reply_error(c, r, &e);
    char *prompt = NULL;
    size_t plen = 0;
    if (!serve_render_chat(s, q.messages, &prompt, &plen, &e)) {
        serve_gen_request_free(&q);
        return serve_reply_error(c, r, &e);
    }
    /* The template usually writes BOS itself; add it only when it does not. */
    bool add_bos = s->bos[0] == 0 || strncmp(prompt, s->bos, strlen(s->bos)) != 0;
    int32_t *ids = NULL;
    size_t n = 0;
    nuri_error err;
    if (nuri_tokenize(s->tok, prompt, plen, add_bos, true, &ids, &n, &err)) {
        free(prompt);
        serve_gen_request_free(&q);
        serve_error_set(&e, 500, NULL, NULL, "%s", err.msg);
        return serve_reply_error(c, r, &e);
    }
    if (s->audit.log_prompts) r->prompt_log = prompt;
    else free(prompt);
    enum MHD_Result ret = generate(c, r, &q, ids, n, true);
    serve_gen_request_free(&q);
    return ret;
}

enum MHD_Result serve_route_completions(struct MHD_Connection *c, serve_req *r, const cJSON *body) {
    nuri_server *s = r->srv;
    serve_error e = {0};
    serve_limits lim = limits(s);
    serve_gen_request q;
    if (!serve_parse_completion(body, &lim, &q, &e)) return serve_reply_error(c, r, &e);
    int32_t *ids = NULL;
    size_t n = 0;
    if (q.prompt) {
        nuri_error err;
        if (nuri_tokenize(s->tok, q.prompt, strlen(q.prompt), true, true, &ids, &n, &err)) {
            serve_gen_request_free(&q);
            serve_error_set(&e, 500, NULL, NULL, "%s", err.msg);
            return serve_reply_error(c, r, &e);
        }
        if (s->audit.log_prompts) r->prompt_log = strdup(q.prompt);
    } else {
        const int n_vocab = nuri_model_n_vocab(s->model);
        for (size_t i = 0; i < q.n_prompt_ids; i++)
            if (q.prompt_ids[i] >= n_vocab) {
                serve_error_set(&e, 400, "prompt", "invalid_value", "'prompt'[%zu] is not a token id in [0, %d)", i,
                                n_vocab);
                serve_gen_request_free(&q);
                return serve_reply_error(c, r, &e);
            }
        ids = q.prompt_ids;
        n = q.n_prompt_ids;
        q.prompt_ids = NULL;
    }
    enum MHD_Result ret = generate(c, r, &q, ids, n, false);
    serve_gen_request_free(&q);
    return ret;
}
