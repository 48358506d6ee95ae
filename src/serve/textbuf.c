#include "serve/textbuf.h"

#include <stdlib.h>
#include <string.h>

void serve_textbuf_init(serve_textbuf *t, char *const *stop, int n_stop) {
    memset(t, 0, sizeof *t);
    t->stop = stop;
    t->n_stop = n_stop;
}

void serve_textbuf_free(serve_textbuf *t) {
    free(t->buf);
    memset(t, 0, sizeof *t);
}

/* Length of the longest proper suffix of buf[from, len) that begins some stop string. */
static size_t held_back(const serve_textbuf *t, size_t from) {
    size_t best = 0;
    for (int i = 0; i < t->n_stop; i++) {
        size_t sl = strlen(t->stop[i]);
        size_t max = t->len - from < sl - 1 ? t->len - from : sl - 1;
        for (size_t k = max; k > best; k--)
            if (!memcmp(t->buf + t->len - k, t->stop[i], k)) {
                best = k;
                break;
            }
    }
    return best;
}

bool serve_textbuf_push(serve_textbuf *t, const char *text, size_t len) {
    if (t->stopped) return true;
    if (t->len + len + 1 > t->cap) {
        size_t cap = (t->len + len + 1) * 2;
        char *b = realloc(t->buf, cap);
        if (!b) return false;
        t->buf = b;
        t->cap = cap;
    }
    if (len) memcpy(t->buf + t->len, text, len);
    t->len += len;
    t->buf[t->len] = 0;
    /* A match cannot begin before `visible`: text was only released when no suffix of it
     * could start a stop string. */
    size_t cut = t->len;
    for (int i = 0; i < t->n_stop; i++) {
        size_t sl = strlen(t->stop[i]);
        const char *hit = t->len - t->visible >= sl ? memmem(t->buf + t->visible, t->len - t->visible, t->stop[i], sl) : NULL;
        if (hit && (size_t)(hit - t->buf) < cut) cut = (size_t)(hit - t->buf);
    }
    if (cut < t->len) {
        t->len = t->visible = cut;
        t->buf[cut] = 0;
        t->stopped = true;
        return true;
    }
    t->visible = t->len - held_back(t, t->visible);
    return true;
}

void serve_textbuf_finish(serve_textbuf *t) {
    t->visible = t->len;
}
