/* GGUF writer: collects key/values and tensors in memory, then writes a version-3 file
 * atomically. Used by tests (fixtures, corrupt files), quantization and training. */
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "nuri/gguf.h"

typedef struct {
    char *key;
    nuri_gguf_vtype type;
    uint8_t *bytes; /* the value exactly as serialized after the type field */
    size_t len;
} wkv;

typedef struct {
    char *name;
    nuri_type type;
    uint32_t n_dims;
    int64_t ne[NURI_MAX_DIMS];
    void *data;
    size_t nbytes;
} wtensor;

struct nuri_gguf_writer {
    wkv *kvs;
    size_t n_kv, cap_kv;
    wtensor *tensors;
    size_t n_tensors, cap_tensors;
};

nuri_gguf_writer *nuri_gguf_writer_new(void) { return calloc(1, sizeof(nuri_gguf_writer)); }

void nuri_gguf_writer_free(nuri_gguf_writer *w) {
    if (!w) return;
    for (size_t i = 0; i < w->n_kv; i++) {
        free(w->kvs[i].key);
        free(w->kvs[i].bytes);
    }
    for (size_t i = 0; i < w->n_tensors; i++) {
        free(w->tensors[i].name);
        free(w->tensors[i].data);
    }
    free(w->kvs);
    free(w->tensors);
    free(w);
}

static size_t scalar_size(nuri_gguf_vtype t) {
    switch (t) {
    case NURI_GGUF_UINT8: case NURI_GGUF_INT8: case NURI_GGUF_BOOL: return 1;
    case NURI_GGUF_UINT16: case NURI_GGUF_INT16: return 2;
    case NURI_GGUF_UINT32: case NURI_GGUF_INT32: case NURI_GGUF_FLOAT32: return 4;
    case NURI_GGUF_UINT64: case NURI_GGUF_INT64: case NURI_GGUF_FLOAT64: return 8;
    default: return 0;
    }
}

/* Takes ownership of bytes; replaces an existing key of the same name. */
static nuri_status put(nuri_gguf_writer *w, const char *key, nuri_gguf_vtype type, uint8_t *bytes,
                       size_t len) {
    if (!bytes && len) return NURI_ERR_NOMEM;
    for (size_t i = 0; i < w->n_kv; i++)
        if (!strcmp(w->kvs[i].key, key)) {
            free(w->kvs[i].bytes);
            w->kvs[i].type = type;
            w->kvs[i].bytes = bytes;
            w->kvs[i].len = len;
            return NURI_OK;
        }
    if (w->n_kv == w->cap_kv) {
        size_t cap = w->cap_kv ? w->cap_kv * 2 : 16;
        wkv *n = realloc(w->kvs, cap * sizeof *n);
        if (!n) {
            free(bytes);
            return NURI_ERR_NOMEM;
        }
        w->kvs = n;
        w->cap_kv = cap;
    }
    char *k = strdup(key);
    if (!k) {
        free(bytes);
        return NURI_ERR_NOMEM;
    }
    w->kvs[w->n_kv++] = (wkv){k, type, bytes, len};
    return NURI_OK;
}

nuri_status nuri_gguf_set_raw(nuri_gguf_writer *w, const char *key, nuri_gguf_vtype type,
                              const void *v) {
    size_t sz = scalar_size(type);
    if (!sz) return NURI_ERR_INVALID_ARG;
    uint8_t *b = malloc(sz);
    if (b) memcpy(b, v, sz);
    return put(w, key, type, b, sz);
}

nuri_status nuri_gguf_set_u32(nuri_gguf_writer *w, const char *key, uint32_t v) {
    return nuri_gguf_set_raw(w, key, NURI_GGUF_UINT32, &v);
}
nuri_status nuri_gguf_set_i32(nuri_gguf_writer *w, const char *key, int32_t v) {
    return nuri_gguf_set_raw(w, key, NURI_GGUF_INT32, &v);
}
nuri_status nuri_gguf_set_u64(nuri_gguf_writer *w, const char *key, uint64_t v) {
    return nuri_gguf_set_raw(w, key, NURI_GGUF_UINT64, &v);
}
nuri_status nuri_gguf_set_f32(nuri_gguf_writer *w, const char *key, float v) {
    return nuri_gguf_set_raw(w, key, NURI_GGUF_FLOAT32, &v);
}
nuri_status nuri_gguf_set_bool(nuri_gguf_writer *w, const char *key, bool v) {
    uint8_t b = v ? 1 : 0;
    return nuri_gguf_set_raw(w, key, NURI_GGUF_BOOL, &b);
}

static uint8_t *str_bytes(const char *s, uint64_t len, size_t *out_len) {
    uint8_t *b = malloc(8 + len);
    if (!b) return NULL;
    memcpy(b, &len, 8);
    memcpy(b + 8, s, len);
    *out_len = 8 + len;
    return b;
}

nuri_status nuri_gguf_set_str(nuri_gguf_writer *w, const char *key, const char *v) {
    size_t len = 0;
    uint8_t *b = str_bytes(v, strlen(v), &len);
    return put(w, key, NURI_GGUF_STRING, b, len);
}

nuri_status nuri_gguf_set_arr(nuri_gguf_writer *w, const char *key, nuri_gguf_vtype elem_type,
                              uint64_t n, const void *data) {
    size_t sz = scalar_size(elem_type);
    if (!sz || n > (SIZE_MAX - 12) / sz) return NURI_ERR_INVALID_ARG;
    size_t len = 12 + n * sz;
    uint8_t *b = malloc(len);
    if (!b) return NURI_ERR_NOMEM;
    uint32_t et = elem_type;
    memcpy(b, &et, 4);
    memcpy(b + 4, &n, 8);
    if (n) memcpy(b + 12, data, n * sz);
    return put(w, key, NURI_GGUF_ARRAY, b, len);
}

nuri_status nuri_gguf_set_arr_str(nuri_gguf_writer *w, const char *key, uint64_t n,
                                  const char *const *strs, const uint64_t *lens) {
    size_t len = 12;
    for (uint64_t i = 0; i < n; i++) len += 8 + (lens ? lens[i] : strlen(strs[i]));
    uint8_t *b = malloc(len);
    if (!b) return NURI_ERR_NOMEM;
    uint32_t et = NURI_GGUF_STRING;
    memcpy(b, &et, 4);
    memcpy(b + 4, &n, 8);
    size_t o = 12;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t l = lens ? lens[i] : strlen(strs[i]);
        memcpy(b + o, &l, 8);
        memcpy(b + o + 8, strs[i], l);
        o += 8 + l;
    }
    return put(w, key, NURI_GGUF_ARRAY, b, len);
}

nuri_status nuri_gguf_set_kv(nuri_gguf_writer *w, const nuri_gguf_kv *kv) {
    char *key = strndup(kv->key.ptr, kv->key.len);
    if (!key) return NURI_ERR_NOMEM;
    nuri_status st;
    if (kv->type == NURI_GGUF_STRING) {
        size_t len = 0;
        uint8_t *b = str_bytes(kv->v.s.ptr, kv->v.s.len, &len);
        st = put(w, key, NURI_GGUF_STRING, b, len);
    } else if (kv->type == NURI_GGUF_ARRAY && kv->arr_type == NURI_GGUF_STRING) {
        const char **p = malloc((kv->arr_len ? kv->arr_len : 1) * sizeof *p);
        uint64_t *l = malloc((kv->arr_len ? kv->arr_len : 1) * sizeof *l);
        if (p && l) {
            for (uint64_t i = 0; i < kv->arr_len; i++) {
                p[i] = kv->strs[i].ptr;
                l[i] = kv->strs[i].len;
            }
            st = nuri_gguf_set_arr_str(w, key, kv->arr_len, p, l);
        } else {
            st = NURI_ERR_NOMEM;
        }
        free(p);
        free(l);
    } else if (kv->type == NURI_GGUF_ARRAY) {
        st = nuri_gguf_set_arr(w, key, kv->arr_type, kv->arr_len, kv->arr_data);
    } else {
        /* Re-serialize the widened scalar at its own width (little-endian hosts). */
        union { uint64_t u; int64_t i; double f; float f32; } raw;
        raw.u = kv->v.u;
        if (kv->type == NURI_GGUF_FLOAT32) raw.f32 = (float)kv->v.f;
        else if (kv->type == NURI_GGUF_FLOAT64) raw.f = kv->v.f;
        st = nuri_gguf_set_raw(w, key, kv->type, &raw);
    }
    free(key);
    return st;
}

nuri_status nuri_gguf_add_tensor(nuri_gguf_writer *w, const char *name, nuri_type type,
                                 uint32_t n_dims, const int64_t *ne, const void *data,
                                 nuri_error *err) {
    const nuri_type_info *ti = nuri_type_get(type);
    if (!ti) return nuri_fail(err, NURI_ERR_INVALID_ARG, "tensor '%s': unknown type %d", name, (int)type);
    if (n_dims == 0 || n_dims > NURI_MAX_DIMS)
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "tensor '%s': %u dimensions", name, n_dims);
    for (size_t i = 0; i < w->n_tensors; i++)
        if (!strcmp(w->tensors[i].name, name))
            return nuri_fail(err, NURI_ERR_INVALID_ARG, "tensor '%s' added twice", name);
    bool empty = false;
    for (uint32_t d = 0; d < n_dims; d++) {
        if (ne[d] < 0)
            return nuri_fail(err, NURI_ERR_INVALID_ARG, "tensor '%s': dimension %u is negative", name, d);
        empty = empty || ne[d] == 0;
    }
    if (ne[0] % ti->block_size != 0)
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "tensor '%s': row of %lld is not whole %s blocks",
                         name, (long long)ne[0], ti->name);
    /* The element count must fit int64 (as the reader demands) and the bytes size_t; an
     * empty tensor may have a huge dimension beside its zero one. */
    uint64_t blocks = (uint64_t)ne[0] / (uint64_t)ti->block_size;
    if (!empty && blocks > SIZE_MAX / ti->type_size)
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "tensor '%s': size overflows", name);
    uint64_t nel = 1;
    size_t nbytes = empty ? 0 : (size_t)blocks * ti->type_size;
    for (uint32_t d = 0; d < n_dims; d++) {
        uint64_t n = (uint64_t)ne[d];
        if (n && nel > (uint64_t)INT64_MAX / n)
            return nuri_fail(err, NURI_ERR_INVALID_ARG, "tensor '%s': shape overflows", name);
        nel *= n;
        if (d > 0 && !empty && nbytes > SIZE_MAX / n)
            return nuri_fail(err, NURI_ERR_INVALID_ARG, "tensor '%s': size overflows", name);
        if (d > 0) nbytes *= n;
    }
    if (w->n_tensors == w->cap_tensors) {
        size_t cap = w->cap_tensors ? w->cap_tensors * 2 : 16;
        wtensor *n = realloc(w->tensors, cap * sizeof *n);
        if (!n) return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
        w->tensors = n;
        w->cap_tensors = cap;
    }
    wtensor t = {0};
    t.name = strdup(name);
    t.data = malloc(nbytes ? nbytes : 1);
    if (!t.name || !t.data) {
        free(t.name);
        free(t.data);
        return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    }
    if (nbytes) memcpy(t.data, data, nbytes);
    t.type = type;
    t.n_dims = n_dims;
    for (int d = 0; d < NURI_MAX_DIMS; d++) t.ne[d] = d < (int)n_dims ? ne[d] : 1;
    t.nbytes = nbytes;
    w->tensors[w->n_tensors++] = t;
    return NURI_OK;
}

static bool put_bytes(FILE *f, const void *p, size_t n) { return fwrite(p, 1, n, f) == n; }

static bool pad_to(FILE *f, uint64_t *pos, uint32_t alignment) {
    static const uint8_t zeros[64] = {0};
    while (*pos % alignment) {
        size_t n = alignment - *pos % alignment;
        if (n > sizeof zeros) n = sizeof zeros;
        if (!put_bytes(f, zeros, n)) return false;
        *pos += n;
    }
    return true;
}

nuri_status nuri_gguf_writer_save(nuri_gguf_writer *w, const char *path, uint32_t alignment,
                                  nuri_error *err) {
    /* The layout and general.alignment must agree: a key copied from another file decides
     * the default, and an explicit alignment overrides the key. */
    const wkv *key = NULL;
    for (size_t i = 0; i < w->n_kv; i++)
        if (!strcmp(w->kvs[i].key, "general.alignment")) key = &w->kvs[i];
    if (alignment == 0 && key && key->type == NURI_GGUF_UINT32) memcpy(&alignment, key->bytes, 4);
    if (alignment == 0) alignment = 32;
    if (alignment & (alignment - 1))
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "%s: alignment %u is not a power of two", path, alignment);
    if ((alignment != 32 || key) && nuri_gguf_set_u32(w, "general.alignment", alignment))
        return nuri_fail(err, NURI_ERR_NOMEM, "%s: out of memory", path);
    nuri_atomic_file af;
    nuri_status st = nuri_atomic_open(&af, path, err);
    if (st) return st;
    FILE *f = af.f;
    bool ok = true;
    uint32_t magic_version[2];
    memcpy(&magic_version[0], "GGUF", 4);
    magic_version[1] = 3;
    uint64_t counts[2] = {w->n_tensors, w->n_kv};
    ok = ok && put_bytes(f, magic_version, 8) && put_bytes(f, counts, 16);
    uint64_t pos = 24;
    for (size_t i = 0; ok && i < w->n_kv; i++) {
        uint64_t kl = strlen(w->kvs[i].key);
        uint32_t t = w->kvs[i].type;
        ok = put_bytes(f, &kl, 8) && put_bytes(f, w->kvs[i].key, kl) && put_bytes(f, &t, 4) &&
             put_bytes(f, w->kvs[i].bytes, w->kvs[i].len);
        pos += 12 + kl + w->kvs[i].len;
    }
    uint64_t offset = 0;
    for (size_t i = 0; ok && i < w->n_tensors; i++) {
        const wtensor *t = &w->tensors[i];
        uint64_t nl = strlen(t->name);
        uint32_t type = t->type;
        ok = put_bytes(f, &nl, 8) && put_bytes(f, t->name, nl) && put_bytes(f, &t->n_dims, 4);
        for (uint32_t d = 0; ok && d < t->n_dims; d++) {
            uint64_t ne = (uint64_t)t->ne[d];
            ok = put_bytes(f, &ne, 8);
        }
        ok = ok && put_bytes(f, &type, 4) && put_bytes(f, &offset, 8);
        pos += 8 + nl + 4 + 8ull * t->n_dims + 12;
        offset += (t->nbytes + alignment - 1) / alignment * alignment;
    }
    if (w->n_tensors) ok = ok && pad_to(f, &pos, alignment);
    for (size_t i = 0; ok && i < w->n_tensors; i++) {
        ok = put_bytes(f, w->tensors[i].data, w->tensors[i].nbytes);
        pos += w->tensors[i].nbytes;
        if (ok && i + 1 < w->n_tensors) ok = pad_to(f, &pos, alignment);
    }
    if (!ok) {
        nuri_atomic_abort(&af);
        return nuri_fail(err, NURI_ERR_IO, "%s: write failed", path);
    }
    return nuri_atomic_commit(&af, err);
}
