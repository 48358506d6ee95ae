/* Markup remnants in scraped text: HTML tags become a space and entities their
 * character. Only real HTML tag names count, because Korean text puts titles in angle
 * brackets (<반지의 제왕>, <The Thing>, <BBC>) and those must stay. */
#include <strings.h>

#include "text/normalize.h"

static const char *const tag_names[] = {
    "a", "abbr", "b", "big", "blockquote", "body", "br", "center", "code", "dd", "del", "div", "dl",
    "dt", "em", "font", "h1", "h2", "h3", "h4", "h5", "h6", "head", "hr", "html", "i", "img", "ins",
    "li", "nobr", "ol", "p", "pre", "s", "small", "span", "strike", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "tt", "u", "ul", "wbr",
};

static const struct {
    const char *name;
    uint32_t cp;
} entities[] = {
    {"amp", '&'},      {"lt", '<'},        {"gt", '>'},        {"quot", '"'},     {"apos", '\''},
    {"nbsp", 0xA0},    {"middot", 0xB7},   {"hellip", 0x2026}, {"ndash", 0x2013}, {"mdash", 0x2014},
    {"lsquo", 0x2018}, {"rsquo", 0x2019},  {"ldquo", 0x201C},  {"rdquo", 0x201D}, {"laquo", 0xAB},
    {"raquo", 0xBB},   {"bull", 0x2022},   {"hearts", 0x2665}, {"copy", 0xA9},    {"reg", 0xAE},
    {"trade", 0x2122}, {"times", 0xD7},
};

static bool ascii_alpha(char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
static bool ascii_alnum(char c) { return ascii_alpha(c) || (c >= '0' && c <= '9'); }

/* Length of the tag at s[0] == '<', or 0. */
static size_t tag_at(const char *s, size_t n) {
    size_t i = 1;
    if (i < n && s[i] == '/') i++;
    size_t name = i;
    while (i < n && ascii_alnum(s[i]) && i - name < 12) i++;
    size_t nl = i - name;
    if (!nl || !ascii_alpha(s[name])) return 0;
    bool known = false;
    for (size_t k = 0; !known && k < sizeof tag_names / sizeof tag_names[0]; k++)
        known = strlen(tag_names[k]) == nl && !strncasecmp(tag_names[k], s + name, nl);
    if (!known || i >= n) return 0;
    if (s[i] == '>') return i + 1;
    if (s[i] == '/' && i + 1 < n && s[i + 1] == '>') return i + 2;
    if (s[i] != ' ') return 0;
    /* attributes: up to the closing '>' on the same line, no '<' in between */
    for (size_t j = i; j < n && j < 512; j++) {
        if (s[j] == '>') return j + 1;
        if (s[j] == '<' || s[j] == '\n') return 0;
    }
    return 0;
}

/* Length of the entity at s[0] == '&' and its code point, or 0. */
static size_t entity_at(const char *s, size_t n, uint32_t *cp) {
    size_t i = 1;
    if (i < n && s[i] == '#') {
        i++;
        bool hex = i < n && (s[i] == 'x' || s[i] == 'X');
        if (hex) i++;
        uint32_t v = 0;
        size_t d0 = i;
        for (; i < n && i - d0 < 7; i++) {
            char c = s[i];
            int dv = c >= '0' && c <= '9' ? c - '0' : hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
            if (dv < 0) break;
            v = v * (hex ? 16 : 10) + (uint32_t)dv;
        }
        if (i == d0 || i >= n || s[i] != ';') return 0;
        if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
        *cp = v;
        return i + 1;
    }
    while (i < n && ascii_alnum(s[i]) && i < 9) i++;
    if (i >= n || s[i] != ';' || i == 1) return 0;
    for (size_t k = 0; k < sizeof entities / sizeof entities[0]; k++)
        if (strlen(entities[k].name) == i - 1 && !memcmp(entities[k].name, s + 1, i - 1)) {
            *cp = entities[k].cp;
            return i + 1;
        }
    return 0;
}

size_t text_strip_markup(const char *s, size_t n, text_buf *out) {
    size_t changed = 0, run = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        uint32_t cp = 0;
        if (s[i] == '<') len = tag_at(s + i, n - i);
        else if (s[i] == '&') len = entity_at(s + i, n - i, &cp);
        if (!len) continue;
        text_buf_add(out, s + run, i - run);
        if (cp) {
            char u[4];
            text_buf_add(out, u, text_utf8_put(cp, u));
        } else {
            text_buf_addc(out, ' ');
        }
        changed++;
        i += len - 1;
        run = i + 1;
    }
    text_buf_add(out, s + run, n - run);
    return changed;
}
