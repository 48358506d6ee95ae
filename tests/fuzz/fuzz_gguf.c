/* Fuzz target for the GGUF reader (and, on inputs it accepts, the writer).
 *
 * Any input must either open or fail with a one-line message naming the file; an
 * accepted file must hand out only in-bounds data, so every key, array element,
 * string and tensor byte is touched here (ASan catches any stray pointer). Accepted
 * files are then written back with the writer and re-read: the copy must hold the same
 * values. Broken invariants abort(), which the fuzzer reports as a crash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nuri/gguf.h"

#define NAME "fuzz.gguf"

static void require(int cond, const char *what) {
    if (!cond) {
        fprintf(stderr, "fuzz_gguf: invariant broken: %s\n", what);
        abort();
    }
}

/* A volatile sink keeps the compiler from dropping the reads that ASan checks. */
static volatile uint64_t sink;

static void touch(const void *p, uint64_t n) {
    const uint8_t *b = p;
    uint64_t h = 0;
    for (uint64_t i = 0; i < n; i++) h = h * 31 + b[i];
    sink += h;
}

static int has_nul(nuri_str s) { return s.len && memchr(s.ptr, 0, s.len) != NULL; }

static void walk_getters(const nuri_gguf *g, const char *key) {
    uint32_t u32;
    uint64_t u64;
    int64_t i64;
    float f;
    bool b;
    nuri_str s;
    const nuri_gguf_kv *arr;
    nuri_error err;
    if (!nuri_gguf_get_u32(g, key, &u32, &err)) sink += u32;
    if (!nuri_gguf_get_u64(g, key, &u64, &err)) sink += u64;
    if (!nuri_gguf_get_i64(g, key, &i64, NULL)) sink += (uint64_t)i64;
    if (!nuri_gguf_get_f32(g, key, &f, &err)) sink += f == f;
    if (!nuri_gguf_get_bool(g, key, &b, &err)) sink += b;
    if (!nuri_gguf_get_str(g, key, &s, &err)) touch(s.ptr, s.len);
    if (!nuri_gguf_get_arr(g, key, NURI_GGUF_VTYPE_COUNT, &arr, &err)) sink += arr->arr_len;
    if (!nuri_gguf_get_arr(g, key, NURI_GGUF_INT32, &arr, &err)) sink += arr->arr_len;
}

static void walk(const nuri_gguf *g, const uint8_t *data, size_t size) {
    uint64_t align = nuri_gguf_alignment(g);
    require(align && !(align & (align - 1)), "alignment is a power of two");
    require(nuri_gguf_file_size(g) == size, "file size");
    for (uint64_t i = 0; i < nuri_gguf_kv_count(g); i++) {
        const nuri_gguf_kv *kv = nuri_gguf_kv_at(g, i);
        touch(kv->key.ptr, kv->key.len);
        if (kv->type == NURI_GGUF_STRING) touch(kv->v.s.ptr, kv->v.s.len);
        if (kv->type == NURI_GGUF_ARRAY) {
            for (uint64_t j = 0; j < kv->arr_len; j++) {
                if (kv->arr_type == NURI_GGUF_STRING) {
                    touch(kv->strs[j].ptr, kv->strs[j].len);
                } else {
                    sink += (uint64_t)nuri_gguf_arr_int(kv, j);
                    double d = nuri_gguf_arr_float(kv, j);
                    sink += d == d;
                }
            }
        }
        sink += (uintptr_t)nuri_gguf_vtype_name(kv->type);
        if (kv->key.len < 256 && !has_nul(kv->key)) {
            char key[256];
            memcpy(key, kv->key.ptr, kv->key.len);
            key[kv->key.len] = 0;
            require(nuri_gguf_find(g, key) == kv, "find returns the key's first entry");
            walk_getters(g, key);
        }
    }
    walk_getters(g, "general.architecture");
    for (uint64_t i = 0; i < nuri_gguf_tensor_count(g); i++) {
        const nuri_gguf_tensor *t = nuri_gguf_tensor_at(g, i);
        const nuri_type_info *ti = nuri_type_get(t->type);
        require(ti != NULL, "tensor type known");
        require(t->n_dims >= 1 && t->n_dims <= NURI_MAX_DIMS, "n_dims in range");
        require((const uint8_t *)t->data >= data && t->nbytes <= size &&
                    (const uint8_t *)t->data - data <= (ptrdiff_t)(size - t->nbytes),
                "tensor data inside the file");
        require(t->offset % align == 0, "tensor offset aligned");
        touch(t->data, t->nbytes);
        touch(t->name.ptr, t->name.len);
        if (t->name.len < 256 && !has_nul(t->name)) {
            char name[256];
            memcpy(name, t->name.ptr, t->name.len);
            name[t->name.len] = 0;
            require(nuri_gguf_find_tensor(g, name) == t, "find_tensor returns the tensor");
        }
    }
}

static int names_plain(const nuri_gguf *g) {
    for (uint64_t i = 0; i < nuri_gguf_kv_count(g); i++)
        if (has_nul(nuri_gguf_kv_at(g, i)->key)) return 0;
    for (uint64_t i = 0; i < nuri_gguf_tensor_count(g); i++)
        if (has_nul(nuri_gguf_tensor_at(g, i)->name)) return 0;
    return 1;
}

static int same_kv(const nuri_gguf_kv *a, const nuri_gguf_kv *b) {
    if (a->key.len != b->key.len || memcmp(a->key.ptr, b->key.ptr, a->key.len) || a->type != b->type)
        return 0;
    switch (a->type) {
    case NURI_GGUF_STRING:
        return a->v.s.len == b->v.s.len && !memcmp(a->v.s.ptr, b->v.s.ptr, a->v.s.len);
    case NURI_GGUF_FLOAT32: case NURI_GGUF_FLOAT64:
        return a->v.f == b->v.f || (a->v.f != a->v.f && b->v.f != b->v.f);
    case NURI_GGUF_ARRAY:
        if (a->arr_type != b->arr_type || a->arr_len != b->arr_len) return 0;
        if (a->arr_type == NURI_GGUF_STRING) {
            for (uint64_t j = 0; j < a->arr_len; j++)
                if (a->strs[j].len != b->strs[j].len ||
                    memcmp(a->strs[j].ptr, b->strs[j].ptr, a->strs[j].len))
                    return 0;
            return 1;
        }
        for (uint64_t j = 0; j < a->arr_len; j++)
            if (nuri_gguf_arr_int(a, j) != nuri_gguf_arr_int(b, j)) return 0;
        return 1;
    default:
        return a->v.u == b->v.u;
    }
}

/* Writes g back with the writer and checks that the copy reads the same. */
static void rewrite(const nuri_gguf *g) {
    if (!names_plain(g)) return; /* the writer takes C strings */
    nuri_gguf_writer *w = nuri_gguf_writer_new();
    require(w != NULL, "writer allocated");
    nuri_error err;
    for (uint64_t i = 0; i < nuri_gguf_kv_count(g); i++)
        require(nuri_gguf_set_kv(w, nuri_gguf_kv_at(g, i)) == NURI_OK, "set_kv accepts a read kv");
    for (uint64_t i = 0; i < nuri_gguf_tensor_count(g); i++) {
        const nuri_gguf_tensor *t = nuri_gguf_tensor_at(g, i);
        char *name = strndup(t->name.ptr, t->name.len);
        require(name != NULL, "name copied");
        nuri_status st = nuri_gguf_add_tensor(w, name, t->type, t->n_dims, t->ne, t->data, &err);
        free(name);
        if (st != NURI_OK) {
            fprintf(stderr, "fuzz_gguf: add_tensor refused a read tensor: %s\n", err.msg);
            abort();
        }
    }
    char path[64];
    snprintf(path, sizeof path, "%s/nuri-fuzz-gguf-%d.gguf",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp", (int)getpid());
    require(nuri_gguf_writer_save(w, path, (uint32_t)nuri_gguf_alignment(g), &err) == NURI_OK,
            "writer saves");
    nuri_gguf_writer_free(w);
    nuri_gguf *c;
    if (nuri_gguf_open(path, &c, &err) != NURI_OK) {
        fprintf(stderr, "fuzz_gguf: rewritten file rejected: %s\n", err.msg);
        abort();
    }
    unlink(path);
    require(nuri_gguf_alignment(c) == nuri_gguf_alignment(g), "alignment kept");
    require(nuri_gguf_kv_count(c) == nuri_gguf_kv_count(g), "kv count kept");
    for (uint64_t i = 0; i < nuri_gguf_kv_count(g); i++)
        require(same_kv(nuri_gguf_kv_at(g, i), nuri_gguf_kv_at(c, i)), "kv kept");
    require(nuri_gguf_tensor_count(c) == nuri_gguf_tensor_count(g), "tensor count kept");
    for (uint64_t i = 0; i < nuri_gguf_tensor_count(g); i++) {
        const nuri_gguf_tensor *a = nuri_gguf_tensor_at(g, i), *b = nuri_gguf_tensor_at(c, i);
        require(a->type == b->type && a->n_dims == b->n_dims && a->nbytes == b->nbytes &&
                    !memcmp(a->ne, b->ne, sizeof a->ne) && a->name.len == b->name.len &&
                    !memcmp(a->name.ptr, b->name.ptr, a->name.len) &&
                    !memcmp(a->data, b->data, a->nbytes),
                "tensor kept");
    }
    nuri_gguf_close(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    nuri_gguf *g;
    nuri_error err;
    memset(&err, 0, sizeof err);
    nuri_status st = nuri_gguf_open_buffer(data, size, NAME, &g, &err);
    if (st != NURI_OK) {
        require(g == NULL, "no handle on failure");
        require(err.status == st, "error status filled");
        require(strncmp(err.msg, NAME ": ", strlen(NAME) + 2) == 0, "message names the file");
        require(strlen(err.msg) > strlen(NAME) + 2, "message names a problem");
        require(strchr(err.msg, '\n') == NULL && strchr(err.msg, '\r') == NULL, "message is one line");
        return 0;
    }
    walk(g, data, size);
    rewrite(g);
    nuri_gguf_close(g);
    return 0;
}
