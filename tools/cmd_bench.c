/* nuri bench: prompt processing and generation speed, defined as the reference's
 * llama-bench defines pp512 and tg128: a 512-token prompt processed as one batch, and
 * 128 tokens decoded one at a time from an empty context; random token ids; a warm-up
 * run first; the mean and standard deviation over repetitions. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli.h"
#include "commands.h"
#include "nuri/generate.h"
#include "nuri/model.h"

static void usage(FILE *out) {
    fprintf(out,
            "usage: nuri bench -m MODEL [-t N] [-p N] [-n N] [-r N] [--json]\n\n"
            "Measures prompt processing (ppN: N prompt tokens as one batch) and generation\n"
            "(tgN: N tokens one at a time) in tokens/s, like the reference's llama-bench,\n"
            "plus the peak resident memory of the process.\n\n"
            "  -m, --model FILE   GGUF model\n"
            "  -t, --threads N    threads (default: all cores)\n"
            "  -p N               prompt tokens (default 512; 0 skips the test)\n"
            "  -n N               generated tokens (default 128; 0 skips the test)\n"
            "  -r N               repetitions (default 5)\n"
            "  --kv-f32           F32 KV cache instead of F16\n"
            "  --json             one JSON object: pp512, tg128 (tokens/s), their standard\n"
            "                     deviations, peak_rss_mb, threads, model\n");
}

static uint64_t rng_next(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* One run: returns seconds, or a negative value on error (printed). */
static double run_once(nuri_ctx *c, const int32_t *toks, int n, bool one_by_one, float *logits) {
    nuri_error err;
    nuri_ctx_truncate(c, 0);
    double t0 = nuri_now_ms();
    if (one_by_one) {
        for (int i = 0; i < n; i++) {
            nuri_batch b = {&toks[i], 1, logits, false, NULL};
            if (nuri_decode(c, &b, &err)) {
                cli_error("bench", "%s", err.msg);
                return -1;
            }
        }
    } else {
        nuri_batch b = {toks, n, logits, false, NULL};
        if (nuri_decode(c, &b, &err)) {
            cli_error("bench", "%s", err.msg);
            return -1;
        }
    }
    return (nuri_now_ms() - t0) / 1e3;
}

static bool measure(nuri_ctx *c, const int32_t *toks, int n, bool one_by_one, int reps, float *logits,
                    double *mean, double *sd) {
    double sum = 0, sum2 = 0;
    if (run_once(c, toks, n, one_by_one, logits) < 0) return false; /* warm-up */
    for (int r = 0; r < reps; r++) {
        double s = run_once(c, toks, n, one_by_one, logits);
        if (s < 0) return false;
        double tps = n / s;
        sum += tps;
        sum2 += tps * tps;
    }
    *mean = sum / reps;
    *sd = reps > 1 ? sqrt(fmax(0.0, (sum2 - sum * sum / reps) / (reps - 1))) : 0.0;
    return true;
}

int cmd_bench(int argc, char **argv) {
    const char *model = NULL;
    long long threads = 0, n_prompt = 512, n_gen = 128, reps = 5;
    bool json = false, kv_f32 = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "-m") || !strcmp(a, "--model")) {
            if (!(model = cli_value("bench", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "-t") || !strcmp(a, "--threads")) {
            if (!(v = cli_value("bench", argc, argv, &i)) || !cli_int("bench", a, v, 1, 1024, &threads)) return 2;
        } else if (!strcmp(a, "-p")) {
            if (!(v = cli_value("bench", argc, argv, &i)) || !cli_int("bench", a, v, 0, 1 << 16, &n_prompt)) return 2;
        } else if (!strcmp(a, "-n")) {
            if (!(v = cli_value("bench", argc, argv, &i)) || !cli_int("bench", a, v, 0, 1 << 16, &n_gen)) return 2;
        } else if (!strcmp(a, "-r")) {
            if (!(v = cli_value("bench", argc, argv, &i)) || !cli_int("bench", a, v, 1, 1000, &reps)) return 2;
        } else if (!strcmp(a, "--json")) {
            json = true;
        } else if (!strcmp(a, "--kv-f32")) {
            kv_f32 = true;
        } else {
            cli_error("bench", "unknown argument '%s' (see nuri bench --help)", a);
            return 2;
        }
    }
    if (!model) {
        cli_error("bench", "-m MODEL is required (see nuri bench --help)");
        return 2;
    }
    nuri_error err;
    nuri_model *m;
    if (nuri_model_load(model, &m, &err)) {
        cli_error("bench", "%s", err.msg);
        return 1;
    }
    nuri_ctx_params p = nuri_ctx_default_params();
    p.n_threads = (int)threads;
    p.n_ctx = (int)(n_prompt > n_gen ? n_prompt : n_gen) + 1;
    p.kv_f32 = kv_f32;
    nuri_ctx *c;
    if (nuri_ctx_new(m, &p, &c, &err)) {
        cli_error("bench", "%s", err.msg);
        nuri_model_free(m);
        return 1;
    }
    const int n_vocab = nuri_model_n_vocab(m);
    int n_max = (int)(n_prompt > n_gen ? n_prompt : n_gen);
    int32_t *toks = malloc(sizeof(int32_t) * (size_t)(n_max ? n_max : 1));
    float *logits = malloc(sizeof(float) * (size_t)n_vocab);
    uint64_t seed = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < n_max; i++) toks[i] = (int32_t)(rng_next(&seed) % (uint64_t)n_vocab);
    double pp = 0, pp_sd = 0, tg = 0, tg_sd = 0;
    int rc = 0;
    if (n_prompt && !measure(c, toks, (int)n_prompt, false, (int)reps, logits, &pp, &pp_sd)) rc = 1;
    if (!rc && n_gen && !measure(c, toks, (int)n_gen, true, (int)reps, logits, &tg, &tg_sd)) rc = 1;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double peak_mb = ru.ru_maxrss / 1024.0;
    if (!rc) {
        const int nt = p.n_threads ? p.n_threads : 0;
        if (json) {
            printf("{\"model\": \"%s\", \"arch\": \"%s\", \"threads\": %d, \"isa\": \"%s\", "
                   "\"pp%lld\": %.3f, \"pp%lld_std\": %.3f, \"tg%lld\": %.3f, \"tg%lld_std\": %.3f, "
                   "\"repetitions\": %lld, \"peak_rss_mb\": %.1f}\n",
                   model, nuri_model_arch(m), nt, nuri_isa_name(nuri_ctx_kernels(c)->isa), n_prompt, pp,
                   n_prompt, pp_sd, n_gen, tg, n_gen, tg_sd, reps, peak_mb);
        } else {
            printf("| model | arch | threads | test | t/s |\n|---|---|---|---|---|\n");
            if (n_prompt)
                printf("| %s | %s | %d | pp%lld | %.2f ± %.2f |\n", model, nuri_model_arch(m), nt, n_prompt, pp, pp_sd);
            if (n_gen)
                printf("| %s | %s | %d | tg%lld | %.2f ± %.2f |\n", model, nuri_model_arch(m), nt, n_gen, tg, tg_sd);
            printf("peak resident memory: %.1f MiB (kernels: %s)\n", peak_mb, nuri_isa_name(nuri_ctx_kernels(c)->isa));
        }
    }
    free(toks);
    free(logits);
    nuri_ctx_free(c);
    nuri_model_free(m);
    return rc;
}
