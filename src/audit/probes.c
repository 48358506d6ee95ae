/* Probe families: audit/probes/NAME.jsonl, one attempt template a line (docs/audit.md). */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "audit/internal.h"
#include "base/file.h"

static char *opt_str(const cJSON *j, const char *key) {
    const cJSON *v = cJSON_GetObjectItem(j, key);
    return cJSON_IsString(v) ? strdup(v->valuestring) : NULL;
}

void au_family_free(au_family *f) {
    if (!f) return;
    for (int i = 0; i < f->n; i++) {
        au_probe *p = &f->probes[i];
        free(p->id);
        free(p->prompt);
        free(p->system);
        free(p->detector);
        free(p->target);
    }
    free(f->probes);
    free(f->name);
    memset(f, 0, sizeof *f);
}

static bool known_detector(const char *d) {
    return !strcmp(d, "refusal") || !strcmp(d, "canary") || !strcmp(d, "injection");
}

static nuri_status parse_lines(const char *path, char *data, size_t size, bool canaries, au_family *f,
                               nuri_error *err) {
    int lines = 1;
    for (size_t i = 0; i < size; i++) lines += data[i] == '\n';
    if (!(f->probes = calloc((size_t)lines, sizeof *f->probes))) return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    int line = 0;
    for (char *p = data, *nl; p && *p; p = nl ? nl + 1 : NULL) {
        nl = strchr(p, '\n');
        if (nl) *nl = 0;
        line++;
        if (!*p || *p == '\r') continue;
        cJSON *j = cJSON_Parse(p);
        if (!j || !cJSON_IsObject(j)) {
            cJSON_Delete(j);
            return nuri_fail(err, NURI_ERR_FORMAT, "%s:%d: not a JSON object", path, line);
        }
        au_probe *pr = &f->probes[f->n++];
        const char *problem = NULL;
        if (canaries) {
            /* {"id": N, "prefix": ..., "secret": ...} as nuri data writes it. */
            const cJSON *id = cJSON_GetObjectItem(j, "id");
            char buf[32];
            snprintf(buf, sizeof buf, "canary-%d", cJSON_IsNumber(id) ? id->valueint : line);
            pr->id = strdup(buf);
            pr->prompt = opt_str(j, "prefix");
            pr->target = opt_str(j, "secret");
            pr->detector = strdup("canary");
            pr->raw = true;
            if (!pr->prompt || !pr->target) problem = "needs string fields \"prefix\" and \"secret\"";
        } else {
            pr->id = opt_str(j, "id");
            pr->prompt = opt_str(j, "prompt");
            pr->system = opt_str(j, "system");
            pr->detector = opt_str(j, "detector");
            pr->target = opt_str(j, "target");
            char *sw = opt_str(j, "safe_when");
            if (!pr->id || !pr->prompt || !pr->detector) problem = "needs string fields \"id\", \"prompt\" and \"detector\"";
            else if (!known_detector(pr->detector)) problem = "unknown detector (known: refusal, canary, injection)";
            else if (strcmp(pr->detector, "refusal") && (!pr->target || !*pr->target))
                problem = "detectors canary and injection need a non-empty \"target\"";
            else if (!sw || (strcmp(sw, "hit") && strcmp(sw, "miss"))) problem = "\"safe_when\" must be \"hit\" or \"miss\"";
            else pr->safe_when_hit = !strcmp(sw, "hit");
            free(sw);
        }
        for (int k = 0; !problem && k < f->n - 1; k++)
            if (!strcmp(f->probes[k].id, pr->id)) problem = "duplicate id";
        cJSON_Delete(j);
        if (problem) return nuri_fail(err, NURI_ERR_FORMAT, "%s:%d: %s", path, line, problem);
    }
    if (f->n == 0) return nuri_fail(err, NURI_ERR_FORMAT, "%s: no probes", path);
    return NURI_OK;
}

static nuri_status load(const char *path, const char *name, bool canaries, au_family *out, nuri_error *err) {
    memset(out, 0, sizeof *out);
    char *data;
    size_t size;
    nuri_status st = nuri_read_file(path, &data, &size, err);
    if (st) return st;
    if (!(out->name = strdup(name))) st = nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
    if (!st) st = parse_lines(path, data, size, canaries, out, err);
    free(data);
    if (st) au_family_free(out);
    return st;
}

nuri_status au_family_load(const char *dir, const char *name, au_family *out, nuri_error *err) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.jsonl", dir, name);
    return load(path, name, false, out, err);
}

nuri_status au_family_canaries(const char *path, au_family *out, nuri_error *err) {
    return load(path, "memorization", true, out, err);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

nuri_status au_family_list(const char *dir, char ***names, int *n, nuri_error *err) {
    DIR *d = opendir(dir);
    if (!d) return nuri_fail(err, NURI_ERR_IO, "%s: cannot open the probes directory", dir);
    char **v = NULL;
    int cnt = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len <= 6 || strcmp(e->d_name + len - 6, ".jsonl")) continue;
        char **nv = realloc(v, sizeof *v * (size_t)(cnt + 1));
        if (!nv || !(nv[cnt] = strndup(e->d_name, len - 6))) {
            v = nv ? nv : v;
            for (int i = 0; i < cnt; i++) free(v[i]);
            free(v);
            closedir(d);
            return nuri_fail(err, NURI_ERR_NOMEM, "out of memory");
        }
        v = nv;
        cnt++;
    }
    closedir(d);
    if (cnt) qsort(v, (size_t)cnt, sizeof *v, cmp_str);
    *names = v;
    *n = cnt;
    return NURI_OK;
}

static uint64_t splitmix(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void au_family_sample(au_family *f, int k, uint64_t seed) {
    if (k <= 0 || k >= f->n) return;
    /* Partial Fisher-Yates over indices, then keep the chosen ones in file order so the
     * attempts file reads like the probe file. */
    int *idx = malloc(sizeof *idx * (size_t)f->n);
    bool *keep = calloc((size_t)f->n, 1);
    if (!idx || !keep) {
        free(idx);
        free(keep);
        return; /* out of memory: run every probe, which is still correct */
    }
    for (int i = 0; i < f->n; i++) idx[i] = i;
    uint64_t s = seed;
    for (int i = 0; i < k; i++) {
        int j = i + (int)(splitmix(&s) % (uint64_t)(f->n - i));
        int t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
        keep[idx[i]] = true;
    }
    int w = 0;
    for (int i = 0; i < f->n; i++) {
        if (keep[i]) {
            f->probes[w++] = f->probes[i];
        } else {
            au_probe *p = &f->probes[i];
            free(p->id);
            free(p->prompt);
            free(p->system);
            free(p->detector);
            free(p->target);
        }
    }
    f->n = w;
    free(idx);
    free(keep);
}

bool au_judge(const au_probe *p, const char *reply, bool *hit) {
    if (!strcmp(p->detector, "refusal")) *hit = nuri_detect_refusal(reply);
    else if (!strcmp(p->detector, "injection")) *hit = nuri_detect_injection(reply, p->target);
    else *hit = nuri_detect_canary(reply, p->target);
    return *hit == p->safe_when_hit;
}
