#include "gen_flags.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

void gen_flags_init(gen_flags *f) {
    memset(f, 0, sizeof *f);
    f->n_predict = 128;
    f->isa = -1;
    f->sampling = nuri_sampler_default_params();
    f->sampling.temperature = 0.8f;
}

int gen_flags_parse(gen_flags *f, const char *cmd, int argc, char **argv, int *i) {
    const char *a = argv[*i], *v;
    long long ll;
    double d;
#define VALUE() if (!(v = cli_value(cmd, argc, argv, i))) return -1
    if (!strcmp(a, "-m") || !strcmp(a, "--model")) {
        VALUE();
        f->model = v;
    } else if (!strcmp(a, "-t") || !strcmp(a, "--threads")) {
        VALUE();
        if (!cli_int(cmd, a, v, 1, 1024, &f->threads)) return -1;
    } else if (!strcmp(a, "-c") || !strcmp(a, "--ctx")) {
        VALUE();
        if (!cli_int(cmd, a, v, 8, 1 << 20, &f->n_ctx)) return -1;
    } else if (!strcmp(a, "--isa")) {
        VALUE();
        if (!cli_isa(cmd, v, &f->isa)) return -1;
    } else if (!strcmp(a, "-n") || !strcmp(a, "--n-predict")) {
        VALUE();
        if (!cli_int(cmd, a, v, 1, 1 << 20, &f->n_predict)) return -1;
    } else if (!strcmp(a, "--temp")) {
        VALUE();
        if (!cli_float(cmd, a, v, 0, 100, &d)) return -1;
        f->sampling.temperature = (float)d;
    } else if (!strcmp(a, "--top-k")) {
        VALUE();
        if (!cli_int(cmd, a, v, 0, 1 << 24, &ll)) return -1;
        f->sampling.top_k = (int)ll;
    } else if (!strcmp(a, "--top-p")) {
        VALUE();
        if (!cli_float(cmd, a, v, 1e-6, 1, &d)) return -1;
        f->sampling.top_p = (float)d;
    } else if (!strcmp(a, "--min-p")) {
        VALUE();
        if (!cli_float(cmd, a, v, 0, 1, &d)) return -1;
        f->sampling.min_p = (float)d;
    } else if (!strcmp(a, "--repeat-penalty")) {
        VALUE();
        if (!cli_float(cmd, a, v, 1e-3, 10, &d)) return -1;
        f->sampling.repeat_penalty = (float)d;
    } else if (!strcmp(a, "--repeat-last-n")) {
        VALUE();
        if (!cli_int(cmd, a, v, 0, 1 << 20, &ll)) return -1;
        f->sampling.repeat_last_n = (int)ll;
    } else if (!strcmp(a, "--seed")) {
        VALUE();
        if (!cli_int(cmd, a, v, 0, INT64_MAX, &ll)) return -1;
        f->sampling.seed = (uint64_t)ll;
    } else if (!strcmp(a, "--ignore-eos")) {
        f->ignore_eos = true;
    } else if (!strcmp(a, "--kv-f32")) {
        f->kv_f32 = true;
    } else {
        return 0;
    }
#undef VALUE
    return 1;
}

nuri_gen_params gen_flags_params(const gen_flags *f) {
    nuri_gen_params p = nuri_gen_default_params();
    p.n_predict = (int)f->n_predict;
    p.ignore_eog = f->ignore_eos;
    p.sampling = f->sampling;
    return p;
}

const char *gen_default_model(void) {
    const char *env = getenv("NURI_MODEL");
    if (env && *env) return env;
    static const char bundled[] = NURI_SOURCE_DIR "/share/nuri-ko/nuri-ko.gguf";
    struct stat st;
    return stat(bundled, &st) == 0 ? bundled : NULL;
}

int gen_session_open(gen_session *s, const gen_flags *f, const char *cmd, bool need_tokenizer) {
    memset(s, 0, sizeof *s);
    s->path = f->model ? f->model : gen_default_model();
    if (!s->path) {
        cli_error(cmd, "no model: pass -m MODEL.gguf or set NURI_MODEL");
        return 1;
    }
    nuri_error err;
    if (nuri_model_load(s->path, &s->model, &err)) {
        cli_error(cmd, "%s", err.msg);
        return 1;
    }
    if (nuri_tokenizer_load(nuri_model_gguf(s->model), &s->tok, &err)) {
        if (need_tokenizer) {
            cli_error(cmd, "%s", err.msg);
            gen_session_close(s);
            return 1;
        }
        s->tok = NULL;
    }
    nuri_ctx_params p = nuri_ctx_default_params();
    p.n_threads = (int)f->threads;
    p.n_ctx = (int)f->n_ctx;
    p.kv_f32 = f->kv_f32;
    p.isa = f->isa;
    if (nuri_ctx_new(s->model, &p, &s->ctx, &err)) {
        cli_error(cmd, "%s", err.msg);
        gen_session_close(s);
        return 1;
    }
    return 0;
}

void gen_session_close(gen_session *s) {
    nuri_ctx_free(s->ctx);
    nuri_tokenizer_free(s->tok);
    nuri_model_free(s->model);
    memset(s, 0, sizeof *s);
}

int gen_tokenize(gen_session *s, const char *cmd, const char *what, const char *text, size_t len,
                 bool add_special, bool parse_special, int32_t **ids, size_t *n) {
    size_t bad;
    if (!nuri_utf8_valid(text, len, &bad)) {
        cli_error(cmd, "%s: invalid UTF-8 at byte %zu", what, bad);
        return 1;
    }
    nuri_error err;
    if (nuri_tokenize(s->tok, text, len, add_special, parse_special, ids, n, &err)) {
        cli_error(cmd, "%s: %s", what, err.msg);
        return 1;
    }
    if (*n == 0) {
        cli_error(cmd, "%s: the prompt is empty", what);
        return 1;
    }
    return 0;
}

void gen_print_stats(const nuri_gen_result *r) {
    fprintf(stderr, "prompt: %d tokens in %.1f ms (%.1f tokens/s); generated: %d tokens in %.1f ms (%.1f tokens/s)\n",
            r->n_prompt, r->prompt_ms, r->prompt_ms > 0 ? r->n_prompt * 1e3 / r->prompt_ms : 0.0,
            r->n_generated, r->gen_ms, r->gen_ms > 0 ? r->n_generated * 1e3 / r->gen_ms : 0.0);
}
