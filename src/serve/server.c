/* The HTTP side: libmicrohttpd with one thread per connection (a handler may wait for
 * its generation), the checks every request passes before its route runs (host, auth,
 * method, content type, body size, upload time), and the end-of-request bookkeeping
 * (metrics, audit log, cancelling a generation whose client went away). */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "serve/encode.h"
#include "serve/server_impl.h"

nuri_serve_params nuri_serve_default_params(void) {
    nuri_serve_params p = {0};
    p.host = "127.0.0.1";
    p.port = 8080;
    p.model_id = "model";
    p.n_parallel = 2;
    p.n_threads = 1;
    p.queue_size = 16;
    p.max_body = 1 << 20;
    p.n_predict = 512;
    p.timeout_s = 60;
    p.max_connections = 64;
    p.sampling = nuri_sampler_default_params();
    p.sampling.temperature = 0.8f;
    p.mock_delay_ms = 20;
    return p;
}

bool nuri_serve_host_is_loopback(const char *host) {
    if (!host) return false;
    if (!strcmp(host, "localhost")) return true;
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, host, &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, host, &a6) == 1) return IN6_IS_ADDR_LOOPBACK(&a6);
    return false;
}

void serve_random_hex(char *out, size_t n_hex) {
    uint8_t b[32];
    size_t nb = (n_hex + 1) / 2 > sizeof b ? sizeof b : (n_hex + 1) / 2;
    if (getrandom(b, nb, 0) != (ssize_t)nb) {
        /* never expected; a clock-derived id is still unique enough for an id */
        uint64_t t = (uint64_t)(nuri_now_ms() * 1000);
        for (size_t i = 0; i < nb; i++) b[i] = (uint8_t)(t >> (8 * (i % 8)));
    }
    for (size_t i = 0; i < n_hex; i++) out[i] = "0123456789abcdef"[(b[i / 2] >> (i % 2 ? 0 : 4)) & 15];
    out[n_hex] = 0;
}

uint64_t serve_random_seed(void) {
    uint64_t s = 0;
    if (getrandom(&s, sizeof s, 0) != (ssize_t)sizeof s) s = (uint64_t)(nuri_now_ms() * 1000);
    return s >> 11; /* exactly representable in JSON numbers */
}

bool serve_client_gone(int fd) {
    if (fd < 0) return false;
    char c;
    ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0) return true;
    return n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
}

bool serve_wait_job(serve_req *r, serve_job *j) {
    pthread_mutex_lock(&j->mu);
    while (j->state != JOB_DONE) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&j->cv, &j->mu, &ts);
        if (j->state == JOB_DONE) break;
        if (serve_client_gone(r->fd) || atomic_load(&r->srv->stopping)) {
            j->cancel = 1;
            r->aborted = true;
            pthread_mutex_unlock(&j->mu);
            return false;
        }
    }
    pthread_mutex_unlock(&j->mu);
    return true;
}

/* ---- answering ---- */

void serve_add_common_headers(nuri_server *s, struct MHD_Response *resp) {
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    if (s->cors_origin) {
        MHD_add_response_header(resp, "Access-Control-Allow-Origin", s->cors_origin);
        MHD_add_response_header(resp, "Vary", "Origin");
    }
}

enum MHD_Result serve_reply(struct MHD_Connection *c, serve_req *r, int status, char *body, size_t len,
                            const char *content_type) {
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", content_type);
    serve_add_common_headers(r->srv, resp);
    if (status == 503) MHD_add_response_header(resp, "Retry-After", "1");
    if (status == 401) MHD_add_response_header(resp, "WWW-Authenticate", "Bearer");
    if (status == 405)
        MHD_add_response_header(resp, "Allow", r->route == ROUTE_MODELS || r->route == ROUTE_HEALTH ||
                                                       r->route == ROUTE_METRICS || r->route == ROUTE_PAGE
                                                   ? "GET, HEAD"
                                                   : "POST");
    r->status = status;
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

enum MHD_Result serve_reply_json(struct MHD_Connection *c, serve_req *r, int status, cJSON *json) {
    char *s = json ? cJSON_PrintUnformatted(json) : NULL;
    cJSON_Delete(json);
    if (!s) {
        serve_error e = {0};
        serve_error_set(&e, 500, NULL, NULL, "out of memory");
        return serve_reply_error(c, r, &e);
    }
    return serve_reply(c, r, status, s, strlen(s), "application/json");
}

enum MHD_Result serve_reply_error(struct MHD_Connection *c, serve_req *r, const serve_error *e) {
    char *s = serve_error_json(e);
    if (!s) return MHD_NO;
    return serve_reply(c, r, e->status, s, strlen(s), "application/json");
}

static enum MHD_Result fail(struct MHD_Connection *c, serve_req *r, int status, const char *code,
                            const char *msg) {
    serve_error e = {0};
    serve_error_set(&e, status, NULL, code, "%s", msg);
    return serve_reply_error(c, r, &e);
}

/* ---- routing ---- */

static serve_route route_of(const char *url) {
    static const struct {
        const char *path;
        serve_route route;
    } table[] = {
        {"/v1/chat/completions", ROUTE_CHAT}, {"/chat/completions", ROUTE_CHAT},
        {"/v1/completions", ROUTE_COMPLETIONS}, {"/completions", ROUTE_COMPLETIONS},
        {"/v1/embeddings", ROUTE_EMBEDDINGS}, {"/embeddings", ROUTE_EMBEDDINGS},
        {"/v1/models", ROUTE_MODELS}, {"/models", ROUTE_MODELS},
        {"/tokenize", ROUTE_TOKENIZE}, {"/detokenize", ROUTE_DETOKENIZE},
        {"/apply-template", ROUTE_TEMPLATE}, {"/health", ROUTE_HEALTH},
        {"/metrics", ROUTE_METRICS}, {"/", ROUTE_PAGE}, {"/index.html", ROUTE_PAGE},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (!strcmp(url, table[i].path)) return table[i].route;
    return ROUTE_OTHER;
}

static bool route_is_get(serve_route r) {
    return r == ROUTE_MODELS || r == ROUTE_HEALTH || r == ROUTE_METRICS || r == ROUTE_PAGE;
}

/* The page and the health probe are open; everything else needs the key when one is set. */
static bool route_is_open(serve_route r) {
    return r == ROUTE_PAGE || r == ROUTE_HEALTH;
}

/* Compares the digests, so the time taken says nothing about the key's content or length. */
static bool key_matches(const char *given, size_t len, const char *key) {
    uint8_t a[32], b[32];
    serve_sha256(given, len, a);
    serve_sha256(key, strlen(key), b);
    unsigned diff = 0;
    for (int i = 0; i < 32; i++) diff |= (unsigned)(a[i] ^ b[i]);
    return diff == 0;
}

static bool authorized(nuri_server *s, struct MHD_Connection *c) {
    if (!s->api_key) return true;
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7)) return false;
    h += 7;
    while (*h == ' ') h++;
    size_t len = strlen(h);
    while (len && h[len - 1] == ' ') len--;
    return key_matches(h, len, s->api_key);
}

/* Without a key, only requests addressed to this machine by a loopback name are served:
 * a web page elsewhere cannot reach the server through a name it controls (DNS
 * rebinding). */
static bool host_allowed(nuri_server *s, struct MHD_Connection *c) {
    if (s->api_key) return true;
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    if (!h) return true; /* HTTP/1.0 without Host: no name was resolved */
    char name[256];
    size_t n = strlen(h);
    if (n >= sizeof name) return false;
    memcpy(name, h, n + 1);
    if (name[0] == '[') {
        char *end = strchr(name, ']');
        if (!end) return false;
        *end = 0;
        memmove(name, name + 1, strlen(name + 1) + 1);
    } else {
        char *colon = strchr(name, ':');
        if (colon) *colon = 0;
    }
    return nuri_serve_host_is_loopback(name) || !strcasecmp(name, s->host);
}

static bool is_json(struct MHD_Connection *c) {
    const char *t = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    if (!t || strncasecmp(t, "application/json", 16)) return false;
    return t[16] == 0 || t[16] == ';' || t[16] == ' ';
}

static enum MHD_Result preflight(struct MHD_Connection *c, serve_req *r) {
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    if (!resp) return MHD_NO;
    serve_add_common_headers(r->srv, resp);
    MHD_add_response_header(resp, "Access-Control-Allow-Methods", "GET, POST, OPTIONS");
    MHD_add_response_header(resp, "Access-Control-Allow-Headers", "Authorization, Content-Type");
    MHD_add_response_header(resp, "Access-Control-Max-Age", "600");
    r->status = 204;
    enum MHD_Result ret = MHD_queue_response(c, 204, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result dispatch(struct MHD_Connection *c, serve_req *r) {
    if (!strcmp(r->method, "GET") || !strcmp(r->method, "HEAD")) {
        switch (r->route) {
        case ROUTE_HEALTH: {
            static const char ok[] = "{\"status\":\"ok\"}";
            char *b = malloc(sizeof ok);
            if (!b) return MHD_NO;
            memcpy(b, ok, sizeof ok);
            return serve_reply(c, r, 200, b, sizeof ok - 1, "application/json");
        }
        case ROUTE_MODELS: return serve_route_models(c, r);
        case ROUTE_METRICS: return serve_route_metrics(c, r);
        case ROUTE_PAGE: return serve_route_page(c, r);
        default: break;
        }
    }
    serve_error e = {0};
    cJSON *body = serve_parse_object(r->body ? r->body : "", r->len, &e);
    if (!body) return serve_reply_error(c, r, &e);
    enum MHD_Result ret;
    switch (r->route) {
    case ROUTE_CHAT: ret = serve_route_chat(c, r, body); break;
    case ROUTE_COMPLETIONS: ret = serve_route_completions(c, r, body); break;
    case ROUTE_EMBEDDINGS: ret = serve_route_embeddings(c, r, body); break;
    case ROUTE_TOKENIZE: ret = serve_route_tokenize(c, r, body); break;
    case ROUTE_DETOKENIZE: ret = serve_route_detokenize(c, r, body); break;
    case ROUTE_TEMPLATE: ret = serve_route_template(c, r, body); break;
    default: ret = fail(c, r, 404, "not_found", "unknown route");
    }
    cJSON_Delete(body);
    return ret;
}

static serve_req *new_request(nuri_server *s, struct MHD_Connection *c, const char *url, const char *method) {
    serve_req *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->srv = s;
    r->t0 = nuri_now_ms();
    r->route = route_of(url);
    r->n_prompt = -1;
    snprintf(r->method, sizeof r->method, "%s", method);
    r->path = strdup(url);
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    r->fd = ci ? ci->connect_fd : -1;
    ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, r->client, sizeof r->client);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, r->client,
                      sizeof r->client);
    }
    return r;
}

/* Checks made once the headers are in, before any body is read. A refusal is answered
 * at once (libmicrohttpd then drops the body and closes); r->status stays 0 when the
 * request may go on. */
static enum MHD_Result on_headers(struct MHD_Connection *c, serve_req *r) {
    nuri_server *s = r->srv;
    if (!host_allowed(s, c)) return fail(c, r, 403, "host_not_allowed", "requests must address the server by a loopback name");
    if (!strcmp(r->method, "OPTIONS")) {
        if (s->cors_origin) return preflight(c, r);
        return fail(c, r, 405, "method_not_allowed", "CORS is off (start the server with --cors ORIGIN)");
    }
    if (r->route == ROUTE_OTHER) return fail(c, r, 404, "not_found", "unknown route");
    if (!route_is_open(r->route) && !authorized(s, c))
        return fail(c, r, 401, "invalid_api_key", "a valid API key is required: Authorization: Bearer KEY");
    bool get = !strcmp(r->method, "GET") || !strcmp(r->method, "HEAD");
    if (route_is_get(r->route) != get || (!get && strcmp(r->method, "POST")))
        return fail(c, r, 405, "method_not_allowed", route_is_get(r->route) ? "use GET" : "use POST");
    if (!get) {
        if (!is_json(c)) return fail(c, r, 415, "unsupported_media_type", "Content-Type must be application/json");
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > s->p.max_body) {
            serve_error e = {0};
            serve_error_set(&e, 413, NULL, "request_too_large", "the request body is larger than %zu bytes", s->p.max_body);
            return serve_reply_error(c, r, &e);
        }
    }
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con_cls) {
    nuri_server *s = cls;
    serve_req *r = *con_cls;
    if (!r) {
        if (!(r = new_request(s, c, url, method))) return MHD_NO;
        *con_cls = r;
        return on_headers(c, r);
    }
    if (r->status) return MHD_YES; /* answered already; the rest is discarded */
    if (*upload_size) {
        /* A slow sender may not hold the connection past the timeout. */
        if (nuri_now_ms() - r->t0 > s->p.timeout_s * 1000.0) {
            r->status = 408;
            r->aborted = true;
            return MHD_NO;
        }
        size_t n = *upload_size;
        *upload_size = 0;
        if (r->too_big || r->len + n > s->p.max_body) {
            /* a chunked body with no length: drop it, answer 413 at its end, but do
             * not read on for ever */
            r->too_big = true;
            r->len += n;
            if (r->len > 2 * s->p.max_body) {
                r->status = 413;
                return MHD_NO;
            }
            return MHD_YES;
        }
        if (r->len + n + 1 > r->cap) {
            size_t cap = (r->len + n + 1) * 2;
            if (cap > s->p.max_body + 1) cap = s->p.max_body + 1;
            char *b = realloc(r->body, cap);
            if (!b) return MHD_NO;
            r->body = b;
            r->cap = cap;
        }
        memcpy(r->body + r->len, upload, n);
        r->len += n;
        r->body[r->len] = 0;
        return MHD_YES;
    }
    if (r->too_big) {
        serve_error e = {0};
        serve_error_set(&e, 413, NULL, "request_too_large", "the request body is larger than %zu bytes", s->p.max_body);
        return serve_reply_error(c, r, &e);
    }
    (void)version;
    return dispatch(c, r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe) {
    nuri_server *s = cls;
    serve_req *r = *con_cls;
    (void)c;
    if (!r) return;
    *con_cls = NULL;
    int n_gen = -1;
    if (r->job) {
        serve_job *j = r->job;
        pthread_mutex_lock(&j->mu);
        bool unfinished = j->state != JOB_DONE;
        if (unfinished) j->cancel = 1;
        n_gen = j->kind == JOB_GENERATE ? j->n_generated : -1;
        double ttft = j->t_first > 0 ? (j->t_first - r->t0) / 1e3 : -1;
        double wait = j->t_start > 0 ? (j->t_start - j->t_submit) / 1e3 : -1;
        pthread_cond_broadcast(&j->cv);
        pthread_mutex_unlock(&j->mu);
        if (unfinished || toe != MHD_REQUEST_TERMINATED_COMPLETED_OK) r->aborted = true;
        serve_metrics_generation(&s->metrics, r->n_prompt, n_gen, ttft, wait, r->aborted);
        serve_job_release(j);
    } else if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK) {
        r->aborted = true;
    }
    double ms = nuri_now_ms() - r->t0;
    serve_metrics_request(&s->metrics, r->route, r->status, ms / 1e3);
    serve_audit_entry e = {r->client, r->method, r->path, serve_route_names[r->route], r->status,
                           r->n_prompt, n_gen, ms, r->aborted, r->prompt_log};
    serve_audit_write(&s->audit, &e);
    free(r->body);
    free(r->path);
    free(r->prompt_log);
    free(r);
}

/* ---- start and stop ---- */

static char *dup_or_null(const char *s) {
    return s && *s ? strdup(s) : NULL;
}

static nuri_status listen_on(nuri_server *s, nuri_error *err) {
    struct addrinfo hints = {0}, *ai = NULL;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV | (strcmp(s->host, "localhost") ? AI_NUMERICHOST : 0);
    hints.ai_socktype = SOCK_STREAM;
    char port[16];
    snprintf(port, sizeof port, "%d", s->p.port);
    int rc = getaddrinfo(s->host, port, &hints, &ai);
    if (rc) return nuri_fail(err, NURI_ERR_INVALID_ARG, "--host %s: not a numeric IP address (%s)", s->host, gai_strerror(rc));
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 128)) {
        int e = errno;
        if (fd >= 0) close(fd);
        freeaddrinfo(ai);
        return nuri_fail(err, NURI_ERR_IO, "cannot listen on %s port %d: %s", s->host, s->p.port, strerror(e));
    }
    freeaddrinfo(ai);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    s->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                             : ((struct sockaddr_in *)&ss)->sin_port);
    s->listen_fd = fd;
    return NURI_OK;
}

/* The page's inline <script> and <style> are allowed by their hashes, nothing else. */
static char *page_csp(void) {
    const char *page = (const char *)nuri_serve_page;
    char hashes[2][64] = {{0}};
    const char *tags[2][2] = {{"<script>", "</script>"}, {"<style>", "</style>"}};
    for (int t = 0; t < 2; t++) {
        const char *a = memmem(page, nuri_serve_page_len, tags[t][0], strlen(tags[t][0]));
        if (!a) continue;
        a += strlen(tags[t][0]);
        const char *b = memmem(a, nuri_serve_page_len - (size_t)(a - page), tags[t][1], strlen(tags[t][1]));
        if (!b) continue;
        uint8_t d[32];
        serve_sha256(a, (size_t)(b - a), d);
        serve_base64(d, 32, hashes[t]);
    }
    char *csp = malloc(512);
    if (csp)
        snprintf(csp, 512,
                 "default-src 'none'; script-src 'sha256-%s'; style-src 'sha256-%s'; connect-src 'self'; "
                 "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
                 hashes[0], hashes[1]);
    return csp;
}

static void model_texts(nuri_server *s) {
    int32_t ids[2] = {nuri_token_bos(s->tok), nuri_token_eos(s->tok)};
    char **out[2] = {&s->bos, &s->eos};
    for (int i = 0; i < 2; i++) {
        size_t len = 0;
        const char *t = ids[i] >= 0 ? nuri_token_text(s->tok, ids[i], &len) : NULL;
        *out[i] = malloc(len + 1);
        if (*out[i]) {
            if (len) memcpy(*out[i], t, len);
            (*out[i])[len] = 0;
        }
    }
}

nuri_status nuri_serve_start(const nuri_model *model, const nuri_tokenizer *tok, const nuri_serve_params *p,
                             nuri_server **out, nuri_error *err) {
    *out = NULL;
    const char *host = p->host && *p->host ? p->host : "127.0.0.1";
    bool keyed = p->api_key && *p->api_key;
    if (!nuri_serve_host_is_loopback(host) && !keyed)
        return nuri_fail(err, NURI_ERR_INVALID_ARG,
                         "--host %s is not a loopback address: set an API key (--api-key-file) to serve beyond this machine",
                         host);
    if (p->n_parallel < 1 || p->n_threads < 1 || p->queue_size < 0 || p->max_body < 1 || p->timeout_s < 1 ||
        p->max_connections < 1 || p->n_predict < 1 || p->port < 0 || p->port > 65535)
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "serve: a limit is out of range");
    nuri_server *s = calloc(1, sizeof *s);
    if (!s) return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    s->p = *p;
    s->listen_fd = -1;
    s->model = model;
    s->tok = tok;
    s->created = (long long)time(NULL);
    s->host = strdup(host);
    s->api_key = dup_or_null(p->api_key);
    s->cors_origin = dup_or_null(p->cors_origin);
    s->model_id = strdup(p->model_id ? p->model_id : "model");
    s->mock_reply = dup_or_null(p->mock_reply);
    s->p.host = s->host;
    s->p.api_key = s->api_key;
    s->p.cors_origin = s->cors_origin;
    s->p.model_id = s->model_id;
    s->p.mock_reply = s->mock_reply;
    s->p.chat_template = NULL;
    s->p.audit_log = NULL;
    serve_metrics_init(&s->metrics);
    nuri_status st;
    if ((st = serve_audit_open(&s->audit, p->audit_log, p->log_prompts, err))) {
        s->audit.fd = -1;
        pthread_mutex_init(&s->audit.mu, NULL);
        goto fail;
    }
    if (!s->host || !s->model_id || !(s->page_csp = page_csp())) {
        st = nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
        goto fail;
    }
    model_texts(s);
    {
        const char *src = p->chat_template;
        size_t len = src ? strlen(src) : 0;
        nuri_str from_model;
        if (!src && nuri_gguf_get_str(nuri_model_gguf(model), "tokenizer.chat_template", &from_model, NULL) == NURI_OK) {
            src = from_model.ptr;
            len = from_model.len;
        }
        if (src && (st = nuri_template_parse(src, len, &s->tmpl, err))) {
            nuri_error_prefix(err, "chat template: ");
            goto fail;
        }
    }
    serve_sched_params sp = {p->n_parallel, p->n_threads, p->n_ctx, p->kv_f32, p->queue_size, s->mock_reply,
                             p->mock_delay_ms};
    if ((st = serve_sched_new(model, tok, &sp, &s->sched, err))) goto fail;
    s->n_ctx = serve_sched_n_ctx(s->sched);
    s->max_prompt = p->max_prompt > 0 && p->max_prompt < s->n_ctx ? p->max_prompt : s->n_ctx;
    s->max_tokens = p->max_tokens > 0 && p->max_tokens < s->n_ctx ? p->max_tokens : s->n_ctx;
    if ((st = listen_on(s, err))) goto fail;
    s->daemon = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, NULL, NULL, on_request, s,
        MHD_OPTION_LISTEN_SOCKET, s->listen_fd, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)p->timeout_s, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)p->max_connections, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024, MHD_OPTION_END);
    if (!s->daemon) {
        st = nuri_fail(err, NURI_ERR_IO, "cannot start the HTTP server on %s port %d", s->host, s->port);
        goto fail;
    }
    *out = s;
    return NURI_OK;
fail:
    nuri_serve_stop(s);
    return st;
}

int nuri_serve_port(const nuri_server *s) {
    return s->port;
}

void nuri_serve_stop(nuri_server *s) {
    if (!s) return;
    atomic_store(&s->stopping, true);
    /* Connections waiting on a job notice `stopping` within 100 ms and end. */
    if (s->daemon) MHD_stop_daemon(s->daemon);
    else if (s->listen_fd >= 0) close(s->listen_fd);
    serve_sched_free(s->sched);
    serve_audit_close(&s->audit);
    serve_metrics_free(&s->metrics);
    nuri_template_free(s->tmpl);
    free(s->bos);
    free(s->eos);
    free(s->page_csp);
    free(s->host);
    free(s->api_key);
    free(s->cors_origin);
    free(s->model_id);
    free(s->mock_reply);
    free(s);
}
