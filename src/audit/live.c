/* The audited model itself: chat-template rendering and greedy generation on a context,
 * and log-likelihoods through the evaluation scorer. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nuri/audit.h"
#include "nuri/eval.h"
#include "nuri/generate.h"
#include "nuri/template.h"

struct nuri_audit_live {
    nuri_ctx *ctx;
    const nuri_tokenizer *tok;
    nuri_template *tmpl;
    nuri_scorer *scorer;
    int n_predict;
    char *bos, *eos;
    long long tokens;
    double gen_ms;
    double joules;
    bool rapl_failed; /* some call could not read the meter */
};

/* Package energy counter in microjoules, or -1 where unreadable (no RAPL, no permission). */
static double rapl_uj(void) {
    FILE *f = fopen("/sys/class/powercap/intel-rapl:0/energy_uj", "r");
    if (!f) return -1;
    double v = -1;
    if (fscanf(f, "%lf", &v) != 1) v = -1;
    fclose(f);
    return v;
}

static char *token_text(const nuri_tokenizer *tok, int32_t id) {
    size_t len = 0;
    const char *t = id >= 0 ? nuri_token_text(tok, id, &len) : NULL;
    char *s = malloc(len + 1);
    if (s) {
        if (len) memcpy(s, t, len);
        s[len] = 0;
    }
    return s;
}

nuri_status nuri_audit_live_new(nuri_ctx *ctx, const nuri_tokenizer *tok, const char *template_src, int n_predict,
                                nuri_audit_live **out, nuri_error *err) {
    nuri_audit_live *l = calloc(1, sizeof *l);
    if (!l) return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    l->ctx = ctx;
    l->tok = tok;
    l->n_predict = n_predict > 0 ? n_predict : 128;
    l->bos = token_text(tok, nuri_token_bos(tok));
    l->eos = token_text(tok, nuri_token_eos(tok));
    nuri_status st = !l->bos || !l->eos ? nuri_fail(err, NURI_ERR_NOMEM, "out of memory")
                                        : nuri_template_parse(template_src, strlen(template_src), &l->tmpl, err);
    if (!st) st = nuri_scorer_new(ctx, tok, &l->scorer, err);
    if (st) {
        nuri_audit_live_free(l);
        return st;
    }
    *out = l;
    return NURI_OK;
}

void nuri_audit_live_free(nuri_audit_live *l) {
    if (!l) return;
    nuri_scorer_free(l->scorer);
    nuri_template_free(l->tmpl);
    free(l->bos);
    free(l->eos);
    free(l);
}

typedef struct {
    char *text;
    size_t len, cap;
    bool oom;
} sink;

static bool on_token(void *user, int32_t id, const char *text, size_t len) {
    (void)id;
    sink *s = user;
    if (s->len + len + 1 > s->cap) {
        size_t cap = (s->len + len + 1) * 2;
        char *t = realloc(s->text, cap);
        if (!t) return !(s->oom = true);
        s->text = t;
        s->cap = cap;
    }
    memcpy(s->text + s->len, text, len);
    s->len += len;
    s->text[s->len] = 0;
    return true;
}

static cJSON *message(const char *role, const char *content) {
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "role", role);
    cJSON_AddStringToObject(m, "content", content);
    return m;
}

static nuri_status live_generate(void *user, const char *system, const char *prompt, bool raw, char **reply,
                                 int *n_tokens, nuri_error *err) {
    nuri_audit_live *l = user;
    char *text = NULL;
    nuri_status st;
    if (raw) {
        text = strdup(prompt);
        if (!text) return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    } else {
        cJSON *msgs = cJSON_CreateArray();
        if (system) cJSON_AddItemToArray(msgs, message("system", system));
        cJSON_AddItemToArray(msgs, message("user", prompt));
        nuri_template_opts o = {l->bos, l->eos, true, NULL};
        st = nuri_template_apply(l->tmpl, msgs, &o, &text, NULL, err);
        cJSON_Delete(msgs);
        if (st) return st;
    }
    bool add_bos = l->bos[0] == 0 || strncmp(text, l->bos, strlen(l->bos)) != 0;
    int32_t *ids = NULL;
    size_t n_ids = 0;
    st = nuri_tokenize(l->tok, text, strlen(text), add_bos, !raw, &ids, &n_ids, err);
    free(text);
    if (st) return st;
    int room = nuri_ctx_n_ctx(l->ctx) - l->n_predict;
    if ((long long)n_ids > room) {
        free(ids);
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "prompt of %zu tokens does not fit the context with %d to generate",
                         n_ids, l->n_predict);
    }
    nuri_scorer_reset(l->scorer); /* the generation below overwrites the cache it tracks */
    nuri_ctx_truncate(l->ctx, 0);
    sink s = {0};
    nuri_gen_params gp = nuri_gen_default_params();
    gp.n_predict = l->n_predict;
    gp.sampling.temperature = 0; /* greedy: the audit must be reproducible */
    gp.on_token = on_token;
    gp.user = &s;
    nuri_gen_result res;
    double e0 = rapl_uj();
    st = nuri_generate(l->ctx, l->tok, ids, n_ids, &gp, &res, err);
    free(ids);
    if (!st && s.oom) st = nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    if (st) {
        free(s.text);
        return st;
    }
    double e1 = rapl_uj();
    if (e0 < 0 || e1 < e0) l->rapl_failed = true; /* unreadable or wrapped: do not guess */
    else l->joules += (e1 - e0) / 1e6;
    l->tokens += res.n_generated;
    l->gen_ms += res.gen_ms;
    if (n_tokens) *n_tokens = res.n_generated;
    *reply = s.text ? s.text : strdup("");
    return *reply ? NURI_OK : nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
}

static nuri_status live_loglik(void *user, const char *context, const char *continuation, double *ll,
                               nuri_error *err) {
    nuri_audit_live *l = user;
    nuri_ll r;
    nuri_status st = nuri_score_choices(l->scorer, context, &continuation, 1, &r, err);
    if (!st) *ll = r.ll;
    return st;
}

nuri_audit_model nuri_audit_live_model(nuri_audit_live *l) {
    return (nuri_audit_model){live_generate, live_loglik, l};
}

bool nuri_audit_live_energy(const nuri_audit_live *l, double *joules) {
    *joules = l->joules;
    return !l->rapl_failed && l->tokens > 0;
}

void nuri_audit_live_stats(const nuri_audit_live *l, long long *tokens, double *gen_ms) {
    *tokens = l->tokens;
    *gen_ms = l->gen_ms;
}
