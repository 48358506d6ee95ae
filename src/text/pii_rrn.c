/* 주민등록번호 (resident registration number, RRN) and 외국인등록번호 (foreigner
 * registration number, FRN) share one layout: YYMMDD-GSSSSSC. The birth date must be a
 * real month and day; G is a Korean national's gender/century digit (1-4, or 9/0 for the
 * 1800s) for an RRN and 5-8 for an FRN. Numbers issued since October 2020 no longer
 * satisfy the old check digits, so a hyphenated number needs none; 13 bare digits are
 * accepted only with a valid check digit or the word 주민 (외국인 for an FRN) shortly
 * before (a bare 13-digit order number would otherwise often pass). "YYMMDD-G******"
 * (masked) still reveals a birth date and counts. The FRN check digit is the RRN's plus
 * 2 (mod 10), the rule the registration software used before 2020. */
#include "text/pii_detect.h"

static bool valid_date(const uint8_t *d) {
    static const int days[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int mm = (d[2] - '0') * 10 + (d[3] - '0');
    int dd = (d[4] - '0') * 10 + (d[5] - '0');
    return mm >= 1 && mm <= 12 && dd >= 1 && dd <= days[mm];
}

static bool gender_ok(uint8_t g, bool foreigner) {
    if (foreigner) return g >= '5' && g <= '8';
    return (g >= '1' && g <= '4') || g == '9' || g == '0';
}

/* The pre-2020 check digit over 13 digits. */
static bool check_digit_ok(const uint8_t *d13, bool foreigner) {
    static const int w[12] = {2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5};
    int sum = 0;
    for (int i = 0; i < 12; i++) sum += (d13[i] - '0') * w[i];
    int c = (11 - sum % 11) % 10;
    if (foreigner) c = (c + 2) % 10;
    return c == d13[12] - '0';
}

static bool is_mask(uint8_t c) { return c == '*' || c == 'x' || c == 'X'; }

static void scan(const uint8_t *s, size_t n, pii_sink *out, bool foreigner) {
    nuri_pii_type type = foreigner ? NURI_PII_FRN : NURI_PII_RRN;
    const char *kw = foreigner ? "외국인" : "주민";
    for (size_t i = 0; i + 13 <= n; i++) {
        if (!pii_digit(s[i]) || !pii_left_ok(s, i)) continue;
        size_t k = pii_digits(s, n, i, 13);
        if (k == 13) {
            uint8_t d[13];
            for (int j = 0; j < 13; j++) d[j] = s[i + j];
            if (valid_date(d) && gender_ok(d[6], foreigner) && pii_right_ok(s, n, i + 13) &&
                (check_digit_ok(d, foreigner) || pii_keyword_before(s, i, 48, kw)))
                pii_push(out, type, i, i + 13);
            i += k - 1;
            continue;
        }
        if (k != 6 || i + 14 > n || (s[i + 6] != '-' && s[i + 6] != ' ')) {
            i += k ? k - 1 : 0;
            continue;
        }
        const uint8_t *b = s + i + 7;
        if (!valid_date(s + i) || !pii_digit(b[0]) || !gender_ok(b[0], foreigner)) continue;
        int digits = 0, masks = 0;
        for (int j = 1; j < 7; j++) {
            if (pii_digit(b[j])) digits++;
            else if (is_mask(b[j])) masks++;
        }
        /* all digits, or digits then masks (a mask never precedes a digit) */
        bool shape = digits + masks == 6;
        for (int j = 1; shape && j < 6; j++)
            if (is_mask(b[j]) && pii_digit(b[j + 1])) shape = false;
        if (!shape) continue;
        size_t end = i + 14;
        if (masks ? (end < n && (pii_digit(s[end]) || is_mask(s[end]) || pii_alpha(s[end])))
                  : !pii_right_ok(s, n, end))
            continue;
        pii_push(out, type, i, end);
        i = end - 1;
    }
}

void pii_scan_rrn(const uint8_t *s, size_t n, pii_sink *out) { scan(s, n, out, false); }
void pii_scan_frn(const uint8_t *s, size_t n, pii_sink *out) { scan(s, n, out, true); }
