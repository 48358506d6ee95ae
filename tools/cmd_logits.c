/* nuri logits: teacher-forced logits, one JSON line per position. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "nuri/model.h"

static void usage(FILE *out) {
    fprintf(out,
            "usage: nuri logits -m MODEL --tokens ID,ID,... [--top K] [-t N] [-c N] [--kv-f32]\n\n"
            "Feeds the tokens (teacher forcing) and prints, for every position i, one JSON line\n"
            "{\"pos\": i, \"top\": [[id, logit], ...]} with the K largest logits, best first.\n\n"
            "  -m, --model FILE   GGUF model\n"
            "  --tokens IDS       comma-separated token ids (no BOS is added)\n"
            "  --top K            logits per position (default 10)\n"
            "  -t, --threads N    threads (default: all cores)\n"
            "  -c, --ctx N        context size (default: the number of tokens)\n"
            "  --kv-f32           keep the KV cache in F32 (default F16, like the reference)\n"
            "  --isa NAME         force kernels: scalar, avx2 or avx512 (default: the best)\n");
}

int cmd_logits(int argc, char **argv) {
    const char *model = NULL, *tokens_arg = NULL;
    long long top = 10, threads = 0, n_ctx = 0;
    bool kv_f32 = false;
    int isa = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "-m") || !strcmp(a, "--model")) {
            if (!(model = cli_value("logits", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "--tokens")) {
            if (!(tokens_arg = cli_value("logits", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "--top")) {
            if (!(v = cli_value("logits", argc, argv, &i)) || !cli_int("logits", a, v, 1, 1 << 24, &top)) return 2;
        } else if (!strcmp(a, "-t") || !strcmp(a, "--threads")) {
            if (!(v = cli_value("logits", argc, argv, &i)) || !cli_int("logits", a, v, 1, 1024, &threads)) return 2;
        } else if (!strcmp(a, "-c") || !strcmp(a, "--ctx")) {
            if (!(v = cli_value("logits", argc, argv, &i)) || !cli_int("logits", a, v, 1, 1 << 20, &n_ctx)) return 2;
        } else if (!strcmp(a, "--kv-f32")) {
            kv_f32 = true;
        } else if (!strcmp(a, "--isa")) {
            if (!(v = cli_value("logits", argc, argv, &i)) || !cli_isa("logits", v, &isa)) return 2;
        } else {
            cli_error("logits", "unknown argument '%s' (see nuri logits --help)", a);
            return 2;
        }
    }
    if (!model || !tokens_arg) {
        cli_error("logits", "-m MODEL and --tokens IDS are required (see nuri logits --help)");
        return 2;
    }
    int32_t *ids;
    size_t n;
    if (!cli_ids("logits", "--tokens", tokens_arg, &ids, &n)) return 2;
    nuri_error err;
    nuri_model *m;
    if (nuri_model_load(model, &m, &err)) {
        cli_error("logits", "%s", err.msg);
        free(ids);
        return 1;
    }
    nuri_ctx_params p = nuri_ctx_default_params();
    p.n_threads = (int)threads;
    p.n_ctx = n_ctx ? (int)n_ctx : (int)n;
    p.kv_f32 = kv_f32;
    p.isa = isa;
    nuri_ctx *c = NULL;
    float *logits = NULL;
    int rc = 1;
    const int n_vocab = nuri_model_n_vocab(m);
    if (top > n_vocab) top = n_vocab;
    if (nuri_ctx_new(m, &p, &c, &err)) {
        cli_error("logits", "%s", err.msg);
        goto done;
    }
    logits = malloc(sizeof(float) * n * (size_t)n_vocab);
    int *order = malloc(sizeof(int) * (size_t)top);
    if (!logits || !order) {
        free(order);
        cli_error("logits", "out of memory for %zu x %d logits", n, n_vocab);
        goto done;
    }
    nuri_batch b = {ids, (int)n, logits, true, NULL};
    if (nuri_decode(c, &b, &err)) {
        free(order);
        cli_error("logits", "%s", err.msg);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const float *row = logits + i * (size_t)n_vocab;
        /* Partial selection: keep the top K sorted by insertion (K is small). */
        int k = 0;
        for (int v = 0; v < n_vocab; v++) {
            if (k == top && !(row[v] > row[order[k - 1]])) continue;
            int j = k < top ? k++ : k - 1;
            while (j > 0 && row[v] > row[order[j - 1]]) {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = v;
        }
        printf("{\"pos\": %zu, \"top\": [", i);
        for (int j = 0; j < k; j++) printf("%s[%d, %.6f]", j ? ", " : "", order[j], row[order[j]]);
        printf("]}\n");
    }
    free(order);
    rc = 0;
done:
    free(logits);
    nuri_ctx_free(c);
    nuri_model_free(m);
    free(ids);
    return rc;
}
