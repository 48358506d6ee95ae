/* Python's str semantics on UTF-8 bytes, where lm-evaluation-harness and the KorQuAD
 * script depend on them: what str.isspace() calls whitespace (strip, rstrip, split) and
 * len() counting code points. */
#ifndef NURI_EVAL_PYSTR_H
#define NURI_EVAL_PYSTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decodes one code point at s (len > 0); invalid bytes count as one U+FFFD each. */
uint32_t py_next_cp(const char *s, size_t len, size_t *adv);
/* str.isspace() for one code point (Unicode White_Space with bidi class WS, B or S, or
 * category Zs: the table Python uses). */
bool py_isspace(uint32_t cp);
/* Number of code points (Python's len of the decoded string). */
size_t py_len(const char *s, size_t len);
/* Byte length of s without its trailing whitespace (str.rstrip()). */
size_t py_rstrip_len(const char *s, size_t len);
/* Bytes of leading whitespace (str.lstrip()). */
size_t py_lstrip_off(const char *s, size_t len);

#endif
