/* Property tests of PII detection over generated text (a fixed-seed generator, so every
 * run checks the same cases):
 *  - an entity of each type, put at a random place in random Korean text (with a
 *    particle or a Korean word glued on where the type allows it), is found with exactly
 *    its span and type, and nothing else is found;
 *  - on random mixtures of Korean, digits, separators and entity pieces: spans are inside
 *    the text, non-empty, sorted and disjoint; one type alone finds its spans of the
 *    full pass; redaction leaves nothing to find and redacting again changes nothing. */
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>

#include "nuri/pii.h"
#include "test.h"

static uint64_t rng_next(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}
static size_t pick(uint64_t *s, size_t n) { return (size_t)(rng_next(s) % n); }

/* Korean filler with no digits, no ASCII and none of the detectors' keywords. */
static const char *const words[] = {"오늘", "날씨가", "좋아서", "산책을", "했어요", "그리고", "저녁에는",
                                    "친구와", "밥을", "먹었다", "정말", "맛있었어", "다음에", "또", "만나자",
                                    "회의", "자료는", "내일", "보낼게요", "감사합니다", "네", "알겠습니다",
                                    "확인", "부탁드립니다", "문의하신", "내용", "답변드립니다"};
static const char *const left_glue[] = {" ", "\n", ": ", "(", " [", "번호는", "연락처:", "은 "};
static const char *const right_glue[] = {" ", "이야", "입니다", "으로", "로", "에서", "이고", ")", ".", ",", "\n", "요"};

typedef struct {
    nuri_pii_type type;
    const char *prefix; /* context the type needs, written before the entity */
    const char *entity;
    bool spaced;        /* must be set off by a space (addresses start at a word) */
} entity_case;

static const entity_case entities[] = {
    {NURI_PII_RRN, "", "900101-1234567", false},
    {NURI_PII_RRN, "", "8501011234566", false},
    {NURI_PII_FRN, "", "900101-5123452", false},
    {NURI_PII_FRN, "", "0505057123498", false},
    {NURI_PII_PHONE, "", "010-2345-6789", false},
    {NURI_PII_PHONE, "", "+82 10-2345-6789", false},
    {NURI_PII_PHONE, "", "02-345-6789", false},
    {NURI_PII_EMAIL, "", "hong.gildong@example.co.kr", false},
    {NURI_PII_CARD, "", "4111-1111-1111-1111", false},
    {NURI_PII_CARD, "", "378282246310005", false},
    {NURI_PII_BRN, "", "220-81-12341", false},
    {NURI_PII_DRIVER, "", "11-23-456789-01", false},
    {NURI_PII_DRIVER, "면허 ", "112345678901", false},
    {NURI_PII_PASSPORT, "여권 ", "M12345678", false},
    {NURI_PII_PASSPORT, "여권번호 ", "M123A4567", false},
    {NURI_PII_ACCOUNT, "신한은행 ", "110-123-456789", false},
    {NURI_PII_ACCOUNT, "계좌 ", "12345678901234", false},
    {NURI_PII_IP, "", "203.0.113.77", false},
    {NURI_PII_IP, "", "2001:db8:85a3::8a2e:370:7334", false},
    {NURI_PII_ADDRESS, "", "서울특별시 강남구 테헤란로 152", true},
    {NURI_PII_ADDRESS, "", "경기도 성남시 분당구 판교역로 235, 101동 1203호", true},
};

typedef struct {
    char b[2048];
    size_t n;
} sbuf;

static void put(sbuf *s, const char *t) {
    size_t k = strlen(t);
    if (s->n + k < sizeof s->b) {
        memcpy(s->b + s->n, t, k);
        s->n += k;
    }
}

static void filler(sbuf *s, uint64_t *r, size_t words_n) {
    for (size_t i = 0; i < words_n; i++) {
        if (i) put(s, " ");
        put(s, words[pick(r, sizeof words / sizeof words[0])]);
    }
}

static void embedded(uint64_t *r) {
    const entity_case *e = &entities[pick(r, sizeof entities / sizeof entities[0])];
    sbuf s = {.n = 0};
    filler(&s, r, pick(r, 12));
    const char *lg = e->spaced ? " " : left_glue[pick(r, sizeof left_glue / sizeof left_glue[0])];
    put(&s, lg);
    put(&s, e->prefix);
    size_t start = s.n;
    put(&s, e->entity);
    size_t end = s.n;
    put(&s, right_glue[pick(r, sizeof right_glue / sizeof right_glue[0])]);
    filler(&s, r, pick(r, 12));
    nuri_error err;
    nuri_pii_span *sp = NULL;
    size_t n = 0;
    CHECK_OK(nuri_pii_detect(s.b, s.n, NURI_PII_ALL, &sp, &n, &err), &err);
    bool ok = n == 1 && sp[0].type == e->type && sp[0].start == start && sp[0].end == end;
    CHECKF(ok, "'%.*s': %zu spans, first %s [%zu,%zu), want %s [%zu,%zu)", (int)s.n, s.b, n,
           n ? nuri_pii_type_name(sp[0].type) : "-", n ? sp[0].start : 0, n ? sp[0].end : 0,
           nuri_pii_type_name(e->type), start, end);
    free(sp);
}

/* Pieces that make near-entities, entities and their neighbourhoods collide. */
static const char *const pieces[] = {"010", "-", "1234", "5678", " ", ".", ",", ":", "::", "@", "naver.com",
                                     "abc", "900101", "5123452", "1234567", "여권", "M", "면허", "계좌",
                                     "국민", "11", "23", "456789", "01", "220", "81", "12341", "192.168.",
                                     "0.1", "서울", "강남구", "테헤란로", "152", "동", "호", "층", "이야",
                                     "\xff", "\xed\xa0\x80", "4111", "2001:db8", "fe80", "+82", "(", ")", "*",
                                     "외국인", "사업자", "로", "길", "9"};

static void invariants(uint64_t *r) {
    sbuf s = {.n = 0};
    size_t k = 1 + pick(r, 40);
    for (size_t i = 0; i < k; i++) put(&s, pieces[pick(r, sizeof pieces / sizeof pieces[0])]);
    nuri_error err;
    nuri_pii_span *sp = NULL;
    size_t n = 0;
    CHECK_OK(nuri_pii_detect(s.b, s.n, NURI_PII_ALL, &sp, &n, &err), &err);
    for (size_t i = 0; i < n; i++) {
        CHECK(sp[i].start < sp[i].end && sp[i].end <= s.n);
        CHECK(i == 0 || sp[i - 1].end <= sp[i].start);
    }
    /* one type alone finds (at least) its spans of the full pass */
    nuri_pii_type t = (nuri_pii_type)pick(r, NURI_PII_TYPE_COUNT);
    nuri_pii_span *s1 = NULL;
    size_t n1 = 0, j = 0;
    CHECK_OK(nuri_pii_detect(s.b, s.n, 1u << t, &s1, &n1, &err), &err);
    for (size_t i = 0; i < n; i++) {
        if (sp[i].type != t) continue;
        while (j < n1 && s1[j].start < sp[i].start) j++;
        CHECKF(j < n1 && s1[j].start == sp[i].start && s1[j].end == sp[i].end, "'%.*s': %s alone lost a span",
               (int)s.n, s.b, nuri_pii_type_name(t));
    }
    free(s1);
    /* redaction leaves nothing and is idempotent */
    char *out = NULL, *again = NULL;
    size_t out_len = 0, again_len = 0;
    CHECK_OK(nuri_pii_redact(s.b, s.n, NURI_PII_ALL, &out, &out_len, NULL, &err), &err);
    nuri_pii_span *rest = NULL;
    size_t n_rest = 0;
    CHECK_OK(nuri_pii_detect(out, out_len, NURI_PII_ALL, &rest, &n_rest, &err), &err);
    CHECKF(n_rest == 0, "'%.*s': redacted '%s' still has %zu entities", (int)s.n, s.b, out, n_rest);
    CHECK_OK(nuri_pii_redact(out, out_len, NURI_PII_ALL, &again, &again_len, NULL, &err), &err);
    CHECK(again_len == out_len && !memcmp(again, out, out_len));
    CHECK(n || (out_len == s.n && !memcmp(out, s.b, s.n)));
    free(rest);
    free(again);
    free(out);
    free(sp);
}

int main(void) {
    uint64_t r = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < 3000; i++) embedded(&r);
    for (int i = 0; i < 5000; i++) invariants(&r);
    return test_done("test_pii_props");
}
