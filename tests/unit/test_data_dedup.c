/* Exact and near duplicate detection: verdicts on designed pairs, and the MinHash
 * estimate against the exact Jaccard similarity of 5-character shingle sets. */
#include "datapipe/internal.h"
#include "test.h"

static uint64_t rng = 12345;

/* n random lowercase letters */
static void random_text(char *s, size_t n) {
    for (size_t i = 0; i < n; i++) s[i] = (char)('a' + dp_rand_below(&rng, 26));
    s[n] = 0;
}

static int cmp_sh(const void *a, const void *b) { return memcmp(a, b, 5); }

/* exact Jaccard similarity of the 5-shingle sets of two ASCII strings */
static double jaccard(const char *a, const char *b) {
    size_t na = strlen(a) - 4, nb = strlen(b) - 4;
    char (*sa)[5] = malloc(na * 5), (*sb)[5] = malloc(nb * 5);
    for (size_t i = 0; i < na; i++) memcpy(sa[i], a + i, 5);
    for (size_t i = 0; i < nb; i++) memcpy(sb[i], b + i, 5);
    qsort(sa, na, 5, cmp_sh);
    qsort(sb, nb, 5, cmp_sh);
    size_t i = 0, j = 0, inter = 0, uni = 0;
    while (i < na || j < nb) {
        int c = i == na ? 1 : j == nb ? -1 : memcmp(sa[i], sb[j], 5);
        uni++;
        if (c == 0) {
            inter++;
            char *x = sa[i];
            while (i < na && !memcmp(sa[i], x, 5)) i++;
            while (j < nb && !memcmp(sb[j], x, 5)) j++;
        } else if (c < 0) {
            char *x = sa[i];
            while (i < na && !memcmp(sa[i], x, 5)) i++;
        } else {
            char *x = sb[j];
            while (j < nb && !memcmp(sb[j], x, 5)) j++;
        }
    }
    free(sa);
    free(sb);
    return (double)inter / (double)uni;
}

static dp_verdict add(dp_dedup *d, const char *s, bool excl) {
    bool ok;
    dp_verdict v = dp_dedup_add(d, s, strlen(s), excl, &ok);
    CHECK(ok);
    return v;
}

int main(void) {
    dp_dedup *d = dp_dedup_new(5, 0.8, true, true);
    CHECK(d != NULL);
    if (!d) return test_done("test_data_dedup");
    const char *a = "오늘은 날씨가 정말 좋아서 공원에 산책을 나갔다가 오래된 친구를 우연히 만났다";
    CHECK(add(d, a, false) == DP_NEW);
    CHECK(add(d, a, false) == DP_DUP);
    /* spacing and ASCII case do not matter to the near check */
    CHECK(add(d, "오늘은 날씨가 정말좋아서 공원에 산책을 나갔다가 오래된 친구를 우연히만났다", false) == DP_NEAR);
    CHECK(add(d, "Movie Night 영화 보는 밤에는 팝콘이 최고입니다", false) == DP_NEW);
    CHECK(add(d, "movie night 영화 보는 밤에는 팝콘이 최고입니다", false) == DP_NEAR);
    /* a sentence sharing only its first half is not near */
    CHECK(add(d, "오늘은 날씨가 정말 좋아서 공원에 가려다 비가 와서 집에서 영화를 한 편 봤다", false) == DP_NEW);
    /* short texts: one shingle, so near means equal after normalization */
    CHECK(add(d, "최고", false) == DP_NEW);
    CHECK(add(d, "최 고", false) == DP_NEAR);
    CHECK(add(d, "최악", false) == DP_NEW);
    /* excluded entries are reported as such */
    CHECK(add(d, "평가 세트에 있는 문장은 학습하지 않는다", true) == DP_NEW);
    CHECK(add(d, "평가 세트에 있는 문장은 학습하지 않는다", false) == DP_DUP_EXCLUDED);
    CHECK(add(d, "평가 세트에 있는 문장은 학습하지 않는다!", false) == DP_NEAR_EXCLUDED);

    /* the estimate follows the exact similarity: 40 pairs from J ~ 0.1 to 1 */
    double err_sum = 0, err_max = 0;
    for (int k = 0; k < 40; k++) {
        char x[400], y[400];
        random_text(x, 300);
        memcpy(y, x, 301);
        int edits = k * 3;
        for (int e = 0; e < edits; e++) y[dp_rand_below(&rng, 300)] = (char)('a' + dp_rand_below(&rng, 26));
        uint32_t sx[DP_MINHASH], sy[DP_MINHASH];
        CHECK(dp_minhash(d, x, 300, sx) && dp_minhash(d, y, 300, sy));
        int agree = 0;
        for (int i = 0; i < DP_MINHASH; i++) agree += sx[i] == sy[i];
        double est = (double)agree / DP_MINHASH, j = jaccard(x, y);
        double e = est > j ? est - j : j - est;
        err_sum += e;
        if (e > err_max) err_max = e;
    }
    CHECKF(err_sum / 40 < 0.06, "mean MinHash error %.3f", err_sum / 40);
    CHECKF(err_max < 0.2, "largest MinHash error %.3f", err_max);

    /* with both checks off, everything is new */
    dp_dedup *off = dp_dedup_new(5, 0.8, false, false);
    CHECK(add(off, a, false) == DP_NEW && add(off, a, false) == DP_NEW);
    dp_dedup_free(off);
    /* exact only: the spacing variant is new */
    dp_dedup *ex = dp_dedup_new(5, 0.8, true, false);
    CHECK(add(ex, "가나다라마바사", false) == DP_NEW && add(ex, "가나다라 마바사", false) == DP_NEW &&
          add(ex, "가나다라마바사", false) == DP_DUP);
    dp_dedup_free(ex);
    dp_dedup_free(d);
    return test_done("test_data_dedup");
}
