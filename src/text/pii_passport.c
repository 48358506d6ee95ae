/* 여권번호 (Korean passport number): a type letter (M ordinary, S official, R travel
 * certificate, G diplomatic... as issued: M, S, R, G, D) and eight digits (M12345678), or
 * since December 2021 a letter, three digits, a letter and four digits (M123A4567). The
 * shape alone is a common product-code shape, so the word 여권 or "passport" must occur
 * shortly before. Upper-case letters only: that is how the number is printed. */
#include "text/pii_detect.h"

static bool type_letter(uint8_t c) { return c == 'M' || c == 'S' || c == 'R' || c == 'G' || c == 'D'; }
static bool upper(uint8_t c) { return c >= 'A' && c <= 'Z'; }

static const char *const keywords[] = {"여권", "passport", NULL};

void pii_scan_passport(const uint8_t *s, size_t n, pii_sink *out) {
    for (size_t i = 0; i + 9 <= n; i++) {
        if (!type_letter(s[i]) || (i && (pii_alnum(s[i - 1]) || s[i - 1] == '_'))) continue;
        bool old_form = pii_digits(s, n, i + 1, 8) == 8;
        bool new_form = pii_digits(s, n, i + 1, 3) == 3 && upper(s[i + 4]) && pii_digits(s, n, i + 5, 4) == 4;
        if (!old_form && !new_form) continue;
        if (!pii_right_ok(s, n, i + 9) || !pii_any_keyword_before(s, i, 64, keywords)) continue;
        pii_push(out, NURI_PII_PASSPORT, i, i + 9);
        i += 8;
    }
}
