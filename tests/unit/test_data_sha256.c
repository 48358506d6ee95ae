/* SHA-256 against the FIPS 180-4 / NIST example vectors, and incremental hashing in
 * every split of a message equal to one call. */
#include "test.h"
#include "text/sha256.h"

static void hex_of(text_sha256 *c, char hex[65]) {
    uint8_t d[32];
    text_sha256_final(c, d);
    for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

int main(void) {
    static const struct {
        const char *msg, *hex;
    } vec[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
    };
    char hex[65];
    for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++) {
        text_sha256_hex(vec[i].msg, strlen(vec[i].msg), hex);
        CHECKF(!strcmp(hex, vec[i].hex), "sha256('%s') = %s", vec[i].msg, hex);
    }
    /* one million 'a', fed in uneven pieces */
    text_sha256 c;
    text_sha256_init(&c);
    char a[997];
    memset(a, 'a', sizeof a);
    size_t left = 1000000;
    while (left) {
        size_t k = left < sizeof a ? left : sizeof a;
        text_sha256_update(&c, a, k);
        left -= k;
    }
    hex_of(&c, hex);
    CHECK(!strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
    /* every split point of a 200-byte message across the block and padding boundaries */
    char msg[200];
    for (int i = 0; i < 200; i++) msg[i] = (char)(i * 7 + 3);
    for (size_t len = 0; len <= 200; len += 11) {
        char whole[65];
        text_sha256_hex(msg, len, whole);
        for (size_t cut = 0; cut <= len; cut += 5) {
            text_sha256_init(&c);
            text_sha256_update(&c, msg, cut);
            text_sha256_update(&c, msg + cut, len - cut);
            hex_of(&c, hex);
            CHECKF(!strcmp(hex, whole), "len %zu cut %zu", len, cut);
        }
    }
    return test_done("test_data_sha256");
}
