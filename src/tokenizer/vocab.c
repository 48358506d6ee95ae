/* Loading a tokenizer from GGUF metadata, with the reference's defaults and its
 * recognition of special tokens by their text. */
#include "tokenizer/vocab.h"

#include <ctype.h>
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

/* A special id from metadata: kept only when it names a token (else the default). */
static void special_id(const nuri_tokenizer *t, const nuri_gguf *g, const char *key, int32_t *id) {
    if (*id >= t->n_vocab) *id = -1;
    int64_t v;
    if (nuri_gguf_get_i64(g, key, &v, NULL) != NURI_OK) return;
    if (v >= 0 && v < t->n_vocab) *id = (int32_t)v;
}

static bool text_is(const nuri_tokenizer *t, int32_t id, const char *s) {
    size_t n = strlen(s);
    return t->tokens[id].len == n && memcmp(tok_text(t, id), s, n) == 0;
}

/* The first of names (in that order) that is a token; marks it as control, as the
 * reference does for a control-looking token. */
static int32_t find_named(nuri_tokenizer *t, const char *const *names) {
    for (size_t i = 0; names[i]; i++) {
        int32_t id = tok_strmap_get(&t->text_to_id, names[i], strlen(names[i]));
        if (id >= 0) {
            t->attr[id] |= NURI_TOKEN_ATTR_CONTROL;
            return id;
        }
    }
    return -1;
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

static const char *const eot_names[] = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>",
    "<EOT>", "_<EOT>", "[EOT]", "<\xEF\xBD\x9C" "end\xE2\x96\x81" "of\xE2\x96\x81" "sentence\xEF\xBD\x9C>",
    "<end_of_utterance>", NULL};
static const char *const eom_names[] = {"<|eom_id|>", NULL};
#define FW_BAR "\xEF\xBD\x9C" /* the full-width bar of DeepSeek's special tokens */
#define LOW8 "\xE2\x96\x81"   /* U+2581 */
static const char *const fim_pre_names[] = {
    "<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<" FW_BAR "fim" LOW8 "begin" FW_BAR ">",
    "<PRE>", LOW8 "<PRE>", "<|code_prefix|>", "<|prefix|>", NULL};
static const char *const fim_suf_names[] = {
    "<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<" FW_BAR "fim" LOW8 "hole" FW_BAR ">",
    "<SUF>", LOW8 "<SUF>", "<|code_suffix|>", "<|suffix|>", NULL};
static const char *const fim_mid_names[] = {
    "<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<" FW_BAR "fim" LOW8 "end" FW_BAR ">",
    "<MID>", LOW8 "<MID>", "<|code_middle|>", "<|middle|>", NULL};
static const char *const fim_pad_names[] = {"<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]", NULL};
static const char *const fim_rep_names[] = {"<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>", NULL};
static const char *const fim_sep_names[] = {"<|file_sep|>", NULL};
static const char *const eog_names[] = {
    "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>",
    "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]",
    "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
    "<\xEF\xBD\x9C" "end\xE2\x96\x81" "of\xE2\x96\x81" "sentence\xEF\xBD\x9C>", "[e~[", NULL};

static bool contains(const char *hay, size_t n, const char *needle) {
    size_t m = strlen(needle);
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(hay + i, needle, m) == 0) return true;
    return false;
}

static void mark_eog(nuri_tokenizer *t, int32_t id) {
    if (tok_valid_id(t, id)) t->attr[id] |= TOK_ATTR_EOG;
}

/* Special ids, end-of-generation set and per-model attributes, as the reference derives
 * them (it recognizes several special tokens only by their text). */
static void setup_specials(nuri_tokenizer *t, const nuri_gguf *g) {
    int32_t fim_pre = -1, fim_suf = -1, fim_mid = -1, fim_pad = -1, fim_rep = -1, fim_sep = -1;
    struct {
        const char *key;
        int32_t *id;
    } keys[] = {
        {"tokenizer.ggml.bos_token_id", &t->bos},       {"tokenizer.ggml.eos_token_id", &t->eos},
        {"tokenizer.ggml.eot_token_id", &t->eot},       {"tokenizer.ggml.eom_token_id", &t->eom},
        {"tokenizer.ggml.unknown_token_id", &t->unk},   {"tokenizer.ggml.seperator_token_id", &t->sep},
        {"tokenizer.ggml.padding_token_id", &t->pad},   {"tokenizer.ggml.mask_token_id", &t->mask},
        {"tokenizer.ggml.fim_pre_token_id", &fim_pre},  {"tokenizer.ggml.fim_suf_token_id", &fim_suf},
        {"tokenizer.ggml.fim_mid_token_id", &fim_mid},  {"tokenizer.ggml.fim_pad_token_id", &fim_pad},
        {"tokenizer.ggml.fim_rep_token_id", &fim_rep},  {"tokenizer.ggml.fim_sep_token_id", &fim_sep},
        {"tokenizer.ggml.prefix_token_id", &fim_pre},   {"tokenizer.ggml.suffix_token_id", &fim_suf},
        {"tokenizer.ggml.middle_token_id", &fim_mid},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) special_id(t, g, keys[i].key, keys[i].id);

    get_bool(g, "tokenizer.ggml.add_bos_token", &t->add_bos);
    get_bool(g, "tokenizer.ggml.add_eos_token", &t->add_eos);
    get_bool(g, "tokenizer.ggml.add_sep_token", &t->add_sep);
    if (get_bool(g, "tokenizer.ggml.normalizer.lowercase", &t->wpm_lowercase)) {}
    t->wpm_strip_accents = t->wpm_lowercase;
    get_bool(g, "tokenizer.ggml.normalizer.strip_accents", &t->wpm_strip_accents);

    if (t->eot < 0) t->eot = find_named(t, eot_names);
    if (t->eom < 0) t->eom = find_named(t, eom_names);
    if (fim_pre < 0) fim_pre = find_named(t, fim_pre_names);
    if (fim_suf < 0) fim_suf = find_named(t, fim_suf_names);
    if (fim_mid < 0) fim_mid = find_named(t, fim_mid_names);
    if (fim_pad < 0) fim_pad = find_named(t, fim_pad_names);
    if (fim_rep < 0) fim_rep = find_named(t, fim_rep_names);
    if (fim_sep < 0) fim_sep = find_named(t, fim_sep_names);

    /* control tokens named "unused" are unused */
    for (int32_t id = 0; id < t->n_vocab; id++)
        if ((t->attr[id] & NURI_TOKEN_ATTR_CONTROL) && contains(tok_text(t, id), t->tokens[id].len, "unused"))
            t->attr[id] |= NURI_TOKEN_ATTR_UNUSED;

    mark_eog(t, fim_pad);
    mark_eog(t, fim_rep);
    mark_eog(t, fim_sep);
    for (size_t i = 0; eog_names[i]; i++) {
        int32_t id = tok_strmap_get(&t->text_to_id, eog_names[i], strlen(eog_names[i]));
        if (id < 0) continue;
        mark_eog(t, id);
        t->attr[id] |= NURI_TOKEN_ATTR_CONTROL;
    }
    static const char *const gpt_oss_shown[] = {"<|channel|>", "<|message|>", "<|start|>", "<|constrain|>", NULL};
    for (size_t i = 0; gpt_oss_shown[i]; i++) {
        int32_t id = tok_strmap_get(&t->text_to_id, gpt_oss_shown[i], strlen(gpt_oss_shown[i]));
        if (id >= 0) t->attr[id] = NURI_TOKEN_ATTR_USER_DEFINED | (t->attr[id] & TOK_ATTR_EOG);
    }
    mark_eog(t, t->eos);
    mark_eog(t, t->eot);
    mark_eog(t, t->eom);

    /* harmony-style vocabularies end a message with <|end|> but a turn otherwise */
    int32_t id_end = -1;
    bool has_return = false, has_call = false, has_flush = false, has_tool_resp = false;
    int32_t id_s = -1;
    for (int32_t id = 0; id < t->n_vocab; id++) {
        if (!(t->attr[id] & TOK_ATTR_EOG)) continue;
        if (text_is(t, id, "<|return|>")) has_return = true;
        else if (text_is(t, id, "<|call|>") || text_is(t, id, "<|calls|>")) has_call = true;
        else if (text_is(t, id, "<|flush|>")) has_flush = true;
        else if (text_is(t, id, "<|end|>")) id_end = id;
        if (text_is(t, id, "<|tool_response>") || text_is(t, id, "<|plamo:eos|>")) has_tool_resp = true;
        else if (text_is(t, id, "</s>")) id_s = id;
    }
    if (id_end >= 0 && ((has_return && has_call) || (has_call && has_flush)))
        t->attr[id_end] = NURI_TOKEN_ATTR_USER_DEFINED;
    if (id_s >= 0 && has_tool_resp) t->attr[id_s] = NURI_TOKEN_ATTR_NORMAL;
}

/* Attributes the reference sets by model name (general.name lower-cased). */
static void setup_strip_attrs(nuri_tokenizer *t, const nuri_gguf *g) {
    nuri_str name = {"", 0}, arch = {"", 0};
    nuri_gguf_get_str(g, "general.name", &name, NULL);
    nuri_gguf_get_str(g, "general.architecture", &arch, NULL);
    char lname[256];
    size_t n = name.len < sizeof lname - 1 ? name.len : sizeof lname - 1;
    for (size_t i = 0; i < n; i++) lname[i] = (char)tolower((unsigned char)name.ptr[i]);
    lname[n] = 0;
    const char *pre = t->pre;
    if (strstr(pre, "jina-v2-de") || strstr(pre, "jina-v2-es") || strstr(pre, "jina-v2-code") ||
        contains(arch.ptr, arch.len, "nomic-bert-moe") || contains(arch.ptr, arch.len, "jina-bert-v3")) {
        int32_t id = tok_strmap_get(&t->text_to_id, "<mask>", 6);
        if (id >= 0) t->attr[id] |= NURI_TOKEN_ATTR_LSTRIP;
    } else if (strstr(lname, "phi-3") || strstr(lname, "phi3")) {
        for (size_t i = 0; i < t->n_special; i++) t->attr[t->special[i]] |= NURI_TOKEN_ATTR_RSTRIP;
        int32_t id = tok_strmap_get(&t->text_to_id, "</s>", 4);
        if (id >= 0) t->attr[id] |= NURI_TOKEN_ATTR_RSTRIP;
        static const char *const keep[] = {"<unk>", "<s>", "<|endoftext|>"};
        for (size_t i = 0; i < 3; i++) {
            id = tok_strmap_get(&t->text_to_id, keep[i], strlen(keep[i]));
            if (id >= 0) t->attr[id] &= ~(uint32_t)NURI_TOKEN_ATTR_RSTRIP;
        }
    } else if (strstr(lname, "modern-bert")) {
        int32_t id = tok_strmap_get(&t->text_to_id, "[MASK]", 6);
        if (id >= 0) t->attr[id] |= NURI_TOKEN_ATTR_LSTRIP;
    }
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
        setup_specials(t, g);
        st = tok_special_prepare(t, err);
    }
    if (st == NURI_OK) st = tok_pieces_prepare(t, err);
    if (st == NURI_OK) setup_strip_attrs(t, g);
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
