/* Loading a tokenizer from GGUF metadata, with the reference's defaults and its
 * recognition of special tokens by their text. */
#include "tokenizer/vocab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *name;
    tok_pre_kind kind;
    bool clean_spaces, ignore_merges, add_bos, add_sep;
} pre_entry;

/* tokenizer.ggml.pre values whose pattern lists nuri implements. */
static const pre_entry pre_table[] = {
    {"default", TOK_PRE_DEFAULT, true, false, false, false},
    {"gpt-2", TOK_PRE_GPT2, true, false, false, false},
    {"phi-2", TOK_PRE_GPT2, true, false, false, false},
    {"jina-es", TOK_PRE_GPT2, true, false, false, false},
    {"jina-de", TOK_PRE_GPT2, true, false, false, false},
    {"gigachat", TOK_PRE_GPT2, true, false, false, false},
    {"jina-v2-es", TOK_PRE_GPT2, true, false, false, false},
    {"jina-v2-de", TOK_PRE_GPT2, true, false, false, false},
    {"a.x-4.0", TOK_PRE_GPT2, true, false, false, false},
    {"mellum", TOK_PRE_GPT2, true, false, false, false},
    {"modern-bert", TOK_PRE_GPT2, true, false, false, false},
    {"jina-v1-en", TOK_PRE_GPT2, true, false, false, true},
    {"jina-v2-code", TOK_PRE_GPT2, true, false, false, true},
    {"roberta-bpe", TOK_PRE_GPT2, true, false, false, true},
    {"mpt", TOK_PRE_GPT2, true, false, false, false},
    {"olmo", TOK_PRE_GPT2, true, false, false, false},
    {"jais", TOK_PRE_GPT2, true, false, false, false},
    {"trillion", TOK_PRE_GPT2, false, false, false, false},
    {"granite-docling", TOK_PRE_GPT2, false, false, false, false},
    {"exaone4", TOK_PRE_GPT2, true, false, false, false},
    {"llama3", TOK_PRE_LLAMA3, true, true, true, false},
    {"llama-v3", TOK_PRE_LLAMA3, true, true, true, false},
    {"llama-bpe", TOK_PRE_LLAMA3, true, true, true, false},
    {"falcon3", TOK_PRE_LLAMA3, true, true, true, false},
    {"falcon-h1", TOK_PRE_LLAMA3, true, true, true, false},
    {"pixtral", TOK_PRE_LLAMA3, true, true, true, false},
    {"midm-2.0", TOK_PRE_LLAMA3, true, true, true, false},
    {"lfm2", TOK_PRE_LLAMA3, true, true, true, false},
    {"jina-v5-nano", TOK_PRE_LLAMA3, true, true, true, false},
    {"dbrx", TOK_PRE_LLAMA3, true, false, false, false},
    {"smaug-bpe", TOK_PRE_LLAMA3, true, false, false, false},
    {"qwen2", TOK_PRE_QWEN2, false, false, false, false},
    {"deepseek-r1-qwen", TOK_PRE_QWEN2, false, false, false, false},
    {"kormo", TOK_PRE_QWEN2, false, false, false, false},
    {"f2llmv2", TOK_PRE_QWEN2, false, false, false, false},
    {"stablelm2", TOK_PRE_QWEN2, true, false, false, false},
    {"megrez", TOK_PRE_QWEN2, true, false, false, false},
    {"hunyuan", TOK_PRE_QWEN2, false, false, false, false},
    {"solar-open", TOK_PRE_QWEN2, false, false, false, false},
    {"deepseek-llm", TOK_PRE_DEEPSEEK_LLM, false, false, false, false},
    {"deepseek-coder", TOK_PRE_DEEPSEEK_CODER, false, false, false, false},
    {"falcon", TOK_PRE_FALCON, true, false, false, false},
    {"starcoder", TOK_PRE_STARCODER, true, false, false, false},
    {"refact", TOK_PRE_STARCODER, true, false, false, false},
    {"codeshell", TOK_PRE_STARCODER, true, false, false, false},
    {"exaone", TOK_PRE_STARCODER, true, false, false, false},
    {"minerva-7b", TOK_PRE_STARCODER, true, false, false, false},
    {"mellum2", TOK_PRE_STARCODER, true, false, false, false},
    {"command-r", TOK_PRE_STARCODER, false, false, false, false},
    {"smollm", TOK_PRE_STARCODER, false, false, false, false},
};

static char *dup_str(nuri_str s) {
    char *p = malloc(s.len + 1);
    if (p) {
        memcpy(p, s.ptr, s.len);
        p[s.len] = 0;
    }
    return p;
}

static bool get_bool(const nuri_gguf *g, const char *key, bool *v) {
    bool b;
    if (nuri_gguf_get_bool(g, key, &b, NULL) != NURI_OK) return false;
    *v = b;
    return true;
}

static nuri_status load_tokens(nuri_tokenizer *t, const nuri_gguf *g, nuri_error *err) {
    const nuri_gguf_kv *kv;
    nuri_status st = nuri_gguf_get_arr(g, "tokenizer.ggml.tokens", NURI_GGUF_STRING, &kv, NULL);
    if (st == NURI_ERR_NOT_FOUND)
        return nuri_fail(err, NURI_ERR_FORMAT, "tokenizer: no tokenizer.ggml.tokens");
    if (st != NURI_OK)
        return nuri_fail(err, NURI_ERR_FORMAT, "tokenizer: tokenizer.ggml.tokens is not an array of strings");
    if (kv->arr_len == 0 || kv->arr_len > INT32_MAX)
        return nuri_fail(err, NURI_ERR_FORMAT, "tokenizer: tokenizer.ggml.tokens has %llu entries",
                         (unsigned long long)kv->arr_len);
    int32_t n = (int32_t)kv->arr_len;
    t->n_vocab = n;

    const nuri_gguf_kv *scores = NULL, *types = NULL;
    st = nuri_gguf_get_arr(g, "tokenizer.ggml.scores", NURI_GGUF_VTYPE_COUNT, &scores, NULL);
    if (st == NURI_OK) {
        if (scores->arr_type != NURI_GGUF_FLOAT32 && scores->arr_type != NURI_GGUF_INT32)
            return nuri_fail(err, NURI_ERR_FORMAT, "tokenizer: tokenizer.ggml.scores must hold float32 or int32, not %s",
                             nuri_gguf_vtype_name(scores->arr_type));
        if (scores->arr_len < (uint64_t)n)
            return nuri_fail(err, NURI_ERR_FORMAT, "tokenizer: %llu scores for %d tokens",
                             (unsigned long long)scores->arr_len, n);
    } else if (st != NURI_ERR_NOT_FOUND) {
        return nuri_fail(err, NURI_ERR_FORMAT, "tokenizer: tokenizer.ggml.scores is not an array");
    }
    st = nuri_gguf_get_arr(g, "tokenizer.ggml.token_type", NURI_GGUF_VTYPE_COUNT, &types, NULL);
    if (st == NURI_OK) {
        if (types->arr_type != NURI_GGUF_INT32)
            return nuri_fail(err, NURI_ERR_FORMAT, "tokenizer: tokenizer.ggml.token_type must hold int32, not %s",
                             nuri_gguf_vtype_name(types->arr_type));
        if (types->arr_len < (uint64_t)n)
            return nuri_fail(err, NURI_ERR_FORMAT, "tokenizer: %llu token types for %d tokens",
                             (unsigned long long)types->arr_len, n);
    } else if (st != NURI_ERR_NOT_FOUND) {
        return nuri_fail(err, NURI_ERR_FORMAT, "tokenizer: tokenizer.ggml.token_type is not an array");
    }

    size_t total = 0;
    for (int32_t i = 0; i < n; i++) total += kv->strs[i].len ? kv->strs[i].len : 24;
    if (total > UINT32_MAX) return nuri_fail(err, NURI_ERR_FORMAT, "tokenizer: vocabulary text too large");
    t->text = malloc(total + 1);
    t->tokens = malloc((size_t)n * sizeof *t->tokens);
    t->scores = malloc((size_t)n * sizeof *t->scores);
    t->attr = malloc((size_t)n * sizeof *t->attr);
    if (!t->text || !t->tokens || !t->scores || !t->attr || !tok_strmap_init(&t->text_to_id, (size_t)n))
        return nuri_fail(err, NURI_ERR_NOMEM, "tokenizer: out of memory");
    size_t off = 0;
    for (int32_t i = 0; i < n; i++) {
        nuri_str s = kv->strs[i];
        size_t len = s.len;
        if (len == 0) {
            /* the reference names an empty entry so that it stays unique */
            len = (size_t)snprintf(t->text + off, 24, "[EMPTY_%d]", i);
        } else {
            memcpy(t->text + off, s.ptr, len);
        }
        t->tokens[i] = (tok_span){(uint32_t)off, (uint32_t)len};
        off += len;
        if (len > t->max_token_len) t->max_token_len = (uint32_t)len;
        if (!scores) t->scores[i] = 0.0f;
        else if (scores->arr_type == NURI_GGUF_FLOAT32) t->scores[i] = (float)nuri_gguf_arr_float(scores, (uint64_t)i);
        else t->scores[i] = (float)nuri_gguf_arr_int(scores, (uint64_t)i);
        uint32_t a = NURI_TOKEN_ATTR_NORMAL;
        if (types) {
            switch (nuri_gguf_arr_int(types, (uint64_t)i)) {
            case 1: a = NURI_TOKEN_ATTR_NORMAL; break;
            case 2: a = NURI_TOKEN_ATTR_UNKNOWN; break;
            case 3: a = NURI_TOKEN_ATTR_CONTROL; break;
            case 4: a = NURI_TOKEN_ATTR_USER_DEFINED; break;
            case 5: a = NURI_TOKEN_ATTR_UNUSED; break;
            case 6: a = NURI_TOKEN_ATTR_BYTE; break;
            default: a = NURI_TOKEN_ATTR_UNDEFINED; break;
            }
        }
        t->attr[i] = a;
    }
    /* a repeated text maps to its last id, as in the reference */
    for (int32_t i = 0; i < n; i++)
        if (!tok_strmap_put(&t->text_to_id, tok_text(t, i), t->tokens[i].len, i))
            return nuri_fail(err, NURI_ERR_NOMEM, "tokenizer: out of memory");
    return NURI_OK;
}

static nuri_status setup_kind(nuri_tokenizer *t, const nuri_gguf *g, nuri_error *err) {
    nuri_str model, pre = {"", 0};
    nuri_status st = nuri_gguf_get_str(g, "tokenizer.ggml.model", &model, NULL);
    if (st == NURI_ERR_NOT_FOUND) return nuri_fail(err, NURI_ERR_FORMAT, "tokenizer: no tokenizer.ggml.model");
    if (st != NURI_OK) return nuri_fail(err, NURI_ERR_FORMAT, "tokenizer: tokenizer.ggml.model is not a string");
    st = nuri_gguf_get_str(g, "tokenizer.ggml.pre", &pre, NULL);
    if (st != NURI_OK && st != NURI_ERR_NOT_FOUND)
        return nuri_fail(err, NURI_ERR_FORMAT, "tokenizer: tokenizer.ggml.pre is not a string");
    if (st == NURI_ERR_NOT_FOUND) pre = (nuri_str){"", 0};
    t->model = dup_str(model);
    t->pre = dup_str(pre);
    if (!t->model || !t->pre) return nuri_fail(err, NURI_ERR_NOMEM, "tokenizer: out of memory");

    t->bos = t->eos = t->eot = t->eom = t->unk = t->sep = t->pad = t->mask = -1;
    t->wpm_lowercase = true;
    if (!strcmp(t->model, "llama")) {
        t->kind = NURI_TOK_SPM;
        t->bos = 1;
        t->eos = 2;
        t->unk = 0;
        t->add_space_prefix = true;
        t->add_bos = true;
    } else if (!strcmp(t->model, "bert")) {
        t->kind = NURI_TOK_WPM;
        t->bos = 101;
        t->unk = 100;
        t->sep = 102;
        t->pad = 0;
        t->mask = 103;
        t->add_bos = true;
        t->add_sep = true;
        t->clean_spaces = true;
    } else if (!strcmp(t->model, "gpt2")) {
        t->kind = NURI_TOK_BPE;
        t->bos = 11;
        t->eos = 11;
        t->clean_spaces = true;
        const pre_entry *e = NULL;
        const char *name = t->pre[0] ? t->pre : "default";
        for (size_t i = 0; i < sizeof pre_table / sizeof pre_table[0]; i++)
            if (!strcmp(pre_table[i].name, name)) e = &pre_table[i];
        if (!e)
            return nuri_fail(err, NURI_ERR_UNSUPPORTED, "tokenizer: unsupported pre-tokenizer '%s'", t->pre);
        t->pre_kind = e->kind;
        t->clean_spaces = e->clean_spaces;
        t->ignore_merges = e->ignore_merges;
        t->add_bos = e->add_bos;
        t->add_sep = e->add_sep;
    } else {
        return nuri_fail(err, NURI_ERR_UNSUPPORTED, "tokenizer: unsupported tokenizer model '%s'", t->model);
    }
    get_bool(g, "tokenizer.ggml.add_space_prefix", &t->add_space_prefix);
    return NURI_OK;
}

static void setup_spm_bytes(nuri_tokenizer *t) {
    for (int b = 0; b < 256; b++) {
        char buf[8];
        snprintf(buf, sizeof buf, "<0x%02X>", b);
        int32_t id = tok_strmap_get(&t->text_to_id, buf, 6);
        if (id < 0) {
            char c = (char)b;
            id = tok_strmap_get(&t->text_to_id, &c, 1);
        }
        t->spm_byte[b] = id;
    }
}

nuri_status nuri_tokenizer_load(const nuri_gguf *g, nuri_tokenizer **out, nuri_error *err) {
    *out = NULL;
    nuri_tokenizer *t = calloc(1, sizeof *t);
    if (!t) return nuri_fail(err, NURI_ERR_NOMEM, "tokenizer: out of memory");
    nuri_status st = tok_ucd_init(&t->ucd, err);
    if (st == NURI_OK) st = setup_kind(t, g, err);
    if (st == NURI_OK) st = load_tokens(t, g, err);
    if (st == NURI_OK && t->kind == NURI_TOK_BPE) st = tok_bpe_prepare(t, g, err);
    if (st == NURI_OK) {
        if (t->kind == NURI_TOK_SPM) setup_spm_bytes(t);
        tok_setup_specials(t, g);
        st = tok_special_prepare(t, err);
    }
    if (st == NURI_OK) st = tok_pieces_prepare(t, err);
    if (st == NURI_OK) tok_setup_strip_attrs(t, g);
    if (st != NURI_OK) {
        nuri_tokenizer_free(t);
        return st;
    }
    *out = t;
    return NURI_OK;
}

void nuri_tokenizer_free(nuri_tokenizer *t) {
    if (!t) return;
    free(t->model);
    free(t->pre);
    free(t->text);
    free(t->tokens);
    free(t->scores);
    free(t->attr);
    tok_strmap_free(&t->text_to_id);
    tok_u64map_free(&t->merges);
    tok_special_free(t);
    free(t->piece_text);
    free(t->pieces);
    tok_ucd_free(&t->ucd);
    free(t);
}

nuri_tok_kind nuri_tokenizer_kind(const nuri_tokenizer *t) { return t->kind; }
const char *nuri_tokenizer_model(const nuri_tokenizer *t) { return t->model; }
const char *nuri_tokenizer_pre(const nuri_tokenizer *t) { return t->pre; }
int32_t nuri_tokenizer_n_vocab(const nuri_tokenizer *t) { return t->n_vocab; }
int32_t nuri_token_bos(const nuri_tokenizer *t) { return t->bos; }
int32_t nuri_token_eos(const nuri_tokenizer *t) { return t->eos; }
int32_t nuri_token_eot(const nuri_tokenizer *t) { return t->eot; }
int32_t nuri_token_unk(const nuri_tokenizer *t) { return t->unk; }
int32_t nuri_token_sep(const nuri_tokenizer *t) { return t->sep; }
int32_t nuri_token_pad(const nuri_tokenizer *t) { return t->pad; }
bool nuri_tokenizer_add_bos(const nuri_tokenizer *t) { return t->add_bos; }
bool nuri_tokenizer_add_eos(const nuri_tokenizer *t) { return t->add_eos; }

bool nuri_token_is_eog(const nuri_tokenizer *t, int32_t id) {
    return tok_valid_id(t, id) && (t->attr[id] & TOK_ATTR_EOG);
}

uint32_t nuri_token_attr(const nuri_tokenizer *t, int32_t id) {
    return tok_valid_id(t, id) ? t->attr[id] & ~TOK_ATTR_EOG : 0;
}

const char *nuri_token_text(const nuri_tokenizer *t, int32_t id, size_t *len) {
    if (!tok_valid_id(t, id)) {
        *len = 0;
        return NULL;
    }
    *len = t->tokens[id].len;
    return tok_text(t, id);
}

int32_t nuri_token_lookup(const nuri_tokenizer *t, const char *text, size_t len) {
    return tok_strmap_get(&t->text_to_id, text, len);
}
