/* nuri_tokenize: special tokens cut out first, then each raw fragment through the
 * vocabulary's algorithm, with BOS/EOS (CLS/SEP) as the metadata asks. */
#include <stdlib.h>

#include "tokenizer/session.h"

nuri_status nuri_tokenize(const nuri_tokenizer *t, const char *text, size_t len, bool add_special,
                          bool parse_special, int32_t **ids, size_t *n, nuri_error *err) {
    *ids = NULL;
    *n = 0;
    if (!text && len) return nuri_fail(err, NURI_ERR_INVALID_ARG, "tokenize: NULL text");
    if (len >= UINT32_MAX) return nuri_fail(err, NURI_ERR_INVALID_ARG, "tokenize: input of %zu bytes is too long", len);
    tok_fragments frags = {0};
    tok_ids out = {0};
    tok_session *s = tok_session_new(t);
    bool ok = s && tok_partition(t, text, len, parse_special, &frags);
    bool prev_special = true; /* SentencePiece: a space goes in front of the first text */
    if (ok && add_special && (t->kind == NURI_TOK_WPM || t->add_bos) && t->bos >= 0) ok = tok_ids_push(&out, t->bos);
    for (size_t i = 0; ok && i < frags.n; i++) {
        const tok_fragment *f = &frags.v[i];
        if (f->token >= 0) {
            ok = tok_ids_push(&out, f->token);
            prev_special = true;
            continue;
        }
        switch (t->kind) {
        case NURI_TOK_SPM:
            ok = tok_spm_fragment(s, text + f->off, f->len, t->add_space_prefix && prev_special, &out);
            break;
        case NURI_TOK_BPE: ok = tok_bpe_fragment(s, text + f->off, f->len, &out); break;
        case NURI_TOK_WPM: ok = tok_wpm_fragment(s, text + f->off, f->len, &out); break;
        }
        prev_special = false;
    }
    if (ok && add_special) {
        if (t->kind == NURI_TOK_WPM) {
            if (t->sep >= 0) ok = tok_ids_push(&out, t->sep);
        } else if (t->add_eos && t->eos >= 0) {
            ok = tok_ids_push(&out, t->eos);
        }
    }
    tok_session_free(s);
    free(frags.v);
    if (!ok) {
        free(out.v);
        return nuri_fail(err, NURI_ERR_NOMEM, "tokenize: out of memory");
    }
    *ids = out.v;
    *n = out.n;
    return NURI_OK;
}
