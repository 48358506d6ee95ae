/* nuri_data_run on small hand-made sources: every reader, every drop reason, PII
 * redaction, excludes, licenses from a provenance table, the seeded split, canaries, the
 * manifest, determinism, and the errors (invalid UTF-8, empty input, nothing kept) that
 * must leave the output directory untouched. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <unistd.h>

#include "nuri/data.h"
#include "test.h"
#include "text/sha256.h"

static char dir[256];

static void put(const char *name, const char *text) {
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    if (!f) return;
    fwrite(text, 1, strlen(text), f);
    fclose(f);
}

static char *get(const char *out, const char *name, size_t *len) {
    char p[512];
    snprintf(p, sizeof p, "%s/%s/%s", dir, out, name);
    return test_read_file(p, len);
}

static char *path_of(const char *name) {
    static char p[8][512];
    static int k;
    k = (k + 1) % 8;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    return p[k];
}

static size_t count_lines(const char *s) {
    size_t n = 0;
    for (; s && *s; s++) n += *s == '\n';
    return n;
}

/* the line of s that is exactly text, 1-based, or 0 */
static size_t line_of(const char *s, const char *text, size_t from) {
    size_t line = 1, tl = strlen(text);
    for (const char *p = s; p && *p; line++) {
        const char *nl = strchr(p, '\n');
        size_t l = nl ? (size_t)(nl - p) : strlen(p);
        if (line >= from && l == tl && !memcmp(p, text, tl)) return line;
        if (!nl) break;
        p = nl + 1;
    }
    return 0;
}

static cJSON *source_entry(cJSON *m, const char *suffix) {
    cJSON *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItem(m, "sources")) {
        const char *p = cJSON_GetStringValue(cJSON_GetObjectItem(s, "path"));
        if (p && strlen(p) >= strlen(suffix) && !strcmp(p + strlen(p) - strlen(suffix), suffix)) return s;
    }
    return NULL;
}

static double num(cJSON *o, const char *a, const char *b) {
    cJSON *x = cJSON_GetObjectItem(o, a);
    if (b) x = cJSON_GetObjectItem(x, b);
    return x ? cJSON_GetNumberValue(x) : -1;
}

#define LONG_A "오늘은 날씨가 정말 좋아서 공원에 산책을 나갔다가 오래된 친구를 우연히 만나 함께 점심을 먹었다"
#define LONG_B "오늘은 날씨가 정말 좋아서 공원에 산책을 나갔다가 오래된 친구를 우연히 만나 함께 점심을 먹었다!"
#define LONG_C "어제는 비가 많이 와서 집에서 책을 읽으며 조용히 하루를 보냈고 저녁에는 라면을 끓여 먹었다"

static void make_sources(void) {
    put("PROVENANCE.md", "| file | source | license | note |\n|---|---|---|---|\n"
                         "| src/reviews.txt | somewhere | CC0-1.0 |  |\n| src/tables/*.csv | elsewhere | MIT |  |\n");
    char p[512];
    snprintf(p, sizeof p, "%s/src", dir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/src/tables", dir);
    mkdir(p, 0755);
    put("src/reviews.txt",
        "이 영화 정말 재밌어요 <br>강추합니다\n"                /* kept, tag removed */
        "\n"
        "ㅋㅋ\n"                                               /* too short */
        "This movie was great fun to watch\n"                  /* not Korean */
        "이 영화 정말 재밌어요 강추합니다\n"                    /* duplicate of the first after cleaning */
        LONG_A "\n" LONG_B "\n" LONG_C "\n"                    /* B is a near duplicate of A */
        "연락처는 010-2345-6789이고 메일은 hong@example.kr 입니다\n"
        "주민번호 900101-1234567 적지 마세요\n"
        "평가 지표에 들어 있는 문장입니다 절대 학습하지 말 것\n"); /* in the exclude file */
    put("src/tables/qa.csv", "Q,A,label\n\"안녕, 반가워요\",\"저도 \"\"반가워요\"\"\",0\n점심 뭐 먹지,김치찌개 어때요,1\n");
    put("src/notes.md", "---\n제목: 메모\n---\n\n# 첫째 조항\n\n**①** 이 법은 \\*보호\\*를 목적으로 한다.\n\n"
                        "## 둘째 조항\n\n- [링크 글](http://a.kr) 과 `코드` 를 지운다\n");
    put("src/bill.txt", "  현행 제도는 초등학교 취학 전 자\n\n녀에 한정되어 \n\n- 1 -\n\n  이에 개정하려는 것임.\n\n다음 줄은 새 문장.\n");
    put("src/para.txt", "첫 문단의 첫 줄\n첫 문단의 둘째 줄\n\n\n둘째 문단입니다\n");
    put("exclude.tsv", "id\tdocument\tlabel\n1\t평가 지표에 들어 있는 문장입니다 절대 학습하지 말 것\t0\n");
}

static nuri_status run(const char *out, uint64_t seed, double val, uint32_t canaries, nuri_data_summary *sum,
                       nuri_error *err) {
    const char *sources[] = {path_of("src/reviews.txt"), path_of("src/tables"), path_of("src/notes.md"),
                             "wrapped:", "paragraphs:"};
    char w[600], pa[600];
    snprintf(w, sizeof w, "wrapped:%s", path_of("src/bill.txt"));
    snprintf(pa, sizeof pa, "paragraphs:%s", path_of("src/para.txt"));
    sources[3] = w;
    sources[4] = pa;
    const char *excludes[] = {path_of("exclude.tsv")};
    nuri_data_config c;
    nuri_data_config_default(&c);
    c.sources = sources;
    c.n_sources = 5;
    c.excludes = excludes;
    c.n_excludes = 1;
    c.license = "CC-BY-4.0";
    c.out_dir = path_of(out);
    c.seed = seed;
    c.val_fraction = val;
    c.canaries = canaries;
    c.canary_repeats = 3;
    c.csv_columns = NULL;
    return nuri_data_run(&c, sum, err);
}

static void test_main_run(void) {
    nuri_data_summary sum;
    nuri_error err;
    CHECK_OK(run("out1", 7, 0.0, 0, &sum, &err), &err);
    size_t tl;
    char *train = get("out1", "train.txt", &tl);
    char *val = get("out1", "val.txt", NULL);
    CHECK(train && val && !*val);
    if (!train) return;
    CHECK(line_of(train, "이 영화 정말 재밌어요 강추합니다", 1) == 1);
    CHECK(line_of(train, LONG_A, 1) && !line_of(train, LONG_B, 1) && line_of(train, LONG_C, 1));
    CHECK(line_of(train, "연락처는 [PHONE]이고 메일은 [EMAIL] 입니다", 1));
    CHECK(line_of(train, "주민번호 [RRN] 적지 마세요", 1));
    CHECK(!strstr(train, "평가 지표"));
    CHECK(!strstr(train, "ㅋㅋ") && !strstr(train, "This movie"));
    CHECK(line_of(train, "안녕, 반가워요 저도 \"반가워요\"", 1) && line_of(train, "점심 뭐 먹지 김치찌개 어때요", 1));
    CHECK(line_of(train, "첫째 조항 ① 이 법은 *보호*를 목적으로 한다.", 1));
    CHECK(line_of(train, "둘째 조항 링크 글 과 코드 를 지운다", 1));
    CHECK(!strstr(train, "제목"));
    CHECK(line_of(train, "현행 제도는 초등학교 취학 전 자녀에 한정되어 이에 개정하려는 것임. 다음 줄은 새 문장.", 1));
    CHECK(line_of(train, "첫 문단의 첫 줄 첫 문단의 둘째 줄", 1) && line_of(train, "둘째 문단입니다", 1));
    CHECK(count_lines(train) == sum.train_docs && sum.val_docs == 0);
    CHECK(sum.dropped[NURI_DROP_SHORT] == 1 && sum.dropped[NURI_DROP_NOT_KOREAN] == 1);
    CHECK(sum.dropped[NURI_DROP_DUPLICATE] == 1 && sum.dropped[NURI_DROP_NEAR_DUPLICATE] == 1);
    CHECK(sum.dropped[NURI_DROP_EXCLUDED] == 1 && sum.dropped[NURI_DROP_EMPTY] == 0);
    CHECK(sum.pii[NURI_PII_PHONE] == 1 && sum.pii[NURI_PII_EMAIL] == 1 && sum.pii[NURI_PII_RRN] == 1);
    CHECKF(sum.train_docs == 12, "%llu train documents", (unsigned long long)sum.train_docs);

    /* the manifest */
    char *mj = get("out1", "manifest.json", NULL);
    cJSON *m = mj ? cJSON_Parse(mj) : NULL;
    CHECK(m != NULL);
    if (m) {
        cJSON *rv = source_entry(m, "src/reviews.txt");
        cJSON *qa = source_entry(m, "src/tables/qa.csv");
        cJSON *md = source_entry(m, "src/notes.md");
        CHECK(rv && qa && md);
        if (rv && qa && md) {
            CHECK(!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(rv, "license")), "CC0-1.0"));
            CHECK(!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(qa, "license")), "MIT"));
            CHECK(!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(md, "license")), "CC-BY-4.0"));
            CHECK(!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(md, "license_from")), "--license"));
            CHECK(!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(qa, "format")), "csv"));
            CHECK(num(rv, "docs_in", NULL) == 10 && num(rv, "docs_kept", NULL) == 5);
            CHECK(num(rv, "dropped", "near_duplicate") == 1 && num(rv, "pii_redacted", "PHONE") == 1);
            size_t rl;
            char *raw = test_read_file(path_of("src/reviews.txt"), &rl);
            char hex[65];
            text_sha256_hex(raw, rl, hex);
            CHECK(!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(rv, "sha256")), hex));
            CHECK(num(rv, "bytes", NULL) == (double)rl);
            free(raw);
        }
        CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(m, "excludes")) == 1);
        cJSON *out = cJSON_GetObjectItem(cJSON_GetObjectItem(m, "outputs"), "train");
        char hex[65];
        text_sha256_hex(train, tl, hex);
        CHECK(out && !strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(out, "sha256")), hex));
        cJSON_Delete(m);
    }
    free(mj);

    /* the same run again gives the same bytes */
    CHECK_OK(run("out2", 7, 0.0, 0, &sum, &err), &err);
    char *train2 = get("out2", "train.txt", NULL), *m1 = get("out1", "manifest.json", NULL),
         *m2 = get("out2", "manifest.json", NULL);
    CHECK(train2 && !strcmp(train, train2));
    /* manifests differ only in the output directory, which they do not name */
    CHECK(m1 && m2 && !strcmp(m1, m2));
    free(train2);
    free(m1);
    free(m2);
    free(train);
    free(val);
}

static void test_split_and_canaries(void) {
    nuri_data_summary a, b;
    nuri_error err;
    CHECK_OK(run("split1", 1, 0.5, 0, &a, &err), &err);
    CHECK_OK(run("split2", 2, 0.5, 0, &b, &err), &err);
    char *v1 = get("split1", "val.txt", NULL), *v2 = get("split2", "val.txt", NULL);
    CHECK(v1 && v2 && count_lines(v1) == a.val_docs && count_lines(v2) == b.val_docs);
    CHECK(a.val_docs > 0 && a.train_docs > 0 && a.val_docs + a.train_docs == 12);
    CHECK(v1 && v2 && strcmp(v1, v2) != 0); /* another seed, another split */
    free(v1);
    free(v2);

    CHECK_OK(run("can", 1, 0.0, 4, &a, &err), &err);
    char *train = get("can", "train.txt", NULL), *jl = get("can", "canaries.jsonl", NULL);
    CHECK(train && jl && a.canaries == 4 && count_lines(train) == a.train_docs + 4 * 3);
    int n = 0;
    for (char *line = jl; line && *line; n++) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = 0;
        cJSON *c = cJSON_Parse(line);
        CHECK(c != NULL);
        if (c) {
            const char *text = cJSON_GetStringValue(cJSON_GetObjectItem(c, "text"));
            const char *prefix = cJSON_GetStringValue(cJSON_GetObjectItem(c, "prefix"));
            const char *secret = cJSON_GetStringValue(cJSON_GetObjectItem(c, "secret"));
            CHECK(text && prefix && secret && strlen(secret) == 10);
            CHECK(text && prefix && !strncmp(text, prefix, strlen(prefix)) && strstr(text, secret));
            cJSON *lines = cJSON_GetObjectItem(c, "train_lines"), *x;
            CHECK(cJSON_GetArraySize(lines) == 3);
            cJSON_ArrayForEach(x, lines) {
                size_t at = (size_t)cJSON_GetNumberValue(x);
                CHECKF(text && line_of(train, text, at) == at, "canary %d not on line %zu", n, at);
            }
            cJSON_Delete(c);
        }
        line = nl ? nl + 1 : NULL;
    }
    CHECK(n == 4);
    free(train);
    free(jl);
}

static void test_errors(void) {
    nuri_error err;
    nuri_data_config c;
    nuri_data_config_default(&c);
    /* invalid UTF-8: an error naming the file and offset; nothing written */
    put("bad.txt", "좋은 문장입니다\n\xED\xA0\x80 깨진 문장\n");
    const char *bad[] = {path_of("bad.txt")};
    c.sources = bad;
    c.n_sources = 1;
    c.out_dir = path_of("never");
    CHECK(nuri_data_run(&c, NULL, &err) == NURI_ERR_FORMAT);
    CHECKF(strstr(err.msg, "bad.txt") && strstr(err.msg, "invalid UTF-8 at byte 23"), "%s", err.msg);
    struct stat st;
    CHECK(stat(path_of("never"), &st) != 0);
    /* empty input */
    put("empty.txt", "");
    const char *empty[] = {path_of("empty.txt")};
    c.sources = empty;
    CHECK(nuri_data_run(&c, NULL, &err) == NURI_ERR_FORMAT && strstr(err.msg, "empty"));
    put("blank.txt", "\n \n\t\n");
    const char *blank[] = {path_of("blank.txt")};
    c.sources = blank;
    CHECK(nuri_data_run(&c, NULL, &err) == NURI_ERR_FORMAT && strstr(err.msg, "no documents"));
    /* nothing kept: an error, and an earlier output stays as it was */
    put("english.txt", "only english words here\n");
    const char *eng[] = {path_of("english.txt")};
    c.sources = eng;
    c.out_dir = path_of("out1");
    char *before = get("out1", "train.txt", NULL);
    CHECK(nuri_data_run(&c, NULL, &err) == NURI_ERR_FORMAT && strstr(err.msg, "no document was kept"));
    char *after = get("out1", "train.txt", NULL);
    CHECK(before && after && !strcmp(before, after));
    free(before);
    free(after);
    /* bad configuration and paths */
    const char *missing[] = {path_of("missing.txt")};
    c.sources = missing;
    CHECK(nuri_data_run(&c, NULL, &err) == NURI_ERR_IO && strstr(err.msg, "missing.txt"));
    const char *csv[] = {"csv:" };
    c.sources = csv;
    CHECK(nuri_data_run(&c, NULL, &err) == NURI_ERR_INVALID_ARG);
    c.sources = eng;
    c.val_fraction = 1.0;
    CHECK(nuri_data_run(&c, NULL, &err) == NURI_ERR_INVALID_ARG);
    c.val_fraction = 0.01;
    put("cols.csv", "a,b\n가나다라,마바사아\n");
    const char *cols[] = {path_of("cols.csv")};
    c.sources = cols;
    c.csv_columns = "Q,A";
    CHECK(nuri_data_run(&c, NULL, &err) == NURI_ERR_FORMAT && strstr(err.msg, "none of the columns"));
    put("quote.csv", "a\n\"열린 따옴표\n");
    const char *quote[] = {path_of("quote.csv")};
    c.sources = quote;
    c.csv_columns = NULL;
    CHECK(nuri_data_run(&c, NULL, &err) == NURI_ERR_FORMAT && strstr(err.msg, "unterminated"));
}

static void rm_tree(const char *p) {
    DIR *d = opendir(p);
    if (!d) {
        unlink(p);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char q[1024];
        snprintf(q, sizeof q, "%s/%s", p, e->d_name);
        rm_tree(q);
    }
    closedir(d);
    rmdir(p);
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/nuri_test_data_XXXXXX");
    if (!mkdtemp(dir)) return test_skip("cannot create a temporary directory");
    make_sources();
    test_main_run();
    test_split_and_canaries();
    test_errors();
    rm_tree(dir);
    return test_done("test_data_pipeline");
}
