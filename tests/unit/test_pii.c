/* Korean PII detection: hand-labeled positives (with particles glued on), hard negatives
 * (dates, prices, order numbers, counts, versions, near-miss numbers), redaction, overlap
 * resolution and invariants (sorted, disjoint, idempotent redaction). Check digits in the
 * positives were computed with the published formulas (RRN weights 2..9,2..5; Luhn); the
 * card numbers are the issuers' public test numbers. */
#include <stdint.h>

#include "nuri/pii.h"
#include "test.h"

typedef struct {
    const char *text;
    const char *type;   /* NULL: nothing may be found */
    const char *entity; /* the exact span */
} pii_case;

static const pii_case positives[] = {
    {"제 번호는 010-1234-5678이야", "PHONE", "010-1234-5678"},
    {"연락처:01098765432 입니다", "PHONE", "01098765432"},
    {"번호는01098765432이에요", "PHONE", "01098765432"},
    {"010.2345.6789로 문자 주세요", "PHONE", "010.2345.6789"},
    {"010 2345 6789", "PHONE", "010 2345 6789"},
    {"+82 10-2345-6789로 연락", "PHONE", "+82 10-2345-6789"},
    {"+821023456789", "PHONE", "+821023456789"},
    {"+82-2-345-6789", "PHONE", "+82-2-345-6789"},
    {"+82 (0)10 2345 6789", "PHONE", "+82 (0)10 2345 6789"},
    {"사무실 (02) 345-6789 로", "PHONE", "(02) 345-6789"},
    {"02)345-6789", "PHONE", "02)345-6789"},
    {"대표번호 02-3456-7890번", "PHONE", "02-3456-7890"},
    {"031-234-5678까지", "PHONE", "031-234-5678"},
    {"051.987.6543", "PHONE", "051.987.6543"},
    {"064-712-3456", "PHONE", "064-712-3456"},
    {"070-4321-8765", "PHONE", "070-4321-8765"},
    {"011-234-5678은 옛날 번호", "PHONE", "011-234-5678"},
    {"주민번호 900101-1234567", "RRN", "900101-1234567"},
    {"900101-2234567이야", "RRN", "900101-2234567"},
    {"050505-3234567", "RRN", "050505-3234567"},
    {"8501011234566", "RRN", "8501011234566"},
    {"주민등록번호는 8501011234567이고", "RRN", "8501011234567"},
    {"생년월일 850101-1******", "RRN", "850101-1******"},
    {"850101-1234***", "RRN", "850101-1234***"},
    {"000229-4123456", "RRN", "000229-4123456"},
    {"메일은abc.def@naver.com으로 보내", "EMAIL", "abc.def@naver.com"},
    {"hong_gil+dong@mail.example.co.kr.", "EMAIL", "hong_gil+dong@mail.example.co.kr"},
    {"문의: kim-01@korea.ac.kr", "EMAIL", "kim-01@korea.ac.kr"},
    {"<a@bc.io>", "EMAIL", "a@bc.io"},
    {"카드 4111-1111-1111-1111로 결제", "CARD", "4111-1111-1111-1111"},
    {"5500 0000 0000 0004", "CARD", "5500 0000 0000 0004"},
    {"378282246310005", "CARD", "378282246310005"},
    {"3782-822463-10005", "CARD", "3782-822463-10005"},
    {"3056-930902-5904", "CARD", "3056-930902-5904"},
    {"4111111111111111이야", "CARD", "4111111111111111"},
};

static const char *const negatives[] = {
    "2023-01-15에 만나요",
    "2023.01.15",
    "12,000원",
    "1,234,567원입니다",
    "주문번호 2023011512345678",
    "주문번호: 20230115-123456",
    "송장번호 123456789012",
    "010-123-4567",
    "010-1234-56789",
    "01012345678901",
    "0101234567",
    "1588-1234",
    "080-123-4567",
    "02-123-4567",
    "조회수 10,234,567회",
    "버전 1.2.3",
    "12:30에",
    "ISBN 978-89-1234-567-8",
    "123-4567-8901",
    "010-1234 5678",
    "4111-1111-1111-1112",
    "4111 1111-1111-1111",
    "2023-0115-1234-5678",
    "990230-1234567",
    "901301-1234567",
    "900100-1234567",
    "8501011234567",
    "850101-1234567-8",
    "user@localhost",
    "a@b.c",
    "@naver.com",
    "abc@.com",
    "3.141592653589793",
    "좋아요 1234567이야",
    "",
};

static void check_case(const pii_case *c) {
    nuri_error err;
    nuri_pii_span *sp = NULL;
    size_t n = 0;
    CHECK_OK(nuri_pii_detect(c->text, strlen(c->text), NURI_PII_ALL, &sp, &n, &err), &err);
    CHECKF(n == 1, "'%s': %zu spans, want 1", c->text, n);
    if (n >= 1) {
        const char *name = nuri_pii_type_name(sp[0].type);
        size_t len = sp[0].end - sp[0].start;
        CHECKF(!strcmp(name, c->type), "'%s': type %s, want %s", c->text, name, c->type);
        CHECKF(len == strlen(c->entity) && !memcmp(c->text + sp[0].start, c->entity, len),
               "'%s': span '%.*s', want '%s'", c->text, (int)len, c->text + sp[0].start, c->entity);
    }
    free(sp);
}

static void check_negative(const char *text) {
    nuri_error err;
    nuri_pii_span *sp = NULL;
    size_t n = 0;
    CHECK_OK(nuri_pii_detect(text, strlen(text), NURI_PII_ALL, &sp, &n, &err), &err);
    CHECKF(n == 0, "'%s': found %s '%.*s'", text, n ? nuri_pii_type_name(sp[0].type) : "",
           n ? (int)(sp[0].end - sp[0].start) : 0, n ? text + sp[0].start : "");
    free(sp);
}

static void check_redact(const char *in, uint32_t types, const char *want, const uint64_t *want_counts) {
    nuri_error err;
    char *out = NULL;
    size_t len = 0;
    uint64_t counts[NURI_PII_TYPE_COUNT] = {0};
    CHECK_OK(nuri_pii_redact(in, strlen(in), types, &out, &len, counts, &err), &err);
    if (!out) return;
    CHECKF(!strcmp(out, want), "redact '%s' gave '%s', want '%s'", in, out, want);
    CHECK(len == strlen(out));
    for (int t = 0; want_counts && t < NURI_PII_TYPE_COUNT; t++)
        CHECKF(counts[t] == want_counts[t], "redact '%s': %s count %llu, want %llu", in,
               nuri_pii_type_name(t), (unsigned long long)counts[t], (unsigned long long)want_counts[t]);
    /* redacting again changes nothing: placeholders are never entities */
    char *again = NULL;
    CHECK_OK(nuri_pii_redact(out, len, types, &again, NULL, NULL, &err), &err);
    CHECKF(again && !strcmp(again, out), "second redaction of '%s' changed it to '%s'", out, again ? again : "");
    free(again);
    free(out);
}

int main(void) {
    for (size_t i = 0; i < sizeof positives / sizeof positives[0]; i++) check_case(&positives[i]);
    for (size_t i = 0; i < sizeof negatives / sizeof negatives[0]; i++) check_negative(negatives[i]);

    /* names and placeholders */
    CHECK(!strcmp(nuri_pii_placeholder(NURI_PII_RRN), "[RRN]"));
    CHECK(!strcmp(nuri_pii_placeholder(NURI_PII_PHONE), "[PHONE]"));
    CHECK(!strcmp(nuri_pii_placeholder(NURI_PII_EMAIL), "[EMAIL]"));
    CHECK(!strcmp(nuri_pii_placeholder(NURI_PII_CARD), "[CARD]"));
    CHECK(nuri_pii_type_from_name("phone") == NURI_PII_PHONE);
    CHECK(nuri_pii_type_from_name("Card") == NURI_PII_CARD);
    CHECK(nuri_pii_type_from_name("nope") == -1);
    CHECK(nuri_pii_type_name(NURI_PII_TYPE_COUNT) == NULL);

    /* several entities in one text, Korean around and between them */
    const char *multi = "홍길동(900101-1234567)의 연락처는 010-2345-6789이고 메일은 gd@hong.kr, "
                        "카드는 4111 1111 1111 1111입니다. 가격은 12,000원, 날짜는 2024-03-01.";
    uint64_t want_multi[NURI_PII_TYPE_COUNT] = {1, 1, 1, 1};
    check_redact(multi, NURI_PII_ALL,
                 "홍길동([RRN])의 연락처는 [PHONE]이고 메일은 [EMAIL], 카드는 [CARD]입니다. "
                 "가격은 12,000원, 날짜는 2024-03-01.",
                 want_multi);
    /* a subset of types leaves the others in place */
    uint64_t want_phone[NURI_PII_TYPE_COUNT] = {0, 1, 0, 0};
    check_redact(multi, 1u << NURI_PII_PHONE,
                 "홍길동(900101-1234567)의 연락처는 [PHONE]이고 메일은 gd@hong.kr, 카드는 4111 1111 "
                 "1111 1111입니다. 가격은 12,000원, 날짜는 2024-03-01.",
                 want_phone);
    check_redact("아무것도 없음", NURI_PII_ALL, "아무것도 없음", NULL);
    check_redact("010-1234-5678", NURI_PII_ALL, "[PHONE]", NULL);
    /* a neighbour hidden by another entity's text is found once that one is replaced:
     * ",0" makes the card look like the start of a longer number */
    uint64_t want_hidden[NURI_PII_TYPE_COUNT] = {0, 0, 1, 1};
    check_redact("4111-1111-1111-1111,00ef@naver.com", NURI_PII_ALL, "[CARD],[EMAIL]", want_hidden);

    /* spans are sorted and disjoint even when detectors compete: a bare 13-digit RRN
     * inside a 15-digit run is nothing; two phones back to back with a Korean word */
    {
        const char *t = "010-1111-2222와010-3333-4444";
        nuri_error err;
        nuri_pii_span *sp;
        size_t n;
        CHECK_OK(nuri_pii_detect(t, strlen(t), NURI_PII_ALL, &sp, &n, &err), &err);
        CHECK(n == 2);
        for (size_t i = 1; i < n; i++) CHECK(sp[i - 1].end <= sp[i].start);
        free(sp);
    }
    /* bytes that are not UTF-8 around an entity */
    {
        const char t[] = "\xff\xfe""010-2345-6789\x80";
        nuri_error err;
        nuri_pii_span *sp;
        size_t n;
        CHECK_OK(nuri_pii_detect(t, sizeof t - 1, NURI_PII_ALL, &sp, &n, &err), &err);
        CHECK(n == 1 && sp[0].start == 2 && sp[0].end == 15);
        free(sp);
    }
    return test_done("test_pii");
}
