/* E-mail addresses: local@domain.tld with the characters addresses use in practice
 * (letters, digits, . _ % + - on the left; letters, digits and - in dot-separated labels
 * on the right, the last one 2+ letters). Korean text glued on either side ends the
 * address ("메일은abc@naver.com으로"); a trailing dot is a full stop, not the address. */
#include "text/pii_detect.h"

static bool local_char(uint8_t c) {
    return pii_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

static bool label_char(uint8_t c) { return pii_alnum(c) || c == '-'; }

void pii_scan_email(const uint8_t *s, size_t n, pii_sink *out) {
    size_t last_end = 0;
    for (size_t at = 1; at + 1 < n; at++) {
        if (s[at] != '@') continue;
        size_t a = at;
        while (a > last_end && local_char(s[a - 1])) a--;
        while (a < at && (s[a] == '.' || s[a] == '-' || s[a] == '+')) a++; /* not a start */
        if (a == at || s[at - 1] == '.') continue;
        /* domain: labels separated by single dots */
        size_t p = at + 1, end = 0, labels = 0;
        for (;;) {
            size_t q = p;
            while (q < n && label_char(s[q])) q++;
            if (q == p || s[p] == '-' || s[q - 1] == '-') break;
            labels++;
            end = q;
            if (q + 1 < n && s[q] == '.' && label_char(s[q + 1])) {
                p = q + 1;
                continue;
            }
            break;
        }
        if (labels < 2) continue;
        /* the top-level label: letters only, at least two */
        size_t t = end;
        while (t > at + 1 && s[t - 1] != '.') t--;
        bool tld = end - t >= 2;
        for (size_t k = t; tld && k < end; k++) tld = pii_alpha(s[k]);
        if (!tld) continue;
        pii_push(out, NURI_PII_EMAIL, a, end);
        last_end = end;
        at = end - 1;
    }
}
