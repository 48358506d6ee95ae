/* nuri: Korean personal data (PII) detection and redaction.
 *
 * Detection runs a fixed table of detectors over the bytes of a text; each one reports
 * spans (type, half-open byte offsets [start, end)). Overlaps are resolved (the earliest
 * start wins, then the longest span, then the earlier type) so the result is sorted and
 * disjoint. Detectors work on bytes: the text may be any bytes (invalid UTF-8 included),
 * and a Korean particle or word glued to a number ("010-1234-5678이야", "번호는01012345678")
 * does not hide it, while digits or ASCII letters glued to it do (a longer number is not a
 * phone number). Redaction replaces each span by its placeholder ("[PHONE]").
 *
 * What each detector accepts, and what it deliberately leaves alone, is in docs/pii.md.
 * Functions here keep no state and may run on several threads at once. */
#ifndef NURI_PII_H
#define NURI_PII_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nuri/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* New types are appended (the values are indices into per-type count arrays). */
typedef enum {
    NURI_PII_RRN,   /* 주민등록번호: YYMMDD-GSSSSSC, date and gender digit checked */
    NURI_PII_PHONE, /* mobile (010-1234-5678, +82 10 ...) and landline (02-123-4567) */
    NURI_PII_EMAIL, /* local@domain.tld */
    NURI_PII_CARD,  /* card numbers of 14-16 digits passing the Luhn check */
    NURI_PII_FRN,      /* 외국인등록번호: YYMMDD-GSSSSSC with G in 5-8 */
    NURI_PII_BRN,      /* 사업자등록번호: 123-45-67890 passing its check digit */
    NURI_PII_DRIVER,   /* 운전면허번호: 11-23-456789-01, 서울 23-456789-01 */
    NURI_PII_PASSPORT, /* 여권번호 M12345678, M123A4567 near the word 여권 / passport */
    NURI_PII_ACCOUNT,  /* bank account numbers near a bank name or 계좌 */
    NURI_PII_IP,       /* IPv4 and IPv6 addresses */
    NURI_PII_ADDRESS,  /* 도로명주소: 시/도 시/군/구 도로명 건물번호 (동/호) */
    NURI_PII_TYPE_COUNT
} nuri_pii_type;

/* A bit set of types: 1u << NURI_PII_RRN | ... */
#define NURI_PII_ALL ((1u << NURI_PII_TYPE_COUNT) - 1u)

typedef struct {
    nuri_pii_type type;
    size_t start, end; /* bytes [start, end) of the text */
} nuri_pii_span;

/* "RRN", "PHONE", ... (NULL when out of range). */
const char *nuri_pii_type_name(nuri_pii_type type);
/* "[RRN]", "[PHONE]", ... (NULL when out of range). */
const char *nuri_pii_placeholder(nuri_pii_type type);
/* The type named name (case-insensitive), or -1. */
int nuri_pii_type_from_name(const char *name);
/* A comma-separated list of type names, or "all", or (when allow_none) "none", as a bit
 * set in *types; false (and *types unchanged) on an unknown name or an empty list. */
bool nuri_pii_types_from_list(const char *list, bool allow_none, uint32_t *types);

/* Finds the entities of the types in `types` (a bit set). *spans is malloc'd (free it;
 * it may be non-NULL with *n == 0), sorted by start and disjoint. */
nuri_status nuri_pii_detect(const char *text, size_t len, uint32_t types, nuri_pii_span **spans,
                            size_t *n, nuri_error *err);

/* Writes text with every detected entity replaced by its placeholder, then detects again
 * on the result until nothing is found (removing an entity can expose a neighbour it
 * hid), so the result has no entity left and redacting it again changes nothing. *out is
 * malloc'd and NUL-terminated; counts (if not NULL, NURI_PII_TYPE_COUNT entries) are
 * incremented by the number of entities of each type replaced. */
nuri_status nuri_pii_redact(const char *text, size_t len, uint32_t types, char **out,
                            size_t *out_len, uint64_t *counts, nuri_error *err);

#ifdef __cplusplus
}
#endif
#endif
