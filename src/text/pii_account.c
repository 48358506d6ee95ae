/* Bank account numbers. Korean banks print 10-14 digits in 2-4 groups (국민 6-2-6,
 * 신한 3-3-6, 우리 4-3-6, 하나 3-6-5, 농협 3-4-4-2, 기업 3-6-2-3, 카카오뱅크 4-2-7,
 * 토스뱅크 4-4-4, SC제일 3-2-6, 새마을금고 4-2-6-1, ...), or the same digits bare. No
 * format is unique to accounts, so one is taken only where the text says it is one: a
 * bank's name or 계좌/입금/송금/예금주 within the 48 bytes before, with no other number in
 * between (in "계좌 신한 110-123-456789, 주문번호 20240115-123456" the order number is
 * not an account); a bare run of digits needs more than a bank name that is also a
 * common word. A group of 8 or more digits (a date-led order number) is no account group. */
#include <string.h>

#include "text/pii_detect.h"

/* Words that say "account" whatever follows, and bank names that are not everyday words. */
static const char *const strong[] = {
    "계좌", "입금", "송금", "이체", "예금주", "은행", "뱅크", "금고", "국민", "KB", "신한", "농협", "NH", "IBK",
    "카뱅", "토스", "씨티", "우체국", "신협", "수협", NULL};
/* Bank names that are also everyday words (우리 "we", 하나 "one", 기업 "company"): enough
 * for a grouped number, not for a bare run of digits. */
static const char *const weak[] = {"우리", "하나", "기업", "제일", "SC", "산업", "저축", NULL};

/* Whether a keyword lies within the 48 bytes before i with no digit between it and i. */
static bool context(const uint8_t *s, size_t i, bool grouped) {
    size_t from = i > 48 ? i - 48 : 0;
    size_t lo = from;
    for (size_t p = i; p > from; p--)
        if (pii_digit(s[p - 1])) {
            lo = p;
            break;
        }
    return pii_any_keyword_before(s + lo, i - lo, i - lo, strong) ||
           (grouped && pii_any_keyword_before(s + lo, i - lo, i - lo, weak));
}

void pii_scan_account(const uint8_t *s, size_t n, pii_sink *out) {
    for (size_t i = 0; i + 10 <= n; i++) {
        if (!pii_digit(s[i]) || !pii_left_ok(s, i)) continue;
        size_t p = i, digits = 0, groups = 0, longest = 0;
        for (;;) {
            size_t k = pii_digits(s, n, p, 15);
            digits += k;
            groups++;
            p += k;
            if (k > longest) longest = k;
            if (p + 1 < n && s[p] == '-' && pii_digit(s[p + 1]) && groups < 5) {
                p++;
                continue;
            }
            break;
        }
        size_t end = p;
        bool shape = groups == 1 || (groups <= 4 && longest <= 7);
        if (shape && digits >= 10 && digits <= 14 &&
            pii_right_ok(s, n, end) && context(s, i, groups > 1)) {
            pii_push(out, NURI_PII_ACCOUNT, i, end);
        }
        i = end - 1;
    }
}
