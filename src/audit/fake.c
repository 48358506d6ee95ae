/* The scripted fake model: replies fixed by a rules file, so tests know each score. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "nuri/audit.h"

typedef struct {
    char *contains; /* NULL: matches everything */
    char *reply;
} fake_rule;

typedef struct {
    char *context;  /* NULL: any context */
    char *contains; /* NULL: no substring required */
    char *continuation;
    double ll;
} fake_ll;

struct nuri_audit_fake {
    fake_rule *rules;
    int n_rules;
    fake_ll *lls;
    int n_lls;
};

static char *dup_str(const cJSON *j) { return cJSON_IsString(j) ? strdup(j->valuestring) : NULL; }

nuri_status nuri_audit_fake_load(const char *path, nuri_audit_fake **out, nuri_error *err) {
    char *data;
    size_t size;
    nuri_status st = nuri_read_file(path, &data, &size, err);
    if (st) return st;
    nuri_audit_fake *f = calloc(1, sizeof *f);
    int lines = 1;
    for (size_t i = 0; i < size; i++) lines += data[i] == '\n';
    if (f) {
        f->rules = calloc((size_t)lines, sizeof *f->rules);
        f->lls = calloc((size_t)lines, sizeof *f->lls);
    }
    if (!f || !f->rules || !f->lls) {
        free(data);
        nuri_audit_fake_free(f);
        return nuri_fail(err, NURI_ERR_NOMEM, "%s: out of memory", path);
    }
    int line = 0;
    for (char *p = data, *nl; p && *p; p = nl ? nl + 1 : NULL) {
        nl = strchr(p, '\n');
        if (nl) *nl = 0;
        line++;
        if (!*p) continue;
        cJSON *j = cJSON_Parse(p);
        const cJSON *reply = j ? cJSON_GetObjectItem(j, "reply") : NULL;
        const cJSON *ll = j ? cJSON_GetObjectItem(j, "ll") : NULL;
        if (j && cJSON_IsString(reply)) {
            fake_rule *r = &f->rules[f->n_rules++];
            r->contains = dup_str(cJSON_GetObjectItem(j, "contains"));
            r->reply = strdup(reply->valuestring);
        } else if (j && cJSON_IsNumber(ll) && cJSON_IsString(cJSON_GetObjectItem(j, "continuation"))) {
            fake_ll *l = &f->lls[f->n_lls++];
            l->context = dup_str(cJSON_GetObjectItem(j, "context"));
            l->contains = dup_str(cJSON_GetObjectItem(j, "contains"));
            l->continuation = dup_str(cJSON_GetObjectItem(j, "continuation"));
            l->ll = ll->valuedouble;
        } else {
            cJSON_Delete(j);
            free(data);
            nuri_audit_fake_free(f);
            return nuri_fail(err, NURI_ERR_FORMAT,
                             "%s:%d: expected {\"reply\"} or {\"continuation\", \"ll\"} (docs/audit.md)",
                             path, line);
        }
        cJSON_Delete(j);
    }
    free(data);
    *out = f;
    return NURI_OK;
}

void nuri_audit_fake_free(nuri_audit_fake *f) {
    if (!f) return;
    for (int i = 0; i < f->n_rules; i++) {
        free(f->rules[i].contains);
        free(f->rules[i].reply);
    }
    for (int i = 0; i < f->n_lls; i++) {
        free(f->lls[i].context);
        free(f->lls[i].contains);
        free(f->lls[i].continuation);
    }
    free(f->rules);
    free(f->lls);
    free(f);
}

static nuri_status fake_generate(void *user, const char *system, const char *prompt, bool raw, char **reply,
                                 int *n_tokens, nuri_error *err) {
    (void)raw;
    nuri_audit_fake *f = user;
    for (int i = 0; i < f->n_rules; i++) {
        const char *c = f->rules[i].contains;
        if (c && !(system && strstr(system, c)) && !strstr(prompt, c)) continue;
        if (!(*reply = strdup(f->rules[i].reply))) return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
        /* One "token" per byte: enough for the efficiency arithmetic to be predictable. */
        if (n_tokens) *n_tokens = (int)strlen(*reply);
        return NURI_OK;
    }
    return nuri_fail(err, NURI_ERR_NOT_FOUND, "fake model: no rule matches the prompt");
}

static nuri_status fake_loglik(void *user, const char *context, const char *continuation, double *ll,
                               nuri_error *err) {
    nuri_audit_fake *f = user;
    for (int i = 0; i < f->n_lls; i++)
        if ((!f->lls[i].context || !strcmp(f->lls[i].context, context)) &&
            (!f->lls[i].contains || strstr(context, f->lls[i].contains)) && !strcmp(f->lls[i].continuation, continuation)) {
            *ll = f->lls[i].ll;
            return NURI_OK;
        }
    return nuri_fail(err, NURI_ERR_NOT_FOUND, "fake model: no log-likelihood for this pair");
}

nuri_audit_model nuri_audit_fake_model(nuri_audit_fake *f) {
    return (nuri_audit_model){fake_generate, fake_loglik, f};
}
