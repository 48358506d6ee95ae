/* nuri: GGUF files, read over mmap (v2 and v3) and written atomically.
 *
 * The reader validates the whole header before returning: magic, version, counts,
 * string and array lengths, value types, tensor types, shapes, offsets and sizes,
 * with overflow checks. Every pointer it hands out points into the mapping and lives
 * as long as the nuri_gguf. */
#ifndef NURI_GGUF_H
#define NURI_GGUF_H

#include "nuri/base.h"
#include "nuri/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    NURI_GGUF_UINT8 = 0,
    NURI_GGUF_INT8 = 1,
    NURI_GGUF_UINT16 = 2,
    NURI_GGUF_INT16 = 3,
    NURI_GGUF_UINT32 = 4,
    NURI_GGUF_INT32 = 5,
    NURI_GGUF_FLOAT32 = 6,
    NURI_GGUF_BOOL = 7,
    NURI_GGUF_STRING = 8,
    NURI_GGUF_ARRAY = 9,
    NURI_GGUF_UINT64 = 10,
    NURI_GGUF_INT64 = 11,
    NURI_GGUF_FLOAT64 = 12,
    NURI_GGUF_VTYPE_COUNT
} nuri_gguf_vtype;

/* A string inside the file: not NUL-terminated. */
typedef struct {
    const char *ptr;
    uint64_t len;
} nuri_str;

typedef struct {
    nuri_str key;
    nuri_gguf_vtype type;
    /* Scalars: the value widened (integers in u/i by signedness, floats in f, bool in u). */
    union {
        uint64_t u;
        int64_t i;
        double f;
        nuri_str s;
    } v;
    /* Arrays (type == NURI_GGUF_ARRAY): element type, count and the raw little-endian
     * elements; string arrays are also indexed in strs (arr_len entries). */
    nuri_gguf_vtype arr_type;
    uint64_t arr_len;
    const void *arr_data;
    const nuri_str *strs;
} nuri_gguf_kv;

#define NURI_MAX_DIMS 4

typedef struct {
    nuri_str name;
    uint32_t n_dims;
    int64_t ne[NURI_MAX_DIMS]; /* GGUF order: ne[0] varies fastest; unused dims are 1 */
    nuri_type type;
    uint64_t offset; /* from the start of the data section */
    uint64_t nbytes;
    const void *data;
} nuri_gguf_tensor;

typedef struct nuri_gguf nuri_gguf;

/* Maps and validates path. On failure *out is NULL and err names path and the problem. */
nuri_status nuri_gguf_open(const char *path, nuri_gguf **out, nuri_error *err);
/* Same over a caller's buffer, which must outlive the result (fuzzing, tests). */
nuri_status nuri_gguf_open_buffer(const void *buf, size_t size, const char *name,
                                  nuri_gguf **out, nuri_error *err);
void nuri_gguf_close(nuri_gguf *g);

const char *nuri_gguf_path(const nuri_gguf *g);
uint32_t nuri_gguf_version(const nuri_gguf *g);
uint64_t nuri_gguf_alignment(const nuri_gguf *g);
uint64_t nuri_gguf_file_size(const nuri_gguf *g);

uint64_t nuri_gguf_kv_count(const nuri_gguf *g);
const nuri_gguf_kv *nuri_gguf_kv_at(const nuri_gguf *g, uint64_t i);
const nuri_gguf_kv *nuri_gguf_find(const nuri_gguf *g, const char *key);

/* Typed getters. They return NURI_ERR_NOT_FOUND when the key is absent (err filled
 * only when err is not NULL) and NURI_ERR_FORMAT on a type that cannot convert
 * (any integer type converts to another if the value fits; floats from float32/64). */
nuri_status nuri_gguf_get_u32(const nuri_gguf *g, const char *key, uint32_t *out, nuri_error *err);
nuri_status nuri_gguf_get_u64(const nuri_gguf *g, const char *key, uint64_t *out, nuri_error *err);
nuri_status nuri_gguf_get_i64(const nuri_gguf *g, const char *key, int64_t *out, nuri_error *err);
nuri_status nuri_gguf_get_f32(const nuri_gguf *g, const char *key, float *out, nuri_error *err);
nuri_status nuri_gguf_get_bool(const nuri_gguf *g, const char *key, bool *out, nuri_error *err);
nuri_status nuri_gguf_get_str(const nuri_gguf *g, const char *key, nuri_str *out, nuri_error *err);
/* An array of arr_type (any element type when arr_type is NURI_GGUF_VTYPE_COUNT). */
nuri_status nuri_gguf_get_arr(const nuri_gguf *g, const char *key, nuri_gguf_vtype arr_type,
                              const nuri_gguf_kv **out, nuri_error *err);
/* Integer array element i as int64 / float element as double (no bounds errors: i < arr_len). */
int64_t nuri_gguf_arr_int(const nuri_gguf_kv *kv, uint64_t i);
double nuri_gguf_arr_float(const nuri_gguf_kv *kv, uint64_t i);

uint64_t nuri_gguf_tensor_count(const nuri_gguf *g);
const nuri_gguf_tensor *nuri_gguf_tensor_at(const nuri_gguf *g, uint64_t i);
const nuri_gguf_tensor *nuri_gguf_find_tensor(const nuri_gguf *g, const char *name);

const char *nuri_gguf_vtype_name(nuri_gguf_vtype t);
/* Compares a nuri_str with a C string. */
bool nuri_str_eq(nuri_str s, const char *c);

/* ---- writer ---- */
typedef struct nuri_gguf_writer nuri_gguf_writer;

nuri_gguf_writer *nuri_gguf_writer_new(void);
void nuri_gguf_writer_free(nuri_gguf_writer *w);
/* Setting a key twice replaces its value. Values are copied. */
nuri_status nuri_gguf_set_u32(nuri_gguf_writer *w, const char *key, uint32_t v);
nuri_status nuri_gguf_set_i32(nuri_gguf_writer *w, const char *key, int32_t v);
nuri_status nuri_gguf_set_u64(nuri_gguf_writer *w, const char *key, uint64_t v);
nuri_status nuri_gguf_set_f32(nuri_gguf_writer *w, const char *key, float v);
nuri_status nuri_gguf_set_bool(nuri_gguf_writer *w, const char *key, bool v);
nuri_status nuri_gguf_set_str(nuri_gguf_writer *w, const char *key, const char *v);
/* Scalar of any type from raw little-endian bytes (for copying kvs between files). */
nuri_status nuri_gguf_set_raw(nuri_gguf_writer *w, const char *key, nuri_gguf_vtype type,
                              const void *v);
/* Array of fixed-size elements (not strings): n elements of elem_type at data. */
nuri_status nuri_gguf_set_arr(nuri_gguf_writer *w, const char *key, nuri_gguf_vtype elem_type,
                              uint64_t n, const void *data);
nuri_status nuri_gguf_set_arr_str(nuri_gguf_writer *w, const char *key, uint64_t n,
                                  const char *const *strs, const uint64_t *lens /* NULL: strlen */);
/* Copies a reader's key/value (any type, arrays included). */
nuri_status nuri_gguf_set_kv(nuri_gguf_writer *w, const nuri_gguf_kv *kv);
/* Adds a tensor; data (nbytes = nuri_type_row_size(type, ne0) * rows) is copied. */
nuri_status nuri_gguf_add_tensor(nuri_gguf_writer *w, const char *name, nuri_type type,
                                 uint32_t n_dims, const int64_t *ne, const void *data,
                                 nuri_error *err);
/* Writes version 3 with the given alignment (0: 32) to a temporary file beside path,
 * fsyncs and renames it over path, so a crash never leaves a partial file. */
nuri_status nuri_gguf_writer_save(nuri_gguf_writer *w, const char *path, uint32_t alignment,
                                  nuri_error *err);

#ifdef __cplusplus
}
#endif
#endif
