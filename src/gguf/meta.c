/* Typed access to GGUF metadata: integer widths convert when the value fits, so a file
 * that stores a count as u64 instead of u32 still loads. */
#include <string.h>

#include "nuri/gguf.h"

static bool is_unsigned(nuri_gguf_vtype t) {
    return t == NURI_GGUF_UINT8 || t == NURI_GGUF_UINT16 || t == NURI_GGUF_UINT32 ||
           t == NURI_GGUF_UINT64 || t == NURI_GGUF_BOOL;
}
static bool is_signed(nuri_gguf_vtype t) {
    return t == NURI_GGUF_INT8 || t == NURI_GGUF_INT16 || t == NURI_GGUF_INT32 || t == NURI_GGUF_INT64;
}

static nuri_status lookup(const nuri_gguf *g, const char *key, const nuri_gguf_kv **kv,
                          nuri_error *err) {
    *kv = nuri_gguf_find(g, key);
    if (!*kv) return nuri_fail(err, NURI_ERR_NOT_FOUND, "%s: missing key '%s'", nuri_gguf_path(g), key);
    return NURI_OK;
}

static nuri_status wrong_type(const nuri_gguf *g, const char *key, const nuri_gguf_kv *kv,
                              const char *want, nuri_error *err) {
    return nuri_fail(err, NURI_ERR_FORMAT, "%s: key '%s' is %s, expected %s", nuri_gguf_path(g), key,
                     nuri_gguf_vtype_name(kv->type), want);
}

nuri_status nuri_gguf_get_i64(const nuri_gguf *g, const char *key, int64_t *out, nuri_error *err) {
    const nuri_gguf_kv *kv;
    nuri_status st = lookup(g, key, &kv, err);
    if (st) return st;
    if (is_signed(kv->type)) *out = kv->v.i;
    else if (is_unsigned(kv->type) && kv->type != NURI_GGUF_BOOL && kv->v.u <= (uint64_t)INT64_MAX)
        *out = (int64_t)kv->v.u;
    else return wrong_type(g, key, kv, "an integer", err);
    return NURI_OK;
}

nuri_status nuri_gguf_get_u64(const nuri_gguf *g, const char *key, uint64_t *out, nuri_error *err) {
    const nuri_gguf_kv *kv;
    nuri_status st = lookup(g, key, &kv, err);
    if (st) return st;
    if (is_unsigned(kv->type) && kv->type != NURI_GGUF_BOOL) *out = kv->v.u;
    else if (is_signed(kv->type) && kv->v.i >= 0) *out = (uint64_t)kv->v.i;
    else return wrong_type(g, key, kv, "a non-negative integer", err);
    return NURI_OK;
}

nuri_status nuri_gguf_get_u32(const nuri_gguf *g, const char *key, uint32_t *out, nuri_error *err) {
    uint64_t v = 0;
    nuri_status st = nuri_gguf_get_u64(g, key, &v, err);
    if (st) return st;
    if (v > UINT32_MAX)
        return nuri_fail(err, NURI_ERR_FORMAT, "%s: key '%s' value %llu does not fit 32 bits",
                         nuri_gguf_path(g), key, (unsigned long long)v);
    *out = (uint32_t)v;
    return NURI_OK;
}

nuri_status nuri_gguf_get_f32(const nuri_gguf *g, const char *key, float *out, nuri_error *err) {
    const nuri_gguf_kv *kv;
    nuri_status st = lookup(g, key, &kv, err);
    if (st) return st;
    if (kv->type == NURI_GGUF_FLOAT32 || kv->type == NURI_GGUF_FLOAT64) *out = (float)kv->v.f;
    else if (is_signed(kv->type)) *out = (float)kv->v.i;
    else if (is_unsigned(kv->type) && kv->type != NURI_GGUF_BOOL) *out = (float)kv->v.u;
    else return wrong_type(g, key, kv, "a number", err);
    return NURI_OK;
}

nuri_status nuri_gguf_get_bool(const nuri_gguf *g, const char *key, bool *out, nuri_error *err) {
    const nuri_gguf_kv *kv;
    nuri_status st = lookup(g, key, &kv, err);
    if (st) return st;
    if (kv->type != NURI_GGUF_BOOL) return wrong_type(g, key, kv, "bool", err);
    *out = kv->v.u != 0;
    return NURI_OK;
}

nuri_status nuri_gguf_get_str(const nuri_gguf *g, const char *key, nuri_str *out, nuri_error *err) {
    const nuri_gguf_kv *kv;
    nuri_status st = lookup(g, key, &kv, err);
    if (st) return st;
    if (kv->type != NURI_GGUF_STRING) return wrong_type(g, key, kv, "a string", err);
    *out = kv->v.s;
    return NURI_OK;
}

nuri_status nuri_gguf_get_arr(const nuri_gguf *g, const char *key, nuri_gguf_vtype arr_type,
                              const nuri_gguf_kv **out, nuri_error *err) {
    const nuri_gguf_kv *kv;
    nuri_status st = lookup(g, key, &kv, err);
    if (st) return st;
    if (kv->type != NURI_GGUF_ARRAY) return wrong_type(g, key, kv, "an array", err);
    if (arr_type != NURI_GGUF_VTYPE_COUNT && kv->arr_type != arr_type)
        return nuri_fail(err, NURI_ERR_FORMAT, "%s: key '%s' is an array of %s, expected %s",
                         nuri_gguf_path(g), key, nuri_gguf_vtype_name(kv->arr_type),
                         nuri_gguf_vtype_name(arr_type));
    *out = kv;
    return NURI_OK;
}

/* Float to int64 saturating (NaN gives 0): a plain cast of an out-of-range float is
 * undefined behaviour, and array elements come straight from the file. */
static int64_t f2i(double x) {
    if (x != x) return 0;
    if (x >= 9223372036854775808.0) return INT64_MAX;
    if (x < -9223372036854775808.0) return INT64_MIN;
    return (int64_t)x;
}

int64_t nuri_gguf_arr_int(const nuri_gguf_kv *kv, uint64_t i) {
    const uint8_t *p = kv->arr_data;
    switch (kv->arr_type) {
    case NURI_GGUF_UINT8: case NURI_GGUF_BOOL: return p[i];
    case NURI_GGUF_INT8: return (int8_t)p[i];
    case NURI_GGUF_UINT16: { uint16_t x; memcpy(&x, p + 2 * i, 2); return x; }
    case NURI_GGUF_INT16: { int16_t x; memcpy(&x, p + 2 * i, 2); return x; }
    case NURI_GGUF_UINT32: { uint32_t x; memcpy(&x, p + 4 * i, 4); return x; }
    case NURI_GGUF_INT32: { int32_t x; memcpy(&x, p + 4 * i, 4); return x; }
    case NURI_GGUF_UINT64: { uint64_t x; memcpy(&x, p + 8 * i, 8); return (int64_t)x; }
    case NURI_GGUF_INT64: { int64_t x; memcpy(&x, p + 8 * i, 8); return x; }
    case NURI_GGUF_FLOAT32: { float x; memcpy(&x, p + 4 * i, 4); return f2i(x); }
    case NURI_GGUF_FLOAT64: { double x; memcpy(&x, p + 8 * i, 8); return f2i(x); }
    default: return 0;
    }
}

double nuri_gguf_arr_float(const nuri_gguf_kv *kv, uint64_t i) {
    const uint8_t *p = kv->arr_data;
    if (kv->arr_type == NURI_GGUF_FLOAT32) { float x; memcpy(&x, p + 4 * i, 4); return x; }
    if (kv->arr_type == NURI_GGUF_FLOAT64) { double x; memcpy(&x, p + 8 * i, 8); return x; }
    return (double)nuri_gguf_arr_int(kv, i);
}
