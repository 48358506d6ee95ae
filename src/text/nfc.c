/* NFC through utf8proc, skipped for text that is NFC by construction: code points below
 * U+0300 (no combining marks), precomposed Hangul syllables not followed by a jamo that
 * could join them, compatibility jamo and the unified CJK ideographs are all NFC-stable. */
#include <utf8proc.h>

#include "text/normalize.h"

static bool plainly_nfc(const char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        if ((uint8_t)s[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp = text_utf8_next(s, n, &i);
        if (cp < 0x300 || (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0x3131 && cp <= 0x318E) ||
            (cp >= 0x4E00 && cp <= 0x9FFF))
            continue;
        return false;
    }
    return true;
}

nuri_status text_nfc(const char *s, size_t n, text_buf *out, nuri_error *err) {
    if (plainly_nfc(s, n)) {
        text_buf_add(out, s, n);
        return out->oom ? nuri_fail(err, NURI_ERR_NOMEM, "out of memory") : NURI_OK;
    }
    utf8proc_uint8_t *dst = NULL;
    utf8proc_ssize_t r = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &dst,
                                      UTF8PROC_STABLE | UTF8PROC_COMPOSE);
    if (r < 0) {
        free(dst);
        return nuri_fail(err, r == UTF8PROC_ERROR_NOMEM ? NURI_ERR_NOMEM : NURI_ERR_FORMAT, "NFC: %s",
                         utf8proc_errmsg(r));
    }
    text_buf_add(out, dst, (size_t)r);
    free(dst);
    return out->oom ? nuri_fail(err, NURI_ERR_NOMEM, "out of memory") : NURI_OK;
}
