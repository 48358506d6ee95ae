/* 도로명주소 (road-name addresses): [시/도] [시/군] [구] [읍/면] 도로명 건물번호, e.g.
 * "서울특별시 강남구 테헤란로 152", "경기도 성남시 분당구 판교역로 235", "세종특별자치시
 * 한누리대로 2130", with a detail that follows ", 101동 1203호", " 3층", ", 502호". The
 * anchor is a road name (a Hangul word ending in 로 or 길, digits allowed inside:
 * 올림픽로35길, 수성로81번길) followed by a space and a building number (1-9999, maybe
 * -1..9999); at least one administrative word must come right before it, one space
 * apart: a province from the list below, or a word ending in 시/군/구 that is not a
 * common noun (혹시, 친구). A number followed by a unit (3가, 12km, 5호선, 3번) is not a
 * building number. The 참고항목 in parentheses ("(역삼동)") is not included; addresses
 * without any administrative word, old lot-number addresses (역삼동 123-45) and English
 * addresses are not read. */
#include <string.h>

#include "text/pii_detect.h"

/* The Hangul syllable ending at j (exclusive), as its code point, or 0. */
static uint32_t syl_before(const uint8_t *s, size_t j) {
    if (j < 3) return 0;
    const uint8_t *p = s + j - 3;
    if ((p[0] & 0xF0) != 0xE0 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return 0;
    uint32_t cp = (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
    return cp >= 0xAC00 && cp <= 0xD7A3 ? cp : 0;
}

static bool syl_at(const uint8_t *s, size_t n, size_t i, uint32_t cp) {
    return i + 3 <= n && syl_before(s, i + 3) == cp;
}

#define SYL_RO 0xB85C   /* 로 */
#define SYL_GIL 0xAE38  /* 길 */
#define SYL_SI 0xC2DC   /* 시 */
#define SYL_GUN 0xAD70  /* 군 */
#define SYL_GU 0xAD6C   /* 구 */
#define SYL_EUP 0xC74D  /* 읍 */
#define SYL_MYEON 0xBA74 /* 면 */
#define SYL_DONG 0xB3D9 /* 동 */
#define SYL_HO 0xD638   /* 호 */
#define SYL_CHEUNG 0xCE35 /* 층 */

static const char *const provinces[] = {
    "서울", "서울시", "서울특별시", "부산", "부산시", "부산광역시", "대구", "대구시", "대구광역시", "인천",
    "인천시", "인천광역시", "광주", "광주시", "광주광역시", "대전", "대전시", "대전광역시", "울산", "울산시",
    "울산광역시", "세종", "세종시", "세종특별자치시", "경기", "경기도", "강원", "강원도", "강원특별자치도",
    "충북", "충청북도", "충남", "충청남도", "전북", "전라북도", "전북특별자치도", "전남", "전라남도", "경북",
    "경상북도", "경남", "경상남도", "제주", "제주도", "제주특별자치도", NULL};

/* Everyday words ending in 시/군/구/면 that are no place. */
static const char *const not_places[] = {
    "혹시", "다시", "역시", "반드시", "동시", "당시", "즉시", "잠시", "임시", "수시", "항시", "상시", "정시",
    "평시", "무시", "표시", "지시", "제시", "개시", "게시", "감시", "전시", "도시", "친구", "가구", "도구",
    "입구", "출구", "연구", "요구", "추구", "인구", "창구", "기구", "장군", "아군", "국군", "적군", "반면",
    "측면", "전면", "이면", "단면", "표면", "화면", "라면", "국면", "방면", "지면", NULL};

static bool in_list(const uint8_t *w, size_t len, const char *const *list) {
    for (const char *const *p = list; *p; p++)
        if (strlen(*p) == len && !memcmp(w, *p, len)) return true;
    return false;
}

/* The all-Hangul word ending at j (exclusive): its start (== j when none). With digits,
 * ASCII digits may occur inside (not first). */
static size_t word_start(const uint8_t *s, size_t j, bool digits) {
    size_t w = j;
    for (;;) {
        if (syl_before(s, w)) w -= 3;
        else if (digits && w && pii_digit(s[w - 1])) w--;
        else break;
    }
    while (w < j && pii_digit(s[w])) w++;
    return w;
}

enum { SLOT_EUPMYEON, SLOT_GU, SLOT_SIGUN, SLOT_PROVINCE, SLOT_COUNT };

static bool fits(const uint8_t *s, size_t w, size_t j, int slot) {
    size_t len = j - w;
    if (len < 6 || len > 24) return false; /* 2-8 syllables */
    if (slot == SLOT_PROVINCE) return in_list(s + w, len, provinces);
    uint32_t last = syl_before(s, j);
    bool end_ok = slot == SLOT_EUPMYEON ? (last == SYL_EUP || last == SYL_MYEON)
                  : slot == SLOT_GU     ? last == SYL_GU
                                        : (last == SYL_SI || last == SYL_GUN);
    return end_ok && !in_list(s + w, len, not_places);
}

/* A number of 1-4 digits without a leading zero at s[i]: its end, or 0. */
static size_t number(const uint8_t *s, size_t n, size_t i) {
    size_t k = pii_digits(s, n, i, 4);
    return k >= 1 && k <= 4 && s[i] != '0' ? i + k : 0;
}

/* Units that make a number a count or a line, not a building number. */
static bool unit_after(const uint8_t *s, size_t n, size_t j) {
    static const uint32_t units[] = {0xAC00 /* 가 */, 0xBC88 /* 번 */, 0xBA85 /* 명 */, 0xAC1C /* 개 */,
                                     0xC6D0 /* 원 */, 0xB144 /* 년 */, 0xC6D4 /* 월 */, 0xC77C /* 일 */,
                                     0xC2DC /* 시 */, 0xBD84 /* 분 */, 0xCD08 /* 초 */, 0xCC28 /* 차 */,
                                     0xC138 /* 세 */, 0xD68C /* 회 */, 0xC704 /* 위 */, 0xB300 /* 대 */,
                                     0xB4F1 /* 등 */, 0xAC74 /* 건 */, 0xB9CC /* 만 */, 0xC5B5 /* 억 */,
                                     0xCC9C /* 천 */, 0xC870 /* 조 */, 0xC810 /* 점 */, SYL_HO, SYL_CHEUNG};
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++)
        if (syl_at(s, n, j, units[u])) return true;
    return false;
}

/* The detail after the building number ending at e: ", 101동 1203호", " 3층", ", 502호".
 * Its end, or e when none. */
static size_t detail(const uint8_t *s, size_t n, size_t e) {
    size_t p = e;
    if (p < n && s[p] == ',') p++;
    if (p >= n || s[p] != ' ') return e;
    p = number(s, n, p + 1);
    if (!p) return e;
    bool dong = syl_at(s, n, p, SYL_DONG), floor = syl_at(s, n, p, SYL_CHEUNG);
    if (!dong && !floor && !syl_at(s, n, p, SYL_HO)) return e;
    p += 3;
    if ((dong || floor) && p < n && s[p] == ' ') {
        size_t q = number(s, n, p + 1);
        if (q && syl_at(s, n, q, SYL_HO)) p = q + 3;
    }
    return p;
}

void pii_scan_address(const uint8_t *s, size_t n, pii_sink *out) {
    for (size_t i = 2; i < n; i++) {
        if (!pii_digit(s[i]) || s[i - 1] != ' ') continue;
        uint32_t last = syl_before(s, i - 1);
        if (last != SYL_RO && last != SYL_GIL) continue;
        size_t road = word_start(s, i - 1, true);
        if (i - 1 - road < 6) continue; /* a road name has two syllables or more */
        size_t e = number(s, n, i);
        if (!e) continue;
        if (e + 1 < n && s[e] == '-' && pii_digit(s[e + 1])) {
            e = number(s, n, e + 1);
            if (!e) continue;
        }
        if (!pii_right_ok(s, n, e) || unit_after(s, n, e)) continue;
        /* administrative words to the left, in order */
        size_t start = road;
        int admin = 0, slot = 0;
        while (slot < SLOT_COUNT && start >= 2 && s[start - 1] == ' ') {
            size_t w = word_start(s, start - 1, false);
            if (w == start - 1) break;
            while (slot < SLOT_COUNT && !fits(s, w, start - 1, slot)) slot++;
            if (slot == SLOT_COUNT) break;
            if (slot != SLOT_EUPMYEON) admin++;
            start = w;
            slot++;
        }
        if (!admin) continue;
        e = detail(s, n, e);
        pii_push(out, NURI_PII_ADDRESS, start, e);
        i = e - 1;
    }
}
