/* Fuzz target for the tokenizers and detokenizers.
 *
 * The first byte picks what the rest is:
 * - bit 7 clear: text, tokenized by every tokenizer at hand (small ones built here, one
 *   per algorithm, and the real vocabularies of ../shared/vocab when present) with
 *   add_special = bit 0 and parse_special = bit 1; the ids must be in range and their
 *   detokenization, whole and streamed, valid UTF-8;
 * - bit 7 set: a GGUF file, whose tokenizer metadata must load or fail with a one-line
 *   error; a loaded tokenizer then tokenizes and detokenizes a fixed text.
 * Broken invariants abort(), which the fuzzer reports as a crash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nuri/gguf.h"
#include "nuri/tokenizer.h"

static void require(int cond, const char *what) {
    if (!cond) {
        fprintf(stderr, "fuzz_tokenize: invariant broken: %s\n", what);
        abort();
    }
}

#define MAX_TOK 8
static nuri_tokenizer *toks[MAX_TOK];
static int n_toks;

static void add_file(const char *path) {
    nuri_gguf *g;
    nuri_error err;
    if (n_toks == MAX_TOK || nuri_gguf_open(path, &g, &err) != NURI_OK) return;
    nuri_tokenizer *t;
    if (nuri_tokenizer_load(g, &t, &err) == NURI_OK) toks[n_toks++] = t;
    nuri_gguf_close(g);
}

/* A small vocabulary of each kind, written to a temporary file and loaded. */
static void add_small(const char *model, const char *pre, int n, const char *const *tokens,
                      const int32_t *types, const float *scores, int n_merges, const char *const *merges) {
    char path[] = "/tmp/nuri_fuzz_tok_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return;
    close(fd);
    nuri_gguf_writer *w = nuri_gguf_writer_new();
    nuri_gguf_set_str(w, "tokenizer.ggml.model", model);
    if (pre) nuri_gguf_set_str(w, "tokenizer.ggml.pre", pre);
    nuri_gguf_set_arr_str(w, "tokenizer.ggml.tokens", (uint64_t)n, tokens, NULL);
    nuri_gguf_set_arr(w, "tokenizer.ggml.token_type", NURI_GGUF_INT32, (uint64_t)n, types);
    if (scores) nuri_gguf_set_arr(w, "tokenizer.ggml.scores", NURI_GGUF_FLOAT32, (uint64_t)n, scores);
    if (merges) nuri_gguf_set_arr_str(w, "tokenizer.ggml.merges", (uint64_t)n_merges, merges, NULL);
    nuri_error err;
    if (nuri_gguf_writer_save(w, path, 0, &err) == NURI_OK) add_file(path);
    nuri_gguf_writer_free(w);
    unlink(path);
}

static void setup(void) {
    static char bytes[256][8];
    static const char *tokens[300];
    static int32_t types[300];
    static float scores[300];
    /* SentencePiece: control tokens, 256 byte tokens, a few pieces */
    int n = 0;
    tokens[n] = "<unk>", types[n++] = 2;
    tokens[n] = "<s>", types[n++] = 3;
    tokens[n] = "</s>", types[n++] = 3;
    for (int b = 0; b < 256; b++) {
        snprintf(bytes[b], sizeof bytes[b], "<0x%02X>", b);
        tokens[n] = bytes[b], types[n++] = 6;
    }
    const char *pieces[] = {"\xE2\x96\x81", "\xE2\x96\x81\xED\x95\x9C", "\xEA\xB5\xAD", "\xE2\x96\x81" "a", "ab",
                            "<user>"};
    for (int i = 0; i < 6; i++) tokens[n] = pieces[i], types[n++] = i == 5 ? 4 : 1;
    for (int i = 0; i < n; i++) scores[i] = -(float)i;
    add_small("llama", NULL, n, tokens, types, scores, 0, NULL);

    /* byte-level BPE: the printable byte characters and some merges */
    static const char *bpe[] = {"a", "b", "c", "\xC4\xA0", "ab", "\xC4\xA0" "a", "abc", "<|end|>", "<think>",
                                "\xEC", "\x95", "\xED\x95\x9C"};
    static const int32_t bpe_types[] = {1, 1, 1, 1, 1, 1, 1, 3, 4, 1, 1, 1};
    static const char *merges[] = {"a b", "\xC4\xA0 a", "ab c"};
    add_small("gpt2", "qwen2", 12, bpe, bpe_types, NULL, 3, merges);
    add_small("gpt2", "deepseek-llm", 12, bpe, bpe_types, NULL, 3, merges);

    /* WordPiece */
    static const char *wp[] = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "\xE2\x96\x81" "a", "b", "\xE2\x96\x81" "\xE1\x84\x92"};
    static const int32_t wp_types[] = {3, 3, 3, 3, 1, 1, 1};
    add_small("bert", NULL, 7, wp, wp_types, NULL, 0, NULL);

    /* the real ones, when the shared fixtures are there (tests run from the repo root) */
    const char *env = getenv("NURI_SHARED");
    const char *names[] = {"qwen2", "llama-spm", "bert-bge", "falcon"};
    for (int i = 0; i < 4; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/vocab/ggml-vocab-%s.gguf", env && *env ? env : "../shared", names[i]);
        add_file(path);
    }
}

static void exercise(const nuri_tokenizer *t, const char *text, size_t len, bool add, bool parse) {
    int32_t *ids;
    size_t n;
    nuri_error err;
    require(nuri_tokenize(t, text, len, add, parse, &ids, &n, &err) == NURI_OK, "tokenize failed");
    int32_t nv = nuri_tokenizer_n_vocab(t);
    for (size_t i = 0; i < n; i++) require(ids[i] >= 0 && ids[i] < nv, "id out of range");
    char *out;
    size_t ol;
    require(nuri_detokenize(t, ids, n, add, parse, &out, &ol, &err) == NURI_OK, "detokenize failed");
    require(nuri_utf8_valid(out, ol, NULL), "detokenized text is not valid UTF-8");
    require(out[ol] == 0, "detokenized text is not NUL-terminated");
    free(out);
    nuri_detok *d;
    require(nuri_detok_new(t, parse, &d, &err) == NURI_OK, "detok_new failed");
    for (size_t i = 0; i < n; i++) {
        const char *c;
        size_t cl;
        require(nuri_detok_push(d, ids[i], &c, &cl, &err) == NURI_OK, "detok_push failed");
        require(nuri_utf8_valid(c, cl, NULL), "streamed chunk is not valid UTF-8");
        require(nuri_detok_pending(d) < 4, "more than 3 bytes held");
    }
    const char *c;
    size_t cl;
    nuri_detok_flush(d, &c, &cl);
    require(nuri_utf8_valid(c, cl, NULL), "flushed text is not valid UTF-8");
    require(nuri_detok_pending(d) == 0, "bytes held after flush");
    nuri_detok_free(d);
    free(ids);
}

static void load_buffer(const uint8_t *data, size_t size) {
    nuri_gguf *g;
    nuri_error err;
    if (nuri_gguf_open_buffer(data, size, "fuzz.gguf", &g, &err) != NURI_OK) return;
    nuri_tokenizer *t;
    nuri_status st = nuri_tokenizer_load(g, &t, &err);
    nuri_gguf_close(g);
    if (st != NURI_OK) {
        require(t == NULL, "failed load left a tokenizer");
        require(strchr(err.msg, '\n') == NULL && err.msg[0], "load error is not one line");
        return;
    }
    static const char text[] = "Hello \xEC\x95\x88\xEB\x85\x95 <s> 123 \xFF";
    exercise(t, text, sizeof text - 1, true, true);
    nuri_tokenizer_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int ready;
    if (!ready) {
        setup();
        ready = 1;
    }
    if (size == 0) return 0;
    uint8_t mode = data[0];
    if (mode & 0x80) {
        load_buffer(data + 1, size - 1);
        return 0;
    }
    for (int i = 0; i < n_toks; i++)
        exercise(toks[i], (const char *)data + 1, size - 1, mode & 1, (mode >> 1) & 1);
    return 0;
}
