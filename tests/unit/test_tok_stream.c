/* UTF-8 validation, and the streaming detokenizer over byte tokens: a character split
 * across tokens comes out whole once its last byte arrives, bytes that can never form
 * a character come out as U+FFFD (one per maximal invalid subpart), and a stream that
 * ends inside a character ends with U+FFFD. Whole-text detokenization is valid UTF-8 too. */
#include <string.h>

#include "test_tok_common.h"

#define REPL "\xEF\xBF\xBD"

static void check_valid(const char *s, size_t len, bool want, size_t want_off) {
    size_t off = 12345;
    bool v = nuri_utf8_valid(s, len, &off);
    CHECKF(v == want, "utf8_valid on %zu bytes: %d, want %d", len, v, want);
    if (!want) CHECKF(off == want_off, "bad offset %zu, want %zu", off, want_off);
}

static void utf8_cases(void) {
    check_valid("", 0, true, 0);
    check_valid("abc", 3, true, 0);
    check_valid("\xED\x95\x9C\xEA\xB5\xAD", 6, true, 0);    /* 한국 */
    check_valid("\xF0\x9F\x98\x80", 4, true, 0);            /* U+1F600 */
    check_valid("\xF4\x8F\xBF\xBF", 4, true, 0);            /* U+10FFFF */
    check_valid("\xEF\xBF\xBD", 3, true, 0);                /* U+FFFD itself */
    check_valid("a\x80", 2, false, 1);                      /* lone continuation */
    check_valid("ab\xC0\x80", 4, false, 2);                 /* overlong NUL */
    check_valid("\xE0\x80\xAF", 3, false, 0);               /* overlong '/' */
    check_valid("\xED\xA0\x80", 3, false, 0);               /* surrogate U+D800 */
    check_valid("\xF4\x90\x80\x80", 4, false, 0);           /* above U+10FFFF */
    check_valid("\xF5\x80\x80\x80", 4, false, 0);
    check_valid("x\xED\x95", 3, false, 1);                  /* truncated at the end */
    check_valid("\xFF", 1, false, 0);
    check_valid("a\0b", 3, true, 0);                        /* NUL is a character */
}

/* ids of byte tokens: <0xXX> is id 3 + XX in the vocabulary below */
static int32_t byte_id(uint8_t b) { return 3 + b; }

static char names[256][8];
static const char *tokens[256 + 8];
static int32_t types[256 + 8];

static nuri_tokenizer *byte_vocab(void) {
    int n = 0;
    tokens[n] = "<unk>", types[n++] = 2;
    tokens[n] = "<s>", types[n++] = 3;
    tokens[n] = "</s>", types[n++] = 3;
    for (int b = 0; b < 256; b++) {
        snprintf(names[b], sizeof names[b], "<0x%02X>", b);
        tokens[n] = names[b], types[n++] = 6;
    }
    tokens[n] = "\xE2\x96\x81" "a", types[n++] = 1;
    tokens[n] = "\xE2\x96\x81", types[n++] = 1; /* U+2581, SentencePiece's space */
    tokens[n] = NULL;
    tok_spec s = {.model = "llama", .tokens = tokens, .types = types, .n_types = (uint64_t)n, .eos = -1};
    nuri_tokenizer *tok;
    nuri_error err;
    CHECK_OK(tok_build(&s, &tok, &err), &err);
    return tok;
}

/* Pushes bytes (as byte tokens) and checks what comes out after each. */
static void push_expect(nuri_tokenizer *tok, const char *bytes, size_t n, const char *const *want) {
    nuri_detok *d;
    nuri_error err;
    CHECK_OK(nuri_detok_new(tok, false, &d, &err), &err);
    for (size_t i = 0; i < n; i++) {
        const char *out;
        size_t len;
        CHECK_OK(nuri_detok_push(d, byte_id((uint8_t)bytes[i]), &out, &len, &err), &err);
        CHECKF(len == strlen(want[i]) && memcmp(out, want[i], len) == 0,
               "after byte %zu: got %zu bytes '%.*s', want '%s'", i, len, (int)len, out, want[i]);
    }
    const char *out;
    size_t len;
    nuri_detok_flush(d, &out, &len);
    CHECKF(len == strlen(want[n]) && memcmp(out, want[n], len) == 0, "flush: got '%.*s', want '%s'", (int)len,
           out, want[n]);
    CHECK(nuri_detok_pending(d) == 0);
    nuri_detok_free(d);
}

int main(void) {
    utf8_cases();
    if (!tok_tmpdir()) return test_skip("cannot create a temporary directory");
    nuri_tokenizer *tok = byte_vocab();
    if (!tok) return test_done("test_tok_stream");

    /* 한 = ED 95 9C arrives one byte at a time */
    const char *const w1[] = {"", "", "\xED\x95\x9C", ""};
    push_expect(tok, "\xED\x95\x9C", 3, w1);
    /* 한국 */
    const char *const w2[] = {"", "", "\xED\x95\x9C", "", "", "\xEA\xB5\xAD", ""};
    push_expect(tok, "\xED\x95\x9C\xEA\xB5\xAD", 6, w2);
    /* a byte that never starts a character */
    const char *const w3[] = {REPL, "a", ""};
    push_expect(tok, "\xFF" "a", 2, w3);
    /* a lead byte followed by ASCII: the lead alone is invalid */
    const char *const w4[] = {"", REPL "A", ""};
    push_expect(tok, "\xED" "A", 2, w4);
    /* a surrogate: three maximal subparts */
    const char *const w5[] = {"", REPL REPL, REPL, ""};
    push_expect(tok, "\xED\xA0\x80", 3, w5);
    /* the stream ends inside a 4-byte character */
    const char *const w6[] = {"", "", REPL};
    push_expect(tok, "\xF0\x9F", 2, w6);
    /* an overlong form is never completed */
    const char *const w7[] = {REPL, REPL, ""};
    push_expect(tok, "\xC0\x80", 2, w7);

    nuri_detok *d;
    nuri_error err;
    const char *out;
    size_t len;
    CHECK_OK(nuri_detok_new(tok, false, &d, &err), &err);
    /* control tokens: nothing unless special */
    CHECK_OK(nuri_detok_push(d, 1, &out, &len, &err), &err);
    CHECK(len == 0);
    CHECK(nuri_detok_push(d, 9999, &out, &len, &err) == NURI_ERR_INVALID_ARG);
    CHECK(nuri_detok_push(d, -1, &out, &len, &err) == NURI_ERR_INVALID_ARG);
    nuri_detok_free(d);
    CHECK_OK(nuri_detok_new(tok, true, &d, &err), &err);
    CHECK_OK(nuri_detok_push(d, 1, &out, &len, &err), &err);
    CHECK(len == 3 && memcmp(out, "<s>", 3) == 0);
    nuri_detok_free(d);

    /* whole-text detokenization replaces what is invalid */
    int32_t ids[] = {byte_id(0xED), byte_id(0x95), byte_id(0x9C), byte_id(0xFF), byte_id(0xEA)};
    char *text;
    CHECK_OK(nuri_detokenize(tok, ids, 5, false, false, &text, &len, &err), &err);
    CHECKF(len == 9 && memcmp(text, "\xED\x95\x9C" REPL REPL, 9) == 0, "detokenize: '%s'", text);
    free(text);
    CHECK(nuri_detokenize(tok, (int32_t[]){-5}, 1, false, false, &text, &len, &err) == NURI_ERR_INVALID_ARG);

    /* byte fallback: text that is no token comes back through byte tokens */
    const char *ko = "\xED\x95\x9C\xEA\xB5\xAD a";
    int32_t *tids;
    size_t n;
    CHECK_OK(nuri_tokenize(tok, ko, strlen(ko), true, false, &tids, &n, &err), &err);
    CHECK(n > 0 && tids[0] == 1);
    free(tids);
    /* (the space SentencePiece puts in front goes away again unless a BOS was removed) */
    CHECK_OK(nuri_tokenize(tok, ko, strlen(ko), false, false, &tids, &n, &err), &err);
    CHECK_OK(nuri_detokenize(tok, tids, n, false, false, &text, &len, &err), &err);
    CHECKF(len == strlen(ko) && memcmp(text, ko, len) == 0, "round trip: '%s'", text);
    free(text);
    free(tids);

    nuri_tokenizer_free(tok);
    tok_tmpdir_remove();
    return test_done("test_tok_stream");
}
