/* Payment card numbers: 16 digits as 4-4-4-4 (or bare), American Express 15 as 4-6-5
 * (or bare), Diners 14 as 4-6-4, separated by '-' or ' ' consistently, passing the Luhn
 * check and starting with an issuer digit (2-6, or 9 for Korean domestic cards). A bare
 * 16-digit run must also start with a real issuer prefix (34/37, 4, 51-55, 2221-2720, 6,
 * 9), which keeps date-led order numbers (2023...) out. */
#include "text/pii_detect.h"

static bool luhn(const uint8_t *d, size_t n) {
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        int v = d[n - 1 - i] - '0';
        if (i & 1) {
            v *= 2;
            if (v > 9) v -= 9;
        }
        sum += v;
    }
    return sum % 10 == 0;
}

static bool issuer_digit(uint8_t c) { return (c >= '2' && c <= '6') || c == '9'; }

static bool strict_prefix(const uint8_t *d, size_t n) {
    int p2 = (d[0] - '0') * 10 + (d[1] - '0');
    int p4 = p2 * 100 + (d[2] - '0') * 10 + (d[3] - '0');
    if (n == 15) return p2 == 34 || p2 == 37;
    return d[0] == '4' || (p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720) || d[0] == '6' ||
           d[0] == '9';
}

void pii_scan_card(const uint8_t *s, size_t n, pii_sink *out) {
    static const uint8_t shapes[3][5] = {{4, 4, 4, 4, 0}, {4, 6, 5, 0, 0}, {4, 6, 4, 0, 0}};
    for (size_t i = 0; i + 14 <= n; i++) {
        if (!pii_digit(s[i]) || !pii_left_ok(s, i)) continue;
        size_t run = pii_digits(s, n, i, 16);
        if (run == 15 || run == 16) {
            if (pii_right_ok(s, n, i + run) && strict_prefix(s + i, run) && luhn(s + i, run))
                pii_push(out, NURI_PII_CARD, i, i + run);
            i += run - 1;
            continue;
        }
        if (run != 4 || !issuer_digit(s[i])) {
            i += run ? run - 1 : 0;
            continue;
        }
        uint8_t sep = i + 4 < n ? s[i + 4] : 0;
        if (sep != '-' && sep != ' ') continue;
        for (int k = 0; k < 3; k++) {
            uint8_t d[19];
            size_t nd = 0, p = i;
            bool ok = true;
            for (int g = 0; ok && shapes[k][g]; g++) {
                if (g) ok = p < n && s[p++] == sep;
                if (ok) ok = pii_digits(s, n, p, shapes[k][g]) == shapes[k][g];
                for (int j = 0; ok && j < shapes[k][g]; j++) d[nd++] = s[p++];
            }
            if (ok && pii_right_ok(s, n, p) && luhn(d, nd)) {
                pii_push(out, NURI_PII_CARD, i, p);
                i = p - 1;
                break;
            }
        }
    }
}
