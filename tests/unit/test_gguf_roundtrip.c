/* GGUF writer -> file -> reader: every value type, arrays of every element type, string
 * arrays, tensors of several types and shapes, alignments 32, 64 and 1; the writer's
 * argument checks and its all-or-nothing saves. */
#include <stdint.h>
#include <unistd.h>

#include "nuri/gguf.h"
#include "test.h"

static char dir[64];

/* Paths in dir; each call has its own slot so that a few can be held at once. */
static const char *tmp(const char *name) {
    static char paths[4][128];
    static int next;
    char *p = paths[next++ % 4];
    snprintf(p, 128, "%s/%s", dir, name);
    return p;
}

static const int64_t ne_q8[2] = {64, 3};  /* 2 Q8_0 blocks a row */
static const int64_t ne_q4k[3] = {256, 2, 2};
static const int64_t ne_q6k[4] = {512, 1, 2, 1};
static const int64_t ne_f32[1] = {5};
static const int64_t ne_f16[2] = {3, 7};
static const int64_t ne_bf16[1] = {1};
static const int64_t ne_empty[2] = {4, 0};

static uint8_t *pattern(size_t n, unsigned seed) {
    uint8_t *p = malloc(n ? n : 1);
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(i * 131 + seed * 17 + (i >> 8));
    return p;
}

typedef struct {
    const char *name;
    nuri_type type;
    uint32_t n_dims;
    const int64_t *ne;
    size_t nbytes;
} tspec;

static const tspec tensors[] = {
    {"blk.0.q8", NURI_TYPE_Q8_0, 2, ne_q8, 2 * 34 * 3},
    {"blk.0.q4k", NURI_TYPE_Q4_K, 3, ne_q4k, 144 * 4},
    {"blk.0.q6k", NURI_TYPE_Q6_K, 4, ne_q6k, 210 * 2 * 2},
    {"f32", NURI_TYPE_F32, 1, ne_f32, 20},
    {"f16", NURI_TYPE_F16, 2, ne_f16, 42},
    {"bf16", NURI_TYPE_BF16, 1, ne_bf16, 2},
    {"empty", NURI_TYPE_F32, 2, ne_empty, 0},
};
#define N_TENSORS (sizeof tensors / sizeof tensors[0])

/* One array per element type, with values at the edges of each type's range. */
static const uint8_t a_u8[] = {0, 1, 255};
static const int8_t a_i8[] = {-128, 0, 127};
static const uint16_t a_u16[] = {0, 65535};
static const int16_t a_i16[] = {-32768, 32767, -1};
static const uint32_t a_u32[] = {0, 4294967295u, 7};
static const int32_t a_i32[] = {INT32_MIN, INT32_MAX};
static const float a_f32[] = {0.5f, -1e30f, 3.25f};
static const uint8_t a_bool[] = {1, 0, 1, 1};
static const uint64_t a_u64[] = {UINT64_MAX, 0};
static const int64_t a_i64[] = {INT64_MIN, INT64_MAX, -3};
static const double a_f64[] = {-0.125, 1e300};

static const struct {
    const char *key;
    nuri_gguf_vtype type;
    const void *data;
    uint64_t n;
} arrays[] = {
    {"a.u8", NURI_GGUF_UINT8, a_u8, 3},      {"a.i8", NURI_GGUF_INT8, a_i8, 3},
    {"a.u16", NURI_GGUF_UINT16, a_u16, 2},   {"a.i16", NURI_GGUF_INT16, a_i16, 3},
    {"a.u32", NURI_GGUF_UINT32, a_u32, 3},   {"a.i32", NURI_GGUF_INT32, a_i32, 2},
    {"a.f32", NURI_GGUF_FLOAT32, a_f32, 3},  {"a.bool", NURI_GGUF_BOOL, a_bool, 4},
    {"a.u64", NURI_GGUF_UINT64, a_u64, 2},   {"a.i64", NURI_GGUF_INT64, a_i64, 3},
    {"a.f64", NURI_GGUF_FLOAT64, a_f64, 2},  {"a.empty", NURI_GGUF_INT32, NULL, 0},
};
#define N_ARRAYS (sizeof arrays / sizeof arrays[0])

static const char *const strs[] = {"", "hello", "\xed\x95\x9c\xea\xb8\x80", "a\0b"};
static const uint64_t str_lens[] = {0, 5, 6, 3};

static nuri_gguf_writer *make_writer(void) {
    nuri_gguf_writer *w = nuri_gguf_writer_new();
    nuri_error err;
    CHECK(w != NULL);
    CHECK(nuri_gguf_set_str(w, "general.architecture", "llama") == NURI_OK);
    CHECK(nuri_gguf_set_u32(w, "s.u32", 4000000000u) == NURI_OK);
    CHECK(nuri_gguf_set_i32(w, "s.i32", -7) == NURI_OK);
    CHECK(nuri_gguf_set_u64(w, "s.u64", UINT64_MAX - 1) == NURI_OK);
    CHECK(nuri_gguf_set_f32(w, "s.f32", 1.0f / 3.0f) == NURI_OK);
    CHECK(nuri_gguf_set_bool(w, "s.bool", true) == NURI_OK);
    CHECK(nuri_gguf_set_str(w, "s.str", "") == NURI_OK);
    /* Every scalar type through set_raw. */
    uint8_t u8 = 200;
    int8_t i8 = -100;
    uint16_t u16 = 65000;
    int16_t i16 = -32000;
    int64_t i64 = INT64_MIN;
    double f64 = -1.5e-300;
    CHECK(nuri_gguf_set_raw(w, "r.u8", NURI_GGUF_UINT8, &u8) == NURI_OK);
    CHECK(nuri_gguf_set_raw(w, "r.i8", NURI_GGUF_INT8, &i8) == NURI_OK);
    CHECK(nuri_gguf_set_raw(w, "r.u16", NURI_GGUF_UINT16, &u16) == NURI_OK);
    CHECK(nuri_gguf_set_raw(w, "r.i16", NURI_GGUF_INT16, &i16) == NURI_OK);
    CHECK(nuri_gguf_set_raw(w, "r.i64", NURI_GGUF_INT64, &i64) == NURI_OK);
    CHECK(nuri_gguf_set_raw(w, "r.f64", NURI_GGUF_FLOAT64, &f64) == NURI_OK);
    CHECK(nuri_gguf_set_raw(w, "r.bad", NURI_GGUF_STRING, &u8) == NURI_ERR_INVALID_ARG);
    CHECK(nuri_gguf_set_raw(w, "r.bad", NURI_GGUF_ARRAY, &u8) == NURI_ERR_INVALID_ARG);
    for (size_t i = 0; i < N_ARRAYS; i++)
        CHECK(nuri_gguf_set_arr(w, arrays[i].key, arrays[i].type, arrays[i].n, arrays[i].data) == NURI_OK);
    CHECK(nuri_gguf_set_arr(w, "a.bad", NURI_GGUF_STRING, 1, strs) == NURI_ERR_INVALID_ARG);
    CHECK(nuri_gguf_set_arr_str(w, "a.str", 4, strs, str_lens) == NURI_OK);
    CHECK(nuri_gguf_set_arr_str(w, "a.str0", 0, NULL, NULL) == NURI_OK);
    /* Setting a key again replaces the value in place. */
    CHECK(nuri_gguf_set_u32(w, "s.replaced", 1) == NURI_OK);
    CHECK(nuri_gguf_set_str(w, "s.replaced", "second") == NURI_OK);
    for (size_t i = 0; i < N_TENSORS; i++) {
        uint8_t *d = pattern(tensors[i].nbytes, (unsigned)i);
        CHECK_OK(nuri_gguf_add_tensor(w, tensors[i].name, tensors[i].type, tensors[i].n_dims,
                                      tensors[i].ne, d, &err), &err);
        free(d);
    }
    return w;
}

static void check_values(const nuri_gguf *g, uint64_t alignment, const uint8_t *base) {
    nuri_error err;
    nuri_str s;
    CHECK(nuri_gguf_version(g) == 3);
    CHECK(nuri_gguf_alignment(g) == alignment);
    /* 7 set_*, 6 set_raw, the arrays, 2 string arrays, s.replaced, general.alignment if not 32. */
    CHECK(nuri_gguf_kv_count(g) == 7 + 6 + N_ARRAYS + 2 + 1 + (alignment != 32));
    CHECK(nuri_gguf_get_str(g, "general.architecture", &s, &err) == NURI_OK && nuri_str_eq(s, "llama"));
    const nuri_gguf_kv *kv = nuri_gguf_kv_at(g, 0);
    CHECK(kv && nuri_str_eq(kv->key, "general.architecture") && kv->type == NURI_GGUF_STRING);
    CHECK((kv = nuri_gguf_find(g, "s.u32")) && kv->type == NURI_GGUF_UINT32 && kv->v.u == 4000000000u);
    CHECK((kv = nuri_gguf_find(g, "s.i32")) && kv->type == NURI_GGUF_INT32 && kv->v.i == -7);
    CHECK((kv = nuri_gguf_find(g, "s.u64")) && kv->type == NURI_GGUF_UINT64 && kv->v.u == UINT64_MAX - 1);
    CHECK((kv = nuri_gguf_find(g, "s.f32")) && kv->type == NURI_GGUF_FLOAT32 && kv->v.f == (double)(1.0f / 3.0f));
    CHECK((kv = nuri_gguf_find(g, "s.bool")) && kv->type == NURI_GGUF_BOOL && kv->v.u == 1);
    CHECK((kv = nuri_gguf_find(g, "s.str")) && kv->type == NURI_GGUF_STRING && kv->v.s.len == 0);
    CHECK((kv = nuri_gguf_find(g, "r.u8")) && kv->type == NURI_GGUF_UINT8 && kv->v.u == 200);
    CHECK((kv = nuri_gguf_find(g, "r.i8")) && kv->type == NURI_GGUF_INT8 && kv->v.i == -100);
    CHECK((kv = nuri_gguf_find(g, "r.u16")) && kv->type == NURI_GGUF_UINT16 && kv->v.u == 65000);
    CHECK((kv = nuri_gguf_find(g, "r.i16")) && kv->type == NURI_GGUF_INT16 && kv->v.i == -32000);
    CHECK((kv = nuri_gguf_find(g, "r.i64")) && kv->type == NURI_GGUF_INT64 && kv->v.i == INT64_MIN);
    CHECK((kv = nuri_gguf_find(g, "r.f64")) && kv->type == NURI_GGUF_FLOAT64 && kv->v.f == -1.5e-300);
    CHECK(nuri_gguf_find(g, "r.bad") == NULL && nuri_gguf_find(g, "a.bad") == NULL);
    CHECK((kv = nuri_gguf_find(g, "s.replaced")) && kv->type == NURI_GGUF_STRING &&
          nuri_str_eq(kv->v.s, "second"));
    for (size_t i = 0; i < N_ARRAYS; i++) {
        kv = nuri_gguf_find(g, arrays[i].key);
        CHECKF(kv && kv->type == NURI_GGUF_ARRAY && kv->arr_type == arrays[i].type &&
                   kv->arr_len == arrays[i].n,
               "%s", arrays[i].key);
        if (!kv || !arrays[i].n) continue;
        size_t esz = (size_t)(arrays[i].type == NURI_GGUF_UINT8 || arrays[i].type == NURI_GGUF_INT8 ||
                              arrays[i].type == NURI_GGUF_BOOL ? 1
                          : arrays[i].type == NURI_GGUF_UINT16 || arrays[i].type == NURI_GGUF_INT16 ? 2
                          : arrays[i].type == NURI_GGUF_UINT32 || arrays[i].type == NURI_GGUF_INT32 ||
                                  arrays[i].type == NURI_GGUF_FLOAT32 ? 4 : 8);
        CHECKF(memcmp(kv->arr_data, arrays[i].data, esz * arrays[i].n) == 0, "%s bytes", arrays[i].key);
    }
    CHECK((kv = nuri_gguf_find(g, "a.i8")) && nuri_gguf_arr_int(kv, 0) == -128 && nuri_gguf_arr_int(kv, 2) == 127);
    CHECK((kv = nuri_gguf_find(g, "a.u32")) && nuri_gguf_arr_int(kv, 1) == 4294967295ll);
    CHECK((kv = nuri_gguf_find(g, "a.i64")) && nuri_gguf_arr_int(kv, 0) == INT64_MIN);
    CHECK((kv = nuri_gguf_find(g, "a.f32")) && nuri_gguf_arr_float(kv, 1) == (double)-1e30f);
    CHECK((kv = nuri_gguf_find(g, "a.f64")) && nuri_gguf_arr_float(kv, 1) == 1e300);
    CHECK((kv = nuri_gguf_find(g, "a.str")) && kv->arr_type == NURI_GGUF_STRING && kv->arr_len == 4);
    if (kv && kv->arr_len == 4)
        for (int i = 0; i < 4; i++)
            CHECKF(kv->strs[i].len == str_lens[i] && !memcmp(kv->strs[i].ptr, strs[i], str_lens[i]), "a.str[%d]", i);
    CHECK((kv = nuri_gguf_find(g, "a.str0")) && kv->arr_type == NURI_GGUF_STRING && kv->arr_len == 0);

    CHECK(nuri_gguf_tensor_count(g) == N_TENSORS);
    for (size_t i = 0; i < N_TENSORS; i++) {
        const nuri_gguf_tensor *t = nuri_gguf_tensor_at(g, i);
        CHECK(t && t == nuri_gguf_find_tensor(g, tensors[i].name));
        if (!t) continue;
        CHECKF(nuri_str_eq(t->name, tensors[i].name) && t->type == tensors[i].type &&
                   t->n_dims == tensors[i].n_dims && t->nbytes == tensors[i].nbytes,
               "tensor %s", tensors[i].name);
        for (int d = 0; d < NURI_MAX_DIMS; d++)
            CHECK(t->ne[d] == (d < (int)tensors[i].n_dims ? tensors[i].ne[d] : 1));
        CHECKF(t->offset % alignment == 0 && ((const uint8_t *)t->data - base) % alignment == 0,
               "tensor %s aligned to %llu", tensors[i].name, (unsigned long long)alignment);
        uint8_t *want = pattern(tensors[i].nbytes, (unsigned)i);
        CHECKF(memcmp(t->data, want, tensors[i].nbytes) == 0, "tensor %s data", tensors[i].name);
        free(want);
    }
    CHECK(nuri_gguf_find_tensor(g, "blk.0") == NULL && nuri_gguf_tensor_at(g, N_TENSORS) == NULL);
    CHECK(nuri_gguf_kv_at(g, nuri_gguf_kv_count(g)) == NULL);
}

static void round_trip(uint32_t alignment) {
    nuri_error err;
    char name[32];
    snprintf(name, sizeof name, "rt%u.gguf", alignment);
    const char *path = tmp(name);
    nuri_gguf_writer *w = make_writer();
    CHECK_OK(nuri_gguf_writer_save(w, path, alignment, &err), &err);
    nuri_gguf_writer_free(w);
    uint64_t want_align = alignment ? alignment : 32;
    nuri_gguf *g = NULL;
    CHECK_OK(nuri_gguf_open(path, &g, &err), &err);
    if (!g) return;
    /* The data pointers of a mapped file are checked against its own bytes. */
    size_t len;
    uint8_t *bytes = (uint8_t *)test_read_file(path, &len);
    CHECK(bytes && nuri_gguf_file_size(g) == len);
    CHECK(strcmp(nuri_gguf_path(g), path) == 0);
    const uint8_t *base = (const uint8_t *)nuri_gguf_tensor_at(g, 0)->data - nuri_gguf_tensor_at(g, 0)->offset;
    check_values(g, want_align, base);
    /* The same bytes through the buffer API read the same. */
    nuri_gguf *b = NULL;
    CHECK_OK(nuri_gguf_open_buffer(bytes, len, "mem", &b, &err), &err);
    if (b) {
        CHECK(strcmp(nuri_gguf_path(b), "mem") == 0);
        check_values(b, want_align, (const uint8_t *)nuri_gguf_tensor_at(b, 0)->data - nuri_gguf_tensor_at(b, 0)->offset);
        CHECK((const uint8_t *)nuri_gguf_tensor_at(b, 0)->data >= bytes);
    }
    /* Copying every kv and tensor into a new writer gives back the same file. */
    nuri_gguf_writer *c = nuri_gguf_writer_new();
    for (uint64_t i = 0; i < nuri_gguf_kv_count(g); i++)
        CHECK(nuri_gguf_set_kv(c, nuri_gguf_kv_at(g, i)) == NURI_OK);
    for (uint64_t i = 0; i < nuri_gguf_tensor_count(g); i++) {
        const nuri_gguf_tensor *t = nuri_gguf_tensor_at(g, i);
        char tn[64];
        snprintf(tn, sizeof tn, "%.*s", (int)t->name.len, t->name.ptr);
        CHECK_OK(nuri_gguf_add_tensor(c, tn, t->type, t->n_dims, t->ne, t->data, &err), &err);
    }
    const char *copy = tmp("copy.gguf");
    /* Alignment 0 takes the copied general.alignment, so the layout is the same. */
    CHECK_OK(nuri_gguf_writer_save(c, copy, 0, &err), &err);
    nuri_gguf_writer_free(c);
    size_t clen;
    char *cbytes = test_read_file(copy, &clen);
    CHECKF(cbytes && clen == len && memcmp(cbytes, bytes, len) == 0, "copy at alignment %u is identical", alignment);
    free(cbytes);
    unlink(copy);
    nuri_gguf_close(b);
    nuri_gguf_close(g);
    free(bytes);
    unlink(path);
}

/* A general.alignment copied from a 64-aligned file, saved with another explicit
 * alignment: key and layout must still agree. */
static void alignment_key_follows_layout(void) {
    nuri_error err;
    nuri_gguf_writer *w = nuri_gguf_writer_new();
    float x[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    int64_t ne = 8;
    CHECK(nuri_gguf_set_u32(w, "general.alignment", 64) == NURI_OK);
    CHECK_OK(nuri_gguf_add_tensor(w, "a", NURI_TYPE_F32, 1, &ne, x, &err), &err);
    CHECK_OK(nuri_gguf_add_tensor(w, "b", NURI_TYPE_F32, 1, &ne, x, &err), &err);
    const char *path = tmp("align.gguf");
    CHECK_OK(nuri_gguf_writer_save(w, path, 32, &err), &err);
    nuri_gguf *g = NULL;
    CHECK_OK(nuri_gguf_open(path, &g, &err), &err);
    if (g) {
        CHECK(nuri_gguf_alignment(g) == 32);
        CHECK(nuri_gguf_tensor_at(g, 1)->offset == 32);
        CHECK(memcmp(nuri_gguf_tensor_at(g, 1)->data, x, sizeof x) == 0);
        nuri_gguf_close(g);
    }
    CHECK_OK(nuri_gguf_writer_save(w, path, 0, &err), &err); /* the key now says 32 */
    CHECK_OK(nuri_gguf_open(path, &g, &err), &err);
    if (g) {
        CHECK(nuri_gguf_alignment(g) == 32);
        nuri_gguf_close(g);
    }
    nuri_gguf_writer_free(w);
    unlink(path);
}

static void writer_errors(void) {
    nuri_error err;
    nuri_gguf_writer *w = nuri_gguf_writer_new();
    uint8_t d[1024] = {0};
    int64_t ne[5] = {32, 2, 1, 1, 1};
    CHECK(nuri_gguf_add_tensor(w, "t", (nuri_type)4, 1, ne, d, &err) == NURI_ERR_INVALID_ARG);
    CHECK(strstr(err.msg, "'t'") && strstr(err.msg, "unknown type"));
    CHECK(nuri_gguf_add_tensor(w, "t", (nuri_type)NURI_TYPE_COUNT, 1, ne, d, &err) == NURI_ERR_INVALID_ARG);
    CHECK(nuri_gguf_add_tensor(w, "t", NURI_TYPE_F32, 0, ne, d, &err) == NURI_ERR_INVALID_ARG);
    CHECK(nuri_gguf_add_tensor(w, "t", NURI_TYPE_F32, 5, ne, d, &err) == NURI_ERR_INVALID_ARG);
    int64_t odd[2] = {16, 2};
    CHECK(nuri_gguf_add_tensor(w, "t", NURI_TYPE_Q8_0, 2, odd, d, &err) == NURI_ERR_INVALID_ARG);
    CHECK(strstr(err.msg, "Q8_0") != NULL);
    int64_t neg[2] = {4, -1};
    CHECK(nuri_gguf_add_tensor(w, "t", NURI_TYPE_F32, 2, neg, d, &err) == NURI_ERR_INVALID_ARG);
    CHECK(strstr(err.msg, "negative") != NULL);
    int64_t huge[3] = {4, INT64_C(1) << 40, INT64_C(1) << 40};
    CHECK(nuri_gguf_add_tensor(w, "t", NURI_TYPE_F32, 3, huge, d, &err) == NURI_ERR_INVALID_ARG);
    CHECK(strstr(err.msg, "overflows") != NULL);
    /* A huge row is fine beside a zero dimension (no bytes), an overflow otherwise. */
    int64_t wide[2] = {INT64_C(1) << 62, 1};
    CHECK(nuri_gguf_add_tensor(w, "t", NURI_TYPE_F32, 2, wide, d, &err) == NURI_ERR_INVALID_ARG);
    CHECK(strstr(err.msg, "overflows") != NULL);
    CHECK(nuri_type_row_size(NURI_TYPE_F32, INT64_C(1) << 62) == 0);
    wide[1] = 0;
    CHECK_OK(nuri_gguf_add_tensor(w, "wide", NURI_TYPE_F32, 2, wide, NULL, &err), &err);
    CHECK_OK(nuri_gguf_add_tensor(w, "t", NURI_TYPE_Q8_0, 2, ne, d, &err), &err);
    CHECK(nuri_gguf_add_tensor(w, "t", NURI_TYPE_F32, 1, ne, d, &err) == NURI_ERR_INVALID_ARG);
    CHECK(strstr(err.msg, "twice") != NULL);

    /* A failed save leaves neither the target nor a temporary file behind. */
    const char *path = tmp("never.gguf");
    CHECK(nuri_gguf_writer_save(w, path, 48, &err) == NURI_ERR_INVALID_ARG);
    CHECK(strstr(err.msg, path) && strstr(err.msg, "power of two"));
    CHECK(access(path, F_OK) != 0);
    char missing[160];
    snprintf(missing, sizeof missing, "%s/no/such/dir.gguf", dir);
    CHECK(nuri_gguf_writer_save(w, missing, 0, &err) == NURI_ERR_IO);
    CHECK(strstr(err.msg, missing) != NULL);

    /* Saving over an existing file replaces it whole. */
    FILE *f = fopen(path, "wb");
    fputs("old contents, longer than nothing at all", f);
    fclose(f);
    nuri_gguf_writer *e = nuri_gguf_writer_new();
    CHECK_OK(nuri_gguf_writer_save(e, path, 0, &err), &err);
    size_t len;
    char *b = test_read_file(path, &len);
    CHECK(b && len == 24 && !memcmp(b, "GGUF\3\0\0\0", 8)); /* header only: no kvs, no tensors */
    free(b);
    nuri_gguf *g = NULL;
    CHECK_OK(nuri_gguf_open(path, &g, &err), &err);
    CHECK(g && nuri_gguf_kv_count(g) == 0 && nuri_gguf_tensor_count(g) == 0);
    nuri_gguf_close(g);
    nuri_gguf_writer_free(e);
    nuri_gguf_writer_free(w);
    unlink(path);
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/nuri-test-gguf-XXXXXX");
    if (!mkdtemp(dir)) return test_skip("cannot create a temporary directory");
    round_trip(0);
    round_trip(32);
    round_trip(64);
    round_trip(1);
    alignment_key_follows_layout();
    writer_errors();
    /* Only our own files were left in dir; a leftover temporary would make rmdir fail. */
    CHECK(rmdir(dir) == 0);
    return test_done("test_gguf_roundtrip");
}
