/* Training configuration: one table of keys drives parsing, printing, checkpoint
 * comparison and the docs, so a key cannot be known to one and missing from another. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "train/internal.h"

#define F(field) offsetof(nuri_train_config, field)

const tr_key tr_keys[] = {
    /* name            kind      offset              lo      hi        must match on resume */
    {"vocab",          TR_INT,   F(vocab),           2,      1 << 24,  true},
    {"dim",            TR_INT,   F(dim),             2,      1 << 16,  true},
    {"layers",         TR_INT,   F(layers),          1,      1024,     true},
    {"heads",          TR_INT,   F(heads),           1,      1024,     true},
    {"kv_heads",       TR_INT,   F(kv_heads),        1,      1024,     true},
    {"ffn",            TR_INT,   F(ffn),             1,      1 << 18,  true},
    {"context",        TR_INT,   F(context),         1,      1 << 16,  true},
    {"tied",           TR_BOOL,  F(tied),            0,      1,        true},
    {"rope_base",      TR_FLOAT, F(rope_base),       1,      1e9,      true},
    {"norm_eps",       TR_FLOAT, F(norm_eps),        1e-12,  1,        true},
    {"init_std",       TR_FLOAT, F(init_std),        0,      10,       true},
    {"batch",          TR_INT,   F(batch),           1,      1 << 20,  true},
    {"accum",          TR_INT,   F(accum),           1,      1 << 20,  true},
    {"steps",          TR_INT,   F(steps),           1,      1 << 30,  true},
    {"warmup",         TR_INT,   F(warmup),          0,      1 << 30,  true},
    {"lr",             TR_FLOAT, F(lr),              0,      10,       true},
    {"lr_min_ratio",   TR_FLOAT, F(lr_min_ratio),    0,      1,        true},
    {"weight_decay",   TR_FLOAT, F(weight_decay),    0,      10,       true},
    {"beta1",          TR_FLOAT, F(beta1),           0,      0.999999, true},
    {"beta2",          TR_FLOAT, F(beta2),           0,      0.999999, true},
    {"adam_eps",       TR_FLOAT, F(adam_eps),        0,      1,        true},
    {"clip",           TR_FLOAT, F(clip),            0,      1e9,      true},
    {"seed",           TR_U64,   F(seed),            0,      0,        true},
    {"eval_interval",  TR_INT,   F(eval_interval),   0,      1 << 30,  false},
    {"eval_batches",   TR_INT,   F(eval_batches),    1,      1 << 20,  false},
    {"ckpt_interval",  TR_INT,   F(ckpt_interval),   0,      1 << 30,  false},
    {"max_memory_gb",  TR_DOUBLE, F(max_memory_gb),  0,      1e6,      false},
};
const int tr_n_keys = sizeof tr_keys / sizeof tr_keys[0];

void nuri_train_config_default(nuri_train_config *c) {
    memset(c, 0, sizeof *c);
    c->vocab = 512;
    c->dim = 64;
    c->layers = 2;
    c->heads = 4;
    c->kv_heads = 4;
    c->ffn = 172;
    c->context = 64;
    c->tied = true;
    c->rope_base = 10000.0f;
    c->norm_eps = 1e-5f;
    c->init_std = 0.02f;
    c->batch = 8;
    c->accum = 1;
    c->steps = 1000;
    c->warmup = 100;
    c->lr = 1e-3f;
    c->lr_min_ratio = 0.1f;
    c->weight_decay = 0.1f;
    c->beta1 = 0.9f;
    c->beta2 = 0.95f;
    c->adam_eps = 1e-8f;
    c->clip = 1.0f;
    c->seed = 1;
    c->eval_interval = 100;
    c->eval_batches = 8;
    c->ckpt_interval = 100;
    c->max_memory_gb = 0;
}

static bool key_eq(const char *a, const char *b) {
    for (; *a && *b; a++, b++) {
        char x = *a == '-' ? '_' : *a, y = *b == '-' ? '_' : *b;
        if (x != y) return false;
    }
    return *a == *b;
}

const tr_key *tr_key_find(const char *name) {
    for (int i = 0; i < tr_n_keys; i++)
        if (key_eq(tr_keys[i].name, name)) return &tr_keys[i];
    return NULL;
}

nuri_status nuri_train_config_set(nuri_train_config *c, const char *key, const char *value,
                                  nuri_error *err) {
    const tr_key *k = tr_key_find(key);
    if (!k) return nuri_fail(err, NURI_ERR_INVALID_ARG, "unknown training key '%s'", key);
    char *p = (char *)c + k->off, *end;
    errno = 0;
    switch (k->kind) {
    case TR_BOOL:
        if (!strcmp(value, "1") || !strcmp(value, "true")) *(bool *)p = true;
        else if (!strcmp(value, "0") || !strcmp(value, "false")) *(bool *)p = false;
        else return nuri_fail(err, NURI_ERR_INVALID_ARG, "%s: '%s' is not true or false", k->name, value);
        return NURI_OK;
    case TR_U64: {
        if (*value == '-') return nuri_fail(err, NURI_ERR_INVALID_ARG, "%s: '%s' is negative", k->name, value);
        unsigned long long v = strtoull(value, &end, 10);
        if (errno || end == value || *end)
            return nuri_fail(err, NURI_ERR_INVALID_ARG, "%s: '%s' is not an unsigned integer", k->name, value);
        *(uint64_t *)p = v;
        return NURI_OK;
    }
    case TR_INT: {
        long long v = strtoll(value, &end, 10);
        if (errno || end == value || *end)
            return nuri_fail(err, NURI_ERR_INVALID_ARG, "%s: '%s' is not an integer", k->name, value);
        if (v < (long long)k->lo || v > (long long)k->hi)
            return nuri_fail(err, NURI_ERR_INVALID_ARG, "%s: %lld is outside [%lld, %lld]", k->name, v,
                             (long long)k->lo, (long long)k->hi);
        *(int *)p = (int)v;
        return NURI_OK;
    }
    case TR_FLOAT:
    case TR_DOUBLE: {
        double v = strtod(value, &end);
        if (errno || end == value || *end || !isfinite(v))
            return nuri_fail(err, NURI_ERR_INVALID_ARG, "%s: '%s' is not a number", k->name, value);
        if (v < k->lo || v > k->hi)
            return nuri_fail(err, NURI_ERR_INVALID_ARG, "%s: %g is outside [%g, %g]", k->name, v, k->lo, k->hi);
        if (k->kind == TR_FLOAT) *(float *)p = (float)v;
        else *(double *)p = v;
        return NURI_OK;
    }
    }
    return NURI_OK;
}

static char *trim(char *s) {
    while (isspace((unsigned char)*s)) s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1])) *--e = 0;
    return s;
}

nuri_status nuri_train_config_parse(nuri_train_config *c, char *text, const char *name,
                                    nuri_error *err) {
    int lineno = 0;
    for (char *line = text, *next; line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = 0;
        lineno++;
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        char *s = trim(line);
        if (!*s) continue;
        char *eq = strchr(s, '=');
        if (!eq)
            return nuri_fail(err, NURI_ERR_FORMAT, "%s:%d: expected key = value", name, lineno);
        *eq = 0;
        nuri_status st = nuri_train_config_set(c, trim(s), trim(eq + 1), err);
        if (st) {
            nuri_error_prefix(err, "%s:%d: ", name, lineno);
            return st;
        }
    }
    return NURI_OK;
}

nuri_status nuri_train_config_load(nuri_train_config *c, const char *path, nuri_error *err) {
    char *text;
    size_t len;
    nuri_status st = nuri_read_file(path, &text, &len, err);
    if (st) return st;
    if (strlen(text) != len) {
        free(text);
        return nuri_fail(err, NURI_ERR_FORMAT, "%s: contains a NUL byte", path);
    }
    st = nuri_train_config_parse(c, text, path, err);
    free(text);
    return st;
}

nuri_status nuri_train_config_check(const nuri_train_config *c, nuri_error *err) {
    for (int i = 0; i < tr_n_keys; i++) {
        const tr_key *k = &tr_keys[i];
        const char *p = (const char *)c + k->off;
        if (k->kind == TR_INT) {
            int v = *(const int *)p;
            if (v < (int)k->lo || v > (int)k->hi)
                return nuri_fail(err, NURI_ERR_INVALID_ARG, "%s: %d is outside [%d, %d]", k->name, v,
                                 (int)k->lo, (int)k->hi);
        } else if (k->kind == TR_FLOAT || k->kind == TR_DOUBLE) {
            double v = k->kind == TR_FLOAT ? *(const float *)p : *(const double *)p;
            if (!(v >= k->lo && v <= k->hi))
                return nuri_fail(err, NURI_ERR_INVALID_ARG, "%s: %g is outside [%g, %g]", k->name, v, k->lo, k->hi);
        }
    }
    if (c->dim % c->heads)
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "heads (%d) must divide dim (%d)", c->heads, c->dim);
    if ((c->dim / c->heads) % 2)
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "the head size dim/heads = %d must be even (RoPE rotates pairs)",
                         c->dim / c->heads);
    if (c->heads % c->kv_heads)
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "kv_heads (%d) must divide heads (%d)", c->kv_heads, c->heads);
    if (c->warmup > c->steps)
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "warmup (%d) is longer than steps (%d)", c->warmup, c->steps);
    return NURI_OK;
}

void tr_key_format(const tr_key *k, const nuri_train_config *c, char *buf, size_t n) {
    const char *p = (const char *)c + k->off;
    switch (k->kind) {
    case TR_INT: snprintf(buf, n, "%d", *(const int *)p); break;
    case TR_BOOL: snprintf(buf, n, "%s", *(const bool *)p ? "true" : "false"); break;
    case TR_U64: snprintf(buf, n, "%llu", (unsigned long long)*(const uint64_t *)p); break;
    /* %.9g round-trips a float exactly; %.17g a double. */
    case TR_FLOAT: snprintf(buf, n, "%.9g", (double)*(const float *)p); break;
    case TR_DOUBLE: snprintf(buf, n, "%.17g", *(const double *)p); break;
    }
}

char *nuri_train_config_format(const nuri_train_config *c) {
    size_t cap = (size_t)tr_n_keys * 64 + 1, len = 0;
    char *out = malloc(cap);
    if (!out) return NULL;
    for (int i = 0; i < tr_n_keys; i++) {
        char v[48];
        tr_key_format(&tr_keys[i], c, v, sizeof v);
        len += (size_t)snprintf(out + len, cap - len, "%s = %s\n", tr_keys[i].name, v);
    }
    return out;
}
