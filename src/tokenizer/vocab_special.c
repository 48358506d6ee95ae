/* Special ids as the reference derives them: from the metadata with defaults per model
 * type, and by their text (EOT, EOM, FIM tokens), then the end-of-generation set and the
 * attributes the reference sets by model name. */
#include <ctype.h>
#include <string.h>

#include "tokenizer/vocab.h"

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
void tok_setup_specials(nuri_tokenizer *t, const nuri_gguf *g) {
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
void tok_setup_strip_attrs(nuri_tokenizer *t, const nuri_gguf *g) {
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

