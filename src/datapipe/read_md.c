/* Markdown sources (statutes as published by legalize-kr): the YAML front matter is
 * metadata, not text; each heading starts a document holding the heading and the
 * paragraphs under it; inline markup (**bold**, `code`, [text](url), \. escapes) and
 * line markers (lists, quotes) are removed. */
#include "datapipe/internal.h"

static bool is_punct(char c) {
    return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
}

/* Appends one line of inline markdown as plain text. */
static void add_inline(text_buf *b, const char *s, size_t n) {
    size_t i = 0;
    /* line markers: "> ", "- ", "* ", "+ " (lists and quotes) */
    while (i < n && s[i] == ' ') i++;
    while (i + 1 < n && (s[i] == '>' || ((s[i] == '-' || s[i] == '*' || s[i] == '+') && s[i + 1] == ' '))) {
        i++;
        while (i < n && s[i] == ' ') i++;
    }
    while (i < n) {
        char c = s[i];
        if (c == '\\' && i + 1 < n && is_punct(s[i + 1])) {
            text_buf_addc(b, s[i + 1]);
            i += 2;
        } else if ((c == '*' || c == '_') && i + 1 < n && s[i + 1] == c) {
            i += 2;
        } else if (c == '`') {
            i++;
        } else if ((c == '[' || (c == '!' && i + 1 < n && s[i + 1] == '['))) {
            /* [text](url) -> text; anything else stays as written */
            size_t open = c == '!' ? i + 1 : i, close = open + 1;
            while (close < n && s[close] != ']' && s[close] != '[') close++;
            size_t paren = close + 1, end = paren + 1;
            if (close < n && s[close] == ']' && paren < n && s[paren] == '(') {
                while (end < n && s[end] != ')' && s[end] != ' ') end++;
                if (end < n && s[end] == ')') {
                    text_buf_add(b, s + open + 1, close - open - 1);
                    i = end + 1;
                    continue;
                }
            }
            text_buf_addc(b, c);
            i++;
        } else {
            text_buf_addc(b, c);
            i++;
        }
    }
}

void dp_read_markdown(const char *text, size_t n, dp_emit_fn emit, void *user, bool *stop, text_buf *b) {
    size_t pos = 0;
    b->n = 0;
    bool front = false, first = true;
    while (!*stop && pos < n) {
        const char *line = text + pos;
        const char *nl = memchr(line, '\n', n - pos);
        size_t len = nl ? (size_t)(nl - line) : n - pos;
        pos += len + (nl ? 1 : 0);
        if (len && line[len - 1] == '\r') len--;
        bool rule = len == 3 && !memcmp(line, "---", 3);
        if (first && rule) {
            front = true;
            first = false;
            continue;
        }
        first = false;
        if (front) {
            if (rule) front = false;
            continue;
        }
        size_t h = 0;
        while (h < len && h < 7 && line[h] == '#') h++;
        bool heading = h >= 1 && h <= 6 && (h == len || line[h] == ' ');
        if (heading) {
            if (b->n && emit(user, b->p, b->n)) *stop = true;
            b->n = 0;
            add_inline(b, line + h, len - h);
            continue;
        }
        size_t k = 0;
        while (k < len && (line[k] == ' ' || line[k] == '\t')) k++;
        if (k == len) continue;
        if (b->n) text_buf_addc(b, ' ');
        add_inline(b, line, len);
    }
    if (!*stop && b->n && emit(user, b->p, b->n)) *stop = true;
    b->n = 0;
}
