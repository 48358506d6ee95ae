/* Shared between the audit's files: probe attempts and the record a run builds. */
#ifndef NURI_AUDIT_INTERNAL_H
#define NURI_AUDIT_INTERNAL_H

#include <cjson/cJSON.h>

#include "nuri/audit.h"

typedef struct {
    char *id, *prompt, *system, *detector, *target;
    bool raw;       /* no chat template (memorization) */
    bool safe_when_hit;
} au_probe;

typedef struct {
    char *name; /* the family: file name without .jsonl */
    au_probe *probes;
    int n;
} au_family;

/* Reads dir/NAME.jsonl; errors name FILE:LINE. */
nuri_status au_family_load(const char *dir, const char *name, au_family *out, nuri_error *err);
/* Canaries planted by `nuri data --canaries` (canaries.jsonl) as the "memorization" family. */
nuri_status au_family_canaries(const char *path, au_family *out, nuri_error *err);
void au_family_free(au_family *f);
/* Sorted family names found in dir (*.jsonl), malloc'd array of malloc'd strings. */
nuri_status au_family_list(const char *dir, char ***names, int *n, nuri_error *err);
/* Keeps k probes chosen by seed (original order kept); no-op when k >= n. */
void au_family_sample(au_family *f, int k, uint64_t seed);

/* Judges a reply: fills hit per the probe's detector; returns whether it is safe. */
bool au_judge(const au_probe *p, const char *reply, bool *hit);

/* passport.json and passport.html from the run's summary object. */
nuri_status au_passport_write(const char *dir, const cJSON *passport, nuri_error *err);

#endif
