/* The BPE trainer on corpora small enough to follow by hand, and its errors.
 *
 * "ab ab ab" + "cd" under the qwen2 pre-tokenizer is the words "ab" x1, " ab" x2, "cd" x1:
 * pair (a,b) is seen 3 times, (' ',a) 2, (c,d) 1. So merge 1 is "a b" (token 256 "ab"),
 * after which (' ',ab) is seen 2 times: merge 2 is "Ġ ab" (257); (c,d) stays below the
 * minimum frequency 2. With the 4 default special tokens the vocabulary has 262 tokens. */
#include <unistd.h>

#include "nuri/data.h"
#include "nuri/gguf.h"
#include "nuri/tokenizer.h"
#include "test.h"

static char dir[64];

static const char *put(const char *name, const char *text, size_t n) {
    static char p[4][128];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    FILE *f = fopen(p[k], "wb");
    if (f) {
        fwrite(text, 1, n, f);
        fclose(f);
    }
    return p[k];
}

static nuri_tokenizer *load(const char *path) {
    nuri_gguf *g;
    nuri_tokenizer *t = NULL;
    nuri_error err;
    if (nuri_gguf_open(path, &g, &err) != NURI_OK) return NULL;
    if (nuri_tokenizer_load(g, &t, &err) != NURI_OK) t = NULL;
    nuri_gguf_close(g);
    return t;
}

static const char *merge_at(const char *path, uint64_t i, char *buf, size_t cap) {
    nuri_gguf *g;
    nuri_error err;
    buf[0] = 0;
    if (nuri_gguf_open(path, &g, &err) != NURI_OK) return buf;
    const nuri_gguf_kv *kv;
    if (nuri_gguf_get_arr(g, "tokenizer.ggml.merges", NURI_GGUF_STRING, &kv, NULL) == NURI_OK && i < kv->arr_len)
        snprintf(buf, cap, "%.*s", (int)kv->strs[i].len, kv->strs[i].ptr);
    nuri_gguf_close(g);
    return buf;
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/nuri_test_bpe_XXXXXX");
    if (!mkdtemp(dir)) return test_skip("no temporary directory");
    nuri_error err;
    nuri_bpe_config c;
    nuri_bpe_config_default(&c);
    nuri_bpe_summary sum;
    const char *text = put("a.txt", "ab ab ab\ncd\n", 12);
    char out[128], buf[64];
    snprintf(out, sizeof out, "%s/v.gguf", dir);

    c.vocab_size = 1000;
    CHECK_OK(nuri_bpe_train(&c, &text, 1, out, &sum, &err), &err);
    CHECK(sum.merges == 2 && sum.vocab_size == 262 && sum.words == 4 && sum.unique_words == 3 && sum.docs == 2);
    CHECK(!strcmp(merge_at(out, 0, buf, sizeof buf), "a b"));
    CHECK(!strcmp(merge_at(out, 1, buf, sizeof buf), "\xC4\xA0 ab")); /* Ġ ab */
    nuri_tokenizer *t = load(out);
    CHECK(t != NULL);
    if (t) {
        size_t len;
        const char *s = nuri_token_text(t, 256, &len);
        CHECK(len == 2 && !memcmp(s, "ab", 2));
        s = nuri_token_text(t, 257, &len);
        CHECK(len == 4 && !memcmp(s, "\xC4\xA0" "ab", 4));
        CHECK(nuri_token_bos(t) == 258 && nuri_token_eos(t) == 259 && nuri_tokenizer_add_bos(t));
        CHECK(nuri_token_attr(t, 260) & NURI_TOKEN_ATTR_CONTROL);
        CHECK(nuri_token_lookup(t, "<|im_end|>", 10) == 261);
        int32_t *ids;
        size_t n;
        CHECK_OK(nuri_tokenize(t, "ab ab cd", 8, true, false, &ids, &n, &err), &err);
        int32_t want[] = {258, 256, 257, 32, 99, 100};
        CHECK(n == 6 && !memcmp(ids, want, sizeof want));
        free(ids);
        nuri_tokenizer_free(t);
    }

    /* the vocabulary size stops training: room for one merge only */
    c.vocab_size = 261;
    CHECK_OK(nuri_bpe_train(&c, &text, 1, out, &sum, &err), &err);
    CHECK(sum.merges == 1 && sum.vocab_size == 261);
    /* min_frequency 1 also merges (c,d); llama-bpe and custom special tokens */
    const char *special[] = {"<s>", "</s>"};
    c.vocab_size = 1000;
    c.min_frequency = 1;
    c.pre = "llama-bpe";
    c.special = special;
    c.n_special = 2;
    CHECK_OK(nuri_bpe_train(&c, &text, 1, out, &sum, &err), &err);
    CHECK(sum.merges == 3 && sum.vocab_size == 261);
    t = load(out);
    CHECK(t && !strcmp(nuri_tokenizer_pre(t), "llama-bpe") && nuri_token_eos(t) == 260);
    nuri_tokenizer_free(t);

    /* Hangul: a syllable's three bytes become one token after two merges */
    c = (nuri_bpe_config){0};
    nuri_bpe_config_default(&c);
    const char *ko = put("ko.txt", "가가 가가\n가\n", strlen("가가 가가\n가\n"));
    CHECK_OK(nuri_bpe_train(&c, &ko, 1, out, &sum, &err), &err);
    t = load(out);
    if (t) {
        int32_t *ids;
        size_t n;
        CHECK_OK(nuri_tokenize(t, "가", strlen("가"), false, false, &ids, &n, &err), &err);
        CHECK(n == 1 && ids[0] >= 256);
        free(ids);
        nuri_tokenizer_free(t);
    }

    /* errors: nothing is written */
    unlink(out);
    struct stat st;
    const char *bad = put("bad.txt", "좋아\n\xC3\x28\n", 9);
    CHECK(nuri_bpe_train(&c, &bad, 1, out, &sum, &err) == NURI_ERR_FORMAT && strstr(err.msg, "invalid UTF-8 at byte 7"));
    const char *empty = put("empty.txt", "", 0);
    CHECK(nuri_bpe_train(&c, &empty, 1, out, &sum, &err) == NURI_ERR_FORMAT);
    const char *blank = put("blank.txt", "\n\n", 2);
    CHECK(nuri_bpe_train(&c, &blank, 1, out, &sum, &err) == NURI_ERR_FORMAT && strstr(err.msg, "no text"));
    CHECK(stat(out, &st) != 0);
    c.pre = "gpt-2";
    CHECK(nuri_bpe_train(&c, &text, 1, out, &sum, &err) == NURI_ERR_INVALID_ARG);
    c.pre = "qwen2";
    c.vocab_size = 200;
    CHECK(nuri_bpe_train(&c, &text, 1, out, &sum, &err) == NURI_ERR_INVALID_ARG);
    CHECK(stat(out, &st) != 0);

    unlink(put("a.txt", "", 0));
    unlink(put("ko.txt", "", 0));
    unlink(put("bad.txt", "", 0));
    unlink(put("empty.txt", "", 0));
    unlink(put("blank.txt", "", 0));
    rmdir(dir);
    return test_done("test_data_bpe");
}
