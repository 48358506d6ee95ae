/* nuri train: train a Llama-architecture model from token shards; make shards from text;
 * export a checkpoint as GGUF; describe a checkpoint. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/file.h"
#include "cli.h"
#include "commands.h"
#include "nuri/gguf.h"
#include "nuri/template.h"
#include "nuri/train.h"

static void usage(FILE *out) {
    fprintf(out,
            "usage: nuri train --tokens SHARD [--val SHARD] [--config FILE] [--KEY VALUE ...]\n"
            "                  [--checkpoint FILE [--resume]] [-t N] [--log FILE] [--print-every N]\n"
            "       nuri train shard --tokenizer GGUF --text FILE -o SHARD\n"
            "       nuri train export --checkpoint FILE --tokenizer GGUF -o MODEL.gguf [--type T] [--name S]\n"
            "                         [--license SPDX] [--source-url URL] [--chat-template FILE]\n"
            "       nuri train info --checkpoint FILE\n\n"
            "Trains a Llama-architecture decoder on a token shard with AdamW, warm-up + cosine\n"
            "schedule, gradient clipping and accumulation; deterministic for a seed. Formats and\n"
            "keys: docs/train.md.\n\n"
            "  --tokens SHARD       training tokens (nuri train shard makes one from text)\n"
            "  --val SHARD          validation tokens: loss every eval_interval steps\n"
            "  --config FILE        key = value lines; flags given here override them\n"
            "  --KEY VALUE          any configuration key: --dim 256 --layers 4 --lr 3e-4 ...\n"
            "  --checkpoint FILE    written atomically every ckpt_interval steps and at the end\n"
            "  --resume             continue from --checkpoint when it exists (same configuration)\n"
            "  -t, --threads N      threads (default: all cores)\n"
            "  --log FILE           append one JSON line per step (loss, lr, grad_norm, val_loss)\n"
            "  --print-every N      progress line every N steps (default 10; evaluations always)\n"
            "  --print-config       print the configuration and the memory estimate, then exit\n"
            "  --type T             export type: f32 (default), f16, bf16, q8_0, q4_0, q4_1, q5_0,\n"
            "                       q5_1, q4_k, q5_k, q6_k\n"
            "  --name S             general.name of the exported model\n"
            "  --license SPDX       general.license (an SPDX identifier, e.g. Apache-2.0)\n"
            "  --source-url URL     general.source.url: where its data and training are published\n"
            "  --chat-template FILE tokenizer.chat_template (Jinja, checked by nuri's parser)\n");
}

static volatile sig_atomic_t g_stop = 0;
static void on_sigint(int sig) {
    (void)sig;
    g_stop = 1;
}

static void fmt_time(double s, char *buf, size_t n) {
    if (!(s >= 0) || s > 1e8) s = 0;
    const long t = (long)(s + 0.5);
    if (t >= 3600) snprintf(buf, n, "%ldh%02ldm", t / 3600, t / 60 % 60);
    else if (t >= 60) snprintf(buf, n, "%ldm%02lds", t / 60, t % 60);
    else snprintf(buf, n, "%lds", t);
}

typedef struct {
    FILE *log;
    int every;
} progress_ctx;

static int on_progress(void *user, const nuri_train_progress *p) {
    progress_ctx *c = user;
    const bool evaluated = !isnan(p->val_loss);
    if (evaluated || p->step == p->steps || p->step % c->every == 0 || p->step == 1) {
        char eta[32], el[32];
        fmt_time(p->eta_s, eta, sizeof eta);
        fmt_time(p->elapsed_s, el, sizeof el);
        fprintf(stderr, "step %d/%d | loss %.4f | lr %.2e | gnorm %.3f | %.0f tok/s | %s elapsed | eta %s",
                p->step, p->steps, p->loss, p->lr, p->grad_norm, p->tokens_per_s, el, eta);
        if (evaluated) fprintf(stderr, " | val_loss %.4f (ppl %.2f)", p->val_loss, exp(p->val_loss));
        fputc('\n', stderr);
    }
    if (c->log) {
        fprintf(c->log,
                "{\"step\": %d, \"loss\": %.6f, \"lr\": %.6e, \"grad_norm\": %.6f, \"tokens_per_s\": %.1f, "
                "\"elapsed_s\": %.3f, \"cpu_s\": %.3f",
                p->step, p->loss, p->lr, p->grad_norm, p->tokens_per_s, p->elapsed_s, p->cpu_s);
        if (evaluated) fprintf(c->log, ", \"val_loss\": %.6f", p->val_loss);
        fprintf(c->log, "}\n");
        fflush(c->log);
    }
    return g_stop ? 1 : 0;
}

static bool exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

static bool parse_type(const char *s, nuri_type *t) {
    static const struct {
        const char *name;
        nuri_type type;
    } types[] = {{"f32", NURI_TYPE_F32},   {"f16", NURI_TYPE_F16},   {"bf16", NURI_TYPE_BF16},
                 {"q8_0", NURI_TYPE_Q8_0}, {"q4_0", NURI_TYPE_Q4_0}, {"q4_1", NURI_TYPE_Q4_1},
                 {"q5_0", NURI_TYPE_Q5_0}, {"q5_1", NURI_TYPE_Q5_1}, {"q4_k", NURI_TYPE_Q4_K},
                 {"q5_k", NURI_TYPE_Q5_K}, {"q6_k", NURI_TYPE_Q6_K}};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (!strcasecmp(s, types[i].name)) {
            *t = types[i].type;
            return true;
        }
    return false;
}

static int cmd_shard(int argc, char **argv) {
    const char *tok = NULL, *text = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--tokenizer") || !strcmp(a, "-m")) {
            if (!(tok = cli_value("train shard", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "--text")) {
            if (!(text = cli_value("train shard", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            if (!(out = cli_value("train shard", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else {
            cli_error("train shard", "unknown argument '%s' (see nuri train --help)", a);
            return 2;
        }
    }
    if (!tok || !text || !out) {
        cli_error("train shard", "--tokenizer GGUF, --text FILE and -o SHARD are required");
        return 2;
    }
    nuri_error err;
    uint64_t n, docs;
    if (nuri_shard_from_text(tok, text, out, &n, &docs, &err)) {
        cli_error("train shard", "%s", err.msg);
        return 1;
    }
    fprintf(stderr, "%s: %llu tokens from %llu documents\n", out, (unsigned long long)n, (unsigned long long)docs);
    return 0;
}

static int cmd_export(int argc, char **argv) {
    const char *ckpt = NULL, *tok = NULL, *out = NULL;
    nuri_export_meta meta = {NULL, NULL, NULL, NULL};
    const char *template_path = NULL;
    char *template_text = NULL;
    nuri_type type = NURI_TYPE_F32;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (!strcmp(a, "--checkpoint")) {
            if (!(ckpt = cli_value("train export", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "--tokenizer")) {
            if (!(tok = cli_value("train export", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            if (!(out = cli_value("train export", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "--name")) {
            if (!(meta.name = cli_value("train export", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "--license")) {
            if (!(meta.license = cli_value("train export", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "--source-url")) {
            if (!(meta.source_url = cli_value("train export", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "--chat-template")) {
            if (!(template_path = cli_value("train export", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "--type")) {
            if (!(v = cli_value("train export", argc, argv, &i))) return 2;
            if (!parse_type(v, &type)) {
                cli_error("train export", "--type: '%s' is not one of f32 f16 bf16 q8_0 q4_0 q4_1 q5_0 q5_1 q4_k q5_k q6_k", v);
                return 2;
            }
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else {
            cli_error("train export", "unknown argument '%s' (see nuri train --help)", a);
            return 2;
        }
    }
    if (!ckpt || !tok || !out) {
        cli_error("train export", "--checkpoint FILE, --tokenizer GGUF and -o FILE are required");
        return 2;
    }
    nuri_error err;
    nuri_train_config cfg;
    nuri_trainer *t = NULL;
    int rc = 1;
    if (template_path) {
        /* A template nuri cannot parse would only fail later, in chat or serve. */
        size_t len;
        nuri_template *tmpl = NULL;
        if (nuri_read_file(template_path, &template_text, &len, &err) ||
            nuri_template_parse(template_text, len, &tmpl, &err)) {
            cli_error("train export", "--chat-template %s: %s", template_path, err.msg);
            free(template_text);
            return 1;
        }
        nuri_template_free(tmpl);
        meta.chat_template = template_text;
    }
    if (nuri_checkpoint_info(ckpt, &cfg, NULL, &err)) goto fail;
    cfg.max_memory_gb = 0;
    if (nuri_trainer_new(&cfg, 1, &t, &err) || nuri_trainer_load(t, ckpt, &err) ||
        nuri_trainer_export(t, tok, type, &meta, out, &err))
        goto fail;
    rc = 0;
    fprintf(stderr, "%s: exported step %d\n", out, nuri_trainer_step(t));
    nuri_trainer_free(t);
    free(template_text);
    return rc;
fail:
    cli_error("train export", "%s", err.msg);
    nuri_trainer_free(t);
    free(template_text);
    return rc;
}

static int cmd_info(int argc, char **argv) {
    const char *ckpt = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--checkpoint")) {
            if (!(ckpt = cli_value("train info", argc, argv, &i))) return 2;
        } else if (argv[i][0] != '-' && !ckpt) {
            ckpt = argv[i];
        } else {
            cli_error("train info", "unknown argument '%s' (see nuri train --help)", argv[i]);
            return 2;
        }
    }
    if (!ckpt) {
        cli_error("train info", "--checkpoint FILE is required");
        return 2;
    }
    nuri_error err;
    nuri_train_config cfg;
    int step;
    if (nuri_checkpoint_info(ckpt, &cfg, &step, &err)) {
        cli_error("train info", "%s", err.msg);
        return 1;
    }
    char *text = nuri_train_config_format(&cfg);
    printf("# %s: step %d of %d, %llu parameters\n%s", ckpt, step, cfg.steps,
           (unsigned long long)nuri_train_n_params(&cfg), text ? text : "");
    free(text);
    return 0;
}

int cmd_train(int argc, char **argv) {
    if (argc >= 2 && !strcmp(argv[1], "shard")) return cmd_shard(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "export")) return cmd_export(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "info")) return cmd_info(argc - 1, argv + 1);
    const char *tokens = NULL, *val = NULL, *config = NULL, *ckpt = NULL, *log_path = NULL;
    bool resume = false, print_config = false;
    long long threads = 0, every = 10;
    nuri_train_config cfg;
    nuri_train_config_default(&cfg);
    nuri_error err;
    /* The config file first, wherever --config appears, so that flags override it. */
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--config") && i + 1 < argc) config = argv[i + 1];
    if (config && nuri_train_config_load(&cfg, config, &err)) {
        cli_error("train", "%s", err.msg);
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--config")) {
            if (!cli_value("train", argc, argv, &i)) return 2;
        } else if (!strcmp(a, "--tokens")) {
            if (!(tokens = cli_value("train", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "--val")) {
            if (!(val = cli_value("train", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "--checkpoint")) {
            if (!(ckpt = cli_value("train", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "--log")) {
            if (!(log_path = cli_value("train", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "--resume")) {
            resume = true;
        } else if (!strcmp(a, "--print-config")) {
            print_config = true;
        } else if (!strcmp(a, "-t") || !strcmp(a, "--threads")) {
            if (!(v = cli_value("train", argc, argv, &i)) || !cli_int("train", a, v, 1, 1024, &threads)) return 2;
        } else if (!strcmp(a, "--print-every")) {
            if (!(v = cli_value("train", argc, argv, &i)) || !cli_int("train", a, v, 1, 1 << 30, &every)) return 2;
        } else if (!strncmp(a, "--", 2) && a[2]) {
            if (!(v = cli_value("train", argc, argv, &i))) return 2;
            if (nuri_train_config_set(&cfg, a + 2, v, &err)) {
                cli_error("train", "--%s", err.msg);
                return 2;
            }
        } else {
            cli_error("train", "unknown argument '%s' (see nuri train --help)", a);
            return 2;
        }
    }
    if (nuri_train_config_check(&cfg, &err)) {
        cli_error("train", "%s", err.msg);
        return 1;
    }
    if (print_config) {
        char *text = nuri_train_config_format(&cfg);
        printf("%s# parameters: %llu\n# memory estimate: %.1f MiB\n# flops per token: %.4g\n", text ? text : "",
               (unsigned long long)nuri_train_n_params(&cfg),
               (double)nuri_train_memory_estimate(&cfg, (int)threads) / 1048576.0,
               nuri_train_flops_per_token(&cfg));
        free(text);
        return 0;
    }
    if (!tokens) {
        cli_error("train", "--tokens SHARD is required (see nuri train --help)");
        return 2;
    }
    if (ckpt && exists(ckpt) && !resume) {
        cli_error("train", "%s exists: pass --resume to continue it, or choose another --checkpoint", ckpt);
        return 1;
    }
    nuri_shard *train = NULL, *vs = NULL;
    nuri_trainer *t = NULL;
    FILE *log = NULL;
    int rc = 1;
    if (nuri_shard_open(tokens, &train, &err) || (val && nuri_shard_open(val, &vs, &err)) ||
        nuri_trainer_new(&cfg, (int)threads, &t, &err))
        goto fail;
    if (nuri_trainer_check_shard(t, train, "training", &err) ||
        (vs && nuri_trainer_check_shard(t, vs, "validation", &err)))
        goto fail;
    if (ckpt && resume && exists(ckpt)) {
        if (nuri_trainer_load(t, ckpt, &err)) goto fail;
        fprintf(stderr, "resuming %s at step %d of %d\n", ckpt, nuri_trainer_step(t), cfg.steps);
    }
    if (log_path && !(log = fopen(log_path, "a"))) {
        nuri_fail(&err, NURI_ERR_IO, "%s: cannot open the log", log_path);
        goto fail;
    }
    fprintf(stderr, "training %llu parameters on %llu tokens: %d steps of %d x %d x %d tokens\n",
            (unsigned long long)nuri_train_n_params(&cfg), (unsigned long long)nuri_shard_n_tokens(train),
            cfg.steps, cfg.batch, cfg.accum, cfg.context);
    if (!ckpt) fprintf(stderr, "note: no --checkpoint: the trained weights will not be kept\n");
    progress_ctx pc = {log, (int)every};
    nuri_train_run_params rp = {train, vs, ckpt, on_progress, &pc, &g_stop};
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, &old);
    nuri_status st = nuri_train_run(t, &rp, &err);
    sigaction(SIGINT, &old, NULL);
    if (st == NURI_ERR_INTERRUPTED) {
        cli_error("train", "%s%s", err.msg, ckpt ? "; checkpoint written (continue with --resume)" : "");
        rc = 130;
        goto done;
    }
    if (st) goto fail;
    rc = 0;
    goto done;
fail:
    cli_error("train", "%s", err.msg);
done:
    if (log) fclose(log);
    nuri_trainer_free(t);
    nuri_shard_close(train);
    nuri_shard_close(vs);
    return rc;
}
