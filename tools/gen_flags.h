/* Flags and set-up shared by the commands that load a model and generate (run, chat,
 * bench): model path, threads, context, sampling. */
#ifndef NURI_GEN_FLAGS_H
#define NURI_GEN_FLAGS_H

#include "nuri/generate.h"

typedef struct {
    const char *model;
    long long threads, n_ctx, n_predict;
    int isa; /* -1: the best this CPU runs */
    bool kv_f32, ignore_eos;
    nuri_sampler_params sampling;
} gen_flags;

#define GEN_FLAGS_HELP                                                                       \
    "  -n, --n-predict N    tokens to generate (default 128)\n"                              \
    "  --temp T             temperature; 0 is greedy (default 0.8)\n"                        \
    "  --top-k K            keep the K most likely tokens; 0 is off (default 40)\n"          \
    "  --top-p P            nucleus sampling; 1 is off (default 0.95)\n"                     \
    "  --min-p P            drop tokens below P x the best probability (default 0.05)\n"     \
    "  --repeat-penalty R   penalize recent tokens; 1 is off (default 1)\n"                  \
    "  --repeat-last-n N    how many recent tokens the penalty sees (default 64)\n"          \
    "  --seed S             random seed (default 0): same seed and -t, same output\n"        \
    "  --ignore-eos         keep generating past end-of-generation tokens\n"                 \
    "  -t, --threads N      threads (default: all cores)\n"                                  \
    "  -c, --ctx N          context size (default: the model's, at most 4096)\n"             \
    "  --kv-f32             keep the KV cache in F32 (default F16, like the reference)\n"   \
    "  --isa NAME           force kernels: scalar, avx2 or avx512 (default: the best)\n"

void gen_flags_init(gen_flags *f);
/* Consumes argv[*i] (and its value) if it is a shared flag: returns 1 if used, 0 if not
 * a shared flag, -1 on a bad value (message printed). */
int gen_flags_parse(gen_flags *f, const char *cmd, int argc, char **argv, int *i);
nuri_gen_params gen_flags_params(const gen_flags *f);

typedef struct {
    nuri_model *model;
    nuri_ctx *ctx;
    nuri_tokenizer *tok;
    const char *path;
} gen_session;

/* Loads the model (resolving the default), its tokenizer (required or optional) and a
 * context. Prints errors; returns non-zero on failure. */
int gen_session_open(gen_session *s, const gen_flags *f, const char *cmd, bool need_tokenizer);
void gen_session_close(gen_session *s);
/* Tokenizes UTF-8 text (rejecting invalid UTF-8, naming `what`). */
int gen_tokenize(gen_session *s, const char *cmd, const char *what, const char *text, size_t len,
                 bool add_special, bool parse_special, int32_t **ids, size_t *n);
void gen_print_stats(const nuri_gen_result *r);
/* The model used when -m is not given: $NURI_MODEL, else the bundled model, or NULL. */
const char *gen_default_model(void);

#endif
