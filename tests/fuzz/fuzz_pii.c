/* Fuzz target for PII detection and redaction. The input is text (any bytes); the first
 * byte, when present, also picks the type subset of a second pass. Invariants: spans lie
 * inside the text, are non-empty, sorted and disjoint; a subset of types finds a subset
 * of the spans (exactly those of its types); redaction is one pass replacing exactly the
 * detected spans followed by redaction of that, and leaves no entity behind.
 * Broken invariants abort(), which the fuzzer reports as a crash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nuri/pii.h"

static void require(int cond, const char *what) {
    if (!cond) {
        fprintf(stderr, "fuzz_pii: invariant broken: %s\n", what);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *text = (const char *)data;
    nuri_error err;
    nuri_pii_span *sp = NULL;
    size_t n = 0;
    require(nuri_pii_detect(text, size, NURI_PII_ALL, &sp, &n, &err) == NURI_OK, "detect failed");
    for (size_t i = 0; i < n; i++) {
        require(sp[i].start < sp[i].end && sp[i].end <= size, "span outside the text");
        require(i == 0 || sp[i - 1].end <= sp[i].start, "spans overlap or are unsorted");
        require((unsigned)sp[i].type < NURI_PII_TYPE_COUNT, "bad type");
    }

    /* one pass by hand: the text with exactly those spans replaced */
    size_t o = 0, pos = 0;
    char *once = malloc(size + 16 * n + 1);
    require(once != NULL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        memcpy(once + o, text + pos, sp[i].start - pos);
        o += sp[i].start - pos;
        const char *ph = nuri_pii_placeholder(sp[i].type);
        memcpy(once + o, ph, strlen(ph));
        o += strlen(ph);
        pos = sp[i].end;
    }
    memcpy(once + o, text + pos, size - pos);
    o += size - pos;

    /* redaction is that pass followed by redaction of its result, counts all entities,
     * leaves nothing to find, and changes nothing found nowhere */
    char *out = NULL, *again = NULL;
    size_t out_len = 0, again_len = 0;
    uint64_t counts[NURI_PII_TYPE_COUNT] = {0}, counts2[NURI_PII_TYPE_COUNT] = {0};
    require(nuri_pii_redact(text, size, NURI_PII_ALL, &out, &out_len, counts, &err) == NURI_OK, "redact failed");
    require(out[out_len] == 0, "redaction not terminated");
    require(nuri_pii_redact(once, o, NURI_PII_ALL, &again, &again_len, counts2, &err) == NURI_OK, "redact 2 failed");
    require(again_len == out_len && !memcmp(again, out, out_len), "redaction is not one pass and then redaction");
    uint64_t total = 0, total2 = 0;
    for (int t = 0; t < NURI_PII_TYPE_COUNT; t++) total += counts[t], total2 += counts2[t];
    require(total == n + total2, "counts do not add up");
    require(n || (out_len == size && !memcmp(out, text, size)), "text without entities changed");
    nuri_pii_span *rest = NULL;
    size_t n_rest = 0;
    require(nuri_pii_detect(out, out_len, NURI_PII_ALL, &rest, &n_rest, &err) == NURI_OK && n_rest == 0,
            "entities left after redaction");
    free(rest);
    free(again);
    free(once);
    free(out);

    /* one type alone: each of its spans from the full pass is found again */
    if (size) {
        nuri_pii_type t = (nuri_pii_type)(data[0] % NURI_PII_TYPE_COUNT);
        nuri_pii_span *s1 = NULL;
        size_t n1 = 0, j = 0;
        require(nuri_pii_detect(text, size, 1u << t, &s1, &n1, &err) == NURI_OK, "detect subset failed");
        for (size_t i = 0; i < n1; i++) require(s1[i].type == t, "subset returned another type");
        for (size_t i = 0; i < n; i++) {
            if (sp[i].type != t) continue;
            while (j < n1 && s1[j].start < sp[i].start) j++;
            require(j < n1 && s1[j].start == sp[i].start && s1[j].end == sp[i].end, "subset lost a span");
        }
        free(s1);
    }
    free(sp);
    return 0;
}
