/* Text clean-up for training data: strict UTF-8 checks, NFC, the removal of control and
 * invisible format characters and of markup remnants (HTML tags and entities), space
 * normalization, and script statistics (the share of Hangul). */
#ifndef NURI_TEXT_NORMALIZE_H
#define NURI_TEXT_NORMALIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nuri/base.h"
#include "text/buf.h"

/* Strict UTF-8 (no overlong forms, surrogates or values above U+10FFFF). On false,
 * *bad_offset (if not NULL) is the offset of the first byte of the bad sequence. */
bool text_utf8_valid(const char *s, size_t n, size_t *bad_offset);

/* Decodes the valid UTF-8 character at s[*i] (callers validated the text first). */
uint32_t text_utf8_next(const char *s, size_t n, size_t *i);
size_t text_utf8_put(uint32_t cp, char out[4]);

/* Appends to out the NFC form of valid UTF-8 s (copied as is when it is plainly NFC
 * already: ASCII, precomposed Hangul, common CJK). */
nuri_status text_nfc(const char *s, size_t n, text_buf *out, nuri_error *err);

/* Replaces HTML tags (<br>, </p>, <a href=...>) by a space and decodes HTML entities
 * (&amp; &nbsp; &#44032; &#xAC00; ...) in valid UTF-8 s, appending to out. Returns the
 * number of tags and entities changed. Text that only looks similar ("a < b", "<3",
 * "AT&T") is kept. */
size_t text_strip_markup(const char *s, size_t n, text_buf *out);

/* Appends s (valid UTF-8) with control characters (tab, line breaks and other C0/C1),
 * invisible format characters (zero-width space, BOM, soft hyphen, direction marks;
 * not the zero-width joiners emoji need), private-use characters and U+FFFD removed or,
 * for the spacing ones, turned into a space; every Unicode space becomes ' ', runs of
 * spaces become one and the ends are trimmed. Returns the number of characters removed. */
size_t text_clean_chars(const char *s, size_t n, text_buf *out);

/* The whole clean-up of one document: markup, NFC, characters, in that order (entities
 * may decode to characters the later steps handle). *changed counts markup items and
 * removed characters. */
nuri_status text_clean(const char *s, size_t n, text_buf *out, uint64_t *changed, nuri_error *err);

/* Counts the letters (\p{L}) of valid UTF-8 s and, among them, the Hangul ones (syllables
 * and jamo). */
void text_hangul_share(const char *s, size_t n, size_t *hangul, size_t *letters);

#endif
