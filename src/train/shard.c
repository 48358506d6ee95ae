/* Token shards: a 32-byte header ("NURITOK1", version, vocabulary size, token count)
 * followed by the ids as little-endian uint32, mapped read-only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "nuri/gguf.h"
#include "nuri/tokenizer.h"
#include "train/internal.h"

#define SHARD_MAGIC "NURITOK1"
#define SHARD_VERSION 1u
#define SHARD_HEADER 32u

struct nuri_shard {
    nuri_mapping map;
    uint32_t vocab;
    uint64_t n;
    const uint32_t *ids;
};

nuri_status nuri_shard_open(const char *path, nuri_shard **out, nuri_error *err) {
    *out = NULL;
    nuri_shard *s = calloc(1, sizeof *s);
    if (!s) return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    nuri_status st = nuri_map_file(path, &s->map, err);
    if (st) {
        free(s);
        return st;
    }
    const unsigned char *p = s->map.data;
    uint32_t version = 0;
    if (s->map.size < SHARD_HEADER || memcmp(p, SHARD_MAGIC, 8) != 0) {
        st = nuri_fail(err, NURI_ERR_FORMAT, "%s: not a token shard (no NURITOK1 header)", path);
        goto fail;
    }
    memcpy(&version, p + 8, 4);
    memcpy(&s->vocab, p + 12, 4);
    memcpy(&s->n, p + 16, 8);
    if (version != SHARD_VERSION) {
        st = nuri_fail(err, NURI_ERR_FORMAT, "%s: token shard version %u (nuri reads %u)", path, version, SHARD_VERSION);
        goto fail;
    }
    if (s->n == 0) {
        st = nuri_fail(err, NURI_ERR_FORMAT, "%s: the token shard is empty", path);
        goto fail;
    }
    if (s->vocab == 0 || s->n > (s->map.size - SHARD_HEADER) / 4 || s->map.size != SHARD_HEADER + s->n * 4) {
        st = nuri_fail(err, NURI_ERR_FORMAT, "%s: header says %llu tokens of a %u-token vocabulary but the file has %zu bytes",
                       path, (unsigned long long)s->n, s->vocab, s->map.size);
        goto fail;
    }
    s->ids = (const uint32_t *)(p + SHARD_HEADER);
    for (uint64_t i = 0; i < s->n; i++)
        if (s->ids[i] >= s->vocab) {
            st = nuri_fail(err, NURI_ERR_FORMAT, "%s: token %llu is id %u, outside the vocabulary [0, %u)", path,
                           (unsigned long long)i, s->ids[i], s->vocab);
            goto fail;
        }
    *out = s;
    return NURI_OK;
fail:
    nuri_shard_close(s);
    return st;
}

void nuri_shard_close(nuri_shard *s) {
    if (!s) return;
    nuri_unmap_file(&s->map);
    free(s);
}

uint64_t nuri_shard_n_tokens(const nuri_shard *s) { return s->n; }
uint32_t nuri_shard_vocab(const nuri_shard *s) { return s->vocab; }
const uint32_t *nuri_shard_tokens(const nuri_shard *s) { return s->ids; }

nuri_status nuri_shard_write(const char *path, uint32_t vocab, const uint32_t *ids, uint64_t n,
                             nuri_error *err) {
    if (n == 0) return nuri_fail(err, NURI_ERR_INVALID_ARG, "%s: no tokens to write", path);
    for (uint64_t i = 0; i < n; i++)
        if (ids[i] >= vocab)
            return nuri_fail(err, NURI_ERR_INVALID_ARG, "%s: id %u is outside the vocabulary [0, %u)", path, ids[i], vocab);
    unsigned char h[SHARD_HEADER] = {0};
    const uint32_t version = SHARD_VERSION;
    memcpy(h, SHARD_MAGIC, 8);
    memcpy(h + 8, &version, 4);
    memcpy(h + 12, &vocab, 4);
    memcpy(h + 16, &n, 8);
    nuri_atomic_file af;
    nuri_status st = nuri_atomic_open(&af, path, err);
    if (st) return st;
    if (fwrite(h, 1, sizeof h, af.f) != sizeof h || fwrite(ids, 4, n, af.f) != n) {
        nuri_atomic_abort(&af);
        return nuri_fail(err, NURI_ERR_IO, "%s: write failed", path);
    }
    return nuri_atomic_commit(&af, err);
}

nuri_status nuri_shard_from_text(const char *tokenizer_gguf, const char *text_path,
                                 const char *out_path, uint64_t *n_tokens, uint64_t *n_docs,
                                 nuri_error *err) {
    char *text = NULL;
    size_t len = 0;
    nuri_status st = nuri_read_file(text_path, &text, &len, err);
    if (st) return st;
    size_t bad;
    if (len == 0) {
        free(text);
        return nuri_fail(err, NURI_ERR_FORMAT, "%s: the corpus is empty", text_path);
    }
    if (!nuri_utf8_valid(text, len, &bad)) {
        free(text);
        return nuri_fail(err, NURI_ERR_FORMAT, "%s: invalid UTF-8 at byte offset %zu", text_path, bad);
    }
    nuri_gguf *g = NULL;
    nuri_tokenizer *tok = NULL;
    uint32_t *ids = NULL;
    uint64_t n = 0, cap = 0, docs = 0;
    if ((st = nuri_gguf_open(tokenizer_gguf, &g, err)) || (st = nuri_tokenizer_load(g, &tok, err))) goto done;
    const int32_t eos = nuri_token_eos(tok);
    const bool add_eos = eos >= 0 && !nuri_tokenizer_add_eos(tok);
    for (size_t pos = 0; pos < len;) {
        const char *line = text + pos, *nl = memchr(line, '\n', len - pos);
        size_t ll = nl ? (size_t)(nl - line) : len - pos;
        pos += ll + (nl ? 1 : 0);
        if (ll && line[ll - 1] == '\r') ll--;
        size_t k = 0;
        while (k < ll && (line[k] == ' ' || line[k] == '\t')) k++;
        if (k == ll) continue;
        int32_t *doc;
        size_t nd;
        if ((st = nuri_tokenize(tok, line, ll, true, false, &doc, &nd, err))) goto done;
        if (n + nd + 1 > cap) {
            uint64_t nc = cap ? cap * 2 : 1 << 16;
            while (nc < n + nd + 1) nc *= 2;
            uint32_t *ni = realloc(ids, nc * sizeof *ids);
            if (!ni) {
                free(doc);
                st = nuri_fail(err, NURI_ERR_NOMEM, "%s: out of memory", text_path);
                goto done;
            }
            ids = ni;
            cap = nc;
        }
        for (size_t i = 0; i < nd; i++) ids[n++] = (uint32_t)doc[i];
        if (add_eos) ids[n++] = (uint32_t)eos;
        free(doc);
        docs++;
    }
    if (n == 0) {
        st = nuri_fail(err, NURI_ERR_FORMAT, "%s: no text (only blank lines)", text_path);
        goto done;
    }
    st = nuri_shard_write(out_path, (uint32_t)nuri_tokenizer_n_vocab(tok), ids, n, err);
    if (!st) {
        if (n_tokens) *n_tokens = n;
        if (n_docs) *n_docs = docs;
    }
done:
    free(ids);
    nuri_tokenizer_free(tok);
    nuri_gguf_close(g);
    free(text);
    return st;
}
