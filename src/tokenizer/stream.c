/* Streaming detokenization: pieces arrive one token at a time and only complete UTF-8
 * characters leave; the bytes of a character split across tokens wait (at most 3), bytes
 * that can never become a character leave as U+FFFD. */
#include <stdlib.h>
#include <string.h>

#include "tokenizer/utf8.h"
#include "tokenizer/vocab.h"

struct nuri_detok {
    const nuri_tokenizer *t;
    bool special;
    uint8_t held[4]; /* an incomplete sequence waiting for its continuation bytes */
    size_t n_held;
    char *out;
    size_t out_len, out_cap;
};

nuri_status nuri_detok_new(const nuri_tokenizer *t, bool special, nuri_detok **out, nuri_error *err) {
    nuri_detok *d = calloc(1, sizeof *d);
    if (!d) return nuri_fail(err, NURI_ERR_NOMEM, "detokenizer: out of memory");
    d->t = t;
    d->special = special;
    *out = d;
    return NURI_OK;
}

void nuri_detok_free(nuri_detok *d) {
    if (!d) return;
    free(d->out);
    free(d);
}

size_t nuri_detok_pending(const nuri_detok *d) { return d->n_held; }

static bool out_add(nuri_detok *d, const void *p, size_t n) {
    if (!tok_grow_((void **)&d->out, &d->out_cap, d->out_len + n + 1, 1)) return false;
    memcpy(d->out + d->out_len, p, n);
    d->out_len += n;
    d->out[d->out_len] = 0;
    return true;
}

/* Emits the complete characters of held + p and holds an incomplete tail. */
static bool feed(nuri_detok *d, const uint8_t *p, size_t n) {
    uint8_t small[256];
    size_t m = d->n_held + n;
    uint8_t *buf = m <= sizeof small ? small : malloc(m);
    if (!buf) return false;
    memcpy(buf, d->held, d->n_held);
    memcpy(buf + d->n_held, p, n);
    d->n_held = 0;
    bool ok = true;
    size_t i = 0;
    while (i < m && ok) {
        uint32_t cp;
        int r = tok_utf8_decode_strict(buf + i, m - i, &cp);
        if (r > 0) {
            ok = out_add(d, buf + i, (size_t)r);
            i += (size_t)r;
        } else if (r < 0) {
            ok = out_add(d, "\xEF\xBF\xBD", 3);
            i += (size_t)-r;
        } else {
            /* a valid start of a character (at most 3 bytes): wait for the rest */
            memcpy(d->held, buf + i, m - i);
            d->n_held = m - i;
            i = m;
        }
    }
    if (buf != small) free(buf);
    return ok;
}

nuri_status nuri_detok_push(nuri_detok *d, int32_t id, const char **out, size_t *len, nuri_error *err) {
    d->out_len = 0;
    *out = "";
    *len = 0;
    if (!tok_valid_id(d->t, id))
        return nuri_fail(err, NURI_ERR_INVALID_ARG, "detokenizer: token id %d is outside the vocabulary (%d tokens)",
                         id, d->t->n_vocab);
    size_t pl;
    const char *p = nuri_token_piece(d->t, id, d->special, &pl);
    if (!feed(d, (const uint8_t *)p, pl)) return nuri_fail(err, NURI_ERR_NOMEM, "detokenizer: out of memory");
    if (d->out_len) {
        *out = d->out;
        *len = d->out_len;
    }
    return NURI_OK;
}

void nuri_detok_flush(nuri_detok *d, const char **out, size_t *len) {
    d->out_len = 0;
    *out = "";
    *len = 0;
    if (d->n_held) {
        d->n_held = 0;
        /* an incomplete sequence is one maximal invalid subpart */
        if (out_add(d, "\xEF\xBF\xBD", 3)) {
            *out = d->out;
            *len = d->out_len;
        } else {
            static const char repl[] = "\xEF\xBF\xBD";
            *out = repl;
            *len = 3;
        }
    }
}
