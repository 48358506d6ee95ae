/* manifest.json and canaries.jsonl: what a run read, kept, dropped and why, and where the
 * canaries are. No time stamps or host names: the same inputs and configuration give
 * the same bytes. */
#include <cjson/cJSON.h>
#include <stdlib.h>

#include "datapipe/run.h"

static void add_num(cJSON *o, const char *k, double v) { cJSON_AddItemToObject(o, k, cJSON_CreateNumber(v)); }

static cJSON *reasons(const uint64_t *dropped) {
    cJSON *o = cJSON_CreateObject();
    for (int r = 0; r < NURI_DROP_REASON_COUNT; r++) add_num(o, nuri_drop_reason_name(r), (double)dropped[r]);
    return o;
}

static cJSON *pii_counts(const uint64_t *pii) {
    cJSON *o = cJSON_CreateObject();
    for (int t = 0; t < NURI_PII_TYPE_COUNT; t++) add_num(o, nuri_pii_type_name(t), (double)pii[t]);
    return o;
}

static cJSON *output(const dp_output *o) {
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "file", o->name);
    cJSON_AddStringToObject(j, "sha256", o->sha256);
    add_num(j, "bytes", (double)o->bytes);
    add_num(j, "docs", (double)o->docs);
    return j;
}

static cJSON *config(const nuri_data_config *c) {
    cJSON *j = cJSON_CreateObject();
    add_num(j, "val_fraction", c->val_fraction);
    add_num(j, "seed", (double)c->seed);
    add_num(j, "min_chars", c->min_chars);
    add_num(j, "min_hangul", c->min_hangul);
    cJSON *types = cJSON_CreateArray();
    for (int t = 0; t < NURI_PII_TYPE_COUNT; t++)
        if (c->pii_types & (1u << t)) cJSON_AddItemToArray(types, cJSON_CreateString(nuri_pii_type_name(t)));
    cJSON_AddItemToObject(j, "pii_types", types);
    cJSON_AddBoolToObject(j, "dedup", c->dedup);
    cJSON_AddBoolToObject(j, "near_dedup", c->near_dedup);
    add_num(j, "near_threshold", c->near_threshold);
    add_num(j, "shingle_chars", c->shingle);
    cJSON_AddStringToObject(j, "near_method", "MinHash, 64 values, LSH 8 bands x 4 rows, text without spaces, ASCII lower-cased");
    cJSON_AddStringToObject(j, "normalization", "HTML tags and entities, NFC, control/format/private-use characters, spaces");
    add_num(j, "canaries", c->canaries);
    add_num(j, "canary_repeats", c->canary_repeats);
    if (c->csv_columns) cJSON_AddStringToObject(j, "csv_columns", c->csv_columns);
    else cJSON_AddNullToObject(j, "csv_columns");
    if (c->provenance) cJSON_AddStringToObject(j, "provenance", c->provenance);
    else cJSON_AddNullToObject(j, "provenance");
    if (c->license) cJSON_AddStringToObject(j, "default_license", c->license);
    else cJSON_AddNullToObject(j, "default_license");
    return j;
}

static cJSON *source(const dp_source *s) {
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "path", s->path);
    cJSON_AddStringToObject(j, "format", nuri_data_format_name(s->format));
    cJSON_AddStringToObject(j, "sha256", s->sha256);
    if (s->license) cJSON_AddStringToObject(j, "license", s->license);
    else cJSON_AddNullToObject(j, "license");
    if (s->license_from) cJSON_AddStringToObject(j, "license_from", s->license_from);
    else cJSON_AddNullToObject(j, "license_from");
    add_num(j, "bytes", (double)s->bytes);
    add_num(j, "docs_in", (double)s->docs_in);
    if (!s->exclude) {
        add_num(j, "docs_kept", (double)s->docs_kept);
        add_num(j, "docs_dropped", (double)(s->docs_in - s->docs_kept));
        add_num(j, "bytes_kept", (double)s->bytes_kept);
        add_num(j, "bytes_dropped", (double)s->bytes_dropped);
        add_num(j, "train_docs", (double)s->train_docs);
        add_num(j, "val_docs", (double)s->val_docs);
        cJSON_AddItemToObject(j, "dropped", reasons(s->dropped));
    }
    cJSON_AddItemToObject(j, "pii_redacted", pii_counts(s->pii));
    add_num(j, "chars_cleaned", (double)s->chars_changed);
    return j;
}

char *dp_manifest_json(const dp_run_record *r) {
    cJSON *root = cJSON_CreateObject();
    if (!root) return NULL;
    cJSON_AddStringToObject(root, "tool", "nuri data");
    cJSON_AddStringToObject(root, "nuri_version", NURI_VERSION);
    cJSON_AddItemToObject(root, "config", config(r->cfg));
    cJSON *srcs = cJSON_CreateArray(), *exc = cJSON_CreateArray();
    for (size_t i = 0; i < r->n_src; i++) cJSON_AddItemToArray(r->src[i].exclude ? exc : srcs, source(&r->src[i]));
    cJSON_AddItemToObject(root, "sources", srcs);
    cJSON_AddItemToObject(root, "excludes", exc);
    cJSON *tot = cJSON_CreateObject();
    const nuri_data_summary *s = &r->sum;
    add_num(tot, "bytes_in", (double)s->bytes_in);
    add_num(tot, "docs_in", (double)s->docs_in);
    add_num(tot, "docs_kept", (double)s->docs_kept);
    add_num(tot, "docs_dropped", (double)(s->docs_in - s->docs_kept));
    add_num(tot, "train_docs", (double)s->train_docs);
    add_num(tot, "val_docs", (double)s->val_docs);
    cJSON_AddItemToObject(tot, "dropped", reasons(s->dropped));
    cJSON_AddItemToObject(tot, "pii_redacted", pii_counts(s->pii));
    cJSON_AddItemToObject(root, "totals", tot);
    cJSON *out = cJSON_CreateObject();
    cJSON_AddItemToObject(out, "train", output(&r->train));
    cJSON_AddItemToObject(out, "val", output(&r->val));
    if (r->n_canaries) cJSON_AddItemToObject(out, "canaries", output(&r->canary_file));
    cJSON_AddItemToObject(root, "outputs", out);
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    return text;
}

char *dp_canary_json(const dp_run_record *r, size_t i) {
    const dp_planted *p = &r->canaries[i];
    cJSON *j = cJSON_CreateObject();
    if (!j) return NULL;
    add_num(j, "id", (double)i);
    cJSON_AddStringToObject(j, "prefix", p->c.prefix);
    cJSON_AddStringToObject(j, "secret", p->c.secret);
    cJSON_AddStringToObject(j, "text", p->c.text);
    cJSON_AddStringToObject(j, "secret_space", "10 decimal digits");
    add_num(j, "repeats", p->n_lines);
    cJSON *lines = cJSON_CreateArray();
    for (uint32_t k = 0; k < p->n_lines; k++) cJSON_AddItemToArray(lines, cJSON_CreateNumber((double)p->lines[k]));
    cJSON_AddItemToObject(j, "train_lines", lines);
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (!s) return NULL;
    size_t n = strlen(s);
    char *line = realloc(s, n + 2);
    if (!line) {
        free(s);
        return NULL;
    }
    line[n] = '\n';
    line[n + 1] = 0;
    return line;
}
