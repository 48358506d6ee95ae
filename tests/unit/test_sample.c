/* Samplers: greedy is argmax, filters keep what they promise, the same seed repeats, and
 * the draw follows the distribution. */
#include "nuri/sample.h"
#include "test.h"

#define V 8

static nuri_sampler *make(nuri_sampler_params p) {
    nuri_sampler *s = NULL;
    nuri_error err;
    CHECK_OK(nuri_sampler_new(&p, V, &s, &err), &err);
    return s;
}

static int draw(nuri_sampler *s, const float *base) {
    float l[V];
    memcpy(l, base, sizeof l);
    return nuri_sample(s, l);
}

int main(void) {
    const float logits[V] = {1.0f, 3.0f, 2.5f, -1.0f, 0.0f, 2.9f, -5.0f, 0.5f};
    nuri_error err;
    nuri_sampler_params p = nuri_sampler_default_params();

    /* Greedy: the argmax, whatever the seed. */
    nuri_sampler *s = make(p);
    CHECK(draw(s, logits) == 1);
    nuri_sampler_free(s);

    /* top-k 2: only ids 1 and 5 ever come out; both do. */
    p.temperature = 1.0f;
    p.top_k = 2;
    p.top_p = 1.0f;
    p.min_p = 0.0f;
    s = make(p);
    int seen[V] = {0};
    for (int i = 0; i < 2000; i++) seen[draw(s, logits)]++;
    CHECK(seen[1] > 0 && seen[5] > 0);
    CHECK(seen[1] + seen[5] == 2000);
    /* Frequencies follow softmax over the two: p(1) = 1/(1+e^-0.1) = 0.525. */
    CHECKF(fabs(seen[1] / 2000.0 - 0.525) < 0.05, "p(1) = %.3f", seen[1] / 2000.0);
    nuri_sampler_free(s);

    /* Same seed, same sequence; another seed, another sequence. */
    p.top_k = 0;
    p.seed = 42;
    nuri_sampler *a = make(p), *b = make(p);
    p.seed = 43;
    nuri_sampler *c = make(p);
    int differ = 0;
    for (int i = 0; i < 200; i++) {
        int x = draw(a, logits), y = draw(b, logits), z = draw(c, logits);
        CHECK(x == y);
        differ += x != z;
    }
    CHECK(differ > 0);
    nuri_sampler_free(a);
    nuri_sampler_free(b);
    nuri_sampler_free(c);

    /* min-p 0.5: keeps tokens with p >= 0.5 p_max: ids 1 (3.0), 5 (2.9), 2 (2.5: e^-0.5 = 0.61). */
    p.min_p = 0.5f;
    s = make(p);
    memset(seen, 0, sizeof seen);
    for (int i = 0; i < 2000; i++) seen[draw(s, logits)]++;
    CHECK(seen[1] && seen[5] && seen[2]);
    CHECK(seen[1] + seen[5] + seen[2] == 2000);
    nuri_sampler_free(s);

    /* top-p 0.5: the smallest set reaching half the mass is {1, 5}. */
    p.min_p = 0.0f;
    p.top_p = 0.5f;
    s = make(p);
    memset(seen, 0, sizeof seen);
    for (int i = 0; i < 1000; i++) seen[draw(s, logits)]++;
    CHECK(seen[1] + seen[5] == 1000);
    nuri_sampler_free(s);

    /* Repetition penalty: after accepting id 1, greedy moves to id 5. */
    p = nuri_sampler_default_params();
    p.repeat_penalty = 2.0f;
    s = make(p);
    nuri_sampler_accept(s, 1);
    CHECK(draw(s, logits) == 5);
    nuri_sampler_reset(s);
    CHECK(draw(s, logits) == 1);
    nuri_sampler_free(s);

    /* Presence / frequency penalties subtract. */
    p = nuri_sampler_default_params();
    p.frequency_penalty = 0.3f;
    s = make(p);
    nuri_sampler_accept(s, 1);
    CHECK(draw(s, logits) == 5); /* 3.0 - 0.3 < 2.9 */
    nuri_sampler_free(s);

    /* Out-of-range parameters are refused with a message naming them. */
    p = nuri_sampler_default_params();
    p.temperature = -1.0f;
    CHECK(nuri_sampler_new(&p, V, &s, &err) == NURI_ERR_INVALID_ARG && strstr(err.msg, "temperature"));
    p = nuri_sampler_default_params();
    p.top_p = 0.0f;
    CHECK(nuri_sampler_new(&p, V, &s, &err) == NURI_ERR_INVALID_ARG && strstr(err.msg, "top-p"));
    p = nuri_sampler_default_params();
    p.presence_penalty = 3.0f;
    CHECK(nuri_sampler_new(&p, V, &s, &err) == NURI_ERR_INVALID_ARG);
    return test_done("test_sample");
}
