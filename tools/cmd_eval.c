/* nuri eval: Korean benchmarks with lm-evaluation-harness semantics on a GGUF model. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "gen_flags.h"
#include "nuri/eval.h"

/* The one piece of mutable process state: written by the SIGINT handler only. */
static volatile sig_atomic_t interrupted = 0;
static void on_sigint(int sig) {
    (void)sig;
    interrupted = 1;
    signal(SIGINT, SIG_DFL); /* a second Ctrl-C ends the process */
}

static void usage(FILE *out) {
    fprintf(out,
            "usage: nuri eval -m MODEL --tasks T1,T2,... --output DIR [options]\n"
            "       nuri eval --list\n\n"
            "Scores a model on benchmark tasks the way lm-evaluation-harness (v0.4) does and\n"
            "writes DIR/results.json (its layout), DIR/samples_TASK.jsonl (a line per document)\n"
            "and DIR/report.html. Running again with the same --output resumes: documents\n"
            "already in the samples files are kept, the rest are scored. See docs/eval.md.\n\n"
            "  -m, --model FILE     GGUF model (default: $NURI_MODEL, else the bundled model)\n"
            "  --tasks LIST         comma-separated tasks or groups (nuri eval --list)\n"
            "  --output DIR         where results go (created if missing)\n"
            "  --num-fewshot K      few-shot examples: the first K documents of the task's\n"
            "                       few-shot split (lm-eval samples them at random) (default 0)\n"
            "  --limit N            only the first N documents of each task\n"
            "  --data-dir DIR       data sets (default: $NURI_DATA, else ../shared/data/eval\n"
            "                       beside the repository)\n"
            "  --tasks-dir DIR      task definitions (default: $NURI_TASKS, else tasks/ of the\n"
            "                       repository)\n"
            "  --text FILE          the text the perplexity task scores\n"
            "  --seed S             recorded in results.json (no built-in task draws random numbers)\n"
            "  -t, --threads N      threads (default: all cores)\n"
            "  -c, --ctx N          context size (default: the model's, at most 4096); longer\n"
            "                       inputs are cut from the left as lm-eval does\n"
            "  --kv-f32             keep the KV cache in F32 (default F16, like the reference)\n"
            "  --isa NAME           force kernels: scalar, avx2 or avx512 (default: the best);\n"
            "                       they differ only in the order of floating-point sums\n"
            "  --list               list every task and group with its data source\n"
            "  -q, --quiet          no progress bar (the closing summary line stays)\n\n"
            "Ctrl-C stops after the current document; run the same command again to resume.\n");
}

static const char *default_dir(const char *env, const char *rel, char *buf, size_t n) {
    const char *e = getenv(env);
    if (e && *e) return e;
    snprintf(buf, n, "%s/%s", NURI_SOURCE_DIR, rel);
    return buf;
}

static int list_tasks(const nuri_taskdb *db) {
    int n = nuri_taskdb_count(db);
    printf("%-44s %-22s %s\n", "name", "kind", "data (in --data-dir) and about");
    for (int i = 0; i < n; i++) {
        nuri_task_info in;
        nuri_taskdb_info(db, i, &in);
        if (in.is_group)
            printf("%-44s group of %-13d %s\n", in.name, in.n_members, in.about);
        else
            printf("%-44s %-22s %s%s%s\n", in.name, in.kind, in.source, *in.about ? " - " : "", in.about);
    }
    return 0;
}

typedef struct {
    bool tty, quiet;
    double last_print;
} progress_state;

static void fmt_time(char *buf, size_t n, double s) {
    if (s < 0 || s > 1e7) snprintf(buf, n, "?");
    else if (s >= 3600) snprintf(buf, n, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
    else if (s >= 60) snprintf(buf, n, "%dm%02ds", (int)(s / 60), (int)s % 60);
    else snprintf(buf, n, "%.0fs", s);
}

static void on_progress(void *user, const nuri_eval_progress *p) {
    progress_state *ps = user;
    if (ps->quiet) return;
    bool end = p->done == p->total;
    if (!ps->tty && !end && p->elapsed_s - ps->last_print < 30) return;
    ps->last_print = p->elapsed_s;
    long long scored = p->done - p->resumed;
    double rate = p->elapsed_s > 0 ? scored / p->elapsed_s : 0;
    char eta[32];
    fmt_time(eta, sizeof eta, rate > 0 ? (p->total - p->done) / rate : -1);
    int width = 24, fill = p->total ? (int)(width * p->done / p->total) : width;
    char bar[32];
    for (int i = 0; i < width; i++) bar[i] = i < fill ? '#' : '.';
    bar[width] = 0;
    fprintf(stderr, "%s[%s] %lld/%lld docs  %s (%d/%d)  %.2f docs/s  %.2f req/s  ETA %s%s",
            ps->tty ? "\r" : "", bar, p->done, p->total, p->task, p->task_index + 1, p->n_tasks,
            rate, p->elapsed_s > 0 ? p->requests / p->elapsed_s : 0.0, eta,
            ps->tty ? "\x1b[K" : "\n");
    if (ps->tty && end) fputc('\n', stderr);
    fflush(stderr);
}

/* The summary table after a run, from results.json. */
static void print_summary(const char *dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/results.json", dir);
    printf("results: %s\nreport:  %s/report.html\n", path, dir);
}

int cmd_eval(int argc, char **argv) {
    gen_flags f;
    gen_flags_init(&f);
    const char *tasks = NULL, *output = NULL, *data_dir = NULL, *tasks_dir = NULL, *text = NULL;
    long long fewshot = 0, limit = -1, seed = 0;
    bool list = false, quiet = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-m") || !strcmp(a, "--model") || !strcmp(a, "-t") || !strcmp(a, "--threads") ||
            !strcmp(a, "-c") || !strcmp(a, "--ctx") || !strcmp(a, "--kv-f32") || !strcmp(a, "--isa")) {
            if (gen_flags_parse(&f, "eval", argc, argv, &i) < 0) return 2;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--tasks")) {
            if (!(tasks = cli_value("eval", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "--output") || !strcmp(a, "-o")) {
            if (!(output = cli_value("eval", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "--data-dir")) {
            if (!(data_dir = cli_value("eval", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "--tasks-dir")) {
            if (!(tasks_dir = cli_value("eval", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "--text")) {
            if (!(text = cli_value("eval", argc, argv, &i))) return 2;
        } else if (!strcmp(a, "--num-fewshot")) {
            const char *v = cli_value("eval", argc, argv, &i);
            if (!v || !cli_int("eval", a, v, 0, 1000, &fewshot)) return 2;
        } else if (!strcmp(a, "--limit")) {
            const char *v = cli_value("eval", argc, argv, &i);
            if (!v || !cli_int("eval", a, v, 1, 1LL << 40, &limit)) return 2;
        } else if (!strcmp(a, "--seed")) {
            const char *v = cli_value("eval", argc, argv, &i);
            if (!v || !cli_int("eval", a, v, 0, INT64_MAX, &seed)) return 2;
        } else if (!strcmp(a, "--list")) {
            list = true;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = true;
        } else {
            cli_error("eval", "unknown argument '%s' (see nuri eval --help)", a);
            return 2;
        }
    }
    char tbuf[4096], dbuf[4096];
    if (!tasks_dir) tasks_dir = default_dir("NURI_TASKS", "tasks", tbuf, sizeof tbuf);
    if (!data_dir) data_dir = default_dir("NURI_DATA", "../shared/data/eval", dbuf, sizeof dbuf);
    nuri_error err;
    nuri_taskdb *db;
    if (nuri_taskdb_load(tasks_dir, &db, &err)) {
        cli_error("eval", "%s", err.msg);
        return 1;
    }
    if (list) {
        int rc = list_tasks(db);
        nuri_taskdb_free(db);
        return rc;
    }
    if (!tasks || !output) {
        nuri_taskdb_free(db);
        cli_error("eval", "give --tasks LIST and --output DIR (see nuri eval --help)");
        return 2;
    }
    gen_session s;
    if (gen_session_open(&s, &f, "eval", true)) {
        nuri_taskdb_free(db);
        return 1;
    }
    nuri_scorer *sc = NULL;
    int rc = 1;
    if (nuri_scorer_new(s.ctx, s.tok, &sc, &err)) {
        cli_error("eval", "%s", err.msg);
        goto done;
    }
    progress_state ps = {isatty(2) != 0, quiet, 0};
    nuri_eval_params p = {0};
    p.tasks = tasks;
    p.data_dir = data_dir;
    p.output_dir = output;
    p.text_file = text;
    p.model_path = s.path;
    p.num_fewshot = (int)fewshot;
    p.limit = limit;
    p.seed = (uint64_t)seed;
    p.n_ctx = nuri_ctx_n_ctx(s.ctx);
    p.progress = on_progress;
    p.user = &ps;
    p.cancel = &interrupted;
    signal(SIGINT, on_sigint);
    nuri_eval_summary sum;
    nuri_status st = nuri_eval_run(sc, db, &p, &sum, &err);
    signal(SIGINT, SIG_DFL);
    if (st == NURI_ERR_INTERRUPTED) {
        if (!quiet && ps.tty) fputc('\n', stderr);
        cli_error("eval", "interrupted: the documents scored so far are in %s; run the same command again to resume",
                  output);
        rc = 130;
        goto done;
    }
    if (st) {
        if (!quiet && ps.tty && sum.docs_scored) fputc('\n', stderr);
        cli_error("eval", "%s", err.msg);
        goto done;
    }
    fprintf(stderr, "scored %lld documents (%lld requests) in %.1f s: %.2f docs/s, %.2f requests/s; %lld read back from an earlier run\n",
                sum.docs_scored, sum.requests, sum.seconds, sum.seconds > 0 ? sum.docs_scored / sum.seconds : 0.0,
                sum.seconds > 0 ? sum.requests / sum.seconds : 0.0, sum.docs_resumed);
    print_summary(output);
    rc = 0;
done:
    nuri_scorer_free(sc);
    gen_session_close(&s);
    nuri_taskdb_free(db);
    return rc;
}
