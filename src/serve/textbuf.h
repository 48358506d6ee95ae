/* The text of one generation as the client may see it: generated pieces are appended,
 * and whatever could still turn out to be the start of a stop sequence is held back, so
 * a stop sequence never reaches the client, streamed or not. */
#ifndef NURI_SERVE_TEXTBUF_H
#define NURI_SERVE_TEXTBUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *buf;         /* NUL-terminated */
    size_t len, cap;
    size_t visible;    /* buf[0, visible) may be shown */
    char *const *stop; /* borrowed */
    int n_stop;
    bool stopped;      /* a stop sequence matched: buf was cut before it */
} serve_textbuf;

void serve_textbuf_init(serve_textbuf *t, char *const *stop, int n_stop);
void serve_textbuf_free(serve_textbuf *t);
/* Appends text (complete UTF-8 characters). Returns false when out of memory. After a
 * stop sequence matched, further text is ignored. */
bool serve_textbuf_push(serve_textbuf *t, const char *text, size_t len);
/* The generation ended without a stop sequence: everything becomes visible. */
void serve_textbuf_finish(serve_textbuf *t);

#endif
