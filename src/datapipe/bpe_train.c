/* nuri_bpe_train: text files -> counted words -> merges -> a vocabulary-only GGUF that
 * nuri's tokenizer and the reference both load (tokenizer.ggml.model "gpt2", byte-level
 * token texts, merges "left right", the special tokens as control tokens). */
#include <stdio.h>
#include <stdlib.h>

#include "base/file.h"
#include "datapipe/bpe.h"
#include "nuri/gguf.h"
#include "text/normalize.h"

static const char *const default_special[] = {"<|begin_of_text|>", "<|end_of_text|>", "<|im_start|>", "<|im_end|>"};

void nuri_bpe_config_default(nuri_bpe_config *c) {
    memset(c, 0, sizeof *c);
    c->vocab_size = 16384;
    c->pre = "qwen2";
    c->min_frequency = 2;
    c->add_bos = true;
    c->name = "nuri-bpe";
}

/* GPT-2's byte-level alphabet: printable Latin-1 bytes stand for themselves, the other
 * 68 for U+0100 onwards in byte order. */
static uint32_t byte_char(uint8_t b) {
    if ((b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE) return b;
    uint32_t n = 0;
    for (uint32_t x = 0; x < b; x++)
        if (!((x >= 0x21 && x <= 0x7E) || (x >= 0xA1 && x <= 0xAC) || x >= 0xAE)) n++;
    return 256 + n;
}

/* The byte-level text of raw bytes t (malloc'd, NUL-terminated). */
static char *byte_level(const uint8_t *t, size_t n, const char enc[256][3], const uint8_t enc_len[256]) {
    char *s = malloc(n * 2 + 1);
    if (!s) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(s + o, enc[t[i]], enc_len[t[i]]);
        o += enc_len[t[i]];
    }
    s[o] = 0;
    return s;
}

static nuri_status write_gguf(const nuri_bpe_config *cfg, const bpe_vocab *v, const char *const *special,
                              size_t n_special, const char *path, nuri_error *err) {
    char enc[256][3];
    uint8_t enc_len[256];
    for (int b = 0; b < 256; b++) enc_len[b] = (uint8_t)text_utf8_put(byte_char((uint8_t)b), enc[b]);
    size_t n_tok = v->n + n_special;
    char **tokens = calloc(n_tok, sizeof *tokens);
    char **merges = calloc(v->n_merges ? v->n_merges : 1, sizeof *merges);
    int32_t *types = malloc(n_tok * sizeof *types);
    nuri_gguf_writer *w = nuri_gguf_writer_new();
    nuri_status st = NURI_OK;
    if (!tokens || !merges || !types || !w) goto oom;
    for (size_t i = 0; i < v->n; i++) {
        if (!(tokens[i] = byte_level(v->text + v->off[i], v->len[i], enc, enc_len))) goto oom;
        types[i] = 1; /* normal */
    }
    for (size_t i = 0; i < n_special; i++) {
        for (size_t k = 0; k < v->n + i; k++)
            if (!strcmp(tokens[k], special[i])) {
                st = nuri_fail(err, NURI_ERR_INVALID_ARG, "special token '%s' is also an ordinary token", special[i]);
                goto done;
            }
        if (!(tokens[v->n + i] = strdup(special[i]))) goto oom;
        types[v->n + i] = 3; /* control */
    }
    for (size_t i = 0; i < v->n_merges; i++) {
        const char *l = tokens[v->merge_a[i]], *r = tokens[v->merge_b[i]];
        size_t ll = strlen(l), rl = strlen(r);
        if (!(merges[i] = malloc(ll + rl + 2))) goto oom;
        memcpy(merges[i], l, ll);
        merges[i][ll] = ' ';
        memcpy(merges[i] + ll + 1, r, rl + 1);
    }
    int bad = 0;
    bad |= nuri_gguf_set_str(w, "general.architecture", "llama");
    bad |= nuri_gguf_set_str(w, "general.name", cfg->name ? cfg->name : "nuri-bpe");
    bad |= nuri_gguf_set_str(w, "tokenizer.ggml.model", "gpt2");
    bad |= nuri_gguf_set_str(w, "tokenizer.ggml.pre", cfg->pre);
    bad |= nuri_gguf_set_arr_str(w, "tokenizer.ggml.tokens", n_tok, (const char *const *)tokens, NULL);
    bad |= nuri_gguf_set_arr(w, "tokenizer.ggml.token_type", NURI_GGUF_INT32, n_tok, types);
    bad |= nuri_gguf_set_arr_str(w, "tokenizer.ggml.merges", v->n_merges, (const char *const *)merges, NULL);
    if (n_special >= 1) bad |= nuri_gguf_set_u32(w, "tokenizer.ggml.bos_token_id", (uint32_t)v->n);
    if (n_special >= 2) {
        bad |= nuri_gguf_set_u32(w, "tokenizer.ggml.eos_token_id", (uint32_t)v->n + 1);
        bad |= nuri_gguf_set_u32(w, "tokenizer.ggml.padding_token_id", (uint32_t)v->n + 1);
    }
    bad |= nuri_gguf_set_bool(w, "tokenizer.ggml.add_bos_token", cfg->add_bos && n_special >= 1);
    bad |= nuri_gguf_set_bool(w, "tokenizer.ggml.add_eos_token", false);
    if (bad) goto oom;
    st = nuri_gguf_writer_save(w, path, 0, err);
    goto done;
oom:
    st = nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
done:
    for (size_t i = 0; tokens && i < n_tok; i++) free(tokens[i]);
    for (size_t i = 0; merges && i < v->n_merges; i++) free(merges[i]);
    free(tokens);
    free(merges);
    free(types);
    nuri_gguf_writer_free(w);
    return st;
}

static nuri_status count_file(bpe_counter *c, const char *path, nuri_bpe_summary *sum,
                              const nuri_bpe_config *cfg, nuri_error *err) {
    nuri_mapping map;
    nuri_status st = nuri_map_file(path, &map, err);
    if (st) return st;
    const char *t = map.data;
    size_t bad;
    if (!text_utf8_valid(t, map.size, &bad)) {
        nuri_unmap_file(&map);
        return nuri_fail(err, NURI_ERR_FORMAT, "%s: invalid UTF-8 at byte %zu", path, bad);
    }
    sum->bytes += map.size;
    size_t pos = 0;
    while (pos < map.size) {
        const char *nl = memchr(t + pos, '\n', map.size - pos);
        size_t len = nl ? (size_t)(nl - (t + pos)) : map.size - pos;
        size_t l = len && t[pos + len - 1] == '\r' ? len - 1 : len;
        if (l) {
            sum->docs++;
            if (!bpe_count_line(c, t + pos, l)) {
                nuri_unmap_file(&map);
                return nuri_fail(err, NURI_ERR_NOMEM, "BPE training: out of memory counting words");
            }
            if (cfg->progress && sum->docs % 100000 == 0) {
                bpe_words *w = bpe_counter_words(c);
                nuri_bpe_progress p = {.words = w->total, .unique_words = w->n, .phase = "count"};
                if (cfg->progress(cfg->user, &p)) {
                    nuri_unmap_file(&map);
                    return nuri_fail(err, NURI_ERR_INTERRUPTED, "stopped");
                }
            }
        }
        pos += len + (nl ? 1 : 0);
    }
    nuri_unmap_file(&map);
    return NURI_OK;
}

nuri_status nuri_bpe_train(const nuri_bpe_config *cfg, const char *const *paths, size_t n_paths,
                           const char *out_gguf, nuri_bpe_summary *sum, nuri_error *err) {
    nuri_bpe_summary local;
    if (!sum) sum = &local;
    memset(sum, 0, sizeof *sum);
    const char *const *special = cfg->special ? cfg->special : default_special;
    size_t n_special = cfg->special ? cfg->n_special : sizeof default_special / sizeof default_special[0];
    tok_pre_kind kind;
    if (!cfg->pre || !strcmp(cfg->pre, "qwen2")) kind = TOK_PRE_QWEN2;
    else if (!strcmp(cfg->pre, "llama-bpe")) kind = TOK_PRE_LLAMA3;
    else return nuri_fail(err, NURI_ERR_INVALID_ARG, "pre-tokenizer '%s': use llama-bpe or qwen2", cfg->pre);
    if (cfg->vocab_size < 256 + n_special + 1 || cfg->vocab_size > (1u << 24))
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "vocabulary size %u is outside [%zu, %u]", cfg->vocab_size,
                         256 + n_special + 1, 1u << 24);
    for (size_t i = 0; i < n_special; i++)
        if (!special[i] || !*special[i])
            return nuri_fail(err, NURI_ERR_INVALID_ARG, "special token %zu is empty", i);
    if (!n_paths) return nuri_fail(err, NURI_ERR_INVALID_ARG, "no training text");
    bpe_counter *c;
    nuri_status st = bpe_counter_new(kind, &c, err);
    if (st) return st;
    for (size_t i = 0; i < n_paths && !st; i++) st = count_file(c, paths[i], sum, cfg, err);
    bpe_words *w = bpe_counter_words(c);
    if (!st && !w->n) st = nuri_fail(err, NURI_ERR_FORMAT, "no text to train on (the input has no non-empty line)");
    sum->words = w->total;
    sum->unique_words = w->n;
    bpe_vocab v;
    if (!st) st = bpe_learn(w, cfg->vocab_size - (uint32_t)n_special, cfg->min_frequency, cfg->progress, cfg->user, &v, err);
    bpe_counter_free(c);
    if (st) return st;
    nuri_bpe_config wc = *cfg;
    wc.pre = kind == TOK_PRE_QWEN2 ? "qwen2" : "llama-bpe";
    st = write_gguf(&wc, &v, special, n_special, out_gguf, err);
    sum->merges = (uint32_t)v.n_merges;
    sum->vocab_size = (uint32_t)(v.n + n_special);
    bpe_vocab_free(&v);
    return st;
}
