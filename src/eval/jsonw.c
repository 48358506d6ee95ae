#include "eval/jsonw.h"

#include <string.h>

void jw_init(jsonw *w, sbuf *b) {
    memset(w, 0, sizeof *w);
    w->b = b;
    w->first[0] = true;
}

static void newline(jsonw *w) {
    sb_put(w->b, "\n", 1);
    for (int i = 0; i < w->depth; i++) sb_put(w->b, "  ", 2);
}

/* Separator and indentation before a value (or a key) at the current depth. */
static void before(jsonw *w) {
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth == 0) return;
    if (!w->first[w->depth]) sb_put(w->b, ",", 1);
    w->first[w->depth] = false;
    newline(w);
}

static void open_(jsonw *w, const char *c) {
    before(w);
    sb_puts(w->b, c);
    if (w->depth < 31) w->depth++;
    w->first[w->depth] = true;
}

void jw_obj(jsonw *w) { open_(w, "{"); }
void jw_arr(jsonw *w) { open_(w, "["); }

void jw_end(jsonw *w, char close) {
    bool empty = w->first[w->depth];
    if (w->depth > 0) w->depth--;
    if (!empty) newline(w);
    sb_put(w->b, &close, 1);
}

void jw_key(jsonw *w, const char *k) {
    before(w);
    sb_json_str(w->b, k, strlen(k));
    sb_puts(w->b, ": ");
    w->after_key = true;
}

void jw_str(jsonw *w, const char *s) {
    before(w);
    sb_json_str(w->b, s, strlen(s));
}

void jw_num(jsonw *w, double x) {
    before(w);
    sb_json_num(w->b, x);
}

void jw_int(jsonw *w, long long x) {
    before(w);
    sb_printf(w->b, "%lld", x);
}

void jw_bool(jsonw *w, bool x) {
    before(w);
    sb_puts(w->b, x ? "true" : "false");
}

void jw_null(jsonw *w) {
    before(w);
    sb_puts(w->b, "null");
}
