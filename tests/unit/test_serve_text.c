/* The server's text helpers: SHA-256 and base64 against the published test vectors
 * (FIPS 180-2 appendix B, RFC 4648 section 10), and the stop-sequence buffer: text that
 * may begin a stop sequence is held back, a stop sequence never reaches the client, and
 * whatever is released is a prefix of the final text. */
#include "serve/encode.h"
#include "serve/textbuf.h"
#include "test.h"

static void hex(const uint8_t *d, char *out) {
    for (int i = 0; i < 32; i++) sprintf(out + 2 * i, "%02x", d[i]);
}

static void check_sha(const char *msg, size_t len, const char *want) {
    uint8_t d[32];
    char h[65];
    serve_sha256(msg, len, d);
    hex(d, h);
    CHECKF(!strcmp(h, want), "sha256 of %zu bytes: %s", len, h);
}

static void test_sha256(void) {
    check_sha("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    check_sha("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    check_sha(two, strlen(two), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    char *mil = malloc(1000000);
    memset(mil, 'a', 1000000);
    check_sha(mil, 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(mil);
}

static void test_base64(void) {
    const char *in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    const char *want[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (int i = 0; i < 7; i++) {
        char out[16];
        serve_base64(in[i], strlen(in[i]), out);
        CHECKF(!strcmp(out, want[i]), "base64(%s) = %s", in[i], out);
    }
}

/* Pushes text in pieces of `step` bytes; checks after each push that the visible part
 * only grows and never holds a stop string; returns the final visible text. */
static char *stream(char *const *stop, int n_stop, const char *text, size_t step, int *stopped) {
    serve_textbuf t;
    serve_textbuf_init(&t, stop, n_stop);
    size_t n = strlen(text), last = 0;
    for (size_t i = 0; i < n && !t.stopped; i += step) {
        CHECK(serve_textbuf_push(&t, text + i, n - i < step ? n - i : step));
        CHECK(t.visible >= last && t.visible <= t.len);
        last = t.visible;
        for (int k = 0; k < n_stop; k++) CHECK(!memmem(t.buf, t.visible, stop[k], strlen(stop[k])));
    }
    if (!t.stopped) serve_textbuf_finish(&t);
    *stopped = t.stopped;
    char *out = strndup(t.buf ? t.buf : "", t.visible);
    serve_textbuf_free(&t);
    return out;
}

static void test_stops(void) {
    char *stops[] = {"<END>", "\n\n", "ab"};
    struct {
        const char *text, *want;
        int stopped;
    } cases[] = {
        {"hello <END> world", "hello ", 1},
        {"line one\n\nline two", "line one", 1},
        {"<EN> almost", "<EN> almost", 0},
        {"ends with <EN", "ends with <EN", 0}, /* held back, released at the end */
        {"xxab", "xx", 1},
        {"a\nb", "a\nb", 0},
        {"안녕<END>하세요", "안녕", 1},
        {"", "", 0},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        for (size_t step = 1; step <= 4; step++) {
            int stopped;
            char *got = stream(stops, 3, cases[c].text, step, &stopped);
            CHECKF(!strcmp(got, cases[c].want) && stopped == cases[c].stopped, "'%s' in steps of %zu: '%s' (%d)",
                   cases[c].text, step, got, stopped);
            free(got);
        }
    /* earliest match wins across stop strings */
    char *two[] = {"cd", "bc"};
    int stopped;
    char *got = stream(two, 2, "abcd", 4, &stopped);
    CHECK(!strcmp(got, "a") && stopped);
    free(got);
    /* no stop strings: everything is visible at once */
    serve_textbuf t;
    serve_textbuf_init(&t, NULL, 0);
    CHECK(serve_textbuf_push(&t, "abc", 3));
    CHECK(t.visible == 3);
    serve_textbuf_free(&t);
}

int main(void) {
    test_sha256();
    test_base64();
    test_stops();
    return test_done("test_serve_text");
}
