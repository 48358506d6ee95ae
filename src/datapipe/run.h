/* The state of one nuri_data_run, shared by pipeline.c (reading, filtering, writing) and
 * manifest.c (the JSON record of it). */
#ifndef NURI_DATAPIPE_RUN_H
#define NURI_DATAPIPE_RUN_H

#include "datapipe/internal.h"

typedef struct {
    const char *path;
    nuri_data_format format;
    bool exclude;
    char sha256[65];
    char *license;            /* NULL: none known */
    const char *license_from; /* the PROVENANCE.md used, "--license", or NULL */
    uint64_t bytes, docs_in, docs_kept, bytes_kept, bytes_dropped, train_docs, val_docs;
    uint64_t chars_changed;   /* markup items and characters the clean-up removed */
    uint64_t dropped[NURI_DROP_REASON_COUNT];
    uint64_t pii[NURI_PII_TYPE_COUNT];
} dp_source;

typedef struct {
    dp_canary c;
    uint64_t *lines; /* 1-based line numbers in train.txt */
    uint32_t n_lines;
} dp_planted;

typedef struct {
    const char *name; /* file name inside out_dir */
    char sha256[65];
    uint64_t bytes, docs;
} dp_output;

typedef struct {
    const nuri_data_config *cfg;
    dp_source *src;
    size_t n_src;
    dp_planted *canaries;
    size_t n_canaries;
    dp_output train, val, canary_file;
    nuri_data_summary sum;
} dp_run_record;

/* The manifest as JSON text (malloc'd), or NULL when out of memory. */
char *dp_manifest_json(const dp_run_record *r);
/* One canary as a JSON line (malloc'd, with its newline), or NULL. */
char *dp_canary_json(const dp_run_record *r, size_t i);

#endif
