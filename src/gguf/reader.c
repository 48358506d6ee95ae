/* GGUF reader over a read-only mapping. Everything is validated up front so that the
 * rest of nuri may trust every length, offset and shape it is handed. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "nuri/gguf.h"

struct nuri_gguf {
    char *path;
    nuri_mapping map; /* owned when opened from a path */
    const uint8_t *base;
    size_t size;
    uint32_t version;
    uint64_t alignment;
    uint64_t n_kv, n_tensors;
    nuri_gguf_kv *kvs;
    nuri_gguf_tensor *tensors;
    uint64_t data_offset;
};

typedef struct {
    const uint8_t *base, *p, *end;
    const char *name;
    nuri_error *err;
} cursor;

static size_t remaining(const cursor *c) { return (size_t)(c->end - c->p); }

static nuri_status need(cursor *c, uint64_t n, const char *what) {
    if (n > remaining(c))
        return nuri_fail(c->err, NURI_ERR_FORMAT,
                         "%s: truncated file: %s needs %" PRIu64 " bytes at offset %zu, %zu left",
                         c->name, what, n, (size_t)(c->p - c->base), remaining(c));
    return NURI_OK;
}

#define READ_FN(name, T)                                                   \
    static nuri_status name(cursor *c, T *out, const char *what) {          \
        nuri_status st = need(c, sizeof(T), what);                          \
        if (st) return st;                                                  \
        memcpy(out, c->p, sizeof(T));                                       \
        c->p += sizeof(T);                                                  \
        return NURI_OK;                                                     \
    }
READ_FN(read_u32, uint32_t)
READ_FN(read_u64, uint64_t)

static nuri_status read_str(cursor *c, nuri_str *s, const char *what) {
    uint64_t len;
    nuri_status st = read_u64(c, &len, what);
    if (st) return st;
    if (len > remaining(c))
        return nuri_fail(c->err, NURI_ERR_FORMAT,
                         "%s: %s has length %" PRIu64 " but only %zu bytes remain", c->name, what,
                         len, remaining(c));
    s->ptr = (const char *)c->p;
    s->len = len;
    c->p += len;
    return NURI_OK;
}

/* Names come from the file and may hold any byte: error messages show them escaped and
 * cut short, so that an error is always one printable line. */
typedef struct {
    char s[200];
} shown;

static const char *show(nuri_str n, shown *b) {
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (uint64_t i = 0; i < n.len; i++) {
        if (o + 8 > sizeof b->s) {
            memcpy(b->s + o, "...", 4);
            return b->s;
        }
        unsigned char ch = (unsigned char)n.ptr[i];
        if (ch < 0x20 || ch == 0x7f || ch == '\\') {
            b->s[o++] = '\\';
            b->s[o++] = 'x';
            b->s[o++] = hex[ch >> 4];
            b->s[o++] = hex[ch & 15];
        } else {
            b->s[o++] = (char)ch;
        }
    }
    b->s[o] = 0;
    return b->s;
}

static size_t vtype_size(nuri_gguf_vtype t) {
    switch (t) {
    case NURI_GGUF_UINT8: case NURI_GGUF_INT8: case NURI_GGUF_BOOL: return 1;
    case NURI_GGUF_UINT16: case NURI_GGUF_INT16: return 2;
    case NURI_GGUF_UINT32: case NURI_GGUF_INT32: case NURI_GGUF_FLOAT32: return 4;
    case NURI_GGUF_UINT64: case NURI_GGUF_INT64: case NURI_GGUF_FLOAT64: return 8;
    default: return 0;
    }
}

const char *nuri_gguf_vtype_name(nuri_gguf_vtype t) {
    static const char *names[] = {"u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool",
                                  "str", "arr", "u64", "i64", "f64"};
    return (unsigned)t < NURI_GGUF_VTYPE_COUNT ? names[t] : "?";
}

/* Decodes a fixed-size scalar at p into the widened union. */
static void decode_scalar(nuri_gguf_kv *kv, nuri_gguf_vtype t, const uint8_t *p) {
    switch (t) {
    case NURI_GGUF_UINT8: kv->v.u = p[0]; break;
    case NURI_GGUF_BOOL: kv->v.u = p[0] != 0; break;
    case NURI_GGUF_INT8: kv->v.i = (int8_t)p[0]; break;
    case NURI_GGUF_UINT16: { uint16_t x; memcpy(&x, p, 2); kv->v.u = x; break; }
    case NURI_GGUF_INT16: { int16_t x; memcpy(&x, p, 2); kv->v.i = x; break; }
    case NURI_GGUF_UINT32: { uint32_t x; memcpy(&x, p, 4); kv->v.u = x; break; }
    case NURI_GGUF_INT32: { int32_t x; memcpy(&x, p, 4); kv->v.i = x; break; }
    case NURI_GGUF_FLOAT32: { float x; memcpy(&x, p, 4); kv->v.f = x; break; }
    case NURI_GGUF_UINT64: { uint64_t x; memcpy(&x, p, 8); kv->v.u = x; break; }
    case NURI_GGUF_INT64: { int64_t x; memcpy(&x, p, 8); kv->v.i = x; break; }
    case NURI_GGUF_FLOAT64: { double x; memcpy(&x, p, 8); kv->v.f = x; break; }
    default: break;
    }
}

static nuri_status read_kv(cursor *c, nuri_gguf_kv *kv, uint64_t index) {
    char what[64];
    snprintf(what, sizeof what, "key %" PRIu64, index);
    nuri_status st = read_str(c, &kv->key, what);
    if (st) return st;
    shown kn;
    uint32_t t;
    if ((st = read_u32(c, &t, what))) return st;
    if (t >= NURI_GGUF_VTYPE_COUNT)
        return nuri_fail(c->err, NURI_ERR_FORMAT, "%s: key '%s' has unknown value type %u",
                         c->name, show(kv->key, &kn), t);
    kv->type = (nuri_gguf_vtype)t;
    if (t == NURI_GGUF_STRING) return read_str(c, &kv->v.s, what);
    if (t != NURI_GGUF_ARRAY) {
        size_t sz = vtype_size(kv->type);
        if ((st = need(c, sz, what))) return st;
        decode_scalar(kv, kv->type, c->p);
        c->p += sz;
        return NURI_OK;
    }
    uint32_t et;
    uint64_t n;
    if ((st = read_u32(c, &et, what)) || (st = read_u64(c, &n, what))) return st;
    if (et >= NURI_GGUF_VTYPE_COUNT || et == NURI_GGUF_ARRAY)
        return nuri_fail(c->err, NURI_ERR_FORMAT,
                         "%s: key '%s' is an array of unsupported element type %u", c->name,
                         show(kv->key, &kn), et);
    kv->arr_type = (nuri_gguf_vtype)et;
    kv->arr_len = n;
    kv->arr_data = c->p;
    if (et != NURI_GGUF_STRING) {
        size_t sz = vtype_size(kv->arr_type);
        if (n > remaining(c) / sz)
            return nuri_fail(c->err, NURI_ERR_FORMAT,
                             "%s: key '%s': array of %" PRIu64 " elements exceeds the file",
                             c->name, show(kv->key, &kn), n);
        c->p += n * sz;
        return NURI_OK;
    }
    /* Each string needs at least its 8-byte length, which bounds n before allocating. */
    if (n > remaining(c) / 8)
        return nuri_fail(c->err, NURI_ERR_FORMAT,
                         "%s: key '%s': array of %" PRIu64 " strings exceeds the file", c->name,
                         show(kv->key, &kn), n);
    nuri_str *strs = malloc((n ? n : 1) * sizeof *strs);
    if (!strs) return nuri_fail(c->err, NURI_ERR_NOMEM, "%s: out of memory", c->name);
    kv->strs = strs;
    for (uint64_t i = 0; i < n; i++)
        if ((st = read_str(c, &strs[i], what))) return st;
    return NURI_OK;
}

static int str_cmp(const void *pa, const void *pb) {
    const nuri_str *a = *(const nuri_str *const *)pa, *b = *(const nuri_str *const *)pb;
    size_t n = a->len < b->len ? a->len : b->len;
    int r = n ? memcmp(a->ptr, b->ptr, n) : 0;
    if (r) return r;
    return (a->len > b->len) - (a->len < b->len);
}

/* Finds a name that occurs twice among n names, each at base + i * stride. Sorting keeps
 * this O(n log n): a hostile file may hold millions of names. */
static nuri_status find_duplicate(const void *base, size_t stride, uint64_t n, const nuri_str **dup) {
    *dup = NULL;
    if (n < 2) return NURI_OK;
    const nuri_str **v = malloc(n * sizeof *v);
    if (!v) return NURI_ERR_NOMEM;
    for (uint64_t i = 0; i < n; i++) v[i] = (const nuri_str *)((const char *)base + i * stride);
    qsort(v, n, sizeof *v, str_cmp);
    for (uint64_t i = 1; i < n && !*dup; i++)
        if (str_cmp(&v[i - 1], &v[i]) == 0) *dup = v[i];
    free(v);
    return NURI_OK;
}

bool nuri_str_eq(nuri_str s, const char *c) {
    size_t n = strlen(c);
    return s.len == n && memcmp(s.ptr, c, n) == 0;
}

static nuri_status read_tensor_info(cursor *c, nuri_gguf_tensor *t, uint64_t index) {
    char what[64];
    snprintf(what, sizeof what, "tensor info %" PRIu64, index);
    nuri_status st = read_str(c, &t->name, what);
    if (st) return st;
    shown tn;
    const char *nm = show(t->name, &tn);
    if ((st = read_u32(c, &t->n_dims, what))) return st;
    if (t->n_dims == 0 || t->n_dims > NURI_MAX_DIMS)
        return nuri_fail(c->err, NURI_ERR_FORMAT, "%s: tensor '%s' has %u dimensions (1 to %d allowed)",
                         c->name, nm, t->n_dims, NURI_MAX_DIMS);
    for (int d = 0; d < NURI_MAX_DIMS; d++) t->ne[d] = 1;
    for (uint32_t d = 0; d < t->n_dims; d++) {
        uint64_t ne;
        if ((st = read_u64(c, &ne, what))) return st;
        if (ne > (uint64_t)INT64_MAX)
            return nuri_fail(c->err, NURI_ERR_FORMAT, "%s: tensor '%s' has dimension %u of absurd size %" PRIu64,
                             c->name, nm, d, ne);
        t->ne[d] = (int64_t)ne;
    }
    uint32_t type;
    if ((st = read_u32(c, &type, what)) || (st = read_u64(c, &t->offset, what))) return st;
    const nuri_type_info *ti = nuri_type_get(type);
    if (!ti)
        return nuri_fail(c->err, NURI_ERR_FORMAT, "%s: tensor '%s' has unknown type %u", c->name,
                         nm, type);
    t->type = (nuri_type)type;
    /* Element count with overflow checks; the row must hold whole blocks. */
    uint64_t nel = 1;
    for (int d = 0; d < NURI_MAX_DIMS; d++) {
        uint64_t ne = (uint64_t)t->ne[d];
        if (ne != 0 && nel > (uint64_t)INT64_MAX / ne)
            return nuri_fail(c->err, NURI_ERR_FORMAT, "%s: tensor '%s' shape overflows", c->name, nm);
        nel *= ne;
    }
    if (t->ne[0] % ti->block_size != 0)
        return nuri_fail(c->err, NURI_ERR_FORMAT,
                         "%s: tensor '%s' row of %" PRId64 " is not a multiple of the %s block size %" PRId64,
                         c->name, nm, t->ne[0], ti->name, ti->block_size);
    uint64_t blocks = nel / (uint64_t)ti->block_size;
    if (blocks > UINT64_MAX / ti->type_size)
        return nuri_fail(c->err, NURI_ERR_FORMAT, "%s: tensor '%s' size overflows", c->name, nm);
    t->nbytes = blocks * ti->type_size;
    return NURI_OK;
}

static nuri_status parse(nuri_gguf *g, nuri_error *err) {
    cursor c = {g->base, g->base, g->base + g->size, g->path, err};
    uint32_t magic;
    nuri_status st;
    if (g->size == 0) return nuri_fail(err, NURI_ERR_FORMAT, "%s: file is empty", g->path);
    if (g->size < 4 && memcmp(g->base, "GGUF", g->size) == 0)
        return nuri_fail(err, NURI_ERR_FORMAT, "%s: truncated file: %zu bytes", g->path, g->size);
    if (g->size < 4 || memcmp(g->base, "GGUF", 4) != 0)
        return nuri_fail(err, NURI_ERR_FORMAT, "%s: not a GGUF file (bad magic)", g->path);
    if ((st = read_u32(&c, &magic, "magic")) || (st = read_u32(&c, &g->version, "version"))) return st;
    if (g->version != 2 && g->version != 3)
        return nuri_fail(err, NURI_ERR_UNSUPPORTED, "%s: GGUF version %u is not supported (2 and 3 are)",
                         g->path, g->version);
    if ((st = read_u64(&c, &g->n_tensors, "tensor count")) || (st = read_u64(&c, &g->n_kv, "key count")))
        return st;
    /* A key/value takes at least 12 bytes and a tensor info at least 28: absurd counts fail
     * here, before any allocation sized by them. */
    if (g->n_kv > remaining(&c) / 12)
        return nuri_fail(err, NURI_ERR_FORMAT,
                         "%s: key count %" PRIu64 " cannot fit in the %zu bytes left (absurd count or truncated file)",
                         g->path, g->n_kv, remaining(&c));
    if (g->n_tensors > remaining(&c) / 28)
        return nuri_fail(err, NURI_ERR_FORMAT,
                         "%s: tensor count %" PRIu64 " cannot fit in the %zu bytes left (absurd count or truncated file)",
                         g->path, g->n_tensors, remaining(&c));
    g->kvs = calloc(g->n_kv ? g->n_kv : 1, sizeof *g->kvs);
    g->tensors = calloc(g->n_tensors ? g->n_tensors : 1, sizeof *g->tensors);
    if (!g->kvs || !g->tensors) return nuri_fail(err, NURI_ERR_NOMEM, "%s: out of memory", g->path);
    g->alignment = 32;
    shown name;
    const nuri_str *dup;
    for (uint64_t i = 0; i < g->n_kv; i++)
        if ((st = read_kv(&c, &g->kvs[i], i))) return st;
    if (find_duplicate(&g->kvs[0].key, sizeof *g->kvs, g->n_kv, &dup))
        return nuri_fail(err, NURI_ERR_NOMEM, "%s: out of memory", g->path);
    if (dup) return nuri_fail(err, NURI_ERR_FORMAT, "%s: duplicate key '%s'", g->path, show(*dup, &name));
    for (uint64_t i = 0; i < g->n_kv; i++) {
        if (nuri_str_eq(g->kvs[i].key, "general.alignment")) {
            if (g->kvs[i].type != NURI_GGUF_UINT32 || g->kvs[i].v.u == 0 ||
                (g->kvs[i].v.u & (g->kvs[i].v.u - 1)) != 0)
                return nuri_fail(err, NURI_ERR_FORMAT,
                                 "%s: general.alignment must be a u32 power of two", g->path);
            g->alignment = g->kvs[i].v.u;
        }
    }
    for (uint64_t i = 0; i < g->n_tensors; i++)
        if ((st = read_tensor_info(&c, &g->tensors[i], i))) return st;
    uint64_t pos = (uint64_t)(c.p - g->base);
    uint64_t data = (pos + g->alignment - 1) / g->alignment * g->alignment;
    if (g->n_tensors > 0 && data > g->size)
        return nuri_fail(err, NURI_ERR_FORMAT, "%s: truncated file: the tensor data section is missing",
                         g->path);
    g->data_offset = data;
    uint64_t data_size = g->size > data ? g->size - data : 0;
    for (uint64_t i = 0; i < g->n_tensors; i++) {
        nuri_gguf_tensor *t = &g->tensors[i];
        if (t->offset % g->alignment != 0)
            return nuri_fail(err, NURI_ERR_FORMAT, "%s: tensor '%s' offset %" PRIu64 " is not aligned to %" PRIu64,
                             g->path, show(t->name, &name), t->offset, g->alignment);
        if (t->offset > data_size || t->nbytes > data_size - t->offset)
            return nuri_fail(err, NURI_ERR_FORMAT,
                             "%s: tensor '%s' (%" PRIu64 " bytes at offset %" PRIu64 ") extends past the end of the file (truncated?)",
                             g->path, show(t->name, &name), t->nbytes, t->offset);
        t->data = g->base + data + t->offset;
    }
    if (find_duplicate(&g->tensors[0].name, sizeof *g->tensors, g->n_tensors, &dup))
        return nuri_fail(err, NURI_ERR_NOMEM, "%s: out of memory", g->path);
    if (dup) return nuri_fail(err, NURI_ERR_FORMAT, "%s: duplicate tensor '%s'", g->path, show(*dup, &name));
    return NURI_OK;
}

static nuri_status open_common(nuri_gguf *g, nuri_gguf **out, nuri_error *err) {
    nuri_status st = parse(g, err);
    if (st) {
        nuri_gguf_close(g);
        return st;
    }
    *out = g;
    return NURI_OK;
}

nuri_status nuri_gguf_open(const char *path, nuri_gguf **out, nuri_error *err) {
    *out = NULL;
    nuri_gguf *g = calloc(1, sizeof *g);
    if (!g || !(g->path = strdup(path))) {
        free(g);
        return nuri_fail(err, NURI_ERR_NOMEM, "%s: out of memory", path);
    }
    nuri_status st = nuri_map_file(path, &g->map, err);
    if (st) {
        nuri_gguf_close(g);
        return st;
    }
    g->base = g->map.data;
    g->size = g->map.size;
    return open_common(g, out, err);
}

nuri_status nuri_gguf_open_buffer(const void *buf, size_t size, const char *name, nuri_gguf **out,
                                  nuri_error *err) {
    *out = NULL;
    nuri_gguf *g = calloc(1, sizeof *g);
    if (!g || !(g->path = strdup(name ? name : "(buffer)"))) {
        free(g);
        return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    }
    g->base = buf;
    g->size = size;
    return open_common(g, out, err);
}

void nuri_gguf_close(nuri_gguf *g) {
    if (!g) return;
    if (g->kvs)
        for (uint64_t i = 0; i < g->n_kv; i++) free((void *)g->kvs[i].strs);
    free(g->kvs);
    free(g->tensors);
    nuri_unmap_file(&g->map);
    free(g->path);
    free(g);
}

const char *nuri_gguf_path(const nuri_gguf *g) { return g->path; }
uint32_t nuri_gguf_version(const nuri_gguf *g) { return g->version; }
uint64_t nuri_gguf_alignment(const nuri_gguf *g) { return g->alignment; }
uint64_t nuri_gguf_file_size(const nuri_gguf *g) { return g->size; }
uint64_t nuri_gguf_kv_count(const nuri_gguf *g) { return g->n_kv; }
uint64_t nuri_gguf_tensor_count(const nuri_gguf *g) { return g->n_tensors; }

const nuri_gguf_kv *nuri_gguf_kv_at(const nuri_gguf *g, uint64_t i) {
    return i < g->n_kv ? &g->kvs[i] : NULL;
}

const nuri_gguf_tensor *nuri_gguf_tensor_at(const nuri_gguf *g, uint64_t i) {
    return i < g->n_tensors ? &g->tensors[i] : NULL;
}

const nuri_gguf_kv *nuri_gguf_find(const nuri_gguf *g, const char *key) {
    for (uint64_t i = 0; i < g->n_kv; i++)
        if (nuri_str_eq(g->kvs[i].key, key)) return &g->kvs[i];
    return NULL;
}

const nuri_gguf_tensor *nuri_gguf_find_tensor(const nuri_gguf *g, const char *name) {
    for (uint64_t i = 0; i < g->n_tensors; i++)
        if (nuri_str_eq(g->tensors[i].name, name)) return &g->tensors[i];
    return NULL;
}
