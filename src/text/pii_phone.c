/* Korean phone numbers: mobile 010 (and the old 011/016-019), landlines with a real area
 * code (02, 031-033, 041-044, 051-055, 061-064) and 070 internet phones, written
 * 010-1234-5678, 010.1234.5678, 010 1234 5678, 01012345678, (02) 123-4567, 02)123-4567,
 * or internationally +82 10-1234-5678, +82-2-123-4567, +82 (0)10 ..., +821012345678.
 * A landline exchange starts with 2-9 and a mobile one with 1-9 (Korean numbering assigns
 * no 0 there), which keeps 0-led serials out. Company numbers (1588-xxxx) and toll-free 080 numbers are
 * not personal and are left alone. */
#include "text/pii_detect.h"

/* Area code (without its leading 0) at s[i]: its length, 0 when none. *mobile is set for
 * 10-19. */
static size_t area_code(const uint8_t *s, size_t n, size_t i, bool *mobile) {
    *mobile = false;
    if (i >= n || !pii_digit(s[i])) return 0;
    if (s[i] == '2') return 1;
    if (i + 1 >= n || !pii_digit(s[i + 1])) return 0;
    int a = (s[i] - '0') * 10 + (s[i + 1] - '0');
    switch (a) {
    case 10: case 11: case 16: case 17: case 18: case 19:
        *mobile = true;
        return 2;
    case 31: case 32: case 33: case 41: case 42: case 43: case 44:
    case 51: case 52: case 53: case 54: case 55: case 61: case 62: case 63: case 64:
    case 70:
        return 2;
    default:
        return 0;
    }
}

static bool is_sep(uint8_t c) { return c == '-' || c == '.' || c == ' '; }

/* Matches the number from its area code at s[i] (the trunk 0 already consumed or, when
 * international, absent); paren: the area code was opened by '('. Returns the end or 0. */
static size_t national(const uint8_t *s, size_t n, size_t i, bool paren) {
    bool mobile;
    size_t al = area_code(s, n, i, &mobile);
    if (!al) return 0;
    bool m010 = mobile && s[i + 1] == '0'; /* 010 numbers all have 4-digit exchanges */
    /* Landline exchanges start with 2-9; mobile ones also with 1 (010-1234-5678). */
    uint8_t low = mobile ? '1' : '2';
    size_t p = i + al;
    uint8_t sep = 0; /* 0: not separated */
    if (paren && (p >= n || s[p] != ')')) return 0;
    if (p < n && s[p] == ')') { /* "(02) 123-4567", also without the '(' */
        p++;
        sep = ')';
        if (p < n && (s[p] == ' ' || s[p] == '-')) p++;
    } else if (p < n && is_sep(s[p])) {
        sep = s[p++];
    }
    if (!sep) {
        /* all digits: the run length decides (3- or 4-digit exchange) */
        size_t k = pii_digits(s, n, p, 8);
        if ((k != 7 && k != 8) || s[p] < low) return 0;
        if (m010 && k != 8) return 0;
        return p + k;
    }
    size_t m = pii_digits(s, n, p, 4);
    if ((m != 3 && m != 4) || s[p] < low) return 0;
    if (m010 && m != 4) return 0;
    p += m;
    if (p >= n) return 0;
    if (sep == ')' ? !is_sep(s[p]) : s[p] != sep) return 0;
    p++;
    if (pii_digits(s, n, p, 4) != 4) return 0;
    return p + 4;
}

void pii_scan_phone(const uint8_t *s, size_t n, pii_sink *out) {
    for (size_t i = 0; i + 9 <= n; i++) {
        uint8_t c = s[i];
        if (c != '0' && c != '+' && c != '(') continue;
        if (!pii_left_ok(s, i)) continue;
        size_t end = 0;
        if (c == '+') {
            if (i + 3 >= n || s[i + 1] != '8' || s[i + 2] != '2') continue;
            size_t p = i + 3;
            if (p < n && (s[p] == ' ' || s[p] == '-')) p++;
            if (p + 3 <= n && s[p] == '(' && s[p + 1] == '0' && s[p + 2] == ')') {
                p += 3;
                if (p < n && s[p] == ' ') p++;
            } else if (p < n && s[p] == '0') {
                p++; /* +82 010-...: the trunk 0 written anyway */
            }
            end = national(s, n, p, false);
        } else if (c == '(') {
            if (i + 1 < n && s[i + 1] == '0') end = national(s, n, i + 2, true);
        } else {
            end = national(s, n, i + 1, false);
        }
        if (!end || !pii_right_ok(s, n, end)) continue;
        pii_push(out, NURI_PII_PHONE, i, end);
        i = end - 1;
    }
}
