/* Small vocabularies written as GGUF files for the tokenizer unit tests. */
#ifndef NURI_TEST_TOK_COMMON_H
#define NURI_TEST_TOK_COMMON_H

#include <stdint.h>
#include <unistd.h>

#include "nuri/gguf.h"
#include "nuri/tokenizer.h"
#include "test.h"

typedef struct {
    const char *model, *pre;    /* NULL: key absent */
    const char *const *tokens;  /* NULL-terminated */
    const int32_t *types;       /* NULL: key absent */
    uint64_t n_types;
    const float *scores;        /* NULL: key absent */
    uint64_t n_scores;
    const char *const *merges;  /* NULL: key absent */
    bool types_as_float;        /* write token_type with the wrong element type */
    int32_t eos;                /* -1: key absent */
} tok_spec;

static inline char *tok_tmpdir(void) {
    static char dir[64];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/nuri_tok_XXXXXX");
        if (!mkdtemp(dir)) return NULL;
    }
    return dir;
}

/* Writes spec to a GGUF file and loads it; returns the load status (err filled). */
static inline nuri_status tok_build(const tok_spec *spec, nuri_tokenizer **out, nuri_error *err) {
    *out = NULL;
    char path[128];
    snprintf(path, sizeof path, "%s/vocab.gguf", tok_tmpdir());
    nuri_gguf_writer *w = nuri_gguf_writer_new();
    nuri_gguf_set_str(w, "general.architecture", "llama");
    if (spec->model) nuri_gguf_set_str(w, "tokenizer.ggml.model", spec->model);
    if (spec->pre) nuri_gguf_set_str(w, "tokenizer.ggml.pre", spec->pre);
    uint64_t n = 0;
    while (spec->tokens && spec->tokens[n]) n++;
    if (spec->tokens) nuri_gguf_set_arr_str(w, "tokenizer.ggml.tokens", n, spec->tokens, NULL);
    if (spec->types) {
        if (spec->types_as_float) {
            float *f = malloc(spec->n_types * sizeof *f + 1);
            for (uint64_t i = 0; i < spec->n_types; i++) f[i] = (float)spec->types[i];
            nuri_gguf_set_arr(w, "tokenizer.ggml.token_type", NURI_GGUF_FLOAT32, spec->n_types, f);
            free(f);
        } else {
            nuri_gguf_set_arr(w, "tokenizer.ggml.token_type", NURI_GGUF_INT32, spec->n_types, spec->types);
        }
    }
    if (spec->scores) nuri_gguf_set_arr(w, "tokenizer.ggml.scores", NURI_GGUF_FLOAT32, spec->n_scores, spec->scores);
    if (spec->merges) {
        uint64_t m = 0;
        while (spec->merges[m]) m++;
        nuri_gguf_set_arr_str(w, "tokenizer.ggml.merges", m, spec->merges, NULL);
    }
    if (spec->eos >= 0) nuri_gguf_set_u32(w, "tokenizer.ggml.eos_token_id", (uint32_t)spec->eos);
    nuri_status st = nuri_gguf_writer_save(w, path, 0, err);
    nuri_gguf_writer_free(w);
    if (st != NURI_OK) return st;
    nuri_gguf *g;
    st = nuri_gguf_open(path, &g, err);
    if (st != NURI_OK) return st;
    st = nuri_tokenizer_load(g, out, err);
    nuri_gguf_close(g);
    unlink(path);
    return st;
}

static inline void tok_tmpdir_remove(void) {
    if (tok_tmpdir()) rmdir(tok_tmpdir());
}

#endif
