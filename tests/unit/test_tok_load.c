/* Bad vocabularies fail to load with a clear error, never a crash: merges naming unknown
 * tokens, token-type and score arrays shorter than the vocabulary or of the wrong type,
 * unknown models and pre-tokenizers, missing keys. A sound small vocabulary loads. */
#include <string.h>

#include "test_tok_common.h"

static const char *const bpe_tokens[] = {"a", "b", "c", "ab", "abc", "<|im_end|>", "<|endoftext|>", NULL};
static const int32_t bpe_types[] = {1, 1, 1, 1, 1, 3, 3};
static const char *const bpe_merges[] = {"a b", "ab c", NULL};

static void expect_fail(const char *what, const tok_spec *spec, nuri_status want, const char *needle) {
    nuri_tokenizer *tok;
    nuri_error err = {0};
    nuri_status st = tok_build(spec, &tok, &err);
    CHECKF(st == want, "%s: status %s, want %s (%s)", what, nuri_status_name(st), nuri_status_name(want), err.msg);
    CHECK(tok == NULL);
    CHECKF(strstr(err.msg, needle) != NULL, "%s: message '%s' does not mention '%s'", what, err.msg, needle);
    CHECKF(strchr(err.msg, '\n') == NULL, "%s: message is not one line", what);
    nuri_tokenizer_free(tok);
}

static tok_spec good_bpe(void) {
    return (tok_spec){.model = "gpt2", .pre = "qwen2", .tokens = bpe_tokens, .types = bpe_types,
                      .n_types = 7, .merges = bpe_merges, .eos = 6};
}

int main(void) {
    if (!tok_tmpdir()) return test_skip("cannot create a temporary directory");

    tok_spec s = good_bpe();
    nuri_tokenizer *tok;
    nuri_error err;
    CHECK_OK(tok_build(&s, &tok, &err), &err);
    if (tok) {
        CHECK(nuri_tokenizer_kind(tok) == NURI_TOK_BPE);
        CHECK(nuri_tokenizer_n_vocab(tok) == 7);
        CHECK(nuri_token_eos(tok) == 6);
        /* end of generation: the EOS and the tokens recognized by their text */
        CHECK(nuri_token_is_eog(tok, 5));
        CHECK(nuri_token_is_eog(tok, 6));
        CHECK(!nuri_token_is_eog(tok, 0));
        CHECK(!nuri_token_is_eog(tok, -1) && !nuri_token_is_eog(tok, 7));
        CHECK(nuri_token_lookup(tok, "abc", 3) == 4);
        CHECK(nuri_token_lookup(tok, "zz", 2) == -1);
        int32_t *ids;
        size_t n;
        /* the merges chain "a b" then "ab c" */
        CHECK_OK(nuri_tokenize(tok, "abc", 3, false, false, &ids, &n, &err), &err);
        CHECK(n == 1 && ids[0] == 4);
        free(ids);
        /* control-token text is text unless parse_special */
        CHECK_OK(nuri_tokenize(tok, "<|im_end|>", 10, false, true, &ids, &n, &err), &err);
        CHECK(n == 1 && ids[0] == 5);
        free(ids);
        CHECK_OK(nuri_tokenize(tok, "", 0, true, true, &ids, &n, &err), &err);
        CHECK(n == 0);
        free(ids);
        nuri_tokenizer_free(tok);
    }

    static const char *const merges_unknown[] = {"a b", "ab z", NULL};
    s = good_bpe();
    s.merges = merges_unknown;
    expect_fail("merge naming an unknown token", &s, NURI_ERR_FORMAT, "merge 1");

    static const char *const merges_result_unknown[] = {"b c", NULL};
    s = good_bpe();
    s.merges = merges_result_unknown;
    expect_fail("merge whose result is no token", &s, NURI_ERR_FORMAT, "not in the vocabulary");

    static const char *const merges_nospace[] = {"ab", NULL};
    s = good_bpe();
    s.merges = merges_nospace;
    expect_fail("merge without a space", &s, NURI_ERR_FORMAT, "no space");

    s = good_bpe();
    s.merges = NULL;
    expect_fail("BPE without merges", &s, NURI_ERR_FORMAT, "merges");

    s = good_bpe();
    s.n_types = 5;
    expect_fail("short token_type", &s, NURI_ERR_FORMAT, "token types");

    s = good_bpe();
    s.types_as_float = true;
    expect_fail("float token_type", &s, NURI_ERR_FORMAT, "token_type");

    static const float scores[] = {0, -1, -2};
    s = good_bpe();
    s.scores = scores;
    s.n_scores = 3;
    expect_fail("short scores", &s, NURI_ERR_FORMAT, "scores");

    s = good_bpe();
    s.model = "t9000";
    expect_fail("unknown model", &s, NURI_ERR_UNSUPPORTED, "t9000");

    s = good_bpe();
    s.pre = "no-such-pre";
    expect_fail("unknown pre-tokenizer", &s, NURI_ERR_UNSUPPORTED, "no-such-pre");

    s = good_bpe();
    s.model = NULL;
    expect_fail("no model key", &s, NURI_ERR_FORMAT, "tokenizer.ggml.model");

    s = good_bpe();
    s.tokens = NULL;
    s.types = NULL;
    s.merges = NULL;
    expect_fail("no tokens", &s, NURI_ERR_FORMAT, "tokenizer.ggml.tokens");

    tok_tmpdir_remove();
    return test_done("test_tok_load");
}
