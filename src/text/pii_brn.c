/* 사업자등록번호 (business registration number): ten digits written 123-45-67890 whose
 * last digit is the check digit (weights 1,3,7,1,3,7,1,3,5 over the first nine, plus the
 * tens digit of the ninth digit times 5). The check digit is what separates a business
 * number from any other 3-2-5 number, so it is always required; ten bare digits also need
 * the word 사업자 shortly before (one in ten random numbers passes the check). */
#include "text/pii_detect.h"

static bool check_ok(const uint8_t *d10) {
    static const int w[9] = {1, 3, 7, 1, 3, 7, 1, 3, 5};
    int sum = 0;
    for (int i = 0; i < 9; i++) sum += (d10[i] - '0') * w[i];
    sum += (d10[8] - '0') * 5 / 10;
    return (10 - sum % 10) % 10 == d10[9] - '0';
}

void pii_scan_brn(const uint8_t *s, size_t n, pii_sink *out) {
    for (size_t i = 0; i + 10 <= n; i++) {
        if (!pii_digit(s[i]) || !pii_left_ok(s, i)) continue;
        size_t k = pii_digits(s, n, i, 10);
        uint8_t d[10];
        size_t end = 0;
        if (k == 10) {
            if (pii_keyword_before(s, i, 48, "사업자")) {
                for (int j = 0; j < 10; j++) d[j] = s[i + j];
                end = i + 10;
            }
        } else if (k == 3 && i + 12 <= n && s[i + 3] == '-' && pii_digits(s, n, i + 4, 2) == 2 &&
                   s[i + 6] == '-' && pii_digits(s, n, i + 7, 5) == 5) {
            for (int j = 0; j < 3; j++) d[j] = s[i + j];
            for (int j = 0; j < 2; j++) d[3 + j] = s[i + 4 + j];
            for (int j = 0; j < 5; j++) d[5 + j] = s[i + 7 + j];
            end = i + 12;
        }
        if (end && pii_right_ok(s, n, end) && check_ok(d)) {
            pii_push(out, NURI_PII_BRN, i, end);
            i = end - 1;
            continue;
        }
        i += k ? k - 1 : 0;
    }
}
