/* Corrupt GGUF input: a small valid file is built byte by byte here (independently of
 * nuri's writer), then broken one field at a time, in memory and on disk. Each must fail
 * with the right status and a one-line message naming the file and the problem; every
 * prefix of a valid file must fail too. ASan (NURI_SANITIZE) turns any stray read into
 * a failure, which is why each buffer is an exact-size heap copy. */
#include <stdint.h>
#include <unistd.h>

#include "nuri/gguf.h"
#include "test.h"

typedef struct {
    uint8_t b[4096];
    size_t n;
} bytes;

static size_t put(bytes *f, const void *p, size_t n) {
    size_t at = f->n;
    memcpy(f->b + f->n, p, n);
    f->n += n;
    return at;
}
static size_t put32(bytes *f, uint32_t v) { return put(f, &v, 4); }
static size_t put64(bytes *f, uint64_t v) { return put(f, &v, 8); }
static size_t putstr(bytes *f, const char *s) {
    size_t at = put64(f, strlen(s));
    put(f, s, strlen(s));
    return at;
}
static void pad(bytes *f, size_t a) {
    while (f->n % a) f->b[f->n++] = 0;
}
static void set32(bytes *f, size_t at, uint32_t v) { memcpy(f->b + at, &v, 4); }
static void set64(bytes *f, size_t at, uint64_t v) { memcpy(f->b + at, &v, 8); }

/* Where the fields that the cases break live. */
typedef struct {
    size_t version, n_tensors, n_kv;
    size_t key0_len, str_type, str_len, arr_elem_type, arr_len, strs_len, strs_item_len;
    size_t key_aaa, key_bbb, align_value;
    size_t t0_name, t0_ndims, t0_ne[2], t0_type, t0_offset;
    size_t t1_name, t1_offset;
} layout;

/* align_type: 0 for no general.alignment key, else its value type (normally u32). */
static void build(bytes *f, layout *l, uint32_t align_type, uint64_t align) {
    uint64_t a = align_type ? align : 32;
    memset(f, 0, sizeof *f);
    put(f, "GGUF", 4);
    l->version = put32(f, 3);
    l->n_tensors = put64(f, 2);
    l->n_kv = put64(f, align_type ? 6 : 5);
    l->key0_len = putstr(f, "general.architecture");
    l->str_type = put32(f, NURI_GGUF_STRING);
    l->str_len = putstr(f, "llama");
    putstr(f, "test.arr");
    put32(f, NURI_GGUF_ARRAY);
    l->arr_elem_type = put32(f, NURI_GGUF_INT32);
    l->arr_len = put64(f, 3);
    int32_t v[3] = {1, -2, 3};
    put(f, v, sizeof v);
    putstr(f, "test.strs");
    put32(f, NURI_GGUF_ARRAY);
    put32(f, NURI_GGUF_STRING);
    l->strs_len = put64(f, 2);
    l->strs_item_len = putstr(f, "ab");
    putstr(f, "");
    l->key_aaa = putstr(f, "test.aaa") + 8;
    put32(f, NURI_GGUF_UINT8);
    put(f, "\7", 1);
    l->key_bbb = putstr(f, "test.bbb") + 8;
    put32(f, NURI_GGUF_FLOAT32);
    float half = 0.5f;
    put(f, &half, 4);
    if (align_type) {
        putstr(f, "general.alignment");
        put32(f, align_type);
        l->align_value = f->n;
        if (align_type == NURI_GGUF_UINT64) put64(f, align);
        else put32(f, (uint32_t)align);
    }
    /* ta: Q8_0 [32, 2] = 2 blocks of 34 bytes; tb: F32 [4] after ta, aligned. */
    l->t0_name = putstr(f, "ta") + 8;
    l->t0_ndims = put32(f, 2);
    l->t0_ne[0] = put64(f, 32);
    l->t0_ne[1] = put64(f, 2);
    l->t0_type = put32(f, NURI_TYPE_Q8_0);
    l->t0_offset = put64(f, 0);
    l->t1_name = putstr(f, "tb") + 8;
    put32(f, 1);
    put64(f, 4);
    put32(f, NURI_TYPE_F32);
    l->t1_offset = put64(f, (68 + a - 1) / a * a);
    pad(f, a);
    for (int i = 0; i < 68; i++) f->b[f->n++] = (uint8_t)i;
    pad(f, a);
    float x[4] = {1, 2, 3, 4};
    put(f, x, sizeof x); /* the file ends with tb: no trailing padding */
}

/* Opens an exact-size heap copy of the first n bytes of f. */
static nuri_status open_n(const bytes *f, size_t n, nuri_error *err) {
    uint8_t *copy = malloc(n ? n : 1);
    memcpy(copy, f->b, n);
    nuri_gguf *g = (nuri_gguf *)1;
    memset(err, 0, sizeof *err);
    nuri_status st = nuri_gguf_open_buffer(copy, n, "bad.gguf", &g, err);
    if (st == NURI_OK) nuri_gguf_close(g);
    else CHECK(g == NULL && err->status == st);
    free(copy);
    return st;
}

static int one_line(const char *msg) { return strchr(msg, '\n') == NULL && strchr(msg, '\r') == NULL; }

/* The case must fail with status want and a message starting with the file name and
 * holding each of the (up to two) words. */
static void expect(const char *what, const bytes *f, nuri_status want, const char *w1, const char *w2) {
    nuri_error err;
    nuri_status st = open_n(f, f->n, &err);
    CHECKF(st == want, "%s: status %d, want %d (%s)", what, (int)st, (int)want, err.msg);
    CHECKF(strncmp(err.msg, "bad.gguf: ", 10) == 0 && one_line(err.msg), "%s: message '%s'", what, err.msg);
    CHECKF(strstr(err.msg, w1) && (!w2 || strstr(err.msg, w2)), "%s: message '%s' lacks '%s' '%s'", what,
           err.msg, w1, w2 ? w2 : "");
}

#define CASE(name, edit, want, w1, w2)                                                   \
    do {                                                                                 \
        bytes f;                                                                         \
        layout l;                                                                        \
        build(&f, &l, NURI_GGUF_UINT32, 32);                                             \
        edit;                                                                            \
        expect(name, &f, want, w1, w2);                                                  \
    } while (0)

static void valid_file(void) {
    for (uint32_t a = 0; a <= 64; a = a ? a * 2 : 1) {
        bytes f;
        layout l;
        build(&f, &l, a ? NURI_GGUF_UINT32 : 0, a);
        nuri_gguf *g = NULL;
        nuri_error err;
        CHECK_OK(nuri_gguf_open_buffer(f.b, f.n, "good.gguf", &g, &err), &err);
        if (!g) continue;
        CHECK(nuri_gguf_alignment(g) == (a ? a : 32));
        const nuri_gguf_tensor *ta = nuri_gguf_find_tensor(g, "ta"), *tb = nuri_gguf_find_tensor(g, "tb");
        CHECK(ta && ta->nbytes == 68 && ((const uint8_t *)ta->data)[67] == 67);
        float x3 = 0;
        if (tb) memcpy(&x3, (const uint8_t *)tb->data + 12, 4); /* alignment 1: may be unaligned */
        CHECK(tb && tb->nbytes == 16 && x3 == 4.0f);
        CHECK(tb && (const uint8_t *)tb->data + 16 == f.b + f.n);
        const nuri_gguf_kv *kv = nuri_gguf_find(g, "test.strs");
        CHECK(kv && kv->arr_len == 2 && nuri_str_eq(kv->strs[0], "ab") && kv->strs[1].len == 0);
        nuri_gguf_close(g);
    }
}

static void broken_fields(void) {
    const nuri_status F = NURI_ERR_FORMAT;
    CASE("magic GGML", memcpy(f.b, "GGML", 4), F, "bad magic", NULL);
    CASE("magic lowercase", memcpy(f.b, "gguf", 4), F, "bad magic", NULL);
    CASE("magic zero", memset(f.b, 0, 4), F, "bad magic", NULL);
    CASE("version 1", set32(&f, l.version, 1), NURI_ERR_UNSUPPORTED, "version 1", NULL);
    CASE("version 4", set32(&f, l.version, 4), NURI_ERR_UNSUPPORTED, "version 4", NULL);
    CASE("version big-endian", set32(&f, l.version, 0x03000000), NURI_ERR_UNSUPPORTED, "version", NULL);
    CASE("absurd kv count", set64(&f, l.n_kv, UINT64_C(1) << 60), F, "key count 1152921504606846976 cannot fit", NULL);
    CASE("max kv count", set64(&f, l.n_kv, UINT64_MAX), F, "key count", "absurd count");
    CASE("kv count + 1", set64(&f, l.n_kv, 7), F, "tensor info 0", NULL); /* "ta" read as key 6 */
    CASE("absurd tensor count", set64(&f, l.n_tensors, UINT64_C(1) << 62), F, "tensor count 4611686018427387904 cannot fit", "absurd");
    CASE("tensor count + 1", set64(&f, l.n_tensors, 3), F, "tensor", NULL);
    CASE("absurd key length", set64(&f, l.key0_len, UINT64_MAX), F, "key 0", "length 18446744073709551615");
    CASE("key length past end", set64(&f, l.key0_len, f.n), F, "key 0", "bytes remain");
    CASE("absurd string length", set64(&f, l.str_len, UINT64_C(1) << 63), F, "key 0", "length");
    CASE("absurd array length", set64(&f, l.arr_len, UINT64_C(1) << 62), F, "'test.arr'", "exceeds the file");
    CASE("max array length", set64(&f, l.arr_len, UINT64_MAX), F, "'test.arr'", "exceeds the file");
    CASE("array length past end", set64(&f, l.arr_len, f.n / 4), F, "'test.arr'", "exceeds the file");
    CASE("absurd string array", set64(&f, l.strs_len, UINT64_C(1) << 61), F, "'test.strs'", "strings exceeds");
    CASE("absurd string in array", set64(&f, l.strs_item_len, UINT64_MAX - 3), F, "key 2", "length");
    CASE("unknown value type", set32(&f, l.str_type, 13), F, "'general.architecture'", "unknown value type 13");
    CASE("huge value type", set32(&f, l.str_type, UINT32_MAX), F, "unknown value type", NULL);
    CASE("nested array", set32(&f, l.arr_elem_type, NURI_GGUF_ARRAY), F, "'test.arr'", "element type 9");
    CASE("unknown element type", set32(&f, l.arr_elem_type, 99), F, "'test.arr'", "element type 99");
    CASE("duplicate key", memcpy(f.b + l.key_bbb, "test.aaa", 8), F, "duplicate key 'test.aaa'", NULL);
    CASE("n_dims 0", set32(&f, l.t0_ndims, 0), F, "'ta'", "0 dimensions");
    CASE("n_dims 5", set32(&f, l.t0_ndims, 5), F, "'ta'", "5 dimensions");
    CASE("dim over int64", set64(&f, l.t0_ne[1], UINT64_C(1) << 63), F, "'ta'", "absurd size");
    CASE("dims overflow", (set64(&f, l.t0_ne[0], UINT64_C(1) << 32), set64(&f, l.t0_ne[1], UINT64_C(1) << 32)),
         F, "'ta'", "overflows");
    CASE("dims huge", set64(&f, l.t0_ne[1], UINT64_C(1) << 40), F, "'ta'", "past the end");
    CASE("row not whole blocks", set64(&f, l.t0_ne[0], 48), F, "'ta'", "not a multiple of the Q8_0 block size 32");
    CASE("unknown tensor type 4", set32(&f, l.t0_type, 4), F, "'ta'", "unknown type 4");
    CASE("unknown tensor type 40", set32(&f, l.t0_type, NURI_TYPE_COUNT), F, "'ta'", "unknown type 40");
    CASE("unknown tensor type max", set32(&f, l.t0_type, UINT32_MAX), F, "'ta'", "unknown type");
    CASE("misaligned offset", set64(&f, l.t1_offset, 97), F, "'tb'", "not aligned to 32");
    CASE("offset past end", set64(&f, l.t1_offset, 1 << 20), F, "'tb'", "past the end");
    CASE("offset wraps", set64(&f, l.t1_offset, UINT64_MAX - 31), F, "'tb'", "past the end");
    CASE("data overlaps end", set64(&f, l.t1_offset, 128), F, "'tb'", "past the end");
    CASE("duplicate tensor", memcpy(f.b + l.t1_name, "ta", 2), F, "duplicate tensor 'ta'", NULL);
    CASE("alignment 0", set32(&f, l.align_value, 0), F, "general.alignment", NULL);
    CASE("alignment 48", set32(&f, l.align_value, 48), F, "general.alignment", "power of two");
    CASE("alignment 2^31+1", set32(&f, l.align_value, 0x80000001u), F, "general.alignment", NULL);
    /* Names with control bytes are escaped: still one line. */
    CASE("newline in name", (memcpy(f.b + l.t0_name, "\n\r", 2), set32(&f, l.t0_type, 99)), F,
         "'\\x0a\\x0d'", "unknown type 99");

    bytes f;
    layout l;
    build(&f, &l, NURI_GGUF_UINT64, 32);
    expect("alignment as u64", &f, NURI_ERR_FORMAT, "general.alignment", "u32");
    build(&f, &l, NURI_GGUF_UINT32, 64); /* valid at 64; 32-aligned offsets are not */
    set64(&f, l.t1_offset, 96);
    expect("offset aligned to 32 not 64", &f, NURI_ERR_FORMAT, "'tb'", "not aligned to 64");
    build(&f, &l, NURI_GGUF_UINT32, 64);
    set32(&f, l.align_value, 1u << 31); /* valid, but the data section would start past the end */
    expect("alignment 2^31", &f, NURI_ERR_FORMAT, "truncated", "data section");
}

/* Every proper prefix of a valid file is an error, never a crash. */
static void truncations(void) {
    bytes f;
    layout l;
    build(&f, &l, NURI_GGUF_UINT32, 32);
    int bad = 0;
    for (size_t n = 0; n < f.n; n++) {
        nuri_error err;
        nuri_status st = open_n(&f, n, &err);
        int ok = st == NURI_ERR_FORMAT && strncmp(err.msg, "bad.gguf: ", 10) == 0 && one_line(err.msg) &&
                 (n < 4 ? strstr(err.msg, "truncated") || strstr(err.msg, "empty")
                        : strstr(err.msg, "truncated") || strstr(err.msg, "exceeds the file") ||
                              strstr(err.msg, "bytes remain") || strstr(err.msg, "absurd"));
        if (!ok && bad++ < 5) fprintf(stderr, "cut at %zu: status %d: %s\n", n, (int)st, err.msg);
    }
    CHECKF(bad == 0, "%d of %zu cut points misreported", bad, f.n);
    nuri_error err;
    CHECK(open_n(&f, f.n, &err) == NURI_OK);
}

/* The same through nuri_gguf_open on real files: the path is what the message names. */
static void on_disk(void) {
    char dir[] = "/tmp/nuri-test-corrupt-XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(!"mkdtemp");
        return;
    }
    char path[128];
    snprintf(path, sizeof path, "%s/cut.gguf", dir);
    bytes f;
    layout l;
    build(&f, &l, NURI_GGUF_UINT32, 32);
    int bad = 0;
    for (size_t n = 0; n <= f.n; n++) {
        FILE *o = fopen(path, "wb");
        fwrite(f.b, 1, n, o);
        fclose(o);
        nuri_gguf *g = NULL;
        nuri_error err;
        nuri_status st = nuri_gguf_open(path, &g, &err);
        if (n == f.n) {
            CHECK_OK(st, &err);
            nuri_gguf_close(g);
        } else if (st != NURI_ERR_FORMAT || g || strncmp(err.msg, path, strlen(path)) || !one_line(err.msg)) {
            if (bad++ < 5) fprintf(stderr, "on disk, cut at %zu: status %d: %s\n", n, (int)st, err.msg);
        }
    }
    CHECK(bad == 0);
    set32(&f, l.t0_type, 31); /* a type id that ggml retired */
    FILE *o = fopen(path, "wb");
    fwrite(f.b, 1, f.n, o);
    fclose(o);
    nuri_gguf *g = NULL;
    nuri_error err;
    CHECK(nuri_gguf_open(path, &g, &err) == NURI_ERR_FORMAT && g == NULL);
    CHECK(strncmp(err.msg, path, strlen(path)) == 0 && strstr(err.msg, "unknown type 31"));
    unlink(path);
    CHECK(nuri_gguf_open(path, &g, &err) == NURI_ERR_IO && strstr(err.msg, path) && strstr(err.msg, "cannot open"));
    CHECK(nuri_gguf_open(dir, &g, &err) == NURI_ERR_IO && strstr(err.msg, "not a regular file"));
    CHECK(rmdir(dir) == 0);
}

int main(void) {
    valid_file();
    broken_fields();
    truncations();
    on_disk();
    return test_done("test_gguf_corrupt");
}
