/* Calibration of `nuri eval` samples (nuri audit --eval): small samples files whose
 * log-likelihoods are logs of chosen probabilities, so each confidence is that probability
 * and every ECE below is computed by hand in the comments. Malformed lines must fail with
 * FILE:LINE and leave nothing written. */
#include <cjson/cJSON.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/internal.h"
#include "nuri/audit.h"
#include "test.h"

static char tmp[256];

static void write_file(const char *rel, const char *text) { test_write_file(tmp, rel, text); }

static void mkdir_rel(const char *rel) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmp, rel);
    mkdir(path, 0777);
}

static bool exists(const char *rel) {
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", tmp, rel);
    return stat(path, &st) == 0;
}

/* One multiple-choice line whose choices' ll are log(p[i]): softmax(ll) = p. */
static void mc_line(char *buf, size_t n, int doc, const double *p, int k, int pred, int gold) {
    int o = snprintf(buf, n, "{\"doc_id\":%d,\"prompt\":\"q\",\"choices\":[", doc);
    for (int i = 0; i < k; i++)
        o += snprintf(buf + o, n - (size_t)o, "%s{\"text\":\" c%d\",\"n_tokens\":1,\"ll\":%.17g,\"is_greedy\":false}",
                      i ? "," : "", i, log(p[i]));
    snprintf(buf + o, n - (size_t)o, "],\"pred\":%d,\"gold\":%d}\n", pred, gold);
}

/* mc_a, two choices:                 confidence  correct  bin
 *   doc 0: p (.75, .25) pred 0 gold 0    .75        yes     7
 *   doc 1: p (.05, .95) pred 1 gold 0    .95        no      9
 *   doc 2: p (.55, .45) pred 0 gold 1    .55        no      5
 *   doc 3: p (.95, .05) pred 0 gold 0    .95        yes     9
 * accuracy 2/4 = .5, mean confidence 3.2/4 = .8,
 * ECE = (1·|0 − .55| + 1·|1 − .75| + 2·|.5 − .95|) / 4 = (.55 + .25 + .90) / 4 = .425.
 * mc_b, three choices:
 *   doc 0: p (.25, .65, .10) pred 1 gold 1  .65  yes  6
 *   doc 1: p (.15, .10, .75) pred 2 gold 2  .75  yes  7
 * accuracy 1, mean confidence .7, ECE = (.35 + .25) / 2 = .3.
 * Both pooled: bins 5 (.55, 0), 6 (.65, 1), 7 (two at .75, both right), 9 (two at .95, one
 * right): ECE = (.55 + .35 + 2·.25 + 2·.45) / 6 = 2.3 / 6; accuracy 4/6; confidence 4.6/6. */
static void write_eval_dir(const char *rel) {
    static const double a[4][2] = {{.75, .25}, {.05, .95}, {.55, .45}, {.95, .05}};
    static const int apred[4] = {0, 1, 0, 0}, agold[4] = {0, 0, 1, 0};
    static const double b[2][3] = {{.25, .65, .10}, {.15, .10, .75}};
    char text[4096] = "", line[1024], path[300];
    for (int i = 0; i < 4; i++) {
        mc_line(line, sizeof line, i, a[i], 2, apred[i], agold[i]);
        strcat(text, line);
    }
    snprintf(path, sizeof path, "%s/samples_mc_a.jsonl", rel);
    write_file(path, text);
    text[0] = 0;
    for (int i = 0; i < 2; i++) {
        mc_line(line, sizeof line, i, b[i], 3, i ? 2 : 1, i ? 2 : 1);
        strcat(text, line);
    }
    snprintf(path, sizeof path, "%s/samples_mc_b.jsonl", rel);
    write_file(path, text);
    snprintf(path, sizeof path, "%s/samples_korquad.jsonl", rel);
    write_file(path, "{\"doc_id\":0,\"prompt\":\"p\",\"id\":\"x\",\"generated\":\"g\",\"n_tokens\":1,\"answers\":[\"g\"],"
                     "\"exact_match\":1,\"f1\":1}\n");
    snprintf(path, sizeof path, "%s/samples_perplexity.jsonl", rel);
    write_file(path, "{\"doc_id\":0,\"text_hash\":\"0123456789abcdef\",\"n_bytes\":3,\"n_words\":1,\"n_tokens\":1,"
                     "\"n_windows\":1,\"ll\":-2}\n");
    snprintf(path, sizeof path, "%s/unrelated.jsonl", rel);
    write_file(path, "not a samples file\n");
}

static const cJSON *task(const cJSON *ce, const char *name) {
    const cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItem(ce, "tasks"))
        if (!strcmp(cJSON_GetObjectItem(t, "name")->valuestring, name)) return t;
    return NULL;
}

static double fnum(const cJSON *o, const char *k) {
    const cJSON *v = o ? cJSON_GetObjectItem(o, k) : NULL;
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

#define NEAR(x, want) CHECKF(fabs((x) - (want)) < 1e-12, "%s = %.15g, want %.15g", #x, (double)(x), (double)(want))

static void test_read(void) {
    nuri_error err;
    char dir[300];
    mkdir_rel("ev");
    write_eval_dir("ev");
    snprintf(dir, sizeof dir, "%s/ev", tmp);
    cJSON *ce = NULL;
    CHECK_OK(au_eval_calibration(dir, &ce, &err), &err);
    const cJSON *a = task(ce, "mc_a"), *b = task(ce, "mc_b"), *all = cJSON_GetObjectItem(ce, "overall");
    CHECK(a && b && all);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(ce, "tasks")) == 2);
    NEAR(fnum(a, "documents"), 4);
    NEAR(fnum(a, "accuracy"), .5);
    NEAR(fnum(a, "mean_confidence"), .8);
    NEAR(fnum(a, "ece"), .425);
    NEAR(fnum(b, "documents"), 2);
    NEAR(fnum(b, "accuracy"), 1);
    NEAR(fnum(b, "mean_confidence"), .7);
    NEAR(fnum(b, "ece"), .3);
    NEAR(fnum(all, "documents"), 6);
    NEAR(fnum(all, "accuracy"), 4.0 / 6);
    NEAR(fnum(all, "mean_confidence"), 4.6 / 6);
    NEAR(fnum(all, "ece"), 2.3 / 6);
    const cJSON *bins = cJSON_GetObjectItem(all, "bins");
    CHECK(cJSON_GetArraySize(bins) == 10);
    NEAR(fnum(cJSON_GetArrayItem(bins, 9), "n"), 2);
    NEAR(fnum(cJSON_GetArrayItem(bins, 9), "accuracy"), .5);
    NEAR(fnum(cJSON_GetArrayItem(bins, 8), "n"), 0);
    /* Generation and perplexity files are listed as skipped, not counted. */
    const cJSON *sk = cJSON_GetObjectItem(ce, "skipped");
    CHECK(cJSON_GetArraySize(sk) == 2);
    char *skt = cJSON_PrintUnformatted(sk);
    CHECKF(strstr(skt, "korquad") && strstr(skt, "generation") && strstr(skt, "perplexity"), "%s", skt);
    free(skt);
    cJSON_Delete(ce);

    /* results.json from a later run with --limit 2 on mc_a: only its first two documents
     * count (.75 right, .95 wrong): accuracy .5, confidence .85, ECE (.25 + .95) / 2 = .6. */
    write_file("ev/results.json", "{\"n-samples\":{\"mc_a\":{\"original\":9,\"effective\":2}},"
                                  "\"nuri\":{\"model_file\":\"m.gguf\",\"model_hash\":\"abc\"}}");
    CHECK_OK(au_eval_calibration(dir, &ce, &err), &err);
    a = task(ce, "mc_a");
    NEAR(fnum(a, "documents"), 2);
    NEAR(fnum(a, "accuracy"), .5);
    NEAR(fnum(a, "mean_confidence"), .85);
    NEAR(fnum(a, "ece"), .6);
    NEAR(fnum(task(ce, "mc_b"), "documents"), 2);
    CHECK(!strcmp(cJSON_GetObjectItem(ce, "model")->valuestring, "m.gguf"));
    cJSON_Delete(ce);
    /* ... and one that reports more documents than the file holds is inconsistent. */
    write_file("ev/results.json", "{\"n-samples\":{\"mc_a\":{\"original\":9,\"effective\":5}}}");
    CHECK(au_eval_calibration(dir, &ce, &err) == NURI_ERR_FORMAT);
    CHECKF(strstr(err.msg, "samples_mc_a.jsonl") && strstr(err.msg, "results.json reports 5"), "%s", err.msg);
    char rj[400];
    snprintf(rj, sizeof rj, "%s/results.json", dir);
    unlink(rj);

    /* A directory without multiple-choice samples, and one that does not exist. */
    mkdir_rel("empty");
    snprintf(dir, sizeof dir, "%s/empty", tmp);
    CHECK(au_eval_calibration(dir, &ce, &err) == NURI_ERR_NOT_FOUND);
    snprintf(dir, sizeof dir, "%s/nope", tmp);
    CHECK(au_eval_calibration(dir, &ce, &err) == NURI_ERR_IO);
}

/* Each malformed file fails naming FILE:LINE, and the audit writes nothing. */
static void test_malformed(void) {
    static const struct {
        const char *line2, *want;
    } cases[] = {
        {"{\"doc_id\":1,\"choices\":[{\"ll\":-1},{\"ll\":-2}],\"pred\":0,\n", "samples_bad.jsonl:2:"},
        {"{\"doc_id\":1,\"choices\":[{\"ll\":-1},{\"ll\":-2}],\"pred\":2,\"gold\":0}\n", "\"pred\" is not a choice"},
        {"{\"doc_id\":1,\"choices\":[{\"ll\":-1},{\"ll\":-2}],\"pred\":1,\"gold\":0}\n", "is not the argmax"},
        {"{\"doc_id\":1,\"choices\":[{\"ll\":-1},{\"ll\":-2}],\"pred\":0,\"gold\":-1}\n", "\"gold\""},
        {"{\"doc_id\":1,\"choices\":[{\"ll\":-1},{\"text\":\"x\"}],\"pred\":0,\"gold\":0}\n", "choice 1 has no finite"},
        {"{\"doc_id\":1,\"choices\":[{\"ll\":-1}],\"pred\":0,\"gold\":0}\n", "2 or more choices"},
        {"{\"doc_id\":7,\"choices\":[{\"ll\":-1},{\"ll\":-2}],\"pred\":0,\"gold\":0}\n", "\"doc_id\" is not 1"},
        {"{\"doc_id\":1,\"generated\":\"x\"}\n", "different kind"},
        {"[1,2]\n", "not a nuri eval sample"},
        {"{\"doc_id\":1,\"choices\":[{\"ll\":-1},{\"ll\":-2}],\"pred\":0,\"gold\":0}", "cut short"},
    };
    mkdir_rel("probes");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[1024];
        snprintf(text, sizeof text, "{\"doc_id\":0,\"choices\":[{\"ll\":-1},{\"ll\":-2}],\"pred\":0,\"gold\":0}\n%s",
                 cases[i].line2);
        mkdir_rel("bad");
        write_file("bad/samples_bad.jsonl", text);
        nuri_audit_params p = {0};
        char probes[300], out[300], ev[300];
        snprintf(probes, sizeof probes, "%s/probes", tmp);
        snprintf(out, sizeof out, "%s/out_bad", tmp);
        snprintf(ev, sizeof ev, "%s/bad", tmp);
        p.probes_dir = probes;
        p.output_dir = out;
        p.eval_dir = ev;
        p.only = "calibration";
        nuri_error err;
        CHECKF(nuri_audit_run(NULL, NULL, &p, &err) == NURI_ERR_FORMAT, "case %zu", i);
        CHECKF(strstr(err.msg, "samples_bad.jsonl:2:") && strstr(err.msg, cases[i].want), "case %zu: %s", i, err.msg);
        CHECKF(!exists("out_bad"), "case %zu wrote the output directory", i);
    }
}

static void test_run(void) {
    nuri_error err;
    char probes[300], out[300], ev[300];
    snprintf(probes, sizeof probes, "%s/probes", tmp);
    snprintf(out, sizeof out, "%s/out", tmp);
    snprintf(ev, sizeof ev, "%s/ev", tmp);
    nuri_audit_params p = {0};
    p.probes_dir = probes;
    p.output_dir = out;
    p.only = "calibration";
    /* --only calibration without --eval, and no model for a selection that needs one. */
    CHECK(nuri_audit_run(NULL, NULL, &p, &err) == NURI_ERR_INVALID_ARG);
    CHECK(strstr(err.msg, "--eval") != NULL);
    p.eval_dir = ev;
    p.only = NULL;
    CHECK(nuri_audit_run(NULL, NULL, &p, &err) == NURI_ERR_INVALID_ARG);
    p.only = "calibration";
    CHECK_OK(nuri_audit_run(NULL, NULL, &p, &err), &err);
    char path[400];
    size_t n;
    snprintf(path, sizeof path, "%s/passport.json", out);
    char *t = test_read_file(path, &n);
    cJSON *pp = t ? cJSON_Parse(t) : NULL;
    free(t);
    const cJSON *ce = cJSON_GetObjectItem(pp, "calibration_eval");
    NEAR(fnum(cJSON_GetObjectItem(ce, "overall"), "ece"), 2.3 / 6);
    const cJSON *a = task(ce, "mc_a");
    CHECKF(a && !strcmp(cJSON_GetObjectItem(a, "samples")->valuestring, "../ev/samples_mc_a.jsonl"), "%s",
           a ? cJSON_GetObjectItem(a, "samples")->valuestring : "no mc_a");
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(pp, "families")) == 0);
    cJSON_Delete(pp);
    snprintf(path, sizeof path, "%s/passport.html", out);
    t = test_read_file(path, &n);
    CHECK(t && strstr(t, "<a href=\"../ev/samples_mc_a.jsonl\">0.425</a>"));
    CHECK(t && strstr(t, "<a href=\"../ev/samples_mc_b.jsonl\">0.300</a>"));
    CHECK(t && strstr(t, "korquad (generation"));
    free(t);
    /* compare: the pooled ECE and each task's, side by side. */
    snprintf(path, sizeof path, "%s/cmp.txt", tmp);
    FILE *f = fopen(path, "w+");
    CHECK_OK(nuri_audit_compare(out, out, f, &err), &err);
    rewind(f);
    char buf[8192];
    size_t got = fread(buf, 1, sizeof buf - 1, f);
    buf[got] = 0;
    fclose(f);
    CHECKF(strstr(buf, "eval ECE (all MC tasks)") && strstr(buf, "0.383"), "%s", buf);
    CHECKF(strstr(buf, "ECE mc_a") && strstr(buf, "0.425") && strstr(buf, "ECE mc_b"), "%s", buf);
}

int main(void) {
    snprintf(tmp, sizeof tmp, "/tmp/nuri_test_audit_calib_XXXXXX");
    if (!mkdtemp(tmp)) return 1;
    test_read();
    test_malformed();
    test_run();
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmp);
    return test_done("test_audit_calib");
}
