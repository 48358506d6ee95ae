/* Every template in ../shared/templates, and every built-in template, rendered for every
 * conversation in tests/data/templates/conversations, compared byte for byte with what
 * Jinja2 produced (scripts/gen_template_expected.py wrote tests/data/templates/expected/
 * and expected_builtin/). Where Jinja2 failed, nuri must fail too; where the template
 * called raise_exception, nuri's error must carry the same message. Each built-in must
 * also render what its family's published template renders, tools aside. */
#include <cjson/cJSON.h>
#include <dirent.h>

#include "nuri/template.h"
#include "test.h"

#define DATA NURI_SOURCE_DIR "/tests/data/templates"

static void show_diff(const char *want, const char *got, size_t got_len) {
    size_t i = 0, wl = strlen(want);
    while (i < wl && i < got_len && want[i] == got[i]) i++;
    size_t from = i > 40 ? i - 40 : 0;
    fprintf(stderr, "  first difference at byte %zu\n  want: %.*s\n  got:  %.*s\n", i, (int)(wl - from > 120 ? 120 : wl - from),
            want + from, (int)(got_len - from > 120 ? 120 : got_len - from), got + from);
}

/* The output Jinja2 gave for the published template fam on (conv, gen), or NULL. */
static char *family_output(const char *fam, const char *conv, bool gen) {
    char path[4096];
    snprintf(path, sizeof path, "%s/expected/%.*s.json", DATA, (int)(strlen(fam) - 6), fam);
    char *text = test_read_file(path, NULL);
    if (!text) return NULL;
    cJSON *rec = cJSON_Parse(text);
    free(text);
    char *r = NULL;
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(rec, "cases")) {
        const cJSON *o = cJSON_GetObjectItem(c, "output");
        if (!strcmp(cJSON_GetObjectItem(c, "conversation")->valuestring, conv) &&
            cJSON_IsTrue(cJSON_GetObjectItem(c, "add_generation_prompt")) == gen && o)
            r = strdup(o->valuestring);
    }
    cJSON_Delete(rec);
    return r;
}

static int check_template(const char *expected_path, int *n_cases, int *n_pass) {
    char *text = test_read_file(expected_path, NULL);
    CHECKF(text != NULL, "%s: cannot read", expected_path);
    if (!text) return 0;
    cJSON *rec = cJSON_Parse(text);
    free(text);
    CHECKF(rec != NULL, "%s: malformed JSON", expected_path);
    if (!rec) return 0;
    const char *name = cJSON_GetObjectItem(rec, "template")->valuestring;
    const char *bos = cJSON_GetObjectItem(rec, "bos_token")->valuestring;
    const char *eos = cJSON_GetObjectItem(rec, "eos_token")->valuestring;
    const cJSON *builtin = cJSON_GetObjectItem(rec, "builtin");
    const cJSON *families = cJSON_GetObjectItem(rec, "families");
    char path[8500];
    size_t src_len = 0;
    char *src = NULL;
    if (builtin) {
        const char *b = nuri_template_builtin(builtin->valuestring);
        CHECKF(b != NULL, "no built-in template '%s'", builtin->valuestring);
        if (b) src = strdup(b), src_len = strlen(b);
    } else {
        snprintf(path, sizeof path, "%s/templates/%s", test_shared_dir(), name);
        src = test_read_file(path, &src_len);
        CHECKF(src != NULL, "%s: cannot read", path);
    }
    if (!src) {
        cJSON_Delete(rec);
        return 0;
    }
    nuri_error err = {0};
    nuri_template *t = NULL;
    nuri_status pst = nuri_template_parse(src, src_len, &t, &err);
    char parse_msg[sizeof err.msg];
    memcpy(parse_msg, err.msg, sizeof parse_msg);
    int ok_all = 1;
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(rec, "cases")) {
        const char *conv = cJSON_GetObjectItem(c, "conversation")->valuestring;
        bool gen = cJSON_IsTrue(cJSON_GetObjectItem(c, "add_generation_prompt"));
        const cJSON *want = cJSON_GetObjectItem(c, "output");
        const cJSON *want_err = cJSON_GetObjectItem(c, "error");
        (*n_cases)++;
        char *out = NULL;
        size_t out_len = 0;
        nuri_status st = pst;
        if (!pst) {
            snprintf(path, sizeof path, "%s/conversations/%s.json", DATA, conv);
            size_t mlen;
            char *msgs = test_read_file(path, &mlen);
            CHECKF(msgs != NULL, "%s: cannot read", path);
            if (!msgs) continue;
            nuri_template_opts o = {.bos_token = bos, .eos_token = eos, .add_generation_prompt = gen};
            err.msg[0] = 0;
            st = nuri_template_apply_json(t, msgs, mlen, &o, &out, &out_len, &err);
            free(msgs);
        }
        const char *msg = pst ? parse_msg : err.msg;
        if (want) {
            bool same = !st && out_len == strlen(want->valuestring) && !memcmp(out, want->valuestring, out_len);
            CHECKF(same, "%s / %s (gen=%d): %s", name, conv, gen, st ? msg : "output differs");
            if (!same && !st) show_diff(want->valuestring, out, out_len);
            if (same) (*n_pass)++;
            else ok_all = 0;
            const cJSON *fam;
            cJSON_ArrayForEach(fam, families) {
                if (!strcmp(conv, "tools")) break;
                char *f = family_output(fam->valuestring, conv, gen);
                CHECKF(f && !st && !strcmp(f, out), "built-in %s / %s (gen=%d) differs from %s", name, conv, gen,
                       fam->valuestring);
                free(f);
            }
        } else {
            const char *wmsg = cJSON_GetObjectItem(c, "message")->valuestring;
            bool failed = st != NURI_OK;
            CHECKF(failed, "%s / %s (gen=%d): Jinja2 failed (%s: %s) but nuri rendered", name, conv, gen,
                   want_err->valuestring, wmsg);
            if (failed && !strcmp(want_err->valuestring, "raise_exception")) {
                failed = strstr(msg, wmsg) != NULL;
                CHECKF(failed, "%s / %s: raise_exception message '%s' not in nuri's error '%s'", name, conv, wmsg, msg);
            }
            if (failed) (*n_pass)++;
            else ok_all = 0;
        }
        free(out);
    }
    printf("%-55s %s\n", name, ok_all ? "ok" : "FAIL");
    nuri_template_free(t);
    free(src);
    cJSON_Delete(rec);
    return ok_all;
}

static void check_dir(const char *sub, int min_templates) {
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/%s", DATA, sub);
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    if (!d) return;
    int n_templates = 0, n_ok = 0, n_cases = 0, n_pass = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l < 6 || strcmp(e->d_name + l - 5, ".json")) continue;
        char path[4600];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        n_templates++;
        n_ok += check_template(path, &n_cases, &n_pass);
    }
    closedir(d);
    printf("%s: %d/%d templates match in every case; %d/%d cases\n", sub, n_ok, n_templates, n_pass, n_cases);
    CHECK(n_templates >= min_templates);
}

static void builtin_names(void) {
    size_t n = nuri_template_builtin_count();
    CHECK(n >= 9);
    for (size_t i = 0; i < n; i++) CHECK(nuri_template_builtin(nuri_template_builtin_name(i)) != NULL);
    CHECK(nuri_template_builtin_name(n) == NULL);
    CHECK(nuri_template_builtin("llama3.2") == nuri_template_builtin("llama3"));
    CHECK(nuri_template_builtin("qwen2") == nuri_template_builtin("qwen2.5"));
    CHECK(nuri_template_builtin("no-such-family") == NULL);
    CHECK(nuri_template_builtin(NULL) == NULL);
}

int main(void) {
    builtin_names();
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/templates", test_shared_dir());
    struct stat st;
    if (stat(dir, &st) != 0) {
        printf("../shared/templates not found: only the built-in templates are checked\n");
    } else {
        check_dir("expected", 20);
    }
    check_dir("expected_builtin", 9);
    return test_done("test_template_ref");
}
