/* Canaries (after Carlini et al., "The Secret Sharer"): made-up secrets planted in the
 * training text so an audit can test whether a model memorized them. Each one is a
 * sentence "<name>의 <thing>는 <secret>입니다." with a made-up Korean name, so its prefix
 * (up to the secret) is unique and the audit can prompt with it; the secret is 10 random
 * digits, a space of 10^10 in which the audit can rank the planted one. */
#include <stdio.h>
#include <stdlib.h>

#include "datapipe/internal.h"

static const char *const surnames[] = {"김", "이", "박", "최", "정", "강", "조", "윤", "장", "임",
                                       "한", "오", "서", "신", "권", "황", "안", "송", "류", "홍"};
static const char *const syllables[] = {"가", "경", "규", "나", "다", "도", "동", "라", "민", "보",
                                        "빈", "서", "선", "솔", "수", "아", "연", "영", "예", "우",
                                        "원", "윤", "은", "재", "정", "주", "준", "지", "진", "찬",
                                        "하", "한", "해", "현", "혜", "호", "희", "훈", "율", "온"};
static const char *const things[] = {"비밀번호", "인증번호", "금고 번호", "보안 코드", "출입 코드", "계좌 비밀번호"};

#define COUNT(a) (sizeof a / sizeof a[0])

bool dp_canary_make(uint64_t *rng, dp_canary *c) {
    char prefix[128], secret[16], text[192];
    const char *sn = surnames[dp_rand_below(rng, COUNT(surnames))];
    const char *g1 = syllables[dp_rand_below(rng, COUNT(syllables))];
    const char *g2 = syllables[dp_rand_below(rng, COUNT(syllables))];
    const char *th = things[dp_rand_below(rng, COUNT(things))];
    for (int i = 0; i < 10; i++) secret[i] = (char)('0' + dp_rand_below(rng, 10));
    secret[10] = 0;
    snprintf(prefix, sizeof prefix, "%s%s%s의 %s는 ", sn, g1, g2, th);
    snprintf(text, sizeof text, "%s%s입니다.", prefix, secret);
    c->prefix = strdup(prefix);
    c->secret = strdup(secret);
    c->text = strdup(text);
    if (!c->prefix || !c->secret || !c->text) {
        dp_canary_free(c);
        return false;
    }
    return true;
}

void dp_canary_free(dp_canary *c) {
    free(c->prefix);
    free(c->secret);
    free(c->text);
    c->prefix = c->secret = c->text = NULL;
}
