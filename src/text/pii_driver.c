/* 운전면허번호 (driver's licence number): a two-digit region code (11-26 for the
 * provinces, 28 for northern Gyeonggi), two digits of year, six of serial and two of
 * check, written 11-23-456789-01, or since 2011 with the region spelled out:
 * 서울 23-456789-01. The hyphenated forms are distinctive enough alone (the region
 * code and the 2-2-6-2 grouping); twelve bare digits need the word 면허 shortly before.
 * No public check-digit rule exists, so none is applied. */
#include <string.h>

#include "text/pii_detect.h"

static bool region_code(const uint8_t *d) {
    int r = (d[0] - '0') * 10 + (d[1] - '0');
    return (r >= 11 && r <= 26) || r == 28;
}

/* "YY-NNNNNN-CC" at s[i]: its end, or 0. */
static size_t tail_262(const uint8_t *s, size_t n, size_t i) {
    if (i + 12 > n || pii_digits(s, n, i, 2) != 2 || s[i + 2] != '-' || pii_digits(s, n, i + 3, 6) != 6 ||
        s[i + 9] != '-' || pii_digits(s, n, i + 10, 2) != 2)
        return 0;
    return i + 12;
}

/* Region names as printed on licences since 2011; the longest first. */
static const char *const regions[] = {"경기북부", "서울", "부산", "경기", "강원", "충북", "충남", "전북",
                                      "전남", "경북", "경남", "제주", "대구", "인천", "광주", "대전",
                                      "울산", NULL};

/* The region name ending right before the digits at i (one optional space between):
 * its start, or i when none. */
static size_t region_name_before(const uint8_t *s, size_t i) {
    size_t j = i;
    if (j && s[j - 1] == ' ') j--;
    for (const char *const *r = regions; *r; r++) {
        size_t k = strlen(*r);
        if (j >= k && !memcmp(s + j - k, *r, k)) return j - k;
    }
    return i;
}

void pii_scan_driver(const uint8_t *s, size_t n, pii_sink *out) {
    for (size_t i = 0; i + 12 <= n; i++) {
        if (!pii_digit(s[i]) || !pii_left_ok(s, i)) continue;
        size_t k = pii_digits(s, n, i, 12);
        size_t start = i, end = 0;
        if (k == 12) {
            if (region_code(s + i) && pii_keyword_before(s, i, 48, "면허")) end = i + 12;
        } else if (k == 2 && s[i + 2] == '-') {
            size_t e = i + 15 <= n ? tail_262(s, n, i + 3) : 0;
            if (e && region_code(s + i)) {
                end = e;
            } else if (tail_262(s, n, i)) {
                size_t r = region_name_before(s, i);
                if (r < i) start = r, end = i + 12;
            }
        }
        if (end && pii_right_ok(s, n, end)) {
            pii_push(out, NURI_PII_DRIVER, start, end);
            i = end - 1;
            continue;
        }
        i += k ? k - 1 : 0;
    }
}
