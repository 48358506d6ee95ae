#include "tokenizer/pretok.h"

#include "tokenizer/ucd.h"

#define OUT_OF_RANGE 0xFFFFFFFFu
#define WS TOK_UCP_WHITESPACE
#define LETTER TOK_UCP_LETTER
#define NUMBER TOK_UCP_NUMBER

typedef struct {
    const uint32_t *cp;
    const uint16_t *fl;
} seg_ctx;

/* Looking past the end of a segment sees nothing: flags 0 and no code point, exactly as
 * the reference's matchers see the segment boundary. */
static inline uint16_t fl_at(const seg_ctx *c, size_t b, size_t i) { return i < b ? c->fl[i] : 0; }
static inline uint32_t cp_at(const seg_ctx *c, size_t b, size_t i) { return i < b ? c->cp[i] : OUT_OF_RANGE; }

static inline bool emit(tok_u32s *out, size_t len) {
    return len == 0 || tok_u32s_push(out, (uint32_t)len);
}

#define ADD(end)                                                                        \
    do {                                                                                \
        if (!emit(out, (end) - prev)) return false;                                     \
        prev = (end);                                                                   \
    } while (0)

/* 's|'t|'re|'ve|'m|'ll|'d (case-folded when fold): the length of the contraction at pos. */
static size_t contraction(const seg_ctx *c, size_t pos, size_t b, bool fold) {
    if (c->cp[pos] != '\'' || pos + 1 >= b) return 0;
    uint32_t n1 = c->cp[pos + 1];
    if (fold) n1 = tok_ucd_tolower(n1);
    if (n1 == 's' || n1 == 't' || n1 == 'm' || n1 == 'd') return 2;
    if (pos + 2 >= b) return 0;
    uint32_t n2 = c->cp[pos + 2];
    if (fold) n2 = tok_ucd_tolower(n2);
    if ((n1 == 'r' && n2 == 'e') || (n1 == 'v' && n2 == 'e') || (n1 == 'l' && n2 == 'l')) return 3;
    return 0;
}

/* GPT-2: 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+ */
static bool seg_gpt2(const seg_ctx *c, size_t a, size_t b, tok_u32s *out) {
    size_t pos = a, prev = a;
    while (pos < b) {
        uint32_t cpt = c->cp[pos];
        uint16_t f = c->fl[pos];
        size_t k = contraction(c, pos, b, false);
        if (k) {
            pos += k;
            ADD(pos);
            continue;
        }
        uint16_t f2 = cpt == ' ' ? fl_at(c, b, pos + 1) : f;
        if (f2 & (LETTER | NUMBER)) {
            uint16_t cls = f2 & LETTER ? LETTER : NUMBER;
            pos += cpt == ' ';
            while (fl_at(c, b, pos) & cls) pos++;
            ADD(pos);
            continue;
        }
        if (!(f2 & (WS | LETTER | NUMBER)) && f2) {
            pos += cpt == ' ';
            for (;;) {
                uint16_t x = fl_at(c, b, pos);
                if ((x & (WS | LETTER | NUMBER)) || !x) break;
                pos++;
            }
            ADD(pos);
            continue;
        }
        size_t nws = 0;
        while (fl_at(c, b, pos + nws) & WS) nws++;
        if (nws > 1 && pos + nws < b) {
            pos += nws - 1; /* \s+(?!\S): leave the last space to the next word */
        } else if (nws > 0) {
            pos += nws;
        } else {
            pos++;
        }
        ADD(pos);
    }
    return true;
}

/* Llama 3 (max_digits 3) and Qwen2 (max_digits 1):
 * (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,max}| ?[^\s\p{L}\p{N}]+[\r\n]*
 * |\s*[\r\n]+|\s+(?!\S)|\s+ */
static bool seg_llama3_like(const seg_ctx *c, size_t a, size_t b, tok_u32s *out, int max_digits) {
    size_t pos = a, prev = a;
    while (pos < b) {
        uint32_t cpt = c->cp[pos];
        uint16_t f = c->fl[pos];
        size_t k = contraction(c, pos, b, true);
        if (k) {
            pos += k;
            ADD(pos);
            continue;
        }
        if (!(cpt == '\r' || cpt == '\n' || (f & NUMBER)) &&
            ((f & LETTER) || (fl_at(c, b, pos + 1) & LETTER))) {
            pos++;
            while (fl_at(c, b, pos) & LETTER) pos++;
            ADD(pos);
            continue;
        }
        if (f & NUMBER) {
            if (max_digits == 1) {
                pos++;
                ADD(pos);
                continue;
            }
            size_t ini = pos;
            while (fl_at(c, b, pos) & NUMBER) {
                if (++pos - ini >= (size_t)max_digits) {
                    ADD(pos);
                    ini = pos;
                }
            }
            ADD(pos);
            continue;
        }
        uint16_t f2 = cpt == ' ' ? fl_at(c, b, pos + 1) : f;
        if (!(f2 & (WS | LETTER | NUMBER)) && f) {
            pos += cpt == ' ';
            for (;;) {
                uint16_t x = fl_at(c, b, pos);
                if ((x & (WS | LETTER | NUMBER)) || !x) break;
                pos++;
            }
            for (uint32_t c2 = cp_at(c, b, pos); c2 == '\r' || c2 == '\n'; c2 = cp_at(c, b, pos)) pos++;
            ADD(pos);
            continue;
        }
        size_t nws = 0, last_rn = 0;
        while (fl_at(c, b, pos + nws) & WS) {
            uint32_t c2 = c->cp[pos + nws];
            if (c2 == '\r' || c2 == '\n') last_rn = pos + nws + 1;
            nws++;
        }
        if (last_rn > 0) {
            pos = last_rn; /* \s*[\r\n]+ */
        } else if (nws > 1 && pos + nws < b) {
            pos += nws - 1;
        } else if (nws > 0) {
            pos += nws;
        } else {
            pos++;
        }
        ADD(pos);
    }
    return true;
}

static bool seg_llama3(const seg_ctx *c, size_t a, size_t b, tok_u32s *out) {
    return seg_llama3_like(c, a, b, out, 3);
}

static bool seg_qwen2(const seg_ctx *c, size_t a, size_t b, tok_u32s *out) {
    return seg_llama3_like(c, a, b, out, 1);
}

/* ---- single-class patterns (the reference runs these through std::regex) ---- */

typedef struct {
    uint32_t lo, hi;
} cp_range;

static bool in_ranges(uint32_t v, const cp_range *r, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (v >= r[i].lo && v <= r[i].hi) return true;
    return false;
}

/* Patterns without \p{..} see the text with every non-ASCII White_Space character
 * replaced by U+000B, so literal ranges never match those. */
static inline uint32_t wide_view(uint32_t cp, uint16_t fl) {
    return cp > 0x7F && (fl & WS) ? 0x0B : cp;
}

/* DeepSeek LLM's letter class (its tokenizer's own pattern). */
static const cp_range ds_letters[] = {
    {0x0041, 0x005A}, {0x0061, 0x007A}, {0x00B5, 0x00B5}, {0x00C0, 0x00D6}, {0x00D8, 0x00F6},
    {0x00F8, 0x01BA}, {0x01BC, 0x01BF}, {0x01C4, 0x0293}, {0x0295, 0x02AF}, {0x0370, 0x0373},
    {0x0376, 0x0377}, {0x037B, 0x037D}, {0x037F, 0x037F}, {0x0386, 0x0386}, {0x0388, 0x038A},
    {0x038C, 0x038C}, {0x038E, 0x03A1}, {0x03A3, 0x03F5}, {0x03F7, 0x0481}, {0x048A, 0x052F},
    {0x0531, 0x0556}, {0x10A0, 0x10C5}, {0x13A0, 0x13F5}, {0x13F8, 0x13FD}, {0x1C90, 0x1CBA},
    {0x1CBD, 0x1CBF}, {0x1D00, 0x1D2B}, {0x1D6B, 0x1D77}, {0x1D79, 0x1D9A}, {0x1E00, 0x1F15},
    {0x1F18, 0x1F1D}, {0x1F20, 0x1F45}, {0x1F48, 0x1F4D}, {0x1F50, 0x1F57}, {0x1F59, 0x1F59},
    {0x1F5B, 0x1F5B}, {0x1F5D, 0x1F5D}, {0x1F5F, 0x1F7D}, {0x1F80, 0x1FB4}, {0x1FB6, 0x1FBC},
    {0x1FBE, 0x1FBE}, {0x1FC2, 0x1FC4}, {0x1FC6, 0x1FCC}, {0x1FD0, 0x1FD3}, {0x1FD6, 0x1FDB},
    {0x1FE0, 0x1FEC}, {0x1FF2, 0x1FF4}, {0x1FF6, 0x1FFC}, {0x2102, 0x2102}, {0x2107, 0x2107},
    {0x210A, 0x2113}, {0x2115, 0x2115}, {0x2119, 0x211D}, {0x2124, 0x2124}, {0x2126, 0x2126},
    {0x2128, 0x2128}, {0x212A, 0x212D}, {0x212F, 0x2134}, {0x2139, 0x2139}, {0x213C, 0x213F},
    {0x2145, 0x2149}, {0x214E, 0x214E}, {0x2183, 0x2184}, {0x2C00, 0x2C7B}, {0x2C7E, 0x2CE4},
    {0x2CEB, 0x2CEE}, {0x2CF2, 0x2CF3}, {0xA640, 0xA66D}, {0xA680, 0xA69B}, {0xA722, 0xA76F},
    {0xA771, 0xA787}, {0xA78B, 0xA78E}, {0xAB70, 0xABBF}, {0xFB00, 0xFB06}, {0xFB13, 0xFB17},
    {0xFF21, 0xFF3A}, {0xFF41, 0xFF5A}, {0x10400, 0x1044F}, {0x104B0, 0x104D3},
    {0x104D8, 0x104FB}, {0x10C80, 0x10CB2}, {0x10CC0, 0x10CF2}, {0x118A0, 0x118DF},
    {0x1E900, 0x1E943},
};

/* DeepSeek LLM's punctuation class: ASCII and full-width punctuation, quotes, 、 and 。 */
static const cp_range ds_punct[] = {
    {0x0021, 0x002F}, {0x003A, 0x007E}, {0xFF01, 0xFF0F}, {0xFF1A, 0xFF5E},
    {0x2018, 0x201F}, {0x3000, 0x3002},
};

/* DeepSeek's CJK class: [一-龥ࠀ-一가-퟿] */
static const cp_range ds_cjk[] = {{0x4E00, 0x9FA5}, {0x0800, 0x4E00}, {0xAC00, 0xD7FF}};

typedef enum {
    CLS_NEWLINE,    /* [\r\n] */
    CLS_LETTER,     /* \p{L} */
    CLS_NUMBER,     /* \p{N} */
    CLS_PUNCT,      /* \p{P} */
    CLS_PUNCT_SYM,  /* [\p{P}\$\+<=>\^~\|] */
    CLS_PUNCT_SYMB, /* [\p{P}\$\+<=>\^~\|`] */
    CLS_DIGIT,      /* [0-9] */
    CLS_DS_LETTER,
    CLS_DS_PUNCT,
    CLS_DS_CJK,
} cls_kind;

static bool cls_has(cls_kind k, uint32_t cp, uint16_t fl) {
    switch (k) {
    case CLS_NEWLINE: return cp == '\r' || cp == '\n';
    case CLS_LETTER: return fl & LETTER;
    case CLS_NUMBER: return fl & NUMBER;
    case CLS_PUNCT: return fl & TOK_UCP_PUNCT;
    case CLS_PUNCT_SYM:
    case CLS_PUNCT_SYMB:
        if (fl & TOK_UCP_PUNCT) return true;
        if (cp == '$' || cp == '+' || cp == '<' || cp == '=' || cp == '>' || cp == '^' ||
            cp == '~' || cp == '|')
            return true;
        return k == CLS_PUNCT_SYMB && cp == '`';
    case CLS_DIGIT: return cp >= '0' && cp <= '9';
    case CLS_DS_LETTER:
        return in_ranges(wide_view(cp, fl), ds_letters, sizeof ds_letters / sizeof ds_letters[0]);
    case CLS_DS_PUNCT:
        return in_ranges(wide_view(cp, fl), ds_punct, sizeof ds_punct / sizeof ds_punct[0]);
    case CLS_DS_CJK:
        return in_ranges(wide_view(cp, fl), ds_cjk, sizeof ds_cjk / sizeof ds_cjk[0]);
    }
    return false;
}

typedef enum {
    PAT_ONE,      /* C      : every such character alone */
    PAT_RUN,      /* C+ */
    PAT_WS_RUN,   /* \s?C+  : a run with at most one whitespace character before it */
    PAT_THREE,    /* CCC    : exactly three */
    PAT_TRAIL_WS, /* \s+$   : the whitespace that ends the segment */
} pat_kind;

typedef struct {
    pat_kind pat;
    cls_kind cls;
} pattern;

static bool seg_pattern(const seg_ctx *c, const pattern *p, size_t a, size_t b, tok_u32s *out) {
    size_t prev = a;
    if (p->pat == PAT_TRAIL_WS) {
        size_t t = b;
        while (t > a && (c->fl[t - 1] & WS)) t--;
        ADD(t);
        ADD(b);
        return true;
    }
    size_t pos = a;
    while (pos < b) {
        size_t s, e;
        bool here = cls_has(p->cls, c->cp[pos], c->fl[pos]);
        switch (p->pat) {
        case PAT_ONE:
            if (!here) { pos++; continue; }
            s = pos;
            e = pos + 1;
            break;
        case PAT_RUN:
            if (!here) { pos++; continue; }
            s = pos;
            e = pos + 1;
            while (e < b && cls_has(p->cls, c->cp[e], c->fl[e])) e++;
            break;
        case PAT_WS_RUN:
            if ((c->fl[pos] & WS) && pos + 1 < b && cls_has(p->cls, c->cp[pos + 1], c->fl[pos + 1])) {
                s = pos;
                e = pos + 2;
            } else if (here) {
                s = pos;
                e = pos + 1;
            } else {
                pos++;
                continue;
            }
            while (e < b && cls_has(p->cls, c->cp[e], c->fl[e])) e++;
            break;
        case PAT_THREE:
            if (!(here && pos + 2 < b && cls_has(p->cls, c->cp[pos + 1], c->fl[pos + 1]) &&
                  cls_has(p->cls, c->cp[pos + 2], c->fl[pos + 2]))) {
                pos++;
                continue;
            }
            s = pos;
            e = pos + 3;
            break;
        default:
            return false;
        }
        ADD(s);
        ADD(e);
        pos = e;
    }
    ADD(b);
    return true;
}

/* ---- the families ---- */

typedef enum { PASS_GPT2, PASS_LLAMA3, PASS_QWEN2, PASS_PATTERN } pass_kind;

typedef struct {
    pass_kind kind;
    pattern pat;
} pass;

#define P_GPT2 {PASS_GPT2, {0, 0}}
#define P_PAT(p, c) {PASS_PATTERN, {p, c}}

static const pass passes_default[] = {
    P_PAT(PAT_RUN, CLS_PUNCT_SYM), P_GPT2, P_PAT(PAT_RUN, CLS_NUMBER), P_PAT(PAT_THREE, CLS_DIGIT)};
static const pass passes_gpt2[] = {P_GPT2};
static const pass passes_llama3[] = {{PASS_LLAMA3, {0, 0}}};
static const pass passes_qwen2[] = {{PASS_QWEN2, {0, 0}}};
static const pass passes_deepseek_llm[] = {
    P_PAT(PAT_ONE, CLS_NEWLINE),     P_PAT(PAT_WS_RUN, CLS_DS_LETTER), P_PAT(PAT_WS_RUN, CLS_DS_PUNCT),
    P_PAT(PAT_TRAIL_WS, CLS_LETTER), P_PAT(PAT_RUN, CLS_DS_CJK),      P_PAT(PAT_RUN, CLS_NUMBER)};
static const pass passes_deepseek_coder[] = {
    P_PAT(PAT_ONE, CLS_NEWLINE), P_PAT(PAT_WS_RUN, CLS_LETTER), P_PAT(PAT_WS_RUN, CLS_PUNCT),
    P_PAT(PAT_RUN, CLS_DS_CJK), P_PAT(PAT_ONE, CLS_NUMBER)};
static const pass passes_falcon[] = {
    P_PAT(PAT_RUN, CLS_PUNCT_SYMB), P_GPT2, P_PAT(PAT_THREE, CLS_DIGIT)};
static const pass passes_starcoder[] = {P_PAT(PAT_ONE, CLS_NUMBER), P_GPT2};

static bool run_pass(const seg_ctx *c, const pass *p, const tok_u32s *in, tok_u32s *out) {
    out->n = 0;
    size_t start = 0;
    for (size_t i = 0; i < in->n; i++) {
        size_t a = start, b = start + in->v[i];
        bool ok;
        switch (p->kind) {
        case PASS_GPT2: ok = seg_gpt2(c, a, b, out); break;
        case PASS_LLAMA3: ok = seg_llama3(c, a, b, out); break;
        case PASS_QWEN2: ok = seg_qwen2(c, a, b, out); break;
        default: ok = seg_pattern(c, &p->pat, a, b, out); break;
        }
        if (!ok) return false;
        start = b;
    }
    return true;
}

bool tok_pretokenize(tok_pre_kind kind, const uint32_t *cp, const uint16_t *fl, size_t n,
                     tok_u32s *words, tok_u32s *tmp) {
    const pass *ps;
    size_t np;
#define USE(arr) (ps = arr, np = sizeof arr / sizeof arr[0])
    switch (kind) {
    case TOK_PRE_GPT2: USE(passes_gpt2); break;
    case TOK_PRE_LLAMA3: USE(passes_llama3); break;
    case TOK_PRE_QWEN2: USE(passes_qwen2); break;
    case TOK_PRE_DEEPSEEK_LLM: USE(passes_deepseek_llm); break;
    case TOK_PRE_DEEPSEEK_CODER: USE(passes_deepseek_coder); break;
    case TOK_PRE_FALCON: USE(passes_falcon); break;
    case TOK_PRE_STARCODER: USE(passes_starcoder); break;
    default: USE(passes_default); break;
    }
#undef USE
    seg_ctx c = {cp, fl};
    words->n = 0;
    if (n == 0) return true;
    if (!tok_u32s_push(words, (uint32_t)n)) return false;
    for (size_t i = 0; i < np; i++) {
        if (!run_pass(&c, &ps[i], words, tmp)) return false;
        tok_u32s t = *words;
        *words = *tmp;
        *tmp = t;
    }
    return true;
}
