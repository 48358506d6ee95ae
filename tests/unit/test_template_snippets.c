/* Small templates, one Jinja feature each (whitespace control, printing, operators,
 * filters, tests, loops, scopes, macros, errors), compared with what Jinja2 rendered
 * for them (tests/data/templates/snippets.json, from scripts/gen_template_expected.py).
 * Where Jinja2 fails, nuri must fail; where the data marks a construct nuri knowingly
 * leaves out, nuri must say NURI_ERR_UNSUPPORTED. Plus nuri's own error contract:
 * statuses, template line numbers, raise_exception messages, limits. */
#include <cjson/cJSON.h>

#include "nuri/template.h"
#include "test.h"

static nuri_status render(const char *tmpl, const char *vars_json, char **out, size_t *len, nuri_error *err) {
    nuri_template *t;
    *out = NULL;
    nuri_status st = nuri_template_parse(tmpl, strlen(tmpl), &t, err);
    if (st) return st;
    nuri_template_opts o = {0};
    st = nuri_template_apply_json(t, vars_json, strlen(vars_json), &o, out, len, err);
    nuri_template_free(t);
    return st;
}

static void snippets(void) {
    char *text = test_read_file(NURI_SOURCE_DIR "/tests/data/templates/snippets.json", NULL);
    CHECK(text != NULL);
    if (!text) return;
    cJSON *all = cJSON_Parse(text);
    free(text);
    CHECK(cJSON_GetArraySize(all) >= 100);
    int pass = 0, total = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, all) {
        const char *name = cJSON_GetObjectItem(c, "name")->valuestring;
        const char *tmpl = cJSON_GetObjectItem(c, "template")->valuestring;
        const char *vars = cJSON_GetObjectItem(c, "vars_json")->valuestring;
        const cJSON *want = cJSON_GetObjectItem(c, "output");
        const cJSON *nuri = cJSON_GetObjectItem(c, "nuri");
        char *out;
        size_t len;
        nuri_error err = {0};
        nuri_status st = render(tmpl, vars, &out, &len, &err);
        bool ok;
        total++;
        if (nuri) {
            ok = st == NURI_ERR_UNSUPPORTED;
            CHECKF(ok, "%s: expected NURI_ERR_UNSUPPORTED, got %s (%s)", name, nuri_status_name(st), st ? err.msg : out);
        } else if (want) {
            ok = !st && len == strlen(want->valuestring) && !memcmp(out, want->valuestring, len);
            CHECKF(ok, "%s:\n  want [%s]\n  got  [%s]", name, want->valuestring, st ? err.msg : out);
        } else {
            const char *kind = cJSON_GetObjectItem(c, "error")->valuestring;
            const char *msg = cJSON_GetObjectItem(c, "message")->valuestring;
            ok = st != NURI_OK;
            CHECKF(ok, "%s: Jinja2 failed (%s: %s), nuri rendered [%s]", name, kind, msg, out ? out : "");
            if (ok && !strcmp(kind, "raise_exception")) {
                ok = strstr(err.msg, msg) != NULL;
                CHECKF(ok, "%s: '%s' not in '%s'", name, msg, err.msg);
            }
        }
        pass += ok;
        free(out);
    }
    printf("snippets: %d/%d as the reference\n", pass, total);
    cJSON_Delete(all);
}

/* Status and message of rendering tmpl with no messages. */
static nuri_status fails(const char *tmpl, nuri_error *err) {
    char *out;
    size_t len;
    memset(err, 0, sizeof *err);
    nuri_status st = render(tmpl, "[]", &out, &len, err);
    free(out);
    return st;
}

static void error_contract(void) {
    nuri_error err;
    /* unsupported constructs: UNSUPPORTED, naming the line */
    CHECK(fails("line 1\n{% include 'x' %}", &err) == NURI_ERR_UNSUPPORTED);
    CHECKF(strstr(err.msg, "line 2") && strstr(err.msg, "include"), "%s", err.msg);
    CHECK(fails("\n\n{{ 'a b'|wordwrap(1) }}", &err) == NURI_ERR_UNSUPPORTED);
    CHECKF(strstr(err.msg, "line 3") && strstr(err.msg, "wordwrap"), "%s", err.msg);
    CHECK(fails("{% for x in [1] recursive %}{% endfor %}", &err) == NURI_ERR_UNSUPPORTED);
    CHECK(fails("{{ '%s' % 1 }}", &err) == NURI_ERR_UNSUPPORTED);
    /* template syntax errors: FORMAT, with the line */
    CHECK(fails("a\nb\n{% if %}", &err) == NURI_ERR_FORMAT);
    CHECKF(strstr(err.msg, "line 3"), "%s", err.msg);
    CHECK(fails("{% break %}", &err) == NURI_ERR_FORMAT);
    CHECK(fails("{{ x|nosuch }}", &err) == NURI_ERR_FORMAT);
    /* raised by the template: INVALID_ARG with the message */
    CHECK(fails("\n{{ raise_exception('역할이 번갈아야 합니다') }}", &err) == NURI_ERR_INVALID_ARG);
    CHECKF(strstr(err.msg, "line 2") && strstr(err.msg, "raise_exception: 역할이 번갈아야 합니다"), "%s", err.msg);
    CHECK(fails("{{ messages[0].role }}", &err) == NURI_ERR_INVALID_ARG);
    CHECKF(strstr(err.msg, "has no element 0") || strstr(err.msg, "undefined"), "%s", err.msg);
    /* limits: errors, not hangs or crashes */
    CHECK(fails("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", &err) ==
          NURI_ERR_INVALID_ARG);
    CHECKF(strstr(err.msg, "too long"), "%s", err.msg);
    CHECK(fails("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", &err) == NURI_ERR_INVALID_ARG);
    CHECK(fails("{% set s = 'x' * 100000000 %}{{ (s ~ s ~ s) * 2 }}", &err) == NURI_ERR_NOMEM);
    CHECK(fails("{{ 9223372036854775807 + 1 }}", &err) == NURI_ERR_UNSUPPORTED);
    char deep[2100];
    memset(deep, '(', 1000);
    memcpy(deep + 1000, "1", 1);
    memset(deep + 1001, ')', 1000);
    deep[2001] = 0;
    char tmpl[2200];
    snprintf(tmpl, sizeof tmpl, "{{ %s }}", deep);
    CHECK(fails(tmpl, &err) == NURI_ERR_UNSUPPORTED);
    /* bad input */
    nuri_template *t;
    CHECK(nuri_template_parse("\xff{{ 1 }}", 7, &t, &err) == NURI_ERR_FORMAT);
    CHECK(nuri_template_parse("{{ 1 }}", 7, &t, &err) == NURI_OK);
    char *out = NULL;
    nuri_template_opts o = {.bos_token = "<s>"};
    CHECK(nuri_template_apply_json(t, "[{\"role\": \"user\", \"content\": \"\xed\xa0\x80\"}]", 39, &o, &out, NULL, &err) ==
          NURI_ERR_FORMAT);
    CHECKF(strstr(err.msg, "UTF-8"), "%s", err.msg);
    CHECK(nuri_template_apply_json(t, "[{\"role\": ", 10, &o, &out, NULL, &err) == NURI_ERR_FORMAT);
    CHECK(nuri_template_apply_json(t, "{\"role\": 1}", 11, &o, &out, NULL, &err) == NURI_ERR_INVALID_ARG);
    CHECK(nuri_template_apply_json(t, "[] x", 4, &o, &out, NULL, &err) == NURI_ERR_FORMAT);
    CHECK(nuri_template_apply_json(t, "[{\"n\": 9007199254740993}]", 26, &o, &out, NULL, &err) == NURI_ERR_UNSUPPORTED);
    CHECK(nuri_template_apply_json(t, "[\"a\\u0000b\"]", 13, &o, &out, NULL, &err) == NURI_ERR_UNSUPPORTED);
    CHECK(nuri_template_apply_json(t, "[\"a\\\\u0000b\"]", 14, &o, &out, NULL, &err) == NURI_OK);
    free(out);
    out = NULL;
    o.bos_token = "\xc3";
    CHECK(nuri_template_apply_json(t, "[]", 2, &o, &out, NULL, &err) == NURI_ERR_FORMAT);
    CHECK(out == NULL);
    nuri_template_free(t);
    /* the one-call form and the cJSON form agree */
    const char *tm = "{% for m in messages %}<{{ m.role }}>{{ m.content }}{% endfor %}{% if add_generation_prompt %}"
                     "{{ bos_token }}{% endif %}{{ n }}";
    CHECK(nuri_template_render(tm, "{\"messages\": [{\"role\": \"user\", \"content\": \"안녕\"}], \"n\": 1.0}", "B", "E",
                               true, &out, &err) == NURI_OK);
    CHECKF(out && !strcmp(out, "<user>안녕B1.0"), "%s", out ? out : err.msg);
    free(out);
    CHECK(nuri_template_parse(tm, strlen(tm), &t, &err) == NURI_OK);
    cJSON *msgs = cJSON_Parse("[{\"role\": \"user\", \"content\": \"안녕\"}]");
    cJSON *vars = cJSON_Parse("{\"n\": 2}");
    nuri_template_opts o2 = {.bos_token = "B", .add_generation_prompt = false, .vars = vars};
    size_t len = 0;
    CHECK(nuri_template_apply(t, msgs, &o2, &out, &len, &err) == NURI_OK);
    CHECKF(out && !strcmp(out, "<user>안녕2") && len == strlen(out), "%s", out ? out : err.msg);
    free(out);
    cJSON_Delete(msgs);
    cJSON_Delete(vars);
    nuri_template_free(t);
}

int main(void) {
    snippets();
    error_contract();
    return test_done("test_template_snippets");
}
