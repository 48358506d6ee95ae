/* Korean PII detection: hand-labeled positives (with particles glued on), hard negatives
 * (dates, prices, order numbers, counts, versions, near-miss numbers), redaction, overlap
 * resolution and invariants (sorted, disjoint, idempotent redaction). Check digits in the
 * positives were computed with the published formulas (RRN weights 2..9,2..5, FRN the
 * same plus 2, business numbers 1,3,7,1,3,7,1,3,5; Luhn); the card numbers are the
 * issuers' public test numbers. */
#include <stdint.h>
#include <stdio.h>

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
    /* foreigner registration numbers: G 5-8; bare ones need the FRN check digit */
    {"외국인등록번호 900101-5123452로 등록", "FRN", "900101-5123452"},
    {"등록번호 900101-5123453이야", "FRN", "900101-5123453"},
    {"9001015123452입니다", "FRN", "9001015123452"},
    {"0505057123498", "FRN", "0505057123498"},
    {"외국인등록번호는9001015123453", "FRN", "9001015123453"},
    {"880808-6******", "FRN", "880808-6******"},
    /* business registration numbers: the check digit is required */
    {"사업자등록번호 220-81-12341", "BRN", "220-81-12341"},
    {"104-81-00015로 등록된 업체", "BRN", "104-81-00015"},
    {"사업자번호는2208112341입니다", "BRN", "2208112341"},
    /* driver's licences */
    {"운전면허 11-23-456789-01이야", "DRIVER", "11-23-456789-01"},
    {"면허번호: 서울 23-456789-01", "DRIVER", "서울 23-456789-01"},
    {"경기북부 99-123456-78번", "DRIVER", "경기북부 99-123456-78"},
    {"28-05-123456-99", "DRIVER", "28-05-123456-99"},
    {"운전면허번호는 112345678901입니다", "DRIVER", "112345678901"},
    /* passports, near the word */
    {"여권번호 M12345678로 예약", "PASSPORT", "M12345678"},
    {"여권번호는M123A4567이고", "PASSPORT", "M123A4567"},
    {"Passport No. S98765432", "PASSPORT", "S98765432"},
    {"여권(D001Z0001) 사본", "PASSPORT", "D001Z0001"},
    /* accounts, near a bank or the word 계좌 */
    {"국민 123456-78-901234로 입금해줘", "ACCOUNT", "123456-78-901234"},
    {"신한은행 110-123-456789", "ACCOUNT", "110-123-456789"},
    {"우리 1002-123-456789으로", "ACCOUNT", "1002-123-456789"},
    {"농협 301-1234-5678-91 예금주 홍길동", "ACCOUNT", "301-1234-5678-91"},
    {"카카오뱅크 3333-12-1234567", "ACCOUNT", "3333-12-1234567"},
    {"환불 계좌는 12345678901234입니다", "ACCOUNT", "12345678901234"},
    {"기업은행 계좌 123-456789-01-234에서", "ACCOUNT", "123-456789-01-234"},
    /* IP addresses */
    {"접속 IP 192.168.0.1에서", "IP", "192.168.0.1"},
    {"서버는 10.0.0.254:8080이야", "IP", "10.0.0.254"},
    {"8.8.4.10", "IP", "8.8.4.10"},
    {"2001:0db8:85a3:0000:0000:8a2e:0370:7334로 접속", "IP", "2001:0db8:85a3:0000:0000:8a2e:0370:7334"},
    {"주소 2001:db8::1에서", "IP", "2001:db8::1"},
    {"fe80::1ff:fe23:4567:890a", "IP", "fe80::1ff:fe23:4567:890a"},
    /* road-name addresses */
    {"주소는 서울특별시 강남구 테헤란로 152입니다", "ADDRESS", "서울특별시 강남구 테헤란로 152"},
    {"경기도 성남시 분당구 판교역로 235로 와", "ADDRESS", "경기도 성남시 분당구 판교역로 235"},
    {"배송지: 부산 해운대구 센텀중앙로 97, 101동 1203호", "ADDRESS", "부산 해운대구 센텀중앙로 97, 101동 1203호"},
    {"세종특별자치시 한누리대로 2130 3층에서", "ADDRESS", "세종특별자치시 한누리대로 2130 3층"},
    {"혹시 강남구 도산대로45길 12-3 맞나요", "ADDRESS", "강남구 도산대로45길 12-3"},
    {"(대구 수성구 수성로81번길 5, 502호)", "ADDRESS", "대구 수성구 수성로81번길 5, 502호"},
    {"경기도 양평군 양평읍 시장길 12", "ADDRESS", "경기도 양평군 양평읍 시장길 12"},
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
    /* FRN: bare 13 digits with a bad check digit and no 외국인; impossible dates */
    "9001015123453",
    "901301-5123452",
    /* BRN: bad check digit, even with the word; a 3-2-5 run inside a longer number */
    "사업자등록번호 123-45-67890",
    "123-45-67892",
    "사업자 1234567890",
    "9220-81-12341",
    /* driver: region codes outside 11-28, 2-6-2 without a region name, bare without 면허 */
    "부품 45-12-345678-90",
    "27-12-345678-90",
    "23-456789-01",
    "112345678901",
    /* passport shapes without the word, lower case, longer codes */
    "모델명 M12345678 정품",
    "여권 m12345678",
    "여권 M123456789",
    "여권 XM12345678",
    /* account shapes without a bank, dates and amounts near one, a bare run near a
     * bank name that is a common word */
    "주문번호 110-123-456789",
    "우리은행 계좌 개설은 2024-03-02부터",
    "계좌 잔액 12,345,678원",
    "하나만 샀는데 1234567890",
    "국민은행 고객센터 1588-9999",
    /* IP: versions, out-of-range octets, leading zeros, times, MAC, words with :: */
    "v1.2.3.4",
    "람보1.2.3.4 씨리즈",
    "내가본 1.2.3.4 편",
    "4.3.1.2. 순으로",
    "IPv4는 0.0.0.0 부터 255.255.255.255 까지",
    "버전 1.2.3.4.5",
    "256.1.1.1",
    "010.1.1.1",
    "Windows 10.0.19045.3803",
    "12:30:45",
    "00:1A:2B:3C:4D:5E",
    "dead::beef",
    "std::vector",
    "a::b",
    /* addresses: no number, units, no administrative word, common words ending in 시/구 */
    "강남구 테헤란로 일대",
    "서울 올림픽대로 12km 구간",
    "종로 3가",
    "테헤란로 152",
    "2호선 을지로 3번 출구",
    "친구 테헤란로 3",
    "서울 강남구 역삼동 123-45",
    "경부고속도로 23km",
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

    /* type lists, as nuri data --pii and nuri pii --types take them */
    uint32_t set = 7;
    CHECK(nuri_pii_types_from_list("all", false, &set) && set == NURI_PII_ALL);
    CHECK(nuri_pii_types_from_list("none", true, &set) && set == 0);
    set = 7;
    CHECK(!nuri_pii_types_from_list("none", false, &set) && set == 7);
    CHECK(nuri_pii_types_from_list("phone,RRN", false, &set) &&
          set == ((1u << NURI_PII_PHONE) | (1u << NURI_PII_RRN)));
    CHECK(nuri_pii_types_from_list("ADDRESS", false, &set) && set == 1u << NURI_PII_ADDRESS);
    set = 7;
    CHECK(!nuri_pii_types_from_list("PHONE,", false, &set) && set == 7);
    CHECK(!nuri_pii_types_from_list(",PHONE", false, &set) && set == 7);
    CHECK(!nuri_pii_types_from_list("PHONE,,RRN", false, &set) && set == 7);
    CHECK(!nuri_pii_types_from_list("", false, &set) && set == 7);
    CHECK(!nuri_pii_types_from_list("PHONEX", false, &set) && set == 7);
    CHECK(!nuri_pii_types_from_list("ADDRESSADDRESSADDRESS", false, &set) && set == 7);

    /* names and placeholders */
    CHECK(!strcmp(nuri_pii_placeholder(NURI_PII_RRN), "[RRN]"));
    CHECK(!strcmp(nuri_pii_placeholder(NURI_PII_PHONE), "[PHONE]"));
    CHECK(!strcmp(nuri_pii_placeholder(NURI_PII_EMAIL), "[EMAIL]"));
    CHECK(!strcmp(nuri_pii_placeholder(NURI_PII_CARD), "[CARD]"));
    static const char *const names[NURI_PII_TYPE_COUNT] = {"RRN", "PHONE", "EMAIL", "CARD", "FRN", "BRN",
                                                           "DRIVER", "PASSPORT", "ACCOUNT", "IP", "ADDRESS"};
    for (int t = 0; t < NURI_PII_TYPE_COUNT; t++) {
        char ph[32];
        snprintf(ph, sizeof ph, "[%s]", names[t]);
        CHECKF(!strcmp(nuri_pii_type_name(t), names[t]), "type %d is %s", t, nuri_pii_type_name(t));
        CHECKF(!strcmp(nuri_pii_placeholder(t), ph), "placeholder of %s", names[t]);
        CHECK(nuri_pii_type_from_name(names[t]) == t);
    }
    CHECK(nuri_pii_type_from_name("address") == NURI_PII_ADDRESS);
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
    /* every new type in one text */
    const char *all = "외국인 900101-5123452, 사업자 220-81-12341, 면허 11-23-456789-01, 여권 M12345678, "
                      "국민 123456-78-901234, IP 192.168.0.1, 주소 서울 강남구 테헤란로 152에서";
    uint64_t want_all[NURI_PII_TYPE_COUNT] = {0};
    for (int t = NURI_PII_FRN; t < NURI_PII_TYPE_COUNT; t++) want_all[t] = 1;
    check_redact(all, NURI_PII_ALL,
                 "외국인 [FRN], 사업자 [BRN], 면허 [DRIVER], 여권 [PASSPORT], 국민 [ACCOUNT], IP [IP], "
                 "주소 [ADDRESS]에서",
                 want_all);
    /* where two types claim the same digits the earlier table row wins: a phone number
     * next to 계좌 is a phone number, a business number next to a bank one too */
    check_redact("계좌 연락처 010-1234-5678", NURI_PII_ALL, "계좌 연락처 [PHONE]", NULL);
    check_redact("은행 220-81-12341", NURI_PII_ALL, "은행 [BRN]", NULL);
    check_redact("계좌 900101-1234567", NURI_PII_ALL, "계좌 [RRN]", NULL);
    /* a number between the bank and a candidate breaks the context */
    check_redact("계좌 신한 110-123-456789, 주문번호 20240115-123456", NURI_PII_ALL,
                 "계좌 신한 [ACCOUNT], 주문번호 20240115-123456", NULL);

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
