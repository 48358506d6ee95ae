#include "eval/pystr.h"

uint32_t py_next_cp(const char *s, size_t len, size_t *adv) {
    const unsigned char *u = (const unsigned char *)s;
    unsigned c = u[0];
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || n > len) {
        *adv = 1;
        return 0xFFFD;
    }
    uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80) {
            *adv = 1;
            return 0xFFFD;
        }
        cp = (cp << 6) | (u[i] & 0x3F);
    }
    *adv = n;
    return cp;
}

bool py_isspace(uint32_t cp) {
    if (cp >= 0x09 && cp <= 0x0D) return true;
    if (cp >= 0x1C && cp <= 0x20) return true;
    if (cp < 0x85) return false;
    if (cp == 0x85 || cp == 0xA0 || cp == 0x1680) return true;
    if (cp >= 0x2000 && cp <= 0x200A) return true;
    return cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

size_t py_len(const char *s, size_t len) {
    size_t n = 0, adv;
    for (size_t i = 0; i < len; i += adv, n++) py_next_cp(s + i, len - i, &adv);
    return n;
}

size_t py_rstrip_len(const char *s, size_t len) {
    size_t keep = 0, adv;
    for (size_t i = 0; i < len; i += adv)
        if (!py_isspace(py_next_cp(s + i, len - i, &adv))) keep = i + adv;
    return keep;
}

size_t py_lstrip_off(const char *s, size_t len) {
    size_t i = 0, adv;
    while (i < len && py_isspace(py_next_cp(s + i, len - i, &adv))) i += adv;
    return i;
}
