#include "tokenizer/ucd.h"

#include <stdlib.h>
#include <utf8proc.h>

static int is_white_space(uint32_t cp) {
    /* PropList.txt White_Space */
    return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 ||
           cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
           cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

uint16_t tok_ucd_flags_slow(uint32_t cp) {
    if (cp > 0x10FFFF) return TOK_UCP_UNDEFINED;
    uint16_t f;
    switch (utf8proc_category((utf8proc_int32_t)cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
        f = TOK_UCP_LETTER; break;
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
        f = TOK_UCP_MARK; break;
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
        f = TOK_UCP_NUMBER; break;
    case UTF8PROC_CATEGORY_PC: case UTF8PROC_CATEGORY_PD: case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE: case UTF8PROC_CATEGORY_PI: case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO:
        f = TOK_UCP_PUNCT; break;
    case UTF8PROC_CATEGORY_SM: case UTF8PROC_CATEGORY_SC: case UTF8PROC_CATEGORY_SK:
    case UTF8PROC_CATEGORY_SO:
        f = TOK_UCP_SYMBOL; break;
    case UTF8PROC_CATEGORY_ZS: case UTF8PROC_CATEGORY_ZL: case UTF8PROC_CATEGORY_ZP:
        f = TOK_UCP_SEPARATOR; break;
    case UTF8PROC_CATEGORY_CC: case UTF8PROC_CATEGORY_CF: case UTF8PROC_CATEGORY_CS:
    case UTF8PROC_CATEGORY_CO:
        f = TOK_UCP_CONTROL; break;
    default:
        /* Unicode 15.1 assigned these after utf8proc 2.8 (Unicode 15.0); the reference's
         * tables know them: CJK Extension I, and ideographic description characters */
        if (cp >= 0x2EBF0 && cp <= 0x2EE5D) f = TOK_UCP_LETTER;
        else if ((cp >= 0x2FFC && cp <= 0x2FFF) || cp == 0x31EF) f = TOK_UCP_SYMBOL;
        else f = TOK_UCP_UNDEFINED;
        break;
    }
    if (is_white_space(cp)) f |= TOK_UCP_WHITESPACE;
    return f;
}

nuri_status tok_ucd_init(tok_ucd *u, nuri_error *err) {
    u->bmp = malloc(0x10000 * sizeof *u->bmp);
    if (!u->bmp) return nuri_fail(err, NURI_ERR_NOMEM, "tokenizer: out of memory");
    for (uint32_t cp = 0; cp < 0x10000; cp++) u->bmp[cp] = tok_ucd_flags_slow(cp);
    return NURI_OK;
}

void tok_ucd_free(tok_ucd *u) {
    free(u->bmp);
    u->bmp = NULL;
}

uint32_t tok_ucd_tolower(uint32_t cp) {
    if (cp > 0x10FFFF) return cp;
    return (uint32_t)utf8proc_tolower((utf8proc_int32_t)cp);
}

uint32_t tok_ucd_nfd_first(uint32_t cp) {
    if (cp < 0xC0 || cp > 0x10FFFF) return cp;
    utf8proc_int32_t buf[8];
    int last = 0;
    utf8proc_ssize_t n = utf8proc_decompose_char((utf8proc_int32_t)cp, buf, 8,
                                                 UTF8PROC_DECOMPOSE, &last);
    return n >= 1 ? (uint32_t)buf[0] : cp;
}
