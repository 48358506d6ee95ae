/* nuri tokenizer: train a byte-level BPE vocabulary (nuri_bpe_train) and measure a
 * vocabulary's characters per token on held-out text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/file.h"
#include "cli.h"
#include "commands.h"
#include "nuri/data.h"
#include "nuri/gguf.h"
#include "nuri/tokenizer.h"
#include "text/csv.h"

static void usage(FILE *out) {
    fprintf(out,
            "usage: nuri tokenizer train -o VOCAB.gguf [options] TEXT...\n"
            "       nuri tokenizer stats -m VOCAB.gguf [--column NAME] FILE...\n\n"
            "train: learns byte-level BPE merges from UTF-8 text files (each line a document,\n"
            "as nuri data writes them) and writes a vocabulary-only GGUF (tokenizer.ggml.model\n"
            "gpt2) that nuri and llama.cpp load.\n"
            "  -o, --output FILE      the GGUF to write (atomically)\n"
            "  --vocab-size N         tokens in all: 256 bytes + merges + special (16384)\n"
            "  --pre NAME             pre-tokenizer: qwen2 (default) or llama-bpe\n"
            "  --min-frequency N      never merge a pair seen fewer times (2)\n"
            "  --special A,B,...      special tokens, the first BOS and the second EOS (default\n"
            "                         <|begin_of_text|>,<|end_of_text|>,<|im_start|>,<|im_end|>)\n"
            "  --no-bos               do not ask for BOS in front of every text\n"
            "  --name NAME            general.name (nuri-bpe)\n"
            "  -q, --quiet            no progress on stderr\n\n"
            "stats: characters (code points) per token over every non-empty line of the files,\n"
            "tokenized without special tokens: all characters over all tokens, and the mean of\n"
            "the lines' own ratios.\n"
            "  -m, --model FILE       the GGUF whose tokenizer to use\n"
            "  --column NAME          read this column of TSV files with a header (e.g. document)\n"
            "  -h, --help             this help\n");
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

typedef struct {
    bool tty, quiet;
    double t0;
} train_progress;

static int on_progress(void *user, const nuri_bpe_progress *p) {
    train_progress *tp = user;
    if (tp->quiet) return 0;
    double el = now_s() - tp->t0;
    if (!strcmp(p->phase, "count"))
        fprintf(stderr, "%stokenizer: counting words: %llu (%llu distinct)  %.0f s%s", tp->tty ? "\r\033[K" : "",
                (unsigned long long)p->words, (unsigned long long)p->unique_words, el, tp->tty ? "" : "\n");
    else if (tp->tty || p->merges_done % 4096 == 0)
        fprintf(stderr, "%stokenizer: merge %u / %u  %.0f s%s", tp->tty ? "\r\033[K" : "", p->merges_done,
                p->merges_total, el, tp->tty ? "" : "\n");
    return 0;
}

static int cmd_train_bpe(int argc, char **argv) {
    const char *cmd = "tokenizer train";
    nuri_bpe_config cfg;
    nuri_bpe_config_default(&cfg);
    const char *out = NULL;
    const char **paths = calloc((size_t)argc, sizeof *paths);
    char *special_buf = NULL;
    const char **special = NULL;
    size_t np = 0;
    train_progress tp = {.tty = isatty(2)};
    int rc = 2;
    if (!paths) return 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        long long n;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            rc = 0;
            goto done;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            if (!(out = cli_value(cmd, argc, argv, &i))) goto done;
        } else if (!strcmp(a, "--vocab-size")) {
            if (!(v = cli_value(cmd, argc, argv, &i)) || !cli_int(cmd, a, v, 261, 1 << 24, &n)) goto done;
            cfg.vocab_size = (uint32_t)n;
        } else if (!strcmp(a, "--pre")) {
            if (!(cfg.pre = cli_value(cmd, argc, argv, &i))) goto done;
            if (strcmp(cfg.pre, "qwen2") && strcmp(cfg.pre, "llama-bpe")) {
                cli_error(cmd, "--pre: '%s' is not qwen2 or llama-bpe", cfg.pre);
                goto done;
            }
        } else if (!strcmp(a, "--min-frequency")) {
            if (!(v = cli_value(cmd, argc, argv, &i)) || !cli_int(cmd, a, v, 1, 1 << 30, &n)) goto done;
            cfg.min_frequency = (uint32_t)n;
        } else if (!strcmp(a, "--special")) {
            if (!(v = cli_value(cmd, argc, argv, &i))) goto done;
            free(special_buf);
            free(special);
            special_buf = strdup(v);
            special = calloc(strlen(v) + 1, sizeof *special);
            if (!special_buf || !special) goto done;
            size_t k = 0;
            for (char *t = strtok(special_buf, ","); t; t = strtok(NULL, ",")) special[k++] = t;
            cfg.special = special;
            cfg.n_special = k;
        } else if (!strcmp(a, "--no-bos")) {
            cfg.add_bos = false;
        } else if (!strcmp(a, "--name")) {
            if (!(cfg.name = cli_value(cmd, argc, argv, &i))) goto done;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            tp.quiet = true;
        } else if (a[0] == '-' && a[1]) {
            cli_error(cmd, "unknown flag '%s' (nuri tokenizer --help lists them)", a);
            goto done;
        } else {
            paths[np++] = a;
        }
    }
    if (!out) {
        cli_error(cmd, "no output file (-o VOCAB.gguf)");
        goto done;
    }
    if (!np) {
        cli_error(cmd, "no training text");
        goto done;
    }
    cfg.progress = on_progress;
    cfg.user = &tp;
    tp.t0 = now_s();
    nuri_bpe_summary sum;
    nuri_error err;
    if (nuri_bpe_train(&cfg, paths, np, out, &sum, &err) != NURI_OK) {
        if (tp.tty && !tp.quiet) fputs("\r\033[K", stderr);
        cli_error(cmd, "%s", err.msg);
        rc = 1;
        goto done;
    }
    if (!tp.quiet)
        fprintf(stderr, "%stokenizer: %s: %u tokens (%u merges) from %llu words (%llu distinct), %.1f MB, %.1f s\n",
                tp.tty ? "\r\033[K" : "", out, sum.vocab_size, sum.merges, (unsigned long long)sum.words,
                (unsigned long long)sum.unique_words, (double)sum.bytes / 1e6, now_s() - tp.t0);
    rc = 0;
done:
    free(paths);
    free(special);
    free(special_buf);
    return rc;
}

/* Adds the characters and tokens of one line. */
static bool count_line(const nuri_tokenizer *tok, const char *s, size_t n, uint64_t *chars, uint64_t *tokens,
                       double *ratio_sum, nuri_error *err) {
    int32_t *ids = NULL;
    size_t k = 0;
    if (nuri_tokenize(tok, s, n, false, false, &ids, &k, err) != NURI_OK) return false;
    free(ids);
    uint64_t c = 0;
    for (size_t i = 0; i < n; i++) c += ((unsigned char)s[i] & 0xC0) != 0x80;
    *chars += c;
    *tokens += k;
    if (k) *ratio_sum += (double)c / (double)k;
    return true;
}

static int cmd_stats(int argc, char **argv) {
    const char *cmd = "tokenizer stats", *model = NULL, *column = NULL;
    int first = 0, rc = 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "-m") || !strcmp(a, "--model")) {
            if (!(model = cli_value(cmd, argc, argv, &i))) return 2;
        } else if (!strcmp(a, "--column")) {
            if (!(column = cli_value(cmd, argc, argv, &i))) return 2;
        } else if (a[0] == '-' && a[1]) {
            cli_error(cmd, "unknown flag '%s'", a);
            return 2;
        } else {
            if (!first) first = i;
            /* files are read below; flags may come in any order */
        }
    }
    if (!model || !first) {
        cli_error(cmd, "need -m VOCAB.gguf and at least one file");
        return 2;
    }
    nuri_error err;
    nuri_gguf *g;
    nuri_tokenizer *tok = NULL;
    if (nuri_gguf_open(model, &g, &err) != NURI_OK) {
        cli_error(cmd, "%s", err.msg);
        return 1;
    }
    nuri_status st = nuri_tokenizer_load(g, &tok, &err);
    nuri_gguf_close(g);
    if (st) {
        cli_error(cmd, "%s", err.msg);
        return 1;
    }
    uint64_t chars = 0, tokens = 0, lines = 0;
    double ratio_sum = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-m") || !strcmp(a, "--model") || !strcmp(a, "--column")) {
            i++;
            continue;
        }
        if (a[0] == '-' && a[1]) continue;
        char *text;
        size_t n;
        if (nuri_read_file(a, &text, &n, &err) != NURI_OK) {
            cli_error(cmd, "%s", err.msg);
            rc = 1;
            goto done;
        }
        size_t bad;
        if (!nuri_utf8_valid(text, n, &bad)) {
            cli_error(cmd, "%s: invalid UTF-8 at byte %zu", a, bad);
            free(text);
            rc = 1;
            goto done;
        }
        bool ok = true;
        if (column) {
            text_csv_row row = {0};
            size_t pos = 0, col = SIZE_MAX;
            if (text_csv_next(text, n, &pos, '\t', false, &row) == TEXT_CSV_ROW)
                for (size_t c = 0; c < row.n; c++)
                    if (!strcmp(row.text.p + row.off[c], column)) col = c;
            if (col == SIZE_MAX) {
                cli_error(cmd, "%s: no column '%s' in the header", a, column);
                text_csv_row_free(&row);
                free(text);
                rc = 1;
                goto done;
            }
            while (ok && text_csv_next(text, n, &pos, '\t', false, &row) == TEXT_CSV_ROW)
                if (col < row.n && row.len[col]) {
                    ok = count_line(tok, row.text.p + row.off[col], row.len[col], &chars, &tokens, &ratio_sum, &err);
                    lines++;
                }
            text_csv_row_free(&row);
        } else {
            for (size_t pos = 0; ok && pos < n;) {
                const char *nl = memchr(text + pos, '\n', n - pos);
                size_t len = nl ? (size_t)(nl - text - pos) : n - pos;
                size_t l = len && text[pos + len - 1] == '\r' ? len - 1 : len;
                if (l) {
                    ok = count_line(tok, text + pos, l, &chars, &tokens, &ratio_sum, &err);
                    lines++;
                }
                pos += len + 1;
            }
        }
        free(text);
        if (!ok) {
            cli_error(cmd, "%s", err.msg);
            rc = 1;
            goto done;
        }
    }
    printf("vocab %s (%s, pre %s, %d tokens): %llu lines, %llu characters, %llu tokens, "
           "%.3f characters per token (mean over lines %.3f)\n",
           model, nuri_tokenizer_model(tok), nuri_tokenizer_pre(tok), nuri_tokenizer_n_vocab(tok),
           (unsigned long long)lines, (unsigned long long)chars, (unsigned long long)tokens,
           tokens ? (double)chars / (double)tokens : 0.0, lines ? ratio_sum / (double)lines : 0.0);
    rc = 0;
done:
    nuri_tokenizer_free(tok);
    return rc;
}

int cmd_tokenizer(int argc, char **argv) {
    if (argc >= 2 && !strcmp(argv[1], "train")) return cmd_train_bpe(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "stats")) return cmd_stats(argc - 1, argv + 1);
    if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        usage(stdout);
        return 0;
    }
    usage(stderr);
    return 2;
}
