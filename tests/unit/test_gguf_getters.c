/* Typed metadata getters: which stored types convert to which requested type, the
 * range checks, and the errors (status, file and key in the message). */
#include <unistd.h>

#include "nuri/gguf.h"
#include "test.h"

static nuri_gguf *open_fixture(const char *path) {
    nuri_gguf_writer *w = nuri_gguf_writer_new();
    uint8_t u8 = 250;
    int8_t i8 = -3;
    uint16_t u16 = 40000;
    int16_t i16 = 1234;
    int64_t i64 = -5, big64 = INT64_MAX;
    double f64 = 2.5;
    nuri_gguf_set_raw(w, "u8", NURI_GGUF_UINT8, &u8);
    nuri_gguf_set_raw(w, "i8", NURI_GGUF_INT8, &i8);
    nuri_gguf_set_raw(w, "u16", NURI_GGUF_UINT16, &u16);
    nuri_gguf_set_raw(w, "i16", NURI_GGUF_INT16, &i16);
    nuri_gguf_set_u32(w, "u32", 4000000000u);
    nuri_gguf_set_i32(w, "i32", -70000);
    nuri_gguf_set_i32(w, "i32pos", 70000);
    nuri_gguf_set_u64(w, "u64big", UINT64_MAX);
    nuri_gguf_set_u64(w, "u64small", 12);
    nuri_gguf_set_raw(w, "i64", NURI_GGUF_INT64, &i64);
    nuri_gguf_set_raw(w, "i64max", NURI_GGUF_INT64, &big64);
    nuri_gguf_set_f32(w, "f32", -0.75f);
    nuri_gguf_set_raw(w, "f64", NURI_GGUF_FLOAT64, &f64);
    nuri_gguf_set_bool(w, "bool", true);
    nuri_gguf_set_str(w, "str", "text");
    int32_t ai[3] = {-1, 0, 9};
    float af[4] = {1.5f, NAN, INFINITY, -1e30f};
    double ad[3] = {-INFINITY, 1e19, -2.75};
    nuri_gguf_set_arr(w, "arr.i32", NURI_GGUF_INT32, 3, ai);
    nuri_gguf_set_arr(w, "arr.f32", NURI_GGUF_FLOAT32, 4, af);
    nuri_gguf_set_arr(w, "arr.f64", NURI_GGUF_FLOAT64, 3, ad);
    const char *s[2] = {"x", "yz"};
    nuri_gguf_set_arr_str(w, "arr.str", 2, s, NULL);
    nuri_error err;
    nuri_gguf *g = NULL;
    CHECK_OK(nuri_gguf_writer_save(w, path, 0, &err), &err);
    nuri_gguf_writer_free(w);
    CHECK_OK(nuri_gguf_open(path, &g, &err), &err);
    return g;
}

/* The error names the file and the key, on one line. */
static int names(const nuri_error *err, const char *path, const char *key) {
    return strncmp(err->msg, path, strlen(path)) == 0 && strstr(err->msg, key) != NULL &&
           strchr(err->msg, '\n') == NULL;
}

int main(void) {
    char path[64];
    snprintf(path, sizeof path, "/tmp/nuri-test-getters-%d.gguf", (int)getpid());
    nuri_gguf *g = open_fixture(path);
    unlink(path);
    if (!g) return test_done("test_gguf_getters");
    nuri_error err;
    uint32_t u32;
    uint64_t u64;
    int64_t i64;
    float f;
    bool b;
    nuri_str s;
    const nuri_gguf_kv *kv;

    /* Integers convert between widths and signedness when the value fits. */
    CHECK(nuri_gguf_get_u32(g, "u8", &u32, &err) == NURI_OK && u32 == 250);
    CHECK(nuri_gguf_get_u32(g, "u16", &u32, &err) == NURI_OK && u32 == 40000);
    CHECK(nuri_gguf_get_u32(g, "i16", &u32, &err) == NURI_OK && u32 == 1234);
    CHECK(nuri_gguf_get_u32(g, "u32", &u32, &err) == NURI_OK && u32 == 4000000000u);
    CHECK(nuri_gguf_get_u32(g, "i32pos", &u32, &err) == NURI_OK && u32 == 70000);
    CHECK(nuri_gguf_get_u32(g, "u64small", &u32, &err) == NURI_OK && u32 == 12);
    CHECK(nuri_gguf_get_u64(g, "u64big", &u64, &err) == NURI_OK && u64 == UINT64_MAX);
    CHECK(nuri_gguf_get_u64(g, "i64max", &u64, &err) == NURI_OK && u64 == (uint64_t)INT64_MAX);
    CHECK(nuri_gguf_get_i64(g, "i8", &i64, &err) == NURI_OK && i64 == -3);
    CHECK(nuri_gguf_get_i64(g, "i32", &i64, &err) == NURI_OK && i64 == -70000);
    CHECK(nuri_gguf_get_i64(g, "u32", &i64, &err) == NURI_OK && i64 == 4000000000ll);
    CHECK(nuri_gguf_get_i64(g, "i64", &i64, &err) == NURI_OK && i64 == -5);

    /* Values that do not fit fail with a format error naming the file and key, and leave
     * the output alone. */
    u32 = 77;
    CHECK(nuri_gguf_get_u32(g, "u64big", &u32, &err) == NURI_ERR_FORMAT && u32 == 77);
    CHECK(err.status == NURI_ERR_FORMAT && names(&err, path, "'u64big'") && strstr(err.msg, "32 bits"));
    CHECK(nuri_gguf_get_u32(g, "i8", &u32, &err) == NURI_ERR_FORMAT && names(&err, path, "'i8'"));
    CHECK(nuri_gguf_get_u64(g, "i32", &u64, &err) == NURI_ERR_FORMAT && names(&err, path, "'i32'"));
    CHECK(strstr(err.msg, "i32") && strstr(err.msg, "non-negative"));
    i64 = 5;
    CHECK(nuri_gguf_get_i64(g, "u64big", &i64, &err) == NURI_ERR_FORMAT && i64 == 5);
    CHECK(names(&err, path, "'u64big'"));

    /* Integers never come from floats, bools or strings. */
    CHECK(nuri_gguf_get_u32(g, "f32", &u32, &err) == NURI_ERR_FORMAT && names(&err, path, "'f32'"));
    CHECK(strstr(err.msg, "is f32") != NULL);
    CHECK(nuri_gguf_get_i64(g, "bool", &i64, &err) == NURI_ERR_FORMAT && names(&err, path, "'bool'"));
    CHECK(nuri_gguf_get_u64(g, "bool", &u64, &err) == NURI_ERR_FORMAT);
    CHECK(nuri_gguf_get_u64(g, "str", &u64, &err) == NURI_ERR_FORMAT && strstr(err.msg, "is str"));
    CHECK(nuri_gguf_get_i64(g, "arr.i32", &i64, &err) == NURI_ERR_FORMAT && strstr(err.msg, "is arr"));

    /* Floats from float32/64 and from integers; not from bools or strings. */
    CHECK(nuri_gguf_get_f32(g, "f32", &f, &err) == NURI_OK && f == -0.75f);
    CHECK(nuri_gguf_get_f32(g, "f64", &f, &err) == NURI_OK && f == 2.5f);
    CHECK(nuri_gguf_get_f32(g, "i32", &f, &err) == NURI_OK && f == -70000.0f);
    CHECK(nuri_gguf_get_f32(g, "u16", &f, &err) == NURI_OK && f == 40000.0f);
    CHECK(nuri_gguf_get_f32(g, "bool", &f, &err) == NURI_ERR_FORMAT && names(&err, path, "'bool'"));
    CHECK(nuri_gguf_get_f32(g, "str", &f, &err) == NURI_ERR_FORMAT && strstr(err.msg, "a number"));

    /* Bools and strings only from their own type. */
    CHECK(nuri_gguf_get_bool(g, "bool", &b, &err) == NURI_OK && b);
    CHECK(nuri_gguf_get_bool(g, "u8", &b, &err) == NURI_ERR_FORMAT && names(&err, path, "'u8'"));
    CHECK(nuri_gguf_get_str(g, "str", &s, &err) == NURI_OK && nuri_str_eq(s, "text"));
    CHECK(!nuri_str_eq(s, "tex") && !nuri_str_eq(s, "texts") && !nuri_str_eq(s, ""));
    CHECK(nuri_gguf_get_str(g, "u32", &s, &err) == NURI_ERR_FORMAT && strstr(err.msg, "a string"));
    CHECK(nuri_gguf_get_str(g, "arr.str", &s, &err) == NURI_ERR_FORMAT);

    /* Arrays: any element type, or exactly the one asked for. */
    CHECK(nuri_gguf_get_arr(g, "arr.i32", NURI_GGUF_VTYPE_COUNT, &kv, &err) == NURI_OK && kv->arr_len == 3);
    CHECK(nuri_gguf_get_arr(g, "arr.i32", NURI_GGUF_INT32, &kv, &err) == NURI_OK);
    CHECK(nuri_gguf_get_arr(g, "arr.i32", NURI_GGUF_UINT32, &kv, &err) == NURI_ERR_FORMAT);
    CHECK(names(&err, path, "'arr.i32'") && strstr(err.msg, "array of i32, expected u32"));
    CHECK(nuri_gguf_get_arr(g, "arr.str", NURI_GGUF_STRING, &kv, &err) == NURI_OK && kv->arr_len == 2 &&
          nuri_str_eq(kv->strs[1], "yz"));
    CHECK(nuri_gguf_get_arr(g, "u32", NURI_GGUF_VTYPE_COUNT, &kv, &err) == NURI_ERR_FORMAT &&
          strstr(err.msg, "an array"));

    /* Elements as int64 and double; floats saturate instead of overflowing. */
    CHECK(nuri_gguf_get_arr(g, "arr.i32", NURI_GGUF_INT32, &kv, &err) == NURI_OK);
    CHECK(nuri_gguf_arr_int(kv, 0) == -1 && nuri_gguf_arr_int(kv, 2) == 9 && nuri_gguf_arr_float(kv, 0) == -1.0);
    CHECK(nuri_gguf_get_arr(g, "arr.f32", NURI_GGUF_FLOAT32, &kv, &err) == NURI_OK);
    CHECK(nuri_gguf_arr_float(kv, 0) == 1.5 && isnan(nuri_gguf_arr_float(kv, 1)) &&
          isinf(nuri_gguf_arr_float(kv, 2)));
    CHECK(nuri_gguf_arr_int(kv, 0) == 1 && nuri_gguf_arr_int(kv, 1) == 0);
    CHECK(nuri_gguf_arr_int(kv, 2) == INT64_MAX && nuri_gguf_arr_int(kv, 3) == INT64_MIN);
    CHECK(nuri_gguf_get_arr(g, "arr.f64", NURI_GGUF_FLOAT64, &kv, &err) == NURI_OK);
    CHECK(nuri_gguf_arr_int(kv, 0) == INT64_MIN && nuri_gguf_arr_int(kv, 1) == INT64_MAX &&
          nuri_gguf_arr_int(kv, 2) == -2);
    CHECK(nuri_gguf_arr_float(kv, 2) == -2.75);

    /* A missing key: NOT_FOUND, with the message only when err is given. */
    CHECK(nuri_gguf_get_u32(g, "nope", &u32, &err) == NURI_ERR_NOT_FOUND);
    CHECK(err.status == NURI_ERR_NOT_FOUND && names(&err, path, "'nope'") && strstr(err.msg, "missing key"));
    CHECK(nuri_gguf_get_u32(g, "nope", &u32, NULL) == NURI_ERR_NOT_FOUND);
    CHECK(nuri_gguf_get_u64(g, "nope", &u64, NULL) == NURI_ERR_NOT_FOUND);
    CHECK(nuri_gguf_get_i64(g, "nope", &i64, NULL) == NURI_ERR_NOT_FOUND);
    CHECK(nuri_gguf_get_f32(g, "nope", &f, NULL) == NURI_ERR_NOT_FOUND);
    CHECK(nuri_gguf_get_bool(g, "nope", &b, NULL) == NURI_ERR_NOT_FOUND);
    CHECK(nuri_gguf_get_str(g, "nope", &s, NULL) == NURI_ERR_NOT_FOUND);
    CHECK(nuri_gguf_get_arr(g, "nope", NURI_GGUF_VTYPE_COUNT, &kv, NULL) == NURI_ERR_NOT_FOUND);
    CHECK(nuri_gguf_find(g, "u3") == NULL && nuri_gguf_find(g, "u32x") == NULL);
    CHECK(nuri_gguf_get_bool(g, "str", &b, NULL) == NURI_ERR_FORMAT); /* no err: still the status */

    CHECK(strcmp(nuri_gguf_vtype_name(NURI_GGUF_FLOAT64), "f64") == 0);
    CHECK(strcmp(nuri_gguf_vtype_name(NURI_GGUF_UINT8), "u8") == 0);
    CHECK(strcmp(nuri_gguf_vtype_name(NURI_GGUF_VTYPE_COUNT), "?") == 0);
    CHECK(strcmp(nuri_gguf_vtype_name((nuri_gguf_vtype)-1), "?") == 0);
    nuri_gguf_close(g);
    nuri_gguf_close(NULL);
    return test_done("test_gguf_getters");
}
