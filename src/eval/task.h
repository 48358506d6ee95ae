/* Task definitions (tasks/NAME.json, documented in docs/eval.md) and the documents they
 * read. A definition says where the data is, how its columns become named fields, how
 * fields become a prompt and choices, which field is the answer, and which metrics to
 * report. Everything here is checked when it is loaded: a run never starts on a
 * definition or a data file it would stumble over later. */
#ifndef NURI_EVAL_TASK_H
#define NURI_EVAL_TASK_H

#include <stdbool.h>
#include <stdint.h>

#include "nuri/eval.h"

typedef enum { OUT_MC, OUT_GEN, OUT_ROLLING } task_output;
typedef enum { FMT_TSV, FMT_CSV, FMT_SQUAD, FMT_TEXT } task_format;

/* One named field of a document, taken from a column and transformed in this order:
 * strip (Python's str.strip), map (exact, or ASCII case-insensitive), int (+ add). */
typedef struct {
    char *name, *column;
    bool strip, ignore_case, is_int;
    long add;
    int n_map;
    char **map_from, **map_to;
} field_spec;

typedef struct {
    char *name, *family, *about;
    task_output output;
    task_format format;
    bool quoting;                  /* CSV quoting in TSV/CSV files */
    char *test_path, *fewshot_path; /* relative to the data dir; {text} = --text */
    char *dataset_path, *dataset_name;
    field_spec *fields;
    int n_fields;
    char *doc_to_text;
    char **choices; /* templates */
    int n_choices;
    int gold;       /* field index of the answer (multiple choice) */
    char *target_delim, *fewshot_delim;
    char **until;
    int n_until, max_gen_toks;
    char **metrics;
    int n_metrics;
    double version;
    uint64_t def_hash; /* of the merged definition, to recognize an earlier run's samples */
} task_def;

typedef struct {
    char *name, *family, *about;
    char **members;    /* as written: tasks or groups */
    int n_members;
    int *leaves;       /* task indices, resolved */
    int n_leaves;
    char **metrics;
    int n_metrics;
    bool macro;        /* also report the unweighted mean over leaf tasks */
    double version;
} group_def;

struct nuri_taskdb {
    task_def *tasks;
    int n_tasks;
    group_def *groups;
    int n_groups;
};

int taskdb_find_task(const nuri_taskdb *db, const char *name);
int taskdb_find_group(const nuri_taskdb *db, const char *name);
bool task_has_metric(const task_def *t, const char *metric);

/* ---- documents ---- */

typedef struct {
    long line;       /* line in the data file the document starts on (0 for JSON) */
    char **vals;     /* one per field */
    char **answers;  /* SQuAD answers */
    int n_answers;
    int gold;        /* multiple choice: index of the answer */
} task_doc;

typedef struct {
    task_doc *docs;
    int n;
    char *path;
} doc_set;

/* Reads the test split (fewshot false) or the few-shot split of t. */
nuri_status task_load_docs(const task_def *t, const char *data_dir, const char *text_file,
                           bool fewshot, doc_set *out, nuri_error *err);
void doc_set_free(doc_set *d);

/* Renders a template ({field}, {{ and }} for braces) for doc; malloc'd. */
char *task_render(const task_def *t, const char *tmpl, const task_doc *doc);
/* The context lm-eval builds: K few-shot examples (text, target delimiter, answer, few-shot
 * delimiter each) then the document's text. */
char *task_context(const task_def *t, const task_doc *doc, const doc_set *fewshot, int k);

#endif
