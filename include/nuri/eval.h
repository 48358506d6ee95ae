/* nuri: evaluation with lm-evaluation-harness semantics, directly on a GGUF model.
 *
 * Two layers. The scoring primitives (log-likelihood of continuations, greedy generation
 * with stop sequences, rolling log-likelihood) work on a model context and its tokenizer.
 * The task layer reads task definitions (tasks/NAME.json, format in docs/eval.md), reads the
 * data sets they name, scores every document and writes results.json, samples_TASK.jsonl
 * and report.html into an output directory, resuming from what an earlier run wrote. */
#ifndef NURI_EVAL_H
#define NURI_EVAL_H

#include <signal.h>
#include <stdbool.h>

#include "nuri/model.h"
#include "nuri/tokenizer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- scoring primitives ---------------------------------------------------------- */

/* A scorer borrows a context and a tokenizer (both must outlive it) and remembers which
 * tokens the context's KV cache holds, so consecutive requests with the same context (the
 * choices of one question) decode it once. A context that differs is decoded from
 * position 0, so results never depend on the requests before (resumed runs repeat
 * uninterrupted ones exactly). */
typedef struct nuri_scorer nuri_scorer;

nuri_status nuri_scorer_new(nuri_ctx *ctx, const nuri_tokenizer *tok, nuri_scorer **out,
                            nuri_error *err);
void nuri_scorer_free(nuri_scorer *s);
/* Forget what the KV cache holds (the next request decodes from position 0). */
void nuri_scorer_reset(nuri_scorer *s);

typedef struct {
    double ll;      /* sum of log-softmax of each continuation token */
    bool is_greedy; /* every continuation token was the argmax */
    int n_tokens;   /* continuation tokens scored */
} nuri_ll;

/* lm-evaluation-harness's split of a (context, continuation) pair: trailing whitespace of
 * the context (Python's str.rstrip) moves to the front of the continuation; the context's
 * tokens are tokenize(context) and the continuation's are those of
 * tokenize(context + continuation) past that many tokens. Both tokenizations add BOS/EOS
 * as the model's metadata asks and never parse special-token text. An empty context is
 * replaced by the BOS token (EOS when there is none), as lm-eval's prefix_token_id. */
nuri_status nuri_eval_encode_pair(const nuri_tokenizer *tok, const char *context,
                                  const char *continuation, int32_t **ctx_ids, size_t *n_ctx,
                                  int32_t **cont_ids, size_t *n_cont, nuri_error *err);

/* Scores n continuations (token ids) after one shared context: the context is decoded
 * once, then for each continuation the cache is cut back to the context and the rest is
 * decoded with logits for every position. Sequences longer than the context window are
 * cut from the left as lm-eval does ((context + continuation)[-(n_ctx + 1):][:-1]). */
nuri_status nuri_score_tokens(nuri_scorer *s, const int32_t *ctx, size_t n_ctx,
                              const int32_t *const *conts, const size_t *n_conts, int n,
                              nuri_ll *out, nuri_error *err);

/* The same from text, with nuri_eval_encode_pair's split. */
nuri_status nuri_score_choices(nuri_scorer *s, const char *context, const char *const *conts,
                               int n, nuri_ll *out, nuri_error *err);

/* Greedy generation after context (tokenized with BOS as the model asks, left-cut to
 * n_ctx - max_tokens tokens) until an end-of-generation token, max_tokens tokens, or one
 * of the stop strings appears in the text; the text is cut before the first stop string.
 * *text is malloc'd and NUL-terminated. */
nuri_status nuri_generate_until(nuri_scorer *s, const char *context, const char *const *stops,
                                int n_stops, int max_tokens, char **text, int *n_generated,
                                nuri_error *err);

typedef struct {
    double ll;           /* total log-likelihood of the text's tokens */
    long long n_tokens;  /* tokens scored */
    long long n_windows; /* model calls of at most n_ctx tokens */
} nuri_rolling;

/* lm-eval's loglikelihood_rolling: the text's tokens (no BOS/EOS) in disjoint windows of
 * n_ctx tokens, the first conditioned on the BOS token (EOS when there is none), each
 * later one on the single token before it. */
nuri_status nuri_score_rolling(nuri_scorer *s, const char *text, size_t len, nuri_rolling *out,
                               nuri_error *err);

/* ---- tasks ---------------------------------------------------------------------- */

typedef struct nuri_taskdb nuri_taskdb;

/* Reads every *.json task-family file in dir (sorted by name). Errors name the file and
 * what is wrong. */
nuri_status nuri_taskdb_load(const char *dir, nuri_taskdb **out, nuri_error *err);
void nuri_taskdb_free(nuri_taskdb *db);

typedef struct {
    const char *name;
    const char *family;  /* the file it came from, without .json */
    bool is_group;
    int n_members;       /* leaf tasks of a group; 0 for a task */
    const char *kind;    /* "multiple_choice", "generate_until", "loglikelihood_rolling", "group" */
    const char *source;  /* the test file, relative to the data directory */
    const char *about;   /* what the data is and where it comes from ("" if unsaid) */
} nuri_task_info;

int nuri_taskdb_count(const nuri_taskdb *db);
void nuri_taskdb_info(const nuri_taskdb *db, int i, nuri_task_info *out);

/* ---- runs ----------------------------------------------------------------------- */

typedef struct {
    const char *task;        /* the (sub)task being scored */
    int task_index, n_tasks; /* 0-based position among the run's tasks */
    long long done, total;   /* documents of this run, all tasks together */
    long long resumed;       /* of done, read back from an earlier run */
    long long requests;      /* model requests (choices, generations, windows) scored now */
    double elapsed_s;        /* since scoring started in this process */
} nuri_eval_progress;

typedef struct {
    const char *tasks;       /* comma-separated task and group names */
    const char *data_dir;    /* root of the data sets (../shared/data/eval layout) */
    const char *output_dir;  /* created if missing */
    const char *text_file;   /* for the perplexity task */
    const char *model_path;  /* recorded in results.json and checked on resume */
    int num_fewshot;
    long long limit;         /* < 0: every document */
    uint64_t seed;           /* recorded; no step of the built-in tasks draws random numbers */
    int n_ctx;               /* recorded: it decides where long inputs are cut */
    void (*progress)(void *user, const nuri_eval_progress *p);
    void *user;
    const volatile sig_atomic_t *cancel; /* non-zero: stop after the current document */
} nuri_eval_params;

typedef struct {
    long long docs_scored, docs_resumed, requests;
    double seconds; /* scoring time in this process */
} nuri_eval_summary;

/* Scores every task, appending one line per document to output_dir/samples_TASK.jsonl as
 * it goes (so an interrupted run resumes where it stopped: documents already there are
 * checked against the current prompts and kept), then writes results.json and
 * report.html. Every data file is read and checked before the first document is scored.
 * Returns NURI_ERR_INTERRUPTED when *cancel was set; the samples written so far stay. */
nuri_status nuri_eval_run(nuri_scorer *s, const nuri_taskdb *db, const nuri_eval_params *p,
                          nuri_eval_summary *summary, nuri_error *err);

#ifdef __cplusplus
}
#endif
#endif
