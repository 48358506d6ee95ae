/* The detector table behind nuri_pii_detect: each detector scans the whole text for one
 * type and pushes candidate spans; the engine (pii.c) resolves overlaps. A new type is a
 * new file with a scan function, one row in pii.c's table and one enum value. */
#ifndef NURI_TEXT_PII_DETECT_H
#define NURI_TEXT_PII_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nuri/pii.h"

typedef struct {
    nuri_pii_span *v;
    size_t n, cap;
    bool oom;
} pii_sink;

void pii_push(pii_sink *s, nuri_pii_type type, size_t start, size_t end);

typedef void (*pii_scan_fn)(const uint8_t *s, size_t n, pii_sink *out);

typedef struct {
    nuri_pii_type type;
    const char *name, *placeholder;
    pii_scan_fn scan;
} pii_detector;

void pii_scan_rrn(const uint8_t *s, size_t n, pii_sink *out);
void pii_scan_phone(const uint8_t *s, size_t n, pii_sink *out);
void pii_scan_email(const uint8_t *s, size_t n, pii_sink *out);
void pii_scan_card(const uint8_t *s, size_t n, pii_sink *out);
void pii_scan_frn(const uint8_t *s, size_t n, pii_sink *out);
void pii_scan_brn(const uint8_t *s, size_t n, pii_sink *out);
void pii_scan_driver(const uint8_t *s, size_t n, pii_sink *out);
void pii_scan_passport(const uint8_t *s, size_t n, pii_sink *out);
void pii_scan_account(const uint8_t *s, size_t n, pii_sink *out);
void pii_scan_ip(const uint8_t *s, size_t n, pii_sink *out);
void pii_scan_address(const uint8_t *s, size_t n, pii_sink *out);

/* ---- shared by the number detectors ---- */

static inline bool pii_digit(uint8_t c) { return c >= '0' && c <= '9'; }
static inline bool pii_alpha(uint8_t c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
static inline bool pii_alnum(uint8_t c) { return pii_digit(c) || pii_alpha(c); }

/* A number may start at i when nothing number-like touches it on the left: no ASCII
 * letter or digit, and no '-', '.' or ',' right after a digit (it would continue a
 * longer number, a date or an amount). Korean letters and anything else are fine. */
static inline bool pii_left_ok(const uint8_t *s, size_t i) {
    if (i == 0) return true;
    uint8_t c = s[i - 1];
    if (pii_alnum(c) || c == '_') return false;
    if ((c == '-' || c == '.' || c == ',' || c == '/') && i >= 2 && pii_digit(s[i - 2])) return false;
    return true;
}

/* The mirror image at the end j (exclusive). */
static inline bool pii_right_ok(const uint8_t *s, size_t n, size_t j) {
    if (j >= n) return true;
    uint8_t c = s[j];
    if (pii_alnum(c) || c == '_') return false;
    if ((c == '-' || c == '.' || c == ',' || c == '/') && j + 1 < n && pii_digit(s[j + 1])) return false;
    return true;
}

/* Number of digits at s[i..n), at most max. */
static inline size_t pii_digits(const uint8_t *s, size_t n, size_t i, size_t max) {
    size_t k = 0;
    while (i + k < n && k < max + 1 && pii_digit(s[i + k])) k++;
    return k;
}

/* Whether the window bytes before i (or the whole prefix) contain the keyword kw. */
bool pii_keyword_before(const uint8_t *s, size_t i, size_t window, const char *kw);
/* The same for any keyword of a NULL-terminated list; ASCII letters compare without case. */
bool pii_any_keyword_before(const uint8_t *s, size_t i, size_t window, const char *const *kws);

#endif
