/* Ids back to text. Each token's piece is computed once at load (byte-level decoding,
 * U+2581 as a space, byte tokens as their byte); nuri_detokenize joins pieces as the
 * reference does and then guarantees valid UTF-8. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokenizer/utf8.h"
#include "tokenizer/vocab.h"

typedef struct {
    char *v;
    size_t n, cap;
} strbuf;

static bool sb_add(strbuf *b, const void *p, size_t n) {
    if (!tok_grow_((void **)&b->v, &b->cap, b->n + n + 1, 1)) return false;
    memcpy(b->v + b->n, p, n);
    b->n += n;
    return true;
}

/* Byte-level BPE: each character of the token stands for one byte. */
static bool decode_byte_level(const char *text, size_t len, strbuf *out) {
    const uint8_t *u = (const uint8_t *)text;
    size_t off = 0;
    while (off < len) {
        uint32_t cp = tok_utf8_decode_lenient(u, len, &off);
        int byte = -1;
        if ((cp >= 0x21 && cp <= 0x7E) || (cp >= 0xA1 && cp <= 0xAC) || (cp >= 0xAE && cp <= 0xFF)) {
            byte = (int)cp;
        } else if (cp >= 0x100 && cp < 0x100 + 68) {
            /* the n-th byte outside the printable ranges */
            uint32_t n = cp - 0x100;
            for (int x = 0; x < 256; x++) {
                if ((x >= 0x21 && x <= 0x7E) || (x >= 0xA1 && x <= 0xAC) || x >= 0xAE) continue;
                if (n-- == 0) {
                    byte = x;
                    break;
                }
            }
        }
        if (byte >= 0) {
            uint8_t c = (uint8_t)byte;
            if (!sb_add(out, &c, 1)) return false;
        } else {
            /* what the reference writes for a character outside the byte alphabet */
            uint8_t enc[4];
            size_t el = tok_utf8_encode(cp, enc);
            char hex[16];
            if (!sb_add(out, "[UNK_BYTE_0x", 12)) return false;
            for (size_t k = 0; k < el; k++) {
                snprintf(hex, sizeof hex, "%02x", enc[k]);
                if (!sb_add(out, hex, 2)) return false;
            }
            if (!sb_add(out, text, len) || !sb_add(out, "]", 1)) return false;
        }
    }
    return true;
}

static bool unescape_spaces(const char *text, size_t len, strbuf *out) {
    for (size_t i = 0; i < len;) {
        if (i + 3 <= len && memcmp(text + i, "\xE2\x96\x81", 3) == 0) {
            if (!sb_add(out, " ", 1)) return false;
            i += 3;
        } else {
            if (!sb_add(out, text + i, 1)) return false;
            i++;
        }
    }
    return true;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* "<0xAB>" -> 0xAB, read the lenient way strtol would. */
static uint8_t byte_of(const char *text, size_t len) {
    int v = 0;
    for (size_t i = 3; i < 5 && i < len; i++) {
        int h = hexval(text[i]);
        if (h < 0) break;
        v = v * 16 + h;
    }
    return (uint8_t)v;
}

static bool piece_of(const nuri_tokenizer *t, int32_t id, strbuf *out) {
    uint32_t attr = t->attr[id];
    const char *text = tok_text(t, id);
    size_t len = t->tokens[id].len;
    if (attr & (NURI_TOKEN_ATTR_UNKNOWN | NURI_TOKEN_ATTR_CONTROL | NURI_TOKEN_ATTR_USER_DEFINED))
        return sb_add(out, text, len);
    if (attr & NURI_TOKEN_ATTR_NORMAL) {
        if (t->kind == NURI_TOK_BPE) return decode_byte_level(text, len, out);
        return unescape_spaces(text, len, out);
    }
    if (attr & NURI_TOKEN_ATTR_BYTE) {
        uint8_t b = byte_of(text, len);
        return sb_add(out, &b, 1);
    }
    return true; /* unused or undefined: nothing */
}

nuri_status tok_pieces_prepare(nuri_tokenizer *t, nuri_error *err) {
    strbuf b = {0};
    t->pieces = malloc((size_t)t->n_vocab * sizeof *t->pieces);
    if (!t->pieces) return nuri_fail(err, NURI_ERR_NOMEM, "tokenizer: out of memory");
    for (int32_t id = 0; id < t->n_vocab; id++) {
        size_t start = b.n;
        if (!piece_of(t, id, &b)) {
            free(b.v);
            return nuri_fail(err, NURI_ERR_NOMEM, "tokenizer: out of memory");
        }
        if (b.n > UINT32_MAX) {
            free(b.v);
            return nuri_fail(err, NURI_ERR_FORMAT, "tokenizer: vocabulary text too large");
        }
        t->pieces[id] = (tok_span){(uint32_t)start, (uint32_t)(b.n - start)};
    }
    t->piece_text = b.v ? b.v : malloc(1);
    if (!t->piece_text) return nuri_fail(err, NURI_ERR_NOMEM, "tokenizer: out of memory");
    return NURI_OK;
}

const char *nuri_token_piece(const nuri_tokenizer *t, int32_t id, bool special, size_t *len) {
    if (!tok_valid_id(t, id) ||
        (!special && (t->attr[id] & (NURI_TOKEN_ATTR_UNKNOWN | NURI_TOKEN_ATTR_CONTROL)))) {
        *len = 0;
        return "";
    }
    *len = t->pieces[id].len;
    return t->piece_text + t->pieces[id].off;
}

/* The reference's clean-up of tokenization spaces: " ?", " !", " .", " ," lose the space,
 * " ' " becomes "'", and " 's", " 'm", " 're", " 've" lose the space. */
static size_t clean_spaces(char *text, size_t total) {
    size_t t1 = total, n = total ? 1 : 0;
    for (size_t i = 1; i < t1; i++) {
        char x = text[i];
        if (text[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',')) n--;
        text[n++] = x;
    }
    size_t t2 = n;
    n = t2 ? 1 : 0;
    for (size_t i = 1; i < t2; i++) {
        char x = text[i];
        if (x == '\'' && i + 1 < t2 && text[i - 1] == ' ' && text[i + 1] == ' ') {
            n--;
            text[++i] = '\0';
        }
        text[n++] = x;
    }
    size_t t3 = n;
    n = t3 ? 1 : 0;
    for (size_t i = 1; i < t3; i++) {
        char x = text[i];
        if (text[i - 1] == ' ' && x == '\'' && i + 1 < t3) {
            char x1 = text[i + 1];
            if (x1 == 's' || x1 == 'm') {
                n--;
            } else if (i + 2 < t3) {
                char x2 = text[i + 2];
                if ((x1 == 'r' && x2 == 'e') || (x1 == 'v' && x2 == 'e')) n--;
            }
        }
        text[n++] = x;
    }
    return n;
}

nuri_status nuri_detokenize(const nuri_tokenizer *t, const int32_t *ids, size_t n,
                            bool remove_special, bool unparse_special, char **out, size_t *len,
                            nuri_error *err) {
    *out = NULL;
    *len = 0;
    for (size_t i = 0; i < n; i++)
        if (!tok_valid_id(t, ids[i]))
            return nuri_fail(err, NURI_ERR_INVALID_ARG, "detokenize: token id %d is outside the vocabulary (%d tokens)",
                             ids[i], t->n_vocab);
    bool remove_space = t->add_space_prefix;
    if (remove_special && t->add_bos && n > 0 && ids[0] == t->bos) {
        remove_space = false;
        ids++;
        n--;
    }
    if (remove_special && t->add_eos && n > 0 && ids[n - 1] == t->eos) n--;
    strbuf raw = {0};
    for (size_t i = 0; i < n; i++) {
        size_t pl;
        const char *p = nuri_token_piece(t, ids[i], unparse_special, &pl);
        /* only the first token loses a leading space, even when it has no text */
        if (remove_space && pl > 0 && p[0] == ' ') {
            p++;
            pl--;
        }
        remove_space = false;
        if (!sb_add(&raw, p, pl)) {
            free(raw.v);
            return nuri_fail(err, NURI_ERR_NOMEM, "detokenize: out of memory");
        }
    }
    size_t total = raw.n;
    if (t->clean_spaces && total) total = clean_spaces(raw.v, total);
    char *buf = NULL;
    size_t blen = 0, bcap = 0;
    if (!tok_utf8_sanitize_append((const uint8_t *)(raw.v ? raw.v : ""), total, &buf, &blen, &bcap)) {
        free(raw.v);
        return nuri_fail(err, NURI_ERR_NOMEM, "detokenize: out of memory");
    }
    free(raw.v);
    *out = buf;
    *len = blen;
    return NURI_OK;
}
