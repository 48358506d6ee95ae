/* Text utilities of the data pipeline: strict UTF-8, NFC (Hangul composition as the
 * Unicode standard defines it: U+1112 U+1161 U+11AB = U+D55C), markup remnants, control
 * and invisible characters, spaces, the Hangul share, and CSV/TSV records. */
#include "test.h"
#include "text/csv.h"
#include "text/normalize.h"

static void check_clean(const char *in, const char *want) {
    text_buf out = {0};
    nuri_error err;
    uint64_t changed = 0;
    CHECK_OK(text_clean(in, strlen(in), &out, &changed, &err), &err);
    const char *got = out.p ? out.p : "";
    CHECKF(out.n == strlen(want) && !memcmp(got, want, out.n), "clean('%s') = '%.*s', want '%s'", in, (int)out.n, got, want);
    text_buf_free(&out);
}

static void check_csv(const char *text, bool tsv, int n_rows, const char *const *cells, const int *per_row) {
    text_csv_row row = {0};
    size_t pos = 0;
    int r = 0, c = 0;
    text_csv_result res;
    while ((res = text_csv_next(text, strlen(text), &pos, tsv ? '\t' : ',', !tsv, &row)) == TEXT_CSV_ROW) {
        CHECKF(r < n_rows && (int)row.n == per_row[r], "row %d has %zu fields", r, row.n);
        for (size_t i = 0; r < n_rows && i < row.n && (int)i < per_row[r]; i++, c++)
            CHECKF(!strcmp(row.text.p + row.off[i], cells[c]) && row.len[i] == strlen(cells[c]),
                   "row %d field %zu = '%s', want '%s'", r, i, row.text.p + row.off[i], cells[c]);
        r++;
    }
    CHECK(res == TEXT_CSV_END);
    CHECKF(r == n_rows, "%d rows, want %d", r, n_rows);
    text_csv_row_free(&row);
}

int main(void) {
    /* strict UTF-8 */
    size_t bad = 99;
    CHECK(text_utf8_valid("한국어 abc", strlen("한국어 abc"), NULL));
    CHECK(!text_utf8_valid("ab\xC0\xAF", 4, &bad) && bad == 2);     /* overlong '/' */
    CHECK(!text_utf8_valid("\xED\xA0\x80", 3, &bad) && bad == 0);   /* surrogate */
    CHECK(!text_utf8_valid("a\xF4\x90\x80\x80", 5, &bad) && bad == 1); /* above U+10FFFF */
    CHECK(!text_utf8_valid("ab\xEA\xB0", 4, &bad) && bad == 2);     /* cut short */
    CHECK(!text_utf8_valid("\x80", 1, &bad) && bad == 0);

    /* NFC: decomposed Hangul and Latin compose; compatibility forms stay (NFC, not NFKC) */
    check_clean("\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB\xE1\x84\x80\xE1\x85\xB3\xE1\x86\xAF", "한글");
    check_clean("cafe\xCC\x81", "caf\xC3\xA9");
    check_clean("\xEA\xB0\x80\xE1\x86\xA8", "\xEA\xB0\x81"); /* 가 + final ㄱ = 각 */
    check_clean("ｆｕｌｌ　ｗｉｄｔｈ", "ｆｕｌｌ ｗｉｄｔｈ");  /* U+3000 becomes a space */
    check_clean("①②", "①②");

    /* control and invisible characters, spaces */
    check_clean("  가\t나\r\n다  ", "가 나 다");
    check_clean("zero\xE2\x80\x8Bwidth\xEF\xBB\xBF", "zerowidth");
    check_clean("soft\xC2\xADhyphen", "softhyphen");
    check_clean("bell\x07 and \x1B esc", "bell and esc");
    check_clean("nbsp\xC2\xA0here", "nbsp here");
    check_clean("private\xEE\x80\x80use", "privateuse");
    check_clean("emoji \xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9", "emoji \xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9");
    check_clean("\x01\x02 \x03", "");

    /* markup remnants: real tags and entities go, look-alikes stay */
    check_clean("좋아요<br>최고<br/>끝", "좋아요 최고 끝");
    check_clean("<b>굵게</b> <a href=\"http://x.kr\">링크</a>", "굵게 링크");
    check_clean("Tom &amp; Jerry &lt;3 &#44032;&#xAC01; &nbsp;끝", "Tom & Jerry <3 가각 끝");
    check_clean("&hearts; &#39;인용&#39;", "♥ '인용'");
    check_clean("<반지의 제왕> <The Thing> <BBC>", "<반지의 제왕> <The Thing> <BBC>");
    check_clean("a < b > c, AT&T, &unknown; &#0; &#xD800;", "a < b > c, AT&T, &unknown; &#0; &#xD800;");

    /* Hangul share: letters only (digits, punctuation and spaces do not count) */
    size_t h, l;
    text_hangul_share("영화 최고 10점!!", strlen("영화 최고 10점!!"), &h, &l);
    CHECK(h == 5 && l == 5);
    text_hangul_share("good 영화", strlen("good 영화"), &h, &l);
    CHECK(h == 2 && l == 6);
    text_hangul_share("ㅋㅋㅋ ㅠㅠ", strlen("ㅋㅋㅋ ㅠㅠ"), &h, &l);
    CHECK(h == 5 && l == 5);
    text_hangul_share("大韓民國 헌법", strlen("大韓民國 헌법"), &h, &l);
    CHECK(h == 2 && l == 6);
    text_hangul_share("123 !!", 6, &h, &l);
    CHECK(h == 0 && l == 0);

    /* CSV: quotes, doubled quotes, embedded separators and line breaks, CRLF, empty fields */
    {
        static const char *const cells[] = {"Q", "A", "label", "안녕, 하세요", "그는 \"네\"라고", "0",
                                            "줄\n바꿈", "", "1", "끝"};
        static const int per_row[] = {3, 3, 3, 1};
        check_csv("Q,A,label\r\n\"안녕, 하세요\",\"그는 \"\"네\"\"라고\",0\n\"줄\n바꿈\",,1\n끝", false, 4, cells, per_row);
    }
    {
        static const char *const cells[] = {"id", "document", "1", "\"따옴표\" 그대로", "2", ""};
        static const int per_row[] = {2, 2, 2};
        check_csv("id\tdocument\n1\t\"따옴표\" 그대로\n2\t\n", true, 3, cells, per_row);
    }
    {
        text_csv_row row = {0};
        size_t pos = 0;
        const char *t = "a,\"never closed\n";
        CHECK(text_csv_next(t, strlen(t), &pos, ',', true, &row) == TEXT_CSV_BAD_QUOTE);
        text_csv_row_free(&row);
    }
    return test_done("test_data_text");
}
