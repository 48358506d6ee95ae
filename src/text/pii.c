/* The PII engine: runs the detector table, then keeps a disjoint, sorted set of spans. */
#include <stdlib.h>
#include <string.h>

#include "text/pii_detect.h"

/* One row per type, in enum order; earlier rows win ties between overlapping spans of
 * equal extent. */
static const pii_detector detectors[NURI_PII_TYPE_COUNT] = {
    {NURI_PII_RRN, "RRN", "[RRN]", pii_scan_rrn},
    {NURI_PII_PHONE, "PHONE", "[PHONE]", pii_scan_phone},
    {NURI_PII_EMAIL, "EMAIL", "[EMAIL]", pii_scan_email},
    {NURI_PII_CARD, "CARD", "[CARD]", pii_scan_card},
    {NURI_PII_FRN, "FRN", "[FRN]", pii_scan_frn},
    {NURI_PII_BRN, "BRN", "[BRN]", pii_scan_brn},
    {NURI_PII_DRIVER, "DRIVER", "[DRIVER]", pii_scan_driver},
    {NURI_PII_PASSPORT, "PASSPORT", "[PASSPORT]", pii_scan_passport},
    {NURI_PII_ACCOUNT, "ACCOUNT", "[ACCOUNT]", pii_scan_account},
    {NURI_PII_IP, "IP", "[IP]", pii_scan_ip},
    {NURI_PII_ADDRESS, "ADDRESS", "[ADDRESS]", pii_scan_address},
};

const char *nuri_pii_type_name(nuri_pii_type type) {
    return (unsigned)type < NURI_PII_TYPE_COUNT ? detectors[type].name : NULL;
}

const char *nuri_pii_placeholder(nuri_pii_type type) {
    return (unsigned)type < NURI_PII_TYPE_COUNT ? detectors[type].placeholder : NULL;
}

int nuri_pii_type_from_name(const char *name) {
    for (int t = 0; t < NURI_PII_TYPE_COUNT; t++) {
        const char *a = detectors[t].name, *b = name;
        while (*a && *b && (*a | 0x20) == (*b | 0x20)) a++, b++;
        if (!*a && !*b) return t;
    }
    return -1;
}

bool nuri_pii_types_from_list(const char *list, bool allow_none, uint32_t *types) {
    if (!strcmp(list, "all")) {
        *types = NURI_PII_ALL;
        return true;
    }
    if (allow_none && !strcmp(list, "none")) {
        *types = 0;
        return true;
    }
    uint32_t set = 0;
    const char *p = list;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char name[16];
        if (len == 0 || len >= sizeof name) return false;
        memcpy(name, p, len);
        name[len] = 0;
        int t = nuri_pii_type_from_name(name);
        if (t < 0) return false;
        set |= 1u << t;
        if (!comma) break;
        p = comma + 1;
    }
    *types = set;
    return true;
}

void pii_push(pii_sink *s, nuri_pii_type type, size_t start, size_t end) {
    if (s->oom) return;
    if (s->n == s->cap) {
        size_t c = s->cap ? s->cap * 2 : 16;
        nuri_pii_span *v = realloc(s->v, c * sizeof *v);
        if (!v) {
            s->oom = true;
            return;
        }
        s->v = v;
        s->cap = c;
    }
    s->v[s->n++] = (nuri_pii_span){type, start, end};
}

bool pii_keyword_before(const uint8_t *s, size_t i, size_t window, const char *kw) {
    size_t k = strlen(kw);
    size_t from = i > window ? i - window : 0;
    for (size_t p = from; p + k <= i; p++)
        if (memcmp(s + p, kw, k) == 0) return true;
    return false;
}

bool pii_any_keyword_before(const uint8_t *s, size_t i, size_t window, const char *const *kws) {
    size_t from = i > window ? i - window : 0;
    for (const char *const *kw = kws; *kw; kw++) {
        size_t k = strlen(*kw);
        for (size_t p = from; p + k <= i; p++) {
            size_t j = 0;
            while (j < k && (s[p + j] == (uint8_t)(*kw)[j] ||
                             (pii_alpha(s[p + j]) && (s[p + j] | 0x20) == ((uint8_t)(*kw)[j] | 0x20))))
                j++;
            if (j == k) return true;
        }
    }
    return false;
}

static int span_order(const void *a, const void *b) {
    const nuri_pii_span *x = a, *y = b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    if (x->end != y->end) return x->end > y->end ? -1 : 1; /* longer first */
    return (int)x->type - (int)y->type;
}

nuri_status nuri_pii_detect(const char *text, size_t len, uint32_t types, nuri_pii_span **spans,
                            size_t *n, nuri_error *err) {
    *spans = NULL;
    *n = 0;
    if (!text && len) return nuri_fail(err, NURI_ERR_INVALID_ARG, "pii: NULL text");
    pii_sink sink = {0};
    for (int t = 0; t < NURI_PII_TYPE_COUNT; t++)
        if (types & (1u << t)) detectors[t].scan((const uint8_t *)text, len, &sink);
    if (sink.oom) {
        free(sink.v);
        return nuri_fail(err, NURI_ERR_NOMEM, "pii: out of memory");
    }
    if (sink.n > 1) qsort(sink.v, sink.n, sizeof *sink.v, span_order);
    /* Sweep: a span that overlaps the last one kept loses (the kept one starts earlier,
     * or starts together and is at least as long). */
    size_t kept = 0;
    for (size_t i = 0; i < sink.n; i++) {
        if (kept && sink.v[i].start < sink.v[kept - 1].end) continue;
        sink.v[kept++] = sink.v[i];
    }
    *spans = sink.v;
    *n = kept;
    return NURI_OK;
}

/* One pass: text with the spans found now replaced. */
static nuri_status redact_once(const char *text, size_t len, uint32_t types, char **out, size_t *out_len,
                               uint64_t *counts, size_t *found, nuri_error *err) {
    nuri_pii_span *sp;
    size_t ns;
    nuri_status st = nuri_pii_detect(text, len, types, &sp, &ns, err);
    if (st) return st;
    /* No placeholder is longer than 16 bytes, so this bounds the output. */
    size_t cap = len + 16 * ns + 1;
    char *buf = malloc(cap);
    if (!buf) {
        free(sp);
        return nuri_fail(err, NURI_ERR_NOMEM, "pii: out of memory");
    }
    size_t o = 0, pos = 0;
    for (size_t i = 0; i < ns; i++) {
        memcpy(buf + o, text + pos, sp[i].start - pos);
        o += sp[i].start - pos;
        const char *ph = detectors[sp[i].type].placeholder;
        size_t pl = strlen(ph);
        memcpy(buf + o, ph, pl);
        o += pl;
        pos = sp[i].end;
        if (counts) counts[sp[i].type]++;
    }
    if (len > pos) memcpy(buf + o, text + pos, len - pos);
    o += len - pos;
    buf[o] = 0;
    free(sp);
    *out = buf;
    *out_len = o;
    *found = ns;
    return NURI_OK;
}

/* Removing an entity can expose a neighbour that its text hid: in
 * "4111-1111-1111-1111,00ef@naver.com" the comma before a digit makes the card look like
 * the start of a longer number until the e-mail is a placeholder. So redaction repeats
 * until a pass finds nothing; placeholders are never part of an entity, so every pass
 * removes entity bytes and the loop ends (the cap is a guard, never reached in practice). */
nuri_status nuri_pii_redact(const char *text, size_t len, uint32_t types, char **out,
                            size_t *out_len, uint64_t *counts, nuri_error *err) {
    *out = NULL;
    if (out_len) *out_len = 0;
    if (!text && len) return nuri_fail(err, NURI_ERR_INVALID_ARG, "pii: NULL text");
    char *cur = NULL;
    size_t cur_len = 0, found = 0;
    nuri_status st = redact_once(text ? text : "", len, types, &cur, &cur_len, counts, &found, err);
    for (int pass = 1; !st && found && pass < 64; pass++) {
        char *next;
        size_t next_len;
        st = redact_once(cur, cur_len, types, &next, &next_len, counts, &found, err);
        if (!st) {
            free(cur);
            cur = next;
            cur_len = next_len;
        }
    }
    if (st) {
        free(cur);
        return st;
    }
    *out = cur;
    if (out_len) *out_len = cur_len;
    return NURI_OK;
}
