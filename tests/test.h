/* A minimal test harness: CHECK records a failure and goes on; the program's exit
 * status is the verdict (0 pass, 1 fail, 77 skipped with a reason on stdout). */
#ifndef NURI_TEST_H
#define NURI_TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int test_failures = 0;
static int test_checks = 0;

#define CHECK(cond)                                                                     \
    do {                                                                                \
        test_checks++;                                                                  \
        if (!(cond)) {                                                                  \
            test_failures++;                                                            \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);    \
        }                                                                               \
    } while (0)

#define CHECKF(cond, ...)                                                               \
    do {                                                                                \
        test_checks++;                                                                  \
        if (!(cond)) {                                                                  \
            test_failures++;                                                            \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);    \
            fprintf(stderr, __VA_ARGS__);                                               \
            fputc('\n', stderr);                                                        \
        }                                                                               \
    } while (0)

#define CHECK_OK(expr, errp)                                                            \
    do {                                                                                \
        test_checks++;                                                                  \
        int st_ = (int)(expr);                                                          \
        if (st_ != 0) {                                                                 \
            test_failures++;                                                            \
            fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #expr,        \
                    (errp)->msg);                                                       \
        }                                                                               \
    } while (0)

static inline int test_done(const char *name) {
    printf("%s: %d checks, %d failed\n", name, test_checks, test_failures);
    return test_failures ? 1 : 0;
}

static inline int test_skip(const char *why) {
    printf("SKIPPED: %s\n", why);
    return 77;
}

/* Directory holding the shared fixtures: $NURI_SHARED, else ../shared beside the repo. */
static inline const char *test_shared_dir(void) {
    static char buf[4096];
    const char *env = getenv("NURI_SHARED");
    if (env && *env) return env;
    snprintf(buf, sizeof buf, "%s/../shared", NURI_SOURCE_DIR);
    return buf;
}

static inline int test_have_shared(void) {
    struct stat st;
    char p[4200];
    snprintf(p, sizeof p, "%s/models", test_shared_dir());
    return stat(p, &st) == 0;
}

/* Writes text to dir/rel; a test that cannot write its own temporary files stops here. */
static inline void test_write_file(const char *dir, const char *rel, const char *text) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    FILE *f = fopen(path, "wb");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static inline char *test_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) { free(buf); buf = NULL; }
    fclose(f);
    if (buf) { buf[n] = 0; if (len) *len = (size_t)n; }
    return buf;
}

#endif
