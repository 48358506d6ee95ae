/* IP addresses. IPv4: four decimal numbers 0-255 joined by dots, without leading zeros
 * (010.1.1.1 is not how addresses are written, and a longer dotted run such as a
 * version 1.2.3.4.5 is not one address), and not four one-digit numbers (1.2.3.4 is an
 * enumeration in Korean reviews far more often) nor 0.0.0.0 / 255.255.255.255. A port after it (":8080") is not part of it.
 * IPv6: hexadecimal groups of 1-4 digits joined by ':', eight of them, or fewer with one
 * "::" standing for the missing zeros; a run of colons without "::" and fewer than eight
 * groups (times 12:30:45, MAC addresses) is not one, nor is a compressed form without a
 * digit or with only two groups the first of which is short (dead::beef, a::b). Embedded IPv4 tails and zone
 * suffixes (%eth0) are not read. */
#include <string.h>

#include "text/pii_detect.h"

static bool hex(uint8_t c) { return pii_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }

/* A decimal octet at s[i]: its end, or 0. */
static size_t octet(const uint8_t *s, size_t n, size_t i) {
    size_t k = pii_digits(s, n, i, 3);
    if (k == 0 || k > 3 || (k > 1 && s[i] == '0')) return 0;
    int v = 0;
    for (size_t j = 0; j < k; j++) v = v * 10 + (s[i + j] - '0');
    return v <= 255 ? i + k : 0;
}

static size_t ipv4(const uint8_t *s, size_t n, size_t i) {
    size_t p = i;
    for (int g = 0; g < 4; g++) {
        if (g) {
            if (p >= n || s[p] != '.') return 0;
            p++;
        }
        p = octet(s, n, p);
        if (!p) return 0;
    }
    if (!pii_right_ok(s, n, p)) return 0;
    /* Four one-digit numbers are an enumeration or a version far more often than an
     * address ("1.2.3.4편", "4.3.1.2 순으로" in film reviews); 0.0.0.0 and
     * 255.255.255.255 are no one's address. */
    if (p - i == 7 || (p - i == 15 && !memcmp(s + i, "255.255.255.255", 15))) return 0;
    return p;
}

static size_t ipv6(const uint8_t *s, size_t n, size_t i) {
    size_t p = i, groups = 0, end = 0;
    bool gap = false;
    if (p + 1 < n && s[p] == ':' && s[p + 1] == ':') { /* "::1" */
        gap = true;
        p += 2;
        end = p;
    }
    while (p < n && groups < 8) {
        size_t k = 0;
        while (p + k < n && k < 5 && hex(s[p + k])) k++;
        if (k == 0 || k > 4) break;
        groups++;
        p += k;
        end = p;
        if (p + 1 < n && s[p] == ':' && s[p + 1] == ':' && !gap) {
            gap = true;
            p += 2;
            end = p;
        } else if (p + 1 < n && s[p] == ':' && hex(s[p + 1])) {
            p++;
        } else {
            break;
        }
    }
    if (!(groups == 8 && !gap) && !(gap && groups >= 2 && groups <= 7)) return 0;
    /* "dead::beef", "a::b": words and code, not addresses; an address has a digit and,
     * compressed to two groups, a first group of 3-4 digits (2001::1, fe80::1) */
    bool digit = false;
    for (size_t q = i; q < end; q++) digit |= pii_digit(s[q]);
    if (!digit) return 0;
    if (gap && groups == 2) {
        size_t k = 0;
        while (i + k < end && hex(s[i + k])) k++;
        if (k < 3) return 0;
    }
    if (end < n && (pii_alnum(s[end]) || s[end] == ':' || s[end] == '_')) return 0;
    return end;
}

void pii_scan_ip(const uint8_t *s, size_t n, pii_sink *out) {
    for (size_t i = 0; i < n; i++) {
        if (!hex(s[i]) && s[i] != ':') continue;
        if (i && (pii_alnum(s[i - 1]) || s[i - 1] == '_' || s[i - 1] == '.')) continue;
        /* a colon before is a label's ("IP:1.2.3.4") unless it follows a group */
        if (i && s[i - 1] == ':' && i >= 2 && (hex(s[i - 2]) || s[i - 2] == ':')) continue;
        size_t end = pii_digit(s[i]) && pii_left_ok(s, i) ? ipv4(s, n, i) : 0;
        if (!end) end = ipv6(s, n, i);
        if (!end) continue;
        pii_push(out, NURI_PII_IP, i, end);
        i = end - 1;
    }
}
